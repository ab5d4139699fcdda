/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* loader.h - probe the kernel, then open, configure, load and attach the BPF programs. */
#ifndef BULKHEAD_LOADER_H
#define BULKHEAD_LOADER_H

#include <stddef.h>
#include <linux/types.h>

#include "events.h"

struct bh_loader_opts {
	__u32 self_tgid;		/* events of this process are dropped in the kernel (0: none) */
	__u32 host_ns[BH_NS_KINDS];	/* the host's namespace inodes (bh_host_namespaces) */
	const char *v1_controller;	/* cgroup v1 controller for hdr.cgroup_v1_id, NULL: none */
	size_t ringbuf_bytes;		/* 0: default (8 MiB); a power of two */
};

struct bh_loader;

/*
 * Checks privileges and kernel features, loads and attaches every program.
 * On failure logs one message naming the cause and the fix, returns -errno.
 */
int bh_loader_start(const struct bh_loader_opts *opts, struct bh_loader **out);
/* Detaches and frees everything. */
void bh_loader_stop(struct bh_loader *l);

/* The BPF ring buffer map's fd, for ring_buffer__new(). */
int bh_loader_events_fd(const struct bh_loader *l);
/* Number of attached programs. */
int bh_loader_attached(const struct bh_loader *l);

/* Sums the per-CPU counters into *sum; per_cpu (may be NULL) gets ncpus entries. */
int bh_loader_counters(const struct bh_loader *l, struct bh_counters *sum,
		       struct bh_counters *per_cpu, int ncpus);

/* The host's namespace inodes, read from a kernel thread (/proc/2/ns). */
int bh_host_namespaces(__u32 ns[BH_NS_KINDS]);

#endif
