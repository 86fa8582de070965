/*
 * ical.c - iCalendar files for events, built and serialised by libical.
 *
 * The one thing done by hand is reshaping libical's VTIMEZONE: libical
 * 3.0 emits a zone's whole history under a prefixed TZID, and its bounded
 * rules carry UTC UNTILs that python-icalendar 4.0.3 rejects. Here the
 * TZID becomes the IANA name, the history is cut to the years from the
 * one before the event to the one after it, and each rule with an UNTIL
 * is merged with its open-ended twin or else turned into RDATEs, a form
 * both strict and lenient parsers read with the same instants (checked by
 * tests/t4100-ics.sh). Besides the PUBLISH files of `ics`, it writes the
 * iTIP REQUEST and CANCEL that go to each invitee (tn_ical_itip), which
 * is on the hot path of `invite`: the reshaped VTIMEZONEs are kept once
 * built, and an iTIP calendar is checked once per shape. Owns no table.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "turnout/buf.h"
#include "turnout/ical.h"
#include "turnout/text.h"
#include "turnout/tz.h"

#define PRODID "-//turnout//turnout//EN"

enum { MAX_OBSERVANCES = 256, MAX_EXPANSION = 1000 };

static tn_code nomem(struct tn_err *err)
{
	return tn_err_set(err, TN_NOMEM, "out of memory");
}

static int is_observance(icalcomponent *c)
{
	icalcomponent_kind k = icalcomponent_isa(c);

	return k == ICAL_XSTANDARD_COMPONENT || k == ICAL_XDAYLIGHT_COMPONENT;
}

static int offset_of(icalcomponent *c, icalproperty_kind kind)
{
	icalproperty *p = icalcomponent_get_first_property(c, kind);

	if (!p)
		return 0;
	return kind == ICAL_TZOFFSETFROM_PROPERTY ? icalproperty_get_tzoffsetfrom(p)
						  : icalproperty_get_tzoffsetto(p);
}

static struct icaltimetype dtstart_of(icalcomponent *c)
{
	icalproperty *p = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);

	return p ? icalproperty_get_dtstart(p) : icaltime_null_time();
}

/* 1 if a and b are the same rule once UNTIL is ignored. */
static int same_rule(struct icalrecurrencetype a, struct icalrecurrencetype b)
{
	char *sa, *sb;
	int eq;

	a.until = icaltime_null_time();
	b.until = icaltime_null_time();
	sa = icalrecurrencetype_as_string_r(&a);
	sb = icalrecurrencetype_as_string_r(&b);
	eq = sa && sb && strcmp(sa, sb) == 0;
	free(sa);
	free(sb);
	return eq;
}

/* The first onset of rule r (from dtstart, ignoring UNTIL) after until. */
static struct icaltimetype next_onset(struct icalrecurrencetype r,
				      struct icaltimetype dtstart,
				      struct icaltimetype until)
{
	struct icaltimetype t = icaltime_null_time();
	icalrecur_iterator *it;
	int n;

	r.until = icaltime_null_time();
	r.count = 0;
	it = icalrecur_iterator_new(r, dtstart);
	if (!it)
		return t;
	for (n = 0; n < MAX_EXPANSION * 10; n++) {
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t) || icaltime_compare(t, until) > 0)
			break;
	}
	icalrecur_iterator_free(it);
	return t;
}

/*
 * Removes the UNTIL of one observance's RRULE: (a) if a sibling of the
 * same kind and offsets has the same rule open-ended and starts exactly at
 * this rule's next onset, the sibling takes over our DTSTART and we go;
 * (b) otherwise our onsets become RDATEs. Returns 1 if c was freed.
 */
