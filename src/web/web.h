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
#include "turnout/door.h"
#include "turnout/err.h"

struct tn_event;
struct web_later;

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
/* A route's flag beside its methods: the JSON API, whose POST body is
 * application/json (rq->body) and whose refusals are {"error": ...}. */
enum { WEB_JSON = 8 };

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

struct web_committer;

struct web_request {
	unsigned method;            /* WEB_GET, WEB_HEAD or WEB_POST */
	const char *param;          /* what the route captured (decoded), or "" */
	const struct web_form *form;/* POST fields (empty for GET) */
	const char *body;           /* a JSON route's POST body (NUL-terminated,
	                             * at most WEB_JSON_MAX bytes), else "" */
	size_t body_len;
	const char *bearer;         /* the token of "Authorization: Bearer
	                             * TOKEN", or NULL */
	const char *organizer_cookie;   /* the value of the cookie
	                             * WEB_ORGANIZER_COOKIE, or NULL */
	int https;                  /* served over TLS (cookies get Secure) */
	struct web_committer *committer;  /* the door's group commit */
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
	int bearer_challenge;       /* WWW-Authenticate: Bearer (a 401) */
	struct web_later *later;    /* set: answered later (below) */
	const char *csp;            /* the page's own Content-Security-Policy
	                             * (static storage); NULL: the server's */
	const char *location;       /* Location, for a redirect (static storage) */
	char set_cookie[160];       /* Set-Cookie; "" none */
};

/*
 * An answer that comes later: the door's check-ins wait for their
 * group's commit. A handler that hands its work to another thread fills
 * in a web_later, sets rs->later and returns; the server then suspends
 * the connection (its worker thread serves other connections meanwhile)
 * and calls start(l), which hands the work over. Whoever finishes it
 * calls web_later_done(l), from any thread, once; the server then
 * resumes the connection and calls answer(l, rs) in a worker thread to
 * fill the response. release(l) frees it when the request is over.
 */
struct web_later {
	void (*start)(struct web_later *l);
	void (*answer)(struct web_later *l, struct web_response *rs);
	void (*release)(struct web_later *l);
	void *conn;                 /* the server's: the suspended connection */
};
/* The work of l is done: its answer may be given. */
void web_later_done(struct web_later *l);

typedef void (*web_handler)(const struct web_request *rq, struct web_response *rs);

/* ---- routing (routes.c) -------------------------------------------------- */

struct web_route {
	const char *prefix;         /* "/u/": the path starts with it */
	const char *suffix;         /* ".ics": and ends with it; NULL: no suffix */
	int exact;                  /* the path is the prefix, nothing captured */
	int secret;                 /* what is captured is a token: never logged */
	unsigned methods;           /* WEB_GET | WEB_HEAD | WEB_POST, and WEB_JSON */
	const char *allow;          /* the same, as an Allow header */
	web_handler fn;
};

/* The cookie that holds an organizer token once /login/TOKEN took it. */
#define WEB_ORGANIZER_COOKIE "turnout_org"

/* The largest body of a JSON route. */
#define WEB_JSON_MAX 4096

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

/* ---- the door's JSON API (api.c) and group commit (commit.c) ------------ */

/* Answers status with the JSON body {"error": msg} and, when field is
 * not NULL or "", "field": field. */
void web_respond_json_error(struct web_response *rs, int status, const char *msg,
			    const char *field);

/*
 * The committer: one thread with its own database connection that
 * records the check-ins handed to it. It takes every job waiting (at
 * most WEB_COMMIT_MAX), records them with one tn_checkin_record (one
 * transaction, one sync), then calls each job's done; it never waits to
 * fill a group, so a scan waits for at most the commit before its own.
 */
#define WEB_COMMIT_MAX 256

struct web_commit_job {
	struct tn_checkin_job job;          /* in: door and scan; out: result */
	tn_code rc;                         /* out: TN_OK, or the group failed
	                                     * (nothing of it recorded) */
	void (*done)(struct web_commit_job *j);   /* called once, any thread */
	struct web_commit_job *next;        /* the committer's */
};

/* Starts the committer on the database db_path (opened at its first
 * group, and again after a failed one). */
tn_code web_committer_start(const char *db_path, struct web_committer **out,
			    struct tn_err *err);
/* Queues j; once it is recorded, or could not be, j->done(j) is called
 * from the committer's thread (from this one, with j->rc TN_FAIL, when
 * the committer is stopping). */
void web_committer_submit(struct web_committer *c, struct web_commit_job *j);
/* Records what is still queued, stops the thread and frees c. */
void web_committer_stop(struct web_committer *c);

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
void web_api_checkin(const struct web_request *rq, struct web_response *rs);
void web_api_walkin(const struct web_request *rq, struct web_response *rs);
void web_api_stats(const struct web_request *rq, struct web_response *rs);
void web_api_pubkey(const struct web_request *rq, struct web_response *rs);
void web_api_revoked(const struct web_request *rq, struct web_response *rs);
void web_page_door(const struct web_request *rq, struct web_response *rs);
void web_page_login(const struct web_request *rq, struct web_response *rs);
void web_page_report_list(const struct web_request *rq, struct web_response *rs);
void web_page_report(const struct web_request *rq, struct web_response *rs);

#endif
