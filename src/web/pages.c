/*
 * web/pages.c - what every page shares: the layout (one inline style
 * sheet, mobile first, nothing loaded from anywhere, readable without
 * JavaScript), the event as the RSVP and registration pages show it,
 * the plain status pages that reveal nothing, and addresses masked for a
 * page that anyone holding a link may see. Every value from
 * the database or the request goes through esc.h where it is written.
 */
#include <string.h>

#include "turnout/esc.h"
#include "turnout/event.h"
#include "turnout/text.h"
#include "web/web.h"

/* Inline because the Content-Security-Policy allows nothing external;
 * the favicon link stops browsers asking for /favicon.ico. */
static const char page_head[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta name=\"referrer\" content=\"no-referrer\">\n"
	"<link rel=\"icon\" href=\"data:,\">\n"
	"<style>\n"
	"body{font:1.05rem/1.5 system-ui,sans-serif;margin:0;padding:1rem;"
	"color:#1b1b1b;background:#fafafa}\n"
	"main{max-width:34rem;margin:0 auto}\n"
	"h1{font-size:1.4rem;margin:.5rem 0 1rem}\n"
	"button{font:inherit;padding:.7rem 1.2rem;border:0;border-radius:.4rem;"
	"background:#1d4ed8;color:#fff;width:100%;max-width:20rem}\n"
	"form button{display:block;margin:.5rem 0}\n"
	"button[aria-pressed=true]{outline:.2rem solid #f59e0b}\n"
	"label{display:block;margin:.8rem 0 .2rem}\n"
	"input{font:inherit;padding:.6rem;width:100%;max-width:20rem;"
	"box-sizing:border-box}\n"
	".when,.where{margin:.2rem 0}\n"
	".answer{font-weight:600;margin:1rem 0}\n"
	".error{color:#b91c1c;margin:.2rem 0}\n"
	".note{color:#555;font-size:.9rem}\n"
	".qr svg{width:100%;max-width:20rem;height:auto;display:block}\n"
	".code{font-family:ui-monospace,monospace;font-size:.85rem;"
	"word-break:break-all}\n"
	"@media (prefers-color-scheme:dark){body{color:#eee;background:#161616}"
	".note{color:#aaa}}\n"
	"</style>\n<title>";

tn_code web_page_begin(struct tn_buf *b, const char *title)
{
	tn_code rc;

	if ((rc = tn_buf_add(b, page_head)) == TN_OK &&
	    (rc = tn_esc_html(b, title)) == TN_OK)
		rc = tn_buf_add(b, "</title>\n</head>\n<body>\n<main>\n");
	return rc;
}

tn_code web_page_end(struct tn_buf *b)
{
	return tn_buf_add(b, "</main>\n</body>\n</html>\n");
}

tn_code web_form_begin(struct tn_buf *b, const char *csrf)
{
	tn_code rc;

	if ((rc = tn_buf_add(b, "<form method=\"post\">\n<input type=\"hidden\" "
			     "name=\"csrf\" value=\"")) == TN_OK &&
	    (rc = tn_esc_attr(b, csrf)) == TN_OK)
		rc = tn_buf_add(b, "\">\n");
	return rc;
}

tn_code web_event_block(struct tn_buf *b, const struct tn_event *ev)
{
	struct tn_buf when = TN_BUF_INIT;
	tn_code rc;

	if ((rc = tn_event_when(ev, &when)) == TN_OK &&
	    (rc = tn_buf_add(b, "<h1>")) == TN_OK &&
	    (rc = tn_esc_html(b, ev->title)) == TN_OK &&
	    (rc = tn_buf_add(b, "</h1>\n<p class=\"when\">")) == TN_OK &&
	    (rc = tn_esc_html(b, when.data)) == TN_OK)
		rc = tn_buf_add(b, "</p>\n");
	tn_buf_free(&when);
	if (rc == TN_OK && (ev->venue || ev->address)) {
		if ((rc = tn_buf_add(b, "<p class=\"where\">")) == TN_OK && ev->venue)
			rc = tn_esc_html(b, ev->venue);
		if (rc == TN_OK && ev->venue && ev->address)
			rc = tn_buf_add(b, "<br>");
		if (rc == TN_OK && ev->address)
			rc = tn_esc_html(b, ev->address);
		if (rc == TN_OK)
			rc = tn_buf_add(b, "</p>\n");
	}
	if (rc == TN_OK && ev->cancelled)
		rc = tn_buf_add(b, "<p class=\"answer\">This event is cancelled.</p>\n");
	return rc;
}

const char *web_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

void web_respond_page(struct web_response *rs, int status, struct tn_buf *page)
{
	rs->status = status;
	rs->type = "text/html; charset=utf-8";
	tn_buf_free(&rs->body);
	rs->body = *page;
	tn_buf_init(page);
}

void web_respond_status(struct web_response *rs, int status)
{
	rs->status = status;
	rs->type = "text/plain; charset=utf-8";
	tn_buf_reset(&rs->body);
	if (tn_buf_addf(&rs->body, "%d %s\n", status, web_status_text(status)) != TN_OK)
		tn_buf_free(&rs->body);   /* an empty body says as much */
}

tn_code web_mask_address(struct tn_buf *b, const char *email)
{
	struct tn_buf shown = TN_BUF_INIT;
	const char *at;
	size_t first = 1;
	tn_code rc;

	if ((rc = tn_email_display(email, &shown)) != TN_OK)
		return rc;
	at = strrchr(shown.data, '@');
	/* the first character of the local part, whole in UTF-8 */
	while (first < shown.len && ((unsigned char)shown.data[first] & 0xC0) == 0x80)
		first++;
	if (!at || (size_t)(at - shown.data) < first) {
		rc = tn_buf_add(b, "…");
	} else {
		char lead[8];

		memcpy(lead, shown.data, first);
		lead[first] = '\0';
		if ((rc = tn_esc_html(b, lead)) == TN_OK &&
		    (rc = tn_buf_add(b, "…")) == TN_OK)
			rc = tn_esc_html(b, at);
	}
	tn_buf_free(&shown);
	return rc;
}
