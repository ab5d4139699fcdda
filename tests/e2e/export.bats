#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# --export against real receivers: rsyslog on udp, tcp and a unix socket (RFC 5424 and CEF,
# field by field); an HTTP receiver (HEC and _bulk) that fails, slows down and comes back
# (retries, and drops bounded and counted, stdout and kernel drops untouched); files rotated
# by size and by logrotate (copytruncate and create). Findings come from containers that
# listen on many ports: each port is an unexpected-listening-port finding.

load helpers

CHECK_SYSLOG=$BH_REPO/tests/e2e/check_syslog.py
RECEIVER=$BH_REPO/tests/e2e/export_receiver.py

RSYSLOG_PID=
RECEIVER_PID=

teardown() {
	[ -z "$RSYSLOG_PID" ] || kill "$RSYSLOG_PID" 2>/dev/null || true
	[ -z "$RECEIVER_PID" ] || kill "$RECEIVER_PID" 2>/dev/null || true
	bh_teardown
}

# A port free now on loopback (tcp or udp): rsyslog is given it, no fixed port.
free_port() {
	python3 -c 'import socket, sys
s = socket.socket(type=socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}

# A container that listens on ports FIRST..FIRST+N-1, one bh-trigger each.
listen_burst() {
	local first=$1 n=$2
	ctr_run "$IMAGE" sh -c "p=$first; while [ \$p -lt $((first + n)) ]; do
		bh-trigger bind-listen \$p 0 >/dev/null || exit 1; p=\$((p + 1)); done"
}

# Number of finding lines on the agent's stdout; of container ID's listens when given.
stdout_findings() {
	jq -R -s --arg id "${1:-}" '[split("\n")[] | fromjson? | select(.type == "finding" and
		($id == "" or (.container.id == $id and .rule == "unexpected-listening-port")))] |
		length' "$BH_OUT"
}

# Waits until CMD prints VALUE (at most TIMEOUT seconds, default 20).
wait_for() {
	local value=$1 timeout=$2 got
	shift 2
	local deadline=$((SECONDS + timeout))
	while ((SECONDS <= deadline)); do
		got=$("$@" 2>/dev/null || true)
		[ "$got" = "$value" ] && return 0
		sleep 0.2
	done
	echo "waited ${timeout}s for '$*' to print $value; it printed '$got'" >&2
	return 1
}

# Starts rsyslogd with a config of its own in the test's folder: udp, tcp (RFC 5424), a second
# tcp input (CEF) and a unix socket, on free ports; each writes one record a line to a file,
# the fields rsyslog parsed separated by tabs.
start_rsyslog() {
	RS=$BATS_TEST_TMPDIR/rsyslog
	mkdir -p "$RS"
	RS_UDP=$(free_port udp) RS_TCP=$(free_port tcp) RS_CEF=$(free_port tcp)
	cat >"$RS/rsyslog.conf" <<-EOF
		global(workDirectory="$RS" maxMessageSize="64k")
		module(load="imudp")
		module(load="imtcp")
		module(load="imuxsock" SysSock.Use="off")
		template(name="fields" type="string" string="%pri%\t%timereported:::date-rfc3339%\t%hostname%\t%app-name%\t%procid%\t%msgid%\t%structured-data%\t%msg%\n")
		ruleset(name="udp") { action(type="omfile" file="$RS/udp.log" template="fields") }
		ruleset(name="tcp") { action(type="omfile" file="$RS/tcp.log" template="fields") }
		ruleset(name="cef") { action(type="omfile" file="$RS/cef.log" template="fields") }
		ruleset(name="unix") { action(type="omfile" file="$RS/unix.log" template="fields") }
		input(type="imudp" address="127.0.0.1" port="$RS_UDP" ruleset="udp")
		input(type="imtcp" address="127.0.0.1" port="$RS_TCP" ruleset="tcp")
		input(type="imtcp" address="127.0.0.1" port="$RS_CEF" ruleset="cef")
		input(type="imuxsock" Socket="$RS/log.sock" ruleset="unix" UseSpecialParser="off"
			ParseHostname="on" UseSysTimeStamp="off" IgnoreTimestamp="off")
	EOF
	rsyslogd -n -f "$RS/rsyslog.conf" -i "$RS/rsyslogd.pid" >"$RS/rsyslogd.out" 2>&1 3>&- &
	RSYSLOG_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$RS/log.sock" ] && [ -s "$RS/rsyslogd.pid" ] && return 0
		sleep 0.1
	done
	cat "$RS/rsyslogd.out" >&2
	return 1
}

