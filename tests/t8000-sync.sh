#!/usr/bin/env bash
# Online channels against a real web API on loopback (tests/api_fixture.py
# answering from a script this test writes): channel tokens read from a
# file, stdin or the environment and never shown; 'follower sync' paging
# through a Mastodon account's followers by their Link headers, resuming
# after a kill -9, refusing bad answers with nothing changed; and
# 'channel audience --fetch' for Mastodon and Telegram.
. "$(dirname "$0")/lib.sh"

TOKEN=tok-5e1f0c93a7
BOT_TOKEN=4242:bot-9d3b7aa1f0
export TURNOUT_NOW=2026-05-04T10:00:00Z
# requests fail fast and retry soon, so no case waits long
export TURNOUT_HTTP_BACKOFF=0.2

# api_start: the fixture on a port it picks, answering from script.json
# (rewritten by the cases), logging to api.log, its counters in
# api.state (removed to start the answers over). Exports PORT.
api_start() {
	rm -f api.port &&
	{ "$PY" "$TN_TOP/tests/api_fixture.py" --port-file api.port --script "$TRASH/script.json" \
		--log "$TRASH/api.log" --state "$TRASH/api.state" </dev/null >api.err 2>&1 & } &&
	echo $! >api.pid &&
	test_wait_for api.port &&
	PORT=$(cat api.port) &&
	export PORT
}
api_stop() {
	if [ -s "$TRASH/api.pid" ]; then
		kill -TERM "$(cat "$TRASH/api.pid")" 2>/dev/null
		wait "$(cat "$TRASH/api.pid")" 2>/dev/null
		rm -f "$TRASH/api.pid"
	fi
	return 0
}
# the fixture goes before the trash directory does
trap 'api_stop; rm -rf "$TRASH"' EXIT

# account JSON: one follower as the API gives it
acct() { printf '{"id":"%s","acct":"%s","username":"%s","display_name":"%s"}' "$1" "$2" "${2%%@*}" "$3"; }

