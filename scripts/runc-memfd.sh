#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Prints the path of a runc that clones itself into a sealed memfd, making it first.
#
# runc 1.1 protects /proc/self/exe (CVE-2019-5736) by re-executing a clone of itself
# before `runc init`: a read-only bind mount of its binary when it may mount there (what
# these machines do), else a sealed memfd "runc_cloned:/proc/self/exe" (what rootless runc,
# or a runc whose mount is refused, does). A bind mount of a file on an unbindable mount
# fails (EINVAL), so the same runc binary copied onto an unbindable mount takes the memfd
# path: dockerd registers it as the runtime "runc-memfd" (scripts/start-dockerd.sh), and the
# tests run both paths with real containers.
set -euo pipefail

DIR=${RUNC_MEMFD_DIR:-/run/bulkhead/runc-memfd}
RUNC=${RUNC:-$(command -v runc || echo /usr/sbin/runc)}

[ -x "$RUNC" ] || {
	echo "runc-memfd: no runc found (run 'sudo make deps')" >&2
	exit 1
}
mkdir -p "$DIR"
if ! mountpoint -q "$DIR"; then
	mount --bind "$DIR" "$DIR"
fi
mount --make-unbindable "$DIR"
# a new copy only when runc changed: a running container's runtime binary stays
cmp -s "$RUNC" "$DIR/runc" || install -m 0755 "$RUNC" "$DIR/runc"
echo "$DIR/runc"
