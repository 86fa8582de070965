/*
 * person.c - people and their follows (person.h): owns tables person,
 * follower, suppression and suppression_key. Lookup, listing, unfollowing,
 * merging two people and forgetting (with the suppression list that makes
 * an erasure last) run a few statements each through the store's helpers;
 * the bulk writer keeps its statements prepared for the import
 * (import.c), which decides what to write but holds no SQL on these
 * tables: a call per row operation, and batch calls that look up a
 * sorted batch of addresses by walking the tables in key order and write
 * many rows with one INSERT ... SELECT over them (read from C memory as
 * the virtual table tn_person_rows). The CSV, sorting and the merging of
 * a file's rows are import.c's.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/invite.h"
#include "turnout/outbox.h"
#include "turnout/person.h"
#include "turnout/registration.h"
#include "turnout/store.h"
#include "turnout/sync.h"
#include "turnout/text.h"
#include "turnout/ticket.h"
#include "turnout/unicode.h"

/* A person's identity: the key of their address (tn_email_key), stored
 * in email_key only where it differs from the address, and UNIQUE through
 * the index person_email on this very expression, which every lookup by
 * address uses (so it must be written exactly so; _P for alias p). */
#define PERSON_KEY "coalesce(email_key, email)"
#define PERSON_KEY_P "coalesce(p.email_key, p.email)"

#define ROW_COLUMNS \
	"SELECT p.id, p.name, p.email, c.name, c.kind, f.handle, f.region," \
	" f.followed_at, f.unfollowed_at, p.forgotten_at"

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

struct ids_ctx {
	int64_t *id;
	struct tn_buf ids;
	int n;
};

static tn_code collect_id(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct ids_ctx *c = vctx;

	*c->id = sqlite3_column_int64(row, 0);
	if (tn_buf_addf(&c->ids, "%s%" PRId64, c->n++ ? ", " : "", *c->id) != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	return TN_OK;
}

static tn_code resolve_by_handle(struct tn_db *db, const char *ref,
				 int64_t *id, struct tn_err *err)
{
	struct ids_ctx c = { id, TN_BUF_INIT, 0 };
	tn_code rc;

	rc = tn_db_each(db, err, collect_id, &c,
			"SELECT DISTINCT person_id FROM follower"
			" WHERE handle = ?1 COLLATE NOCASE ORDER BY person_id",
			TN_T(ref[0] == '@' ? ref + 1 : ref));
	if (rc == TN_OK && c.n == 0) {
		rc = tn_err_set(err, TN_NOTFOUND, "person '%s': no such person", ref);
		tn_err_next(err, TN_NEXT_LIST_PEOPLE);
	} else if (rc == TN_OK && c.n > 1) {
		rc = tn_err_set(err, TN_USAGE, "person '%s': handle of %d people", ref, c.n);
		tn_err_hint(err, "name one by id: %s", c.ids.data);
	}
	tn_buf_free(&c.ids);
	return rc;
}

tn_code tn_person_resolve(struct tn_db *db, const char *ref, int64_t *id,
			  struct tn_err *err)
{
	struct tn_buf email = TN_BUF_INIT;
	tn_code rc;

	if (all_digits(ref)) {
		rc = tn_db_int(db, err, id, "SELECT id FROM person WHERE id = ?1",
			       TN_I(strtoll(ref, NULL, 10)));
	} else if (ref[0] != '@' && strchr(ref, '@') &&
		   tn_email_normalize(ref, &email, NULL) == TN_OK) {
		struct tn_buf key = TN_BUF_INIT;

		rc = tn_email_key(email.data, email.len, &key);
		if (rc != TN_OK)
			rc = tn_err_set(err, rc, "out of memory");
		else
			rc = tn_db_int(db, err, id, "SELECT id FROM person"
				       " WHERE " PERSON_KEY " = ?1", TN_T(key.data));
		tn_buf_free(&key);
		tn_buf_free(&email);
		/* A Mastodon handle (user@host) looks like an address. */
		if (rc == TN_NOTFOUND && resolve_by_handle(db, ref, id, NULL) == TN_OK)
			return TN_OK;
	} else {
		return resolve_by_handle(db, ref, id, err);
	}
	if (rc == TN_NOTFOUND) {
		tn_err_set(err, TN_NOTFOUND, "person '%s': no such person", ref);
		tn_err_next(err, TN_NEXT_LIST_PEOPLE);
	}
	return rc;
}

struct rows_ctx {
	int (*fn)(void *ctx, const struct tn_follow_row *row);
	void *ctx;
};

static tn_code follow_row(void *vctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct rows_ctx *c = vctx;
	struct tn_follow_row r;

	(void)err;
	r.person_id = sqlite3_column_int64(st, 0);
	r.name = tn_db_text(st, 1);
	r.email = tn_db_text(st, 2);
	r.channel = tn_db_text(st, 3);
	r.kind = tn_db_text(st, 4);
	r.handle = tn_db_text(st, 5);
	r.region = tn_db_text(st, 6);
	r.followed_at = tn_db_text(st, 7);
	r.unfollowed_at = tn_db_text(st, 8);
	r.forgotten_at = tn_db_text(st, 9);
	return c->fn(c->ctx, &r) ? TN_DB_STOP : TN_OK;
}

tn_code tn_follower_each(struct tn_db *db,
			 const struct tn_follower_filter *filter,
			 int (*fn)(void *ctx, const struct tn_follow_row *row),
			 void *ctx, struct tn_err *err)
{
	struct rows_ctx c = { fn, ctx };
	struct tn_channel ch;
	int64_t channel_id = 0;
	tn_code rc;

	if (filter && filter->channel) {
		if ((rc = tn_channel_find(db, filter->channel, &ch, err)) != TN_OK)
			return rc;
		channel_id = ch.id;
		tn_channel_clear(&ch);
	}
	return tn_db_each(db, err, follow_row, &c,
			  ROW_COLUMNS
			  " FROM person p JOIN follower f ON f.person_id = p.id"
			  " JOIN channel c ON c.id = f.channel_id"
			  " WHERE p.forgotten_at IS NULL"
			  /* both filters hold for one follower row: "follows
			   * tg from Berlin", not "follows tg, and is in
			   * Berlin on some channel" */
			  " AND (?1 = 0 AND ?2 IS NULL OR p.id IN ("
			  "      SELECT person_id FROM follower"
			  "      WHERE (?1 = 0 OR channel_id = ?1 AND unfollowed_at IS NULL)"
			  "        AND (?2 IS NULL OR tn_fold(region) = tn_fold(?2))))"
			  " ORDER BY p.id, c.name", TN_I(channel_id),
			  TN_T(filter ? filter->region : NULL));
}

tn_code tn_person_each(struct tn_db *db, int64_t person_id,
		       int (*fn)(void *ctx, const struct tn_follow_row *row),
		       void *ctx, struct tn_err *err)
{
	struct rows_ctx c = { fn, ctx };

	return tn_db_each(db, err, follow_row, &c,
			  ROW_COLUMNS
			  " FROM person p LEFT JOIN follower f ON f.person_id = p.id"
			  " LEFT JOIN channel c ON c.id = f.channel_id"
			  " WHERE p.id = ?1 ORDER BY c.name", TN_I(person_id));
}

/* ---- suppression ------------------------------------------------------- */

/* A forgotten person's address and handles live on only as keyed hashes
 * (BLAKE2b, libsodium's crypto_generichash) in table suppression, so
 * that an import can tell their rows and skip them, while the table
 * itself names no one: without the database's own key (suppression_key,
 * 32 random bytes made at the first forget) a list of guessed addresses
 * cannot be matched against it, and a hash is tied to no row. What is
 * hashed is what identifies: the address's key (tn_email_key), or a
 * channel kind and a handle in ASCII lower case without its '@' (a
 * handle is someone on channels of one kind). */
#define SUPPRESSION_KEY_BYTES 32
#define SUPPRESSION_HASH_BYTES 32

struct suppression {
	int have_key;
	unsigned char key[SUPPRESSION_KEY_BYTES];
};

static tn_code key_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct suppression *sup = ctx;

	(void)err;
	if (sqlite3_column_bytes(row, 0) == SUPPRESSION_KEY_BYTES) {
		memcpy(sup->key, sqlite3_column_blob(row, 0), SUPPRESSION_KEY_BYTES);
		sup->have_key = 1;
	}
	return TN_OK;
}

/* Loads the database's suppression key; with create, makes it first if
 * there is none (inside the caller's transaction). */
static tn_code suppression_open(struct tn_db *db, int create,
				struct suppression *sup, struct tn_err *err)
{
	tn_code rc;

	memset(sup, 0, sizeof(*sup));
	rc = tn_db_one(db, err, key_row, sup, "SELECT key FROM suppression_key WHERE id = 1");
	if (rc == TN_NOTFOUND)
		rc = TN_OK;
	if (rc != TN_OK || sup->have_key || !create)
		return rc;
	if (sodium_init() < 0)
		return tn_err_set(err, TN_FAIL, "libsodium: cannot initialise");
	randombytes_buf(sup->key, sizeof(sup->key));
	rc = tn_db_run(db, err, "INSERT INTO suppression_key(id, key) VALUES(1, ?1)",
		       TN_B(sup->key, SUPPRESSION_KEY_BYTES));
	sup->have_key = rc == TN_OK;
	return rc;
}

