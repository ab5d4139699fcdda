// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * knobs.c - what is set between open and load: the ring buffer's size, the rodata knobs
 * (our pid, the filters, the wake-up pacing, the host's namespaces, the v1 controller's
 * ids) and which programs load.
 */
#include "loader_impl.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bulkhead.skel.h"
#include "container/cgroup.h"
#include "core/log.h"

#define RINGBUF_DEFAULT (8UL << 20)

int bh_loader_configure(struct bh_loader *l, const struct bh_loader_opts *opts)
{
	size_t ring = opts->ringbuf_bytes ? opts->ringbuf_bytes : RINGBUF_DEFAULT;
	long page = sysconf(_SC_PAGESIZE);
	int err;

	if ((ring & (ring - 1)) || ring < (size_t)page || ring > (1UL << 31)) {
		bh_error("ring buffer size %zu is not a power of two between the page size (%ld) "
			 "and 2 GiB",
			 ring, page);
		return -EINVAL;
	}
	err = bpf_map__set_max_entries(l->skel->maps.events, (__u32)ring);
	if (err) {
		bh_error("cannot set the ring buffer size: %s", strerror(-err));
		return err;
	}

	l->skel->rodata->self_tgid = opts->self_tgid;
	l->skel->rodata->filter_mask = opts->filter_mask;
	l->skel->rodata->wakeup_ns = (__u64)opts->wakeup_us * 1000;
	l->skel->rodata->wakeup_bytes = ring / 8;
	memcpy(l->skel->rodata->host_ns, opts->host_ns, sizeof(opts->host_ns));
	l->skel->rodata->v1_subsys_id = -1;
	l->skel->rodata->v1_hierarchy_id = -1;
	if (opts->v1_controller && *opts->v1_controller) {
		int id = bh_v1_subsys_id(opts->v1_controller);

		if (id < 0)
			return id;
		l->skel->rodata->v1_subsys_id = id;
		/* cgroup creation records: only the hierarchies the header's ids are read from */
		l->skel->rodata->v1_hierarchy_id = bh_cgroup_v1_hierarchy_id(opts->v1_controller);
	}
	bh_skip_missing_tracepoints(l->skel->obj);
	/* the recorder runs at every syscall's entry of the node: only while advising */
	bpf_program__set_autoload(l->skel->progs.bh_advise_sys_enter, opts->advise);
	bpf_program__set_autoload(l->skel->progs.bh_advise_cgroup_mkdir, opts->advise);
	/* it runs at every syscall's exit: only where compat calls can happen and it sees them */
	if (!l->compat_verdict.possible || !l->compat_verdict.watchable)
		bpf_program__set_autoload(l->skel->progs.bh_sys_exit, false);
	return 0;
}
