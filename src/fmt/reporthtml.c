/*
 * reporthtml.c - the conversion report as one self-contained HTML page
 * (reportout.h's tn_report_html): inline CSS, inline SVG charts, no
 * script and nothing loaded from anywhere, readable on a phone and
 * printable. Bytes in, bytes out: the figures come in the struct
 * tn_report that report.c fills, the same the text, CSV and JSON writers
 * take; nothing here reads the database or decides a figure. Every name
 * from the database (event titles and slugs, channels, regions, gates)
 * goes through esc.h where it is written, in text and in attributes.
 *
 * The charts are sized in viewBox units, so they scale with the page;
 * each has a <title> and a <desc> for screen readers, and the tables
 * below them hold the same figures as the other formats.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/esc.h"
#include "turnout/reportout.h"

/* The document being written: errors are sticky, so the writing code
 * reads straight and the first failure is what is returned. */
struct html {
	struct tn_buf *out;
	tn_code rc;
	unsigned charts;   /* numbers the charts' title and desc ids */
};

static void put(struct html *h, const char *s)
{
	if (h->rc == TN_OK)
		h->rc = tn_buf_add(h->out, s);
}

static void putf(struct html *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void putf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	if (h->rc != TN_OK)
		return;
	va_start(ap, fmt);
	h->rc = tn_buf_vaddf(h->out, fmt, ap);
	va_end(ap);
}

/* Text from the database, escaped for element content. */
static void text(struct html *h, const char *s)
{
	if (h->rc == TN_OK)
		h->rc = tn_esc_html(h->out, s ? s : "");
}

/* Text from the database, escaped for a quoted attribute value. */
static void attr(struct html *h, const char *s)
{
	if (h->rc == TN_OK)
		h->rc = tn_esc_attr(h->out, s ? s : "");
}

/* The share in percent, rounded to hundredths as reportout.c rounds it
 * for every other format. */
static double share_pct(double share)
{
	return (double)(long long)(share * 10000.0 + 0.5) / 100.0;
}

/* The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x (> 0),
 * for the top of an axis. */
static double nice_ceiling(double x)
{
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	double p = 1;
	size_t i;

	if (x <= 0)
		return 1;
	while (p * 10 < x)
		p *= 10;
	while (p > x)
		p /= 10;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * p >= x)
			return steps[i] * p;
	return 10 * p;
}

/* ---- the page ------------------------------------------------------------ */

/* No character of the style sheet needs escaping (no < > &), so the
 * page also reads as well-formed XML, which the tests check. The gate
 * colours g0..g7 and the others stay dark enough to print. */
