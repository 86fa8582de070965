#!/usr/bin/env bash
# follower import: counts, re-import, people across channels, header
# variants, rejected rows, --strict, --json, stdin and the failures that
# must leave the database unchanged.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: database and channels' '
	setup_db &&
	tn channel add news --kind newsletter &&
	tn channel add blog --kind blog &&
	tn channel add tg --kind telegram &&
	tn channel add tgchat --kind telegram &&
	tn channel add masto --kind mastodon &&
	cp "$TN_DATA/import-basic.csv" basic.csv &&
	cp "$TN_DATA/import-bad.csv" bad.csv
'

test_expect_success 'import: BOM, CRLF, quoting, header variants, blank lines' '
	tn follower import news basic.csv >out 2>err &&
	echo "inserted 4, updated 1, rejected 0" >expect &&
	test_cmp expect out &&
	test ! -s err &&
	test "$(q "SELECT count(*) FROM person")" = 4 &&
	test "$(q "SELECT count(*) FROM follower")" = 4 &&
	test "$(q "SELECT name FROM person WHERE email = '\''bob@example.org'\''")" = "Smith, Bob" &&
	test "$(q "SELECT name FROM person WHERE email = '\''carl@example.net'\''")" = "Carl \"CJ\" Jones" &&
	test "$(q "SELECT hex(region) FROM follower f JOIN person p ON p.id = f.person_id WHERE email = '\''carl@example.net'\''")" = "$(printf "Multi\r\nline" | od -An -tx1 | tr -d " \n" | tr a-f A-F)" &&
	test "$(q "SELECT region FROM follower f JOIN person p ON p.id = f.person_id WHERE email = '\''ann@example.com'\''")" = Hamburg &&
	test "$(q "SELECT followed_at FROM follower f JOIN person p ON p.id = f.person_id WHERE email = '\''ann@example.com'\''")" = 2024-01-05 &&
	test "$(q "SELECT followed_at FROM follower f JOIN person p ON p.id = f.person_id WHERE email = '\''bob@example.org'\''")" = 2024-02-03 &&
	test "$(q "SELECT name || '\''/'\'' || region FROM person p JOIN follower f ON p.id = f.person_id WHERE email = '\''dora@example.com'\''")" = "Дора Иванова/Москва"
'

test_expect_success 're-import of the same file updates, never duplicates' '
	q "SELECT count(*) FROM person; SELECT count(*) FROM follower" >before &&
	tn follower import news basic.csv >out &&
	echo "inserted 0, updated 5, rejected 0" >expect &&
	test_cmp expect out &&
	q "SELECT count(*) FROM person; SELECT count(*) FROM follower" >after &&
	test_cmp before after
'

test_expect_success 'one person following several channels is one person' '
	printf "email,name\nann@EXAMPLE.COM,\nnew@example.com,New\n" >blog.csv &&
	tn follower import blog blog.csv >out &&
	echo "inserted 2, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	printf "EMAIL\nann@Example.Com\n" >tg.csv &&
	tn follower import tg tg.csv &&
	test "$(q "SELECT count(*) FROM person WHERE email = '\''ann@example.com'\''")" = 1 &&
	test "$(q "SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id WHERE email = '\''ann@example.com'\''")" = 3 &&
	test "$(q "SELECT name FROM person WHERE email = '\''ann@example.com'\''")" = "Ann Lee"
'

test_expect_success 'an address is one person whatever the case of its ASCII letters' '
	printf "email,name\nAnna.Weber@Posteo.DE,Anna Weber\n" >aw1.csv &&
	tn follower import news aw1.csv >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	printf "email,city\nanna.weber@posteo.de,Berlin\nANNA.WEBER@POSTEO.DE,\n" >aw2.csv &&
	tn follower import blog aw2.csv >out &&
	echo "inserted 1, updated 1, rejected 0" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT count(*) FROM person WHERE lower(email) = '\''anna.weber@posteo.de'\''")" = 1 &&
	test "$(q "SELECT email FROM person WHERE name = '\''Anna Weber'\''")" = Anna.Weber@posteo.de &&
	tn follower show anna.weber@POSTEO.de >show &&
	grep -q "^email  *Anna.Weber@posteo.de$" show &&
	grep -q "^follows  *blog, Berlin$" show &&
	grep -q "^follows  *news$" show &&
	printf "email\nünal@example.org\nÜnal@example.org\n" >un.csv &&
	tn follower import news un.csv >out &&
	grep -q "inserted 2, updated 0, rejected 0" out
