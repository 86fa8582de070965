#!/usr/bin/env bash
# event create / list / show / update / cancel / delete: local times in
# IANA zones, DST gaps and repeated hours, the past, slugs, sequence,
# what each command says, and every bad input.
. "$(dirname "$0")/lib.sh"

export TURNOUT_NOW=2026-11-24T12:00:00Z

test_expect_success 'setup' '
	setup_db
'

test_expect_success 'create prints only the slug and stores local and UTC times' '
	tn event create --title "Summer Meetup" --start "2026-07-15 19:00" --past \
		--tz Europe/Berlin --venue "Café Einstein" --address "Unter den Linden 42" \
		--capacity 80 --description "Talks and drinks" >out 2>err &&
	test "$(cat out)" = summer-meetup &&
	test ! -s err &&
	test "$(q "SELECT tz, start_local, end_local, start_utc, end_utc, capacity, status, sequence, approval FROM event WHERE slug = '\''summer-meetup'\''")" = \
		"Europe/Berlin|2026-07-15 19:00|2026-07-15 21:00|2026-07-15T17:00:00Z|2026-07-15T19:00:00Z|80|scheduled|0|0"
'

test_expect_success 'the UID is 128 random bits in hex at the base URL host' '
	q "SELECT uid FROM event WHERE slug = '\''summer-meetup'\''" >uid &&
	grep -Eqx "[0-9a-f]{32}@meet\.example\.org" uid
'

test_expect_success 'a Cyrillic title gives a readable ASCII slug' '
	tn event create --title "Встреча читателей в Москве" --start "2026-12-10 19:00" \
		--tz Europe/Moscow >out &&
	test "$(cat out)" = vstrecha-chitatelei-v-moskve &&
	test "$(q "SELECT start_utc FROM event WHERE slug = '\''vstrecha-chitatelei-v-moskve'\''")" = 2026-12-10T16:00:00Z
'

test_expect_success 'a title of only emoji gives the slug "event"; --slug chooses one' '
	slug=$(tn event create --title "🎉🎉" --start "2026-12-01 18:00" --tz UTC) &&
	test "$slug" = event &&
	slug=$(tn event create --title "🎉🎉" --start "2026-12-02 18:00" --tz UTC --slug party-2) &&
	test "$slug" = party-2
'

test_expect_success '--duration takes 2h, 90m and 1h30m; the default is 2h' '
	tn event create --title d1 --start "2026-12-01 10:00" --tz Europe/Berlin --duration 90m >/dev/null &&
	tn event create --title d2 --start "2026-12-01 10:00" --tz Europe/Berlin --duration 1h30m >/dev/null &&
	tn event create --title d3 --start "2026-12-01 10:00" --tz Europe/Berlin --duration 3h >/dev/null &&
	tn event create --title d4 --start "2026-12-01 10:00" --tz Europe/Berlin --end "2026-12-02 09:15" >/dev/null &&
	test "$(q "SELECT group_concat(end_local, '\'','\'') FROM (SELECT end_local FROM event WHERE slug IN ('\''d1'\'','\''d2'\'','\''d3'\'','\''d4'\'') ORDER BY slug)")" = \
		"2026-12-01 11:30,2026-12-01 11:30,2026-12-01 13:00,2026-12-02 09:15" &&
	test "$(q "SELECT end_local FROM event WHERE slug = '\''party-2'\''")" = "2026-12-02 20:00"
'

test_expect_success 'UTC times on both sides of the 2026 DST changes' '
	for x in "b1|2026-03-28 19:00|Europe/Berlin|2026-03-28T18:00:00Z" \
		 "b2|2026-03-29 19:00|Europe/Berlin|2026-03-29T17:00:00Z" \
		 "b3|2026-10-24 19:00|Europe/Berlin|2026-10-24T17:00:00Z" \
		 "b4|2026-10-25 19:00|Europe/Berlin|2026-10-25T18:00:00Z" \
		 "n1|2026-03-07 19:00|America/New_York|2026-03-08T00:00:00Z" \
		 "n2|2026-03-08 19:00|America/New_York|2026-03-08T23:00:00Z" \
		 "n3|2026-10-31 19:00|America/New_York|2026-10-31T23:00:00Z" \
		 "n4|2026-11-01 19:00|America/New_York|2026-11-02T00:00:00Z" \
		 "y1|2026-07-15 19:00|Asia/Yekaterinburg|2026-07-15T14:00:00Z"
	do
		IFS="|" read -r slug start zone want <<-EOT &&
		$x
		EOT
		tn event create --title "$slug" --start "$start" --tz "$zone" --past >/dev/null &&
		got=$(q "SELECT start_utc FROM event WHERE slug = '\''$slug'\''") &&
		{ test "$got" = "$want" || { echo "$slug: $got != $want"; exit 1; }; }
	done
