/*
 * tz.c - local time in an IANA zone to UTC and back, with libical's zones.
 *
 * libical answers "what is the offset at this UTC instant" reliably; the
 * reverse question (which instants show this wall-clock time) has zero,
 * one or two answers around a DST change, so it is answered here: every
 * offset the zone uses within a day of the time is a candidate, and a
 * candidate counts only if the zone really has that offset at the instant
 * it gives. Owns no table and does not decide policy beyond "the first of
 * two occurrences".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libical/ical.h>

#include "turnout/suggest.h"
#include "turnout/text.h"
#include "turnout/tz.h"

/* Zone names: letters, digits, _ + - in /-separated parts (no "..", no
 * leading slash), so a name can never reach outside the zoneinfo tree. */
static int name_ok(const char *s)
{
	size_t n = strlen(s), i;
	int part = 0;

	if (n == 0 || n >= 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '/') {
			if (part == 0)
				return 0;
			part = 0;
			continue;
		}
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' ||
		      (ch == '-' && part > 0)))
			return 0;
		part++;
	}
	return part > 0;
}

/* The zones that are places, or their well-known aliases: every Zone and
 * Link that the system's tzdata source lists (tzdata.zi), read once per
 * process. The zoneinfo tree also holds files that are not places
 * (localtime, posixrules, right/..., posix/...) and the "Factory" zone;
 * those are refused. */
#define TZDATA_ZI "/usr/share/zoneinfo/tzdata.zi"

static char **zone_names;
static size_t zone_count;
static int zones_loaded;
static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;

