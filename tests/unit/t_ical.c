/* t_ical.c - the VTIMEZONE reshaping, the PUBLISH calendar's structure
 * and the iTIP REQUEST and CANCEL, read back with libical's own parser. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "turnout/file.h"
#include "turnout/ical.h"
#include "turnout/tz.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

/* The VTIMEZONE for an event in year (from the year before to the year
 * after it), as text; caller frees. */
static char *vtz_text(const char *zone, int year)
{
	struct tn_err err = TN_ERR_INIT;
	icalcomponent *vtz = NULL;
	char *s;

	if (tn_ical_vtimezone(zone, year - 1, year + 1, &vtz, &err) != TN_OK)
		return NULL;
	s = icalcomponent_as_ical_string_r(vtz);
	icalcomponent_free(vtz);
	return s;
}

/* 1 if some observance in s starts (DTSTART or RDATE) after year. */
static int after_year(const char *s, int year)
{
	const char *p;

	for (p = s; (p = strstr(p, "\r\n")) != NULL; p += 2) {
		const char *v = NULL;

		if (strncmp(p + 2, "DTSTART:", 8) == 0)
			v = p + 10;
		else if (strncmp(p + 2, "RDATE:", 6) == 0)
			v = p + 8;
		if (v && atoi(v) / 10000 > year)
			return 1;
	}
	return 0;
}

static void check_zone(const char *zone, int year)
{
	char *s = vtz_text(zone, year), want[96];

	ok(s != NULL, "%s %d built", zone, year);
	if (!s)
		return;
	snprintf(want, sizeof(want), "\r\nTZID:%s\r\n", zone);
	ok(strstr(s, want) != NULL, "%s %d: TZID is the IANA name", zone, year);
	ok(!strstr(s, "freeassociation"), "%s %d: no libical prefix", zone, year);
	ok(!strstr(s, "UNTIL"), "%s %d: no UNTIL", zone, year);
	free(s);
}

static struct tn_ical_event sample(void)
{
	struct tn_ical_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.slug = "vstrecha";
	ev.uid = "0123456789abcdef0123456789abcdef@meet.example.org";
	ev.title = "Встреча; читателей, \"Москва\"\nвторая строка";
	ev.tz = "Europe/Berlin";
	ev.start_local = "2026-03-29 19:00";
	ev.end_local = "2026-03-29 21:00";
	ev.start_utc = "2026-03-29T17:00:00Z";
	ev.end_utc = "2026-03-29T19:00:00Z";
	ev.venue = "Клуб «Ромашка»";
	ev.address = "Unter den Linden 1, Berlin";
	ev.description = "Party 🎉🎉 with a long description that must fold "
			 "somewhere past the seventy-fifth octet of its line";
	ev.sequence = 3;
	ev.created_at = "2026-11-01T10:00:00Z";
	ev.updated_at = "2026-11-02T10:00:00Z";
	return ev;
}

/* The VTIMEZONE block of a calendar's text; caller frees. */
static char *vtimezone_of(const char *cal)
{
	const char *from = strstr(cal, "BEGIN:VTIMEZONE"), *to;

	to = from ? strstr(from, "END:VTIMEZONE\r\n") : NULL;
	return to ? strndup(from, (size_t)(to - from)) : NULL;
}

/* The first ATTENDEE of text's VEVENT, read back by libical; caller
 * frees the component. */
static icalproperty *attendee_of(const char *text, icalcomponent **cal)
{
	icalcomponent *ve;

	*cal = icalparser_parse_string(text);
	ve = *cal ? icalcomponent_get_first_component(*cal, ICAL_VEVENT_COMPONENT) : NULL;
	return ve ? icalcomponent_get_first_property(ve, ICAL_ATTENDEE_PROPERTY) : NULL;
}

static const char *param_cn(icalproperty *p)
{
	icalparameter *cn = p ? icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER) : NULL;

	return cn ? icalparameter_get_cn(cn) : NULL;
}

