#!/usr/bin/env bash
# report: the conversion report on the command line. A fixture of
# channels with Cyrillic and CJK names and a dated audience, followers
# with regions (one that looks like a formula), invitations and
# registrations, check-ins and walk-ins at the door; the text, CSV and
# JSON agree with each other (tests/report_check.py), the JSON's figures
# are the ones worked out here, -o writes a file, and bad input is a
# clear error that writes nothing. tests/unit/t_report.c has the larger
# fixture (two events, returning people, a waitlist, regions).
. "$(dirname "$0")/lib.sh"

export TURNOUT_NOW=2030-05-01T09:00:00Z

test_expect_success 'setup: two channels, followers, an event, invitations' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel audience news 10 --date 2030-01-01 >/dev/null &&
	tn channel add "Новости東京" --kind telegram >/dev/null &&
	printf "email,name,region,followed_at\nanna@example.org,Anna,Berlin,2029-01-01\nbob@example.org,Bob,=SUM(A1),\n" >news.csv &&
	tn follower import news news.csv >/dev/null &&
	printf "email,name,region\nanna@example.org,Anna,Hamburg\neve@example.org,Eve,東京\nfay@example.org,Fay,\n" >tg.csv &&
	tn follower import "Новости東京" tg.csv >/dev/null &&
	tn event create --title "Readers meetup" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --slug meetup >/dev/null &&
	tn event create --title "Later" --start "2030-07-10 19:00" \
		--tz Europe/Berlin --slug later >/dev/null &&
	tn invite meetup --channel news >/dev/null 2>&1 &&
	tn invite meetup --channel "Новости東京" >/dev/null 2>&1 &&
	tn register meetup --name Hal --email hal@example.org >/dev/null &&
	tn register later --name Hal --email hal@example.org >/dev/null
'

# figures: meetup's audience is news max(10, 2) + Новости東京 3 known, with
# anna on both once: 4 people + (10 - 2) = 12; invited 2 + 2 (eve, fay);
# hal registered directly, with a ticket.
test_expect_success 'the JSON holds the figures worked out by hand' '
	tn report meetup --format json >r.json &&
	/usr/bin/python3 - <<-\PY
	import json
	d = json.load(open("r.json"))
	e, = d["events"]
	assert e["slug"] == "meetup" and e["date"] == "2030-06-10", e
	rows = {r["group"]: r for r in e["rows"]}
	assert [r["group"] for r in e["rows"]] == ["news", "Новости東京", "direct", "walk-in"], rows
	f = lambda r: [r[k] for k in ("audience", "invited", "registered", "ticketed", "came", "no_shows", "returning")]
	assert f(rows["news"]) == [10, 2, 0, 0, 0, 0, 0], rows["news"]
	assert f(rows["Новости東京"]) == [3, 2, 0, 0, 0, 0, 0], rows
	assert f(rows["direct"]) == [0, 0, 1, 1, 0, 1, 0], rows["direct"]
	assert f(e["total"]) == [12, 4, 1, 1, 0, 1, 0], e["total"]
	assert e["total"]["offline_share_pct"] == 0 and e["total"]["target_met"] is False
	assert rows["direct"]["offline_share_pct"] is None
	inputs = {c["channel"]: c for c in e["audience_inputs"]["channels"]}
	assert inputs["news"] == {"channel": "news", "declared": 10, "declared_date": "2030-01-01", "known_followers": 2, "audience": 10}, inputs
	assert e["audience_inputs"]["unique_followers"] == 4
	assert d["target_pct"] == 10 and d["by"] == "channel"
	assert d["period"]["events_counted"] == 1
	PY
'

test_expect_success 'text, CSV and JSON agree, by channel and by region' '
	tn report >all.txt &&
	tn report --format csv >all.csv &&
	tn report --format json >all.json &&
	/usr/bin/python3 "$TN_TOP/tests/report_check.py" all.json all.csv all.txt &&
	tn report --by region >region.txt &&
	tn report --by region --format csv >region.csv &&
	tn report --by region --format json >region.json &&
	/usr/bin/python3 "$TN_TOP/tests/report_check.py" region.json region.csv region.txt
'

test_expect_success 'a region that looks like a formula is defused in CSV' '
	grep -q "^meetup,2030-06-10,scheduled,'\''=SUM(A1),region," region.csv &&
	head -1 region.csv >header &&
	printf "event,date,status,group,kind,audience,declared,known_followers,invited,registered,ticketed,came,no_shows,returning,offline_share_pct,target_pct,target_met\r\n" >expect &&
	test_cmp expect header
'

test_expect_success 'the text table shows a bar and the target' '
	grep -q "^Readers meetup (meetup), 2030-06-10 19:00 Europe/Berlin, target 10%$" all.txt &&
	grep -q "^  total  *12  *4  *1  *1  *0  *1  *0 0.00%  *below ░░░░░░░░░░$" all.txt &&
	grep -q "^Period the first to the last: 2 events counted" all.txt
'

