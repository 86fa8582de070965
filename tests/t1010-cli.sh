#!/usr/bin/env bash
# The command line as a git or curl user expects it: flags are checked
# before the database is opened, --db may follow the command, a group's
# --help lists its commands, and -h as an option's value is a value.
. "$(dirname "$0")/lib.sh"

test_expect_success 'a typo in a flag is a usage error whether or not a database exists' '
	rm -f turnout.db &&
	test_expect_code 2 tn_err event create --titel x &&
	stderr_has "unknown option .--titel." &&
	test_path_is_missing turnout.db &&
	setup_db &&
	test_expect_code 2 tn_err event create --titel x &&
	stderr_has "unknown option .--titel."
'

test_expect_success 'a missing database is reported only for a correct command line' '
	test_expect_code 1 tn_err --db nowhere.db channel list &&
	stderr_has "database .nowhere.db.: does not exist" &&
	test_expect_code 2 tn_err --db nowhere.db channel list --bogus &&
	stderr_has "unknown option .--bogus." &&
	test_path_is_missing nowhere.db
'

test_expect_success '--db may follow the command, in both spellings' '
	tn --db other.db init >/dev/null &&
	tn channel add web --kind blog --db other.db >/dev/null &&
	tn channel list --db=other.db >out &&
	grep -q "^web " out &&
	tn channel list >out &&
	! grep -q "^web " out &&
	test_expect_code 2 tn_err channel list --db &&
	stderr_has "needs a value"
'

test_expect_success 'a group with --help lists its commands' '
	tn channel --help >out &&
	grep -q "channel add" out &&
	grep -q "channel list" out &&
	tn event -h >out &&
	grep -q "event create" out
'

test_expect_success '-h or --help as the value of a flag is that value' '
	tn event create --title -h --start "2027-01-01 10:00" --tz UTC >slug &&
	echo h >expect &&
	test_cmp expect slug &&
	tn event show h --json >ev.json &&
	$PY -c "import json,sys; assert json.load(open(sys.argv[1]))[\"title\"] == \"-h\"" ev.json &&
	tn event create --title x --venue --help --start "2027-01-02 10:00" --tz UTC >/dev/null &&
	tn event show x >out &&
	grep -q "^venue  *--help$" out
'

test_expect_success '--help after -- is an argument' '
	test_expect_code 2 tn_err event show -- --help &&
	stderr_has "no such event"
'

test_done
