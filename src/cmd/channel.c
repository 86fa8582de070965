/*
 * cmd/channel.c - 'channel add', 'list', 'show', 'audience', 'token',
 * 'rename', 'update', 'remove'. An API token comes from a file (or
 * standard input) or an environment variable, never from the command
 * line, where other users see it in the process list; no output shows
 * it, only whether one is set.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/channel_api.h"
#include "turnout/esc.h"

static cJSON *channel_json(struct tn_db *db, const struct tn_channel *ch);

/* After a change: the channel as it now is, as one JSON document, or a
 * line saying what was done ("added channel 'tg' (telegram)"). */
static int said_done(struct cli *c, const char *name, const char *what, int json)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_channel ch;
	tn_code rc = tn_channel_find(c->db, name, &ch, &err);
	int status = EXIT_OK;

	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (json) {
		status = cli_print_json(channel_json(c->db, &ch));
	} else {
		printf("%s '", what);
		cli_put_term(ch.name);
		printf("' (%s)", ch.kind);
		if (ch.audience >= 0)
			printf("; audience %" PRId64 " as of %s", ch.audience, ch.audience_date);
		printf("\n");
	}
	tn_channel_clear(&ch);
	return status;
}

/* The most a token file may hold: tokens are tens of bytes. */
#define TOKEN_FILE_MAX 4096

/* Prints why a token file could not be read (code TN_IO, with errnum)
 * or TN_NOMEM; returns the exit status. */
static int token_failure(tn_code code, const char *file, int errnum)
{
	struct tn_err err = TN_ERR_INIT;

	if (code == TN_NOMEM)
		return cli_fail(&err, tn_err_set(&err, TN_NOMEM, "out of memory"));
	return cli_fail(&err, tn_err_field(&err, code, "token-file", "'%s': cannot read: %s",
					   file, strerror(errnum)));
}

/* Reads an API token from file ("-": standard input) or from the
 * environment variable env (exactly one of them non-NULL) into *token
 * (malloc'd; the caller wipes and frees it), one final newline (LF or
 * CRLF) dropped. Returns 0, or an exit status after printing why --
 * never the token. */
