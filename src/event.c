/*
 * event.c - the event model: validation of what the user typed, slugs,
 * UIDs, local/UTC times and the SEQUENCE rule (every change an invitee
 * must see bumps it by one). Owns table event; knows nothing about
 * iCalendar text (ical.c) or printing (cmd/event.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "turnout/announce.h"
#include "turnout/buf.h"
#include "turnout/event.h"
#include "turnout/invite.h"
#include "turnout/registration.h"
#include "turnout/setup.h"
#include "turnout/slug.h"
#include "turnout/store.h"
#include "turnout/text.h"
#include "turnout/tz.h"

#define COLUMNS "id, slug, uid, title, tz, start_local, end_local, start_utc," \
	" end_utc, venue, address, capacity, description, approval, status," \
	" sequence, created_at, updated_at"

enum {
	TITLE_MAX = 500,          /* bytes */
	PLACE_MAX = 500,          /* venue, address */
	DESCRIPTION_MAX = 20000,
	CAPACITY_MAX = 1000000,
	DURATION_MAX = 30 * 24 * 60,   /* minutes */
	DEFAULT_DURATION = 120,
};

void tn_event_clear(struct tn_event *ev)
{
	if (!ev)
		return;
	free(ev->title);
	free(ev->venue);
	free(ev->address);
	free(ev->description);
	memset(ev, 0, sizeof(*ev));
}

static tn_code nomem(struct tn_err *err)
{
	return tn_err_set(err, TN_NOMEM, "out of memory");
}

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}

static char *dup_column(sqlite3_stmt *st, int col, int *oom)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	char *d;

	if (!s)
		return NULL;
	d = strdup((const char *)s);
	if (!d)
		*oom = 1;
	return d;
}

static tn_code read_row(void *vev, sqlite3_stmt *st, struct tn_err *err)
{
	struct tn_event *ev = vev;
	int oom = 0;

	memset(ev, 0, sizeof(*ev));
	ev->id = sqlite3_column_int64(st, 0);
	copy_text(ev->slug, sizeof(ev->slug), sqlite3_column_text(st, 1));
	copy_text(ev->uid, sizeof(ev->uid), sqlite3_column_text(st, 2));
	ev->title = dup_column(st, 3, &oom);
	copy_text(ev->tz, sizeof(ev->tz), sqlite3_column_text(st, 4));
	copy_text(ev->start_local, sizeof(ev->start_local), sqlite3_column_text(st, 5));
	copy_text(ev->end_local, sizeof(ev->end_local), sqlite3_column_text(st, 6));
	copy_text(ev->start_utc, sizeof(ev->start_utc), sqlite3_column_text(st, 7));
	copy_text(ev->end_utc, sizeof(ev->end_utc), sqlite3_column_text(st, 8));
	ev->venue = dup_column(st, 9, &oom);
	ev->address = dup_column(st, 10, &oom);
	ev->capacity = sqlite3_column_int64(st, 11);
	ev->description = dup_column(st, 12, &oom);
	ev->approval = sqlite3_column_int(st, 13) != 0;
	ev->cancelled = strcmp(tn_db_text(st, 14), "cancelled") == 0;
	ev->sequence = sqlite3_column_int64(st, 15);
	copy_text(ev->created_at, sizeof(ev->created_at), sqlite3_column_text(st, 16));
	copy_text(ev->updated_at, sizeof(ev->updated_at), sqlite3_column_text(st, 17));
	if (oom || !ev->title) {
		tn_event_clear(ev);
		return nomem(err);
	}
	return TN_OK;
}

#define SELECT_EVENT "SELECT " COLUMNS " FROM event"

tn_code tn_event_find(struct tn_db *db, const char *name, struct tn_event *ev,
		      struct tn_err *err)
{
	tn_code rc;
	const char *p;
	int digits = name && *name && strlen(name) <= 18;

	rc = tn_db_one(db, err, read_row, ev, SELECT_EVENT " WHERE slug = ?1",
		       TN_T(name ? name : ""));
	if (rc != TN_NOTFOUND)
		return rc;
	for (p = name; digits && *p; p++)
		if (*p < '0' || *p > '9')
			digits = 0;
	if (digits) {
		rc = tn_db_one(db, err, read_row, ev, SELECT_EVENT " WHERE id = ?1",
			       TN_I(strtoll(name, NULL, 10)));
		if (rc != TN_NOTFOUND)
			return rc;
	}
	tn_err_set(err, TN_NOTFOUND, "event '%s': no such event", name ? name : "");
	tn_err_next(err, TN_NEXT_LIST_EVENTS);
	return TN_NOTFOUND;
}

