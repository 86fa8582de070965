#!/usr/bin/env bash
# Databases made by schema versions 1 and 2 are upgraded in place on open.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a copy of the version-1 database' '
	cp "$TN_DATA/schema-v1.db" turnout.db &&
	test "$(sqlite3 turnout.db "PRAGMA user_version")" = 1
'

test_expect_success 'any command upgrades it, keeping its rows' '
	tn channel list --json >ch.json &&
	test "$(sqlite3 turnout.db "PRAGMA user_version")" = 10 &&
	test "$(sqlite3 turnout.db "PRAGMA application_id")" = 1416515445 &&
	$PY -c "import json; d = {c[\"name\"]: (c[\"audience\"], c[\"followers\"]) for c in json.load(open(\"ch.json\"))}; assert d == {\"letter\": (1800, 2), \"tg\": (950, 2)}, d" &&
	tn follower show @ivanp >out &&
	grep -q "Иван Петров" out &&
	test "$(sqlite3 turnout.db "PRAGMA integrity_check")" = ok
'

test_expect_success 'the upgraded database takes events and imports' '
	slug=$(TURNOUT_NOW=2026-11-24T12:00:00Z tn event create --title "After the upgrade" --start "2026-12-01 18:00" --tz Europe/Berlin) &&
	test "$slug" = after-the-upgrade &&
	printf "email,name\nanna@EXAMPLE.org,Anna B.\n" | tn follower import tg - >out &&
	grep -q "inserted 1, updated 0, rejected 0" out &&
	test "$(sqlite3 turnout.db "SELECT count(*) FROM person")" = 3
'

test_expect_success 'init on the upgraded database changes nothing' '
	db_dump >before &&
	tn init 2>err &&
	grep -q "already initialised" err &&
	db_dump >after && test_cmp before after
'

test_expect_success 'processes opening an old database at once all succeed' '
	for round in 1 2 3 4 5 6 7 8; do
		cp "$TN_DATA/schema-v1.db" race.db &&
		rm -f race.db-wal race.db-shm &&
		pids= &&
		for i in 1 2 3 4; do
			{ timeout 30 "$TURNOUT" --db race.db channel list --json >/dev/null 2>race.err.$i & } &&
			pids="$pids $!" || exit 1
		done &&
		for p in $pids; do
			wait $p || { cat race.err.*; exit 1; }
		done &&
		test "$(sqlite3 race.db "PRAGMA user_version")" = 10 || exit 1
	done
'

test_expect_success 'a version-3 database made before the mark is recognised, marked and upgraded' '
	cp "$TN_DATA/schema-v3.db" v3.db &&
	test "$(sqlite3 v3.db "PRAGMA application_id")" = 0 &&
	test "$(sqlite3 v3.db "PRAGMA user_version")" = 3 &&
	TURNOUT_DB=v3.db tn channel list >out &&
	test "$(sqlite3 v3.db "PRAGMA application_id")" = 1416515445 &&
	test "$(sqlite3 v3.db "PRAGMA user_version")" = 10 &&
	test "$(sqlite3 v3.db "PRAGMA journal_mode")" = wal
'

test_expect_success 'an unmarked file at a version made only with the mark is not turnout'"'"'s' '
	cp turnout.db v4.db &&
	sqlite3 v4.db "PRAGMA application_id=0; PRAGMA journal_mode=DELETE" >/dev/null &&
	sha256sum v4.db >v4.sum &&
	test_expect_code 1 tn_err --db v4.db channel list &&
	stderr_has "not a turnout database" &&
	sha256sum -c --quiet v4.sum
'

test_expect_success 'version 2: one address in four forms becomes one person' '
	cp "$TN_DATA/schema-v2.db" v2.db &&
	test "$(sqlite3 v2.db "PRAGMA user_version")" = 2 &&
	test "$(sqlite3 v2.db "SELECT count(*) FROM person WHERE email GLOB '\''[Aa]nna@*'\''")" = 4 &&
	TURNOUT_DB=v2.db tn follower show anna@пример.рф >out &&
	test "$(sqlite3 v2.db "PRAGMA user_version")" = 10 &&
	grep -q "^id  *1$" out &&
	grep -q "^email  *anna@пример.рф$" out &&
	grep -q "^follows  *letter @annap, Москва, since 2026-01-15$" out &&
	grep -q "^follows  *masto @anna@social.example$" out &&
	grep -q "^follows  *tg @anna_tg, Москва, since 2025-12-01$" out &&
	TURNOUT_DB=v2.db tn follower show anna@xn--e1afmkfd.xn--p1ai >out2 &&
	TURNOUT_DB=v2.db tn follower show anna@ПРИМЕР.РФ >out3 &&
	test_cmp out out2 && test_cmp out out3 &&
	TURNOUT_DB=v2.db tn follower show Anna@пример.рф >capital &&
	test_cmp out capital &&
	test "$(sqlite3 v2.db "PRAGMA integrity_check")" = ok
