"""baseline_door_server.py DB PORTFILE [CERT KEY]: the check-in benchmark's Python side.

POST /api/v1/events/E/checkins as turnout answers it, written the plain
Python way: http.server's ThreadingHTTPServer (HTTP/1.1 keep-alive; HTTPS
with CERT and KEY through the ssl module), one sqlite3 connection per
thread (WAL, synchronous=FULL, as turnout's), the gate found by the
BLAKE2b hash of its Bearer token, the scanned line cleaned as a scanner
types it, the code's base32 decoded and its Ed25519 signature verified
(python3-cryptography), then one transaction per scan: the ticket's
facts, an admit that the same unique index (checkin_admit) lets through
once, else a duplicate with when and where it was admitted. Answers the
same JSON verdict. Writes the port it listens on to PORTFILE.
"""
import base64
import hashlib
import http.server
import json
import os
import re
import sqlite3
import ssl
import sys
import threading
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

db_path, port_file = sys.argv[1:3]
local = threading.local()
PATH = re.compile(r"^/api/v1/events/([^/]+)/checkins$")
PREFIX = re.compile(r"^\][A-Za-z][0-9]")


def db():
    if not hasattr(local, "db"):
        c = sqlite3.connect(db_path, isolation_level=None, timeout=10)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=FULL")
        c.execute("PRAGMA foreign_keys=ON")
        local.db = c
    return local.db


with sqlite3.connect(db_path) as c0:
    PK = Ed25519PublicKey.from_public_bytes(
        c0.execute("SELECT public_key FROM signing_key ORDER BY id DESC LIMIT 1").fetchone()[0])


def read_code(line):
    """(event_id, serial) of a verified code, or None."""
    line = line.rstrip("\r\n\t").strip(" ")
    line = PREFIX.sub("", line, count=1)
    if len(line) != 119:
        return None
    try:
        raw = base64.b32decode(line.upper() + "=")
    except ValueError:
        return None
    payload, sig = raw[:10], raw[10:74]
    try:
        PK.verify(sig, b"turnout-ticket" + payload)
    except InvalidSignature:
        return None
    if payload[0] != 1:
        return None
    return int.from_bytes(payload[1:5], "big"), int.from_bytes(payload[5:10], "big")


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def check_in(gate, text):
    event_id, slug, gate_id, gate_name = gate
    ids = read_code(text)
    c = db()
    at = now()
    c.execute("BEGIN IMMEDIATE")
    try:
        facts = ids and c.execute(
            "SELECT t.id, t.event_id, t.state = 'revoked' OR r.status <> 'yes',"
            " e.status = 'cancelled', t.holder FROM ticket t"
            " JOIN registration r ON r.id = t.registration_id"
            " JOIN event e ON e.id = t.event_id WHERE t.id = ? AND t.event_id = ?",
            (ids[1], ids[0])).fetchone()
        out = {"verdict": "invalid", "id": 0, "event": slug, "gate": gate_name, "at": at,
               "ticket": None, "name": None, "walkin": False}
        if facts:
            tid, tev, revoked, cancelled, holder = facts
            out["ticket"], out["name"] = tid, holder
            v = ("wrong_event" if tev != event_id else "cancelled" if cancelled
                 else "revoked" if revoked else "admit")
        else:
            v = "invalid"
        if v == "admit":
            cur = c.execute("INSERT INTO checkin(event_id, gate_id, ticket_id, verdict, walkin, at)"
                            " VALUES(?, ?, ?, 'admit', 0, ?) ON CONFLICT DO NOTHING",
                            (event_id, gate_id, out["ticket"], at))
            if cur.rowcount == 1:
                out["id"] = cur.lastrowid
            else:
                v = "duplicate"
                out["admitted_at"], out["admitted_gate"] = c.execute(
                    "SELECT c.at, coalesce(g.name, '') FROM checkin c LEFT JOIN gate g"
                    " ON g.id = c.gate_id WHERE c.ticket_id = ? AND c.verdict = 'admit'",
                    (out["ticket"],)).fetchone()
        if v != "admit":
            cur = c.execute("INSERT INTO checkin(event_id, gate_id, ticket_id, verdict, walkin,"
                            " input, at) VALUES(?, ?, ?, ?, 0, ?, ?)",
                            (event_id, gate_id, out["ticket"], v,
                             text[:256] if v == "invalid" else None, at))
            out["id"] = cur.lastrowid
        out["verdict"] = v
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, obj, extra=()):
        body = json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 4096:
            return self.answer(413, {"error": "too large"})
        body = self.rfile.read(length)
        m = PATH.match(self.path)
        if not m:
            return self.answer(404, {"error": "not found"})
        auth = self.headers.get("Authorization") or ""
        gate = None
        if auth[:7].lower() == "bearer ":
            h = hashlib.blake2b(auth[7:].strip().encode(), digest_size=32).digest()
            gate = db().execute(
                "SELECT e.id, e.slug, g.id, g.name FROM gate g JOIN event e ON e.id = g.event_id"
                " WHERE g.token_hash = ? AND g.revoked_at IS NULL AND (e.slug = ? OR e.id = ?)",
                (h, m.group(1), m.group(1))).fetchone()
        if not gate:
            return self.answer(401, {"error": "gate token required"},
                               [("WWW-Authenticate", "Bearer")])
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return self.answer(415, {"error": "unsupported media type"})
        try:
            code = json.loads(body)["code"]
            if not isinstance(code, str):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return self.answer(400, {"error": "bad body"})
        self.answer(200, check_in(gate, code))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


srv = Server(("127.0.0.1", 0), Handler)
if len(sys.argv) == 5:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
