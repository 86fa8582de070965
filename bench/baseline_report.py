#!/usr/bin/python3
"""baseline_report.py DB OUT.json [--check TURNOUT.json]: the report
benchmark's baseline. Computes the conversion report's figures (SPEC.md
"Report definitions", as docs/commands/report.md settles them) from
turnout's database with sqlite3 and plain Python, the way a user would
write it: read the tables with plain SELECTs, then for each event walk
the follows and the registrations in Python. Writes, per event, each
channel's declared audience, known followers and audience, the unique
followers, the funnel (audience, invited, registered, ticketed, came,
no_shows, returning) per group (channel, direct, walk-in) and in total,
and the same for the period (events not cancelled, each person once).
The arrival at the door is not computed.

With --check, compares every figure with the same ones in turnout's
`report --format json` and exits 1 naming the first difference.
"""
import json
import sqlite3
import sys

FIGS = ["audience", "invited", "registered", "ticketed", "came", "no_shows", "returning"]


def known(followed, unfollowed, date):
    """A follow counts on date: followed on or before it (or on an
    unknown date), and not unfollowed on or before it."""
    return (followed or "") <= date and (unfollowed is None or unfollowed > date)


def compute(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    channels = dict(db.execute("SELECT id, name FROM channel"))
    declared = {}
    for cid, date, size in db.execute(
            "SELECT channel_id, date, size FROM channel_audience ORDER BY date"):
        declared.setdefault(cid, []).append((date, size))
    follows = db.execute("SELECT person_id, channel_id, followed_at, unfollowed_at"
                         " FROM follower").fetchall()
    events = db.execute("SELECT id, slug, start_local, start_utc, status FROM event"
                        " ORDER BY start_utc, id").fetchall()
    start_of = {e[0]: e[3] for e in events}
    regs = db.execute("SELECT id, event_id, person_id, status, source, channel_id"
                      " FROM registration").fetchall()
    invitations = db.execute("SELECT event_id, person_id, channel_id"
                             " FROM invitation").fetchall()
    inv_channel = {(e, p): c for e, p, c in invitations}
    valid = set(r for (r,) in db.execute(
        "SELECT registration_id FROM ticket WHERE state = 'valid'"))
    person_of_reg = {r[0]: r[2] for r in regs}
    reg_of_ticket = dict(db.execute("SELECT id, registration_id FROM ticket"))
    admitted = set()
    first_came = {}
    for event_id, ticket_id in db.execute(
            "SELECT event_id, ticket_id FROM checkin WHERE verdict = 'admit'"):
        person = person_of_reg[reg_of_ticket[ticket_id]]
        admitted.add((event_id, person))
        if person not in first_came or start_of[event_id] < first_came[person]:
            first_came[person] = start_of[event_id]
    # a walk-in's channel is among the follows of the person: keep theirs
    walkers = set(r[2] for r in regs if r[4] == "walk-in" and r[5] is None)
    follows_of = {}
    for f in follows:
        if f[0] in walkers:
            follows_of.setdefault(f[0], []).append(f)
    db.close()

    def group_of(r, date):
        rid, event_id, person, status, source, channel = r
        if (event_id, person) in inv_channel:
            return inv_channel[(event_id, person)] or 0
        if source in ("link", "direct"):
            return channel or 0
        if channel:
            return channel
        mine = [f for f in follows_of.get(person, []) if known(f[2], f[3], date)]
        if not mine:
            return -1
        mine.sort(key=lambda f: (f[2] is not None, f[2] or "", f[1]))
        return mine[0][1]

    def name(g):
        return channels[g] if g > 0 else "direct" if g == 0 else "walk-in"

    regs_of = {}
    for r in regs:
        regs_of.setdefault(r[1], []).append(r)
    invs_of = {}
    for i in invitations:
        invs_of.setdefault(i[0], []).append(i)

    out_events = []
    period = {}            # (group, person) -> [inv, yes, tk, came, ret]
    period_total = {}      # person -> the same
    period_audience = {}   # group -> largest audience
    period_total_audience = 0
    counted = 0
    for event_id, slug, start_local, start_utc, status in events:
        date = start_local[:10]
        cancelled = status == "cancelled"
        # audience: each follow known on the date, per channel and per person
        known_of = {c: 0 for c in channels}
        people = set()
        for person, cid, followed, unfollowed in follows:
            if known(followed, unfollowed, date):
                known_of[cid] += 1
                people.add(person)
        chans = []
        excess = 0
        for cid, cname in sorted(channels.items(), key=lambda c: (c[1].lower(), c[1])):
            d = None
            for ddate, size in declared.get(cid, []):
                if ddate <= date:
                    d = (ddate, size)
            dsize = d[1] if d else None
            aud = max(known_of[cid], dsize if dsize is not None else -1)
            excess += max(0, (dsize or 0) - known_of[cid])
            chans.append({"channel": cname, "declared": dsize,
                          "declared_date": d[0] if d else None,
                          "known_followers": known_of[cid], "audience": aud})
        # the funnel: one line per registration and per invitation
        lines = []
        for r in regs_of.get(event_id, []):
            yes = r[3] == "yes"
            tk = yes and r[0] in valid
            came = (event_id, r[2]) in admitted
            ret = came and first_came.get(r[2], start_utc) < start_utc
            lines.append((group_of(r, date), r[2], 0, int(yes), int(tk), int(came), int(ret)))
        for e, person, cid in invs_of.get(event_id, []):
            lines.append((cid or 0, person, 1, 0, 0, 0, 0))
        rows = {}
        for c in chans:
            rows[c["channel"]] = dict.fromkeys(FIGS, 0, )
            rows[c["channel"]]["audience"] = c["audience"]
        rows.setdefault("direct", dict.fromkeys(FIGS, 0))
        rows.setdefault("walk-in", dict.fromkeys(FIGS, 0))
        total = dict.fromkeys(FIGS, 0)
        total["audience"] = len(people) + excess
        for g, person, inv, yes, tk, came, ret in lines:
            for row in (rows[name(g)], total):
                row["invited"] += inv
                row["registered"] += yes
                row["ticketed"] += tk
                row["came"] += came
                row["no_shows"] += tk and not came
                row["returning"] += ret
            if not cancelled:
                for key, book in (((g, person), period), (person, period_total)):
                    have = book.setdefault(key, [0, 0, 0, 0, 0])
                    for k, v in enumerate((inv, yes, tk, came, ret)):
                        have[k] = max(have[k], v)
        if not cancelled:
            counted += 1
            period_total_audience = max(period_total_audience, total["audience"])
            for g, row in rows.items():
                period_audience[g] = max(period_audience.get(g, 0), row["audience"])
        out_events.append({"slug": slug, "date": date, "cancelled": cancelled,
                           "unique_followers": len(people), "channels": chans,
                           "rows": rows, "total": total})

    def funnel(book_items, audience):
        f = dict.fromkeys(FIGS, 0)
        f["audience"] = audience
        for inv, yes, tk, came, ret in book_items:
            f["invited"] += inv
            f["registered"] += yes
            f["ticketed"] += tk
            f["came"] += came
            f["no_shows"] += tk and not came
            f["returning"] += ret
        return f

    per_group = {}
    for (g, person), v in period.items():
        per_group.setdefault(name(g), []).append(v)
    prows = {g: funnel(per_group.get(g, []), a) for g, a in period_audience.items()}
    return {"events": out_events,
            "period": {"events_counted": counted, "rows": prows,
                       "total": funnel(period_total.values(), period_total_audience)}}


def turnout_view(doc):
    """turnout's JSON in the baseline's shape, to compare figure by figure."""
    def figs(f):
        return {k: f[k] for k in FIGS}
    return {"events": [{"slug": e["slug"], "date": e["date"], "cancelled": e["cancelled"],
                        "unique_followers": e["audience_inputs"]["unique_followers"],
                        "channels": e["audience_inputs"]["channels"],
                        "rows": {r["group"]: figs(r) for r in e["rows"]},
                        "total": figs(e["total"])} for e in doc["events"]],
            "period": {"events_counted": doc["period"]["events_counted"],
                       "rows": {r["group"]: figs(r) for r in doc["period"]["rows"]},
                       "total": figs(doc["period"]["total"])}}


def first_difference(a, b, where="report"):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return "%s.%s: only in %s" % (where, k, "turnout" if k in a else "python")
            d = first_difference(a[k], b[k], "%s.%s" % (where, k))
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return "%s: %d items in turnout, %d in python" % (where, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (where, i))
            if d:
                return d
        return None
    return None if a == b else "%s: turnout %r, python %r" % (where, a, b)


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 4) or (len(args) == 4 and args[2] != "--check"):
        sys.exit("usage: baseline_report.py DB OUT.json [--check TURNOUT.json]")
    got = compute(args[0])
    with open(args[1], "w", encoding="utf-8") as f:
        json.dump(got, f, ensure_ascii=False, indent=1)
    if len(args) == 4:
        with open(args[3], encoding="utf-8") as f:
            theirs = turnout_view(json.load(f))
        d = first_difference(theirs, json.loads(json.dumps(got)))
        if d:
            sys.exit("baseline_report: turnout and python differ: " + d)


if __name__ == "__main__":
    main()
