#!/usr/bin/env bash
# announce: an event posted on two Mastodon channels and a Telegram
# channel of a local API fixture (tests/api_fixture.py), and printed for
# a newsletter; each post with its own channel's link, read back from
# the fixture's log. The Idempotency-Key kept before the request: a 503
# then 200 posts once with one key, a run interrupted before the answer
# was stored sends the same key again. A registration through the posted
# link counts for that channel in the report. What is refused (401, a
# post too long, a cancelled event, an unknown channel), the dry run, and
# that no token ever reaches turnout's output.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-serve.sh"

MASTO_TOKEN=masto-SECRET-token-1111
FEDI_TOKEN=fedi-SECRET-token-2222
TG_TOKEN=123456:TG-SECRET-token-3333
# no backoff of a second between tries (http.h)
export TURNOUT_HTTP_BACKOFF=0.05

# script FILE: the fixture's answers from then on (read at every request);
# its counters start again.
script() {
	cat >"$TRASH/api.json.tmp" &&
	mv "$TRASH/api.json.tmp" "$TRASH/api.json" &&
	rm -f "$TRASH/api.state"
}

# requests [PATH]: how many requests the fixture logged (to PATH).
requests() {
	if [ ! -e "$TRASH/api.log" ]; then echo 0; return 0; fi
	$PY -c 'import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    n += len(sys.argv) < 3 or r["path"] == sys.argv[2]
print(n)' "$TRASH/api.log" "$@"
}

# The answers of a Mastodon server and the Telegram Bot API.
posted() {
	script <<-EOF
	{"routes": [
	 {"method": "POST", "path": "/api/v1/statuses", "responses": [
	   {"status": 200, "json": {"id": "101", "url": "http://127.0.0.1:{port}/@club/101"}},
	   {"status": 200, "json": {"id": "102", "url": "http://localhost:{port}/@fedi/102"}}]},
	 {"method": "POST", "path": "/bot$TG_TOKEN/sendMessage", "responses": [
	   {"status": 200, "json": {"ok": true, "result": {"message_id": 42,
	     "chat": {"id": -100123, "type": "channel", "username": "clubnews"}}}}]}
	]}
	EOF
}

posted
{ $PY "$TN_TOP/tests/api_fixture.py" --port-file "$TRASH/api.port" \
	--script "$TRASH/api.json" --state "$TRASH/api.state" --log "$TRASH/api.log" \
	</dev/null >/dev/null 2>"$TRASH/api.err" &
  echo $! >"$TRASH/api.pid"; cat "$TRASH/api.pid" >>"$TRASH/.servers"; } &&
test_wait_for "$TRASH/api.port" || echo "Bail out! the API fixture did not start"
API=http://127.0.0.1:$(cat "$TRASH/api.port")

test_expect_success 'setup: an event, two mastodon channels, a telegram channel, a newsletter' '
	setup_db &&
	tn event create --title "Readers meetup" --start "2030-06-10 19:00" --tz Europe/Berlin \
		--venue "Café Central" --address "Main St 1" --slug readers-meetup >/dev/null &&
	printf "%s\n" "$MASTO_TOKEN" >masto.token &&
	printf "%s\n" "$FEDI_TOKEN" >fedi.token &&
	printf "%s\n" "$TG_TOKEN" >tg.token &&
	tn channel add masto --kind mastodon --url "$API/@club" --token-file masto.token \
		>out-setup 2>err-setup &&
	tn channel add fedi --kind mastodon --url "http://localhost:${API##*:}/@fedi" \
		--token-file fedi.token >>out-setup 2>>err-setup &&
	tn channel add tg --kind telegram --url https://t.me/clubnews --token-file tg.token \
		>>out-setup 2>>err-setup &&
	tn channel add letter --kind newsletter >>out-setup 2>>err-setup &&
	tn channel add quiet --kind mastodon --url https://example.social/@quiet \
		>>out-setup 2>>err-setup &&
	tn config telegram-api "$API" >>out-setup 2>>err-setup
'

