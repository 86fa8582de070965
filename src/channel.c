/*
 * channel.c - channels and their declared-audience history (channel.h).
 * Owns tables channel, channel_audience and channel_token. Follower counts are read
 * here for listings; the follower rows themselves belong to person.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/channel.h"
#include "turnout/channel_api.h"
#include "turnout/store.h"
#include "turnout/suggest.h"
#include "turnout/text.h"

static const char *const kinds[] = {
	"newsletter", "blog", "telegram", "mastodon", "vk", "twitter", "other",
};

int tn_channel_kind_valid(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

const char *tn_channel_kinds(void)
{
	return "newsletter, blog, telegram, mastodon, vk, twitter, other";
}

size_t tn_channel_kind_count(void)
{
	return sizeof(kinds) / sizeof(kinds[0]);
}

const char *tn_channel_kind_at(size_t i)
{
	return i < tn_channel_kind_count() ? kinds[i] : NULL;
}

void tn_channel_clear(struct tn_channel *ch)
{
	free(ch->url);
	memset(ch, 0, sizeof(*ch));
}

static tn_code check_name(const char *name, struct tn_err *err)
{
	tn_code rc;

	if (!name || !*name)
		return tn_err_field(err, TN_USAGE, "name", "channel name: empty");
	if (strlen(name) >= sizeof(((struct tn_channel *)0)->name))
		return tn_err_field(err, TN_USAGE, "name",
				    "channel name: longer than 127 bytes");
	if ((rc = tn_text_check(name, 0, err)) != TN_OK)
		return tn_err_about(err, tn_err_prefix(err, rc, "channel name"), "name");
	return TN_OK;
}

static tn_code unknown_kind(const char *kind, struct tn_err *err)
{
	struct tn_suggest guess;
	size_t i;

	tn_suggest_init(&guess, kind);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		tn_suggest_offer(&guess, kinds[i]);
	tn_err_field(err, TN_USAGE, "kind", "'%s': unknown channel kind", kind);
	if (guess.best)
		tn_err_hint(err, "did you mean '%s'? Kinds are %s", guess.best,
			    tn_channel_kinds());
	else
		tn_err_hint(err, "kinds are %s", tn_channel_kinds());
	return TN_USAGE;
}

static tn_code insert_audience(struct tn_db *db, int64_t channel_id,
			       const char *date, int64_t size,
			       struct tn_err *err)
{
	return tn_db_run(db, err,
			 "INSERT INTO channel_audience(channel_id, date, size)"
			 " VALUES(?1, ?2, ?3) ON CONFLICT(channel_id, date)"
			 " DO UPDATE SET size = excluded.size",
			 TN_I(channel_id), TN_T(date), TN_I(size));
}

tn_code tn_channel_add(struct tn_db *db, const char *name, const char *kind,
		       const char *url, int64_t audience, struct tn_err *err)
{
	struct tn_channel old;
	char now[21];
	tn_code rc;

	if ((rc = check_name(name, err)) != TN_OK)
		return rc;
	if (!kind || !*kind) {
		tn_err_field(err, TN_USAGE, "kind", "a channel kind is required");
		tn_err_hint(err, "kinds are %s", tn_channel_kinds());
		return TN_USAGE;
	}
	if (!tn_channel_kind_valid(kind))
		return unknown_kind(kind, err);
	if (url && !tn_url_valid(url))
		return tn_err_field(err, TN_USAGE, "url", "'%s': not an http(s) URL", url);
	if ((rc = tn_channel_api_check_url(kind, url, err)) != TN_OK)
		return rc;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_channel_find(db, name, &old, err);
	if (rc == TN_OK) {
		rc = tn_err_set(err, TN_EXISTS, "channel '%s': already exists (as '%s')",
				name, old.name);
		tn_channel_clear(&old);
	} else if (rc == TN_NOTFOUND) {
		tn_now_utc(now);
		rc = tn_db_run(db, err, "INSERT INTO channel(name, kind, url, created_at)"
			       " VALUES(?1, ?2, ?3, ?4)", TN_T(name), TN_T(kind), TN_T(url),
			       TN_T(now));
		if (rc == TN_OK && audience >= 0) {
			now[10] = '\0';
			rc = insert_audience(db, tn_db_last_id(db), now, audience, err);
		}
	}
	return tn_db_end(db, rc, err);
}

tn_code tn_channel_add_with_token(struct tn_db *db, const char *name,
				  const char *kind, const char *url,
				  int64_t audience, const char *token,
				  struct tn_err *err)
{
	tn_code rc;

	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_channel_add(db, name, kind, url, audience, err);
	if (rc == TN_OK && token)
		rc = tn_channel_set_token(db, name, token, NULL, err);
	return tn_db_end(db, rc, err);
}

/* Columns: id, name, kind, url, latest audience (the last figure dated
 * today or before: a figure for a future date is a plan, not a fact),
 * its date, followers.
 * Counting followers reads every follower row of the channel, so only
 * listings do it (CHANNEL_COUNTED); a lookup by name, which every import
 * makes, reports -1. */
