/*
 * setup.c - 'init': the organisation's settings and the Ed25519 ticket
 * signing key pair. The secret key never leaves the database; door devices
 * get the public key only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "turnout/buf.h"
#include "turnout/channel_api.h"
#include "turnout/http.h"
#include "turnout/setup.h"
#include "turnout/store.h"
#include "turnout/suggest.h"
#include "turnout/templates.h"
#include "turnout/text.h"

tn_code tn_setup_validate(const char *org, const char *from,
			  const char *base_url, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err why;
	tn_code rc;

	if (!org || !*org)
		return tn_err_field(err, TN_USAGE, "org", "empty name");
	if ((rc = tn_text_check(org, 0, err)) != TN_OK)
		return tn_err_about(err, rc, "org");
	if (from) {
		rc = tn_email_normalize(from, &b, &why);
		tn_buf_free(&b);
		if (rc != TN_OK)
			return tn_err_field(err, TN_USAGE, "from", "'%s': %s", from, why.msg);
	}
	/* pages are base_url + "/e/slug": no query or fragment */
	if (!base_url || !tn_url_valid(base_url) || strpbrk(base_url, "?#")) {
		tn_err_field(err, TN_USAGE, "base-url", "'%s': not an http(s) URL"
			     " without query or fragment", base_url ? base_url : "");
		tn_err_hint(err, "for example {base-url} https://meet.example.org");
		return TN_USAGE;
	}
	return TN_OK;
}

