/* t_tz.c - local time + IANA zone to UTC and back, around DST changes. */
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "turnout/tz.h"

static void utc_is(const char *zone, const char *local, const char *want,
		   int want_amb)
{
	struct tn_err err = TN_ERR_INIT;
	char utc[21] = "", what[128];
	int amb = -1;
	tn_code rc = tn_tz_to_utc(zone, local, utc, &amb, &err);

	snprintf(what, sizeof(what), "%s %s", zone, local);
	is_int(rc, TN_OK, "%s converts (%s)", what, err.msg);
	is_str(utc, want, "%s in UTC", what);
	is_int(amb, want_amb, "%s ambiguous=%d", what, want_amb);
}

static void back_is(const char *zone, const char *utc, const char *want)
{
	struct tn_err err = TN_ERR_INIT;
	char local[17] = "", what[128];

	snprintf(what, sizeof(what), "%s in %s", utc, zone);
	is_int(tn_tz_to_local(zone, utc, local, &err), TN_OK, "%s converts", what);
	is_str(local, want, "%s", what);
}

static void gap(const char *zone, const char *local)
{
	struct tn_err err = TN_ERR_INIT;
	char utc[21];

	is_int(tn_tz_to_utc(zone, local, utc, NULL, &err), TN_USAGE,
	       "%s %s is refused", zone, local);
	ok(strstr(err.msg, "does not exist") != NULL, "gap message: %s", err.msg);
	ok(err.hint[0] != '\0', "gap has a hint");
}

