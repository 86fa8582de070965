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
	struct cli_json_array *json;   /* with --json: printed row by row */
	int rows;
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

static int list_one(void *vctx, const struct tn_channel *ch)
{
	struct list_ctx *ctx = vctx;
	struct tn_buf name = TN_BUF_INIT;
	char num[32];

	ctx->rows++;
	if (ctx->json) {
		return cli_json_array_add(ctx->json, channel_json(ctx->db, ch)) != 0;
	}
	if (ctx->rows == 1)
		printf("%-20s %-10s %10s %-12s %9s  %s\n", "NAME", "KIND", "AUDIENCE",
		       "AS OF", "FOLLOWERS", "URL");
	if (ch->audience >= 0)
		snprintf(num, sizeof(num), "%" PRId64, ch->audience);
	else
		snprintf(num, sizeof(num), "-");
	/* padded by display width: Cyrillic, CJK and emoji names align */
	if (tn_esc_term_pad(&name, ch->name, 20) == TN_OK)
		fputs(name.data, stdout);
	tn_buf_free(&name);
	printf(" %-10s %10s %-12s %9" PRId64 "  ",
	       ch->kind, num, ch->audience_date[0] ? ch->audience_date : "-",
	       ch->followers);
	cli_put_term(ch->url ? ch->url : "");
	printf("\n");
	return 0;
}

CLI_HANDLER(cmd_channel_list)
{
	int json = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("json", 0, &json, "one JSON document on stdout"),
		OPT_END_(),
	};
	struct list_ctx ctx = { NULL, NULL, 0 };
	struct cli_json_array array;
	struct cli_out out;
	struct tn_err err = TN_ERR_INIT;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout channel list [--json]",
			   "Lists channels with their latest declared audience and the\n"
			   "number of known followers.\n\n"
			   "examples:\n"
			   "  turnout channel list\n"
			   "  turnout channel list --json", 0, 0, NULL);
	if (status)
		return status < 0 ? EXIT_OK : status;
	ctx.db = c->db;   /* open now that the flags are read */
	if (json) {
		cli_out_open(&out, NULL);
		cli_json_array_begin(&array, &out);
		ctx.json = &array;
	}
	rc = tn_channel_each(c->db, list_one, &ctx, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (json) {
		cli_json_array_end(&array);
		return cli_out_close(&out);   /* or the failure it keeps */
	}
	if (!ctx.rows)
		fprintf(stderr, "no channels yet: add one with 'turnout channel add NAME --kind KIND'\n");
	return EXIT_OK;
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
