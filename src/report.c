/*
 * report.c - the conversion report's figures (report.h): which events,
 * each channel's audience on each event's date, the funnel per event and
 * group, the period's funnel with each person counted once, and the
 * arrival at the door. All of the report's SQL is here: one pass over
 * the follows for every event's known followers, a few small lookups per
 * event (declared audiences, the door), and two set-based queries (GROUP
 * BY) for the funnels of the events and of the period; it reads the
 * tables of other modules and writes none. The struct it fills and the
 * writers are reportout.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "turnout/buf.h"
#include "turnout/event.h"
#include "turnout/report.h"
#include "turnout/store.h"
#include "turnout/suggest.h"
#include "turnout/text.h"

static tn_code nomem(struct tn_err *err)
{
	return tn_err_set(err, TN_NOMEM, "out of memory");
}

/* ---- options ------------------------------------------------------------- */

tn_code tn_report_target_parse(const char *text, double *pct, struct tn_err *err)
{
	char *end;
	double v;

	if (!text || !*text || (*text < '0' || *text > '9'))
		goto bad;
	v = strtod(text, &end);
	if (*end == '%')
		end++;
	if (*end || !isfinite(v) || v <= 0 || v > 100)
		goto bad;
	*pct = v;
	return TN_OK;
bad:
	tn_err_field(err, TN_USAGE, "target", "'%s': not a percentage above 0 and "
		     "at most 100", text ? text : "");
	tn_err_hint(err, "the share of the audience the events aim at, as {target} 10");
	return TN_USAGE;
}

tn_code tn_report_by_parse(const char *word, enum tn_report_by *by,
			   struct tn_err *err)
{
	static const enum tn_report_by all[] = {
		TN_REPORT_BY_CHANNEL, TN_REPORT_BY_REGION, TN_REPORT_BY_EVENT,
	};
	struct tn_suggest s;
	size_t i;

	tn_suggest_init(&s, word ? word : "");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (word && strcmp(word, tn_report_by_name(all[i])) == 0) {
			*by = all[i];
			return TN_OK;
		}
		tn_suggest_offer(&s, tn_report_by_name(all[i]));
	}
	tn_err_field(err, TN_USAGE, "by", "'%s': not one of channel, region, event",
		     word ? word : "");
	if (s.best)
		tn_err_hint(err, "did you mean '%.*s'?", (int)s.best_len, s.best);
	return TN_USAGE;
}

static tn_code check_opts(const struct tn_report_opts *o, struct tn_err *err)
{
	if (o->since && !tn_date_valid(o->since))
		return tn_err_field(err, TN_USAGE, "since", "'%s': not a date "
				    "(YYYY-MM-DD)", o->since);
	if (o->until && !tn_date_valid(o->until))
		return tn_err_field(err, TN_USAGE, "until", "'%s': not a date "
				    "(YYYY-MM-DD)", o->until);
	if (o->since && o->until && strcmp(o->since, o->until) > 0) {
		tn_err_field(err, TN_USAGE, "until", "'%s' is before '%s'", o->until,
			     o->since);
		tn_err_hint(err, "the period runs from {since} to {until}, both included");
		return TN_USAGE;
	}
	if (o->nevents && (o->since || o->until)) {
		tn_err_field(err, TN_USAGE, o->since ? "since" : "until",
			     "name events or give a period, not both");
		return TN_USAGE;
	}
	if (o->target != 0 && (!isfinite(o->target) || o->target < 0 || o->target > 100))
		return tn_err_field(err, TN_USAGE, "target", "%g: not a percentage above "
				    "0 and at most 100", o->target);
	if (o->by != TN_REPORT_BY_CHANNEL && o->by != TN_REPORT_BY_REGION &&
	    o->by != TN_REPORT_BY_EVENT)
		return tn_err_field(err, TN_USAGE, "by", "not one of channel, region, event");
	return TN_OK;
}

/* ---- the events ---------------------------------------------------------- */

static tn_code take_event(struct tn_report *r, const struct tn_event *ev)
{
	struct tn_report_event *e, *grown;
	size_t i;

	for (i = 0; i < r->nevents; i++)
		if (r->events[i].id == ev->id)
			return TN_OK;   /* named twice */
	grown = realloc(r->events, (r->nevents + 1) * sizeof(*grown));
	if (!grown)
		return TN_NOMEM;
	r->events = grown;
	e = &r->events[r->nevents];
	memset(e, 0, sizeof(*e));
	if (!(e->title = strdup(ev->title ? ev->title : "")))
		return TN_NOMEM;
	r->nevents++;
	e->id = ev->id;
	snprintf(e->slug, sizeof(e->slug), "%s", ev->slug);
	snprintf(e->tz, sizeof(e->tz), "%s", ev->tz);
	snprintf(e->start_local, sizeof(e->start_local), "%s", ev->start_local);
	snprintf(e->start_utc, sizeof(e->start_utc), "%s", ev->start_utc);
	snprintf(e->date, sizeof(e->date), "%.10s", ev->start_local);
	e->cancelled = ev->cancelled;
	e->total.kind = TN_REPORT_TOTAL;
	return TN_OK;
}

