#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end: `bulkhead top` in a real terminal (tmux, 100x30) against real Docker, with its
# own collector and attached to a running agent's socket; keys, exit paths, terminal restore.

load helpers

setup_file() {
	export TOP_TMUX="bh-top-$$" TOP_CMD="$BULKHEAD top"
}

teardown() {
	tmux -L "$TOP_TMUX" kill-server 2>/dev/null || true
	bh_teardown
}

# Runs `top ARGS` in a tmux pane of COLSxROWS; the pane's shell then prints TOP-EXIT=<status>.
top_start() {
	local cols=$1 rows=$2
	shift 2
	command -v tmux >/dev/null || bh_skip_or_fail "tmux not installed (sudo make deps)" || return
	tmux -L "$TOP_TMUX" new-session -d -s top -x "$cols" -y "$rows" \
		"$TOP_CMD $*; echo TOP-EXIT=\$?; sleep 600"
}

screen() {
	tmux -L "$TOP_TMUX" capture-pane -p -t top
}

# Waits until the screen shows TEXT (a fixed string), at most TIMEOUT seconds (default 20).
wait_screen() {
	local text=$1 timeout=${2:-20} i
	for ((i = 0; i < timeout * 10; i++)); do
		if screen | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.1
	done
	echo "the screen never showed: $text; it shows:" >&2
	screen >&2
	return 1
}

keys() {
	tmux -L "$TOP_TMUX" send-keys -t top "$@"
}

# After top left: its exit status is printed, the alternate screen is off, the cursor on.
assert_restored() {
	wait_screen "TOP-EXIT=${1:-0}" 10
	[ "$(tmux -L "$TOP_TMUX" display -p -t top '#{alternate_on}')" = 0 ]
	[ "$(tmux -L "$TOP_TMUX" display -p -t top '#{cursor_flag}')" = 1 ]
}

@test "top: stdout not a terminal is refused with exit 2" {
	bh_require_binary
	run $TOP_CMD </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"needs a terminal"* ]]
}

@test "top: a terminal smaller than 80x24 is refused with exit 1" {
	bh_require_binary
	top_start 70 20
	wait_screen "the terminal is 70x20; it needs at least 80x24"
	assert_restored 1
}

@test "top: own collector shows a container with a bad flag and its finding; keys; q" {
	bh_require docker
	local pid
	# No agent at this path: top starts its own collector.
	top_start 100 30 --socket "$BATS_TEST_TMPDIR/no-agent.sock"
	wait_screen "collector: ready" 60
	pid=$(screen | sed -n 's/.*own collector (pid \([0-9]*\)).*/\1/p')
	[ -n "$pid" ]
	ctr_run -d --cap-add SYS_ADMIN "$IMAGE" sleep 30 >/dev/null
	wait_screen "$CTR_NAME"
	wait_screen "dangerous-capability"
	screen | grep -F "${CTR_ID:0:12} $CTR_NAME" | grep -qF "local/busybox:1"

	# '/' and the name: the table keeps that container alone.
	keys / "$CTR_NAME" Enter
	wait_screen "filter: $CTR_NAME"
	screen | grep -q 'CONTAINERS 1 of'
	# The feed keeps this container's findings: the bad flag's is there.
	wait_screen "HIGH dangerous-capability"
	screen | grep -F ">${CTR_ID:0:12}" | grep -qF "$CTR_NAME"
	# Enter: the container's detail with its findings.
	keys Enter
	wait_screen "DETAIL  container $CTR_NAME"
	wait_screen "dangerous-capability"
	keys Escape Tab Enter
	wait_screen "DETAIL  finding #"
	wait_screen "remediation: "
	keys Escape
	wait_screen "FINDINGS"

	keys q
	assert_restored 0
	# The collector top started is gone with it.
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$pid" 2>/dev/null || false
}

@test "top: attached to a running agent; ^C leaves top, the agent runs on" {
	bh_require docker
	local sock=$BATS_TEST_TMPDIR/events.sock
	# The agent as it ships (default mode): its socket still carries every event it receives.
	bh_start --socket "$sock"
	[ "$(stat -c %a "$sock")" = 600 ]

	top_start 100 30 --socket "$sock"
	wait_screen "agent $sock"
	ctr_run -d --cap-add SYS_ADMIN "$IMAGE" sleep 30 >/dev/null
	wait_screen "$CTR_NAME"
	wait_screen "dangerous-capability"
	keys / "$CTR_NAME" Enter
	wait_screen "filter: $CTR_NAME"
	wait_screen "HIGH dangerous-capability"
	# Its container-stop line takes the row away; its findings stay in the feed.
	docker rm -f "$CTR_ID" >/dev/null
	wait_screen "CONTAINERS 0 of" 30
	screen | grep -qF "HIGH dangerous-capability"
	keys C-c
	assert_restored 0
	# Leaving top never stops the agent.
	kill -0 "$BH_PID"
}

@test "top: attached after a container started, shows the findings open on it" {
	bh_require docker
	local sock=$BATS_TEST_TMPDIR/events.sock
	bh_start --socket "$sock"
	ctr_run -d --cap-add SYS_ADMIN "$IMAGE" sleep 30 >/dev/null
	# Reported before top comes: the agent sends top what is open when it attaches.
	finding dangerous-capability >/dev/null

	top_start 100 30 --socket "$sock"
	wait_screen "agent $sock"
	keys / "$CTR_NAME" Enter
	wait_screen "filter: $CTR_NAME"
	wait_screen "HIGH dangerous-capability"
	screen | grep -F "${CTR_ID:0:12} $CTR_NAME" | grep -q "HIGH"
	keys Enter
	wait_screen "DETAIL  container $CTR_NAME"
	wait_screen "open findings: critical 0, high 1"
}

@test "top: 'a' advises the selected container: its running profile in its details" {
	bh_require docker
	local ip
	top_start 120 50 --socket "$BATS_TEST_TMPDIR/no-agent.sock"
	wait_screen "collector: ready" 60
	ctr_run -d "$IMAGE" httpd -f -p 8080 -h /etc >/dev/null
	wait_screen "$CTR_NAME"
	keys / "$CTR_NAME" Enter
	wait_screen "filter: $CTR_NAME"
	keys a
	wait_screen "advising ${CTR_ID:0:12}" 30
	keys Enter
	wait_screen "running profile (advising; a stops)"
	wait_screen "Ports listened on:"
	# A request to it: the calls it makes now show up (accept, and sendfile for the page).
	ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$CTR_NAME")
	printf 'GET /hostname HTTP/1.0\r\n\r\n' | busybox nc -w 5 "$ip" 8080
	wait_screen "sendfile"
	keys Escape a
	wait_screen "stopped advising ${CTR_ID:0:12}"
	keys q
	assert_restored 0
}
