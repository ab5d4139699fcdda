// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cred.bpf.c - capset records: the capability sets of the task before and after the call. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* capset(hdrp, datap): the sets come from the cred; only the target pid is user memory. */
SEC("tp/syscalls/sys_enter_capset")
int tracepoint__syscalls__sys_enter_capset(struct trace_event_raw_sys_enter *ctx)
{
	const struct cred *cred = BPF_CORE_READ(bh_current(), cred);
	struct bh_sys_args a = { .kind = BH_SYS_CAPSET };
	__u32 tid = bh_current_tid();
	/* struct __user_cap_header_struct { __u32 version; int pid; } */
	const __u32 *hdrp = (const __u32 *)ctx->args[0];

	if (bh_is_self() || bh_host_task(BH_EV_CAPSET, bh_current()))
		return 0;
	a.capset.effective = bh_cred_caps(cred, BH_CAP_EFFECTIVE);
	a.capset.permitted = bh_cred_caps(cred, BH_CAP_PERMITTED);
	a.capset.inheritable = bh_cred_caps(cred, BH_CAP_INHERITABLE);
	if (hdrp &&
	    bpf_probe_read_user(&a.capset.target_pid, sizeof(a.capset.target_pid), hdrp + 1))
		bh_count(BH_CNT_READ_ERRORS);
	bpf_map_update_elem(&bh_sys_args, &tid, &a, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_capset")
int tracepoint__syscalls__sys_exit_capset(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bh_current();
	__u32 tid = bh_current_tid();
	const struct cred *cred;
	struct bh_sys_args *a;
	struct bh_scratch *s;
	struct bh_capset *e;
	__u64 effective;
	__u32 off;

	if (bh_is_self())
		return 0;
	a = bpf_map_lookup_elem(&bh_sys_args, &tid);
	if (!a)
		return 0;
	if (a->kind != BH_SYS_CAPSET)
		goto out;
	/* commit_creds() replaced task->cred: these are the sets now in force */
	cred = BPF_CORE_READ(task, cred);
	effective = bh_cred_caps(cred, BH_CAP_EFFECTIVE);
	/* the rules judge only capabilities a successful call added to the effective set */
	if (bh_filtered(BH_EV_CAPSET) && (ctx->ret || !(effective & ~a->capset.effective)))
		goto out;
	s = bh_scratch_get();
	if (!s)
		goto out;
	e = (struct bh_capset *)s->rec;
	off = bh_begin(s, task, BH_EV_CAPSET, sizeof(*e), (__s32)ctx->ret);
	e->effective = effective;
	e->permitted = bh_cred_caps(cred, BH_CAP_PERMITTED);
	e->inheritable = bh_cred_caps(cred, BH_CAP_INHERITABLE);
	e->effective_before = a->capset.effective;
	e->permitted_before = a->capset.permitted;
	e->inheritable_before = a->capset.inheritable;
	e->target_pid = a->capset.target_pid;
	bh_output(s, off);
out:
	bpf_map_delete_elem(&bh_sys_args, &tid);
	return 0;
}
