#!/usr/bin/env bash
# serve: the handle field of the public registration page (/r/CODE),
# driven with curl, and 'register --handle': the field only on pages of
# channels whose followers have handles, a follower known only by the
# handle becoming the person who registers (the follower row theirs,
# 'follower show' showing both, the report counting the registration for
# the channel), a follower with another address never taken over, a bad
# handle shown beside the field with the database unchanged, and every
# value escaped on the page.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

# csrf URL: the CSRF token of the form on the page at URL.
csrf() {
	curl -sS -f "$1" >"$TRASH/.form" &&
	sed -n 's/.*name="csrf" value="\([A-Za-z0-9_-]\{43\}\)".*/\1/p' "$TRASH/.form" |
		grep .
}
# code CHANNEL: the code of the event's tracking link for CHANNEL.
code() {
	tn link meetup --channel "$1" >"$TRASH/.link" &&
	sed "s|.*/r/||" "$TRASH/.link"
}
# owner CHANNEL HANDLE: the e-mail (or "-") of the person who follows
# CHANNEL under HANDLE.
owner() {
	q "SELECT coalesce(p.email, '-') FROM follower f JOIN person p ON p.id = f.person_id
	   JOIN channel c ON c.id = f.channel_id WHERE c.name = '$1' AND f.handle = '$2'"
}
# registered CHANNEL: the report's registrations counted for CHANNEL.
registered() {
	tn report meetup --format csv >"$TRASH/.report" &&
	awk -F, -v c="$1" '$4 == c { print $10 }' "$TRASH/.report"
}

test_expect_success 'setup: followers known by handle alone, one with an address' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel add tg --kind telegram >/dev/null &&
	tn channel add masto --kind mastodon >/dev/null &&
	printf "handle,name\n@olga_iv,Olga\nivan,Ivan\npetr,Petr\n" >tg.csv &&
	tn follower import tg tg.csv >/dev/null &&
	printf "email,handle\npetr@example.org,petr\n" >petr.csv &&
	tn follower import tg petr.csv >/dev/null &&
	printf "handle\nhttps://mastodon.social/@anna\n" >masto.csv &&
	tn follower import masto masto.csv >/dev/null &&
	test "$(owner tg petr)" = petr@example.org &&
	test "$(owner tg olga_iv)" = - &&
	tn event create --title "Meetup" --start "2030-06-10 19:00" --tz Europe/Berlin \
		--slug meetup >/dev/null &&
	code tg >tg.code && code masto >masto.code && code news >news.code
'

serve_start serve.log || echo "Bail out! turnout serve did not start"
U=$SERVE_URL

test_expect_success 'the page asks for a handle only where the channel has them' '
	http_status 200 "$U/r/$(cat tg.code)" &&
	body_has "<label for=\"handle\">Your Telegram handle <span class=\"note\">(optional)</span></label>" &&
	grep -q "<input id=\"handle\" name=\"handle\" type=\"text\" autocomplete=\"off\" maxlength=\"200\" value=\"\">" \
		"$TRASH/.body" &&
	http_status 200 "$U/r/$(cat masto.code)" &&
	body_has "Your Mastodon handle" &&
	http_status 200 "$U/r/$(cat news.code)" &&
	body_has "<input id=\"email\"" &&
	! grep -q "handle" "$TRASH/.body"
'

test_expect_success 'a handle-only follower and the person who registers become one' '
	u="$U/r/$(cat tg.code)" &&
	c=$(csrf "$u") &&
	people=$(q "SELECT count(*) FROM person") &&
	http_status 200 --data-urlencode "csrf=$c" --data-urlencode "name=Olga Ivanova" \
		--data-urlencode "email=olga@example.org" \
		--data-urlencode "handle=https://t.me/OLGA_IV" "$u" &&
	body_has "You are registered." &&
	test "$(owner tg olga_iv)" = olga@example.org &&
	test "$(q "SELECT count(*) FROM person")" = "$people" &&
	tn follower show olga@example.org >show &&
	grep -q "^email  *olga@example.org$" show &&
	grep -q "^follows  *tg @olga_iv$" show &&
	grep -q "^name  *Olga Ivanova$" show &&
	test "$(registered tg)" = 1
'

test_expect_success 'a Mastodon profile address is the handle user@host' '
	u="$U/r/$(cat masto.code)" &&
	c=$(csrf "$u") &&
	http_status 200 --data-urlencode "csrf=$c" --data-urlencode "name=Anna" \
		--data-urlencode "email=anna@example.org" --data-urlencode "handle=@anna@Mastodon.social" "$u" &&
	test "$(owner masto anna@mastodon.social)" = anna@example.org &&
	test "$(registered masto)" = 1
'

