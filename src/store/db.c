/*
 * db.c - opening the SQLite store, migrating its schema, and nested
 * transactions, and the statement helpers every module writes its SQL
 * with (store.h). Owns no table: the schema text lives in schema.c, and
 * each table belongs to one concept module.
 *
 * Opening also decides whose file it is (turnout's mark, or the exact
 * schema of an earlier turnout) before SQLite may write a byte of it, how
 * it may be opened (read-only for a reader without write access), and
 * with which permissions a new database and the files beside it are made.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "turnout/buf.h"
#include "turnout/store.h"
#include "turnout/text.h"
#include "turnout/unicode.h"
#include "schema.h"

/* How long a statement waits for another process's lock. */
#define BUSY_TIMEOUT_MS 10000

#define STMT_CACHE 48   /* statements kept prepared per connection */

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
	int others;          /* TN_DB_OTHERS_* of the file when it was opened */
	char readonly[PATH_MAX + 64]; /* why it is open read-only; "" if not */
	/* statements the helpers ran, kept prepared for the next run of the
	 * same SQL (stmt_get): a page of the web server or a check-in runs a
	 * handful of queries, and preparing each costs more than running it */
	struct cached_stmt {
		char *sql;            /* its text (owned); NULL: a free slot */
		sqlite3_stmt *st;
		int busy;             /* in use now (a query inside a query's callback) */
	} cache[STMT_CACHE];
	unsigned evict;           /* the next slot to reuse when all are taken */
};

/* The page size of a new database (open_handle). */
#define DB_PAGE_SIZE "16384"

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
	/* A database name is a file name, never a URI (Debian's SQLite
	 * reads "file:..." as one unless told not to; tn_db_open refuses
	 * such names as well). */
	sqlite3_config(SQLITE_CONFIG_URI, 0);
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

/* A prepared statement of sql for one run: a kept one that is free (reset,
 * its bindings cleared), else a new one, kept when a slot is free or can
 * be freed. NULL when SQLite cannot prepare it (the error is the
 * connection's). Every statement it gives goes back through stmt_done. */
static sqlite3_stmt *stmt_get(struct tn_db *db, const char *sql)
{
	struct cached_stmt *c, *slot = NULL;
	sqlite3_stmt *st;
	unsigned i;

	for (i = 0; i < STMT_CACHE; i++) {
		c = &db->cache[i];
		if (!c->sql) {
			if (!slot)
				slot = c;
		} else if (!c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			return c->st;
		}
	}
	if (sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK)
		return NULL;
	for (i = 0; !slot && i < STMT_CACHE; i++) {   /* take one that is not in use */
		c = &db->cache[db->evict++ % STMT_CACHE];
		if (!c->busy) {
			sqlite3_finalize(c->st);
			free(c->sql);
			c->sql = NULL;
			slot = c;
		}
	}
	if (slot && (slot->sql = strdup(sql)) != NULL) {
		slot->st = st;
		slot->busy = 1;
	}
	return st;
}

/* A statement of stmt_get is done: a kept one is reset (which ends its
 * read of the database) and free for the next run; another is finalized. */
static void stmt_done(struct tn_db *db, sqlite3_stmt *st)
{
	unsigned i;

	for (i = 0; i < STMT_CACHE; i++) {
		if (db->cache[i].sql && db->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			db->cache[i].busy = 0;
			return;
		}
	}
	sqlite3_finalize(st);
}

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
	if (exact) {
		if ((st = stmt_get(db, sql)) == NULL)
			return tn_db_fail(db, err);
	} else if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK) {
		return tn_db_fail(db, err);
	}
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
		stmt_done(db, st);
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
	stmt_done(db, st);
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

/* The SQL functions every connection has (also the in-memory one that
 * rebuilds an old schema: migrations call them). */
static void add_functions(sqlite3 *conn)
{
	static const struct {
		const char *name;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} functions[] = {
		{ "tn_fold", sql_fold },
		{ "tn_nfc", sql_nfc },
		{ "tn_email_key", sql_email_key },
		{ "tn_email_lower", sql_email_lower },
	};
	size_t i;

	for (i = 0; i < sizeof(functions) / sizeof(functions[0]); i++)
		sqlite3_create_function(conn, functions[i].name, 1,
					SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					NULL, functions[i].fn, NULL, NULL);
}

/* ---- whose file is it ---------------------------------------------------- */