test_expect_success 'a dry run prints each post, sends nothing and changes nothing' '
	test_db_unchanged 0 tn announce readers-meetup --channel masto --channel fedi \
		--channel tg --channel letter --dry-run >out-dry 2>err-dry &&
	test "$(requests)" = 0 &&
	grep -q "^would post on .masto. (mastodon) ([0-9]* characters):$" out-dry &&
	grep -q "^would post on .tg. (telegram) ([0-9]* characters):$" out-dry &&
	grep -q "^not posted on .letter. (newsletter): turnout has no API for this kind;" out-dry &&
	test "$(grep -c "^Readers meetup$" out-dry)" = 4 &&
	test "$(grep -c "^Monday 10 June 2030, 19:00–21:00 (Europe/Berlin)$" out-dry)" = 4 &&
	test "$(grep -c "^Café Central, Main St 1$" out-dry)" = 4 &&
	test "$(grep -c "^Register here: https://meet.example.org/r/XXXXXXXXXXXX$" out-dry)" = 4 &&
	grep -q "^dry run: XXXXXXXXXXXX stands for a link code made when the post is made$" err-dry &&
	grep -q "^dry run: nothing was sent or changed$" err-dry
'

test_expect_success 'announce: one post per channel, each with its own link; the newsletter printed' '
	tn announce readers-meetup --channel masto --channel fedi --channel tg \
		--channel letter --channel masto >out-post 2>err-post &&
	test "$(requests)" = 3 &&
	grep -q "^posted on .masto. (mastodon): $API/@club/101$" out-post &&
	grep -q "^posted on .fedi. (mastodon): http://localhost:${API##*:}/@fedi/102$" out-post &&
	grep -q "^posted on .tg. (telegram): https://t.me/clubnews/42$" out-post &&
	grep -q "^not posted on .letter. (newsletter): turnout has no API for this kind; paste this there" out-post &&
	for c in masto fedi tg letter; do
		tn link readers-meetup --channel $c >>links 2>/dev/null || exit 1
	done &&
	test "$(sort -u links | wc -l)" = 4 &&
	grep -q "^Register here: $(sed -n 4p links)$" out-post &&
	q "SELECT c.name, a.idempotency_key, a.url FROM announcement a
	   JOIN channel c ON c.id = a.channel_id ORDER BY a.id" >stored &&
	$PY - "$MASTO_TOKEN" "$FEDI_TOKEN" <<-PYEOF
	import json, sys
	masto, fedi = sys.argv[1:3]
	log = [json.loads(l) for l in open("api.log")]
	links = open("links").read().split()
	stored = [l.split("|") for l in open("stored").read().splitlines()]
	assert [s[0] for s in stored] == ["masto", "fedi", "tg"], stored
	m, f, t = log
	for r, token, link, row in ((m, masto, links[0], stored[0]), (f, fedi, links[1], stored[1])):
	    assert r["method"] == "POST" and r["path"] == "/api/v1/statuses", r
	    assert r["headers"]["authorization"] == "Bearer " + token, r["headers"]
	    assert r["headers"]["idempotency-key"] == row[1], (r["headers"], row)
	    assert r["headers"]["content-type"] == "application/json", r["headers"]
	    assert r["headers"]["user-agent"].startswith("turnout/"), r["headers"]
	    body = json.loads(r["body"])
	    assert body["visibility"] == "public", body
	    assert body["status"].startswith("Readers meetup\n\nMonday 10 June 2030, 19:00"), body
	    assert body["status"].endswith("Register here: " + link), (body, link)
	    assert sum(l in body["status"] for l in links) == 1, body
	assert m["headers"]["host"].startswith("127.0.0.1:"), m["headers"]
	assert f["headers"]["host"].startswith("localhost:"), f["headers"]
	assert stored[0][2].endswith("/@club/101") and stored[1][2].endswith("/@fedi/102"), stored
	assert stored[0][1] != stored[1][1] and len(stored[0][1]) >= 20, stored
	assert "authorization" not in t["headers"] and "idempotency-key" not in t["headers"], t
	body = json.loads(t["body"])
	assert body["chat_id"] == "@clubnews", body
	assert body["text"].endswith("Register here: " + links[2]), body
	assert stored[2][2] == "https://t.me/clubnews/42", stored
	PYEOF
