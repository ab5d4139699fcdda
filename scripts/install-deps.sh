#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Installs the Debian/Ubuntu packages bulkhead needs to build and test, only those missing.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/install-deps.sh [--with-check]
Installs what is missing of the build and test dependencies (Debian/Ubuntu, as root).
  --with-check   also the linters of 'make check' (clang-format, clang-tidy, cppcheck)
EOF
}

BUILD_PKGS=(clang llvm libbpf-dev libelf-dev libzstd-dev zlib1g-dev libcurl4-openssl-dev
	libjson-c-dev libyaml-dev libmicrohttpd-dev libncurses-dev libcmocka-dev pkg-config make gcc libc6-dev)
TEST_PKGS=(bats jq curl docker.io podman busybox-static tmux python3-jsonschema python3-junitparser
	libxml2-utils yamllint libclang-rt-14-dev rsyslog logrotate)
CHECK_PKGS=(clang-format clang-tidy cppcheck)

log() { printf 'install-deps: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

pkgs=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}")
how="sudo make deps (or: sudo scripts/install-deps.sh)"
case "${1:-}" in
"") ;;
--with-check)
	pkgs+=("${CHECK_PKGS[@]}")
	how="sudo make deps-check (or: sudo scripts/install-deps.sh --with-check)"
	;;
-h | --help)
	usage
	exit 0
	;;
*)
	usage >&2
	exit 2
	;;
esac

# A Docker engine installed another way (docker-ce, static binaries) serves as well, and
# docker.io would conflict with docker-ce.
if command -v dockerd >/dev/null && command -v docker >/dev/null; then
	pkgs=("${pkgs[@]/docker.io/}")
fi

command -v dpkg-query >/dev/null ||
	die "this installer supports Debian and Ubuntu (dpkg/apt-get); install by hand: ${pkgs[*]} bpftool"

# One dpkg-query for all, and no other process per package: make run and make test call
# this every time, so the no-op case must stay fast. Multi-arch packages print one line per
# architecture; a package counts as present when any of them is installed.
declare -A installed=()
while read -r p status; do
	[ "$status" != installed ] || installed[${p%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null || true)
missing=()
for p in "${pkgs[@]}"; do
	[ -n "$p" ] || continue
	[ -n "${installed[$p]:-}" ] || missing+=("$p")
done
# Ubuntu's /usr/sbin/bpftool is a wrapper that fails without the kernel's linux-tools.
need_bpftool=0
bpftool version >/dev/null 2>&1 || need_bpftool=1

if [ ${#missing[@]} -eq 0 ] && [ $need_bpftool -eq 0 ]; then
	exit 0
fi

what="${missing[*]}"
[ $need_bpftool -eq 0 ] || what="$what bpftool"
if [ "$(id -u)" -ne 0 ]; then
	die "missing:${what# } -- run: $how"
fi
command -v apt-get >/dev/null || die "apt-get not found; install by hand:${what# }"

export DEBIAN_FRONTEND=noninteractive
log "missing:${what# }; updating the package lists"
apt-get update -qq >&2

if [ $need_bpftool -eq 1 ]; then
	# Debian ships bpftool as its own package, Ubuntu in linux-tools-<kernel release>.
	if [ -n "$(apt-cache policy bpftool 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"')" ]; then
		missing+=(bpftool)
	elif apt-cache show "linux-tools-$(uname -r)" >/dev/null 2>&1; then
		missing+=(linux-tools-common "linux-tools-$(uname -r)")
	else
		log "no bpftool for kernel $(uname -r); trying linux-tools-generic"
		missing+=(linux-tools-common linux-tools-generic)
	fi
fi

log "installing ${missing[*]}"
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
	die "apt-get install failed for: ${missing[*]} (see the messages above)"
bpftool version >/dev/null 2>&1 ||
	die "bpftool still does not run; install the linux-tools package of kernel $(uname -r)"
log "done"
