/*
 * text.c - UTF-8 validation, e-mail normalisation (domains through
 * libidn2), URL checks (libcurl's URL parser), dates and the clock. Pure
 * functions with no database access.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <idn2.h>

#include "turnout/text.h"
#include "turnout/unicode.h"

int32_t tn_utf8_next(const char **sp, const char *end)
{
	const unsigned char *s = (const unsigned char *)*sp;
	const unsigned char *e = (const unsigned char *)end;
	int32_t cp, min;
	int n, i;

	if (s >= e)
		return -1;
	if (s[0] < 0x80) {
		*sp += 1;
		return s[0];
	} else if ((s[0] & 0xE0) == 0xC0) {
		n = 2; cp = s[0] & 0x1F; min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3; cp = s[0] & 0x0F; min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4; cp = s[0] & 0x07; min = 0x10000;
	} else {
		*sp += 1;
		return -1;
	}
	if (e - s < n) {
		*sp += 1;
		return -1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*sp += 1;
			return -1;
		}
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		*sp += 1;
		return -1;
	}
	*sp += n;
	return cp;
}

int tn_utf8_valid_high(const char *s, size_t len, int *high)
{
	const char *end = s + len;

	/* ASCII eight bytes at a time: most text of most files */
	while (end - s >= 8) {
		uint64_t w;

		memcpy(&w, s, 8);
		if (w & 0x8080808080808080ull)
			break;
		s += 8;
	}
	while (s < end) {
		if ((unsigned char)*s < 0x80) {
			s++;
			continue;
		}
		if (high)
			*high = 1;
		if (tn_utf8_next(&s, end) < 0)
			return 0;
	}
	return 1;
}

int tn_utf8_valid(const char *s, size_t len)
{
	return tn_utf8_valid_high(s, len, NULL);
}

/* The code point of a character that looks like nothing or like a plain
 * space -- U+00A0 no-break space, U+200B-U+200D zero-width space and
 * joiners, U+2060 word joiner, U+FEFF zero-width no-break space (BOM) --
 * at the start of s[0..len), or 0. Pasted from a web page or a word
 * processor, they make two addresses that read the same differ, and
 * UTS #46 would even drop some of them from a domain without a word. */
static int32_t invisible_at(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 0xA0;
	if (len < 3)
		return 0;
	if (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0x8B && u[2] <= 0x8D)
		return 0x2000 + (u[2] - 0x80);
	if (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0xA0)
		return 0x2060;
	if (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		return 0xFEFF;
	return 0;
}

int32_t tn_text_invisible(const char *s, size_t len)
{
	const char *end = s + len;
	int32_t cp;

	for (; s < end; s++)
		if ((unsigned char)*s >= 0xC2 && (cp = invisible_at(s, (size_t)(end - s))))
			return cp;
	return 0;
}

static int local_char_ok(unsigned char c)
{
	/* RFC 5322 atext plus the dot; quoted local parts are not accepted. */
	return isalnum(c) || c >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~.", c);
}

/* An A-label domain as DNS and SMTP take it: letters, digits, hyphens and
 * dots, with a dot, no empty label, no hyphen at either end. idn2 checks
 * the labels it converts, but lets through what UTS #46 leaves to the
 * STD3 rules (blanks, '_', '@', empty labels). */
static const char *domain_problem(const char *d, size_t len)
{
	size_t i;

	if (len < 3 || !memchr(d, '.', len))
		return "domain has no dot";
	if (d[0] == '.' || d[0] == '-' || d[len - 1] == '.' || d[len - 1] == '-')
		return "bad domain";
	for (i = 0; i < len; i++)
		if (!(isalnum((unsigned char)d[i]) || d[i] == '-' || d[i] == '.') ||
		    (d[i] == '.' && d[i + 1] == '.'))
			return "bad character in domain";
	return NULL;
}

int tn_domain_ascii_fast(const char *d, size_t len, char *out)
{
	size_t i, label = 0;

	/* what libidn2 takes whole: its length limit, and no empty label */
	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)d[i] : '.';

		if (c == '.') {
			const char *l = d + label;
			size_t n = i - label;

			/* IDNA2008's hyphen rules (no hyphen first or last,
			 * none in both the 3rd and 4th place, which also
			 * leaves every "xn--" A-label to libidn2) and the DNS
			 * label length */
			if (n == 0 || n > 63 || l[0] == '-' || l[n - 1] == '-' ||
			    (n >= 4 && l[2] == '-' && l[3] == '-'))
				return 0;
			label = i + 1;
			if (i < len)
				out[i] = '.';
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
		out[i] = (char)c;
	}
	out[len] = '\0';
	return 1;
}