static void check_itip(void)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_ical_org org = { "Клуб \"Readers\"; Berlin", "org@example.org",
				   "https://meet.example.org" };
	struct tn_ical_event ev = sample();
	struct tn_ical_attendee att = {
		"ivan@ПРИМЕР.РФ", "<img src=x onerror=alert(1)> \"Ива́н\" =?utf-8?q?x?=",
		"https://meet.example.org/rsvp/TOKEN"
	};
	icalcomponent *cal;
	icalproperty *p;
	char *text = NULL, *published = NULL, *a, *b;

	is_int(tn_ical_itip(&ev, &org, &att, TN_ITIP_REQUEST, &text, &err), TN_OK,
	       "iTIP REQUEST (%s)", err.msg);
	if (!text)
		return;
	tn_ical_publish(&ev, &org, &published, &err);
	a = vtimezone_of(text);
	b = published ? vtimezone_of(published) : NULL;
	ok(a && b && strcmp(a, b) == 0, "REQUEST: the same VTIMEZONE as publish");
	free(a);
	free(b);
	free(published);
	ok(strstr(text, "\r\nMETHOD:REQUEST\r\n") != NULL, "METHOD:REQUEST");
	ok(strstr(text, "\r\nUID:0123456789abcdef0123456789abcdef@meet.example.org\r\n") &&
	   strstr(text, "\r\nSEQUENCE:3\r\n") && strstr(text, "\r\nSTATUS:CONFIRMED\r\n"),
	   "REQUEST: the event's UID and SEQUENCE, confirmed");
	ok(strstr(text, "ORGANIZER;CN=\"Клуб 'Readers'; Berlin\":mailto:org@example.org"),
	   "ORGANIZER: CN quoted, its DQUOTEs made single quotes");
	ok(strstr(text, "\r\nURL:https://meet.example.org/rsvp/TOKEN\r\n") &&
	   !strstr(text, "/e/vstrecha"), "REQUEST: URL is the personal RSVP page");
	ok(!strstr(text, "^'"), "no RFC 6868 escape that python-icalendar 4 would not read");
	p = attendee_of(text, &cal);
	ok(cal && icalcomponent_count_errors(cal) == 0 && icalrestriction_check(cal),
	   "REQUEST: parses, and passes the restriction check");
	is_str(p ? icalproperty_get_attendee(p) : NULL, "mailto:ivan@xn--e1afmkfd.xn--p1ai",
	       "ATTENDEE: mailto, the domain as an A-label");
	is_str(param_cn(p), "<img src=x onerror=alert(1)> 'Ива́н' =?utf-8?q?x?=",
	       "ATTENDEE: the hostile CN reads back, DQUOTE as '");
	ok(p && icalparameter_get_rsvp(icalproperty_get_first_parameter(p, ICAL_RSVP_PARAMETER))
		== ICAL_RSVP_TRUE, "ATTENDEE: RSVP=TRUE");
	ok(p && icalparameter_get_partstat(icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER))
		== ICAL_PARTSTAT_NEEDSACTION, "ATTENDEE: PARTSTAT=NEEDS-ACTION");
	ok(p && icalparameter_get_role(icalproperty_get_first_parameter(p, ICAL_ROLE_PARAMETER))
		== ICAL_ROLE_REQPARTICIPANT, "ATTENDEE: ROLE=REQ-PARTICIPANT");
	icalcomponent_free(cal);
	free(text);

	is_int(tn_ical_itip(&ev, &org, &att, TN_ITIP_CANCEL, &text, &err), TN_OK,
	       "iTIP CANCEL (%s)", err.msg);
	ok(text && strstr(text, "\r\nMETHOD:CANCEL\r\n") &&
	   strstr(text, "\r\nSTATUS:CANCELLED\r\n"), "CANCEL: METHOD:CANCEL, STATUS:CANCELLED");
	ok(text && strstr(text, "\r\nURL:https://meet.example.org/e/vstrecha\r\n"),
	   "CANCEL: the URL stays the event page");
	p = text ? attendee_of(text, &cal) : NULL;
	ok(p && cal && icalrestriction_check(cal), "CANCEL: passes the restriction check");
	ok(p && !icalproperty_get_first_parameter(p, ICAL_RSVP_PARAMETER) &&
	   !icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER),
	   "CANCEL: the attendee without RSVP or PARTSTAT");
	if (text)
		icalcomponent_free(cal);
	free(text);
	text = NULL;

	/* a name with RFC 6868's escape character, no name, no RSVP page */
	att.name = "a^'b^^c^nd^x \"q\"";
	att.rsvp_url = NULL;
	is_int(tn_ical_itip(&ev, &org, &att, TN_ITIP_REQUEST, &text, &err), TN_OK,
	       "a name with ^ (%s)", err.msg);
	p = text ? attendee_of(text, &cal) : NULL;
	is_str(param_cn(p), "a\xcb\x86'b\xcb\x86^c\xcb\x86nd^x 'q'",
	       "a ^ that would start an RFC 6868 escape becomes U+02C6");
	ok(text && strstr(text, "\r\nURL:https://meet.example.org/e/vstrecha\r\n"),
	   "no RSVP page: the URL is the event page");
	if (text)
		icalcomponent_free(cal);
	free(text);
	text = NULL;
	att.name = NULL;
	is_int(tn_ical_itip(&ev, &org, &att, TN_ITIP_REQUEST, &text, &err), TN_OK,
	       "no name (%s)", err.msg);
	ok(text && strstr(text, "ATTENDEE;ROLE=REQ-PARTICIPANT;"), "no name: no CN");
	free(text);
	text = NULL;

	/* refusals */
	att.email = "not an address";
	is_int(tn_ical_itip(&ev, &org, &att, TN_ITIP_REQUEST, &text, &err), TN_BADINPUT,
	       "a bad attendee address (%s)", err.msg);
	ok(text == NULL, "no text on failure");
	att.email = "ivan@example.org";
	att.rsvp_url = "javascript:alert(1)";
	is_int(tn_ical_itip(&ev, &org, &att, TN_ITIP_REQUEST, &text, &err), TN_USAGE,
	       "an RSVP URL that is not http(s) (%s)", err.msg);
	att.rsvp_url = NULL;
	org.from = NULL;
	is_int(tn_ical_itip(&ev, &org, &att, TN_ITIP_REQUEST, &text, &err), TN_USAGE,
	       "no organizer address (%s)", err.msg);
	is_str(err.field, "from", "the error is about the setting 'from'");
	is_int(err.next, TN_NEXT_CONFIG, "the next step: change a setting");
	org.from = "org@example.org";
	ev.cancelled = 1;
	is_int(tn_ical_itip(&ev, &org, &att, TN_ITIP_REQUEST, &text, &err), TN_CONFLICT,
	       "a REQUEST for a cancelled event (%s)", err.msg);
	is_int(tn_ical_itip(&ev, &org, &att, (enum tn_itip_method)7, &text, &err), TN_USAGE,
	       "an unknown method");
	ok(text == NULL, "still no text");
}