struct period_pick {
	struct tn_report *r;
	const struct tn_report_opts *o;
	tn_code rc;
};

static int period_event(void *ctx, const struct tn_event *ev)
{
	struct period_pick *p = ctx;
	char date[11];

	snprintf(date, sizeof(date), "%.10s", ev->start_local);
	if ((p->o->since && strcmp(date, p->o->since) < 0) ||
	    (p->o->until && strcmp(date, p->o->until) > 0))
		return 0;
	p->rc = take_event(p->r, ev);
	return p->rc != TN_OK;
}

static int by_start(const void *a, const void *b)
{
	const struct tn_report_event *x = a, *y = b;
	int c = strcmp(x->start_utc, y->start_utc);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static tn_code pick_events(struct tn_db *db, const struct tn_report_opts *o,
			   struct tn_report *r, struct tn_err *err)
{
	struct period_pick p = { r, o, TN_OK };
	struct tn_event ev;
	tn_code rc = TN_OK;
	size_t i;

	if (o->nevents) {
		for (i = 0; i < o->nevents && rc == TN_OK; i++) {
			memset(&ev, 0, sizeof(ev));
			if ((rc = tn_event_find(db, o->events[i], &ev, err)) == TN_NOTFOUND)
				tn_err_about(err, rc, "event");
			else if (rc == TN_OK && (rc = take_event(r, &ev)) != TN_OK)
				nomem(err);
			tn_event_clear(&ev);
		}
	} else {
		rc = tn_event_each(db, period_event, &p, err);
		if (rc == TN_OK && p.rc != TN_OK)
			rc = nomem(err);
	}
	if (rc == TN_OK && r->nevents > 1)
		qsort(r->events, r->nevents, sizeof(*r->events), by_start);
	return rc;
}

/* ---- rows ---------------------------------------------------------------- */

/* The row of kind and name (or channel) among *rows, added when missing. */
static struct tn_report_row *row_for(struct tn_report_row **rows, size_t *n,
				     enum tn_report_kind kind, int64_t channel_id,
				     const char *name)
{
	struct tn_report_row *row, *grown;
	size_t i;

	for (i = 0; i < *n; i++) {
		row = &(*rows)[i];
		if (row->kind != kind)
			continue;
		if (kind == TN_REPORT_CHANNEL ? row->channel_id == channel_id
		    : kind != TN_REPORT_REGION || strcmp(row->name, name) == 0)
			return row;
	}
	if (!(grown = realloc(*rows, (*n + 1) * sizeof(*grown))))
		return NULL;
	*rows = grown;
	row = &grown[(*n)++];
	memset(row, 0, sizeof(*row));
	row->kind = kind;
	row->channel_id = channel_id;
	row->declared = -1;
	if (name && !(row->name = strdup(name))) {
		(*n)--;
		return NULL;
	}
	return row;
}

/* Rows in the order a reader expects: channels by name, then direct and
 * walk-in; regions by name, then (unknown). */
static int row_order(const void *a, const void *b)
{
	const struct tn_report_row *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	if (x->kind == TN_REPORT_CHANNEL || x->kind == TN_REPORT_REGION) {
		const char *a1 = x->name ? x->name : "", *b1 = y->name ? y->name : "";
		int c = strcasecmp(a1, b1);

		return c ? c : strcmp(a1, b1);
	}
	return 0;
}

/* ---- audience ------------------------------------------------------------ */

/* A follower row is known on date ?1: followed on or before it (or on an
 * unknown date) and not unfollowed on or before it. */
#define KNOWN(f, d) \
	"coalesce(" f ".followed_at, '') <= " d " AND (" f ".unfollowed_at IS NULL" \
	" OR " f ".unfollowed_at > " d ")"

/*
 * The events' audience in one pass over the follower table, whatever the
 * number of events: a follow is known on the dates from its followed_at
 * (none: from ever) up to, not including, its unfollowed_at (none: for
 * good), so over the events' dates in order it counts on one run of
 * them. Each follow adds 1 to its channel where its run starts and takes
 * it away where it ends; each person (their follows come together, in the
 * table's order) does the same for the union of their runs; sums along
 * the dates then give the known followers of each channel and the people
 * following any channel, on every date. Dates compare as SQLite's BINARY
 * collation compares text, as KNOWN does.
 */
struct known_pass {
	char (*dates)[11];         /* the events' distinct dates, in order */
	size_t ndates;
	int64_t *channel_ids;      /* in order of id */
	size_t nchannels;
	int64_t *known;            /* a row of ndates + 1 per channel */
	int64_t *people;           /* ndates + 1 */
	int64_t person;            /* whose follows are being read; 0: none */
	size_t (*runs)[2];         /* theirs so far: [first date, end) */
	size_t nruns, cap;
	int oom;
};

static int date_order(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int id_order(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

static int run_order(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* How many of the dates sort before s. */
static size_t dates_before(const struct known_pass *k, const char *s)
{
	size_t lo = 0, hi = k->ndates, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(k->dates[mid], s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The person's runs, merged, into the people's counts. */
static void person_done(struct known_pass *k)
{
	size_t i, lo, hi;

	if (k->nruns > 1)
		qsort(k->runs, k->nruns, sizeof(*k->runs), run_order);
	for (i = 0; i < k->nruns; ) {
		lo = k->runs[i][0];
		hi = k->runs[i][1];
		for (i++; i < k->nruns && k->runs[i][0] <= hi; i++)
			if (k->runs[i][1] > hi)
				hi = k->runs[i][1];
		k->people[lo]++;
		k->people[hi]--;
	}
	k->nruns = 0;
}

static tn_code known_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct known_pass *k = ctx;
	int64_t person = sqlite3_column_int64(st, 0);
	int64_t channel = sqlite3_column_int64(st, 1);
	const char *followed = tn_db_text(st, 2), *unfollowed = tn_db_text(st, 3);
	size_t lo = dates_before(k, followed ? followed : "");
	size_t hi = unfollowed ? dates_before(k, unfollowed) : k->ndates;
	int64_t *c;

	(void)err;
	if (person != k->person) {
		person_done(k);
		k->person = person;
	}
	if (lo >= hi)
		return TN_OK;
	c = bsearch(&channel, k->channel_ids, k->nchannels, sizeof(*c), id_order);
	if (c) {
		k->known[(size_t)(c - k->channel_ids) * (k->ndates + 1) + lo]++;
		k->known[(size_t)(c - k->channel_ids) * (k->ndates + 1) + hi]--;
	}
	if (k->nruns == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 8;
		size_t (*grown)[2] = realloc(k->runs, cap * sizeof(*grown));

		if (!grown)
			return k->oom = 1, TN_DB_STOP;
		k->runs = grown;
		k->cap = cap;
	}
	k->runs[k->nruns][0] = lo;
	k->runs[k->nruns][1] = hi;
	k->nruns++;
	return TN_OK;
}

static tn_code channel_id_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct known_pass *k = ctx;

	(void)err;
	k->channel_ids[k->nchannels++] = sqlite3_column_int64(st, 0);
	return TN_OK;
}

static void known_pass_free(struct known_pass *k)
{
	free(k->dates);
	free(k->channel_ids);
	free(k->known);
	free(k->people);
	free(k->runs);
}

/* Fills *k for the events of r: the known followers of each channel and
 * the people following any, on each of their dates. */
static tn_code known_pass_run(struct tn_db *db, const struct tn_report *r,
			      struct known_pass *k, struct tn_err *err)
{
	int64_t nchannels;
	size_t i, j, n;
	tn_code rc;

	memset(k, 0, sizeof(*k));
	if (r->nevents == 0)
		return TN_OK;
	if ((rc = tn_db_int(db, err, &nchannels, "SELECT count(*) FROM channel")) != TN_OK)
		return rc;
	k->dates = calloc(r->nevents + 1, sizeof(*k->dates));
	k->channel_ids = calloc((size_t)nchannels + 1, sizeof(*k->channel_ids));
	if (!k->dates || !k->channel_ids)
		return nomem(err);
	for (i = 0; i < r->nevents; i++)
		memcpy(k->dates[i], r->events[i].date, sizeof(k->dates[i]));
	qsort(k->dates, r->nevents, sizeof(*k->dates), date_order);
	for (i = 0, n = 0; i < r->nevents; i++)
		if (n == 0 || strcmp(k->dates[n - 1], k->dates[i]) != 0)
			memmove(k->dates[n++], k->dates[i], sizeof(k->dates[i]));
	k->ndates = n;
	/* the store has no read transaction: a channel added meanwhile is
	 * left for the next report */
	rc = tn_db_each(db, err, channel_id_row, k, "SELECT id FROM channel ORDER BY id"
			" LIMIT ?1", TN_I(nchannels));
	if (rc != TN_OK)
		return rc;
	k->known = calloc((k->nchannels + 1) * (n + 1), sizeof(*k->known));
	k->people = calloc(n + 1, sizeof(*k->people));
	if (!k->known || !k->people)
		return nomem(err);
	rc = tn_db_each(db, err, known_row, k, "SELECT person_id, channel_id,"
			" followed_at, unfollowed_at FROM follower ORDER BY person_id");
	if (rc == TN_OK && k->oom)
		rc = nomem(err);
	if (rc != TN_OK)
		return rc;
	person_done(k);
	for (j = 1; j <= n; j++) {
		k->people[j] += k->people[j - 1];
		for (i = 0; i < k->nchannels; i++)
			k->known[i * (n + 1) + j] += k->known[i * (n + 1) + j - 1];
	}
	return TN_OK;
}

/* The known followers of channel on date (one of k's dates); people
 * following any channel with channel 0. */
static int64_t known_on(const struct known_pass *k, int64_t channel, const char *date)
{
	char (*d)[11] = bsearch(date, k->dates, k->ndates, sizeof(*k->dates), date_order);
	const int64_t *c;

	if (!d)
		return 0;
	if (channel == 0)
		return k->people[d - k->dates];
	c = bsearch(&channel, k->channel_ids, k->nchannels, sizeof(*c), id_order);
	return c ? k->known[(size_t)(c - k->channel_ids) * (k->ndates + 1) +
			     (size_t)(d - k->dates)] : 0;
}

struct fill {
	struct tn_report_row **rows;
	size_t *n;
	const struct known_pass *k;
	const char *date;
	int oom;
};

static tn_code channel_audience_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct fill *f = ctx;
	struct tn_report_row *row;

	(void)err;
	row = row_for(f->rows, f->n, TN_REPORT_CHANNEL, sqlite3_column_int64(st, 0),
		      tn_db_text(st, 1));
	if (!row)
		return f->oom = 1, TN_DB_STOP;
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		row->declared = sqlite3_column_int64(st, 2);
		snprintf(row->declared_date, sizeof(row->declared_date), "%s",
			 tn_db_text(st, 3));
	}
	row->known = known_on(f->k, row->channel_id, f->date);
	row->f.audience = row->known > row->declared ? row->known : row->declared;
	return TN_OK;
}

static tn_code region_audience_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct fill *f = ctx;
	const char *region = tn_db_text(st, 0);
	struct tn_report_row *row;

	(void)err;
	row = row_for(f->rows, f->n, region ? TN_REPORT_REGION : TN_REPORT_UNKNOWN, 0,
		      region);
	if (!row)
		return f->oom = 1, TN_DB_STOP;
	row->known = row->f.audience = sqlite3_column_int64(st, 1);
	return TN_OK;
}

/*
 * The audience of event e: every channel's declared figure (two lookups
 * in channel_audience's key per channel) and its known followers on its
 * date from k (the channel rows, also kept as the JSON's inputs), the
 * people following any channel then, and the total. With regions, the
 * rows are the regions instead: the people known then by their region
 * (the region of the follow they made first), and the declared audience
 * beyond the known followers in "(unknown)"; that one still reads every
 * follow once per event.
 */
static tn_code event_audience(struct tn_db *db, enum tn_report_by by,
			      const struct known_pass *k, struct tn_report_event *e,
			      struct tn_err *err)
{
	struct fill f = { &e->channels, &e->nchannels, k, e->date, 0 };
	struct fill rf = { &e->rows, &e->nrows, k, e->date, 0 };
	struct tn_report_row *unknown;
	int64_t excess = 0;
	tn_code rc;
	size_t i;

	rc = tn_db_each(db, err, channel_audience_row, &f,
			"SELECT c.id, c.name,"
			" (SELECT a.size FROM channel_audience a WHERE a.channel_id = c.id"
			"  AND a.date <= ?1 ORDER BY a.date DESC LIMIT 1),"
			" (SELECT a.date FROM channel_audience a WHERE a.channel_id = c.id"
			"  AND a.date <= ?1 ORDER BY a.date DESC LIMIT 1)"
			" FROM channel c", TN_T(e->date));
	if (rc == TN_OK && f.oom)
		rc = nomem(err);
	if (rc != TN_OK)
		return rc;
	e->unique_followers = known_on(k, 0, e->date);
	if (e->nchannels > 1)
		qsort(e->channels, e->nchannels, sizeof(*e->channels), row_order);
	for (i = 0; i < e->nchannels; i++)
		if (e->channels[i].declared > e->channels[i].known)
			excess += e->channels[i].declared - e->channels[i].known;
	e->total.f.audience = e->unique_followers + excess;
	if (by != TN_REPORT_BY_REGION)
		return TN_OK;
	/* the region of each person's first follow that names one */
	rc = tn_db_each(db, err, region_audience_row, &rf,
			"SELECT region, count(*) FROM (SELECT f.person_id, f.region,"
			"  min((f.region IS NULL) || coalesce(f.followed_at, '0000-00-00')"
			"   || printf('%020d', f.channel_id))"
			"  FROM follower f WHERE " KNOWN("f", "?1")
			"  GROUP BY f.person_id) GROUP BY region", TN_T(e->date));
	if (rc == TN_OK && rf.oom)
		rc = nomem(err);
	if (rc == TN_OK && excess) {
		if (!(unknown = row_for(&e->rows, &e->nrows, TN_REPORT_UNKNOWN, 0, NULL)))
			return nomem(err);
		unknown->f.audience += excess;
	}
	return rc;
}

/* ---- the funnel ---------------------------------------------------------- */

/*
 * One row per event and person for each stage's group: the invitation
 * (invited, in its channel's group) and the registration (registered,
 * ticketed, came, returning, in the group of its source). ?1 is a JSON
 * array of [id, date, start_utc] of the events; ?2 is 1 to group by
 * region. ch: a channel's id, 0 direct, -1 walk-in.
 */
#define PERSON_EVENT_CTE \
	"WITH ev(id, date, start) AS (SELECT value->>0, value->>1, value->>2" \
	"  FROM json_each(?1))," \
	" admitted(event_id, person_id) AS MATERIALIZED (SELECT DISTINCT c.event_id," \
	"  r.person_id" \
	"  FROM ev JOIN checkin c ON c.event_id = ev.id AND c.verdict = 'admit'" \
	"  JOIN ticket t ON t.id = c.ticket_id" \
	"  JOIN registration r ON r.id = t.registration_id)," \
	" first_came(person_id, start) AS (SELECT r.person_id, min(e.start_utc)" \
	"  FROM checkin c JOIN event e ON e.id = c.event_id" \
	"  JOIN ticket t ON t.id = c.ticket_id" \
	"  JOIN registration r ON r.id = t.registration_id" \
	"  WHERE c.verdict = 'admit' GROUP BY r.person_id)," \
	" pe(event_id, person_id, ch, inv, yes, tk, came, start) AS (" \
	"  SELECT r.event_id, r.person_id," \
	"   CASE r.source WHEN 'invitation' THEN coalesce(i.channel_id, 0)" \
	"    WHEN 'link' THEN coalesce(r.channel_id, 0)" \
	"    WHEN 'direct' THEN 0" \
	"    ELSE coalesce(r.channel_id, (SELECT f.channel_id FROM follower f" \
	"     WHERE f.person_id = r.person_id AND " KNOWN("f", "ev.date") \
	"     ORDER BY f.followed_at IS NOT NULL, f.followed_at, f.channel_id" \
	"     LIMIT 1), -1) END," \
	"   0, r.status = 'yes'," \
	"   r.status = 'yes' AND EXISTS (SELECT 1 FROM ticket t" \
	"    WHERE t.registration_id = r.id AND t.state = 'valid')," \
	"   a.person_id IS NOT NULL, ev.start" \
	"  FROM ev JOIN registration r ON r.event_id = ev.id" \
	"  LEFT JOIN invitation i ON i.event_id = r.event_id" \
	"   AND i.person_id = r.person_id" \
	"  LEFT JOIN admitted a ON a.event_id = r.event_id" \
	"   AND a.person_id = r.person_id" \
	"  UNION ALL" \
	"  SELECT i.event_id, i.person_id, coalesce(i.channel_id, 0), 1, 0, 0, 0," \
	"   ev.start FROM ev JOIN invitation i ON i.event_id = ev.id)," \
	" pg(event_id, person_id, g, inv, yes, tk, came, ret) AS (" \
	"  SELECT pe.event_id, pe.person_id," \
	"   CASE WHEN ?2 THEN coalesce(" \
	"    (SELECT f.region FROM follower f WHERE f.person_id = pe.person_id" \
	"     AND f.channel_id = pe.ch)," \
	"    (SELECT f.region FROM follower f WHERE f.person_id = pe.person_id" \
	"     AND f.region IS NOT NULL" \
	"     ORDER BY f.followed_at IS NOT NULL, f.followed_at, f.channel_id" \
	"     LIMIT 1)) ELSE pe.ch END," \
	"   pe.inv, pe.yes, pe.tk, pe.came," \
	"   pe.came AND coalesce(fc.start < pe.start, 0)" \
	"  FROM pe LEFT JOIN first_came fc ON fc.person_id = pe.person_id) "

/* The funnel's columns, from the n-th on, into f. */
static void read_funnel(sqlite3_stmt *st, int n, struct tn_report_funnel *f)
{
	f->invited = sqlite3_column_int64(st, n);
	f->registered = sqlite3_column_int64(st, n + 1);
	f->ticketed = sqlite3_column_int64(st, n + 2);
	f->came = sqlite3_column_int64(st, n + 3);
	f->no_shows = sqlite3_column_int64(st, n + 4);
	f->returning = sqlite3_column_int64(st, n + 5);
}

/* The row a group value (column col) names: a channel id, 0 direct, -1
 * walk-in; or a region, NULL unknown. */
static struct tn_report_row *group_row(sqlite3_stmt *st, int col,
				       enum tn_report_by by,
				       struct tn_report_row **rows, size_t *n)
{
	int64_t ch;

	if (by == TN_REPORT_BY_REGION) {
		const char *region = tn_db_text(st, col);

		return row_for(rows, n, region ? TN_REPORT_REGION : TN_REPORT_UNKNOWN,
			       0, region);
	}
	ch = sqlite3_column_int64(st, col);
	if (ch > 0)
		return row_for(rows, n, TN_REPORT_CHANNEL, ch, NULL);
	return row_for(rows, n, ch == 0 ? TN_REPORT_DIRECT : TN_REPORT_WALKIN, 0, NULL);
}

struct funnel_fill {
	struct tn_report *r;
	int oom;
};

static struct tn_report_event *event_by_id(struct tn_report *r, int64_t id)
{
	size_t i;

	for (i = 0; i < r->nevents; i++)
		if (r->events[i].id == id)
			return &r->events[i];
	return NULL;
}

static tn_code event_group_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct funnel_fill *f = ctx;
	struct tn_report_event *e = event_by_id(f->r, sqlite3_column_int64(st, 0));
	struct tn_report_row *row;
	struct tn_report_funnel add;

	(void)err;
	if (!e)
		return TN_OK;
	memset(&add, 0, sizeof(add));
	read_funnel(st, 2, &add);
	if (f->r->by != TN_REPORT_BY_EVENT) {
		if (!(row = group_row(st, 1, f->r->by, &e->rows, &e->nrows)))
			return f->oom = 1, TN_DB_STOP;
		row->f.invited = add.invited;
		row->f.registered = add.registered;
		row->f.ticketed = add.ticketed;
		row->f.came = add.came;
		row->f.no_shows = add.no_shows;
		row->f.returning = add.returning;
	}
	/* each stage counts a person once per event: the groups add up */
	e->total.f.invited += add.invited;
	e->total.f.registered += add.registered;
	e->total.f.ticketed += add.ticketed;
	e->total.f.came += add.came;
	e->total.f.no_shows += add.no_shows;
	e->total.f.returning += add.returning;
	return TN_OK;
}

