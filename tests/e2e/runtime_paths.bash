# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Checks of the runtime's set-up shared by the engines' suites (runtime-setup.bats for
# Docker, podman.bats): each takes the OCI runtime (runc, runc-memfd) and runs containers
# with ctr_run, so with $BH_ENGINE. Load after helpers, under a monitor of bh_start_file.

# Waits for the event socket's line (jq FILTER) about the container just run.
ctr_event() {
	wait_event ".container.id? == \"$CTR_ID\" and ($1)" 20 "$CTR_ID"
}

# The sorted, comma-joined rule ids of every finding about the container just run.
rules_of_container() {
	jq -r -R "fromjson? | select(.type == \"finding\" and .container.id? == \"$CTR_ID\") |
		.rule" "$BH_OUT" | sort | paste -sd, -
}

# ctr_script SCRIPT in a new container run by the runtime $1, with more `run` arguments.
run_with() {
	local runtime=$1 script=$2
	shift 2
	ctr_script "$script" --runtime "$runtime" "$@"
}

hardened=(--security-opt no-new-privileges --cap-drop ALL --read-only --user 65534:65534)

setup_marked() {
	run_with "$1" true
	# runc's mounts (rootfs, proc, masked paths) come from its clone, and carry the mark; the
	# clone's exe reads "/" for the detached bind mount, the memfd's name otherwise (its exec
	# itself may come before runc placed it in the cgroup: a host record then)
	line=$(ctr_event '.event == "mount" and .mount.target == "/proc/bus"')
	json_check "$line" '.process.runtime_setup == true'
	exe=$(jq -r .process.exe <<<"$line")
	if [ "$1" = runc-memfd ]; then
		[[ $exe == /memfd:runc_cloned* ]] || { echo "not the memfd path: $exe" >&2; return 1; }
	else
		[ "$exe" = / ] || { echo "not the bind-mount path: $exe" >&2; return 1; }
	fi
	line=$(ctr_event '.event == "exec" and .exec.filename == "/bin/sh"')
	json_check "$line" '.process.runtime_setup == null and .process.exe == "/bin/busybox"'
}

default_container() {
	run_with "$1" true
	[ "$(rules_of_container)" = no-new-privileges-missing ] ||
		{ echo "findings: $(rules_of_container)" >&2; return 1; }
}

hardened_container() {
	run_with "$1" true "${hardened[@]}"
	[ -z "$(rules_of_container)" ] || { echo "findings: $(rules_of_container)" >&2; return 1; }
}

engine_exec() {
	ctr_run -d --runtime "$1" --cap-add SYS_ADMIN --security-opt no-new-privileges "$IMAGE" sleep 60
	ctr_event '.event == "exec" and .exec.filename == "/bin/sleep"' >/dev/null
	before=$(rules_of_container)
	"${BH_ENGINE:-docker}" exec "$CTR_NAME" /bin/true
	ctr_event '.event == "exec" and .exec.filename == "/bin/true"' >/dev/null
	# a second runc init (setns into the container, capset, its clone) adds nothing
	[ "$(rules_of_container)" = "$before" ] ||
		{ echo "before: $before, after exec: $(rules_of_container)" >&2; return 1; }
	# the command of an exec is the container's own process: its mount is a finding
	"${BH_ENGINE:-docker}" exec "$CTR_NAME" sh -c 'mkdir -p /m && mount -t proc proc /m'
	line=$(finding mount-in-container '.evidence.fstype == "proc"')
	json_check "$line" '.process.exe == "/bin/busybox" and .process.runtime_setup == null'
}

# N default containers (default 12) that end at once, 4 at a time: the kernel gives a dead
# container's namespace inode numbers to the next ones while the dead one's cgroup may still
# exist (podman removes it at clean-up). Each must yield exactly no-new-privileges-missing,
# judged as itself: none is taken for another that left its cgroup.
containers_in_a_row() {
	local runtime=$1 n=${2:-12} engine=${BH_ENGINE:-docker} names=() name bad=0 i
	for ((i = 0; i < n; i++)); do
		names+=("${CTR_PREFIX:-bh-e2e}-$$-${BATS_TEST_NUMBER:-0}-row-$i-$RANDOM")
	done
	BH_CONTAINERS+=("${names[@]}")
	printf '%s\n' "${names[@]}" | xargs -P 4 -I{} "$engine" run -d --name {} \
		--runtime "$runtime" --network none "$IMAGE" sh -c 'exec /bin/true' >/dev/null
	for name in "${names[@]}"; do
		CTR_NAME=$name
		CTR_ID=$("$engine" inspect -f '{{.Id}}' "$name")
		ctr_settled
		if [ "$(rules_of_container)" != no-new-privileges-missing ]; then
			echo "$name: $(rules_of_container)" >&2
			bad=$((bad + 1))
		fi
	done
	# and no finding names a container that is not one of them
	[ "$bad" -eq 0 ]
}
