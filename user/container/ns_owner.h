/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ns_owner.h - which container holds a namespace, learned from the records of its
 * processes: a task whose cgroup names no container but whose pid or mount namespace is
 * a container's left that container's cgroup, and is still that container's.
 */
#ifndef BULKHEAD_NS_OWNER_H
#define BULKHEAD_NS_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "container.h"
#include "core/hashtab.h"

struct bh_ns_owners {
	struct bh_hashtab owners; /* nsfs inode number -> const struct bh_container * */
	/* the last answer that changed nothing, for every record of a busy container */
	const struct bh_container *last_c;
	__u32 last_pid_ns, last_mnt_ns;
	/*
	 * The last task found outside its container's cgroup: its owner was asked alive once,
	 * and its records come in runs; NULL moved_to: none. The owner's forget clears it.
	 */
	const struct bh_container *moved_from, *moved_to;
	__u32 moved_pid_ns, moved_mnt_ns;
};

/* Returns 0 or -ENOMEM. */
int bh_ns_owners_init(struct bh_ns_owners *t);
void bh_ns_owners_fini(struct bh_ns_owners *t);

/*
 * The container of a task whose cgroup names c (NULL: no container) and whose own
 * namespaces are pid_ns and mnt_ns (nsfs inode numbers, unique across kinds; 0: the
 * host's). A known mount namespace names its container whatever the cgroup says; with no
 * container by cgroup, a known pid namespace does too (a pod's containers may share one).
 * *moved is set when the answer is not c: the task left its container's cgroup. What
 * the task holds and nobody owns yet becomes c's when learn is set (the runtime's set-up
 * crosses namespaces: it teaches nothing). Bounded: past the bound nothing is learned.
 *
 * The kernel reuses a dead namespace's inode number, and a container's namespaces die
 * with its init: an owner that alive() (NULL: all are) says is gone loses them all. A
 * record of the runtime's set-up (learn unset; never a container's own process) that
 * holds another container's namespace holds a new one under a reused number, for a
 * container whose cgroup outlives its processes a while: that claim goes, nothing moved.
 */
const struct bh_container *bh_ns_owners_resolve(
	struct bh_ns_owners *t, const struct bh_container *c, __u32 pid_ns, __u32 mnt_ns,
	bool learn, bool (*alive)(void *ctx, const struct bh_container *c), void *ctx, bool *moved);

/* c is gone: its namespaces are nobody's. */
void bh_ns_owners_forget(struct bh_ns_owners *t, const struct bh_container *c);

#endif
