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
	echo "note: ignored column '\''Notes'\''" >expect &&
	test_cmp expect err &&
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
	echo "inserted 5, updated 0, rejected 4, warned 2" >expect &&
	test_cmp expect out &&
	grep -F "turnout: bad.csv:3: column '\''email'\'': not an address ('\''bob@'\'')" err &&
	grep -F "turnout: bad.csv:4: row has neither email nor handle" err &&
	grep -F "turnout: warning: bad.csv:5: column '\''followed_at'\'': bad date '\''2024-13-01'\'', imported without it (dates are YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] (UTC unless a zone is given), RFC 3339 with an offset, or Unix time in seconds or milliseconds)" err &&
	grep -F "turnout: bad.csv:6: invalid UTF-8" err &&
	grep -F "turnout: warning: bad.csv:7: column '\''followed_at'\'': bad date '\''2024-02-30T10:00:00Z'\''" err &&
	grep -F "turnout: bad.csv:9: column '\''email'\'': not an address" err &&
	test "$(wc -l <err)" -eq 6 &&
	! grep -q "$(printf "\033")" err &&
	test "$(q "SELECT count(*) FROM person WHERE email IN ('\''good@example.com'\'', '\''gus@example.com'\'', '\''hal@example.com'\'', '\''dan@example.com'\'', '\''fay@example.com'\'')")" = 5 &&
	test "$(q "SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id WHERE email IN ('\''dan@example.com'\'', '\''fay@example.com'\'') AND followed_at IS NULL")" = 2
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
assert d[\"inserted\"] == 0 and d[\"updated\"] == 5 and d[\"rejected\"] == 4, d
assert [r[\"line\"] for r in d[\"rejects\"]] == [3, 4, 6, 9], d
assert d[\"rejects\"][0][\"reason\"] == \"column '\''email'\'': not an address ('\''bob@'\'')\", d
assert d[\"rejects\"][3][\"reason\"] == \"column '\''email'\'': not an address ('\''bad \x1b[2J@'\'')\", d
assert d[\"warned\"] == 2 and d[\"warnings_omitted\"] == 0, d
assert [w[\"line\"] for w in d[\"warnings\"]] == [5, 7], d
assert d[\"warnings\"][0][\"message\"].startswith(\"column '\''followed_at'\'': bad date '\''2024-13-01'\''\"), d
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
	tn follower list --format tsv >list &&
	grep -q "	Анна	anna@пример.рф	blog, news, tg	" list
'

test_expect_success 'a domain that is no IDNA domain is rejected with the reason' '
	printf "email\nbob@xn--zz.org\nbob@🎉.org\n" | tn follower import news - >out &&
	grep -q "rejected 2" out
'

test_expect_success 'an address with a no-break or zero-width space is rejected and says so' '
	printf "email,name\nnbsp\302\240@example.org,A\nzw@exam\342\200\213ple.org,B\n\357\273\277bom@example.org,C\nwj@example.org\342\201\240,D\nok-visible@example.org,E\n" >invisible.csv &&
	tn follower import news invisible.csv >out 2>err &&
	echo "inserted 1, updated 0, rejected 4" >expect &&
	test_cmp expect out &&
	grep -F "invisible.csv:2: column '\''email'\'': not an address ('\''nbsp" err | grep -F "has a no-break space, U+00A0)" &&
	grep -F "invisible.csv:3: " err | grep -F "has a zero-width character, U+200B)" &&
	grep -F "invisible.csv:4: " err | grep -F "U+FEFF)" &&
	grep -F "invisible.csv:5: " err | grep -F "U+2060)" &&
	test "$(q "SELECT count(*) FROM person WHERE email LIKE '\''%example.org%'\'' AND (email LIKE '\''nbsp%'\'' OR email LIKE '\''zw@%'\'' OR email LIKE '\''%bom@%'\'' OR email LIKE '\''wj@%'\'')")" = 0 &&
	test_db_unchanged 1 tn follower import --strict news invisible.csv 2>err &&
	grep -F "invisible.csv:2: column '\''email'\''" err
'

test_expect_success 'handles given as profile addresses are stored as handles' '
	tn channel add urls-tg --kind telegram &&
	tn channel add urls-masto --kind mastodon &&
	printf "username,name\nhttps://t.me/olga_iv,Olga\nt.me/petr_k,Petr\n@@x,Bad\nolga iv,Bad2\n" >urls-tg.csv &&
	tn follower import urls-tg urls-tg.csv >out 2>err &&
	echo "inserted 2, updated 0, rejected 2" >expect &&
	test_cmp expect out &&
	grep -F "turnout: urls-tg.csv:4: column '\''handle'\'': bad handle '\''@@x'\'' (more than one '\''@'\'' before the name)" err &&
	grep -F "turnout: urls-tg.csv:5: column '\''handle'\'': bad handle '\''olga iv'\''" err &&
	test "$(q "SELECT group_concat(handle, '\'' '\'') FROM (SELECT handle FROM follower WHERE channel_id = (SELECT id FROM channel WHERE name = '\''urls-tg'\'') ORDER BY handle)")" = "olga_iv petr_k" &&
	printf "handle\nhttps://mastodon.social/@anna\n@bert@fosstodon.org\nhttps://chaos.social/users/cleo\n" >urls-m.csv &&
	tn follower import urls-masto urls-m.csv >out &&
	echo "inserted 3, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT group_concat(handle, '\'' '\'') FROM (SELECT handle FROM follower WHERE channel_id = (SELECT id FROM channel WHERE name = '\''urls-masto'\'') ORDER BY handle)")" = "anna@mastodon.social bert@fosstodon.org cleo@chaos.social" &&
	printf "handle\n@anna@mastodon.social\n" >urls-m2.csv &&
	tn follower import urls-masto urls-m2.csv >out &&
	echo "inserted 0, updated 1, rejected 0" >expect &&
	test_cmp expect out &&
	test_db_unchanged 1 tn follower import --strict urls-tg urls-tg.csv 2>err &&
	grep -F "urls-tg.csv:4: column '\''handle'\'': bad handle" err
'

test_expect_success 'dates: local times, --tz, RFC 3339 offsets and Unix time' '
	tn channel add dates --kind newsletter &&
	printf "email,followed_at\nt1@example.com,2024-07-01 00:30\nt2@example.com,2024-07-01 00:30:15\nt3@example.com,1709251200\nt4@example.com,1709251200000\nt5@example.com,2024-03-01T01:00:00+02:00\n" >dates.csv &&
	tn follower import dates dates.csv >out 2>err &&
	echo "inserted 5, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	test ! -s err &&
	q "SELECT p.email || '\'' '\'' || f.followed_at FROM follower f JOIN person p ON p.id = f.person_id WHERE p.email LIKE '\''t_@example.com'\'' ORDER BY p.email" >actual &&
	printf "%s\n" "t1@example.com 2024-07-01" "t2@example.com 2024-07-01" "t3@example.com 2024-03-01" "t4@example.com 2024-03-01" "t5@example.com 2024-02-29" >expect &&
	test_cmp expect actual &&
	tn follower import dates dates.csv --tz Europe/Berlin >out &&
	echo "inserted 0, updated 5, rejected 0" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT followed_at FROM follower f JOIN person p ON p.id = f.person_id WHERE p.email = '\''t1@example.com'\''")" = 2024-06-30
'

test_expect_success 'a bad date keeps its row and warns; --strict stops; a bad --tz changes nothing' '
	printf "email,followed_at\nw1@example.com,13/01/2024\nw2@example.com,2024-01-02\n" >wdate.csv &&
	test_db_unchanged 1 tn follower import --strict dates wdate.csv 2>err &&
	grep -F "turnout: wdate.csv:2: column '\''followed_at'\'': bad date '\''13/01/2024'\''" err &&
	grep -F "hint: dates are YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] (in UTC, or the zone --tz gives)" err &&
	test_db_unchanged 2 tn follower import --tz Mars/Olympus dates wdate.csv 2>err &&
	grep -F "turnout: --tz: " err &&
	tn follower import dates wdate.csv >out 2>err &&
	echo "inserted 2, updated 0, rejected 0, warned 1" >expect &&
	test_cmp expect out &&
	grep -F "turnout: warning: wdate.csv:2: column '\''followed_at'\'': bad date '\''13/01/2024'\'', imported without it (dates are YYYY-MM-DD" err &&
	test "$(q "SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id WHERE p.email = '\''w1@example.com'\'' AND followed_at IS NULL")" = 1
'

test_expect_success 'a Mailchimp export: names joined, CONFIRM_TIME before OPTIN_TIME, other columns noted' '
	tn channel add mc --kind newsletter &&
	printf "\"Email Address\",\"First Name\",\"Last Name\",\"Address\",\"MEMBER_RATING\",\"OPTIN_TIME\",\"CONFIRM_TIME\",\"TAGS\"\r\nmona@example.com,Mona,Chimp,,2,\"2019-03-14 10:23:45\",\"2019-03-15 23:59:59\",\r\nmarc@example.com,Marc,,,1,\"2019-03-14 23:00:00\",,\r\n" >mailchimp.csv &&
	tn follower import mc mailchimp.csv >out 2>err &&
	echo "inserted 2, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	printf "%s\n" "note: ignored column '\''Address'\''" "note: ignored column '\''MEMBER_RATING'\''" "note: ignored column '\''TAGS'\''" >expect &&
	test_cmp expect err &&
	test "$(q "SELECT name || '\''|'\'' || followed_at FROM person p JOIN follower f ON p.id = f.person_id WHERE email = '\''mona@example.com'\''")" = "Mona Chimp|2019-03-15" &&
	test "$(q "SELECT name || '\''|'\'' || followed_at FROM person p JOIN follower f ON p.id = f.person_id WHERE email = '\''marc@example.com'\''")" = "Marc|2019-03-14"
'

test_expect_success 'a Substack export' '
	printf "Email,Name,Subscribed At,Plan\nsusan@example.com,Susan Stack,2021-03-01T12:34:56.789Z,free\n" >substack.csv &&
	tn follower import mc substack.csv >out 2>err &&
	echo "inserted 1, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	echo "note: ignored column '\''Plan'\''" >expect &&
	test_cmp expect err &&
	test "$(q "SELECT name || '\''|'\'' || followed_at FROM person p JOIN follower f ON p.id = f.person_id WHERE email = '\''susan@example.com'\''")" = "Susan Stack|2021-03-01"
'

test_expect_success 'a Telegram members export: username, else user_id as id:N' '
	tn channel add tgm --kind telegram &&
	printf "user_id,username,first_name,last_name,phone,joined_at\n5001,olga_iv,Olga,Ivanova,,1709251200\n5002,,Petr,,,2024-03-02 10:00:00\n" >members.csv &&
	tn follower import tgm members.csv >out 2>err &&
	echo "inserted 2, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	echo "note: ignored column '\''phone'\''" >expect &&
	test_cmp expect err &&
	test "$(q "SELECT p.name || '\''|'\'' || f.followed_at FROM follower f JOIN person p ON p.id = f.person_id WHERE f.handle = '\''olga_iv'\'' AND f.channel_id = (SELECT id FROM channel WHERE name = '\''tgm'\'')")" = "Olga Ivanova|2024-03-01" &&
	test "$(q "SELECT p.name FROM follower f JOIN person p ON p.id = f.person_id WHERE f.handle = '\''id:5002'\''")" = Petr &&
	tn follower import tgm members.csv >out 2>/dev/null &&
	echo "inserted 0, updated 2, rejected 0" >expect &&
	test_cmp expect out
'

test_expect_success 'a Mastodon followers export: Account address is the handle' '
	tn channel add mfx --kind mastodon &&
	printf "Account address,Show boosts\n@nina@mastodon.social,true\nhttps://fosstodon.org/@omar,true\n" >mastodon.csv &&
	tn follower import mfx mastodon.csv >out 2>err &&
	echo "inserted 2, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	echo "note: ignored column '\''Show boosts'\''" >expect &&
	test_cmp expect err &&
	test "$(q "SELECT group_concat(handle, '\'' '\'') FROM (SELECT handle FROM follower WHERE channel_id = (SELECT id FROM channel WHERE name = '\''mfx'\'') ORDER BY handle)")" = "nina@mastodon.social omar@fosstodon.org"
'

test_expect_success '--map reads any column as a field; ignore silences its note' '
	printf "Mail,Vorname,Nachname,Stadt,Seit,Intern\nkarl@example.de,Karl,Klein,Köln,2022-02-02,x\n" >de.csv &&
	tn follower import mc de.csv --map "Vorname=first_name" --map "NACHNAME=last_name" --map "stadt=region" --map "Seit=followed_at" --map "Intern=ignore" >out 2>err &&
	echo "inserted 1, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	test "$(q "SELECT name || '\''|'\'' || region || '\''|'\'' || followed_at FROM person p JOIN follower f ON p.id = f.person_id WHERE email = '\''karl@example.de'\''")" = "Karl Klein|Köln|2022-02-02" &&
	tn follower import mc de.csv --json >out 2>err &&
	$PY -c "
import json
d = json.load(open(\"out\"))
assert d[\"ignored_columns\"] == [\"Vorname\", \"Nachname\", \"Stadt\", \"Seit\", \"Intern\"], d
"
'

test_expect_success 'bad mappings: a usage error, or a column the file lacks; nothing changed' '
	test_db_unchanged 2 tn follower import mc de.csv --map "Vorname=birthday" 2>err &&
	grep -F "turnout: --map: '\''Vorname=birthday'\'': unknown field '\''birthday'\''" err &&
	grep -F "hint: fields: email, handle, name, first_name, last_name, region, followed_at, user_id, ignore" err &&
	test_db_unchanged 2 tn follower import mc de.csv --map "Vorname" 2>err &&
	grep -F "turnout: --map: '\''Vorname'\'': not COLUMN=FIELD" err &&
	test_db_unchanged 1 tn follower import mc de.csv --map "Vorname=first_name" --map "Age=ignore" 2>err &&
	grep -F "turnout: --map: de.csv:1: no column '\''Age'\'' in the header" err &&
	printf "Mail Adresse,Vorname\nx@example.com,X\n" >nomail.csv &&
	test_db_unchanged 1 tn follower import mc nomail.csv 2>err &&
	grep -F "note: ignored column '\''Mail Adresse'\''" err &&
	grep -F "header has neither an '\''email'\'' nor a '\''handle'\'' column" err &&
	grep -F "name others with --map '\''Column=field'\''" err
'

test_expect_success 'semicolon- and tab-separated files are told from their header line' '
	tn channel add seps --kind newsletter &&
	printf "E-Mail;Name;Stadt;Score\r\nsemi@example.com;\"Semi, Colon\";Köln;1,5\r\n" >semi.csv &&
	tn follower import seps semi.csv --map Stadt=region >out 2>err &&
	echo "inserted 1, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	echo "note: ignored column '\''Score'\''" >expect &&
	test_cmp expect err &&
	test "$(q "SELECT name || '\''|'\'' || region FROM person p JOIN follower f ON p.id = f.person_id WHERE email = '\''semi@example.com'\''")" = "Semi, Colon|Köln" &&
	printf "email\tname\ntab@example.com\tTab Stop\n" >tab.tsv &&
	tn follower import seps tab.tsv >out &&
	echo "inserted 1, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT name FROM person WHERE email = '\''tab@example.com'\''")" = "Tab Stop"
'

test_expect_success '--delimiter names the separator; a bad one changes nothing' '
	printf "email|name\npipe@example.com|Pipe, Bar\n" >pipe.csv &&
	tn follower import seps pipe.csv --delimiter "|" >out &&
	echo "inserted 1, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT name FROM person WHERE email = '\''pipe@example.com'\''")" = "Pipe, Bar" &&
	printf "email;name;a,b\nsc@example.com;SC, y;z\n" >mixed.csv &&
	test_db_unchanged 1 tn follower import seps mixed.csv 2>err &&
	grep -F "header has neither" err &&
	tn follower import seps mixed.csv --delimiter ";" >out 2>err &&
	echo "note: ignored column '\''a,b'\''" >expect &&
	test_cmp expect err &&
	test "$(q "SELECT name FROM person WHERE email = '\''sc@example.com'\''")" = "SC, y" &&
	printf "email\tname\ntab2@example.com\tT2\n" >tab2.tsv &&
	tn follower import seps tab2.tsv --delimiter tab >out &&
	echo "inserted 1, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	test_db_unchanged 2 tn follower import seps tab2.tsv --delimiter x 2>err &&
	grep -F "turnout: --delimiter: '\''x'\'': not a separator" err
'

test_expect_success 'a gzip, zip or xlsx file says what it is; nothing changed' '
	tn channel add enc --kind newsletter &&
	printf "\037\213\010\000\000\000\000\000\000\003" >list.csv.gz &&
	test_db_unchanged 1 tn follower import enc list.csv.gz 2>err &&
	echo "turnout: list.csv.gz: this is a gzip file; decompress it first (gunzip)" >expect &&
	test_cmp expect err &&
	printf "PK\003\004\024\000\006\000" >list.xlsx &&
	test_db_unchanged 1 tn follower import enc list.xlsx --encoding latin1 2>err &&
	echo "turnout: list.xlsx: this is a zip or xlsx file; export it as CSV" >expect &&
	test_cmp expect err &&
	test_db_unchanged 1 tn follower import enc - <list.csv.gz 2>err &&
	grep -F "turnout: <stdin>: this is a gzip file" err
'

test_expect_success 'UTF-16 says so; --encoding UTF-16 reads it, from a file or a pipe' '
	$PY -c "open(\"u16.csv\", \"wb\").write(\"email,name\nolga@example.com,Ольга\n\".encode(\"utf-16\"))" &&
	$PY -c "open(\"u16le.csv\", \"wb\").write(\"email,name\nyuri@example.com,Юрий\n\".encode(\"utf-16-le\"))" &&
	test_db_unchanged 1 tn follower import enc u16.csv 2>err &&
	grep -F "turnout: u16.csv: this is UTF-16 text (little-endian), not UTF-8" err &&
	grep -F "hint: give --encoding UTF-16, or convert it: iconv -f UTF-16 -t UTF-8" err &&
	test_db_unchanged 1 tn follower import enc u16le.csv 2>err &&
	grep -F "hint: give --encoding UTF-16LE" err &&
	tn follower import enc u16.csv --encoding UTF-16 >out &&
	echo "inserted 1, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	tn follower import enc - --encoding utf-16 <u16le.csv >out &&
	test_cmp expect out &&
	test "$(q "SELECT name FROM person WHERE email = '\''olga@example.com'\''")" = Ольга &&
	test "$(q "SELECT name FROM person WHERE email = '\''yuri@example.com'\''")" = Юрий
'

test_expect_success 'Latin-1 or Windows-1251 is "not UTF-8" with a hint; --encoding reads it' '
	printf "email,name\nrene@example.com,Ren\351\n" >latin1.csv &&
	test_db_unchanged 1 tn follower import enc latin1.csv 2>err &&
	echo "turnout: latin1.csv:2: not UTF-8 (byte 0xE9)" >expect &&
	echo "hint: if it is Latin-1 or Windows-1251, give --encoding latin1 or --encoding windows-1251" >>expect &&
	test_cmp expect err &&
	printf "email,\310\354\377\n" >cp1251.csv &&
	test_db_unchanged 1 tn follower import enc cp1251.csv --map "\310\354\377=name" 2>err &&
	grep -F "turnout: cp1251.csv:1: not UTF-8 (byte 0xC8)" err &&
	printf "email,\310\354\377\nivan@example.com,\310\342\340\355\n" >cp1251.csv &&
	tn follower import enc cp1251.csv --encoding windows-1251 --map "Имя=name" >out &&
	echo "inserted 1, updated 0, rejected 0" >expect &&
	test_cmp expect out &&
	tn follower import enc latin1.csv --encoding latin1 >out &&
	test_cmp expect out &&
	test "$(q "SELECT name FROM person WHERE email = '\''rene@example.com'\''")" = René &&
	test "$(q "SELECT name FROM person WHERE email = '\''ivan@example.com'\''")" = Иван
'

test_expect_success 'after UTF-8 text a broken row is one rejected row; a bad --encoding changes nothing' '
	printf "email,name\nj@example.com,Jörg\nk@example.com,K\351\n" >late.csv &&
	tn follower import enc late.csv >out 2>err &&
	echo "inserted 1, updated 0, rejected 1" >expect &&
	test_cmp expect out &&
	grep -F "turnout: late.csv:3: invalid UTF-8" err &&
	test_db_unchanged 2 tn follower import enc latin1.csv --encoding klingon 2>err &&
	grep -F "turnout: --encoding: unknown encoding '\''klingon'\''" err &&
	head -c 21 u16le.csv >cut.csv &&
	test_db_unchanged 1 tn follower import enc cut.csv --encoding UTF-16LE 2>err &&
	grep -F "turnout: cut.csv: the input ends inside a UTF-16LE character" err &&
	printf "\357\273\277email\nbom@example.com\n" >bom.csv &&
	test_db_unchanged 1 tn follower import enc bom.csv --encoding latin1 2>err &&
	grep -F "this is UTF-8 text, not latin1" err
'

# The rows of an import are sorted in memory up to a budget, and in runs
# in temporary files beyond it ($TURNOUT_IMPORT_MEMORY sets the budget
# for tests): both ways must make the same database, row for row and id
# for id, with addresses in several cases, repeated keys whose later cells
# win, handles linked to addresses and rows with a handle alone.
test_expect_success 'an import bigger than its memory is sorted in runs on disk, to the same database' '
	$PY "$TN_TOP/bench/gen_followers.py" 4000 gen.csv &&
	{
		echo "email,handle,name,region,followed_at" &&
		tail -n +2 gen.csv | sed "s/^\([^,]*\),/\1,,/" &&
		tail -n +2 gen.csv | head -500 | sed "s/^\([^,]*\),\([^,]*\),/\U\1\E,,\2 Again,/" &&
		printf ",runner%d,Runner %d,Riga,2024-01-0%d\n" 1 1 1 2 2 2 1 1 3 &&
		printf "runner%d@example.org,RUNNER%d,,,\n" 1 1 3 3
	} >runs.csv &&
	for db in mem disk; do
		rm -f $db.db $db.db-wal $db.db-shm &&
		tn --db $db.db init >/dev/null &&
		tn --db $db.db channel add tg --kind telegram >/dev/null &&
		printf "handle\nrunner3\n" >pre.csv &&
		TURNOUT_NOW=2026-11-29T10:00:00Z tn --db $db.db follower import tg pre.csv >/dev/null || exit 1
	done &&
	TURNOUT_NOW=2026-11-29T11:00:00Z tn --db mem.db follower import tg runs.csv >mem.out 2>&1 &&
	TURNOUT_NOW=2026-11-29T11:00:00Z TURNOUT_IMPORT_MEMORY=20000 \
		tn --db disk.db follower import tg runs.csv >disk.out 2>&1 &&
	test_cmp mem.out disk.out &&
	grep -q "^inserted 4002, updated 503, rejected 0" mem.out &&
	sqlite3 mem.db ".dump person follower" >mem.sql &&
	sqlite3 disk.db ".dump person follower" >disk.sql &&
	test_cmp mem.sql disk.sql &&
	test "$(grep -c "^INSERT INTO person" mem.sql)" = 4003 &&
	TURNOUT_NOW=2026-11-29T12:00:00Z TURNOUT_IMPORT_MEMORY=20000 \
		tn --db disk.db follower import tg runs.csv >disk.out 2>&1 &&
	grep -q "^inserted 0, updated 4505, rejected 0" disk.out &&
	sqlite3 disk.db ".dump person follower" >again.sql &&
	test_cmp mem.sql again.sql
'

test_expect_success 'the runs go to $TMPDIR: one that cannot be written fails the import, which changes nothing' '
	sqlite3 disk.db .dump >before.sql &&
	TMPDIR="$TRASH/no-such-dir" TURNOUT_IMPORT_MEMORY=20000 \
		test_expect_code 1 tn --db disk.db follower import tg runs.csv 2>err &&
	sqlite3 disk.db .dump >after.sql &&
	test_cmp before.sql after.sql &&
	grep -F "runs.csv: cannot sort the rows: sort file in '\''$TRASH/no-such-dir'\''" err &&
	TMPDIR="$TRASH/no-such-dir" tn --db disk.db follower import tg runs.csv >out &&
	grep -q "^inserted 0, updated 4505, rejected 0" out
'

test_done
