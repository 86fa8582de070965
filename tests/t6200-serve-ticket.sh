#!/usr/bin/env bash
# serve: the ticket page /t/TOKEN that each ticket e-mail links to: the QR
# code inline (an SVG that zbarimg reads, through rsvg-convert, as the
# ticket's code), the code in text, the holder escaped, a calendar link;
# a revoked ticket shows no code; an unknown token is a plain 404.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

test_expect_success 'setup: two tickets, their e-mails written as files' '
	setup_db &&
	tn event create --title "Readers <meetup>" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --slug readers-meetup >/dev/null &&
	tn register readers-meetup --name "Anna <b>Berg</b>" --email anna@example.org >/dev/null &&
	tn register readers-meetup --name "Bob" --email bob@example.org >/dev/null &&
	mkdir eml png &&
	tn send --eml-dir eml >/dev/null 2>&1 &&
	$PY "$TN_TOP/tests/ticket_mail.py" eml png >tickets &&
	test "$(wc -l <tickets)" = 2
'

# tok ADDR / code ADDR: the page token and the code of ADDR's ticket.
tok() { awk -v a="$1" '$1 == a { print $3 }' tickets; }
code() { awk -v a="$1" '$1 == a { print $2 }' tickets; }

serve_start serve.log || echo "Bail out! turnout serve did not start"
U=$SERVE_URL

test_expect_success 'the ticket page shows the code as an inline QR and as text' '
	http_status 200 "$U/t/$(tok anna@example.org)" &&
	header_has "^cache-control: no-store$" &&
	body_has "<title>Readers &lt;meetup&gt;</title>" &&
	body_has "<p>Ticket for Anna &lt;b&gt;Berg&lt;/b&gt;, number 1.</p>" &&
	body_has "<a id=\"ics\" href=\"/e/readers-meetup.ics\">" &&
	test "$(grep -c "<svg" "$TRASH/.body")" = 1 &&
	! grep -q -E "(src|href)=\"https?:" "$TRASH/.body" &&
	sed -n "s/.*<p class=\"code\" id=\"code\">\([^<]*\)<\/p>.*/\1/p" "$TRASH/.body" | tr -d " " >shown &&
	code anna@example.org >expect &&
	test_cmp expect shown &&
	$PY -c "
import re, sys
page = open(sys.argv[1]).read()
svg = re.search(r\"<svg.*?</svg>\", page, re.S).group(0)
open(\"qr.svg\", \"w\").write(svg)
" "$TRASH/.body" &&
	rsvg-convert -w 400 qr.svg >qr.png &&
	zbarimg --nodbus --raw -q qr.png >decoded &&
	test_cmp expect decoded
'

test_expect_success 'a revoked ticket shows no code; an unknown token is a plain 404' '
	tn ticket revoke 2 >/dev/null &&
	http_status 200 "$U/t/$(tok bob@example.org)" &&
	body_has "This ticket was revoked" &&
	! grep -q "<svg" "$TRASH/.body" &&
	! grep -q "$(code bob@example.org)" "$TRASH/.body" &&
	http_status 404 "$U/t/AAAAAAAAAAAAAAAAAAAAAAAA" &&
	cp "$TRASH/.body" unknown &&
	http_status 404 "$U/nope" &&
	test_cmp unknown "$TRASH/.body" &&
	http_status 405 -d x=1 "$U/t/$(tok anna@example.org)"
'

test_expect_success 'the access log never shows a ticket token' '
	serve_stop &&
	grep -q "GET /t/… 200" serve.log &&
	! grep -q "$(tok anna@example.org)" serve.log
'

test_done
