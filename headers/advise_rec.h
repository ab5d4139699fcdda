/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* advise_rec.h - the kernel <-> user space ABI of the syscall recorder (bpf/advise.bpf.c). */
#ifndef BULKHEAD_ADVISE_REC_H
#define BULKHEAD_ADVISE_REC_H

#ifndef __KERNEL__
#include <linux/types.h>
#endif

/* Native syscall numbers below this one are recorded (x86-64's x32 numbers start at 512). */
#define BH_ADVISE_NR_MAX  512
#define BH_ADVISE_WORDS	  (BH_ADVISE_NR_MAX / 64)
#define BH_ADVISE_CGROUPS 1024

/* What the recorder derives in the kernel from a call's register arguments (no user memory). */
enum bh_advise_flag {
	BH_ADVISE_RAW_SOCKET = 1 << 0,	  /* socket(AF_INET/AF_INET6, SOCK_RAW) */
	BH_ADVISE_PACKET_SOCKET = 1 << 1, /* socket(AF_PACKET, ...) */
	BH_ADVISE_MKNOD_DEVICE = 1 << 2,  /* mknod/mknodat of a character or block device */
	BH_ADVISE_COMPAT = 1 << 3,	  /* an ia32 or x32 call: not in the bitmap */
	BH_ADVISE_NR_HIGH = 1 << 4,	  /* a native number >= BH_ADVISE_NR_MAX */
};

/*
 * Value of the map "bh_advise", keyed by cgroup v2 id: the syscalls the
 * cgroup's tasks entered (bit nr of calls[nr / 64]) since it was added, and
 * flags. Only the kernel writes a value (user space adds and deletes keys).
 */
struct bh_advise_rec {
	__u64 calls[BH_ADVISE_WORDS];
	__u64 flags; /* enum bh_advise_flag bits (64 bits: BPF's atomic or) */
};

#endif /* BULKHEAD_ADVISE_REC_H */
