#!/usr/bin/python3
"""listing_stream.py - tells whether a --json listing is streamed: written
while its rows are still being read from the database, or only after.

Reads the first byte of the listing from FIFO (turnout writes into it),
then, from a connection of its own, commits a change to DB and asks
SQLite to checkpoint the whole write-ahead log (TRUNCATE, without
waiting). That cannot finish while another connection is still reading
an older snapshot: "busy=1" means turnout was still reading rows when its
first bytes came out (streamed), "busy=0" that it had read them all
first. Then reads the rest and prints the number of items in the JSON
array, which must be one whole document.

usage: listing_stream.py FIFO DB
"""
import json
import sqlite3
import sys


def main():
    fifo, db = sys.argv[1:3]
    with open(fifo, "rb") as f:
        first = f.read(1)
        con = sqlite3.connect(db, timeout=0, isolation_level=None)
        con.execute("UPDATE setting SET value = value || '.' WHERE key = 'org'")
        busy = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        con.close()
        rest = f.read()
    items = json.loads(first + rest)
    print("busy=%d" % busy)
    print("items=%d" % len(items))


if __name__ == "__main__":
    main()
