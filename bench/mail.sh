#!/bin/sh
# bench/mail.sh - invitations: how fast turnout makes them (the whole MIME
# message with its calendar part) and delivers them over SMTP, against the
# same jobs in Python, measured in the same run.
#
#   render: bench/render_bench.c (tn_ical_itip + tn_mail_build) against
#           bench/baseline_render.py (python3-icalendar + the email package
#           building the same message), RENDER_N messages each.
#   send:   SEND_N invitations queued by 'turnout invite', delivered to a
#           local aiosmtpd (tests/smtp_sink.py) by 'turnout send' over one
#           connection, against bench/baseline_send.py doing the same from
#           a copy of the same database with smtplib.
#
# usage: TURNOUT=build/turnout RENDER_BENCH=build/bench/render_bench sh bench/mail.sh
set -eu

: "${TURNOUT:?set TURNOUT to the turnout binary (make bench does)}"
: "${RENDER_BENCH:?set RENDER_BENCH to build/bench/render_bench (make bench does)}"
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
RENDER_N=${RENDER_N:-5000}
SEND_N=${SEND_N:-10000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/turnout-bench.XXXXXX")
SINK=
stop_sink() { [ -z "$SINK" ] || { kill "$SINK" 2>/dev/null; wait "$SINK" 2>/dev/null || true; SINK=; }; }
trap 'stop_sink; rm -rf "$TMP"' EXIT INT TERM

# start_sink NAME: a sink that keeps no message (so that its disk is not
# what is measured) and logs each one to $TMP/NAME.log; sets SINK, PORT.
start_sink() {
	"$PY" "$HERE/../tests/smtp_sink.py" --port-file "$TMP/$1.port" --log "$TMP/$1.log" \
		</dev/null >"$TMP/$1.err" 2>&1 &
	SINK=$!
	i=0
	while [ ! -s "$TMP/$1.port" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] && kill -0 "$SINK" 2>/dev/null || { cat "$TMP/$1.err" >&2; exit 1; }
		sleep 0.1
	done
	PORT=$(cat "$TMP/$1.port")
}

# received NAME: the sink took exactly SEND_N messages, one connection.
received() {
	n=$(grep -c "^data .* 250$" "$TMP/$1.log" || true)
	c=$(grep -c "^connect" "$TMP/$1.log" || true)
	[ "$n" = "$SEND_N" ] && [ "$c" = 1 ] || {
		echo "bench: $1: the sink took $n messages over $c connections" >&2; exit 1; }
}

# seconds CMD...: runs CMD, prints the wall seconds it took.
seconds() {
	s=$(date +%s.%N)
	"$@" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err" >&2; echo "bench: failed: $*" >&2; exit 1; }
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
}

row() {   # row LABEL N TURNOUT_PER_S PYTHON_PER_S
	awk -v l="$1" -v n="$2" -v t="$3" -v p="$4" 'BEGIN {
		printf "| %-36s | %6d | %12.0f | %12.0f | %6.1fx |\n", l, n, t, p, (p > 0 ? t / p : 0) }'
}

echo "| run                                  |      n | turnout /s   | python /s    | ratio   |"
echo "|--------------------------------------|--------|--------------|--------------|---------|"

t=$("$RENDER_BENCH" "$RENDER_N" | sed -n 's/.*: \([0-9]*\) messages\/s.*/\1/p')
p=$("$PY" "$HERE/baseline_render.py" "$((RENDER_N / 5))" | sed -n 's/.*: \([0-9]*\) messages\/s.*/\1/p')
row "invitations rendered (MIME + iCal)" "$RENDER_N" "$t" "$p"

export TURNOUT_DB="$TMP/t.db"
"$TURNOUT" init --org "Readers Club" --from team@meet.example.org \
	--base-url https://meet.example.org >/dev/null
"$TURNOUT" channel add news --kind newsletter >/dev/null
"$PY" "$HERE/gen_followers.py" "$SEND_N" "$TMP/f.csv"
"$TURNOUT" follower import news "$TMP/f.csv" >/dev/null
"$TURNOUT" event create --title "Readers' meetup" --start "2030-06-10 19:00" \
	--tz Europe/Berlin --venue "Café Einstein" >/dev/null
"$TURNOUT" invite readers-meetup >/dev/null 2>&1
cp "$TMP/t.db" "$TMP/p.db"

start_sink t-mail
ts=$(seconds "$TURNOUT" send --smtp "smtp://127.0.0.1:$PORT/turnout.test")
grep -q "^sent $SEND_N, deferred 0, failed 0$" "$TMP/out" || { cat "$TMP/out" >&2; exit 1; }
stop_sink
received t-mail
start_sink p-mail
ps=$(seconds "$PY" "$HERE/baseline_send.py" "$TMP/p.db" 127.0.0.1 "$PORT")
grep -q "^sent $SEND_N$" "$TMP/out" || { cat "$TMP/out" >&2; exit 1; }
stop_sink
received p-mail
row "delivered over SMTP (one connection)" "$SEND_N" \
	"$(awk -v n="$SEND_N" -v s="$ts" 'BEGIN { print n / s }')" \
	"$(awk -v n="$SEND_N" -v s="$ps" 'BEGIN { print n / s }')"
echo
echo "ratio = turnout per second / python per second; both sides send to the same"
echo "local aiosmtpd sink, which keeps nothing (a Python server: it caps both sides)"
