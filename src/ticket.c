/*
 * ticket.c - tickets (ticket.h): issuing one per accepted registration,
 * listing, finding by number or code, revoking (which gives the seat to
 * the waitlist), the door's check of a code, the ticket page's tokens,
 * the export of badge images, and the ticket part of forgetting and
 * merging people. Owns tables ticket and ticket_token.
 *
 * Codes are made and verified by ticketcode.c with the key setup.c keeps;
 * images are qr.c's; seats are registration.c's (tn_registration_release);
 * the ticket e-mail is queued through outbox.c and made by message.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "turnout/esc.h"
#include "turnout/event.h"
#include "turnout/file.h"
#include "turnout/outbox.h"
#include "turnout/qr.h"
#include "turnout/registration.h"
#include "turnout/setup.h"
#include "turnout/store.h"
#include "turnout/text.h"
#include "turnout/ticket.h"

#define EXPORT_SCALE 8       /* pixels per module of an exported PNG */

static const char *const state_names[] = { "valid", "revoked" };
static const char *const verdict_names[] = {
	[TN_TICKET_ADMIT] = "admit", [TN_TICKET_INVALID] = "invalid",
	[TN_TICKET_WRONG_EVENT] = "wrong_event", [TN_TICKET_IS_REVOKED] = "revoked",
	[TN_TICKET_CANCELLED] = "cancelled",
};

/* Every read of a ticket: columns in the order fill_row reads them. A
 * ticket whose registration is no longer yes counts as revoked. */
#define TICKET_SELECT \
	"SELECT t.id, t.event_id, t.registration_id, r.person_id, e.slug, e.title," \
	" t.holder, p.email, t.state = 'revoked' OR r.status <> 'yes'," \
	" e.status = 'cancelled', t.created_at, coalesce(t.revoked_at, '')" \
	" FROM ticket t JOIN registration r ON r.id = t.registration_id" \
	" JOIN event e ON e.id = t.event_id JOIN person p ON p.id = r.person_id "

const char *tn_ticket_state_name(enum tn_ticket_state state)
{
	return state == TN_TICKET_REVOKED ? state_names[1] : state_names[0];
}

const char *tn_ticket_verdict_name(enum tn_ticket_verdict v)
{
	return (int)v >= 0 && v <= TN_TICKET_CANCELLED ? verdict_names[v] : "invalid";
}

static tn_code nomem(struct tn_err *err)
{
	return tn_err_set(err, TN_NOMEM, "out of memory");
}

void tn_ticket_clear(struct tn_ticket *t)
{
	free(t->title);
	free(t->holder);
	free(t->email);
	memset(t, 0, sizeof(*t));
}

/* Fills t from a TICKET_SELECT row, its strings borrowed from the row. */
static void fill_row(struct tn_ticket *t, sqlite3_stmt *st)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->event_id = sqlite3_column_int64(st, 1);
	t->registration_id = sqlite3_column_int64(st, 2);
	t->person_id = sqlite3_column_int64(st, 3);
	snprintf(t->event, sizeof(t->event), "%s", tn_db_text(st, 4));
	t->title = (char *)tn_db_text(st, 5);
	t->holder = (char *)tn_db_text(st, 6);
	t->email = (char *)tn_db_text(st, 7);
	t->state = sqlite3_column_int(st, 8) ? TN_TICKET_REVOKED : TN_TICKET_VALID;
	t->event_cancelled = sqlite3_column_int(st, 9);
	snprintf(t->created_at, sizeof(t->created_at), "%s", tn_db_text(st, 10));
	snprintf(t->revoked_at, sizeof(t->revoked_at), "%s", tn_db_text(st, 11));
}

static char *dup_or_null(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = 1;
	return d;
}

/* A row into an owned struct tn_ticket (ctx). */
static tn_code own_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct tn_ticket *t = ctx;
	int oom = 0;

	fill_row(t, st);
	t->title = dup_or_null(t->title, &oom);
	t->holder = dup_or_null(t->holder, &oom);
	t->email = dup_or_null(t->email, &oom);
	if (oom) {
		tn_ticket_clear(t);
		return nomem(err);
	}
	return TN_OK;
}

/* Loads ticket id into *t (owned); TN_NOTFOUND about "ticket" when none. */
static tn_code load(struct tn_db *db, int64_t id, struct tn_ticket *t,
		    struct tn_err *err)
{
	tn_code rc = tn_db_one(db, err, own_row, t, TICKET_SELECT "WHERE t.id = ?1",
			       TN_I(id));

