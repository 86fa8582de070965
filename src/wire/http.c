/*
 * http.c - calling a channel's web API through libcurl (http.h): one easy
 * handle per call, the answer's headers read as they arrive (status
 * line, Retry-After, X-RateLimit-Reset, Link), and the retry policy.
 *
 * Each attempt starts from a fresh header state, since a retried request
 * gets a new answer. The token travels only in the Authorization header
 * (or, for the Telegram Bot API, in the caller's URL): neither the URL
 * nor the headers are ever copied into a message.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "turnout/http.h"
#include "turnout/net.h"
#include "turnout/version.h"

/* Bytes an answer may hold: a page of 80 accounts is about 200 KB. */
#define MAX_BODY (16u << 20)
/* The longest wait between two attempts of the backoff, in seconds. */
#define MAX_BACKOFF 30.0

/* What one attempt brought back. */
struct answer {
	char *body;
	size_t len, cap;
	int too_big;
	double retry_after;     /* seconds asked by Retry-After, -1 if none */
	double reset_in;        /* seconds until X-RateLimit-Reset, -1 if none */
	char *link;             /* the Link header's value, NULL if none */
};

static void answer_reset(struct answer *a)
{
	free(a->body);
	free(a->link);
	memset(a, 0, sizeof(*a));
	a->retry_after = a->reset_in = -1;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct answer *a = ctx;
	size_t len = size * n;

	if (a->len + len + 1 > MAX_BODY) {
		a->too_big = 1;
		return 0;
	}
	if (a->len + len + 1 > a->cap) {
		size_t cap = a->cap ? a->cap : 16384;
		char *p;

		while (cap < a->len + len + 1)
			cap *= 2;
		if (!(p = realloc(a->body, cap)))
			return 0;
		a->body = p;
		a->cap = cap;
	}
	memcpy(a->body + a->len, data, len);
	a->len += len;
	a->body[a->len] = '\0';
	return len;
}

/* Seconds from now until an instant written as ISO 8601 in UTC
 * ("2026-11-29T23:05:00.000Z", as Mastodon writes X-RateLimit-Reset); -1
 * if it is not one. */
static double until_iso(const char *v)
{
	struct tm tm = { 0 };
	char *end = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);

	if (!end)
		return -1;
	return difftime(timegm(&tm), time(NULL));
}

/* Seconds a header value asks to wait: a number of seconds (a Unix time
 * when it is that large), an HTTP date, or an ISO 8601 instant. */
static double wait_of(const char *v)
{
	char *end;
	double d;
	time_t t;

	errno = 0;
	d = strtod(v, &end);
	if (end != v && errno == 0 && (*end == '\0' || *end == '\r' || *end == '\n' ||
				       *end == ' ')) {
		if (d > 1e9)   /* an epoch second */
			d = difftime((time_t)d, time(NULL));
		return d < 0 ? 0 : d;
	}
	if ((d = until_iso(v)) >= 0 || strchr(v, 'T'))
		return d < 0 ? 0 : d;
	t = curl_getdate(v, NULL);
	if (t == -1)
		return -1;
	d = difftime(t, time(NULL));
	return d < 0 ? 0 : d;
}

/* Does header line h[0..n) name the header name (case-insensitively)?
 * Points *value at its value (blanks skipped, NUL-terminated copy). */
static int header_is(const char *h, size_t n, const char *name, char **value)
{
	size_t k = strlen(name), end = n;

	if (n <= k || strncasecmp(h, name, k) != 0 || h[k] != ':')
		return 0;
	h += k + 1;
	n -= k + 1;
	while (n && (*h == ' ' || *h == '\t'))
		h++, n--;
	end = n;
	while (end && (h[end - 1] == '\r' || h[end - 1] == '\n' || h[end - 1] == ' '))
		end--;
	*value = strndup(h, end);
	return *value != NULL;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct answer *a = ctx;
	size_t len = size * n;
	char *v = NULL;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new answer (after a 100 Continue): forget the last one's */
		free(a->link);
		a->link = NULL;
		a->retry_after = a->reset_in = -1;
	} else if (header_is(data, len, "Retry-After", &v)) {
		a->retry_after = wait_of(v);
	} else if (header_is(data, len, "X-RateLimit-Reset", &v)) {
		a->reset_in = wait_of(v);
	} else if (header_is(data, len, "Link", &v)) {
		free(a->link);
		a->link = v;
		v = NULL;
	}
	free(v);
	return len;
}

