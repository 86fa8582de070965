/*
 * door.c - the door (door.h): gates and their tokens, reading a scanned
 * line, recording scans with their verdicts (exactly one admit per
 * ticket, by the index checkin_admit), walk-ins, and the door's figures.
 * Owns tables gate and checkin.
 *
 * Codes are verified by ticketcode.c with the public key setup.c keeps;
 * tickets are ticket.c's (read here through their tables, as the verdict
 * needs them); a walk-in's seat is registration.c's, and its ticket is
 * issued by the accepted hook as for any yes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "turnout/channel.h"
#include "turnout/door.h"
#include "turnout/event.h"
#include "turnout/person.h"
#include "turnout/registration.h"
#include "turnout/setup.h"
#include "turnout/store.h"
#include "turnout/text.h"

#define TICKET_TOKEN_LEN 24   /* ticket.h's TN_TICKET_TOKEN_LEN */

static const char *const verdict_names[] = {
	[TN_VERDICT_ADMIT] = "admit", [TN_VERDICT_DUPLICATE] = "duplicate",
	[TN_VERDICT_INVALID] = "invalid", [TN_VERDICT_WRONG_EVENT] = "wrong_event",
	[TN_VERDICT_REVOKED] = "revoked", [TN_VERDICT_CANCELLED] = "cancelled",
};

const char *tn_verdict_name(enum tn_verdict v)
{
	return (int)v >= 0 && v <= TN_VERDICT_CANCELLED ? verdict_names[v] : "invalid";
}

/* A column as text, "" for NULL. */
static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = tn_db_text(st, i);

	return s ? s : "";
}

static tn_code nomem(struct tn_err *err)
{
	return tn_err_set(err, TN_NOMEM, "out of memory");
}

/* ---- gates --------------------------------------------------------------- */

static tn_code check_gate_name(const char *name, struct tn_err *err)
{
	size_t n = name ? strlen(name) : 0;
	tn_code rc;

	if (n == 0 || n > TN_GATE_NAME_MAX)
		return tn_err_field(err, TN_USAGE, "gate", "a gate's name has 1 to %d "
				    "bytes", TN_GATE_NAME_MAX);
	if ((rc = tn_text_check(name, 0, err)) != TN_OK)
		return tn_err_about(err, rc, "gate");
	return TN_OK;
}

static tn_code find_event(struct tn_db *db, const char *event, struct tn_event *ev,
			  struct tn_err *err)
{
	tn_code rc = tn_event_find(db, event ? event : "", ev, err);

	return rc == TN_OK ? TN_OK : tn_err_about(err, rc, "event");
}

tn_code tn_gate_add(struct tn_db *db, const char *event, const char *name,
		    struct tn_gate *g, char token[TN_GATE_TOKEN_LEN + 1],
		    struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	struct tn_event ev;
	int64_t taken = 0;
	tn_code rc;

	memset(g, 0, sizeof(*g));
	token[0] = '\0';
	memset(&ev, 0, sizeof(ev));
	if ((rc = check_gate_name(name, err)) != TN_OK)
		return rc;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = find_event(db, event, &ev, err);
	if (rc == TN_OK)
		rc = tn_db_int(db, err, &taken, "SELECT count(*) FROM gate"
			       " WHERE event_id = ?1 AND name = ?2", TN_I(ev.id), TN_T(name));
	if (rc == TN_OK && taken) {
		rc = tn_err_field(err, TN_CONFLICT, "gate", "event '%s' already has a "
				  "gate '%s'", ev.slug, name);
		tn_err_hint(err, "each gate has its own name; see 'turnout gate list %s'",
			    ev.slug);
	}
	if (rc == TN_OK)
		rc = tn_token_new(token, hash, err);
	if (rc == TN_OK) {
		g->event_id = ev.id;
		snprintf(g->event, sizeof(g->event), "%s", ev.slug);
		snprintf(g->name, sizeof(g->name), "%s", name);
		tn_now_utc(g->created_at);
		rc = tn_db_run(db, err, "INSERT INTO gate(event_id, name, token_hash,"
			       " created_at) VALUES(?1, ?2, ?3, ?4)", TN_I(ev.id),
			       TN_T(name), TN_B(hash, TN_TOKEN_HASH_BYTES),
			       TN_T(g->created_at));
		g->id = tn_db_last_id(db);
	}
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK) {
		memset(g, 0, sizeof(*g));
		sodium_memzero(token, TN_GATE_TOKEN_LEN + 1);
	}
	tn_event_clear(&ev);
	return rc;
}

