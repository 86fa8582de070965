#!/usr/bin/env bash
# serve: the live report behind an organizer token. Without a token, with
# a wrong one or a revoked one, every organizer page is a 401 that shows
# nothing of the report; the login link (/login/TOKEN) sets an HttpOnly,
# SameSite=Strict cookie (Secure over HTTPS) and leads to the list of
# events, and through curl's cookie jar /report/E shows the event's
# figures (the audience as 'report --format json' has it); a Bearer token
# works too; the page refreshes itself only while the doors are open (an
# event starting in an hour, by the real clock, against one next year);
# tokens never reach the access log. 'organizer token add/list/revoke'
# refuse bad input clearly, with the database unchanged.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

# an event an hour from now, in UTC, so its doors are open; the declared
# audience is dated yesterday, on or before the event's date
SOON=$(date -u -d '+1 hour' '+%Y-%m-%d %H:%M')
YESTERDAY=$(date -u -d '-1 day' '+%Y-%m-%d')
NEXT_YEAR=$(date -u -d '+1 year' '+%Y')

test_expect_success 'setup: a channel, an event in an hour, one next year, three tokens' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel audience news 737 --date "$YESTERDAY" >/dev/null &&
	printf "email,name\nanna@example.org,Anna\nbob@example.org,Bob\n" >news.csv &&
	tn follower import news news.csv >/dev/null &&
	tn event create --title "Live <script>alert(1)</script>" --start "$SOON" \
		--tz UTC --slug soon >/dev/null &&
	tn event create --title "Next year" --start "$NEXT_YEAR-06-10 19:00" \
		--tz Europe/Berlin --slug later >/dev/null &&
	tn register soon --name Anna --email anna@example.org >/dev/null &&
	tn register soon --name Hal --email hal@example.org >/dev/null &&
	tn ticket list soon --format tsv >tickets &&
	code=$(awk -F "\t" "NR == 2 { print \$6 }" tickets) &&
	test -n "$code" &&
	tn checkin soon "$code" >/dev/null &&
	tn organizer token add --label "marketing laptop" >add1 2>add1.err &&
	tn organizer token add --json >add2.json 2>/dev/null &&
	tn organizer token add --label "old" >add3 2>/dev/null &&
	sed -n "s/^token: *//p" add1 >tok1 &&
	$PY -c "import json; print(json.load(open(\"add2.json\"))[\"token\"])" >tok2 &&
	sed -n "s/^token: *//p" add3 >tok3 &&
	test "$(wc -c <tok1)" = 25 && test "$(wc -c <tok2)" = 25 &&
	grep -q "^login link: https://meet.example.org/login/$(cat tok1)$" add1 &&
	grep -q "^note: the token is shown only this once" add1.err &&
	tn organizer token revoke 3 >/dev/null
'

T1=$(cat tok1) T2=$(cat tok2) T3=$(cat tok3)

serve_start serve.log || echo "Bail out! turnout serve did not start"
U=$SERVE_URL

test_expect_success 'serve says how the organizer gets a token' '
	grep -q "^turnout: serve: live report: run .turnout organizer token add., then open https://meet.example.org/login/TOKEN$" serve.log
'

# refused: a 401 page, with nothing of the report (no event, no figure)
refused() {
	http_status 401 "$@" &&
	body_has "turnout organizer token add" &&
	header_has "^cache-control: no-store$" &&
	header_has "^www-authenticate: Bearer$" &&
	if grep -q -i -e "soon" -e "Next year" -e "737" -e "alert" "$TRASH/.body"; then
		echo "a refusal shows the report:" >&2 &&
		cat "$TRASH/.body" >&2 &&
		return 1
	fi
}

test_expect_success 'without a token: 401 on every organizer page, known event or not' '
	refused "$U/report/" &&
	refused "$U/report" &&
	refused "$U/report/soon" &&
	refused "$U/report/later" &&
	refused "$U/report/nope" &&
	http_status 401 -I "$U/report/soon" &&
	http_status 405 -d x=1 "$U/report/soon"
'

test_expect_success 'a wrong token, by cookie, Bearer or login link: 401' '
	refused -b "turnout_org=AAAAAAAAAAAAAAAAAAAAAAAA" "$U/report/soon" &&
	header_has "^set-cookie: turnout_org=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0$" &&
	refused -b "turnout_org=${T1}x" "$U/report/soon" &&
	refused -H "Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAA" "$U/report/soon" &&
	refused -H "Authorization: Basic $T1" "$U/report/soon" &&
	refused "$U/login/AAAAAAAAAAAAAAAAAAAAAAAA" &&
	! header_has "^set-cookie:" 2>/dev/null &&
	refused "$U/login/${T1}x"
'

test_expect_success 'a revoked token: 401, by cookie, Bearer or login link' '
	refused -b "turnout_org=$T3" "$U/report/soon" &&
	refused -H "Authorization: Bearer $T3" "$U/report/soon" &&
	refused -H "Authorization: Bearer $T3" "$U/report/" &&
	refused "$U/login/$T3"
'

test_expect_success 'the login link: a cookie, then the list of events' '
	http_status 303 -c jar "$U/login/$T1" &&
	header_has "^location: /report/$" &&
	header_has "^set-cookie: turnout_org=$T1; Path=/; HttpOnly; SameSite=Strict$" &&
	header_has "^cache-control: no-store$" &&
	grep -q "turnout_org" jar &&
	http_status 200 -L -b jar -c jar "$U/login/$T1" &&
	header_has "^content-type: text/html; charset=utf-8$" &&
	body_has "<a href=\"/report/soon\">Live &lt;script&gt;alert(1)&lt;/script&gt;</a>" &&
	body_has "<a href=\"/report/later\">Next year</a>" &&
	! grep -q "<script" "$TRASH/.body"
