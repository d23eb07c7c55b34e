# edgebox: one static musl binary with four applets (ntpd, ntpctl, dnsd, hostq).
#
#   make                 build $(O)/edgebox and the applet links beside it
#   make check           unit tests, then the end-to-end tests (root, network namespaces)
#   make demo            the reference configs on loopback, queried with hostq and ntpctl
#   make install DESTDIR=... PREFIX=/usr
#   make ARCH=aarch64|armv7   cross builds with Debian's multiarch musl

VERSION := $(shell sed -n 's/.*EDGEBOX_VERSION[^"]*"\([^"]*\)".*/\1/p' core/version.h)
ARCH ?= native
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
CONFDIR ?= /etc/edgebox
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

# SANITIZE=1 builds everything with the system compiler (glibc), ASan and
# UBSan into build/sanitize, and make check runs the whole suite on it.
SANITIZE ?=
STATIC ?= 1
ifeq ($(SANITIZE),1)
O ?= build/sanitize
else ifeq ($(STATIC),0)
O ?= build/dynamic
else ifeq ($(ARCH),native)
O ?= build
else
O ?= build/$(ARCH)
endif

HOST_IS_MUSL := $(findstring musl,$(shell cc -dumpmachine 2>/dev/null))
RUN ?=
STRIP ?= strip

# An explicit CC (abuild's, or make CC=...) always wins.
ifeq ($(SANITIZE),1)
  CC = cc
else ifeq ($(origin CC),default)
  ifeq ($(ARCH),native)
    ifeq ($(HOST_IS_MUSL),musl)
      CC = cc
    else
      CC = musl-gcc
    endif
  else ifeq ($(ARCH),x86_64)
    CC = musl-gcc
  else ifeq ($(ARCH),aarch64)
    CC = aarch64-linux-musl-gcc
  else ifeq ($(ARCH),armv7)
    CC = arm-linux-musleabihf-gcc
  else
    $(error ARCH=$(ARCH) is not one of native, x86_64, aarch64, armv7)
  endif
endif
ifeq ($(ARCH),aarch64)
  RUN = qemu-aarch64-static
  STRIP = aarch64-linux-gnu-strip
else ifeq ($(ARCH),armv7)
  RUN = qemu-arm-static
  STRIP = arm-linux-gnueabihf-strip
endif

# Cross builds and their unit tests (ARCH=aarch64|armv7|x86_64).
# TARGET_MACHINE is the compiler's triplet: aarch64-linux-gnu for Debian's
# musl wrappers, aarch64-alpine-linux-musl on Alpine.
TARGET_MACHINE := $(shell $(CC) -dumpmachine 2>/dev/null)
# An aarch64 kernel may use 4, 16 or 64 KiB pages (the Raspberry Pi 5 kernel
# uses 16 KiB), and segments aligned to less than the page size cannot be
# mapped.  16 KiB instead of GNU ld's 64 KiB saves about 32 KiB of padding.
ifneq ($(filter aarch64%,$(TARGET_MACHINE)),)
  LDFLAGS += -Wl,-z,max-page-size=16384
endif
# Cross unit tests use the cross compiler, link statically and run under
# $(RUN).  Debian's libcmocka-dev is glibc-only, so cmocka.c from Debian's
# cmocka source package is compiled into each test (make cmocka-src).
ifneq ($(ARCH),native)
  CMOCKA_SRC ?= build/cmocka-1.1.5
  CMOCKA_DEFS = -DHAVE_SIGNAL_H -DHAVE_INTTYPES_H -DHAVE_MALLOC_H -DHAVE_STRINGS_H \
	-DHAVE_SETJMP_H -DHAVE_STDINT_H -DHAVE_STRSIGNAL -DHAVE_SIGLONGJMP \
	-DHAVE_STRUCT_TIMESPEC -DHAVE_CLOCK_GETTIME -DHAVE_CLOCK_REALTIME \
	-DHAVE_GCC_THREAD_LOCAL_STORAGE
  # cmocka 1.1.5's cmocka.h assumes a 32-bit word on anything but x86_64.
  ifeq ($(ARCH),aarch64)
    CMOCKA_DEFS += -D__WORDSIZE=64
  endif
  TEST_CC ?= $(CC)
  TEST_CFLAGS ?= -O1
  TEST_CFLAGS += -I$(CMOCKA_SRC)/include $(CMOCKA_DEFS) $(if $(KINC_DEP),-idirafter $(KINC))
  TEST_LDFLAGS += -static
  TEST_LIBS ?= $(O)/cmocka.o -lm
