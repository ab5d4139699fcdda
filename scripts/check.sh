#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Static checks of 'make check': clang-format, clang-tidy, cppcheck and the include direction of
# user/; non-zero on any finding.
set -uo pipefail

O=${1:-build}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1

log() { printf 'check: %s\n' "$*" >&2; }

missing=()
for tool in clang-format clang-tidy cppcheck; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "missing ${missing[*]}: run 'sudo make deps-check'"
	exit 1
fi
if [ ! -f "$O/bulkhead.skel.h" ]; then
	log "$O/bulkhead.skel.h is missing: run 'make O=$O check' (it generates it first)"
	exit 1
fi

version=$(sed -n 's/^VERSION := //p' Makefile)
# The flags of the Makefile's user-space build, so the checkers see what the compiler sees.
CFLAGS=(-std=gnu11 -O2 -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes
	-Iheaders -Iuser "-I$O" "-DBULKHEAD_VERSION=\"$version\"" -D_FORTIFY_SOURCE=2)
read -r -a PKG_CFLAGS <<<"$(pkg-config --cflags libcurl json-c yaml-0.1 2>/dev/null)"
CFLAGS+=("${PKG_CFLAGS[@]}")

# Checks left out, and why:
# - bugprone-easily-swappable-parameters: flags every function taking two ints or two
#   strings in a row, which C APIs shaped like syscalls (fd, flags) cannot avoid;
# - bugprone-narrowing-conversions: fires on every length stored in the ABI's __u16/__u32
#   fields; the project does not build with -Wconversion either;
# - clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling: asks to replace
#   memcpy/memset/snprintf with the C11 Annex K *_s functions, which glibc does not have.
# - bugprone-suspicious-string-compare: flags if (strcmp(a, b)) and !strcmp(a, b) (memcmp alike),
#   the kernel and libbpf idiom for "differ" and "equal" that the whole tree uses;
# _GNU_SOURCE is reserved to the user by glibc: defining it is how one asks for GNU APIs.
TIDY_CONFIG="{Checks: '-*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,\
-bugprone-narrowing-conversions,\
-bugprone-suspicious-string-compare,\
-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling',\
WarningsAsErrors: '*',\
CheckOptions: [{key: bugprone-reserved-identifier.AllowedIdentifiers, value: _GNU_SOURCE}]}"

status=0
failed=()

mapfile -t sources < <(find bpf user headers tests -type f \( -name '*.c' -o -name '*.h' \) | sort)
mapfile -t user_c < <(find user -type f -name '*.c' | sort)

log "clang-format on ${#sources[@]} files"
unformatted=()
for f in "${sources[@]}"; do
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done
if [ ${#unformatted[@]} -gt 0 ]; then
	log "not clang-formatted (see: clang-format --dry-run FILE; fix: clang-format -i FILE):"
	printf '  %s\n' "${unformatted[@]}" >&2
	status=1
	failed+=(clang-format)
fi

log "clang-tidy on ${#user_c[@]} files"
for f in "${user_c[@]}"; do
	if ! clang-tidy --quiet --config="$TIDY_CONFIG" "$f" -- "${CFLAGS[@]}" \
		2> >(grep -v '^[0-9]* warnings\? generated\.$' >&2); then
		status=1
		failed+=("clang-tidy $f")
	fi
done

log "cppcheck on user/"
if ! cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
	--inline-suppr --suppress=missingIncludeSystem -Iheaders -Iuser "-I$O" \
	"-DBULKHEAD_VERSION=\"$version\"" -D__x86_64__ user/; then
	status=1
	failed+=(cppcheck)
fi

# The include direction README's "How it works" states: a folder includes only the folders
# below it, its own headers as "x.h", and no other folder's private ones (*_impl.h,
# container/runtime.h).
declare -A INCLUDES_ALLOWED=(
	[core]="" [container]="core" [output]="core container" [rules]="core container output"
	[capture]="core container" [export]="core output"
	[collector]="core container output rules capture export"
	[audit]="core container rules" [advise]="core container output collector"
	[top]="core output advise"
)
log "include direction in user/"
bad_includes=()
for f in user/*/*.[ch]; do
	dir=${f#user/}
	dir=${dir%%/*}
	if [ -z "${INCLUDES_ALLOWED[$dir]+set}" ]; then
		bad_includes+=("$f: folder user/$dir/ has no place in the include direction")
		continue
	fi
	while IFS=: read -r line inc; do
		to=${inc%%/*}
		if [ "$to" = "$dir" ]; then
			bad_includes+=("$f:$line: its own folder's $inc: include it as \"${inc#*/}\"")
		elif [[ " ${INCLUDES_ALLOWED[$dir]} " != *" $to "* ]]; then
			bad_includes+=("$f:$line: $dir/ may not include $inc")
		elif [[ $inc == *_impl.h || $inc == container/runtime.h ]]; then
			bad_includes+=("$f:$line: $inc is private to $to/")
		fi
	done < <(grep -n '^#include "[a-z_]*/[a-z_0-9]*\.h"' "$f" |
		sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1:\2/')
done
if [ ${#bad_includes[@]} -gt 0 ]; then
	printf '  %s\n' "${bad_includes[@]}" >&2
	status=1
	failed+=("include direction")
fi

if [ $status -ne 0 ]; then
	log "findings from: ${failed[*]}"
else
	log "clean"
fi
exit $status
