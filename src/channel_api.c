/*
 * channel_api.c - what a channel's own web API says about it
 * (channel_api.h): the Mastodon and Telegram channel URLs read with
 * libcurl's URL API, a Mastodon account's lookup, a Bot API answer, and
 * the audience each API declares. The requests are http.c's; the
 * channel, its token and its audience history are channel.c's. No URL
 * that holds a token (the Bot API's) is ever written into a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/channel_api.h"
#include "turnout/setup.h"
#include "turnout/text.h"

#define MASTODON_FORM "https://instance.example/@account"
#define TELEGRAM_FORM "https://t.me/channelname"

/* An account or chat name: letters, digits, '_', '.', '-' and at most
 * one '@' (an account of another instance), nothing else. */
static int name_valid(const char *s, int allow_at)
{
	int ats = 0;

	if (!*s || *s == '@')
		return 0;
	for (; *s; s++) {
		if (*s == '@' && allow_at && !ats++ && s[1])
			continue;
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' ||
		      (allow_at && (*s == '.' || *s == '-'))))
			return 0;
	}
	return 1;
}

/* The parts of url that a channel URL may have; each NULL when absent
 * (curl_free them). TN_USAGE when libcurl cannot read it. */
struct url_parts {
	char *scheme, *host, *port, *path, *query, *fragment, *user;
};

static void parts_free(struct url_parts *p)
{
	curl_free(p->scheme);
	curl_free(p->host);
	curl_free(p->port);
	curl_free(p->path);
	curl_free(p->query);
	curl_free(p->fragment);
	curl_free(p->user);
	memset(p, 0, sizeof(*p));
}

static int url_split(const char *url, struct url_parts *p)
{
	CURLU *h = curl_url();
	int ok;

	memset(p, 0, sizeof(*p));
	if (!h)
		return 0;
	ok = curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	     curl_url_get(h, CURLUPART_SCHEME, &p->scheme, 0) == CURLUE_OK &&
	     curl_url_get(h, CURLUPART_HOST, &p->host, 0) == CURLUE_OK &&
	     curl_url_get(h, CURLUPART_PATH, &p->path, CURLU_URLDECODE) == CURLUE_OK;
	if (ok) {
		curl_url_get(h, CURLUPART_PORT, &p->port, 0);
		curl_url_get(h, CURLUPART_QUERY, &p->query, 0);
		curl_url_get(h, CURLUPART_FRAGMENT, &p->fragment, 0);
		curl_url_get(h, CURLUPART_USER, &p->user, 0);
	}
	curl_url_cleanup(h);
	if (!ok)
		parts_free(p);
	return ok;
}

/* The one path segment of p after prefix ("/@"), without a trailing
 * '/', copied into a new string; NULL when the path is of another form. */
static char *one_segment(const struct url_parts *p, const char *prefix)
{
	size_t n = strlen(prefix), len;
	const char *s;
	char *out;

	if (strncmp(p->path, prefix, n) != 0)
		return NULL;
	s = p->path + n;
	len = strcspn(s, "/");
	if (len == 0 || (s[len] && strcmp(s + len, "/") != 0))
		return NULL;
	if (!(out = strndup(s, len)))
		return NULL;
	return out;
}

static tn_code bad_url(struct tn_err *err, const char *url, const char *kind,
		       const char *form, const char *why)
{
	tn_err_field(err, TN_USAGE, "url", "'%s': %s", url, why);
	tn_err_hint(err, "a %s channel's address is like %s", kind, form);
	return TN_USAGE;
}

