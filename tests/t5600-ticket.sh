#!/usr/bin/env bash
# ticket issue, list, show, export and revoke, and the ticket e-mail:
# tickets issued when registrations become yes, codes that zbarimg reads
# back from every image (the SVG through rsvg-convert), the seat of a
# revoked ticket going to the waitlist, the e-mail read with Python's
# email package (HTML in a multipart/related showing the inline PNG by
# cid:, the ticket page link), and bad input changing nothing.
. "$(dirname "$0")/lib.sh"

test_lazy_prereq ZBAR 'command -v zbarimg'
test_lazy_prereq RSVG 'command -v rsvg-convert'

# decodes FILE CODE: zbarimg reads exactly CODE from FILE.
decodes() {
	zbarimg --nodbus --raw -q "$1" >decoded &&
	echo "$2" >expect &&
	test_cmp expect decoded
}

test_expect_success 'setup: a meetup of two seats, three registrations' '
	setup_db &&
	tn event create --title "Readers meetup" --start "2030-06-10 19:00" \
		--tz Europe/Berlin --capacity 2 --venue "Hall" >/dev/null &&
	tn event create --title "Other" --start "2030-07-10 19:00" \
		--tz Europe/Berlin >/dev/null &&
	tn register readers-meetup --name "Anna Berg" --email anna@example.org >/dev/null &&
	tn register readers-meetup --name "Bob Stone" --email bob@example.org >/dev/null &&
	tn register readers-meetup --name "Carl Jung" --email carl@example.org >/dev/null &&
	test "$(q "SELECT count(*) FROM registration WHERE status = '\''waitlisted'\''")" = 1
'

test_expect_success 'each accepted registration has a ticket and a queued e-mail' '
	test "$(q "SELECT count(*) FROM ticket")" = 2 &&
	test "$(q "SELECT group_concat(holder, '\'','\'') FROM ticket ORDER BY id")" = "Anna Berg,Bob Stone" &&
	test "$(q "SELECT count(*) FROM outbox WHERE kind = '\''ticket'\'' AND state = '\''queued'\''")" = 2 &&
	tn ticket list readers-meetup --format tsv >list &&
	test "$(wc -l <list)" = 3 &&
	head -1 list >header &&
	printf "NUMBER\tSTATE\tPERSON\tHOLDER\tISSUED\tCODE\n" >expect &&
	test_cmp expect header &&
	grep -q "^1	valid	1	Anna Berg	" list &&
	grep -q "^2	valid	2	Bob Stone	" list &&
	tn ticket list readers-meetup --count >count &&
	test "$(cat count)" = 2 &&
	tn ticket list readers-meetup --json >list.json &&
	/usr/bin/python3 -c "import json,sys; d=json.load(open(\"list.json\")); assert [t[\"number\"] for t in d] == [1, 2] and all(len(t[\"code\"]) == 119 for t in d), d"
'

test_expect_success 'ticket issue is idempotent, and issues what is missing' '
	tn ticket issue readers-meetup >out &&
	echo "issued 0 tickets" >expect &&
	test_cmp expect out &&
	q "DELETE FROM outbox; DELETE FROM ticket" &&
	tn ticket issue readers-meetup --send >out &&
	echo "issued 2 tickets; queued 2 e-mails" >expect &&
	test_cmp expect out &&
	test "$(q "SELECT count(*) FROM outbox WHERE kind = '\''ticket'\''")" = 2 &&
	tn ticket issue readers-meetup --send >out &&
	echo "issued 0 tickets; queued 0 e-mails" >expect &&
	test_cmp expect out
'

