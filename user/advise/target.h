/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * target.h - which cgroups `bulkhead advise` records: those of one container (by name or
 * id) or of every container of an image, including the ones created while it advises.
 */
#ifndef BULKHEAD_ADVISE_TARGET_H
#define BULKHEAD_ADVISE_TARGET_H

#include <stdbool.h>
#include <linux/types.h>

#include "container/cgroup.h"
#include "container/container.h"

#define BH_TARGET_CGROUPS 256

struct bh_target_cgroup {
	__u64 id;
	bool advised;	 /* a cgroup of the target; else a cgroup to leave alone */
	bool state_read; /* its root mount and network were read from one of its processes */
	char path[256];	 /* its path in the cgroup v2 hierarchy */
	char upper[512]; /* its root's overlay upper dir, "" when not found */
};

struct bh_target {
	const char *container; /* the name or id asked for, or NULL */
	const char *image;     /* or the image */
	const char *docker_socket;
	char container_id[BH_CONTAINER_ID_LEN + 1]; /* once docker knows the container */
	struct bh_cgroups cg;
	struct bh_target_cgroup cgroups[BH_TARGET_CGROUPS]; /* judged cgroups */
	int n_cgroups;
	/* containers judged by image: id and verdict */
	struct {
		char id[BH_CONTAINER_ID_LEN + 1];
		bool match;
	} seen[BH_TARGET_CGROUPS];
	int n_seen;
};

/* Opens the cgroup hierarchies. 0 or -errno (logged). */
int bh_target_open(struct bh_target *t);
void bh_target_close(struct bh_target *t);

/* Asks docker for the container's id (it may not exist yet: -ENOENT). 0 or -errno. */
int bh_target_lookup(struct bh_target *t);

/*
 * Judges a cgroup by its id (once; later calls answer from memory): a cgroup of
 * the target or not. NULL when the cgroup is gone or holds no container.
 */
struct bh_target_cgroup *bh_target_judge(struct bh_target *t, __u64 cgroup_id);

/* The judged cgroup with this id, NULL when not judged yet. */
struct bh_target_cgroup *bh_target_find(struct bh_target *t, __u64 cgroup_id);

/* Calls fn for each existing cgroup of the target (a running container). */
void bh_target_scan(struct bh_target *t, void (*fn)(__u64 cgroup_id, void *ctx), void *ctx);

#endif
