# chainlint sample: each body breaks its && chain; tests/t0000-harness.sh
# compares the lint's report with bad.expect. Never run.

test_expect_success 'a missing &&' '
	echo one >out
	grep -q one out
'

test_expect_success 'after a here-document' '
	cat >expect <<-\EOF
	line
	EOF
	test_cmp expect out
'

test_expect_success 'a multi-line string, then a semicolon' '
	$PY -c "
print(1)
"
	echo a; echo b &&
	true
'

test_expect_success 'inside if, a loop and case' '
	if true; then
		echo a
		echo b
	fi &&
	for i in 1 2; do
		echo $i
	done &&
	case x in
	x)
		echo x
		echo y ;;
	esac
'

test_expect_success 'the whole chain in the background' '
	echo a &&
	sleep 1 &
	pid=$!
'

test_expect_success 'turnout status lost in a pipe or a $(...) argument' '
	! tn follower list | grep -q x &&
	"$TURNOUT" event list |
	sort >out &&
	test "$(tn_err event show x)" = y
'

test_expect_success 'a here-document that never ends' '
	cat >x <<-EOF &&
	text
	EOFF
	true
'
