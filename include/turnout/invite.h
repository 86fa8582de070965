/*
 * invite.h - invitations: who is invited to which event, through which
 * channel, and the personal tokens their messages carry. Owns tables
 * invitation and invitation_token.
 *
 * Inviting queues one message per invitee in the outbox (outbox.h); the
 * message itself is made when it is sent. A visible change of an event
 * (event.c calls tn_invite_event_changed inside its own transaction)
 * queues an update or a cancellation for everyone invited.
 */
#ifndef TURNOUT_INVITE_H
#define TURNOUT_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/token.h"

struct tn_event;

/* Who to invite (every filter optional; all given ones apply). */
struct tn_invite_opts {
	const char *const *channels;   /* names; the first one followed is the source */
	size_t nchannels;
	const char *region;            /* follower region, case- and accent-insensitive */
	const char *const *emails;     /* exactly these people, by address */
	size_t nemails;
	long long limit;               /* at most this many invitations; 0: all */
	int dry_run;                   /* count and list, change nothing */
};

/* One invitee, as tn_invite_people reports them. Borrowed during the
 * callback only. channel is NULL for a direct invitation. */
struct tn_invitee {
	int64_t person_id;
	const char *email, *name, *channel;
};

struct tn_invite_result {
	long long queued;          /* invitations queued (or, dry run, would be) */
	long long no_email;        /* matching people without an address */
	long long already;         /* already invited to this event */
	long long unsubscribed;    /* asked not to be written to */
};

/*
 * Invites the people matching opts to the event named event: one
 * invitation per person with an address who is not invited yet, has not
 * unsubscribed and is not forgotten, with its source channel, and one
 * queued message each, all in one transaction. fn (may be NULL) is called
 * for each invitee in order (and with dry_run is how the caller lists
 * them). A cancelled or past event is TN_CONFLICT; an unknown event,
 * channel or address TN_NOTFOUND / TN_USAGE naming it; nothing is
 * written then.
 */
tn_code tn_invite_people(struct tn_db *db, const char *event,
			 const struct tn_invite_opts *opts,
			 int (*fn)(void *ctx, const struct tn_invitee *who), void *ctx,
			 struct tn_invite_result *res, struct tn_err *err);

/* What changed in an event, for tn_invite_event_changed. */
enum tn_event_change {
	TN_EVENT_UPDATED,     /* something invitees see in their calendar */
	TN_EVENT_CANCELLED,
};

/* Called by event.c inside the transaction that changed ev (already
 * holding the new values and sequence): queues an update (or a
 * cancellation) for every invitee who has not declined; a message of the
 * same invitation still waiting in the outbox is replaced. *queued gets
 * the number of messages queued. */
tn_code tn_invite_event_changed(struct tn_db *db, const struct tn_event *ev,
				enum tn_event_change change, long long *queued,
				struct tn_err *err);

/* 1 if anyone was ever invited to the event (its slug is then in links
 * people hold). */
int tn_invite_event_has_invitations(struct tn_db *db, int64_t event_id);

/* Personal tokens: TN_INVITE_TOKEN_LEN characters of URL-safe base64 for
 * 144 random bits; only a hash is stored. */
#define TN_INVITE_TOKEN_LEN TN_TOKEN_LEN
enum tn_token_kind { TN_TOKEN_RSVP, TN_TOKEN_UNSUBSCRIBE };

/* Makes a new token of kind for the invitation and stores its hash;
 * token gets the text (NUL-terminated). */
tn_code tn_invite_token_new(struct tn_db *db, int64_t invitation_id,
			    enum tn_token_kind kind,
			    char token[TN_INVITE_TOKEN_LEN + 1], struct tn_err *err);

/* The invitation a token names: TN_NOTFOUND when it names none (of that
 * kind). */
tn_code tn_invite_token_find(struct tn_db *db, const char *token,
			     enum tn_token_kind kind, int64_t *invitation_id,
			     struct tn_err *err);

/* The person an invitation is for (*person_id) and their address (*email,
 * malloc'd, caller frees; NULL once the person is forgotten). TN_NOTFOUND
 * for an unknown invitation. */
tn_code tn_invite_person(struct tn_db *db, int64_t invitation_id,
			 int64_t *person_id, char **email, struct tn_err *err);

/* Forgetting and merging people (person.c's hooks). Forget deletes the
 * person's queued messages and tokens and erases the bodies and
 * addresses of sent ones; the invitation rows stay, anonymous, for the
 * counts. Merge moves gone's invitations to keep (dropping those of
 * events keep is already invited to). */
tn_code tn_invite_forget(struct tn_db *db, int64_t person_id, struct tn_err *err);
tn_code tn_invite_merge(struct tn_db *db, int64_t keep, int64_t gone,
			struct tn_err *err);

#endif
