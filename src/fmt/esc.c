/*
 * esc.c - escaping for HTML, CSV and terminal output (esc.h); terminal
 * widths are utf8proc's (unicode.c).
 * JSON is written by cJSON, which escapes by itself.
 */
#include <string.h>

#include "turnout/esc.h"
#include "turnout/text.h"
#include "turnout/unicode.h"

static tn_code esc_markup(struct tn_buf *b, const char *s)
{
	tn_code rc = TN_OK;

	for (; *s && rc == TN_OK; s++) {
		switch (*s) {
		case '&': rc = tn_buf_add(b, "&amp;"); break;
		case '<': rc = tn_buf_add(b, "&lt;"); break;
		case '>': rc = tn_buf_add(b, "&gt;"); break;
		case '"': rc = tn_buf_add(b, "&quot;"); break;
		case '\'': rc = tn_buf_add(b, "&#39;"); break;
		default: rc = tn_buf_addch(b, *s);
		}
	}
	return rc;
}

tn_code tn_esc_html(struct tn_buf *b, const char *s)
{
	return esc_markup(b, s);
}

tn_code tn_esc_attr(struct tn_buf *b, const char *s)
{
	return esc_markup(b, s);
}

tn_code tn_esc_csv(struct tn_buf *b, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	tn_code rc = TN_OK;

	if (quote)
		rc = tn_buf_addch(b, '"');
	if (rc == TN_OK && s[0] && strchr("=+-@\t\r", s[0]))
		rc = tn_buf_addch(b, '\'');
	for (; *s && rc == TN_OK; s++)
		rc = *s == '"' ? tn_buf_add(b, "\"\"") : tn_buf_addch(b, *s);
	if (quote && rc == TN_OK)
		rc = tn_buf_addch(b, '"');
	return rc;
}

/* Bidi embeddings, overrides, isolates and marks: they reorder what a
 * terminal shows (a name that reads backwards, text that seems to end
 * elsewhere), so they are shown as U+FFFD, like control characters. */
static int is_bidi_control(int32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

/* Zero-width space, joiners, word joiner and BOM: invisible, so dropping
 * them shows the same text, and table columns stay where they should. */
static int is_zero_width(int32_t cp)
{
	return (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

tn_code tn_esc_term(struct tn_buf *b, const char *s)
{
	const char *end = s + strlen(s), *p;
	tn_code rc = TN_OK;
	int32_t cp;

	while (s < end && rc == TN_OK) {
		p = s;
		cp = tn_utf8_next(&s, end);
		if (cp == '\n')
			rc = tn_buf_add(b, "\\n");
		else if (cp == '\t')
			rc = tn_buf_addch(b, ' ');
		else if (cp < 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
			 is_bidi_control(cp))
			rc = tn_buf_add(b, "\xEF\xBF\xBD");   /* U+FFFD */
		else if (!is_zero_width(cp))
			rc = tn_buf_addn(b, p, (size_t)(s - p));
	}
	return rc;
}

tn_code tn_esc_term_pad(struct tn_buf *b, const char *s, size_t width)
{
	size_t start = b->len, shown;
	tn_code rc;

	if ((rc = tn_esc_term(b, s)) != TN_OK)
		return rc;
	shown = tn_utf8_width(b->data + start, b->len - start);
	for (; shown < width && rc == TN_OK; shown++)
		rc = tn_buf_addch(b, ' ');
	return rc;
}
