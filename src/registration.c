/*
 * registration.c - registrations (registration.h): RSVP answers by
 * token, registering directly or through a tracking link, the
 * organizer's approvals, capacity and the waitlist. Owns table
 * registration.
 *
 * People are found and made by person.c, events read through event.c,
 * tokens and tracking links checked by invite.c and link.c. A handle
 * given with a registration makes the follower known only by it part
 * of the registrant through person.c (tn_person_find_handle_no_email,
 * tn_person_merge), as the import does for a row with an address and a
 * handle. The
 * invitation a token names, and the names shown in listings, are read
 * here with joins (never written). Every step that may give a seat
 * runs in one write transaction: counting the seats taken and writing
 * the answer cannot interleave with another process doing the same.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "turnout/channel.h"
#include "turnout/event.h"
#include "turnout/invite.h"
#include "turnout/link.h"
#include "turnout/person.h"
#include "turnout/registration.h"
#include "turnout/reply.h"
#include "turnout/store.h"
#include "turnout/text.h"
#include "turnout/ticket.h"

static const char *const status_names[] = {
	[TN_REG_NONE] = "none", [TN_REG_YES] = "yes", [TN_REG_NO] = "no",
	[TN_REG_MAYBE] = "maybe", [TN_REG_WAITLISTED] = "waitlisted",
	[TN_REG_PENDING] = "pending", [TN_REG_DECLINED] = "declined",
};
#define NSTATUS ((int)(sizeof(status_names) / sizeof(status_names[0])))

static const char *const source_names[] = {
	[TN_SOURCE_WALKIN] = "walk-in", [TN_SOURCE_DIRECT] = "direct",
	[TN_SOURCE_LINK] = "link", [TN_SOURCE_INVITATION] = "invitation",
};
#define NSOURCE ((int)(sizeof(source_names) / sizeof(source_names[0])))

/*
 * Called inside the transaction whenever a registration becomes yes: a
 * new yes, an approval, a promotion from the waitlist. This is where the
 * ticket module issues the ticket and queues its e-mail.
 */
static tn_code (*const accepted_hooks[])(struct tn_db *, int64_t registration_id,
					 struct tn_err *) = {
	tn_ticket_accepted,
	NULL,
};

/* Called inside the transaction whenever a registration stops being yes
 * (a no or maybe, a decline, a revoked ticket): the ticket module stops
 * the ticket e-mail that would still go out. */
static tn_code (*const released_hooks[])(struct tn_db *, int64_t registration_id,
					 struct tn_err *) = {
	tn_ticket_released,
	NULL,
};

const char *tn_registration_status_name(enum tn_reg_status status)
{
	return (int)status >= 0 && (int)status < NSTATUS ? status_names[status] : "none";
}

const char *tn_registration_source_name(enum tn_reg_source source)
{
	return (int)source >= 0 && (int)source < NSOURCE ? source_names[source] : "direct";
}

static enum tn_reg_status status_of(const char *word)
{
	int i;

	for (i = 1; word && i < NSTATUS; i++)
		if (strcmp(word, status_names[i]) == 0)
			return (enum tn_reg_status)i;
	return TN_REG_NONE;
}

static enum tn_reg_source source_of(const char *word)
{
	int i;

	for (i = 0; word && i < NSOURCE; i++)
		if (strcmp(word, source_names[i]) == 0)
			return (enum tn_reg_source)i;
	return TN_SOURCE_DIRECT;
}

tn_code tn_registration_status_parse(const char *word, int all_statuses,
				     const char *field,
				     enum tn_reg_status *status,
				     struct tn_err *err)
{
	int i, last = all_statuses ? NSTATUS - 1 : TN_REG_MAYBE;

	for (i = 1; word && i <= last; i++)
		if (strcasecmp(word, status_names[i]) == 0) {
			*status = (enum tn_reg_status)i;
			return TN_OK;
		}
	tn_err_field(err, TN_USAGE, field, "'%s': not %s", word ? word : "",
		     all_statuses ? "a registration status" : "an answer");
	tn_err_hint(err, all_statuses ? "one of yes, no, maybe, waitlisted, pending, "
		    "declined" : "yes, no or maybe");
	return TN_USAGE;
}

/* ---- reading and writing one registration -------------------------------- */

struct reg {
	int found;
	int64_t id;
	enum tn_reg_status status;
	enum tn_reg_source source;
	int64_t channel_id;     /* 0: none */
};

static tn_code reg_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct reg *r = ctx;

	(void)err;
	r->found = 1;
	r->id = sqlite3_column_int64(row, 0);
	r->status = status_of(tn_db_text(row, 1));
	r->source = source_of(tn_db_text(row, 2));
	r->channel_id = sqlite3_column_int64(row, 3);
	return TN_OK;
}

static tn_code load_reg(struct tn_db *db, int64_t event_id, int64_t person_id,
			struct reg *r, struct tn_err *err)
{
	tn_code rc;

	memset(r, 0, sizeof(*r));
	rc = tn_db_one(db, err, reg_row, r, "SELECT id, status, source, channel_id"
		       " FROM registration WHERE event_id = ?1 AND person_id = ?2",
		       TN_I(event_id), TN_I(person_id));
	return rc == TN_NOTFOUND ? TN_OK : rc;
}

static tn_code count_taken(struct tn_db *db, int64_t event_id, int64_t *taken,
			   struct tn_err *err)
{
	return tn_db_int(db, err, taken, "SELECT count(*) FROM registration"
			 " WHERE event_id = ?1 AND status = 'yes'", TN_I(event_id));
}

/* What a request for a seat gets now: yes while one is free, else a
 * place in the waitlist. */
