/*
 * sync.c - follower sync from a Mastodon-compatible server (sync.h).
 * Owns the staging tables sync_run, sync_page and sync_follower; the
 * followers themselves are written by the importer (import.c, through
 * person.c), fed the staged list as CSV, so a sync merges, unfollows and
 * skips forgotten people exactly as an import of the complete list does.
 * The requests are http.c's, the account's URL and lookup channel_api.c's.
 *
 * The staging is what makes a sync resumable: one transaction per page
 * (its followers, its URL, the next page's URL), so a kill between pages
 * loses nothing, and the follower table changes only in the final
 * transaction, once every page is in. An error that says the sync cannot
 * succeed as it stands (a bad answer, a page loop, a refused token)
 * discards the staging; one that may pass (a timeout, a 5xx) keeps it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "turnout/channel.h"
#include "turnout/import.h"
#include "turnout/store.h"
#include "turnout/sync.h"
#include "turnout/text.h"

/* One follower of a page: the handle and the name, owned. */
struct staged {
	char *handle;
	char *name;
};

struct page {
	struct staged *rows;
	size_t n, alloc;
};

static void page_free(struct page *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->rows[i].handle);
		free(p->rows[i].name);
	}
	free(p->rows);
	memset(p, 0, sizeof(*p));
}

/* What a sync is working on. */
/* Pages a sync reads at most: 80 followers a page makes 16 million
 * followers, more than any account has; a server that links new pages
 * without end is stopped there. */
#define SYNC_MAX_PAGES 200000

struct sync {
	struct tn_db *db;
	struct tn_channel ch;
	char what[160];          /* "channel 'NAME'" */
	char *instance;          /* https://host[:port] */
	char *account;
	struct tn_buf host;      /* the instance's host, for local accts */
	char *token;
	struct tn_http_opts http;
	/* the run as staged: account_id NULL until the first page is in */
	char *account_id;
	int64_t declared;        /* followers_count, -1 if none */
	char *next_url;
	long long pages;
	long long staged;        /* followers in sync_follower, -1 until counted */
	int started;             /* sync_run exists */
};

tn_code tn_sync_handle(const char *acct, const char *instance_host,
		       struct tn_buf *out, struct tn_err *err)
{
	struct tn_buf full = TN_BUF_INIT;
	tn_code rc;

	if (!acct || !*acct || *acct == '@')
		return tn_err_set(err, TN_BADINPUT, "'%s': not an account name", acct ? acct : "");
	if (strchr(acct, '@'))
		rc = tn_buf_add(&full, acct);
	else
		rc = tn_buf_addf(&full, "%s@%s", acct, instance_host);
	if (rc != TN_OK) {
		tn_buf_free(&full);
		return tn_err_set(err, TN_NOMEM, "out of memory");
	}
	rc = tn_handle_normalize(full.data, full.len, out, err);
	tn_buf_free(&full);
	return rc;
}

/* "scheme://host[:port]" of url into out, lower-cased by libcurl's
 * parser as far as it goes; 0 when url is no URL. */
static int origin_of(const char *url, struct tn_buf *out)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int ok = h && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
		 curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		 curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK;

	if (ok) {
		curl_url_get(h, CURLUPART_PORT, &port, 0);
		ok = tn_buf_addf(out, "%s://%s", scheme, host) == TN_OK &&
		     (!port || tn_buf_addf(out, ":%s", port) == TN_OK);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(h);
	return ok;
}

/* 1 if url is on the instance itself (its origin, compared without
 * regard to ASCII case). */
static int same_origin(const char *url, const char *instance)
{
	struct tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT;
	int same = origin_of(url, &a) && origin_of(instance, &b) &&
		   strcasecmp(a.data, b.data) == 0;

	tn_buf_free(&a);
	tn_buf_free(&b);
	return same;
}

static tn_code run_row(void *ctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct sync *s = ctx;
	const char *next = tn_db_text(row, 2);

	s->started = 1;
	s->declared = sqlite3_column_type(row, 1) == SQLITE_NULL ? -1
		      : sqlite3_column_int64(row, 1);
	s->pages = sqlite3_column_int64(row, 3);
	if (!(s->account_id = strdup(tn_db_text(row, 0))) ||
	    (next && !(s->next_url = strdup(next))))
		return tn_err_set(err, TN_NOMEM, "out of memory");
	return TN_OK;
}

