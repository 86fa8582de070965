#!/usr/bin/env bash
# serve: the web server driven with curl on a loopback port it picks:
# /healthz, the public calendar file read by python3-icalendar, the
# unsubscribe page and RFC 8058's one-click POST with tokens from real
# invitation e-mails, the security headers on every response, what is
# refused (size, type, paths, methods, CSRF) with the database unchanged,
# an access log without tokens, a stop that lets a slow request finish,
# and HTTPS with a certificate made here by openssl.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

# token ADDRESS: the unsubscribe token of the message sent to ADDRESS.
token() { sed -n "s/^$1 //p" tokens; }

test_expect_success 'setup: three invitees, their messages as .eml files' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	printf "email,name\nanna@example.org,Anna\nbob@example.org,Bob\nzoe@example.org,Zoë\n" >news.csv &&
	tn follower import news news.csv >/dev/null &&
	tn event create --title "Readers <meetup> & more" --start "2027-03-28 19:00" \
		--tz Europe/Berlin --slug readers-meetup >/dev/null &&
	tn invite readers-meetup >/dev/null &&
	mkdir eml &&
	tn send --eml-dir eml >/dev/null &&
	$PY "$TN_TOP/tests/unsub_token.py" eml/*.eml >tokens &&
	test "$(wc -l <tokens)" = 3 &&
	test -n "$(token anna@example.org)"
'

test_expect_success 'bad flags are usage errors' '
	test_expect_code 2 tn_err serve --listen nowhere &&
	stderr_has "^turnout: --listen: .nowhere.: not an address and port" &&
	test_expect_code 2 tn_err serve --listen 127.0.0.1:70000 &&
	test_expect_code 2 tn_err serve --tls-cert cert.pem &&
	stderr_has "go together" &&
	test_expect_code 1 tn_err serve --tls-cert missing.pem --tls-key missing.pem &&
	stderr_has "missing.pem"
'

serve_start serve.log || echo "Bail out! turnout serve did not start"
U=$SERVE_URL

test_expect_success 'the server says where it listens' '
	grep -E -q "^turnout: serve: listening on http://127\.0\.0\.1:[0-9]+$" serve.log
'

test_expect_success '/healthz answers ok' '
	http_status 200 "$U/healthz" &&
	test "$(cat "$TRASH/.body")" = ok &&
	header_has "^content-type: text/plain; charset=utf-8$" &&
	http_status 200 -I "$U/healthz"
'

test_expect_success 'every response carries the security headers' '
	for args in /healthz /e/readers-meetup.ics "/u/$(token anna@example.org)" /nope \
		"/u/AAAAAAAAAAAAAAAAAAAAAAAA" "-X DELETE /healthz" "-X POST /healthz" \
		"--path-as-is /e/../healthz" "-d x=1 /u/AAAAAAAAAAAAAAAAAAAAAAAA"
	do
		set -- $args &&
		path=$(eval "echo \${$#}") &&
		curl -sS -o /dev/null -D h "${@:1:$#-1}" "$U$path" &&
		tr -d "\r" <h >hh &&
		grep -q "^Content-Security-Policy: default-src .none.; " hh &&
		grep -q "frame-ancestors .none." hh &&
		grep -q "form-action .self." hh &&
		grep -q "^X-Content-Type-Options: nosniff$" hh &&
		grep -q "^Referrer-Policy: no-referrer$" hh &&
		grep -E -q "^Content-Type: [a-z]+/[a-z]+; charset=utf-8$" hh || exit 1
	done
'

test_expect_success '/e/SLUG.ics is the public calendar file, read by python3-icalendar' '
	http_status 200 "$U/e/readers-meetup.ics" &&
	header_has "^content-type: text/calendar; charset=utf-8$" &&
	header_has "^content-disposition: inline; filename=\"readers-meetup.ics\"$" &&
	cp "$TRASH/.body" got.ics &&
	$PY -c "
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(\"got.ics\", \"rb\").read())
ev = [c for c in cal.walk(\"VEVENT\")]
assert len(ev) == 1, ev
print(ev[0][\"UID\"]); print(ev[0][\"SUMMARY\"]); print(ev[0][\"DTSTART\"].dt.isoformat())
" >actual &&
	{
		q "SELECT uid FROM event" &&
		echo "Readers <meetup> & more" &&
		echo "2027-03-28T19:00:00+02:00"
	} >expect &&
	test_cmp expect actual &&
	tn ics readers-meetup >cli.ics &&
	# the same file but for DTSTAMP, which is the time it was written
	grep -v "^DTSTAMP:" cli.ics >cli.nostamp &&
	grep -v "^DTSTAMP:" got.ics >got.nostamp &&
	test_cmp cli.nostamp got.nostamp &&
	test "$(grep -c "^DTSTAMP:" got.ics)" = 1
'

test_expect_success 'unknown pages, events and tokens get the same plain 404' '
	http_status 404 "$U/nope" && cp "$TRASH/.body" a &&
	test "$(cat a)" = "404 Not Found" &&
	http_status 404 "$U/e/no-such-event.ics" && test_cmp a "$TRASH/.body" &&
	http_status 404 "$U/e/1.ics" && test_cmp a "$TRASH/.body" &&
	http_status 404 "$U/e/readers-meetup" && test_cmp a "$TRASH/.body" &&
	http_status 404 "$U/u/AAAAAAAAAAAAAAAAAAAAAAAA" && test_cmp a "$TRASH/.body" &&
	http_status 404 "$U/u/short" && test_cmp a "$TRASH/.body" &&
	http_status 404 "$U/u/$(token anna@example.org)/more" && test_cmp a "$TRASH/.body" &&
	test_db_unchanged 0 http_status 404 -d List-Unsubscribe=One-Click \
		"$U/u/AAAAAAAAAAAAAAAAAAAAAAAA" &&
	test_cmp a "$TRASH/.body" &&
	header_has "^cache-control: no-store$"
'

test_expect_success 'the unsubscribe page asks, with the address masked and a form' '
	http_status 200 "$U/u/$(token anna@example.org)" &&
	header_has "^content-type: text/html; charset=utf-8$" &&
	header_has "^cache-control: no-store$" &&
	grep -q "Stop invitations to <b>a…@example.org</b>?" "$TRASH/.body" &&
	! grep -q "anna@" "$TRASH/.body" &&
	grep -q "<form method=\"post\">" "$TRASH/.body" &&
	grep -E -q "name=\"csrf\" value=\"[A-Za-z0-9_-]{43}\"" "$TRASH/.body" &&
	! grep -E -q "(src|href)=\"(https?:)?//" "$TRASH/.body" &&
	http_status 200 -I "$U/u/$(token anna@example.org)" &&
	! grep -q "<html" "$TRASH/.body" &&
	test "$(q "SELECT count(*) FROM unsubscribed")" = 0
'

test_expect_success 'a POST beyond 8 KiB is refused (413) and changes nothing' '
	head -c 1000000 /dev/zero | tr "\0" a >big &&
	test_db_unchanged 0 http_status 413 --data-binary @big \
		"$U/u/$(token anna@example.org)" &&
	{ printf "List-Unsubscribe=One-Click&x=" && cat big; } >big-form &&
	test_db_unchanged 0 http_status 413 -H "Transfer-Encoding: chunked" \
		--data-binary @big-form "$U/u/$(token anna@example.org)"
'

test_expect_success 'a POST that is not a form is refused (415) and changes nothing' '
	test_db_unchanged 0 http_status 415 -H "Content-Type: application/json" \
		-d "{\"List-Unsubscribe\":\"One-Click\"}" "$U/u/$(token anna@example.org)" &&
	test_db_unchanged 0 http_status 415 -F List-Unsubscribe=One-Click \
		"$U/u/$(token anna@example.org)" &&
	test_db_unchanged 0 http_status 415 -X POST "$U/u/$(token anna@example.org)"
'

test_expect_success 'paths with .., an encoded NUL or bad UTF-8 are refused' '
	t=$(token anna@example.org) &&
	test_db_unchanged 0 http_status 400 --path-as-is -d List-Unsubscribe=One-Click \
		"$U/u/../u/$t" &&
	test_db_unchanged 0 http_status 400 -d List-Unsubscribe=One-Click "$U/u/$t%00" &&
	test_db_unchanged 0 http_status 400 -d List-Unsubscribe=One-Click \
		"$U/u/%2e%2e/u/$t" &&
	http_status 400 --path-as-is "$U/e/../../etc/passwd" &&
	http_status 400 "$U/e/%ff.ics" &&
	http_status 400 "$U/e/a%0ab.ics"
'

test_expect_success 'other methods get 405 with Allow' '
	http_status 405 -X DELETE "$U/u/$(token anna@example.org)" &&
	header_has "^allow: GET, HEAD, POST$" &&
	http_status 405 -X PUT -d x "$U/healthz" &&
	http_status 405 -d x=1 "$U/healthz" &&
	header_has "^allow: GET, HEAD$"
'

test_expect_success 'a form without the CSRF token, or with a wrong one, is refused (403)' '
	a=$(token anna@example.org) && b=$(token bob@example.org) &&
	http_status 200 "$U/u/$b" &&
	csrf_b=$(sed -n "s/.*name=\"csrf\" value=\"\([^\"]*\)\".*/\1/p" "$TRASH/.body") &&
	test -n "$csrf_b" &&
	test_db_unchanged 0 http_status 403 -d "" "$U/u/$a" &&
	test_db_unchanged 0 http_status 403 -d "csrf=" "$U/u/$a" &&
	test_db_unchanged 0 http_status 403 -d "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$U/u/$a" &&
	test_db_unchanged 0 http_status 403 -d "csrf=$csrf_b" "$U/u/$a" &&
	test_db_unchanged 0 http_status 403 -d "List-Unsubscribe=Yes" "$U/u/$a"
