#!/usr/bin/env bash
# send: invitations, updates and cancellations delivered to a real SMTP
# server (aiosmtpd, tests/smtp_sink.py) and read back by Python's email
# package, python3-icalendar and ical.js; temporary and permanent
# failures, a dropped connection, kill -9 in the middle of a batch, .eml
# files, and forgetting after sending.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-smtp.sh"

HOSTILE='<img src=x onerror=alert(1)> "Ива́н" =?utf-8?q?x?='

# check FILE KEY=VALUE...: tests/sent_check.py on a received message.
check() { $PY "$TN_TOP/tests/sent_check.py" "$@"; }
# field SQL: one value from the database.
field() { q "$1"; }
# received DIR: how many messages the sink kept.
received() { ls "$1" 2>/dev/null | grep -c "\.eml$" || true; }

test_expect_success 'setup: followers, one with a hostile name, and an event' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	{
		echo "email,name,region" &&
		echo "anna@example.org,Anna Berg,Berlin" &&
		printf "ivan@example.org,\"%s\",Moscow\n" "$(printf "%s" "$HOSTILE" | sed "s/\"/\"\"/g")" &&
		echo "zoe@пример.рф,Zoë Quist,Berlin"
	} >news.csv &&
	tn follower import news news.csv >/dev/null &&
	tn event create --title "Readers meetup" --start "2027-03-28 19:00" --tz Europe/Berlin \
		--duration 2h --venue "Café Nord" >/dev/null &&
	uid=$(field "SELECT uid FROM event") && echo "$uid" >uid &&
	tn invite readers-meetup >/dev/null &&
	test "$(field "SELECT count(*) FROM outbox WHERE state = '\''queued'\''")" = 3
'

test_expect_success 'bad input to send is refused and changes nothing' '
	test_db_unchanged 2 tn_err send </dev/null &&
	stderr_has "where to" &&
	test_db_unchanged 2 tn_err send --smtp "http://127.0.0.1:1/x" &&
	test_db_unchanged 2 tn_err send --smtp "smtp://bob:hunter2@/x" &&
	! grep -q hunter2 "$TRASH/.stderr" &&
	test_db_unchanged 2 tn_err send --smtp smtp://127.0.0.1:1/x --eml-dir . &&
	test_db_unchanged 2 tn_err send --eml-dir . --rate fast &&
	test_db_unchanged 1 tn_err send --eml-dir no-such-dir &&
	stderr_has "no-such-dir" &&
	test_db_unchanged 1 tn_err send --eml-dir . --templates no-such-templates &&
	stderr_has "no-such-templates" &&
	mkdir tpl && echo "Hello {{nmae}}" >tpl/invite.txt &&
	test_db_unchanged 1 tn_err send --eml-dir . --templates tpl &&
	stderr_has "invite.txt:1: unknown placeholder" &&
	ls *.eml >/dev/null 2>&1 && exit 1 || true
'

# root may write anything: the unwritable --eml-dir runs turnout as nobody
# (setpriv), on a copy of the database nobody owns.
as_nobody() {
	setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"
}
test_lazy_prereq NOBODY '
	test "$(id -u)" = 0 &&
	as_nobody "$TURNOUT" --version
'

test_expect_success NOBODY 'an --eml-dir that may not be written is refused before anything is claimed' '
	chmod 755 "$TRASH" &&
	mkdir nb &&
	sqlite3 turnout.db ".backup nb/turnout.db" &&
	mkdir nb/ro &&
	chown -R nobody nb &&
	chmod 0555 nb/ro &&
	sqlite3 nb/turnout.db .dump >before &&
	test_expect_code 1 as_nobody "$TURNOUT" --db nb/turnout.db send --eml-dir nb/ro 2>err &&
	grep -q "^turnout: --eml-dir: .nb/ro.: cannot write there: Permission denied$" err &&
	sqlite3 nb/turnout.db .dump >after &&
	test_cmp before after &&
	test "$(ls nb/ro | wc -l)" = 0
'

