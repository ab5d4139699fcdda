// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* advise.bpf.c - the syscall recorder of `bulkhead advise`: a bitmap of calls per advised cgroup.
 */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "emit.bpf.h"
#include "x86.bpf.h"
#include "advise_rec.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Both programs load only while advising (the loader's advise option): the
 * agent never pays for them. Nothing goes to user space: the advise command
 * reads the map when it writes the profile.
 */

/* x86-64 numbers (arch/x86/entry/syscalls/syscall_64.tbl) of the calls whose arguments count */
#define NR_SOCKET  41
#define NR_MKNOD   133
#define NR_MKNODAT 259

/* uapi constants (#defines vmlinux.h cannot carry) */
#define AF_PACKET      17
#define SOCK_RAW       3
#define SOCK_TYPE_MASK 0xf
#define S_IFMT	       00170000
#define S_IFBLK	       0060000
#define S_IFCHR	       0020000

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BH_ADVISE_CGROUPS);
	__type(key, __u64);
	__type(value, struct bh_advise_rec);
} bh_advise SEC(".maps");

/* What the call's register arguments say about the capabilities it needs. */
static __always_inline __u64 derived_flags(struct pt_regs___x86 *r, __u32 nr)
{
	__u32 mode;

	if (nr == NR_SOCKET) {
		__u32 domain = r->di, type = r->si & SOCK_TYPE_MASK;

		if (domain == AF_PACKET)
			return BH_ADVISE_PACKET_SOCKET;
		if ((domain == AF_INET || domain == AF_INET6) && type == SOCK_RAW)
			return BH_ADVISE_RAW_SOCKET;
		return 0;
	}
	if (nr != NR_MKNOD && nr != NR_MKNODAT)
		return 0;
	mode = (nr == NR_MKNOD ? r->si : r->dx) & S_IFMT;
	return mode == S_IFCHR || mode == S_IFBLK ? BH_ADVISE_MKNOD_DEVICE : 0;
}

/*
 * Every syscall of the node passes here while advising: one hash lookup on the
 * current cgroup id, and a miss ends it. A thread group the runtime is still
 * setting up (runc init, before the workload's exec: setup.bpf.h) is left out:
 * its mounts and pivot_root are the runtime's, not the workload's.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(bh_advise_sys_enter, struct pt_regs *regs, long id)
{
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	struct bh_advise_rec *rec;
	__u32 nr = id, word;

	rec = bpf_map_lookup_elem(&bh_advise, &cgroup_id);
	if (!rec || bh_setup_of(bh_current()))
		return 0;
	if (bh_x86_ia32_syscall(bh_current()) || (nr & BH_X32_SYSCALL_BIT)) {
		__sync_fetch_and_or(&rec->flags, BH_ADVISE_COMPAT);
		return 0;
	}
	if (nr >= BH_ADVISE_NR_MAX) {
		__sync_fetch_and_or(&rec->flags, BH_ADVISE_NR_HIGH);
		return 0;
	}
	/* the mask repeats the bound for the verifier (the compiler drops the compare's) */
	word = (nr / 64) & (BH_ADVISE_WORDS - 1);
	/* a bit already set costs a load, not a locked write on a shared cache line */
	if (!(rec->calls[word] & (1ULL << (nr % 64))))
		__sync_fetch_and_or(&rec->calls[word], 1ULL << (nr % 64));
	if (nr == NR_SOCKET || nr == NR_MKNOD || nr == NR_MKNODAT) {
		__u64 f = derived_flags((struct pt_regs___x86 *)regs, nr);

		if (f)
			__sync_fetch_and_or(&rec->flags, f);
	}
	return 0;
}

/*
 * A container started (or restarted) while advising gets a new cgroup before
 * its first task joins it: every new cgroup v2 is added here, in the kernel,
 * so the workload's first calls are recorded whatever user space's delay; user
 * space then keeps the advised container's and deletes the others'.
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(bh_advise_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct bh_advise_rec zero = {};
	__u64 cgroup_id;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	bpf_map_update_elem(&bh_advise, &cgroup_id, &zero, BPF_NOEXIST);
	return 0;
}
