#!/usr/bin/env bash
# ics: the event as an iCalendar file, and ics --all, the feed of every
# upcoming event, read back by two independent parsers (python3-icalendar
# and ical.js) whose instants must match the expected UTC times, across
# DST changes, with text escaping round trips.
. "$(dirname "$0")/lib.sh"

export TURNOUT_NOW=2026-11-24T12:00:00Z

# parse FILE: both parsers' readings in py.out and js.out, which must be
# equal. ical.js runs under TZ=Asia/Tokyo so a time it left floating would
# show up as a wrong instant.
parse() {
	TZ=Asia/Tokyo $PY "$TN_TOP/tests/ics_check.py" "$1" >py.out &&
	(cd "$TN_TOP" && TZ=Asia/Tokyo node tests/ics_check.mjs "$TRASH/$1") >js.out &&
	test_cmp py.out js.out
}

# parse_feed FILE: as parse, for a calendar of any number of events (ics
# --all); each event's lines follow a "--" line.
parse_feed() {
	TZ=Asia/Tokyo $PY "$TN_TOP/tests/ics_check.py" --feed "$1" >py.out &&
	(cd "$TN_TOP" && TZ=Asia/Tokyo node tests/ics_check.mjs --feed "$TRASH/$1") >js.out &&
	test_cmp py.out js.out
}

# check_times SLUG START_UTC END_UTC TZID
check_times() {
	tn ics "$1" -o "$1.ics" &&
	parse "$1.ics" &&
	grep -qx "dtstart=$2 tzid=$4" py.out &&
	grep -qx "dtend=$3 tzid=$4" py.out || {
		echo "$1: want $2 .. $3 in $4, parsers read:"
		cat py.out
		return 1
	}
}

test_expect_success 'setup' '
	setup_db
'

test_expect_success 'both parsers read the right instants across DST changes' '
	for x in "b1|2026-03-28 19:00|Europe/Berlin|2026-03-28T18:00:00Z|2026-03-28T20:00:00Z" \
		 "b2|2026-03-29 19:00|Europe/Berlin|2026-03-29T17:00:00Z|2026-03-29T19:00:00Z" \
		 "b3|2026-10-24 19:00|Europe/Berlin|2026-10-24T17:00:00Z|2026-10-24T19:00:00Z" \
		 "b4|2026-10-25 19:00|Europe/Berlin|2026-10-25T18:00:00Z|2026-10-25T20:00:00Z" \
		 "b5|2026-07-15 19:00|Europe/Berlin|2026-07-15T17:00:00Z|2026-07-15T19:00:00Z" \
		 "b6|2026-01-15 19:00|Europe/Berlin|2026-01-15T18:00:00Z|2026-01-15T20:00:00Z" \
		 "n1|2026-03-07 19:00|America/New_York|2026-03-08T00:00:00Z|2026-03-08T02:00:00Z" \
		 "n2|2026-03-08 19:00|America/New_York|2026-03-08T23:00:00Z|2026-03-09T01:00:00Z" \
		 "n3|2026-10-31 19:00|America/New_York|2026-10-31T23:00:00Z|2026-11-01T01:00:00Z" \
		 "n4|2026-11-01 19:00|America/New_York|2026-11-02T00:00:00Z|2026-11-02T02:00:00Z" \
		 "y1|2026-07-15 19:00|Asia/Yekaterinburg|2026-07-15T14:00:00Z|2026-07-15T16:00:00Z" \
		 "y2|2027-01-15 19:00|Asia/Yekaterinburg|2027-01-15T14:00:00Z|2027-01-15T16:00:00Z"
	do
		IFS="|" read -r slug start zone s e <<-EOT &&
		$x
		EOT
		tn event create --title "$slug" --start "$start" --tz "$zone" --past >/dev/null &&
		check_times "$slug" "$s" "$e" "$zone" || exit 1
	done
'

