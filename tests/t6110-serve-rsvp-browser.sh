#!/usr/bin/env bash
# serve in a real browser: the RSVP link of a real invitation e-mail and
# a channel's public registration link opened in Debian's chromium
# (headless, through npm's playwright-core: tests/browser/rsvp.mjs and
# register.mjs) on a phone-sized window; Yes clicked and the form filled
# in, the answers seen on the page and in the database, and no request
# sent anywhere but the server.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

test_lazy_prereq BROWSER '
	test -x /usr/bin/chromium &&
	test -d "$TN_TOP/node_modules/playwright-core"
'

test_expect_success 'setup: an invitation sent as an .eml file, a tracking link' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel add tg --kind telegram >/dev/null &&
	printf "email,name\nanna@example.org,Anna <b>Berg</b>\n" >news.csv &&
	tn follower import news news.csv >/dev/null &&
	tn event create --title "Readers <meetup>" --start "2030-03-28 19:00" \
		--tz Europe/Berlin --venue "Café Central" >/dev/null &&
	tn invite readers-meetup >/dev/null &&
	mkdir eml &&
	tn send --eml-dir eml >/dev/null 2>&1 &&
	$PY "$TN_TOP/tests/rsvp_tokens.py" eml >tokens &&
	test "$(cut -f1 tokens)" = anna@example.org &&
	tn link readers-meetup --channel tg >link &&
	sed -n "s|^https://meet.example.org/r/||p" link >code &&
	test -n "$(cat code)"
'

test_expect_success BROWSER 'chromium answers yes on the RSVP page, with no outside request' '
	serve_start serve.log &&
	tok=$(cut -f2 tokens) &&
	(cd "$TN_TOP" && node tests/browser/rsvp.mjs "$SERVE_URL/rsvp/$tok") >seen &&
	cat seen &&
	$PY -c "
import json
s = json.load(open(\"seen\"))
assert s[\"status\"] == 200, s
assert \"default-src '\''none'\''\" in s[\"csp\"], s
assert s[\"title\"] == \"Readers <meetup>\", s
assert s[\"when\"] == \"Thursday 28 March 2030, 19:00–21:00 (Europe/Berlin)\", s
assert s[\"before\"] == \"You have not answered yet.\", s
assert s[\"buttons\"] == [\"Yes\", \"Maybe\", \"No\"], s
assert s[\"overflow\"] is False, s
assert s[\"after\"] == \"Your answer: yes. You have a seat.\", s
assert s[\"pressed\"] == \"true\", s
assert s[\"external\"] == [], s
assert [r.split(\"/\")[0] + r.split(\"/\")[1] for r in s[\"requests\"]] == [\"GET rsvp\", \"POST rsvp\"], s
" &&
	test "$(q "SELECT r.status || '\'' '\'' || r.source || '\'' '\'' || c.name
		FROM registration r JOIN channel c ON c.id = r.channel_id")" = "yes invitation news" &&
	grep -E -q "^[^ ]+ POST /rsvp/… 200 " serve.log &&
	! grep -F -q "$tok" serve.log &&
	serve_stop
'

test_expect_success BROWSER 'chromium registers through the link; the registration has its channel' '
	serve_start serve2.log &&
	code=$(cat code) &&
	(cd "$TN_TOP" && node tests/browser/register.mjs "$SERVE_URL/r/$code" \
		"Bo <i>Lind</i>" bo@example.org) >seen2 &&
	cat seen2 &&
	$PY -c "
import json
s = json.load(open(\"seen2\"))
assert s[\"status\"] == 200, s
assert \"default-src '\''none'\''\" in s[\"csp\"], s
assert s[\"title\"] == \"Readers <meetup>\", s
assert s[\"done\"] == \"You are registered. See you there!\", s
assert s[\"external\"] == [], s
assert len(s[\"requests\"]) == 2 and s[\"requests\"][1].startswith(\"POST /r/\"), s
" &&
	test "$(q "SELECT r.status || '\'' '\'' || r.source || '\'' '\'' || c.name || '\'' '\'' || p.name
		FROM registration r JOIN channel c ON c.id = r.channel_id
		JOIN person p ON p.id = r.person_id WHERE p.email = '\''bo@example.org'\''")" = \
		"yes link tg Bo <i>Lind</i>" &&
	serve_stop
'

test_done
