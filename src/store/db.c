/*
 * db.c - opening the SQLite store, migrating its schema, and nested
 * transactions, and the statement helpers every module writes its SQL
 * with (store.h). Owns no table: the schema text lives in schema.c, and
 * each table belongs to one concept module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "turnout/buf.h"
#include "turnout/store.h"
#include "turnout/text.h"
#include "turnout/unicode.h"
#include "schema.h"

/* How long a statement waits for another process's lock. */
#define BUSY_TIMEOUT_MS 10000

struct tn_db {
	sqlite3 *conn;
	char *path;
	int depth;           /* nesting level of tn_db_begin */
	int temp_only;       /* the outermost level is tn_db_begin_temp's */
	int doomed;          /* an inner level asked for rollback */
	const char *opener;  /* file of the outermost tn_db_begin */
	int opener_line;
	char commit_error[200]; /* why the last COMMIT failed, "" if it did not */
	int committing;      /* tn_db_end is running COMMIT */
};

/* After Fossil's db.c: a write may only be committed by tn_db_end. If
 * SQLite rolled a transaction back by itself (out of memory, a full
 * disk), a later write of the same step would otherwise run in autocommit
 * mode and be committed half-done; this hook turns that into an error. */
static int commit_hook(void *arg)
{
	struct tn_db *db = arg;

	return !db->committing;
}

void tn_db_global_init(void)
{
	/* Before any other SQLite call: no global memory statistics, which
	 * cost a mutex round trip on every allocation (a bulk import makes
	 * millions). */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int tn_db_schema_latest(void)
{
	return tn_schema_count();
}

sqlite3 *tn_db_sqlite(struct tn_db *db)
{
	return db->conn;
}

const char *tn_db_path(struct tn_db *db)
{
	return db->path;
}

/* SQLite's "database is locked" says neither who holds the lock nor what
 * to do: after the busy timeout, another connection still has the write
 * lock, and every turnout command that writes takes it. */
static tn_code fail_busy(struct tn_db *db, struct tn_err *err)
{
	tn_err_set(err, TN_DB, "database '%s' is locked by another writer "
		   "(an import or another turnout command)", db->path);
	tn_err_hint(err, "try again when it has finished");
	return TN_DB;
}

static int is_busy(struct tn_db *db)
{
	return (sqlite3_extended_errcode(db->conn) & 0xff) == SQLITE_BUSY;
}

tn_code tn_db_fail(struct tn_db *db, struct tn_err *err)
{
	/* After a failed COMMIT the connection's message is the ROLLBACK's:
	 * report the COMMIT's, once. */
	if (db->commit_error[0]) {
		tn_err_set(err, TN_DB, "database '%s': %s", db->path, db->commit_error);
		db->commit_error[0] = '\0';
		return TN_DB;
	}
	if (is_busy(db))
		return fail_busy(db, err);
	return tn_err_set(err, TN_DB, "database '%s': %s", db->path,
			  sqlite3_errmsg(db->conn));
}

tn_code tn_db_exec(struct tn_db *db, const char *sql, struct tn_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (is_busy(db))
			fail_busy(db, err);
		else
			tn_err_set(err, TN_DB, "database '%s': %s", db->path,
				   msg ? msg : sqlite3_errmsg(db->conn));
		sqlite3_free(msg);
		return TN_DB;
	}
	return TN_OK;
}

/* ---- statements ---------------------------------------------------------- */

/* Prepares sql and binds vals. With exact, the values must cover every
 * parameter (a statement run at once); without, the caller binds the rest
 * before each step. */
