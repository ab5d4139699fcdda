// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* setup.bpf.c - where the runtime's set-up marks start: cgroup placement by the host, and forks. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "setup.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * A host process moved a thread group into a cgroup: a runtime placing its
 * init. Only a group that has not run a program of its own yet is marked: one
 * still in the mover's mount namespace (runc's init before it unshares), or one
 * whose exe lies outside its namespace (an init that already joined the
 * container's namespaces from a clone of the runtime). A running workload moved
 * by a host tool keeps being judged.
 */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(bh_setup_attach, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	struct task_struct *mover = bh_current();
	__u32 mover_mnt_ns;

	if (!bh_host_pid_ns(mover))
		return 0;
	mover_mnt_ns = BPF_CORE_READ(mover, nsproxy, mnt_ns, ns.inum);
	if (BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum) != mover_mnt_ns && bh_setup_own_exe(task))
		return 0;
	bh_setup_mark(task->group_leader, mover_mnt_ns);
	return 0;
}

/*
 * A new process inherits its parent's mark; a host process that clones a child
 * straight into another cgroup (clone3 CLONE_INTO_CGROUP, cgroup v2: crun,
 * runc >= 1.2) marks it. New threads share their leader's mark.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(bh_setup_fork, struct task_struct *parent, struct task_struct *child)
{
	struct bh_setup *m;

	if (child->group_leader != child)
		return 0;
	m = bh_setup_of(parent);
	if (m) {
		bh_setup_mark(child, m->mnt_ns);
		return 0;
	}
	if (bh_task_cgroup_id(child) != bh_task_cgroup_id(parent) && bh_host_pid_ns(parent))
		bh_setup_mark(child, BPF_CORE_READ(parent, nsproxy, mnt_ns, ns.inum));
	return 0;
}
