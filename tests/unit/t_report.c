/*
 * t_report.c - the conversion report through the library: a fixture
 * built with the modules' own calls (channels with dated audiences, an
 * import with follow dates and regions, an unfollow, invitations, a
 * tracking link, direct registrations, a waitlist, tickets, scans at two
 * gates, walk-ins matched by e-mail and not, a cancelled event), whose
 * figures are worked out by hand below and compared exactly, in the
 * struct and in the JSON; the period counting each person once;
 * regions; the arrival; the options' refusals; a forgotten person still
 * counted.
 *
 * The fixture (dates are the events' local dates, Europe/Berlin):
 *
 *   channels: news (newsletter): declared 10 on 2030-01-01, 50 on
 *             2030-06-20, 500 on 2030-08-01; tg (telegram): declared 1
 *             on 2030-01-01
 *   news followers: anna (Berlin, 2029-01-01), bob (no region, no date),
 *             carl (no region, 2030-06-15), dora (Berlin, 2029-01-01,
 *             unfollowed 2030-05-01)
 *   tg followers: anna (Hamburg, 2029-06-01), eve (no region,
 *             2029-01-01), fay (Köln, 2029-01-01)
 *
 *   e1 2030-06-10: invited through news: anna, bob; through tg: eve, fay.
 *      anna registers on her invitation (news), eve too (tg); gus (no
 *      follower) through tg's link; hal directly. Admitted: anna (north,
 *      17:02Z), gus (south, 17:04Z), hal (north, 17:11Z); bob walks in
 *      by e-mail (north, 17:12Z: he follows news, so news), ivan walks in
 *      without one (no gate, 17:13Z: walk-in). eve never comes.
 *   e2 2030-07-10, capacity 2: dora invited directly; anna registers
 *      directly, carl through news's link, dora (invitation) is
 *      waitlisted and never promoted. anna and carl come.
 *   e3 2030-08-10: jan registers directly; cancelled.
 *
 *   audience e1: news max(10, known anna+bob = 2) = 10; tg max(1, anna
 *      eve fay = 3) = 3; people following then: anna bob eve fay = 4;
 *      total 4 + (10 - 2) = 12.
 *   audience e2: news max(50, anna bob carl = 3) = 50, tg 3; people 5;
 *      total 5 + 47 = 52.
 *   audience e3: news max(500, 3) = 500; total 5 + 497 = 502.
 *
 *   e1    aud inv reg tk came no-show ret
 *   news   10   2   2  2    2       0   0   (anna; bob the walk-in)
 *   tg      3   2   2  2    1       1   0   (eve no-show, gus)
 *   direct  0   0   1  1    1       0   0   (hal)
 *   walk-in 0   0   1  1    1       0   0   (ivan)
 *   total  12   4   6  6    5       1   0   share 41.67% met
 *   e2
 *   news   50   0   1  1    1       0   0   (carl)
 *   tg      3   0   0  0    0       0   0
 *   direct  0   1   1  1    1       0   1   (dora invited; anna returns)
 *   total  52   1   2  2    2       0   1   share 3.85% below
 *   period (e1, e2; e3 cancelled), each person once:
 *   news   50   2   3  3    3       0   0   (anna bob carl)  6.00% below
 *   tg      3   2   2  2    1       1   0                   33.33% met
 *   direct  0   1   2  2    2       0   1   (hal, anna)
 *   walk-in 0   0   1  1    1       0   0
 *   total  52   5   7  7    6       1   1   share 11.54% met
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/channel.h"
#include "turnout/door.h"
#include "turnout/event.h"
#include "turnout/import.h"
#include "turnout/invite.h"
#include "turnout/link.h"
#include "turnout/person.h"
#include "turnout/registration.h"
#include "turnout/report.h"
#include "turnout/setup.h"
#include "turnout/ticket.h"

static struct tn_db *db;
static char dir[256];

#define NOTE(rc, what) do { \
	if ((rc) != TN_OK) printf("# %s: %s\n", (what), err.msg); \
} while (0)

static void at(const char *now)
{
	setenv("TURNOUT_NOW", now, 1);
}

static void event(const char *slug, const char *start, const char *capacity)
{
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_err err;

	in.title = slug;
	in.slug = slug;
	in.start = start;
	in.tz = "Europe/Berlin";
	in.capacity = capacity;
	NOTE(tn_event_create(db, &in, NULL, &err), slug);
}

static void import(const char *channel, const char *csv)
{
	struct tn_import_opts opts;
	struct tn_import_stats st;
	struct tn_channel ch;
	struct tn_err err;
	char path[300];
	int fd;

	memset(&opts, 0, sizeof(opts));
	memset(&st, 0, sizeof(st));
	snprintf(path, sizeof(path), "%s/%s.csv", dir, channel);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, csv, strlen(csv)) != (ssize_t)strlen(csv) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		printf("# cannot write %s\n", path);
	NOTE(tn_channel_find(db, channel, &ch, &err), channel);
	NOTE(tn_import_followers(db, ch.id, ch.kind, fd, path, &opts, &st, &err), path);
	tn_import_stats_free(&st);
	tn_channel_clear(&ch);
	close(fd);
}

static void invite(const char *ev, const char *channel, const char *a, const char *b)
{
	const char *channels[1] = { channel }, *emails[2] = { a, b };
	struct tn_invite_opts o;
	struct tn_invite_result res;
	struct tn_err err;

	memset(&o, 0, sizeof(o));
	o.channels = channel ? channels : NULL;
	o.nchannels = channel ? 1 : 0;
	o.emails = emails;
	o.nemails = b ? 2 : 1;
	NOTE(tn_invite_people(db, ev, &o, NULL, NULL, &res, &err), "invite");
}

static void reg(const char *ev, const char *name, const char *email,
		const char *channel, enum tn_reg_source source)
{
	struct tn_rsvp_result res;
	struct tn_err err;

	NOTE(tn_register(db, ev, name, email, channel, source, &res, &err), email);
}

/* Scans the valid ticket of the person with address email at door d. */
static void scan(const struct tn_door *d, const char *email)
{
	struct tn_checkin c;
	struct tn_ticket t;
	struct tn_err err;
	char sql[300], ref[24];

	snprintf(sql, sizeof(sql), "SELECT t.id FROM ticket t JOIN registration r ON"
		 " r.id = t.registration_id JOIN person p ON p.id = r.person_id"
		 " WHERE p.email = '%s' AND r.event_id = %lld AND t.state = 'valid'",
		 email, (long long)d->event_id);
	snprintf(ref, sizeof(ref), "%lld", tap_db_int(db, sql));
	memset(&t, 0, sizeof(t));
	NOTE(tn_ticket_find(db, ref, &t, &err), email);
	NOTE(tn_checkin(db, d, t.code, &c, &err), email);
	if (c.verdict != TN_VERDICT_ADMIT && c.verdict != TN_VERDICT_DUPLICATE)
		printf("# %s: %s\n", email, tn_verdict_name(c.verdict));
	tn_checkin_clear(&c);
	tn_ticket_clear(&t);
}

