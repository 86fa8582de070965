/*
 * t_reporthtml.c - the HTML writer (tn_report_html) on reports built by
 * hand, without a database: the options the web's live page uses (a
 * refresh, a nonce on the style sheet, both escaped), a report without
 * events, rows without audience (a bar of no length, "no audience"),
 * names that are markup, an arrival slot per gate plus walk-ins, and a
 * full buffer, which must come back as an error rather than a page cut
 * short. t7010-report-html.sh checks whole pages made by the CLI.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "turnout/buf.h"
#include "turnout/reportout.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

static struct tn_report_row row(enum tn_report_kind kind, const char *name,
				int64_t audience, int64_t came)
{
	struct tn_report_row r = { 0 };

	r.kind = kind;
	r.name = name ? strdup(name) : NULL;
	r.declared = -1;
	r.f.audience = audience;
	r.f.registered = r.f.ticketed = r.f.came = came;
	tn_report_funnel_finish(&r.f, 10);
	return r;
}

/* One event: a channel named as markup with 3 of 20 come (15%, met), one
 * without audience, direct; two gates and walk-ins in two slots. */
static void one_event(struct tn_report *r)
{
	struct tn_report_event *e;
	struct tn_report_arrival *a;

	memset(r, 0, sizeof(*r));
	r->target = 10;
	strcpy(r->generated_at, "2030-05-01T09:00:00Z");
	r->events = calloc(1, sizeof(*r->events));
	r->nevents = r->counted = 1;
	e = &r->events[0];
	e->id = 7;
	strcpy(e->slug, "meetup");
	e->title = strdup("<img src=x onerror=alert(1)>");
	strcpy(e->tz, "Europe/Berlin");
	strcpy(e->start_local, "2030-06-10 19:00");
	strcpy(e->date, "2030-06-10");
	e->rows = calloc(3, sizeof(*e->rows));
	e->nrows = 3;
	e->rows[0] = row(TN_REPORT_CHANNEL, "<script>alert(1)</script>", 20, 3);
	e->rows[1] = row(TN_REPORT_CHANNEL, "empty \"one\"", 0, 0);
	e->rows[2] = row(TN_REPORT_DIRECT, NULL, 0, 1);
	e->total = row(TN_REPORT_TOTAL, NULL, 20, 4);
	a = &e->arrival;
	strcpy(a->first, "2030-06-10T17:01:00Z");
	strcpy(a->last, "2030-06-10T17:07:00Z");
	a->gates = calloc(2, sizeof(*a->gates));
	a->gates[0] = strdup("North <b>door</b>");
	a->gates[1] = strdup("");
	a->ngates = 2;
	a->slots = calloc(2, sizeof(*a->slots));
	a->nslots = 2;
	strcpy(a->slots[0].start, "2030-06-10T17:00:00Z");
	a->slots[0].gates = calloc(2, sizeof(int64_t));
	a->slots[0].gates[0] = 2;
	a->slots[0].gates[1] = 1;
	a->slots[0].total = 3;
	strcpy(a->slots[1].start, "2030-06-10T17:05:00Z");
	a->slots[1].gates = calloc(2, sizeof(int64_t));
	a->slots[1].walkins = 1;
	a->slots[1].total = 1;
	a->walkins = 1;
	a->peak = 0;
	a->peak_gate = 0;
	e->came = calloc(2, sizeof(*e->came));
	e->ncame = 2;
	e->came[0].name = strdup("<script>alert(2)</script>");
	e->came[0].gate = strdup("North <b>door</b>");
	strcpy(e->came[0].at, "2030-06-10T17:01:00Z");
	e->came[1].forgotten = 1;
	e->came[1].gate = strdup("");
	e->came[1].walkin = 1;
	strcpy(e->came[1].at, "2030-06-10T17:07:00Z");
}

