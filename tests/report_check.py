#!/usr/bin/python3
"""report_check.py JSON CSV TEXT: the three formats of one `turnout report`
(grouped by channel or region) say the same: every CSV line is an event x
group row of the JSON with the same figures, and every line of the text
tables (a row per group and the event's total) carries the JSON's figures
in columns aligned by display width (CJK counts two columns)."""
import csv
import json
import re
import sys
import unicodedata

FIGS = ["audience", "invited", "registered", "ticketed", "came", "no_shows", "returning"]


def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in s)


def share(row):
    v = row["offline_share_pct"]
    return "" if v is None else "%.2f" % v


doc = json.load(open(sys.argv[1], encoding="utf-8"))
want = []
for e in doc["events"]:
    for r in e["rows"]:
        want.append([e["slug"], e["date"], "cancelled" if e["cancelled"] else "scheduled",
                     r["group"], r["kind"]] + [str(r[k]) for k in FIGS] +
                    [share(r), "yes" if r["target_met"] else "" if r["target_met"] is None else "no"])
with open(sys.argv[2], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
head = rows[0]
got = []
for line in rows[1:]:
    d = dict(zip(head, line))
    got.append([d["event"], d["date"], d["status"], d["group"], d["kind"]] +
               [d[k] for k in FIGS] + [d["offline_share_pct"], d["target_met"]])
# the CSV defuses formulas: compare with its leading ' taken back
for g in got:
    if g[3][:1] == "'" and g[3][1:2] in ("=", "+", "-", "@", "\t", "\r"):
        g[3] = g[3][1:]
assert got == want, "csv and json differ:\n%s\n%s" % (got, want)

text = open(sys.argv[3], encoding="utf-8").read().split("\n")
i = 0
for e in doc["events"]:
    while not text[i].startswith("  CHANNEL") and not text[i].startswith("  REGION"):
        i += 1
    table = []
    i += 1
    while text[i].startswith("  ") and not text[i].startswith("  door:"):
        table.append(text[i])
        i += 1
    expect = e["rows"] + [dict(e["total"], group="total")]
    assert len(table) == len(expect), (table, expect)
    ends = set()
    for line, r in zip(table, expect):
        nums = [str(r[k]) for k in FIGS]
        start = 2 + len(r["group"])
        assert line[2:start] == r["group"], (line, r["group"])
        m = re.compile(r"(\s+\S+){7}").match(line, start)
        assert m and line[start:m.end()].split() == nums, (line, nums)
        ends.add(width(line[:m.end()]))
    assert len(ends) == 1, "columns not aligned: %s" % table
print("ok")
