#!/bin/sh
# bench/serve.sh - the RSVP page: requests per second that 'turnout serve'
# answers over one keep-alive connection, against the same page served
# from the same database by bench/baseline_rsvp_server.py (Python's
# http.server), both asked by the same client, bench/http_get.c: one
# request at a time over one connection, REQUESTS times (curl spends about
# as long per request as the servers do, so it would measure itself).
#
# usage: TURNOUT=build/turnout HTTP_GET=build/bench/http_get sh bench/serve.sh
set -eu

: "${TURNOUT:?set TURNOUT to the turnout binary (make bench does)}"
: "${HTTP_GET:?set HTTP_GET to build/bench/http_get (make bench does)}"
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
N=${REQUESTS:-20000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/turnout-bench.XXXXXX")
SRV=
stop() { [ -z "$SRV" ] || { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null || true; SRV=; }; }
trap 'stop; rm -rf "$TMP"' EXIT INT TERM

export TURNOUT_DB="$TMP/t.db"
"$TURNOUT" init --org "Readers Club" --from team@meet.example.org \
	--base-url https://meet.example.org >/dev/null
"$TURNOUT" channel add news --kind newsletter >/dev/null
printf 'email,name\nanna@example.org,Anna Berg\n' >"$TMP/f.csv"
"$TURNOUT" follower import news "$TMP/f.csv" >/dev/null
"$TURNOUT" event create --title "Readers' meetup" --start "2030-06-10 19:00" \
	--tz Europe/Berlin --venue "Café Einstein" --address "Unter den Linden 42" >/dev/null
"$TURNOUT" invite readers-meetup >/dev/null 2>&1
mkdir "$TMP/eml"
"$TURNOUT" send --eml-dir "$TMP/eml" >/dev/null 2>&1
token=$("$PY" "$HERE/../tests/rsvp_tokens.py" "$TMP/eml" | cut -f2)

# run PORT: N requests of the RSVP page over one connection; prints the
# seconds taken (after a first run that warms both sides up).
run() {
	"$HTTP_GET" "$1" "/rsvp/$token" 200 >/dev/null
	"$HTTP_GET" "$1" "/rsvp/$token" "$N"
}

"$TURNOUT" serve --listen 127.0.0.1:0 2>"$TMP/serve.log" &
SRV=$!
i=0
until grep -q "listening on" "$TMP/serve.log"; do
	i=$((i + 1)); [ $i -lt 300 ] || { cat "$TMP/serve.log" >&2; exit 1; }; sleep 0.1
done
port=$(sed -n 's/^turnout: serve: listening on http:\/\/127.0.0.1://p' "$TMP/serve.log")
ts=$(run "$port")
stop

"$PY" "$HERE/baseline_rsvp_server.py" "$TMP/t.db" "$TMP/port" &
SRV=$!
i=0
until [ -s "$TMP/port" ]; do
	i=$((i + 1)); [ $i -lt 300 ] || exit 1; sleep 0.1
done
ps=$(run "$(cat "$TMP/port")")
stop

echo "| run                                  |      n | turnout /s   | python /s    | ratio   |"
echo "|--------------------------------------|--------|--------------|--------------|---------|"
awk -v n="$N" -v t="$ts" -v p="$ps" 'BEGIN {
	printf "| %-36s | %6d | %12.0f | %12.0f | %6.1fx |\n", "RSVP page, one keep-alive connection", n, n / t, n / p, p / t }'
echo
echo "ratio = turnout requests per second / python's, each answer read whole"
