#!/usr/bin/env bash
# the door under load: 100 tickets each scanned at the same moment by 8
# gates, 4 through the JSON API (tests/door_client.py, keep-alive, one
# thread per gate) and 4 through `turnout checkin` processes, give
# exactly 100 admits and 700 duplicates; and a server killed with
# SIGKILL while gates scan has lost no scan that got a verdict, and
# admitted no ticket twice.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

# Gates are made, and scans made from the CLI, with the door's commands.
test_lazy_prereq DOOR_CLI 'tn gate add --help && tn checkin --help'

test_expect_success DOOR_CLI 'setup: 100 tickets, 8 gates' '
	setup_db &&
	tn event create --title "Readers meetup" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --slug meet >/dev/null &&
	for i in $(seq 100); do
		printf "%s\n" "guest$i@example.org,Guest $i" || exit 1
	done >people &&
	while IFS=, read -r email name; do
		tn register meet --name "$name" --email "$email" >/dev/null || exit 1
	done <people &&
	tn ticket list meet --json >tickets.json &&
	$PY -c "import json, sys; print(\"\n\".join(t[\"code\"] for t in json.load(open(sys.argv[1]))))" \
		tickets.json >codes &&
	test "$(wc -l <codes)" = 100 &&
	for g in h1 h2 h3 h4 c1 c2 c3 c4; do
		tn gate add meet "$g" --json >"gate-$g.json" || exit 1
	done
'

tok() { $PY -c "import json, sys; print(json.load(open(sys.argv[1]))[\"token\"])" "gate-$1.json"; }

# cli_gate G: `turnout checkin` of every code at gate G, once START exists;
# the verdicts go to cli-G.out; exit 0 and 1 (not an admit) are both fine.
cli_gate() {
	local code rc
	test_wait_for go &&
	while read -r code; do
		rc=0
		"$TURNOUT" checkin meet "$code" --gate "$1" --json >>"cli-$1.out" || rc=$?
		[ "$rc" -le 1 ] || return 1
	done <codes
}

# admits FILE...: the admits among the verdicts in FILEs (the CLI's JSON,
# or door_client.py's lines).
admits() { cat "$@" | grep -c -E "\"verdict\":[[:space:]]*\"admit\"|	admit	"; }

if test_have_prereq DOOR_CLI; then
	serve_start serve.log || echo "Bail out! turnout serve did not start"
	U=$SERVE_URL
fi

test_expect_success DOOR_CLI '8 gates at once, 4 over HTTP and 4 from the CLI: 100 admits, 700 duplicates' '
	{ START=go timeout 60 $PY "$TN_TOP/tests/door_client.py" "$U" meet codes http.out \
		"$(tok h1)" "$(tok h2)" "$(tok h3)" "$(tok h4)" & } &&
	client=$! &&
	pids= &&
	for g in c1 c2 c3 c4; do
		{ cli_gate "$g" & } &&
		pids="$pids $!" || exit 1
	done &&
	touch go &&
	wait "$client" &&
	for p in $pids; do
		wait "$p" || exit 1
	done &&
	test "$(wc -l <http.out)" = 400 &&
	test "$(cat cli-*.out | grep -c "\"verdict\"")" = 400 &&
	test "$(admits http.out cli-c1.out cli-c2.out cli-c3.out cli-c4.out)" = 100 &&
	test "$(q "SELECT count(*) FROM checkin")" = 800 &&
	test "$(q "SELECT count(*) FROM checkin WHERE verdict = '\''admit'\''")" = 100 &&
	test "$(q "SELECT count(*) FROM checkin WHERE verdict = '\''duplicate'\''")" = 700 &&
	test "$(q "SELECT count(DISTINCT ticket_id) FROM checkin WHERE verdict = '\''admit'\''")" = 100 &&
	test "$(q "SELECT count(*) FROM checkin WHERE gate_id IS NULL")" = 0 &&
	test "$(q "PRAGMA integrity_check")" = ok
'

test_expect_success DOOR_CLI 'kill -9 under load: every scan that got a verdict is recorded, none admitted twice' '
	serve_stop &&
	serve_start kill.log &&
	U=$SERVE_URL &&
	{ ROUNDS=200 timeout 60 $PY "$TN_TOP/tests/door_client.py" "$U" meet codes kill.out \
		"$(tok h1)" "$(tok h2)" "$(tok h3)" "$(tok h4)" 2>client.err & } &&
	client=$! &&
	tenths=300 &&
	while [ "$(cat kill.out 2>/dev/null | wc -l)" -lt 400 ]; do
		[ "$tenths" -gt 0 ] && kill -0 "$client" || { cat client.err; exit 1; }
		sleep 0.1 &&
		tenths=$((tenths - 1)) || exit 1
	done &&
	kill -KILL "$SERVE_PID" &&
	test_wait_for kill.log.status &&
	test "$(cat kill.log.status)" = 137 &&
	{ wait "$client" || status=$?; } &&
	test "${status:-0}" = 3 &&
	echo "verdicts received before the kill: $(wc -l <kill.out)" &&
	$PY - kill.out "$TURNOUT_DB" <<-\EOF &&
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[2])
	n = 0
	for line in open(sys.argv[1]):
	    token, cid, verdict, ticket = line.rstrip("\n").split("\t")
	    row = db.execute("SELECT verdict, ticket_id FROM checkin WHERE id = ?", (int(cid),)).fetchone()
	    if row != (verdict, int(ticket)):
	        sys.exit("scan %s answered %s for ticket %s, recorded as %r" % (cid, verdict, ticket, row))
	    n += 1
	assert n >= 400, n
	EOF
	test "$(q "SELECT count(*) FROM (SELECT ticket_id FROM checkin WHERE verdict = '\''admit'\'' GROUP BY ticket_id HAVING count(*) > 1)")" = 0 &&
	test "$(q "SELECT count(*) FROM checkin WHERE verdict = '\''admit'\''")" = 100 &&
	test "$(q "PRAGMA integrity_check")" = ok
'

test_expect_success DOOR_CLI 'restarted, the server goes on recording' '
	before=$(q "SELECT count(*) FROM checkin") &&
	serve_start again.log &&
	http_status 200 -H "Authorization: Bearer $(tok h2)" -H "Content-Type: application/json" \
		--data-binary "{\"code\": \"$(head -n 1 codes)\"}" "$SERVE_URL/api/v1/events/meet/checkins" &&
	grep -q "\"verdict\":\"duplicate\"" "$TRASH/.body" &&
	test "$(q "SELECT count(*) FROM checkin")" = $((before + 1)) &&
	serve_stop
'

test_done
