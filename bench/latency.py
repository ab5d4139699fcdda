#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""latency.py - syscall -> line on bulkhead's stdout, under a steady load in a container.

Starts `bulkhead run --events all --no-http --no-socket --stats-interval 0`, waits
for "ready" on its stderr, runs bench/latency-load.c (built static into
$O/bench/) in a local/busybox:1 container at a set event rate, and for every
stdout line of that container takes CLOCK_REALTIME when the line was read minus
the line's "time" (the kernel's timestamp of the event, in wall-clock ns; a
behaviour finding carries its event's). Prints the percentiles per event family
and for the findings, the achieved rate, the collector's CPU, and the drops of
the final stats line. Needs root. Python 3 stdlib only.
"""

import argparse
import calendar
import collections
import fcntl
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
F_SETPIPE_SZ = 1031
CLK_TCK = os.sysconf("SC_CLK_TCK")


def die(msg):
    sys.exit(f"latency: {msg}")


def build_load(out_dir):
    """cc -O2 -static, as the shared harness builds syscall-storm: runs in a busybox image."""
    src = os.path.join(REPO, "bench", "latency-load.c")
    exe = os.path.join(out_dir, "latency-load")
    if os.path.exists(exe) and os.path.getmtime(exe) >= os.path.getmtime(src):
        return exe
    os.makedirs(out_dir, exist_ok=True)
    cmd = ["cc", "-O2", "-static", "-Wall", "-Wextra", "-Werror", "-o", exe, src]
    print("latency: " + " ".join(cmd), file=sys.stderr)
    if subprocess.run(cmd).returncode:
        die("building latency-load failed (the static build needs libc6-dev's libc.a)")
    return exe


class Reader(threading.Thread):
    """Reads bulkhead's stdout in large chunks and stamps each chunk when read returns.

    Parsing waits for the end of the run: with a second busy Python thread the
    reader would wait for the GIL (5 ms switch interval) before taking its stamp.
    """

    def __init__(self, fd):
        super().__init__(daemon=True)
        self.raw = io.FileIO(fd, "rb", closefd=False)
        self.chunks = []  # (CLOCK_REALTIME ns when read returned, bytes)
        self.last_read = time.monotonic()

    def run(self):
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        while True:
            n = self.raw.readinto(buf)
            stamp = time.time_ns()
            if not n:
                return
            self.chunks.append((stamp, bytes(view[:n])))
            self.last_read = time.monotonic()

    def lines(self):
        """Yields (read stamp, line): a line split over chunks is read when its end is."""
        rest = b""
        for stamp, chunk in self.chunks:
            parts = (rest + chunk).split(b"\n")
            rest = parts.pop()
            for line in parts:
                yield stamp, line


class StderrWatcher(threading.Thread):
    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.lines = []
        self.ready = threading.Event()

    def run(self):
        for raw in self.pipe:
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            if "ready" in line:
                self.ready.set()
        self.ready.set()  # exited before ready: the caller looks at returncode


_epoch_of = {}


def line_time_ns(line):
    """The "time" member ("2026-11-30T05:01:02.123456789Z", always 9 digits) in ns."""
    i = line.find(b'"time":"')
    if i < 0:
        return None
    stamp = line[i + 8:i + 38]
    secs = _epoch_of.get(stamp[:19])
    if secs is None:
        secs = calendar.timegm(time.strptime(stamp[:19].decode(), "%Y-%m-%dT%H:%M:%S"))
        _epoch_of[stamp[:19]] = secs
    return secs * 1_000_000_000 + int(stamp[20:29])


def member(line, key):
    """The first string member named key, as bytes (enough for the fixed layout here)."""
    pat = b'"' + key + b'":"'
    i = line.find(pat)
    if i < 0:
        return None
    i += len(pat)
    return line[i:line.index(b'"', i)]


def cpu_ticks(pid):
    """utime + stime of the whole process (exited threads included), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def percentile(sorted_ns, q):
    if not sorted_ns:
        return float("nan")
    k = min(len(sorted_ns) - 1, max(0, int(round(q / 100 * len(sorted_ns) + 0.5)) - 1))
    return sorted_ns[k]