static void suppression_close(struct suppression *sup)
{
	sodium_memzero(sup->key, sizeof(sup->key));
}

/* The hash of what identifies: parts joined with NUL bytes ("email", key)
 * or ("handle", kind, lower-case handle). */
static tn_code suppression_hash(const struct suppression *sup, const char *what,
				const char *a, const char *b,
				unsigned char out[SUPPRESSION_HASH_BYTES])
{
	struct tn_buf in = TN_BUF_INIT;
	size_t i;
	tn_code rc;

	rc = tn_buf_add(&in, what);
	if (rc == TN_OK)
		rc = tn_buf_addn(&in, "", 1);
	if (rc == TN_OK)
		rc = tn_buf_add(&in, a);
	if (rc == TN_OK && b) {
		if ((rc = tn_buf_addn(&in, "", 1)) == TN_OK) {
			size_t from = in.len;

			if (*b == '@')   /* one leading '@', as the import drops it */
				b++;
			rc = tn_buf_add(&in, b);
			for (i = from; rc == TN_OK && i < in.len; i++)
				if (in.data[i] >= 'A' && in.data[i] <= 'Z')
					in.data[i] = (char)(in.data[i] - 'A' + 'a');
		}
	}
	if (rc == TN_OK)
		crypto_generichash(out, SUPPRESSION_HASH_BYTES, (const unsigned char *)in.data,
				   in.len, sup->key, sizeof(sup->key));
	tn_buf_free(&in);
	return rc == TN_OK ? TN_OK : TN_NOMEM;
}

/* The hash of a normalised address (by its key). */
static tn_code hash_email(const struct suppression *sup, const char *email,
			  unsigned char out[SUPPRESSION_HASH_BYTES])
{
	struct tn_buf key = TN_BUF_INIT;
	tn_code rc = tn_email_key(email, strlen(email), &key);

	if (rc == TN_OK)
		rc = suppression_hash(sup, "email", key.data, NULL, out);
	tn_buf_free(&key);
	return rc;
}

static tn_code hash_handle(const struct suppression *sup, const char *kind,
			   const char *handle, unsigned char out[SUPPRESSION_HASH_BYTES])
{
	return suppression_hash(sup, "handle", kind, handle, out);
}

struct suppress_ctx {
	struct tn_db *db;
	const struct suppression *sup;
	int added;
};

static tn_code suppress_hash(struct suppress_ctx *c,
			     const unsigned char hash[SUPPRESSION_HASH_BYTES],
			     struct tn_err *err)
{
	tn_code rc = tn_db_run(c->db, err, "INSERT INTO suppression(hash) VALUES(?1)"
			       " ON CONFLICT DO NOTHING",
			       TN_B(hash, SUPPRESSION_HASH_BYTES));

	if (rc == TN_OK)
		c->added += tn_db_changes(c->db);
	return rc;
}

/* Row callback: column 0 is "email" or a channel kind, column 1 the
 * address or the handle. */
static tn_code suppress_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct suppress_ctx *c = vctx;
	unsigned char hash[SUPPRESSION_HASH_BYTES];
	const char *what = tn_db_text(row, 0), *value = tn_db_text(row, 1);
	tn_code rc;

	rc = strcmp(what, "email") == 0 ? hash_email(c->sup, value, hash)
					: hash_handle(c->sup, what, value, hash);
	if (rc != TN_OK)
		return tn_err_set(err, rc, "out of memory");
	return suppress_hash(c, hash, err);
}

/* The person's address and every handle, as the import would meet
 * them: "email" and the address, or the kind and the handle. */
#define IDENTIFIERS \
	"SELECT 'email', email FROM person WHERE id = ?1 AND email IS NOT NULL" \
	" UNION ALL SELECT c.kind, f.handle FROM follower f" \
	" JOIN channel c ON c.id = f.channel_id" \
	" WHERE f.person_id = ?1 AND f.handle IS NOT NULL"

/* Puts the hashes of a person's address and handles on the list (before
 * they are erased). */
static tn_code suppress_person(struct tn_db *db, int64_t person_id,
			       struct tn_err *err)
{
	struct suppression sup;
	struct suppress_ctx c = { db, &sup, 0 };
	tn_code rc;

	if ((rc = suppression_open(db, 1, &sup, err)) == TN_OK)
		rc = tn_db_each(db, err, suppress_row, &c, IDENTIFIERS, TN_I(person_id));
	suppression_close(&sup);
	return rc;
}

static tn_code hash_listed(struct tn_db *db,
			   const unsigned char hash[SUPPRESSION_HASH_BYTES],
			   int *listed, struct tn_err *err)
{
	int64_t one;
	tn_code rc = tn_db_int(db, err, &one, "SELECT 1 FROM suppression WHERE hash = ?1",
			       TN_B(hash, SUPPRESSION_HASH_BYTES));

	*listed = rc == TN_OK;
	return rc == TN_NOTFOUND ? TN_OK : rc;
}

tn_code tn_person_suppressed(struct tn_db *db, const char *email,
			     const char *kind, const char *handle,
			     int *suppressed, struct tn_err *err)
{
	unsigned char hash[SUPPRESSION_HASH_BYTES];
	struct tn_buf norm = TN_BUF_INIT;
	struct suppression sup;
	tn_code rc;

	*suppressed = 0;
	if (email && (rc = tn_email_normalize(email, &norm, err)) != TN_OK) {
		tn_buf_free(&norm);
		return tn_err_about(err, rc, "email");
	}
	rc = suppression_open(db, 0, &sup, err);
	if (rc == TN_OK && sup.have_key && email) {
		if ((rc = hash_email(&sup, norm.data, hash)) == TN_OK)
			rc = hash_listed(db, hash, suppressed, err);
		else
			rc = tn_err_set(err, rc, "out of memory");
	}
	if (rc == TN_OK && sup.have_key && !*suppressed && kind && handle) {
		if ((rc = hash_handle(&sup, kind, handle, hash)) == TN_OK)
			rc = hash_listed(db, hash, suppressed, err);
		else
			rc = tn_err_set(err, rc, "out of memory");
	}
	suppression_close(&sup);
	tn_buf_free(&norm);
	return rc;
}

/* Removes (or, dry, counts) the hashes ref may have on the list: as a
 * handle on channels of every kind, and as an address when it is one. */
static tn_code allow_return(struct tn_db *db, const char *ref, int dry_run,
			    int *removed, struct tn_err *err)
{
	unsigned char hash[SUPPRESSION_HASH_BYTES];
	struct tn_buf email = TN_BUF_INIT;
	struct suppression sup;
	const char *kind;
	int listed;
	size_t i, n = tn_channel_kind_count();
	tn_code rc;

	/* a Mastodon handle (user@host) looks like an address: it is
	 * tried as both */
	if (ref[0] != '@' && strchr(ref, '@') &&
	    tn_email_normalize(ref, &email, NULL) != TN_OK)
		tn_buf_reset(&email);
	rc = suppression_open(db, 0, &sup, err);
	for (i = 0; rc == TN_OK && sup.have_key && i <= n; i++) {
		kind = i < n ? tn_channel_kind_at(i) : NULL;
		if (!kind && !email.len)
			break;
		rc = kind ? hash_handle(&sup, kind, ref, hash) : hash_email(&sup, email.data, hash);
		if (rc != TN_OK) {
			rc = tn_err_set(err, rc, "out of memory");
		} else if (dry_run) {
			rc = hash_listed(db, hash, &listed, err);
			*removed += listed;
		} else {
			rc = tn_db_run(db, err, "DELETE FROM suppression WHERE hash = ?1",
				       TN_B(hash, SUPPRESSION_HASH_BYTES));
			*removed += rc == TN_OK ? tn_db_changes(db) : 0;
		}
	}
	suppression_close(&sup);
	tn_buf_free(&email);
	if (rc == TN_OK && *removed == 0) {
		rc = tn_err_set(err, TN_NOTFOUND, "'%s': not the address or handle of a"
				" forgotten person", ref);
		tn_err_hint(err, "give an address or handle the person was known by;"
			    " an id cannot bring them back, as what it stood for is erased");
	}
	return rc;
}

tn_code tn_person_allow_return(struct tn_db *db, const char *ref, int dry_run,
			       int *removed, struct tn_err *err)
{
	tn_code rc;

	*removed = 0;
	if (dry_run)   /* reads only */
		return allow_return(db, ref, 1, removed, err);
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = allow_return(db, ref, 0, removed, err);
	return tn_db_end(db, rc, err);
}

/* ---- picking people to write to ------------------------------------------ */

/* A JSON array of ids, as json_each reads a list bound as one value. */
static tn_code id_list(const int64_t *ids, size_t n, struct tn_buf *b)
{
	size_t i;
	tn_code rc = tn_buf_add(b, "[");

	for (i = 0; rc == TN_OK && i < n; i++)
		rc = tn_buf_addf(b, "%s%" PRId64, i ? "," : "", ids[i]);
	if (rc == TN_OK)
		rc = tn_buf_add(b, "]");
	return rc;
}

