/*
 * listing.c - the one writer of the CLI's listings (cmd.h): the formats
 * table, tsv, csv and json, and --limit, --offset and --count, for every
 * listing handler alike. It streams: a table holds only its first
 * CLI_LISTING_MEASURE rows, to measure the columns; everything else is
 * written as it arrives. It knows nothing of channels, events or people:
 * handlers hand it column names and cells (or JSON items).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd.h"
#include "turnout/buf.h"
#include "turnout/esc.h"
#include "turnout/text.h"
#include "turnout/unicode.h"

static const char ellipsis[] = "\xE2\x80\xA6";   /* U+2026, one column */

static int out_of_memory(struct cli_listing *l)
{
	fprintf(stderr, "turnout: out of memory\n");
	return l->out.status = EXIT_FAILED;
}

/* The terminal's width when stdout is one: TIOCGWINSZ, else $COLUMNS;
 * 0 (no limit) when stdout is a pipe or a file. */
static size_t terminal_width(void)
{
	struct winsize ws;
	const char *env;
	long long n;
	char *end;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	env = getenv("COLUMNS");
	if (env && isdigit((unsigned char)env[0])) {
		n = strtoll(env, &end, 10);
		if (!*end && n > 0 && n < 100000)
			return (size_t)n;
	}
	return 0;
}

int cli_listing_start(struct cli_listing *l, const struct cli_column *cols,
		      size_t ncols)
{
	static const char *const names[] = { "table", "tsv", "csv", "json" };
	size_t i;

	l->cols = cols;
	l->ncols = ncols;
	l->limit = -1;
	l->offset = 0;
	l->matched = l->shown = 0;
	l->held = NULL;
	l->nheld = 0;
	l->widths = NULL;
	l->measured = l->header_done = 0;
	l->format = l->json ? CLI_FORMAT_JSON : CLI_FORMAT_TABLE;
	cli_out_open(&l->out, NULL);
	if (l->format_arg) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(l->format_arg, names[i]) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return l->out.status = cli_usage_error(
				"--format: '%s': not one of table, tsv, csv, json",
				l->format_arg);
		if (l->json && i != CLI_FORMAT_JSON)
			return l->out.status = cli_usage_error(
				"--json and --format %s: choose one", names[i]);
		l->format = (enum cli_format)i;
	}
	if (l->limit_arg && cli_parse_count("--limit", l->limit_arg, &l->limit))
		return l->out.status = EXIT_USAGE;
	if (l->offset_arg && cli_parse_count("--offset", l->offset_arg, &l->offset))
		return l->out.status = EXIT_USAGE;
	if (!(l->widths = calloc(ncols, sizeof(*l->widths))))
		return out_of_memory(l);
	for (i = 0; i < ncols; i++)
		l->widths[i] = tn_utf8_width(cols[i].name, strlen(cols[i].name));
	l->max_width = l->format == CLI_FORMAT_TABLE ? terminal_width() : 0;
	l->term_safe_csv = l->format == CLI_FORMAT_CSV && isatty(STDOUT_FILENO);
	if (l->format == CLI_FORMAT_JSON)
		cli_json_array_begin(&l->array, &l->out);
	return 0;
}

int cli_listing_next(struct cli_listing *l)
{
	if (l->out.status || (l->limit >= 0 && l->shown >= l->limit))
		return CLI_ROW_STOP;
	if (++l->matched <= l->offset)
		return CLI_ROW_SKIP;
	l->shown++;
	return l->count ? CLI_ROW_SKIP : CLI_ROW_SHOW;
}

int cli_listing_empty(const struct cli_listing *l)
{
	return !l->matched && l->limit != 0 && !l->count &&
	       l->format == CLI_FORMAT_TABLE && !l->out.status;
}