/* Reads the run staged before, if any. */
static tn_code load_run(struct sync *s, struct tn_err *err)
{
	tn_code rc = tn_db_one(s->db, err, run_row, s,
			       "SELECT account_id, followers_count, next_url, pages"
			       " FROM sync_run WHERE channel_id = ?1", TN_I(s->ch.id));

	return rc == TN_NOTFOUND ? TN_OK : rc;
}

/* Deletes the channel's staging rows, inside the caller's transaction. */
static tn_code delete_staging(struct tn_db *db, int64_t channel_id, struct tn_err *err)
{
	tn_code rc = tn_db_run(db, err, "DELETE FROM sync_follower WHERE channel_id = ?1",
			       TN_I(channel_id));

	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM sync_page WHERE channel_id = ?1",
			       TN_I(channel_id));
	if (rc == TN_OK)
		rc = tn_db_run(db, err, "DELETE FROM sync_run WHERE channel_id = ?1",
			       TN_I(channel_id));
	return rc;
}

static tn_code discard(struct tn_db *db, int64_t channel_id, struct tn_err *err)
{
	tn_code rc;

	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	return tn_db_end(db, delete_staging(db, channel_id, err), err);
}

/* Ends the sync for good: the staging goes, so the database is as it
 * was before the first page; rc and err (the reason) are kept. */
static tn_code give_up(struct sync *s, tn_code rc)
{
	struct tn_err ignored = TN_ERR_INIT;

	if (s->started)
		discard(s->db, s->ch.id, &ignored);
	return rc;
}

/* http.h's failures that the same request will meet again: not found,
 * an answer too large, the token refused (its documented message). */
static int lasting_failure(tn_code rc, const struct tn_err *err)
{
	return rc == TN_NOTFOUND || rc == TN_BADINPUT ||
	       (rc == TN_FAIL && strstr(err->msg, "the server refused the token"));
}

/* The followers of one page's JSON: an array of accounts, each with a
 * string "acct" and a "display_name" (else "username") as the name. */
static tn_code read_page(struct sync *s, const cJSON *doc, struct page *p,
			 struct tn_err *err)
{
	struct tn_buf handle = TN_BUF_INIT;
	const cJSON *item;
	size_t i = 0;
	tn_code rc = TN_OK;

	if (!cJSON_IsArray(doc))
		return tn_err_set(err, TN_BADINPUT, "%s: page %lld of followers is not a"
				  " JSON array", s->what, s->pages + 1);
	cJSON_ArrayForEach(item, doc) {
		const cJSON *acct = cJSON_GetObjectItemCaseSensitive(item, "acct");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "display_name");
		struct tn_err why = TN_ERR_INIT;

		i++;
		if (!cJSON_IsString(name) || !name->valuestring[0])
			name = cJSON_GetObjectItemCaseSensitive(item, "username");
		if (!cJSON_IsObject(item) || !cJSON_IsString(acct)) {
			rc = tn_err_set(err, TN_BADINPUT, "%s: page %lld, follower %zu: no"
					" \"acct\"", s->what, s->pages + 1, i);
			break;
		}
		if (tn_sync_handle(acct->valuestring, s->host.data, &handle, &why) != TN_OK) {
			rc = tn_err_set(err, TN_BADINPUT, "%s: page %lld, follower %zu: %s",
					s->what, s->pages + 1, i, why.msg);
			break;
		}
		if (p->n == p->alloc) {
			size_t grow = p->alloc ? 2 * p->alloc : TN_SYNC_PAGE_LIMIT;
			struct staged *more = realloc(p->rows, grow * sizeof(*more));

			if (!more) {
				rc = tn_err_set(err, TN_NOMEM, "out of memory");
				break;
			}
			p->rows = more;
			p->alloc = grow;
		}
		p->rows[p->n].handle = strdup(handle.data);
		p->rows[p->n].name = cJSON_IsString(name) && name->valuestring[0]
				     ? strdup(name->valuestring) : NULL;
		if (!p->rows[p->n].handle ||
		    (cJSON_IsString(name) && name->valuestring[0] && !p->rows[p->n].name)) {
			free(p->rows[p->n].handle);
			rc = tn_err_set(err, TN_NOMEM, "out of memory");
			break;
		}
		p->n++;
	}
	tn_buf_free(&handle);
	return rc;
}

