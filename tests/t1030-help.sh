#!/usr/bin/env bash
# Help as a git or curl user expects it: every --help fits 80 columns,
# ends with examples and the exit codes, and names only commands that
# exist; the manual page and the completions are made from the same tables
# and installed by make install, removed by make uninstall.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: the list of commands' '
	tn help >help.txt &&
	sed -n "s/^  \([a-z]\{1,\}\( [a-z]\{1,\}\)\{0,1\}\)  *[a-z].*/\1/p" help.txt >commands &&
	test "$(wc -l <commands)" -ge 15
'

test_expect_success 'every --help fits 80 columns, has examples and the exit codes' '
	while read -r cmd; do
		# shellcheck disable=SC2086
		tn $cmd --help >out &&
		awk -v c="$cmd" "length(\$0) > 80 { print c \": line \" NR \" is \" length(\$0) \" columns: \" \$0; bad = 1 } END { exit bad }" out &&
		grep -q "^examples\?:$" out &&
		grep -q "^exit status: 0 done, 1 the operation failed, 2 usage error" out ||
		{ echo "help of \"$cmd\" fails the rules"; exit 1; }
	done <commands &&
	tn help >out &&
	awk "length(\$0) > 80 { exit 1 }" out
'

test_expect_success 'help names only commands that exist' '
	: >all-help &&
	while read -r cmd; do
		# shellcheck disable=SC2086
		tn $cmd --help >>all-help || exit 1
	done <commands &&
	{ grep -o "'"'"'turnout [a-z][a-z]*\( [a-z][a-z]*\)\?" all-help | tr -d "'"'"'" &&
	  sed -n "s/^  *\(turnout [a-z][a-z]*\( [a-z][a-z]*\)\?\).*/\1/p" all-help; } |
	sort -u >named.sorted &&
	while read -r turnout first second; do
		{ grep -qx "$first $second" commands || grep -qx "$first" commands ||
		  test "$first" = help; } ||
		{ echo "help names \"turnout $first $second\", which does not exist"; exit 1; }
	done <named.sorted
'

test_expect_success 'the manual page is valid roff and holds every command' '
	tn help --man >turnout.1 &&
	groff -man -ww -z turnout.1 2>warnings &&
	test_must_be_empty warnings &&
	MANWIDTH=80 man -l turnout.1 >man.txt 2>/dev/null &&
	while read -r cmd; do
		grep -q "turnout $cmd" man.txt || { echo "manual lacks $cmd"; exit 1; }
	done <commands &&
	grep -q "^EXIT STATUS" man.txt
'

# complete LINE: what bash completes for the command line LINE (a trailing
# space starts a new word).
complete_bash() {
	bash -c ". ./turnout.bash &&
		read -ra COMP_WORDS <<<\"\$1\" &&
		case \$1 in *\" \") COMP_WORDS+=(\"\") ;; esac &&
		COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)) &&
		_turnout && echo \"\${COMPREPLY[*]}\"" _ "$1"
}

test_expect_success 'bash completes commands, subcommands and each command'"'"'s flags' '
	tn help --completion bash >turnout.bash &&
	test "$(complete_bash "turnout chan")" = channel &&
	complete_bash "turnout channel " >out &&
	grep -q "add list audience" out &&
	test "$(complete_bash "turnout channel add web --ki")" = --kind &&
	test "$(complete_bash "turnout --db x.db eve")" = event &&
	test "$(complete_bash "turnout ics --out")" = --output &&
	complete_bash "turnout event create --" >out &&
	grep -q -- "--title" out &&
	grep -q -- "--tz" out &&
	! grep -q -- "--kind" out
'

test_expect_success 'the zsh completion is valid zsh and knows the commands' '
	tn help --completion zsh >_turnout &&
	zsh -n _turnout &&
	head -1 _turnout >first &&
	echo "#compdef turnout" >expect &&
	test_cmp expect first &&
	grep -q "channel) compadd -- add list audience" _turnout &&
	test_expect_code 2 tn_err help --completion fish &&
	stderr_has "give bash or zsh"
'

# -o all: install what this run tests, never rebuild it (a source edited
# meanwhile would have make relink the binary the other tests run).
test_expect_success 'make install puts binary, manual and completions under PREFIX; uninstall removes them' '
	make -s -C "$TN_TOP" -o all BUILD="$TN_BUILD" DESTDIR="$TRASH/root" PREFIX=/usr install >/dev/null &&
	test -x root/usr/bin/turnout &&
	test -f root/usr/share/man/man1/turnout.1 &&
	test -f root/usr/share/bash-completion/completions/turnout &&
	test -f root/usr/share/zsh/site-functions/_turnout &&
	make -s -C "$TN_TOP" BUILD="$TN_BUILD" DESTDIR="$TRASH/root" PREFIX=/usr uninstall >/dev/null &&
	find root -type f >left &&
	test_must_be_empty left
'

test_done
