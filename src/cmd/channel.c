/*
 * cmd/channel.c - 'channel add', 'channel list', 'channel audience'.
 */
#include <inttypes.h>
#include <string.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/channel.h"
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

CLI_HANDLER(cmd_channel_add)
{
	static const char usage[] =
		"turnout channel add NAME --kind KIND [--url URL] [--audience N] [--json]";
	const char *kind = NULL, *url = NULL, *audience = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("kind", 0, &kind, "KIND",
			    "newsletter, blog, telegram, mastodon, vk, twitter or other"),
		OPT_STRING_("url", 0, &url, "URL", "the channel's public address"),
		OPT_STRING_("audience", 0, &audience, "N",
			    "declared audience today (subscribers, readers)"),
		OPT_BOOL_("json", 0, &json, "print the channel as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	long long n = -1;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, usage,
			   "Adds an online channel whose followers turnout tracks.\n\n"
			   "examples:\n"
			   "  turnout channel add letter --kind newsletter --audience 1800\n"
			   "  turnout channel add tg --kind telegram --url https://t.me/readersclub",
			   1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (audience && cli_parse_count("--audience", audience, &n))
		return EXIT_USAGE;
	rc = tn_channel_add(c->db, pos[0], kind, url, n, &err);
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

/* A channel as JSON, with its audience history; followers only when
 * counted (listings). */
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
	tn_channel_audience_each(db, ch->id, add_history, hist, NULL);
	cJSON_AddItemToObject(o, "audience_history", hist);
	return o;
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

CLI_HANDLER(cmd_channel_audience)
{
	const char *date = NULL;
	int json = 0;
	const struct cli_opt opts[] = {
		OPT_STRING_("date", 0, &date, "YYYY-MM-DD", "date of the figure (default: today in UTC)"),
		OPT_BOOL_("json", 0, &json, "print the channel as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	long long n;
	char *pos[2];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout channel audience NAME N [--date YYYY-MM-DD] [--json]",
			   "Records the declared audience of a channel on a date; reports use\n"
			   "the latest figure on or before an event's date.\n\n"
			   "examples:\n"
			   "  turnout channel audience tg 950\n"
			   "  turnout channel audience tg 870 --date 2026-09-01", 2, 2, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (cli_parse_count("audience", pos[1], &n))
		return EXIT_USAGE;
	rc = tn_channel_set_audience(c->db, pos[0], n, date, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	return said_done(c, pos[0], "recorded audience of", json);
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