'

test_expect_success 'run again: already announced, nothing sent, nothing changed' '
	test_db_unchanged 0 tn announce readers-meetup --channel masto --channel tg \
		>out-again 2>err-again &&
	test "$(requests)" = 3 &&
	grep -q "^already announced on .masto. (mastodon) at 20[0-9-]*T[0-9:]*Z: $API/@club/101$" out-again &&
	grep -q "^already announced on .tg. (telegram) at .*: https://t.me/clubnews/42$" out-again
'

test_expect_success 'event show lists the posts, as text and as JSON' '
	tn event show readers-meetup >out-show &&
	grep -q "^announced    masto $API/@club/101 20[0-9-]*T[0-9:]*Z$" out-show &&
	grep -q "^announced    fedi http://localhost:.*/@fedi/102 " out-show &&
	grep -q "^announced    tg https://t.me/clubnews/42 " out-show &&
	test "$(grep -c "^announced " out-show)" = 3 &&
	tn event show readers-meetup --json >out-show.json &&
	$PY - "$API" <<-PYEOF
	import json, sys
	a = json.load(open("out-show.json"))["announcements"]
	assert [x["channel"] for x in a] == ["masto", "fedi", "tg"], a
	assert a[0]["url"] == sys.argv[1] + "/@club/101", a
	assert a[2]["url"] == "https://t.me/clubnews/42", a
	assert all(x["posted_at"] and x["created_at"] for x in a), a
	PYEOF
'

test_expect_success 'announce --json: each channel as an object' '
	tn announce readers-meetup --channel masto --channel letter --json >out-json.json &&
	$PY - <<-PYEOF
	import json
	a = json.load(open("out-json.json"))
	assert [x["state"] for x in a] == ["already", "manual"], a
	assert a[0]["url"].endswith("/@club/101"), a
	assert a[1]["text"].endswith(a[1]["link"]) and a[1]["link_placeholder"] is False, a
	assert a[1]["chars"] == len(a[1]["text"]), a
	PYEOF
'

