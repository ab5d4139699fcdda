#!/usr/bin/env bats
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `bulkhead audit` on this node: a default, a hardened, a misconfigured and a privileged docker
# container, a podman one and a containerd one with the kubelet's CRI annotations, judged in
# every format. JUnit is read by Debian's python3-junitparser, SARIF validated against the
# SARIF 2.1.0 JSON Schema (tests/data/schemas/sarif-2.1.0.json).

load helpers

CONTAINERD_SOCK=/run/containerd/containerd.sock
CTR_NS=k8s.io
# The Debian interpreter: python3-junitparser and python3-jsonschema are its packages.
PY=/usr/bin/python3

# The configuration checks a plain `docker run` fails: hygiene the advisory rules judge.
DEFAULT_FAILS="container-runs-as-root cpu-shares-missing healthcheck-missing host-user-namespace
memory-limit-missing no-new-privileges-missing pids-limit-missing readonly-rootfs-missing"

setup_file() {
	local p=bh-audit-$$ port=$((900 + RANDOM % 100)) high_port=$((20000 + RANDOM % 20000))
	export P=$p SHARED=$BATS_FILE_TMPDIR/shared OUT=$BATS_FILE_TMPDIR
	export CTR_TASK=
	[ "$(id -u)" -eq 0 ] && docker info >/dev/null 2>&1 || return 0
	mkdir -p "$SHARED"
	# rshared needs a shared mount at the source
	mount --bind "$SHARED" "$SHARED" && mount --make-shared "$SHARED"
	docker run -d --name "$p-default" "$IMAGE" sleep 300 >/dev/null
	docker run -d --name "$p-hardened" --read-only --memory 64m --pids-limit 64 --cpu-shares 512 \
		--user 1000:1000 --cap-drop ALL --security-opt no-new-privileges \
		--health-cmd true --restart on-failure:3 -p "127.0.0.1:$high_port:80" \
		"$IMAGE" sleep 300 >/dev/null
	docker run -d --name "$p-bad" --cap-add SYS_ADMIN --security-opt seccomp=unconfined \
		--pid host -v /var/run/docker.sock:/var/run/docker.sock -v /etc:/hostetc \
		--device /dev/fuse --cgroup-parent /bh-audit.slice --restart always -p "$port:80" \
		--mount "type=bind,src=$SHARED,dst=/shared,bind-propagation=rshared" \
		"$IMAGE" sleep 300 >/dev/null
	# privileged-equivalent: --privileged itself needs a bounding set this node's may lack
	docker run -d --name "$p-privileged" --cap-add ALL --cap-drop SYS_RESOURCE \
		--security-opt seccomp=unconfined "$IMAGE" sleep 300 >/dev/null
	docker create --name "$p-stopped" --privileged "$IMAGE" true >/dev/null
}

teardown_file() {
	docker rm -f "$P-default" "$P-hardened" "$P-bad" "$P-privileged" "$P-stopped" \
		>/dev/null 2>&1 || true
	umount "$SHARED" 2>/dev/null || true
}

setup() {
	bh_require docker
}

teardown() {
	bh_teardown
}

# The sorted ids of the checks of container NAME with verdict V in the JSON report FILE.
checks() {
	jq -r --arg n "$1" --arg v "$2" \
		'.containers[] | select(.name == $n) | .checks[] | select(.verdict == $v) | .id' \
		"$3" | sort | tr '\n' ' ' | sed 's/ $//'
}

audit_json() {
	"$BULKHEAD" audit --format json "$@" >"$OUT/audit.json"
}

