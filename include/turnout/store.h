/*
 * store.h - the SQLite store as the library modules use it (after
 * Fossil's db.c): nested transactions and a thin statement layer, so no
 * module repeats the prepare/bind/step/finalize dance. Only the library
 * includes this header; the front ends see db.h.
 *
 * Every call takes the caller's struct tn_err and, on failure, leaves
 * SQLite's reason in it ("database 'x.db': UNIQUE constraint failed:
 * channel.name"); tn_err_prefix adds the caller's context.
 */
#ifndef TURNOUT_STORE_H
#define TURNOUT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "turnout/db.h"

/* Starts a transaction: BEGIN IMMEDIATE at the outermost level, which
 * records the opener's file:line; inner levels only count. */
#define tn_db_begin(db, err) tn_db_begin_at((db), (err), __FILE__, __LINE__)
tn_code tn_db_begin_at(struct tn_db *db, struct tn_err *err, const char *file,
		       int line);
/* Starts a transaction for work in the TEMP schema only (staging
 * tables): BEGIN DEFERRED at the outermost level, which takes no lock on
 * the main database, so other processes go on writing meanwhile. Until
 * tn_db_lock it must neither write nor read the main database (a
 * tn_db_begin inside it is refused as a bug); it ends with tn_db_end like
 * any other. Inside a tn_db_begin transaction it only counts. */
#define tn_db_begin_temp(db, err) tn_db_begin_temp_at((db), (err), __FILE__, __LINE__)
tn_code tn_db_begin_temp_at(struct tn_db *db, struct tn_err *err,
			    const char *file, int line);
/* Takes the write lock for the TEMP-only transaction that is open,
 * waiting for it as tn_db_begin does (the same error when that times
 * out), so that it may then write the main database; its TEMP work stays
 * part of it, uncommitted. Does nothing in a transaction that already
 * writes. */
tn_code tn_db_lock(struct tn_db *db, struct tn_err *err);
/* Ends the innermost transaction. rc is the outcome of the step so far:
 * anything but TN_OK dooms the outermost transaction (rolled back when it
 * ends). Returns rc, or, when rc was TN_OK and the final COMMIT failed,
 * TN_DB with the reason in err (the transaction is then rolled back). */
tn_code tn_db_end(struct tn_db *db, tn_code rc, struct tn_err *err);

/* For a transaction that writes a great deal (an import): a thread that
 * has the kernel start writing the write-ahead log to the disk as it
 * grows, so that the COMMIT's fsync finds little left (writeback.c).
 * Start it when the transaction begins and stop it after tn_db_end.
 * NULL (nothing to stop) for a database in memory or when no thread can
 * start: the transaction is the same without it. */
struct tn_db_writeback;
struct tn_db_writeback *tn_db_writeback_start(struct tn_db *db);
void tn_db_writeback_stop(struct tn_db_writeback *wb);

/*
 * Statements. sql is one statement with numbered parameters ?1, ?2, …;
 * the values that follow bind to them in order, each wrapped in its type,
 * so the compiler checks every one:
 *   TN_T(const char *)        text; NULL binds NULL
 *   TN_I(int64_t)             integer
 *   TN_B(const void *, int)   blob and its length
 * Values only ever reach SQL through these binds. Strings are bound
 * without a copy: they must live until the call returns.
 */
struct tn_val {
	char type;               /* 't', 'i', 'b'; 0 ends nothing (unused) */
	const char *text;
	int64_t num;
	const void *blob;
	int len;
};
#define TN_T(s)    ((struct tn_val){ .type = 't', .text = (s) })
#define TN_I(n)    ((struct tn_val){ .type = 'i', .num = (n) })
#define TN_B(p, n) ((struct tn_val){ .type = 'b', .blob = (p), .len = (n) })
/* the values as an array and its length (a leading placeholder makes an
 * empty list legal C) */
#define TN_VALS_(...) ((const struct tn_val[]){ { 0 }, __VA_ARGS__ }) + 1, \
	(int)(sizeof((const struct tn_val[]){ { 0 }, __VA_ARGS__ }) / sizeof(struct tn_val)) - 1

/* Called for each result row; return TN_OK to go on, TN_DB_STOP to stop
 * early (the helper then returns TN_OK), anything else to fail with that
 * code (err set by the callback). */
typedef tn_code (*tn_row_fn)(void *ctx, sqlite3_stmt *row, struct tn_err *err);
#define TN_DB_STOP ((tn_code)100)

