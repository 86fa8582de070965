#!/usr/bin/python3
"""qr_image.py - reads turnout's QR images independently of libpng and
libqrencode, for tests/t5500-qr.sh.

  qr_image.py pgm TXT OUT [--dark-blocks]
      turns the terminal rendering (UTF-8 half blocks) into a PGM image,
      4 px per module, as a light-on-dark terminal shows it: blocks light,
      blanks dark; with --dark-blocks, as a dark-on-light one shows it.
  qr_image.py quiet PNG SCALE
      decodes a 1-bit greyscale PNG with zlib and prints
      "modules=N quiet=Q": the image's size in modules and how many light
      modules surround the first dark one on the top-left diagonal.
  qr_image.py ticket PKHEX CODE
      checks a ticket code with Python's cryptography: base32 (padding
      added back), 10-byte payload and an Ed25519 signature over
      b"turnout-ticket" + payload; prints "EVENT SERIAL", or exits 1 when
      the signature or the payload is wrong (2 on any other error).
"""
import base64
import struct
import sys
import zlib

BLOCKS = {' ': (0, 0), '\u2580': (1, 0), '\u2584': (0, 1), '\u2588': (1, 1)}


def pgm(txt, out, dark_blocks):
    rows = []
    with open(txt, encoding='utf-8') as f:
        for line in f.read().split('\n')[:-1]:
            pairs = [BLOCKS[ch] for ch in line]
            rows += [[p[0] for p in pairs], [p[1] for p in pairs]]
    scale = 4
    with open(out, 'wb') as f:
        f.write(b'P5 %d %d 255\n' % (len(rows[0]) * scale, len(rows) * scale))
        for r in rows:
            light = [v ^ dark_blocks for v in r]
            f.write(bytes(255 if v else 0 for v in light for _ in range(scale)) * scale)


def quiet(path, scale):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert (depth, colour, interlace) == (1, 0, 0), 'not 1-bit greyscale'
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = (w + 7) // 8 + 1
    pixels = []
    for y in range(h):
        line = raw[y * stride:(y + 1) * stride]
        assert line[0] == 0, 'a filter this reader does not undo'
        pixels.append([(line[1 + x // 8] >> (7 - x % 8)) & 1 for x in range(w)])
    assert w == h and w % scale == 0
    q = 0
    while q * scale < w and pixels[q * scale][q * scale] == 1:
        q += 1
    # every pixel of the ring before the first dark module is light
    for y in range(h):
        for x in range(w):
            if min(x, y, w - 1 - x, h - 1 - y) < q * scale:
                assert pixels[y][x] == 1, 'a dark pixel in the quiet zone'
    print('modules=%d quiet=%d' % (w // scale, q))


def ticket(pkhex, code):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    raw = base64.b32decode(code.upper() + '=' * (-len(code) % 8))
    payload, sig = raw[:10], raw[10:]
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(pkhex))
    try:
        key.verify(sig, b'turnout-ticket' + payload)
    except InvalidSignature:
        sys.exit(1)
    if len(sig) != 64 or payload[0] != 1:
        sys.exit(1)
    print(int.from_bytes(payload[1:5], 'big'), int.from_bytes(payload[5:10], 'big'))


def main():
    if sys.argv[1] == 'pgm':
        pgm(sys.argv[2], sys.argv[3], len(sys.argv) > 4)
    elif sys.argv[1] == 'quiet':
        quiet(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == 'ticket':
        ticket(sys.argv[2], sys.argv[3])
    else:
        sys.exit('usage: qr_image.py pgm|quiet|ticket ...')


if __name__ == '__main__':
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:   # a crash is not a verdict
        print('qr_image.py: %r' % e, file=sys.stderr)
        sys.exit(2)