#define GATE_SELECT \
	"SELECT g.id, g.event_id, e.slug, g.name, g.created_at," \
	" coalesce(g.revoked_at, '') FROM gate g JOIN event e ON e.id = g.event_id "

static void fill_gate(struct tn_gate *g, sqlite3_stmt *st)
{
	memset(g, 0, sizeof(*g));
	g->id = sqlite3_column_int64(st, 0);
	g->event_id = sqlite3_column_int64(st, 1);
	snprintf(g->event, sizeof(g->event), "%s", col(st, 2));
	snprintf(g->name, sizeof(g->name), "%s", col(st, 3));
	snprintf(g->created_at, sizeof(g->created_at), "%s", col(st, 4));
	snprintf(g->revoked_at, sizeof(g->revoked_at), "%s", col(st, 5));
}

static tn_code gate_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	(void)err;
	fill_gate(ctx, st);
	return TN_OK;
}

struct gate_each {
	int (*fn)(void *ctx, const struct tn_gate *g);
	void *ctx;
};

static tn_code gate_each_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct gate_each *e = ctx;
	struct tn_gate g;

	(void)err;
	fill_gate(&g, st);
	g.scans = sqlite3_column_int64(st, 6);
	g.admitted = sqlite3_column_int64(st, 7);
	snprintf(g.last_scan_at, sizeof(g.last_scan_at), "%s", col(st, 8));
	return e->fn(e->ctx, &g) ? TN_DB_STOP : TN_OK;
}

tn_code tn_gate_each(struct tn_db *db, const char *event,
		     int (*fn)(void *ctx, const struct tn_gate *g), void *ctx,
		     struct tn_err *err)
{
	struct gate_each e = { fn, ctx };
	struct tn_event ev;
	tn_code rc;

	memset(&ev, 0, sizeof(ev));
	if ((rc = find_event(db, event, &ev, err)) == TN_OK)
		rc = tn_db_each(db, err, gate_each_row, &e,
				/* one pass over the event's scans (index
				 * checkin_event): each scan writes one index
				 * less than with an index on gate_id */
				"SELECT g.id, g.event_id, e.slug, g.name, g.created_at,"
				" coalesce(g.revoked_at, ''), count(c.id),"
				" count(c.id) FILTER (WHERE c.verdict = 'admit'),"
				" coalesce(max(c.at), '')"
				" FROM gate g JOIN event e ON e.id = g.event_id"
				" LEFT JOIN checkin c ON c.event_id = g.event_id"
				"  AND c.gate_id = g.id"
				" WHERE g.event_id = ?1 GROUP BY g.id ORDER BY g.name",
				TN_I(ev.id));
	tn_event_clear(&ev);
	return rc;
}

/* The names of the event's gates, as a hint after an unknown one. */
static tn_code hint_gate_names(struct tn_db *db, int64_t event_id,
			       const char *slug, struct tn_err *err)
{
	struct tn_err ignore = TN_ERR_INIT;
	struct tn_buf names = TN_BUF_INIT;
	sqlite3_stmt *st = NULL;

	if (tn_db_prepare(db, &ignore, &st, "SELECT name FROM gate WHERE event_id = ?1"
			  " AND revoked_at IS NULL ORDER BY name", TN_I(event_id)) == TN_OK) {
		while (sqlite3_step(st) == SQLITE_ROW && names.len < 200)
			if (tn_buf_addf(&names, "%s%s", names.len ? ", " : "",
					col(st, 0)) != TN_OK)
				break;
		sqlite3_finalize(st);
	}
	if (names.len)
		tn_err_hint(err, "the gates of '%s': %s", slug, names.data);
	else
		tn_err_hint(err, "event '%s' has no gate yet: 'turnout gate add %s NAME'",
			    slug, slug);
	tn_buf_free(&names);
	return TN_NOTFOUND;
}

