# netbootd - PXE/netboot appliance server (DHCPv4 + TFTP in one libuv process)
#
#   make            build ./netbootd (release flags)
#   make check      install test deps, build with ASan+UBSan, run every suite
#   make demo       install deps, build, assemble a boot tree, PXE-boot BIOS+UEFI VMs
#   make bench      side-by-side benchmarks (not part of check)
#   make bench-ab   this tree against AB_BASE (default HEAD~1): TFTP and DHCP
#   make fuzz       libFuzzer targets for FUZZ_SECONDS each (default 60)
#   make unit       just the cmocka unit tests (sanitized)
#   make lint       cppcheck, and the layout rules (scripts/lint-layout)
#   make man        the man pages (build/man/) from docs/man/*.scd (scdoc)
#   make install    binary, man pages, profile, unit, sysusers/tmpfiles/logrotate
#                   (PREFIX=/usr/local, DESTDIR); make uninstall
#   make deb        the Debian package into build/deb/, checked by lintian

CC       ?= gcc
PKG_CONFIG ?= pkg-config
PKGS     := libuv yaml-0.1 libsystemd libmicrohttpd libpq
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wimplicit-fallthrough -Wno-missing-field-initializers -Wno-format-truncation
BASE     := -std=gnu11 -D_GNU_SOURCE -g $(WARN) -DNETBOOTD_VERSION='"$(VERSION)"'
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

RELEASE_CFLAGS := -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
RELEASE_LDFLAGS := -pie -Wl,-z,relro,-z,now
SAN_CFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_LDFLAGS := -fsanitize=address,undefined

# Source folders in dependency order. A folder's files include headers from
# their own folder and from the folders DEPS_<folder> names, nothing else:
# each object is compiled with just those -I paths, and scripts/lint-layout
# checks the same rule (make lint).
SRC_DIRS           := lib config daemon/leases tftp http daemon/ra daemon/dhcp daemon
DEPS_lib           :=
DEPS_config        := lib
DEPS_daemon/leases := lib config
DEPS_tftp          := lib config
DEPS_http          := lib config tftp
DEPS_daemon/ra     := lib config
DEPS_daemon/dhcp   := lib config daemon/leases
DEPS_daemon        := lib config daemon/leases tftp http daemon/ra daemon/dhcp
ALL_INCLUDES       := $(addprefix -I,$(SRC_DIRS))

LIB_SRCS  := $(sort $(filter-out daemon/main.c,$(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))))
MAIN_SRC  := daemon/main.c
HEADERS   := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.h))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_SRCS))

