#!/usr/bin/env bash
# kill -9 in the middle of an import: the database passes integrity_check
# and holds exactly what was committed before (SPEC "Guarantees").
. "$(dirname "$0")/lib.sh"

count() { sqlite3 turnout.db "SELECT count(*) FROM follower f JOIN channel c ON c.id = f.channel_id WHERE c.name = '$1'"; }

test_expect_success 'setup: one committed follower and a big CSV' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel add big --kind newsletter >/dev/null &&
	printf "email,name\nkept@example.org,Kept Before\n" >small.csv &&
	tn follower import news small.csv >/dev/null &&
	$PY "$TN_TOP/bench/gen_followers.py" 150000 big.csv
'

# The kills come at fractions of the time a whole import takes on this
# machine and build (under a second with -O2, several under ASan), so that
# each one lands while the import is still running.
test_expect_success 'setup: time a whole import (in a database of its own)' '
	tn --db timing.db init >/dev/null &&
	tn --db timing.db channel add big --kind newsletter >/dev/null &&
	start=$(date +%s%N) &&
	tn --db timing.db follower import big big.csv >/dev/null &&
	end=$(date +%s%N) &&
	echo $(( (end - start) / 1000000 )) >import-ms &&
	cat import-ms
'

# The binary itself runs in the background (not the tn function, whose
# subshell would die while turnout went on). Exit status 137 (128 + 9)
# shows the import was still running when SIGKILL came.
for percent in 2 15 35 60; do
	test_expect_success "kill -9 at $percent% of an import leaves a whole database" '
		ms=$(( $(cat import-ms) * '"$percent"' / 100 )) &&
		{ "$TURNOUT" follower import big big.csv >/dev/null 2>&1 & } &&
		pid=$! &&
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))" &&
		kill -9 $pid 2>/dev/null || true &&
		status=0 &&
		{ wait $pid || status=$?; } &&
		echo "killed after $ms ms of $(cat import-ms); import exit status: $status" &&
		test "$status" = 137 &&
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
