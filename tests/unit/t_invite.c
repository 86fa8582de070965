/*
 * t_invite.c - invite.c and outbox.c without the CLI: personal tokens,
 * unsubscribes, the outbox's state machine (claims, outcomes, backoff,
 * a dead sender's claim taken over), and merging.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tap_db.h"
#include "turnout/channel.h"
#include "turnout/event.h"
#include "turnout/invite.h"
#include "turnout/outbox.h"
#include "turnout/person.h"
#include "turnout/setup.h"
#include "turnout/store.h"

static struct tn_db *db;

static long long count(const char *sql)
{
	return tap_db_int(db, sql);
}

static const char *text(const char *sql)
{
	return tap_db_text(db, sql);
}

static void test_tokens(void)
{
	char token[TN_INVITE_TOKEN_LEN + 1], again[TN_INVITE_TOKEN_LEN + 1];
	struct tn_err err;
	int64_t id = 0;
	tn_code rc;

	tap_db_exec(db, "INSERT INTO invitation(id, event_id, person_id, channel_id, invited_at)"
	     " VALUES (1, 1, 1, 1, '2026-11-01T00:00:00Z')");
	if ((rc = tn_db_begin(db, &err)) == TN_OK) {
		rc = tn_invite_token_new(db, 1, TN_TOKEN_RSVP, token, &err);
		if (rc == TN_OK)
			rc = tn_invite_token_new(db, 1, TN_TOKEN_RSVP, again, &err);
		rc = tn_db_end(db, rc, &err);
	}
	is_int(rc, TN_OK, "two RSVP tokens for one invitation");
	is_int((long long)strlen(token), TN_INVITE_TOKEN_LEN, "24 characters");
	ok(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
	   == TN_INVITE_TOKEN_LEN, "of URL-safe base64 (%s)", token);
	ok(strcmp(token, again) != 0, "each one new");
	is_int(count("SELECT count(*) FROM invitation_token WHERE length(hash) = 32"), 2,
	       "only their hashes are stored");
	is_int(tn_invite_token_find(db, token, TN_TOKEN_RSVP, &id, &err), TN_OK, "the first finds");
	is_int(id, 1, "its invitation");
	is_int(tn_invite_token_find(db, again, TN_TOKEN_RSVP, &id, &err), TN_OK,
	       "and so does the second: an update's new link works beside the old");
	is_int(tn_invite_token_find(db, token, TN_TOKEN_UNSUBSCRIBE, &id, &err), TN_NOTFOUND,
	       "a token is of one kind only");
	token[3] = token[3] == 'A' ? 'B' : 'A';
	is_int(tn_invite_token_find(db, token, TN_TOKEN_RSVP, &id, &err), TN_NOTFOUND,
	       "one changed character finds nothing");
	is_int(tn_invite_token_find(db, "short", TN_TOKEN_RSVP, &id, &err), TN_NOTFOUND,
	       "nor does a short one");
}

static void test_unsubscribe(void)
{
	struct tn_invite_opts o = { 0 };
	struct tn_invite_result res;
	struct tn_err err;
	int changed;

	is_int(tn_person_unsubscribe(db, 2, &changed, &err), TN_OK, "bob unsubscribes");
	is_int(changed, 1, "recorded");
	is_int(tn_person_unsubscribe(db, 2, &changed, &err), TN_OK, "twice");
	is_int(changed, 0, "recorded once");
	is_int(count("SELECT count(*) FROM unsubscribed"), 1, "as one keyed hash");
	is_int(count("SELECT count(*) FROM unsubscribed u, person p WHERE instr(u.hash, p.email)"),
	       0, "which holds no address");
	is_int(tn_invite_people(db, "talk", &o, NULL, NULL, &res, &err), TN_OK, "invite");
	is_int(res.queued, 2, "anna and carl");
	is_int(res.unsubscribed, 1, "bob is skipped and counted");
	is_int(count("SELECT count(*) FROM invitation i JOIN person p ON p.id = i.person_id"
		     " WHERE p.email = 'bob@example.org'"), 0, "and not invited");
}

/* A claim's messages get this body and id (instead of a real message). */
static tn_code fake_make(void *ctx, struct tn_outbox_msg *m, struct tn_err *err)
{
	char id[64];

	(void)err;
	(*(int *)ctx)++;
	snprintf(id, sizeof(id), "m%lld.%lld@test", (long long)m->id, (long long)m->sequence);
	m->message_id = strdup(id);
	m->body = strdup("Subject: x\r\n\r\nbody\r\n");
	m->len = strlen(m->body);
	return TN_OK;
}

