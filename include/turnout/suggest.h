/*
 * suggest.h - "did you mean": the closest of a list of names to what a
 * person typed, for commands, flags, channel kinds and names, and time
 * zones. Bytes in, bytes out; no database.
 */
#ifndef TURNOUT_SUGGEST_H
#define TURNOUT_SUGGEST_H

#include <stddef.h>

/* The edit distance between a and b (insertions, deletions,
 * substitutions and swaps of two neighbours, ASCII letters compared
 * without case); stops counting above limit and then returns limit + 1. */
size_t tn_suggest_distance(const char *a, const char *b, size_t limit);

/* Collects the best candidate for word: feed every candidate to
 * tn_suggest_offer, then read best (NULL when none was close enough:
 * within a third of the word's length, at least 1, at most 3 edits).
 * The candidate strings must outlive the struct. */
struct tn_suggest {
	const char *word;
	const char *best;     /* the best candidate so far, or NULL */
	size_t best_len;      /* its length (a prefix of a longer string) */
	size_t distance;
};
void tn_suggest_init(struct tn_suggest *s, const char *word);
void tn_suggest_offer(struct tn_suggest *s, const char *candidate);
/* Offers the first len bytes of candidate ("channel" of "channel add"). */
void tn_suggest_offer_n(struct tn_suggest *s, const char *candidate, size_t len);

#endif
