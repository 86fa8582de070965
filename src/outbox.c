/*
 * outbox.c - the outbox table and its state machine (outbox.h): queueing
 * and replacing, listing, retrying, claiming batches for a sender and
 * recording what became of them, and the outbox's part of forgetting
 * and merging people.
 *
 * While a message is "sending", claimed_by names the sender ("host:pid")
 * and next_attempt_at holds when the claim lapses. A claim is taken back
 * at once from a process of this host that is gone (kill(pid, 0) says
 * ESRCH), and from anyone when it has lapsed.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "turnout/buf.h"
#include "turnout/event.h"
#include "turnout/outbox.h"
#include "turnout/store.h"
#include "turnout/suggest.h"
#include "turnout/text.h"

#define CLAIM_LEASE "+1 hour"     /* how long a claim holds without its process */
#define BACKOFF_FIRST 60          /* seconds before the first retry */
#define BACKOFF_MAX 3600          /* and at most between two */

static const char *const kind_names[] = { "invite", "update", "cancel", "ticket" };
#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))
static const char *const states[] = { "queued", "sending", "sent", "failed", NULL };

const char *tn_msg_kind_name(enum tn_msg_kind kind)
{
	return kind_names[kind];
}

static tn_code nomem(struct tn_err *err)
{
	return tn_err_set(err, TN_NOMEM, "out of memory");
}

tn_code tn_outbox_queue(struct tn_db *db, int64_t invitation_id,
			enum tn_msg_kind kind, int64_t sequence, const char *rcpt,
			int *queued, struct tn_err *err)
{
	char now[21];
	int64_t delivered = 0;
	tn_code rc;

	*queued = 0;
	tn_now_utc(now);
	/* a message never delivered is replaced by the newer one; one made
	 * and deferred was not delivered either */
	rc = tn_db_run(db, err, "DELETE FROM outbox WHERE invitation_id = ?1"
		       " AND state = 'queued'", TN_I(invitation_id));
	if (rc == TN_OK)
		rc = tn_db_int(db, err, &delivered, "SELECT EXISTS(SELECT 1 FROM outbox"
			       " WHERE invitation_id = ?1 AND state IN ('sending', 'sent'))",
			       TN_I(invitation_id));
	if (rc != TN_OK)
		return rc;
	if (!delivered) {   /* nothing reached them yet */
		if (kind == TN_MSG_CANCEL)
			return TN_OK;   /* no news is the right news */
		kind = TN_MSG_INVITE;   /* the invitation, as the event now is */
	}
	rc = tn_db_run(db, err, "INSERT INTO outbox(invitation_id, kind, sequence,"
		       " rcpt, queued_at) VALUES(?1, ?2, ?3, ?4, ?5)",
		       TN_I(invitation_id), TN_T(kind_names[kind]), TN_I(sequence),
		       TN_T(rcpt), TN_T(now));
	*queued = rc == TN_OK;
	return rc;
}

tn_code tn_outbox_queue_ticket(struct tn_db *db, int64_t ticket_id,
			       const char *rcpt, struct tn_err *err)
{
	char now[21];

	tn_now_utc(now);
	/* a ticket is not part of the calendar's story: sequence 0 */
	return tn_db_run(db, err, "INSERT INTO outbox(ticket_id, kind, sequence, rcpt,"
			 " queued_at) VALUES(?1, 'ticket', 0, ?2, ?3)", TN_I(ticket_id),
			 TN_T(rcpt), TN_T(now));
}

tn_code tn_outbox_ticket_revoked(struct tn_db *db, int64_t ticket_id,
				 struct tn_err *err)
{
	return tn_db_run(db, err, "DELETE FROM outbox WHERE ticket_id = ?1"
			 " AND state = 'queued'", TN_I(ticket_id));
}

/* ---- listing and retrying ------------------------------------------------- */

struct each_ctx {
	int (*fn)(void *ctx, const struct tn_outbox_row *row);
	void *ctx;
};

