"""ticket_mail.py DIR OUT: the ticket e-mails in DIR, read as a mail client reads them.

For each DIR/*-ticket.eml that `turnout send --eml-dir DIR` wrote, with
Python's email package: the HTML part must be inside a multipart/related
and show an image by cid:, a part of that Content-ID must be an inline
image/png (its bytes are written to OUT/<recipient>.png for zbarimg),
and the text and HTML must both carry the ticket page link
base-url/t/TOKEN and the same ticket code. Prints one line per message:
the recipient's address, the code, the token, tab-separated. Exits 1
with the reason when a message breaks any of this, or DIR holds none.
"""
import email
import email.policy
import pathlib
import re
import sys

LINK = re.compile(r"/t/([A-Za-z0-9_-]{24})(?![A-Za-z0-9_-])")
CODE = re.compile(r"(?<![A-Z2-7])([A-Z2-7]{119})(?![A-Z2-7])")
CID = re.compile(r'<img[^>]*\ssrc="cid:([^"]+)"')


def check(path, out):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    html_part = msg.get_body(preferencelist=("html",))
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = html_part.get_content()
    related = [p for p in msg.walk() if p.get_content_type() == "multipart/related"]
    if len(related) != 1 or html_part not in related[0].iter_parts():
        sys.exit("%s: the HTML is not in a multipart/related" % path)
    cids = CID.findall(html)
    if len(cids) != 1:
        sys.exit("%s: the HTML shows %d cid: images" % (path, len(cids)))
    images = [p for p in msg.walk() if p["Content-ID"] == "<%s>" % cids[0]]
    if len(images) != 1 or images[0].get_content_type() != "image/png":
        sys.exit("%s: no image/png part with Content-ID <%s>" % (path, cids[0]))
    if images[0].get_content_disposition() != "inline":
        sys.exit("%s: the image is not inline" % path)
    png = images[0].get_content()
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        sys.exit("%s: the image is not a PNG" % path)
    links = {LINK.search(text) and LINK.search(text).group(1),
             LINK.search(html) and LINK.search(html).group(1)}
    codes = {CODE.search(text) and CODE.search(text).group(1),
             CODE.search(html) and CODE.search(html).group(1)}
    if len(links) != 1 or None in links:
        sys.exit("%s: the ticket link differs or is missing: %r" % (path, links))
    if len(codes) != 1 or None in codes:
        sys.exit("%s: the ticket code differs or is missing: %r" % (path, codes))
    rcpt = msg["To"].addresses[0].addr_spec
    (pathlib.Path(out) / (rcpt + ".png")).write_bytes(png)
    print("%s\t%s\t%s" % (rcpt, codes.pop(), links.pop()))


def main(directory, out):
    files = sorted(pathlib.Path(directory).glob("*-ticket.eml"))
    if not files:
        sys.exit("no ticket e-mails in %s" % directory)
    for path in files:
        check(path, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