static void build(void)
{
	char token[TN_GATE_TOKEN_LEN + 1], code[TN_LINK_CODE_LEN + 1];
	struct tn_door north, south, none;
	struct tn_rsvp_result res;
	struct tn_checkin c;
	struct tn_gate g;
	struct tn_err err;
	int64_t id;
	int n;

	at("2030-01-01T09:00:00Z");
	NOTE(tn_channel_add(db, "news", "newsletter", NULL, -1, &err), "news");
	NOTE(tn_channel_add(db, "tg", "telegram", NULL, -1, &err), "tg");
	NOTE(tn_channel_set_audience(db, "news", 10, "2030-01-01", &err), "news 10");
	NOTE(tn_channel_set_audience(db, "news", 50, "2030-06-20", &err), "news 50");
	NOTE(tn_channel_set_audience(db, "news", 500, "2030-08-01", &err), "news 500");
	NOTE(tn_channel_set_audience(db, "tg", 1, "2030-01-01", &err), "tg 1");
	import("news", "email,name,region,followed_at\n"
	       "anna@example.org,Anna,Berlin,2029-01-01\n"
	       "bob@example.org,Bob,,\n"
	       "carl@example.org,Carl,,2030-06-15\n"
	       "dora@example.org,Dora,Berlin,2029-01-01\n");
	import("tg", "email,name,region,followed_at\n"
	       "anna@example.org,Anna,Hamburg,2029-06-01\n"
	       "eve@example.org,Eve,,2029-01-01\n"
	       "fay@example.org,Fay,Köln,2029-01-01\n");
	event("e1", "2030-06-10 19:00", NULL);
	event("e2", "2030-07-10 19:00", "2");
	event("e3", "2030-08-10 19:00", NULL);

	at("2030-05-01T09:00:00Z");
	NOTE(tn_person_resolve(db, "dora@example.org", &id, &err), "dora");
	NOTE(tn_person_unfollow(db, id, "news", &n, &err), "unfollow");

	at("2030-05-15T09:00:00Z");
	invite("e1", "news", "anna@example.org", "bob@example.org");
	invite("e1", "tg", "eve@example.org", "fay@example.org");
	reg("e1", "Anna", "anna@example.org", "news", TN_SOURCE_INVITATION);
	reg("e1", "Eve", "eve@example.org", "tg", TN_SOURCE_INVITATION);
	NOTE(tn_link_code(db, "e1", "tg", code, &n, &err), "link");
	NOTE(tn_register_link(db, code, "Gus", "gus@example.org", &res, &err), "gus");
	reg("e1", "Hal", "hal@example.org", NULL, TN_SOURCE_DIRECT);

	invite("e2", NULL, "dora@example.org", NULL);
	reg("e2", "Anna", "anna@example.org", NULL, TN_SOURCE_DIRECT);
	NOTE(tn_link_code(db, "e2", "news", code, &n, &err), "link");
	NOTE(tn_register_link(db, code, "Carl", "carl@example.org", &res, &err), "carl");
	reg("e2", "Dora", "dora@example.org", NULL, TN_SOURCE_INVITATION);
	reg("e3", "Jan", "jan@example.org", NULL, TN_SOURCE_DIRECT);

	NOTE(tn_gate_add(db, "e1", "north", &g, token, &err), "north");
	NOTE(tn_gate_add(db, "e1", "south", &g, token, &err), "south");
	NOTE(tn_door_open(db, "e1", "north", &north, &err), "north");
	NOTE(tn_door_open(db, "e1", "south", &south, &err), "south");
	NOTE(tn_door_open(db, "e1", NULL, &none, &err), "e1");
	at("2030-06-10T17:02:00Z");
	scan(&north, "anna@example.org");
	at("2030-06-10T17:04:00Z");
	scan(&south, "gus@example.org");
	at("2030-06-10T17:05:30Z");
	scan(&south, "anna@example.org");   /* a duplicate: no admit */
	at("2030-06-10T17:11:00Z");
	scan(&north, "hal@example.org");
	at("2030-06-10T17:12:00Z");
	NOTE(tn_walkin(db, &north, "Bob", "bob@example.org", NULL, &c, &err), "bob");
	tn_checkin_clear(&c);
	at("2030-06-10T17:13:00Z");
	NOTE(tn_walkin(db, &none, "Ivan", NULL, NULL, &c, &err), "ivan");
	tn_checkin_clear(&c);

	NOTE(tn_door_open(db, "e2", NULL, &none, &err), "e2");
	at("2030-07-10T17:00:30Z");
	scan(&none, "anna@example.org");
	at("2030-07-10T17:07:00Z");
	scan(&none, "carl@example.org");

	at("2030-08-01T09:00:00Z");
	NOTE(tn_event_cancel(db, "e3", NULL, &n, NULL, &err), "cancel");
	at("2030-09-01T09:00:00Z");
}