static tn_code each_row(void *vctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct each_ctx *c = vctx;
	struct tn_outbox_row r;

	(void)err;
	r.id = sqlite3_column_int64(st, 0);
	r.event = tn_db_text(st, 1);
	r.kind = tn_db_text(st, 2);
	r.sequence = sqlite3_column_int64(st, 3);
	r.state = tn_db_text(st, 4);
	r.attempts = sqlite3_column_int64(st, 5);
	r.to = tn_db_text(st, 6);
	r.next_attempt_at = strcmp(r.state, "queued") == 0 ? tn_db_text(st, 7) : NULL;
	r.last_error = tn_db_text(st, 8);
	r.queued_at = tn_db_text(st, 9);
	r.sent_at = tn_db_text(st, 10);
	r.message_id = tn_db_text(st, 11);
	return c->fn(c->ctx, &r) ? TN_DB_STOP : TN_OK;
}

static tn_code check_state(const char *state, struct tn_err *err)
{
	struct tn_suggest guess;
	size_t i;

	tn_suggest_init(&guess, state);
	for (i = 0; states[i]; i++) {
		if (strcmp(state, states[i]) == 0)
			return TN_OK;
		tn_suggest_offer(&guess, states[i]);
	}
	tn_err_field(err, TN_USAGE, "status", "'%s': not a message state "
		     "(queued, sending, sent, failed)", state);
	if (guess.best)
		tn_err_hint(err, "did you mean '%s'?", guess.best);
	return TN_USAGE;
}

tn_code tn_outbox_each(struct tn_db *db, const char *state, const char *event,
		       int (*fn)(void *ctx, const struct tn_outbox_row *row),
		       void *ctx, struct tn_err *err)
{
	struct each_ctx c = { fn, ctx };
	struct tn_event ev;
	int64_t event_id = 0;
	tn_code rc;

	if (state && (rc = check_state(state, err)) != TN_OK)
		return rc;
	if (event) {
		if ((rc = tn_event_find(db, event, &ev, err)) != TN_OK)
			return tn_err_about(err, rc, "event");
		event_id = ev.id;
		tn_event_clear(&ev);
	}
	rc = tn_db_each(db, err, each_row, &c,
		"SELECT o.id, e.slug, o.kind, o.sequence, o.state, o.attempts, o.rcpt,"
		" o.next_attempt_at, o.last_error, o.queued_at, o.sent_at, o.message_id"
		" FROM outbox o LEFT JOIN invitation i ON i.id = o.invitation_id"
		" LEFT JOIN ticket t ON t.id = o.ticket_id"
		" JOIN event e ON e.id = coalesce(i.event_id, t.event_id)"
		" WHERE (?1 IS NULL OR o.state = ?1) AND (?2 = 0 OR e.id = ?2)"
		" ORDER BY o.id", TN_T(state), TN_I(event_id));
	return rc == TN_DB_STOP ? TN_OK : rc;
}

static tn_code requeue(struct tn_db *db, int64_t id, long long *count,
		       struct tn_err *err)
{
	tn_code rc = tn_db_run(db, err, "UPDATE outbox SET state = 'queued',"
			       " next_attempt_at = NULL, attempts = 0"
			       " WHERE state = 'failed' AND (?1 = 0 OR id = ?1)", TN_I(id));

	if (rc == TN_OK)
		*count = tn_db_changes(db);
	return rc;
}

static tn_code state_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	(void)err;
	snprintf(ctx, 16, "%s", tn_db_text(row, 0));
	return TN_OK;
}

tn_code tn_outbox_retry(struct tn_db *db, int64_t id, long long *count,
			struct tn_err *err)
{
	char state[16];
	tn_code rc;

	*count = 0;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	if (id > 0) {
		rc = tn_db_one(db, err, state_row, state, "SELECT state FROM outbox"
			       " WHERE id = ?1", TN_I(id));
		if (rc == TN_NOTFOUND)
			tn_err_set(err, TN_NOTFOUND, "message %" PRId64 ": no such message", id);
		else if (rc == TN_OK && strcmp(state, "failed") != 0)
			rc = tn_err_set(err, TN_CONFLICT, "message %" PRId64 ": %s, not "
					"failed; only a failed message is retried", id, state);
	}
	if (rc == TN_OK)
		rc = requeue(db, id, count, err);
	return tn_db_end(db, rc, err);
}

