"""pty_run.py COLUMNS OUT CMD [ARGS...]: CMD with a terminal for its output.

Runs CMD with its stdout and stderr on a new pseudo-terminal of COLUMNS
columns and 24 rows (stdin stays what it was, so a test feeds it a file),
writes every byte CMD printed to OUT, and exits with CMD's exit status
(128 + N when a signal N ended it). Tests run it under timeout(1).
"""
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios


def main():
    columns, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    # No echo and no newline translation: OUT holds CMD's own bytes.
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    proc = subprocess.Popen(cmd, stdout=slave, stderr=slave)
    os.close(slave)
    data = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer of the terminal has closed it
            break
        if not chunk:
            break
        data += chunk
    status = proc.wait()
    os.close(master)
    with open(out, "wb") as f:
        f.write(data)
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
