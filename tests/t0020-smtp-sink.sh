#!/usr/bin/env bash
# The SMTP test server (tests/smtp_sink.py) and its shell helpers
# (tests/lib-smtp.sh), driven by the curl command-line client: messages
# are stored byte for byte with their envelope, each mode answers as its
# header says, the log counts connections, and every sink a test starts
# is stopped, also when the test does not stop it.
. "$(dirname "$0")/lib.sh"
. "$TN_TOP/tests/lib-smtp.sh"

# send URL FILE [CURL ARGS...]: one message from org@example.org to
# anna@example.net; curl's exit status, its reply code in code.out.
send() {
	local url=$1 file=$2
	shift 2
	curl -sS --max-time 60 -w '%{response_code}\n' -o /dev/null --mail-from org@example.org \
		--mail-rcpt anna@example.net -T "$file" "$@" "$url" >code.out 2>curl.err
}

test_expect_success 'setup: messages' '
	printf "Subject: one\r\n\r\nfirst\r\n.dot line\r\n" >one.eml &&
	printf "Subject: two\r\n\r\nsecond\r\n" >two.eml
'

test_expect_success 'accept: two messages over one connection, kept byte for byte' '
	smtp_sink_start mail &&
	curl -sS --max-time 60 --mail-from org@example.org --mail-rcpt anna@example.net \
		-T one.eml "$SMTP_URL" --next --mail-from org@example.org \
		--mail-rcpt ben@example.net -T two.eml "$SMTP_URL" &&
	smtp_sink_stop &&
	test_cmp one.eml mail/001.eml &&
	test_cmp two.eml mail/002.eml &&
	printf "MAIL FROM:<org@example.org>\nRCPT TO:<ben@example.net>\n" >expect &&
	test_cmp expect mail/002.env &&
	test "$(smtp_sink_count connect)" = 1 &&
	test "$(smtp_sink_count "ehlo turnout.test")" = 1 &&
	test "$(smtp_sink_count "data [0-9]{3} 250")" = 2 &&
	test_path_is_missing mail/.001.eml.tmp
'

test_expect_success 'a stopped sink is gone and its port closed' '
	smtp_sink_start gone &&
	pid=$SMTP_SINK_PID &&
	smtp_sink_stop &&
	! kill -0 $pid 2>/dev/null &&
	test_expect_code 7 send "$SMTP_URL" one.eml
'

test_expect_success 'reject: 550 at DATA, nothing kept' '
	smtp_sink_start rejected --mode reject &&
	test_expect_code 8 send "$SMTP_URL" one.eml &&
	smtp_sink_stop &&
	echo 550 >expect &&
	test_cmp expect code.out &&
	test_path_is_missing rejected/001.eml &&
	test "$(smtp_sink_count "data - 550")" = 1
'

test_expect_success 'a recipient named nobody is refused at RCPT' '
	smtp_sink_start nobody &&
	test_expect_code 55 curl -sS --max-time 60 --mail-from org@example.org \
		--mail-rcpt nobody@example.net -T one.eml "$SMTP_URL" 2>curl.err &&
	smtp_sink_stop &&
	test "$(smtp_sink_count "rcpt nobody@example.net 550")" = 1
'

test_expect_success 'tempfail-first: 451, then the same message is taken' '
	smtp_sink_start tempfail --mode tempfail-first &&
	test_expect_code 8 send "$SMTP_URL" one.eml &&
	echo 451 >expect &&
	test_cmp expect code.out &&
	test_path_is_missing tempfail/001.eml &&
	send "$SMTP_URL" one.eml &&
	smtp_sink_stop &&
	test_cmp one.eml tempfail/001.eml
'

test_expect_success 'drop-after:1: the second message of a connection gets no answer' '
	smtp_sink_start drop --mode drop-after:1 &&
	test_expect_code 56 curl -sS --max-time 60 --mail-from org@example.org \
		--mail-rcpt anna@example.net -T one.eml "$SMTP_URL" --next \
		--mail-from org@example.org --mail-rcpt anna@example.net -T two.eml \
		"$SMTP_URL" 2>curl.err &&
	send "$SMTP_URL" two.eml &&
	smtp_sink_stop &&
	test_cmp one.eml drop/001.eml &&
	test_cmp two.eml drop/002.eml &&
	test "$(smtp_sink_count "data - drop")" = 1 &&
	test "$(smtp_sink_count connect)" = 2
'

test_expect_success 'auth: the right password is taken, a wrong one gets 535' '
	smtp_sink_start auth --auth "alice:s3cret pw" &&
	send "$SMTP_URL" one.eml -u "alice:s3cret pw" &&
	test_expect_code 67 send "$SMTP_URL" two.eml -u alice:wrong-pw &&
	echo 535 >expect &&
	test_cmp expect code.out &&
	test_expect_code 55 send "$SMTP_URL" two.eml &&
	echo 530 >expect &&
	test_cmp expect code.out &&
	smtp_sink_stop &&
	test "$(smtp_sink_count "auth alice ok")" = 1 &&
	test "$(smtp_sink_count "auth alice failed")" = 1 &&
	! grep -e s3cret -e wrong-pw auth.log &&
	test_path_is_missing auth/002.eml
'

test_expect_success '--delay: the answer comes, later' '
	smtp_sink_start slow --delay 0.3 &&
	send "$SMTP_URL" one.eml &&
	smtp_sink_stop &&
	test_cmp one.eml slow/001.eml
'

test_expect_success 'an unknown mode: the start fails and shows why' '
	test_expect_code 1 smtp_sink_start odd --mode sometimes 2>start.err &&
	grep -q "unknown --mode" start.err
'

test_expect_success 'sinks left running by a script are stopped when it exits' '
	cat >left.sh <<-\EOF &&
	. "$TN_TOP/tests/lib.sh"
	. "$TN_TOP/tests/lib-smtp.sh"
	smtp_sink_start top
	echo $SMTP_SINK_PID >"$TN_PIDS/top.pid"
	test_expect_success "a body starts one and fails" "
		smtp_sink_start inner &&
		echo \$SMTP_SINK_PID >\"\$TN_PIDS/inner.pid\" &&
		false
	"
	test_done
	EOF
	mkdir pids &&
	test_expect_code 1 env TN_PIDS="$TRASH/pids" TMPDIR="$TRASH" bash left.sh >left.out 2>left.err &&
	grep -qx "not ok 1 - a body starts one and fails" left.out &&
	top=$(cat pids/top.pid) &&
	inner=$(cat pids/inner.pid) &&
	test -n "$top" && test -n "$inner" &&
	! kill -0 "$top" 2>/dev/null &&
	! kill -0 "$inner" 2>/dev/null &&
	! ls -d "$TRASH"/turnout-t.* 2>/dev/null
'

test_done