tn_code tn_mastodon_parse_url(const char *url, char **instance,
			      char **account, struct tn_err *err)
{
	struct url_parts p;
	struct tn_buf b = TN_BUF_INIT, host = TN_BUF_INIT;
	tn_code rc = TN_OK;

	*instance = *account = NULL;
	if (!url || !*url)
		return bad_url(err, "", "mastodon", MASTODON_FORM, "no address");
	if (!url_split(url, &p))
		return bad_url(err, url, "mastodon", MASTODON_FORM, "not a URL");
	if (!tn_http_url_allowed(url))
		rc = bad_url(err, url, "mastodon", MASTODON_FORM,
			     "not https:// (plain http:// only to a loopback address)");
	else if (p.query || p.fragment || p.user)
		rc = bad_url(err, url, "mastodon", MASTODON_FORM,
			     "has a query, fragment or user name");
	else if (!(*account = one_segment(&p, "/@")) || !name_valid(*account, 1))
		rc = bad_url(err, url, "mastodon", MASTODON_FORM,
			     "not an account's address (/@account)");
	/* the host as tn_url_host writes it: lower case, an A-label */
	if (rc == TN_OK && tn_url_host(url, &host) != TN_OK)
		rc = bad_url(err, url, "mastodon", MASTODON_FORM, "no host");
	if (rc == TN_OK &&
	    (tn_buf_addf(&b, "%s://%s", p.scheme, host.data) != TN_OK ||
	     (p.port && tn_buf_addf(&b, ":%s", p.port) != TN_OK) ||
	     !(*instance = tn_buf_detach(&b, NULL))))
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	tn_buf_free(&host);
	tn_buf_free(&b);
	parts_free(&p);
	if (rc != TN_OK) {
		free(*instance);
		free(*account);
		*instance = *account = NULL;
	}
	return rc;
}

tn_code tn_telegram_chat(const char *url, char **chat, struct tn_err *err)
{
	struct url_parts p;
	char *name = NULL;
	tn_code rc = TN_OK;

	*chat = NULL;
	if (!url || !*url)
		return bad_url(err, "", "telegram", TELEGRAM_FORM, "no address");
	if (!url_split(url, &p))
		return bad_url(err, url, "telegram", TELEGRAM_FORM, "not a URL");
	if (strcmp(p.scheme, "https") != 0 ||
	    (strcmp(p.host, "t.me") != 0 && strcmp(p.host, "telegram.me") != 0) ||
	    p.port || p.user || p.query || p.fragment)
		rc = bad_url(err, url, "telegram", TELEGRAM_FORM, "not a t.me address");
	else if (!(name = one_segment(&p, "/")) || !name_valid(name, 0))
		rc = bad_url(err, url, "telegram", TELEGRAM_FORM,
			     "not a public channel's address (t.me/name)");
	else if (!(*chat = malloc(strlen(name) + 2)))
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	else
		sprintf(*chat, "@%s", name);
	free(name);
	parts_free(&p);
	return rc;
}

tn_code tn_channel_api_check_url(const char *kind, const char *url,
				 struct tn_err *err)
{
	char *a = NULL, *b = NULL;
	tn_code rc = TN_OK;

	if (!url || !kind)
		return TN_OK;
	if (strcmp(kind, "mastodon") == 0)
		rc = tn_mastodon_parse_url(url, &a, &b, err);
	else if (strcmp(kind, "telegram") == 0)
		rc = tn_telegram_chat(url, &a, err);
	free(a);
	free(b);
	return rc;
}

void tn_mastodon_account_clear(struct tn_mastodon_account *acc)
{
	free(acc->id);
	acc->id = NULL;
	acc->followers_count = -1;
}

tn_code tn_mastodon_lookup(const char *instance, const char *account,
			   const struct tn_http_opts *opts,
			   struct tn_mastodon_account *acc, struct tn_err *err)
{
	const char *what = opts && opts->what ? opts->what : "lookup";
	struct tn_http_response res = { 0 };
	struct tn_buf url = TN_BUF_INIT;
	cJSON *doc = NULL, *id, *count;
	char *acct = curl_easy_escape(NULL, account, 0);
	tn_code rc;

