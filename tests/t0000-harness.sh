#!/usr/bin/env bash
# The harness itself: tests/lib.sh must report every failure, wherever it
# happens in a test body. Each case writes a small inner test script that
# sources lib.sh with a stand-in for turnout, runs it, and reads its TAP.
. "$(dirname "$0")/lib.sh"

# run_inner NAME: run NAME.sh (which sources lib.sh) with the stand-in
# turnout; its TAP goes to NAME.out, its stderr to NAME.err. Returns the
# inner script's exit status.
run_inner() {
	TURNOUT="$TRASH/fake-turnout" TMPDIR="$TRASH" bash "$1.sh" >"$1.out" 2>"$1.err"
}

# inner_test NAME BODY: run_inner on a script of one case, "inner", whose
# body is BODY.
inner_test() {
	printf '. "$TN_TOP/tests/lib.sh"\ntest_expect_success inner %q\ntest_done\n' "$2" >"$1.sh" &&
	run_inner "$1"
}

test_expect_success 'setup: a stand-in for turnout' '
	cat >fake-turnout <<-\EOF &&
	#!/bin/sh
	# Runs $FAKE_SQL on the database if set, then exits with $FAKE_EXIT.
	if [ -n "$FAKE_SQL" ]; then sqlite3 "$TURNOUT_DB" "$FAKE_SQL" || exit 99; fi
	exit "${FAKE_EXIT:-0}"
	EOF
	chmod +x fake-turnout
'

test_expect_success 'a passing body is ok; a failing one is not ok and shows its output' '
	inner_test pass "echo fine && true" &&
	cat >expect <<-\EOF &&
	ok 1 - inner
	1..1
	EOF
	test_cmp expect pass.out &&
	test_expect_code 1 inner_test fail "echo the output && false" &&
	cat >expect <<-\EOF &&
	not ok 1 - inner
	#   the output
	1..1
	EOF
	test_cmp expect fail.out
'

test_expect_success 'a body stops at its first failing command (set -e)' '
	test_expect_code 1 inner_test sete-body "false; echo reached" &&
	grep -qx "not ok 1 - inner" sete-body.out &&
	! grep -q reached sete-body.out
'

test_expect_success 'test_db_unchanged fails on a wrong exit status, even mid-chain' '
	test_expect_code 1 inner_test status "test_db_unchanged 0 false && true" &&
	grep -qx "not ok 1 - inner" status.out &&
	grep -qx "#   expected exit 0, got 1: false" status.out &&
	test_expect_code 1 inner_test status-tn \
		"export FAKE_EXIT=1 && test_db_unchanged 2 tn channel list && true" &&
	grep -qx "#   expected exit 2, got 1: tn channel list" status-tn.out &&
	inner_test right "test_db_unchanged 1 false && test_db_unchanged 0 tn && true" &&
	grep -qx "ok 1 - inner" right.out
'

test_expect_success 'test_db_unchanged fails when the database changed, even mid-chain' '
	test_expect_code 1 inner_test changed \
		"export FAKE_SQL=\"CREATE TABLE t(x)\" && test_db_unchanged 0 tn && true" &&
	grep -qx "not ok 1 - inner" changed.out &&
	grep -q "^#   +CREATE TABLE t" changed.out
'

test_expect_success 'test_expect_code fails on a wrong status, even mid-chain' '
	test_expect_code 1 inner_test code-true "test_expect_code 1 true && true" &&
	grep -qx "not ok 1 - inner" code-true.out &&
	test_expect_code 1 inner_test code-last "test_expect_code 0 false" &&
	grep -qx "not ok 1 - inner" code-last.out &&
	inner_test code-right "test_expect_code 3 sh -c \"exit 3\" && test_expect_code 0 true && true" &&
	grep -qx "ok 1 - inner" code-right.out
'