'

test_expect_success 'a duration across the clock change counts real time' '
	tn event create --title across --start "2026-10-25 01:00" --tz Europe/Berlin --duration 3h --past >/dev/null &&
	test "$(q "SELECT start_utc, end_utc, end_local FROM event WHERE slug = '\''across'\''")" = \
		"2026-10-24T23:00:00Z|2026-10-25T02:00:00Z|2026-10-25 03:00"
'

test_expect_success 'a repeated local time takes the first occurrence, with a note' '
	tn_err event create --title twice --start "2026-10-25 02:30" --tz Europe/Berlin --past >out &&
	test "$(cat out)" = twice &&
	stderr_has "^note: .*occurs twice in Europe/Berlin.*first occurrence" &&
	test "$(q "SELECT start_utc FROM event WHERE slug = '\''twice'\''")" = 2026-10-25T00:30:00Z &&
	tn event create --title twice-ny --start "2026-11-01 01:30" --tz America/New_York --past >/dev/null 2>&1 &&
	test "$(q "SELECT start_utc FROM event WHERE slug = '\''twice-ny'\''")" = 2026-11-01T05:30:00Z
'

# bad_create PATTERN ARGS...: exit 2, database unchanged, stderr matches.
bad_create() {
	pat=$1
	shift
	test_db_unchanged 2 tn_err event create "$@" &&
	stderr_has "$pat"
}

test_expect_success 'an unknown time zone is a usage error with a hint' '
	bad_create "^turnout: --tz: .Europe/Atlantis.: unknown time zone$" \
		--title x --start "2026-12-01 19:00" --tz Europe/Atlantis &&
	stderr_has "^hint: .*IANA" &&
	bad_create "^turnout: --tz: " --title x --start "2026-12-01 19:00" --tz ../../etc/passwd &&
	bad_create "^turnout: --tz: " --title x --start "2026-12-01 19:00" --tz ""
'

test_expect_success 'a local time in the DST gap is a usage error' '
	bad_create "^turnout: --start: .2026-03-29 02:30.: does not exist in Europe/Berlin" \
		--title x --start "2026-03-29 02:30" --tz Europe/Berlin &&
	stderr_has "^hint: " &&
	bad_create "^turnout: --start: .2026-03-08 02:30.: does not exist in America/New_York" \
		--title x --start "2026-03-08 02:30" --tz America/New_York &&
	bad_create "^turnout: --end: .2026-03-29 02:15.: does not exist" \
		--title x --start "2026-03-29 01:00" --end "2026-03-29 02:15" --tz Europe/Berlin
'

test_expect_success 'an end before (or at) the start is a usage error' '
	bad_create "^turnout: --end: .2026-12-01 18:00.: not after the start" \
		--title x --start "2026-12-01 19:00" --end "2026-12-01 18:00" --tz Europe/Berlin &&
	stderr_has "^hint: " &&
	bad_create "^turnout: --end: " \
		--title x --start "2026-12-01 19:00" --end "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --end: .2026-10-25 02:10.: not after" \
		--title x --start "2026-10-25 02:50" --end "2026-10-25 02:10" --tz Europe/Berlin
'

test_expect_success 'a recurring title gets the start date in its slug, then a counter' '
	tn event create --title "Summer  Meetup!" --start "2026-12-01 19:00" --tz Europe/Berlin >out &&
	echo summer-meetup-2026-12-01 >expect && test_cmp expect out &&
	tn event create --title "Summer Meetup" --start "2026-12-01 21:00" --tz Europe/Berlin >out &&
	echo summer-meetup-2026-12-01-2 >expect && test_cmp expect out &&
	tn event create --title "Summer Meetup" --start "2026-12-01 22:00" --tz Europe/Berlin >out &&
	echo summer-meetup-2026-12-01-3 >expect && test_cmp expect out
'

# The date is the local one: 2026-12-02 00:30 in Tokyo is still 1 December
# in UTC.
test_expect_success 'the date in a recurring slug is the local start date' '
	tn event create --title "Summer Meetup" --start "2026-12-02 00:30" --tz Asia/Tokyo >out &&
	echo summer-meetup-2026-12-02 >expect && test_cmp expect out
'