/* Cuts line (no newline) to at most max columns, ending it with "…". */
static tn_code fit(struct tn_buf *line, size_t max)
{
	const char *p = line->data, *end = line->data + line->len, *q;
	size_t shown = 0, w;

	if (!max || tn_utf8_width(line->data, line->len) <= max)
		return TN_OK;
	while (p < end) {
		q = p;
		tn_utf8_next(&q, end);
		w = tn_utf8_width(p, (size_t)(q - p));
		if (shown + w > max - 1)
			break;
		shown += w;
		p = q;
	}
	line->len = (size_t)(p - line->data);
	line->data[line->len] = '\0';
	return tn_buf_add(line, ellipsis);
}

/* One table line from ncols NUL-separated escaped cells. */
static int table_line(struct cli_listing *l, const char *cells)
{
	struct tn_buf line = TN_BUF_INIT;
	tn_code rc = TN_OK;
	size_t i, w, len;
	int status;

	for (i = 0; i < l->ncols && rc == TN_OK; i++) {
		int last = i + 1 == l->ncols;

		len = strlen(cells);
		w = tn_utf8_width(cells, len);
		if (i)
			rc = tn_buf_addch(&line, ' ');
		for (; l->cols[i].right && w < l->widths[i] && rc == TN_OK; w++)
			rc = tn_buf_addch(&line, ' ');
		if (rc == TN_OK)
			rc = tn_buf_addn(&line, cells, len);
		for (; !last && w < l->widths[i] && rc == TN_OK; w++)
			rc = tn_buf_addch(&line, ' ');
		cells += len + 1;
	}
	if (rc == TN_OK)
		rc = fit(&line, l->max_width);
	if (rc == TN_OK)
		rc = tn_buf_addch(&line, '\n');
	status = rc == TN_OK ? cli_out_write(&l->out, line.data, line.len)
			     : out_of_memory(l);
	tn_buf_free(&line);
	return status;
}

/* The header as NUL-separated cells, like a held row. */
static char *header_cells(struct cli_listing *l)
{
	struct tn_buf b = TN_BUF_INIT;
	size_t i;

	for (i = 0; i < l->ncols; i++)
		if (tn_buf_addn(&b, l->cols[i].name, strlen(l->cols[i].name) + 1) != TN_OK) {
			tn_buf_free(&b);
			return NULL;
		}
	return tn_buf_detach(&b, NULL);
}

/* Prints the header and the held rows with the widths they give. */
static int flush_held(struct cli_listing *l)
{
	char *header;
	size_t i;
	int status = 0;

	l->measured = 1;
	if (!l->nheld)
		return l->out.status;
	if (!(header = header_cells(l)))
		return out_of_memory(l);
	status = table_line(l, header);
	free(header);
	for (i = 0; i < l->nheld && !status; i++)
		status = table_line(l, l->held[i]);
	for (i = 0; i < l->nheld; i++)
		free(l->held[i]);
	free(l->held);
	l->held = NULL;
	l->nheld = 0;
	return status;
}

static int table_row(struct cli_listing *l, const char *const *cells)
{
	struct tn_buf row = TN_BUF_INIT;
	tn_code rc = TN_OK;
	size_t i, start, w;
	char *s;
	int status;

	for (i = 0; i < l->ncols && rc == TN_OK; i++) {
		start = row.len;
		rc = tn_esc_term(&row, cells[i] ? cells[i] : "-");
		if (rc == TN_OK) {
			w = tn_utf8_width(row.data + start, row.len - start);
			if (!l->measured && w > l->widths[i])
				l->widths[i] = w;
			rc = tn_buf_addch(&row, '\0');
		}
	}
	if (rc != TN_OK) {
		tn_buf_free(&row);
		return out_of_memory(l);
	}
	if (l->measured) {
		status = table_line(l, row.data);
		tn_buf_free(&row);
		return status;
	}
	if (!l->held && !(l->held = calloc(CLI_LISTING_MEASURE, sizeof(*l->held)))) {
		tn_buf_free(&row);
		return out_of_memory(l);
	}
	if (!(s = tn_buf_detach(&row, NULL)))
		return out_of_memory(l);
	l->held[l->nheld++] = s;
	return l->nheld == CLI_LISTING_MEASURE ? flush_held(l) : 0;
}