/* Runs a statement that returns no rows (or whose rows are ignored). */
#define tn_db_run(db, err, sql, ...) \
	tn_db_run_v((db), (err), (sql), TN_VALS_(__VA_ARGS__))
/* Runs a query and calls fn with its first row; TN_NOTFOUND (err left
 * alone) when there is none. */
#define tn_db_one(db, err, fn, ctx, sql, ...) \
	tn_db_rows_v((db), (err), (fn), (ctx), 1, (sql), TN_VALS_(__VA_ARGS__))
/* Runs a query and calls fn with each row. */
#define tn_db_each(db, err, fn, ctx, sql, ...) \
	tn_db_rows_v((db), (err), (fn), (ctx), 0, (sql), TN_VALS_(__VA_ARGS__))
/* Runs a query whose first column of the first row is an integer; NULL
 * gives 0. TN_NOTFOUND (err left alone) when there is no row. */
#define tn_db_int(db, err, out, sql, ...) \
	tn_db_int_v((db), (err), (out), (sql), TN_VALS_(__VA_ARGS__))
/* Prepares sql and binds the values given (the caller may bind the rest
 * itself), for the few loops that step a statement themselves (the bulk
 * import); caller finalizes. The other helpers refuse a statement whose
 * parameters and values differ in number. */
#define tn_db_prepare(db, err, st, sql, ...) \
	tn_db_prepare_v((db), (err), (st), (sql), TN_VALS_(__VA_ARGS__))

tn_code tn_db_run_v(struct tn_db *db, struct tn_err *err, const char *sql,
		    const struct tn_val *vals, int nvals);
tn_code tn_db_rows_v(struct tn_db *db, struct tn_err *err, tn_row_fn fn,
		     void *ctx, int one, const char *sql,
		     const struct tn_val *vals, int nvals);
tn_code tn_db_int_v(struct tn_db *db, struct tn_err *err, int64_t *out,
		    const char *sql, const struct tn_val *vals, int nvals);
tn_code tn_db_prepare_v(struct tn_db *db, struct tn_err *err, sqlite3_stmt **st,
			const char *sql, const struct tn_val *vals, int nvals);

/* Sets err from the connection's last SQLite error; returns TN_DB. When
 * another connection held the write lock past the busy timeout, the
 * message says so and the hint what to do, instead of SQLite's "database
 * is locked". */
tn_code tn_db_fail(struct tn_db *db, struct tn_err *err);
/* Runs SQL text without parameters (schema, pragmas; several statements). */
tn_code tn_db_exec(struct tn_db *db, const char *sql, struct tn_err *err);

/* The rowid of the last INSERT, and the rows the last statement changed. */
int64_t tn_db_last_id(struct tn_db *db);
int tn_db_changes(struct tn_db *db);
/* The connection, for the store's own users that need SQLite directly
 * (the bulk import's pragmas); NULL never. */
sqlite3 *tn_db_sqlite(struct tn_db *db);

/* A column as text, NULL when the value is NULL; valid until the next
 * step of the statement. */
const char *tn_db_text(sqlite3_stmt *row, int col);

/*
 * Rows held in C memory that SQL reads as a table, for bulk writes:
 * INSERT INTO t(...) SELECT ... FROM name runs one statement over a whole
 * batch instead of one per row. tn_db_rows_register makes name an
 * eponymous virtual table of the connection with the columns listed
 * (names without types, so comparisons take no affinity); before each
 * statement that reads it, the caller points src at its rows. The table
 * yields rows 0..n-1 in that order and uses no constraint or index;
 * cell sets column col of row i through sqlite3_result_*. src must
 * outlive the registration; tn_db_rows_unregister ends it (finalize the
 * statements that use name first). TN_NOMEM, TN_DB.
 */
struct tn_db_rows {
	const void *rows;
	size_t n;
	void (*cell)(const void *rows, size_t i, int col, sqlite3_context *out);
};
tn_code tn_db_rows_register(struct tn_db *db, const char *name,
			    const char *columns, struct tn_db_rows *src,
			    struct tn_err *err);
void tn_db_rows_unregister(struct tn_db *db, const char *name);

/* Copies the WAL into the database file and truncates the WAL to zero
 * bytes, so nothing written before lives on in it. Waits up to two
 * seconds for readers in other processes; returns 1 if done, 0 if they
 * kept it from finishing. */
int tn_db_checkpoint(struct tn_db *db);

#endif
