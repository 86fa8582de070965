/*
 * invite.c - invitations (invite.h): choosing the invitees, one
 * invitation row each with its source channel, queueing their messages,
 * queueing updates and cancellations when the event changes, and the
 * personal tokens (RSVP, unsubscribe) each message carries.
 *
 * Who is picked is person.c's (it owns person and follower); what is
 * queued is outbox.c's. A token is token.h's (144 random bits as 24
 * characters of URL-safe base64); only its BLAKE2b hash is stored, so
 * the database alone cannot make a link that works.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/event.h"
#include "turnout/invite.h"
#include "turnout/outbox.h"
#include "turnout/person.h"
#include "turnout/registration.h"
#include "turnout/store.h"
#include "turnout/text.h"


static tn_code nomem(struct tn_err *err)
{
	return tn_err_set(err, TN_NOMEM, "out of memory");
}

/* The event may be invited to: scheduled and not started. */
static tn_code check_event(const struct tn_event *ev, struct tn_err *err)
{
	char now[21];

	if (ev->cancelled) {
		tn_err_set(err, TN_CONFLICT, "event '%s': cancelled; no one can be "
			   "invited to it", ev->slug);
		return TN_CONFLICT;
	}
	tn_now_utc(now);
	if (strcmp(ev->start_utc, now) <= 0) {
		tn_err_set(err, TN_CONFLICT, "event '%s': started %s (UTC); no one can "
			   "be invited to it any more", ev->slug, ev->start_utc);
		return TN_CONFLICT;
	}
	return TN_OK;
}

/* The channel ids of opts, in the order given. */
static tn_code find_channels(struct tn_db *db, const struct tn_invite_opts *opts,
			     int64_t *ids, struct tn_err *err)
{
	struct tn_channel ch;
	size_t i;
	tn_code rc;

	for (i = 0; i < opts->nchannels; i++) {
		if ((rc = tn_channel_find(db, opts->channels[i], &ch, err)) != TN_OK)
			return tn_err_about(err, rc, "channel");
		ids[i] = ch.id;
		tn_channel_clear(&ch);
	}
	return TN_OK;
}

/* The people named by address in opts. */
static tn_code find_people(struct tn_db *db, const struct tn_invite_opts *opts,
			   int64_t *ids, struct tn_err *err)
{
	size_t i;
	tn_code rc;

	for (i = 0; i < opts->nemails; i++) {
		const char *addr = opts->emails[i];

		if (!strchr(addr, '@'))
			return tn_err_field(err, TN_USAGE, "email", "'%s': not an e-mail "
					    "address", addr);
		rc = tn_person_resolve(db, addr, &ids[i], err);
		if (rc == TN_NOTFOUND) {
			tn_err_field(err, TN_NOTFOUND, "email", "'%s': no such person",
				     addr);
			tn_err_next(err, TN_NEXT_LIST_PEOPLE);
		}
		if (rc != TN_OK)
			return rc;
	}
	return TN_OK;
}

struct invite_ctx {
	struct tn_db *db;
	const struct tn_event *ev;
	const struct tn_invite_opts *opts;
	int (*fn)(void *ctx, const struct tn_invitee *who);
	void *fn_ctx;
	struct tn_invite_result *res;
	struct tn_err *err;
	tn_code rc;
	char now[21];
};

static tn_code invited_already(struct tn_db *db, int64_t event_id,
			       int64_t person_id, int *yes, struct tn_err *err)
{
	int64_t one;
	tn_code rc = tn_db_int(db, err, &one, "SELECT 1 FROM invitation"
			       " WHERE event_id = ?1 AND person_id = ?2",
			       TN_I(event_id), TN_I(person_id));

	*yes = rc == TN_OK;
	return rc == TN_NOTFOUND ? TN_OK : rc;
}

static int invite_one(void *vctx, const struct tn_person_picked *p)
{
	struct invite_ctx *c = vctx;
	struct tn_invitee who = { p->id, p->email, p->name, p->channel };
	int already, queued;

	if (!p->email) {
		c->res->no_email++;
		return 0;
	}
	if (p->unsubscribed) {
		c->res->unsubscribed++;
		return 0;
	}
	c->rc = invited_already(c->db, c->ev->id, p->id, &already, c->err);
	if (c->rc != TN_OK)
		return 1;
	if (already) {
		c->res->already++;
		return 0;
	}
	if (c->opts->limit > 0 && c->res->queued >= c->opts->limit)
		return 0;   /* go on counting the others */
	if (!c->opts->dry_run) {
		c->rc = tn_db_run(c->db, c->err, "INSERT INTO invitation(event_id,"
				  " person_id, channel_id, invited_at)"
				  " VALUES(?1, ?2, nullif(?3, 0), ?4)",
				  TN_I(c->ev->id), TN_I(p->id), TN_I(p->channel_id),
				  TN_T(c->now));
		if (c->rc == TN_OK)
			c->rc = tn_outbox_queue(c->db, tn_db_last_id(c->db), TN_MSG_INVITE,
						c->ev->sequence, p->email, &queued, c->err);
		if (c->rc != TN_OK)
			return 1;
	}
	c->res->queued++;
	if (c->fn && c->fn(c->fn_ctx, &who)) {
		c->rc = TN_DB_STOP;
		return 1;
	}
	return 0;
}

