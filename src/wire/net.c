/*
 * net.c - what the libcurl clients share (net.h).
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "turnout/net.h"

int tn_host_is_loopback(const char *host)
{
	unsigned char a4[4];
	struct in6_addr a6;
	char inner[64];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0 ||
	    (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0))
		return 1;
	if (inet_pton(AF_INET, host, a4) == 1)
		return a4[0] == 127;
	if (n > 2 && n < sizeof(inner) && host[0] == '[' && host[n - 1] == ']') {
		memcpy(inner, host + 1, n - 2);
		inner[n - 2] = '\0';
		return inet_pton(AF_INET6, inner, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return 0;
}

static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static CURLcode start_rc;

static void start(void)
{
	start_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

tn_code tn_net_start(struct tn_err *err)
{
	pthread_once(&start_once, start);
	if (start_rc == CURLE_OK)
		return TN_OK;
	return tn_err_set(err, start_rc == CURLE_OUT_OF_MEMORY ? TN_NOMEM : TN_FAIL,
			  "cannot start libcurl: %s", curl_easy_strerror(start_rc));
}

CURLcode tn_net_mail_patience(CURL *c)
{
	CURLcode cc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);

	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, 120L);
	if (cc == CURLE_OK)   /* bytes per second ... */
		cc = curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	if (cc == CURLE_OK)   /* ... for this many seconds */
		cc = curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	return cc;
}

CURLUcode tn_net_url_part(CURLU *u, CURLUPart what, int decode, char **out)
{
	CURLUcode uc;

	*out = NULL;
	uc = curl_url_get(u, what, out, decode ? CURLU_URLDECODE : 0);
	switch (uc) {
	case CURLUE_NO_USER: case CURLUE_NO_PASSWORD: case CURLUE_NO_OPTIONS:
	case CURLUE_NO_PORT: case CURLUE_NO_QUERY: case CURLUE_NO_FRAGMENT:
		return CURLUE_OK;
	default:
		return uc;
	}
}

const char *tn_net_url_problem(CURLUcode uc, const char *example,
			       const char *host_hint, const char *login)
{
	/* one reason at a time; the words are the callers' constants */
	static __thread char buf[160];

	switch (uc) {
	case CURLUE_BAD_SCHEME:
	case CURLUE_MALFORMED_INPUT:
	case CURLUE_BAD_SLASHES:
		snprintf(buf, sizeof(buf), "not a URL (write %s)", example);
		return buf;
	case CURLUE_NO_HOST:
		return "no host";
	case CURLUE_BAD_PORT_NUMBER:
		return "the port is not a number from 1 to 65535";
	case CURLUE_BAD_HOSTNAME:
	case CURLUE_BAD_IPV6:
		snprintf(buf, sizeof(buf), "bad host name (%s)", host_hint);
		return buf;
	case CURLUE_BAD_LOGIN:
	case CURLUE_BAD_USER:
	case CURLUE_BAD_PASSWORD:
		snprintf(buf, sizeof(buf), "bad %s", login);
		return buf;
	default:
		return curl_url_strerror(uc);
	}
}

char *tn_net_url_display(const char *url)
{
	CURLU *u = curl_url();
	char *pw = NULL, *text = NULL, *shown = NULL;
	const char *start, *at;
	size_t head;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) != CURLUE_OK) {
			curl_url_cleanup(u);
			return strdup(url);   /* nothing to hide: as written */
		}
		curl_free(pw);
		if (curl_url_set(u, CURLUPART_PASSWORD, "***", 0) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_URL, &text, 0) == CURLUE_OK)
			shown = strdup(text);
		curl_free(text);
		curl_url_cleanup(u);
		return shown;
	}
	curl_url_cleanup(u);
	/* not a URL libcurl reads: whatever may be a user and password goes */
	if (!(at = strrchr(url, '@')))
		return strdup(url);
	start = strstr(url, "://");
	start = start && start < at ? start + 3 : url;
	head = (size_t)(start - url);
	if (!(shown = malloc(head + 3 + strlen(at) + 1)))
		return NULL;
	memcpy(shown, url, head);
	memcpy(shown + head, "***", 3);
	strcpy(shown + head + 3, at);
	return shown;
}
