#!/usr/bin/env bash
# rsvp --fetch-imap: the calendar replies in the organizer's mailbox,
# read from a real IMAP server (a private dovecot on a loopback port, its
# configuration and Maildir in the trash directory). Replies shaped as
# Gmail, Outlook and Thunderbird send them are applied and marked seen;
# unrelated mail, a reply for an unknown event and mail already read are
# left as they were; a second run applies nothing new; a wrong password
# changes nothing; the password never shows.
. "$(dirname "$0")/lib.sh"

R="$TN_DATA/replies"
UID_OF_FIXTURES=0123456789abcdef0123456789abcdef@meet.example.org
PW="imap-pw-$$-Zq7xW"                  # grep'd for in every output
D="$TRASH/dovecot"
MD="$D/Maildir"

# Every stderr of turnout, kept for the last case (lib.sh's tn_err keeps
# only the latest).
tn_err() {
	local rc=0
	tn "$@" 2>"$TRASH/.stderr" || rc=$?
	cat "$TRASH/.stderr" >>"$TRASH/all.stderr"
	return $rc
}

test_lazy_prereq DOVECOT '
	command -v dovecot >/dev/null && command -v curl >/dev/null &&
	test "$(id -u)" = 0 && id nobody >/dev/null 2>&1
'

# dovecot_start: writes the configuration for a free port and starts
# dovecot in the foreground, retrying with another port when the one
# picked was taken meanwhile (dovecot exits 89); sets PORT and DOVECOT_PID
# once it greets.
dovecot_start() {
	local tries=0 tenths line rc
	mkdir -p "$D/run" "$D/state" "$MD/new" "$MD/cur" "$MD/tmp" &&
	chmod 711 "$TRASH" "$D" &&   # the auth process (user dovecot) reads passwd
	printf 'alice:{PLAIN}%s\n' "$PW" >"$D/passwd" &&
	while [ "$tries" -lt 5 ]; do
		tries=$((tries + 1))
		PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') &&
		cat >"$D/dovecot.conf" <<-EOF &&
		base_dir = $D/run
		state_dir = $D/state
		log_path = $D/dovecot.log
		protocols = imap
		ssl = no
		disable_plaintext_auth = no
		auth_failure_delay = 0
		mail_location = maildir:$MD
		passdb {
		  driver = passwd-file
		  args = $D/passwd
		}
		userdb {
		  driver = static
		  args = uid=nobody gid=nogroup home=$D
		}
		service imap-login {
		  inet_listener imap {
		    address = 127.0.0.1
		    port = $PORT
		  }
		}
		EOF
		{ dovecot -c "$D/dovecot.conf" -F </dev/null >>"$D/dovecot.out" 2>&1 & } &&
		DOVECOT_PID=$! &&
		echo "$DOVECOT_PID" >"$TRASH/.dovecot" &&
		tenths=300 &&
		while [ "$tenths" -gt 0 ]; do
			if ! kill -0 "$DOVECOT_PID" 2>/dev/null; then
				wait "$DOVECOT_PID"
				rc=$?
				[ "$rc" = 89 ] && continue 2   # port taken: another one
				echo "dovecot exited with $rc:" >&2
				cat "$D/dovecot.out" >&2
				return 1
			fi
			if { exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; then
				line=
				read -r -t 5 line <&3
				exec 3<&-
				case $line in *Dovecot*) return 0 ;; esac
			fi
			sleep 0.1
			tenths=$((tenths - 1))
		done
		echo "dovecot did not greet on port $PORT" >&2
		return 1
	done
	echo "no free port after $tries tries" >&2
	return 1
}

dovecot_stop() {
	local pid
	[ -f "$TRASH/.dovecot" ] || return 0
	pid=$(cat "$TRASH/.dovecot")
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$TRASH/.dovecot"
	return 0
}
eval "dovecot_prev_exit=$(trap -p EXIT | sed -e 's/^trap -- //' -e 's/ EXIT$//')"
trap "dovecot_stop; $dovecot_prev_exit" EXIT

