/*
 * report.c - the conversion report's figures (report.h): which events,
 * each channel's audience on each event's date, the funnel per event and
 * group, the period's funnel with each person counted once, and the
 * arrival at the door. All of the report's SQL is here, and it is
 * plain reads, each table once whatever the number of events: the
 * follows in one pass for every event's audience, the registrations,
 * invitations, valid tickets and admits for the funnels and the arrival,
 * and per event its channels' declared audiences; the counting is done
 * in C (sorted arrays, running sums over the events' dates). It reads
 * the tables of other modules and writes none. The struct it fills and
 * the writers are reportout.c's.
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

/* qsort and bsearch, for arrays that may be empty (and so NULL). */
static void sort(void *base, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static void *find(const void *key, const void *base, size_t n, size_t size,
		  int (*cmp)(const void *, const void *))
{
	return n ? bsearch(key, base, n, size, cmp) : NULL;
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
 * collation compares text. With regions, each date of a person's runs
 * goes to the region of the first of their follows known then (in the
 * order of REGION_KEY_FMT), counted the same way per region. The same
 * pass keeps the follows of the people the funnel needs them for (want:
 * walk-ins to attribute, everyone's region). It costs a read of every
 * follow and a binary search among the dates for each; SQLite could not
 * do better with any index, and per event it read every follow again.
 */

/* The order in which a person's follows give their region, as one text
 * compared with strcmp: '0' for a follow naming a region, '1' for one
 * without; its followed_at ("0000-00-00" when unknown); its channel. */
#define REGION_KEY_FMT "%c%s%020lld"

#define NO_TEXT SIZE_MAX

/* A follow kept for the funnel; its texts are offsets in known_pass.text
 * (NO_TEXT: NULL). */
struct follow {
	int64_t person, channel;
	size_t followed, unfollowed, region;
};

/* A follow of the person being read, known on dates [lo, hi); region
 * and key are offsets in known_pass.person_text (region NO_TEXT: none). */
struct run {
	size_t lo, hi, region, key;
};

/* A region's people on each date (counts[ndates + 1], as known). */
struct region_count {
	char *name;
	int64_t *counts;
};

struct known_pass {
	char (*dates)[11];         /* the events' distinct dates, in order */
	size_t ndates;
	int64_t *channel_ids;      /* in order of id */
	size_t nchannels;
	int64_t *known;            /* a row of ndates + 1 per channel */
	int64_t *people;           /* ndates + 1 */
	int64_t person;            /* whose follows are being read; 0: none */
	struct run *runs;          /* theirs so far */
	size_t nruns, cap;
	int regions;               /* count the regions too */
	struct tn_buf person_text; /* the texts of runs */
	struct region_count *region_counts;   /* by name */
	size_t nregions;
	int64_t *unknown;          /* ndates + 1: people without a region */
	size_t (*covered)[2];      /* dates given a region, for person_done */
	const int64_t *want;       /* people whose follows to keep, in order */
	size_t nwant, at;          /* at: the first not passed yet */
	struct follow *follows;    /* theirs, by person and channel */
	size_t nfollows, fcap;
	struct tn_buf text;
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
	const struct run *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

static int run_order_pair(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* By region key; ctx is the pass, which holds the keys. */
static int run_key_order(const void *a, const void *b, void *ctx)
{
	const struct run *x = a, *y = b;
	const struct known_pass *k = ctx;

	return strcmp(k->person_text.data + x->key, k->person_text.data + y->key);
}

/* The counts of region (NULL: none), added when new; NULL out of memory. */
static int64_t *region_counts(struct known_pass *k, const char *region)
{
	size_t lo = 0, hi = k->nregions, mid;
	struct region_count *grown;
	int64_t *counts;
	char *name;
	int c;

	if (!region)
		return k->unknown;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(k->region_counts[mid].name, region)) == 0)
			return k->region_counts[mid].counts;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	grown = realloc(k->region_counts, (k->nregions + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	k->region_counts = grown;
	name = strdup(region);
	counts = calloc(k->ndates + 1, sizeof(*counts));
	if (!name || !counts) {
		free(name);
		free(counts);
		return NULL;
	}
	memmove(&grown[lo + 1], &grown[lo], (k->nregions - lo) * sizeof(*grown));
	grown[lo].name = name;
	grown[lo].counts = counts;
	k->nregions++;
	return counts;
}

/* The person's dates, each to the region of their first follow known on
 * it: the runs in key order, each giving what earlier ones left. */
static tn_code person_regions(struct known_pass *k)
{
	size_t i, j, m, n = 0, at;
	int64_t *counts;

	qsort_r(k->runs, k->nruns, sizeof(*k->runs), run_key_order, k);
	for (i = 0; i < k->nruns; i++) {
		const struct run *r = &k->runs[i];

		if (!(counts = region_counts(k, r->region == NO_TEXT ? NULL
					     : k->person_text.data + r->region)))
			return TN_NOMEM;
		/* the gaps of [lo, hi) between the dates covered (in order) */
		for (j = 0, at = r->lo; j < n && at < r->hi; j++) {
			if (k->covered[j][1] <= at)
				continue;
			if (k->covered[j][0] >= r->hi)
				break;
			if (k->covered[j][0] > at) {
				counts[at]++;
				counts[k->covered[j][0]]--;
			}
			at = k->covered[j][1];
		}
		if (at < r->hi) {
			counts[at]++;
			counts[r->hi]--;
		}
		/* then [lo, hi) is covered too */
		k->covered[n][0] = r->lo;
		k->covered[n][1] = r->hi;
		n++;
		sort(k->covered, n, sizeof(*k->covered), run_order_pair);
		for (j = 1, m = 1; j < n; j++) {
			if (k->covered[j][0] <= k->covered[m - 1][1]) {
				if (k->covered[j][1] > k->covered[m - 1][1])
					k->covered[m - 1][1] = k->covered[j][1];
			} else {
				k->covered[m][0] = k->covered[j][0];
				k->covered[m][1] = k->covered[j][1];
				m++;
			}
		}
		n = m;
	}
	return TN_OK;
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

/* The person's runs, merged, into the people's counts (and regions'). */
static void person_done(struct known_pass *k)
{
	size_t i, lo, hi;

	sort(k->runs, k->nruns, sizeof(*k->runs), run_order);
	for (i = 0; i < k->nruns; ) {
		lo = k->runs[i].lo;
		hi = k->runs[i].hi;
		for (i++; i < k->nruns && k->runs[i].lo <= hi; i++)
			if (k->runs[i].hi > hi)
				hi = k->runs[i].hi;
		k->people[lo]++;
		k->people[hi]--;
	}
	if (k->regions && k->nruns && person_regions(k) != TN_OK)
		k->oom = 1;
	k->nruns = 0;
	tn_buf_reset(&k->person_text);
}

/* The text of column col into k->text: its offset, NO_TEXT for NULL. */
static tn_code keep_text(struct known_pass *k, sqlite3_stmt *st, int col,
			 size_t *at)
{
	const char *s = tn_db_text(st, col);

	*at = s ? k->text.len : NO_TEXT;
	return s ? tn_buf_addn(&k->text, s, strlen(s) + 1) : TN_OK;
}

static tn_code keep_follow(struct known_pass *k, sqlite3_stmt *st)
{
	struct follow *f;

	if (k->nfollows == k->fcap) {
		size_t cap = k->fcap ? k->fcap * 2 : 256;
		struct follow *grown = realloc(k->follows, cap * sizeof(*grown));

		if (!grown)
			return TN_NOMEM;
		k->follows = grown;
		k->fcap = cap;
	}
	f = &k->follows[k->nfollows];
	f->person = sqlite3_column_int64(st, 0);
	f->channel = sqlite3_column_int64(st, 1);
	if (keep_text(k, st, 2, &f->followed) != TN_OK ||
	    keep_text(k, st, 3, &f->unfollowed) != TN_OK ||
	    keep_text(k, st, 4, &f->region) != TN_OK)
		return TN_NOMEM;
	k->nfollows++;
	return TN_OK;
}

static tn_code known_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct known_pass *k = ctx;
	int64_t person = sqlite3_column_int64(st, 0);
	int64_t channel = sqlite3_column_int64(st, 1);
	const char *followed = tn_db_text(st, 2), *unfollowed = tn_db_text(st, 3);
	size_t lo = dates_before(k, followed ? followed : "");
	size_t hi = unfollowed ? dates_before(k, unfollowed) : k->ndates;
	const char *region;
	struct run *r;
	int64_t *c;

	(void)err;
	if (person != k->person) {
		person_done(k);
		k->person = person;
	}
	while (k->at < k->nwant && k->want[k->at] < person)
		k->at++;
	if (k->at < k->nwant && k->want[k->at] == person &&
	    keep_follow(k, st) != TN_OK)
		return k->oom = 1, TN_DB_STOP;
	if (lo >= hi)
		return TN_OK;
	c = find(&channel, k->channel_ids, k->nchannels, sizeof(*c), id_order);
	if (c) {
		k->known[(size_t)(c - k->channel_ids) * (k->ndates + 1) + lo]++;
		k->known[(size_t)(c - k->channel_ids) * (k->ndates + 1) + hi]--;
	}
	if (k->nruns == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 8;
		struct run *grown = realloc(k->runs, cap * sizeof(*grown));
		size_t (*covered)[2] = realloc(k->covered, cap * sizeof(*covered));

		if (grown)
			k->runs = grown;
		if (covered)
			k->covered = covered;
		if (!grown || !covered)
			return k->oom = 1, TN_DB_STOP;
		k->cap = cap;
	}
	r = &k->runs[k->nruns++];
	r->lo = lo;
	r->hi = hi;
	if (k->regions) {
		region = tn_db_text(st, 4);
		r->region = region ? k->person_text.len : NO_TEXT;
		if (region && tn_buf_addn(&k->person_text, region, strlen(region) + 1) != TN_OK)
			return k->oom = 1, TN_DB_STOP;
		r->key = k->person_text.len;
		if (tn_buf_addf(&k->person_text, REGION_KEY_FMT, region ? '0' : '1',
				followed ? followed : "0000-00-00", (long long)channel) != TN_OK ||
		    tn_buf_addch(&k->person_text, '\0') != TN_OK)
			return k->oom = 1, TN_DB_STOP;
	}
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
	free(k->follows);
	tn_buf_free(&k->text);
	tn_buf_free(&k->person_text);
	while (k->nregions--) {
		free(k->region_counts[k->nregions].name);
		free(k->region_counts[k->nregions].counts);
	}
	free(k->region_counts);
	free(k->unknown);
	free(k->covered);
}

/* Fills *k for the events of r: the known followers of each channel and
 * the people following any, on each of their dates, and the follows of
 * the nwant people of want (ids in order, each once). */
static tn_code known_pass_run(struct tn_db *db, const struct tn_report *r,
			      const int64_t *want, size_t nwant,
			      struct known_pass *k, struct tn_err *err)
{
	int64_t nchannels;
	size_t i, j, n;
	tn_code rc;

	memset(k, 0, sizeof(*k));
	k->text = (struct tn_buf)TN_BUF_INIT;
	k->want = want;
	k->nwant = nwant;
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
	sort(k->dates, r->nevents, sizeof(*k->dates), date_order);
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
	k->regions = r->by == TN_REPORT_BY_REGION;
	if (k->regions)
		k->unknown = calloc(n + 1, sizeof(*k->unknown));
	if (!k->known || !k->people || (k->regions && !k->unknown))
		return nomem(err);
	rc = tn_db_each(db, err, known_row, k, "SELECT person_id, channel_id,"
			" followed_at, unfollowed_at, region FROM follower ORDER BY person_id");
	if (rc == TN_OK && k->oom)
		rc = nomem(err);
	if (rc != TN_OK)
		return rc;
	person_done(k);
	if (k->oom)
		return nomem(err);
	for (j = 1; j <= n; j++) {
		k->people[j] += k->people[j - 1];
		for (i = 0; i < k->nchannels; i++)
			k->known[i * (n + 1) + j] += k->known[i * (n + 1) + j - 1];
		for (i = 0; i < k->nregions; i++)
			k->region_counts[i].counts[j] += k->region_counts[i].counts[j - 1];
		if (k->unknown)
			k->unknown[j] += k->unknown[j - 1];
	}
	return TN_OK;
}

/* The known followers of channel on date (one of k's dates); people
 * following any channel with channel 0. */
static int64_t known_on(const struct known_pass *k, int64_t channel, const char *date)
{
	char (*d)[11] = find(date, k->dates, k->ndates, sizeof(*k->dates), date_order);
	const int64_t *c;

	if (!d)
		return 0;
	if (channel == 0)
		return k->people[d - k->dates];
	c = find(&channel, k->channel_ids, k->nchannels, sizeof(*c), id_order);
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

/* A region's row (NULL: unknown) of e with its people on e's date (date
 * index d of k), when it has any. */
static tn_code region_row(struct tn_report_event *e, const char *region,
			  const int64_t *counts, size_t d)
{
	struct tn_report_row *row;

	if (counts[d] == 0)
		return TN_OK;
	row = row_for(&e->rows, &e->nrows, region ? TN_REPORT_REGION : TN_REPORT_UNKNOWN,
		      0, region);
	if (!row)
		return TN_NOMEM;
	row->known = row->f.audience = counts[d];
	return TN_OK;
}

/*
 * The audience of event e: every channel's declared figure (two lookups
 * in channel_audience's key per channel) and its known followers on its
 * date from k (the channel rows, also kept as the JSON's inputs), the
 * people following any channel then, and the total. With regions, the
 * rows are the regions instead: the people known then by their region
 * (the region of the follow they made first, from k too), and the
 * declared audience beyond the known followers in "(unknown)".
 */
static tn_code event_audience(struct tn_db *db, enum tn_report_by by,
			      const struct known_pass *k, struct tn_report_event *e,
			      struct tn_err *err)
{
	struct fill f = { &e->channels, &e->nchannels, k, e->date, 0 };
	struct tn_report_row *unknown;
	int64_t excess = 0;
	char (*d)[11];
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
	d = find(e->date, k->dates, k->ndates, sizeof(*k->dates), date_order);
	for (i = 0; d && rc == TN_OK && i < k->nregions; i++)
		rc = region_row(e, k->region_counts[i].name, k->region_counts[i].counts,
				(size_t)(d - k->dates));
	if (d && rc == TN_OK)
		rc = region_row(e, NULL, k->unknown, (size_t)(d - k->dates));
	if (rc != TN_OK)
		return nomem(err);
	if (excess) {
		if (!(unknown = row_for(&e->rows, &e->nrows, TN_REPORT_UNKNOWN, 0, NULL)))
			return nomem(err);
		unknown->f.audience += excess;
	}
	return rc;
}

/* ---- the funnel ---------------------------------------------------------- */

/*
 * The funnel is counted in C from plain reads of each table, in one pass
 * each: the registrations and invitations, the valid tickets, the admits
 * (with each person's first event); then a stage per registration and
 * per invitation of the events reported, summed per event and group, and
 * over the period per group and person and per person. Joining them in
 * SQL (a CTE of every stage, grouped by event and by person) made SQLite
 * look each stage up in several indexes and sort the stages once per
 * grouping: 1.9 s against 0.35 s for 200,000 registrations. The arrival
 * is counted from the same admits (event_arrival).
 *
 * A registration (registered, ticketed, came, returning) counts in the
 * group of its source, an invitation (invited) in that of its channel:
 * group is a channel's id, 0 direct, -1 walk-in; with regions, 1 + the
 * index of a region in funnel.regions, 0 unknown.
 */
struct stage {
	int64_t person, group;
	uint32_t event;               /* index in r->events */
	unsigned char inv : 1, yes : 1, tk : 1, came : 1, ret : 1;
};

struct registration {
	int64_t id, event_id, person_id, channel;   /* channel 0: NULL */
	char source;                  /* i(nvitation), l(ink), d(irect), w(alk-in) */
	unsigned char yes;
};

struct invitation {
	int64_t event_id, person_id, channel;       /* channel 0: NULL */
};

/* An admit at the door, for the funnel and the arrival. */
struct admit {
	int64_t event_id, person_id;
	size_t start, at, gate;       /* offsets in funnel.text: the event's
	                               * start_utc, when (UTC), the gate's
	                               * name ("": none) */
	unsigned char bare_walkin;    /* a walk-in who had not registered */
};

/* A person admitted at an event. */
struct came {
	int64_t event_id, person_id;
};

/* A person's first admitted event: its start_utc (in funnel.text). */
struct first_came {
	int64_t person_id;
	const char *start;
};

struct event_ix {
	int64_t id;
	size_t index;
};

struct funnel {
	struct registration *regs;
	struct invitation *invs;
	struct admit *admits;         /* every one, by event */
	struct came *came;            /* by event and person, each once */
	struct first_came *firsts;    /* by person */
	struct tn_buf text;           /* the admits' texts */
	int64_t *valid;               /* registrations with a valid ticket */
	struct event_ix *events;      /* r->events by id */
	int64_t *want;                /* people whose follows are needed */
	char **regions;               /* the regions of the groups, sorted */
	size_t nregs, ninvs, nadmits, ncame, nfirsts, nvalid, nevents, nwant, nregions;
	size_t cap;                   /* of the array being read */
	int oom;
};

static int event_ix_order(const void *a, const void *b)
{
	const struct event_ix *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The index in r->events of event id; -1 when it is not reported. */
static long reported(const struct funnel *fu, int64_t id)
{
	struct event_ix key = { id, 0 }, *e;

	e = find(&key, fu->events, fu->nevents, sizeof(key), event_ix_order);
	return e ? (long)e->index : -1;
}

/* Room for one more element of size in *v (n used); fu->cap is its room. */
static void *room(struct funnel *fu, void *v, size_t n, size_t size)
{
	void *grown;

	if (n < fu->cap)
		return v;
	fu->cap = fu->cap ? fu->cap * 2 : 1024;
	if (!(grown = realloc(v, fu->cap * size)))
		fu->oom = 1;
	return grown;
}

static tn_code registration_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct funnel *fu = ctx;
	struct registration *g;
	const char *source = tn_db_text(st, 4);

	(void)err;
	if (reported(fu, sqlite3_column_int64(st, 1)) < 0)
		return TN_OK;
	if (!(g = room(fu, fu->regs, fu->nregs, sizeof(*g))))
		return TN_DB_STOP;
	fu->regs = g;
	g = &g[fu->nregs++];
	g->id = sqlite3_column_int64(st, 0);
	g->event_id = sqlite3_column_int64(st, 1);
	g->person_id = sqlite3_column_int64(st, 2);
	g->yes = sqlite3_column_int(st, 3) != 0;
	g->source = !source ? 'w' : strcmp(source, "invitation") == 0 ? 'i'
		: strcmp(source, "link") == 0 ? 'l' : strcmp(source, "direct") == 0
		? 'd' : 'w';
	g->channel = sqlite3_column_int64(st, 5);
	return TN_OK;
}

static tn_code invitation_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct funnel *fu = ctx;
	struct invitation *i;

	(void)err;
	if (!(i = room(fu, fu->invs, fu->ninvs, sizeof(*i))))
		return TN_DB_STOP;
	fu->invs = i;
	i = &i[fu->ninvs++];
	i->event_id = sqlite3_column_int64(st, 0);
	i->person_id = sqlite3_column_int64(st, 1);
	i->channel = sqlite3_column_int64(st, 2);
	return TN_OK;
}

static tn_code valid_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct funnel *fu = ctx;
	int64_t *v;

	(void)err;
	if (!(v = room(fu, fu->valid, fu->nvalid, sizeof(*v))))
		return TN_DB_STOP;
	fu->valid = v;
	v[fu->nvalid++] = sqlite3_column_int64(st, 0);
	return TN_OK;
}

static tn_code admit_row(void *ctx, sqlite3_stmt *st, struct tn_err *err)
{
	struct funnel *fu = ctx;
	struct admit *a;

	(void)err;
	if (!(a = room(fu, fu->admits, fu->nadmits, sizeof(*a))))
		return TN_DB_STOP;
	fu->admits = a;
	a = &a[fu->nadmits++];
	a->event_id = sqlite3_column_int64(st, 0);
	a->person_id = sqlite3_column_int64(st, 1);
	a->bare_walkin = sqlite3_column_int(st, 5) != 0;
	a->start = fu->text.len;
	if (tn_buf_addn(&fu->text, tn_db_text(st, 2), strlen(tn_db_text(st, 2)) + 1) != TN_OK)
		return fu->oom = 1, TN_DB_STOP;
	a->at = fu->text.len;
	if (tn_buf_addn(&fu->text, tn_db_text(st, 3), strlen(tn_db_text(st, 3)) + 1) != TN_OK)
		return fu->oom = 1, TN_DB_STOP;
	a->gate = fu->text.len;
	if (tn_buf_addn(&fu->text, tn_db_text(st, 4), strlen(tn_db_text(st, 4)) + 1) != TN_OK)
		return fu->oom = 1, TN_DB_STOP;
	return TN_OK;
}

static int pair_order(int64_t a1, int64_t a2, int64_t b1, int64_t b2)
{
	if (a1 != b1)
		return (a1 > b1) - (a1 < b1);
	return (a2 > b2) - (a2 < b2);
}

static int invitation_order(const void *a, const void *b)
{
	const struct invitation *x = a, *y = b;

	return pair_order(x->event_id, x->person_id, y->event_id, y->person_id);
}

static int came_order(const void *a, const void *b)
{
	const struct came *x = a, *y = b;

	return pair_order(x->event_id, x->person_id, y->event_id, y->person_id);
}

static int admit_event_order(const void *a, const void *b)
{
	const struct admit *x = a, *y = b;

	return (x->event_id > y->event_id) - (x->event_id < y->event_id);
}

static int first_person_order(const void *a, const void *b)
{
	const struct first_came *x = a, *y = b;

	return (x->person_id > y->person_id) - (x->person_id < y->person_id);
}

/* By person, their earliest start first. */
static int first_order(const void *a, const void *b)
{
	const struct first_came *x = a, *y = b;

	return x->person_id != y->person_id ? (x->person_id > y->person_id) -
		(x->person_id < y->person_id) : strcmp(x->start, y->start);
}

static void funnel_free(struct funnel *fu)
{
	size_t i;

	free(fu->regs);
	free(fu->invs);
	free(fu->admits);
	free(fu->came);
	free(fu->firsts);
	tn_buf_free(&fu->text);
	free(fu->valid);
	free(fu->events);
	free(fu->want);
	for (i = 0; i < fu->nregions; i++)
		free(fu->regions[i]);
	free(fu->regions);
}

/*
 * Reads what the funnel of r's events is made of into *fu: their
 * registrations and invitations, the registrations with a valid ticket,
 * every admit at the door (the arrival's too), the people admitted at
 * each event and each person's first admitted event (among all events,
 * cancelled ones too), and the people whose follows the groups need
 * (every person with regions, else the walk-ins without a channel).
 */
static tn_code funnel_read(struct tn_db *db, const struct tn_report *r,
			   struct funnel *fu, struct tn_err *err)
{
	size_t i, n;
	tn_code rc;

	memset(fu, 0, sizeof(*fu));
	fu->text = (struct tn_buf)TN_BUF_INIT;
	if (r->nevents == 0)
		return TN_OK;
	if (!(fu->events = calloc(r->nevents, sizeof(*fu->events))))
		return nomem(err);
	for (i = 0; i < r->nevents; i++) {
		fu->events[i].id = r->events[i].id;
		fu->events[i].index = i;
	}
	fu->nevents = r->nevents;
	sort(fu->events, fu->nevents, sizeof(*fu->events), event_ix_order);
	rc = tn_db_each(db, err, registration_row, fu, "SELECT id, event_id, person_id,"
			" status = 'yes', source, channel_id FROM registration ORDER BY id");
	fu->cap = 0;
	if (rc == TN_OK && !fu->oom)
		rc = tn_db_each(db, err, invitation_row, fu, "SELECT event_id, person_id,"
				" channel_id FROM invitation");
	fu->cap = 0;
	if (rc == TN_OK && !fu->oom)
		rc = tn_db_each(db, err, valid_row, fu, "SELECT registration_id FROM ticket"
				" WHERE state = 'valid' ORDER BY registration_id");
	fu->cap = 0;
	if (rc == TN_OK && !fu->oom)
		rc = tn_db_each(db, err, admit_row, fu, "SELECT c.event_id, r.person_id,"
				" e.start_utc, c.at, coalesce(g.name, ''),"
				" c.walkin AND r.source = 'walk-in'"
				" FROM checkin c JOIN event e ON e.id = c.event_id"
				" JOIN ticket t ON t.id = c.ticket_id"
				" JOIN registration r ON r.id = t.registration_id"
				" LEFT JOIN gate g ON g.id = c.gate_id"
				" WHERE c.verdict = 'admit'");
	if (rc == TN_OK && fu->oom)
		rc = nomem(err);
	if (rc != TN_OK)
		return rc;
	sort(fu->invs, fu->ninvs, sizeof(*fu->invs), invitation_order);
	/* each person's first event, the people admitted per event, and the
	 * admits by event for the arrival */
	fu->firsts = calloc(fu->nadmits + 1, sizeof(*fu->firsts));
	fu->came = calloc(fu->nadmits + 1, sizeof(*fu->came));
	if (!fu->firsts || !fu->came)
		return nomem(err);
	for (i = 0; i < fu->nadmits; i++) {
		fu->firsts[i].person_id = fu->came[i].person_id = fu->admits[i].person_id;
		fu->firsts[i].start = fu->text.data + fu->admits[i].start;
		fu->came[i].event_id = fu->admits[i].event_id;
	}
	sort(fu->firsts, fu->nadmits, sizeof(*fu->firsts), first_order);
	for (i = 0, n = 0; i < fu->nadmits; i++)
		if (n == 0 || fu->firsts[n - 1].person_id != fu->firsts[i].person_id)
			fu->firsts[n++] = fu->firsts[i];
	fu->nfirsts = n;
	sort(fu->came, fu->nadmits, sizeof(*fu->came), came_order);
	for (i = 0, n = 0; i < fu->nadmits; i++)
		if (n == 0 || came_order(&fu->came[n - 1], &fu->came[i]) != 0)
			fu->came[n++] = fu->came[i];
	fu->ncame = n;
	sort(fu->admits, fu->nadmits, sizeof(*fu->admits), admit_event_order);
	/* the people whose follows are needed */
	if (!(fu->want = calloc(fu->nregs + fu->ninvs + 1, sizeof(*fu->want))))
		return nomem(err);
	for (i = 0, n = 0; i < fu->nregs; i++)
		if (r->by == TN_REPORT_BY_REGION ||
		    (fu->regs[i].source == 'w' && !fu->regs[i].channel))
			fu->want[n++] = fu->regs[i].person_id;
	for (i = 0; i < fu->ninvs && r->by == TN_REPORT_BY_REGION; i++)
		if (reported(fu, fu->invs[i].event_id) >= 0)
			fu->want[n++] = fu->invs[i].person_id;
	sort(fu->want, n, sizeof(*fu->want), id_order);
	for (i = 0, fu->nwant = 0; i < n; i++)
		if (fu->nwant == 0 || fu->want[fu->nwant - 1] != fu->want[i])
			fu->want[fu->nwant++] = fu->want[i];
	return TN_OK;
}

/* The follows of person kept by the pass: *n of them from the returned one. */
static const struct follow *follows_of(const struct known_pass *k, int64_t person,
				       size_t *n)
{
	size_t lo = 0, hi = k->nfollows, mid, end;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (k->follows[mid].person < person)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < k->nfollows && k->follows[end].person == person; end++)
		;
	*n = end - lo;
	return k->follows + lo;
}

static const char *follow_text(const struct known_pass *k, size_t at)
{
	return at == NO_TEXT ? NULL : k->text.data + at;
}

/* Whether follow f comes before g among a person's follows: an unknown
 * followed_at first, then by followed_at, then by channel. */
static int follow_before(const struct known_pass *k, const struct follow *f,
			 const struct follow *g)
{
	const char *a = follow_text(k, f->followed), *b = follow_text(k, g->followed);
	int c;

	if (!a != !b)
		return !a;
	if (a && (c = strcmp(a, b)) != 0)
		return c < 0;
	return f->channel < g->channel;
}

/* The channel of a walk-in without one: of the person's follows known on
 * date (followed on or before it, or on an unknown date, and not
 * unfollowed on or before it), the one followed earliest; -1 when none. */
static int64_t walkin_channel(const struct known_pass *k, int64_t person,
			      const char *date)
{
	const struct follow *f, *best = NULL;
	const char *on, *off;
	size_t n, i;

	f = follows_of(k, person, &n);
	for (i = 0; i < n; i++) {
		on = follow_text(k, f[i].followed);
		off = follow_text(k, f[i].unfollowed);
		if (strcmp(on ? on : "", date) <= 0 && (!off || strcmp(off, date) > 0) &&
		    (!best || follow_before(k, &f[i], best)))
			best = &f[i];
	}
	return best ? best->channel : -1;
}

/* A stage's region: that of the person's follow of its channel, else of
 * their first follow that names one; NULL when none does. */
static const char *stage_region(const struct known_pass *k, int64_t person,
				int64_t channel)
{
	const struct follow *f, *best = NULL;
	size_t n, i;

	f = follows_of(k, person, &n);
	for (i = 0; i < n; i++)
		if (f[i].channel == channel && f[i].region != NO_TEXT)
			return follow_text(k, f[i].region);
	for (i = 0; i < n; i++)
		if (f[i].region != NO_TEXT && (!best || follow_before(k, &f[i], best)))
			best = &f[i];
	return best ? follow_text(k, best->region) : NULL;
}

/* The group of region (NULL: unknown) among fu->regions, added when new:
 * the regions are few, so they are kept sorted by insertion. */
static int64_t region_group(struct funnel *fu, const char *region)
{
	size_t lo = 0, hi = fu->nregions, mid;
	char **grown;
	int c;

	if (!region)
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(fu->regions[mid], region)) == 0)
			return (int64_t)mid + 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!(grown = realloc(fu->regions, (fu->nregions + 1) * sizeof(*grown))))
		return fu->oom = 1, 0;
	fu->regions = grown;
	memmove(&grown[lo + 1], &grown[lo], (fu->nregions - lo) * sizeof(*grown));
	if (!(grown[lo] = strdup(region))) {
		memmove(&grown[lo], &grown[lo + 1], (fu->nregions - lo) * sizeof(*grown));
		return fu->oom = 1, 0;
	}
	fu->nregions++;
	return (int64_t)lo + 1;
}

