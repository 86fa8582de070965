/*
 * t_registration.c - registration.c without the CLI: answers by token,
 * registering directly and through a tracking link, capacity and the
 * waitlist, approval, releasing a seat, racing processes, the RSVP
 * page's view, no updates to those who said no, forgetting and merging.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/channel.h"
#include "turnout/event.h"
#include "turnout/invite.h"
#include "turnout/link.h"
#include "turnout/person.h"
#include "turnout/registration.h"
#include "turnout/setup.h"
#include "turnout/store.h"

static struct tn_db *db;
static char path[300];

static long long count(const char *sql)
{
	return tap_db_int(db, sql);
}

static const char *text(const char *sql)
{
	return tap_db_text(db, sql);
}

static void exec(const char *sql)
{
	struct tn_err err;
	tn_code rc;

	if ((rc = tn_db_begin(db, &err)) == TN_OK) {
		rc = tn_db_exec(db, sql, &err);
		rc = tn_db_end(db, rc, &err);
	}
	if (rc != TN_OK)
		printf("# %s: %s\n", sql, err.msg);
}

/* A snapshot of the registrations, to check that a refusal changed
 * nothing. */
static const char *registrations(void)
{
	return text("SELECT count(*) || ':' || coalesce(group_concat(id || status ||"
		    " source || coalesce(channel_id, '-') || updated_at, ','), '')"
		    " FROM (SELECT * FROM registration ORDER BY id)");
}

/* An invitation of person to event through channel (0: direct) and its
 * RSVP token, as a sent message carries it. */
static void invitation(int64_t id, int64_t event, int64_t person, int64_t channel,
		       char token[TN_INVITE_TOKEN_LEN + 1])
{
	struct tn_err err;
	char sql[256];
	tn_code rc;

	snprintf(sql, sizeof(sql), "INSERT INTO invitation(id, event_id, person_id,"
		 " channel_id, invited_at) VALUES (%lld, %lld, %lld, nullif(%lld, 0),"
		 " '2026-11-01T00:00:00Z')", (long long)id, (long long)event,
		 (long long)person, (long long)channel);
	exec(sql);
	if ((rc = tn_db_begin(db, &err)) == TN_OK) {
		rc = tn_invite_token_new(db, id, TN_TOKEN_RSVP, token, &err);
		rc = tn_db_end(db, rc, &err);
	}
	if (rc != TN_OK)
		printf("# token: %s\n", err.msg);
}

static void test_words(void)
{
	enum tn_reg_status s;
	struct tn_err err;

	is_int(tn_registration_status_parse("Yes", 0, "answer", &s, &err), TN_OK, "Yes is an answer");
	is_int(s, TN_REG_YES, "yes");
	is_int(tn_registration_status_parse("waitlisted", 0, "answer", &s, &err), TN_USAGE,
	       "waitlisted is not an answer");
	is_str(err.field, "answer", "the error names its field");
	is_str(err.hint, "yes, no or maybe", "and the words");
	is_int(tn_registration_status_parse("waitlisted", 1, "status", &s, &err), TN_OK,
	       "but a status");
	is_int(tn_registration_status_parse("none", 1, "status", &s, &err), TN_USAGE,
	       "none is no status");
	is_str(tn_registration_status_name(TN_REG_DECLINED), "declined", "status names");
	is_str(tn_registration_source_name(TN_SOURCE_WALKIN), "walk-in", "source names");
}

