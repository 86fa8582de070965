/*
 * reportout.c - the conversion report's writers (reportout.h): text for
 * a terminal, CSV for a spreadsheet, JSON. Bytes in, bytes out: the
 * figures come in a struct tn_report that report.c fills; nothing here
 * reads the database or decides a figure, except the share (came ÷
 * audience) and whether it meets the target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/esc.h"
#include "turnout/reportout.h"
#include "turnout/unicode.h"

/* ---- the struct ---------------------------------------------------------- */

static void free_rows(struct tn_report_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].name);
	free(rows);
}

void tn_report_free(struct tn_report *r)
{
	size_t i, j;

	for (i = 0; i < r->nevents; i++) {
		struct tn_report_event *e = &r->events[i];

		free(e->title);
		free_rows(e->rows, e->nrows);
		free_rows(e->channels, e->nchannels);
		for (j = 0; j < e->arrival.ngates; j++)
			free(e->arrival.gates[j]);
		free(e->arrival.gates);
		for (j = 0; j < e->arrival.nslots; j++)
			free(e->arrival.slots[j].gates);
		free(e->arrival.slots);
		for (j = 0; j < e->ncame; j++) {
			free(e->came[j].name);
			free(e->came[j].gate);
		}
		free(e->came);
	}
	free(r->events);
	free_rows(r->rows, r->nrows);
	memset(r, 0, sizeof(*r));
}

void tn_report_funnel_finish(struct tn_report_funnel *f, double target)
{
	if (f->audience <= 0) {
		f->share = -1;
		f->met = 0;
		return;
	}
	f->share = (double)f->came / (double)f->audience;
	/* came / audience >= target / 100, without rounding */
	f->met = (double)f->came * 100.0 >= target * (double)f->audience;
}

const char *tn_report_kind_name(enum tn_report_kind kind)
{
	switch (kind) {
	case TN_REPORT_CHANNEL: return "channel";
	case TN_REPORT_DIRECT: return "direct";
	case TN_REPORT_WALKIN: return "walk-in";
	case TN_REPORT_REGION: return "region";
	case TN_REPORT_UNKNOWN: return "unknown";
	case TN_REPORT_TOTAL: return "total";
	}
	return "?";
}

const char *tn_report_by_name(enum tn_report_by by)
{
	switch (by) {
	case TN_REPORT_BY_CHANNEL: return "channel";
	case TN_REPORT_BY_REGION: return "region";
	case TN_REPORT_BY_EVENT: return "event";
	}
	return "?";
}

const char *tn_report_row_label(const struct tn_report_row *row)
{
	switch (row->kind) {
	case TN_REPORT_CHANNEL:
	case TN_REPORT_REGION:
		return row->name ? row->name : "";
	case TN_REPORT_UNKNOWN: return "(unknown)";
	default: return tn_report_kind_name(row->kind);
	}
}

/* The share in percent, rounded to hundredths as every format shows it. */
static double share_pct(const struct tn_report_funnel *f)
{
	return (double)(long long)(f->share * 10000.0 + 0.5) / 100.0;
}

/* ---- text ---------------------------------------------------------------- */

#define NCOLS 11
#define BAR_CELLS 10

static const char *const text_header[NCOLS] = {
	"", "AUDIENCE", "INVITED", "REGISTERED", "TICKETED", "CAME", "NO-SHOWS",
	"RETURNING", "SHARE", "TARGET", "",
};

/* A table being built: each line's cells, escaped, NUL-separated. */
struct table {
	struct tn_buf *lines;
	size_t n;
	size_t width[NCOLS];
	tn_code rc;
};

static void table_cells(struct table *t, const char *const cells[NCOLS])
{
	struct tn_buf *grown, *line;
	size_t i, w;

	if (t->rc != TN_OK)
		return;
	if (!(grown = realloc(t->lines, (t->n + 1) * sizeof(*grown)))) {
		t->rc = TN_NOMEM;
		return;
	}
	t->lines = grown;
	line = &t->lines[t->n++];
	tn_buf_init(line);
	for (i = 0; i < NCOLS && t->rc == TN_OK; i++) {
		size_t at = line->len;

		t->rc = tn_esc_term(line, cells[i]);
		if (t->rc == TN_OK) {
			w = tn_utf8_width(line->data + at, line->len - at);
			if (w > t->width[i])
				t->width[i] = w;
			t->rc = tn_buf_addch(line, '\0');
		}
	}
}

