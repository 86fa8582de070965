#!/usr/bin/env bash
# The invitation message read by independent parsers: the sample messages
# that tests/unit/t_mail.c builds (REQUEST and CANCEL across the DST
# changes of Europe/Berlin and America/New_York, a hostile display name,
# international domains, a mail without calendar) are parsed by Python's
# email package and python3-icalendar (tests/mail_check.py), and each
# calendar part by python3-icalendar and ical.js, which must read the same
# (tests/ics_check.py, tests/ics_check.mjs).
. "$(dirname "$0")/lib.sh"

: "${TN_BUILD:?set TN_BUILD to the build directory (make check does)}"

# instant NAME KEY: the expected value of KEY in msgs/NAME.json.
instant() {
	$PY -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"msgs/$1.json" "$2"
}

test_expect_success 'setup: the sample messages' '
	"$TN_BUILD/unit/t_mail" --write msgs &&
	ls msgs/*.eml >list &&
	test "$(wc -l <list)" = 7
'

test_expect_success 'python reads every header, part and body as built' '
	for f in msgs/*.eml
	do
		$PY "$TN_TOP/tests/mail_check.py" "$f" "${f%.eml}.json" || exit 1
	done &&
	test "$(ls msgs/*.ics | wc -l)" = 6
'

test_expect_success 'the checker fails a message that differs from what went in' '
	sed "s/Ива́н/Иван/" msgs/berlin-spring.json >changed.json &&
	test_expect_code 1 $PY "$TN_TOP/tests/mail_check.py" msgs/berlin-spring.eml changed.json &&
	sed "s/2027-03-14T23:00:00Z/2027-03-15T00:00:00Z/" msgs/newyork-spring.json >changed.json &&
	test_expect_code 1 $PY "$TN_TOP/tests/mail_check.py" msgs/newyork-spring.eml changed.json
'

test_expect_success 'ical.js reads each calendar part as python-icalendar does' '
	for f in msgs/*.ics
	do
		TZ=Asia/Tokyo $PY "$TN_TOP/tests/ics_check.py" "$f" >"${f%.ics}.py" &&
		(cd "$TN_TOP" && TZ=Asia/Tokyo node tests/ics_check.mjs "$TRASH/$f") >"${f%.ics}.js" &&
		test_cmp "${f%.ics}.py" "${f%.ics}.js" || exit 1
	done
'

# The instants through each file's own VTIMEZONE, on both sides of each
# clock change (ics_check reads them that way; mail_check through the
# parser's own zone).
test_expect_success 'the right instants across the DST changes' '
	for n in berlin-before berlin-spring berlin-autumn newyork-before newyork-spring newyork-autumn
	do
		grep -qx "dtstart=$(instant $n start_utc) tzid=$(instant $n tz)" msgs/$n.js &&
		grep -qx "dtend=$(instant $n end_utc) tzid=$(instant $n tz)" msgs/$n.js || exit 1
	done
'

test_expect_success 'REQUEST asks for an answer, CANCEL does not' '
	grep -qx "method=REQUEST" msgs/berlin-spring.js &&
	grep -qx "status=CONFIRMED" msgs/berlin-spring.js &&
	grep -q "^attendee=mailto:ivan@xn--e1afmkfd.xn--p1ai .* role=REQ-PARTICIPANT partstat=NEEDS-ACTION rsvp=TRUE$" msgs/berlin-spring.js &&
	grep -qx "method=CANCEL" msgs/berlin-autumn.js &&
	grep -qx "status=CANCELLED" msgs/berlin-autumn.js &&
	grep -qx "sequence=4" msgs/berlin-autumn.js &&
	grep -q "^attendee=mailto:ivan@xn--e1afmkfd.xn--p1ai .* role=REQ-PARTICIPANT partstat=- rsvp=-$" msgs/berlin-autumn.js
'

# A DQUOTE cannot be in a parameter (RFC 5545): it becomes a single quote.
# Both parsers read the rest of the hostile name back exactly.
test_expect_success 'the hostile name as CN, read alike by both parsers' '
	grep -qxF "attendee=mailto:ivan@xn--e1afmkfd.xn--p1ai cn=<img src=x onerror=alert(1)> '"'"'Ива́н'"'"' =?utf-8?q?x?= role=REQ-PARTICIPANT partstat=NEEDS-ACTION rsvp=TRUE" msgs/berlin-spring.js &&
	grep -qF "cn=Anna ˆ'"'"'Annˆ'"'"' O'"'"'Brien, Jr. role" msgs/berlin-before.js
'

test_done
