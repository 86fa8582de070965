/*
 * t_import.c - follower import into a scratch database: identity by
 * e-mail and by handle, merging, counts, rejects, strict mode, header
 * errors and the date rule.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/store.h"
#include "turnout/channel.h"
#include "turnout/import.h"

static char dir[256];
static struct tn_db *db;
static struct tn_buf rejects = TN_BUF_INIT;

static void collect(void *ctx, long long line, const char *reason)
{
	(void)ctx;
	tn_buf_addf(&rejects, "%lld: %s\n", line, reason);
}

static long long count(const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(tn_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The first column of the first row as text ("(null)" for NULL). */
static char *text(const char *sql)
{
	static char out[512];
	sqlite3_stmt *st;

	strcpy(out, "(none)");
	if (sqlite3_prepare_v2(tn_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s",
			 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
						    : "(null)");
	sqlite3_finalize(st);
	return out;
}

static int64_t add_channel(const char *name, const char *kind)
{
	struct tn_channel ch;
	struct tn_err err;
	int64_t id;

	if (tn_channel_add(db, name, kind, NULL, -1, &err) != TN_OK ||
	    tn_channel_find(db, name, &ch, &err) != TN_OK)
		return -1;
	id = ch.id;
	tn_channel_clear(&ch);
	return id;
}

/* Imports csv (written to a file) into channel; returns the code. */
static tn_code import(int64_t channel, const char *kind, const char *csv,
		      int strict, struct tn_import_stats *stats, struct tn_err *err)
{
	char path[300];
	struct tn_import_opts opts = { strict, collect, NULL, NULL, 0 };
	size_t len = strlen(csv);
	int fd;
	tn_code rc;

	snprintf(path, sizeof(path), "%s/in.csv", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, csv, len) != (ssize_t)len)
		return TN_IO;
	close(fd);
	fd = open(path, O_RDONLY);
	tn_buf_reset(&rejects);
	rc = tn_import_followers(db, channel, kind, fd, "in.csv", &opts, stats, err);
	close(fd);
	return rc;
}

#define STATS(s, i, u, r, name) do { \
	is_int((s).inserted, (i), "%s: inserted", name); \
	is_int((s).updated, (u), "%s: updated", name); \
	is_int((s).rejected, (r), "%s: rejected", name); \
} while (0)

static void test_dates(void)
{
	char d[11];

	ok(tn_import_date("2024-02-29", d) == TN_OK && strcmp(d, "2024-02-29") == 0, "plain date");
	ok(tn_import_date("2024-03-01T10:20:30Z", d) == TN_OK && strcmp(d, "2024-03-01") == 0,
	   "RFC 3339 UTC");
	ok(tn_import_date("2024-03-01T23:59:60.123+05:30", d) == TN_OK, "fraction, offset, leap second");
	ok(tn_import_date("2024-03-01 10:20:30-01:00", d) == TN_OK, "space instead of T");
	ok(tn_import_date("2023-02-29", d) != TN_OK, "no 29 February in 2023");
	ok(tn_import_date("2024-13-01", d) != TN_OK, "month 13");
	ok(tn_import_date("2024-03-01T10:20:30", d) != TN_OK, "date-time without offset");
	ok(tn_import_date("2024-03-01T24:00:00Z", d) != TN_OK, "hour 24");
	ok(tn_import_date("2024-03-01T10:20Z", d) != TN_OK, "no seconds");
	ok(tn_import_date("01.03.2024", d) != TN_OK, "other formats");
	ok(tn_import_date("2024-03-01x", d) != TN_OK, "trailing junk");
	ok(tn_import_date("", d) != TN_OK, "empty");
}

