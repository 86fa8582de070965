#!/usr/bin/env bash
# The database file (SPEC "Guarantees"): a file that is not turnout's is
# never changed, the database is its owner's only, and a user who may only
# read it can list and show.
. "$(dirname "$0")/lib.sh"

export TURNOUT_NOW=2026-11-24T12:00:00Z

# same_file NAME: NAME is byte for byte what `sha256sum NAME >NAME.sum`
# recorded, and SQLite has made nothing beside it.
same_file() {
	sha256sum -c --quiet "$1.sum" &&
	test ! -e "$1-wal" &&
	test ! -e "$1-shm" &&
	test ! -e "$1-journal"
}

# test_modes MODE FILE...: each FILE exists with permissions MODE (octal).
test_modes() {
	local want=$1 f
	shift
	for f in "$@"; do
		test "$(stat -c %a "$f")" = "$want" || {
			echo "'$f': mode $(stat -c %a "$f" 2>&1), want $want" >&2
			return 1
		}
	done
}

# refused NAME HINT: every kind of command refuses NAME as not turnout's,
# with HINT saying why, and leaves it as it was.
refused() {
	sha256sum "$1" >"$1.sum" &&
	for cmd in "channel list" "event list" "channel add x --kind blog" "init"; do
		test_expect_code 1 tn --db "$1" $cmd 2>err &&
		grep -q "^turnout: database '$1': not a turnout database$" err &&
		grep -q "^hint: $2" err &&
		same_file "$1" || return 1
	done
}

test_expect_success "another program's database at user_version 1 is refused, byte for byte unchanged" '
	sqlite3 o.db "CREATE TABLE notes(x); PRAGMA user_version=1;" &&
	refused o.db "it holds another program.s tables"
'

test_expect_success 'and at user_version 42, without the word "newer"' '
	sqlite3 o42.db "CREATE TABLE notes(x); PRAGMA user_version=42;" &&
	refused o42.db "it holds another program.s tables" &&
	! grep -q newer err
'

test_expect_success 'a WAL-mode database of another program: no -wal or -shm appears' '
	sqlite3 w.db "PRAGMA journal_mode=WAL; CREATE TABLE notes(x); PRAGMA user_version=2;" >/dev/null &&
	test "$(head -c 20 w.db | tail -c 2 | od -An -tu1 | tr -d " ")" = 22 &&
	refused w.db "it holds another program.s tables"
'

test_expect_success "turnout's tables under another program's mark are refused" '
	cp "$TN_DATA/schema-v2.db" app.db &&
	sqlite3 app.db "PRAGMA journal_mode=DELETE; PRAGMA application_id=1234;" >/dev/null &&
	refused app.db "it carries another program.s mark .application_id 1234."
'

test_expect_success 'an earlier schema with one table more or one index less is refused' '
	cp "$TN_DATA/schema-v1.db" more.db &&
	sqlite3 more.db "PRAGMA journal_mode=DELETE; CREATE TABLE notes(x);" >/dev/null &&
	refused more.db "it holds another program.s tables" &&
	cp "$TN_DATA/schema-v2.db" less.db &&
	sqlite3 less.db "PRAGMA journal_mode=DELETE; DROP INDEX event_start;" >/dev/null &&
	refused less.db "it holds another program.s tables"
'

test_expect_success 'files that are not SQLite databases are refused unchanged' '
	printf "email,name\nanna@example.org,Anna\n" >csv.db &&
	refused csv.db "it is not an SQLite database" &&
	printf "SQLite format 3" >short.db &&
	refused short.db "it is not an SQLite database"
'

test_expect_success 'a directory, a device or a FIFO is refused without waiting' '
	mkdir dir.db &&
	test_expect_code 1 tn --db dir.db channel list 2>err &&
	grep -q "hint: it is not a regular file" err &&
	test_expect_code 1 tn --db /dev/null init 2>err &&
	grep -q "hint: it is not a regular file" err &&
	mkfifo fifo.db &&
	test_expect_code 1 timeout 10 "$TURNOUT" --db fifo.db channel list 2>err &&
	grep -q "hint: it is not a regular file" err &&
	test -p fifo.db && test -c /dev/null
'

test_expect_success "init marks the database as turnout's (application_id \"TnOu\")" '
	tn --db marked.db init >/dev/null &&
	test "$(sqlite3 marked.db "PRAGMA application_id")" = 1416515445 &&
	test "$(printf "%x" 1416515445)" = 546e4f75 &&
	test "$(head -c 72 marked.db | tail -c 4)" = TnOu
'

test_expect_success 'a marked database from a newer turnout is refused unchanged' '
	tn --db newer.db init >/dev/null &&
	sqlite3 newer.db "PRAGMA user_version=99" &&
	sha256sum newer.db >newer.db.sum &&
	test_expect_code 1 tn --db newer.db channel add x --kind blog 2>err &&
	grep -q "schema version 99 is newer than this turnout" err &&
	sha256sum -c --quiet newer.db.sum
'

