#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A first day on a node: the built-in baseline keeps kube-proxy-, calico-node-, CSI- and
# node-exporter-shaped pods quiet but for its documented residue, while the same images in
# another namespace and an unknown privileged pod are reported; narrow allow entries (by
# evidence, labels, expiry, accept) and their hit counters in /metrics; and a ConfigMap-style
# ..data swap reloading the policy. Pods are containerd containers started with ctr, with
# the cgroup paths and CRI annotations the kubelet gives them (as k8s.bats does), from the
# busybox test image re-tagged as each component's repository.

load helpers

CONTAINERD_SOCK=/run/containerd/containerd.sock
CTR_NS=k8s.io
# One name for the whole file (each test runs in its own process): the run's temp dir.
TAG=bh-e2e-${BATS_RUN_TMPDIR##*-}
KUBE_PROXY=registry.k8s.io/kube-proxy:$TAG
CALICO=docker.io/calico/node:$TAG
REGISTRAR=registry.k8s.io/sig-storage/csi-node-driver-registrar:$TAG
CSI_DRIVER=registry.k8s.io/sig-storage/hostpathplugin:$TAG
NODE_EXPORTER=quay.io/prometheus/node-exporter:$TAG
PLUGIN_DIR=/var/lib/kubelet/plugins/$TAG.csi

ctr_() { ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" "$@"; }

# Host paths the components mount that this node may lack: created here, removed at the end
# (only what this file created).
HOST_PATHS=(/run/xtables.lock /var/lib/kubelet /var/lib/kubelet/plugins "$PLUGIN_DIR"
	/var/lib/kubelet/plugins_registry)

setup_file() {
	command -v ctr >/dev/null || return 0 # each test skips (or fails in CI) on its own
	"$BH_REPO/scripts/start-containerd.sh" >/dev/null || return 0
	if ! ctr_ image ls -q | grep -qx "docker.io/$IMAGE"; then
		docker save "$IMAGE" -o "$BATS_FILE_TMPDIR/image.tar"
		ctr_ image import "$BATS_FILE_TMPDIR/image.tar" >/dev/null
	fi
	local ref p
	for ref in "$KUBE_PROXY" "$CALICO" "$REGISTRAR" "$CSI_DRIVER" "$NODE_EXPORTER"; do
		ctr_ image tag "docker.io/$IMAGE" "$ref" >/dev/null
	done
	: >"$BATS_FILE_TMPDIR/created"
	for p in "${HOST_PATHS[@]}"; do
		[ -e "$p" ] && continue
		case $p in
		*.lock) : >"$p" ;;
		*) mkdir "$p" ;;
		esac
		echo "$p" >>"$BATS_FILE_TMPDIR/created"
	done
}

teardown_file() {
	local ref p
	for ref in "$KUBE_PROXY" "$CALICO" "$REGISTRAR" "$CSI_DRIVER" "$NODE_EXPORTER"; do
		ctr_ image rm "$ref" >/dev/null 2>&1 || true
	done
	[ -f "$BATS_FILE_TMPDIR/created" ] || return 0
	# deepest first
	tac "$BATS_FILE_TMPDIR/created" | while read -r p; do
		if [ -d "$p" ]; then rmdir "$p"; else rm -f "$p"; fi
	done
}

PODS=()

teardown() {
	local id
	for id in "${PODS[@]}"; do
		ctr_ task kill -s KILL "$id" >/dev/null 2>&1 || true
	done
	for id in "${PODS[@]}"; do
		ctr_ task rm -f "$id" >/dev/null 2>&1 || true
		ctr_ container rm "$id" >/dev/null 2>&1 || true
	done
	PODS=()
	bh_teardown
}

require_ctr() {
	bh_require docker || return
	command -v ctr >/dev/null || bh_skip_or_fail "ctr not installed (apt-get install containerd)" ||
		return
	ctr_ version >/dev/null 2>&1 || bh_skip_or_fail "containerd does not answer at $CONTAINERD_SOCK"
}

