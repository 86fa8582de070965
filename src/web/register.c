/*
 * web/register.c - /r/CODE, the public registration page behind a
 * channel's tracking link (turnout link E --channel C). GET shows the
 * event and a form (name, e-mail, a CSRF token bound to the code); POST
 * registers through tn_register_link, which attributes the registration
 * to the link's channel and updates a second registration with the same
 * address instead of adding one. The answer page says registered,
 * waitlisted (with the number in line) or waiting for approval; a name
 * or address the library refuses brings the form back with its message
 * beside the field and the values kept. An unknown code gets the same
 * plain 404 as an unknown page; an event that started or was cancelled
 * shows no form, and a POST to it is refused (409).
 */
#include <inttypes.h>
#include <string.h>

#include "turnout/esc.h"
#include "turnout/registration.h"
#include "web/web.h"

#define CSRF_SCOPE "register"

/* What the form shows again after a refusal: the values given, and the
 * library's message for the field it names. */
struct filled {
	const char *name, *email;
	const char *field;        /* "name", "email" or NULL */
	const char *msg;
};

/* One labelled input, with its value and error when there is one. */
static tn_code add_input(struct tn_buf *b, const char *field, const char *label,
			 const char *type, const char *autocomplete,
			 const struct filled *f, const char *value)
{
	tn_code rc;

	if ((rc = tn_buf_addf(b, "<label for=\"%s\">%s</label>\n", field, label)) != TN_OK)
		return rc;
	if (f && f->field && strcmp(f->field, field) == 0 &&
	    ((rc = tn_buf_addf(b, "<p class=\"error\" id=\"%s-error\">", field)) != TN_OK ||
	     (rc = tn_esc_html(b, f->msg)) != TN_OK ||
	     (rc = tn_buf_add(b, "</p>\n")) != TN_OK))
		return rc;
	if ((rc = tn_buf_addf(b, "<input id=\"%s\" name=\"%s\" type=\"%s\" "
			      "autocomplete=\"%s\" required maxlength=\"200\" value=\"",
			      field, field, type, autocomplete)) != TN_OK ||
	    (rc = tn_esc_attr(b, value ? value : "")) != TN_OK)
		return rc;
	return tn_buf_add(b, "\">\n");
}

/* The form page; f is NULL on a first visit. */
static tn_code form_page(struct tn_buf *b, const struct tn_event *ev, int open,
			 const char *csrf, const struct filled *f)
{
	tn_code rc;

	if ((rc = web_page_begin(b, ev->title)) != TN_OK ||
	    (rc = web_event_block(b, ev)) != TN_OK)
		return rc;
	if (!open) {
		if (!ev->cancelled &&
		    (rc = tn_buf_add(b, "<p class=\"answer\" id=\"closed\">Registration "
				     "is closed.</p>\n")) != TN_OK)
			return rc;
		return web_page_end(b);
	}
	if (f && !f->field &&
	    ((rc = tn_buf_add(b, "<p class=\"error\" id=\"error\">")) != TN_OK ||
	     (rc = tn_esc_html(b, f->msg)) != TN_OK ||
	     (rc = tn_buf_add(b, "</p>\n")) != TN_OK))
		return rc;
	if ((rc = web_form_begin(b, csrf)) != TN_OK ||
	    (rc = add_input(b, "name", "Name", "text", "name", f,
			    f ? f->name : NULL)) != TN_OK ||
	    (rc = add_input(b, "email", "E-mail", "email", "email", f,
			    f ? f->email : NULL)) != TN_OK ||
	    (rc = tn_buf_add(b, "<button type=\"submit\">Register</button>\n"
			     "</form>\n")) != TN_OK)
		return rc;
	return web_page_end(b);
}

