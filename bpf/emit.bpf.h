/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* emit.bpf.h - record header, tail strings, ring buffer output and the loss counters. */
#ifndef BULKHEAD_EMIT_BPF_H
#define BULKHEAD_EMIT_BPF_H

#include "common.bpf.h"
#include "core_fixes.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"

/* Tail offsets are masked with this: records never reach it, the verifier needs the bound. */
#define BH_OFF_MASK (BH_RECORD_MAX - 1)

enum bh_counter {
	BH_CNT_DROPS,
	BH_CNT_EMITTED,
	BH_CNT_ARGS_LOST,
	BH_CNT_COMPAT_CALLS,
};

static __always_inline void bh_count(enum bh_counter which)
{
	__u32 zero = 0;
	struct bh_counters *c = bpf_map_lookup_elem(&bh_counters, &zero);

	if (!c)
		return;
	/* per-CPU value, and programs do not nest on one CPU: no atomics needed */
	switch (which) {
	case BH_CNT_DROPS:
		c->drops++;
		break;
	case BH_CNT_EMITTED:
		c->emitted++;
		break;
	case BH_CNT_ARGS_LOST:
		c->args_lost++;
		break;
	case BH_CNT_COMPAT_CALLS:
		c->compat_calls++;
		break;
	}
}

/* A read at site failed and left its field empty (per CPU, as bh_count()). */
static __always_inline void bh_read_error(enum bh_read_site site)
{
	__u32 key = site;
	__u64 *n = bpf_map_lookup_elem(&bh_read_errors, &key);

	if (n)
		(*n)++;
}

/* True when the current task belongs to the agent itself: its own calls are never judged. */
static __always_inline bool bh_is_self(void)
{
	return self_tgid && (__u32)(bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

static __always_inline struct bh_scratch *bh_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bh_scratch, &zero);
}

/*
 * Filters (default mode): a record type in filter_mask is emitted only when a
 * rule could use it; with every event selected for output the mask is 0 and the
 * verifier drops the checks.
 */
static __always_inline bool bh_filtered(__u32 type)
{
	return filter_mask & (1U << type);
}

/*
 * True when the task lives in the initial pid namespace. One of a container's pid
 * namespace is the container's whatever its cgroup: it may have moved itself out of it
 * (user space attributes it by its namespaces). The mount namespace is not asked: host
 * services and tools run in private ones (systemd's PrivateTmp, unshare -m), and their
 * calls must stay in the kernel. Unknown (0) matches nothing.
 */
static __always_inline bool bh_host_pid_ns(struct task_struct *task)
{
	return host_ns[BH_NS_PID] && bh_task_pid_ns(task) == host_ns[BH_NS_PID];
}

/*
 * True when the task's cgroup was found by user space to hold no container and the
 * task lives in the host's pid namespace: the rules on setns, mount, capset and
 * connect judge containers only, and on exec judge only a few host programs
 * (bh_host_programs).
 */
static __always_inline bool bh_host_task(__u32 type, struct task_struct *task)
{
	struct bh_cgroup_key k;
	struct bh_scratch *s;

	if (!bh_filtered(type) || !bh_host_pid_ns(task))
		return false;
	s = bh_scratch_get();
	k.cgroup_id = bh_task_cgroup_id(task);
	k.cgroup_v1_id = bh_task_cgroup_v1_id(task);
	/*
	 * A storm comes from one cgroup: this CPU's last host cgroup saves the
	 * hash. Caching the verdict is safe: a cgroup id is never reused, and a
	 * cgroup named a host one stays one.
	 */
	if (s && s->last_host.cgroup_id == k.cgroup_id &&
	    s->last_host.cgroup_v1_id == k.cgroup_v1_id)
		return true;
	if (!bpf_map_lookup_elem(&bh_host_cgroups, &k))
		return false;
	if (s)
		s->last_host = k;
	return true;
}

/* A BTF pointer: fields can be loaded directly, and helpers that take a task accept it. */
static __always_inline struct task_struct *bh_current(void)
{
	return bpf_get_current_task_btf();
}

/* The runtime set-up mark of the task's thread group (setup.bpf.h), or NULL. */
static __always_inline struct bh_setup *bh_setup_of(struct task_struct *task)
{
	return bpf_task_storage_get(&bh_setups, task->group_leader, 0, 0);
}

/* Fills the common header from the current task, read after the kernel acted. */
static __always_inline void bh_fill_hdr(struct bh_hdr *h, struct task_struct *task, __u32 type,
					__s32 ret)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	h->ts_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = bh_task_cgroup_id(task);
	h->cgroup_v1_id = bh_task_cgroup_v1_id(task);
	h->cap_effective = bh_cred_caps(cred, BH_CAP_EFFECTIVE);
	h->type = type;
	h->size = 0;
	h->pid = (__u32)pid_tgid;
	h->tgid = pid_tgid >> 32;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = BPF_CORE_READ(cred, uid.val);
	h->euid = BPF_CORE_READ(cred, euid.val);
	h->pid_ns = bh_task_pid_ns(task);
	h->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	h->net_ns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	h->ret = ret;
	h->exe_len = 0;
	h->trunc = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	h->flags = bh_setup_of(task) ? BH_HDR_RUNTIME_SETUP : 0;
}

