#!/usr/bin/env bash
# report --format html: the conversion report as one self-contained page.
# A fixture made through the CLI: three channels with a declared audience
# (one named <script>alert(1)</script>), followers imported with a region,
# among them a person named <script>alert(1)</script> who registers and
# comes; invitations, registrations and their tickets, check-ins at two
# gates, walk-ins matched by e-mail and not; a second event they come back
# to, and a cancelled one. The page is checked as it is written
# (tests/report_html_check.py: well-formed, no script, no outside
# reference, every name escaped, its tables equal to the JSON, one bar
# per channel row, one point per event counted), then opened in Debian's
# chromium (tests/browser/report.mjs): it renders, the charts are there,
# the names read as text, no dialog opens and no request leaves; its
# screenshot is kept. An -o that cannot be written writes nothing.
. "$(dirname "$0")/lib.sh"

export TURNOUT_NOW=2030-05-01T09:00:00Z
XSS='<script>alert(1)</script>'

test_lazy_prereq BROWSER '
	test -x /usr/bin/chromium &&
	test -d "$TN_TOP/node_modules/playwright-core"
'

test_expect_success 'setup: channels, followers, three events, registrations' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel audience news 40 --date 2030-01-01 >/dev/null &&
	tn channel add "$XSS" --kind other --audience 20 >/dev/null &&
	tn channel add "Новости東京" --kind telegram >/dev/null &&
	printf "email,name,region\nanna@example.org,Anna,Berlin\nbob@example.org,Bob,Köln\nxss@example.org,%s,%s\n" "$XSS" "$XSS" >news.csv &&
	tn follower import news news.csv >/dev/null &&
	printf "email,name\nxss@example.org,%s\ncarl@example.org,Carl\n" "$XSS" >x.csv &&
	tn follower import "$XSS" x.csv >/dev/null &&
	printf "email,name\neve@example.org,Eve\n" >tg.csv &&
	tn follower import "Новости東京" tg.csv >/dev/null &&
	tn event create --title "Readers <meetup> & \"friends\"" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --slug meetup >/dev/null &&
	tn event create --title "Summer <b>talk</b>" --start "2030-07-10 19:00" \
		--tz Europe/Berlin --slug summer >/dev/null &&
	tn event create --title "Autumn" --start "2030-09-10 19:00" \
		--tz Europe/Berlin --slug autumn >/dev/null &&
	tn invite meetup >/dev/null 2>&1 &&
	tn register meetup --name "$XSS" --email xss@example.org --channel "$XSS" >/dev/null &&
	tn register meetup --name Anna --email anna@example.org --channel news >/dev/null &&
	tn register meetup --name Eve --email eve@example.org --channel "Новости東京" >/dev/null &&
	tn register meetup --name Hal --email hal@example.org >/dev/null &&
	tn register summer --name Anna --email anna@example.org --channel news >/dev/null &&
	tn register autumn --name Jan --email jan@example.org >/dev/null &&
	tn event cancel autumn >/dev/null 2>&1
'