'

test_expect_success 'the page form unsubscribes, with its own CSRF token' '
	b=$(token bob@example.org) &&
	http_status 200 "$U/u/$b" &&
	csrf=$(sed -n "s/.*name=\"csrf\" value=\"\([^\"]*\)\".*/\1/p" "$TRASH/.body") &&
	http_status 200 -d "csrf=$csrf" "$U/u/$b" &&
	grep -q "You will get no more invitations from Test Org." "$TRASH/.body" &&
	test "$(q "SELECT count(*) FROM unsubscribed")" = 1 &&
	http_status 200 -d "csrf=$csrf" "$U/u/$b" &&
	test "$(q "SELECT count(*) FROM unsubscribed")" = 1
'

test_expect_success 'the RFC 8058 one-click POST unsubscribes without a CSRF token' '
	http_status 200 -H "Content-Type: application/x-www-form-urlencoded; charset=utf-8" \
		--data-raw "List-Unsubscribe=One-Click" "$U/u/$(token anna@example.org)" &&
	grep -q "no more invitations" "$TRASH/.body" &&
	test "$(q "SELECT count(*) FROM unsubscribed")" = 2
'

test_expect_success 'invite then skips and counts the unsubscribed' '
	tn event create --title "Second meetup" --start "2027-05-01 19:00" \
		--tz Europe/Berlin --slug second >/dev/null &&
	tn invite second >out &&
	grep -q "^queued 1 invitation (skipped: 2 unsubscribed)$" out &&
	test "$(q "SELECT p.email FROM invitation i JOIN person p ON p.id = i.person_id
		JOIN event e ON e.id = i.event_id WHERE e.slug = '\''second'\''")" = zoe@example.org