/* ---- forgetting and merging ------------------------------------------------ */

tn_code tn_outbox_forget(struct tn_db *db, int64_t person_id, struct tn_err *err)
{
	tn_code rc;

	rc = tn_outbox_unsubscribed(db, person_id, err);
	/* the error text may quote the address back ("550 <x@y>: no such
	 * user"); the Message-ID names no one and keeps the counts apart */
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM outbox WHERE state = 'queued' AND"
			       " ticket_id IN (SELECT t.id FROM ticket t JOIN registration r"
			       " ON r.id = t.registration_id WHERE r.person_id = ?1)",
			       TN_I(person_id));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "UPDATE outbox SET rcpt = NULL, body = NULL,"
			       " last_error = NULL WHERE invitation_id IN"
			       " (SELECT id FROM invitation WHERE person_id = ?1)"
			       " OR ticket_id IN (SELECT t.id FROM ticket t JOIN registration r"
			       " ON r.id = t.registration_id WHERE r.person_id = ?1)",
			       TN_I(person_id));
	return rc;
}

tn_code tn_outbox_unsubscribed(struct tn_db *db, int64_t person_id,
			       struct tn_err *err)
{
	return tn_db_run(db, err, "DELETE FROM outbox WHERE state = 'queued' AND"
			 " invitation_id IN (SELECT id FROM invitation WHERE person_id = ?1)",
			 TN_I(person_id));
}

tn_code tn_outbox_merge(struct tn_db *db, int64_t keep, int64_t gone,
			struct tn_err *err)
{
	return tn_db_run(db, err,
		"UPDATE outbox SET invitation_id = (SELECT k.id FROM"
		"  invitation k, invitation g WHERE g.id = outbox.invitation_id"
		"  AND k.event_id = g.event_id AND k.person_id = ?1)"
		" WHERE invitation_id IN (SELECT g.id FROM invitation g JOIN invitation k"
		"  ON k.event_id = g.event_id AND k.person_id = ?1 WHERE g.person_id = ?2)",
		TN_I(keep), TN_I(gone));
}

int tn_outbox_event_was_sent(struct tn_db *db, int64_t event_id)
{
	int64_t one;

	return tn_db_int(db, NULL, &one, "SELECT 1 FROM outbox o JOIN invitation i"
			 " ON i.id = o.invitation_id WHERE i.event_id = ?1"
			 " AND o.state = 'sent' LIMIT 1", TN_I(event_id)) == TN_OK;
}

/* ---- claiming and recording ------------------------------------------------ */

/* 1 if claimer ("host:pid") is a process of this host that is gone. */
static int claimer_gone(const char *claimer)
{
	char host[256];
	const char *colon = claimer ? strrchr(claimer, ':') : NULL;
	long pid;

	if (!colon || gethostname(host, sizeof(host)) != 0)
		return 0;
	host[sizeof(host) - 1] = '\0';
	if ((size_t)(colon - claimer) != strlen(host) ||
	    strncmp(claimer, host, (size_t)(colon - claimer)) != 0)
		return 0;
	pid = strtol(colon + 1, NULL, 10);
	return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static void msgs_clear(struct tn_outbox_msg *msgs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(msgs[i].rcpt);
		free(msgs[i].message_id);
		free(msgs[i].body);
		memset(&msgs[i], 0, sizeof(msgs[i]));
	}
}

struct claim_ctx {
	struct tn_outbox_msg *msgs;
	size_t n, max;
	tn_code rc;
};

static char *dup_text(sqlite3_stmt *st, int col, int *oom)
{
	const char *s = tn_db_text(st, col);
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = 1;
	return d;
}

