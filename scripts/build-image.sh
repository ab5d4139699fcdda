#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Builds the agent's container image FROM scratch with the local Docker engine: no registry.
#
# The image holds the binary, the shared libraries ldd resolves for it (libcurl, json-c,
# libyaml, libmicrohttpd, glibc and their dependencies) with the dynamic loader, the default
# policy, and /host/proc -> /proc: with hostPID the pod's /proc is the host's, and the
# resolver reads every host path under --host-root /host.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
	cat <<'EOF'
usage: scripts/build-image.sh [BINARY [TAG]]
Builds a FROM scratch image of the bulkhead agent with the local Docker engine.
  BINARY   the bulkhead binary to package (default: $O/bulkhead, O=build)
  TAG      image name (default: bulkhead:<version of the binary>, also tagged bulkhead:latest)
Prints the image's name and size on the last line.
EOF
}

log() { printf 'build-image: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

case "${1:-}" in
-h | --help)
	usage
	exit 0
	;;
esac

O=${O:-build}
bin=${1:-$REPO/$O/bulkhead}
[ -x "$bin" ] || die "no binary at $bin: run 'make O=$O' first (or pass its path)"
command -v docker >/dev/null || die "docker not found: install docker.io (sudo make deps)"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer: start it (scripts/start-dockerd.sh)"

version=$("$bin" --version | awk '{ print $2 }')
[ -n "$version" ] || die "$bin --version printed no version"
tag=${2:-bulkhead:$version}

ctx=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
root=$ctx/rootfs
mkdir -p "$root/usr/bin" "$root/etc/bulkhead" "$root/host" "$root/tmp"
install -m 0755 "$bin" "$root/usr/bin/bulkhead"
install -m 0644 "$REPO/deploy/policy.yaml" "$root/etc/bulkhead/policy.yaml"
ln -s /proc "$root/host/proc"
chmod 1777 "$root/tmp"

# Every library at the path the loader looks for it (symlinks resolved), and the loader at
# the path written into the binary's PT_INTERP.
libs=$(ldd "$bin" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }')
[ -n "$libs" ] || die "ldd found no libraries for $bin: is it a dynamic ELF binary?"
for lib in $libs; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# glibc resolves the container's host name without NSS modules; nothing else is read.

cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
LABEL org.opencontainers.image.title="bulkhead" \\
      org.opencontainers.image.description="eBPF container-hardening monitor, node agent" \\
      org.opencontainers.image.version="$version" \\
      org.opencontainers.image.licenses="LGPL-2.1 OR BSD-2-Clause"
ENTRYPOINT ["/usr/bin/bulkhead"]
CMD ["run", "--host-root", "/host", "--http", ":9464"]
EOF

log "building $tag from $bin ($(wc -w <<<"$libs") libraries)"
docker build -q -t "$tag" -t "${tag%%:*}:latest" "$ctx" >/dev/null
size=$(docker image inspect -f '{{.Size}}' "$tag")
printf '%s %s bytes (%s MiB)\n' "$tag" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')"
