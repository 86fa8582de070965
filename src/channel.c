/*
 * channel.c - channels and their declared-audience history (channel.h).
 * Owns tables channel and channel_audience. Follower counts are read
 * here for listings; the follower rows themselves belong to follower.c
 * and import.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/channel.h"
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

void tn_channel_clear(struct tn_channel *ch)
{
	free(ch->url);
	memset(ch, 0, sizeof(*ch));
}

static tn_code check_name(const char *name, struct tn_err *err)
{
	const char *why;

	if (!*name)
		return tn_err_set(err, TN_USAGE, "channel name: empty");
	if (strlen(name) >= sizeof(((struct tn_channel *)0)->name))
		return tn_err_set(err, TN_USAGE, "channel name: longer than 127 bytes");
	if ((why = tn_text_problem(name, 0)))
		return tn_err_set(err, TN_USAGE, "channel name: %s", why);
	return TN_OK;
}

static tn_code insert_audience(struct tn_db *db, int64_t channel_id,
			       const char *date, int64_t size,
			       struct tn_err *err)
{
	sqlite3_stmt *st;
	tn_code rc;

	rc = tn_db_prepare(db, &st,
			   "INSERT INTO channel_audience(channel_id, date, size)"
			   " VALUES(?1, ?2, ?3) ON CONFLICT(channel_id, date)"
			   " DO UPDATE SET size = excluded.size", err);
	if (rc != TN_OK)
		return rc;
	sqlite3_bind_int64(st, 1, channel_id);
	sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, size);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = tn_db_fail(db, err, "record audience");
	sqlite3_finalize(st);
	return rc;
}

tn_code tn_channel_add(struct tn_db *db, const char *name, const char *kind,
		       const char *url, int64_t audience, struct tn_err *err)
{
	struct tn_channel old;
	sqlite3_stmt *st;
	char now[21];
	tn_code rc;

	if ((rc = check_name(name, err)) != TN_OK)
		return rc;
	if (!tn_channel_kind_valid(kind)) {
		tn_err_set(err, TN_USAGE, "--kind: '%s': unknown channel kind", kind);
		tn_err_hint(err, "kinds are %s", tn_channel_kinds());
		return TN_USAGE;
	}
	if (url && !tn_url_valid(url))
		return tn_err_set(err, TN_USAGE, "--url: '%s': not an http(s) URL", url);
	if (tn_db_begin(db) != TN_OK)
		return tn_db_fail(db, err, "channel add");
	rc = tn_channel_find(db, name, &old, err);
	if (rc == TN_OK) {
		tn_err_set(err, TN_EXISTS, "channel '%s': already exists (as '%s')",
			   name, old.name);
		tn_channel_clear(&old);
		tn_db_end(db, 1);
		return TN_EXISTS;
	}
	if (rc != TN_NOTFOUND) {
		tn_db_end(db, 1);
		return rc;
	}
	tn_now_utc(now);
	rc = tn_db_prepare(db, &st,
			   "INSERT INTO channel(name, kind, url, created_at)"
			   " VALUES(?1, ?2, ?3, ?4)", err);
	if (rc == TN_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, url, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = tn_db_fail(db, err, "channel add");
		sqlite3_finalize(st);
	}
	if (rc == TN_OK && audience >= 0) {
		now[10] = '\0';
		rc = insert_audience(db, sqlite3_last_insert_rowid(tn_db_sqlite(db)),
				     now, audience, err);
	}
	if (tn_db_end(db, rc != TN_OK) != TN_OK && rc == TN_OK)
		rc = tn_db_fail(db, err, "channel add");
	return rc;
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
	"   AND a.date <= :today ORDER BY date DESC LIMIT 1)," \
	" (SELECT date FROM channel_audience a WHERE a.channel_id = c.id" \
	"   AND a.date <= :today ORDER BY date DESC LIMIT 1),"
#define CHANNEL_SELECT CHANNEL_COLUMNS " -1 FROM channel c"
/* Forgotten people still count: forgetting erases who, not how many. */
#define CHANNEL_COUNTED CHANNEL_COLUMNS \
	" (SELECT count(*) FROM follower f" \
	"   WHERE f.channel_id = c.id AND f.unfollowed_at IS NULL)" \
	" FROM channel c"

static void bind_today(sqlite3_stmt *st)
{
	char today[11];

	tn_today(today);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":today"), today, -1,
			  SQLITE_TRANSIENT);
}

