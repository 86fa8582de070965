/*
 * web.h - private to the web front end (src/web/, and cmd/serve.c which
 * starts it): the server's handle, what a page handler is given and
 * what it answers, the routing table's shape, forms, CSRF tokens and the
 * shared page layout. Handlers only read the request and render; the
 * work is done by tn_* calls, as in the CLI.
 */
#ifndef TURNOUT_WEB_H
#define TURNOUT_WEB_H

#include <stddef.h>

#include "turnout/buf.h"
#include "turnout/db.h"
#include "turnout/err.h"

struct tn_event;

/* ---- the server (server.c) ----------------------------------------------- */

struct web_server;

struct web_config {
	const char *db_path;      /* each worker thread opens its own connection */
	const char *listen;       /* "ADDR:PORT" or "[ADDR6]:PORT"; port 0: any free one */
	const char *cert_pem;     /* TLS certificate and key (PEM text), both or */
	const char *key_pem;      /* neither: without them, plain HTTP */
	unsigned threads;         /* worker threads */
	unsigned char key[32];    /* the web key (tn_setup_web_key): CSRF tokens */
};

/* Starts the server (its own threads) on cfg->listen. *out is the new
 * server; url gets "http[s]://ADDR:PORT" with the port actually bound.
 * TN_USAGE for a listen address that cannot be read (field "listen"),
 * TN_FAIL when the daemon cannot start (the port is taken, a bad
 * certificate). cfg is copied. */
tn_code web_start(const struct web_config *cfg, struct web_server **out,
		  char *url, size_t url_len, struct tn_err *err);
/* Stops taking connections, lets the requests in flight finish (at most
 * grace_seconds), then stops the threads and frees the server. */
void web_stop(struct web_server *s, unsigned grace_seconds);

/* Logs a failure a page met (the library's words) on stderr as one line,
 * for the operator; the visitor only gets a status page. */
void web_log_error(const struct tn_err *err, tn_code code);

/* ---- requests and responses ---------------------------------------------- */

enum { WEB_GET = 1, WEB_HEAD = 2, WEB_POST = 4 };

/* A POST body's fields (application/x-www-form-urlencoded, decoded). */
#define WEB_FORM_FIELDS 8
#define WEB_FORM_VALUE_MAX 1024
struct web_form {
	struct {
		char name[32];
		struct tn_buf value;   /* capped at WEB_FORM_VALUE_MAX */
	} field[WEB_FORM_FIELDS];
	int n;
	int bad;                   /* too many fields, a name or value too long */
};
/* The value of the first field called name, or NULL. */
const char *web_form_get(const struct web_form *f, const char *name);
/* Adds len bytes to the value of field name at offset off (values may
 * arrive in pieces); sets f->bad instead when it does not fit. */
void web_form_add(struct web_form *f, const char *name, const char *data,
		  size_t off, size_t len);
void web_form_free(struct web_form *f);

struct web_request {
	unsigned method;            /* WEB_GET, WEB_HEAD or WEB_POST */
	const char *param;          /* what the route captured (decoded), or "" */
	const struct web_form *form;/* POST fields (empty for GET) */
	struct tn_db *db;           /* this thread's connection; NULL when the
	                             * database cannot be opened (the handler
	                             * answers 503) */
	const unsigned char *key;   /* the web key, 32 bytes */
};

struct web_response {
	int status;                 /* 200 unless set */
	const char *type;           /* Content-Type with charset */
	struct tn_buf body;
	int no_store;               /* Cache-Control: no-store (token pages) */
	const char *allow;          /* Allow, for a 405 */
	char filename[80];          /* Content-Disposition: inline; filename=... */
};

typedef void (*web_handler)(const struct web_request *rq, struct web_response *rs);

/* ---- routing (routes.c) -------------------------------------------------- */

struct web_route {
	const char *prefix;         /* "/u/": the path starts with it */
	const char *suffix;         /* ".ics": and ends with it; NULL: no suffix */
	int exact;                  /* the path is the prefix, nothing captured */
	int secret;                 /* what is captured is a token: never logged */
	unsigned methods;           /* WEB_GET | WEB_HEAD | WEB_POST */
	const char *allow;          /* the same, as an Allow header */
	web_handler fn;
};

/* Checks and decodes a request path as it came (percent-encoded): NULL
 * for a path that is not absolute, has an encoded NUL, a control
 * character, invalid UTF-8, or a "." or ".." segment; else a new string,
 * caller frees. */
char *web_path_decode(const char *raw);
/* The route that serves path (decoded), or NULL; *param gets a new
 * string with what it captured ("" for an exact route); caller frees. */
const struct web_route *web_route_find(const char *path, char **param);
/* The path as the access log shows it, into out: a route's secret part
 * and anything past the first segment of an unknown path become "…", so
 * no token is ever logged. */
void web_route_log_path(const struct web_route *r, const char *path,
			char *out, size_t len);
/* The method's WEB_* bit, or 0 for a method the server does not take. */
unsigned web_method(const char *name);

/* ---- CSRF tokens (csrf.c) ------------------------------------------------ */

/* base64url without padding of a 32-byte MAC */
#define WEB_CSRF_LEN 43
/* The CSRF token of a form on the page of page_token, for the form's
 * purpose (scope: "unsubscribe"): a MAC with the web key, so it needs no
 * storage and is worthless for any other page. */
void web_csrf_token(const unsigned char key[32], const char *scope,
		    const char *page_token, char out[WEB_CSRF_LEN + 1]);
/* 1 if given is that token (compared in constant time). */
int web_csrf_valid(const unsigned char key[32], const char *scope,
		   const char *page_token, const char *given);

/* ---- pages (pages.c) ----------------------------------------------------- */

/* Starts an HTML page in b: doctype, head (title escaped, the inline
 * style sheet, no external resource), body. */
tn_code web_page_begin(struct tn_buf *b, const char *title);
/* Ends what web_page_begin started. */
tn_code web_page_end(struct tn_buf *b);
/* Answers a whole page (the body web_page_begin/end made). */
void web_respond_page(struct web_response *rs, int status, struct tn_buf *page);
/* Answers a short plain-text status page ("not found"): no detail, so
 * it tells nothing about why. */
void web_respond_status(struct web_response *rs, int status);
/* An address as a page shows it to whoever holds a link: the first
 * character of the local part, "…", "@" and the domain (U-label), so
 * a forwarded link does not show the whole address. */
tn_code web_mask_address(struct tn_buf *b, const char *email);
/* Starts a POST form back to the page in b, with its CSRF token as a
 * hidden field "csrf". */
tn_code web_form_begin(struct tn_buf *b, const char *csrf);
/* The event as the RSVP and registration pages show it, into b: the
 * title as the heading, the time in its own zone (tn_event_when), venue
 * and address, and a line when it is cancelled; every value escaped. */
tn_code web_event_block(struct tn_buf *b, const struct tn_event *ev);
/* The reason phrase of status ("Not Found"). */
const char *web_status_text(int status);

/* ---- pages (one file each) ----------------------------------------------- */

void web_page_healthz(const struct web_request *rq, struct web_response *rs);
void web_page_ics(const struct web_request *rq, struct web_response *rs);
void web_page_unsubscribe(const struct web_request *rq, struct web_response *rs);
void web_page_rsvp(const struct web_request *rq, struct web_response *rs);
void web_page_register(const struct web_request *rq, struct web_response *rs);
void web_page_ticket(const struct web_request *rq, struct web_response *rs);

#endif