static tn_code seat_or_wait(struct tn_db *db, const struct tn_event *ev,
			    enum tn_reg_status *status, struct tn_err *err)
{
	int64_t taken = 0;
	tn_code rc = TN_OK;

	if (ev->capacity > 0)
		rc = count_taken(db, ev->id, &taken, err);
	*status = ev->capacity > 0 && taken >= ev->capacity ? TN_REG_WAITLISTED
							    : TN_REG_YES;
	return rc;
}

static tn_code run_hooks(tn_code (*const *hooks)(struct tn_db *, int64_t, struct tn_err *),
			struct tn_db *db, int64_t registration_id, struct tn_err *err)
{
	tn_code rc = TN_OK;
	size_t i;

	for (i = 0; rc == TN_OK && hooks[i]; i++)
		rc = hooks[i](db, registration_id, err);
	return rc;
}

/* Gives the free seats of ev to the waitlist, first asked first. */
static tn_code promote(struct tn_db *db, const struct tn_event *ev,
		       struct tn_rsvp_result *res, struct tn_err *err)
{
	int64_t id, person_id, taken = 0;
	char now[21];
	tn_code rc = TN_OK;

	if (ev->cancelled)
		return TN_OK;
	tn_now_utc(now);
	for (;;) {
		if (ev->capacity > 0) {
			if ((rc = count_taken(db, ev->id, &taken, err)) != TN_OK)
				return rc;
			if (taken >= ev->capacity)
				return TN_OK;
		}
		rc = tn_db_int(db, err, &id, "SELECT id FROM registration WHERE"
			       " event_id = ?1 AND status = 'waitlisted'"
			       " ORDER BY asked_seq, id LIMIT 1", TN_I(ev->id));
		if (rc == TN_NOTFOUND)
			return TN_OK;
		if (rc == TN_OK)
			rc = tn_db_run(db, err, "UPDATE registration SET status = 'yes',"
				       " asked_seq = NULL, updated_at = ?2 WHERE id = ?1",
				       TN_I(id), TN_T(now));
		if (rc == TN_OK)
			rc = tn_db_int(db, err, &person_id, "SELECT person_id FROM"
				       " registration WHERE id = ?1", TN_I(id));
		if (rc == TN_OK)
			rc = run_hooks(accepted_hooks, db, id, err);
		if (rc != TN_OK)
			return rc;
		if (!res->promoted++)
			res->promoted_person_id = person_id;
	}
}

/* 1 for the statuses that hold a place in the queue of asking. */
static int asking(enum tn_reg_status s)
{
	return s == TN_REG_WAITLISTED || s == TN_REG_PENDING;
}

/*
 * Writes status (and, when it ranks higher than the stored one, source
 * with its channel) for person at ev, creating the registration when r
 * has none; a new request for a seat goes to the end of the queue. Then
 * what follows from it: the accepted hooks for a new yes, the waitlist
 * for a seat given up. Fills res; writes nothing when nothing changes.
 */
static tn_code set_status(struct tn_db *db, const struct tn_event *ev,
			  int64_t person_id, struct reg *r,
			  enum tn_reg_status status, enum tn_reg_source source,
			  int64_t channel_id, struct tn_rsvp_result *res,
			  struct tn_err *err)
{
	int upgrade = !r->found || source > r->source;
	char now[21];
	tn_code rc = TN_OK;

	res->previous = r->found ? r->status : TN_REG_NONE;
	res->status = status;
	tn_now_utc(now);
	if (!r->found) {
		rc = tn_db_run(db, err, "INSERT INTO registration(event_id, person_id,"
			       " status, source, channel_id, asked_seq, created_at,"
			       " updated_at) VALUES(?1, ?2, ?3, ?4, nullif(?5, 0),"
			       " CASE WHEN ?6 THEN (SELECT coalesce(max(asked_seq), 0) + 1"
			       "  FROM registration WHERE event_id = ?1) END, ?7, ?7)",
			       TN_I(ev->id), TN_I(person_id), TN_T(status_names[status]),
			       TN_T(source_names[source]), TN_I(channel_id),
			       TN_I(asking(status)), TN_T(now));
		r->id = tn_db_last_id(db);
		r->found = rc == TN_OK;
	} else if (status != r->status || upgrade) {
		/* asked_seq: kept while still asking, new when asking anew */
		rc = tn_db_run(db, err, "UPDATE registration SET status = ?2,"
			       " source = CASE WHEN ?3 THEN ?4 ELSE source END,"
			       " channel_id = CASE WHEN ?3 THEN nullif(?5, 0) ELSE channel_id END,"
			       " asked_seq = CASE WHEN NOT ?6 THEN NULL WHEN ?7 THEN asked_seq"
			       "  ELSE (SELECT coalesce(max(asked_seq), 0) + 1 FROM registration"
			       "  WHERE event_id = ?8) END,"
			       " updated_at = ?9 WHERE id = ?1",
			       TN_I(r->id), TN_T(status_names[status]), TN_I(upgrade),
			       TN_T(source_names[source]), TN_I(channel_id),
			       TN_I(asking(status)), TN_I(asking(r->status)), TN_I(ev->id),
			       TN_T(now));
	} else {
		return TN_OK;
	}
	if (rc != TN_OK)
		return rc;
	res->changed = 1;
	if (status == TN_REG_YES && res->previous != TN_REG_YES)
		rc = run_hooks(accepted_hooks, db, r->id, err);
	if (rc == TN_OK && res->previous == TN_REG_YES && status != TN_REG_YES)
		rc = run_hooks(released_hooks, db, r->id, err);
	if (rc == TN_OK && res->previous == TN_REG_YES && status != TN_REG_YES)
		rc = promote(db, ev, res, err);
	r->status = status;
	if (upgrade) {
		r->source = source;
		r->channel_id = channel_id;
	}
	return rc;
}