tn_code tn_event_parse_duration(const char *s, int64_t *minutes)
{
	int64_t total = 0, n;
	int seen_h = 0, seen_m = 0;

	if (!s || !*s)
		return TN_USAGE;
	while (*s) {
		if (*s < '0' || *s > '9')
			return TN_USAGE;
		for (n = 0; *s >= '0' && *s <= '9'; s++) {
			n = n * 10 + (*s - '0');
			if (n > DURATION_MAX)
				return TN_USAGE;
		}
		if (*s == 'h' && !seen_h && !seen_m) {
			seen_h = 1;
			total += n * 60;
		} else if (*s == 'm' && !seen_m) {
			seen_m = 1;
			total += n;
		} else {
			return TN_USAGE;
		}
		s++;
	}
	if (total < 1 || total > DURATION_MAX)
		return TN_USAGE;
	*minutes = total;
	return TN_OK;
}

/* Checks a free-text value: not too long, and text (tn_text_check). RFC
 * 5545 forbids control characters in TEXT values, and on a terminal they
 * are commands; multi-line text (lines != 0) may hold newlines, tabs and
 * CR LF pairs. */
static tn_code check_text(const char *field, const char *s, size_t max,
			  int lines, struct tn_err *err)
{
	size_t n = strlen(s);
	tn_code rc;

	if ((rc = tn_text_check(s, lines, err)) != TN_OK)
		return tn_err_about(err, rc, field);
	if (n > max)
		return tn_err_field(err, TN_USAGE, field, "too long (%zu bytes, at most %zu)",
				    n, max);
	return TN_OK;
}

/* Replaces *dst with a copy of value ("" = none); in multi-line text
 * CR LF becomes LF. */
static tn_code set_optional(char **dst, const char *field, const char *value,
			    size_t max, int lines, struct tn_err *err)
{
	char *copy = NULL;
	tn_code rc;

	if (*value) {
		if ((rc = check_text(field, value, max, lines, err)) != TN_OK)
			return rc;
		if (!(copy = strdup(value)))
			return nomem(err);
		if (lines) {
			char *from, *to;

			for (from = to = copy; *from; from++)
				if (!(*from == '\r' && from[1] == '\n'))
					*to++ = *from;
			*to = '\0';
		}
	}
	free(*dst);
	*dst = copy;
	return TN_OK;
}

static tn_code bad_local(const char *field, const char *value,
			 struct tn_err *err)
{
	tn_err_field(err, TN_USAGE, field, "'%s': not a local date and time", value);
	tn_err_hint(err, "write it as \"YYYY-MM-DD HH:MM\" (24-hour clock), "
		    "e.g. {%s} \"2026-12-10 19:00\" or 2026-12-10T19:00", field);
	return TN_USAGE;
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads a local date and time as typed into the stored form "YYYY-MM-DD
 * HH:MM": the date and time may be joined by a space or by ISO 8601's T,
 * and may carry seconds, which must be 00 (event times are whole minutes;
 * other seconds are refused rather than silently dropped). A zone or
 * offset ("Z", "+02:00") is refused: the zone is a field of its own.
 */
static tn_code read_local(const char *field, const char *value, char out[17],
			  struct tn_err *err)
{
	size_t n = strlen(value), rest = 16;

