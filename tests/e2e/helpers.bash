# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Shared bats helpers: run the real bulkhead binary, wait for its JSON lines, manage containers.
#
# Load with `load helpers` and call `bh_teardown` from teardown(). Tests that judge findings
# run the agent as it ships (no --events: the kernel filters on): findings come from its
# stdout ($BH_OUT), events from its event socket, which carries every event the agent
# received, copied to $BH_EVENTS by bh_attach. Environment:
#   O                      build folder (default build), BULKHEAD defaults to $O/bulkhead
#   BULKHEAD_TEST_IMAGE    the busybox test image (default local/busybox:1)
#   BULKHEAD_REQUIRE_BPF=1 a missing prerequisite (root, binary, Docker) fails, never skips
#   BH_ENGINE              what ctr_run runs containers with: docker (default) or podman

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
BH_READER_PID=
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
		# bh_attach reads the event socket with it
		command -v python3 >/dev/null ||
			bh_skip_or_fail "python3 not installed (sudo make deps)" || return
	fi
}

# Starts `bulkhead run ARGS` in the background (stdout to $BH_OUT, stderr to $BH_ERR) and
# waits until it logs that its programs are attached.
bh_start() {
	BH_OUT=$BATS_TEST_TMPDIR/bulkhead.out
	BH_ERR=$BATS_TEST_TMPDIR/bulkhead.err
	: >"$BH_OUT"
	: >"$BH_ERR"
	local i status own=()
	# Agents of other runs may be up on this node: no fixed port or socket path unless the
	# test names them (port 0: the kernel picks one; the log line says which).
	[[ " $* " == *" --http "* || " $* " == *" --no-http "* ]] || own+=(--http 127.0.0.1:0)
	[[ " $* " == *" --socket "* || " $* " == *" --no-socket "* ]] ||
		own+=(--socket "$BATS_TEST_TMPDIR/bh-events.sock")
	# fd 3 is bats' own output channel: a background process holding it stalls bats.
	# The shell starts it with SIGINT ignored (a background job): bulkhead must stop anyway.
	"$BULKHEAD" run "${own[@]}" "$@" >"$BH_OUT" 2>"$BH_ERR" 3>&- &
	BH_PID=$!
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

# The HTTP port the agent started by bh_start logged ("serving ... on port N (ADDR)").
bh_http_port() {
	sed -n 's/.*serving .* on port \([0-9]*\) .*/\1/p' "$BH_ERR" | head -n 1
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

# Prints the first line of FILE that matches the jq FILTER (a boolean expression on one JSON
# object), polling for at most TIMEOUT seconds (default 10). KEY, a string every matching
# line holds (a container id), spares jq the other lines of a large file.
wait_line() {
	local file=$1 filter=$2 timeout=${3:-10} key=${4:-} match
	# A deadline on the clock: each scan of a large output takes its own time.
	local deadline=$((SECONDS + timeout))
	while ((SECONDS <= deadline)); do
		# fromjson? skips a last line still being written.
		match=$(grep -F -- "$key" "$file" | jq -c -R "fromjson? | select($filter)" 2>/dev/null |
			head -n 1)
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
		echo "no line of $file matched within ${timeout}s: $filter"
		echo "--- last lines ($(wc -l <"$file") in all):"
		tail -n 15 "$file"
		echo "--- last lines of stderr:"
		tail -n 15 "$BH_ERR"
	} >&2
	# A syntax error in the filter would otherwise look like a missing event.
	jq -n "null | select($filter)" >/dev/null || echo "(the filter does not compile)" >&2
	return 1
}

# The first stdout line of the monitor that matches the jq FILTER, within TIMEOUT seconds.
wait_json() {
	wait_line "$BH_OUT" "$@"
}

# The first event line (jq FILTER) the event socket carried, within TIMEOUT seconds.
wait_event() {
	wait_line "$BH_EVENTS" ".type == \"event\" and ($1)" "${@:2}"
}

# Copies the agent's event socket SOCK to FILE (default: events.out in the test's folder),
# named by BH_EVENTS, until the agent closes it. Call once the agent is ready: it accepts
# the client in its first loop round, before a container the test starts can run.
bh_attach() {
	BH_EVENTS=${2:-$BATS_TEST_TMPDIR/events.out}
	: >"$BH_EVENTS"
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
while data := s.recv(65536):
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()' "$1" >"$BH_EVENTS" 3>&- &
	BH_READER_PID=$!
}

# Checks that the JSON LINE satisfies the jq FILTER, and shows both when it does not.
json_check() {
	if ! jq -e "$2" <<<"$1" >/dev/null; then
		printf 'expected: %s\nin: %s\n' "$2" "$1" >&2
		return 1
	fi
}

# Runs `$BH_ENGINE run --name <unique> ARGS` (no --rm: the container stays, so the monitor
# can still ask the engine about it) and sets CTR_NAME and CTR_ID. Containers go in
# bh_teardown.
# The container's exit status is returned; its output goes to the test's output. The name
# starts with $CTR_PREFIX (default bh-e2e), for tests of name-based policy.
ctr_run() {
	CTR_NAME=${CTR_PREFIX:-bh-e2e}-$$-${BATS_TEST_NUMBER:-0}-${#BH_CONTAINERS[@]}-$RANDOM
	BH_CONTAINERS+=("$CTR_NAME")
	local status=0
	"${BH_ENGINE:-docker}" run --name "$CTR_NAME" "$@" || status=$?
	CTR_ID=$("${BH_ENGINE:-docker}" inspect -f '{{.Id}}' "$CTR_NAME" 2>/dev/null || true)
	return "$status"
}

# jq: does the event belong to the container just run (full id and name)?
ctr_filter() {
	printf '.container.id == "%s" and .container.name == "%s"' "$CTR_ID" "$CTR_NAME"
}

# Call from teardown(): removes the test's containers and stops a monitor left running.
bh_teardown() {
	if [ ${#BH_CONTAINERS[@]} -gt 0 ]; then
		case ${BH_ENGINE:-docker} in
		# podman would wait 10 s for each to stop
		podman) podman rm -f -t 0 "${BH_CONTAINERS[@]}" >/dev/null 2>&1 || true ;;
		*) docker rm -f "${BH_CONTAINERS[@]}" >/dev/null 2>&1 || true ;;
		esac
	fi
	BH_CONTAINERS=()
	if [ -n "$BH_PID" ]; then
		kill -KILL "$BH_PID" 2>/dev/null || true
		wait "$BH_PID" 2>/dev/null || true
		BH_PID=
	fi
	# The reader ends with the agent's socket; one left is the test's to stop.
	if [ -n "$BH_READER_PID" ]; then
		kill "$BH_READER_PID" 2>/dev/null || true
		wait "$BH_READER_PID" 2>/dev/null || true
		BH_READER_PID=
	fi
}

# --- One monitor for a whole file (rules, evasion): call from setup_file / teardown_file.

# Starts `bulkhead run ARGS` for the file with its event socket copied to $BH_EVENTS.
bh_start_file() {
	export BH_OUT=$BATS_FILE_TMPDIR/bulkhead.out BH_ERR=$BATS_FILE_TMPDIR/bulkhead.err
	export BH_EVENTS=$BATS_FILE_TMPDIR/events.out
	local sock=$BATS_FILE_TMPDIR/events.sock i
	"$BULKHEAD" run --socket "$sock" "$@" >"$BH_OUT" 2>"$BH_ERR" 3>&- &
	export BH_FILE_PID=$!
	for ((i = 0; i < BH_READY_TIMEOUT * 10; i++)); do
		if grep -qw ready "$BH_ERR"; then
			bh_attach "$sock" "$BH_EVENTS"
			export BH_FILE_READER_PID=$BH_READER_PID
			BH_READER_PID=
			return 0
		fi
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
	# The agent closed the socket: the reader has ended or ends now.
	wait "${BH_FILE_READER_PID:-}" 2>/dev/null || true
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

# Runs a container whose command is the shell script $1 and then, only if the script
# succeeded, `exec /bin/true`; fails when the script failed. SCRIPT must say in its exit
# status whether its action happened: write it as one && chain, and where a step is meant to
# fail, check that it failed for the intended reason. Then waits until the agent is past
# that exec (ctr_settled): negative checks need no sleep.
ctr_script() {
	local script=$1 status=0
	shift
	ctr_run "$@" "$IMAGE" sh -c "$script && exec /bin/true" || status=$?
	if [ "$status" -ne 0 ]; then
		echo "the container's script failed with status $status: $script" >&2
		return 1
	fi
	ctr_settled
}

# Prints a script step for ctr_script: COMMAND runs a copy of busybox under a name busybox
# has no applet for (sshd, dockerd, ...). The exec is the action judged; the program then
# fails, and must fail for that reason alone.
applet_missing() {
	printf '%s 2>&1 | grep -q "applet not found"' "$*"
}

# Waits for the container's final `exec /bin/true` on the event socket, then until stdout
# holds as many of the container's finding and lifecycle lines as the socket carried before
# that exec. The agent writes each line to both in one call, in one order, but stdout
# through a writer thread: once stdout holds them, it holds every finding about the
# container's configuration and about its calls up to that exec.
ctr_settled() {
	local want have deadline=$((SECONDS + 10))
	wait_event ".event == \"exec\" and .container.id == \"$CTR_ID\" and
		.exec.filename == \"/bin/true\"" 20 "$CTR_ID" >/dev/null || return
	want=$(ctr_lines "$BH_EVENTS" true | jq -n '[inputs] |
		(map(.type == "event" and .event == "exec" and .exec.filename == "/bin/true") |
		index(true)) as $marker | .[:$marker] | map(select(.type != "event")) | length')
	while have=$(ctr_lines "$BH_OUT" '.type != "event"' | wc -l) && [ "$have" -lt "$want" ]; do
		if ((SECONDS > deadline)); then
			echo "stdout has $have lines about $CTR_NAME, the event socket had $want" >&2
			return 1
		fi
		sleep 0.05
	done
}

# Prints the lines of FILE (jq FILTER) about the container just run, without waiting.
ctr_lines() {
	grep -F -- "$CTR_ID" "$1" |
		jq -c -R "fromjson? | select(.container.id? == \"$CTR_ID\" and ($2))"
}

# The container's findings on stdout, and the events the agent received of it (jq FILTER).
ctr_findings() {
	ctr_lines "$BH_OUT" ".type == \"finding\" and (${1:-true})"
}

ctr_events() {
	ctr_lines "$BH_EVENTS" ".type == \"event\" and (${1:-true})"
}

# jq: the container's final exec, whose record shows its capabilities, seccomp mode,
# no_new_privs and namespaces as the kernel had them, with the extra condition $1.
final_exec() {
	printf '.event == "exec" and .exec.filename == "/bin/true" and (%s)' "$1"
}

# Succeeds when the agent received an event (jq FILTER) of the container just run: the
# proof that a negative check's action happened and reached the rules. After ctr_script
# no wait is needed: the socket carried it before the container's final exec.
saw_event() {
	[ -n "$(ctr_events "$1")" ] && return 0
	echo "the agent received no event of $CTR_NAME that matches: $1; its events:" >&2
	ctr_events | cut -c1-400 >&2
	return 1
}

# Prints the finding RULE (with the extra jq condition $2) for the container just run.
finding() {
	wait_json ".type == \"finding\" and .rule == \"$1\" and .container.id == \"$CTR_ID\" and
		(${2:-true})" 10 "$CTR_ID"
}

# Succeeds when no finding RULE (any rule when absent) names the container just run.
no_finding() {
	local rule_filter=true matches
	[ -n "${1:-}" ] && rule_filter=".rule == \"$1\""
	matches=$(ctr_findings "$rule_filter")
	if [ -n "$matches" ]; then
		echo "unexpected findings for $CTR_NAME: $matches" >&2
		return 1
	fi
}
