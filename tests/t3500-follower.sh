#!/usr/bin/env bash
# follower list / show / forget on imported followers.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: import three channels' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel add tg --kind telegram >/dev/null &&
	tn channel add masto --kind mastodon >/dev/null &&
	cat >news.csv <<-\EOF &&
	email,name,region,followed_at
	anna@example.org,Anna Berg,Berlin,2026-01-10
	ivan.petrov@Example.ORG,Иван Петров,Moscow,2026-02-01
	zoe@example.net,Zoe Quist,Berlin,2026-03-05
	EOF
	cat >tg.csv <<-\EOF &&
	username,email,name,city
	@ivanp,ivan.petrov@example.org,Иван Петров,Moscow
	@tgonly,,Telegram Only,Kazan
	EOF
	cat >masto.csv <<-\EOF &&
	handle,name
	@zoe@mastodon.social,Zoe Quist
	EOF
	tn follower import news news.csv >/dev/null &&
	tn follower import tg tg.csv >/dev/null &&
	tn follower import masto masto.csv >/dev/null
'

test_expect_success 'follower list shows one line per person with their channels' '
	tn follower list >out &&
	head -1 out | grep -q "^ID  *NAME  *EMAIL  *CHANNELS  *REGION$" &&
	test "$(tail -n +2 out | wc -l)" = 5 &&
	grep -q " Иван Петров  *ivan.petrov@example.org  *news, tg @ivanp  *Moscow$" out &&
	grep -q " Telegram Only  *-  *tg @tgonly  *Kazan$" out &&
	tn follower list --format tsv >out &&
	head -1 out | grep -q "^ID	NAME	EMAIL	CHANNELS	REGION$" &&
	test "$(tail -n +2 out | wc -l)" = 5 &&
	grep -q "	Иван Петров	ivan.petrov@example.org	news, tg @ivanp	Moscow$" out &&
	grep -q "	Telegram Only		tg @tgonly	Kazan$" out
'

test_expect_success 'follower list --channel and --region filter' '
	tn follower list --channel tg --json >tg.json &&
	$PY -c "import json; d = json.load(open(\"tg.json\")); assert sorted(p[\"name\"] for p in d) == [\"Telegram Only\", \"Иван Петров\"], d" &&
	tn follower list --region berlin --json >berlin.json &&
	$PY -c "import json; d = json.load(open(\"berlin.json\")); assert sorted(p[\"name\"] for p in d) == [\"Anna Berg\", \"Zoe Quist\"], d"
'

test_expect_success '--channel and --region hold for the same follower row' '
	printf "email,name,city\nbob.two@example.org,Bob Two,Berlin\ncarl@example.org,Carl,New York\n" >n2.csv &&
	printf "email,city\nbob.two@example.org,Paris\ncarl@example.org,York\n" >t2.csv &&
	tn follower import news n2.csv >/dev/null &&
	tn follower import tg t2.csv >/dev/null &&
	tn follower list --channel tg --region Berlin --json >x.json &&
	$PY -c "import json; d = json.load(open(\"x.json\")); assert \"Bob Two\" not in [p[\"name\"] for p in d], d" &&
	tn follower list --channel tg --region paris --json >x.json &&
	$PY -c "import json; d = json.load(open(\"x.json\")); assert [p[\"name\"] for p in d] == [\"Bob Two\"], d" &&
	tn follower list --region york --format tsv >out &&
	grep -q "	Carl	carl@example.org	news, tg	New York, York$" out
'

test_expect_success '--region ignores case in Cyrillic too' '
	printf "email,name,city\nolga@example.org,Ольга,Москва\n" >o.csv &&
	tn follower import news o.csv >/dev/null &&
	tn follower list --region москва --json >x.json &&
	$PY -c "import json; d = json.load(open(\"x.json\")); assert [p[\"name\"] for p in d] == [\"Ольга\"], d" &&
	tn follower list --region МОСКВА --json >y.json &&
	test_cmp x.json y.json
'

test_expect_success 'follower list with an unknown channel is a usage error' '
	test_expect_code 2 tn follower list --channel nope 2>err &&
	grep -q "turnout: channel .nope.: no such channel" err
'

test_expect_success 'follower show finds a person by id, e-mail (any domain case) or handle' '
	tn follower show ivan.petrov@EXAMPLE.org --json >a.json &&
	tn follower show @ivanp --json >b.json &&
	id=$($PY -c "import json; print(json.load(open(\"a.json\"))[\"id\"])") &&
	tn follower show "$id" --json >c.json &&
	test_cmp a.json b.json && test_cmp a.json c.json &&
	$PY -c "import json; d = json.load(open(\"a.json\")); assert [c[\"channel\"] for c in d[\"channels\"]] == [\"news\", \"tg\"], d" &&
	tn follower show @ivanp >out &&
	grep -q "^follows *tg @ivanp, Moscow" out
