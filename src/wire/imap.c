/*
 * imap.c - an IMAP mailbox session through libcurl (imap.h): UID SEARCH
 * UNSEEN, UID FETCH n BODY.PEEK[] and UID STORE n +FLAGS (\Seen) sent as
 * custom requests on one easy handle, so libcurl logs in and selects the
 * mailbox once.
 *
 * libcurl reads the message of a URL fetch (";UID=n") properly, but that
 * sends BODY[], which sets \Seen: a message that is no calendar reply
 * must stay unread for the organizer. With BODY.PEEK[] as a custom
 * request libcurl knows nothing of the literal that carries the message:
 * it hands every line the server sends to the header callback (untagged
 * ones also to the body), so the message is cut out of the header stream
 * here: exactly the {N} bytes after the FETCH line that announces them.
 * A line of the message that starts with libcurl's command tag ("A005
 * OK") ends the request early in libcurl's eyes; the message is then short
 * of its N bytes, the handle is replaced so the rest of that answer is
 * never read as the next one, and that message alone is fetched the way
 * libcurl reads literals itself (";UID=n"), its \Seen flag taken off
 * again at once.
 *
 * Owns no message meaning and no database. The password is held to hand
 * to libcurl and to keep it out of every text.
 */
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "turnout/imap.h"
#include "turnout/net.h"

enum {
	SEARCH_MAX = 8 * 1024 * 1024,   /* bytes of SEARCH answer read */
	LINE_MAX_KEPT = 1024,   /* bytes of a protocol line looked at */
};

struct tn_imap {
	CURL *curl;
	char *url;              /* imap[s]://host:port/MAILBOX, no user */
	char *user, *options, *password;
	int tls;                /* imaps:// */
	int fresh;              /* the next request gets a new handle */
	char errbuf[CURL_ERROR_SIZE];

	/* the answer being read */
	struct tn_buf body;     /* the untagged lines (SEARCH) */
	char line[LINE_MAX_KEPT];   /* the protocol line being read */
	size_t line_len;
	int line_long;          /* it was longer than line[] holds */
	char said[256];         /* the server's last NO or BAD, its words */
	/* UID FETCH: the literal being cut out of the header stream */
	uint32_t want_uid;      /* 0: no FETCH running */
	int by_url;             /* the message comes as libcurl's body */
	struct tn_buf *msg;
	size_t msg_start;       /* msg->len before the message */
	uint64_t remaining;     /* bytes of the literal still to come */
	int in_literal, ours, found, too_big, nomem;
	int body_full;          /* the untagged lines passed SEARCH_MAX */
};

/* Reads url into s (scheme, host, port and mailbox in s->url; the user
 * and login options apart). */
static tn_code parse_url(struct tn_imap *s, const char *url, struct tn_err *err)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL,
	     *query = NULL, *fragment = NULL, *password = NULL, *text = NULL,
	     *shown = NULL;
	const char *colon = strchr(url, ':'), *why = NULL;
	CURLU *u = curl_url();
	CURLUcode uc;
	tn_code rc = TN_OK;

	if (!u)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OK && (uc = tn_net_url_part(u, CURLUPART_SCHEME, 0, &scheme)) == CURLUE_OK &&
	    (uc = tn_net_url_part(u, CURLUPART_HOST, 0, &host)) == CURLUE_OK &&
	    (uc = tn_net_url_part(u, CURLUPART_PORT, 0, &port)) == CURLUE_OK &&
	    (uc = tn_net_url_part(u, CURLUPART_PATH, 0, &path)) == CURLUE_OK &&
	    (uc = tn_net_url_part(u, CURLUPART_QUERY, 0, &query)) == CURLUE_OK &&
	    (uc = tn_net_url_part(u, CURLUPART_FRAGMENT, 0, &fragment)) == CURLUE_OK &&
	    (uc = tn_net_url_part(u, CURLUPART_USER, 1, &s->user)) == CURLUE_OK &&
	    (uc = tn_net_url_part(u, CURLUPART_PASSWORD, 0, &password)) == CURLUE_OK)
		uc = tn_net_url_part(u, CURLUPART_OPTIONS, 1, &s->options);
	if (uc == CURLUE_OUT_OF_MEMORY) {
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
		goto done;
	}
	if (uc != CURLUE_OK)
		why = tn_net_url_problem(uc, "imaps://user@host/INBOX",
					 "a '@' in the user name is written %40", "user name");
	else if (strcmp(scheme, "imap") != 0 && strcmp(scheme, "imaps") != 0)
		why = "not an imaps URL (write imaps://user@host/INBOX)";
	/* libcurl also reads "imap:/host" and "imap:///host": a typo */
	else if (!colon || strncmp(colon, "://", 3) != 0 || colon[3] == '/' || !*host)
		why = "no host";
	else if (password)
		why = "a password does not belong in the URL";
	else if (!s->user || !*s->user)
		why = "no user (write imaps://user@host/INBOX)";
	else if (strcmp(scheme, "imap") == 0 && !tn_host_is_loopback(host))
		why = "plain imap:// only to a loopback address; write imaps://";
	else if (port && strcmp(port, "0") == 0)
		why = "the port is not a number from 1 to 65535";
	else if (query)
		why = "a search ('?…') has no meaning here: the unseen messages are read";
	else if (fragment)
		why = "a fragment ('#…') has no meaning here";
	else if (strchr(path, ';'))
		why = "name a mailbox, not a message (no ';UID=…')";
	if (why) {
		shown = tn_net_url_display(url);
		rc = tn_err_field(err, TN_USAGE, "url", "imap url '%s': %s",
				  shown ? shown : "", why);
		if (password)
			tn_err_hint(err, "give the password apart, where it is not shown");
		goto done;
	}
	s->tls = strcmp(scheme, "imaps") == 0;
	uc = curl_url_set(u, CURLUPART_USER, NULL, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
	if (uc == CURLUE_OK && strcmp(path, "/") == 0)
		uc = curl_url_set(u, CURLUPART_PATH, "/INBOX", 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_URL, &text, 0);
	if (uc != CURLUE_OK || !(s->url = strdup(text)))
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_free(fragment);
	if (password) {
		explicit_bzero(password, strlen(password));
		curl_free(password);
	}
	curl_free(text);
	free(shown);
	curl_url_cleanup(u);
	return rc;
}

