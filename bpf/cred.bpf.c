// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cred.bpf.c - capset records: the capability sets of the thread before and after the call. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "args.bpf.h"
#include "thread.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * capset(hdrp, datap), judged at exit only. The sets in force now come from the
 * cred; the sets before the call are the ones this thread had after its last
 * exec or capset seen here (bh_thread), else its thread group leader's (a thread
 * starts with its creator's), else unknown. In the default mode threads of
 * host cgroups are not kept track of: they are not judged.
 */
static __always_inline int capset_exit(long ret, enum bh_abi abi)
{
	struct task_struct *task = bh_current();
	struct bh_capsets before = {};
	struct bh_syscall_args args;
	const struct cred *cred;
	struct bh_thread *t, *leader;
	struct bh_scratch *s;
	struct bh_capset *e;
	__u64 effective, permitted, inheritable;
	bool known = false;
	__u32 off;

	if (bh_host_task(BH_EV_CAPSET, task) || bh_is_self())
		return 0;
	/* commit_creds() replaced task->cred: these are the sets now in force */
	cred = BPF_CORE_READ(task, cred);
	effective = bh_cred_caps(cred, BH_CAP_EFFECTIVE);
	permitted = bh_cred_caps(cred, BH_CAP_PERMITTED);
	inheritable = bh_cred_caps(cred, BH_CAP_INHERITABLE);
	t = bh_thread_get(task, true);
	if (t && t->caps_known) {
		before = t->caps;
		known = true;
	} else {
		leader = bh_thread_get(task->group_leader, false);
		if (leader && leader->caps_known) {
			before = leader->caps;
			known = true;
		}
	}
	if (t && !ret)
		bh_thread_set_caps(t, effective, permitted, inheritable);
	/*
	 * The rules judge only capabilities a successful call added to the
	 * effective set; with no known before, user space judges the whole set.
	 */
	if (bh_filtered(BH_EV_CAPSET) &&
	    (ret || (known ? !(effective & ~before.effective) : !effective)))
		return 0;
	s = bh_scratch_get();
	if (!s)
		return 0;
	e = (struct bh_capset *)s->rec;
	off = bh_begin(s, task, BH_EV_CAPSET, sizeof(*e), (__s32)ret);
	bh_mark_abi(s, abi);
	e->effective = effective;
	e->permitted = permitted;
	e->inheritable = inheritable;
	e->before_known = known;
	e->effective_before = before.effective;
	e->permitted_before = before.permitted;
	e->inheritable_before = before.inheritable;
	/* struct __user_cap_header_struct { __u32 version; int pid; } */
	bh_syscall_args(&args, 1, abi);
	if (args.a[0] && bpf_probe_read_user(&e->target_pid, sizeof(e->target_pid),
					     (const __u32 *)args.a[0] + 1))
		bh_read_error(BH_READ_CAPSET_HEADER);
	bh_output(s, off);
	return 0;
}

SEC("tp/syscalls/sys_exit_capset")
int tracepoint__syscalls__sys_exit_capset(struct trace_event_raw_sys_exit *ctx)
{
	return capset_exit(ctx->ret, BH_ABI_64);
}

/* The raw sys_exit dispatcher's way in (sys_exit.bpf.c): a global function, verified once. */
__noinline int bh_exit_capset(long ret, __u32 abi)
{
	return capset_exit(ret, abi);
}
