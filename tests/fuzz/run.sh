#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs every libFuzzer target (tests/fuzz/fuzz_<name>.c) for a while on its seed corpus
# (tests/fuzz/corpus/<name>), one TAP result per target, with each one's executions.
#
#   tests/fuzz/run.sh [--build DIR] [--seconds S] [--no-build]
#
# DIR (default build-fuzz) is where `make fuzz-build` puts the targets; the script builds
# them first unless --no-build. Inputs the fuzzer finds go to a scratch folder, never into
# the repository; a crashing input is kept in DIR/fuzz-artifacts/<name>/ and named in the
# result: add it to the target's corpus once the bug is fixed.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 1
build=build-fuzz
seconds=10
do_build=true
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--no-build) do_build=false; shift ;;
	*) printf 'usage: %s [--build DIR] [--seconds S] [--no-build]\n' "$0" >&2; exit 2 ;;
	esac
done
case $seconds in
'' | *[!0-9]*) printf '%s: --seconds takes a whole number, not "%s"\n' "$0" "$seconds" >&2; exit 2 ;;
esac

shopt -s nullglob
targets=()
for src in tests/fuzz/fuzz_*.c; do
	name=${src#tests/fuzz/fuzz_}
	targets+=("${name%.c}")
done
shopt -u nullglob
printf '1..%d\n' "${#targets[@]}"

build_ok=true
if $do_build; then
	log=$(mktemp)
	if ! make --no-print-directory FUZZ_O="$build" fuzz-build >"$log" 2>&1; then
		sed 's/^/# /' "$log"
		build_ok=false
	fi
	rm -f "$log"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=0
n=0
for name in "${targets[@]}"; do
	n=$((n + 1))
	bin=$build/tests/fuzz/fuzz_$name
	corpus=tests/fuzz/corpus/$name
	if ! $build_ok || [ ! -x "$bin" ]; then
		printf 'not ok %d - fuzz_%s: not built (make fuzz-build FUZZ_O=%s)\n' "$n" "$name" "$build"
		failed=$((failed + 1))
		continue
	fi
	if [ ! -d "$corpus" ]; then
		printf 'not ok %d - fuzz_%s: no seed corpus in %s\n' "$n" "$name" "$corpus"
		failed=$((failed + 1))
		continue
	fi
	artifacts=$build/fuzz-artifacts/$name
	mkdir -p "$scratch/$name" "$artifacts"
	log=$scratch/$name.log
	# New inputs go to the first folder (scratch); the seeds are only read.
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
		"$scratch/$name" "$corpus" >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	found=$(find "$scratch/$name" -type f | wc -l)
	if [ "$status" -eq 0 ]; then
		printf 'ok %d - fuzz_%s: %s runs, %s/s, %s new inputs in %s s\n' "$n" "$name" \
			"${runs:-?}" "${rate:-?}" "$found" "$seconds"
	else
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		printf 'not ok %d - fuzz_%s: exit status %d after %s runs; input: %s\n' "$n" "$name" \
			"$status" "${runs:-?}" "${crash:-none kept}"
		grep -E 'ERROR|SUMMARY|check failed|^    #[0-9]' "$log" | head -30 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