static tn_code row_to_channel(sqlite3_stmt *st, struct tn_channel *ch)
{
	const char *url = (const char *)sqlite3_column_text(st, 3);

	memset(ch, 0, sizeof(*ch));
	ch->id = sqlite3_column_int64(st, 0);
	snprintf(ch->name, sizeof(ch->name), "%s", sqlite3_column_text(st, 1));
	snprintf(ch->kind, sizeof(ch->kind), "%s", sqlite3_column_text(st, 2));
	if (url && !(ch->url = strdup(url)))
		return TN_NOMEM;
	ch->audience = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1
		       : sqlite3_column_int64(st, 4);
	if (sqlite3_column_type(st, 5) != SQLITE_NULL)
		snprintf(ch->audience_date, sizeof(ch->audience_date), "%s",
			 sqlite3_column_text(st, 5));
	ch->followers = sqlite3_column_int64(st, 6);
	return TN_OK;
}

tn_code tn_channel_find(struct tn_db *db, const char *name,
			struct tn_channel *ch, struct tn_err *err)
{
	sqlite3_stmt *st;
	tn_code rc;
	int s;

	memset(ch, 0, sizeof(*ch));
	rc = tn_db_prepare(db, &st, CHANNEL_SELECT " WHERE c.name = :name", err);
	if (rc != TN_OK)
		return rc;
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":name"), name, -1,
			  SQLITE_STATIC);
	bind_today(st);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		rc = row_to_channel(st, ch);
		if (rc != TN_OK)
			tn_err_set(err, rc, "out of memory");
	} else if (s == SQLITE_DONE) {
		rc = tn_err_set(err, TN_NOTFOUND, "channel '%s': no such channel", name);
		tn_err_hint(err, "'turnout channel list' shows the channels");
	} else {
		rc = tn_db_fail(db, err, "channel lookup");
	}
	sqlite3_finalize(st);
	return rc;
}

tn_code tn_channel_set_audience(struct tn_db *db, const char *name,
				int64_t size, const char *date,
				struct tn_err *err)
{
	struct tn_channel ch;
	char today[11];
	tn_code rc;

	if (size < 0)
		return tn_err_set(err, TN_USAGE, "audience: must be >= 0");
	if (date && !tn_date_valid(date))
		return tn_err_set(err, TN_USAGE, "--date: '%s': not a date (YYYY-MM-DD)", date);
	if (!date) {
		tn_today(today);
		date = today;
	}
	if (tn_db_begin(db) != TN_OK)
		return tn_db_fail(db, err, "channel audience");
	rc = tn_channel_find(db, name, &ch, err);
	if (rc == TN_OK)
		rc = insert_audience(db, ch.id, date, size, err);
	tn_channel_clear(&ch);
	if (tn_db_end(db, rc != TN_OK) != TN_OK && rc == TN_OK)
		rc = tn_db_fail(db, err, "channel audience");
	return rc;
}

tn_code tn_channel_each(struct tn_db *db,
			int (*fn)(void *ctx, const struct tn_channel *ch),
			void *ctx, struct tn_err *err)
{
	struct tn_channel ch;
	sqlite3_stmt *st;
	tn_code rc;
	int s, stop;

	rc = tn_db_prepare(db, &st, CHANNEL_COUNTED " ORDER BY c.name", err);
	if (rc != TN_OK)
		return rc;
	bind_today(st);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = row_to_channel(st, &ch)) != TN_OK) {
			tn_err_set(err, rc, "out of memory");
			break;
		}
		stop = fn(ctx, &ch);
		tn_channel_clear(&ch);
		if (stop) {
			s = SQLITE_DONE;
			break;
		}
	}
	if (rc == TN_OK && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = tn_db_fail(db, err, "channel list");
	sqlite3_finalize(st);
	return rc;
}

tn_code tn_channel_audience_each(struct tn_db *db, int64_t channel_id,
				 int (*fn)(void *ctx, const char *date, int64_t size),
				 void *ctx, struct tn_err *err)
{
	sqlite3_stmt *st;
	tn_code rc;
	int s;

	rc = tn_db_prepare(db, &st,
			   "SELECT date, size FROM channel_audience WHERE channel_id = ?1"
			   " ORDER BY date", err);
	if (rc != TN_OK)
		return rc;
	sqlite3_bind_int64(st, 1, channel_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0),
		       sqlite3_column_int64(st, 1)))
			break;
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = tn_db_fail(db, err, "audience history");
	sqlite3_finalize(st);
	return rc;
}
