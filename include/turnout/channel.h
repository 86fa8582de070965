/*
 * channel.h - online channels (newsletter, Telegram, Mastodon ...) and
 * their dated declared-audience history and API tokens. Owns tables
 * channel, channel_audience and channel_token.
 */
#ifndef TURNOUT_CHANNEL_H
#define TURNOUT_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "turnout/db.h"

struct tn_channel {
	int64_t id;
	char name[128];
	char kind[16];          /* newsletter, blog, telegram, mastodon, vk, twitter, other */
	char *url;              /* NULL if none; owned, freed by tn_channel_clear */
	int64_t audience;       /* latest declared audience dated today or
				 * before, -1 if none */
	char audience_date[11]; /* its date, "" if none */
	int64_t followers;      /* known followers (not unfollowed; forgotten
				 * people count, anonymously);
				 * counted by tn_channel_each and
				 * tn_channel_count_followers, -1 from
				 * tn_channel_find */
};

/* 1 if kind is one of the channel kinds. */
int tn_channel_kind_valid(const char *kind);
/* The valid kinds, comma-separated, for messages. */
const char *tn_channel_kinds(void);
/* The number of kinds, and the i-th (static storage; NULL past the end):
 * for a rule that must hold on channels of every kind. */
size_t tn_channel_kind_count(void);
const char *tn_channel_kind_at(size_t i);

/* Adds a channel. audience < 0 means none; otherwise it is recorded for
 * today. TN_EXISTS if the name is taken (case-insensitively), TN_USAGE for
 * a bad name, kind or URL (a mastodon or telegram channel's URL must be
 * of its kind's form: tn_channel_api_check_url). */
tn_code tn_channel_add(struct tn_db *db, const char *name, const char *kind,
		       const char *url, int64_t audience, struct tn_err *err);
/* tn_channel_add and, when token is not NULL, tn_channel_set_token, in
 * one transaction: a bad token adds no channel. */
tn_code tn_channel_add_with_token(struct tn_db *db, const char *name,
				  const char *kind, const char *url,
				  int64_t audience, const char *token,
				  struct tn_err *err);
/* Looks a channel up by name (case-insensitively); TN_NOTFOUND if none.
 * Fills ch (caller calls tn_channel_clear). */
tn_code tn_channel_find(struct tn_db *db, const char *name,
			struct tn_channel *ch, struct tn_err *err);
void tn_channel_clear(struct tn_channel *ch);
/* Fills ch->followers (left -1 by tn_channel_find) as listings count
 * them: the rows of the channel's followers today. */
tn_code tn_channel_count_followers(struct tn_db *db, struct tn_channel *ch,
				   struct tn_err *err);
/* Records the declared audience of a channel on date (YYYY-MM-DD, NULL for
 * today); a second figure for the same date replaces the first. */
tn_code tn_channel_set_audience(struct tn_db *db, const char *name,
				int64_t size, const char *date,
				struct tn_err *err);
/* Renames a channel; TN_EXISTS if another channel has the new name (a
 * change of case only is fine), TN_USAGE for a bad name. */
tn_code tn_channel_rename(struct tn_db *db, const char *name, const char *new_name,
			  struct tn_err *err);
/* Changes a channel's kind and/or URL (NULL keeps it; an empty URL
 * clears it). TN_USAGE when both are NULL or a value is bad, or when the
 * kind and URL the channel would have do not go together (as for add). */
tn_code tn_channel_update(struct tn_db *db, const char *name, const char *kind,
			  const char *url, struct tn_err *err);
/* Removes a channel and its audience history, only while nothing refers
 * to it (followers today): else TN_CONFLICT, and nothing changes. */
tn_code tn_channel_remove(struct tn_db *db, const char *name, struct tn_err *err);
/* Sets the API token of a channel (a Mastodon access token, a Telegram
 * bot token), replacing one set before; token NULL clears it (*had is
 * then 1 if there was one; had may be NULL). The token is kept apart
 * from the channel's row, read only by tn_channel_token, never listed.
 * TN_USAGE for an empty token or one with blanks or control characters
 * (a token file's final newline is the caller's to strip). */
tn_code tn_channel_set_token(struct tn_db *db, const char *name,
			     const char *token, int *had, struct tn_err *err);
/* The API token of channel channel_id, malloc'd into *token (the
 * caller frees it), or *token NULL when it has none. */
tn_code tn_channel_token(struct tn_db *db, int64_t channel_id, char **token,
			 struct tn_err *err);
/* 1 if channel channel_id has an API token. */
int tn_channel_has_token(struct tn_db *db, int64_t channel_id);
/* Calls fn for each channel in name order; fn returns non-zero to stop.
 * The channel passed to fn is valid only during the call. */
tn_code tn_channel_each(struct tn_db *db,
			int (*fn)(void *ctx, const struct tn_channel *ch),
			void *ctx, struct tn_err *err);
/* Calls fn for each recorded audience figure of a channel, oldest first. */
tn_code tn_channel_audience_each(struct tn_db *db, int64_t channel_id,
				 int (*fn)(void *ctx, const char *date, int64_t size),
				 void *ctx, struct tn_err *err);

#endif
