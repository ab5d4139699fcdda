#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# audit.sh - how long `bulkhead audit` takes on a node with N running containers (default 500).
#
# usage: sudo bench/audit.sh [N]
# Starts N local/busybox:1 containers (--network none), then times ROUNDS runs of
# `bulkhead audit --format json` (and one of each other format), printing the wall time of
# each, the median, the containers audited and the audit's peak RSS. The containers are
# removed on every exit (^C included).
# Environment: O (build dir, default build), IMAGE, PARALLEL (docker runs at a time,
# default 8), ROUNDS (default 5).
set -euo pipefail

BENCH_NAME=audit
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_count 500 "$@"
PARALLEL=${PARALLEL:-8}
ROUNDS=${ROUNDS:-5}
TAG=bh-bench-audit-$$

"$REPO/scripts/start-dockerd.sh"
"$REPO/scripts/build-test-image.sh"

tmp=$(mktemp -d /tmp/bh-audit.XXXXXX)
cleanup() {
	trap - EXIT INT TERM
	bench_remove docker "$TAG"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

log "starting $N containers, $PARALLEL at a time"
seq 1 "$N" | xargs -P "$PARALLEL" -I{} docker run -d --network none \
	--label "org.bulkhead.bench=$TAG" "$IMAGE" sleep 3600 >/dev/null ||
	die "docker run failed"

times=()
for r in $(seq "$ROUNDS"); do
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$BIN" audit --format json >"$tmp/audit.json"
	read -r secs rss_kb <"$tmp/time"
	times+=("$secs")
	log "round $r: ${secs} s, peak RSS $((rss_kb / 1024)) MiB, $(jq '.totals.containers' \
		"$tmp/audit.json") containers, $(jq '.totals.checks' "$tmp/audit.json") checks"
done
for f in table junit sarif; do
	/usr/bin/time -f '%e' -o "$tmp/time" "$BIN" audit --format "$f" >/dev/null
	log "format $f: $(cat "$tmp/time") s"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
printf 'audit of %d containers: median %s s over %d rounds (%s)\n' "$N" "$median" "$ROUNDS" \
	"${times[*]}"