# A local time in the repeated hour means its first occurrence (RFC 5545
# 3.3.5), but both parsers read the second, so such a time is written in
# UTC (tzid=- below) and the other one keeps its TZID.
test_expect_success 'an event spanning the clock change, and the repeated hour' '
	tn event create --title across --start "2026-10-25 01:00" --tz Europe/Berlin --duration 3h --past >/dev/null &&
	check_times across 2026-10-24T23:00:00Z 2026-10-25T02:00:00Z Europe/Berlin &&
	tn event create --title night --start "2026-03-29 01:30" --tz Europe/Berlin --end "2026-03-29 03:30" --past >/dev/null &&
	check_times night 2026-03-29T00:30:00Z 2026-03-29T01:30:00Z Europe/Berlin &&
	tn event create --title twice --start "2026-10-25 02:30" --tz Europe/Berlin --duration 1h --past >/dev/null 2>&1 &&
	check_times twice 2026-10-25T00:30:00Z 2026-10-25T01:30:00Z - &&
	grep -q "^DTSTART:20261025T003000Z.$" twice.ics &&
	grep -q "^DTEND:20261025T013000Z.$" twice.ics &&
	grep -q "^TZID:Europe/Berlin.$" twice.ics &&
	tn event create --title before --start "2026-10-25 01:00" --tz Europe/Berlin --end "2026-10-25 02:30" --past >/dev/null 2>&1 &&
	tn ics before -o before.ics &&
	parse before.ics &&
	grep -qx "dtstart=2026-10-24T23:00:00Z tzid=Europe/Berlin" py.out &&
	grep -qx "dtend=2026-10-25T00:30:00Z tzid=-" py.out &&
	grep -q "^DTSTART;TZID=Europe/Berlin:20261025T010000.$" before.ics
'

test_expect_success 'the VTIMEZONE: IANA TZID, only recent rules, no UNTIL' '
	tn ics b2 >b2.out &&
	grep -c "^TZID:Europe/Berlin.$" b2.out >n && test "$(cat n)" = 1 &&
	! grep -q "UNTIL" b2.out &&
	! grep -q "freeassociation" b2.out &&
	grep -q "^DTSTART;TZID=Europe/Berlin:20260329T190000.$" b2.out &&
	grep -q "^DTEND;TZID=Europe/Berlin:20260329T210000.$" b2.out &&
	test "$(sed -n "/^BEGIN:VTIMEZONE/,/^END:VTIMEZONE/p" b2.out | wc -l)" -le 30
'

# vtz FILE: the VTIMEZONE of FILE, with LF line ends.
vtz() {
	sed -n "/^BEGIN:VTIMEZONE/,/^END:VTIMEZONE/p" "$1" | tr -d "\r"
}

# latest_onset FILE: the latest year any observance starts (DTSTART or RDATE).
latest_onset() {
	vtz "$1" | sed -n "s/^\(DTSTART\|RDATE\):\([0-9]\{4\}\).*/\2/p" | sort -n | tail -1
}

# SPEC: the VTIMEZONE carries only the rules the event needs. libical's
# Europe/Moscow goes on with every change from 1974 to 2011; turnout keeps
# the year before the event to the year after it.
test_expect_success 'an old event: only the rules of its years, right instants' '
	tn event create --title moscow75 --start "1975-01-06 19:00" --tz Europe/Moscow --past >/dev/null &&
	check_times moscow75 1975-01-06T16:00:00Z 1975-01-06T18:00:00Z Europe/Moscow &&
	test "$(latest_onset moscow75.ics)" -le 1977 &&
	vtz moscow75.ics >actual &&
	cat >expect <<-\EOF &&
	BEGIN:VTIMEZONE
	TZID:Europe/Moscow
	X-LIC-LOCATION:Europe/Moscow
	BEGIN:STANDARD
	TZNAME:MSK
	TZOFFSETFROM:+0300
	TZOFFSETTO:+0300
	DTSTART:19740101T030000
	END:STANDARD
	END:VTIMEZONE
	EOF
	test_cmp expect actual
'