# deliver NAME [FLAGS] <MESSAGE: puts a message into the mailbox as the
# server's own delivery would (new/ when unseen; cur/NAME:2,FLAGS else).
deliver() {
	local name=$1
	if [ -n "$2" ]; then
		cat >"$MD/cur/$name:2,$2"
	else
		cat >"$MD/new/$name"
	fi &&
	chown -R nobody:nogroup "$MD"
}

# seen NAME / unseen NAME: the message's \Seen flag, from its file name.
seen() { ls "$MD/cur" | grep -q "^$1:2,[A-Za-z]*S"; }
unseen() {
	test -e "$MD/new/$1" || ls "$MD/cur" | grep -qx "$1:2,[A-RT-Za-z]*"
}

status_of() {
	q "SELECT r.status FROM registration r JOIN person p ON p.id = r.person_id
	   WHERE p.email = '$1'"
}

# imap ARGS...: curl's view of the mailbox (UID SEARCH UNSEEN …).
imap() { curl -s --max-time 10 "imap://alice:$PW@127.0.0.1:$PORT/INBOX" "$@"; }

URL=
if test_have_prereq DOVECOT; then
	dovecot_start && URL="imap://alice@127.0.0.1:$PORT/INBOX"
fi
export URL

test_expect_success DOVECOT 'setup: dovecot, invitations, and a mailbox of replies' '
	test -n "$URL" &&
	printf "%s\n" "$PW" >pw &&
	setup_db &&
	tn channel add news --kind newsletter >/dev/null &&
	{
		echo email,name &&
		printf "%s\n" ivan.petrov@example.org,Ivan anna@example.org,Anna \
			boris@example.org,Boris carol@example.org,Carol dana@example.org,Dana
	} >news.csv &&
	tn follower import news news.csv >/dev/null &&
	tn event create --title "Readers meetup" --start "2027-06-10 19:00" \
		--tz Europe/Berlin >/dev/null &&
	q "UPDATE event SET uid = '\''$UID_OF_FIXTURES'\''" &&
	tn invite readers-meetup >/dev/null 2>&1 &&

	deliver 1700000001.gmail <"$R/gmail-accepted.eml" &&
	"$PY" - "$R/outlook-tentative.eml" >outlook.eml <<-\EOF &&
	import base64, re, sys
	text = open(sys.argv[1], "rb").read()
	m = re.search(rb"Content-Transfer-Encoding: base64\r?\n\r?\n(.*?)\r?\n\r?\n", text, re.S)
	cal = base64.b64decode(m.group(1)).replace(b"Ivan.Petrov@Example.org", b"Anna@Example.org")
	enc = base64.encodebytes(cal).replace(b"\n", b"\r\n").rstrip(b"\r\n")
	sys.stdout.buffer.write(text[:m.start(1)] + enc + text[m.end(1):])
	EOF
	deliver 1700000002.outlook <outlook.eml &&
	sed "s/mailto:Ivan.Petrov@Example.org/mailto:boris@example.org/" \
		"$R/thunderbird-declined.eml" | deliver 1700000003.thunderbird &&
	printf "From: news@example.net\r\nTo: team@meet.example.org\r\nSubject: Weekly digest\r\n\r\nNothing to answer here.\r\n" |
		deliver 1700000004.unrelated &&
	sed "s/^UID:.*/UID:nobody-knows@example.org/" "$R/bare-accepted.ics" >unknown.ics &&
	{
		printf "From: stranger@example.org\r\nSubject: Accepted: something else\r\n" &&
		printf "MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n" &&
		cat unknown.ics
	} | deliver 1700000005.unknown &&
	sed "s/mailto:Ivan.Petrov@Example.org/mailto:carol@example.org/" "$R/bare-accepted.ics" |
		{
			printf "From: carol@example.org\r\nSubject: Accepted\r\n" &&
			printf "MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n" &&
			cat
		} | deliver 1700000006.carol-read S &&
	{
		# a line of the message that looks like the end of a server reply
		printf "From: dana@example.org\r\nSubject: Accepted\r\nMIME-Version: 1.0\r\n" &&
		printf "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n" &&
		printf "Content-Type: text/plain\r\n\r\n" &&
		for i in $(seq 1 40); do printf "A%03d OK see you there\r\n" "$i" || exit 1; done &&
		printf "* BYE not really\r\n" &&
		printf -- "--b1\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n" &&
		sed "s/mailto:Ivan.Petrov@Example.org/mailto:dana@example.org/" "$R/bare-accepted.ics" &&
		printf -- "--b1--\r\n"
	} | deliver 1700000007.tag-lines &&
	test "$(imap -X "UID SEARCH UNSEEN" | tr -d "\r" | wc -w)" = 8
