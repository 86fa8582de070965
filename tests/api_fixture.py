"""api_fixture.py - a web API that answers from a script, for turnout's
tests of channel APIs (Mastodon-compatible servers, the Telegram Bot API).
Standard library only; run it with /usr/bin/python3 like the other helpers.

It binds 127.0.0.1 on a port the kernel picks, writes that port to
--port-file (a .tmp file renamed into place) and serves, one thread per
connection, until SIGTERM or SIGINT, then exits 0.

  --port-file F   where the port number goes (required)
  --script F      the answers, JSON, read again at every request (so a test
                  may change it between commands):
                    {"routes": [
                      {"method": "GET", "path": "/api/v1/accounts/lookup",
                       "query": {"acct": "club"},            (optional)
                       "responses": [
                         {"status": 200, "json": {...}},
                         {"status": 429, "headers": {"Retry-After": "1"}},
                         {"status": 200, "body": "not json", "delay": 3}
                       ]}]}
                  A request takes the first route whose method and path
                  match (and whose query, when given, is a subset of the
                  request's); each request to a route takes its next
                  response, the last one repeating. A response has a
                  status, optional headers, a body given as "json" (any
                  JSON value, sent as application/json) or "body" (text),
                  and an optional "delay" in seconds before the answer.
                  "{port}" in a header or body is the server's port. An
                  unmatched request gets 404 {"error": "Record not found"}.
  --log F         one JSON object per request, appended and flushed: method,
                  path, query (the raw string), headers (a dict, names lower
                  case) and body (text); written before the answer.
  --state F       the per-route counters, kept in this file so a restarted
                  server goes on where it was (optional).
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def load_json(path, default):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def save_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f)
    os.replace(tmp, path)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "api-fixture/1"

    def log_message(self, fmt, *args):  # quiet: the --log file says it all
        pass

    def answer(self):
        opts = self.server.opts
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        with LOCK:
            if opts.log:
                entry = {
                    "method": self.command,
                    "path": url.path,
                    "query": url.query,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
                with open(opts.log, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")
                    f.flush()
            script = load_json(opts.script, {"routes": []})
            counters = load_json(opts.state, {}) if opts.state else self.server.counters
            response = None
            for i, route in enumerate(script.get("routes", [])):
                if route.get("method", "GET") != self.command or route.get("path") != url.path:
                    continue
                want = route.get("query") or {}
                if any(query.get(k, [None])[0] != str(v) for k, v in want.items()):
                    continue
                key = str(i)
                n = counters.get(key, 0)
                responses = route.get("responses") or [{"status": 200, "json": {}}]
                response = responses[min(n, len(responses) - 1)]
                counters[key] = n + 1
                break
            if opts.state:
                save_json(opts.state, counters)
        if response is None:
            response = {"status": 404, "json": {"error": "Record not found"}}
        time.sleep(float(response.get("delay", 0)))
        port = str(self.server.server_address[1])
        if "json" in response:
            data = json.dumps(response["json"]).replace("{port}", port)
            ctype = "application/json; charset=utf-8"
        else:
            data = str(response.get("body", "")).replace("{port}", port)
            ctype = "text/plain; charset=utf-8"
        raw = data.encode("utf-8")
        try:
            self.send_response(int(response.get("status", 200)))
            headers = {k: str(v).replace("{port}", port)
                       for k, v in (response.get("headers") or {}).items()}
            if not any(k.lower() == "content-type" for k in headers):
                self.send_header("Content-Type", ctype)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): nothing to answer

    do_GET = answer
    do_POST = answer
    do_PUT = answer
    do_DELETE = answer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--script", required=True)
    ap.add_argument("--log")
    ap.add_argument("--state")
    opts = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.opts = opts
    server.counters = {}

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(tmp, opts.port_file)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