static tn_code period_group_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct funnel_fill *f = ctx;
	struct tn_report_row *row = &f->r->total;

	(void)err;
	if (sqlite3_column_int(st, 0) == 0 &&
	    !(row = group_row(st, 1, f->r->by, &f->r->rows, &f->r->nrows)))
		return f->oom = 1, TN_DB_STOP;
	read_funnel(st, 2, &row->f);
	return TN_OK;
}

/* The events as ?1 of PERSON_EVENT_CTE: all of them, or only those the
 * period counts. */
static tn_code events_json(const struct tn_report *r, int counted_only,
			   struct tn_buf *b)
{
	tn_code rc = tn_buf_addch(b, '[');
	size_t i, n = 0;

	for (i = 0; i < r->nevents && rc == TN_OK; i++) {
		const struct tn_report_event *e = &r->events[i];

		if (counted_only && e->cancelled)
			continue;
		rc = tn_buf_addf(b, "%s[%lld,\"%s\",\"%s\"]", n++ ? "," : "",
				 (long long)e->id, e->date, e->start_utc);
	}
	if (rc == TN_OK)
		rc = tn_buf_addch(b, ']');
	return rc;
}

static tn_code funnels(struct tn_db *db, struct tn_report *r, struct tn_err *err)
{
	struct funnel_fill f = { r, 0 };
	struct tn_buf all = TN_BUF_INIT, counted = TN_BUF_INIT;
	int region = r->by == TN_REPORT_BY_REGION;
	tn_code rc;

	if ((rc = events_json(r, 0, &all)) != TN_OK ||
	    (rc = events_json(r, 1, &counted)) != TN_OK) {
		rc = nomem(err);
		goto out;
	}
	rc = tn_db_each(db, err, event_group_row, &f, PERSON_EVENT_CTE
			"SELECT event_id, g, sum(inv), sum(yes), sum(tk), sum(came),"
			" sum(tk AND NOT came), sum(ret) FROM pg GROUP BY event_id, g",
			TN_T(all.data), TN_I(region));
	/* the period: a person once per group, and once in the total */
	if (rc == TN_OK && !f.oom)
		rc = tn_db_each(db, err, period_group_row, &f, PERSON_EVENT_CTE
				", pp(total, g, person_id, inv, yes, tk, came, ret) AS ("
				"  SELECT 0, g, person_id, max(inv), max(yes), max(tk),"
				"   max(came), max(ret) FROM pg GROUP BY g, person_id"
				"  UNION ALL"
				"  SELECT 1, NULL, person_id, max(inv), max(yes), max(tk),"
				"   max(came), max(ret) FROM pg GROUP BY person_id)"
				" SELECT total, g, sum(inv), sum(yes), sum(tk), sum(came),"
				"  sum(tk AND NOT came), sum(ret) FROM pp"
				" WHERE total OR ?3 GROUP BY total, g",
				TN_T(counted.data), TN_I(region),
				TN_I(r->by != TN_REPORT_BY_EVENT));
	if (rc == TN_OK && f.oom)
		rc = nomem(err);
out:
	tn_buf_free(&all);
	tn_buf_free(&counted);
	return rc;
}

