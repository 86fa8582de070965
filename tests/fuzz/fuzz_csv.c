/*
 * fuzz_csv.c - fuzz target for follower CSV input: the streaming reader on
 * its own (line numbers never go back, field counts stay within the
 * limits, the reader always reaches the end), then the whole import into
 * an in-memory database, which must end either imported or rejected with
 * the database passing integrity_check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "turnout/channel.h"
#include "turnout/csv.h"
#include "turnout/store.h"
#include "turnout/import.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void read_all(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	struct tn_csv *r;
	struct tn_err err;
	long long last = 0;
	int got = 1, rounds = 0;
	tn_code rc;

	if (!f)
		return;
	CHECK(tn_csv_open_file(f, &r, &err) == TN_OK);
	while (got) {
		rc = tn_csv_next(r, &got, &err);
		CHECK(rc == TN_OK || rc == TN_BADINPUT);
		CHECK(tn_csv_line(r) >= last);
		last = tn_csv_line(r);
		if (rc == TN_OK && got) {
			CHECK(tn_csv_count(r) >= 1 && tn_csv_count(r) <= TN_CSV_MAX_FIELDS);
			CHECK(tn_csv_field(r, tn_csv_count(r), NULL) == NULL);
		}
		CHECK(++rounds <= (int)size + 2);   /* every record consumes input */
	}
	CHECK(tn_csv_offset(r) == size);
	tn_csv_free(r);
	fclose(f);
}

static struct tn_db *db;
static int64_t channel_id;

static void close_db(void)
{
	tn_db_close(db);
}

static void import_all(const uint8_t *data, size_t size, int strict)
{
	struct tn_import_opts opts = { strict, NULL, NULL, NULL, 0 };
	struct tn_import_stats stats = { 0 };
	struct tn_channel ch;
	struct tn_err err;
	sqlite3_stmt *st;
	int fd;
	tn_code rc;

	if (!db) {
		CHECK(tn_db_open(":memory:", TN_DB_CREATE, &db, &err) == TN_OK);
		atexit(close_db);
		CHECK(tn_channel_add(db, "fuzz", "telegram", NULL, -1, &err) == TN_OK);
		CHECK(tn_channel_find(db, "fuzz", &ch, &err) == TN_OK);
		channel_id = ch.id;
		tn_channel_clear(&ch);
	}
	fd = memfd_create("csv", 0);
	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return;
	}
	rc = tn_import_followers(db, channel_id, "telegram", fd, "fuzz", &opts,
				 &stats, &err);
	close(fd);
	CHECK(rc == TN_OK || rc == TN_BADINPUT);
	CHECK(stats.inserted >= 0 && stats.updated >= 0 && stats.rejected >= 0);
	CHECK(sqlite3_get_autocommit(tn_db_sqlite(db)));   /* no transaction left open */
	CHECK(sqlite3_prepare_v2(tn_db_sqlite(db), "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK(strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0);
	sqlite3_finalize(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_all(data, size);
	import_all(data, size, size > 0 && (data[0] & 1));
	return 0;
}
