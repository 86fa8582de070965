/*
 * Allocation failures: every allocation turnout's own code makes
 * (malloc, calloc, realloc, strdup; linked with --wrap) and every one
 * SQLite makes (SQLITE_CONFIG_MALLOC) is made to fail in turn, the N-th for N = 1, 2, ... until a run completes without reaching
 * N. Each run must return TN_OK or an error (never crash, leak -- the
 * sanitizer build checks -- or leave a transaction open), and a failed
 * write must leave the database as it was.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/store.h"
#include "turnout/event.h"
#include "turnout/person.h"
#include "turnout/ical.h"
#include "turnout/import.h"
#include "turnout/setup.h"
#include "turnout/text.h"
#include "turnout/tz.h"

static long fail_at, calls;

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
char *__real_strdup(const char *);

static int should_fail(void)
{
	return fail_at > 0 && ++calls == fail_at;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return should_fail() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return should_fail() ? NULL : __real_strdup(s); }

static sqlite3_mem_methods sqlite_mem;

static void *sqlite_malloc(int n) { return should_fail() ? NULL : sqlite_mem.xMalloc(n); }
static void *sqlite_realloc(void *p, int n) { return should_fail() ? NULL : sqlite_mem.xRealloc(p, n); }

static void wrap_sqlite(void)
{
	sqlite3_mem_methods m;

	sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem);
	m = sqlite_mem;
	m.xMalloc = sqlite_malloc;
	m.xRealloc = sqlite_realloc;
	sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

static struct tn_db *db;

static int count_rows(const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(tn_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* A fingerprint of the data a failed step must not change. */
static int state(void)
{
	return count_rows("SELECT (SELECT count(*) FROM channel) * 1000000"
			  " + (SELECT count(*) FROM person) * 10000"
			  " + (SELECT count(*) FROM follower) * 100"
			  " + (SELECT count(*) FROM event)"
			  " + (SELECT coalesce(sum(sequence), 0) FROM event) * 7"
			  " + (SELECT count(*) FROM person WHERE forgotten_at IS NOT NULL) * 11"
			  " + (SELECT count(*) FROM follower WHERE handle IS NOT NULL) * 13"
			  " + (SELECT count(*) FROM suppression) * 17"
			  " + (SELECT count(*) FROM suppression_key) * 19");
}

static tn_code do_channel(struct tn_err *err)
{
	static int n;
	char name[32];

	snprintf(name, sizeof(name), "chan%d", n++);
	return tn_channel_add(db, name, "telegram", "https://t.me/x", 500, err);
}

