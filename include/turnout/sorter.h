/*
 * sorter.h - an external merge sort of byte records by a text key, for
 * inputs that may not fit in memory (the follower import's rows).
 *
 * Records are kept in memory up to a budget of bytes; when an added
 * record would pass it, the records held are sorted and written to a
 * temporary file as one sorted run, and memory is used again from the
 * start. Reading merges the runs and what is still in memory, so memory
 * stays near the budget whatever the number of records. Keys compare as
 * bytes (memcmp, a shorter key before a longer one it begins); records
 * with equal keys come back in the order they were added.
 *
 * A sorter is used from one thread at a time. Sorting many records in
 * memory (200,000 or more, at tn_sorter_sort or when a run is written)
 * it may start threads of its own (tn_sorter_set_threads), which have
 * ended when the call returns; the order is the same on any
 * number of threads, and when no thread can be started the calling
 * thread sorts alone.
 */
#ifndef TURNOUT_SORTER_H
#define TURNOUT_SORTER_H

#include <stddef.h>

#include "turnout/err.h"

struct tn_sorter;

/* A record as tn_sorter_next returns it: the bytes belong to the sorter
 * and stay valid until its next call. */
struct tn_sorter_rec {
	const char *key;
	size_t klen;
	const char *data;
	size_t dlen;
};

/* A new sorter that holds at most about budget bytes of records (and
 * their index) in memory; 0 means no limit. Run files go to $TMPDIR (else
 * /tmp), removed from the directory at once, so they vanish with the
 * process whatever happens. Free it with tn_sorter_free. TN_NOMEM. */
tn_code tn_sorter_new(size_t budget, struct tn_sorter **out);

/* Adds a record: key (no NUL byte in it) and data, both copied. Only
 * before the first tn_sorter_next. TN_NOMEM, TN_IO (writing a run, err
 * says why). */
tn_code tn_sorter_add(struct tn_sorter *s, const char *key, size_t klen,
		      const char *data, size_t dlen, struct tn_err *err);

/* Ends adding and sorts what is held in memory, so that reading starts
 * at once (the first tn_sorter_next does it otherwise; later calls do
 * nothing). TN_NOMEM, TN_IO. */
tn_code tn_sorter_sort(struct tn_sorter *s, struct tn_err *err);

/* The next record in key order: *got is 1 and rec filled, or 0 at the
 * end. TN_NOMEM, TN_IO. */
tn_code tn_sorter_next(struct tn_sorter *s, struct tn_sorter_rec *rec,
		       int *got, struct tn_err *err);

/* Records added; runs written to files so far. */
unsigned long long tn_sorter_count(const struct tn_sorter *s);
unsigned tn_sorter_runs(const struct tn_sorter *s);

/* Lets a sort of the records in memory (of 200,000 or more; smaller
 * ones never pay for threads) run on up to n threads, the calling thread
 * included, at most 4; the default, 1, sorts on the calling thread alone.
 * The caller says how many processors it may use (import.c: its CPU
 * affinity). The order is the same on any number. */
void tn_sorter_set_threads(struct tn_sorter *s, unsigned n);

/* The most threads one sort of the records in memory has run on so far,
 * the calling thread included: 0 before the first sort, 1 when it did
 * all the sorting alone. */
unsigned tn_sorter_threads(const struct tn_sorter *s);

/* Frees the sorter, its memory and its run files; NULL is allowed. */
void tn_sorter_free(struct tn_sorter *s);

#endif
