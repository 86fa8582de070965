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

#include "turnout/buf.h"
#include "turnout/event.h"
#include "turnout/slug.h"
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

/* Prefixes err's message with the flag it is about; keeps the hint. */
static tn_code flag_err(struct tn_err *err, tn_code rc, const char *flag)
{
	char msg[sizeof(err->msg)], hint[sizeof(err->hint)];

	memcpy(msg, err->msg, sizeof(msg));
	memcpy(hint, err->hint, sizeof(hint));
	tn_err_set(err, rc, "%s: %s", flag, msg);
	memcpy(err->hint, hint, sizeof(hint));
	return rc;
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

static tn_code read_row(sqlite3_stmt *st, struct tn_event *ev,
			struct tn_err *err)
{
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
	ev->cancelled = strcmp((const char *)sqlite3_column_text(st, 14), "cancelled") == 0;
	ev->sequence = sqlite3_column_int64(st, 15);
	copy_text(ev->created_at, sizeof(ev->created_at), sqlite3_column_text(st, 16));
	copy_text(ev->updated_at, sizeof(ev->updated_at), sqlite3_column_text(st, 17));
	if (oom || !ev->title) {
		tn_event_clear(ev);
		return nomem(err);
	}
	return TN_OK;
}

/* Reads the event whose column (slug or id) equals the value; TN_NOTFOUND
 * without touching err if there is none. */
static tn_code select_one(struct tn_db *db, const char *where,
			  const char *text, int64_t id, struct tn_event *ev,
			  struct tn_err *err)
{
	struct tn_buf sql = TN_BUF_INIT;
	sqlite3_stmt *st = NULL;
	tn_code rc;
	int s;

	if (tn_buf_addf(&sql, "SELECT " COLUMNS " FROM event WHERE %s", where) != TN_OK)
		return nomem(err);
	rc = tn_db_prepare(db, &st, sql.data, err);
	tn_buf_free(&sql);
	if (rc != TN_OK)
		return rc;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		rc = read_row(st, ev, err);
	else if (s == SQLITE_DONE)
		rc = TN_NOTFOUND;
	else
		rc = tn_db_fail(db, err, "read event");
	sqlite3_finalize(st);
	return rc;
}

tn_code tn_event_find(struct tn_db *db, const char *name, struct tn_event *ev,
		      struct tn_err *err)
{
	tn_code rc;
	const char *p;
	int digits = name && *name && strlen(name) <= 18;

	rc = select_one(db, "slug = ?1", name ? name : "", 0, ev, err);
	if (rc != TN_NOTFOUND)
		return rc;
	for (p = name; digits && *p; p++)
		if (*p < '0' || *p > '9')
			digits = 0;
	if (digits) {
		rc = select_one(db, "id = ?1", NULL, strtoll(name, NULL, 10), ev, err);
		if (rc != TN_NOTFOUND)
			return rc;
	}
	tn_err_set(err, TN_NOTFOUND, "event '%s': no such event", name ? name : "");
	tn_err_hint(err, "'turnout event list' shows the events and their slugs");
	return TN_NOTFOUND;
}

int tn_event_parse_duration(const char *s, int64_t *minutes)
{
	int64_t total = 0, n;
	int seen_h = 0, seen_m = 0;

	if (!s || !*s)
		return -1;
	while (*s) {
		if (*s < '0' || *s > '9')
			return -1;
		for (n = 0; *s >= '0' && *s <= '9'; s++) {
			n = n * 10 + (*s - '0');
			if (n > DURATION_MAX)
				return -1;
		}
		if (*s == 'h' && !seen_h && !seen_m) {
			seen_h = 1;
			total += n * 60;
		} else if (*s == 'm' && !seen_m) {
			seen_m = 1;
			total += n;
		} else {
			return -1;
		}
		s++;
	}
	if (total < 1 || total > DURATION_MAX)
		return -1;
	*minutes = total;
	return 0;
}

/*
 * Checks a free-text value: valid UTF-8, not too long, and no control
 * character (below 0x20, or 0x7F). RFC 5545 forbids them in TEXT values,
 * and on a terminal they are commands. Multi-line text (lines != 0) may
 * hold newlines, tabs and CR LF pairs.
 */
static tn_code check_text(const char *flag, const char *s, size_t max,
			  int lines, struct tn_err *err)
{
	size_t n = strlen(s), i;

	if (!tn_utf8_valid(s, n))
		return tn_err_set(err, TN_USAGE, "%s: not valid UTF-8", flag);
	if (n > max)
		return tn_err_set(err, TN_USAGE, "%s: too long (%zu bytes, at most %zu)",
				  flag, n, max);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7F)
			continue;
		if (lines && (c == '\n' || c == '\t' || (c == '\r' && s[i + 1] == '\n')))
			continue;
		tn_err_set(err, TN_USAGE, "%s: control character", flag);
		tn_err_hint(err, "byte %zu is 0x%02X; only text%s is allowed", i + 1, c,
			    lines ? ", newlines and tabs" : "");
		return TN_USAGE;
	}
	return TN_OK;
}