/* Imports csv into the channel "base". */
static tn_code import_text(const char *csv, struct tn_err *err)
{
	struct tn_import_opts opts = { 0, NULL, NULL, NULL, 0 };
	struct tn_import_stats stats;
	struct tn_channel ch;
	size_t len = strlen(csv);
	tn_code rc;
	int fd;

	if ((rc = tn_channel_find(db, "base", &ch, err)) != TN_OK)
		return rc;
	fd = memfd_create("csv", 0);
	if (fd < 0 || write(fd, csv, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0) {
		tn_channel_clear(&ch);
		return TN_IO;
	}
	rc = tn_import_followers(db, ch.id, ch.kind, fd, "mem.csv", &opts, &stats, err);
	close(fd);
	tn_channel_clear(&ch);
	return rc;
}

static tn_code do_import(struct tn_err *err)
{
	return import_text("\xEF\xBB\xBF" "E-Mail,Username,Name,City,followed_at\r\n"
			   "ann@Example.org,@ann,\"Ann, the first\",Berlin,2026-01-02\r\n"
			   "bob@example.org,,Bob,,2026-02-03T10:00:00Z\r\n"
			   ",@solo,Solo,Kazan,\r\n"
			   "bad@,x,Bad,,\r\n", err);
}

/* A person known by address and, apart, one known by a handle; then a
 * row that brings both merges them. */
static int merge_n;

static void prepare_merge(void)
{
	char csv[128];
	struct tn_err err;

	merge_n++;
	snprintf(csv, sizeof(csv), "email,handle,name\nmq%d@example.org,,\n,@mq%d,Em Q\n",
		 merge_n, merge_n);
	import_text(csv, &err);
}

static tn_code do_import_merge(struct tn_err *err)
{
	char csv[128];

	snprintf(csv, sizeof(csv), "email,handle\nMQ%d@example.org,mq%d\n", merge_n, merge_n);
	return import_text(csv, err);
}

static tn_code do_forget(struct tn_err *err)
{
	int64_t id;
	int done, flushed;
	tn_code rc;

	rc = tn_person_resolve(db, "ann@example.org", &id, err);
	if (rc == TN_OK)
		rc = tn_person_forget(db, id, &done, &flushed, err);
	return rc;
}

/* A forgotten person's rows beside a new one's. */
static tn_code do_import_suppressed(struct tn_err *err)
{
	return import_text("email,handle\nANN@example.org,\n,ann\nnew@example.org,newh\n", err);
}

static tn_code do_event(struct tn_err *err)
{
	static int n;
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_event ev;
	char title[64];
	tn_code rc;

	snprintf(title, sizeof(title), "Встреча №%d, «итоги»", n++);
	in.title = title;
	in.start = "2026-10-25 02:30";   /* a repeated hour */
	in.tz = "Europe/Berlin";
	in.venue = "Café";
	in.description = "line one\nline two; with, commas";
	rc = tn_event_create(db, &in, &ev, err);
	if (rc == TN_OK)
		tn_event_clear(&ev);
	return rc;
}

static tn_code do_ics(struct tn_err *err)
{
	struct tn_event ev;
	struct tn_settings set;
	char *text = NULL;
	tn_code rc;

	if ((rc = tn_event_find(db, "fixed", &ev, err)) != TN_OK)
		return rc;
	rc = tn_settings_load(db, &set, err);
	if (rc == TN_OK) {
		struct tn_ical_org org = { set.org, set.from, set.base_url };
		struct tn_ical_event ie;

		tn_event_ical(&ev, &ie);
		rc = tn_ical_publish(&ie, &org, &text, err);
		tn_settings_clear(&set);
	}
	free(text);
	tn_event_clear(&ev);
	return rc;
}

static tn_code do_update(struct tn_err *err)
{
	static int n;
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_event ev;
	char venue[32];
	int changed;
	tn_code rc;

	snprintf(venue, sizeof(venue), "Hall %d", n++);
	in.venue = venue;
	rc = tn_event_update(db, "fixed", &in, &ev, &changed, err);
	if (rc == TN_OK)
		tn_event_clear(&ev);
	return rc;
}

static tn_code do_text(struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	tn_code rc;

	rc = tn_email_normalize(" Ivan.Petrov@Example.ORG ", &b, err);
	if (rc == TN_OK)
		rc = tn_slug_from_title("Встреча читателей в Москве", &b);
	tn_buf_free(&b);
	return rc;
}

/* Runs fn with the 1st, 2nd, ... allocation failing; prepare (if any)
 * runs before each try with every allocation succeeding. */
static void run_prepared(const char *what, void (*prepare)(void),
			 tn_code (*fn)(struct tn_err *), int writes)
{
	struct tn_err err;
	long n, ok_runs = 0, failed_runs = 0, bad = 0;
	tn_code rc;
	int before;

	for (n = 1; n < 5000; n++) {
		if (prepare)
			prepare();
		before = state();
		calls = 0;
		fail_at = n;
		rc = fn(&err);
		fail_at = 0;
		if (!sqlite3_get_autocommit(tn_db_sqlite(db))) {
			printf("# %s, allocation %ld: a transaction was left open\n", what, n);
			bad++;
		}
		if (rc != TN_OK) {
			failed_runs++;
			if (writes && state() != before) {
				printf("# %s, allocation %ld: failed (%s) but changed data\n",
				       what, n, err.msg);
				bad++;
			}
		} else {
			ok_runs++;
		}
		if (calls < n)
			break;                      /* no allocation failed: done */
	}
	ok(bad == 0 && n < 5000, "%s: %ld allocation points, %ld failed cleanly, %ld recovered",
	   what, n - 1, failed_runs, ok_runs);
}

static void run(const char *what, tn_code (*fn)(struct tn_err *), int writes)
{
	run_prepared(what, NULL, fn, writes);
}

int main(void)
{
	char dir[256], path[512];
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_event ev;
	struct tn_err err;
	int created;

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	wrap_sqlite();
	snprintf(path, sizeof(path), "%s/nomem.db", dir);
	if (tn_db_open(path, TN_DB_CREATE, &db, &err) != TN_OK ||
	    tn_setup_init(db, "Org", "org@example.org", "https://meet.example.org",
			  &created, &err) != TN_OK ||
	    tn_channel_add(db, "base", "telegram", NULL, -1, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	in.title = "Fixed";
	in.start = "2026-12-01 19:00";
	in.tz = "America/New_York";
	if (tn_event_create(db, &in, &ev, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	tn_event_clear(&ev);

	run("text rules", do_text, 0);
	run("channel add", do_channel, 1);
	run("follower import", do_import, 1);
	run_prepared("follower import that merges a person", prepare_merge, do_import_merge, 1);
	{
		char sql[160];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM person p JOIN follower f ON"
			 " f.person_id = p.id WHERE f.handle = 'mq%d' AND p.email = 'mq%d@example.org'",
			 merge_n, merge_n);
		is_int(count_rows(sql), 1, "the last of them merged the handle-only person");
	}
	run("follower forget", do_forget, 1);
	run("follower import of a forgotten person", do_import_suppressed, 1);
	is_int(count_rows("SELECT count(*) FROM person WHERE email = 'ann@example.org'"
			  " OR name = 'Ann, the first'"), 0, "and the forgotten person stays forgotten");
	run("event create", do_event, 1);
	run("ics", do_ics, 0);
	run("event update", do_update, 1);

	tn_db_close(db);
	tn_tz_cleanup();
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
