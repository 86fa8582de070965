/*
 * t_door.c - door.c without the CLI: gates and their tokens, reading
 * scanned lines, every verdict, a group of scans in one transaction,
 * exactly one admit per ticket when eight connections in eight threads
 * scan the same tickets together, walk-ins, and the door's figures.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/door.h"
#include "turnout/event.h"
#include "turnout/registration.h"
#include "turnout/setup.h"
#include "turnout/store.h"
#include "turnout/ticket.h"

#define RACE_TICKETS 40
#define RACE_GATES 8

static struct tn_db *db;
static char path[300];

static long long count(const char *sql)
{
	return tap_db_int(db, sql);
}

static void reg(const char *event, const char *name, const char *email)
{
	struct tn_rsvp_result res;
	struct tn_err err;

	if (tn_register(db, event, name, email, NULL, TN_SOURCE_DIRECT, &res, &err) != TN_OK)
		printf("# register %s: %s\n", email, err.msg);
}

/* The code of ticket number n, into code. */
static void code_of(long long n, char code[TN_TICKETCODE_SIZE])
{
	struct tn_ticket t;
	struct tn_err err;
	char ref[24];

	snprintf(ref, sizeof(ref), "%lld", n);
	code[0] = '\0';
	if (tn_ticket_find(db, ref, &t, &err) == TN_OK)
		memcpy(code, t.code, TN_TICKETCODE_SIZE);
	else
		printf("# ticket %s: %s\n", ref, err.msg);
	tn_ticket_clear(&t);
}

static long long ticket_of(const char *email)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT t.id FROM ticket t JOIN registration r ON"
		 " r.id = t.registration_id JOIN person p ON p.id = r.person_id"
		 " WHERE p.email = '%s' AND t.state = 'valid'", email);
	return count(sql);
}

static char north_token[TN_GATE_TOKEN_LEN + 1];

static void test_gates(void)
{
	char token[TN_GATE_TOKEN_LEN + 1], other[TN_GATE_TOKEN_LEN + 1];
	struct tn_door d;
	struct tn_gate g;
	struct tn_err err;

	is_int(tn_gate_add(db, "meetup", "north", &g, north_token, &err), TN_OK, "gate add");
	is_int((long long)strlen(north_token), TN_GATE_TOKEN_LEN, "a 24-character token");
	is_int(count("SELECT count(*) FROM gate WHERE length(token_hash) = 32"), 1,
	       "only its hash is stored");
	is_int(tn_gate_add(db, "meetup", "south", &g, token, &err), TN_OK, "a second gate");
	ok(strcmp(token, north_token) != 0, "with a token of its own");
	is_int(tn_gate_add(db, "meetup", "north", &g, token, &err), TN_CONFLICT,
	       "a name the event has is a conflict");
	is_str(err.field, "gate", "about the gate");
	is_int(tn_gate_add(db, "meetup", "bad\x1bname", &g, token, &err), TN_USAGE,
	       "a control character in a name");
	is_int(tn_gate_add(db, "meetup", "", &g, token, &err), TN_USAGE, "an empty name");
	is_int(tn_gate_add(db, "nope", "x", &g, token, &err), TN_NOTFOUND, "an unknown event");
	is_str(err.field, "event", "about the event");
	is_int(count("SELECT count(*) FROM gate"), 2, "the refusals wrote nothing");
	is_int(tn_gate_add(db, "other", "side", &g, other, &err), TN_OK, "another event's gate");

	is_int(tn_door_by_token(db, north_token, "meetup", &d, &err), TN_OK, "the door by token");
	is_str(d.gate, "north", "names its gate");
	is_str(d.event, "meetup", "and its event");
	is_int(tn_door_by_token(db, north_token, NULL, &d, &err), TN_OK, "without an event too");
	is_int(tn_door_by_token(db, other, "meetup", &d, &err), TN_NOTFOUND,
	       "another event's token does not open this door");
	is_int(tn_door_by_token(db, "AAAAAAAAAAAAAAAAAAAAAAAA", "meetup", &d, &err), TN_NOTFOUND,
	       "a wrong token");
	is_str(err.field, "token", "about the token");
	is_int(tn_door_by_token(db, "", "meetup", &d, &err), TN_NOTFOUND, "no token");

	is_int(tn_gate_revoke(db, "meetup", "south", &g, &err), TN_OK, "revoke");
	ok(g.revoked_at[0] != '\0', "stamped");
	is_int(tn_door_by_token(db, token, "meetup", &d, &err), TN_NOTFOUND,
	       "a revoked gate's token stops working");
	is_int(tn_door_open(db, "meetup", "south", &d, &err), TN_CONFLICT,
	       "and its name opens no door");
	is_int(tn_gate_revoke(db, "meetup", "south", &g, &err), TN_CONFLICT, "revoked twice");
	is_int(tn_gate_revoke(db, "meetup", "west", &g, &err), TN_NOTFOUND, "an unknown gate");
	ok(strstr(err.hint, "north") != NULL, "the hint names the gates: %s", err.hint);
}

