/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* args.bpf.h - a syscall's arguments at its exit, from the user registers saved at entry. */
#ifndef BULKHEAD_ARGS_BPF_H
#define BULKHEAD_ARGS_BPF_H

#include "common.bpf.h"
#include "emit.bpf.h"

/*
 * The hooks run at sys_exit only: a sys_enter tracepoint costs as much again
 * per call (about 70 ns here, whatever its program does). The entry registers
 * stay in the task's pt_regs until it returns to user space, and the hooked
 * calls do not change them; libbpf's *_SYSCALL accessors pick the register that
 * keeps each argument (arm64's x0 is the return value by now: orig_x0).
 */
struct bh_syscall_args {
	unsigned long a[5];
};

static __always_inline void bh_syscall_args(struct bh_syscall_args *args, int n)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bh_current());

	args->a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	args->a[1] = n > 1 ? PT_REGS_PARM2_CORE_SYSCALL(regs) : 0;
	args->a[2] = n > 2 ? PT_REGS_PARM3_CORE_SYSCALL(regs) : 0;
	args->a[3] = n > 3 ? PT_REGS_PARM4_CORE_SYSCALL(regs) : 0;
	args->a[4] = n > 4 ? PT_REGS_PARM5_CORE_SYSCALL(regs) : 0;
}

#endif /* BULKHEAD_ARGS_BPF_H */
