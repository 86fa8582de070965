/*
 * report.c - the 'report' command: the conversion report as text, JSON,
 * CSV or a self-contained HTML page, on stdout or into -o FILE. The
 * figures are the library's (report.h), the bytes reportout.h's; this
 * file only reads the flags and writes the result, which is complete
 * before FILE is touched.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/report.h"

enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV, FORMAT_HTML };

static int parse_format(const char *word, enum report_format *f)
{
	static const char *const names[] = { "text", "json", "csv", "html" };
	size_t i;

	if (!word) {
		*f = FORMAT_TEXT;
		return 0;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(word, names[i]) == 0) {
			*f = (enum report_format)i;
			return 0;
		}
	return cli_usage_error("--format: '%s': not one of text, json, csv, html", word);
}

/* The report in format into out. */
static tn_code render(const struct tn_report *r, enum report_format format,
		      struct tn_buf *out)
{
	cJSON *doc;
	char *text;
	tn_code rc;

	if (format == FORMAT_TEXT)
		return tn_report_text(r, out);
	if (format == FORMAT_CSV)
		return tn_report_csv(r, out);
	if (format == FORMAT_HTML)
		return tn_report_html(r, NULL, out);
	if ((rc = tn_report_json(r, &doc)) != TN_OK)
		return rc;
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!text)
		return TN_NOMEM;
	rc = tn_buf_add(out, text);
	if (rc == TN_OK)
		rc = tn_buf_addch(out, '\n');
	free(text);
	return rc;
}

CLI_HANDLER(cmd_report)
{
	const char *since = NULL, *until = NULL, *by = NULL, *format_arg = NULL;
	const char *file = NULL, *target = NULL;
	const struct cli_opt opts[] = {
		OPT_STRING_("since", 0, &since, "DATE",
			    "events from this date (YYYY-MM-DD, included)"),
		OPT_STRING_("until", 0, &until, "DATE",
			    "events up to this date (YYYY-MM-DD, included)"),
		OPT_STRING_("by", 0, &by, "GROUP",
			    "rows per channel (default), region or event"),
		OPT_STRING_("format", 0, &format_arg, "FORMAT",
			    "text (default), json, csv or html"),
		OPT_STRING_("output", 'o', &file, "FILE",
			    "write to FILE instead of stdout (- is stdout)"),
		OPT_STRING_("target", 0, &target, "PCT",
			    "the offline share aimed at, 0 < PCT <= 100 (default 10)"),
		OPT_END_(),
	};
	struct tn_report_opts ro = { 0 };
	struct tn_err err = TN_ERR_INIT;
	struct tn_report rep;
	struct tn_buf text = TN_BUF_INIT;
	enum report_format format = FORMAT_TEXT;
	struct cli_out out;
	char *pos[64] = { NULL };
	int status, n;
	tn_code rc;

	status = cli_parse(c, argc, argv, opts,
			   "turnout report [EVENT...] [--since DATE] [--until DATE]\n"
			   "       [--by channel|region|event] [--format text|json|csv|html]\n"
			   "       [-o FILE] [--target PCT]",
			   "What share of the online audience came offline: per event and\n"
			   "channel (or region), audience -> invited -> registered ->\n"
			   "ticketed -> came, no-shows, returning people, and the offline\n"
			   "share (came / audience) beside the target. Without EVENTs, every\n"
			   "event whose local start date is in the period (all by default);\n"
			   "cancelled ones are shown but left out of the totals. Over several\n"
			   "events each person counts once. html is one page with charts\n"
			   "that needs nothing else to open, print or send on.\n\n"
			   "examples:\n"
			   "  turnout report readers-meetup\n"
			   "  turnout report --since 2027-01-01 --until 2027-06-30 --by event\n"
			   "  turnout report readers-meetup --format csv -o meetup.csv\n"
			   "  turnout report readers-meetup --format html -o meetup.html\n"
			   "  turnout report --format json --target 7.5",
			   0, 64, pos);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if ((status = parse_format(format_arg, &format)))
		return status;
	for (n = 0; n < 64 && pos[n]; n++)
		;
	ro.events = (const char *const *)pos;
	ro.nevents = (size_t)n;
	ro.since = since;
	ro.until = until;
	ro.people = format == FORMAT_HTML;   /* the page lists who came */
	if ((by && (rc = tn_report_by_parse(by, &ro.by, &err)) != TN_OK) ||
	    (target && (rc = tn_report_target_parse(target, &ro.target, &err)) != TN_OK))
		return cli_fail(&err, rc);
	rc = tn_report_run(c->db, &ro, &rep, &err);
	if (rc == TN_OK && render(&rep, format, &text) != TN_OK)
		rc = tn_err_set(&err, TN_NOMEM, "out of memory");
	tn_report_free(&rep);
	if (rc != TN_OK) {
		tn_buf_free(&text);
		return cli_fail(&err, rc);
	}
	/* the report is complete before the file is touched */
	if (!(status = cli_out_open(&out, file)) &&
	    !(status = cli_out_write(&out, text.data, text.len)))
		status = cli_out_close(&out);
	else
		cli_out_abort(&out);
	tn_buf_free(&text);
	return status;
}
