#!/usr/bin/python3
"""sent_check.py - reads a message that 'turnout send' delivered (the
exact bytes an SMTP server received) with Python's email package and
python3-icalendar, and checks it against what the test expects.

usage: sent_check.py FILE.eml KEY=VALUE...

Keys (each optional; those given must match exactly):
  to_addr, to_name, from_addr, from_name, message_id   headers
  method, uid, sequence, status                          the calendar
  start_utc, end_utc (YYYY-MM-DDTHH:MM:SSZ), tz          its instants
  rsvp (1: the text, HTML and calendar carry the same
        base-url/rsvp/TOKEN link; 0: none)
  name_in_text (the greeting in the text part names this)

Always checked: CRLF line ends only, lines of at most 998 octets, 7-bit;
the MIME tree multipart/mixed { multipart/alternative { text/plain,
text/html, text/calendar; method=M }, application/ics invite.ics }; a
List-Unsubscribe https URL and List-Unsubscribe-Post; the calendar part
equal to the attachment. The calendar part is written to FILE.ics (for
ical.js). Prints nothing when all is well; else why, and exits 1.
"""
import email
import email.header
import email.policy
import email.utils
import re
import sys
from datetime import timezone

import icalendar

PATH = sys.argv[1]
WANT = dict(a.split("=", 1) for a in sys.argv[2:])


def fail(msg):
    sys.stderr.write("sent_check.py: %s: %s\n" % (PATH, msg))
    sys.exit(1)


def expect(key, got):
    if key in WANT and str(got) != WANT[key]:
        fail("%s: got %r, want %r" % (key, got, WANT[key]))


raw = open(PATH, "rb").read()
if re.search(rb"(?<!\r)\n", raw) or re.search(rb"\r(?!\n)", raw):
    fail("a line does not end in CRLF")
if any(len(line) > 998 for line in raw.split(b"\r\n")):
    fail("a line is longer than 998 octets")
if any(b > 127 for b in raw):
    fail("8-bit bytes in the message")
msg = email.message_from_bytes(raw, policy=email.policy.default)

def rfc2047_name(header):
    """The display name of a one-mailbox header by RFC 2047's rules
    (Python 3.11's address parser keeps the space between two adjacent
    encoded-words, which a long name needs; see mail_check.py)."""
    compat = email.message_from_bytes(raw, policy=email.policy.compat32)
    unfolded = re.sub(r"\r?\n[ \t]", " ", compat[header])
    name, _ = email.utils.parseaddr(unfolded)
    return str(email.header.make_header(email.header.decode_header(name)))


frm, to = msg["From"].addresses[0], msg["To"].addresses[0]
expect("from_addr", frm.addr_spec)
expect("from_name", rfc2047_name("From"))
expect("to_addr", to.addr_spec)
expect("to_name", rfc2047_name("To"))
expect("message_id", msg["Message-ID"].strip("<>"))
unsub = str(msg["List-Unsubscribe"] or "")
if not re.fullmatch(r"<https://[^>\s]+/u/[A-Za-z0-9_-]{24}>", unsub):
    fail("List-Unsubscribe: %r" % unsub)
if str(msg["List-Unsubscribe-Post"]) != "List-Unsubscribe=One-Click":
    fail("List-Unsubscribe-Post: %r" % msg["List-Unsubscribe-Post"])

if msg.get_content_type() != "multipart/mixed":
    fail("top: %s" % msg.get_content_type())
alt, att = msg.get_payload()
types = [p.get_content_type() for p in alt.get_payload()]
if alt.get_content_type() != "multipart/alternative" or \
        types != ["text/plain", "text/html", "text/calendar"]:
    fail("parts: %s %s" % (alt.get_content_type(), types))
text, html, cal_part = alt.get_payload()
if att.get_content_type() != "application/ics" or att.get_filename() != "invite.ics":
    fail("attachment: %s %s" % (att.get_content_type(), att.get_filename()))
cal_text = cal_part.get_content()
att_text = att.get_content()
if isinstance(att_text, bytes):
    att_text = att_text.decode()
if att_text.replace("\r\n", "\n") != cal_text.replace("\r\n", "\n"):
    fail("the attachment differs from the calendar part")
method = cal_part.get_param("method")

cal = icalendar.Calendar.from_ical(cal_text)
expect("method", cal.get("METHOD"))
if str(cal.get("METHOD")) != method:
    fail("METHOD %s but Content-Type method=%s" % (cal.get("METHOD"), method))
ev = [c for c in cal.walk("VEVENT")][0]
expect("uid", ev.get("UID"))
expect("sequence", int(ev.get("SEQUENCE")))
expect("status", ev.get("STATUS"))
org, att_prop = ev.get("ORGANIZER"), ev.get("ATTENDEE")
if str(org).lower() != "mailto:" + frm.addr_spec.lower():
    fail("ORGANIZER %s, From %s" % (org, frm.addr_spec))
if str(att_prop).lower() != "mailto:" + to.addr_spec.lower():
    fail("ATTENDEE %s, To %s" % (att_prop, to.addr_spec))


def utc(prop):
    return prop.dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


expect("start_utc", utc(ev["DTSTART"]))
expect("end_utc", utc(ev["DTEND"]))
expect("tz", ev["DTSTART"].params.get("TZID"))

plain, page = text.get_content(), html.get_content()
links = set(re.findall(r"https://[^\s\"<>]+/rsvp/[A-Za-z0-9_-]{24}", plain + page + cal_text.replace("\r\n ", "")))
if WANT.get("rsvp") == "1":
    if len(links) != 1:
        fail("RSVP links: %s" % sorted(links))
    if str(ev.get("URL")) not in links:
        fail("the calendar's URL %s is not the RSVP link" % ev.get("URL"))
elif WANT.get("rsvp") == "0" and links:
    fail("RSVP links in a message that should have none: %s" % sorted(links))
if "name_in_text" in WANT and WANT["name_in_text"] not in plain:
    fail("the text does not name %r" % WANT["name_in_text"])
open(PATH[:-4] + ".ics", "w").write(cal_text)
