/*
 * t_person.c - person.c's rules without the CLI: merging two people,
 * the suppression list of forgotten people, the bulk writer's lookups
 * and what they cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/channel.h"
#include "turnout/person.h"
#include "turnout/store.h"

static struct tn_db *db;

static long long count(const char *sql)
{
	return tap_db_int(db, sql);
}

static const char *text(const char *sql)
{
	return tap_db_text(db, sql);
}

#define FOLLOWS(id) \
	"SELECT group_concat(r, ' / ') FROM (SELECT channel_id || ':' ||" \
	" coalesce(handle, '-') || ',' || coalesce(region, '-') || ',' ||" \
	" coalesce(followed_at, '-') || ',' || coalesce(unfollowed_at, '-') AS r" \
	" FROM follower WHERE person_id = " #id " ORDER BY channel_id)"

static void test_merge(void)
{
	struct tn_err err;

	tap_db_exec(db, "INSERT INTO person(id, email, name, created_at) VALUES"
	     " (10, 'keep@example.org', NULL, '2026-02-01T00:00:00Z'),"
	     " (11, NULL, 'Gone Person', '2026-01-01T00:00:00Z'),"
	     " (12, 'other@example.org', 'Other', '2026-01-01T00:00:00Z')");
	tap_db_exec(db, "INSERT INTO follower(person_id, channel_id, handle, region, followed_at, unfollowed_at)"
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

static void test_suppression(void)
{
	struct tn_forget_plan plan;
	struct tn_err err;
	int yes, done, flushed, removed;

	tap_db_exec(db, "INSERT INTO person(id, email, email_key, name, created_at) VALUES"
	     " (20, 'Sam.Gone@example.org', 'sam.gone@example.org', 'Sam', '2026-01-01T00:00:00Z')");
	tap_db_exec(db, "INSERT INTO follower(person_id, channel_id, handle) VALUES"
	     " (20, 1, NULL), (20, 2, 'SamTG'), (20, 3, 'samvk')");

	is_int(tn_person_suppressed(db, "sam.gone@example.org", "telegram", "samtg", &yes, &err),
	       TN_OK, "nothing is suppressed before a forget");
	is_int(yes, 0, "no");
	is_int(tn_person_suppressed(db, "not an address", NULL, NULL, &yes, &err), TN_BADINPUT,
	       "a bad address is bad input");
	is_str(err.field, "email", "about the e-mail");

	is_int(tn_person_forget_plan(db, 20, &plan, &err), TN_OK, "the plan of a forget");
	ok(!plan.forgotten && plan.name && plan.email && plan.handles == 2 && plan.follows == 3 &&
	   plan.identifiers == 3, "name, address, 2 handles, 3 rows kept, 3 identifiers listed");
	is_int(count("SELECT count(*) FROM suppression"), 0, "the plan changes nothing");

	is_int(tn_person_forget(db, 20, &done, &flushed, &err), TN_OK, "forget");
	is_int(count("SELECT count(*) FROM suppression"), 3, "three identifiers listed");
	is_int(count("SELECT count(*) FROM suppression_key"), 1, "under a key made then");
	is_int(tn_person_forget_plan(db, 20, &plan, &err), TN_OK, "a plan for a forgotten person");
	is_int(plan.forgotten, 1, "says so");

	tn_person_suppressed(db, "SAM.GONE@Example.ORG", NULL, NULL, &yes, &err);
	is_int(yes, 1, "the address in any case is suppressed");
	tn_person_suppressed(db, NULL, "telegram", "@samtg", &yes, &err);
	is_int(yes, 1, "the handle on a channel of its kind, in any case, with an @");
	tn_person_suppressed(db, NULL, "mastodon", "samtg", &yes, &err);
	is_int(yes, 0, "not on a channel of another kind");
	tn_person_suppressed(db, "other@example.org", "vk", "samvk", &yes, &err);
	is_int(yes, 1, "a row is suppressed when either is");

	is_int(tn_person_allow_return(db, "samtg", 1, &removed, &err), TN_OK, "a dry allow-return");
	is_int(removed, 1, "counts one entry");
	is_int(count("SELECT count(*) FROM suppression"), 3, "and removes nothing");
	is_int(tn_person_allow_return(db, "Sam.Gone@example.org", 0, &removed, &err), TN_OK,
	       "allow-return of the address");
	is_int(removed, 1, "removes its entry");
	tn_person_suppressed(db, "sam.gone@example.org", NULL, NULL, &yes, &err);
	is_int(yes, 0, "the address may come back");
	tn_person_suppressed(db, NULL, "vk", "samvk", &yes, &err);
	is_int(yes, 1, "its handles still may not");
	is_int(tn_person_allow_return(db, "sam.gone@example.org", 0, &removed, &err), TN_NOTFOUND,
	       "a second allow-return finds nothing");
	is_int(tn_person_allow_return(db, "20", 0, &removed, &err), TN_NOTFOUND,
	       "nor does an id");
	ok(err.hint[0] != '\0', "with a hint");
	ok(sqlite3_get_autocommit(tn_db_sqlite(db)), "no transaction left open");
}

/* The bulk writer's batch calls: a sorted batch of keys looked up by
 * walking the tables (people whose ids are not in key order, keys far
 * apart, a key that is no one's), then new people and follower rows
 * written in one statement each. */