/* Compares f with the figures given, in order: audience, invited,
 * registered, ticketed, came, no_shows, returning. */
static void funnel_is(const struct tn_report_funnel *f, const char *what,
		      long long aud, long long inv, long long reg_, long long tk,
		      long long came, long long ns, long long ret)
{
	int same = f->audience == aud && f->invited == inv && f->registered == reg_ &&
		   f->ticketed == tk && f->came == came && f->no_shows == ns &&
		   f->returning == ret;

	if (!ok(same, "%s: %lld %lld %lld %lld %lld %lld %lld", what, aud, inv, reg_,
		tk, came, ns, ret))
		printf("#   got %lld %lld %lld %lld %lld %lld %lld\n",
		       (long long)f->audience, (long long)f->invited,
		       (long long)f->registered, (long long)f->ticketed,
		       (long long)f->came, (long long)f->no_shows,
		       (long long)f->returning);
}

static const struct tn_report_row *row_named(const struct tn_report_row *rows,
					     size_t n, const char *label)
{
	static const struct tn_report_row none = { .f = { .audience = -1 } };
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tn_report_row_label(&rows[i]), label) == 0)
			return &rows[i];
	printf("# no row '%s'\n", label);
	return &none;
}

static char *report_json(const struct tn_report_opts *o)
{
	struct tn_report r;
	struct tn_err err;
	cJSON *doc = NULL;
	char *text = NULL;

	if (tn_report_run(db, o, &r, &err) == TN_OK && tn_report_json(&r, &doc) == TN_OK)
		text = cJSON_PrintUnformatted(doc);
	else
		printf("# report: %s\n", err.msg);
	cJSON_Delete(doc);
	tn_report_free(&r);
	return text;
}