static int drop_until(icalcomponent *vtz, icalcomponent *c,
		      icalcomponent **all, int n, int *ok)
{
	icalproperty *rp = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY);
	struct icalrecurrencetype r;
	struct icaltimetype start = dtstart_of(c), until, next;
	icalrecur_iterator *it;
	int from = offset_of(c, ICAL_TZOFFSETFROM_PROPERTY);
	int to = offset_of(c, ICAL_TZOFFSETTO_PROPERTY), i, count;

	if (!rp)
		return 0;
	r = icalproperty_get_rrule(rp);
	if (icaltime_is_null_time(r.until))
		return 0;
	/* UNTIL is UTC (RFC 5545 3.3.10); onsets are local times before the
	 * change, i.e. at TZOFFSETFROM. */
	until = r.until;
	if (icaltime_is_utc(until)) {
		icaltime_adjust(&until, 0, 0, 0, from);
		icaltime_set_timezone(&until, NULL);
	}
	next = next_onset(r, start, until);
	for (i = 0; i < n; i++) {
		icalcomponent *s = all[i];
		icalproperty *sp;
		struct icalrecurrencetype sr;

		if (!s || s == c || icalcomponent_isa(s) != icalcomponent_isa(c) ||
		    offset_of(s, ICAL_TZOFFSETFROM_PROPERTY) != from ||
		    offset_of(s, ICAL_TZOFFSETTO_PROPERTY) != to)
			continue;
		sp = icalcomponent_get_first_property(s, ICAL_RRULE_PROPERTY);
		if (!sp)
			continue;
		sr = icalproperty_get_rrule(sp);
		if (!icaltime_is_null_time(sr.until) || sr.count != 0 ||
		    !same_rule(r, sr) || icaltime_is_null_time(next) ||
		    icaltime_compare(dtstart_of(s), next) != 0)
			continue;
		icalproperty_set_dtstart(icalcomponent_get_first_property(
						 s, ICAL_DTSTART_PROPERTY), start);
		icalcomponent_remove_component(vtz, c);
		icalcomponent_free(c);
		return 1;
	}
	/* (b) expand: DTSTART is the first onset, the rest become RDATEs */
	r.until = until;
	it = icalrecur_iterator_new(r, start);
	if (!it) {
		*ok = 0;
		return 0;
	}
	for (count = 0; count < MAX_EXPANSION; count++) {
		struct icaldatetimeperiodtype dp;
		struct icaltimetype t = icalrecur_iterator_next(it);

		if (icaltime_is_null_time(t))
			break;
		if (icaltime_compare(t, start) == 0)
			continue;
		dp.time = t;
		dp.period = icalperiodtype_null_period();
		icalcomponent_add_property(c, icalproperty_new_rdate(dp));
	}
	icalrecur_iterator_free(it);
	if (count >= MAX_EXPANSION)
		*ok = 0;
	icalcomponent_remove_property(c, rp);
	icalproperty_free(rp);
	return 0;
}

/* The onset an RDATE gives (a DATE-TIME, or the start of a PERIOD). */
static struct icaltimetype rdate_time(icalproperty *p)
{
	struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);

	return icaltime_is_null_time(dp.time) ? dp.period.start : dp.time;
}

/*
 * Cuts observance c at cutoff (a local time): RDATEs from cutoff on go;
 * if DTSTART itself is that late, the earliest RDATE left takes its place,
 * or c goes when none is left (an RRULE starting then goes too). Returns
 * 1 if c was freed.
 */
static int cut_after(icalcomponent *vtz, icalcomponent *c,
		     struct icaltimetype cutoff)
{
	icalproperty *p, *first = NULL;
	int removed;

	/* removing a property disturbs the iterator: rescan after each */
	do {
		removed = 0;
		for (p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
		     p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY))
			if (icaltime_compare(rdate_time(p), cutoff) >= 0) {
				icalcomponent_remove_property(c, p);
				icalproperty_free(p);
				removed = 1;
				break;
			}
	} while (removed);
	if (icaltime_compare(dtstart_of(c), cutoff) < 0)
		return 0;
	for (p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY))
		if (!first || icaltime_compare(rdate_time(p), rdate_time(first)) < 0)
			first = p;
	if (!first || icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY)) {
		icalcomponent_remove_component(vtz, c);
		icalcomponent_free(c);
		return 1;
	}
	icalproperty_set_dtstart(icalcomponent_get_first_property(
					 c, ICAL_DTSTART_PROPERTY), rdate_time(first));
	icalcomponent_remove_property(c, first);
	icalproperty_free(first);
	return 0;
}

/*
 * Repeats DTSTART as an RDATE in an observance that has RDATEs and no
 * RRULE. RFC 5545 counts DTSTART as the first onset either way, but
 * ical.js 2.2.1 skips DTSTART as soon as there is an RDATE, and would
 * read the offset before that onset until the next one. Returns 0 when
 * out of memory.
 */
static int dtstart_as_rdate(icalcomponent *c)
{
	icalproperty *p;
	struct icaldatetimeperiodtype dp;
	struct icaltimetype start = dtstart_of(c);

	if (icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) ||
	    !icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY))
		return 1;
	for (p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY))
		if (icaltime_compare(rdate_time(p), start) == 0)
			return 1;
	dp.time = start;
	dp.period = icalperiodtype_null_period();
	if (!(p = icalproperty_new_rdate(dp)))
		return 0;
	icalcomponent_add_property(c, p);
	return 1;
}