test_expect_success '--by event, --target, a period' '
	tn report --by event --target 5 >ev.txt &&
	grep -q "^Offline share per event (target 5%)" ev.txt &&
	grep -q "^  2030-06-10 meetup " ev.txt &&
	tn report --since 2030-06-11 --format json >p.json &&
	/usr/bin/python3 -c "import json; d = json.load(open(\"p.json\")); assert [e[\"slug\"] for e in d[\"events\"]] == [\"later\"], d" &&
	tn report --until 2030-01-01 >none.txt &&
	echo "no events in the period" >expect &&
	test_cmp expect none.txt
'

# at the door (the event's clock): hal's ticket at gate north, bob (a
# follower of news, invited, never registered) walks in by e-mail, so he
# counts for news; ivan walks in without one: walk-in. came 3 of 12: 25%.
test_expect_success 'check-ins through the CLI: came, walk-ins, the arrival' '
	tn gate add meetup north >/dev/null &&
	code=$(q "SELECT t.id FROM ticket t JOIN registration r ON r.id = t.registration_id JOIN event e ON e.id = r.event_id WHERE e.slug = '\''meetup'\''") &&
	tn ticket list meetup --format tsv >tickets &&
	c=$(awk -F "\t" -v n=$code "\$1 == n { print \$6 }" tickets) &&
	TURNOUT_NOW=2030-06-10T17:01:00Z tn checkin meetup "$c" --gate north >/dev/null &&
	TURNOUT_NOW=2030-06-10T17:07:00Z tn walkin meetup --name Bob --email bob@example.org --gate north >/dev/null &&
	TURNOUT_NOW=2030-06-10T17:08:00Z tn walkin meetup --name Ivan >/dev/null &&
	tn report meetup --format json >door.json &&
	/usr/bin/python3 - <<-\PY &&
	import json
	d = json.load(open("door.json"))
	e, = d["events"]
	rows = {r["group"]: r for r in e["rows"]}
	f = lambda r: [r[k] for k in ("audience", "invited", "registered", "ticketed", "came", "no_shows", "returning")]
	assert f(rows["news"]) == [10, 2, 1, 1, 1, 0, 0], rows["news"]
	assert f(rows["direct"]) == [0, 0, 1, 1, 1, 0, 0], rows["direct"]
	assert f(rows["walk-in"]) == [0, 0, 1, 1, 1, 0, 0], rows["walk-in"]
	assert f(e["total"]) == [12, 4, 3, 3, 3, 0, 0], e["total"]
	assert e["total"]["offline_share_pct"] == 25 and e["total"]["target_met"] is True
	a = e["arrival"]
	assert a["first"] == "2030-06-10T17:01:00Z" and a["last"] == "2030-06-10T17:08:00Z", a
	assert a["gates"] == ["north"] and a["walkins_without_registration"] == 2, a
	assert [(s["start"], s["admitted"], s["walkins"], s["gates"]) for s in a["slots"]] == [
	    ("2030-06-10T17:00:00Z", 1, 0, [1]), ("2030-06-10T17:05:00Z", 2, 2, [0])], a
	assert a["peak"] == {"start": "2030-06-10T17:05:00Z", "admitted": 2, "gate": None}, a
	PY
	tn report meetup >door.txt &&
	tn report meetup --format csv >door.csv &&
	/usr/bin/python3 "$TN_TOP/tests/report_check.py" door.json door.csv door.txt &&
	grep -q "^  door: first admit 2030-06-10T17:01, last 2030-06-10T17:08 (UTC); busiest 5 minutes from 2030-06-10T17:05: 2 admitted; walk-ins without registration: 2$" door.txt
'

test_expect_success 'a cancelled event is shown, and left out of the totals' '
	tn event cancel later >/dev/null 2>&1 &&
	tn report --format json >c.json &&
	/usr/bin/python3 -c "import json; d = json.load(open(\"c.json\")); e = d[\"events\"][1]; assert e[\"cancelled\"] and d[\"period\"][\"events_counted\"] == 1 and d[\"period\"][\"total\"][\"registered\"] == 3, d[\"period\"]" &&
	tn report >c.txt &&
	grep -q "^Later (later), 2030-07-10 19:00 Europe/Berlin, target 10%, cancelled: not in the totals$" c.txt
'

test_expect_success '-o writes the file; -o - is stdout' '
	tn report --format csv -o out.csv &&
	tn report --format csv >stdout.csv &&
	test_cmp stdout.csv out.csv &&
	tn report --format csv -o - >dash.csv &&
	test_cmp stdout.csv dash.csv
'