static void free_names(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* Reads the list once; TN_NOMEM leaves it unread for the next call. */
static tn_code load_zone_names(void)
{
	char line[256], a[128], b[128], **names = NULL, **grown;
	const char *name;
	size_t n = 0, cap = 0;
	tn_code rc = TN_OK;
	FILE *f;

	pthread_mutex_lock(&zones_lock);
	if (zones_loaded) {
		pthread_mutex_unlock(&zones_lock);
		return TN_OK;
	}
	if ((f = fopen(TZDATA_ZI, "re"))) {
		while (rc == TN_OK && fgets(line, sizeof(line), f)) {
			if (line[0] == 'Z' && sscanf(line, "Z %127s", a) == 1)
				name = a;
			else if (line[0] == 'L' && sscanf(line, "L %127s %127s", a, b) == 2)
				name = b;
			else
				continue;
			if (strcmp(name, "Factory") == 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 512;
				if (!(grown = realloc(names, cap * sizeof(*grown)))) {
					rc = TN_NOMEM;
					break;
				}
				names = grown;
			}
			if (!(names[n] = strdup(name)))
				rc = TN_NOMEM;
			else
				n++;
		}
		fclose(f);
	}
	if (rc == TN_OK) {
		zone_names = names;
		zone_count = n;
		zones_loaded = 1;
	} else {
		free_names(names, n);
	}
	pthread_mutex_unlock(&zones_lock);
	return rc;
}

/* The zone's spelling in the system's list, matched without regard to
 * case ("europe/berlin" is Europe/Berlin), in *name; NULL if it is not a
 * zone. */
static tn_code known_zone(const char *zone, const char **name)
{
	size_t i;
	tn_code rc;

	*name = NULL;
	if ((rc = load_zone_names()) != TN_OK)
		return rc;
	if (zone_count == 0) {   /* no tzdata.zi: leave it to libical */
		if (strcmp(zone, "Factory") != 0 && strcmp(zone, "localtime") != 0 &&
		    strcmp(zone, "posixrules") != 0 && strncmp(zone, "right/", 6) != 0 &&
		    strncmp(zone, "posix/", 6) != 0)
			*name = zone;
		return TN_OK;
	}
	for (i = 0; i < zone_count; i++)
		if (strcasecmp(zone_names[i], zone) == 0) {
			*name = zone_names[i];
			break;
		}
	return TN_OK;
}

/* Finds the zone; *z is NULL when there is none of that name. */
static tn_code find_zone(const char *zone, icaltimezone **z)
{
	const char *name;
	tn_code rc;

	*z = NULL;
	if (!zone || !name_ok(zone))
		return TN_OK;
	if ((rc = known_zone(zone, &name)) != TN_OK || !name)
		return rc;
	if (strcasecmp(name, "UTC") == 0 || strcasecmp(name, "GMT") == 0)
		name = "Etc/UTC";   /* libical's UTC zone has no VTIMEZONE */
	*z = icaltimezone_get_builtin_timezone(name);
	if (*z && (!icaltimezone_get_location(*z) || !icaltimezone_get_component(*z)))
		*z = NULL;
	return TN_OK;
}

/* The zone a mistyped name most likely meant: a city alone ("Berlin")
 * names its zone, else the closest spelling. NULL if none is close. */
static const char *zone_suggestion(const char *zone)
{
	struct tn_suggest s;
	const char *city;
	size_t i;

	if (!zone || !*zone || load_zone_names() != TN_OK)
		return NULL;
	tn_suggest_init(&s, zone);
	for (i = 0; i < zone_count; i++) {
		city = strrchr(zone_names[i], '/');
		if (!strchr(zone, '/') && city && strcasecmp(city + 1, zone) == 0)
			return zone_names[i];
		tn_suggest_offer(&s, zone_names[i]);
	}
	return s.best;
}

static tn_code unknown_zone(const char *zone, struct tn_err *err)
{
	const char *guess = zone_suggestion(zone);

	tn_err_set(err, TN_USAGE, "'%s': unknown time zone", zone ? zone : "");
	if (guess)
		tn_err_hint(err, "did you mean '%s'? Zones are IANA names, as in "
			    "/usr/share/zoneinfo", guess);
	else
		tn_err_hint(err, "use an IANA zone name such as Europe/Berlin or "
			    "America/New_York (as in /usr/share/zoneinfo)");
	return TN_USAGE;
}

tn_code tn_tz_check(const char *zone, char name_out[64], struct tn_err *err)
{
	icaltimezone *z;

	if (find_zone(zone, &z) != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	if (!z)
		return unknown_zone(zone, err);
	snprintf(name_out, 64, "%s", icaltimezone_get_location(z));
	return TN_OK;
}

/* Years outside this range are refused: they are typos, and libical
 * expands a zone's rules up to the year asked for. */
enum { YEAR_MIN = 1970, YEAR_MAX = 2199 };

static int parse_local(const char *s, int64_t *out)
{
	char date[11];
	struct tm tm;
	int h, m;

	if (strlen(s) != 16 || s[10] != ' ' || s[13] != ':')
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!tn_date_valid(date))
		return -1;
	if (s[11] < '0' || s[11] > '9' || s[12] < '0' || s[12] > '9' ||
	    s[14] < '0' || s[14] > '9' || s[15] < '0' || s[15] > '9')
		return -1;
	h = (s[11] - '0') * 10 + (s[12] - '0');
	m = (s[14] - '0') * 10 + (s[15] - '0');
	if (h > 23 || m > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
		     (s[3] - '0') - 1900;
	if (tm.tm_year + 1900 < YEAR_MIN || tm.tm_year + 1900 > YEAR_MAX)
		return -1;
	tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
	tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
	tm.tm_hour = h;
	tm.tm_min = m;
	*out = (int64_t)timegm(&tm);
	return 0;
}

int tn_tz_local_valid(const char *s)
{
	int64_t t;

	return s && parse_local(s, &t) == 0;
}

tn_code tn_tz_utc_parse(const char *s, int64_t *out)
{
	struct tm tm;
	int i;

	if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return TN_BADINPUT;
	for (i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 &&
		    (s[i] < '0' || s[i] > '9'))
			return TN_BADINPUT;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
		     (s[3] - '0') - 1900;
	tm.tm_mon = (s[5] - '0') * 10 + (s[6] - '0') - 1;
	tm.tm_mday = (s[8] - '0') * 10 + (s[9] - '0');
	tm.tm_hour = (s[11] - '0') * 10 + (s[12] - '0');
	tm.tm_min = (s[14] - '0') * 10 + (s[15] - '0');
	tm.tm_sec = (s[17] - '0') * 10 + (s[18] - '0');
	if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59)
		return TN_BADINPUT;
	*out = (int64_t)timegm(&tm);
	return TN_OK;
}

void tn_tz_utc_format(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void local_format(int64_t t, char out[17])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 17, "%Y-%m-%d %H:%M", &tm);
}