	acc->id = NULL;
	acc->followers_count = -1;
	if (!acct || tn_buf_addf(&url, "%s/api/v1/accounts/lookup?acct=%s",
				 instance, acct) != TN_OK) {
		curl_free(acct);
		tn_buf_free(&url);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	curl_free(acct);
	rc = tn_http_get(url.data, opts, &res, err);
	tn_buf_free(&url);
	if (rc == TN_NOTFOUND)
		tn_err_hint(err, "is '%s' the account's name on its instance?", account);
	if (rc == TN_OK)
		rc = tn_http_json(&res, what, &doc, err);
	tn_http_response_clear(&res);
	if (rc != TN_OK)
		return rc;
	id = cJSON_GetObjectItemCaseSensitive(doc, "id");
	count = cJSON_GetObjectItemCaseSensitive(doc, "followers_count");
	if (!cJSON_IsObject(doc) || !cJSON_IsString(id) || !id->valuestring[0])
		rc = tn_err_set(err, TN_BADINPUT, "%s: the account lookup's answer has no \"id\"",
				what);
	else if (!(acc->id = strdup(id->valuestring)))
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	else if (cJSON_IsNumber(count) && count->valuedouble >= 0)
		acc->followers_count = (int64_t)count->valuedouble;
	cJSON_Delete(doc);
	return rc;
}

tn_code tn_telegram_method_url(const char *api, const char *token,
			       const char *method, char **url,
			       struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;

	*url = NULL;
	if (!api)
		api = TN_TELEGRAM_API_DEFAULT;
	if (!tn_http_url_allowed(api)) {
		tn_err_field(err, TN_USAGE, "telegram-api", "'%s': not https:// (plain"
			     " http:// only to a loopback address)", api);
		return TN_USAGE;
	}
	if (tn_buf_addf(&b, "%s/bot%s/%s", api, token, method) != TN_OK) {
		tn_buf_free(&b);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	*url = tn_buf_detach(&b, NULL);
	return *url ? TN_OK : tn_err_set(err, TN_NOMEM, "out of memory");
}

tn_code tn_telegram_result(const struct tn_http_response *res,
			   const char *what, cJSON **result,
			   struct tn_err *err)
{
	cJSON *doc = NULL, *ok, *desc;
	tn_code rc;

	*result = NULL;
	if (!what)
		what = "telegram";
	if ((rc = tn_http_json(res, what, &doc, err)) != TN_OK)
		return rc;
	ok = cJSON_GetObjectItemCaseSensitive(doc, "ok");
	desc = cJSON_GetObjectItemCaseSensitive(doc, "description");
	if (cJSON_IsTrue(ok) && cJSON_HasObjectItem(doc, "result"))
		*result = cJSON_DetachItemFromObjectCaseSensitive(doc, "result");
	else if (cJSON_IsFalse(ok))
		rc = tn_err_set(err, TN_FAIL, "%s: telegram says: %s", what,
				cJSON_IsString(desc) ? desc->valuestring : "(no description)");
	else
		rc = tn_err_set(err, TN_BADINPUT, "%s: the answer is not a Bot API answer"
				" (no \"ok\" and \"result\")", what);
	cJSON_Delete(doc);
	return rc;
}

/* "channel 'NAME'", the beginning of every message about a channel. */
static void channel_what(char *out, size_t size, const char *name)
{
	snprintf(out, size, "channel '%s'", name);
}

static tn_code mastodon_count(const struct tn_channel *ch,
			      const struct tn_http_opts *opts, int64_t *count,
			      struct tn_err *err)
{
	struct tn_mastodon_account acc;
	char *instance, *account;
	tn_code rc;

	if ((rc = tn_mastodon_parse_url(ch->url, &instance, &account, err)) != TN_OK)
		return tn_err_prefix(err, rc, "%s", opts->what);
	rc = tn_mastodon_lookup(instance, account, opts, &acc, err);
	if (rc == TN_OK && acc.followers_count < 0)
		rc = tn_err_set(err, TN_BADINPUT, "%s: the account lookup's answer has no"
				" \"followers_count\"", opts->what);
	if (rc == TN_OK)
		*count = acc.followers_count;
	tn_mastodon_account_clear(&acc);
	free(instance);
	free(account);
	return rc;
}

static tn_code telegram_count(const struct tn_channel *ch, const char *api,
			      const struct tn_http_opts *opts, int64_t *count,
			      struct tn_err *err)
{
	struct tn_http_response res = { 0 };
	struct tn_buf url = TN_BUF_INIT;
	char *chat, *method = NULL, *enc = NULL;
	cJSON *result = NULL;
	tn_code rc;

	if ((rc = tn_telegram_chat(ch->url, &chat, err)) != TN_OK)
		return tn_err_prefix(err, rc, "%s", opts->what);
	rc = tn_telegram_method_url(api, opts->bearer, "getChatMemberCount", &method, err);
	if (rc == TN_OK && (!(enc = curl_easy_escape(NULL, chat, 0)) ||
			    tn_buf_addf(&url, "%s?chat_id=%s", method, enc) != TN_OK))
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	if (rc == TN_OK) {
		/* the token travels in the URL, not in a header */
		struct tn_http_opts o = *opts;

		o.bearer = NULL;
		rc = tn_http_get(url.data, &o, &res, err);
	}
	if (rc == TN_OK)
		rc = tn_telegram_result(&res, opts->what, &result, err);
	if (rc == TN_OK && !(cJSON_IsNumber(result) && result->valuedouble >= 0))
		rc = tn_err_set(err, TN_BADINPUT, "%s: getChatMemberCount's result is not a"
				" count", opts->what);
	if (rc == TN_OK)
		*count = (int64_t)result->valuedouble;
	cJSON_Delete(result);
	tn_http_response_clear(&res);
	if (method)
		explicit_bzero(method, strlen(method));
	if (url.data)
		explicit_bzero(url.data, url.len);
	free(method);
	curl_free(enc);
	tn_buf_free(&url);
	free(chat);
	return rc;
}

tn_code tn_channel_api_followers_count(struct tn_db *db, const char *name,
				       const char *api,
				       const struct tn_http_opts *base,
				       int64_t *count, struct tn_err *err)
{
	struct tn_http_opts opts = { 0 };
	struct tn_channel ch;
	char what[160], *token = NULL;
	tn_code rc;

	*count = -1;
	if ((rc = tn_channel_find(db, name, &ch, err)) != TN_OK)
		return rc;
	if (base)
		opts = *base;
	channel_what(what, sizeof(what), ch.name);
	opts.what = what;
	if (strcmp(ch.kind, "mastodon") != 0 && strcmp(ch.kind, "telegram") != 0) {
		rc = tn_err_set(err, TN_USAGE, "%s: a %s channel has no API to ask", what,
				ch.kind);
		tn_err_hint(err, "record the figure by hand: turnout channel audience NAME N");
		goto out;
	}
	if (!ch.url) {
		rc = tn_err_set(err, TN_USAGE, "%s: no address to ask", what);
		tn_err_hint(err, "set it: turnout channel update NAME --url %s",
			    strcmp(ch.kind, "mastodon") == 0 ? MASTODON_FORM : TELEGRAM_FORM);
		goto out;
	}
	if ((rc = tn_channel_token(db, ch.id, &token, err)) != TN_OK)
		goto out;
	opts.bearer = token;
	if (strcmp(ch.kind, "mastodon") == 0) {
		rc = mastodon_count(&ch, &opts, count, err);
	} else if (!token) {
		rc = tn_err_set(err, TN_USAGE, "%s: no bot token", what);
		tn_err_hint(err, "set one: turnout channel token NAME --token-file FILE");
	} else {
		rc = telegram_count(&ch, api, &opts, count, err);
	}
out:
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	tn_channel_clear(&ch);
	return rc;
}

tn_code tn_channel_api_fetch_audience(struct tn_db *db, const char *name,
				      const struct tn_http_opts *base,
				      int64_t *count, struct tn_err *err)
{
	struct tn_settings set;
	tn_code rc;

	if ((rc = tn_settings_load(db, &set, err)) != TN_OK)
		return rc;
	rc = tn_channel_api_followers_count(db, name, set.telegram_api, base, count, err);
	tn_settings_clear(&set);
	if (rc == TN_OK)
		rc = tn_channel_set_audience(db, name, *count, NULL, err);
	return rc;
}