static tn_code prepare(struct tn_db *db, struct tn_err *err, sqlite3_stmt **out,
		       const char *sql, const struct tn_val *vals, int nvals,
		       int exact)
{
	sqlite3_stmt *st;
	int i, s = SQLITE_OK;

	*out = NULL;
	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK)
		return tn_db_fail(db, err);
	if (exact ? nvals != sqlite3_bind_parameter_count(st)
		  : nvals > sqlite3_bind_parameter_count(st)) {
		tn_bug("statement has %d parameters, given %d values: %s",
		       sqlite3_bind_parameter_count(st), nvals, sql);
		s = SQLITE_RANGE;
	}
	for (i = 0; i < nvals && s == SQLITE_OK; i++) {
		const struct tn_val *v = &vals[i];

		if (v->type == 't')
			s = v->text ? sqlite3_bind_text(st, i + 1, v->text, -1, SQLITE_STATIC)
				    : sqlite3_bind_null(st, i + 1);
		else if (v->type == 'i')
			s = sqlite3_bind_int64(st, i + 1, v->num);
		else
			s = sqlite3_bind_blob(st, i + 1, v->blob, v->len, SQLITE_STATIC);
	}
	if (s != SQLITE_OK) {
		tn_err_set(err, TN_DB, "database '%s': bind: %s", db->path,
			   sqlite3_errstr(s));
		sqlite3_finalize(st);
		return TN_DB;
	}
	*out = st;
	return TN_OK;
}

tn_code tn_db_prepare_v(struct tn_db *db, struct tn_err *err, sqlite3_stmt **out,
			const char *sql, const struct tn_val *vals, int nvals)
{
	return prepare(db, err, out, sql, vals, nvals, 0);
}

/* Steps st to its end, handing rows to fn (all, or only the first when
 * one is set); finalizes st. */
static tn_code step_rows(struct tn_db *db, struct tn_err *err, sqlite3_stmt *st,
			 tn_row_fn fn, void *ctx, int one)
{
	tn_code rc = TN_OK;
	int s, rows = 0;

	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		rows++;
		if (fn && (rc = fn(ctx, st, err)) != TN_OK)
			break;
		if (one)
			break;
	}
	if (rc == TN_DB_STOP)
		rc = TN_OK;
	else if (rc == TN_OK && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = tn_db_fail(db, err);
	else if (rc == TN_OK && one && rows == 0)
		rc = TN_NOTFOUND;
	sqlite3_finalize(st);
	return rc;
}

tn_code tn_db_run_v(struct tn_db *db, struct tn_err *err, const char *sql,
		    const struct tn_val *vals, int nvals)
{
	sqlite3_stmt *st;
	tn_code rc = prepare(db, err, &st, sql, vals, nvals, 1);

	return rc != TN_OK ? rc : step_rows(db, err, st, NULL, NULL, 0);
}

tn_code tn_db_rows_v(struct tn_db *db, struct tn_err *err, tn_row_fn fn,
		     void *ctx, int one, const char *sql,
		     const struct tn_val *vals, int nvals)
{
	sqlite3_stmt *st;
	tn_code rc = prepare(db, err, &st, sql, vals, nvals, 1);

	return rc != TN_OK ? rc : step_rows(db, err, st, fn, ctx, one);
}

static tn_code int_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	(void)err;
	*(int64_t *)ctx = sqlite3_column_int64(row, 0);
	return TN_OK;
}

tn_code tn_db_int_v(struct tn_db *db, struct tn_err *err, int64_t *out,
		    const char *sql, const struct tn_val *vals, int nvals)
{
	*out = 0;
	return tn_db_rows_v(db, err, int_row, out, 1, sql, vals, nvals);
}

int64_t tn_db_last_id(struct tn_db *db)
{
	return sqlite3_last_insert_rowid(db->conn);
}

int tn_db_changes(struct tn_db *db)
{
	return sqlite3_changes(db->conn);
}

const char *tn_db_text(sqlite3_stmt *row, int col)
{
	return (const char *)sqlite3_column_text(row, col);
}

/* ---- opening and migrating ----------------------------------------------- */

