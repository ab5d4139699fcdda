#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Kubernetes node agent: valid manifests, the image run as the DaemonSet runs it (findings in
# `docker logs`, /healthz, /metrics), and pod metadata from docker labels and from containerd
# CRI annotations. No cluster runs here: the DaemonSet's pod is reproduced with docker run
# (same pid mode, capabilities and read-only mounts) and the kubelet's containers with ctr.

load helpers

K8S_DIR=$BH_REPO/deploy/kubernetes
VALIDATE=$BH_REPO/tests/e2e/k8s/validate.py
AGENT_IMAGE=bulkhead:e2e
AGENT=bh-e2e-agent-$$
CONTAINERD_SOCK=/run/containerd/containerd.sock
CTR_NS=k8s.io

teardown() {
	docker rm -f "$AGENT" >/dev/null 2>&1 || true
	if [ -n "${CTR_TASK:-}" ]; then
		ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" task kill -s KILL "$CTR_TASK" >/dev/null 2>&1 || true
		ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" task rm -f "$CTR_TASK" >/dev/null 2>&1 || true
		ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" container rm "$CTR_TASK" >/dev/null 2>&1 || true
	fi
	bh_teardown
}

# Validates the DaemonSet edited by the sed SCRIPT: it must fail with MESSAGE.
reject() {
	sed "$1" "$K8S_DIR/30-daemonset.yaml" >"$BATS_TEST_TMPDIR/bad.yaml"
	cmp -s "$K8S_DIR/30-daemonset.yaml" "$BATS_TEST_TMPDIR/bad.yaml" && {
		echo "the edit $1 changed nothing in 30-daemonset.yaml" >&2
		return 1
	}
	run "$VALIDATE" "$BATS_TEST_TMPDIR/bad.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$2"* ]]
}

# The value of one exact series in a Prometheus text body.
metric() {
	awk -v s="$1" '$1 == s { print $2; found = 1 } END { if (!found) print "missing" }' <<<"$2"
}

