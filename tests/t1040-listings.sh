#!/usr/bin/env bash
# The three listings (channel list, event list, follower list) and their
# shared flags: --format table|tsv|csv|json, --limit, --offset, --count.
# csv and json are read back by Python's own parsers; table alignment is
# checked against Python's unicodedata widths; the terminal width limit
# runs on a pty under script(1).
. "$(dirname "$0")/lib.sh"

test_lazy_prereq SCRIPT 'command -v script'

listings="channel list
event list
follower list"

# count_is N ARGS...: turnout ARGS prints exactly the line N.
count_is() {
	local want=$1
	shift
	tn "$@" >count.out &&
	echo "$want" >count.want &&
	test_cmp count.want count.out
}

test_expect_success 'setup: channels, followers and events with wide and tricky text' '
	# width.py: display widths as a terminal shows them, from unicodedata.
	cat >width.py <<-\PYEOF &&
	import unicodedata
	def width(s):
	    return sum(0 if unicodedata.combining(c) else
	               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
	PYEOF
	# aligned.py TABLE TSV: each column of the table TABLE (the same rows as
	# the tab-separated TSV) starts, or for numbers ends, at one display column.
	cat >aligned.py <<-\PYEOF &&
	import sys
	from width import width
	lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
	rows = [l.split("\t") for l in open(sys.argv[2], encoding="utf-8").read().splitlines()]
	assert len(lines) == len(rows) > 3
	spans = []
	for line, row in zip(lines, rows):
	    at, span = 0, []
	    for cell in row:
	        shown = cell or "-"
	        i = line.index(shown, at)
	        assert line[at:i].strip() == "", (line, shown)
	        span.append((width(line[:i]), width(line[:i + len(shown)])))
	        at = i + len(shown)
	    spans.append(span)
	# each column starts (left-aligned) or ends (numbers) at one display column
	for k in range(len(rows[0])):
	    starts = {s[k][0] for s in spans}
	    ends = {s[k][1] for s in spans}
	    assert len(starts) == 1 or len(ends) == 1, (k, starts, ends, lines)
	PYEOF
	setup_db &&
	tn channel add news --kind newsletter --audience 1800 >/dev/null &&
	tn channel add "Новости" --kind telegram --url https://t.me/novosti >/dev/null &&
	tn channel add "读书会" --kind other >/dev/null &&
	cat >people.csv <<-\EOF &&
	email,name,city
	anna@example.org,Anna Berg,Berlin
	ivan@example.org,Иван Петров,Москва
	li@example.org,李小龙,北京
	eve@example.org,"=HYPERLINK(""x""),evil",Paris
	tab@example.org,"Tab	Name",Köln
	EOF
	tn follower import news people.csv >/dev/null &&
	printf "email,city\nivan@example.org,Казань\n" >tg.csv &&
	tn follower import "Новости" tg.csv >/dev/null &&
	tn event create --title "Reading night" --start "2031-03-01 19:00" --tz Europe/Berlin >/dev/null &&
	tn event create --title "Вечер поэзии: 诗歌之夜, \"quoted\"" --start "2031-04-01 19:00" --tz Asia/Shanghai >/dev/null &&
	tn event create --title "A talk whose title runs on and on, much longer than any terminal is wide, to be cut" \
		--start "2031-05-01 19:00" --tz America/Argentina/Buenos_Aires --slug talk >/dev/null
'

test_expect_success '--limit and --offset page every listing, in every format' '
	while read -r what; do
		# shellcheck disable=SC2086
		tn $what --json >all.json &&
		tn $what --json --offset 1 --limit 2 >page.json &&
		tn $what --format json --offset 1 >rest.json &&
		tn $what --json --limit 0 >none.json &&
		tn $what --json --offset 99 >past.json &&
		$PY -c "
import json
a = json.load(open(\"all.json\"))
assert len(a) >= 3, a
assert json.load(open(\"page.json\")) == a[1:3]
assert json.load(open(\"rest.json\")) == a[1:]
assert json.load(open(\"none.json\")) == [] and json.load(open(\"past.json\")) == []
" &&
		tn $what --format tsv >all.tsv &&
		tn $what --format tsv --offset 1 --limit 2 >page.tsv &&
		{ head -1 all.tsv && sed -n 3,4p all.tsv; } >expect &&
		test_cmp expect page.tsv &&
		tn $what >all.txt &&
		tn $what --limit 1 >one.txt &&
		test "$(wc -l <one.txt)" = 2 &&
		tn $what --limit 0 >zero.txt 2>err &&
		test_must_be_empty zero.txt &&
		test_must_be_empty err || { echo "failed: $what"; exit 1; }
	done <<-EOF
	$listings
	EOF
'

test_expect_success '--count prints the number of rows, or {"count": N} with json' '
	count_is 3 channel list --count &&
	count_is 3 event list --count &&
	count_is 5 follower list --count &&
	count_is 1 follower list --channel "Новости" --count &&
	count_is 1 follower list --region berlin --count &&
	count_is 3 follower list --count --offset 1 --limit 3 &&
	count_is 1 follower list --count --offset 4 &&
	count_is 0 follower list --count --offset 9 &&
	count_is 3 event list --count --format csv &&
	tn channel list --count --json >count.json &&
	printf "{\"count\": 3}\n" >expect &&
	test_cmp expect count.json &&
	$PY -c "import json; assert json.load(open(\"count.json\")) == {\"count\": 3}" &&
	tn --db empty.db init >/dev/null &&
	count_is 0 --db empty.db follower list --count 2>err &&
	test_must_be_empty err
'

test_expect_success 'csv is RFC 4180 that Python reads back, with formulas defused' '
	while read -r what; do
		# shellcheck disable=SC2086
		tn $what --format csv >out.csv &&
		tn $what --format tsv >out.tsv &&
		tn $what --json >out.json &&
		$PY -c "
import csv, json
rows = list(csv.reader(open(\"out.csv\", newline=\"\", encoding=\"utf-8\")))
data = open(\"out.csv\", \"rb\").read()
assert data.count(b\"\\r\\n\") == len(rows), \"lines end in CRLF\"
tsv = [l.split(\"\\t\") for l in open(\"out.tsv\", encoding=\"utf-8\").read().splitlines()]
assert rows[0] == tsv[0], (rows[0], tsv[0])
assert len(rows) == len(json.load(open(\"out.json\"))) + 1
assert all(len(r) == len(rows[0]) for r in rows), rows
" || { echo "failed: $what"; exit 1; }
	done <<-EOF &&
	$listings
	EOF
	tn follower list --format csv >f.csv &&
	tn event list --format csv >e.csv &&
	tn channel list --format csv >c.csv &&
	$PY -c "
import csv
f = list(csv.DictReader(open(\"f.csv\", newline=\"\", encoding=\"utf-8\")))
names = {r[\"NAME\"]: r for r in f}
assert \"'"'"'=HYPERLINK(\\\"x\\\"),evil\" in names, names.keys()
assert names[\"李小龙\"][\"REGION\"] == \"北京\"
assert names[\"Иван Петров\"][\"CHANNELS\"] == \"news, Новости\", names[\"Иван Петров\"]
assert names[\"Иван Петров\"][\"REGION\"] == \"Москва, Казань\"
assert names[\"Tab\\tName\"][\"EMAIL\"] == \"tab@example.org\"
e = list(csv.DictReader(open(\"e.csv\", newline=\"\", encoding=\"utf-8\")))
assert e[1][\"TITLE\"] == \"Вечер поэзии: 诗歌之夜, \\\"quoted\\\"\", e[1]
assert e[1][\"ZONE\"] == \"Asia/Shanghai\" and e[1][\"STATUS\"] == \"scheduled\"
c = {r[\"NAME\"]: r for r in csv.DictReader(open(\"c.csv\", newline=\"\", encoding=\"utf-8\"))}
assert c[\"news\"][\"AUDIENCE\"] == \"1800\" and c[\"读书会\"][\"AUDIENCE\"] == \"\", c
assert c[\"Новости\"][\"URL\"] == \"https://t.me/novosti\" and c[\"Новости\"][\"FOLLOWERS\"] == \"1\"
"
'

test_expect_success 'tsv: one line per row, tabs in values become spaces' '
	tn follower list --format tsv >f.tsv &&
	test "$(wc -l <f.tsv)" = 6 &&
	grep -q "	Tab Name	tab@example.org	news	Köln$" f.tsv &&
	awk -F "\t" "NF != 5 { exit 1 }" f.tsv &&
	printf "email,name\nnl@example.org,\"New\nLine\033[31m\"\n" >nl.csv &&
	tn --db nl.db init >/dev/null &&
	tn --db nl.db channel add news --kind newsletter >/dev/null &&
	tn --db nl.db follower import news nl.csv >/dev/null &&
	tn --db nl.db follower list --format tsv >nl.tsv &&
	test "$(wc -l <nl.tsv)" = 2 &&
	grep -q "	New Line�\[31m	nl@example.org	" nl.tsv &&
	! grep -q "$(printf "\033")" nl.tsv
'

test_expect_success 'tables align every column by display width (Cyrillic, CJK)' '
	while read -r what; do
		# shellcheck disable=SC2086
		tn $what >table.txt &&
		tn $what --format tsv >table.tsv &&
		$PY aligned.py table.txt table.tsv || { echo "failed: $what"; exit 1; }
	done <<-EOF
	$listings
	EOF
'

test_expect_success 'a table measures the first 200 rows and keeps those widths' '
	tn --db many.db init >/dev/null &&
	tn --db many.db channel add news --kind newsletter >/dev/null &&
	$PY -c "
print(\"email,name\")
for i in range(250):
    print(\"p%03d@example.org,%s\" % (i, \"Name %d\" % i if i < 240 else \"Ааааааааааааааааааааааа %d\" % i))
" >many.csv &&
	tn --db many.db follower import news many.csv >/dev/null &&
	tn --db many.db follower list >many.txt &&
	test "$(wc -l <many.txt)" = 251 &&
	head -1 many.txt >h &&
	sed -n 201p many.txt >r200 &&
	$PY -c "
from width import width
h = open(\"h\", encoding=\"utf-8\").read()
r = open(\"r200\", encoding=\"utf-8\").read()
assert width(h[:h.index(\"EMAIL\")]) == width(r[:r.index(\"p199@\")]), (h, r)
" &&
	grep -q "^250 Ааааааааааааааааааааааа 249 p249@example.org news" many.txt &&
	tn --db many.db follower list --offset 248 --limit 5 --format tsv >tail.tsv &&
	test "$(wc -l <tail.tsv)" = 3
'

test_expect_success SCRIPT 'on a terminal no line is wider than the terminal; the end is cut with …' '
	script -qec "stty cols 110 && \"$TURNOUT\" event list" /dev/null </dev/null >tty.raw &&
	tr -d "\r" <tty.raw >tty.out &&
	grep -q "^ID  *SLUG  *START  *ZONE  *STATUS  *WHEN  *TITLE$" tty.out &&
	grep -q " Reading night$" tty.out &&
	grep -q " A talk whose.*…$" tty.out &&
	grep -q " Вечер поэзии: 诗歌…$" tty.out &&
	$PY -c "
from width import width
lines = open(\"tty.out\", encoding=\"utf-8\").read().splitlines()
assert len(lines) == 4, lines
w = [width(l) for l in lines]
assert max(w) == 110 and w[3] == 110 and w[2] in (109, 110), w
" &&
	script -qec "stty cols 60 && \"$TURNOUT\" event list" /dev/null </dev/null >tty.raw &&
	tr -d "\r" <tty.raw >tty.out &&
	$PY -c "
from width import width
lines = open(\"tty.out\", encoding=\"utf-8\").read().splitlines()
assert len(lines) == 4 and all(width(l) == 60 and l.endswith(\"…\") for l in lines), lines
" &&
	script -qec "stty cols 40 && \"$TURNOUT\" follower list" /dev/null </dev/null >tty.raw &&
	tr -d "\r" <tty.raw >tty.out &&
	test "$(wc -l <tty.out)" = 6 &&
	$PY -c "
from width import width
lines = open(\"tty.out\", encoding=\"utf-8\").read().splitlines()
assert all(width(l) <= 40 for l in lines), [(width(l), l) for l in lines]
"
'

test_expect_success SCRIPT 'without a window size, $COLUMNS is the width; a pipe has no limit' '
	script -qec "stty cols 0 && COLUMNS=50 \"$TURNOUT\" event list" /dev/null </dev/null >tty.raw &&
	tr -d "\r" <tty.raw >tty.out &&
	grep -q "…$" tty.out &&
	$PY -c "
from width import width
lines = open(\"tty.out\", encoding=\"utf-8\").read().splitlines()
assert max(width(l) for l in lines) == 50, [width(l) for l in lines]
" &&
	COLUMNS=30 tn event list >pipe.out &&
	grep -q "much longer than any terminal is wide, to be cut$" pipe.out &&
	! grep -q "…" pipe.out
'

test_expect_success '--json is --format json, byte for byte' '
	while read -r what; do
		# shellcheck disable=SC2086
		tn $what --json >a.json &&
		tn $what --format json >b.json &&
		tn $what --json --format json >c.json &&
		test_cmp a.json b.json &&
		test_cmp a.json c.json || exit 1
	done <<-EOF
	$listings
	EOF
'

test_expect_success 'bad values are usage errors, with nothing on stdout' '
	while read -r what; do
		for bad in "--limit -1" "--limit x" "--limit 1.5" "--offset -3" "--offset +3" \
			   "--limit 99999999999999999999" "--format xml" "--format TSV" \
			   "--json --format csv" "--limit"; do
			# shellcheck disable=SC2086
			test_expect_code 2 tn_err $what $bad >out &&
			test_must_be_empty out || { echo "failed: $what $bad"; exit 1; }
		done || exit 1
	done <<-EOF &&
	$listings
	EOF
	test_expect_code 2 tn_err event list --offset "" &&
	test_expect_code 2 tn_err event list --limit -1 &&
	stderr_has "^turnout: --limit: .-1.: not a whole number >= 0$" &&
	test_expect_code 2 tn_err channel list --offset abc &&
	stderr_has "^turnout: --offset: .abc.: not a whole number >= 0$" &&
	test_expect_code 2 tn_err follower list --format xml &&
	stderr_has "^turnout: --format: .xml.: not one of table, tsv, csv, json$" &&
	test_expect_code 2 tn_err follower list --json --format tsv &&
	stderr_has "^turnout: --json and --format tsv: choose one$"
'

test_expect_success 'text listings that cannot be written stop with exit 1' '
	while read -r what; do
		for format in table tsv csv; do
			# shellcheck disable=SC2086
			test_expect_code 1 tn_err $what --format $format >/dev/full &&
			stderr_has "^turnout: write error: stdout: No space left on device$" &&
			test "$(wc -l <"$TRASH/.stderr")" = 1 || { echo "failed: $what $format"; exit 1; }
		done || exit 1
	done <<-EOF
	$listings
	EOF
'

test_done