struct pick_ctx {
	struct tn_db *db;
	int (*fn)(void *ctx, const struct tn_person_picked *p);
	void *ctx;
	struct suppression sup;     /* the key, while anyone unsubscribed */
};

static tn_code pick_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct pick_ctx *c = vctx;
	struct tn_person_picked p;
	unsigned char hash[SUPPRESSION_HASH_BYTES];
	int64_t one;
	tn_code rc;

	memset(&p, 0, sizeof(p));
	p.id = sqlite3_column_int64(row, 0);
	p.email = tn_db_text(row, 1);
	p.name = tn_db_text(row, 2);
	p.channel_id = sqlite3_column_int64(row, 3);
	p.channel = tn_db_text(row, 4);
	if (p.email && c->sup.have_key) {
		if (hash_email(&c->sup, p.email, hash) != TN_OK)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		rc = tn_db_int(c->db, err, &one, "SELECT 1 FROM unsubscribed WHERE hash = ?1",
			       TN_B(hash, SUPPRESSION_HASH_BYTES));
		if (rc != TN_OK && rc != TN_NOTFOUND)
			return rc;
		p.unsubscribed = rc == TN_OK;
	}
	return c->fn(c->ctx, &p) ? TN_DB_STOP : TN_OK;
}

tn_code tn_person_pick(struct tn_db *db, const struct tn_person_pick *pick,
		       int (*fn)(void *ctx, const struct tn_person_picked *p),
		       void *ctx, struct tn_err *err)
{
	struct pick_ctx c = { .db = db, .fn = fn, .ctx = ctx };
	struct tn_buf channels = TN_BUF_INIT, persons = TN_BUF_INIT;
	int64_t any;
	tn_code rc;

	rc = id_list(pick->channel_ids, pick->nchannels, &channels);
	if (rc == TN_OK)
		rc = id_list(pick->person_ids, pick->npersons, &persons);
	if (rc != TN_OK) {
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
		goto done;
	}
	/* the key is loaded only while someone is unsubscribed */
	rc = tn_db_int(db, err, &any, "SELECT EXISTS(SELECT 1 FROM unsubscribed)");
	if (rc == TN_OK && any)
		rc = suppression_open(db, 0, &c.sup, err);
	if (rc != TN_OK)
		goto done;
	/* want: the channels in order of preference; src: each follower's
	 * first wanted channel (SQLite takes the bare channel_id from the
	 * row that gives min(pos)) */
	rc = tn_db_each(db, err, pick_row, &c,
		"WITH want(pos, channel_id) AS ("
		"  SELECT key, value FROM json_each(?1) WHERE ?3 > 0"
		"  UNION ALL SELECT id, id FROM channel WHERE ?3 = 0),"
		" src AS ("
		"  SELECT f.person_id, f.channel_id, min(w.pos) AS pos"
		"  FROM want w JOIN follower f ON f.channel_id = w.channel_id"
		"  WHERE f.unfollowed_at IS NULL"
		"    AND (?2 IS NULL OR tn_fold(f.region) = tn_fold(?2))"
		"  GROUP BY f.person_id)"
		" SELECT p.id, p.email, p.name, s.channel_id, c.name"
		" FROM person p LEFT JOIN src s ON s.person_id = p.id"
		" LEFT JOIN channel c ON c.id = s.channel_id"
		" WHERE p.forgotten_at IS NULL AND CASE WHEN ?5 = 0"
		"   THEN s.person_id IS NOT NULL"
		"   ELSE p.id IN (SELECT value FROM json_each(?4))"
		"     AND (?6 = 0 OR s.person_id IS NOT NULL) END"
		" ORDER BY p.id",
		TN_T(channels.data), TN_T(pick->region), TN_I((int64_t)pick->nchannels),
		TN_T(persons.data), TN_I((int64_t)pick->npersons),
		TN_I(pick->must_follow));
	if (rc == TN_DB_STOP)
		rc = TN_OK;
done:
	suppression_close(&c.sup);
	tn_buf_free(&channels);
	tn_buf_free(&persons);
	return rc;
}

static tn_code email_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	(void)err;
	return tn_buf_add(ctx, tn_db_text(row, 0)) == TN_OK ? TN_OK : TN_NOMEM;
}

tn_code tn_person_unsubscribe(struct tn_db *db, int64_t person_id,
			      int *changed, struct tn_err *err)
{
	struct suppression sup;
	struct tn_buf email = TN_BUF_INIT;
	unsigned char hash[SUPPRESSION_HASH_BYTES];
	char now[21];
	tn_code rc;

	*changed = 0;
	memset(&sup, 0, sizeof(sup));
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_db_one(db, err, email_row, &email, "SELECT email FROM person"
		       " WHERE id = ?1 AND email IS NOT NULL", TN_I(person_id));
	if (rc == TN_NOTFOUND)
		tn_err_set(err, TN_NOTFOUND, "person %" PRId64 ": no address to "
			   "unsubscribe", person_id);
	else if (rc == TN_NOMEM)
		tn_err_set(err, TN_NOMEM, "out of memory");
	if (rc == TN_OK)
		rc = suppression_open(db, 1, &sup, err);
	if (rc == TN_OK && hash_email(&sup, email.data, hash) != TN_OK)
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	if (rc == TN_OK) {
		tn_now_utc(now);
		rc = tn_db_run(db, err, "INSERT INTO unsubscribed(hash, at) VALUES(?1, ?2)"
			       " ON CONFLICT DO NOTHING",
			       TN_B(hash, SUPPRESSION_HASH_BYTES), TN_T(now));
		if (rc == TN_OK)
			*changed = tn_db_changes(db) == 1;
	}
	/* what is queued for them and not yet on its way goes too */
	if (rc == TN_OK)
		rc = tn_outbox_unsubscribed(db, person_id, err);
	rc = tn_db_end(db, rc, err);
	suppression_close(&sup);
	sodium_memzero(email.data, email.len);
	tn_buf_free(&email);
	return rc;
}

/* ---- finding or adding one person by address ---------------------------- */

struct found_person {
	int64_t id;
	int named;
};

static tn_code found_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct found_person *f = ctx;

	(void)err;
	f->id = sqlite3_column_int64(row, 0);
	f->named = sqlite3_column_type(row, 1) != SQLITE_NULL;
	return TN_OK;
}

/* Checks name (when given) and writes its NFC form into out. */
static tn_code person_name(const char *name, struct tn_buf *out,
			   struct tn_err *err)
{
	tn_code rc;

	if (!name)
		return TN_OK;
	if ((rc = tn_text_check(name, 0, err)) != TN_OK)
		return tn_err_about(err, rc, "name");
	if ((rc = tn_utf8_nfc(name, strlen(name), out)) != TN_OK)
		return tn_err_set(err, rc, "out of memory");
	return TN_OK;
}

/* tn_person_find_or_add without an address: always a new person. */
static tn_code add_unaddressed(struct tn_db *db, const char *name, int64_t *id,
			       int *created, struct tn_err *err)
{
	struct tn_buf nfc = TN_BUF_INIT;
	char now[21];
	tn_code rc;

	if ((rc = person_name(name, &nfc, err)) == TN_OK && !nfc.len)
		rc = tn_err_field(err, TN_USAGE, "name", "required for a person "
				  "without an address");
	if (rc == TN_OK) {
		tn_now_utc(now);
		rc = tn_db_run(db, err, "INSERT INTO person(name, created_at)"
			       " VALUES(?1, ?2)", TN_T(nfc.data), TN_T(now));
	}
	if (rc == TN_OK) {
		*id = tn_db_last_id(db);
		*created = 1;
	}
	tn_buf_free(&nfc);
	return rc;
}

tn_code tn_person_find_or_add(struct tn_db *db, const char *email,
			      const char *name, int64_t *id, int *created,
			      struct tn_err *err)
{
	struct tn_buf norm = TN_BUF_INIT, key = TN_BUF_INIT, nfc = TN_BUF_INIT;
	struct found_person f = { 0, 0 };
	int suppressed;
	char now[21];
	tn_code rc;

