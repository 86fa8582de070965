#!/usr/bin/python3
"""baseline_list_json.py - 'turnout follower list --json' as a user would
write it in Python, for bench/list_json.sh to compare peak memory with.

The same job on the same tables: sqlite3 reads people and their follows
(not forgotten, ordered by person id and channel name), groups the rows
by person and writes the same JSON document to stdout: an array of
{id, name, email, forgotten_at, channels: [{channel, kind, handle, region,
followed_at, unfollowed_at}]}. Two ways a user writes it:

  (default)   builds the list, then json.dump(people, stdout): the obvious
              way, whose memory grows with the rows;
  --stream    json.dump of one person at a time between "[" and "]", as
              turnout does.

E-mail addresses are written as stored; turnout shows an international
domain as its U-label, which makes no difference for the generated data
(ASCII domains).

usage: baseline_list_json.py DB [--stream]
"""
import json
import sqlite3
import sys

SQL = """
SELECT p.id, p.name, p.email, p.forgotten_at, c.name, c.kind, f.handle,
       f.region, f.followed_at, f.unfollowed_at
FROM person p JOIN follower f ON f.person_id = p.id
JOIN channel c ON c.id = f.channel_id
WHERE p.forgotten_at IS NULL
ORDER BY p.id, c.name
"""


def people(con):
    person = None
    for (pid, name, email, forgotten, channel, kind, handle, region,
         since, until) in con.execute(SQL):
        if person is None or person["id"] != pid:
            if person is not None:
                yield person
            person = {"id": pid, "name": name, "email": email,
                      "forgotten_at": forgotten, "channels": []}
        person["channels"].append({
            "channel": channel, "kind": kind, "handle": handle,
            "region": region, "followed_at": since, "unfollowed_at": until})
    if person is not None:
        yield person


def main():
    db = sys.argv[1]
    stream = "--stream" in sys.argv[2:]
    con = sqlite3.connect(db)
    out = sys.stdout
    if stream:
        out.write("[")
        for i, person in enumerate(people(con)):
            if i:
                out.write(", ")
            json.dump(person, out, indent="\t", ensure_ascii=False)
        out.write("]\n")
    else:
        json.dump(list(people(con)), out, indent="\t", ensure_ascii=False)
        out.write("\n")
    con.close()


if __name__ == "__main__":
    main()