/* One page in, in one transaction: the run (created by the first page),
 * the page's URL, its followers, and where the next page is. */
static tn_code stage_page(struct sync *s, const char *url, const struct page *p,
			  const char *next, struct tn_err *err)
{
	char now[21];
	long long added = 0;
	tn_code rc;

	if ((rc = tn_db_begin(s->db, err)) != TN_OK)
		return rc;
	if (!s->started) {
		tn_now_utc(now);
		rc = tn_db_run(s->db, err, "INSERT INTO sync_run(channel_id, account_id,"
			       " followers_count, next_url, pages, started_at)"
			       " VALUES(?1, ?2, nullif(?3, -1), ?4, 1, ?5)", TN_I(s->ch.id),
			       TN_T(s->account_id), TN_I(s->declared), TN_T(next), TN_T(now));
	} else {
		rc = tn_db_run(s->db, err, "UPDATE sync_run SET next_url = ?2,"
			       " pages = pages + 1 WHERE channel_id = ?1",
			       TN_I(s->ch.id), TN_T(next));
	}
	if (rc == TN_OK)
		rc = tn_db_run(s->db, err, "INSERT INTO sync_page(channel_id, url)"
			       " VALUES(?1, ?2) ON CONFLICT DO NOTHING", TN_I(s->ch.id),
			       TN_T(url));
	for (size_t i = 0; rc == TN_OK && i < p->n; i++) {
		rc = tn_db_run(s->db, err, "INSERT INTO sync_follower(channel_id, handle, name)"
			       " VALUES(?1, ?2, ?3) ON CONFLICT(channel_id, handle) DO NOTHING",
			       TN_I(s->ch.id), TN_T(p->rows[i].handle), TN_T(p->rows[i].name));
		if (rc == TN_OK && tn_db_changes(s->db) > 0)
			added++;
		else if (rc == TN_OK)   /* listed twice: the later name wins */
			rc = tn_db_run(s->db, err, "UPDATE sync_follower SET name = ?3"
				       " WHERE channel_id = ?1 AND handle = ?2", TN_I(s->ch.id),
				       TN_T(p->rows[i].handle), TN_T(p->rows[i].name));
	}
	rc = tn_db_end(s->db, rc, err);
	if (rc == TN_OK) {
		s->started = 1;
		s->pages++;
		if (s->staged >= 0)
			s->staged += added;
	}
	return rc;
}

/* 1 if url was staged as a page of this run already. */
static int page_seen(struct sync *s, const char *url)
{
	int64_t n = 0;

	return tn_db_int(s->db, NULL, &n, "SELECT count(*) FROM sync_page"
			 " WHERE channel_id = ?1 AND url = ?2", TN_I(s->ch.id),
			 TN_T(url)) == TN_OK && n > 0;
}

/* The followers staged so far: counted once (a resumed run's), then
 * kept up as pages are staged. */
static tn_code count_staged(struct sync *s, long long *n, struct tn_err *err)
{
	int64_t v = 0;
	tn_code rc;

	if (s->staged >= 0) {
		*n = s->staged;
		return TN_OK;
	}
	rc = tn_db_int(s->db, err, &v, "SELECT count(*) FROM sync_follower"
		       " WHERE channel_id = ?1", TN_I(s->ch.id));
	if (rc == TN_OK)
		s->staged = v;

	*n = v;
	return rc;
}

/* Fetches and stages the pages from s->next_url on until there is no
 * next one. */
static tn_code fetch_pages(struct sync *s, const struct tn_sync_opts *opts,
			   struct tn_err *err)
{
	struct tn_http_response res = { 0 };
	long long staged = 0;
	tn_code rc = TN_OK;

