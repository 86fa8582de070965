/*
 * tap_db.h - what the unit tests read back from a turnout database: the
 * first column of a query's first row, as a number or as text. For tests
 * only; the library reads through store.h's helpers.
 */
#ifndef TURNOUT_TAP_DB_H
#define TURNOUT_TAP_DB_H

#include <stdio.h>
#include <string.h>

#include "turnout/event.h"
#include "turnout/store.h"

/* The number; -1 when the query fails or gives no row. */
static inline long long tap_db_int(struct tn_db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(tn_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The text, in a buffer the next call reuses: "(null)" for NULL, "(none)"
 * when the query fails or gives no row. */
static inline const char *tap_db_text(struct tn_db *db, const char *sql)
{
	static char out[512];
	sqlite3_stmt *st;
	const unsigned char *t;

	strcpy(out, "(none)");
	if (sqlite3_prepare_v2(tn_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		t = sqlite3_column_text(st, 0);
		snprintf(out, sizeof(out), "%s", t ? (const char *)t : "(null)");
	}
	sqlite3_finalize(st);
	return out;
}

/* Runs setup SQL (several statements) in a transaction of its own, as
 * the store refuses commits that tn_db_end does not make; a failure is
 * printed as a TAP comment (the checks that follow then fail). */
static inline void tap_db_exec(struct tn_db *db, const char *sql)
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

/* Creates the event title in Europe/Berlin on 2030-06-10 at 19:00 with
 * capacity (NULL: none) and approval; a failure is a TAP comment. */
static inline void tap_db_event(struct tn_db *db, const char *title,
				const char *capacity, int approval)
{
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_err err;

	in.title = title;
	in.start = "2030-06-10 19:00";
	in.tz = "Europe/Berlin";
	in.capacity = capacity;
	in.approval = approval;
	if (tn_event_create(db, &in, NULL, &err) != TN_OK)
		printf("# event %s: %s\n", title, err.msg);
}

#endif
