/*
 * http.h - calling a channel's web API (Mastodon, Telegram) through
 * libcurl, with the manners a public API expects. Bytes and JSON in and
 * out; which URL means what is the caller's (sync.c, announce.c).
 *
 * Every request:
 *   - names turnout and its version in User-Agent;
 *   - may take TN_HTTP_CONNECT_TIMEOUT seconds to connect and
 *     opts->timeout seconds in all (0: TN_HTTP_TIMEOUT);
 *   - goes to https://, or to http:// only when the host is a loopback
 *     address (127.0.0.0/8, ::1, localhost): a local instance or a test
 *     fixture (TN_USAGE otherwise, about field "url"); certificates are
 *     verified, with no switch to turn that off; redirects are not
 *     followed (a token must not travel to another host);
 *   - is retried, up to opts->retries times (0: TN_HTTP_RETRIES), when
 *     the answer is 429 (after Retry-After seconds or an HTTP date, or
 *     X-RateLimit-Reset, capped at TN_HTTP_MAX_WAIT seconds; a wait
 *     beyond the cap fails instead), a 5xx, a connection that failed or
 *     dropped, or a timeout: after a capped exponential backoff with
 *     jitter (1 s, 2 s, 4 s … at most 30 s, each between half and all of
 *     it; a 5xx's own Retry-After is honoured instead). A POST is retried only when the caller says it is safe
 *     (opts->idempotent: an Idempotency-Key it sends, or a request that
 *     changes nothing).
 * The final answer: 2xx is TN_OK with the body; 401 and 403 are
 * TN_FAIL "<what>: the server refused the token (401)" with a hint to
 * set a new one; 404 TN_NOTFOUND "<what>: not found (404)"; other
 * statuses and exhausted retries TN_FAIL naming the status or libcurl's
 * reason. opts->what ("channel 'masto'") begins every message.
 *
 * The bearer token and the URL are never written into a message: a
 * Telegram Bot API URL holds the token in its path. Nothing here prints;
 * waits are reported through opts->on_wait.
 */
#ifndef TURNOUT_HTTP_H
#define TURNOUT_HTTP_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "turnout/err.h"

enum {
	TN_HTTP_CONNECT_TIMEOUT = 10,  /* seconds */
	TN_HTTP_TIMEOUT = 30,          /* seconds for a whole request */
	TN_HTTP_RETRIES = 5,
	TN_HTTP_MAX_WAIT = 300,        /* seconds a 429 may ask us to wait */
};

struct tn_http_opts {
	const char *what;        /* "channel 'masto'": begins every message */
	const char *bearer;      /* Authorization: Bearer …; NULL: none */
	const char *idempotency_key;  /* sent as Idempotency-Key; NULL: none */
	int idempotent;          /* a POST that may be retried */
	long timeout;            /* seconds in all; 0: TN_HTTP_TIMEOUT */
	int retries;             /* 0: TN_HTTP_RETRIES; -1: none */
	double backoff;          /* the first backoff wait, seconds; 0: 1 */
	/* Called before each wait, with its length and why ("429", "503",
	 * "timeout"); may be NULL. */
	void (*on_wait)(void *ctx, double seconds, const char *why);
	void *ctx;
};

struct tn_http_response {
	long status;             /* the final HTTP status, 0 if none */
	char *body;              /* NUL-terminated (len bytes before it) */
	size_t len;
	char *next;              /* the absolute URL of the Link header's
	                          * rel="next", NULL if none */
};

/* GET url. On TN_OK *res holds the answer (tn_http_response_clear);
 * on failure it is cleared. */
tn_code tn_http_get(const char *url, const struct tn_http_opts *opts,
		    struct tn_http_response *res, struct tn_err *err);

/* POST body (len bytes of content_type: "application/json" or
 * "application/x-www-form-urlencoded") to url; as tn_http_get. */
tn_code tn_http_post(const char *url, const char *content_type,
		     const char *body, size_t len,
		     const struct tn_http_opts *opts,
		     struct tn_http_response *res, struct tn_err *err);

void tn_http_response_clear(struct tn_http_response *res);

/* The body of res as JSON: TN_BADINPUT "<what>: the answer is not JSON
 * (…)" when it does not parse. *out is the caller's (cJSON_Delete). */
tn_code tn_http_json(const struct tn_http_response *res, const char *what,
		     cJSON **out, struct tn_err *err);

/* Fills timeout, retries and backoff from $TURNOUT_HTTP_TIMEOUT
 * (seconds), $TURNOUT_HTTP_RETRIES (0: none) and $TURNOUT_HTTP_BACKOFF
 * (seconds) when they are set: for a slow link, and for tests that
 * must not wait a minute for a server that never answers. */
void tn_http_opts_from_env(struct tn_http_opts *opts);

/* 1 if url may be called: https://, or http:// to a loopback host. */
int tn_http_url_allowed(const char *url);

#endif