static void test_basic(int64_t news)
{
	struct tn_import_stats s;
	struct tn_err err;
	tn_code rc;
	static const char csv[] =
		"\xEF\xBB\xBF" "E-Mail,Name,City,Followed_At,Notes\r\n"
		"ann@Example.COM,Ann Lee,Berlin,2024-01-05,vip\r\n"
		"\"bob@example.org\",\"Smith, Bob\",\"Riga\",2024-02-03T08:00:00+02:00,\r\n"
		"\r\n"
		"carl@example.net,\"Carl \"\"CJ\"\" Jones\",\"Multi\nline\",,\r\n"
		",,,,\r\n"
		"bad@,X,,,\r\n"
		"dan@example.com,Dan,,2024-13-01,\r\n"
		",Nobody,Oslo,,\r\n"
		"eve@example.com,\xC3\x28,,,\r\n"
		"ann@example.com,,Hamburg,,\r\n";

	rc = import(news, "newsletter", csv, 0, &s, &err);
	is_int(rc, TN_OK, "import with bad rows completes");
	STATS(s, 3, 1, 4, "first import");
	is_str(rejects.data,
	       "8: column 'email': not an address ('bad@')\n"
	       "9: column 'followed_at': bad date '2024-13-01'\n"
	       "10: row has neither email nor handle\n"
	       "11: invalid UTF-8\n",
	       "rejects listed with their lines and reasons");
	is_int(count("SELECT count(*) FROM person"), 3, "three people");
	is_int(count("SELECT count(*) FROM follower"), 3, "three followers");
	is_str(text("SELECT email FROM person WHERE name = 'Ann Lee'"), "ann@example.com",
	       "domain lower-cased");
	is_str(text("SELECT region FROM follower JOIN person ON id = person_id"
		    " WHERE email = 'ann@example.com'"), "Hamburg", "later row wins");
	is_str(text("SELECT followed_at FROM follower JOIN person ON id = person_id"
		    " WHERE email = 'ann@example.com'"), "2024-01-05",
	       "an empty cell does not erase");
	is_str(text("SELECT followed_at FROM follower JOIN person ON id = person_id"
		    " WHERE email = 'bob@example.org'"), "2024-02-03",
	       "RFC 3339 stored as its date");
	is_str(text("SELECT name FROM person WHERE email = 'bob@example.org'"),
	       "Smith, Bob", "quoted comma");
	is_str(text("SELECT name FROM person WHERE email = 'carl@example.net'"),
	       "Carl \"CJ\" Jones", "doubled quotes");
	is_str(text("SELECT region FROM follower JOIN person ON id = person_id"
		    " WHERE email = 'carl@example.net'"), "Multi\nline", "newline in quotes");
	is_str(text("SELECT followed_at FROM follower JOIN person ON id = person_id"
		    " WHERE email = 'carl@example.net'"), "(null)", "empty cell is NULL");

	rc = import(news, "newsletter", csv, 0, &s, &err);
	is_int(rc, TN_OK, "re-import");
	STATS(s, 0, 4, 4, "re-import");
	is_int(count("SELECT count(*) FROM person"), 3, "still three people");
	is_int(count("SELECT count(*) FROM follower"), 3, "still three followers");
}

static void test_across_channels(int64_t news, int64_t blog)
{
	struct tn_import_stats s;
	struct tn_err err;
	tn_code rc;

	rc = import(blog, "blog", "email,name\nann@EXAMPLE.com,\nann@Example.Com,Ann L.\n"
		    "new@example.com,New\nANN@example.com,Other\n", 0, &s, &err);
	is_int(rc, TN_OK, "second channel");
	STATS(s, 2, 2, 0, "second channel");
	is_int(count("SELECT count(*) FROM person WHERE lower(email) = 'ann@example.com'"), 1,
	       "one person for the same address in any case of its ASCII letters");
	is_int(count("SELECT count(DISTINCT channel_id) FROM follower JOIN person ON"
		     " id = person_id WHERE email = 'ann@example.com'"), 2,
	       "following two channels");
	is_int(count("SELECT count(*) FROM person WHERE email = 'ANN@example.com' COLLATE BINARY"), 0,
	       "the address stays as first written");
	is_str(text("SELECT name FROM person WHERE email = 'ann@example.com'"), "Other",
	       "the last row with a name updates the person's name");

	rc = import(news, "newsletter", "email,name\nBea.Rose@Example.com,Bea\nbea.rose@example.COM,\n",
		    0, &s, &err);
	STATS(s, 1, 1, 0, "a new address in two cases");
	is_str(text("SELECT group_concat(email) FROM person WHERE lower(email) = 'bea.rose@example.com'"),
	       "Bea.Rose@example.com", "is one person, kept as first written");
	rc = import(blog, "blog", "email\nBEA.ROSE@example.com\n", 0, &s, &err);
	STATS(s, 1, 0, 0, "the same address in capitals on another channel");
	is_int(count("SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id"
		     " WHERE p.name = 'Bea'"), 2, "is the same person");
	rc = import(news, "newsletter", "email\n\xC3\x9Cnal@example.org\n\xC3\xBCnal@example.org\n",
		    0, &s, &err);
	STATS(s, 2, 0, 0, "letters beyond ASCII");
	is_int(count("SELECT count(*) FROM person WHERE email LIKE '%nal@example.org'"), 2,
	       "keep their case: two people");
	(void)news;
}