/* The first integer of sql's first row (0 without a row); an SQLite code. */
static int query_int(sqlite3 *conn, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int s;

	*out = 0;
	if ((s = sqlite3_prepare_v2(conn, sql, -1, &st, NULL)) != SQLITE_OK)
		return s;
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return s == SQLITE_ROW || s == SQLITE_DONE ? SQLITE_OK : s;
}

/* The first text of sql's first row as a new string ("" for NULL or no
 * row); caller frees. An SQLite code. */
static int query_text(sqlite3 *conn, const char *sql, char **out)
{
	sqlite3_stmt *st;
	const unsigned char *t = NULL;
	int s;

	*out = NULL;
	if ((s = sqlite3_prepare_v2(conn, sql, -1, &st, NULL)) != SQLITE_OK)
		return s;
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		t = sqlite3_column_text(st, 0);
	if (s == SQLITE_ROW || s == SQLITE_DONE)
		s = (*out = strdup(t ? (const char *)t : "")) ? SQLITE_OK : SQLITE_NOMEM;
	sqlite3_finalize(st);
	return s;
}

/* Every schema object as "type name table sql", one a line, sorted; the
 * tables ANALYZE adds are left out (running it is no change of schema). */
#define SCHEMA_TEXT \
	"SELECT group_concat(o, char(10)) FROM (SELECT type || ' ' || name ||" \
	" ' ' || tbl_name || ' ' || coalesce(sql, '') AS o FROM main.sqlite_schema" \
	" WHERE substr(name, 1, 11) <> 'sqlite_stat' ORDER BY type, name)"

/* The schema that migrations 1..version make, as SCHEMA_TEXT writes it,
 * built in memory from the migrations themselves; NULL when out of
 * memory. Caller frees. */
static char *schema_of_version(int version)
{
	sqlite3 *mem = NULL;
	char *text = NULL;
	int v = 0;

	if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		add_functions(mem);
		for (v = 1; v <= version; v++)
			if (sqlite3_exec(mem, tn_schema_migration(v), NULL, NULL, NULL) != SQLITE_OK)
				break;
		if (v > version)
			query_text(mem, SCHEMA_TEXT, &text);
	}
	sqlite3_close(mem);
	return text;
}

enum kind {
	KIND_EMPTY,    /* a file of zero bytes */
	KIND_BLANK,    /* an SQLite database without a schema or a version */
	KIND_OURS,     /* carries turnout's mark */
	KIND_OLD,      /* made by an earlier turnout, before the mark */
	KIND_FOREIGN,  /* anything else: never changed */
};

struct look {
	enum kind kind;
	int wal;             /* the header says WAL mode */
	char why[160];       /* KIND_FOREIGN: how it shows, for a hint */
};

/* Sorts the database behind conn into blank, turnout's (marked), made by
 * an earlier turnout (unmarked, user_version 1..TN_SCHEMA_LAST_UNMARKED,
 * and exactly the schema migrations 1..user_version make) or another
 * program's. Only reads; the caller holds a transaction, so that every
 * query sees the same snapshot. Returns an SQLite code. */
static int recognise(sqlite3 *conn, struct look *look)
{
	char *have = NULL, *want = NULL;
	int app, version, objects, s;

	if ((s = query_int(conn, "PRAGMA application_id", &app)) != SQLITE_OK ||
	    (s = query_int(conn, "PRAGMA user_version", &version)) != SQLITE_OK ||
	    (s = query_int(conn, "SELECT count(*) FROM main.sqlite_schema",
			   &objects)) != SQLITE_OK)
		return s;
	look->kind = KIND_FOREIGN;
	if (app == TN_SCHEMA_MARK) {
		look->kind = KIND_OURS;
	} else if (app != 0) {
		snprintf(look->why, sizeof(look->why),
			 "it carries another program's mark (application_id %d)", app);
	} else if (objects == 0 && version == 0) {
		look->kind = KIND_BLANK;
	} else if (version >= 1 && version <= TN_SCHEMA_LAST_UNMARKED) {
		if ((s = query_text(conn, SCHEMA_TEXT, &have)) != SQLITE_OK)
			return s;
		if (!(want = schema_of_version(version))) {
			free(have);
			return SQLITE_NOMEM;
		}
		if (strcmp(have, want) == 0)
			look->kind = KIND_OLD;
		else
			snprintf(look->why, sizeof(look->why), "it holds another program's tables");
		free(have);
		free(want);
	} else if (objects > 0) {
		snprintf(look->why, sizeof(look->why), "it holds another program's tables");
	} else {
		snprintf(look->why, sizeof(look->why),
			 "its schema version %d is not one turnout wrote", version);
	}
	return SQLITE_OK;
}