	if (n < 16 || (value[10] != ' ' && value[10] != 'T'))
		return bad_local(field, value, err);
	snprintf(out, 17, "%.10s %.5s", value, value + 11);
	if (!tn_tz_local_valid(out))
		return bad_local(field, value, err);
	if (n >= 19 && value[16] == ':' && digit(value[17]) && digit(value[18]))
		rest = 19;
	if (rest < n && (value[rest] == 'Z' || value[rest] == '+' ||
			 value[rest] == '-')) {
		tn_err_field(err, TN_USAGE, field, "'%s': a local time takes no zone "
			     "or UTC offset", value);
		tn_err_hint(err, "give the wall-clock time in the event's zone, and "
			    "the zone as {tz}, e.g. {%s} \"%.10s %.5s\"", field, value,
			    value + 11);
		return TN_USAGE;
	}
	if (rest != n)
		return bad_local(field, value, err);
	if (rest == 19 && (value[17] != '0' || value[18] != '0')) {
		tn_err_field(err, TN_USAGE, field, "'%s': seconds must be 00 (event "
			     "times are whole minutes)", value);
		tn_err_hint(err, "leave the seconds out, e.g. {%s} \"%.10s %.5s\"",
			    field, value, value + 11);
		return TN_USAGE;
	}
	return TN_OK;
}

/* Refuses a start before now unless the input allows the past: an event
 * in the past is almost always a mistyped year or month. */
static tn_code check_not_past(const struct tn_event *d, const char *start_local,
			      const char *start_utc, struct tn_err *err)
{
	char now[21], now_local[17];

	tn_now_utc(now);
	if (strcmp(start_utc, now) >= 0)
		return TN_OK;
	if (tn_tz_to_local(d->tz, now, now_local, NULL) == TN_OK)
		tn_err_field(err, TN_USAGE, "start", "'%s': in the past (it is now "
			     "%s in %s)", start_local, now_local, d->tz);
	else
		tn_err_field(err, TN_USAGE, "start", "'%s': in the past", start_local);
	tn_err_hint(err, "check the date; to record an event that has already "
		    "begun, give {past}");
	return TN_USAGE;
}

/* Adds minutes to a UTC time and gives the new UTC and local times. */
static tn_code shift(const char *tz, const char *from_utc, int64_t minutes,
		     char utc[21], char local[17], struct tn_err *err)
{
	int64_t t;

	if (tn_tz_utc_parse(from_utc, &t) != TN_OK)
		return tn_err_set(err, TN_FAIL, "bad stored time '%s'", from_utc);
	tn_tz_utc_format(t + minutes * 60, utc);
	return tn_tz_to_local(tz, utc, local, err);
}

/*
 * Applies in to d (a copy of the stored event, or an empty one when
 * creating), validating every value. Times: a new start without a new end
 * keeps the old length (update) or takes the default 2h (create); a new
 * zone alone keeps the local times and moves the instants; otherwise the
 * stored instants are kept as they are.
 */
static tn_code apply_input(struct tn_event *d, struct tn_event_input *in,
			   int creating, struct tn_err *err)
{
	char start_local[17], end_local[17], start_utc[21], end_utc[21], old_tz[64];
	char start_in[17], end_in[17];
	int amb = 0, amb2 = 0, tz_changed;
	const char *p;
	tn_code rc;

	in->ambiguous = 0;
	in->kept_local = 0;
	if (creating) {
		if (!in->title)
			return tn_err_field(err, TN_USAGE, "title", "required");
		if (!in->start)
			return tn_err_field(err, TN_USAGE, "start", "required");
		if (!in->tz) {
			tn_err_field(err, TN_USAGE, "tz", "required");
			tn_err_hint(err, "give the event's IANA time zone, e.g. {tz} Europe/Berlin");
			return TN_USAGE;
		}
	}
	if (in->title) {
		for (p = in->title; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
			;
		if (!*p)
			return tn_err_field(err, TN_USAGE, "title", "empty");
		if ((rc = check_text("title", in->title, TITLE_MAX, 0, err)) != TN_OK)
			return rc;
		free(d->title);
		if (!(d->title = strdup(in->title)))
			return nomem(err);
	}
	memcpy(old_tz, d->tz, sizeof(old_tz));
	if (in->tz && (rc = tn_tz_check(in->tz, d->tz, err)) != TN_OK)
		return tn_err_about(err, rc, "tz");
	tz_changed = strcmp(old_tz, d->tz) != 0;
	if (in->venue && (rc = set_optional(&d->venue, "venue", in->venue,
					    PLACE_MAX, 0, err)) != TN_OK)
		return rc;
	if (in->address && (rc = set_optional(&d->address, "address", in->address,
					      PLACE_MAX, 0, err)) != TN_OK)
		return rc;
	if (in->description && (rc = set_optional(&d->description, "description",
						  in->description, DESCRIPTION_MAX,
						  1, err)) != TN_OK)
		return rc;
	if (in->capacity) {
		int64_t n = 0;

		for (p = in->capacity; *p >= '0' && *p <= '9' && n <= CAPACITY_MAX; p++)
			n = n * 10 + (*p - '0');
		if (*in->capacity && (*p || n < 1 || n > CAPACITY_MAX)) {
			tn_err_field(err, TN_USAGE, "capacity", "'%s': not a whole number "
				     "from 1 to %d", in->capacity, CAPACITY_MAX);
			tn_err_hint(err, "leave {capacity} out (or give \"\") for no limit");
			return TN_USAGE;
		}
		d->capacity = *in->capacity ? n : 0;
	}
	if (in->approval && in->no_approval)
		return tn_err_field(err, TN_USAGE, "approval",
				    "cannot be both required and not required");
	if (in->approval || in->no_approval)
		d->approval = in->approval;

	/* times */
	if (in->end && in->duration) {
		tn_err_field(err, TN_USAGE, "duration",
			     "cannot be given together with an end time");
		tn_err_hint(err, "give {end} or {duration}, not both");
		return TN_USAGE;
	}
	if (in->start && (rc = read_local("start", in->start, start_in, err)) != TN_OK)
		return rc;
	if (in->end && (rc = read_local("end", in->end, end_in, err)) != TN_OK)
		return rc;
	{
		int64_t minutes = 0;

		if (in->duration && tn_event_parse_duration(in->duration, &minutes) != TN_OK) {
			tn_err_field(err, TN_USAGE, "duration", "'%s': not a duration",
				     in->duration);
			tn_err_hint(err, "write hours and minutes like 2h, 90m or 1h30m "
				    "(at most %dh)", DURATION_MAX / 60);
			return TN_USAGE;
		}
		snprintf(start_local, sizeof(start_local), "%s",
			 in->start ? start_in : d->start_local);
		if (!in->start && !tz_changed)
			memcpy(start_utc, d->start_utc, sizeof(start_utc));
		else if ((rc = tn_tz_to_utc(d->tz, start_local, start_utc, &amb,
					    err)) != TN_OK)
			return tn_err_about(err, rc, "start");
		if (in->end) {
			snprintf(end_local, sizeof(end_local), "%s", end_in);
			if ((rc = tn_tz_to_utc(d->tz, end_local, end_utc, &amb2, err)) != TN_OK)
				return tn_err_about(err, rc, "end");
		} else if (in->duration || creating || in->start) {
			int64_t old_start, old_end;

			if (!in->duration && !creating &&
			    tn_tz_utc_parse(d->start_utc, &old_start) == TN_OK &&
			    tn_tz_utc_parse(d->end_utc, &old_end) == TN_OK)
				minutes = (old_end - old_start) / 60;
			else if (!in->duration)
				minutes = DEFAULT_DURATION;
			if ((rc = shift(d->tz, start_utc, minutes, end_utc, end_local,
					err)) != TN_OK)
				return rc;
		} else {
			/* unchanged end; new instants only in a new zone (a
			 * stored end in the second of two repeated hours must
			 * not be re-read as the first) */
			snprintf(end_local, sizeof(end_local), "%s", d->end_local);
			if (!tz_changed)
				memcpy(end_utc, d->end_utc, sizeof(end_utc));
			else if ((rc = tn_tz_to_utc(d->tz, end_local, end_utc, &amb2,
						    err)) != TN_OK)
				return tn_err_about(err, rc, "end");
		}
	}
	if (strcmp(end_utc, start_utc) <= 0) {
		tn_err_field(err, TN_USAGE, "end", "'%s': not after the start '%s' (%s)",
			     end_local, start_local, d->tz);
		tn_err_hint(err, "give a later {end}, or a {duration} such as 2h");
		return TN_USAGE;
	}
	/* the past is checked when the start is set or moves, so a past
	 * event can still have its other fields corrected */
	if (!in->past && (creating || strcmp(start_utc, d->start_utc) != 0) &&
	    (rc = check_not_past(d, start_local, start_utc, err)) != TN_OK)
		return rc;
	in->ambiguous = amb || amb2;
	in->kept_local = !creating && !in->start && tz_changed &&
			 strcmp(start_utc, d->start_utc) != 0;
	memcpy(d->start_local, start_local, sizeof(start_local));
	memcpy(d->end_local, end_local, sizeof(end_local));
	memcpy(d->start_utc, start_utc, sizeof(start_utc));
	memcpy(d->end_utc, end_utc, sizeof(end_utc));
	return TN_OK;
}

/* A new UID: 128 random bits in hex, "@", the base URL's host. */
static tn_code make_uid(struct tn_db *db, char uid[128], struct tn_err *err)
{
	unsigned char raw[16];
	char hex[sizeof(raw) * 2 + 1];
	struct tn_buf host = TN_BUF_INIT;
	struct tn_settings set;
	tn_code rc;

	if (sodium_init() < 0)
		return tn_err_set(err, TN_FAIL, "libsodium: cannot initialise");
	if ((rc = tn_settings_load(db, &set, err)) != TN_OK)
		return rc;
	rc = set.base_url ? tn_url_host(set.base_url, &host) : TN_BADINPUT;
	tn_settings_clear(&set);
	if (rc == TN_NOMEM) {
		tn_buf_free(&host);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(uid, 128, "%s@%s", hex, rc == TN_OK && host.len < 90 ? host.data : "turnout");
	tn_buf_free(&host);
	return TN_OK;
}

/* The id of the event other than self that uses slug in *other; 0 if
 * none does. */
static tn_code slug_owner(struct tn_db *db, const char *slug, int64_t self,
			  int64_t *other, struct tn_err *err)
{
	tn_code rc = tn_db_int(db, err, other,
			       "SELECT id FROM event WHERE slug = ?1 AND id <> ?2",
			       TN_T(slug), TN_I(self));

	if (rc == TN_NOTFOUND) {
		*other = 0;
		return TN_OK;
	}
	return rc;
}

static tn_code check_slug(const char *slug, struct tn_err *err)
{
	if (tn_slug_valid(slug))
		return TN_OK;
	tn_err_field(err, TN_USAGE, "slug", "'%s': not a valid slug", slug);
	tn_err_hint(err, "use lower-case letters a-z, digits and single dashes, "
		    "at most %d characters, at least one letter", TN_SLUG_MAX);
	return TN_USAGE;
}

/* A slug the user chose must be free: it is never changed behind their
 * back. */
static tn_code slug_free(struct tn_db *db, const char *slug, int64_t self,
			 struct tn_err *err)
{
	int64_t other;
	tn_code rc = slug_owner(db, slug, self, &other, err);

	if (rc != TN_OK || other == 0)
		return rc;
	tn_err_field(err, TN_EXISTS, "slug", "slug '%s': already used by event %lld",
		     slug, (long long)other);
	tn_err_hint(err, "choose another {slug}, e.g. {slug} %.50s-2", slug);
	return TN_EXISTS;
}

static int has_letter(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			return 1;
	return 0;
}

/*
 * Sets d->slug from the title. A recurring title (the same meetup every
 * month) is not an error: when the title's slug is taken, the local start
 * date is added ("readers-meetup-2027-06-10"), and when that is taken
 * too, a counter ("readers-meetup-2027-06-10-2", "-3", ...). The title's
 * part is cut at a word boundary so the whole stays within TN_SLUG_MAX.
 */
static tn_code title_slug(struct tn_db *db, struct tn_event *d, struct tn_err *err)
{
	struct tn_buf base = TN_BUF_INIT;
	char suffix[32];
	int64_t other = 0;
	size_t keep;
	int n;
	tn_code rc;

	if (tn_slug_from_title(d->title, &base) != TN_OK) {
		tn_buf_free(&base);
		return nomem(err);
	}
	snprintf(d->slug, sizeof(d->slug), "%s", base.data);
	rc = slug_owner(db, d->slug, 0, &other, err);
	for (n = 1; rc == TN_OK && other != 0; n++) {
		if (n == 1)
			snprintf(suffix, sizeof(suffix), "-%.10s", d->start_local);
		else
			snprintf(suffix, sizeof(suffix), "-%.10s-%d", d->start_local, n);
		keep = base.len;
		if (keep > TN_SLUG_MAX - strlen(suffix)) {
			size_t cut = TN_SLUG_MAX - strlen(suffix);

			keep = cut;
			while (cut > 0 && base.data[cut] != '-')
				cut--;
			if (cut > 0)   /* else one over-long word: cut inside it */
				keep = cut;
		}
		while (keep > 0 && base.data[keep - 1] == '-')
			keep--;
		/* the date is digits: the title's part must keep a letter */
		if (has_letter(base.data, keep))
			snprintf(d->slug, sizeof(d->slug), "%.*s%s", (int)keep,
				 base.data, suffix);
		else
			snprintf(d->slug, sizeof(d->slug), "event%s", suffix);
		rc = slug_owner(db, d->slug, 0, &other, err);
	}
	tn_buf_free(&base);
	return rc;
}

/*
 * 1 if the event has been announced on a channel, anyone was invited to
 * it or registered for it, or a registration link was made for it: from
 * then on its slug is in links people hold (or soon will be), and the
 * event can be cancelled but not deleted. An announcement on a channel
 * (announce.c), posted or only begun, counts too.
 */
static int event_was_published(struct tn_db *db, int64_t id)
{
	int64_t one;

	return tn_invite_event_has_invitations(db, id) ||
	       tn_announce_event_has_any(db, id) ||
	       tn_db_int(db, NULL, &one, "SELECT 1 FROM tracking_link WHERE event_id = ?1"
			 " UNION ALL SELECT 1 FROM registration WHERE event_id = ?1 LIMIT 1",
			 TN_I(id)) == TN_OK;
}

static tn_code insert(struct tn_db *db, struct tn_event *d, struct tn_err *err)
{
	tn_code rc;

	rc = tn_db_run(db, err,
		"INSERT INTO event(slug, uid, title, tz, start_local, end_local,"
		" start_utc, end_utc, venue, address, capacity, description,"
		" approval, status, sequence, created_at, updated_at)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, nullif(?11, 0), ?12,"
		" ?13, 'scheduled', 0, ?14, ?14)",
		TN_T(d->slug), TN_T(d->uid), TN_T(d->title), TN_T(d->tz),
		TN_T(d->start_local), TN_T(d->end_local), TN_T(d->start_utc),
		TN_T(d->end_utc), TN_T(d->venue), TN_T(d->address), TN_I(d->capacity),
		TN_T(d->description), TN_I(d->approval), TN_T(d->created_at));
	if (rc == TN_OK)
		d->id = tn_db_last_id(db);
	return rc;
}

tn_code tn_event_create(struct tn_db *db, struct tn_event_input *in,
			struct tn_event *ev, struct tn_err *err)
{
	struct tn_event d;
	tn_code rc;

	memset(&d, 0, sizeof(d));
	if (in->slug && (rc = check_slug(in->slug, err)) != TN_OK)
		return rc;
	if ((rc = apply_input(&d, in, 1, err)) != TN_OK)
		goto out;
	tn_now_utc(d.created_at);
	memcpy(d.updated_at, d.created_at, sizeof(d.created_at));
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		goto out;
	if (in->slug) {
		snprintf(d.slug, sizeof(d.slug), "%s", in->slug);
		rc = slug_free(db, d.slug, 0, err);
	} else {
		rc = title_slug(db, &d, err);
	}
	if (rc == TN_OK)
		rc = make_uid(db, d.uid, err);
	if (rc == TN_OK)
		rc = insert(db, &d, err);
	rc = tn_db_end(db, rc, err);
out:
	if (rc == TN_OK && ev) {
		*ev = d;
		return TN_OK;
	}
	tn_event_clear(&d);
	return rc;
}

/* 1 if the input names at least one field to change. */
static int input_given(const struct tn_event_input *in)
{
	return in->title || in->start || in->end || in->duration || in->tz ||
	       in->venue || in->address || in->capacity || in->description ||
	       in->approval || in->no_approval || in->slug;
}

static int same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* 1 if a calendar shows a and b differently: what SEQUENCE counts. */
static int differs_visibly(const struct tn_event *a, const struct tn_event *b)
{
	return !same(a->title, b->title) || strcmp(a->tz, b->tz) != 0 ||
	       strcmp(a->start_local, b->start_local) != 0 ||
	       strcmp(a->end_local, b->end_local) != 0 ||
	       strcmp(a->start_utc, b->start_utc) != 0 ||
	       strcmp(a->end_utc, b->end_utc) != 0 ||
	       !same(a->venue, b->venue) || !same(a->address, b->address) ||
	       !same(a->description, b->description);
}

static int differs(const struct tn_event *a, const struct tn_event *b)
{
	return differs_visibly(a, b) || strcmp(a->slug, b->slug) != 0 ||
	       a->capacity != b->capacity || a->approval != b->approval;
}

static tn_code dup_event(const struct tn_event *src, struct tn_event *dst,
			 struct tn_err *err)
{
	*dst = *src;
	dst->title = src->title ? strdup(src->title) : NULL;
	dst->venue = src->venue ? strdup(src->venue) : NULL;
	dst->address = src->address ? strdup(src->address) : NULL;
	dst->description = src->description ? strdup(src->description) : NULL;
	if ((src->title && !dst->title) || (src->venue && !dst->venue) ||
	    (src->address && !dst->address) ||
	    (src->description && !dst->description)) {
		tn_event_clear(dst);
		return nomem(err);
	}
	return TN_OK;
}

static tn_code write_update(struct tn_db *db, const struct tn_event *d,
			    struct tn_err *err)
{
	return tn_db_run(db, err,
		"UPDATE event SET title = ?2, tz = ?3, start_local = ?4,"
		" end_local = ?5, start_utc = ?6, end_utc = ?7, venue = ?8,"
		" address = ?9, capacity = nullif(?10, 0), description = ?11,"
		" approval = ?12, sequence = ?15, updated_at = ?13,"
		" slug = ?14 WHERE id = ?1",
		TN_I(d->id), TN_T(d->title), TN_T(d->tz), TN_T(d->start_local),
		TN_T(d->end_local), TN_T(d->start_utc), TN_T(d->end_utc), TN_T(d->venue),
		TN_T(d->address), TN_I(d->capacity), TN_T(d->description),
		TN_I(d->approval), TN_T(d->updated_at), TN_T(d->slug),
		TN_I(d->sequence));
}

static tn_code refused_cancelled(const struct tn_event *cur, struct tn_err *err)
{
	tn_err_set(err, TN_CONFLICT, "event '%s': cancelled; a cancelled event "
		   "cannot be changed", cur->slug);
	tn_err_hint(err, "create a new event instead");
	return TN_CONFLICT;
}

tn_code tn_event_update(struct tn_db *db, const char *name,
			struct tn_event_input *in, struct tn_event *ev,
			int *changed, struct tn_err *err)
{
	struct tn_event cur, d;
	tn_code rc;

	*changed = 0;
	memset(&d, 0, sizeof(d));
	if (!input_given(in)) {
		tn_err_set(err, TN_USAGE, "event '%s': nothing to change", name);
		tn_err_hint(err, "give at least one of {title}, {start}, {end}, "
			    "{duration}, {tz}, {venue}, {address}, {capacity}, "
			    "{description}, {approval}, {no-approval}, {slug}");
		return TN_USAGE;
	}
	if (in->slug && (rc = check_slug(in->slug, err)) != TN_OK)
		return rc;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_event_find(db, name, &cur, err);
	if (rc != TN_OK)
		return tn_db_end(db, rc, err);
	if (cur.cancelled)
		rc = refused_cancelled(&cur, err);
	if (rc == TN_OK)
		rc = dup_event(&cur, &d, err);
	if (rc == TN_OK)
		rc = apply_input(&d, in, 0, err);
	if (rc == TN_OK && in->slug && strcmp(in->slug, cur.slug) != 0) {
		if (event_was_published(db, cur.id))
			rc = tn_err_field(err, TN_CONFLICT, "slug", "event '%s': already "
					  "announced or sent; its slug can no longer "
					  "change (links people hold use it)", cur.slug);
		else
			rc = slug_free(db, in->slug, cur.id, err);
		if (rc == TN_OK)
			snprintf(d.slug, sizeof(d.slug), "%s", in->slug);
	}
	in->queued = 0;
	if (rc == TN_OK && differs(&cur, &d)) {
		int visible = differs_visibly(&cur, &d);

		tn_now_utc(d.updated_at);
		if (visible)   /* what invitees see changed: they are told */
			d.sequence++;
		rc = write_update(db, &d, err);
		if (rc == TN_OK && visible)
			rc = tn_invite_event_changed(db, &d, TN_EVENT_UPDATED,
						     &in->queued, err);
		/* more seats: the waitlist moves up at once */
		if (rc == TN_OK && d.capacity != cur.capacity &&
		    (d.capacity == 0 || d.capacity > cur.capacity))
			rc = tn_registration_release(db, d.id, 0, NULL, err);
		if (rc == TN_OK)
			*changed = 1;
	}
	rc = tn_db_end(db, rc, err);
	tn_event_clear(&cur);
	if (rc != TN_OK) {
		*changed = 0;
		tn_event_clear(&d);
	} else if (ev) {
		*ev = d;
	} else {
		tn_event_clear(&d);
	}
	return rc;
}

tn_code tn_event_cancel(struct tn_db *db, const char *name,
			struct tn_event *ev, int *changed, long long *queued,
			struct tn_err *err)
{
	long long n = 0;
	struct tn_event cur;
	tn_code rc;
	int have;   /* cur holds an event that must be cleared or handed over */

	*changed = 0;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_event_find(db, name, &cur, err);
	have = rc == TN_OK;
	if (rc == TN_OK && !cur.cancelled) {
		tn_now_utc(cur.updated_at);
		rc = tn_db_run(db, err, "UPDATE event SET status = 'cancelled',"
			       " sequence = sequence + 1, updated_at = ?2"
			       " WHERE id = ?1", TN_I(cur.id), TN_T(cur.updated_at));
		if (rc == TN_OK) {
			cur.cancelled = 1;
			cur.sequence++;
			*changed = 1;
			rc = tn_invite_event_changed(db, &cur, TN_EVENT_CANCELLED, &n, err);
		}
		if (rc != TN_OK) {
			tn_event_clear(&cur);
			have = 0;
		}
	}
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK) {
		*changed = 0;
		if (have)
			tn_event_clear(&cur);
		return rc;
	}
	if (queued)
		*queued = n;
	if (ev)
		*ev = cur;
	else
		tn_event_clear(&cur);
	return rc;
}

tn_code tn_event_check_delete(struct tn_db *db, const struct tn_event *ev,
			      struct tn_err *err)
{
	if (!event_was_published(db, ev->id))
		return TN_OK;
	tn_err_set(err, TN_CONFLICT, "event '%s': already announced or sent; it "
		   "cannot be deleted", ev->slug);
	tn_err_next(err, TN_NEXT_CANCEL_EVENT);
	return TN_CONFLICT;
}

tn_code tn_event_delete(struct tn_db *db, const char *name,
			struct tn_event *ev, struct tn_err *err)
{
	struct tn_event cur;
	tn_code rc;

	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_event_find(db, name, &cur, err);
	if (rc != TN_OK)
		return tn_db_end(db, rc, err);
	rc = tn_event_check_delete(db, &cur, err);
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM event WHERE id = ?1", TN_I(cur.id));
	rc = tn_db_end(db, rc, err);
	if (rc == TN_OK && ev)
		*ev = cur;
	else
		tn_event_clear(&cur);
	return rc;
}

struct feed_ctx {
	struct tn_event *evs;
	size_t n, cap;
};

static tn_code feed_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct feed_ctx *f = vctx;
	struct tn_event *grown;
	tn_code rc;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;

		if (!(grown = realloc(f->evs, cap * sizeof(*grown))))
			return nomem(err);
		f->evs = grown;
		f->cap = cap;
	}
	if ((rc = read_row(&f->evs[f->n], row, err)) != TN_OK)
		return rc;
	/* "upcoming" has one definition, tn_event_upcoming */
	if (tn_event_upcoming(&f->evs[f->n]))
		f->n++;
	else
		tn_event_clear(&f->evs[f->n]);
	return TN_OK;
}

