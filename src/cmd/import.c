/*
 * cmd/import.c - 'follower import': opens the input, finds the channel,
 * shows progress and rejected rows, prints the counts. The import itself
 * is tn_import_followers (import.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/esc.h"
#include "turnout/import.h"

/* --json keeps at most this many rejected rows, so memory stays flat
 * however bad the file; the rest are counted. */
#define JSON_REJECTS_MAX 1000

struct import_ctx {
	const char *source;
	cJSON *rejects;                 /* --json: the rejected rows */
	long long rejects_kept;
	int nomem;
	int show_progress;
	unsigned long long size;        /* of a regular file, else 0 */
	enum tn_import_phase phase;
	struct cli_progress bar;
};

static void on_reject(void *vctx, long long line, const char *reason)
{
	struct import_ctx *ctx = vctx;
	struct tn_buf b = TN_BUF_INIT;

	if (ctx->bar.active)
		fputs("\r\033[K", stderr);
	tn_buf_add(&b, "turnout: ");
	tn_esc_term(&b, ctx->source);
	tn_buf_addf(&b, ":%lld: ", line);
	tn_esc_term(&b, reason);
	fprintf(stderr, "%s\n", b.data);
	tn_buf_free(&b);
	if (ctx->bar.active)
		ctx->bar.last_permille = -1;    /* redraw the bar */
	if (ctx->rejects && ctx->rejects_kept < JSON_REJECTS_MAX) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddNumberToObject(o, "line", (double)line) ||
		    !cJSON_AddStringToObject(o, "reason", reason) ||
		    !cJSON_AddItemToArray(ctx->rejects, o)) {
			cJSON_Delete(o);
			ctx->nomem = 1;
		}
		ctx->rejects_kept++;
	}
}

static void on_progress(void *vctx, enum tn_import_phase phase,
			unsigned long long done, unsigned long long total)
{
	struct import_ctx *ctx = vctx;

	if (!ctx->show_progress)
		return;
	if (phase != ctx->phase) {
		cli_progress_end(&ctx->bar);
		ctx->phase = phase;
		cli_progress_start(&ctx->bar, "writing", total);
	}
	cli_progress_update(&ctx->bar, done);
}

CLI_HANDLER(cmd_follower_import)
{
	static const char usage[] =
		"turnout follower import CHANNEL FILE|- [--strict] [--complete] [--json]";
	int strict = 0, complete = 0, json = 0;
	const struct cli_opt opts[] = {
		OPT_BOOL_("strict", 0, &strict,
			  "abort on the first bad row, with nothing written"),
		OPT_BOOL_("complete", 0, &complete,
			  "the file is the channel's whole list: mark followers not in it as"
			  " unfollowed (a bad row aborts, as with --strict)"),
		OPT_BOOL_("json", 0, &json, "print the counts and rejected rows as JSON"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct import_ctx ctx;
	struct tn_import_opts iopts;
	struct tn_import_stats stats;
	struct tn_channel ch;
	struct stat sb;
	char *pos[2];
	int status, fd;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, usage,
			   "Imports a channel's followers from a CSV file with a header row "
			   "(or from standard input for '-').\n"
			   "Columns are recognised by name: email (e-mail), handle (username), "
			   "name, region (city),\nfollowed_at (YYYY-MM-DD or an RFC 3339 "
			   "date-time); others are ignored. A person is matched\nacross "
			   "channels by e-mail, or by handle on channels of the same kind. "
			   "Re-importing a file\nupdates the rows it created. Bad rows are "
			   "listed on stderr with their line and skipped. Rows of forgotten people are\n"
			   "skipped and counted. With --complete the file is the channel's whole list:\n"
			   "its followers who are not in it are marked unfollowed.",
			   2, 2, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;

	rc = tn_channel_find(c->db, pos[0], &ch, &err);
	if (rc != TN_OK)
		return cli_fail(&err, rc);

	memset(&ctx, 0, sizeof(ctx));
	if (strcmp(pos[1], "-") == 0) {
		fd = STDIN_FILENO;
		ctx.source = "<stdin>";
	} else {
		ctx.source = pos[1];
		fd = open(pos[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			tn_err_set(&err, TN_IO, "'%s': %s", pos[1], strerror(errno));
			tn_channel_clear(&ch);
			return cli_fail(&err, TN_IO);
		}
	}
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		ctx.size = (unsigned long long)sb.st_size;
	/* Progress needs a known size: none for a pipe. */
	ctx.show_progress = ctx.size > 0;
	ctx.phase = TN_IMPORT_READING;
	if (ctx.show_progress)
		cli_progress_start(&ctx.bar, "reading", ctx.size);
	if (json && !(ctx.rejects = cJSON_CreateArray())) {
		tn_err_set(&err, TN_NOMEM, "out of memory");
		rc = TN_NOMEM;
	}

	memset(&iopts, 0, sizeof(iopts));
	iopts.strict = strict;
	iopts.complete = complete;
	iopts.on_reject = on_reject;
	iopts.on_progress = on_progress;
	iopts.ctx = &ctx;
	if (rc == TN_OK)
		rc = tn_import_followers(c->db, ch.id, ch.kind, fd, ctx.source, &iopts,
					 &stats, &err);
	cli_progress_end(&ctx.bar);
	if (fd != STDIN_FILENO)
		close(fd);
	tn_channel_clear(&ch);
	if (rc == TN_OK && ctx.nomem) {
		tn_err_set(&err, TN_NOMEM, "out of memory");
		rc = TN_NOMEM;
	}
	if (rc != TN_OK) {
		cJSON_Delete(ctx.rejects);
		/* Bad input is a failed operation, not a usage error. */
		return cli_fail(&err, rc);
	}
	if (json) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddNumberToObject(o, "inserted", (double)stats.inserted) ||
		    !cJSON_AddNumberToObject(o, "updated", (double)stats.updated) ||
		    !cJSON_AddNumberToObject(o, "rejected", (double)stats.rejected) ||
		    !cJSON_AddNumberToObject(o, "suppressed", (double)stats.suppressed) ||
		    (complete && !cJSON_AddNumberToObject(o, "unfollowed", (double)stats.unfollowed))) {
			cJSON_Delete(o);
			cJSON_Delete(ctx.rejects);
			fprintf(stderr, "turnout: out of memory\n");
			return EXIT_FAILED;
		}
		cJSON_AddItemToObject(o, "rejects", ctx.rejects);
		cJSON_AddNumberToObject(o, "rejects_omitted",
					(double)(stats.rejected - ctx.rejects_kept));
		return cli_print_json(o);
	}
	printf("inserted %lld, updated %lld, rejected %lld",
	       stats.inserted, stats.updated, stats.rejected);
	/* rows of forgotten people: said only when there are some */
	if (stats.suppressed)
		printf(", suppressed %lld", stats.suppressed);
	if (complete)
		printf(", unfollowed %lld", stats.unfollowed);
	printf("\n");
	return EXIT_OK;
}