endif

WARN = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations \
	-Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare -Wno-unused-parameter
CFLAGS ?= -Os
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -Icore -ffunction-sections -fdata-sections
ifeq ($(SANITIZE),1)
  SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  CFLAGS += -g -O1 -include core/compat.h $(SAN_FLAGS)
  LDFLAGS += $(SAN_FLAGS)
else ifeq ($(STATIC),0)
  # A dynamically linked build, for simulators that hook libc's clock,
  # poll and socket calls (LD_PRELOAD).
  LDFLAGS += -Wl,--gc-sections
else
  # A static executable is not position-independent, so its code need not
  # be either: -fno-pie saves 8 KiB of armv7 code and 2 KiB on the others.
  CFLAGS += -DEDGEBOX_STATIC -fno-pie
  LDFLAGS += -static -no-pie -Wl,--gc-sections
  # Each applet's code in segments of its own, so that a daemon maps only
  # the code it runs (see core/layout.ld).
  LAYOUT = core/layout.ld core/layout.hostq.ld
  LDFLAGS += -Wl,-T,core/layout.ld
  # Page alignment in the file is padding: -z separate-code (x86_64's
  # default) starts the code and the constants each on a page of the file
  # (8 KiB), and RELRO and the common page size move the data to a page of
  # its own (2 to 8 KiB).  layout.ld keeps code and constants in separate
  # segments without the padding, and in a static executable no loader
  # makes RELRO read-only.
  LDFLAGS += -Wl,-z,noseparate-code -Wl,-z,norelro -Wl,-z,common-page-size=64
  # core/unpack.c runs before musl's _start, to restore the segments that
  # core/pack.c compressed (PACK=0 leaves them as linked).
  LDFLAGS += -Wl,-e,edgebox_entry
  PACK ?= 1
endif

# Debian's musl-gcc passes -nostdinc, which hides <linux/*.h>; a folder of
# links to the kernel headers brings back only those.
KINC = $(O)/kinc
ifneq ($(findstring musl-gcc,$(CC)),)
  # <asm/*.h> of the target: multiarch (x86_64) or a cross package (arm).
  KINC_ASM = $(firstword $(wildcard /usr/include/$(TARGET_MACHINE)/asm \
	/usr/$(TARGET_MACHINE)/include/asm))
  CFLAGS += -idirafter $(KINC)
  KINC_DEP = $(KINC)/.stamp
endif

APPLETS = ntpd ntpctl dnsd hostq
# core/pack.c is a build tool for the host, not part of the binary.
SRCS := $(filter-out core/pack.c,$(sort $(wildcard core/*.c applets/*.c applets/*/*.c)))
OBJS := $(SRCS:%.c=$(O)/obj/%.o)
LIB_SRCS := $(filter-out core/main.c,$(SRCS))

# Unit tests: the system compiler with cmocka (Debian's libcmocka-dev is
# built for glibc, Alpine's cmocka-dev for musl).
TEST_CC ?= cc
TEST_CFLAGS ?= -g -O1
TEST_CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -Icore -DUNIT_TEST -include core/compat.h
TEST_LIBS ?= $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka) -lm
TEST_OBJS := $(LIB_SRCS:%.c=$(O)/test-obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)

ifeq ($(SANITIZE),1)
  TEST_CFLAGS += $(SAN_FLAGS)
  TEST_LDFLAGS += $(SAN_FLAGS)
endif

.PHONY: all check unit e2e demo install dist clean links strip

# Keep the objects of the test and fuzz builds between runs.
.SECONDARY:

all: $(O)/edgebox links

