#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end: the real bulkhead binary sees each syscall family of real Docker containers and
# of host processes, with the right container, and its CLI behaves as documented.

load helpers

setup_file() {
	# A host build of bh-trigger: the host-process tests need a binary no container runs.
	if command -v gcc >/dev/null; then
		gcc -static -O2 -o "$BATS_FILE_TMPDIR/bh-host-trigger" "$BH_REPO/tests/e2e/trigger.c"
	fi
}

teardown() {
	bh_teardown
}

# jq: the capability name list L contains the capability C (e.g. CAP_NET_RAW).
has_cap() {
	printf 'any(%s[]?; . == "%s")' "$1" "$2"
}

@test "cli: --help prints the usage and exits 0" {
	bh_require_binary
	run "$BULKHEAD" --help
	[ "$status" -eq 0 ]
	[[ "${output,,}" == *usage* ]]
	[[ "$output" == *--stats-interval* ]]
}

@test "cli: --version prints the version and exits 0" {
	bh_require_binary
	run "$BULKHEAD" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ [0-9]+\.[0-9]+\.[0-9]+ ]]
}

@test "cli: an unknown option is named on stderr, exit 2" {
	bh_require_binary
	run "$BULKHEAD" run --no-such-option
	[ "$status" -eq 2 ]
	[[ "$output" == *--no-such-option* ]]
}

# Runs bulkhead ARGS and checks it is refused as bad usage (exit 2) with MESSAGE on stderr;
# one that is accepted instead starts, and is stopped after a few seconds (exit 124).
refused() {
	local message=$1
	shift
	run timeout -s INT 5 "$BULKHEAD" "$@"
	echo "bulkhead $*: exit $status: $output" >&2
	[ "$status" -eq 2 ]
	[[ "$output" == *"$message"* ]]
}

@test "cli: an option of another command is refused, exit 2, naming the command it belongs to" {
	bh_require_binary
	local cap=$BATS_TEST_TMPDIR/never.bhcap
	refused "--output belongs to 'record' and 'advise', not 'run'" run --output "$cap"
	refused "--output belongs to 'record' and 'advise', not 'run'" --output "$cap"
	refused "-o belongs to 'record' and 'advise', not 'run'" run -o "$cap"
	[ ! -e "$cap" ]
	refused "--http belongs to 'run', 'record' and 'doctor', not 'replay'" \
		replay "$cap" --http 127.0.0.1:1
	refused "--stats-interval belongs to 'run' and 'record', not 'replay'" \
		replay "$cap" --stats-interval 1
	# rules lists the catalogue: no policy changes it, so --policy is not its option.
	refused "--policy belongs to 'run', 'record', 'replay', 'policy' and 'audit', not 'rules'" \
		rules --policy "$BH_REPO/deploy/policy.yaml"
	refused "--events belongs to 'run', 'record' and 'replay', not 'top'" top --events all
	refused "--no-socket belongs to 'run', 'record' and 'doctor', not 'top'" top --no-socket
	refused "--no-color belongs to 'top' and 'audit', not 'record'" record -o "$cap" --no-color
	refused "--json belongs to 'rules' and 'doctor', not 'policy'" \
		policy check "$BH_REPO/deploy/policy.yaml" --json
	[ ! -e "$cap" ]
	refused "unknown command 'serve'" serve
	refused "record needs -o FILE" record --events all
}

@test "cli: replay, rules, policy check and top take each of their own options" {
	bh_require_binary
	local cap=$BATS_TEST_TMPDIR/empty.bhcap
	run "$BULKHEAD" rules --json
	[ "$status" -eq 0 ]
	run "$BULKHEAD" policy check "$BH_REPO/deploy/policy.yaml"
	[ "$status" -eq 0 ]
	# Options parsed, top itself then stops at the missing terminal (no collector starts).
	run "$BULKHEAD" top --socket "$BATS_TEST_TMPDIR/none.sock" --no-color </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"needs a terminal"* ]]
	# Every option of replay reaches the replay, which then names the missing file.
	run "$BULKHEAD" replay "$cap" --events all -p "$BH_REPO/deploy/policy.yaml" --format ecs \
		--no-findings -v --log-json
	[ "$status" -eq 1 ]
	[[ "$output" == *"$cap"* ]]
	[[ "$output" != *"belongs to"* ]]
	for cmd in run record replay top rules policy doctor; do
		run "$BULKHEAD" "$cmd" --help
		[ "$status" -eq 0 ]
		[[ "$output" == *Usage* ]]
	done
}

