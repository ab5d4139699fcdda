#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `bulkhead doctor` on this machine: every check passes, and each check a test can break
# (a missing BTF file, an unreadable runtime state dir, a taken port, an unusable socket
# path) fails alone with exit 1. No fixed port or path: the agent's are the test's own.

load helpers

setup() {
	bh_require || return
	command -v jq >/dev/null || bh_skip_or_fail "jq not installed (sudo make deps)"
	SOCK=$BATS_TEST_TMPDIR/run/events.sock
}

teardown() {
	[ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
}

# doctor ARGS, its log (the causes of what it reports) apart from its report.
doctor() {
	"$BULKHEAD" doctor "$@" 2>"$BATS_TEST_TMPDIR/doctor.err"
}

# Runs doctor --json with the test's own endpoints and ARGS; $output is the document.
doctor_json() {
	run doctor --json --http 127.0.0.1:0 --socket "$SOCK" "$@"
	echo "$output"
	jq -e '.schema == 1 and .type == "doctor" and (.checks | length) > 30 and
		all(.checks[]; (.check | length) > 0 and (.status | IN("ok", "warn", "fail")) and
			(.detail | length) > 0 and (.status == "ok" or (.fix | length) > 0))' \
		<<<"$output" >/dev/null
}

# The names of the failed checks, one per line.
failed() {
	jq -r '.checks[] | select(.status == "fail") | .check' <<<"$output"
}

@test "doctor: all green on this machine, as text and as one JSON document" {
	BH_DOCTOR_SECRET=s3cr3t-token-$$ run doctor --http 127.0.0.1:0 --socket "$SOCK"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "bulkhead can run here" ]
	[ "$(grep -c '^fail' <<<"$output")" = 0 ]
	# one line per check: a status, the check, what was found
	[ "$(grep -cE '^(ok|warn|fail)  ' <<<"$output")" -eq $((${#lines[@]} - 1)) ]
	[[ $output != *s3cr3t-token* ]]
	[[ $(cat "$BATS_TEST_TMPDIR/doctor.err") != *s3cr3t-token* ]]

	BH_DOCTOR_SECRET=s3cr3t-token-$$ doctor_json
	[ "$status" -eq 0 ]
	[[ $output != *s3cr3t-token* ]]
	jq -e '.can_run' <<<"$output"
	[ -z "$(failed)" ]
	# every part of the brief is checked: features, each program's attach point, the node
	for c in privileges kernel btf ringbuf task-storage helper:bpf_task_pt_regs \
		helper:bpf_ringbuf_output tracefs attach:tp/syscalls/sys_exit_mount \
		attach:tp_btf/sched_process_exec lockdown memlock ia32 cgroup runtime-sockets \
		api:docker http event-socket; do
		jq -e --arg c "$c" 'any(.checks[]; .check == $c and .status == "ok")' <<<"$output" ||
			{ echo "check $c is missing or not ok" >&2; return 1; }
	done
	# the event socket was created for the test and removed again
	[ ! -e "$SOCK" ]
}

@test "doctor: a missing BTF file (--btf) fails the btf check, exit 1" {
	doctor_json --btf "$BATS_TEST_TMPDIR/no-such-vmlinux"
	[ "$status" -eq 1 ]
	[ "$(failed)" = btf ]
	jq -e '.can_run == false' <<<"$output"
	jq -e '.checks[] | select(.check == "btf") | .detail | contains("no-such-vmlinux")' <<<"$output"
	# a file that is no BTF is refused too
	echo 'not BTF' >"$BATS_TEST_TMPDIR/vmlinux"
	doctor_json --btf "$BATS_TEST_TMPDIR/vmlinux"
	[ "$status" -eq 1 ]
	[ "$(failed)" = btf ]
	run doctor --btf "$BATS_TEST_TMPDIR/vmlinux" --http 127.0.0.1:0 --socket "$SOCK"
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "bulkhead cannot run here"* ]]
	grep -q '^fail  btf .*; fix: ' <<<"$output"
}

@test "doctor: an unreadable runtime state dir under --host-root fails its check, exit 1" {
	# Root reads any mode: the state dir is made unreadable by being a file, not a directory.
	local root=$BATS_TEST_TMPDIR/host
	mkdir -p "$root/run/containerd" "$root/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby"
	: >"$root/run/containerd/io.containerd.runtime.v2.task"
	doctor_json --host-root "$root"
	[ "$status" -eq 1 ]
	[ "$(failed)" = state-dir:/run/containerd/io.containerd.runtime.v2.task ]
	jq -e '.checks[] | select(.check == "state-dir:/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby") |
		.status == "ok"' <<<"$output"
	# no API socket under that root: warned about, not failed
	jq -e '.checks[] | select(.check == "runtime-sockets") | .status == "warn"' <<<"$output"
}

@test "doctor: a taken HTTP port fails the http check, exit 1" {
	command -v python3 >/dev/null || bh_skip_or_fail "python3 not installed (sudo make deps)"
	local port_file=$BATS_TEST_TMPDIR/port
	python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(120)' "$port_file" 3>&- &
	LISTENER=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$port_file" ] && break
		sleep 0.05
	done
	port=$(cat "$port_file")
	run doctor --json --http "127.0.0.1:$port" --socket "$SOCK"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(failed)" = http ]
	jq -e --arg p "127.0.0.1:$port" '.checks[] | select(.check == "http") |
		(.detail | contains($p)) and (.fix | contains("--http"))' <<<"$output"
	# --no-http: nothing to bind, nothing checked
	run doctor --json --no-http --socket "$SOCK"
	[ "$status" -eq 0 ]
	jq -e 'all(.checks[]; .check != "http")' <<<"$output"
}

@test "doctor: an event socket path in a missing or unwritable place fails, exit 1" {
	: >"$BATS_TEST_TMPDIR/file"
	doctor_json --socket "$BATS_TEST_TMPDIR/file/events.sock"
	[ "$status" -eq 1 ]
	[ "$(failed)" = event-socket ]
	# the agent creates one missing directory (mode 0700), not a missing tree
	SOCK=$BATS_TEST_TMPDIR/missing/deeper/events.sock doctor_json
	[ "$status" -eq 1 ]
	[ "$(failed)" = event-socket ]
}

@test "doctor: usage errors exit 2" {
	run "$BULKHEAD" doctor --btf
	[ "$status" -eq 2 ]
	run "$BULKHEAD" doctor --output x
	[ "$status" -eq 2 ]
	[[ $output == *"--output belongs to 'record' and 'advise', not 'doctor'"* ]]
	run "$BULKHEAD" doctor extra
	[ "$status" -eq 2 ]
	run "$BULKHEAD" run --btf /x
	[ "$status" -eq 2 ]
	[[ $output == *"--btf belongs to 'doctor', not 'run'"* ]]
}