#define CHANNEL_COLUMNS \
	"SELECT c.id, c.name, c.kind, c.url," \
	" (SELECT size FROM channel_audience a WHERE a.channel_id = c.id" \
	"   AND a.date <= ?1 ORDER BY date DESC LIMIT 1)," \
	" (SELECT date FROM channel_audience a WHERE a.channel_id = c.id" \
	"   AND a.date <= ?1 ORDER BY date DESC LIMIT 1),"
#define CHANNEL_SELECT CHANNEL_COLUMNS " -1 FROM channel c"
/* The followers of channel chan today. Forgotten people still count:
 * forgetting erases who, not how many. */
#define FOLLOWER_COUNT(chan) \
	" (SELECT count(*) FROM follower f" \
	"   WHERE f.channel_id = " chan " AND f.unfollowed_at IS NULL)"
#define CHANNEL_COUNTED CHANNEL_COLUMNS FOLLOWER_COUNT("c.id") " FROM channel c"

static tn_code row_to_channel(sqlite3_stmt *st, struct tn_channel *ch,
			      struct tn_err *err)
{
	const char *url = tn_db_text(st, 3);

	memset(ch, 0, sizeof(*ch));
	ch->id = sqlite3_column_int64(st, 0);
	snprintf(ch->name, sizeof(ch->name), "%s", tn_db_text(st, 1));
	snprintf(ch->kind, sizeof(ch->kind), "%s", tn_db_text(st, 2));
	if (url && !(ch->url = strdup(url)))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	ch->audience = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1
		       : sqlite3_column_int64(st, 4);
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		snprintf(ch->audience_date, sizeof(ch->audience_date), "%s",
			 tn_db_text(st, 5));
	ch->followers = sqlite3_column_int64(st, 6);
	return TN_OK;
}

static tn_code found_row(void *ch, sqlite3_stmt *row, struct tn_err *err)
{
	return row_to_channel(row, ch, err);
}

struct guess_ctx {
	struct tn_suggest suggest;
	char best[128];
};

static tn_code offer_name(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct guess_ctx *g = vctx;
	const char *before = g->suggest.best;

	(void)err;
	tn_suggest_offer(&g->suggest, tn_db_text(row, 0));
	if (g->suggest.best != before) {   /* the row's text dies with the step */
		snprintf(g->best, sizeof(g->best), "%s", g->suggest.best);
		g->suggest.best = g->best;
	}
	return TN_OK;
}

/* "no such channel", with the closest existing name when one is close. */
static void not_found(struct tn_db *db, const char *name, struct tn_err *err)
{
	struct guess_ctx g;

	tn_suggest_init(&g.suggest, name);
	g.best[0] = '\0';
	tn_db_each(db, NULL, offer_name, &g, "SELECT name FROM channel ORDER BY name");
	tn_err_set(err, TN_NOTFOUND, "channel '%s': no such channel", name);
	if (g.best[0])
		tn_err_hint(err, "did you mean '%s'?", g.best);
	tn_err_next(err, TN_NEXT_LIST_CHANNELS);
}

tn_code tn_channel_find(struct tn_db *db, const char *name,
			struct tn_channel *ch, struct tn_err *err)
{
	char today[11];
	tn_code rc;

	memset(ch, 0, sizeof(*ch));
	tn_today(today);
	rc = tn_db_one(db, err, found_row, ch, CHANNEL_SELECT " WHERE c.name = ?2",
		       TN_T(today), TN_T(name ? name : ""));
	if (rc == TN_NOTFOUND)
		not_found(db, name ? name : "", err);
	return rc;
}

tn_code tn_channel_count_followers(struct tn_db *db, struct tn_channel *ch,
				   struct tn_err *err)
{
	return tn_db_int(db, err, &ch->followers, "SELECT" FOLLOWER_COUNT("?1"), TN_I(ch->id));
}

tn_code tn_channel_set_audience(struct tn_db *db, const char *name,
				int64_t size, const char *date,
				struct tn_err *err)
{
	struct tn_channel ch;
	char today[11];
	tn_code rc;

	if (size < 0)
		return tn_err_field(err, TN_USAGE, "audience", "must be >= 0");
	if (date && !tn_date_valid(date))
		return tn_err_field(err, TN_USAGE, "date", "'%s': not a date (YYYY-MM-DD)",
				    date);
	if (!date) {
		tn_today(today);
		date = today;
	}
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_channel_find(db, name, &ch, err);
	if (rc == TN_OK)
		rc = insert_audience(db, ch.id, date, size, err);
	tn_channel_clear(&ch);
	return tn_db_end(db, rc, err);
}