/* The page after registering: what the registration now is. */
static tn_code done_page(struct tn_buf *b, const struct tn_event *ev,
			 const struct tn_rsvp_result *res)
{
	tn_code rc;

	if ((rc = web_page_begin(b, ev->title)) != TN_OK ||
	    (rc = web_event_block(b, ev)) != TN_OK ||
	    (rc = tn_buf_add(b, "<p class=\"answer\" id=\"done\">")) != TN_OK)
		return rc;
	switch (res->status) {
	case TN_REG_YES:
		rc = tn_buf_add(b, "You are registered. See you there!");
		break;
	case TN_REG_WAITLISTED:
		rc = tn_buf_addf(b, "The event is full: you are on the waitlist, "
				 "number %" PRId64 ".", res->waitlist_pos);
		break;
	case TN_REG_PENDING:
		rc = tn_buf_add(b, "Your registration is waiting for the organizer's "
				"approval.");
		break;
	default:   /* tn_register_link asks for a seat: no other status */
		rc = tn_buf_addf(b, "Your registration: %s.",
				 tn_registration_status_name(res->status));
		break;
	}
	if (rc == TN_OK)
		rc = tn_buf_add(b, "</p>\n");
	if (rc == TN_OK)
		rc = web_page_end(b);
	return rc;
}

/* A POST: registers, and renders the answer, or the form again, into
 * page; *status gets the page's HTTP status. TN_NOTFOUND for a code
 * gone meanwhile; another code is a failure, described in *err. */
static tn_code post(const struct web_request *rq, struct tn_event *ev,
		    struct tn_buf *page, int *status, const char *csrf,
		    struct tn_err *err)
{
	struct tn_rsvp_result res;
	struct filled f = {
		web_form_get(rq->form, "name"), web_form_get(rq->form, "email"),
		NULL, NULL,
	};
	int open;
	tn_code rc;

	rc = tn_register_link(rq->db, rq->param, f.name, f.email, &res, err);
	if (rc == TN_OK)
		return done_page(page, ev, &res);
	if (rc == TN_USAGE || rc == TN_BADINPUT ||
	    (rc == TN_CONFLICT && strcmp(err->field, "email") == 0)) {
		/* a bad name or address: the form again, the message beside it;
		 * a forgotten person's address is not told apart */
		f.field = err->field[0] ? err->field : NULL;
		f.msg = rc == TN_CONFLICT ? "this address cannot be registered" : err->msg;
		*status = 400;
		return form_page(page, ev, 1, csrf, &f);
	}
	if (rc == TN_CONFLICT) {
		/* started or cancelled since the form was shown, or declined */
		tn_event_clear(ev);
		if ((rc = tn_register_link_view(rq->db, rq->param, ev, &open, err)) != TN_OK)
			return rc;
		f.msg = "the organizer declined this registration";
		*status = 409;
		return form_page(page, ev, open, csrf, &f);
	}
	return rc;
}

void web_page_register(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf page = TN_BUF_INIT;
	struct tn_event ev;
	char csrf[WEB_CSRF_LEN + 1];
	int open = 0, status = 200;
	tn_code rc;

	rs->no_store = 1;   /* the answer names the person */
	if (!rq->db) {
		web_respond_status(rs, 503);
		return;
	}
	/* the code first: nothing else is looked at for a wrong one */
	rc = tn_register_link_view(rq->db, rq->param, &ev, &open, &err);
	if (rc == TN_OK)
		web_csrf_token(rq->key, CSRF_SCOPE, rq->param, csrf);
	if (rc == TN_OK && rq->method == WEB_POST) {
		if (!web_csrf_valid(rq->key, CSRF_SCOPE, rq->param,
				    web_form_get(rq->form, "csrf")))
			status = 403;
		else if (!open)
			status = 409;
		else
			rc = post(rq, &ev, &page, &status, csrf, &err);
	} else if (rc == TN_OK) {
		rc = form_page(&page, &ev, open, csrf, NULL);
	}
	if (rc == TN_OK && status == 403) {
		web_respond_status(rs, status);
	} else if (rc == TN_OK && status == 409 && !page.len) {
		if ((rc = form_page(&page, &ev, open, csrf, NULL)) == TN_OK)
			web_respond_page(rs, status, &page);
	} else if (rc == TN_OK) {
		web_respond_page(rs, status, &page);
	}
	if (rc == TN_NOTFOUND) {
		web_respond_status(rs, 404);
	} else if (rc != TN_OK) {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
	}
	tn_event_clear(&ev);
	tn_buf_free(&page);
}