/* The untagged lines of an answer (the SEARCH), at most SEARCH_MAX
 * bytes. */
static size_t on_body(char *data, size_t size, size_t nitems, void *arg)
{
	struct tn_imap *s = arg;
	size_t n = size * nitems;

	if (s->by_url) {   /* libcurl's own FETCH: the body is the message */
		if (s->msg->len - s->msg_start + n > TN_IMAP_MESSAGE_MAX) {
			s->too_big = 1;
			return 0;
		}
		if (tn_buf_addn(s->msg, data, n) != TN_OK) {
			s->nomem = 1;
			return 0;
		}
		s->found = 1;
		return n;
	}
	if (s->want_uid)   /* BODY.PEEK[]: the message comes by on_header */
		return n;
	if (s->body.len + n > SEARCH_MAX) {
		s->body_full = 1;
		return 0;   /* libcurl ends the request */
	}
	if (tn_buf_addn(&s->body, data, n) != TN_OK) {
		s->nomem = 1;
		return 0;
	}
	return n;
}

/* Keeps the server's words of a tagged NO or BAD ("A003 NO Mailbox
 * doesn't exist: Foo"), for the error message. */
static void note_refusal(struct tn_imap *s, const char *line, size_t n)
{
	const char *sp = memchr(line, ' ', n);
	size_t i, k = 0;

	if (!sp || line[0] == '*' || line[0] == '+' ||
	    (strncmp(sp, " NO", 3) != 0 && strncmp(sp, " BAD", 4) != 0))
		return;
	for (i = (size_t)(sp + 1 - line); i < n && k + 1 < sizeof(s->said); i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '\r' || c == '\n')
			break;
		s->said[k++] = c < ' ' || c == 0x7F ? ' ' : (char)c;
	}
	s->said[k] = '\0';
}

/* Reads the number at *p (at most UINT64 digits); 1 if there was one. */
static int read_number(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	const char *q = *p;

	if (q >= end || !isdigit((unsigned char)*q))
		return 0;
	while (q < end && isdigit((unsigned char)*q)) {
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*q++ - '0');
	}
	*p = q;
	*out = v;
	return 1;
}

/* 1 if line is a FETCH answer whose BODY[] follows as a literal
 * ("* 2 FETCH (UID 7 BODY[] {627}"), with its size and the UID it
 * names (0 when none). */
