/*
 * person.h - people and the channels they follow: lookup, listing and
 * the right to be forgotten. Bulk loading is import.h's job; both write
 * tables person and follower, and this module owns their reading and
 * erasing.
 */
#ifndef TURNOUT_PERSON_H
#define TURNOUT_PERSON_H

#include <stdint.h>

#include "turnout/db.h"

/* One person × channel row as listings see it. Strings are NULL when
 * unknown; they are valid only during the callback. */
struct tn_follow_row {
	int64_t person_id;
	const char *name;
	const char *email;
	const char *channel;
	const char *kind;
	const char *handle;
	const char *region;
	const char *followed_at;
	const char *unfollowed_at;
	const char *forgotten_at;   /* non-NULL once the person is forgotten */
};

struct tn_follower_filter {
	const char *channel;   /* persons who follow this channel, or NULL */
	const char *region;    /* persons with this region/city (any case), or NULL */
};

/*
 * Finds the person a user means by ref: a number is a person id, an
 * e-mail address is matched after normalisation, anything else (with or
 * without a leading '@') is a handle on any channel. TN_NOTFOUND if no one
 * matches, TN_USAGE if a handle names several people (the hint lists
 * their ids).
 */
tn_code tn_person_resolve(struct tn_db *db, const char *ref, int64_t *id,
			  struct tn_err *err);

/* Calls fn for each follower row of each not-forgotten person matching
 * filter, ordered by person id then channel name; fn returns non-zero to
 * stop. An unknown filter channel is TN_NOTFOUND. */
tn_code tn_follower_each(struct tn_db *db,
			 const struct tn_follower_filter *filter,
			 int (*fn)(void *ctx, const struct tn_follow_row *row),
			 void *ctx, struct tn_err *err);

/* Calls fn for each follower row of one person (forgotten or not); a
 * person who follows nothing yields one row with channel NULL. */
tn_code tn_person_each(struct tn_db *db, int64_t person_id,
		       int (*fn)(void *ctx, const struct tn_follow_row *row),
		       void *ctx, struct tn_err *err);

/*
 * Erases a person's name, e-mail and every handle, keeping the anonymous
 * rows (which channels, region, dates) so counts stay right. The freed
 * bytes are overwritten (secure_delete), then the WAL is checkpointed and
 * truncated so the data leaves the database files: *flushed is 1 when that
 * worked, 0 when another process holding the database open kept it from
 * finishing (call again later; forgetting a forgotten person only
 * retries the checkpoint). *done is 0 if the person was already forgotten.
 */
tn_code tn_person_forget(struct tn_db *db, int64_t person_id, int *done,
			 int *flushed, struct tn_err *err);

#endif