static void table_row(struct table *t, const char *label,
		      const struct tn_report_funnel *f, double target)
{
	char num[7][24], share[24], met[16];
	struct tn_buf bar = TN_BUF_INIT;
	const char *cells[NCOLS];
	int i, filled = 0;

	snprintf(num[0], sizeof(num[0]), "%lld", (long long)f->audience);
	snprintf(num[1], sizeof(num[1]), "%lld", (long long)f->invited);
	snprintf(num[2], sizeof(num[2]), "%lld", (long long)f->registered);
	snprintf(num[3], sizeof(num[3]), "%lld", (long long)f->ticketed);
	snprintf(num[4], sizeof(num[4]), "%lld", (long long)f->came);
	snprintf(num[5], sizeof(num[5]), "%lld", (long long)f->no_shows);
	snprintf(num[6], sizeof(num[6]), "%lld", (long long)f->returning);
	if (f->share < 0) {
		snprintf(share, sizeof(share), "-");
		snprintf(met, sizeof(met), "-");
	} else {
		snprintf(share, sizeof(share), "%.2f%%", share_pct(f));
		snprintf(met, sizeof(met), "%s", f->met ? "met" : "below");
		/* ten cells are the target */
		filled = (int)(f->share * 100.0 / target * BAR_CELLS + 0.5);
		if (filled > BAR_CELLS)
			filled = BAR_CELLS;
		for (i = 0; i < BAR_CELLS && t->rc == TN_OK; i++)
			t->rc = tn_buf_add(&bar, i < filled ? "\xE2\x96\x88" : "\xE2\x96\x91");
	}
	cells[0] = label;
	for (i = 0; i < 7; i++)
		cells[i + 1] = num[i];
	cells[8] = share;
	cells[9] = met;
	cells[10] = bar.data;
	table_cells(t, cells);
	tn_buf_free(&bar);
}

/* Writes the table (its first line the header) to out, indented by two:
 * the name on the left, the figures on the right, the bar last. Frees
 * the table. */
static tn_code table_write(struct table *t, struct tn_buf *out)
{
	size_t i, c, w, len;
	const char *cell;
	tn_code rc = t->rc;

	for (i = 0; i < t->n && rc == TN_OK; i++) {
		cell = t->lines[i].data;
		rc = tn_buf_add(out, "  ");
		for (c = 0; c < NCOLS && rc == TN_OK; c++, cell += len + 1) {
			len = strlen(cell);
			w = tn_utf8_width(cell, len);
			if (c)
				rc = tn_buf_addch(out, ' ');
			for (; c > 0 && c < NCOLS - 1 && w < t->width[c] && rc == TN_OK; w++)
				rc = tn_buf_addch(out, ' ');
			if (rc == TN_OK)
				rc = tn_buf_addn(out, cell, len);
			for (; c == 0 && w < t->width[c] && rc == TN_OK; w++)
				rc = tn_buf_addch(out, ' ');
		}
		/* a line without a bar ends without blanks */
		while (rc == TN_OK && out->len && out->data[out->len - 1] == ' ')
			out->data[--out->len] = '\0';
		if (rc == TN_OK)
			rc = tn_buf_addch(out, '\n');
	}
	for (i = 0; i < t->n; i++)
		tn_buf_free(&t->lines[i]);
	free(t->lines);
	memset(t, 0, sizeof(*t));
	return rc;
}

static void table_start(struct table *t, const char *first)
{
	const char *cells[NCOLS];
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < NCOLS; i++)
		cells[i] = text_header[i];
	cells[0] = first;
	table_cells(t, cells);
}

/* "Title (slug), 2030-06-10 19:00 Europe/Berlin, target 10%". */
static tn_code text_event_heading(const struct tn_report_event *e, double target,
				  struct tn_buf *out)
{
	tn_code rc = tn_esc_term(out, e->title);

	if (rc == TN_OK)
		rc = tn_buf_add(out, " (");
	if (rc == TN_OK)
		rc = tn_esc_term(out, e->slug);
	if (rc == TN_OK)
		rc = tn_buf_addf(out, "), %s %s, target %g%%%s\n", e->start_local, e->tz,
				 target, e->cancelled ? ", cancelled: not in the totals" : "");
	return rc;
}

