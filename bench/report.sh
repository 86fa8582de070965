#!/bin/sh
# bench/report.sh - seconds for `turnout report --format json` over every
# event, against bench/baseline_report.py (sqlite3 and plain Python)
# computing the same figures from the same database in the same run, at
# full size and at one tenth: PEOPLE followers (1,000,000) on 5 channels,
# 50 events, PEOPLE/5 registrations and PEOPLE/10 check-ins. The baseline
# compares its figures with turnout's JSON and the bench fails if one
# differs.
#
# The database is made through turnout: `init`, `channel add`, `channel
# audience`, `follower import` of files from bench/gen_followers.py (a
# fifth of the people per channel, 2% of them on two channels; a
# `--complete` re-import of one channel without a tenth of its people
# marks them unfollowed), `event create`;
# then bench/report_prep.c makes the invitations, registrations, tickets,
# check-ins and walk-ins through the library, one transaction per event.
#
# usage: TURNOUT=build/turnout REPORT_PREP=build/bench/report_prep sh bench/report.sh
# REPORT_PEOPLE (default 1000000) sets the full size; REPORT_KEEP=DIR
# keeps the databases there and reuses them on the next run.
set -eu

: "${TURNOUT:?set TURNOUT to the turnout binary (make bench does)}"
: "${REPORT_PREP:?set REPORT_PREP to build/bench/report_prep (make bench does)}"
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
FULL=${REPORT_PEOPLE:-1000000}
EVENTS=50
RUNS=3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/turnout-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
KEEP=${REPORT_KEEP:-$TMP}
mkdir -p "$KEEP"

now() { date +%s.%N; }

# prepare N DB: the database of N people, unless a kept one is there.
prepare() {
	n=$1 db=$2
	[ -s "$db" ] && return 0
	rm -f "$db" "$db-wal" "$db-shm"
	"$PY" "$HERE/gen_followers.py" "$n" "$TMP/people.csv"
	# five channels, each a fifth of the people in order of address; the
	# last 2% of each fifth follow the next channel too. (People who
	# already follow another channel are the import's slow case: each
	# looks for its follow of the channel among the follows of everyone
	# made after them, so they are the people made last.)
	sed 1d "$TMP/people.csv" | LC_ALL=C sort -t, -k1,1 |
	awk -v dir="$TMP" -v n="$n" 'BEGIN {
			split("news tg masto blog vk", ch, " "); size = int(n / 5)
			for (c = 1; c <= 5; c++) print "email,name,region,followed_at" > (dir "/" ch[c] ".csv")
		}
		{ i = NR - 1; c = int(i / size) + 1; if (c > 5) c = 5
		  print > (dir "/" ch[c] ".csv")
		  if (c < 5 && i % size >= size * 0.98) print > (dir "/" ch[c + 1] ".csv") }'
	awk 'NR == 1 { next } { sub(/,.*/, ""); print }' "$TMP/people.csv" >"$TMP/emails"
	export TURNOUT_DB="$db"
	"$TURNOUT" init --org "Readers Club" --from team@meet.example.org \
		--base-url https://meet.example.org >/dev/null
	for c in news:newsletter tg:telegram masto:mastodon blog:blog vk:vk; do
		"$TURNOUT" channel add "${c%%:*}" --kind "${c#*:}" >/dev/null
		"$TURNOUT" follower import "${c%%:*}" "$TMP/${c%%:*}.csv" >/dev/null
	done
	# blog's list today, without a tenth of its followers: unfollowed
	grep -v '^email,' "$TMP/blog.csv" | awk 'NR % 10' |
		sed '1i email,name,region,followed_at' >"$TMP/blog-now.csv"
	"$TURNOUT" follower import blog "$TMP/blog-now.csv" --complete >/dev/null
	# declared audiences: tg above its followers, on two dates around the
	# events; news below them
	"$TURNOUT" channel audience tg $((n / 2)) --date 2026-06-01 >/dev/null
	"$TURNOUT" channel audience tg $((n * 3 / 5)) --date 2027-03-01 >/dev/null
	"$TURNOUT" channel audience news $((n / 10)) --date 2026-01-01 >/dev/null
	i=1
	while [ $i -le $EVENTS ]; do
		day=$(date -u -d "2026-12-03 + $(((i - 1) * 7)) days" +%Y-%m-%d)
		"$TURNOUT" event create --title "Readers' meetup $i" --start "$day 19:00" \
			--tz Europe/Berlin --slug "$(printf 'meetup-%02d' $i)" >/dev/null
		i=$((i + 1))
	done
	"$REPORT_PREP" "$db" "$TMP/emails" meetup- $EVENTS $((n / 5 / EVENTS)) \
		$((n / 10 / EVENTS)) 13
	unset TURNOUT_DB
	rm -f "$TMP"/*.csv "$TMP/emails"
}

# measure N: best of RUNS turnout reports, then the baseline (which
# checks its figures against turnout's); writes "turnout_s python_s".
measure() {
	n=$1 db=$KEEP/report-$1.db
	prepare "$n" "$db"
	best=
	r=0
	while [ $r -lt $RUNS ]; do
		t0=$(now)
		TURNOUT_DB="$db" "$TURNOUT" report --format json -o "$TMP/turnout.json"
		t1=$(now)
		best=$(echo "$t0 $t1 ${best:-}" | awk '{ s = $2 - $1; if ($3 != "" && $3 < s) s = $3; printf "%.3f", s }')
		r=$((r + 1))
	done
	t0=$(now)
	"$PY" "$HERE/baseline_report.py" "$db" "$TMP/python.json" --check "$TMP/turnout.json"
	t1=$(now)
	echo "$best $(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')"
}

echo "preparing and measuring $((FULL / 10)) and $FULL followers (databases in $KEEP) ..." >&2
small=$(measure $((FULL / 10)))
big=$(measure "$FULL")

echo "| followers | registrations | check-ins | turnout s | python s | ratio  |"
echo "|-----------|---------------|-----------|-----------|----------|--------|"
for line in "$((FULL / 10)) $small" "$FULL $big"; do
	echo "$line" | awk '{ printf "| %9d | %13d | %9d | %9.3f | %8.2f | %5.1fx |\n",
		$1, $1 / 5, $1 / 10, $2, $3, $3 / $2 }'
done
echo "$small $big" | awk '{ printf "turnout 10x the data: %.1fx the time; python %.1fx\n", $3 / $1, $4 / $2 }'
echo "turnout: best of $RUNS runs of 'report --format json' over $EVENTS events;" \
	"python: one run, figures equal to turnout's"
