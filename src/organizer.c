/*
 * organizer.c - organizer tokens (organizer.h): making one (token.h, as
 * every link token is made), listing, revoking and
 * checking them against the BLAKE2b hashes that are all the database
 * keeps. Owns table organizer_token. What a token opens is the web
 * server's business (web/report.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "turnout/organizer.h"
#include "turnout/store.h"
#include "turnout/text.h"


#define TOKEN_SELECT \
	"SELECT id, coalesce(label, ''), created_at, coalesce(revoked_at, '')" \
	" FROM organizer_token "

static void fill_token(struct tn_organizer_token *t, sqlite3_stmt *st)
{
	const char *s;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	snprintf(t->label, sizeof(t->label), "%s", (s = tn_db_text(st, 1)) ? s : "");
	snprintf(t->created_at, sizeof(t->created_at), "%s",
		 (s = tn_db_text(st, 2)) ? s : "");
	snprintf(t->revoked_at, sizeof(t->revoked_at), "%s",
		 (s = tn_db_text(st, 3)) ? s : "");
}

static tn_code token_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	(void)err;
	fill_token(ctx, st);
	return TN_OK;
}

static tn_code check_label(const char *label, struct tn_err *err)
{
	tn_code rc;

	if (strlen(label) > TN_ORGANIZER_LABEL_MAX)
		return tn_err_field(err, TN_USAGE, "label", "a label has at most %d "
				    "bytes", TN_ORGANIZER_LABEL_MAX);
	if ((rc = tn_text_check(label, 0, err)) != TN_OK)
		return tn_err_about(err, rc, "label");
	return TN_OK;
}

tn_code tn_organizer_token_add(struct tn_db *db, const char *label,
			       struct tn_organizer_token *t,
			       char token[TN_ORGANIZER_TOKEN_LEN + 1],
			       struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	tn_code rc;

	memset(t, 0, sizeof(*t));
	token[0] = '\0';
	if (label && *label && (rc = check_label(label, err)) != TN_OK)
		return rc;
	if ((rc = tn_token_new(token, hash, err)) != TN_OK)
		return rc;
	snprintf(t->label, sizeof(t->label), "%s", label ? label : "");
	tn_now_utc(t->created_at);
	if ((rc = tn_db_begin(db, err)) != TN_OK) {
		sodium_memzero(token, TN_ORGANIZER_TOKEN_LEN + 1);
		return rc;
	}
	rc = tn_db_run(db, err, "INSERT INTO organizer_token(label, token_hash,"
		       " created_at) VALUES(?1, ?2, ?3)",
		       TN_T(t->label[0] ? t->label : NULL),
		       TN_B(hash, TN_TOKEN_HASH_BYTES), TN_T(t->created_at));
	t->id = tn_db_last_id(db);
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK) {
		memset(t, 0, sizeof(*t));
		sodium_memzero(token, TN_ORGANIZER_TOKEN_LEN + 1);
	}
	return rc;
}

struct token_each {
	int (*fn)(void *ctx, const struct tn_organizer_token *t);
	void *ctx;
};

static tn_code token_each_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct token_each *e = ctx;
	struct tn_organizer_token t;

	(void)err;
	fill_token(&t, st);
	return e->fn(e->ctx, &t) ? TN_DB_STOP : TN_OK;
}

tn_code tn_organizer_token_each(struct tn_db *db,
				int (*fn)(void *ctx, const struct tn_organizer_token *t),
				void *ctx, struct tn_err *err)
{
	struct token_each e = { fn, ctx };

	return tn_db_each(db, err, token_each_row, &e, TOKEN_SELECT "ORDER BY id");
}

/* Reads an id as typed: digits only, 1 or more, within int64. */
static tn_code parse_id(const char *text, int64_t *id, struct tn_err *err)
{
	char *end;
	long long n;

	errno = 0;
	n = text && *text >= '0' && *text <= '9' ? strtoll(text, &end, 10) : 0;
	if (!text || *text < '0' || *text > '9' || *end || errno || n < 1)
		return tn_err_field(err, TN_USAGE, "id", "'%s': not a token id (a whole "
				    "number)", text ? text : "");
	*id = n;
	return TN_OK;
}

tn_code tn_organizer_token_revoke(struct tn_db *db, const char *id,
				  struct tn_organizer_token *t, struct tn_err *err)
{
	struct tn_organizer_token own;
	int64_t n = 0;
	tn_code rc;

	if (!t)
		t = &own;
	memset(t, 0, sizeof(*t));
	if ((rc = parse_id(id, &n, err)) != TN_OK)
		return rc;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_db_one(db, err, token_row, t, TOKEN_SELECT "WHERE id = ?1", TN_I(n));
	if (rc == TN_NOTFOUND) {
		tn_err_field(err, TN_NOTFOUND, "id", "organizer token %" PRId64 ": no "
			     "such token", n);
		tn_err_hint(err, "'turnout organizer token list' shows the tokens' ids");
	}
	if (rc == TN_OK && t->revoked_at[0])
		rc = tn_err_field(err, TN_CONFLICT, "id", "organizer token %" PRId64
				  ": already revoked (%s)", n, t->revoked_at);
	if (rc == TN_OK) {
		tn_now_utc(t->revoked_at);
		rc = tn_db_run(db, err, "UPDATE organizer_token SET revoked_at = ?2"
			       " WHERE id = ?1", TN_I(n), TN_T(t->revoked_at));
	}
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		memset(t, 0, sizeof(*t));
	return rc;
}

tn_code tn_organizer_check(struct tn_db *db, const char *token,
			   struct tn_organizer_token *t, struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	struct tn_organizer_token own;
	tn_code rc;

	if (!t)
		t = &own;
	memset(t, 0, sizeof(*t));
	if (!token || strlen(token) != TN_ORGANIZER_TOKEN_LEN)
		return tn_err_field(err, TN_NOTFOUND, "token", "no such organizer token");
	tn_token_hash(token, hash);
	rc = tn_db_one(db, err, token_row, t, TOKEN_SELECT "WHERE token_hash = ?1"
		       " AND revoked_at IS NULL", TN_B(hash, TN_TOKEN_HASH_BYTES));
	if (rc == TN_NOTFOUND)
		return tn_err_field(err, TN_NOTFOUND, "token", "no such organizer token");
	return rc;
}
