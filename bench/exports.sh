#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# exports.sh - findings/s through each --export output, and the agent's CPU for them.
#
# Replay-driven: `bulkhead replay` of a capture-gen capture whose every record is a
# finding (`capture-gen FILE N listens`: a container listening on a port of its own)
# offers findings as fast as the pipeline makes them (well above 10k/s here), and a
# replay's outputs wait for a receiver that works instead of dropping, so each run
# measures what one output carries. The first run, without an output, is the baseline.
# Receivers, all local: rsyslog (udp, tcp, a unix socket) writing to files, the tests'
# HTTP receiver counting HEC events and _bulk documents, and a file. Prints per output:
# findings sent and dropped, wall seconds, findings/s, the replay's CPU seconds (all its
# threads, wait4) and that CPU scaled to 10k findings/s (CPU per finding x 10,000).
# usage: bench/exports.sh [FINDINGS]   (default 200000; needs $O/bench/capture-gen)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
O=${O:-build}
case $O in /*) ;; *) O=$REPO/$O ;; esac
N=${1:-200000}
CAPTURE=$O/bench/capture-listens-$N.bhcap
WORK=$(mktemp -d /tmp/bh-bench-exports.XXXXXX)
RS_PID= RX_PID=
cleanup() {
	[ -z "$RS_PID" ] || kill "$RS_PID" 2>/dev/null || true
	[ -z "$RX_PID" ] || kill "$RX_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$O/bulkhead" ] && [ -x "$O/bench/capture-gen" ] ||
	{ echo "exports: make -j2 $O/bulkhead $O/bench/capture-gen first" >&2; exit 1; }
command -v rsyslogd >/dev/null || { echo "exports: rsyslog missing (sudo make deps)" >&2; exit 1; }
[ -s "$CAPTURE" ] || { "$O/bench/capture-gen" "$CAPTURE.tmp" "$N" listens >/dev/null && mv "$CAPTURE.tmp" "$CAPTURE"; }

free_port() {
	python3 -c 'import socket, sys
s = socket.socket(type=socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}
UDP=$(free_port udp) TCP=$(free_port tcp)
cat >"$WORK/rsyslog.conf" <<EOF
global(workDirectory="$WORK" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
module(load="imuxsock" SysSock.Use="off")
ruleset(name="out") { action(type="omfile" file="$WORK/syslog.out") }
input(type="imudp" address="127.0.0.1" port="$UDP" ruleset="out")
input(type="imtcp" address="127.0.0.1" port="$TCP" ruleset="out")
input(type="imuxsock" Socket="$WORK/log.sock" ruleset="out" UseSpecialParser="off")
EOF
rsyslogd -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslogd.pid" >"$WORK/rsyslogd.log" 2>&1 &
RS_PID=$!
mkdir -p "$WORK/rx"
HEC_TOKEN=bench python3 "$REPO/tests/e2e/export_receiver.py" "$WORK/rx" --count-only \
	--lifetime 3600 &
RX_PID=$!
for _ in $(seq 100); do [ -S "$WORK/log.sock" ] && [ -s "$WORK/rx/port" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/rx/port")
echo bench >"$WORK/token"

# One replay with ARGS under wait4: wall, CPU and the final stats line's counters.
run() {
	local name=$1
	shift
	python3 - "$name" "$O/bulkhead" replay "$CAPTURE" "$@" <<'PY'
import json, os, sys, time
name, argv = sys.argv[1], sys.argv[2:]
r, w = os.pipe()
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    os.dup2(w, 1)
    os.dup2(os.open("/dev/null", os.O_WRONLY), 2)
    os.execv(argv[0], argv)
os.close(w)
stats = None
with os.fdopen(r) as f:
    for line in f:
        if '"type":"stats"' in line:
            stats = json.loads(line)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
cpu = ru.ru_utime + ru.ru_stime
found = stats["findings"]
ex = (stats.get("exports") or [{}])[0]
sent, dropped = ex.get("sent", found), ex.get("dropped", 0)
print(f"{name:<10} findings={found} sent={sent} dropped={dropped} wall_s={wall:.2f} "
      f"findings_per_s={sent / wall:.0f} cpu_s={cpu:.2f} "
      f"cpu_at_10k_per_s={cpu / max(sent, 1) * 10000 * 100:.1f}%")
sys.exit(os.waitstatus_to_exitcode(status))
PY
}

echo "exports: $CAPTURE replayed, stdout to a pipe that keeps only the stats line"
run none
run syslog-udp --export "syslog://127.0.0.1:$UDP"
run syslog-tcp --export "syslog+tcp://127.0.0.1:$TCP"
run syslog-cef --export "syslog+tcp://127.0.0.1:$TCP?format=cef"
run syslog-unix --export "syslog+unix://$WORK/log.sock"
run http-hec --export "http://127.0.0.1:$PORT/services/collector/event?format=hec&token_file=$WORK/token&batch=500"
run http-bulk --export "http://127.0.0.1:$PORT/_bulk?format=es-bulk&batch=500"
run file --export "file://$WORK/findings.log?types=finding&max_size=67108864"

# Paced: capture-gen writes RATE findings a second into a FIFO that the replay reads, so
# each output gets the offer of a node making 10k findings/s; the replay's CPU over the
# wall time is the agent's share of a core for it.
RATE=${RATE:-10000}
PACED_N=$((RATE * ${PACED_S:-5}))
paced() {
	local name=$1 fifo=$WORK/paced.fifo gen
	shift
	rm -f "$fifo"
	mkfifo "$fifo"
	"$O/bench/capture-gen" "$fifo" "$PACED_N" listens "$RATE" >/dev/null &
	gen=$!
	CAPTURE=$fifo run "$name" "$@"
	wait "$gen"
}
echo "exports: $PACED_N findings offered at $RATE/s through a FIFO (findings_per_s: carried;"
echo "  cpu_at_10k_per_s: the replay's CPU for them, scaled to 10k/s)"
paced none
paced syslog-udp --export "syslog://127.0.0.1:$UDP"
paced syslog-tcp --export "syslog+tcp://127.0.0.1:$TCP"
paced syslog-cef --export "syslog+tcp://127.0.0.1:$TCP?format=cef"
paced syslog-unix --export "syslog+unix://$WORK/log.sock"
paced http-hec --export "http://127.0.0.1:$PORT/services/collector/event?format=hec&token_file=$WORK/token&batch=500"
paced http-bulk --export "http://127.0.0.1:$PORT/_bulk?format=es-bulk&batch=500"
paced file --export "file://$WORK/findings.log?types=finding&max_size=67108864"