static tn_code text_arrival(const struct tn_report_arrival *a, struct tn_buf *out)
{
	const struct tn_report_slot *peak;

	if (!a->nslots)
		return TN_OK;
	peak = &a->slots[a->peak];
	if (tn_buf_addf(out, "  door: first admit %.16s, last %.16s (UTC); busiest 5 "
			"minutes from %.16s: %lld admitted", a->first, a->last,
			peak->start, (long long)peak->total) != TN_OK)
		return TN_NOMEM;
	if (a->peak_gate < a->ngates) {
		if (tn_buf_add(out, ", most at gate '") != TN_OK ||
		    tn_esc_term(out, a->gates[a->peak_gate][0] ? a->gates[a->peak_gate]
			       : "(none)") != TN_OK ||
		    tn_buf_add(out, "'") != TN_OK)
			return TN_NOMEM;
	}
	return tn_buf_addf(out, "; walk-ins without registration: %lld\n",
			   (long long)a->walkins);
}

/* One table: the header (first its column's name), a line per row, and
 * the total. */
static tn_code rows_table(const char *first, const struct tn_report_row *rows,
			  size_t n, const struct tn_report_funnel *total,
			  double target, struct tn_buf *out)
{
	struct table t;
	size_t i;

	table_start(&t, first);
	for (i = 0; i < n; i++)
		table_row(&t, tn_report_row_label(&rows[i]), &rows[i].f, target);
	table_row(&t, "total", total, target);
	return table_write(&t, out);
}

/* With --by event: one line per event and the period's total. */
static tn_code event_table(const struct tn_report *r, struct tn_buf *out)
{
	struct tn_buf label = TN_BUF_INIT;
	struct table t;
	size_t i;

	table_start(&t, "EVENT");
	for (i = 0; i < r->nevents; i++) {
		const struct tn_report_event *e = &r->events[i];

		tn_buf_reset(&label);
		if (tn_buf_addf(&label, "%s %s%s", e->date, e->slug,
				e->cancelled ? " (cancelled)" : "") != TN_OK)
			t.rc = TN_NOMEM;
		table_row(&t, label.data, &e->total.f, r->target);
	}
	tn_buf_free(&label);
	table_row(&t, "total", &r->total.f, r->target);
	if (tn_buf_addf(out, "Offline share per event (target %g%%)\n", r->target) != TN_OK)
		t.rc = TN_NOMEM;
	return table_write(&t, out);
}

tn_code tn_report_text(const struct tn_report *r, struct tn_buf *out)
{
	const char *first = r->by == TN_REPORT_BY_REGION ? "REGION" : "CHANNEL";
	tn_code rc = TN_OK;
	size_t i;

	if (!r->nevents)
		return tn_buf_add(out, "no events in the period\n");
	if (r->by == TN_REPORT_BY_EVENT)
		return event_table(r, out);
	for (i = 0; i < r->nevents && rc == TN_OK; i++) {
		const struct tn_report_event *e = &r->events[i];

		rc = i ? tn_buf_addch(out, '\n') : TN_OK;
		if (rc == TN_OK)
			rc = text_event_heading(e, r->target, out);
		if (rc == TN_OK)
			rc = rows_table(first, e->rows, e->nrows, &e->total.f, r->target, out);
		if (rc == TN_OK)
			rc = text_arrival(&e->arrival, out);
	}
	if (rc != TN_OK || r->nevents < 2)
		return rc;
	rc = tn_buf_addf(out, "\nPeriod %s to %s: %zu event%s counted, each person "
			 "once (target %g%%)\n", r->since[0] ? r->since : "the first",
			 r->until[0] ? r->until : "the last", r->counted,
			 r->counted == 1 ? "" : "s", r->target);
	if (rc == TN_OK)
		rc = rows_table(first, r->rows, r->nrows, &r->total.f, r->target, out);
	return rc;
}

/* ---- CSV ----------------------------------------------------------------- */

/* One cell: RFC 4180 through tn_esc_csv, which defuses what a
 * spreadsheet would run as a formula. */
static tn_code csv_cell(struct tn_buf *out, const char *s, int last)
{
	tn_code rc = tn_esc_csv(out, s);

	if (rc == TN_OK)
		rc = tn_buf_add(out, last ? "\r\n" : ",");
	return rc;
}

static const char csv_header[] =
	"event,date,status,group,kind,audience,declared,known_followers,invited,"
	"registered,ticketed,came,no_shows,returning,offline_share_pct,target_pct,"
	"target_met\r\n";

