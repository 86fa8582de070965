#!/usr/bin/python3
"""tests/report_html_check.py HTML JSON - checks an HTML report (report
--format html) against the JSON report of the same database and flags.

The page must be well-formed (it is written so that it also reads as XML,
which makes a missing or stray end tag an error here), hold no script, no
event-handler attribute and no reference to anything outside itself, and
label every chart (<title> and <desc>, named by aria-labelledby). Per
event, in order: a <section class="event" data-slug>, whose tables hold
exactly the JSON's rows and total (group, the seven counts, the share to
hundredths, met/below), one <rect class="bar" data-group> per row that has
an audience of its own (channel, region, unknown), and arrival columns
whose counts add up to the JSON's admits per slot. Then the period's
section (with more than one event, or --by event) with its table and a
point per event not cancelled when two or more are.

Prints "events N, bars A+B+..., points P, slots S"; exits 1 with the
reason on the first difference.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

COUNTS = ("audience", "invited", "registered", "ticketed", "came", "no_shows", "returning")
DASH = "\u2013"


def fail(why):
    print("report_html_check: " + why, file=sys.stderr)
    sys.exit(1)


def classes(el):
    return el.get("class", "").split()


def find_class(root, tag, cls):
    return [el for el in root.iter(tag) if cls in classes(el)]


def text(el):
    return "".join(el.itertext())


def expect_row(tr, group, row, where):
    cells = [text(c) for c in tr]
    if row.get("offline_share_pct") is None:
        share = [DASH, DASH]
    else:
        share = ["%.2f%%" % row["offline_share_pct"], "met" if row["target_met"] else "below"]
    want = [group] + [str(row[k]) for k in COUNTS] + share
    if cells != want:
        fail("%s: row %r, expected %r" % (where, cells, want))


def check_table(section, rows, total, where, by_event=False):
    tables = [t for t in section.iter("table")
              if "inputs" not in classes(t) and "people" not in classes(t)]
    if len(tables) != 1:
        fail("%s: %d figure tables" % (where, len(tables)))
    body = tables[0].find("tbody")
    foot = tables[0].find("tfoot")
    trs = list(body)
    if len(trs) != len(rows):
        fail("%s: %d table rows, the JSON has %d" % (where, len(trs), len(rows)))
    for tr, (label, key, row) in zip(trs, rows):
        if tr.get("data-group") != key:
            fail("%s: row data-group %r, expected %r" % (where, tr.get("data-group"), key))
        expect_row(tr, label, row, where)
    expect_row(foot[0], "total", total, where + " total")


def check_bars(section, rows, where):
    want = [r["group"] for r in rows if r["kind"] in ("channel", "region", "unknown")]
    bars = find_class(section, "rect", "bar")
    got = [b.get("data-group") for b in bars]
    if got != want:
        fail("%s: bars %r, expected %r" % (where, got, want))
    for b, r in zip(bars, [r for r in rows if r["kind"] in ("channel", "region", "unknown")]):
        met = "met" in classes(b)
        if met != bool(r.get("target_met")):
            fail("%s: bar %r met=%s" % (where, b.get("data-group"), met))
    return len(bars)


def check_arrival(section, arrival, where):
    per_slot = {}
    for rect in find_class(section, "rect", "slot"):
        title = text(rect.find("title"))
        m = re.fullmatch(r"(\d\d:\d\d) .*: (\d+)", title, re.S)
        if not m:
            fail("%s: arrival column titled %r" % (where, title))
        per_slot[m.group(1)] = per_slot.get(m.group(1), 0) + int(m.group(2))
    want = {s["start"][11:16]: s["admitted"] for s in arrival["slots"] if s["admitted"]}
    if per_slot != want:
        fail("%s: arrival %r, expected %r" % (where, per_slot, want))
    return len(arrival["slots"])


def main():
    html_path, json_path = sys.argv[1:3]
    raw = open(html_path, encoding="utf-8").read()
    doc = json.load(open(json_path, encoding="utf-8"))
    if not raw.startswith("<!DOCTYPE html>\n"):
        fail("no <!DOCTYPE html> first")
    for bad in ("http://", "https://", "url(", "@import", "<script", "javascript:"):
        if bad in raw.lower():
            fail("the page holds %r" % bad)
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        fail("not well-formed: %s" % e)
    if root.tag != "html" or root.get("lang") != "en":
        fail("root element %r" % root.tag)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for el in root.iter():
        if el.tag in ("script", "iframe", "object", "embed", "img", "base", "form"):
            fail("a <%s> element" % el.tag)
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                fail("an event handler attribute %s" % name)
            if name in ("href", "src", "xlink:href", "action") and not value.startswith("data:"):
                fail("a reference %s=%r" % (name, value))
    head = root.find("head")
    if head.find("meta[@charset='utf-8']") is None or head.find("meta[@name='viewport']") is None:
        fail("no charset or viewport meta")
    if head.find("title") is None or not text(head.find("title")).startswith("Conversion report"):
        fail("no title")
    svgs = find_class(root, "svg", "chart")
    for svg in svgs:
        title, desc = svg.find("title"), svg.find("desc")
        if title is None or desc is None or not text(title) or not text(desc):
            fail("a chart without title or desc")
        if svg.get("role") != "img" or not svg.get("viewBox"):
            fail("a chart without role or viewBox")
        for ref in svg.get("aria-labelledby", "").split():
            if ref not in ids:
                fail("aria-labelledby names %r, which is not there" % ref)

    sections = find_class(root, "section", "event")
    events = doc["events"]
    if [s.get("data-slug") for s in sections] != [e["slug"] for e in events]:
        fail("event sections %r" % [s.get("data-slug") for s in sections])
    nbars, slots = [], 0
    for sec, e in zip(sections, events):
        where = "event " + e["slug"]
        if text(sec.find("h2")) != e["title"]:
            fail("%s: heading %r" % (where, text(sec.find("h2"))))
        if len(find_class(sec, "svg", "funnel")) != 1:
            fail("%s: no funnel" % where)
        check_table(sec, [(r["group"], r["group"], r) for r in e["rows"]], e["total"], where)
        nbars.append(check_bars(sec, e["rows"], where))
        slots += check_arrival(sec, e["arrival"], where)
        if bool(find_class(sec, "svg", "arrival")) != bool(e["arrival"]["slots"]):
            fail("%s: arrival chart and slots disagree" % where)

    periods = find_class(root, "section", "period")
    want_period = len(events) > 1 or (events and doc["by"] == "event")
    if len(periods) != (1 if want_period else 0):
        fail("%d period sections" % len(periods))
    points = 0
    if periods:
        sec, p = periods[0], doc["period"]
        if doc["by"] == "event":
            rows = [(None, e["slug"], e["total"]) for e in events]
            trs = list(next(iter(sec.iter("tbody"))))
            if [tr.get("data-group") for tr in trs] != [r[1] for r in rows]:
                fail("period: event rows %r" % [tr.get("data-group") for tr in trs])
            for tr, (_, slug, total) in zip(trs, rows):
                e = next(e for e in events if e["slug"] == slug)
                label = "%s %s%s" % (e["date"], e["title"], " (cancelled)" if e["cancelled"] else "")
                expect_row(tr, label, total, "period " + slug)
            expect_row(next(iter(sec.iter("tfoot")))[0], "total", p["total"], "period total")
            got = [b.get("data-group") for b in find_class(sec, "rect", "bar")]
            if got != [e["slug"] for e in events if not e["cancelled"]]:
                fail("period: bars %r" % got)
        else:
            check_table(sec, [(r["group"], r["group"], r) for r in p["rows"]], p["total"], "period")
            check_bars(sec, p["rows"], "period")
        counted = [e["slug"] for e in events if not e["cancelled"]]
        got = [c.get("data-event") for c in find_class(sec, "circle", "point")]
        if got != (counted if len(counted) > 1 else []):
            fail("period: points %r, expected %r" % (got, counted))
        points = len(got)
    print("events %d, bars %s, points %d, slots %d"
          % (len(events), "+".join(map(str, nbars)) or "0", points, slots))


main()