static int user_version(struct tn_db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Runs every migration the file is behind on, each in its own
 * transaction together with its user_version bump. The version is read
 * again inside each transaction: another process may have migrated the
 * file while this one waited for the lock. */
static tn_code migrate(struct tn_db *db, struct tn_err *err)
{
	int v, latest = tn_schema_count();
	char pragma[64];
	tn_code rc;

	for (;;) {
		if ((v = user_version(db)) < 0)
			return tn_err_prefix(err, tn_db_fail(db, err), "read schema version");
		if (v > latest)
			return tn_err_set(err, TN_FAIL,
					  "database '%s': schema version %d is newer than this turnout (%d)",
					  db->path, v, latest);
		if (v == latest)
			return TN_OK;
		if ((rc = tn_db_begin(db, err)) != TN_OK)
			return rc;
		if ((v = user_version(db)) < 0)
			rc = tn_db_fail(db, err);
		else if (v < latest) {
			rc = tn_db_exec(db, tn_schema_migration(v + 1), err);
			if (rc == TN_OK) {
				snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", v + 1);
				rc = tn_db_exec(db, pragma, err);
			}
		}
		if ((rc = tn_db_end(db, rc, err)) != TN_OK)
			return tn_err_prefix(err, rc, "migrate to schema version %d", v + 1);
	}
}

/* Runs a text rule of fmt/ on a SQL value: NULL stays NULL. */
static void sql_text_rule(sqlite3_context *ctx, sqlite3_value *v,
			  tn_code (*rule)(const char *, size_t, struct tn_buf *))
{
	struct tn_buf b = TN_BUF_INIT;
	const char *s = (const char *)sqlite3_value_text(v);

	if (!s) {
		sqlite3_result_null(ctx);
		return;
	}
	if (rule(s, (size_t)sqlite3_value_bytes(v), &b) != TN_OK) {
		tn_buf_free(&b);
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, b.data, (int)b.len, SQLITE_TRANSIENT);
	tn_buf_free(&b);
}

/* SQL tn_fold(text): tn_utf8_fold, for case- and accent-insensitive
 * matching of names and places beyond ASCII (SQLite's NOCASE folds ASCII
 * only). */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sql_text_rule(ctx, argv[0], tn_utf8_fold);
}

/* SQL tn_nfc(text): tn_utf8_nfc, the form names and places are stored in
 * (migration 3 brings older rows to it). */
static void sql_nfc(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sql_text_rule(ctx, argv[0], tn_utf8_nfc);
}

/* SQL tn_email_key(text): the address as tn_email_normalize stores it
 * (domain as its A-label), or NULL if it is not an address by today's
 * rules (migration 3 finds the people that are one by it). */
static void sql_email_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	tn_code rc;

	(void)argc;
	rc = s ? tn_email_normalize(s, &b, NULL) : TN_BADINPUT;
	if (rc == TN_OK)
		sqlite3_result_text(ctx, b.data, (int)b.len, SQLITE_TRANSIENT);
	else if (rc == TN_NOMEM)
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_null(ctx);
	tn_buf_free(&b);
}

/* SQL tn_email_lower(text): tn_email_key, the identity of a stored
 * address (migration 4 keys every person by it, the import sorts its
 * rows by it). NULL stays NULL. Called for every row an import stages,
 * so an address that is its own key (the usual one) is passed back as
 * it is. */
static void sql_email_lower(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	size_t len = (size_t)sqlite3_value_bytes(argv[0]), i;

	(void)argc;
	if (!s) {
		sqlite3_result_null(ctx);
		return;
	}
	for (i = 0; i < len && !(s[i] >= 'A' && s[i] <= 'Z'); i++)
		;
	if (i == len) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	if (tn_email_key(s, len, &b) != TN_OK)
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_text(ctx, b.data, (int)b.len, SQLITE_TRANSIENT);
	tn_buf_free(&b);
}

