#!/usr/bin/python3
"""baseline_tickets.py - the Python baseline for making tickets: the same
job as bench/ticket_bench.c, written the way a user would in Python. For
each ticket: the same 10-byte payload (version 1, event 1, serial i) signed
with Ed25519 by python3-cryptography over b"turnout-ticket" + payload, the
74 bytes in base32 without padding, a QR code at level M with a 4-module
border and 4 px per module by python3-qrcode (its splitter picks the
alphanumeric mode, version 5, as libqrencode does), saved as a PNG in its
own file in DIR (PIL, python3-qrcode's default image).

usage: /usr/bin/python3 bench/baseline_tickets.py N DIR
prints: python: N tickets in S s: M tickets/s (U us each; code U1 us, png U2 us)
"""
import base64
import os
import sys
import time

import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    key = Ed25519PrivateKey.from_private_bytes(b'\x42' * 32)
    in_code = in_png = 0.0
    t0 = time.monotonic()
    for i in range(1, n + 1):
        t1 = time.monotonic()
        payload = bytes([1]) + (1).to_bytes(4, 'big') + i.to_bytes(5, 'big')
        sig = key.sign(b'turnout-ticket' + payload)
        code = base64.b32encode(payload + sig).decode('ascii').rstrip('=')
        t2 = time.monotonic()
        in_code += t2 - t1
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                           box_size=4, border=4)
        qr.add_data(code)
        qr.make(fit=True)
        qr.make_image().save(os.path.join(out, 'ticket-%d.png' % i))
        in_png += time.monotonic() - t2
    total = time.monotonic() - t0
    print('python: %d tickets in %.3f s: %.0f tickets/s (%.1f us each; code %.1f us, png %.1f us)'
          % (n, total, n / total, total / n * 1e6, in_code / n * 1e6, in_png / n * 1e6))


if __name__ == '__main__':
    main()