/* A tsv value: tabs, CR and LF become spaces, then tn_esc_term. */
static tn_code tsv_cell(struct tn_buf *b, const char *s)
{
	struct tn_buf flat = TN_BUF_INIT;
	tn_code rc = tn_buf_add(&flat, s);
	size_t i;

	for (i = 0; rc == TN_OK && i < flat.len; i++)
		if (flat.data[i] == '\t' || flat.data[i] == '\n' || flat.data[i] == '\r')
			flat.data[i] = ' ';
	if (rc == TN_OK)
		rc = tn_esc_term(b, flat.data);
	tn_buf_free(&flat);
	return rc;
}

/* A csv value; made terminal-safe first when the csv goes to a terminal,
 * since follower text must never reach one raw. */
static tn_code csv_cell(struct cli_listing *l, struct tn_buf *b, const char *s)
{
	struct tn_buf safe = TN_BUF_INIT;
	tn_code rc;

	if (!l->term_safe_csv)
		return tn_esc_csv(b, s);
	rc = tn_esc_term(&safe, s);
	if (rc == TN_OK)
		rc = tn_esc_csv(b, safe.data);
	tn_buf_free(&safe);
	return rc;
}

/* One tsv or csv line: the header's names when cells is NULL. */
static int separated_line(struct cli_listing *l, const char *const *cells)
{
	int csv = l->format == CLI_FORMAT_CSV;
	struct tn_buf line = TN_BUF_INIT;
	tn_code rc = TN_OK;
	const char *s;
	size_t i;
	int status;

	for (i = 0; i < l->ncols && rc == TN_OK; i++) {
		s = cells ? (cells[i] ? cells[i] : "") : l->cols[i].name;
		if (i)
			rc = tn_buf_addch(&line, csv ? ',' : '\t');
		if (rc == TN_OK)
			rc = csv ? csv_cell(l, &line, s) : tsv_cell(&line, s);
	}
	if (rc == TN_OK)
		rc = tn_buf_add(&line, csv ? "\r\n" : "\n");   /* RFC 4180: CRLF */
	status = rc == TN_OK ? cli_out_write(&l->out, line.data, line.len)
			     : out_of_memory(l);
	tn_buf_free(&line);
	return status;
}

static int separated_header(struct cli_listing *l)
{
	if (l->header_done)
		return l->out.status;
	l->header_done = 1;
	return separated_line(l, NULL);
}

int cli_listing_row(struct cli_listing *l, const char *const *cells)
{
	int status;

	if (l->out.status)
		return l->out.status;
	switch (l->format) {
	case CLI_FORMAT_TABLE:
		return table_row(l, cells);
	case CLI_FORMAT_TSV:
	case CLI_FORMAT_CSV:
		if ((status = separated_header(l)) != 0)
			return status;
		return separated_line(l, cells);
	case CLI_FORMAT_JSON:
		break;
	}
	return 0;
}

int cli_listing_json(struct cli_listing *l, cJSON *item)
{
	return cli_json_array_add(&l->array, item);
}

static void free_held(struct cli_listing *l)
{
	size_t i;

	for (i = 0; i < l->nheld; i++)
		free(l->held[i]);
	free(l->held);
	free(l->widths);
	l->held = NULL;
	l->widths = NULL;
	l->nheld = 0;
}

int cli_listing_end(struct cli_listing *l)
{
	char num[64];

	if (!l->out.status) {
		if (l->count && l->format == CLI_FORMAT_JSON) {
			snprintf(num, sizeof(num), "{\"count\": %lld}\n", l->shown);
			cli_out_puts(&l->out, num);
		} else if (l->count) {
			snprintf(num, sizeof(num), "%lld\n", l->shown);
			cli_out_puts(&l->out, num);
		} else if (l->format == CLI_FORMAT_JSON) {
			cli_json_array_end(&l->array);
		} else if (l->format == CLI_FORMAT_TABLE) {
			flush_held(l);
		} else {
			separated_header(l);   /* a header even with no rows */
		}
	}
	free_held(l);
	return cli_out_close(&l->out);   /* or the failure it keeps */
}

void cli_listing_abort(struct cli_listing *l)
{
	free_held(l);
	cli_out_abort(&l->out);
}
