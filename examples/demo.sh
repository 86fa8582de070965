#!/bin/sh
# examples/demo.sh - the turnout story on the example data, in a fresh
# database in a temporary directory (removed at the end). Run by
# 'make demo'; TURNOUT names the binary.
set -eu

T=${TURNOUT:-turnout}
EX=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/turnout-demo.XXXXXX")
export TURNOUT_DB="$WORK/turnout.db"
# the messages the demo sends are kept here, for a mail client to open
MAIL=${DEMO_MAIL:-$PWD/demo-mail}
case $MAIL in /*) ;; *) MAIL=$PWD/$MAIL ;; esac
# and the HTML report beside them
REPORT=${DEMO_REPORT:-$(dirname "$MAIL")/demo-report.html}
case $REPORT in /*) ;; *) REPORT=$PWD/$REPORT ;; esac
cd "$WORK"

# api_start: the fixture server standing in for the channels' APIs
# (tests/api_fixture.py answering from examples/demo-api.json) on a free
# loopback port; stopped at exit.
API_PID=
api_start() {
	/usr/bin/python3 "$EX/../tests/api_fixture.py" --port-file "$WORK/api.port" \
		--script "$EX/demo-api.json" --log "$WORK/api.log" &
	API_PID=$!
	while [ ! -s "$WORK/api.port" ]; do
		kill -0 "$API_PID" 2>/dev/null || { echo "demo: the API fixture did not start" >&2; exit 1; }
		sleep 0.1
	done
	API_PORT=$(cat "$WORK/api.port")
}
trap '[ -z "$API_PID" ] || { kill "$API_PID"; wait "$API_PID"; } 2>/dev/null; rm -rf "$WORK"' EXIT

if [ -t 1 ]; then B=$(printf '\033[1m'); N=$(printf '\033[0m'); else B=; N=; fi
step() { printf '\n%s== %s%s\n' "$B" "$1" "$N"; shift; for l in "$@"; do printf '   %s\n' "$l"; done; echo; }
run() {
	printf '$ turnout'
	for a in "$@"; do
		case $a in *[\ \"]*) printf ' "%s"' "$a" ;; *) printf ' %s' "$a" ;; esac
	done
	echo
	"$T" "$@"
}

step "1. A fresh database" \
	"init stores the organisation and generates the Ed25519 key that will sign tickets."
run init --org "Readers Club" --from team@readers.example --base-url https://meet.readers.example
run init
echo "   (a second init changes nothing, and says so)"

step "2. Three channels with their declared audience" \
	"The declared audience is what the platform shows: subscribers, members, followers."
run channel add letter --kind newsletter --url https://letter.readers.example --audience 1800
run channel add tg --kind telegram --url https://t.me/readersclub --audience 950
run channel add masto --kind mastodon --url https://mastodon.social/@readersclub --audience 420
run channel audience tg 870 --date 2026-09-01
echo "   (an older figure joins the history; the list shows the latest)"
run channel list

step "3. Import the followers" \
	"The files are messy on purpose: a BOM, CRLF line ends, quoted commas and line" \
	"breaks, bad addresses, a bad date, invalid UTF-8, Cyrillic names. Look at the" \
	"rejected rows: each names its file, line and reason; the good rows go in. A bad" \
	"date is a warning (the row goes in without it), and a note names each column" \
	"that nothing reads."
for ch in newsletter:letter telegram:tg mastodon:masto; do
	f=followers-${ch%%:*}.csv
	cp "$EX/$f" .
	run follower import "${ch#*:}" "$f" 2>&1
done

step "4. Import the newsletter again" \
	"Nothing is duplicated: every row is an update now."
run follower import letter followers-newsletter.csv 2>/dev/null

step "5. One person, three channels" \
	"Farid subscribes to the newsletter, reads the Telegram channel and follows on" \
	"Mastodon. The e-mail address (its domain in any case) makes him one person."
run follower show farid.h@example.net

step "5b. Three channels, three people" \
	"Dmitri Novak is on the newsletter with his address, on Telegram as @dnovak and" \
	"on Mastodon as dnovak@fosstodon.org, both without an address. Handles match" \
	"only on channels of the same kind, and a Telegram name says nothing about a" \
	"Mastodon account, so turnout counts three people until an address links them:" \
	"turnout never guesses that two people are one."
run follower show dnovak@example.cz
run follower show @dnovak
run follower show dnovak@fosstodon.org
echo "   A Telegram list that brings his address beside his handle links them:"
printf 'email,username\ndnovak@example.cz,dnovak\n' >tg-linked.csv
run follower import tg tg-linked.csv
run follower show dnovak@example.cz
echo "   (the Mastodon account stays apart until a Mastodon list brings the address)"

step "6. Who follows in Berlin"
run follower list --region Berlin

step "6b. Followers straight from the channels' APIs" \
	"A small fixture server on this machine stands in for mastodon.social and" \
	"Telegram's Bot API here; in real use the URL is the channel's own" \
	"(https://mastodon.social/@readersclub) and turnout talks to it over HTTPS," \
	"only when a command asks. Tokens come from a file or the environment and" \
	"are never shown. The sync pages through the followers (a Link header names" \
	"the next page) and applies them as the channel's whole list: new followers" \
	"in, the ones who left marked unfollowed, followers_count as today's audience."
api_start
run channel update masto --url "http://127.0.0.1:$API_PORT/@readersclub"
printf 'demo-mastodon-token\n' >masto.token
run channel token masto --token-file masto.token
run follower sync masto
run config telegram-api "http://127.0.0.1:$API_PORT"
printf 'DEMO-TOKEN\n' >tg.token
run channel token tg --token-file tg.token
run channel audience tg --fetch
run channel list

# The meetup is a few weeks ahead of today: a start in the past is refused.
day=$(date -d '+30 days' +%Y-%m-%d 2>/dev/null || echo 2030-12-10)
next=$(date -d '+58 days' +%Y-%m-%d 2>/dev/null || echo 2031-01-07)

step "7. An event in Berlin, in local time" \
	"The slug comes from the Cyrillic title; the time is stored in local time and UTC."
slug=$("$T" event create --title "Встреча читателей: итоги года" --start "$day 19:00" \
	--tz Europe/Berlin --duration 2h30m --venue "Café Central" \
	--address "Hauptstraße 1, 10827 Berlin" --capacity 40 \
	--description "Talks, questions, tea. Bring a friend.")
echo "\$ turnout event create --title \"Встреча читателей: итоги года\" --start \"$day 19:00\" --tz Europe/Berlin ..."
echo "$slug"
run event show "$slug"

step "8. Its calendar file" \
	"Look for METHOD:PUBLISH, the VTIMEZONE with TZID:Europe/Berlin, DTSTART;TZID=," \
	"the UID, SEQUENCE and the folded, escaped lines."
run ics "$slug"

step "9. The time moves: update bumps the SEQUENCE calendars use to replace it" \
	"'updated ... (sequence 1)': the SEQUENCE counts the changes an invitee must" \
	"see; a calendar that has sequence 0 replaces its entry with sequence 1."
run event update "$slug" --start "$day 19:30"
"$T" ics "$slug" | grep -E '^(SEQUENCE|DTSTART;)'

step "10. The same meetup next month" \
	"The title's slug is taken, so the new event's slug gets its date. ISO times work too."
run event create --title "Встреча читателей: итоги года" --start "${next}T19:00" --tz Europe/Berlin

step "11. One calendar feed of every upcoming event" \
	"Calendars subscribe to it; each zone has one VTIMEZONE."
"$T" ics --all | grep -E '^(BEGIN:VEVENT|TZID:|SUMMARY|DTSTART;)'

step "12. Follower counts per channel" \
	"Known followers beside the declared audience: the base of the offline share."
run channel list

step "12b. Announce it on each channel" \
	"Each post carries that channel's own registration link, so whoever registers" \
	"through it counts for that channel in the report. The Mastodon status goes" \
	"with an Idempotency-Key (a retry never posts twice), the Telegram message" \
	"through the bot; the newsletter gets the text to paste. The posts' addresses" \
	"are kept (event show)."
run announce "$slug" --channel masto --channel tg --channel letter
run event show "$slug" | grep -E '^announced'

step "13. Invite the followers" \
	"One personal invitation per person with an address; people known only by a" \
	"handle are counted and skipped. Each invitation remembers the channel it came" \
	"through (the first one given that the person follows), for the report."
run invite "$slug" --channel letter --channel tg --channel masto --dry-run 2>&1 | head -n 6
echo "   ..."
run invite "$slug" --channel letter --channel tg --channel masto
run outbox --limit 3

step "14. Send them, as .eml files" \
	"'turnout send --smtp smtps://user:password@mail.example.org' would deliver them;" \
	"here they are written to a directory instead. Each message has a text and an" \
	"HTML part, the calendar invitation (METHOD:REQUEST, with Accept / Decline in" \
	"Gmail, Outlook, Apple Calendar, Thunderbird) and personal RSVP and unsubscribe" \
	"links."
rm -rf "$MAIL"
mkdir -p "$MAIL"
run send --eml-dir "$MAIL"
first=$(ls "$MAIL" | head -n 1)
echo "   Open $MAIL/$first in a mail client (Thunderbird: File > Open > Saved"
echo "   Message) to see the invitation as an invitee does."

step "15. The venue changes: everyone invited gets an update" \
	"Same UID, SEQUENCE one higher: calendars move the entry they already have." \
	"A capacity change shows in no calendar, so it bumps nothing and sends nothing."
run event update "$slug" --capacity 60
run event update "$slug" --venue "Café Einstein"
run send --eml-dir "$MAIL"
update=$(ls "$MAIL" | grep update | head -n 1)
grep -E '^(METHOD|SEQUENCE|UID):' "$MAIL/$update" | sort -u
echo "   The messages stay in $MAIL."

step "16. Answers come in" \
	"From the RSVP page (turnout serve), from the organizer's side (register), or" \
	"from the invitee's own calendar: pressing Accept mails an iTIP REPLY back to" \
	"the organizer, and 'rsvp --reply' reads it, a bare .ics or the whole e-mail."
uid=$("$T" event show "$slug" | sed -n 's/^uid  *//p')
cat >reply.ics <<ICS
BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
METHOD:REPLY
BEGIN:VEVENT
UID:$uid
DTSTAMP:20261201T101500Z
SEQUENCE:2
ORGANIZER:mailto:team@readers.example
ATTENDEE;PARTSTAT=ACCEPTED;CN=Farid Haddad:mailto:farid.h@example.net
END:VEVENT
END:VCALENDAR
ICS
run rsvp --reply reply.ics
run register "$slug" --name "Maja Lind" --email maja.lind@example.se --channel masto
run registration list "$slug"

