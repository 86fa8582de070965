#!/usr/bin/env bash
# invite, link and outbox: who is invited, through which channel, what is
# queued when the event changes, and what forgetting erases.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: two channels, followers with and without addresses' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel add tg --kind telegram >/dev/null &&
	cat >news.csv <<-\EOF &&
	email,name,region
	anna@example.org,Anna Berg,Berlin
	bob@example.org,Bob Stone,Hamburg
	EOF
	cat >tg.csv <<-\EOF &&
	username,email,name,city
	@annatg,anna@example.org,Anna Berg,Berlin
	@carl,carl@example.org,Carl Jung,Berlin
	@nomail,,No Mail,Berlin
	EOF
	tn follower import news news.csv >/dev/null &&
	tn follower import tg tg.csv >/dev/null &&
	tn event create --title "Readers meetup" --start "2027-06-10 19:00" \
		--tz Europe/Berlin >/dev/null &&
	tn event create --title "Autumn talk" --start "2027-09-10 19:00" \
		--tz Europe/Berlin >/dev/null
'

test_expect_success 'invite --dry-run lists who would be invited and changes nothing' '
	test_db_unchanged 0 tn invite readers-meetup --dry-run >out 2>err &&
	printf "anna@example.org\tAnna Berg\tnews\nbob@example.org\tBob Stone\tnews\ncarl@example.org\tCarl Jung\ttg\n" >expect &&
	test_cmp expect out &&
	grep -q "^would invite 3 (skipped: 1 without an e-mail address)$" err &&
	grep -q "^dry run: nothing was queued$" err
'

test_expect_success 'the first channel given that a person follows is the source' '
	test_db_unchanged 0 tn invite readers-meetup --channel tg --channel news --dry-run >out 2>/dev/null &&
	printf "anna@example.org\tAnna Berg\ttg\nbob@example.org\tBob Stone\tnews\ncarl@example.org\tCarl Jung\ttg\n" >expect &&
	test_cmp expect out
'

test_expect_success 'invite queues one invitation per person, with its channel' '
	tn invite readers-meetup --channel tg --channel news >out 2>err &&
	echo "queued 3 invitations (skipped: 1 without an e-mail address)" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT p.email, c.name FROM invitation i JOIN person p ON p.id = i.person_id
		LEFT JOIN channel c ON c.id = i.channel_id ORDER BY p.email" | tr "\n" " ")" = \
		"anna@example.org|tg bob@example.org|news carl@example.org|tg " &&
	test "$(q "SELECT count(*), min(kind), min(state), min(sequence) FROM outbox")" = "3|invite|queued|0" &&
	test "$(q "SELECT count(*) FROM outbox WHERE body IS NOT NULL OR message_id IS NOT NULL")" = 0
'

test_expect_success 'inviting again invites no one twice' '
	tn invite readers-meetup >out &&
	echo "queued 0 invitations (skipped: 1 without an e-mail address, 3 already invited)" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT count(*) FROM invitation")" = 3
'

test_expect_success 'invite --region, --email, --limit and --json choose and report' '
	tn invite autumn-talk --region berlin --limit 1 --json >out.json 2>err &&
	$PY -c "import json; d = json.load(open(\"out.json\")); assert [p[\"email\"] for p in d] == [\"anna@example.org\"], d; assert d[0][\"channel\"] == \"news\", d" &&
	grep -q "^queued 1 invitation" err &&
	tn invite autumn-talk --email Carl@Example.org >out &&
	grep -q "^queued 1 invitation$" out &&
	test "$(q "SELECT group_concat(p.email) FROM invitation i JOIN person p ON p.id = i.person_id
		JOIN event e ON e.id = i.event_id WHERE e.slug = '\''autumn-talk'\'' ORDER BY p.id")" = \
		"anna@example.org,carl@example.org"
'

test_expect_success 'bad input to invite is refused and changes nothing' '
	test_db_unchanged 2 tn_err invite no-such-event &&
	stderr_has "no such event" &&
	test_db_unchanged 2 tn_err invite autumn-talk --channel tgg &&
	stderr_has "tgg" && stderr_has "did you mean" &&
	test_db_unchanged 2 tn_err invite autumn-talk --email nobody@example.org &&
	stderr_has "^turnout: --email: .nobody@example.org.: no such person" &&
	test_db_unchanged 2 tn_err invite autumn-talk --email not-an-address &&
	test_db_unchanged 2 tn_err invite autumn-talk --limit -3 &&
	TURNOUT_NOW=2027-09-10T18:00:00Z test_db_unchanged 1 tn_err invite autumn-talk &&
	stderr_has "started 2027-09-10T17:00:00Z"
'