/* Reshapes libical's VTIMEZONE of zone name (checked) for the years
 * from_year..to_year, as tn_ical_vtimezone describes. */
static tn_code build_vtimezone(const char *zone, const char *name, int from_year,
			       int to_year, icalcomponent **out, struct tn_err *err)
{
	icalcomponent *vtz, *c, *all[MAX_OBSERVANCES];
	icaltimezone *z;
	icalproperty *p;
	struct icaltimetype from, cutoff;
	int n = 0, i, ok = 1, first;

	*out = NULL;
	z = icaltimezone_get_builtin_timezone(name);
	if (!z || !icaltimezone_get_component(z))
		return tn_err_set(err, TN_USAGE, "'%s': unknown time zone", zone);
	vtz = icalcomponent_new_clone(icaltimezone_get_component(z));
	if (!vtz)
		return nomem(err);
	p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	if (p)
		icalproperty_set_tzid(p, name);
	else
		icalcomponent_add_property(vtz, icalproperty_new_tzid(name));

	from = icaltime_from_string("19700101T000000Z");
	from.year = from_year;
	icaltimezone_truncate_vtimezone(vtz, from, icaltime_null_time(), 0);

	/* first/next_component share one iterator inside vtz: snapshot */
	for (c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     c && n < MAX_OBSERVANCES;
	     c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT))
		if (is_observance(c))
			all[n++] = c;
	if (c) {
		icalcomponent_free(vtz);
		return tn_err_set(err, TN_FAIL, "time zone '%s': too many rules", name);
	}
	for (i = 0; i < n; i++)
		if (drop_until(vtz, all[i], all, n, &ok))
			all[i] = NULL;
	if (!ok) {
		icalcomponent_free(vtz);
		return tn_err_set(err, TN_FAIL, "time zone '%s': cannot expand its rules",
				  name);
	}

	/* The upper bound: nothing from 1 January after to_year on (onsets
	 * are local times; a year's margin makes the offset moot). */
	cutoff = icaltime_null_time();
	cutoff.year = to_year + 1;
	cutoff.month = 1;
	cutoff.day = 1;
	for (i = 0; i < n; i++)
		if (all[i] && cut_after(vtz, all[i], cutoff))
			all[i] = NULL;
	/* An observance that keeps the offset (TZOFFSETFROM = TZOFFSETTO)
	 * changes no instant; only the earliest one, the tombstone saying
	 * which offset holds from from_year on, is needed. Others are tzdata
	 * name changes, or libical's sentinel at its time_t limit
	 * (2038-01-19T03:14:07Z). */
	for (first = -1, i = 0; i < n; i++)
		if (all[i] && (first < 0 || icaltime_compare(dtstart_of(all[i]),
							     dtstart_of(all[first])) < 0))
			first = i;
	for (i = 0; i < n; i++)
		if (all[i] && i != first &&
		    offset_of(all[i], ICAL_TZOFFSETFROM_PROPERTY) ==
		    offset_of(all[i], ICAL_TZOFFSETTO_PROPERTY)) {
			icalcomponent_remove_component(vtz, all[i]);
			icalcomponent_free(all[i]);
			all[i] = NULL;
		}
	for (i = 0; i < n; i++)
		if (all[i] && !dtstart_as_rdate(all[i])) {
			icalcomponent_free(vtz);
			return nomem(err);
		}
	*out = vtz;
	return TN_OK;
}

/*
 * The VTIMEZONEs built so far, by zone and years. Building one walks the
 * zone's whole history through libical's recurrence code (about 0.9 ms
 * for Europe/Berlin), and every invitation to an event needs the same
 * one, so each is kept, for the life of the process, and handed out as a
 * copy. A lock guards them: the web server builds calendars in threads.
 */
enum { VTZ_CACHE = 16 };
static struct {
	char name[64];
	int from_year, to_year;
	icalcomponent *vtz;
} vtz_cache[VTZ_CACHE];
static unsigned vtz_next;
static pthread_mutex_t vtz_lock = PTHREAD_MUTEX_INITIALIZER;

