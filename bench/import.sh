#!/bin/sh
# bench/import.sh - 'turnout follower import' against the same job in
# Python (bench/baseline_import.py), on generated files of 100,000 and
# 1,000,000 rows, plus a re-import of the big file (every row an update).
# Each run starts from a fresh database made by 'turnout init' and
# 'turnout channel add'. Time and peak memory come from /usr/bin/time -v.
#
# usage: TURNOUT=build/turnout sh bench/import.sh    (or: make bench)
# BENCH_ROWS="100000 1000000" chooses the sizes; BENCH_RUNS (default 3)
# how many times each of their runs is made, turnout and Python in turn:
# the table shows the median time and the highest peak. BENCH_BIG (default
# 3000000, 0 for none) adds a turnout-only run that shows peak memory does
# not grow with the file. BENCH_CHANNELS (default 200000, 0 for none) is
# the size of each of five overlapping channels imported one after the
# other into a fresh database; the fifth import is timed, when most of its
# people already follow other channels.
set -eu

: "${TURNOUT:?set TURNOUT to the turnout binary (make bench does)}"
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
ROWS=${BENCH_ROWS:-"100000 1000000"}
RUNS=${BENCH_RUNS:-3}
BIG=${BENCH_BIG:-3000000}
CHANNELS=${BENCH_CHANNELS:-200000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/turnout-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

# fresh_db FILE: an initialised database with a newsletter channel 'news'.
fresh_db() {
	rm -f "$1" "$1-wal" "$1-shm"
	TURNOUT_DB="$1" "$TURNOUT" init --org Bench --from bench@example.org \
		--base-url https://bench.example.org >/dev/null
	TURNOUT_DB="$1" "$TURNOUT" channel add news --kind newsletter >/dev/null
}

# measure OUT CMD...: runs CMD under /usr/bin/time -v; writes "seconds kb".
# What earlier steps wrote is flushed to the disk first, so that no run
# pays for another's writeback.
measure() {
	out=$1
	shift
	sync
	/usr/bin/time -v "$@" >"$TMP/stdout" 2>"$TMP/time" || {
		cat "$TMP/time" >&2
		echo "bench: failed: $*" >&2
		exit 1
	}
	awk -F': ' '
		/Elapsed \(wall clock\)/ {
			n = split($2, t, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + t[i]
		}
		/Maximum resident set size/ { kb = $2 }
		END { printf "%.2f %d\n", s, kb }' "$TMP/time" >"$out"
}

# median OUT FILE...: the median seconds and the highest peak of the
# "seconds kb" files.
median() {
	out=$1
	shift
	cat "$@" | sort -n | awk '{ s[NR] = $1; if ($2 > kb) kb = $2 }
		END { printf "%s %d\n", s[int((NR + 1) / 2)], kb }' >"$out"
}

row() {   # row LABEL ROWS TURNOUT_RESULT PYTHON_RESULT
	read -r ts tkb <"$3"
	read -r ps pkb <"$4"
	awk -v l="$1" -v n="$2" -v ts="$ts" -v tkb="$tkb" -v ps="$ps" -v pkb="$pkb" 'BEGIN {
		printf "| %-23s | %8d | %9.2f | %14.0f | %8.2f | %7.1fx | %10.1f | %9.1f |\n",
			l, n, ts, (ts > 0 ? n / ts : 0), ps, (ts > 0 ? ps / ts : 0),
			tkb / 1024, pkb / 1024 }'
}

echo "generating files in $TMP ..." >&2
for n in $ROWS; do
	"$PY" "$HERE/gen_followers.py" "$n" "$TMP/f$n.csv"
done

echo "| run                     |     rows | turnout s | turnout rows/s | python s | ratio   | turnout MB | python MB |"
echo "|-------------------------|----------|-----------|----------------|----------|---------|------------|-----------|"
last=
for n in $ROWS; do
	for i in $(seq "$RUNS"); do
		fresh_db "$TMP/t.db"
		measure "$TMP/t.$i" env TURNOUT_DB="$TMP/t.db" "$TURNOUT" follower import news "$TMP/f$n.csv"
		fresh_db "$TMP/p.db"
		measure "$TMP/p.$i" "$PY" "$HERE/baseline_import.py" "$TMP/p.db" news "$TMP/f$n.csv"
	done
	median "$TMP/t" "$TMP"/t.[0-9]*
	median "$TMP/p" "$TMP"/p.[0-9]*
	rm -f "$TMP"/t.[0-9]* "$TMP"/p.[0-9]*
	row "import (fresh db)" "$n" "$TMP/t" "$TMP/p"
	last=$n
done
# The databases of the last size are kept: import the same file again.
for i in $(seq "$RUNS"); do
	measure "$TMP/t.$i" env TURNOUT_DB="$TMP/t.db" "$TURNOUT" follower import news "$TMP/f$last.csv"
	grep -q "inserted 0, updated $last, rejected 0" "$TMP/stdout" || {
		echo "bench: re-import did not update every row:" >&2
		cat "$TMP/stdout" >&2
		exit 1
	}
	measure "$TMP/p.$i" "$PY" "$HERE/baseline_import.py" "$TMP/p.db" news "$TMP/f$last.csv"
done
median "$TMP/t" "$TMP"/t.[0-9]*
median "$TMP/p" "$TMP"/p.[0-9]*
rm -f "$TMP"/t.[0-9]* "$TMP"/p.[0-9]*
row "re-import (all updates)" "$last" "$TMP/t" "$TMP/p"
if [ "$CHANNELS" -gt 0 ]; then
	# Channel k (1..5) has rows (k-1)*step+1 ... (k-1)*step+CHANNELS of one
	# shuffled file: each shares three quarters of its people with the
	# channel before, and the people each import adds get ids after all
	# earlier ones, so ids are not in key order.
	step=$((CHANNELS / 4))
	"$PY" "$HERE/gen_followers.py" $((4 * step + CHANNELS)) "$TMP/all.csv"
	for k in 1 2 3 4 5; do
		{ head -n 1 "$TMP/all.csv"
		  tail -n +$(((k - 1) * step + 2)) "$TMP/all.csv" | head -n "$CHANNELS"
		} >"$TMP/c$k.csv"
	done
	for db in t p; do
		fresh_db "$TMP/$db.db"
		for k in 1 2 3 4 5; do
			TURNOUT_DB="$TMP/$db.db" "$TURNOUT" channel add "c$k" --kind newsletter >/dev/null
		done
	done
	for k in 1 2 3 4; do
		TURNOUT_DB="$TMP/t.db" "$TURNOUT" follower import "c$k" "$TMP/c$k.csv" >/dev/null
		"$PY" "$HERE/baseline_import.py" "$TMP/p.db" "c$k" "$TMP/c$k.csv" >/dev/null
	done
	measure "$TMP/t" env TURNOUT_DB="$TMP/t.db" "$TURNOUT" follower import c5 "$TMP/c5.csv"
	measure "$TMP/p" "$PY" "$HERE/baseline_import.py" "$TMP/p.db" c5 "$TMP/c5.csv"
	row "5th of 5 channels" "$CHANNELS" "$TMP/t" "$TMP/p"
	rm -f "$TMP"/all.csv "$TMP"/c?.csv
fi
if [ "$BIG" -gt 0 ]; then
	"$PY" "$HERE/gen_followers.py" "$BIG" "$TMP/big.csv"
	fresh_db "$TMP/t.db"
	measure "$TMP/t" env TURNOUT_DB="$TMP/t.db" "$TURNOUT" follower import news "$TMP/big.csv"
	read -r ts tkb <"$TMP/t"
	awk -v n="$BIG" -v ts="$ts" -v tkb="$tkb" 'BEGIN {
		printf "| %-23s | %8d | %9.2f | %14.0f | %8s | %7s | %10.1f | %9s |\n",
			"import, turnout only", n, ts, (ts > 0 ? n / ts : 0), "-", "-", tkb / 1024, "-" }'
	rm -f "$TMP/big.csv"
fi
echo
echo "ratio = python s / turnout s; s = the median of $RUNS runs (the rows of many"
echo "channels and of turnout only: one run); MB = the highest peak resident set size"