test_expect_success ':memory: and file: names are usage errors, and ./NAME is a file' '
	for name in ":memory:" "file:x.db" "file::memory:" "file:x.db?mode=memory" "FILE:x.db"; do
		test_expect_code 2 tn --db "$name" channel list 2>err &&
		grep -q "^turnout: database .$name.: not a file name$" err &&
		test_expect_code 2 tn --db "$name" init 2>err &&
		grep -q "write ./$name" err || exit 1
	done &&
	ls >files &&
	! grep -e "^file:" -e "^FILE:" -e "^:memory:" files &&
	tn --db ./file:x.db init >/dev/null &&
	test -f "file:x.db" &&
	tn --db ./file:x.db channel list >/dev/null
'

# ---- permissions -------------------------------------------------------------

test_expect_success 'a new database, its -wal and -shm are 0600 whatever the umask' '
	(umask 000 && tn --db open.db init >/dev/null) &&
	test_modes 600 open.db open.db-wal open.db-shm &&
	(umask 077 && tn --db tight.db init >/dev/null) &&
	test_modes 600 tight.db tight.db-wal tight.db-shm &&
	(umask 000 && tn --db open.db channel add letter --kind newsletter >/dev/null) &&
	test_modes 600 open.db open.db-wal open.db-shm
'

test_expect_success 'a database others may read is used, with one warning' '
	tn --db open.db channel list >expect 2>err &&
	test_must_be_empty err &&
	chmod 644 open.db &&
	tn --db open.db channel list >out 2>err &&
	test_cmp expect out &&
	test "$(cat err)" = "turnout: warning: database '\''open.db'\'' is readable by others; chmod 600 open.db" &&
	test_modes 644 open.db-wal open.db-shm &&
	tn --db open.db init 2>err &&
	grep -q "readable by others; chmod 600 open.db$" err &&
	grep -q "already initialised" err &&
	chmod 620 open.db &&
	tn --db open.db channel add tg --kind telegram 2>err &&
	test "$(cat err)" = "turnout: warning: database '\''open.db'\'' is writable by others; chmod 600 open.db" &&
	chmod 600 open.db &&
	tn --db open.db channel list >/dev/null 2>err &&
	test_must_be_empty err &&
	test_modes 600 open.db-wal open.db-shm
'

test_expect_success 'the warning quotes a path the shell would split' '
	tn --db "my club.db" init >/dev/null &&
	chmod 640 "my club.db" &&
	tn --db "my club.db" event list >/dev/null 2>err &&
	grep -q "is readable by others; chmod 600 '\''my club.db'\''$" err
'

# ---- readers who may not write -----------------------------------------------

# The tests run as root, who may write anything: the cases below run
# turnout as nobody (setpriv), and show as skipped where that cannot be.
as_nobody() {
	setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"
}
test_lazy_prereq NOBODY '
	test "$(id -u)" = 0 &&
	as_nobody "$TURNOUT" --version
'

test_expect_success NOBODY 'setup: a database in a directory its reader may not write' '
	chmod 755 "$TRASH" &&
	mkdir ro &&
	tn --db ro/t.db init --from team@example.org >/dev/null &&
	tn --db ro/t.db channel add letter --kind newsletter --audience 1800 >/dev/null &&
	printf "email,name,handle\nanna@example.org,Anna,@anna\n" >people.csv &&
	tn --db ro/t.db follower import letter people.csv >/dev/null &&
	tn --db ro/t.db event create --title "Readers meetup" --start "2026-12-01 19:00" --tz Europe/Berlin >/dev/null &&
	chmod 644 ro/t.db &&
	tn --db ro/t.db channel list >/dev/null 2>&1 &&
	test_modes 644 ro/t.db ro/t.db-wal ro/t.db-shm &&
	test_modes 755 ro &&
	sha256sum ro/t.db >t.sum
'

test_expect_success NOBODY 'a reader lists and shows it' '
	as_nobody "$TURNOUT" --db ro/t.db channel list >out 2>err &&
	grep -q "^letter .* 1800 " out &&
	as_nobody "$TURNOUT" --db ro/t.db follower list >out 2>>err &&
	grep -q "anna@example.org" out &&
	as_nobody "$TURNOUT" --db ro/t.db follower show @anna >out 2>>err &&
	grep -q "Anna" out &&
	as_nobody "$TURNOUT" --db ro/t.db event list >out 2>>err &&
	grep -q "readers-meetup" out &&
	as_nobody "$TURNOUT" --db ro/t.db event show readers-meetup >out 2>>err &&
	grep -q "Readers meetup" out &&
	as_nobody "$TURNOUT" --db ro/t.db ics readers-meetup >out 2>>err &&
	grep -q "^BEGIN:VCALENDAR" out &&
	as_nobody "$TURNOUT" --db ro/t.db organizer token list --count >out 2>>err &&
	test "$(cat out)" = 0 &&
	test "$(grep -c "readable by others" err)" = 7 &&
	! grep -v -e "readable by others" -e "base URL is still" -e "config base-url" \
		-e "no organizer tokens yet" err &&
	sha256sum -c --quiet t.sum
