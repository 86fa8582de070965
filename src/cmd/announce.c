/*
 * cmd/announce.c - 'turnout announce EVENT --channel NAME... [--dry-run]
 * [--again] [--json]': posts the event on each channel and says what
 * became of each. The work and its rules are announce.c's; this file
 * parses flags and prints (the posts' texts on stdout, waits and errors
 * on stderr). Nothing printed here can hold a token: the library never
 * hands one out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "turnout/announce.h"
#include "turnout/buf.h"
#include "turnout/esc.h"
#include "turnout/setup.h"

struct print {
	int json;
	cJSON *items;     /* --json: one object per channel */
	int placeholder;  /* a dry run showed a link not made yet */
};

static const char *state_name(enum tn_announce_state s)
{
	switch (s) {
	case TN_ANNOUNCE_POSTED: return "posted";
	case TN_ANNOUNCE_ALREADY: return "already";
	case TN_ANNOUNCE_MANUAL: return "manual";
	case TN_ANNOUNCE_DRY_RUN: return "dry-run";
	case TN_ANNOUNCE_FAILED: break;
	}
	return "failed";
}

/* The post's text as it is posted, each line made safe for a
 * terminal, then an empty line. */
static void put_text(const char *text)
{
	struct tn_buf line = TN_BUF_INIT;
	const char *nl;

	while (text) {
		nl = strchr(text, '\n');
		tn_buf_reset(&line);
		tn_buf_addn(&line, text, nl ? (size_t)(nl - text) : strlen(text));
		cli_put_term(line.data);
		printf("\n");
		text = nl ? nl + 1 : NULL;
	}
	printf("\n");
	tn_buf_free(&line);
}

/* "on 'name' (kind)", safe for a terminal. */
static void put_channel(const char *what, const struct tn_announce_result *r)
{
	printf("%s '", what);
	cli_put_term(r->channel);
	printf("' (%s)", r->kind);
}

static void print_text(struct print *pr, const struct tn_announce_result *r)
{
	switch (r->state) {
	case TN_ANNOUNCE_POSTED:
		put_channel("posted on", r);
		printf(": ");
		cli_put_term(r->url ? r->url : "(the server gave no address)");
		printf("\n");
		break;
	case TN_ANNOUNCE_ALREADY:
		put_channel("already announced on", r);
		printf(" at %s: ", r->posted_at);
		cli_put_term(r->url ? r->url : "(the server gave no address)");
		printf("\n");
		break;
	case TN_ANNOUNCE_MANUAL:
		put_channel("not posted on", r);
		printf(": %s; paste this there (%zu characters):\n",
		       strcmp(r->why, "no token") == 0 ? "it has no API token"
		       : "turnout has no API for this kind", r->chars);
		put_text(r->text);
		break;
	case TN_ANNOUNCE_DRY_RUN:
		put_channel("would post on", r);
		printf(" (%zu characters):\n", r->chars);
		put_text(r->text);
		pr->placeholder |= r->link_placeholder;
		break;
	case TN_ANNOUNCE_FAILED:
		break;
	}
}

static cJSON *result_json(const struct tn_announce_result *r)
{
	cJSON *o = cJSON_CreateObject();

	cli_json_text(o, "channel", r->channel);
	cli_json_text(o, "kind", r->kind);
	cli_json_text(o, "state", state_name(r->state));
	cli_json_text(o, "text", r->text);
	if (r->text)
		cJSON_AddNumberToObject(o, "chars", (double)r->chars);
	cli_json_text(o, "link", r->link);
	if (r->link)
		cJSON_AddBoolToObject(o, "link_placeholder", r->link_placeholder);
	cli_json_text(o, "url", r->url);
	cli_json_text(o, "posted_at", r->posted_at);
	if (r->state == TN_ANNOUNCE_FAILED)
		cli_json_text(o, "error", r->err->msg);
	return o;
}