tn_code tn_invite_people(struct tn_db *db, const char *event,
			 const struct tn_invite_opts *opts,
			 int (*fn)(void *ctx, const struct tn_invitee *who), void *ctx,
			 struct tn_invite_result *res, struct tn_err *err)
{
	struct tn_event ev;
	struct tn_person_pick pick;
	struct invite_ctx c;
	int64_t *channel_ids = NULL, *person_ids = NULL;
	tn_code rc;

	memset(res, 0, sizeof(*res));
	memset(&pick, 0, sizeof(pick));
	if ((rc = tn_event_find(db, event, &ev, err)) != TN_OK)
		return rc;
	if ((rc = check_event(&ev, err)) != TN_OK)
		goto out;
	channel_ids = calloc(opts->nchannels + 1, sizeof(*channel_ids));
	person_ids = calloc(opts->nemails + 1, sizeof(*person_ids));
	if (!channel_ids || !person_ids) {
		rc = nomem(err);
		goto out;
	}
	if ((rc = find_channels(db, opts, channel_ids, err)) != TN_OK ||
	    (rc = find_people(db, opts, person_ids, err)) != TN_OK)
		goto out;
	pick.channel_ids = channel_ids;
	pick.nchannels = opts->nchannels;
	pick.region = opts->region;
	pick.person_ids = person_ids;
	pick.npersons = opts->nemails;
	pick.must_follow = opts->nchannels > 0 || opts->region;

	memset(&c, 0, sizeof(c));
	c.db = db;
	c.ev = &ev;
	c.opts = opts;
	c.fn = fn;
	c.fn_ctx = ctx;
	c.res = res;
	c.err = err;
	tn_now_utc(c.now);
	if (!opts->dry_run && (rc = tn_db_begin(db, err)) != TN_OK)
		goto out;
	rc = tn_person_pick(db, &pick, invite_one, &c, err);
	if (rc == TN_OK && c.rc != TN_DB_STOP)
		rc = c.rc;
	if (!opts->dry_run)
		rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		memset(res, 0, sizeof(*res));
out:
	free(channel_ids);
	free(person_ids);
	tn_event_clear(&ev);
	return rc;
}

/* ---- when the event changes --------------------------------------------- */

struct changed_ctx {
	struct tn_db *db;
	enum tn_msg_kind kind;
	int64_t event_id, sequence;
	long long queued;
};

static tn_code queue_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct changed_ctx *c = vctx;
	int queued;
	tn_code rc;

	/* whoever answered no hears of no change; a cancellation goes to
	 * everyone who was told of the event */
	if (c->kind == TN_MSG_UPDATE &&
	    tn_registration_answered_no(c->db, c->event_id, sqlite3_column_int64(row, 2)))
		return TN_OK;
	rc = tn_outbox_queue(c->db, sqlite3_column_int64(row, 0), c->kind, c->sequence,
			     tn_db_text(row, 1), &queued, err);
	c->queued += queued;
	return rc;
}

tn_code tn_invite_event_changed(struct tn_db *db, const struct tn_event *ev,
				enum tn_event_change change, long long *queued,
				struct tn_err *err)
{
	struct changed_ctx c = { db, change == TN_EVENT_CANCELLED ? TN_MSG_CANCEL
					: TN_MSG_UPDATE, ev->id, ev->sequence, 0 };
	tn_code rc;

	*queued = 0;
	/* the address each message goes to is the one its invitation went
	 * to (the outbox keeps it until the person is forgotten) */
	rc = tn_db_each(db, err, queue_row, &c,
		"SELECT i.id, (SELECT o.rcpt FROM outbox o WHERE o.invitation_id = i.id"
		"   AND o.rcpt IS NOT NULL ORDER BY o.id DESC LIMIT 1) AS rcpt, i.person_id"
		" FROM invitation i WHERE i.event_id = ?1 AND rcpt IS NOT NULL"
		" ORDER BY i.id", TN_I(ev->id));
	*queued = c.queued;
	return rc;
}

