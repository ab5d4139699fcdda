// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ns.bpf.c - setns records: every namespace of the thread before and after the call. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* setns(fd, nstype): the before snapshot is kernel state, the arguments are registers. */
SEC("tp/syscalls/sys_enter_setns")
int tracepoint__syscalls__sys_enter_setns(struct trace_event_raw_sys_enter *ctx)
{
	struct bh_sys_args a = { .kind = BH_SYS_SETNS };
	__u32 tid = bh_current_tid();

	if (bh_is_self() || bh_host_task(BH_EV_SETNS, bh_current()))
		return 0;
	a.setns.fd = (__s32)ctx->args[0];
	a.setns.nstype = (__s32)ctx->args[1];
	bh_task_ns(bh_current(), a.setns.ns_before);
	bpf_map_update_elem(&bh_sys_args, &tid, &a, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_setns")
int tracepoint__syscalls__sys_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bh_current();
	__u32 tid = bh_current_tid();
	struct bh_sys_args *a;
	struct bh_scratch *s;
	struct bh_setns *e;
	__u32 after[BH_NS_KINDS], changed = 0, host = 0, off;

	if (bh_is_self())
		return 0;
	a = bpf_map_lookup_elem(&bh_sys_args, &tid);
	if (!a)
		return 0;
	if (a->kind != BH_SYS_SETNS)
		goto out;
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
		goto out;
	s = bh_scratch_get();
	if (!s)
		goto out;
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
out:
	bpf_map_delete_elem(&bh_sys_args, &tid);
	return 0;
}
