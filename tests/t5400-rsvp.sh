#!/usr/bin/env bash
# rsvp, register and the registration commands: answers by the token an
# invitee finds in their e-mail, changing them, capacity and the
# waitlist, concurrent answers for the last seats, approval, registering
# directly, no updates to those who said no, forgetting, and bad input.
. "$(dirname "$0")/lib.sh"

# tokens DIR FILE: the address and RSVP token of each message turnout
# wrote into DIR, read as a mail client reads them, into FILE.
tokens() { $PY "$TN_TOP/tests/rsvp_tokens.py" "$1" >"$2"; }
# tok ADDRESS [FILE]: that invitee's token (from FILE, default tokens).
tok() {
	local t
	t=$(awk -F '\t' -v a="$1" '$1 == a { print $2 }' "${2:-tokens}") &&
	test -n "$t" && echo "$t"
}
# status EVENT ADDRESS: the status of that person's registration.
status() {
	q "SELECT r.status FROM registration r JOIN event e ON e.id = r.event_id
	   JOIN person p ON p.id = r.person_id WHERE e.slug = '$1' AND p.email = '$2'"
}

test_expect_success 'setup: followers invited to a meetup of two seats, the mail sent' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel add tg --kind telegram >/dev/null &&
	cat >news.csv <<-\EOF &&
	email,name
	anna@example.org,Anna Berg
	bob@example.org,Bob Stone
	carl@example.org,Carl Jung
	dora@example.org,Dora Diaz
	emil@example.org,Emil Ek
	EOF
	tn follower import news news.csv >/dev/null &&
	tn event create --title "Readers meetup" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --capacity 2 >/dev/null &&
	tn invite readers-meetup >/dev/null &&
	mkdir mail &&
	tn send --eml-dir mail >/dev/null 2>&1 &&
	tokens mail tokens &&
	test "$(wc -l <tokens)" = 5
'

test_expect_success 'yes, maybe, no: each answer is recorded and can change' '
	t=$(tok anna@example.org) &&
	tn rsvp "$t" yes >out &&
	echo "answered yes for '\''readers-meetup'\'' (1 of 2 seats taken)" >expect &&
	test_cmp expect out &&
	test "$(status readers-meetup anna@example.org)" = yes &&
	test "$(q "SELECT r.source || '\'' '\'' || c.name FROM registration r JOIN channel c
		ON c.id = r.channel_id")" = "invitation news" &&
	tn rsvp "$t" Maybe >out &&
	echo "answered maybe for '\''readers-meetup'\''" >expect &&
	test_cmp expect out &&
	tn rsvp "$t" no >out &&
	test "$(status readers-meetup anna@example.org)" = no &&
	test_db_unchanged 0 tn_err rsvp "$t" no &&
	stderr_has "^note: nothing changed" &&
	tn rsvp "$t" yes --json >out.json &&
	$PY -c "import json; d = json.load(open(\"out.json\")); assert (d[\"status\"], d[\"previous\"], d[\"changed\"], d[\"taken\"], d[\"capacity\"]) == (\"yes\", \"no\", True, 1, 2), d" &&
	test "$(q "SELECT count(*) FROM registration")" = 1
'

test_expect_success 'capacity 2: four yes answers and one no; the first waitlisted is promoted' '
	tn rsvp "$(tok bob@example.org)" yes >out &&
	grep -q "^answered yes for .readers-meetup. (2 of 2 seats taken)$" out &&
	tn rsvp "$(tok carl@example.org)" yes >out &&
	echo "waitlisted for '\''readers-meetup'\'' (2 of 2 seats taken; number 1 in line)" >expect &&
	test_cmp expect out &&
	tn rsvp "$(tok dora@example.org)" yes >out &&
	grep -q "number 2 in line" out &&
	tn registration list readers-meetup --status waitlisted --format tsv >list &&
	cut -f1-3,7 list >actual &&
	printf "PERSON\tSTATUS\tWAIT\tEMAIL\n3\twaitlisted\t1\tcarl@example.org\n4\twaitlisted\t2\tdora@example.org\n" >expect &&
	test_cmp expect actual &&
	tn rsvp "$(tok bob@example.org)" no >out &&
	printf "answered no for '\''readers-meetup'\''\nperson 3 moved up from the waitlist\n" >expect &&
	test_cmp expect out &&
	test "$(status readers-meetup carl@example.org)" = yes &&
	test "$(status readers-meetup dora@example.org)" = waitlisted &&
	test "$(q "SELECT count(*) FROM registration WHERE status = '\''yes'\''")" = 2 &&
	# the one who said no gets no ticket e-mail any more
	test "$(q "SELECT count(*) FROM outbox o JOIN ticket t ON t.id = o.ticket_id
		JOIN registration r ON r.id = t.registration_id JOIN person p ON p.id = r.person_id
		WHERE o.state = '\''queued'\'' AND p.email = '\''bob@example.org'\''")" = 0 &&
	# the one moved up gets a ticket and its e-mail, in the same step
	test "$(q "SELECT count(*) FROM ticket t JOIN registration r ON r.id = t.registration_id
		JOIN person p ON p.id = r.person_id WHERE p.email = '\''carl@example.org'\''
		AND t.state = '\''valid'\''")" = 1 &&
	test "$(q "SELECT count(*) FROM outbox o JOIN ticket t ON t.id = o.ticket_id
		JOIN registration r ON r.id = t.registration_id JOIN person p ON p.id = r.person_id
		WHERE o.kind = '\''ticket'\'' AND p.email = '\''carl@example.org'\''")" = 1