static void on_result(void *ctx, const struct tn_announce_result *r)
{
	struct print *pr = ctx;

	if (r->state == TN_ANNOUNCE_FAILED)
		cli_fail(r->err, r->rc);   /* names the channel; the others go on */
	if (pr->json)
		cJSON_AddItemToArray(pr->items, result_json(r));
	else
		print_text(pr, r);
	fflush(stdout);
}

static void on_wait(void *ctx, const char *channel, double seconds, const char *why)
{
	struct tn_buf b = TN_BUF_INIT;

	(void)ctx;
	tn_buf_add(&b, "turnout: channel '");
	tn_esc_term(&b, channel);
	tn_buf_addf(&b, "': %s; trying again in %.1f s", why, seconds);
	fprintf(stderr, "%s\n", b.data);
	tn_buf_free(&b);
}

CLI_HANDLER(cmd_announce)
{
	static const char usage[] =
		"turnout announce EVENT --channel NAME... [--dry-run] [--again]\n"
		"       [--templates DIR] [--json]";
	struct cli_list channels = { 0 };
	struct tn_announce_opts o = { 0 };
	struct print pr = { 0 };
	const struct cli_opt opts[] = {
		OPT_LIST_("channel", 0, &channels, "NAME",
			  "a channel to announce on"),
		OPT_BOOL_("dry-run", 'n', &o.dry_run,
			  "print what would be posted; send and change nothing"),
		OPT_BOOL_("again", 0, &o.again,
			  "post again where the event was announced before"),
		OPT_STRING_("templates", 0, &o.templates, "DIR",
			    "take announce.txt from DIR (\"\": the built-in one)"),
		OPT_BOOL_("json", 0, &pr.json, "print each channel's outcome as JSON"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_settings set;
	char *pos[1];
	int status, failed = 0;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, usage,
			   "Posts EVENT on each --channel, each post carrying that channel's\n"
			   "own registration link ('turnout link'), so whoever registers\n"
			   "through it counts for the channel. A mastodon channel with a token\n"
			   "gets a public status (at most 500 characters), a telegram channel\n"
			   "with a bot token a message; the post's address is kept and shown\n"
			   "by 'turnout event show'. Other channels get the text printed, to\n"
			   "paste. A channel where the event was posted before is skipped\n"
			   "unless --again. The text is the template announce.txt ('turnout\n"
			   "templates export'). One channel failing does not stop the others;\n"
			   "the exit status is then 1.\n\n"
			   "examples:\n"
			   "  turnout announce readers-meetup --channel masto --dry-run\n"
			   "  turnout announce readers-meetup --channel masto --channel tg\n"
			   "  turnout announce readers-meetup --channel letter --json",
			   1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (!channels.count) {
		free(channels.items);
		tn_err_field(&err, TN_USAGE, "channel", "on which channels? give at least one");
		return cli_fail(&err, TN_USAGE);
	}
	if (pr.json && !(pr.items = cJSON_CreateArray())) {
		free(channels.items);
		return cli_fail(&err, TN_NOMEM);
	}
	if ((rc = tn_settings_load(c->db, &set, &err)) != TN_OK) {
		free(channels.items);
		cJSON_Delete(pr.items);
		return cli_fail(&err, rc);
	}
	cli_warn_local_base_url(&set, "registration links");
	tn_settings_clear(&set);
	o.on_wait = on_wait;
	o.on_result = on_result;
	o.ctx = &pr;
	rc = tn_announce(c->db, pos[0], channels.items, (size_t)channels.count, &o,
			 &failed, &err);
	free(channels.items);
	if (rc != TN_OK) {
		cJSON_Delete(pr.items);
		return cli_fail(&err, rc);
	}
	if (pr.json)
		status = cli_print_json(pr.items);
	if (!pr.json && pr.placeholder)
		fprintf(stderr, "dry run: %s stands for a link code made when the post"
			" is made\n", TN_ANNOUNCE_PLACEHOLDER);
	if (o.dry_run)
		fprintf(stderr, "dry run: nothing was sent or changed\n");
	return failed ? EXIT_FAILED : status;
}
