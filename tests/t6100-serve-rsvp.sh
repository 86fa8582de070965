#!/usr/bin/env bash
# serve: the RSVP page (/rsvp/TOKEN) with tokens from real invitation
# e-mails and the public registration page (/r/CODE) of a channel's
# tracking link, driven with curl: what they show (escaped), answers and
# registrations seen in the database and on the page, the waitlist and
# approval, what is refused (token, CSRF, size, type, a bad address, an
# event that started) with the database unchanged, and 20 concurrent
# yes answers over HTTP for 5 seats.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

# tok ADDRESS [FILE]: the RSVP token of the message sent to ADDRESS.
tok() {
	local t
	t=$(awk -F '\t' -v a="$1" '$1 == a { print $2 }' "${2:-tokens}") &&
	test -n "$t" && echo "$t"
}
# csrf URL: the CSRF token of the form on the page at URL.
csrf() {
	curl -sS -f "$1" >"$TRASH/.form" &&
	sed -n 's/.*name="csrf" value="\([A-Za-z0-9_-]\{43\}\)".*/\1/p' "$TRASH/.form" |
		grep .
}
# status EVENT ADDRESS: the status of that person's registration.
status() {
	q "SELECT r.status FROM registration r JOIN event e ON e.id = r.event_id
	   JOIN person p ON p.id = r.person_id WHERE e.slug = '$1' AND p.email = '$2'"
}

test_expect_success 'setup: three invitees, their messages, a link for another channel' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel add tg --kind telegram >/dev/null &&
	printf "email,name\nanna@example.org,Anna <b>Berg</b>\nbob@example.org,Bob\ncarl@example.org,Carl\n" >news.csv &&
	tn follower import news news.csv >/dev/null &&
	tn event create --title "Readers <meetup> & more" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --venue "Café \"Central\"" --address "Main St 1 <b>" \
		--slug readers-meetup >/dev/null &&
	tn invite readers-meetup >/dev/null &&
	mkdir eml &&
	tn send --eml-dir eml >/dev/null 2>&1 &&
	$PY "$TN_TOP/tests/rsvp_tokens.py" eml >tokens &&
	test "$(wc -l <tokens)" = 3 &&
	tn link readers-meetup --channel tg >link &&
	grep -E -q "^https://meet\.example\.org/r/[A-Za-z0-9_-]{12}$" link &&
	sed "s|.*/r/||" link >code
'

serve_start serve.log || echo "Bail out! turnout serve did not start"
U=$SERVE_URL

test_expect_success 'the RSVP page shows the event, the invitee and the buttons, escaped' '
	http_status 200 "$U/rsvp/$(tok anna@example.org)" &&
	header_has "^content-type: text/html; charset=utf-8$" &&
	header_has "^cache-control: no-store$" &&
	header_has "^referrer-policy: no-referrer$" &&
	body_has "<title>Readers &lt;meetup&gt; &amp; more</title>" &&
	body_has "<h1>Readers &lt;meetup&gt; &amp; more</h1>" &&
	body_has "<p class=\"when\">Monday 10 June 2030, 19:00–21:00 (Europe/Berlin)</p>" &&
	body_has "Café &quot;Central&quot;<br>Main St 1 &lt;b&gt;</p>" &&
	body_has "<p>Hello Anna &lt;b&gt;Berg&lt;/b&gt;,</p>" &&
	body_has "You have not answered yet." &&
	body_has "<form method=\"post\">" &&
	grep -E -q "name=\"csrf\" value=\"[A-Za-z0-9_-]{43}\"" "$TRASH/.body" &&
	for a in yes maybe no; do
		grep -q "<button type=\"submit\" name=\"answer\" value=\"$a\"" "$TRASH/.body" ||
			exit 1
	done &&
	! grep -q "<b>" "$TRASH/.body" &&
	! grep -E -q "(src|href|action)=\"(https?:)?//" "$TRASH/.body" &&
	http_status 200 -I "$U/rsvp/$(tok anna@example.org)" &&
	test "$(q "SELECT count(*) FROM registration")" = 0
'

