/*
 * channel_api.h - what a channel's own web API says about it: which
 * instance and account a Mastodon channel's URL names, which chat a
 * Telegram channel's URL names, a Mastodon account's lookup, and the
 * audience figure each API declares (Mastodon's followers_count,
 * Telegram's getChatMemberCount). The calls go through http.h (its
 * timeouts, retries and refusal of plain http:// beyond loopback); the
 * channel's token is read from channel.c and never written into a
 * message, nor is a Telegram Bot API URL (it holds the token).
 *
 * sync.c (follower sync) and announce.c (posts) build on these; the
 * database is touched only by tn_channel_api_fetch_audience.
 */
#ifndef TURNOUT_CHANNEL_API_H
#define TURNOUT_CHANNEL_API_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "turnout/db.h"
#include "turnout/http.h"

/* The Telegram Bot API used when the setting telegram-api is unset. */
#define TN_TELEGRAM_API_DEFAULT "https://api.telegram.org"

/*
 * Reads a Mastodon channel's URL, https://host[:port]/@account (or
 * http:// to a loopback host: tn_http_url_allowed), with no query or
 * fragment and at most a trailing '/'. On TN_OK *instance is the origin
 * "https://host[:port]" (no trailing '/'; the host lower-cased, an
 * international name as its A-label) and *account the account's
 * name without '@' ("club", or "club@other.host" for an account of
 * another instance as written in the URL); both malloc'd, the caller
 * frees them. TN_USAGE about field "url" otherwise, with a hint showing
 * the form; *instance and *account are then NULL.
 */
tn_code tn_mastodon_parse_url(const char *url, char **instance,
			      char **account, struct tn_err *err);

/*
 * Reads a Telegram channel's URL, https://t.me/name (also
 * telegram.me, with or without a trailing '/'). On TN_OK *chat is the
 * chat_id the Bot API takes for a public channel, "@name", malloc'd (the
 * caller frees it). TN_USAGE about field "url" otherwise (*chat NULL).
 */
tn_code tn_telegram_chat(const char *url, char **chat, struct tn_err *err);

/*
 * Checks a channel's URL for its kind at add/update time: mastodon and
 * telegram as the two parsers above read them; other kinds are not
 * checked here (TN_OK). url NULL is TN_OK (a channel may have none).
 */
tn_code tn_channel_api_check_url(const char *kind, const char *url,
				 struct tn_err *err);

/* A Mastodon account as /api/v1/accounts/lookup returns it. */
struct tn_mastodon_account {
	char *id;                /* the API's id, a string of digits or not */
	int64_t followers_count; /* -1 if the answer had none */
};
void tn_mastodon_account_clear(struct tn_mastodon_account *acc);

/*
 * GET {instance}/api/v1/accounts/lookup?acct=ACCOUNT (account
 * percent-encoded) with opts (what, bearer, timeout … as http.h says)
 * and fills *acc (the caller calls tn_mastodon_account_clear). The
 * http.h errors as they are; TN_BADINPUT "<what>: …" when the answer is
 * not JSON or has no string "id".
 */
tn_code tn_mastodon_lookup(const char *instance, const char *account,
			   const struct tn_http_opts *opts,
			   struct tn_mastodon_account *acc, struct tn_err *err);

/*
 * The URL of Bot API method on api (the setting telegram-api, no
 * trailing '/'; NULL: TN_TELEGRAM_API_DEFAULT) for token:
 * "{api}/bot{token}/{method}", malloc'd into *url (the caller frees and
 * never shows it: it holds the token). TN_USAGE when api is not allowed
 * (tn_http_url_allowed).
 */
tn_code tn_telegram_method_url(const char *api, const char *token,
			       const char *method, char **url,
			       struct tn_err *err);

/*
 * A Bot API answer {"ok": true, "result": …}: *result is the detached
 * "result" (the caller's, cJSON_Delete). {"ok": false, "description":
 * D} is TN_FAIL "<what>: telegram says: D"; anything else TN_BADINPUT.
 */
tn_code tn_telegram_result(const struct tn_http_response *res,
			   const char *what, cJSON **result,
			   struct tn_err *err);

/*
 * The audience the channel's API declares today: a mastodon channel's
 * followers_count (lookup), a telegram channel's getChatMemberCount
 * (api as for tn_telegram_method_url). base gives the timeout, retries
 * and on_wait (may be NULL); what and bearer are set here. The channel's
 * token is used when it has one (telegram needs one: TN_USAGE
 * otherwise). TN_USAGE for a channel of another kind or whose URL is
 * not of its kind's form. Nothing is written.
 */
tn_code tn_channel_api_followers_count(struct tn_db *db, const char *name,
				       const char *api,
				       const struct tn_http_opts *base,
				       int64_t *count, struct tn_err *err);

/*
 * tn_channel_api_followers_count, then the figure recorded as today's
 * declared audience (tn_channel_set_audience). The telegram API is the
 * setting telegram-api, else the default.
 */
tn_code tn_channel_api_fetch_audience(struct tn_db *db, const char *name,
				      const struct tn_http_opts *base,
				      int64_t *count, struct tn_err *err);

#endif
