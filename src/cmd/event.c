/*
 * cmd/event.c - 'event create', 'event list', 'event show', 'event update',
 * 'event cancel', 'event delete' and 'ics'. Parses flags and prints; the
 * rules live in event.c, the calendar text in ical.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "turnout/announce.h"
#include "turnout/buf.h"
#include "turnout/event.h"
#include "turnout/ical.h"
#include "turnout/setup.h"
#include "turnout/text.h"
#include "turnout/tz.h"

/* The flags create and update share; the table is completed per command. */
#define EVENT_FLAGS(in) \
	OPT_STRING_("title", 0, &(in).title, "TEXT", "the event's title"), \
	OPT_STRING_("start", 0, &(in).start, "\"YYYY-MM-DD HH:MM\"", \
		    "local start time in --tz (or YYYY-MM-DDTHH:MM)"), \
	OPT_STRING_("end", 0, &(in).end, "\"YYYY-MM-DD HH:MM\"", \
		    "local end time (or --duration)"), \
	OPT_STRING_("duration", 0, &(in).duration, "LENGTH", \
		    "length like 2h, 90m or 1h30m (default 2h)"), \
	OPT_STRING_("tz", 0, &(in).tz, "ZONE", \
		    "IANA time zone, e.g. Europe/Berlin"), \
	OPT_STRING_("venue", 0, &(in).venue, "TEXT", "venue name"), \
	OPT_STRING_("address", 0, &(in).address, "TEXT", "street address"), \
	OPT_STRING_("capacity", 0, &(in).capacity, "N", \
		    "maximum attendees (\"\" for no limit)"), \
	OPT_STRING_("description", 0, &(in).description, "TEXT", "description"), \
	OPT_BOOL_("past", 0, &(in).past, "allow a start in the past")

/* Prints a note on stderr when a local time was in a repeated hour. */
/* Says on stderr how many messages a change queued for invitees. */
static void note_queued(long long n, const char *what)
{
	if (n > 0)
		fprintf(stderr, "note: queued %lld %s%s for invitees; 'turnout send' "
			"delivers them\n", n, what, n == 1 ? "" : "s");
}

static void note_ambiguous(const struct tn_event_input *in,
			   const struct tn_event *ev)
{
	if (in->ambiguous)
		fprintf(stderr, "note: a time of event '%s' occurs twice in %s "
			"(clocks go back); the first occurrence is used\n",
			ev->slug, ev->tz);
}

static cJSON *event_json(const struct tn_event *ev);
static int show_announcement(void *ctx, const struct tn_announcement *a);

/* With --json: the event as 'event show --json' prints it (its fields
 * and its announcements), plus "changed" for update and cancel
 * (changed < 0 leaves it out). */
static int print_event_json(struct tn_db *db, const struct tn_event *ev, int changed)
{
	struct tn_err err = TN_ERR_INIT;
	cJSON *o = event_json(ev);
	tn_code rc;

	rc = tn_announce_each(db, ev->id, show_announcement,
			      cJSON_AddArrayToObject(o, "announcements"), &err);
	if (rc != TN_OK) {
		cJSON_Delete(o);
		return cli_fail(&err, rc);
	}
	if (o && changed >= 0)
		cJSON_AddBoolToObject(o, "changed", changed);
	return cli_print_json(o);
}

