#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end: every hardening rule fires on its real scenario (a real container with the bad
# flag or action) and stays silent on the hardened form. One monitor, in the default mode
# (kernel filters on, as it ships), serves the whole file; each test judges only its own
# containers. A container runs its script and then `exec /bin/true` (ctr_script): once the
# event socket carried that exec and stdout caught up, every finding about the container is
# on stdout, so a negative case needs no sleep. Each negative case proves its action
# happened: an event the agent received, or the script's own check inside the container.

load helpers

setup_file() {
	bh_require docker || return
	export BH_POLICY=$BATS_FILE_TMPDIR/policy.yaml
	cat >"$BH_POLICY" <<-'YAML'
	allow:
	  - rules: [docker-socket-mount, docker-socket-access]
	    container_name: "bh-allowed-*"
	YAML
	bh_start_file --stats-interval 0 --no-http --policy "$BH_POLICY"
}

teardown_file() {
	bh_stop_file
}

setup() {
	bh_file_setup
}

teardown() {
	bh_file_teardown
	# the shared-propagation test's source mount, also when it failed half-way
	! mountpoint -q "$BATS_TEST_TMPDIR/shared-src" || umount "$BATS_TEST_TMPDIR/shared-src"
}

@test "docker-socket-access: a connect through a bind mount at another path" {
	ctr_script 'bh-trigger connect-unix /s' -v /var/run/docker.sock:/s
	line=$(finding docker-socket-access)
	json_check "$line" '.severity == "critical" and .container.name != null'
	json_check "$line" '.evidence.peer_path == "/var/run/docker.sock"'
	json_check "$line" '.process.exe == "/usr/local/bin/bh-trigger" and .event == "connect"'
	json_check "$line" '(.remediation | length) > 0 and (.summary | length) > 0'
}

@test "docker-socket-access: a symlink and a relative path resolve to the daemon's socket" {
	ctr_script 'ln -s /s /tmp/l && bh-trigger connect-unix /tmp/l && cd / && bh-trigger connect-unix s' \
		-v /var/run/docker.sock:/s
	line=$(finding docker-socket-access)
	json_check "$line" '.evidence.peer_path == "/var/run/docker.sock"'
}

@test "docker-socket-access: silent without the socket" {
	# Meant to fail: the container has no /s. It must fail for that reason (ENOENT).
	ctr_script 'bh-trigger connect-unix /s 2>&1 | grep -q "connect /s: No such file or directory"'
	no_finding docker-socket-access
	no_finding docker-socket-mount
}

@test "docker-socket-mount: runtime socket bind-mounted in" {
	ctr_script true -v /var/run/docker.sock:/var/run/docker.sock
	line=$(finding docker-socket-mount)
	json_check "$line" '.severity == "high"'
	json_check "$line" 'tostring | contains("/var/run/docker.sock")'
}

@test "allow-list: a container named by the policy may use the socket" {
	CTR_PREFIX=bh-allowed ctr_script 'bh-trigger connect-unix /s' -v /var/run/docker.sock:/s
	# The agent received the connect to the daemon's socket, and let it pass.
	saw_event '.event == "connect" and .connect.peer_path == "/var/run/docker.sock"'
	no_finding docker-socket-mount
	no_finding docker-socket-access
}

@test "sensitive-mount-writable: /etc mounted writable; read-only is compliant" {
	ctr_script true -v /etc:/host-etc
	line=$(finding sensitive-mount-writable)
	json_check "$line" '.severity == "high" and (tostring | contains("/etc"))'
	# The mount is there and refuses writes.
	ctr_script '[ -s /host-etc/passwd ] &&
		touch /host-etc/bh-probe 2>&1 | grep -q "Read-only file system"' -v /etc:/host-etc:ro
	no_finding sensitive-mount-writable
}

@test "privileged-container: the privileged-equivalent flags" {
	# --privileged cannot start on these machines (no CAP_SYS_RESOURCE in the sandbox);
	# the Privileged=true path is unit-tested from a recorded API response.
	ctr_script true --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined
	line=$(finding privileged-container)
	json_check "$line" '.severity == "critical"'
}

@test "privileged-container: one added capability is not privileged" {
	ctr_script true --cap-add NET_ADMIN
	saw_event "$(final_exec 'any(.exec.caps_effective[]; . == "CAP_NET_ADMIN")')"
	no_finding privileged-container
}

