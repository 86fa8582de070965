/*
 * person.c - reading people and their follows, and forgetting a person
 * (person.h). The bulk writer of the same tables is import.c.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/person.h"
#include "turnout/store.h"
#include "turnout/text.h"

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
		rc = tn_db_int(db, err, id, "SELECT id FROM person WHERE email = ?1",
			       TN_T(email.data));
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
			  "      WHERE (?1 = 0 OR channel_id = ?1)"
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
	forget_follows,
};

tn_code tn_person_forget(struct tn_db *db, int64_t person_id, int *done,
			 int *flushed, struct tn_err *err)
{
	char now[21];
	size_t i;
	tn_code rc;

	*done = *flushed = 0;
	tn_now_utc(now);
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_db_run(db, err, "UPDATE person SET name = NULL, email = NULL,"
		       " forgotten_at = ?2 WHERE id = ?1 AND forgotten_at IS NULL",
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
