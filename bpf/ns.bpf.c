// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ns.bpf.c - setns records: every namespace of the thread before and after the call. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "args.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* setns(fd, nstype): the before snapshot is kernel state, the arguments are registers. */
SEC("tp/syscalls/sys_enter_setns")
int tracepoint__syscalls__sys_enter_setns(struct trace_event_raw_sys_enter *ctx)
{
	struct bh_sys_args *a;

	if (bh_is_self() || bh_host_task(BH_EV_SETNS, bh_current()))
		return 0;
	a = bh_args_save(BH_SYS_SETNS);
	if (!a)
		return 0;
	a->setns.fd = (__s32)ctx->args[0];
	a->setns.nstype = (__s32)ctx->args[1];
	bh_task_ns(bh_current(), a->setns.ns_before);
	return 0;
}

SEC("tp/syscalls/sys_exit_setns")
int tracepoint__syscalls__sys_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bh_current();
	struct bh_sys_args *a = bh_args_take(BH_SYS_SETNS);
	struct bh_scratch *s;
	struct bh_setns *e;
	__u32 after[BH_NS_KINDS], changed = 0, host = 0, off;

	if (!a)
		return 0;
	/* a failed setns changed nothing, but reading "after" still tells the truth */
	bh_task_ns(task, after);
	for (int k = 0; k < BH_NS_KINDS; k++) {
		if (after[k] != a->setns.ns_before[k]) {
			changed |= 1U << k;
			if (after[k] == host_ns[k])
				host |= 1U << k;
		}
	}
	/* the rules judge only a successful entry into a host namespace */
	if (bh_filtered(BH_EV_SETNS) && (ctx->ret || !host))
		return 0;
	s = bh_scratch_get();
	if (!s)
		return 0;
	e = (struct bh_setns *)s->rec;
	off = bh_begin(s, task, BH_EV_SETNS, sizeof(*e), (__s32)ctx->ret);
	e->fd = a->setns.fd;
	e->nstype = a->setns.nstype;
	e->changed_mask = changed;
	e->host_mask = host;
	for (int k = 0; k < BH_NS_KINDS; k++) {
		e->ns_after[k] = after[k];
		e->ns_before[k] = a->setns.ns_before[k];
		e->host_ns[k] = host_ns[k];
	}
	bh_output(s, off);
	return 0;
}
