/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * x86.bpf.h - x86's syscall registers and compat state, as CO-RE flavours so that the
 * programs build for any target (the fields exist on x86 only).
 */
#ifndef BULKHEAD_X86_BPF_H
#define BULKHEAD_X86_BPF_H

#include "common.bpf.h"

#define BH_TS_COMPAT	   0x0002     /* asm/thread_info.h: an ia32 syscall is running */
#define BH_X32_SYSCALL_BIT 0x40000000 /* uapi asm/unistd.h: the x32 ABI's syscall numbers */

struct pt_regs___x86 {
	unsigned long bx, cx, dx, si, di, orig_ax;
} __attribute__((preserve_access_index));

struct thread_info___x86 {
	__u32 status;
} __attribute__((preserve_access_index));

struct task_struct___x86 {
	struct thread_info___x86 thread_info;
} __attribute__((preserve_access_index));

/*
 * The task (the current one, a BTF pointer) is in an ia32 syscall: TS_COMPAT is set at
 * ia32 entry and cleared on the way back to user space, after the sys_exit tracepoint.
 */
static __always_inline bool bh_x86_ia32_syscall(struct task_struct *task)
{
	return ((struct task_struct___x86 *)task)->thread_info.status & BH_TS_COMPAT;
}

#endif /* BULKHEAD_X86_BPF_H */
