/*
 * ical.h - iCalendar (RFC 5545/5546) files for events, built with libical.
 *
 * Every file carries a VTIMEZONE that strict and buggy parsers alike read
 * the same way: TZID is the plain IANA name, only the rules from the year
 * before the event to the year after it are kept, and no STANDARD/DAYLIGHT
 * rule has an UNTIL (python-icalendar 4.0.3 rejects those:
 * collective/icalendar#708).
 */
#ifndef TURNOUT_ICAL_H
#define TURNOUT_ICAL_H

#include <stddef.h>

#include <libical/ical.h>

#include "turnout/err.h"

/* Who publishes (the caller fills it from the settings; this module
 * never reads the database). NULL fields are unset: no ORGANIZER without
 * from, no URL without base_url. The strings are borrowed. */
struct tn_ical_org {
	const char *org;        /* organisation name, for ORGANIZER's CN */
	const char *from;       /* organiser's e-mail address */
	const char *base_url;   /* public base URL; the event page is base_url/e/slug */
};

/* The event as a calendar sees it; the caller fills it (tn_event_ical
 * does it from a stored event). Strings are borrowed; venue, address and
 * description may be NULL. Times as event.h keeps them: local
 * "YYYY-MM-DD HH:MM" in tz, and UTC "YYYY-MM-DDTHH:MM:SSZ". */
struct tn_ical_event {
	const char *uid;
	const char *slug;           /* for the page URL base_url/e/slug */
	const char *title;
	const char *tz;             /* IANA zone name */
	const char *start_local, *end_local;
	const char *start_utc, *end_utc;
	const char *venue, *address, *description;
	long long sequence;
	int cancelled;
	const char *created_at, *updated_at;   /* UTC */
};

/* An invitee as an iTIP message names them. Strings are borrowed. */
struct tn_ical_attendee {
	const char *email;      /* the invitee's address */
	const char *name;       /* display name for CN; may be NULL or "" */
	const char *rsvp_url;   /* the personal RSVP page; may be NULL */
};

/* The iTIP methods an organizer sends (RFC 5546 3.2.2 and 3.2.5). */
enum tn_itip_method {
	TN_ITIP_REQUEST = 1,   /* an invitation, or an update of one */
	TN_ITIP_CANCEL = 2,    /* the event is cancelled */
};

/* Builds the VTIMEZONE of zone (an IANA name) holding only the rules in
 * force from 1 January of from_year through 31 December of to_year, with
 * TZID = the IANA name and no UNTIL: a first observance giving the offset
 * at the start, then the changes within those years (an open-ended RRULE
 * may run on past to_year). Observances that change no offset, other than
 * that first one, are left out. On success *out is a new component;
 * caller frees it with icalcomponent_free. TN_USAGE for an unknown zone,
 * TN_FAIL unless 1 <= from_year <= to_year <= 9998. Each one built is
 * kept for the process's life (the last 16, under a lock) and later
 * calls get a copy: building one costs about a millisecond. */
tn_code tn_ical_vtimezone(const char *zone, int from_year, int to_year,
			  icalcomponent **out, struct tn_err *err);

/* Builds the VEVENT of ev (DTSTART/DTEND with TZID, UID, SEQUENCE,
 * STATUS, SUMMARY, LOCATION, DESCRIPTION, URL, ORGANIZER, DTSTAMP =
 * now). A start or end in a repeated hour (clocks going back) is written
 * in UTC instead, since parsers disagree on which occurrence a local time
 * means. org may be NULL. *out is a new component; caller frees it. */
tn_code tn_ical_vevent(const struct tn_ical_event *ev, const struct tn_ical_org *org,
		       icalcomponent **out, struct tn_err *err);

/* The whole METHOD:PUBLISH calendar of ev as text (CRLF, folded lines),
 * checked with icalrestriction_check. Without org->from the file has no
 * ORGANIZER (everything else is still checked). *out is malloc'd; caller
 * frees. */
tn_code tn_ical_publish(const struct tn_ical_event *ev, const struct tn_ical_org *org,
			char **out, struct tn_err *err);

/* As tn_ical_publish, for a feed of n events (n may be 0: a calendar
 * without components): one VTIMEZONE per zone, covering from the year
 * before the earliest start to the year after the latest end of that
 * zone's events, then one VEVENT per event in the order given. *out is
 * malloc'd; caller frees. */
tn_code tn_ical_publish_many(const struct tn_ical_event *evs, size_t n,
			     const struct tn_ical_org *org, char **out,
			     struct tn_err *err);

/*
 * One invitee's iTIP calendar (RFC 5546) for ev as text (CRLF, folded):
 * METHOD:REQUEST or METHOD:CANCEL, the VTIMEZONE tn_ical_publish writes,
 * and the VEVENT with ev's UID and SEQUENCE, ORGANIZER;CN=org:mailto:from
 * and ATTENDEE;CN=name;ROLE=REQ-PARTICIPANT:mailto:email, which a REQUEST
 * gives PARTSTAT=NEEDS-ACTION;RSVP=TRUE (Accept / Decline in calendars)
 * and its URL = att->rsvp_url when that is given (else the event page, as
 * in publish). A CANCEL has STATUS:CANCELLED whatever ev->cancelled says;
 * a REQUEST for a cancelled event is TN_CONFLICT. A CN cannot hold a
 * DQUOTE (RFC 5545), so one becomes ' there; the mail's headers carry
 * the name exactly. att->email is normalised (its domain as an A-label);
 * a bad address is TN_BADINPUT. Without org->from: TN_USAGE about the
 * field "from" with err->next = TN_NEXT_CONFIG (ORGANIZER is mandatory in
 * iTIP). Checked with icalrestriction_check. *out is malloc'd; caller
 * frees.
 */
tn_code tn_ical_itip(const struct tn_ical_event *ev, const struct tn_ical_org *org,
		     const struct tn_ical_attendee *att, enum tn_itip_method m,
		     char **out, struct tn_err *err);

#endif