static void test_read(void)
{
	struct tn_door d;
	struct tn_scan s;
	struct tn_err err;
	char code[TN_TICKETCODE_SIZE], line[400], lower[TN_TICKETCODE_SIZE];
	char *big;
	size_t i;

	code_of(1, code);
	is_int(tn_door_open(db, "meetup", NULL, &d, &err), TN_OK, "a door and its keys");
	tn_scan_read(&d, code, strlen(code), &s);
	is_int(s.kind, TN_SCAN_CODE, "a code");
	is_int(s.serial, 1, "its serial");
	snprintf(line, sizeof(line), "  ]Q1%s\t\r\n", code);
	tn_scan_read(&d, line, strlen(line), &s);
	is_int(s.kind, TN_SCAN_CODE, "with a scanner's prefix, spaces, tab, CR LF");
	is_str(s.text, code, "read as the code");
	for (i = 0; code[i]; i++)
		lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] + 32 : code[i]);
	lower[i] = '\0';
	tn_scan_read(&d, lower, strlen(lower), &s);
	is_int(s.kind, TN_SCAN_CODE, "in lower case (Caps Lock)");
	is_str(s.text, code, "read in upper case");
	snprintf(line, sizeof(line), "%s", code);
	line[40] = line[40] == 'A' ? 'B' : 'A';
	tn_scan_read(&d, line, strlen(line), &s);
	is_int(s.kind, TN_SCAN_UNREADABLE, "one character changed: unreadable");
	snprintf(line, sizeof(line), "https://x.example.org/t/abcdefghijklmnopqrstuvwx?x=1");
	tn_scan_read(&d, line, strlen(line), &s);
	is_int(s.kind, TN_SCAN_PAGE_TOKEN, "a ticket page URL");
	is_str(s.text, "abcdefghijklmnopqrstuvwx", "gives its token");
	tn_scan_read(&d, "evil\x1b[31m\xff", 10, &s);
	is_int(s.kind, TN_SCAN_UNREADABLE, "garbage");
	is_str(s.text, "evil?[31m?", "kept without control or high bytes");
	tn_scan_read(&d, "a\0b", 3, &s);
	is_int(s.kind, TN_SCAN_UNREADABLE, "a NUL inside");
	big = malloc(1 << 20);
	memset(big, 'A', 1 << 20);
	tn_scan_read(&d, big, 1 << 20, &s);
	is_int(s.kind, TN_SCAN_UNREADABLE, "a 1 MB line");
	is_int((long long)strlen(s.text), TN_SCAN_INPUT_MAX, "kept up to its limit");
	free(big);
}

static void check(const struct tn_door *d, const char *line, enum tn_verdict want,
		  const char *what)
{
	struct tn_checkin c;
	struct tn_err err;

	is_int(tn_checkin(db, d, line, &c, &err), TN_OK, "%s: recorded", what);
	is_str(tn_verdict_name(c.verdict), tn_verdict_name(want), "%s: %s", what,
	       tn_verdict_name(want));
	tn_checkin_clear(&c);
}