'

test_expect_success 'the live report through the cookie shows the figures of report --format json' '
	tn report soon --format json >soon.json &&
	audience=$($PY -c "import json; print(json.load(open(\"soon.json\"))[\"events\"][0][\"total\"][\"audience\"])") &&
	test "$audience" = 737 &&
	http_status 200 -b jar "$U/report/soon" &&
	header_has "^cache-control: no-store$" &&
	header_has "^content-type: text/html; charset=utf-8$" &&
	grep -q -E "(^|[^0-9.,])$audience([^0-9.,]|$)" "$TRASH/.body" &&
	body_has "Live &lt;script&gt;alert(1)&lt;/script&gt;" &&
	! grep -q -i "<script" "$TRASH/.body" &&
	$PY -c "
import html.parser, sys
class P(html.parser.HTMLParser):
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in (\"src\", \"href\") and v and \"//\" in v:
                sys.exit(\"an external reference: %s\" % v)
P().feed(open(sys.argv[1]).read())
" "$TRASH/.body"
'

test_expect_success 'the page refreshes itself only while the doors are open' '
	http_status 200 -b jar "$U/report/soon" &&
	grep -q -i "<meta http-equiv=\"refresh\" content=\"30\"" "$TRASH/.body" &&
	http_status 200 -b jar "$U/report/later" &&
	body_has "Next year" &&
	! grep -q -i "http-equiv=\"refresh\"" "$TRASH/.body"
'

test_expect_success 'a Bearer token works as the cookie does; an unknown event is 404' '
	http_status 200 -H "Authorization: Bearer $T2" "$U/report/soon" &&
	grep -q -E "(^|[^0-9.,])737([^0-9.,]|$)" "$TRASH/.body" &&
	http_status 200 -H "Authorization: Bearer $T2" "$U/report/" &&
	http_status 404 -H "Authorization: Bearer $T2" "$U/report/nope" &&
	http_status 404 -b jar "$U/report/nope"
'

test_expect_success 'revoking the token logs its browser out at once' '
	tn organizer token revoke 1 >/dev/null &&
	refused -b jar "$U/report/soon" &&
	header_has "^set-cookie: turnout_org=; .*Max-Age=0$" &&
	http_status 200 -H "Authorization: Bearer $T2" "$U/report/soon"
'

test_expect_success 'no token reaches the access log' '
	grep -q " GET /login/… 303 " serve.log &&
	grep -q " GET /report/soon 200 " serve.log &&
	for t in "$T1" "$T2" "$T3"; do
		! grep -q -F -e "$t" serve.log || exit 1
	done
'

serve_stop

test_expect_success 'over HTTPS the cookie is Secure' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout key.pem -out cert.pem -days 30 -subj "/CN=turnout" \
		-addext "subjectAltName=IP:127.0.0.1" 2>/dev/null &&
	serve_start tls.log --tls-cert cert.pem --tls-key key.pem &&
	http_status 303 --cacert cert.pem "$SERVE_URL/login/$T2" &&
	header_has "^set-cookie: turnout_org=$T2; Path=/; HttpOnly; SameSite=Strict; Secure$" &&
	serve_stop
'

test_expect_success 'organizer token list shows ids, states and labels, never a token' '
	tn organizer token list --format tsv >list &&
	cut -f 1,2,5 list >got &&
	printf "ID\tSTATE\tLABEL\n1\trevoked\tmarketing laptop\n2\tactive\t\n3\trevoked\told\n" >expect &&
	test_cmp expect got &&
	tn organizer token list --json >list.json &&
	$PY -c "import json; d = json.load(open(\"list.json\")); assert [(t[\"id\"], t[\"revoked\"], t[\"label\"]) for t in d] == [(1, True, \"marketing laptop\"), (2, False, None), (3, True, \"old\")], d" &&
	for t in "$T1" "$T2" "$T3"; do
		! grep -q -F -e "$t" list list.json || exit 1
	done
'

test_expect_success 'bad input: clear errors, the database unchanged' '
	test_db_unchanged 2 tn_err organizer token revoke 9 &&
	stderr_has "^turnout: organizer token 9: no such token$" &&
	test_db_unchanged 1 tn_err organizer token revoke 3 &&
	stderr_has "^turnout: organizer token 3: already revoked \([0-9T:-]+Z\)$" &&
	test_db_unchanged 2 tn_err organizer token revoke abc &&
	stderr_has "^turnout: .abc.: not a token id" &&
	test_db_unchanged 2 tn_err organizer token revoke &&
	stderr_has "missing argument" &&
	test_db_unchanged 2 tn_err organizer token add --label "$(printf "%065d" 0)" &&
	stderr_has "^turnout: --label: a label has at most 64 bytes$" &&
	test_db_unchanged 2 tn_err organizer token add --label "$(printf "a\033[2Jb")" &&
	stderr_has "^turnout: --label: " &&
	test_db_unchanged 2 tn_err organizer token add extra &&
	test_db_unchanged 2 tn_err organizer token frob &&
	stderr_has "^turnout: organizer token: .frob.: not add, list or revoke$" &&
	test_db_unchanged 2 tn_err organizer token &&
	stderr_has "needs add, list or revoke" &&
	test_db_unchanged 2 tn_err organizer token list --frob
'

test_done