/* A copy of the kept VTIMEZONE of name for those years, or NULL. */
static icalcomponent *cached_vtimezone(const char *name, int from_year, int to_year)
{
	icalcomponent *copy = NULL;
	int i;

	pthread_mutex_lock(&vtz_lock);
	for (i = 0; i < VTZ_CACHE && !copy; i++)
		if (vtz_cache[i].vtz && vtz_cache[i].from_year == from_year &&
		    vtz_cache[i].to_year == to_year && strcmp(vtz_cache[i].name, name) == 0)
			copy = icalcomponent_new_clone(vtz_cache[i].vtz);
	pthread_mutex_unlock(&vtz_lock);
	return copy;
}

/* Keeps a copy of vtz (a failed copy is just not kept), replacing the
 * oldest entry when all are taken. */
static void keep_vtimezone(const char *name, int from_year, int to_year,
			   icalcomponent *vtz)
{
	icalcomponent *copy = icalcomponent_new_clone(vtz), *old;

	if (!copy)
		return;
	pthread_mutex_lock(&vtz_lock);
	old = vtz_cache[vtz_next].vtz;
	snprintf(vtz_cache[vtz_next].name, sizeof(vtz_cache[vtz_next].name), "%s", name);
	vtz_cache[vtz_next].from_year = from_year;
	vtz_cache[vtz_next].to_year = to_year;
	vtz_cache[vtz_next].vtz = copy;
	vtz_next = (vtz_next + 1) % VTZ_CACHE;
	pthread_mutex_unlock(&vtz_lock);
	if (old)
		icalcomponent_free(old);
}

tn_code tn_ical_vtimezone(const char *zone, int from_year, int to_year,
			  icalcomponent **out, struct tn_err *err)
{
	char name[64];
	tn_code rc;

	*out = NULL;
	if ((rc = tn_tz_check(zone, name, err)) != TN_OK)
		return rc;
	if (from_year < 1 || to_year < from_year || to_year > 9998)
		return tn_err_set(err, TN_FAIL, "time zone '%s': bad years %d..%d",
				  name, from_year, to_year);
	if ((*out = cached_vtimezone(name, from_year, to_year)) != NULL)
		return TN_OK;
	if ((rc = build_vtimezone(zone, name, from_year, to_year, out, err)) == TN_OK)
		keep_vtimezone(name, from_year, to_year, *out);
	return rc;
}

/* "YYYY-MM-DD HH:MM" -> a floating DATE-TIME. */
static struct icaltimetype local_time(const char *s)
{
	struct icaltimetype t = icaltime_null_time();

	t.year = atoi(s);
	t.month = atoi(s + 5);
	t.day = atoi(s + 8);
	t.hour = atoi(s + 11);
	t.minute = atoi(s + 14);
	return t;
}

/* "YYYY-MM-DDTHH:MM:SSZ" -> a UTC DATE-TIME. */
static struct icaltimetype utc_time(const char *s)
{
	struct icaltimetype t = local_time(s);

	t.second = atoi(s + 17);
	icaltime_set_timezone(&t, icaltimezone_get_utc_timezone());
	return t;
}

static icalproperty *zoned(icalproperty *p, const char *tzid)
{
	if (p)
		icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
	return p;
}

/*
 * DTSTART/DTEND: local time with TZID, except for a local time that occurs
 * twice (clocks going back). RFC 5545 3.3.5 says such a time means the
 * first occurrence, but python-icalendar and ical.js both read the second,
 * so those instants are written in UTC, which every parser reads alike.
 */
static icalproperty *when(icalproperty_kind kind, const char *tz,
			  const char *local, const char *utc)
{
	char check[21];
	int ambiguous = 0;
	struct icaltimetype t;
	int as_local = tn_tz_to_utc(tz, local, check, &ambiguous, NULL) == TN_OK &&
		       !ambiguous && strcmp(check, utc) == 0;

	t = as_local ? local_time(local) : utc_time(utc);
	if (kind == ICAL_DTSTART_PROPERTY)
		/* icalproperty_new_dtstart alone would give a floating time */
		return as_local ? zoned(icalproperty_new_dtstart(t), tz)
				: icalproperty_new_dtstart(t);
	return as_local ? zoned(icalproperty_new_dtend(t), tz)
			: icalproperty_new_dtend(t);
}

