/*
 * setup.c - 'init': the organisation's settings and the Ed25519 ticket
 * signing key pair. The secret key never leaves the database; door devices
 * get the public key only.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "turnout/buf.h"
#include "turnout/setup.h"
#include "turnout/text.h"

tn_code tn_setup_validate(const char *org, const char *from,
			  const char *base_url, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err why;
	const char *why_text;
	tn_code rc;

	if (!org || !*org)
		return tn_err_set(err, TN_USAGE, "--org: empty name");
	if ((why_text = tn_text_problem(org, 0)))
		return tn_err_set(err, TN_USAGE, "--org: %s in name", why_text);
	if (from) {
		rc = tn_email_normalize(from, &b, &why);
		tn_buf_free(&b);
		if (rc != TN_OK)
			return tn_err_set(err, TN_USAGE, "--from: '%s': %s", from, why.msg);
	}
	/* pages are base_url + "/e/slug": no query or fragment */
	if (!base_url || !tn_url_valid(base_url) || strpbrk(base_url, "?#")) {
		tn_err_set(err, TN_USAGE, "--base-url: '%s': not an http(s) URL"
			   " without query or fragment", base_url ? base_url : "");
		tn_err_hint(err, "for example --base-url https://meet.example.org");
		return TN_USAGE;
	}
	return TN_OK;
}

int tn_setup_done(struct tn_db *db)
{
	char *v = NULL;
	int done;

	if (tn_db_setting_get(db, "initialised_at", &v, NULL) != TN_OK)
		return 0;
	done = v != NULL;
	free(v);
	return done;
}

static tn_code store_key(struct tn_db *db, const char *now, struct tn_err *err)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	sqlite3_stmt *st;
	tn_code rc;

	crypto_sign_keypair(pk, sk);
	rc = tn_db_prepare(db, &st,
			   "INSERT INTO signing_key(public_key, secret_key, created_at)"
			   " VALUES(?1, ?2, ?3)", err);
	if (rc == TN_OK) {
		sqlite3_bind_blob(st, 1, pk, sizeof(pk), SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, sk, sizeof(sk), SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = tn_db_fail(db, err, "store signing key");
		sqlite3_finalize(st);
	}
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

tn_code tn_setup_init(struct tn_db *db, const char *org, const char *from,
		      const char *base_url, int *created, struct tn_err *err)
{
	struct tn_buf from_norm = TN_BUF_INIT, url = TN_BUF_INIT;
	char now[21];
	tn_code rc;

	*created = 0;
	if ((rc = tn_setup_validate(org, from, base_url, err)) != TN_OK)
		return rc;
	if (sodium_init() < 0)
		return tn_err_set(err, TN_FAIL, "libsodium: cannot initialise");
	if (tn_db_begin(db) != TN_OK)
		return tn_db_fail(db, err, "init");
	if (tn_setup_done(db)) {
		tn_db_end(db, 0);
		return TN_OK;
	}
	tn_now_utc(now);
	rc = tn_buf_add(&url, base_url);
	while (rc == TN_OK && url.len > 0 && url.data[url.len - 1] == '/')
		url.data[--url.len] = '\0';
	if (rc == TN_OK && from)
		rc = tn_email_normalize(from, &from_norm, err);
	if (rc == TN_OK)
		rc = tn_db_setting_set(db, "org", org, err);
	if (rc == TN_OK && from)
		rc = tn_db_setting_set(db, "from", from_norm.data, err);
	if (rc == TN_OK)
		rc = tn_db_setting_set(db, "base_url", url.data, err);
	if (rc == TN_OK)
		rc = store_key(db, now, err);
	if (rc == TN_OK)
		rc = tn_db_setting_set(db, "initialised_at", now, err);
	if (tn_db_end(db, rc != TN_OK) != TN_OK && rc == TN_OK)
		rc = tn_db_fail(db, err, "init");
	if (rc == TN_OK)
		*created = 1;
	tn_buf_free(&from_norm);
	tn_buf_free(&url);
	return rc;
}

tn_code tn_setup_public_key(struct tn_db *db, unsigned char pk[32],
			    struct tn_err *err)
{
	sqlite3_stmt *st;
	tn_code rc;

	rc = tn_db_prepare(db, &st,
			   "SELECT public_key FROM signing_key ORDER BY id DESC LIMIT 1", err);
	if (rc != TN_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
		memcpy(pk, sqlite3_column_blob(st, 0), 32);
	else
		rc = tn_err_set(err, TN_NOINIT, "no signing key: run 'turnout init'");
	sqlite3_finalize(st);
	return rc;
}
