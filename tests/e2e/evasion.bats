#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end: a workload that tries to hide what it does is still reported (the finding, not
# only the raw event). Each evasion runs in its own container, since findings are
# deduplicated per container. A blind spot that remains is asserted as it is, in a test
# named "documented limitation", so that closing it shows up as a change. The agent runs in
# its default mode (kernel filters on, as it ships): findings from its stdout, the events a
# check needs from its event socket.

load helpers

setup_file() {
	bh_require docker || return
	# The host side of the fd-passing test runs the same tool as the containers.
	export HOST_TRIGGER=$BATS_FILE_TMPDIR/bh-trigger
	gcc -O2 -std=gnu11 -o "$HOST_TRIGGER" "$BH_REPO/tests/e2e/trigger.c" || return
	# A large ring: other agents' exec storms on this node fill every agent's ring.
	bh_start_file --stats-interval 0 --no-http --ringbuf-size 67108864
}

teardown_file() {
	bh_stop_file
}

setup() {
	bh_file_setup
}

teardown() {
	bh_file_teardown
	# what a mount-source test made on the host, also when it failed half-way
	if [ -n "${HOST_ALIAS:-}" ] && mountpoint -q "$HOST_ALIAS"; then
		umount "$HOST_ALIAS"
	fi
	if [ -n "${HOST_LINK:-}" ]; then
		rm -f "$HOST_LINK"
	fi
}

dockerd_pid() {
	cat /var/run/docker.pid 2>/dev/null || pidof -s dockerd
}

# --- leaving the container's cgroup -------------------------------------------------------

# A script step: move this shell into the root of the pids hierarchy (the resolver's v1 tree
# on these hybrid hosts) and of the unified one, as far as the cgroup namespace lets it.
leave_cgroup='mkdir -p /cg1 /cg2 && mount -t cgroup -o pids cgroup /cg1 &&
	echo $$ >/cg1/cgroup.procs && mount -t cgroup2 none /cg2 && echo $$ >/cg2/cgroup.procs &&
	grep -qx "0::/" /proc/self/cgroup'
cgroup_writer=(--cgroupns host --cap-add SYS_ADMIN --security-opt seccomp=unconfined)

@test "cgroup: a process that moved itself to the host's root cgroup is still its container's" {
	ctr_script "$leave_cgroup && bh-trigger connect-unix /s" "${cgroup_writer[@]}" \
		-v /var/run/docker.sock:/s
	line=$(finding docker-socket-access)
	json_check "$line" '.process.outside_cgroup == true and .process.exe == "/usr/local/bin/bh-trigger"'
	line=$(finding container-cgroup-escape '.process.exe == "/usr/local/bin/bh-trigger"')
	json_check "$line" '.severity == "high" and .evidence.cgroup_id > 0'
}

@test "cgroup: a container process in another container's cgroup is judged as its own" {
	local other pids_cg v2_cg cgroups
	ctr_run -d "$IMAGE" sleep 60
	other=$CTR_ID
	cgroups=/proc/$(docker inspect -f '{{.State.Pid}}' "$other")/cgroup
	pids_cg=$(sed -n 's/^[0-9]*:pids://p' "$cgroups")
	v2_cg=$(sed -n 's/^0:://p' "$cgroups")
	[ -n "$pids_cg" ] && [ -n "$v2_cg" ]
	ctr_script "mkdir -p /cg1 /cg2 && mount -t cgroup -o pids cgroup /cg1 &&
		echo \$\$ >/cg1$pids_cg/cgroup.procs && mount -t cgroup2 none /cg2 &&
		echo \$\$ >/cg2$v2_cg/cgroup.procs && bh-trigger connect-unix /s" \
		"${cgroup_writer[@]}" -v /var/run/docker.sock:/s
	line=$(finding docker-socket-access)
	json_check "$line" '.process.outside_cgroup == true'
	finding container-cgroup-escape >/dev/null
	# nothing of it is the other container's
	[ -z "$(CTR_ID=$other ctr_findings '.rule == "docker-socket-access"')" ]
}

@test "cgroup: a container's own sub-cgroup is no escape" {
	ctr_script 'mkdir -p /cg1 && mount -t cgroup -o pids cgroup /cg1 &&
		d=/cg1$(sed -n "s/^[0-9]*:pids://p" /proc/self/cgroup)/sub && mkdir $d &&
		echo $$ >$d/cgroup.procs && bh-trigger connect-unix /s' "${cgroup_writer[@]}" \
		-v /var/run/docker.sock:/s
	line=$(finding docker-socket-access)
	json_check "$line" '.process.outside_cgroup == null'
	no_finding container-cgroup-escape
}

# --- docker.sock under another name ------------------------------------------------------

