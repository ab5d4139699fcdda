#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# containers-findings.sh - what bulkhead reports of N default containers in a row, per engine.
#
# usage: sudo bench/containers-findings.sh [N] [-- BULKHEAD_RUN_OPTIONS...]
# Starts `bulkhead run` in its shipped mode (--events none), then, for each engine (ENGINES,
# default "docker podman"), runs N default containers (`ENGINE run IMAGE sh -c 'exec
# /bin/true'`, PARALLEL at a time) and prints, per engine, how many containers each rule
# fired for, how many containers had exactly no-new-privileges-missing (what a default
# container must yield), and each container with anything else. A figure, not a test: the
# precision of the runtime's set-up at scale (issue: runc's set-up as findings). The
# containers are removed on every exit (^C included).
# Environment: O (build dir, default build), IMAGE (default local/busybox:1), PARALLEL
# (default 4), ENGINES (default "docker podman"), RUNTIME (the OCI runtime both engines
# run, e.g. runc-memfd for runc's memfd clone; default: the engine's own), SETTLE (seconds
# to wait for the last findings, default 5).
set -euo pipefail

BENCH_NAME=containers-findings
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_count 500 "$@"
[ "$N" -gt 0 ] || die "N must be at least 1"
PARALLEL=${PARALLEL:-4}
ENGINES=${ENGINES:-docker podman}
SETTLE=${SETTLE:-5}
TAG=bh-bench-findings-$$

for engine in $ENGINES; do
	case $engine in
	docker)
		"$REPO/scripts/start-dockerd.sh"
		"$REPO/scripts/build-test-image.sh"
		;;
	podman)
		CONTAINERS_CONF=$("$REPO/scripts/podman-env.sh")
		export CONTAINERS_CONF
		;;
	*) die "unknown engine '$engine' (docker, podman)" ;;
	esac
done

tmp=$(mktemp -d /tmp/bh-findings.XXXXXX)
agent=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$agent" ] && kill -0 "$agent" 2>/dev/null; then
		kill -INT "$agent"
		wait "$agent" 2>/dev/null || true
	fi
	for engine in $ENGINES; do bench_remove "$engine" "$TAG" || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

bench_agent "$tmp/out" "$tmp/err" --no-http --no-socket --stats-interval 0 "${BENCH_ARGS[@]}"

for engine in $ENGINES; do
	t0=$(date +%s)
	seq "$N" | xargs -P "$PARALLEL" -I{} "$engine" run -d --label "org.bulkhead.bench=$TAG" \
		${RUNTIME:+--runtime "$RUNTIME"} --network none --name "$TAG-$engine-{}" "$IMAGE" \
		sh -c 'exec /bin/true' \
		>>"$tmp/ids.$engine" || die "$engine run failed"
	log "$engine: $N containers run in $(($(date +%s) - t0)) s${RUNTIME:+ (runtime $RUNTIME)}"
done
sleep "$SETTLE"
kill -INT "$agent"
wait "$agent" || die "bulkhead exited with status $?: $(tail -n 5 "$tmp/err")"
agent=

for engine in $ENGINES; do
	# every container run, with the sorted list of the rules that fired for it ("" for none)
	jq -R -r --rawfile ids "$tmp/ids.$engine" '
		($ids | split("\n") | map(select(length > 0))) as $want |
		fromjson? | select(.type == "finding" and .container.id? != null and
			(.container.id | IN($want[]))) | [.container.id, .rule] | @tsv' "$tmp/out" |
		sort -u >"$tmp/rules.$engine"
	awk -F'\t' -v n="$N" -v engine="$engine" '
		FNR == NR { seen[$1] = 1; next }
		{
			if ($1 in rules)
				rules[$1] = rules[$1] "," $2
			else
				rules[$1] = $2
			count[$2]++
		}
		END {
			printf "%s: %d default containers\n", engine, n
			for (r in count)
				printf "  %-28s %d containers\n", r, count[r]
			for (id in seen) {
				if (rules[id] == "no-new-privileges-missing")
					exact++
				else
					odd[id] = rules[id] == "" ? "(none)" : rules[id]
			}
			printf "  exactly no-new-privileges-missing: %d of %d\n", exact, n
			for (id in odd)
				printf "  other: %.12s %s\n", id, odd[id]
		}' "$tmp/ids.$engine" "$tmp/rules.$engine"
done
echo "bulkhead: $(grep -c '"type":"finding"' "$tmp/out") findings in all," \
	"$(grep -c '"action":"container-start"' "$tmp/out") container-start lines; its log:"
sed 's/^/  /' "$tmp/err"