	while (s->next_url) {
		struct page p = { 0 };
		cJSON *doc = NULL;
		char *url = s->next_url;

		s->next_url = NULL;
		rc = tn_http_get(url, &s->http, &res, err);
		if (rc != TN_OK) {
			/* the failed page is the one to go on from */
			s->next_url = url;
			if (lasting_failure(rc, err))
				return give_up(s, rc);
			if (s->started)
				tn_err_hint(err, "%lld pages are kept: run the sync again to go"
					    " on from there", s->pages);
			return rc;
		}
		rc = tn_http_json(&res, s->what, &doc, err);
		if (rc == TN_OK)
			rc = read_page(s, doc, &p, err);
		cJSON_Delete(doc);
		if (rc == TN_OK && res.next && !same_origin(res.next, s->instance))
			rc = tn_err_set(err, TN_BADINPUT, "%s: the next page is on another"
					" server; refused, so the token stays with the instance",
					s->what);
		else if (rc == TN_OK && res.next &&
			 (strcmp(res.next, url) == 0 || page_seen(s, res.next)))
			rc = tn_err_set(err, TN_BADINPUT, "%s: page loop: page %lld links back"
					" to a page already read", s->what, s->pages + 1);
		else if (rc == TN_OK && res.next && s->pages + 1 >= SYNC_MAX_PAGES)
			rc = tn_err_set(err, TN_BADINPUT, "%s: the server links page after page"
					" (%d pages); stopped", s->what, SYNC_MAX_PAGES);
		if (rc == TN_OK)
			rc = stage_page(s, url, &p, res.next, err);
		if (rc == TN_OK && res.next && !(s->next_url = strdup(res.next)))
			rc = tn_err_set(err, TN_NOMEM, "out of memory");
		page_free(&p);
		free(url);
		tn_http_response_clear(&res);
		if (rc == TN_BADINPUT)
			return give_up(s, rc);
		if (rc != TN_OK)
			return rc;
		if (opts && opts->on_page && count_staged(s, &staged, err) == TN_OK)
			opts->on_page(opts->ctx, s->pages, staged, s->declared);
	}
	return rc;
}

/* One CSV field, always quoted, '"' doubled (RFC 4180), as import reads
 * it back: no spreadsheet escaping, the importer is the only reader. */
static tn_code csv_field(struct tn_buf *b, const char *s)
{
	tn_code rc = tn_buf_addch(b, '"');

	for (; rc == TN_OK && s && *s; s++)
		rc = *s == '"' ? tn_buf_add(b, "\"\"") : tn_buf_addch(b, *s);
	return rc == TN_OK ? tn_buf_addch(b, '"') : rc;
}

struct csv_ctx {
	int fd;
	struct tn_buf line;
	long long rows;
};

static tn_code write_all(int fd, const char *data, size_t len, struct tn_err *err)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return tn_err_set(err, TN_IO, "staged followers: %s", strerror(errno));
		data += n;
		len -= (size_t)n;
	}
	return TN_OK;
}

static tn_code csv_row(void *vctx, sqlite3_stmt *row, struct tn_err *err)
{
	struct csv_ctx *c = vctx;

	tn_buf_reset(&c->line);
	if (csv_field(&c->line, tn_db_text(row, 0)) != TN_OK ||
	    tn_buf_addch(&c->line, ',') != TN_OK ||
	    csv_field(&c->line, tn_db_text(row, 1)) != TN_OK ||
	    tn_buf_add(&c->line, "\r\n") != TN_OK)
		return tn_err_set(err, TN_NOMEM, "out of memory");
	c->rows++;
	return write_all(c->fd, c->line.data, c->line.len, err);
}

/* The staged followers as CSV (handle,name) in an unlinked temporary
 * file, rewound; *fd is the caller's to close. */
