/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* cgroup.h - cgroup hierarchies of the host: find them, turn ids into paths, walk them. */
#ifndef BULKHEAD_CGROUP_H
#define BULKHEAD_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "core/hashtab.h"

/* One mounted cgroup hierarchy (the cgroup2 tree, or the chosen v1 controller's). */
struct bh_cgroup_hier {
	int fd;	       /* O_DIRECTORY fd of the mount point, -1 when absent */
	char *mnt;     /* mount point in our mount namespace ("/sys/fs/cgroup/unified") */
	char *root;    /* the mount's root inside the hierarchy ("/" unless cgroupns'd) */
	__u64 root_id; /* cgroup id of the mount point itself */
};

struct bh_cgroups {
	struct bh_cgroup_hier v2;
	struct bh_cgroup_hier v1;
	const char *v1_controller; /* static string, NULL when there is no v1 hierarchy */
	int v1_hierarchy_id;	   /* the v1 hierarchy's id (/proc/self/cgroup), -1: unknown */
};

/*
 * Finds the cgroup2 mount and the preferred v1 controller's mount in
 * /proc/self/mountinfo, preferring mounts under host_root when one is given.
 * Returns 0 (at least one hierarchy found) or a negative errno, logged.
 */
int bh_cgroups_open(struct bh_cgroups *cg, const char *host_root);
void bh_cgroups_close(struct bh_cgroups *cg);

/*
 * The hierarchy path ("/docker/<id>") of the cgroup with this id, through a
 * kernfs file handle. Returns 0, -ESTALE when no such cgroup exists now, or
 * another negative errno.
 */
int bh_cgroup_id_path(const struct bh_cgroup_hier *h, __u64 id, char *buf, size_t len);

/* 0 when the cgroup with this id exists, else a negative errno (-ESTALE: gone). */
int bh_cgroup_id_exists(const struct bh_cgroup_hier *h, __u64 id);

/* 0 when the cgroup at this hierarchy path exists, else a negative errno. */
int bh_cgroup_path_exists(const struct bh_cgroup_hier *h, const char *path);

/*
 * 1 when a process lives in the cgroup at this hierarchy path (v2: in it or
 * below, cgroup.events; v1: in it, cgroup.procs), 0 when none does, else a
 * negative errno.
 */
int bh_cgroup_path_populated(const struct bh_cgroup_hier *h, const char *path);

/*
 * The task's cgroup path from <procfs>/<tgid>/cgroup: the unified line when
 * controller is NULL, else the line of that v1 controller. procfs must show the
 * host's pids (bh_host_procfs), which records carry.
 */
int bh_cgroup_proc_path(const char *procfs, __u32 tgid, const char *controller, char *buf,
			size_t len);

/*
 * This process's cgroup v2 id (0 if unknown), so that the rules exempt bulkhead's own
 * container. /proc/self/cgroup names it relative to our cgroup namespace ("/" in a
 * private one): the id comes from a cgroup2 mount of our own, whose root is that
 * namespace's, else from the path under the host root's cgroup mount.
 */
__u64 bh_cgroup_self_v2_id(const char *host_root);

/*
 * A procfs that shows the host's pids: <host_root>/proc when a procfs is mounted there,
 * else /proc when this process is in the host's pid namespace (hostPID). Returns 0
 * with buf set, or -ENOENT when neither is.
 */
int bh_host_procfs(const char *host_root, char *buf, size_t len);

/*
 * The id of the v1 hierarchy a controller is in: the first field of its line in
 * /proc/self/cgroup (ids are global, whatever our cgroup namespace). -1: none.
 */
int bh_cgroup_v1_hierarchy_id(const char *controller);

/* Calls fn for every cgroup directory under the hierarchy (path as above, and its id). */
int bh_cgroup_walk(const struct bh_cgroup_hier *h,
		   void (*fn)(const char *path, __u64 id, void *ctx), void *ctx);

/*
 * cgroup id -> hierarchy path, as the kernel named each cgroup at creation: the
 * memory of cgroups that may be gone before a record of theirs is read. Bounded;
 * the oldest entry makes room for a new one.
 */
struct bh_cgroup_note {
	__u64 id;
	__u32 hierarchy_id;
	char *path; /* NULL: free slot */
};

struct bh_cgroup_notes {
	struct bh_cgroup_note *slots; /* a ring, in the order the notes came */
	struct bh_hashtab index;      /* (hierarchy, cgroup id) -> the index of its slot */
	size_t cap;
	size_t head; /* the next slot to fill, the oldest entry when full */
};

/* Returns 0 or -ENOMEM. */
int bh_cgroup_notes_init(struct bh_cgroup_notes *n, size_t cap);
void bh_cgroup_notes_fini(struct bh_cgroup_notes *n);
/* Remembers the path (len bytes, no NUL needed) of a cgroup; 0 or -ENOMEM. */
int bh_cgroup_notes_put(struct bh_cgroup_notes *n, __u32 hierarchy_id, __u64 id, const char *path,
			size_t len);
/* The remembered path of a cgroup, or NULL. */
const char *bh_cgroup_notes_get(const struct bh_cgroup_notes *n, __u32 hierarchy_id, __u64 id);

#endif
