/*
 * registration.h - registrations (RSVP answers): who is coming to which
 * event, how they came (an invitation, a channel's tracking link,
 * directly, at the door) and their place in the waitlist. Owns table
 * registration.
 *
 * Every front end answers through these functions: the CLI's rsvp,
 * register and registration commands, the RSVP and registration pages
 * of the web server. One person has at most one registration per event;
 * answering again changes it. Its status:
 *
 *   yes         has a seat
 *   no, maybe   has none (the invitee's answer)
 *   waitlisted  asked for a seat while the event was full; promoted to
 *               yes, in order of asking, when one frees
 *   pending     asked for a seat of an event that needs approval
 *               (event.approval), until the organizer approves (yes, or
 *               waitlisted when full) or declines
 *   declined    declined by the organizer; the invitee cannot change it
 *
 * The check for a free seat and the write are one write transaction
 * (tn_db_begin: BEGIN IMMEDIATE), so two answers racing for the last
 * seat never both get it. A seat that frees (a yes becoming no or maybe,
 * a declined yes, tn_registration_release) goes to the first waitlisted
 * person in the same transaction.
 */
#ifndef TURNOUT_REGISTRATION_H
#define TURNOUT_REGISTRATION_H

#include <stdint.h>

#include "turnout/db.h"
#include "turnout/err.h"
#include "turnout/event.h"

enum tn_reg_status {
	TN_REG_NONE = 0,      /* no registration (yet) */
	TN_REG_YES,
	TN_REG_NO,
	TN_REG_MAYBE,
	TN_REG_WAITLISTED,
	TN_REG_PENDING,
	TN_REG_DECLINED,
};

/* How a registration came: the stored words are "invitation", "link",
 * "direct" and "walk-in". When a person registers again another way,
 * the source changes only to one that ranks higher in this order
 * (walk-in < direct < link < invitation), the way the reports attribute
 * a registration: the invitation's channel, else the link's. */
enum tn_reg_source {
	TN_SOURCE_WALKIN,
	TN_SOURCE_DIRECT,
	TN_SOURCE_LINK,
	TN_SOURCE_INVITATION,
};

/* "yes", "no", ... ("none" for TN_REG_NONE); static storage. */
const char *tn_registration_status_name(enum tn_reg_status status);
/* "invitation", "link", "direct", "walk-in"; static storage. */
const char *tn_registration_source_name(enum tn_reg_source source);

/* Reads a status word (any case) into *status: any of the six when
 * all_statuses, else only an answer (yes, no, maybe). TN_USAGE about
 * field (the input it came from: "answer", "status"), naming the words
 * in the hint, when it is none of them. */
tn_code tn_registration_status_parse(const char *word, int all_statuses,
				     const char *field,
				     enum tn_reg_status *status,
				     struct tn_err *err);

/* What an answer, a registration, an approval or a release did. */
struct tn_rsvp_result {
	char event[TN_SLUG_MAX + 1];  /* the event's slug */
	int64_t event_id, person_id, registration_id;
	enum tn_reg_status status;    /* now */
	enum tn_reg_status previous;  /* before (TN_REG_NONE: new) */
	int changed;                  /* 0: nothing was written */
	int person_created;           /* tn_register made the person */
	int64_t merged_person_id;     /* the person without an address known
	                               * by the handle given, now part of
	                               * person_id; 0: none */
	int64_t capacity;             /* seats; 0: unlimited */
	int64_t taken;                /* yes answers now */
	int64_t waitlist_pos;         /* status waitlisted: 1 = next in line */
	int64_t promoted;             /* people moved from the waitlist to yes */
	int64_t promoted_person_id;   /* the first of them; 0: none */
};

/*
 * Answers an invitation by its personal RSVP token (the link in its
 * e-mail; tn_invite_token_find): answer is TN_REG_YES, TN_REG_NO or
 * TN_REG_MAYBE (else TN_USAGE about "answer"). A yes becomes waitlisted
 * when the event is full, pending when it needs approval; a yes that
 * becomes no or maybe frees its seat for the first waitlisted person.
 * Answering as before writes nothing (res->changed 0); a waitlisted or
 * pending person who says yes again keeps their place. The
 * registration's source is the invitation, with its channel. An unknown
 * token is TN_NOTFOUND about "token", saying nothing more; a cancelled
 * or started event, or a registration the organizer declined, is
 * TN_CONFLICT. Fills *res.
 */
tn_code tn_rsvp_by_token(struct tn_db *db, const char *token,
			 enum tn_reg_status answer, struct tn_rsvp_result *res,
			 struct tn_err *err);

