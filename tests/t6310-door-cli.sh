#!/usr/bin/env bash
# The door from the command line: gate add, list and revoke; checkin with
# every verdict and its exit status; door (scanner mode) through a pipe -
# the lines a scanner types: CR, Tab, a "]Q1" prefix, spaces, empty
# lines, a ticket page URL, a 1 MB line - and through a pseudo-terminal,
# where each verdict is a coloured block with a bell (none with
# NO_COLOR); walk-ins matched to a known follower by e-mail; checkin
# list; and bad input, which changes nothing.
. "$(dirname "$0")/lib.sh"

# code NAME: the code of NAME's ticket (the tickets file the setup wrote).
code() { awk -F "\t" -v n="$1" '$4 == n { print $6 }' "$TRASH/tickets"; }
# number NAME: the number of NAME's ticket.
number() { awk -F "\t" -v n="$1" '$4 == n { print $1 }' "$TRASH/tickets"; }
# flip CODE: CODE with its 40th character changed (a forged code).
flip() {
	local c=$1 ch=${1:39:1} to=A
	[ "$ch" != A ] || to=B
	echo "${c:0:39}$to${c:40}"
}
# berlin UTC: the time UTC ("YYYY-MM-DDTHH:MM:SSZ") on a Berlin clock.
berlin() {
	$PY -c 'import sys, datetime, zoneinfo
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
print(t.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M:%S"))' "$1"
}

test_expect_success 'setup: three events with tickets, a follower, gates' '
	setup_db &&
	tn event create --title "Readers meetup" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --capacity 20 >/dev/null &&
	tn event create --title "Other" --start "2030-07-10 19:00" --tz Europe/Berlin >/dev/null &&
	tn event create --title "Gala" --start "2030-08-10 19:00" --tz Europe/Berlin >/dev/null &&
	tn event create --title "Small" --start "2030-09-10 19:00" --tz Europe/Berlin \
		--capacity 1 >/dev/null &&
	for who in Anna Bob Carl Dana Erin Fay Gus Hal; do
		tn register readers-meetup --name "$who Berg" --email "${who,,}@example.org" \
			>/dev/null || exit 1
	done &&
	tn register other --name "Olga Other" --email olga@example.org >/dev/null &&
	tn register gala --name "Gina Gala" --email gina@example.org >/dev/null &&
	tn register small --name "Sam Small" --email sam@example.org >/dev/null &&
	tn ticket list readers-meetup --format tsv >readers &&
	tn ticket list other --format tsv >other &&
	tn ticket list gala --format tsv >gala &&
	cat readers other gala | grep -v "^NUMBER" >tickets &&
	test "$(wc -l <tickets)" = 10 &&
	c=$(code "Anna Berg") &&
	test ${#c} = 119 &&
	tn channel add news --kind newsletter >/dev/null &&
	printf "email,name\nwalt@example.org,Walt Known\n" >news.csv &&
	tn follower import news news.csv >/dev/null
'

test_expect_success 'gate add prints the login link and the token, which is stored only hashed' '
	tn_err gate add readers-meetup north >out &&
	token=$(sed -n "s/^token:  *//p" out) &&
	test ${#token} = 24 &&
	cat >expect <<-EOF &&
	gate '\''north'\'' added to '\''readers-meetup'\''
	login link: https://meet.example.org/door/$token
	token:      $token
	EOF
	test_cmp expect out &&
	stderr_has "shown only this once" &&
	! db_dump | grep -q -- "$token" &&
	tn gate add readers-meetup south --json >south.json &&
	$PY -c "import json; d = json.load(open(\"south.json\"))
assert d[\"name\"] == \"south\" and d[\"event\"] == \"readers-meetup\", d
assert d[\"login_url\"] == \"https://meet.example.org/door/\" + d[\"token\"], d
assert len(d[\"token\"]) == 24, d" &&
	test "$(q "SELECT count(*) FROM gate")" = 2
'

test_expect_success 'gate add: a name the event has, an unknown event: refused, nothing changed' '
	test_db_unchanged 1 tn_err gate add readers-meetup north &&
	stderr_has "north" &&
	test_db_unchanged 2 tn_err gate add no-such-event east &&
	stderr_has "no-such-event" &&
	test_db_unchanged 2 tn_err gate add readers-meetup &&
	test_db_unchanged 2 tn_err gate add readers-meetup west --colour
'

test_expect_success 'checkin admits a valid ticket once, with the holder'"'"'s name' '
	tn checkin readers-meetup "$(code "Anna Berg")" --gate north >out &&
	echo "admit: Anna Berg, ticket $(number "Anna Berg")" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT verdict || '\'' '\'' || ticket_id FROM checkin")" = "admit $(number "Anna Berg")"
'

test_expect_success 'a second scan is a duplicate naming when (Berlin time) and where, exit 1' '
	test_expect_code 1 tn checkin readers-meetup "$(code "Anna Berg")" --gate south >out &&
	at=$(q "SELECT at FROM checkin WHERE verdict = '\''admit'\''") &&
	echo "duplicate: Anna Berg, ticket $(number "Anna Berg"); in since $(berlin "$at") at gate '\''north'\''" >expect &&
	test_cmp expect out &&
	test_expect_code 1 tn checkin readers-meetup "$(code "Anna Berg")" --json >dup.json &&
	$PY -c "import json; d = json.load(open(\"dup.json\"))
assert d[\"verdict\"] == \"duplicate\" and d[\"name\"] == \"Anna Berg\", d
assert d[\"admitted_gate\"] == \"north\" and d[\"admitted_at\"] == \"$at\", d
assert d[\"gate\"] is None and d[\"walkin\"] is False and d[\"event\"] == \"readers-meetup\", d
assert set(d) == {\"verdict\", \"id\", \"event\", \"gate\", \"at\", \"ticket\", \"name\", \"walkin\", \"admitted_at\", \"admitted_gate\"}, d" &&
	test "$(q "SELECT count(*) FROM checkin WHERE verdict = '\''duplicate'\''")" = 2
'

test_expect_success 'a forged code (one character changed) is invalid, and recorded' '
	forged=$(flip "$(code "Bob Berg")") &&
	test "$forged" != "$(code "Bob Berg")" &&
	test_expect_code 1 tn checkin readers-meetup "$forged" >out &&
	echo "invalid: not a ticket of ours" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT count(*) FROM checkin WHERE verdict = '\''invalid'\'' AND ticket_id IS NULL")" = 1 &&
	test_expect_code 1 tn checkin readers-meetup "hello world" >out &&
	test_cmp expect out
'

test_expect_success 'another event'"'"'s ticket is wrong_event; a revoked one revoked' '
	test_expect_code 1 tn checkin readers-meetup "$(code "Olga Other")" >out &&
	echo "wrong_event: ticket $(number "Olga Other") is for another event" >expect &&
	test_cmp expect out &&
	tn ticket revoke "$(number "Carl Berg")" >/dev/null &&
	test_expect_code 1 tn checkin readers-meetup "$(code "Carl Berg")" >out &&
	echo "revoked: Carl Berg, ticket $(number "Carl Berg")" >expect &&
	test_cmp expect out
'

test_expect_success 'a ticket of a cancelled event is cancelled' '
	tn event cancel gala >/dev/null 2>&1 &&
	test_expect_code 1 tn checkin gala "$(code "Gina Gala")" >out &&
	echo "cancelled: Gina Gala, ticket $(number "Gina Gala"); the event is cancelled" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT group_concat(verdict) FROM checkin WHERE ticket_id IN
		($(number "Olga Other"), $(number "Carl Berg"), $(number "Gina Gala"))
		ORDER BY id")" = "wrong_event,revoked,cancelled"
'

test_expect_success 'a ticket page URL names its ticket' '
	mkdir eml png &&
	tn send --eml-dir eml >/dev/null 2>&1 &&
	$PY "$TN_TOP/tests/ticket_mail.py" eml png >mails &&
	tok=$(awk -v a=hal@example.org "\$1 == a { print \$3 }" mails) &&
	test ${#tok} = 24 &&
	echo "https://meet.example.org/t/$tok" >hal.url &&
	tn checkin readers-meetup "$(cat hal.url)" >out &&
	echo "admit: Hal Berg, ticket $(number "Hal Berg")" >expect &&
	test_cmp expect out
'

test_expect_success 'door through a pipe: one plain line per scan, what scanners type, a summary' '
	at=$(q "SELECT at FROM checkin WHERE verdict = '\''admit'\'' AND ticket_id = $(number "Anna Berg")") &&
	before=$(q "SELECT count(*) FROM checkin") &&
	{
		printf "%s\r\n" "$(code "Dana Berg")" &&
		printf "%s\t\n" "$(code "Erin Berg")" &&
		printf "]Q1%s\n" "$(code "Fay Berg")" &&
		printf "\n   \n" &&
		printf "  %s  \n" "$(code "Gus Berg")" &&
		printf "%s\n" "$(code "Anna Berg")" &&
		printf "%s\n" "$(cat hal.url)" &&
		head -c 1048576 /dev/zero | tr "\0" A &&
		printf "\n%s\n" "$(flip "$(code "Dana Berg")")" &&
		printf "%s" "$(code "Dana Berg")"
	} >scans &&
	tn door readers-meetup --gate south <scans >out 2>err &&
	cat >expect <<-EOF &&
	admit	$(number "Dana Berg")	Dana Berg
	admit	$(number "Erin Berg")	Erin Berg
	admit	$(number "Fay Berg")	Fay Berg
	admit	$(number "Gus Berg")	Gus Berg
	duplicate	$(number "Anna Berg")	Anna Berg	$(berlin "$at")	north
	duplicate	$(number "Hal Berg")	Hal Berg	$(berlin "$(q "SELECT at FROM checkin WHERE verdict = '\''admit'\'' AND ticket_id = $(number "Hal Berg")")")	-
	invalid	-	-
	invalid	-	-
	duplicate	$(number "Dana Berg")	Dana Berg	$(berlin "$(q "SELECT at FROM checkin WHERE verdict = '\''admit'\'' AND ticket_id = $(number "Dana Berg")")")	south
	EOF
	test_cmp expect out &&
	echo "4 admitted, 3 already in, 2 refused" >expect &&
	test_cmp expect err &&
	test "$(q "SELECT count(*) FROM checkin c JOIN gate g ON g.id = c.gate_id
		WHERE g.name = '\''south'\'' AND c.id > (SELECT max(id) - 9 FROM checkin)")" = 9 &&
	test "$(q "SELECT count(*) FROM checkin")" = $((before + 9)) &&
	test "$(q "SELECT max(length(input)) FROM checkin")" -le 256
'

test_expect_success 'door --json: one verdict object per line' '
	printf "%s\nnonsense\n" "$(code "Erin Berg")" >scans &&
	tn door readers-meetup --json <scans >out 2>err &&
	test "$(wc -l <out)" = 2 &&
	$PY -c "import json
rows = [json.loads(l) for l in open(\"out\")]
assert [r[\"verdict\"] for r in rows] == [\"duplicate\", \"invalid\"], rows
assert rows[0][\"name\"] == \"Erin Berg\" and rows[0][\"admitted_gate\"] == \"south\", rows" &&
	echo "0 admitted, 1 already in, 1 refused" >expect &&
	test_cmp expect err
'

test_expect_success 'door on a terminal: a full-width coloured block, a bell but for admit' '
	q "UPDATE person SET name = '\''Ivy'\'' || char(27) || '\''[2J'\'' || char(8238) || '\''Ng'\'' WHERE email = '\''hal@example.org'\''" &&
	q "UPDATE ticket SET holder = (SELECT name FROM person WHERE email = '\''hal@example.org'\'') WHERE id = $(number "Hal Berg")" &&
	printf "%s\n" "$(code "Bob Berg")" "$(code "Bob Berg")" nonsense "$(code "Hal Berg")" >scans &&
	timeout 60 $PY "$TN_TOP/tests/pty_run.py" 100 tty.out "$TURNOUT" door readers-meetup <scans &&
	grep -q "$(printf "\033\\[1;30;42m")" tty.out &&
	grep -q "$(printf "\033\\[1;30;43m")" tty.out &&
	grep -q "$(printf "\033\\[1;97;41m")" tty.out &&
	grep -q "A D M I T" tty.out &&
	grep -q "A L R E A D Y   I N" tty.out &&
	grep -q "I N V A L I D" tty.out &&
	test "$(tr -cd "\a" <tty.out | wc -c)" = 3 &&
	grep -q "Bob Berg, ticket $(number "Bob Berg")" tty.out &&
	! grep -q "$(printf "\033\\[2J")" tty.out &&
	! grep -q "$(printf "\342\200\256")" tty.out &&
	grep -q "Ivy" tty.out &&
	$PY -c "import re
lines = open(\"tty.out\", encoding=\"utf-8\").read().splitlines()
blocks = [re.sub(r\"\x1b\\[[0-9;]*m\", \"\", l) for l in lines if l.startswith(\"\x1b[1;\")]
assert blocks and all(len(b) == 100 for b in blocks if \"Ivy\" not in b), blocks"
'

test_expect_success 'door on a terminal with NO_COLOR: no colour, still the bell and the big words' '
	printf "%s\nnonsense\n" "$(code "Bob Berg")" >scans &&
	NO_COLOR=1 timeout 60 $PY "$TN_TOP/tests/pty_run.py" 80 tty.out "$TURNOUT" door readers-meetup <scans &&
	! grep -q "$(printf "\033")" tty.out &&
	test "$(tr -cd "\a" <tty.out | wc -c)" = 2 &&
	grep -q "A L R E A D Y   I N" tty.out &&
	grep -q "I N V A L I D" tty.out &&
	grep -qx "$(printf "=%.0s" $(seq 80))" tty.out &&
	NO_COLOR= timeout 60 $PY "$TN_TOP/tests/pty_run.py" 80 tty.out "$TURNOUT" door readers-meetup <scans &&
	grep -q "$(printf "\033\\[1;97;41m")" tty.out
'

test_expect_success 'the plain line of a name with control characters is terminal-safe' '
	printf "%s\n" "$(code "Hal Berg")" >scans &&
	tn door readers-meetup <scans >out 2>/dev/null &&
	! grep -q "$(printf "\033")" out &&
	grep -q "^duplicate	$(number "Hal Berg")	Ivy" out &&
	test_expect_code 1 tn checkin readers-meetup "$(code "Hal Berg")" >out &&
	! grep -q "$(printf "\033")" out
'

test_expect_success 'walkin matched to a known follower by e-mail keeps their person' '
	walt=$(q "SELECT id FROM person WHERE email = '\''walt@example.org'\''") &&
	people=$(q "SELECT count(*) FROM person") &&
	tn walkin readers-meetup --name "Walt Walker" --email walt@example.org --gate north >out &&
	grep -q "^admit: .*, walk-in$" out &&
	test "$(q "SELECT count(*) FROM person")" = "$people" &&
	test "$(q "SELECT r.person_id || '\'' '\'' || r.source FROM registration r JOIN event e ON e.id = r.event_id
		WHERE e.slug = '\''readers-meetup'\'' AND r.person_id = $walt")" = "$walt walk-in" &&
	test "$(q "SELECT walkin FROM checkin ORDER BY id DESC LIMIT 1")" = 1 &&
	test_expect_code 1 tn walkin readers-meetup --name "Walt Walker" --email walt@example.org >out &&
	grep -q "^duplicate: " out
'

test_expect_success 'walkin with an unknown e-mail, or none, makes a new person' '
	people=$(q "SELECT count(*) FROM person") &&
	tn walkin readers-meetup --name "Nina New" --email nina@example.org --json >nina.json &&
	$PY -c "import json; d = json.load(open(\"nina.json\"))
assert d[\"verdict\"] == \"admit\" and d[\"walkin\"] is True and d[\"name\"] == \"Nina New\", d" &&
	tn walkin readers-meetup --name "Pat Plain" >out &&
	grep -q "^admit: Pat Plain, ticket [0-9]*, walk-in$" out &&
	test "$(q "SELECT count(*) FROM person")" = $((people + 2)) &&
	test "$(q "SELECT email IS NULL FROM person WHERE name = '\''Pat Plain'\''")" = 1
'

test_expect_success 'walkin of a full event, or without a name or with a bad address: nothing written' '
	test_db_unchanged 1 tn_err walkin small --name "Zed Late" --email zed@example.org &&
	stderr_has "full|seat" &&
	test_db_unchanged 2 tn_err walkin readers-meetup --email zed@example.org &&
	stderr_has "name" &&
	test_db_unchanged 2 tn_err walkin readers-meetup --name Zed --email not-an-address &&
	stderr_has "email" &&
	test_db_unchanged 1 tn_err walkin gala --name Zed &&
	test_db_unchanged 2 tn_err walkin no-such-event --name Zed
'

test_expect_success 'a revoked gate scans no more; gate list shows counts and states' '
	tn gate revoke readers-meetup south >out &&
	echo "revoked gate '\''south'\'' of '\''readers-meetup'\''; its token no longer works" >expect &&
	test_cmp expect out &&
	test_db_unchanged 1 tn_err checkin readers-meetup "$(code "Bob Berg")" --gate south &&
	stderr_has "gate" &&
	test_db_unchanged 1 tn_err door readers-meetup --gate south </dev/null &&
	test_db_unchanged 1 tn_err gate revoke readers-meetup south &&
	test_db_unchanged 2 tn_err gate revoke readers-meetup west &&
	test_db_unchanged 2 tn_err checkin readers-meetup "$(code "Bob Berg")" --gate west &&
	tn gate list readers-meetup --format tsv >list &&
	south=$(q "SELECT count(*) || '\''	'\'' || sum(verdict = '\''admit'\'') FROM checkin c JOIN gate g ON g.id = c.gate_id WHERE g.name = '\''south'\''") &&
	north=$(q "SELECT count(*) || '\''	'\'' || sum(verdict = '\''admit'\'') FROM checkin c JOIN gate g ON g.id = c.gate_id WHERE g.name = '\''north'\''") &&
	test "$(cut -f 1-4 list)" = "$(printf "NAME\tSTATE\tSCANS\tADMITTED\nnorth\tactive\t%s\nsouth\trevoked\t%s" "$north" "$south")" &&
	tn gate list readers-meetup --json >gates.json &&
	$PY -c "import json; d = json.load(open(\"gates.json\"))
assert [g[\"name\"] for g in d] == [\"north\", \"south\"] and [g[\"revoked\"] for g in d] == [False, True], d
assert all(g[\"last_scan_at\"] for g in d) and \"token\" not in d[0], d" &&
	test_db_unchanged 2 tn_err gate list no-such-event
'

test_expect_success 'checkin list: every scan with its verdict, gate, time, ticket and name' '
	tn checkin list readers-meetup --json >all.json &&
	test "$(q "SELECT count(*) FROM checkin c JOIN event e ON e.id = c.event_id WHERE e.slug = '\''readers-meetup'\''")" -gt 20 &&
	$PY -c "import json, sqlite3
d = json.load(open(\"all.json\"))
db = sqlite3.connect(\"$TURNOUT_DB\")
rows = db.execute(\"SELECT c.id, c.verdict, c.at, c.ticket_id FROM checkin c JOIN event e ON e.id = c.event_id WHERE e.slug = ? ORDER BY c.id\", (\"readers-meetup\",)).fetchall()
assert [(r[\"id\"], r[\"verdict\"], r[\"at\"], r[\"ticket\"]) for r in d] == rows, (d, rows)
first = d[0]
assert first[\"verdict\"] == \"admit\" and first[\"name\"] == \"Anna Berg\" and first[\"gate\"] == \"north\", first
assert all(\"input\" in r for r in d if r[\"verdict\"] == \"invalid\"), d
assert any(r[\"walkin\"] for r in d), d" &&
	tn checkin list readers-meetup --count >count &&
	test "$(cat count)" = "$(q "SELECT count(*) FROM checkin c JOIN event e ON e.id = c.event_id WHERE e.slug = '\''readers-meetup'\''")" &&
	tn checkin list readers-meetup --format tsv --limit 1 >one &&
	test "$(sed -n 1p one)" = "$(printf "ID\tVERDICT\tAT\tGATE\tTICKET\tNAME")" &&
	sed -n 2p one | grep -q "^[0-9]*	admit	20[0-9-]*T[0-9:]*Z	north	$(number "Anna Berg")	Anna Berg$" &&
	tn checkin list small 2>err >out &&
	test_must_be_empty out &&
	grep -q "no scans yet" err
'

test_expect_success 'bad input: a clear error, exit 2, nothing changed' '
	test_db_unchanged 2 tn_err checkin no-such-event "$(code "Bob Berg")" &&
	stderr_has "no-such-event" &&
	test_db_unchanged 2 tn_err checkin readers-meetup &&
	test_db_unchanged 2 tn_err checkin readers-meetup a b &&
	test_db_unchanged 2 tn_err checkin readers-meetup x --gates north &&
	test_db_unchanged 2 tn_err door no-such-event </dev/null &&
	test_db_unchanged 2 tn_err door &&
	test_db_unchanged 2 tn_err checkin list no-such-event &&
	test_db_unchanged 2 tn_err checkin list readers-meetup --limit x
'

test_done
