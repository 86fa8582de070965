/*
 * web/routes.c - the one table of what the web server serves (after
 * Fossil's dispatch.c: path pattern → handler), the checks every request
 * path passes before it is matched, and the path as the access log may
 * show it. Pages live in their own files; the daemon in server.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "turnout/text.h"
#include "web/web.h"

/* Every page, in one place. A route whose captured part is a token is
 * secret: the access log shows "…" instead. */
static const struct web_route routes[] = {
	{ "/healthz", NULL, 1, 0, WEB_GET | WEB_HEAD, "GET, HEAD", web_page_healthz },
	{ "/e/", ".ics", 0, 0, WEB_GET | WEB_HEAD, "GET, HEAD", web_page_ics },
	{ "/u/", NULL, 0, 1, WEB_GET | WEB_HEAD | WEB_POST, "GET, HEAD, POST",
	  web_page_unsubscribe },
	{ "/rsvp/", NULL, 0, 1, WEB_GET | WEB_HEAD | WEB_POST, "GET, HEAD, POST",
	  web_page_rsvp },
	{ "/t/", NULL, 0, 1, WEB_GET | WEB_HEAD, "GET, HEAD", web_page_ticket },
	/* the door page: /door/TOKEN is a gate's login link; /door alone
	 * only says so */
	{ "/door", NULL, 1, 0, WEB_GET | WEB_HEAD, "GET, HEAD", web_page_door },
	{ "/door/", NULL, 0, 1, WEB_GET | WEB_HEAD, "GET, HEAD", web_page_door },
	/* the organizer's pages: /login/TOKEN takes an organizer token into
	 * a cookie; the live report wants it (or a Bearer token) (report.c) */
	{ "/login/", NULL, 0, 1, WEB_GET | WEB_HEAD, "GET, HEAD", web_page_login },
	{ "/report", NULL, 1, 0, WEB_GET | WEB_HEAD, "GET, HEAD", web_page_report_list },
	{ "/report/", NULL, 1, 0, WEB_GET | WEB_HEAD, "GET, HEAD", web_page_report_list },
	{ "/report/", NULL, 0, 0, WEB_GET | WEB_HEAD, "GET, HEAD", web_page_report },
	/* a channel's public link: its code is published, not a secret */
	{ "/r/", NULL, 0, 0, WEB_GET | WEB_HEAD | WEB_POST, "GET, HEAD, POST",
	  web_page_register },
	/* the door's JSON API: the event in the middle, a gate's Bearer
	 * token in a header (api.c) */
	{ "/api/v1/events/", "/checkins", 0, 0, WEB_POST | WEB_JSON, "POST", web_api_checkin },
	{ "/api/v1/events/", "/walkins", 0, 0, WEB_POST | WEB_JSON, "POST", web_api_walkin },
	{ "/api/v1/events/", "/stats", 0, 0, WEB_GET | WEB_HEAD | WEB_JSON, "GET, HEAD",
	  web_api_stats },
	{ "/api/v1/events/", "/pubkey", 0, 0, WEB_GET | WEB_HEAD | WEB_JSON, "GET, HEAD",
	  web_api_pubkey },
	{ "/api/v1/events/", "/revoked", 0, 0, WEB_GET | WEB_HEAD | WEB_JSON, "GET, HEAD",
	  web_api_revoked },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

unsigned web_method(const char *name)
{
	if (strcmp(name, "GET") == 0)
		return WEB_GET;
	if (strcmp(name, "HEAD") == 0)
		return WEB_HEAD;
	if (strcmp(name, "POST") == 0)
		return WEB_POST;
	return 0;
}

/* 1 if the decoded path has a "." or ".." segment. */
static int has_dot_segment(const char *p)
{
	while ((p = strchr(p, '/'))) {
		size_t n = strcspn(++p, "/");

		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
	}
	return 0;
}

char *web_path_decode(const char *raw)
{
	char *dec, *out;
	int len = 0, i;

	if (raw[0] != '/' || strlen(raw) > 2048)
		return NULL;
	/* curl_easy_unescape takes no handle since libcurl 7.82, and before
	 * only used it for a character set conversion that Linux builds lack */
	if (!(dec = curl_easy_unescape(NULL, raw, 0, &len)))
		return NULL;
	for (i = 0; i < len; i++)
		if ((unsigned char)dec[i] < 0x20 || dec[i] == 0x7f)
			break;   /* NUL (%00) and every other control character */
	if (i < len || !tn_utf8_valid(dec, (size_t)len) || has_dot_segment(dec)) {
		curl_free(dec);
		return NULL;
	}
	out = strdup(dec);
	curl_free(dec);
	return out;
}

/* 1 if path matches r; sets *start and *len to the captured part. */
static int route_matches(const struct web_route *r, const char *path,
			 size_t *start, size_t *len)
{
	size_t np = strlen(r->prefix), n = strlen(path), ns;

	if (r->exact)
		return strcmp(path, r->prefix) == 0 && ((*start = n), (*len = 0), 1);
	ns = r->suffix ? strlen(r->suffix) : 0;
	if (n <= np + ns || strncmp(path, r->prefix, np) != 0 ||
	    (ns && strcmp(path + n - ns, r->suffix) != 0))
		return 0;
	*start = np;
	*len = n - np - ns;
	/* one segment only: /u/TOKEN, never /u/TOKEN/more */
	return memchr(path + np, '/', *len) == NULL;
}

const struct web_route *web_route_find(const char *path, char **param)
{
	size_t i, start, len;

	*param = NULL;
	for (i = 0; i < NROUTES; i++) {
		if (!route_matches(&routes[i], path, &start, &len))
			continue;
		if (!(*param = strndup(path + start, len)))
			return NULL;
		return &routes[i];
	}
	return NULL;
}

void web_route_log_path(const struct web_route *r, const char *path,
			char *out, size_t len)
{
	size_t keep, n = strlen(path);

	if (r && r->secret) {
		keep = strlen(r->prefix);
	} else if (r) {
		keep = n;
	} else {   /* unknown: its first segment only, as the rest might be a token */
		keep = 1 + strcspn(path + 1, "/");
		if (path[keep] == '/')
			keep++;
	}
	if (keep > 200)   /* a log line stays a line */
		keep = 200;
	snprintf(out, len, "%.*s%s", (int)keep, path, keep < n ? "…" : "");
}
