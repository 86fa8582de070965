#!/usr/bin/env bash
# An import reads ahead and writes on two threads when it may use two
# processors (relay.h), and on one otherwise: both give the same people,
# ids, follower rows, summary and warnings, over a file of many read
# blocks and write batches with every kind of row between them.
. "$(dirname "$0")/lib.sh"

test_lazy_prereq TASKSET 'taskset -c 0 true'
test_lazy_prereq TWO_CPUS 'test "$(nproc)" -ge 2'

test_expect_success 'setup: a file of 60,000 rows of every kind' '
	$PY "$TN_TOP/bench/gen_followers.py" 50000 base.csv &&
	$PY - >mixed.csv <<-\EOF &&
	import csv, sys
	rows = list(csv.reader(open("base.csv", encoding="utf-8", newline="")))
	w = csv.writer(sys.stdout, lineterminator="\n")
	w.writerow(["email", "name", "region", "followed_at", "handle"])
	for i, r in enumerate(rows[1:]):
	    w.writerow(r + [""])
	    if i % 7 == 0:   # the same address again, in capitals, a later cell
	        w.writerow([r[0].upper(), "Again %d" % i, "", "", ""])
	    if i % 13 == 0:  # again, with blanks around the address
	        w.writerow(["  %s\t" % r[0], "", "", "", ""])
	    if i % 997 == 0:
	        w.writerow(["not-an-address-%d" % i, "Bad", "", "", ""])
	    if i % 1499 == 0:
	        w.writerow([r[0], "", "", "31.02.2020", ""])
	    if i % 211 == 0:
	        w.writerow(["", "Only Handle %d" % i, "", "", "h%d" % (i // 2)])
	    if i % 401 == 0:
	        w.writerow(["linked%d@example.org" % i, "", "", "", "h%d" % (i // 2)])
	EOF
	printf "nul@example.org,Nu\000ll,,,\nlatin@example.org,\351t\351,,,\n" >>mixed.csv &&
	printf "\"unterminated@example.org,Open Quote\n" >>mixed.csv &&
	test $(wc -l <mixed.csv) -gt 57000
'

# import DB [taskset -c 0]: the import into a new database; its output,
# then its tables, in files named after DB
import_into() {
	db=$1
	shift
	tn --db "$db.db" init >/dev/null &&
	tn --db "$db.db" channel add news --kind newsletter >/dev/null &&
	"$@" "$TURNOUT" --db "$db.db" follower import news mixed.csv >"$db.out" 2>"$db.err" &&
	sqlite3 "$db.db" "SELECT id, email, email_key, name FROM person ORDER BY id" >"$db.person" &&
	sqlite3 "$db.db" "SELECT person_id, channel_id, handle, region, followed_at, unfollowed_at
			  FROM follower ORDER BY person_id, channel_id" >"$db.follower"
}

test_expect_success TWO_CPUS 'on two processors' '
	import_into two
'

test_expect_success TASKSET 'on one processor (taskset)' '
	import_into one taskset -c 0
'

test_expect_success TWO_CPUS,TASKSET 'the same summary, warnings and rows either way' '
	grep "inserted" two.out &&
	grep "not an address" two.err &&
	grep ": NUL byte in a cell" two.err &&
	grep ": invalid UTF-8" two.err &&
	grep "unterminated quoted field" two.err &&
	test_cmp one.out two.out &&
	test_cmp one.err two.err &&
	test_cmp one.person two.person &&
	test_cmp one.follower two.follower &&
	test $(wc -l <two.person) -gt 50000
'

test_expect_success TWO_CPUS,TASKSET 'a re-import changes nothing, either way' '
	"$TURNOUT" --db two.db follower import news mixed.csv >again2.out 2>&1 &&
	taskset -c 0 "$TURNOUT" --db one.db follower import news mixed.csv >again1.out 2>&1 &&
	test_cmp again1.out again2.out &&
	grep "inserted 0," again2.out &&
	sqlite3 two.db "SELECT id, email, email_key, name FROM person ORDER BY id" >two.person2 &&
	test_cmp two.person two.person2
'

test_done