static int literal_start(const char *line, size_t n, uint64_t *size, uint64_t *uid)
{
	const char *end = line + n, *p, *open;
	static const char body[] = "BODY[] {";

	while (end > line && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end - line < 4 || strncmp(line, "* ", 2) != 0 || end[-1] != '}')
		return 0;
	open = end - 1;
	while (open > line && isdigit((unsigned char)open[-1]))
		open--;
	if (open == end - 1 || (size_t)(open - line) < sizeof(body) - 1 ||
	    memcmp(open - (sizeof(body) - 1), body, sizeof(body) - 1) != 0)
		return 0;
	p = open;
	if (!read_number(&p, end - 1, size) || p != end - 1)
		return 0;
	*uid = 0;
	for (p = line; p + 5 < open; p++)
		if ((p[0] == '(' || p[0] == ' ') && strncmp(p + 1, "UID ", 4) == 0) {
			const char *q = p + 5;

			if (read_number(&q, open, uid))
				break;
		}
	/* "* 2 FETCH (": a sequence number, then FETCH */
	p = line + 2;
	{
		uint64_t seq;

		if (!read_number(&p, end, &seq) || strncmp(p, " FETCH (", 8) != 0)
			return 0;
	}
	return 1;
}

/* One protocol line, complete. */
static int protocol_line(struct tn_imap *s)
{
	uint64_t size, uid;

	if (s->line_long)
		return 1;
	note_refusal(s, s->line, s->line_len);
	if (!s->want_uid || s->by_url ||
	    !literal_start(s->line, s->line_len, &size, &uid))
		return 1;
	s->in_literal = 1;
	s->remaining = size;
	s->ours = uid == s->want_uid && !s->found;
	if (s->ours && size > TN_IMAP_MESSAGE_MAX) {
		s->too_big = 1;
		return 0;   /* no need to read it: end the request */
	}
	if (s->ours && tn_buf_grow(s->msg, (size_t)size) != TN_OK) {
		s->nomem = 1;
		return 0;
	}
	return 1;
}

/* Every line the server sends (libcurl's "headers"), in pieces of any
 * size: protocol lines are looked at, a literal announced by a FETCH of
 * the wanted UID is kept byte for byte. */
static size_t on_header(char *data, size_t size, size_t nitems, void *arg)
{
	struct tn_imap *s = arg;
	size_t n = size * nitems, left = n;

	while (left > 0) {
		if (s->in_literal) {
			size_t take = left < s->remaining ? left : (size_t)s->remaining;

			if (s->ours && tn_buf_addn(s->msg, data, take) != TN_OK) {
				s->nomem = 1;
				return 0;
			}
			data += take;
			left -= take;
			s->remaining -= take;
			if (s->remaining == 0) {
				s->in_literal = 0;
				s->found |= s->ours;
				s->ours = 0;
			}
			continue;
		}
		{
			char *nl = memchr(data, '\n', left);
			size_t take = nl ? (size_t)(nl - data) + 1 : left;
			size_t room = sizeof(s->line) - 1 - s->line_len;

			if (take > room)
				s->line_long = 1;
			memcpy(s->line + s->line_len, data, take < room ? take : room);
			s->line_len += take < room ? take : room;
			s->line[s->line_len] = '\0';
			data += take;
			left -= take;
			if (nl) {
				int go_on = protocol_line(s);

				s->line_len = 0;
				s->line_long = 0;
				if (!go_on)
					return 0;
			}
		}
	}
	return n;
}

/* Makes the easy handle and sets every option but the request. */
static tn_code new_handle(struct tn_imap *s, struct tn_err *err)
{
	CURLcode cc = CURLE_OK;

	curl_easy_cleanup(s->curl);   /* LOGOUT on a live connection */
	if (!(s->curl = curl_easy_init()))
		return tn_err_set(err, TN_FAIL, "cannot start libcurl");
#define SET(opt, val) if (cc == CURLE_OK) cc = curl_easy_setopt(s->curl, opt, val)
	SET(CURLOPT_URL, s->url);
	SET(CURLOPT_PROTOCOLS_STR, "imap,imaps");
	/* imap:// is allowed to loopback only, where TLS protects nothing */
	SET(CURLOPT_USE_SSL, s->tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	SET(CURLOPT_USERNAME, s->user);
	SET(CURLOPT_PASSWORD, s->password);
	if (s->options)
		SET(CURLOPT_LOGIN_OPTIONS, s->options);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, s);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, s);
	/* libcurl's response line buffer: a message line longer than it
	 * would be clipped */
	SET(CURLOPT_BUFFERSIZE, (long)CURL_MAX_READ_SIZE);
	SET(CURLOPT_ERRORBUFFER, s->errbuf);
#undef SET
	if (cc == CURLE_OK)
		cc = tn_net_mail_patience(s->curl);
	if (cc != CURLE_OK)
		return cc == CURLE_OUT_OF_MEMORY ? tn_err_set(err, TN_NOMEM, "out of memory")
						 : tn_err_set(err, TN_FAIL, "libcurl: %s",
							      curl_easy_strerror(cc));
	s->fresh = 0;
	return TN_OK;
}