int tn_http_url_allowed(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = strcasecmp(scheme, "https") == 0 ||
		     (strcasecmp(scheme, "http") == 0 && tn_host_is_loopback(host));
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* Does rel="…" (or rel=…) in the parameters p[0..n) name "next"? */
static int rel_is_next(const char *p, size_t n)
{
	const char *r;
	char buf[256];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	for (r = buf; (r = strcasestr(r, "rel")); r += 3) {
		const char *v = r + 3;
		size_t k;

		while (*v == ' ')
			v++;
		if (*v++ != '=')
			continue;
		while (*v == ' ')
			v++;
		if (*v == '"')
			v++;
		/* rel may hold several space-separated names */
		while (*v && *v != '"' && *v != ';' && *v != ',') {
			k = strcspn(v, " \";,");
			if (k == 4 && strncasecmp(v, "next", 4) == 0)
				return 1;
			v += k;
			while (*v == ' ')
				v++;
		}
	}
	return 0;
}

/* The URL of the Link header's rel="next", made absolute against base;
 * NULL if none (or out of memory). */
static char *next_link(const char *link, const char *base)
{
	const char *p = link;

	while (p && *p) {
		const char *lt = strchr(p, '<'), *gt, *params, *end;

		if (!lt || !(gt = strchr(lt, '>')))
			return NULL;
		params = gt + 1;
		end = strchr(params, '<');  /* the next link's start */
		if (rel_is_next(params, end ? (size_t)(end - params) : strlen(params))) {
			char *target = strndup(lt + 1, (size_t)(gt - lt - 1));
			CURLU *u = curl_url();
			char *abs = NULL, *out = NULL;

			if (target && u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
			    curl_url_set(u, CURLUPART_URL, target, 0) == CURLUE_OK &&
			    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
				out = strdup(abs);
			curl_free(abs);
			curl_url_cleanup(u);
			free(target);
			return out;
		}
		p = end;
	}
	return NULL;
}

/* Copies the server's own words about an error (Mastodon's "error",
 * Telegram's "description") into out, control characters and anything
 * that holds secret left out; "" if the body says none. */
static void server_words(const struct answer *a, const char *secret, char *out,
			 size_t cap)
{
	cJSON *j = a->body ? cJSON_ParseWithLength(a->body, a->len) : NULL;
	const cJSON *w = NULL;
	size_t i, k = 0;

	out[0] = '\0';
	if (cJSON_IsObject(j)) {
		w = cJSON_GetObjectItemCaseSensitive(j, "error");
		if (!cJSON_IsString(w))
			w = cJSON_GetObjectItemCaseSensitive(j, "description");
	}
	if (cJSON_IsString(w) && (!secret || !strstr(w->valuestring, secret))) {
		for (i = 0; w->valuestring[i] && k + 1 < cap && k < 160; i++) {
			unsigned char ch = (unsigned char)w->valuestring[i];

			out[k++] = ch < ' ' || ch == 0x7f ? ' ' : (char)ch;
		}
		out[k] = '\0';
	}
	cJSON_Delete(j);
}

/* Sleeps for seconds (a float), telling opts->on_wait first. */
static void wait_for(const struct tn_http_opts *opts, double seconds, const char *why)
{
	struct timespec ts;

	if (opts->on_wait)
		opts->on_wait(opts->ctx, seconds, why);
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The backoff before attempt n+1 (n = 1 for the first retry): base·2^(n-1)
 * capped at MAX_BACKOFF, then a uniform draw between half and all of it,
 * so clients that failed together do not retry together. */
static double backoff(const struct tn_http_opts *opts, int n)
{
	double base = opts->backoff > 0 ? opts->backoff : 1.0, d = base;

	while (--n > 0 && d < MAX_BACKOFF)
		d *= 2;
	if (d > MAX_BACKOFF)
		d = MAX_BACKOFF;
	return d / 2 + d / 2 * (double)arc4random_uniform(1001) / 1000.0;
}

/* A libcurl failure after which the request may not have reached the
 * server at all (it never connected), so even a POST that must not be
 * sent twice can go again. */
static int never_sent(CURLcode cc)
{
	return cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
	       cc == CURLE_COULDNT_RESOLVE_PROXY;
}

/* A libcurl failure worth another attempt: the network, not the request. */
static int transient(CURLcode cc)
{
	return never_sent(cc) || cc == CURLE_OPERATION_TIMEDOUT ||
	       cc == CURLE_SEND_ERROR || cc == CURLE_RECV_ERROR ||
	       cc == CURLE_GOT_NOTHING || cc == CURLE_PARTIAL_FILE ||
	       cc == CURLE_HTTP2 || cc == CURLE_HTTP2_STREAM;
}

/* 1 if libcurl's text about a failure quotes the URL's path (the
 * Telegram Bot API's holds the token) or the token. */
static int leaks(const char *text, const char *url, const char *secret)
{
	const char *path = strstr(url, "://");

	path = path ? strchr(path + 3, '/') : NULL;
	return (secret && strstr(text, secret)) || (path && path[1] && strstr(text, path));
}

static tn_code request(const char *url, const char *content_type, const char *body,
		       size_t len, const struct tn_http_opts *opts,
		       struct tn_http_response *res, struct tn_err *err)
{
	const char *what = opts->what ? opts->what : "web request";
	int retries = opts->retries == 0 ? TN_HTTP_RETRIES
		      : opts->retries < 0 ? 0 : opts->retries;
	long timeout = opts->timeout > 0 ? opts->timeout : TN_HTTP_TIMEOUT;
	struct curl_slist *headers = NULL;
	struct answer a = { .retry_after = -1, .reset_in = -1 };
	char line[1024], errbuf[CURL_ERROR_SIZE], words[200];
	CURL *c = NULL;
	tn_code rc = TN_OK;
	int attempt;

	memset(res, 0, sizeof(*res));
	if (!tn_http_url_allowed(url))
		return tn_err_field(err, TN_USAGE, "url", "%s: the address must be https:// "
				    "(plain http:// only to this machine)", what);
	if ((rc = tn_net_start(err)) != TN_OK)
		return tn_err_prefix(err, rc, "%s", what);
	if (!(c = curl_easy_init()))
		return tn_err_set(err, TN_NOMEM, "%s: libcurl could not start", what);

	headers = curl_slist_append(headers, "Accept: application/json");
	if (opts->bearer) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", opts->bearer);
		headers = curl_slist_append(headers, line);
		explicit_bzero(line, sizeof(line));
	}
	if (opts->idempotency_key) {
		snprintf(line, sizeof(line), "Idempotency-Key: %s", opts->idempotency_key);
		headers = curl_slist_append(headers, line);
	}
	if (body) {
		snprintf(line, sizeof(line), "Content-Type: %s", content_type);
		headers = curl_slist_append(headers, line);
		headers = curl_slist_append(headers, "Expect:");
	}
	if (!headers) {
		curl_easy_cleanup(c);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "turnout/" TN_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)TN_HTTP_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}

	for (attempt = 1;; attempt++) {
		CURLcode cc;
		long status = 0;
		double wait;
		int may_retry = attempt <= retries;

		answer_reset(&a);
		errbuf[0] = '\0';
		cc = curl_easy_perform(c);
		if (a.too_big) {
			rc = tn_err_set(err, TN_BADINPUT, "%s: the answer is larger than %u MB",
					what, MAX_BODY >> 20);
			break;
		}
		if (cc != CURLE_OK) {
			/* a POST that may have arrived is not sent again unless
			 * the caller says doing so is safe */
			if (may_retry && transient(cc) &&
			    (!body || opts->idempotent || never_sent(cc))) {
				wait_for(opts, backoff(opts, attempt),
					 cc == CURLE_OPERATION_TIMEDOUT ? "timeout" : "no connection");
				continue;
			}
			rc = tn_err_set(err, TN_FAIL, "%s: %s%s", what,
					cc == CURLE_OPERATION_TIMEDOUT ? "no answer in time: " : "",
					errbuf[0] && !leaks(errbuf, url, opts->bearer)
					? errbuf : curl_easy_strerror(cc));
			if (attempt > 1)
				tn_err_hint(err, "gave up after %d attempts", attempt);
			break;
		}
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		res->status = status;
		if (status >= 200 && status < 300) {
			res->body = a.body ? a.body : strdup("");
			res->len = a.len;
			a.body = NULL;
			if (!res->body) {
				rc = tn_err_set(err, TN_NOMEM, "out of memory");
				break;
			}
			if (a.link)
				res->next = next_link(a.link, url);
			break;
		}
		server_words(&a, opts->bearer, words, sizeof(words));
		if (status == 429) {
			/* the server did not act on the request: always safe */
			wait = a.retry_after >= 0 ? a.retry_after
			       : a.reset_in >= 0 ? a.reset_in : backoff(opts, attempt);
			if (may_retry && wait <= TN_HTTP_MAX_WAIT) {
				wait_for(opts, wait < 0.05 ? 0.05 : wait, "429");
				continue;
			}
			rc = tn_err_set(err, TN_FAIL, "%s: the server limits requests (429)%s%s",
					what, words[0] ? ": " : "", words);
			if (wait > TN_HTTP_MAX_WAIT)
				tn_err_hint(err, "it asks to wait %.0f seconds; try again later", wait);
			else
				tn_err_hint(err, "gave up after %d attempts; try again later", attempt);
			break;
		}
		if (status >= 500 && may_retry && (!body || opts->idempotent)) {
			char why[24];

			snprintf(why, sizeof(why), "%ld", status);
			wait_for(opts, a.retry_after >= 0 && a.retry_after <= TN_HTTP_MAX_WAIT
				 ? a.retry_after : backoff(opts, attempt), why);
			continue;
		}
		if (status == 401 || status == 403) {
			rc = tn_err_set(err, TN_FAIL, "%s: the server refused the token (%ld)%s%s",
					what, status, words[0] ? ": " : "", words);
			tn_err_hint(err, "set a token with the rights it needs: "
				    "turnout channel token NAME --token-file FILE");
		} else if (status == 404) {
			rc = tn_err_set(err, TN_NOTFOUND, "%s: not found (404)%s%s", what,
					words[0] ? ": " : "", words);
		} else {
			rc = tn_err_set(err, TN_FAIL, "%s: the server answered %ld%s%s", what,
					status, words[0] ? ": " : "", words);
			if (status >= 500 && attempt > 1)
				tn_err_hint(err, "gave up after %d attempts; try again later",
					    attempt);
		}
		break;
	}
	answer_reset(&a);
	/* the header list holds the token: wipe it before it is freed */
	for (struct curl_slist *h = headers; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	if (rc != TN_OK)
		tn_http_response_clear(res);
	return rc;
}

tn_code tn_http_get(const char *url, const struct tn_http_opts *opts,
		    struct tn_http_response *res, struct tn_err *err)
{
	return request(url, NULL, NULL, 0, opts, res, err);
}

tn_code tn_http_post(const char *url, const char *content_type,
		     const char *body, size_t len,
		     const struct tn_http_opts *opts,
		     struct tn_http_response *res, struct tn_err *err)
{
	return request(url, content_type, body ? body : "", body ? len : 0, opts, res, err);
}

void tn_http_response_clear(struct tn_http_response *res)
{
	free(res->body);
	free(res->next);
	memset(res, 0, sizeof(*res));
}

tn_code tn_http_json(const struct tn_http_response *res, const char *what,
		     cJSON **out, struct tn_err *err)
{
	const char *at = NULL;

	*out = cJSON_ParseWithOpts(res->body ? res->body : "", &at, 1);
	if (*out && at == res->body + res->len)
		return TN_OK;
	cJSON_Delete(*out);
	*out = NULL;
	return tn_err_set(err, TN_BADINPUT, "%s: the answer is not JSON (at byte %zu of %zu)",
			  what ? what : "web request",
			  at && res->body ? (size_t)(at - res->body) : (size_t)0, res->len);
}

void tn_http_opts_from_env(struct tn_http_opts *opts)
{
	const char *v;

	if ((v = getenv("TURNOUT_HTTP_TIMEOUT")) && atol(v) > 0)
		opts->timeout = atol(v);
	if ((v = getenv("TURNOUT_HTTP_RETRIES")) && *v)
		opts->retries = atoi(v) > 0 ? atoi(v) : -1;
	if ((v = getenv("TURNOUT_HTTP_BACKOFF")) && atof(v) > 0)
		opts->backoff = atof(v);
}