/*
 * Answers an invitation from a calendar's reply (reply.h): the event is
 * the one with the reply's UID, the invitee its attendee's address
 * (tn_person_resolve); ACCEPTED, TENTATIVE and DECLINED are yes, maybe
 * and no, applied as tn_rsvp_by_token applies them. A reply about an
 * older SEQUENCE than the last reply applied for that registration
 * changes nothing: *stale_after is then that SEQUENCE (else -1). A UID of
 * no event of ours, or an address not invited to it, is TN_NOTFOUND
 * about "reply" and changes nothing.
 */
struct tn_reply;
tn_code tn_rsvp_reply(struct tn_db *db, const struct tn_reply *reply,
		      struct tn_rsvp_result *res, int64_t *stale_after,
		      struct tn_err *err);

/* What the RSVP page shows for a token. */
struct tn_rsvp_view {
	struct tn_event event;        /* owned: tn_rsvp_view_clear */
	char *name;                   /* the invitee's name; NULL if none */
	enum tn_reg_status status;    /* TN_REG_NONE: not answered yet */
	int can_change;               /* 1 while the answer may change: the
	                               * event neither started nor cancelled,
	                               * and the organizer did not decline */
	int64_t taken;                /* yes answers (seats taken) */
	int64_t waitlist_pos;         /* status waitlisted: 1 = next in line */
};

/* Fills *view for the invitation token names (read only). An unknown
 * token is TN_NOTFOUND about "token", as for tn_rsvp_by_token. */
tn_code tn_rsvp_view(struct tn_db *db, const char *token,
		     struct tn_rsvp_view *view, struct tn_err *err);
/* Frees what view owns and zeroes it. */
void tn_rsvp_view_clear(struct tn_rsvp_view *view);

/*
 * Registers the person with address email for the event named event
 * (slug or id) as a yes (waitlisted when full, pending when the event
 * needs approval), with source and the channel named channel (NULL:
 * none). The person is found by address or made (person.h's
 * tn_person_find_or_add; res->person_created); registering again
 * updates the one registration, never adds a second. name is required
 * (it names a new person; a known person without a name takes it). A
 * cancelled event is TN_CONFLICT, and so is a started one except for
 * TN_SOURCE_WALKIN; an unknown event or channel is TN_NOTFOUND about
 * "event" or "channel"; a bad address TN_USAGE about "email"; the
 * address of a forgotten person TN_CONFLICT about "email". All in one
 * transaction: on failure nothing is written. Fills *res.
 */
tn_code tn_register(struct tn_db *db, const char *event, const char *name,
		    const char *email, const char *channel,
		    enum tn_reg_source source, struct tn_rsvp_result *res,
		    struct tn_err *err);

/* The size of a channel kind's name with its NUL (channel.h's kind). */
#define TN_REG_KIND_MAX 16

/* 1 if followers of channels of kind are known there by a handle
 * (telegram, mastodon, vk, twitter), so that a registration may bring
 * one; newsletter, blog and other have none. */
int tn_registration_kind_has_handles(const char *kind);

/*
 * As tn_register, with the registrant's handle on the channel (NULL or
 * blank: none), which links them to a follower known so far by that
 * handle alone. The handle is normalised as the import normalises
 * handles (text.h's tn_handle_normalize: "@olga", "https://t.me/olga"
 * and "olga" are one handle; "https://mastodon.social/@anna" is
 * anna@mastodon.social); one that is none is TN_USAGE about "handle",
 * and so is a handle without a channel or on a channel whose kind has no
 * handles. When a person without an address follows a channel of the
 * same kind under that handle (ASCII case ignored, as the import
 * matches; this channel's row first), they become part of the
 * registrant (person.h's tn_person_merge: their follows, invitations and
 * registrations move over) in the same transaction, and
 * res->merged_person_id names them. A follower with an address is never
 * taken over by a handle, whoever types it: the handle then stays theirs
 * and links nothing. Nothing else is stored: no follower row is made for
 * a handle no follower has.
 */
tn_code tn_register_with_handle(struct tn_db *db, const char *event,
				const char *name, const char *email,
				const char *handle, const char *channel,
				enum tn_reg_source source,
				struct tn_rsvp_result *res, struct tn_err *err);

/* As tn_register through a channel's tracking link (the public page
 * base-url/r/CODE): the event and channel are the code's (link.h), the
 * source TN_SOURCE_LINK. An unknown code is TN_NOTFOUND about "code". */
tn_code tn_register_link(struct tn_db *db, const char *code, const char *name,
			 const char *email, struct tn_rsvp_result *res,
			 struct tn_err *err);

/* tn_register_link with a handle on the link's channel, linked as
 * tn_register_with_handle links it. */
tn_code tn_register_link_with_handle(struct tn_db *db, const char *code,
				     const char *name, const char *email,
				     const char *handle,
				     struct tn_rsvp_result *res,
				     struct tn_err *err);