'

test_expect_success 'follower show of an unknown person is a usage error' '
	test_expect_code 2 tn follower show nobody@example.org 2>err &&
	grep -q "turnout: person .nobody@example.org.: no such person" err &&
	test_expect_code 2 tn follower show 9999 2>err &&
	test_expect_code 2 tn follower show @ghost 2>err
'

test_expect_success 'follower forget with an unknown person changes nothing' '
	test_db_unchanged 2 tn follower forget nobody@example.org 2>err &&
	grep -q "no such person" err
'

test_expect_success 'forget erases name, e-mail and handle from the database files' '
	cat >zed1.csv <<-CSV &&
	email,name,handle
	zyx.secret@example.org,Zyxwvut Early,zyxhandle
	CSV
	cat >zed2.csv <<-CSV &&
	email,name,handle
	zyx.secret@example.org,Zyxwvut Qwertyson,zyxhandle
	CSV
	tn follower import news zed1.csv >/dev/null &&
	tn follower import tg zed2.csv >/dev/null &&
	grep -a -q "Zyxwvut Qwertyson" turnout.db turnout.db-wal &&
	before=$(sqlite3 turnout.db "SELECT count(*) FROM follower") &&
	tn follower forget zyx.secret@example.org >out &&
	grep -q "^forgot person " out &&
	for s in Zyxwvut zyx.secret zyxhandle; do
		if cat turnout.db turnout.db-wal 2>/dev/null | grep -a -q "$s"; then
			echo "still in the database files: $s"; exit 1
		fi
	done &&
	test "$(sqlite3 turnout.db "SELECT count(*) FROM follower")" = "$before" &&
	test "$(sqlite3 turnout.db "PRAGMA integrity_check")" = ok
'

test_expect_success 'a forgotten person is not listed and forgetting twice says so' '
	tn follower list >out &&
	! grep -q Zyxwvut out &&
	id=$(sqlite3 turnout.db "SELECT id FROM person WHERE forgotten_at IS NOT NULL") &&
	tn follower show "$id" >out &&
	grep -q "^forgotten " out &&
	db_dump >before &&
	tn follower forget "$id" 2>err &&
	grep -q "already forgotten; nothing changed" err &&
	db_dump >after && test_cmp before after
'

test_expect_success 'forgetting keeps the anonymous counts of channel list' '
	tn channel list --json >ch.json &&
	$PY -c "import json; d = {c[\"name\"]: c[\"followers\"] for c in json.load(open(\"ch.json\"))}; assert d == {\"masto\": 1, \"news\": 7, \"tg\": 5}, d"
'

test_expect_success 'forget while another process reads: done, warned, finished on a retry' '
	printf "email,name\nqwerty.busy@example.org,Busybody Uniquename\n" >busy.csv &&
	tn follower import news busy.csv >/dev/null &&
	cat >reader.py <<-\PYEOF &&
	import sqlite3, sys, time
	c = sqlite3.connect(sys.argv[1], isolation_level=None)
	c.execute("BEGIN"); c.execute("SELECT count(*) FROM person").fetchone()
	open("reader-ready", "w").close(); time.sleep(4); c.execute("COMMIT")
	PYEOF
	{ $PY reader.py turnout.db & } &&
	reader=$! &&
	test_wait_for reader-ready &&
	tn follower forget qwerty.busy@example.org >out 2>err &&
	grep -q "^forgot person" out &&
	grep -q "warning: another process has the database open" err &&
	id=$(sqlite3 turnout.db "SELECT id FROM person WHERE forgotten_at IS NOT NULL ORDER BY id DESC LIMIT 1") &&
	wait $reader &&
	tn follower forget "$id" 2>err &&
	! grep -q warning err &&
	for s in Busybody qwerty.busy; do
		if cat turnout.db turnout.db-wal 2>/dev/null | grep -a -q "$s"; then
			echo "still in the database files: $s"; exit 1
		fi
	done
'

test_expect_success 'names with terminal escapes are neutralised in listings' '
	printf "email,name\nevil@example.org,\"Evil\033]0;pwned\007Name\"\n" >evil.csv &&
	tn follower import news evil.csv >/dev/null &&
	tn follower list >out &&
	! grep -q "$(printf "\033")" out &&
	tn follower show evil@example.org >out &&
	! grep -q "$(printf "\033")" out
'