static tn_code staged_csv(struct sync *s, int *fd, long long *rows,
			  struct tn_err *err)
{
	const char *dir = getenv("TMPDIR");
	struct csv_ctx c = { -1, TN_BUF_INIT, 0 };
	char path[4096];
	tn_code rc;

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/turnout-sync-XXXXXX", dir);
	if ((c.fd = mkostemp(path, O_CLOEXEC)) < 0)
		return tn_err_set(err, TN_IO, "temporary file in '%s': %s", dir,
				  strerror(errno));
	unlink(path);
	rc = write_all(c.fd, "handle,name\r\n", 13, err);
	if (rc == TN_OK)
		rc = tn_db_each(s->db, err, csv_row, &c, "SELECT handle, name FROM"
				" sync_follower WHERE channel_id = ?1 ORDER BY handle",
				TN_I(s->ch.id));
	if (rc == TN_OK && lseek(c.fd, 0, SEEK_SET) < 0)
		rc = tn_err_set(err, TN_IO, "temporary file: %s", strerror(errno));
	tn_buf_free(&c.line);
	if (rc != TN_OK) {
		close(c.fd);
		return rc;
	}
	*fd = c.fd;
	*rows = c.rows;
	return TN_OK;
}

/* Every page is in: the staged list becomes the channel's complete list,
 * the declared count today's audience, and the staging goes, in one
 * transaction. */
static tn_code apply(struct sync *s, struct tn_sync_stats *stats,
		     struct tn_err *err)
{
	struct tn_import_opts io = { .complete = 1 };
	struct tn_import_stats is = { 0 };
	int fd = -1;
	tn_code rc;

	if ((rc = tn_db_begin(s->db, err)) != TN_OK)
		return rc;
	rc = staged_csv(s, &fd, &stats->fetched, err);
	/* An account that hides its followers lists none to others: taken
	 * as the whole list, that would unfollow everyone */
	if (rc == TN_OK && stats->fetched == 0 && s->declared > 0) {
		rc = tn_err_set(err, TN_BADINPUT, "%s: the server lists no followers,"
				" though the account has %lld", s->what,
				(long long)s->declared);
		tn_err_hint(err, "the account may hide its followers from others: set"
			    " the account's own token (channel token); nothing was changed");
	}
	if (rc == TN_OK)
		rc = tn_import_followers(s->db, s->ch.id, s->ch.kind, fd, s->what, &io, &is,
					 err);
	if (fd >= 0)
		close(fd);
	if (rc == TN_OK && s->declared >= 0)
		rc = tn_channel_set_audience(s->db, s->ch.name, s->declared, NULL, err);
	if (rc == TN_OK)
		rc = delete_staging(s->db, s->ch.id, err);
	rc = tn_db_end(s->db, rc, err);
	if (rc == TN_OK) {
		stats->inserted = is.inserted;
		stats->updated = is.updated;
		stats->unfollowed = is.unfollowed;
		stats->suppressed = is.suppressed;
		stats->audience = s->declared;
	} else if (rc == TN_BADINPUT) {
		/* a list the importer refuses will be refused again */
		give_up(s, rc);
	}
	tn_import_stats_free(&is);
	return rc;
}

/* The channel, its instance and account, and its token. */
static tn_code prepare(struct sync *s, const char *name,
		       const struct tn_sync_opts *opts, struct tn_err *err)
{
	tn_code rc;

	if ((rc = tn_channel_find(s->db, name, &s->ch, err)) != TN_OK)
		return rc;
	snprintf(s->what, sizeof(s->what), "channel '%s'", s->ch.name);
	if (strcmp(s->ch.kind, "mastodon") != 0) {
		tn_err_set(err, TN_USAGE, "%s: follower sync is for Mastodon-compatible"
			   " servers, and this is a %s channel", s->what, s->ch.kind);
		tn_err_hint(err, "import its followers from a CSV file: turnout follower"
			    " import %s FILE", s->ch.name);
		return TN_USAGE;
	}
	if (!s->ch.url) {
		tn_err_set(err, TN_USAGE, "%s: no address to sync from", s->what);
		tn_err_hint(err, "set it: turnout channel update %s --url"
			    " https://instance.example/@account", s->ch.name);
		return TN_USAGE;
	}
	if ((rc = tn_mastodon_parse_url(s->ch.url, &s->instance, &s->account, err)) != TN_OK)
		return tn_err_prefix(err, rc, "%s", s->what);
	if (tn_url_host(s->instance, &s->host) != TN_OK)
		return tn_err_set(err, TN_USAGE, "%s: no host in its address", s->what);
	if ((rc = tn_channel_token(s->db, s->ch.id, &s->token, err)) != TN_OK)
		return rc;
	if (opts && opts->http)
		s->http = *opts->http;
	s->http.what = s->what;
	s->http.bearer = s->token;
	return TN_OK;
}

