/*
 * slug.c - event slugs from titles. Each character is decomposed by
 * utf8proc (compatibility forms, case folded, marks and default-ignorable
 * characters dropped: "Nguyễn" -> nguyen, "ﬁ" -> fi), then spelled in
 * ASCII: Latin letters as they are, the Latin letters that do not
 * decompose by their usual ASCII spelling (đ -> d, ł -> l, ø -> o,
 * æ -> ae, þ -> th, œ -> oe, ħ -> h, ß -> ss), Cyrillic by a simplified
 * ICAO/passport scheme (й -> i, х -> kh, ц -> ts, ю -> iu, я -> ia, ь and
 * ъ dropped), Greek by a simplified ELOT 743 (θ -> th, χ -> ch, ψ -> ps,
 * accents dropped); anything else separates words. Slugs are permanent
 * URLs: a table entry, once shipped, is not changed. Pure functions; the
 * event module decides what to do with a slug that is already taken.
 */
#include <string.h>

#include <utf8proc.h>

#include "turnout/slug.h"
#include "turnout/text.h"

#define DECOMPOSE_FLAGS (UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | \
			 UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE)

/* The longest decomposition of one code point is 18 (U+FDFA). */
#define DECOMPOSE_MAX 32

/* Latin letters without a decomposition (lower case: the decomposition
 * has folded case already). */
static const struct { int32_t cp; const char *ascii; } latin_extra[] = {
	{ 0x00DF, "ss" }, { 0x00E6, "ae" }, { 0x00F0, "d" }, { 0x00F8, "o" },
	{ 0x00FE, "th" }, { 0x0111, "d" }, { 0x0127, "h" }, { 0x0131, "i" },
	{ 0x0138, "k" }, { 0x0142, "l" }, { 0x014B, "n" }, { 0x0153, "oe" },
	{ 0x0167, "t" },
};

/* U+0430..U+044F, а..я. "" is dropped without separating words (the
 * soft and hard signs). */
static const char *const cyrillic[32] = {
	"a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
	"r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia",
};

/* U+0450..U+045F (Ukrainian, Belarusian, Serbian, Macedonian letters). */
static const char *const cyrillic_ext[16] = {
	"e", "e", "dj", "g", "ie", "dz", "i", "i", "j", "lj", "nj", "c", "k", "i", "u", "dz",
};

/* U+03B1..U+03C9, α..ω (ς is U+03C2). */
static const char *const greek[25] = {
	"a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p",
	"r", "s", "s", "t", "y", "f", "ch", "ps", "o",
};

/* The ASCII for one code point of a decomposition: a string (possibly
 * "" = drop), or NULL for a word separator. lower holds an ASCII letter
 * or digit. */
static const char *spell(int32_t cp, char lower[2])
{
	size_t i;

	if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
		lower[0] = (char)cp;
		return lower;
	}
	if (cp >= 'A' && cp <= 'Z') {   /* case folding leaves none, but cheap */
		lower[0] = (char)(cp - 'A' + 'a');
		return lower;
	}
	if (cp == '\'' || cp == 0x2019 || cp == 0x02BC)   /* don't -> dont */
		return "";
	if (cp == 0x00B7)   /* Catalan l·l (and ŀ, which decomposes to l·) */
		return "";
	if (cp >= 0x430 && cp <= 0x44F)
		return cyrillic[cp - 0x430];
	if (cp >= 0x450 && cp <= 0x45F)
		return cyrillic_ext[cp - 0x450];
	if (cp == 0x491)                                   /* ґ */
		return "g";
	if (cp >= 0x3B1 && cp <= 0x3C9)
		return greek[cp - 0x3B1];
	for (i = 0; i < sizeof(latin_extra) / sizeof(latin_extra[0]); i++)
		if (latin_extra[i].cp == cp)
			return latin_extra[i].ascii;
	return NULL;
}

/* The slug being built: words joined by single dashes. */
struct words {
	struct tn_buf s;
	int pending;    /* a separator came after the last word */
};

static tn_code add_piece(struct words *w, const char *piece)
{
	tn_code rc = TN_OK;

	if (!piece) {
		w->pending = w->s.len > 0;
		return TN_OK;
	}
	if (!*piece)
		return TN_OK;
	if (w->pending)
		rc = tn_buf_addch(&w->s, '-');
	w->pending = 0;
	return rc == TN_OK ? tn_buf_add(&w->s, piece) : rc;
}

/* Adds one code point of the title (-1 for a malformed byte). A
 * combining mark on its own decomposes to nothing and is dropped, so a
 * decomposed "München" (u + U+0308) gives munchen, as a composed one. */
static tn_code add_char(struct words *w, int32_t cp)
{
	utf8proc_int32_t parts[DECOMPOSE_MAX];
	utf8proc_ssize_t n, i;
	tn_code rc = TN_OK;

	if (cp < 0)
		return add_piece(w, NULL);
	n = utf8proc_decompose_char(cp, parts, DECOMPOSE_MAX,
				    (utf8proc_option_t)DECOMPOSE_FLAGS, NULL);
	if (n < 0 || n > DECOMPOSE_MAX)
		return add_piece(w, NULL);
	for (i = 0; i < n && rc == TN_OK; i++) {
		char lower[2] = { 0, 0 };
		rc = add_piece(w, spell(parts[i], lower));
	}
	return rc;
}

/* How much of s[0..len) fits in a slug: all of it, else up to the last
 * word boundary within TN_SLUG_MAX, else (one over-long word) the limit. */
static size_t fit(const char *s, size_t len)
{
	size_t cut;

	if (len <= TN_SLUG_MAX)
		return len;
	cut = TN_SLUG_MAX;
	while (cut > 0 && s[cut] != '-')
		cut--;
	return cut ? cut : TN_SLUG_MAX;
}

static int has_letter(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			return 1;
	return 0;
}

tn_code tn_slug_from_title(const char *title, struct tn_buf *out)
{
	struct words w = { TN_BUF_INIT, 0 };
	struct tn_buf t = TN_BUF_INIT;
	const char *p = title ? title : "", *end = p + strlen(p);
	size_t cut;
	tn_code rc = TN_OK;

	while (p < end && rc == TN_OK)
		rc = add_char(&w, tn_utf8_next(&p, end));
	cut = fit(w.s.data, w.s.len);
	if (rc != TN_OK) {
		/* out of memory: nothing appended */
	} else if (cut == 0) {
		rc = tn_buf_add(out, "event");
	} else if (has_letter(w.s.data, cut)) {
		rc = tn_buf_addn(out, w.s.data, cut);
	} else {
		/* "2026" or "2026-03-29" would read as a number or a date, not
		 * as a name: a slug always has a letter. */
		rc = tn_buf_add(&t, "event-");
		if (rc == TN_OK)
			rc = tn_buf_addn(&t, w.s.data, cut);
		if (rc == TN_OK)
			rc = tn_buf_addn(out, t.data, fit(t.data, t.len));
	}
	tn_buf_free(&t);
	tn_buf_free(&w.s);
	return rc;
}

int tn_slug_valid(const char *s)
{
	size_t n, i;
	int letter = 0;

	if (!s)
		return 0;
	n = strlen(s);
	if (n == 0 || n > TN_SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		if (ch >= 'a' && ch <= 'z')
			letter = 1;
		else if (ch == '-' && s[i + 1] == '-')
			return 0;
		else if (!(ch >= '0' && ch <= '9') && ch != '-')
			return 0;
	}
	return letter;
}
