/*
 * sync.h - follower sync: a Mastodon-compatible channel's followers read
 * from its server's API and applied as the channel's complete list.
 * Owns tables sync_run, sync_page and sync_follower (the staging).
 *
 * The account is resolved with /api/v1/accounts/lookup, then
 * /api/v1/accounts/:id/followers?limit=80 is read page by page, following
 * the Link header's rel="next". Each page's followers (acct as the
 * handle user@domain, display_name else username as the name), the
 * page's URL and the next page's URL are staged in one transaction, so a
 * run killed between pages resumes where it stopped, losing and
 * duplicating no one; the first page's transaction creates the run, so
 * a failure before it leaves nothing behind. When every page is in, the
 * staged list is applied through the importer as the channel's complete
 * list (import.h: merging by handle, unfollowed_at for followers no
 * longer there and cleared for those back, forgotten people skipped),
 * the account's followers_count recorded as today's declared audience
 * and the staging deleted, all in one transaction.
 */
#ifndef TURNOUT_SYNC_H
#define TURNOUT_SYNC_H

#include <stdint.h>

#include "turnout/buf.h"
#include "turnout/channel_api.h"
#include "turnout/db.h"

/* The number of followers asked for per page (Mastodon's maximum). */
#define TN_SYNC_PAGE_LIMIT 80

struct tn_sync_opts {
	/* timeout, retries, backoff and on_wait for every request (what
	 * and bearer are set here); NULL: http.h's defaults */
	const struct tn_http_opts *http;
	/* Called after each page is staged with the followers staged so
	 * far and the count the account declares (-1 if unknown); and
	 * once with pages 0 when a staged run is resumed. May be NULL. */
	void (*on_page)(void *ctx, long long pages, long long staged,
			int64_t declared);
	void *ctx;
};

struct tn_sync_stats {
	int resumed;            /* 1: went on with a run staged before */
	long long pages;        /* pages staged in all (this run and before) */
	long long fetched;      /* followers in the complete list */
	long long inserted;     /* follower rows created */
	long long updated;      /* follower rows already there */
	long long unfollowed;   /* followers no longer in the list */
	long long suppressed;   /* forgotten people's rows, skipped */
	int64_t audience;       /* followers_count recorded, -1 if none */
};

/*
 * Syncs the followers of channel name (a mastodon channel with a URL
 * tn_mastodon_parse_url reads; its token, when set, is sent as the
 * bearer). Fills *stats. Errors, each naming the channel:
 *   - TN_USAGE for a channel of another kind (the hint points at
 *     follower import) or without a usable URL; TN_NOTFOUND for no such
 *     channel;
 *   - TN_BADINPUT for an answer that is not JSON or of the wrong shape
 *     (not an array, a follower without "acct" or with a handle that is
 *     none), a page loop (a next link seen before), a next link to
 *     another origin than the instance (the token would travel with it);
 *     TN_FAIL or TN_NOTFOUND for 401, 403 and 404 (http.h): the staging
 *     is discarded, so the database is as before the sync;
 *   - TN_FAIL for a failure that may pass (a timeout, a 5xx or a
 *     connection that failed, after http.h's retries): the pages staged
 *     are kept and err's hint says that running the sync again resumes.
 */
tn_code tn_sync_followers(struct tn_db *db, const char *name,
			  const struct tn_sync_opts *opts,
			  struct tn_sync_stats *stats, struct tn_err *err);

/* Deletes a channel's staged run, if any (*had is then 1; had may be
 * NULL), so the next sync starts over. */
tn_code tn_sync_discard(struct tn_db *db, const char *name, int *had,
			struct tn_err *err);

/*
 * The handle an account's acct names on instance_host: acct as it is
 * when it has a domain ("anna@other.example"), else "acct@instance_host"
 * (a local account). Written into out (reset first); TN_BADINPUT when
 * acct is empty or not one handle (tn_handle_normalize), TN_NOMEM.
 */
tn_code tn_sync_handle(const char *acct, const char *instance_host,
		       struct tn_buf *out, struct tn_err *err);

/* Erases, from the pages an interrupted sync kept, the handles person
 * person_id follows under on mastodon channels: a forget hook
 * (person.c), run inside the forget's transaction. */
tn_code tn_sync_forget(struct tn_db *db, int64_t person_id, struct tn_err *err);

#endif