test_expect_success '--region matches across case, accents and Unicode forms' '
	# München is written decomposed (u + U+0308), as some macOS tools do
	printf "email,name,city\n%s\n%s\n%s\n%s\n%s\n" \
		"ayse@example.org,Ayşe,İstanbul" \
		"max@example.org,Max,$(printf "Mu\314\210nchen")" \
		"gerd@example.org,Gerd,Straße" \
		"eleni@example.org,Ελένη,Σοφία" \
		"yana@example.org,Яна,Ёлки" >u.csv &&
	tn follower import news u.csv >/dev/null &&
	for q in istanbul İSTANBUL İstanbul; do
		tn follower list --region "$q" --json >x.json &&
		$PY -c "import json; d = json.load(open(\"x.json\")); assert [p[\"name\"] for p in d] == [\"Ayşe\"], (\"$q\", d)" || exit 1
	done &&
	for q in MÜNCHEN munchen München; do
		tn follower list --region "$q" --json >x.json &&
		$PY -c "import json; d = json.load(open(\"x.json\")); assert [p[\"name\"] for p in d] == [\"Max\"], (\"$q\", d)" || exit 1
	done &&
	tn follower list --region STRASSE --json >x.json &&
	$PY -c "import json; d = json.load(open(\"x.json\")); assert [p[\"name\"] for p in d] == [\"Gerd\"], d" &&
	tn follower list --region ΣΟΦΊΑ --json >x.json &&
	$PY -c "import json; d = json.load(open(\"x.json\")); assert [p[\"name\"] for p in d] == [\"Ελένη\"], d" &&
	tn follower list --region елки --json >x.json &&
	$PY -c "import json; d = json.load(open(\"x.json\")); assert [p[\"name\"] for p in d] == [\"Яна\"], d" &&
	test_expect_code 0 tn follower list --region "$(printf "\377")" 2>err &&
	grep -q "no followers match" err
'

test_expect_success 'import stores names and regions in NFC' '
	printf "email,name,city\n%s\n" \
		"jurgen@example.org,$(printf "Ju\314\210rgen"),$(printf "Ko\314\210ln")" >nfd.csv &&
	tn follower import news nfd.csv >/dev/null &&
	test "$(sqlite3 turnout.db "SELECT hex(name) FROM person WHERE email = '\''jurgen@example.org'\''")" = 4AC3BC7267656E &&
	test "$(sqlite3 turnout.db "SELECT region FROM follower f JOIN person p ON p.id = f.person_id WHERE email = '\''jurgen@example.org'\''")" = "Köln" &&
	printf "email,name\njurgen@example.org,Jürgen\n" | tn follower import news - >out &&
	test "$(sqlite3 turnout.db "SELECT count(*) FROM person WHERE name = '\''Jürgen'\''")" = 1
'

test_expect_success 'follower export writes what import reads back' '
	setup_db &&
	tn channel add tg --kind telegram >/dev/null &&
	printf "email,handle,name,region,followed_at\nanna@example.org,anna,\"Anna, the first\",Berlin,2026-01-02\n,olga,Ольга,Москва,\nz@example.org,,\"=HYPERLINK(1)\",,\n" >in.csv &&
	tn follower import tg in.csv >/dev/null &&
	tn follower export tg >out.csv &&
	$PY -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))
by = {r[\"handle\"] or r[\"email\"]: r for r in rows}
assert sorted(by) == [\"anna\", \"olga\", \"z@example.org\"], rows
assert by[\"anna\"][\"name\"] == \"Anna, the first\" and by[\"anna\"][\"region\"] == \"Berlin\", rows
assert by[\"anna\"][\"followed_at\"] == \"2026-01-02\", rows
assert by[\"olga\"][\"name\"] == \"Ольга\" and by[\"olga\"][\"email\"] == \"\", rows
assert by[\"z@example.org\"][\"name\"] == \"\x27=HYPERLINK(1)\", rows
" out.csv &&
	tn --db copy.db init >/dev/null &&
	tn --db copy.db channel add tg --kind telegram >/dev/null &&
	tn --db copy.db follower import tg out.csv >/dev/null &&
	tn --db copy.db follower export tg >again.csv &&
	test_cmp out.csv again.csv &&
	tn follower export tg -o file.csv 2>err &&
	test_cmp out.csv file.csv &&
	grep -q "^exported 3 followers of .tg.$" err
'

test_expect_success 'follower export of an unknown channel: usage error, no file' '
	test_expect_code 2 tn_err follower export nosuch -o none.csv &&
	stderr_has "no such channel" &&
	test_path_is_missing none.csv
'

test_done