@test "cli: record takes every option of run and its own; its capture replays" {
	bh_require || return
	local cap=$BATS_TEST_TMPDIR/all.bhcap err=$BATS_TEST_TMPDIR/err i
	"$BULKHEAD" record -o "$cap" -e all -p "$BH_REPO/deploy/policy.yaml" --format json \
		--stats-interval 0 --http "127.0.0.1:$((20000 + RANDOM % 20000))" \
		--socket "$BATS_TEST_TMPDIR/events.sock" --host-root / --no-docker-api \
		--docker-socket /nonexistent --podman-socket /nonexistent --ringbuf-size 4194304 \
		-v --log-json >/dev/null 2>"$err" 3>&- &
	BH_PID=$!
	for ((i = 0; i < BH_READY_TIMEOUT * 10; i++)); do
		grep -qw ready "$err" && break
		kill -0 "$BH_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -qw ready "$err" || { cat "$err" >&2; return 1; }
	BH_ERR=$err bh_stop
	# --log-json: every log line is JSON
	jq -e . "$err" >/dev/null
	run "$BULKHEAD" replay "$cap" --events all --format ecs
	[ "$status" -eq 0 ]
}

@test "run: SIGINT and SIGTERM stop the monitor with exit 0" {
	bh_require
	bh_start --events all
	bh_stop INT
	bh_start --events all
	bh_stop TERM
}

@test "run: a stats line appears with --stats-interval 1" {
	bh_require
	bh_start --events all --stats-interval 1
	line=$(wait_json '.type == "stats" and .schema == 1 and (.drops | type) == "number"')
	json_check "$line" '.events | type == "object"'
	bh_stop
	# At exit a last stats line closes the output.
	json_check "$(tail -n 1 "$BH_OUT")" '.type == "stats" and .final == true'
}

@test "exec in a container: filename, args, container id and name" {
	bh_require docker
	bh_start --events all
	ctr_run "$IMAGE" sh -c 'exec /bin/true'
	[[ "$CTR_ID" =~ ^[0-9a-f]{64}$ ]]
	line=$(wait_json ".type == \"event\" and .event == \"exec\" and $(ctr_filter) and
		.exec.filename == \"/bin/true\"")
	json_check "$line" '.exec.args == ["/bin/true"] and .ret == 0'
	json_check "$line" '.container.runtime == "docker" and .container.image == "local/busybox:1"'
	json_check "$line" '.process.pid > 0 and .process.exe == "/bin/busybox"'
	bh_stop
}

@test "setns in a container: bh-trigger enters the host net namespace" {
	bh_require docker
	bh_start --events all
	# SYS_PTRACE: opening /proc/2/ns/net (kthreadd, in the initial namespaces) needs it.
	ctr_run --pid host --cap-add SYS_ADMIN --cap-add SYS_PTRACE "$IMAGE" \
		bh-trigger setns /proc/2/ns/net net
	# runc itself may call setns in the container's cgroup: look for bh-trigger's call.
	line=$(wait_json ".type == \"event\" and .event == \"setns\" and $(ctr_filter) and
		.process.comm == \"bh-trigger\"")
	json_check "$line" '.ret == 0 and .setns.nstype != 0'
	json_check "$line" 'any(.setns.changed[]; .type == "net" and .host == true)'
	json_check "$line" '.setns.entered_host | any(. == "net")'
	bh_stop
}

@test "setns in a container: busybox nsenter into the host uts namespace" {
	bh_require docker
	bh_start --events all
	ctr_run --pid host --cap-add SYS_ADMIN --cap-add SYS_PTRACE "$IMAGE" \
		nsenter -t 2 -u -- /bin/true
	line=$(wait_json ".type == \"event\" and .event == \"setns\" and $(ctr_filter) and
		.process.comm == \"nsenter\"")
	json_check "$line" '.ret == 0 and (.setns.entered_host | any(. == "uts"))'
	bh_stop
}

