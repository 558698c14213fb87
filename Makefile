# huaweicloud-sdk for Lua. `make` builds the C core for Lua 5.4; `make LUA=luajit` (or lua5.1,
# lua5.3) builds for another ABI under build/$(LUA)/. See README.md for the rest.
LUA ?= lua5.4
PKG_lua5.4 := lua5.4
PKG_lua5.3 := lua5.3
PKG_lua5.2 := lua5.2
PKG_lua5.1 := lua5.1
PKG_luajit := luajit
LUA_PKG := $(PKG_$(LUA))
ifeq ($(LUA_PKG),)
$(error LUA must be one of lua5.4 lua5.3 lua5.2 lua5.1 luajit)
endif

CC ?= cc
OPT ?= -O2
SAN ?=
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
# '=' so pkg-config runs only when compiling (make demo installs it first)
LUA_CFLAGS = $(shell pkg-config --cflags $(LUA_PKG))
DEP_CFLAGS = $(shell pkg-config --cflags libcurl libcrypto)
DEP_LIBS = $(shell pkg-config --libs libcurl libcrypto)
CFLAGS_ALL = -std=c99 -D_POSIX_C_SOURCE=200809L -fPIC -g $(OPT) $(SAN) $(WARN) -fvisibility=hidden \
              $(LUA_CFLAGS) $(DEP_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := -shared $(SAN) $(LDFLAGS)

SRCS := $(wildcard csrc/*.c)
HDRS := $(wildcard csrc/*.h)
BUILD := build/$(LUA)$(if $(SAN),-san)
OBJS := $(patsubst csrc/%.c,$(BUILD)/obj/%.o,$(SRCS))
SO := $(BUILD)/huaweicloud/core.so

BUSTED := busted --lua=$(LUA) --cpath='./$(BUILD)/?.so' -o spec/support/ci_output.lua
# a test that finds no credentials ends at the metadata provider: point it at a closed local
# port, never at 169.254.169.254
export HUAWEICLOUD_SDK_METADATA_ENDPOINT ?= http://127.0.0.1:9
BUSTED_ARGS ?=

.PHONY: all test test-run test-all lint check deps demo clean asan valgrind fuzz bench ctest dist gen node-sdk
all: $(SO)

Q := $(if $(V),,@)
$(BUILD)/obj/%.o: csrc/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC    $<")
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(SO): $(OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(OBJS) $(DEP_LIBS) -lm

# specs' own process helpers (spec/c/testlib.c), built beside the core, never installed
TESTLIB := $(BUILD)/hwc_testlib.so
$(TESTLIB): spec/c/testlib.c csrc/compat.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_ALL) -Icsrc $(LDFLAGS_ALL) -o $@ $<

# As root on a fresh machine, `make test` (like `make demo`) first installs what it needs.
test:
	@$(call ensure,$(TEST_PACKAGES) $(ABI_PACKAGES_$(LUA)))
	@$(MAKE) --no-print-directory test-run

SPECS ?= spec
test-run: $(SO) $(TESTLIB)
	$(BUSTED) $(BUSTED_ARGS) $(SPECS)

# The suite under every Lua the project supports.
test-all:
	@set -e; for l in lua5.4 lua5.3 lua5.2 lua5.1 luajit; do echo "== $$l"; $(MAKE) --no-print-directory test LUA=$$l; done

# The suite with the core built under AddressSanitizer + UndefinedBehaviorSanitizer. The stock
# lua5.4 is not instrumented, so the ASan runtime is preloaded into it (and its Lua children).
# Leaks are valgrind's job: busted exits without closing the Lua state.
comma := ,
ASAN_LIB = $(shell $(CC) -print-file-name=libasan.so)
asan:
	@$(MAKE) --no-print-directory all build/$(LUA)-san/hwc_testlib.so SAN="-fsanitize=address$(comma)undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" OPT=-O1
	LD_PRELOAD=$(ASAN_LIB) ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  busted --lua=$(LUA) --cpath='./build/$(LUA)-san/?.so' -o spec/support/ci_output.lua $(BUSTED_ARGS) spec

# The suite under valgrind (the core built with -O1 -g); any error or definite leak fails it.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --keep-debuginfo=yes --trace-children=no
valgrind:
	@$(MAKE) --no-print-directory all $(TESTLIB) OPT=-O1
	HWC_SOAK=500 $(VALGRIND) $(LUA) /usr/bin/busted --ignore-lua --cpath='./$(BUILD)/?.so' -o spec/support/ci_output.lua $(BUSTED_ARGS) spec

# libFuzzer harnesses (clang): canonicalization + signing, the model walker + JSON writer, and
# response parsing. Each runs FUZZ_SECONDS; new inputs stay in build/fuzz/corpus-*, crashes in
# build/fuzz/ (crash-*), and the run fails on the first one.
FUZZ_SECONDS ?= 60
FUZZERS := sign model parse secrets http1 head
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Icsrc \
  -D_POSIX_C_SOURCE=200809L $(shell pkg-config --cflags lua5.4 libcurl libcrypto)
build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_lua.h $(SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(SRCS) $(shell pkg-config --libs lua5.4 libcurl libcrypto) -lm
fuzz: $(FUZZERS:%=build/fuzz/fuzz_%)
	@set -e; for f in $(FUZZERS); do \
	  mkdir -p build/fuzz/corpus-$$f; \
	  ( cd build/fuzz && ASAN_OPTIONS=detect_leaks=1 ./fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -max_len=4096 -timeout=10 -rss_limit_mb=2048 corpus-$$f ../../fuzz/seeds/$$f > fuzz_$$f.log 2>&1 ) || \
	    { grep -E "ERROR|SUMMARY|crash-|Test unit written|fuzz_" build/fuzz/fuzz_$$f.log | head -20; exit 1; }; \
	  awk -v f=fuzz_$$f -v s=$(FUZZ_SECONDS) '/^stat::number_of_executed_units/ {n=$$2} /^stat::peak_rss_mb/ {r=$$2} \
	    END {printf "%-14s %9d executions in %d s (%d/s), peak RSS %d MB\n", f, n, s, n/s, r}' build/fuzz/fuzz_$$f.log; \
	done

# C unit tests (spec/c/*_test.c): each links the core's C files and runs without the module,
# under ASan and UBSan (a unit's contract includes never reading past what it is given).
CTESTS := $(patsubst spec/c/%.c,build/ctest/%,$(wildcard spec/c/*_test.c))
build/ctest/%: spec/c/%.c $(SRCS) $(HDRS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c99 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all $(WARN) -Icsrc $(shell pkg-config --cflags lua5.4 libcurl libcrypto) \
	  -o $@ $< $(SRCS) $(shell pkg-config --libs lua5.4 libcurl libcrypto) -lm -ldl -lpthread
ctest: $(CTESTS)

# Benchmarks (spec/bench/): numbers printed, nothing passes or fails on a timing.
# BENCH_TREE=/other/checkout measures that checkout's build (made there first) with this bench.
BENCH_TREE ?= .
BENCH_PACKAGES = $(RUN_PACKAGES) $(NGINX_PACKAGES) wrk valgrind openssl
build/bench/curl_floor: spec/bench/curl_floor.c spec/bench/floor.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror $(shell pkg-config --cflags libcurl) -o $@ $< $(shell pkg-config --libs libcurl)
build/bench/prepare_floor: spec/bench/prepare_floor.c spec/bench/floor.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror $(shell pkg-config --cflags libcrypto) -o $@ $< $(shell pkg-config --libs libcrypto)
bench:
	@$(call ensure,$(BENCH_PACKAGES))
	@$(MAKE) --no-print-directory -C $(BENCH_TREE) all
	@$(MAKE) --no-print-directory -C $(BENCH_TREE) all LUA=luajit
	@$(MAKE) --no-print-directory build/bench/curl_floor build/bench/prepare_floor
	@T=$$(cd $(BENCH_TREE) && pwd); BENCH_TREE=$$T BENCH_LUA=$(LUA) \
	  LUA_PATH="$$T/lua/?.lua;$$T/lua/?/init.lua;./?.lua;;" LUA_CPATH="$$T/$(BUILD)/?.so;;" $(LUA) spec/bench/run.lua

# The official Node.js SDK (pinned in spec/node/), for spec/node_sdk_spec.lua: the emulator answers
# what the official SDK expects. Needs Node.js, npm and the npm registry.
NODE_PACKAGES = nodejs npm
node-sdk:
	@command -v npm >/dev/null || { $(call ensure,$(NODE_PACKAGES)); }
	@mkdir -p build/node-sdk
	@cp spec/node/package.json spec/node/package-lock.json build/node-sdk/
	cd build/node-sdk && npm ci --no-audit --no-fund --loglevel=error

# The files that follow from registry/<service>.lua (see registry/README.md). Their output is
# committed, so a build (luarocks' builtin one too) never runs the generator; the suite fails when
# it is stale.
gen:
	lua5.4 registry/gen.lua

lint:
	luacheck -q --no-color lua spec examples registry

check:
	@$(call ensure,$(TEST_PACKAGES) lua-check)
	@$(MAKE) --no-print-directory all lint test-run

# Debian packages the project needs to build, test and demo (run as root; used by .ci/run).
RUN_PACKAGES := gcc make pkg-config libc6-dev lua5.4 liblua5.4-dev lua-cjson libcurl4-openssl-dev libssl-dev \
  lua-socket lua-sec ca-certificates
# the suite under Lua 5.4: busted, the openssl and curl commands it checks against, nginx with
# the Lua module (on luajit2, OpenResty's LuaJIT, which nginx's Lua module needs), luarocks
NGINX_PACKAGES := nginx-light libnginx-mod-http-lua lua-resty-core lua-resty-lrucache luajit2 libluajit2-5.1-dev
TEST_PACKAGES := $(RUN_PACKAGES) $(NGINX_PACKAGES) lua-busted luarocks curl openssl locales iproute2 util-linux
# other Lua ABIs
ABI_PACKAGES_lua5.1 := lua5.1 liblua5.1-0-dev
ABI_PACKAGES_lua5.2 := lua5.2 liblua5.2-dev
ABI_PACKAGES_lua5.3 := lua5.3 liblua5.3-dev
ALL_LUA_PACKAGES := $(ABI_PACKAGES_lua5.1) $(ABI_PACKAGES_lua5.2) $(ABI_PACKAGES_lua5.3)
DEB_PACKAGES := $(TEST_PACKAGES) $(ALL_LUA_PACKAGES) lua-check valgrind clang libclang-rt-14-dev

# $(call ensure,PACKAGES): as root, installs those of the Debian packages that are missing
# (after apt-get update); as another user, names them and stops.
define ensure
command -v dpkg-query >/dev/null || exit 0; \
missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ]; then echo "installing:" $$missing; apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing || exit 1; \
  else echo "missing Debian packages for this target; install them as root with:"; \
    echo "  apt-get update && apt-get install -y --no-install-recommends" $$missing; exit 1; fi; fi
endef

deps:
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEB_PACKAGES)

# The main job on the embedded default: every example against the local emulator. As root on a
# fresh machine it first installs what is missing.
demo:
	@$(call ensure,$(RUN_PACKAGES))
	@$(MAKE) --no-print-directory all
	@LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./$(BUILD)/?.so;;' $(LUA) examples/demo.lua

# The source archive the versioned rockspec names, and that rockspec beside it, in build/dist/.
VERSION = $(shell sed -n 's/^#define HWC_VERSION "\(.*\)"/\1/p' csrc/version.h)
DIST = huaweicloud-sdk-$(VERSION)
# what a checkout holds, for a copy without git: its files, never what a build left (.gitignore's)
DIST_FILES = .busted .ci .gitignore .luacheckrc CHANGELOG.md LICENSE Makefile README.md bin csrc docs examples fuzz lua \
  registry rockspec spec
DIST_LEFTOVERS = ! -name '*.o' ! -name '*.so' ! -name '*.rock' ! -path 'fuzz/corpus-*' ! -name 'crash-*' \
  ! -name 'leak-*' ! -name 'timeout-*' ! -path '*/node_modules/*'
dist:
	@rm -rf build/dist && mkdir -p build/dist/$(DIST)
	@{ git ls-files 2>/dev/null || find $(DIST_FILES) -type f $(DIST_LEFTOVERS); } | tr '\n' '\0' | \
	  xargs -0 cp --parents -t build/dist/$(DIST)
	@tar -C build/dist -czf build/dist/$(DIST).tar.gz $(DIST)
	@rm -rf build/dist/$(DIST)
	@cp rockspec/$(DIST)-1.rockspec build/dist/
	@echo "build/dist/$(DIST).tar.gz build/dist/$(DIST)-1.rockspec"

clean:
	rm -rf build
