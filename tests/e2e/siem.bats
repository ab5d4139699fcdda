#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# SIEM export and capture files: schema-valid lines in both formats, record and replay of a
# real session, truncated and corrupt captures, and a slow reader that loses no finding.

load helpers

SCHEMA=$BH_REPO/deploy/schema/bulkhead-v1.schema.json
ECS_SCHEMA=$BH_REPO/deploy/schema/bulkhead-ecs-v1.schema.json
VALIDATE=$BH_REPO/tests/e2e/validate_lines.py

teardown() {
	bh_teardown
}

# Rule scenarios in real containers: docker.sock mount and access, dangerous caps, host
# namespaces, no seccomp, a mount inside a container.
run_scenarios() {
	ctr_run -v /var/run/docker.sock:/var/run/docker.sock "$IMAGE" \
		/usr/local/bin/bh-trigger connect-unix /var/run/docker.sock || true
	ctr_run --cap-add SYS_ADMIN --security-opt seccomp=unconfined --pid host "$IMAGE" \
		sh -c 'mkdir -p /m && mount -t tmpfs none /m; true' || true
	# leaves its cgroup for the host's root one: the replay finds the move from the namespaces
	ctr_run --cgroupns host --cap-add SYS_ADMIN --security-opt seccomp=unconfined "$IMAGE" \
		sh -c 'mkdir -p /cg1 /cg2 && mount -t cgroup -o pids cgroup /cg1 &&
			echo $$ >/cg1/cgroup.procs && mount -t cgroup2 none /cg2 &&
			echo $$ >/cg2/cgroup.procs && exec /bin/true' || true
}

# rule + container id of every finding in FILE, sorted and unique.
finding_set() {
	jq -r 'select(.type == "finding") | .rule + " " + (.container.id // "host")' "$1" | sort -u
}

@test "record a real session; replay gives the same findings; every line fits the schema" {
	bh_require docker
	command -v python3 >/dev/null && python3 -c 'import jsonschema' ||
		bh_skip_or_fail "python3-jsonschema missing (scripts/install-deps.sh)"
	cap=$BATS_TEST_TMPDIR/session.bhc
	# bh_start runs `bulkhead run`; record is started the same way by hand.
	BH_OUT=$BATS_TEST_TMPDIR/bulkhead.out
	BH_ERR=$BATS_TEST_TMPDIR/bulkhead.err
	"$BULKHEAD" record -o "$cap" --events all --stats-interval 1 >"$BH_OUT" 2>"$BH_ERR" 3>&- &
	BH_PID=$!
	for ((i = 0; i < BH_READY_TIMEOUT * 10; i++)); do
		grep -qw ready "$BH_ERR" && break
		sleep 0.1
	done
	grep -qw ready "$BH_ERR"
	run_scenarios
	wait_json '.type == "finding" and .container != null' 20 >/dev/null
	sleep 2 # let the 1 s stats timer end a frame with the last events
	bh_stop
	grep -q 'recorded [0-9]* events' "$BH_ERR"

	"$BULKHEAD" replay "$cap" --events all >"$BATS_TEST_TMPDIR/replay.out" 2>"$BATS_TEST_TMPDIR/replay.err"
	finding_set "$BH_OUT" >"$BATS_TEST_TMPDIR/live.set"
	finding_set "$BATS_TEST_TMPDIR/replay.out" >"$BATS_TEST_TMPDIR/replay.set"
	[ -s "$BATS_TEST_TMPDIR/live.set" ]
	# the escape happened live, so the comparison covers it
	grep -q '^container-cgroup-escape ' "$BATS_TEST_TMPDIR/live.set"
	diff "$BATS_TEST_TMPDIR/live.set" "$BATS_TEST_TMPDIR/replay.set"

	python3 "$VALIDATE" "$SCHEMA" "$BH_OUT" "$BATS_TEST_TMPDIR/replay.out"
	"$BULKHEAD" replay "$cap" --events all --format ecs >"$BATS_TEST_TMPDIR/replay.ecs"
	python3 "$VALIDATE" "$ECS_SCHEMA" "$BATS_TEST_TMPDIR/replay.ecs"
	jq -e -s 'map(select(.event.kind == "alert")) | length > 0' "$BATS_TEST_TMPDIR/replay.ecs"

	# A copy cut inside its last frame replays the whole frames and says so.
	size=$(stat -c %s "$cap")
	head -c $((size - 3)) "$cap" >"$BATS_TEST_TMPDIR/cut.bhc"
	run "$BULKHEAD" replay "$BATS_TEST_TMPDIR/cut.bhc"
	[ "$status" -eq 0 ]
	[[ $output == *"truncated after "*" frames"* ]]

	# A corrupt copy (last checksum byte) and a foreign file fail cleanly with exit 1.
	cp "$cap" "$BATS_TEST_TMPDIR/bad.bhc"
	printf '\xff' | dd of="$BATS_TEST_TMPDIR/bad.bhc" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
	run "$BULKHEAD" replay "$BATS_TEST_TMPDIR/bad.bhc"
	[ "$status" -eq 1 ]
	[[ $output == *"corrupt"* ]]
	run "$BULKHEAD" replay "$BH_OUT"
	[ "$status" -eq 1 ]
	[[ $output == *"not a bulkhead capture file"* ]]
}

@test "live --format ecs lines fit the ECS schema" {
	bh_require docker
	python3 -c 'import jsonschema' || bh_skip_or_fail "python3-jsonschema missing"
	bh_start --events all --format ecs --stats-interval 1
	run_scenarios
	wait_json '.event.kind == "alert" and .container.id != null' 20 >/dev/null
	bh_stop
	python3 "$VALIDATE" "$ECS_SCHEMA" "$BH_OUT"
}

@test "a slow reader loses no finding while events are dropped and counted" {
	bh_require docker
	out=$BATS_TEST_TMPDIR/slow.out
	err=$BATS_TEST_TMPDIR/slow.err
	# The reader reads nothing until the burst and the scenarios are over (however long they
	# take on this machine): the pipe and the queue (4 MiB) fill with raw events.
	flag=$BATS_TEST_TMPDIR/read-now
	("$BULKHEAD" run --events all --stats-interval 1 2>"$err" 3>&- |
		(until [ -e "$flag" ]; do sleep 0.1; done; cat >"$out")) 3>&- &
	for ((i = 0; i < 300; i++)); do grep -qw ready "$err" && break; sleep 0.1; done
	grep -qw ready "$err"
	# Many raw events (every exec is one, its arguments make it some 2 KiB: 3000 of them
	# are more than the queue holds), then the rule scenarios.
	ctr_run "$IMAGE" sh -c 'a=$(seq 1000 1300); i=0
		while [ $i -lt 3000 ]; do /bin/true $a; i=$((i+1)); done' || true
	run_scenarios
	touch "$flag"
	sleep 2
	pid=$(pgrep -f "^$BULKHEAD run --events all --stats-interval 1" | head -n 1)
	kill -INT "$pid"
	wait
	# Events were dropped, and every finding the pipeline produced reached the reader
	# (what the kernel itself dropped under the burst is the ring buffer's count, not ours).
	jq -e -s 'map(select(.type == "stats" and .final)) | .[0].output_dropped_lines > 0' "$out"
	jq -e -s '(map(select(.type == "finding")) | length) as $n |
		map(select(.type == "stats" and .final)) | .[0].findings == $n and $n > 0' "$out"
	# Every line arrived whole.
	jq -c . "$out" >/dev/null
}