/* Fills the rest of res from the database as it now is. */
static tn_code finish(struct tn_db *db, const struct tn_event *ev,
		      int64_t person_id, const struct reg *r,
		      struct tn_rsvp_result *res, struct tn_err *err)
{
	tn_code rc;

	snprintf(res->event, sizeof(res->event), "%s", ev->slug);
	res->event_id = ev->id;
	res->person_id = person_id;
	res->registration_id = r->id;
	res->status = r->status;
	res->capacity = ev->capacity;
	rc = count_taken(db, ev->id, &res->taken, err);
	if (rc == TN_OK && r->status == TN_REG_WAITLISTED)
		rc = tn_db_int(db, err, &res->waitlist_pos, "SELECT count(*) FROM"
			       " registration w, registration me WHERE me.id = ?1"
			       " AND w.event_id = me.event_id AND w.status = 'waitlisted'"
			       " AND (w.asked_seq < me.asked_seq OR (w.asked_seq ="
			       " me.asked_seq AND w.id <= me.id))", TN_I(r->id));
	return rc;
}

/* The event may take answers: not cancelled, and (unless at the door)
 * not started. */
static tn_code check_open(const struct tn_event *ev, int at_door,
			  struct tn_err *err)
{
	char now[21];

	if (ev->cancelled)
		return tn_err_set(err, TN_CONFLICT, "event '%s': cancelled; it takes "
				  "no answers", ev->slug);
	tn_now_utc(now);
	if (!at_door && strcmp(ev->start_utc, now) <= 0)
		return tn_err_set(err, TN_CONFLICT, "event '%s': started %s (UTC); "
				  "answers can no longer change", ev->slug, ev->start_utc);
	return TN_OK;
}

static tn_code declined_by_organizer(const struct tn_event *ev,
				     struct tn_err *err)
{
	return tn_err_set(err, TN_CONFLICT, "event '%s': the organizer declined "
			  "this registration; it cannot be changed", ev->slug);
}

/* An answer of the person (yes, no, maybe), in the caller's transaction. */
static tn_code answer(struct tn_db *db, const struct tn_event *ev,
		      int64_t person_id, enum tn_reg_status want,
		      enum tn_reg_source source, int64_t channel_id,
		      struct tn_rsvp_result *res, struct tn_err *err)
{
	enum tn_reg_status status = want;
	struct reg r;
	tn_code rc;

	if ((rc = load_reg(db, ev->id, person_id, &r, err)) != TN_OK)
		return rc;
	if (r.found && r.status == TN_REG_DECLINED)
		return declined_by_organizer(ev, err);
	if (want == TN_REG_YES) {
		if (r.found && (r.status == TN_REG_YES || asking(r.status)))
			status = r.status;       /* has a seat, or keeps their place */
		else if (ev->approval)
			status = TN_REG_PENDING;
		else if ((rc = seat_or_wait(db, ev, &status, err)) != TN_OK)
			return rc;
	}
	rc = set_status(db, ev, person_id, &r, status, source, channel_id, res, err);
	if (rc == TN_OK)
		rc = finish(db, ev, person_id, &r, res, err);
	return rc;
}

tn_code tn_registration_walkin(struct tn_db *db, const struct tn_event *ev,
			       int64_t person_id, int64_t channel_id,
			       struct tn_rsvp_result *res, struct tn_err *err)
{
	enum tn_reg_status status = TN_REG_YES;
	struct reg r;
	tn_code rc;

	memset(res, 0, sizeof(*res));
	if ((rc = check_open(ev, 1, err)) != TN_OK)
		return tn_err_about(err, rc, "event");
	if ((rc = load_reg(db, ev->id, person_id, &r, err)) != TN_OK)
		return rc;
	if (r.found && r.status == TN_REG_DECLINED)
		return declined_by_organizer(ev, err);
	/* the door staff decide: no approval, no queue - only the seats */
	if (!(r.found && r.status == TN_REG_YES) &&
	    (rc = seat_or_wait(db, ev, &status, err)) != TN_OK)
		return rc;
	if (status != TN_REG_YES)
		return tn_err_field(err, TN_CONFLICT, "event", "event '%s': full "
				    "(%" PRId64 " seats taken); the door admits only "
				    "as many as there are seats", ev->slug, ev->capacity);
	rc = set_status(db, ev, person_id, &r, TN_REG_YES, TN_SOURCE_WALKIN,
			channel_id, res, err);
	if (rc == TN_OK)
		rc = finish(db, ev, person_id, &r, res, err);
	return rc;
}

static tn_code find_event_id(struct tn_db *db, int64_t id, struct tn_event *ev,
			     struct tn_err *err)
{
	char name[24];

	snprintf(name, sizeof(name), "%" PRId64, id);
	return tn_event_find(db, name, ev, err);
}

/* ---- answering by token ------------------------------------------------ */

struct invitation {
	int64_t event_id, person_id, channel_id;
};

static tn_code invitation_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct invitation *i = ctx;

	(void)err;
	i->event_id = sqlite3_column_int64(row, 0);
	i->person_id = sqlite3_column_int64(row, 1);
	i->channel_id = sqlite3_column_int64(row, 2);
	return TN_OK;
}

/* The invitation and event of an RSVP token; an unknown token says
 * nothing but that. */
