/*
 * web/public.c - the pages anyone may fetch without a token: /healthz
 * for a process supervisor, and /e/SLUG.ics, an event's public calendar
 * file (what 'turnout ics SLUG' writes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/event.h"
#include "turnout/ical.h"
#include "turnout/setup.h"
#include "turnout/slug.h"
#include "web/web.h"

/* 200 "ok" when this thread's database connection answers. */
void web_page_healthz(const struct web_request *rq, struct web_response *rs)
{
	if (!rq->db || !tn_setup_done(rq->db)) {
		web_respond_status(rs, 503);
		return;
	}
	rs->type = "text/plain; charset=utf-8";
	if (tn_buf_add(&rs->body, "ok\n") != TN_OK)
		web_respond_status(rs, 500);
}

void web_page_ics(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_settings set;
	struct tn_event ev;
	struct tn_ical_event ie;
	char *text = NULL;
	tn_code rc;

	if (!rq->db) {
		web_respond_status(rs, 503);
		return;
	}
	/* a slug only: tn_event_find would also take an event's number */
	if (!tn_slug_valid(rq->param)) {
		web_respond_status(rs, 404);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	rc = tn_event_find(rq->db, rq->param, &ev, &err);
	if (rc == TN_OK && strcmp(ev.slug, rq->param) != 0)
		rc = TN_NOTFOUND;
	if (rc == TN_OK && (rc = tn_settings_load(rq->db, &set, &err)) == TN_OK) {
		struct tn_ical_org org = { set.org, set.from, set.base_url };

		tn_event_ical(&ev, &ie);
		rc = tn_ical_publish(&ie, &org, &text, &err);
		tn_settings_clear(&set);
	}
	if (rc == TN_OK && tn_buf_add(&rs->body, text) == TN_OK) {
		rs->type = "text/calendar; charset=utf-8";
		snprintf(rs->filename, sizeof(rs->filename), "%s.ics", ev.slug);
	} else if (rc == TN_NOTFOUND) {
		web_respond_status(rs, 404);
	} else {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
	}
	free(text);
	tn_event_clear(&ev);
}
