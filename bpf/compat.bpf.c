// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* compat.bpf.c - x86 compat syscalls (ia32, x32), which no per-syscall tracepoint sees. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "emit.bpf.h"
#include "args.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The syscalls/sys_exit_* tracepoints skip a call for which in_32bit_syscall()
 * holds (arch_trace_is_compat_syscall()): a mount, setns, capset or connect
 * made with int $0x80 (from a 64-bit process too) or through the x32 ABI would
 * go unseen. This program sits on the raw sys_exit tracepoint, which every
 * syscall passes, returns at once for a native one, and hands a compat call of
 * a hooked kind to the same handler as the native tracepoint (a global function
 * of its family's file). The loader attaches it only where the kernel can make
 * compat calls at all (user/compat.c): it costs every syscall of the node.
 */

#define BH_TS_COMPAT	   0x0002     /* asm/thread_info.h: an ia32 syscall is running */
#define BH_X32_SYSCALL_BIT 0x40000000 /* uapi asm/unistd.h: the x32 ABI's syscall numbers */

/* include/uapi/linux/net.h: socketcall's call numbers */
#define BH_SYS_BIND    2
#define BH_SYS_CONNECT 3
#define BH_SYS_LISTEN  4

/* x86's thread_info.status (the field exists on x86 only): flavours for any target. */
struct thread_info___x86 {
	__u32 status;
} __attribute__((preserve_access_index));

struct task_struct___x86 {
	struct thread_info___x86 thread_info;
} __attribute__((preserve_access_index));

/* The handlers, each in its family's file (mount.bpf.c, ns.bpf.c, cred.bpf.c, net.bpf.c). */
extern int bh_compat_mount(long ret, __u32 call, __u32 abi);
extern int bh_compat_setns(long ret, __u32 abi);
extern int bh_compat_capset(long ret, __u32 abi);
extern int bh_compat_connect(long ret, __u32 abi);
extern int bh_compat_sock(long ret, __u32 type, __u32 abi);

/* What a compat call is to the handlers: which one, its argument (call or type), its ABI. */
enum compat_kind {
	COMPAT_NONE,
	COMPAT_MOUNT,
	COMPAT_SETNS,
	COMPAT_CAPSET,
	COMPAT_CONNECT,
	COMPAT_SOCK,
};

struct compat_call {
	__u32 kind;
	__u32 arg; /* mount: enum bh_mount_call; sock: BH_EV_BIND or BH_EV_LISTEN */
	__u32 abi;
};

/* The mount family and setns, capset: by the call's number in its table. */
static __always_inline void common_call(struct compat_call *c, __u32 nr, __u32 nr_mount,
					__u32 nr_setns, __u32 nr_capset)
{
	/* numbers from 424 on are shared by every table (Linux 5.1, "y2038: syscalls") */
	if (nr == nr_mount)
		*c = (struct compat_call){ COMPAT_MOUNT, BH_MOUNT_MOUNT, c->abi };
	else if (nr == 428)
		*c = (struct compat_call){ COMPAT_MOUNT, BH_MOUNT_OPEN_TREE, c->abi };
	else if (nr == 429)
		*c = (struct compat_call){ COMPAT_MOUNT, BH_MOUNT_MOVE_MOUNT, c->abi };
	else if (nr == 430)
		*c = (struct compat_call){ COMPAT_MOUNT, BH_MOUNT_FSOPEN, c->abi };
	else if (nr == 432)
		*c = (struct compat_call){ COMPAT_MOUNT, BH_MOUNT_FSMOUNT, c->abi };
	else if (nr == 442)
		*c = (struct compat_call){ COMPAT_MOUNT, BH_MOUNT_MOUNT_SETATTR, c->abi };
	else if (nr == nr_setns)
		*c = (struct compat_call){ COMPAT_SETNS, 0, c->abi };
	else if (nr == nr_capset)
		*c = (struct compat_call){ COMPAT_CAPSET, 0, c->abi };
}

/* The socket calls: connect, or bind and listen (type). */
static __always_inline void sock_call(struct compat_call *c, long nr, long nr_connect, long nr_bind,
				      long nr_listen)
{
	if (nr == nr_connect)
		*c = (struct compat_call){ COMPAT_CONNECT, 0, c->abi };
	else if (nr == nr_bind)
		*c = (struct compat_call){ COMPAT_SOCK, BH_EV_BIND, c->abi };
	else if (nr == nr_listen)
		*c = (struct compat_call){ COMPAT_SOCK, BH_EV_LISTEN, c->abi };
}

/*
 * Runs at every syscall's exit: two loads and two tests for a native call.
 * TS_COMPAT is set at ia32 entry and cleared on the way back to user space,
 * after this tracepoint; x32 keeps its bit in orig_ax. The numbers are those of
 * arch/x86/entry/syscalls/syscall_32.tbl (ia32) and syscall_64.tbl (x32 calls
 * the hooked kinds by their x86-64 numbers, "common" there).
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(bh_compat_exit, struct pt_regs *regs, long ret)
{
	struct task_struct___x86 *task = (struct task_struct___x86 *)bh_current();
	struct pt_regs___x86 *r = (struct pt_regs___x86 *)regs;
	struct compat_call c = { COMPAT_NONE, 0, BH_ABI_IA32 };
	/* the kernel dispatches on the low 32 bits (an int): so must this, or high bits hide a call
	 */
	__u32 nr = r->orig_ax;

	if (task->thread_info.status & BH_TS_COMPAT) {
		common_call(&c, nr, 21, 346, 185);
		sock_call(&c, nr, 362, 361, 363);
		/* socketcall(call, args): the only way to connect before Linux 4.3 */
		if (nr == 102) {
			c.abi = BH_ABI_IA32_SOCKETCALL;
			sock_call(&c, (__u32)r->bx, BH_SYS_CONNECT, BH_SYS_BIND, BH_SYS_LISTEN);
		}
	} else if (nr & BH_X32_SYSCALL_BIT) {
		c.abi = BH_ABI_X32;
		nr &= ~BH_X32_SYSCALL_BIT;
		common_call(&c, nr, 165, 308, 126);
		sock_call(&c, nr, 42, 49, 50);
	} else {
		return 0;
	}
	if (c.kind == COMPAT_NONE)
		return 0;
	bh_count(BH_CNT_COMPAT_CALLS);
	switch (c.kind) {
	case COMPAT_MOUNT:
		return bh_compat_mount(ret, c.arg, c.abi);
	case COMPAT_SETNS:
		return bh_compat_setns(ret, c.abi);
	case COMPAT_CAPSET:
		return bh_compat_capset(ret, c.abi);
	case COMPAT_CONNECT:
		return bh_compat_connect(ret, c.abi);
	default:
		return bh_compat_sock(ret, c.arg, c.abi);
	}
}
