/*
 * suggest.c - "did you mean" (suggest.h): a bounded Damerau-Levenshtein
 * distance (optimal string alignment) over bytes, ASCII case-folded.
 * Owns nothing.
 */
#include <ctype.h>
#include <string.h>

#include "turnout/suggest.h"

enum { MAX_LEN = 64 };   /* longer words are not worth a suggestion */

static int same(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* The distance between a and the first m bytes of b. */
static size_t distance(const char *a, const char *b, size_t m, size_t limit)
{
	size_t rows[3][MAX_LEN + 1], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	size_t n = strlen(a), i, j;

	if (n > MAX_LEN || m > MAX_LEN || (n > m ? n - m : m - n) > limit)
		return limit + 1;
	for (j = 0; j <= m; j++)
		prev[j] = j;
	for (i = 1; i <= n; i++) {
		size_t low = cur[0] = i, *t;

		for (j = 1; j <= m; j++) {
			size_t d = prev[j - 1] + !same(a[i - 1], b[j - 1]);

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) &&
			    same(a[i - 2], b[j - 1]) && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
			if (d < low)
				low = d;
		}
		if (low > limit)
			return limit + 1;
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[m] > limit ? limit + 1 : prev[m];
}

size_t tn_suggest_distance(const char *a, const char *b, size_t limit)
{
	return distance(a, b, strlen(b), limit);
}

void tn_suggest_init(struct tn_suggest *s, const char *word)
{
	size_t len = strlen(word);

	s->word = word;
	s->best = NULL;
	s->best_len = 0;
	/* a third of the word, at least 1, at most 3 edits */
	s->distance = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
	s->distance++;   /* what an accepted candidate must beat */
}

void tn_suggest_offer_n(struct tn_suggest *s, const char *candidate, size_t len)
{
	size_t d;

	if (!candidate || (strlen(s->word) == len && memcmp(candidate, s->word, len) == 0))
		return;
	d = distance(s->word, candidate, len, s->distance - 1);
	if (d < s->distance) {
		s->best = candidate;
		s->best_len = len;
		s->distance = d;
	}
}

void tn_suggest_offer(struct tn_suggest *s, const char *candidate)
{
	if (candidate)
		tn_suggest_offer_n(s, candidate, strlen(candidate));
}