'

test_expect_success DOVECOT 'the replies are applied and their messages marked seen; the rest stays unseen' '
	tn rsvp --fetch-imap "$URL" --password-file pw >out1 2>err1 &&
	echo "applied 4, ignored 1, unmatched 1" >expect &&
	test_cmp expect out1 &&
	test_must_be_empty err1 &&
	test "$(status_of ivan.petrov@example.org)" = yes &&
	test "$(status_of anna@example.org)" = maybe &&
	test "$(status_of boris@example.org)" = no &&
	test "$(status_of dana@example.org)" = yes &&
	test -z "$(status_of carol@example.org)" &&
	test "$(q "SELECT count(*) FROM registration WHERE source = '\''invitation'\''")" = 4 &&
	seen 1700000001.gmail && seen 1700000002.outlook &&
	seen 1700000003.thunderbird && seen 1700000007.tag-lines &&
	unseen 1700000004.unrelated && unseen 1700000005.unknown &&
	seen 1700000006.carol-read &&
	test "$(imap -X "UID SEARCH UNSEEN" | tr -d "\r" | wc -w)" = 4
'

test_expect_success DOVECOT 'a second run applies nothing new and changes nothing' '
	ls -R "$MD" >before &&
	test_db_unchanged 0 tn_err rsvp --fetch-imap "$URL" --password-file - <pw >out2 &&
	echo "applied 0, ignored 1, unmatched 1" >expect &&
	test_cmp expect out2 &&
	ls -R "$MD" >after &&
	test_cmp before after
'

test_expect_success DOVECOT '--json says what became of each unseen message' '
	TURNOUT_IMAP_PASSWORD=$PW tn rsvp --fetch-imap "$URL" --json >out.json &&
	"$PY" - out.json <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert (d["unseen"], d["applied"], d["ignored"], d["unmatched"], d["refused"], d["failed"]) == (2, 0, 1, 1, 0, 0), d
	outcomes = sorted(m["outcome"] for m in d["messages"])
	assert outcomes == ["ignored", "unmatched"], d
	unmatched = [m for m in d["messages"] if m["outcome"] == "unmatched"][0]
	assert "nobody-knows@example.org" in unmatched["reason"], unmatched
	EOF
'

test_expect_success DOVECOT 'on a terminal each applied answer gets a line; a reply seen again changes nothing' '
	uid=$(imap -X "UID SEARCH HEADER Message-ID CAF1a2b3c4d5e6@mail.gmail.com" |
		tr -d "\r" | sed "s/^\* SEARCH //") &&
	test -n "$uid" &&
	imap -X "UID STORE $uid -FLAGS (\\Seen)" >/dev/null &&
	! seen 1700000001.gmail &&
	TURNOUT_IMAP_PASSWORD=$PW timeout 60 $PY "$TN_TOP/tests/pty_run.py" 100 tty.out \
		"$TURNOUT" rsvp --fetch-imap "$URL" &&
	grep -q "^Ivan.Petrov@Example.org: yes for .readers-meetup. (as before)" tty.out &&
	grep -q "^applied 1, ignored 1, unmatched 1" tty.out &&
	seen 1700000001.gmail &&
	test "$(status_of ivan.petrov@example.org)" = yes
'

