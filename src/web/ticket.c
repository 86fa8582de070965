/*
 * web/ticket.c - /t/TOKEN, the ticket page each ticket e-mail links to:
 * the QR code as inline SVG (nothing to load: the page's policy forbids
 * it), the code in text for a scanner that fails, the holder, the event
 * and a link to its calendar file. A revoked ticket, or one of a
 * cancelled event, says so instead of showing a code. An unknown token
 * gets the same plain 404 as an unknown page.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "turnout/esc.h"
#include "turnout/event.h"
#include "turnout/qr.h"
#include "turnout/ticket.h"
#include "web/web.h"

/* The code in groups of eight, for a person who has to read it out. */
static tn_code add_code_text(struct tn_buf *b, const char *code)
{
	size_t i, n = strlen(code);
	tn_code rc = tn_buf_add(b, "<p class=\"code\" id=\"code\">");

	for (i = 0; rc == TN_OK && i < n; i += 8)
		rc = tn_buf_addf(b, "%s%.8s", i ? " " : "", code + i);
	return rc == TN_OK ? tn_buf_add(b, "</p>\n") : rc;
}

static tn_code ticket_page(struct tn_buf *b, const struct tn_ticket *t,
			   const struct tn_event *ev)
{
	struct tn_err err = TN_ERR_INIT;
	tn_code rc;

	if ((rc = web_page_begin(b, ev->title)) != TN_OK ||
	    (rc = web_event_block(b, ev)) != TN_OK)
		return rc;
	if (t->holder && ((rc = tn_buf_add(b, "<p>Ticket for ")) != TN_OK ||
			  (rc = tn_esc_html(b, t->holder)) != TN_OK ||
			  (rc = tn_buf_addf(b, ", number %" PRId64 ".</p>\n", t->id)) != TN_OK))
		return rc;
	if (t->event_cancelled)
		rc = tn_buf_add(b, "<p class=\"error\" id=\"state\">The event is cancelled: "
				"this ticket admits no one.</p>\n");
	else if (t->state == TN_TICKET_REVOKED)
		rc = tn_buf_add(b, "<p class=\"error\" id=\"state\">This ticket was revoked: "
				"it admits no one.</p>\n");
	else if ((rc = tn_buf_add(b, "<p id=\"state\">Show this code at the door.</p>\n"
				  "<div class=\"qr\" id=\"qr\">")) == TN_OK &&
		 (rc = tn_qr_svg(t->code, b, &err)) == TN_OK &&
		 (rc = tn_buf_add(b, "</div>\n")) == TN_OK)
		rc = add_code_text(b, t->code);
	if (rc == TN_OK && (rc = tn_buf_add(b, "<p><a id=\"ics\" href=\"/e/")) == TN_OK &&
	    (rc = tn_esc_attr(b, ev->slug)) == TN_OK)
		rc = tn_buf_add(b, ".ics\">Add to calendar</a></p>\n");
	return rc == TN_OK ? web_page_end(b) : rc;
}

void web_page_ticket(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf page = TN_BUF_INIT;
	struct tn_ticket t;
	struct tn_event ev;
	char id[24];
	tn_code rc;

	rs->no_store = 1;
	memset(&t, 0, sizeof(t));
	memset(&ev, 0, sizeof(ev));
	if (!rq->db) {
		web_respond_status(rs, 503);
		return;
	}
	/* the token first: nothing else is looked at for a wrong one */
	rc = tn_ticket_by_token(rq->db, rq->param, &t, &err);
	if (rc == TN_OK) {
		snprintf(id, sizeof(id), "%" PRId64, t.event_id);
		rc = tn_event_find(rq->db, id, &ev, &err);
	}
	if (rc == TN_OK && (rc = ticket_page(&page, &t, &ev)) == TN_OK)
		web_respond_page(rs, 200, &page);
	if (rc == TN_NOTFOUND) {
		web_respond_status(rs, 404);
	} else if (rc != TN_OK) {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
	}
	tn_event_clear(&ev);
	tn_ticket_clear(&t);
	tn_buf_free(&page);
}
