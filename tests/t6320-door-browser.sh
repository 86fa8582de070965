#!/usr/bin/env bash
# serve: the door page, /door/TOKEN (a gate's login link from 'gate add').
# With curl: /door, a wrong token and a revoked gate's get a 401 page with
# no script; the page holds the gate's values escaped and one inline
# script (the page's own and jsQR) allowed by its SHA-256 in the page's
# Content-Security-Policy; it is served over HTTPS with a certificate
# for an IP address, as at a venue; the token never reaches the log.
# In Debian's chromium (tests/browser/door.mjs) with a fake camera
# showing a ticket's QR code: ADMIT with the name, the code in view not
# sent twice, a code typed as a scanner types it, ALREADY IN at a second
# gate, a walk-in, the counter; every scan is in the database.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

test_lazy_prereq BROWSER '
	test -x /usr/bin/chromium &&
	test -d "$TN_TOP/node_modules/playwright-core" &&
	command -v ffmpeg >/dev/null
'

test_expect_success 'setup: an event, two tickets, two gates' '
	setup_db &&
	tn event create --title "Readers <meetup> & \"friends\"" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --slug readers-meetup >/dev/null &&
	tn register readers-meetup --name "Anna <b>Berg</b>" --email anna@example.org >/dev/null &&
	tn register readers-meetup --name "Bob" --email bob@example.org >/dev/null &&
	tn ticket list readers-meetup --json >tickets.json &&
	$PY -c "
