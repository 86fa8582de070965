/*
 * setup.h - the organisation's settings and the ticket signing key pair,
 * written once by 'turnout init'. Owns tables setting and signing_key;
 * other modules read the settings through tn_settings_load, never by key.
 */
#ifndef TURNOUT_SETUP_H
#define TURNOUT_SETUP_H

#include "turnout/db.h"

struct tn_settings;

#define TN_SETUP_DEFAULT_ORG "My community"
#define TN_SETUP_DEFAULT_BASE_URL "http://localhost:8080"

/* Checks the values init would store: org non-empty text, from an e-mail
 * address (may be NULL), base_url an http(s) URL. TN_USAGE with the flag
 * named in err on the first bad one. Needs no database. */
tn_code tn_setup_validate(const char *org, const char *from,
			  const char *base_url, struct tn_err *err);

/* Initialises the database: stores org, from (may be NULL) and base_url
 * (a trailing '/' removed; NULL org and base_url take the defaults) and
 * generates an Ed25519 key pair with libsodium, all in one transaction.
 * If the database was already initialised nothing is written and
 * *created is 0; then a value that was given (non-NULL) and differs from
 * the stored one is TN_CONFLICT (not applied: tn_setup_set changes it). */
tn_code tn_setup_init(struct tn_db *db, const char *org, const char *from,
		      const char *base_url, int *created, struct tn_err *err);

/* init as a whole: validates the values (before any file exists, so a
 * typo leaves nothing behind), creates or opens the database at path,
 * initialises it (tn_setup_init) and closes it. When it fails, a file
 * this call created is removed with its -wal and -shm. */
tn_code tn_setup_create(const char *path, const char *org, const char *from,
			const char *base_url, int *created, struct tn_err *err);

/* The settings a user may change after init, by name: "org", "from",
 * "base-url", "templates", "telegram-api" (NULL-terminated, in display
 * order). */
extern const char *const tn_setup_keys[];

/* Changes one setting, validated as init validates it; value NULL or ""
 * unsets "from", "templates" and "telegram-api" (the others cannot be
 * unset). The
 * "templates" value must be a readable directory whose templates load
 * (tn_templates_check_dir: TN_BADINPUT naming the file and line of an
 * invalid one) and is stored as an absolute path. TN_USAGE for an
 * unknown key (with a suggestion) or a bad value. *changed is 0 when the
 * value was already stored. "telegram-api" (the Telegram Bot API's
 * address; "" unsets it, back to channel_api.h's default) must be a URL
 * tn_http_url_allowed accepts, without query or fragment, and is stored
 * without a trailing '/'. */
tn_code tn_setup_set(struct tn_db *db, const char *key, const char *value,
		     int *changed, struct tn_err *err);

/* The stored value of a setting by name (borrowed from s); NULL when
 * unset. TN_USAGE for an unknown key. */
tn_code tn_settings_get(const struct tn_settings *s, const char *key,
			const char **value, struct tn_err *err);

/* The settings as one typed struct; NULL fields are unset. */
struct tn_settings {
	char *org;             /* organisation name */
	char *from;            /* organiser's e-mail address */
	char *base_url;        /* public base URL, no trailing '/' */
	char *templates;       /* the organizer's template directory (absolute
	                        * path; templates.h), NULL: the built-ins */
	char *telegram_api;    /* the Telegram Bot API, no trailing '/';
	                        * NULL: TN_TELEGRAM_API_DEFAULT */
	char *initialised_at;  /* when init ran (UTC); NULL before */
};

/* Reads every setting into *s (caller calls tn_settings_clear). */
tn_code tn_settings_load(struct tn_db *db, struct tn_settings *s,
			 struct tn_err *err);
void tn_settings_clear(struct tn_settings *s);

/* 1 if the base URL names this machine only (localhost, 127.x.y.z, ::1,
 * as init's default does): links made from it work nowhere else, which
 * every front end that hands out links should say. */
int tn_settings_base_url_is_local(const struct tn_settings *s);

/* 1 if init has run on this database. */
int tn_setup_done(struct tn_db *db);

/* The web server's secret key (32 bytes) into key: made with libsodium's
 * random bytes the first time it is asked for and stored (setting
 * web_key, hex), so forms a server hands out stay valid across restarts.
 * Pages derive their CSRF tokens from it. */
tn_code tn_setup_web_key(struct tn_db *db, unsigned char key[32],
			 struct tn_err *err);

/* Reads the public signing key (32 bytes) into pk. */
tn_code tn_setup_public_key(struct tn_db *db, unsigned char pk[32],
			    struct tn_err *err);

/* Reads the secret signing key (libsodium's 64 bytes, seed || public
 * key) into sk, for signing ticket codes, after checking that its seed
 * gives the stored public key. The caller zeroes sk when done
 * (sodium_memzero); on failure sk is zeroed here. SQLite's own copies of
 * the row are beyond reach; secure_delete zeroes the file's free pages.
 * TN_NOINIT when there is no key. */
tn_code tn_setup_secret_key(struct tn_db *db, unsigned char sk[64],
			    struct tn_err *err);

#endif
