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
#include "tap_db.h"
#include "turnout/buf.h"
#include "turnout/store.h"
#include "turnout/channel.h"
#include "turnout/import.h"

static char dir[256];
static struct tn_db *db;
static struct tn_buf rejects = TN_BUF_INIT;

static struct tn_buf warnings = TN_BUF_INIT;
static struct tn_buf ignored = TN_BUF_INIT;   /* "name@index|" each */
/* Options for the next import() beyond strict and the collectors. */
static struct tn_import_opts next_opts;

static void collect(void *ctx, long long line, const char *reason)
{
	(void)ctx;
	tn_buf_addf(&rejects, "%lld: %s\n", line, reason);
}

static void collect_warning(void *ctx, long long line, const char *message)
{
	(void)ctx;
	tn_buf_addf(&warnings, "%lld: %s\n", line, message);
}

static long long count(const char *sql)
{
	return tap_db_int(db, sql);
}

static const char *text(const char *sql)
{
	return tap_db_text(db, sql);
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
	struct tn_import_opts opts = next_opts;
	size_t len = strlen(csv), i;
	int fd;
	tn_code rc;

	snprintf(path, sizeof(path), "%s/in.csv", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, csv, len) != (ssize_t)len)
		return TN_IO;
	close(fd);
	fd = open(path, O_RDONLY);
	tn_buf_reset(&rejects);
	tn_buf_reset(&warnings);
	memset(&next_opts, 0, sizeof(next_opts));
	opts.strict = strict;
	opts.on_reject = collect;
	opts.on_warning = collect_warning;
	rc = tn_import_followers(db, channel, kind, fd, "in.csv", &opts, stats, err);
	close(fd);
	tn_buf_reset(&ignored);
	for (i = 0; i < stats->nignored; i++)
		tn_buf_addf(&ignored, "%s@%d|", stats->ignored[i].name, stats->ignored[i].index);
	tn_import_stats_free(stats);
	return rc;
}

#define STATS(s, i, u, r, name) do { \
	is_int((s).inserted, (i), "%s: inserted", name); \
	is_int((s).updated, (u), "%s: updated", name); \
	is_int((s).rejected, (r), "%s: rejected", name); \
} while (0)

#define DATE_IS(in, zone, want, name) do { \
	char d_[11] = ""; \
	is_int(tn_import_date((in), (zone), d_), TN_OK, "%s: accepted", name); \
	is_str(d_, (want), "%s", name); \
} while (0)
#define DATE_BAD(in, zone, name) do { \
	char d_[11]; \
	is_int(tn_import_date((in), (zone), d_), TN_BADINPUT, "%s: refused", name); \
} while (0)