'

test_expect_success 'the access log has one line per request and no token' '
	grep -E -q "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z GET /healthz 200 3 [0-9.]+ms$" serve.log &&
	grep -E -q "^[^ ]+ POST /u/… 200 [0-9]+ [0-9.]+ms$" serve.log &&
	grep -E -q "^[^ ]+ POST /u/… 413 " serve.log &&
	grep -E -q "^[^ ]+ GET /nope 404 " serve.log &&
	grep -E -q "^[^ ]+ GET /u/… 404 " serve.log &&
	while read -r who tok; do
		! grep -F -q "$tok" serve.log || exit 1
	done <tokens &&
	! grep -q AAAAAAAAAAAAAAAAAAAAAAAA serve.log
'

test_expect_success 'SIGTERM stops the server with exit 0' '
	serve_stop &&
	grep -q "^turnout: serve: stopped$" serve.log &&
	test_expect_code 7 curl -sS -o /dev/null "$U/healthz"
'

# sockets PID: how many sockets the process holds open.
sockets() { ls -l "/proc/$1/fd" 2>/dev/null | grep -c "socket:" || true; }
# unread PORT: succeeds while a connection to PORT holds bytes the server
# has not read yet (its receive queue, /proc/net/tcp)
unread() {
	awk -v p="$(printf ':%04X' "$1")" '$2 ~ p"$" && $4 == "01" &&
		$5 !~ /:00000000$/ { found = 1 } END { exit !found }' /proc/net/tcp
}