/* path with suffix ("-wal", "-shm"): the files SQLite keeps beside it.
 * Paths are shorter than PATH_MAX (check_name). */
static void side_path(char *out, size_t len, const char *path, const char *suffix)
{
	snprintf(out, len, "%s%s", path, suffix);
}

static int side_exists(const char *path, const char *suffix)
{
	char side[PATH_MAX + 8];
	struct stat sb;

	side_path(side, sizeof(side), path, suffix);
	return lstat(side, &sb) == 0;
}

/* A URI that makes SQLite read path without locks and without creating
 * anything beside it (immutable=1); every byte that could mean something
 * in a URI is %-escaped. Caller frees; NULL when out of memory. */
static char *immutable_uri(const char *path)
{
	struct tn_buf b = TN_BUF_INIT;
	const unsigned char *p;
	tn_code rc;

	/* "file://" + "/abs": an empty authority, so "//x" stays a path */
	rc = tn_buf_add(&b, path[0] == '/' ? "file://" : "file:");
	for (p = (const unsigned char *)path; *p && rc == TN_OK; p++)
		rc = isalnum(*p) || strchr("/-._~", *p) ? tn_buf_addch(&b, (char)*p)
							: tn_buf_addf(&b, "%%%02X", *p);
	if (rc == TN_OK)
		rc = tn_buf_add(&b, "?mode=ro&immutable=1");
	if (rc != TN_OK) {
		tn_buf_free(&b);
		return NULL;
	}
	return tn_buf_detach(&b, NULL);
}

/* Looks into an unmarked file with SQLite, changing nothing and creating
 * nothing beside it. Without a -wal file no connection has a WAL database
 * open, and its pages change only when a checkpoint copies a WAL in, so
 * it is read as immutable (no -shm, no locks); if a -wal appears
 * meanwhile, it is read again, read-only through the WAL like any reader. */
static tn_code probe(const char *path, struct look *look, struct tn_err *err)
{
	sqlite3 *conn = NULL;
	char *uri = NULL;
	int wal, s, tries;

	for (tries = 0; tries < 2; tries++) {
		wal = side_exists(path, "-wal");
		if (!wal && !(uri = immutable_uri(path)))
			return tn_err_set(err, TN_NOMEM, "database '%s': out of memory", path);
		s = sqlite3_open_v2(wal ? path : uri, &conn,
				    SQLITE_OPEN_READONLY | (wal ? 0 : SQLITE_OPEN_URI), NULL);
		free(uri);
		uri = NULL;
		if (s == SQLITE_OK) {
			/* one read transaction: one snapshot, however many
			 * migrations another process commits meanwhile */
			sqlite3_busy_timeout(conn, BUSY_TIMEOUT_MS);
			s = sqlite3_exec(conn, "BEGIN", NULL, NULL, NULL);
			if (s == SQLITE_OK)
				s = recognise(conn, look);
			sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
		}
		if (s == SQLITE_NOMEM) {
			sqlite3_close(conn);
			return tn_err_set(err, TN_NOMEM, "database '%s': out of memory", path);
		}
		if (s != SQLITE_OK) {
			look->kind = KIND_FOREIGN;
			snprintf(look->why, sizeof(look->why), "SQLite cannot read it: %s",
				 conn ? sqlite3_errmsg(conn) : sqlite3_errstr(s));
		}
		sqlite3_close(conn);
		conn = NULL;
		if (wal || !side_exists(path, "-wal"))
			break;
	}
	return TN_OK;
}

/* What the file is, from its first 100 bytes (the SQLite header: magic
 * at 0, journal mode at 18-19, user_version at 60, application_id at 68),
 * read as bytes through SQLite's file layer (no SQL), so that nothing of
 * another program's file is touched on the way; only an unmarked SQLite file needs SQLite to tell (probe). */
static tn_code look_at(const char *path, const struct stat *sb, struct look *look,
		       struct tn_err *err)
{
	sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
	sqlite3_file *f;
	unsigned char h[100];
	unsigned long app;
	ssize_t n;
	int oflags, st;

