/*
 * ticket.h - tickets: one per accepted registration, with a signed code
 * (ticketcode.h) that a door device checks offline. Owns tables ticket
 * and ticket_token.
 *
 * A ticket's id is the serial its code carries; the code itself is not
 * stored but made again from the signing key when needed (Ed25519 is
 * deterministic, so it is always the same). A registration has at most
 * one valid ticket. A ticket is issued when its registration becomes
 * yes (registration.c's accepted hooks: tn_ticket_accepted), and that
 * queues the ticket e-mail; tn_ticket_issue issues the ones missing (for
 * registrations accepted before tickets existed). A revoked ticket stays,
 * listed as revoked, and its seat goes to the waitlist. A ticket whose
 * registration is no longer yes (answered no, declined) is revoked as
 * far as tn_ticket_check is concerned.
 *
 * The ticket page (base-url/t/TOKEN) is reached with a personal token
 * made for each ticket e-mail; only its hash is stored, as for the RSVP
 * tokens (invite.h).
 */
#ifndef TURNOUT_TICKET_H
#define TURNOUT_TICKET_H

#include <stdint.h>

#include "turnout/buf.h"
#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/token.h"
#include "turnout/event.h"
#include "turnout/ticketcode.h"

enum tn_ticket_state { TN_TICKET_VALID, TN_TICKET_REVOKED };

/* "valid", "revoked"; static storage. */
const char *tn_ticket_state_name(enum tn_ticket_state state);

/* One ticket. Strings are owned (tn_ticket_clear frees them) when filled
 * by tn_ticket_find, tn_ticket_revoke, tn_ticket_check or
 * tn_ticket_by_token; borrowed during the callback of tn_ticket_each. */
struct tn_ticket {
	int64_t id;                       /* its number, the serial in its code */
	int64_t event_id, registration_id, person_id;
	char event[TN_SLUG_MAX + 1];      /* the event's slug */
	char *title;                      /* the event's title */
	char *holder;                     /* the holder's name; NULL: unknown or forgotten */
	char *email;                      /* their address; NULL: forgotten */
	enum tn_ticket_state state;       /* revoked also when the registration is
	                                   * no longer yes */
	int event_cancelled;
	char created_at[21], revoked_at[21];   /* revoked_at "" while valid */
	char code[TN_TICKETCODE_SIZE];    /* the signed code */
};

/* Frees what t owns and zeroes it. */
void tn_ticket_clear(struct tn_ticket *t);

/*
 * The accepted hook (registration.c runs it inside its transaction when
 * a registration becomes yes): issues the registration's ticket unless
 * it has a valid one, and queues the ticket e-mail to the holder's
 * address (none for a person without one).
 */
tn_code tn_ticket_accepted(struct tn_db *db, int64_t registration_id,
			   struct tn_err *err);

/* The released hook (registration.c runs it when a registration stops
 * being yes): the ticket no longer admits, so its e-mails still queued
 * are not sent. */
tn_code tn_ticket_released(struct tn_db *db, int64_t registration_id,
			   struct tn_err *err);

/*
 * Issues a ticket for every yes registration of the event named event
 * (slug or id) that has no valid one, in one transaction; with send,
 * queues the ticket e-mail of each ticket issued. *issued and *queued
 * (either may be NULL) get the counts. An unknown event is TN_NOTFOUND
 * about "event", a cancelled one TN_CONFLICT.
 */
tn_code tn_ticket_issue(struct tn_db *db, const char *event, int send,
			long long *issued, long long *queued, struct tn_err *err);

/* Calls fn for each ticket of the event named event, by number, revoked
 * ones too, with its code (so the database needs its signing key:
 * TN_NOINIT otherwise). fn returns non-zero to stop. An unknown event is
 * TN_NOTFOUND about "event". */
tn_code tn_ticket_each(struct tn_db *db, const char *event,
		       int (*fn)(void *ctx, const struct tn_ticket *t),
		       void *ctx, struct tn_err *err);