# pod NAMESPACE POD IMAGE [CTR FLAGS...]: a pod's container as the kubelet and containerd's CRI
# plugin start it (cgroupfs driver, BestEffort class), running sleep; sets POD_ID.
pod() {
	local ns=$1 name=$2 image=$3 uid
	shift 3
	uid=0b1c2d3e-4444-5555-6666-$(printf '%012d' $((RANDOM * 32768 + RANDOM)))
	POD_ID=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
	PODS+=("$POD_ID")
	ctr_ run -d --cgroup "/kubepods/besteffort/pod$uid/$POD_ID" \
		--annotation io.kubernetes.cri.container-type=container \
		--annotation "io.kubernetes.cri.sandbox-name=$name" \
		--annotation "io.kubernetes.cri.sandbox-namespace=$ns" \
		--annotation "io.kubernetes.cri.sandbox-uid=$uid" \
		--annotation "io.kubernetes.cri.container-name=${name%%-*}" \
		--annotation "io.kubernetes.cri.image-name=$image" \
		"$@" "$image" "$POD_ID" /bin/sleep 120 >/dev/null
}

# The rule ids of the findings on container ID so far, sorted, one line.
rules_of() {
	grep -F -- "$1" "$BH_OUT" | jq -r -R "fromjson? | select(.type == \"finding\" and
		.container.id == \"$1\") | .rule" | sort | tr '\n' ' '
}

# Waits until the agent has judged container ID (its container-start line).
judged() {
	wait_json ".type == \"lifecycle\" and .action == \"container-start\" and
		.container.id == \"$1\"" 20 "$1" >/dev/null
}

# The agent's /metrics, on the port it logged.
metrics() {
	curl -sS "http://127.0.0.1:$(bh_http_port)/metrics"
}

