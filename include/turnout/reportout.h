/*
 * reportout.h - the conversion report as data, and its writers: an
 * aligned text table for a terminal, CSV for a spreadsheet, JSON for
 * everything else. A format module: report.c (the library's report)
 * fills a struct tn_report from the database; the writers here turn it
 * into bytes and never read the database. The HTML report (reporthtml.c)
 * and the live page of the web server take the same struct.
 *
 * Every figure is a count of people (see docs/report-json.md for the
 * definitions); a forgotten person counts, anonymously, as the rows of
 * the tables stay.
 */
#ifndef TURNOUT_REPORTOUT_H
#define TURNOUT_REPORTOUT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "turnout/buf.h"
#include "turnout/err.h"

/* How the rows of the report are grouped. */
enum tn_report_by {
	TN_REPORT_BY_CHANNEL = 0,   /* event x channel (plus direct, walk-in) */
	TN_REPORT_BY_REGION,        /* event x follower region */
	TN_REPORT_BY_EVENT,         /* one row per event */
};

/* What a row groups. */
enum tn_report_kind {
	TN_REPORT_CHANNEL = 0,   /* a channel: name is its name */
	TN_REPORT_DIRECT,        /* registered directly ("direct") */
	TN_REPORT_WALKIN,        /* came to the door, attributed to no channel */
	TN_REPORT_REGION,        /* a follower region: name is the region */
	TN_REPORT_UNKNOWN,       /* no region known ("(unknown)") */
	TN_REPORT_TOTAL,         /* an event's or the period's total */
};

/* The funnel of one row. share and met are derived (tn_report_finish). */
struct tn_report_funnel {
	int64_t audience;        /* see report.h; 0 for direct and walk-in */
	int64_t invited;         /* people with an invitation */
	int64_t registered;      /* registrations that are yes now */
	int64_t ticketed;        /* of those, with a valid ticket */
	int64_t came;            /* people admitted at the door */
	int64_t no_shows;        /* ticketed people who did not come */
	int64_t returning;       /* came, and came to an earlier event */
	double share;            /* came / audience; -1 when audience is 0 */
	int met;                 /* share >= target (0 when share is -1) */
};

/* One row: a group's funnel and, for a channel at one event, the inputs
 * of its audience. */
struct tn_report_row {
	enum tn_report_kind kind;
	char *name;              /* owned: channel name or region; NULL for
	                          * direct, walk-in, unknown and total */
	int64_t channel_id;      /* TN_REPORT_CHANNEL: the channel's id */
	int64_t declared;        /* latest declared audience on or before the
	                          * event's date; -1: none (channel rows of an
	                          * event only) */
	char declared_date[11];  /* its date; "" when none */
	int64_t known;           /* known followers on the event's date */
	struct tn_report_funnel f;
};

/* One 5-minute slot of the arrival at the door. */
struct tn_report_slot {
	char start[21];          /* UTC, "YYYY-MM-DDTHH:MM:00Z" */
	int64_t *gates;          /* owned: admits per gate, in the order of
	                          * tn_report_arrival.gates (walk-ins without
	                          * a registration left out) */
	int64_t walkins;         /* walk-ins who had not registered before */
	int64_t total;           /* every admit of the slot */
};

/* Check-ins (admits) from the first to the last, per 5 minutes and per
 * gate. */
struct tn_report_arrival {
	char first[21], last[21];   /* UTC; "" when nobody was admitted */
	char **gates;               /* owned: gate names; "" for admits made
	                             * without a gate (the CLI) */
	size_t ngates;
	struct tn_report_slot *slots;   /* owned, every slot from the
	                                 * first's to the last's */
	size_t nslots;
	int64_t walkins;            /* walk-ins who had not registered before */
	size_t peak;                /* the slot with most admits (the first
	                             * such); meaningless when nslots is 0 */
	size_t peak_gate;           /* the gate that carried most of it
	                             * (walk-ins aside); ngates when none */
};

/* A person admitted at the event, for the HTML report's list of who
 * came (the organizer's page; no other format lists people). */
struct tn_report_person {
	char *name;              /* owned; NULL: no name known, or forgotten */
	int forgotten;
	char at[21];             /* UTC, when admitted */
	char *gate;              /* owned; "" when admitted without a gate */
	int walkin;              /* admitted by a walk-in */
};