	memset(look, 0, sizeof(*look));
	if (sb->st_size == 0) {
		look->kind = KIND_EMPTY;
		return TN_OK;
	}
	/* through SQLite's own file layer: when this process already has the
	 * file open (the web server's threads each open it), closing a file
	 * descriptor of our own would drop every POSIX lock the process holds
	 * on it, so another process could take the database for unused and
	 * remove its WAL under those connections; SQLite's close keeps the
	 * descriptor until its locks are released */
	if (!(f = calloc(1, (size_t)vfs->szOsFile)))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	if (vfs->xOpen(vfs, path, f, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB,
		       &oflags) != SQLITE_OK) {
		free(f);
		return tn_err_set(err, TN_IO, "database '%s': %s", path, strerror(errno));
	}
	st = f->pMethods->xRead(f, h, sizeof(h), 0);
	f->pMethods->xClose(f);
	free(f);
	if (st != SQLITE_OK && st != SQLITE_IOERR_SHORT_READ)
		return tn_err_set(err, TN_IO, "database '%s': cannot read", path);
	n = st == SQLITE_OK ? (ssize_t)sizeof(h) : 0;
	look->kind = KIND_FOREIGN;
	if (n < (ssize_t)sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0) {
		snprintf(look->why, sizeof(look->why), "it is not an SQLite database");
		return TN_OK;
	}
	look->wal = h[18] == 2 || h[19] == 2;
	app = (unsigned long)h[68] << 24 | (unsigned long)h[69] << 16 |
	      (unsigned long)h[70] << 8 | h[71];
	if (app == TN_SCHEMA_MARK) {
		look->kind = KIND_OURS;
		return TN_OK;
	}
	if (app != 0) {
		snprintf(look->why, sizeof(look->why),
			 "it carries another program's mark (application_id %ld)",
			 (long)(int32_t)app);
		return TN_OK;
	}
	/* The header may be older than the WAL (a mark not yet checkpointed),
	 * and only SQLite reads the schema. */
	return probe(path, look, err);
}

static tn_code refuse(const char *path, const char *why, struct tn_err *err)
{
	tn_err_set(err, TN_FAIL, "database '%s': not a turnout database", path);
	tn_err_hint(err, "%s", why);
	tn_err_next(err, TN_NEXT_OTHER_DB);
	return TN_FAIL;
}

static tn_code not_initialised(const char *path, struct tn_err *err)
{
	tn_err_set(err, TN_NOINIT, "database '%s': not a turnout database", path);
	tn_err_next(err, TN_NEXT_INIT);
	return TN_NOINIT;
}

/* SQLite reads "file:..." as a URI (Debian builds it with URIs on) and
 * ":memory:" as a database in memory: a --db that looks like either
 * would not be the file the user meant. */
static tn_code check_name(const char *path, struct tn_err *err)
{
	if (!*path)
		return tn_err_set(err, TN_USAGE, "database '': empty file name");
	if (strncasecmp(path, "file:", 5) == 0 || strncmp(path, ":memory:", 8) == 0) {
		tn_err_set(err, TN_USAGE, "database '%s': not a file name", path);
		tn_err_hint(err, "SQLite reads a name that starts with 'file:' or"
			    " ':memory:' as something else; for a file of that name"
			    " write ./%s", path);
		return TN_USAGE;
	}
	if (strlen(path) >= PATH_MAX)
		return tn_err_set(err, TN_USAGE, "database '%.40s...': file name too long",
				  path);
	return TN_OK;
}

/* ---- permissions --------------------------------------------------------- */

static int others_of(mode_t mode)
{
	return (mode & (S_IRGRP | S_IROTH) ? TN_DB_OTHERS_READ : 0) |
	       (mode & (S_IWGRP | S_IWOTH) ? TN_DB_OTHERS_WRITE : 0);
}

/* Creates the database file readable and writable by its owner only,
 * whatever the umask: it holds the ticket-signing secret key and every
 * e-mail address. SQLite gives the -wal and -shm it creates beside a
 * database the database file's permissions. Another process creating it
 * first (EEXIST) is fine: then it is opened like any existing file. */
static tn_code create_file(const char *path, struct tn_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return TN_OK;
		return tn_err_set(err, TN_IO, "database '%s': cannot create it: %s", path,
				  strerror(errno));
	}
	if (fchmod(fd, 0600) != 0) {
		tn_err_set(err, TN_IO, "database '%s': %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return TN_IO;
	}
	close(fd);
	return TN_OK;
}