/* Stores a freshly walked exe path for the current thread group. */
static __always_inline struct bh_exe_entry *bh_exe_refresh(struct task_struct *task,
							   struct bh_scratch *s, __u32 tgid)
{
	bh_exe_walk(task, s, &s->exe);
	bpf_map_update_elem(&bh_exe_cache, &tgid, &s->exe, BPF_ANY);
	return &s->exe;
}

/* Appends the exe path (cached per tgid, walked on a miss) at off; returns the new offset. */
static __always_inline __u32 bh_tail_exe(struct bh_scratch *s, struct task_struct *task, __u32 off)
{
	struct bh_hdr *h = (struct bh_hdr *)s->rec;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct bh_exe_entry *e = bpf_map_lookup_elem(&bh_exe_cache, &tgid);
	__u32 len;

	if (!e)
		e = bh_exe_refresh(task, s, tgid);
	len = e->len;
	if (len > BH_EXE_MAX)
		len = BH_EXE_MAX;
	if (bpf_probe_read_kernel(&s->rec[off & BH_OFF_MASK], len, e->path)) {
		bh_read_error(BH_READ_EXE);
		len = 0;
	}
	h->exe_len = len;
	h->trunc |= e->trunc;
	return off + len;
}

/*
 * Appends a NUL-terminated string of at most max bytes at off, from user or
 * kernel memory, and stores its length (without NUL) in *len. Reading max + 2
 * bytes tells a string of exactly max bytes from a longer one, which is cut and
 * sets trunc_bit. A NULL src is an absent argument, not an error; a failed
 * read is counted at site.
 */
static __always_inline __u32 bh_tail_str(struct bh_scratch *s, __u32 off, const void *src,
					 __u32 max, bool user, __u16 *len, __u16 trunc_bit,
					 enum bh_read_site site)
{
	struct bh_hdr *h = (struct bh_hdr *)s->rec;
	void *dst = &s->rec[off & BH_OFF_MASK];
	long n;

	*len = 0;
	if (!src)
		return off;
	if (user)
		n = bpf_probe_read_user_str(dst, max + 2, src);
	else
		n = bpf_probe_read_kernel_str(dst, max + 2, src);
	if (n <= 0) {
		bh_read_error(site);
		return off;
	}
	n--; /* the NUL */
	if (n > max) {
		n = max;
		h->trunc |= trunc_bit;
	}
	*len = n;
	return off + n;
}

/*
 * Waking the consumer costs an irq_work IPI per record (4 us of a 0.4 us hook in
 * a VM), so with wakeup_ns set a CPU wakes the consumer at most once per
 * wakeup_ns, forces a wake-up when the ring crosses wakeup_bytes, and otherwise
 * adds silently. The once-per-interval wake-up is forced: the kernel's adaptive
 * one (flags 0) is skipped when the ring is not empty, and a silent record after
 * such a skipped wake-up could then wait for the consumer's next timer tick. The
 * consumer must not sleep longer than wakeup_ns after a poll that found records
 * (see loader.h): every record is either woken for or seen by that bounded poll.
 */
static __always_inline __u64 bh_wakeup_flags(struct bh_scratch *s, __u64 now, __u32 size)
{
	__u64 avail;

	if (!wakeup_ns)
		return 0;
	if (now - s->last_wakeup_ns >= wakeup_ns) {
		s->last_wakeup_ns = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (avail < wakeup_bytes && avail + size >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* Sends the record of size bytes; a full ring buffer is counted, never silent. */
static __always_inline void bh_output(struct bh_scratch *s, __u32 size)
{
	struct bh_hdr *h = (struct bh_hdr *)s->rec;

	if (size > BH_RECORD_MAX) {
		bh_count(BH_CNT_DROPS); /* cannot happen with the bounds above */
		return;
	}
	h->size = size;
	if (bpf_ringbuf_output(&events, s->rec, size, bh_wakeup_flags(s, h->ts_ns, size)))
		bh_count(BH_CNT_DROPS);
	else
		bh_count(BH_CNT_EMITTED);
}

/*
 * Starts a record of the given fixed size: zeroed fixed part (the scratch is
 * reused, and padding must not leak old bytes), header, then the exe path.
 * Returns the offset of the type's first tail string.
 */
static __always_inline __u32 bh_begin(struct bh_scratch *s, struct task_struct *task, __u32 type,
				      __u32 fixed, __s32 ret)
{
	__builtin_memset(s->rec, 0, fixed);
	bh_fill_hdr((struct bh_hdr *)s->rec, task, type, ret);
	return bh_tail_exe(s, task, fixed);
}

#endif /* BULKHEAD_EMIT_BPF_H */