static void test_outbox(void)
{
	struct tn_outbox_msg *msgs;
	struct tn_err err;
	size_t n;
	long long unmade;
	int made = 0;
	char claimer[300], dead[300], host[256];

	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(claimer, sizeof(claimer), "%s:%ld", host, (long)getpid());
	is_int(count("SELECT count(*) FROM outbox WHERE state = 'queued'"), 2, "two queued");
	is_int(tn_outbox_claim(db, claimer, 10, fake_make, &made, &msgs, &n, &unmade, &err), TN_OK, "claim");
	is_int((long long)n, 2, "both");
	is_int(made, 2, "each made once");
	is_int(count("SELECT count(*) FROM outbox WHERE state = 'sending' AND body IS NOT NULL"
		     " AND message_id IS NOT NULL AND attempts = 1"), 2,
	       "claimed with their bytes kept");
	msgs[0].outcome = TN_SEND_OK;
	msgs[1].outcome = TN_SEND_LATER;
	snprintf(msgs[1].error, sizeof(msgs[1].error), "451 4.3.0 try again later");
	is_int(tn_outbox_record(db, msgs, n, &err), TN_OK, "record");
	tn_outbox_msgs_free(msgs, n);
	is_str(text("SELECT group_concat(state || ',' || coalesce(last_error, '-'), ' / ')"
		    " FROM outbox ORDER BY id"),
	       "sent,- / queued,451 4.3.0 try again later", "one sent, one deferred with the reason");
	is_int(count("SELECT count(*) FROM outbox WHERE state = 'queued'"
		     " AND next_attempt_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+50 seconds')"),
	       1, "a minute later at the earliest");

	is_int(tn_outbox_claim(db, claimer, 10, fake_make, &made, &msgs, &n, &unmade, &err), TN_OK,
	       "claim again now");
	is_int((long long)n, 0, "nothing is due");

	/* a sender that died holding a claim: its message goes again, as it was */
	snprintf(dead, sizeof(dead), "%s:%d", host, 999999);
	tap_db_exec(db, "UPDATE outbox SET state = 'sending', claimed_by = (SELECT 'x') WHERE state = 'queued'");
	{
		char sql[512];

		snprintf(sql, sizeof(sql), "UPDATE outbox SET claimed_by = '%s',"
			 " next_attempt_at = '2999-01-01T00:00:00Z' WHERE state = 'sending'", dead);
		tap_db_exec(db, sql);
	}
	made = 0;
	is_int(tn_outbox_claim(db, claimer, 10, fake_make, &made, &msgs, &n, &unmade, &err), TN_OK,
	       "claim with a dead sender's message in 'sending'");
	is_int((long long)n, 1, "it is taken over");
	is_int(made, 0, "not made again: the same bytes");
	ok(n == 1 && strstr(msgs[0].message_id, "@test") != NULL, "with the same Message-ID");
	msgs[0].outcome = TN_SEND_FAILED;
	snprintf(msgs[0].error, sizeof(msgs[0].error), "550 5.7.1 rejected");
	is_int(tn_outbox_record(db, msgs, n, &err), TN_OK, "record a permanent failure");
	tn_outbox_msgs_free(msgs, n);

	snprintf(dead, sizeof(dead), "%s:%ld", host, (long)getpid());
	tap_db_exec(db, "UPDATE outbox SET state = 'sending', next_attempt_at = '2999-01-01T00:00:00Z' WHERE state = 'failed'");
	{
		char sql[512];

		snprintf(sql, sizeof(sql), "UPDATE outbox SET claimed_by = '%s' WHERE state = 'sending'",
			 dead);
		tap_db_exec(db, sql);
	}
	is_int(tn_outbox_claim(db, claimer, 10, fake_make, &made, &msgs, &n, &unmade, &err), TN_OK,
	       "claim beside a live sender's message");
	is_int((long long)n, 0, "a live sender's claim is left alone");
	tap_db_exec(db, "UPDATE outbox SET state = 'failed', claimed_by = NULL WHERE state = 'sending'");
}