static void test_register(void)
{
	struct tn_rsvp_result res;
	struct tn_err err;
	char before[512];

	is_int(tn_register(db, "open-day", "Anna Berg", "Anna@Example.ORG", NULL,
			   TN_SOURCE_DIRECT, &res, &err), TN_OK, "register a known person");
	is_int(res.person_id, 1, "found by address in any case");
	is_int(res.person_created, 0, "not made again");
	is_int(res.status, TN_REG_YES, "a seat: no capacity");
	is_int(res.previous, TN_REG_NONE, "new");
	is_int(res.changed, 1, "written");
	is_int(tn_register(db, "open-day", "Anna B.", "anna@example.org", "news",
			   TN_SOURCE_DIRECT, &res, &err), TN_OK, "register again");
	is_int(res.changed, 0, "nothing changes");
	is_int(count("SELECT count(*) FROM registration WHERE person_id = 1"), 1,
	       "one registration, never two");
	is_str(text("SELECT name FROM person WHERE id = 1"), "Anna", "a stored name stays");

	is_int(tn_register(db, "open-day", "Zoë Neu", "zoe@Example.org", "news",
			   TN_SOURCE_DIRECT, &res, &err), TN_OK, "register a new address");
	is_int(res.person_created, 1, "the person is made");
	is_str(text("SELECT name || ' ' || email || ' ' || coalesce(email_key, '-')"
		    " FROM person WHERE id = (SELECT max(id) FROM person)"),
	       "Zoë Neu zoe@example.org -", "with their name and the address's domain lower-cased");
	is_str(text("SELECT r.source || ' ' || c.name FROM registration r JOIN channel c"
		    " ON c.id = r.channel_id WHERE r.person_id = (SELECT max(id) FROM person)"),
	       "direct news", "attributed to the channel given");

	snprintf(before, sizeof(before), "%s", registrations());
	is_int(tn_register(db, "no-such", "X", "x@example.org", NULL, TN_SOURCE_DIRECT, &res, &err),
	       TN_NOTFOUND, "an unknown event");
	is_str(err.field, "event", "names the event");
	is_int(tn_register(db, "open-day", "X", "x@example.org", "nws", TN_SOURCE_DIRECT, &res, &err),
	       TN_NOTFOUND, "an unknown channel");
	is_str(err.field, "channel", "names the channel");
	is_int(tn_register(db, "open-day", "X", "x@@example", NULL, TN_SOURCE_DIRECT, &res, &err),
	       TN_USAGE, "a bad address");
	is_str(err.field, "email", "names the address");
	is_int(tn_register(db, "open-day", " ", "x@example.org", NULL, TN_SOURCE_DIRECT, &res, &err),
	       TN_USAGE, "no name");
	is_str(err.field, "name", "names the name");
	is_int(tn_register(db, "open-day", "X\033[2J", "x@example.org", NULL, TN_SOURCE_DIRECT,
			   &res, &err), TN_USAGE, "a name with a control character");
	is_str(err.field, "name", "names the name");
	is_str(registrations(), before, "none of them changed anything");
	is_int(count("SELECT count(*) FROM person WHERE email = 'x@example.org'"), 0,
	       "and made no one");
}

static void test_link(void)
{
	char code[TN_LINK_CODE_LEN + 1];
	struct tn_rsvp_result res;
	struct tn_err err;
	int created;

	is_int(tn_link_code(db, "open-day", "tg", code, &created, &err), TN_OK, "a tracking link");
	is_int(tn_register_link(db, code, "Lena", "lena@example.org", &res, &err), TN_OK,
	       "register through it");
	is_str(text("SELECT r.source || ' ' || c.name FROM registration r JOIN channel c"
		    " ON c.id = r.channel_id JOIN person p ON p.id = r.person_id"
		    " WHERE p.email = 'lena@example.org'"), "link tg", "attributed to the link's channel");
	is_int(tn_register(db, "open-day", "Lena", "lena@example.org", NULL, TN_SOURCE_DIRECT,
			   &res, &err), TN_OK, "then directly");
	is_str(text("SELECT r.source || ' ' || r.channel_id FROM registration r JOIN person p"
		    " ON p.id = r.person_id WHERE p.email = 'lena@example.org'"), "link 2",
	       "a lower-ranking source does not replace the link");
	is_int(tn_register_link(db, "AAAAAAAAAAAA", "Lena", "lena@example.org", &res, &err),
	       TN_NOTFOUND, "an unknown code");
	is_str(err.field, "code", "names the code");

	/* what the registration page shows before anyone registers */
	{
		struct tn_event ev;
		const char *handle_kind;
		int open;

		is_int(tn_register_link_view(db, code, &ev, &open, &handle_kind, &err), TN_OK,
		       "the registration page's view");
		is_str(handle_kind ? handle_kind : "(null)", "telegram",
		       "a Telegram channel's page asks for a Telegram handle");
		is_str(ev.slug, "open-day", "the link's event");
		is_int(open, 1, "takes registrations");
		tn_event_clear(&ev);
		setenv("TURNOUT_NOW", "2030-06-10T17:00:00Z", 1);
		is_int(tn_register_link_view(db, code, &ev, &open, &handle_kind, &err), TN_OK,
		       "view once the event started");
		is_int(open, 0, "takes none");
		tn_event_clear(&ev);
		unsetenv("TURNOUT_NOW");
		is_int(tn_register_link_view(db, "AAAAAAAAAAAA", &ev, &open, &handle_kind,
					     &err), TN_NOTFOUND,
		       "an unknown code has no view");
		is_str(err.field, "code", "about the code");
	}
}