static void test_verdicts(void)
{
	struct tn_door north, cli, other;
	struct tn_checkin c;
	struct tn_err err;
	struct tn_ticket t;
	char code[TN_TICKETCODE_SIZE], bad[TN_TICKETCODE_SIZE], ref[24];
	long long anna = ticket_of("anna@example.org");
	long long before;

	is_int(tn_door_open(db, "meetup", "north", &north, &err), TN_OK, "door at north");
	is_int(tn_door_open(db, "meetup", NULL, &cli, &err), TN_OK, "door without a gate");
	is_int(tn_door_open(db, "other", NULL, &other, &err), TN_OK, "the other event's door");
	is_int(tn_door_open(db, "meetup", "nowhere", &cli, &err), TN_NOTFOUND,
	       "an unknown gate");
	is_int(tn_door_open(db, "meetup", NULL, &cli, &err), TN_OK, "again");

	code_of(anna, code);
	is_int(tn_checkin(db, &north, code, &c, &err), TN_OK, "Anna's scan");
	is_str(tn_verdict_name(c.verdict), "admit", "admits");
	is_str(c.name ? c.name : "", "Anna", "with her name");
	is_str(c.gate, "north", "at north");
	ok(c.id > 0, "as row %lld", (long long)c.id);
	tn_checkin_clear(&c);
	is_int(tn_checkin(db, &cli, code, &c, &err), TN_OK, "Anna again");
	is_str(tn_verdict_name(c.verdict), "duplicate", "a duplicate");
	is_str(c.admitted_gate, "north", "naming the gate that admitted her");
	ok(c.admitted_at[0] != '\0', "and when (%s)", c.admitted_at);
	tn_checkin_clear(&c);

	memcpy(bad, code, sizeof(bad));
	bad[100] = bad[100] == 'Q' ? 'R' : 'Q';
	check(&north, bad, TN_VERDICT_INVALID, "a tampered code");
	is_str(tap_db_text(db, "SELECT input FROM checkin ORDER BY id DESC LIMIT 1"), bad,
	       "what was read is kept");
	check(&north, "", TN_VERDICT_INVALID, "an empty line");
	check(&other, code, TN_VERDICT_WRONG_EVENT, "at another event's door");

	code_of(ticket_of("bob@example.org"), code);
	snprintf(ref, sizeof(ref), "%lld", ticket_of("bob@example.org"));
	is_int(tn_ticket_revoke(db, ref, &t, NULL, &err), TN_OK, "revoke Bob's ticket");
	tn_ticket_clear(&t);
	check(&north, code, TN_VERDICT_REVOKED, "a revoked ticket");

	code_of(ticket_of("ola@example.org"), code);
	check(&other, code, TN_VERDICT_ADMIT, "Ola at the other event");
	tap_db_exec(db, "UPDATE event SET status = 'cancelled' WHERE slug = 'other'");
	check(&other, code, TN_VERDICT_CANCELLED, "then it is cancelled");
	tap_db_exec(db, "UPDATE event SET status = 'scheduled' WHERE slug = 'other'");

	before = count("SELECT count(*) FROM checkin");
	is_int(count("SELECT count(*) FROM checkin WHERE verdict = 'admit'"), 2,
	       "two admits so far");
	is_int(before, 8, "every scan recorded");
}

static void test_group(void)
{
	struct tn_checkin_job jobs[3];
	struct tn_door d;
	struct tn_err err;
	char code[TN_TICKETCODE_SIZE];

	is_int(tn_door_open(db, "meetup", "north", &d, &err), TN_OK, "door");
	code_of(ticket_of("carl@example.org"), code);
	memset(jobs, 0, sizeof(jobs));
	for (int i = 0; i < 3; i++) {
		jobs[i].door = &d;
		tn_scan_read(&d, i == 1 ? "junk" : code, i == 1 ? 4 : strlen(code),
			     &jobs[i].scan);
	}
	is_int(tn_checkin_record(db, jobs, 3, &err), TN_OK, "three scans in one transaction");
	is_str(tn_verdict_name(jobs[0].result.verdict), "admit", "the first admits");
	is_str(tn_verdict_name(jobs[1].result.verdict), "invalid", "each its own verdict");
	is_str(tn_verdict_name(jobs[2].result.verdict), "duplicate",
	       "the same ticket later in the group is a duplicate");
	for (int i = 0; i < 3; i++)
		tn_checkin_clear(&jobs[i].result);
}

struct racer {
	const char *token;
	char (*codes)[TN_TICKETCODE_SIZE];
	int admits, others, failures;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct tn_db *mine;
	struct tn_door d;
	struct tn_checkin c;
	struct tn_err err;