/* ---- arrival ------------------------------------------------------------- */

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ". */
static time_t utc_seconds(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static void utc_text(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct arrival_fill {
	struct tn_report_arrival *a;
	time_t first;
	int oom;
};

static size_t gate_index(struct tn_report_arrival *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->ngates; i++)
		if (strcmp(a->gates[i], name) == 0)
			return i;
	return a->ngates;
}

/* The gates that admitted someone (walk-ins without a registration
 * aside), by name; "" for admits made without a gate. */
static tn_code arrival_gate_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct arrival_fill *f = ctx;
	struct tn_report_arrival *a = f->a;
	char **grown;

	(void)err;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		grown = realloc(a->gates, (a->ngates + 1) * sizeof(*grown));
		if (!grown)
			return f->oom = 1, TN_DB_STOP;
		a->gates = grown;
		if (!(a->gates[a->ngates] = strdup(tn_db_text(st, 0))))
			return f->oom = 1, TN_DB_STOP;
		a->ngates++;
	}
	return TN_OK;
}

/* The admits of one slot at one gate, into their slot. */
static tn_code arrival_slot_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct arrival_fill *f = ctx;
	struct tn_report_arrival *a = f->a;
	struct tn_report_slot *s;
	time_t t = utc_seconds(tn_db_text(st, 0));
	size_t i = (size_t)((t - f->first) / 300), g;

	(void)err;
	if (t < f->first || i >= a->nslots)
		return TN_OK;
	s = &a->slots[i];
	g = gate_index(a, tn_db_text(st, 1));
	if (g < a->ngates)
		s->gates[g] += sqlite3_column_int64(st, 2);
	s->walkins += sqlite3_column_int64(st, 3);
	s->total += sqlite3_column_int64(st, 2) + sqlite3_column_int64(st, 3);
	a->walkins += sqlite3_column_int64(st, 3);
	return TN_OK;
}