step "17. Tickets" \
	"Each yes got a ticket at once: an Ed25519 signature over the event and the" \
	"ticket's number, in base32 so that it fits a small QR code. The door needs only" \
	"the public key to check one. The ticket e-mails carry the QR inline."
run ticket list "$slug"
run ticket show 1 --qr text
run ticket show 1 --qr png -o "$MAIL/ticket-1.png"
run send --eml-dir "$MAIL"
echo "   The ticket is in $MAIL/ticket-1.png, and its e-mail in"
echo "   $MAIL/$(ls "$MAIL" | grep ticket | head -n 1)."

step "18. At the door" \
	"Each door device is a gate with a secret login link (shown once; only its hash" \
	"is kept). Every scan is recorded with its verdict: the first valid scan admits," \
	"a second says when and at which gate the ticket came in, a forged code is" \
	"invalid. checkin exits 0 only for admit."
run gate add "$slug" entrance
first=$("$T" ticket list "$slug" --format tsv | awk -F '\t' 'NR == 2 { print $6 }')
second=$("$T" ticket list "$slug" --format tsv | awk -F '\t' 'NR == 3 { print $6 }')
forged=$(printf '%s\n' "$first" | awk '{ c = substr($0, 40, 1)
	print substr($0, 1, 39) (c == "A" ? "B" : "A") substr($0, 41) }')
