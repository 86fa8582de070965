/*
 * reporthtml.c - the conversion report as one HTML page (reportout.h):
 * per event a table of the funnel per channel and the total, the share
 * beside the target. Bytes in, bytes out; every name escaped. A plain
 * page without charts: the charted report replaces it.
 */
#include <stdio.h>

#include "turnout/esc.h"
#include "turnout/reportout.h"

static const char head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";

static const char style[] =
	"<style>\n"
	"body{font:1rem/1.4 system-ui,sans-serif;margin:1rem;color:#1b1b1b}\n"
	"table{border-collapse:collapse}\n"
	"th,td{padding:.2rem .5rem;border-bottom:1px solid #ddd}\n"
	"td.n{text-align:right}\n"
	"</style>\n";

/* One row of the table: the label and the funnel's figures. */
static tn_code add_row(struct tn_buf *b, const struct tn_report_row *row)
{
	const struct tn_report_funnel *f = &row->f;
	tn_code rc;

	if ((rc = tn_buf_add(b, "<tr><th scope=\"row\">")) != TN_OK ||
	    (rc = tn_esc_html(b, tn_report_row_label(row))) != TN_OK)
		return rc;
	rc = tn_buf_addf(b, "</th><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			 "<td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			 "<td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			 "<td class=\"n\">%lld</td>", (long long)f->audience,
			 (long long)f->invited, (long long)f->registered,
			 (long long)f->ticketed, (long long)f->came,
			 (long long)f->no_shows, (long long)f->returning);
	if (rc == TN_OK && f->share < 0)
		rc = tn_buf_add(b, "<td class=\"n\">-</td></tr>\n");
	else if (rc == TN_OK)
		rc = tn_buf_addf(b, "<td class=\"n\">%.2f%%</td></tr>\n", f->share * 100.0);
	return rc;
}

static tn_code add_event(struct tn_buf *b, const struct tn_report_event *e)
{
	size_t i;
	tn_code rc;

	if ((rc = tn_buf_add(b, "<h1>")) != TN_OK ||
	    (rc = tn_esc_html(b, e->title)) != TN_OK ||
	    (rc = tn_buf_add(b, "</h1>\n<p>")) != TN_OK ||
	    (rc = tn_esc_html(b, e->start_local)) != TN_OK ||
	    (rc = tn_buf_add(b, " ")) != TN_OK ||
	    (rc = tn_esc_html(b, e->tz)) != TN_OK ||
	    (rc = tn_buf_add(b, e->cancelled ? ", cancelled</p>\n" : "</p>\n")) != TN_OK ||
	    (rc = tn_buf_add(b, "<table>\n<tr><th></th><th>audience</th><th>invited</th>"
			     "<th>registered</th><th>ticketed</th><th>came</th>"
			     "<th>no-shows</th><th>returning</th><th>offline share</th>"
			     "</tr>\n")) != TN_OK)
		return rc;
	for (i = 0; i < e->nrows && rc == TN_OK; i++)
		rc = add_row(b, &e->rows[i]);
	if (rc == TN_OK)
		rc = add_row(b, &e->total);
	if (rc == TN_OK)
		rc = tn_buf_add(b, "</table>\n");
	return rc;
}

tn_code tn_report_html(const struct tn_report *r, const struct tn_report_html_opts *o,
		       struct tn_buf *out)
{
	size_t i;
	tn_code rc;

	if ((rc = tn_buf_add(out, head)) != TN_OK)
		return rc;
	if (o && o->refresh_seconds > 0 &&
	    (rc = tn_buf_addf(out, "<meta http-equiv=\"refresh\" content=\"%d\">\n",
			      o->refresh_seconds)) != TN_OK)
		return rc;
	if ((rc = tn_buf_add(out, style)) != TN_OK ||
	    (rc = tn_buf_add(out, "<title>")) != TN_OK ||
	    (rc = tn_esc_html(out, r->nevents == 1 ? r->events[0].title
			      : "Conversion report")) != TN_OK ||
	    (rc = tn_buf_add(out, "</title>\n</head>\n<body>\n")) != TN_OK)
		return rc;
	for (i = 0; i < r->nevents && rc == TN_OK; i++)
		rc = add_event(out, &r->events[i]);
	if (rc == TN_OK)
		rc = tn_buf_addf(out, "<p>Target %g%%. Made %s.</p>\n</body>\n</html>\n",
				 r->target, r->generated_at);
	return rc;
}
