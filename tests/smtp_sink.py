"""smtp_sink.py - an SMTP server for turnout's tests (run it with
/usr/bin/python3: Debian's aiosmtpd is not visible to other pythons).

It binds 127.0.0.1 on a port the kernel picks, writes that port to
--port-file (a .tmp file renamed into place, so a reader never sees half
of it) and serves until SIGTERM or SIGINT, then exits 0.

  --port-file F   where the port number goes (required)
  --dir D         each accepted message: D/NNN.eml with the exact bytes
                  the client sent (CRLF kept, dot-stuffing undone) and
                  D/NNN.env with its "MAIL FROM:<a>" and "RCPT TO:<b>"
                  lines; NNN counts accepted messages from 001. The .env
                  file is written first and both are renamed into place,
                  so a reader that sees NNN.eml sees whole files
  --mode M        accept (default): 250 for every message;
                  reject: 550 5.7.1 at the end of DATA;
                  tempfail-first: 451 4.3.0 for the first DATA of the
                  server's life, 250 after;
                  drop-after:N: after N accepted messages in one
                  connection, the next DATA is not answered: the
                  connection is closed and the message not kept
  --auth U:P      AUTH required (PLAIN, LOGIN) with this user and password;
                  a wrong one gets 535 5.7.8, no AUTH at MAIL gets 530
  --log F         one line per event, flushed at once: "connect", "ehlo
                  DOMAIN", "starttls", "auth USER ok|failed", "mail FROM",
                  "rcpt TO CODE", "data NNN 250" or "data - CODE|drop"
                  (never a password)
  --delay S       wait S seconds (a float) before answering each DATA
  --starttls      offer STARTTLS with a new self-signed certificate
  --smtps         implicit TLS (smtps) with a new self-signed certificate

Whatever the mode, a recipient whose local part is "nobody" gets
550 5.1.1 at RCPT. Diagnostics go to stderr.
"""
import argparse
import asyncio
import datetime
import ipaddress
import logging
import os
import signal
import ssl
import sys
import tempfile
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def write_atomic(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def self_signed_context():
    """A server TLS context with a fresh self-signed certificate for
    localhost and 127.0.0.1 (no client trusts it: certificate checks
    fail, which is what the tests look for)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as d:
        certfile, keyfile = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        with open(certfile, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(keyfile, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        ctx.load_cert_chain(certfile, keyfile)
    return ctx


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1) if path else None

    def __call__(self, line):
        if self.f:
            self.f.write(line + "\n")
            self.f.flush()


class Handler:
    def __init__(self, opts, log):
        self.opts = opts
        self.log = log
        self.datas = 0      # DATA commands seen, all connections
        self.accepted = 0   # messages kept, all connections
        mode = opts.mode
        self.drop_after = None
        if mode.startswith("drop-after:"):
            self.drop_after = int(mode.split(":", 1)[1])
        elif mode not in ("accept", "reject", "tempfail-first"):
            raise SystemExit("smtp_sink: unknown --mode '%s'" % mode)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.log("ehlo %s" % hostname)
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        self.log("mail %s" % address)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].lower() == "nobody":
            self.log("rcpt %s 550" % address)
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        self.log("rcpt %s 250" % address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        if self.opts.delay:
            await asyncio.sleep(self.opts.delay)
        mode = self.opts.mode
        if mode == "reject":
            self.log("data - 550")
            return "550 5.7.1 rejected by test server"
        if mode == "tempfail-first" and self.datas == 1:
            self.log("data - 451")
            return "451 4.3.0 try again later"
        kept = getattr(session, "sink_accepted", 0)
        if self.drop_after is not None and kept >= self.drop_after:
            self.log("data - drop")
            server.transport.abort()
            # connection_lost cancels this coroutine: no answer is sent
            await asyncio.get_running_loop().create_future()
        self.accepted += 1
        session.sink_accepted = kept + 1
        n = "%03d" % self.accepted
        if self.opts.dir:
            env = "MAIL FROM:<%s>\n" % envelope.mail_from
            env += "".join("RCPT TO:<%s>\n" % r for r in envelope.rcpt_tos)
            write_atomic(os.path.join(self.opts.dir, n + ".env"), env.encode())
            write_atomic(os.path.join(self.opts.dir, n + ".eml"), envelope.original_content)
        self.log("data %s 250" % n)
        return "250 OK queued as %s" % n


class SinkSMTP(SMTP):
    """aiosmtpd's server, logging STARTTLS as it is asked for."""

    def __init__(self, handler, log, **kw):
        super().__init__(handler, **kw)
        self.sink_log = log

    async def smtp_STARTTLS(self, arg):
        self.sink_log("starttls")
        await super().smtp_STARTTLS(arg)


def authenticator_for(user, password, log):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login == user.encode() and auth_data.password == password.encode())
        login = auth_data.login.decode(errors="replace") if isinstance(auth_data, LoginPassword) else "?"
        log("auth %s %s" % (login, "ok" if ok else "failed"))
        # handled=False: aiosmtpd answers 535 itself; with True it would
        # send nothing and the client would wait for its timeout
        return AuthResult(success=ok, handled=False)
    return authenticate


async def serve(opts):
    loop = asyncio.get_running_loop()
    log = Log(opts.log)
    handler = Handler(opts, log)
    kw = dict(hostname="sink.test", loop=loop)
    if opts.auth:
        user, _, password = opts.auth.partition(":")
        kw.update(authenticator=authenticator_for(user, password, log),
                  auth_required=True, auth_require_tls=False)
    if opts.starttls:
        kw["tls_context"] = self_signed_context()
    server_ssl = self_signed_context() if opts.smtps else None

    def connection():
        log("connect")
        return SinkSMTP(handler, log, **kw)

    # before the port is told, so a SIGTERM right after it ends us cleanly
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(connection, "127.0.0.1", 0, ssl=server_ssl)
    port = server.sockets[0].getsockname()[1]
    write_atomic(opts.port_file, b"%d\n" % port)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    p = argparse.ArgumentParser(description="SMTP sink for turnout's tests")
    p.add_argument("--port-file", required=True)
    p.add_argument("--dir")
    p.add_argument("--mode", default="accept")
    p.add_argument("--auth")
    p.add_argument("--log")
    p.add_argument("--delay", type=float, default=0)
    p.add_argument("--starttls", action="store_true")
    p.add_argument("--smtps", action="store_true")
    opts = p.parse_args()
    # "Requiring AUTH while not requiring TLS" and the like
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    asyncio.run(serve(opts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