static tn_code token_invitation(struct tn_db *db, const char *token,
				struct invitation *inv, struct tn_event *ev,
				struct tn_err *err)
{
	int64_t id;
	tn_code rc;

	rc = tn_invite_token_find(db, token ? token : "", TN_TOKEN_RSVP, &id, err);
	if (rc == TN_OK)
		rc = tn_db_one(db, err, invitation_row, inv, "SELECT event_id,"
			       " person_id, channel_id FROM invitation WHERE id = ?1",
			       TN_I(id));
	if (rc == TN_NOTFOUND)
		return tn_err_field(err, TN_NOTFOUND, "token", "no such invitation link");
	if (rc == TN_OK)
		rc = find_event_id(db, inv->event_id, ev, err);
	return rc;
}

tn_code tn_rsvp_by_token(struct tn_db *db, const char *token,
			 enum tn_reg_status ans, struct tn_rsvp_result *res,
			 struct tn_err *err)
{
	struct invitation inv;
	struct tn_event ev;
	tn_code rc;

	memset(res, 0, sizeof(*res));
	memset(&ev, 0, sizeof(ev));
	if (ans != TN_REG_YES && ans != TN_REG_NO && ans != TN_REG_MAYBE)
		return tn_err_field(err, TN_USAGE, "answer", "'%s': not an answer",
				    tn_registration_status_name(ans));
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = token_invitation(db, token, &inv, &ev, err);
	if (rc == TN_OK)
		rc = check_open(&ev, 0, err);
	if (rc == TN_OK)
		rc = answer(db, &ev, inv.person_id, ans, TN_SOURCE_INVITATION,
			    inv.channel_id, res, err);
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		memset(res, 0, sizeof(*res));
	tn_event_clear(&ev);
	return rc;
}

struct name_copy {
	char *name;
	int nomem;
};

static int first_name(void *ctx, const struct tn_follow_row *row)
{
	struct name_copy *n = ctx;

	if (row->name && !(n->name = strdup(row->name)))
		n->nomem = 1;
	return 1;
}

tn_code tn_rsvp_view(struct tn_db *db, const char *token,
		     struct tn_rsvp_view *view, struct tn_err *err)
{
	struct name_copy name = { NULL, 0 };
	struct invitation inv;
	struct reg r;
	char now[21];
	tn_code rc;

	memset(view, 0, sizeof(*view));
	rc = token_invitation(db, token, &inv, &view->event, err);
	if (rc == TN_OK)
		rc = tn_person_each(db, inv.person_id, first_name, &name, err);
	view->name = name.name;
	if (rc == TN_OK && name.nomem)
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	if (rc == TN_OK)
		rc = load_reg(db, inv.event_id, inv.person_id, &r, err);
	if (rc == TN_OK) {
		struct tn_rsvp_result res;

		memset(&res, 0, sizeof(res));
		view->status = r.found ? r.status : TN_REG_NONE;
		tn_now_utc(now);
		view->can_change = !view->event.cancelled &&
			strcmp(view->event.start_utc, now) > 0 &&
			view->status != TN_REG_DECLINED;
		rc = finish(db, &view->event, inv.person_id, &r, &res, err);
		view->taken = res.taken;
		view->waitlist_pos = res.waitlist_pos;
	}
	if (rc != TN_OK)
		tn_rsvp_view_clear(view);
	return rc;
}

void tn_rsvp_view_clear(struct tn_rsvp_view *view)
{
	tn_event_clear(&view->event);
	free(view->name);
	memset(view, 0, sizeof(*view));
}

/* ---- registering -------------------------------------------------------- */

static int blank(const char *s)
{
	if (!s)
		return 1;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

/* The kinds whose followers are known there by a handle, in the order
 * of channel.c's kinds. */
static const char *const handle_kinds[] = { "telegram", "mastodon", "vk", "twitter" };

_Static_assert(sizeof(((struct tn_channel *)0)->kind) == TN_REG_KIND_MAX,
	       "TN_REG_KIND_MAX is the size of a channel's kind");

/* kind as handle_kinds holds it (static storage), or NULL when its
 * followers have no handles. */
static const char *kind_with_handles(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < sizeof(handle_kinds) / sizeof(handle_kinds[0]); i++)
		if (strcmp(kind, handle_kinds[i]) == 0)
			return handle_kinds[i];
	return NULL;
}

int tn_registration_kind_has_handles(const char *kind)
{
	return kind_with_handles(kind) != NULL;
}

/* Who registers: the name and address as given, and the handle they
 * gave, normalised as the import normalises handles (empty: none). */
struct who {
	const char *name, *email;
	struct tn_buf handle;
};

/* Checks the name, the address and the handle before anything is
 * looked up, normalising the handle into who->handle (the caller frees
 * it). A handle that is none is TN_USAGE about "handle", quoting it. */
static tn_code check_who(struct who *who, const char *handle, struct tn_err *err)
{
	tn_code rc;

	if (blank(who->name))
		return tn_err_field(err, TN_USAGE, "name", "required: who is coming?");
	if (blank(who->email))
		return tn_err_field(err, TN_USAGE, "email", "required: where to "
				    "write to them?");
	if (blank(handle))
		return TN_OK;
	rc = tn_handle_normalize(handle, strlen(handle), &who->handle, err);
	if (rc == TN_BADINPUT) {
		rc = tn_err_prefix(err, TN_USAGE, "'%s'", handle);
		tn_err_hint(err, "a name such as olga_iv or anna@mastodon.social, "
			    "or the address of the profile");
	}
	if (rc != TN_OK)
		tn_err_about(err, rc, "handle");
	return rc;
}