'

test_expect_success 'header variants: Username, City, upper case, extra columns' '
	printf "ID,USERNAME,Full Name,CITY,Followed At,Score\n1,@Alice,Alice A,Kyiv,2024-05-05,9\n2,  bob ,Bob,,,1\n" >tg2.csv &&
	tn follower import tgchat tg2.csv >out &&
	echo "inserted 2, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT handle || '\''|'\'' || region || '\''|'\'' || followed_at FROM follower WHERE handle = '\''Alice'\''")" = "Alice|Kyiv|2024-05-05" &&
	test "$(q "SELECT count(*) FROM follower WHERE handle = '\''bob'\''")" = 1
'

test_expect_success 'header variants: E-Mail, Display Name, Handle (a Mastodon export)' '
	printf "Handle,Display Name,E-Mail\n@dot@example.social,Dot D,dot@Example.social\n" >m0.csv &&
	tn follower import masto m0.csv >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	test "$(q "SELECT name || '\''|'\'' || email FROM person WHERE email LIKE '\''dot@%'\''")" = "Dot D|dot@example.social" &&
	test "$(q "SELECT handle FROM follower f JOIN person p ON p.id = f.person_id WHERE p.name = '\''Dot D'\''")" = "dot@example.social"
'

test_expect_success 'a handle on a channel of the same kind is the same person' '
	printf "handle\nALICE\ncarol\n" >tg3.csv &&
	tn follower import tg tg3.csv >out &&
	test "$(q "SELECT count(DISTINCT person_id) FROM follower WHERE handle IN ('\''Alice'\'', '\''ALICE'\'')")" = 1 &&
	printf "handle\nalice\n" >m.csv &&
	tn follower import masto m.csv &&
	test "$(q "SELECT count(DISTINCT person_id) FROM follower WHERE handle LIKE '\''alice'\''")" = 2
'

test_expect_success 'a handle-only person takes the e-mail a later row brings' '
	printf "handle\n@solo\n" >solo1.csv &&
	tn follower import tg solo1.csv >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	printf "handle,email,name\nSOLO,solo@Example.org,Solo Han\n" >solo2.csv &&
	tn follower import tg solo2.csv >out &&
	grep -q "inserted 0, updated 1, rejected 0" out &&
	test "$(q "SELECT count(*) FROM person WHERE id IN (SELECT person_id FROM follower WHERE handle LIKE '\''solo'\'')")" = 1 &&
	test "$(q "SELECT email || '\''|'\'' || name FROM person WHERE id IN (SELECT person_id FROM follower WHERE handle LIKE '\''solo'\'')")" = "solo@example.org|Solo Han" &&
	printf "email\nsolo@example.org\n" >solo3.csv &&
	tn follower import news solo3.csv >out &&
	test "$(q "SELECT count(DISTINCT person_id) FROM follower f JOIN person p ON p.id = f.person_id WHERE p.email = '\''solo@example.org'\''")" = 1 &&
	test "$(q "SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id WHERE p.email = '\''solo@example.org'\''")" = 2
'