'

test_expect_success 'an unknown token or a bad answer is refused and changes nothing' '
	test_db_unchanged 2 tn_err rsvp AAAAAAAAAAAAAAAAAAAAAAAA yes &&
	stderr_has "^turnout: no such invitation link$" &&
	test_db_unchanged 2 tn_err rsvp short yes &&
	stderr_has "^turnout: no such invitation link$" &&
	# one token in 32 begins with "-": it is a token, not an option
	test_db_unchanged 2 tn_err rsvp -AAAAAAAAAAAAAAAAAAAAAAA yes --json &&
	stderr_has "^turnout: no such invitation link$" &&
	test_db_unchanged 2 tn_err rsvp yes -- -AAAAAAAAAAAAAAAAAAAAAAA &&
	stderr_has "^turnout: .-AAAAAAAAAAAAAAAAAAAAAAA.: not an answer$" &&
	test_db_unchanged 2 tn_err rsvp "$(tok emil@example.org)" perhaps &&
	stderr_has "^turnout: .perhaps.: not an answer$" &&
	stderr_has "^hint: yes, no or maybe$" &&
	test_db_unchanged 2 tn_err rsvp "$(tok emil@example.org)" waitlisted &&
	test_db_unchanged 2 tn_err rsvp "$(tok emil@example.org)" &&
	test_db_unchanged 2 tn_err rsvp "$(tok emil@example.org)" yes --seat 3
'

test_expect_success 'once the event started the answer can no longer change' '
	TURNOUT_NOW=2030-06-10T17:00:00Z test_db_unchanged 1 tn_err rsvp "$(tok emil@example.org)" yes &&
	stderr_has "^turnout: event .readers-meetup.: started 2030-06-10T17:00:00Z \(UTC\); answers can no longer change$" &&
	TURNOUT_NOW=2030-06-10T16:59:59Z tn rsvp "$(tok emil@example.org)" maybe >out &&
	grep -q "^answered maybe" out
'

test_expect_success 'a cancelled event takes no answers' '
	tn event create --title "Gone soon" --start "2030-07-01 19:00" --tz Europe/Berlin >/dev/null &&
	tn invite gone-soon --email anna@example.org >/dev/null &&
	mkdir mail-gone &&
	tn send --eml-dir mail-gone >/dev/null 2>&1 &&
	tokens mail-gone tokens-gone &&
	tn event cancel gone-soon >/dev/null 2>&1 &&
	test_db_unchanged 1 tn_err rsvp "$(tok anna@example.org tokens-gone)" yes &&
	stderr_has "^turnout: event .gone-soon.: cancelled; it takes no answers$"
'

test_expect_success '20 processes answer yes at once for 5 seats: exactly 5 get one' '
	seq 1 20 | sed "s/.*/racer&@example.org,Racer &/" >racers.csv &&
	sed -i "1i email,name" racers.csv &&
	tn follower import news racers.csv >/dev/null &&
	tn event create --title "Race" --start "2030-08-01 19:00" --tz Europe/Berlin \
		--capacity 5 >/dev/null &&
	tn invite race >/dev/null &&
	mkdir mail-race &&
	tn send --eml-dir mail-race >/dev/null 2>&1 &&
	tokens mail-race tokens-race &&
	grep -c "^racer" tokens-race >n &&
	test "$(cat n)" = 20 &&
	pids= &&
	for t in $(grep "^racer" tokens-race | cut -f2); do
		{ timeout 60 "$TURNOUT" rsvp "$t" yes >"race.out.$t" 2>"race.err.$t" & } &&
		pids="$pids $!" || exit 1
	done &&
	for p in $pids; do
		wait $p || { cat race.err.*; exit 1; }
	done &&
	test "$(q "SELECT count(*) FROM registration r JOIN event e ON e.id = r.event_id
		WHERE e.slug = '\''race'\'' AND r.status = '\''yes'\''")" = 5 &&
	test "$(q "SELECT count(DISTINCT r.asked_seq) FROM registration r JOIN event e
		ON e.id = r.event_id WHERE e.slug = '\''race'\'' AND r.status = '\''waitlisted'\''")" = 15 &&
	test "$(cat race.out.* | grep -c "^answered yes")" = 5 &&
	test "$(cat race.out.* | grep -c "^waitlisted")" = 15