test_expect_success 'a DST-era event: only the changes of its years' '
	tn event create --title moscow84s --start "1984-07-15 19:00" --tz Europe/Moscow --past >/dev/null &&
	check_times moscow84s 1984-07-15T15:00:00Z 1984-07-15T17:00:00Z Europe/Moscow &&
	tn event create --title moscow84w --start "1984-01-15 19:00" --tz Europe/Moscow --past >/dev/null &&
	check_times moscow84w 1984-01-15T16:00:00Z 1984-01-15T18:00:00Z Europe/Moscow &&
	test "$(latest_onset moscow84s.ics)" -le 1986 &&
	grep -q "^DTSTART:19850331T020000.$" moscow84s.ics &&
	grep -q "^RDATE:19840401T000000.$" moscow84s.ics &&
	! grep -q "^RDATE:1987" moscow84s.ics
'

# ical.js 2.2.1 ignores the DTSTART of an observance that has RDATEs, so
# turnout repeats it as an RDATE: without that ical.js read Berlin's
# winter of 1981/82 as +02 and Sydney's summer of 1995/96 as +10.
test_expect_success 'an observance with RDATEs also lists its DTSTART' '
	tn event create --title berlin82 --start "1982-01-15 19:00" --tz Europe/Berlin --past >/dev/null &&
	check_times berlin82 1982-01-15T18:00:00Z 1982-01-15T20:00:00Z Europe/Berlin &&
	grep -q "^DTSTART:19810927T030000.$" berlin82.ics &&
	grep -q "^RDATE:19810927T030000.$" berlin82.ics &&
	tn event create --title sydney96 --start "1996-01-15 19:00" --tz Australia/Sydney --past >/dev/null &&
	check_times sydney96 1996-01-15T08:00:00Z 1996-01-15T10:00:00Z Australia/Sydney
'

# libical ends Yekaterinburg with a STANDARD +0500 -> +0500 at its time_t
# limit (2038-01-19T03:14:07Z): no change at all, so it is left out.
test_expect_success 'no 2038 sentinel, no observance that changes nothing' '
	tn ics y1 -o y1.ics &&
	! vtz y1.ics | grep -q 2038 &&
	vtz y1.ics >actual &&
	cat >expect <<-\EOF &&
	BEGIN:VTIMEZONE
	TZID:Asia/Yekaterinburg
	X-LIC-LOCATION:Asia/Yekaterinburg
	BEGIN:STANDARD
	TZNAME:+05
	TZOFFSETFROM:+0500
	TZOFFSETTO:+0500
	DTSTART:20250101T050000
	END:STANDARD
	END:VTIMEZONE
	EOF
	test_cmp expect actual &&
	tn event create --title yek37 --start "2037-12-30 19:00" --tz Asia/Yekaterinburg >/dev/null &&
	check_times yek37 2037-12-30T14:00:00Z 2037-12-30T16:00:00Z Asia/Yekaterinburg &&
	! vtz yek37.ics | grep -q "^DTSTART:2038"
'

test_expect_success 'a zone with DST today: tombstone and the two open-ended rules' '
	vtz b2.ics >actual &&
	cat >expect <<-\EOF &&
	BEGIN:VTIMEZONE
	TZID:Europe/Berlin
	X-LIC-LOCATION:Europe/Berlin
	BEGIN:STANDARD
	TZNAME:CET
	TZOFFSETFROM:+0100
	TZOFFSETTO:+0100
	DTSTART:20250101T010000
	END:STANDARD
	BEGIN:STANDARD
	TZNAME:CET
	TZOFFSETFROM:+0200
	TZOFFSETTO:+0100
	DTSTART:20251026T030000
	RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
	END:STANDARD
	BEGIN:DAYLIGHT
	TZNAME:CEST
	TZOFFSETFROM:+0100
	TZOFFSETTO:+0200
	DTSTART:20250330T020000
	RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
	END:DAYLIGHT
	END:VTIMEZONE
	EOF
	test_cmp expect actual &&
	vtz n2.ics >actual &&
	cat >expect <<-\EOF &&
	BEGIN:VTIMEZONE
	TZID:America/New_York
	X-LIC-LOCATION:America/New_York
	BEGIN:STANDARD
	TZNAME:EST
	TZOFFSETFROM:-0500
	TZOFFSETTO:-0500
	DTSTART:20241231T190000
	END:STANDARD
	BEGIN:STANDARD
	TZNAME:EST
	TZOFFSETFROM:-0400
	TZOFFSETTO:-0500
	DTSTART:20251102T020000
	RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
	END:STANDARD
	BEGIN:DAYLIGHT
	TZNAME:EDT
	TZOFFSETFROM:-0500
	TZOFFSETTO:-0400
	DTSTART:20250309T020000
	RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
	END:DAYLIGHT
	END:VTIMEZONE
	EOF
	test_cmp expect actual
