#!/usr/bin/python3
"""ics_check.py - reads an .ics file with python3-icalendar and prints what
a calendar would show, one "key=value" line each, for the shell tests to
compare with the expected values (and with tests/ics_check.mjs).

Each ATTENDEE (an iTIP REQUEST or CANCEL) is printed with its CN, ROLE,
PARTSTAT and RSVP. The file must hold exactly one VEVENT; with --feed (ics --all) it may hold
any number, each printed after a "--" line, following "vevents=N", and
each zone must have exactly one VTIMEZONE, used by some event.

Run it with /usr/bin/python3 (Debian's python3-icalendar). Besides the
library's own parse, it checks the raw text (CRLF only, lines at most 75
octets, each line valid UTF-8, no UNTIL in a VTIMEZONE, TZID the plain
IANA name) and converts DTSTART/DTEND twice: with the tzinfo the parser
attached and with the tzinfo built from the file's own VTIMEZONE
(Timezone.to_tz), which must agree. A value without TZID must be UTC
("tzid=-"). Any problem: a message on stderr and
exit 1.
"""
import json
import sys
from datetime import timezone

import icalendar


def fail(msg):
    sys.stderr.write("ics_check.py: %s\n" % msg)
    sys.exit(1)


def check_raw(data):
    if b"\n" in data.replace(b"\r\n", b""):
        fail("a line ends in a bare LF")
    if b"\r" in data.replace(b"\r\n", b""):
        fail("a bare CR")
    if not data.endswith(b"\r\n"):
        fail("the file does not end with CRLF")
    in_vtz = False
    for n, line in enumerate(data.split(b"\r\n")[:-1], 1):
        if len(line) > 75:
            fail("line %d is %d octets long (max 75)" % (n, len(line)))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            fail("line %d is not UTF-8 on its own (a fold split a character)" % n)
        if line == b"BEGIN:VTIMEZONE":
            in_vtz = True
        elif line == b"END:VTIMEZONE":
            in_vtz = False
        elif in_vtz and b"UNTIL" in line:
            fail("line %d: an UNTIL inside the VTIMEZONE" % n)
        if line.startswith(b"TZID:") and (b"/freeassociation" in line or line.startswith(b"TZID:/")):
            fail("line %d: TZID is not a plain IANA name" % n)


def utc(dt):
    if dt.tzinfo is None or dt.utcoffset() is None:
        fail("a floating (naive) time: %r" % dt)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_lines(ev, zones):
    out = []
    for key in ("UID", "SEQUENCE", "STATUS"):
        out.append("%s=%s" % (key.lower(), ev.get(key)))
    for key in ("SUMMARY", "DESCRIPTION", "LOCATION", "URL"):
        value = ev.get(key)
        out.append("%s=%s" % (key.lower(),
                              json.dumps(str(value), ensure_ascii=False) if value is not None else "-"))
    org = ev.get("ORGANIZER")
    if org is not None:
        out.append("organizer=%s cn=%s" % (str(org), org.params.get("CN", "-")))
    else:
        out.append("organizer=-")
    atts = ev.get("ATTENDEE")
    for att in atts if isinstance(atts, list) else [atts] if atts is not None else []:
        out.append("attendee=%s cn=%s role=%s partstat=%s rsvp=%s" % (
            str(att), att.params.get("CN", "-"), att.params.get("ROLE", "-"),
            att.params.get("PARTSTAT", "-"), att.params.get("RSVP", "-")))
    for key in ("DTSTART", "DTEND"):
        prop = ev[key]
        tzid = prop.params.get("TZID")
        if not tzid:
            # only a UTC value may go without TZID (never a floating one)
            if not prop.to_ical().endswith(b"Z"):
                fail("%s: a floating time" % key)
            out.append("%s=%s tzid=-" % (key.lower(), utc(prop.dt)))
            continue
        if tzid not in zones:
            fail("%s: TZID %s has no VTIMEZONE" % (key, tzid))
        own = zones[tzid].localize(prop.dt.replace(tzinfo=None))
        if utc(own) != utc(prop.dt):
            fail("%s: the file's VTIMEZONE gives %s, the parser %s"
                 % (key, utc(own), utc(prop.dt)))
        out.append("%s=%s tzid=%s" % (key.lower(), utc(own), tzid))
    return out


def main():
    args = sys.argv[1:]
    feed = "--feed" in args
    if feed:
        args.remove("--feed")
    if len(args) != 1:
        fail("usage: ics_check.py [--feed] FILE.ics")
    with open(args[0], "rb") as f:
        data = f.read()
    check_raw(data)
    cal = icalendar.Calendar.from_ical(data)
    zones = {}
    for vtz in cal.walk("VTIMEZONE"):
        tzid = str(vtz["TZID"])
        if tzid in zones:
            fail("two VTIMEZONEs for %s" % tzid)
        zones[tzid] = vtz.to_tz()   # the file's own rules
    events = cal.walk("VEVENT")
    if not feed and len(events) != 1:
        fail("%d VEVENTs, want 1" % len(events))
    out = []
    out.append("method=%s" % cal.get("METHOD"))
    out.append("prodid=%s" % cal.get("PRODID"))
    out.append("version=%s" % cal.get("VERSION"))
    if not feed:
        out += event_lines(events[0], zones)
    else:
        out.append("vevents=%d" % len(events))
        used = set()
        for ev in events:
            out.append("--")
            out += event_lines(ev, zones)
            for key in ("DTSTART", "DTEND"):
                used.add(ev[key].params.get("TZID"))
        for tzid in zones:
            if tzid not in used:
                fail("VTIMEZONE %s is used by no event" % tzid)
    print("\n".join(out))


main()