static tn_code copy_value(void *value, sqlite3_stmt *row, struct tn_err *err)
{
	if (!(*(char **)value = strdup(tn_db_text(row, 0))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	return TN_OK;
}

/* value is NULL when the key is unset; caller frees. */
static tn_code setting_get(struct tn_db *db, const char *key, char **value,
			   struct tn_err *err)
{
	tn_code rc;

	*value = NULL;
	rc = tn_db_one(db, err, copy_value, value,
		       "SELECT value FROM setting WHERE key = ?1", TN_T(key));
	return rc == TN_NOTFOUND ? TN_OK : rc;
}

static tn_code setting_set(struct tn_db *db, const char *key, const char *value,
			   struct tn_err *err)
{
	return tn_db_run(db, err, "INSERT INTO setting(key, value) VALUES(?1, ?2)"
			 " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			 TN_T(key), TN_T(value));
}

void tn_settings_clear(struct tn_settings *s)
{
	free(s->org);
	free(s->from);
	free(s->base_url);
	free(s->templates);
	free(s->telegram_api);
	free(s->initialised_at);
	memset(s, 0, sizeof(*s));
}

tn_code tn_settings_load(struct tn_db *db, struct tn_settings *s,
			 struct tn_err *err)
{
	tn_code rc;

	memset(s, 0, sizeof(*s));
	if ((rc = setting_get(db, "org", &s->org, err)) == TN_OK &&
	    (rc = setting_get(db, "from", &s->from, err)) == TN_OK &&
	    (rc = setting_get(db, "base_url", &s->base_url, err)) == TN_OK &&
	    (rc = setting_get(db, "templates", &s->templates, err)) == TN_OK &&
	    (rc = setting_get(db, "telegram_api", &s->telegram_api, err)) == TN_OK)
		rc = setting_get(db, "initialised_at", &s->initialised_at, err);
	if (rc != TN_OK)
		tn_settings_clear(s);
	return rc;
}

int tn_settings_base_url_is_local(const struct tn_settings *s)
{
	struct tn_buf host = TN_BUF_INIT;
	int local;

	if (!s->base_url || tn_url_host(s->base_url, &host) != TN_OK) {
		tn_buf_free(&host);
		return 0;
	}
	/* 127.0.0.0/8 written as an address, not a name that starts so */
	local = strcmp(host.data, "localhost") == 0 ||
		(strncmp(host.data, "127.", 4) == 0 &&
		 strspn(host.data, "0123456789.") == host.len) ||
		strcmp(host.data, "[::1]") == 0 || strcmp(host.data, "::1") == 0;
	tn_buf_free(&host);
	return local;
}

int tn_setup_done(struct tn_db *db)
{
	char *v = NULL;
	int done;

	if (setting_get(db, "initialised_at", &v, NULL) != TN_OK)
		return 0;
	done = v != NULL;
	free(v);
	return done;
}

static tn_code store_key(struct tn_db *db, const char *now, struct tn_err *err)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	tn_code rc;

	crypto_sign_keypair(pk, sk);
	rc = tn_db_run(db, err, "INSERT INTO signing_key(public_key, secret_key,"
		       " created_at) VALUES(?1, ?2, ?3)", TN_B(pk, (int)sizeof(pk)),
		       TN_B(sk, (int)sizeof(sk)), TN_T(now));
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

/* The form a setting is stored in: from normalised (domain as A-label),
 * base_url without trailing '/'. value must have passed validation. */
static tn_code stored_form(const char *key, const char *value, struct tn_buf *out,
			   struct tn_err *err)
{
	tn_code rc;

	if (strcmp(key, "from") == 0)
		return tn_email_normalize(value, out, err);
	if ((rc = tn_buf_add(out, value)) != TN_OK)
		return tn_err_set(err, rc, "out of memory");
	if (strcmp(key, "base_url") == 0 || strcmp(key, "telegram_api") == 0)
		while (out->len > 0 && out->data[out->len - 1] == '/')
			out->data[--out->len] = '\0';
	return TN_OK;
}

/* Stores key = value in its stored form. */
static tn_code store_setting(struct tn_db *db, const char *key, const char *value,
			     struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	tn_code rc = stored_form(key, value, &b, err);

	if (rc == TN_OK)
		rc = setting_set(db, key, b.data, err);
	tn_buf_free(&b);
	return rc;
}

/* On an initialised database: TN_CONFLICT naming the first given value
 * that differs from the stored one. */
static tn_code differs_from_stored(struct tn_db *db, const char *key, const char *name,
				   const char *given, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	char *stored = NULL;
	tn_code rc;

	if (!given)
		return TN_OK;
	rc = stored_form(key, given, &b, err);
	if (rc == TN_OK)
		rc = setting_get(db, key, &stored, err);
	if (rc == TN_OK && (!stored || strcmp(stored, b.data) != 0)) {
		rc = tn_err_set(err, TN_CONFLICT, "database '%s' is already initialised; "
				"%s '%s' was not applied (it is %s%s%s)", tn_db_path(db),
				name, given, stored ? "'" : "unset", stored ? stored : "",
				stored ? "'" : "");
		tn_err_hint(err, "init never changes an initialised database");
		tn_err_next(err, TN_NEXT_CONFIG);
	}
	free(stored);
	tn_buf_free(&b);
	return rc;
}

tn_code tn_setup_init(struct tn_db *db, const char *org, const char *from,
		      const char *base_url, int *created, struct tn_err *err)
{
	char now[21];
	tn_code rc;

	*created = 0;
	if ((rc = tn_setup_validate(org ? org : TN_SETUP_DEFAULT_ORG, from,
				    base_url ? base_url : TN_SETUP_DEFAULT_BASE_URL,
				    err)) != TN_OK)
		return rc;
	if (sodium_init() < 0)
		return tn_err_set(err, TN_FAIL, "libsodium: cannot initialise");
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	if (tn_setup_done(db)) {
		rc = differs_from_stored(db, "org", "org", org, err);
		if (rc == TN_OK)
			rc = differs_from_stored(db, "from", "from", from, err);
		if (rc == TN_OK)
			rc = differs_from_stored(db, "base_url", "base-url", base_url, err);
		return tn_db_end(db, rc, err);
	}
	tn_now_utc(now);
	rc = store_setting(db, "org", org ? org : TN_SETUP_DEFAULT_ORG, err);
	if (rc == TN_OK && from)
		rc = store_setting(db, "from", from, err);
	if (rc == TN_OK)
		rc = store_setting(db, "base_url", base_url ? base_url : TN_SETUP_DEFAULT_BASE_URL,
				   err);
	if (rc == TN_OK)
		rc = store_key(db, now, err);
	if (rc == TN_OK)
		rc = setting_set(db, "initialised_at", now, err);
	rc = tn_db_end(db, rc, err);
	if (rc == TN_OK)
		*created = 1;
	return rc;
}

const char *const tn_setup_keys[] = {
	"org", "from", "base-url", "templates", "telegram-api", NULL
};

/* The column name of a user-facing key ("base-url" -> "base_url"). */
static const char *key_column(const char *key, struct tn_err *err)
{
	struct tn_suggest guess;
	size_t i;

	for (i = 0; tn_setup_keys[i]; i++)
		if (strcmp(key, tn_setup_keys[i]) == 0)
			return strcmp(key, "base-url") == 0 ? "base_url" :
			       strcmp(key, "telegram-api") == 0 ? "telegram_api" : key;
	tn_suggest_init(&guess, key);
	for (i = 0; tn_setup_keys[i]; i++)
		tn_suggest_offer(&guess, tn_setup_keys[i]);
	tn_err_set(err, TN_USAGE, "'%s': no such setting", key);
	if (guess.best)
		tn_err_hint(err, "did you mean '%s'? The settings are org, from, base-url,"
			    " templates and telegram-api", guess.best);
	else
		tn_err_hint(err, "the settings are org, from, base-url, templates and"
			    " telegram-api");
	return NULL;
}

/* 1 if the setting may be unset (given an empty value). */
static int key_unsettable(const char *column)
{
	return strcmp(column, "from") == 0 || strcmp(column, "templates") == 0 ||
	       strcmp(column, "telegram_api") == 0;
}

tn_code tn_settings_get(const struct tn_settings *s, const char *key,
			const char **value, struct tn_err *err)
{
	const char *column = key_column(key, err);

	*value = NULL;
	if (!column)
		return TN_USAGE;
	*value = strcmp(column, "org") == 0 ? s->org :
		 strcmp(column, "from") == 0 ? s->from :
		 strcmp(column, "templates") == 0 ? s->templates :
		 strcmp(column, "telegram_api") == 0 ? s->telegram_api : s->base_url;
	return TN_OK;
}

tn_code tn_setup_set(struct tn_db *db, const char *key, const char *value,
		     int *changed, struct tn_err *err)
{
	const char *column = key_column(key, err);
	struct tn_settings cur;
	const char *org, *from, *base_url;
	struct tn_buf b = TN_BUF_INIT;
	char *stored = NULL, *dir = NULL;
	int unset;
	tn_code rc;

	*changed = 0;
	if (!column)
		return TN_USAGE;
	unset = key_unsettable(column) && !(value && *value);
	/* a template directory is checked (its files read and compiled)
	 * before the write lock is taken, and stored as an absolute path */
	if (strcmp(column, "templates") == 0 && !unset) {
		if ((rc = tn_templates_check_dir(value, &dir, err)) != TN_OK)
			return tn_err_about(err, rc, "templates");
		value = dir;
	}
	/* the Bot API gets the token in its path: https only, or loopback */
	if (strcmp(column, "telegram_api") == 0 && !unset &&
	    (!tn_http_url_allowed(value) || strpbrk(value, "?#"))) {
		tn_err_field(err, TN_USAGE, "telegram-api", "'%s': not an https:// URL"
			     " without query or fragment (plain http:// only to a"
			     " loopback address)", value);
		tn_err_hint(err, "the default is %s; \"\" goes back to it",
			    TN_TELEGRAM_API_DEFAULT);
		return TN_USAGE;
	}
	if ((rc = tn_db_begin(db, err)) != TN_OK) {
		free(dir);
		return rc;
	}
	if (!tn_setup_done(db)) {
		rc = tn_err_set(err, TN_NOINIT, "database '%s': not initialised", tn_db_path(db));
		tn_err_next(err, TN_NEXT_INIT);
		free(dir);
		return tn_db_end(db, rc, err);
	}
	rc = tn_settings_load(db, &cur, err);
	if (rc == TN_OK) {
		/* validate the new value together with the others, as init does */
		org = strcmp(column, "org") == 0 ? value : cur.org;
		from = strcmp(column, "from") == 0 ? (unset ? NULL : value) : cur.from;
		base_url = strcmp(column, "base_url") == 0 ? value : cur.base_url;
		rc = tn_setup_validate(org, from, base_url, err);
		tn_settings_clear(&cur);
	}
	if (rc == TN_OK && unset) {
		rc = setting_get(db, column, &stored, err);
		if (rc == TN_OK && stored) {
			rc = tn_db_run(db, err, "DELETE FROM setting WHERE key = ?1", TN_T(column));
			*changed = rc == TN_OK;
		}
	} else if (rc == TN_OK) {
		rc = stored_form(column, value, &b, err);
		if (rc == TN_OK)
			rc = setting_get(db, column, &stored, err);
		if (rc == TN_OK && (!stored || strcmp(stored, b.data) != 0)) {
			rc = setting_set(db, column, b.data, err);
			*changed = rc == TN_OK;
		}
	}
	free(stored);
	free(dir);
	tn_buf_free(&b);
	rc = tn_db_end(db, rc, err);
	if (rc != TN_OK)
		*changed = 0;
	return rc;
}

tn_code tn_setup_web_key(struct tn_db *db, unsigned char key[32],
			 struct tn_err *err)
{
	unsigned char fresh[32];
	char hex[65], *stored = NULL;
	size_t len = 0;
	tn_code rc;

	if (sodium_init() < 0)
		return tn_err_set(err, TN_FAIL, "libsodium: cannot initialise");
	randombytes_buf(fresh, sizeof(fresh));
	sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
	sodium_memzero(fresh, sizeof(fresh));
	/* the first to store one wins: two servers starting together agree */
	if ((rc = tn_db_begin(db, err)) == TN_OK) {
		rc = tn_db_run(db, err, "INSERT INTO setting(key, value) VALUES('web_key', ?1)"
			       " ON CONFLICT(key) DO NOTHING", TN_T(hex));
		if (rc == TN_OK)
			rc = setting_get(db, "web_key", &stored, err);
		rc = tn_db_end(db, rc, err);
	}
	sodium_memzero(hex, sizeof(hex));
	if (rc == TN_OK && (!stored || sodium_hex2bin(key, 32, stored, strlen(stored),
						      NULL, &len, NULL) != 0 || len != 32))
		rc = tn_err_set(err, TN_DB, "setting 'web_key': not 32 bytes in hex");
	if (stored) {
		sodium_memzero(stored, strlen(stored));
		free(stored);
	}
	return rc;
}

static tn_code copy_key(void *pk, sqlite3_stmt *row, struct tn_err *err)
{
	if (sqlite3_column_bytes(row, 0) != 32)
		return tn_err_set(err, TN_FAIL, "signing key: not 32 bytes");
	memcpy(pk, sqlite3_column_blob(row, 0), 32);
	return TN_OK;
}

tn_code tn_setup_public_key(struct tn_db *db, unsigned char pk[32],
			    struct tn_err *err)
{
	tn_code rc;

	rc = tn_db_one(db, err, copy_key, pk,
		       "SELECT public_key FROM signing_key ORDER BY id DESC LIMIT 1");
	if (rc == TN_NOTFOUND) {
		tn_err_set(err, TN_NOINIT, "no signing key");
		tn_err_next(err, TN_NEXT_INIT);
		return TN_NOINIT;
	}
	return rc;
}

/* Copies the secret key (column 1) into sk after checking that it is 64
 * bytes whose seed gives the stored public key (column 0). */
static tn_code copy_secret_key(void *sk, sqlite3_stmt *row, struct tn_err *err)
{
	const unsigned char *pk = sqlite3_column_blob(row, 0);
	const unsigned char *secret = sqlite3_column_blob(row, 1);
	unsigned char derived_pk[32], derived_sk[64];
	int same;

	if (sqlite3_column_bytes(row, 0) != 32 || sqlite3_column_bytes(row, 1) != 64)
		return tn_err_set(err, TN_FAIL, "signing key: not 32 + 64 bytes");
	crypto_sign_seed_keypair(derived_pk, derived_sk, secret);
	same = sodium_memcmp(derived_sk, secret, 64) == 0 &&
	       sodium_memcmp(derived_pk, pk, 32) == 0;
	sodium_memzero(derived_sk, sizeof(derived_sk));
	if (!same)
		return tn_err_set(err, TN_FAIL, "signing key: the secret key does not match the public key");
	memcpy(sk, secret, 64);
	return TN_OK;
}

tn_code tn_setup_secret_key(struct tn_db *db, unsigned char sk[64],
			    struct tn_err *err)
{
	tn_code rc;

	rc = tn_db_one(db, err, copy_secret_key, sk,
		       "SELECT public_key, secret_key FROM signing_key ORDER BY id DESC LIMIT 1");
	if (rc == TN_OK)
		return TN_OK;
	sodium_memzero(sk, 64);
	if (rc == TN_NOTFOUND) {
		tn_err_set(err, TN_NOINIT, "no signing key");
		tn_err_next(err, TN_NEXT_INIT);
		return TN_NOINIT;
	}
	return rc;
}

/* Removes a database file that tn_setup_create made, with its WAL and
 * shared-memory files. */
static void remove_database(const char *path)
{
	char side[4096];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

tn_code tn_setup_create(const char *path, const char *org, const char *from,
			const char *base_url, int *created, struct tn_err *err)
{
	struct tn_db *db = NULL;
	struct stat sb;
	int existed;
	tn_code rc;

	*created = 0;
	if ((rc = tn_setup_validate(org ? org : TN_SETUP_DEFAULT_ORG, from,
				    base_url ? base_url : TN_SETUP_DEFAULT_BASE_URL,
				    err)) != TN_OK)
		return rc;
	existed = stat(path, &sb) == 0;
	rc = tn_db_open(path, TN_DB_CREATE, &db, err);
	if (rc == TN_OK)
		rc = tn_setup_init(db, org, from, base_url, created, err);
	tn_db_close(db);
	if (rc != TN_OK && !existed)
		remove_database(path);
	return rc;
}