test_expect_success 'a long recurring title is cut at a word to fit the date' '
	title="A very long title for a meetup that happens again and again every month" &&
	tn event create --title "$title" --start "2026-12-03 19:00" --tz UTC >first &&
	tn event create --title "$title" --start "2026-12-03 19:00" --tz UTC >out &&
	echo a-very-long-title-for-a-meetup-that-happens-again-2026-12-03 >expect &&
	test_cmp expect out &&
	tn event create --title "$title" --start "2026-12-03 19:00" --tz UTC >out &&
	echo a-very-long-title-for-a-meetup-that-happens-2026-12-03-2 >expect &&
	test_cmp expect out &&
	echo a-very-long-title-for-a-meetup-that-happens-again-and-again >expect &&
	test_cmp expect first
'

test_expect_success 'a chosen slug that is taken is a usage error; the hint says --slug' '
	bad_create "^turnout: --slug: slug .summer-meetup.: already used by event 1$" \
		--title other --slug summer-meetup --start "2026-12-01 19:00" --tz Europe/Berlin &&
	stderr_has "^hint: choose another --slug"
'

test_expect_success 'a bad --start is a usage error naming the flag' '
	for v in "2026-13-01 19:00" "2026-12-01t19:00" "2026-12-01_19:00" tomorrow "" \
		 "2026-02-29 10:00" "2026-12-01 25:00" "1969-12-01 10:00" "2026-12-01T19" \
		 "2026-12-01 19:00:0" "2026-12-01T19:00:00.000" "2026-12-01 19:00 " \
		 "2026-12-01 19:00:aa"
	do
		bad_create "^turnout: --start: .$v.: not a local date and time$" \
			--title x --start "$v" --tz Europe/Berlin || exit 1
	done &&
	stderr_has "^hint: .*YYYY-MM-DD HH:MM" &&
	bad_create "^turnout: --end: .12/01.: not a local date and time$" \
		--title x --start "2026-12-01 10:00" --end 12/01 --tz Europe/Berlin
'

test_expect_success '--start and --end take ISO 8601 forms, stored as YYYY-MM-DD HH:MM' '
	tn event create --title iso1 --start 2027-01-20T19:00 --tz Europe/Berlin >/dev/null &&
	tn event create --title iso2 --start "2027-01-20 19:00:00" --tz Europe/Berlin >/dev/null &&
	tn event create --title iso3 --start 2027-01-20T19:00:00 --end 2027-01-20T21:30 \
		--tz Europe/Berlin >/dev/null &&
	test "$(q "SELECT group_concat(start_local || '\''/'\'' || end_local || '\''/'\'' || start_utc, '\'' '\'') FROM (SELECT * FROM event WHERE slug LIKE '\''iso_'\'' ORDER BY slug)")" = \
		"2027-01-20 19:00/2027-01-20 21:00/2027-01-20T18:00:00Z 2027-01-20 19:00/2027-01-20 21:00/2027-01-20T18:00:00Z 2027-01-20 19:00/2027-01-20 21:30/2027-01-20T18:00:00Z" &&
	tn event update iso3 --end "2027-01-20 22:00:00" >/dev/null &&
	test "$(q "SELECT end_local FROM event WHERE slug = '\''iso3'\''")" = "2027-01-20 22:00"
'

test_expect_success 'seconds other than 00 are refused, not dropped' '
	bad_create "^turnout: --start: .2027-01-20T19:00:30.: seconds must be 00 \(event times are whole minutes\)$" \
		--title x --start 2027-01-20T19:00:30 --tz Europe/Berlin &&
	stderr_has "^hint: leave the seconds out, e.g. --start \"2027-01-20 19:00\"$" &&
	bad_create "^turnout: --end: .2027-01-20 21:00:59.: seconds must be 00" \
		--title x --start 2027-01-20T19:00 --end "2027-01-20 21:00:59" --tz Europe/Berlin &&
	test_db_unchanged 2 tn_err event update iso1 --start "2027-01-20 19:00:01" &&
	stderr_has "^turnout: --start: .2027-01-20 19:00:01.: seconds must be 00"
'

test_expect_success 'a zone or offset in a local time is refused; the zone is --tz' '
	for v in 2027-01-20T19:00Z 2027-01-20T19:00:00Z "2027-01-20 19:00+02:00" \
		 2027-01-20T19:00:00-0400
	do
		bad_create "^turnout: --start: .2027-01-20.19:00.*: a local time takes no zone or UTC offset$" \
			--title x --start "$v" --tz Europe/Berlin || exit 1
	done &&
	stderr_has "^hint: .*as --tz, e.g. --start \"2027-01-20 19:00\"$"