/* The 5-minute slot of an admit's time, and whether it is a walk-in
 * who had not registered before (registration.c keeps a better source
 * than walk-in, so walk-in means none came first). */
#define ADMITS \
	" FROM checkin c LEFT JOIN gate g ON g.id = c.gate_id" \
	" JOIN ticket t ON t.id = c.ticket_id" \
	" JOIN registration r ON r.id = t.registration_id" \
	" WHERE c.event_id = ?1 AND c.verdict = 'admit'"
#define SLOT "(substr(c.at, 1, 14) || printf('%02d', substr(c.at, 15, 2) / 5 * 5)" \
	" || ':00Z')"
#define BARE_WALKIN "(c.walkin AND r.source = 'walk-in')"

struct first_last {
	char first[21], last[21];
};

static tn_code first_last_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct first_last *fl = ctx;

	(void)err;
	snprintf(fl->first, sizeof(fl->first), "%s", tn_db_text(st, 0) ? tn_db_text(st, 0) : "");
	snprintf(fl->last, sizeof(fl->last), "%s", tn_db_text(st, 1) ? tn_db_text(st, 1) : "");
	return TN_OK;
}

static tn_code event_arrival(struct tn_db *db, struct tn_report_event *e,
			     struct tn_err *err)
{
	struct tn_report_arrival *a = &e->arrival;
	struct arrival_fill f = { a, 0, 0 };
	struct first_last fl;
	time_t last;
	tn_code rc;
	size_t i, g;
	int64_t best;

