/*
 * outbox.h - the messages waiting to go out and what became of each.
 * Owns table outbox.
 *
 * A message is queued as a row naming its invitation, kind and the
 * event's sequence; it is made (message.h) when a sender claims it, and
 * the bytes are kept until the server accepts them, so a message sent
 * again after a crash or a 4xx is the same message with the same
 * Message-ID. Once sent, the bytes (which hold the invitee's personal
 * links) are dropped; the Message-ID stays. States:
 *
 *   queued --claim--> sending --250--> sent
 *     ^                  |----4xx----> queued (later: next_attempt_at)
 *     |                  '----5xx----> failed (last_error)
 *     '------------- retry -------------'
 *
 * A claim is one transaction; so is recording the results of a claimed
 * batch. A sender that dies leaves its batch in "sending": the next
 * sender takes those rows again when their process is gone (or, from
 * another machine, when the claim is an hour old). Only they can be
 * delivered twice, and with the same Message-ID.
 */
#ifndef TURNOUT_OUTBOX_H
#define TURNOUT_OUTBOX_H

#include <stdint.h>

#include "turnout/db.h"
#include "turnout/err.h"

enum tn_msg_kind { TN_MSG_INVITE, TN_MSG_UPDATE, TN_MSG_CANCEL, TN_MSG_TICKET };

/* "invite", "update", "cancel", "ticket". */
const char *tn_msg_kind_name(enum tn_msg_kind kind);

/*
 * Queues a message of kind for the invitation, to rcpt (the address it
 * goes to, kept until sent or forgotten), for the event's sequence,
 * inside the caller's transaction. A message of the same invitation
 * still queued (never delivered) is replaced: the invitee gets only the
 * newest. While nothing has reached the invitee yet, an update is queued
 * as the invitation itself (as the event now is), and a cancellation
 * queues nothing. *queued is 1 when a message was queued.
 */
tn_code tn_outbox_queue(struct tn_db *db, int64_t invitation_id,
			enum tn_msg_kind kind, int64_t sequence, const char *rcpt,
			int *queued, struct tn_err *err);

/* Queues the e-mail of ticket ticket_id (ticket.h) to rcpt, inside the
 * caller's transaction. Each call queues one more message. */
tn_code tn_outbox_queue_ticket(struct tn_db *db, int64_t ticket_id,
			       const char *rcpt, struct tn_err *err);

/* A revoked ticket: its e-mails still queued (not claimed) are deleted. */
tn_code tn_outbox_ticket_revoked(struct tn_db *db, int64_t ticket_id,
				 struct tn_err *err);

/* One row of the outbox, as listed. Strings borrowed during the call;
 * NULL when unset. */
struct tn_outbox_row {
	int64_t id;
	const char *event;          /* slug */
	const char *kind;           /* invite, update, cancel, ticket */
	int64_t sequence;
	const char *state;          /* queued, sending, sent, failed */
	int64_t attempts;
	const char *to;             /* NULL once forgotten */
	const char *next_attempt_at, *last_error, *queued_at, *sent_at;
	const char *message_id;
};

/* Calls fn for each message, oldest first, in state (NULL: any; else
 * one of the four, TN_USAGE otherwise) and of event (NULL: any; unknown:
 * TN_NOTFOUND). fn returns non-zero to stop. */
tn_code tn_outbox_each(struct tn_db *db, const char *state, const char *event,
		       int (*fn)(void *ctx, const struct tn_outbox_row *row),
		       void *ctx, struct tn_err *err);

/* Queues again the failed message id (id > 0), or every failed message
 * (id 0), to be sent as soon as possible; *count gets how many. A
 * message that is not failed is TN_CONFLICT (saying its state), an
 * unknown id TN_NOTFOUND. */
tn_code tn_outbox_retry(struct tn_db *db, int64_t id, long long *count,
			struct tn_err *err);

/* The erasure part of forgetting a person: their queued messages are
 * deleted, the bodies, addresses and errors of the others erased. */
tn_code tn_outbox_forget(struct tn_db *db, int64_t person_id, struct tn_err *err);
/* Someone asked for no more mail: their messages still queued (not
 * claimed by a sender) are deleted. */
tn_code tn_outbox_unsubscribed(struct tn_db *db, int64_t person_id,
			       struct tn_err *err);
/* The merging part: gone's messages of an event keep was invited to as
 * well move to keep's invitation (before invite.c drops gone's). */
tn_code tn_outbox_merge(struct tn_db *db, int64_t keep, int64_t gone,
			struct tn_err *err);

/* A claimed message, for a sender (send.c). */
struct tn_outbox_msg {
	int64_t id, invitation_id;   /* invitation_id 0 for a ticket */
	int64_t ticket_id;           /* TN_MSG_TICKET's ticket; else 0 */
	enum tn_msg_kind kind;
	int64_t sequence;
	int64_t attempts;        /* including this one */
	char *rcpt;              /* the envelope recipient */
	char *message_id;        /* without <> */
	char *body;              /* the whole message, CRLF lines */
	size_t len;
	/* set by the sender, read by tn_outbox_record */
	enum { TN_SEND_PENDING, TN_SEND_OK, TN_SEND_LATER, TN_SEND_FAILED } outcome;
	char error[512];         /* why, for LATER and FAILED */
};

/* Makes a message that has none yet: fills body/len and message_id
 * (malloc'd) from the rest; called inside the claim's transaction. */
typedef tn_code (*tn_outbox_make_fn)(void *ctx, struct tn_outbox_msg *msg,
				     struct tn_err *err);

/*
 * Claims up to max due messages for the sender named claimer ("host:pid")
 * in one transaction: queued ones whose time has come, and ones left
 * "sending" by a sender that is gone. Messages never made are made by
 * make. *msgs gets a new array of *n (0 when nothing is due); free it
 * with tn_outbox_msgs_free. A message make fails for (an address that
 * needs SMTPUTF8, say) is failed with the reason, counted in *unmade and
 * not returned.
 */
tn_code tn_outbox_claim(struct tn_db *db, const char *claimer, long long max,
			tn_outbox_make_fn make, void *make_ctx,
			struct tn_outbox_msg **msgs, size_t *n, long long *unmade,
			struct tn_err *err);
/* Records each claimed message's outcome in one transaction. */
tn_code tn_outbox_record(struct tn_db *db, struct tn_outbox_msg *msgs, size_t n,
			 struct tn_err *err);
void tn_outbox_msgs_free(struct tn_outbox_msg *msgs, size_t n);
/* How many messages are due now (for a progress bar). */
tn_code tn_outbox_due(struct tn_db *db, long long *count, struct tn_err *err);

/* Attempts before a message that keeps failing for now fails for good. */
#define TN_OUTBOX_MAX_ATTEMPTS 10

/* 1 if any message of the event was ever sent. */
int tn_outbox_event_was_sent(struct tn_db *db, int64_t event_id);

#endif