int tn_invite_event_has_invitations(struct tn_db *db, int64_t event_id)
{
	int64_t one;

	return tn_db_int(db, NULL, &one, "SELECT 1 FROM invitation WHERE event_id = ?1"
			 " LIMIT 1", TN_I(event_id)) == TN_OK;
}

/* ---- tokens --------------------------------------------------------------- */

static const char *const token_kinds[] = { "rsvp", "unsubscribe" };

tn_code tn_invite_token_new(struct tn_db *db, int64_t invitation_id,
			    enum tn_token_kind kind,
			    char token[TN_INVITE_TOKEN_LEN + 1], struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	char now[21];
	tn_code rc;

	if ((rc = tn_token_new(token, hash, err)) != TN_OK)
		return rc;
	tn_now_utc(now);
	return tn_db_run(db, err, "INSERT INTO invitation_token(hash, kind,"
			 " invitation_id, created_at) VALUES(?1, ?2, ?3, ?4)",
			 TN_B(hash, TN_TOKEN_HASH_BYTES), TN_T(token_kinds[kind]),
			 TN_I(invitation_id), TN_T(now));
}

tn_code tn_invite_token_find(struct tn_db *db, const char *token,
			     enum tn_token_kind kind, int64_t *invitation_id,
			     struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	tn_code rc;

	if (strlen(token) != TN_INVITE_TOKEN_LEN)
		return tn_err_set(err, TN_NOTFOUND, "no such link");
	tn_token_hash(token, hash);
	rc = tn_db_int(db, err, invitation_id, "SELECT invitation_id FROM"
		       " invitation_token WHERE hash = ?1 AND kind = ?2",
		       TN_B(hash, TN_TOKEN_HASH_BYTES), TN_T(token_kinds[kind]));
	if (rc == TN_NOTFOUND)
		tn_err_set(err, TN_NOTFOUND, "no such link");
	return rc;
}

struct invitee_row {
	int64_t *person_id;
	char **email;
};

static tn_code invitee_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct invitee_row *r = ctx;
	const char *email = tn_db_text(row, 1);

	*r->person_id = sqlite3_column_int64(row, 0);
	if (email && !(*r->email = strdup(email)))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	return TN_OK;
}

tn_code tn_invite_person(struct tn_db *db, int64_t invitation_id,
			 int64_t *person_id, char **email, struct tn_err *err)
{
	struct invitee_row r = { person_id, email };
	tn_code rc;

	*email = NULL;
	rc = tn_db_one(db, err, invitee_row, &r, "SELECT p.id, p.email FROM invitation i"
		       " JOIN person p ON p.id = i.person_id WHERE i.id = ?1",
		       TN_I(invitation_id));
	if (rc == TN_NOTFOUND)
		tn_err_set(err, TN_NOTFOUND, "invitation %" PRId64 ": no such invitation",
			   invitation_id);
	return rc;
}

/* ---- forgetting and merging ---------------------------------------------- */

tn_code tn_invite_forget(struct tn_db *db, int64_t person_id, struct tn_err *err)
{
	tn_code rc = tn_outbox_forget(db, person_id, err);

	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM invitation_token WHERE invitation_id"
			       " IN (SELECT id FROM invitation WHERE person_id = ?1)",
			       TN_I(person_id));
	return rc;
}

tn_code tn_invite_merge(struct tn_db *db, int64_t keep, int64_t gone,
			struct tn_err *err)
{
	tn_code rc;

	/* an event both were invited to: gone's tokens and messages join
	 * keep's invitation, so the links gone received still work */
	rc = tn_db_run(db, err,
		"UPDATE invitation_token SET invitation_id = (SELECT k.id FROM"
		"  invitation k, invitation g WHERE g.id = invitation_token.invitation_id"
		"  AND k.event_id = g.event_id AND k.person_id = ?1)"
		" WHERE invitation_id IN (SELECT g.id FROM invitation g JOIN invitation k"
		"  ON k.event_id = g.event_id AND k.person_id = ?1 WHERE g.person_id = ?2)",
		TN_I(keep), TN_I(gone));
	if (rc == TN_OK)
		rc = tn_outbox_merge(db, keep, gone, err);
	if (rc == TN_OK)
		rc = tn_db_run(db, err,
			"DELETE FROM invitation WHERE person_id = ?2 AND event_id IN"
			" (SELECT event_id FROM invitation WHERE person_id = ?1)",
			TN_I(keep), TN_I(gone));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "UPDATE invitation SET person_id = ?1"
			       " WHERE person_id = ?2", TN_I(keep), TN_I(gone));
	return rc;
}