# The final stats line's counter KEY of the export whose URI starts with PREFIX.
final_export() {
	jq -r --arg p "$1" --arg k "$2" 'select(.type == "stats" and .final) | .exports[] |
		select(.output | startswith($p)) | .[$k]' "$BH_OUT"
}

lines_of() {
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# Prints yes when the FILES together hold as many lines as stdout holds findings (other
# tests' containers may add findings at any time: the two are compared at one moment).
caught_up() {
	local n
	n=$(stdout_findings)
	[ "$(cat "$@" 2>/dev/null | wc -l)" -eq "$n" ] && echo yes
}

# Prints yes when the receiver counted as many KEY records as stdout holds findings.
received_all() {
	[ "$(jq ".$1" "$RX/requests.json")" -eq "$(stdout_findings)" ] && echo yes
}

@test "syslog over udp, tcp and a unix socket: RFC 5424 and CEF records field by field (rsyslog)" {
	bh_require docker
	command -v rsyslogd >/dev/null || bh_skip_or_fail "rsyslog not installed (sudo make deps)"
	start_rsyslog
	bh_start --export "syslog://127.0.0.1:$RS_UDP" --export "syslog+tcp://127.0.0.1:$RS_TCP" \
		--export "syslog+unix://$RS/log.sock?min_severity=high&facility=local0" \
		--export "syslog+tcp://127.0.0.1:$RS_CEF?format=cef"
	agent=$BH_PID
	# high and low findings from its configuration, a low one from its listen
	ctr_run --cap-add SYS_ADMIN --security-opt seccomp=unconfined "$IMAGE" \
		sh -c 'bh-trigger bind-listen 2300 0 >/dev/null'
	wait_json ".type == \"finding\" and .rule == \"unexpected-listening-port\" and
		.container.id == \"$CTR_ID\"" 20 >/dev/null
	bh_stop
	for out in "udp.log syslog://" "tcp.log syslog+tcp://127.0.0.1:$RS_TCP" \
		"unix.log syslog+unix" "cef.log syslog+tcp://127.0.0.1:$RS_CEF"; do
		set -- $out
		sent=$(final_export "$2" sent)
		[ "$(final_export "$2" dropped)" -eq 0 ]
		[ "$sent" -gt 0 ]
		wait_for "$sent" 10 lines_of "$RS/$1"
	done
	python3 "$CHECK_SYSLOG" rfc5424 "$BH_OUT" "$RS/udp.log" "$agent"
	python3 "$CHECK_SYSLOG" rfc5424 "$BH_OUT" "$RS/tcp.log" "$agent"
	python3 "$CHECK_SYSLOG" rfc5424 "$BH_OUT" "$RS/unix.log" "$agent" high
	python3 "$CHECK_SYSLOG" cef "$BH_OUT" "$RS/cef.log" "$agent"
	# the container's findings of each severity were among them
	grep -q "container_id=\"$CTR_ID\"" "$RS/unix.log"
	if grep -q 'severity="low"' "$RS/unix.log"; then false; fi
	grep -q "cs1=$CTR_ID" "$RS/cef.log"
}

@test "HTTP: HEC and _bulk bodies; a receiver that fails, slows and comes back costs only counted drops" {
	bh_require docker
	RX=$BATS_TEST_TMPDIR/receiver
	mkdir -p "$RX"
	echo ok >"$RX/mode"
	token=test-token-$RANDOM$RANDOM
	HEC_TOKEN=$token python3 "$RECEIVER" "$RX" --lifetime 120 3>&- &
	RECEIVER_PID=$!
	wait_for 1 10 sh -c "[ -s '$RX/port' ] && echo 1"
	port=$(cat "$RX/port")
	hec="http://127.0.0.1:$port/services/collector/event"
	bulk="http://127.0.0.1:$port/_bulk"
	q="queue=40&batch=10&backoff_max_ms=400"
	BH_TEST_HEC_TOKEN=$token bh_start --stats-interval 1 \
		--export "$hec?format=hec&token_env=BH_TEST_HEC_TOKEN&$q" \
		--export "$bulk?format=es-bulk&index=bh-test&$q"
	metrics_port=$(bh_http_port)

	# 1. up: everything arrives, and the bodies are what HEC and _bulk take
	listen_burst 20000 30
	wait_for 30 20 stdout_findings "$CTR_ID"
	wait_for yes 20 received_all hec_events
	wait_for yes 20 received_all bulk_docs
	diff <(jq -c 'select(.type == "finding")' "$BH_OUT" | sort) <(jq -c . "$RX/hec.jsonl" | sort)
	# the _bulk documents are ECS alerts: the 30 listens among them
	jq -e -s --arg id "$CTR_ID" 'map(select(.event.kind == "alert" and .container.id == $id and
		.rule.id == "unexpected-listening-port")) | length == 30' "$RX/bulk.jsonl"

	# 2. down (503): retries, and past the queue's 40 records, counted drops
	echo fail >"$RX/mode"
	listen_burst 21000 120
	wait_for 120 30 stdout_findings "$CTR_ID"
	wait_json '.type == "stats" and ([.exports[] | select(.dropped > 0 and .retried > 0)] |
		length == 2)' 20 >/dev/null

	# 3. slow (0.3 s a request), then 4. back: the queues empty
	echo slow >"$RX/mode"
	listen_burst 22000 30
	wait_for 30 20 stdout_findings "$CTR_ID"
	wait_for true 20 jq '.slow > 0' "$RX/requests.json"
	echo ok >"$RX/mode"
	wait_json '.type == "stats" and ([.exports[] | select(.queue_depth == 0)] | length == 2)
		and .findings == '"$(stdout_findings)" 20 >/dev/null
	curl -sf "http://127.0.0.1:$metrics_port/metrics" >"$BATS_TEST_TMPDIR/metrics"
	bh_stop

	# every finding reached stdout, the kernel lost nothing, stdout dropped nothing
	total=$(stdout_findings)
	jq -e -s --argjson n "$total" 'map(select(.type == "stats" and .final))[0] |
		.findings == $n and .drops == 0 and .output_dropped_lines == 0' "$BH_OUT"
	# per output: retried, dropped, and sent + dropped = every finding; sent = what arrived
	for uri in "$hec" "$bulk"; do
		sent=$(final_export "$uri" sent)
		dropped=$(final_export "$uri" dropped)
		[ "$(final_export "$uri" retried)" -gt 0 ]
		[ "$dropped" -gt 0 ]
		[ $((sent + dropped)) -eq "$total" ]
		grep -q "^bulkhead_export_dropped_total{output=\"$uri?[^\"]*\"} [1-9]" \
			"$BATS_TEST_TMPDIR/metrics"
	done
	[ "$(final_export "$hec" sent)" -eq "$(lines_of "$RX/hec.jsonl")" ]
	[ "$(final_export "$bulk" sent)" -eq "$(lines_of "$RX/bulk.jsonl")" ]
	# no duplicate: a retry resends only what was not taken
	[ "$(sort -u "$RX/hec.jsonl" | wc -l)" -eq "$(lines_of "$RX/hec.jsonl")" ]
	[ ! -e "$RX/errors" ]
	jq -e '.fail > 0 and .bad == 0' "$RX/requests.json"
	# the token is in neither the logs, the lines nor the metrics
	if grep -qF "$token" "$BH_ERR" "$BH_OUT" "$BATS_TEST_TMPDIR/metrics"; then false; fi
}

