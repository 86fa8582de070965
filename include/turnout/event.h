/*
 * event.h - events: title, slug, local start/end in an IANA zone (kept in
 * UTC too), venue, capacity, status and the iCalendar UID and SEQUENCE.
 * Owns table event.
 *
 * Create and update take the values as the user typed them (struct
 * tn_event_input) and validate them here, so every front end applies the
 * same rules; an error about one value names its field in err->field
 * ("start": "'2026-03-29 02:30': does not exist in Europe/Berlin ...").
 */
#ifndef TURNOUT_EVENT_H
#define TURNOUT_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "turnout/buf.h"
#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/ical.h"
#include "turnout/slug.h"

struct tn_event {
	int64_t id;
	char slug[TN_SLUG_MAX + 1];
	char uid[128];          /* iCalendar UID, fixed at creation */
	char *title;            /* owned; freed by tn_event_clear */
	char tz[64];            /* IANA zone name */
	char start_local[17];   /* "YYYY-MM-DD HH:MM" in tz */
	char end_local[17];
	char start_utc[21];     /* "YYYY-MM-DDTHH:MM:SSZ" */
	char end_utc[21];
	char *venue;            /* owned, NULL if none */
	char *address;          /* owned, NULL if none */
	char *description;      /* owned, NULL if none */
	int64_t capacity;       /* 0 if unlimited */
	int approval;           /* 1 if registrations need approval */
	int cancelled;          /* status: 0 scheduled, 1 cancelled */
	int64_t sequence;       /* iCalendar SEQUENCE, bumped on each change
	                         * a calendar shows */
	char created_at[21];
	char updated_at[21];
};

/* What the user asked for, as text. NULL means "not given" (create: the
 * default; update: unchanged). For venue, address, description and
 * capacity an empty string means "none". */
struct tn_event_input {
	const char *title;
	const char *start;       /* "YYYY-MM-DD HH:MM"; also "YYYY-MM-DDTHH:MM"
	                          * and either with ":00" seconds */
	const char *end;         /* as start; exclusive with duration */
	const char *duration;    /* "2h", "90m", "1h30m"; default 2h */
	const char *tz;
	const char *venue;
	const char *address;
	const char *description;
	const char *capacity;    /* a whole number >= 1 */
	const char *slug;        /* create: default made from the title;
	                          * update: a new slug, while never published */
	int approval;            /* 1: registrations need approval */
	int no_approval;         /* 1: they do not (update; not with approval) */
	int past;                /* 1: a start in the past is allowed */
	int ambiguous;           /* out: 1 if start or end fell in a repeated
	                          * hour and the first occurrence was taken */
	int kept_local;          /* out: 1 if a new zone kept the local start
	                          * time and so moved its instant (update) */
	long long queued;        /* out: updates queued for invitees (update) */
};

#define TN_EVENT_INPUT_INIT { .title = NULL }

/* Parses a duration ("2h", "90m", "1h30m") into minutes (1 .. 30 days);
 * TN_USAGE if malformed or out of range. */
tn_code tn_event_parse_duration(const char *s, int64_t *minutes);

/* Creates an event. title, start and tz are required; a start in the past
 * is refused (field "start") unless in->past. Without in->slug the slug is
 * made from the title; when that one is taken, the local start date is
 * added ("meetup-2027-06-10", then "meetup-2027-06-10-2", ...). Fills *ev
 * (when ev is not NULL; caller calls tn_event_clear). TN_USAGE for a bad
 * value (err->field names it), TN_EXISTS if the given slug is taken. */
tn_code tn_event_create(struct tn_db *db, struct tn_event_input *in,
			struct tn_event *ev, struct tn_err *err);

/* Finds an event by slug, else by numeric id. TN_NOTFOUND with
 * "event '<name>': no such event" if neither matches. Fills *ev. */
tn_code tn_event_find(struct tn_db *db, const char *name, struct tn_event *ev,
		      struct tn_err *err);

/* Applies the given fields to the event named name; TN_USAGE when none is
 * given, and when approval and no_approval both are. If anything differs
 * from what is stored, it is written and *changed is 1; if every value
 * equals the stored one nothing is written and *changed is 0. A change a
 * calendar shows (title, start, end, zone, venue, address, description)
 * bumps the sequence by one and queues an update to every invitee in the
 * same transaction (in->queued counts them); capacity, approval and slug
 * change neither. Moving the start without a new end or duration keeps the length;
 * moving it into the past is refused unless in->past. A new slug must be
 * valid and free (TN_EXISTS), and is refused (TN_CONFLICT) once the event
 * has been announced or sent. A cancelled event cannot be changed
 * (TN_CONFLICT). Fills *ev with the result (when ev is not NULL). */
tn_code tn_event_update(struct tn_db *db, const char *name,
			struct tn_event_input *in, struct tn_event *ev,
			int *changed, struct tn_err *err);

/* Marks the event cancelled, bumps its sequence (*changed = 1) and
 * queues a cancellation to every invitee in the same transaction
 * (*queued counts them; queued may be NULL). An event already cancelled
 * is left as it is (*changed = 0). Fills *ev. */
tn_code tn_event_cancel(struct tn_db *db, const char *name,
			struct tn_event *ev, int *changed, long long *queued,
			struct tn_err *err);

/* TN_OK if the event may be deleted: it was never announced or sent
 * (else TN_CONFLICT, with a next step saying to cancel it instead). For
 * a front end that asks before deleting; tn_event_delete checks again. */
tn_code tn_event_check_delete(struct tn_db *db, const struct tn_event *ev,
			      struct tn_err *err);

/* Deletes the event named name, which must never have been announced or
 * sent (TN_CONFLICT otherwise). Fills *ev with the deleted event (when ev
 * is not NULL; caller calls tn_event_clear). */
tn_code tn_event_delete(struct tn_db *db, const char *name,
			struct tn_event *ev, struct tn_err *err);

/* The events a calendar feed holds: upcoming (tn_event_upcoming) and not
 * cancelled, ordered by start (then id). *evs is a new array of *n events
 * (NULL when there are none); caller frees it with tn_event_free_all. */
tn_code tn_event_feed(struct tn_db *db, struct tn_event **evs, size_t *n,
		      struct tn_err *err);

/* Clears each of the n events and frees the array. */
void tn_event_free_all(struct tn_event *evs, size_t n);

/* Calls fn for each event ordered by start (then id); fn returns non-zero
 * to stop. The event passed to fn is valid only during the call. */
tn_code tn_event_each(struct tn_db *db,
		      int (*fn)(void *ctx, const struct tn_event *ev),
		      void *ctx, struct tn_err *err);

/* Fills *out (borrowing ev's strings) for the calendar writer, ical.h. */
void tn_event_ical(const struct tn_event *ev, struct tn_ical_event *out);

/* The event's time as people read it, in its own zone, into out
 * (replacing what it held): "Thursday 10 June 2027, 19:00–21:00
 * (Europe/Berlin)", or with both days when it ends on another one.
 * TN_NOMEM. */
tn_code tn_event_when(const struct tn_event *ev, struct tn_buf *out);

/* 1 if the event has not ended yet (by the clock, or $TURNOUT_NOW). */
int tn_event_upcoming(const struct tn_event *ev);

/* Frees the owned strings of ev and zeroes it. */
void tn_event_clear(struct tn_event *ev);

#endif