static void test_channels(void)
{
	struct tn_report_opts o = { 0 };
	struct tn_report r;
	struct tn_err err;
	const struct tn_report_event *e1, *e2, *e3;
	const struct tn_report_row *row;

	is_int(tn_report_run(db, &o, &r, &err), TN_OK, "report over every event");
	is_int((long long)r.nevents, 3, "three events, by start");
	if (r.nevents != 3)
		return;
	e1 = &r.events[0], e2 = &r.events[1], e3 = &r.events[2];
	is_str(e1->slug, "e1", "e1 first");
	is_str(e3->slug, "e3", "e3 last");
	ok(e3->cancelled && !e1->cancelled, "e3 is shown, marked cancelled");
	is_int((long long)r.counted, 2, "the period counts e1 and e2");

	/* audience and its inputs */
	is_int(e1->unique_followers, 4, "e1: anna (on two channels once), bob, eve, fay");
	row = row_named(e1->channels, e1->nchannels, "news");
	is_int(row->declared, 10, "e1 news: declared 10 (2030-01-01; 50 comes later)");
	is_str(row->declared_date, "2030-01-01", "dated 2030-01-01");
	is_int(row->known, 2, "known: anna, bob (dora unfollowed, carl followed later)");
	row = row_named(e1->channels, e1->nchannels, "tg");
	is_int(row->known, 3, "tg: 3 known, more than the 1 declared");
	is_int(row->f.audience, 3, "so its audience is 3");
	row = row_named(e2->channels, e2->nchannels, "news");
	is_int(row->declared, 50, "e2 news: declared 50 from 2030-06-20");
	is_int(row->known, 3, "known: anna, bob, carl");

	funnel_is(&row_named(e1->rows, e1->nrows, "news")->f, "e1 news", 10, 2, 2, 2, 2, 0, 0);
	funnel_is(&row_named(e1->rows, e1->nrows, "tg")->f, "e1 tg", 3, 2, 2, 2, 1, 1, 0);
	funnel_is(&row_named(e1->rows, e1->nrows, "direct")->f, "e1 direct", 0, 0, 1, 1, 1, 0, 0);
	funnel_is(&row_named(e1->rows, e1->nrows, "walk-in")->f, "e1 walk-in", 0, 0, 1, 1, 1, 0, 0);
	funnel_is(&e1->total.f, "e1 total", 12, 4, 6, 6, 5, 1, 0);
	ok(e1->total.f.met, "e1 meets 10%% (5/12)");
	funnel_is(&row_named(e2->rows, e2->nrows, "news")->f, "e2 news", 50, 0, 1, 1, 1, 0, 0);
	funnel_is(&row_named(e2->rows, e2->nrows, "tg")->f, "e2 tg", 3, 0, 0, 0, 0, 0, 0);
	funnel_is(&row_named(e2->rows, e2->nrows, "direct")->f,
		  "e2 direct: dora waitlisted, not registered", 0, 1, 1, 1, 1, 0, 1);
	funnel_is(&e2->total.f, "e2 total", 52, 1, 2, 2, 2, 0, 1);
	ok(!e2->total.f.met, "e2 is below 10%% (2/52)");
	is_int(e3->total.f.audience, 502, "e3's audience (500 declared) is shown");

	funnel_is(&row_named(r.rows, r.nrows, "news")->f, "period news", 50, 2, 3, 3, 3, 0, 0);
	funnel_is(&row_named(r.rows, r.nrows, "tg")->f, "period tg", 3, 2, 2, 2, 1, 1, 0);
	funnel_is(&row_named(r.rows, r.nrows, "direct")->f, "period direct", 0, 1, 2, 2, 2, 0, 1);
	funnel_is(&row_named(r.rows, r.nrows, "walk-in")->f, "period walk-in", 0, 0, 1, 1, 1, 0, 0);
	funnel_is(&r.total.f, "period total: each person once, e3 left out", 52, 5, 7, 7, 6, 1, 1);
	ok(r.total.f.met, "the period meets 10%% (6/52)");
	tn_report_free(&r);
}

