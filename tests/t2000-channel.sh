#!/usr/bin/env bash
# channel add / list / audience, and every bad input they name.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	setup_db
'

test_expect_success 'channel add records kind, url and a dated audience' '
	TURNOUT_NOW=2026-09-01T10:00:00Z tn channel add "Weekly Letter" --kind newsletter --url https://letter.example.org --audience 1200 >out &&
	grep -q "added channel .Weekly Letter. (newsletter)" out &&
	test "$(sqlite3 turnout.db "SELECT kind, url FROM channel WHERE name = '\''Weekly Letter'\''")" = "newsletter|https://letter.example.org" &&
	test "$(sqlite3 turnout.db "SELECT date, size FROM channel_audience")" = "2026-09-01|1200"
'

test_expect_success 'channel add without an audience records no figure' '
	tn channel add tg --kind telegram >/dev/null &&
	test "$(sqlite3 turnout.db "SELECT count(*) FROM channel_audience a JOIN channel c ON c.id = a.channel_id WHERE c.name = '\''tg'\''")" = 0
'

test_expect_success 'channel audience keeps a dated history; the latest is listed' '
	tn channel audience tg 300 --date 2026-01-15 &&
	tn channel audience tg 450 --date 2026-06-01 &&
	tn channel audience tg 400 --date 2026-03-01 &&
	tn channel audience tg 470 --date 2026-06-01 &&
	tn channel list --json >list.json &&
	$PY - <<-PYEOF
	import json
	chans = {c["name"]: c for c in json.load(open("list.json"))}
	tg = chans["tg"]
	assert tg["audience"] == 470, tg
	assert [(h["date"], h["size"]) for h in tg["audience_history"]] == [
	    ("2026-01-15", 300), ("2026-03-01", 400), ("2026-06-01", 470)], tg
	assert chans["Weekly Letter"]["kind"] == "newsletter"
	assert chans["Weekly Letter"]["followers"] == 0
	PYEOF
'

test_expect_success 'a figure dated in the future is kept but not shown as the current audience' '
	TURNOUT_NOW=2026-07-01T00:00:00Z tn channel audience tg 99999 --date 2031-01-01 &&
	TURNOUT_NOW=2026-07-01T00:00:00Z tn channel list --json >list.json &&
	$PY -c "import json; tg = [c for c in json.load(open(\"list.json\")) if c[\"name\"] == \"tg\"][0]; assert tg[\"audience\"] == 470 and tg[\"audience_history\"][-1] == {\"date\": \"2031-01-01\", \"size\": 99999}, tg" &&
	sqlite3 turnout.db "DELETE FROM channel_audience WHERE date = '\''2031-01-01'\''"
'

test_expect_success 'channel list prints an aligned table' '
	tn channel list >out &&
	head -1 out | grep -q "^NAME *KIND *AUDIENCE *AS OF *FOLLOWERS *URL" &&
	grep -q "^tg  *telegram  *470 2026-06-01  *0" out
'

test_expect_success 'a duplicate name (any case) is a usage error and changes nothing' '
	test_db_unchanged 2 tn channel add TG --kind telegram 2>err &&
	grep -q "turnout: channel .TG.: already exists (as .tg.)" err
'

