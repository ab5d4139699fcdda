#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# containers.sh - bulkhead's memory and CPU with N containers tracked (default 500).
#
# usage: sudo bench/containers.sh [N] [-- BULKHEAD_RUN_OPTIONS...]
# Starts N local/busybox:1 containers (--network none: no veth or libnetwork
# work per container), each exec'ing /bin/true every INTERVAL seconds (so each
# one makes events and the resolver tracks it), then
# `bulkhead run --no-http --no-socket --stats-interval 1`; once a stats line
# shows "containers" >= N it measures SETTLE seconds and prints VmRSS, VmHWM,
# the containers count, drops and the collector's CPU. The containers are
# removed on every exit (^C included).
# Environment: O (build dir, default build), IMAGE (default local/busybox:1),
# PARALLEL (docker runs at a time, default 8), INTERVAL (default 5),
# SETTLE (default 10), MIN_AVAIL_MB (stop starting containers below this
# much available memory, default 2048).
set -euo pipefail

BENCH_NAME=containers
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_count 500 "$@"
PARALLEL=${PARALLEL:-8}
INTERVAL=${INTERVAL:-5}
SETTLE=${SETTLE:-10}
MIN_AVAIL_MB=${MIN_AVAIL_MB:-2048}
TAG=bh-bench-containers-$$

"$REPO/scripts/start-dockerd.sh"
"$REPO/scripts/build-test-image.sh"

tmp=$(mktemp -d /tmp/bh-containers.XXXXXX)
agent=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$agent" ] && kill -0 "$agent" 2>/dev/null; then
		kill -INT "$agent"
		wait "$agent" 2>/dev/null || true
	fi
	bench_remove docker "$TAG"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

avail_mb() { awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo; }
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# The newest stats line's member $1 (a number).
stat_member() {
	grep '"type":"stats"' "$tmp/out" | tail -n 1 | grep -o "\"$1\":[0-9]*" | head -n 1 |
		cut -d: -f2 || true
}

log "before: $(free -m | awk '/^Mem:/ { print $3 " MiB used, " $7 " MiB available" }')"
started=0
avail0=$(avail_mb)
t0=$(date +%s)
while [ "$started" -lt "$N" ]; do
	if [ "$(avail_mb)" -lt "$MIN_AVAIL_MB" ]; then
		log "stopping at $started containers: less than $MIN_AVAIL_MB MiB available (free -m:)"
		free -m >&2
		break
	fi
	batch=$((N - started < 50 ? N - started : 50))
	seq "$started" $((started + batch - 1)) |
		xargs -P "$PARALLEL" -I{} docker run -d --label "org.bulkhead.bench=$TAG" \
			--network none --name "$TAG-{}" "$IMAGE" \
			sh -c "while :; do /bin/true; sleep $INTERVAL; done" >/dev/null ||
		die "docker run failed after $started containers"
	started=$((started + batch))
	log "$started/$N containers started ($(avail_mb) MiB available)"
done
avail1=$(avail_mb)
[ "$started" -gt 0 ] && log "started $started in $(($(date +%s) - t0)) s," \
	"$(((avail0 - avail1) * 1024 / started)) KiB of available memory each"

bench_agent "$tmp/out" "$tmp/err" --no-http --no-socket --stats-interval 1 "${BENCH_ARGS[@]}"
for _ in $(seq 120); do
	seen=$(stat_member containers)
	[ "${seen:-0}" -ge "$started" ] && [ -n "$seen" ] && break
	sleep 1
done
[ "${seen:-0}" -ge "$started" ] ||
	die "bulkhead tracks ${seen:-0} containers, not $started, after 120 s"

c0=$(ticks "$agent")
sleep "$SETTLE"
c1=$(ticks "$agent")
hz=$(getconf CLK_TCK)
status=$(cat "/proc/$agent/status")
# The BPF ring buffer's mapping (its data pages are mapped twice) is kernel memory in VmRSS.
ring_kb=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { m = ($6 ~ /bpf-map/) } /^Rss:/ && m { s += $2 }
	END { print s + 0 }' "/proc/$agent/smaps")
field() { echo "$status" | awk -v k="$1:" '$1 == k { print $2 " " $3 }'; }

echo "bulkhead with $started bench containers started ($IMAGE, /bin/true every $INTERVAL s)"
echo "containers tracked: $(stat_member containers)" \
	"(stats line; other containers on the host count too)"
echo "VmRSS $(field VmRSS)  VmHWM $(field VmHWM)  (RssAnon $(field RssAnon)," \
	"RssFile $(field RssFile) of which $ring_kb kB map the BPF ring buffer," \
	"RssShmem $(field RssShmem))"
echo "collector CPU over ${SETTLE} s: $(awk -v d=$((c1 - c0)) -v hz="$hz" -v s="$SETTLE" \
	'BEGIN { printf "%.2f %%", 100 * d / hz / s }') of one core"
echo "drops $(stat_member drops), events_total $(stat_member events_total)," \
	"findings $(stat_member findings), resolver api_errors $(stat_member api_errors)"
