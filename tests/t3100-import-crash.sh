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

# The kills come when the import has written a given share of the bytes
# a whole import writes (wchar in /proc/PID/io: the WAL, then the
# database file at the checkpoint), so each one lands while the import is
# still running however fast or loaded the machine is: a process cannot
# exit before it has written all its bytes.
# io_written PID: bytes the process has written so far (empty once gone:
# it may end between `kill -0` and the read, and that is no failure).
io_written() { sed -n "s/^wchar: //p" "/proc/$1/io" 2>/dev/null || true; }

test_expect_success 'setup: the bytes a whole import writes (in a database of its own)' '
	tn --db timing.db init >/dev/null &&
	tn --db timing.db channel add big --kind newsletter >/dev/null &&
	{ "$TURNOUT" --db timing.db follower import big big.csv >/dev/null & } &&
	pid=$! &&
	last=0 &&
	while kill -0 $pid 2>/dev/null; do
		w=$(io_written $pid) &&
		if [ -n "$w" ]; then last=$w; fi &&
		sleep 0.005 || exit 1
	done &&
	wait $pid &&
	echo "$last" >import-bytes &&
	test "$last" -gt 1000000
'

# The binary itself runs in the background (not the tn function, whose
# subshell would die while turnout went on). Exit status 137 (128 + 9)
# shows the import was still running when SIGKILL came.
for percent in 2 15 35 60; do
	test_expect_success "kill -9 at $percent% of an import leaves a whole database" '
		want=$(( $(cat import-bytes) * '"$percent"' / 100 )) &&
		{ "$TURNOUT" follower import big big.csv >/dev/null 2>&1 & } &&
		pid=$! &&
		w=0 &&
		while [ "${w:-0}" -lt "$want" ] && kill -0 $pid 2>/dev/null; do
			w=$(io_written $pid) &&
			sleep 0.002 || exit 1
		done &&
		{ kill -9 $pid 2>/dev/null || true; } &&
		status=0 &&
		{ wait $pid || status=$?; } &&
		echo "killed after ${w:-?} of $want bytes; import exit status: $status" &&
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
