#!/usr/bin/env bash
# rsvp --reply: the answers calendars mail back (iTIP REPLY), from the
# fixtures in tests/data/replies shaped as Gmail, Outlook and Thunderbird
# send them, matched to the invitation by the event's UID and the
# attendee's address; stale, unknown and malformed replies change nothing.
. "$(dirname "$0")/lib.sh"

R="$TN_TOP/tests/data/replies"
UID_OF_FIXTURES=0123456789abcdef0123456789abcdef@meet.example.org

status() {
	q "SELECT r.status FROM registration r JOIN person p ON p.id = r.person_id
	   WHERE p.email = 'ivan.petrov@example.org'"
}

test_expect_success 'setup: Ivan is invited to the event the replies answer' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	printf "email,name\nivan.petrov@example.org,Иван Петров\nanna@example.org,Anna\n" >news.csv &&
	tn follower import news news.csv >/dev/null &&
	tn event create --title "Readers meetup" --start "2027-06-10 19:00" \
		--tz Europe/Berlin >/dev/null &&
	q "UPDATE event SET uid = '\''$UID_OF_FIXTURES'\''" &&
	tn invite readers-meetup >/dev/null 2>&1
'

test_expect_success 'Gmail: accepted (a quoted-printable part in a whole e-mail) is a yes' '
	tn rsvp --reply "$R/gmail-accepted.eml" >out &&
	grep -q "^answered yes for .readers-meetup." out &&
	test "$(status)" = yes &&
	test "$(q "SELECT r.source || '\'' '\'' || c.name || '\'' '\'' || r.reply_sequence
		FROM registration r JOIN channel c ON c.id = r.channel_id")" = "invitation news 1"
'

test_expect_success 'Outlook: tentative (base64) is a maybe; Thunderbird: declined (windows-1251) a no' '
	tn rsvp --reply "$R/outlook-tentative.eml" >out &&
	grep -q "^answered maybe" out &&
	test "$(status)" = maybe &&
	tn rsvp --reply - <"$R/thunderbird-declined.eml" >out &&
	grep -q "^answered no" out &&
	test "$(status)" = no
'

test_expect_success 'a reply older than the last one applied is ignored and says so' '
	test_db_unchanged 0 tn_err rsvp --reply "$R/gmail-accepted.eml" &&
	stderr_has "ignored: it answers SEQUENCE 1 of .readers-meetup., and a reply to SEQUENCE 3 was applied already" &&
	test "$(status)" = no &&
	tn rsvp --reply "$R/bare-accepted.ics" --json >out.json 2>/dev/null &&
	$PY -c "import json; d = json.load(open(\"out.json\")); assert d[\"stale\"] is True and d[\"changed\"] is False and d[\"event\"] == \"readers-meetup\", d"
'

test_expect_success 'a reply for an unknown UID or address changes nothing and says so' '
	sed "s/^UID:.*/UID:nobody-knows@example.org/" "$R/bare-accepted.ics" >unknown-uid.ics &&
	test_db_unchanged 2 tn_err rsvp --reply unknown-uid.ics &&
	stderr_has "UID .nobody-knows@example.org.: not one of our events; nothing changed" &&
	sed "s/Ivan.Petrov@Example.org/stranger@example.org/" "$R/bare-accepted.ics" >stranger.ics &&
	test_db_unchanged 2 tn_err rsvp --reply stranger.ics &&
	stderr_has "stranger@example.org. was not invited to .readers-meetup.; nothing changed"
'

test_expect_success 'malformed or wrong files are refused, saying what, and change nothing' '
	for f in truncated.ics no-calendar.eml request.ics needs-action.ics bad-sequence.ics two-attendees.ics; do
		test_db_unchanged 1 tn_err rsvp --reply "$R/$f" &&
		stderr_has "^turnout: .*$f.: " || exit 1
	done &&
	test_db_unchanged 1 tn_err rsvp --reply no-such-file.eml &&
	stderr_has "no-such-file.eml.: cannot read" &&
	test_db_unchanged 2 tn_err rsvp --reply "$R/bare-accepted.ics" sometoken yes &&
	test_db_unchanged 2 tn_err rsvp
'

test_done