test_expect_success 'send delivers each invitation once over one connection' '
	smtp_sink_start mail &&
	tn send --smtp "$SMTP_URL" >out &&
	echo "sent 3, deferred 0, failed 0" >expect && test_cmp expect out &&
	test "$(received mail)" = 3 &&
	test "$(smtp_sink_count connect)" = 1 &&
	test "$(field "SELECT count(*) FROM outbox WHERE state = '\''sent'\'' AND sent_at IS NOT NULL")" = 3 &&
	tn send --smtp "$SMTP_URL" >out &&
	echo "sent 0, deferred 0, failed 0" >expect && test_cmp expect out &&
	test "$(received mail)" = 3 &&
	smtp_sink_stop &&
	for f in mail/*.eml; do
		grep -q "^RCPT TO:<" "${f%.eml}.env" || exit 1
	done &&
	grep -l "RCPT TO:<anna@example.org>" mail/*.env >anna &&
	a=$(sed "s/env$/eml/" anna) &&
	check "$a" to_addr=anna@example.org to_name="Anna Berg" from_addr=org@example.org \
		from_name="Test Org" method=REQUEST uid="$(cat uid)" sequence=0 \
		start_utc=2027-03-28T17:00:00Z end_utc=2027-03-28T19:00:00Z tz=Europe/Berlin \
		rsvp=1 name_in_text="Anna Berg" \
		message_id="$(field "SELECT o.message_id FROM outbox o JOIN invitation i ON i.id = o.invitation_id JOIN person p ON p.id = i.person_id WHERE p.email = '\''anna@example.org'\''")"
'

test_expect_success 'ical.js reads each calendar part as python-icalendar does' '
	for f in mail/*.ics; do
		TZ=Asia/Tokyo $PY "$TN_TOP/tests/ics_check.py" "$f" >"${f%.ics}.py" &&
		(cd "$TN_TOP" && TZ=Asia/Tokyo node tests/ics_check.mjs "$TRASH/$f") >"${f%.ics}.js" &&
		test_cmp "${f%.ics}.py" "${f%.ics}.js" &&
		grep -qx "dtstart=2027-03-28T17:00:00Z tzid=Europe/Berlin" "${f%.ics}.js" || exit 1
	done
'

test_expect_success 'a hostile name is escaped in HTML and arrives exactly in To and the text' '
	f=$(grep -l "RCPT TO:<ivan@example.org>" mail/*.env | sed "s/env$/eml/") &&
	check "$f" to_addr=ivan@example.org to_name="$HOSTILE" name_in_text="$HOSTILE" &&
	$PY - "$f" <<-\PYEOF
	import email, email.policy, sys
	m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
	html = m.get_payload()[0].get_payload()[1].get_content()
	assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html, html
	PYEOF
'

test_expect_success 'an international domain goes out as its A-label' '
	grep -q "RCPT TO:<zoe@xn--e1afmkfd.xn--p1ai>" mail/*.env
'

test_expect_success 'a capacity change sends nothing; an update and a cancel follow the UID' '
	tn event update readers-meetup --capacity 30 >/dev/null 2>err &&
	test_must_be_empty err &&
	smtp_sink_start mail2 &&
	tn send --smtp "$SMTP_URL" >out &&
	echo "sent 0, deferred 0, failed 0" >expect && test_cmp expect out &&
	tn event update readers-meetup --start "2027-03-28 20:00" >/dev/null 2>/dev/null &&
	tn send --smtp "$SMTP_URL" >out &&
	echo "sent 3, deferred 0, failed 0" >expect && test_cmp expect out &&
	tn event cancel readers-meetup >/dev/null 2>/dev/null &&
	tn send --smtp "$SMTP_URL" >/dev/null &&
	smtp_sink_stop &&
	test "$(received mail2)" = 6 &&
	for n in 001 002 003; do
		check mail2/$n.eml method=REQUEST uid="$(cat uid)" sequence=1 \
			start_utc=2027-03-28T18:00:00Z rsvp=1 || exit 1
	done &&
	for n in 004 005 006; do
		check mail2/$n.eml method=CANCEL uid="$(cat uid)" sequence=2 status=CANCELLED \
			rsvp=0 || exit 1
	done
'

test_expect_success 'setup: a second event with five invitees' '
	printf "email,name\n" >five.csv &&
	for i in 1 2 3 4 5; do
		echo "p$i@example.org,P $i" >>five.csv || exit 1
	done &&
	tn channel add five --kind newsletter >/dev/null &&
	tn follower import five five.csv >/dev/null &&
	tn event create --title "Second" --start "2027-05-01 18:00" --tz Europe/Berlin >/dev/null
'

test_expect_success 'a 451 is tried again later and delivered once' '
	tn invite second --email p1@example.org >/dev/null &&
	smtp_sink_start mail3 --mode tempfail-first &&
	tn send --smtp "$SMTP_URL" >out &&
	echo "sent 0, deferred 1, failed 0" >expect && test_cmp expect out &&
	tn outbox --status queued --format tsv >list &&
	grep -q "	queued	1	p1@example.org	.*	451 4.3.0 try again later" list &&
	tn send --smtp "$SMTP_URL" >out &&
	echo "sent 0, deferred 0, failed 0" >expect && test_cmp expect out &&
	TURNOUT_NOW=$(date -u -d "+3 minutes" +%Y-%m-%dT%H:%M:%SZ) tn send --smtp "$SMTP_URL" >out &&
	echo "sent 1, deferred 0, failed 0" >expect && test_cmp expect out &&
	smtp_sink_stop &&
	test "$(received mail3)" = 1 &&
	test "$(field "SELECT attempts || state FROM outbox o JOIN invitation i ON i.id = o.invitation_id JOIN person p ON p.id = i.person_id WHERE p.email = '\''p1@example.org'\''")" = 2sent
'

test_expect_success 'a 550 fails the message with the server words' '
	tn invite second --email p2@example.org >/dev/null &&
	smtp_sink_start mail4 --mode reject &&
	test_expect_code 1 tn send --smtp "$SMTP_URL" >out 2>err &&
	echo "sent 0, deferred 0, failed 1" >expect && test_cmp expect out &&
	grep -q "outbox retry --failed" err &&
	smtp_sink_stop &&
	tn outbox --status failed --format tsv >list &&
	grep -q "	failed	1	p2@example.org	.*	550 5.7.1 rejected by test server" list &&
	tn outbox retry --failed >out &&
	echo "queued 1 message again" >expect && test_cmp expect out &&
	smtp_sink_start mail5 &&
	tn send --smtp "$SMTP_URL" >out &&
	echo "sent 1, deferred 0, failed 0" >expect && test_cmp expect out &&
	smtp_sink_stop &&
	test "$(received mail5)" = 1
'

test_expect_success 'a connection closed mid-batch defers the rest; nothing goes twice' '
	tn invite second --channel five >/dev/null &&
	test "$(field "SELECT count(*) FROM outbox WHERE state = '\''queued'\''")" = 3 &&
	smtp_sink_start mail6 --mode drop-after:1 &&
	tn send --smtp "$SMTP_URL" >out &&
	sent=$(sed -n "s/^sent \([0-9]*\), deferred \([0-9]*\).*/\1/p" out) &&
	deferred=$(sed -n "s/^sent \([0-9]*\), deferred \([0-9]*\).*/\2/p" out) &&
	test "$sent" -ge 1 && test "$deferred" -ge 1 &&
	test $((sent + deferred)) = 3 &&
	later=$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ) &&
	for i in 1 2 3; do
		TURNOUT_NOW=$later tn send --smtp "$SMTP_URL" >/dev/null || exit 1
	done &&
	smtp_sink_stop &&
	test "$(received mail6)" = 3 &&
	cat mail6/*.env | grep "^RCPT" | sort | uniq -d >dups && test_must_be_empty dups
'

test_expect_success 'send --eml-dir writes one file per message, atomically' '
	tn event create --title "Files" --start "2027-05-02 18:00" --tz Europe/Berlin >/dev/null &&
	tn invite files --channel five >/dev/null &&
	mkdir eml &&
	tn send --eml-dir eml >out &&
	echo "sent 5, deferred 0, failed 0" >expect && test_cmp expect out &&
	test "$(ls eml | wc -l)" = 5 &&
	for f in eml/*.eml; do
		check "$f" method=REQUEST rsvp=1 || exit 1
	done &&
	test_path_is_missing eml/.turnout-*
'

test_expect_success 'a message that cannot be made fails with the reason and is counted' '
	tn channel add uni --kind newsletter >/dev/null &&
	printf "email,name\nюлия@example.org,Юлия\nlena@example.org,\"Lena\nBerg\"\n" >uni.csv &&
	tn follower import uni uni.csv >/dev/null &&
	tn event create --title "Unmade" --start "2027-05-03 18:00" --tz Europe/Berlin >/dev/null &&
	tn invite unmade --channel uni >/dev/null 2>&1 &&
	mkdir eml2 &&
	test_expect_code 1 tn send --eml-dir eml2 >out 2>/dev/null &&
	echo "sent 1, deferred 0, failed 1" >expect && test_cmp expect out &&
	tn outbox --status failed --event unmade --format tsv >list &&
	grep -q "needs SMTPUTF8" list &&
	check eml2/*.eml to_name="Lena Berg" name_in_text="Lena Berg"
'

test_expect_success 'kill -9 in the middle of a batch: every message delivered, only in-flight ones twice' '
	tn channel add many --kind newsletter >/dev/null &&
	$PY -c "
import sys
print(\"email,name\")
for i in range(500): print(\"m%03d@example.org,M %03d\" % (i, i))
" >many.csv &&
	tn follower import many many.csv >/dev/null &&
	tn event create --title "Many" --start "2027-06-01 18:00" --tz Europe/Berlin >/dev/null &&
	tn invite many --channel many >/dev/null &&
	smtp_sink_start mail7 --delay 0.005 &&
	{ "$TURNOUT" send --smtp "$SMTP_URL" >/dev/null 2>&1 & } &&
	pid=$! &&
	while [ "$(received mail7)" -lt 120 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.05 || exit 1
	done &&
	kill -9 $pid &&
	status=0 &&
	{ wait $pid || status=$?; } &&
	test "$status" = 137 &&
	before=$(received mail7) &&
	test "$before" -lt 500 &&
	tn send --smtp "$SMTP_URL" >/dev/null &&
	smtp_sink_stop &&
	test "$(field "SELECT count(*) FROM outbox o JOIN invitation i ON i.id = o.invitation_id JOIN event e ON e.id = i.event_id WHERE e.slug = '\''many'\'' AND o.state = '\''sent'\''")" = 500 &&
	cat mail7/*.env | grep "^RCPT" | sort -u | wc -l >distinct &&
	echo 500 >expect && test_cmp expect distinct &&
	total=$(received mail7) &&
	test $((total - 500)) -le 16 &&
	cat mail7/*.env | sed -n "s/^RCPT TO://p" | sort | uniq -d >twice &&
	while read -r rcpt; do
		grep -l "RCPT TO:$rcpt" mail7/*.env | sed "s/env$/eml/" >pair &&
		test "$(xargs cat <pair | grep -i "^Message-ID:" | sort -u | wc -l)" = 1 || exit 1
	done <twice &&
	test "$(sqlite3 turnout.db "PRAGMA integrity_check")" = ok
'

test_expect_success 'forget after send leaves no trace of the name or address' '
	tn follower forget --yes anna@example.org >/dev/null &&
	for s in anna@example.org "Anna Berg"; do
		if cat turnout.db turnout.db-wal 2>/dev/null | grep -a -q "$s"; then
			echo "still in the database files: $s"; exit 1
		fi
	done &&
	test "$(field "SELECT count(*) FROM outbox WHERE state = '\''sent'\''")" -gt 0
'

test_done
