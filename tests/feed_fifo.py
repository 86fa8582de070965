#!/usr/bin/python3
"""feed_fifo.py - writes a follower CSV into a FIFO in two parts, for the
tests of imports that read slowly (tests/t3300-import-lock.sh).

usage: feed_fifo.py FIFO PREFIX ROWS1 ROWS2 MARKER GO

Writes a header and ROWS1 rows (e-mails PREFIX0@example.org, ...), then
creates the file MARKER and waits (at most 30 s) for the file GO to
appear, then writes ROWS2 more rows and closes the FIFO. ROWS1 rows are
more than a pipe holds, so MARKER appears only once the reader has
consumed most of them: the import is then reading its input.
"""
import os
import sys
import time

fifo, prefix, rows1, rows2, marker, go = sys.argv[1:7]
rows1, rows2 = int(rows1), int(rows2)
with open(fifo, "w", encoding="utf-8") as f:
    f.write("email,name,city\n")
    for i in range(rows1):
        f.write(f"{prefix}{i}@example.org,Person {prefix}{i},Town {i % 13}\n")
    f.flush()
    open(marker, "w").close()
    deadline = time.time() + 30
    while not os.path.exists(go) and time.time() < deadline:
        time.sleep(0.05)
    for i in range(rows1, rows1 + rows2):
        f.write(f"{prefix}{i}@example.org,Person {prefix}{i},Town {i % 13}\n")