test_expect_success 'yes, maybe, no by POST: in the database and on the page' '
	t=$(tok anna@example.org) &&
	c=$(csrf "$U/rsvp/$t") &&
	http_status 200 -d "csrf=$c&answer=yes" "$U/rsvp/$t" &&
	test "$(status readers-meetup anna@example.org)" = yes &&
	body_has "Thank you: your answer is saved." &&
	body_has "<p class=\"answer\" id=\"answer\">Your answer: yes. You have a seat.</p>" &&
	body_has "value=\"yes\" aria-pressed=\"true\"" &&
	test "$(q "SELECT r.source || '\'' '\'' || c.name FROM registration r
		JOIN channel c ON c.id = r.channel_id")" = "invitation news" &&
	http_status 200 -d "csrf=$c&answer=maybe" "$U/rsvp/$t" &&
	test "$(status readers-meetup anna@example.org)" = maybe &&
	body_has "Your answer: maybe." &&
	http_status 200 -d "answer=no&csrf=$c" "$U/rsvp/$t" &&
	test "$(status readers-meetup anna@example.org)" = no &&
	body_has "Your answer: no." &&
	http_status 200 "$U/rsvp/$t" &&
	body_has "Your answer: no." &&
	! grep -q "your answer is saved" "$TRASH/.body" &&
	test "$(q "SELECT count(*) FROM registration")" = 1 &&
	grep -E -q "^[^ ]+ POST /rsvp/… 200 " serve.log &&
	! grep -F -q "$t" serve.log
'