/* A handle needs a channel whose followers have handles: its kind says
 * whose handle it is. kind is the channel's (NULL: no channel); channel
 * its name for the message (NULL: the tracking link's). */
static tn_code check_handle_kind(const struct who *who, const char *channel,
				 const char *kind, struct tn_err *err)
{
	if (!who->handle.len || kind_with_handles(kind))
		return TN_OK;
	if (!kind) {
		tn_err_field(err, TN_USAGE, "handle", "a handle needs the channel "
			     "it is used on");
		tn_err_hint(err, "give {channel}");
		return TN_USAGE;
	}
	if (!channel)
		return tn_err_field(err, TN_USAGE, "handle", "the link's channel is a"
				    " %s: its followers have no handles", kind);
	return tn_err_field(err, TN_USAGE, "handle", "channel '%s' is a %s: its"
			    " followers have no handles", channel, kind);
}

/*
 * The registrant person_id brought a handle on a channel of kind: the
 * person without an address known by that handle on a channel of the
 * same kind is the same human, and becomes part of the registrant
 * (tn_person_merge, as the import does for a row with both), so the
 * channel counts them once and the registration reaches their follows.
 * A person with another address is never taken over by a handle.
 * res->merged_person_id names who was merged (0: no one).
 */
static tn_code link_handle(struct tn_db *db, const struct who *who,
			   const char *kind, int64_t channel_id,
			   int64_t person_id, struct tn_rsvp_result *res,
			   struct tn_err *err)
{
	int64_t other;
	tn_code rc;

	rc = tn_person_find_handle_no_email(db, kind, who->handle.data, channel_id,
					    &other, err);
	if (rc == TN_NOTFOUND)
		return TN_OK;
	if (rc == TN_OK)
		rc = tn_person_merge(db, person_id, other, err);
	if (rc == TN_OK)
		res->merged_person_id = other;
	return rc;
}

/* tn_register's work, in the caller's transaction, for the event ev
 * (already found) and a channel id (0: none) of kind (NULL: none). */
static tn_code register_person(struct tn_db *db, const struct tn_event *ev,
			       const struct who *who, int64_t channel_id,
			       const char *kind, enum tn_reg_source source,
			       struct tn_rsvp_result *res, struct tn_err *err)
{
	int64_t person_id;
	tn_code rc;

	if ((rc = check_open(ev, source == TN_SOURCE_WALKIN, err)) != TN_OK)
		return rc;
	rc = tn_person_find_or_add(db, who->email, who->name, &person_id,
				   &res->person_created, err);
	if (rc == TN_OK && who->handle.len)
		rc = link_handle(db, who, kind, channel_id, person_id, res, err);
	if (rc == TN_OK)
		rc = answer(db, ev, person_id, TN_REG_YES, source, channel_id, res, err);
	return rc;
}

tn_code tn_register_with_handle(struct tn_db *db, const char *event,
				const char *name, const char *email,
				const char *handle, const char *channel,
				enum tn_reg_source source,
				struct tn_rsvp_result *res, struct tn_err *err)
{
	struct who who = { name, email, TN_BUF_INIT };
	struct tn_channel ch;
	struct tn_event ev;
	int64_t channel_id = 0;
	tn_code rc;

	memset(res, 0, sizeof(*res));
	memset(&ev, 0, sizeof(ev));
	memset(&ch, 0, sizeof(ch));
	if ((int)source < 0 || (int)source >= NSOURCE)
		return tn_err_field(err, TN_USAGE, "source", "not a source");
	if ((rc = check_who(&who, handle, err)) != TN_OK)
		goto out;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		goto out;
	if ((rc = tn_event_find(db, event, &ev, err)) != TN_OK)
		tn_err_about(err, rc, "event");
	if (rc == TN_OK && channel) {
		if ((rc = tn_channel_find(db, channel, &ch, err)) == TN_OK)
			channel_id = ch.id;
		else
			tn_err_about(err, rc, "channel");
	}
	if (rc == TN_OK)
		rc = check_handle_kind(&who, channel, channel ? ch.kind : NULL, err);
	if (rc == TN_OK)
		rc = register_person(db, &ev, &who, channel_id, ch.kind, source, res,
				     err);
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		memset(res, 0, sizeof(*res));
	tn_channel_clear(&ch);
	tn_event_clear(&ev);
out:
	tn_buf_free(&who.handle);
	return rc;
}

tn_code tn_register(struct tn_db *db, const char *event, const char *name,
		    const char *email, const char *channel,
		    enum tn_reg_source source, struct tn_rsvp_result *res,
		    struct tn_err *err)
{
	return tn_register_with_handle(db, event, name, email, NULL, channel, source,
				       res, err);
}

static tn_code kind_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	char *kind = ctx;
	const char *k = tn_db_text(row, 0);

	(void)err;
	snprintf(kind, TN_REG_KIND_MAX, "%s", k ? k : "");
	return TN_OK;
}

/* The event and channel of a tracking link's code, and the channel's
 * kind into kind (TN_REG_KIND_MAX bytes). An unknown code is
 * TN_NOTFOUND about "code". */
static tn_code find_link(struct tn_db *db, const char *code, int64_t *event_id,
			 int64_t *channel_id, char *kind, struct tn_err *err)
{
	tn_code rc;

	rc = tn_link_find(db, code ? code : "", event_id, channel_id, err);
	if (rc == TN_NOTFOUND)
		return tn_err_field(err, TN_NOTFOUND, "code", "no such registration link");
	if (rc == TN_OK)
		rc = tn_db_one(db, err, kind_row, kind, "SELECT kind FROM channel"
			       " WHERE id = ?1", TN_I(*channel_id));
	return rc;
}