@test "dangerous-capability: --cap-add SYS_ADMIN is named; the default set is not" {
	ctr_script true --cap-add SYS_ADMIN
	line=$(finding dangerous-capability)
	json_check "$line" '.evidence.capabilities | any(. == "CAP_SYS_ADMIN")'
	ctr_script true
	# docker's default set, 14 capabilities
	saw_event "$(final_exec '.exec.cap_effective == "0x00000000a80425fb"')"
	no_finding dangerous-capability
}

@test "setuid-escalation: a setuid binary run by nobody; silent with no-new-privileges" {
	# argv[0] names the applet: busybox has none called sbb
	local script='cp /bin/busybox /tmp/sbb && chmod 4755 /tmp/sbb &&
		su -s /bin/sh nobody -c "bh-trigger exec-as /tmp/sbb true"'
	ctr_script "$script"
	line=$(finding setuid-escalation)
	json_check "$line" '.severity == "high" and .process.exe == "/tmp/sbb"'
	ctr_script "$script" --security-opt no-new-privileges
	# nobody ran the setuid binary, and no_new_privs kept its euid
	saw_event '.event == "exec" and .process.exe == "/tmp/sbb" and .process.uid == 65534 and
		.process.euid == 65534'
	no_finding setuid-escalation
}

@test "ssh-daemon-in-container: an exe named sshd, and a renamed one listening on 22" {
	ctr_script "cp /bin/busybox /usr/sbin/sshd && $(applet_missing /usr/sbin/sshd -D)"
	finding ssh-daemon-in-container >/dev/null
	ctr_script 'cp /usr/local/bin/bh-trigger /tmp/web && /tmp/web bind-listen 22'
	line=$(finding ssh-daemon-in-container)
	json_check "$line" '.severity == "medium"'
}

@test "ssh-daemon-in-container: a listener on 8080 is not ssh" {
	ctr_script 'bh-trigger bind-listen 8080' --expose 8080
	saw_event '.event == "listen" and .listen.port == 8080'
	no_finding ssh-daemon-in-container
	no_finding unexpected-listening-port
}

@test "privileged-port-binding: host port 993 published; 18093 is fine" {
	ctr_script true -p 993:80
	line=$(finding privileged-port-binding)
	json_check "$line" 'tostring | contains("993")'
	ctr_script true -p 18093:80
	# The agent received the exec of the host's docker-proxy that serves the port.
	wait_event '.container == null and .exec.filename == "/usr/sbin/docker-proxy" and
		(.exec.args | index(["-host-port", "18093"]))' >/dev/null
	no_finding privileged-port-binding
}

@test "unexpected-listening-port: a port neither published nor exposed" {
	ctr_script 'bh-trigger bind-listen 8081'
	line=$(finding unexpected-listening-port)
	json_check "$line" '.severity == "low" and (tostring | contains("8081"))'
	ctr_script 'bh-trigger bind-listen 8081' -p 18081:8081
	saw_event '.event == "listen" and .listen.port == 8081'
	no_finding unexpected-listening-port
}

@test "security-profile-disabled: seccomp=unconfined; the default profile is fine" {
	ctr_script true --security-opt seccomp=unconfined
	line=$(finding security-profile-disabled)
	json_check "$line" '.severity == "high" and (tostring | contains("seccomp"))'
	ctr_script true
	saw_event "$(final_exec '.exec.seccomp == "filter"')"
	no_finding security-profile-disabled
}

@test "host-namespace-shared: --pid host and --net host" {
	ctr_script true --pid host
	line=$(finding host-namespace-shared)
	json_check "$line" 'tostring | contains("pid")'
	ctr_script true --net host
	line=$(finding host-namespace-shared)
	json_check "$line" 'tostring | contains("net")'
}

@test "host-namespace-shared: setns into a host namespace at run time is critical" {
	ctr_script 'bh-trigger setns /proc/2/ns/net net' --pid host --cap-add SYS_ADMIN \
		--cap-add SYS_PTRACE
	wait_json ".type == \"finding\" and .rule == \"host-namespace-shared\" and
		.container.id == \"$CTR_ID\" and .severity == \"critical\" and .event == \"setns\"" \
		>/dev/null
}

@test "host-namespace-shared: a default container shares nothing" {
	local pid mnt net
	# The host's namespaces: kthreadd (pid 2) lives in the initial ones.
	read -r pid mnt net <<<"$(stat -L --printf "%i " /proc/2/ns/{pid,mnt,net})"
	ctr_script true
	saw_event "$(final_exec ".namespaces.pid != $pid and .namespaces.mnt != $mnt and
		.namespaces.net != $net")"
	no_finding host-namespace-shared
}

