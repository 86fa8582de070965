/*
 * t_ticket.c - ticket.c without the CLI: tickets issued by the accepted
 * hook (a new yes, a promotion, an approval) with their e-mail queued,
 * issuing what is missing, finding by number and code, the door's
 * verdicts, revoking (the seat to the waitlist), page tokens, export
 * errors, and forgetting and merging people.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/event.h"
#include "turnout/person.h"
#include "turnout/registration.h"
#include "turnout/setup.h"
#include "turnout/store.h"
#include "turnout/ticket.h"

static struct tn_db *db;

static long long count(const char *sql)
{
	return tap_db_int(db, sql);
}

static void reg(const char *event, const char *name, const char *email,
		enum tn_reg_status want)
{
	struct tn_rsvp_result res;
	struct tn_err err;

	is_int(tn_register(db, event, name, email, NULL, TN_SOURCE_DIRECT, &res, &err),
	       TN_OK, "register %s for %s", email, event);
	is_int(res.status, want, "%s is %s", email, tn_registration_status_name(want));
}

static void test_issued_on_yes(void)
{
	reg("two-seats", "Anna", "anna@example.org", TN_REG_YES);
	reg("two-seats", "Bob", "bob@example.org", TN_REG_YES);
	reg("two-seats", "Carl", "carl@example.org", TN_REG_WAITLISTED);
	is_int(count("SELECT count(*) FROM ticket"), 2, "a ticket per yes");
	is_int(count("SELECT count(*) FROM outbox WHERE kind = 'ticket' AND"
		     " rcpt IN ('anna@example.org', 'bob@example.org')"), 2,
	       "and an e-mail queued to each");
	reg("two-seats", "Anna", "anna@example.org", TN_REG_YES);
	is_int(count("SELECT count(*) FROM ticket"), 2, "registering again issues nothing");
}

static void test_issue(void)
{
	struct tn_err err;
	long long issued, queued;

	is_int(tn_ticket_issue(db, "two-seats", 0, &issued, &queued, &err), TN_OK, "issue");
	is_int(issued, 0, "nothing missing");
	tap_db_exec(db, "DELETE FROM outbox; DELETE FROM ticket WHERE id = 2");
	is_int(tn_ticket_issue(db, "two-seats", 1, &issued, &queued, &err), TN_OK,
	       "issue the missing one");
	is_int(issued, 1, "one issued");
	is_int(queued, 1, "its e-mail queued");
	is_int(count("SELECT count(*) FROM ticket WHERE state = 'valid'"), 2, "two valid");
	is_int(tn_ticket_issue(db, "nope", 0, &issued, &queued, &err), TN_NOTFOUND,
	       "an unknown event");
	is_str(err.field, "event", "named");
}

static void test_find_and_check(void)
{
	struct tn_ticket t, u;
	enum tn_ticket_verdict v;
	struct tn_err err;
	char code[TN_TICKETCODE_SIZE], bad[TN_TICKETCODE_SIZE];

	is_int(tn_ticket_find(db, "1", &t, &err), TN_OK, "find by number");
	is_str(t.holder, "Anna", "the holder");
	is_str(t.event, "two-seats", "the event");
	is_int((long long)strlen(t.code), TN_TICKETCODE_LEN, "with its code");
	snprintf(code, sizeof(code), "%s", t.code);
	is_int(tn_ticket_find(db, code, &u, &err), TN_OK, "find by code");
	is_int(u.id, 1, "the same ticket");
	tn_ticket_clear(&u);
	is_int(tn_ticket_check(db, code, t.event_id, &v, &u, &err), TN_OK, "check");
	is_str(tn_ticket_verdict_name(v), "admit", "admitted at its event");
	tn_ticket_clear(&u);
	is_int(tn_ticket_check(db, code, t.event_id + 1, &v, NULL, &err), TN_OK, "check");
	is_str(tn_ticket_verdict_name(v), "wrong_event", "not at another");
	snprintf(bad, sizeof(bad), "%s", code);
	bad[40] = bad[40] == 'A' ? 'B' : 'A';
	is_int(tn_ticket_check(db, bad, t.event_id, &v, NULL, &err), TN_OK, "check");
	is_str(tn_ticket_verdict_name(v), "invalid", "a changed character: invalid");
	is_int(tn_ticket_find(db, bad, &u, &err), TN_NOTFOUND, "and found nowhere");
	is_int(tn_ticket_find(db, "99", &u, &err), TN_NOTFOUND, "an unknown number");
	is_str(err.field, "ticket", "named");
	tn_ticket_clear(&t);
}

static void test_token(void)
{
	char token[TN_TICKET_TOKEN_LEN + 1];
	struct tn_ticket t;
	struct tn_err err;

	is_int(tn_db_begin(db, &err), TN_OK, "begin");
	is_int(tn_ticket_token_new(db, 2, token, &err), TN_OK, "a page token");
	is_int(tn_db_end(db, TN_OK, &err), TN_OK, "commit");
	is_int(tn_ticket_by_token(db, token, &t, &err), TN_OK, "finds its ticket");
	is_int(t.id, 2, "ticket 2");
	tn_ticket_clear(&t);
	token[0] = token[0] == 'A' ? 'B' : 'A';
	is_int(tn_ticket_by_token(db, token, &t, &err), TN_NOTFOUND, "another token: none");
	is_str(err.msg, "no such ticket link", "saying nothing more");
}

static void test_revoke(void)
{
	struct tn_ticket t;
	enum tn_ticket_verdict v;
	struct tn_err err;
	int64_t promoted;
	char code[TN_TICKETCODE_SIZE];

	is_int(tn_ticket_revoke(db, "1", &t, &promoted, &err), TN_OK, "revoke");
	is_int(t.state, TN_TICKET_REVOKED, "revoked");
	ok(t.revoked_at[0] != '\0', "with its time");
	is_int(promoted, 3, "Carl moved up");
	snprintf(code, sizeof(code), "%s", t.code);
	tn_ticket_clear(&t);
	is_int(count("SELECT count(*) FROM ticket t JOIN registration r ON"
		     " r.id = t.registration_id WHERE r.person_id = 3 AND t.state = 'valid'"),
	       1, "and has a ticket");
	is_int(count("SELECT count(*) FROM outbox o JOIN ticket t ON t.id = o.ticket_id"
		     " WHERE o.rcpt = 'carl@example.org' AND o.state = 'queued'"), 1,
	       "and its e-mail queued");
	is_int(count("SELECT count(*) FROM outbox WHERE ticket_id = 1 AND state = 'queued'"),
	       0, "the revoked ticket's e-mail is not sent");
	is_int(tn_ticket_check(db, code, 0, &v, NULL, &err), TN_OK, "check");
	is_str(tn_ticket_verdict_name(v), "revoked", "the door says revoked");
	is_int(tn_ticket_revoke(db, "1", &t, &promoted, &err), TN_CONFLICT, "twice: refused");
	is_int(count("SELECT count(*) FROM ticket"), 3, "revoked tickets stay");
}

static void test_cancelled(void)
{
	struct tn_ticket t;
	enum tn_ticket_verdict v;
	struct tn_err err;
	long long issued, queued;

	reg("open-day", "Dora", "dora@example.org", TN_REG_YES);
	is_int(tn_ticket_find(db, "4", &t, &err), TN_OK, "Dora's ticket");
	tap_db_exec(db, "UPDATE event SET status = 'cancelled' WHERE slug = 'open-day'");
	is_int(tn_ticket_check(db, t.code, 0, &v, NULL, &err), TN_OK, "check");
	is_str(tn_ticket_verdict_name(v), "cancelled", "its event is cancelled");
	is_int(tn_ticket_issue(db, "open-day", 0, &issued, &queued, &err), TN_CONFLICT,
	       "no tickets issued for a cancelled event");
	tn_ticket_clear(&t);
}

static void test_export_errors(void)
{
	struct tn_err err;
	long long n;

	is_int(tn_ticket_export(db, "two-seats", "/nonexistent/dir", &n, &err), TN_FAIL,
	       "a missing directory");
	is_str(err.field, "dir", "named");
	is_int(tn_ticket_export(db, "nope", "/tmp", &n, &err), TN_NOTFOUND,
	       "an unknown event");
}

static void test_forget_merge(void)
{
	struct tn_err err;
	int done, flushed;

	/* two people of one event, both with tickets: merged, one stays valid */
	reg("merge-day", "Emil", "emil@example.org", TN_REG_YES);
	reg("merge-day", "Emil E.", "emil.e@example.org", TN_REG_YES);
	/* as if found by a handle only: a person merged away has no address */
	tap_db_exec(db, "UPDATE person SET email = NULL WHERE id = 6");
	is_int(tn_person_merge(db, 5, 6, &err), TN_OK, "merge two ticket holders");
	is_int(count("SELECT count(*) FROM ticket t JOIN registration r ON"
		     " r.id = t.registration_id WHERE r.person_id = 5 AND t.state = 'valid'"),
	       1, "one valid ticket");
	is_int(count("SELECT count(*) FROM ticket t JOIN registration r ON"
		     " r.id = t.registration_id WHERE r.person_id = 5"), 2,
	       "the other kept, revoked");
	is_int(tn_person_forget(db, 5, &done, &flushed, &err), TN_OK, "forget");
	is_int(count("SELECT count(*) FROM ticket t JOIN registration r ON"
		     " r.id = t.registration_id WHERE r.person_id = 5 AND holder IS NOT NULL"),
	       0, "the names on the tickets are gone");
}

int main(void)
{
	char dir[256], path[300];
	struct tn_err err;
	int created;

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
	tap_db_event(db, "Two seats", "2", 0);
	tap_db_event(db, "Open day", NULL, 0);
	tap_db_event(db, "Merge day", NULL, 0);
	test_issued_on_yes();
	test_issue();
	test_find_and_check();
	test_token();
	test_revoke();
	test_cancelled();
	test_export_errors();
	test_forget_merge();
	tn_db_close(db);
	return tap_done();
}
