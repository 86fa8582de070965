# chainlint sample: every body here is chained properly; the lint must say
# nothing. Never run: tests/t0000-harness.sh only lints it.

test_expect_success 'plain chain, comments and blank lines' '
	# a comment line
	echo one >out &&

	# a comment after a blank line
	grep -q one out &&   # a trailing comment
	cat out |
	sort >sorted &&
	tn a \
		--long-option b &&
	test -s out ||
	false
'

test_expect_success 'here-documents are not commands' '
	cat >expect <<-\EOF &&
	not a command
	neither is this
	EOF
	cat >expect2 <<-EOF &&
	$var
	EOF
	cat >expect3 <<EOF &&
a line at the left margin
EOF
	$PY - a b <<-PYEOF &&
	import sys
	print(sys.argv)
	PYEOF
	true
'

test_expect_success 'multi-line quoted strings and substitutions' '
	$PY -c "
import json
d = json.load(open(\"out\"))
assert d == 1, d
" &&
	x=$(echo a
		echo b) &&
	y="$(printf "%s\n" "a
b")" &&
	test "$x" = "$y"
'

test_expect_success 'if, loops, case, groups' '
	if test -f a
	then
		echo a &&
		echo b
	elif test -f b; then
		echo c
	else
		echo d
	fi &&
	for i in 1 2 \
		3; do
		echo $i &&
		test $i -gt 0 || exit 1
	done &&
	while read line; do
		echo "$line" || return 1
	done <in &&
	for f in a b; do
		if ! test -e "$f"; then
			echo "missing $f"; exit 1
		fi
	done &&
	case "$x" in
	a|b)
		echo ab &&
		echo again
		;;
	*) echo other ;;
	esac &&
	{ echo grouped && echo twice; } >out &&
	( cd sub && echo in a subshell ) &&
	grep -q x out || { echo "no x"; exit 1; }
	test -s out
'

test_expect_success 'background jobs and status checks' '
	{ sleep 1 & } &&
	pid=$! &&
	kill $pid 2>/dev/null || true &&
	status=0 &&
	{ wait $pid || status=$?; } &&
	test "$status" = 143
'

for n in 1 2; do
	test_expect_success "a body spliced from quotes, round $n" '
		echo '"$n"' >n &&
		test "$(cat n)" = '"$n"'
	'
done

test_expect_success 'turnout: output to a file, input from a pipe, status kept' '
	tn event list >out &&
	grep -q x out &&
	printf "email\na@example.org\n" | tn follower import news - &&
	slug=$(tn event create --title x) &&
	test "$slug" = x &&
	test "$(q "SELECT 1")" = 1
'

test_expect_success PREREQ 'a prerequisite' '
	true
'
