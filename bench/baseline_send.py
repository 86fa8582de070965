#!/usr/bin/python3
"""baseline_send.py - the Python baseline for 'turnout send': the same job
on the same database, written the way a user would write it with sqlite3,
Python's email package, python3-icalendar and smtplib.

For every queued message in the outbox of a database that 'turnout
invite' filled: read the invitation, the invitee and the event; make two
personal tokens (secrets.token_urlsafe, their BLAKE2b hashes stored in
invitation_token, as turnout stores them); build the same message as
bench/baseline_render.py (text, HTML, the iTIP REQUEST with its VTIMEZONE,
the invite.ics attachment, List-Unsubscribe); send it over one SMTP
connection; and mark it sent. Like turnout, messages are claimed and
recorded in batches of 16, each in its own transaction.

usage: baseline_send.py DB SMTP_HOST SMTP_PORT
prints: sent N
"""
import hashlib
import os
import secrets
import smtplib
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baseline_render  # noqa: E402  (the message, built as there)

BATCH = 16


def token(cur, invitation, kind):
    t = secrets.token_urlsafe(18)
    cur.execute("INSERT INTO invitation_token(hash, kind, invitation_id, created_at)"
                " VALUES(?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                (hashlib.blake2b(t.encode(), digest_size=32).digest(), kind, invitation))
    return t


def main():
    db, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    cur = con.cursor()
    smtp = smtplib.SMTP(host, port, local_hostname="turnout.test")
    sent = 0
    while True:
        cur.execute("BEGIN IMMEDIATE")
        rows = cur.execute(
            "SELECT o.id, o.invitation_id, o.sequence, o.rcpt, p.name, e.uid"
            " FROM outbox o JOIN invitation i ON i.id = o.invitation_id"
            " JOIN person p ON p.id = i.person_id JOIN event e ON e.id = i.event_id"
            " WHERE o.state = 'queued' ORDER BY o.id LIMIT ?", (BATCH,)).fetchall()
        claimed = []
        for oid, inv, seq, rcpt, name, uid in rows:
            rsvp = token(cur, inv, "rsvp")
            unsub = token(cur, inv, "unsubscribe")
            ics = baseline_render.calendar(rcpt, name or "")
            msgid = "t%d.%di.%s" % (inv, seq, uid)
            body = baseline_render.message(rcpt, msgid, ics)
            cur.execute("UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
                        " message_id = ?, body = ? WHERE id = ?", (msgid, body, oid))
            claimed.append((oid, rcpt, body, rsvp, unsub))
        cur.execute("COMMIT")
        if not claimed:
            break
        for oid, rcpt, body, _, _ in claimed:
            smtp.sendmail("team@meet.example.org", [rcpt], body)
        cur.execute("BEGIN IMMEDIATE")
        for oid, _, _, _, _ in claimed:
            cur.execute("UPDATE outbox SET state = 'sent', body = NULL,"
                        " sent_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
                        (oid,))
        cur.execute("COMMIT")
        sent += len(claimed)
    smtp.quit()
    con.close()
    print("sent %d" % sent)


if __name__ == "__main__":
    main()
