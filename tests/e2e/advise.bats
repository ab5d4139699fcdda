#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end: `bulkhead advise` watches a real container from its start, and the profile
# and flags it writes run the same workload again under docker: the workload works, a call
# it never made is refused with EPERM by the profile, and the same workload twice gives
# the same profile.

load helpers

SHELL_WORK='for i in 1 2 3; do echo "line $i: $(echo hello$i | md5sum)"; done; ls /etc | wc -l'

setup() {
	bh_require docker || return
	CTR_PREFIX=bh18-advise
}

teardown() {
	bh_teardown
}

# Starts `advise --container NAME -o DIR --duration SEC` (summary in DIR/summary.txt) and
# waits until it advises, before the container exists.
advise_start() {
	local name=$1 dir=$2 duration=$3 i
	mkdir -p "$dir"
	"$BULKHEAD" advise --container "$name" --duration "$duration" -o "$dir" \
		>"$dir/summary.txt" 2>"$dir/advise.err" &
	BH_PID=$!
	for ((i = 0; i < BH_READY_TIMEOUT * 10; i++)); do
		grep -q "advising $name for" "$dir/advise.err" && return 0
		kill -0 "$BH_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "advise did not start:" >&2
	cat "$dir/advise.err" >&2
	return 1
}

# Waits for advise to write its files, and shows what it said.
advise_wait() {
	local dir=$1
	wait "$BH_PID"
	BH_PID=
	cat "$dir/advise.err" "$dir/summary.txt"
}

# A unique container name, removed in teardown.
new_name() {
	CTR_NAME=$CTR_PREFIX-$$-$BATS_TEST_NUMBER-${#BH_CONTAINERS[@]}-$RANDOM
	BH_CONTAINERS+=("$CTR_NAME")
}

# The page httpd serves from the container NAME (its /etc/hostname), by its bridge address.
fetch_page() {
	local ip i page
	ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$1")
	for ((i = 0; i < 50; i++)); do
		# busybox-static (a test dependency): its wget crashes in a static build, nc does not
		page=$(printf 'GET /hostname HTTP/1.0\r\n\r\n' | busybox nc -w 2 "$ip" 8080 | tail -1)
		if [ -n "$page" ]; then
			echo "$page"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

@test "advise: busybox httpd runs under its profile and flags; unshare is refused with EPERM" {
	local dir=$BATS_TEST_TMPDIR/httpd first second
	advise_start "$CTR_PREFIX-$$-httpd" "$dir" 6
	CTR_NAME=$CTR_PREFIX-$$-httpd
	BH_CONTAINERS+=("$CTR_NAME")
	docker run -d --name "$CTR_NAME" "$IMAGE" httpd -f -p 8080 -h /etc
	first=$(fetch_page "$CTR_NAME")
	[ -n "$first" ]
	advise_wait "$dir"

	grep -q '^Ports listened on: 8080/tcp' "$dir/summary.txt"
	grep -q '^Root filesystem written: no' "$dir/summary.txt"
	grep -q '^Setuid exec: none' "$dir/summary.txt"
	grep -q 'Capabilities not judged' "$dir/summary.txt"
	grep -qx -- '--read-only' "$dir/flags.txt"
	grep -qx 'no-new-privileges' "$dir/flags.txt"
	grep -qx 'ALL' "$dir/flags.txt"
	grep -q '"SCMP_ACT_ERRNO"' "$dir/seccomp.json"
	grep -q '"accept"' "$dir/seccomp.json"
	! grep -q '"unshare"' "$dir/seccomp.json"
	! grep -q '"mount"' "$dir/seccomp.json"
	grep -q 'readOnlyRootFilesystem: true' "$dir/securityContext.yaml"

	# Again under the advice: it serves the page, and a call it never made is refused.
	new_name
	# shellcheck disable=SC2046 # one flag or value a line
	docker run -d --name "$CTR_NAME" $(cat "$dir/flags.txt") "$IMAGE" httpd -f -p 8080 -h /etc
	second=$(fetch_page "$CTR_NAME")
	[ "$second" = "$(docker inspect -f '{{.Config.Hostname}}' "$CTR_NAME")" ]
	run docker exec "$CTR_NAME" unshare -U true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "advise: a shell workload gives the same output under its profile, the same profile twice" {
	local dir1=$BATS_TEST_TMPDIR/shell1 dir2=$BATS_TEST_TMPDIR/shell2 expected
	for dir in "$dir1" "$dir2"; do
		new_name
		advise_start "$CTR_NAME" "$dir" 4
		docker run --name "$CTR_NAME" "$IMAGE" sh -c "$SHELL_WORK" >"$dir/workload.out"
		advise_wait "$dir"
	done
	expected=$(cat "$dir1/workload.out")
	[ "$(wc -l <"$dir1/workload.out")" -eq 4 ]
	diff "$dir1/seccomp.json" "$dir2/seccomp.json"
	grep -q '"wait4"' "$dir1/seccomp.json"
	grep -q '^Ports listened on: none' "$dir1/summary.txt"

	new_name
	# shellcheck disable=SC2046
	run docker run --name "$CTR_NAME" $(cat "$dir1/flags.txt") "$IMAGE" sh -c "$SHELL_WORK"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$expected" ]

	# unshare(CLONE_NEWUSER) needs no capability: with the same flags but no profile it
	# works, so the EPERM under the profile is the profile's.
	new_name
	# shellcheck disable=SC2046
	docker run --name "$CTR_NAME" $(sed 's/^seccomp=.*/seccomp=unconfined/' "$dir1/flags.txt") \
		"$IMAGE" unshare -U true
	new_name
	# shellcheck disable=SC2046
	run docker run --name "$CTR_NAME" $(cat "$dir1/flags.txt") "$IMAGE" unshare -U true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"unshare"*"Operation not permitted"* ]]
}

@test "advise: bad input is a usage error" {
	run "$BULKHEAD" advise
	[ "$status" -eq 2 ]
	[[ "$output" == *"one of --container"* ]]
	run "$BULKHEAD" advise --container x --image y
	[ "$status" -eq 2 ]
	run "$BULKHEAD" advise --container x --duration 0
	[ "$status" -eq 2 ]
	run "$BULKHEAD" advise --container x -o /nonexistent-dir
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a directory"* ]]
	run "$BULKHEAD" advise --container x --merge /nonexistent.json --duration 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"--merge"* ]]
	echo '{"defaultAction": "SCMP_ACT_ERRNO"}' >"$BATS_TEST_TMPDIR/bad.json"
	run "$BULKHEAD" advise --container x --merge "$BATS_TEST_TMPDIR/bad.json" --duration 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"not a seccomp profile"* ]]
}

@test "advise: --merge adds an earlier profile's allowed calls" {
	local dir=$BATS_TEST_TMPDIR/merge
	mkdir -p "$dir"
	cat >"$dir/earlier.json" <<-'JSON'
		{"defaultAction": "SCMP_ACT_ERRNO",
		 "syscalls": [{"names": ["accept4", "no_such_call"], "action": "SCMP_ACT_ALLOW"},
			      {"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]}
	JSON
	new_name
	run "$BULKHEAD" advise --container "$CTR_NAME" --duration 1 -o "$dir" \
		--merge "$dir/earlier.json"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '"accept4"' "$dir/seccomp.json"
	! grep -q '"mount"' "$dir/seccomp.json"
	[[ "$output" == *"1 syscall names unknown"* ]]
	[[ "$output" == *"no process of $CTR_NAME was seen"* ]]
}