tn_code tn_email_normalize(const char *in, struct tn_buf *out,
			   struct tn_err *err)
{
	const char *start = in, *end, *at, *p, *why;
	struct tn_buf domain = TN_BUF_INIT, local = TN_BUF_INIT;
	char *ascii = NULL, fast[254];
	size_t len, dlen;
	tn_code rc = TN_OK;
	int32_t cp;
	int irc, is_ascii;

	while (*start == ' ' || *start == '\t')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - start);
	at = memrchr(start, '@', len);
	if (!len)
		return tn_err_set(err, TN_BADINPUT, "empty address");
	/* ASCII text has no invisible character and is valid UTF-8 */
	for (p = start; p < end && (unsigned char)*p < 0x80; p++)
		;
	is_ascii = p == end;
	if (!is_ascii && (cp = tn_text_invisible(start, len)))
		return tn_err_set(err, TN_BADINPUT, "%s (U+%04X) in address",
				  cp == 0xA0 ? "no-break space" : "zero-width character",
				  (unsigned)cp);
	if (len > 254)
		return tn_err_set(err, TN_BADINPUT, "address longer than 254 octets");
	if (!at)
		return tn_err_set(err, TN_BADINPUT, "no '@' in address");
	if (at == start || at - start > 64)
		return tn_err_set(err, TN_BADINPUT, "bad local part");
	if (start[0] == '.' || at[-1] == '.')
		return tn_err_set(err, TN_BADINPUT, "bad local part");
	for (p = start; p < at; p++)
		if (!local_char_ok((unsigned char)*p) || (p[0] == '.' && p[1] == '.'))
			return tn_err_set(err, TN_BADINPUT, "bad character in local part");
	if (at + 1 == end)
		return tn_err_set(err, TN_BADINPUT, "domain has no dot");
	if (!is_ascii && !tn_utf8_valid(start, len))
		return tn_err_set(err, TN_BADINPUT, "address is not valid UTF-8");
	/* The usual address, all ASCII with a plain domain: UTS #46 only
	 * lower-cases it (tn_domain_ascii_fast), so libidn2, the local
	 * part's NFC and their copies are skipped. */
	dlen = (size_t)(end - at - 1);
	/* (what domain_problem would still find in a domain the fast path
	 * takes: no dot) */
	if (is_ascii && tn_domain_ascii_fast(at + 1, dlen, fast) && dlen >= 3 &&
	    memchr(fast, '.', dlen)) {
		if (tn_buf_grow(out, len) != TN_OK)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		tn_buf_reset(out);
		tn_buf_addn(out, start, (size_t)(at - start + 1));
		tn_buf_addn(out, fast, dlen);
		return TN_OK;
	}
	/* The domain as its A-label (UTS #46 mapping, so ПРИМЕР.РФ,
	 * пример.рф and xn--e1afmkfd.xn--p1ai are one domain, and
	 * Example.ORG is example.org): what DNS and SMTP use, so what is
	 * stored and compared. tn_email_display gives the U-label back. */
	if (tn_buf_addn(&domain, at + 1, (size_t)(end - at - 1)) != TN_OK) {
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
		goto done;
	}
	if (memchr(domain.data, '\0', domain.len) || strpbrk(domain.data, " \t")) {
		rc = tn_err_set(err, TN_BADINPUT, "bad character in domain");
		goto done;
	}
	irc = idn2_to_ascii_8z(domain.data, &ascii, IDN2_NONTRANSITIONAL);
	if (irc == IDN2_MALLOC) {
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
		goto done;
	}
	if (irc != IDN2_OK) {
		rc = tn_err_set(err, TN_BADINPUT, "bad domain: %s", idn2_strerror(irc));
		goto done;
	}
	dlen = strlen(ascii);
	if ((why = domain_problem(ascii, dlen))) {
		rc = tn_err_set(err, TN_BADINPUT, "%s", why);
		goto done;
	}
	/* The local part is kept as written (RFC 5321 lets it be
	 * case-sensitive), in NFC as RFC 6531 asks of UTF-8 addresses. */
	if (tn_utf8_nfc(start, (size_t)(at - start), &local) != TN_OK) {
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
		goto done;
	}
	if (local.len > 64) {
		rc = tn_err_set(err, TN_BADINPUT, "bad local part");
		goto done;
	}
	if (local.len + 1 + dlen > 254) {
		rc = tn_err_set(err, TN_BADINPUT, "address longer than 254 octets");
		goto done;
	}
	if (tn_buf_grow(out, local.len + 1 + dlen) != TN_OK) {
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
		goto done;
	}
	tn_buf_reset(out);
	tn_buf_addn(out, local.data, local.len);
	tn_buf_addch(out, '@');
	tn_buf_addn(out, ascii, dlen);