	*created = 0;
	if (!email)
		return add_unaddressed(db, name, id, created, err);
	if ((rc = tn_email_normalize(email, &norm, err)) != TN_OK) {
		if (rc != TN_NOMEM)
			rc = tn_err_prefix(err, TN_USAGE, "'%s'", email);
		tn_err_about(err, rc, "email");
		goto out;
	}
	if ((rc = person_name(name, &nfc, err)) != TN_OK)
		goto out;
	if ((rc = tn_email_key(norm.data, norm.len, &key)) != TN_OK) {
		rc = tn_err_set(err, rc, "out of memory");
		goto out;
	}
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		goto out;
	rc = tn_person_suppressed(db, norm.data, NULL, NULL, &suppressed, err);
	if (rc == TN_OK && suppressed) {
		rc = tn_err_field(err, TN_CONFLICT, "email", "'%s': belongs to a "
				  "person who was forgotten; erasure lasts", email);
		tn_err_hint(err, "they come back only at their own request "
			    "(follower forget --allow-return ADDRESS)");
	}
	if (rc == TN_OK)
		rc = tn_db_one(db, err, found_row, &f, "SELECT id, name FROM person"
			       " WHERE " PERSON_KEY " = ?1", TN_T(key.data));
	if (rc == TN_OK && !f.named && name && nfc.len)
		rc = tn_db_run(db, err, "UPDATE person SET name = ?2 WHERE id = ?1",
			       TN_I(f.id), TN_T(nfc.data));
	if (rc == TN_NOTFOUND) {
		tn_now_utc(now);
		rc = tn_db_run(db, err, "INSERT INTO person(email, email_key, name,"
			       " created_at) VALUES(?1, nullif(?2, ?1), ?3, ?4)",
			       TN_T(norm.data), TN_T(key.data),
			       TN_T(name && nfc.len ? nfc.data : NULL), TN_T(now));
		f.id = tn_db_last_id(db);
		*created = rc == TN_OK;
	}
	rc = tn_db_end(db, rc, err);
	if (rc == TN_OK)
		*id = f.id;
	else
		*created = 0;
out:
	tn_buf_free(&norm);
	tn_buf_free(&key);
	tn_buf_free(&nfc);
	return rc;
}

/* This module's part of forgetting: the handles (the person row itself
 * is stamped by tn_person_forget). */
static tn_code forget_follows(struct tn_db *db, int64_t person_id,
			      struct tn_err *err)
{
	return tn_db_run(db, err, "UPDATE follower SET handle = NULL"
			 " WHERE person_id = ?1", TN_I(person_id));
}

/* Every module that stores a person's data erases its part here, inside
 * the forget transaction: add its tn_<module>_forget to this list when
 * it gets a table with personal data (invitations, registrations,
 * check-ins ...). */
static tn_code (*const forget_hooks[])(struct tn_db *, int64_t, struct tn_err *) = {
	tn_sync_forget,         /* before the handles it looks for are erased */
	forget_follows,
	tn_invite_forget,
	tn_registration_forget,
	tn_ticket_forget,
};

tn_code tn_person_forget(struct tn_db *db, int64_t person_id, int *done,
			 int *flushed, struct tn_err *err)
{
	int64_t one;
	char now[21];
	size_t i;
	tn_code rc;

	*done = *flushed = 0;
	tn_now_utc(now);
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	/* first the suppression list, while the address and handles are
	 * still there to hash */
	rc = tn_db_int(db, err, &one, "SELECT 1 FROM person WHERE id = ?1"
		       " AND forgotten_at IS NULL", TN_I(person_id));
	if (rc == TN_OK)
		rc = suppress_person(db, person_id, err);
	else if (rc == TN_NOTFOUND)
		rc = TN_OK;
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "UPDATE person SET name = NULL, email = NULL,"
			       " email_key = NULL, forgotten_at = ?2"
			       " WHERE id = ?1 AND forgotten_at IS NULL",
			       TN_I(person_id), TN_T(now));
	if (rc == TN_OK && tn_db_changes(db) == 1) {
		*done = 1;
		for (i = 0; rc == TN_OK && i < sizeof(forget_hooks) / sizeof(forget_hooks[0]); i++)
			rc = forget_hooks[i](db, person_id, err);
	}
	rc = tn_db_end(db, rc, err);
	/* The old page images live on in the WAL until a checkpoint copies
	 * the (zeroed) pages back; TRUNCATE then empties the WAL file. It
	 * cannot finish while another process reads the database: that is
	 * reported, not an error, and a repeated forget tries again. */
	if (rc == TN_OK)
		*flushed = tn_db_checkpoint(db);
	return rc;
}

static tn_code plan_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct tn_forget_plan *plan = ctx;

	(void)err;
	plan->forgotten = sqlite3_column_int(row, 0);
	plan->name = sqlite3_column_int(row, 1);
	plan->email = sqlite3_column_int(row, 2);
	plan->handles = sqlite3_column_int(row, 3);
	plan->follows = sqlite3_column_int(row, 4);
	plan->identifiers = plan->email + sqlite3_column_int(row, 5);
	return TN_OK;
}

tn_code tn_person_forget_plan(struct tn_db *db, int64_t person_id,
			      struct tn_forget_plan *plan, struct tn_err *err)
{
	tn_code rc;

	memset(plan, 0, sizeof(*plan));
	rc = tn_db_one(db, err, plan_row, plan,
		       "SELECT p.forgotten_at IS NOT NULL, p.name IS NOT NULL,"
		       " p.email IS NOT NULL,"
		       " (SELECT count(*) FROM follower WHERE person_id = p.id"
		       "  AND handle IS NOT NULL),"
		       " (SELECT count(*) FROM follower WHERE person_id = p.id),"
		       " (SELECT count(*) FROM (SELECT DISTINCT c.kind, f.handle COLLATE NOCASE"
		       "  FROM follower f JOIN channel c ON c.id = f.channel_id"
		       "  WHERE f.person_id = p.id AND f.handle IS NOT NULL))"
		       " FROM person p WHERE p.id = ?1", TN_I(person_id));
	if (rc == TN_NOTFOUND)
		rc = tn_err_set(err, TN_NOTFOUND, "person %" PRId64 ": no such person", person_id);
	return rc;
}

/* ---- unfollowing -------------------------------------------------------- */

tn_code tn_person_unfollow(struct tn_db *db, int64_t person_id,
			   const char *channel, int *changed, struct tn_err *err)
{
	struct tn_channel ch;
	char today[11];
	int64_t one;
	tn_code rc;

	*changed = 0;
	if (!channel || !*channel)
		return tn_err_field(err, TN_USAGE, "channel", "required");
	if ((rc = tn_channel_find(db, channel, &ch, err)) != TN_OK)
		return rc;
	tn_today(today);
	if ((rc = tn_db_begin(db, err)) == TN_OK) {
		rc = tn_db_run(db, err, "UPDATE follower SET unfollowed_at = ?3"
			       " WHERE person_id = ?1 AND channel_id = ?2"
			       " AND unfollowed_at IS NULL",
			       TN_I(person_id), TN_I(ch.id), TN_T(today));
		if (rc == TN_OK)
			*changed = tn_db_changes(db);
		if (rc == TN_OK && !*changed) {
			rc = tn_db_int(db, err, &one, "SELECT 1 FROM follower"
				       " WHERE person_id = ?1 AND channel_id = ?2",
				       TN_I(person_id), TN_I(ch.id));
			if (rc == TN_NOTFOUND)
				rc = tn_err_set(err, TN_NOTFOUND, "person %" PRId64 ": does not"
						" follow '%s'", person_id, ch.name);
		}
		rc = tn_db_end(db, rc, err);
	}
	tn_channel_clear(&ch);
	return rc;
}

/* ---- merging ----------------------------------------------------------- */

/* This module's part of a merge: gone's follows become keep's. Where
 * both follow a channel, the rows become one: the earlier followed_at,
 * keep's handle and region unless NULL, and still following if either
 * row is (migration 3 and 4 merge the same way). */
static tn_code merge_follows(struct tn_db *db, int64_t keep, int64_t gone,
			     struct tn_err *err)
{
	tn_code rc;

	rc = tn_db_run(db, err,
		       "UPDATE follower AS k SET handle = coalesce(k.handle, g.handle),"
		       " region = coalesce(k.region, g.region),"
		       " followed_at = coalesce(min(k.followed_at, g.followed_at),"
		       "                        k.followed_at, g.followed_at),"
		       " unfollowed_at = CASE WHEN k.unfollowed_at IS NULL"
		       "   OR g.unfollowed_at IS NULL THEN NULL"
		       "   ELSE max(k.unfollowed_at, g.unfollowed_at) END"
		       " FROM follower AS g"
		       " WHERE k.person_id = ?1 AND g.person_id = ?2 AND g.channel_id = k.channel_id",
		       TN_I(keep), TN_I(gone));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM follower WHERE person_id = ?2"
			       " AND channel_id IN (SELECT channel_id FROM follower"
			       "                    WHERE person_id = ?1)",
			       TN_I(keep), TN_I(gone));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "UPDATE follower SET person_id = ?1"
			       " WHERE person_id = ?2", TN_I(keep), TN_I(gone));
	return rc;
}

/* Every module that refers to a person moves its rows here, inside the
 * merge's transaction, as forget_hooks erase them: add its
 * tn_<module>_merge when it gets a table with a person_id. */
static tn_code (*const merge_hooks[])(struct tn_db *, int64_t, int64_t,
				      struct tn_err *) = {
	merge_follows,
	tn_invite_merge,
	tn_ticket_merge,        /* before the registrations it refers to go */
	tn_registration_merge,
};

tn_code tn_person_merge(struct tn_db *db, int64_t keep, int64_t gone,
			struct tn_err *err)
{
	size_t i;
	tn_code rc;