static void test_capacity(void)
{
	char tok[5][TN_INVITE_TOKEN_LEN + 1];
	struct tn_rsvp_result res;
	struct tn_err err;
	int i;

	/* event 2, capacity 2; people 1..5, invited through channel 1 */
	for (i = 0; i < 5; i++)
		invitation(100 + i, 2, i + 1, 1, tok[i]);
	for (i = 0; i < 4; i++)
		is_int(tn_rsvp_by_token(db, tok[i], TN_REG_YES, &res, &err), TN_OK, "yes %d", i + 1);
	is_int(res.status, TN_REG_WAITLISTED, "the fourth is waitlisted");
	is_int(res.waitlist_pos, 2, "second in line");
	is_int(res.taken, 2, "two of two seats taken");
	is_int(res.capacity, 2, "capacity 2");
	is_str(text("SELECT group_concat(person_id || status, ' ') FROM (SELECT * FROM"
		    " registration WHERE event_id = 2 ORDER BY person_id)"),
	       "1yes 2yes 3waitlisted 4waitlisted", "first come, first seated");
	is_str(text("SELECT DISTINCT source || channel_id FROM registration WHERE event_id = 2"),
	       "invitation1", "the source is the invitation, with its channel");

	is_int(tn_rsvp_by_token(db, tok[3], TN_REG_YES, &res, &err), TN_OK, "the fourth says yes again");
	is_int(res.changed, 0, "and keeps their place");
	is_int(res.waitlist_pos, 2, "second");
	is_int(tn_rsvp_by_token(db, tok[0], TN_REG_YES, &res, &err), TN_OK, "yes again");
	is_int(res.changed, 0, "changes nothing");

	is_int(tn_rsvp_by_token(db, tok[4], TN_REG_NO, &res, &err), TN_OK, "the fifth says no");
	is_int(res.promoted, 0, "which frees no seat");
	is_int(tn_rsvp_by_token(db, tok[1], TN_REG_MAYBE, &res, &err), TN_OK, "a yes becomes maybe");
	is_int(res.status, TN_REG_MAYBE, "maybe");
	is_int(res.previous, TN_REG_YES, "was yes");
	is_int(res.promoted, 1, "one promoted");
	is_int(res.promoted_person_id, 3, "the first in line");
	is_int(res.taken, 2, "the seats stay full");
	is_str(text("SELECT group_concat(person_id || status, ' ') FROM (SELECT * FROM"
		    " registration WHERE event_id = 2 ORDER BY person_id)"),
	       "1yes 2maybe 3yes 4waitlisted 5no", "in the same transaction");
	is_int(tn_rsvp_by_token(db, tok[1], TN_REG_YES, &res, &err), TN_OK, "maybe becomes yes again");
	is_int(res.status, TN_REG_WAITLISTED, "behind those who asked before");
	is_int(res.waitlist_pos, 2, "second in line");

	/* the organizer takes a seat back (a revoked ticket) */
	is_int(tn_registration_release(db, 2, 1, &res, &err), TN_OK, "release person 1's seat");
	is_int(res.status, TN_REG_DECLINED, "their registration is declined");
	is_int(res.promoted_person_id, 4, "the next in line gets it");
	is_int(tn_registration_release(db, 2, 1, &res, &err), TN_OK, "release again");
	is_int(res.changed + res.promoted, 0, "does nothing");
	is_int(tn_rsvp_by_token(db, tok[0], TN_REG_YES, &res, &err), TN_CONFLICT,
	       "a declined invitee cannot answer");

	/* more seats: the waitlist fills them */
	{
		struct tn_event_input in = TN_EVENT_INPUT_INIT;
		int changed;

		in.capacity = "4";
		is_int(tn_event_update(db, "two-seats", &in, NULL, &changed, &err), TN_OK,
		       "raise the capacity");
	}
	is_int(count("SELECT count(*) FROM registration WHERE event_id = 2 AND person_id = 2"
		     " AND status = 'yes'"), 1,
	       "the one who was waiting has a seat at once (event update fills it)");
	is_int(tn_registration_release(db, 2, 0, &res, &err), TN_OK, "fill free seats");
	is_int(res.promoted, 0, "no one else was waiting");
	is_int(res.taken, 3, "three of four taken");

	is_int(tn_rsvp_by_token(db, "AAAAAAAAAAAAAAAAAAAAAAAA", TN_REG_YES, &res, &err),
	       TN_NOTFOUND, "an unknown token");
	is_str(err.msg, "no such invitation link", "says nothing more");
	is_str(err.field, "token", "about the token");
	is_int(tn_rsvp_by_token(db, tok[2], TN_REG_WAITLISTED, &res, &err), TN_USAGE,
	       "only yes, no and maybe are answers");
}