/* The directory that holds path. */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

static void why_not(char *why, size_t len, int error, const char *what)
{
	if (error == EROFS)
		snprintf(why, len, "the file system is read-only");
	else if (error == EACCES || error == EPERM)
		snprintf(why, len, "no permission to write %s", what);
	else
		snprintf(why, len, "cannot write %s: %s", what, strerror(error));
}

/* Why this process cannot write the database, or "" when it can. In WAL
 * mode a writer needs the file, and the -wal and -shm beside it, or the
 * directory that SQLite creates them in. */
static void write_block(const char *path, char *why, size_t len)
{
	char dir[PATH_MAX], side[PATH_MAX + 8], what[PATH_MAX + 32];
	const char *suffix[] = { "-wal", "-shm" };
	int dir_error = 0, i;

	why[0] = '\0';
	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0) {
		why_not(why, len, errno, "it");
		return;
	}
	dir_of(path, dir, sizeof(dir));
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
		dir_error = errno;
	for (i = 0; i < 2; i++) {
		side_path(side, sizeof(side), path, suffix[i]);
		if (side_exists(path, suffix[i])) {
			if (faccessat(AT_FDCWD, side, W_OK, AT_EACCESS) != 0) {
				snprintf(what, sizeof(what), "'%s'", side);
				why_not(why, len, errno, what);
				return;
			}
		} else if (dir_error) {
			snprintf(what, sizeof(what), "in directory '%s'", dir);
			why_not(why, len, dir_error, what);
			return;
		}
	}
}

/* A read-only connection to a WAL database reads through the -wal and
 * -shm files: they must exist and be readable, or SQLite must be able to
 * create them for the database's owner (created for another user, they
 * would be that user's, and the owner could no longer write). */
static tn_code check_readable(const char *path, const struct stat *sb,
			      const char *readonly, struct tn_err *err)
{
	char dir[PATH_MAX], side[PATH_MAX + 8];
	const char *suffix[] = { "-wal", "-shm" };
	int i;

	dir_of(path, dir, sizeof(dir));
	for (i = 0; i < 2; i++) {
		side_path(side, sizeof(side), path, suffix[i]);
		if (side_exists(path, suffix[i])) {
			if (faccessat(AT_FDCWD, side, R_OK, AT_EACCESS) == 0)
				continue;
			tn_err_set(err, TN_IO, "database '%s': read-only (%s), and '%s'"
				   " cannot be read", path, readonly, side);
			tn_err_hint(err, "it takes the database file's permissions the"
				    " next time its owner runs turnout");
			return TN_IO;
		}
		if (geteuid() == sb->st_uid &&
		    faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0)
			continue;
		tn_err_set(err, TN_IO, "database '%s': read-only (%s), and '%s' does"
			   " not exist", path, readonly, side);
		tn_err_hint(err, "SQLite needs it to read the database; it is made,"
			    " and kept beside it, when the owner runs a turnout command");
		return TN_IO;
	}
	return TN_OK;
}

/* Gives the -wal and -shm the database file's permissions, so that a
 * chmod of the database reaches them (turnout keeps them beside it, see
 * connect): 600 locks them too, 640 lets a group of readers read. Only
 * files of the database's owner are changed. */
static void side_modes(const char *path, const struct stat *sb)
{
	char side[PATH_MAX + 8];
	const char *suffix[] = { "-wal", "-shm" };
	struct stat ss;
	int i;

	for (i = 0; i < 2; i++) {
		side_path(side, sizeof(side), path, suffix[i]);
		/* by name, not through a descriptor: closing one on the -shm
		 * would drop the locks this process's connections hold there
		 * (a link is neither followed nor changed) */
		if (lstat(side, &ss) == 0 && S_ISREG(ss.st_mode) && ss.st_uid == sb->st_uid &&
		    (ss.st_mode & 0777) != (sb->st_mode & 0777))
			(void)!fchmodat(AT_FDCWD, side, sb->st_mode & 0777, AT_SYMLINK_NOFOLLOW);
	}
}

/* ---- opening ------------------------------------------------------------- */