@test "socket: a symlink to a bind-mounted socket" {
	ctr_script 'ln -s /x/api /tmp/innocent && bh-trigger connect-unix /tmp/innocent' \
		-v /var/run/docker.sock:/x/api
	line=$(finding docker-socket-access)
	json_check "$line" '.evidence.peer_path == "/var/run/docker.sock" and
		.evidence.path == "/tmp/innocent"'
}

@test "socket: a relative path after chdir" {
	ctr_script 'cd /x/y && bh-trigger connect-unix ./api' -v /var/run/docker.sock:/x/y/api
	line=$(finding docker-socket-access)
	json_check "$line" '.evidence.peer_path == "/var/run/docker.sock" and .evidence.path == "./api"'
}

@test "socket: a hard link made inside the container in a bind-mounted directory" {
	local dir=$BATS_TEST_TMPDIR/d
	mkdir -p "$dir"
	ln /var/run/docker.sock "$dir/api"
	ctr_script 'ln /d/api /d/.cache && bh-trigger connect-unix /d/.cache' -v "$dir:/d"
	line=$(finding docker-socket-access)
	json_check "$line" '.evidence.peer_path == "/var/run/docker.sock" and .evidence.path == "/d/.cache"'
}

@test "socket: a host hard link under another name is the socket, mounted or used" {
	# A hard link is another name for the socket's inode; it must be on the socket's
	# filesystem, /run. The mount rule compares device and inode, not the name.
	HOST_LINK=$(mktemp -u /run/bh-e2e-metrics.XXXXXX)
	ln /var/run/docker.sock "$HOST_LINK"
	ctr_script 'bh-trigger connect-unix /app/metrics.sock' -v "$HOST_LINK:/app/metrics.sock"
	line=$(finding docker-socket-access)
	json_check "$line" '.evidence.peer_path == "/var/run/docker.sock"'
	line=$(finding docker-socket-mount)
	json_check "$line" ".evidence.mounts | any(.source == \"$HOST_LINK\" and
		(.host_path | test(\"^(/var)?/run/docker.sock\$\")))"
	# the socket's finding, not also one of a writable path under /run
	no_finding sensitive-mount-writable
}

@test "socket: /proc/<dockerd pid>/root/run/docker.sock from a --pid host container" {
	local pid
	pid=$(dockerd_pid)
	[ -n "$pid" ]
	# /var/run is an absolute symlink: under /proc/<pid>/root it would resolve in the
	# caller's root, so the path names /run directly.
	ctr_script "bh-trigger connect-unix /proc/$pid/root/run/docker.sock --ping" \
		--pid host --cap-add SYS_PTRACE
	line=$(finding docker-socket-access)
	json_check "$line" ".evidence.peer_path == \"/var/run/docker.sock\" and
		.evidence.path == \"/proc/$pid/root/run/docker.sock\""
}

@test "socket: a proxy inside the container is the process flagged, not its client" {
	# The client's ping gets the daemon's answer through the proxy.
	ctr_script '{ bh-trigger comm relay proxy /tmp/p.sock /s & } && i=0 &&
		while [ ! -S /tmp/p.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done &&
		bh-trigger connect-unix /tmp/p.sock --ping | grep -q "^reply HTTP/1.[01] 200" &&
		wait $!' -v /var/run/docker.sock:/s
	line=$(finding docker-socket-access)
	json_check "$line" '.process.comm == "relay" and .evidence.path == "/s" and
		.evidence.peer_path == "/var/run/docker.sock"'
	# The client reached only the proxy's socket: no finding names it.
	[ -z "$(ctr_findings '.rule == "docker-socket-access" and .evidence.path == "/tmp/p.sock"')" ]
}

# --- mount sources under another name: judged by what was mounted ------------------------

@test "mount source: a symlink to the socket is the socket" {
	local link=$BATS_TEST_TMPDIR/link.sock
	ln -s /var/run/docker.sock "$link"
	ctr_script '[ -S /s ]' -v "$link:/s"
	line=$(finding docker-socket-mount)
	json_check "$line" ".evidence.mounts | any(.source == \"$link\" and
		(.host_path | test(\"^(/var)?/run/docker.sock\$\")))"
	json_check "$line" '.summary | contains("on the host) at /s")'
}

@test "mount source: a symlink to the directory that holds the socket" {
	local link=$BATS_TEST_TMPDIR/run-link
	ln -s /var/run "$link"
	ctr_script '[ -S /r/docker.sock ]' -v "$link:/r"
	line=$(finding docker-socket-mount)
	json_check "$line" ".evidence.mounts | any(.source == \"$link\" and
		(.host_path | test(\"^(/var)?/run\$\")))"
}

@test "mount source: a symlink to /etc mounted writable is /etc; read-only is compliant" {
	local link=$BATS_TEST_TMPDIR/etc-link
	ln -s /etc "$link"
	ctr_script '[ -s /h/passwd ]' -v "$link:/h"
	line=$(finding sensitive-mount-writable)
	json_check "$line" ".evidence.mounts | any(.source == \"$link\" and .host_path == \"/etc\")"
	ctr_script '[ -s /h/passwd ]' -v "$link:/h:ro"
	no_finding sensitive-mount-writable
}

@test "mount source: a bind-mount alias of /etc is /etc by device and inode, and below it" {
	HOST_ALIAS=$BATS_TEST_TMPDIR/etc-alias
	mkdir -p "$HOST_ALIAS"
	mount --bind /etc "$HOST_ALIAS"
	ctr_script '[ -s /h/passwd ]' -v "$HOST_ALIAS:/h"
	line=$(finding sensitive-mount-writable)
	json_check "$line" ".evidence.mounts | any(.source == \"$HOST_ALIAS\" and .host_path == \"/etc\")"
	# a directory below the alias is below /etc: its parent is /etc's inode
	local sub
	sub=$(find /etc -mindepth 1 -maxdepth 1 -type d -print -quit)
	ctr_script true -v "$HOST_ALIAS/${sub#/etc/}:/h"
	line=$(finding sensitive-mount-writable)
	json_check "$line" ".evidence.mounts | any(.host_path == \"$sub\")"
}

@test "mount source: a symlink to a plain directory stays quiet" {
	local dir=$BATS_TEST_TMPDIR/data
	mkdir -p "$dir"
	ln -s "$dir" "$BATS_TEST_TMPDIR/data-link"
	ctr_script 'touch /d/written' -v "$BATS_TEST_TMPDIR/data-link:/d"
	[ -f "$dir/written" ]
	no_finding docker-socket-mount
	no_finding sensitive-mount-writable
}

# --- entering host namespaces ------------------------------------------------------------

@test "setns: a host namespace fd passed in over a unix socket (SCM_RIGHTS)" {
	local dir=$BATS_TEST_TMPDIR/fdpass
	mkdir -p "$dir"
	"$HOST_TRIGGER" send-fd "$dir/fd.sock" /proc/2/ns/net 3>&- &
	local sender=$!
	for ((i = 0; i < 100; i++)); do [ -S "$dir/fd.sock" ] && break; sleep 0.1; done
	# No --pid host and no ptrace: the container could not open the host's namespace itself.
	ctr_script 'bh-trigger recv-setns /x/fd.sock net' -v "$dir:/x" --cap-add SYS_ADMIN
	wait "$sender"
	line=$(finding host-namespace-shared '.event == "setns"')
	json_check "$line" '.severity == "critical" and (.evidence.entered_host | any(.type == "net"))'
}

@test "setns: a pidfd of a host process enters several namespaces at once" {
	ctr_script 'bh-trigger setns-pidfd 2 net uts' --pid host --cap-add SYS_ADMIN --cap-add SYS_PTRACE
	line=$(finding host-namespace-shared '.event == "setns"')
	json_check "$line" '[.evidence.entered_host[].type] | (index("net") != null and index("uts") != null)'
}

@test "setns: busybox nsenter into the host network" {
	ctr_script 'nsenter -t 2 -n ls >/dev/null' --pid host --cap-add SYS_ADMIN --cap-add SYS_PTRACE
	line=$(finding host-namespace-shared '.event == "setns"')
	json_check "$line" '.process.comm == "nsenter"'
}

@test "setns: unshare first, then enter the host's namespace" {
	# What the thread was in before does not matter: where it is after the call does.
	ctr_script 'bh-trigger unshare-setns uts /proc/2/ns/uts' --pid host --cap-add SYS_ADMIN \
		--cap-add SYS_PTRACE
	line=$(finding host-namespace-shared '.event == "setns"')
	json_check "$line" '.evidence.entered_host | any(.type == "uts")'
}

@test "setns: back into the host namespace the container shares by its configuration" {
	# --uts host: the config rule reports the sharing; going back to it is no escape.
	# /bin/hostname runs only when the setns succeeded: the record was made.
	ctr_script 'bh-trigger unshare-setns uts && /bin/hostname >/dev/null' --uts host \
		--cap-add SYS_ADMIN
	finding host-namespace-shared '.event == null and (.evidence.namespaces | index("uts"))' >/dev/null
	saw_event '.event == "exec" and .exec.filename == "/bin/hostname"'
	# It entered the host's uts namespace, so the kernel passed it to the rules.
	saw_event '.event == "setns" and (.setns.entered_host | index("uts"))'
	[ -z "$(ctr_findings '.event == "setns"')" ]
}

# --- mounts through the new mount API ----------------------------------------------------

@test "mount: fsopen + fsmount + move_mount of a new procfs" {
	ctr_script 'mkdir -p /m && bh-trigger fsmount-move proc /m' --cap-add SYS_ADMIN
	finding mount-in-container '.process.exe == "/usr/local/bin/bh-trigger"' >/dev/null
	saw_event '.event == "mount" and .mount.call == "fsopen" and .mount.fstype == "proc"'
}

@test "mount: a detached fsmount used through its fd, never attached" {
	ctr_script 'bh-trigger fsmount-detached proc self/status' --cap-add SYS_ADMIN
	line=$(finding mount-in-container '.evidence.call == "fsopen"')
	json_check "$line" '.evidence.fstype == "proc"'
}

# --- exec without a path, and lying names ------------------------------------------------

@test "exec: execveat relative to a directory fd runs an sshd" {
	ctr_script "cp /bin/busybox /usr/sbin/sshd &&
		$(applet_missing bh-trigger execveat /usr/sbin sshd -D)"
	line=$(finding ssh-daemon-in-container)
	json_check "$line" '.process.exe == "/usr/sbin/sshd"'
}

@test "exec: fexecve of a setuid binary by nobody" {
	ctr_script "cp /bin/busybox /tmp/sbb && chmod 4755 /tmp/sbb &&
		$(applet_missing 'su -s /bin/sh nobody -c "bh-trigger fexecve /tmp/sbb"')"
	line=$(finding setuid-escalation)
	json_check "$line" '.process.exe == "/tmp/sbb" and .process.euid == 0 and .process.uid == 65534'
}

@test "exec: a fileless memfd program is reported by its memfd name and listens on 22" {
	ctr_script 'bh-trigger memfd-exec kworker /usr/local/bin/bh-trigger web bind-listen 22'
	line=$(finding ssh-daemon-in-container)
	json_check "$line" '.process.exe | startswith("/memfd:kworker")'
	saw_event '.event == "exec" and (.process.exe | startswith("/memfd:kworker"))'
}

@test "exec: argv[0] is not the exe: an sshd started as nginx" {
	ctr_script "cp /bin/busybox /usr/sbin/sshd &&
		$(applet_missing bh-trigger exec-as /usr/sbin/sshd nginx)"
	line=$(finding ssh-daemon-in-container)
	json_check "$line" '.process.exe == "/usr/sbin/sshd"'
	saw_event '.event == "exec" and .exec.args[0] == "nginx" and .process.exe == "/usr/sbin/sshd"'
}

@test "exec: comm set with PR_SET_NAME does not change the exe" {
	ctr_script 'bh-trigger comm nginx connect-unix /s' -v /var/run/docker.sock:/s
	line=$(finding docker-socket-access)
	json_check "$line" '.process.comm == "nginx" and .process.exe == "/usr/local/bin/bh-trigger"'
}

# --- posing as the container runtime (its set-up is exempt from the mount/capset rules) ---

@test "runtime disguise: comm runc:[2:INIT] after the container started is judged" {
	ctr_script 'mkdir -p /m && bh-trigger comm "runc:[2:INIT]" mount-bind / /m' --cap-add SYS_ADMIN
	finding mount-in-container '.process.comm == "runc:[2:INIT]" and .evidence.target == "/m"' \
		>/dev/null
}

@test "runtime disguise: a binary named runc is judged" {
	ctr_script 'mkdir -p /m && cp /usr/local/bin/bh-trigger /tmp/runc && /tmp/runc mount-bind / /m' \
		--cap-add SYS_ADMIN
	finding mount-in-container '.process.exe == "/tmp/runc" and .evidence.target == "/m"' >/dev/null
}

@test "runtime disguise: a memfd named like runc's clone is judged" {
	ctr_script 'mkdir -p /m && bh-trigger memfd-exec runc_cloned:/proc/self/exe \
		/usr/local/bin/bh-trigger x mount-bind / /m' --cap-add SYS_ADMIN
	finding mount-in-container '(.process.exe | startswith("/memfd:runc_cloned")) and
		.evidence.target == "/m"' >/dev/null
}

# --- capabilities through file capabilities, not capset ----------------------------------

@test "file capabilities: nobody gains CAP_SYS_ADMIN by exec, no capset involved" {
	ctr_script 'cp /usr/local/bin/bh-trigger /tmp/fc && bh-trigger setfcap /tmp/fc sys_admin &&
		su -s /bin/sh nobody -c "/tmp/fc exec /bin/true"' --cap-add SYS_ADMIN
	line=$(finding setuid-escalation '.process.exe == "/tmp/fc"')
	json_check "$line" '.evidence.secureexec == true'
	line=$(finding dangerous-capability '.event == "exec"')
	json_check "$line" '.evidence.caps_gained | any(. == "CAP_SYS_ADMIN")'
	# A capset that raised a capability would pass the kernel filter: none came.
	[ -z "$(ctr_events '.event == "capset" and .process.exe == "/tmp/fc"')" ]
}
