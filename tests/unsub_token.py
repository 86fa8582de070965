#!/usr/bin/python3
"""unsub_token.py FILE.eml...: for each message, its recipient and the
personal token of its List-Unsubscribe URL (RFC 2369, .../u/TOKEN), one
"ADDRESS TOKEN" line each, read with Python's email package."""
import email
import email.policy
import re
import sys

for path in sys.argv[1:]:
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    url = re.fullmatch(r"<(https?://[^>]+)>", str(msg["List-Unsubscribe"]).strip())
    token = re.fullmatch(r".*/u/([A-Za-z0-9_-]+)", url.group(1)) if url else None
    if not token:
        sys.exit(f"{path}: no unsubscribe URL in {msg['List-Unsubscribe']!r}")
    print(msg["To"].addresses[0].addr_spec, token.group(1))
