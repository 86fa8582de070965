/* Unit tests: the error model (err.h) and that the library speaks no
 * front end's words: its errors name a field, not a flag, and its rules
 * hold without the CLI (a required channel kind, "nothing to change", the
 * approval conflict, a cancelled event, a start in the past, slugs). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/channel.h"
#include "turnout/event.h"
#include "turnout/setup.h"

/* No flag and no command in what the library says. */
static void speaks_no_cli(const struct tn_err *err, const char *what)
{
	ok(!strstr(err->msg, "--") && !strstr(err->msg, "turnout ") &&
	   !strstr(err->hint, "--") && !strstr(err->hint, "turnout "),
	   "%s: no CLI words ('%s' / '%s')", what, err->msg, err->hint);
}

int main(void)
{
	char dir[256], path[512];
	struct tn_err err = TN_ERR_INIT;
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_event ev;
	struct tn_db *db;
	int created, changed;

	setenv("TURNOUT_NOW", "2026-11-24T12:00:00Z", 1);

	/* err.h itself */
	is_int(tn_err_field(&err, TN_USAGE, "start", "'%s': bad", "x"), TN_USAGE,
	       "tn_err_field returns its code");
	is_str(err.field, "start", "and names the field");
	is_str(err.msg, "'x': bad", "without putting it in the message");
	tn_err_hint(&err, "give {end}");
	tn_err_next(&err, TN_NEXT_INIT);
	is_int(tn_err_prefix(&err, TN_FAIL, "event '%s'", "e"), TN_FAIL,
	       "tn_err_prefix returns its code");
	is_str(err.msg, "event 'e': 'x': bad", "and puts the context first");
	ok(strcmp(err.field, "start") == 0 && strcmp(err.hint, "give {end}") == 0 &&
	   err.next == TN_NEXT_INIT, "keeping field, hint and next step");
	tn_err_set(&err, TN_FAIL, "plain");
	ok(!err.field[0] && !err.hint[0] && err.next == TN_NEXT_NONE,
	   "tn_err_set starts a fresh error");
	is_int(tn_err_about(&err, TN_USAGE, "tz"), TN_USAGE, "tn_err_about returns its code");
	is_str(err.field, "tz", "and names the field of an error already set");
	is_int(tn_err_set(NULL, TN_IO, "x"), TN_IO, "a NULL err is fine");
	ok(strcmp(tn_strerror(TN_CONFLICT), "unknown error") != 0, "TN_CONFLICT has a text");

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/err.db", dir);
	is_int(tn_setup_create(path, "", NULL, "https://x.example.org", &created, &err),
	       TN_USAGE, "init with an empty organisation is refused");
	is_str(err.field, "org", "naming the field");
	speaks_no_cli(&err, "init");
	ok(access(path, F_OK) != 0, "and leaves no file behind");
	is_int(tn_setup_create(path, "Org", NULL, "https://x.example.org", &created, &err),
	       TN_OK, "init (%s)", err.msg);
	if (tn_db_open(path, 0, &db, &err) != TN_OK)
		return 1;

	/* channels: the kind is required by the library, not by a flag */
	is_int(tn_channel_add(db, "web", NULL, NULL, -1, &err), TN_USAGE,
	       "a channel without a kind is refused");
	is_str(err.field, "kind", "naming the field");
	speaks_no_cli(&err, "channel without kind");
	is_int(tn_channel_add(db, "web", "myspace", NULL, -1, &err), TN_USAGE,
	       "an unknown kind is refused");
	is_str(err.field, "kind", "naming the field");
	is_int(tn_channel_find(db, "nosuch", &(struct tn_channel){ 0 }, &err),
	       TN_NOTFOUND, "an unknown channel");
	is_int(err.next, TN_NEXT_LIST_CHANNELS, "suggests listing the channels");
	speaks_no_cli(&err, "unknown channel");

	/* events */
	in.title = "Meetup";
	in.start = "2027-06-10 19:00";
	is_int(tn_event_create(db, &in, &ev, &err), TN_USAGE, "an event needs a zone");
	is_str(err.field, "tz", "naming the field");
	speaks_no_cli(&err, "no zone");
	in.tz = "Europe/Berlin";
	in.end = "2027-06-10 18:00";
	is_int(tn_event_create(db, &in, &ev, &err), TN_USAGE, "an end before the start");
	is_str(err.field, "end", "naming the field");
	ok(strstr(err.hint, "{end}") && strstr(err.hint, "{duration}"),
	   "the hint refers to other fields by name (%s)", err.hint);
	speaks_no_cli(&err, "end before start");
	in.end = NULL;
	in.start = "2027-03-28 02:30";
	is_int(tn_event_create(db, &in, &ev, &err), TN_USAGE, "a time in a DST gap");
	is_str(err.field, "start", "naming the field");
	speaks_no_cli(&err, "gap");
	in.start = "2026-06-10 19:00";
	is_int(tn_event_create(db, &in, &ev, &err), TN_USAGE, "a start in the past");
	is_str(err.field, "start", "naming the field");
	ok(strstr(err.hint, "{past}") != NULL, "the hint refers to {past} (%s)", err.hint);
	speaks_no_cli(&err, "past");
	in.start = "2027-06-10T19:00:30";
	is_int(tn_event_create(db, &in, &ev, &err), TN_USAGE, "seconds other than 00");
	is_str(err.field, "start", "naming the field");
	speaks_no_cli(&err, "seconds");
	in.start = "2027-06-10T19:00:00";
	is_int(tn_event_create(db, &in, &ev, &err), TN_OK, "create (%s)", err.msg);
	is_str(ev.start_local, "2027-06-10 19:00", "an ISO time is stored as YYYY-MM-DD HH:MM");
	is_str(ev.slug, "meetup", "the slug comes from the title");
	tn_event_clear(&ev);
	is_int(tn_event_create(db, &in, &ev, &err), TN_OK, "the same title again");
	is_str(ev.slug, "meetup-2027-06-10", "gets the start date in its slug");
	tn_event_clear(&ev);
	is_int(tn_event_create(db, &in, &ev, &err), TN_OK, "and again on that date");
	is_str(ev.slug, "meetup-2027-06-10-2", "gets a counter after the date");
	tn_event_clear(&ev);
	in.slug = "meetup";
	is_int(tn_event_create(db, &in, &ev, &err), TN_EXISTS, "a chosen slug that is taken");
	is_str(err.field, "slug", "naming the field");
	speaks_no_cli(&err, "slug taken");

	in = (struct tn_event_input)TN_EVENT_INPUT_INIT;
	in.start = "2026-01-10 19:00";
	is_int(tn_event_update(db, "meetup-2027-06-10-2", &in, &ev, &changed, &err),
	       TN_USAGE, "moving the start into the past");
	is_str(err.field, "start", "naming the field");
	in = (struct tn_event_input)TN_EVENT_INPUT_INIT;
	in.slug = "meetup";
	is_int(tn_event_update(db, "meetup-2027-06-10-2", &in, &ev, &changed, &err),
	       TN_EXISTS, "renaming to a slug that is taken");
	is_str(err.field, "slug", "naming the field");
	speaks_no_cli(&err, "new slug taken");
	in.slug = "Meetup";
	is_int(tn_event_update(db, "meetup-2027-06-10-2", &in, &ev, &changed, &err),
	       TN_USAGE, "renaming to a malformed slug");
	is_str(err.field, "slug", "naming the field");
	in.slug = "meetup-june";
	is_int(tn_event_update(db, "meetup-2027-06-10-2", &in, &ev, &changed, &err),
	       TN_OK, "renaming an event never announced or sent (%s)", err.msg);
	ok(changed && strcmp(ev.slug, "meetup-june") == 0 && ev.sequence == 0,
	   "changes its slug, and not the sequence: no calendar shows a slug");
	tn_event_clear(&ev);
	is_int(tn_event_delete(db, "meetup-june", &ev, &err), TN_OK,
	       "deleting an event never announced or sent (%s)", err.msg);
	is_str(ev.slug, "meetup-june", "gives the deleted event");
	tn_event_clear(&ev);
	is_int(tn_event_find(db, "meetup-june", &ev, &err), TN_NOTFOUND, "which is gone");

	in = (struct tn_event_input)TN_EVENT_INPUT_INIT;
	is_int(tn_event_update(db, "meetup", &in, &ev, &changed, &err), TN_USAGE,
	       "an update that names nothing to change is refused by the library");
	speaks_no_cli(&err, "nothing to change");
	in.approval = in.no_approval = 1;
	is_int(tn_event_update(db, "meetup", &in, &ev, &changed, &err), TN_USAGE,
	       "approval required and not required at once");
	is_str(err.field, "approval", "naming the field");
	in = (struct tn_event_input)TN_EVENT_INPUT_INIT;
	is_int(tn_event_cancel(db, "meetup", NULL, &changed, NULL, &err), TN_OK, "cancel");
	in.title = "Again";
	is_int(tn_event_update(db, "meetup", &in, &ev, &changed, &err), TN_CONFLICT,
	       "a cancelled event cannot change: a conflict, not a usage error");
	speaks_no_cli(&err, "cancelled");
	is_int(tn_event_find(db, "nope", &ev, &err), TN_NOTFOUND, "an unknown event");
	is_int(err.next, TN_NEXT_LIST_EVENTS, "suggests listing the events");
	tn_db_close(db);

	snprintf(path, sizeof(path), "%s/missing.db", dir);
	is_int(tn_db_open(path, 0, &db, &err), TN_NOINIT, "a missing database");
	is_int(err.next, TN_NEXT_INIT, "suggests making one");
	speaks_no_cli(&err, "missing database");
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "cleanup");
	return tap_done();
}