	memset(&fl, 0, sizeof(fl));
	rc = tn_db_one(db, err, first_last_row, &fl,
		       "SELECT min(c.at), max(c.at) FROM checkin c"
		       " WHERE c.event_id = ?1 AND c.verdict = 'admit'", TN_I(e->id));
	if (rc != TN_OK || !fl.first[0])
		return rc == TN_NOTFOUND ? TN_OK : rc;
	snprintf(a->first, sizeof(a->first), "%s", fl.first);
	snprintf(a->last, sizeof(a->last), "%s", fl.last);
	rc = tn_db_each(db, err, arrival_gate_row, &f,
			"SELECT DISTINCT coalesce(g.name, '')" ADMITS
			" AND NOT " BARE_WALKIN " ORDER BY 1", TN_I(e->id));
	if (rc == TN_OK && f.oom)
		rc = nomem(err);
	if (rc != TN_OK)
		return rc;
	f.first = utc_seconds(fl.first);
	f.first -= f.first % 300;
	last = utc_seconds(fl.last);
	a->nslots = (size_t)((last - f.first) / 300) + 1;
	if (!(a->slots = calloc(a->nslots, sizeof(*a->slots))))
		return a->nslots = 0, nomem(err);
	for (i = 0; i < a->nslots; i++) {
		utc_text(f.first + (time_t)(i * 300), a->slots[i].start);
		if (!(a->slots[i].gates = calloc(a->ngates + 1, sizeof(int64_t))))
			return nomem(err);
	}
	rc = tn_db_each(db, err, arrival_slot_row, &f,
			"SELECT " SLOT ", coalesce(g.name, ''),"
			" sum(NOT " BARE_WALKIN "), sum(" BARE_WALKIN ")" ADMITS
			" GROUP BY 1, 2", TN_I(e->id));
	if (rc != TN_OK)
		return rc;
	for (i = 1, a->peak = 0; i < a->nslots; i++)
		if (a->slots[i].total > a->slots[a->peak].total)
			a->peak = i;
	a->peak_gate = a->ngates;
	for (g = 0, best = 0; g < a->ngates; g++)
		if (a->slots[a->peak].gates[g] > best)
			best = a->slots[a->peak].gates[g], a->peak_gate = g;
	return TN_OK;
}