tn_code tn_imap_open(const char *url, const char *password,
		     struct tn_imap **out, struct tn_err *err)
{
	struct tn_imap *s;
	tn_code rc;

	*out = NULL;
	if ((rc = tn_net_start(err)) != TN_OK)
		return rc;
	if (!(s = calloc(1, sizeof(*s))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	tn_buf_init(&s->body);
	if (!(s->password = strdup(password)))
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	else if ((rc = parse_url(s, url, err)) == TN_OK)
		rc = new_handle(s, err);
	if (rc != TN_OK) {
		tn_imap_close(s);
		return rc;
	}
	*out = s;
	return TN_OK;
}

/* Appends text to dst (NUL-terminated, of size cap) with every copy of
 * the password made "***": for words that are not ours (libcurl's, the
 * server's), which should never hold it. */
static void add_scrubbed(const struct tn_imap *s, char *dst, size_t cap, const char *text)
{
	size_t n = s->password ? strlen(s->password) : 0, k = strlen(dst);
	const char *p = text;

	while (*p && k + 1 < cap) {
		if (n && strncmp(p, s->password, n) == 0) {
			size_t m = cap - 1 - k < 3 ? cap - 1 - k : 3;

			memcpy(dst + k, "***", m);
			k += m;
			p += n;
			continue;
		}
		dst[k++] = *p++;
	}
	dst[k] = '\0';
}

/* A BODY.PEEK[] literal that ended early (see the top of this file). */
#define CUT_SHORT ((tn_code)-1)

/* Runs one request on the session: a custom IMAP command, or (command
 * NULL) libcurl's own request for url. On failure the next request gets
 * a new handle; returns CUT_SHORT for a literal that ended early. */
static tn_code run(struct tn_imap *s, const char *command, const char *url,
		   struct tn_err *err)
{
	char why[CURL_ERROR_SIZE + sizeof(s->said) + 64] = "";
	CURLcode cc;
	tn_code rc;

	if (s->fresh && (rc = new_handle(s, err)) != TN_OK)
		return rc;
	tn_buf_reset(&s->body);
	s->line_len = 0;
	s->line_long = 0;
	s->said[0] = s->errbuf[0] = '\0';
	s->in_literal = s->ours = s->found = s->too_big = s->nomem = 0;
	s->body_full = 0;
	cc = curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, command);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(s->curl, CURLOPT_URL, url ? url : s->url);
	if (cc == CURLE_OK)
		cc = curl_easy_perform(s->curl);
	if (url)
		curl_easy_setopt(s->curl, CURLOPT_URL, s->url);
	if (cc == CURLE_OK && !s->in_literal)
		return TN_OK;
	s->fresh = 1;   /* whatever is left of this answer is never read */
	if (s->nomem || cc == CURLE_OUT_OF_MEMORY)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	if (s->too_big)
		return TN_BADINPUT;   /* the caller words it */
	if (cc == CURLE_OK)
		return CUT_SHORT;
	if (s->body_full)
		return tn_err_set(err, TN_FAIL, "the server's answer is larger than %d MiB",
				  SEARCH_MAX / (1024 * 1024));
	if (cc == CURLE_REMOTE_FILE_NOT_FOUND && url)
		return TN_NOTFOUND;   /* the caller words it */
	if (cc == CURLE_LOGIN_DENIED && strcmp(s->errbuf, "Select failed") == 0)
		strcpy(why, "the server refused the mailbox");
	else if (cc == CURLE_LOGIN_DENIED)
		strcpy(why, "login denied: wrong user or password");
	else
		add_scrubbed(s, why, sizeof(why), s->errbuf[0] ? s->errbuf
							       : curl_easy_strerror(cc));
	if (s->said[0]) {
		strcat(why, " (the server said: ");
		add_scrubbed(s, why, sizeof(why) - 1, s->said);
		strcat(why, ")");
	}
	return tn_err_set(err, TN_FAIL, "%s", why);
}

tn_code tn_imap_search_unseen(struct tn_imap *s, uint32_t **uids, size_t *n,
			      struct tn_err *err)
{
	const char *p, *end, *line;
	uint32_t *list = NULL, *bigger;
	size_t count = 0, alloc = 0;
	int searched = 0;
	tn_code rc;

	*uids = NULL;
	*n = 0;
	if ((rc = run(s, "UID SEARCH UNSEEN", NULL, err)) != TN_OK)
		return rc == CUT_SHORT ? tn_err_set(err, TN_FAIL, "the server's answer "
						    "ended early") : rc;
	for (line = s->body.data, end = line + s->body.len; line < end; ) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *stop = nl ? nl : end;