	if (tn_db_open(path, 0, &mine, &err) != TN_OK) {
		r->failures++;
		return NULL;
	}
	if (tn_door_by_token(mine, r->token, "race", &d, &err) != TN_OK)
		r->failures++;
	else
		for (int i = 0; i < RACE_TICKETS; i++) {
			if (tn_checkin(mine, &d, r->codes[i], &c, &err) != TN_OK)
				r->failures++;
			else if (c.verdict == TN_VERDICT_ADMIT)
				r->admits++;
			else if (c.verdict == TN_VERDICT_DUPLICATE)
				r->others++;
			tn_checkin_clear(&c);
		}
	tn_db_close(mine);
	return NULL;
}

static void test_race(void)
{
	static char codes[RACE_TICKETS][TN_TICKETCODE_SIZE];
	static char tokens[RACE_GATES][TN_GATE_TOKEN_LEN + 1];
	struct racer racers[RACE_GATES];
	pthread_t th[RACE_GATES];
	struct tn_gate g;
	struct tn_err err;
	char email[64], name[16], sql[128];
	int admits = 0, dups = 0, failures = 0, i;
	long long first;

	for (i = 0; i < RACE_TICKETS; i++) {
		snprintf(email, sizeof(email), "r%d@example.org", i);
		snprintf(name, sizeof(name), "R%d", i);
		reg("race", name, email);
		code_of(ticket_of(email), codes[i]);
	}
	for (i = 0; i < RACE_GATES; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		if (tn_gate_add(db, "race", name, &g, tokens[i], &err) != TN_OK)
			printf("# gate: %s\n", err.msg);
		racers[i] = (struct racer){ tokens[i], codes, 0, 0, 0 };
	}
	first = count("SELECT coalesce(max(id), 0) FROM checkin");
	for (i = 0; i < RACE_GATES; i++)
		pthread_create(&th[i], NULL, race, &racers[i]);
	for (i = 0; i < RACE_GATES; i++) {
		pthread_join(th[i], NULL);
		admits += racers[i].admits;
		dups += racers[i].others;
		failures += racers[i].failures;
	}
	is_int(failures, 0, "eight connections scanning together: no failure");
	is_int(admits, RACE_TICKETS, "exactly one admit per ticket");
	is_int(dups, RACE_TICKETS * (RACE_GATES - 1), "every other scan a duplicate");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM checkin WHERE id > %lld", first);
	is_int(count(sql), RACE_TICKETS * RACE_GATES, "every scan recorded");
	is_str(tap_db_text(db, "PRAGMA integrity_check"), "ok", "the database is sound");
}

static void test_walkin(void)
{
	struct tn_door d;
	struct tn_checkin c;
	struct tn_err err;
	long long dana, before, people;

	is_int(tn_door_open(db, "meetup", "north", &d, &err), TN_OK, "door");
	tap_db_exec(db, "INSERT INTO person(email, name, created_at)"
		    " VALUES('dana@example.org', 'Dana', '2026-01-01T00:00:00Z')");
	dana = count("SELECT id FROM person WHERE email = 'dana@example.org'");
	people = count("SELECT count(*) FROM person");
	is_int(tn_walkin(db, &d, "Dana D.", "DANA@Example.org", NULL, &c, &err), TN_OK,
	       "a walk-in known by e-mail");
	is_str(tn_verdict_name(c.verdict), "admit", "admitted");
	is_int(c.person_id, dana, "as the follower already known");
	is_int(c.walkin, 1, "marked a walk-in");
	is_int(count("SELECT count(*) FROM person"), people, "no new person");
	is_str(tap_db_text(db, "SELECT source FROM registration r JOIN person p ON"
			   " p.id = r.person_id WHERE p.email = 'dana@example.org'"),
	       "walk-in", "registered as a walk-in");
	tn_checkin_clear(&c);
	is_int(tn_walkin(db, &d, "Dana", "dana@example.org", NULL, &c, &err), TN_OK,
	       "the same walk-in again");
	is_str(tn_verdict_name(c.verdict), "duplicate", "is already in");
	tn_checkin_clear(&c);
	is_int(tn_walkin(db, &d, "Eve", NULL, NULL, &c, &err), TN_OK, "a walk-in without e-mail");
	is_str(tn_verdict_name(c.verdict), "admit", "admitted");
	is_str(c.name ? c.name : "", "Eve", "by name");
	tn_checkin_clear(&c);

	before = count("SELECT count(*) FROM checkin") * 1000 +
		 count("SELECT count(*) FROM person");
	is_int(tn_walkin(db, &d, " ", NULL, NULL, &c, &err), TN_USAGE, "no name");
	is_int(tn_walkin(db, &d, "Fay", "not an address", NULL, &c, &err), TN_USAGE,
	       "a bad address");
	is_str(err.field, "email", "about the address");
	is_int(tn_walkin(db, &d, "Fay", NULL, "nochannel", &c, &err), TN_NOTFOUND,
	       "an unknown channel");
	is_int(tn_door_open(db, "full", NULL, &d, &err), TN_OK, "the full event's door");
	is_int(tn_walkin(db, &d, "Fay", "fay@example.org", NULL, &c, &err), TN_CONFLICT,
	       "a full event admits no walk-in");
	is_str(err.field, "event", "about the event");
	is_int(count("SELECT count(*) FROM checkin") * 1000 + count("SELECT count(*) FROM person"),
	       before, "the refusals wrote nothing");
}