test_expect_success 'a cancelled event takes no invitations' '
	tn event create --title "Gone" --start "2027-10-01 19:00" --tz Europe/Berlin >/dev/null &&
	tn event cancel gone >/dev/null &&
	test_db_unchanged 1 tn_err invite gone &&
	stderr_has "^turnout: event .gone.: cancelled; no one can be invited to it$"
'

test_expect_success 'a capacity change queues nothing; a visible change replaces what is queued' '
	tn event update readers-meetup --capacity 40 >/dev/null 2>err &&
	test_must_be_empty err &&
	test "$(q "SELECT count(*) FROM outbox")" = 5 &&
	tn event update readers-meetup --venue "Cafe Nord" >/dev/null 2>err &&
	grep -q "^note: queued 3 updates for invitees" err &&
	# never delivered: each invitee still gets one invitation, of the new sequence
	test "$(q "SELECT group_concat(o.kind || o.sequence) FROM outbox o JOIN invitation i ON i.id = o.invitation_id
		JOIN event e ON e.id = i.event_id WHERE e.slug = '\''readers-meetup'\''")" = "invite1,invite1,invite1"
'

test_expect_success 'cancelling before anything was sent sends nothing' '
	tn event create --title "Short lived" --start "2027-11-01 19:00" --tz Europe/Berlin >/dev/null &&
	tn invite short-lived --email bob@example.org >/dev/null &&
	tn event cancel short-lived >out 2>err &&
	! grep -q "queued" err &&
	test "$(q "SELECT count(*) FROM outbox o JOIN invitation i ON i.id = o.invitation_id
		JOIN event e ON e.id = i.event_id WHERE e.slug = '\''short-lived'\''")" = 0
'

test_expect_success 'link gives one stable registration URL per event and channel' '
	tn link readers-meetup --channel tg >a &&
	tn link readers-meetup --channel TG >b &&
	tn link readers-meetup --channel news >c &&
	test_cmp a b &&
	! test_cmp a c >/dev/null &&
	grep -q "^https://meet.example.org/r/[A-Za-z0-9_-]\{12\}$" a &&
	test "$(q "SELECT count(*) FROM tracking_link")" = 2 &&
	tn link readers-meetup --channel tg --json >j &&
	$PY -c "import json; d = json.load(open(\"j\")); assert d[\"url\"] == open(\"a\").read().strip() and d[\"created\"] is False, d"
'

test_expect_success 'link refuses what it cannot attribute' '
	test_db_unchanged 2 tn_err link readers-meetup &&
	stderr_has "^turnout: --channel: " &&
	test_db_unchanged 2 tn_err link readers-meetup --channel nope &&
	test_db_unchanged 2 tn_err link nope --channel tg &&
	test_db_unchanged 1 tn_err link gone --channel tg &&
	stderr_has "cancelled"
'

test_expect_success 'outbox lists, filters and refuses an unknown state' '
	tn outbox --format tsv >out &&
	head -1 out | grep -q "^ID	EVENT	KIND	SEQ	STATE	TRIES	TO	WHEN	ERROR$" &&
	test "$(tail -n +2 out | wc -l)" = 5 &&
	tn outbox --event autumn-talk --json >j &&
	$PY -c "import json; d = json.load(open(\"j\")); assert sorted(m[\"to\"] for m in d) == [\"anna@example.org\", \"carl@example.org\"] and all(m[\"state\"] == \"queued\" for m in d), d" &&
	tn outbox --status sent --count >n &&
	echo 0 >expect && test_cmp expect n &&
	test_expect_code 2 tn_err outbox --status sendt &&
	stderr_has "did you mean .sent." &&
	test_expect_code 2 tn_err outbox --event nope
'

test_expect_success 'outbox retry takes only failed messages' '
	tn outbox retry --failed >out &&
	echo "queued 0 messages again" >expect && test_cmp expect out &&
	id=$(q "SELECT min(id) FROM outbox") &&
	test_db_unchanged 1 tn_err outbox retry "$id" &&
	stderr_has "queued, not failed" &&
	test_db_unchanged 2 tn_err outbox retry 999 &&
	test_db_unchanged 2 tn_err outbox retry &&
	test_db_unchanged 2 tn_err outbox retry 3 --failed
'

test_expect_success 'forgetting an invitee deletes their queued messages and address' '
	tn follower forget --yes carl@example.org >/dev/null &&
	test "$(q "SELECT count(*) FROM outbox WHERE rcpt = '\''carl@example.org'\''")" = 0 &&
	for s in carl@example.org "Carl Jung"; do
		if cat turnout.db turnout.db-wal 2>/dev/null | grep -a -q "$s"; then
			echo "still in the database files: $s"; exit 1
		fi
	done &&
	test "$(q "SELECT count(*) FROM invitation")" -ge 3 &&
	tn invite readers-meetup >out &&
	grep -q "^queued 0 invitations" out
'

test_done