int main(void)
{
	struct tn_err err = TN_ERR_INIT;
	char name[64], utc[21];
	int64_t t;

	/* Berlin: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00. */
	utc_is("Europe/Berlin", "2026-03-28 19:00", "2026-03-28T18:00:00Z", 0);
	utc_is("Europe/Berlin", "2026-03-29 19:00", "2026-03-29T17:00:00Z", 0);
	utc_is("Europe/Berlin", "2026-03-29 01:59", "2026-03-29T00:59:00Z", 0);
	utc_is("Europe/Berlin", "2026-03-29 03:00", "2026-03-29T01:00:00Z", 0);
	utc_is("Europe/Berlin", "2026-10-24 19:00", "2026-10-24T17:00:00Z", 0);
	utc_is("Europe/Berlin", "2026-10-25 19:00", "2026-10-25T18:00:00Z", 0);
	utc_is("Europe/Berlin", "2026-07-15 19:00", "2026-07-15T17:00:00Z", 0);
	utc_is("Europe/Berlin", "2026-01-15 19:00", "2026-01-15T18:00:00Z", 0);
	/* the repeated hour: first occurrence (still CEST, UTC+2) */
	utc_is("Europe/Berlin", "2026-10-25 02:30", "2026-10-25T00:30:00Z", 1);
	utc_is("America/New_York", "2026-11-01 01:30", "2026-11-01T05:30:00Z", 1);
	/* New York: 2026-03-08 02:00 -> 03:00, 2026-11-01 02:00 -> 01:00. */
	utc_is("America/New_York", "2026-03-07 19:00", "2026-03-08T00:00:00Z", 0);
	utc_is("America/New_York", "2026-03-08 19:00", "2026-03-08T23:00:00Z", 0);
	utc_is("America/New_York", "2026-10-31 19:00", "2026-10-31T23:00:00Z", 0);
	utc_is("America/New_York", "2026-11-01 19:00", "2026-11-02T00:00:00Z", 0);
	utc_is("Asia/Yekaterinburg", "2026-07-15 19:00", "2026-07-15T14:00:00Z", 0);
	utc_is("Asia/Yekaterinburg", "2010-07-15 19:00", "2010-07-15T13:00:00Z", 0);
	utc_is("UTC", "2026-07-15 19:00", "2026-07-15T19:00:00Z", 0);
	utc_is("Asia/Kolkata", "2026-07-15 19:00", "2026-07-15T13:30:00Z", 0);

	gap("Europe/Berlin", "2026-03-29 02:30");
	gap("Europe/Berlin", "2026-03-29 02:00");
	gap("America/New_York", "2026-03-08 02:30");

	back_is("Europe/Berlin", "2026-03-29T17:00:00Z", "2026-03-29 19:00");
	back_is("Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-25 02:30");
	back_is("Europe/Berlin", "2026-10-25T01:30:00Z", "2026-10-25 02:30");
	back_is("America/New_York", "2026-11-02T00:00:00Z", "2026-11-01 19:00");

	is_int(tn_tz_check("Europe/Atlantis", name, &err), TN_USAGE, "unknown zone");
	ok(strstr(err.msg, "'Europe/Atlantis': unknown time zone") != NULL,
	   "unknown zone message: %s", err.msg);
	is_int(tn_tz_check("../../etc/passwd", name, &err), TN_USAGE, "path refused");
	is_int(tn_tz_check("/Europe/Berlin", name, &err), TN_USAGE, "leading slash refused");
	is_int(tn_tz_check("", name, &err), TN_USAGE, "empty zone refused");
	is_int(tn_tz_check("europe/berlin", name, &err), TN_OK, "case does not matter");
	is_str(name, "Europe/Berlin", "and the zone is stored as tzdata spells it");
	is_int(tn_tz_check("AMERICA/NEW_YORK", name, &err), TN_OK, "upper case too");
	is_str(name, "America/New_York", "spelled right");
	is_int(tn_tz_check("Asia/Calcutta", name, &err), TN_OK, "an older name (a tzdata link) is a zone");
	{
		static const char *const not_places[] = {
			"localtime", "posixrules", "Factory", "factory", "right/UTC",
			"posix/Europe/Berlin", "right/Europe/Berlin",
		};
		size_t i;

		for (i = 0; i < sizeof(not_places) / sizeof(not_places[0]); i++)
			is_int(tn_tz_check(not_places[i], name, &err), TN_USAGE,
			       "'%s' is not a place: refused", not_places[i]);
	}
	is_int(tn_tz_check("Berlin", name, &err), TN_USAGE, "a city alone is not a zone");
	ok(strstr(err.hint, "did you mean 'Europe/Berlin'?") != NULL,
	   "but its zone is suggested (%s)", err.hint);
	is_int(tn_tz_check("Europe/Berln", name, &err), TN_USAGE, "a typo");
	ok(strstr(err.hint, "did you mean 'Europe/Berlin'?") != NULL,
	   "gets the closest zone (%s)", err.hint);
	is_int(tn_tz_check("Xyzzy/Plugh", name, &err), TN_USAGE, "nothing close");
	ok(strstr(err.hint, "did you mean") == NULL && strstr(err.hint, "IANA") != NULL,
	   "gets the general hint (%s)", err.hint);
	is_int(tn_tz_check("Europe/Berlin", name, &err), TN_OK, "Berlin known");
	is_str(name, "Europe/Berlin", "canonical name");
	is_int(tn_tz_check("UTC", name, &err), TN_OK, "UTC known");
	is_str(name, "Etc/UTC", "UTC is Etc/UTC");
	is_int(tn_tz_check("utc", name, &err), TN_OK, "utc known");
	is_int(tn_tz_check("GMT", name, &err), TN_OK, "GMT known");
	is_str(name, "Etc/UTC", "GMT is Etc/UTC");
	is_int(tn_tz_to_utc("Europe/Atlantis", "2026-07-15 19:00", utc, NULL, &err),
	       TN_USAGE, "conversion in an unknown zone refused");

	ok(!tn_tz_local_valid("2026-07-15T19:00"), "T separator refused");
	ok(!tn_tz_local_valid("2026-02-30 19:00"), "Feb 30 refused");
	ok(!tn_tz_local_valid("2026-07-15 24:00"), "24:00 refused");
	ok(!tn_tz_local_valid("2026-07-15 19:60"), "minute 60 refused");
	ok(!tn_tz_local_valid("2026-07-15 19:00 "), "trailing space refused");
	ok(!tn_tz_local_valid("1969-07-15 19:00"), "1969 refused");
	ok(!tn_tz_local_valid(""), "empty refused");
	ok(tn_tz_local_valid("2028-02-29 00:00"), "leap day accepted");

	ok(tn_tz_utc_parse("2026-11-02T00:00:00Z", &t) == TN_OK && t == 1793577600,
	   "utc parse");
	ok(tn_tz_utc_parse("2026-11-02 00:00:00Z", &t) != TN_OK, "bad utc refused");
	tn_tz_utc_format(1793577600, utc);
	is_str(utc, "2026-11-02T00:00:00Z", "utc format");

	tn_tz_cleanup();
	return tap_done();
}
