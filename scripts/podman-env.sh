#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Makes podman usable for the tests and benchmarks, and prints the containers.conf it needs:
#   export CONTAINERS_CONF=$(scripts/podman-env.sh)
#
# On these machines podman 4 runs only as `podman --runtime runc` (crun refuses the hybrid
# cgroup hierarchy) and with `default_ulimits = []` (its default RLIMIT_NOFILE needs
# CAP_SYS_RESOURCE, which the sandbox's bounding set lacks). The file holds both, and the
# runtime runc-memfd (scripts/runc-memfd.sh) for the tests of runc's memfd clone. The
# host's own /etc/containers stays as it is. The e2e image is copied from Docker
# (scripts/build-test-image.sh builds it there) whenever it changed.
#   --service   also serve podman's API on /run/podman/podman.sock (`podman system
#               service`, in the background, pid in /run/bulkhead/podman/service.pid)
#   --stop-service
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=/run/bulkhead/podman
CONF=$DIR/containers.conf
SOCK=/run/podman/podman.sock
PIDFILE=$DIR/service.pid
LOG=${PODMAN_LOG:-/var/log/bulkhead-podman.log}
IMAGE=${BULKHEAD_TEST_IMAGE:-local/busybox:1}
LABEL=org.bulkhead.test-image.hash

log() { printf 'podman-env: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

stop_service() {
	[ -f "$PIDFILE" ] || return 0
	kill "$(cat "$PIDFILE")" 2>/dev/null || true
	rm -f "$PIDFILE" "$SOCK"
}

serves() { curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

start_service() {
	serves && return 0
	mkdir -p "$(dirname "$SOCK")"
	touch "$LOG" 2>/dev/null || LOG=/tmp/bulkhead-podman.log
	setsid podman system service --time=0 "unix://$SOCK" >>"$LOG" 2>&1 </dev/null &
	echo $! >"$PIDFILE"
	for _ in $(seq 100); do
		serves && return 0
		sleep 0.1
	done
	die "podman's API did not answer on $SOCK within 10 s (log: $LOG)"
}

case "${1:-}" in
"" | --service) ;;
--stop-service)
	stop_service
	exit 0
	;;
*) die "usage: $0 [--service | --stop-service]" ;;
esac

command -v podman >/dev/null || die "podman not found: run 'sudo make deps'"
[ "$(id -u)" -eq 0 ] || die "the tests run podman as root: run 'sudo make test'"
memfd_runc=$("$REPO/scripts/runc-memfd.sh")
mkdir -p "$DIR"
cat >"$CONF.new" <<EOF
# Written by bulkhead's scripts/podman-env.sh for its tests (CONTAINERS_CONF=$CONF).
[containers]
default_ulimits = []

[engine]
runtime = "runc"

[engine.runtimes]
runc-memfd = ["$memfd_runc"]
EOF
mv "$CONF.new" "$CONF"
export CONTAINERS_CONF=$CONF

# Parallel test runs share one store: copy under a lock, then re-check.
exec 9>"${TMPDIR:-/tmp}/bulkhead-podman-image.lock"
flock 9
want=$(docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$IMAGE" 2>/dev/null) ||
	die "no image $IMAGE in Docker: run scripts/build-test-image.sh"
have=$(podman image inspect -f "{{index .Labels \"$LABEL\"}}" "$IMAGE" 2>/dev/null || true)
if [ "$have" != "$want" ]; then
	log "copying $IMAGE from Docker"
	docker save "$IMAGE" | podman load -q >/dev/null || die "podman load of $IMAGE failed"
fi
exec 9>&-

[ "${1:-}" != --service ] || start_service
echo "$CONF"
