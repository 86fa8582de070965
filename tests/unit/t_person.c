/*
 * t_person.c - person.c's rules without the CLI: merging two people.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "turnout/channel.h"
#include "turnout/person.h"
#include "turnout/store.h"

static struct tn_db *db;

static long long count(const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(tn_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The first column of the first row as text ("(null)" for NULL). */
static const char *text(const char *sql)
{
	static char out[512];
	sqlite3_stmt *st;

	strcpy(out, "(none)");
	if (sqlite3_prepare_v2(tn_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s",
			 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
						    : "(null)");
	sqlite3_finalize(st);
	return out;
}

/* Runs setup SQL in a transaction of its own (the store refuses commits
 * that tn_db_end does not make). */
static void exec(const char *sql)
{
	struct tn_err err;
	tn_code rc;

	if ((rc = tn_db_begin(db, &err)) == TN_OK) {
		rc = tn_db_exec(db, sql, &err);
		rc = tn_db_end(db, rc, &err);
	}
	if (rc != TN_OK)
		printf("# %s: %s\n", sql, err.msg);
}

#define FOLLOWS(id) \
	"SELECT group_concat(r, ' / ') FROM (SELECT channel_id || ':' ||" \
	" coalesce(handle, '-') || ',' || coalesce(region, '-') || ',' ||" \
	" coalesce(followed_at, '-') || ',' || coalesce(unfollowed_at, '-') AS r" \
	" FROM follower WHERE person_id = " #id " ORDER BY channel_id)"

static void test_merge(void)
{
	struct tn_err err;

	exec("INSERT INTO person(id, email, name, created_at) VALUES"
	     " (10, 'keep@example.org', NULL, '2026-02-01T00:00:00Z'),"
	     " (11, NULL, 'Gone Person', '2026-01-01T00:00:00Z'),"
	     " (12, 'other@example.org', 'Other', '2026-01-01T00:00:00Z')");
	exec("INSERT INTO follower(person_id, channel_id, handle, region, followed_at, unfollowed_at)"
	     " VALUES (10, 1, NULL, 'Riga', '2026-03-01', '2026-04-01'),"
	     "        (10, 2, 'keep_h', NULL, NULL, '2026-04-01'),"
	     "        (11, 1, 'gone_h', 'Tartu', '2026-01-01', NULL),"
	     "        (11, 2, 'gone_h', 'Tartu', '2026-05-01', '2026-06-01'),"
	     "        (11, 3, 'gone_v', NULL, NULL, NULL)");

	is_int(tn_person_merge(db, 10, 12, &err), TN_CONFLICT,
	       "a person with an address is not merged into another");
	ok(strstr(err.msg, "person 12: cannot be merged into person 10") != NULL, "and says why (%s)", err.msg);
	is_int(count("SELECT count(*) FROM person WHERE id = 12"), 1, "and stays");
	is_int(tn_person_merge(db, 10, 10, &err), TN_USAGE, "nor a person into itself");

	is_int(tn_person_merge(db, 10, 11, &err), TN_OK, "a person without an address merges");
	is_int(count("SELECT count(*) FROM person WHERE id = 11"), 0, "and is gone");
	is_str(text(FOLLOWS(10)),
	       "1:gone_h,Riga,2026-01-01,- / 2:keep_h,Tartu,2026-05-01,2026-06-01 / 3:gone_v,-,-,-",
	       "one row per channel: kept values first, the earlier date, following if either row was,"
	       " the later unfollow when both had left");
	is_str(text("SELECT name || ' ' || created_at FROM person WHERE id = 10"),
	       "Gone Person 2026-01-01T00:00:00Z", "the kept person takes the missing name and the earlier start");
	is_int(count("SELECT count(*) FROM follower WHERE person_id = 11"), 0, "no follow is left behind");
	is_int(count("SELECT count(*) FROM pragma_foreign_key_check"), 0, "no row points at nothing");
	ok(sqlite3_get_autocommit(tn_db_sqlite(db)), "no transaction left open");
}

int main(void)
{
	char dir[256], path[300];
	struct tn_err err;

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (tn_db_open(path, TN_DB_CREATE, &db, &err) != TN_OK ||
	    tn_channel_add(db, "news", "newsletter", NULL, -1, &err) != TN_OK ||
	    tn_channel_add(db, "tg", "telegram", NULL, -1, &err) != TN_OK ||
	    tn_channel_add(db, "vk", "vk", NULL, -1, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	test_merge();
	tn_db_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "cleanup");
	return tap_done();
}
