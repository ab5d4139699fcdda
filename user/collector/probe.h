/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * probe.h - what the kernel and our privileges allow, asked before anything is loaded:
 * capabilities, BTF, the BPF ring buffer, tracefs and the programs' attach points. The
 * loader stops on a gap; `bulkhead doctor` reports every one.
 */
#ifndef BULKHEAD_PROBE_H
#define BULKHEAD_PROBE_H

#include <linux/capability.h>
#include <linux/types.h>

/* Not in every libc's headers yet (capability numbers are ABI). */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct btf;

/* The oldest kernel with every BPF feature the programs use (bpf_task_pt_regs: 5.15). */
#define BH_MIN_KERNEL  "5.15"
#define BH_VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* What a probe found missing and what to do about it, in words a user can act on. */
struct bh_probe_gap {
	char why[256];
	char fix[256];
};

/*
 * Each 0, or -errno with *gap filled: root or CAP_BPF + CAP_PERFMON, the kernel's
 * BTF at path (NULL: BH_VMLINUX_BTF), the BPF ring buffer, tracefs (mounted here
 * when nobody did).
 */
int bh_probe_privileges(struct bh_probe_gap *gap);
int bh_probe_btf(const char *path, struct bh_probe_gap *gap);
int bh_probe_ringbuf(struct bh_probe_gap *gap);
int bh_probe_tracefs(struct bh_probe_gap *gap);

/* This process's effective capabilities, a mask of (1 << CAP_*); 0 or -errno. */
int bh_probe_caps(__u64 *effective);

/*
 * Whether the kernel has a program section's attach point: "tp/<category>/<name>"
 * in tracefs, "tp_btf/<name>" in the kernel's types btf. 1 or 0; -EINVAL for
 * another section, or a tp_btf one without btf.
 */
int bh_probe_attach_point(const char *sec, const struct btf *btf);

#endif
