// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* mount.bpf.c - mount family records: mount(2) and the new mount API, with the result. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "args.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * TOCTOU: the mount family has no kernel state that names its arguments once
 * the call is done, so paths, fstype and struct mount_attr are read from user
 * memory, at exit (no sys_enter program), where the kernel's own
 * copy_from_user() has faulted the pages in. A racing thread may rewrite that
 * memory between the kernel's read and ours: the record shows what user memory
 * held at exit, and ret is the kernel's verdict.
 */
/* struct mount_attr (uapi, MOUNT_ATTR_SIZE_VER0 = 32): the fields the record keeps. */
struct bh_mount_attr {
	__u64 attr_set;
	__u64 attr_clr;
	__u64 propagation;
};

static __always_inline int mount_exit(long ret, __u32 call, int nargs, enum bh_abi abi)
{
	struct task_struct *task = bh_current();
	const void *src = NULL, *tgt = NULL, *fstype = NULL;
	struct bh_syscall_args sa;
	struct bh_mount_attr attr;
	struct bh_scratch *s;
	struct bh_mount *e;
	unsigned long *args = sa.a;
	__u32 off;

	/*
	 * The rules judge only calls that took effect: fsopen, fsmount and
	 * open_tree return an fd, the others 0; an error is negative for all.
	 */
	if (bh_filtered(BH_EV_MOUNT) && ret < 0)
		return 0;
	if (bh_host_task(BH_EV_MOUNT, task) || bh_is_self())
		return 0;
	bh_syscall_args(&sa, nargs, abi);
	s = bh_scratch_get();
	if (!s)
		return 0;
	e = (struct bh_mount *)s->rec;
	off = bh_begin(s, task, BH_EV_MOUNT, sizeof(*e), (__s32)ret);
	bh_mark_abi(s, abi);
	e->call = call;
	switch (call) {
	case BH_MOUNT_MOUNT: /* mount(source, target, fstype, flags, data) */
		src = (const void *)args[0];
		tgt = (const void *)args[1];
		fstype = (const void *)args[2];
		e->flags = args[3];
		break;
	case BH_MOUNT_OPEN_TREE: /* open_tree(dfd, filename, flags) */
		e->from_dfd = (__s32)args[0];
		src = (const void *)args[1];
		e->flags = args[2];
		break;
	case BH_MOUNT_MOVE_MOUNT: /* move_mount(from_dfd, from_path, to_dfd, to_path, flags) */
		e->from_dfd = (__s32)args[0];
		src = (const void *)args[1];
		e->to_dfd = (__s32)args[2];
		tgt = (const void *)args[3];
		e->flags = args[4];
		break;
	case BH_MOUNT_FSMOUNT: /* fsmount(fs_fd, flags, attr_flags) */
		e->from_dfd = (__s32)args[0];
		e->flags = args[1];
		e->attr_set = args[2];
		break;
	case BH_MOUNT_FSOPEN: /* fsopen(fsname, flags) */
		fstype = (const void *)args[0];
		e->flags = args[1];
		break;
	case BH_MOUNT_MOUNT_SETATTR: /* mount_setattr(dfd, path, flags, uattr, usize) */
		e->to_dfd = (__s32)args[0];
		tgt = (const void *)args[1];
		e->flags = args[2];
		if (args[3] && args[4] >= sizeof(attr)) {
			if (bpf_probe_read_user(&attr, sizeof(attr), (const void *)args[3])) {
				bh_read_error(BH_READ_MOUNT_ATTR);
			} else {
				e->attr_set = attr.attr_set;
				e->attr_clr = attr.attr_clr;
				e->propagation = attr.propagation;
			}
		}
		break;
	}
	off = bh_tail_str(s, off, src, BH_PATH_MAX, true, &e->source_len, BH_TRUNC_STR0,
			  BH_READ_MOUNT_SOURCE);
	off = bh_tail_str(s, off, tgt, BH_PATH_MAX, true, &e->target_len, BH_TRUNC_STR1,
			  BH_READ_MOUNT_TARGET);
	off = bh_tail_str(s, off, fstype, BH_FSTYPE_MAX, true, &e->fstype_len, BH_TRUNC_STR2,
			  BH_READ_MOUNT_FSTYPE);
	bh_output(s, off);
	return 0;
}

SEC("tp/syscalls/sys_exit_mount")
int tracepoint__syscalls__sys_exit_mount(struct trace_event_raw_sys_exit *ctx)
{
	return mount_exit(ctx->ret, BH_MOUNT_MOUNT, 5, BH_ABI_64);
}

SEC("tp/syscalls/sys_exit_open_tree")
int tracepoint__syscalls__sys_exit_open_tree(struct trace_event_raw_sys_exit *ctx)
{
	return mount_exit(ctx->ret, BH_MOUNT_OPEN_TREE, 3, BH_ABI_64);
}

SEC("tp/syscalls/sys_exit_move_mount")
int tracepoint__syscalls__sys_exit_move_mount(struct trace_event_raw_sys_exit *ctx)
{
	return mount_exit(ctx->ret, BH_MOUNT_MOVE_MOUNT, 5, BH_ABI_64);
}

SEC("tp/syscalls/sys_exit_fsmount")
int tracepoint__syscalls__sys_exit_fsmount(struct trace_event_raw_sys_exit *ctx)
{
	return mount_exit(ctx->ret, BH_MOUNT_FSMOUNT, 3, BH_ABI_64);
}

SEC("tp/syscalls/sys_exit_fsopen")
int tracepoint__syscalls__sys_exit_fsopen(struct trace_event_raw_sys_exit *ctx)
{
	return mount_exit(ctx->ret, BH_MOUNT_FSOPEN, 2, BH_ABI_64);
}

SEC("tp/syscalls/sys_exit_mount_setattr")
int tracepoint__syscalls__sys_exit_mount_setattr(struct trace_event_raw_sys_exit *ctx)
{
	return mount_exit(ctx->ret, BH_MOUNT_MOUNT_SETATTR, 5, BH_ABI_64);
}

/* The raw sys_exit dispatcher's way in (sys_exit.bpf.c): a global function, verified once. */
__noinline int bh_exit_mount(long ret, __u32 call, __u32 abi)
{
	/* five arguments whatever the call: a register it leaves unused is read for nothing */
	return mount_exit(ret, call, 5, abi);
}