CLI_HANDLER(cmd_event_create)
{
	static const char usage[] =
		"turnout event create --title TEXT --start \"YYYY-MM-DD HH:MM\" --tz ZONE\n"
		"       [--end \"YYYY-MM-DD HH:MM\" | --duration 2h] [--venue TEXT]\n"
		"       [--address TEXT] [--capacity N] [--description TEXT]\n"
		"       [--approval] [--slug SLUG] [--past] [--json]";
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	int approval = 0, json = 0, status;
	const struct cli_opt opts[] = {
		EVENT_FLAGS(in),
		OPT_BOOL_("approval", 0, &approval, "registrations need approval"),
		OPT_STRING_("slug", 0, &in.slug, "SLUG",
			    "short name for links (default: made from the title)"),
		OPT_BOOL_("json", 0, &json, "print the event as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_event ev;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, usage,
			   "Creates an event and prints its slug. Times are local to --tz;\n"
			   "a time that occurs twice (clocks going back) means the first one.\n"
			   "A start in the past needs --past. When the title's slug is taken,\n"
			   "the start date is added to it (readers-meetup-2027-06-10).\n\n"
			   "examples:\n"
			   "  turnout event create --title \"Readers meetup\" \\\n"
			   "      --start \"2027-06-10 19:00\" --tz Europe/Berlin --venue \"Café Central\"\n"
			   "  turnout event create --title Picnic --start 2027-07-04T12:00 \\\n"
			   "      --tz America/New_York --duration 3h --capacity 40",
			   0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	in.approval = approval;
	rc = tn_event_create(c->db, &in, &ev, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	note_ambiguous(&in, &ev);
	if (json) {
		status = print_event_json(c->db, &ev, -1);
	} else {
		printf("%s\n", ev.slug);
		status = EXIT_OK;
	}
	tn_event_clear(&ev);
	return status;
}

static cJSON *event_json(const struct tn_event *ev)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)ev->id);
	cJSON_AddStringToObject(o, "slug", ev->slug);
	cJSON_AddStringToObject(o, "uid", ev->uid);
	cJSON_AddStringToObject(o, "title", ev->title);
	cJSON_AddStringToObject(o, "tz", ev->tz);
	cJSON_AddStringToObject(o, "start_local", ev->start_local);
	cJSON_AddStringToObject(o, "end_local", ev->end_local);
	cJSON_AddStringToObject(o, "start_utc", ev->start_utc);
	cJSON_AddStringToObject(o, "end_utc", ev->end_utc);
	cli_json_text(o, "venue", ev->venue);
	cli_json_text(o, "address", ev->address);
	if (ev->capacity > 0)
		cJSON_AddNumberToObject(o, "capacity", (double)ev->capacity);
	else
		cJSON_AddNullToObject(o, "capacity");
	cli_json_text(o, "description", ev->description);
	cJSON_AddBoolToObject(o, "approval", ev->approval);
	cJSON_AddStringToObject(o, "status", ev->cancelled ? "cancelled" : "scheduled");
	cJSON_AddBoolToObject(o, "upcoming", tn_event_upcoming(ev));
	cJSON_AddNumberToObject(o, "sequence", (double)ev->sequence);
	cJSON_AddStringToObject(o, "created_at", ev->created_at);
	cJSON_AddStringToObject(o, "updated_at", ev->updated_at);
	return o;
}

static const struct cli_column list_columns[] = {
	{ "ID", 0 }, { "SLUG", 0 }, { "START", 0 }, { "ZONE", 0 },
	{ "STATUS", 0 }, { "WHEN", 0 }, { "TITLE", 0 },
};

static int list_one(void *vctx, const struct tn_event *ev)
{
	struct cli_listing *list = vctx;
	const char *cells[7];
	char id[32];

	switch (cli_listing_next(list)) {
	case CLI_ROW_STOP: return 1;
	case CLI_ROW_SKIP: return 0;
	}
	if (list->format == CLI_FORMAT_JSON)
		return cli_listing_json(list, event_json(ev)) != 0;
	snprintf(id, sizeof(id), "%" PRId64, ev->id);
	cells[0] = id;
	cells[1] = ev->slug;
	cells[2] = ev->start_local;
	cells[3] = ev->tz;
	cells[4] = ev->cancelled ? "cancelled" : "scheduled";
	cells[5] = tn_event_upcoming(ev) ? "upcoming" : "past";
	cells[6] = ev->title;
	return cli_listing_row(list, cells) != 0;
}

CLI_HANDLER(cmd_event_list)
{
	struct cli_listing list = { 0 };
	const struct cli_opt opts[] = {
		CLI_LISTING_OPTS(list),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout event list [--format FORMAT] [--limit N] [--offset N] [--count]",
			   "Lists all events, past and upcoming, ordered by start time.\n"
			   "FORMAT is table (aligned columns, the default), tsv, csv or\n"
			   "json (--json).\n\n"
			   "examples:\n"
			   "  turnout event list\n"
			   "  turnout event list --format tsv --limit 5\n"
			   "  turnout event list --json --offset 10 --limit 10\n"
			   "  turnout event list --count",
			   0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = cli_listing_start(&list, list_columns, 7)) != 0)
		return status;
	rc = tn_event_each(c->db, list_one, &list, &err);
	if (rc != TN_OK) {
		cli_listing_abort(&list);
		return cli_fail(&err, rc);
	}
	if (cli_listing_empty(&list))
		fprintf(stderr, "no events yet; 'turnout event create' makes one\n");
	return cli_listing_end(&list);
}