static void test_view(void)
{
	char tok[TN_INVITE_TOKEN_LEN + 1];
	struct tn_rsvp_view v;
	struct tn_rsvp_result res;
	struct tn_err err;

	invitation(200, 1, 2, 0, tok);
	is_int(tn_rsvp_view(db, tok, &v, &err), TN_OK, "the RSVP page's view");
	is_str(v.event.slug, "open-day", "the event");
	is_str(v.name, "Bob", "the invitee's name");
	is_int(v.status, TN_REG_NONE, "no answer yet");
	is_int(v.can_change, 1, "may answer");
	tn_rsvp_view_clear(&v);
	is_int(tn_rsvp_by_token(db, tok, TN_REG_MAYBE, &res, &err), TN_OK, "answer maybe");
	is_str(text("SELECT source || coalesce(channel_id, '-') FROM registration WHERE"
		    " event_id = 1 AND person_id = 2"), "invitation-", "a direct invitation has no channel");
	is_int(tn_rsvp_view(db, tok, &v, &err), TN_OK, "view again");
	is_int(v.status, TN_REG_MAYBE, "shows maybe");
	tn_rsvp_view_clear(&v);

	setenv("TURNOUT_NOW", "2030-06-10T17:00:00Z", 1);
	is_int(tn_rsvp_view(db, tok, &v, &err), TN_OK, "view once the event started");
	is_int(v.can_change, 0, "no longer changes");
	tn_rsvp_view_clear(&v);
	is_int(tn_rsvp_by_token(db, tok, TN_REG_YES, &res, &err), TN_CONFLICT,
	       "an answer after the start");
	ok(strstr(err.msg, "started") != NULL, "says it started: %s", err.msg);
	unsetenv("TURNOUT_NOW");
	is_int(tn_rsvp_view(db, "short", &v, &err), TN_NOTFOUND, "an unknown token has no view");
}

static void test_approval(void)
{
	struct tn_rsvp_result res;
	struct tn_err err;

	/* event 3: approval, one seat */
	is_int(tn_register(db, "vetted", "Anna", "anna@example.org", NULL, TN_SOURCE_DIRECT,
			   &res, &err), TN_OK, "register for an event with approval");
	is_int(res.status, TN_REG_PENDING, "pending");
	is_int(tn_register(db, "vetted", "Bob", "bob@example.org", NULL, TN_SOURCE_DIRECT,
			   &res, &err), TN_OK, "a second");
	is_int(tn_register(db, "vetted", "Carl", "carl@example.org", NULL, TN_SOURCE_DIRECT,
			   &res, &err), TN_OK, "a third");
	is_int(count("SELECT count(*) FROM registration WHERE event_id = 3 AND status = 'pending'"),
	       3, "all three wait");
	is_int(tn_registration_approve(db, "vetted", "bob@example.org", &res, &err), TN_OK,
	       "approve bob");
	is_int(res.status, TN_REG_YES, "bob has the seat");
	is_int(tn_registration_approve(db, "vetted", "1", &res, &err), TN_OK, "approve anna");
	is_int(res.status, TN_REG_WAITLISTED, "full: anna waits");
	is_int(tn_registration_approve(db, "vetted", "1", &res, &err), TN_OK, "approve anna again");
	is_int(res.changed, 0, "nothing changes");
	is_int(tn_registration_decline(db, "vetted", "carl@example.org", &res, &err), TN_OK,
	       "decline carl");
	is_int(res.status, TN_REG_DECLINED, "declined");
	is_int(tn_register(db, "vetted", "Carl", "carl@example.org", NULL, TN_SOURCE_DIRECT,
			   &res, &err), TN_CONFLICT, "carl cannot register again");
	is_int(tn_registration_decline(db, "vetted", "2", &res, &err), TN_OK, "decline bob's seat");
	is_int(res.promoted_person_id, 1, "anna moves up");
	is_int(tn_registration_approve(db, "vetted", "carl@example.org", &res, &err), TN_OK,
	       "the organizer changes their mind about carl");
	is_int(res.status, TN_REG_WAITLISTED, "carl waits for a seat");
	is_int(tn_registration_approve(db, "vetted", "zoe@example.org", &res, &err), TN_NOTFOUND,
	       "approving someone not registered");
	is_str(err.field, "person", "names the person");
	is_int(tn_registration_approve(db, "vetted", "nobody@example.org", &res, &err),
	       TN_NOTFOUND, "approving an unknown person");
	is_int(tn_registration_approve(db, "open-day", "bob@example.org", &res, &err),
	       TN_CONFLICT, "approving an answer of maybe");
}