'

test_expect_success 'a start in the past is refused without --past' '
	bad_create "^turnout: --start: .2026-11-24 12:30.: in the past \(it is now 2026-11-24 13:00 in Europe/Berlin\)$" \
		--title x --start "2026-11-24 12:30" --tz Europe/Berlin &&
	stderr_has "^hint: .*give --past$" &&
	bad_create "^turnout: --start: .2026-11-24 12:30.: in the past" \
		--title x --start 2026-11-24T12:30 --duration 3h --tz Europe/Berlin &&
	tn event create --title now --start "2026-11-24 13:00" --tz Europe/Berlin >out &&
	echo now >expect && test_cmp expect out &&
	tn event create --title then --start "2026-11-24 12:30" --tz Europe/Berlin --past >out &&
	echo then >expect && test_cmp expect out
'

test_expect_success 'update refuses moving the start into the past without --past' '
	test_db_unchanged 2 tn_err event update iso1 --start "2026-01-10 19:00" &&
	stderr_has "^turnout: --start: .2026-01-10 19:00.: in the past" &&
	stderr_has "^hint: .*give --past$" &&
	test_db_unchanged 2 tn_err event update now --tz Asia/Tokyo &&
	stderr_has "^turnout: --start: .2026-11-24 13:00.: in the past \(it is now 2026-11-24 21:00 in Asia/Tokyo\)$" &&
	tn event update iso2 --start "2026-11-20 19:00" --past >out &&
	echo "updated '\''iso2'\'' (sequence 1)" >expect && test_cmp expect out &&
	tn event update iso2 --venue "Hall" >out &&
	echo "updated '\''iso2'\'' (sequence 2)" >expect && test_cmp expect out
'

test_expect_success 'a bad --capacity is a usage error naming the flag' '
	for v in abc 0 -3 1.5 " 5" 99999999999999999999 1000001; do
		bad_create "^turnout: --capacity: .$v.: not a whole number" \
			--title x --start "2026-12-01 19:00" --tz Europe/Berlin --capacity "$v" || exit 1
	done
'

test_expect_success 'a bad --duration is a usage error naming the flag' '
	for v in 2x h 0m 0h "" 2h2h 30m1h 1.5h -2h 2H 721h; do
		bad_create "^turnout: --duration: .$v.: not a duration$" \
			--title x --start "2026-12-01 19:00" --tz Europe/Berlin --duration "$v" || exit 1
	done &&
	stderr_has "^hint: .*1h30m"
'

test_expect_success '--end and --duration together is a usage error' '
	bad_create "^turnout: --duration: cannot be given together with an end time" --title x --start "2026-12-01 19:00" \
		--tz Europe/Berlin --end "2026-12-01 21:00" --duration 2h
'

test_expect_success 'an empty --title is a usage error' '
	bad_create "^turnout: --title: empty$" --title "" --start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --title: empty$" --title "   " --start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --title: required$" --start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --start: required$" --title x --tz Europe/Berlin &&
	bad_create "^turnout: --tz: required$" --title x --start "2026-12-01 19:00" &&
	bad_create "^turnout: --title: not valid UTF-8$" --title "$(printf "a\377b")" \
		--start "2026-12-01 19:00" --tz Europe/Berlin
'

# RFC 5545 forbids control characters in TEXT values, and on a terminal
# (event show, list) an escape sequence would run.
test_expect_success 'a control character in a text flag is a usage error' '
	esc=$(printf "Evil\033]0;pwned\007 title") &&
	bad_create "^turnout: --title: control character$" --title "$esc" \
		--start "2026-12-01 19:00" --tz Europe/Berlin &&
	stderr_has "^hint: byte 5 is 0x1B" &&
	bad_create "^turnout: --title: control character$" --title "$(printf "two\nlines")" \
		--start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --title: control character$" --title "$(printf "tab\there")" \
		--start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --title: control character$" --title "$(printf "del\177")" \
		--start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --venue: control character$" --title x --venue "$(printf "Club\033[2J")" \
		--start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --address: control character$" --title x \
		--address "$(printf "Main St\r1")" --start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --description: control character$" --title x \
		--description "$(printf "x\001")" --start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --description: control character$" --title x \
		--description "$(printf "bare\rCR")" --start "2026-12-01 19:00" --tz Europe/Berlin &&
	bad_create "^turnout: --description: control character$" --title x \
		--description "$(printf "bell\007")" --start "2026-12-01 19:00" --tz Europe/Berlin
