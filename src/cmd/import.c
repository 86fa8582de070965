/*
 * cmd/import.c - 'follower import': opens the input, finds the channel,
 * shows progress and rejected rows, prints the counts. The import itself
 * is tn_import_followers (import.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
	cJSON *warnings;                /* --json: rows imported without a value */
	long long warnings_kept;
	int nomem;
	int show_progress;
	unsigned long long size;        /* of a regular file, else 0 */
	enum tn_import_phase phase;
	struct cli_progress bar;
};

/* One line about a row on stderr, "turnout: [warning: ]FILE:LINE: text",
 * kept in list (at most JSON_REJECTS_MAX of them) for --json. */
static void row_line(struct import_ctx *ctx, const char *kind, long long line,
		     const char *text, cJSON *list, long long *kept,
		     const char *key)
{
	struct tn_buf b = TN_BUF_INIT;

	if (ctx->bar.active)
		fputs("\r\033[K", stderr);
	tn_buf_add(&b, "turnout: ");
	tn_buf_add(&b, kind);
	tn_esc_term(&b, ctx->source);
	tn_buf_addf(&b, ":%lld: ", line);
	tn_esc_term(&b, text);
	fprintf(stderr, "%s\n", b.data);
	tn_buf_free(&b);
	if (ctx->bar.active)
		ctx->bar.last_permille = -1;    /* redraw the bar */
	if (list && *kept < JSON_REJECTS_MAX) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddNumberToObject(o, "line", (double)line) ||
		    !cJSON_AddStringToObject(o, key, text) ||
		    !cJSON_AddItemToArray(list, o)) {
			cJSON_Delete(o);
			ctx->nomem = 1;
		}
		(*kept)++;
	}
}

static void on_reject(void *vctx, long long line, const char *reason)
{
	struct import_ctx *ctx = vctx;

	row_line(ctx, "", line, reason, ctx->rejects, &ctx->rejects_kept, "reason");
}

