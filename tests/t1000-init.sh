#!/usr/bin/env bash
# init: settings, the signing key pair, running twice, bad flags.
. "$(dirname "$0")/lib.sh"

test_expect_success 'a command before init says to run init' '
	test_expect_code 1 tn channel list 2>err &&
	grep -q "turnout: database .*: does not exist" err &&
	grep -q "hint: run .turnout init." err &&
	test ! -e turnout.db
'

test_expect_success 'init creates the database, settings and an Ed25519 key pair' '
	tn init --org "Readers Club" --from "Team@Example.ORG" --base-url https://meet.example.org/ >out &&
	grep -q "initialised" out &&
	test "$(sqlite3 turnout.db "SELECT value FROM setting WHERE key = '\''org'\''")" = "Readers Club" &&
	test "$(sqlite3 turnout.db "SELECT value FROM setting WHERE key = '\''from'\''")" = "Team@example.org" &&
	test "$(sqlite3 turnout.db "SELECT value FROM setting WHERE key = '\''base_url'\''")" = "https://meet.example.org" &&
	test "$(sqlite3 turnout.db "SELECT length(public_key), length(secret_key) FROM signing_key")" = "32|64" &&
	test "$(sqlite3 turnout.db "PRAGMA journal_mode")" = wal &&
	test "$(sqlite3 turnout.db "PRAGMA user_version")" -ge 2
'

test_expect_success 'the key pair is a working Ed25519 pair' '
	sqlite3 turnout.db "SELECT hex(public_key), hex(secret_key) FROM signing_key" >keys &&
	$PY - keys <<-PYEOF
	import sys
	from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
	pk, sk = open(sys.argv[1]).read().strip().split("|")
	priv = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(sk)[:32])
	from cryptography.hazmat.primitives import serialization as s
	raw = priv.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
	assert raw.hex().upper() == pk, (raw.hex(), pk)
	PYEOF
'

test_expect_success 'init twice changes nothing and says so' '
	db_dump >before &&
	tn init >out 2>err &&
	grep -q "already initialised; nothing changed" err &&
	test ! -s out &&
	tn init --org "Readers Club" --from Team@EXAMPLE.org 2>err &&
	grep -q "already initialised; nothing changed" err &&
	db_dump >after &&
	test_cmp before after
'

test_expect_success 'init with other values on an initialised database: not applied, exit 1' '
	test_db_unchanged 1 tn_err init --org Other &&
	stderr_has "^turnout: database .*turnout.db. is already initialised; org .Other. was not applied \(it is .Readers Club.\)$" &&
	stderr_has "^hint: .turnout config KEY VALUE. changes a setting$" &&
	test_db_unchanged 1 tn_err init --base-url https://other.example.org &&
	stderr_has "base-url .https://other.example.org. was not applied"
'

test_expect_success 'config shows and changes the settings, checked as init checks them' '
	tn config >out &&
	printf "org = Readers Club\nfrom = Team@example.org\nbase-url = https://meet.example.org\ntemplates = \ntelegram-api = \n" >expect &&
	test_cmp expect out &&
	tn config base-url https://events.example.org/ >out &&
	echo "base-url = https://events.example.org" >expect &&
	test_cmp expect out &&
	tn config org >out &&
	echo "org = Readers Club" >expect &&
	test_cmp expect out &&
	tn config from "" >/dev/null &&
	test_expect_code 1 tn config from >out &&
	test_must_be_empty out &&
	tn config --json >c.json &&
	$PY -c "import json,sys; c=json.load(open(sys.argv[1])); assert c == {\"org\": \"Readers Club\", \"from\": None, \"base-url\": \"https://events.example.org\", \"templates\": None, \"telegram-api\": None}, c" c.json &&
	tn config from Team@example.org >/dev/null &&
	tn config base-url https://meet.example.org >/dev/null &&
	tn config org "Readers Club" 2>err >/dev/null &&
	grep -q "nothing changed" err
'

test_expect_success 'bad config keys and values: usage errors, nothing changed' '
	test_db_unchanged 2 tn_err config orgg x &&
	stderr_has "^turnout: .orgg.: no such setting$" &&
	stderr_has "did you mean .org." &&
	test_db_unchanged 2 tn_err config base-url ftp://x &&
	stderr_has "^turnout: base-url: .ftp://x.: not an http" &&
	test_db_unchanged 2 tn_err config org "" &&
	stderr_has "^turnout: org: empty name$" &&
	test_db_unchanged 2 tn_err config from not-an-address &&
	stderr_has "^turnout: from: " &&
	test_db_unchanged 2 tn_err config org "$(printf "a\033b")" &&
	stderr_has "control character"
'