@test "audit json: default, hardened, misconfigured and privileged docker containers" {
	audit_json
	jq -e '.schema == 1 and .type == "audit" and (.host.checks | length) > 10' "$OUT/audit.json"
	run checks "$P-default" FAIL "$OUT/audit.json"
	[ "$output" = "$(tr '\n' ' ' <<<"$DEFAULT_FAILS" | sed 's/ $//')" ]
	# hardened: only the user namespace, which needs the daemon's userns-remap
	run checks "$P-hardened" FAIL "$OUT/audit.json"
	[ "$output" = "host-user-namespace" ]
	run checks "$P-bad" FAIL "$OUT/audit.json"
	for id in docker-socket-mount sensitive-mount-writable dangerous-capability \
		privileged-port-binding security-profile-disabled host-namespace-shared \
		shared-mount-propagation port-all-interfaces restart-policy-unbounded \
		host-device-exposed cgroup-parent-custom; do
		[[ " $output " == *" $id "* ]] || { echo "$P-bad: $id not FAIL: $output" >&2; false; }
	done
	[[ " $output " != *" privileged-container "* ]]
	run checks "$P-privileged" FAIL "$OUT/audit.json"
	[[ " $output " == *" privileged-container "* ]]
	# what privileged-container says already is not said again
	[[ " $output " != *" dangerous-capability "* ]]
	# a FAIL carries its evidence, fix and compliance ids
	jq -e --arg n "$P-bad" '.containers[] | select(.name == $n) | .checks[]
		| select(.id == "docker-socket-mount") | .severity == "high"
		and (.evidence | test("docker.sock")) and (.remediation | length > 0)
		and .compliance.cis == ["5.32"] and (.compliance.attack | index("T1611"))' \
		"$OUT/audit.json"
	# behaviour rules are the agent's: N/A with the reason
	jq -e --arg n "$P-default" '[.containers[] | select(.name == $n) | .checks[]
		| select(.id == "exec-beyond-config")][0] | .verdict == "N/A"
		and (.evidence | test("live agent"))' "$OUT/audit.json"
	# only running containers without --all
	[ -z "$(checks "$P-stopped" FAIL "$OUT/audit.json")" ]
}

@test "audit --all: a stopped container is judged from the runtime API" {
	audit_json --all --container "$P-stopped"
	jq -e '(has("host") | not) and (.containers | length == 1)
		and .containers[0].running == false' "$OUT/audit.json"
	run checks "$P-stopped" FAIL "$OUT/audit.json"
	[[ " $output " == *" privileged-container "* ]]
}

@test "audit --fail-on: exit 1 at or above the severity, 0 below it; bad input exits 2" {
	run "$BULKHEAD" audit --format json --container "$P-hardened" --fail-on medium
	[ "$status" -eq 0 ]
	run "$BULKHEAD" audit --format json --container "$P-hardened" --fail-on low
	[ "$status" -eq 1 ]
	run "$BULKHEAD" audit --format json --container "$P-bad" --fail-on critical
	[ "$status" -eq 0 ]
	run "$BULKHEAD" audit --format json --container "$P-privileged" --fail-on critical
	[ "$status" -eq 1 ]
	run "$BULKHEAD" audit --container "no-such-$$"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no container named"* ]]
	run "$BULKHEAD" audit --format yaml
	[ "$status" -eq 2 ]
	run "$BULKHEAD" audit --fail-on severe
	[ "$status" -eq 2 ]
}

@test "audit table: grouped by container, a FAIL with its fix, a totals line" {
	run "$BULKHEAD" audit --format table --container "$P-bad"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "CONTAINER $P-bad "* ]]
	[[ "$output" == *"FAIL medium   host-device-exposed"*"fix: "* ]]
	[[ "${lines[-1]}" =~ ^1\ containers,\ 28\ checks:\ [0-9]+\ passed,\ [0-9]+\ failed ]]
	# no colour unless on a terminal
	[[ "$output" != *$'\033['* ]]
}

@test "audit junit: read by python3-junitparser, a failure per FAIL, skipped per N/A" {
	audit_json
	"$BULKHEAD" audit --format junit >"$OUT/audit.xml"
	xmllint --noout "$OUT/audit.xml"
	"$PY" - "$OUT/audit.xml" "$OUT/audit.json" <<'PYEOF'
import json, sys
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
doc = json.load(open(sys.argv[2]))
want = {"host": doc["host"]["checks"]}
for c in doc["containers"]:
    want["container." + (c.get("name") or c["id"])] = c["checks"]
got = {s.name: s for s in xml}
assert set(want) <= set(got), (set(want) - set(got))
for name, checks in want.items():
    suite = got[name]
    cases = {c.name: c for c in suite}
    assert suite.tests == len(checks), (name, suite.tests, len(checks))
    for chk in checks:
        res = cases[chk["id"]].result
        kind = type(res[0]).__name__ if res else "pass"
        expect = {"FAIL": "Failure", "N/A": "Skipped", "PASS": "pass"}[chk["verdict"]]
        assert kind == expect, (name, chk["id"], kind, expect)
        if kind == "Failure":
            assert res[0].type == chk["severity"], (name, chk["id"])
print("junit ok", len(got))
PYEOF
}

