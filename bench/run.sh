#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# run.sh - `make bench`: the shared harness with baseline, bulkhead and bpftrace, then the
# user-space throughput. bulkhead's stdout keeps only its stats lines (the
# drops count); grep ignores SIGINT so it still reads the final one.
# Needs root. Extra arguments go to bench.py (e.g. --reps 3).
set -eu
O=${O:-build}
BENCH_DIR=${BENCH_DIR:-../shared/bench}
[ "$(id -u)" = 0 ] || { echo "bench: run as root (the monitors load BPF programs)" >&2; exit 1; }
[ -x "$BENCH_DIR/bench.py" ] || { echo "bench: no harness at $BENCH_DIR (set BENCH_DIR)" >&2; exit 1; }
[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing

set -- --storm-bin "$O/bench/syscall-storm" \
	--monitor "bulkhead=$PWD/$O/bulkhead run | (trap '' INT; exec grep '\"type\":\"stats\"')" \
	--ready 'bulkhead=regex:ready' --drops 'bulkhead="drops":(\d+)' \
	--events 'bulkhead="kernel_emitted":(\d+)' "$@"
if command -v bpftrace >/dev/null 2>&1; then
	set -- "$@" --monitor "bpftrace=exec bpftrace $BENCH_DIR/hooks.bt > /dev/null"
else
	echo "bench: bpftrace not found (apt-get install bpftrace): its column is skipped" >&2
fi
python3 "$BENCH_DIR/bench.py" --paired "$@"
echo
"$O/bench/pipeline-bench" 3000000