static void show_line(const char *key, const char *value)
{
	printf("%-12s ", key);
	cli_put_term(value ? value : "-");
	printf("\n");
}

static void show_text(const struct tn_event *ev)
{
	char buf[64];
	int off = 0;
	struct tn_err err;

	printf("%-12s %" PRId64 "\n", "id", ev->id);
	show_line("slug", ev->slug);
	show_line("title", ev->title);
	show_line("status", ev->cancelled ? "cancelled" : "scheduled");
	show_line("when", tn_event_upcoming(ev) ? "upcoming" : "past");
	show_line("time zone", ev->tz);
	tn_tz_offset(ev->tz, ev->start_utc, &off, &err);
	printf("%-12s %s (UTC%c%02d:%02d)  =  %s\n", "start", ev->start_local,
	       off < 0 ? '-' : '+', abs(off) / 3600, abs(off) / 60 % 60, ev->start_utc);
	off = 0;
	tn_tz_offset(ev->tz, ev->end_utc, &off, &err);
	printf("%-12s %s (UTC%c%02d:%02d)  =  %s\n", "end", ev->end_local,
	       off < 0 ? '-' : '+', abs(off) / 3600, abs(off) / 60 % 60, ev->end_utc);
	show_line("venue", ev->venue);
	show_line("address", ev->address);
	if (ev->capacity > 0)
		snprintf(buf, sizeof(buf), "%" PRId64, ev->capacity);
	show_line("capacity", ev->capacity > 0 ? buf : "unlimited");
	show_line("approval", ev->approval ? "required" : "not required");
	show_line("description", ev->description);
	snprintf(buf, sizeof(buf), "%" PRId64, ev->sequence);
	show_line("sequence", buf);
	show_line("uid", ev->uid);
	show_line("created", ev->created_at);
	show_line("updated", ev->updated_at);
}

/* One announcement of the event: a text line, or an item of the JSON
 * array in ctx. */
static int show_announcement(void *ctx, const struct tn_announcement *a)
{
	cJSON *item;

	if (!ctx) {
		printf("%-12s ", "announced");
		cli_put_term(a->channel);
		printf(" ");
		cli_put_term(a->posted_at ? (a->url ? a->url : "(no address)")
			     : "not confirmed");
		printf(" %s\n", a->posted_at ? a->posted_at : a->created_at);
		return 0;
	}
	item = cJSON_CreateObject();
	cli_json_text(item, "channel", a->channel);
	cli_json_text(item, "url", a->url);
	cli_json_text(item, "posted_at", a->posted_at);
	cli_json_text(item, "created_at", a->created_at);
	cJSON_AddItemToArray(ctx, item);
	return 0;
}