test_expect_success 'a registration through the posted link counts for that channel' '
	link=$($PY -c "import json; print(json.loads(json.loads(open(\"api.log\").readline())[\"body\"])[\"status\"].split()[-1])") &&
	code=${link##*/r/} &&
	serve_start serve.log &&
	curl -sS -f "$SERVE_URL/r/$code" >form &&
	csrf=$(sed -n "s/.*name=\"csrf\" value=\"\([A-Za-z0-9_-]*\)\".*/\1/p" form) &&
	test -n "$csrf" &&
	http_status 200 --data-urlencode "csrf=$csrf" --data-urlencode "name=Dana" \
		--data-urlencode "email=dana@example.org" "$SERVE_URL/r/$code" &&
	serve_stop &&
	tn report readers-meetup --format json >report.json &&
	$PY - <<-PYEOF
	import json
	ev = json.load(open("report.json"))["events"][0]
	rows = {r["group"]: r["registered"] for r in ev["rows"]}
	assert rows.get("masto") == 1, rows
	assert sum(rows.values()) == 1, rows
	PYEOF
'

test_expect_success 'a 503, then 200: two requests with one key, one announcement' '
	tn event create --title Picnic --start "2030-07-01 12:00" --tz Europe/Berlin \
		--slug picnic >/dev/null &&
	script <<-EOF &&
	{"routes": [{"method": "POST", "path": "/api/v1/statuses", "responses": [
	  {"status": 503, "json": {"error": "busy"}},
	  {"status": 200, "json": {"id": "201", "url": "http://127.0.0.1:{port}/@club/201"}}]}]}
	EOF
	before=$(requests) &&
	tn announce picnic --channel masto >out-503 2>err-503 &&
	test "$(requests)" = $((before + 2)) &&
	grep -q "^turnout: channel .masto.: 503; trying again in " err-503 &&
	grep -q "^posted on .masto. (mastodon): $API/@club/201$" out-503 &&
	tail -n 2 api.log >two &&
	$PY -c "import json
a, b = (json.loads(l) for l in open(\"two\"))
assert a[\"headers\"][\"idempotency-key\"] == b[\"headers\"][\"idempotency-key\"], (a, b)
assert a[\"body\"] == b[\"body\"]" &&
	test "$(q "SELECT count(*) || \" \" || count(posted_at) FROM announcement a
		JOIN event e ON e.id = a.event_id WHERE e.slug = \"picnic\"")" = "1 1" &&
	test_db_unchanged 0 tn announce picnic --channel masto >out-503-again &&
	grep -q "^already announced on .masto." out-503-again &&
	test "$(requests)" = $((before + 2))
'

test_expect_success 'a post begun but never confirmed (a crash) is sent again with its key' '
	tn event create --title Walk --start "2030-08-01 10:00" --tz Europe/Berlin \
		--slug walk >/dev/null &&
	q "INSERT INTO announcement(event_id, channel_id, idempotency_key, created_at)
	   SELECT e.id, c.id, \"kept-before-the-crash\", \"2030-01-01T00:00:00Z\"
	   FROM event e, channel c WHERE e.slug = \"walk\" AND c.name = \"masto\"" &&
	tn event show walk >out-walk &&
	grep -q "^announced    masto not confirmed 2030-01-01T00:00:00Z$" out-walk &&
	posted &&
	tn announce walk --channel masto >out-crash 2>err-crash &&
	tail -n 1 api.log | grep -q "\"idempotency-key\": \"kept-before-the-crash\"" &&
	test "$(q "SELECT count(*) || \" \" || count(posted_at) FROM announcement a
		JOIN event e ON e.id = a.event_id WHERE e.slug = \"walk\"")" = "1 1"
'

test_expect_success '--again posts once more, with a new key' '
	before=$(requests) &&
	posted &&
	tn announce walk --channel masto --again >out-more 2>err-more &&
	test "$(requests)" = $((before + 1)) &&
	tail -n 1 api.log >last &&
	! grep -q "kept-before-the-crash" last &&
	test "$(q "SELECT count(posted_at) FROM announcement a
		JOIN event e ON e.id = a.event_id WHERE e.slug = \"walk\"")" = 2
'

test_expect_success 'Telegram: a 5xx is not retried (no idempotency key); the others go on' '
	tn event create --title Quiz --start "2030-09-01 19:00" --tz Europe/Berlin \
		--slug quiz >/dev/null &&
	script <<-EOF &&
	{"routes": [
	 {"method": "POST", "path": "/api/v1/statuses", "responses": [
	   {"status": 401, "json": {"error": "The access token is invalid"}}]},
	 {"method": "POST", "path": "/bot$TG_TOKEN/sendMessage", "responses": [
	   {"status": 502, "body": "bad gateway"},
	   {"status": 200, "json": {"ok": true, "result": {"message_id": 43}}}]}]}
	EOF
	before=$(requests) &&
	test_expect_code 1 tn announce quiz --channel masto --channel tg --channel letter \
		>out-401 2>err-401 &&
	test "$(requests)" = $((before + 2)) &&
	grep -q "^turnout: channel .masto.: the server refused the token (401)" err-401 &&
	grep -q "^turnout: channel .tg.: the server answered 502" err-401 &&
	grep -q "^not posted on .letter. (newsletter)" out-401 &&
	test "$(q "SELECT count(*) || \" \" || count(posted_at) FROM announcement a
		JOIN event e ON e.id = a.event_id WHERE e.slug = \"quiz\"")" = "2 0" &&
	tn event show quiz --json >quiz.json &&
	$PY -c "import json
a = json.load(open(\"quiz.json\"))[\"announcements\"]
assert [x[\"posted_at\"] for x in a] == [None, None], a"
'

test_expect_success 'a post longer than Mastodon takes is refused, naming its length; nothing changes' '
	tn event create --title Long --start "2030-10-01 19:00" --tz Europe/Berlin \
		--slug long --description "$($PY -c "print(\"é\" * 600)")" >/dev/null &&
	mkdir tpl &&
	printf "{{title}}\n{{description}}\n{{event_url}}\n" >tpl/announce.txt &&
	before=$(requests) &&
	test_db_unchanged 1 tn_err announce long --channel masto --templates tpl &&
	stderr_has "^turnout: channel .masto.: the post is 645 characters; Mastodon takes at most 500$" &&
	test "$(requests)" = "$before" &&
	tn announce long --channel letter --templates tpl >out-long &&
	grep -q "^not posted on .letter. (newsletter): .* (645 characters):$" out-long
'

test_expect_success 'no public post while the base URL is this machine: its link would lead nowhere' '
	tn event create --title Local --start "2030-10-05 19:00" --tz Europe/Berlin \
		--slug local >/dev/null &&
	tn config base-url http://localhost:8080 >/dev/null &&
	before=$(requests) &&
	test_db_unchanged 1 tn_err announce local --channel masto --channel tg &&
	stderr_has "^turnout: channel .masto.: not posted: its registration link would lead to this machine \(base URL http://localhost:8080\)$" &&
	stderr_has "^turnout: channel .tg.: not posted" &&
	stderr_has "config base-url" &&
	test "$(requests)" = "$before" &&
	tn announce local --channel masto --dry-run >out-local 2>err-local &&
	grep -q "^would post on .masto." out-local &&
	tn announce local --channel letter >out-local-letter 2>/dev/null &&
	grep -q "^Register here: http://localhost:8080/r/" out-local-letter &&
	tn config base-url https://meet.example.org >/dev/null
'

test_expect_success 'a cancelled event, an unknown event or channel: refused before anything' '
	tn event create --title Gone --start "2030-11-01 19:00" --tz Europe/Berlin \
		--slug gone >/dev/null &&
	tn event cancel gone >/dev/null 2>&1 &&
	before=$(requests) &&
	test_db_unchanged 1 tn_err announce gone --channel masto &&
	stderr_has "^turnout: event .gone.: cancelled; it is not announced$" &&
	test_db_unchanged 2 tn_err announce picnic --channel masto --channel nosuch &&
	stderr_has "nosuch" &&
	test_db_unchanged 2 tn_err announce nosuch --channel masto &&
	test_db_unchanged 2 tn_err announce picnic &&
	stderr_has "^turnout: --channel: " &&
	test "$(requests)" = "$before"
'

test_expect_success 'an event that has started is not announced' '
	tn event create --title Past --start "2030-12-01 19:00" --tz Europe/Berlin \
		--slug past >/dev/null &&
	before=$(requests) &&
	TURNOUT_NOW=2030-12-02T10:00:00Z test_db_unchanged 1 tn_err announce past \
		--channel masto --channel letter &&
	stderr_has "^turnout: event .past.: started 2030-12-01T18:00:00Z \(UTC\); its registration is closed" &&
	test "$(requests)" = "$before"
'

test_expect_success 'a mastodon channel without a token gets the text to paste' '
	tn announce picnic --channel quiet >out-quiet &&
	grep -q "^not posted on .quiet. (mastodon): it has no API token; paste this there" out-quiet
'

test_expect_success 'event delete refuses an event with an announcement' '
	tn event create --title Draft --start "2030-12-01 19:00" --tz Europe/Berlin \
		--slug draft >/dev/null &&
	q "INSERT INTO announcement(event_id, channel_id, idempotency_key, created_at)
	   SELECT e.id, c.id, \"k-draft\", \"2030-01-01T00:00:00Z\"
	   FROM event e, channel c WHERE e.slug = \"draft\" AND c.name = \"masto\"" &&
	test_db_unchanged 1 tn_err event delete draft --yes &&
	stderr_has "^turnout: event .draft.: already announced or sent; it cannot be deleted$"
'

test_expect_success 'no token ever appears in what turnout printed' '
	ls out-* err-* >/dev/null &&
	! grep -l -F -e "$MASTO_TOKEN" -e "$FEDI_TOKEN" -e "$TG_TOKEN" -e "TG-SECRET" \
		out-* err-* "$TRASH/.stderr" &&
	! grep -q -F "/bot" err-401
'

kill -TERM "$(cat "$TRASH/api.pid")" && wait "$(cat "$TRASH/api.pid")" &&
sed -i "/^$(cat "$TRASH/api.pid")\$/d" "$TRASH/.servers"

test_done