	if (rc == TN_NOTFOUND)
		tn_err_field(err, TN_NOTFOUND, "ticket", "ticket %" PRId64 ": no such ticket", id);
	return rc;
}

/* Writes t's code, signed with this database's key. */
static tn_code make_code(struct tn_db *db, struct tn_ticket *t, struct tn_err *err)
{
	unsigned char sk[64];
	tn_code rc;

	if ((rc = tn_setup_secret_key(db, sk, err)) != TN_OK)
		return rc;
	rc = tn_ticketcode_make(sk, t->event_id, t->id, t->code, sizeof(t->code), err);
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

/* ---- issuing ---------------------------------------------------------------- */

/* Issues a ticket for the registration unless it has a valid one;
 * *ticket_id gets it, *issued is 1 when it is new. */
static tn_code issue_one(struct tn_db *db, int64_t registration_id, int64_t *ticket_id,
			 int *issued, struct tn_err *err)
{
	char now[21];
	tn_code rc;

	*issued = 0;
	rc = tn_db_int(db, err, ticket_id, "SELECT id FROM ticket WHERE"
		       " registration_id = ?1 AND state = 'valid'", TN_I(registration_id));
	if (rc != TN_NOTFOUND)
		return rc;
	tn_now_utc(now);
	rc = tn_db_run(db, err, "INSERT INTO ticket(registration_id, event_id, holder,"
		       " created_at) SELECT r.id, r.event_id, p.name, ?2 FROM registration r"
		       " JOIN person p ON p.id = r.person_id WHERE r.id = ?1",
		       TN_I(registration_id), TN_T(now));
	if (rc != TN_OK)
		return rc;
	*ticket_id = tn_db_last_id(db);
	*issued = 1;
	return TN_OK;
}

static tn_code text_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	const char *s = tn_db_text(st, 0);

	if (s && !(*(char **)ctx = strdup(s)))
		return nomem(err);
	return TN_OK;
}

/* Queues the ticket's e-mail to its holder's address; *queued is 1 when
 * there was an address to queue it to. */
static tn_code queue_mail(struct tn_db *db, int64_t ticket_id, int *queued,
			  struct tn_err *err)
{
	char *email = NULL;
	tn_code rc;

	*queued = 0;
	rc = tn_db_one(db, err, text_row, &email, "SELECT p.email FROM ticket t"
		       " JOIN registration r ON r.id = t.registration_id"
		       " JOIN person p ON p.id = r.person_id WHERE t.id = ?1",
		       TN_I(ticket_id));
	if (rc == TN_OK && email) {
		rc = tn_outbox_queue_ticket(db, ticket_id, email, err);
		*queued = rc == TN_OK;
	}
	free(email);
	return rc;
}

tn_code tn_ticket_accepted(struct tn_db *db, int64_t registration_id,
			   struct tn_err *err)
{
	int64_t id = 0;
	int issued, queued;
	tn_code rc;

	rc = issue_one(db, registration_id, &id, &issued, err);
	if (rc == TN_OK)
		rc = queue_mail(db, id, &queued, err);
	return rc;
}

static tn_code drop_mail(void *db, sqlite3_stmt *row, struct tn_err *err)
{
	return tn_outbox_ticket_revoked(db, sqlite3_column_int64(row, 0), err);
}

tn_code tn_ticket_released(struct tn_db *db, int64_t registration_id,
			   struct tn_err *err)
{
	return tn_db_each(db, err, drop_mail, db, "SELECT id FROM ticket"
			  " WHERE registration_id = ?1", TN_I(registration_id));
}

struct ids {
	int64_t *v;
	size_t n;
};

static tn_code collect_id(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct ids *ids = ctx;
	int64_t *v = realloc(ids->v, (ids->n + 1) * sizeof(*v));

	if (!v)
		return nomem(err);
	v[ids->n++] = sqlite3_column_int64(row, 0);
	ids->v = v;
	return TN_OK;
}