/* ---- the whole report ---------------------------------------------------- */

static void finish_rows(struct tn_report_row *rows, size_t n, double target)
{
	size_t i;

	if (n > 1)
		qsort(rows, n, sizeof(*rows), row_order);
	for (i = 0; i < n; i++)
		tn_report_funnel_finish(&rows[i].f, target);
}

/* The period's audience: per group and in total, the largest among the
 * events it counts. */
static tn_code period_audience(struct tn_report *r, struct tn_err *err)
{
	struct tn_report_row *row;
	size_t i, j;

	for (i = 0; i < r->nevents; i++) {
		const struct tn_report_event *e = &r->events[i];

		if (e->cancelled)
			continue;
		r->counted++;
		if (e->total.f.audience > r->total.f.audience)
			r->total.f.audience = e->total.f.audience;
		for (j = 0; j < e->nrows; j++) {
			const struct tn_report_row *er = &e->rows[j];

			if (!(row = row_for(&r->rows, &r->nrows, er->kind, er->channel_id,
					    er->name)))
				return nomem(err);
			if (er->f.audience > row->f.audience)
				row->f.audience = er->f.audience;
		}
	}
	return TN_OK;
}

/* ---- who came (the HTML report's list) ----------------------------------- */

struct came_ctx {
	struct tn_report_event *e;
	size_t cap;
};