'

test_expect_success 'the fields: METHOD, PRODID, UID, URL, ORGANIZER, STATUS, SEQUENCE' '
	tn event create --title "Full" --start "2026-12-10 19:00" --tz Europe/Berlin \
		--venue "Club" --address "Main St 1" --description "Bring friends" >/dev/null &&
	tn ics full -o full.ics &&
	parse full.ics &&
	uid=$(sqlite3 "$TURNOUT_DB" "SELECT uid FROM event WHERE slug = '\''full'\''") &&
	cat >expect <<-EOF &&
	method=PUBLISH
	prodid=-//turnout//turnout//EN
	version=2.0
	uid=$uid
	sequence=0
	status=CONFIRMED
	summary="Full"
	description="Bring friends"
	location="Club, Main St 1"
	url="https://meet.example.org/e/full"
	organizer=mailto:org@example.org cn=Test Org
	dtstart=2026-12-10T18:00:00Z tzid=Europe/Berlin
	dtend=2026-12-10T20:00:00Z tzid=Europe/Berlin
	EOF
	test_cmp expect py.out &&
	grep -q "^DTSTAMP:20261124T120000Z.$" full.ics
'

test_expect_success 'text escaping round-trips through both parsers; lines fold' '
	title="Встреча; читателей, \"Москва\" — длинное название, чтобы строка сложилась" &&
	tn event create --title "$title" --start "2026-12-12 19:00" --tz Europe/Moscow \
		--slug esc --venue "Клуб «Ромашка»" \
		--description "$(printf "Party 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉 and more; see you, \"friends\"\nвторая строка\tи таб")" >/dev/null &&
	tn ics esc -o esc.ics &&
	parse esc.ics &&
	$PY - "$title" <<-PYEOF &&
	import json, sys
	got = dict(l.split("=", 1) for l in open("py.out", encoding="utf-8").read().splitlines())
	assert json.loads(got["summary"]) == sys.argv[1], got["summary"]
	assert json.loads(got["description"]) == "Party " + "🎉" * 24 + " and more; see you, \"friends\"\nвторая строка\tи таб", got["description"]
	assert json.loads(got["location"]) == "Клуб «Ромашка»", got["location"]
	PYEOF
	grep -q "^SUMMARY:Встреча\\\\; читателей\\\\, " esc.ics &&
	grep -q "\\\\nвторая " esc.ics &&
	grep -q "^ " esc.ics &&
	awk "{ if (length(\$0) > 76) bad = 1 } END { exit bad }" esc.ics &&
	test "$(grep -c "$(printf "\r")\$" esc.ics)" = "$(wc -l <esc.ics)"
'

test_expect_success 'update shows as SEQUENCE; the UID stays' '
	uid=$(grep "^uid=" py.out) &&
	tn event update esc --start "2026-12-13 19:00" >/dev/null &&
	tn ics esc -o esc.ics &&
	parse esc.ics &&
	grep -qx "sequence=1" py.out &&
	grep -qx "$uid" py.out &&
	grep -qx "dtstart=2026-12-13T16:00:00Z tzid=Europe/Moscow" py.out
'

test_expect_success 'cancel shows as STATUS:CANCELLED with the next SEQUENCE' '
	tn event cancel esc >/dev/null &&
	tn ics esc -o esc.ics &&
	parse esc.ics &&
	grep -qx "status=CANCELLED" py.out &&
	grep -qx "sequence=2" py.out &&
	grep -q "^STATUS:CANCELLED.$" esc.ics