/* The gate name of event ev into *g; TN_NOTFOUND about "gate". */
static tn_code find_gate(struct tn_db *db, const struct tn_event *ev,
			 const char *name, struct tn_gate *g, struct tn_err *err)
{
	tn_code rc = tn_db_one(db, err, gate_row, g, GATE_SELECT
			       "WHERE g.event_id = ?1 AND g.name = ?2", TN_I(ev->id),
			       TN_T(name));

	if (rc == TN_NOTFOUND) {
		tn_err_field(err, TN_NOTFOUND, "gate", "event '%s' has no gate '%s'",
			     ev->slug, name);
		return hint_gate_names(db, ev->id, ev->slug, err);
	}
	return rc;
}

tn_code tn_gate_revoke(struct tn_db *db, const char *event, const char *name,
		       struct tn_gate *g, struct tn_err *err)
{
	struct tn_gate own;
	struct tn_event ev;
	tn_code rc;

	if (!g)
		g = &own;
	memset(g, 0, sizeof(*g));
	memset(&ev, 0, sizeof(ev));
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = find_event(db, event, &ev, err);
	if (rc == TN_OK)
		rc = find_gate(db, &ev, name ? name : "", g, err);
	if (rc == TN_OK && g->revoked_at[0])
		rc = tn_err_field(err, TN_CONFLICT, "gate", "gate '%s' of '%s': already "
				  "revoked (%s)", g->name, ev.slug, g->revoked_at);
	if (rc == TN_OK) {
		tn_now_utc(g->revoked_at);
		rc = tn_db_run(db, err, "UPDATE gate SET revoked_at = ?2 WHERE id = ?1",
			       TN_I(g->id), TN_T(g->revoked_at));
	}
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		memset(g, 0, sizeof(*g));
	tn_event_clear(&ev);
	return rc;
}

/* ---- reading a scan ------------------------------------------------------ */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The token of a ticket page URL ("…/t/TOKEN", maybe with "?…" or "#…"),
 * or 0 when s is not one. */
static int page_token(const char *s, size_t n, const char **tok, size_t *len)
{
	const char *p = NULL, *q;
	size_t i;

	if (!(n > 8 && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)))
		return 0;
	for (i = 0; i + 3 <= n; i++)
		if (memcmp(s + i, "/t/", 3) == 0)
			p = s + i + 3;    /* the last one */
	if (!p)
		return 0;
	for (q = p; q < s + n && *q != '?' && *q != '#' && *q != '/'; q++)
		;
	if (q - p != TICKET_TOKEN_LEN)
		return 0;
	*tok = p;
	*len = (size_t)(q - p);
	return 1;
}

void tn_scan_read(const struct tn_door *d, const char *line, size_t len,
		  struct tn_scan *s)
{
	const char *p = line, *end = line + len, *tok;
	size_t n, tlen;

	memset(s, 0, sizeof(*s));
	s->kind = TN_SCAN_UNREADABLE;
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	/* an AIM symbology identifier a scanner may put first: "]Q1" */
	if (end - p >= 3 && p[0] == ']' && is_alpha(p[1]) && p[2] >= '0' && p[2] <= '9')
		p += 3;
	n = (size_t)(end - p);
	if (page_token(p, n, &tok, &tlen)) {
		s->kind = TN_SCAN_PAGE_TOKEN;
		memcpy(s->text, tok, tlen);
		return;
	}
	if (n == TN_TICKETCODE_LEN) {
		memcpy(s->text, p, n);
		for (char *c = s->text; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		if (memchr(p, '\0', n) == NULL &&
		    tn_ticketcode_verify_own(d->sk, s->text, &s->event_id, &s->serial) ==
		    TN_TICKETCODE_VALID) {
			s->kind = TN_SCAN_CODE;
			return;
		}
	}
	/* unreadable: kept as text that is safe to store and show later */
	n = n > TN_SCAN_INPUT_MAX ? TN_SCAN_INPUT_MAX : n;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		s->text[i] = c < 0x20 || c == 0x7f || c >= 0x80 ? '?' : (char)c;
	}
	s->text[n] = '\0';
}

