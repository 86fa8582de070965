#!/usr/bin/env bash
# Ticket codes and their QR images read by independent tools: zbarimg
# (Debian's zbar-tools) decodes every PNG, and every SVG rendered to PNG by
# rsvg-convert (librsvg2-bin), to exactly the text that went in, for ticket
# codes and a URL; the terminal rendering, turned into an image, decodes as
# a light-on-dark terminal shows it; a PNG decoded with zlib has its quiet
# zone of 4 modules; Python's cryptography verifies the codes' Ed25519
# signatures. The images come from tests/unit/t_qr --write, the codes from
# tests/unit/t_ticketcode --write.
. "$(dirname "$0")/lib.sh"

: "${TN_BUILD:?set TN_BUILD to the build directory (make check does)}"

QRI="$TN_TOP/tests/qr_image.py"
SAMPLES="ticket1 ticket2 ticket3 url"

# decodes_to FILE NAME: zbarimg reads exactly qr/NAME.want (and its newline).
decodes_to() {
	zbarimg --nodbus --raw -q "$1" >decoded &&
	{ cat "qr/$2.want" && echo; } >expect &&
	test_cmp expect decoded
}

# modules NAME: the SVG's size in modules (its viewBox).
modules() {
	sed -n 's/.*viewBox="0 0 \([0-9]*\) [0-9]*".*/\1/p' "qr/$1.svg"
}

test_expect_success 'setup: the sample images and codes' '
	mkdir qr codes &&
	"$TN_BUILD/unit/t_qr" --write qr &&
	"$TN_BUILD/unit/t_ticketcode" --write codes &&
	test "$(ls qr | wc -l)" = 20 &&
	test "$(wc -l <codes/codes)" = 4 &&
	grep -q "^[A-Z2-7]\{119\}$" qr/ticket1.want &&
	grep -q "^https://" qr/url.want
'

test_expect_success 'zbarimg decodes every PNG, at 3 and 4 px per module, to exactly the text' '
	for n in $SAMPLES
	do
		decodes_to qr/$n.png $n &&
		decodes_to qr/$n-4.png $n || exit 1
	done
'

test_expect_success 'the check fails for another text' '
	zbarimg --nodbus --raw -q qr/ticket1.png >decoded &&
	{ cat qr/ticket2.want && echo; } >expect &&
	! test_cmp expect decoded 2>/dev/null
'

test_expect_success 'each SVG is one path, and rendered by rsvg-convert it decodes to the text' '
	for n in $SAMPLES
	do
		test "$(grep -o "<path" qr/$n.svg | wc -l)" = 1 &&
		size=$(modules $n) &&
		test -n "$size" &&
		rsvg-convert -w $((size * 2)) qr/$n.svg -o svg2-$n.png &&
		decodes_to svg2-$n.png $n &&
		rsvg-convert -w $((size * 4)) qr/$n.svg -o svg4-$n.png &&
		decodes_to svg4-$n.png $n || exit 1
	done
'

test_expect_success 'a ticket code needs version 5 (37 modules), 45 with the quiet zone' '
	for n in ticket1 ticket2 ticket3
	do
		test "$(modules $n)" = 45 || exit 1
	done
'

test_expect_success 'every PNG has 4 light modules around the code' '
	for n in $SAMPLES
	do
		$PY "$QRI" quiet qr/$n.png 3 >quiet &&
		echo "modules=$(modules $n) quiet=4" >expect &&
		test_cmp expect quiet &&
		$PY "$QRI" quiet qr/$n-4.png 4 >quiet &&
		test_cmp expect quiet || exit 1
	done
'

test_expect_success 'the terminal rendering decodes as a light-on-dark terminal shows it' '
	for n in $SAMPLES
	do
		$PY "$QRI" pgm qr/$n.txt term-$n.pgm &&
		decodes_to term-$n.pgm $n || exit 1
	done
'

test_expect_success 'and not with its blocks taken as dark (the colour choice matters)' '
	$PY "$QRI" pgm qr/ticket1.txt dark.pgm --dark-blocks &&
	test_expect_code 4 zbarimg --nodbus --raw -q dark.pgm
'

test_expect_success 'python cryptography verifies each code with the public key alone' '
	pk=$(cat codes/pk.hex) &&
	while read event serial code
	do
		echo "$event $serial" >expect &&
		$PY "$QRI" ticket "$pk" "$code" >ids &&
		test_cmp expect ids || exit 1
	done <codes/codes
'

test_expect_success 'and rejects a changed code, or one checked with another key' '
	read event serial code <codes/codes &&
	# character 61 changed to another (A, or B where it is A already)
	changed=$(printf "%s" "$code" | sed -e "s/^\(.\{60\}\)A/\1@/" \
		-e "s/^\(.\{60\}\)[^@]/\1A/" -e "s/^\(.\{60\}\)@/\1B/") &&
	test "$changed" != "$code" &&
	test_expect_code 1 $PY "$QRI" ticket "$(cat codes/pk.hex)" "$changed" &&
	test_expect_code 1 $PY "$QRI" ticket "$(printf "%064d" 0 | tr 0 1)" "$code"
'

test_done