tn_code tn_ticket_issue(struct tn_db *db, const char *event, int send,
			long long *issued, long long *queued, struct tn_err *err)
{
	struct ids regs = { NULL, 0 };
	struct tn_event ev;
	long long n_issued = 0, n_queued = 0;
	size_t i;
	tn_code rc;

	memset(&ev, 0, sizeof(ev));
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_event_find(db, event, &ev, err);
	if (rc != TN_OK)
		tn_err_about(err, rc, "event");
	else if (ev.cancelled)
		rc = tn_err_field(err, TN_CONFLICT, "event", "event '%s': cancelled; its "
				  "tickets are not issued", ev.slug);
	if (rc == TN_OK)
		rc = tn_db_each(db, err, collect_id, &regs, "SELECT r.id FROM registration r"
				" WHERE r.event_id = ?1 AND r.status = 'yes' AND NOT EXISTS"
				" (SELECT 1 FROM ticket t WHERE t.registration_id = r.id"
				"  AND t.state = 'valid') ORDER BY r.id", TN_I(ev.id));
	for (i = 0; rc == TN_OK && i < regs.n; i++) {
		int64_t id;
		int one, sent = 0;

		rc = issue_one(db, regs.v[i], &id, &one, err);
		if (rc == TN_OK && send)
			rc = queue_mail(db, id, &sent, err);
		n_issued += one;
		n_queued += sent;
	}
	free(regs.v);
	rc = tn_db_end(db, rc, err);
	tn_event_clear(&ev);
	if (issued)
		*issued = rc == TN_OK ? n_issued : 0;
	if (queued)
		*queued = rc == TN_OK ? n_queued : 0;
	return rc;
}

/* ---- listing and finding ------------------------------------------------------ */

struct each_ctx {
	int (*fn)(void *ctx, const struct tn_ticket *t);
	void *ctx;
	unsigned char sk[64];
};

static tn_code each_row(void *vctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct each_ctx *c = vctx;
	struct tn_ticket t;
	tn_code rc;

	fill_row(&t, st);
	rc = tn_ticketcode_make(c->sk, t.event_id, t.id, t.code, sizeof(t.code), err);
	if (rc != TN_OK)
		return rc;
	return c->fn(c->ctx, &t) ? TN_DB_STOP : TN_OK;
}

tn_code tn_ticket_each(struct tn_db *db, const char *event,
		       int (*fn)(void *ctx, const struct tn_ticket *t),
		       void *ctx, struct tn_err *err)
{
	struct each_ctx c;
	struct tn_event ev;
	tn_code rc;

	memset(&ev, 0, sizeof(ev));
	c.fn = fn;
	c.ctx = ctx;
	if ((rc = tn_event_find(db, event, &ev, err)) != TN_OK)
		return tn_err_about(err, rc, "event");
	rc = tn_setup_secret_key(db, c.sk, err);
	if (rc == TN_OK)
		rc = tn_db_each(db, err, each_row, &c, TICKET_SELECT
				"WHERE t.event_id = ?1 ORDER BY t.id", TN_I(ev.id));
	sodium_memzero(c.sk, sizeof(c.sk));
	tn_event_clear(&ev);
	return rc == TN_DB_STOP ? TN_OK : rc;
}

/* 1 if s is a ticket number: digits only, not too long. */
static int is_number(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= 15 && s[n] == '\0';
}

tn_code tn_ticket_find(struct tn_db *db, const char *ref, struct tn_ticket *t,
		       struct tn_err *err)
{
	enum tn_ticket_verdict v;
	tn_code rc;

	memset(t, 0, sizeof(*t));
	if (is_number(ref)) {
		rc = load(db, strtoll(ref, NULL, 10), t, err);
		if (rc == TN_OK && (rc = make_code(db, t, err)) != TN_OK)
			tn_ticket_clear(t);
		return rc;
	}
	if ((rc = tn_ticket_check(db, ref, 0, &v, t, err)) != TN_OK)
		return rc;
	if (v == TN_TICKET_INVALID)
		return tn_err_field(err, TN_NOTFOUND, "ticket", "'%.40s%s': not a ticket "
				    "number or a code of this database's tickets", ref,
				    strlen(ref) > 40 ? "…" : "");
	return TN_OK;
}

tn_code tn_ticket_check(struct tn_db *db, const char *code,
			int64_t event_id_expected, enum tn_ticket_verdict *verdict,
			struct tn_ticket *t, struct tn_err *err)
{
	struct tn_ticket own;
	unsigned char pk[32];
	int64_t event_id, serial;
	tn_code rc;