static const char style[] =
	":root{color-scheme:light}\n"
	"body{font:1rem/1.45 system-ui,sans-serif;margin:0;padding:1rem;"
	"color:#1b1b1b;background:#fff}\n"
	"main{max-width:62rem;margin:0 auto}\n"
	"h1{font-size:1.5rem;margin:.3rem 0}\n"
	"h2{font-size:1.25rem;margin:2rem 0 .3rem;padding-top:1rem;"
	"border-top:2px solid #d4d4d4}\n"
	"h3{font-size:1rem;margin:1.2rem 0 .4rem}\n"
	".meta,.when,.door,.note{color:#404040;margin:.2rem 0}\n"
	".headline{font-size:1.1rem;margin:.6rem 0}\n"
	".big{font-weight:700;font-size:1.5rem}\n"
	".met{color:#15803d;font-weight:600}\n"
	".below,.cancelled{color:#b91c1c;font-weight:600}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));"
	"gap:1rem 2rem}\n"
	"figure{margin:0}\n"
	"figcaption{font-weight:600;margin:.4rem 0}\n"
	"svg.chart{width:100%;height:auto;display:block}\n"
	"svg text{font:14px system-ui,sans-serif;fill:#1b1b1b}\n"
	"svg text.small{font-size:12px;fill:#404040}\n"
	".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}\n"
	"table{border-collapse:collapse;font-variant-numeric:tabular-nums}\n"
	"th,td{padding:.3rem .6rem;border-bottom:1px solid #d4d4d4;text-align:right;"
	"white-space:nowrap}\n"
	"th:first-child{text-align:left}\n"
	"thead th{border-bottom:2px solid #888;font-size:.85rem;text-transform:uppercase}\n"
	"tfoot th,tfoot td{font-weight:700;border-top:2px solid #888}\n"
	".stage{fill:#1d4ed8}\n"
	".bar{fill:#2563eb}\n"
	".bar.met{fill:#15803d}\n"
	".target{stroke:#b91c1c;stroke-width:2;stroke-dasharray:6 4}\n"
	"text.target-label{fill:#b91c1c}\n"
	".axis{stroke:#888;stroke-width:1}\n"
	".line{fill:none;stroke:#1d4ed8;stroke-width:2}\n"
	".point{fill:#1d4ed8}\n"
	".point.met{fill:#15803d}\n"
	".g0{fill:#2563eb}.g1{fill:#d97706}.g2{fill:#059669}.g3{fill:#7c3aed}"
	".g4{fill:#db2777}.g5{fill:#0e7490}.g6{fill:#4d7c0f}.g7{fill:#92400e}"
	".walkin{fill:#6b7280}\n"
	".legend{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;"
	"gap:.2rem 1rem;font-size:.9rem}\n"
	".key{width:.8rem;height:.8rem;vertical-align:-.05rem;margin-right:.3rem}\n"
	"@media print{body{padding:0;font-size:10pt}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	".scroll{overflow:visible}figure,table{break-inside:avoid}"
	"h2{break-after:avoid}}\n";

static void page_begin(struct html *h, const struct tn_report *r,
		       const struct tn_report_html_opts *o)
{
	put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
	if (o && o->refresh_seconds > 0)
		putf(h, "<meta http-equiv=\"refresh\" content=\"%d\" />\n", o->refresh_seconds);
	put(h, "<meta name=\"referrer\" content=\"no-referrer\" />\n"
	    "<link rel=\"icon\" href=\"data:,\" />\n<title>Conversion report");
	if (r->nevents == 1) {
		put(h, ": ");
		text(h, r->events[0].title);
	}
	put(h, "</title>\n<style");
	if (o && o->nonce && *o->nonce) {
		put(h, " nonce=\"");
		attr(h, o->nonce);
		put(h, "\"");
	}
	put(h, ">\n");
	put(h, style);
	put(h, "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>Conversion report</h1>\n");
	putf(h, "<p class=\"meta\">What share of the online audience came offline. "
	     "Target %g%%, rows by %s, period %s to %s; made %.16s UTC.</p>\n",
	     r->target, tn_report_by_name(r->by), r->since[0] ? r->since : "the first event",
	     r->until[0] ? r->until : "the last", r->generated_at);
	put(h, "</header>\n");
}

/* Opens a chart: a figure with caption (static text, not escaped) and an
 * <svg> of width x height viewBox units, labelled by its title and desc
 * (the desc's text is written by the caller, escaped, and ended with
 * desc_end). */
static void chart_begin(struct html *h, const char *caption, int width, int height,
			const char *kind)
{
	unsigned id = ++h->charts;

	putf(h, "<figure class=\"%s\">\n<figcaption>%s</figcaption>\n"
	     "<svg class=\"chart %s\" viewBox=\"0 0 %d %d\" role=\"img\" "
	     "aria-labelledby=\"c%u-t c%u-d\">\n"
	     "<title id=\"c%u-t\">%s</title>\n<desc id=\"c%u-d\">",
	     kind, caption, kind, width, height, id, id, id, caption, id);
}

static void desc_end(struct html *h)
{
	put(h, "</desc>\n");
}

static void chart_end(struct html *h)
{
	put(h, "</svg>\n</figure>\n");
}

/* ---- chart 1: the funnel ------------------------------------------------- */

#define CHART_W 400