/* The stages' regions as groups: numbers change while regions are added,
 * so every region is added first, then each stage takes its number. */
static void region_groups(struct funnel *fu, struct stage *st, size_t n,
			  const char **texts)
{
	size_t i;

	for (i = 0; i < n && !fu->oom; i++)
		region_group(fu, texts[i]);
	for (i = 0; i < n && !fu->oom; i++)
		st[i].group = region_group(fu, texts[i]);
}

static int stage_person_order(const void *a, const void *b)
{
	const struct stage *x = a, *y = b;

	return pair_order(x->person, x->group, y->person, y->group);
}

/* The row of group among *rows, added when missing. */
static struct tn_report_row *stage_row(const struct funnel *fu, enum tn_report_by by,
				       int64_t group, struct tn_report_row **rows,
				       size_t *n)
{
	if (by == TN_REPORT_BY_REGION)
		return group ? row_for(rows, n, TN_REPORT_REGION, 0, fu->regions[group - 1])
			: row_for(rows, n, TN_REPORT_UNKNOWN, 0, NULL);
	if (group > 0)
		return row_for(rows, n, TN_REPORT_CHANNEL, group, NULL);
	return row_for(rows, n, group == 0 ? TN_REPORT_DIRECT : TN_REPORT_WALKIN, 0, NULL);
}

