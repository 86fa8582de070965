/*
 * inbox.h - the calendar replies that invitees' calendars mail back,
 * applied as answers: one message at a time (rsvp --reply FILE), or every
 * unseen message of the organizer's IMAP mailbox (rsvp --fetch-imap URL).
 * Both go through tn_inbox_apply, so a reply means the same whichever
 * way it came. Owns no table: reading a reply is reply.h's, applying it
 * registration.h's, the mailbox imap.h's.
 */
#ifndef TURNOUT_INBOX_H
#define TURNOUT_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/registration.h"
#include "turnout/reply.h"

/* What became of one message. */
enum tn_inbox_outcome {
	TN_INBOX_APPLIED,     /* a reply applied as the invitee's answer (res;
	                       * res.changed 0 when that was the answer already) */
	TN_INBOX_OUTDATED,    /* a reply about an older SEQUENCE than one applied
	                       * already: nothing changed (stale_after) */
	TN_INBOX_NOT_REPLY,   /* not a calendar reply (tn_reply_parse refused it) */
	TN_INBOX_UNMATCHED,   /* a reply that matches no invitation of ours */
	TN_INBOX_REFUSED,     /* a reply that can never apply: its event was
	                       * cancelled or has started, or the organizer
	                       * declined the registration (TN_CONFLICT) */
	TN_INBOX_FAILED,      /* could not be read or applied now (a message
	                       * that could not be fetched, a database error) */
};

/* One message, as tn_inbox_apply leaves it. */
struct tn_inbox_answer {
	enum tn_inbox_outcome outcome;
	struct tn_reply reply;        /* read (APPLIED, OUTDATED, UNMATCHED,
	                               * REFUSED, and FAILED after reading);
	                               * owned */
	int have_reply;
	struct tn_rsvp_result res;    /* APPLIED, OUTDATED (event, person) */
	int64_t stale_after;          /* OUTDATED: the SEQUENCE applied; else -1 */
};

/*
 * Reads data[0..len) (a bare .ics or a whole e-mail) as a calendar reply
 * and applies it (tn_reply_parse, then tn_rsvp_reply), filling *a
 * (tn_inbox_answer_clear frees it). Returns the code of the step that
 * failed, with its message in err: tn_reply_parse's (NOT_REPLY: usually
 * TN_BADINPUT), TN_NOTFOUND about "reply" (UNMATCHED), TN_CONFLICT
 * (REFUSED), any other (FAILED). An OUTDATED reply is TN_OK: nothing is
 * wrong with it.
 */
tn_code tn_inbox_apply(struct tn_db *db, const char *data, size_t len,
		       struct tn_inbox_answer *a, struct tn_err *err);
void tn_inbox_answer_clear(struct tn_inbox_answer *a);

/* Counts of one mailbox run. */
struct tn_inbox_summary {
	int64_t unseen;       /* unseen messages found */
	int64_t applied, outdated, ignored, unmatched, refused, failed;
};

/* Called after each message of tn_inbox_fetch_imap: its UID, what became
 * of it, and, when rc is not TN_OK (a failure, an unmatched or ignored
 * message), err. Borrowed for the call. */
typedef void (*tn_inbox_on_message)(void *ctx, uint32_t uid,
				    const struct tn_inbox_answer *a, tn_code rc,
				    const struct tn_err *err);

/*
 * Applies every calendar reply among the unseen messages of the IMAP
 * mailbox url (imap.h: imaps://user@host/MAILBOX) logged in with
 * password. Each message is fetched without marking it seen and applied
 * by tn_inbox_apply; a message applied or outdated is then marked seen,
 * every other message is left as it was, unseen, for the organizer. A
 * message that cannot be fetched, marked or applied is counted as failed
 * and the others go on. Fills *sum (always), calls on_message (may be
 * NULL) for each message.
 *
 * Returns TN_OK when the mailbox was gone through, failures of single
 * messages included (sum->failed); TN_USAGE about "url" for a URL imap.h
 * does not take; TN_FAIL when the server cannot be reached, refuses the
 * login or the mailbox, or the connection fails for good midway (the
 * answers applied before stay applied, and their messages seen);
 * TN_NOMEM. The password is never written into err.
 */
tn_code tn_inbox_fetch_imap(struct tn_db *db, const char *url,
			    const char *password, tn_inbox_on_message on_message,
			    void *ctx, struct tn_inbox_summary *sum,
			    struct tn_err *err);

#endif