test_expect_success 'the handle of a follower with another address links nothing' '
	u="$U/r/$(cat tg.code)" &&
	c=$(csrf "$u") &&
	http_status 200 --data-urlencode "csrf=$c" --data-urlencode "name=Mallory" \
		--data-urlencode "email=mallory@example.org" --data-urlencode "handle=@petr" "$u" &&
	body_has "You are registered." &&
	test "$(owner tg petr)" = petr@example.org &&
	test "$(q "SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id
		WHERE p.email = '\''mallory@example.org'\''")" = 0 &&
	test "$(registered tg)" = 2
'

test_expect_success 'a handle no follower has stores nothing but the registration' '
	u="$U/r/$(cat tg.code)" &&
	c=$(csrf "$u") &&
	follows=$(q "SELECT count(*) FROM follower") &&
	http_status 200 --data-urlencode "csrf=$c" --data-urlencode "name=Nina" \
		--data-urlencode "email=nina@example.org" --data-urlencode "handle=nina_n" "$u" &&
	test "$(q "SELECT count(*) FROM follower")" = "$follows" &&
	test "$(q "SELECT count(*) FROM follower WHERE handle = '\''nina_n'\''")" = 0
'

test_expect_success 'a bad handle: the form again, the error beside it, nothing changed' '
	u="$U/r/$(cat tg.code)" &&
	c=$(csrf "$u") &&
	test_db_unchanged 0 http_status 400 --data-urlencode "csrf=$c" --data-urlencode "name=Zed" \
		--data-urlencode "email=zed@example.org" --data-urlencode "handle=<b>two words</b>" "$u" &&
	body_has "<label for=\"handle\">Your Telegram handle" &&
	body_has "<p class=\"error\" id=\"handle-error\">&#39;&lt;b&gt;two words&lt;/b&gt;&#39;: a space in handle</p>" &&
	body_has "value=\"&lt;b&gt;two words&lt;/b&gt;\"" &&
	body_has "value=\"zed@example.org\"" &&
	! grep -q "<b>two" "$TRASH/.body" &&
	test_db_unchanged 0 http_status 400 --data-urlencode "csrf=$c" --data-urlencode "name=Zed" \
		--data-urlencode "email=zed@example.org" --data-urlencode "handle=https://t.me/a/b/c" "$u" &&
	body_has "<p class=\"error\" id=\"handle-error\">" &&
	test_db_unchanged 0 http_status 403 --data-urlencode "name=Zed" \
		--data-urlencode "email=zed@example.org" --data-urlencode "handle=ivan" "$u" &&
	test "$(owner tg ivan)" = -
'

test_expect_success 'a handle that is valid but HTML-special is escaped when shown again' '
	u="$U/r/$(cat tg.code)" &&
	c=$(csrf "$u") &&
	test_db_unchanged 0 http_status 400 --data-urlencode "csrf=$c" --data-urlencode "name=Zed" \
		--data-urlencode "email=not an address" --data-urlencode "handle=\"><script>x&amp;" "$u" &&
	body_has "<p class=\"error\" id=\"email-error\">" &&
	body_has "value=\"&quot;&gt;&lt;script&gt;x&amp;amp;\"" &&
	! grep -q "<script" "$TRASH/.body"
'

test_expect_success 'a handle POSTed to a page that asked for none is ignored' '
	u="$U/r/$(cat news.code)" &&
	c=$(csrf "$u") &&
	http_status 200 --data-urlencode "csrf=$c" --data-urlencode "name=Ivan" \
		--data-urlencode "email=ivan@example.org" --data-urlencode "handle=ivan" "$u" &&
	test "$(owner tg ivan)" = -
'

test_expect_success 'register --handle links through the same library call' '
	test_db_unchanged 2 tn_err register meetup --name Ivan --email ivan@example.org \
		--handle ivan &&
	stderr_has "turnout: --handle: a handle needs the channel it is used on" &&
	stderr_has "hint: give --channel" &&
	test_db_unchanged 2 tn_err register meetup --name Ivan --email ivan@example.org \
		--channel news --handle ivan &&
	stderr_has "channel '\''news'\'' is a newsletter: its followers have no handles" &&
	test_db_unchanged 2 tn_err register meetup --name Ivan --email ivan@example.org \
		--channel tg --handle "a b" &&
	stderr_has "turnout: --handle: '\''a b'\'': a space in handle" &&
	ivan=$(q "SELECT person_id FROM follower WHERE handle = '\''ivan'\''") &&
	tn register meetup --name Ivan --email ivan@example.org --channel tg \
		--handle @IVAN >out &&
	grep -q "^person $ivan, known by that handle, is now person [0-9]*$" out &&
	test "$(owner tg ivan)" = ivan@example.org &&
	tn register meetup --name Ivan --email ivan@example.org --channel tg \
		--handle ivan --json >out.json &&
	grep -q "\"merged_person\":	null" out.json
'

test_expect_success 'the server stops' '
	serve_stop
'

test_done
