/*
 * announce.c - posting an event on its channels (announce.h). Owns table
 * announcement: one row per post made or being made, its idempotency
 * key written in a transaction of its own before the first request, so
 * that whatever happens next — a 503 the HTTP layer retries, a crash, a
 * second run — the same key goes to the server and the status is posted
 * once; url and posted_at are written when the server has answered.
 * A row whose posted_at is NULL is a post not confirmed yet: the next
 * run sends it again, with its key.
 *
 * The link in each post is link.c's (one code per event × channel), the
 * text the "announce" template (templates.c), the requests http.h's, and
 * what a channel's URL means channel_api.h's. Prints nothing: each
 * channel's outcome goes to the caller's callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "turnout/announce.h"
#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/channel_api.h"
#include "turnout/event.h"
#include "turnout/http.h"
#include "turnout/link.h"
#include "turnout/setup.h"
#include "turnout/store.h"
#include "turnout/template.h"
#include "turnout/templates.h"
#include "turnout/text.h"
#include "turnout/token.h"

_Static_assert(sizeof(TN_ANNOUNCE_PLACEHOLDER) == TN_LINK_CODE_LEN + 1,
	       "the placeholder is as long as a code");

static tn_code nomem(struct tn_err *err)
{
	return tn_err_set(err, TN_NOMEM, "out of memory");
}

/* What one run shares: the event, its time as text, the settings and
 * the templates. */
struct run {
	struct tn_db *db;
	const struct tn_announce_opts *o;
	struct tn_settings set;
	const char *telegram_api;   /* the telegram-api setting; NULL: default */
	struct tn_templates *ts;
	struct tn_event ev;
	struct tn_buf when;
};

/* One channel's work. */
struct post {
	struct tn_channel ch;
	char what[160];           /* "channel 'NAME'": begins its messages */
	char *token;              /* the channel's API token, NULL if none */
	struct tn_buf link, text;
	int64_t row;              /* the announcement being posted */
	char key[TN_TOKEN_LEN + 1];
	char *url;                /* the post's address, once known */
	char posted_at[21];
	struct tn_err err;
	struct tn_announce_result r;
};

/* The latest announcement of an event on a channel, as read. */
struct latest {
	int64_t id;               /* 0: none */
	char key[TN_TOKEN_LEN + 1];
	char *url;
	char posted_at[21];       /* "": not confirmed */
};

static tn_code latest_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct latest *l = ctx;
	const char *url = tn_db_text(row, 2), *at = tn_db_text(row, 3);

	l->id = sqlite3_column_int64(row, 0);
	snprintf(l->key, sizeof(l->key), "%s", tn_db_text(row, 1));
	snprintf(l->posted_at, sizeof(l->posted_at), "%s", at ? at : "");
	if (url && !(l->url = strdup(url)))
		return nomem(err);
	return TN_OK;
}

/* Reads the latest announcement of event × channel into *l (l->id 0
 * when there is none; the caller frees l->url). */
static tn_code find_latest(struct tn_db *db, int64_t event_id, int64_t channel_id,
			   struct latest *l, struct tn_err *err)
{
	tn_code rc;

	memset(l, 0, sizeof(*l));
	rc = tn_db_one(db, err, latest_row, l, "SELECT id, idempotency_key, url, posted_at"
		       " FROM announcement WHERE event_id = ?1 AND channel_id = ?2"
		       " ORDER BY id DESC LIMIT 1", TN_I(event_id), TN_I(channel_id));
	return rc == TN_NOTFOUND ? TN_OK : rc;
}

/* Takes the key of the post about to be made, in a transaction of its
 * own that is committed before any request: the unconfirmed
 * announcement's when there is one (a run that failed or was killed),
 * else a new row's. A post confirmed meanwhile by another run is
 * TN_CONFLICT unless again. */