/* Opens the connection (oflags: SQLITE_OPEN_READWRITE or _READONLY). */
static tn_code connect(struct tn_db *db, int oflags, struct tn_err *err)
{
	int on = 1;

	/* A connection is used by one thread at a time: without SQLite's
	 * per-connection mutex, each of the millions of calls a bulk import
	 * makes (a step, a column) costs no lock and unlock. */
	if (sqlite3_open_v2(db->path, &db->conn, oflags | SQLITE_OPEN_NOMUTEX, NULL)
	    != SQLITE_OK)
		return tn_err_set(err, TN_DB, "database '%s': %s", db->path,
				  db->conn ? sqlite3_errmsg(db->conn) : "cannot open");
	/* SQLite opens a file it may not write read-only without a word */
	if ((oflags & SQLITE_OPEN_READWRITE) && sqlite3_db_readonly(db->conn, "main") == 1)
		return tn_err_set(err, TN_IO, "database '%s': read-only: cannot open it"
				  " for writing", db->path);
	sqlite3_extended_result_codes(db->conn, 1);
	sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
	add_functions(db->conn);
	/* The -wal and -shm stay beside the database after the last
	 * connection closes (the WAL emptied, journal_size_limit): SQLite
	 * can only read a WAL database through them, and a reader who may not
	 * write in the directory cannot create them. */
	sqlite3_file_control(db->conn, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
	return TN_OK;
}

/* Writes turnout's mark into a blank database (init) or one an earlier
 * turnout made, after looking again under the write lock: another
 * process may have marked it, or changed it, since the first look. */
static tn_code mark(struct tn_db *db, int flags, struct tn_err *err)
{
	struct look look = { 0 };
	char pragma[64];
	tn_code rc;
	int s;

	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	if ((s = recognise(db->conn, &look)) == SQLITE_NOMEM)
		rc = tn_err_set(err, TN_NOMEM, "database '%s': out of memory", db->path);
	else if (s != SQLITE_OK)
		rc = tn_db_fail(db, err);
	else if (look.kind == KIND_FOREIGN)
		rc = refuse(db->path, look.why, err);
	else if (look.kind == KIND_BLANK && !(flags & TN_DB_CREATE))
		rc = not_initialised(db->path, err);
	else if (look.kind != KIND_OURS) {
		snprintf(pragma, sizeof(pragma), "PRAGMA application_id=%d", TN_SCHEMA_MARK);
		rc = tn_db_exec(db, pragma, err);
	}
	return tn_db_end(db, rc, err);
}

static tn_code needs_upgrade(const char *path, const char *readonly,
			     struct tn_err *err)
{
	tn_err_set(err, TN_FAIL, "database '%s': made by an earlier turnout and needs"
		   " an upgrade, but it is read-only: %s", path, readonly);
	tn_err_hint(err, "run a turnout command once as a user who may write it");
	return TN_FAIL;
}

/* After the mark: the schema version, the pragmas and the migrations. */
static tn_code settle(struct tn_db *db, int flags, struct tn_err *err)
{
	int v, latest = tn_schema_count();
	tn_code rc;

	if ((v = user_version(db)) < 0) {
		rc = tn_err_prefix(err, tn_db_fail(db, err), "read schema version");
		if (db->readonly[0])
			tn_err_hint(err, "it is read-only (%s)", db->readonly);
		return rc;
	}
	if (v > latest)
		return tn_err_set(err, TN_FAIL,
				  "database '%s': schema version %d is newer than this turnout (%d)",
				  db->path, v, latest);
	if (v == 0 && !(flags & TN_DB_CREATE))
		return not_initialised(db->path, err);
	if (db->readonly[0]) {
		if (v < latest)
			return needs_upgrade(db->path, db->readonly, err);
		return tn_db_exec(db, "PRAGMA foreign_keys=ON;", err);
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
			"PRAGMA secure_delete=ON;"
			/* The WAL kept beside the database (connect) is
			 * emptied when the last connection closes, and cut back
			 * to 64 MiB after a checkpoint. */
			"PRAGMA journal_size_limit=67108864;", err);
	if (rc == TN_OK) {
		/* from here on, only tn_db_end commits (the pragmas above
		 * may write the file header in a transaction of their own) */
		sqlite3_commit_hook(db->conn, commit_hook, db);
		rc = migrate(db, err);
	}
	return rc;
}

/* A new handle for path, connected (read-only when readonly says why),
 * marked if it is not yet, migrated. */
static tn_code open_handle(const char *path, int flags, enum kind kind,
			   const char *readonly, int others, struct tn_db **out,
			   struct tn_err *err)
{
	struct tn_db *db = calloc(1, sizeof(*db));
	tn_code rc;

	if (!db || !(db->path = strdup(path))) {
		free(db);
		return tn_err_set(err, TN_NOMEM, "database '%s': out of memory", path);
	}
	db->others = others;
	snprintf(db->readonly, sizeof(db->readonly), "%s", readonly);
	rc = connect(db, readonly[0] ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, err);
	/* A new database gets 16 KiB pages (SQLite's default is 4 KiB),
	 * fixed before its first byte is written: a bulk import (a million
	 * followers) then runs some 15% faster, with fewer and shallower
	 * B-tree pages to fill and a quarter of the WAL frames, while a
	 * small transaction still costs the same syncs, with 16 KiB frames
	 * instead of 4 (docs/ARCHITECTURE.md, "The store"). A database made
	 * before keeps its pages. */
	if (rc == TN_OK && kind == KIND_EMPTY)
		rc = tn_db_exec(db, "PRAGMA page_size=" DB_PAGE_SIZE, err);
	if (rc == TN_OK && kind != KIND_OURS)
		rc = mark(db, flags, err);
	if (rc == TN_OK)
		rc = settle(db, flags, err);
	if (rc != TN_OK) {
		tn_db_close(db);
		return rc;
	}
	*out = db;
	return TN_OK;
}

tn_code tn_db_open(const char *path, int flags, struct tn_db **out,
		   struct tn_err *err)
{
	struct look look;
	struct stat sb;
	char readonly[sizeof(((struct tn_db *)0)->readonly)];
	tn_code rc;

	*out = NULL;
	if (flags & TN_DB_MEMORY)
		return open_handle(":memory:", TN_DB_CREATE, KIND_EMPTY, "", 0, out, err);
	if ((rc = check_name(path, err)) != TN_OK)
		return rc;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT)
			return tn_err_set(err, TN_IO, "database '%s': %s", path,
					  strerror(errno));
		if (!(flags & TN_DB_CREATE)) {
			tn_err_set(err, TN_NOINIT, "database '%s': does not exist", path);
			tn_err_next(err, TN_NEXT_INIT);
			return TN_NOINIT;
		}
		if ((rc = create_file(path, err)) != TN_OK)
			return rc;
		if (stat(path, &sb) != 0)
			return tn_err_set(err, TN_IO, "database '%s': %s", path,
					  strerror(errno));
	}
	/* Whose file it is, before SQLite may write a byte of it. */
	if (!S_ISREG(sb.st_mode))
		return refuse(path, "it is not a regular file", err);
	if ((rc = look_at(path, &sb, &look, err)) != TN_OK)
		return rc;
	if (look.kind == KIND_FOREIGN)
		return refuse(path, look.why, err);
	if ((look.kind == KIND_EMPTY || look.kind == KIND_BLANK) && !(flags & TN_DB_CREATE))
		return not_initialised(path, err);

	write_block(path, readonly, sizeof(readonly));
	if (readonly[0]) {
		if (!(flags & TN_DB_READ) || look.kind == KIND_EMPTY ||
		    look.kind == KIND_BLANK)
			return tn_err_set(err, TN_IO, "database '%s': read-only: %s", path,
					  readonly);
		if (look.kind != KIND_OURS)
			return needs_upgrade(path, readonly, err);
		if (look.wal && (rc = check_readable(path, &sb, readonly, err)) != TN_OK)
			return rc;
	} else {
		side_modes(path, &sb);
	}
	return open_handle(path, flags, look.kind, readonly, others_of(sb.st_mode),
			   out, err);
}