struct tn_report_event {
	int64_t id;
	char slug[128];
	char *title;             /* owned */
	char tz[64];
	char start_local[17];    /* "YYYY-MM-DD HH:MM" in tz */
	char start_utc[21];
	char date[11];           /* the local start date: the audience's date */
	int cancelled;           /* shown, but not in the period's figures */
	int64_t unique_followers;   /* people following any channel then */
	struct tn_report_row *channels; /* owned: every channel's audience
	                                 * on the date, by name (the inputs
	                                 * of the audience, in every
	                                 * grouping) */
	size_t nchannels;
	struct tn_report_row *rows; /* owned; in the report's grouping
	                             * (none for TN_REPORT_BY_EVENT) */
	size_t nrows;
	struct tn_report_row total; /* the event's total (kind TOTAL) */
	struct tn_report_arrival arrival;
	struct tn_report_person *came;   /* owned: who was admitted, in order */
	size_t ncame;
};

struct tn_report {
	enum tn_report_by by;
	double target;           /* percent, 0 < target <= 100 */
	char since[11], until[11];  /* the period asked for; "" when open */
	char generated_at[21];   /* UTC */
	struct tn_report_event *events;   /* owned, by start */
	size_t nevents;
	/* The period: events not cancelled, each person counted once. */
	size_t counted;          /* events in the period's figures */
	struct tn_report_row *rows;       /* owned; per group (none for
	                                   * TN_REPORT_BY_EVENT) */
	size_t nrows;
	struct tn_report_row total;
};

/* Frees everything the report owns and zeroes it. */
void tn_report_free(struct tn_report *r);

/* Works out share and met of f for target (percent). */
void tn_report_funnel_finish(struct tn_report_funnel *f, double target);

/* "channel", "direct", "walk-in", "region", "unknown", "total"; static. */
const char *tn_report_kind_name(enum tn_report_kind kind);
/* "channel", "region", "event"; static. */
const char *tn_report_by_name(enum tn_report_by by);
/* The name a row shows: its name, "direct", "walk-in", "(unknown)" or
 * "total"; borrowed from row or static. */
const char *tn_report_row_label(const struct tn_report_row *row);

/*
 * The writers append to out (TN_NOMEM on failure; out then holds part
 * of it, which the caller drops). Names from the database are made
 * safe for where they go: terminal text through tn_esc_term, CSV cells
 * quoted and defused (a cell starting with = + - @, tab or CR gets a
 * leading '), JSON by cJSON.
 *
 * Text: per event a heading and a table (columns aligned by display
 * width, so Cyrillic and CJK names line up) with a bar per row: the
 * offline share against the target, ten cells for the target. Then the
 * period's table when the report has more than one event.
 */
tn_code tn_report_text(const struct tn_report *r, struct tn_buf *out);
/* CSV (RFC 4180, CRLF): a header, then one line per event x group (per
 * event with TN_REPORT_BY_EVENT). */
tn_code tn_report_csv(const struct tn_report *r, struct tn_buf *out);
/* The JSON document (docs/report-json.md); *out is new, caller frees
 * with cJSON_Delete. */
tn_code tn_report_json(const struct tn_report *r, cJSON **out);

/* How the HTML page is made. Zeroed: a plain file. */
struct tn_report_html_opts {
	int refresh_seconds;   /* 0: none; else a <meta http-equiv="refresh"> */
	const char *nonce;     /* NULL: none; else put on the page's one <style>
	                        * element for a Content-Security-Policy that
	                        * names it (the page has no script) */
};

/*
 * HTML: one self-contained page (no script, nothing loaded from
 * anywhere; inline CSS, readable on a phone, printable) with, per event,
 * its headline share, inline SVG charts (the funnel of its total, the
 * share per channel or region as bars, <rect class="bar"
 * data-group="NAME">, against the target line, the arrival per 5 minutes
 * stacked per gate) and the tables of the other formats; then the
 * period's, with the share over time (a point per event not cancelled)
 * when more than one event counts. Every name is escaped (esc.h). o may
 * be NULL. Appends to out; TN_NOMEM on failure (out then holds part of
 * it, which the caller drops).
 */
tn_code tn_report_html(const struct tn_report *r, const struct tn_report_html_opts *o,
		       struct tn_buf *out);

#endif
