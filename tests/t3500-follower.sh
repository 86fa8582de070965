#!/usr/bin/env bash
# follower list / show / forget on imported followers.
. "$(dirname "$0")/lib.sh"

test_lazy_prereq TTY 'command -v script'

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
	test_db_unchanged 2 tn follower forget --yes nobody@example.org 2>err &&
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
	tn follower forget --yes zyx.secret@example.org >out &&
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
	tn follower forget --yes "$id" 2>err &&
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
	tn follower forget -y qwerty.busy@example.org >out 2>err &&
	grep -q "^forgot person" out &&
	grep -q "warning: another process has the database open" err &&
	id=$(sqlite3 turnout.db "SELECT id FROM person WHERE forgotten_at IS NOT NULL ORDER BY id DESC LIMIT 1") &&
	wait $reader &&
	tn follower forget --yes "$id" 2>err &&
	! grep -q warning err &&
	for s in Busybody qwerty.busy; do
		if cat turnout.db turnout.db-wal 2>/dev/null | grep -a -q "$s"; then
			echo "still in the database files: $s"; exit 1
		fi
	done
'

test_expect_success 'follower unfollow marks one follow as ended' '
	TURNOUT_NOW=2026-07-01T12:00:00Z tn follower unfollow @ivanp --channel tg >out &&
	echo "unfollowed 1" >expect &&
	test_cmp expect out &&
	tn follower show @ivanp >out &&
	grep -q "^follows *tg @ivanp, Moscow, left 2026-07-01$" out &&
	grep -q "^follows *news, Moscow, since 2026-02-01$" out &&
	test_db_unchanged 0 tn follower unfollow @ivanp --channel tg >out 2>err &&
	echo "unfollowed 0" >expect &&
	test_cmp expect out &&
	grep -q "had unfollowed already; nothing changed" err &&
	test_db_unchanged 2 tn follower unfollow @ivanp --channel masto 2>err &&
	grep -q "^turnout: person [0-9]*: does not follow .masto.$" err &&
	test_db_unchanged 2 tn follower unfollow @ivanp --channel nosuch 2>err &&
	grep -q "no such channel" err &&
	test_db_unchanged 2 tn follower unfollow @ivanp 2>err &&
	grep -q "^turnout: --channel: required$" err &&
	test_db_unchanged 2 tn follower unfollow @nobody --channel tg 2>err &&
	grep -q "no such person" err
'

test_expect_success 'forget without a terminal to ask on needs --yes' '
	test_db_unchanged 2 tn follower forget evil@example.org </dev/null 2>err &&
	grep -q "^turnout: follower forget: erasing a person needs confirmation: pass --yes" err
'

test_expect_success TTY 'forget asks on a terminal: only a yes erases' '
	printf "email,name\nasked@example.org,Asked Person\n" | tn follower import news - >/dev/null &&
	db_dump >before &&
	printf "n\n" | test_expect_code 1 script -qec "\"$TURNOUT\" follower forget asked@example.org" /dev/null >tty.out &&
	grep -a -q "forget person [0-9]* (Asked Person, asked@example.org)? \[y/N\]" tty.out &&
	grep -a -q "not forgotten (not confirmed)" tty.out &&
	db_dump >after &&
	test_cmp before after &&
	printf "y\n" | script -qec "\"$TURNOUT\" follower forget asked@example.org" /dev/null >tty.out &&
	grep -a -q "\[y/N\] forgot person [0-9]" tty.out &&
	test "$(q "SELECT count(*) FROM person WHERE email = '\''asked@example.org'\''")" = 0
'

test_expect_success '--dry-run says what would be erased and changes nothing' '
	printf "email,name,handle\ndry@example.org,Dry Run,@dryhandle\n" | tn follower import masto - >/dev/null &&
	printf "email,city\nDRY@example.org,Oslo\n" | tn follower import news - >/dev/null &&
	test_db_unchanged 0 tn follower forget --dry-run dry@example.org >out </dev/null &&
	id=$(q "SELECT id FROM person WHERE email = '\''dry@example.org'\''") &&
	cat >expect <<-EOF &&
	would forget person $id, erasing:
	  name    Dry Run
	  email   dry@example.org
	  handle  @dryhandle on masto
	keeping 2 follower rows, anonymous (channel, region, dates)
	and listing the address and 1 handle as suppressed, so that imports skip them
	nothing changed (--dry-run)
	EOF
	test_cmp expect out
