/*
 * smtp.c - SMTP delivery through libcurl (smtp.h): one easy handle per
 * session, so libcurl keeps the connection (one EHLO, one AUTH) for
 * every message, and each failure classified from the server's own reply.
 *
 * libcurl reports a refused DATA as "Weird server reply" whatever the code,
 * so the server's lines are read as they arrive (CURLOPT_DEBUGFUNCTION sees
 * each one) and the last complete reply decides: 4xx temporary, 5xx
 * permanent. A failure without a reply (no connection, a connection
 * dropped, a timeout, TLS) is classified by libcurl's code. After any
 * failure libcurl drops or keeps the connection as the protocol allows,
 * and the next send reconnects by itself.
 *
 * Owns no message bytes and no database. The URL is parsed by libcurl's
 * URL API; the password is held only to keep it out of the texts.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "turnout/net.h"
#include "turnout/smtp.h"

struct tn_smtp {
	CURL *curl;
	CURLU *url;             /* without user, password or options */
	int have_domain;        /* url's path is the EHLO domain */
	char *password;         /* only to scrub it from texts; zeroed at close */
	char errbuf[CURL_ERROR_SIZE];

	/* the message being sent */
	const char *msg;
	size_t len, off;
	int in_transaction;     /* MAIL FROM has gone out */

	/* the server's replies, as they arrive */
	char reading[512];      /* the reply being read (multi-line) */
	int continued;          /* its last line ended with "NNN-" */
	char last[512];         /* the last complete reply */
	int last_code;
};

/* Appends s[0..n) to the NUL-terminated dst of size cap, cutting what does
 * not fit and turning control characters into spaces. */
static void append_text(char *dst, size_t cap, const char *s, size_t n)
{
	size_t len = strlen(dst), i;

	for (i = 0; i < n && len + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[len++] = c < ' ' || c == 0x7F ? ' ' : (char)c;
	}
	dst[len] = '\0';
}

/* Replaces every copy of secret in r's text with "***". */
static void scrub(struct tn_smtp_result *r, const char *secret)
{
	char out[sizeof(r->text)] = "";
	size_t n = secret ? strlen(secret) : 0;
	const char *p = r->text, *hit;

	if (n == 0)
		return;
	while ((hit = strstr(p, secret))) {
		append_text(out, sizeof(out), p, (size_t)(hit - p));
		append_text(out, sizeof(out), "***", 3);
		p = hit + n;
	}
	append_text(out, sizeof(out), p, strlen(p));
	memcpy(r->text, out, sizeof(out));
}

/* One line from the server ("250-SIZE 100", "550 5.7.1 no"). The lines of
 * a multi-line reply are joined by spaces, keeping the code once. */
static void reply_line(struct tn_smtp *s, const char *line, size_t n)
{
	int more;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n < 3 || !isdigit((unsigned char)line[0]) ||
	    !isdigit((unsigned char)line[1]) || !isdigit((unsigned char)line[2]) ||
	    (n > 3 && line[3] != ' ' && line[3] != '-'))
		return;
	more = n > 3 && line[3] == '-';
	if (!s->continued) {
		s->reading[0] = '\0';
		append_text(s->reading, sizeof(s->reading), line, 3);
	}
	if (n > 4) {
		append_text(s->reading, sizeof(s->reading), " ", 1);
		append_text(s->reading, sizeof(s->reading), line + 4, n - 4);
	}
	s->continued = more;
	/* 221 answers the QUIT that libcurl sends when it closes a connection
	 * after a failure: not the reply that failed */
	if (!more && strncmp(line, "221", 3) != 0) {
		memcpy(s->last, s->reading, sizeof(s->last));
		s->last_code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	}
}