static void test_handles(int64_t tg1, int64_t tg2, int64_t masto)
{
	struct tn_import_stats s;
	struct tn_err err;
	tn_code rc;

	rc = import(tg1, "telegram", "username,name\n@Alice,Alice\n  @bob  ,Bob\nbob,\n"
		    "zoe@example.com,x\n", 0, &s, &err);
	is_int(rc, TN_OK, "telegram import");
	STATS(s, 3, 1, 0, "telegram import");
	is_str(text("SELECT f.handle FROM follower f JOIN person p ON p.id = f.person_id"
		    " WHERE p.name = 'Alice'"), "Alice", "one leading @ removed");
	is_str(text("SELECT f.handle FROM follower f JOIN person p ON p.id = f.person_id"
		    " WHERE p.name = 'Bob'"), "bob", "trimmed; later row wins");
	is_int(count("SELECT count(*) FROM person WHERE email IS NULL"), 3,
	       "handle-only rows make people without e-mail");

	rc = import(tg2, "telegram", "handle\nALICE\n@bob\ncarol\n", 0, &s, &err);
	is_int(rc, TN_OK, "second telegram channel");
	STATS(s, 3, 0, 0, "second telegram channel");
	is_int(count("SELECT count(*) FROM person WHERE email IS NULL"), 4,
	       "same handle on a channel of the same kind is the same person");
	is_int(count("SELECT count(DISTINCT person_id) FROM follower f JOIN person p"
		     " ON p.id = f.person_id WHERE p.name = 'Alice'"), 1, "Alice is one person");

	rc = import(masto, "mastodon", "handle\nalice\n", 0, &s, &err);
	STATS(s, 1, 0, 0, "mastodon");
	is_int(count("SELECT count(*) FROM person WHERE email IS NULL"), 5,
	       "a handle on another kind of channel is someone else");

	rc = import(tg2, "telegram", "handle,city\nalice,Kyiv\n", 0, &s, &err);
	STATS(s, 0, 1, 0, "re-import by handle updates");
	is_int(count("SELECT count(*) FROM follower WHERE region = 'Kyiv'"), 1,
	       "the follower row of this channel got the region");
}

static void test_strict(int64_t news)
{
	struct tn_import_stats s;
	struct tn_err err;
	long long persons = count("SELECT count(*) FROM person");
	long long followers = count("SELECT count(*) FROM follower");
	tn_code rc;

	rc = import(news, "newsletter", "email\nfresh1@example.com\nfresh2@example\n"
		    "fresh3@example.com\n", 1, &s, &err);
	is_int(rc, TN_BADINPUT, "strict: a bad row fails");
	is_str(err.msg, "in.csv:3: column 'email': not an address ('fresh2@example')",
	       "strict: the message names file and line");
	is_int(count("SELECT count(*) FROM person"), persons, "strict: no person written");
	is_int(count("SELECT count(*) FROM follower"), followers,
	       "strict: no follower written");

	rc = import(news, "newsletter", "email,name\nq@example.com,\"open\nx\n", 1, &s, &err);
	is_int(rc, TN_BADINPUT, "strict: unterminated quote fails");
	is_str(err.msg, "in.csv:2: unterminated quoted field", "with its line");

	rc = import(news, "newsletter", "email,name\nq@example.com,ok\nr@example.com,\"open\nx\n",
		    0, &s, &err);
	is_int(rc, TN_OK, "non-strict: unterminated quote is one rejected row");
	STATS(s, 1, 0, 1, "unterminated");
	is_str(rejects.data, "3: unterminated quoted field\n", "its line");
}

static void test_bad_files(int64_t news)
{
	struct tn_import_stats s;
	struct tn_err err;
	tn_code rc;

	rc = import(news, "newsletter", "", 0, &s, &err);
	is_int(rc, TN_BADINPUT, "empty file");
	is_str(err.msg, "in.csv: empty file (no header row)", "empty file message");
	rc = import(news, "newsletter", "\xEF\xBB\xBF\r\n\r\n", 0, &s, &err);
	is_int(rc, TN_BADINPUT, "BOM and blank lines only is empty");
	rc = import(news, "newsletter", "name,city\nA,B\n", 0, &s, &err);
	is_int(rc, TN_BADINPUT, "no email or handle column");
	is_str(err.msg, "in.csv:1: header has neither an 'email' nor a 'handle' column",
	       "header message");
	ok(err.hint[0] != '\0', "with a hint");
	rc = import(news, "newsletter", "email\n", 0, &s, &err);
	is_int(rc, TN_OK, "header only is fine");
	STATS(s, 0, 0, 0, "header only");
}

