#!/bin/sh
# bench/tickets.sh - tickets made per second: the signed code, its QR
# symbol and a PNG written to a file, by turnout (bench/ticket_bench.c)
# against the same job in Python (bench/baseline_tickets.py: cryptography's
# Ed25519 + python3-qrcode writing PNGs), measured in the same run. Both
# sign with the same key, so the first ticket of each side is the same
# code: zbarimg reads it from both PNGs before anything is reported.
#
# usage: TICKET_BENCH=build/bench/ticket_bench sh bench/tickets.sh
set -eu

: "${TICKET_BENCH:?set TICKET_BENCH to build/bench/ticket_bench (make bench does)}"
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
TICKET_N=${TICKET_N:-5000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/turnout-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir "$TMP/t" "$TMP/p"

per_second() {   # per_second OUTPUT: the tickets/s figure
	sed -n 's/.*: \([0-9]*\) tickets\/s.*/\1/p' "$1"
}

"$TICKET_BENCH" "$TICKET_N" "$TMP/t" >"$TMP/t.out"
"$PY" "$HERE/baseline_tickets.py" "$((TICKET_N / 10))" "$TMP/p" >"$TMP/p.out"
t=$(zbarimg --nodbus --raw -q "$TMP/t/ticket-1.png")
p=$(zbarimg --nodbus --raw -q "$TMP/p/ticket-1.png")
[ "${#t}" = 119 ] && [ "$t" = "$p" ] || {
	echo "bench: the first tickets differ: '$t' and '$p'" >&2; exit 1; }
[ "$(ls "$TMP/t" | wc -l)" = "$TICKET_N" ] || { echo "bench: PNGs missing" >&2; exit 1; }

echo "| run                                |      n | turnout /s   | python /s    | ratio   |"
echo "|------------------------------------|--------|--------------|--------------|---------|"
awk -v n="$TICKET_N" -v t="$(per_second "$TMP/t.out")" -v p="$(per_second "$TMP/p.out")" 'BEGIN {
	printf "| %-34s | %6d | %12.0f | %12.0f | %6.1fx |\n", "tickets (sign + QR + PNG file)", n, t, p,
		(p > 0 ? t / p : 0) }'
echo
sed 's/^/  /' "$TMP/t.out" "$TMP/p.out"
echo "ratio = turnout per second / python per second (python makes n/10); target >= 15x"