'

test_expect_success 'an event with approval: pending until approved or declined' '
	tn event create --title "Vetted" --start "2030-09-01 19:00" --tz Europe/Berlin \
		--capacity 1 --approval >/dev/null &&
	tn register vetted --name "Anna Berg" --email anna@example.org >out &&
	echo "waiting for the organizer'\''s approval for '\''vetted'\''" >expect &&
	test_cmp expect out &&
	tn register vetted --name "Bob Stone" --email bob@example.org >/dev/null &&
	tn register vetted --name "Carl Jung" --email carl@example.org >/dev/null &&
	tn registration list vetted --status pending --count >n &&
	test "$(cat n)" = 3 &&
	tn registration approve vetted bob@example.org >out &&
	echo "approved for '\''vetted'\'' (1 of 1 seats taken)" >expect &&
	test_cmp expect out &&
	tn registration approve vetted 1 >out &&
	grep -q "^waitlisted for .vetted. (1 of 1 seats taken; number 1 in line)$" out &&
	tn registration decline vetted carl@example.org >out &&
	echo "declined for '\''vetted'\''" >expect &&
	test_cmp expect out &&
	test_db_unchanged 1 tn_err register vetted --name "Carl Jung" --email carl@example.org &&
	stderr_has "organizer declined" &&
	tn registration decline vetted bob@example.org >out &&
	grep -q "^person 1 moved up from the waitlist$" out &&
	test "$(status vetted anna@example.org)" = yes &&
	test_db_unchanged 0 tn_err registration decline vetted bob@example.org &&
	stderr_has "nothing changed" &&
	test_db_unchanged 1 tn_err registration approve readers-meetup emil@example.org &&
	stderr_has "answered maybe" &&
	test_db_unchanged 2 tn_err registration approve vetted emil@example.org &&
	stderr_has "not registered for .vetted." &&
	test_db_unchanged 2 tn_err registration approve vetted nobody@example.org &&
	test_db_unchanged 2 tn_err registration approve no-such-event 1
'

test_expect_success 'register: the same address twice is one registration; --channel attributes it' '
	tn event create --title "Open day" --start "2030-10-01 10:00" --tz Europe/Berlin >/dev/null &&
	tn register open-day --name "Zoë Neu" --email Zoe@Example.ORG --channel tg >out &&
	echo "registered for '\''open-day'\''" >expect &&
	test_cmp expect out &&
	tn register open-day --name "Zoë N." --email zoe@example.org --json >out.json 2>err &&
	$PY -c "import json; d = json.load(open(\"out.json\")); assert (d[\"changed\"], d[\"person_created\"], d[\"status\"]) == (False, False, \"yes\"), d" &&
	test "$(q "SELECT count(*) FROM registration r JOIN event e ON e.id = r.event_id
		WHERE e.slug = '\''open-day'\''")" = 1 &&
	test "$(q "SELECT count(*) FROM person WHERE email_key = '\''zoe@example.org'\''
		OR email = '\''zoe@example.org'\''")" = 1 &&
	tn registration list open-day --json >list.json &&
	$PY -c "import json; d = json.load(open(\"list.json\")); assert [(r[\"name\"], r[\"source\"], r[\"channel\"], r[\"status\"]) for r in d] == [(\"Zoë Neu\", \"direct\", \"tg\", \"yes\")], d" &&
	tn register open-day --name "Anna Berg" --email anna@example.org >/dev/null &&
	tn registration list open-day --format csv >list.csv &&
	tr -d "\r" <list.csv | grep -q "^[0-9]*,yes,,direct,,.*,anna@example.org,Anna Berg$"
'

test_expect_success 'bad input to register and registration list is refused and changes nothing' '
	test_db_unchanged 2 tn_err register no-such-event --name X --email x@example.org &&
	stderr_has "no such event" &&
	test_db_unchanged 2 tn_err register open-day --name X --email x@example.org --channel tgg &&
	stderr_has "^turnout: --channel: channel .tgg.: no such channel" &&
	test_db_unchanged 2 tn_err register open-day --name X --email not-an-address &&
	stderr_has "^turnout: --email: .not-an-address.: " &&
	test_db_unchanged 2 tn_err register open-day --email x@example.org &&
	stderr_has "^turnout: --name: required" &&
	test_db_unchanged 2 tn_err register open-day --name X &&
	stderr_has "^turnout: --email: required" &&
	test_db_unchanged 2 tn_err register open-day --name "$(printf "X\033]0;t\007")" --email x@example.org &&
	stderr_has "^turnout: --name: " &&
	test_db_unchanged 2 tn_err registration list open-day --status waiting &&
	stderr_has "^turnout: --status: .waiting.: not a registration status$" &&
	test_db_unchanged 2 tn_err registration list no-such-event &&
	test_db_unchanged 2 tn_err registration list open-day --limit x