static int read_token(const char *file, const char *env, char **token)
{
	char buf[TOKEN_FILE_MAX + 1];
	size_t len = 0;
	ssize_t n = 0;
	int fd = STDIN_FILENO, errnum = 0;

	*token = NULL;
	if (env) {
		const char *v = getenv(env);

		if (!v || !*v)
			return cli_usage_error("--token-env: $%s is not set or empty", env);
		*token = strdup(v);
		return *token ? 0 : token_failure(TN_NOMEM, NULL, 0);
	}
	if (strcmp(file, "-") != 0 && (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return token_failure(TN_IO, file, errno);
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	errnum = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	if (n < 0) {
		explicit_bzero(buf, sizeof(buf));
		return token_failure(TN_IO, file, errnum);
	}
	if (len > TOKEN_FILE_MAX) {
		explicit_bzero(buf, sizeof(buf));
		return cli_usage_error("--token-file: longer than %d bytes: not a token",
				       TOKEN_FILE_MAX);
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		explicit_bzero(buf, sizeof(buf));
		return cli_usage_error("--token-file: holds a NUL byte: not a token");
	}
	*token = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return *token ? 0 : token_failure(TN_NOMEM, NULL, 0);
}

static void wipe(char *token)
{
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
}

CLI_HANDLER(cmd_channel_add)
{
	static const char usage[] =
		"turnout channel add NAME --kind KIND [--url URL] [--audience N]\n"
		"       [--token-file FILE | --token-env VAR] [--json]";
	const char *kind = NULL, *url = NULL, *audience = NULL;
	const char *token_file = NULL, *token_env = NULL;
	char *token = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("kind", 0, &kind, "KIND",
			    "newsletter, blog, telegram, mastodon, vk, twitter or other"),
		OPT_STRING_("url", 0, &url, "URL", "the channel's public address"),
		OPT_STRING_("audience", 0, &audience, "N",
			    "declared audience today (subscribers, readers)"),
		OPT_STRING_("token-file", 0, &token_file, "FILE",
			    "the API token (Mastodon access token, Telegram bot token)"
			    " from FILE; - reads standard input"),
		OPT_STRING_("token-env", 0, &token_env, "VAR",
			    "the API token from environment variable VAR"),
		OPT_BOOL_("json", 0, &json, "print the channel as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	long long n = -1;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, usage,
			   "Adds an online channel whose followers turnout tracks. A mastodon\n"
			   "channel's URL is its account's address (https://instance/@account),\n"
			   "a telegram channel's https://t.me/name; plain http:// only to a\n"
			   "loopback address. An API token is read from a file or the\n"
			   "environment, never from the command line, and never shown.\n\n"
			   "examples:\n"
			   "  turnout channel add letter --kind newsletter --audience 1800\n"
			   "  turnout channel add tg --kind telegram --url https://t.me/readersclub\n"
			   "  turnout channel add masto --kind mastodon \\\n"
			   "      --url https://mastodon.social/@readersclub --token-file masto.token",
			   1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (token_file && token_env)
		return cli_usage_error("--token-file and --token-env: give one of them");
	if (audience && cli_parse_count("--audience", audience, &n))
		return EXIT_USAGE;
	if ((token_file || token_env) && (status = read_token(token_file, token_env, &token)))
		return status;
	rc = tn_channel_add_with_token(c->db, pos[0], kind, url, n, token, &err);
	wipe(token);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return said_done(c, pos[0], "added channel", json);
}

struct list_ctx {
	struct tn_db *db;
	struct cli_listing *list;
};

static int add_history(void *ctx, const char *date, int64_t size)
{
	cJSON *row = cJSON_CreateObject();

	cJSON_AddStringToObject(row, "date", date);
	cJSON_AddNumberToObject(row, "size", (double)size);
	cJSON_AddItemToArray(ctx, row);
	return 0;
}

/* A channel as JSON, with its audience history and whether it has an
 * API token (never the token); followers only when counted (listings). */
static cJSON *channel_json(struct tn_db *db, const struct tn_channel *ch)
{
	cJSON *o = cJSON_CreateObject(), *hist = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "name", ch->name);
	cJSON_AddStringToObject(o, "kind", ch->kind);
	cli_json_text(o, "url", ch->url);
	if (ch->audience >= 0)
		cJSON_AddNumberToObject(o, "audience", (double)ch->audience);
	else
		cJSON_AddNullToObject(o, "audience");
	if (ch->followers >= 0)
		cJSON_AddNumberToObject(o, "followers", (double)ch->followers);
	cJSON_AddBoolToObject(o, "token", tn_channel_has_token(db, ch->id));
	tn_channel_audience_each(db, ch->id, add_history, hist, NULL);
	cJSON_AddItemToObject(o, "audience_history", hist);
	return o;
}

static int print_history(void *ctx, const char *date, int64_t size)
{
	(void)ctx;
	printf("  %s  %" PRId64 "\n", date, size);
	return 0;
}

static const struct cli_column list_columns[] = {
	{ "NAME", 0 }, { "KIND", 0 }, { "AUDIENCE", 1 }, { "AS OF", 0 },
	{ "FOLLOWERS", 1 }, { "URL", 0 },
};

static int list_one(void *vctx, const struct tn_channel *ch)
{
	struct list_ctx *ctx = vctx;
	char audience[32], followers[32];
	const char *cells[6];

	switch (cli_listing_next(ctx->list)) {
	case CLI_ROW_STOP: return 1;
	case CLI_ROW_SKIP: return 0;
	}
	if (ctx->list->format == CLI_FORMAT_JSON)
		return cli_listing_json(ctx->list, channel_json(ctx->db, ch)) != 0;
	snprintf(audience, sizeof(audience), "%" PRId64, ch->audience);
	snprintf(followers, sizeof(followers), "%" PRId64, ch->followers);
	cells[0] = ch->name;
	cells[1] = ch->kind;
	cells[2] = ch->audience >= 0 ? audience : NULL;
	cells[3] = ch->audience_date[0] ? ch->audience_date : NULL;
	cells[4] = followers;
	cells[5] = ch->url;
	return cli_listing_row(ctx->list, cells) != 0;
}

CLI_HANDLER(cmd_channel_list)
{
	struct cli_listing list = { 0 };
	const struct cli_opt opts[] = {
		CLI_LISTING_OPTS(list),
		OPT_END_(),
	};
	struct list_ctx ctx = { NULL, &list };
	struct tn_err err = TN_ERR_INIT;
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout channel list [--format FORMAT] [--limit N] [--offset N]\n"
			   "       [--count]",
			   "Lists channels in name order with their latest declared audience\n"
			   "and the number of known followers. FORMAT is table (aligned\n"
			   "columns, the default), tsv, csv or json (--json).\n\n"
			   "examples:\n"
			   "  turnout channel list\n"
			   "  turnout channel list --format csv >channels.csv\n"
			   "  turnout channel list --limit 10 --offset 20\n"
			   "  turnout channel list --count", 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = cli_listing_start(&list, list_columns, 6)) != 0)
		return status;
	ctx.db = c->db;   /* open now that the flags are read */
	rc = tn_channel_each(c->db, list_one, &ctx, &err);
	if (rc != TN_OK) {
		cli_listing_abort(&list);
		return cli_fail(&err, rc);
	}
	if (cli_listing_empty(&list))
		fprintf(stderr, "no channels yet: add one with 'turnout channel add NAME --kind KIND'\n");
	return cli_listing_end(&list);
}