tn_code tn_register_link_with_handle(struct tn_db *db, const char *code,
				     const char *name, const char *email,
				     const char *handle,
				     struct tn_rsvp_result *res,
				     struct tn_err *err)
{
	struct who who = { name, email, TN_BUF_INIT };
	struct tn_event ev;
	int64_t event_id, channel_id;
	char kind[TN_REG_KIND_MAX];
	tn_code rc;

	memset(res, 0, sizeof(*res));
	memset(&ev, 0, sizeof(ev));
	if ((rc = check_who(&who, handle, err)) != TN_OK)
		goto out;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		goto out;
	rc = find_link(db, code, &event_id, &channel_id, kind, err);
	if (rc == TN_OK)
		rc = find_event_id(db, event_id, &ev, err);
	if (rc == TN_OK)
		rc = check_handle_kind(&who, NULL, kind, err);
	if (rc == TN_OK)
		rc = register_person(db, &ev, &who, channel_id, kind, TN_SOURCE_LINK,
				     res, err);
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		memset(res, 0, sizeof(*res));
	tn_event_clear(&ev);
out:
	tn_buf_free(&who.handle);
	return rc;
}

tn_code tn_register_link(struct tn_db *db, const char *code, const char *name,
			 const char *email, struct tn_rsvp_result *res,
			 struct tn_err *err)
{
	return tn_register_link_with_handle(db, code, name, email, NULL, res, err);
}

tn_code tn_register_link_view(struct tn_db *db, const char *code,
			      struct tn_event *ev, int *open,
			      const char **handle_kind, struct tn_err *err)
{
	struct tn_err closed = TN_ERR_INIT;
	int64_t event_id, channel_id;
	char kind[TN_REG_KIND_MAX];
	tn_code rc;

	memset(ev, 0, sizeof(*ev));
	*open = 0;
	*handle_kind = NULL;
	rc = find_link(db, code, &event_id, &channel_id, kind, err);
	if (rc == TN_OK)
		rc = find_event_id(db, event_id, ev, err);
	if (rc == TN_OK)   /* the rule tn_register_link applies */
		*open = check_open(ev, 0, &closed) == TN_OK;
	else
		tn_event_clear(ev);
	if (rc == TN_OK)
		*handle_kind = kind_with_handles(kind);
	return rc;
}

/* ---- the organizer's decisions ------------------------------------------ */

enum decision { APPROVE, DECLINE };

static tn_code decide(struct tn_db *db, const struct tn_event *ev,
		      int64_t person_id, const char *ref, enum decision d,
		      struct tn_rsvp_result *res, struct tn_err *err)
{
	enum tn_reg_status status;
	struct reg r;
	tn_code rc;

	if ((rc = load_reg(db, ev->id, person_id, &r, err)) != TN_OK)
		return rc;
	if (!r.found)
		return tn_err_field(err, TN_NOTFOUND, "person", "'%s': not registered "
				    "for '%s'", ref, ev->slug);
	if (r.status == TN_REG_NO || r.status == TN_REG_MAYBE)
		return tn_err_field(err, TN_CONFLICT, "person", "'%s': answered %s "
				    "for '%s'; there is no request for a seat to %s",
				    ref, status_names[r.status], ev->slug,
				    d == APPROVE ? "approve" : "decline");
	status = r.status;
	if (d == DECLINE)
		status = TN_REG_DECLINED;
	else if (r.status == TN_REG_PENDING || r.status == TN_REG_DECLINED)
		rc = seat_or_wait(db, ev, &status, err);
	if (rc == TN_OK)
		rc = set_status(db, ev, person_id, &r, status, r.source, r.channel_id,
				res, err);
	if (rc == TN_OK)
		rc = finish(db, ev, person_id, &r, res, err);
	return rc;
}

static tn_code decision(struct tn_db *db, const char *event, const char *ref,
			enum decision d, struct tn_rsvp_result *res,
			struct tn_err *err)
{
	struct tn_event ev;
	int64_t person_id;
	tn_code rc;

	memset(res, 0, sizeof(*res));
	memset(&ev, 0, sizeof(ev));
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	if ((rc = tn_event_find(db, event, &ev, err)) != TN_OK)
		tn_err_about(err, rc, "event");
	if (rc == TN_OK && ev.cancelled)
		rc = tn_err_set(err, TN_CONFLICT, "event '%s': cancelled; its "
				"registrations cannot change", ev.slug);
	if (rc == TN_OK && (rc = tn_person_resolve(db, ref, &person_id, err)) != TN_OK)
		tn_err_about(err, rc, "person");
	if (rc == TN_OK)
		rc = decide(db, &ev, person_id, ref, d, res, err);
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		memset(res, 0, sizeof(*res));
	tn_event_clear(&ev);
	return rc;
}

tn_code tn_registration_approve(struct tn_db *db, const char *event,
				const char *ref, struct tn_rsvp_result *res,
				struct tn_err *err)
{
	return decision(db, event, ref, APPROVE, res, err);
}

tn_code tn_registration_decline(struct tn_db *db, const char *event,
				const char *ref, struct tn_rsvp_result *res,
				struct tn_err *err)
{
	return decision(db, event, ref, DECLINE, res, err);
}

tn_code tn_registration_release(struct tn_db *db, int64_t event_id,
				int64_t person_id, struct tn_rsvp_result *res,
				struct tn_err *err)
{
	struct tn_rsvp_result own;
	struct tn_event ev;
	struct reg r;
	tn_code rc;

