/* Unit tests: opening, migrations, nested transactions, settings. */
#include <unistd.h>

#include "tap.h"
#include "turnout/db.h"

static int count(struct tn_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(tn_db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
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

int main(void)
{
	char dir[256], path[512], fixture[512];
	struct tn_db *db;
	struct tn_err err;
	char *v;
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
	tn_db_begin(db);
	tn_db_setting_set(db, "a", "1", &err);
	tn_db_begin(db);
	tn_db_setting_set(db, "b", "2", &err);
	tn_db_end(db, 1);
	tn_db_end(db, 0);
	is_int(count(db, "SELECT count(*) FROM setting"), 0, "an inner rollback rolls back the whole transaction");
	tn_db_begin(db);
	tn_db_setting_set(db, "a", "1", &err);
	tn_db_begin(db);
	tn_db_setting_set(db, "a", "3", &err);
	tn_db_end(db, 0);
	tn_db_end(db, 0);
	tn_db_setting_get(db, "a", &v, &err);
	is_str(v, "3", "nested commits commit once, last value wins");
	free(v);
	tn_db_setting_get(db, "nope", &v, &err);
	ok(v == NULL, "an unset setting reads as NULL");
	tn_db_close(db);

	/* a database of the first schema version is upgraded in place */
	snprintf(fixture, sizeof(fixture), "%s/tests/data/schema-v1.db", top ? top : ".");
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	copy_file(fixture, path);
	is_int(tn_db_open(path, 0, &db, &err), TN_OK, "the v1 fixture opens (%s)", err.msg);
	if (db) {
		is_int(count(db, "PRAGMA user_version"), tn_db_schema_latest(), "and is upgraded to the latest version");
		is_int(count(db, "SELECT count(*) FROM person"), 3, "its people are kept");
		is_int(count(db, "SELECT count(*) FROM follower"), 4, "its followers are kept");
		is_int(count(db, "SELECT count(*) FROM channel"), 2, "its channels are kept");
		is_int(count(db, "SELECT count(*) FROM event"), 0, "the event table exists");
		is_int(count(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1,
		       "the upgraded file passes integrity_check");
		tn_db_close(db);
	}

	/* a database from a newer turnout is refused, untouched */
	sqlite3 *raw;
	snprintf(path, sizeof(path), "%s/future.db", dir);
	sqlite3_open(path, &raw);
	sqlite3_exec(raw, "PRAGMA user_version=999", NULL, NULL, NULL);
	sqlite3_close(raw);
	is_int(tn_db_open(path, 0, &db, &err), TN_FAIL, "a newer schema is refused");
	ok(strstr(err.msg, "newer than this turnout") != NULL, "with a clear message: %s", err.msg);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