'

test_expect_success 'a description keeps newlines and tabs; CR LF becomes LF' '
	tn event create --title lines --start "2026-12-01 19:00" --tz Europe/Berlin \
		--description "$(printf "one\r\ntwo\n\tthree")" >/dev/null &&
	test "$(q "SELECT hex(description) FROM event WHERE slug = '\''lines'\''")" = \
		"$(printf "one\ntwo\n\tthree" | od -An -tx1 | tr -d " \n" | tr a-f A-F)"
'

test_expect_success 'a malformed --slug is a usage error naming the flag' '
	for v in "Bad Slug" a--b 123 -x x- "" UPPER "sl/ash" "встреча" \
		 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; do
		bad_create "^turnout: --slug: .$v.: not a valid slug$" --title x --slug "$v" \
			--start "2026-12-01 19:00" --tz Europe/Berlin || exit 1
	done &&
	stderr_has "^hint: use lower-case"
'

test_expect_success 'an unknown flag is refused before any work' '
	test_db_unchanged 2 tn_err event create --title x --start "2026-12-01 19:00" \
		--tz Europe/Berlin --colour red &&
	stderr_has "unknown option .--colour."
'

test_expect_success 'show prints all fields with local and UTC times' '
	tn event show n4 >out &&
	grep -q "^slug  *n4$" out &&
	grep -q "^time zone  *America/New_York$" out &&
	grep -q "^start  *2026-11-01 19:00 (UTC-05:00)  =  2026-11-02T00:00:00Z$" out &&
	grep -q "^end  *2026-11-01 21:00 (UTC-05:00)  =  2026-11-02T02:00:00Z$" out &&
	grep -q "^status  *scheduled$" out &&
	grep -q "^sequence  *0$" out &&
	tn event show summer-meetup >out &&
	grep -q "^start  *2026-07-15 19:00 (UTC+02:00)  =  2026-07-15T17:00:00Z$" out &&
	grep -q "^venue  *Café Einstein$" out &&
	grep -q "^capacity  *80$" out
'

test_expect_success 'show --json, by slug and by id' '
	tn event show summer-meetup --json >a.json &&
	tn event show 1 --json >b.json &&
	test_cmp a.json b.json &&
	$PY - <<-PYEOF
	import json
	e = json.load(open("a.json"))
	assert e["slug"] == "summer-meetup" and e["id"] == 1, e
	assert e["tz"] == "Europe/Berlin", e
	assert (e["start_local"], e["start_utc"]) == ("2026-07-15 19:00", "2026-07-15T17:00:00Z"), e
	assert (e["end_local"], e["end_utc"]) == ("2026-07-15 21:00", "2026-07-15T19:00:00Z"), e
	assert e["capacity"] == 80 and e["approval"] is False, e
	assert e["status"] == "scheduled" and e["sequence"] == 0, e
	assert e["upcoming"] is False, e
	assert e["venue"] == "Café Einstein" and e["address"] == "Unter den Linden 42", e
	PYEOF
'

test_expect_success 'an unknown event is a usage error for show, update, cancel, delete and ics' '
	test_db_unchanged 2 tn_err event delete nope --yes &&
	stderr_has "^turnout: event .nope.: no such event$" &&
	test_db_unchanged 2 tn_err event show nope &&
	stderr_has "^turnout: event .nope.: no such event$" &&
	test_db_unchanged 2 tn_err event update nope --title y &&
	stderr_has "^turnout: event .nope.: no such event$" &&
	test_db_unchanged 2 tn_err event cancel nope &&
	stderr_has "^turnout: event .nope.: no such event$" &&
	test_db_unchanged 2 tn_err ics nope &&
	stderr_has "^turnout: event .nope.: no such event$" &&
	test_db_unchanged 2 tn_err event show 9999 &&
	stderr_has "^turnout: event .9999.: no such event$"
'

test_expect_success 'list orders by start with status and upcoming/past' '
	tn event create --title "Next Year" --start "2027-02-01 19:00" --tz Europe/Berlin --approval >/dev/null &&
	tn event list >out &&
	head -1 out | grep -q "^ID  *SLUG  *START  *ZONE  *STATUS  *WHEN  *TITLE$" &&
	sed 1d out | awk "{print \$2}" >slugs &&
	test "$(head -1 slugs)" = n1 &&
	test "$(tail -1 slugs)" = next-year &&
	grep -q "^[0-9]*  *next-year .* scheduled upcoming Next Year$" out &&
	grep -q "^[0-9]*  *summer-meetup .* scheduled past  *Summer Meetup$" out &&
	tn event list --json >l.json &&
	$PY - <<-PYEOF
	import json
	l = json.load(open("l.json"))
	keys = [(e["start_utc"], e["id"]) for e in l]
	assert keys == sorted(keys), keys
	n = [e for e in l if e["slug"] == "next-year"][0]
	assert n["upcoming"] is True and n["approval"] is True, n
	PYEOF