test_expect_success DOVECOT 'a reply that can never apply is refused alone and marked seen: the others go on, exit 1' '
	tn event create --title "Closed talk" --start "2027-07-01 19:00" --tz Europe/Berlin >/dev/null &&
	q "UPDATE event SET uid = '\''closed-talk@meet.example.org'\'' WHERE slug = '\''closed-talk'\''" &&
	tn invite closed-talk >/dev/null 2>&1 &&
	tn event cancel closed-talk >/dev/null 2>&1 &&
	sed "s/^UID:.*/UID:closed-talk@meet.example.org/" "$R/bare-accepted.ics" |
		deliver 1700000008.cancelled &&
	sed -e "s/mailto:Ivan.Petrov@Example.org/mailto:anna@example.org/" \
		-e "s/PARTSTAT=ACCEPTED/PARTSTAT=DECLINED/" -e "s/^SEQUENCE:1/SEQUENCE:5/" \
		"$R/bare-accepted.ics" | deliver 1700000009.anna-declines &&
	test_expect_code 1 tn_err rsvp --fetch-imap "$URL" --password-file pw >out4 &&
	echo "applied 1, ignored 1, unmatched 1, refused 1" >expect &&
	test_cmp expect out4 &&
	stderr_has "^turnout: message UID [0-9]+: .*closed-talk.* cancelled" &&
	test "$(status_of anna@example.org)" = no &&
	test "$(q "SELECT count(*) FROM registration r JOIN event e ON e.id = r.event_id WHERE e.slug = '\''closed-talk'\''")" = 0 &&
	seen 1700000009.anna-declines &&
	seen 1700000008.cancelled
'

test_expect_success DOVECOT 'the refused reply is not read again: the next run succeeds' '
	test_db_unchanged 0 tn_err rsvp --fetch-imap "$URL" --password-file pw >out5 &&
	echo "applied 0, ignored 1, unmatched 1" >expect &&
	test_cmp expect out5 &&
	test_must_be_empty err
'

test_expect_success DOVECOT 'an unknown mailbox is a clear error' '
	test_db_unchanged 1 tn_err rsvp --fetch-imap "imap://alice@127.0.0.1:$PORT/Nope" --password-file pw &&
	stderr_has "the server refused the mailbox"
'

test_expect_success DOVECOT 'a wrong password is a clear error and changes nothing' '
	printf "not-the-password\n" >wrong &&
	ls -R "$MD" >before &&
	test_db_unchanged 1 tn_err rsvp --fetch-imap "$URL" --password-file wrong >out3 &&
	stderr_has "^turnout: mailbox .imap://alice@127.0.0.1:$PORT/INBOX.: login denied: wrong user or password" &&
	test_must_be_empty out3 &&
	ls -R "$MD" >after &&
	test_cmp before after
'

test_expect_success 'URLs and passwords that are refused before connecting' '
	setup_db &&
	test_db_unchanged 2 tn_err rsvp --fetch-imap "imaps://alice:$PW@mail.example.org/INBOX" --password-file pw &&
	stderr_has "imaps://alice:\*\*\*@mail.example.org/INBOX.: a password does not belong in the URL" &&
	test_db_unchanged 2 tn_err rsvp --fetch-imap imap://alice@mail.example.org/INBOX --password-file pw &&
	stderr_has "plain imap:// only to a loopback address" &&
	test_db_unchanged 2 tn_err rsvp --fetch-imap imaps://mail.example.org/INBOX --password-file pw &&
	stderr_has "no user" &&
	test_db_unchanged 2 tn_err rsvp --fetch-imap "imaps://alice@mail.example.org/INBOX;UID=3" --password-file pw &&
	stderr_has "not a message" &&
	test_db_unchanged 2 tn_err rsvp --fetch-imap https://alice@mail.example.org/ --password-file pw &&
	stderr_has "not an imaps URL" &&
	(unset TURNOUT_IMAP_PASSWORD && test_db_unchanged 2 tn_err rsvp --fetch-imap imaps://alice@mail.example.org/INBOX) &&
	stderr_has "needs the mailbox.s password" &&
	: >empty &&
	test_db_unchanged 2 tn_err rsvp --fetch-imap imaps://alice@mail.example.org/INBOX --password-file empty &&
	test_db_unchanged 2 tn_err rsvp --password-file pw sometoken yes &&
	test_db_unchanged 2 tn_err rsvp --fetch-imap imaps://alice@mail.example.org/INBOX --reply x.eml &&
	test_db_unchanged 2 tn_err rsvp --fetch-imap imaps://alice@mail.example.org/INBOX sometoken yes
'

test_expect_success 'the password never shows in any output of this script' '
	! grep -r -l -F -- "$PW" --exclude=pw --exclude=passwd --exclude=dovecot.conf \
		--exclude-dir=Maildir --exclude-dir=run --exclude-dir=state "$TRASH"
'

test_done
