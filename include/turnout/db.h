/*
 * db.h - the SQLite store: opening, schema migrations, transactions.
 *
 * One struct tn_db per process. Opening applies the connection settings
 * every command relies on (WAL, foreign keys, a busy timeout, synchronous
 * FULL) and upgrades an older schema in place, keyed by PRAGMA
 * user_version. Transactions nest (after Fossil's db_begin_transaction):
 * only the outermost tn_db_end commits, and any rollback request inside
 * makes the whole outermost transaction roll back.
 */
#ifndef TURNOUT_DB_H
#define TURNOUT_DB_H

#include <sqlite3.h>

#include "turnout/err.h"

struct tn_db;

enum {
	TN_DB_CREATE = 1,   /* create the file if it does not exist */
};

/* The schema version this build writes (the number of migrations). */
int tn_db_schema_latest(void);

/* Opens (and migrates) the database at path. Without TN_DB_CREATE a
 * missing file is TN_NOINIT. On success *out is a new handle; the caller
 * closes it with tn_db_close. */
tn_code tn_db_open(const char *path, int flags, struct tn_db **out,
		   struct tn_err *err);
/* Closes the handle; rolls back a transaction left open. NULL is fine. */
void tn_db_close(struct tn_db *db);
sqlite3 *tn_db_sqlite(struct tn_db *db);
const char *tn_db_path(struct tn_db *db);

/* Starts a transaction (BEGIN IMMEDIATE at the outermost level). */
#define tn_db_begin(db) tn_db_begin_at((db), __FILE__, __LINE__)
tn_code tn_db_begin_at(struct tn_db *db, const char *file, int line);
/* Ends the innermost transaction; rollback != 0 dooms the outermost one.
 * Returns TN_DB if the final COMMIT failed (the transaction is then rolled
 * back), else TN_OK. */
tn_code tn_db_end(struct tn_db *db, int rollback);

/* Prepares sql; on failure writes the SQLite message into err. */
tn_code tn_db_prepare(struct tn_db *db, sqlite3_stmt **st, const char *sql,
		      struct tn_err *err);
/* Sets err from the connection's last SQLite error; returns TN_DB. */
tn_code tn_db_fail(struct tn_db *db, struct tn_err *err, const char *what);
/* Runs SQL without results (schema, pragmas). */
tn_code tn_db_exec(struct tn_db *db, const char *sql, struct tn_err *err);

/* Copies the WAL into the database file and truncates the WAL to zero
 * bytes, so nothing written before lives on in it. Waits up to two
 * seconds for readers in other processes; returns 1 if done, 0 if they
 * kept it from finishing. */
int tn_db_checkpoint(struct tn_db *db);

/* Setting store (table "setting"): value is NULL when unset. The returned
 * string is malloc'd; caller frees. */
tn_code tn_db_setting_get(struct tn_db *db, const char *key, char **value,
			  struct tn_err *err);
tn_code tn_db_setting_set(struct tn_db *db, const char *key,
			  const char *value, struct tn_err *err);

#endif