'

test_expect_success 'update bumps the sequence and says so; the UID stays' '
	uid=$(q "SELECT uid FROM event WHERE slug = '\''next-year'\''") &&
	tn_err event update next-year --venue "Big Hall" >out &&
	echo "updated '\''next-year'\'' (sequence 1)" >expect && test_cmp expect out &&
	test_must_be_empty "$TRASH/.stderr" &&
	tn event update next-year --title "Next Year!" --capacity 50 >out &&
	echo "updated '\''next-year'\'' (sequence 2)" >expect && test_cmp expect out &&
	test "$(q "SELECT uid, sequence, title, venue, capacity FROM event WHERE slug = '\''next-year'\''")" = \
		"$uid|2|Next Year!|Big Hall|50"
'

test_expect_success 'capacity and approval change no calendar: the sequence stays' '
	tn event update next-year --capacity 80 >out &&
	echo "updated '\''next-year'\'' (sequence 2)" >expect && test_cmp expect out &&
	tn event update next-year --no-approval >/dev/null &&
	tn event update next-year --approval >out &&
	test_cmp expect out &&
	tn event update next-year --no-approval --capacity 50 >out &&
	test_cmp expect out &&
	test "$(q "SELECT sequence, capacity, approval FROM event WHERE slug = '\''next-year'\''")" = "2|50|0"
'

test_expect_success 'update --start keeps the length; --tz alone keeps local times' '
	tn event update d3 --start "2026-12-05 18:00" >/dev/null &&
	test "$(q "SELECT start_local, end_local, end_utc FROM event WHERE slug = '\''d3'\''")" = \
		"2026-12-05 18:00|2026-12-05 21:00|2026-12-05T20:00:00Z" &&
	tn_err event update d3 --tz America/New_York >out &&
	echo "updated '\''d3'\'' (sequence 2)" >expect && test_cmp expect out &&
	stderr_has "^note: .d3. keeps 18:00 local time in America/New_York; in UTC it now starts at 2026-12-05T23:00:00Z$" &&
	test "$(q "SELECT start_local, end_local, start_utc, sequence FROM event WHERE slug = '\''d3'\''")" = \
		"2026-12-05 18:00|2026-12-05 21:00|2026-12-05T23:00:00Z|2" &&
	tn event update d3 --duration 30m >/dev/null &&
	test "$(q "SELECT end_local FROM event WHERE slug = '\''d3'\''")" = "2026-12-05 18:30"
'

test_expect_success 'update clears optional fields with ""; --no-approval' '
	tn event update next-year --venue "" --capacity "" --no-approval >/dev/null &&
	test "$(q "SELECT venue IS NULL, capacity IS NULL, approval FROM event WHERE slug = '\''next-year'\''")" = "1|1|0"
'

test_expect_success 'an update that changes nothing keeps the sequence and says so' '
	seq=$(q "SELECT sequence FROM event WHERE slug = '\''next-year'\''") &&
	test_db_unchanged 0 tn_err event update next-year --title "Next Year!" --tz Europe/Berlin >out &&
	test_must_be_empty out &&
	stderr_has "^note: event .next-year.: nothing changed; the sequence stays $seq$" &&
	test_db_unchanged 0 tn_err event update next-year --slug next-year >out &&
	test_must_be_empty out &&
	stderr_has "^note: event .next-year.: nothing changed"
'

# --json: the object event show --json prints, plus "changed" for update
# and cancel.
test_expect_success 'create, update and cancel take --json' '
	tn event create --title "Json Night" --start 2027-03-01T19:00 --tz Europe/Berlin --json >c.json &&
	tn event show json-night --json >s.json &&
	tn event update json-night --venue Attic --json >u.json &&
	tn_err event update json-night --venue Attic --json >same.json &&
	stderr_has "^note: event .json-night.: nothing changed" &&
	tn event cancel json-night --json >x.json &&
	tn_err event cancel json-night --json >again.json &&
	$PY - <<-PYEOF
	import json
	c, s, u, same, x, again = (json.load(open(f)) for f in
	    ("c.json", "s.json", "u.json", "same.json", "x.json", "again.json"))
	assert c == s, (c, s)
	assert list(u) == list(s) + ["changed"], list(u)
	assert u["changed"] is True and u["venue"] == "Attic" and u["sequence"] == 1, u
	assert same["changed"] is False and same["sequence"] == 1, same
	assert x["changed"] is True and x["status"] == "cancelled" and x["sequence"] == 2, x
	assert again["changed"] is False and again["sequence"] == 2, again
	PYEOF