# Waits (up to 5 s: the agent publishes its counters once a second) until the series SERIES
# of /metrics reads VALUE; shows the last value when it does not.
metric_is() {
	local i value
	for ((i = 0; i < 50; i++)); do
		value=$(metrics | awk -v s="$1" '$1 == s { print $2; found = 1 }
			END { if (!found) print "missing" }')
		[ "$value" = "$2" ] && return 0
		sleep 0.1
	done
	echo "$1 is $value, not $2" >&2
	return 1
}

@test "baseline: system pods are quiet but for the documented residue; elsewhere they are not" {
	require_ctr
	: >"$BATS_TEST_TMPDIR/empty.yaml" # the built-in policy, baseline included
	bh_start --policy "$BATS_TEST_TMPDIR/empty.yaml" --stats-interval 0

	# The flags each component really runs with (its DaemonSet's securityContext and volumes).
	pod kube-system kube-proxy-x7k2p "$KUBE_PROXY" --privileged --net-host \
		--mount type=bind,src=/run/xtables.lock,dst=/run/xtables.lock,options=rbind:rw
	local kube_proxy=$POD_ID
	pod kube-system calico-node-8dfl2 "$CALICO" --privileged --net-host \
		--mount type=bind,src=/run/xtables.lock,dst=/run/xtables.lock,options=rbind:rw \
		--mount type=bind,src=/sys/fs/bpf,dst=/sys/fs/bpf,options=rbind:rshared:rw
	local calico=$POD_ID
	pod kube-system csi-hostpath-node-registrar "$REGISTRAR" \
		--mount "type=bind,src=$PLUGIN_DIR,dst=/csi,options=rbind:rw" \
		--mount type=bind,src=/var/lib/kubelet/plugins_registry,dst=/registration,options=rbind:rw
	local registrar=$POD_ID
	pod kube-system csi-hostpath-node-driver "$CSI_DRIVER" --privileged \
		--mount type=bind,src=/var/lib/kubelet,dst=/var/lib/kubelet,options=rbind:rshared:rw \
		--mount type=bind,src=/dev,dst=/dev,options=rbind:rw \
		--mount "type=bind,src=$PLUGIN_DIR,dst=/csi,options=rbind:rw"
	local driver=$POD_ID
	pod monitoring node-exporter-q2m9v "$NODE_EXPORTER" --net-host --with-ns pid:/proc/2/ns/pid \
		--mount type=bind,src=/,dst=/host/root,options=rbind:rslave:ro
	local exporter=$POD_ID

	# The same images elsewhere, and an unknown privileged pod in kube-system.
	pod default kube-proxy-fake "$KUBE_PROXY" --privileged --net-host \
		--mount type=bind,src=/run/xtables.lock,dst=/run/xtables.lock,options=rbind:rw
	local fake_proxy=$POD_ID
	pod tools node-exporter-fake "$NODE_EXPORTER" --net-host --with-ns pid:/proc/2/ns/pid
	local fake_exporter=$POD_ID
	pod kube-system debug-shell "docker.io/$IMAGE" --privileged --net-host
	local unknown=$POD_ID

	local id
	for id in "$kube_proxy" "$calico" "$registrar" "$driver" "$exporter" "$fake_proxy" \
		"$fake_exporter" "$unknown"; do
		judged "$id"
	done
	# Reported: every finding of their shape.
	# (ctr sets no_new_privs, which the kubelet leaves off unless allowPrivilegeEscalation is
	# false: no-new-privileges-missing is not seen here.)
	[ "$(rules_of "$fake_proxy")" = "host-namespace-shared privileged-container security-profile-disabled sensitive-mount-writable " ]
	[ "$(rules_of "$fake_exporter")" = "host-namespace-shared security-profile-disabled " ]
	[ "$(rules_of "$unknown")" = "host-namespace-shared privileged-container security-profile-disabled " ]
	line=$(wait_json ".type == \"finding\" and .container.id == \"$fake_exporter\" and
		.rule == \"host-namespace-shared\"" 5 "$fake_exporter")
	json_check "$line" '.evidence.namespaces == ["pid", "net"]'

	# Quiet: the privileged components say nothing; the unprivileged ones only the residue
	# README documents (settable in their manifests).
	[ "$(rules_of "$kube_proxy")" = "" ]
	[ "$(rules_of "$calico")" = "" ]
	[ "$(rules_of "$driver")" = "" ]
	[ "$(rules_of "$registrar")" = "security-profile-disabled " ]
	[ "$(rules_of "$exporter")" = "security-profile-disabled " ]

	# Each entry counted what it hid.
	metric_is 'bulkhead_policy_allow_hits_total{entry="baseline/kube-proxy/privileged",action="allow"}' 2
	metric_is 'bulkhead_policy_allow_hits_total{entry="baseline/kube-proxy/xtables-lock",action="allow"}' 1
	metric_is 'bulkhead_policy_allow_hits_total{entry="baseline/calico-node/bpffs",action="allow"}' 1
	metric_is 'bulkhead_policy_allow_hits_total{entry="baseline/csi-driver/kubelet-dirs",action="allow"}' 2
	metric_is 'bulkhead_policy_allow_hits_total{entry="baseline/node-exporter/host-namespaces",action="allow"}' 1
	metric_is 'bulkhead_policy_allow_hits_total{entry="baseline/node-exporter/host-root",action="allow"}' 1
	bh_stop
}

@test "narrow entries: by evidence and labels, expired (warned, ignored), accept; hit counters" {
	require_ctr
	cat >"$BATS_TEST_TMPDIR/policy.yaml" <<'EOF'
baseline: false
allow:
  - id: debug-net
    reason: the network debugger needs the host's network, nothing more
    rules: [host-namespace-shared]
    labels: { app: netdebug }
    host_namespaces: [net]
  - id: debug-privileged
    reason: to be replaced by NET_ADMIN alone (ticket 123)
    action: accept
    rules: [privileged-container]
    labels: { app: netdebug }
  - id: old-exception
    reason: the migration that ended
    expires: 2021-06-30
    rules: [security-profile-disabled, no-new-privileges-missing]
    labels: { app: netdebug }
EOF
	run "$BULKHEAD" policy check "$BATS_TEST_TMPDIR/policy.yaml"
	[ "$status" -eq 0 ]
	[[ $output == *"allow entry old-exception expired on 2021-06-30: it is ignored"* ]]
	[[ $output == *"valid, 1 expired allow entry ignored"* ]]

	bh_start --policy "$BATS_TEST_TMPDIR/policy.yaml" --stats-interval 0
	grep -q 'allow entry old-exception expired on 2021-06-30' "$BH_ERR"
	pod web netdebug-1 "docker.io/$IMAGE" --privileged --net-host --annotation app=netdebug
	local labelled=$POD_ID
	pod web netdebug-2 "docker.io/$IMAGE" --privileged --net-host --with-ns pid:/proc/2/ns/pid \
		--annotation app=netdebug
	local more_ns=$POD_ID
	pod web other-1 "docker.io/$IMAGE" --privileged --net-host --annotation app=other
	local other=$POD_ID
	judged "$labelled"
	judged "$more_ns"
	judged "$other"

	# net covered; privileged accepted (still written, severity info); expired: reported
	[ "$(rules_of "$labelled")" = "privileged-container security-profile-disabled " ]
	line=$(wait_json ".type == \"finding\" and .container.id == \"$labelled\" and
		.rule == \"privileged-container\"" 5 "$labelled")
	json_check "$line" '.severity == "info" and .accepted == true'
	# both schemas know an accepted finding
	python3 -c 'import jsonschema' 2>/dev/null ||
		bh_skip_or_fail "python3-jsonschema not installed (sudo make deps)"
	printf '%s\n' "$line" >"$BATS_TEST_TMPDIR/accepted.json"
	"$BH_REPO/tests/e2e/validate_lines.py" "$BH_REPO/deploy/schema/bulkhead-v1.schema.json" \
		"$BATS_TEST_TMPDIR/accepted.json"
	# pid is not what debug-net lists: the whole finding stays
	line=$(wait_json ".type == \"finding\" and .container.id == \"$more_ns\" and
		.rule == \"host-namespace-shared\"" 5 "$more_ns")
	json_check "$line" '.evidence.namespaces == ["pid", "net"] and .severity == "high"'
	# another label: nothing applies
	line=$(wait_json ".type == \"finding\" and .container.id == \"$other\" and
		.rule == \"privileged-container\"" 5 "$other")
	json_check "$line" '.severity == "critical" and (has("accepted") | not)'

	metric_is 'bulkhead_policy_allow_hits_total{entry="debug-net",action="allow"}' 1
	metric_is 'bulkhead_policy_allow_hits_total{entry="debug-privileged",action="accept"}' 2
	metric_is 'bulkhead_policy_allow_hits_total{entry="old-exception",action="allow"}' 0
	metric_is 'bulkhead_findings_total{rule="privileged-container",severity="info"}' 2
	metric_is 'bulkhead_findings_total{rule="privileged-container",severity="critical"}' 1
	bh_stop
}

# Writes a ConfigMap volume's next version of policy.yaml (text on stdin) as the kubelet does:
# a new timestamped directory, a ..data_tmp link to it renamed over ..data.
configmap_update() {
	local dir=$1 ts
	ts=..$(date +%Y_%m_%d_%H_%M_%S.%N)
	mkdir "$dir/$ts"
	cat >"$dir/$ts/policy.yaml"
	ln -s "$ts" "$dir/..data_tmp"
	mv -T "$dir/..data_tmp" "$dir/..data"
}

@test "reload: a ConfigMap ..data swap reloads the policy; a broken one keeps it (result=error)" {
	require_ctr
	local cm=$BATS_TEST_TMPDIR/configmap sha i
	mkdir "$cm"
	echo 'baseline: false' | configmap_update "$cm"
	ln -s ..data/policy.yaml "$cm/policy.yaml"
	bh_start --policy "$cm/policy.yaml" --stats-interval 0

	configmap_update "$cm" <<'EOF'
baseline: false
allow:
  - id: shell
    reason: the team's debug shell
    namespace: web
    rules: [privileged-container]
EOF
	sha=$(sha256sum <"$cm/policy.yaml" | cut -c1-64)
	# The reload's log line names the text now in force (bounded wait, no timing assertion).
	for ((i = 0; i < 20; i++)); do
		grep -q "policy reloaded from $cm/policy.yaml (sha256 $sha)" "$BH_ERR" && break
		sleep 0.1
	done
	grep -q "policy reloaded from $cm/policy.yaml (sha256 $sha)" "$BH_ERR"
	pod web shell-1 "docker.io/$IMAGE" --privileged
	local first=$POD_ID
	judged "$first"
	[[ " $(rules_of "$first") " != *" privileged-container "* ]]

	# A broken text: the previous policy stays in force.
	printf 'allow: [\n' | configmap_update "$cm"
	for ((i = 0; i < 20; i++)); do
		grep -q 'policy reload failed: keeping the previous policy' "$BH_ERR" && break
		sleep 0.1
	done
	grep -q 'policy reload failed: keeping the previous policy' "$BH_ERR"
	pod web shell-2 "docker.io/$IMAGE" --privileged
	local second=$POD_ID
	judged "$second"
	[[ " $(rules_of "$second") " != *" privileged-container "* ]]
	[[ " $(rules_of "$second") " == *" security-profile-disabled "* ]]

	metric_is 'bulkhead_policy_reloads_total{result="ok"}' 1
	metric_is 'bulkhead_policy_reloads_total{result="error"}' 1
	metric_is 'bulkhead_policy_allow_hits_total{entry="shell",action="allow"}' 2
	bh_stop
}

@test "policy check --against: a capture's findings under the file and the policy in force" {
	require_ctr
	local cap=$BATS_TEST_TMPDIR/node.bhcap err=$BATS_TEST_TMPDIR/record.err pid i
	: >"$BATS_TEST_TMPDIR/empty.yaml"
	"$BULKHEAD" record -o "$cap" --policy "$BATS_TEST_TMPDIR/empty.yaml" --stats-interval 0 \
		--http 127.0.0.1:0 --socket "$BATS_TEST_TMPDIR/events.sock" \
		>"$BATS_TEST_TMPDIR/record.out" 2>"$err" 3>&- &
	pid=$!
	for ((i = 0; i < BH_READY_TIMEOUT * 10; i++)); do
		grep -qw ready "$err" && break
		sleep 0.1
	done
	pod web app-1 "docker.io/$IMAGE" --privileged --net-host --annotation app=a
	pod web other-1 "docker.io/$IMAGE" --privileged --annotation app=b
	local other=$POD_ID
	# Once the recorder has judged the last pod, its records are in; it writes them all at exit.
	BH_ERR=$err wait_line "$BATS_TEST_TMPDIR/record.out" ".type == \"lifecycle\" and
		.container.id == \"$other\"" 20 "$other" >/dev/null
	kill -INT "$pid"
	wait "$pid"

	cat >"$BATS_TEST_TMPDIR/current.yaml" <<'YAML'
allow:
  - { id: web-seccomp, namespace: web, rules: [security-profile-disabled] }
YAML
	cat >"$BATS_TEST_TMPDIR/new.yaml" <<'YAML'
allow:
  - { id: a-net, labels: { app: a }, rules: [host-namespace-shared], host_namespaces: [net] }
  - { id: a-priv, labels: { app: a }, rules: [privileged-container], action: accept }
YAML
	run "$BULKHEAD" policy check "$BATS_TEST_TMPDIR/new.yaml" --against "$cap" \
		--policy "$BATS_TEST_TMPDIR/current.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"new.yaml: valid"* ]]
	[ "$(grep -c '^removed   host-namespace-shared .*app-1' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^accepted  privileged-container .*app-1' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^added     security-profile-disabled ' <<<"$output")" -eq 2 ]
	# (other containers of this shared node may be in the capture: unchanged, not counted here)
	[[ $output == *"2 added, 1 removed, 1 accepted, "*" unchanged"* ]]

	# The accepted finding in ECS: severity 0, bulkhead.accepted, valid against its schema.
	python3 -c 'import jsonschema' 2>/dev/null ||
		bh_skip_or_fail "python3-jsonschema not installed (sudo make deps)"
	"$BULKHEAD" replay "$cap" --policy "$BATS_TEST_TMPDIR/new.yaml" --format ecs \
		>"$BATS_TEST_TMPDIR/ecs.out" 2>/dev/null
	"$BH_REPO/tests/e2e/validate_lines.py" "$BH_REPO/deploy/schema/bulkhead-ecs-v1.schema.json" \
		"$BATS_TEST_TMPDIR/ecs.out"
	[ "$(jq -c 'select(.bulkhead.accepted == true) | [.rule.id, .event.severity,
		.bulkhead.severity]' "$BATS_TEST_TMPDIR/ecs.out")" = '["privileged-container",0,"info"]' ]
}