tn_code tn_event_feed(struct tn_db *db, struct tn_event **evs, size_t *n,
		      struct tn_err *err)
{
	struct feed_ctx f = { NULL, 0, 0 };
	tn_code rc;

	rc = tn_db_each(db, err, feed_row, &f, SELECT_EVENT " WHERE status = 'scheduled'"
			" ORDER BY start_utc, id");
	if (rc != TN_OK) {
		tn_event_free_all(f.evs, f.n);
		f.evs = NULL;
		f.n = 0;
	}
	*evs = f.evs;
	*n = f.n;
	return rc;
}

void tn_event_free_all(struct tn_event *evs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tn_event_clear(&evs[i]);
	free(evs);
}

struct each_ctx {
	int (*fn)(void *ctx, const struct tn_event *ev);
	void *ctx;
};

static tn_code each_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct each_ctx *e = vctx;
	struct tn_event ev;
	int stop;

	if (read_row(&ev, row, err) != TN_OK)
		return TN_NOMEM;
	stop = e->fn(e->ctx, &ev);
	tn_event_clear(&ev);
	return stop ? TN_DB_STOP : TN_OK;
}

tn_code tn_event_each(struct tn_db *db,
		      int (*fn)(void *ctx, const struct tn_event *ev),
		      void *ctx, struct tn_err *err)
{
	struct each_ctx e = { fn, ctx };

	return tn_db_each(db, err, each_row, &e, SELECT_EVENT " ORDER BY start_utc, id");
}

