/*
 * slug.c - event slugs from titles: Cyrillic transliterated (a simplified
 * ICAO/passport scheme: й -> i, х -> kh, ц -> ts, ю -> iu, я -> ia, ь and
 * ъ dropped), Latin diacritics folded (é -> e, ß -> ss, ł -> l), anything
 * else a word separator. Pure functions; the event module decides what to
 * do with a slug that is already taken.
 */
#include <string.h>

#include "turnout/slug.h"
#include "turnout/text.h"

/* U+00C0..U+00FF; NULL separates words. */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};

/* U+0100..U+017F (Latin Extended-A). */
static const char *const latin_ext_a[128] = {
	"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	"i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/* U+0430..U+044F, а..я; U+0410..U+042F map onto it. "" is dropped
 * without separating words (the soft and hard signs). */
static const char *const cyrillic[32] = {
	"a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
	"r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia",
};

/* U+0450..U+045F (Ukrainian, Belarusian, Serbian, Macedonian letters);
 * U+0400..U+040F map onto it. */
static const char *const cyrillic_ext[16] = {
	"e", "e", "dj", "g", "ie", "dz", "i", "i", "j", "lj", "nj", "c", "k", "i", "u", "dz",
};

/* The ASCII for one code point: a string (possibly "" = drop), or NULL
 * for a word separator. lower holds a lower-cased ASCII letter or digit. */
static const char *fold(int32_t cp, char lower[2])
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
		lower[0] = (char)cp;
		return lower;
	}
	if (cp >= 'A' && cp <= 'Z') {
		lower[0] = (char)(cp - 'A' + 'a');
		return lower;
	}
	if (cp == '\'' || cp == 0x2019 || cp == 0x02BC)   /* don't -> dont */
		return "";
	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1[cp - 0xC0];
	if (cp >= 0x100 && cp <= 0x17F)
		return latin_ext_a[cp - 0x100];
	if (cp >= 0x218 && cp <= 0x21B)                    /* Ș ș Ț ț */
		return cp < 0x21A ? "s" : "t";
	if (cp == 0x1E9E)                                  /* ẞ */
		return "ss";
	if (cp >= 0x410 && cp <= 0x42F)
		return cyrillic[cp - 0x410];
	if (cp >= 0x430 && cp <= 0x44F)
		return cyrillic[cp - 0x430];
	if (cp >= 0x400 && cp <= 0x40F)
		return cyrillic_ext[cp - 0x400];
	if (cp >= 0x450 && cp <= 0x45F)
		return cyrillic_ext[cp - 0x450];
	if (cp == 0x490 || cp == 0x491)                    /* Ґ ґ */
		return "g";
	return NULL;
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
	struct tn_buf s = TN_BUF_INIT;
	const char *p = title ? title : "", *end = p + strlen(p);
	int pending = 0;
	size_t cut;
	tn_code rc = TN_OK;

	while (p < end && rc == TN_OK) {
		char lower[2] = { 0, 0 };
		const char *piece = fold(tn_utf8_next(&p, end), lower);

		if (!piece) {
			pending = s.len > 0;
			continue;
		}
		if (!*piece)
			continue;
		if (pending)
			rc = tn_buf_addch(&s, '-');
		pending = 0;
		if (rc == TN_OK)
			rc = tn_buf_add(&s, piece);
	}
	cut = fit(s.data, s.len);
	if (rc != TN_OK) {
		/* out of memory: nothing appended */
	} else if (cut == 0) {
		rc = tn_buf_add(out, "event");
	} else if (has_letter(s.data, cut)) {
		rc = tn_buf_addn(out, s.data, cut);
	} else {
		/* "2026" or "2026-03-29" would read as a number or a date, not
		 * as a name: a slug always has a letter. */
		struct tn_buf t = TN_BUF_INIT;

		rc = tn_buf_add(&t, "event-");
		if (rc == TN_OK)
			rc = tn_buf_addn(&t, s.data, cut);
		if (rc == TN_OK)
			rc = tn_buf_addn(out, t.data, fit(t.data, t.len));
		tn_buf_free(&t);
	}
	tn_buf_free(&s);
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