/* The counts of src into dst; its audience stays. */
static void funnel_counts(struct tn_report_funnel *dst, const struct tn_report_funnel *src)
{
	dst->invited = src->invited;
	dst->registered = src->registered;
	dst->ticketed = src->ticketed;
	dst->came = src->came;
	dst->no_shows = src->no_shows;
	dst->returning = src->returning;
}

static void stage_add(struct tn_report_funnel *f, const struct stage *s)
{
	f->invited += s->inv;
	f->registered += s->yes;
	f->ticketed += s->tk;
	f->came += s->came;
	f->no_shows += s->tk && !s->came;
	f->returning += s->ret;
}

/* a = the stage with every figure of a and b (max of each) */
static void stage_max(struct stage *a, const struct stage *b)
{
	a->inv |= b->inv;
	a->yes |= b->yes;
	a->tk |= b->tk;
	a->came |= b->came;
	a->ret |= b->ret;
}

/* Whether registration id has a valid ticket; ids are asked in order,
 * so *at (the first valid id not passed yet) only moves on. */
static int registration_valid(const struct funnel *fu, int64_t id, size_t *at)
{
	while (*at < fu->nvalid && fu->valid[*at] < id)
		(*at)++;
	return *at < fu->nvalid && fu->valid[*at] == id;
}