static int count_gate(void *ctx, const struct tn_gate *g)
{
	if (strcmp(g->name, "north") == 0)
		*(long long *)ctx = g->admitted;
	return 0;
}

static int count_revoked(void *ctx, int64_t id)
{
	(void)id;
	++*(int *)ctx;
	return 0;
}

struct listed {
	int n, duplicates_named;
};

static int list_one(void *ctx, const struct tn_checkin *c)
{
	struct listed *l = ctx;

	l->n++;
	if (c->verdict == TN_VERDICT_DUPLICATE && c->admitted_at[0])
		l->duplicates_named++;
	return 0;
}

static void test_figures(void)
{
	struct tn_door_stats st;
	struct tn_err err;
	struct listed l = { 0, 0 };
	long long north = -1;
	int revoked = 0;
	int64_t meetup = count("SELECT id FROM event WHERE slug = 'meetup'");

	is_int(tn_door_stats(db, meetup, &st, &err), TN_OK, "stats");
	is_int(st.admitted, 4, "admitted: Anna, Carl, Dana, Eve");
	is_int(st.walkins, 2, "two of them walked in");
	is_int(st.expected, 5, "expected: the valid tickets");
	is_int(st.scans, count("SELECT count(*) FROM checkin WHERE event_id = (SELECT id"
			       " FROM event WHERE slug = 'meetup')"), "scans");
	is_int(tn_gate_each(db, "meetup", count_gate, &north, &err), TN_OK, "gate list");
	is_int(north, 4, "north admitted four");
	is_int(tn_door_revoked_each(db, meetup, count_revoked, &revoked, &err), TN_OK,
	       "revoked list");
	is_int(revoked, 1, "Bob's ticket");
	is_int(tn_checkin_each(db, "meetup", list_one, &l, &err), TN_OK, "checkin list");
	is_int(l.n, (int)st.scans, "every scan");
	ok(l.duplicates_named >= 2, "duplicates name their admitting scan");
}

int main(void)
{
	char dir[256];
	struct tn_err err;
	int created, i;
	char email[64];

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	unsetenv("TURNOUT_NOW");
	if (tn_setup_create(path, "Org", "org@example.org", "https://x.example.org",
			    &created, &err) != TN_OK ||
	    tn_db_open(path, 0, &db, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	tap_db_event(db, "Meetup", NULL, 0);
	tap_db_event(db, "Other", NULL, 0);
	tap_db_event(db, "Race", NULL, 0);
	tap_db_event(db, "Full", "1", 0);
	reg("meetup", "Anna", "anna@example.org");
	reg("meetup", "Bob", "bob@example.org");
	reg("meetup", "Carl", "carl@example.org");
	reg("other", "Ola", "ola@example.org");
	reg("full", "Gus", "gus@example.org");
	for (i = 0; i < 1; i++) {
		snprintf(email, sizeof(email), "p%d@example.org", i);
		reg("meetup", "P", email);
	}
	test_gates();
	test_read();
	test_verdicts();
	test_group();
	test_race();
	test_walkin();
	test_figures();
	tn_db_close(db);
	return tap_done();
}