	*verdict = TN_TICKET_INVALID;
	if (!t)
		t = &own;
	memset(t, 0, sizeof(*t));
	if ((rc = tn_setup_public_key(db, pk, err)) != TN_OK)
		return rc;
	if (tn_ticketcode_verify(pk, code, &event_id, &serial) != TN_TICKETCODE_VALID)
		return TN_OK;
	rc = tn_db_one(db, err, own_row, t, TICKET_SELECT "WHERE t.id = ?1"
		       " AND t.event_id = ?2", TN_I(serial), TN_I(event_id));
	if (rc == TN_NOTFOUND)
		return TN_OK;   /* signed here, but no such ticket (a copied database) */
	if (rc != TN_OK)
		return rc;
	/* the code as issued: the canonical upper case of what was read */
	snprintf(t->code, sizeof(t->code), "%s", code);
	for (char *p = t->code; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (event_id_expected && t->event_id != event_id_expected)
		*verdict = TN_TICKET_WRONG_EVENT;
	else if (t->event_cancelled)
		*verdict = TN_TICKET_CANCELLED;
	else if (t->state == TN_TICKET_REVOKED)
		*verdict = TN_TICKET_IS_REVOKED;
	else
		*verdict = TN_TICKET_ADMIT;
	if (t == &own)
		tn_ticket_clear(t);
	return TN_OK;
}

/* ---- revoking ------------------------------------------------------------------ */

tn_code tn_ticket_revoke(struct tn_db *db, const char *ref, struct tn_ticket *t,
			 int64_t *promoted_person_id, struct tn_err *err)
{
	struct tn_rsvp_result res;
	int64_t id;
	char now[21];
	tn_code rc;

	memset(&res, 0, sizeof(res));
	if (promoted_person_id)
		*promoted_person_id = 0;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_ticket_find(db, ref, t, err);
	if (rc == TN_OK && t->state == TN_TICKET_REVOKED)
		rc = tn_err_field(err, TN_CONFLICT, "ticket", "ticket %" PRId64 ": already "
				  "revoked", t->id);
	if (rc == TN_OK) {
		tn_now_utc(now);
		rc = tn_db_run(db, err, "UPDATE ticket SET state = 'revoked', revoked_at = ?2"
			       " WHERE id = ?1", TN_I(t->id), TN_T(now));
	}
	if (rc == TN_OK)
		rc = tn_outbox_ticket_revoked(db, t->id, err);
	/* the seat goes to the first waitlisted person, in this transaction */
	if (rc == TN_OK)
		rc = tn_registration_release(db, t->event_id, t->person_id, &res, err);
	if (rc == TN_OK) {   /* as it now is */
		id = t->id;
		tn_ticket_clear(t);
		rc = load(db, id, t, err);
		if (rc == TN_OK)
			rc = make_code(db, t, err);
	}
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		tn_ticket_clear(t);
	else if (promoted_person_id)
		*promoted_person_id = res.promoted_person_id;
	return rc;
}

/* ---- the ticket page's tokens ---------------------------------------------------- */

tn_code tn_ticket_token_new(struct tn_db *db, int64_t ticket_id,
			    char token[TN_TICKET_TOKEN_LEN + 1], struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	char now[21];
	tn_code rc;

	if ((rc = tn_token_new(token, hash, err)) != TN_OK)
		return rc;
	tn_now_utc(now);
	return tn_db_run(db, err, "INSERT INTO ticket_token(hash, ticket_id, created_at)"
			 " VALUES(?1, ?2, ?3)", TN_B(hash, TN_TOKEN_HASH_BYTES),
			 TN_I(ticket_id), TN_T(now));
}

tn_code tn_ticket_by_token(struct tn_db *db, const char *token,
			   struct tn_ticket *t, struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	int64_t id;
	tn_code rc;

	memset(t, 0, sizeof(*t));
	if (strlen(token) != TN_TICKET_TOKEN_LEN)
		return tn_err_field(err, TN_NOTFOUND, "token", "no such ticket link");
	tn_token_hash(token, hash);
	rc = tn_db_int(db, err, &id, "SELECT ticket_id FROM ticket_token WHERE hash = ?1",
		       TN_B(hash, TN_TOKEN_HASH_BYTES));
	if (rc == TN_NOTFOUND)
		return tn_err_field(err, TN_NOTFOUND, "token", "no such ticket link");
	if (rc == TN_OK)
		rc = load(db, id, t, err);
	if (rc == TN_OK && (rc = make_code(db, t, err)) != TN_OK)
		tn_ticket_clear(t);
	return rc;
}

/* ---- export ------------------------------------------------------------------------ */

struct export_ctx {
	const char *dir;
	struct tn_buf path, png, csv;
	long long count;
	tn_code rc;
	struct tn_err *err;
};

static int export_one(void *vctx, const struct tn_ticket *t)
{
	struct export_ctx *x = vctx;
	char name[40];

	if (t->state != TN_TICKET_VALID)
		return 0;
	snprintf(name, sizeof(name), "ticket-%" PRId64 ".png", t->id);
	x->path.len = 0;
	x->png.len = 0;
	if (tn_buf_addf(&x->path, "%s/%s", x->dir, name) != TN_OK ||
	    tn_buf_addf(&x->csv, "%" PRId64 ",%s,", t->id, t->code) != TN_OK ||
	    tn_esc_csv(&x->csv, t->holder ? t->holder : "") != TN_OK ||
	    tn_buf_addf(&x->csv, ",%s\r\n", name) != TN_OK) {
		x->rc = nomem(x->err);
		return 1;
	}
	x->rc = tn_qr_png(t->code, EXPORT_SCALE, &x->png, x->err);
	if (x->rc == TN_OK)
		x->rc = tn_file_write_atomic(x->path.data, x->png.data, x->png.len, x->err);
	if (x->rc != TN_OK)
		return 1;
	x->count++;
	return 0;
}

tn_code tn_ticket_export(struct tn_db *db, const char *event, const char *dir,
			 long long *count, struct tn_err *err)
{
	struct export_ctx x;
	struct stat sb;
	tn_code rc;

	*count = 0;
	if (stat(dir, &sb) != 0)
		return tn_err_field(err, TN_FAIL, "dir", "'%s': %s", dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return tn_err_field(err, TN_FAIL, "dir", "'%s': not a directory", dir);
	if (access(dir, W_OK | X_OK) != 0)
		return tn_err_field(err, TN_FAIL, "dir", "'%s': cannot write: %s", dir,
				    strerror(errno));
	memset(&x, 0, sizeof(x));
	x.dir = dir;
	x.err = err;
	if (tn_buf_add(&x.csv, "number,code,holder,file\r\n") != TN_OK)
		return nomem(err);
	rc = tn_ticket_each(db, event, export_one, &x, err);
	if (rc == TN_OK)
		rc = x.rc;
	x.path.len = 0;
	if (rc == TN_OK && tn_buf_addf(&x.path, "%s/tickets.csv", dir) != TN_OK)
		rc = nomem(err);
	if (rc == TN_OK)
		rc = tn_file_write_atomic(x.path.data, x.csv.data, x.csv.len, err);
	if (rc == TN_OK)
		*count = x.count;
	tn_buf_free(&x.path);
	tn_buf_free(&x.png);
	tn_buf_free(&x.csv);
	return rc;
}

/* ---- forgetting and merging --------------------------------------------------------- */

tn_code tn_ticket_forget(struct tn_db *db, int64_t person_id, struct tn_err *err)
{
	tn_code rc;

	rc = tn_db_run(db, err, "UPDATE ticket SET holder = NULL WHERE registration_id IN"
		       " (SELECT id FROM registration WHERE person_id = ?1)", TN_I(person_id));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM ticket_token WHERE ticket_id IN"
			       " (SELECT t.id FROM ticket t JOIN registration r"
			       " ON r.id = t.registration_id WHERE r.person_id = ?1)",
			       TN_I(person_id));
	return rc;
}

tn_code tn_ticket_merge(struct tn_db *db, int64_t keep, int64_t gone,
			struct tn_err *err)
{
	char now[21];

