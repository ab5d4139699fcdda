/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* args.bpf.h - what a sys_enter saves for its sys_exit, in the thread's own storage. */
#ifndef BULKHEAD_ARGS_BPF_H
#define BULKHEAD_ARGS_BPF_H

#include "common.bpf.h"
#include "maps.bpf.h"
#include "emit.bpf.h"

/*
 * The current thread's slot, created on its first use, marked for kind. The
 * slot is reused, so the caller sets every field the exit reads. NULL (counted)
 * when no memory is left or the storage is busy in a nested program.
 */
static __always_inline struct bh_sys_args *bh_args_save(__u32 kind)
{
	struct bh_sys_args *a;

	a = bpf_task_storage_get(&bh_sys_args, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!a) {
		bh_count(BH_CNT_ARGS_LOST);
		return NULL;
	}
	a->kind = kind;
	return a;
}

/*
 * What the current thread's matching entry saved, or NULL: the entry was
 * filtered out, or belonged to another syscall. Taking it clears the mark, so a
 * stale slot is never read twice.
 */
static __always_inline struct bh_sys_args *bh_args_take(__u32 kind)
{
	struct bh_sys_args *a =
		bpf_task_storage_get(&bh_sys_args, bpf_get_current_task_btf(), 0, 0);

	if (!a || a->kind != kind)
		return NULL;
	a->kind = BH_SYS_NONE;
	return a;
}

#endif /* BULKHEAD_ARGS_BPF_H */