# code SLUG EMAIL: the ticket code of EMAIL's registration for SLUG
code() {
	tn ticket list "$1" --json >codes.json &&
	$PY -c "
import json, sys
print(next(t[\"code\"] for t in json.load(open(\"codes.json\")) if t[\"email\"] == sys.argv[1]))
" "$2"
}

test_expect_success 'setup: check-ins at two gates, walk-ins, a returning person' '
	tn gate add meetup "North <b>door</b>" >/dev/null 2>&1 &&
	tn gate add meetup south >/dev/null 2>&1 &&
	c=$(code meetup xss@example.org) &&
	TURNOUT_NOW=2030-06-10T16:58:00Z tn checkin meetup "$c" --gate "North <b>door</b>" >/dev/null &&
	c=$(code meetup anna@example.org) &&
	TURNOUT_NOW=2030-06-10T17:01:00Z tn checkin meetup "$c" --gate south >/dev/null &&
	c=$(code meetup hal@example.org) &&
	TURNOUT_NOW=2030-06-10T17:02:00Z tn checkin meetup "$c" --gate "North <b>door</b>" >/dev/null &&
	TURNOUT_NOW=2030-06-10T17:07:00Z tn walkin meetup --name Bob --email bob@example.org \
		--gate south >/dev/null &&
	TURNOUT_NOW=2030-06-10T17:09:00Z tn walkin meetup --name Carl --email carl@example.org \
		--gate south >/dev/null &&
	TURNOUT_NOW=2030-06-10T17:16:00Z tn walkin meetup --name Ivan >/dev/null &&
	c=$(code summer anna@example.org) &&
	TURNOUT_NOW=2030-07-10T17:00:00Z tn checkin summer "$c" >/dev/null
'

# meetup: audience news max(40, 3) = 40, <script> max(20, 2) = 20,
# Новости東京 1: people following 5 (anna bob xss carl eve) + 37 + 18 = 60.
# invited: anna bob xss (news), carl (<script>), eve (Новости東京).
# registered, each with a ticket, in the group of their invitation
# (registering directly does not change it): xss anna bob (news), carl
# (<script>), eve (Новости東京), bob and carl walked in; hal registered
# directly without a channel (direct), ivan walked in unknown (walk-in).
# came: all but eve, 6 of 60 = 10%: the target, met.
# summer: anna registers directly and comes back: returning.
test_expect_success 'the HTML report: one page, escaped, the same figures as the JSON' '
	tn report --format html -o r.html &&
	tn report --format json -o r.json &&
	$PY - <<-\PY &&
	import json
	d = json.load(open("r.json"))
	e = d["events"][0]
	f = lambda r: [r[k] for k in ("audience", "invited", "registered", "ticketed", "came", "no_shows", "returning")]
	rows = {r["group"]: r for r in e["rows"]}
	assert f(e["total"]) == [60, 5, 7, 7, 6, 1, 0], e["total"]
	assert e["total"]["offline_share_pct"] == 10 and e["total"]["target_met"] is True
	assert f(rows["<script>alert(1)</script>"]) == [20, 1, 1, 1, 1, 0, 0], rows
	assert f(rows["news"]) == [40, 3, 3, 3, 3, 0, 0], rows
	assert f(rows["Новости東京"]) == [1, 1, 1, 1, 0, 1, 0], rows
	assert f(rows["direct"]) == [0, 0, 1, 1, 1, 0, 0], rows
	assert f(rows["walk-in"]) == [0, 0, 1, 1, 1, 0, 0], rows
	assert d["events"][1]["total"]["returning"] == 1, d["events"][1]
	assert d["events"][2]["cancelled"] and d["period"]["events_counted"] == 2, d["period"]
	PY
	$PY "$TN_TOP/tests/report_html_check.py" r.html r.json >checked &&
	cat checked &&
	grep -q "^events 3, bars 3+3+3, points 2, slots 6$" checked &&
	grep -F -q "&lt;script&gt;alert(1)&lt;/script&gt;" r.html &&
	grep -F -q "North &lt;b&gt;door&lt;/b&gt;" r.html &&
	grep -F -q "Readers &lt;meetup&gt; &amp; &quot;friends&quot;" r.html &&
	! grep -q -i -e "<script" -e "http://" -e "https://" -e "<link rel=\"stylesheet" -e "url(" r.html &&
	grep -q "<meta name=\"viewport\"" r.html &&
	grep -q "@media print" r.html &&
	! grep -q "http-equiv" r.html
'

test_expect_success 'by region, by event, one event, no events: every page checks' '
	tn report --by region --format html -o region.html &&
	tn report --by region --format json -o region.json &&
	$PY "$TN_TOP/tests/report_html_check.py" region.html region.json >checked &&
	grep -F -q "&lt;script&gt;alert(1)&lt;/script&gt;" region.html &&
	tn report --by event --format html -o event.html &&
	tn report --by event --format json -o event.json &&
	$PY "$TN_TOP/tests/report_html_check.py" event.html event.json &&
	tn report meetup --format html >one.html &&
	tn report meetup --format json >one.json &&
	$PY "$TN_TOP/tests/report_html_check.py" one.html one.json >checked &&
	grep -q "^events 1, bars 3, points 0, slots 5$" checked &&
	grep -q "<title>Conversion report: Readers &lt;meetup&gt;" one.html &&
	tn report --until 2029-01-01 --format html >none.html &&
	tn report --until 2029-01-01 --format json >none.json &&
	$PY "$TN_TOP/tests/report_html_check.py" none.html none.json &&
	grep -q "No events in the period" none.html
'

test_expect_success BROWSER 'chromium renders it: charts, one bar per channel, names as text, no script' '
	shot="$TRASH/report.png" &&
	(cd "$TN_TOP" && /usr/bin/node tests/browser/report.mjs "$TRASH/r.html" meetup "$shot") >seen &&
	cat seen &&
	$PY - <<-\PY &&
	import json
	s = json.loads(open("seen").read())
	d = json.load(open("r.json"))
	e = d["events"][0]
	channels = [r["group"] for r in e["rows"] if r["kind"] == "channel"]
	assert s["bars"] == channels, (s["bars"], channels)
	assert s["svgs"] >= 3 and s["unlabelled"] == 0, s
	assert "<script>alert(1)</script>" in s["text"], s["text"][:200]
	assert "<script>alert(1)</script>" in s["people"], s["people"]
	assert "North <b>door</b>" in s["text"] and "Readers <meetup> & \"friends\"" in s["heading"], s
	assert s["dialogs"] == [] and s["scripts"] == 0 and s["errors"] == [], s
	assert s["requests"] == ["GET /report.html"] and s["external"] == [], s
	assert s["scrollWidth"] <= s["innerWidth"], s
	assert s["status"] == 200 and s["drawn"] == [True] and s["pdf"] == "%PDF", s
	PY
	test -s report.png &&
	mkdir -p "${TN_ARTIFACTS:-$(dirname "$TURNOUT")/test-artifacts}" &&
	cp report.png "${TN_ARTIFACTS:-$(dirname "$TURNOUT")/test-artifacts}/t7010-report.png"
'

test_expect_success 'bad input for html: an unwritable -o is exit 1, nothing written' '
	test_db_unchanged 1 tn_err report --format html -o missing/dir/r.html &&
	stderr_has "^turnout: .missing/dir/r.html.: " &&
	test_path_is_missing missing &&
	test_db_unchanged 2 tn_err report nope --format html -o x.html &&
	stderr_has "^turnout: event .nope.: no such event$" &&
	test_path_is_missing x.html &&
	test_expect_code 1 tn_err report --format html -o /dev/full &&
	stderr_has "No space left on device" &&
	mkdir adir &&
	test_db_unchanged 1 tn_err report --format html -o adir &&
	stderr_has "^turnout: .adir.: " &&
	test -z "$(ls -A adir)" &&
	ls -A >files &&
	! grep -q "^.turnout-" files
'

test_done