/* A channel's whole list: who is missing is unfollowed; a bad row aborts. */
static void test_complete(void)
{
	struct tn_import_opts opts = { 0, collect, NULL, NULL, 1 };
	struct tn_import_stats s;
	struct tn_err err;
	int64_t list = add_channel("list", "newsletter");
	char path[300];
	int fd;

	import(list, "newsletter", "email\nl1@example.com\nl2@example.com\n", 0, &s, &err);
	snprintf(path, sizeof(path), "%s/in.csv", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "email\nL2@example.com\n", 21) != 21)
		ok(0, "write");
	close(fd);
	fd = open(path, O_RDONLY);
	is_int(tn_import_followers(db, list, "newsletter", fd, "in.csv", &opts, &s, &err), TN_OK,
	       "a complete list imports");
	close(fd);
	is_int(s.unfollowed, 1, "one follower was missing");
	is_int(count("SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id"
		     " WHERE p.email = 'l1@example.com' AND f.unfollowed_at IS NOT NULL"), 1,
	       "and is unfollowed");
	is_int(count("SELECT count(*) FROM temp.sqlite_schema"), 0, "no TEMP table is left");

	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "email\nl2@\n", 10) != 10)
		ok(0, "write");
	close(fd);
	fd = open(path, O_RDONLY);
	is_int(tn_import_followers(db, list, "newsletter", fd, "in.csv", &opts, &s, &err),
	       TN_BADINPUT, "a complete list with a bad row is refused");
	close(fd);
	is_int(count("SELECT count(*) FROM follower WHERE channel_id = (SELECT id FROM channel"
		     " WHERE name = 'list') AND unfollowed_at IS NOT NULL"), 1, "nothing more unfollowed");
}

static void test_settings_restored(int64_t news)
{
	struct tn_import_stats s;
	struct tn_err err;

	sqlite3_exec(tn_db_sqlite(db), "PRAGMA cache_size=-1234", NULL, NULL, NULL);
	import(news, "newsletter", "email\nz@example.com\n", 0, &s, &err);
	is_int(count("PRAGMA cache_size"), -1234, "cache_size restored after import");
	is_int(count("SELECT count(*) FROM temp.sqlite_master"), 0, "no staging table left");
	ok(sqlite3_get_autocommit(tn_db_sqlite(db)), "no transaction left open");
}

/* Many rows: enough to cross the progress interval and several
 * staging pages, in reverse e-mail order. */
static void test_many(int64_t blog)
{
	struct tn_buf csv = TN_BUF_INIT;
	struct tn_import_stats s;
	struct tn_err err;
	int i;

	tn_buf_add(&csv, "email,region\n");
	for (i = 20000; i > 0; i--)
		tn_buf_addf(&csv, "m%05d@Example.org,r%d\n", i, i % 7);
	import(blog, "blog", csv.data, 0, &s, &err);
	STATS(s, 20000, 0, 0, "20000 rows");
	is_int(count("SELECT count(*) FROM person WHERE email LIKE 'm%@example.org'"), 20000,
	       "all people there");
	import(blog, "blog", csv.data, 0, &s, &err);
	STATS(s, 0, 20000, 0, "20000 rows again");
	tn_buf_free(&csv);
}

int main(void)
{
	char path[300];
	struct tn_err err;
	int64_t news, blog, tg1, tg2, masto;

	if (!tap_tmpdir(dir, sizeof(dir))) {
		ok(0, "tmpdir");
		return tap_done();
	}
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (tn_db_open(path, TN_DB_CREATE, &db, &err) != TN_OK) {
		ok(0, "open db: %s", err.msg);
		return tap_done();
	}
	news = add_channel("news", "newsletter");
	blog = add_channel("blog", "blog");
	tg1 = add_channel("tg1", "telegram");
	tg2 = add_channel("tg2", "telegram");
	masto = add_channel("masto", "mastodon");
	ok(news > 0 && masto > 0, "channels");

	test_dates();
	test_basic(news);
	test_across_channels(news, blog);
	test_handles(tg1, tg2, masto);
	test_strict(news);
	test_bad_files(news);
	test_complete();
	test_settings_restored(news);
	test_many(blog);

	tn_db_close(db);
	tn_buf_free(&rejects);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "cleanup");
	return tap_done();
}