	if (!res)
		res = &own;
	memset(res, 0, sizeof(*res));
	memset(&ev, 0, sizeof(ev));
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = find_event_id(db, event_id, &ev, err);
	memset(&r, 0, sizeof(r));
	if (rc == TN_OK && person_id)
		rc = load_reg(db, event_id, person_id, &r, err);
	if (rc == TN_OK && r.found && r.status == TN_REG_YES)
		rc = set_status(db, &ev, person_id, &r, TN_REG_DECLINED, r.source,
				r.channel_id, res, err);   /* fills the seat too */
	else if (rc == TN_OK)
		rc = promote(db, &ev, res, err);
	if (rc == TN_OK)
		rc = finish(db, &ev, person_id, &r, res, err);
	rc = tn_db_end(db, rc, err);
	tn_event_clear(&ev);
	return rc;
}

/* ---- listing ------------------------------------------------------------ */

struct each_ctx {
	int (*fn)(void *ctx, const struct tn_registration_row *row);
	void *ctx;
};

static tn_code each_row(void *vctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct each_ctx *c = vctx;
	struct tn_registration_row row;

	(void)err;
	row.id = sqlite3_column_int64(st, 0);
	row.person_id = sqlite3_column_int64(st, 1);
	row.name = tn_db_text(st, 2);
	row.email = tn_db_text(st, 3);
	row.status = status_of(tn_db_text(st, 4));
	row.source = source_of(tn_db_text(st, 5));
	row.channel = tn_db_text(st, 6);
	row.waitlist_pos = sqlite3_column_int64(st, 7);
	row.created_at = tn_db_text(st, 8);
	row.updated_at = tn_db_text(st, 9);
	return c->fn(c->ctx, &row) ? TN_DB_STOP : TN_OK;
}

tn_code tn_registration_each(struct tn_db *db, const char *event,
			     enum tn_reg_status status,
			     int (*fn)(void *ctx, const struct tn_registration_row *row),
			     void *ctx, struct tn_err *err)
{
	struct each_ctx c = { fn, ctx };
	struct tn_event ev;
	tn_code rc;

	memset(&ev, 0, sizeof(ev));
	if ((rc = tn_event_find(db, event, &ev, err)) != TN_OK)
		return tn_err_about(err, rc, "event");
	/* the order they were made in; the waitlist last, in its order */
	rc = tn_db_each(db, err, each_row, &c,
		"SELECT r.id, r.person_id, p.name, p.email, r.status, r.source, c.name,"
		" CASE WHEN r.status = 'waitlisted' THEN row_number() OVER"
		"  (PARTITION BY r.status = 'waitlisted' ORDER BY r.asked_seq, r.id) END,"
		" r.created_at, r.updated_at"
		" FROM registration r JOIN person p ON p.id = r.person_id"
		" LEFT JOIN channel c ON c.id = r.channel_id"
		" WHERE r.event_id = ?1 AND (?2 IS NULL OR r.status = ?2)"
		" ORDER BY r.status = 'waitlisted',"
		"  CASE WHEN r.status = 'waitlisted' THEN r.asked_seq END, r.id",
		TN_I(ev.id), TN_T(status == TN_REG_NONE ? NULL : status_names[status]));
	tn_event_clear(&ev);
	return rc;
}

int tn_registration_answered_no(struct tn_db *db, int64_t event_id,
				int64_t person_id)
{
	int64_t one;

	return tn_db_int(db, NULL, &one, "SELECT 1 FROM registration WHERE"
			 " event_id = ?1 AND person_id = ?2 AND status = 'no'",
			 TN_I(event_id), TN_I(person_id)) == TN_OK;
}

/* ---- forgetting and merging ----------------------------------------------- */

tn_code tn_registration_forget(struct tn_db *db, int64_t person_id,
			       struct tn_err *err)
{
	char now[21];

	tn_now_utc(now);
	return tn_db_run(db, err, "UPDATE registration SET status = 'no',"
			 " asked_seq = NULL, updated_at = ?2 WHERE person_id = ?1"
			 " AND status IN ('waitlisted', 'pending')",
			 TN_I(person_id), TN_T(now));
}

/* How strongly a status holds on to the event, for merging two. */
#define STATUS_RANK(s) "(CASE " s " WHEN 'yes' THEN 6 WHEN 'waitlisted' THEN 5" \
	" WHEN 'pending' THEN 4 WHEN 'declined' THEN 3 WHEN 'maybe' THEN 2 ELSE 1 END)"
#define SOURCE_RANK(s) "(CASE " s " WHEN 'invitation' THEN 4 WHEN 'link' THEN 3" \
	" WHEN 'direct' THEN 2 ELSE 1 END)"

struct ids {
	int64_t *v;
	size_t n;
};

static tn_code collect_event(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct ids *ids = ctx;
	int64_t *v = realloc(ids->v, (ids->n + 1) * sizeof(*v));

	if (!v)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	v[ids->n++] = sqlite3_column_int64(row, 0);
	ids->v = v;
	return TN_OK;
}

tn_code tn_registration_merge(struct tn_db *db, int64_t keep, int64_t gone,
			      struct tn_err *err)
{
	struct ids both = { NULL, 0 };
	struct tn_rsvp_result res;
	struct tn_event ev;
	size_t i;
	tn_code rc;