test_expect_success 'wrong tokens, CSRF, answers, sizes and types are refused; nothing changes' '
	t=$(tok bob@example.org) &&
	c=$(csrf "$U/rsvp/$t") &&
	other=$(csrf "$U/rsvp/$(tok carl@example.org)") &&
	http_status 404 "$U/nope" && cp "$TRASH/.body" notfound &&
	test_db_unchanged 0 http_status 404 "$U/rsvp/AAAAAAAAAAAAAAAAAAAAAAAA" &&
	test_cmp notfound "$TRASH/.body" &&
	test_db_unchanged 0 http_status 404 -d "csrf=$c&answer=yes" \
		"$U/rsvp/AAAAAAAAAAAAAAAAAAAAAAAA" &&
	test_cmp notfound "$TRASH/.body" &&
	test_db_unchanged 0 http_status 404 "$U/rsvp/$t/more" &&
	test_db_unchanged 0 http_status 403 -d "answer=yes" "$U/rsvp/$t" &&
	test_db_unchanged 0 http_status 403 -d "csrf=$other&answer=yes" "$U/rsvp/$t" &&
	# one character changed (to another: the last one could be A already)
	case $c in A*) bad=B${c#?} ;; *) bad=A${c#?} ;; esac &&
	test_db_unchanged 0 http_status 403 -d "csrf=$bad&answer=yes" "$U/rsvp/$t" &&
	test_db_unchanged 0 http_status 400 -d "csrf=$c&answer=waitlisted" "$U/rsvp/$t" &&
	test_db_unchanged 0 http_status 400 -d "csrf=$c" "$U/rsvp/$t" &&
	head -c 1000000 /dev/zero | tr "\0" a >big &&
	{ printf "csrf=%s&answer=yes&x=" "$c" && cat big; } >big-form &&
	test_db_unchanged 0 http_status 413 --data-binary @big-form "$U/rsvp/$t" &&
	test_db_unchanged 0 http_status 413 -H "Transfer-Encoding: chunked" \
		--data-binary @big-form "$U/rsvp/$t" &&
	test_db_unchanged 0 http_status 415 -H "Content-Type: application/json" \
		-d "{\"csrf\":\"$c\",\"answer\":\"yes\"}" "$U/rsvp/$t" &&
	test_db_unchanged 0 http_status 415 -F "csrf=$c" -F answer=yes "$U/rsvp/$t" &&
	test_db_unchanged 0 http_status 400 --path-as-is -d "csrf=$c&answer=yes" \
		"$U/rsvp/../rsvp/$t" &&
	test_db_unchanged 0 http_status 400 -d "csrf=$c&answer=yes" "$U/rsvp/$t%00" &&
	test "$(status readers-meetup bob@example.org)" = ""
'

test_expect_success 'the registration page of a tracking link shows the event and a form' '
	http_status 200 "$U/r/$(cat code)" &&
	header_has "^content-type: text/html; charset=utf-8$" &&
	body_has "<h1>Readers &lt;meetup&gt; &amp; more</h1>" &&
	body_has "Monday 10 June 2030, 19:00–21:00 (Europe/Berlin)" &&
	body_has "<form method=\"post\">" &&
	body_has "<input id=\"name\" name=\"name\" type=\"text\"" &&
	body_has "<input id=\"email\" name=\"email\" type=\"email\"" &&
	grep -E -q "name=\"csrf\" value=\"[A-Za-z0-9_-]{43}\"" "$TRASH/.body" &&
	http_status 200 -I "$U/r/$(cat code)" &&
	http_status 404 "$U/r/AAAAAAAAAAAA" && test_cmp notfound "$TRASH/.body" &&
	http_status 404 "$U/r/$(cat code)/x" && test_cmp notfound "$TRASH/.body"
'

test_expect_success 'registering through the link: attributed to its channel, once' '
	u="$U/r/$(cat code)" &&
	c=$(csrf "$u") &&
	http_status 200 --data-urlencode "csrf=$c" --data-urlencode "name=Dan <i>Dee</i>" \
		--data-urlencode "email=dan@example.org" "$u" &&
	body_has "<p class=\"answer\" id=\"done\">You are registered. See you there!</p>" &&
	header_has "^cache-control: no-store$" &&
	test "$(q "SELECT r.status || '\'' '\'' || r.source || '\'' '\'' || c.name || '\'' '\'' || p.name
		FROM registration r JOIN channel c ON c.id = r.channel_id
		JOIN person p ON p.id = r.person_id WHERE p.email = '\''dan@example.org'\''")" = \
		"yes link tg Dan <i>Dee</i>" &&
	http_status 200 --data-urlencode "csrf=$c" --data-urlencode "name=Dan" \
		--data-urlencode "email=Dan@Example.ORG" "$u" &&
	body_has "You are registered." &&
	test "$(q "SELECT count(*) FROM registration r JOIN person p ON p.id = r.person_id
		WHERE p.email = '\''dan@example.org'\''")" = 1 &&
	test "$(q "SELECT count(*) FROM person WHERE email = '\''dan@example.org'\''")" = 1
'

test_expect_success 'a bad address or no name: the form again with the error, nothing changed' '
	u="$U/r/$(cat code)" &&
	c=$(csrf "$u") &&
	test_db_unchanged 0 http_status 400 --data-urlencode "csrf=$c" \
		--data-urlencode "name=Eve <b>" --data-urlencode "email=eve\"at example" "$u" &&
	body_has "<p class=\"error\" id=\"email-error\">" &&
	body_has "value=\"Eve &lt;b&gt;\"" &&
	body_has "value=\"eve&quot;at example\"" &&
	body_has "<form method=\"post\">" &&
	test_db_unchanged 0 http_status 400 --data-urlencode "csrf=$c" \
		--data-urlencode "email=eve@example.org" "$u" &&
	body_has "<p class=\"error\" id=\"name-error\">required: who is coming?</p>" &&
	test_db_unchanged 0 http_status 403 --data-urlencode "name=Eve" \
		--data-urlencode "email=eve@example.org" "$u" &&
	test_db_unchanged 0 http_status 403 --data-urlencode "csrf=$(csrf "$U/rsvp/$(tok bob@example.org)")" \
		--data-urlencode "name=Eve" --data-urlencode "email=eve@example.org" "$u" &&
	test_db_unchanged 0 http_status 404 --data-urlencode "csrf=$c" --data-urlencode "name=Eve" \
		--data-urlencode "email=eve@example.org" "$U/r/AAAAAAAAAAAA" &&
	test_db_unchanged 0 http_status 415 -H "Content-Type: application/json" \
		-d "{\"name\":\"Eve\"}" "$u"
'

# answer TOKEN WORD: answers on the RSVP page of TOKEN with the page's
# own CSRF token; the answer page is in $TRASH/.body.
answer() {
	local c
	c=$(csrf "$U/rsvp/$1") &&
	http_status 200 -d "csrf=$c&answer=$2" "$U/rsvp/$1"
}

test_expect_success 'waitlisted and pending answers are told so on both pages' '
	tn event create --title "Small" --start "2030-07-01 19:00" --tz Europe/Berlin \
		--capacity 1 --slug small >/dev/null &&
	tn invite small >/dev/null &&
	mkdir eml-small &&
	tn send --eml-dir eml-small >/dev/null 2>&1 &&
	$PY "$TN_TOP/tests/rsvp_tokens.py" eml-small >tokens-small &&
	tn event create --title "Vetted" --start "2030-07-02 19:00" --tz Europe/Berlin \
		--approval --slug vetted >/dev/null &&
	tn invite vetted >/dev/null &&
	mkdir eml-vetted &&
	tn send --eml-dir eml-vetted >/dev/null 2>&1 &&
	$PY "$TN_TOP/tests/rsvp_tokens.py" eml-vetted >tokens-vetted &&
	answer "$(tok anna@example.org tokens-small)" yes &&
	body_has "Your answer: yes. You have a seat." &&
	answer "$(tok bob@example.org tokens-small)" yes &&
	body_has "Your answer: yes. The event is full: you are on the waitlist, number 1." &&
	body_has "value=\"yes\" aria-pressed=\"true\"" &&
	test "$(status small bob@example.org)" = waitlisted &&
	tn link small --channel tg >link-small &&
	small=$(sed "s|.*/r/||" link-small) &&
	c=$(csrf "$U/r/$small") &&
	http_status 200 -d "csrf=$c&name=Gus&email=gus@example.org" "$U/r/$small" &&
	body_has "The event is full: you are on the waitlist, number 2." &&
	test "$(status small gus@example.org)" = waitlisted &&
	answer "$(tok carl@example.org tokens-vetted)" yes &&
	body_has "Your answer: yes, waiting for the organizer'\''s approval." &&
	test "$(status vetted carl@example.org)" = pending &&
	tn link vetted --channel tg >link-vetted &&
	vetted=$(sed "s|.*/r/||" link-vetted) &&
	c=$(csrf "$U/r/$vetted") &&
	http_status 200 -d "csrf=$c&name=Fay&email=fay@example.org" "$U/r/$vetted" &&
	body_has "Your registration is waiting for the organizer'\''s approval." &&
	test "$(status vetted fay@example.org)" = pending &&
	tn registration decline vetted fay@example.org >/dev/null &&
	test_db_unchanged 0 http_status 409 -d "csrf=$c&name=Fay&email=fay@example.org" \
		"$U/r/$vetted" &&
	body_has "<p class=\"error\" id=\"error\">the organizer declined this registration</p>" &&
	test "$(status vetted fay@example.org)" = declined
'

test_expect_success 'after the start the answer shows without buttons and cannot change' '
	t=$(tok anna@example.org) &&
	c=$(csrf "$U/rsvp/$t") &&
	rc=$(csrf "$U/r/$(cat code)") &&
	serve_stop &&
	TURNOUT_NOW=2030-06-10T17:30:00Z serve_start started.log &&
	http_status 200 "$SERVE_URL/rsvp/$t" &&
	body_has "Your answer: no." &&
	body_has "The event has started: the answer can no longer change." &&
	! grep -q "<form" "$TRASH/.body" &&
	test_db_unchanged 0 http_status 409 -d "csrf=$c&answer=yes" "$SERVE_URL/rsvp/$t" &&
	body_has "Your answer: no." &&
	! grep -q "<form" "$TRASH/.body" &&
	http_status 200 "$SERVE_URL/r/$(cat code)" &&
	body_has "Registration is closed." &&
	! grep -q "<form" "$TRASH/.body" &&
	test_db_unchanged 0 http_status 409 -d "csrf=$rc&name=Hal&email=hal@example.org" \
		"$SERVE_URL/r/$(cat code)" &&
	serve_stop
'

test_expect_success '20 concurrent yes answers over HTTP for 5 seats: exactly 5 get one' '
	serve_start race.log &&
	U=$SERVE_URL &&
	seq 1 20 | sed "s/.*/racer&@example.org,Racer &/" >racers.csv &&
	sed -i "1i email,name" racers.csv &&
	tn follower import news racers.csv >/dev/null &&
	tn event create --title "Race" --start "2030-08-01 19:00" --tz Europe/Berlin \
		--capacity 5 --slug race >/dev/null &&
	tn invite race >/dev/null &&
	mkdir eml-race &&
	tn send --eml-dir eml-race >/dev/null 2>&1 &&
	$PY "$TN_TOP/tests/rsvp_tokens.py" eml-race >tokens-race &&
	grep "^racer" tokens-race | cut -f2 >racers &&
	test "$(wc -l <racers)" = 20 &&
	while read -r t; do
		echo "$t $(csrf "$U/rsvp/$t")" || exit 1
	done <racers >forms &&
	test "$(grep -c -E "^[^ ]+ [A-Za-z0-9_-]{43}$" forms)" = 20 &&
	pids= &&
	while read -r t c; do
		{ timeout 60 curl -sS -o "page.$t" -w "%{http_code}\n" -d "csrf=$c&answer=yes" \
			"$U/rsvp/$t" >"race.code.$t" 2>"race.err.$t" & } &&
		pids="$pids $!" || exit 1
	done <forms &&
	for p in $pids; do
		wait $p || { cat race.err.*; exit 1; }
	done &&
	test "$(cat race.code.* | grep -c "^200$")" = 20 &&
	test "$(q "SELECT count(*) FROM registration r JOIN event e ON e.id = r.event_id
		WHERE e.slug = '\''race'\'' AND r.status = '\''yes'\''")" = 5 &&
	test "$(q "SELECT count(*) FROM registration r JOIN event e ON e.id = r.event_id
		WHERE e.slug = '\''race'\'' AND r.status = '\''waitlisted'\''")" = 15 &&
	test "$(grep -l "You have a seat." page.* | wc -l)" = 5 &&
	test "$(grep -l "you are on the waitlist, number" page.* | wc -l)" = 15 &&
	test "$(q "SELECT count(*) FROM ticket t JOIN event e ON e.id = t.event_id
		WHERE e.slug = '\''race'\'' AND t.state = '\''valid'\''")" = 5 &&
	test "$(q "SELECT count(*) FROM outbox WHERE kind = '\''ticket'\'' AND ticket_id IN
		(SELECT t.id FROM ticket t JOIN event e ON e.id = t.event_id WHERE e.slug = '\''race'\'')")" = 5 &&
	serve_stop
'

test_done