	if (keep == gone)
		return tn_err_set(err, TN_USAGE, "person %" PRId64 ": cannot be merged"
				  " into itself", keep);
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	for (i = 0; rc == TN_OK && i < sizeof(merge_hooks) / sizeof(merge_hooks[0]); i++)
		rc = merge_hooks[i](db, keep, gone, err);
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "UPDATE person SET"
			       " name = coalesce(name, (SELECT name FROM person WHERE id = ?2)),"
			       " created_at = min(created_at,"
			       "   (SELECT created_at FROM person WHERE id = ?2))"
			       " WHERE id = ?1", TN_I(keep), TN_I(gone));
	/* only a person without an address, and neither of them forgotten */
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM person WHERE id = ?2 AND email IS NULL"
			       " AND forgotten_at IS NULL AND EXISTS (SELECT 1 FROM person"
			       "   WHERE id = ?1 AND forgotten_at IS NULL)",
			       TN_I(keep), TN_I(gone));
	if (rc == TN_OK && tn_db_changes(db) != 1)
		rc = tn_err_set(err, TN_CONFLICT, "person %" PRId64 ": cannot be merged into"
				" person %" PRId64 " (it has an address, or one of them is"
				" forgotten or missing)", gone, keep);
	return tn_db_end(db, rc, err);
}

/* ---- the bulk writer ------------------------------------------------- */

struct tn_person_writer {
	struct tn_db *db;
	sqlite3 *conn;
	int64_t channel_id;
	const char *kind;
	int unchecked;            /* the connection's foreign keys are off */
	char now[21];
	struct tn_buf key;        /* the identity key of the call's address, */
	const char *key_of;       /* ... or the address itself (writer_key) */
	int key_is_email;
	sqlite3_stmt *insert, *find_email, *find_handle, *find_handle_no_email;
	sqlite3_stmt *find_follow, *set_name, *set_email;
	sqlite3_stmt *follow_insert, *follow_update;
	/* the suppression list, when it has entries: its key and lookup */
	struct suppression sup;
	sqlite3_stmt *find_hash;
	/* the people seen, for tn_person_writer_unfollow_rest */
	sqlite3_stmt *seen;
	/* the lookup whose row the caller may still be reading: reset at the
	 * writer's next call, so found strings need no copy */
	sqlite3_stmt *held;
	/* the batch calls: the rows SQL reads (tn_db_rows), their
	 * statements, and the scans tn_person_writer_resolve walks */
	struct tn_db_rows rows;
	int rows_registered;
	sqlite3_stmt *insert_rows, *follow_rows, *seen_rows;
	sqlite3_stmt *scan_key, *scan_follow;
	struct tn_person_row **order;   /* resolve's rows by id */
	size_t order_cap;
};

/* The rows a batch call hands SQL, as table tn_person_rows. */
#define ROWS_TABLE "tn_person_rows"
#define ROWS_COLUMNS "email, email_key, name, handle, region, followed_at, id"

/* Each writer statement, prepared once. They avoid RETURNING (its
 * per-execution temporary table is costly on a big import). */

/* A person known so far only by a handle (no e-mail) on a channel of
 * kind ?2, this channel's (?3) row first: the bulk writer's lookup and a
 * registration's (tn_person_find_handle_no_email). */
#define FIND_HANDLE_NO_EMAIL \
	"SELECT f.person_id FROM follower f" \
	" JOIN channel c ON c.id = f.channel_id" \
	" JOIN person p ON p.id = f.person_id" \
	" WHERE f.handle = ?1 COLLATE NOCASE AND c.kind = ?2" \
	"   AND p.email IS NULL AND p.forgotten_at IS NULL" \
	" ORDER BY f.channel_id <> ?3, f.person_id LIMIT 1"

static const struct {
	size_t offset;
	const char *sql;
} writer_sql[] = {
	{ offsetof(struct tn_person_writer, insert),
	  "INSERT INTO person(email, email_key, name, created_at)"
	  " VALUES(?1, ?4, ?2, ?3) ON CONFLICT DO NOTHING" },
	/* The person of an e-mail's key and, in the same lookup, their
	 * follower row of this channel (NULLs if none). */
	{ offsetof(struct tn_person_writer, find_email),
	  "SELECT p.id, p.name, f.handle, f.region, f.followed_at,"
	  " f.unfollowed_at, f.person_id IS NOT NULL"
	  " FROM person p LEFT JOIN follower f"
	  "   ON f.person_id = p.id AND f.channel_id = ?2"
	  " WHERE " PERSON_KEY_P " = ?1" },
	{ offsetof(struct tn_person_writer, set_name),
	  "UPDATE person SET name = ?2 WHERE id = ?1" },
	/* The same handle on a channel of the same kind is the same person;
	 * prefer this channel's own follower row. */
	{ offsetof(struct tn_person_writer, find_handle),
	  "SELECT f.person_id, p.name FROM follower f"
	  " JOIN channel c ON c.id = f.channel_id"
	  " JOIN person p ON p.id = f.person_id"
	  " WHERE f.handle = ?1 COLLATE NOCASE AND c.kind = ?2"
	  "   AND p.forgotten_at IS NULL"
	  " ORDER BY f.channel_id <> ?3, f.person_id LIMIT 1" },
	/* A person known so far only by a handle (no e-mail) on a channel
	 * of the same kind. */
	{ offsetof(struct tn_person_writer, find_handle_no_email),
	  FIND_HANDLE_NO_EMAIL },
	{ offsetof(struct tn_person_writer, set_email),
	  "UPDATE person SET email = ?2, email_key = ?3 WHERE id = ?1" },
	{ offsetof(struct tn_person_writer, follow_insert),
	  "INSERT INTO follower(person_id, channel_id, handle, region, followed_at)"
	  " VALUES(?1, ?2, ?3, ?4, ?5)" },
	{ offsetof(struct tn_person_writer, find_follow),
	  "SELECT handle, region, followed_at, unfollowed_at, 1 FROM follower"
	  " WHERE person_id = ?1 AND channel_id = ?2" },
	{ offsetof(struct tn_person_writer, follow_update),
	  "UPDATE follower SET handle = coalesce(?3, handle),"
	  " region = coalesce(?4, region),"
	  " followed_at = coalesce(?5, followed_at), unfollowed_at = NULL"
	  " WHERE person_id = ?1 AND channel_id = ?2" },
	/* The batch calls. New people get their ids from SQLite, each one
	 * more than the largest (tn_person_writer_insert_rows checks). */
	{ offsetof(struct tn_person_writer, insert_rows),
	  "INSERT INTO person(email, email_key, name, created_at)"
	  " SELECT email, email_key, name, ?1 FROM " ROWS_TABLE },
	{ offsetof(struct tn_person_writer, follow_rows),
	  "INSERT INTO follower(person_id, channel_id, handle, region, followed_at)"
	  " SELECT id, ?1, handle, region, followed_at FROM " ROWS_TABLE },
	/* The scans of resolve, each from a lower bound on, in the order of
	 * an index: people by key (with their names: SQLite reads the row
	 * for the key anyway), and the follower rows by (person, channel),
	 * the primary key, over every channel: a seek lands on the wanted
	 * row or the one after it, and a step passes only the rows of the
	 * people in between. (A filter on channel_id here would make each
	 * seek walk on to the next row of this channel, past all the other
	 * channels' rows, however far that is: tests/unit/t_person.c.) */
	{ offsetof(struct tn_person_writer, scan_key),
	  "SELECT " PERSON_KEY ", id, name FROM person WHERE " PERSON_KEY " >= ?1"
	  " ORDER BY " PERSON_KEY },
	{ offsetof(struct tn_person_writer, scan_follow),
	  "SELECT person_id, handle, region, followed_at, unfollowed_at IS NOT NULL,"
	  " channel_id FROM follower WHERE (person_id, channel_id) >= (?1, ?2)"
	  " ORDER BY person_id, channel_id" },
};

static sqlite3_stmt **writer_stmt(struct tn_person_writer *w, size_t i)
{
	return (sqlite3_stmt **)((char *)w + writer_sql[i].offset);
}

/* The lookup of the suppression list, only when it has entries: most
 * databases never forget anyone, and their imports pay nothing. */
static tn_code writer_open_suppression(struct tn_person_writer *w,
				       struct tn_err *err)
{
	int64_t any = 0;
	tn_code rc;

	rc = suppression_open(w->db, 0, &w->sup, err);
	if (rc == TN_OK && w->sup.have_key)
		rc = tn_db_int(w->db, err, &any, "SELECT EXISTS(SELECT 1 FROM suppression)");
	if (rc == TN_OK && any)
		rc = tn_db_prepare(w->db, err, &w->find_hash,
				   "SELECT 1 FROM suppression WHERE hash = ?1");
	return rc;
}

/* With foreign-key checks off, what the follower rows' channel_id would
 * have been checked against: the channel exists now, under the caller's
 * write lock, so it does until the commit. */
static tn_code writer_check_channel(struct tn_person_writer *w,
				    struct tn_err *err)
{
	int64_t on = 1, exists = 0;
	tn_code rc;

