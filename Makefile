# turnout - build, test, demo and benchmark.
#
#   make deps    install the missing Debian packages and npm test modules
#   make         build build/turnout
#   make test    deps + build + every test, then again under ASan/UBSan
#   make chainlint  broken && chains in the shell test bodies (make check runs it)
#   make check-layers  the arrows between the parts (make check runs it)
#   make demo    deps + build + the whole story on examples/
#   make bench   deps + build + the import and --json listing benchmarks
#                against Python (bench/)
#   make fuzz    libFuzzer on the input parsers (FUZZ_SECONDS each)
#
# Libraries come from pkg-config only. BUILD selects the build directory
# (the sanitizer run uses build/asan), SAN=1 adds -fsanitize.

BUILD   ?= build
PREFIX  ?= /usr/local
PKGS    := sqlite3 libical libcjson libsodium libutf8proc libidn2 libcurl
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
LIB_DIRS := src src/store src/fmt src/base
LIB_SRC  := $(filter-out src/main.c,$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
CLI_SRC  := src/main.c $(wildcard src/cmd/*.c)
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
HEADERS  := $(wildcard include/turnout/*.h src/*/*.h)
UNIT_SRC := $(wildcard tests/unit/t_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
# Fuzz targets: replayed over their stored corpus by 'make check', grown
# with libFuzzer by 'make fuzz'.
FUZZ_TARGETS := csv text
REPLAY_BIN := $(FUZZ_TARGETS:%=$(BUILD)/unit/replay_%)
FUZZ_SECONDS ?= 60

# Debian packages: build libraries, then the test tools. node and npm are
# checked as commands: a machine may have them from another Debian build.
DEB_PKGS := pkg-config libsqlite3-dev libical-dev libcurl4-openssl-dev \
	libutf8proc-dev libidn2-dev \
	libqrencode-dev libcjson-dev libsodium-dev libmicrohttpd-dev libpng-dev \
	gcc make perl sqlite3 time python3 python3-icalendar python3-cryptography \
	python3-aiosmtpd \
	zbar-tools
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps check chainlint check-layers test demo bench fuzz clean install
all: $(BUILD)/turnout

$(BUILD)/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/libturnout.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/turnout: $(CLI_OBJ) $(BUILD)/libturnout.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libturnout.a $(PKG_LIBS)

$(BUILD)/unit/%: tests/unit/%.c tests/unit/tap.h $(BUILD)/libturnout.a | $(BUILD)/unit
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(BUILD)/libturnout.a $(PKG_LIBS)

$(BUILD)/unit/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(BUILD)/libturnout.a | $(BUILD)/unit
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -DFUZZ_NAME='"$*"' $(LDFLAGS) -o $@ \
		tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(BUILD)/libturnout.a $(PKG_LIBS)

# The allocation-failure test replaces turnout's own allocator calls.
$(BUILD)/unit/t_nomem: LDFLAGS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup

$(BUILD)/unit:
	mkdir -p $@

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@if [ ! -f node_modules/.package-lock.json ] || \
	    [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		echo "make deps: npm ci"; npm ci --no-audit --no-fund --loglevel=error; \
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
check: chainlint check-layers $(BUILD)/turnout $(UNIT_BIN) $(REPLAY_BIN)
	TURNOUT="$(abspath $(BUILD)/turnout)" TN_TOP="$(abspath .)" \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	prove -j2 --exec '' $(UNIT_BIN) $(REPLAY_BIN) tests/t[0-9]*.sh

test: deps
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory BUILD=build/asan SAN=1 OPT=-O1 check

demo: deps
	$(MAKE) --no-print-directory all
	TURNOUT="$(abspath $(BUILD)/turnout)" sh examples/demo.sh

bench: deps
	$(MAKE) --no-print-directory all
	TURNOUT="$(abspath $(BUILD)/turnout)" sh bench/import.sh
	TURNOUT="$(abspath $(BUILD)/turnout)" sh bench/list_json.sh

# libFuzzer (clang) on each target for FUZZ_SECONDS; new inputs go to
# build/fuzz/corpus-NAME (merge the useful ones into tests/fuzz/corpus/NAME
# with -merge=1), crashes to build/fuzz/.
fuzz: deps
	@command -v clang >/dev/null || { $(SUDO) apt-get install -y -qq clang; }
	mkdir -p build/fuzz
	for t in $(FUZZ_TARGETS); do \
		clang -g -O1 -std=c17 -D_GNU_SOURCE -Iinclude -Isrc $(PKG_CFLAGS) \
			-fsanitize=fuzzer,address,undefined -o build/fuzz/$$t \
			tests/fuzz/fuzz_$$t.c $(LIB_SRC) $(PKG_LIBS) || exit 1; \
		mkdir -p build/fuzz/corpus-$$t; \
		build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/fuzz/$$t- \
			build/fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

install: $(BUILD)/turnout
	install -D -m 755 $(BUILD)/turnout $(DESTDIR)$(PREFIX)/bin/turnout

clean:
	rm -rf build
