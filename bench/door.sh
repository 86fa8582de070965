#!/bin/sh
# bench/door.sh - check-ins per second through the door's JSON API, and
# their latency, with 8 gates on keep-alive connections on loopback, each
# scan durable (WAL, synchronous=FULL) before its verdict is sent:
# 'turnout serve' (group commit) against bench/baseline_door_server.py
# (ThreadingHTTPServer + sqlite3 + cryptography, one transaction per
# scan), in the same run, over HTTP and over HTTPS with the same
# certificate. The database: TICKETS people registered with real tickets
# (bench/door_prep.c, through the library) and 8 gates; every run gets a
# fresh copy, so every scan admits. The client is bench/door_load.c.
#
# usage: TURNOUT=build/turnout DOOR_PREP=... DOOR_LOAD=... sh bench/door.sh
set -eu

: "${TURNOUT:?set TURNOUT to the turnout binary (make bench does)}"
: "${DOOR_PREP:?set DOOR_PREP to build/bench/door_prep (make bench does)}"
: "${DOOR_LOAD:?set DOOR_LOAD to build/bench/door_load (make bench does)}"
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
N=${TICKETS:-20000}
NPY=${PY_SCANS:-3000}   # the baseline is slower: fewer scans, same shape
TMP=$(mktemp -d "${TMPDIR:-/tmp}/turnout-bench.XXXXXX")
SRV=
stop() { [ -z "$SRV" ] || { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null || true; SRV=; }; }
trap 'stop; rm -rf "$TMP"' EXIT INT TERM

export TURNOUT_DB="$TMP/base.db"
"$TURNOUT" init --org "Readers Club" --from team@meet.example.org \
	--base-url https://meet.example.org >/dev/null
"$TURNOUT" event create --title "Readers' meetup" --start "2030-06-10 19:00" \
	--tz Europe/Berlin --slug meet >/dev/null
"$DOOR_PREP" "$TMP/base.db" meet "$N" 8 "$TMP"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 -subj "/CN=turnout.bench" \
	-addext "subjectAltName=IP:127.0.0.1" 2>/dev/null

# wait_for FILE: until the server has written FILE (30 s at most).
wait_for() {
	i=0
	until [ -s "$1" ] && grep -q "${2:-.}" "$1"; do
		i=$((i + 1)); [ $i -lt 300 ] || { cat "$1" >&2; exit 1; }; sleep 0.1
	done
}

# turnout_run NAME [--tls]: serves a fresh copy, scans every code; prints
# door_load's line (requests admits seconds p50_us p99_us).
turnout_run() {
	cp "$TMP/base.db" "$TMP/$1.db"
	tls=; client=
	if [ "${2:-}" = --tls ]; then
		tls="--tls-cert $TMP/cert.pem --tls-key $TMP/key.pem"; client="--tls $TMP/cert.pem"
	fi
	# shellcheck disable=SC2086
	TURNOUT_DB="$TMP/$1.db" "$TURNOUT" serve --listen 127.0.0.1:0 $tls 2>"$TMP/$1.log" &
	SRV=$!
	wait_for "$TMP/$1.log" "listening on"
	port=$(sed -n 's/^turnout: serve: listening on https*:\/\/127.0.0.1://p' "$TMP/$1.log")
	# shellcheck disable=SC2086
	"$DOOR_LOAD" $client "$port" meet "$TMP/tokens" "$TMP/codes"
	stop
}

python_run() {
	cp "$TMP/base.db" "$TMP/$1.db"
	tls=; client=
	if [ "${2:-}" = --tls ]; then
		tls="$TMP/cert.pem $TMP/key.pem"; client="--tls $TMP/cert.pem"
	fi
	# shellcheck disable=SC2086
	"$PY" "$HERE/baseline_door_server.py" "$TMP/$1.db" "$TMP/$1.port" $tls &
	SRV=$!
	wait_for "$TMP/$1.port"
	# shellcheck disable=SC2086
	"$DOOR_LOAD" $client --limit "$NPY" "$(cat "$TMP/$1.port")" meet "$TMP/tokens" "$TMP/codes"
	stop
}

th=$(turnout_run th)
ph=$(python_run ph)
ts=$(turnout_run ts --tls)
ps=$(python_run ps --tls)

echo "| 8 gates, keep-alive, durable | scans (admits)  | turnout /s | p50 ms | p99 ms | python /s | p50 ms | p99 ms | ratio  |"
echo "|------------------------------|-----------------|------------|--------|--------|-----------|--------|--------|--------|"
row() {
	echo "$2 $3" | awk -v name="$1" '{
		printf "| %-28s | %6d (%6d) | %10.0f | %6.2f | %6.2f | %9.0f | %6.2f | %6.2f | %5.1fx |\n",
			name, $1, $2, $1 / $3, $4 / 1000, $5 / 1000, $6 / $8, $9 / 1000, $10 / 1000,
			($1 / $3) / ($6 / $8) }'
}
row "check-ins over HTTP" "$th" "$ph"
row "check-ins over HTTPS" "$ts" "$ps"
echo
echo "turnout scans $N codes per run, python $NPY (its rate does not depend on the count);"
echo "every scan is an admit; latency from the request's first byte to its answer read whole"