static void funnel_chart(struct html *h, const struct tn_report_funnel *f)
{
	const char *names[5] = { "audience", "invited", "registered", "ticketed", "came" };
	int64_t v[5];
	int64_t max = 0;
	int i;

	v[0] = f->audience, v[1] = f->invited, v[2] = f->registered;
	v[3] = f->ticketed, v[4] = f->came;
	for (i = 0; i < 5; i++)
		if (v[i] > max)
			max = v[i];
	chart_begin(h, "Funnel: audience to people in the room", CHART_W, 5 * 40 + 4,
		    "funnel");
	for (i = 0; i < 5; i++)
		putf(h, "%s%s %lld", i ? ", " : "", names[i], (long long)v[i]);
	desc_end(h);
	for (i = 0; i < 5; i++) {
		double w = max ? (double)v[i] * CHART_W / (double)max : 0;
		int y = i * 40;

		putf(h, "<text x=\"0\" y=\"%d\">%s %lld", y + 14, names[i], (long long)v[i]);
		if (i && f->audience > 0)
			putf(h, " (%.1f%% of the audience)",
			     (double)v[i] * 100.0 / (double)f->audience);
		putf(h, "</text>\n<rect class=\"stage\" data-stage=\"%s\" x=\"0\" y=\"%d\" "
		     "width=\"%.1f\" height=\"18\"/>\n", names[i], y + 20, w);
	}
	chart_end(h);
}

/* ---- chart 2: the offline share per group against the target ------------- */

/* A bar: a group's share (negative: no audience). */
struct bar {
	const char *label;   /* shown */
	const char *key;     /* its data-group */
	double share;
	int met;
};

static void share_chart(struct html *h, const char *caption, const struct bar *bars,
			size_t n, double target)
{
	double top = target * 1.5, scale, x;
	int height = (int)n * 36 + 44, bottom = (int)n * 36 + 20;
	size_t i;

	for (i = 0; i < n; i++)
		if (bars[i].share * 100.0 > top)
			top = bars[i].share * 100.0;
	top = nice_ceiling(top);
	scale = CHART_W / top;
	chart_begin(h, caption, CHART_W, height, "shares");
	putf(h, "target %g%%", target);
	for (i = 0; i < n; i++) {
		put(h, "; ");
		text(h, bars[i].label);
		if (bars[i].share < 0)
			put(h, ": no audience");
		else
			putf(h, ": %.2f%%%s", share_pct(bars[i].share),
			     bars[i].met ? ", met" : ", below");
	}
	desc_end(h);
	for (i = 0; i < n; i++) {
		int y = 20 + (int)i * 36;
		double w = bars[i].share < 0 ? 0 : bars[i].share * 100.0 * scale;

		putf(h, "<text x=\"0\" y=\"%d\">", y + 12);
		text(h, bars[i].label);
		if (bars[i].share < 0)
			put(h, " \xE2\x80\x94 no audience");
		else
			putf(h, " \xE2\x80\x94 %.2f%%", share_pct(bars[i].share));
		putf(h, "</text>\n<rect class=\"bar%s\" data-group=\"",
		     bars[i].share >= 0 && bars[i].met ? " met" : "");
		attr(h, bars[i].key);
		putf(h, "\" x=\"0\" y=\"%d\" width=\"%.1f\" height=\"14\"><title>", y + 17,
		     w > CHART_W ? (double)CHART_W : w);
		text(h, bars[i].label);
		if (bars[i].share >= 0)
			putf(h, ": %.2f%%", share_pct(bars[i].share));
		put(h, "</title></rect>\n");
	}
	x = target * scale;
	putf(h, "<line class=\"target\" x1=\"%.1f\" y1=\"16\" x2=\"%.1f\" y2=\"%d\"/>\n"
	     "<text class=\"small target-label\" x=\"%.1f\" y=\"12\" text-anchor=\"%s\">"
	     "target %g%%</text>\n", x, x, bottom, x, x > CHART_W / 2 ? "end" : "start",
	     target);
	putf(h, "<line class=\"axis\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
	     "<text class=\"small\" x=\"0\" y=\"%d\">0%%</text>\n"
	     "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%g%%</text>\n",
	     bottom, CHART_W, bottom, bottom + 16, CHART_W, bottom + 16, top);
	chart_end(h);
}