done:
	idn2_free(ascii);
	tn_buf_free(&domain);
	tn_buf_free(&local);
	return rc;
}

tn_code tn_email_key(const char *email, size_t len, struct tn_buf *out)
{
	size_t i;

	tn_buf_reset(out);
	if (tn_buf_addn(out, email, len) != TN_OK)
		return TN_NOMEM;
	for (i = 0; i < len; i++)
		if (out->data[i] >= 'A' && out->data[i] <= 'Z')
			out->data[i] = (char)(out->data[i] - 'A' + 'a');
	return TN_OK;
}

tn_code tn_email_display(const char *email, struct tn_buf *out)
{
	const char *at = strrchr(email, '@');
	char *unicode = NULL;
	tn_code rc;
	int irc;

	/* Only a domain with an A-label has another form to show. */
	if (!at || !strcasestr(at + 1, "xn--"))
		return tn_buf_add(out, email);
	irc = idn2_to_unicode_8z8z(at + 1, &unicode, 0);
	if (irc == IDN2_MALLOC)
		return TN_NOMEM;
	/* A U-label with a joiner (IDNA2008 allows ZWJ and ZWNJ in some
	 * scripts) would show an invisible character, and its shown form
	 * would not be accepted back as an address: show the stored one. */
	if (irc != IDN2_OK || !tn_utf8_valid(unicode, strlen(unicode)) ||
	    tn_text_invisible(unicode, strlen(unicode))) {
		idn2_free(unicode);
		return tn_buf_add(out, email);   /* shown as stored */
	}
	rc = tn_buf_addn(out, email, (size_t)(at - email + 1));
	if (rc == TN_OK)
		rc = tn_buf_add(out, unicode);
	idn2_free(unicode);
	return rc;
}

tn_code tn_text_check(const char *s, int multiline, struct tn_err *err)
{
	size_t i;

	if (!tn_utf8_valid(s, strlen(s)))
		return tn_err_set(err, TN_USAGE, "not valid UTF-8");
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= ' ' && c != 0x7F)
			continue;
		if (multiline && (c == '\n' || c == '\t' || (c == '\r' && s[i + 1] == '\n')))
			continue;
		tn_err_set(err, TN_USAGE, "control character");
		tn_err_hint(err, "byte %zu is 0x%02X; only text%s is allowed", i + 1, c,
			    multiline ? ", newlines and tabs" : "");
		return TN_USAGE;
	}
	return TN_OK;
}