CLI_HANDLER(cmd_event_show)
{
	int json = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "one JSON document on stdout"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_event ev;
	char *pos[1];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout event show EVENT [--json]",
			   "Shows every field of one event, named by slug or id, with\n"
			   "its local and UTC times, and its posts on channels ('turnout\n"
			   "announce'): channel, address and when.\n\n"
			   "examples:\n"
			   "  turnout event show readers-meetup\n"
			   "  turnout event show 3 --json", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_event_find(c->db, pos[0], &ev, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (json) {
		status = print_event_json(c->db, &ev, -1);
	} else {
		show_text(&ev);
		rc = tn_announce_each(c->db, ev.id, show_announcement, NULL, &err);
		status = rc == TN_OK ? EXIT_OK : cli_fail(&err, rc);
	}
	tn_event_clear(&ev);
	return status;
}

CLI_HANDLER(cmd_event_update)
{
	static const char usage[] =
		"turnout event update EVENT [--title TEXT] [--start \"YYYY-MM-DD HH:MM\"]\n"
		"       [--end \"YYYY-MM-DD HH:MM\" | --duration 2h] [--tz ZONE]\n"
		"       [--venue TEXT] [--address TEXT] [--capacity N]\n"
		"       [--description TEXT] [--approval | --no-approval]\n"
		"       [--slug SLUG] [--past] [--json]";
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	int json = 0, status;
	const struct cli_opt opts[] = {
		EVENT_FLAGS(in),
		OPT_BOOL_("approval", 0, &in.approval, "registrations need approval"),
		OPT_BOOL_("no-approval", 0, &in.no_approval,
			  "registrations are accepted at once"),
		OPT_STRING_("slug", 0, &in.slug, "SLUG",
			    "a new short name (only before it is announced or sent)"),
		OPT_BOOL_("json", 0, &json, "print the event as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_event ev;
	char *pos[1];
	int changed = 0;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, usage,
			   "Changes an event and says so. Only the given fields change; an\n"
			   "empty --venue, --address, --description or --capacity clears\n"
			   "it. A new --start without --end or --duration keeps the event's\n"
			   "length; moving the start into the past needs --past. --tz alone\n"
			   "keeps the local times, so the instants move. A change calendars\n"
			   "show (title, times, zone, venue, address, description) bumps the\n"
			   "sequence and queues an update to everyone invited, which 'turnout\n"
			   "send' delivers; capacity, approval and slug bump nothing. If\n"
			   "every value equals the stored one, nothing is written.\n\n"
			   "examples:\n"
			   "  turnout event update readers-meetup --start \"2027-06-10 19:30\"\n"
			   "  turnout event update readers-meetup --venue \"\" --capacity 60",
			   1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_event_update(c->db, pos[0], &in, &ev, &changed, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (changed) {
		note_ambiguous(&in, &ev);
		if (in.kept_local)
			fprintf(stderr, "note: '%s' keeps %s local time in %s; in UTC "
				"it now starts at %s\n", ev.slug, ev.start_local + 11,
				ev.tz, ev.start_utc);
	} else {
		fprintf(stderr, "note: event '%s': nothing changed; the sequence "
			"stays %" PRId64 "\n", ev.slug, ev.sequence);
	}
	if (json)
		status = print_event_json(c->db, &ev, changed);
	else if (changed)
		printf("updated '%s' (sequence %" PRId64 ")\n", ev.slug, ev.sequence);
	note_queued(in.queued, "update");
	tn_event_clear(&ev);
	return status;
}

CLI_HANDLER(cmd_event_cancel)
{
	int json = 0, changed = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "print the event as one JSON object"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_event ev;
	long long queued = 0;
	char *pos[1];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout event cancel EVENT [--json]",
			   "Marks the event cancelled, bumps its sequence and says so.\n"
			   "Its calendar file then says STATUS:CANCELLED, and everyone\n"
			   "invited gets a cancellation that removes it from their\n"
			   "calendar ('turnout send' delivers it). Cancelling an event that\n"
			   "is already cancelled changes nothing.\n\n"
			   "example:\n"
			   "  turnout event cancel readers-meetup", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_event_cancel(c->db, pos[0], &ev, &changed, &queued, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (!changed)
		fprintf(stderr, "note: event '%s' is already cancelled; nothing "
			"changed\n", ev.slug);
	if (json)
		status = print_event_json(c->db, &ev, changed);
	else if (changed)
		printf("cancelled '%s' (sequence %" PRId64 ")\n", ev.slug, ev.sequence);
	note_queued(queued, "cancellation");
	tn_event_clear(&ev);
	return status;
}

/* Asks on the terminal whether to delete ev; 1 for yes. */
static int confirm_delete(const struct tn_event *ev)
{
	struct tn_buf q = TN_BUF_INIT;
	int yes;

	tn_buf_addf(&q, "delete event '%s' (%s, %s %s)?", ev->slug, ev->title,
		    ev->start_local, ev->tz);
	yes = cli_confirm(q.data);
	tn_buf_free(&q);
	return yes;
}

CLI_HANDLER(cmd_event_delete)
{
	int yes = 0, json = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("yes", 'y', &yes, "do not ask for confirmation"),
		OPT_BOOL_("json", 0, &json, "say what was done as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_event ev;
	char *pos[1];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout event delete EVENT [--yes] [--json]",
			   "Deletes an event that was never announced or sent (otherwise\n"
			   "cancel it). On a terminal it asks first, unless --yes.\n\n"
			   "example:\n"
			   "  turnout event delete test-event --yes",
			   1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (!yes && isatty(STDIN_FILENO)) {
		/* ask only about an event that may go, and outside any
		 * transaction: the answer may take a while */
		rc = tn_event_find(c->db, pos[0], &ev, &err);
		if (rc != TN_OK)
			return cli_fail(&err, rc);
		rc = tn_event_check_delete(c->db, &ev, &err);
		if (rc != TN_OK) {
			tn_event_clear(&ev);
			return cli_fail(&err, rc);
		}
		yes = confirm_delete(&ev);
		if (!yes)
			fprintf(stderr, "turnout: event '%s': not deleted\n", ev.slug);
		tn_event_clear(&ev);
		if (!yes)
			return EXIT_FAILED;
	}
	rc = tn_event_delete(c->db, pos[0], &ev, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "deleted", ev.slug);
		tn_event_clear(&ev);
		return cli_print_json(o);
	}
	printf("deleted '%s'\n", ev.slug);
	tn_event_clear(&ev);
	return EXIT_OK;
}

/* The events ics writes: the one named, or (all) the upcoming ones.
 * *evs is a new array; caller frees it with tn_event_free_all. */
static tn_code ics_events(struct cli *c, int all, const char *name,
			  struct tn_event **evs, size_t *n, struct tn_err *err)
{
	tn_code rc;

	if (all)
		return tn_event_feed(c->db, evs, n, err);
	*n = 0;
	if (!(*evs = calloc(1, sizeof(**evs))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	rc = tn_event_find(c->db, name, *evs, err);
	if (rc != TN_OK) {
		free(*evs);
		*evs = NULL;
		return rc;
	}
	*n = 1;
	return TN_OK;
}

/* The calendar text of the n events in *text (malloc'd). */
static tn_code ics_publish(const struct tn_event *evs, size_t n,
			   const struct tn_ical_org *org, char **text,
			   struct tn_err *err)
{
	struct tn_ical_event *ies = calloc(n ? n : 1, sizeof(*ies));
	size_t i;
	tn_code rc;

	if (!ies)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		tn_event_ical(&evs[i], &ies[i]);
	rc = tn_ical_publish_many(ies, n, org, text, err);
	free(ies);
	return rc;
}

CLI_HANDLER(cmd_ics)
{
	const char *file = NULL;
	int all = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("output", 'o', &file, "FILE",
			    "write to FILE instead of stdout (- is stdout)"),
		OPT_BOOL_("all", 0, &all, "every upcoming event, as one feed"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_settings set;
	struct tn_event *evs = NULL;
	struct cli_out out;
	size_t n = 0;
	char *pos[1] = { NULL }, *text = NULL;
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout ics EVENT [-o FILE]\n"
			   "       turnout ics --all [-o FILE]",
			   "Writes the event as an iCalendar file (METHOD:PUBLISH) with\n"
			   "its time zone, for calendars and web pages. --all writes every\n"
			   "upcoming event that is not cancelled, as one calendar feed.\n\n"
			   "examples:\n"
			   "  turnout ics readers-meetup\n"
			   "  turnout ics readers-meetup -o readers-meetup.ics\n"
			   "  turnout ics --all -o events.ics",
			   0, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (all && pos[0])
		return cli_usage_error("ics: give an EVENT or --all, not both");
	if (!all && !pos[0])
		return cli_usage_error("ics: missing argument: an EVENT, or --all");
	rc = ics_events(c, all, pos[0], &evs, &n, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	rc = tn_settings_load(c->db, &set, &err);
	if (rc == TN_OK) {
		struct tn_ical_org org = { set.org, set.from, set.base_url };

		rc = ics_publish(evs, n, &org, &text, &err);
		if (rc == TN_OK && n > 0 && (!org.from || !*org.from))
			fprintf(stderr, "note: no organizer address, so the file has no "
				"ORGANIZER; 'turnout config from EMAIL' sets one\n");
		if (rc == TN_OK && n == 0)
			fprintf(stderr, "note: no upcoming events; the calendar is empty\n");
		if (rc == TN_OK)
			cli_warn_local_base_url(&set, "calendar files");
		tn_settings_clear(&set);
	}
	tn_event_free_all(evs, n);
	if (rc != TN_OK) {
		free(text);
		return cli_fail(&err, rc);
	}
	/* the calendar is complete before the file is touched */
	if (!(status = cli_out_open(&out, file)) &&
	    !(status = cli_out_puts(&out, text)))
		status = cli_out_close(&out);
	else
		cli_out_abort(&out);
	free(text);
	return status;
}
