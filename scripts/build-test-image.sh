#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Builds the e2e test image local/busybox:1 (busybox-static rootfs + bh-trigger) unless an
# image built from the same inputs is already there: no registry is reachable on test nodes.
set -euo pipefail

IMAGE=${BULKHEAD_TEST_IMAGE:-local/busybox:1}
LABEL=org.bulkhead.test-image.hash
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRIGGER_SRC=$REPO/tests/e2e/trigger.c
BUSYBOX=${BUSYBOX:-/bin/busybox}

log() { printf 'build-test-image: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

command -v docker >/dev/null || die "docker not found: run 'sudo make deps'"
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer: run scripts/start-dockerd.sh"
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found: install busybox-static ('sudo make deps')"
# A dynamic busybox would not run in a rootfs without libc.
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked: install busybox-static ('sudo make deps')"
fi
command -v gcc >/dev/null || die "gcc not found: run 'sudo make deps'"

# The image is rebuilt whenever one of its inputs changes: busybox, bh-trigger, this recipe.
hash=$(cat "$BUSYBOX" "$TRIGGER_SRC" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-32)

# Parallel test runs share one Docker engine: build under a lock, then re-check.
exec 9>"${TMPDIR:-/tmp}/bulkhead-test-image.lock"
flock 9

current=$(docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$IMAGE" 2>/dev/null || true)
if [ "$current" = "$hash" ]; then
	exit 0
fi
log "building $IMAGE${current:+ (inputs changed)}"

root=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-rootfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,root,proc,sys,dev,tmp}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
cp "$BUSYBOX" "$root/bin/busybox"
# --list-full names each applet with its usual directory (bin/sh, usr/bin/env, sbin/...).
"$BUSYBOX" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$root/$(dirname "$applet")"
	ln -sf /bin/busybox "$root/$applet"
done
gcc -static -O2 -std=gnu11 -Wall -Wextra -Werror -o "$root/usr/local/bin/bh-trigger" "$TRIGGER_SRC"

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF

tar -C "$root" --numeric-owner --owner=0 --group=0 -cf - . |
	docker import --change 'CMD ["sh"]' --change "LABEL $LABEL=$hash" \
		-m "bulkhead e2e test image" - "$IMAGE" >/dev/null
log "built $IMAGE ($(docker image inspect -f '{{.Id}}' "$IMAGE" | cut -c8-19))"
