#!/usr/bin/env bash
# make check-layers: the checker passes the tree and catches each kind of
# crossing in a copy of it.
. "$(dirname "$0")/lib.sh"

layers() { perl "$TN_TOP/tests/check-layers.pl" "$@"; }

test_expect_success 'the tree keeps its arrows' '
	layers "$TN_TOP" >out &&
	test_must_be_empty out
'

test_expect_success 'setup: a copy of the sources' '
	mkdir copy &&
	cp -R "$TN_TOP/src" "$TN_TOP/include" copy/ &&
	layers copy >out &&
	test_must_be_empty out
'

# crossing FILE TEXT PATTERN: appending TEXT to FILE in a fresh copy makes
# the checker fail with PATTERN.
crossing() {
	rm -rf c && cp -R copy c &&
	printf "%s\n" "$2" >>"c/$1" &&
	test_expect_code 1 layers c >out &&
	grep -q -- "$3" out
}

test_expect_success 'a front end that runs SQL or includes the store' '
	crossing src/cmd/event.c "static void f(void) { sqlite3_exec(0, 0, 0, 0, 0); }" \
		"src/cmd/event.c:.*front may not call SQLite" &&
	crossing src/cmd/event.c "#include \"turnout/store.h\"" \
		"front may not include turnout/store.h" &&
	crossing src/main.c "#include <sqlite3.h>" "front may not include <sqlite3.h>"
'

test_expect_success 'a format or base module that includes the store or a concept' '
	crossing src/fmt/text.c "#include \"turnout/db.h\"" "fmt may not include turnout/db.h" &&
	crossing src/fmt/ical.c "#include \"turnout/event.h\"" "fmt may not include turnout/event.h" &&
	crossing src/base/buf.c "#include \"turnout/text.h\"" "base may not include turnout/text.h"
'

test_expect_success 'the library that prints or exits' '
	crossing src/event.c "static void f(void) { printf(\"x\"); }" "concept may not print or exit (printf)" &&
	crossing src/store/db.c "static void f(void) { exit(1); }" "store may not print or exit (exit)" &&
	crossing src/fmt/csv.c "static void f(void) { fputs(\"x\", stderr); }" "fmt may not print or exit"
'

test_expect_success 'comments and strings do not count, snprintf is fine' '
	rm -rf c && cp -R copy c &&
	printf "%s\n" "/* printf(x) and exit(1) */" \
		"static const char *s = \"printf(\";" \
		"static void g(char *b) { snprintf(b, 2, \"x\"); }" >>c/src/event.c &&
	layers c >out &&
	test_must_be_empty out
'

test_done