'

test_expect_success 'who said no gets no update when the event changes, but the cancellation' '
	tn event create --title "Talk" --start "2030-11-01 19:00" --tz Europe/Berlin >/dev/null &&
	tn invite talk --email anna@example.org --email bob@example.org >/dev/null &&
	mkdir mail-talk &&
	tn send --eml-dir mail-talk >/dev/null 2>&1 &&
	tokens mail-talk tokens-talk &&
	tn rsvp "$(tok anna@example.org tokens-talk)" no >/dev/null &&
	tn rsvp "$(tok bob@example.org tokens-talk)" maybe >/dev/null &&
	tn event update talk --venue "Cafe Nord" >/dev/null 2>err &&
	grep -q "^note: queued 1 update for invitees" err &&
	tn outbox --event talk --status queued --format tsv >out &&
	cut -f3,7 out >actual &&
	printf "KIND\tTO\nupdate\tbob@example.org\n" >expect &&
	test_cmp expect actual &&
	tn event cancel talk >/dev/null 2>&1 &&
	tn outbox --event talk --status queued --format tsv >out &&
	cut -f3,7 out | sort >actual &&
	printf "KIND\tTO\ncancel\tanna@example.org\ncancel\tbob@example.org\n" | sort >expect &&
	test_cmp expect actual
'

test_expect_success 'forget erases the person and keeps the counts; their address cannot register again' '
	tn registration list readers-meetup --count >before &&
	tn follower forget carl@example.org --yes >/dev/null 2>&1 &&
	tn registration list readers-meetup --count >after &&
	test_cmp before after &&
	tn registration list readers-meetup --status yes --json >list.json &&
	$PY -c "import json; d = {r[\"person\"]: r for r in json.load(open(\"list.json\"))}; r = d[3]; assert (r[\"name\"], r[\"email\"], r[\"status\"], r[\"channel\"]) == (None, None, \"yes\", \"news\"), r" &&
	test "$(q "SELECT count(*) FROM person WHERE email LIKE '\''carl%'\'' OR name LIKE '\''Carl%'\''")" = 0 &&
	test_db_unchanged 1 tn_err register open-day --name Carl --email carl@example.org &&
	stderr_has "^turnout: --email: .carl@example.org.: belongs to a person who was forgotten"
'

test_expect_success 'a waitlisted person who is forgotten leaves the waitlist' '
	tn follower forget dora@example.org --yes >/dev/null 2>&1 &&
	test "$(q "SELECT r.status FROM registration r JOIN event e ON e.id = r.event_id
		WHERE e.slug = '\''readers-meetup'\'' AND r.person_id = 4")" = no &&
	tn registration list readers-meetup --status waitlisted --count >n &&
	test "$(cat n)" = 0
'

test_expect_success 'more seats move the waitlist up at once' '
	tn event create --title "Small room" --start "2030-06-20 19:00" --tz Europe/Berlin \
		--capacity 1 >/dev/null &&
	tn register small-room --name "One" --email one@example.org >/dev/null &&
	tn register small-room --name "Two" --email two@example.org >/dev/null &&
	test "$(status small-room two@example.org)" = waitlisted &&
	tn event update small-room --capacity 2 >/dev/null &&
	test "$(status small-room two@example.org)" = yes &&
	tn event update small-room --capacity 1 >/dev/null &&
	test "$(q "SELECT count(*) FROM registration r JOIN event e ON e.id = r.event_id
		WHERE e.slug = '\''small-room'\'' AND r.status = '\''yes'\''")" = 2
'

test_expect_success 'an event people registered for cannot be deleted, only cancelled' '
	test_db_unchanged 1 tn_err event delete --yes readers-meetup &&
	stderr_has "cancel" &&
	tn event create --title "Linked" --start "2030-07-01 19:00" --tz Europe/Berlin >/dev/null &&
	tn channel add posted --kind blog >/dev/null &&
	tn link linked --channel posted >/dev/null &&
	test_db_unchanged 1 tn_err event delete --yes linked &&
	test_db_unchanged 1 tn_err channel remove posted &&
	stderr_has "attributed to it"
'

test_done