test_expect_success 'bad input: a clear usage error, and nothing written' '
	test_db_unchanged 2 tn_err report nope -o x.txt &&
	stderr_has "^turnout: event .nope.: no such event$" &&
	test_db_unchanged 2 tn_err report --since 2030-07-01 --until 2030-06-01 -o x.txt &&
	stderr_has "^turnout: --until: .2030-06-01. is before .2030-07-01.$" &&
	test_db_unchanged 2 tn_err report --since 2030-13-01 -o x.txt &&
	stderr_has "^turnout: --since: .2030-13-01.: not a date" &&
	test_db_unchanged 2 tn_err report --by regoin -o x.txt &&
	stderr_has "^turnout: --by: .regoin.: not one of channel, region, event$" &&
	stderr_has "did you mean .region." &&
	test_db_unchanged 2 tn_err report --target 0 -o x.txt &&
	stderr_has "^turnout: --target: .0.: not a percentage above 0 and at most 100$" &&
	test_db_unchanged 2 tn_err report --target 100.01 -o x.txt &&
	test_db_unchanged 2 tn_err report --target ten -o x.txt &&
	test_db_unchanged 2 tn_err report --format pdf -o x.txt &&
	stderr_has "^turnout: --format: .pdf.: not one of text, json, csv, html$" &&
	test_db_unchanged 2 tn_err report meetup --since 2030-01-01 -o x.txt &&
	stderr_has "name events or give a period, not both" &&
	test_path_is_missing x.txt &&
	test_db_unchanged 1 tn_err report -o missing/dir/r.txt &&
	stderr_has "^turnout: .missing/dir/r.txt.: " &&
	test_path_is_missing missing &&
	ls -A >files &&
	! grep -q "^.turnout-" files
'

test_expect_success 'a report is written to a full device with exit 1' '
	test_expect_code 1 tn_err report -o /dev/full &&
	stderr_has "No space left on device"
'

# A second fixture, all through the CLI, for what the first lacks. On
# 2030-06-10: news declared 50 (2030-01-01; its 80 of 2030-07-01 is
# later), known anna and bob (carl unfollowed before): audience 50; tg
# declared 1 but known anna, dan, eve: 3. People following: anna (on
# both, once), bob, dan, eve = 4; total 4 + (50 - 2) + 0 = 52. Two seats:
# anna and bob registered (news), dan waitlisted (tg), never promoted.
# anna came, bob did not. On 2030-07-10 news is 80, and anna comes
# again: returning.
test_expect_success 'a second fixture: audience history, an unfollow, a waitlist, a no-show, a returning person' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel audience news 50 --date 2030-01-01 >/dev/null &&
	tn channel audience news 80 --date 2030-07-01 >/dev/null &&
	tn channel add tg --kind telegram >/dev/null &&
	tn channel audience tg 1 --date 2030-01-01 >/dev/null &&
	printf "email,name\nanna@example.org,Anna\nbob@example.org,Bob\ncarl@example.org,Carl\n" >n.csv &&
	tn follower import news n.csv >/dev/null &&
	printf "email,name\nanna@example.org,Anna\ndan@example.org,Dan\neve@example.org,Eve\n" >t.csv &&
	tn follower import tg t.csv >/dev/null &&
	tn follower unfollow carl@example.org --channel news >/dev/null &&
	tn event create --title One --start "2030-06-10 19:00" --tz Europe/Berlin \
		--capacity 2 --slug one >/dev/null &&
	tn event create --title Two --start "2030-07-10 19:00" --tz Europe/Berlin \
		--slug two >/dev/null &&
	tn register one --name Anna --email anna@example.org --channel news >/dev/null &&
	tn register one --name Bob --email bob@example.org --channel news >/dev/null &&
	tn register one --name Dan --email dan@example.org --channel tg >/dev/null &&
	tn register two --name Anna --email anna@example.org --channel news >/dev/null &&
	tn ticket list one --format tsv >t1 &&
	tn ticket list two --format tsv >t2 &&
	c=$(awk -F "\t" "\$4 == \"Anna\" { print \$6 }" t1) &&
	TURNOUT_NOW=2030-06-10T17:01:00Z tn checkin one "$c" >/dev/null &&
	c=$(awk -F "\t" "\$4 == \"Anna\" { print \$6 }" t2) &&
	TURNOUT_NOW=2030-07-10T17:01:00Z tn checkin two "$c" >/dev/null &&
	tn report --format json >h.json &&
	/usr/bin/python3 - <<-\PY
	import json
	d = json.load(open("h.json"))
	one, two = d["events"]
	f = lambda r: [r[k] for k in ("audience", "invited", "registered", "ticketed", "came", "no_shows", "returning")]
	rows = {r["group"]: r for r in one["rows"]}
	assert f(rows["news"]) == [50, 0, 2, 2, 1, 1, 0], rows["news"]
	assert f(rows["tg"]) == [3, 0, 0, 0, 0, 0, 0], rows["tg"]
	assert f(one["total"]) == [52, 0, 2, 2, 1, 1, 0], one["total"]
	inputs = {c["channel"]: c for c in one["audience_inputs"]["channels"]}
	assert (inputs["news"]["declared"], inputs["news"]["known_followers"]) == (50, 2), inputs
	assert (inputs["tg"]["declared"], inputs["tg"]["known_followers"]) == (1, 3), inputs
	assert one["audience_inputs"]["unique_followers"] == 4, one
	rows = {r["group"]: r for r in two["rows"]}
	assert f(rows["news"]) == [80, 0, 1, 1, 1, 0, 1], rows["news"]
	assert d["period"]["total"]["came"] == 1, d["period"]
	PY
'

test_done