import json
for t in json.load(open(\"tickets.json\")):
    print(t[\"number\"], t[\"code\"])
" >codes &&
	test "$(wc -l <codes)" = 2 &&
	tn gate add readers-meetup "North <b>door</b>" >gate1 2>/dev/null &&
	tn gate add readers-meetup south >gate2 2>/dev/null &&
	sed -n "s/^token: *//p" gate1 >tok1 &&
	sed -n "s/^token: *//p" gate2 >tok2 &&
	test -s tok1 && test -s tok2 &&
	grep -q "^login link: https://meet.example.org/door/$(cat tok1)$" gate1
'

# code N: the code of ticket N
code() { awk -v n="$1" '$1 == n { print $2 }' codes; }

serve_start serve.log || echo "Bail out! turnout serve did not start"
U=$SERVE_URL

test_expect_success '/door without a token, or with a wrong one: 401, no scanner' '
	http_status 401 "$U/door" &&
	body_has "login link to scan tickets here" &&
	header_has "^content-security-policy: default-src .none.; style-src" &&
	! grep -q -i -e "<script" -e "<input" -e "<video" "$TRASH/.body" &&
	cp "$TRASH/.body" refused &&
	http_status 401 "$U/door/AAAAAAAAAAAAAAAAAAAAAAAA" &&
	test_cmp refused "$TRASH/.body" &&
	http_status 401 "$U/door/$(cat tok1)x" &&
	test_cmp refused "$TRASH/.body" &&
	http_status 401 -I "$U/door/AAAAAAAAAAAAAAAAAAAAAAAA" &&
	http_status 405 -d x=1 "$U/door/$(cat tok1)"
'

test_expect_success 'the door page: the gate escaped, its one script allowed by hash' '
	http_status 200 "$U/door/$(cat tok1)" &&
	header_has "^cache-control: no-store$" &&
	header_has "^content-type: text/html; charset=utf-8$" &&
	tr -d "\r" <"$TRASH/.headers" | sed -n "s/^content-security-policy: //Ip" >csp &&
	body_has "<title>Door: Readers &lt;meetup&gt; &amp; &quot;friends&quot;</title>" &&
	body_has "<span id=\"gate\">North &lt;b&gt;door&lt;/b&gt;</span>" &&
	body_has "data-token=\"$(cat tok1)\" data-event=\"readers-meetup\"" &&
	! grep -q -E "(src|href|action)=\"(https?:)?//" "$TRASH/.body" &&
	$PY -c "
import base64, hashlib, re, sys
page = open(sys.argv[1], \"rb\").read()
csp = dict(d.strip().split(\" \", 1) for d in open(\"csp\").read().split(\";\"))
scripts = re.findall(rb\"<script>(.*?)</script>\", page, re.S)
assert len(scripts) == 1 and page.count(b\"<script\") == 1, len(scripts)
assert b\"jsQR\" in scripts[0] and b\"BarcodeDetector\" in scripts[0]
h = base64.b64encode(hashlib.sha256(scripts[0]).digest()).decode()
assert csp[\"script-src\"] == \"'\''sha256-\" + h + \"'\''\", (csp, h)
assert csp[\"default-src\"] == \"'\''none'\''\", csp
assert csp[\"connect-src\"] == \"'\''self'\''\", csp
assert csp[\"frame-ancestors\"] == \"'\''none'\''\", csp
" "$TRASH/.body"
'

test_expect_success BROWSER 'chromium at the door: camera, scanner, second gate, walk-in' '
	tn ticket show 1 --qr png -o ticket1.png &&
	ffmpeg -loglevel error -y -loop 1 -i ticket1.png \
		-vf "pad=640:480:(ow-iw)/2:(oh-ih)/2:color=white,format=yuv420p" \
		-frames:v 1 ticket1.y4m &&
	t1=$(cat tok1) && t2=$(cat tok2) && c2=$(code 2) &&
	(cd "$TN_TOP" && /usr/bin/node tests/browser/door.mjs "$U" "$t1" "$t2" "$c2" \
		"$TRASH/ticket1.y4m" "$TRASH/door.png") >seen &&
	cat seen &&
	$PY -c "
import json
s = json.load(open(\"seen\"))
for r in s[\"refused\"]:
    assert r[\"status\"] == 401 and r[\"scanner\"] == 0, r
    assert \"Open the gate'\''s login link\" in r[\"words\"], r
assert s[\"status\"] == 200 and s[\"cacheControl\"] == \"no-store\", s
assert s[\"title\"] == \"Readers <meetup> & \\\"friends\\\"\", s
assert s[\"gate\"] == \"North <b>door</b>\", s
assert s[\"path\"] == \"/door\", s          # the token left the address bar
assert s[\"focused\"] == \"code\" and s[\"focusedAfter\"] == \"code\", s
v = s[\"verdicts\"]
# names are text, never markup: no element inside the verdict but its 3 lines
assert all(x[\"markup\"] == \"P P P\" for x in v), v
assert (v[0][\"verdict\"], v[0][\"word\"], v[0][\"name\"]) == (\"admit\", \"ADMIT\", \"Anna <b>Berg</b>\"), v[0]
assert v[0][\"background\"] == \"rgb(21, 128, 61)\", v[0]
assert s[\"cameraPosts\"] == 1, s          # the code kept in view: sent once
assert (v[1][\"verdict\"], v[1][\"word\"], v[1][\"name\"]) == (\"admit\", \"ADMIT\", \"Bob\"), v[1]
assert (v[2][\"verdict\"], v[2][\"word\"], v[2][\"name\"]) == (\"duplicate\", \"ALREADY IN\", \"Bob\"), v[2]
assert v[2][\"detail\"].startswith(\"admitted at \") and v[2][\"detail\"].endswith(\", gate North <b>door</b>\"), v[2]
assert v[2][\"background\"] == \"rgb(217, 119, 6)\", v[2]
assert s[\"typedPosts\"] == 2, s
assert (v[3][\"verdict\"], v[3][\"name\"], v[3][\"detail\"]) == (\"admit\", \"Walk <i>In</i>\", \"walk-in\"), v[3]
assert s[\"counter\"] == \"3 / 3 admitted\", s
assert s[\"hiddenAfterTap\"] is True and s[\"overflow\"] is False, s
assert s[\"gate2\"] == \"south\", s
assert (v[4][\"verdict\"], v[4][\"word\"], v[4][\"name\"]) == (\"duplicate\", \"ALREADY IN\", \"Anna <b>Berg</b>\"), v[4]
assert v[4][\"detail\"].endswith(\", gate North <b>door</b>\"), v[4]
assert s[\"auth\"] == [\"Bearer \" + open(\"tok1\").read().strip(), \"Bearer \" + open(\"tok2\").read().strip()], s
assert s[\"external\"] == [], s
" &&
	test -s door.png && test -s door-scanner.png &&
	cat >expect <<-\EOF &&
	North <b>door</b>|1|admit|0
	North <b>door</b>|2|admit|0
	North <b>door</b>|2|duplicate|0
	North <b>door</b>|3|admit|1
	south|1|duplicate|0
	EOF
	q "SELECT g.name, c.ticket_id, c.verdict, c.walkin FROM checkin c
		JOIN gate g ON g.id = c.gate_id ORDER BY c.id" >actual &&
	test_cmp expect actual
'

test_expect_success 'a revoked gate: its link is refused' '
	tn gate revoke readers-meetup south >/dev/null &&
	http_status 401 "$U/door/$(cat tok2)" &&
	test_cmp refused "$TRASH/.body"
'

test_expect_success 'the access log never shows a gate token' '
	serve_stop &&
	grep -q "GET /door/… 200" serve.log &&
	grep -q "GET /door 401" serve.log &&
	! grep -q -F -e "$(cat tok1)" -e "$(cat tok2)" serve.log
'

test_expect_success 'the door page over HTTPS, with a certificate for the venue address' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout key.pem -out cert.pem -days 30 -subj "/CN=turnout door" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:turnout.local" 2>/dev/null &&
	serve_start tls.log --tls-cert cert.pem --tls-key key.pem &&
	case "$SERVE_URL" in https://127.0.0.1:*) ;; *) false ;; esac &&
	http_status 200 --cacert cert.pem "$SERVE_URL/door/$(cat tok1)" &&
	body_has "data-token=\"$(cat tok1)\"" &&
	header_has "^content-security-policy: .*script-src .sha256-" &&
	serve_stop
'

test_done
