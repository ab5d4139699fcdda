// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* kernel_stats.c - the BPF side's per-CPU counters and failed reads, summed over CPUs. */
#include "loader_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bulkhead.skel.h"

int bh_loader_counters(const struct bh_loader *l, struct bh_counters *sum,
		       struct bh_counters *per_cpu, int ncpus)
{
	int n = libbpf_num_possible_cpus();
	struct bh_counters *vals;
	__u32 key = 0;
	int err;

	if (n <= 0)
		return n ? n : -EINVAL;
	vals = calloc((size_t)n, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	err = bpf_map__lookup_elem(l->skel->maps.bh_counters, &key, sizeof(key), vals,
				   (size_t)n * sizeof(*vals), 0);
	if (err) {
		free(vals);
		return err;
	}
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < n; i++) {
		sum->drops += vals[i].drops;
		sum->emitted += vals[i].emitted;
		sum->args_lost += vals[i].args_lost;
		sum->compat_calls += vals[i].compat_calls;
		if (per_cpu && i < ncpus)
			per_cpu[i] = vals[i];
	}
	free(vals);
	return 0;
}

int bh_loader_read_errors(const struct bh_loader *l, __u64 sites[BH_READ_SITES])
{
	int n = libbpf_num_possible_cpus();
	__u64 *vals;
	int err = 0;

	if (n <= 0)
		return n ? n : -EINVAL;
	vals = calloc((size_t)n, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 site = 0; site < BH_READ_SITES && !err; site++) {
		err = bpf_map__lookup_elem(l->skel->maps.bh_read_errors, &site, sizeof(site), vals,
					   (size_t)n * sizeof(*vals), 0);
		sites[site] = 0;
		for (int i = 0; i < n && !err; i++)
			sites[site] += vals[i];
	}
	free(vals);
	return err;
}