$(KINC)/.stamp:
	@mkdir -p $(KINC)
	ln -sfn /usr/include/linux $(KINC)/linux
	ln -sfn /usr/include/asm-generic $(KINC)/asm-generic
	ln -sfn $(KINC_ASM) $(KINC)/asm
	@touch $@

$(O)/obj/%.o: %.c $(KINC_DEP) $(wildcard core/*.h applets/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

ifeq ($(PACK),1)
# The binary as linked, with its symbols, is edgebox.elf (for gdb and the
# link map); edgebox is that binary with every segment but the first
# compressed (core/pack.h), and without symbols or section headers.
$(O)/edgebox.elf: $(OBJS) $(LAYOUT)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) -lm

# hostq starts once per lookup, so the segments it runs decode with the
# FAST codec; the daemons' own segments, decoded once, with the SMALL one.
PACK_FAST = shared,hot,hostq,dnstext,resolve
$(O)/edgebox: $(O)/edgebox.elf $(O)/pack
	$(O)/pack -f $(PACK_FAST) $(O)/edgebox.elf $@
else
$(O)/edgebox: $(OBJS) $(LAYOUT)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) -lm
endif

# The decoders run every time an applet starts (hostq once per lookup):
# -O2 decodes about 1.5 times as fast as -Os for some 500 more bytes.
$(O)/obj/core/packdec.o: CFLAGS += -O2
# The unpacker runs before the C library sets up thread-local storage and
# before the data segment is restored, where a stack protector's canary
# lives (Alpine's gcc protects functions with arrays by default).
$(O)/obj/core/packdec.o $(O)/obj/core/unpack.o: CFLAGS += -fno-stack-protector

# The packer runs on the build machine, so the build machine's compiler
# builds it.
HOSTCC ?= cc
PACK_SRCS = core/pack.c core/packenc.c core/packdec.c
$(O)/pack: $(PACK_SRCS) core/pack.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 -std=c11 -D_GNU_SOURCE $(WARN) -Icore -o $@ $(PACK_SRCS) -lm

links: $(O)/edgebox
	@for a in $(APPLETS); do ln -sfn edgebox $(O)/$$a; done

strip: $(O)/edgebox
	$(if $(filter 1,$(PACK)),@echo "$(O)/edgebox is packed and has no symbols to strip",$(STRIP) $(O)/edgebox)

$(O)/test-obj/%.o: %.c $(wildcard core/*.h applets/*/*.h)
	@mkdir -p $(dir $@)
	$(TEST_CC) $(TEST_CFLAGS) -c -o $@ $<

$(O)/tests/%: tests/unit/%.c $(TEST_OBJS) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(TEST_CC) $(TEST_CFLAGS) -Itests/unit -o $@ $< $(TEST_OBJS) $(TEST_LDFLAGS) $(TEST_LIBS)

unit: $(UNIT_BINS)

check: all unit $(O)/sim/ntpsim
	RUN="$(RUN)" SANITIZE="$(SANITIZE)" sh tests/run.sh $(O)

e2e: all
	RUN="$(RUN)" E2E_ONLY=1 sh tests/run.sh $(O)

demo:
	sh tests/demo.sh

install: $(O)/edgebox
	install -Dm755 $(O)/edgebox $(DESTDIR)$(SBINDIR)/edgebox
	for a in ntpd ntpctl dnsd; do ln -sfn edgebox $(DESTDIR)$(SBINDIR)/$$a; done
	install -d $(DESTDIR)$(BINDIR)
	ln -sfn ../sbin/edgebox $(DESTDIR)$(BINDIR)/hostq
	install -Dm644 etc/ntpd.conf $(DESTDIR)$(CONFDIR)/ntpd.conf
	install -Dm644 etc/dnsd.conf $(DESTDIR)$(CONFDIR)/dnsd.conf
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m644 $(MAN8) $(DESTDIR)$(MANDIR)/man8

# A reproducible tarball (same bytes for the same tree).  alpine-pkg/ stays
# out because the APKBUILD stores the tarball's sha512.
dist:
	@mkdir -p build
	git ls-files -z -- . ':!alpine-pkg' | tar --null -T - --sort=name --mtime=@0 \
	    --owner=0 --group=0 --numeric-owner --mode=u+rw,go-w,go+rX --format=gnu \
	    --transform 's,^,edgebox-$(VERSION)/,' -cf - | gzip -n -9 \
	    > build/edgebox-$(VERSION).tar.gz
	@echo build/edgebox-$(VERSION).tar.gz