/*
 * Adds CN=name to p, made safe for every parser. RFC 5545 cannot carry a
 * DQUOTE in a parameter at all; RFC 6868 writes it ^', which libical 3.0
 * emits and ical.js decodes, but python-icalendar 4.0.3 reads literally.
 * So a DQUOTE becomes ' (U+0027), and a ^ that would start an RFC 6868
 * escape (before ', ^ or n), which libical leaves unescaped, becomes the
 * look-alike U+02C6: then both kinds of parser read the same name.
 * Control characters become spaces. Returns 0 when out of memory.
 */
static int add_cn(icalproperty *p, const char *name)
{
	struct tn_buf cn = TN_BUF_INIT;
	icalparameter *param;
	const char *s;
	int ok = 1;

	for (s = name; *s && ok; s++) {
		if (*s == '"')
			ok = tn_buf_addch(&cn, '\'') == TN_OK;
		else if (*s == '^' && (s[1] == '\'' || s[1] == '"' || s[1] == '^' || s[1] == 'n'))
			ok = tn_buf_add(&cn, "\xcb\x86") == TN_OK;
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			ok = tn_buf_addch(&cn, ' ') == TN_OK;
		else
			ok = tn_buf_addch(&cn, *s) == TN_OK;
	}
	param = ok ? icalparameter_new_cn(cn.data) : NULL;
	tn_buf_free(&cn);
	if (!param)
		return 0;
	icalproperty_add_parameter(p, param);
	return 1;
}

static void add(icalcomponent *c, icalproperty *p, int *ok)
{
	if (p)
		icalcomponent_add_property(c, p);
	else
		*ok = 0;
}

tn_code tn_ical_vevent(const struct tn_ical_event *ev, const struct tn_ical_org *org,
		       icalcomponent **out, struct tn_err *err)
{
	icalcomponent *ve;
	struct tn_buf b = TN_BUF_INIT;
	char now[21];
	int ok = 1;

	*out = NULL;
	if (!(ve = icalcomponent_new(ICAL_VEVENT_COMPONENT)))
		return nomem(err);
	tn_now_utc(now);
	add(ve, icalproperty_new_uid(ev->uid), &ok);
	add(ve, icalproperty_new_dtstamp(utc_time(now)), &ok);
	add(ve, icalproperty_new_sequence((int)ev->sequence), &ok);
	add(ve, icalproperty_new_summary(ev->title), &ok);
	add(ve, when(ICAL_DTSTART_PROPERTY, ev->tz, ev->start_local, ev->start_utc), &ok);
	add(ve, when(ICAL_DTEND_PROPERTY, ev->tz, ev->end_local, ev->end_utc), &ok);
	add(ve, icalproperty_new_status(ev->cancelled ? ICAL_STATUS_CANCELLED
					 : ICAL_STATUS_CONFIRMED), &ok);
	if (ev->venue || ev->address) {
		if (ev->venue)
			ok &= tn_buf_add(&b, ev->venue) == TN_OK;
		if (ev->venue && ev->address)
			ok &= tn_buf_add(&b, ", ") == TN_OK;
		if (ev->address)
			ok &= tn_buf_add(&b, ev->address) == TN_OK;
		add(ve, icalproperty_new_location(b.data), &ok);
		tn_buf_reset(&b);
	}
	if (ev->description)
		add(ve, icalproperty_new_description(ev->description), &ok);
	if (org && org->base_url && *org->base_url) {
		size_t n = strlen(org->base_url);

		while (n > 0 && org->base_url[n - 1] == '/')
			n--;
		ok &= tn_buf_addf(&b, "%.*s/e/%s", (int)n, org->base_url, ev->slug) == TN_OK;
		add(ve, icalproperty_new_url(b.data), &ok);
		tn_buf_reset(&b);
	}
	if (org && org->from && *org->from) {
		icalproperty *p;

		ok &= tn_buf_addf(&b, "mailto:%s", org->from) == TN_OK;
		p = icalproperty_new_organizer(b.data);
		if (p && org->org && *org->org)
			ok &= add_cn(p, org->org);
		add(ve, p, &ok);
	}
	add(ve, icalproperty_new_created(utc_time(ev->created_at)), &ok);
	add(ve, icalproperty_new_lastmodified(utc_time(ev->updated_at)), &ok);
	tn_buf_free(&b);
	if (!ok) {
		icalcomponent_free(ve);
		return nomem(err);
	}
	*out = ve;
	return TN_OK;
}

/* icalrestriction_check marks problems as X-LIC-ERROR properties; the
 * first one (if any) says what is wrong. */