# Man pages: docs/man/NAME.SECTION.scd -> build/man/NAME.SECTION (scdoc).
# make install and the package install what MAN_PAGES lists.
MAN_SRCS  := $(sort $(wildcard docs/man/*.scd))
MAN_PAGES := $(patsubst docs/man/%.scd,build/man/%,$(MAN_SRCS))

REL_OBJS := $(patsubst %.c,build/rel/%.o,$(LIB_SRCS))
SAN_OBJS := $(patsubst %.c,build/san/%.o,$(LIB_SRCS))

# Per-folder include paths, as target-specific variables of its objects.
$(foreach d,$(SRC_DIRS),$(eval \
    $(patsubst %.c,build/rel/%.o,$(wildcard $(d)/*.c)) \
    $(patsubst %.c,build/san/%.o,$(wildcard $(d)/*.c)): \
        INCLUDES := $(addprefix -I,$(d) $(DEPS_$(d)))))

.PHONY: all deps check unit integration qemu demo bench bench-ab fresh-check fuzz lint lint-layout man clean \
        install uninstall deb
.DEFAULT_GOAL := all

# Plain `make` on a new machine: the compiler and libraries first (a clear
# "run as root" message, not "cc: not found", when they are missing).
all:
	@scripts/install-deps build
	@$(MAKE) --no-print-directory netbootd man

man: $(MAN_PAGES)

build/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@.tmp && mv $@.tmp $@

netbootd: $(REL_OBJS) build/rel/daemon/main.o
	$(CC) $(RELEASE_LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/rel/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE) $(INCLUDES) $(RELEASE_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/san/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE) $(INCLUDES) $(SAN_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# A sanitized daemon for the integration tests: leaks and UB fail them.
build/san/netbootd: $(SAN_OBJS) build/san/daemon/main.o
	$(CC) $(SAN_LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/san/tests/%: tests/unit/%.c $(SAN_OBJS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE) $(ALL_INCLUDES) $(SAN_CFLAGS) $(PKG_CFLAGS) -Itests/unit -o $@ $< $(SAN_OBJS) \
	    $(SAN_LDFLAGS) $(PKG_LIBS) -lcmocka $(TEST_LDFLAGS)

# Allocation failures on demand (tests/unit/alloc_fail.h).
build/san/tests/test_lease_failures build/san/tests/test_pool_failures: \
    TEST_LDFLAGS := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

deps:
	@scripts/install-deps build

unit: $(UNIT_BINS)
	@tests/run unit $(UNIT_BINS)

# Everything: unit tests, integration tests in namespaces, QEMU boots, fuzz
# corpus replay. Each runner prints its summary; tests/run prints the total.
check:
	@scripts/install-deps check
	@$(MAKE) --no-print-directory netbootd build/san/netbootd $(UNIT_BINS) $(MAN_PAGES)
	@$(MAKE) --no-print-directory lint-layout
	@FUZZ_PKGS="$(PKGS)" FUZZ_OBJS="$(SAN_OBJS)" FUZZ_INCLUDES="$(ALL_INCLUDES)" tests/run all $(UNIT_BINS)

demo:
	@scripts/install-deps demo
	@$(MAKE) --no-print-directory netbootd
	@scripts/demo

bench:
	@scripts/install-deps bench
	@$(MAKE) --no-print-directory netbootd
	@tests/bench/run

bench-ab:
	@scripts/install-deps bench
	@tests/bench/ab

# The install path on a new machine: make check inside a fresh minimal
# Debian 12 chroot (FRESH_TARGETS="check demo" to run the demo there too),
# after the Debian package is built, installed and booted from (scripts/fresh-package).
FRESH_TARGETS ?= check
fresh-check:
	@scripts/fresh-check $(FRESH_TARGETS)

FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-deps fuzz
	@FUZZ_PKGS="$(PKGS)" FUZZ_SRCS="$(LIB_SRCS)" FUZZ_INCLUDES="$(ALL_INCLUDES)" tests/fuzz/run $(FUZZ_SECONDS)

comma := ,
empty :=
space := $(empty) $(empty)
lint:
	cppcheck --enable=warning,style,portability --error-exitcode=1 --quiet --inline-suppr \
	    --suppress=missingIncludeSystem $(ALL_INCLUDES) $(SRC_DIRS)
	@$(MAKE) --no-print-directory lint-layout

# The layout rules alone (quick; make check runs them too).
lint-layout:
	@scripts/lint-layout $(foreach d,$(SRC_DIRS),$(d)=$(subst $(space),$(comma),$(strip $(DEPS_$(d)))))

# make install: what a service needs, from dist/ (dist/README.md). The
# profile is installed only when none is there. debian/rules sets PREFIX=/usr
# and UNITDIR=/lib/systemd/system.
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
install: netbootd $(MAN_PAGES)
	install -D -m 755 netbootd $(DESTDIR)$(SBINDIR)/netbootd
	$(foreach m,$(MAN_PAGES),install -D -m 644 $(m) \
	    $(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)) &&) true
	install -d -m 755 $(DESTDIR)$(SYSCONFDIR)/netbootd
	[ -e $(DESTDIR)$(SYSCONFDIR)/netbootd/netbootd.yaml ] || \
	    install -m 644 dist/netbootd.yaml $(DESTDIR)$(SYSCONFDIR)/netbootd/netbootd.yaml
	install -d -m 755 $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/sbin/netbootd|$(SBINDIR)/netbootd|' \
	    -e 's|/etc/netbootd/|$(SYSCONFDIR)/netbootd/|' \
	    dist/netbootd.service > $(DESTDIR)$(UNITDIR)/netbootd.service
	install -D -m 644 dist/netbootd.sysusers $(DESTDIR)$(SYSUSERSDIR)/netbootd.conf
	install -D -m 644 dist/netbootd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/netbootd.conf
	install -D -m 644 dist/netbootd.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/netbootd

# Leaves the profile (edited by its admin) and the lease and log folders.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/netbootd $(DESTDIR)$(UNITDIR)/netbootd.service \
	    $(DESTDIR)$(SYSUSERSDIR)/netbootd.conf $(DESTDIR)$(TMPFILESDIR)/netbootd.conf \
	    $(DESTDIR)$(SYSCONFDIR)/logrotate.d/netbootd \
	    $(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))

# make deb: dpkg-buildpackage on a copy of the tree in build/deb/, so the
# package, its .changes and dpkg's leftovers stay under build/.
deb:
	@scripts/install-deps deb
	@scripts/build-deb

clean:
	rm -rf --one-file-system build netbootd