/* Fills *t for ref: a ticket's number or its code (any case; a code
 * that is not valid under this database's key is TN_BADINPUT about
 * "ticket"). An unknown ticket is TN_NOTFOUND about "ticket". */
tn_code tn_ticket_find(struct tn_db *db, const char *ref, struct tn_ticket *t,
		       struct tn_err *err);

/*
 * Revokes the ticket ref (as tn_ticket_find reads it), in one
 * transaction: it stays, revoked, and its seat is released
 * (tn_registration_release: the registration becomes declined and the
 * first waitlisted person gets the seat, a ticket and its e-mail). *t
 * gets the ticket as it now is; *promoted_person_id (may be NULL) the
 * person who moved up (0: nobody). An already revoked ticket is
 * TN_CONFLICT.
 */
tn_code tn_ticket_revoke(struct tn_db *db, const char *ref, struct tn_ticket *t,
			 int64_t *promoted_person_id, struct tn_err *err);

/* What a door scan of a code says. */
enum tn_ticket_verdict {
	TN_TICKET_ADMIT,        /* a valid ticket of the expected event */
	TN_TICKET_INVALID,      /* not a code signed by this database's key,
	                         * or of no ticket here */
	TN_TICKET_WRONG_EVENT,  /* a ticket of another event */
	TN_TICKET_IS_REVOKED,   /* revoked, or its registration no longer yes */
	TN_TICKET_CANCELLED,    /* its event is cancelled */
};

/* "admit", "invalid", "wrong_event", "revoked", "cancelled". */
const char *tn_ticket_verdict_name(enum tn_ticket_verdict v);

/*
 * Checks code for the event event_id_expected (0: any event) and puts
 * the verdict in *verdict; for every verdict but invalid, *t (may be
 * NULL) gets the ticket (caller clears it). Reads only: recording a scan
 * is the door's. Returns TN_OK whatever the verdict; an error only when
 * the check could not be made (no key: TN_NOINIT; the database).
 */
tn_code tn_ticket_check(struct tn_db *db, const char *code,
			int64_t event_id_expected, enum tn_ticket_verdict *verdict,
			struct tn_ticket *t, struct tn_err *err);

/* Personal tokens of the ticket page: TN_TICKET_TOKEN_LEN characters of
 * URL-safe base64 for 144 random bits; only a hash is stored. */
#define TN_TICKET_TOKEN_LEN TN_TOKEN_LEN

/* Makes a new token for the ticket and stores its hash; token gets the
 * text (NUL-terminated). */
tn_code tn_ticket_token_new(struct tn_db *db, int64_t ticket_id,
			    char token[TN_TICKET_TOKEN_LEN + 1], struct tn_err *err);

/* Fills *t for the ticket a page token names (for base-url/t/TOKEN). An
 * unknown token is TN_NOTFOUND about "token", saying nothing more. */
tn_code tn_ticket_by_token(struct tn_db *db, const char *token,
			   struct tn_ticket *t, struct tn_err *err);

/*
 * Writes one PNG per valid ticket of the event named event into the
 * directory dir (ticket-N.png, scale pixels per module: 8 makes a
 * badge-sized image), and tickets.csv, an index: number, code, holder,
 * file. Each file is written atomically. A directory that does not
 * exist or cannot be written is TN_FAIL about "dir" before anything is
 * written. *count gets the number of tickets written.
 */
tn_code tn_ticket_export(struct tn_db *db, const char *event, const char *dir,
			 long long *count, struct tn_err *err);

/* person.c's hooks. Forget: the holder's name on their tickets is
 * erased (the tickets stay, for the counts), and so are their page
 * tokens. Merge (before the registrations merge): gone's tickets of an
 * event keep registered for too move to keep's registration, revoked
 * when keep's already has a valid ticket. */
tn_code tn_ticket_forget(struct tn_db *db, int64_t person_id, struct tn_err *err);
tn_code tn_ticket_merge(struct tn_db *db, int64_t keep, int64_t gone,
			struct tn_err *err);

#endif
