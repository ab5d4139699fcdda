// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup.bpf.c - cgroup creation records: the id -> path memory of short-lived containers. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Every cgroup creation, in every hierarchy: user space may read a container's
 * first records after runc has already removed its cgroup, when the id no
 * longer resolves through a file handle or /proc. The creator is runc, systemd
 * or dockerd, never a container, so neither the default-mode filters nor
 * the host-cgroup map apply; only the agent's own mkdirs are left out, and
 * hierarchies user space does not follow (each record costs ring space a
 * container's first events need).
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(bh_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct task_struct *task = bh_current();
	struct bh_cgroup_rec *e;
	struct bh_scratch *s;
	__u32 off, hier;

	if (bh_is_self())
		return 0;
	/* the cgroup v2 hierarchy is 0; v1 hierarchies are numbered from 1 */
	hier = BPF_CORE_READ(cgrp, root, hierarchy_id);
	if (hier != 0 && (v1_hierarchy_id < 0 || hier != (__u32)v1_hierarchy_id))
		return 0;
	s = bh_scratch_get();
	if (!s)
		return 0;
	e = (struct bh_cgroup_rec *)s->rec;
	off = bh_begin(s, task, BH_EV_CGROUP, sizeof(*e), 0);
	e->id = BPF_CORE_READ(cgrp, kn, id);
	e->hierarchy_id = hier;
	e->level = BPF_CORE_READ(cgrp, level);
	off = bh_tail_str(s, off, path, BH_PATH_MAX, false, &e->path_len, BH_TRUNC_STR0,
			  BH_READ_CGROUP_PATH);
	bh_output(s, off);
	return 0;
}