	if ((rc = tn_db_int(w->db, err, &on, "PRAGMA foreign_keys")) != TN_OK || on)
		return rc;
	w->unchecked = 1;
	rc = tn_db_int(w->db, err, &exists, "SELECT EXISTS(SELECT 1 FROM channel WHERE id = ?1)",
		       TN_I(w->channel_id));
	if (rc == TN_OK && !exists)
		rc = tn_err_set(err, TN_NOTFOUND, "channel %" PRId64 ": not found", w->channel_id);
	return rc;
}

tn_code tn_person_writer_open(struct tn_db *db, int64_t channel_id,
			      const char *kind, struct tn_person_writer **out,
			      struct tn_err *err)
{
	struct tn_person_writer *w;
	size_t i;
	tn_code rc = TN_OK;

	*out = NULL;
	if (!(w = calloc(1, sizeof(*w))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	w->db = db;
	w->conn = tn_db_sqlite(db);
	w->channel_id = channel_id;
	w->kind = kind;
	tn_buf_init(&w->key);
	tn_now_utc(w->now);
	rc = tn_db_rows_register(db, ROWS_TABLE, ROWS_COLUMNS, &w->rows, err);
	w->rows_registered = rc == TN_OK;
	for (i = 0; rc == TN_OK && i < sizeof(writer_sql) / sizeof(writer_sql[0]); i++)
		rc = tn_db_prepare(db, err, writer_stmt(w, i), writer_sql[i].sql);
	if (rc == TN_OK)
		rc = writer_open_suppression(w, err);
	if (rc == TN_OK)
		rc = writer_check_channel(w, err);
	if (rc != TN_OK) {
		tn_person_writer_close(w);
		return rc;
	}
	*out = w;
	return TN_OK;
}

void tn_person_writer_close(struct tn_person_writer *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < sizeof(writer_sql) / sizeof(writer_sql[0]); i++)
		sqlite3_finalize(*writer_stmt(w, i));
	sqlite3_finalize(w->find_hash);
	sqlite3_finalize(w->seen);
	sqlite3_finalize(w->seen_rows);
	if (w->rows_registered)
		tn_db_rows_unregister(w->db, ROWS_TABLE);
	suppression_close(&w->sup);
	tn_buf_free(&w->key);
	free(w->order);
	free(w);
}

/* Points w->key_of at the identity key of a normalised address: the
 * address itself when it has no upper-case ASCII letter (the usual
 * case, no copy), else its lower-cased copy in w->key. */
static tn_code writer_key(struct tn_person_writer *w, const char *email,
			  struct tn_err *err)
{
	const char *p;

	for (p = email; *p && !(*p >= 'A' && *p <= 'Z'); p++)
		;
	w->key_is_email = !*p;
	if (w->key_is_email) {
		w->key_of = email;
		return TN_OK;
	}
	if (tn_email_key(email, strlen(email), &w->key) != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	w->key_of = w->key.data;
	return TN_OK;
}

/* Binds the email_key column after writer_key: the key where it differs
 * from the address, else NULL (PERSON_KEY). */
static void bind_key(struct tn_person_writer *w, sqlite3_stmt *st, int i)
{
	if (w->key_is_email)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, w->key_of, -1, SQLITE_STATIC);
}

/* Ends the previous call's lookup: its strings are no longer read. */
static void writer_release(struct tn_person_writer *w)
{
	if (w->held) {
		sqlite3_reset(w->held);
		w->held = NULL;
	}
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a bound write statement once and resets it. */
static tn_code writer_run(struct tn_person_writer *w, sqlite3_stmt *st,
			  const char *what, struct tn_err *err)
{
	int s = sqlite3_step(st);

	sqlite3_reset(st);
	if (s != SQLITE_DONE)
		return tn_err_prefix(err, tn_db_fail(w->db, err), "%s", what);
	return TN_OK;
}

/* Steps a bound lookup to its first row, which stays readable until the
 * writer's next call; TN_NOTFOUND (err left alone) if there is none. */
static tn_code writer_find(struct tn_person_writer *w, sqlite3_stmt *st,
			   const char *what, struct tn_err *err)
{
	int s = sqlite3_step(st);
	tn_code rc;

	if (s == SQLITE_ROW) {
		w->held = st;
		return TN_OK;
	}
	rc = s == SQLITE_DONE ? TN_NOTFOUND
	     : tn_err_prefix(err, tn_db_fail(w->db, err), "%s", what);
	sqlite3_reset(st);
	return rc;
}

/* The follower columns first..first+4 of a lookup's row: handle, region,
 * followed_at, unfollowed_at, and whether the row exists. */
static void read_follow(sqlite3_stmt *st, int first,
			struct tn_person_follow *follow)
{
	follow->exists = sqlite3_column_int(st, first + 4);
	follow->handle = tn_db_text(st, first);
	follow->region = tn_db_text(st, first + 1);
	follow->followed_at = tn_db_text(st, first + 2);
	follow->unfollowed = sqlite3_column_type(st, first + 3) != SQLITE_NULL;
}

tn_code tn_person_writer_insert(struct tn_person_writer *w, const char *email,
				const char *name, int64_t *id, int *created,
				struct tn_err *err)
{
	sqlite3_stmt *st = w->insert;
	tn_code rc;

	writer_release(w);
	*created = 0;
	w->key_is_email = 1;   /* no address: NULL key */
	if (email && (rc = writer_key(w, email, err)) != TN_OK)
		return rc;
	bind_opt(st, 1, email);
	bind_opt(st, 2, name);
	sqlite3_bind_text(st, 3, w->now, -1, SQLITE_STATIC);
	bind_key(w, st, 4);
	if ((rc = writer_run(w, st, "insert person", err)) != TN_OK)
		return rc;
	if (sqlite3_changes(w->conn) == 1) {
		*id = sqlite3_last_insert_rowid(w->conn);
		*created = 1;
	}
	return TN_OK;
}

tn_code tn_person_writer_find_email(struct tn_person_writer *w,
				    const char *email, int64_t *id,
				    const char **name,
				    struct tn_person_follow *follow,
				    struct tn_err *err)
{
	sqlite3_stmt *st = w->find_email;
	tn_code rc;

	writer_release(w);
	if ((rc = writer_key(w, email, err)) != TN_OK)
		return rc;
	sqlite3_bind_text(st, 1, w->key_of, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, w->channel_id);
	if ((rc = writer_find(w, st, "find person", err)) != TN_OK)
		return rc;
	*id = sqlite3_column_int64(st, 0);
	*name = tn_db_text(st, 1);
	read_follow(st, 2, follow);
	return TN_OK;
}

/* Binds a handle lookup: the handle, the writer's kind and channel. */
static void bind_handle(struct tn_person_writer *w, sqlite3_stmt *st,
			const char *handle)
{
	bind_opt(st, 1, handle);
	sqlite3_bind_text(st, 2, w->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, w->channel_id);
}

tn_code tn_person_writer_find_handle(struct tn_person_writer *w,
				     const char *handle, int64_t *id,
				     const char **name, struct tn_err *err)
{
	sqlite3_stmt *st = w->find_handle;
	tn_code rc;

	writer_release(w);
	bind_handle(w, st, handle);
	if ((rc = writer_find(w, st, "find handle", err)) != TN_OK)
		return rc;
	*id = sqlite3_column_int64(st, 0);
	*name = tn_db_text(st, 1);
	return TN_OK;
}

tn_code tn_person_writer_find_handle_no_email(struct tn_person_writer *w,
					      const char *handle, int64_t *id,
					      struct tn_err *err)
{
	sqlite3_stmt *st = w->find_handle_no_email;
	tn_code rc;

	writer_release(w);
	bind_handle(w, st, handle);
	if ((rc = writer_find(w, st, "find handle", err)) != TN_OK)
		return rc;
	*id = sqlite3_column_int64(st, 0);
	return TN_OK;
}

tn_code tn_person_writer_find_follow(struct tn_person_writer *w, int64_t id,
				     struct tn_person_follow *follow,
				     struct tn_err *err)
{
	sqlite3_stmt *st = w->find_follow;
	tn_code rc;

	writer_release(w);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, w->channel_id);
	memset(follow, 0, sizeof(*follow));
	rc = writer_find(w, st, "find follower", err);
	if (rc == TN_OK)
		read_follow(st, 0, follow);
	return rc == TN_NOTFOUND ? TN_OK : rc;
}

/* Binds id and one text value to a person UPDATE and runs it. */
static tn_code set_person(struct tn_person_writer *w, sqlite3_stmt *st,
			  int64_t id, const char *value, struct tn_err *err)
{
	writer_release(w);
	sqlite3_bind_int64(st, 1, id);
	bind_opt(st, 2, value);
	return writer_run(w, st, "update person", err);
}

tn_code tn_person_writer_set_name(struct tn_person_writer *w, int64_t id,
				  const char *name, struct tn_err *err)
{
	return set_person(w, w->set_name, id, name, err);
}

tn_code tn_person_writer_set_email(struct tn_person_writer *w, int64_t id,
				   const char *email, struct tn_err *err)
{
	tn_code rc;

	writer_release(w);
	if ((rc = writer_key(w, email, err)) != TN_OK)
		return rc;
	bind_key(w, w->set_email, 3);
	return set_person(w, w->set_email, id, email, err);
}

tn_code tn_person_writer_track(struct tn_person_writer *w, struct tn_err *err)
{
	tn_code rc;

	writer_release(w);
	if (w->seen)
		return TN_OK;
	rc = tn_db_exec(w->db, "DROP TABLE IF EXISTS temp.writer_seen;"
			"CREATE TEMP TABLE writer_seen(person_id INTEGER PRIMARY KEY);", err);
	if (rc == TN_OK)
		rc = tn_db_prepare(w->db, err, &w->seen,
				   "INSERT INTO temp.writer_seen(person_id) VALUES(?1)"
				   " ON CONFLICT DO NOTHING");
	if (rc == TN_OK)
		rc = tn_db_prepare(w->db, err, &w->seen_rows,
				   "INSERT INTO temp.writer_seen(person_id)"
				   " SELECT id FROM " ROWS_TABLE " WHERE true ON CONFLICT DO NOTHING");
	return rc;
}

tn_code tn_person_writer_seen(struct tn_person_writer *w, int64_t id,
			      struct tn_err *err)
{
	writer_release(w);
	if (!w->seen)
		return TN_OK;
	sqlite3_bind_int64(w->seen, 1, id);
	return writer_run(w, w->seen, "track person", err);
}

tn_code tn_person_writer_unfollow_rest(struct tn_person_writer *w,
				       long long *unfollowed, struct tn_err *err)
{
	char today[11];
	tn_code rc;

	writer_release(w);
	*unfollowed = 0;
	if (!w->seen)
		return TN_OK;
	tn_today(today);
	/* A forgotten person's row is left as it is: their rows in the file
	 * were suppressed, so whether they still follow is not known. */
	rc = tn_db_run(w->db, err, "UPDATE follower SET unfollowed_at = ?2"
		       " WHERE channel_id = ?1 AND unfollowed_at IS NULL"
		       " AND person_id NOT IN (SELECT person_id FROM temp.writer_seen)"
		       " AND person_id IN (SELECT id FROM person WHERE forgotten_at IS NULL)",
		       TN_I(w->channel_id), TN_T(today));
	if (rc == TN_OK)
		*unfollowed = tn_db_changes(w->db);
	sqlite3_finalize(w->seen);
	sqlite3_finalize(w->seen_rows);
	w->seen = w->seen_rows = NULL;
	if (rc == TN_OK)
		rc = tn_db_exec(w->db, "DROP TABLE temp.writer_seen;", err);
	return rc;
}

/* Steps the suppression lookup for one hash: *listed 1 if it is there. */
static tn_code writer_listed(struct tn_person_writer *w,
			     const unsigned char hash[SUPPRESSION_HASH_BYTES],
			     int *listed, struct tn_err *err)
{
	sqlite3_stmt *st = w->find_hash;
	int s;

	sqlite3_bind_blob(st, 1, hash, SUPPRESSION_HASH_BYTES, SQLITE_STATIC);
	s = sqlite3_step(st);
	sqlite3_reset(st);
	*listed = s == SQLITE_ROW;
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return tn_err_prefix(err, tn_db_fail(w->db, err), "find suppression");
	return TN_OK;
}

tn_code tn_person_writer_suppressed(struct tn_person_writer *w,
				    const char *email, const char *handle,
				    int *suppressed, struct tn_err *err)
{
	unsigned char hash[SUPPRESSION_HASH_BYTES];
	tn_code rc = TN_OK;

	writer_release(w);
	*suppressed = 0;
	if (!w->find_hash)
		return TN_OK;
	if (email) {
		if (hash_email(&w->sup, email, hash) != TN_OK)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		rc = writer_listed(w, hash, suppressed, err);
	}
	if (rc == TN_OK && handle && !*suppressed) {
		if (hash_handle(&w->sup, w->kind, handle, hash) != TN_OK)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		rc = writer_listed(w, hash, suppressed, err);
	}
	return rc;
}

tn_code tn_person_writer_merge(struct tn_person_writer *w, int64_t keep,
				int64_t gone, struct tn_err *err)
{
	writer_release(w);
	if (w->unchecked) {
		tn_bug("tn_person_writer_merge with foreign keys off");
		return tn_err_set(err, TN_DB, "merge people: foreign keys are not checked");
	}
	return tn_person_merge(w->db, keep, gone, err);
}

/* Binds a follower write: person, the writer's channel, the cells. */
static tn_code write_follow(struct tn_person_writer *w, sqlite3_stmt *st,
			    int64_t id, const char *handle, const char *region,
			    const char *followed_at, const char *what,
			    struct tn_err *err)
{
	writer_release(w);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, w->channel_id);
	bind_opt(st, 3, handle);
	bind_opt(st, 4, region);
	bind_opt(st, 5, followed_at);
	return writer_run(w, st, what, err);
}

