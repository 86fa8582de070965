#!/usr/bin/env bash
# The database file (SPEC "Guarantees"): a file that is not turnout's is
# never changed, and the database is its owner's only.
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

test_expect_success 'a new database is 0600 whatever the umask' '
	(umask 000 && tn --db open.db init >/dev/null) &&
	test_modes 600 open.db &&
	(umask 077 && tn --db tight.db init >/dev/null) &&
	test_modes 600 tight.db &&
	(umask 000 && tn --db open.db channel add letter --kind newsletter >/dev/null) &&
	test_modes 600 open.db
'

test_expect_success 'a database others may read is used, with one warning' '
	tn --db open.db channel list >expect 2>err &&
	test_must_be_empty err &&
	chmod 644 open.db &&
	tn --db open.db channel list >out 2>err &&
	test_cmp expect out &&
	test "$(cat err)" = "turnout: warning: database '\''open.db'\'' is readable by others; chmod 600 open.db" &&
	tn --db open.db init 2>err &&
	grep -q "readable by others; chmod 600 open.db$" err &&
	grep -q "already initialised" err &&
	chmod 620 open.db &&
	tn --db open.db channel add tg --kind telegram 2>err &&
	test "$(cat err)" = "turnout: warning: database '\''open.db'\'' is writable by others; chmod 600 open.db" &&
	chmod 600 open.db &&
	tn --db open.db channel list >/dev/null 2>err &&
	test_must_be_empty err
'

test_expect_success 'the warning quotes a path the shell would split' '
	tn --db "my club.db" init >/dev/null &&
	chmod 640 "my club.db" &&
	tn --db "my club.db" event list >/dev/null 2>err &&
	grep -q "is readable by others; chmod 600 '\''my club.db'\''$" err
'

test_done