static tn_code take_key(struct run *run, struct post *p, struct tn_err *err)
{
	unsigned char hash[TN_TOKEN_HASH_BYTES];
	struct latest l;
	char now[21];
	tn_code rc;

	if ((rc = tn_db_begin(run->db, err)) != TN_OK)
		return rc;
	rc = find_latest(run->db, run->ev.id, p->ch.id, &l, err);
	if (rc == TN_OK && l.id && !l.posted_at[0]) {
		p->row = l.id;
		memcpy(p->key, l.key, sizeof(p->key));
	} else if (rc == TN_OK && l.id && !run->o->again) {
		rc = tn_err_set(err, TN_CONFLICT, "channel '%s': announced meanwhile",
				p->ch.name);
	} else if (rc == TN_OK && (rc = tn_token_new(p->key, hash, err)) == TN_OK) {
		tn_now_utc(now);
		rc = tn_db_run(run->db, err, "INSERT INTO announcement(event_id, channel_id,"
			       " idempotency_key, created_at) VALUES(?1, ?2, ?3, ?4)",
			       TN_I(run->ev.id), TN_I(p->ch.id), TN_T(p->key), TN_T(now));
		p->row = tn_db_last_id(run->db);
	}
	free(l.url);
	return tn_db_end(run->db, rc, err);
}

/* Records that the post was made, at p->url (may be NULL). */
static tn_code confirm(struct run *run, struct post *p, struct tn_err *err)
{
	tn_code rc;

	tn_now_utc(p->posted_at);
	if ((rc = tn_db_begin(run->db, err)) != TN_OK)
		return rc;
	rc = tn_db_run(run->db, err, "UPDATE announcement SET url = ?1, posted_at = ?2"
		       " WHERE id = ?3", TN_T(p->url), TN_T(p->posted_at), TN_I(p->row));
	rc = tn_db_end(run->db, rc, err);
	if (rc != TN_OK)
		tn_err_prefix(err, rc, "channel '%s': posted%s%s, but not recorded",
			      p->ch.name, p->url ? " at " : "", p->url ? p->url : "");
	return rc;
}

/* The channel's registration link, base-url/r/CODE, into p->link.
 * With peek, the code is asked for inside a transaction that is rolled
 * back, so an existing link is shown as it is and none is made; a code
 * made then would not be the one posted later, so TN_ANNOUNCE_PLACEHOLDER,
 * of a code's length, stands for it (the text's length stays exact). */
static tn_code make_link(struct run *run, struct post *p, int peek, struct tn_err *err)
{
	char code[TN_LINK_CODE_LEN + 1];
	int created = 0;
	tn_code rc;

	tn_buf_reset(&p->link);
	p->r.link_placeholder = 0;
	if (!peek) {
		rc = tn_link_code(run->db, run->ev.slug, p->ch.name, code, &created, err);
	} else {
		if ((rc = tn_db_begin(run->db, err)) != TN_OK)
			return rc;
		rc = tn_link_code(run->db, run->ev.slug, p->ch.name, code, &created, err);
		/* any code but TN_OK rolls the transaction back */
		tn_db_end(run->db, rc == TN_OK ? TN_CONFLICT : rc, err);
		if (rc == TN_OK && created) {
			memcpy(code, TN_ANNOUNCE_PLACEHOLDER, sizeof(code));
			p->r.link_placeholder = 1;
		}
	}
	if (rc == TN_OK && tn_buf_addf(&p->link, "%s/r/%s", run->set.base_url, code) != TN_OK)
		rc = nomem(err);
	p->r.link = p->link.data;
	return rc;
}

/* The number of code points in s. */
static size_t count_chars(const char *s, size_t len)
{
	const char *end = s + len;
	size_t n = 0;

	while (s < end) {
		tn_utf8_next(&s, end);
		n++;
	}
	return n;
}

/* Renders the post's text into p->text, without the blank lines and
 * spaces a template leaves at its end, and checks its length against
 * the limit of the channel's kind. */
