# netbootd - PXE/netboot appliance server (DHCPv4 + TFTP in one libuv process)
#
#   make            build ./netbootd (release flags)
#   make check      install test deps, build with ASan+UBSan, run every suite
#   make demo       install deps, build, assemble a boot tree, PXE-boot BIOS+UEFI VMs
#   make bench      side-by-side benchmarks (not part of check)
#   make fuzz       libFuzzer targets for FUZZ_SECONDS each (default 60)
#   make unit       just the cmocka unit tests (sanitized)
#   make lint       cppcheck

CC       ?= gcc
PKG_CONFIG ?= pkg-config
PKGS     := libuv yaml-0.1
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wimplicit-fallthrough -Wno-missing-field-initializers -Wno-format-truncation
INCLUDES := -Idaemon -Itftp -Iconfig
BASE     := -std=gnu11 -D_GNU_SOURCE -g $(WARN) $(INCLUDES) -DNETBOOTD_VERSION='"$(VERSION)"'
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

RELEASE_CFLAGS := -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
RELEASE_LDFLAGS := -pie -Wl,-z,relro,-z,now
SAN_CFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_LDFLAGS := -fsanitize=address,undefined

LIB_SRCS  := $(sort $(filter-out daemon/main.c,$(wildcard daemon/*.c tftp/*.c config/*.c)))
MAIN_SRC  := daemon/main.c
HEADERS   := $(wildcard daemon/*.h tftp/*.h config/*.h)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_SRCS))

REL_OBJS := $(patsubst %.c,build/rel/%.o,$(LIB_SRCS))
SAN_OBJS := $(patsubst %.c,build/san/%.o,$(LIB_SRCS))

.PHONY: all deps check unit integration qemu demo bench fresh-check fuzz lint clean
.DEFAULT_GOAL := all

# Plain `make` on a new machine: the compiler and libraries first (a clear
# "run as root" message, not "cc: not found", when they are missing).
all:
	@scripts/install-deps build
	@$(MAKE) --no-print-directory netbootd

netbootd: $(REL_OBJS) build/rel/daemon/main.o
	$(CC) $(RELEASE_LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/rel/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE) $(RELEASE_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/san/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE) $(SAN_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# A sanitized daemon for the integration tests: leaks and UB fail them.
build/san/netbootd: $(SAN_OBJS) build/san/daemon/main.o
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/san/tests/%: tests/unit/%.c $(SAN_OBJS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE) $(SAN_CFLAGS) $(PKG_CFLAGS) -Itests/unit -o $@ $< $(SAN_OBJS) \
	    $(SAN_LDFLAGS) $(PKG_LIBS) -lcmocka

deps:
	@scripts/install-deps build

unit: $(UNIT_BINS)
	@tests/run unit $(UNIT_BINS)

# Everything: unit tests, integration tests in namespaces, QEMU boots, fuzz
# corpus replay. Each runner prints its summary; tests/run prints the total.
check:
	@scripts/install-deps check
	@$(MAKE) --no-print-directory netbootd build/san/netbootd $(UNIT_BINS)
	@tests/run all $(UNIT_BINS)

demo:
	@scripts/install-deps demo
	@$(MAKE) --no-print-directory netbootd
	@scripts/demo

bench:
	@scripts/install-deps bench
	@$(MAKE) --no-print-directory netbootd
	@tests/bench/run

# The install path on a new machine: make check inside a fresh minimal
# Debian 12 chroot (FRESH_TARGETS="check demo" to run the demo there too).
FRESH_TARGETS ?= check
fresh-check:
	@scripts/fresh-check $(FRESH_TARGETS)

FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-deps fuzz
	@tests/fuzz/run $(FUZZ_SECONDS)

lint:
	cppcheck --enable=warning,style,portability --error-exitcode=1 --quiet --inline-suppr \
	    --suppress=missingIncludeSystem $(INCLUDES) daemon tftp config

clean:
	rm -rf --one-file-system build netbootd