int tn_db_too_open(struct tn_db *db)
{
	return db->others;
}

int tn_db_path_too_open(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? others_of(sb.st_mode) : 0;
}

void tn_db_close(struct tn_db *db)
{
	unsigned i;

	if (!db)
		return;
	if (db->depth > 0)   /* a bug: every tn_db_begin needs its tn_db_end */
		tn_bug("transaction begun at %s:%d was never ended (rolled back)",
		       db->opener, db->opener_line);
	if (db->conn) {
		for (i = 0; i < STMT_CACHE; i++) {
			sqlite3_finalize(db->cache[i].st);
			free(db->cache[i].sql);
		}
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
		if (db->readonly[0])
			return tn_err_set(err, TN_IO, "database '%s': read-only: %s",
					  db->path, db->readonly);
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

/* ---- rows in memory as a table (tn_db_rows) ---------------------------- */

struct rows_module {
	struct tn_db_rows *src;
	char *decl;              /* CREATE TABLE x(columns) */
};

/* A table of the module (one per connection): it leads a cursor back to
 * the caller's rows. */
struct rows_table {
	sqlite3_vtab base;
	struct rows_module *m;
};

struct rows_cursor {
	sqlite3_vtab_cursor base;
	size_t i;
};

static int rows_connect(sqlite3 *conn, void *aux, int argc, const char *const *argv,
			sqlite3_vtab **out, char **errmsg)
{
	struct rows_module *m = aux;
	struct rows_table *t;
	int s;

	(void)argc;
	(void)argv;
	(void)errmsg;
	if ((s = sqlite3_declare_vtab(conn, m->decl)) != SQLITE_OK)
		return s;
	if (!(t = sqlite3_malloc(sizeof(*t))))
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	t->m = m;
	*out = &t->base;
	return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

/* A full scan in the rows' order, whatever the statement asks. */
static int rows_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	(void)vt;
	info->estimatedCost = 1e6;
	info->estimatedRows = 1000000;
	return SQLITE_OK;
}

static int rows_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	struct rows_cursor *c;

	(void)vt;
	if (!(c = sqlite3_malloc(sizeof(*c))))
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *c)
{
	sqlite3_free(c);
	return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *c, int idx, const char *idxstr,
		       int argc, sqlite3_value **argv)
{
	(void)idx;
	(void)idxstr;
	(void)argc;
	(void)argv;
	((struct rows_cursor *)c)->i = 0;
	return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *c)
{
	((struct rows_cursor *)c)->i++;
	return SQLITE_OK;
}

static struct tn_db_rows *rows_src(sqlite3_vtab_cursor *c)
{
	return ((struct rows_table *)c->pVtab)->m->src;
}

static int rows_eof(sqlite3_vtab_cursor *c)
{
	return ((struct rows_cursor *)c)->i >= rows_src(c)->n;
}

static int rows_column(sqlite3_vtab_cursor *c, sqlite3_context *ctx, int col)
{
	struct tn_db_rows *src = rows_src(c);

	src->cell(src->rows, ((struct rows_cursor *)c)->i, col, ctx);
	return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *c, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((struct rows_cursor *)c)->i;
	return SQLITE_OK;
}

/* The module's methods, the same for every registration. Static, not
 * part of the rows_module that the destructor frees: SQLite 3.40, when
 * the last statement over a table of a module dropped meanwhile lets go
 * of it, runs the module's destructor and then calls xDisconnect through
 * these methods. Eponymous only (no xCreate): "FROM name" needs no
 * CREATE VIRTUAL TABLE, so the schema never shows it. */
static const sqlite3_module rows_methods = {
	.iVersion = 1,
	.xConnect = rows_connect,
	.xBestIndex = rows_best_index,
	.xDisconnect = rows_disconnect,
	.xOpen = rows_open,
	.xClose = rows_close,
	.xFilter = rows_filter,
	.xNext = rows_next,
	.xEof = rows_eof,
	.xColumn = rows_column,
	.xRowid = rows_rowid,
};

static void rows_module_free(void *p)
{
	struct rows_module *m = p;

	if (m) {
		free(m->decl);
		free(m);
	}
}

tn_code tn_db_rows_register(struct tn_db *db, const char *name,
			    const char *columns, struct tn_db_rows *src,
			    struct tn_err *err)
{
	struct rows_module *m = calloc(1, sizeof(*m));
	size_t n = strlen(columns) + 32;

	if (!m || !(m->decl = malloc(n))) {
		free(m);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	snprintf(m->decl, n, "CREATE TABLE x(%s)", columns);
	m->src = src;
	/* on failure SQLite calls the destructor itself */
	if (sqlite3_create_module_v2(db->conn, name, &rows_methods, m, rows_module_free)
	    != SQLITE_OK)
		return tn_err_prefix(err, tn_db_fail(db, err), "register '%s'", name);
	return TN_OK;
}

void tn_db_rows_unregister(struct tn_db *db, const char *name)
{
	sqlite3_create_module_v2(db->conn, name, NULL, NULL, NULL);
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