run checkin "$slug" "$first" --gate entrance
run checkin "$slug" "$first" || echo "   (exit $?: already in)"
run checkin "$slug" "$forged" || echo "   (exit $?: one character changed)"
echo "   A USB scanner types each code and Enter (here with its CR and ']Q1' prefix);"
echo "   'door' checks each line in: a coloured block per scan on a terminal, a"
echo "   plain line in a pipe, the counts at the end."
printf '%s\r\n]Q1%s\n' "$second" "$first" | run door "$slug" --gate entrance
run walkin "$slug" --name "Anna Schmidt" --email anna.schmidt@example.org
echo "   (a follower of the newsletter, known by her address: no new person)"
run checkin list "$slug"
run gate list "$slug"

step "19. The report: what share of each channel's audience came" \
	"Per channel: the audience on the event's date (the declared figure or the" \
	"followers known then, whichever is larger; in total a person on two channels" \
	"once), invited, registered, ticketed, came, and the offline share against the" \
	"10% target. Walk-ins count for the channel they follow, or as walk-in."
run report "$slug"
run report "$slug" --format html -o "$REPORT"
echo "   The HTML report (charts, no script, nothing loaded from the network) is"
echo "   $REPORT: open it in a browser, print it or mail it."

printf '\n%sDone.%s The database lived in %s and is removed now.\n' "$B" "$N" "$WORK"
