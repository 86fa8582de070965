/* Unit tests: init's settings and the signing key pair it stores. */
#include <string.h>

#include <sodium.h>

#include "tap.h"
#include "turnout/store.h"
#include "turnout/setup.h"

int main(void)
{
	char dir[256], path[512];
	unsigned char pk[32], sig[crypto_sign_BYTES];
	const unsigned char msg[] = "ticket";
	struct tn_db *db;
	struct tn_err err;
	sqlite3_stmt *st;
	int created;

	if (!tap_tmpdir(dir, sizeof(dir)) || sodium_init() < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/setup.db", dir);
	if (tn_db_open(path, TN_DB_CREATE, &db, &err) != TN_OK)
		return 1;
	ok(!tn_setup_done(db), "a new database is not initialised");
	is_int(tn_setup_public_key(db, pk, &err), TN_NOINIT, "and has no public key");
	is_int(tn_setup_init(db, "Org", NULL, "https://x.example.org/", &created, &err),
	       TN_OK, "init");
	ok(created && tn_setup_done(db), "init creates");
	is_int(tn_setup_public_key(db, pk, &err), TN_OK, "the public key is readable");

	/* The stored secret key signs what the public key verifies. */
	sqlite3_prepare_v2(tn_db_sqlite(db), "SELECT secret_key FROM signing_key", -1, &st, NULL);
	ok(sqlite3_step(st) == SQLITE_ROW, "a secret key is stored");
	crypto_sign_detached(sig, NULL, msg, sizeof(msg),
			     (const unsigned char *)sqlite3_column_blob(st, 0));
	sqlite3_finalize(st);
	ok(crypto_sign_verify_detached(sig, msg, sizeof(msg), pk) == 0,
	   "the pair signs and verifies");

	is_int(tn_setup_init(db, NULL, NULL, NULL, &created, &err), TN_OK,
	       "init again without values");
	ok(!created, "changes nothing");
	is_int(tn_setup_init(db, "Org", NULL, "https://x.example.org/", &created, &err),
	       TN_OK, "init again with the stored values (in any stored form)");
	is_int(tn_setup_init(db, "Other", NULL, "https://y.example.org", &created, &err),
	       TN_CONFLICT, "init again with other values is refused");
	ok(strstr(err.msg, "'Other' was not applied") != NULL, "saying what: %s", err.msg);
	is_int(err.next, TN_NEXT_CONFIG, "and suggesting the way to change a setting");
	is_int(tn_setup_validate("Org", "bad@", "https://x.example.org", &err), TN_USAGE,
	       "a bad --from is refused: %s", err.msg);
	{
		static const struct { const char *url; int local; } urls[] = {
			{ "http://localhost:8080", 1 }, { "http://LOCALHOST", 1 },
			{ "http://127.0.0.1:9000/x", 1 }, { "http://[::1]:80", 1 },
			{ "https://meet.example.org", 0 }, { "https://localhost.example.org", 0 },
			{ "https://127.example.org", 0 },
		};
		struct tn_settings set = { 0 };
		size_t k;

		for (k = 0; k < sizeof(urls) / sizeof(urls[0]); k++) {
			set.base_url = (char *)urls[k].url;
			is_int(tn_settings_base_url_is_local(&set), urls[k].local,
			       "'%s' names this machine only: %d", urls[k].url, urls[k].local);
		}
	}
	tn_db_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
