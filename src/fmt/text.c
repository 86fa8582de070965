/*
 * text.c - UTF-8 validation, e-mail normalisation, dates and the clock.
 * Pure functions with no database access.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "turnout/text.h"

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

int tn_utf8_valid(const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		if ((unsigned char)*s < 0x80) {
			s++;
			continue;
		}
		if (tn_utf8_next(&s, end) < 0)
			return 0;
	}
	return 1;
}

static int local_char_ok(unsigned char c)
{
	/* RFC 5322 atext plus the dot; quoted local parts are not accepted. */
	return isalnum(c) || c >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~.", c);
}

static int domain_char_ok(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || c == '-' || c == '.';
}

tn_code tn_email_normalize(const char *in, struct tn_buf *out,
			   struct tn_err *err)
{
	const char *start = in, *end, *at, *p;
	size_t len;

	while (*start == ' ' || *start == '\t')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - start);
	at = memrchr(start, '@', len);
	if (!len)
		return tn_err_set(err, TN_BADINPUT, "empty address");
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
	if (end - at < 4 || !memchr(at + 1, '.', (size_t)(end - at - 1)))
		return tn_err_set(err, TN_BADINPUT, "domain has no dot");
	if (at[1] == '.' || at[1] == '-' || end[-1] == '.' || end[-1] == '-')
		return tn_err_set(err, TN_BADINPUT, "bad domain");
	for (p = at + 1; p < end; p++)
		if (!domain_char_ok((unsigned char)*p) || (p[0] == '.' && p[1] == '.'))
			return tn_err_set(err, TN_BADINPUT, "bad character in domain");
	if (!tn_utf8_valid(start, len))
		return tn_err_set(err, TN_BADINPUT, "address is not valid UTF-8");
	if (tn_buf_grow(out, len) != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	tn_buf_reset(out);
	tn_buf_addn(out, start, (size_t)(at - start + 1));
	for (p = at + 1; p < end; p++)
		tn_buf_addch(out, (char)tolower((unsigned char)*p));
	return TN_OK;
}

const char *tn_text_problem(const char *s, int multiline)
{
	const char *p;

	if (!tn_utf8_valid(s, strlen(s)))
		return "not valid UTF-8";
	for (p = s; *p; p++)
		if (((unsigned char)*p < ' ' || *p == 0x7F) &&
		    !(multiline && (*p == '\n' || *p == '\t')))
			return "control character";
	return NULL;
}

int tn_url_valid(const char *url)
{
	const char *host, *p;

	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return 0;
	if (!*host || *host == '/')
		return 0;
	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7F || *p == '"' ||
		    *p == '<' || *p == '>')
			return 0;
	return 1;
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
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
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
