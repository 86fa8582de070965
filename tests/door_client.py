"""door_client.py URL EVENT CODES OUT TOKEN... : gates scanning through the door's JSON API.

One thread per gate TOKEN, each on its own keep-alive connection
(http.client), POSTs every code of the file CODES (one per line), in
order, ROUNDS times (env ROUNDS, default 1) to URL/api/v1/events/EVENT/checkins.
Every verdict received is written at once to OUT as one line
"token<TAB>id<TAB>verdict<TAB>ticket" (flushed, so a line is there as soon
as its answer came). With START set (env), each thread waits until that
file exists, so that the gates begin together with others. Exits 0 when
every request got a 200 verdict, 3 as soon as a connection fails (a
server killed under load), 1 on any other answer.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

url, event, codes_path, out_path = sys.argv[1:5]
tokens = sys.argv[5:]
rounds = int(os.environ.get("ROUNDS", "1"))
start = os.environ.get("START")
codes = [line.strip() for line in open(codes_path) if line.strip()]
u = urllib.parse.urlsplit(url)
path = "/api/v1/events/%s/checkins" % urllib.parse.quote(event)
out = open(out_path, "a")
lock = threading.Lock()
status = {"failed": 0, "lost": 0}


def gate(token):
    if start:
        deadline = time.monotonic() + 30
        while not os.path.exists(start):
            if time.monotonic() > deadline:
                status["failed"] = 1
                return
            time.sleep(0.005)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    try:
        for _ in range(rounds):
            for code in codes:
                conn.request("POST", path, json.dumps({"code": code}), headers)
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200:
                    sys.stderr.write("HTTP %d: %r\n" % (resp.status, body))
                    status["failed"] = 1
                    return
                d = json.loads(body)
                with lock:
                    out.write("%s\t%d\t%s\t%s\n" % (token, d["id"], d["verdict"], d["ticket"]))
                    out.flush()
    except (OSError, http.client.HTTPException):
        status["lost"] = 1
    finally:
        conn.close()


threads = [threading.Thread(target=gate, args=(t,)) for t in tokens]
for t in threads:
    t.start()
for t in threads:
    t.join()
sys.exit(1 if status["failed"] else 3 if status["lost"] else 0)
