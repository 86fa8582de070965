#!/usr/bin/python3
"""baseline_rsvp_server.py - the Python baseline for turnout's RSVP page:
the same page served from the same database, written the way a user would
write it with the standard library: http.server's ThreadingHTTPServer
speaking HTTP/1.1 (keep-alive), sqlite3 (one connection per thread), the
token looked up by its BLAKE2b hash as turnout stores it, the event, the
invitee's name and answer read, the page rendered with html.escape, a CSRF
token (HMAC) in the form, and the same security headers.

usage: baseline_rsvp_server.py DB PORT_FILE
Writes the port it listens on (127.0.0.1, a free port) to PORT_FILE and
serves until killed.
"""
import hashlib
import hmac
import html
import http.server
import os
import sqlite3
import sys
import threading

DB = sys.argv[1]
KEY = os.urandom(32)
LOCAL = threading.local()
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def db():
    if not hasattr(LOCAL, "con"):
        LOCAL.con = sqlite3.connect(DB)
    return LOCAL.con


def page(token):
    h = hashlib.blake2b(token.encode(), digest_size=32).digest()
    row = db().execute(
        "SELECT e.title, e.start_local, e.end_local, e.tz, e.venue, e.address,"
        " p.name, r.status FROM invitation_token t"
        " JOIN invitation i ON i.id = t.invitation_id"
        " JOIN event e ON e.id = i.event_id JOIN person p ON p.id = i.person_id"
        " LEFT JOIN registration r ON r.event_id = i.event_id AND r.person_id = i.person_id"
        " WHERE t.hash = ? AND t.kind = 'rsvp'", (h,)).fetchone()
    if not row:
        return None
    title, start, end, tz, venue, address, name, status = row
    csrf = hmac.new(KEY, b"rsvp\0" + token.encode(), "sha256").hexdigest()
    where = "<br>".join(html.escape(x) for x in (venue, address) if x)
    buttons = "".join('<button type="submit" name="answer" value="%s" aria-pressed="%s">%s</button>\n'
                      % (w, "true" if status == w else "false", w.title())
                      for w in ("yes", "maybe", "no"))
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>%s</title></head><body><main><h1>%s</h1>\n"
            "<p class=\"when\">%s – %s (%s)</p><p class=\"where\">%s</p>\n"
            "<p>Hello %s,</p><p class=\"answer\">Your answer: %s</p>\n"
            "<form method=\"post\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">\n%s</form>"
            "</main></body></html>\n"
            % (html.escape(title), html.escape(title), html.escape(start), html.escape(end[11:]),
               html.escape(tz), where, html.escape(name or ""), html.escape(status or "none"),
               csrf, buttons)).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without this, Nagle's
    # algorithm and the client's delayed ACK hold each answer 40 ms
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = page(self.path[len("/rsvp/"):]) if self.path.startswith("/rsvp/") else None
        status = 200 if body else 404
        body = body or b"Not Found\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8" if status == 200
                         else "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in HEADERS.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
