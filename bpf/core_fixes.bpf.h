/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* core_fixes.bpf.h - CO-RE flavours for kernel types that changed shape, one per change. */
#ifndef BULKHEAD_CORE_FIXES_BPF_H
#define BULKHEAD_CORE_FIXES_BPF_H

#include "common.bpf.h"

/*
 * kernel_cap_t was `struct kernel_cap_struct { __u32 cap[2]; }` until Linux 6.3;
 * commit f122a08b197d ("capability: just use a 'u64' instead of a 'u32[2]' array")
 * made it an anonymous `struct { u64 val; }`. The ___pre63 flavour matches the
 * old named struct; bpf_core_type_exists() picks the branch at load time and
 * libbpf poisons the other one.
 */
struct kernel_cap_struct___pre63 {
	__u32 cap[2];
} __attribute__((preserve_access_index));

struct cred___pre63 {
	struct kernel_cap_struct___pre63 cap_inheritable;
	struct kernel_cap_struct___pre63 cap_permitted;
	struct kernel_cap_struct___pre63 cap_effective;
} __attribute__((preserve_access_index));

enum bh_capset_kind {
	BH_CAP_EFFECTIVE,
	BH_CAP_PERMITTED,
	BH_CAP_INHERITABLE,
};

static __always_inline __u64 bh_cap_pre63(const struct kernel_cap_struct___pre63 *c)
{
	return (__u64)BPF_CORE_READ(c, cap[0]) | ((__u64)BPF_CORE_READ(c, cap[1]) << 32);
}

static __always_inline __u64 bh_cred_caps(const struct cred *cred, enum bh_capset_kind kind)
{
	if (bpf_core_type_exists(struct kernel_cap_struct___pre63)) {
		const struct cred___pre63 *old = (const void *)cred;

		switch (kind) {
		case BH_CAP_EFFECTIVE:
			return bh_cap_pre63(&old->cap_effective);
		case BH_CAP_PERMITTED:
			return bh_cap_pre63(&old->cap_permitted);
		default:
			return bh_cap_pre63(&old->cap_inheritable);
		}
	}
	switch (kind) {
	case BH_CAP_EFFECTIVE:
		return BPF_CORE_READ(cred, cap_effective.val);
	case BH_CAP_PERMITTED:
		return BPF_CORE_READ(cred, cap_permitted.val);
	default:
		return BPF_CORE_READ(cred, cap_inheritable.val);
	}
}

/*
 * Time namespaces arrived in Linux 5.6 (commit 769071ac9f20 "ns: Introduce Time
 * Namespace"); on older kernels nsproxy has no time_ns_for_children and the
 * inode reads as 0.
 */
static __always_inline __u32 bh_time_ns_for_children(const struct nsproxy *nsp)
{
	if (!bpf_core_field_exists(nsp->time_ns_for_children))
		return 0;
	return BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
}

#endif /* BULKHEAD_CORE_FIXES_BPF_H */
