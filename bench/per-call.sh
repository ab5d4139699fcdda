#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# per-call.sh - `make bench-per-call`: what bulkhead (default mode) adds to each cheap hooked
# syscall, in ns. Sessions without the agent and with it alternate ROUNDS times, so slow
# drift of the machine falls on both sides; each session takes the median of 5 storms of N
# calls per op, and the figure is the median over rounds of (with - without). Needs root.
# Usage: per-call.sh [ROUNDS [N]]; OPS="forkexec" per-call.sh 4 5000 measures other ops;
# an op written OP:COUNT runs COUNT calls instead of N (the costlier ones: a bind mount, a
# unix stream connect with its accept). AGENT_ARGS are passed to the agent. BUILDS="build
# ../old/build" compares the agents of several builds (before and after a change): each
# round has one session without an agent, then one with each build's, in turn.
set -eu
O=${O:-build}
ROUNDS=${1:-4}
N=${2:-1000000}
STORM=$O/bench/syscall-storm
BUILDS=${BUILDS:-$O}
OPS=${OPS:-"setns capset connect-dgram connect:200000 mount-bind:10000 mount-fail null"}
[ "$(id -u)" = 0 ] || { echo "bench-per-call: run as root (bulkhead loads BPF programs)" >&2; exit 1; }
[ -x "$STORM" ] || { echo "bench-per-call: build first (make bench-per-call)" >&2; exit 1; }
for b in $BUILDS; do
	[ -x "$b/bulkhead" ] || { echo "bench-per-call: no $b/bulkhead: build it first" >&2; exit 1; }
done
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

count() { case $1 in *:*) echo "${1#*:}" ;; *) echo "$N" ;; esac; }

# median of 5 storms of op $1 (OP or OP:COUNT), ns per call
storm() {
	for _ in 1 2 3 4 5; do
		"$STORM" "${1%%:*}" -n "$(count "$1")" | sed -n 's/.*ns_per_op=\([0-9.]*\).*/\1/p'
	done | sort -n | sed -n 3p
}

session() { # $1: the session's name (without, or with.K)
	for op in $OPS; do
		echo "${op%%:*} $(storm "$op")" >>"$OUT/$1.${op%%:*}"
	done
}

for r in $(seq "$ROUNDS"); do
	session without
	k=0
	for b in $BUILDS; do
		k=$((k + 1))
		: >"$OUT/agent.err"
		# shellcheck disable=SC2086 # AGENT_ARGS: words on purpose
		"$b/bulkhead" --no-http --no-socket ${AGENT_ARGS:-} >/dev/null 2>"$OUT/agent.err" &
		agent=$!
		i=0
		until grep -q ready "$OUT/agent.err"; do
			i=$((i + 1))
			[ $i -lt 100 ] && kill -0 $agent 2>/dev/null || { cat "$OUT/agent.err" >&2; exit 1; }
			sleep 0.1
		done
		session "with.$k"
		kill $agent
		wait $agent || true
	done
	echo "bench-per-call: round $r of $ROUNDS done" >&2
done

k=0
for b in $BUILDS; do
	k=$((k + 1))
	[ "$BUILDS" = "$O" ] || printf '\n%s\n\n' "$b/bulkhead"
	printf '| op | without (ns) | with (ns) | added (ns) | ratio |\n|---|---|---|---|---|\n'
	for op in $OPS; do
		op=${op%%:*}
		paste -d' ' "$OUT/without.$op" "$OUT/with.$k.$op" | awk -v op="$op" '
			{ b[NR] = $2; m[NR] = $4; d[NR] = $4 - $2 }
			function med(a, n,   i, j, t) {
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			}
			END { mb = med(b, NR); mm = med(m, NR); md = med(d, NR)
			      printf "| %s | %.0f | %.0f | %+.0f | %.2f |\n", op, mb, mm, md, mm / mb }'
	done
done