test_expect_success 'a request in flight when SIGTERM comes still completes' '
	serve_start slow.log &&
	mkfifo body &&
	listening=$(sockets "$SERVE_PID") &&
	{ curl -sS -o slow.out -w "%{http_code}" -H "Expect:" -X POST -T - \
		-H "Content-Type: application/x-www-form-urlencoded" \
		"$SERVE_URL/u/$(token zoe@example.org)" <body >slow.status & } &&
	curl_pid=$! &&
	exec 3>body &&
	printf "List-Unsubscribe=" >&3 &&
	tenths=300 &&
	while [ "$(sockets "$SERVE_PID")" -le "$listening" ] || unread "${SERVE_URL##*:}"; do
		test "$tenths" -gt 0 &&
		sleep 0.1 &&
		tenths=$((tenths - 1)) || exit 1
	done &&
	sleep 0.2 && # the headers read, the request begins (a busy machine is slow)
	kill -TERM "$SERVE_PID" &&
	tenths=300 &&
	while curl -s -o /dev/null "$SERVE_URL/healthz"; do
		test "$tenths" -gt 0 &&
		sleep 0.1 &&
		tenths=$((tenths - 1)) || exit 1
	done &&
	printf "One-Click" >&3 &&
	exec 3>&- &&
	wait "$curl_pid" &&
	test "$(cat slow.status)" = 200 &&
	grep -q "no more invitations" slow.out &&
	serve_wait &&
	grep -q "^turnout: serve: SIGTERM: finishing the requests in flight$" slow.log &&
	test "$(q "SELECT count(*) FROM unsubscribed")" = 3
'

test_lazy_prereq OPENSSL 'command -v openssl'

test_expect_success OPENSSL 'HTTPS with a self-signed certificate' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout key.pem -out cert.pem -days 30 -subj "/CN=turnout.test" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:turnout.test" 2>/dev/null &&
	serve_start tls.log --tls-cert cert.pem --tls-key key.pem &&
	case "$SERVE_URL" in https://127.0.0.1:*) ;; *) exit 1 ;; esac &&
	http_status 200 --cacert cert.pem "$SERVE_URL/healthz" &&
	test "$(cat "$TRASH/.body")" = ok &&
	header_has "^referrer-policy: no-referrer$" &&
	http_status 200 --cacert cert.pem "$SERVE_URL/e/readers-meetup.ics" &&
	test_expect_code 60 curl -sS -o /dev/null "$SERVE_URL/healthz" &&
	serve_stop
'

test_expect_success OPENSSL 'a certificate that does not load is an error' '
	echo "not a certificate" >bad.pem &&
	test_expect_code 1 tn_err serve --listen 127.0.0.1:0 --tls-cert bad.pem --tls-key key.pem &&
	stderr_has "certificate"
'

test_done