/* What the public registration page (base-url/r/CODE) shows before
 * anyone registers: the event the code names, into *ev (caller calls
 * tn_event_clear), *open 1 while it takes registrations (neither
 * cancelled nor started; tn_register_link refuses them otherwise), and
 * *handle_kind the link channel's kind when its followers have handles
 * (static storage; NULL: no handles, so the page asks for none). An
 * unknown code is TN_NOTFOUND about "code", as for tn_register_link.
 * Read only. */
tn_code tn_register_link_view(struct tn_db *db, const char *code,
			      struct tn_event *ev, int *open,
			      const char **handle_kind, struct tn_err *err);

/*
 * The organizer's decisions on the registration of the person ref (an
 * id, address or handle, as tn_person_resolve reads it) for event.
 * Approve: pending or declined becomes yes, or waitlisted when the event
 * is full; yes and waitlisted stay (res->changed 0). Decline: pending,
 * waitlisted or yes becomes declined, and a seat freed goes to the first
 * waitlisted person; declined stays. Either is TN_CONFLICT for a no or
 * maybe (they did not ask for a seat) and for a cancelled event;
 * TN_NOTFOUND about "person" when the person has no registration for
 * the event. Fills *res.
 */
tn_code tn_registration_approve(struct tn_db *db, const char *event,
				const char *ref, struct tn_rsvp_result *res,
				struct tn_err *err);
tn_code tn_registration_decline(struct tn_db *db, const char *event,
				const char *ref, struct tn_rsvp_result *res,
				struct tn_err *err);

/*
 * Frees a seat of event event_id and fills the free seats from the
 * waitlist, in order of asking, inside the caller's transaction (or its
 * own). person_id (0: none) gives up their seat: their yes becomes
 * declined (a revoked ticket; nothing changes when they had no yes).
 * With person_id 0 it only fills seats that are free (after the
 * capacity was raised). res->promoted counts the people moved to yes,
 * res->promoted_person_id names the first. res may be NULL.
 */
tn_code tn_registration_release(struct tn_db *db, int64_t event_id,
				int64_t person_id, struct tn_rsvp_result *res,
				struct tn_err *err);

/*
 * The door's registration of a walk-in (door.c's tn_walkin), in the
 * caller's transaction: person_id gets a seat now at ev - no approval
 * and no waitlist, as the door staff decide - with source walk-in and
 * the channel channel_id (0: none), or keeps the yes they have (their
 * source stays: it ranks higher). A full event, a cancelled one and a
 * registration the organizer declined are TN_CONFLICT. Fills *res.
 */
tn_code tn_registration_walkin(struct tn_db *db, const struct tn_event *ev,
			       int64_t person_id, int64_t channel_id,
			       struct tn_rsvp_result *res, struct tn_err *err);

/* One registration as listed; strings borrowed during the callback,
 * NULL when unknown (a forgotten person's name and email). */
struct tn_registration_row {
	int64_t id, person_id;
	const char *name, *email;
	enum tn_reg_status status;
	enum tn_reg_source source;
	const char *channel;          /* the source channel's name; NULL: none */
	int64_t waitlist_pos;         /* status waitlisted: 1 = next in line */
	const char *created_at, *updated_at;
};

/* Calls fn for each registration of the event named event, in the
 * order they were made (waitlisted ones, with status TN_REG_WAITLISTED,
 * in waitlist order), only those of status when it is not TN_REG_NONE.
 * fn returns non-zero to stop. An unknown event is TN_NOTFOUND. */
tn_code tn_registration_each(struct tn_db *db, const char *event,
			     enum tn_reg_status status,
			     int (*fn)(void *ctx, const struct tn_registration_row *row),
			     void *ctx, struct tn_err *err);

/* 1 if the person answered no for the event: invite.c sends them no
 * updates (a cancellation still goes). */
int tn_registration_answered_no(struct tn_db *db, int64_t event_id,
				  int64_t person_id);

/* Forgetting and merging people (person.c's hooks). A registration
 * holds no personal data beyond its person: forget keeps the rows for
 * the counts, and withdraws a pending or waitlisted request (it becomes
 * no), since the person can no longer be told of a seat. Merge moves
 * gone's registrations to keep; for an event both registered for, the
 * stronger status stays (yes, waitlisted, pending, declined, maybe, no)
 * with the higher-ranking source, and a seat that frees is filled from
 * the waitlist. */
tn_code tn_registration_forget(struct tn_db *db, int64_t person_id,
			       struct tn_err *err);
tn_code tn_registration_merge(struct tn_db *db, int64_t keep, int64_t gone,
			      struct tn_err *err);

#endif