static void first_problem(icalcomponent *c, char *out, size_t size)
{
	icalcomponent *sub;
	icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);

	if (p) {
		snprintf(out, size, "%s", icalproperty_get_xlicerror(p));
		return;
	}
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
	     sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
		first_problem(sub, out, size);
		if (*out)
			return;
	}
}

/* The years an event needs in its zone's VTIMEZONE: from the year
 * before its start to the year after its end. */
static void event_years(const struct tn_ical_event *ev, int *from, int *to)
{
	int start = atoi(ev->start_local), end = atoi(ev->end_local);

	*from = start - 1;
	*to = (end < start ? start : end) + 1;
}

/* Adds one VTIMEZONE per zone of evs to cal, each covering the years
 * that every event in that zone needs. */
static tn_code add_zones(icalcomponent *cal, const struct tn_ical_event *evs,
			 size_t n, struct tn_err *err)
{
	icalcomponent *vtz;
	size_t i, j;
	int from, to, f, t;
	tn_code rc;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(evs[j].tz, evs[i].tz) != 0; j++)
			;
		if (j < i)
			continue;   /* this zone is done */
		event_years(&evs[i], &from, &to);
		for (j = i + 1; j < n; j++) {
			if (strcmp(evs[j].tz, evs[i].tz) != 0)
				continue;
			event_years(&evs[j], &f, &t);
			if (f < from)
				from = f;
			if (t > to)
				to = t;
		}
		if ((rc = tn_ical_vtimezone(evs[i].tz, from, to, &vtz, err)) != TN_OK)
			return rc;
		icalcomponent_add_component(cal, vtz);
	}
	return TN_OK;
}

/* A VCALENDAR with PRODID, VERSION, CALSCALE and METHOD m, and one
 * VTIMEZONE per zone of evs (add_zones), into *out; caller frees it. */
static tn_code calendar_new(icalproperty_method m, const struct tn_ical_event *evs,
			    size_t n, icalcomponent **out, struct tn_err *err)
{
	icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalproperty *p[4];
	int i;
	tn_code rc;

	*out = NULL;
	if (!cal)
		return nomem(err);
	p[0] = icalproperty_new_prodid(PRODID);
	p[1] = icalproperty_new_version("2.0");
	p[2] = icalproperty_new_calscale("GREGORIAN");
	p[3] = icalproperty_new_method(m);
	for (i = 0; i < 4; i++)
		if (p[i])
			icalcomponent_add_property(cal, p[i]);
	if (!p[0] || !p[1] || !p[2] || !p[3]) {
		icalcomponent_free(cal);   /* with the properties it holds */
		return nomem(err);
	}
	if ((rc = add_zones(cal, evs, n, err)) != TN_OK) {
		icalcomponent_free(cal);
		return rc;
	}
	*out = cal;
	return TN_OK;
}

/* The text of cal (CRLF, folded), which must already have passed
 * icalrestriction_check: *out is malloc'd; caller frees. Frees cal. */
static tn_code calendar_text(icalcomponent *cal, char **out, struct tn_err *err)
{
	char *text = icalcomponent_as_ical_string_r(cal);

	icalcomponent_free(cal);
	if (!text)
		return nomem(err);
	*out = strdup(text);
	icalmemory_free_buffer(text);
	return *out ? TN_OK : nomem(err);
}

/* The reason icalrestriction_check gave for cal, into err; frees cal. */
static tn_code calendar_invalid(icalcomponent *cal, const char *what,
				struct tn_err *err)
{
	char why[200] = "";

	first_problem(cal, why, sizeof(why));
	icalcomponent_free(cal);
	return tn_err_set(err, TN_FAIL, "%s: invalid iCalendar: %s", what,
			  why[0] ? why : "restriction check failed");
}

tn_code tn_ical_publish_many(const struct tn_ical_event *evs, size_t n,
			     const struct tn_ical_org *org, char **out,
			     struct tn_err *err)
{
	icalcomponent *cal, *ve;
	icalproperty *stand_in;
	char what[160];
	size_t i;
	int valid;
	tn_code rc;