static tn_code make_text(struct run *run, struct post *p, struct tn_err *err)
{
	const char *values[TN_TV_COUNT];
	const struct tn_template *t = tn_templates_get(run->ts, "announce", "txt");
	size_t max = 0;
	tn_code rc;

	tn_templates_event_values(values, run->set.org, &run->ev, run->when.data,
				  p->link.data);
	tn_buf_reset(&p->text);
	if ((rc = tn_template_render_values(t, values, &p->text, err)) != TN_OK)
		return rc;
	while (p->text.len && strchr(" \t\n", p->text.data[p->text.len - 1]))
		p->text.data[--p->text.len] = '\0';
	p->r.text = p->text.data;
	p->r.chars = count_chars(p->text.data, p->text.len);
	if (strcmp(p->ch.kind, "mastodon") == 0)
		max = TN_ANNOUNCE_MASTODON_MAX;
	else if (strcmp(p->ch.kind, "telegram") == 0)
		max = TN_ANNOUNCE_TELEGRAM_MAX;
	if (max && p->r.chars > max) {
		rc = tn_err_set(err, TN_BADINPUT, "channel '%s': the post is %zu characters;"
				" %s takes at most %zu", p->ch.name, p->r.chars,
				max == TN_ANNOUNCE_MASTODON_MAX ? "Mastodon" : "Telegram", max);
		tn_err_hint(err, "shorten the template announce.txt ('turnout templates"
			    " export --help' says how to override it)");
	}
	return rc;
}

/* Passes http.h's waits on to the caller, naming the channel. */
struct wait_ctx {
	const struct tn_announce_opts *o;
	const char *channel;
};

static void on_wait(void *ctx, double seconds, const char *why)
{
	struct wait_ctx *w = ctx;

	w->o->on_wait(w->o->ctx, w->channel, seconds, why);
}

/* POSTs body (JSON) to url, with the timeouts and retries of the
 * environment when it sets them (tn_http_opts_from_env); *res is the
 * answer. */
static tn_code post_json(struct run *run, struct post *p, const char *url, cJSON *body,
			 const struct tn_http_opts *opts, struct tn_http_response *res,
			 struct tn_err *err)
{
	struct wait_ctx w = { run->o, p->ch.name };
	struct tn_http_opts o = *opts;
	char *data;
	tn_code rc;

	o.what = p->what;
	tn_http_opts_from_env(&o);
	if (run->o->on_wait) {
		o.on_wait = on_wait;
		o.ctx = &w;
	}
	if (!(data = cJSON_PrintUnformatted(body)))
		return nomem(err);
	rc = tn_http_post(url, "application/json", data, strlen(data), &o, res, err);
	free(data);
	return rc;
}

/* A Mastodon status: POST {instance}/api/v1/statuses with the key; the
 * answer's "url" is the post's address. */
static tn_code post_mastodon(struct run *run, struct post *p, struct tn_err *err)
{
	struct tn_http_opts opts = { 0 };
	struct tn_http_response res = { 0 };
	struct tn_buf url = TN_BUF_INIT;
	char *instance = NULL, *account = NULL;
	cJSON *body = cJSON_CreateObject(), *answer = NULL, *u;
	tn_code rc;

	rc = tn_mastodon_parse_url(p->ch.url, &instance, &account, err);
	if (rc != TN_OK)
		tn_err_prefix(err, rc, "%s", p->what);
	else if (!body || !cJSON_AddStringToObject(body, "status", p->text.data) ||
		 !cJSON_AddStringToObject(body, "visibility", "public") ||
		 tn_buf_addf(&url, "%s/api/v1/statuses", instance) != TN_OK)
		rc = nomem(err);
	if (rc == TN_OK) {
		opts.bearer = p->token;
		opts.idempotency_key = p->key;
		opts.idempotent = 1;
		rc = post_json(run, p, url.data, body, &opts, &res, err);
	}
	if (rc == TN_OK)
		rc = tn_http_json(&res, p->what, &answer, err);
	if (rc == TN_OK && cJSON_IsString(u = cJSON_GetObjectItemCaseSensitive(answer, "url")) &&
	    !(p->url = strdup(u->valuestring)))
		rc = nomem(err);
	cJSON_Delete(answer);
	cJSON_Delete(body);
	tn_http_response_clear(&res);
	tn_buf_free(&url);
	free(instance);
	free(account);
	return rc;
}