static void test_unsubscribe_drops_queued(void)
{
	struct tn_err err;
	int changed;

	tap_db_exec(db, "INSERT INTO invitation(id, event_id, person_id, invited_at) VALUES"
		    " (30, 2, 3, '2026-11-01T00:00:00Z');"
		    "INSERT INTO outbox(invitation_id, kind, sequence, state, rcpt, queued_at) VALUES"
		    " (30, 'invite', 0, 'queued', 'carl@example.org', '2026-11-01T00:00:00Z'),"
		    " (30, 'invite', 0, 'sent', 'carl@example.org', '2026-11-01T00:00:00Z')");
	is_int(tn_person_unsubscribe(db, 3, &changed, &err), TN_OK, "carl unsubscribes");
	is_int(count("SELECT count(*) FROM outbox WHERE invitation_id = 30 AND state = 'queued'"), 0,
	       "what was queued for him is dropped");
	is_int(count("SELECT count(*) FROM outbox WHERE invitation_id = 30"), 1,
	       "what was sent stays, for the counts");
}

static void test_merge(void)
{
	struct tn_err err;

	tap_db_exec(db, "INSERT INTO person(id, email, name, created_at) VALUES"
	     " (40, 'keep40@example.org', NULL, '2026-01-01T00:00:00Z'),"
	     " (41, NULL, 'Gone', '2026-01-01T00:00:00Z')");
	tap_db_exec(db, "INSERT INTO invitation(id, event_id, person_id, invited_at) VALUES"
	     " (40, 1, 40, '2026-11-01T00:00:00Z'), (41, 1, 41, '2026-11-01T00:00:00Z'),"
	     " (42, 2, 41, '2026-11-01T00:00:00Z')");
	tap_db_exec(db, "INSERT INTO outbox(invitation_id, kind, sequence, state, queued_at)"
	     " VALUES (41, 'invite', 0, 'sent', '2026-11-01T00:00:00Z')");
	is_int(tn_person_merge(db, 40, 41, &err), TN_OK, "merge a person with invitations");
	is_int(count("SELECT count(*) FROM invitation WHERE person_id = 41"), 0, "none left behind");
	is_str(text("SELECT group_concat(event_id) FROM invitation WHERE person_id = 40 ORDER BY event_id"),
	       "1,2", "one invitation per event");
	is_int(count("SELECT count(*) FROM outbox WHERE invitation_id = 40"), 1,
	       "the message of the duplicate invitation moved to the kept one");
	is_int(count("SELECT count(*) FROM pragma_foreign_key_check"), 0, "no row points at nothing");
}

int main(void)
{
	char dir[256], path[300];
	struct tn_event_input in = TN_EVENT_INPUT_INIT;
	struct tn_err err;
	int created;

	if (!tap_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	in.title = "Talk";
	in.start = "2030-06-10 19:00";
	in.tz = "Europe/Berlin";
	if (tn_setup_create(path, "Org", "org@example.org", "https://x.example.org",
			    &created, &err) != TN_OK ||
	    tn_db_open(path, 0, &db, &err) != TN_OK ||
	    tn_channel_add(db, "news", "newsletter", NULL, -1, &err) != TN_OK ||
	    tn_event_create(db, &in, NULL, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	in.title = "Talk two";
	if (tn_event_create(db, &in, NULL, &err) != TN_OK) {
		printf("Bail out! setup: %s\n", err.msg);
		return 1;
	}
	tap_db_exec(db, "INSERT INTO person(id, email, name, created_at) VALUES"
	     " (1, 'anna@example.org', 'Anna', '2026-01-01T00:00:00Z'),"
	     " (2, 'bob@example.org', 'Bob', '2026-01-01T00:00:00Z'),"
	     " (3, 'carl@example.org', 'Carl', '2026-01-01T00:00:00Z');"
	     "INSERT INTO follower(person_id, channel_id) VALUES (1, 1), (2, 1), (3, 1)");
	test_tokens();
	tap_db_exec(db, "DELETE FROM invitation_token; DELETE FROM invitation");
	test_unsubscribe();
	test_outbox();
	test_unsubscribe_drops_queued();
	test_merge();
	tn_db_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "cleanup");
	return tap_done();
}
