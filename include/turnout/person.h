/*
 * person.h - people and the channels they follow: lookup, listing,
 * unfollowing, merging, the right to be forgotten and the suppression
 * list that keeps it, and the bulk writer that the CSV import (import.h)
 * loads them with. This module owns tables person, follower, suppression
 * and suppression_key; others read and write them through these
 * functions.
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
	const char *channel;   /* persons who follow this channel now (not
	                        * unfollowed), or NULL */
	const char *region;    /* persons with this region/city (any case), or NULL */
};

/*
 * Finds the person a user means by ref: a number is a person id, an
 * e-mail address is matched after normalisation by its key
 * (tn_email_key: the case of its ASCII letters does not matter), anything
 * else (with or without a leading '@') is a handle on any channel. TN_NOTFOUND if no one
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
 * rows (which channels, region, dates) so counts stay right. First the
 * address and each handle (with its channel's kind) go on the
 * suppression list as keyed hashes, which hold no personal data: no
 * later import brings the person back (tn_person_suppressed). The freed
 * bytes are overwritten (secure_delete), then the WAL is checkpointed and
 * truncated so the data leaves the database files: *flushed is 1 when that
 * worked, 0 when another process holding the database open kept it from
 * finishing (call again later; forgetting a forgotten person only
 * retries the checkpoint). *done is 0 if the person was already forgotten.
 */
tn_code tn_person_forget(struct tn_db *db, int64_t person_id, int *done,
			 int *flushed, struct tn_err *err);

/*
 * Makes person gone part of person keep, who stays: gone's follows become
 * keep's (where both follow a channel, one row with the earlier
 * followed_at, keep's handle and region unless they are NULL, and still
 * following if either was), keep takes gone's name if it has none and
 * the earlier created_at, and gone is deleted. gone must have no e-mail
 * address (people with addresses are one person only by their address),
 * and neither may be forgotten: else TN_CONFLICT and nothing changes.
 */
tn_code tn_person_merge(struct tn_db *db, int64_t keep, int64_t gone,
			struct tn_err *err);

/* What tn_person_forget would do to a person, for a dry run. */
struct tn_forget_plan {
	int forgotten;     /* already forgotten: nothing would change */
	int name, email;   /* 1 if there is one to erase */
	int handles;       /* follower rows whose handle would be erased */
	int follows;       /* follower rows, all kept (anonymous) */
	int identifiers;   /* the address and distinct (kind, handle) pairs
			    * that would go on the suppression list */
};
tn_code tn_person_forget_plan(struct tn_db *db, int64_t person_id,
			      struct tn_forget_plan *plan, struct tn_err *err);

/*
 * Marks that person_id no longer follows channel (a name, as
 * tn_channel_find takes it): unfollowed_at becomes today. *changed is 0
 * if they had unfollowed already. TN_USAGE about field "channel" when
 * there is none; TN_NOTFOUND for an unknown channel or a person who does
 * not follow it. A later import that lists them marks them following
 * again.
 */
tn_code tn_person_unfollow(struct tn_db *db, int64_t person_id,
			   const char *channel, int *changed, struct tn_err *err);

/*
 * Whether a forgotten person had this address (any form; NULL: none) or
 * this handle on a channel of this kind (both NULL: none): *suppressed 1
 * if so, and what is about to be written for them (an import's row, a
 * sync's follower, an invitation) must be skipped. An address that is
 * no address is TN_BADINPUT about field "email".
 */
tn_code tn_person_suppressed(struct tn_db *db, const char *email,
			     const char *kind, const char *handle,
			     int *suppressed, struct tn_err *err);

/*
 * For a forgotten person who asks to come back: removes the suppression
 * entries of ref, an address or a handle they were known by (a handle on
 * channels of every kind; user@host as both), so later imports may bring
 * them in again, as a new person. *removed counts the entries; with
 * dry_run they are only counted. TN_NOTFOUND if there are none (a
 * person's id cannot be used: what it stood for is erased).
 */