/* A Telegram message: sendMessage to @name; the post is
 * https://t.me/name/MESSAGE_ID. The Bot API URL holds the token: it is
 * never put into a message. No idempotency key exists there, so the
 * request is not retried after a 5xx (http.h retries a 429 only). */
static tn_code post_telegram(struct run *run, struct post *p, struct tn_err *err)
{
	struct tn_http_opts opts = { 0 };
	struct tn_http_response res = { 0 };
	char *chat = NULL, *url = NULL;
	cJSON *body = cJSON_CreateObject(), *result = NULL, *id;
	tn_code rc;

	rc = tn_telegram_chat(p->ch.url, &chat, err);
	if (rc != TN_OK)
		tn_err_prefix(err, rc, "%s", p->what);
	else
		rc = tn_telegram_method_url(run->telegram_api, p->token, "sendMessage", &url,
					    err);
	if (rc == TN_OK && (!body || !cJSON_AddStringToObject(body, "chat_id", chat) ||
			    !cJSON_AddStringToObject(body, "text", p->text.data)))
		rc = nomem(err);
	if (rc == TN_OK)
		rc = post_json(run, p, url, body, &opts, &res, err);
	if (rc == TN_OK)
		rc = tn_telegram_result(&res, p->what, &result, err);
	id = cJSON_GetObjectItemCaseSensitive(result, "message_id");
	if (rc == TN_OK && !cJSON_IsNumber(id))
		rc = tn_err_set(err, TN_BADINPUT, "%s: the answer has no message_id", p->what);
	if (rc == TN_OK) {
		struct tn_buf post = TN_BUF_INIT;

		if (tn_buf_addf(&post, "https://t.me/%s/%lld", chat + 1,
				(long long)id->valuedouble) != TN_OK ||
		    !(p->url = tn_buf_detach(&post, NULL)))
			rc = nomem(err);
		tn_buf_free(&post);
	}
	cJSON_Delete(result);
	cJSON_Delete(body);
	tn_http_response_clear(&res);
	if (url)
		memset(url, 0, strlen(url));   /* it holds the token */
	free(url);
	free(chat);
	return rc;
}

/* 1 if the kind has an API turnout posts through. */
static int kind_has_api(const char *kind)
{
	return strcmp(kind, "mastodon") == 0 || strcmp(kind, "telegram") == 0;
}

/* Checks that the channel's URL names what the post needs (an instance
 * and account, a chat), as the post will read it. */
static tn_code check_url(struct post *p, struct tn_err *err)
{
	char *chat = NULL, *instance = NULL, *account = NULL;
	tn_code rc;

	if (!p->ch.url) {
		rc = tn_err_set(err, TN_USAGE, "channel '%s': no URL: which %s channel is it?",
				p->ch.name, p->ch.kind);
		tn_err_hint(err, "'turnout channel update %s --url URL' gives it one",
			    p->ch.name);
		return rc;
	}
	if (strcmp(p->ch.kind, "mastodon") == 0)
		rc = tn_mastodon_parse_url(p->ch.url, &instance, &account, err);
	else
		rc = tn_telegram_chat(p->ch.url, &chat, err);
	free(chat);
	free(instance);
	free(account);
	return rc == TN_OK ? rc : tn_err_prefix(err, rc, "%s", p->what);
}