/* The name a channel would take: free, or the channel's own (a change of
 * case only). */
static tn_code check_new_name(struct tn_db *db, const struct tn_channel *ch,
			      const char *name, struct tn_err *err)
{
	struct tn_channel other;
	tn_code rc;

	if ((rc = check_name(name, err)) != TN_OK)
		return rc;
	rc = tn_channel_find(db, name, &other, err);
	if (rc == TN_NOTFOUND)
		return TN_OK;
	if (rc == TN_OK && other.id != ch->id)
		rc = tn_err_field(err, TN_EXISTS, "name", "channel '%s': already exists (as '%s')",
				  name, other.name);
	tn_channel_clear(&other);
	return rc;
}

tn_code tn_channel_rename(struct tn_db *db, const char *name, const char *new_name,
			  struct tn_err *err)
{
	struct tn_channel ch;
	tn_code rc;

	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_channel_find(db, name, &ch, err);
	if (rc == TN_OK) {
		rc = check_new_name(db, &ch, new_name, err);
		if (rc == TN_OK)
			rc = tn_db_run(db, err, "UPDATE channel SET name = ?2 WHERE id = ?1",
				       TN_I(ch.id), TN_T(new_name));
		tn_channel_clear(&ch);
	}
	return tn_db_end(db, rc, err);
}

tn_code tn_channel_update(struct tn_db *db, const char *name, const char *kind,
			  const char *url, struct tn_err *err)
{
	struct tn_channel ch;
	tn_code rc;

	if (!kind && !url) {
		tn_err_set(err, TN_USAGE, "channel '%s': nothing to change", name);
		tn_err_hint(err, "give {kind} or {url}");
		return TN_USAGE;
	}
	if (kind && !tn_channel_kind_valid(kind))
		return unknown_kind(kind, err);
	if (url && *url && !tn_url_valid(url))
		return tn_err_field(err, TN_USAGE, "url", "'%s': not an http(s) URL", url);
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_channel_find(db, name, &ch, err);
	/* the kind and URL the channel will have must go together */
	if (rc == TN_OK && !(url && !*url))
		rc = tn_channel_api_check_url(kind ? kind : ch.kind, url ? url : ch.url, err);
	if (rc == TN_OK) {
		/* "" clears the URL; NULL keeps what is stored */
		rc = tn_db_run(db, err, "UPDATE channel SET kind = coalesce(?2, kind),"
			       " url = CASE WHEN ?3 IS NULL THEN url ELSE nullif(?3, '') END"
			       " WHERE id = ?1", TN_I(ch.id), TN_T(kind), TN_T(url));
	}
	tn_channel_clear(&ch);   /* find zeroes it even when it fails */
	return tn_db_end(db, rc, err);
}

/* What refers to a channel and so keeps it from being removed: its
 * followers today; invitations, tracking links and registrations add
 * their count here. */
/* The rows of other tables that name the channel: followers, and the
 * invitations, registrations and links attributed to it. */
static tn_code references(struct tn_db *db, int64_t id, int64_t *followers,
			  int64_t *attributed, struct tn_err *err)
{
	tn_code rc = tn_db_int(db, err, followers,
			       "SELECT count(*) FROM follower WHERE channel_id = ?1", TN_I(id));

	if (rc == TN_OK)
		rc = tn_db_int(db, err, attributed,
			       "SELECT (SELECT count(*) FROM invitation WHERE channel_id = ?1)"
			       " + (SELECT count(*) FROM registration WHERE channel_id = ?1)"
			       " + (SELECT count(*) FROM tracking_link WHERE channel_id = ?1)"
			       " + (SELECT count(*) FROM announcement WHERE channel_id = ?1)",
			       TN_I(id));
	return rc;
}

