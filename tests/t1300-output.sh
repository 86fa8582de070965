#!/usr/bin/env bash
# Where output goes. "-o FILE" (here through 'ics', the first command that
# has it): a regular file is replaced atomically and keeps its mode (and,
# for root, its owner); a link is followed and stays a link; a device or
# a FIFO is written in place; a directory is refused; a failure leaves
# the old file and no temporary file; "-o -" is stdout. And --json
# listings: one document, streamed as the rows are read, that stops with
# exit 1 when stdout cannot be written.
. "$(dirname "$0")/lib.sh"

export TURNOUT_NOW=2026-11-24T12:00:00Z

test_lazy_prereq ROOT 'test "$(id -u)" = 0'
test_lazy_prereq MKNOD 'mknod "$TRASH/.probe-dev" c 1 3 && test -c "$TRASH/.probe-dev" && rm -f "$TRASH/.probe-dev"'
test_lazy_prereq MKFIFO 'mkfifo "$TRASH/.probe-fifo" && rm -f "$TRASH/.probe-fifo"'

# no_temp_files [DIR]: no temporary file is left in DIR (default .).
no_temp_files() {
	if ls -A "${1:-.}" | grep -q "^\.turnout-"; then
		echo "temporary files left in ${1:-.}:" >&2
		ls -A "${1:-.}" >&2
		return 1
	fi
}

test_expect_success 'setup' '
	setup_db &&
	tn event create --title "Meetup" --start "2026-12-10 19:00" \
		--tz Europe/Berlin >/dev/null &&
	tn ics meetup >expect.ics &&
	test -s expect.ics
'

test_expect_success 'a regular file is replaced and keeps mode 0600' '
	echo old >private.ics &&
	chmod 600 private.ics &&
	tn ics meetup -o private.ics &&
	test_cmp expect.ics private.ics &&
	test "$(stat -c %a private.ics)" = 600 &&
	chmod 640 private.ics &&
	tn ics meetup -o private.ics &&
	test "$(stat -c %a private.ics)" = 640 &&
	no_temp_files
'

test_expect_success 'a new file is 0644 less the umask' '
	(umask 027 && tn ics meetup -o new.ics) &&
	test "$(stat -c %a new.ics)" = 640 &&
	test_cmp expect.ics new.ics
'

test_expect_success ROOT 'root keeps the owner and group of a file it replaces' '
	echo old >owned.ics &&
	chown 4321:4322 owned.ics &&
	tn ics meetup -o owned.ics &&
	test "$(stat -c %u:%g owned.ics)" = 4321:4322 &&
	test_cmp expect.ics owned.ics
'

test_expect_success 'a link to a file: the link stays, its target gets the calendar' '
	mkdir real &&
	echo old >real/target.ics &&
	chmod 600 real/target.ics &&
	ln -s real/target.ics link.ics &&
	tn ics meetup -o link.ics &&
	test -L link.ics &&
	test "$(readlink link.ics)" = real/target.ics &&
	test_cmp expect.ics real/target.ics &&
	test "$(stat -c %a real/target.ics)" = 600 &&
	no_temp_files &&
	no_temp_files real
'

test_expect_success 'a dangling link creates its target' '
	ln -s real/made.ics dangling.ics &&
	tn ics meetup -o dangling.ics &&
	test -L dangling.ics &&
	test_cmp expect.ics real/made.ics &&
	ln -s no/such/dir/x.ics lost.ics &&
	test_expect_code 1 tn_err ics meetup -o lost.ics &&
	stderr_has "^turnout: .lost.ics.: cannot create: No such file or directory$" &&
	test -L lost.ics
'

test_expect_success MKNOD 'a device is written in place: a copy of /dev/full fails with its reason' '
	mknod full c 1 7 &&
	test_expect_code 1 tn_err ics meetup -o full &&
	stderr_has "^turnout: .full.: cannot write: No space left on device$" &&
	test -c full &&
	mknod null c 1 3 &&
	tn ics meetup -o null &&
	test -c null &&
	no_temp_files
'

test_expect_success MKFIFO 'a FIFO is written in place, to its reader' '
	mkfifo fifo &&
	{ timeout 30 cat fifo >from-fifo & } &&
	reader=$! &&
	timeout 30 "$TURNOUT" ics meetup -o fifo &&
	wait $reader &&
	test -p fifo &&
	test_cmp expect.ics from-fifo
'

test_expect_success 'a name of 249 bytes (and of 255) works' '
	name=$(printf "%0249d" 0) &&
	tn ics meetup -o "$name" &&
	test_cmp expect.ics "$name" &&
	name=$(printf "%0255d" 0) &&
	tn ics meetup -o "$name" &&
	test_cmp expect.ics "$name" &&
	no_temp_files
'

test_expect_success '-o - is stdout; ./- is a file named -' '
	tn ics meetup -o - >stdout.ics &&
	test_cmp expect.ics stdout.ics &&
	test ! -e - &&
	tn ics meetup --output=- >stdout.ics &&
	test_cmp expect.ics stdout.ics &&
	tn ics meetup -o ./- &&
	test_cmp expect.ics ./-
'

test_expect_success 'a directory is refused and left alone' '
	mkdir adir &&
	test_expect_code 1 tn_err ics meetup -o adir &&
	stderr_has "^turnout: .adir.: cannot write: Is a directory$" &&
	test -d adir &&
	test -z "$(ls -A adir)" &&
	ln -s adir dirlink &&
	test_expect_code 1 tn_err ics meetup -o dirlink &&
	test -L dirlink &&
	no_temp_files
'