static void test_batch(void)
{
	static const char *const keys[] = {
		"b30@example.org", "b31@example.org", "b32@example.org", "b33@example.org",
		"b34@example.org", "b35@example.org", "b36@example.org", "b37@example.org",
		"b38@example.org", "b39@example.org",
	};
	struct tn_person_row rows[6], *list[6];
	struct tn_person_writer *w;
	struct tn_err err;
	char sql[200];
	int64_t last;
	int i;

	/* ids in the reverse order of the keys; only some follow news (1) */
	for (i = 0; i < 10; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO person(id, email, name, created_at)"
			 " VALUES (%d, '%s', 'B%d', '2026-01-01T00:00:00Z')", 139 - i, keys[i], i);
		tap_db_exec(db, sql);
	}
	/* twenty people between b31 and b32, so the walk from b30 to b33
	 * seeks rather than steps */
	for (i = 0; i < 20; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO person(id, email, created_at)"
			 " VALUES (%d, 'b31a%02d@example.org', '2026-01-01T00:00:00Z')", 200 + i, i);
		tap_db_exec(db, sql);
	}
	tap_db_exec(db, "INSERT INTO follower(person_id, channel_id, handle, region, followed_at, unfollowed_at)"
	     " VALUES (139, 1, NULL, 'Riga', '2026-01-01', NULL),"
	     "        (133, 1, NULL, 'Riga', NULL, NULL),"
	     "        (130, 1, NULL, NULL, '2026-01-01', '2026-02-01'),"
	     "        (130, 2, 'b39tg', 'Oslo', NULL, NULL)");
	last = count("SELECT max(id) FROM person");
	memset(rows, 0, sizeof(rows));
	/* keys in order: b30, b33 (22 rows further: a seek), a new one, b36
	 * (the same region, a new date), b39 (unfollowed), another new one */
	rows[0] = (struct tn_person_row){ .email = "b30@example.org", .name = "B0",
					  .region = "Riga", .followed_at = "2026-01-01" };
	rows[1] = (struct tn_person_row){ .email = "b33@example.org", .name = "Other" };
	rows[2] = (struct tn_person_row){ .email = "B335@Example.org", .key = "b335@example.org",
					  .name = "New" };
	rows[3] = (struct tn_person_row){ .email = "b36@example.org", .region = "Riga",
					  .followed_at = "2026-03-03" };
	rows[4] = (struct tn_person_row){ .email = "b39@example.org" };
	rows[5] = (struct tn_person_row){ .email = "zz@example.org", .region = "Bergen" };

	if (tn_db_begin(db, &err) != TN_OK || tn_person_writer_open(db, 1, "newsletter", &w, &err) != TN_OK) {
		ok(0, "writer: %s", err.msg);
		return;
	}
	is_int(tn_person_writer_resolve(w, rows, 6, &err), TN_OK, "a batch is looked up");
	ok(rows[0].id == 139 && !rows[0].name_differs && rows[0].follows && !rows[0].follow_differs,
	   "a known person whose row would not change");
	ok(rows[1].id == 136 && rows[1].name_differs && !rows[1].follows,
	   "a new name, and no follower row on this channel");
	ok(rows[2].id == 0 && rows[5].id == 0, "keys that are no one's");
	ok(rows[3].id == 133 && rows[3].follows && rows[3].follow_differs,
	   "a follower row that a new date changes");
	ok(rows[4].id == 130 && rows[4].follows && rows[4].follow_differs,
	   "a follower row that has unfollowed changes (following again)");

	list[0] = &rows[2];
	list[1] = &rows[5];
	is_int(tn_person_writer_insert_rows(w, list, 2, &err), TN_OK, "new people inserted");
	ok(rows[2].id == last + 1 && rows[5].id == last + 2, "with the next ids, in order");
	list[0] = &rows[5];
	list[1] = &rows[1];
	list[2] = &rows[2];
	is_int(tn_person_writer_follow_rows(w, list, 3, &err), TN_OK, "follower rows inserted");
	ok(list[0]->id < list[1]->id && list[1]->id < list[2]->id, "in id order");
	is_int(tn_person_writer_follow_rows(w, list, 1, &err), TN_DB,
	       "a follower row that exists is an error");
	tn_person_writer_close(w);
	tn_db_end(db, TN_OK, &err);
	ok(sqlite3_get_autocommit(tn_db_sqlite(db)), "no transaction left open");
	is_str(text("SELECT coalesce(email_key, '-') || ' ' || name FROM person"
		    " WHERE email = 'B335@Example.org'"), "b335@example.org New",
	       "the key stored beside an address that is not its own key");
	is_str(text("SELECT region FROM follower f JOIN person p ON p.id = f.person_id"
		    " WHERE p.email = 'zz@example.org' AND f.channel_id = 1"), "Bergen",
	       "a new follower row with its values");
	is_int(count("SELECT count(*) FROM pragma_foreign_key_check"), 0, "no row points at nothing");
}

