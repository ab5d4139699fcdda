#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The audit's host and daemon checks on this machine, held against what the running dockerd
# itself reports (docker info, the bridge network) and what stat says of its socket.

load helpers

setup_file() {
	export CHECKS=$BATS_FILE_TMPDIR/checks.jsonl
}

# The host section of `bulkhead audit` as one JSON line per check; ARGS go to the audit.
host_checks() {
	"$BULKHEAD" audit --format json "$@" | jq -c '.host.checks[]'
}

# Root (other users' /proc/PID/fd) and dockerd answering; then the checks.
require_dockerd() {
	bh_require_binary || return
	[ "$(id -u)" -eq 0 ] || bh_skip_or_fail "reading dockerd's /proc/PID/fd needs root" || return
	timeout 10 docker info >/dev/null 2>&1 ||
		bh_skip_or_fail "Docker does not answer (scripts/start-dockerd.sh)" || return
	host_checks >"$CHECKS"
	INFO=$(timeout 10 docker info --format '{{json .}}')
}

# The verdict of check ID.
verdict() {
	jq -r --arg id "$1" 'select(.id == $id) | .verdict' "$CHECKS"
}

evidence() {
	jq -r --arg id "$1" 'select(.id == $id) | .evidence' "$CHECKS"
}

# PASS when docker info's jq FILTER holds, FAIL otherwise.
expected() {
	if jq -e "$1" <<<"$INFO" >/dev/null; then echo PASS; else echo FAIL; fi
}

check_is() {
	local got
	got=$(verdict "$1")
	[ "$got" = "$2" ] || {
		echo "$1: $got, expected $2 ($(evidence "$1"))" >&2
		return 1
	}
}

@test "dockerd is found by the socket it listens on: the pid of the running dockerd" {
	require_dockerd || return
	local pid
	check_is daemon-docker-endpoints PASS
	pid=$(evidence daemon-docker-endpoints | sed -n 's/^dockerd (pid \([0-9]*\)).*/\1/p')
	[ -n "$pid" ]
	# a cross-check by name, which the audit itself never uses
	pgrep -x dockerd | grep -qx "$pid"
	# every dockerd default was judged on that process, none left N/A
	[ "$(jq -r 'select(.id | startswith("daemon-docker-")) | .verdict' "$CHECKS" |
		grep -c 'N/A')" -eq 0 ]
}

@test "dockerd's defaults: each verdict is what docker info reports" {
	require_dockerd || return
	check_is daemon-docker-live-restore "$(expected '.LiveRestoreEnabled')"
	check_is daemon-docker-no-new-privileges \
		"$(expected '.SecurityOptions | index("name=no-new-privileges") != null')"
	check_is daemon-docker-userns-remap \
		"$(expected '.SecurityOptions | any(startswith("name=userns"))')"
	check_is daemon-docker-seccomp \
		"$(expected '.SecurityOptions | index("name=seccomp,profile=unconfined") == null')"
	check_is daemon-docker-experimental "$(expected '.ExperimentalBuild | not')"
	check_is daemon-docker-authorization "$(expected '(.Plugins.Authorization // []) | length > 0')"
	check_is daemon-docker-insecure-registries \
		"$(expected '([.RegistryConfig.IndexConfigs[] | select(.Secure | not)] | length == 0)
			and (.RegistryConfig.InsecureRegistryCIDRs - ["127.0.0.0/8"] | length == 0)')"
	local icc
	icc=$(docker network inspect bridge \
		--format '{{index .Options "com.docker.network.bridge.enable_icc"}}')
	if [ "$icc" = false ]; then check_is daemon-docker-icc PASS; else check_is daemon-docker-icc FAIL; fi
	check_is daemon-docker-config PASS
}

@test "the host's MAC and the Docker socket: what docker info and stat say" {
	require_dockerd || return
	# dockerd lists apparmor or selinux in its security options when the host enables it
	if jq -e '.SecurityOptions | any(. == "name=apparmor" or . == "name=selinux")' \
		<<<"$INFO" >/dev/null; then
		[ "$(verdict host-mac)" != FAIL ] || evidence host-mac >&2
	else
		check_is host-mac FAIL
		evidence host-mac | grep -q 'neither AppArmor'
	fi
	local owner mode
	read -r owner mode < <(stat -L -c '%U:%G %a' /var/run/docker.sock)
	if [[ $owner =~ ^root:(root|docker)$ ]] && [ $((8#$mode & ~8#660)) -eq 0 ]; then
		check_is socket-docker PASS
	else
		check_is socket-docker FAIL
	fi
	evidence socket-docker | grep -q "mode 0$mode"
}

@test "podman's API service on a socket of its own: found by kernel state, unix only" {
	require_dockerd || return
	command -v podman >/dev/null || bh_skip_or_fail "podman not installed (sudo make deps)" || return
	local dir=$BATS_TEST_TMPDIR/podman sock pid mode i
	mkdir -p "$dir"
	sock=$dir/podman.sock
	# serving the API runs no container: the host's podman configuration will do
	podman system service --time=0 "unix://$sock" >"$dir/log" 2>&1 &
	pid=$!
	for i in $(seq 100); do
		grep -q " $sock\$" /proc/net/unix && break
		sleep 0.1
	done
	mode=$(stat -c %a "$sock")
	host_checks --podman-socket "$sock" >"$CHECKS"
	kill "$pid"
	wait "$pid" || true
	check_is daemon-podman-endpoints PASS
	evidence daemon-podman-endpoints | grep -q "^podman service (pid $pid) listens on TCP none"
	check_is socket-podman PASS
	evidence socket-podman | grep -q "mode 0$mode"
}

@test "containerd: found by its socket when it runs, N/A saying so when not" {
	require_dockerd || return
	if [ -S /run/containerd/containerd.sock ] && pgrep -x containerd >/dev/null; then
		local pid
		pid=$(evidence daemon-containerd-endpoints | sed -n 's/^containerd (pid \([0-9]*\)).*/\1/p')
		[ -n "$pid" ] || { evidence daemon-containerd-endpoints >&2; return 1; }
		pgrep -x containerd | grep -qx "$pid"
	else
		check_is daemon-containerd-endpoints N/A
	fi
	# every check once: 17 lines
	[ "$(wc -l <"$CHECKS")" -eq 17 ]
}