'

test_expect_success 'version 2: decomposed names and regions are NFC and match' '
	TURNOUT_DB=v2.db tn follower list --region munchen --format tsv >out &&
	grep -q "^5	Jürgen Müller	juergen@bücher.de	letter, tg @juergen	München$" out &&
	test "$(sqlite3 v2.db "SELECT hex(name) FROM person WHERE id = 5")" = 4AC3BC7267656E204DC3BC6C6C6572 &&
	TURNOUT_DB=v2.db tn follower list --region istanbul --format tsv >out &&
	grep -q "tg @tgonly	İstanbul$" out &&
	test "$(sqlite3 v2.db "SELECT count(*) FROM person")" = 5
'

test_expect_success 'version 2: later imports of any form of the address find the merged person' '
	printf "email,name\nanna@ПРИМЕР.РФ,\njuergen@BÜCHER.de,\n" | TURNOUT_DB=v2.db tn follower import letter - >out &&
	grep -q "inserted 0, updated 2, rejected 0" out &&
	test "$(sqlite3 v2.db "SELECT count(*) FROM person")" = 5
'

test_expect_success 'version 3: an address in three cases of its local part becomes one person' '
	cp "$TN_DATA/schema-v3.db" v3.db &&
	test "$(sqlite3 v3.db "PRAGMA user_version")" = 3 &&
	test "$(sqlite3 v3.db "SELECT count(*) FROM person WHERE email LIKE '\''anna.weber@posteo.de'\''")" = 3 &&
	TURNOUT_DB=v3.db tn follower show anna.weber@posteo.de >out &&
	test "$(sqlite3 v3.db "PRAGMA user_version")" = 10 &&
	cat >expect <<-\EOF &&
	id            1
	name          Anna Weber
	email         Anna.Weber@posteo.de
	follows       letter, Berlin, since 2025-10-01
	follows       masto @anna@social.example
	follows       tg @anna_w, since 2025-09-09
	EOF
	test_cmp expect out &&
	TURNOUT_DB=v3.db tn follower show ANNA.WEBER@posteo.de >out2 &&
	test_cmp expect out2 &&
	TURNOUT_DB=v3.db tn follower show @anna_w >out3 &&
	test_cmp expect out3 &&
	test "$(sqlite3 v3.db "PRAGMA integrity_check")" = ok
'

test_expect_success 'version 3: the handle-only person is merged into the person who brought the handle' '
	TURNOUT_DB=v3.db tn follower show z@x.example >out &&
	grep -q "^name  *Zed$" out &&
	grep -q "^follows  *tg @ztg, Riga, since 2026-01-15$" out &&
	TURNOUT_DB=v3.db tn channel list --json >ch.json &&
	$PY -c "import json; d = {c[\"name\"]: c[\"followers\"] for c in json.load(open(\"ch.json\"))}; assert d == {\"letter\": 6, \"tg\": 2, \"tgchat\": 1, \"masto\": 2}, d" &&
	TURNOUT_DB=v3.db tn follower list --format tsv >list &&
	grep -q "^5	Ünal Yılmaz	Ünal@example.org	letter	İzmir$" list &&
	grep -q "^8		ünal@example.org	letter	Ankara$" list
'

test_expect_success 'version 3: later imports in any case find the merged person' '
	printf "email,name\nANNA.weber@POSTEO.de,\nZ@X.EXAMPLE,\n" | TURNOUT_DB=v3.db tn follower import letter - >out &&
	grep -q "inserted 0, updated 2, rejected 0" out &&
	test "$(sqlite3 v3.db "SELECT count(*) FROM person")" = 7
'

test_done
