#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Starts a standalone containerd at /run/containerd/containerd.sock (the socket and state
# layout of a Kubernetes node) unless one answers there. dockerd runs on it (moby
# namespace) and the e2e tests drive it with ctr, so the CRI plugin stays off.
# Prints the socket path.
set -euo pipefail

SOCK=/run/containerd/containerd.sock
LOG=${CONTAINERD_LOG:-/var/log/bulkhead-containerd.log}
WAIT=30

log() { printf 'start-containerd: %s\n' "$*" >&2; }
answers() { timeout 10 ctr -a "$SOCK" version >/dev/null 2>&1; }

if answers; then
	echo "$SOCK"
	exit 0
fi
command -v containerd >/dev/null && command -v ctr >/dev/null || {
	log "containerd not found: run 'sudo make deps' (installs containerd with docker.io)"
	exit 1
}
if [ "$(id -u)" -ne 0 ]; then
	log "containerd does not answer and starting it needs root: run 'sudo make test'"
	exit 1
fi
if [ -S "$SOCK" ]; then
	# Left by a containerd that is gone (a /run that is not a tmpfs outlives it); a
	# dockerd dialing it waits for a timeout and gives up. containerd replaces it.
	log "$SOCK does not answer: stale, starting a new containerd"
fi
touch "$LOG" 2>/dev/null || LOG=/tmp/bulkhead-containerd.log

conf=/run/bulkhead-containerd.toml
cat >"$conf" <<TOML
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
TOML

# shellcheck source=scripts/daemon.sh
. "$(dirname "$0")/daemon.sh"
start_daemon containerd "$LOG" "$WAIT" answers containerd --config "$conf"
echo "$SOCK"