tn_code tn_channel_remove(struct tn_db *db, const char *name, struct tn_err *err)
{
	struct tn_channel ch;
	int64_t followers = 0, attributed = 0;
	tn_code rc;

	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_channel_find(db, name, &ch, err);
	if (rc == TN_OK)
		rc = references(db, ch.id, &followers, &attributed, err);
	if (rc == TN_OK && followers > 0)
		rc = tn_err_set(err, TN_CONFLICT, "channel '%s': %lld follower rows refer to it",
				ch.name, (long long)followers);
	else if (rc == TN_OK && attributed > 0)
		rc = tn_err_set(err, TN_CONFLICT, "channel '%s': %lld invitations, "
				"registrations, links or announcements are attributed to it", ch.name,
				(long long)attributed);
	if (rc == TN_CONFLICT)
		tn_err_hint(err, "a channel is removed only while nothing refers to it; "
			    "rename it instead");
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM channel_audience WHERE channel_id = ?1",
			       TN_I(ch.id));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM channel_token WHERE channel_id = ?1",
			       TN_I(ch.id));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM sync_follower WHERE channel_id = ?1",
			       TN_I(ch.id));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM sync_page WHERE channel_id = ?1",
			       TN_I(ch.id));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM sync_run WHERE channel_id = ?1",
			       TN_I(ch.id));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM channel WHERE id = ?1", TN_I(ch.id));
	tn_channel_clear(&ch);   /* find zeroes it even when it fails */
	return tn_db_end(db, rc, err);
}

static int token_valid(const char *token)
{
	const unsigned char *p = (const unsigned char *)token;

	if (!*p)
		return 0;
	for (; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

tn_code tn_channel_set_token(struct tn_db *db, const char *name,
			     const char *token, int *had, struct tn_err *err)
{
	struct tn_channel ch;
	tn_code rc;

	if (had)
		*had = 0;
	if (token && !token_valid(token))
		return tn_err_field(err, TN_USAGE, "token", "the token is empty or holds "
				    "blanks or control characters");
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_channel_find(db, name, &ch, err);
	if (rc == TN_OK && token) {
		char now[32];

		tn_now_utc(now);
		rc = tn_db_run(db, err, "INSERT INTO channel_token(channel_id, token, set_at)"
			       " VALUES(?1, ?2, ?3) ON CONFLICT(channel_id) DO UPDATE"
			       " SET token = excluded.token, set_at = excluded.set_at",
			       TN_I(ch.id), TN_T(token), TN_T(now));
	} else if (rc == TN_OK) {
		rc = tn_db_run(db, err, "DELETE FROM channel_token WHERE channel_id = ?1",
			       TN_I(ch.id));
		if (rc == TN_OK && had)
			*had = tn_db_changes(db) > 0;
	}
	tn_channel_clear(&ch);
	return tn_db_end(db, rc, err);
}

static tn_code token_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	char **token = ctx;

	*token = strdup(tn_db_text(row, 0));
	return *token ? TN_OK : tn_err_set(err, TN_NOMEM, "out of memory");
}

tn_code tn_channel_token(struct tn_db *db, int64_t channel_id, char **token,
			 struct tn_err *err)
{
	tn_code rc;

	*token = NULL;
	rc = tn_db_one(db, err, token_row, token,
		       "SELECT token FROM channel_token WHERE channel_id = ?1",
		       TN_I(channel_id));
	return rc == TN_NOTFOUND ? TN_OK : rc;
}

int tn_channel_has_token(struct tn_db *db, int64_t channel_id)
{
	int64_t n = 0;

	return tn_db_int(db, NULL, &n, "SELECT count(*) FROM channel_token"
			 " WHERE channel_id = ?1", TN_I(channel_id)) == TN_OK && n > 0;
}

struct each_ctx {
	int (*fn)(void *ctx, const struct tn_channel *ch);
	void *ctx;
};

static tn_code each_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct each_ctx *e = vctx;
	struct tn_channel ch;
	int stop;

	if (row_to_channel(row, &ch, err) != TN_OK)
		return TN_NOMEM;
	stop = e->fn(e->ctx, &ch);
	tn_channel_clear(&ch);
	return stop ? TN_DB_STOP : TN_OK;
}

tn_code tn_channel_each(struct tn_db *db,
			int (*fn)(void *ctx, const struct tn_channel *ch),
			void *ctx, struct tn_err *err)
{
	struct each_ctx e = { fn, ctx };
	char today[11];

	tn_today(today);
	return tn_db_each(db, err, each_row, &e, CHANNEL_COUNTED " ORDER BY c.name",
			  TN_T(today));
}

struct audience_ctx {
	int (*fn)(void *ctx, const char *date, int64_t size);
	void *ctx;
};

static tn_code audience_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct audience_ctx *a = vctx;

	(void)err;
	return a->fn(a->ctx, tn_db_text(row, 0), sqlite3_column_int64(row, 1))
	       ? TN_DB_STOP : TN_OK;
}

tn_code tn_channel_audience_each(struct tn_db *db, int64_t channel_id,
				 int (*fn)(void *ctx, const char *date, int64_t size),
				 void *ctx, struct tn_err *err)
{
	struct audience_ctx a = { fn, ctx };

	return tn_db_each(db, err, audience_row, &a,
			  "SELECT date, size FROM channel_audience WHERE channel_id = ?1"
			  " ORDER BY date", TN_I(channel_id));
}
