#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end: the open findings of running containers. A real agent, a misconfigured and a
# default docker container: GET /findings with each filter, bulkhead_open_findings on
# /metrics, the open findings sent to a client that attaches late, and a stopped
# container leaving the set with its count on the container-stop line.

load helpers

teardown() {
	bh_teardown
}

# GET /findings?QUERY from the agent; prints the body, fails unless the status is WANT (200).
findings() {
	local body status
	body=$(curl -sS -w '\n%{http_code}' "http://127.0.0.1:$BH_PORT/findings${1:+?$1}")
	status=${body##*$'\n'}
	body=${body%$'\n'*}
	if [ "$status" != "${2:-200}" ]; then
		printf 'GET /findings?%s: status %s, not %s: %s\n' "$1" "$status" "${2:-200}" \
			"$body" >&2
		return 1
	fi
	printf '%s\n' "$body"
}

# The rules open on container ID (a full id) in a /findings document on stdin, sorted.
open_rules() {
	jq -r --arg id "$1" '.containers[] | select(.container.id == $id) | .findings[].rule' | sort
}

@test "open findings: /findings and its filters, the gauge, a late client, the stop" {
	bh_require docker
	command -v curl >/dev/null || bh_skip_or_fail "curl not installed (sudo make deps)" || return
	local sock=$BATS_TEST_TMPDIR/events.sock bad bad_id good good_id doc written i open stop
	bh_start --stats-interval 0 --socket "$sock"
	BH_PORT=$(bh_http_port)
	[ -n "$BH_PORT" ]

	ctr_run -d -v /var/run/docker.sock:/s --cap-add SYS_ADMIN "$IMAGE" sleep 300 >/dev/null
	bad=$CTR_NAME bad_id=$CTR_ID
	ctr_run -d "$IMAGE" sleep 300 >/dev/null
	good=$CTR_NAME good_id=$CTR_ID
	# A behaviour finding twice: one identity (program, socket), one open finding.
	docker exec "$bad" bh-trigger connect-unix /s
	docker exec "$bad" bh-trigger connect-unix /s
	CTR_ID=$bad_id finding docker-socket-access >/dev/null
	CTR_ID=$good_id finding no-new-privileges-missing >/dev/null
	# Every rule the agent wrote a finding of is open on the container. /findings is
	# published once a second and stdout is written by a thread: wait until they agree.
	for ((i = 0; i < 50; i++)); do
		doc=$(findings)
		written=$(CTR_ID=$bad_id ctr_findings | jq -r .rule | sort -u)
		[ "$(open_rules "$bad_id" <<<"$doc" | sort -u)" = "$written" ] &&
			[ -n "$(open_rules "$good_id" <<<"$doc")" ] && break
		sleep 0.2
	done
	[ "$(open_rules "$bad_id" <<<"$doc" | sort -u)" = "$written" ]
	grep -qx docker-socket-mount <<<"$written"
	[ "$(open_rules "$good_id" <<<"$doc")" = no-new-privileges-missing ]
	[ "$(open_rules "$bad_id" <<<"$doc" | grep -cx docker-socket-access)" = 1 ]
	# A docker API slow to answer (a busy node) names the container late: /findings
	# describes it as the agent knows it when the document is built (at most 5 s stale).
	for ((i = 0; i < 250; i++)); do
		[ "$(findings "container=$bad" | jq '.open_findings')" != 0 ] && break
		sleep 0.2
	done
	doc=$(findings)
	jq -e --arg id "$bad_id" --arg name "$bad" '.schema == 1 and
		(.containers[] | select(.container.id == $id) |
			.container.name == $name and .container.runtime == "docker" and
			.container.image == "local/busybox:1" and .open_findings == (.findings | length) and
			all(.findings[]; (.rule | length) > 0 and
				(.severity | IN("low", "medium", "high", "critical")) and
				(.summary | contains($id[0:12])) and .first_seen <= .last_seen and .count >= 1))' \
		<<<"$doc" >/dev/null || { echo "$doc" | jq -c ".containers[] | select(.container.id == \"$bad_id\")" >&2; false; }
	jq -e --arg id "$bad_id" '.containers[] | select(.container.id == $id) | .findings[] |
		select(.rule == "docker-socket-access") | .process.comm == "bh-trigger" and
		(.evidence.peer_path | endswith("/docker.sock"))' <<<"$doc" >/dev/null

	# container= by name and by id prefix: that container alone.
	doc=$(findings "container=$bad")
	[ "$(jq -r '[.containers[].container.id] | join(" ")' <<<"$doc")" = "$bad_id" ]
	doc=$(findings "container=${good_id:0:12}")
	[ "$(jq -r '[.containers[].container.id] | join(" ")' <<<"$doc")" = "$good_id" ]
	# severity= is a minimum: the default container's low finding goes at high.
	doc=$(findings "severity=high")
	[ -n "$(open_rules "$bad_id" <<<"$doc")" ]
	[ -z "$(open_rules "$good_id" <<<"$doc")" ]
	jq -e 'all(.containers[].findings[]; .severity | IN("high", "critical"))' <<<"$doc" >/dev/null
	doc=$(findings "severity=low")
	[ -n "$(open_rules "$good_id" <<<"$doc")" ]
	# namespace=: docker containers are in no Kubernetes namespace.
	doc=$(findings "namespace=default")
	[ -z "$(open_rules "$bad_id" <<<"$doc")" ]
	# Bad filters: 400 with a JSON error naming the filter.
	findings "severity=urgent" 400 | jq -e '.filter == "severity" and (.error | length) > 0' >/dev/null
	findings "pod=x" 400 | jq -e '.filter == "pod"' >/dev/null
	findings "container=" 400 | jq -e '.filter == "container"' >/dev/null
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BH_PORT/finding"
	[ "$output" = 404 ]

	# /metrics: the gauge per rule and severity, documented, with no container label.
	run curl -sS "http://127.0.0.1:$BH_PORT/metrics"
	[ "$status" -eq 0 ]
	grep -qx '# TYPE bulkhead_open_findings gauge' <<<"$output"
	grep -q '^# HELP bulkhead_open_findings ' <<<"$output"
	grep -E '^bulkhead_open_findings\{rule="docker-socket-mount",severity="[a-z]+"\} [1-9]' \
		<<<"$output"
	# rule and severity are its only labels
	[ -z "$(grep '^bulkhead_open_findings{' <<<"$output" |
		grep -vE '^bulkhead_open_findings\{rule="[a-z-]+",severity="[a-z]+"\} [0-9]+$')" ]

	# A client attaching now (bulkhead top) is sent the findings open before it came.
	bh_attach "$sock"
	for ((i = 0; i < 50; i++)); do
		grep -F "$bad_id" "$BH_EVENTS" | grep -q '"rule":"docker-socket-mount"' && break
		sleep 0.1
	done
	grep -F "$bad_id" "$BH_EVENTS" | grep -q '"rule":"docker-socket-mount"'

	# The bad container stops: its findings leave the set, the stop line says how many.
	open=$(findings "container=$bad_id" | jq '.open_findings')
	[ "$open" -ge 3 ]
	docker rm -f "$bad" >/dev/null
	stop=$(wait_json ".type == \"lifecycle\" and .action == \"container-stop\" and
		.container.id == \"$bad_id\"" 20 "$bad_id")
	json_check "$stop" ".open_findings == $open"
	for ((i = 0; i < 50; i++)); do
		[ "$(findings "container=$bad_id" | jq '.open_findings')" = 0 ] && break
		sleep 0.2
	done
	[ "$(findings "container=$bad_id" | jq '.containers | length')" = 0 ]
	[ -n "$(findings | open_rules "$good_id")" ]
	bh_stop
}
