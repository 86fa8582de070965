/*
 * web/register.c - /r/CODE, the public registration page behind a
 * channel's tracking link (turnout link E --channel C). GET shows the
 * event and a form (name, e-mail, a CSRF token bound to the code; when
 * the link's channel is of a kind whose followers have handles -
 * telegram, mastodon, vk, twitter - also an optional "Your Mastodon
 * handle" field); POST registers through tn_register_link_with_handle,
 * which attributes the registration to the link's channel, updates a
 * second registration with the same address instead of adding one, and
 * makes a follower known only by the handle part of the registrant. The
 * answer page says registered, waitlisted (with the number in line) or
 * waiting for approval; a name, address or handle the library refuses
 * brings the form back with its message beside the field and the values
 * kept. A handle POSTed for a channel without handles is ignored: the
 * form never asked for it. An unknown code gets the same
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
	const char *name, *email, *handle;
	const char *field;        /* "name", "email", "handle" or NULL */
	const char *msg;
};

/* The channel kinds with handles as the form names them. */
static const char *kind_label(const char *kind)
{
	static const struct { const char *kind, *label; } labels[] = {
		{ "telegram", "Telegram" }, { "mastodon", "Mastodon" },
		{ "vk", "VK" }, { "twitter", "X (Twitter)" },
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(kind, labels[i].kind) == 0)
			return labels[i].label;
	return kind;
}

/* One labelled input, with its value and error when there is one;
 * required unless optional. label is HTML already. */
static tn_code add_input(struct tn_buf *b, const char *field, const char *label,
			 const char *type, const char *autocomplete, int optional,
			 const struct filled *f, const char *value)
{
	tn_code rc;

	if ((rc = tn_buf_addf(b, "<label for=\"%s\">", field)) != TN_OK ||
	    (rc = tn_buf_add(b, label)) != TN_OK ||
	    (rc = tn_buf_add(b, "</label>\n")) != TN_OK)
		return rc;
	if (f && f->field && strcmp(f->field, field) == 0 &&
	    ((rc = tn_buf_addf(b, "<p class=\"error\" id=\"%s-error\">", field)) != TN_OK ||
	     (rc = tn_esc_html(b, f->msg)) != TN_OK ||
	     (rc = tn_buf_add(b, "</p>\n")) != TN_OK))
		return rc;
	if ((rc = tn_buf_addf(b, "<input id=\"%s\" name=\"%s\" type=\"%s\" "
			      "autocomplete=\"%s\"%s maxlength=\"200\" value=\"",
			      field, field, type, autocomplete,
			      optional ? "" : " required")) != TN_OK ||
	    (rc = tn_esc_attr(b, value ? value : "")) != TN_OK)
		return rc;
	return tn_buf_add(b, "\">\n");
}

/* The optional handle field for a channel of kind, with a line saying
 * what it is for. */
static tn_code add_handle_input(struct tn_buf *b, const char *kind,
				const struct filled *f)
{
	struct tn_buf label = TN_BUF_INIT;
	tn_code rc;

	if ((rc = tn_buf_add(&label, "Your ")) == TN_OK &&
	    (rc = tn_esc_html(&label, kind_label(kind))) == TN_OK &&
	    (rc = tn_buf_add(&label, " handle <span class=\"note\">(optional)"
			     "</span>")) == TN_OK)
		rc = add_input(b, "handle", label.data, "text", "off", 1, f,
			       f ? f->handle : NULL);
	if (rc == TN_OK)
		rc = tn_buf_add(b, "<p class=\"note\" id=\"handle-note\">If you "
				"follow us there: it links this registration to "
				"the account you follow with.</p>\n");
	tn_buf_free(&label);
	return rc;
}

/* The form page; f is NULL on a first visit. handle_kind (NULL: none)
 * is the link channel's kind when its followers have handles. */
static tn_code form_page(struct tn_buf *b, const struct tn_event *ev, int open,
			 const char *handle_kind, const char *csrf,
			 const struct filled *f)
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
	    (rc = add_input(b, "name", "Name", "text", "name", 0, f,
			    f ? f->name : NULL)) != TN_OK ||
	    (rc = add_input(b, "email", "E-mail", "email", "email", 0, f,
			    f ? f->email : NULL)) != TN_OK ||
	    (handle_kind && (rc = add_handle_input(b, handle_kind, f)) != TN_OK) ||
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
		    const char **handle_kind, struct tn_buf *page, int *status,
		    const char *csrf, struct tn_err *err)
{
	struct tn_rsvp_result res;
	struct filled f = {
		web_form_get(rq->form, "name"), web_form_get(rq->form, "email"),
		*handle_kind ? web_form_get(rq->form, "handle") : NULL,
		NULL, NULL,
	};
	int open;
	tn_code rc;

	rc = tn_register_link_with_handle(rq->db, rq->param, f.name, f.email,
					  f.handle, &res, err);
	if (rc == TN_OK)
		return done_page(page, ev, &res);
	if (rc == TN_USAGE || rc == TN_BADINPUT ||
	    (rc == TN_CONFLICT && strcmp(err->field, "email") == 0)) {
		/* a bad name, address or handle: the form again, the message
		 * beside it; a forgotten person's address is not told apart */
		f.field = err->field[0] ? err->field : NULL;
		f.msg = rc == TN_CONFLICT ? "this address cannot be registered" : err->msg;
		*status = 400;
		return form_page(page, ev, 1, *handle_kind, csrf, &f);
	}
	if (rc == TN_CONFLICT) {
		/* started or cancelled since the form was shown, or declined */
		tn_event_clear(ev);
		if ((rc = tn_register_link_view(rq->db, rq->param, ev, &open,
						handle_kind, err)) != TN_OK)
			return rc;
		f.msg = "the organizer declined this registration";
		*status = 409;
		return form_page(page, ev, open, *handle_kind, csrf, &f);
	}
	return rc;
}

void web_page_register(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf page = TN_BUF_INIT;
	struct tn_event ev;
	char csrf[WEB_CSRF_LEN + 1];
	const char *handle_kind = NULL;
	int open = 0, status = 200;
	tn_code rc;

	rs->no_store = 1;   /* the answer names the person */
	if (!rq->db) {
		web_respond_status(rs, 503);
		return;
	}
	/* the code first: nothing else is looked at for a wrong one */
	rc = tn_register_link_view(rq->db, rq->param, &ev, &open, &handle_kind, &err);
	if (rc == TN_OK)
		web_csrf_token(rq->key, CSRF_SCOPE, rq->param, csrf);
	if (rc == TN_OK && rq->method == WEB_POST) {
		if (!web_csrf_valid(rq->key, CSRF_SCOPE, rq->param,
				    web_form_get(rq->form, "csrf")))
			status = 403;
		else if (!open)
			status = 409;
		else
			rc = post(rq, &ev, &handle_kind, &page, &status, csrf, &err);
	} else if (rc == TN_OK) {
		rc = form_page(&page, &ev, open, handle_kind, csrf, NULL);
	}
	if (rc == TN_OK && status == 403) {
		web_respond_status(rs, status);
	} else if (rc == TN_OK && status == 409 && !page.len) {
		if ((rc = form_page(&page, &ev, open, handle_kind, csrf, NULL)) == TN_OK)
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