/* 1 if the file holds no schema at all (a new or empty file). */
static int is_blank(struct tn_db *db)
{
	sqlite3_stmt *st;
	int blank = 0;

	if (sqlite3_prepare_v2(db->conn, "SELECT count(*) FROM sqlite_schema",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		blank = sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	return blank;
}

tn_code tn_db_open(const char *path, int flags, struct tn_db **out,
		   struct tn_err *err)
{
	struct tn_db *db;
	struct stat sb;
	int oflags = SQLITE_OPEN_READWRITE;
	tn_code rc;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			return tn_err_set(err, TN_IO, "database '%s': %s", path,
					  strerror(errno));
		if (!(flags & TN_DB_CREATE)) {
			tn_err_set(err, TN_NOINIT, "database '%s': does not exist", path);
			tn_err_next(err, TN_NEXT_INIT);
			return TN_NOINIT;
		}
		oflags |= SQLITE_OPEN_CREATE;
	}
	db = calloc(1, sizeof(*db));
	if (!db || !(db->path = strdup(path))) {
		free(db);
		return tn_err_set(err, TN_NOMEM, "database '%s': out of memory", path);
	}
	if (sqlite3_open_v2(path, &db->conn, oflags, NULL) != SQLITE_OK) {
		rc = tn_err_set(err, TN_DB, "database '%s': %s", path,
				db->conn ? sqlite3_errmsg(db->conn) : "cannot open");
		tn_db_close(db);
		return rc;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
	sqlite3_create_function(db->conn, "tn_fold", 1,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				NULL, sql_fold, NULL, NULL);
	sqlite3_create_function(db->conn, "tn_nfc", 1,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				NULL, sql_nfc, NULL, NULL);
	sqlite3_create_function(db->conn, "tn_email_key", 1,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				NULL, sql_email_key, NULL, NULL);
	sqlite3_create_function(db->conn, "tn_email_lower", 1,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				NULL, sql_email_lower, NULL, NULL);
	/* A file turnout did not make is left alone: user_version 0 is
	 * either a new file (init may fill it) or another program's. */
	if (user_version(db) == 0 &&
	    (!(flags & TN_DB_CREATE) || !is_blank(db))) {
		rc = tn_err_set(err, TN_NOINIT, "database '%s': not a turnout database",
				path);
		if (flags & TN_DB_CREATE) {
			tn_err_hint(err, "it holds another program's tables");
			tn_err_next(err, TN_NEXT_OTHER_DB);
		} else {
			tn_err_next(err, TN_NEXT_INIT);
		}
		tn_db_close(db);
		return rc;
	}
	/* WAL lets readers (reports, the door) run beside a writer; FULL
	 * makes every commit durable, as the guarantees promise. */
	rc = tn_db_exec(db,
			"PRAGMA journal_mode=WAL;"
			"PRAGMA synchronous=FULL;"
			"PRAGMA foreign_keys=ON;"
			/* Freed and overwritten cells are zeroed, so an erased
			 * name or an old e-mail does not linger in free space
			 * ('follower forget'). */
			"PRAGMA secure_delete=ON;", err);
	if (rc == TN_OK) {
		/* from here on, only tn_db_end commits (the pragmas above
		 * may write the file header in a transaction of their own) */
		sqlite3_commit_hook(db->conn, commit_hook, db);
		rc = migrate(db, err);
	}
	if (rc != TN_OK) {
		tn_db_close(db);
		return rc;
	}
	*out = db;
	return TN_OK;
}

void tn_db_close(struct tn_db *db)
{
	if (!db)
		return;
	if (db->depth > 0)   /* a bug: every tn_db_begin needs its tn_db_end */
		tn_bug("transaction begun at %s:%d was never ended (rolled back)",
		       db->opener, db->opener_line);
	if (db->conn) {
		if (!sqlite3_get_autocommit(db->conn))
			sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(db->conn);
	}
	free(db->path);
	free(db);
}

static tn_code begin(struct tn_db *db, struct tn_err *err, int temp_only,
		     const char *file, int line)
{
	if (db->depth == 0) {
		db->commit_error[0] = '\0';
		if (sqlite3_exec(db->conn, temp_only ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE",
				 NULL, NULL, NULL) != SQLITE_OK)
			return tn_err_prefix(err, tn_db_fail(db, err),
					     "cannot start a transaction");
		db->doomed = 0;
		db->temp_only = temp_only;
		db->opener = file;
		db->opener_line = line;
	} else if (db->temp_only && !temp_only) {
		/* it would write the main database without its lock, and
		 * fail when another writer came first */
		tn_bug("a writing transaction at %s:%d inside the TEMP-only one begun at %s:%d",
		       file, line, db->opener, db->opener_line);
		return tn_err_set(err, TN_DB, "database '%s': cannot start a transaction"
				  " inside a TEMP-only one", db->path);
	}
	db->depth++;
	return TN_OK;
}

tn_code tn_db_begin_at(struct tn_db *db, struct tn_err *err, const char *file,
		       int line)
{
	return begin(db, err, 0, file, line);
}

tn_code tn_db_begin_temp_at(struct tn_db *db, struct tn_err *err,
			    const char *file, int line)
{
	return begin(db, err, 1, file, line);
}

tn_code tn_db_lock(struct tn_db *db, struct tn_err *err)
{
	if (db->depth == 0) {
		tn_bug("tn_db_lock outside a transaction");
		return tn_err_set(err, TN_DB, "database '%s': no transaction to lock",
				  db->path);
	}
	if (!db->temp_only)
		return TN_OK;
	/* Any statement that writes the main database takes the write lock,
	 * waiting for it as BEGIN IMMEDIATE does; this one writes nothing:
	 * an incremental vacuum step is a no-op without auto_vacuum, which
	 * turnout never turns on. */
	if (sqlite3_exec(db->conn, "PRAGMA main.incremental_vacuum(1)", NULL, NULL, NULL)
	    != SQLITE_OK)
		return tn_err_prefix(err, tn_db_fail(db, err), "cannot start writing");
	db->temp_only = 0;
	return TN_OK;
}

static void rollback(struct tn_db *db)
{
	/* A failed statement may already have rolled the transaction back. */
	if (!sqlite3_get_autocommit(db->conn))
		sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}

/* COMMIT through prepare and step, so that the outcome is known: a
 * failure to prepare leaves the transaction open (rolled back here), and
 * SQLITE_DONE from the step means committed, whatever happens after. */
static tn_code commit(struct tn_db *db)
{
	sqlite3_stmt *st;
	int s;

	if (sqlite3_prepare_v2(db->conn, "COMMIT", -1, &st, NULL) != SQLITE_OK) {
		snprintf(db->commit_error, sizeof(db->commit_error), "commit: %s",
			 sqlite3_errmsg(db->conn));
		rollback(db);
		return TN_DB;
	}
	db->committing = 1;
	s = sqlite3_step(st);
	db->committing = 0;
	if (s != SQLITE_DONE)
		snprintf(db->commit_error, sizeof(db->commit_error), "commit: %s",
			 sqlite3_errmsg(db->conn));
	sqlite3_finalize(st);
	if (s != SQLITE_DONE) {
		rollback(db);
		return TN_DB;
	}
	return TN_OK;
}

tn_code tn_db_end(struct tn_db *db, tn_code rc, struct tn_err *err)
{
	if (db->depth <= 0) {
		tn_bug("tn_db_end without tn_db_begin");
		abort();
	}
	if (rc != TN_OK)
		db->doomed = 1;
	if (--db->depth > 0)
		return rc;
	if (db->doomed) {
		rollback(db);
		return rc;
	}
	if (commit(db) != TN_OK)
		return tn_db_fail(db, err);
	return TN_OK;
}


int tn_db_checkpoint(struct tn_db *db)
{
	int rc;

	sqlite3_busy_timeout(db->conn, 2000);
	rc = sqlite3_wal_checkpoint_v2(db->conn, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				       NULL, NULL);
	sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
	return rc == SQLITE_OK;
}
