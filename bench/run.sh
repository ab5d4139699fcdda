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

# User space: a capture of N records (made once per N, then reused) replayed with every
# event printed into /dev/null; CPU and max RSS are the replay process's own (wait4).
N=${REPLAY_RECORDS:-3000000}
CAPTURE="$O/bench/capture-$N.bhcap"
[ -s "$CAPTURE" ] || { "$O/bench/capture-gen" "$CAPTURE.tmp" "$N" && mv "$CAPTURE.tmp" "$CAPTURE"; }
python3 - "$N" "$O/bulkhead" replay "$CAPTURE" --events all <<'PY'
import os, sys, time
n, argv = int(sys.argv[1]), sys.argv[2:]
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
    os.execv(argv[0], argv)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
cpu = ru.ru_utime + ru.ru_stime
print(f"replay records={n} wall_s={wall:.3f} records_per_s={n / wall:.0f} "
      f"cpu_s={cpu:.3f} (user {ru.ru_utime:.3f} sys {ru.ru_stime:.3f}) "
      f"records_per_cpu_s={n / cpu:.0f} max_rss_kib={ru.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
PY
