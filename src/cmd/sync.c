/*
 * cmd/sync.c - 'follower sync CHANNEL': a progress bar while the pages
 * come in (on a terminal), then the summary. The sync itself, its
 * staging and resuming, is tn_sync_followers (sync.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "turnout/sync.h"

struct sync_ctx {
	struct cli_progress bar;
	int started;
};

static void on_page(void *vctx, long long pages, long long staged, int64_t declared)
{
	struct sync_ctx *ctx = vctx;

	(void)pages;
	if (!ctx->started) {
		cli_progress_start(&ctx->bar, "syncing followers",
				   declared > 0 ? (unsigned long long)declared : 0);
		ctx->started = 1;
	}
	cli_progress_update(&ctx->bar, (unsigned long long)staged);
}

CLI_HANDLER(cmd_follower_sync)
{
	int json = 0, restart = 0, had = 0, status;
	const struct cli_opt opts[] = {
		OPT_BOOL_("restart", 0, &restart,
			  "drop the pages an interrupted sync kept and start over"),
		OPT_BOOL_("json", 0, &json, "print the summary as one JSON document"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_http_opts http;
	struct tn_sync_opts so = { 0 };
	struct tn_sync_stats st;
	struct sync_ctx ctx = { 0 };
	char *pos[1];
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout follower sync CHANNEL [--restart] [--json]",
			   "Pulls the followers of a mastodon channel (Mastodon, GoToSocial,\n"
			   "Pleroma, Akkoma) from its server's API and applies them as the\n"
			   "channel's complete list, as 'follower import' would: new followers\n"
			   "are added, those no longer there marked unfollowed (and back when\n"
			   "they follow again), forgotten people left out; the account's\n"
			   "followers_count becomes today's declared audience. The channel's\n"
			   "token, when set, is sent with every request. Each page is kept as\n"
			   "it arrives, so an interrupted sync goes on where it stopped when run\n"
			   "again, and the followers change only once every page is in. A bad\n"
			   "answer or a refused token ends the sync with nothing changed.\n"
			   "$TURNOUT_HTTP_TIMEOUT (seconds) and $TURNOUT_HTTP_RETRIES change how\n"
			   "long a request may take and how often it is tried again.\n\n"
			   "examples:\n"
			   "  turnout follower sync masto\n"
			   "  turnout follower sync masto --json\n"
			   "  turnout follower sync masto --restart", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (restart && (rc = tn_sync_discard(c->db, pos[0], &had, &err)) != TN_OK)
		return cli_fail(&err, rc);
	if (had && !json)
		fprintf(stderr, "note: dropped the pages an earlier sync kept\n");
	cli_http_opts(&http);
	so.http = &http;
	so.on_page = on_page;
	so.ctx = &ctx;
	rc = tn_sync_followers(c->db, pos[0], &so, &st, &err);
	if (ctx.started)
		cli_progress_end(&ctx.bar);
	if (rc != TN_OK)
		return cli_fail(&err, rc);
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "channel", pos[0]);
		cJSON_AddBoolToObject(o, "resumed", st.resumed);
		cJSON_AddNumberToObject(o, "pages", (double)st.pages);
		cJSON_AddNumberToObject(o, "fetched", (double)st.fetched);
		cJSON_AddNumberToObject(o, "new", (double)st.inserted);
		cJSON_AddNumberToObject(o, "updated", (double)st.updated);
		cJSON_AddNumberToObject(o, "unfollowed", (double)st.unfollowed);
		cJSON_AddNumberToObject(o, "suppressed", (double)st.suppressed);
		if (st.audience >= 0)
			cJSON_AddNumberToObject(o, "audience", (double)st.audience);
		else
			cJSON_AddNullToObject(o, "audience");
		return cli_print_json(o);
	}
	printf("synced '");
	cli_put_term(pos[0]);
	printf("'%s: %lld followers fetched (%lld pages), %lld new, %lld updated,"
	       " %lld unfollowed, %lld suppressed", st.resumed ? " (resumed)" : "",
	       st.fetched, st.pages, st.inserted, st.updated, st.unfollowed,
	       st.suppressed);
	if (st.audience >= 0)
		printf(", audience %" PRId64 "\n", st.audience);
	else
		printf("\n");
	return EXIT_OK;
}
