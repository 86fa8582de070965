/*
 * web/unsubscribe.c - /u/TOKEN, the unsubscribe link every message
 * carries. GET shows whose invitations would stop (the address masked)
 * with a button; POST unsubscribes: the page's form with its CSRF token,
 * or RFC 8058's one-click POST (body List-Unsubscribe=One-Click), which
 * mail providers send without any page and so without a CSRF token (the
 * personal token in the URL is the proof). An unknown token gets a plain
 * 404 that tells nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "turnout/esc.h"
#include "turnout/invite.h"
#include "turnout/person.h"
#include "turnout/setup.h"
#include "web/web.h"

#define CSRF_SCOPE "unsubscribe"

/* The confirmation question, with the form that answers it. */
static tn_code ask_page(struct tn_buf *b, const char *email, const char *csrf)
{
	tn_code rc;

	if ((rc = web_page_begin(b, "Unsubscribe")) == TN_OK &&
	    (rc = tn_buf_add(b, "<h1>Unsubscribe</h1>\n<p>Stop invitations to <b>")) == TN_OK &&
	    (rc = web_mask_address(b, email)) == TN_OK &&
	    (rc = tn_buf_add(b, "</b>?</p>\n<form method=\"post\">\n"
			    "<input type=\"hidden\" name=\"csrf\" value=\"")) == TN_OK &&
	    (rc = tn_esc_attr(b, csrf)) == TN_OK &&
	    (rc = tn_buf_add(b, "\">\n<button type=\"submit\">Unsubscribe</button>\n"
			    "</form>\n<p class=\"note\">You can ignore this page to keep "
			    "getting invitations.</p>\n")) == TN_OK)
		rc = web_page_end(b);
	return rc;
}

/* The answer once it is recorded. */
static tn_code done_page(struct tn_buf *b, const char *org)
{
	tn_code rc;

	if ((rc = web_page_begin(b, "Unsubscribed")) == TN_OK &&
	    (rc = tn_buf_add(b, "<h1>Unsubscribed</h1>\n<p id=\"done\">You will get no "
			    "more invitations")) == TN_OK && org &&
	    (rc = tn_buf_add(b, " from ")) == TN_OK)
		rc = tn_esc_html(b, org);
	if (rc == TN_OK && (rc = tn_buf_add(b, ".</p>\n")) == TN_OK)
		rc = web_page_end(b);
	return rc;
}

/* Records the wish and renders the confirmation into page. */
static tn_code unsubscribe(struct tn_db *db, int64_t person_id, struct tn_buf *page,
			   struct tn_err *err)
{
	struct tn_settings set;
	int changed;
	tn_code rc;

	if ((rc = tn_person_unsubscribe(db, person_id, &changed, err)) != TN_OK)
		return rc;
	if ((rc = tn_settings_load(db, &set, err)) != TN_OK)
		return rc;
	rc = done_page(page, set.org);
	tn_settings_clear(&set);
	return rc;
}

void web_page_unsubscribe(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf page = TN_BUF_INIT;
	int64_t invitation, person;
	char *email = NULL, csrf[WEB_CSRF_LEN + 1];
	const char *one_click;
	int forbidden = 0;
	tn_code rc;

	rs->no_store = 1;
	if (!rq->db) {
		web_respond_status(rs, 503);
		return;
	}
	/* the token first: nothing else is looked at for a wrong one */
	rc = tn_invite_token_find(rq->db, rq->param, TN_TOKEN_UNSUBSCRIBE, &invitation, &err);
	if (rc == TN_OK)
		rc = tn_invite_person(rq->db, invitation, &person, &email, &err);
	if (rc == TN_OK && !email)   /* forgotten since */
		rc = TN_NOTFOUND;
	if (rc == TN_OK && rq->method != WEB_POST) {
		web_csrf_token(rq->key, CSRF_SCOPE, rq->param, csrf);
		rc = ask_page(&page, email, csrf);
	} else if (rc == TN_OK) {
		one_click = web_form_get(rq->form, "List-Unsubscribe");
		if ((one_click && strcmp(one_click, "One-Click") == 0) ||
		    web_csrf_valid(rq->key, CSRF_SCOPE, rq->param,
				   web_form_get(rq->form, "csrf")))
			rc = unsubscribe(rq->db, person, &page, &err);
		else
			forbidden = 1;
	}
	if (email) {
		sodium_memzero(email, strlen(email));
		free(email);
	}
	if (rc == TN_OK && forbidden) {
		web_respond_status(rs, 403);
	} else if (rc == TN_OK) {
		web_respond_page(rs, 200, &page);
	} else if (rc == TN_NOTFOUND) {
		web_respond_status(rs, 404);
	} else {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
	}
	tn_buf_free(&page);
}