# script PAGE1 PAGE2 PAGE3 [PAGE2-RESPONSES-BEFORE] [PAGE1-BEFORE] [PAGE3-LINK]:
# writes script.json for an account "club" (id 77, followers_count 6)
# whose followers come in three pages linked by rel="next"; each PAGE is
# a JSON array. Extra responses may come before a page's answer (a 429,
# a 503, a delay), and page 3 may link on (a loop). Counters start over.
script() {
	local link2="<http://127.0.0.1:{port}/api/v1/accounts/77/followers?limit=80&max_id=200>; rel=\\\"next\\\""
	local link3="<http://127.0.0.1:{port}/api/v1/accounts/77/followers?limit=80&max_id=100>; rel=\\\"next\\\""
	local extra3=
	if [ -n "$6" ]; then extra3=",\"headers\":{\"Link\":\"$6\"}"; fi
	rm -f api.state &&
	cat >script.json <<EOF
{"routes": [
 {"path": "/api/v1/accounts/lookup", "query": {"acct": "club"},
  "responses": [{"status": 200, "json": {"id": "77", "username": "club", "acct": "club", "followers_count": 6}}]},
 {"path": "/api/v1/accounts/77/followers", "query": {"max_id": "100"},
  "responses": [{"status": 200, "json": $3 $extra3}]},
 {"path": "/api/v1/accounts/77/followers", "query": {"max_id": "200"},
  "responses": [$4 {"status": 200, "headers": {"Link": "$link3"}, "json": $2}]},
 {"path": "/api/v1/accounts/77/followers", "query": {"limit": "80"},
  "responses": [$5 {"status": 200, "headers": {"Link": "$link2"}, "json": $1}]},
 {"path": "/bot$BOT_TOKEN/getChatMemberCount", "query": {"chat_id": "@readers"},
  "responses": [{"status": 200, "json": {"ok": true, "result": 950}}]},
 {"path": "/bot$BOT_TOKEN/getChatMemberCount",
  "responses": [{"status": 400, "json": {"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}}]}
]}
EOF
}

P1="[$(acct 1 alice 'Alice Martin'),$(acct 2 bob@other.example 'Bob'),$(acct 3 carol '')]"
P2="[$(acct 4 dave 'Dave D'),$(acct 5 erin@far.example 'Érin ✨')]"
P2_NO_DAVE="[$(acct 5 erin@far.example 'Érin ✨')]"
P3="[$(acct 6 frank 'Frank')]"

# followers: the channel's followers as "handle|name|unfollowed_at", sorted
followers() {
	q "SELECT f.handle || '|' || coalesce(p.name, '') || '|' || coalesce(f.unfollowed_at, '')
	   FROM follower f JOIN person p ON p.id = f.person_id
	   JOIN channel c ON c.id = f.channel_id WHERE c.name = 'masto' ORDER BY f.handle"
}
staged() { q "SELECT (SELECT count(*) FROM sync_run) + (SELECT count(*) FROM sync_page) + (SELECT count(*) FROM sync_follower)"; }

# test_wait_for_log TEXT: polls until the fixture has logged a request
# holding TEXT (30 s at most).
test_wait_for_log() {
	local tenths=300
	while ! grep -q -- "$1" "$TRASH/api.log"; do
		if [ "$tenths" -le 0 ]; then
			echo "timed out waiting for a request with $1" >&2
			return 1
		fi
		sleep 0.1
		tenths=$((tenths - 1))
	done
}

# wait_sql SQL VALUE: polls until SQL gives VALUE (30 s at most).
wait_sql() {
	local tenths=300
	while [ "$(q "$1")" != "$2" ]; do
		if [ "$tenths" -le 0 ]; then
			echo "timed out waiting for $1 = $2" >&2
			return 1
		fi
		sleep 0.1
		tenths=$((tenths - 1))
	done
}

# The fixture runs for the whole script: started here, outside the case
# bodies (each a subshell), so that PORT stays known.
script "$P1" "$P2" "$P3" && api_start

test_expect_success 'setup: a database, a token file and the API fixture' '
	setup_db &&
	printf "%s\n" "$TOKEN" >masto.token &&
	test -n "$PORT" &&
	kill -0 "$(cat api.pid)"
'

test_expect_success 'channel add checks a Mastodon or Telegram address for its kind' '
	test_db_unchanged 2 tn_err channel add m --kind mastodon --url https://social.example/club &&
	stderr_has "not an account.s address" &&
	stderr_has "https://instance.example/@account" &&
	test_db_unchanged 2 tn_err channel add m --kind mastodon --url http://social.example/@club &&
	stderr_has "plain http:// only to a loopback address" &&
	test_db_unchanged 2 tn_err channel add t --kind telegram --url https://example.org/readers &&
	stderr_has "not a t.me address" &&
	test_db_unchanged 2 tn_err channel add t --kind telegram --url https://t.me/+AbCdEf &&
	test_db_unchanged 2 tn_err channel add m --kind mastodon --url https://social.example/@club --token "$TOKEN" &&
	test_db_unchanged 2 tn_err channel add m --kind mastodon --url https://social.example/@club \
		--token-file masto.token --token-env HOME &&
	test_db_unchanged 1 tn_err channel add m --kind mastodon --url https://social.example/@club \
		--token-file missing.token &&
	stderr_has "^turnout: --token-file: .missing.token.: cannot read" &&
	printf "two words\n" >bad.token &&
	test_db_unchanged 2 tn_err channel add m --kind mastodon --url https://social.example/@club \
		--token-file bad.token &&
	test_db_unchanged 2 tn_err channel update nosuch --url https://t.me/x
'

test_expect_success 'channel add with --token-file keeps the token and shows only that one is set' '
	tn channel add masto --kind mastodon --url "http://127.0.0.1:$PORT/@club" \
		--token-file masto.token >add.out 2>add.err &&
	grep -q "^added channel .masto. (mastodon)" add.out &&
	test "$(q "SELECT token FROM channel_token")" = "$TOKEN" &&
	tn channel list >list.out 2>list.err &&
	tn channel list --json >list.json 2>>list.err &&
	tn channel show masto >show.out 2>show.err &&
	tn channel show masto --json >show.json 2>>show.err &&
	grep -q "^token: *set$" show.out &&
	$PY -c "import json,sys; d=json.load(open(\"show.json\")); assert d[\"token\"] is True, d; l=json.load(open(\"list.json\")); assert l[0][\"token\"] is True, l" &&
	! grep -q "$TOKEN" add.out add.err list.out list.json list.err show.out show.json show.err
'

test_expect_success 'a token from standard input or the environment; a changed URL is checked for its kind' '
	printf "%s\r\n" "$BOT_TOKEN" | tn channel add tg --kind telegram --url https://t.me/readers \
		--token-file - >tg.out 2>tg.err &&
	test "$(q "SELECT t.token FROM channel_token t JOIN channel c ON c.id = t.channel_id WHERE c.name = '"'tg'"'")" = "$BOT_TOKEN" &&
	TG_TOKEN="$BOT_TOKEN" tn channel token tg --token-env TG_TOKEN >tok.out 2>tok.err &&
	grep -q "^replaced the token of channel .tg.$" tok.out &&
	test_db_unchanged 2 tn_err channel token tg --token-env NO_SUCH_VARIABLE &&
	stderr_has "NO_SUCH_VARIABLE is not set" &&
	test_db_unchanged 2 tn_err channel token tg &&
	test_db_unchanged 2 tn_err channel update tg --url https://social.example/@x &&
	stderr_has "not a t.me address" &&
	! grep -q "$BOT_TOKEN" tg.out tg.err tok.out tok.err
'

test_expect_success 'follower sync reads three pages and applies them as the channel list' '
	tn follower sync masto >sync1.out 2>sync1.err &&
	cat >expect <<-EOF &&
	alice@127.0.0.1|Alice Martin|
	bob@other.example|Bob|
	carol@127.0.0.1|carol|
	dave@127.0.0.1|Dave D|
	erin@far.example|Érin ✨|
	frank@127.0.0.1|Frank|
	EOF
	followers >actual &&
	test_cmp expect actual &&
	grep -q "^synced .masto.: 6 followers fetched (3 pages), 6 new, 0 updated, 0 unfollowed, 0 suppressed, audience 6$" sync1.out &&
	test "$(q "SELECT date || \" \" || size FROM channel_audience a JOIN channel c ON c.id = a.channel_id WHERE c.name = '"'masto'"'")" = "2026-05-04 6" &&
	test "$(staged)" = 0 &&
	grep -c "\"authorization\": \"Bearer $TOKEN\"" api.log >n &&
	test "$(cat n)" = 4 &&
	grep -q "\"query\": \"limit=80\"" api.log &&
	grep -q "\"user-agent\": \"turnout/" api.log
'

test_expect_success 'a follower gone is unfollowed; back again, followed again' '
	script "$P1" "$P2_NO_DAVE" "$P3" &&
	tn follower sync masto --json >sync2.json 2>sync2.err &&
	$PY -c "import json; d=json.load(open(\"sync2.json\")); assert (d[\"fetched\"], d[\"new\"], d[\"updated\"], d[\"unfollowed\"], d[\"audience\"], d[\"resumed\"]) == (5, 0, 5, 1, 6, False), d" &&
	test "$(followers | grep ^dave@)" = "dave@127.0.0.1|Dave D|2026-05-04" &&
	script "$P1" "$P2" "$P3" &&
	tn follower sync masto >sync3.out 2>sync3.err &&
	test "$(followers | grep ^dave@)" = "dave@127.0.0.1|Dave D|" &&
	grep -q "6 followers fetched (3 pages), 0 new, 6 updated, 0 unfollowed" sync3.out
'

test_expect_success 'a 429 with Retry-After and a 503 are waited out' '
	script "$P1" "$P2" "$P3" "{\"status\": 503, \"json\": {\"error\": \"busy\"}}," \
		"{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}, \"json\": {\"error\": \"Too many requests\"}}," &&
	: >api.log &&
	tn follower sync masto >sync4.out 2>sync4.err &&
	grep -q "6 followers fetched (3 pages)" sync4.out &&
	test "$(grep -c "\"query\": \"limit=80\"" api.log)" = 2 &&
	test "$(grep -c "max_id=200" api.log)" = 2 &&
	test "$(staged)" = 0
'

test_expect_success 'a page that is not JSON ends the sync with nothing changed' '
	script "$P1" "\"x\"" "$P3" &&
	sed -i "s/\"json\": \"x\"/\"body\": \"<html>oops<\/html>\"/" script.json &&
	test_db_unchanged 1 tn_err follower sync masto &&
	stderr_has "^turnout: channel .masto.: the answer is not JSON" &&
	script "$P1" "{\"accounts\": []}" "$P3" &&
	test_db_unchanged 1 tn_err follower sync masto &&
	stderr_has "^turnout: channel .masto.: page 2 of followers is not a JSON array" &&
	script "$P1" "[{\"id\": \"9\", \"username\": \"x\"}]" "$P3" &&
	test_db_unchanged 1 tn_err follower sync masto &&
	stderr_has "page 2, follower 1: no \"acct\""
'

test_expect_success 'a page loop ends the sync with nothing changed' '
	script "$P1" "$P2" "$P3" "" "" "<http://127.0.0.1:{port}/api/v1/accounts/77/followers?limit=80&max_id=200>; rel=\\\"next\\\"" &&
	test_db_unchanged 1 tn_err follower sync masto &&
	stderr_has "^turnout: channel .masto.: page loop"
'

test_expect_success 'a next page on another server is refused: the token stays home' '
	script "$P1" "$P2" "$P3" "" "" "<https://elsewhere.example/api/v1/accounts/77/followers?max_id=1>; rel=\\\"next\\\"" &&
	: >api.log &&
	test_db_unchanged 1 tn_err follower sync masto &&
	stderr_has "next page is on another server" &&
	! grep -q elsewhere api.log
'

test_expect_success 'a refused token (401) is a clear error naming the channel, nothing changed' '
	script "$P1" "$P2" "$P3" "{\"status\": 401, \"json\": {\"error\": \"The access token is invalid\"}}," &&
	test_db_unchanged 1 tn_err follower sync masto &&
	stderr_has "^turnout: channel .masto.: the server refused the token \(401\)" &&
	stderr_has "channel token"
'

test_expect_success 'an account that lists no followers though it has some changes nothing' '
	rm -f api.state &&
	cat >script.json <<-\EOF &&
	{"routes": [
	 {"path": "/api/v1/accounts/lookup", "query": {"acct": "club"},
	  "responses": [{"status": 200, "json": {"id": "77", "username": "club", "acct": "club", "followers_count": 6}}]},
	 {"path": "/api/v1/accounts/77/followers",
	  "responses": [{"status": 200, "json": []}]}
	]}
	EOF
	test_db_unchanged 1 tn_err follower sync masto &&
	stderr_has "lists no followers, though the account has 6" &&
	stderr_has "nothing was changed" &&
	test "$(staged)" = 0
'

test_expect_success 'a telegram channel cannot be synced: a usage error pointing at import' '
	test_db_unchanged 2 tn_err follower sync tg &&
	stderr_has "follower sync is for Mastodon-compatible servers" &&
	stderr_has "turnout follower import tg FILE"
'

test_expect_success 'a page slower than the timeout fails; the pages kept resume the sync' '
	script "$P1" "$P2_NO_DAVE" "$P3" "{\"status\": 200, \"json\": [], \"delay\": 4}," &&
	followers >before &&
	test_expect_code 1 env TURNOUT_HTTP_TIMEOUT=1 TURNOUT_HTTP_RETRIES=0 \
		"$TURNOUT" follower sync masto >slow.out 2>slow.err &&
	grep -q "^turnout: channel .masto.: no answer in time" slow.err &&
	grep -q "run the sync again" slow.err &&
	followers >after &&
	test_cmp before after &&
	test "$(q "SELECT pages FROM sync_run")" = 1 &&
	: >api.log &&
	tn follower sync masto >resume.out 2>resume.err &&
	grep -q "^synced .masto. (resumed): 5 followers fetched (3 pages), 0 new, 5 updated, 1 unfollowed" resume.out &&
	test "$(staged)" = 0 &&
	! grep -q "\"query\": \"limit=80\"" api.log &&
	! grep -q lookup api.log
'

test_expect_success 'kill -9 between pages, then a re-run: the state of an uninterrupted sync' '
	cp "$TURNOUT_DB" other.db &&
	script "$P1" "$P2" "$P3" &&
	tn --db other.db follower sync masto >/dev/null 2>&1 &&
	TURNOUT_DB=other.db followers >expect &&
	script "$P1" "$P2" "$P3" "{\"status\": 200, \"json\": [], \"delay\": 60}," &&
	: >api.log &&
	{ "$TURNOUT" follower sync masto >killed.out 2>killed.err & } &&
	pid=$! &&
	wait_sql "SELECT pages FROM sync_run" 1 &&
	test_wait_for_log "max_id=200" &&
	kill -9 $pid &&
	test_expect_code 137 wait $pid &&
	test "$(q "PRAGMA integrity_check")" = ok &&
	test "$(q "SELECT count(*) FROM sync_follower")" = 3 &&
	tn follower sync masto >rerun.out 2>rerun.err &&
	grep -q "(resumed): 6 followers fetched (3 pages)" rerun.out &&
	followers >actual &&
	test_cmp expect actual &&
	test "$(grep -c "\"query\": \"limit=80\"" api.log)" = 1 &&
	test "$(staged)" = 0
'

test_expect_success 'a forgotten follower is not brought back by a sync' '
	id=$(q "SELECT person_id FROM follower WHERE handle = '"'bob@other.example'"'") &&
	tn follower forget "$id" --yes >/dev/null 2>&1 &&
	script "$P1" "$P2" "$P3" &&
	tn follower sync masto --json >forgot.json 2>forgot.err &&
	$PY -c "import json; d=json.load(open(\"forgot.json\")); assert d[\"suppressed\"] == 1 and d[\"new\"] == 0, d" &&
	test "$(q "SELECT count(*) FROM follower WHERE handle LIKE '"'bob%'"'")" = 0 &&
	test "$(q "SELECT count(*) FROM person WHERE name = '"'Bob'"'")" = 0 &&
	test "$(staged)" = 0
'

test_expect_success 'forgetting a follower erases their handle from an interrupted sync too' '
	script "$P1" "$P2" "$P3" "{\"status\": 200, \"json\": [], \"delay\": 60}," &&
	: >api.log &&
	{ "$TURNOUT" follower sync masto >killed2.out 2>killed2.err & } &&
	pid=$! &&
	wait_sql "SELECT pages FROM sync_run" 1 &&
	test_wait_for_log "max_id=200" &&
	kill -9 $pid &&
	test_expect_code 137 wait $pid &&
	test "$(q "SELECT count(*) FROM sync_follower WHERE handle LIKE '"'alice@%'"'")" = 1 &&
	id=$(q "SELECT person_id FROM follower WHERE handle LIKE '"'alice@%'"'") &&
	tn follower forget "$id" --yes >/dev/null 2>&1 &&
	test "$(q "SELECT count(*) FROM sync_follower WHERE handle LIKE '"'alice@%'"'")" = 0 &&
	test "$(q "SELECT count(*) FROM sync_follower")" -gt 0 &&
	script "$P1" "$P2" "$P3" &&
	tn follower sync masto --json >forgot2.json 2>forgot2.err &&
	$PY -c "import json; d=json.load(open(\"forgot2.json\")); assert d[\"fetched\"] == 5 and d[\"suppressed\"] == 1, d" &&
	test "$(staged)" = 0
'

test_expect_success 'channel audience --fetch: Mastodon followers_count, Telegram member count' '
	script "$P1" "$P2" "$P3" &&
	TURNOUT_NOW=2026-05-05T09:00:00Z tn channel audience masto --fetch >aud1.out 2>aud1.err &&
	grep -q "audience 6 as of 2026-05-05" aud1.out &&
	test_db_unchanged 2 tn_err config telegram-api http://api.example.org &&
	stderr_has "loopback" &&
	tn config telegram-api "http://127.0.0.1:$PORT/" >cfg.out 2>cfg.err &&
	test "$(q "SELECT value FROM setting WHERE key = '"'telegram_api'"'")" = "http://127.0.0.1:$PORT" &&
	tn channel audience tg --fetch --json >aud2.json 2>aud2.err &&
	$PY -c "import json; d=json.load(open(\"aud2.json\")); assert d[\"audience\"] == 950 and d[\"token\"] is True, d" &&
	grep -q "\"path\": \"/bot$BOT_TOKEN/getChatMemberCount\", \"query\": \"chat_id=%40readers\"" api.log &&
	test_db_unchanged 2 tn_err channel audience tg --fetch 5 &&
	test_db_unchanged 2 tn_err channel audience letter --fetch
'

test_expect_success 'a Telegram error answer is quoted, never the URL or the token' '
	tn channel update tg --url https://t.me/nosuchchannel >/dev/null &&
	test_db_unchanged 1 tn_err channel audience tg --fetch &&
	cp .stderr tgerr.err &&
	stderr_has "^turnout: channel .tg.: " &&
	stderr_has "chat not found" &&
	! grep -q "$BOT_TOKEN" tgerr.err &&
	! grep -q "/bot" tgerr.err
'

test_expect_success 'channel token --clear strips the token; later requests carry none' '
	tn channel token masto --clear >clear.out 2>clear.err &&
	grep -q "^cleared the token of channel .masto.$" clear.out &&
	test "$(q "SELECT count(*) FROM channel_token t JOIN channel c ON c.id = t.channel_id WHERE c.name = '"'masto'"'")" = 0 &&
	tn channel token masto --clear >clear2.out 2>&1 &&
	grep -q "no token to clear" clear2.out &&
	tn channel show masto >show2.out &&
	grep -q "^token: *none$" show2.out &&
	: >api.log &&
	tn follower sync masto >/dev/null 2>&1 &&
	! grep -q authorization api.log
'

test_expect_success 'no token in any output of this script' '
	api_stop &&
	! grep -rl -e "$TOKEN" -e "$BOT_TOKEN" --exclude=masto.token --exclude=api.log \
		--exclude="turnout.db*" --exclude="other.db*" --exclude=script.json --exclude=api.state \
		--exclude=.before --exclude=.after . >found ||
	{ cat found; false; }
'

test_done