/* Before each wait of a request (429, 5xx, timeout): a note on a
 * terminal, nothing for scripts. */
static void note_wait(void *ctx, double seconds, const char *why)
{
	(void)ctx;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "waiting %.0f s (%s) ...\n", seconds, why);
}

void cli_http_opts(struct tn_http_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	tn_http_opts_from_env(opts);
	opts->on_wait = note_wait;
}

CLI_HANDLER(cmd_channel_audience)
{
	const char *date = NULL;
	int json = 0, fetch = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("date", 0, &date, "YYYY-MM-DD", "date of the figure (default: today in UTC)"),
		OPT_BOOL_("fetch", 0, &fetch, "ask the channel's API for today's figure"
			  " (mastodon, telegram)"),
		OPT_BOOL_("json", 0, &json, "print the channel as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_http_opts http;
	long long n;
	int64_t fetched;
	char *pos[2] = { NULL, NULL };
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout channel audience NAME N [--date YYYY-MM-DD] [--json]\n"
			   "       turnout channel audience NAME --fetch [--json]",
			   "Records the declared audience of a channel on a date; reports use\n"
			   "the latest figure on or before an event's date. With --fetch the\n"
			   "figure is today's from the channel's API: a mastodon account's\n"
			   "followers_count, a telegram channel's member count (the bot must be\n"
			   "an admin of the channel; 'turnout config telegram-api' sets the Bot\n"
			   "API's address). $TURNOUT_HTTP_TIMEOUT (seconds) and\n"
			   "$TURNOUT_HTTP_RETRIES change how long a request may take and how\n"
			   "often it is tried again.\n\n"
			   "examples:\n"
			   "  turnout channel audience tg 950\n"
			   "  turnout channel audience tg 870 --date 2026-09-01\n"
			   "  turnout channel audience masto --fetch", 1, 2, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (fetch && (pos[1] || date))
		return cli_usage_error("--fetch records today's figure from the API: give"
				       " neither N nor --date");
	if (!fetch && !pos[1])
		return cli_usage_error("give the audience N, or --fetch to ask the API");
	if (fetch) {
		cli_http_opts(&http);
		rc = tn_channel_api_fetch_audience(c->db, pos[0], &http, &fetched, &err);
	} else {
		if (cli_parse_count("audience", pos[1], &n))
			return EXIT_USAGE;
		rc = tn_channel_set_audience(c->db, pos[0], n, date, &err);
	}
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return said_done(c, pos[0], "recorded audience of", json);
}

CLI_HANDLER(cmd_channel_show)
{
	int json = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "print the channel as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_channel ch;
	char *pos[1];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout channel show NAME [--json]",
			   "Shows a channel: its kind, address, whether an API token is set\n"
			   "(never the token), its known followers, and its declared\n"
			   "audience with the history.\n\n"
			   "example:\n  turnout channel show masto", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((rc = tn_channel_find(c->db, pos[0], &ch, &err)) != TN_OK)
		return cli_fail(&err, rc);
	if ((rc = tn_channel_count_followers(c->db, &ch, &err)) != TN_OK) {
		tn_channel_clear(&ch);
		return cli_fail(&err, rc);
	}
	if (json) {
		status = cli_print_json(channel_json(c->db, &ch));
		tn_channel_clear(&ch);
		return status;
	}
	printf("channel:   ");
	cli_put_term(ch.name);
	printf("\nkind:      %s\nurl:       ", ch.kind);
	cli_put_term(ch.url ? ch.url : "-");
	printf("\ntoken:     %s\nfollowers: %" PRId64 "\naudience:  ",
	       tn_channel_has_token(c->db, ch.id) ? "set" : "none", ch.followers);
	if (ch.audience >= 0)
		printf("%" PRId64 " as of %s\n", ch.audience, ch.audience_date);
	else
		printf("-\n");
	tn_channel_audience_each(c->db, ch.id, print_history, NULL, NULL);
	tn_channel_clear(&ch);
	return EXIT_OK;
}

CLI_HANDLER(cmd_channel_token)
{
	const char *file = NULL, *env = NULL;
	int json = 0, clear = 0, had = 0, status;
	const struct cli_opt opts[] = {
		OPT_STRING_("token-file", 0, &file, "FILE",
			    "the token from FILE; - reads standard input"),
		OPT_STRING_("token-env", 0, &env, "VAR", "the token from environment variable VAR"),
		OPT_BOOL_("clear", 0, &clear, "remove the channel's token"),
		OPT_BOOL_("json", 0, &json, "print {\"channel\": NAME, \"token\": BOOL}"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_channel ch;
	const char *done;
	char *pos[1], *token = NULL;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout channel token NAME (--token-file FILE | --token-env VAR |\n"
			   "       --clear) [--json]",
			   "Sets, replaces or clears the API token of a channel: a Mastodon\n"
			   "access token (read:accounts to sync followers, write:statuses to\n"
			   "announce) or a Telegram bot token. It is read from a file (one\n"
			   "final newline dropped) or the environment, never from the command\n"
			   "line, and never shown; --clear strips it, for instance from a copy\n"
			   "of the database handed on for a report.\n\n"
			   "examples:\n"
			   "  turnout channel token masto --token-file ~/.config/masto.token\n"
			   "  pass show tg-bot | turnout channel token tg --token-file -\n"
			   "  turnout channel token masto --clear", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((file != NULL) + (env != NULL) + clear != 1)
		return cli_usage_error("give one of --token-file, --token-env and --clear");
	if (!clear && (status = read_token(file, env, &token)))
		return status;
	if ((rc = tn_channel_find(c->db, pos[0], &ch, &err)) == TN_OK) {
		had = tn_channel_has_token(c->db, ch.id);
		rc = tn_channel_set_token(c->db, pos[0], token, NULL, &err);
	}
	wipe(token);
	if (rc != TN_OK) {
		tn_channel_clear(&ch);
		return cli_fail(&err, rc);
	}
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "channel", ch.name);
		cJSON_AddBoolToObject(o, "token", !clear);
		tn_channel_clear(&ch);
		return cli_print_json(o);
	}
	done = clear ? (had ? "cleared the token of" : "no token to clear on")
		     : (had ? "replaced the token of" : "set the token of");
	printf("%s channel '", done);
	cli_put_term(ch.name);
	printf("'\n");
	tn_channel_clear(&ch);
	return EXIT_OK;
}

CLI_HANDLER(cmd_channel_rename)
{
	int json = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "print the channel as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	char *pos[2];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout channel rename NAME NEW-NAME [--json]",
			   "Renames a channel; its followers, audience history and everything\n"
			   "else that refers to it stay with it.\n\n"
			   "example:\n  turnout channel rename tg telegram-ru", 2, 2, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_channel_rename(c->db, pos[0], pos[1], &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return said_done(c, pos[1], "renamed to", json);
}

CLI_HANDLER(cmd_channel_update)
{
	const char *kind = NULL, *url = NULL;
	int json = 0, status;
	const struct cli_opt opts[] = {
		OPT_STRING_("kind", 0, &kind, "KIND",
			    "newsletter, blog, telegram, mastodon, vk, twitter or other"),
		OPT_STRING_("url", 0, &url, "URL", "the channel's public address (\"\" clears it)"),
		OPT_BOOL_("json", 0, &json, "print the channel as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	char *pos[1];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout channel update NAME [--kind KIND] [--url URL] [--json]",
			   "Changes a channel's kind or address.\n\n"
			   "example:\n  turnout channel update blog --url https://blog.example.org",
			   1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_channel_update(c->db, pos[0], kind, url, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return said_done(c, pos[0], "updated channel", json);
}

CLI_HANDLER(cmd_channel_remove)
{
	int json = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "print {\"removed\": NAME} as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	char *pos[1];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout channel remove NAME [--json]",
			   "Removes a channel and its audience history, only while nothing\n"
			   "refers to it (no followers); otherwise it is refused and nothing\n"
			   "changes.\n\n"
			   "example:\n"
			   "  turnout channel remove old-blog", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	rc = tn_channel_remove(c->db, pos[0], &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "removed", pos[0]);
		return cli_print_json(o);
	}
	printf("removed channel '");
	cli_put_term(pos[0]);
	printf("'\n");
	return EXIT_OK;
}