static void on_warning(void *vctx, long long line, const char *message)
{
	struct import_ctx *ctx = vctx;

	row_line(ctx, "warning: ", line, message, ctx->warnings,
		 &ctx->warnings_kept, "message");
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

/* "note: ignored column 'X'" for each column nothing read, so that no
 * column is left out without a word. */
static void print_ignored(const struct tn_import_stats *stats)
{
	struct tn_buf b = TN_BUF_INIT;
	size_t i;

	for (i = 0; i < stats->nignored; i++) {
		tn_buf_reset(&b);
		if (stats->ignored[i].name[0]) {
			tn_buf_add(&b, "note: ignored column '");
			tn_esc_term(&b, stats->ignored[i].name);
			tn_buf_add(&b, "'");
		} else {
			tn_buf_addf(&b, "note: ignored column %d (no name in the header)",
				    stats->ignored[i].index);
		}
		fprintf(stderr, "%s\n", b.data);
	}
	tn_buf_free(&b);
}

CLI_HANDLER(cmd_follower_import)
{
	static const char usage[] = "turnout follower import CHANNEL FILE|- "
		"[--map COLUMN=FIELD]... [options]";
	int strict = 0, complete = 0, json = 0;
	const char *tz = NULL, *delimiter = NULL, *encoding = NULL;
	struct cli_list map = { NULL, 0 };
	const struct cli_opt opts[] = {
		OPT_LIST_("map", 0, &map, "COLUMN=FIELD",
			  "read a column as a field: " TN_IMPORT_FIELDS),
		OPT_STRING_("encoding", 0, &encoding, "NAME",
			    "the file's encoding when it is not UTF-8: latin1, "
			    "windows-1251, UTF-16, ... (iconv -l)"),
		OPT_STRING_("delimiter", 0, &delimiter, "SEP",
			    "the field separator: ',', ';', '|' or 'tab' (default: "
			    "the header line's)"),
		OPT_STRING_("tz", 0, &tz, "ZONE",
			    "the time zone of times written without an offset (default UTC)"),
		OPT_BOOL_("strict", 0, &strict,
			  "abort on the first bad row or date, with nothing written"),
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

	memset(&stats, 0, sizeof(stats));
	status = cli_parse(c, argc, argv, opts, usage,
			   "Imports a channel's followers from a CSV file with a header row\n"
			   "(or from standard input for '-'). Columns are recognised by name:\n"
			   "email (e-mail, Email Address), handle (username, Account address),\n"
			   "name (or first_name and last_name), region (city), followed_at\n"
			   "(Subscribed At, created_at, joined_at, CONFIRM_TIME, OPTIN_TIME)\n"
			   "and, on Telegram channels, user_id; --map names any other column,\n"
			   "and a note names each column left unread. Dates are YYYY-MM-DD,\n"
			   "YYYY-MM-DD HH:MM[:SS] (UTC unless --tz), RFC 3339 with an offset\n"
			   "or Unix time. A person is matched across channels by e-mail, or by\n"
			   "handle on channels of the same kind. Re-importing a file updates\n"
			   "the rows it created. Bad rows are listed on stderr with their line\n"
			   "and skipped; a bad date is a warning, and the row is imported\n"
			   "without it. Rows of forgotten people are skipped and counted. With\n"
			   "--complete the file is the channel's whole list: its followers who\n"
			   "are not in it are marked unfollowed.\n\n"
			   "examples:\n"
			   "  turnout follower import letter subscribers.csv\n"
			   "  turnout follower import tg members.csv --complete --json\n"
			   "  turnout follower import news export.csv --map 'E-Mail-Adresse=email'\n"
			   "  turnout follower import news latin1.csv --encoding ISO-8859-1",
			   2, 2, pos);
	if (status) {
		free(map.items);
		return status < 0 ? EXIT_OK : status;
	}

	rc = tn_channel_find(c->db, pos[0], &ch, &err);
	if (rc != TN_OK) {
		free(map.items);
		return cli_fail(&err, rc);
	}

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
			free(map.items);
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
	if (json && (!(ctx.rejects = cJSON_CreateArray()) ||
		     !(ctx.warnings = cJSON_CreateArray()))) {
		tn_err_set(&err, TN_NOMEM, "out of memory");
		rc = TN_NOMEM;
	}

	memset(&iopts, 0, sizeof(iopts));
	iopts.strict = strict;
	iopts.complete = complete;
	iopts.on_reject = on_reject;
	iopts.on_progress = on_progress;
	iopts.on_warning = on_warning;
	iopts.tz = tz;
	iopts.delimiter = delimiter;
	iopts.encoding = encoding;
	iopts.map = map.items;
	iopts.nmap = (size_t)map.count;
	iopts.ctx = &ctx;
	if (rc == TN_OK)
		rc = tn_import_followers(c->db, ch.id, ch.kind, fd, ctx.source, &iopts,
					 &stats, &err);
	cli_progress_end(&ctx.bar);
	if (fd != STDIN_FILENO)
		close(fd);
	tn_channel_clear(&ch);
	free(map.items);
	print_ignored(&stats);
	if (rc == TN_OK && ctx.nomem) {
		tn_err_set(&err, TN_NOMEM, "out of memory");
		rc = TN_NOMEM;
	}
	if (rc != TN_OK) {
		cJSON_Delete(ctx.rejects);
		cJSON_Delete(ctx.warnings);
		tn_import_stats_free(&stats);
		/* Bad input is a failed operation, not a usage error. */
		return cli_fail(&err, rc);
	}
	if (json) {
		cJSON *o = cJSON_CreateObject(), *ignored = cJSON_CreateArray();
		size_t i;

		if (!o || !ignored ||
		    !cJSON_AddNumberToObject(o, "inserted", (double)stats.inserted) ||
		    !cJSON_AddNumberToObject(o, "updated", (double)stats.updated) ||
		    !cJSON_AddNumberToObject(o, "rejected", (double)stats.rejected) ||
		    !cJSON_AddNumberToObject(o, "warned", (double)stats.warned) ||
		    !cJSON_AddNumberToObject(o, "suppressed", (double)stats.suppressed) ||
		    (complete && !cJSON_AddNumberToObject(o, "unfollowed", (double)stats.unfollowed))) {
			cJSON_Delete(o);
			cJSON_Delete(ignored);
			cJSON_Delete(ctx.rejects);
			cJSON_Delete(ctx.warnings);
			tn_import_stats_free(&stats);
			fprintf(stderr, "turnout: out of memory\n");
			return EXIT_FAILED;
		}
		cJSON_AddItemToObject(o, "rejects", ctx.rejects);
		cJSON_AddNumberToObject(o, "rejects_omitted",
					(double)(stats.rejected - ctx.rejects_kept));
		cJSON_AddItemToObject(o, "warnings", ctx.warnings);
		cJSON_AddNumberToObject(o, "warnings_omitted",
					(double)(stats.warned - ctx.warnings_kept));
		for (i = 0; i < stats.nignored; i++)
			cJSON_AddItemToArray(ignored, cJSON_CreateString(stats.ignored[i].name));
		cJSON_AddItemToObject(o, "ignored_columns", ignored);
		tn_import_stats_free(&stats);
		return cli_print_json(o);
	}
	tn_import_stats_free(&stats);
	printf("inserted %lld, updated %lld, rejected %lld", stats.inserted,
	       stats.updated, stats.rejected);
	if (stats.warned)
		printf(", warned %lld", stats.warned);
	/* rows of forgotten people: said only when there are some */
	if (stats.suppressed)
		printf(", suppressed %lld", stats.suppressed);
	if (complete)
		printf(", unfollowed %lld", stats.unfollowed);
	printf("\n");
	return EXIT_OK;
}