int tn_event_upcoming(const struct tn_event *ev)
{
	char now[21];

	tn_now_utc(now);
	return strcmp(ev->end_utc, now) > 0;
}

void tn_event_ical(const struct tn_event *ev, struct tn_ical_event *out)
{
	out->uid = ev->uid;
	out->slug = ev->slug;
	out->title = ev->title;
	out->tz = ev->tz;
	out->start_local = ev->start_local;
	out->end_local = ev->end_local;
	out->start_utc = ev->start_utc;
	out->end_utc = ev->end_utc;
	out->venue = ev->venue;
	out->address = ev->address;
	out->description = ev->description;
	out->sequence = ev->sequence;
	out->cancelled = ev->cancelled;
	out->created_at = ev->created_at;
	out->updated_at = ev->updated_at;
}

/* ---- the time as people read it ------------------------------------------ */

static const char *const weekdays[] = {
	"Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday",
};
static const char *const months[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

/* "Thursday 10 June 2027" of a local "YYYY-MM-DD HH:MM". */
static tn_code add_day(struct tn_buf *b, const char *local)
{
	int y = atoi(local), m = atoi(local + 5), d = atoi(local + 8);
	long long yy = m <= 2 ? y - 1 : y, era, doe, days;
	unsigned yoe, mp;

	if (m < 1 || m > 12)
		return tn_buf_add(b, local);
	/* days since 1970-01-01 (a Thursday), as in H. Hinnant's
	 * days_from_civil */
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = (unsigned)(yy - era * 400);
	mp = (unsigned)(m > 2 ? m - 3 : m + 9);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + (153 * mp + 2) / 5 + (unsigned)d - 1;
	days = era * 146097 + doe - 719468;
	return tn_buf_addf(b, "%s %d %s %d", weekdays[((days % 7) + 7) % 7], d,
			   months[m - 1], y);
}

tn_code tn_event_when(const struct tn_event *ev, struct tn_buf *out)
{
	tn_code rc;

	out->len = 0;
	rc = tn_buf_add(out, "");
	if (rc == TN_OK)
		rc = add_day(out, ev->start_local);
	if (rc == TN_OK)
		rc = tn_buf_addf(out, ", %s", ev->start_local + 11);
	if (rc == TN_OK && strncmp(ev->start_local, ev->end_local, 10) == 0)
		rc = tn_buf_addf(out, "\u2013%s", ev->end_local + 11);
	else if (rc == TN_OK && (rc = tn_buf_add(out, " \u2013 ")) == TN_OK &&
		 (rc = add_day(out, ev->end_local)) == TN_OK)
		rc = tn_buf_addf(out, ", %s", ev->end_local + 11);
	if (rc == TN_OK)
		rc = tn_buf_addf(out, " (%s)", ev->tz);
	return rc;
}
