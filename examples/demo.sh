#!/bin/sh
# examples/demo.sh - the turnout story on the example data, in a fresh
# database in a temporary directory (removed at the end). Run by
# 'make demo'; TURNOUT names the binary.
set -eu

T=${TURNOUT:-turnout}
EX=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/turnout-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export TURNOUT_DB="$WORK/turnout.db"
cd "$WORK"

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

step "6. Who follows in Berlin"
run follower list --region Berlin

step "7. An event in Berlin, in local time" \
	"The slug comes from the Cyrillic title; the time is stored in local time and UTC."
slug=$("$T" event create --title "Встреча читателей: итоги года" --start "2026-12-10 19:00" \
	--tz Europe/Berlin --duration 2h30m --venue "Café Central" \
	--address "Hauptstraße 1, 10827 Berlin" --capacity 40 \
	--description "Talks, questions, tea. Bring a friend.")
echo "\$ turnout event create --title \"Встреча читателей: итоги года\" --start \"2026-12-10 19:00\" --tz Europe/Berlin ..."
echo "$slug"
run event show "$slug"

step "8. Its calendar file" \
	"Look for METHOD:PUBLISH, the VTIMEZONE with TZID:Europe/Berlin, DTSTART;TZID=," \
	"the UID, SEQUENCE and the folded, escaped lines."
run ics "$slug"

step "9. The time moves: update bumps the SEQUENCE calendars use to replace it"
run event update "$slug" --start "2026-12-10 19:30"
"$T" ics "$slug" | grep -E '^(SEQUENCE|DTSTART;)'

step "10. Follower counts per channel" \
	"Known followers beside the declared audience: the base of the offline share."
run channel list

printf '\n%sDone.%s The database lived in %s and is removed now.\n' "$B" "$N" "$WORK"
