/*
 * person.c - reading people and their follows, and forgetting a person
 * (person.h). The bulk writer of the same tables is import.c.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/person.h"
#include "turnout/text.h"

#define ROW_COLUMNS \
	"SELECT p.id, p.name, p.email, c.name, c.kind, f.handle, f.region," \
	" f.followed_at, f.unfollowed_at, p.forgotten_at"

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static tn_code resolve_by_handle(struct tn_db *db, const char *ref,
				 int64_t *id, struct tn_err *err)
{
	const char *handle = ref[0] == '@' ? ref + 1 : ref;
	struct tn_buf ids = TN_BUF_INIT;
	sqlite3_stmt *st;
	int n = 0, s;
	tn_code rc;

	rc = tn_db_prepare(db, &st,
			   "SELECT DISTINCT person_id FROM follower"
			   " WHERE handle = ?1 COLLATE NOCASE ORDER BY person_id", err);
	if (rc != TN_OK)
		return rc;
	sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		tn_buf_addf(&ids, "%s%" PRId64, n++ ? ", " : "", *id);
	}
	if (s != SQLITE_DONE)
		rc = tn_db_fail(db, err, "person lookup");
	else if (n == 0)
		rc = tn_err_set(err, TN_NOTFOUND, "person '%s': no such person", ref);
	else if (n > 1) {
		rc = tn_err_set(err, TN_USAGE, "person '%s': handle of %d people", ref, n);
		tn_err_hint(err, "name one by id: %s", ids.data);
	}
	sqlite3_finalize(st);
	tn_buf_free(&ids);
	return rc;
}

tn_code tn_person_resolve(struct tn_db *db, const char *ref, int64_t *id,
			  struct tn_err *err)
{
	struct tn_buf email = TN_BUF_INIT;
	sqlite3_stmt *st;
	tn_code rc;
	int s;

	if (all_digits(ref)) {
		rc = tn_db_prepare(db, &st, "SELECT id FROM person WHERE id = ?1", err);
		if (rc != TN_OK)
			return rc;
		sqlite3_bind_int64(st, 1, strtoll(ref, NULL, 10));
	} else if (ref[0] != '@' && strchr(ref, '@') &&
		   tn_email_normalize(ref, &email, NULL) == TN_OK) {
		rc = tn_db_prepare(db, &st, "SELECT id FROM person WHERE email = ?1", err);
		if (rc != TN_OK) {
			tn_buf_free(&email);
			return rc;
		}
		sqlite3_bind_text(st, 1, email.data, -1, SQLITE_TRANSIENT);
		tn_buf_free(&email);
	} else {
		return resolve_by_handle(db, ref, id, err);
	}
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
	} else if (s == SQLITE_DONE) {
		sqlite3_finalize(st);
		/* A Mastodon handle (user@host) looks like an address. */
		if (!all_digits(ref) && resolve_by_handle(db, ref, id, NULL) == TN_OK)
			return TN_OK;
		rc = tn_err_set(err, TN_NOTFOUND, "person '%s': no such person", ref);
		tn_err_hint(err, "'turnout follower list' shows ids, e-mails and handles");
		return rc;
	} else {
		rc = tn_db_fail(db, err, "person lookup");
	}
	sqlite3_finalize(st);
	return rc;
}

static void fill_row(sqlite3_stmt *st, struct tn_follow_row *r)
{
	r->person_id = sqlite3_column_int64(st, 0);
	r->name = (const char *)sqlite3_column_text(st, 1);
	r->email = (const char *)sqlite3_column_text(st, 2);
	r->channel = (const char *)sqlite3_column_text(st, 3);
	r->kind = (const char *)sqlite3_column_text(st, 4);
	r->handle = (const char *)sqlite3_column_text(st, 5);
	r->region = (const char *)sqlite3_column_text(st, 6);
	r->followed_at = (const char *)sqlite3_column_text(st, 7);
	r->unfollowed_at = (const char *)sqlite3_column_text(st, 8);
	r->forgotten_at = (const char *)sqlite3_column_text(st, 9);
}