static tn_code csv_row(struct tn_buf *out, const struct tn_report *r,
		       const struct tn_report_event *e, const struct tn_report_row *row)
{
	const struct tn_report_funnel *f = &row->f;
	char declared[24] = "", known[24] = "", share[24] = "";
	tn_code rc;

	if (row->kind == TN_REPORT_CHANNEL && row->declared >= 0)
		snprintf(declared, sizeof(declared), "%lld", (long long)row->declared);
	if (row->kind == TN_REPORT_CHANNEL)
		snprintf(known, sizeof(known), "%lld", (long long)row->known);
	if (f->share >= 0)
		snprintf(share, sizeof(share), "%.2f", share_pct(f));
	rc = csv_cell(out, e->slug, 0);
	if (rc == TN_OK)
		rc = csv_cell(out, e->date, 0);
	if (rc == TN_OK)
		rc = csv_cell(out, e->cancelled ? "cancelled" : "scheduled", 0);
	if (rc == TN_OK)
		rc = csv_cell(out, tn_report_row_label(row), 0);
	if (rc == TN_OK)
		rc = csv_cell(out, tn_report_kind_name(row->kind), 0);
	if (rc == TN_OK)
		rc = tn_buf_addf(out, "%lld,%s,%s,%lld,%lld,%lld,%lld,%lld,%lld,%s,%g,%s\r\n",
				 (long long)f->audience, declared, known,
				 (long long)f->invited, (long long)f->registered,
				 (long long)f->ticketed, (long long)f->came,
				 (long long)f->no_shows, (long long)f->returning, share,
				 r->target, f->share < 0 ? "" : f->met ? "yes" : "no");
	return rc;
}

tn_code tn_report_csv(const struct tn_report *r, struct tn_buf *out)
{
	tn_code rc = tn_buf_add(out, csv_header);
	size_t i, j;

	for (i = 0; i < r->nevents && rc == TN_OK; i++) {
		const struct tn_report_event *e = &r->events[i];

		if (r->by == TN_REPORT_BY_EVENT)
			rc = csv_row(out, r, e, &e->total);
		for (j = 0; j < e->nrows && rc == TN_OK; j++)
			rc = csv_row(out, r, e, &e->rows[j]);
	}
	return rc;
}

/* ---- JSON ---------------------------------------------------------------- */

static int add_text(cJSON *o, const char *key, const char *s)
{
	return (s && *s ? cJSON_AddStringToObject(o, key, s)
		: cJSON_AddNullToObject(o, key)) != NULL;
}

static int add_num(cJSON *o, const char *key, int64_t n)
{
	return cJSON_AddNumberToObject(o, key, (double)n) != NULL;
}

/* The funnel's figures into o. */
static int json_funnel(cJSON *o, const struct tn_report_funnel *f)
{
	int ok = add_num(o, "audience", f->audience) && add_num(o, "invited", f->invited) &&
		 add_num(o, "registered", f->registered) &&
		 add_num(o, "ticketed", f->ticketed) && add_num(o, "came", f->came) &&
		 add_num(o, "no_shows", f->no_shows) && add_num(o, "returning", f->returning);

	if (!ok)
		return 0;
	if (f->share < 0)
		return cJSON_AddNullToObject(o, "offline_share_pct") &&
		       cJSON_AddNullToObject(o, "target_met");
	return cJSON_AddNumberToObject(o, "offline_share_pct", share_pct(f)) &&
	       cJSON_AddBoolToObject(o, "target_met", f->met);
}

static cJSON *json_row(const struct tn_report_row *row)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !add_text(o, "group", tn_report_row_label(row)) ||
	    !add_text(o, "kind", tn_report_kind_name(row->kind)) ||
	    !json_funnel(o, &row->f)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int json_rows(cJSON *o, const char *key, const struct tn_report_row *rows,
		     size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(o, key), *item;
	size_t i;

	for (i = 0; a && i < n; i++) {
		if (!(item = json_row(&rows[i])))
			return 0;
		cJSON_AddItemToArray(a, item);
	}
	return a != NULL;
}

/* The audience's inputs: each channel's declared figure and known
 * followers on the date. */
static int json_inputs(cJSON *o, const struct tn_report_event *e)
{
	cJSON *in = cJSON_AddObjectToObject(o, "audience_inputs"), *a, *c;
	size_t i;

	if (!in || !add_num(in, "unique_followers", e->unique_followers) ||
	    !(a = cJSON_AddArrayToObject(in, "channels")))
		return 0;
	for (i = 0; i < e->nchannels; i++) {
		const struct tn_report_row *ch = &e->channels[i];

		if (!(c = cJSON_CreateObject()))
			return 0;
		cJSON_AddItemToArray(a, c);
		if (!add_text(c, "channel", ch->name) ||
		    !(ch->declared >= 0 ? add_num(c, "declared", ch->declared)
		      : cJSON_AddNullToObject(c, "declared") != NULL) ||
		    !add_text(c, "declared_date", ch->declared_date) ||
		    !add_num(c, "known_followers", ch->known) ||
		    !add_num(c, "audience", ch->f.audience))
			return 0;
	}
	return 1;
}