/* ---- the door ------------------------------------------------------------ */

static tn_code door_from(struct tn_db *db, const struct tn_event *ev,
			 const struct tn_gate *g, struct tn_door *d, struct tn_err *err)
{
	tn_code rc;

	d->event_id = ev->id;
	snprintf(d->event, sizeof(d->event), "%s", ev->slug);
	if (g) {
		d->gate_id = g->id;
		memcpy(d->gate, g->name, sizeof(d->gate));
	}
	if ((rc = tn_setup_public_key(db, d->pk, err)) == TN_OK)
		rc = tn_setup_secret_key(db, d->sk, err);
	return rc;
}

tn_code tn_door_open(struct tn_db *db, const char *event, const char *gate,
		     struct tn_door *d, struct tn_err *err)
{
	struct tn_event ev;
	struct tn_gate g;
	tn_code rc;

	memset(d, 0, sizeof(*d));
	memset(&ev, 0, sizeof(ev));
	if ((rc = find_event(db, event, &ev, err)) != TN_OK)
		return rc;
	if (gate && (rc = find_gate(db, &ev, gate, &g, err)) == TN_OK && g.revoked_at[0])
		rc = tn_err_field(err, TN_CONFLICT, "gate", "gate '%s' of '%s': revoked "
				  "(%s); its scans are refused", g.name, ev.slug,
				  g.revoked_at);
	if (rc == TN_OK)
		rc = door_from(db, &ev, gate ? &g : NULL, d, err);
	if (rc != TN_OK)
		memset(d, 0, sizeof(*d));
	tn_event_clear(&ev);
	return rc;
}

tn_code tn_door_by_token(struct tn_db *db, const char *token, const char *event,
			 struct tn_door *d, struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	struct tn_event ev;
	struct tn_gate g;
	tn_code rc;

	memset(d, 0, sizeof(*d));
	memset(&ev, 0, sizeof(ev));
	if (!token || strlen(token) != TN_GATE_TOKEN_LEN)
		return tn_err_field(err, TN_NOTFOUND, "token", "no such gate");
	tn_token_hash(token, hash);
	rc = tn_db_one(db, err, gate_row, &g, GATE_SELECT "WHERE g.token_hash = ?1"
		       " AND g.revoked_at IS NULL", TN_B(hash, TN_TOKEN_HASH_BYTES));
	if (rc == TN_OK && event) {
		/* the event as the path names it: slug or id */
		char id[24];

		snprintf(id, sizeof(id), "%" PRId64, g.event_id);
		if (strcmp(event, g.event) != 0 && strcmp(event, id) != 0)
			rc = TN_NOTFOUND;
	}
	if (rc == TN_NOTFOUND)
		return tn_err_field(err, TN_NOTFOUND, "token", "no such gate");
	if (rc == TN_OK)
		rc = tn_event_find(db, g.event, &ev, err);
	if (rc == TN_OK)
		rc = door_from(db, &ev, &g, d, err);
	if (rc != TN_OK)
		memset(d, 0, sizeof(*d));
	tn_event_clear(&ev);
	return rc;
}

/* ---- recording ----------------------------------------------------------- */

void tn_checkin_clear(struct tn_checkin *c)
{
	free(c->name);
	memset(c, 0, sizeof(*c));
}

/* What the verdict needs of a ticket. */
struct ticket_facts {
	int found;
	int64_t id, event_id, person_id;
	int revoked, cancelled;
	char *holder;            /* owned */
	int oom;
};

static tn_code facts_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct ticket_facts *f = ctx;
	const char *holder = tn_db_text(st, 5);

	(void)err;
	f->found = 1;
	f->id = sqlite3_column_int64(st, 0);
	f->event_id = sqlite3_column_int64(st, 1);
	f->person_id = sqlite3_column_int64(st, 2);
	f->revoked = sqlite3_column_int(st, 3);
	f->cancelled = sqlite3_column_int(st, 4);
	if (holder && !(f->holder = strdup(holder)))
		f->oom = 1;
	return TN_OK;
}

