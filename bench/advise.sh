#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# advise.sh - `make bench-advise`: what `bulkhead advise` costs, in ns per call, on the
# node's other processes and in the advised container, next to no monitor and to the agent
# (`bulkhead run`, which has no recorder). Sessions with nothing, the agent and advise
# alternate ROUNDS times; each takes the fastest of 5 storms of N calls per op and place
# (the least disturbed by the node's other work: storms time wall-clock); the figure is the
# median over rounds. Places: a host process, and a process of the advised container
# (docker exec of the static storm binary). Usage: advise.sh [ROUNDS [N]]. Needs root.
set -euo pipefail
BENCH_NAME=bench-advise
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS=${1:-4}
N=${2:-300000}
STORM=$O/bench/syscall-storm
OPS=${OPS:-"null open:100000"}
[ "$(id -u)" = 0 ] || die "run as root (bulkhead loads BPF programs)"
[ -x "$BIN" ] && [ -x "$STORM" ] || die "build first: make bench-advise"
OUT=$(mktemp -d)
CTR=bh-bench-advise-$$
trap 'docker rm -f "$CTR" >/dev/null 2>&1 || true; rm -rf "$OUT"' EXIT
docker run -d --name "$CTR" -v "$O/bench:/bench:ro" "$IMAGE" sleep 86400 >/dev/null

count() { case $1 in *:*) echo "${1#*:}" ;; *) echo "$N" ;; esac; }

# fastest of 5 storms of op $1 (OP or OP:COUNT), ns per call; $2: host or container
storm() {
	local run=("$STORM")
	[ "$2" = container ] && run=(docker exec "$CTR" /bench/syscall-storm)
	for _ in 1 2 3 4 5; do
		"${run[@]}" "${1%%:*}" -n "$(count "$1")" | sed -n 's/.*ns_per_op=\([0-9.]*\).*/\1/p'
	done | sort -n | sed -n 1p
}

# Starts a collector ($@) and waits for its "ready" line.
start() {
	: >"$OUT/err"
	"$BIN" "$@" >/dev/null 2>"$OUT/err" &
	COLLECTOR=$!
	local i=0
	until grep -q "ready" "$OUT/err"; do
		i=$((i + 1))
		[ $i -lt 300 ] && kill -0 $COLLECTOR 2>/dev/null || { cat "$OUT/err" >&2; exit 1; }
		sleep 0.1
	done
}

session() { # $1: none, run or advise
	case $1 in
	run) start run --no-http --no-socket --stats-interval 0 ;;
	advise) start advise --container "$CTR" --duration 86400 -o "$OUT" ;;
	esac
	for op in $OPS; do
		for place in host container; do
			echo "$(storm "$op" $place)" >>"$OUT/$1.${op%%:*}.$place"
		done
	done
	if [ "$1" != none ]; then
		kill $COLLECTOR
		wait $COLLECTOR || true
	fi
}

for r in $(seq "$ROUNDS"); do
	for s in none run advise; do
		session $s
	done
	log "round $r of $ROUNDS done"
done

med() { sort -n | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
printf '| op | process | no monitor (ns) | agent `run` (ns) | `advise` (ns) | advise - run (ns) | advise - none (ns) |\n'
printf '|---|---|---|---|---|---|---|\n'
for op in $OPS; do
	op=${op%%:*}
	for place in host container; do
		n=$(med <"$OUT/none.$op.$place")
		a=$(med <"$OUT/run.$op.$place")
		v=$(med <"$OUT/advise.$op.$place")
		label=$place
		[ $place = host ] && label="other (host)"
		[ $place = container ] && label="advised container"
		awk -v op="$op" -v p="$label" -v n="$n" -v a="$a" -v v="$v" \
			'BEGIN { printf "| %s | %s | %.0f | %.0f | %.0f | %+.0f | %+.0f |\n", op, p, n, a, v, v - a, v - n }'
	done
done
