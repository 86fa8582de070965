/*
 * live.h - the live report: the conversion report of one event as the
 * organizer watches it during the event (the web server's /report/E),
 * and when it is worth refreshing. Owns no table; the figures are
 * report.h's, the rule of the doors is here so that every front end
 * shows the same thing.
 */
#ifndef TURNOUT_LIVE_H
#define TURNOUT_LIVE_H

#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/event.h"
#include "turnout/reportout.h"

/* The doors open this long before an event's start. */
#define TN_LIVE_DOORS_OPEN_BEFORE (2 * 60 * 60)   /* seconds */
/* How often a live page refreshes while the doors are open. */
#define TN_LIVE_REFRESH_SECONDS 30

/* 1 while the doors of ev are open at now ("YYYY-MM-DDTHH:MM:SSZ"; NULL:
 * the clock, or $TURNOUT_NOW): from TN_LIVE_DOORS_OPEN_BEFORE before its
 * start until its end (excluded), unless it is cancelled; else 0. */
int tn_live_doors_open(const struct tn_event *ev, const char *now);

/*
 * The report of the event named event (slug or id) by channel, with the
 * default target, into *r (caller calls tn_report_free, whatever the
 * outcome); *doors_open gets tn_live_doors_open for it now. An unknown
 * event is TN_NOTFOUND about "event". Only reads.
 */
tn_code tn_live_report(struct tn_db *db, const char *event, struct tn_report *r,
		       int *doors_open, struct tn_err *err);

#endif
