# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Shared bats helpers: run the real bulkhead binary, wait for its JSON lines, manage containers.
#
# Load with `load helpers` and call `bh_teardown` from teardown(). Environment:
#   O                      build folder (default build), BULKHEAD defaults to $O/bulkhead
#   BULKHEAD_TEST_IMAGE    the busybox test image (default local/busybox:1)
#   BULKHEAD_REQUIRE_BPF=1 a missing prerequisite (root, binary, Docker) fails, never skips

BH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BH_O=${O:-build}
case "$BH_O" in
/*) ;;
*) BH_O=$BH_REPO/$BH_O ;;
esac
BULKHEAD=${BULKHEAD:-$BH_O/bulkhead}
IMAGE=${BULKHEAD_TEST_IMAGE:-local/busybox:1}
BH_READY_TIMEOUT=30
BH_STOP_TIMEOUT=10

BH_PID=
BH_CONTAINERS=()

# Skips the test for the reason given, or fails it when BULKHEAD_REQUIRE_BPF=1 (CI).
bh_skip_or_fail() {
	if [ "${BULKHEAD_REQUIRE_BPF:-0}" = 1 ]; then
		echo "required (BULKHEAD_REQUIRE_BPF=1) but unavailable: $*" >&2
		return 1
	fi
	skip "$*"
}

# The bulkhead binary must exist whatever the test needs.
bh_require_binary() {
	[ -x "$BULKHEAD" ] || bh_skip_or_fail "$BULKHEAD not built (run make O=${O:-build})"
}

# What a test of the running monitor needs: the binary, root, and with "docker" the engine
# and the test image.
bh_require() {
	bh_require_binary || return
	[ "$(id -u)" -eq 0 ] || bh_skip_or_fail "loading BPF programs needs root" || return
	if [ "${1:-}" = docker ]; then
		docker info >/dev/null 2>&1 ||
			bh_skip_or_fail "Docker does not answer (scripts/start-dockerd.sh)" || return
		docker image inspect "$IMAGE" >/dev/null 2>&1 ||
			bh_skip_or_fail "no image $IMAGE (scripts/build-test-image.sh)" || return
	fi
}

# Starts `bulkhead run ARGS` in the background (stdout to $BH_OUT, stderr to $BH_ERR) and
# waits until it logs that its programs are attached.
bh_start() {
	BH_OUT=$BATS_TEST_TMPDIR/bulkhead.out
	BH_ERR=$BATS_TEST_TMPDIR/bulkhead.err
	: >"$BH_OUT"
	: >"$BH_ERR"
	# fd 3 is bats' own output channel: a background process holding it stalls bats.
	# The shell starts it with SIGINT ignored (a background job): bulkhead must stop anyway.
	"$BULKHEAD" run "$@" >"$BH_OUT" 2>"$BH_ERR" 3>&- &
	BH_PID=$!
	local i status
	for ((i = 0; i < BH_READY_TIMEOUT * 10; i++)); do
		if grep -qw ready "$BH_ERR"; then
			return 0
		fi
		if ! kill -0 "$BH_PID" 2>/dev/null; then
			status=0
			wait "$BH_PID" || status=$?
			echo "bulkhead run $* exited with status $status before it was ready; stderr:" >&2
			BH_PID=
			tail -n 30 "$BH_ERR" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "bulkhead run $* not ready after ${BH_READY_TIMEOUT}s; stderr:" >&2
	tail -n 30 "$BH_ERR" >&2
	return 1
}

# Stops the monitor with SIGNAL (default INT) and checks it exits 0.
bh_stop() {
	local sig=${1:-INT} i status
	[ -n "$BH_PID" ] || return 0
	kill -"$sig" "$BH_PID" 2>/dev/null || true
	for ((i = 0; i < BH_STOP_TIMEOUT * 10; i++)); do
		kill -0 "$BH_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$BH_PID" 2>/dev/null; then
		kill -KILL "$BH_PID" 2>/dev/null || true
		wait "$BH_PID" 2>/dev/null || true
		BH_PID=
		echo "bulkhead ignored SIG$sig for ${BH_STOP_TIMEOUT}s and was killed; stderr:" >&2
		tail -n 30 "$BH_ERR" >&2
		return 1
	fi
	status=0
	wait "$BH_PID" || status=$?
	BH_PID=
	if [ "$status" -ne 0 ]; then
		echo "bulkhead exited with status $status after SIG$sig; stderr:" >&2
		tail -n 30 "$BH_ERR" >&2
		return 1
	fi
}

# Prints the first stdout line of the monitor that matches the jq FILTER (a boolean
# expression on one JSON object), polling for at most TIMEOUT seconds (default 10).
wait_json() {
	local filter=$1 timeout=${2:-10} match
	# A deadline on the clock: each scan of a large output takes its own time.
	local deadline=$((SECONDS + timeout))
	while ((SECONDS <= deadline)); do
		# fromjson? skips a last line still being written.
		match=$(jq -c -R "fromjson? | select($filter)" "$BH_OUT" 2>/dev/null | head -n 1)
		if [ -n "$match" ]; then
			printf '%s\n' "$match"
			return 0
		fi
		if [ -n "$BH_PID" ] && ! kill -0 "$BH_PID" 2>/dev/null; then
			echo "bulkhead died while waiting for: $filter" >&2
			break
		fi
		sleep 0.1
	done
	{
		echo "no line matched within ${timeout}s: $filter"
		echo "--- last lines of stdout ($(wc -l <"$BH_OUT") in all):"
		tail -n 15 "$BH_OUT"
		echo "--- last lines of stderr:"
		tail -n 15 "$BH_ERR"
	} >&2
	# A syntax error in the filter would otherwise look like a missing event.
	jq -n "null | select($filter)" >/dev/null || echo "(the filter does not compile)" >&2
	return 1
}

# Checks that the JSON LINE satisfies the jq FILTER, and shows both when it does not.
json_check() {
	if ! jq -e "$2" <<<"$1" >/dev/null; then
		printf 'expected: %s\nin: %s\n' "$2" "$1" >&2
		return 1
	fi
}

# Runs `docker run --name <unique> ARGS` (no --rm: the container stays, so the monitor can
# still ask Docker about it) and sets CTR_NAME and CTR_ID. Containers go in bh_teardown.
# The container's exit status is returned; its output goes to the test's output.
ctr_run() {
	CTR_NAME=bh-e2e-$$-${BATS_TEST_NUMBER:-0}-${#BH_CONTAINERS[@]}-$RANDOM
	BH_CONTAINERS+=("$CTR_NAME")
	local status=0
	docker run --name "$CTR_NAME" "$@" || status=$?
	CTR_ID=$(docker inspect -f '{{.Id}}' "$CTR_NAME" 2>/dev/null || true)
	return "$status"
}

# jq: does the event belong to the container just run (full id and name)?
ctr_filter() {
	printf '.container.id == "%s" and .container.name == "%s"' "$CTR_ID" "$CTR_NAME"
}

# Call from teardown(): removes the test's containers and stops a monitor left running.
bh_teardown() {
	if [ ${#BH_CONTAINERS[@]} -gt 0 ]; then
		docker rm -f "${BH_CONTAINERS[@]}" >/dev/null 2>&1 || true
	fi
	BH_CONTAINERS=()
	if [ -n "$BH_PID" ]; then
		kill -KILL "$BH_PID" 2>/dev/null || true
		wait "$BH_PID" 2>/dev/null || true
		BH_PID=
	fi
}

# --- One monitor for a whole file (rules, evasion): call from setup_file / teardown_file.

# Starts `bulkhead run ARGS` for the file; stdout keeps only lines about containers (the
# host's own activity would make the file large and every wait slow).
bh_start_file() {
	export BH_OUT=$BATS_FILE_TMPDIR/bulkhead.out BH_ERR=$BATS_FILE_TMPDIR/bulkhead.err
	"$BULKHEAD" run "$@" 2>"$BH_ERR" 3>&- \
		> >(grep --line-buffered -v '"container":null' >"$BH_OUT") &
	# $! is bulkhead itself, not the filter.
	export BH_FILE_PID=$!
	local i
	for ((i = 0; i < BH_READY_TIMEOUT * 10; i++)); do
		grep -qw ready "$BH_ERR" && return 0
		kill -0 "$BH_FILE_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$BH_ERR" >&2
	return 1
}

bh_stop_file() {
	[ -n "${BH_FILE_PID:-}" ] || return 0
	kill -INT "$BH_FILE_PID" 2>/dev/null || true
	wait "$BH_FILE_PID" 2>/dev/null || true
}

# setup() and teardown() of a test under the file's monitor.
bh_file_setup() {
	bh_require docker
	# wait_json reports a dead monitor through BH_PID.
	BH_PID=$BH_FILE_PID
}

bh_file_teardown() {
	BH_PID=
	bh_teardown
}

# Runs a container whose command is the shell script $1 followed by `exec /bin/true`, and
# waits until that exec is seen: the pipeline is ordered, so every finding about the
# container's earlier calls and configuration is then on stdout (negative checks need no
# sleep). The monitor must print exec events.
ctr_script() {
	local script=$1
	shift
	ctr_run "$@" "$IMAGE" sh -c "$script; exec /bin/true" || true
	wait_json ".type == \"event\" and .event == \"exec\" and .container.id == \"$CTR_ID\" and
		.exec.filename == \"/bin/true\"" 20 >/dev/null
}

# Prints the finding RULE (with the extra jq condition $2) for the container just run.
finding() {
	wait_json ".type == \"finding\" and .rule == \"$1\" and .container.id == \"$CTR_ID\" and
		(${2:-true})"
}

# Succeeds when no finding RULE (any rule when absent) names the container just run.
no_finding() {
	local rule_filter=true matches
	[ -n "${1:-}" ] && rule_filter=".rule == \"$1\""
	matches=$(jq -c -R "fromjson? | select(.type == \"finding\" and $rule_filter and
		.container.id? == \"$CTR_ID\")" "$BH_OUT")
	if [ -n "$matches" ]; then
		echo "unexpected findings for $CTR_NAME: $matches" >&2
		return 1
	fi
}