test_expect_success 'a row with a known address and a handle-only person'\''s handle makes them one person' '
	printf "email\nz@x.example\n" >z1.csv &&
	tn follower import news z1.csv >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	tn channel list --json >ch.json &&
	tg_before=$($PY -c "import json; print([c[\"followers\"] for c in json.load(open(\"ch.json\")) if c[\"name\"] == \"tg\"][0])") &&
	printf "handle,name\nztg,Zed\n" >z2.csv &&
	tn follower import tg z2.csv >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	printf "email,handle\nz@x.example,ztg\n" >z3.csv &&
	tn follower import tg z3.csv >out &&
	grep -q "inserted 0, updated 1, rejected 0" out &&
	test "$(q "SELECT count(DISTINCT person_id) FROM follower WHERE handle = '\''ztg'\''")" = 1 &&
	test "$(q "SELECT count(*) FROM person WHERE name = '\''Zed'\''")" = 1 &&
	test "$(q "SELECT email FROM person WHERE name = '\''Zed'\''")" = z@x.example &&
	tn channel list --json >ch.json &&
	test "$($PY -c "import json; print([c[\"followers\"] for c in json.load(open(\"ch.json\")) if c[\"name\"] == \"tg\"][0])")" = $((tg_before + 1)) &&
	tn follower show @ztg >show &&
	grep -q "^email  *z@x.example$" show &&
	grep -q "^follows  *news$" show &&
	grep -q "^follows  *tg @ztg$" show &&
	tn follower forget --yes z@x.example >/dev/null &&
	for s in ztg z@x.example; do
		if cat turnout.db turnout.db-wal 2>/dev/null | grep -a -q "$s"; then
			echo "still in the database files: $s"; exit 1
		fi
	done
'

test_expect_success 'merged follows of one channel keep the earlier date and the known values' '
	printf "email,city,followed_at\ny@x.example,Riga,2026-03-01\n" >y1.csv &&
	tn follower import tgchat y1.csv >/dev/null &&
	printf "handle,followed_at\nytg,2026-01-15\n" >y2.csv &&
	tn follower import tgchat y2.csv >/dev/null &&
	test "$(q "SELECT count(*) FROM person WHERE id IN (SELECT person_id FROM follower WHERE handle = '\''ytg'\'')")" = 1 &&
	printf "email,handle\ny@x.example,ytg\n" >y3.csv &&
	tn follower import tg y3.csv >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	test "$(q "SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id WHERE p.email = '\''y@x.example'\''")" = 2 &&
	test "$(q "SELECT f.handle || '\'','\'' || f.region || '\'','\'' || f.followed_at FROM follower f JOIN channel c ON c.id = f.channel_id JOIN person p ON p.id = f.person_id WHERE p.email = '\''y@x.example'\'' AND c.name = '\''tgchat'\''")" = "ytg,Riga,2026-01-15" &&
	test "$(q "SELECT count(*) FROM person WHERE email IS NULL AND id NOT IN (SELECT person_id FROM follower)")" = 0
'

test_expect_success 'two people with addresses are never merged by a handle' '
	printf "email,handle\nw1@x.example,wtg\n" >w1.csv &&
	tn follower import tg w1.csv >/dev/null &&
	printf "email,handle\nw2@x.example,WTG\n" >w2.csv &&
	tn follower import tgchat w2.csv >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	test "$(q "SELECT count(DISTINCT person_id) FROM follower WHERE handle = '\''wtg'\'' COLLATE NOCASE")" = 2 &&
	test "$(q "SELECT count(*) FROM person WHERE email IN ('\''w1@x.example'\'', '\''w2@x.example'\'')")" = 2
'

test_expect_success '--complete: followers missing from the list are unfollowed, and come back when listed' '
	tn channel add full --kind newsletter >/dev/null &&
	printf "email\nc1@x.example\nc2@x.example\nc3@x.example\n" >c123.csv &&
	tn follower import full c123.csv >/dev/null &&
	printf "email\nC1@x.example\nc2@x.example\n" >c12.csv &&
	TURNOUT_NOW=2026-06-01T10:00:00Z tn follower import full c12.csv --complete >out &&
	echo "inserted 0, updated 2, rejected 0, unfollowed 1" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT p.email || '\''|'\'' || f.unfollowed_at FROM follower f JOIN person p ON p.id = f.person_id JOIN channel c ON c.id = f.channel_id WHERE c.name = '\''full'\'' AND f.unfollowed_at IS NOT NULL")" = "c3@x.example|2026-06-01" &&
	tn channel list --json >ch.json &&
	$PY -c "import json; d = {c[\"name\"]: c[\"followers\"] for c in json.load(open(\"ch.json\"))}; assert d[\"full\"] == 2, d" &&
	tn follower show c3@x.example >show &&
	grep -q "^follows  *full, left 2026-06-01$" show &&
	printf "email\nc1@x.example\n" >c1.csv &&
	tn follower import full c1.csv >out &&
	echo "inserted 0, updated 1, rejected 0" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT count(*) FROM follower f JOIN channel c ON c.id = f.channel_id WHERE c.name = '\''full'\'' AND f.unfollowed_at IS NOT NULL")" = 1 &&
	printf "email\nc3@x.example\n" >c3.csv &&
	tn follower import full c3.csv >/dev/null &&
	test "$(q "SELECT count(*) FROM follower f JOIN channel c ON c.id = f.channel_id WHERE c.name = '\''full'\'' AND f.unfollowed_at IS NOT NULL")" = 0 &&
	tn follower import full c123.csv --complete --json >out.json &&
	$PY -c "import json; d = json.load(open(\"out.json\")); assert (d[\"updated\"], d[\"unfollowed\"]) == (3, 0), d"
'

test_expect_success '--complete: a bad row aborts with nothing unfollowed or written' '
	printf "email\nc1@x.example\nbroken@\n" >cbad.csv &&
	test_db_unchanged 1 tn follower import full cbad.csv --complete 2>err &&
	grep -q "^turnout: cbad.csv:3: column .email.: not an address" err &&
	grep -q "^hint: .*without --complete" err
'

test_expect_success '--complete leaves a forgotten follower'\''s row as it is' '
	tn follower forget --yes c2@x.example >/dev/null &&
	printf "email\nc1@x.example\nc3@x.example\n" >c13.csv &&
	tn follower import full c13.csv --complete >out &&
	echo "inserted 0, updated 2, rejected 0, unfollowed 0" >expect &&
	test_cmp expect out &&
	tn follower import full c123.csv --complete >out &&
	echo "inserted 0, updated 2, rejected 0, suppressed 1, unfollowed 0" >expect &&
	test_cmp expect out
'

test_expect_success 'a broken header says why, once' '
	printf "email,\"name\nfoo,bar\n" >h.csv &&
	test_db_unchanged 1 tn follower import news h.csv 2>err &&
	grep -q "^turnout: h.csv:1: header: unterminated quoted field$" err
'

test_expect_success 'line numbers count lone CR line ends inside quotes' '
	printf "email,name\rq3@example.org,\"a\rb\"\rbad3,z\r" >cr.csv &&
	tn follower import news cr.csv >out 2>err &&
	grep -q "^turnout: cr.csv:4: " err
'

test_expect_success 'bad rows are listed with line and reason; the rest is imported' '
	tn follower import news bad.csv >out 2>err &&
	echo "inserted 3, updated 0, rejected 6" >expect &&
	test_cmp expect out &&
	grep -F "turnout: bad.csv:3: column '\''email'\'': not an address ('\''bob@'\'')" err &&
	grep -F "turnout: bad.csv:4: row has neither email nor handle" err &&
	grep -F "turnout: bad.csv:5: column '\''followed_at'\'': bad date '\''2024-13-01'\''" err &&
	grep -F "turnout: bad.csv:6: invalid UTF-8" err &&
	grep -F "turnout: bad.csv:7: column '\''followed_at'\'': bad date '\''2024-02-30T10:00:00Z'\''" err &&
	grep -F "turnout: bad.csv:9: column '\''email'\'': not an address" err &&
	test "$(wc -l <err)" -eq 6 &&
	! grep -q "$(printf "\033")" err &&
	test "$(q "SELECT count(*) FROM person WHERE email IN ('\''good@example.com'\'', '\''gus@example.com'\'', '\''hal@example.com'\'')")" = 3
'

test_expect_success 'an unterminated quote is one rejected row with its line' '
	printf "email,name\nu1@example.com,A\nu2@example.com,\"open\nu3@example.com,C\n" >open.csv &&
	tn follower import news open.csv >out 2>err &&
	echo "inserted 1, updated 0, rejected 1" >expect &&
	test_cmp expect out &&
	grep -F "turnout: open.csv:3: unterminated quoted field" err
'

test_expect_success '--strict: a bad row aborts with nothing written' '
	printf "email\nfresh1@example.com\nfresh2@\n" >strict.csv &&
	test_db_unchanged 1 tn follower import --strict news strict.csv 2>err &&
	grep -F "turnout: strict.csv:3: column '\''email'\'': not an address ('\''fresh2@'\'')" err &&
	test_db_unchanged 1 tn follower import --strict news open.csv 2>err &&
	grep -F "turnout: open.csv:3: unterminated quoted field" err
'

test_expect_success '--strict with a clean file imports' '
	printf "email\nclean@example.com\n" >clean.csv &&
	tn follower import news clean.csv --strict >out &&
	echo "inserted 1, updated 0, rejected 0" >expect &&
	test_cmp expect out
'

test_expect_success 'unknown channel: exit 2, nothing changed' '
	test_db_unchanged 2 tn follower import nosuch basic.csv 2>err &&
	grep -F "turnout: channel '\''nosuch'\'': no such channel" err
'

test_expect_success 'missing file: exit 1, nothing changed' '
	test_db_unchanged 1 tn follower import news missing.csv 2>err &&
	grep -F "turnout: '\''missing.csv'\'': No such file or directory" err
'

test_expect_success 'header without an email or handle column: exit 1, unchanged' '
	printf "name,city\nA,B\n" >nohead.csv &&
	test_db_unchanged 1 tn follower import news nohead.csv 2>err &&
	grep -F "turnout: nohead.csv:1: header has neither an '\''email'\'' nor a '\''handle'\'' column" err &&
	grep -q "^hint: " err
'

test_expect_success 'empty file: exit 1, unchanged' '
	: >empty.csv &&
	test_db_unchanged 1 tn follower import news empty.csv 2>err &&
	grep -F "turnout: empty.csv: empty file" err
'

test_expect_success 'bad flags: exit 2, unchanged' '
	test_db_unchanged 2 tn follower import --bogus news basic.csv &&
	test_db_unchanged 2 tn follower import news &&
	tn follower import --help >out &&
	grep -q "follower import CHANNEL" out
'

test_expect_success 'stdin with -' '
	printf "email,name\nstdin1@example.com,S\nbad@\n" | tn follower import news - >out 2>err &&
	echo "inserted 1, updated 0, rejected 1" >expect &&
	test_cmp expect out &&
	grep -F "turnout: <stdin>:3: column '\''email'\''" err
'

test_expect_success '--json: counts and rejects' '
	tn follower import news bad.csv --json >out 2>err &&
	$PY -c "
import json, sys
d = json.load(open(\"out\"))
assert d[\"inserted\"] == 0 and d[\"updated\"] == 3 and d[\"rejected\"] == 6, d
assert [r[\"line\"] for r in d[\"rejects\"]] == [3, 4, 5, 6, 7, 9], d
assert d[\"rejects\"][0][\"reason\"] == \"column '\''email'\'': not an address ('\''bob@'\'')\", d
assert d[\"rejects\"][5][\"reason\"] == \"column '\''email'\'': not an address ('\''bad \x1b[2J@'\'')\", d
" &&
	test "$(wc -l <err)" -eq 6
'

test_expect_success '--json keeps the first 1000 rejects and counts the rest' '
	{ echo email && seq -f "bad%g@" 0 1199; } >many.csv &&
	tn follower import news many.csv --json >out 2>err &&
	$PY -c "
import json
d = json.load(open(\"out\"))
assert d[\"rejected\"] == 1200 and len(d[\"rejects\"]) == 1000, d[\"rejected\"]
assert d[\"rejects_omitted\"] == 200 and d[\"rejects\"][-1][\"line\"] == 1001, d[\"rejects\"][-1]
" &&
	test "$(wc -l <err)" -eq 1200
'

test_expect_success 'the examples import cleanly apart from their bad rows' '
	for ch in newsletter telegram mastodon; do
		tn channel add "ex-$ch" --kind $ch >/dev/null &&
		tn follower import "ex-$ch" "$TN_TOP/examples/followers-$ch.csv" >out 2>err &&
		grep -q "^inserted [1-9][0-9]*, updated [0-9]*, rejected [1-9]" out || return 1
	done &&
	q "PRAGMA integrity_check" >out &&
	echo ok >expect &&
	test_cmp expect out
'

test_expect_success 'an international domain in any form is one person, shown in Unicode' '
	printf "email,name\nanna@ПРИМЕР.РФ,Анна\n" | tn follower import news - >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	printf "email,name\nanna@xn--e1afmkfd.xn--p1ai,\n" | tn follower import blog - >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	printf "email\nanna@пример.рф\n" | tn follower import tg - >out &&
	test "$(q "SELECT count(*) FROM person WHERE email LIKE '\''anna@%'\''")" = 1 &&
	test "$(q "SELECT email FROM person WHERE name = '\''Анна'\''")" = anna@xn--e1afmkfd.xn--p1ai &&
	test "$(q "SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id WHERE p.name = '\''Анна'\''")" = 3 &&
	tn follower show anna@xn--e1afmkfd.xn--p1ai >show &&
	grep -q "^email  *anna@пример.рф$" show &&
	tn follower show ANNA@пример.рф >show2 &&
	test_cmp show show2 &&
	tn follower show anna@ПРИМЕР.РФ --json >show.json &&
	$PY -c "import json; d = json.load(open(\"show.json\")); assert d[\"email\"] == \"anna@пример.рф\" and len(d[\"channels\"]) == 3, d" &&
	tn follower list >list &&
	grep -q "	Анна	anna@пример.рф	blog, news, tg	" list
'

test_expect_success 'a domain that is no IDNA domain is rejected with the reason' '
	printf "email\nbob@xn--zz.org\nbob@🎉.org\n" | tn follower import news - >out &&
	grep -q "rejected 2" out
'

test_done