		if (stop - line >= 8 && strncmp(line, "* SEARCH", 8) == 0 &&
		    (stop - line == 8 || line[8] == ' ' || line[8] == '\r')) {
			searched = 1;
			for (p = line + 8; p < stop; ) {
				uint64_t v;

				if (*p == ' ' || *p == '\r') {
					p++;
					continue;
				}
				if (!read_number(&p, stop, &v) || v == 0 || v > UINT32_MAX) {
					free(list);
					s->fresh = 1;
					return tn_err_set(err, TN_FAIL, "the server's SEARCH "
							  "answer is not a list of UIDs");
				}
				if (count == alloc) {
					alloc = alloc ? alloc * 2 : 64;
					if (!(bigger = realloc(list, alloc * sizeof(*list)))) {
						free(list);
						return tn_err_set(err, TN_NOMEM, "out of memory");
					}
					list = bigger;
				}
				list[count++] = (uint32_t)v;
			}
		}
		line = nl ? nl + 1 : end;
	}
	if (!searched) {
		s->fresh = 1;
		return tn_err_set(err, TN_FAIL, "the server answered the SEARCH with no list");
	}
	*uids = list;
	*n = count;
	return TN_OK;
}

/*
 * libcurl's own fetch of the message (";UID=n": BODY[]), which reads the
 * literal by its size whatever its lines look like, but sets \Seen: so
 * the flag is taken off again at once (the message was unseen, or it
 * would not be fetched). Only for a message whose BODY.PEEK[] was cut
 * short; a run that dies between the two leaves it seen.
 */
static tn_code fetch_by_url(struct tn_imap *s, uint32_t uid, struct tn_err *err)
{
	char command[64], *url;
	tn_code rc, unflag;
	int found;

	if (!(url = malloc(strlen(s->url) + 32)))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	sprintf(url, "%s;UID=%" PRIu32, s->url, uid);
	s->by_url = 1;
	rc = run(s, NULL, url, err);
	s->by_url = 0;
	free(url);
	found = s->found;
	snprintf(command, sizeof(command), "UID STORE %" PRIu32 " -FLAGS (\\Seen)", uid);
	unflag = run(s, command, NULL, err);
	if (rc == TN_OK && unflag != TN_OK)
		rc = unflag == CUT_SHORT ? tn_err_set(err, TN_FAIL, "the server's answer "
						      "ended early") : unflag;
	s->found = found;
	return rc;
}

tn_code tn_imap_fetch(struct tn_imap *s, uint32_t uid, struct tn_buf *out,
		      struct tn_err *err)
{
	char command[64];
	tn_code rc;

	snprintf(command, sizeof(command), "UID FETCH %" PRIu32 " BODY.PEEK[]", uid);
	s->want_uid = uid;
	s->msg = out;
	s->msg_start = out->len;
	rc = run(s, command, NULL, err);
	if (rc == TN_OK && !s->found)
		rc = TN_NOTFOUND;
	if (rc == CUT_SHORT) {
		out->len = s->msg_start;
		out->data[out->len] = '\0';
		rc = fetch_by_url(s, uid, err);
		if (rc == TN_OK && !s->found)
			rc = TN_NOTFOUND;
	}
	s->want_uid = 0;
	s->msg = NULL;
	if (rc == TN_NOTFOUND)
		tn_err_set(err, rc, "message UID %" PRIu32 ": not in the mailbox (any more)",
			   uid);
	else if (rc == TN_BADINPUT)
		tn_err_set(err, rc, "message UID %" PRIu32 ": larger than %u MiB: not read",
			   uid, TN_IMAP_MESSAGE_MAX / (1024 * 1024));
	else if (rc != TN_OK)
		tn_err_prefix(err, rc, "message UID %" PRIu32, uid);
	if (rc != TN_OK) {   /* nothing of a message that failed */
		out->len = s->msg_start;
		out->data[out->len] = '\0';
	}
	return rc;
}

tn_code tn_imap_mark_seen(struct tn_imap *s, uint32_t uid, struct tn_err *err)
{
	char command[64];
	tn_code rc;

	snprintf(command, sizeof(command), "UID STORE %" PRIu32 " +FLAGS (\\Seen)", uid);
	if ((rc = run(s, command, NULL, err)) == CUT_SHORT)
		rc = tn_err_set(err, TN_FAIL, "the server's answer ended early");
	if (rc != TN_OK)
		tn_err_prefix(err, rc, "message UID %" PRIu32 ": cannot mark it seen", uid);
	return rc;
}

void tn_imap_close(struct tn_imap *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl);
	free(s->url);
	curl_free(s->user);
	curl_free(s->options);
	if (s->password) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	tn_buf_free(&s->body);
	free(s);
}
