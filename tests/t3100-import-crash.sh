#!/usr/bin/env bash
# kill -9 in the middle of an import: the database passes integrity_check
# and holds exactly what was committed before (SPEC "Guarantees").
. "$(dirname "$0")/lib.sh"

setup_db
tn channel add news --kind newsletter >/dev/null
tn channel add big --kind newsletter >/dev/null
printf 'email,name\nkept@example.org,Kept Before\n' >small.csv
tn follower import news small.csv >/dev/null
$PY "$TN_TOP/bench/gen_followers.py" 150000 big.csv

count() { sqlite3 turnout.db "SELECT count(*) FROM follower f JOIN channel c ON c.id = f.channel_id WHERE c.name = '$1'"; }

# The binary itself runs in the background (not the tn function, whose
# subshell would die while turnout went on).
for delay in 0.05 0.2 0.5 1.0; do
	test_expect_success "kill -9 after ${delay}s leaves a whole database" '
		{ "$TURNOUT" follower import big big.csv >/dev/null 2>&1 & } &&
		pid=$! &&
		sleep '"$delay"' &&
		kill -9 $pid 2>/dev/null || true &&
		status=0 &&
		{ wait $pid || status=$?; } &&
		echo "import exit status: $status" &&
		if [ '"$delay"' = 0.05 ]; then test "$status" = 137; fi &&
		test "$(sqlite3 turnout.db "PRAGMA integrity_check")" = ok &&
		test "$(count news)" = 1 &&
		n=$(count big) &&
		{ test "$n" = 0 || test "$n" = 150000; } &&
		test "$(sqlite3 turnout.db "SELECT name FROM person WHERE email = '\''kept@example.org'\''")" = "Kept Before"
	'
done

test_expect_success 'after the kills, the import completes and counts are right' '
	tn follower import big big.csv >out &&
	test "$(count big)" = 150000 &&
	test "$(sqlite3 turnout.db "PRAGMA integrity_check")" = ok
'

test_done
