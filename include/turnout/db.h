/*
 * db.h - the database handle as the front ends see it: open, close, and
 * what file it is. Everything else about the store (transactions,
 * statements, SQLite itself) is the library's business: store.h, which
 * no front end includes (make check-layers).
 *
 * A database is a file that carries turnout's mark (docs/ARCHITECTURE.md,
 * "The store"); any other file is refused unchanged. New files are made
 * readable and writable by their owner only.
 */
#ifndef TURNOUT_DB_H
#define TURNOUT_DB_H

#include "turnout/err.h"

struct tn_db;

enum {
	TN_DB_CREATE = 1,   /* create the file if it does not exist (init) */
	TN_DB_READ = 2,     /* the caller only reads: when this process may not
	                     * write the database, open it read-only instead
	                     * of failing */
	TN_DB_MEMORY = 4,   /* a new database in memory (tests, fuzzing);
	                     * path is ignored */
};

/* Who besides the owner may use the database file (tn_db_too_open). */
enum {
	TN_DB_OTHERS_READ = 1,    /* its group or others may read it */
	TN_DB_OTHERS_WRITE = 2,   /* its group or others may write it */
};

/* Process-wide settings of the store; call once, before any other tn_db
 * function and before threads start. */
void tn_db_global_init(void);

/* The schema version this build writes (the number of migrations). */
int tn_db_schema_latest(void);

/* Opens (and migrates) the database at path. Without TN_DB_CREATE a
 * missing or empty file is TN_NOINIT; with it a missing file is created
 * with mode 0600. A file that is not turnout's is TN_FAIL and left as it
 * was; a name SQLite would not read as a file (":memory:", "file:...") is
 * TN_USAGE. When this process may not write the file (or beside it), a
 * caller that only reads (TN_DB_READ) gets a read-only handle, whose
 * transactions fail with the reason; anyone else gets TN_IO with it. On
 * success *out is a new handle; the caller closes it with tn_db_close. */
tn_code tn_db_open(const char *path, int flags, struct tn_db **out,
		   struct tn_err *err);
/* Closes the handle; rolls back a transaction left open. NULL is fine. */
void tn_db_close(struct tn_db *db);
const char *tn_db_path(struct tn_db *db);

/* TN_DB_OTHERS_READ and/or TN_DB_OTHERS_WRITE when the file's group or
 * others could read or write it when it was opened, 0 when only its owner
 * can. The database holds the ticket-signing secret and e-mail addresses:
 * a front end warns. */
int tn_db_too_open(struct tn_db *db);
/* The same for the file at path (0 if there is none), for a front end
 * that did not keep a handle open (init). */
int tn_db_path_too_open(const char *path);

#endif
