/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * loader.h - probe the kernel, then open, configure, load and attach the BPF programs.
 *
 * What the agent and the tests use, implemented by loader.c (the lifecycle), probe.c
 * (kernel features), knobs.c (set before load), filter_maps.c (the maps user space
 * writes) and kernel_stats.c (the BPF side's counters).
 */
#ifndef BULKHEAD_LOADER_H
#define BULKHEAD_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "compat.h"
#include "events.h"

struct bh_loader_opts {
	__u32 self_tgid;	    /* events of this process are dropped in the kernel (0: none) */
	__u32 host_ns[BH_NS_KINDS]; /* the host's namespace inodes (bh_host_namespaces) */
	const char *v1_controller;  /* cgroup v1 controller for hdr.cgroup_v1_id, NULL: none */
	size_t ringbuf_bytes;	    /* 0: default (8 MiB); a power of two */
	/*
	 * Bit (1 << BH_EV_*): records of that type no rule needs are dropped in
	 * the kernel (failed calls, setns not into a host namespace, capset that
	 * adds nothing, non-unix connects and unix peers that are no runtime
	 * socket, setns/mount/capset/connect of bh_loader_host_cgroup()s, and
	 * their execs of programs not in host_programs).
	 * The agent passes ~event_mask: every type printed raw is left whole.
	 */
	unsigned int filter_mask;
	/* NULL-terminated names of the programs whose host execs are judged */
	const char *const *host_programs;
	/*
	 * 0: the kernel wakes the consumer for every record that finds it idle
	 * (an IPI each, microseconds in a VM). Else at most one such wake-up per
	 * CPU per wakeup_us, plus one when the ring passes 1/8 full; the consumer
	 * must then follow the BH_POLL_MS rule below. BH_WAKEUP_US is the default.
	 */
	unsigned int wakeup_us;
	/* NULL: this machine's (bh_compat_facts_read()); tests pass recorded ones */
	const struct bh_compat_facts *compat_facts;
	/* load the syscall recorder (bpf/advise.bpf.c) too: `bulkhead advise` only */
	bool advise;
};

#define BH_WAKEUP_US 1000
/*
 * With wakeup_us set, records may sit in the ring without a wake-up. The
 * consumer loop must: after a ring_buffer__consume() that returned > 0, wait at
 * most BH_POLL_MS (epoll timeout) before consuming again; after one that
 * returned 0, it may wait without a timeout (the next record wakes it).
 * BH_POLL_MS must not be less than wakeup_us (ms) for that guarantee.
 */
#define BH_POLL_MS 2

struct bh_loader;

/*
 * Checks privileges and kernel features, loads and attaches every program.
 * On failure logs one message naming the cause and the fix, returns -errno.
 */
int bh_loader_start(const struct bh_loader_opts *opts, struct bh_loader **out);
/* Detaches and frees everything. */
void bh_loader_stop(struct bh_loader *l);

/*
 * Calls fn for every program the agent loads, by section ("tp/syscalls/sys_exit_mount"),
 * with what goes missing without it (NULL: the agent cannot run without it). Nothing is
 * loaded. Returns 0, or -errno when the embedded object cannot be opened.
 */
typedef void (*bh_loader_program_fn)(const char *sec, const char *loss, void *ctx);
int bh_loader_programs(bh_loader_program_fn fn, void *ctx);

/* The BPF ring buffer map's fd, for ring_buffer__new(). */
int bh_loader_events_fd(const struct bh_loader *l);
/* The recorder's map "bh_advise" (headers/advise.h), -1 unless loaded with opts.advise. */
int bh_loader_advise_fd(const struct bh_loader *l);
/* Number of attached programs. */
int bh_loader_attached(const struct bh_loader *l);

/*
 * Compat syscalls (compat.h): impossible here, watched by bpf/sys_exit.bpf.c, or
 * possible and not seen. Logged by bh_loader_start().
 */
enum bh_compat_state bh_loader_compat(const struct bh_loader *l);

/* Sums the per-CPU counters into *sum; per_cpu (may be NULL) gets ncpus entries. */
int bh_loader_counters(const struct bh_loader *l, struct bh_counters *sum,
		       struct bh_counters *per_cpu, int ncpus);

/* Failed kernel reads by enum bh_read_site (bh_read_site_name()), summed over CPUs. */
int bh_loader_read_errors(const struct bh_loader *l, __u64 sites[BH_READ_SITES]);

/*
 * The runtime API sockets of the policy (absolute globs or basenames, see
 * policy.h): unix connects to peers named otherwise are filtered. An entry
 * whose basename is a glob or too long lets every unix peer through. Until
 * called, every peer passes. Call again after a policy reload.
 */
int bh_loader_set_runtime_sockets(struct bh_loader *l, char *const *sockets, size_t n);

/*
 * User space found that this cgroup (ids as in the record header) holds no
 * container: its setns/mount/capset/connect records are filtered from now on.
 * Only for a cgroup whose path names no container, never on a lookup error.
 */
int bh_loader_host_cgroup(struct bh_loader *l, __u64 cgroup_id, __u64 cgroup_v1_id);

/* The host's namespace inodes, read from a kernel thread (/proc/2/ns). */
int bh_host_namespaces(__u32 ns[BH_NS_KINDS]);

#endif
