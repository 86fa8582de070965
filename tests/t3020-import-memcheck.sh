#!/usr/bin/env bash
# The follower import under valgrind's memcheck: no invalid read or write,
# no leak, on two threads, in a transaction that ends in a commit (the
# virtual table of the bulk writer is dropped while SQLite still holds
# it), in one that is refused, and in a re-import. The build under
# AddressSanitizer cannot run under valgrind: it skips this file (its own
# checks cover turnout's code, not SQLite's reads of turnout's memory).
. "$(dirname "$0")/lib.sh"

test_lazy_prereq MEMCHECK 'valgrind -q --error-exitcode=99 "$TURNOUT" --version'

memcheck() {
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$TURNOUT" "$@"
}

test_expect_success MEMCHECK 'setup: 3,000 rows with handles and bad rows' '
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	tn channel add tg --kind telegram >/dev/null &&
	$PY "$TN_TOP/bench/gen_followers.py" 3000 news.csv &&
	{ echo "email,name,handle" &&
	  awk -F, "NR >= 2 && NR <= 1500 { split(\$1, a, \"@\"); gsub(/\\./, \"_\", a[1]); print \$1 \",,\" a[1] }" news.csv &&
	  echo ",Only Handle,lonely" &&
	  echo "not-an-address,Bad," ; } >tg.csv
'

test_expect_success MEMCHECK 'an import of addresses' '
	memcheck follower import news news.csv >out 2>err &&
	grep "inserted 3000" out
'

test_expect_success MEMCHECK 'an import with handles and a bad row' '
	memcheck follower import tg tg.csv >out 2>err &&
	grep "rejected 1" out &&
	grep "not an address" err
'

test_expect_success MEMCHECK 'a refused import (--strict) leaves nothing behind, in memory too' '
	test_expect_code 1 memcheck follower import tg tg.csv --strict >out 2>err &&
	grep "not an address" err &&
	! grep "==" err
'

test_expect_success MEMCHECK 'a re-import' '
	memcheck follower import news news.csv >out 2>err &&
	grep "inserted 0, updated 3000" out
'

test_done