/* The bars of a grouping's rows: those that have an audience of their
 * own (channels, regions, unknown), not direct and walk-in. Returns a
 * new array (caller frees) with its length in *n, its names borrowed
 * from rows; NULL without rows, and on failure (h->rc is then
 * TN_NOMEM). */
static struct bar *row_bars(struct html *h, const struct tn_report_row *rows,
			    size_t nrows, size_t *n)
{
	struct bar *bars;
	size_t i;

	*n = 0;
	if (!nrows)
		return NULL;
	if (!(bars = calloc(nrows, sizeof(*bars)))) {
		h->rc = TN_NOMEM;
		return NULL;
	}
	for (i = 0; i < nrows; i++) {
		const struct tn_report_row *row = &rows[i];

		if (row->kind == TN_REPORT_DIRECT || row->kind == TN_REPORT_WALKIN ||
		    row->kind == TN_REPORT_TOTAL)
			continue;
		bars[*n].label = bars[*n].key = tn_report_row_label(row);
		bars[*n].share = row->f.share;
		bars[*n].met = row->f.met;
		(*n)++;
	}
	return bars;
}

static void rows_share_chart(struct html *h, const struct tn_report *r,
			     const struct tn_report_row *rows, size_t nrows)
{
	size_t n;
	struct bar *bars = row_bars(h, rows, nrows, &n);

	if (n)
		share_chart(h, r->by == TN_REPORT_BY_REGION ? "Offline share per region"
			    : "Offline share per channel", bars, n, r->target);
	free(bars);
}

/* ---- chart 3: the offline share over time -------------------------------- */

static void time_chart(struct html *h, const struct tn_report *r)
{
	const int left = 48, right = 16, top_margin = 16, plot_h = 180;
	const int bottom = top_margin + plot_h;
	double top = r->target * 1.5, scale, x, y;
	size_t i, n = 0, k, step;

	for (i = 0; i < r->nevents; i++)
		if (!r->events[i].cancelled) {
			n++;
			if (r->events[i].total.f.share * 100.0 > top)
				top = r->events[i].total.f.share * 100.0;
		}
	if (n < 2)
		return;
	top = nice_ceiling(top);
	scale = plot_h / top;
	chart_begin(h, "Offline share over time, per event", CHART_W, bottom + 40, "time");
	putf(h, "target %g%%", r->target);
	for (i = 0; i < r->nevents; i++) {
		const struct tn_report_event *e = &r->events[i];

		if (e->cancelled)
			continue;
		putf(h, "; %s ", e->date);
		text(h, e->title);
		if (e->total.f.share < 0)
			put(h, ": no audience");
		else
			putf(h, ": %.2f%%", share_pct(e->total.f.share));
	}
	desc_end(h);
	/* axes, the target, the scale */
	putf(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
	     "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
	     left, top_margin, left, bottom, left, bottom, CHART_W - right, bottom);
	putf(h, "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%g%%</text>\n"
	     "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">0%%</text>\n",
	     left - 4, top_margin + 4, top, left - 4, bottom + 4);
	y = bottom - r->target * scale;
	putf(h, "<line class=\"target\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n"
	     "<text class=\"small target-label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">"
	     "target %g%%</text>\n", left, y, CHART_W - right, y, CHART_W - right, y - 4,
	     r->target);
	/* the line through the events' shares (none for an event without
	 * audience), evenly spaced in order of start; a date under every
	 * step-th so that they do not overlap */
	step = (n + 7) / 8;
	put(h, "<polyline class=\"line\" points=\"");
	for (i = 0, k = 0; i < r->nevents; i++) {
		const struct tn_report_event *e = &r->events[i];

		if (e->cancelled)
			continue;
		x = left + 12 + (double)k++ * (CHART_W - right - left - 24) / (double)(n - 1);
		if (e->total.f.share >= 0)
			putf(h, "%.1f,%.1f ", x, bottom - e->total.f.share * 100.0 * scale);
	}
	put(h, "\"/>\n");
	for (i = 0, k = 0; i < r->nevents; i++) {
		const struct tn_report_event *e = &r->events[i];
		double s = e->total.f.share < 0 ? 0 : e->total.f.share * 100.0;

		if (e->cancelled)
			continue;
		x = left + 12 + (double)k * (CHART_W - right - left - 24) / (double)(n - 1);
		putf(h, "<circle class=\"point%s\" data-event=\"", e->total.f.met ? " met" : "");
		attr(h, e->slug);
		putf(h, "\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\"><title>%s ", x, bottom - s * scale,
		     e->date);
		text(h, e->title);
		if (e->total.f.share < 0)
			put(h, ": no audience");
		else
			putf(h, ": %.2f%%", share_pct(e->total.f.share));
		put(h, "</title></circle>\n");
		/* every step-th date and the last, none too close to it; the
		 * first and the last kept inside the chart */
		if ((k % step == 0 && n - 1 - k >= step) || k == n - 1)
			putf(h, "<text class=\"small\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">"
			     "%s</text>\n", x, bottom + 18,
			     !k ? "start" : k == n - 1 ? "end" : "middle", e->date);
		k++;
	}
	chart_end(h);
}