	*out = NULL;
	if ((rc = calendar_new(ICAL_METHOD_PUBLISH, evs, n, &cal, err)) != TN_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = tn_ical_vevent(&evs[i], org, &ve, err)) != TN_OK) {
			icalcomponent_free(cal);
			return rc;
		}
		icalcomponent_add_component(cal, ve);
	}
	/* RFC 5546 wants an ORGANIZER in a PUBLISH; without a from address
	 * there is none to give, so the rest is checked with a stand-in that
	 * is removed again before the file is written. */
	stand_in = n > 0 && !(org && org->from && *org->from)
		   ? icalproperty_new_organizer("mailto:organizer@invalid") : NULL;
	for (ve = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     stand_in && ve; ve = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		icalcomponent_add_property(ve, icalproperty_new_clone(stand_in));
	valid = icalrestriction_check(cal);
	for (ve = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     stand_in && ve; ve = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		icalproperty *p = icalcomponent_get_first_property(ve, ICAL_ORGANIZER_PROPERTY);

		icalcomponent_remove_property(ve, p);
		icalproperty_free(p);
	}
	if (stand_in)
		icalproperty_free(stand_in);
	if (!valid) {
		if (n == 1)
			snprintf(what, sizeof(what), "event '%s'", evs[0].slug);
		else
			snprintf(what, sizeof(what), "calendar");
		return calendar_invalid(cal, what, err);
	}
	return calendar_text(cal, out, err);
}

tn_code tn_ical_publish(const struct tn_ical_event *ev, const struct tn_ical_org *org,
			char **out, struct tn_err *err)
{
	return tn_ical_publish_many(ev, 1, org, out, err);
}

/*
 * The ATTENDEE of an iTIP message: CN (add_cn), ROLE=REQ-PARTICIPANT and,
 * in a REQUEST, PARTSTAT=NEEDS-ACTION and RSVP=TRUE, so that calendars
 * show Accept / Decline; the address normalised (domain as A-label).
 */
static tn_code add_attendee(icalcomponent *ve, const struct tn_ical_attendee *att,
			    int request, struct tn_err *err)
{
	struct tn_buf addr = TN_BUF_INIT, uri = TN_BUF_INIT;
	icalproperty *p = NULL;
	int ok;
	tn_code rc;

	if (!att->email || !*att->email)
		return tn_err_field(err, TN_USAGE, "email", "no attendee address");
	if ((rc = tn_email_normalize(att->email, &addr, err)) != TN_OK)
		return tn_err_prefix(err, rc, "attendee '%s'", att->email);
	ok = tn_buf_addf(&uri, "mailto:%s", addr.data) == TN_OK &&
	     (p = icalproperty_new_attendee(uri.data)) != NULL;
	if (ok && att->name && *att->name)
		ok = add_cn(p, att->name);
	if (ok) {
		icalparameter *role = icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT);
		icalparameter *stat = request ? icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION)
					      : NULL;
		icalparameter *rsvp = request ? icalparameter_new_rsvp(ICAL_RSVP_TRUE) : NULL;

		ok = role && (!request || (stat && rsvp));
		if (role)
			icalproperty_add_parameter(p, role);
		if (stat)
			icalproperty_add_parameter(p, stat);
		if (rsvp)
			icalproperty_add_parameter(p, rsvp);
	}
	tn_buf_free(&addr);
	tn_buf_free(&uri);
	if (!ok) {
		if (p)
			icalproperty_free(p);
		return nomem(err);
	}
	icalcomponent_add_property(ve, p);
	return TN_OK;
}

/* Replaces the VEVENT's URL (the public event page) with url. */
static tn_code set_url(icalcomponent *ve, const char *url, struct tn_err *err)
{
	icalproperty *p = icalcomponent_get_first_property(ve, ICAL_URL_PROPERTY);

	if (!tn_url_valid(url))
		return tn_err_field(err, TN_USAGE, "rsvp_url", "'%s': not an http(s) URL", url);
	if (p) {
		icalcomponent_remove_property(ve, p);
		icalproperty_free(p);
	}
	if (!(p = icalproperty_new_url(url)))
		return nomem(err);
	icalcomponent_add_property(ve, p);
	return TN_OK;
}

/*
 * The shape of a calendar: its components and, in each, the kinds of its
 * properties and parameters in order, and the values of those whose
 * values RFC 5546's tables restrict (METHOD, STATUS). What
 * icalrestriction_check decides depends on nothing else, and two
 * invitations to one event differ only in the attendee's address, name
 * and RSVP page. Appends to b; returns 0 when out of memory.
 */