/* The steps of SQLite's virtual machine that every statement of the
 * connection took since the last call (which resets them): what the
 * writer's lookups read, counted rather than timed. */
static long long vm_steps(void)
{
	sqlite3_stmt *st = NULL;
	long long n = 0;

	while ((st = sqlite3_next_stmt(tn_db_sqlite(db), st)))
		n += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
	return n;
}

/* A batch whose people follow other channels: looking up their follower
 * rows of this channel reads about as many rows as the batch has, not
 * the other channels' rows up to the next one of this channel (which
 * made a fifth channel's import of 230,000 people take 17 minutes). */
static void test_batch_other_channels(void)
{
	enum { PEOPLE = 5000, EVERY = 25, BATCH = PEOPLE / EVERY };
	static struct tn_person_row rows[BATCH];
	static char email[BATCH][32];
	struct tn_person_writer *w;
	struct tn_err err;
	long long steps;
	int64_t target = 0;
	int i, right = 0;

	if (tn_channel_add(db, "o1", "newsletter", NULL, -1, &err) != TN_OK ||
	    tn_channel_add(db, "o2", "newsletter", NULL, -1, &err) != TN_OK ||
	    tn_channel_add(db, "o3", "newsletter", NULL, -1, &err) != TN_OK ||
	    tn_channel_add(db, "target", "newsletter", NULL, -1, &err) != TN_OK) {
		ok(0, "channels: %s", err.msg);
		return;
	}
	target = count("SELECT id FROM channel WHERE name = 'target'");
	/* people 10001..15000 follow o1..o3; only the last follows target */
	tap_db_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
		    " WHERE i < 5000) INSERT INTO person(id, email, created_at)"
		    " SELECT 10000 + i, printf('r%05d@example.org', i), '2026-01-01T00:00:00Z'"
		    " FROM n");
	tap_db_exec(db, "INSERT INTO follower(person_id, channel_id)"
		    " SELECT p.id, c.id FROM person p, channel c WHERE p.id > 10000"
		    " AND (c.name IN ('o1', 'o2', 'o3') OR (c.name = 'target' AND p.id = 15000))"
		    " ORDER BY 1, 2");
	/* every 25th person, in key order, up to the last */
	for (i = 0; i < BATCH; i++) {
		snprintf(email[i], sizeof(email[i]), "r%05d@example.org", (i + 1) * EVERY);
		rows[i] = (struct tn_person_row){ .email = email[i] };
	}
	if (tn_db_begin(db, &err) != TN_OK ||
	    tn_person_writer_open(db, target, "newsletter", &w, &err) != TN_OK) {
		ok(0, "writer: %s", err.msg);
		return;
	}
	vm_steps();
	is_int(tn_person_writer_resolve(w, rows, BATCH, &err), TN_OK,
	       "a batch of people who follow other channels is looked up");
	steps = vm_steps();
	for (i = 0; i < BATCH; i++)
		right += rows[i].id == 10000 + (i + 1) * EVERY &&
			 rows[i].follows == (i == BATCH - 1);
	is_int(right, BATCH, "each person found, and their row on this channel where they have one");
	/* Walking the other channels' rows up to the next row of target
	 * took 4.5 million steps here; each lookup takes a few hundred. */
	printf("# %lld steps for %d people\n", steps, BATCH);
	ok(steps < BATCH * 400LL, "the lookups read rows in proportion to the batch");
	tn_person_writer_close(w);
	tn_db_end(db, TN_OK, &err);

	/* with the foreign-key checks off, a writer merges no one: a merge
	 * deletes a person whom other rows might still name */
	sqlite3_exec(tn_db_sqlite(db), "PRAGMA foreign_keys=OFF", NULL, NULL, NULL);
	if (tn_db_begin(db, &err) == TN_OK &&
	    tn_person_writer_open(db, target, "newsletter", &w, &err) == TN_OK) {
		is_int(tn_person_writer_merge(w, 10001, 10002, &err), TN_DB,
		       "no merge while foreign keys are off");
		tn_person_writer_close(w);
	} else {
		ok(0, "writer: %s", err.msg);
	}
	is_int(tn_person_writer_open(db, 9999, "newsletter", &w, &err), TN_NOTFOUND,
	       "nor a writer for a channel that does not exist");
	tn_db_end(db, TN_OK, &err);
	sqlite3_exec(tn_db_sqlite(db), "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	is_int(count("SELECT count(*) FROM person WHERE id IN (10001, 10002)"), 2,
	       "both people still there");
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
	test_suppression();
	test_batch();
	test_batch_other_channels();
	tn_db_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "cleanup");
	return tap_done();
}