/* ---- chart 4: the arrival per 5 minutes ---------------------------------- */

#define NCOLOURS 8

static const char *gate_label(const char *name)
{
	return name[0] ? name : "(no gate)";
}

/* "first admit ..., last ... (UTC); busiest 5 minutes from ...: N
 * admitted, most at gate 'G'; walk-ins without registration: N", as the
 * text report says it; a->nslots > 0. */
static void door_summary(struct html *h, const struct tn_report_arrival *a)
{
	putf(h, "first admit %.16s, last %.16s (UTC); busiest 5 minutes from %.16s: %lld "
	     "admitted", a->first, a->last, a->slots[a->peak].start,
	     (long long)a->slots[a->peak].total);
	if (a->peak_gate < a->ngates) {
		put(h, ", most at gate \xE2\x80\x98");
		text(h, gate_label(a->gates[a->peak_gate]));
		put(h, "\xE2\x80\x99");
	}
	putf(h, "; walk-ins without registration: %lld", (long long)a->walkins);
}

static void arrival_chart(struct html *h, const struct tn_report_arrival *a)
{
	const int left = 40, right = 8, top_margin = 12, plot_h = 170;
	const int bottom = top_margin + plot_h;
	double top = 0, scale, bw, x, y, hgt;
	size_t i, j, step;

	if (!a->nslots)
		return;
	for (i = 0; i < a->nslots; i++)
		if ((double)a->slots[i].total > top)
			top = (double)a->slots[i].total;
	top = nice_ceiling(top < 1 ? 1 : top);
	scale = plot_h / top;
	bw = (double)(CHART_W - left - right) / (double)a->nslots;
	chart_begin(h, "Arrival at the door per 5 minutes (UTC)", CHART_W, bottom + 36,
		    "arrival");
	door_summary(h, a);
	desc_end(h);
	putf(h, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
	     "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
	     "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%g</text>\n"
	     "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n",
	     left, top_margin, left, bottom, left, bottom, CHART_W - right, bottom,
	     left - 4, top_margin + 4, top, left - 4, bottom + 4);
	step = (a->nslots + 5) / 6;
	for (i = 0; i < a->nslots; i++) {
		const struct tn_report_slot *s = &a->slots[i];

		x = left + (double)i * bw;
		y = bottom;
		/* stacked: each gate's admits, then the walk-ins counted apart */
		for (j = 0; j <= a->ngates; j++) {
			int64_t count = j < a->ngates ? s->gates[j] : s->walkins;

			if (count <= 0)
				continue;
			hgt = (double)count * scale;
			y -= hgt;
			if (j < a->ngates)
				putf(h, "<rect class=\"slot g%zu\"", j % NCOLOURS);
			else
				put(h, "<rect class=\"slot walkin\"");
			putf(h, " x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>"
			     "%.5s ", x + bw * 0.1, y, bw * 0.8, hgt, s->start + 11);
			if (j < a->ngates)
				text(h, gate_label(a->gates[j]));
			else
				put(h, "walk-ins");
			putf(h, ": %lld</title></rect>\n", (long long)count);
		}
		if (i % step == 0)
			putf(h, "<text class=\"small\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
			     "%.5s</text>\n", x + bw / 2, bottom + 16, s->start + 11);
	}
	putf(h, "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%.10s</text>\n",
	     CHART_W - right, bottom + 32, a->first);
	put(h, "</svg>\n<ul class=\"legend\">\n");
	for (j = 0; j <= a->ngates; j++) {
		put(h, "<li><svg class=\"key\" viewBox=\"0 0 10 10\" aria-hidden=\"true\">");
		if (j < a->ngates)
			putf(h, "<rect class=\"g%zu\" width=\"10\" height=\"10\"/></svg>",
			     j % NCOLOURS);
		else
			put(h, "<rect class=\"walkin\" width=\"10\" height=\"10\"/></svg>");
		if (j < a->ngates)
			text(h, gate_label(a->gates[j]));
		else
			put(h, "walk-ins without registration");
		put(h, "</li>\n");
	}
	put(h, "</ul>\n</figure>\n");
}