tn_code tn_person_writer_follow_insert(struct tn_person_writer *w, int64_t id,
				       const char *handle, const char *region,
				       const char *followed_at,
				       struct tn_err *err)
{
	return write_follow(w, w->follow_insert, id, handle, region, followed_at,
			    "insert follower", err);
}

tn_code tn_person_writer_follow_update(struct tn_person_writer *w, int64_t id,
				       const char *handle, const char *region,
				       const char *followed_at,
				       struct tn_err *err)
{
	return write_follow(w, w->follow_update, id, handle, region, followed_at,
			    "update follower", err);
}

/* ---- the bulk writer's batch calls ----------------------------------- */

/* A cell of tn_person_rows: rows is an array of row pointers. */
static void row_cell(const void *rows, size_t i, int col, sqlite3_context *out)
{
	const struct tn_person_row *r = ((struct tn_person_row *const *)rows)[i];
	const char *v = NULL;

	switch (col) {
	case 0: v = r->email; break;
	case 1: v = r->key; break;
	case 2: v = r->name; break;
	case 3: v = r->handle; break;
	case 4: v = r->region; break;
	case 5: v = r->followed_at; break;
	default:
		sqlite3_result_int64(out, r->id);
		return;
	}
	if (v)
		sqlite3_result_text(out, v, -1, SQLITE_STATIC);
	else
		sqlite3_result_null(out);
}

/* Runs a batch statement over rows[0..n) as tn_person_rows; *changed is
 * how many rows it wrote. */
static tn_code run_rows(struct tn_person_writer *w, sqlite3_stmt *st,
			struct tn_person_row *const *rows, size_t n,
			const char *what, int *changed, struct tn_err *err)
{
	tn_code rc;

	writer_release(w);
	/* A statement that writes many rows may keep a journal of the pages
	 * it changes that existed when it began, so that it can be undone
	 * alone; a page that the cache spills to the WAL meanwhile goes to
	 * that journal first, changed by this statement or not. Writing
	 * the earlier statements' pages to the WAL now (as the spill would,
	 * uncommitted) keeps that journal to the few pages this one
	 * changes. */
	if (sqlite3_db_cacheflush(w->conn) != SQLITE_OK)
		return tn_err_prefix(err, tn_db_fail(w->db, err), "%s", what);
	w->rows.rows = rows;
	w->rows.n = n;
	w->rows.cell = row_cell;
	rc = writer_run(w, st, what, err);
	w->rows.n = 0;
	*changed = rc == TN_OK ? sqlite3_changes(w->conn) : 0;
	return rc;
}

/* A scan of resolve: its statement and its current row's first column
 * (a key or an id; for the follower scan also its channel, and the last
 * id asked for), or its end; not started before its first seek. */
struct scan {
	sqlite3_stmt *st;
	enum { SCAN_NEW, SCAN_ROW, SCAN_END } state;
	const char *key;
	size_t klen;
	int64_t id, channel, sought;
};

/* Seeking costs a descent from the root; stepping to a row near ahead
 * is cheaper, up to about this many rows. */
#define NEAR_ROWS 8

static tn_code scan_step(struct tn_person_writer *w, struct scan *sc,
			 struct tn_err *err)
{
	int s = sqlite3_step(sc->st);

	if (s == SQLITE_ROW) {
		sc->state = SCAN_ROW;
		if (sqlite3_column_type(sc->st, 0) == SQLITE_INTEGER) {
			sc->id = sqlite3_column_int64(sc->st, 0);
		} else {
			sc->key = (const char *)sqlite3_column_text(sc->st, 0);
			sc->klen = (size_t)sqlite3_column_bytes(sc->st, 0);
		}
		return TN_OK;
	}
	sc->state = SCAN_END;
	if (s == SQLITE_DONE)
		return TN_OK;
	return tn_err_prefix(err, tn_db_fail(w->db, err), "find people");
}

/* The scan's key against key, as the index on it orders them (BINARY). */
static int scan_key_cmp(const struct scan *sc, const char *key, size_t len)
{
	int c = memcmp(sc->key, key, sc->klen < len ? sc->klen : len);

	return c ? c : (sc->klen > len) - (sc->klen < len);
}

/* Moves a key scan to the first key >= key (keys come in increasing
 * order); *found when it is key. */