test_expect_success 'test_expect_code leaves set -e as it found it' '
	cat >sete.sh <<-\EOF &&
	. "$TN_TOP/tests/lib.sh"
	test_expect_code 1 false
	case $- in *e*) echo "set -e turned on at the top level" ;; esac
	test_expect_success inner "test_expect_code 1 false; false; echo reached"
	test_done
	EOF
	test_expect_code 1 run_inner sete &&
	! grep "set -e turned on" sete.out &&
	grep -qx "not ok 1 - inner" sete.out &&
	! grep -q reached sete.out
'

test_expect_success 'test_expect_success without a body is a bug in the script' '
	printf ". \"\$TN_TOP/tests/lib.sh\"\ntest_expect_success \"only a title\"\ntest_done\n" >nobody.sh &&
	test_expect_code 1 run_inner nobody &&
	grep -q "bug in the test script" nobody.err &&
	! grep -q "^1\.\." nobody.out
'

test_expect_success 'test_expect_success where set -e is ignored is a bug in the script' '
	printf ". \"\$TN_TOP/tests/lib.sh\"\ntest_expect_success inner \"false; true\" || true\ntest_done\n" >noset.sh &&
	test_expect_code 1 run_inner noset &&
	grep -q "bug in the test script: .* set -e is ignored" noset.err &&
	! grep -q "^ok" noset.out
'

test_expect_success 'tn_err keeps stderr for stderr_has; q queries the database' '
	cat >fake-stderr <<-\EOF &&
	#!/bin/sh
	echo "turnout: something went wrong" >&2
	exit 2
	EOF
	chmod +x fake-stderr &&
	(TURNOUT="$TRASH/fake-stderr" && test_expect_code 2 tn_err x) &&
	stderr_has "^turnout: something" &&
	test_expect_code 1 stderr_has "^nothing like this" 2>err &&
	grep -q "stderr lacks" err &&
	q "CREATE TABLE t(x); INSERT INTO t VALUES(42)" &&
	test "$(q "SELECT x FROM t")" = 42
'

test_expect_success 'a case whose prerequisite is missing is a visible skip' '
	cat >prereq.sh <<-\EOF &&
	. "$TN_TOP/tests/lib.sh"
	ran() { echo "$1" >>"$TMPDIR/ran"; }
	test_set_prereq YES
	test_lazy_prereq LAZY_YES "true"
	test_lazy_prereq LAZY_NO "echo asked >>\"\$TMPDIR/asked\"; false"
	test_expect_success YES "set" "ran 1"
	test_expect_success NO "never set" "ran 2"
	test_expect_success LAZY_YES,!NO "lazy and negated" "ran 3"
	test_expect_success LAZY_NO "lazy, failing" "ran 4"
	test_expect_success LAZY_NO "asked twice" "ran 5"
	test_skip "skipped by hand" "no network here"
	test_done
	EOF
	run_inner prereq &&
	cat >expect <<-\EOF &&
	ok 1 - set
	ok 2 - never set # SKIP missing NO
	ok 3 - lazy and negated
	ok 4 - lazy, failing # SKIP missing LAZY_NO
	ok 5 - asked twice # SKIP missing LAZY_NO
	ok 6 - skipped by hand # SKIP no network here
	1..6
	EOF
	test_cmp expect prereq.out &&
	printf "1\n3\n" >expect &&
	test_cmp expect ran &&
	echo asked >expect &&
	test_cmp expect asked
'

test_expect_success 'test_wait_for waits for a file, and gives up after its timeout' '
	{ (sleep 0.3 && : >late) & } &&
	test_wait_for late 5 &&
	test_expect_code 1 test_wait_for never 1 2>err &&
	grep -q "timed out after 1 s waiting for .never." err
'

test_expect_success 'chainlint accepts chained bodies of every shape' '
	perl "$TN_TOP/tests/chainlint.pl" "$TN_DATA/chainlint/good.sh" >out &&
	test ! -s out
'

test_expect_success 'chainlint reports each broken chain with file, line and text' '
	(cd "$TN_DATA/chainlint" && test_expect_code 1 perl ../../chainlint.pl bad.sh) >out &&
	test_cmp "$TN_DATA/chainlint/bad.expect" out
'

test_done