/* ---- tables -------------------------------------------------------------- */

static void table_begin(struct html *h, const char *first, const char *caption)
{
	put(h, "<div class=\"scroll\">\n<table>\n<caption class=\"note\">");
	put(h, caption);
	put(h, "</caption>\n<thead><tr><th scope=\"col\">");
	put(h, first);
	put(h, "</th><th scope=\"col\">Audience</th><th scope=\"col\">Invited</th>"
	    "<th scope=\"col\">Registered</th><th scope=\"col\">Ticketed</th>"
	    "<th scope=\"col\">Came</th><th scope=\"col\">No-shows</th>"
	    "<th scope=\"col\">Returning</th><th scope=\"col\">Share</th>"
	    "<th scope=\"col\">Target</th></tr></thead>\n");
}

/* One line of figures; label is a name from the database. */
static void table_row(struct html *h, const char *label, const char *key,
		      const struct tn_report_funnel *f)
{
	put(h, "<tr data-group=\"");
	attr(h, key);
	put(h, "\"><th scope=\"row\">");
	text(h, label);
	putf(h, "</th><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td>"
	     "<td>%lld</td><td>%lld</td>", (long long)f->audience, (long long)f->invited,
	     (long long)f->registered, (long long)f->ticketed, (long long)f->came,
	     (long long)f->no_shows, (long long)f->returning);
	if (f->share < 0)
		put(h, "<td>\xE2\x80\x93</td><td>\xE2\x80\x93</td></tr>\n");
	else
		putf(h, "<td>%.2f%%</td><td class=\"%s\">%s</td></tr>\n", share_pct(f->share),
		     f->met ? "met" : "below", f->met ? "met" : "below");
}

static void table_end(struct html *h, const struct tn_report_funnel *total)
{
	put(h, "</tbody>\n<tfoot>\n");
	table_row(h, "total", "total", total);
	put(h, "</tfoot>\n</table>\n</div>\n");
}

static const char *group_heading(enum tn_report_by by)
{
	return by == TN_REPORT_BY_REGION ? "Region" : by == TN_REPORT_BY_EVENT ? "Event"
		: "Channel";
}

static void rows_table(struct html *h, const struct tn_report *r, const char *caption,
		       const struct tn_report_row *rows, size_t n,
		       const struct tn_report_funnel *total)
{
	size_t i;

	table_begin(h, group_heading(r->by), caption);
	put(h, "<tbody>\n");
	for (i = 0; i < n; i++)
		table_row(h, tn_report_row_label(&rows[i]), tn_report_row_label(&rows[i]),
			  &rows[i].f);
	table_end(h, total);
}

/* The inputs of an event's audience: each channel's declared figure and
 * known followers on the date. */
