#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end: the container runtime's own set-up is never a finding, on both ways runc 1.1
# clones itself before `runc init` (a detached read-only bind mount: Docker's default
# runtime here; a sealed memfd: the runtime runc-memfd, scripts/runc-memfd.sh), for
# `docker run` and `docker exec`; what the workload does afterwards is judged. The agent
# runs in its shipped mode (`--events none`, kernel filters on): findings come from
# stdout, the events a test waits for from the agent's event socket.

load helpers
load runtime_paths

setup_file() {
	bh_require docker || return
	docker info --format '{{json .Runtimes}}' | grep -q '"runc-memfd"' || {
		echo "dockerd lacks the runtime runc-memfd: restart it with scripts/start-dockerd.sh" >&2
		return 1
	}
	bh_start_file --stats-interval 0 --no-http
}

teardown_file() {
	bh_stop_file
}

setup() {
	bh_file_setup
}

teardown() {
	bh_file_teardown
}

@test "runc: runc's set-up is marked by the kernel, the workload is not" {
	setup_marked runc
}

@test "runc: a default container yields exactly no-new-privileges-missing" {
	default_container runc
}

@test "runc: a hardened container yields no finding" {
	hardened_container runc
}

@test "runc: docker exec: the set-up yields nothing, the command is judged" {
	engine_exec runc
}

@test "runc: 12 containers that end at once, 4 at a time, are each judged as themselves" {
	containers_in_a_row runc
}

@test "runc-memfd: runc's set-up is marked by the kernel, the workload is not" {
	setup_marked runc-memfd
}

@test "runc-memfd: a default container yields exactly no-new-privileges-missing" {
	default_container runc-memfd
}

@test "runc-memfd: a hardened container yields no finding" {
	hardened_container runc-memfd
}

@test "runc-memfd: docker exec: the set-up yields nothing, the command is judged" {
	engine_exec runc-memfd
}

@test "a process re-executing through a detached bind mount of its binary, as runc's clone does, is judged" {
	run_with runc 'mkdir -p /m && touch /tmp/x && mount --bind /usr/local/bin/bh-trigger /tmp/x &&
		exec 3</tmp/x && umount -l /tmp/x && /proc/self/fd/3 mount-bind / /m' --cap-add SYS_ADMIN
	line=$(finding mount-in-container '.evidence.target == "/m"')
	json_check "$line" '.process.runtime_setup == null'
}
