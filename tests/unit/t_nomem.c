/*
 * Allocation failures: every allocation turnout's own code makes
 * (malloc, calloc, realloc, strdup; linked with --wrap) and every one
 * SQLite makes (SQLITE_CONFIG_MALLOC) is made to fail in turn, the N-th for N = 1, 2, ... until a run completes without reaching
 * N. Each run must return TN_OK or an error (never crash, leak -- the
 * sanitizer build checks -- or leave a transaction open), and a failed
 * write must leave the database as it was.
 */
#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/store.h"
#include "turnout/event.h"
#include "turnout/file.h"
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
	return (int)tap_db_int(db, sql);
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

/* Imports csv into the channel "base" with opts (NULL: the defaults). */
static tn_code import_text(const char *csv, const struct tn_import_opts *opts,
			   struct tn_err *err)
{
	static const struct tn_import_opts plain = { .strict = 0 };
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
	rc = tn_import_followers(db, ch.id, ch.kind, fd, "mem.csv", opts ? opts : &plain,
				 &stats, err);
	tn_import_stats_free(&stats);
	close(fd);
	tn_channel_clear(&ch);
	return rc;
}

/* Real export headers, a mapping, a zone for dates, ignored columns. */
static tn_code do_import(struct tn_err *err)
{
	static const char *const map[] = { "Signup=followed_at" };
	const struct tn_import_opts opts = { .strict = 0, .tz = "Europe/Berlin",
					     .map = map, .nmap = 1 };

	return import_text("\xEF\xBB\xBF" "E-Mail,Username,First Name,Last Name,City,"
			   "followed_at,Notes,user_id,Signup\r\n"
			   "ann@Example.org,@ann,\"Ann, the\",first,Berlin,2026-01-02,x,1,\r\n"
			   "bob@example.org,,Bob,,,2026-02-03T10:00:00Z,,,1700000000\r\n"
			   ",https://t.me/solo,Solo,,Kazan,,,,\r\n"
			   ",,Tom,,,2026-02-03 10:00,,42,\r\n"
			   "bad@,x,Bad,,,13/01/2026,,,\r\n", &opts, err);
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
	import_text(csv, NULL, &err);
}

static tn_code do_import_merge(struct tn_err *err)
{
	char csv[128];

	snprintf(csv, sizeof(csv), "email,handle\nMQ%d@example.org,mq%d\n", merge_n, merge_n);
	return import_text(csv, NULL, err);
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
	return import_text("email,handle\nANN@example.org,\n,ann\nnew@example.org,newh\n", NULL, err);
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

/* The title of the event made in main: its slug is taken, so the slug
 * gets the date and then a counter. */
static tn_code do_event_again(struct tn_err *err)
{
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_event ev;
	tn_code rc;

	in.title = "Fixed";
	in.start = "2026-12-01T19:00:00";
	in.tz = "America/New_York";
	rc = tn_event_create(db, &in, &ev, err);
	if (rc == TN_OK)
		tn_event_clear(&ev);
	return rc;
}

/* The calendar feed of every upcoming event (ics --all). */
static tn_code do_feed(struct tn_err *err)
{
	struct tn_event *evs;
	struct tn_ical_event *ies;
	struct tn_ical_org org = { "Org", "org@example.org", "https://meet.example.org" };
	char *text = NULL;
	size_t n, i;
	tn_code rc;

	if ((rc = tn_event_feed(db, &evs, &n, err)) != TN_OK)
		return rc;
	if (!(ies = calloc(n ? n : 1, sizeof(*ies)))) {
		tn_event_free_all(evs, n);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	for (i = 0; i < n; i++)
		tn_event_ical(&evs[i], &ies[i]);
	rc = tn_ical_publish_many(ies, n, &org, &text, err);
	free(text);
	free(ies);
	tn_event_free_all(evs, n);
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

/* An output file: a failed run must leave the old file and no temporary
 * file beside it (counted in output_bad). */
static char output_dir[300];
static int output_bad;

static int output_intact(void)
{
	char path[512], got[16] = "";
	FILE *f;
	size_t n;
	int entries = 0;
	DIR *d = opendir(output_dir);

	while (d && readdir(d))
		entries++;
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "%s/out.txt", output_dir);
	if ((f = fopen(path, "rb")) != NULL) {
		n = fread(got, 1, sizeof(got) - 1, f);
		got[n] = '\0';
		fclose(f);
	}
	return entries == 3 && strcmp(got, "old") == 0;   /* ., .. and out.txt */
}

static tn_code do_output(struct tn_err *err)
{
	struct tn_output out;
	char path[512];
	tn_code rc;

	snprintf(path, sizeof(path), "%s/out.txt", output_dir);
	if ((rc = tn_output_open(path, &out, err)) != TN_OK ||
	    (rc = tn_output_write(&out, "new", 3, err)) != TN_OK) {
		tn_output_abort(&out);
	} else {
		rc = tn_output_commit(&out, err);
	}
	if (rc != TN_OK && !output_intact())
		output_bad++;
	if (rc == TN_OK)   /* back to the old content for the next run */
		rc = tn_file_write_atomic(path, "old", 3, err);
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
	/* a step that never got through (a rule refusing its input) would
	 * test nothing */
	ok(bad == 0 && n < 5000 && ok_runs > 0,
	   "%s: %ld allocation points, %ld failed cleanly, %ld recovered",
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

	/* the events below are upcoming at this time */
	setenv("TURNOUT_NOW", "2026-09-01T12:00:00Z", 1);
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
	run("event create, title taken", do_event_again, 1);
	run("ics", do_ics, 0);
	run("ics --all", do_feed, 0);
	run("event update", do_update, 1);
	snprintf(output_dir, sizeof(output_dir), "%s/output", dir);
	snprintf(path, sizeof(path), "%s/out.txt", output_dir);
	if (mkdir(output_dir, 0700) != 0 || tn_file_write_atomic(path, "old", 3, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", output_dir);
		return 1;
	}
	run("output file", do_output, 0);
	is_int(output_bad, 0, "a failed output leaves the old file and no temporary file");

	tn_db_close(db);
	tn_tz_cleanup();
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