static void inputs_table(struct html *h, const struct tn_report_event *e)
{
	size_t i;

	if (!e->nchannels)
		return;
	put(h, "<h3>Audience on the event's date</h3>\n<div class=\"scroll\">\n<table class=\""
	    "inputs\">\n<thead><tr><th scope=\"col\">Channel</th><th scope=\"col\">Declared</th>"
	    "<th scope=\"col\">Dated</th><th scope=\"col\">Known followers</th>"
	    "<th scope=\"col\">Audience</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < e->nchannels; i++) {
		const struct tn_report_row *c = &e->channels[i];

		put(h, "<tr><th scope=\"row\">");
		text(h, c->name);
		if (c->declared >= 0)
			putf(h, "</th><td>%lld</td><td>%s</td>", (long long)c->declared,
			     c->declared_date);
		else
			put(h, "</th><td>\xE2\x80\x93</td><td></td>");
		putf(h, "<td>%lld</td><td>%lld</td></tr>\n", (long long)c->known,
		     (long long)c->f.audience);
	}
	putf(h, "</tbody>\n</table>\n</div>\n<p class=\"note\">People following any channel "
	     "then: %lld; the total audience counts each of them once, plus each channel's "
	     "declared audience beyond its known followers.</p>\n",
	     (long long)e->unique_followers);
}

/* Who came, folded: names as text (a name is never markup), a forgotten
 * person as such. */
static void came_list(struct html *h, const struct tn_report_event *e)
{
	size_t i;

	if (!e->ncame)
		return;
	putf(h, "<details class=\"came\">\n<summary>People who came (%zu)</summary>\n"
	     "<div class=\"scroll\">\n<table class=\"people\">\n<thead><tr><th scope=\"col\">Name</th>"
	     "<th scope=\"col\">Admitted (UTC)</th><th scope=\"col\">Gate</th></tr></thead>"
	     "\n<tbody>\n", e->ncame);
	for (i = 0; i < e->ncame; i++) {
		const struct tn_report_person *p = &e->came[i];

		put(h, "<tr><td class=\"person\">");
		if (p->name)
			text(h, p->name);
		else
			put(h, p->forgotten ? "<i>(forgotten)</i>" : "<i>(no name)</i>");
		put(h, "</td><td>");
		text(h, p->at);
		put(h, "</td><td>");
		text(h, p->gate && p->gate[0] ? p->gate : "\xE2\x80\x93");
		if (p->walkin)
			put(h, " (walk-in)");
		put(h, "</td></tr>\n");
	}
	put(h, "</tbody>\n</table>\n</div>\n</details>\n");
}

/* ---- sections ------------------------------------------------------------ */

/* "25.00% of the audience came (3 of 12); target 10%: met". */
static void headline(struct html *h, const struct tn_report_funnel *f, double target)
{
	put(h, "<p class=\"headline\">");
	if (f->share < 0)
		putf(h, "No audience known; %lld came.", (long long)f->came);
	else
		putf(h, "<span class=\"big\">%.2f%%</span> of the audience came (%lld of "
		     "%lld); target %g%%: <span class=\"%s\">%s</span>.",
		     share_pct(f->share), (long long)f->came, (long long)f->audience, target,
		     f->met ? "met" : "below", f->met ? "met" : "below");
	put(h, "</p>\n");
}

static void event_section(struct html *h, const struct tn_report *r,
			  const struct tn_report_event *e)
{
	const struct tn_report_arrival *a = &e->arrival;

	putf(h, "<section class=\"event\" id=\"event-%lld\" data-slug=\"", (long long)e->id);
	attr(h, e->slug);
	put(h, "\">\n<h2>");
	text(h, e->title);
	put(h, "</h2>\n<p class=\"when\">");
	text(h, e->start_local);
	put(h, " ");
	text(h, e->tz);
	put(h, " \xC2\xB7 ");
	text(h, e->slug);
	if (e->cancelled)
		put(h, " \xC2\xB7 <span class=\"cancelled\">cancelled: not in the "
		    "period's totals</span>");
	put(h, "</p>\n");
	headline(h, &e->total.f, r->target);
	put(h, "<div class=\"charts\">\n");
	funnel_chart(h, &e->total.f);
	rows_share_chart(h, r, e->rows, e->nrows);
	arrival_chart(h, a);
	put(h, "</div>\n");
	if (a->nslots) {
		put(h, "<p class=\"door\">At the door: ");
		door_summary(h, a);
		put(h, ".</p>\n");
	} else {
		put(h, "<p class=\"door\">Nobody admitted at the door yet.</p>\n");
	}
	put(h, "<h3>Figures</h3>\n");
	rows_table(h, r, "People per group; share = came \xC3\xB7 audience", e->rows,
		   e->nrows, &e->total.f);
	inputs_table(h, e);
	came_list(h, e);
	put(h, "</section>\n");
}