static tn_code came_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct came_ctx *c = ctx;
	struct tn_report_person *p, *grown;
	const char *name = tn_db_text(st, 0), *at = tn_db_text(st, 2),
		   *gate = tn_db_text(st, 3);
	size_t cap;

	if (c->e->ncame == c->cap) {
		cap = c->cap ? 2 * c->cap : 16;
		if (!(grown = realloc(c->e->came, cap * sizeof(*grown))))
			return nomem(err);
		c->e->came = grown;
		c->cap = cap;
	}
	p = &c->e->came[c->e->ncame];
	memset(p, 0, sizeof(*p));
	p->forgotten = sqlite3_column_int(st, 1);
	snprintf(p->at, sizeof(p->at), "%s", at ? at : "");
	p->walkin = sqlite3_column_int(st, 4);
	if ((name && !(p->name = strdup(name))) || !(p->gate = strdup(gate ? gate : ""))) {
		free(p->name);
		return nomem(err);
	}
	c->e->ncame++;
	return TN_OK;
}

/* Who was admitted at event e, in the order of their admission. */
static tn_code event_came(struct tn_db *db, struct tn_report_event *e,
			  struct tn_err *err)
{
	struct came_ctx c = { e, 0 };

	return tn_db_each(db, err, came_row, &c, "SELECT p.name,"
			  " p.forgotten_at IS NOT NULL, c.at, g.name, c.walkin"
			  " FROM checkin c JOIN ticket t ON t.id = c.ticket_id"
			  " JOIN registration r ON r.id = t.registration_id"
			  " JOIN person p ON p.id = r.person_id"
			  " LEFT JOIN gate g ON g.id = c.gate_id"
			  " WHERE c.event_id = ?1 AND c.verdict = 'admit' ORDER BY c.id",
			  TN_I(e->id));
}

tn_code tn_report_run(struct tn_db *db, const struct tn_report_opts *opts,
		      struct tn_report *r, struct tn_err *err)
{
	struct tn_report_row *row;
	struct known_pass k;
	size_t i, j;
	tn_code rc;

	memset(r, 0, sizeof(*r));
	memset(&k, 0, sizeof(k));
	r->total.kind = TN_REPORT_TOTAL;
	if ((rc = check_opts(opts, err)) != TN_OK)
		return rc;
	r->by = opts->by;
	r->target = opts->target ? opts->target : TN_REPORT_TARGET_DEFAULT;
	snprintf(r->since, sizeof(r->since), "%s", opts->since ? opts->since : "");
	snprintf(r->until, sizeof(r->until), "%s", opts->until ? opts->until : "");
	tn_now_utc(r->generated_at);
	if ((rc = pick_events(db, opts, r, err)) != TN_OK)
		return rc;
	rc = known_pass_run(db, r, &k, err);
	for (i = 0; i < r->nevents && rc == TN_OK; i++) {
		struct tn_report_event *e = &r->events[i];

		rc = event_audience(db, r->by, &k, e, err);
		/* a row per channel, with its audience, then direct and walk-in */
		for (j = 0; j < e->nchannels && rc == TN_OK && r->by == TN_REPORT_BY_CHANNEL; j++) {
			const struct tn_report_row *ch = &e->channels[j];

			if (!(row = row_for(&e->rows, &e->nrows, TN_REPORT_CHANNEL,
					    ch->channel_id, ch->name))) {
				rc = nomem(err);
				break;
			}
			row->declared = ch->declared;
			memcpy(row->declared_date, ch->declared_date, sizeof(row->declared_date));
			row->known = ch->known;
			row->f.audience = ch->f.audience;
		}
		if (rc == TN_OK && r->by == TN_REPORT_BY_CHANNEL &&
		    (!row_for(&e->rows, &e->nrows, TN_REPORT_DIRECT, 0, NULL) ||
		     !row_for(&e->rows, &e->nrows, TN_REPORT_WALKIN, 0, NULL)))
			rc = nomem(err);
		if (rc == TN_OK)
			rc = event_arrival(db, e, err);
		if (rc == TN_OK && opts->people)
			rc = event_came(db, e, err);
	}
	known_pass_free(&k);
	/* the period's rows take their names from the events' */
	if (rc == TN_OK)
		rc = period_audience(r, err);
	if (rc == TN_OK)
		rc = funnels(db, r, err);
	if (rc != TN_OK)
		return rc;
	for (i = 0; i < r->nevents; i++) {
		finish_rows(r->events[i].rows, r->events[i].nrows, r->target);
		tn_report_funnel_finish(&r->events[i].total.f, r->target);
	}
	finish_rows(r->rows, r->nrows, r->target);
	tn_report_funnel_finish(&r->total.f, r->target);
	return TN_OK;
}