@test "manifests: yamllint and the Kubernetes schemas (vendored, offline) accept them" {
	command -v yamllint >/dev/null || bh_skip_or_fail "yamllint not installed (apt-get install yamllint)"
	python3 -c 'import jsonschema, yaml' 2>/dev/null ||
		bh_skip_or_fail "python3-jsonschema or python3-yaml not installed (sudo make deps)"
	yamllint -d '{extends: default, rules: {line-length: {max: 100}, document-start: disable}}' \
		"$K8S_DIR"
	run "$VALIDATE" "$K8S_DIR"/*.yaml
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': valid$' <<<"$output")" -eq 4 ]

	# The validator is not a rubber stamp: a wrong type, a misspelled field (the API server
	# rejects unknown fields), a bad enum value and a bad quantity are each rejected.
	reject 's/hostPID: true/hostPID: "yes"/' 'spec.template.spec.hostPID must be boolean'
	reject 's/^      containers:/      contianers:/' \
		"spec.template.spec: Additional properties are not allowed ('contianers' was unexpected)"
	reject 's/^        - name: bulkhead$/        - name: bulkhead\n          imagePullPolcy: Always/' \
		"('imagePullPolcy' was unexpected)"
	reject 's/type: DirectoryOrCreate/type: DirOrCreate/' \
		"spec.template.spec.volumes.2.hostPath.type: 'DirOrCreate' is not one of"
	reject 's/memory: 64Mi/memory: 64 MiB/' \
		'spec.template.spec.containers.0.resources.requests.memory:'
}

@test "manifests: the ConfigMap carries deploy/policy.yaml and bulkhead accepts it" {
	bh_require_binary
	python3 - "$K8S_DIR/20-configmap.yaml" "$BH_REPO/deploy/policy.yaml" \
		"$BATS_TEST_TMPDIR/policy.yaml" <<'EOF'
import sys, yaml
cm = yaml.safe_load(open(sys.argv[1]))
text = cm["data"]["policy.yaml"]
assert text == open(sys.argv[2]).read(), "20-configmap.yaml differs from deploy/policy.yaml"
open(sys.argv[3], "w").write(text)
EOF
	"$BULKHEAD" policy check "$BATS_TEST_TMPDIR/policy.yaml"
}

# Runs the agent image with the DaemonSet's pod settings and container arguments (read from
# 30-daemonset.yaml, so a flag the binary no longer takes fails here), after its init
# container (`bulkhead doctor`), which must pass. docker 20.10 does not know the names
# CAP_BPF and CAP_PERFMON: CAP_SYS_ADMIN, which the manifest grants too, covers them. Docker
# runs the workloads here, so --no-docker-api becomes the manifest's documented replacement
# --docker-socket=/host/run/docker.sock (container names).
run_agent() {
	local args doctor pod
	mapfile -t args < <(manifest_args containers)
	mapfile -t doctor < <(manifest_args initContainers)
	[[ " ${args[*]} " == *" --no-docker-api "* ]] || {
		echo "30-daemonset.yaml no longer passes --no-docker-api: update run_agent" >&2
		return 1
	}
	args=("${args[@]/#--no-docker-api/--docker-socket=/host/run/docker.sock}")
	doctor=("${doctor[@]/#--no-docker-api/--docker-socket=/host/run/docker.sock}")
	pod=(--pid host
		--cap-drop ALL --cap-add SYS_ADMIN --cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH
		--read-only -e NODE_NAME=node-e2e
		-v /sys/kernel/btf:/sys/kernel/btf:ro
		-v /sys/fs/cgroup:/host/sys/fs/cgroup:ro
		-v /run/containerd:/host/run/containerd:ro
		-v /run/docker:/host/run/docker:ro
		-v /var/run/docker.sock:/host/run/docker.sock:ro
		-v "$BH_REPO/deploy/policy.yaml:/etc/bulkhead/policy.yaml:ro")
	run docker run --rm "${pod[@]}" "$AGENT_IMAGE" "${doctor[@]}"
	echo "$output"
	[ "$status" -eq 0 ] || {
		echo "the init container (doctor) failed: the agent cannot run" >&2
		return 1
	}
	[[ $output == *"bulkhead can run here"* ]]
	docker run -d --name "$AGENT" "${pod[@]}" "$AGENT_IMAGE" "${args[@]}" --stats-interval=1 "$@" \
		>/dev/null
	local i
	for ((i = 0; i < BH_READY_TIMEOUT * 10; i++)); do
		docker logs "$AGENT" 2>&1 | grep -q '"msg":"ready' && return 0
		[ "$(docker inspect -f '{{.State.Running}}' "$AGENT")" = true ] || break
		sleep 0.1
	done
	echo "the agent container did not get ready; its logs:" >&2
	docker logs "$AGENT" 2>&1 | tail -n 30 >&2
	return 1
}

# The args of the first of the DaemonSet's KIND (containers, initContainers), one a line.
manifest_args() {
	python3 -c 'import sys, yaml
ds = yaml.safe_load(open(sys.argv[1]))
print("\n".join(ds["spec"]["template"]["spec"][sys.argv[2]][0]["args"]))' \
		"$K8S_DIR/30-daemonset.yaml" "$1"
}

# Prints the first line of the agent's stdout matching the jq FILTER, polling up to 20 s.
agent_json() {
	local i match
	for ((i = 0; i < 200; i++)); do
		match=$(docker logs "$AGENT" 2>/dev/null | jq -c -R "fromjson? | select($1)" | head -n 1)
		[ -z "$match" ] || {
			printf '%s\n' "$match"
			return 0
		}
		sleep 0.1
	done
	echo "no agent line matched: $1; last lines:" >&2
	docker logs "$AGENT" 2>&1 | tail -n 15 >&2
	return 1
}

@test "image: runs as the DaemonSet runs it, reports findings, serves /healthz and /metrics" {
	bh_require docker
	run "$BH_REPO/scripts/build-image.sh" "$BULKHEAD" "$AGENT_IMAGE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "$AGENT_IMAGE "*" bytes "* ]]
	run_agent

	# A violating workload: the runtime socket inside, and a connection to it.
	ctr_run -d -v /var/run/docker.sock:/var/run/docker.sock "$IMAGE" \
		/bin/sh -c 'sleep 1; /usr/local/bin/bh-trigger connect-unix /var/run/docker.sock; sleep 60'
	line=$(agent_json ".type == \"finding\" and .rule == \"docker-socket-mount\" and $(ctr_filter)")
	json_check "$line" '.host.name == "node-e2e"'
	agent_json ".type == \"finding\" and .rule == \"docker-socket-access\" and $(ctr_filter)"
	# The agent does not judge itself: it holds hostPID and SYS_ADMIN by design. (A bare
	# `! cmd` cannot fail a bats test: errexit ignores negated commands.)
	self_id=$(docker inspect -f '{{.Id}}' "$AGENT")
	self=$(docker logs "$AGENT" 2>/dev/null |
		jq -c -R "fromjson? | select(.type == \"finding\" and .container.id == \"$self_id\")")
	[ -z "$self" ] || {
		printf 'the agent reported findings on its own container:\n%s\n' "$self" >&2
		return 1
	}
	# The manifest turns the event socket off (read-only root): no error about it.
	run grep -c 'event socket' <(docker logs "$AGENT" 2>&1 >/dev/null)
	[ "$output" = 0 ]

	ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$AGENT")
	run curl -sS -o /dev/null -w '%{http_code}' "http://$ip:9464/healthz"
	[ "$output" = 200 ]
	# The counters agree with the stream once a stats snapshot follows the findings.
	local i metrics findings stream
	for ((i = 0; i < 100; i++)); do
		metrics=$(curl -sS "http://$ip:9464/metrics")
		findings=$(awk '/^bulkhead_findings_total\{/ { n += $2 } END { print n + 0 }' <<<"$metrics")
		stream=$(docker logs "$AGENT" 2>/dev/null | jq -R 'fromjson? | select(.type == "finding")' |
			jq -s length)
		[ "$findings" -eq "$stream" ] && break
		sleep 0.1
	done
	[ "$findings" -eq "$stream" ]
	[ "$(metric 'bulkhead_findings_total{rule="docker-socket-mount",severity="high"}' "$metrics")" -ge 1 ]
	[ "$(metric 'bulkhead_findings_total{rule="docker-socket-access",severity="critical"}' "$metrics")" -ge 1 ]
	[ "$(metric 'bulkhead_events_total{family="connect"}' "$metrics")" -ge 1 ]
	[ "$(metric bulkhead_containers "$metrics")" -ge 2 ]
	[ "$(metric bulkhead_up "$metrics")" = 1 ]
	[ "$(metric bulkhead_drops_total "$metrics")" = 0 ]
	[[ $metrics == *'bulkhead_build_info{version="'* ]]

	# The kubelet stops the pod with SIGTERM: the agent exits cleanly with a final stats line.
	docker stop -t 10 "$AGENT" >/dev/null
	[ "$(docker inspect -f '{{.State.ExitCode}}' "$AGENT")" = 0 ]
	docker logs "$AGENT" 2>/dev/null | jq -e -R 'fromjson? | select(.type == "stats" and .final)'
}

@test "pod metadata: docker containers with io.kubernetes labels" {
	bh_require docker
	bh_start --events exec --stats-interval 0
	ctr_run --label io.kubernetes.pod.name=web-0 --label io.kubernetes.pod.namespace=shop \
		--label io.kubernetes.pod.uid=6f1c1d2e-aaaa-bbbb-cccc-0123456789ab \
		--label io.kubernetes.container.name=app "$IMAGE" /bin/sh -c 'sleep 1; /bin/true'
	line=$(wait_json ".type == \"event\" and .event == \"exec\" and $(ctr_filter) and
		.exec.filename == \"/bin/true\"")
	json_check "$line" '.container.pod == {"name": "web-0", "namespace": "shop",
		"uid": "6f1c1d2e-aaaa-bbbb-cccc-0123456789ab", "container": "app",
		"workload": {"kind": "StatefulSet", "name": "web", "inferred": true}}'

	# Not the pod's sandbox: the kubelet gives it its names only, and no pod label.
	json_check "$line" '.container.pod | has("labels") | not'

	# A Deployment's pod sandbox as the kubelet's docker shim labels it, in the host
	# network: the finding carries the pod's labels (with the image's, which docker merges
	# into the container's) and the Deployment inferred from pod-template-hash.
	ctr_run -d --network host --label io.kubernetes.docker.type=podsandbox \
		--label io.kubernetes.pod.name=web-7d4b9c8f6d-x2k9p \
		--label io.kubernetes.pod.namespace=shop --label io.kubernetes.container.name=POD \
		--label app=web --label pod-template-hash=7d4b9c8f6d \
		--label annotation.kubernetes.io/config.source=api "$IMAGE" sleep 60
	line=$(finding host-namespace-shared)
	json_check "$line" '.container.pod.labels == {"app": "web", "pod-template-hash": "7d4b9c8f6d",
		"org.bulkhead.test-image.hash": .container.labels["org.bulkhead.test-image.hash"]}'
	json_check "$line" '.container.pod.workload ==
		{"kind": "Deployment", "name": "web", "inferred": true}'
	bh_stop
	"$BH_REPO/tests/e2e/validate_lines.py" "$BH_REPO/deploy/schema/bulkhead-v1.schema.json" \
		"$BH_OUT"
}

@test "pod metadata: containerd CRI annotations on a container started with ctr" {
	bh_require docker
	command -v ctr >/dev/null || bh_skip_or_fail "ctr not installed (apt-get install containerd)"
	"$BH_REPO/scripts/start-containerd.sh" >/dev/null
	if ! ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" image ls -q | grep -qx "docker.io/$IMAGE"; then
		docker save "$IMAGE" -o "$BATS_TEST_TMPDIR/image.tar"
		ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" image import "$BATS_TEST_TMPDIR/image.tar"
	fi
	bh_start --events exec --stats-interval 0
	local uid=0b1c2d3e-1111-2222-3333-$(printf '%012d' $$)
	CTR_TASK=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
	# The cgroup path and annotations the kubelet and containerd's CRI plugin give a pod's
	# container (cgroupfs driver, BestEffort class), of a Deployment's pod in the host network.
	ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" run -d --net-host \
		--cgroup "/kubepods/besteffort/pod$uid/$CTR_TASK" \
		--annotation io.kubernetes.cri.container-type=container \
		--annotation io.kubernetes.cri.sandbox-name=web-7d4b9c8f6d-x2k9p \
		--annotation io.kubernetes.cri.sandbox-namespace=shop \
		--annotation "io.kubernetes.cri.sandbox-uid=$uid" \
		--annotation io.kubernetes.cri.container-name=app \
		--annotation io.kubernetes.cri.image-name=docker.io/local/busybox:1 \
		"docker.io/$IMAGE" "$CTR_TASK" /bin/sh -c 'sleep 1; /bin/true; sleep 60'
	line=$(wait_json ".type == \"event\" and .event == \"exec\" and
		.container.id == \"$CTR_TASK\" and .exec.filename == \"/bin/true\"")
	json_check "$line" ".container.runtime == \"containerd\" and .container.pod == {
		\"name\": \"web-7d4b9c8f6d-x2k9p\", \"namespace\": \"shop\", \"uid\": \"$uid\",
		\"container\": \"app\",
		\"workload\": {\"kind\": \"Deployment\", \"name\": \"web\", \"inferred\": true}}"
	json_check "$line" '.container.image == "docker.io/local/busybox:1"'
	# containerd's bundle has no labels (they stay in its database): the finding names the
	# Deployment from the pod's name alone, and has no pod labels.
	line=$(wait_json ".type == \"finding\" and .rule == \"host-namespace-shared\" and
		.container.id == \"$CTR_TASK\"")
	json_check "$line" '.container.pod.workload ==
		{"kind": "Deployment", "name": "web", "inferred": true} and
		(.container.pod | has("labels") | not)'
	bh_stop
}
