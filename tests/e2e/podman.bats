#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end with real podman containers (podman 4 with runc, as scripts/podman-env.sh sets
# it up): runc's set-up is never a finding on either of its clone paths, for `podman run`
# and `podman exec`; a container is named from podman's store while podman's API is not
# served, and from the API (published ports too) while it is; the rules judge what podman
# containers are given. The agent runs in its shipped mode (`--events none`).

load helpers
load runtime_paths

setup_file() {
	bh_require docker || return
	command -v podman >/dev/null || bh_skip_or_fail "podman not installed (sudo make deps)" ||
		return
	CONTAINERS_CONF=$("$BH_REPO/scripts/podman-env.sh") || return
	export CONTAINERS_CONF BH_ENGINE=podman
	# podman is daemonless: first without its API, as it most often runs
	"$BH_REPO/scripts/podman-env.sh" --stop-service
	bh_start_file --stats-interval 0 --no-http
}

teardown_file() {
	bh_stop_file
	"$BH_REPO/scripts/podman-env.sh" --stop-service
}

setup() {
	bh_file_setup
}

teardown() {
	bh_file_teardown
}

@test "podman runc: runc's set-up is marked by the kernel, the workload is not" {
	setup_marked runc
}

@test "podman runc: a default container yields exactly no-new-privileges-missing" {
	default_container runc
}

@test "podman runc: a hardened container yields no finding" {
	hardened_container runc
}

@test "podman runc: podman exec: the set-up yields nothing, the command is judged" {
	engine_exec runc
}

@test "podman runc: 12 containers that end at once, 4 at a time, are each judged as themselves" {
	containers_in_a_row runc
}

@test "podman runc-memfd: runc's set-up is marked by the kernel, the workload is not" {
	setup_marked runc-memfd
}

@test "podman runc-memfd: a default container yields exactly no-new-privileges-missing" {
	default_container runc-memfd
}

@test "podman runc-memfd: a hardened container yields no finding" {
	hardened_container runc-memfd
}

@test "podman runc-memfd: podman exec: the set-up yields nothing, the command is judged" {
	engine_exec runc-memfd
}

@test "podman without its API: the container's name and image come from podman's store" {
	ctr_script true
	line=$(finding no-new-privileges-missing)
	json_check "$line" ".container.runtime == \"podman\" and .container.name == \"$CTR_NAME\" and
		.container.image == \"localhost/$IMAGE\""
}

@test "podman: a privileged container with the host's /etc writable is judged" {
	ctr_script true --privileged -v /etc:/host-etc
	finding privileged-container >/dev/null
	line=$(finding sensitive-mount-writable)
	json_check "$line" '[.evidence.mounts[].source] == ["/etc"]'
}

@test "podman with its API: name, image and published ports come from the API" {
	"$BH_REPO/scripts/podman-env.sh" --service >/dev/null
	ctr_script true -p 127.0.0.1:80:80
	line=$(finding privileged-port-binding)
	json_check "$line" ".container.name == \"$CTR_NAME\" and
		.container.image == \"localhost/$IMAGE\""
	[ "$(rules_of_container)" = no-new-privileges-missing,privileged-port-binding ] ||
		{ echo "findings: $(rules_of_container)" >&2; return 1; }
}