clean:
	rm -rf build

# Fuzzing: libFuzzer harnesses (clang, ASan, UBSan), each run FUZZ_SECONDS
# on a copy of its seed corpus in tests/fuzz/corpus/NAME (python3
# tests/fuzz/mkcorpus.py writes the seeds).  A crashing input is left in
# build/fuzz/NAME-crash-*.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
FUZZ_FLAGS ?=
FUZZ_CFLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -Icore -include core/compat.h -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_OBJS := $(LIB_SRCS:%.c=build/fuzz-obj/%.o)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)

build/fuzz-obj/%.o: %.c $(wildcard core/*.h applets/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) -lm

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@set -e; for f in $(FUZZ_BINS); do \
		n=$${f#build/fuzz/fuzz_}; mkdir -p build/fuzz/corpus-$$n; \
		cp tests/fuzz/corpus/$$n/* build/fuzz/corpus-$$n/ 2>/dev/null || true; \
		echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_FLAGS) \
		    -artifact_prefix=build/fuzz/$$n- build/fuzz/corpus-$$n \
		    2>build/fuzz/$$n.log || { tail -40 build/fuzz/$$n.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units' build/fuzz/$$n.log; \
	done

# Packaging: man pages, the size budget, the APKBUILD harness and the
# footprint benchmark.  See alpine-pkg/ and tests/pkg/.
MAN1 = docs/man/hostq.1
MAN8 = docs/man/edgebox.8 docs/man/edgebox-ntpd.8 docs/man/edgebox-ntpctl.8 docs/man/edgebox-dnsd.8
SIZE_BUDGET ?= 153600

# Unwind tables serve C++ exceptions and debuggers on binaries without debug
# information; leaving them out saves 16 KiB on x86_64 and aarch64.  (Here,
# after CFLAGS ?= -Os, so that an empty CFLAGS still gets -Os.)
ifneq ($(SANITIZE),1)
  CFLAGS += -fno-asynchronous-unwind-tables -fno-unwind-tables
  # The link map lets size-check and bench/footprint say where the bytes go.
  LDFLAGS += -Wl,-Map=$(O)/edgebox.map
endif
PKG_ARCH = $(if $(filter native,$(ARCH)),$(shell uname -m),$(ARCH))
PKG_SH ?= $(if $(shell command -v busybox),busybox sh,sh)

.PHONY: check-unit check-cross cmocka-src size-check pkgtest pkgsums footprint

# Unit tests and the applet smoke test; no root needed, so the APKBUILD's
# check() runs this instead of check.
check-unit: all unit
	RUN="$(RUN)" UNIT_ONLY=1 sh tests/run.sh $(O)
	RUN="$(RUN)" sh tests/pkg/smoke.sh $(O)

# make ARCH=aarch64 check-cross: the same under qemu-user, then the size budget.
check-cross: check-unit
	@$(MAKE) --no-print-directory size-check

ifneq ($(ARCH),native)
$(UNIT_BINS): $(O)/cmocka.o
$(TEST_OBJS): | $(KINC_DEP)

$(O)/cmocka.o: $(CMOCKA_SRC)/src/cmocka.c
	@mkdir -p $(dir $@)
	$(TEST_CC) -O1 $(CMOCKA_DEFS) -I$(CMOCKA_SRC)/include -c -o $@ $<

$(CMOCKA_SRC)/src/cmocka.c:
	@echo "cmocka source not found in $(CMOCKA_SRC): run 'make cmocka-src'" \
	    "(apt needs a deb-src entry) or set CMOCKA_SRC=DIR" >&2; exit 1
endif

# Debian's cmocka source package; its cmocka.c is compiled into cross tests.
cmocka-src:
	@mkdir -p build
	test -f build/cmocka-1.1.5/src/cmocka.c || (cd build && apt-get source -qq cmocka)

# Fail when the binary that make install installs is larger than
# SIZE_BUDGET (150 KiB).  A packed binary has no symbols to strip; an
# unpacked one (PACK=0) is measured stripped.  The size of the linked
# binary, stripped, is printed beside it to show what packing saves.
size-check: $(O)/edgebox
	@if [ -f $(O)/edgebox.elf ]; then \
		$(STRIP) -o $(O)/edgebox.stripped $(O)/edgebox.elf; \
		size=$$(wc -c < $(O)/edgebox); \
		echo "size-check: $(O)/edgebox.elf is $$(wc -c < $(O)/edgebox.stripped) bytes" \
		    "stripped, $$size packed"; \
	else \
		$(STRIP) -o $(O)/edgebox.stripped $(O)/edgebox; \
		size=$$(wc -c < $(O)/edgebox.stripped); \
	fi; \
	if [ $$size -gt $(SIZE_BUDGET) ]; then \
		echo "size-check: $(O)/edgebox is $$size bytes, over the budget of" \
		    "$(SIZE_BUDGET) bytes; the largest parts:" >&2; \
		[ ! -f $(O)/edgebox.map ] || awk -f bench/mapsize.awk $(O)/edgebox.map | \
		    sort -rn | head -n 15 >&2; \
		exit 1; \
	fi; \
	echo "size-check: $(O)/edgebox is $$size bytes (budget $(SIZE_BUDGET))"

# Build the packages from the dist tarball as abuild would, and compare the
# file list with tests/pkg/files.txt.
pkgtest: dist
	$(PKG_SH) tests/pkg/apkbuild-harness.sh -a $(PKG_ARCH) -d build -t \
	    -e tests/pkg/files.txt alpine-pkg

# Rewrite the sha512sums of alpine-pkg/APKBUILD for the current dist tarball.
pkgsums: dist
	$(PKG_SH) tests/pkg/apkbuild-harness.sh -d build -u alpine-pkg

# Sizes and idle memory against chrony and dnsmasq (docs/BENCHMARKS.md).
footprint: all
	sh bench/footprint

# Benchmarks against dnsmasq, BIND's host, chronyd and minimal UDP servers on
# loopback.  Each prints a Markdown section; BENCH_OUT=docs/BENCHMARKS.md also
# records it there.  BENCH_SECONDS, BENCH_ROUNDS and BENCH_RUNS shorten or
# lengthen them (see bench/dns/run.sh, bench/hostq/run.sh and bench/ntp/run.sh).
BENCH_OUT ?=
.PHONY: bench bench-dns bench-hostq bench-ntp
bench: bench-dns bench-hostq bench-ntp

bench-dns: all
	sh bench/dns/run.sh $(if $(BENCH_OUT),-o $(BENCH_OUT)) $(O)

bench-hostq: all
	sh bench/hostq/run.sh $(if $(BENCH_OUT),-o $(BENCH_OUT)) $(O)

bench-ntp: all
	sh bench/ntp/run.sh $(if $(BENCH_OUT),-o $(BENCH_OUT)) $(O)

# Simulation scenarios: ntpd's client code against a simulated clock and
# network (tests/sim/ntpsim.c), each asserting its own bounds.
# SIM_ARGS="-s SEED lan" picks the seed and the scenarios.
# It replaces the event loop, the sockets and name lookups with its own.
SIM_SRCS = applets/ntpd/source.c applets/ntpd/filter.c applets/ntpd/select.c \
	applets/ntpd/discipline.c applets/ntpd/clock.c applets/ntpd/hook.c \
	applets/ntpd/config.c \
	$(filter-out core/loop.c core/sock.c core/main.c core/pack.c,$(wildcard core/*.c))
SIM_ARGS ?=
.PHONY: sim
$(O)/sim/ntpsim: tests/sim/ntpsim.c $(SIM_SRCS:%.c=$(O)/test-obj/%.o)
	@mkdir -p $(dir $@)
	$(TEST_CC) $(TEST_CFLAGS) -o $@ $^ $(TEST_LDFLAGS) -lm

sim: $(O)/sim/ntpsim
	$(RUN) $(O)/sim/ntpsim $(SIM_ARGS)
