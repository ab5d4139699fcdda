/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* task.bpf.h - pure extractors of task state: credentials, namespaces, cgroups, exe path. */
#ifndef BULKHEAD_TASK_BPF_H
#define BULKHEAD_TASK_BPF_H

#include "common.bpf.h"
#include "core_fixes.bpf.h"
#include "maps.bpf.h"

/* Path components walked for the exe path: deeper paths are cut (BH_TRUNC_EXE). */
#define BH_PATH_DEPTH 32
#define BH_NAME_MASK  255 /* NAME_MAX: a dentry name is at most 255 bytes */

/* The inode of the pid namespace the task itself lives in (not pid_for_children). */
static __always_inline __u32 bh_task_pid_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level;
	struct upid up;

	if (!pid)
		return 0;
	level = BPF_CORE_READ(pid, level);
	if (bpf_core_read(&up, sizeof(up), &pid->numbers[level]))
		return 0;
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* All namespace inodes of the task, indexed by enum bh_ns_kind. */
static __always_inline void bh_task_ns(struct task_struct *task, __u32 ns[BH_NS_KINDS])
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);

	ns[BH_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	ns[BH_NS_PID] = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	ns[BH_NS_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
	ns[BH_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	ns[BH_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	ns[BH_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	ns[BH_NS_USER] = BPF_CORE_READ(task, cred, user_ns, ns.inum);
	ns[BH_NS_TIME] = bh_time_ns_for_children(nsp);
}

/* kernfs id of the task's cgroup v2 cgroup (bpf_get_current_cgroup_id()), by plain loads. */
static __always_inline __u64 bh_task_cgroup_id(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp->kn->id;
}

/*
 * kernfs id of the task's cgroup in the v1 hierarchy of subsystem v1_subsys_id.
 * The index is bound-checked against the kernel's css_set->subsys[] size, which
 * CO-RE reads from the running kernel's BTF (CGROUP_SUBSYS_COUNT varies by config).
 */
static __always_inline __u64 bh_task_cgroup_v1_id(struct task_struct *task)
{
	struct cgroup_subsys_state *css;
	int id = v1_subsys_id;

	if (id < 0 || id >= bpf_core_field_size(struct css_set, subsys) / sizeof(void *))
		return 0;
	/* plain loads through the BTF pointer: no helper call per hop (every hooked syscall) */
	css = task->cgroups->subsys[id];
	return css ? css->cgroup->kn->id : 0;
}

#define BH_S_IFMT   00170000
#define BH_S_IFSOCK 0140000

/* The file behind a file descriptor of the task, or NULL. */
static __always_inline struct file *bh_fd_file(struct task_struct *task, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_core_read(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/*
 * The socket behind a file descriptor of the task, or NULL. The inode mode
 * proves the file is a socket before private_data is taken for a struct socket,
 * as sock_from_file() does.
 */
static __always_inline struct socket *bh_fd_socket(struct task_struct *task, int fd)
{
	struct file *file = bh_fd_file(task, fd);

	if (!file || (BPF_CORE_READ(file, f_inode, i_mode) & BH_S_IFMT) != BH_S_IFSOCK)
		return NULL;
	return BPF_CORE_READ(file, private_data);
}

/* struct mount embeds the vfsmount a path points at; its offset is relocated by CO-RE. */
static __always_inline struct mount *bh_real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

#define BH_DELETED     " (deleted)"
#define BH_DELETED_LEN (sizeof(BH_DELETED) - 1)

/*
 * Prepends "/" and the dentry's name at *pos (right to left in s->path, which
 * ends at BH_EXE_MAX). False when the name does not fit: the path is cut there.
 */
static __always_inline bool bh_prepend_name(struct bh_scratch *s, __u64 *pos, struct dentry *dentry)
{
	__u64 nlen = BPF_CORE_READ(dentry, d_name.len); /* 64-bit: keeps the bounds */
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);

	if (nlen + 1 > *pos)
		return false;
	/*
	 * The mask changes nothing (pos < BH_EXE_MAX here) but gives pos the same
	 * range after every component, so the verifier prunes instead of exploring
	 * each path through the loop.
	 */
	*pos = (*pos - nlen - 1) & (BH_EXE_MAX - 1);
	s->path[*pos] = '/';
	bpf_probe_read_kernel(&s->path[*pos + 1], nlen & BH_NAME_MASK, name);
	return true;
}

/*
 * Builds the path of the task's mm->exe_file as seen from the task's root
 * (fs->root), like d_path(): walk dentries up, and at a mount's root continue
 * from its mountpoint in the parent mount. The path is written right to left
 * into s->path ending at BH_EXE_MAX, then copied into e. A path with more than
 * BH_PATH_DEPTH components or BH_EXE_MAX bytes keeps its last components and
 * sets BH_TRUNC_EXE. A file outside the task's root (unreachable) is named from
 * the global root, as d_path() does for a file beyond a chroot. A file whose
 * dentry is its own parent without being a mount root is a pseudo file on an
 * internal mount (a memfd, as runc runs from): it is named by its dentry, as
 * simple_dname() does ("/memfd:runc_cloned:/proc/self/exe (deleted)"). An
 * unlinked file (unhashed dentry, pseudo files included) gets " (deleted)".
 */
static __always_inline void bh_exe_walk(struct task_struct *task, struct bh_scratch *s,
					struct bh_exe_entry *e)
{
	struct file *file = BPF_CORE_READ(task, mm, exe_file);
	struct dentry *dentry, *root_dentry, *parent, *mnt_root;
	struct vfsmount *vfsmnt, *root_mnt;
	struct mount *mnt, *mnt_parent;
	__u64 pos = BH_EXE_MAX, end = BH_EXE_MAX, nlen;
	bool done = false;

	e->len = 0;
	e->trunc = 0;
	if (!file)
		return; /* kernel threads have no mm */
	dentry = BPF_CORE_READ(file, f_path.dentry);
	vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	mnt = bh_real_mount(vfsmnt);
	root_dentry = BPF_CORE_READ(task, fs, root.dentry);
	root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	/* d_unhashed(): d_delete() unhashed it, or it was never hashed (pseudo file) */
	if (!BPF_CORE_READ(dentry, d_hash.pprev) && dentry != BPF_CORE_READ(vfsmnt, mnt_root)) {
		pos = end = BH_EXE_MAX - BH_DELETED_LEN;
		__builtin_memcpy(&s->path[end], BH_DELETED, BH_DELETED_LEN);
	}

	for (int i = 0; i < BH_PATH_DEPTH; i++) {
		if (dentry == root_dentry && vfsmnt == root_mnt) {
			done = true;
			break;
		}
		mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		if (dentry == mnt_root) {
			mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
			if (mnt_parent == mnt) {
				done = true; /* the global root, or an internal mount's root */
				break;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			vfsmnt = (struct vfsmount *)((void *)mnt +
						     bpf_core_field_offset(struct mount, mnt));
			continue;
		}
		parent = BPF_CORE_READ(dentry, d_parent);
		if (!bh_prepend_name(s, &pos, dentry))
			break;
		if (parent == dentry) {
			done = true; /* a pseudo file, or the root of a detached tree */
			break;
		}
		dentry = parent;
	}
	if (!done)
		e->trunc = BH_TRUNC_EXE;
	if (pos == end) {
		/* the root itself */
		e->path[0] = '/';
		e->len = 1;
		return;
	}
	nlen = BH_EXE_MAX - pos;
	if (nlen > BH_EXE_MAX) /* cannot happen; bounds the copy for the verifier */
		nlen = BH_EXE_MAX;
	e->len = nlen;
	bpf_probe_read_kernel(e->path, nlen, &s->path[pos & (BH_EXE_MAX - 1)]);
}

#endif /* BULKHEAD_TASK_BPF_H */
