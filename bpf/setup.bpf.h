/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* setup.bpf.h - the container runtime's set-up, known from kernel state: marks and their end. */
#ifndef BULKHEAD_SETUP_BPF_H
#define BULKHEAD_SETUP_BPF_H

#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"

/*
 * A runtime (runc, crun, ...) sets a container up from inside its cgroup and
 * namespaces before the workload runs: it mounts the rootfs, proc and masked
 * paths, drops capabilities, and may re-execute a clone of itself (a memfd, or a
 * detached read-only bind mount whose exe then reads "/"). Names and paths of
 * those steps are the runtime's choice and differ by version; kernel state does
 * not:
 * - only a host process places a task in a cgroup (cgroup_attach_task) or clones
 *   one into a cgroup other than its own (CLONE_INTO_CGROUP): such a thread group
 *   is marked, and its forks inherit the mark (setup.bpf.c);
 * - the mark ends at the group's first exec of a file that lies on a mount of its
 *   own mount namespace, that namespace not being the one of the host process
 *   that marked it: the workload (or a `docker exec` command) from the
 *   container's root. A memfd, a detached mount or a file of the runtime's own
 *   namespace keep it.
 * A container process cannot mark itself (its pid namespace is not the host's)
 * nor regain a mark once its group ran its own program. Records carry the mark
 * as BH_HDR_RUNTIME_SETUP (bh_setup_of() in emit.bpf.h).
 */

/* Marks the thread group led by leader as set up from mount namespace mnt_ns. */
static __always_inline void bh_setup_mark(struct task_struct *leader, __u32 mnt_ns)
{
	struct bh_setup *m;

	m = bpf_task_storage_get(&bh_setups, leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (m)
		m->mnt_ns = mnt_ns;
	else
		bh_count(BH_CNT_ARGS_LOST);
}

/*
 * The task's program lies on a mount of the task's own mount namespace (not on a
 * detached mount, a memfd's internal one, or a mount of another namespace).
 */
static __always_inline bool bh_setup_own_exe(struct task_struct *task)
{
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	struct mount *mnt;

	if (!exe)
		return false;
	mnt = bh_real_mount(BPF_CORE_READ(exe, f_path.mnt));
	return (void *)BPF_CORE_READ(mnt, mnt_ns) == (void *)BPF_CORE_READ(task, nsproxy, mnt_ns);
}

/* At exec: ends the task's set-up when it now runs the container's own program (true). */
static __always_inline bool bh_setup_exec(struct task_struct *task)
{
	struct bh_setup *m = bh_setup_of(task);

	if (!m || BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum) == m->mnt_ns ||
	    !bh_setup_own_exe(task))
		return false;
	bpf_task_storage_delete(&bh_setups, task->group_leader);
	return true;
}

#endif /* BULKHEAD_SETUP_BPF_H */
