// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* exec.bpf.c - exec records: credentials after exec, with a snapshot from before it. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "thread.bpf.h"
#include "setup.bpf.h"

#define PFA_NO_NEW_PRIVS 0 /* include/linux/sched.h: bit in task->atomic_flags */
#define BH_ARGS_MASK	 (2 * BH_ARGS_MAX - 1)

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Snapshot of the caller's credentials, the *_before fields of the exec record.
 * No exit program: only sched_process_exec reads it, and every exec from user
 * space passes here first and writes a new one, so a failed exec's is harmless.
 */
static __always_inline int exec_enter(void)
{
	struct task_struct *task = bh_current();
	const struct cred *cred = BPF_CORE_READ(task, cred);
	struct bh_thread *t = bh_thread_get(task, true);

	if (!t)
		return 0;
	t->exec.cap_effective = bh_cred_caps(cred, BH_CAP_EFFECTIVE);
	t->exec.uid = BPF_CORE_READ(cred, uid.val);
	t->exec.euid = BPF_CORE_READ(cred, euid.val);
	t->exec_pending = 1;
	return 0;
}

SEC("tp/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	if (bh_is_self())
		return 0;
	return exec_enter();
}

SEC("tp/syscalls/sys_enter_execveat")
int tracepoint__syscalls__sys_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	if (bh_is_self())
		return 0;
	return exec_enter();
}

/*
 * Copies up to BH_ARGC_MAX arguments of the new program (its own stack, between
 * mm->arg_start and arg_end) NUL-separated at off; returns the bytes kept.
 */
static __always_inline __u32 exec_args(struct bh_scratch *s, struct task_struct *task, __u32 off,
				       __u32 argc)
{
	struct bh_hdr *h = (struct bh_hdr *)s->rec;
	unsigned long p = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	__u32 used = 0, copied = 0, room;
	long n;

	for (int i = 0; i < BH_ARGC_MAX && p < end; i++) {
		if (used >= BH_ARGS_MAX) {
			h->trunc |= BH_TRUNC_STR1;
			break;
		}
		room = BH_ARGS_MAX - used;
		/* keep the mask: clang knows it is redundant, the verifier does not */
		barrier_var(room);
		room &= BH_ARGS_MASK;
		n = bpf_probe_read_user_str(&s->rec[(off + used) & BH_OFF_MASK], room,
					    (const void *)p);
		if (n <= 0) {
			bh_read_error(BH_READ_EXEC_ARGS);
			break;
		}
		used += n;
		p += n;
		copied++;
		/* a cut argument fills the buffer while its bytes go on */
		if (used >= BH_ARGS_MAX && p < end)
			h->trunc |= BH_TRUNC_STR1;
	}
	if (argc > copied && !(h->trunc & BH_TRUNC_STR1))
		h->trunc |= BH_TRUNC_ARGC;
	/* the last NUL terminates rather than separates */
	return used ? used - 1 : 0;
}

/*
 * Default mode, a host process: does the new program matter to a host rule? By
 * the name of the file run (the exe) or the name it was called by (comm, the
 * filename's basename), as the rules compare both.
 */
static __always_inline bool host_exec_wanted(struct linux_binprm *bprm)
{
	char name[BH_PROGRAM_NAME_MAX] = {};

	bpf_probe_read_kernel_str(name, sizeof(name),
				  BPF_CORE_READ(bprm, file, f_path.dentry, d_name.name));
	if (bpf_map_lookup_elem(&bh_host_programs, name))
		return true;
	__builtin_memset(name, 0, sizeof(name));
	bpf_get_current_comm(name, TASK_COMM_LEN);
	return bpf_map_lookup_elem(&bh_host_programs, name) != NULL;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf__sched_process_exec, struct task_struct *task, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct bh_scratch *s;
	struct bh_exec *e;
	struct bh_thread *t;
	const struct cred *cred;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 off;
	bool setup_end;

	if (bh_is_self())
		return 0;
	/* before any filter: a set-up that ends here must not outlive this exec */
	setup_end = bh_setup_exec(task);
	if (bh_host_task(BH_EV_EXEC, task) && !host_exec_wanted(bprm)) {
		/* the cached exe is the old program's: a later record walks the new one */
		bpf_map_delete_elem(&bh_exe_cache, &tgid);
		return 0;
	}
	s = bh_scratch_get();
	if (!s)
		return 0;
	e = (struct bh_exec *)s->rec;
	/* a new program: its exe path replaces the cached one */
	bh_exe_refresh(task, s, tgid);
	off = bh_begin(s, task, BH_EV_EXEC, sizeof(*e), 0);
	if (setup_end)
		e->hdr.flags |= BH_HDR_SETUP_END;

	cred = BPF_CORE_READ(task, cred);
	e->cap_permitted = bh_cred_caps(cred, BH_CAP_PERMITTED);
	e->cap_inheritable = bh_cred_caps(cred, BH_CAP_INHERITABLE);
	e->gid = BPF_CORE_READ(cred, gid.val);
	e->egid = BPF_CORE_READ(cred, egid.val);
	e->secureexec = BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec);
	e->no_new_privs = (BPF_CORE_READ(task, atomic_flags) >> PFA_NO_NEW_PRIVS) & 1;
	e->seccomp_mode = BPF_CORE_READ(task, seccomp.mode);
	e->argc = BPF_CORE_READ(bprm, argc);

	/* current is the thread that called exec, even when de_thread() gave it the leader's id */
	t = bh_thread_get(task, true);
	if (t && t->exec_pending) {
		e->cap_effective_before = t->exec.cap_effective;
		e->uid_before = t->exec.uid;
		e->euid_before = t->exec.euid;
		e->before_valid = 1;
		t->exec_pending = 0;
	}
	/* the sets the new program starts with: the "before" of its first capset */
	if (t)
		bh_thread_set_caps(t, e->hdr.cap_effective, e->cap_permitted, e->cap_inheritable);

	off = bh_tail_str(s, off, BPF_CORE_READ(bprm, filename), BH_PATH_MAX, false,
			  &e->filename_len, BH_TRUNC_STR0, BH_READ_EXEC_FILENAME);
	e->args_len = exec_args(s, task, off, e->argc);
	bh_output(s, off + e->args_len);
	return 0;
}

/* The exe cache lives as long as the thread group (saved arguments go with their task). */
SEC("tp/sched/sched_process_exit")
int tracepoint__sched__sched_process_exit(struct trace_event_raw_sched_process_template *ctx)
{
	struct task_struct *task = bh_current();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	/* do_exit() decrements signal->live before this tracepoint: 0 means the group is gone */
	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		bpf_map_delete_elem(&bh_exe_cache, &tgid);
	return 0;
}
