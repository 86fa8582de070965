# turnout - build, test, demo and benchmark.
#
#   make deps       install the missing Debian build and runtime packages
#                   and npm's jsqr, which the door page embeds (npm ci)
#   make test-deps  deps + the test tools (Debian packages, npm modules)
#   make         build build/turnout, its manual page and completions
#   make test    test-deps + build + every test, then again under ASan/UBSan
#   make install    binary, turnout(1), bash and zsh completions (PREFIX, DESTDIR)
#   make uninstall  removes what install put there
#   make chainlint  broken && chains in the shell test bodies (make check runs it)
#   make check-layers  the arrows between the parts (make check runs it)
#   make demo    deps + build + the whole story on examples/
#   make bench   deps + build + the import, --json listing, invitation,
#                ticket, check-in and report benchmarks against Python (bench/)
#   make fuzz    libFuzzer on the input parsers (FUZZ_SECONDS each)
#
# Libraries come from pkg-config only. BUILD selects the build directory
# (the sanitizer run uses build/asan), SAN=1 adds -fsanitize.

BUILD   ?= build
PREFIX  ?= /usr/local
PKGS    := sqlite3 libical libcjson libsodium libutf8proc libidn2 libcurl gmime-3.0 \
	libmicrohttpd libqrencode libpng
CC      ?= cc
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -Isrc
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))