/* The lookup a new run starts with, and its first page. */
static tn_code start(struct sync *s, struct tn_err *err)
{
	struct tn_mastodon_account acc;
	struct tn_buf url = TN_BUF_INIT;
	char *id;
	tn_code rc = tn_mastodon_lookup(s->instance, s->account, &s->http, &acc, err);

	if (rc != TN_OK)
		return rc;
	s->declared = acc.followers_count;
	s->account_id = acc.id;
	acc.id = NULL;
	id = curl_easy_escape(NULL, s->account_id, 0);
	if (!id || tn_buf_addf(&url, "%s/api/v1/accounts/%s/followers?limit=%d",
			       s->instance, id, TN_SYNC_PAGE_LIMIT) != TN_OK ||
	    !(s->next_url = tn_buf_detach(&url, NULL)))
		rc = tn_err_set(err, TN_NOMEM, "out of memory");
	curl_free(id);
	tn_buf_free(&url);
	return rc;
}

static void sync_clear(struct sync *s)
{
	tn_channel_clear(&s->ch);
	free(s->instance);
	free(s->account);
	tn_buf_free(&s->host);
	if (s->token) {
		explicit_bzero(s->token, strlen(s->token));
		free(s->token);
	}
	free(s->account_id);
	free(s->next_url);
}

tn_code tn_sync_followers(struct tn_db *db, const char *name,
			  const struct tn_sync_opts *opts,
			  struct tn_sync_stats *stats, struct tn_err *err)
{
	struct sync s;
	tn_code rc;

	memset(stats, 0, sizeof(*stats));
	stats->audience = -1;
	memset(&s, 0, sizeof(s));
	s.db = db;
	s.declared = -1;
	s.staged = -1;
	tn_buf_init(&s.host);
	rc = prepare(&s, name, opts, err);
	if (rc == TN_OK)
		rc = load_run(&s, err);
	if (rc == TN_OK && s.started) {
		stats->resumed = 1;
		if (opts && opts->on_page)
			opts->on_page(opts->ctx, 0, 0, s.declared);
	} else if (rc == TN_OK) {
		rc = start(&s, err);
	}
	if (rc == TN_OK)
		rc = fetch_pages(&s, opts, err);
	stats->pages = s.pages;
	if (rc == TN_OK)
		rc = apply(&s, stats, err);
	sync_clear(&s);
	return rc;
}

tn_code tn_sync_discard(struct tn_db *db, const char *name, int *had,
			struct tn_err *err)
{
	struct tn_channel ch;
	int64_t n = 0;
	tn_code rc;

	if (had)
		*had = 0;
	if ((rc = tn_db_begin(db, err)) != TN_OK)
		return rc;
	rc = tn_channel_find(db, name, &ch, err);
	if (rc == TN_OK)
		rc = tn_db_int(db, err, &n, "SELECT count(*) FROM sync_run"
			       " WHERE channel_id = ?1", TN_I(ch.id));
	if (rc == TN_OK && n > 0)
		rc = discard(db, ch.id, err);
	if (rc == TN_OK && had)
		*had = n > 0;
	tn_channel_clear(&ch);
	return tn_db_end(db, rc, err);
}

tn_code tn_sync_forget(struct tn_db *db, int64_t person_id, struct tn_err *err)
{
	return tn_db_run(db, err, "DELETE FROM sync_follower WHERE lower(handle) IN"
			 " (SELECT lower(f.handle) FROM follower AS f"
			 "  JOIN channel AS c ON c.id = f.channel_id"
			 "  WHERE f.person_id = ?1 AND c.kind = 'mastodon'"
			 "  AND f.handle IS NOT NULL)", TN_I(person_id));
}