@test "mount in a container: tmpfs and bind mounts with CAP_SYS_ADMIN" {
	bh_require docker
	bh_start --events all
	ctr_run --cap-add SYS_ADMIN "$IMAGE" sh -c \
		'mkdir -p /mnt/t /mnt/b && bh-trigger mount-tmpfs /mnt/t && bh-trigger mount-bind /etc /mnt/b'
	line=$(wait_json ".type == \"event\" and .event == \"mount\" and $(ctr_filter) and
		.mount.target == \"/mnt/t\"")
	json_check "$line" '.ret == 0 and .mount.call == "mount" and .mount.fstype == "tmpfs"'
	line=$(wait_json ".type == \"event\" and .event == \"mount\" and $(ctr_filter) and
		.mount.target == \"/mnt/b\"")
	json_check "$line" '.ret == 0 and .mount.source == "/etc"'
	json_check "$line" '.mount.flag_names | any(. == "MS_BIND")'
	bh_stop
}

@test "mount in a container: open_tree and move_mount" {
	bh_require docker
	bh_start --events all
	ctr_run --cap-add SYS_ADMIN "$IMAGE" sh -c \
		'mkdir -p /mnt/m && bh-trigger open-tree-move /etc /mnt/m'
	line=$(wait_json ".type == \"event\" and .event == \"mount\" and $(ctr_filter) and
		.mount.call == \"open_tree\"")
	json_check "$line" '.ret >= 0 and .mount.source == "/etc"'
	line=$(wait_json ".type == \"event\" and .event == \"mount\" and $(ctr_filter) and
		.mount.call == \"move_mount\"")
	json_check "$line" '.ret == 0 and .mount.target == "/mnt/m"'
	bh_stop
}

@test "capset in a container: a dropped and a re-raised capability" {
	bh_require docker
	bh_start --events all
	ctr_run "$IMAGE" sh -c 'bh-trigger capset-drop net_raw && bh-trigger capset-raise net_raw'
	# runc's own capset calls run in the container's cgroup too: look for bh-trigger's.
	line=$(wait_json ".type == \"event\" and .event == \"capset\" and $(ctr_filter) and
		.process.comm == \"bh-trigger\" and $(has_cap .capset.dropped CAP_NET_RAW)")
	json_check "$line" ".ret == 0 and ($(has_cap .capset.caps_effective CAP_NET_RAW) | not)"
	line=$(wait_json ".type == \"event\" and .event == \"capset\" and $(ctr_filter) and
		.process.comm == \"bh-trigger\" and $(has_cap .capset.gained CAP_NET_RAW)")
	json_check "$line" "$(has_cap .capset.caps_effective CAP_NET_RAW)"
	bh_stop
}

@test "connect in a container: docker.sock bind-mounted at /s, and via a symlink" {
	bh_require docker
	bh_start --events all
	ctr_run -v /var/run/docker.sock:/s "$IMAGE" sh -c \
		'bh-trigger connect-unix /s --ping && ln -s /s /tmp/l && bh-trigger connect-unix /tmp/l'
	line=$(wait_json ".type == \"event\" and .event == \"connect\" and $(ctr_filter) and
		.connect.path == \"/s\"")
	json_check "$line" '.ret == 0 and .connect.family == "unix"'
	json_check "$line" '.connect.peer_path == "/var/run/docker.sock"'
	line=$(wait_json ".type == \"event\" and .event == \"connect\" and $(ctr_filter) and
		.connect.path == \"/tmp/l\"")
	json_check "$line" '.ret == 0 and .connect.peer_path == "/var/run/docker.sock"'
	bh_stop
}

