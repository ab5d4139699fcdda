/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* args.bpf.h - a syscall's arguments at its exit, from the user registers saved at entry. */
#ifndef BULKHEAD_ARGS_BPF_H
#define BULKHEAD_ARGS_BPF_H

#include "common.bpf.h"
#include "emit.bpf.h"
#include "x86.bpf.h"

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

/*
 * How the call passed its arguments. The per-syscall tracepoints see only
 * BH_ABI_64; compat.bpf.c sees the others. x32 uses the x86-64 registers. ia32
 * (int $0x80, sysenter, a 32-bit syscall) uses ebx, ecx, edx, esi, edi, of which
 * the kernel takes the low 32 bits: a 64-bit caller of int $0x80 may leave
 * anything in the high ones. ia32 socketcall(call, args) passes a pointer to the
 * call's arguments, an array of u32 in user memory (TOCTOU as any user memory).
 */
enum bh_abi {
	BH_ABI_64 = 0,
	BH_ABI_X32 = 1,
	BH_ABI_IA32 = 2,
	BH_ABI_IA32_SOCKETCALL = 3,
};

static __always_inline void bh_syscall_args(struct bh_syscall_args *args, int n, enum bh_abi abi)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bh_current());
	struct pt_regs___x86 *r = (struct pt_regs___x86 *)regs;
	__u32 a32[5] = {};

	if (abi == BH_ABI_64 || abi == BH_ABI_X32) {
		args->a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
		args->a[1] = n > 1 ? PT_REGS_PARM2_CORE_SYSCALL(regs) : 0;
		args->a[2] = n > 2 ? PT_REGS_PARM3_CORE_SYSCALL(regs) : 0;
		args->a[3] = n > 3 ? PT_REGS_PARM4_CORE_SYSCALL(regs) : 0;
		args->a[4] = n > 4 ? PT_REGS_PARM5_CORE_SYSCALL(regs) : 0;
		return;
	}
	if (abi == BH_ABI_IA32_SOCKETCALL) {
		/* n is a constant at every call site: the size stays known to the verifier */
		if (bpf_probe_read_user(a32, n * sizeof(__u32),
					(const void *)(unsigned long)(__u32)BPF_CORE_READ(r, cx)))
			bh_read_error(BH_READ_SOCKETCALL_ARGS);
	} else {
		a32[0] = BPF_CORE_READ(r, bx);
		a32[1] = n > 1 ? BPF_CORE_READ(r, cx) : 0;
		a32[2] = n > 2 ? BPF_CORE_READ(r, dx) : 0;
		a32[3] = n > 3 ? BPF_CORE_READ(r, si) : 0;
		a32[4] = n > 4 ? BPF_CORE_READ(r, di) : 0;
	}
	for (int i = 0; i < 5; i++)
		args->a[i] = a32[i];
}

/* Marks a record made by a compat syscall (hdr.flags), after bh_begin(). */
static __always_inline void bh_mark_abi(struct bh_scratch *s, enum bh_abi abi)
{
	struct bh_hdr *h = (struct bh_hdr *)s->rec;

	if (abi == BH_ABI_X32)
		h->flags |= BH_HDR_COMPAT_X32;
	else if (abi != BH_ABI_64)
		h->flags |= BH_HDR_COMPAT_IA32;
}

#endif /* BULKHEAD_ARGS_BPF_H */