static int offset_at(icaltimezone *z, int64_t utc)
{
	struct icaltimetype t = icaltime_from_timet_with_zone((time_t)utc, 0,
							      icaltimezone_get_utc_timezone());

	return icaltimezone_get_utc_offset_of_utc_time(z, &t, NULL);
}

tn_code tn_tz_to_utc(const char *zone, const char *local, char utc[21],
		     int *ambiguous, struct tn_err *err)
{
	icaltimezone *z;
	int offsets[32], noff = 0, i, j, found = 0;
	int64_t wall, best = 0;

	if (ambiguous)
		*ambiguous = 0;
	if (find_zone(zone, &z) != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	if (!z)
		return unknown_zone(zone, err);
	if (!local || parse_local(local, &wall) != 0) {
		tn_err_set(err, TN_USAGE, "'%s': not a local time", local ? local : "");
		tn_err_hint(err, "write it as \"YYYY-MM-DD HH:MM\" (24-hour clock, "
			    "years %d-%d)", YEAR_MIN, YEAR_MAX);
		return TN_USAGE;
	}
	/* Every offset in use from a day before to a day after. */
	for (i = -8; i <= 8; i++) {
		int off = offset_at(z, wall + (int64_t)i * 3 * 3600);
		for (j = 0; j < noff && offsets[j] != off; j++)
			;
		if (j == noff)
			offsets[noff++] = off;
	}
	for (i = 0; i < noff; i++) {
		int64_t cand = wall - offsets[i];
		if (offset_at(z, cand) != offsets[i])
			continue;
		if (found && cand != best && ambiguous)
			*ambiguous = 1;
		if (!found || cand < best)
			best = cand;
		found = 1;
	}
	if (!found) {
		tn_err_set(err, TN_USAGE, "'%s': does not exist in %s (the clocks "
			   "skip that time)", local, icaltimezone_get_location(z));
		tn_err_hint(err, "daylight saving time starts then; pick a time "
			    "outside the skipped hour");
		return TN_USAGE;
	}
	tn_tz_utc_format(best, utc);
	return TN_OK;
}

tn_code tn_tz_offset(const char *zone, const char *utc, int *offset,
		     struct tn_err *err)
{
	icaltimezone *z;
	int64_t t;

	if (find_zone(zone, &z) != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	if (!z)
		return unknown_zone(zone, err);
	if (!utc || tn_tz_utc_parse(utc, &t) != TN_OK)
		return tn_err_set(err, TN_USAGE, "'%s': not a UTC time",
				  utc ? utc : "");
	*offset = offset_at(z, t);
	return TN_OK;
}

tn_code tn_tz_to_local(const char *zone, const char *utc, char local[17],
		       struct tn_err *err)
{
	int64_t t;
	int off;
	tn_code rc = tn_tz_offset(zone, utc, &off, err);

	if (rc != TN_OK)
		return rc;
	tn_tz_utc_parse(utc, &t);
	local_format(t + off, local);
	return TN_OK;
}

void tn_tz_cleanup(void)
{
	icaltimezone_free_builtin_timezones();
	pthread_mutex_lock(&zones_lock);
	free_names(zone_names, zone_count);
	zone_names = NULL;
	zone_count = 0;
	zones_loaded = 0;
	pthread_mutex_unlock(&zones_lock);
}
