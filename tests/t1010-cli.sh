#!/usr/bin/env bash
# The command line as a git or curl user expects it: flags are checked
# before the database is opened, --db may follow the command, a group's
# --help lists its commands, and -h as an option's value is a value.
. "$(dirname "$0")/lib.sh"

# the events created below are upcoming at this time, whatever the clock says
export TURNOUT_NOW=2026-11-24T12:00:00Z

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

test_expect_success 'did you mean: commands, subcommands and flags' '
	test_expect_code 2 tn_err evnt list &&
	stderr_has "^did you mean .event.\?" &&
	test_expect_code 2 tn_err channel ad x &&
	stderr_has "^did you mean .channel add.\?" &&
	test_expect_code 2 tn_err help chanel &&
	stderr_has "^did you mean .channel.\?" &&
	test_expect_code 2 tn_err event create --titel x &&
	stderr_has "^did you mean .--title.\?" &&
	test_expect_code 2 tn_err frobnicate &&
	! stderr_has "did you mean"
'

test_expect_success 'did you mean: channel kinds and names, nothing changed' '
	setup_db &&
	tn channel add newsletter --kind newsletter >/dev/null &&
	test_db_unchanged 2 tn_err channel add tg --kind telegramm &&
	stderr_has "^hint: did you mean .telegram.\?" &&
	test_db_unchanged 2 tn_err channel audience newsleter 10 &&
	stderr_has "^hint: did you mean .newsletter.\?" &&
	stderr_has "^hint: .turnout channel list. shows the channels"
'

test_expect_success 'time zones: any case, places only, the closest suggested' '
	tn event create --title "Zone case" --start "2027-02-01 10:00" --tz europe/berlin >slug &&
	tn event show "$(cat slug)" >out &&
	grep -q "^time zone  *Europe/Berlin$" out &&
	for z in localtime posixrules Factory right/UTC posix/Europe/Berlin; do
		test_db_unchanged 2 tn_err event create --title "z" --start "2027-02-01 10:00" --tz "$z" &&
		stderr_has "unknown time zone" || exit 1
	done &&
	test_db_unchanged 2 tn_err event create --title "z" --start "2027-02-01 10:00" --tz Berlin &&
	stderr_has "^hint: did you mean .Europe/Berlin.\?"
'

test_expect_success 'commands that change something take --json' '
	tn --db j.db init >/dev/null &&
	tn --db j.db channel add tg --kind telegram >/dev/null &&
	printf "email,handle\nj@example.org,jay\n" >j.csv &&
	tn --db j.db follower import tg j.csv >/dev/null &&
	tn --db j.db follower unfollow jay --channel tg --json >u.json &&
	tn --db j.db event create --title "Throwaway" --start "2027-05-01 10:00" --tz UTC >/dev/null &&
	tn --db j.db event delete throwaway --yes --json >d.json &&
	tn --db j.db follower forget j@example.org --yes --json >f.json &&
	$PY -c "
import json
u = json.load(open(\"u.json\")); assert u[\"channel\"] == \"tg\" and u[\"unfollowed\"] == 1, u
d = json.load(open(\"d.json\")); assert d == {\"deleted\": \"throwaway\"}, d
f = json.load(open(\"f.json\")); assert f[\"forgotten\"] is True, f
"
'

test_done
