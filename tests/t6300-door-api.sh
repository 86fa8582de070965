#!/usr/bin/env bash
# serve: the door's JSON API (/api/v1/events/E/...): every verdict of a
# scan (admit, duplicate with when and where, invalid, wrong_event,
# revoked, cancelled), a scanned ticket page URL, a scanner's CR/Tab and
# "]Q1" prefix, walk-ins (one matched to a known follower by address),
# stats, the public key (checked against a code with python3's
# cryptography), the revoked list; and every refusal (no, a wrong, a
# revoked or another event's gate token, malformed JSON, a 1 MB body, a
# wrong Content-Type) a clear 4xx with the database unchanged. Over HTTPS
# too.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

# Gates are made, and scans made from the CLI, with the door's commands.
test_lazy_prereq DOOR_CLI 'tn gate add --help'

test_expect_success DOOR_CLI 'setup: events, tickets and their e-mails, gates, a follower' '
	setup_db &&
	tn event create --title "Readers meetup" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --slug meet >/dev/null &&
	tn event create --title "Other" --start "2030-07-10 19:00" \
		--tz Europe/Berlin --slug other >/dev/null &&
	tn event create --title "Gone" --start "2030-08-10 19:00" \
		--tz Europe/Berlin --slug gone >/dev/null &&
	for p in anna:meet bob:meet carl:meet dora:meet erin:other gina:gone; do
		tn register "${p#*:}" --name "${p%%:*} Person" \
			--email "${p%%:*}@example.org" >/dev/null || exit 1
	done &&
	mkdir eml png &&
	tn send --eml-dir eml >/dev/null 2>&1 &&
	$PY "$TN_TOP/tests/ticket_mail.py" eml png >tickets &&
	test "$(wc -l <tickets)" = 6 &&
	tn channel add news --kind newsletter >/dev/null &&
	printf "email,name\nfred@example.org,Fred Follower\n" >f.csv &&
	tn follower import news f.csv >/dev/null &&
	for g in meet:front meet:side meet:old other:main gone:door; do
		tn gate add "${g%%:*}" "${g#*:}" --json >"gate-${g#*:}.json" || exit 1
	done &&
	tn gate revoke meet old >/dev/null &&
	tn ticket revoke "$(q "SELECT t.id FROM ticket t JOIN registration r ON r.id = t.registration_id JOIN person p ON p.id = r.person_id WHERE p.email = '\''dora@example.org'\''")" >/dev/null &&
	tn event cancel gone >/dev/null 2>&1
'

# tok GATE: a gate's token; code ADDR / page ADDR: the code and the ticket
# page token of ADDR's ticket.
tok() { $PY -c "import json, sys; print(json.load(open(sys.argv[1]))[\"token\"])" "gate-$1.json"; }
code() { awk -v a="$1@example.org" '$1 == a { print $2 }' tickets; }
page() { awk -v a="$1@example.org" '$1 == a { print $3 }' tickets; }

