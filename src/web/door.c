/*
 * web/door.c - the door page: /door/TOKEN, a gate's login link (`gate
 * add` prints it), opens a scanner for phones and laptops. The page is
 * one document with nothing to load: its style inline, its two scripts
 * (door.js and npm's jsQR, built into the program by door-assets.S)
 * inline, allowed by a Content-Security-Policy that names their SHA-256
 * and lets the page call only this server. The page keeps the gate's
 * token and sends it to the JSON API (api.c) as a Bearer token; what it
 * scans is decided there, by tn_checkin. An unknown or revoked token,
 * and /door without one, get a 401 page saying to open the gate's login
 * link, and no scanner.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "turnout/door.h"
#include "turnout/esc.h"
#include "turnout/event.h"
#include "web/web.h"

/* door-assets.S: each script's bytes between its two symbols */
extern const char web_door_js_start[], web_door_js_end[];
extern const char web_jsqr_js_start[], web_jsqr_js_end[];

/* jsQR first (it defines window.jsQR), then the page's own script, as one
 * inline <script>: the policy's hash is of exactly these bytes. */
static tn_code add_script(struct tn_buf *b)
{
	tn_code rc;

	if ((rc = tn_buf_addn(b, web_jsqr_js_start,
			      (size_t)(web_jsqr_js_end - web_jsqr_js_start))) != TN_OK ||
	    (rc = tn_buf_add(b, "\n")) != TN_OK)
		return rc;
	return tn_buf_addn(b, web_door_js_start,
			   (size_t)(web_door_js_end - web_door_js_start));
}

/* The page's policy: the server's (nothing from elsewhere, no framing),
 * plus its one inline script by hash, fetch to this server only (the
 * API), and the camera's stream in <video>. */
static char door_csp[512];
static pthread_once_t door_csp_once = PTHREAD_ONCE_INIT;

static void make_door_csp(void)
{
	struct tn_buf script = TN_BUF_INIT;
	unsigned char hash[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
					   sodium_base64_VARIANT_ORIGINAL)];

	/* without the hash (no memory) the page runs no script: the
	 * scanner input still shows, and nothing is weakened */
	if (add_script(&script) != TN_OK) {
		strcpy(b64, "-");
	} else {
		crypto_hash_sha256(hash, (const unsigned char *)script.data, script.len);
		sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash),
				  sodium_base64_VARIANT_ORIGINAL);
	}
	tn_buf_free(&script);
	snprintf(door_csp, sizeof(door_csp),
		 "default-src 'none'; script-src 'sha256-%s'; style-src 'unsafe-inline'; "
		 "img-src 'self' data:; connect-src 'self'; media-src 'self' blob: mediastream:; "
		 "form-action 'self'; frame-ancestors 'none'; base-uri 'none'", b64);
}

/* Full screen, mobile first, big targets; the verdict covers everything
 * in its colour. */
static const char door_style[] =
	"<style>\n"
	"html,body{margin:0;height:100%}\n"
	"body{font:1.1rem/1.4 system-ui,sans-serif;color:#eee;background:#161616}\n"
	"main{max-width:40rem;margin:0 auto;padding:.8rem;box-sizing:border-box}\n"
	"h1{font-size:1.3rem;margin:0}\n"
	".gate{margin:.1rem 0;color:#bbb}\n"
	".count{font-size:1.6rem;font-weight:700;margin:.3rem 0}\n"
	"#video{width:100%;max-height:45vh;background:#000;border-radius:.4rem;"
	"object-fit:cover}\n"
	"#camera[hidden]{display:none}\n"
	".state{color:#bbb;font-size:.95rem;margin:.2rem 0}\n"
	"label{display:block;margin:.6rem 0 .2rem}\n"
	"input{font:inherit;font-size:1.2rem;padding:.7rem;width:100%;"
	"box-sizing:border-box;border-radius:.4rem;border:1px solid #666}\n"
	"button,summary{font:inherit;font-size:1.1rem;padding:.8rem 1.2rem;margin:.5rem 0;"
	"border:0;border-radius:.4rem;background:#1d4ed8;color:#fff;min-height:3rem;"
	"cursor:pointer}\n"
	"form button{width:100%}\n"
	"summary{display:block;background:#333}\n"
	".error{color:#fca5a5}\n"
	"#verdict{position:fixed;inset:0;display:flex;flex-direction:column;"
	"justify-content:center;align-items:center;text-align:center;padding:1rem;"
	"color:#fff;z-index:10;cursor:pointer}\n"
	"#verdict[hidden]{display:none}\n"
	"#verdict.admit{background:#15803d}\n"
	"#verdict.duplicate{background:#d97706;color:#111}\n"
	"#verdict.refused{background:#b91c1c}\n"
	"#verdict.offline{background:#4b5563}\n"
	"#verdict-word{font-size:clamp(3rem,16vw,9rem);font-weight:800;margin:0;"
	"line-height:1}\n"
	"#verdict-name{font-size:clamp(1.6rem,7vw,4rem);font-weight:700;margin:1rem 0 0;"
	"overflow-wrap:anywhere}\n"
	"#verdict-detail{font-size:clamp(1.1rem,4vw,2rem);margin:.8rem 0 0}\n"
	"</style>\n";

/* The page's body after <main ...>: the counter, the camera, the
 * scanner's input in its form, the walk-in form and the verdict (empty,
 * hidden: door.js fills it in). */
