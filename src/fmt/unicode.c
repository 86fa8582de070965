/*
 * unicode.c - folding, NFC and display width through utf8proc
 * (unicode.h). Owns no table and never touches the store; the SQL
 * functions tn_fold and tn_nfc (store/db.c) call these.
 *
 * utf8proc refuses a whole string when one byte of it is malformed, while
 * turnout must still match, store and show such text (a --region typed
 * in a Latin-1 terminal, a cell of an old file): so each well-formed run
 * goes through utf8proc and the malformed bytes between runs are kept.
 */
#include <stdlib.h>

#include <utf8proc.h>

#include "turnout/text.h"
#include "turnout/unicode.h"

/* Matching: NFKC + full case folding + marks stripped. The runs are
 * passed with their length instead of UTF8PROC_NULLTERM. */
#define FOLD_FLAGS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
		    UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK)
#define NFC_FLAGS  (UTF8PROC_STABLE | UTF8PROC_COMPOSE)

/* Appends the well-formed run s[0..len) mapped with flags. */
static tn_code map_run(const char *s, size_t len, int flags, struct tn_buf *out)
{
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t n;
	tn_code rc;

	if (len == 0)
		return TN_OK;
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
			 &mapped, (utf8proc_option_t)flags);
	if (n == UTF8PROC_ERROR_NOMEM)
		return TN_NOMEM;
	if (n < 0)   /* cannot happen for a well-formed run: keep it as is */
		return tn_buf_addn(out, s, len);
	rc = tn_buf_addn(out, mapped, (size_t)n);
	free(mapped);
	return rc;
}

/* Maps every well-formed run of s[0..len) and copies the malformed bytes
 * between them. On TN_NOMEM out is as it was. */
static tn_code map_text(const char *s, size_t len, int flags, struct tn_buf *out)
{
	const char *end = s + len, *run = s, *p = s, *bad;
	size_t old = out->len;
	tn_code rc = TN_OK;

	while (p < end && rc == TN_OK) {
		bad = p;
		if (tn_utf8_next(&p, end) >= 0)
			continue;
		rc = map_run(run, (size_t)(bad - run), flags, out);
		if (rc == TN_OK)
			rc = tn_buf_addn(out, bad, (size_t)(p - bad));
		run = p;
	}
	if (rc == TN_OK)
		rc = map_run(run, (size_t)(end - run), flags, out);
	if (rc != TN_OK && out->len != old) {
		out->len = old;
		out->data[old] = '\0';
	}
	return rc;
}

tn_code tn_utf8_fold(const char *s, size_t len, struct tn_buf *out)
{
	return map_text(s, len, FOLD_FLAGS, out);
}

tn_code tn_utf8_nfc(const char *s, size_t len, struct tn_buf *out)
{
	size_t i;

	/* ASCII is its own NFC: most cells of most files need no work */
	for (i = 0; i < len && (unsigned char)s[i] < 0x80; i++)
		;
	if (i == len)
		return tn_buf_addn(out, s, len);
	return map_text(s, len, NFC_FLAGS, out);
}

size_t tn_utf8_width(const char *s, size_t len)
{
	const char *end = s + len;
	size_t width = 0;
	int32_t cp;

	while (s < end) {
		cp = tn_utf8_next(&s, end);
		width += cp < 0 ? 1 : (size_t)utf8proc_charwidth(cp);
	}
	return width;
}