test_expect_success 'bad init flags are usage errors and create no file' '
	test_expect_code 2 tn --db new.db init --from "not-an-address" 2>err &&
	grep -q "turnout: --from: .not-an-address.: " err &&
	test_expect_code 2 tn --db new.db init --base-url "ftp://x" 2>err &&
	grep -q "turnout: --base-url: .ftp://x.: not an http(s) URL" err &&
	test_expect_code 2 tn --db new.db init --base-url "https://ex.org/base?x=1" 2>err &&
	grep -q "without query or fragment" err &&
	test_expect_code 2 tn --db new.db init --org "" 2>err &&
	grep -q "turnout: --org: empty name" err &&
	test_expect_code 2 tn --db new.db init --bogus 2>err &&
	grep -q "unknown option .--bogus." err &&
	test ! -e new.db
'

test_expect_success 'bad flags on an initialised database change nothing' '
	test_db_unchanged 2 tn init --from "a@b" 
'

test_expect_success 'TURNOUT_DB and --db choose the file; --db wins' '
	TURNOUT_DB=env.db tn init >/dev/null &&
	test -f env.db &&
	TURNOUT_DB=env.db tn --db flag.db init >/dev/null &&
	test -f flag.db
'

test_expect_success 'help lists every command and each command has --help' '
	tn help >out &&
	for c in "init" "channel add" "channel list" "channel audience" \
		"follower import" "follower list" "follower show" "follower unfollow" "follower forget" \
		"event create" "event list" "event show" "event update" "event cancel" "ics"; do
		grep -q "^  $c " out || { echo "help lacks $c"; exit 1; }
		tn $c --help >h && grep -q "^usage: turnout $c" h || { echo "no --help for $c"; exit 1; }
		tn help $c >h2 && test_cmp h h2 || exit 1
	done
'

test_expect_success 'help GROUP lists that group; a bad subcommand is escaped' '
	tn help event >out &&
	grep -q "^  event create " out &&
	test_expect_code 2 tn channel "$(printf "\033[31mred")" 2>err &&
	grep -q "unknown command" err &&
	! grep -q "$(printf "\033")" err
'

test_expect_success 'a file turnout did not make is refused and left alone' '
	: >empty.db &&
	test_expect_code 1 tn --db empty.db channel add foo --kind blog 2>err &&
	grep -q "turnout: database .empty.db.: not a turnout database" err &&
	test ! -s empty.db &&
	sqlite3 other.db "CREATE TABLE x(a); INSERT INTO x VALUES(1)" &&
	sqlite3 other.db .dump >before &&
	test_expect_code 1 tn --db other.db channel list 2>err &&
	grep -q "not a turnout database" err &&
	test_expect_code 1 tn --db other.db init 2>err &&
	grep -q "another program" err &&
	sqlite3 other.db .dump >after &&
	test_cmp before after &&
	test "$(sqlite3 other.db "PRAGMA journal_mode")" = delete &&
	tn --db empty.db init >/dev/null &&
	tn --db empty.db channel add foo --kind blog >/dev/null
'

test_expect_success 'unknown commands and missing subcommands are usage errors' '
	test_expect_code 2 tn frobnicate 2>err &&
	grep -q "turnout: .frobnicate.: unknown command" err &&
	test_expect_code 2 tn channel 2>err &&
	grep -q "needs a subcommand" err &&
	test_expect_code 2 tn channel frobnicate 2>err &&
	grep -q "unknown command" err &&
	test_expect_code 2 tn 2>/dev/null
'

test_lazy_prereq WRITABLE_DEV_FULL 'test -c /dev/full && test -w /dev/full'

test_expect_success WRITABLE_DEV_FULL 'a failed write to stdout is an error' '
	test_expect_code 1 tn help >/dev/full 2>err &&
	grep -q "write error" err
'

test_expect_success '--base-url is read by libcurl: http(s), a host, written with //' '
	for url in "meet.example.org" "https:/meet.example.org" "https:///meet.example.org" \
		"https://" "https://a b.org" "https://x.org:99999" "https://x.org/<p>"; do
		test_expect_code 2 tn --db new.db init --base-url "$url" 2>err &&
		grep -q "not an http(s) URL" err || exit 1
	done &&
	test ! -e new.db &&
	tn --db idn.db init --org "Клуб" --base-url "https://Встреча.РФ/club" >/dev/null &&
	TURNOUT_DB=idn.db TURNOUT_NOW=2026-11-24T12:00:00Z tn event create --title "Первая встреча" --start "2026-12-01 19:00" --tz Europe/Moscow >/dev/null &&
	sqlite3 idn.db "SELECT uid FROM event" >uid &&
	grep -Eqx "[0-9a-f]{32}@xn--80adj7beg1b\.xn--p1ai" uid
'

test_done