/* libcurl's trace: the server's lines, and whether MAIL FROM went out. */
static int on_debug(CURL *curl, curl_infotype type, char *data, size_t size,
		    void *arg)
{
	struct tn_smtp *s = arg;
	const char *end = data + size, *nl;

	(void)curl;
	if (type == CURLINFO_HEADER_OUT && size >= 5 && strncasecmp(data, "MAIL ", 5) == 0)
		s->in_transaction = 1;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (data < end) {
		nl = memchr(data, '\n', (size_t)(end - data));
		nl = nl ? nl + 1 : end;
		reply_line(s, data, (size_t)(nl - data));
		data = (char *)nl;
	}
	return 0;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct tn_smtp *s = arg;
	size_t n = size * nitems;

	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->msg + s->off, n);
	s->off += n;
	return n;
}

/* 1 if d may follow EHLO: an ASCII host name (letters, digits, '-', '.')
 * or an address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]"). */
static int ehlo_domain_ok(const char *d)
{
	size_t n = strlen(d);

	if (n > 2 && d[0] == '[')
		return d[n - 1] == ']' &&
		       strspn(d + 1, "0123456789abcdefABCDEF:.IPv") == n - 2;
	return n > 0 && n <= 253 && d[0] != '.' && d[0] != '-' &&
	       strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-.") == n;
}

/* Sets the URL libcurl connects to from s->url. */
static tn_code use_url(struct tn_smtp *s)
{
	char *text = NULL;
	CURLUcode uc = curl_url_get(s->url, CURLUPART_URL, &text, 0);
	CURLcode cc;

	if (uc != CURLUE_OK)
		return uc == CURLUE_OUT_OF_MEMORY ? TN_NOMEM : TN_FAIL;
	cc = curl_easy_setopt(s->curl, CURLOPT_URL, text);
	curl_free(text);
	return cc == CURLE_OK ? TN_OK : cc == CURLE_OUT_OF_MEMORY ? TN_NOMEM : TN_FAIL;
}

/* Reads url into s->url (credentials taken out, default port filled in)
 * and sets the handle's options from it. */