/* Replaces *field with a copy of value ("" = none); in multi-line text
 * CR LF becomes LF. */
static tn_code set_optional(char **field, const char *flag, const char *value,
			    size_t max, int lines, struct tn_err *err)
{
	char *copy = NULL;
	tn_code rc;

	if (*value) {
		if ((rc = check_text(flag, value, max, lines, err)) != TN_OK)
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
	free(*field);
	*field = copy;
	return TN_OK;
}

static tn_code bad_local(const char *flag, const char *value,
			 struct tn_err *err)
{
	tn_err_set(err, TN_USAGE, "%s: '%s': not a local date and time", flag, value);
	tn_err_hint(err, "write it as \"YYYY-MM-DD HH:MM\" (24-hour clock), "
		    "e.g. %s \"2026-12-10 19:00\"", flag);
	return TN_USAGE;
}

/* Adds minutes to a UTC time and gives the new UTC and local times. */
static tn_code shift(const char *tz, const char *from_utc, int64_t minutes,
		     char utc[21], char local[17], struct tn_err *err)
{
	int64_t t;

	if (tn_tz_utc_parse(from_utc, &t) != 0)
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
	int amb = 0, amb2 = 0, tz_changed;
	const char *p;
	tn_code rc;

	in->ambiguous = 0;
	if (creating) {
		if (!in->title)
			return tn_err_set(err, TN_USAGE, "--title: required");
		if (!in->start)
			return tn_err_set(err, TN_USAGE, "--start: required");
		if (!in->tz) {
			tn_err_set(err, TN_USAGE, "--tz: required");
			tn_err_hint(err, "give the event's IANA time zone, e.g. --tz Europe/Berlin");
			return TN_USAGE;
		}
	}
	if (in->title) {
		for (p = in->title; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
			;
		if (!*p)
			return tn_err_set(err, TN_USAGE, "--title: empty");
		if ((rc = check_text("--title", in->title, TITLE_MAX, 0, err)) != TN_OK)
			return rc;
		free(d->title);
		if (!(d->title = strdup(in->title)))
			return nomem(err);
	}
	memcpy(old_tz, d->tz, sizeof(old_tz));
	if (in->tz && (rc = tn_tz_check(in->tz, d->tz, err)) != TN_OK)
		return flag_err(err, rc, "--tz");
	tz_changed = strcmp(old_tz, d->tz) != 0;
	if (in->venue && (rc = set_optional(&d->venue, "--venue", in->venue,
					    PLACE_MAX, 0, err)) != TN_OK)
		return rc;
	if (in->address && (rc = set_optional(&d->address, "--address", in->address,
					      PLACE_MAX, 0, err)) != TN_OK)
		return rc;
	if (in->description && (rc = set_optional(&d->description, "--description",
						  in->description, DESCRIPTION_MAX,
						  1, err)) != TN_OK)
		return rc;
	if (in->capacity) {
		int64_t n = 0;

		for (p = in->capacity; *p >= '0' && *p <= '9' && n <= CAPACITY_MAX; p++)
			n = n * 10 + (*p - '0');
		if (*in->capacity && (*p || n < 1 || n > CAPACITY_MAX)) {
			tn_err_set(err, TN_USAGE, "--capacity: '%s': not a whole number "
				   "from 1 to %d", in->capacity, CAPACITY_MAX);
			tn_err_hint(err, "leave --capacity out (or give \"\") for no limit");
			return TN_USAGE;
		}
		d->capacity = *in->capacity ? n : 0;
	}
	if (in->approval >= 0)
		d->approval = in->approval != 0;

	/* times */
	if (in->end && in->duration) {
		tn_err_set(err, TN_USAGE, "--end and --duration: give one or the other");
		return TN_USAGE;
	}
	if (in->start && !tn_tz_local_valid(in->start))
		return bad_local("--start", in->start, err);
	if (in->end && !tn_tz_local_valid(in->end))
		return bad_local("--end", in->end, err);
	{
		int64_t minutes = 0;

		if (in->duration && tn_event_parse_duration(in->duration, &minutes) != 0) {
			tn_err_set(err, TN_USAGE, "--duration: '%s': not a duration",
				   in->duration);
			tn_err_hint(err, "write hours and minutes like 2h, 90m or 1h30m "
				    "(at most %dh)", DURATION_MAX / 60);
			return TN_USAGE;
		}
		snprintf(start_local, sizeof(start_local), "%s",
			 in->start ? in->start : d->start_local);
		if (!in->start && !tz_changed)
			memcpy(start_utc, d->start_utc, sizeof(start_utc));
		else if ((rc = tn_tz_to_utc(d->tz, start_local, start_utc, &amb,
					    err)) != TN_OK)
			return flag_err(err, rc, "--start");
		if (in->end) {
			snprintf(end_local, sizeof(end_local), "%s", in->end);
			if ((rc = tn_tz_to_utc(d->tz, end_local, end_utc, &amb2, err)) != TN_OK)
				return flag_err(err, rc, "--end");
		} else if (in->duration || creating || in->start) {
			int64_t old_start, old_end;

			if (!in->duration && !creating &&
			    tn_tz_utc_parse(d->start_utc, &old_start) == 0 &&
			    tn_tz_utc_parse(d->end_utc, &old_end) == 0)
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
				return flag_err(err, rc, "--end");
		}
	}
	if (strcmp(end_utc, start_utc) <= 0) {
		tn_err_set(err, TN_USAGE, "--end: '%s': not after the start '%s' (%s)",
			   end_local, start_local, d->tz);
		tn_err_hint(err, "give a later --end, or a --duration such as 2h");
		return TN_USAGE;
	}
	in->ambiguous = amb || amb2;
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
	char *base = NULL;
	tn_code rc;

	if (sodium_init() < 0)
		return tn_err_set(err, TN_FAIL, "libsodium: cannot initialise");
	if ((rc = tn_db_setting_get(db, "base_url", &base, err)) != TN_OK)
		return rc;
	rc = base ? tn_url_host(base, &host) : TN_BADINPUT;
	free(base);
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

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static tn_code begin(struct tn_db *db, struct tn_err *err)
{
	if (tn_db_begin(db) != TN_OK)
		return tn_err_set(err, TN_DB, "database '%s': cannot start a "
				  "transaction: %s", tn_db_path(db),
				  sqlite3_errmsg(tn_db_sqlite(db)));
	return TN_OK;
}

static tn_code end(struct tn_db *db, tn_code rc, struct tn_err *err)
{
	if (tn_db_end(db, rc != TN_OK) != TN_OK && rc == TN_OK)
		rc = tn_err_set(err, TN_DB, "database '%s': commit failed",
				tn_db_path(db));
	return rc;
}

static tn_code slug_taken(struct tn_db *db, const char *slug, int explicit,
			  struct tn_err *err)
{
	struct tn_event other;
	tn_code rc = select_one(db, "slug = ?1", slug, 0, &other, err);

	if (rc == TN_NOTFOUND)
		return TN_OK;
	if (rc != TN_OK)
		return rc;
	tn_err_set(err, TN_EXISTS, "%sslug '%s': already used by event %lld",
		   explicit ? "--slug: " : "", slug, (long long)other.id);
	if (explicit)
		tn_err_hint(err, "choose another --slug, e.g. --slug %.50s-2", slug);
	else
		tn_err_hint(err, "pass --slug to name this event differently, "
			    "e.g. --slug %.50s-2", slug);
	tn_event_clear(&other);
	return TN_EXISTS;
}

/* Binds the fields that create and update both write, as ?3 .. ?13 (title
 * to approval); the statements number their other parameters around them. */
static void bind_fields(sqlite3_stmt *st, const struct tn_event *d)
{
	sqlite3_bind_text(st, 3, d->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->tz, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, d->start_local, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, d->end_local, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, d->start_utc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, d->end_utc, -1, SQLITE_STATIC);
	bind_opt(st, 9, d->venue);
	bind_opt(st, 10, d->address);
	if (d->capacity > 0)
		sqlite3_bind_int64(st, 11, d->capacity);
	else
		sqlite3_bind_null(st, 11);
	bind_opt(st, 12, d->description);
	sqlite3_bind_int(st, 13, d->approval);
}

static tn_code insert(struct tn_db *db, struct tn_event *d, struct tn_err *err)
{
	sqlite3_stmt *st;
	tn_code rc;

	if ((rc = tn_db_prepare(db, &st,
		"INSERT INTO event(slug, uid, title, tz, start_local, end_local,"
		" start_utc, end_utc, venue, address, capacity, description,"
		" approval, status, sequence, created_at, updated_at)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" 'scheduled', 0, ?14, ?14)", err)) != TN_OK)
		return rc;
	sqlite3_bind_text(st, 1, d->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->uid, -1, SQLITE_STATIC);
	bind_fields(st, d);
	sqlite3_bind_text(st, 14, d->created_at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = tn_db_fail(db, err, "insert event");
	else
		d->id = sqlite3_last_insert_rowid(tn_db_sqlite(db));
	sqlite3_finalize(st);
	return rc;
}

tn_code tn_event_create(struct tn_db *db, struct tn_event_input *in,
			struct tn_event *ev, struct tn_err *err)
{
	struct tn_event d;
	struct tn_buf slug = TN_BUF_INIT;
	tn_code rc;

	memset(&d, 0, sizeof(d));
	if (in->slug && !tn_slug_valid(in->slug)) {
		tn_err_set(err, TN_USAGE, "--slug: '%s': not a valid slug", in->slug);
		tn_err_hint(err, "use lower-case letters a-z, digits and single dashes, "
			    "at most %d characters, at least one letter", TN_SLUG_MAX);
		return TN_USAGE;
	}
	if ((rc = apply_input(&d, in, 1, err)) != TN_OK)
		goto out;
	if (in->slug)
		rc = tn_buf_add(&slug, in->slug);
	else
		rc = tn_slug_from_title(d.title, &slug);
	if (rc != TN_OK) {
		rc = nomem(err);
		goto out;
	}
	snprintf(d.slug, sizeof(d.slug), "%s", slug.data);
	tn_now_utc(d.created_at);
	memcpy(d.updated_at, d.created_at, sizeof(d.created_at));
	if ((rc = begin(db, err)) != TN_OK)
		goto out;
	rc = slug_taken(db, d.slug, in->slug != NULL, err);
	if (rc == TN_OK)
		rc = make_uid(db, d.uid, err);
	if (rc == TN_OK)
		rc = insert(db, &d, err);
	rc = end(db, rc, err);
out:
	tn_buf_free(&slug);
	if (rc == TN_OK && ev) {
		*ev = d;
		return TN_OK;
	}
	tn_event_clear(&d);
	return rc;
}

static int same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static int differs(const struct tn_event *a, const struct tn_event *b)
{
	return !same(a->title, b->title) || strcmp(a->tz, b->tz) != 0 ||
	       strcmp(a->start_local, b->start_local) != 0 ||
	       strcmp(a->end_local, b->end_local) != 0 ||
	       strcmp(a->start_utc, b->start_utc) != 0 ||
	       strcmp(a->end_utc, b->end_utc) != 0 ||
	       !same(a->venue, b->venue) || !same(a->address, b->address) ||
	       !same(a->description, b->description) ||
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
	sqlite3_stmt *st;
	tn_code rc;

	if ((rc = tn_db_prepare(db, &st,
		"UPDATE event SET title = ?3, tz = ?4, start_local = ?5,"
		" end_local = ?6, start_utc = ?7, end_utc = ?8, venue = ?9,"
		" address = ?10, capacity = ?11, description = ?12, approval = ?13,"
		" sequence = sequence + 1, updated_at = ?14 WHERE id = ?1", err)) != TN_OK)
		return rc;
	sqlite3_bind_int64(st, 1, d->id);
	bind_fields(st, d);
	sqlite3_bind_text(st, 14, d->updated_at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = tn_db_fail(db, err, "update event");
	sqlite3_finalize(st);
	return rc;
}

static tn_code refused_cancelled(const struct tn_event *cur, struct tn_err *err)
{
	tn_err_set(err, TN_FAIL, "event '%s': cancelled; a cancelled event "
		   "cannot be changed", cur->slug);
	tn_err_hint(err, "create a new event instead");
	return TN_FAIL;
}

tn_code tn_event_update(struct tn_db *db, const char *name,
			struct tn_event_input *in, struct tn_event *ev,
			int *changed, struct tn_err *err)
{
	struct tn_event cur, d;
	tn_code rc;

	*changed = 0;
	memset(&d, 0, sizeof(d));
	if (in->slug)
		return tn_err_set(err, TN_USAGE, "--slug: an event's slug cannot be "
				  "changed (links and invitations use it)");
	if ((rc = begin(db, err)) != TN_OK)
		return rc;
	rc = tn_event_find(db, name, &cur, err);
	if (rc != TN_OK)
		return end(db, rc, err);
	if (cur.cancelled)
		rc = refused_cancelled(&cur, err);
	if (rc == TN_OK)
		rc = dup_event(&cur, &d, err);
	if (rc == TN_OK)
		rc = apply_input(&d, in, 0, err);
	if (rc == TN_OK && differs(&cur, &d)) {
		tn_now_utc(d.updated_at);
		rc = write_update(db, &d, err);
		if (rc == TN_OK) {
			d.sequence++;
			*changed = 1;
		}
	}
	rc = end(db, rc, err);
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
			struct tn_event *ev, int *changed, struct tn_err *err)
{
	struct tn_event cur;
	sqlite3_stmt *st;
	tn_code rc;
	int have;   /* cur holds an event that must be cleared or handed over */

	*changed = 0;
	if ((rc = begin(db, err)) != TN_OK)
		return rc;
	rc = tn_event_find(db, name, &cur, err);
	have = rc == TN_OK;
	if (rc == TN_OK && !cur.cancelled) {
		rc = tn_db_prepare(db, &st, "UPDATE event SET status = 'cancelled',"
				   " sequence = sequence + 1, updated_at = ?2"
				   " WHERE id = ?1", err);
		if (rc == TN_OK) {
			tn_now_utc(cur.updated_at);
			sqlite3_bind_int64(st, 1, cur.id);
			sqlite3_bind_text(st, 2, cur.updated_at, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = tn_db_fail(db, err, "cancel event");
			sqlite3_finalize(st);
		}
		if (rc == TN_OK) {
			cur.cancelled = 1;
			cur.sequence++;
			*changed = 1;
		} else {
			tn_event_clear(&cur);
			have = 0;
		}
	}
	rc = end(db, rc, err);
	if (rc != TN_OK) {
		*changed = 0;
		if (have)
			tn_event_clear(&cur);
		return rc;
	}
	if (ev)
		*ev = cur;
	else
		tn_event_clear(&cur);
	return rc;
}

tn_code tn_event_each(struct tn_db *db,
		      int (*fn)(void *ctx, const struct tn_event *ev),
		      void *ctx, struct tn_err *err)
{
	sqlite3_stmt *st;
	struct tn_event ev;
	tn_code rc;
	int s;

	if ((rc = tn_db_prepare(db, &st, "SELECT " COLUMNS " FROM event"
				" ORDER BY start_utc, id", err)) != TN_OK)
		return rc;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		int stop;

		if ((rc = read_row(st, &ev, err)) != TN_OK)
			break;
		stop = fn(ctx, &ev);
		tn_event_clear(&ev);
		if (stop)
			break;
	}
	if (rc == TN_OK && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = tn_db_fail(db, err, "list events");
	sqlite3_finalize(st);
	return rc;
}
