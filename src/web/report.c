/*
 * web/report.c - the organizer's pages: /login/TOKEN (an organizer
 * token's login link, which `organizer token add` prints) keeps the
 * token in a cookie and sends the browser on to /report/, the list of
 * events; /report/E is the live report of event E, as reportout.h's
 * HTML writer makes it, refreshing itself while the doors are open
 * (live.h). Every page wants an organizer token in use, from the
 * cookie or an "Authorization: Bearer" header (for scripts), and shows
 * nothing without one but a 401 page saying how to get one.
 */
#include <stdio.h>
#include <string.h>

#include "turnout/esc.h"
#include "turnout/event.h"
#include "turnout/live.h"
#include "turnout/organizer.h"
#include "turnout/report.h"
#include "web/web.h"

/* Puts the cookie that holds token (Max-Age 0 with token "": the
 * browser drops it) into rs. HttpOnly: no script reads it; SameSite
 * Strict: no other site's page sends it along; Secure over HTTPS. */
static void set_cookie(const struct web_request *rq, struct web_response *rs,
		       const char *token)
{
	snprintf(rs->set_cookie, sizeof(rs->set_cookie),
		 WEB_ORGANIZER_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
		 token, *token ? "" : "; Max-Age=0", rq->https ? "; Secure" : "");
}

/* Answers 401 with a page that says how to get in, and nothing else.
 * what: the heading. A cookie that no longer works is dropped. */
static void refuse(const struct web_request *rq, struct web_response *rs,
		   const char *what)
{
	struct tn_buf page = TN_BUF_INIT;

	if (web_page_begin(&page, "Organizer only") == TN_OK &&
	    tn_buf_add(&page, "<h1>") == TN_OK && tn_esc_html(&page, what) == TN_OK &&
	    tn_buf_add(&page, "</h1>\n<p class=\"error\" id=\"refused\">This page is "
		       "for the organizer. Open the login link that <code>turnout "
		       "organizer token add</code> prints. If it no longer works, "
		       "the token was revoked: make a new one.</p>\n") == TN_OK &&
	    web_page_end(&page) == TN_OK)
		web_respond_page(rs, 401, &page);
	else
		web_respond_status(rs, 500);
	tn_buf_free(&page);
	rs->bearer_challenge = 1;
	if (rq->organizer_cookie)
		set_cookie(rq, rs, "");
}

/* 1 if the request carries an organizer token in use: the Bearer
 * token when there is one, else the cookie. Otherwise the response is
 * filled (401, or 503 without a database) and 0 returned. */
static int organizer_only(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	const char *token = rq->bearer ? rq->bearer : rq->organizer_cookie;
	tn_code rc;

	rs->no_store = 1;
	if (!token) {
		refuse(rq, rs, "Log in first");
		return 0;
	}
	if (!rq->db) {
		web_respond_status(rs, 503);
		return 0;
	}
	rc = tn_organizer_check(rq->db, token, NULL, &err);
	if (rc == TN_OK)
		return 1;
	if (rc == TN_NOTFOUND) {
		refuse(rq, rs, "This token does not work");
	} else {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
	}
	return 0;
}

void web_page_login(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf page = TN_BUF_INIT;
	tn_code rc;

	rs->no_store = 1;
	if (!rq->db) {
		web_respond_status(rs, 503);
		return;
	}
	rc = tn_organizer_check(rq->db, rq->param, NULL, &err);
	if (rc == TN_NOTFOUND) {
		refuse(rq, rs, "This login link does not work");
		return;
	}
	if (rc != TN_OK) {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
		return;
	}
	/* the token checked is the stored one's text: 24 base64url
	 * characters, safe in a cookie as it is */
	set_cookie(rq, rs, rq->param);
	rs->location = "/report/";
	if (web_page_begin(&page, "Logged in") == TN_OK &&
	    tn_buf_add(&page, "<h1>Logged in</h1>\n<p><a href=\"/report/\">The live "
		       "report</a></p>\n") == TN_OK &&
	    web_page_end(&page) == TN_OK)
		web_respond_page(rs, 303, &page);
	else
		web_respond_status(rs, 500);
	tn_buf_free(&page);
}

struct event_list {
	struct tn_buf *b;
	tn_code rc;          /* TN_NOMEM once the page could not grow */
};

/* One event of the list: a link to its live report, when and where,
 * and whether its doors are open or it is cancelled. */
static int list_event(void *ctx, const struct tn_event *ev)
{
	struct event_list *l = ctx;
	struct tn_buf *b = l->b;

	if (tn_buf_add(b, "<li><a href=\"/report/") != TN_OK ||
	    tn_esc_attr(b, ev->slug) != TN_OK ||
	    tn_buf_add(b, "\">") != TN_OK ||
	    tn_esc_html(b, ev->title) != TN_OK ||
	    tn_buf_add(b, "</a> <span class=\"when\">") != TN_OK ||
	    tn_esc_html(b, ev->start_local) != TN_OK ||
	    tn_buf_add(b, " ") != TN_OK ||
	    tn_esc_html(b, ev->tz) != TN_OK ||
	    tn_buf_add(b, ev->cancelled ? "</span> (cancelled)"
		       : tn_live_doors_open(ev, NULL) ? "</span> <strong>doors "
		       "open</strong>" : "</span>") != TN_OK ||
	    tn_buf_add(b, "</li>\n") != TN_OK)
		l->rc = TN_NOMEM;
	return l->rc != TN_OK;
}

void web_page_report_list(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf page = TN_BUF_INIT;
	struct event_list list = { &page, TN_OK };
	size_t before;
	tn_code rc;

	if (!organizer_only(rq, rs))
		return;
	rc = web_page_begin(&page, "Live reports");
	if (rc == TN_OK)
		rc = tn_buf_add(&page, "<h1>Live reports</h1>\n<ul id=\"events\">\n");
	before = page.len;
	if (rc == TN_OK && (rc = tn_event_each(rq->db, list_event, &list, &err)) == TN_OK &&
	    list.rc != TN_OK)
		rc = tn_err_set(&err, list.rc, "out of memory");
	if (rc == TN_OK)
		rc = tn_buf_add(&page, page.len == before ? "</ul>\n<p>No events yet.</p>\n"
				: "</ul>\n");
	if (rc == TN_OK)
		rc = web_page_end(&page);
	if (rc == TN_OK) {
		web_respond_page(rs, 200, &page);
	} else {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
	}
	tn_buf_free(&page);
}

void web_page_report(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf page = TN_BUF_INIT;
	struct tn_report_html_opts opts = { 0 };
	struct tn_report r;
	int open = 0;
	tn_code rc;

	if (!organizer_only(rq, rs))
		return;
	rc = tn_live_report(rq->db, rq->param, &r, &open, &err);
	if (rc == TN_OK) {
		opts.refresh_seconds = open ? TN_LIVE_REFRESH_SECONDS : 0;
		if ((rc = tn_report_html(&r, &opts, &page)) != TN_OK)
			tn_err_set(&err, rc, "out of memory");
	}
	tn_report_free(&r);
	if (rc == TN_OK) {
		web_respond_page(rs, 200, &page);
	} else if (rc == TN_NOTFOUND) {
		web_respond_status(rs, 404);
	} else {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
	}
	tn_buf_free(&page);
}
