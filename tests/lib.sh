# tests/lib.sh - TAP helpers for the end-to-end tests (after git's
# t/test-lib.sh). Each test script sources this file, gets its own trash
# directory (removed at exit) with $TURNOUT_DB inside it, and describes
# its cases with test_expect_success. A case body runs in a subshell with
# `set -e`, but bash ignores `set -e` in all but the last command of an &&
# list and in any function called from one: so every command of a body is
# chained with &&, and every helper here chains its own commands and
# returns non-zero when it fails.

: "${TURNOUT:?set TURNOUT to the built turnout binary (make check does)}"
TN_TOP=${TN_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
TN_DATA="$TN_TOP/tests/data"
PY=/usr/bin/python3
export TN_TOP TN_DATA PY TURNOUT

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/turnout-t.XXXXXX") || exit 1
trap 'rm -rf "$TRASH"' EXIT
cd "$TRASH" || exit 1
export TURNOUT_DB="$TRASH/turnout.db"
export TZ=UTC LC_ALL=C.UTF-8

test_count=0
test_failed=0

tn() { "$TURNOUT" "$@"; }

# tn_err ARGS...: tn with its stderr kept in $TRASH/.stderr for stderr_has.
tn_err() { tn "$@" 2>"$TRASH/.stderr"; }

# q SQL: the result of SQL on the test database.
q() { sqlite3 "$TURNOUT_DB" "$1"; }

# test_expect_success [PREREQ] TITLE BODY: run BODY; "ok" if it exits 0.
# PREREQ is a comma-separated list of prerequisites (test_have_prereq);
# if one does not hold, BODY is not run and the case shows as a TAP skip.
test_expect_success() {
	local prereq=
	if [ $# = 3 ]; then
		prereq=$1
		shift
	fi
	if [ $# != 2 ]; then
		echo "bug in the test script: test_expect_success wants [PREREQ] TITLE BODY" >&2
		exit 1
	fi
	if [ -n "$prereq" ] && ! test_have_prereq "$prereq"; then
		test_skip "$1" "missing $test_missing_prereq"
		return 0
	fi
	# Called in an if condition or an && / || list, the body would run
	# with set -e ignored: then this probe runs on past `false`.
	( set -e; false; true )
	if [ $? = 0 ]; then
		echo "bug in the test script: test_expect_success called where set -e is ignored (in an if, while, && or || list)" >&2
		exit 1
	fi
	test_count=$((test_count + 1))
	# Not `if ( ... )`, for the same reason.
	( set -e; eval "$2" ) >"$TRASH/.case-out" 2>&1
	if [ $? -eq 0 ]; then
		echo "ok $test_count - $1"
	else
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.case-out"
		test_failed=$((test_failed + 1))
	fi
}

# test_skip TITLE REASON: a case that is not run, shown with its reason.
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

# Prerequisites, as in git: test_set_prereq NAME declares one that holds;
# test_lazy_prereq NAME SCRIPT one that holds if SCRIPT exits 0 (run once,
# in a subshell, when first asked). test_have_prereq A,B,!C says whether A
# and B hold and C does not; the first that fails is left in
# $test_missing_prereq.
declare -A test_prereq test_lazy_prereq_script
test_set_prereq() { test_prereq[$1]=1; }
test_lazy_prereq() { test_lazy_prereq_script[$1]=$2; }
test_have_prereq() {
	local p name want
	local IFS=,
	for p in $1; do
		name=${p#!}
		want=1
		[ "$name" = "$p" ] || want=0
		if [ -z "${test_prereq[$name]+set}" ]; then
			test_prereq[$name]=0
			if [ -n "${test_lazy_prereq_script[$name]+set}" ] &&
			   ( eval "${test_lazy_prereq_script[$name]}" ) >/dev/null 2>&1; then
				test_prereq[$name]=1
			fi
		fi
		if [ "${test_prereq[$name]}" != "$want" ]; then
			test_missing_prereq=$p
			return 1
		fi
	done
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}

# test_expect_code N CMD...: CMD must exit with status N. It neither needs
# nor changes `set -e` in its caller.
test_expect_code() {
	local want=$1 got
	shift
	if "$@"; then got=0; else got=$?; fi
	if [ "$got" -ne "$want" ]; then
		echo "expected exit $want, got $got: $*" >&2
		return 1
	fi
}

# test_path_is_missing PATH: nothing exists at PATH.
test_path_is_missing() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		echo "'$1' exists" >&2 &&
		return 1
	fi
}

# test_must_be_empty FILE: FILE exists and is empty (else it is shown).
test_must_be_empty() {
	if [ -s "$1" ]; then
		echo "'$1' is not empty:" >&2 &&
		cat "$1" >&2 &&
		return 1
	fi
}

# test_cmp EXPECT ACTUAL: the files must be identical.
test_cmp() {
	diff -u "$1" "$2"
}

# db_dump FILE: the whole database as SQL text, for before/after checks.
db_dump() {
	sqlite3 "${1:-$TURNOUT_DB}" .dump
}

# test_db_unchanged N CMD...: CMD must exit with N and leave the database
# exactly as it was (a full .dump before and after). Fails if either does
# not hold, wherever it stands in an && chain.
test_db_unchanged() {
	db_dump >"$TRASH/.before" &&
	test_expect_code "$@" &&
	db_dump >"$TRASH/.after" &&
	test_cmp "$TRASH/.before" "$TRASH/.after"
}

# stderr_has PATTERN: the stderr that tn_err kept in $TRASH/.stderr must
# match PATTERN (an extended regex).
stderr_has() {
	grep -E -q -- "$1" "$TRASH/.stderr" || {
		echo "stderr lacks /$1/:" >&2
		cat "$TRASH/.stderr" >&2
		return 1
	}
}

# test_wait_for FILE [SECONDS]: wait until FILE exists; fail after SECONDS
# (a whole number, default 30), so a helper that died cannot hang a test.
test_wait_for() {
	local file=$1 tenths=$(( ${2:-30} * 10 ))
	while [ ! -e "$file" ]; do
		if [ "$tenths" -le 0 ]; then
			echo "timed out after ${2:-30} s waiting for '$file'" >&2
			return 1
		fi
		sleep 0.1 &&
		tenths=$((tenths - 1))
	done
}

# Start a fresh initialised database in the trash directory.
setup_db() {
	rm -f "$TURNOUT_DB" "$TURNOUT_DB-wal" "$TURNOUT_DB-shm" &&
	tn init --org "Test Org" --from "org@example.org" \
		--base-url "https://meet.example.org" >/dev/null
}