static void test_json(void)
{
	const char *const one[] = { "e2" };
	struct tn_report_opts o = { 0 };
	char *text;

	o.events = one;
	o.nevents = 1;
	text = report_json(&o);
	is_str(text,
	       "{\"report_version\":1,\"generated_at\":\"2030-09-01T09:00:00Z\","
	       "\"by\":\"channel\",\"target_pct\":10,\"events\":[{\"id\":2,\"slug\":\"e2\","
	       "\"title\":\"e2\",\"start_local\":\"2030-07-10 19:00\",\"tz\":\"Europe/Berlin\","
	       "\"date\":\"2030-07-10\",\"cancelled\":false,\"audience_inputs\":"
	       "{\"unique_followers\":5,\"channels\":[{\"channel\":\"news\",\"declared\":50,"
	       "\"declared_date\":\"2030-06-20\",\"known_followers\":3,\"audience\":50},"
	       "{\"channel\":\"tg\",\"declared\":1,\"declared_date\":\"2030-01-01\","
	       "\"known_followers\":3,\"audience\":3}]},\"rows\":["
	       "{\"group\":\"news\",\"kind\":\"channel\",\"audience\":50,\"invited\":0,"
	       "\"registered\":1,\"ticketed\":1,\"came\":1,\"no_shows\":0,\"returning\":0,"
	       "\"offline_share_pct\":2,\"target_met\":false},"
	       "{\"group\":\"tg\",\"kind\":\"channel\",\"audience\":3,\"invited\":0,"
	       "\"registered\":0,\"ticketed\":0,\"came\":0,\"no_shows\":0,\"returning\":0,"
	       "\"offline_share_pct\":0,\"target_met\":false},"
	       "{\"group\":\"direct\",\"kind\":\"direct\",\"audience\":0,\"invited\":1,"
	       "\"registered\":1,\"ticketed\":1,\"came\":1,\"no_shows\":0,\"returning\":1,"
	       "\"offline_share_pct\":null,\"target_met\":null},"
	       "{\"group\":\"walk-in\",\"kind\":\"walk-in\",\"audience\":0,\"invited\":0,"
	       "\"registered\":0,\"ticketed\":0,\"came\":0,\"no_shows\":0,\"returning\":0,"
	       "\"offline_share_pct\":null,\"target_met\":null}],"
	       "\"total\":{\"audience\":52,\"invited\":1,\"registered\":2,\"ticketed\":2,"
	       "\"came\":2,\"no_shows\":0,\"returning\":1,\"offline_share_pct\":3.85,"
	       "\"target_met\":false},"
	       "\"arrival\":{\"slot_minutes\":5,\"first\":\"2030-07-10T17:00:30Z\","
	       "\"last\":\"2030-07-10T17:07:00Z\",\"walkins_without_registration\":0,"
	       "\"gates\":[null],\"slots\":[{\"start\":\"2030-07-10T17:00:00Z\",\"admitted\":1,"
	       "\"walkins\":0,\"gates\":[1]},{\"start\":\"2030-07-10T17:05:00Z\",\"admitted\":1,"
	       "\"walkins\":0,\"gates\":[1]}],\"peak\":{\"start\":\"2030-07-10T17:00:00Z\","
	       "\"admitted\":1,\"gate\":null}}}],"
	       "\"period\":{\"since\":null,\"until\":null,\"events_counted\":1,\"rows\":["
	       "{\"group\":\"news\",\"kind\":\"channel\",\"audience\":50,\"invited\":0,"
	       "\"registered\":1,\"ticketed\":1,\"came\":1,\"no_shows\":0,\"returning\":0,"
	       "\"offline_share_pct\":2,\"target_met\":false},"
	       "{\"group\":\"tg\",\"kind\":\"channel\",\"audience\":3,\"invited\":0,"
	       "\"registered\":0,\"ticketed\":0,\"came\":0,\"no_shows\":0,\"returning\":0,"
	       "\"offline_share_pct\":0,\"target_met\":false},"
	       "{\"group\":\"direct\",\"kind\":\"direct\",\"audience\":0,\"invited\":1,"
	       "\"registered\":1,\"ticketed\":1,\"came\":1,\"no_shows\":0,\"returning\":1,"
	       "\"offline_share_pct\":null,\"target_met\":null},"
	       "{\"group\":\"walk-in\",\"kind\":\"walk-in\",\"audience\":0,\"invited\":0,"
	       "\"registered\":0,\"ticketed\":0,\"came\":0,\"no_shows\":0,\"returning\":0,"
	       "\"offline_share_pct\":null,\"target_met\":null}],"
	       "\"total\":{\"audience\":52,\"invited\":1,\"registered\":2,\"ticketed\":2,"
	       "\"came\":2,\"no_shows\":0,\"returning\":1,\"offline_share_pct\":3.85,"
	       "\"target_met\":false}}}",
	       "the JSON of e2, every figure");
	free(text);
}

