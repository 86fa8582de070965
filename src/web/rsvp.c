/*
 * web/rsvp.c - /rsvp/TOKEN, the RSVP link of every invitation. GET shows
 * the event, the invitee's name, the answer so far and, while it may
 * change, Yes / Maybe / No buttons: one POST form with a CSRF token
 * bound to the page's token. POST answers through tn_rsvp_by_token (the
 * CLI's rsvp) and shows the page again with the answer as it now is: a
 * seat, the waitlist and the number in line, or the organizer's approval
 * awaited. Once the event started (or was cancelled, or the organizer
 * declined) the answer is shown without buttons and a POST is refused
 * (409). An unknown token gets the same plain 404 as an unknown page.
 */
#include <inttypes.h>
#include <string.h>

#include "turnout/esc.h"
#include "turnout/registration.h"
#include "web/web.h"

#define CSRF_SCOPE "rsvp"

static const struct {
	enum tn_reg_status status;
	const char *word, *label;
} buttons[] = {
	{ TN_REG_YES, "yes", "Yes" },
	{ TN_REG_MAYBE, "maybe", "Maybe" },
	{ TN_REG_NO, "no", "No" },
};

/* The answer so far, as one sentence. */
static tn_code add_answer(struct tn_buf *b, const struct tn_rsvp_view *v)
{
	tn_code rc = tn_buf_add(b, "<p class=\"answer\" id=\"answer\">");

	if (rc != TN_OK)
		return rc;
	switch (v->status) {
	case TN_REG_YES:
		rc = tn_buf_add(b, "Your answer: yes. You have a seat.");
		break;
	case TN_REG_MAYBE:
		rc = tn_buf_add(b, "Your answer: maybe.");
		break;
	case TN_REG_NO:
		rc = tn_buf_add(b, "Your answer: no.");
		break;
	case TN_REG_WAITLISTED:
		rc = tn_buf_addf(b, "Your answer: yes. The event is full: you are on "
				 "the waitlist, number %" PRId64 ".", v->waitlist_pos);
		break;
	case TN_REG_PENDING:
		rc = tn_buf_add(b, "Your answer: yes, waiting for the organizer's "
				"approval.");
		break;
	case TN_REG_DECLINED:
		rc = tn_buf_add(b, "The organizer declined your registration.");
		break;
	default:
		rc = tn_buf_add(b, "You have not answered yet.");
		break;
	}
	if (rc == TN_OK)
		rc = tn_buf_add(b, "</p>\n");
	return rc;
}

/* The buttons, the current answer marked, or why there are none. */
static tn_code add_form(struct tn_buf *b, const struct tn_rsvp_view *v,
			const char *csrf)
{
	size_t i;
	tn_code rc;

	if (!v->can_change)
		return tn_buf_add(b, v->event.cancelled || v->status == TN_REG_DECLINED ?
				  "<p class=\"note\">The answer can no longer change.</p>\n" :
				  "<p class=\"note\">The event has started: the answer can "
				  "no longer change.</p>\n");
	if ((rc = web_form_begin(b, csrf)) != TN_OK)
		return rc;
	for (i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++) {
		/* a waitlisted or pending invitee said yes */
		int pressed = buttons[i].status == v->status ||
			(buttons[i].status == TN_REG_YES &&
			 (v->status == TN_REG_WAITLISTED || v->status == TN_REG_PENDING));

		rc = tn_buf_addf(b, "<button type=\"submit\" name=\"answer\" value=\"%s\""
				 " aria-pressed=\"%s\">%s</button>\n", buttons[i].word,
				 pressed ? "true" : "false", buttons[i].label);
		if (rc != TN_OK)
			return rc;
	}
	return tn_buf_add(b, "</form>\n");
}

/* The whole page; saved: a POST just recorded the answer. */
static tn_code rsvp_page(struct tn_buf *b, const struct tn_rsvp_view *v,
			 const char *csrf, int saved)
{
	tn_code rc;

	if ((rc = web_page_begin(b, v->event.title)) != TN_OK ||
	    (rc = web_event_block(b, &v->event)) != TN_OK)
		return rc;
	if (v->name && ((rc = tn_buf_add(b, "<p>Hello ")) != TN_OK ||
			(rc = tn_esc_html(b, v->name)) != TN_OK ||
			(rc = tn_buf_add(b, ",</p>\n")) != TN_OK))
		return rc;
	if (saved && (rc = tn_buf_add(b, "<p class=\"note\" id=\"saved\">Thank you: "
				      "your answer is saved.</p>\n")) != TN_OK)
		return rc;
	if ((rc = add_answer(b, v)) != TN_OK ||
	    (rc = add_form(b, v, csrf)) != TN_OK)
		return rc;
	return web_page_end(b);
}

/* The answer a POST gives: TN_OK and *answer, or TN_USAGE. */
static tn_code posted_answer(const struct web_form *f, enum tn_reg_status *answer)
{
	struct tn_err ignored = TN_ERR_INIT;
	const char *word = web_form_get(f, "answer");

	return word ? tn_registration_status_parse(word, 0, "answer", answer, &ignored)
		    : TN_USAGE;
}

void web_page_rsvp(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf page = TN_BUF_INIT;
	struct tn_rsvp_view view;
	struct tn_rsvp_result res;
	enum tn_reg_status answer = TN_REG_NONE;
	char csrf[WEB_CSRF_LEN + 1];
	int status = 200, saved = 0;
	tn_code rc;

	rs->no_store = 1;
	if (!rq->db) {
		web_respond_status(rs, 503);
		return;
	}
	/* the token first: nothing else is looked at for a wrong one */
	rc = tn_rsvp_view(rq->db, rq->param, &view, &err);
	if (rc == TN_NOTFOUND) {
		web_respond_status(rs, 404);
		return;
	}
	if (rc == TN_OK && rq->method == WEB_POST) {
		if (!web_csrf_valid(rq->key, CSRF_SCOPE, rq->param,
				    web_form_get(rq->form, "csrf")))
			status = 403;
		else if (posted_answer(rq->form, &answer) != TN_OK)
			status = 400;
		else if (!view.can_change)
			status = 409;
	}
	if (rc == TN_OK && rq->method == WEB_POST && status == 200) {
		rc = tn_rsvp_by_token(rq->db, rq->param, answer, &res, &err);
		if (rc == TN_CONFLICT) {   /* started or declined meanwhile */
			status = 409;
			rc = TN_OK;
		} else if (rc == TN_OK) {
			saved = 1;
		}
		/* the page shows the answer as it now is */
		tn_rsvp_view_clear(&view);
		if (rc == TN_OK)
			rc = tn_rsvp_view(rq->db, rq->param, &view, &err);
	}
	if (rc == TN_OK && (status == 403 || status == 400)) {
		web_respond_status(rs, status);
	} else if (rc == TN_OK) {
		web_csrf_token(rq->key, CSRF_SCOPE, rq->param, csrf);
		if ((rc = rsvp_page(&page, &view, csrf, saved)) == TN_OK)
			web_respond_page(rs, status, &page);
	}
	if (rc == TN_NOTFOUND) {
		web_respond_status(rs, 404);
	} else if (rc != TN_OK) {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
	}
	tn_rsvp_view_clear(&view);
	tn_buf_free(&page);
}
