#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Starts a Docker engine in the background for the e2e tests, unless one already answers.
# dockerd runs on the node's containerd (scripts/start-containerd.sh), which the
# containerd tests share.
set -euo pipefail

LOG=${DOCKERD_LOG:-/var/log/bulkhead-dockerd.log}
PIDFILE=${DOCKERD_PIDFILE:-/var/run/docker.pid}
WAIT=30

log() { printf 'start-dockerd: %s\n' "$*" >&2; }
# Bounded: a wedged dockerd (seen: a libnetwork deadlock of 20.10 under mass removal)
# accepts the connection and never answers.
answers() { timeout 10 docker info >/dev/null 2>&1; }
# The runtime-path tests run containers with runc's memfd clone too (scripts/runc-memfd.sh).
has_memfd_runtime() {
	timeout 10 docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runc-memfd"'
}

if answers; then
	has_memfd_runtime ||
		log "dockerd runs without the runtime runc-memfd the runtime-path tests use:" \
			"stop it and run $0 again"
	exit 0
fi
command -v dockerd >/dev/null || {
	log "dockerd not found: run 'sudo make deps' (installs docker.io)"
	exit 1
}
if [ "$(id -u)" -ne 0 ]; then
	log "the Docker daemon does not answer and starting it needs root: run 'sudo make test'"
	exit 1
fi
if ! touch "$LOG" 2>/dev/null; then
	LOG=/tmp/bulkhead-dockerd.log
fi
# A pid file left by a dockerd that is gone (or a zombie nobody reaps) names a pid that
# dockerd takes for a running daemon, and it refuses to start.
if [ -f "$PIDFILE" ]; then
	old=$(cat "$PIDFILE" 2>/dev/null || true)
	stat=$(cat "/proc/$old/stat" 2>/dev/null || true)
	case "$stat" in
	*"(dockerd) "[RSD]*) ;;
	*) rm -f "$PIDFILE" ;;
	esac
fi
containerd_sock=$("$(dirname "$0")/start-containerd.sh")
runc_memfd=$("$(dirname "$0")/runc-memfd.sh")

# shellcheck source=scripts/daemon.sh
. "$(dirname "$0")/daemon.sh"
start_daemon dockerd "$LOG" "$WAIT" answers \
	dockerd --pidfile "$PIDFILE" --containerd "$containerd_sock" \
	--add-runtime "runc-memfd=$runc_memfd"