'

test_expect_success 'erasure lasts: a re-import of the same export does not bring the person back' '
	cat >export.csv <<-\EOF &&
	email,name,handle,city
	qwertz.back@example.org,Qwertz Comeback,qwertzhandle,Uppsala
	stays@example.org,Stays Here,,Lund
	EOF
	tn follower import masto export.csv >/dev/null &&
	tn follower forget --yes QWERTZ.back@example.org >/dev/null &&
	tn follower import masto export.csv >out &&
	echo "inserted 0, updated 1, rejected 0, suppressed 1" >expect &&
	test_cmp expect out &&
	printf "handle,name\n@QwertzHandle,Qwertz Again\n" | tn follower import masto - >out &&
	grep -q "^inserted 0, updated 0, rejected 0, suppressed 1$" out &&
	tn follower import news export.csv --json >out.json &&
	$PY -c "import json; d = json.load(open(\"out.json\")); assert (d[\"inserted\"], d[\"suppressed\"]) == (1, 1), d" &&
	for s in Qwertz qwertz; do
		if cat turnout.db turnout.db-wal 2>/dev/null | grep -a -q "$s"; then
			echo "back in the database files: $s"; exit 1
		fi
	done &&
	test "$(q "SELECT count(*) FROM person WHERE forgotten_at IS NULL AND email IS NULL AND id NOT IN (SELECT person_id FROM follower WHERE handle IS NOT NULL)")" = 0
'

test_expect_success 'the same handle on a channel of another kind is someone else' '
	printf "handle,name\nqwertzhandle,Other Qwertz\n" | tn follower import tg - >out &&
	grep -q "^inserted 1, updated 0, rejected 0$" out &&
	tn follower forget --yes @qwertzhandle >/dev/null
'

test_expect_success 'the suppression list holds keyed hashes, no personal data' '
	test "$(q "SELECT count(*) FROM suppression")" -ge 3 &&
	test "$(q "SELECT count(*) FROM suppression WHERE typeof(hash) <> '\''blob'\'' OR length(hash) <> 32")" = 0 &&
	test "$(q "SELECT length(key) FROM suppression_key")" = 32 &&
	q "SELECT hex(hash) FROM suppression" >hashes &&
	$PY -c "
import hashlib, sys
hashes = set(open(\"hashes\").read().split())
for text in [b\"qwertz.back@example.org\", b\"email\\0qwertz.back@example.org\", b\"handle\\0mastodon\\0qwertzhandle\"]:
    for h in (hashlib.blake2b(text, digest_size=32), hashlib.sha256(text)):
        assert h.hexdigest().upper() not in hashes, text
"
'

test_expect_success '--allow-return lets a forgotten person come back, each address and handle' '
	test_db_unchanged 2 tn follower forget --allow-return 12345 2>err &&
	grep -q "not the address or handle of a forgotten person" err &&
	test_db_unchanged 0 tn follower forget --allow-return --dry-run qwertz.back@example.org >out &&
	grep -q "^would remove 1 suppression entry" out &&
	tn follower forget --allow-return Qwertz.Back@example.org >out &&
	grep -q "^removed 1 suppression entry of .Qwertz.Back@example.org." out &&
	tn follower import masto export.csv >out &&
	grep -q "^inserted 0, updated 1, rejected 0, suppressed 1$" out &&
	# a handle is let back on channels of every kind: the Mastodon one
	# and the other person'\''s on Telegram
	tn follower forget --allow-return @qwertzhandle >out &&
	grep -q "^removed 2 suppression entries" out &&
	tn follower import masto export.csv >out &&
	grep -q "^inserted 1, updated 1, rejected 0$" out &&
	test "$(q "SELECT name FROM person WHERE email = '\''qwertz.back@example.org'\''")" = "Qwertz Comeback"
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

test_expect_success 'follower list --channel lists who follows it now, not who left' '
	setup_db &&
	tn channel add tg --kind telegram >/dev/null &&
	printf "handle\nstays\nleaves\n" >all.csv &&
	tn follower import tg all.csv >/dev/null &&
	printf "handle\nstays\n" >now.csv &&
	tn follower import tg now.csv --complete >out &&
	grep -q "unfollowed 1" out &&
	tn follower list --channel tg --format tsv >list &&
	grep -q "stays" list &&
	! grep -q "leaves" list &&
	tn follower show @leaves >show &&
	grep -q "left " show
'

test_done