static void test_arrival(void)
{
	const char *const one[] = { "e1" };
	struct tn_report_opts o = { 0 };
	struct tn_report r;
	struct tn_err err;
	const struct tn_report_arrival *a;

	o.events = one;
	o.nevents = 1;
	is_int(tn_report_run(db, &o, &r, &err), TN_OK, "e1 alone");
	a = &r.events[0].arrival;
	is_str(a->first, "2030-06-10T17:02:00Z", "first admit (anna)");
	is_str(a->last, "2030-06-10T17:13:00Z", "last admit (ivan)");
	is_int((long long)a->nslots, 3, "slots 17:00, 17:05, 17:10");
	is_int((long long)a->ngates, 2, "gates north, south (ivan's no-gate walk-in apart)");
	if (a->nslots == 3 && a->ngates == 2) {
		is_str(a->gates[0], "north", "north first");
		is_int(a->slots[0].gates[0], 1, "17:00 north: anna");
		is_int(a->slots[0].gates[1], 1, "17:00 south: gus (anna's duplicate is no admit)");
		is_int(a->slots[1].total, 0, "17:05: nobody");
		is_int(a->slots[2].gates[0], 1, "17:10 north: hal");
		is_int(a->slots[2].walkins, 2, "17:10: bob and ivan walked in");
		is_int((long long)a->peak, 2, "the peak is 17:10");
		is_int((long long)a->peak_gate, 0, "carried by north");
	}
	is_int(a->walkins, 2, "two walk-ins without a registration");
	tn_report_free(&r);
}

static void test_regions(void)
{
	const char *const one[] = { "e1" };
	struct tn_report_opts o = { 0 };
	struct tn_report r;
	struct tn_err err;
	const struct tn_report_event *e;

	o.events = one;
	o.nevents = 1;
	o.by = TN_REPORT_BY_REGION;
	is_int(tn_report_run(db, &o, &r, &err), TN_OK, "e1 by region");
	e = &r.events[0];
	is_int((long long)e->nrows, 3, "Berlin, Köln, (unknown)");
	/* anna: Berlin on news, her first follow; fay: Köln; bob, eve and
	 * the 8 declared beyond news's known followers: unknown */
	funnel_is(&row_named(e->rows, e->nrows, "Berlin")->f, "Berlin: anna", 1, 1, 1, 1, 1, 0, 0);
	funnel_is(&row_named(e->rows, e->nrows, "Köln")->f, "Köln: fay, invited", 1, 1, 0, 0, 0, 0, 0);
	funnel_is(&row_named(e->rows, e->nrows, "(unknown)")->f, "(unknown)", 10, 2, 5, 5, 4, 1, 0);
	is_str(tn_report_row_label(&e->rows[2]), "(unknown)", "(unknown) last");
	funnel_is(&e->total.f, "the same total", 12, 4, 6, 6, 5, 1, 0);
	is_int((long long)e->nchannels, 2, "the channels' inputs are kept");
	tn_report_free(&r);
}