/* Does one channel's work into p->r (its state, and err when it failed). */
static tn_code announce_one(struct run *run, struct post *p, struct tn_err *err)
{
	struct latest l;
	int api;
	tn_code rc;

	rc = find_latest(run->db, run->ev.id, p->ch.id, &l, err);
	if (rc == TN_OK && l.posted_at[0] && !run->o->again) {
		p->url = l.url;
		l.url = NULL;
		memcpy(p->posted_at, l.posted_at, sizeof(p->posted_at));
		p->r.state = TN_ANNOUNCE_ALREADY;
		return TN_OK;
	}
	free(l.url);
	if (rc == TN_OK && kind_has_api(p->ch.kind))
		rc = tn_channel_token(run->db, p->ch.id, &p->token, err);
	if (rc != TN_OK)
		return tn_err_prefix(err, rc, "%s", p->what);
	api = kind_has_api(p->ch.kind) && p->token;
	if (api && (rc = check_url(p, err)) != TN_OK)
		return rc;
	/* a public post cannot be taken back: not with a link to this machine */
	if (api && !run->o->dry_run && tn_settings_base_url_is_local(&run->set)) {
		rc = tn_err_set(err, TN_CONFLICT, "%s: not posted: its registration link"
				" would lead to this machine (base URL %s)", p->what,
				run->set.base_url ? run->set.base_url : TN_SETUP_DEFAULT_BASE_URL);
		tn_err_hint(err, "set the public address first: turnout config base-url"
			    " https://…; --dry-run shows the text");
		return rc;
	}
	/* the text is checked with the link as it will be before any link
	 * is made, so a channel refused leaves nothing behind */
	if ((rc = make_link(run, p, 1, err)) != TN_OK)
		return tn_err_prefix(err, rc, "%s", p->what);
	if ((rc = make_text(run, p, err)) != TN_OK)
		return rc;
	if (!run->o->dry_run && p->r.link_placeholder) {
		if ((rc = make_link(run, p, 0, err)) != TN_OK)
			return tn_err_prefix(err, rc, "%s", p->what);
		if ((rc = make_text(run, p, err)) != TN_OK)
			return rc;
	}
	if (!api) {
		p->r.state = TN_ANNOUNCE_MANUAL;
		p->r.why = kind_has_api(p->ch.kind) ? "no token" : "no API";
		return TN_OK;
	}
	if (run->o->dry_run) {
		p->r.state = TN_ANNOUNCE_DRY_RUN;
		return TN_OK;
	}
	if ((rc = take_key(run, p, err)) != TN_OK)
		return rc == TN_CONFLICT ? rc : tn_err_prefix(err, rc, "%s", p->what);
	if (strcmp(p->ch.kind, "mastodon") == 0)
		rc = post_mastodon(run, p, err);
	else
		rc = post_telegram(run, p, err);
	if (rc == TN_OK)
		rc = confirm(run, p, err);
	if (rc == TN_OK)
		p->r.state = TN_ANNOUNCE_POSTED;
	return rc;
}

/* Loads what every channel's post needs: settings, templates, the
 * event (not cancelled, not started) and its time as people read it. */
static tn_code run_start(struct run *run, const char *event, struct tn_err *err)
{
	struct tn_err ignored = TN_ERR_INIT;
	char now[21];
	const char *api = NULL;
	tn_code rc;

	if ((rc = tn_settings_load(run->db, &run->set, err)) != TN_OK)
		return rc;
	/* the setting telegram-api, where this turnout has it */
	if (tn_settings_get(&run->set, "telegram-api", &api, &ignored) == TN_OK)
		run->telegram_api = api;
	rc = tn_templates_load(tn_templates_dir(&run->set, run->o->templates), &run->ts, err);
	if (rc != TN_OK)
		return rc;
	if ((rc = tn_event_find(run->db, event, &run->ev, err)) != TN_OK)
		return tn_err_about(err, rc, "event");
	if (run->ev.cancelled) {
		rc = tn_err_set(err, TN_CONFLICT, "event '%s': cancelled; it is not announced",
				run->ev.slug);
		return rc;
	}
	tn_now_utc(now);
	if (strcmp(run->ev.start_utc, now) <= 0)
		return tn_err_set(err, TN_CONFLICT, "event '%s': started %s (UTC); its "
				  "registration is closed, so it is not announced",
				  run->ev.slug, run->ev.start_utc);
	if (tn_event_when(&run->ev, &run->when) != TN_OK)
		return nomem(err);
	return TN_OK;
}

