/*
 * report.h - the conversion report: what share of the online audience
 * came offline, per event, per channel (or region) and over a period.
 * Reads the tables of channel.c, person.c, event.c, invite.c,
 * registration.c, ticket.c and door.c - each table read once, whatever
 * the number of events, and counted in C, all in report.c - and fills
 * the struct of reportout.h, which
 * the writers there (text, CSV, JSON) and the web's pages turn into
 * bytes. Owns no table; writes nothing.
 *
 * Definitions (SPEC.md "Report definitions"; docs/report-json.md):
 *  - the date of an event is its local start date;
 *  - a channel's audience on that date = max(its latest declared
 *    audience dated on or before it, its known followers then: followed_at
 *    on or before the date, or unknown, and not unfollowed on or before
 *    it); the total audience = the people following any channel then +
 *    for each channel the part of its declared audience beyond its known
 *    followers;
 *  - invited = people with an invitation (in the row of its channel;
 *    none: direct); registered = registrations that are yes; ticketed =
 *    of those, with a valid ticket; came = people admitted at the door;
 *    no_shows = ticketed people who did not come; returning = came and
 *    were admitted at an event that started earlier;
 *  - a registration (and so its ticket and its admit) counts in the row
 *    of its source: an invitation's channel (none: direct), a tracking
 *    link's channel, direct; a walk-in's channel given at the door, else
 *    the channel the person followed on the date (the one followed
 *    earliest, an unknown date first), else walk-in;
 *  - over a period (the events not cancelled) every stage counts each
 *    person once, and the audience is the largest among its events.
 */
#ifndef TURNOUT_REPORT_H
#define TURNOUT_REPORT_H

#include <stddef.h>

#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/reportout.h"

#define TN_REPORT_TARGET_DEFAULT 10.0   /* percent */

struct tn_report_opts {
	const char *const *events;   /* slugs or ids; none: the period's */
	size_t nevents;
	const char *since, *until;   /* YYYY-MM-DD, inclusive; NULL: open */
	enum tn_report_by by;
	double target;               /* percent; 0: the default */
	int people;                  /* list who came at each event
	                              * (tn_report_event.came: the HTML
	                              * report's list) */
};

/* Reads a --target value: a number with 0 < PCT <= 100 (a trailing %
 * allowed). TN_USAGE about "target" otherwise. */
tn_code tn_report_target_parse(const char *text, double *pct,
			       struct tn_err *err);
/* Reads a grouping word: channel, region or event. TN_USAGE about "by",
 * with a "did you mean" hint, otherwise. */
tn_code tn_report_by_parse(const char *word, enum tn_report_by *by,
			   struct tn_err *err);

/*
 * Computes the report into *r (caller calls tn_report_free, whatever the
 * outcome). Events named in opts are reported in order of start, each
 * once; without names, every event whose date is within since..until.
 * Naming events and a period together, a date that is no date, since
 * after until and a target out of range are TN_USAGE about the field; an
 * unknown event TN_NOTFOUND about "event". Only reads; the store has no
 * read transaction, so each statement sees the database as it then is.
 */
tn_code tn_report_run(struct tn_db *db, const struct tn_report_opts *opts,
		      struct tn_report *r, struct tn_err *err);

#endif
