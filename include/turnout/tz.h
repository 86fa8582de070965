/*
 * tz.h - wall-clock time in an IANA time zone to UTC and back, using
 * libical's zones (read from the system tzdata). Detects unknown zones,
 * local times that do not exist (the hour skipped when clocks go forward)
 * and local times that occur twice (the hour repeated when clocks go back).
 *
 * Local times are written "YYYY-MM-DD HH:MM"; UTC times
 * "YYYY-MM-DDTHH:MM:SSZ". Nothing here touches the database.
 */
#ifndef TURNOUT_TZ_H
#define TURNOUT_TZ_H

#include <stdint.h>

#include "turnout/err.h"

/* Looks a zone up by its IANA name ("Europe/Berlin"; "UTC" is taken as
 * "Etc/UTC") and writes its canonical name into name_out. TN_USAGE with
 * "'<zone>': unknown time zone" if there is no such zone. */
tn_code tn_tz_check(const char *zone, char name_out[64], struct tn_err *err);

/* 1 if s is a well-formed, real "YYYY-MM-DD HH:MM", else 0. */
int tn_tz_local_valid(const char *s);

/* Converts local (in zone) to UTC. A local time that occurs twice takes
 * the first occurrence (the earlier instant, still on summer time) and
 * sets *ambiguous to 1 (ambiguous may be NULL). TN_USAGE for a malformed
 * time, an unknown zone, or a time that does not exist in the zone. */
tn_code tn_tz_to_utc(const char *zone, const char *local, char utc[21],
		     int *ambiguous, struct tn_err *err);

/* Converts a UTC time to local time in zone. */
tn_code tn_tz_to_local(const char *zone, const char *utc, char local[17],
		       struct tn_err *err);

/* The offset from UTC (seconds, east positive) of zone at a UTC time. */
tn_code tn_tz_offset(const char *zone, const char *utc, int *offset,
		     struct tn_err *err);

/* Parses "YYYY-MM-DDTHH:MM:SSZ" into seconds since 1970; TN_BADINPUT if
 * malformed. */
tn_code tn_tz_utc_parse(const char *utc, int64_t *out);
/* Formats seconds since 1970 as "YYYY-MM-DDTHH:MM:SSZ". */
void tn_tz_utc_format(int64_t t, char out[21]);

/* Frees libical's cache of loaded zones. The cache is process-wide and
 * libical guards it with its own lock, so threads may share zones; call
 * this once at process exit, after every thread that uses zones has
 * stopped (never per request or per command). */
void tn_tz_cleanup(void);

#endif
