/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * state.h - what a container runs with and what it changed, from the kernel's state of one
 * of its processes (/proc) and of its root filesystem (the overlay upper dir).
 */
#ifndef BULKHEAD_ADVISE_STATE_H
#define BULKHEAD_ADVISE_STATE_H

#include <stddef.h>
#include <sys/types.h>

#include "advice.h"
#include "container/cgroup.h"

/* A process of the cgroup at this v2 path, 0 when it has none. */
pid_t bh_state_cgroup_pid(const struct bh_cgroup_hier *v2, const char *path);

/*
 * Reads from /proc/<pid>: the capability sets, seccomp mode, no_new_privs, and its
 * root mount (read-only? the overlay upper dir, "" when its root is no overlay).
 * 0 or -errno.
 */
int bh_state_read(pid_t pid, struct bh_advice_now *now, char *upper, size_t upper_len);

/* net.ipv4.ip_unprivileged_port_start of the process's network namespace, or -errno. */
int bh_state_unpriv_port_start(pid_t pid);

/*
 * Whether anything was written to the root filesystem: 1 when the upper dir holds an
 * entry (first gets one such path, relative to the root), 0 when it is empty, -errno.
 */
int bh_state_upper_written(const char *upper, char *first, size_t first_len);

#endif