static tn_code run_rows(struct tn_db *db, sqlite3_stmt *st,
			int (*fn)(void *, const struct tn_follow_row *),
			void *ctx, struct tn_err *err)
{
	struct tn_follow_row r;
	tn_code rc = TN_OK;
	int s;

	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		fill_row(st, &r);
		if (fn(ctx, &r)) {
			s = SQLITE_DONE;
			break;
		}
	}
	if (s != SQLITE_DONE)
		rc = tn_db_fail(db, err, "follower list");
	sqlite3_finalize(st);
	return rc;
}

tn_code tn_follower_each(struct tn_db *db,
			 const struct tn_follower_filter *filter,
			 int (*fn)(void *ctx, const struct tn_follow_row *row),
			 void *ctx, struct tn_err *err)
{
	struct tn_channel ch;
	int64_t channel_id = 0;
	sqlite3_stmt *st;
	tn_code rc;

	if (filter && filter->channel) {
		if ((rc = tn_channel_find(db, filter->channel, &ch, err)) != TN_OK)
			return rc;
		channel_id = ch.id;
		tn_channel_clear(&ch);
	}
	rc = tn_db_prepare(db, &st,
			   ROW_COLUMNS
			   " FROM person p JOIN follower f ON f.person_id = p.id"
			   " JOIN channel c ON c.id = f.channel_id"
			   " WHERE p.forgotten_at IS NULL"
			   /* both filters hold for one follower row: "follows
			    * tg from Berlin", not "follows tg, and is in
			    * Berlin on some channel" */
			   " AND (?1 = 0 AND ?2 IS NULL OR p.id IN ("
			   "      SELECT person_id FROM follower"
			   "      WHERE (?1 = 0 OR channel_id = ?1)"
			   "        AND (?2 IS NULL OR tn_fold(region) = tn_fold(?2))))"
			   " ORDER BY p.id, c.name", err);
	if (rc != TN_OK)
		return rc;
	sqlite3_bind_int64(st, 1, channel_id);
	sqlite3_bind_text(st, 2, filter ? filter->region : NULL, -1, SQLITE_STATIC);
	return run_rows(db, st, fn, ctx, err);
}

tn_code tn_person_each(struct tn_db *db, int64_t person_id,
		       int (*fn)(void *ctx, const struct tn_follow_row *row),
		       void *ctx, struct tn_err *err)
{
	sqlite3_stmt *st;
	tn_code rc;

	rc = tn_db_prepare(db, &st,
			   ROW_COLUMNS
			   " FROM person p LEFT JOIN follower f ON f.person_id = p.id"
			   " LEFT JOIN channel c ON c.id = f.channel_id"
			   " WHERE p.id = ?1 ORDER BY c.name", err);
	if (rc != TN_OK)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	return run_rows(db, st, fn, ctx, err);
}

static tn_code exec_bound(struct tn_db *db, const char *sql, int64_t id,
			  const char *now, struct tn_err *err)
{
	sqlite3_stmt *st;
	tn_code rc;

	if ((rc = tn_db_prepare(db, &st, sql, err)) != TN_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (now)
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = tn_db_fail(db, err, "forget");
	sqlite3_finalize(st);
	return rc;
}

tn_code tn_person_forget(struct tn_db *db, int64_t person_id, int *done,
			 int *flushed, struct tn_err *err)
{
	char now[21];
	tn_code rc;

	*done = *flushed = 0;
	tn_now_utc(now);
	if (tn_db_begin(db) != TN_OK)
		return tn_db_fail(db, err, "forget");
	rc = exec_bound(db, "UPDATE person SET name = NULL, email = NULL,"
			" forgotten_at = ?2 WHERE id = ?1 AND forgotten_at IS NULL",
			person_id, now, err);
	if (rc == TN_OK && sqlite3_changes(tn_db_sqlite(db)) == 1) {
		*done = 1;
		rc = exec_bound(db, "UPDATE follower SET handle = NULL"
				" WHERE person_id = ?1", person_id, NULL, err);
	}
	if (tn_db_end(db, rc != TN_OK) != TN_OK && rc == TN_OK)
		rc = tn_db_fail(db, err, "forget");
	/* The old page images live on in the WAL until a checkpoint copies
	 * the (zeroed) pages back; TRUNCATE then empties the WAL file. It
	 * cannot finish while another process reads the database: that is
	 * reported, not an error, and a repeated forget tries again. */
	if (rc == TN_OK)
		*flushed = tn_db_checkpoint(db);
	return rc;
}