	tn_now_utc(now);
	/* registration.c drops gone's registration of an event keep has
	 * one for: its tickets move over first, revoked when keep's
	 * registration holds a valid ticket already (one per registration) */
	return tn_db_run(db, err,
		"UPDATE ticket SET"
		" state = CASE WHEN state = 'valid' AND EXISTS(SELECT 1 FROM ticket v"
		"  JOIN registration k ON k.id = v.registration_id WHERE k.person_id = ?1"
		"  AND k.event_id = ticket.event_id AND v.state = 'valid')"
		"  THEN 'revoked' ELSE state END,"
		" revoked_at = CASE WHEN state = 'valid' AND EXISTS(SELECT 1 FROM ticket v"
		"  JOIN registration k ON k.id = v.registration_id WHERE k.person_id = ?1"
		"  AND k.event_id = ticket.event_id AND v.state = 'valid')"
		"  THEN ?3 ELSE revoked_at END,"
		" registration_id = (SELECT k.id FROM registration k WHERE k.person_id = ?1"
		"  AND k.event_id = ticket.event_id)"
		" WHERE registration_id IN (SELECT g.id FROM registration g JOIN registration k"
		"  ON k.event_id = g.event_id AND k.person_id = ?1 WHERE g.person_id = ?2)",
		TN_I(keep), TN_I(gone), TN_T(now));
}