/* The stages of the reported events: one per registration and one per
 * invitation; *n of them (caller frees). */
static struct stage *make_stages(struct funnel *fu, const struct known_pass *k,
				 const struct tn_report *r, size_t *n)
{
	struct stage *st = calloc(fu->nregs + fu->ninvs + 1, sizeof(*st));
	const char **texts = NULL;
	size_t i, m = 0, valid_at = 0;

	if (!st)
		return NULL;
	if (r->by == TN_REPORT_BY_REGION &&
	    !(texts = calloc(fu->nregs + fu->ninvs + 1, sizeof(*texts)))) {
		free(st);
		return NULL;
	}
	for (i = 0; i < fu->nregs; i++) {
		const struct registration *g = &fu->regs[i];
		const struct tn_report_event *e;
		struct stage *s = &st[m++];
		struct invitation ikey = { g->event_id, g->person_id, 0 }, *inv;
		struct came ckey = { g->event_id, g->person_id };
		struct first_came fkey = { g->person_id, NULL }, *first;

		s->event = (uint32_t)reported(fu, g->event_id);
		e = &r->events[s->event];
		s->person = g->person_id;
		/* the invitation's channel, else the tracking link's (or the
		 * one named when registering), else direct; a walk-in's,
		 * else the channel they follow */
		inv = find(&ikey, fu->invs, fu->ninvs, sizeof(ikey), invitation_order);
		if (inv)
			s->group = inv->channel;
		else if (g->source != 'w')
			s->group = g->channel;
		else
			s->group = g->channel ? g->channel
				: walkin_channel(k, g->person_id, e->date);
		s->yes = g->yes;
		s->tk = registration_valid(fu, g->id, &valid_at) && g->yes;
		s->came = find(&ckey, fu->came, fu->ncame, sizeof(ckey), came_order) != NULL;
		first = s->came ? find(&fkey, fu->firsts, fu->nfirsts, sizeof(fkey),
				       first_person_order) : NULL;
		s->ret = first && strcmp(first->start, e->start_utc) < 0;
		if (texts)
			texts[m - 1] = stage_region(k, s->person, s->group);
	}
	for (i = 0; i < fu->ninvs; i++) {
		const struct invitation *inv = &fu->invs[i];
		long ev = reported(fu, inv->event_id);
		struct stage *s;

		if (ev < 0)
			continue;
		s = &st[m++];
		s->event = (uint32_t)ev;
		s->person = inv->person_id;
		s->group = inv->channel;
		s->inv = 1;
		if (texts)
			texts[m - 1] = stage_region(k, s->person, s->group);
	}
	if (texts)
		region_groups(fu, st, m, texts);
	free(texts);
	*n = m;
	return st;
}