tn_code tn_person_allow_return(struct tn_db *db, const char *ref, int dry_run,
			       int *removed, struct tn_err *err);

/*
 * Picking people to write to (invitations). Calls fn for each
 * not-forgotten person who follows (now, not unfollowed) one of the
 * wanted channels (in region, when given), ordered by person id, with
 * the first wanted channel they follow as the source. channel_ids: the
 * wanted channels in order of preference (n 0: every channel, by id).
 * person_ids (n 0: none): only these people; then a person who follows
 * none of the channels is picked too, with no source, unless must_follow.
 * People without an address are picked (email NULL) so the caller can
 * count them. unsubscribed is 1 for someone who asked not to be written
 * to (tn_person_unsubscribe). fn returns non-zero to stop.
 */
struct tn_person_pick {
	const int64_t *channel_ids;
	size_t nchannels;
	const char *region;
	const int64_t *person_ids;
	size_t npersons;
	int must_follow;
};
struct tn_person_picked {
	int64_t id;
	const char *email, *name;
	int64_t channel_id;        /* 0: none */
	const char *channel;       /* its name; NULL: none */
	int unsubscribed;
};
tn_code tn_person_pick(struct tn_db *db, const struct tn_person_pick *pick,
		       int (*fn)(void *ctx, const struct tn_person_picked *p),
		       void *ctx, struct tn_err *err);

/*
 * Records that a person asked not to be written to: a keyed hash of
 * their address (as the suppression list keeps), so the wish outlives
 * forgetting them and holds no personal data. Their messages still
 * queued are dropped (outbox.h). *changed is 0 if it was recorded
 * already; a person without an address is TN_NOTFOUND.
 */
tn_code tn_person_unsubscribe(struct tn_db *db, int64_t person_id,
			      int *changed, struct tn_err *err);

/*
 * The person whose address is email (in any form with the same key,
 * tn_email_key), made with name when there is none: *id, and *created 1
 * when the person is new. A known person without a name takes name; a
 * stored name is never replaced. name may be NULL; it is stored in NFC.
 * An address that is no address is TN_USAGE about field "email", a name
 * with a control character or invalid UTF-8 TN_USAGE about "name". The
 * address of a forgotten person (the suppression list) is TN_CONFLICT
 * about "email": erasure lasts, and nothing is written. Runs in its own
 * transaction, or in the caller's. email NULL makes a new person
 * without an address (a walk-in), for whom name is required.
 */
tn_code tn_person_find_or_add(struct tn_db *db, const char *email,
			      const char *name, int64_t *id, int *created,
			      struct tn_err *err);

/*
 * The bulk writer: one small call per row operation of an import into one
 * channel, each on a statement prepared once by tn_person_writer_open and
 * re-bound per call. It decides nothing: which person a row belongs to
 * and what changes is the caller's merge logic (import.c). Call it inside
 * the caller's transaction. Text arguments are NUL-terminated, NULL
 * binds NULL (an unknown value); they are not kept past the call.
 * Failures are TN_DB with SQLite's reason after what was being done
 * ("insert person: database 'x.db': ...").
 */
struct tn_person_writer;

/* A follower row of the writer's channel as a lookup found it. The
 * strings are NULL when the column is; they belong to the writer and stay
 * valid until its next call. */
struct tn_person_follow {
	int exists;               /* 0: the person does not follow the channel */
	const char *handle;
	const char *region;
	const char *followed_at;
	int unfollowed;           /* the row has an unfollowed_at */
};

/* Prepares a writer for followers of channel channel_id, whose kind is
 * kind (kept, not copied: it must outlive the writer). People it creates
 * get the time of this call as created_at. When the connection's
 * foreign-key checks are off (import.c turns them off for an import of
 * addresses alone), the writer checks here that the channel exists
 * (TN_NOTFOUND if not), and tn_person_writer_merge refuses to run: its
 * follower rows then refer only to people found or made in the caller's
 * transaction. On failure (TN_DB, TN_NOMEM, TN_NOTFOUND) *w is NULL; else
 * close it with tn_person_writer_close, which frees it (NULL is
 * allowed). */
