#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end: configuration findings for containers already running at start, policy
# reload on SIGHUP (a broken file keeps the old policy), and `bulkhead rules` / `policy check`.

load helpers

teardown() {
	bh_teardown
}

@test "already running: a bad container started before bulkhead is still reported" {
	bh_require docker
	ctr_run -d -v /var/run/docker.sock:/s "$IMAGE" sleep 300
	bh_start --events none --stats-interval 0
	line=$(wait_json ".type == \"finding\" and .rule == \"docker-socket-mount\" and
		.container.id == \"$CTR_ID\"" 15)
	json_check "$line" ".container.name == \"$CTR_NAME\""
	bh_stop
}

@test "policy: SIGHUP reloads; a broken file keeps the old policy" {
	bh_require docker
	policy=$BATS_TEST_TMPDIR/policy.yaml
	echo 'rules: { no-new-privileges-missing: { enabled: false } }' >"$policy"
	bh_start --stats-interval 0 --policy "$policy" --socket "$BATS_TEST_TMPDIR/events.sock"
	bh_attach "$BATS_TEST_TMPDIR/events.sock"
	ctr_script true
	# It runs without no_new_privs: only the disabled rule keeps it silent.
	saw_event "$(final_exec '.exec.no_new_privs == false')"
	no_finding no-new-privileges-missing

	echo 'rules: { no-new-privileges-missing: { enabled: true, severity: medium } }' >"$policy"
	kill -HUP "$BH_PID"
	for ((i = 0; i < 100; i++)); do grep -q "policy reloaded" "$BH_ERR" && break; sleep 0.1; done
	ctr_script true
	finding no-new-privileges-missing '.severity == "medium"' >/dev/null

	printf 'rules:\n  no-such-rule: { enabled: true }\n' >"$policy"
	kill -HUP "$BH_PID"
	for ((i = 0; i < 100; i++)); do grep -q "keeping the previous policy" "$BH_ERR" && break; sleep 0.1; done
	grep -q "policy.yaml:2:" "$BH_ERR"
	grep -q "keeping the previous policy" "$BH_ERR"
	ctr_script true
	finding no-new-privileges-missing '.severity == "medium"' >/dev/null
	bh_stop
}

@test "bulkhead rules lists every rule id with severity and fix" {
	bh_require_binary
	run "$BULKHEAD" rules --json
	[ "$status" -eq 0 ]
	# One entry per rule of README's table, and no other.
	[ "$(printf '%s\n' "$output" | jq -r .rule | sort)" = "$(sed -n \
		's/^| `\([a-z-]*\)` | \(low\|medium\|high\|critical\)\( (advisory)\)\? |.*/\1/p' \
		"$BH_REPO/README.md" | sort)" ]
	printf '%s\n' "$output" | jq -e -s 'all(.[]; (.rule | length) > 0 and
		(.severity | IN("low", "medium", "high", "critical")) and (.remediation | length) > 0
		and (.compliance.cis | length) > 0 and (.compliance.attack | length) > 0)'
}

@test "bulkhead policy check: valid example, and a bad file names file, line and column" {
	bh_require_binary
	run "$BULKHEAD" policy check "$BH_REPO/deploy/policy.yaml"
	[ "$status" -eq 0 ]
	bad=$BATS_TEST_TMPDIR/bad.yaml
	printf 'rules:\n  docker-socket-access: { severity: urgent }\n' >"$bad"
	run "$BULKHEAD" policy check "$bad"
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad.yaml:2:"* ]]
	[[ "$output" == *severity* ]]
	run "$BULKHEAD" run --policy "$BATS_TEST_TMPDIR/missing.yaml"
	[ "$status" -eq 2 ]
	[[ "$output" == *missing.yaml* ]]
}
