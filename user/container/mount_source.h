/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mount_source.h - what a bind mount's source is on the host: the file the kernel mounted,
 * found by resolving the spec's path inside the host's root, and named after the policy's
 * runtime socket or sensitive path that it is (same device and inode: a hard link, a
 * bind-mount alias) or lies below. The configuration rules judge that name.
 */
#ifndef BULKHEAD_MOUNT_SOURCE_H
#define BULKHEAD_MOUNT_SOURCE_H

#include <stddef.h>
#include <sys/stat.h>

#include "container.h"

/*
 * Resolves the absolute path with the directory rootfd as "/", as openat2(RESOLVE_IN_ROOT)
 * would: a symlink is followed relative to that root (an absolute one restarts at it) and
 * ".." never climbs above it. out gets the result (absolute, without symlinks, "." or
 * ".."), st its stat when not NULL. Returns 0, -EINVAL (a relative path), -ELOOP (more
 * than 40 links), -ENAMETOOLONG, or the -errno of a component that is missing or cannot be
 * opened.
 */
int bh_resolve_in_root(int rootfd, const char *path, char *out, size_t size, struct stat *st);

/*
 * Sets host_path of each bind mount with an absolute source to the source's name on the
 * host under host_root ("" for "/"): resolved with bh_resolve_in_root(), then named after
 * the deepest directory on that path (or the file itself) that is one of p's runtime
 * sockets, a directory holding one, or a sensitive path, by device and inode. The spec's
 * spelling is kept when it names that same file that way (/var/run/docker.sock, though
 * /var/run is a link). host_path stays NULL when the source cannot be resolved there (the
 * rules then judge the spec's path). p NULL: resolution only. Returns 0 or -ENOMEM.
 */
int bh_mount_sources_resolve(const char *host_root, const struct bh_host_paths *p,
			     struct bh_mount_spec *mounts, size_t n);

#endif
