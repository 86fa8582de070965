/* Unit tests: opening, migrations, nested transactions, settings, whose
 * file it is, and the permissions of new files. */
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/store.h"

#define SET "INSERT INTO setting(key, value) VALUES(?1, ?2)" \
	" ON CONFLICT(key) DO UPDATE SET value = excluded.value"

static int count(struct tn_db *db, const char *sql)
{
	return (int)tap_db_int(db, sql);
}

/* The first column of the first row of sql as text ("" if none). */
static const char *text(struct tn_db *db, const char *sql)
{
	static char out[512];
	sqlite3_stmt *st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(tn_db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return "(bad sql)";
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void copy_file(const char *from, const char *to)
{
	char buf[8192];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

/* The whole file at path (NULL if it cannot be read); *len its size.
 * Caller frees. */
static char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;

	*len = -1;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (*len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (data = malloc(*len + 1)) &&
	    fread(data, 1, *len, f) != (size_t)*len) {
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

/* Runs sql on the file with SQLite itself (another program). */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *raw;

	sqlite3_open(path, &raw);
	sqlite3_exec(raw, sql, NULL, NULL, NULL);
	sqlite3_close(raw);
}

static int side_exists(const char *path, const char *suffix)
{
	char side[600];

	snprintf(side, sizeof(side), "%s%s", path, suffix);
	return access(side, F_OK) == 0;
}

static int mode_of(const char *path, const char *suffix)
{
	char side[600];
	struct stat sb;

	snprintf(side, sizeof(side), "%s%s", path, suffix);
	return stat(side, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

/* tn_db_open must refuse the file at path as not turnout's (plain, for
 * init and for a reader), naming why in the hint, and leave every byte of
 * it as it was, with no -wal or -shm beside it. */
static void refused_unchanged(const char *path, const char *hint, const char *what)
{
	struct tn_db *db = NULL;
	struct tn_err err = TN_ERR_INIT;
	long before_len, after_len;
	char *before = slurp(path, &before_len), *after;
	int flags[] = { 0, TN_DB_CREATE, TN_DB_READ }, i;

	for (i = 0; i < 3; i++) {
		is_int(tn_db_open(path, flags[i], &db, &err), TN_FAIL,
		       "%s is refused (flags %d)", what, flags[i]);
		ok(strstr(err.msg, "not a turnout database") && strstr(err.hint, hint),
		   "saying so: %s (%s)", err.msg, err.hint);
		tn_db_close(db);
		db = NULL;
	}
	after = slurp(path, &after_len);
	ok(before && after && before_len == after_len && memcmp(before, after, before_len) == 0,
	   "and %s is byte for byte as it was", what);
	ok(!side_exists(path, "-wal") && !side_exists(path, "-shm"), "with no -wal or -shm beside it");
	free(before);
	free(after);
}

/* A file is turnout's only when it carries the mark, or is exactly what
 * an earlier turnout made; anything else is never changed. */
static void test_whose_file(const char *dir, const char *top)
{
	char path[512], fixture[512];
	struct tn_db *db = NULL;
	struct tn_err err = TN_ERR_INIT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/notes.db", dir);
	raw_exec(path, "CREATE TABLE notes(x); PRAGMA user_version=1");
	refused_unchanged(path, "another program's tables", "another program's database at version 1");

	snprintf(path, sizeof(path), "%s/notes42.db", dir);
	raw_exec(path, "CREATE TABLE notes(x); PRAGMA user_version=42");
	refused_unchanged(path, "another program's tables", "one at version 42");

	snprintf(path, sizeof(path), "%s/notes-wal.db", dir);
	raw_exec(path, "PRAGMA journal_mode=WAL; CREATE TABLE notes(x); PRAGMA user_version=2");
	refused_unchanged(path, "another program's tables", "a WAL-mode one");

	snprintf(path, sizeof(path), "%s/future.db", dir);
	raw_exec(path, "PRAGMA user_version=999");
	refused_unchanged(path, "schema version 999", "an unmarked file at version 999");

	snprintf(fixture, sizeof(fixture), "%s/tests/data/schema-v1.db", top ? top : ".");
	snprintf(path, sizeof(path), "%s/v1-extra.db", dir);
	copy_file(fixture, path);
	raw_exec(path, "PRAGMA journal_mode=DELETE; CREATE TABLE notes(x)");
	refused_unchanged(path, "another program's tables", "a version-1 schema with one more table");

	snprintf(path, sizeof(path), "%s/v1-less.db", dir);
	copy_file(fixture, path);
	raw_exec(path, "PRAGMA journal_mode=DELETE; DROP INDEX follower_handle");
	refused_unchanged(path, "another program's tables", "a version-1 schema without an index");

	snprintf(path, sizeof(path), "%s/v2-as-v1.db", dir);
	snprintf(fixture, sizeof(fixture), "%s/tests/data/schema-v2.db", top ? top : ".");
	copy_file(fixture, path);
	raw_exec(path, "PRAGMA journal_mode=DELETE; PRAGMA user_version=1");
	refused_unchanged(path, "another program's tables", "a version-2 schema that says version 1");

	snprintf(path, sizeof(path), "%s/other-app.db", dir);
	copy_file(fixture, path);
	raw_exec(path, "PRAGMA journal_mode=DELETE; PRAGMA application_id=1234");
	refused_unchanged(path, "another program's mark (application_id 1234)",
			  "a turnout schema with another program's mark");

	snprintf(path, sizeof(path), "%s/text.db", dir);
	f = fopen(path, "w");
	fputs("name,email\nAnna,anna@example.org\n", f);
	fclose(f);
	refused_unchanged(path, "not an SQLite database", "a text file");

	snprintf(path, sizeof(path), "%s/marked-future.db", dir);
	raw_exec(path, "PRAGMA application_id=1416515445; PRAGMA user_version=999");
	is_int(tn_db_open(path, 0, &db, &err), TN_FAIL, "a marked file from a newer turnout is refused");
	ok(strstr(err.msg, "newer than this turnout") != NULL, "with a clear message: %s", err.msg);

	is_int(tn_db_open(":memory:", TN_DB_CREATE, &db, &err), TN_USAGE, "':memory:' is not a file name");
	ok(strstr(err.msg, "not a file name") && strstr(err.hint, "./:memory:"),
	   "and the hint says how to name such a file: %s", err.hint);
	is_int(tn_db_open("file:x.db?mode=memory", TN_DB_CREATE, &db, &err), TN_USAGE,
	       "nor is an SQLite URI");
	is_int(tn_db_open("", TN_DB_CREATE, &db, &err), TN_USAGE, "nor the empty name");
	ok(access("file:x.db?mode=memory", F_OK) != 0, "and no file of that name appears");
	is_int(tn_db_open(NULL, TN_DB_MEMORY, &db, &err), TN_OK, "TN_DB_MEMORY opens one in memory");
	if (db) {
		is_int(count(db, "PRAGMA user_version"), tn_db_schema_latest(), "at the latest schema");
		tn_db_close(db);
	}
}

/* A new database and the files beside it are the owner's only. */
static void test_permissions(const char *dir)
{
	char path[512];
	struct tn_db *db = NULL;
	struct tn_err err = TN_ERR_INIT;
	mode_t old = umask(0);

	snprintf(path, sizeof(path), "%s/private.db", dir);
	is_int(tn_db_open(path, TN_DB_CREATE, &db, &err), TN_OK, "a new database under umask 0 (%s)", err.msg);
	umask(old);
	if (!db)
		return;
	is_int(count(db, "PRAGMA application_id"), 0x546E4F75, "it carries turnout's mark, \"TnOu\"");
	{
		long len;
		char *bytes = slurp(path, &len);

		ok(bytes && len >= 100 && memcmp(bytes + 68, "TnOu", 4) == 0,
		   "in the main file's header already, not only in the WAL");
		free(bytes);
	}
	is_int(mode_of(path, ""), 0600, "the database is 0600 whatever the umask");
	is_int(mode_of(path, "-wal"), 0600, "and so is its -wal");
	is_int(mode_of(path, "-shm"), 0600, "and its -shm");
	is_int(tn_db_too_open(db), 0, "nothing to warn about");
	tn_db_close(db);
	ok(side_exists(path, "-wal") && side_exists(path, "-shm"),
	   "the -wal and -shm stay beside it for readers who may not create them");

	chmod(path, 0644);
	is_int(tn_db_path_too_open(path), TN_DB_OTHERS_READ, "a 0644 file is readable by others");
	is_int(tn_db_open(path, 0, &db, &err), TN_OK, "it opens all the same");
	if (db) {
		is_int(tn_db_too_open(db), TN_DB_OTHERS_READ, "and the handle says others may read it");
		is_int(mode_of(path, "-wal"), 0644, "the -wal follows a chmod of the database");
		is_int(mode_of(path, "-shm"), 0644, "and so does the -shm");
		tn_db_close(db);
	}
	chmod(path, 0620);
	is_int(tn_db_path_too_open(path), TN_DB_OTHERS_WRITE, "a 0620 file is writable by its group");
	chmod(path, 0600);
	is_int(tn_db_open(path, 0, &db, &err), TN_OK, "after chmod 600");
	if (db) {
		is_int(tn_db_too_open(db), 0, "nothing to warn about");
		is_int(mode_of(path, "-shm"), 0600, "and the -shm is the owner's only again");
		tn_db_close(db);
	}
}

/* tests/data/schema-v2.db was made by turnout at schema version 2
 * (tests/data/schema-v2.sql is its dump): one address in three forms of
 * its domain (anna@ПРИМЕР.РФ, anna@xn--e1afmkfd.xn--p1ai, anna@пример.рф)
 * and a fourth that differs in the local part (Anna@ПРИМЕР.РФ), a
 * German IDN in two forms (juergen@xn--bcher-kva.de first, nameless;
 * juergen@bÜcher.de with a decomposed name and region), and people the
 * upgrade must leave alone. */
static void test_v2_upgrade(const char *dir, const char *top)
{
	char path[512], fixture[512];
	struct tn_db *db;
	struct tn_err err;

	snprintf(fixture, sizeof(fixture), "%s/tests/data/schema-v2.db", top ? top : ".");
	snprintf(path, sizeof(path), "%s/v2.db", dir);
	copy_file(fixture, path);
	is_int(tn_db_open(path, 0, &db, &err), TN_OK, "the v2 fixture opens (%s)", err.msg);
	if (!db)
		return;
	is_int(count(db, "PRAGMA user_version"), tn_db_schema_latest(), "and is upgraded to the latest version");
	is_int(count(db, "PRAGMA application_id"), 0x546E4F75, "and marked as turnout's");
	is_int(count(db, "SELECT count(*) FROM person"), 5,
	       "four people of one address are one (schema 4 ignores the local part's ASCII case); the rest are kept");
	is_str(text(db, "SELECT group_concat(id, ',') FROM (SELECT id FROM person ORDER BY id)"),
	       "1,5,7,8,9", "the oldest person of each address keeps its id");
	is_str(text(db, "SELECT email FROM person WHERE id = 1"), "anna@xn--e1afmkfd.xn--p1ai",
	       "the address is stored with its A-label");
	is_str(text(db, "SELECT name FROM person WHERE id = 1"), "Анна Петрова", "the kept person's name stays");
	is_str(text(db, "SELECT email || ' ' || hex(name) FROM person WHERE id = 5"),
	       "juergen@xn--bcher-kva.de 4AC3BC7267656E204DC3BC6C6C6572",
	       "a nameless kept person takes the other's name, in NFC");
	is_str(text(db, "SELECT email FROM person WHERE id = 7"), "bob@example.org", "an ASCII address is unchanged");
	is_int(count(db, "SELECT count(*) FROM person WHERE id IN (8, 9) AND email IS NULL"), 2,
	       "people without an address (one forgotten) are kept");
	is_str(text(db, "SELECT group_concat(r, ' / ') FROM (SELECT channel_id || ':' ||"
		       " coalesce(handle, '-') || ',' || coalesce(region, '-') || ',' ||"
		       " coalesce(followed_at, '-') || ',' || coalesce(unfollowed_at, '-') AS r"
		       " FROM follower WHERE person_id = 1 ORDER BY channel_id)"),
	       "1:annap,Москва,2026-01-15,- / 2:anna_tg,Москва,2025-12-01,- / 3:anna@social.example,-,-,-",
	       "follows merged: earliest followed_at, non-NULL values, still following if one row is");
	is_int(count(db, "SELECT count(*) FROM follower WHERE person_id IN (2, 3, 4, 6)"), 0,
	       "no follow is left with a removed person");
	is_int(count(db, "SELECT count(*) FROM follower"), 8, "every other follow is kept");
	is_str(text(db, "SELECT hex(region) FROM follower WHERE person_id = 5 AND channel_id = 2"),
	       "4DC3BC6E6368656E", "a decomposed region is stored in NFC");
	is_int(count(db, "SELECT count(*) FROM event"), 1, "events are kept");
	is_int(count(db, "SELECT count(*) FROM temp.sqlite_schema"), 0, "no temporary table is left");
	is_int(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0, "no row points at nothing");
	is_int(count(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1,
	       "the upgraded file passes integrity_check");
	tn_db_close(db);
}

/* tests/data/schema-v3.db was made by turnout at schema version 3
 * (tests/data/schema-v3.sql is its dump): one address in three cases of
 * its local part (people 1, 6, 9: Anna.Weber@, anna.weber@ with an
 * unfollowed newsletter row, ANNA.WEBER@), person 7 known only by the
 * handle ztg on tg, which person 4 (z@x.example) later brought with their
 * address, person 10 with the handle ztg on Mastodon (another kind),
 * Ünal@ and ünal@ (5 and 8: a non-ASCII letter's case), and a forgotten
 * person (3). */
static void test_v3_upgrade(const char *dir, const char *top)
{
	char path[512], fixture[512];
	struct tn_db *db;
	struct tn_err err;

	snprintf(fixture, sizeof(fixture), "%s/tests/data/schema-v3.db", top ? top : ".");
	snprintf(path, sizeof(path), "%s/v3.db", dir);
	copy_file(fixture, path);
	is_int(tn_db_open(path, 0, &db, &err), TN_OK, "the v3 fixture opens (%s)", err.msg);
	if (!db)
		return;
	is_int(count(db, "PRAGMA user_version"), tn_db_schema_latest(), "and is upgraded to the latest version");
	is_str(text(db, "SELECT group_concat(id, ',') FROM (SELECT id FROM person ORDER BY id)"),
	       "1,2,3,4,5,8,10", "the oldest person of one address keeps its id; the handle-only person is merged");
	is_str(text(db, "SELECT email || '|' || name || '|' || created_at FROM person WHERE id = 1"),
	       "Anna.Weber@posteo.de|Anna Weber|2026-09-02T10:00:00Z",
	       "the address as first written, the kept person's name");
	is_str(text(db, "SELECT group_concat(id || ':' || coalesce(email_key, '-'), ' ') FROM"
		    " (SELECT id, email_key FROM person WHERE email IS NOT NULL ORDER BY id)"),
	       "1:anna.weber@posteo.de 2:- 4:- 5:- 8:-",
	       "the key is stored where it differs from the address");
	is_int(count(db, "SELECT id FROM person WHERE coalesce(email_key, email) = 'anna.weber@posteo.de'"), 1,
	       "and is what the address is found by");
	is_int(count(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'person_email'"
		     " AND sql LIKE '%UNIQUE%coalesce(email_key, email)%'"), 1, "which is unique");
	is_str(text(db, "SELECT group_concat(r, ' / ') FROM (SELECT channel_id || ':' ||"
		       " coalesce(handle, '-') || ',' || coalesce(region, '-') || ',' ||"
		       " coalesce(followed_at, '-') || ',' || coalesce(unfollowed_at, '-') AS r"
		       " FROM follower WHERE person_id = 1 ORDER BY channel_id)"),
	       "1:-,Berlin,2025-10-01,- / 2:anna_w,-,2025-09-09,- / 4:anna@social.example,-,-,-",
	       "follows merged: the earlier followed_at, the known values, still following if one row is");
	is_str(text(db, "SELECT name || '|' || created_at FROM person WHERE id = 4"),
	       "Zed|2026-09-02T10:00:00Z", "the address's person takes the handle-only person's name");
	is_str(text(db, "SELECT group_concat(r, ' / ') FROM (SELECT channel_id || ':' ||"
		       " coalesce(handle, '-') || ',' || coalesce(region, '-') || ',' ||"
		       " coalesce(followed_at, '-') AS r FROM follower WHERE person_id = 4 ORDER BY channel_id)"),
	       "1:-,-,2026-02-02 / 2:ztg,Riga,2026-01-15 / 3:ZTG,-,-",
	       "and their tg row: one row, the earlier date");
	is_int(count(db, "SELECT count(*) FROM follower WHERE person_id = 10"), 1,
	       "the same handle on a channel of another kind is someone else");
	is_str(text(db, "SELECT group_concat(email, ' ') FROM (SELECT email FROM person"
		    " WHERE id IN (5, 8) ORDER BY id)"),
	       "\xC3\x9Cnal@example.org \xC3\xBCnal@example.org", "a non-ASCII letter keeps its case");
	is_int(count(db, "SELECT count(*) FROM person WHERE id = 3 AND email IS NULL"
		     " AND forgotten_at IS NOT NULL"), 1, "the forgotten person stays forgotten");
	is_int(count(db, "SELECT count(*) FROM follower"), 11, "every other follow is kept");
	is_int(count(db, "SELECT count(*) FROM suppression") +
	       count(db, "SELECT count(*) FROM suppression_key"), 0, "the suppression list starts empty");
	is_int(count(db, "SELECT count(*) FROM temp.sqlite_schema"), 0, "no temporary table is left");
	is_int(count(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0, "no row points at nothing");
	is_int(count(db, "PRAGMA defer_foreign_keys"), 0, "foreign keys are checked at once again");
	is_int(count(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1,
	       "the upgraded file passes integrity_check");
	tn_db_close(db);
}

/* Another connection holds the write lock: a writing transaction fails
 * with a message that says so, TEMP-only work goes on meanwhile. */
static void test_locked(const char *dir)
{
	char path[512];
	struct tn_db *db;
	struct tn_err err;
	sqlite3 *other;

	snprintf(path, sizeof(path), "%s/locked.db", dir);
	if (tn_db_open(path, TN_DB_CREATE, &db, &err) != TN_OK) {
		ok(0, "open: %s", err.msg);
		return;
	}
	sqlite3_open(path, &other);
	sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_busy_timeout(tn_db_sqlite(db), 50);

	is_int(tn_db_begin(db, &err), TN_DB, "a writing transaction cannot start while another writer holds the lock");
	ok(strstr(err.msg, "locked.db' is locked by another writer (an import or another turnout command)") != NULL,
	   "the message says who holds it (%s)", err.msg);
	is_str(err.hint, "try again when it has finished", "and the hint what to do");
	is_int(tn_db_exec(db, "INSERT INTO setting(key, value) VALUES('k', 'v')", &err), TN_DB,
	       "so does a statement run on its own");
	ok(strstr(err.msg, "is locked by another writer") != NULL, "with the same message (%s)", err.msg);

	is_int(tn_db_begin_temp(db, &err), TN_OK, "a TEMP-only transaction starts all the same");
	is_int(tn_db_exec(db, "CREATE TEMP TABLE stage(x); INSERT INTO temp.stage VALUES(1)", &err),
	       TN_OK, "and writes TEMP tables");
	is_int(tn_db_begin(db, &err), TN_DB, "a writing transaction inside it is refused");
	is_int(tn_db_lock(db, &err), TN_DB, "taking the write lock waits, then fails");
	ok(strstr(err.msg, "is locked by another writer") != NULL, "with the same message (%s)", err.msg);
	sqlite3_exec(other, "COMMIT", NULL, NULL, NULL);
	is_int(tn_db_lock(db, &err), TN_OK, "once the other writer is done, the lock is taken");
	sqlite3_busy_timeout(other, 0);
	ok(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_BUSY,
	   "and held: another writer cannot start");
	is_int(tn_db_begin(db, &err), TN_OK, "a writing transaction may nest now");
	is_int(tn_db_exec(db, "INSERT INTO setting(key, value) SELECT 'k', x FROM temp.stage", &err),
	       TN_OK, "the TEMP work is there to write from");
	is_int(tn_db_end(db, TN_OK, &err), TN_OK, "inner end");
	is_int(tn_db_end(db, TN_OK, &err), TN_OK, "committed");
	is_int(count(db, "SELECT count(*) FROM setting WHERE key = 'k'"), 1, "the row is in");
	is_int(tn_db_begin_temp(db, &err), TN_OK, "another TEMP-only transaction");
	is_int(tn_db_exec(db, "INSERT INTO temp.stage VALUES(2)", &err), TN_OK, "writes");
	is_int(tn_db_end(db, TN_FAIL, &err), TN_FAIL, "and rolls back");
	is_int(count(db, "SELECT count(*) FROM temp.stage"), 1, "its TEMP work with it");
	sqlite3_close(other);
	tn_db_close(db);
}

/* The early writeback of a long transaction's log: none for a database
 * in memory; around a transaction that spills many pages to the WAL the
 * thread starts, runs while the rows are written and stops, and the
 * commit, the rows and the locks on the database are as without it. */
static void test_writeback(const char *dir)
{
	char path[512];
	struct tn_db *db, *mem;
	struct tn_db_writeback *wb;
	struct tn_err err;
	sqlite3 *other;
	char cmd[700];
	int i;

	is_int(tn_db_open(NULL, TN_DB_MEMORY, &mem, &err), TN_OK, "a database in memory");
	ok(tn_db_writeback_start(mem) == NULL, "has no log to write back");
	tn_db_writeback_stop(NULL);
	tn_db_close(mem);

	snprintf(path, sizeof(path), "%s/writeback.db", dir);
	if (tn_db_open(path, TN_DB_CREATE, &db, &err) != TN_OK) {
		ok(0, "open: %s", err.msg);
		return;
	}
	tn_db_exec(db, "PRAGMA cache_size=-1024", &err);   /* 1 MiB: it spills */
	is_int(tn_db_begin(db, &err), TN_OK, "a long transaction");
	wb = tn_db_writeback_start(db);
	ok(wb != NULL, "its writeback starts");
	for (i = 0; i < 200; i++) {
		char key[32];

		snprintf(key, sizeof(key), "wb%03d", i);
		if (tn_db_run(db, &err, "INSERT INTO setting(key, value) VALUES(?1, printf('%.*c', 20000, 'x'))",
			      TN_T(key)) != TN_OK)
			break;
		if (i == 100)
			usleep(50000);   /* long enough for the thread to run */
	}
	is_int(i, 200, "4 MB of rows written meanwhile");
	ok(side_exists(path, "-wal"), "through the WAL");
	is_int(tn_db_end(db, TN_OK, &err), TN_OK, "committed");
	tn_db_writeback_stop(wb);
	is_int(count(db, "SELECT count(*) FROM setting WHERE key LIKE 'wb%'"), 200, "every row is in");
	/* the thread opened and closed the -wal file, never the database
	 * file, whose POSIX locks a close would drop for the whole process:
	 * another process that closes its connection must still find this
	 * one's read lock, and leave the WAL alone */
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'SELECT count(*) FROM setting' >/dev/null", path);
	is_int(system(cmd), 0, "another process reads the database");
	ok(side_exists(path, "-wal") && side_exists(path, "-shm"),
	   "and, closing, leaves the WAL of this open connection");
	is_int(tn_db_begin(db, &err), TN_OK, "a writing transaction again");
	sqlite3_open(path, &other);
	sqlite3_busy_timeout(other, 0);
	ok(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_BUSY,
	   "holds the write lock against another connection");
	sqlite3_close(other);
	tn_db_end(db, TN_OK, &err);
	tn_db_close(db);
}

int main(void)
{
	char dir[256], path[512], fixture[512];
	struct tn_db *db;
	struct tn_err err;
	int64_t n = 0;
	const char *top = getenv("TN_TOP");

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/missing.db", dir);
	is_int(tn_db_open(path, 0, &db, &err), TN_NOINIT, "a missing file is not created without TN_DB_CREATE");
	ok(access(path, F_OK) != 0, "and no file appears");

	snprintf(path, sizeof(path), "%s/new.db", dir);
	is_int(tn_db_open(path, TN_DB_CREATE, &db, &err), TN_OK, "a new database opens");
	is_int(count(db, "PRAGMA user_version"), tn_db_schema_latest(), "it is at the latest schema");
	is_int(count(db, "PRAGMA foreign_keys"), 1, "foreign keys are on");
	is_int(count(db, "PRAGMA secure_delete"), 1, "secure_delete is on");
	is_int(count(db, "PRAGMA synchronous"), 2, "synchronous is FULL");

	/* nested transactions: an inner rollback dooms the outer one */
	tn_db_begin(db, &err);
	tn_db_run(db, &err, SET, TN_T("a"), TN_T("1"));
	tn_db_begin(db, &err);
	tn_db_run(db, &err, SET, TN_T("b"), TN_T("2"));
	is_int(tn_db_end(db, TN_FAIL, &err), TN_FAIL, "an inner end passes a failure on");
	is_int(tn_db_end(db, TN_OK, &err), TN_OK, "the outer end of a doomed transaction rolls back");
	is_int(count(db, "SELECT count(*) FROM setting"), 0, "an inner rollback rolls back the whole transaction");
	tn_db_begin(db, &err);
	tn_db_run(db, &err, SET, TN_T("a"), TN_T("1"));
	tn_db_begin(db, &err);
	tn_db_run(db, &err, SET, TN_T("a"), TN_T("3"));
	tn_db_end(db, TN_OK, &err);
	tn_db_end(db, TN_OK, &err);
	is_int(count(db, "SELECT count(*) FROM setting WHERE key = 'a' AND value = '3'"), 1,
	       "nested commits commit once, last value wins");

	/* the statement helpers */
	is_int(tn_db_int(db, &err, &n, "SELECT count(*) FROM setting WHERE key = ?1", TN_T("a")),
	       TN_OK, "tn_db_int reads one integer");
	is_int((int)n, 1, "and gives its value");
	is_int(tn_db_int(db, &err, &n, "SELECT 1 FROM setting WHERE key = ?1", TN_T("nope")),
	       TN_NOTFOUND, "tn_db_int without a row is TN_NOTFOUND");
	is_int(tn_db_run(db, &err, "INSERT INTO setting(key, value) VALUES(?1, NULL)", TN_T("x")),
	       TN_DB, "a failing statement is TN_DB");
	ok(strstr(err.msg, "NOT NULL constraint failed: setting.value") != NULL,
	   "with SQLite's reason (%s)", err.msg);
	ok(strstr(err.msg, "new.db") != NULL, "and the database named");
	is_int(tn_db_run(db, &err, "SELECT ?1, ?2", TN_T("one value for two")), TN_DB,
	       "a statement given fewer values than it has parameters is refused");
	is_int(tn_db_int(db, &err, &n, "SELECT ?1 + length(?2) + length(?3)", TN_I(40),
			 TN_T("ab"), TN_B("xyz", 3)), TN_OK, "integers, text and blobs bind");
	is_int((int)n, 45, "in the order given");
	tn_db_close(db);

	/* a database of the first schema version is upgraded in place */
	snprintf(fixture, sizeof(fixture), "%s/tests/data/schema-v1.db", top ? top : ".");
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	copy_file(fixture, path);
	is_int(tn_db_open(path, 0, &db, &err), TN_OK, "the v1 fixture opens (%s)", err.msg);
	if (db) {
		is_int(count(db, "PRAGMA user_version"), tn_db_schema_latest(), "and is upgraded to the latest version");
		is_int(count(db, "PRAGMA application_id"), 0x546E4F75, "and marked as turnout's");
		is_int(count(db, "SELECT count(*) FROM person"), 3, "its people are kept");
		is_int(count(db, "SELECT count(*) FROM follower"), 4, "its followers are kept");
		is_int(count(db, "SELECT count(*) FROM channel"), 2, "its channels are kept");
		is_int(count(db, "SELECT count(*) FROM event"), 0, "the event table exists");
		is_int(count(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1,
		       "the upgraded file passes integrity_check");
		tn_db_close(db);
	}

	test_v2_upgrade(dir, top);
	test_whose_file(dir, top);
	test_permissions(dir);
	test_v3_upgrade(dir, top);
	test_locked(dir);
	test_writeback(dir);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