static int json_arrival(cJSON *o, const struct tn_report_arrival *ar)
{
	cJSON *a = cJSON_AddObjectToObject(o, "arrival"), *gates, *slots, *s, *g;
	size_t i, j;

	if (!a || !add_num(a, "slot_minutes", 5) || !add_text(a, "first", ar->first) ||
	    !add_text(a, "last", ar->last) ||
	    !add_num(a, "walkins_without_registration", ar->walkins) ||
	    !(gates = cJSON_AddArrayToObject(a, "gates")) ||
	    !(slots = cJSON_AddArrayToObject(a, "slots")))
		return 0;
	for (i = 0; i < ar->ngates; i++) {
		if (!(g = ar->gates[i][0] ? cJSON_CreateString(ar->gates[i]) : cJSON_CreateNull()))
			return 0;
		cJSON_AddItemToArray(gates, g);
	}
	for (i = 0; i < ar->nslots; i++) {
		const struct tn_report_slot *sl = &ar->slots[i];

		if (!(s = cJSON_CreateObject()))
			return 0;
		cJSON_AddItemToArray(slots, s);
		if (!add_text(s, "start", sl->start) || !add_num(s, "admitted", sl->total) ||
		    !add_num(s, "walkins", sl->walkins) ||
		    !(g = cJSON_AddArrayToObject(s, "gates")))
			return 0;
		for (j = 0; j < ar->ngates; j++)
			if (!cJSON_AddItemToArray(g, cJSON_CreateNumber((double)sl->gates[j])))
				return 0;
	}
	if (!ar->nslots)
		return cJSON_AddNullToObject(a, "peak") != NULL;
	if (!(s = cJSON_AddObjectToObject(a, "peak")) ||
	    !add_text(s, "start", ar->slots[ar->peak].start) ||
	    !add_num(s, "admitted", ar->slots[ar->peak].total))
		return 0;
	if (ar->peak_gate < ar->ngates && ar->gates[ar->peak_gate][0])
		return add_text(s, "gate", ar->gates[ar->peak_gate]);
	return cJSON_AddNullToObject(s, "gate") != NULL;
}

static cJSON *json_event(const struct tn_report_event *e)
{
	cJSON *o = cJSON_CreateObject(), *total;

	if (!o || !add_num(o, "id", e->id) || !add_text(o, "slug", e->slug) ||
	    !add_text(o, "title", e->title) || !add_text(o, "start_local", e->start_local) ||
	    !add_text(o, "tz", e->tz) || !add_text(o, "date", e->date) ||
	    !cJSON_AddBoolToObject(o, "cancelled", e->cancelled) ||
	    !json_inputs(o, e) || !json_rows(o, "rows", e->rows, e->nrows) ||
	    !(total = cJSON_AddObjectToObject(o, "total")) ||
	    !json_funnel(total, &e->total.f) || !json_arrival(o, &e->arrival)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

tn_code tn_report_json(const struct tn_report *r, cJSON **out)
{
	cJSON *doc = cJSON_CreateObject(), *events, *period, *total, *e;
	size_t i;
	int ok;

	*out = NULL;
	ok = doc && add_num(doc, "report_version", 1) &&
	     add_text(doc, "generated_at", r->generated_at) &&
	     add_text(doc, "by", tn_report_by_name(r->by)) &&
	     cJSON_AddNumberToObject(doc, "target_pct", r->target) &&
	     (events = cJSON_AddArrayToObject(doc, "events"));
	for (i = 0; ok && i < r->nevents; i++) {
		if ((ok = (e = json_event(&r->events[i])) != NULL))
			cJSON_AddItemToArray(events, e);
	}
	ok = ok && (period = cJSON_AddObjectToObject(doc, "period")) &&
	     add_text(period, "since", r->since) && add_text(period, "until", r->until) &&
	     add_num(period, "events_counted", (int64_t)r->counted) &&
	     json_rows(period, "rows", r->rows, r->nrows) &&
	     (total = cJSON_AddObjectToObject(period, "total")) &&
	     json_funnel(total, &r->total.f);
	if (!ok) {
		cJSON_Delete(doc);
		return TN_NOMEM;
	}
	*out = doc;
	return TN_OK;
}
