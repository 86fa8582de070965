#!/usr/bin/env bash
# A database made by schema version 1 is upgraded in place on open.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a copy of the version-1 database' '
	cp "$TN_DATA/schema-v1.db" turnout.db &&
	test "$(sqlite3 turnout.db "PRAGMA user_version")" = 1
'

test_expect_success 'any command upgrades it, keeping its rows' '
	tn channel list --json >ch.json &&
	test "$(sqlite3 turnout.db "PRAGMA user_version")" = 2 &&
	$PY -c "import json; d = {c[\"name\"]: (c[\"audience\"], c[\"followers\"]) for c in json.load(open(\"ch.json\"))}; assert d == {\"letter\": (1800, 2), \"tg\": (950, 2)}, d" &&
	tn follower show @ivanp >out &&
	grep -q "Иван Петров" out &&
	test "$(sqlite3 turnout.db "PRAGMA integrity_check")" = ok
'

test_expect_success 'the upgraded database takes events and imports' '
	slug=$(tn event create --title "After the upgrade" --start "2026-12-01 18:00" --tz Europe/Berlin) &&
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
		test "$(sqlite3 race.db "PRAGMA user_version")" = 2 || exit 1
	done
'

test_done
