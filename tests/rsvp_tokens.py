"""rsvp_tokens.py DIR: the personal RSVP token of each message in DIR.

Reads every .eml file that `turnout send --eml-dir DIR` wrote, as an
invitee's mail client would (Python's email package decodes the base64
or quoted-printable text part), finds the RSVP link base-url/rsvp/TOKEN
in it and prints one line per message: the recipient's address, a tab,
the token. A message without an RSVP link (a cancellation) is skipped.
Exits 1 if DIR holds no message at all.
"""
import email
import email.policy
import pathlib
import re
import sys

LINK = re.compile(r"/rsvp/([A-Za-z0-9_-]{24})(?![A-Za-z0-9_-])")


def main(directory):
    files = sorted(pathlib.Path(directory).glob("*.eml"))
    if not files:
        sys.exit("no .eml files in %s" % directory)
    for path in files:
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",)).get_content()
        found = LINK.search(text)
        if found:
            print("%s\t%s" % (msg["To"].addresses[0].addr_spec, found.group(1)))


if __name__ == "__main__":
    main(sys.argv[1])
