/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * loader_impl.h - what the loader's files share (internal): the loader's state, and the
 * steps of bh_loader_start() that live beside it: the kernel probes (probe.h), the knobs
 * set before load (knobs.c) and the filter maps user space writes (filter_maps.c).
 */
#ifndef BULKHEAD_LOADER_IMPL_H
#define BULKHEAD_LOADER_IMPL_H

#include <stdbool.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "compat.h"
#include "loader.h"
#include "probe.h"

struct bulkhead; /* the skeleton (bulkhead.skel.h), included by the files that use it */

struct bh_loader {
	struct bulkhead *skel;
	struct bpf_link **links;
	int nlinks;
	struct bh_compat_verdict compat_verdict;
	enum bh_compat_state compat;
	bool compat_attached;
};

/* The programs on tracepoints this kernel lacks are not loaded: one warning each. */
void bh_skip_missing_tracepoints(struct bpf_object *obj);

/* The index of css_set->subsys[] for a v1 controller (the kernel's BTF), or -errno. */
int bh_v1_subsys_id(const char *controller);

/* Sets the ring buffer's size, the rodata knobs and which programs load (knobs.c). */
int bh_loader_configure(struct bh_loader *l, const struct bh_loader_opts *opts);

/* The programs whose host execs are judged, into the kernel filter (filter_maps.c). */
int bh_loader_set_host_programs(struct bh_loader *l, const char *const *names);

#endif
