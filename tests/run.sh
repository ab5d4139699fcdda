#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs every test suite (unit, bpf, e2e) against the build in $O and sums up the results.
#
# Each suite speaks TAP (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP, bats --tap); the last line
# printed is "N passed, N failed[, N skipped]". CI=true makes the BPF and Docker tests
# mandatory (BULKHEAD_REQUIRE_BPF=1) and counts a skipped test as failed.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1
O=${O:-build}
case "$O" in
/*) ;;
*) O=$REPO/$O ;;
esac
export O BULKHEAD=${BULKHEAD:-$O/bulkhead}
export CMOCKA_MESSAGE_OUTPUT=TAP
CI=${CI:-false}
if [ "$CI" = true ]; then
	export BULKHEAD_REQUIRE_BPF=1
fi

# Guards against a hung suite only (the whole run must end); no test depends on them.
UNIT_TIMEOUT=300
BPF_TIMEOUT=600
E2E_TIMEOUT=1200
FUZZ_TIMEOUT=600

passed=0
failed=0
skipped=0
problems=()
logdir=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-tests.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

# Counts the TAP results in log $2 of suite $1 which exited with status $3.
count_tap() {
	local name=$1 log=$2 status=$3 plan p f s missing
	read -r plan p f s < <(awk '
		/^1\.\.[0-9]+/ { sub(/^1\.\./, ""); plan += $1; next }
		/^(not )?ok / {
			if (tolower($0) ~ /# skip/) { s++; next }
			if ($0 ~ /^ok /) p++; else f++
		}
		END { printf "%d %d %d %d\n", plan, p, f, s }' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$s" -gt 0 ]; then
		if [ "$CI" = true ]; then
			failed=$((failed + s))
			problems+=("$name: $s test(s) skipped, a failure in CI")
		else
			skipped=$((skipped + s))
		fi
	fi
	[ "$f" -eq 0 ] || problems+=("$name: $f test(s) failed")
	# A suite that dies midway prints fewer results than its plan announced.
	missing=$((plan - p - f - s))
	if [ "$status" -eq 124 ]; then
		problems+=("$name: timed out, killed")
	elif [ "$status" -ge 128 ]; then
		problems+=("$name: killed by signal $((status - 128))")
	fi
	if [ "$missing" -gt 0 ]; then
		failed=$((failed + missing))
		problems+=("$name: $missing test(s) never reported (exit status $status)")
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
		problems+=("$name: exited with status $status but reported no failure")
	fi
}

# Runs one suite with a guard timeout, shows its output and counts its results.
run_suite() {
	local name=$1 limit=$2 log status
	shift 2
	log=$logdir/$(basename "$name").log
	printf '\n=== %s\n' "$name"
	timeout -k 10 "$limit" "$@" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	count_tap "$name" "$log" "$status"
}

# Runs a setup step; a failed step is one failure, and the tests that need it run anyway
# so that their own messages say what is missing.
run_step() {
	local name=$1
	shift
	printf '\n=== %s\n' "$name"
	if ! "$@"; then
		failed=$((failed + 1))
		problems+=("$name failed")
	fi
}

run_bins() {
	local dir=$1 limit=$2 bin
	for bin in "$dir"/test_*; do
		[[ -f $bin && -x $bin ]] || continue
		run_suite "${bin#"$REPO"/}" "$limit" "$bin"
	done
}

run_bins "$O/tests/unit" "$UNIT_TIMEOUT"
# Each libFuzzer target briefly on its corpus (one test per target; no root needed).
run_suite tests/fuzz "$FUZZ_TIMEOUT" tests/fuzz/run.sh --seconds "${FUZZ_SECONDS:-5}"

if [ "$(id -u)" -eq 0 ]; then
	run_step scripts/start-dockerd.sh scripts/start-dockerd.sh
	run_step scripts/build-test-image.sh scripts/build-test-image.sh
	run_bins "$O/tests/bpf" "$BPF_TIMEOUT"
	# Where compat calls can happen the raw sys_exit dispatcher takes every hooked call; this
	# machine may not be such a one, so the hook tests run again with it attached by facts.
	if [ "$(uname -m)" = x86_64 ]; then
		run_suite "${O#"$REPO"/}/tests/bpf/test_hooks (sys_exit dispatcher)" "$BPF_TIMEOUT" \
			env BULKHEAD_TEST_SYS_EXIT=1 "$O/tests/bpf/test_hooks"
	fi
	shopt -s nullglob
	bats_files=(tests/e2e/*.bats)
	shopt -u nullglob
	if [ ${#bats_files[@]} -gt 0 ]; then
		if command -v bats >/dev/null; then
			run_suite "bats tests/e2e" "$E2E_TIMEOUT" bats --tap "${bats_files[@]}"
		else
			failed=$((failed + 1))
			problems+=("bats not found: run 'sudo make deps'")
		fi
	fi
elif [ "$CI" = true ]; then
	failed=$((failed + 1))
	problems+=("CI must run as root: the BPF and e2e tests need it")
else
	printf '\nnot root: ran the unit tests only; the BPF and e2e tests need root (sudo make test)\n'
fi

printf '\n'
for p in "${problems[@]}"; do
	printf 'FAIL %s\n' "$p"
done
summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary="$summary, $skipped skipped"
printf '%s\n' "$summary"
[ "$failed" -eq 0 ]