test_expect_success 'a missing directory is refused and nothing is created' '
	test_expect_code 1 tn_err ics meetup -o missing/x.ics &&
	stderr_has "^turnout: .missing/x.ics.: cannot create: No such file or directory$" &&
	test ! -e missing
'

# A file-size limit (bash's ulimit counts KiB; SIGXFSZ is ignored, so
# write(2) fails with EFBIG) above what opening the database needs (its
# 32 KiB shared-memory file) and below the size of this calendar: the
# write fails half-way.
test_expect_success 'a failed write leaves the old file and no temporary file' '
	tn event create --title "Long" --start "2026-12-11 19:00" --tz Europe/Berlin \
		--description "$(printf ",%.0s" $(seq 20000))" >/dev/null &&
	tn ics long >long.ics &&
	test "$(stat -c %s long.ics)" -gt 40000 &&
	echo old >kept.ics &&
	chmod 600 kept.ics &&
	test_expect_code 1 bash -c "trap \"\" XFSZ && ulimit -f 36 && exec \"\$TURNOUT\" ics long -o kept.ics" 2>"$TRASH/.stderr" &&
	stderr_has "^turnout: .kept.ics.: cannot write: File too large$" &&
	echo old >expect-kept &&
	test_cmp expect-kept kept.ics &&
	test "$(stat -c %a kept.ics)" = 600 &&
	no_temp_files &&
	tn ics long -o kept.ics &&
	test_cmp long.ics kept.ics
'

# --json listings

test_expect_success 'an empty listing is []' '
	tn --db empty.db init >/dev/null &&
	for what in "channel list" "event list" "follower list"; do
		tn --db empty.db $what --json >empty.json &&
		printf "[]\n" >expect-empty &&
		test_cmp expect-empty empty.json || exit 1
	done
'

test_expect_success 'listings print the same bytes as one cJSON document' '
	tn channel add news --kind newsletter --audience 120 >/dev/null &&
	tn channel add tg --kind telegram >/dev/null &&
	cat >two.csv <<-\EOF &&
	email,name,handle,region
	anna@example.org,Anna,anna,Berlin
	bob@example.org,"Bob ""B""",,Paris
	EOF
	tn follower import news two.csv >/dev/null &&
	printf "email,handle\nanna@example.org,annat\n" >one.csv &&
	tn follower import tg one.csv >/dev/null &&
	tn follower list --json >followers.json &&
	cat >expect.json <<\EOF &&
[{
		"id":	1,
		"name":	"Anna",
		"email":	"anna@example.org",
		"forgotten_at":	null,
		"channels":	[{
				"channel":	"news",
				"kind":	"newsletter",
				"handle":	"anna",
				"region":	"Berlin",
				"followed_at":	null,
				"unfollowed_at":	null
			}, {
				"channel":	"tg",
				"kind":	"telegram",
				"handle":	"annat",
				"region":	null,
				"followed_at":	null,
				"unfollowed_at":	null
			}]
	}, {
		"id":	2,
		"name":	"Bob \"B\"",
		"email":	"bob@example.org",
		"forgotten_at":	null,
		"channels":	[{
				"channel":	"news",
				"kind":	"newsletter",
				"handle":	null,
				"region":	"Paris",
				"followed_at":	null,
				"unfollowed_at":	null
			}]
	}]
EOF
	test_cmp expect.json followers.json &&
	tn channel list --json >channels.json &&
	cat >expect.json <<\EOF &&
[{
		"name":	"news",
		"kind":	"newsletter",
		"url":	null,
		"audience":	120,
		"followers":	2,
		"token":	false,
		"audience_history":	[{
				"date":	"2026-11-24",
				"size":	120
			}]
	}, {
		"name":	"tg",
		"kind":	"telegram",
		"url":	null,
		"audience":	null,
		"followers":	1,
		"token":	false,
		"audience_history":	[]
	}]
EOF
	test_cmp expect.json channels.json &&
	tn event list --json >events.json &&
	$PY -c "import json; d = json.load(open(\"events.json\")); assert [e[\"slug\"] for e in d] == [\"meetup\", \"long\"], d"
'

test_expect_success 'a listing that cannot be written stops with exit 1' '
	for what in "channel list" "event list" "follower list"; do
		test_expect_code 1 tn_err $what --json >/dev/full &&
		stderr_has "^turnout: write error: stdout: No space left on device$" &&
		test "$(wc -l <"$TRASH/.stderr")" = 1 &&
		test_expect_code 1 tn_err $what --json >&- &&
		stderr_has "^turnout: write error: stdout: Bad file descriptor$" || exit 1
	done
'

test_expect_success 'an unknown channel prints nothing on stdout' '
	test_expect_code 2 tn_err follower list --channel nope --json >out.json &&
	test_must_be_empty out.json
'

# Streamed: the first bytes come out while rows are still being read
# (tests/listing_stream.py), and the whole is one document.
test_expect_success MKFIFO 'follower list --json is written while the rows are read' '
	tn --db stream.db init --org Stream >/dev/null &&
	tn --db stream.db channel add big --kind newsletter >/dev/null &&
	$PY "$TN_TOP/bench/gen_followers.py" 5000 big.csv &&
	tn --db stream.db follower import big big.csv >/dev/null &&
	mkfifo listing &&
	{ timeout 60 "$TURNOUT" --db stream.db follower list --json >listing & } &&
	pid=$! &&
	timeout 60 $PY "$TN_TOP/tests/listing_stream.py" listing stream.db >stream.out &&
	wait $pid &&
	cat stream.out &&
	grep -qx "busy=1" stream.out &&
	grep -qx "items=5000" stream.out
'

test_done