static int shape_of(icalcomponent *c, struct tn_buf *b)
{
	icalcomponent *sub;
	icalproperty *p;
	icalparameter *q;
	int ok = tn_buf_addf(b, "(%d", (int)icalcomponent_isa(c)) == TN_OK;

	for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p && ok;
	     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
		icalproperty_kind k = icalproperty_isa(p);

		ok = tn_buf_addf(b, " %d", (int)k) == TN_OK;
		if (ok && k == ICAL_METHOD_PROPERTY)
			ok = tn_buf_addf(b, "=%d", (int)icalproperty_get_method(p)) == TN_OK;
		if (ok && k == ICAL_STATUS_PROPERTY)
			ok = tn_buf_addf(b, "=%d", (int)icalproperty_get_status(p)) == TN_OK;
		for (q = icalproperty_get_first_parameter(p, ICAL_ANY_PARAMETER); q && ok;
		     q = icalproperty_get_next_parameter(p, ICAL_ANY_PARAMETER))
			ok = tn_buf_addf(b, ";%d", (int)icalparameter_isa(q)) == TN_OK;
	}
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub && ok;
	     sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		ok = shape_of(sub, b);
	return ok && tn_buf_addch(b, ')') == TN_OK;
}

/*
 * icalrestriction_check for an iTIP calendar, run once per shape: libical
 * searches its whole restriction table for every property kind (about
 * 0.3 ms a calendar, more than everything else an invitation costs), and
 * every invitation to an event has the same shape. The shape that last
 * passed is kept (under a lock: the web server builds in threads); a
 * calendar of that shape passes without a second look. Returns 1 if cal
 * passes.
 */
static int itip_valid(icalcomponent *cal)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char *passed;
	struct tn_buf shape = TN_BUF_INIT;
	int known = 0, valid;

	if (shape_of(cal, &shape)) {
		pthread_mutex_lock(&lock);
		known = passed && strcmp(passed, shape.data) == 0;
		pthread_mutex_unlock(&lock);
	}
	if (known) {
		tn_buf_free(&shape);
		return 1;
	}
	valid = icalrestriction_check(cal);
	if (valid && shape.len) {
		char *old;

		pthread_mutex_lock(&lock);
		old = passed;
		passed = tn_buf_detach(&shape, NULL);
		pthread_mutex_unlock(&lock);
		free(old);
	}
	tn_buf_free(&shape);
	return valid;
}

tn_code tn_ical_itip(const struct tn_ical_event *ev, const struct tn_ical_org *org,
		     const struct tn_ical_attendee *att, enum tn_itip_method m,
		     char **out, struct tn_err *err)
{
	struct tn_ical_event shown = *ev;
	icalcomponent *cal, *ve;
	char what[160];
	tn_code rc;

	*out = NULL;
	if (m != TN_ITIP_REQUEST && m != TN_ITIP_CANCEL)
		return tn_err_set(err, TN_USAGE, "unknown iTIP method %d", (int)m);
	if (!org || !org->from || !*org->from) {
		tn_err_field(err, TN_USAGE, "from",
			     "no organizer address: an invitation needs one (ORGANIZER)");
		tn_err_hint(err, "the setting 'from' is the address invitations come from "
			    "and replies go to");
		tn_err_next(err, TN_NEXT_CONFIG);
		return TN_USAGE;
	}
	if (!att)
		return tn_err_set(err, TN_USAGE, "no attendee");
	if (m == TN_ITIP_REQUEST && ev->cancelled)
		return tn_err_set(err, TN_CONFLICT, "event '%s' is cancelled: "
				  "its invitees get a cancellation, not an invitation", ev->slug);
	if (m == TN_ITIP_CANCEL)
		shown.cancelled = 1;   /* RFC 5546 3.2.5: STATUS:CANCELLED */
	rc = calendar_new(m == TN_ITIP_REQUEST ? ICAL_METHOD_REQUEST : ICAL_METHOD_CANCEL,
			  &shown, 1, &cal, err);
	if (rc != TN_OK)
		return rc;
	if ((rc = tn_ical_vevent(&shown, org, &ve, err)) != TN_OK) {
		icalcomponent_free(cal);
		return rc;
	}
	icalcomponent_add_component(cal, ve);
	rc = add_attendee(ve, att, m == TN_ITIP_REQUEST, err);
	if (rc == TN_OK && m == TN_ITIP_REQUEST && att->rsvp_url && *att->rsvp_url)
		rc = set_url(ve, att->rsvp_url, err);
	if (rc != TN_OK) {
		icalcomponent_free(cal);
		return rc;
	}
	if (!itip_valid(cal)) {
		snprintf(what, sizeof(what), "event '%s'", ev->slug);
		return calendar_invalid(cal, what, err);
	}
	return calendar_text(cal, out, err);
}