static tn_code claim_row(void *vctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct claim_ctx *c = vctx;
	struct tn_outbox_msg *m;
	const char *kind = tn_db_text(st, 2), *state = tn_db_text(st, 9);
	int oom = 0, i;

	if (strcmp(state, "sending") == 0 && !sqlite3_column_int(st, 11) &&
	    !claimer_gone(tn_db_text(st, 10)))
		return TN_OK;   /* its sender is still at work */
	if (c->n == c->max)
		return TN_DB_STOP;
	m = &c->msgs[c->n];
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->invitation_id = sqlite3_column_int64(st, 1);
	m->ticket_id = sqlite3_column_int64(st, 12);
	for (i = 0; i < (int)NKINDS; i++)
		if (strcmp(kind, kind_names[i]) == 0)
			m->kind = (enum tn_msg_kind)i;
	m->sequence = sqlite3_column_int64(st, 3);
	m->attempts = sqlite3_column_int64(st, 4) + 1;
	m->rcpt = dup_text(st, 5, &oom);
	m->message_id = dup_text(st, 6, &oom);
	if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
		m->len = (size_t)sqlite3_column_bytes(st, 7);
		if ((m->body = malloc(m->len + 1)) != NULL) {
			memcpy(m->body, sqlite3_column_blob(st, 7), m->len);
			m->body[m->len] = '\0';
		} else {
			oom = 1;
		}
	}
	c->n++;
	return oom ? nomem(err) : TN_OK;
}

static tn_code claim_one(struct tn_db *db, const char *claimer, const char *now,
			 struct tn_outbox_msg *m, struct tn_err *err)
{
	return tn_db_run(db, err, "UPDATE outbox SET state = 'sending', claimed_by = ?2,"
			 " attempts = ?3, next_attempt_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
			 " ?4, '" CLAIM_LEASE "'), message_id = ?5, body = ?6"
			 " WHERE id = ?1", TN_I(m->id), TN_T(claimer), TN_I(m->attempts),
			 TN_T(now), TN_T(m->message_id), TN_B(m->body, (int)m->len));
}

tn_code tn_outbox_claim(struct tn_db *db, const char *claimer, long long max,
			tn_outbox_make_fn make, void *make_ctx,
			struct tn_outbox_msg **msgs, size_t *n, long long *unmade,
			struct tn_err *err)
{
	struct claim_ctx c = { NULL, 0, 0, TN_OK };
	char now[21];
	size_t i, kept = 0;
	tn_code rc;

	*msgs = NULL;
	*n = 0;
	*unmade = 0;
	if (max <= 0)
		return TN_OK;
	if (!(c.msgs = calloc((size_t)max, sizeof(*c.msgs))))
		return nomem(err);
	c.max = (size_t)max;
	tn_now_utc(now);
	if ((rc = tn_db_begin(db, err)) != TN_OK) {
		free(c.msgs);
		return rc;
	}
	rc = tn_db_each(db, err, claim_row, &c,
		"SELECT id, invitation_id, kind, sequence, attempts, rcpt, message_id,"
		" body, next_attempt_at, state, claimed_by, next_attempt_at <= ?1,"
		" ticket_id FROM outbox WHERE (state = 'queued' AND (next_attempt_at IS NULL"
		"  OR next_attempt_at <= ?1)) OR state = 'sending'"
		" ORDER BY id", TN_T(now));
	if (rc == TN_DB_STOP)
		rc = TN_OK;
	for (i = 0; rc == TN_OK && i < c.n; i++) {
		struct tn_outbox_msg *m = &c.msgs[i];
		struct tn_err why = TN_ERR_INIT;

		if (!m->body || !m->rcpt) {
			tn_code mrc = m->rcpt ? make(make_ctx, m, &why)
					      : tn_err_set(&why, TN_FAIL, "no address");

			if (mrc == TN_NOMEM || mrc == TN_DB) {
				rc = mrc;
				*err = why;
				break;
			}
			if (mrc != TN_OK) {   /* this one cannot be made: say why */
				rc = tn_db_run(db, err, "UPDATE outbox SET state = 'failed',"
					       " last_error = ?2, claimed_by = NULL,"
					       " next_attempt_at = NULL WHERE id = ?1",
					       TN_I(m->id), TN_T(why.msg));
				msgs_clear(m, 1);
				++*unmade;
				continue;
			}
		}
		if ((rc = claim_one(db, claimer, now, m, err)) == TN_OK) {
			if (kept != i) {
				c.msgs[kept] = *m;
				memset(m, 0, sizeof(*m));
			}
			kept++;
		}
	}
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK) {
		tn_outbox_msgs_free(c.msgs, c.n);
		*unmade = 0;
		return rc;
	}
	msgs_clear(c.msgs + kept, c.n - kept);
	if (kept == 0) {
		free(c.msgs);
		c.msgs = NULL;
	}
	*msgs = c.msgs;
	*n = kept;
	return TN_OK;
}