# The parts (docs/ARCHITECTURE.md): the front end (main.c, cmd/) is linked
# into the program; everything else is the library libturnout.a.
LIB_DIRS := src src/store src/fmt src/wire src/base
LIB_SRC  := $(filter-out src/main.c,$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
CLI_SRC  := src/main.c $(wildcard src/cmd/*.c) $(wildcard src/web/*.c)
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
# The door page's scripts (src/web/door-assets.S): its own src/web/door.js
# and npm's jsQR (package.json, installed by 'npm ci', never copied into
# the repository) assembled into the program with .incbin, so serve needs
# no file at run time.
JSQR     := node_modules/jsqr/dist/jsQR.js
CLI_OBJ  += $(BUILD)/obj/web/door-assets.o
HEADERS  := $(wildcard include/turnout/*.h src/*/*.h)
# The built-in e-mail templates: every file in templates/ becomes a C
# source in the build (tools/embed.pl), compiled into the library, so
# turnout runs from any directory. The directory is a prerequisite, so a
# file added or removed remakes it too.
TEMPLATE_FILES := $(sort $(wildcard templates/*))
TEMPLATES_C    := $(BUILD)/gen/templates-data.c
LIB_OBJ  += $(BUILD)/obj/gen/templates-data.o
UNIT_SRC := $(wildcard tests/unit/t_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
# Fuzz targets: replayed over their stored corpus by 'make check', grown
# with libFuzzer by 'make fuzz'.
FUZZ_TARGETS := csv text template ticketcode
REPLAY_BIN := $(FUZZ_TARGETS:%=$(BUILD)/unit/replay_%)
FUZZ_SECONDS ?= 60

# Debian packages: what building and running turnout needs (make deps,
# enough for make demo), then the test tools (make test-deps). node and npm
# are checked as commands: a machine may have them from another Debian
# build.
DEB_PKGS := pkg-config gcc make libsqlite3-dev libical-dev libcurl4-openssl-dev \
	libutf8proc-dev libidn2-dev libgmime-3.0-dev \
	libqrencode-dev libcjson-dev libsodium-dev libmicrohttpd-dev libpng-dev
TEST_PKGS := perl sqlite3 time python3 python3-icalendar python3-cryptography \
	python3-aiosmtpd curl zbar-tools librsvg2-bin python3-qrcode groff-base zsh openssl \
	chromium ffmpeg dovecot-imapd valgrind
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The manual page and completions come from the command and option tables
# (src/cmd/docs.c), so they say what --help says.
DOCS := $(BUILD)/turnout.1 $(BUILD)/turnout.bash $(BUILD)/_turnout

.PHONY: all deps test-deps check chainlint check-layers test demo bench fuzz \
	clean install uninstall
all: $(BUILD)/turnout $(DOCS)

$(BUILD)/turnout.1: $(BUILD)/turnout
	$(BUILD)/turnout help --man >$@.tmp && mv $@.tmp $@
$(BUILD)/turnout.bash: $(BUILD)/turnout
	$(BUILD)/turnout help --completion bash >$@.tmp && mv $@.tmp $@
$(BUILD)/_turnout: $(BUILD)/turnout
	$(BUILD)/turnout help --completion zsh >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# .incbin takes the scripts as they are; the page inlines them, so a
# "</script" inside one would end its <script> element early: refused.
$(BUILD)/obj/web/door-assets.o: src/web/door-assets.S src/web/door.js $(JSQR)
	@mkdir -p $(@D)
	@if grep -i -q -e '</script' -e '<!--' src/web/door.js $(JSQR); then \
		echo "make: a door script holds '</script' or '<!--'" >&2; exit 1; fi
	$(CC) -c -o $@ $<

$(JSQR):
	@command -v npm >/dev/null || { echo "make: $@ missing and no npm: run 'make deps'" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

$(TEMPLATES_C): templates $(TEMPLATE_FILES) tools/embed.pl
	@mkdir -p $(@D)
	perl tools/embed.pl $(TEMPLATE_FILES) >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/templates-data.o: $(TEMPLATES_C) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libturnout.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/turnout: $(CLI_OBJ) $(BUILD)/libturnout.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libturnout.a $(PKG_LIBS)

$(BUILD)/unit/%: tests/unit/%.c tests/unit/tap.h tests/unit/tap_db.h $(BUILD)/libturnout.a | $(BUILD)/unit
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(BUILD)/libturnout.a $(PKG_LIBS)

$(BUILD)/unit/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(BUILD)/libturnout.a | $(BUILD)/unit
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -DFUZZ_NAME='"$*"' $(LDFLAGS) -o $@ \
		tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(BUILD)/libturnout.a $(PKG_LIBS)

# The C sides of the benchmarks (bench/*_bench.c: invitations rendered,
# tickets made per second); not part of check.
$(BUILD)/bench/%: bench/%.c $(BUILD)/libturnout.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libturnout.a $(PKG_LIBS)

# The check-in benchmark's client speaks TLS through GnuTLS (libmicrohttpd's).
$(BUILD)/bench/door_load: PKG_LIBS += $(shell pkg-config --libs gnutls)

# The allocation-failure test replaces turnout's own allocator calls.
$(BUILD)/unit/t_nomem $(BUILD)/unit/t_template: LDFLAGS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup

$(BUILD)/unit:
	mkdir -p $@

# apt_install PACKAGES...: installs those of PACKAGES that are missing.
apt_install = missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	$(2) \
	if [ -n "$$missing" ]; then \
		echo "make: installing" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The build needs node's jsqr (the door page embeds it): npm ci when it is
# missing.
deps:
	@$(call apt_install,$(DEB_PKGS),command -v node >/dev/null || missing="$$missing nodejs"; \
		command -v npm >/dev/null || missing="$$missing npm";)
	@[ -f $(JSQR) ] || { echo "make deps: npm ci"; npm ci --no-audit --no-fund --loglevel=error; }

test-deps: deps
	@$(call apt_install,$(TEST_PKGS),)
	@if [ ! -f node_modules/.package-lock.json ] || \
	    [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		echo "make test-deps: npm ci"; npm ci --no-audit --no-fund --loglevel=error; \
	fi

# A test body with a broken && chain can lose a failure and pass: lint the
# bodies before running them (tests/chainlint.pl).
chainlint:
	perl tests/chainlint.pl tests/t[0-9]*.sh

# No SQL in a front end, no store in Formats or Wire, no printf or exit
# below the front ends (docs/ARCHITECTURE.md, "Parts and arrows").
check-layers:
	perl tests/check-layers.pl .

# The test suite against an already built tree (no installs).
check: chainlint check-layers $(BUILD)/turnout $(DOCS) $(UNIT_BIN) $(REPLAY_BIN)
	TURNOUT="$(abspath $(BUILD)/turnout)" TN_TOP="$(abspath .)" TN_BUILD="$(abspath $(BUILD))" \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	prove -j2 --exec '' $(UNIT_BIN) $(REPLAY_BIN) tests/t[0-9]*.sh

test: test-deps
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory BUILD=build/asan SAN=1 OPT=-O1 check

demo: deps
	$(MAKE) --no-print-directory all
	TURNOUT="$(abspath $(BUILD)/turnout)" DEMO_MAIL="$(abspath $(BUILD))/demo-mail" \
		sh examples/demo.sh

bench: test-deps
	$(MAKE) --no-print-directory all
	TURNOUT="$(abspath $(BUILD)/turnout)" sh bench/import.sh
	TURNOUT="$(abspath $(BUILD)/turnout)" sh bench/list_json.sh
	$(MAKE) --no-print-directory $(BUILD)/bench/render_bench
	TURNOUT="$(abspath $(BUILD)/turnout)" RENDER_BENCH="$(abspath $(BUILD)/bench/render_bench)" \
		sh bench/mail.sh
	$(MAKE) --no-print-directory $(BUILD)/bench/http_get
	TURNOUT="$(abspath $(BUILD)/turnout)" HTTP_GET="$(abspath $(BUILD)/bench/http_get)" \
		sh bench/serve.sh
	$(MAKE) --no-print-directory $(BUILD)/bench/ticket_bench
	TICKET_BENCH="$(abspath $(BUILD)/bench/ticket_bench)" sh bench/tickets.sh
	$(MAKE) --no-print-directory $(BUILD)/bench/door_prep $(BUILD)/bench/door_load
	TURNOUT="$(abspath $(BUILD)/turnout)" DOOR_PREP="$(abspath $(BUILD)/bench/door_prep)" \
		DOOR_LOAD="$(abspath $(BUILD)/bench/door_load)" sh bench/door.sh
	$(MAKE) --no-print-directory $(BUILD)/bench/report_prep
	TURNOUT="$(abspath $(BUILD)/turnout)" REPORT_PREP="$(abspath $(BUILD)/bench/report_prep)" \
		sh bench/report.sh

# libFuzzer (clang) on each target for FUZZ_SECONDS; new inputs go to
# build/fuzz/corpus-NAME (merge the useful ones into tests/fuzz/corpus/NAME
# with -merge=1), crashes to build/fuzz/.
fuzz: deps $(TEMPLATES_C)
	@command -v clang >/dev/null || { $(SUDO) apt-get install -y -qq clang; }
	mkdir -p build/fuzz
	for t in $(FUZZ_TARGETS); do \
		clang -g -O1 -std=c17 -D_GNU_SOURCE -Iinclude -Isrc $(PKG_CFLAGS) \
			-fsanitize=fuzzer,address,undefined -o build/fuzz/$$t \
			tests/fuzz/fuzz_$$t.c $(LIB_SRC) $(TEMPLATES_C) $(PKG_LIBS) || exit 1; \
		mkdir -p build/fuzz/corpus-$$t; \
		build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/fuzz/$$t- \
			build/fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

install: all
	install -D -m 755 $(BUILD)/turnout $(DESTDIR)$(PREFIX)/bin/turnout
	install -D -m 644 $(BUILD)/turnout.1 $(DESTDIR)$(PREFIX)/share/man/man1/turnout.1
	install -D -m 644 $(BUILD)/turnout.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/turnout
	install -D -m 644 $(BUILD)/_turnout $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_turnout

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/turnout \
		$(DESTDIR)$(PREFIX)/share/man/man1/turnout.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/turnout \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_turnout

clean:
	rm -rf build