tn_code tn_text_one_line(const char *s, struct tn_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	int blank = 1;   /* the last byte written was a space (or none yet) */

	out->len = 0;
	if (tn_buf_add(out, "") != TN_OK)
		return TN_NOMEM;
	while (*p) {
		size_t n = 1;
		int space = *p < ' ' || *p == 0x7F || *p == ' ' ||
			    (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F);

		if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			n = 2;
		if (space) {
			if (!blank && tn_buf_addn(out, " ", 1) != TN_OK)
				return TN_NOMEM;
			blank = 1;
		} else {
			if (tn_buf_addn(out, (const char *)p, 1) != TN_OK)
				return TN_NOMEM;
			blank = 0;
		}
		p += n;
	}
	if (out->len && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
	return TN_OK;
}

/* The URL parsed by libcurl (no default scheme), if it is an http or
 * https URL with a host; NULL if not (or out of memory, *nomem set). The
 * caller frees it with curl_url_cleanup. Beyond libcurl's checks (scheme,
 * host name, port, no blanks or control characters), two rules for a URL
 * that turnout stores and builds links from: it is written with its "//"
 * (libcurl, a lenient client, also reads "https:/x.org" and
 * "https:///x.org"), and it has no quotes or angle brackets, which RFC
 * 3986 leaves out of URLs because they delimit them in text and markup. */
static CURLU *parse_http_url(const char *url, int *nomem)
{
	const char *colon = strchr(url, ':');
	char *scheme = NULL, *host = NULL;
	CURLUcode uc;
	CURLU *u;
	int ok;

	*nomem = 0;
	if (!colon || strncmp(colon, "://", 3) != 0 || colon[3] == '/' ||
	    strpbrk(url, "\"<>") || !tn_utf8_valid(url, strlen(url)))
		return NULL;
	if (!(u = curl_url())) {
		*nomem = 1;
		return NULL;
	}
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	*nomem = uc == CURLUE_OUT_OF_MEMORY;
	ok = uc == CURLUE_OK && host && *host &&
	     (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
	curl_free(scheme);
	curl_free(host);
	if (!ok) {
		curl_url_cleanup(u);
		return NULL;
	}
	return u;
}

int tn_url_valid(const char *url)
{
	int nomem;
	CURLU *u = parse_http_url(url, &nomem);

	curl_url_cleanup(u);
	return u != NULL;
}

tn_code tn_url_host(const char *url, struct tn_buf *out)
{
	char *host = NULL, *ascii = NULL;
	CURLUcode uc;
	CURLU *u;
	int nomem, irc;
	size_t i;
	tn_code rc;

	if (!(u = parse_http_url(url, &nomem)))
		return nomem ? TN_NOMEM : TN_BADINPUT;
	uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_cleanup(u);
	if (uc != CURLUE_OK)
		return uc == CURLUE_OUT_OF_MEMORY ? TN_NOMEM : TN_BADINPUT;
	for (i = 0; host[i] && (unsigned char)host[i] < 0x80; i++)
		;
	if (host[i]) {
		/* an international name: its A-label, as DNS knows it */
		irc = idn2_to_ascii_8z(host, &ascii, IDN2_NONTRANSITIONAL);
		curl_free(host);
		if (irc != IDN2_OK)
			return irc == IDN2_MALLOC ? TN_NOMEM : TN_BADINPUT;
		rc = tn_buf_add(out, ascii);
		idn2_free(ascii);
		return rc;
	}
	for (i = 0; host[i]; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	rc = tn_buf_add(out, host);
	curl_free(host);
	return rc;
}

/* Hosts whose profile pages are https://HOST/NAME for the handle NAME,
 * never NAME@HOST: Telegram's. */
static int telegram_host(const char *host)
{
	return strcmp(host, "t.me") == 0 || strcmp(host, "www.t.me") == 0 ||
	       strcmp(host, "telegram.me") == 0 || strcmp(host, "telegram.dog") == 0;
}

/* The handle a profile URL names, appended to out: one path segment
 * ("https://t.me/olga_iv", "https://x.com/anna") is that name, "@name" or
 * "users/name" on a host other than Telegram's is a fediverse account,
 * name@host ("https://mastodon.social/@anna"). The query and fragment do
 * not matter. TN_BADINPUT if the URL names no profile. */
static tn_code handle_from_url(const char *url, struct tn_buf *out,
			       struct tn_err *err)
{
	char *host = NULL, *path = NULL, *seg[3], *p;
	int nomem, nseg = 0;
	CURLUcode uc;
	CURLU *u;
	tn_code rc = TN_OK;
	size_t i;

	if (!(u = parse_http_url(url, &nomem)))
		return nomem ? tn_err_set(err, TN_NOMEM, "out of memory")
			     : tn_err_set(err, TN_BADINPUT, "not a profile address");
	uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE);
	curl_url_cleanup(u);
	if (uc != CURLUE_OK) {
		rc = uc == CURLUE_OUT_OF_MEMORY ? tn_err_set(err, TN_NOMEM, "out of memory")
						: tn_err_set(err, TN_BADINPUT,
							     "not a profile address");
		goto done;
	}
	for (i = 0; host[i]; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	/* "/a/b/" -> a, b; three or more segments name no profile */
	for (p = path; *p && nseg < 3; ) {
		while (*p == '/')
			*p++ = '\0';
		if (*p)
			seg[nseg++] = p;
		while (*p && *p != '/')
			p++;
	}
	if (nseg == 1 && telegram_host(host))
		rc = tn_buf_add(out, seg[0][0] == '@' ? seg[0] + 1 : seg[0]);
	else if (nseg == 1 && seg[0][0] == '@' && seg[0][1])
		rc = tn_buf_addf(out, "%s@%s", seg[0] + 1, host);
	else if (nseg == 2 && strcmp(seg[0], "users") == 0 && !telegram_host(host))
		rc = tn_buf_addf(out, "%s@%s", seg[1], host);
	else if (nseg == 1)
		rc = tn_buf_add(out, seg[0]);
	else
		rc = tn_err_set(err, TN_BADINPUT, "not a profile address");
	if (rc == TN_NOMEM)
		tn_err_set(err, TN_NOMEM, "out of memory");
done:
	curl_free(host);
	curl_free(path);
	return rc;
}

/* 1 if s[0..len) starts with a web address: a scheme, or a host name
 * followed by a path ("t.me/olga", "mastodon.social/@anna"). */
static int looks_like_url(const char *s, size_t len)
{
	size_t i;
	int dot = 0;

	if ((len > 7 && strncasecmp(s, "http://", 7) == 0) ||
	    (len > 8 && strncasecmp(s, "https://", 8) == 0))
		return 1;
	for (i = 0; i < len && s[i] != '/'; i++) {
		if (s[i] == '@' || s[i] == ':')
			return 0;
		dot |= s[i] == '.';
	}
	return dot && i > 0 && i < len;
}

tn_code tn_handle_normalize(const char *in, size_t len, struct tn_buf *out,
			    struct tn_err *err)
{
	struct tn_buf url = TN_BUF_INIT;
	size_t start, i;
	const char *at;
	tn_code rc;

	while (len && (*in == ' ' || *in == '\t')) {
		in++;
		len--;
	}
	while (len && (in[len - 1] == ' ' || in[len - 1] == '\t'))
		len--;
	tn_buf_reset(out);
	if (looks_like_url(in, len)) {
		if (strncasecmp(in, "http", 4) != 0)
			rc = tn_buf_add(&url, "https://");
		else
			rc = TN_OK;
		if (rc == TN_OK)
			rc = tn_buf_addn(&url, in, len);
		if (rc != TN_OK || memchr(in, '\0', len)) {
			tn_buf_free(&url);
			return rc != TN_OK ? tn_err_set(err, TN_NOMEM, "out of memory")
					   : tn_err_set(err, TN_BADINPUT, "not a profile address");
		}
		rc = handle_from_url(url.data, out, err);
		tn_buf_free(&url);
		if (rc != TN_OK)
			return rc;
	} else {
		start = len && in[0] == '@';
		if (start && len > 1 && in[1] == '@')
			return tn_err_set(err, TN_BADINPUT, "more than one '@' before the name");
		if (tn_buf_addn(out, in + start, len - start) != TN_OK)
			return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	if (!out->len)
		return tn_err_set(err, TN_BADINPUT, "empty handle");
	for (i = 0; i < out->len; i++) {
		unsigned char c = (unsigned char)out->data[i];
		if (c <= ' ' || c == 0x7F || c == '/')
			return tn_err_set(err, TN_BADINPUT, "%s in handle",
					  c == ' ' ? "a space" : c == '/' ? "'/'"
					  : "a control character");
	}
	if (tn_text_invisible(out->data, out->len))
		return tn_err_set(err, TN_BADINPUT, "an invisible character in handle");
	/* name, or name@server: one '@', with text on both sides */
	at = strchr(out->data, '@');
	if (at && (at == out->data || !at[1] || strchr(at + 1, '@')))
		return tn_err_set(err, TN_BADINPUT, "not a handle (name or name@server)");
	return TN_OK;
}

int tn_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (!isdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	if (s[10])
		return 0;
	/* the digits were checked: no atoi (strtol) per date of an import */
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

void tn_now_utc(char out[21])
{
	const char *fake = getenv("TURNOUT_NOW");
	time_t t;
	struct tm tm;

	if (fake && strlen(fake) == 20 && fake[10] == 'T' && fake[19] == 'Z') {
		memcpy(out, fake, 21);
		return;
	}
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void tn_today(char out[11])
{
	char now[21];

	tn_now_utc(now);
	memcpy(out, now, 10);
	out[10] = '\0';
}
