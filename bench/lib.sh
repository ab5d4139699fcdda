# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# lib.sh - what the container benchmarks share; source it after setting BENCH_NAME.
# Sets REPO, O (absolute), BIN, IMAGE; bench_count parses the optional count before "--".

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
O=${O:-build}
case $O in /*) ;; *) O=$REPO/$O ;; esac
BIN=$O/bulkhead
IMAGE=${IMAGE:-${BULKHEAD_TEST_IMAGE:-local/busybox:1}}

log() { printf '%s: %s\n' "$BENCH_NAME" "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# bench_count DEFAULT "$@": N is the first argument unless it is "--" (else DEFAULT), and
# BENCH_ARGS what follows the "--": options for `bulkhead run`. Also checks root and BIN.
bench_count() {
	N=$1
	shift
	if [ $# -gt 0 ] && [ "$1" != -- ]; then
		N=$1
		shift
	fi
	[ $# -gt 0 ] && [ "$1" = -- ] && shift
	BENCH_ARGS=("$@")
	case $N in '' | *[!0-9]*) die "N must be a number of containers, not '$N'" ;; esac
	[ "$(id -u)" = 0 ] || die "run as root (bulkhead loads BPF programs)"
	[ -x "$BIN" ] || die "$BIN not found: make -j2 O=${O#"$REPO"/}"
}

# bench_agent OUT ERR ARGS...: starts `bulkhead run ARGS` (pid in $agent) and waits for ready.
bench_agent() {
	local out=$1 err=$2
	shift 2
	: >"$err"
	"$BIN" run "$@" >"$out" 2>"$err" &
	agent=$!
	for _ in $(seq 600); do
		grep -q ready "$err" && return 0
		kill -0 "$agent" 2>/dev/null || die "bulkhead exited: $(tail -n 5 "$err")"
		sleep 0.1
	done
	die "bulkhead is not ready after 60 s: $(tail -n 5 "$err")"
}

# bench_remove ENGINE TAG: removes the containers the benchmark labelled
# org.bulkhead.bench=TAG (docker: 20 at a time, as docker 20.10's libnetwork deadlocked
# with 200 container exits at once, moby/moby#46661, and every later rm hung).
bench_remove() {
	local engine=$1 ids
	ids=$("$engine" ps -aq --filter "label=org.bulkhead.bench=$2")
	[ -z "$ids" ] && return 0
	log "removing $(echo "$ids" | wc -l) $engine containers"
	case $engine in
	podman) echo "$ids" | xargs -n 20 podman rm -f -t 0 >/dev/null ;;
	*) echo "$ids" | xargs -n 10 -P 2 docker rm -f >/dev/null ;;
	esac
}