# api WANT GATE EVENT ENDPOINT [BODY]: a request to the API (a POST of
# BODY as JSON when given) with GATE's token ("-": none).
api() {
	local want=$1 gate=$2 ev=$3 ep=$4 auth=()
	shift 4 &&
	if [ "$gate" != - ]; then
		auth=(-H "Authorization: Bearer $(tok "$gate")")
	fi &&
	if [ $# -gt 0 ]; then
		http_status "$want" "${auth[@]}" -H "Content-Type: application/json" \
			--data-binary "$1" "$U/api/v1/events/$ev/$ep"
	else
		http_status "$want" "${auth[@]}" "$U/api/v1/events/$ev/$ep"
	fi
}

# scan WANT GATE EVENT TEXT: POSTs TEXT (a JSON string's contents) as the
# scanned code; the verdict must be WANT.
scan() {
	api 200 "$2" "$3" checkins "{\"code\": \"$4\"}" &&
	json_is "d[\"verdict\"] == \"$1\""
}

# json_is EXPR: the last answer is JSON and EXPR (Python, the answer as
# d) holds.
json_is() {
	$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    sys.exit(\"not %s: %r\" % (sys.argv[2], d))
" "$TRASH/.body" "$1"
}

# field NAME: a field of the last JSON answer.
field() { $PY -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$TRASH/.body" "$1"; }

if test_have_prereq DOOR_CLI; then
	serve_start serve.log || echo "Bail out! turnout serve did not start"
	U=$SERVE_URL
fi

test_expect_success DOOR_CLI 'the first scan admits, with the holder and the gate' '
	scan admit front meet "$(code anna)" &&
	header_has "^content-type: application/json" &&
	json_is "d[\"event\"] == \"meet\" and d[\"gate\"] == \"front\" and d[\"name\"] == \"anna Person\"" &&
	json_is "d[\"walkin\"] is False and isinstance(d[\"ticket\"], int) and d[\"at\"].endswith(\"Z\")" &&
	json_is "\"admitted_at\" not in d" &&
	id=$(field id) && field at >first_at &&
	test "$(q "SELECT verdict || \" \" || g.name FROM checkin c JOIN gate g ON g.id = c.gate_id WHERE c.id = $id")" = "admit front"
'

test_expect_success DOOR_CLI 'a second scan at another gate is a duplicate saying when and where' '
	scan duplicate side meet "$(code anna)" &&
	json_is "d[\"admitted_gate\"] == \"front\" and d[\"gate\"] == \"side\"" &&
	field admitted_at >dup_at &&
	test_cmp first_at dup_at &&
	test "$(q "SELECT count(*) FROM checkin WHERE verdict = '\''duplicate'\''")" = 1
'

test_expect_success DOOR_CLI 'a tampered code is invalid, and recorded' '
	c=$(code bob) &&
	if [ "${c:5:1}" = A ]; then t=B; else t=A; fi &&
	scan invalid front meet "${c:0:5}$t${c:6}" &&
	json_is "d[\"ticket\"] is None and d[\"name\"] is None" &&
	scan invalid front meet "not a ticket" &&
	test "$(q "SELECT count(*) FROM checkin WHERE verdict = '\''invalid'\''")" = 2
'

test_expect_success DOOR_CLI 'another event'\''s ticket, a revoked ticket, a cancelled event' '
	scan wrong_event front meet "$(code erin)" &&
	scan revoked side meet "$(code dora)" &&
	scan cancelled door gone "$(code gina)"
'

test_expect_success DOOR_CLI 'a scanned ticket page URL admits its ticket' '
	scan admit front meet "https://meet.example.org/t/$(page bob)" &&
	json_is "d[\"name\"] == \"bob Person\""
'

test_expect_success DOOR_CLI 'a scanner'\''s "]Q1" prefix and trailing CR and Tab are read through' '
	scan admit side meet "]Q1$(code carl)\\r\\t" &&
	json_is "d[\"name\"] == \"carl Person\""
'

test_expect_success DOOR_CLI 'a walk-in with a known address is that follower, admitted' '
	people=$(q "SELECT count(*) FROM person") &&
	api 200 front meet walkins "{\"name\": \"Fred F\", \"email\": \"FRED@example.org\"}" &&
	json_is "d[\"verdict\"] == \"admit\" and d[\"walkin\"] is True and d[\"gate\"] == \"front\"" &&
	test "$(q "SELECT count(*) FROM person")" = "$people" &&
	test "$(q "SELECT r.source FROM registration r JOIN person p ON p.id = r.person_id JOIN event e ON e.id = r.event_id WHERE p.email = '\''fred@example.org'\'' AND e.slug = '\''meet'\''")" = walk-in &&
	api 200 side meet walkins "{\"name\": \"Hana New\"}" &&
	json_is "d[\"verdict\"] == \"admit\" and d[\"name\"] == \"Hana New\""
'

test_expect_success DOOR_CLI 'walk-in refusals name their field, and record nothing' '
	test_db_unchanged 0 api 400 front meet walkins "{\"email\": \"x@example.org\"}" &&
	json_is "d[\"field\"] == \"name\"" &&
	test_db_unchanged 0 api 400 front meet walkins "{\"name\": \"X\", \"email\": \"not an address\"}" &&
	json_is "d[\"field\"] == \"email\" and d[\"error\"]" &&
	test_db_unchanged 0 api 404 front meet walkins "{\"name\": \"X\", \"channel\": \"nope\"}" &&
	json_is "d[\"field\"] == \"channel\"" &&
	test_db_unchanged 0 api 409 door gone walkins "{\"name\": \"X\"}" &&
	test_db_unchanged 0 api 400 front meet walkins "{\"name\": 42}"
'

test_expect_success DOOR_CLI 'stats: admitted, expected, walk-ins, scans, and each gate' '
	api 200 side meet stats &&
	json_is "d[\"event\"] == \"meet\" and d[\"title\"] == \"Readers meetup\"" &&
	test "$(field admitted)" = "$(q "SELECT count(*) FROM checkin c JOIN event e ON e.id = c.event_id WHERE e.slug = '\''meet'\'' AND verdict = '\''admit'\''")" &&
	json_is "d[\"admitted\"] == 5 and d[\"walkins\"] == 2" &&
	json_is "d[\"scans\"] == $(q "SELECT count(*) FROM checkin c JOIN event e ON e.id = c.event_id WHERE e.slug = '\''meet'\''")" &&
	json_is "d[\"expected\"] >= 3" &&
	json_is "sorted(g[\"name\"] for g in d[\"gates\"]) == [\"front\", \"old\", \"side\"]" &&
	json_is "[g[\"revoked\"] for g in d[\"gates\"] if g[\"name\"] == \"old\"] == [True]" &&
	json_is "[g[\"admitted\"] for g in d[\"gates\"] if g[\"name\"] == \"front\"] == [3]"
'

test_expect_success DOOR_CLI 'pubkey: the key that verifies a code (python3 cryptography)' '
	api 200 front meet pubkey &&
	json_is "d[\"algorithm\"] == \"ed25519\" and d[\"code_format\"] == 1 and d[\"event\"] == \"meet\"" &&
	$PY - "$TRASH/.body" "$(code anna)" "$(q "SELECT hex(public_key) FROM signing_key")" <<-\EOF
	import base64, json, sys
	from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
	d = json.load(open(sys.argv[1]))
	pk = base64.b64decode(d["public_key"])
	assert pk.hex().upper() == sys.argv[3], "not the signing key"
	raw = base64.b32decode(sys.argv[2] + "=" * (-len(sys.argv[2]) % 8))
	payload, sig = raw[:10], raw[10:74]
	Ed25519PublicKey.from_public_bytes(pk).verify(sig, b"turnout-ticket" + payload)
	assert int.from_bytes(payload[1:5], "big") == d["event_id"], "event id"
	try:
	    Ed25519PublicKey.from_public_bytes(pk).verify(sig, b"turnout-ticket" + payload[:9] + b"\x7f")
	    sys.exit("a changed payload verified")
	except Exception as e:
	    if isinstance(e, SystemExit):
	        raise
	EOF
'

test_expect_success DOOR_CLI 'revoked: the numbers of the tickets a door must refuse' '
	api 200 front meet revoked &&
	dora=$(q "SELECT t.id FROM ticket t JOIN registration r ON r.id = t.registration_id JOIN person p ON p.id = r.person_id WHERE p.email = '\''dora@example.org'\''") &&
	json_is "d == {\"event\": \"meet\", \"revoked\": [$dora]}"
'

test_expect_success DOOR_CLI 'no token, a wrong one, a revoked gate, another event'\''s gate: 401, nothing recorded' '
	for who in - main old; do
		for ep in stats pubkey revoked; do
			api 401 "$who" meet "$ep" &&
			header_has "^www-authenticate: Bearer" || exit 1
		done &&
		test_db_unchanged 0 api 401 "$who" meet checkins "{\"code\": \"$(code carl)\"}" &&
		test_db_unchanged 0 api 401 "$who" meet walkins "{\"name\": \"Mallory\"}" &&
		json_is "\"error\" in d" || exit 1
	done &&
	test_db_unchanged 0 http_status 401 -H "Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAA" \
		-H "Content-Type: application/json" -d "{\"code\": \"x\"}" "$U/api/v1/events/meet/checkins" &&
	test_db_unchanged 0 http_status 401 -H "Authorization: Basic $(tok front)" \
		-H "Content-Type: application/json" -d "{\"code\": \"x\"}" "$U/api/v1/events/meet/checkins" &&
	test_db_unchanged 0 api 401 front nope checkins "{\"code\": \"x\"}"
'

test_expect_success DOOR_CLI 'malformed JSON, a missing or non-string code: 400, nothing recorded' '
	test_db_unchanged 0 api 400 front meet checkins "{\"code\": " &&
	json_is "\"error\" in d" &&
	test_db_unchanged 0 api 400 front meet checkins "[\"code\"]" &&
	test_db_unchanged 0 api 400 front meet checkins "{\"cod\": \"x\"}" &&
	json_is "d[\"field\"] == \"code\"" &&
	test_db_unchanged 0 api 400 front meet checkins "{\"code\": 7}" &&
	test_db_unchanged 0 api 400 front meet checkins ""
'

test_expect_success DOOR_CLI 'a 1 MB body is 413, a wrong Content-Type 415, a GET 405: nothing recorded' '
	$PY -c "import sys; sys.stdout.write(\"{\\\"code\\\": \\\"\" + \"A\" * (1 << 20) + \"\\\"}\")" >big.json &&
	test_db_unchanged 0 http_status 413 -H "Authorization: Bearer $(tok front)" \
		-H "Content-Type: application/json" --data-binary @big.json "$U/api/v1/events/meet/checkins" &&
	json_is "\"error\" in d" &&
	test_db_unchanged 0 http_status 415 -H "Authorization: Bearer $(tok front)" \
		-d "code=$(code carl)" "$U/api/v1/events/meet/checkins" &&
	json_is "\"error\" in d" &&
	test_db_unchanged 0 http_status 415 -H "Authorization: Bearer $(tok front)" \
		-H "Content-Type: text/plain" -d "{\"code\": \"x\"}" "$U/api/v1/events/meet/checkins" &&
	test_db_unchanged 0 http_status 200 -H "Authorization: Bearer $(tok front)" \
		-H "Content-Type: application/json; charset=utf-8" "$U/api/v1/events/meet/stats" &&
	test_db_unchanged 0 http_status 405 -H "Authorization: Bearer $(tok front)" \
		"$U/api/v1/events/meet/checkins" &&
	header_has "^allow: POST"
'

test_expect_success DOOR_CLI 'a JSON body with a charset parameter is read' '
	http_status 200 -H "Authorization: Bearer $(tok side)" \
		-H "Content-Type: application/json; charset=utf-8" \
		--data-binary "{\"code\": \"$(code carl)\"}" "$U/api/v1/events/meet/checkins" &&
	json_is "d[\"verdict\"] == \"duplicate\" and d[\"admitted_gate\"] == \"side\""
'

test_expect_success DOOR_CLI 'the access log shows no gate token' '
	serve_stop &&
	grep -q "POST /api/v1/events/meet/checkins 200" serve.log &&
	for g in front side old main door; do
		! grep -q "$(tok $g)" serve.log || exit 1
	done
'

test_expect_success DOOR_CLI 'over HTTPS: a check-in with the certificate as the only trust' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout key.pem -out cert.pem -days 2 -subj "/CN=turnout.test" \
		-addext "subjectAltName=IP:127.0.0.1" 2>/dev/null &&
	serve_start tls.log --tls-cert cert.pem --tls-key key.pem &&
	U=$SERVE_URL &&
	case $U in https://*) ;; *) exit 1 ;; esac &&
	http_status 200 --cacert cert.pem -H "Authorization: Bearer $(tok front)" \
		-H "Content-Type: application/json" \
		--data-binary "{\"code\": \"$(code carl)\"}" "$U/api/v1/events/meet/checkins" &&
	json_is "d[\"verdict\"] == \"duplicate\"" &&
	test_db_unchanged 0 http_status 401 --cacert cert.pem \
		-H "Content-Type: application/json" -d "{\"code\": \"x\"}" "$U/api/v1/events/meet/checkins" &&
	serve_stop
'

test_done