static void post_clear(struct post *p)
{
	tn_channel_clear(&p->ch);
	if (p->token)
		memset(p->token, 0, strlen(p->token));
	free(p->token);
	tn_buf_free(&p->link);
	tn_buf_free(&p->text);
	free(p->url);
	memset(p, 0, sizeof(*p));
}

tn_code tn_announce(struct tn_db *db, const char *event,
		    const char *const *channels, size_t n,
		    const struct tn_announce_opts *o, int *failed,
		    struct tn_err *err)
{
	struct run run = { .db = db, .o = o, .when = TN_BUF_INIT };
	struct post *posts;
	size_t i, j;
	tn_code rc;

	*failed = 0;
	if (!(posts = calloc(n ? n : 1, sizeof(*posts))))
		return nomem(err);
	rc = run_start(&run, event, err);
	/* every channel is known before anything is made or sent */
	for (i = 0; i < n && rc == TN_OK; i++)
		if ((rc = tn_channel_find(db, channels[i], &posts[i].ch, err)) != TN_OK)
			rc = tn_err_about(err, rc, "channel");
	for (i = 0; i < n && rc == TN_OK; i++) {
		struct post *p = &posts[i];
		tn_code one;

		for (j = 0; j < i && posts[j].ch.id != p->ch.id; j++)
			;
		if (j < i)
			continue;   /* named twice */
		p->link = (struct tn_buf)TN_BUF_INIT;
		p->text = (struct tn_buf)TN_BUF_INIT;
		p->err = (struct tn_err)TN_ERR_INIT;
		snprintf(p->what, sizeof(p->what), "channel '%s'", p->ch.name);
		one = announce_one(&run, p, &p->err);
		p->r.channel = p->ch.name;
		p->r.kind = p->ch.kind;
		p->r.url = p->url;
		p->r.posted_at = p->posted_at[0] ? p->posted_at : NULL;
		if (one == TN_NOMEM) {
			*err = p->err;
			rc = one;
			break;
		}
		if (one != TN_OK) {
			p->r.state = TN_ANNOUNCE_FAILED;
			p->r.rc = one;
			p->r.err = &p->err;
			++*failed;
		}
		if (o->on_result)
			o->on_result(o->ctx, &p->r);
	}
	for (i = 0; i < n; i++)
		post_clear(&posts[i]);
	free(posts);
	tn_event_clear(&run.ev);
	tn_buf_free(&run.when);
	tn_templates_free(run.ts);
	tn_settings_clear(&run.set);
	return rc;
}

struct each_ctx {
	int (*fn)(void *ctx, const struct tn_announcement *a);
	void *ctx;
};

static tn_code each_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct each_ctx *c = vctx;
	struct tn_announcement a = {
		.channel = tn_db_text(row, 0),
		.url = tn_db_text(row, 1),
		.posted_at = tn_db_text(row, 2),
		.created_at = tn_db_text(row, 3),
	};

	(void)err;
	return c->fn(c->ctx, &a) ? TN_DB_STOP : TN_OK;
}

tn_code tn_announce_each(struct tn_db *db, int64_t event_id,
			 int (*fn)(void *ctx, const struct tn_announcement *a),
			 void *ctx, struct tn_err *err)
{
	struct each_ctx c = { fn, ctx };

	return tn_db_each(db, err, each_row, &c, "SELECT c.name, a.url, a.posted_at,"
			  " a.created_at FROM announcement a JOIN channel c ON c.id ="
			  " a.channel_id WHERE a.event_id = ?1 ORDER BY a.id", TN_I(event_id));
}

int tn_announce_event_has_any(struct tn_db *db, int64_t event_id)
{
	int64_t one;

	return tn_db_int(db, NULL, &one, "SELECT 1 FROM announcement WHERE event_id = ?1"
			 " LIMIT 1", TN_I(event_id)) == TN_OK;
}