@test "file outputs: size rotation keeps the newest lines; logrotate copytruncate and create lose none" {
	bh_require docker
	command -v logrotate >/dev/null || bh_skip_or_fail "logrotate not installed (sudo make deps)"
	F=$BATS_TEST_TMPDIR/files
	mkdir -p "$F"
	bh_start --export "file://$F/size.log?types=finding&max_size=8000&keep=3" \
		--export "file://$F/copy.log?types=finding&max_size=0" \
		--export "file://$F/create.log?types=finding&max_size=0"
	agent=$BH_PID
	cat >"$F/logrotate.conf" <<-EOF
		$F/copy.log {
			copytruncate
			rotate 2
		}
		$F/create.log {
			create 0640 root root
			rotate 2
			postrotate
				kill -USR1 $agent
			endscript
		}
	EOF

	listen_burst 23000 30
	wait_for 30 20 stdout_findings "$CTR_ID"
	wait_for yes 10 caught_up "$F/copy.log"
	wait_for yes 10 caught_up "$F/create.log"
	logrotate -f -s "$F/logrotate.state" "$F/logrotate.conf"
	[ -s "$F/copy.log.1" ] && [ -s "$F/create.log.1" ]

	listen_burst 24000 30
	wait_for 30 20 stdout_findings "$CTR_ID"
	wait_for yes 10 caught_up "$F/copy.log.1" "$F/copy.log"
	wait_for yes 10 caught_up "$F/create.log.1" "$F/create.log"
	bh_stop

	jq -c 'select(.type == "finding")' "$BH_OUT" >"$F/stdout.findings"
	# copytruncate: the old lines in .1, the rest in the truncated file, no hole of NULs
	diff <(jq -c . "$F/copy.log.1" "$F/copy.log") "$F/stdout.findings"
	[ "$(tr -d '\000' <"$F/copy.log" | wc -c)" -eq "$(wc -c <"$F/copy.log")" ]
	# create: the agent reopened the new file on SIGUSR1 (else it would still be empty)
	[ -s "$F/create.log" ]
	diff <(jq -c . "$F/create.log.1" "$F/create.log") "$F/stdout.findings"
	# size: no file past 8000 bytes, three kept, and together the newest findings
	for f in "$F"/size.log*; do [ "$(wc -c <"$f")" -le 8000 ]; done
	[ -s "$F/size.log.3" ] && [ ! -e "$F/size.log.4" ]
	kept=$(cat "$F/size.log.3" "$F/size.log.2" "$F/size.log.1" "$F/size.log" | wc -l)
	diff <(cat "$F/size.log.3" "$F/size.log.2" "$F/size.log.1" "$F/size.log" | jq -c .) \
		<(tail -n "$kept" "$F/stdout.findings")
}