'

test_expect_success 'stdout and -o give the same bytes; -o replaces a file' '
	tn ics full >a.ics &&
	echo old >b.ics &&
	tn ics full -o b.ics &&
	cmp a.ics b.ics &&
	tn ics full --output=c.ics && cmp a.ics c.ics &&
	test -z "$(ls -A | grep "^\\.turnout-")"
'

test_expect_success '-o into a missing directory fails and writes nothing' '
	test_expect_code 1 tn_err ics full -o no/such/dir/x.ics &&
	stderr_has "^turnout: .no/such/dir/x.ics.: cannot " &&
	test ! -e no
'

# vevent FILE UID: that event's VEVENT in FILE.
vevent() {
	awk -v uid="UID:$2" '
		/^BEGIN:VEVENT/ { block = ""; inside = 1; found = 0 }
		inside { block = block $0 "\n" }
		inside && index($0, uid) == 1 { found = 1 }
		/^END:VEVENT/ { if (found) printf "%s", block; inside = 0 }
	' "$1"
}

test_expect_success 'ics --all: every upcoming event that is not cancelled, one feed' '
	tn ics --all -o feed.ics &&
	parse_feed feed.ics &&
	q "SELECT slug FROM event WHERE status = '\''scheduled'\'' AND end_utc > '\''2026-11-24T12:00:00Z'\'' ORDER BY start_utc, id" >want &&
	printf "full\ny2\nyek37\n" >expect &&
	test_cmp expect want &&
	sed -n "s|^url=\"https://meet.example.org/e/\(.*\)\"\$|\1|p" py.out >got &&
	test_cmp want got &&
	grep -qx "vevents=3" py.out &&
	grep -qx "method=PUBLISH" py.out &&
	grep -qx "dtstart=2026-12-10T18:00:00Z tzid=Europe/Berlin" py.out &&
	grep -qx "dtstart=2027-01-15T14:00:00Z tzid=Asia/Yekaterinburg" py.out &&
	grep -qx "dtstart=2037-12-30T14:00:00Z tzid=Asia/Yekaterinburg" py.out &&
	test "$(grep -c "^BEGIN:VTIMEZONE" feed.ics)" = 2 &&
	test "$(grep -c "^TZID:Asia/Yekaterinburg.$" feed.ics)" = 1 &&
	! grep -q "UNTIL" feed.ics &&
	tn ics full -o full.ics &&
	uid=$(q "SELECT uid FROM event WHERE slug = '\''full'\''") &&
	vevent full.ics "$uid" >one &&
	vevent feed.ics "$uid" >many &&
	test -s one &&
	test_cmp one many
'

test_expect_success 'a feed is not read as one event; one event is a feed of one' '
	test_expect_code 1 $PY "$TN_TOP/tests/ics_check.py" feed.ics 2>err &&
	grep -q "3 VEVENTs, want 1" err &&
	(cd "$TN_TOP" && test_expect_code 1 node tests/ics_check.mjs "$TRASH/feed.ics") 2>err &&
	grep -q "3 VEVENTs, want 1" err &&
	parse_feed full.ics &&
	grep -qx "vevents=1" py.out
'