test_expect_success 'show prints the code, the event and the holder, by number or code' '
	n=$(q "SELECT min(id) FROM ticket") &&
	tn ticket list readers-meetup --format tsv >all &&
	c=$(awk -F "\t" -v n=$n "\$1 == n { print \$6 }" all) &&
	test ${#c} = 119 &&
	tn ticket show $n >out &&
	grep -q "^code:   $c$" out &&
	grep -q "^event:  readers-meetup (Readers meetup)$" out &&
	grep -q "^holder: Anna Berg (person 1)$" out &&
	lower=$(echo "$c" | tr A-Z a-z) &&
	tn ticket show "$lower" >out2 &&
	test_cmp out out2 &&
	echo "$c" >code1
'

test_expect_success ZBAR 'show --qr png, svg (through rsvg-convert) and text decode to the code' '
	n=$(q "SELECT min(id) FROM ticket") &&
	tn ticket show $n --qr png -o t.png &&
	decodes t.png "$(cat code1)" &&
	tn ticket show $n --qr png >t2.png &&
	cmp t.png t2.png &&
	tn ticket show $n --qr svg -o t.svg &&
	grep -q "<path" t.svg &&
	rsvg-convert -w 360 t.svg -o svg.png &&
	decodes svg.png "$(cat code1)" &&
	tn ticket show $n --qr text >t.txt &&
	grep -q "▀" t.txt
'

test_expect_success ZBAR 'export writes a PNG per ticket that decodes to its code, and an index' '
	mkdir badges &&
	tn ticket export readers-meetup --dir badges >out &&
	echo "exported 2 tickets to badges" >expect &&
	test_cmp expect out &&
	tn ticket list readers-meetup --format tsv >all &&
	tail -n +2 all >list &&
	test "$(ls badges/*.png | wc -l)" = 2 &&
	while IFS="	" read -r n state person holder issued c; do
		decodes badges/ticket-$n.png "$c" &&
		grep -q "^$n,$c,$holder,ticket-$n.png" badges/tickets.csv || exit 1
	done <list &&
	test "$(wc -l <badges/tickets.csv)" = 3 &&
	head -1 badges/tickets.csv | grep -q "^number,code,holder,file"
'

test_expect_success ZBAR 'the ticket e-mail: inline PNG by cid:, the code, the ticket page link' '
	mkdir mail pngs &&
	tn send --eml-dir mail >/dev/null 2>&1 &&
	/usr/bin/python3 "$TN_TOP/tests/ticket_mail.py" mail pngs >mails &&
	test "$(wc -l <mails)" = 2 &&
	while IFS="	" read -r rcpt c token; do
		decodes "pngs/$rcpt.png" "$c" &&
		test "$(q "SELECT count(*) FROM ticket_token")" -ge 1 || exit 1
	done <mails &&
	grep -q "^anna@example.org	$(cat code1)	" mails
'

test_expect_success 'revoke: listed as revoked, the seat goes to the first waitlisted with a ticket and a queued e-mail' '
	n=$(q "SELECT min(id) FROM ticket") &&
	tn ticket revoke $n >out &&
	echo "revoked ticket $n of '\''readers-meetup'\''" >expect &&
	echo "person 3 moved up from the waitlist and has a ticket" >>expect &&
	test_cmp expect out &&
	tn ticket list readers-meetup --format tsv >list &&
	grep -q "^$n	revoked	1	Anna Berg	" list &&
	grep -q "	valid	3	Carl Jung	" list &&
	test "$(q "SELECT status FROM registration WHERE person_id = 1")" = declined &&
	test "$(q "SELECT status FROM registration WHERE person_id = 3")" = yes &&
	test "$(q "SELECT o.rcpt FROM outbox o JOIN ticket t ON t.id = o.ticket_id
		WHERE o.state = '\''queued'\''")" = carl@example.org &&
	test_db_unchanged 1 tn_err ticket revoke $n &&
	stderr_has "already revoked"
'

test_expect_success 'bad input: a clear error and nothing changed' '
	test_db_unchanged 2 tn_err ticket issue no-such-event &&
	stderr_has "no-such-event" &&
	test_db_unchanged 2 tn_err ticket list no-such-event &&
	test_db_unchanged 2 tn_err ticket show 999 &&
	stderr_has "ticket 999: no such ticket" &&
	test_db_unchanged 2 tn_err ticket show ABCDEF &&
	stderr_has "not a ticket number or a code" &&
	c=$(cat code1) &&
	bad=$(echo "$c" | sed "s/^A/B/") &&
	test_db_unchanged 2 tn_err ticket revoke "$bad" &&
	test_db_unchanged 2 tn_err ticket show 2 --qr jpeg &&
	stderr_has "not png, svg or text" &&
	test_db_unchanged 1 tn_err ticket export readers-meetup --dir no-such-dir &&
	stderr_has "no-such-dir" &&
	touch plain-file &&
	test_db_unchanged 1 tn_err ticket export readers-meetup --dir plain-file &&
	stderr_has "not a directory" &&
	test_db_unchanged 2 tn_err ticket export readers-meetup
'

test_expect_success 'forgetting the holder erases the names on their tickets' '
	tn follower forget carl@example.org --yes >/dev/null 2>&1 &&
	test "$(q "SELECT count(*) FROM ticket WHERE holder IS NULL")" = 1 &&
	test "$(q "SELECT count(*) FROM ticket")" = 3
'

test_done