static void test_period(void)
{
	const char *const named[] = { "e2", "e1", "e2" };
	struct tn_report_opts o = { 0 };
	struct tn_report r;
	struct tn_err err;

	o.since = "2030-06-11";
	o.until = "2030-08-10";
	is_int(tn_report_run(db, &o, &r, &err), TN_OK, "a period");
	is_int((long long)r.nevents, 2, "e2 and e3 (dates included)");
	is_int((long long)r.counted, 1, "e3 cancelled, not counted");
	funnel_is(&r.total.f, "the period is e2's", 52, 1, 2, 2, 2, 0, 1);
	tn_report_free(&r);

	memset(&o, 0, sizeof(o));
	o.events = named;
	o.nevents = 3;
	o.by = TN_REPORT_BY_EVENT;
	o.target = 12;
	is_int(tn_report_run(db, &o, &r, &err), TN_OK, "named events");
	is_int((long long)r.nevents, 2, "each once");
	if (r.nevents == 2)
		is_str(r.events[0].slug, "e1", "by start");
	is_int((long long)r.nrows, 0, "by event: no group rows");
	funnel_is(&r.total.f, "the same period total", 52, 5, 7, 7, 6, 1, 1);
	ok(!r.total.f.met, "6/52 is below a 12%% target");
	tn_report_free(&r);
}

static void test_refusals(void)
{
	const char *const unknown[] = { "e1", "nope" };
	struct tn_report_opts o = { 0 };
	struct tn_report r;
	struct tn_err err;
	enum tn_report_by by;
	double pct;

	o.events = unknown;
	o.nevents = 2;
	is_int(tn_report_run(db, &o, &r, &err), TN_NOTFOUND, "an unknown event");
	is_str(err.field, "event", "about the event");
	tn_report_free(&r);
	memset(&o, 0, sizeof(o));
	o.since = "2030-07-01";
	o.until = "2030-06-01";
	is_int(tn_report_run(db, &o, &r, &err), TN_USAGE, "an inverted period");
	is_str(err.field, "until", "about until");
	tn_report_free(&r);
	o.since = "2030-02-30";
	is_int(tn_report_run(db, &o, &r, &err), TN_USAGE, "no such date");
	is_str(err.field, "since", "about since");
	tn_report_free(&r);
	is_int(tn_report_target_parse("0", &pct, &err), TN_USAGE, "target 0");
	is_int(tn_report_target_parse("100.5", &pct, &err), TN_USAGE, "target above 100");
	is_int(tn_report_target_parse("-5", &pct, &err), TN_USAGE, "a negative target");
	is_int(tn_report_target_parse("ten", &pct, &err), TN_USAGE, "a word");
	is_str(err.field, "target", "about target");
	is_int(tn_report_target_parse("7.5%", &pct, &err), TN_OK, "7.5%%");
	ok(pct == 7.5, "is 7.5");
	is_int(tn_report_target_parse("100", &pct, &err), TN_OK, "100");
	is_int(tn_report_by_parse("regoin", &by, &err), TN_USAGE, "an unknown grouping");
	ok(strstr(err.hint, "region") != NULL, "did you mean: %s", err.hint);
	is_int(tn_report_by_parse("event", &by, &err), TN_OK, "event");
	is_int(by, TN_REPORT_BY_EVENT, "by event");
}

static void test_forgotten(void)
{
	struct tn_report_opts o = { 0 };
	struct tn_err err;
	char *before, *after;
	int64_t id;
	int done, flushed;

	before = report_json(&o);
	NOTE(tn_person_resolve(db, "anna@example.org", &id, &err), "anna");
	is_int(tn_person_forget(db, id, &done, &flushed, &err), TN_OK, "forget anna");
	after = report_json(&o);
	ok(before && after && strcmp(before, after) == 0,
	   "a forgotten person still counts: the report is the same");
	free(before);
	free(after);
}

int main(void)
{
	char path[300];
	struct tn_err err;
	int created;

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	at("2030-01-01T09:00:00Z");
	if (tn_setup_create(path, "Org", "org@example.org", "https://x.example.org",
			    &created, &err) != TN_OK ||
	    tn_db_open(path, 0, &db, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	build();
	test_channels();
	test_json();
	test_arrival();
	test_regions();
	test_period();
	test_refusals();
	test_forgotten();
	tn_db_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
