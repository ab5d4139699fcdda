// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sys_exit.bpf.c - the raw sys_exit dispatcher: x86 compat syscalls, and with them the native ones.
 */
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
 * syscall passes, and hands a call of a hooked kind to its family's handler (a
 * global function of its family's file). The loader attaches it only where the
 * kernel can make compat calls at all (user/collector/compat.c): it costs every syscall of
 * the node. Where it runs it takes the native hooked calls too, and the loader
 * leaves their syscalls/sys_exit_* programs unattached: a perf syscall
 * tracepoint costs more per call than this dispatch (perf_syscall_exit builds a
 * record before the program runs), and each call is then judged once.
 */

/* include/uapi/linux/net.h: socketcall's call numbers */
#define BH_SYS_BIND    2
#define BH_SYS_CONNECT 3
#define BH_SYS_LISTEN  4

/* The handlers, each in its family's file (mount.bpf.c, ns.bpf.c, cred.bpf.c, net.bpf.c). */
extern int bh_exit_mount(long ret, __u32 call, __u32 abi);
extern int bh_exit_setns(long ret, __u32 abi);
extern int bh_exit_capset(long ret, __u32 abi);
extern int bh_exit_connect(long ret, __u32 abi);
extern int bh_exit_sock(long ret, __u32 type, __u32 abi);

/* What a call is to the handlers: which one, its argument (call or type), its ABI. */
enum hooked_kind {
	CALL_NONE,
	CALL_MOUNT,
	CALL_SETNS,
	CALL_CAPSET,
	CALL_CONNECT,
	CALL_SOCK,
};

struct hooked_call {
	__u32 kind;
	__u32 arg; /* mount: enum bh_mount_call; sock: BH_EV_BIND or BH_EV_LISTEN */
	__u32 abi;
};

/* The mount family and setns, capset: by the call's number in its table. */
static __always_inline void common_call(struct hooked_call *c, __u32 nr, __u32 nr_mount,
					__u32 nr_setns, __u32 nr_capset)
{
	/* numbers from 424 on are shared by every table (Linux 5.1, "y2038: syscalls") */
	if (nr == nr_mount)
		*c = (struct hooked_call){ CALL_MOUNT, BH_MOUNT_MOUNT, c->abi };
	else if (nr == 428)
		*c = (struct hooked_call){ CALL_MOUNT, BH_MOUNT_OPEN_TREE, c->abi };
	else if (nr == 429)
		*c = (struct hooked_call){ CALL_MOUNT, BH_MOUNT_MOVE_MOUNT, c->abi };
	else if (nr == 430)
		*c = (struct hooked_call){ CALL_MOUNT, BH_MOUNT_FSOPEN, c->abi };
	else if (nr == 432)
		*c = (struct hooked_call){ CALL_MOUNT, BH_MOUNT_FSMOUNT, c->abi };
	else if (nr == 442)
		*c = (struct hooked_call){ CALL_MOUNT, BH_MOUNT_MOUNT_SETATTR, c->abi };
	else if (nr == nr_setns)
		*c = (struct hooked_call){ CALL_SETNS, 0, c->abi };
	else if (nr == nr_capset)
		*c = (struct hooked_call){ CALL_CAPSET, 0, c->abi };
}

/* The socket calls: connect, or bind and listen (type). */
static __always_inline void sock_call(struct hooked_call *c, long nr, long nr_connect, long nr_bind,
				      long nr_listen)
{
	if (nr == nr_connect)
		*c = (struct hooked_call){ CALL_CONNECT, 0, c->abi };
	else if (nr == nr_bind)
		*c = (struct hooked_call){ CALL_SOCK, BH_EV_BIND, c->abi };
	else if (nr == nr_listen)
		*c = (struct hooked_call){ CALL_SOCK, BH_EV_LISTEN, c->abi };
}

/*
 * Runs at every syscall's exit: two loads, two tests and the number's compares
 * for a native call. TS_COMPAT is set at ia32 entry and cleared on the way back
 * to user space, after this tracepoint; x32 keeps its bit in orig_ax. The
 * numbers are those of arch/x86/entry/syscalls/syscall_32.tbl (ia32) and
 * syscall_64.tbl (x86-64; x32 calls the hooked kinds by the same numbers,
 * "common" there).
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(bh_sys_exit, struct pt_regs *regs, long ret)
{
	struct pt_regs___x86 *r = (struct pt_regs___x86 *)regs;
	struct hooked_call c = { CALL_NONE, 0, BH_ABI_IA32 };
	/* the kernel dispatches on the low 32 bits (an int): so must this, or high bits hide a call
	 */
	__u32 nr = r->orig_ax;

	if (bh_x86_ia32_syscall(bh_current())) {
		common_call(&c, nr, 21, 346, 185);
		sock_call(&c, nr, 362, 361, 363);
		/* socketcall(call, args): the only way to connect before Linux 4.3 */
		if (nr == 102) {
			c.abi = BH_ABI_IA32_SOCKETCALL;
			sock_call(&c, (__u32)r->bx, BH_SYS_CONNECT, BH_SYS_BIND, BH_SYS_LISTEN);
		}
	} else {
		c.abi = nr & BH_X32_SYSCALL_BIT ? BH_ABI_X32 : BH_ABI_64;
		nr &= ~BH_X32_SYSCALL_BIT;
		common_call(&c, nr, 165, 308, 126);
		sock_call(&c, nr, 42, 49, 50);
	}
	if (c.kind == CALL_NONE)
		return 0;
	if (c.abi != BH_ABI_64)
		bh_count(BH_CNT_COMPAT_CALLS);
	switch (c.kind) {
	case CALL_MOUNT:
		return bh_exit_mount(ret, c.arg, c.abi);
	case CALL_SETNS:
		return bh_exit_setns(ret, c.abi);
	case CALL_CAPSET:
		return bh_exit_capset(ret, c.abi);
	case CALL_CONNECT:
		return bh_exit_connect(ret, c.abi);
	default:
		return bh_exit_sock(ret, c.arg, c.abi);
	}
}