/* Seconds before attempt number attempts + 1: 1, 2, 4 ... minutes, at
 * most an hour. */
static long long backoff(int64_t attempts)
{
	long long s = BACKOFF_FIRST;

	while (--attempts > 0 && s < BACKOFF_MAX)
		s *= 2;
	return s < BACKOFF_MAX ? s : BACKOFF_MAX;
}

static tn_code record_one(struct tn_db *db, const struct tn_outbox_msg *m,
			  const char *now, struct tn_err *err)
{
	char delay[32];

	switch (m->outcome) {
	case TN_SEND_OK:
		/* the bytes held personal links: kept only while they may
		 * have to go again */
		return tn_db_run(db, err, "UPDATE outbox SET state = 'sent', sent_at = ?2,"
				 " claimed_by = NULL, next_attempt_at = NULL, last_error = NULL,"
				 " body = NULL WHERE id = ?1", TN_I(m->id), TN_T(now));
	case TN_SEND_LATER:
		if (m->attempts < TN_OUTBOX_MAX_ATTEMPTS) {
			snprintf(delay, sizeof(delay), "+%lld seconds", backoff(m->attempts));
			return tn_db_run(db, err, "UPDATE outbox SET state = 'queued',"
					 " claimed_by = NULL, last_error = ?3, next_attempt_at ="
					 " strftime('%Y-%m-%dT%H:%M:%SZ', ?2, ?4) WHERE id = ?1",
					 TN_I(m->id), TN_T(now), TN_T(m->error), TN_T(delay));
		}
		/* it has been tried enough */
		/* fall through */
	case TN_SEND_FAILED:
		return tn_db_run(db, err, "UPDATE outbox SET state = 'failed',"
				 " claimed_by = NULL, next_attempt_at = NULL, last_error = ?2"
				 " WHERE id = ?1", TN_I(m->id), TN_T(m->error));
	case TN_SEND_PENDING:
		break;
	}
	/* not tried: back in the queue as it was */
	return tn_db_run(db, err, "UPDATE outbox SET state = 'queued', claimed_by = NULL,"
			 " next_attempt_at = NULL, attempts = attempts - 1 WHERE id = ?1",
			 TN_I(m->id));
}

tn_code tn_outbox_record(struct tn_db *db, struct tn_outbox_msg *msgs, size_t n,
			 struct tn_err *err)
{
	char now[21];
	size_t i;
	tn_code rc;

	tn_now_utc(now);
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	for (i = 0; rc == TN_OK && i < n; i++)
		rc = record_one(db, &msgs[i], now, err);
	return tn_db_end(db, rc, err);
}

void tn_outbox_msgs_free(struct tn_outbox_msg *msgs, size_t n)
{
	msgs_clear(msgs, n);
	free(msgs);
}

tn_code tn_outbox_due(struct tn_db *db, long long *count, struct tn_err *err)
{
	char now[21];
	int64_t n = 0;
	tn_code rc;

	tn_now_utc(now);
	rc = tn_db_int(db, err, &n, "SELECT count(*) FROM outbox WHERE (state = 'queued'"
		       " AND (next_attempt_at IS NULL OR next_attempt_at <= ?1))"
		       " OR state = 'sending'", TN_T(now));
	*count = n;
	return rc;
}