int main(void)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_ical_org org = { "Test Org", "org@example.org",
				   "https://meet.example.org/" };
	struct tn_ical_event ev = sample();
	icalcomponent *cal, *vevent, *vtz = NULL;
	char *text = NULL, *s, *line, dir[256], path[300];
	size_t maxlen = 0;
	int bare_lf = 0;
	FILE *f;

	setenv("TURNOUT_NOW", "2026-11-24T12:00:00Z", 1);

	/* VTIMEZONE: the Berlin shape turnout writes (tombstone, then
	 * the two open-ended rules from 2025). */
	s = vtz_text("Europe/Berlin", 2026);
	ok(s && strstr(s, "DTSTART:20250101T010000") &&
	   strstr(s, "DTSTART:20251026T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10") &&
	   strstr(s, "DTSTART:20250330T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
	   "Berlin 2026: open-ended rules merged back to 2025");
	is_int(s ? count(s, "BEGIN:STANDARD") + count(s, "BEGIN:DAYLIGHT") : 0, 3,
	       "Berlin 2026: three observances");
	free(s);
	check_zone("Europe/Berlin", 2026);
	check_zone("Europe/Berlin", 2037);
	check_zone("America/New_York", 2026);
	check_zone("America/New_York", 1996);
	check_zone("Asia/Yekaterinburg", 2010);
	check_zone("Asia/Yekaterinburg", 2026);
	check_zone("Asia/Yekaterinburg", 2037);
	check_zone("Australia/Sydney", 2026);
	check_zone("Europe/Moscow", 1975);
	s = vtz_text("Asia/Yekaterinburg", 2010);
	ok(s && strstr(s, "RDATE"), "Yekaterinburg 2010: bounded rules became RDATEs");
	free(s);

	/* the upper bound: only the years around the event */
	s = vtz_text("Europe/Moscow", 1975);
	ok(s && strstr(s, "DTSTART:19740101T030000") && !strstr(s, "RDATE") &&
	   !strstr(s, "RRULE"), "Moscow 1975: no DST then, only the tombstone");
	is_int(s ? count(s, "BEGIN:STANDARD") + count(s, "BEGIN:DAYLIGHT") : 0, 1,
	       "Moscow 1975: one observance");
	ok(s && !after_year(s, 1977), "Moscow 1975: nothing after 1977");
	free(s);
	s = vtz_text("Europe/Moscow", 1982);
	ok(s && strstr(s, "DTSTART:19810401T000000") &&
	   strstr(s, "RDATE:19820401T000000") && strstr(s, "RDATE:19830401T000000") &&
	   !strstr(s, "19840401"), "Moscow 1982: the 1981-1983 changes only");
	ok(s && !after_year(s, 1984), "Moscow 1982: nothing after 1984");
	free(s);
	s = vtz_text("Asia/Yekaterinburg", 2026);
	ok(s && !strstr(s, "2038"), "Yekaterinburg 2026: no 2038 sentinel");
	is_int(s ? count(s, "BEGIN:STANDARD") + count(s, "BEGIN:DAYLIGHT") : 0, 1,
	       "Yekaterinburg 2026: one observance");
	free(s);
	s = vtz_text("Asia/Yekaterinburg", 2037);
	ok(s && !strstr(s, "DTSTART:2038"), "Yekaterinburg 2037: no 2038 sentinel");
	free(s);
	s = vtz_text("Asia/Yekaterinburg", 2014);
	ok(s && strstr(s, "TZOFFSETFROM:+0600\r\nTZOFFSETTO:+0500\r\n"
			  "DTSTART:20141026T020000"),
	   "Yekaterinburg 2014: the change to +05 kept");
	free(s);
	is_int(tn_ical_vtimezone("Europe/Atlantis", 2025, 2027, &vtz, &err), TN_USAGE,
	       "unknown zone refused");
	ok(vtz == NULL, "no component for an unknown zone");

	/* the whole calendar */
	is_int(tn_ical_publish(&ev, &org, &text, &err), TN_OK, "publish (%s)", err.msg);
	if (!text)
		return tap_done();
	ok(strncmp(text, "BEGIN:VCALENDAR\r\n", 17) == 0, "starts with BEGIN:VCALENDAR");
	ok(strstr(text, "\r\nMETHOD:PUBLISH\r\n") != NULL, "METHOD:PUBLISH");
	ok(strstr(text, "\r\nPRODID:-//turnout//turnout//EN\r\n") != NULL, "PRODID");
	ok(strstr(text, "\r\nDTSTART;TZID=Europe/Berlin:20260329T190000\r\n") != NULL,
	   "DTSTART with TZID");
	ok(strstr(text, "\r\nDTEND;TZID=Europe/Berlin:20260329T210000\r\n") != NULL,
	   "DTEND with TZID");
	ok(strstr(text, "\r\nSEQUENCE:3\r\n") != NULL, "SEQUENCE");
	ok(strstr(text, "\r\nSTATUS:CONFIRMED\r\n") != NULL, "STATUS:CONFIRMED");
	ok(strstr(text, "\r\nDTSTAMP:20261124T120000Z\r\n") != NULL, "DTSTAMP is now");
	ok(strstr(text, "\r\nURL:https://meet.example.org/e/vstrecha\r\n") != NULL,
	   "URL from base_url without a double slash");
	ok(strstr(text, "ORGANIZER;CN=Test Org:mailto:org@example.org") != NULL,
	   "ORGANIZER");
	ok(strstr(text, "\\;") && strstr(text, "\\,") && strstr(text, "\\n"),
	   "; , and newline escaped");
	ok(!strstr(text, "UNTIL"), "no UNTIL anywhere");
	for (s = text; *s; s = line + 1) {
		line = strchr(s, '\n');
		if (!line)
			break;
		if (line == s || line[-1] != '\r')
			bare_lf++;
		if ((size_t)(line - s - 1) > maxlen)
			maxlen = (size_t)(line - s - 1);
	}
	is_int(bare_lf, 0, "CRLF only");
	ok(maxlen <= 75, "lines fold at 75 octets (longest %zu)", maxlen);
	ok(strstr(text, "\r\n ") != NULL, "something was folded");

	/* libical reads it back exactly */
	cal = icalparser_parse_string(text);
	ok(cal && icalcomponent_count_errors(cal) == 0, "parses without errors");
	vevent = cal ? icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT) : NULL;
	ok(vevent != NULL, "has a VEVENT");
	if (vevent) {
		struct icaltimetype t = icalcomponent_get_dtstart(vevent);
		struct icaltimetype u = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());

		is_str(icalcomponent_get_summary(vevent), ev.title, "SUMMARY round trip");
		is_str(icalcomponent_get_description(vevent), ev.description,
		       "DESCRIPTION round trip");
		is_str(icalcomponent_get_location(vevent),
		       "Клуб «Ромашка», Unter den Linden 1, Berlin", "LOCATION round trip");
		is_str(icalcomponent_get_uid(vevent), ev.uid, "UID");
		is_str(icaltime_as_ical_string(u), "20260329T170000Z", "DTSTART instant");
	}
	ok(cal && icalrestriction_check(cal), "restriction check passes on reading");
	icalcomponent_free(cal);
	free(text);

	/* cancelled, and no organizer address */
	ev.cancelled = 1;
	org.from = NULL;
	org.base_url = NULL;
	is_int(tn_ical_publish(&ev, &org, &text, &err), TN_OK,
	       "publish without from (%s)", err.msg);
	ok(text && strstr(text, "\r\nSTATUS:CANCELLED\r\n"), "STATUS:CANCELLED");
	ok(text && !strstr(text, "ORGANIZER"), "no ORGANIZER without from");
	ok(text && !strstr(text, "\r\nURL:"), "no URL without base_url");
	ok(text && !strstr(text, "X-LIC-ERROR"), "no X-LIC-ERROR left behind");

	/* a feed: one VTIMEZONE per zone, over the years of all its events */
	{
		struct tn_ical_org by = { "Test Org", "org@example.org", NULL };
		struct tn_ical_event evs[3];
		char *feed = NULL;

		evs[0] = sample();
		evs[1] = sample();
		evs[1].uid = "second@meet.example.org";
		evs[1].start_local = "2031-07-01 19:00";
		evs[1].end_local = "2031-07-01 21:00";
		evs[1].start_utc = "2031-07-01T17:00:00Z";
		evs[1].end_utc = "2031-07-01T19:00:00Z";
		evs[2] = sample();
		evs[2].uid = "third@meet.example.org";
		evs[2].tz = "Europe/Moscow";
		evs[2].start_local = "1984-07-15 19:00";
		evs[2].end_local = "1984-07-15 21:00";
		evs[2].start_utc = "1984-07-15T15:00:00Z";
		evs[2].end_utc = "1984-07-15T17:00:00Z";
		is_int(tn_ical_publish_many(evs, 3, &by, &feed, &err), TN_OK,
		       "publish a feed (%s)", err.msg);
		is_int(feed ? count(feed, "BEGIN:VEVENT") : 0, 3, "feed: three VEVENTs");
		is_int(feed ? count(feed, "BEGIN:VTIMEZONE") : 0, 2, "feed: two VTIMEZONEs");
		is_int(feed ? count(feed, "\r\nTZID:Europe/Berlin\r\n") : 0, 1,
		       "feed: one for Berlin, shared by two events");
		ok(feed && strstr(feed, "DTSTART:20250101T010000"),
		   "feed: Berlin's from the year before the first event");
		ok(feed && strstr(feed, "\r\nUID:third@meet.example.org\r\n") &&
		   strstr(feed, "DTSTART:19830101T"), "feed: Moscow's from 1983");
		cal = feed ? icalparser_parse_string(feed) : NULL;
		ok(cal && icalcomponent_count_errors(cal) == 0 && icalrestriction_check(cal),
		   "feed: parses, and passes the restriction check");
		icalcomponent_free(cal);
		free(feed);
		feed = NULL;
		by.from = NULL;
		is_int(tn_ical_publish_many(evs, 3, &by, &feed, &err), TN_OK,
		       "a feed without from is checked too (%s)", err.msg);
		ok(feed && !strstr(feed, "ORGANIZER") && !strstr(feed, "X-LIC-ERROR"),
		   "feed without from: no ORGANIZER, no stand-in left behind");
		free(feed);
		feed = NULL;
		is_int(tn_ical_publish_many(evs, 0, &by, &feed, &err), TN_OK,
		       "publish an empty feed (%s)", err.msg);
		ok(feed && !strstr(feed, "BEGIN:VEVENT") && !strstr(feed, "VTIMEZONE") &&
		   strstr(feed, "\r\nMETHOD:PUBLISH\r\n"), "empty feed: a calendar alone");
		free(feed);
	}

	check_itip();

	/* atomic write */
	ok(tap_tmpdir(dir, sizeof(dir)) != NULL, "scratch dir");
	snprintf(path, sizeof(path), "%s/e.ics", dir);
	is_int(tn_file_write_atomic(path, text, strlen(text), &err), TN_OK, "write file");
	f = fopen(path, "rb");
	if (f) {
		char got[8192];
		size_t n = fread(got, 1, sizeof(got) - 1, f);

		got[n] = '\0';
		fclose(f);
		is_str(got, text, "file holds the text");
	} else {
		ok(0, "file readable");
	}
	{
		struct stat sb;
		mode_t mask = umask(022);

		umask(mask);
		ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == (0644 & ~mask),
		   "the file is 0644 less the umask (%o)", (unsigned)(sb.st_mode & 0777));
		umask(077);
		snprintf(path, sizeof(path), "%s/private.ics", dir);
		tn_file_write_atomic(path, "x", 1, &err);
		umask(mask);
		ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600,
		   "umask 077 gives 0600 (%o)", (unsigned)(sb.st_mode & 0777));
		unlink(path);
		snprintf(path, sizeof(path), "%s/e.ics", dir);
	}
	snprintf(path, sizeof(path), "%s/no/such/dir/e.ics", dir);
	is_int(tn_file_write_atomic(path, text, strlen(text), &err), TN_IO, "missing directory: TN_IO");
	ok(strstr(err.msg, "e.ics") != NULL, "error names the file: %s", err.msg);
	snprintf(path, sizeof(path), "%s/e.ics", dir);
	unlink(path);
	ok(rmdir(dir) == 0, "no temporary file is left behind");
	free(text);
	tn_tz_cleanup();
	return tap_done();
}