@test "default mode: a host dockerd on TCP without TLS is judged; other host execs stay in the kernel" {
	bh_start
	# Named dockerd, started as /tmp/.../dockerd: busybox refuses the applet, after the exec.
	cp "$(command -v busybox)" "$BATS_TEST_TMPDIR/dockerd"
	for _ in $(seq 100); do /bin/true; done
	"$BATS_TEST_TMPDIR/dockerd" -H tcp://0.0.0.0:2375 2>/dev/null || true
	line=$(wait_json '.type == "finding" and .rule == "daemon-tcp-without-tls" and
		.container == null and .process.exe == "'"$BATS_TEST_TMPDIR/dockerd"'"')
	json_check "$line" '.evidence.host == "tcp://0.0.0.0:2375"'
	bh_stop
	# The host's exec records that reached user space: the first of this test's cgroup,
	# before user space named it a host cgroup, and the dockerd one; not the 100 others.
	line=$(wait_json '.type == "stats" and .final')
	json_check "$line" '.events.exec < 20'
}

@test "default mode: a host process in a mount namespace of its own stays in the kernel" {
	bh_start
	local dir=$BATS_TEST_TMPDIR/m
	mkdir -p "$dir"
	# what systemd's PrivateTmp services and `unshare -m` tools do: mounts in a private
	# namespace, from a host cgroup and the host's pid namespace
	unshare -m sh -c "for i in \$(seq 200); do mount -t tmpfs none $dir && umount $dir; done"
	bh_stop
	# the first mounts of this cgroup, before user space named it a host one; not the 400
	line=$(wait_json '.type == "stats" and .final')
	json_check "$line" '.events.mount < 40'
}

@test "host process: exec and docker.sock connect have container null" {
	bh_require docker
	[ -x "$BATS_FILE_TMPDIR/bh-host-trigger" ] || bh_skip_or_fail "gcc could not build bh-trigger"
	bh_start --events all
	# A unique symlink and argument tell this test's syscalls from the rest of the host.
	ln -s /var/run/docker.sock "$BATS_TEST_TMPDIR/sock"
	tag=bh-host-$$-$RANDOM
	"$BATS_FILE_TMPDIR/bh-host-trigger" exec /bin/echo "$tag"
	"$BATS_FILE_TMPDIR/bh-host-trigger" connect-unix "$BATS_TEST_TMPDIR/sock"
	line=$(wait_json ".type == \"event\" and .event == \"exec\" and .exec.args[1]? == \"$tag\"")
	json_check "$line" '.container == null and .exec.filename == "/bin/echo"'
	line=$(wait_json ".type == \"event\" and .event == \"connect\" and
		.connect.path == \"$BATS_TEST_TMPDIR/sock\"")
	json_check "$line" '.container == null and .connect.peer_path == "/var/run/docker.sock"'
	bh_stop
}

# The unified hierarchy's mount point, empty on a pure cgroup v1 host.
v2_mount() {
	local m
	for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		[ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ] && { echo "$m"; return; }
	done
}

@test "own cgroup: in a private cgroup namespace the agent still knows its cgroup" {
	bh_require || return
	local m dir want got out=$BATS_TEST_TMPDIR/self.bhcap err=$BATS_TEST_TMPDIR/err i
	m=$(v2_mount)
	[ -n "$m" ] || bh_skip_or_fail "no cgroup v2 hierarchy on this host" || return
	dir=$m/bh-e2e-self-$$
	mkdir "$dir"
	want=$(stat -c %i "$dir")
	# in its own cgroup namespace the agent's /proc/self/cgroup reads "0::/"
	sh -c "echo \$\$ >$dir/cgroup.procs && exec unshare -C $BULKHEAD record -o $out \
		--no-http --no-socket --stats-interval 0" >/dev/null 2>"$err" &
	BH_PID=$!
	for ((i = 0; i < BH_READY_TIMEOUT * 10; i++)); do
		grep -qw ready "$err" && break
		sleep 0.1
	done
	kill -INT "$BH_PID"
	wait "$BH_PID" || { cat "$err" >&2; rmdir "$dir"; return 1; }
	BH_PID=
	rmdir "$dir"
	got=$(grep -ao '"self_cgroup_id":[0-9]*' "$out" | cut -d: -f2)
	[ "$got" = "$want" ] || { echo "self_cgroup_id $got, the agent's cgroup is $want" >&2; return 1; }
}