tn_code tn_person_writer_open(struct tn_db *db, int64_t channel_id,
			      const char *kind, struct tn_person_writer **w,
			      struct tn_err *err);
void tn_person_writer_close(struct tn_person_writer *w);

/* Inserts a person with email (NULL: none) and name unless the e-mail is
 * taken, in any case of its ASCII letters: then *created is 0 and *id
 * untouched, else 1 and *id the new id. email must already be normalised
 * (tn_email_normalize); it is stored as given. */
tn_code tn_person_writer_insert(struct tn_person_writer *w, const char *email,
				const char *name, int64_t *id, int *created,
				struct tn_err *err);

/* The person with this (normalised) e-mail in any case of its ASCII
 * letters: *id, their stored *name and their follower row of the
 * channel, in one lookup. TN_NOTFOUND (err left alone) if there is none. */
tn_code tn_person_writer_find_email(struct tn_person_writer *w,
				    const char *email, int64_t *id,
				    const char **name,
				    struct tn_person_follow *follow,
				    struct tn_err *err);

/* The not-forgotten person who follows a channel of the writer's kind
 * under handle (ASCII case ignored; this channel's own row first, then the
 * lowest person id): *id and their stored *name. TN_NOTFOUND (err left
 * alone) if no one does. */
tn_code tn_person_writer_find_handle(struct tn_person_writer *w,
				     const char *handle, int64_t *id,
				     const char **name, struct tn_err *err);

/* As tn_person_writer_find_handle, among people without an e-mail only:
 * the person a row bringing an address for that handle completes. */
tn_code tn_person_writer_find_handle_no_email(struct tn_person_writer *w,
					      const char *handle, int64_t *id,
					      struct tn_err *err);

/* The follower row of person id on the writer's channel (follow->exists
 * 0 if none). */
tn_code tn_person_writer_find_follow(struct tn_person_writer *w, int64_t id,
				     struct tn_person_follow *follow,
				     struct tn_err *err);

/* Sets a person's name, or e-mail (normalised; one whose key another
 * person has fails with TN_DB). */
tn_code tn_person_writer_set_name(struct tn_person_writer *w, int64_t id,
				  const char *name, struct tn_err *err);
tn_code tn_person_writer_set_email(struct tn_person_writer *w, int64_t id,
				   const char *email, struct tn_err *err);

/* tn_person_suppressed for a row of the writer's channel: its address
 * (normalised, or NULL) or its handle on a channel of the writer's kind
 * (or NULL) belongs to a forgotten person. Costs nothing while the
 * suppression list is empty. */
tn_code tn_person_writer_suppressed(struct tn_person_writer *w,
				    const char *email, const char *handle,
				    int *suppressed, struct tn_err *err);

/* For an import of a channel's whole list: tn_person_writer_track starts
 * recording the people tn_person_writer_seen is called with (in a TEMP
 * table), and tn_person_writer_unfollow_rest marks every other
 * not-forgotten follower of the writer's channel as unfollowed today,
 * *unfollowed being how many, and stops recording. Without track, seen
 * does nothing and unfollow_rest unfollows no one. */
tn_code tn_person_writer_track(struct tn_person_writer *w, struct tn_err *err);
tn_code tn_person_writer_seen(struct tn_person_writer *w, int64_t id,
			      struct tn_err *err);
tn_code tn_person_writer_unfollow_rest(struct tn_person_writer *w,
				       long long *unfollowed, struct tn_err *err);

/* tn_person_merge, for the import that links a handle-only person to the
 * person whose address a row brings; TN_DB while the foreign-key checks
 * are off (tn_person_writer_open). */
tn_code tn_person_writer_merge(struct tn_person_writer *w, int64_t keep,
				int64_t gone, struct tn_err *err);