# A CA and a certificate of it for 127.0.0.1 in DIR: ca.pem, server.pem, server.key.
make_certs() {
	local dir=$1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bulkhead test CA" \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >"$dir/san.ext"
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
		-CAcreateserial -days 2 -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null
}

@test "HTTPS: verified against ca_file; an unknown CA is refused by default, counted, not sent" {
	bh_require docker
	RX=$BATS_TEST_TMPDIR/receiver
	mkdir -p "$RX"
	echo ok >"$RX/mode"
	make_certs "$RX"
	token=tls-token-$RANDOM$RANDOM
	HEC_TOKEN=$token python3 "$RECEIVER" "$RX" --lifetime 120 \
		--tls "$RX/server.pem" "$RX/server.key" 3>&- &
	RECEIVER_PID=$!
	wait_for 1 10 sh -c "[ -s '$RX/port' ] && echo 1"
	hec="https://127.0.0.1:$(cat "$RX/port")/services/collector/event"
	q="format=hec&token_env=BH_TEST_HEC_TOKEN&queue=40&batch=10&backoff_max_ms=200"
	# the same receiver twice: once with its CA, once with the system's CAs only
	BH_TEST_HEC_TOKEN=$token bh_start --stats-interval 1 \
		--export "$hec?$q&ca_file=$RX/ca.pem" --export "$hec?$q&index=unverified"
	listen_burst 21000 10
	wait_for 10 20 stdout_findings "$CTR_ID"
	wait_for yes 20 received_all hec_events
	bh_stop
	total=$(stdout_findings)
	[ "$(final_export "$hec?$q&ca_file" sent)" -eq "$total" ]
	[ "$(final_export "$hec?$q&index=unverified" sent)" -eq 0 ]
	[ "$(final_export "$hec?$q&index=unverified" dropped)" -eq "$total" ]
	# what arrived came through the verified output only, each finding once
	[ "$(lines_of "$RX/hec.jsonl")" -eq "$total" ]
	grep -qi "certificate" "$BH_ERR"
}
