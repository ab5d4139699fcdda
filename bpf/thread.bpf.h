/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* thread.bpf.h - what bulkhead keeps per thread: the exec snapshot and the last capability sets. */
#ifndef BULKHEAD_THREAD_BPF_H
#define BULKHEAD_THREAD_BPF_H

#include "common.bpf.h"
#include "maps.bpf.h"
#include "emit.bpf.h"

/*
 * The task's state, created on first use when create is set. NULL (counted as
 * args_lost when creating) when no memory is left or the storage is busy in a
 * nested program.
 */
static __always_inline struct bh_thread *bh_thread_get(struct task_struct *task, bool create)
{
	struct bh_thread *t;

	t = bpf_task_storage_get(&bh_threads, task, 0, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!t && create)
		bh_count(BH_CNT_ARGS_LOST);
	return t;
}

/* Remembers the thread's sets as they are now: the "before" of its next capset. */
static __always_inline void bh_thread_set_caps(struct bh_thread *t, __u64 effective,
					       __u64 permitted, __u64 inheritable)
{
	t->caps.effective = effective;
	t->caps.permitted = permitted;
	t->caps.inheritable = inheritable;
	t->caps_known = 1;
}

#endif /* BULKHEAD_THREAD_BPF_H */