static tn_code scan_to_key(struct tn_person_writer *w, struct scan *sc,
			   const char *key, int *found, struct tn_err *err)
{
	size_t len = strlen(key);
	int steps = 0;
	tn_code rc = TN_OK;

	if (sc->state == SCAN_NEW) {
		sqlite3_bind_text(sc->st, 1, key, (int)len, SQLITE_STATIC);
		rc = scan_step(w, sc, err);
	}
	while (rc == TN_OK && sc->state == SCAN_ROW && scan_key_cmp(sc, key, len) < 0) {
		if (++steps > NEAR_ROWS) {
			sqlite3_reset(sc->st);
			sqlite3_bind_text(sc->st, 1, key, (int)len, SQLITE_STATIC);
		}
		rc = scan_step(w, sc, err);
	}
	*found = rc == TN_OK && sc->state == SCAN_ROW && scan_key_cmp(sc, key, len) == 0;
	return rc;
}

/* Steps the follower scan, after seeking to (id, channel) first when
 * seek is set; its row's channel goes to sc->channel. */
static tn_code follow_step(struct tn_person_writer *w, struct scan *sc,
			   int seek, int64_t id, int64_t channel,
			   struct tn_err *err)
{
	tn_code rc;

	if (seek) {
		sqlite3_reset(sc->st);
		sqlite3_bind_int64(sc->st, 1, id);
		sqlite3_bind_int64(sc->st, 2, channel);
	}
	rc = scan_step(w, sc, err);
	if (rc == TN_OK && sc->state == SCAN_ROW)
		sc->channel = sqlite3_column_int64(sc->st, 5);
	return rc;
}

/* The follower scan's row against (id, channel), in primary key order. */
static int follow_cmp(const struct scan *sc, int64_t id, int64_t channel)
{
	if (sc->id != id)
		return sc->id < id ? -1 : 1;
	return (sc->channel > channel) - (sc->channel < channel);
}

/* Moves the follower scan to the first row at or after (id, channel),
 * from anywhere (a seek back when id is below the last one asked for);
 * *found when it is that row. Rows in between are those of the people in between, on
 * any channel: a few steps, else a seek. */
static tn_code scan_to_follow(struct tn_person_writer *w, struct scan *sc,
			      int64_t id, int64_t channel, int *found,
			      struct tn_err *err)
{
	int steps = 0;
	tn_code rc = TN_OK;

	/* a row (or the end) past (id, channel) stands for it too, unless
	 * an earlier id than the last one is wanted */
	if (sc->state == SCAN_NEW || id < sc->sought)
		rc = follow_step(w, sc, 1, id, channel, err);
	sc->sought = id;
	while (rc == TN_OK && sc->state == SCAN_ROW && follow_cmp(sc, id, channel) < 0)
		rc = follow_step(w, sc, ++steps > NEAR_ROWS, id, channel, err);
	*found = rc == TN_OK && sc->state == SCAN_ROW && follow_cmp(sc, id, channel) == 0;
	return rc;
}

/* 1 if a row's value would change the stored one (NULL-aware). */
static int value_differs(const char *value, sqlite3_stmt *st, int col)
{
	const char *stored = tn_db_text(st, col);

	return value && (!stored || strcmp(stored, value) != 0);
}

static int by_id(const void *a, const void *b)
{
	int64_t x = (*(struct tn_person_row *const *)a)->id;
	int64_t y = (*(struct tn_person_row *const *)b)->id;

	return (x > y) - (x < y);
}

/* Sorts rows[0..n) by id unless they already are. */
static void sort_by_id(struct tn_person_row **rows, size_t n)
{
	size_t i;

	for (i = 1; i < n && rows[i - 1]->id <= rows[i]->id; i++)
		;
	if (i < n)
		qsort(rows, n, sizeof(*rows), by_id);
}

tn_code tn_person_writer_resolve(struct tn_person_writer *w,
				 struct tn_person_row *rows, size_t n,
				 struct tn_err *err)
{
	struct scan keys = { .st = w->scan_key }, follows = { .st = w->scan_follow };
	size_t i, found = 0;
	tn_code rc = TN_OK;
	int hit;

	writer_release(w);
	if (n > w->order_cap) {
		struct tn_person_row **grown = realloc(w->order, n * sizeof(*grown));

		if (!grown)
			return tn_err_set(err, TN_NOMEM, "out of memory");
		w->order = grown;
		w->order_cap = n;
	}
	/* the people and their names, in key order */
	for (i = 0; rc == TN_OK && i < n; i++) {
		struct tn_person_row *r = &rows[i];

		r->id = 0;
		r->name_differs = r->follows = r->follow_differs = 0;
		rc = scan_to_key(w, &keys, r->key ? r->key : r->email, &hit, err);
		if (rc == TN_OK && hit) {
			r->id = sqlite3_column_int64(keys.st, 1);
			r->name_differs = value_differs(r->name, keys.st, 2);
			w->order[found++] = r;
		}
	}
	/* their follower rows, in id order */
	sort_by_id(w->order, found);
	for (i = 0; rc == TN_OK && i < found; i++) {
		struct tn_person_row *r = w->order[i];

		rc = scan_to_follow(w, &follows, r->id, w->channel_id, &hit, err);
		if (rc == TN_OK && hit) {
			r->follows = 1;
			r->follow_differs = value_differs(r->handle, follows.st, 1) ||
					    value_differs(r->region, follows.st, 2) ||
					    value_differs(r->followed_at, follows.st, 3) ||
					    sqlite3_column_int(follows.st, 4);
		}
	}
	/* no read stays open while the batch is written */
	sqlite3_reset(keys.st);
	sqlite3_reset(follows.st);
	return rc;
}

tn_code tn_person_writer_insert_rows(struct tn_person_writer *w,
				     struct tn_person_row *const *rows, size_t n,
				     struct tn_err *err)
{
	int64_t last = 0, now_last = 0;
	size_t i;
	tn_code rc;
	int changed;

	if (!n)
		return TN_OK;
	writer_release(w);
	if ((rc = tn_db_int(w->db, err, &last, "SELECT max(id) FROM person")) != TN_OK)
		return rc;
	if (last > INT64_MAX - (int64_t)n)
		return tn_err_set(err, TN_DB, "insert people: no more person ids");
	sqlite3_bind_text(w->insert_rows, 1, w->now, -1, SQLITE_STATIC);
	rc = run_rows(w, w->insert_rows, rows, n, "insert people", &changed, err);
	if (rc == TN_OK)
		rc = tn_db_int(w->db, err, &now_last, "SELECT max(id) FROM person");
	/* each new row took the largest id + 1, so they are last + 1 ...
	 * last + n in order; anything else would be a change of SQLite's */
	if (rc == TN_OK && ((size_t)changed != n || now_last != last + (int64_t)n))
		rc = tn_err_set(err, TN_DB, "insert people: ids not assigned in order");
	for (i = 0; rc == TN_OK && i < n; i++)
		rows[i]->id = last + 1 + (int64_t)i;
	return rc;
}

tn_code tn_person_writer_follow_rows(struct tn_person_writer *w,
				     struct tn_person_row **rows, size_t n,
				     struct tn_err *err)
{
	tn_code rc;
	int changed;

	if (!n)
		return TN_OK;
	sort_by_id(rows, n);
	sqlite3_bind_int64(w->follow_rows, 1, w->channel_id);
	rc = run_rows(w, w->follow_rows, rows, n, "insert followers", &changed, err);
	if (rc == TN_OK && (size_t)changed != n)
		rc = tn_err_set(err, TN_DB, "insert followers: %d of %zu rows written",
				changed, n);
	return rc;
}

tn_code tn_person_writer_seen_rows(struct tn_person_writer *w,
				   struct tn_person_row *const *rows, size_t n,
				   struct tn_err *err)
{
	int changed;

	if (!w->seen_rows || !n)
		return TN_OK;
	return run_rows(w, w->seen_rows, rows, n, "track people", &changed, err);
}

tn_code tn_follower_each_of_channel(struct tn_db *db, int64_t channel_id,
				    int (*fn)(void *ctx, const struct tn_follow_row *row),
				    void *ctx, struct tn_err *err)
{
	struct rows_ctx c = { fn, ctx };

	return tn_db_each(db, err, follow_row, &c,
			  ROW_COLUMNS
			  " FROM follower f JOIN person p ON p.id = f.person_id"
			  " JOIN channel c ON c.id = f.channel_id"
			  " WHERE f.channel_id = ?1 AND f.unfollowed_at IS NULL"
			  " AND p.forgotten_at IS NULL ORDER BY p.id", TN_I(channel_id));
}

/* ---- a handle given with an address ------------------------------------- */

tn_code tn_person_find_handle_no_email(struct tn_db *db, const char *kind,
				       const char *handle, int64_t channel_id,
				       int64_t *id, struct tn_err *err)
{
	/* the bulk writer's query: one lookup per registration needs no
	 * writer */
	return tn_db_int(db, err, id,
			 FIND_HANDLE_NO_EMAIL,
			 TN_T(handle), TN_T(kind), TN_I(channel_id));
}