'

test_expect_success 'update with no flags, or bad values, is a usage error' '
	test_db_unchanged 2 tn_err event update next-year &&
	stderr_has "^turnout: event .next-year.: nothing to change$" &&
	stderr_has "^hint: " &&
	test_db_unchanged 2 tn_err event update next-year --start "2026-03-29 02:30" --tz Europe/Berlin &&
	stderr_has "^turnout: --start: .*does not exist" &&
	test_db_unchanged 2 tn_err event update next-year --end "2027-02-01 18:00" &&
	stderr_has "^turnout: --end: .*not after the start" &&
	test_db_unchanged 2 tn_err event update next-year --tz Europe/Atlantis &&
	stderr_has "^turnout: --tz: .Europe/Atlantis.: unknown time zone$" &&
	test_db_unchanged 2 tn_err event update next-year --capacity x &&
	stderr_has "^turnout: --capacity: " &&
	test_db_unchanged 2 tn_err event update next-year --title "" &&
	stderr_has "^turnout: --title: empty$" &&
	test_db_unchanged 2 tn_err event update next-year --approval --no-approval &&
	test_db_unchanged 2 tn_err event update next-year --past &&
	stderr_has "^turnout: event .next-year.: nothing to change$"
'

test_expect_success 'update --slug renames an event never announced or sent' '
	uid=$(q "SELECT uid FROM event WHERE slug = '\''d2'\''") &&
	tn event update d2 --slug d2-renamed >out &&
	echo "updated '\''d2-renamed'\'' (sequence 0)" >expect && test_cmp expect out &&
	test "$(q "SELECT uid, sequence FROM event WHERE slug = '\''d2-renamed'\''")" = "$uid|0" &&
	test_db_unchanged 2 tn_err event show d2 &&
	tn ics d2-renamed >d2.ics &&
	grep -q "^URL:https://meet.example.org/e/d2-renamed.$" d2.ics
'

test_expect_success 'update --slug refuses a malformed or taken slug' '
	for v in "Bad Slug" a--b 123 "" UPPER; do
		test_db_unchanged 2 tn_err event update d2-renamed --slug "$v" &&
		stderr_has "^turnout: --slug: .$v.: not a valid slug$" || exit 1
	done &&
	test_db_unchanged 2 tn_err event update d2-renamed --slug d1 &&
	stderr_has "^turnout: --slug: slug .d1.: already used by event [0-9]+$" &&
	stderr_has "^hint: choose another --slug" &&
	test_db_unchanged 2 tn_err event update d2-renamed --slug d4 --venue "Hall" &&
	stderr_has "^turnout: --slug: slug .d4.: already used"
'

test_expect_success 'update refuses control characters in text flags too' '
	test_db_unchanged 2 tn_err event update next-year --title "$(printf "Evil\033]0;pwned\007")" &&
	stderr_has "^turnout: --title: control character$" &&
	test_db_unchanged 2 tn_err event update next-year --venue "$(printf "a\001")" &&
	stderr_has "^turnout: --venue: control character$" &&
	test_db_unchanged 2 tn_err event update next-year --address "$(printf "a\037")" &&
	stderr_has "^turnout: --address: control character$" &&
	test_db_unchanged 2 tn_err event update next-year --description "$(printf "x\001")" &&
	stderr_has "^turnout: --description: control character$"
'

test_expect_success 'cancel marks the event cancelled and bumps the sequence' '
	seq=$(q "SELECT sequence FROM event WHERE slug = '\''next-year'\''") &&
	tn event cancel next-year >out &&
	echo "cancelled '\''next-year'\'' (sequence $((seq + 1)))" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT status, sequence FROM event WHERE slug = '\''next-year'\''")" = "cancelled|$((seq + 1))" &&
	tn event list >out &&
	grep -q "^[0-9]*  *next-year .* cancelled upcoming" out
'

test_expect_success 'cancelling twice says so and changes nothing' '
	test_db_unchanged 0 tn_err event cancel next-year >out &&
	test_must_be_empty out &&
	stderr_has "^note: event .next-year. is already cancelled; nothing changed$"