int main(void)
{
	struct tn_report r;
	struct tn_report_html_opts o = { 0 };
	struct tn_buf out = TN_BUF_INIT;
	const char *p;

	/* no events, no options */
	memset(&r, 0, sizeof(r));
	r.target = 7.5;
	is_int(tn_report_html(&r, NULL, &out), TN_OK, "an empty report is a page");
	ok(strncmp(out.data, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0, "it starts as a page");
	ok(strstr(out.data, "No events in the period.") != NULL, "it says there is nothing");
	ok(strstr(out.data, "Target 7.5%") != NULL, "with the target");
	ok(!strstr(out.data, "http-equiv") && !strstr(out.data, "nonce"), "no refresh, no nonce");
	ok(!strstr(out.data, "<svg"), "no chart without figures");
	p = out.data + out.len - 8;
	is_str(p, "</html>\n", "and it ends the page");

	/* the live page's options */
	tn_buf_reset(&out);
	o.refresh_seconds = 30;
	o.nonce = "n\"><script>";
	is_int(tn_report_html(&r, &o, &out), TN_OK, "with a refresh and a nonce");
	is_int(count(out.data, "<meta http-equiv=\"refresh\" content=\"30\" />"), 1,
	       "one refresh meta");
	is_int(count(out.data, "<style nonce=\"n&quot;&gt;&lt;script&gt;\">"), 1,
	       "the nonce on the style sheet, escaped");
	ok(!strstr(out.data, "<script"), "and nothing of it read as markup");
	tn_buf_reset(&out);
	o.refresh_seconds = -1;
	o.nonce = "";
	is_int(tn_report_html(&r, &o, &out), TN_OK, "a negative refresh");
	ok(!strstr(out.data, "http-equiv") && !strstr(out.data, "nonce"),
	   "is none, and an empty nonce is none");
	tn_report_free(&r);

	/* an event */
	tn_buf_reset(&out);
	one_event(&r);
	is_int(tn_report_html(&r, NULL, &out), TN_OK, "an event's page");
	ok(!strstr(out.data, "<script") && !strstr(out.data, "<img") && !strstr(out.data, "<b>"),
	   "no name is markup");
	ok(strstr(out.data, "<title>Conversion report: &lt;img src=x onerror=alert(1)&gt;</title>")
	   != NULL, "the page is titled by its one event, escaped");
	is_int(count(out.data, "<rect class=\"bar"), 2, "a bar per channel row, none for direct");
	is_int(count(out.data, "<td class=\"person\">&lt;script&gt;alert(2)&lt;/script&gt;</td>"), 1,
	       "who came: a name as text");
	is_int(count(out.data, "<td class=\"person\"><i>(forgotten)</i></td>"), 1,
	       "and a forgotten person as such");
	ok(strstr(out.data, "<summary>People who came (2)</summary>") != NULL, "folded, counted");
	ok(strstr(out.data, "<rect class=\"bar met\" data-group=\"&lt;script&gt;alert(1)&lt;/script&gt;\""
		  " x=\"0\" y=\"37\" width=\"300.0\"") != NULL,
	   "15%% on a scale to 20%% is three quarters of 400 units, and met");
	ok(strstr(out.data, "<rect class=\"bar\" data-group=\"empty &quot;one&quot;\" x=\"0\" "
		  "y=\"73\" width=\"0.0\"") != NULL, "no audience: a bar of no length");
	ok(strstr(out.data, "empty &quot;one&quot; \xE2\x80\x94 no audience") != NULL,
	   "that says so");
	is_int(count(out.data, "<rect class=\"slot "), 3,
	       "arrival: two gates in one slot, walk-ins in the next");
	ok(strstr(out.data, "<title>17:00 (no gate): 1</title>") != NULL,
	   "a scan without a gate has a name");
	ok(strstr(out.data, "walk-ins without registration</li>") != NULL, "the legend");
	is_int(count(out.data, "<svg class=\"chart"), 3, "funnel, shares, arrival");
	is_int(count(out.data, "<title id=\"c"), 3, "each with a title");
	is_int(count(out.data, "<desc id=\"c"), 3, "and a desc");
	ok(!strstr(out.data, "class=\"period\""), "one event: no period");
	ok(strstr(out.data, "<td>15.00%</td><td class=\"met\">met</td>") != NULL,
	   "the share to hundredths, met");
	ok(strstr(out.data, "<tr data-group=\"direct\"><th scope=\"row\">direct</th><td>0</td>")
	   != NULL, "direct's row");

	/* a buffer that fills up: an error, never a page cut short quietly */
	{
		struct tn_buf small = TN_BUF_INIT;
		size_t cap;

		for (cap = 64; cap < out.len; cap *= 2) {
			tn_buf_reset(&small);
			small.cap = cap;
			if (tn_report_html(&r, NULL, &small) == TN_OK)
				break;
		}
		ok(cap >= out.len, "every capped buffer smaller than the page fails");
		tn_buf_free(&small);
	}
	tn_report_free(&r);
	tn_buf_free(&out);
	return tap_done();
}