# Europe/Moscow kept summer time in 1984, and +04 all year in 2012; with
# only the rules of 1983-1985 a parser would read 2012 as +03.
test_expect_success 'one VTIMEZONE per zone, covering the years of all its events' '
	export TURNOUT_DB="$TRASH/feed.db" &&
	setup_db &&
	tn event create --title m84 --start "1984-07-15 19:00" --tz Europe/Moscow --past >/dev/null &&
	tn event create --title m12 --start "2012-01-15 19:00" --tz Europe/Moscow --past >/dev/null &&
	tn event create --title s96 --start "1996-01-15 19:00" --tz Australia/Sydney --past >/dev/null &&
	tn event create --title gone --start "1990-05-01 19:00" --tz Europe/Moscow --past >/dev/null &&
	tn event cancel gone >/dev/null &&
	tn event create --title early --start "1979-05-01 19:00" --tz Europe/Moscow --past >/dev/null &&
	TURNOUT_NOW=1980-01-01T00:00:00Z tn ics --all -o old.ics &&
	parse_feed old.ics &&
	grep -v "^\(uid\|organizer\)=" py.out >actual &&
	cat >expect <<-\EOF &&
	method=PUBLISH
	prodid=-//turnout//turnout//EN
	version=2.0
	vevents=3
	--
	sequence=0
	status=CONFIRMED
	summary="m84"
	description=-
	location=-
	url="https://meet.example.org/e/m84"
	dtstart=1984-07-15T15:00:00Z tzid=Europe/Moscow
	dtend=1984-07-15T17:00:00Z tzid=Europe/Moscow
	--
	sequence=0
	status=CONFIRMED
	summary="s96"
	description=-
	location=-
	url="https://meet.example.org/e/s96"
	dtstart=1996-01-15T08:00:00Z tzid=Australia/Sydney
	dtend=1996-01-15T10:00:00Z tzid=Australia/Sydney
	--
	sequence=0
	status=CONFIRMED
	summary="m12"
	description=-
	location=-
	url="https://meet.example.org/e/m12"
	dtstart=2012-01-15T15:00:00Z tzid=Europe/Moscow
	dtend=2012-01-15T17:00:00Z tzid=Europe/Moscow
	EOF
	test_cmp expect actual &&
	test "$(grep -c "^TZID:Europe/Moscow.$" old.ics)" = 1 &&
	sed -n "/^TZID:Europe\/Moscow/,/^END:VTIMEZONE/p" old.ics |
		sed -n "s/^\(DTSTART\|RDATE\):\([0-9]\{4\}\).*/\2/p" | sort -n >years &&
	test "$(head -1 years)" = 1983 &&
	test "$(tail -1 years)" -le 2013
'

test_expect_success 'with no upcoming event the feed is an empty calendar, with a note' '
	TURNOUT_NOW=2040-01-01T00:00:00Z tn_err ics --all -o empty.ics &&
	stderr_has "^note: no upcoming events; the calendar is empty$" &&
	parse_feed empty.ics &&
	grep -qx "vevents=0" py.out &&
	! grep -q "VTIMEZONE" empty.ics
'

test_expect_success 'ics takes an EVENT or --all: neither or both is a usage error' '
	test_db_unchanged 2 tn_err ics full --all &&
	stderr_has "^turnout: ics: give an EVENT or --all, not both$" &&
	test_db_unchanged 2 tn_err ics --all full -o x.ics &&
	test_path_is_missing x.ics &&
	test_db_unchanged 2 tn_err ics &&
	stderr_has "^turnout: ics: missing argument: an EVENT, or --all$" &&
	test_db_unchanged 2 tn_err ics --all=yes &&
	stderr_has "takes no value"
'

test_expect_success 'an unknown event is a usage error' '
	test_db_unchanged 2 tn_err ics nope &&
	stderr_has "^turnout: event .nope.: no such event$"
'

test_expect_success 'without a from address: no ORGANIZER, a note, still valid' '
	sqlite3 "$TURNOUT_DB" "DELETE FROM setting WHERE key = '\''from'\''" &&
	tn_err ics full -o nofrom.ics &&
	stderr_has "^note: no organizer address" &&
	parse nofrom.ics &&
	grep -qx "organizer=-" py.out &&
	! grep -q ORGANIZER nofrom.ics
'

test_expect_success 'ics warns while the base URL is still localhost' '
	tn --db local.db init >/dev/null &&
	tn --db local.db event create --title "Local" --start "2027-03-01 10:00" --tz UTC >/dev/null &&
	tn --db local.db ics local >local.ics 2>err &&
	grep -q "^warning: the base URL is still http://localhost:8080" err &&
	grep -q "turnout config base-url" err &&
	grep -q "^BEGIN:VCALENDAR" local.ics &&
	tn ics --all >all.ics 2>err &&
	! grep -q "warning" err
'

test_done