/* A group's figures over the period. */
struct group_sum {
	int64_t group;
	struct tn_report_funnel f;
};

static int group_sum_order(const void *a, const void *b)
{
	const struct group_sum *x = a, *y = b;

	return (x->group > y->group) - (x->group < y->group);
}

/* The funnel's figures into r: per event and group and the events'
 * totals; over the period (the events not cancelled) per group and in
 * total, a person once in each. */
static tn_code funnels(struct tn_report *r, struct funnel *fu,
		       const struct known_pass *k, struct tn_err *err)
{
	struct group_sums {
		struct group_sum *v;
		size_t n;
	} *per_event = NULL, *x;
	struct tn_report_row *row;
	struct group_sum *sums = NULL, *sum, key, *grown;
	struct stage *st, all, g;
	size_t n = 0, i, j, l, m, nsums = 0;
	tn_code rc = TN_OK;

	if (!(st = make_stages(fu, k, r, &n)) || fu->oom ||
	    !(per_event = calloc(r->nevents + 1, sizeof(*per_event))))
		goto oom;
	/* per event and group: an event has a few groups, found in turn */
	for (i = 0; i < n; i++) {
		x = &per_event[st[i].event];
		for (j = 0; j < x->n && x->v[j].group != st[i].group; j++)
			;
		if (j == x->n) {
			if (!(grown = realloc(x->v, (x->n + 1) * sizeof(*grown))))
				goto oom;
			x->v = grown;
			memset(&x->v[x->n], 0, sizeof(*x->v));
			x->v[x->n++].group = st[i].group;
		}
		stage_add(&x->v[j].f, &st[i]);
	}
	for (i = 0; i < r->nevents; i++) {
		struct tn_report_event *e = &r->events[i];

		for (j = 0; j < per_event[i].n; j++) {
			const struct tn_report_funnel *add = &per_event[i].v[j].f;

			if (r->by != TN_REPORT_BY_EVENT) {
				if (!(row = stage_row(fu, r->by, per_event[i].v[j].group,
						      &e->rows, &e->nrows)))
					goto oom;
				funnel_counts(&row->f, add);
			}
			/* each stage counts a person once per event: the groups
			 * add up */
			e->total.f.invited += add->invited;
			e->total.f.registered += add->registered;
			e->total.f.ticketed += add->ticketed;
			e->total.f.came += add->came;
			e->total.f.no_shows += add->no_shows;
			e->total.f.returning += add->returning;
		}
		if (!e->cancelled)
			nsums += per_event[i].n;
	}
	/* the period (the events not cancelled): its groups, then each
	 * person once per group and once in the total */
	if (!(sums = calloc(nsums + 1, sizeof(*sums))))
		goto oom;
	for (i = 0, nsums = 0; i < r->nevents; i++)
		for (j = 0; j < per_event[i].n && !r->events[i].cancelled; j++)
			sums[nsums++].group = per_event[i].v[j].group;
	sort(sums, nsums, sizeof(*sums), group_sum_order);
	for (i = 0, l = 0; i < nsums; i++)
		if (l == 0 || sums[l - 1].group != sums[i].group)
			sums[l++] = sums[i];
	nsums = l;
	for (i = 0, m = 0; i < n; i++)
		if (!r->events[st[i].event].cancelled)
			st[m++] = st[i];
	sort(st, m, sizeof(*st), stage_person_order);
	for (i = 0; i < m; ) {
		memset(&all, 0, sizeof(all));
		for (j = i; j < m && st[j].person == st[i].person; j = l) {
			g = st[j];
			for (l = j + 1; l < m && st[l].person == g.person &&
			     st[l].group == g.group; l++)
				stage_max(&g, &st[l]);
			stage_max(&all, &g);
			key.group = g.group;
			sum = find(&key, sums, nsums, sizeof(key), group_sum_order);
			if (sum)
				stage_add(&sum->f, &g);
		}
		stage_add(&r->total.f, &all);
		i = j;
	}
	for (i = 0; i < nsums && r->by != TN_REPORT_BY_EVENT; i++) {
		if (!(row = stage_row(fu, r->by, sums[i].group, &r->rows, &r->nrows)))
			goto oom;
		funnel_counts(&row->f, &sums[i].f);
	}
	goto out;
oom:
	rc = nomem(err);
out:
	for (i = 0; per_event && i < r->nevents; i++)
		free(per_event[i].v);
	free(per_event);
	free(st);
	free(sums);
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

static int gate_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Seconds since the epoch of an admit's time, through *hour: the start
 * of the hour of the admit before, kept since an event's admits come
 * mostly in the same hour (timegm is the costly part). */
struct hour {
	char prefix[14];          /* "YYYY-MM-DDTHH" */
	time_t start;
};

static time_t admit_seconds(const char *at, struct hour *hour)
{
	int min, sec;

	if (strlen(at) < 19 || sscanf(at + 14, "%2d:%2d", &min, &sec) != 2)
		return utc_seconds(at);
	if (memcmp(hour->prefix, at, 13) != 0) {
		char top[21];

		snprintf(top, sizeof(top), "%.13s:00:00Z", at);
		memcpy(hour->prefix, at, 13);
		hour->prefix[13] = '\0';
		hour->start = utc_seconds(top);
	}
	return hour->start + min * 60 + sec;
}

/*
 * The arrival at event e from its admits (fu->admits, by event): the
 * first and last admit, the gates that admitted someone (walk-ins who had
 * not registered aside; by name, "" for admits made without a gate), and
 * per 5-minute slot (on the UTC clock's multiples of 5 minutes) the
 * admits per gate and the walk-ins without a registration; then the
 * busiest slot and its gate.
 */
static tn_code event_arrival(const struct funnel *fu, struct tn_report_event *e,
			     struct tn_err *err)
{
	struct tn_report_arrival *a = &e->arrival;
	struct admit key, *lo;
	const char *first = NULL, *last = NULL, *at, *gate;
	struct hour hour;
	time_t start, t;
	size_t i, n, g;
	int64_t best;
	char **grown;

	memset(&key, 0, sizeof(key));
	key.event_id = e->id;
	if (!(lo = find(&key, fu->admits, fu->nadmits, sizeof(key), admit_event_order)))
		return TN_OK;
	while (lo > fu->admits && lo[-1].event_id == e->id)
		lo--;
	for (n = 0; lo + n < fu->admits + fu->nadmits && lo[n].event_id == e->id; n++) {
		at = fu->text.data + lo[n].at;
		if (!first || strcmp(at, first) < 0)
			first = at;
		if (!last || strcmp(at, last) > 0)
			last = at;
		gate = fu->text.data + lo[n].gate;
		if (lo[n].bare_walkin ||
		    find(&gate, a->gates, a->ngates, sizeof(gate), gate_order))
			continue;
		if (!(grown = realloc(a->gates, (a->ngates + 1) * sizeof(*grown))))
			return nomem(err);
		a->gates = grown;
		if (!(grown[a->ngates] = strdup(gate)))
			return nomem(err);
		a->ngates++;
		sort(a->gates, a->ngates, sizeof(*a->gates), gate_order);
	}
	snprintf(a->first, sizeof(a->first), "%s", first);
	snprintf(a->last, sizeof(a->last), "%s", last);
	start = utc_seconds(first);
	start -= start % 300;
	a->nslots = (size_t)((utc_seconds(last) - start) / 300) + 1;
	if (!(a->slots = calloc(a->nslots, sizeof(*a->slots))))
		return a->nslots = 0, nomem(err);
	for (i = 0; i < a->nslots; i++) {
		utc_text(start + (time_t)(i * 300), a->slots[i].start);
		if (!(a->slots[i].gates = calloc(a->ngates + 1, sizeof(int64_t))))
			return nomem(err);
	}
	memset(&hour, 0, sizeof(hour));
	for (i = 0; i < n; i++) {
		struct tn_report_slot *s;
		char **name;

		t = admit_seconds(fu->text.data + lo[i].at, &hour);
		t -= t % 300;
		if (t < start || (size_t)((t - start) / 300) >= a->nslots)
			continue;
		s = &a->slots[(t - start) / 300];
		s->total++;
		if (lo[i].bare_walkin) {
			s->walkins++;
			a->walkins++;
			continue;
		}
		gate = fu->text.data + lo[i].gate;
		if ((name = find(&gate, a->gates, a->ngates, sizeof(gate), gate_order)))
			s->gates[name - a->gates]++;
	}
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
	struct funnel fu;
	size_t i, j;
	tn_code rc;

	memset(r, 0, sizeof(*r));
	memset(&k, 0, sizeof(k));
	memset(&fu, 0, sizeof(fu));
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
	/* the funnel's rows first: the pass over the follows keeps those of
	 * the people it names */
	rc = funnel_read(db, r, &fu, err);
	if (rc == TN_OK)
		rc = known_pass_run(db, r, fu.want, fu.nwant, &k, err);
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
			rc = event_arrival(&fu, e, err);
		if (rc == TN_OK && opts->people)
			rc = event_came(db, e, err);
	}
	/* the period's rows take their names from the events' */
	if (rc == TN_OK)
		rc = period_audience(r, err);
	if (rc == TN_OK)
		rc = funnels(r, &fu, &k, err);
	known_pass_free(&k);
	funnel_free(&fu);
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