@test "daemon-tcp-without-tls: a dockerd started with -H tcp:// and no --tlsverify" {
	ctr_script "cp /bin/busybox /tmp/dockerd && $(applet_missing /tmp/dockerd -H tcp://0.0.0.0:2375)"
	line=$(finding daemon-tcp-without-tls)
	json_check "$line" '.severity == "critical"'
	ctr_script "cp /bin/busybox /tmp/dockerd &&
		$(applet_missing /tmp/dockerd -H tcp://0.0.0.0:2376 --tlsverify)"
	saw_event '.event == "exec" and .exec.filename == "/tmp/dockerd" and
		(.exec.args | index("--tlsverify"))'
	no_finding daemon-tcp-without-tls
}

@test "daemon-tcp-without-tls: anything listening on 2375" {
	ctr_script 'bh-trigger bind-listen 2375' -p 12375:2375
	finding daemon-tcp-without-tls >/dev/null
}

@test "shared-mount-propagation: a :shared volume; the default is private" {
	local src=$BATS_TEST_TMPDIR/shared-src
	mkdir -p "$src"
	mount --bind "$src" "$src"
	mount --make-shared "$src"
	ctr_script true -v "$src:/data:shared"
	line=$(finding shared-mount-propagation)
	json_check "$line" '.severity == "medium" and (tostring | contains("shared"))'
	# The volume is there, and private.
	ctr_script 'grep " /data " /proc/self/mountinfo >/tmp/m && ! grep -q shared: /tmp/m' \
		-v "$src:/data"
	no_finding shared-mount-propagation
}

@test "no-new-privileges-missing: a default container; silent with the option" {
	ctr_script true
	line=$(finding no-new-privileges-missing)
	json_check "$line" '.severity == "low"'
	ctr_script true --security-opt no-new-privileges
	saw_event "$(final_exec '.exec.no_new_privs == true')"
	no_finding no-new-privileges-missing
}

@test "mount-in-container: a bind of / is an escape step; a tmpfs is not" {
	ctr_script 'mkdir -p /m && bh-trigger mount-bind / /m' --cap-add SYS_ADMIN
	line=$(finding mount-in-container)
	json_check "$line" '.severity == "high" and .event == "mount"'
	ctr_script 'mkdir -p /t && bh-trigger mount-tmpfs /t' --cap-add SYS_ADMIN
	saw_event '.event == "mount" and .mount.target == "/t" and .mount.fstype == "tmpfs"'
	no_finding mount-in-container
}

@test "mount-in-container: procfs through the new mount API (open_tree + move_mount)" {
	ctr_script 'mkdir -p /m && bh-trigger open-tree-move /proc /m' --cap-add SYS_ADMIN
	finding mount-in-container >/dev/null
}

@test "a default container yields only the documented low-severity findings" {
	ctr_script 'ls / >/dev/null'
	saw_event "$(final_exec '.exec.cap_effective == "0x00000000a80425fb" and
		.exec.seccomp == "filter" and .exec.no_new_privs == false')"
	no_high=$(ctr_findings '.severity != "low"')
	[ -z "$no_high" ] || { echo "$no_high" >&2; false; }
	finding no-new-privileges-missing >/dev/null
}

@test "a hardened container yields no finding at all" {
	ctr_script 'ls / >/dev/null && touch /bh-probe 2>&1 | grep -q "Read-only file system"' \
		--cap-drop ALL --security-opt no-new-privileges --read-only
	saw_event "$(final_exec '.exec.cap_effective == "0x0000000000000000" and
		.exec.no_new_privs == true')"
	no_finding
}

@test "exec-beyond-config: docker exec -u root into a container of uid 1000; a plain exec is quiet" {
	ctr_run -d --user 1000 "$IMAGE" sleep 60
	docker exec "$CTR_NAME" id -u >/dev/null
	docker exec -u root "$CTR_NAME" id -u >/dev/null
	line=$(finding exec-beyond-config)
	json_check "$line" '.severity == "high" and .evidence.uid == 0 and .evidence.config_uid == 1000'
	json_check "$line" '.process.exe == "/bin/busybox" and .event == "exec"'
	json_check "$line" '.compliance.cis == ["5.23", "5.24"] and (.compliance.attack | index("T1609"))'
	# the first exec, of uid 1000, was within the configuration: one finding only
	docker exec "$CTR_NAME" /bin/true
	wait_event ".event == \"exec\" and .container.id == \"$CTR_ID\" and
		.exec.filename == \"/bin/true\"" 20 "$CTR_ID" >/dev/null
	[ "$(ctr_findings '.rule == "exec-beyond-config"' | wc -l)" -eq 1 ]
}
