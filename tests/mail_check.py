#!/usr/bin/python3
"""mail_check.py - reads one message that turnout built (FILE.eml) with
Python's email package (policy.default) and checks it against FILE.json,
which says what went in (tests/unit/t_mail.c --write makes both).

Checks: the raw form (CRLF only, lines of at most 998 octets, 7-bit);
Date, From, To, Subject, Message-ID, MIME-Version and the List-Unsubscribe
pair; the MIME tree (multipart/mixed { multipart/alternative { text/plain,
text/html, text/calendar; method=M }, application/ics attachment
invite.ics }, or the alternative alone without a calendar), charsets and
transfer encodings; the bodies, decoded, equal to what went in (line ends
CRLF, as canonical text has them); and the calendar part, read by
python3-icalendar: METHOD, UID, SEQUENCE, SUMMARY, STATUS, ORGANIZER and
ATTENDEE (mailto: address, CN, ROLE, PARTSTAT, RSVP), URL, and
DTSTART/DTEND as the expected UTC instants. The calendar part is written
to FILE.ics for ical.js (tests/ics_check.mjs).

Display names are read twice: by policy.default, and by the RFC 2047
rules (email.header.decode_header). Both must give the name exactly. The
one exception is a name written as several encoded-words in a row, which
any name longer than one encoded-word needs: Python 3.11's address parser
keeps the space between them (RFC 2047 6.2 says to drop it; Python reads
its own generator's output the same way), so for such a header only the
RFC 2047 reading is held to the name.

Run with /usr/bin/python3 (Debian's python3-icalendar). Any problem: a
message on stderr and exit 1.
"""
import email
import email.header
import email.policy
import email.utils
import json
import re
import sys
from datetime import datetime, timezone

import icalendar


def fail(msg):
    sys.stderr.write("mail_check.py: %s: %s\n" % (NAME, msg))
    sys.exit(1)


def expect(what, got, want):
    if got != want:
        fail("%s: got %r, want %r" % (what, got, want))


def check_raw(data):
    if b"\n" in data.replace(b"\r\n", b"") or b"\r" in data.replace(b"\r\n", b""):
        fail("a bare LF or CR")
    for n, line in enumerate(data.split(b"\r\n"), 1):
        if len(line) > 998:
            fail("line %d is %d octets long (max 998)" % (n, len(line)))
    if any(b >= 0x80 or b == 0 for b in data):
        fail("not 7-bit")


def cn_of(name):
    """The CN turnout writes for a name: a DQUOTE cannot be in a parameter
    (RFC 5545), so it is ', and a ^ that would start an RFC 6868 escape
    (before ', ^ or n) is U+02C6."""
    name = name.replace('"', "'")
    return re.sub(r"\^(?=['^n])", "\u02c6", name)


def raw_header(data, name):
    compat = email.message_from_bytes(data, policy=email.policy.compat32)
    values = compat.get_all(name) or []
    if len(values) != 1:
        fail("%d %s headers" % (len(values), name))
    return values[0]


def rfc2047_name(raw):
    """The display name of a one-mailbox header by RFC 2047's rules."""
    unfolded = re.sub(r"\r?\n[ \t]", " ", raw)
    name, _ = email.utils.parseaddr(unfolded)
    return str(email.header.make_header(email.header.decode_header(name)))


def check_mailbox(msg, data, header, want_name, want_addr):
    addrs = msg[header].addresses
    expect(header + " mailboxes", len(addrs), 1)
    expect(header + " address", addrs[0].addr_spec, want_addr)
    raw = raw_header(data, header)
    expect(header + " name (RFC 2047)", rfc2047_name(raw), want_name)
    if not re.search(r"\?=\s+=\?", raw):
        expect(header + " name (policy.default)", addrs[0].display_name, want_name)


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def check_text(part, subtype, want):
    expect("part type", part.get_content_type(), "text/" + subtype)
    expect(subtype + " charset", part.get_param("charset"), "utf-8")
    expect(subtype + " transfer encoding ok",
           part.get("Content-Transfer-Encoding", "7bit").lower() in ("7bit", "base64", "quoted-printable"),
           True)
    expect(subtype + " body", part.get_content(), crlf(want))


