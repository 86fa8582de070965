/*
 * live.c - the live report (live.h): one event's report by channel, as
 * report.c computes it, and whether its doors are open, which decides
 * whether a live page refreshes itself. Owns no table.
 */
#include <string.h>

#include "turnout/live.h"
#include "turnout/report.h"
#include "turnout/text.h"
#include "turnout/tz.h"

int tn_live_doors_open(const struct tn_event *ev, const char *now)
{
	int64_t t, start, end;
	char clock[21];

	if (!now) {
		tn_now_utc(clock);
		now = clock;
	}
	if (ev->cancelled || tn_tz_utc_parse(now, &t) != TN_OK ||
	    tn_tz_utc_parse(ev->start_utc, &start) != TN_OK ||
	    tn_tz_utc_parse(ev->end_utc, &end) != TN_OK)
		return 0;
	return t >= start - TN_LIVE_DOORS_OPEN_BEFORE && t < end;
}

tn_code tn_live_report(struct tn_db *db, const char *event, struct tn_report *r,
		       int *doors_open, struct tn_err *err)
{
	struct tn_report_opts opts = { 0 };
	struct tn_event ev;
	const char *names[1];
	tn_code rc;

	memset(r, 0, sizeof(*r));
	memset(&ev, 0, sizeof(ev));
	*doors_open = 0;
	if ((rc = tn_event_find(db, event ? event : "", &ev, err)) != TN_OK)
		return tn_err_about(err, rc, "event");
	names[0] = ev.slug;
	opts.events = names;
	opts.nevents = 1;
	opts.by = TN_REPORT_BY_CHANNEL;
	opts.people = 1;
	rc = tn_report_run(db, &opts, r, err);
	if (rc == TN_OK)
		*doors_open = tn_live_doors_open(&ev, NULL);
	tn_event_clear(&ev);
	return rc;
}