static tn_code setup(struct tn_smtp *s, const char *url, const char *shown,
		     struct tn_err *err)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL,
	     *query = NULL, *fragment = NULL, *user = NULL, *options = NULL;
	const char *colon = strchr(url, ':'), *why = NULL;
	CURLUcode uc;
	CURLcode cc = CURLE_OK;
	long use_ssl;
	tn_code rc = TN_OK;
	int smtps = 0;

	if (!(s->url = curl_url()))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	uc = curl_url_set(s->url, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OK && (uc = tn_net_url_part(s->url, CURLUPART_SCHEME, 0, &scheme)) == CURLUE_OK &&
	    (uc = tn_net_url_part(s->url, CURLUPART_HOST, 0, &host)) == CURLUE_OK &&
	    (uc = tn_net_url_part(s->url, CURLUPART_PORT, 0, &port)) == CURLUE_OK &&
	    (uc = tn_net_url_part(s->url, CURLUPART_PATH, 1, &path)) == CURLUE_OK &&
	    (uc = tn_net_url_part(s->url, CURLUPART_QUERY, 0, &query)) == CURLUE_OK &&
	    (uc = tn_net_url_part(s->url, CURLUPART_FRAGMENT, 0, &fragment)) == CURLUE_OK &&
	    (uc = tn_net_url_part(s->url, CURLUPART_USER, 1, &user)) == CURLUE_OK &&
	    (uc = tn_net_url_part(s->url, CURLUPART_PASSWORD, 1, &s->password)) == CURLUE_OK)
		uc = tn_net_url_part(s->url, CURLUPART_OPTIONS, 1, &options);
	if (uc == CURLUE_OUT_OF_MEMORY) {
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
		goto done;
	}
	if (uc != CURLUE_OK)
		why = tn_net_url_problem(uc, "smtp://host or smtps://host",
					 "a '@' or ':' in the password is written %40 or %3A",
					 "user name or password");
	else if (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0)
		why = "not an smtp or smtps URL";
	/* libcurl also reads "smtp:/host" and "smtp:///host"; a URL written
	 * so is a typo, not a host */
	else if (!colon || strncmp(colon, "://", 3) != 0 || colon[3] == '/' || !*host)
		why = "no host";
	else if (port && strcmp(port, "0") == 0)
		why = "the port is not a number from 1 to 65535";
	else if (query)
		why = "a query ('?…') has no meaning here";
	else if (fragment)
		why = "a fragment ('#…') has no meaning here";
	else if (path[1] && !ehlo_domain_ok(path + 1))
		why = "the path is the domain to say EHLO with: an ASCII host name or an address literal";
	if (why) {
		rc = tn_err_set(err, TN_USAGE, "smtp url '%s': %s", shown, why);
		goto done;
	}
	smtps = strcmp(scheme, "smtps") == 0;
	s->have_domain = path[1] != '\0';
	if (!port && !smtps)
		uc = curl_url_set(s->url, CURLUPART_PORT, "587", 0);
	if (uc == CURLUE_OK)
		uc = curl_url_set(s->url, CURLUPART_USER, NULL, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_set(s->url, CURLUPART_PASSWORD, NULL, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_set(s->url, CURLUPART_OPTIONS, NULL, 0);
	if (uc != CURLUE_OK) {
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
		goto done;
	}

	/* a password crosses the network only inside TLS */
	use_ssl = smtps || (user && !tn_host_is_loopback(host)) ? CURLUSESSL_ALL
							     : CURLUSESSL_TRY;
#define SET(opt, val) if (cc == CURLE_OK) cc = curl_easy_setopt(s->curl, opt, val)
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_USE_SSL, use_ssl);
	if (user) {
		SET(CURLOPT_USERNAME, user);
		SET(CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	if (options)
		SET(CURLOPT_LOGIN_OPTIONS, options);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, on_read);
	SET(CURLOPT_READDATA, s);
	SET(CURLOPT_VERBOSE, 1L);   /* feeds on_debug; nothing is printed */
	SET(CURLOPT_DEBUGFUNCTION, on_debug);
	SET(CURLOPT_DEBUGDATA, s);
	SET(CURLOPT_ERRORBUFFER, s->errbuf);
#undef SET
	if (cc == CURLE_OK)
		cc = tn_net_mail_patience(s->curl);
	if (cc != CURLE_OK)
		rc = cc == CURLE_OUT_OF_MEMORY ? tn_err_set(err, TN_NOMEM, "out of memory")
					       : tn_err_set(err, TN_FAIL, "libcurl: %s",
							    curl_easy_strerror(cc));
	else if (s->have_domain && (rc = use_url(s)) != TN_OK)
		tn_err_set(err, rc, "%s", rc == TN_NOMEM ? "out of memory" : "libcurl refused the URL");
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_free(fragment);
	curl_free(user);
	curl_free(options);
	return rc;
}

tn_code tn_smtp_open(const char *url, struct tn_smtp **out, struct tn_err *err)
{
	struct tn_smtp *s;
	char *shown;
	tn_code rc;

	*out = NULL;
	if ((rc = tn_net_start(err)) != TN_OK)
		return rc;
	if (!(shown = tn_net_url_display(url)))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	if (!(s = calloc(1, sizeof(*s)))) {
		free(shown);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	if (!(s->curl = curl_easy_init()))
		rc = tn_err_set(err, TN_FAIL, "cannot start libcurl");
	else
		rc = setup(s, url, shown, err);
	free(shown);
	if (rc != TN_OK) {
		tn_smtp_close(s);
		return rc;
	}
	*out = s;
	return TN_OK;
}

/* NULL if address may go into MAIL FROM or RCPT TO, else why not. */
static const char *address_problem(const char *address)
{
	const unsigned char *p;

	if (!address || !*address)
		return "is empty";
	for (p = (const unsigned char *)address; *p; p++) {
		if (*p <= ' ' || *p == 0x7F)
			return "has a space or a control character";
		if (*p == '<' || *p == '>')
			return "has '<' or '>'";
	}
	return NULL;
}

/* Names the EHLO domain after the sender's domain on the first message
 * when the URL named none: a host name the server can look up, where
 * the machine's own name would often be unqualified. */
static tn_code choose_domain(struct tn_smtp *s, const char *mail_from)
{
	const char *at = strrchr(mail_from, '@');
	const char *domain = at && ehlo_domain_ok(at + 1) ? at + 1 : "localhost";
	CURLUcode uc = curl_url_set(s->url, CURLUPART_PATH, domain, 0);
	tn_code rc;

	if (uc != CURLUE_OK)
		return uc == CURLUE_OUT_OF_MEMORY ? TN_NOMEM : TN_FAIL;
	if ((rc = use_url(s)) == TN_OK)
		s->have_domain = 1;
	return rc;
}

/* 1 if libcurl's failure cc, with no reply from the server to judge by,
 * may pass if tried again later (the network, the server's load), 0 if
 * it will not until someone changes the URL, the server or its
 * certificate. */
static int temporary_failure(CURLcode cc)
{
	switch (cc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:   /* almost always smtps:// to a plain port */
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_NOT_BUILT_IN:
	case CURLE_URL_MALFORMAT:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_FILESIZE_EXCEEDED:
		return 0;
	default:
		return 1;
	}
}

tn_code tn_smtp_send(struct tn_smtp *s, const char *mail_from, const char *rcpt,
		     const char *msg, size_t len, struct tn_smtp_result *r)
{
	struct curl_slist *rcpts;
	const char *why;
	long code = 0;
	CURLcode cc;
	tn_code rc;

	memset(r, 0, sizeof(*r));
	if ((why = address_problem(mail_from))) {
		snprintf(r->text, sizeof(r->text), "sender address %s", why);
		return TN_BADINPUT;
	}
	if ((why = address_problem(rcpt))) {
		snprintf(r->text, sizeof(r->text), "recipient address %s", why);
		return TN_BADINPUT;
	}
	if (!s->have_domain && (rc = choose_domain(s, mail_from)) != TN_OK)
		goto no_start;
	rc = TN_NOMEM;
	if (!(rcpts = curl_slist_append(NULL, rcpt)))
		goto no_start;
	s->msg = msg;
	s->len = len;
	s->off = 0;
	s->in_transaction = 0;
	s->continued = 0;
	s->reading[0] = s->last[0] = s->errbuf[0] = '\0';
	s->last_code = 0;
	cc = curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, mail_from);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpts);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	if (cc == CURLE_OK)
		cc = curl_easy_perform(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
	curl_slist_free_all(rcpts);
	s->msg = NULL;
	if (!s->last_code && curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
		s->last_code = (int)code;
	if (cc == CURLE_OK) {
		r->code = s->last_code;
		return TN_OK;
	}
	r->session = !s->in_transaction;
	if (s->last_code >= 400 && s->last_code < 600) {
		r->code = s->last_code;
		r->temporary = s->last_code < 500;
		if (s->last[0])
			append_text(r->text, sizeof(r->text), s->last, strlen(s->last));
	} else {
		r->temporary = temporary_failure(cc);
	}
	if (!r->text[0]) {
		why = s->errbuf[0] ? s->errbuf : curl_easy_strerror(cc);
		append_text(r->text, sizeof(r->text), why, strlen(why));
	}
	scrub(r, s->password);
	return cc == CURLE_OUT_OF_MEMORY ? TN_NOMEM : TN_FAIL;

no_start:
	r->temporary = 1;
	r->session = 1;
	snprintf(r->text, sizeof(r->text), "%s", rc == TN_NOMEM ? "out of memory"
								: "libcurl refused the URL");
	return rc;
}

void tn_smtp_close(struct tn_smtp *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl);
	curl_url_cleanup(s->url);
	if (s->password) {
		explicit_bzero(s->password, strlen(s->password));
		curl_free(s->password);
	}
	free(s);
}
