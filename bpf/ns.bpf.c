// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ns.bpf.c - setns records: the thread's namespaces after the call, and the kinds it set. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "args.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define BH_NSFS_MAGIC 0x6e736673 /* uapi/linux/magic.h */

/* The CLONE_NEW* flag of each enum bh_ns_kind. */
static const __u32 ns_flag[BH_NS_KINDS] = {
	[BH_NS_MNT] = 0x00020000,  [BH_NS_PID] = 0x20000000,  [BH_NS_NET] = 0x40000000,
	[BH_NS_IPC] = 0x08000000,  [BH_NS_UTS] = 0x04000000,  [BH_NS_CGROUP] = 0x02000000,
	[BH_NS_USER] = 0x10000000, [BH_NS_TIME] = 0x00000080,
};

/*
 * setns(fd, nstype), judged at exit only: what it entered is kernel state then.
 * An nsfs fd names one namespace (its inode), and the kind whose inode is now
 * that one is the kind set; any other fd is a pidfd, whose nstype flags are the
 * kinds set. Whether the thread was in that namespace already is not known
 * here (no sys_enter program): user space tells a container's own sharing of a
 * host namespace from its configuration.
 */
static __always_inline int setns_exit(long ret, enum bh_abi abi)
{
	struct task_struct *task = bh_current();
	struct bh_syscall_args args;
	__u32 after[BH_NS_KINDS], entered = 0, host = 0, target = 0, off;
	struct bh_scratch *s;
	struct bh_setns *e;
	struct inode *inode;
	struct file *file;

	if (bh_host_task(BH_EV_SETNS, task) || bh_is_self())
		return 0;
	bh_syscall_args(&args, 2, abi);
	bh_task_ns(task, after);
	file = bh_fd_file(task, (int)args.a[0]);
	inode = BPF_CORE_READ(file, f_inode);
	if (inode && BPF_CORE_READ(inode, i_sb, s_magic) == BH_NSFS_MAGIC)
		target = BPF_CORE_READ(inode, i_ino);
	for (int k = 0; k < BH_NS_KINDS; k++) {
		if (ret)
			break; /* a failed setns set nothing */
		if (target ? after[k] != target : !((__u32)args.a[1] & ns_flag[k]))
			continue;
		entered |= 1U << k;
		if (after[k] == host_ns[k])
			host |= 1U << k;
	}
	/* the rules judge only a successful entry into a host namespace */
	if (bh_filtered(BH_EV_SETNS) && !host)
		return 0;
	s = bh_scratch_get();
	if (!s)
		return 0;
	e = (struct bh_setns *)s->rec;
	off = bh_begin(s, task, BH_EV_SETNS, sizeof(*e), (__s32)ret);
	bh_mark_abi(s, abi);
	e->fd = (__s32)args.a[0];
	e->nstype = (__s32)args.a[1];
	e->target_ns = target;
	e->entered_mask = entered;
	e->host_mask = host;
	for (int k = 0; k < BH_NS_KINDS; k++) {
		e->ns_after[k] = after[k];
		e->host_ns[k] = host_ns[k];
	}
	bh_output(s, off);
	return 0;
}

SEC("tp/syscalls/sys_exit_setns")
int tracepoint__syscalls__sys_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	return setns_exit(ctx->ret, BH_ABI_64);
}

/* The raw sys_exit dispatcher's way in (sys_exit.bpf.c): a global function, verified once. */
__noinline int bh_exit_setns(long ret, __u32 abi)
{
	return setns_exit(ret, abi);
}
