#!/usr/bin/python3
"""baseline_import.py - the follower import as a user would write it in
Python, for bench/import.sh to compare against 'turnout follower import'.

The same job on the same tables (a database made by 'turnout init' and
'turnout channel add'): the csv module reads the file, sqlite3 writes it
row by row in file order in one transaction, with SQLite's default
settings except WAL (as turnout). A person is upserted by e-mail: the
address is kept as first written (domain lower-cased), and identity is its
key with every ASCII letter lower-cased (person.email_key when it differs,
the UNIQUE index on coalesce(email_key, email)); a follower row per
person x channel, so a re-import updates rather than duplicates. Names
and regions are stored in NFC, as turnout stores them. Empty cells do
not erase values. Like turnout, it looks at the suppression list of
forgotten people only when that list is not empty (the benchmark's is).

usage: baseline_import.py DB CHANNEL FILE
"""
import csv
import re
import sqlite3
import sys
import time
import unicodedata

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def main():
    db, channel, path = sys.argv[1:4]
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA foreign_keys=ON")
    cur = con.cursor()
    cur.execute("BEGIN IMMEDIATE")
    (chan,) = cur.execute("SELECT id FROM channel WHERE name = ?",
                          (channel,)).fetchone()
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    (suppressed,) = cur.execute(
        "SELECT EXISTS(SELECT 1 FROM suppression)").fetchone()
    if suppressed:
        sys.exit("baseline_import.py: the database has forgotten people; "
                 "the benchmark expects none")
    done = rejected = 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            email = (row.get("email") or "").strip()
            if not EMAIL.match(email):
                rejected += 1
                continue
            local, domain = email.rsplit("@", 1)
            email = local + "@" + domain.lower()
            key = email.translate(ASCII_LOWER)
            key = key if key != email else None
            date = (row.get("followed_at") or "").strip() or None
            if date and not DATE.match(date):
                rejected += 1
                continue
            name = unicodedata.normalize("NFC", (row.get("name") or "").strip()) or None
            region = unicodedata.normalize("NFC", (row.get("region") or "").strip()) or None
            (pid,) = cur.execute(
                "INSERT INTO person(email, email_key, name, created_at)"
                " VALUES(?, ?, ?, ?) ON CONFLICT(coalesce(email_key, email))"
                " DO UPDATE SET name = coalesce(excluded.name, name)"
                " RETURNING id", (email, key, name, now)).fetchone()
            cur.execute(
                "INSERT INTO follower(person_id, channel_id, region, followed_at)"
                " VALUES(?, ?, ?, ?) ON CONFLICT(person_id, channel_id) DO UPDATE"
                " SET region = coalesce(excluded.region, region),"
                " followed_at = coalesce(excluded.followed_at, followed_at)",
                (pid, chan, region, date[:10] if date else None))
            done += 1
    cur.execute("COMMIT")
    con.close()
    print("imported %d, rejected %d" % (done, rejected))


if __name__ == "__main__":
    main()