/* Adds the follower row of person id on the writer's channel. */
tn_code tn_person_writer_follow_insert(struct tn_person_writer *w, int64_t id,
				       const char *handle, const char *region,
				       const char *followed_at,
				       struct tn_err *err);
/* Updates that row: a NULL value keeps the stored one; being in a list
 * again means following again, so unfollowed_at is cleared. */
tn_code tn_person_writer_follow_update(struct tn_person_writer *w, int64_t id,
				       const char *handle, const char *region,
				       const char *followed_at,
				       struct tn_err *err);

/*
 * The bulk writer's batch calls, for the addresses of an import without
 * a handle to link (import.c decides which): each row is one address's
 * merged cells. tn_person_writer_resolve only reads; the others write
 * many rows in one statement each. Strings are NUL-terminated and not
 * kept past the call.
 */
struct tn_person_row {
	const char *email;        /* normalised, as first written */
	const char *key;          /* its identity key (tn_email_key); NULL
				   * when that is the address itself */
	const char *handle, *name, *region, *followed_at;   /* NULL: none */
	/* what tn_person_writer_resolve found */
	int64_t id;               /* the person with this key; 0: none */
	int name_differs;         /* name is set and the stored one is NULL
				   * or another */
	int follows;              /* the person has a follower row on the
				   * writer's channel */
	int follow_differs;       /* ... which handle, region or followed_at
				   * would change (each when set and the
				   * stored one is NULL or another), or
				   * which has an unfollowed_at */
};

/* Finds the person of each row's key, their stored name and their
 * follower row on the writer's channel, filling the rows' last fields.
 * rows must be in strictly increasing key order (as bytes, the order of
 * the index on the key), as an import's sorted batch is: the lookups
 * then walk the person and follower tables in one direction, stepping
 * from one row to the next where they are near and seeking where they
 * are not. */
tn_code tn_person_writer_resolve(struct tn_person_writer *w,
				 struct tn_person_row *rows, size_t n,
				 struct tn_err *err);

/* Inserts a person for each of rows[0..n) (email, its key, name; none
 * may have a person yet), in that order, and sets each row's id. */
tn_code tn_person_writer_insert_rows(struct tn_person_writer *w,
				     struct tn_person_row *const *rows, size_t n,
				     struct tn_err *err);

/* Adds the follower row of each row's person (id) on the writer's
 * channel with the row's handle, region and followed_at; none may have
 * one yet. Reorders rows (by id, so the table is written in order). */
tn_code tn_person_writer_follow_rows(struct tn_person_writer *w,
				     struct tn_person_row **rows, size_t n,
				     struct tn_err *err);

/* tn_person_writer_seen for each row's person. */
tn_code tn_person_writer_seen_rows(struct tn_person_writer *w,
				   struct tn_person_row *const *rows, size_t n,
				   struct tn_err *err);

/* Calls fn for each current follower of one channel (not unfollowed, not
 * forgotten) with that channel's row only, ordered by person id: what
 * 'follower export' writes. fn returns non-zero to stop. */
tn_code tn_follower_each_of_channel(struct tn_db *db, int64_t channel_id,
				    int (*fn)(void *ctx, const struct tn_follow_row *row),
				    void *ctx, struct tn_err *err);

/*
 * The person a registration that brings an address and a handle
 * completes (registration.c), found as the import finds the one a row
 * with both completes (tn_person_writer_find_handle_no_email): the
 * not-forgotten person without an e-mail who follows a channel of kind
 * under handle (already normalised, tn_handle_normalize; ASCII case
 * ignored), channel channel_id's own row first (0: none preferred), then
 * the lowest person id. *id; TN_NOTFOUND (err left alone) if no one does.
 */
tn_code tn_person_find_handle_no_email(struct tn_db *db, const char *kind,
				       const char *handle, int64_t channel_id,
				       int64_t *id, struct tn_err *err);

#endif