static void test_dates(void)
{
	DATE_IS("2024-02-29", NULL, "2024-02-29", "plain date");
	DATE_IS("2024-02-29", "Asia/Tokyo", "2024-02-29", "a date has no zone");
	DATE_IS("2024-03-01T10:20:30Z", NULL, "2024-03-01", "RFC 3339 UTC");
	DATE_IS("2024-03-01T23:59:60.123+05:30", NULL, "2024-03-01",
		"fraction, offset, leap second");
	DATE_IS("2024-03-01 10:20:30-01:00", NULL, "2024-03-01", "space instead of T");
	DATE_IS("2024-03-01T01:00:00+02:00", NULL, "2024-02-29",
		"an offset east moves the date back, to a leap day");
	DATE_IS("2024-02-29T23:30:00-01:00", NULL, "2024-03-01",
		"an offset west moves the date on");
	DATE_IS("2023-12-31T23:00:00-02:00", NULL, "2024-01-01", "across a year");
	DATE_IS("2024-03-01T10:20Z", NULL, "2024-03-01", "no seconds");
	DATE_IS("2024-03-01 10:20:30", NULL, "2024-03-01", "a local time is UTC by default");
	DATE_IS("2024-03-01 23:59", NULL, "2024-03-01", "hours and minutes");
	DATE_IS("2024-03-01T10:20:30", NULL, "2024-03-01", "a T without an offset");
	DATE_IS("2024-03-01 05:00", "Asia/Tokyo", "2024-02-29", "in a zone east of UTC");
	DATE_IS("2024-03-01 20:00:59", "America/New_York", "2024-03-02",
		"in a zone west of UTC");
	DATE_IS("2024-07-01 00:30", "Europe/Berlin", "2024-06-30", "on summer time");
	DATE_IS("2024-03-01 10:00+01:00", "America/New_York", "2024-03-01",
		"an offset wins over the zone");
	DATE_IS("2024-03-31 02:30", "Europe/Berlin", "2024-03-31",
		"a time the clocks skip takes the offset before the change");
	DATE_IS("2024-03-31 00:30", "Europe/Berlin", "2024-03-30",
		"on the day the clocks change, before the change");
	DATE_IS("2024-10-27 00:30", "Europe/Berlin", "2024-10-26",
		"on the day the clocks go back");
	DATE_IS("2024-09-08 00:30", "America/Santiago", "2024-09-08",
		"a change at midnight");
	DATE_IS("1965-06-01 00:30", "Europe/Berlin", "1965-05-31", "before 1970");
	DATE_IS("1709251200", NULL, "2024-03-01", "Unix seconds");
	DATE_IS("1709251199", NULL, "2024-02-29", "Unix seconds, a second earlier");
	DATE_IS("1709251200000", NULL, "2024-03-01", "Unix milliseconds");
	DATE_IS("1709251199999", "Asia/Tokyo", "2024-02-29", "Unix time is UTC");
	DATE_IS("1000000000", NULL, "2001-09-09", "the first 10-digit second");
	DATE_IS("9999999999", NULL, "2286-11-20", "the last 10-digit second");
	DATE_BAD("170925120", NULL, "9 digits");
	DATE_BAD("17092512000", NULL, "11 digits");
	DATE_BAD("-1709251200", NULL, "a sign");
	DATE_BAD("2023-02-29", NULL, "no 29 February in 2023");
	DATE_BAD("2024-13-01", NULL, "month 13");
	DATE_BAD("2024-03-01T24:00:00Z", NULL, "hour 24");
	DATE_BAD("2024-03-01T10:2Z", NULL, "one digit of minutes");
	DATE_BAD("2024-03-01 10", NULL, "no minutes");
	DATE_BAD("2024-03-01 10:20 +02:00", NULL, "a blank before the offset");
	DATE_BAD("2024-03-01T10:20:30+0200", NULL, "an offset without a colon");
	DATE_BAD("2024-03-01T10:20:30.Z", NULL, "a dot without digits");
	DATE_BAD("01.03.2024", NULL, "other formats");
	DATE_BAD("03/01/2024", NULL, "American dates");
	DATE_BAD("2024-03-01x", NULL, "trailing junk");
	DATE_BAD("", NULL, "empty");
}

static void test_header_names(void)
{
	static const struct { const char *name, *kind; int field, fallback; } cases[] = {
		{ "email", "newsletter", TN_FIELD_EMAIL, 0 },
		{ "Email Address", "newsletter", TN_FIELD_EMAIL, 0 },      /* Mailchimp */
		{ " E-MAIL ", "newsletter", TN_FIELD_EMAIL, 0 },
		{ "Email", "newsletter", TN_FIELD_EMAIL, 0 },              /* Substack */
		{ "First Name", "newsletter", TN_FIELD_FIRST_NAME, 0 },
		{ "last_name", "telegram", TN_FIELD_LAST_NAME, 0 },
		{ "OPTIN_TIME", "newsletter", TN_FIELD_FOLLOWED_AT, 1 },
		{ "CONFIRM_TIME", "newsletter", TN_FIELD_FOLLOWED_AT, 0 },
		{ "Subscribed At", "newsletter", TN_FIELD_FOLLOWED_AT, 0 },
		{ "created_at", "newsletter", TN_FIELD_FOLLOWED_AT, 0 },
		{ "joined_at", "telegram", TN_FIELD_FOLLOWED_AT, 0 },
		{ "Followed At", "blog", TN_FIELD_FOLLOWED_AT, 0 },
		{ "username", "telegram", TN_FIELD_HANDLE, 0 },
		{ "Account address", "mastodon", TN_FIELD_HANDLE, 0 },     /* Mastodon */
		{ "user_id", "telegram", TN_FIELD_USER_ID, 0 },
		{ "User ID", "telegram", TN_FIELD_USER_ID, 0 },
		{ "user_id", "newsletter", TN_FIELD_NONE, 0 },
		{ "Name", "newsletter", TN_FIELD_NAME, 0 },
		{ "Display name", "mastodon", TN_FIELD_NAME, 0 },
		{ "CITY", "newsletter", TN_FIELD_REGION, 0 },
		{ "Address", "newsletter", TN_FIELD_NONE, 0 },
		{ "MEMBER_RATING", "newsletter", TN_FIELD_NONE, 0 },
		{ "", "newsletter", TN_FIELD_NONE, 0 },
		{ "a very long column name that fits in no word", "blog", TN_FIELD_NONE, 0 },
	};
	size_t i;
	int fallback;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_int(tn_import_header(cases[i].name, strlen(cases[i].name), cases[i].kind,
					&fallback), cases[i].field,
		       "header '%s' on %s", cases[i].name, cases[i].kind);
		is_int(fallback, cases[i].fallback, "header '%s': fallback", cases[i].name);
	}
	is_int(tn_import_field_named("first_name"), TN_FIELD_FIRST_NAME, "field first_name");
	is_int(tn_import_field_named("Followed At"), TN_FIELD_FOLLOWED_AT, "field Followed At");
	is_int(tn_import_field_named("ignore"), TN_FIELD_IGNORE, "field ignore");
	is_int(tn_import_field_named("user_id"), TN_FIELD_USER_ID, "field user_id");
	is_int(tn_import_field_named("mail"), TN_FIELD_NONE, "a mapping names a field, not a synonym");
	is_int(tn_import_field_named(""), TN_FIELD_NONE, "no field");
}