static void test_race(void)
{
	struct tn_err err;
	pid_t kids[12];
	int i, status, failed = 0;

	/* event 4: five seats, twelve processes asking at once */
	tap_db_event(db, "Race", "5", 0);
	tn_db_close(db);
	for (i = 0; i < 12; i++) {
		if ((kids[i] = fork()) == 0) {
			struct tn_db *own;
			struct tn_rsvp_result res;
			char email[64];
			tn_code rc;

			snprintf(email, sizeof(email), "racer%d@example.org", i);
			if (tn_db_open(path, 0, &own, &err) != TN_OK)
				_exit(3);
			rc = tn_register(own, "race", "Racer", email, NULL, TN_SOURCE_DIRECT,
					 &res, &err);
			tn_db_close(own);
			_exit(rc == TN_OK ? 0 : 1);
		}
	}
	for (i = 0; i < 12; i++)
		if (waitpid(kids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed++;
	if (tn_db_open(path, 0, &db, &err) != TN_OK) {
		printf("Bail out! reopen: %s\n", err.msg);
		exit(1);
	}
	is_int(failed, 0, "twelve processes register at once");
	is_int(count("SELECT count(*) FROM registration WHERE event_id = 4 AND status = 'yes'"),
	       5, "exactly five get a seat");
	is_int(count("SELECT count(DISTINCT asked_seq) FROM registration WHERE event_id = 4"
		     " AND status = 'waitlisted'"), 7, "seven wait, each with their own place");
}

static void test_no_updates(void)
{
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_err err;
	int changed;
	long long queued;

	/* open-day: anna (yes), bob (maybe), lena (no): each told of the event */
	exec("UPDATE registration SET status = 'no' WHERE event_id = 1 AND person_id ="
	     " (SELECT id FROM person WHERE email = 'lena@example.org')");
	exec("INSERT INTO invitation(id, event_id, person_id, invited_at) SELECT 300 + id, 1, id,"
	     " '2026-11-01T00:00:00Z' FROM person WHERE email IN ('anna@example.org',"
	     " 'lena@example.org')");
	exec("INSERT INTO outbox(invitation_id, kind, sequence, state, rcpt, queued_at)"
	     " SELECT i.id, 'invite', 0, 'sent', p.email, '2026-11-01T00:00:00Z'"
	     " FROM invitation i JOIN person p ON p.id = i.person_id WHERE i.event_id = 1");
	is_int(tn_registration_answered_no(db, 1, 2), 0, "bob did not say no");
	in.venue = "Cafe Nord";
	is_int(tn_event_update(db, "open-day", &in, NULL, &changed, &err), TN_OK, "move the event");
	is_int(in.queued, 2, "two updates queued");
	is_str(text("SELECT group_concat(name, ',') FROM (SELECT p.name FROM outbox o"
		    " JOIN invitation i ON i.id = o.invitation_id JOIN person p ON p.id = i.person_id"
		    " WHERE o.kind = 'update' ORDER BY p.id)"), "Anna,Bob",
	       "to all but lena, who said no");
	is_int(tn_event_cancel(db, "open-day", NULL, &changed, &queued, &err), TN_OK, "cancel it");
	is_int(queued, 3, "the cancellation goes to everyone");
}

static void test_forget_merge(void)
{
	struct tn_rsvp_result res;
	struct tn_err err;
	int done, flushed;
	long long yes_before;
	char email[128];

	/* race: racer0..4 have seats, the rest wait */
	yes_before = count("SELECT count(*) FROM registration WHERE status = 'yes'");
	is_int(tn_person_forget(db, tap_db_int(db, "SELECT person_id FROM registration WHERE"
					       " event_id = 4 AND status = 'waitlisted'"
					       " ORDER BY asked_seq LIMIT 1"), &done, &flushed, &err),
	       TN_OK, "forget someone in the waitlist");
	is_int(count("SELECT count(*) FROM registration r JOIN person p ON p.id = r.person_id"
		     " WHERE p.forgotten_at IS NOT NULL AND r.status = 'no' AND r.asked_seq IS NULL"),
	       1, "their request is withdrawn, the row kept");
	snprintf(email, sizeof(email), "%s", text("SELECT p.email FROM registration r JOIN"
		 " person p ON p.id = r.person_id WHERE r.event_id = 4 AND r.status = 'yes'"
		 " ORDER BY r.id LIMIT 1"));
	is_int(tn_person_forget(db, tap_db_int(db, "SELECT person_id FROM registration WHERE"
					       " event_id = 4 AND status = 'yes' ORDER BY id LIMIT 1"),
				&done, &flushed, &err), TN_OK, "forget someone with a seat");
	is_int(count("SELECT count(*) FROM registration WHERE status = 'yes'"), yes_before,
	       "the yes counts stay");
	is_int(count("SELECT count(*) FROM registration r JOIN person p ON p.id = r.person_id"
		     " WHERE p.forgotten_at IS NOT NULL AND p.email IS NULL AND p.name IS NULL"),
	       2, "the rows stay, anonymous");
	is_int(tn_register(db, "race", "Again", email, NULL, TN_SOURCE_DIRECT, &res, &err),
	       TN_CONFLICT, "registering a forgotten address (%s)", email);
	is_str(err.field, "email", "is refused about the address");
	is_int(count("SELECT count(*) FROM person WHERE name = 'Again'"), 0, "and makes no one");

	/* merge: a person without an address with a yes, into one waitlisted */
	exec("INSERT INTO person(id, email, name, created_at) VALUES"
	     " (90, NULL, 'Walk In', '2026-01-01T00:00:00Z');"
	     "INSERT INTO registration(event_id, person_id, status, source, created_at, updated_at)"
	     " VALUES (4, 90, 'yes', 'walk-in', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
	{
		long long keep = tap_db_int(db, "SELECT person_id FROM registration WHERE"
					    " event_id = 4 AND status = 'waitlisted'"
					    " ORDER BY asked_seq LIMIT 1");
		char sql[200];

		is_int(tn_person_merge(db, keep, 90, &err), TN_OK, "merge");
		snprintf(sql, sizeof(sql), "SELECT status || ' ' || source FROM registration"
			 " WHERE event_id = 4 AND person_id = %lld", keep);
		is_str(text(sql), "yes direct", "the stronger status stays, with the higher source");
	}
	is_int(count("SELECT count(*) FROM registration WHERE person_id = 90"), 0, "none left behind");
	is_int(count("SELECT count(*) FROM pragma_foreign_key_check"), 0, "no row points at nothing");
}

int main(void)
{
	char dir[256];
	struct tn_err err;
	int created;

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	unsetenv("TURNOUT_NOW");
	if (tn_setup_create(path, "Org", "org@example.org", "https://x.example.org",
			    &created, &err) != TN_OK ||
	    tn_db_open(path, 0, &db, &err) != TN_OK ||
	    tn_channel_add(db, "news", "newsletter", NULL, -1, &err) != TN_OK ||
	    tn_channel_add(db, "tg", "telegram", NULL, -1, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	tap_db_event(db, "Open day", NULL, 0);     /* 1 */
	tap_db_event(db, "Two seats", "2", 0);     /* 2 */
	tap_db_event(db, "Vetted", "1", 1);        /* 3 */
	exec("INSERT INTO person(id, email, name, created_at) VALUES"
	     " (1, 'anna@example.org', 'Anna', '2026-01-01T00:00:00Z'),"
	     " (2, 'bob@example.org', 'Bob', '2026-01-01T00:00:00Z'),"
	     " (3, 'carl@example.org', 'Carl', '2026-01-01T00:00:00Z'),"
	     " (4, 'dora@example.org', 'Dora', '2026-01-01T00:00:00Z'),"
	     " (5, 'emil@example.org', 'Emil', '2026-01-01T00:00:00Z');"
	     "INSERT INTO follower(person_id, channel_id) VALUES (1, 1), (2, 1), (3, 1)");
	test_words();
	test_register();
	test_link();
	test_capacity();
	test_view();
	test_approval();
	test_race();
	test_no_updates();
	test_forget_merge();
	tn_db_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "cleanup");
	return tap_done();
}