'

test_expect_success 'a cancelled event cannot be updated' '
	test_db_unchanged 1 tn_err event update next-year --title "Back" &&
	stderr_has "^turnout: event .next-year.: cancelled; a cancelled event cannot be changed$" &&
	stderr_has "^hint: " &&
	test_db_unchanged 1 tn_err event update next-year --slug back &&
	stderr_has "^turnout: event .next-year.: cancelled"
'

test_expect_success 'delete removes an event never announced or sent, and says so' '
	tn event create --title "Typo" --start 2027-05-01T10:00 --tz UTC >/dev/null &&
	tn event delete typo </dev/null >out &&
	echo "deleted '\''typo'\''" >expect && test_cmp expect out &&
	test "$(q "SELECT count(*) FROM event WHERE slug = '\''typo'\''")" = 0 &&
	tn event create --title "Typo" --start 2027-05-01T10:00 --tz UTC >/dev/null &&
	id=$(q "SELECT id FROM event WHERE slug = '\''typo'\''") &&
	tn event delete "$id" --yes >out &&
	test_cmp expect out &&
	tn event delete next-year -y >out &&
	echo "deleted '\''next-year'\''" >expect && test_cmp expect out
'

# script(1) gives turnout a terminal as stdin, as a person at a keyboard.
test_lazy_prereq SCRIPT 'script -qec true /dev/null </dev/null'

test_expect_success SCRIPT 'delete asks on a terminal; anything but y keeps the event' '
	tn event create --title "Ask Me" --start 2027-05-02T10:00 --tz UTC >/dev/null &&
	for answer in n "" no maybe; do
		printf "%s\n" "$answer" >answer &&
		test_db_unchanged 1 script -qec "\"$TURNOUT\" event delete ask-me" /dev/null <answer >tty.out &&
		grep -q "delete event .ask-me. (Ask Me, 2027-05-02 10:00 Etc/UTC)? \[y/N\]" tty.out &&
		grep -q "turnout: event .ask-me.: not deleted" tty.out || exit 1
	done &&
	printf "Y\n" >answer &&
	script -qec "\"$TURNOUT\" event delete ask-me" /dev/null <answer >tty.out &&
	grep -q "deleted .ask-me." tty.out &&
	test "$(q "SELECT count(*) FROM event WHERE slug = '\''ask-me'\''")" = 0
'

test_expect_success SCRIPT 'delete --yes does not ask, even on a terminal' '
	tn event create --title "No Ask" --start 2027-05-03T10:00 --tz UTC >/dev/null &&
	script -qec "\"$TURNOUT\" event delete no-ask --yes" /dev/null </dev/null >tty.out &&
	! grep -q "y/N" tty.out &&
	grep -q "deleted .no-ask." tty.out
'

test_expect_success 'delete with a bad argument changes nothing' '
	test_db_unchanged 2 tn_err event delete &&
	stderr_has "missing argument" &&
	test_db_unchanged 2 tn_err event delete d1 --force &&
	stderr_has "unknown option .--force."
'

test_expect_success 'help for each event command' '
	tn event create --help >out &&
	grep -q -- "--duration" out &&
	tn event update --help >out &&
	grep -q -- "--no-approval" out &&
	grep -q -- "--slug" out &&
	tn event cancel --help >/dev/null && tn event show --help >/dev/null &&
	tn event delete --help >out &&
	grep -q -- "-y, --yes" out &&
	tn event list --help >/dev/null && tn ics --help >out &&
	grep -q -- "-o, --output" out &&
	grep -q -- "--all" out
'

test_expect_success 'Vietnamese, decomposed German and Greek titles give readable slugs' '
	tn event create --title "Nguyễn Thị Minh Khai" --start "2027-01-10 18:00" --tz Asia/Ho_Chi_Minh >slug &&
	echo nguyen-thi-minh-khai >expect && test_cmp expect slug &&
	tn event create --title "Đà Nẵng" --start "2027-01-11 18:00" --tz Asia/Ho_Chi_Minh >slug &&
	echo da-nang >expect && test_cmp expect slug &&
	tn event create --title "$(printf "Mu\314\210nchen")" --start "2027-01-12 18:00" --tz Europe/Berlin >slug &&
	echo munchen >expect && test_cmp expect slug &&
	tn event create --title "Σοφία" --start "2027-01-13 18:00" --tz Europe/Athens >slug &&
	echo sofia >expect && test_cmp expect slug
'

test_done
