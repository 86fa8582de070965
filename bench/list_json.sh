#!/bin/sh
# bench/list_json.sh - peak memory of 'turnout follower list --json'
# against the same listing written by Python (bench/baseline_list_json.py:
# sqlite3 and json.dump, the whole list at once and one person at a time),
# on a database of 100,000 followers made by 'turnout follower import'.
# turnout streams the array, so its memory should not grow with the rows;
# the plain listing is shown beside it. Both JSON outputs are checked to
# hold the same data before the figures are printed. Peak memory and time
# come from /usr/bin/time -f.
#
# usage: TURNOUT=build/turnout sh bench/list_json.sh    (or: make bench)
# BENCH_LIST_ROWS="100000 1000000" chooses the sizes (default 100000).
set -eu

: "${TURNOUT:?set TURNOUT to the turnout binary (make bench does)}"
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
ROWS=${BENCH_LIST_ROWS:-100000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/turnout-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

# measure OUT STDOUT CMD...: runs CMD under /usr/bin/time with its stdout
# in STDOUT; writes "seconds kb" to OUT.
measure() {
	out=$1
	dest=$2
	shift 2
	/usr/bin/time -f "%e %M" -o "$TMP/time" "$@" >"$dest" 2>"$TMP/stderr" || {
		cat "$TMP/stderr" >&2
		echo "bench: failed: $*" >&2
		exit 1
	}
	tail -n 1 "$TMP/time" >"$out"
}

row() {   # row LABEL ROWS TURNOUT_RESULT [PYTHON_RESULT]
	read -r ts tkb <"$3"
	if [ $# -ge 4 ]; then
		read -r ps pkb <"$4"
	else
		ps=- pkb=-
	fi
	awk -v l="$1" -v n="$2" -v ts="$ts" -v tkb="$tkb" -v ps="$ps" -v pkb="$pkb" 'BEGIN {
		if (pkb == "-")
			printf "| %-36s | %8d | %10.1f | %9s | %7s | %9.2f | %8s |\n",
				l, n, tkb / 1024, "-", "-", ts, "-"
		else
			printf "| %-36s | %8d | %10.1f | %9.1f | %6.1fx | %9.2f | %8.2f |\n",
				l, n, tkb / 1024, pkb / 1024, (tkb > 0 ? pkb / tkb : 0), ts, ps }'
}

echo "| run                                  |     rows | turnout MB | python MB | ratio   | turnout s | python s |"
echo "|--------------------------------------|----------|------------|-----------|---------|-----------|----------|"
for n in $ROWS; do
	echo "making a database of $n followers in $TMP ..." >&2
	"$PY" "$HERE/gen_followers.py" "$n" "$TMP/f.csv"
	db=$TMP/t.db
	rm -f "$db" "$db-wal" "$db-shm"
	TURNOUT_DB=$db "$TURNOUT" init --org Bench --from bench@example.org \
		--base-url https://bench.example.org >/dev/null
	TURNOUT_DB=$db "$TURNOUT" channel add news --kind newsletter >/dev/null
	TURNOUT_DB=$db "$TURNOUT" follower import news "$TMP/f.csv" >/dev/null
	rm -f "$TMP/f.csv"

	measure "$TMP/t" "$TMP/t.json" env TURNOUT_DB="$db" "$TURNOUT" follower list --json
	measure "$TMP/p" "$TMP/p.json" "$PY" "$HERE/baseline_list_json.py" "$db"
	measure "$TMP/ps" "$TMP/ps.json" "$PY" "$HERE/baseline_list_json.py" "$db" --stream
	"$PY" -c '
import json, sys
t, p, ps = (json.load(open(f, encoding="utf-8")) for f in sys.argv[1:4])
if not (t == p == ps and len(t) == int(sys.argv[4])):
    sys.exit("bench: turnout and Python listed different data")
' "$TMP/t.json" "$TMP/p.json" "$TMP/ps.json" "$n"
	row "list --json vs json.dump(list)" "$n" "$TMP/t" "$TMP/p"
	row "list --json vs json.dump per person" "$n" "$TMP/t" "$TMP/ps"
	measure "$TMP/tt" "$TMP/t.txt" env TURNOUT_DB="$db" "$TURNOUT" follower list
	row "list (text), turnout only" "$n" "$TMP/tt"
	rm -f "$TMP/t.json" "$TMP/p.json" "$TMP/ps.json" "$TMP/t.txt"
done
echo
echo "MB = peak resident set size; ratio = python MB / turnout MB"