test_expect_success 'bad channel add input: usage errors naming the flag, nothing changed' '
	test_db_unchanged 2 tn channel add blog 2>err &&
	grep -q "kind is required" err &&
	test_db_unchanged 2 tn channel add blog --kind myspace 2>err &&
	grep -q "turnout: --kind: .myspace.: unknown channel kind" err &&
	grep -q "hint: kinds are newsletter" err &&
	test_db_unchanged 2 tn channel add blog --kind blog --url "javascript:alert(1)" 2>err &&
	grep -q "turnout: --url: " err &&
	test_db_unchanged 2 tn channel add blog --kind blog --audience -5 2>err &&
	grep -q "turnout: --audience: .-5.: not a whole number" err &&
	test_db_unchanged 2 tn channel add blog --kind blog --audience 12x 2>err &&
	test_db_unchanged 2 tn channel add blog --kind blog --audience " 5" 2>err &&
	test_db_unchanged 2 tn channel add "" --kind blog 2>err &&
	grep -q "channel name: empty" err &&
	test_db_unchanged 2 tn channel add "$(printf "bad\033[2Jname")" --kind blog 2>err &&
	grep -q "control character" err &&
	test_db_unchanged 2 tn channel add 2>err &&
	grep -q "missing argument" err
'

test_expect_success 'bad channel audience input: usage errors, nothing changed' '
	test_db_unchanged 2 tn channel audience nosuch 10 2>err &&
	grep -q "turnout: channel .nosuch.: no such channel" err &&
	test_db_unchanged 2 tn channel audience tg lots 2>err &&
	grep -q "not a whole number" err &&
	test_db_unchanged 2 tn channel audience tg 10 --date 2026-02-30 2>err &&
	grep -q "turnout: --date: .2026-02-30.: not a date" err &&
	test_db_unchanged 2 tn channel audience tg 10 --date yesterday 2>err &&
	test_db_unchanged 2 tn channel audience tg 2>err
'

test_expect_success 'channel names with terminal escapes cannot reach the terminal raw' '
	sqlite3 turnout.db "INSERT INTO channel(name, kind, created_at) VALUES(char(27) || '\''[31mred'\'', '\''other'\'', '\''2026-01-01'\'')" &&
	tn channel list >out &&
	! grep -q "$(printf "\033")" out &&
	grep -q "red" out
'

test_expect_success 'error messages quoting user input are terminal-safe' '
	test_expect_code 2 tn channel audience "$(printf "x\033[2Jy")" 10 2>err &&
	grep -q "no such channel" err &&
	! grep -q "$(printf "\033")" err &&
	test_expect_code 2 tn channel list "--$(printf "\033]0;t\007")" 2>err &&
	grep -q "unknown option" err &&
	! grep -q "$(printf "\033")" err
'

test_expect_success 'channel list aligns Cyrillic, CJK, emoji and bidi names by display width' '
	tn channel add "Новости" --kind newsletter >/dev/null &&
	tn channel add "读书会" --kind other >/dev/null &&
	tn channel add "🎉 party" --kind other >/dev/null &&
	tn channel add "$(printf "evil\342\200\256txt.exe")" --kind other >/dev/null &&
	tn channel list >out &&
	! grep -q "$(printf "\342\200\256")" out &&
	grep -q "evil�txt.exe" out &&
	$PY -c "
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in \"WF\" else 1 for c in s)
lines = open(\"out\", encoding=\"utf-8\").read().splitlines()
cols = {}
for line in lines[1:]:
    for kind in (\" newsletter \", \" telegram \", \" other \", \" blog \"):
        i = line.find(kind)
        if i >= 0:
            cols[line[:i].rstrip()] = width(line[:i])
            break
assert len(set(cols.values())) == 1, cols   # one width, measured by display width
assert {\"Новости\", \"读书会\", \"🎉 party\"} <= set(cols), cols
"
'

test_expect_success 'channel rename keeps the followers and history; a taken name is refused' '
	setup_db &&
	tn channel add tg --kind telegram --audience 50 >/dev/null &&
	tn channel add news --kind newsletter >/dev/null &&
	printf "handle\nolga\n" >tg.csv &&
	tn follower import tg tg.csv >/dev/null &&
	tn channel rename tg "Telegram RU" >out &&
	grep -q "^renamed to .Telegram RU. (telegram); audience 50 as of " out &&
	tn channel list --json >list.json &&
	$PY -c "import json,sys; d={c[\"name\"]: c for c in json.load(open(sys.argv[1]))}; assert d[\"Telegram RU\"][\"followers\"] == 1 and len(d[\"Telegram RU\"][\"audience_history\"]) == 1, d" list.json &&
	test_db_unchanged 2 tn_err channel rename news "telegram ru" &&
	stderr_has "channel .telegram ru.: already exists \(as .Telegram RU.\)" &&
	test_db_unchanged 2 tn_err channel rename nosuch x &&
	stderr_has "no such channel" &&
	test_db_unchanged 2 tn_err channel rename news "" &&
	stderr_has "channel name: empty" &&
	tn channel rename news NEWS >/dev/null &&
	tn channel list >out &&
	grep -q "^NEWS " out
'

test_expect_success 'channel update changes kind and URL; "" clears the URL' '
	tn channel update NEWS --kind blog --url https://blog.example.org --json >ch.json &&
	$PY -c "import json,sys; c=json.load(open(sys.argv[1])); assert c[\"kind\"] == \"blog\" and c[\"url\"] == \"https://blog.example.org\", c" ch.json &&
	tn channel update NEWS --url "" >out &&
	grep -q "^updated channel .NEWS. (blog)$" out &&
	test "$(sqlite3 turnout.db "SELECT url IS NULL FROM channel WHERE name = '\''NEWS'\''")" = 1 &&
	test_db_unchanged 2 tn_err channel update NEWS &&
	stderr_has "nothing to change" &&
	test_db_unchanged 2 tn_err channel update NEWS --kind blgo &&
	stderr_has "did you mean .blog." &&
	test_db_unchanged 2 tn_err channel update NEWS --url ftp://x.example.org &&
	stderr_has "^turnout: --url: "
'

test_expect_success 'channel remove only while nothing refers to it' '
	test_db_unchanged 1 tn_err channel remove "Telegram RU" &&
	stderr_has "1 follower rows refer to it" &&
	tn channel audience NEWS 10 >/dev/null &&
	tn channel remove NEWS >out &&
	grep -q "^removed channel .NEWS.$" out &&
	test "$(sqlite3 turnout.db "SELECT count(*) FROM channel_audience a LEFT JOIN channel c ON c.id = a.channel_id WHERE c.id IS NULL")" = 0 &&
	test_db_unchanged 2 tn_err channel remove NEWS &&
	stderr_has "no such channel"
'

test_expect_success 'channel add and audience say what they did' '
	tn channel add web --kind blog >out &&
	grep -q "^added channel .web. (blog)$" out &&
	tn channel audience web 120 --date 2026-01-01 >out &&
	grep -q "^recorded audience of .web. (blog); audience 120 as of 2026-01-01$" out &&
	tn channel audience web 130 --date 2026-01-02 --json >a.json &&
	$PY -c "import json,sys; c=json.load(open(sys.argv[1])); assert c[\"audience\"] == 130 and [h[\"size\"] for h in c[\"audience_history\"]] == [120, 130], c" a.json
'

test_expect_success 'channel show counts the followers known today, as list does' '
	tn channel add shown --kind newsletter --audience 50 >/dev/null &&
	tn channel show shown >out &&
	grep -q "^followers: 0$" out &&
	printf "email\na@example.org\nb@example.org\nc@example.org\n" >shown.csv &&
	tn follower import shown shown.csv >/dev/null &&
	tn follower unfollow c@example.org --channel shown >/dev/null &&
	tn channel show shown >out &&
	grep -q "^followers: 2$" out &&
	grep -q "^audience:  50 as of " out &&
	tn channel show shown --json >show.json &&
	tn channel list --json >list.json &&
	$PY -c "import json; d = json.load(open(\"show.json\")); l = [c for c in json.load(open(\"list.json\")) if c[\"name\"] == \"shown\"]; assert d[\"followers\"] == 2 and l[0][\"followers\"] == 2, (d, l)"
'

test_done
