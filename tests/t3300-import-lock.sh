#!/usr/bin/env bash
# An import reads and checks its input before it takes the write lock:
# other writers are not held up while the input arrives, and two imports
# started together both complete. The inputs are FIFOs fed in two parts
# (tests/feed_fifo.py), so the imports are still reading when the other
# writers run, however fast the machine is.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a database with two channels' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel add blog --kind blog >/dev/null &&
	cat >locker.py <<-\PYEOF
	import os, sqlite3, sys, time
	# holds the write lock until the file "release" appears (at most 30 s)
	c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=2)
	c.execute("BEGIN IMMEDIATE")
	open("locked", "w").close()
	deadline = time.time() + 30
	while not os.path.exists("release") and time.time() < deadline:
	    time.sleep(0.05)
	c.execute("COMMIT")
	PYEOF
'

test_expect_success 'other writers write while an import reads; it waits for the lock after' '
	mkfifo slow.fifo &&
	{ timeout 60 "$TURNOUT" follower import news slow.fifo >imp.out 2>imp.err & } &&
	import=$! &&
	{ $PY "$TN_TOP/tests/feed_fifo.py" slow.fifo a 5000 100 fed go & } &&
	feeder=$! &&
	test_wait_for fed &&
	timeout 20 "$TURNOUT" channel add tg --kind telegram >add.out 2>add.err &&
	grep -q "added channel" add.out &&
	{ $PY locker.py turnout.db & } &&
	locker=$! &&
	test_wait_for locked &&
	touch go &&
	wait $feeder &&
	sleep 1 &&
	kill -0 $import &&
	touch release &&
	wait $locker &&
	wait $import &&
	echo "inserted 5100, updated 0, rejected 0" >expect &&
	test_cmp expect imp.out &&
	test_must_be_empty imp.err &&
	test "$(q "SELECT count(*) FROM follower f JOIN channel c ON c.id = f.channel_id WHERE c.name = '\''news'\''")" = 5100
'

test_expect_success 'two imports started together both complete' '
	mkfifo one.fifo two.fifo &&
	{ timeout 60 "$TURNOUT" follower import news one.fifo >one.out 2>one.err & } &&
	first=$! &&
	{ timeout 60 "$TURNOUT" follower import blog two.fifo >two.out 2>two.err & } &&
	second=$! &&
	{ $PY "$TN_TOP/tests/feed_fifo.py" one.fifo b 5000 3000 fed1 go2 & } &&
	feed1=$! &&
	{ $PY "$TN_TOP/tests/feed_fifo.py" two.fifo b 5000 3000 fed2 go2 & } &&
	feed2=$! &&
	test_wait_for fed1 &&
	test_wait_for fed2 &&
	touch go2 &&
	wait $feed1 && wait $feed2 &&
	wait $first && wait $second &&
	echo "inserted 8000, updated 0, rejected 0" >expect &&
	test_cmp expect one.out &&
	test_cmp expect two.out &&
	test "$(q "SELECT count(*) FROM person WHERE email LIKE '\''b%@example.org'\''")" = 8000 &&
	test "$(q "SELECT count(*) FROM follower f JOIN person p ON p.id = f.person_id WHERE p.email LIKE '\''b%@example.org'\''")" = 16000 &&
	test "$(q "PRAGMA integrity_check")" = ok
'

test_done