	/* the events both registered for: one registration stays, and a
	 * seat may free */
	rc = tn_db_each(db, err, collect_event, &both, "SELECT g.event_id FROM"
			" registration g JOIN registration k ON k.event_id = g.event_id"
			" AND k.person_id = ?1 WHERE g.person_id = ?2", TN_I(keep),
			TN_I(gone));
	if (rc == TN_OK)
		rc = tn_db_run(db, err,
			"UPDATE registration AS k SET"
			" status = CASE WHEN " STATUS_RANK("g.status") " > " STATUS_RANK("k.status")
			"  THEN g.status ELSE k.status END,"
			" asked_seq = CASE WHEN " STATUS_RANK("g.status") " > " STATUS_RANK("k.status")
			"  THEN g.asked_seq ELSE k.asked_seq END,"
			" source = CASE WHEN " SOURCE_RANK("g.source") " > " SOURCE_RANK("k.source")
			"  THEN g.source ELSE k.source END,"
			" channel_id = CASE WHEN " SOURCE_RANK("g.source") " > " SOURCE_RANK("k.source")
			"  THEN g.channel_id ELSE k.channel_id END,"
			" reply_sequence = max(coalesce(k.reply_sequence, g.reply_sequence),"
			"  coalesce(g.reply_sequence, k.reply_sequence)),"
			" created_at = min(k.created_at, g.created_at)"
			" FROM registration AS g"
			" WHERE k.person_id = ?1 AND g.person_id = ?2 AND g.event_id = k.event_id",
			TN_I(keep), TN_I(gone));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM registration WHERE person_id = ?2"
			       " AND event_id IN (SELECT event_id FROM registration"
			       " WHERE person_id = ?1)", TN_I(keep), TN_I(gone));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "UPDATE registration SET person_id = ?1"
			       " WHERE person_id = ?2", TN_I(keep), TN_I(gone));
	for (i = 0; rc == TN_OK && i < both.n; i++) {
		memset(&res, 0, sizeof(res));
		memset(&ev, 0, sizeof(ev));
		if ((rc = find_event_id(db, both.v[i], &ev, err)) == TN_OK)
			rc = promote(db, &ev, &res, err);
		tn_event_clear(&ev);
	}
	free(both.v);
	return rc;
}

/* ---- answering by calendar reply --------------------------------------- */

static tn_code reply_sequence_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	(void)err;
	*(int64_t *)ctx = sqlite3_column_type(row, 0) == SQLITE_NULL
			  ? -1 : sqlite3_column_int64(row, 0);
	return TN_OK;
}

/* The invitation of the event whose UID a reply names, to its attendee;
 * TN_NOTFOUND saying which of the two matched nothing. */
static tn_code reply_invitation(struct tn_db *db, const struct tn_reply *reply,
				struct invitation *inv, struct tn_event *ev,
				struct tn_err *err)
{
	int64_t event_id;
	tn_code rc;

	rc = tn_db_int(db, err, &event_id, "SELECT id FROM event WHERE uid = ?1",
		       TN_T(reply->uid));
	if (rc == TN_NOTFOUND)
		return tn_err_field(err, TN_NOTFOUND, "reply", "UID '%s': not one of our "
				    "events; nothing changed", reply->uid);
	if (rc == TN_OK)
		rc = find_event_id(db, event_id, ev, err);
	if (rc != TN_OK)
		return rc;
	rc = tn_person_resolve(db, reply->attendee, &inv->person_id, err);
	if (rc == TN_OK)
		rc = tn_db_one(db, err, invitation_row, inv, "SELECT event_id, person_id,"
			       " channel_id FROM invitation WHERE event_id = ?1 AND"
			       " person_id = ?2", TN_I(event_id), TN_I(inv->person_id));
	if (rc == TN_NOTFOUND)
		tn_err_field(err, TN_NOTFOUND, "reply", "'%s' was not invited to '%s'; "
			     "nothing changed", reply->attendee, ev->slug);
	return rc;
}

tn_code tn_rsvp_reply(struct tn_db *db, const struct tn_reply *reply,
		      struct tn_rsvp_result *res, int64_t *stale_after,
		      struct tn_err *err)
{
	static const enum tn_reg_status answers[] = {
		[TN_PARTSTAT_ACCEPTED] = TN_REG_YES,
		[TN_PARTSTAT_TENTATIVE] = TN_REG_MAYBE,
		[TN_PARTSTAT_DECLINED] = TN_REG_NO,
	};
	struct invitation inv;
	struct tn_event ev;
	int64_t last = -1;
	tn_code rc;

	memset(res, 0, sizeof(*res));
	memset(&ev, 0, sizeof(ev));
	*stale_after = -1;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = reply_invitation(db, reply, &inv, &ev, err);
	if (rc == TN_OK) {   /* no registration yet: no reply applied either */
		rc = tn_db_one(db, err, reply_sequence_row, &last, "SELECT reply_sequence"
			       " FROM registration WHERE event_id = ?1 AND person_id = ?2",
			       TN_I(ev.id), TN_I(inv.person_id));
		if (rc == TN_NOTFOUND)
			rc = TN_OK;
	}
	if (rc == TN_OK && last >= 0 && reply->sequence < last) {
		/* an answer to an older version of the event than one applied */
		*stale_after = last;
		snprintf(res->event, sizeof(res->event), "%s", ev.slug);
		res->event_id = ev.id;
		res->person_id = inv.person_id;
	} else if (rc == TN_OK) {
		rc = check_open(&ev, 0, err);
		if (rc == TN_OK)
			rc = answer(db, &ev, inv.person_id, answers[reply->partstat],
				    TN_SOURCE_INVITATION, inv.channel_id, res, err);
		if (rc == TN_OK)
			rc = tn_db_run(db, err, "UPDATE registration SET reply_sequence = ?3"
				       " WHERE event_id = ?1 AND person_id = ?2",
				       TN_I(ev.id), TN_I(inv.person_id), TN_I(reply->sequence));
	}
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		memset(res, 0, sizeof(*res));
	tn_event_clear(&ev);
	return rc;
}
