#!/usr/bin/env bash
# serve in a real browser: the unsubscribe link of a real invitation
# e-mail opened in Debian's chromium (headless, through npm's
# playwright-core: tests/browser/unsubscribe.mjs), the button clicked, the
# confirmation seen, the database checked, and no request sent anywhere
# but the server.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

test_lazy_prereq BROWSER '
	test -x /usr/bin/chromium &&
	test -d "$TN_TOP/node_modules/playwright-core"
'

test_expect_success 'setup: an invitation sent as an .eml file, the server' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	printf "email,name\nanna@example.org,Anna <b>Berg</b>\n" >news.csv &&
	tn follower import news news.csv >/dev/null &&
	tn event create --title "Readers meetup" --start "2027-03-28 19:00" \
		--tz Europe/Berlin >/dev/null &&
	tn invite readers-meetup >/dev/null &&
	mkdir eml &&
	tn send --eml-dir eml >/dev/null &&
	$PY "$TN_TOP/tests/unsub_token.py" eml/*.eml >tokens &&
	test "$(cut -d" " -f1 tokens)" = anna@example.org
'

test_expect_success BROWSER 'chromium unsubscribes through the page, with no outside request' '
	serve_start serve.log &&
	tok=$(cut -d" " -f2 tokens) &&
	(cd "$TN_TOP" && node tests/browser/unsubscribe.mjs "$SERVE_URL/u/$tok") >seen &&
	cat seen &&
	$PY -c "
import json, sys
s = json.load(open(\"seen\"))
assert s[\"status\"] == 200, s
assert \"default-src '\''none'\''\" in s[\"csp\"], s
assert s[\"asked\"].startswith(\"Unsubscribe Stop invitations to a…@example.org?\"), s
assert s[\"done\"] == \"You will get no more invitations from Test Org.\", s
assert s[\"external\"] == [], s
assert s[\"requests\"] == 2, s
" &&
	test "$(q "SELECT count(*) FROM unsubscribed")" = 1 &&
	grep -E -q "^[^ ]+ POST /u/… 200 " serve.log &&
	! grep -F -q "$tok" serve.log &&
	serve_stop &&
	tn event create --title "Next meetup" --start "2027-05-01 19:00" \
		--tz Europe/Berlin --slug next >/dev/null &&
	tn invite next >out &&
	grep -q "^queued 0 invitations (skipped: 1 unsubscribed)$" out
'

test_done
