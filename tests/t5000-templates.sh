#!/usr/bin/env bash
# The e-mail templates from the command line: 'templates export' writes
# the built-in files (compiled into the binary) without a database and
# without replacing files unless --force; 'config templates DIR' stores
# an organizer's directory only when it exists and every template in it
# loads, naming the file and line of one that does not.
. "$(dirname "$0")/lib.sh"

# The tests run as root, who may write anything: the unwritable cases
# run turnout as nobody (setpriv) and show as skipped where that cannot be.
as_nobody() {
	setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"
}
test_lazy_prereq NOBODY '
	test "$(id -u)" = 0 &&
	as_nobody "$TURNOUT" --version
'

test_expect_success 'export writes the built-in files, byte for byte those of templates/' '
	tn templates export tpl >out &&
	ls "$TN_TOP/templates" | sed "s|^|wrote tpl/|" >expect &&
	test_cmp expect out &&
	test "$(wc -l <out)" = 13 &&
	diff -r "$TN_TOP/templates" tpl &&
	test_path_is_missing "$TURNOUT_DB"
'

test_expect_success 'the built-ins are in the binary: export works from any directory' '
	(cd / && "$TURNOUT" templates export "$TRASH/from-root" >/dev/null) &&
	diff -r "$TN_TOP/templates" from-root
'

test_expect_success 'export makes missing parent directories' '
	tn templates export a/b/c >/dev/null &&
	diff -r "$TN_TOP/templates" a/b/c
'

test_expect_success 'export refuses to replace files without --force, and then writes nothing' '
	echo "my own subject {{title}}" >tpl/invite.subject &&
	rm tpl/cancel.txt &&
	test_expect_code 2 tn_err templates export tpl >out &&
	test_must_be_empty out &&
	stderr_has "^turnout: .tpl/announce.txt.: already exists$" &&
	stderr_has "^hint: give --force to replace the files in .tpl.$" &&
	test "$(cat tpl/invite.subject)" = "my own subject {{title}}" &&
	test_path_is_missing tpl/cancel.txt &&
	tn templates export tpl --force >out &&
	test "$(wc -l <out)" = 13 &&
	diff -r "$TN_TOP/templates" tpl &&
	ls -A tpl >files &&
	test "$(wc -l <files)" = 13
'

test_expect_success 'export where a directory cannot be made fails with exit 1' '
	echo x >plain &&
	test_expect_code 1 tn_err templates export plain/sub &&
	stderr_has "^turnout: .plain/sub.: cannot create directory: Not a directory$" &&
	test_expect_code 1 tn_err templates export plain &&
	stderr_has "^turnout: .plain.: not a directory$" &&
	test "$(cat plain)" = x
'

test_expect_success NOBODY 'export into a directory the user may not write fails with exit 1' '
	chmod 755 "$TRASH" &&
	mkdir locked &&
	chmod 555 locked &&
	test_expect_code 1 as_nobody "$TURNOUT" templates export locked 2>err &&
	grep -q "^turnout: .locked/announce.txt.: cannot .*Permission denied" err &&
	ls -A locked >left &&
	test_must_be_empty left
'

test_expect_success 'bad arguments are usage errors' '
	test_expect_code 2 tn_err templates export &&
	test_expect_code 2 tn_err templates export a b &&
	test_expect_code 2 tn_err templates export x --bogus &&
	stderr_has "unknown option" &&
	test_expect_code 2 tn_err templates export "" &&
	stderr_has "^turnout: empty directory name$" &&
	test_expect_code 2 tn_err templates &&
	stderr_has "templates export" &&
	test_path_is_missing x
'

test_expect_success 'export --help names every placeholder' '
	tn templates export --help >help &&
	grep -q "^  org, name, email, title, when, zone, venue, address, description,$" help &&
	grep -q "^  rsvp_url, unsubscribe_url, event_url, sequence, ticket_code, ticket_url$" help
'

test_expect_success 'setup: a database' '
	setup_db
'

test_expect_success 'config templates refuses a missing directory or a file; nothing changes' '
	test_db_unchanged 2 tn_err config templates missing &&
	stderr_has "^turnout: templates: .missing.: no such directory$" &&
	test_db_unchanged 2 tn_err config templates plain &&
	stderr_has "^turnout: templates: .plain.: not a directory$" &&
	test_expect_code 1 tn config templates >out &&
	test_must_be_empty out
'

test_expect_success 'config templates stores a valid directory as an absolute path' '
	tn config templates tpl >out &&
	echo "templates = $(cd tpl && pwd -P)" >expect &&
	test_cmp expect out &&
	(cd / && "$TURNOUT" --db "$TURNOUT_DB" config templates) >out &&
	test_cmp expect out &&
	tn config --json >c.json &&
	$PY -c "import json,sys; c=json.load(open(sys.argv[1])); assert c[\"templates\"] == sys.argv[2], c" c.json "$(cd tpl && pwd -P)" &&
	tn config templates "$(cd tpl && pwd -P)/" 2>err >/dev/null &&
	grep -q "nothing changed" err
'

test_expect_success 'an invite.html with an unknown placeholder is refused naming file and line' '
	mkdir bad &&
	printf "<p>\n{{#name}}\n<b>{{nmae}}</b>\n{{/name}}\n" >bad/invite.html &&
	test_db_unchanged 1 tn_err config templates bad &&
	stderr_has "^turnout: templates: bad/invite.html:3: unknown placeholder \{\{nmae\}\} \(did you mean \{\{name\}\}\?\)$" &&
	stderr_has "^hint: the placeholders are org, name, email, title, when, zone, venue, address, description, rsvp_url, unsubscribe_url, event_url, sequence, ticket_code, ticket_url$"
'

test_expect_success 'an unclosed section, a misnamed file: refused the same way' '
	printf "Hello\n{{#venue}}\nWhere: {{venue}}\n" >bad/invite.html &&
	test_db_unchanged 1 tn_err config templates bad &&
	stderr_has "^turnout: templates: bad/invite.html:2: section \{\{#venue\}\} is not closed$" &&
	rm bad/invite.html &&
	echo "Hi" >bad/Invite.txt &&
	test_db_unchanged 1 tn_err config templates bad &&
	stderr_has "^turnout: templates: .bad/Invite.txt.: not a template name \(did you mean .invite.txt.\?\)$"
'

test_expect_success 'a directory with only some files, and others of no concern, is fine' '
	rm bad/Invite.txt &&
	echo "Hi {{name}}" >bad/invite.txt &&
	echo "notes" >bad/README.md &&
	tn config templates bad >/dev/null &&
	test "$(q "SELECT value FROM setting WHERE key = '\''templates'\''")" = "$(cd bad && pwd -P)"
'

test_expect_success 'config templates "" goes back to the built-ins' '
	tn config templates "" >out &&
	echo "templates = " >expect &&
	test_cmp expect out &&
	test "$(q "SELECT count(*) FROM setting WHERE key = '\''templates'\''")" = 0 &&
	test_db_unchanged 0 tn config templates ""
'

test_done
