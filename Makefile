# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# bulkhead: eBPF container-hardening monitor. `make V=1` shows the commands.

O ?= build
SAN ?= 0
# FUZZ=1: the libFuzzer build (clang, coverage-instrumented, ASan+UBSan); `make fuzz` sets it.
FUZZ ?= 0
FUZZ_O ?= build-fuzz
FUZZ_SECONDS ?= 60
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VERSION := 0.1.0
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SUFFIXES:

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(O)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-I$(O) -Iheaders -Ibpf

# The CLI (user/main.c) and one folder per concern (user/<folder>/*.c).
USER_SRCS := $(wildcard user/*.c user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(O)/user/%.o,$(USER_SRCS))
# The objects compiled against the BPF skeleton header: the loader's.
SKEL_OBJS := $(addprefix $(O)/user/collector/,loader.o knobs.o filter_maps.o kernel_stats.o)
# Everything but the CLI and the skeleton's users, so unit tests build without BPF.
LIB_OBJS := $(filter-out $(O)/user/main.o $(SKEL_OBJS),$(USER_OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(UNIT_SRCS))
BPFT_SRCS := $(wildcard tests/bpf/test_*.c)
BPFT_BINS := $(patsubst tests/bpf/%.c,$(O)/tests/bpf/%,$(BPFT_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(O)/tests/fuzz/%,$(FUZZ_SRCS))

ifeq ($(FUZZ),1)
# libFuzzer needs clang, and the library instrumented for coverage and sanitizers alike.
CC := $(CLANG)
SAN := 1
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
	-fstack-protector-strong -Iheaders -Iuser -I$(O) -MMD -MP \
	-DBULKHEAD_VERSION='"$(VERSION)"'
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ifeq ($(FUZZ),1)
CFLAGS += -fsanitize=fuzzer-no-link
endif
LDFLAGS += -fsanitize=address,undefined
else
CFLAGS += -D_FORTIFY_SOURCE=2
endif

# libbpf and libelf are linked statically (Debian ships the .a files), so the
# binary runs on a node whatever libbpf it has; the rest are ubiquitous.
STATIC_LIBS := -Wl,-Bstatic -lbpf -lelf -lz -lzstd -Wl,-Bdynamic
LDLIBS := $(STATIC_LIBS) $(shell pkg-config --libs libcurl json-c yaml-0.1 ncursesw libmicrohttpd 2>/dev/null) -lpthread

.PHONY: all
all: $(O)/bulkhead

# vmlinux.h from the running kernel's BTF (VMLINUX_BTF pins another).
$(O)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(O)/vmlinux.h $(wildcard bpf/*.bpf.h) $(wildcard headers/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Every hook family is compiled alone, then linked into one object and one skeleton.
$(O)/bulkhead.bpf.o: $(BPF_OBJS)
	$(call msg,LINK-BPF,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(O)/bulkhead.skel.h: $(O)/bulkhead.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name bulkhead > $@

$(SKEL_OBJS): $(O)/bulkhead.skel.h

# The baseline policy compiled in, as a C string literal (policy.c includes it).
$(O)/baseline.inc: deploy/baseline.yaml
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

$(O)/user/rules/policy.o: $(O)/baseline.inc

$(O)/user/%.o: user/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/libbulkhead.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/bulkhead: $(O)/user/main.o $(SKEL_OBJS) $(O)/libbulkhead.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/tests/unit/%: tests/unit/%.c $(O)/libbulkhead.a
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests -DTEST_DATA_DIR='"$(CURDIR)/tests/data"' $< $(O)/libbulkhead.a \
		$(LDFLAGS) $(LDLIBS) -lcmocka -o $@

$(O)/tests/bpf/%: tests/bpf/%.c $(SKEL_OBJS) $(O)/libbulkhead.a
	$(call msg,TEST-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests $< $(SKEL_OBJS) $(O)/libbulkhead.a $(LDFLAGS) $(LDLIBS) -lcmocka -o $@

$(O)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(O)/libbulkhead.a
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer -Itests $< $(O)/libbulkhead.a $(LDFLAGS) $(LDLIBS) \
		-o $@

# The shared harness (../shared/bench) is read-only: its storm binary is built here.
BENCH_DIR ?= ../shared/bench

$(O)/bench/syscall-storm: $(BENCH_DIR)/syscall-storm.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -Wall -Wextra -static $< -o $@

$(O)/bench/capture-gen: bench/capture-gen.c $(O)/libbulkhead.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< $(O)/libbulkhead.a $(LDFLAGS) $(LDLIBS) -o $@

.PHONY: bench bench-per-call bench-latency bench-containers bench-findings bench-audit \
	bench-advise
bench: $(O)/bulkhead $(O)/bench/syscall-storm $(O)/bench/capture-gen
	$(Q)O=$(O) BENCH_DIR=$(BENCH_DIR) bench/run.sh $(ARGS)

# ns added per cheap hooked call, sessions with and without the agent alternating (ARGS="ROUNDS N").
bench-per-call: $(O)/bulkhead $(O)/bench/syscall-storm
	$(Q)O=$(O) bench/per-call.sh $(ARGS)

# ns per call with `advise` running: a host process and the advised container (ARGS="ROUNDS N").
bench-advise: $(O)/bulkhead $(O)/bench/syscall-storm
	$(Q)O=$(O) bench/advise.sh $(ARGS)

# Syscall -> stdout latency under a paced load in a container (builds its load program).
bench-latency: $(O)/bulkhead
	$(Q)bench/latency.py -O $(O) $(ARGS)

# Collector RSS and CPU with N containers tracked (ARGS=500 by default).
bench-containers: $(O)/bulkhead
	$(Q)O=$(O) bench/containers.sh $(ARGS)

# `bulkhead audit` wall time with N running containers (ARGS=500 by default).
bench-audit: $(O)/bulkhead
	$(Q)O=$(O) bench/audit.sh $(ARGS)

# Findings per rule of N default containers run in a row, Docker and podman (ARGS=500).
bench-findings: $(O)/bulkhead
	$(Q)O=$(O) bench/containers-findings.sh $(ARGS)

.PHONY: image tests deps deps-check run test test-asan fuzz fuzz-build fuzz-bins check clean
# capture-gen is built with the tests: it writes records by the ABI, so a change there breaks it.
tests: $(O)/bulkhead $(UNIT_BINS) $(BPFT_BINS) $(O)/bench/capture-gen

# Installs whatever build and test dependency is missing (Debian/Ubuntu, root); a no-op
# (one dpkg-query) when nothing is, so run, test and check call it every time.
deps:
	$(Q)scripts/install-deps.sh

# The same, and the linters of make check.
deps-check:
	$(Q)scripts/install-deps.sh --with-check

# Every raw event besides the findings, so a first run shows all five hook families.
RUN_ARGS ?= --events all
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)exec $(O)/bulkhead run $(RUN_ARGS) $(ARGS)

# The agent's container image (FROM scratch, no registry needed).
image: $(O)/bulkhead
	$(Q)scripts/build-image.sh $(O)/bulkhead

test: deps
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)O=$(O) tests/run.sh

test-asan: deps
	$(Q)$(MAKE) --no-print-directory O=build-asan SAN=1 tests
	$(Q)O=build-asan ASAN_OPTIONS=detect_leaks=1 tests/run.sh

# The libFuzzer targets, always in their own folder (FUZZ_O) with FUZZ=1.
fuzz-build:
	$(Q)$(MAKE) --no-print-directory O=$(FUZZ_O) FUZZ=1 fuzz-bins

fuzz-bins: $(FUZZ_BINS)
ifneq ($(filter fuzz-bins,$(MAKECMDGOALS)),)
ifneq ($(FUZZ),1)
$(error fuzz-bins is the libFuzzer build's (FUZZ=1, clang): run 'make fuzz-build' or 'make fuzz')
endif
endif

# Each target FUZZ_SECONDS on its corpus; new inputs stay outside the repository.
fuzz: fuzz-build
	$(Q)tests/fuzz/run.sh --build $(FUZZ_O) --seconds $(FUZZ_SECONDS)

# clang-tidy and cppcheck see the user space as it builds: with the BPF skeleton header.
check: deps-check
	$(Q)$(MAKE) --no-print-directory $(O)/bulkhead.skel.h
	$(Q)scripts/check.sh $(O)

clean:
	$(Q)rm -rf build build-asan $(FUZZ_O)

-include $(USER_OBJS:.o=.d) $(wildcard $(O)/tests/*/*.d)