def utc(prop):
    dt = prop.dt
    if dt.tzinfo is None or dt.utcoffset() is None:
        fail("a floating time: %r" % dt)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_calendar(text, want):
    cal = icalendar.Calendar.from_ical(text)
    expect("METHOD", str(cal.get("METHOD")), want["method"])
    events = cal.walk("VEVENT")
    expect("VEVENTs", len(events), 1)
    ev = events[0]
    expect("UID", str(ev.get("UID")), want["uid"])
    expect("SEQUENCE", int(ev.get("SEQUENCE")), want["sequence"])
    expect("SUMMARY", str(ev.get("SUMMARY")), want["summary"])
    cancel = want["method"] == "CANCEL"
    expect("STATUS", str(ev.get("STATUS")), "CANCELLED" if cancel else "CONFIRMED")
    org = ev.get("ORGANIZER")
    expect("ORGANIZER", str(org), "mailto:" + want["from_addr"])
    expect("ORGANIZER CN", org.params.get("CN"), cn_of(want["from_name"]) or None)
    atts = ev.get("ATTENDEE")
    if isinstance(atts, list):
        fail("%d ATTENDEEs, want 1" % len(atts))
    expect("ATTENDEE", str(atts), "mailto:" + want["to_addr"])
    expect("ATTENDEE CN", atts.params.get("CN"), cn_of(want["to_name"]) or None)
    expect("ATTENDEE ROLE", atts.params.get("ROLE"), "REQ-PARTICIPANT")
    expect("ATTENDEE PARTSTAT", atts.params.get("PARTSTAT"), None if cancel else "NEEDS-ACTION")
    expect("ATTENDEE RSVP", atts.params.get("RSVP"), None if cancel else "TRUE")
    expect("URL", str(ev.get("URL")), want["event_url"] if cancel else want["rsvp_url"])
    expect("DTSTART", utc(ev["DTSTART"]), want["start_utc"])
    expect("DTEND", utc(ev["DTEND"]), want["end_utc"])
    tzids = [str(z["TZID"]) for z in cal.walk("VTIMEZONE")]
    expect("VTIMEZONE", tzids, [want["tz"]])


def main():
    global NAME
    if len(sys.argv) != 3:
        NAME = "usage"
        fail("mail_check.py FILE.eml FILE.json")
    NAME = sys.argv[1]
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    with open(sys.argv[2], encoding="utf-8") as f:
        want = json.load(f)
    check_raw(data)
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if msg.defects:
        fail("defects: %r" % msg.defects)

    expect("Date", msg["Date"].datetime,
           datetime.fromtimestamp(want["date"], timezone.utc))
    check_mailbox(msg, data, "From", want["from_name"], want["from_addr"])
    check_mailbox(msg, data, "To", want["to_name"], want["to_addr"])
    expect("Subject", str(msg["Subject"]), want["subject"])
    expect("Message-ID", str(msg["Message-ID"]), "<%s>" % want["message_id"])
    expect("MIME-Version", str(msg["MIME-Version"]), "1.0")
    url = want.get("unsubscribe_url")
    expect("List-Unsubscribe", str(msg["List-Unsubscribe"]), "<%s>" % url)
    expect("List-Unsubscribe-Post", str(msg["List-Unsubscribe-Post"]),
           "List-Unsubscribe=One-Click")

    method = want.get("method")
    if method:
        expect("top", msg.get_content_type(), "multipart/mixed")
        top = list(msg.iter_parts())
        expect("parts of the mixed", [p.get_content_type() for p in top],
               ["multipart/alternative", "application/ics"])
        alt = top[0]
        ics = top[1]
    else:
        alt = msg
        ics = None
    expect("alternative", alt.get_content_type(), "multipart/alternative")
    parts = list(alt.iter_parts())
    expect("parts of the alternative", [p.get_content_type() for p in parts],
           ["text/plain", "text/html"] + (["text/calendar"] if method else []))
    check_text(parts[0], "plain", want["text"])
    check_text(parts[1], "html", want["html"])
    if not method:
        print("ok %s: headers, parts, bodies" % NAME)
        return
    cal = parts[2]
    expect("calendar charset", cal.get_param("charset"), "utf-8")
    expect("calendar method", cal.get_param("method"), method)
    expect("attachment", ics.get_content_disposition(), "attachment")
    expect("attachment filename", ics.get_filename(), "invite.ics")
    expect("attachment name", ics.get_param("name"), "invite.ics")
    text = cal.get_content()
    expect("attachment holds the calendar", ics.get_content(), text.encode("utf-8"))
    check_calendar(text.encode("utf-8"), want)
    out = re.sub(r"\.eml$", "", sys.argv[1]) + ".ics"
    with open(out, "wb") as f:
        f.write(text.encode("utf-8"))
    print("ok %s: headers, parts, bodies, %s calendar" % (NAME, method))


NAME = "?"
main()