#define FACTS_SELECT \
	"SELECT t.id, t.event_id, r.person_id, t.state = 'revoked' OR r.status <> 'yes'," \
	" e.status = 'cancelled', t.holder FROM ticket t" \
	" JOIN registration r ON r.id = t.registration_id" \
	" JOIN event e ON e.id = t.event_id "

/* The ticket a scan names, into *f (f->found 0: none). */
static tn_code scan_ticket(struct tn_db *db, const struct tn_scan *s,
			   struct ticket_facts *f, struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	tn_code rc = TN_OK;

	memset(f, 0, sizeof(*f));
	if (s->kind == TN_SCAN_CODE) {
		rc = tn_db_one(db, err, facts_row, f, FACTS_SELECT
			       "WHERE t.id = ?1 AND t.event_id = ?2", TN_I(s->serial),
			       TN_I(s->event_id));
	} else if (s->kind == TN_SCAN_PAGE_TOKEN) {
		/* the page's token names the ticket as ticket_token keeps it */
		tn_token_hash(s->text, hash);
		rc = tn_db_one(db, err, facts_row, f, FACTS_SELECT
			       "JOIN ticket_token k ON k.ticket_id = t.id"
			       " WHERE k.hash = ?1", TN_B(hash, TN_TOKEN_HASH_BYTES));
	}
	if (rc == TN_NOTFOUND)
		rc = TN_OK;
	if (rc == TN_OK && f->oom)
		rc = nomem(err);
	return rc;
}

struct admitted {
	char at[21];
	char gate[TN_GATE_NAME_MAX + 1];
};

static tn_code admitted_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct admitted *a = ctx;

	(void)err;
	snprintf(a->at, sizeof(a->at), "%s", col(st, 0));
	snprintf(a->gate, sizeof(a->gate), "%s", col(st, 1));
	return TN_OK;
}

/* Records one scan of the ticket f (found or not) at door d, in the
 * caller's transaction, into *c. walkin marks the rows tn_walkin writes. */
static tn_code record(struct tn_db *db, const struct tn_door *d,
		      const struct tn_scan *s, struct ticket_facts *f, int walkin,
		      struct tn_checkin *c, struct tn_err *err)
{
	struct admitted a = { "", "" };
	enum tn_verdict v;
	tn_code rc;