/* Real exports: their columns, first and last names joined, the
 * fallback date, Telegram's user ids, mappings and the ignored columns. */
static void test_exports(int64_t news, int64_t tg1, int64_t masto)
{
	static const char *const map_signup[] = { "Signed up=followed_at", "Tags=ignore" };
	static const char *const map_bad[] = { "Nope=email" };
	static const char *const map_field[] = { "Signed up=birthday" };
	static const char *const map_syntax[] = { "Signed up" };
	struct tn_import_stats s;
	struct tn_err err;
	tn_code rc;
	long long persons;

	rc = import(news, "newsletter",
		    "Email Address,First Name,Last Name,Address,Phone Number,MEMBER_RATING,"
		    "OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,TAGS\n"
		    "mc1@example.com,Mona,Chimp,,,2,2019-03-14 10:23:45,1.2.3.4,"
		    "2019-03-15 23:59:59,1.2.3.4,,\n"
		    "mc2@example.com,,Solo,,,1,2019-03-14 23:00:00,,,,,\n"
		    "mc3@example.com,Only,,,,1,,,,,,\n", 0, &s, &err);
	is_int(rc, TN_OK, "a Mailchimp export");
	STATS(s, 3, 0, 0, "Mailchimp");
	is_str(text("SELECT name || '|' || followed_at FROM person JOIN follower ON"
		    " id = person_id WHERE email = 'mc1@example.com'"), "Mona Chimp|2019-03-15",
	       "first and last name joined; CONFIRM_TIME before OPTIN_TIME");
	is_str(text("SELECT name || '|' || followed_at FROM person JOIN follower ON"
		    " id = person_id WHERE email = 'mc2@example.com'"), "Solo|2019-03-14",
	       "a last name alone; OPTIN_TIME where CONFIRM_TIME is empty");
	is_str(text("SELECT name FROM person WHERE email = 'mc3@example.com'"), "Only",
	       "a first name alone");
	is_str(ignored.data, "Address@4|Phone Number@5|MEMBER_RATING@6|OPTIN_IP@8|"
	       "CONFIRM_IP@10|LATITUDE@11|TAGS@12|",
	       "the columns nothing reads, each once, in order");

	rc = import(news, "newsletter", "Email,Name,Subscribed At,Type\n"
		    "ss1@example.com,Sub Stack,2021-03-01T12:34:56.789Z,free\n", 0, &s, &err);
	STATS(s, 1, 0, 0, "a Substack export");
	is_str(text("SELECT name || '|' || followed_at FROM person JOIN follower ON"
		    " id = person_id WHERE email = 'ss1@example.com'"),
	       "Sub Stack|2021-03-01", "Substack's columns");
	is_str(ignored.data, "Type@4|", "its ignored column");

	rc = import(tg1, "telegram", "user_id,username,first_name,last_name,phone,joined_at\n"
		    "1001,olga_iv,Olga,Ivanova,,1709251200\n"
		    "1002,,Petr,,,2024-03-02 10:00:00\n"
		    "1003,,,,,\n"
		    "x9,,Bad,,,\n", 0, &s, &err);
	is_int(rc, TN_OK, "a Telegram members export");
	STATS(s, 3, 0, 1, "Telegram");
	is_str(text("SELECT p.name || '|' || f.followed_at FROM follower f JOIN person p"
		    " ON p.id = f.person_id WHERE f.handle = 'olga_iv'"), "Olga Ivanova|2024-03-01",
	       "the username is the handle");
	is_str(text("SELECT p.name FROM follower f JOIN person p ON p.id = f.person_id"
		    " WHERE f.handle = 'id:1002'"), "Petr",
	       "without a username, the user id is the handle, as id:N");
	is_int(count("SELECT count(*) FROM follower WHERE handle = 'id:1003'"), 1,
	       "a user id alone is a follower");
	is_int(count("SELECT count(*) FROM follower WHERE handle = 'id:1001'"), 0,
	       "a user id is no handle beside a username");
	is_str(rejects.data, "5: column 'user_id': not a number ('x9')\n", "a user id that is no number");
	is_str(ignored.data, "phone@5|", "the phone column is left out, and said so");
	rc = import(tg1, "telegram", "user_id,first_name\n1002,Пётр\n", 0, &s, &err);
	STATS(s, 0, 1, 0, "the user id finds the same follower again");

	rc = import(masto, "mastodon", "Account address,Show boosts,Notify on new posts\n"
		    "@ann@mastodon.social,true,false\nbert@fosstodon.org,true,false\n",
		    0, &s, &err);
	STATS(s, 2, 0, 0, "a Mastodon export");
	is_int(count("SELECT count(*) FROM follower WHERE handle IN"
		     " ('ann@mastodon.social', 'bert@fosstodon.org')"), 2, "account addresses");
	is_str(ignored.data, "Show boosts@2|Notify on new posts@3|", "the rest noted");

	next_opts.map = map_signup;
	next_opts.nmap = 2;
	rc = import(news, "newsletter", "E-mail,Signed up,Tags,email,,Created_At\n"
		    "map1@example.com,2020-05-06,a,other@example.com,x,2001-01-01\n", 0, &s, &err);
	STATS(s, 1, 0, 0, "mapped columns");
	is_str(text("SELECT followed_at FROM follower JOIN person ON id = person_id"
		    " WHERE email = 'map1@example.com'"), "2020-05-06",
	       "a mapped column before a recognised one");
	is_str(ignored.data, "email@4|@5|Created_At@6|",
	       "a second email column, an unnamed one and the recognised date lost to the "
	       "mapping are noted; the one mapped to ignore is not");

	persons = count("SELECT count(*) FROM person");
	next_opts.map = map_bad;
	next_opts.nmap = 1;
	rc = import(news, "newsletter", "email\nx@example.com\n", 0, &s, &err);
	is_int(rc, TN_BADINPUT, "a mapping of a column the file lacks fails");
	is_str(err.msg, "in.csv:1: no column 'Nope' in the header", "saying which");
	is_str(err.field, "map", "about the mapping");
	next_opts.map = map_field;
	next_opts.nmap = 1;
	rc = import(news, "newsletter", "email\nx@example.com\n", 0, &s, &err);
	is_int(rc, TN_USAGE, "a mapping to an unknown field is a usage error");
	is_str(err.msg, "'Signed up=birthday': unknown field 'birthday'", "naming it");
	ok(strstr(err.hint, "first_name") != NULL, "the hint lists the fields");
	next_opts.map = map_syntax;
	next_opts.nmap = 1;
	rc = import(news, "newsletter", "email\nx@example.com\n", 0, &s, &err);
	is_int(rc, TN_USAGE, "a mapping without '='");
	is_int(count("SELECT count(*) FROM person"), persons, "nothing written by bad mappings");

	rc = import(news, "newsletter", "Mail Adresse,Vorname\nx@example.com,X\n", 0, &s, &err);
	is_int(rc, TN_BADINPUT, "no email or handle column");
	is_str(ignored.data, "Mail Adresse@1|Vorname@2|",
	       "the ignored columns are known when the header fails");
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
	STATS(s, 4, 1, 3, "first import");
	is_str(rejects.data,
	       "8: column 'email': not an address ('bad@')\n"
	       "10: row has neither email nor handle\n"
	       "11: invalid UTF-8\n",
	       "rejects listed with their lines and reasons");
	is_int(s.warned, 1, "one row imported without its date");
	is_str(warnings.data,
	       "9: column 'followed_at': bad date '2024-13-01', imported without it "
	       "(dates are " TN_IMPORT_DATE_FORMS ")\n",
	       "the bad date is a warning with its line and the accepted forms");
	is_str(text("SELECT coalesce(followed_at, 'none') FROM follower JOIN person ON"
		    " id = person_id WHERE email = 'dan@example.com'"), "none",
	       "the row is there without the date");
	is_int(count("SELECT count(*) FROM person"), 4, "four people");
	is_int(count("SELECT count(*) FROM follower"), 4, "four followers");
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
	STATS(s, 0, 5, 3, "re-import");
	is_int(count("SELECT count(*) FROM person"), 4, "still four people");
	is_int(count("SELECT count(*) FROM follower"), 4, "still four followers");
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

static void test_date_forms(int64_t blog)
{
	struct tn_import_stats s;
	struct tn_err err;
	tn_code rc;
	long long persons;

	next_opts.tz = "Europe/Berlin";
	rc = import(blog, "blog", "email,followed_at\n"
		    "d1@example.com,2024-07-01 00:30\n"
		    "d2@example.com,1709251200\n"
		    "d3@example.com,2024-03-01T01:00:00+02:00\n"
		    "d4@example.com,13/01/2024\n", 0, &s, &err);
	is_int(rc, TN_OK, "dates in many forms");
	STATS(s, 4, 0, 0, "dates in many forms");
	is_int(s.warned, 1, "one bad date");
	is_str(text("SELECT followed_at FROM follower JOIN person ON id = person_id"
		    " WHERE email = 'd1@example.com'"), "2024-06-30",
	       "a local time in the zone given, stored as its UTC date");
	is_str(text("SELECT followed_at FROM follower JOIN person ON id = person_id"
		    " WHERE email = 'd2@example.com'"), "2024-03-01", "Unix time");
	is_str(text("SELECT followed_at FROM follower JOIN person ON id = person_id"
		    " WHERE email = 'd3@example.com'"), "2024-02-29",
	       "an RFC 3339 time with an offset, as its UTC date");
	ok(strncmp(warnings.data, "5: column 'followed_at': bad date '13/01/2024'", 46) == 0,
	   "the bad date's line and value");

	persons = count("SELECT count(*) FROM person");
	next_opts.tz = "Mars/Olympus";
	rc = import(blog, "blog", "email\nd9@example.com\n", 0, &s, &err);
	is_int(rc, TN_USAGE, "an unknown zone is refused");
	is_str(err.field, "tz", "naming the field");
	is_int(count("SELECT count(*) FROM person"), persons, "nothing written");

	rc = import(blog, "blog", "email,followed_at\nd8@example.com,2024-01-01\n"
		    "d9@example.com,yesterday\n", 1, &s, &err);
	is_int(rc, TN_BADINPUT, "strict: a bad date stops the import");
	is_str(err.msg, "in.csv:3: column 'followed_at': bad date 'yesterday'",
	       "strict: with the line");
	ok(strstr(err.hint, "YYYY-MM-DD HH:MM[:SS]") && strstr(err.hint, "{tz}"),
	   "strict: the hint lists the forms");
	is_int(count("SELECT count(*) FROM person"), persons, "strict: nothing written");
}

/* The importer keeps each day's offset of the zone: every 15 minutes of
 * days when the clocks change (spring, autumn, at midnight, by half an
 * hour) and of a plain day get the date tn_import_date gives one by one. */
static void test_zone_days(int64_t blog)
{
	static const char *const zones[] = { "Europe/Berlin", "America/Santiago",
					     "Australia/Lord_Howe", "Asia/Kolkata" };
	static const char *const days[] = { "2024-03-31", "2024-10-27", "2024-09-08",
					    "2024-04-06", "2024-04-07", "2024-06-15" };
	struct tn_buf csv = TN_BUF_INIT;
	struct tn_import_stats s;
	struct tn_err err;
	char local[20], want[11], email[64], sql[160];
	size_t z, d;
	int i, bad;

	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		tn_buf_reset(&csv);
		tn_buf_add(&csv, "email,followed_at\n");
		for (d = 0; d < sizeof(days) / sizeof(days[0]); d++)
			for (i = 0; i < 24 * 4; i++)
				tn_buf_addf(&csv, "z%zu-%zu-%02d@example.com,%s %02d:%02d\n", z, d,
					    i, days[d], i / 4, i % 4 * 15);
		next_opts.tz = zones[z];
		import(blog, "blog", csv.data, 0, &s, &err);
		bad = 0;
		for (d = 0; d < sizeof(days) / sizeof(days[0]); d++)
			for (i = 0; i < 24 * 4; i++) {
				snprintf(local, sizeof(local), "%s %02d:%02d", days[d], i / 4,
					 i % 4 * 15);
				if (tn_import_date(local, zones[z], want) != TN_OK)
					strcpy(want, "(null)");
				snprintf(email, sizeof(email), "z%zu-%zu-%02d@example.com", z, d, i);
				snprintf(sql, sizeof(sql), "SELECT followed_at FROM follower JOIN"
					 " person ON id = person_id WHERE email = '%s'", email);
				if (strcmp(text(sql), want) != 0 && bad++ == 0)
					printf("# %s in %s: got %s, want %s\n", local, zones[z],
					       text(sql), want);
			}
		is_int(bad, 0, "%s: each day's offset gives the exact dates", zones[z]);
	}
	tn_buf_free(&csv);
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
	struct tn_import_opts opts = { .on_reject = collect, .complete = 1 };
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

/* An import of addresses alone runs without SQLite's foreign-key checks
 * (import.c): the writer checks the channel itself, a row with a handle
 * keeps the checks on, and they are on again afterwards, whatever the
 * outcome. */
static void test_foreign_keys(int64_t news, int64_t tg1)
{
	struct tn_import_stats s;
	struct tn_err err;
	long long people = count("SELECT count(*) FROM person");

	is_int(import(news, "newsletter", "email\nfk1@example.com\nfk2@example.com\n", 0, &s, &err),
	       TN_OK, "addresses alone: imported");
	is_int(count("PRAGMA foreign_keys"), 1, "foreign keys on again after it");
	is_int(import(tg1, "telegram", "email,handle\nfk3@example.com,fk3\n", 0, &s, &err),
	       TN_OK, "a row with a handle: imported");
	is_int(count("PRAGMA foreign_keys"), 1, "foreign keys on after it");
	is_int(import(9999, "newsletter", "email\nfk4@example.com\n", 0, &s, &err),
	       TN_NOTFOUND, "addresses alone into a channel that does not exist: refused");
	is_str(err.msg, "channel 9999: not found", "saying which");
	is_int(count("PRAGMA foreign_keys"), 1, "foreign keys on after a failed import");
	is_int(count("SELECT count(*) FROM person"), people + 3, "nothing written by it");
	is_int(import(9999, "telegram", "email,handle\nfk5@example.com,fk5\n", 0, &s, &err),
	       TN_DB, "with a handle, SQLite's own check refuses it");
	is_int(count("SELECT count(*) FROM pragma_foreign_key_check"), 0, "no row points at nothing");
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

/* The rows beyond the memory budget go through sorted runs on disk: the
 * same rows then make the same follower rows and the same counts. */
static void test_runs(void)
{
	struct tn_buf csv = TN_BUF_INIT;
	struct tn_import_stats s1, s2;
	struct tn_err err;
	int64_t a = add_channel("runs-a", "newsletter"), b = add_channel("runs-b", "newsletter");
	int i;

	tn_buf_add(&csv, "email,name,region\n");
	for (i = 0; i < 3000; i++)
		tn_buf_addf(&csv, "r%04d@Example.org,R %d,%s\n", (i * 7919) % 2500, i,
			    i % 3 ? "Riga" : "");
	is_int(import(a, "newsletter", csv.data, 0, &s1, &err), TN_OK, "in memory");
	next_opts.memory = 16384;
	is_int(import(b, "newsletter", csv.data, 0, &s2, &err), TN_OK, "through runs on disk");
	is_int(s2.inserted, s1.inserted, "the same rows inserted");
	is_int(s2.updated, s1.updated, "and updated");
	is_int(count("SELECT count(*) FROM (SELECT person_id, handle, region, followed_at"
		     " FROM follower WHERE channel_id = (SELECT id FROM channel WHERE name = 'runs-a')"
		     " EXCEPT SELECT person_id, handle, region, followed_at FROM follower"
		     " WHERE channel_id = (SELECT id FROM channel WHERE name = 'runs-b'))"), 0,
	       "the same follower rows");
	is_int(count("SELECT count(*) FROM person WHERE email LIKE 'r%@example.org'"), 2500,
	       "one person per address");
	tn_buf_free(&csv);
}

/* Regions are stored in NFC whether they came composed or not, every
 * time they repeat (the import keeps the NFC of the places it has seen),
 * long ones too. */
static void test_places_nfc(void)
{
	struct tn_buf csv = TN_BUF_INIT, longer = TN_BUF_INIT;
	struct tn_import_stats s;
	struct tn_err err;
	int64_t ch = add_channel("places", "newsletter");
	int i;

	for (i = 0; i < 20; i++)
		tn_buf_add(&longer, "Ko\xCC\x88ln ");
	tn_buf_add(&csv, "email,region\n");
	for (i = 0; i < 40; i++)
		tn_buf_addf(&csv, "p%d@example.org,%s\n", i,
			    i % 4 == 0 ? "M\xC3\xBCnchen" : i % 4 == 1 ? "Mu\xCC\x88nchen"
			    : i % 4 == 2 ? "\xD0\x95\xCC\x88lki" : longer.data);
	is_int(import(ch, "newsletter", csv.data, 0, &s, &err), TN_OK, "places imported");
	is_int(count("SELECT count(*) FROM follower WHERE region = 'M\xC3\xBCnchen'"), 20,
	       "composed and decomposed: one place, composed, every time");
	is_int(count("SELECT count(*) FROM follower WHERE region = '\xD0\x81lki'"), 10,
	       "Cyrillic with a diaeresis composed");
	is_int(count("SELECT count(*) FROM follower WHERE region LIKE 'K\xC3\xB6ln K\xC3\xB6ln%'"), 10,
	       "a long place too");
	/* names too, and the same name composed again changes nothing */
	tn_buf_reset(&csv);
	tn_buf_add(&csv, "email,name\nnfc1@example.org,Jo\xCC\x88rg\nnfc2@example.org,Zoe\n"
		   "nfc2@example.org,Zo\xC3\xAB\n");
	is_int(import(ch, "newsletter", csv.data, 0, &s, &err), TN_OK, "names imported");
	is_int(count("SELECT count(*) FROM person WHERE name IN ('J\xC3\xB6rg', 'Zo\xC3\xAB')"), 2,
	       "a decomposed name stored composed; a later row's name wins");
	tn_buf_reset(&csv);
	tn_buf_add(&csv, "email,name\nnfc1@example.org,J\xC3\xB6rg\nnfc2@example.org,Zoe\xCC\x88\n");
	is_int(import(ch, "newsletter", csv.data, 0, &s, &err), TN_OK, "imported again, forms swapped");
	is_int((int)s.updated, 2, "both found");
	is_int(count("SELECT count(*) FROM person WHERE name IN ('J\xC3\xB6rg', 'Zo\xC3\xAB')"), 2,
	       "and the names unchanged");
	/* a name NFC makes longer (U+0958 is U+0915 U+093C in NFC: 3 bytes
	 * become 6), a region too, and a date after them */
	tn_buf_reset(&csv);
	tn_buf_reset(&longer);
	for (i = 0; i < 40; i++)
		tn_buf_add(&longer, "\xE0\xA5\x98");
	tn_buf_addf(&csv, "email,name,region,followed_at\nq@x.org,%s,%s,2024-05-06\n",
		    longer.data, longer.data);
	is_int(import(ch, "newsletter", csv.data, 0, &s, &err), TN_OK, "a name longer in NFC");
	is_int(count("SELECT length(CAST(name AS BLOB)) FROM person WHERE email = 'q@x.org'"), 240,
	       "stored in NFC, twice as long");
	is_str(text("SELECT length(CAST(region AS BLOB)) || '|' || followed_at FROM follower f"
		    " JOIN person p ON p.id = f.person_id WHERE p.email = 'q@x.org'"),
	       "240|2024-05-06", "the region too, and the date after them");
	tn_buf_free(&csv);
	tn_buf_free(&longer);
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
	test_header_names();
	test_basic(news);
	test_across_channels(news, blog);
	test_handles(tg1, tg2, masto);
	test_exports(news, tg1, masto);
	test_strict(news);
	test_date_forms(blog);
	test_zone_days(blog);
	test_bad_files(news);
	test_complete();
	test_settings_restored(news);
	test_foreign_keys(news, tg1);
	test_many(blog);
	test_runs();
	test_places_nfc();

	tn_db_close(db);
	tn_buf_free(&rejects);
	tn_buf_free(&warnings);
	tn_buf_free(&ignored);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "cleanup");
	return tap_done();
}