@test "audit sarif: valid SARIF 2.1.0, a result per verdict, rules with CIS and ATT&CK ids" {
	"$BULKHEAD" audit --format sarif >"$OUT/audit.sarif"
	"$PY" - "$BH_REPO/tests/data/schemas/sarif-2.1.0.json" "$OUT/audit.sarif" "$P-bad" <<'PYEOF'
import copy, json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
v = jsonschema.Draft4Validator(schema)
v.validate(doc)
# the validator is not a rubber stamp: a wrong level is refused
bad = copy.deepcopy(doc)
bad["runs"][0]["results"][0]["level"] = "severe"
assert not v.is_valid(bad)
run = doc["runs"][0]
rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
assert rules["docker-socket-mount"]["properties"]["cis"] == ["5.32"]
assert "T1611" in rules["privileged-container"]["properties"]["attack"]
hits = [r for r in run["results"] if r["ruleId"] == "docker-socket-mount" and r["kind"] == "fail"
        and r["locations"][0]["logicalLocations"][0]["name"] == sys.argv[3]]
assert len(hits) == 1 and hits[0]["level"] == "error", hits
for r in run["results"]:
    assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
print("sarif ok", len(run["results"]))
PYEOF
}

@test "audit: a podman container and a containerd one with its Kubernetes pod" {
	command -v ctr >/dev/null || bh_skip_or_fail "ctr not installed (apt-get install containerd)"
	"$BH_REPO/scripts/start-containerd.sh" >/dev/null
	if ! ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" image ls -q | grep -qx "docker.io/$IMAGE"; then
		docker save "$IMAGE" -o "$BATS_TEST_TMPDIR/image.tar"
		ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" image import "$BATS_TEST_TMPDIR/image.tar"
	fi
	local uid=0b1c2d3e-4444-5555-6666-$(printf '%012d' $$) task pname=$P-podman
	task=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
	CTR_TASK=$task
	ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" run -d \
		--cgroup "/kubepods/besteffort/pod$uid/$task" \
		--annotation io.kubernetes.cri.container-type=container \
		--annotation io.kubernetes.cri.sandbox-name=audit-0 \
		--annotation io.kubernetes.cri.sandbox-namespace=shop \
		--annotation "io.kubernetes.cri.sandbox-uid=$uid" \
		--annotation io.kubernetes.cri.container-name=app \
		--annotation io.kubernetes.cri.image-name=docker.io/local/busybox:1 \
		"docker.io/$IMAGE" "$task" sleep 300
	CONTAINERS_CONF=$("$BH_REPO/scripts/podman-env.sh") || return
	export CONTAINERS_CONF
	podman run -d --name "$pname" "$IMAGE" sleep 300 >/dev/null
	audit_json
	podman rm -f -t 0 "$pname" >/dev/null 2>&1 || true
	ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" task kill -s KILL "$task" >/dev/null 2>&1 || true
	ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" task rm -f "$task" >/dev/null 2>&1 || true
	ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" container rm "$task" >/dev/null 2>&1 || true
	jq -e --arg id "$task" '.containers[] | select(.id == $id) | .runtime == "containerd"
		and .pod == {"name": "audit-0", "namespace": "shop"} and .name == "app"
		and ([.checks[] | select(.id == "cgroup-parent-custom")][0].verdict == "PASS")' \
		"$OUT/audit.json"
	jq -e --arg n "$pname" '.containers[] | select(.name == $n) | .runtime == "podman"
		and ([.checks[] | select(.verdict == "FAIL") | .id] | index("no-new-privileges-missing"))' \
		"$OUT/audit.json"
}