	memset(c, 0, sizeof(*c));
	tn_now_utc(c->at);
	if (!f->found)
		v = TN_VERDICT_INVALID;
	else if (f->event_id != d->event_id)
		v = TN_VERDICT_WRONG_EVENT;
	else if (f->cancelled)
		v = TN_VERDICT_CANCELLED;
	else if (f->revoked)
		v = TN_VERDICT_REVOKED;
	else
		v = TN_VERDICT_ADMIT;
	if (v == TN_VERDICT_ADMIT) {
		/* the index checkin_admit lets one admit per ticket through */
		rc = tn_db_run(db, err, "INSERT INTO checkin(event_id, gate_id,"
			       " ticket_id, verdict, walkin, at) VALUES(?1, nullif(?2, 0),"
			       " ?3, 'admit', ?4, ?5) ON CONFLICT DO NOTHING",
			       TN_I(d->event_id), TN_I(d->gate_id), TN_I(f->id),
			       TN_I(walkin), TN_T(c->at));
		if (rc != TN_OK)
			return rc;
		if (tn_db_changes(db) == 1) {
			c->id = tn_db_last_id(db);
		} else {
			v = TN_VERDICT_DUPLICATE;
			rc = tn_db_one(db, err, admitted_row, &a, "SELECT c.at,"
				       " coalesce(g.name, '') FROM checkin c LEFT JOIN gate g"
				       " ON g.id = c.gate_id WHERE c.ticket_id = ?1"
				       " AND c.verdict = 'admit'", TN_I(f->id));
			if (rc != TN_OK)
				return rc == TN_NOTFOUND ? tn_err_set(err, TN_FAIL,
					"ticket %" PRId64 ": admitted, but no admitting scan",
					f->id) : rc;
		}
	}
	if (v != TN_VERDICT_ADMIT) {
		/* an unreadable scan keeps what was read; a page's token is
		 * a secret kept only hashed, so it is not */
		const char *input = v != TN_VERDICT_INVALID ? NULL :
			s->kind == TN_SCAN_PAGE_TOKEN ? "(a ticket page link)" : s->text;

		rc = tn_db_run(db, err, "INSERT INTO checkin(event_id, gate_id, ticket_id,"
			       " verdict, walkin, input, at) VALUES(?1, nullif(?2, 0),"
			       " nullif(?3, 0), ?4, ?5, ?6, ?7)", TN_I(d->event_id),
			       TN_I(d->gate_id), TN_I(f->found ? f->id : 0),
			       TN_T(tn_verdict_name(v)), TN_I(walkin), TN_T(input),
			       TN_T(c->at));
		if (rc != TN_OK)
			return rc;
		c->id = tn_db_last_id(db);
		if (input)
			snprintf(c->input, sizeof(c->input), "%s", input);
	}
	c->verdict = v;
	c->event_id = d->event_id;
	memcpy(c->event, d->event, sizeof(c->event));
	memcpy(c->gate, d->gate, sizeof(c->gate));
	c->walkin = walkin;
	if (f->found) {
		c->ticket_id = f->id;
		c->person_id = f->person_id;
		c->name = f->holder;
		f->holder = NULL;
	}
	memcpy(c->admitted_at, a.at, sizeof(a.at));
	memcpy(c->admitted_gate, a.gate, sizeof(a.gate));
	return TN_OK;
}

tn_code tn_checkin_record(struct tn_db *db, struct tn_checkin_job *jobs,
			  size_t n, struct tn_err *err)
{
	struct ticket_facts f;
	size_t i;
	tn_code rc;

	for (i = 0; i < n; i++)
		memset(&jobs[i].result, 0, sizeof(jobs[i].result));
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	for (i = 0; rc == TN_OK && i < n; i++) {
		rc = scan_ticket(db, &jobs[i].scan, &f, err);
		if (rc == TN_OK)
			rc = record(db, jobs[i].door, &jobs[i].scan, &f, 0,
				    &jobs[i].result, err);
		free(f.holder);
	}
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		for (i = 0; i < n; i++)
			tn_checkin_clear(&jobs[i].result);
	return rc;
}

tn_code tn_checkin(struct tn_db *db, const struct tn_door *d, const char *line,
		   struct tn_checkin *out, struct tn_err *err)
{
	struct tn_checkin_job job;
	tn_code rc;

	memset(&job, 0, sizeof(job));
	job.door = d;
	tn_scan_read(d, line ? line : "", line ? strlen(line) : 0, &job.scan);
	rc = tn_checkin_record(db, &job, 1, err);
	*out = job.result;
	return rc;
}