/* The period: its funnel, the share per group (per event with --by
 * event), the share over time, and its table. */
static void period_section(struct html *h, const struct tn_report *r)
{
	struct bar *bars;
	size_t i, n = 0;

	putf(h, "<section class=\"period\">\n<h2>Period: %s to %s</h2>\n<p class=\"when\">"
	     "%zu event%s counted, each person once; cancelled events left out.</p>\n",
	     r->since[0] ? r->since : "the first event", r->until[0] ? r->until : "the last",
	     r->counted, r->counted == 1 ? "" : "s");
	headline(h, &r->total.f, r->target);
	put(h, "<div class=\"charts\">\n");
	funnel_chart(h, &r->total.f);
	if (r->by != TN_REPORT_BY_EVENT) {
		rows_share_chart(h, r, r->rows, r->nrows);
	} else if ((bars = calloc(r->nevents ? r->nevents : 1, sizeof(*bars)))) {
		for (i = 0; i < r->nevents; i++)
			if (!r->events[i].cancelled) {
				bars[n].label = r->events[i].title;
				bars[n].key = r->events[i].slug;
				bars[n].share = r->events[i].total.f.share;
				bars[n].met = r->events[i].total.f.met;
				n++;
			}
		if (n)
			share_chart(h, "Offline share per event", bars, n, r->target);
		free(bars);
	} else {
		h->rc = TN_NOMEM;
	}
	time_chart(h, r);
	put(h, "</div>\n<h3>Figures</h3>\n");
	if (r->by != TN_REPORT_BY_EVENT) {
		rows_table(h, r, "Each person counted once over the period; the audience is the "
			   "largest among its events", r->rows, r->nrows, &r->total.f);
	} else {
		table_begin(h, "Event", "One line per event; the total counts each person once");
		put(h, "<tbody>\n");
		for (i = 0; i < r->nevents; i++) {
			const struct tn_report_event *e = &r->events[i];
			struct tn_buf label = TN_BUF_INIT;

			if (tn_buf_addf(&label, "%s %s%s", e->date, e->title,
					e->cancelled ? " (cancelled)" : "") != TN_OK)
				h->rc = TN_NOMEM;
			table_row(h, label.data, e->slug, &e->total.f);
			tn_buf_free(&label);
		}
		table_end(h, &r->total.f);
	}
	put(h, "</section>\n");
}

tn_code tn_report_html(const struct tn_report *r, const struct tn_report_html_opts *o,
		       struct tn_buf *out)
{
	struct html h = { out, TN_OK, 0 };
	size_t i;

	page_begin(&h, r, o);
	if (!r->nevents)
		put(&h, "<p class=\"headline\">No events in the period.</p>\n");
	for (i = 0; i < r->nevents; i++)
		event_section(&h, r, &r->events[i]);
	if (r->nevents > 1 || (r->nevents && r->by == TN_REPORT_BY_EVENT))
		period_section(&h, r);
	put(&h, "<footer>\n<p class=\"note\">Audience: a channel's declared audience or its "
	    "known followers on the event's date, whichever is larger. Came: people admitted "
	    "at the door. Offline share = came \xC3\xB7 audience. A registration counts for "
	    "the channel of its invitation or tracking link, else direct; a walk-in for the "
	    "channel they follow, else walk-in.</p>\n</footer>\n</main>\n</body>\n</html>\n");
	return h.rc;
}
