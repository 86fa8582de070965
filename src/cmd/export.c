/*
 * cmd/export.c - 'follower export CHANNEL [-o FILE]': a channel's current
 * followers as CSV with the columns 'follower import' reads, written as
 * the rows arrive (memory stays flat). Shown e-mail addresses are the
 * stored ones (international domains as their ASCII A-label, which every
 * mail system reads).
 */
#include <stdio.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/channel.h"
#include "turnout/esc.h"
#include "turnout/person.h"

struct export_ctx {
	struct cli_out *out;
	struct tn_buf line;
	long long rows;
	int failed;
};

static int export_row(void *vctx, const struct tn_follow_row *r)
{
	struct export_ctx *x = vctx;
	const char *cells[] = { r->email, r->handle, r->name, r->region, r->followed_at };
	size_t i;

	tn_buf_reset(&x->line);
	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		if (i)
			tn_buf_addch(&x->line, ',');
		if (cells[i])
			tn_esc_csv(&x->line, cells[i]);
	}
	tn_buf_add(&x->line, "\r\n");
	if (cli_out_puts(x->out, x->line.data)) {
		x->failed = 1;
		return 1;
	}
	x->rows++;
	return 0;
}

CLI_HANDLER(cmd_follower_export)
{
	const char *file = NULL;
	const struct cli_opt opts[] = {
		OPT_STRING_("output", 'o', &file, "FILE",
			    "write to FILE instead of stdout (- is stdout)"),
		OPT_END_(),
	};
	struct tn_err err = TN_ERR_INIT;
	struct export_ctx x = { NULL, TN_BUF_INIT, 0, 0 };
	struct tn_channel ch;
	struct cli_out out;
	char *pos[1];
	int status;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts, "turnout follower export CHANNEL [-o FILE]",
			   "Writes the channel's current followers (not unfollowed, not\n"
			   "forgotten) as CSV with the columns 'follower import' reads:\n"
			   "email, handle, name, region, followed_at. A cell that starts with\n"
			   "= + - or @ gets a leading ' so spreadsheets do not run it.\n\n"
			   "examples:\n"
			   "  turnout follower export tg -o tg-followers.csv\n"
			   "  turnout follower export letter | wc -l", 1, 1, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((rc = tn_channel_find(c->db, pos[0], &ch, &err)) != TN_OK)
		return cli_fail(&err, rc);
	if ((status = cli_out_open(&out, file)) != 0) {
		tn_channel_clear(&ch);
		return status;
	}
	x.out = &out;
	status = cli_out_puts(&out, "email,handle,name,region,followed_at\r\n");
	if (!status) {
		rc = tn_follower_each_of_channel(c->db, ch.id, export_row, &x, &err);
		if (rc != TN_OK) {
			cli_out_abort(&out);
			status = cli_fail(&err, rc);
		} else if (x.failed) {
			cli_out_abort(&out);
			status = EXIT_FAILED;
		} else {
			status = cli_out_close(&out);
		}
	} else {
		cli_out_abort(&out);
	}
	if (status == EXIT_OK && file && !(file[0] == '-' && !file[1]))
		fprintf(stderr, "exported %lld followers of '%s'\n", x.rows, ch.name);
	tn_buf_free(&x.line);
	tn_channel_clear(&ch);
	return status;
}