def row(name, samples):
    s = sorted(samples)
    ms = [percentile(s, q) / 1e6 for q in (50, 90, 99, 99.9)]
    mx = s[-1] / 1e6 if s else float("nan")
    return f"{name:<16}{len(s):>9}" + "".join(f"{v:>9.2f}" for v in ms + [mx])


def parse_kv(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


def main():
    ap = argparse.ArgumentParser(
        description="bulkhead latency: syscall in a container -> its line on stdout")
    ap.add_argument("--rate", type=int, default=10000, help="events/s (default 10000)")
    ap.add_argument("--seconds", type=float, default=20, help="load duration (default 20)")
    ap.add_argument("--finding-every", type=int, default=100,
                    help="a finding op once per N events on average (default 100; 0: none)")
    ap.add_argument("--exec-every", type=int, default=500,
                    help="a fork+exec once per N events on average (default 500; 0: none)")
    ap.add_argument("--skip", type=float, default=0,
                    help="leave the load's first S seconds out of the percentiles")
    ap.add_argument("-O", "--out", default=os.environ.get("O", "build"),
                    help="build dir holding bulkhead (default $O or build)")
    ap.add_argument("--image", default=os.environ.get("BULKHEAD_TEST_IMAGE", "local/busybox:1"))
    args = ap.parse_args()

    if os.geteuid() != 0:
        die("run as root (bulkhead loads BPF programs)")
    out = os.path.join(REPO, args.out) if not os.path.isabs(args.out) else args.out
    bulkhead = os.path.join(out, "bulkhead")
    if not os.access(bulkhead, os.X_OK):
        die(f"{bulkhead} not found: make -j2 O={args.out}")
    for script in ("start-dockerd.sh", "build-test-image.sh"):
        if subprocess.run([os.path.join(REPO, "scripts", script)]).returncode:
            die(f"scripts/{script} failed")
    load = build_load(os.path.join(out, "bench"))

    cmd = [bulkhead, "run", "--events", "all", "--no-http", "--no-socket",
           "--stats-interval", "0"]
    agent = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fcntl.fcntl(agent.stdout.fileno(), F_SETPIPE_SZ, 1 << 20)
    reader = Reader(agent.stdout.fileno())
    reader.start()
    watcher = StderrWatcher(agent.stderr)
    watcher.start()
    name = f"bh-latency-{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="bh-latency.")
    cidfile = os.path.join(tmp, "cid")
    try:
        if not watcher.ready.wait(60) or agent.poll() is not None:
            die("bulkhead did not get ready:\n  " + "\n  ".join(watcher.lines[-10:]))
        # --cap-add SYS_ADMIN: setns and the bind mounts of the mount findings.
        docker = ["docker", "run", "--rm", "--name", name, "--cidfile", cidfile,
                  "--cap-add", "SYS_ADMIN", "-v", f"{os.path.dirname(load)}:/bench:ro",
                  args.image, "/bench/latency-load", "-r", str(args.rate),
                  "-t", str(args.seconds), "-f", str(args.finding_every),
                  "-x", str(args.exec_every)]
        run = subprocess.Popen(docker, stdout=subprocess.PIPE, text=True)
        start_line = done_line = None
        cpu0 = wall0 = None
        for line in run.stdout:
            if line.startswith("start "):
                start_line = parse_kv(line)
                cpu0, wall0 = cpu_ticks(agent.pid), time.monotonic()
            elif line.startswith("done "):
                done_line = parse_kv(line)
        if run.wait() or not start_line or not done_line:
            die(f"the load container failed (exit {run.returncode})")
        # The collector may lag behind the load: its catch-up counts in its CPU.
        drain_end = time.monotonic() + 10
        while time.monotonic() - reader.last_read < 1 and time.monotonic() < drain_end:
            time.sleep(0.2)
        cpu1, wall1 = cpu_ticks(agent.pid), time.monotonic()
        with open(cidfile) as f:
            cid = f.read().strip().encode()
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        if agent.poll() is None:
            agent.send_signal(signal.SIGINT)
        try:
            agent.wait(30)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait()
        reader.join(10)
        watcher.join(10)
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)

    # the container's own lines: host processes (runc, the shim) carry its id in their args
    ours = b'"container":{"id":"' + cid + b'"'
    load_start = int(start_line["realtime_ns"])
    skip_until = load_start + int(args.skip * 1e9)
    by_event = collections.defaultdict(list)
    findings, startup, other, skipped, lines = [], [], 0, 0, 0
    config_findings = collections.Counter()
    final = None
    first_ts = last_ts = None
    seen_in_load = 0  # event lines stamped after the load's start: its own calls
    for stamp, line in reader.lines():
        lines += 1
        if b'"type":"stats"' in line[:80]:
            final = line
            continue
        if ours not in line:
            other += 1
            continue
        ts = line_time_ns(line)
        if ts is None:
            continue
        kind = member(line, b"type")
        if kind == b"finding" and b'"event":"' not in line[-32:]:
            # configuration findings are stamped when judged, not by a syscall
            config_findings[member(line, b"rule").decode()] += 1
            continue
        if ts < load_start:
            # the container's start (runc's mounts, the load's exec and set-up)
            startup.append(stamp - ts)
            continue
        if kind == b"event":
            seen_in_load += 1
            first_ts = ts if first_ts is None else min(first_ts, ts)
            last_ts = ts if last_ts is None else max(last_ts, ts)
        if ts < skip_until:
            skipped += 1
            continue
        if kind == b"event":
            by_event[member(line, b"event").decode()].append(stamp - ts)
        elif kind == b"finding":
            findings.append(stamp - ts)

    events = [v for samples in by_event.values() for v in samples]
    span = (last_ts - first_ts) / 1e9 if seen_in_load > 1 else float("nan")
    print(f"bulkhead latency: syscall in a container -> its line read from stdout "
          f"(CLOCK_REALTIME at read - the line's \"time\")")
    print(f"load: {args.rate} events/s asked for {args.seconds:g} s; made "
          f"{done_line['events']} events at {float(done_line['rate']):.0f}/s "
          f"(max tick lateness {float(done_line['max_late_us']) / 1e3:.1f} ms); "
          + " ".join(f"{k}={v}" for k, v in done_line.items()
                     if k not in ("events", "elapsed_ns", "rate", "max_late_us")))
    print(f"read: {lines} lines; the load's: {seen_in_load} events over {span:.2f} s "
          f"= {seen_in_load / span:.0f}/s ({int(done_line['events']) - seen_in_load} of its events "
          f"missing), {len(findings)} behaviour findings"
          + (f", {skipped} in the first {args.skip:g} s left out" if args.skip else "")
          + f"; {sum(config_findings.values())} configuration findings "
          f"({', '.join(sorted(config_findings)) or 'none'}); {other} lines of other sources")
    print(f"{'latency (ms)':<16}{'count':>9}{'p50':>9}{'p90':>9}{'p99':>9}{'p99.9':>9}{'max':>9}")
    print(row("events", events))
    for family in sorted(by_event):
        print(row("  " + family, by_event[family]))
    print(row("findings", findings))
    print(row("container start", startup))
    cpu_s = (cpu1 - cpu0) / CLK_TCK
    load_s = int(done_line["elapsed_ns"]) / 1e9
    print(f"collector CPU: {cpu_s:.2f} s during the load and its drain ({wall1 - wall0:.1f} s)"
          f" = {100 * cpu_s / load_s:.1f} % of one core over the {load_s:.1f} s load "
          f"({1e6 * cpu_s / max(1, lines):.1f} us per line read)")
    if final is None:
        print("final stats line: missing (bulkhead exit status "
              f"{agent.returncode})")
    else:
        st = json.loads(final)
        print("final stats: " + ", ".join(
            f"{k} {st.get(k)}" for k in ("drops", "args_lost", "output_dropped_lines",
                                         "kernel_emitted", "events_total", "output_lines")))
    warnings = [l for l in watcher.lines if "warn" in l or "error" in l]
    for w in warnings[:10]:
        print(f"bulkhead stderr: {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