static const char door_body[] =
	"<p class=\"count\"><span id=\"admitted\">–</span> / <span id=\"expected\">–"
	"</span> admitted</p>\n"
	"<div id=\"camera\" hidden><video id=\"video\" muted playsinline></video></div>\n"
	"<p class=\"state\" id=\"camera-state\"></p>\n"
	"<noscript><p class=\"error\">This page needs JavaScript to check tickets "
	"in.</p></noscript>\n"
	"<form id=\"scan\" autocomplete=\"off\">\n"
	"<label for=\"code\">Scan or type a ticket code</label>\n"
	"<input id=\"code\" name=\"code\" autofocus autocapitalize=\"characters\" "
	"autocorrect=\"off\" spellcheck=\"false\" enterkeyhint=\"go\" maxlength=\"1024\">\n"
	"<button type=\"submit\">Check in</button>\n</form>\n"
	"<details id=\"walkin-box\">\n<summary>Walk-in</summary>\n"
	"<form id=\"walkin\" autocomplete=\"off\">\n"
	"<label for=\"walkin-name\">Name</label>\n"
	"<input id=\"walkin-name\" name=\"name\" required maxlength=\"200\">\n"
	"<label for=\"walkin-email\">E-mail (optional)</label>\n"
	"<input id=\"walkin-email\" name=\"email\" type=\"email\" maxlength=\"254\">\n"
	"<p class=\"error\" id=\"walkin-error\" role=\"alert\"></p>\n"
	"<button type=\"submit\">Register and admit</button>\n</form>\n</details>\n"
	"<div id=\"verdict\" hidden role=\"status\" aria-live=\"assertive\">"
	"<p id=\"verdict-word\"></p><p id=\"verdict-name\"></p>"
	"<p id=\"verdict-detail\"></p></div>\n"
	"</main>\n<script>";

/* Writes into b the page of the gate of door, at event ev, for whoever
 * holds token: the values the script needs (token, slug, gate) in data-
 * attributes, each value escaped for where it stands, then the script. */
static tn_code door_page(struct tn_buf *b, const struct tn_door *door,
			 const struct tn_event *ev, const char *token)
{
	enum { RAW, HTML, ATTR };
	const struct { int how; const char *s; } parts[] = {
		{ RAW, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		       "<meta name=\"referrer\" content=\"no-referrer\">\n"
		       "<link rel=\"icon\" href=\"data:,\">\n" },
		{ RAW, door_style },
		{ RAW, "<title>Door: " }, { HTML, ev->title },
		{ RAW, "</title>\n</head>\n<body>\n<main id=\"door\" data-token=\"" },
		{ ATTR, token },
		{ RAW, "\" data-event=\"" }, { ATTR, door->event },
		{ RAW, "\" data-gate=\"" }, { ATTR, door->gate },
		{ RAW, "\">\n<h1 id=\"title\">" }, { HTML, ev->title },
		{ RAW, "</h1>\n<p class=\"gate\">Gate <span id=\"gate\">" }, { HTML, door->gate },
		{ RAW, "</span></p>\n" },
		{ RAW, door_body },
	};
	size_t i;
	tn_code rc = TN_OK;

	for (i = 0; rc == TN_OK && i < sizeof(parts) / sizeof(parts[0]); i++)
		rc = parts[i].how == HTML ? tn_esc_html(b, parts[i].s)
		   : parts[i].how == ATTR ? tn_esc_attr(b, parts[i].s)
		   : tn_buf_add(b, parts[i].s);
	if (rc == TN_OK && (rc = add_script(b)) == TN_OK)
		rc = tn_buf_add(b, "</script>\n</body>\n</html>\n");
	return rc;
}

/* /door without a token, or with one that opens no gate: 401 and words,
 * no scanner. */
static void refuse(struct web_response *rs)
{
	struct tn_buf page = TN_BUF_INIT;

	if (web_page_begin(&page, "Door") == TN_OK &&
	    tn_buf_add(&page, "<h1>This is not a gate's login link</h1>\n"
		       "<p class=\"error\" id=\"refused\">Open the gate's login link to "
		       "scan tickets here. If it no longer works, the gate was revoked: "
		       "ask the organizer for a new gate link.</p>\n") == TN_OK &&
	    web_page_end(&page) == TN_OK)
		web_respond_page(rs, 401, &page);
	else
		web_respond_status(rs, 500);
	tn_buf_free(&page);
}

void web_page_door(const struct web_request *rq, struct web_response *rs)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf page = TN_BUF_INIT;
	struct tn_door door;
	struct tn_event ev;
	tn_code rc;

	rs->no_store = 1;
	memset(&ev, 0, sizeof(ev));
	if (!rq->param[0]) {
		refuse(rs);
		return;
	}
	if (!rq->db) {
		web_respond_status(rs, 503);
		return;
	}
	/* the token first: nothing else is looked at for a wrong one */
	rc = tn_door_by_token(rq->db, rq->param, NULL, &door, &err);
	if (rc == TN_NOTFOUND) {
		refuse(rs);
		return;
	}
	if (rc == TN_OK)
		rc = tn_event_find(rq->db, door.event, &ev, &err);
	if (rc == TN_OK && (rc = door_page(&page, &door, &ev, rq->param)) == TN_OK) {
		pthread_once(&door_csp_once, make_door_csp);
		rs->csp = door_csp;
		web_respond_page(rs, 200, &page);
	}
	if (rc != TN_OK) {
		web_log_error(&err, rc);
		web_respond_status(rs, 500);
	}
	tn_event_clear(&ev);
	tn_buf_free(&page);
}
