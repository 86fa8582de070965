#!/usr/bin/python3
"""baseline_render.py - the Python baseline for rendering invitations: the
same message that bench/render_bench.c makes with turnout (multipart/mixed
{ alternative { text/plain, text/html, text/calendar; method=REQUEST },
invite.ics attachment }, the same headers, and an iTIP REQUEST with a
VTIMEZONE for Europe/Berlin), built the way a user would write it with
Python's email package and python3-icalendar, N times, one per invitee.

usage: /usr/bin/python3 bench/baseline_render.py [N]      (default 2000)
prints: python: N messages in S s: M messages/s (U us each; calendar U1 us)
"""
import sys
import time
from datetime import datetime, timezone
from email.message import EmailMessage
from email.headerregistry import Address
from email.utils import format_datetime
import email.policy

import icalendar
import pytz

TEXT = (
    "Hello Anna,\n\n"
    "Readers Club invites you to Readers' meetup.\n\n"
    "When: Thursday 10 June 2027, 19:00-21:00 (Europe/Berlin)\n"
    "Where: Café Einstein, Unter den Linden 42, Berlin\n\n"
    "An evening of books, talks and tea.\nBring a friend!\n\n"
    "Will you come? https://meet.example.org/rsvp/cXV4MTIzNDU2Nzg5MFpt9vYmFyYmF6\n\n"
    "Unsubscribe: https://meet.example.org/u/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA\n"
)
HTML = (
    "<!doctype html>\n<html><body>\n<p>Hello Anna,</p>\n"
    "<p>Readers Club invites you to <b>Readers' meetup</b>.</p>\n"
    "<p>When: Thursday 10 June 2027, 19:00&ndash;21:00 (Europe/Berlin)<br>\n"
    "Where: Café Einstein, Unter den Linden 42, Berlin</p>\n"
    "<p>An evening of books, talks and tea.<br>Bring a friend!</p>\n"
    "<p><a href=\"https://meet.example.org/rsvp/cXV4MTIzNDU2Nzg5MFpt9vYmFyYmF6\">Will you come?</a></p>\n"
    "<p><a href=\"https://meet.example.org/u/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA\">Unsubscribe</a></p>\n"
    "</body></html>\n"
)
RSVP = "https://meet.example.org/rsvp/cXV4MTIzNDU2Nzg5MFpt9vYmFyYmF6"
UNSUB = "https://meet.example.org/u/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"
BERLIN = pytz.timezone("Europe/Berlin")


def vtimezone():
    """Europe/Berlin as the same three observances turnout writes."""
    tz = icalendar.Timezone()
    tz.add("TZID", "Europe/Berlin")
    first = icalendar.TimezoneStandard()
    first.add("TZNAME", "CET")
    first.add("TZOFFSETFROM", BERLIN.utcoffset(datetime(2026, 1, 1)))
    first.add("TZOFFSETTO", BERLIN.utcoffset(datetime(2026, 1, 1)))
    first.add("DTSTART", datetime(2026, 1, 1, 1, 0))
    tz.add_component(first)
    std = icalendar.TimezoneStandard()
    std.add("TZNAME", "CET")
    std.add("TZOFFSETFROM", BERLIN.utcoffset(datetime(2026, 7, 1)))
    std.add("TZOFFSETTO", BERLIN.utcoffset(datetime(2026, 1, 1)))
    std.add("DTSTART", datetime(2026, 10, 25, 3, 0))
    std.add("RRULE", {"FREQ": "YEARLY", "BYDAY": "-1SU", "BYMONTH": 10})
    tz.add_component(std)
    dst = icalendar.TimezoneDaylight()
    dst.add("TZNAME", "CEST")
    dst.add("TZOFFSETFROM", BERLIN.utcoffset(datetime(2026, 1, 1)))
    dst.add("TZOFFSETTO", BERLIN.utcoffset(datetime(2026, 7, 1)))
    dst.add("DTSTART", datetime(2026, 3, 29, 2, 0))
    dst.add("RRULE", {"FREQ": "YEARLY", "BYDAY": "-1SU", "BYMONTH": 3})
    tz.add_component(dst)
    return tz


def calendar(invitee, name):
    cal = icalendar.Calendar()
    cal.add("PRODID", "-//turnout//turnout//EN")
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "REQUEST")
    cal.add_component(vtimezone())
    ev = icalendar.Event()
    ev.add("UID", "0123456789abcdef0123456789abcdef@meet.example.org")
    ev.add("DTSTAMP", datetime.now(timezone.utc))
    ev.add("SEQUENCE", 0)
    ev.add("SUMMARY", "Readers' meetup")
    ev.add("DTSTART", BERLIN.localize(datetime(2027, 6, 10, 19, 0)))
    ev.add("DTEND", BERLIN.localize(datetime(2027, 6, 10, 21, 0)))
    ev.add("STATUS", "CONFIRMED")
    ev.add("LOCATION", "Café Einstein, Unter den Linden 42, Berlin")
    ev.add("DESCRIPTION", "An evening of books, talks and tea.\nBring a friend!")
    ev.add("URL", RSVP)
    org = icalendar.vCalAddress("mailto:team@meet.example.org")
    org.params["CN"] = icalendar.vText("Readers Club")
    ev.add("ORGANIZER", org)
    ev.add("CREATED", datetime(2026, 11, 1, 10, 0, tzinfo=timezone.utc))
    ev.add("LAST-MODIFIED", datetime(2026, 11, 1, 10, 0, tzinfo=timezone.utc))
    att = icalendar.vCalAddress("mailto:" + invitee)
    att.params["CN"] = icalendar.vText(name)
    att.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
    att.params["PARTSTAT"] = icalendar.vText("NEEDS-ACTION")
    att.params["RSVP"] = icalendar.vText("TRUE")
    ev.add("ATTENDEE", att)
    cal.add_component(ev)
    return cal.to_ical()


def message(invitee, msgid, ics):
    msg = EmailMessage()
    msg["Date"] = format_datetime(datetime.fromtimestamp(1795000000, timezone.utc))
    msg["From"] = Address("Readers Club", addr_spec="team@meet.example.org")
    msg["To"] = Address("Anna Weber", addr_spec=invitee)
    msg["Subject"] = "Invitation: Readers' meetup, Thursday 10 June 2027"
    msg["Message-ID"] = "<%s>" % msgid
    msg["List-Unsubscribe"] = "<%s>" % UNSUB
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(TEXT)
    msg.add_alternative(HTML, subtype="html")
    msg.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": "REQUEST"})
    msg.make_mixed()
    msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return msg.as_bytes(policy=email.policy.SMTP)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    in_ical = 0.0
    size = 0
    t0 = time.perf_counter()
    for i in range(n):
        invitee = "anna.weber%d@example.org" % i
        c0 = time.perf_counter()
        ics = calendar(invitee, "Anna Weber")
        in_ical += time.perf_counter() - c0
        size += len(message(invitee, "inv-1-%d.0@meet.example.org" % i, ics))
    total = time.perf_counter() - t0
    print("python: %d messages in %.2f s: %.0f messages/s (%.0f us each; calendar %.0f us; %d bytes each)"
          % (n, total, n / total, total / n * 1e6, in_ical / n * 1e6, size // n))


if __name__ == "__main__":
    main()