'

test_expect_success NOBODY 'a reader who writes is told why it cannot' '
	test_expect_code 1 as_nobody "$TURNOUT" --db ro/t.db channel add tg --kind telegram 2>err &&
	grep -q "^turnout: database .ro/t.db.: read-only: no permission to write it$" err &&
	test_expect_code 1 as_nobody "$TURNOUT" --db ro/t.db follower import letter people.csv 2>err &&
	grep -q "read-only: no permission to write it" err &&
	test_expect_code 1 as_nobody "$TURNOUT" --db ro/t.db event cancel readers-meetup 2>err &&
	grep -q "read-only" err &&
	test_expect_code 1 as_nobody "$TURNOUT" --db ro/t.db organizer token add 2>err &&
	grep -q "read-only" err &&
	! grep -q "attempt to write" err &&
	sha256sum -c --quiet t.sum
'

test_expect_success NOBODY 'what the owner writes later, the reader reads; it made no file' '
	as_nobody "$TURNOUT" --db ro/t.db channel list >/dev/null 2>&1 &&
	tn --db ro/t.db channel add tg --kind telegram 2>/dev/null &&
	as_nobody "$TURNOUT" --db ro/t.db channel list >out 2>/dev/null &&
	grep -q "^tg " out &&
	test "$(stat -c %U ro/t.db-wal)" = root && test "$(stat -c %U ro/t.db-shm)" = root &&
	sha256sum ro/t.db >t.sum
'

test_expect_success NOBODY 'a writable database in a read-only directory is used' '
	mkdir rodir &&
	tn --db rodir/t.db init >/dev/null &&
	chown nobody rodir/t.db rodir/t.db-wal rodir/t.db-shm &&
	as_nobody "$TURNOUT" --db rodir/t.db channel add letter --kind newsletter &&
	as_nobody "$TURNOUT" --db rodir/t.db channel list >out &&
	grep -q "^letter " out
'

test_expect_success NOBODY 'without its -wal and -shm it cannot be, and says why' '
	rm rodir/t.db-wal rodir/t.db-shm &&
	sha256sum rodir/t.db >rodir.sum &&
	test_expect_code 1 as_nobody "$TURNOUT" --db rodir/t.db channel list 2>err &&
	grep -q "^turnout: database .rodir/t.db.: read-only (no permission to write in directory .rodir.), and .rodir/t.db-wal. does not exist$" err &&
	grep -q "^hint: .*when the owner runs a turnout command" err &&
	test_expect_code 1 as_nobody "$TURNOUT" --db rodir/t.db channel add tg --kind telegram 2>err &&
	grep -q "^turnout: database .rodir/t.db.: read-only: no permission to write in directory .rodir.$" err &&
	sha256sum -c --quiet rodir.sum &&
	test ! -e rodir/t.db-wal && test ! -e rodir/t.db-shm
'

test_expect_success NOBODY 'a read-only file in a writable directory is read' '
	mkdir mine &&
	tn --db mine/t.db init >/dev/null &&
	tn --db mine/t.db channel add letter --kind newsletter >/dev/null &&
	chown -R nobody mine &&
	chmod 400 mine/t.db &&
	sha256sum mine/t.db >mine.sum &&
	as_nobody "$TURNOUT" --db mine/t.db channel list >out &&
	grep -q "^letter " out &&
	test_expect_code 1 as_nobody "$TURNOUT" --db mine/t.db channel add tg --kind telegram 2>err &&
	grep -q "read-only: no permission to write it" err &&
	sha256sum -c --quiet mine.sum
'

test_expect_success NOBODY "another user's read makes no -wal or -shm the owner could not write" '
	mkdir shared &&
	chmod 1777 shared &&
	tn --db shared/t.db init >/dev/null &&
	chmod 644 shared/t.db &&
	rm shared/t.db-wal shared/t.db-shm &&
	test_expect_code 1 as_nobody "$TURNOUT" --db shared/t.db channel list 2>err &&
	grep -q "does not exist" err &&
	test ! -e shared/t.db-wal && test ! -e shared/t.db-shm
'

test_expect_success NOBODY 'a database that needs an upgrade says a reader cannot do it' '
	cp "$TN_DATA/schema-v1.db" ro/v1.db &&
	chmod 644 ro/v1.db &&
	sha256sum ro/v1.db >ro/v1.db.sum &&
	test_expect_code 1 as_nobody "$TURNOUT" --db ro/v1.db channel list 2>err &&
	grep -q "^turnout: database .ro/v1.db.: made by an earlier turnout and needs an upgrade, but it is read-only: no permission to write it$" err &&
	grep -q "^hint: run a turnout command once as a user who may write it" err &&
	same_file ro/v1.db &&
	tn --db ro/v1.db channel list >/dev/null 2>&1 &&
	as_nobody "$TURNOUT" --db ro/v1.db channel list >out 2>/dev/null &&
	grep -q "^letter " out
'

test_done