cJSON *tn_checkin_json(const struct tn_checkin *c)
{
	cJSON *o = cJSON_CreateObject();
	int ok = o != NULL;

	ok = ok && cJSON_AddStringToObject(o, "verdict", tn_verdict_name(c->verdict));
	ok = ok && cJSON_AddNumberToObject(o, "id", (double)c->id);
	ok = ok && cJSON_AddStringToObject(o, "event", c->event);
	ok = ok && (c->gate[0] ? cJSON_AddStringToObject(o, "gate", c->gate)
			       : cJSON_AddNullToObject(o, "gate"));
	ok = ok && cJSON_AddStringToObject(o, "at", c->at);
	ok = ok && (c->ticket_id ? cJSON_AddNumberToObject(o, "ticket", (double)c->ticket_id)
				 : cJSON_AddNullToObject(o, "ticket"));
	ok = ok && (c->name ? cJSON_AddStringToObject(o, "name", c->name)
			    : cJSON_AddNullToObject(o, "name"));
	ok = ok && cJSON_AddBoolToObject(o, "walkin", c->walkin);
	if (c->verdict == TN_VERDICT_DUPLICATE) {
		ok = ok && cJSON_AddStringToObject(o, "admitted_at", c->admitted_at);
		ok = ok && (c->admitted_gate[0]
			    ? cJSON_AddStringToObject(o, "admitted_gate", c->admitted_gate)
			    : cJSON_AddNullToObject(o, "admitted_gate"));
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- walk-ins ------------------------------------------------------------ */

static int blank(const char *s)
{
	if (!s)
		return 1;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

tn_code tn_walkin(struct tn_db *db, const struct tn_door *d, const char *name,
		  const char *email, const char *channel, struct tn_checkin *out,
		  struct tn_err *err)
{
	struct tn_rsvp_result res;
	struct ticket_facts f;
	struct tn_scan scan;
	struct tn_channel ch;
	struct tn_event ev;
	int64_t person_id = 0, channel_id = 0, ticket_id = 0;
	int created = 0;
	char id[24];
	tn_code rc;

	memset(out, 0, sizeof(*out));
	memset(&ev, 0, sizeof(ev));
	memset(&f, 0, sizeof(f));
	memset(&scan, 0, sizeof(scan));
	if (blank(name))
		return tn_err_field(err, TN_USAGE, "name", "required: who is at the door?");
	if (blank(email))
		email = NULL;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	snprintf(id, sizeof(id), "%" PRId64, d->event_id);
	rc = find_event(db, id, &ev, err);
	if (rc == TN_OK && channel) {
		if ((rc = tn_channel_find(db, channel, &ch, err)) == TN_OK) {
			channel_id = ch.id;
			tn_channel_clear(&ch);
		} else {
			tn_err_about(err, rc, "channel");
		}
	}
	if (rc == TN_OK)
		rc = tn_person_find_or_add(db, email, name, &person_id, &created, err);
	if (rc == TN_OK)
		rc = tn_registration_walkin(db, &ev, person_id, channel_id, &res, err);
	/* the accepted hook issued the ticket of a new yes */
	if (rc == TN_OK &&
	    (rc = tn_db_int(db, err, &ticket_id, "SELECT id FROM ticket WHERE"
			    " registration_id = ?1 AND state = 'valid'",
			    TN_I(res.registration_id))) == TN_NOTFOUND)
		rc = tn_err_set(err, TN_FAIL, "event '%s': the walk-in's registration "
				"has no ticket", ev.slug);
	if (rc == TN_OK)
		rc = tn_db_one(db, err, facts_row, &f, FACTS_SELECT "WHERE t.id = ?1",
			       TN_I(ticket_id));
	if (rc == TN_OK && f.oom)
		rc = nomem(err);
	if (rc == TN_OK)
		rc = record(db, d, &scan, &f, 1, out, err);
	free(f.holder);
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		tn_checkin_clear(out);
	tn_event_clear(&ev);
	return rc;
}

/* ---- reading the record -------------------------------------------------- */

struct checkin_each {
	int (*fn)(void *ctx, const struct tn_checkin *c);
	void *ctx;
};

static tn_code checkin_each_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct checkin_each *e = ctx;
	struct tn_checkin c;
	const char *v = col(st, 1);
	int i;

	(void)err;
	memset(&c, 0, sizeof(c));
	c.id = sqlite3_column_int64(st, 0);
	for (i = 0; i <= TN_VERDICT_CANCELLED; i++)
		if (v && strcmp(v, verdict_names[i]) == 0)
			c.verdict = (enum tn_verdict)i;
	c.event_id = sqlite3_column_int64(st, 2);
	snprintf(c.event, sizeof(c.event), "%s", col(st, 3));
	snprintf(c.gate, sizeof(c.gate), "%s", col(st, 4));
	snprintf(c.at, sizeof(c.at), "%s", col(st, 5));
	c.ticket_id = sqlite3_column_int64(st, 6);
	c.person_id = sqlite3_column_int64(st, 7);
	c.name = (char *)tn_db_text(st, 8);
	c.walkin = sqlite3_column_int(st, 9);
	snprintf(c.admitted_at, sizeof(c.admitted_at), "%s", col(st, 10));
	snprintf(c.admitted_gate, sizeof(c.admitted_gate), "%s", col(st, 11));
	snprintf(c.input, sizeof(c.input), "%s", col(st, 12));
	return e->fn(e->ctx, &c) ? TN_DB_STOP : TN_OK;
}

tn_code tn_checkin_each(struct tn_db *db, const char *event,
			int (*fn)(void *ctx, const struct tn_checkin *c),
			void *ctx, struct tn_err *err)
{
	struct checkin_each e = { fn, ctx };
	struct tn_event ev;
	tn_code rc;

	memset(&ev, 0, sizeof(ev));
	if ((rc = find_event(db, event, &ev, err)) == TN_OK)
		rc = tn_db_each(db, err, checkin_each_row, &e,
				"SELECT c.id, c.verdict, c.event_id, e.slug,"
				" coalesce(g.name, ''), c.at, coalesce(c.ticket_id, 0),"
				" coalesce(r.person_id, 0), t.holder, c.walkin,"
				" coalesce(a.at, ''), coalesce(ag.name, ''),"
				" coalesce(c.input, '')"
				" FROM checkin c JOIN event e ON e.id = c.event_id"
				" LEFT JOIN gate g ON g.id = c.gate_id"
				" LEFT JOIN ticket t ON t.id = c.ticket_id"
				" LEFT JOIN registration r ON r.id = t.registration_id"
				" LEFT JOIN checkin a ON c.verdict = 'duplicate'"
				"  AND a.ticket_id = c.ticket_id AND a.verdict = 'admit'"
				" LEFT JOIN gate ag ON ag.id = a.gate_id"
				" WHERE c.event_id = ?1 ORDER BY c.id", TN_I(ev.id));
	tn_event_clear(&ev);
	return rc;
}

static tn_code stats_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct tn_door_stats *s = ctx;

	(void)err;
	s->admitted = sqlite3_column_int64(st, 0);
	s->walkins = sqlite3_column_int64(st, 1);
	s->scans = sqlite3_column_int64(st, 2);
	s->expected = sqlite3_column_int64(st, 3);
	return TN_OK;
}

tn_code tn_door_stats(struct tn_db *db, int64_t event_id,
		      struct tn_door_stats *st, struct tn_err *err)
{
	memset(st, 0, sizeof(*st));
	return tn_db_one(db, err, stats_row, st,
			 "SELECT (SELECT count(*) FROM checkin WHERE event_id = ?1"
			 "  AND verdict = 'admit'),"
			 " (SELECT count(*) FROM checkin WHERE event_id = ?1"
			 "  AND verdict = 'admit' AND walkin),"
			 " (SELECT count(*) FROM checkin WHERE event_id = ?1),"
			 " (SELECT count(*) FROM ticket t JOIN registration r"
			 "  ON r.id = t.registration_id WHERE t.event_id = ?1"
			 "  AND t.state = 'valid' AND r.status = 'yes')", TN_I(event_id));
}

struct revoked_each {
	int (*fn)(void *ctx, int64_t ticket_id);
	void *ctx;
};

static tn_code revoked_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct revoked_each *e = ctx;

	(void)err;
	return e->fn(e->ctx, sqlite3_column_int64(st, 0)) ? TN_DB_STOP : TN_OK;
}

tn_code tn_door_revoked_each(struct tn_db *db, int64_t event_id,
			     int (*fn)(void *ctx, int64_t ticket_id), void *ctx,
			     struct tn_err *err)
{
	struct revoked_each e = { fn, ctx };

	return tn_db_each(db, err, revoked_row, &e, "SELECT t.id FROM ticket t"
			  " JOIN registration r ON r.id = t.registration_id"
			  " WHERE t.event_id = ?1 AND (t.state = 'revoked'"
			  " OR r.status <> 'yes') ORDER BY t.id", TN_I(event_id));
}
