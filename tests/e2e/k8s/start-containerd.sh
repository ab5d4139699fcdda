#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Starts a standalone containerd at /run/containerd/containerd.sock (the socket and state
# layout of a Kubernetes node) unless one answers there; the CRI plugin stays off, as the
# tests drive it with ctr. Prints the socket path.
set -euo pipefail

SOCK=/run/containerd/containerd.sock
if ctr -a "$SOCK" version >/dev/null 2>&1; then
	echo "$SOCK"
	exit 0
fi
command -v containerd >/dev/null || {
	echo "start-containerd: containerd not found (apt-get install containerd)" >&2
	exit 1
}
conf=/run/bulkhead-e2e-containerd.toml
cat >"$conf" <<TOML
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
TOML
setsid containerd --config "$conf" >/tmp/bulkhead-e2e-containerd.log 2>&1 </dev/null &
for _ in $(seq 100); do
	if ctr -a "$SOCK" version >/dev/null 2>&1; then
		echo "$SOCK"
		exit 0
	fi
	sleep 0.1
done
echo "start-containerd: containerd did not answer on $SOCK; see /tmp/bulkhead-e2e-containerd.log" >&2
exit 1
