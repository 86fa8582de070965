#!/usr/bin/env bash
# The import's progress bar: drawn on a terminal, absent otherwise.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a channel and 20000 followers to import' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	$PY "$TN_TOP/bench/gen_followers.py" 20000 f.csv
'

test_expect_success 'no progress bar when stderr is not a terminal' '
	tn follower import news f.csv >out 2>err &&
	grep -q "^inserted 20000, updated 0, rejected 0$" out &&
	test ! -s err
'

test_expect_success 'a progress bar on a terminal, erased at the end' '
	command -v script >/dev/null &&
	script -qec "\"$TURNOUT\" follower import news f.csv" /dev/null </dev/null >tty.out &&
	grep -a -q "reading \[" tty.out &&
	grep -a -q "writing \[#*\] 100%" tty.out &&
	grep -a -q "inserted 0, updated 20000, rejected 0" tty.out
'

test_done
