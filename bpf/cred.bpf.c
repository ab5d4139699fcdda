// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cred.bpf.c - capset records: the capability sets of the task before and after the call. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "args.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* capset(hdrp, datap): the sets come from the cred; only the target pid is user memory. */
SEC("tp/syscalls/sys_enter_capset")
int tracepoint__syscalls__sys_enter_capset(struct trace_event_raw_sys_enter *ctx)
{
	/* struct __user_cap_header_struct { __u32 version; int pid; } */
	const __u32 *hdrp = (const __u32 *)ctx->args[0];
	const struct cred *cred;
	struct bh_sys_args *a;

	if (bh_is_self() || bh_host_task(BH_EV_CAPSET, bh_current()))
		return 0;
	a = bh_args_save(BH_SYS_CAPSET);
	if (!a)
		return 0;
	cred = BPF_CORE_READ(bh_current(), cred);
	a->capset.effective = bh_cred_caps(cred, BH_CAP_EFFECTIVE);
	a->capset.permitted = bh_cred_caps(cred, BH_CAP_PERMITTED);
	a->capset.inheritable = bh_cred_caps(cred, BH_CAP_INHERITABLE);
	a->capset.target_pid = 0;
	if (hdrp &&
	    bpf_probe_read_user(&a->capset.target_pid, sizeof(a->capset.target_pid), hdrp + 1))
		bh_count(BH_CNT_READ_ERRORS);
	return 0;
}

SEC("tp/syscalls/sys_exit_capset")
int tracepoint__syscalls__sys_exit_capset(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bh_current();
	struct bh_sys_args *a = bh_args_take(BH_SYS_CAPSET);
	const struct cred *cred;
	struct bh_scratch *s;
	struct bh_capset *e;
	__u64 effective;
	__u32 off;

	if (!a)
		return 0;
	/* commit_creds() replaced task->cred: these are the sets now in force */
	cred = BPF_CORE_READ(task, cred);
	effective = bh_cred_caps(cred, BH_CAP_EFFECTIVE);
	/* the rules judge only capabilities a successful call added to the effective set */
	if (bh_filtered(BH_EV_CAPSET) && (ctx->ret || !(effective & ~a->capset.effective)))
		return 0;
	s = bh_scratch_get();
	if (!s)
		return 0;
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
	return 0;
}
