// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * filter_maps.c - the maps user space writes to filter in the kernel: the runtime sockets
 * unix connects are let through to, the host cgroups and the host programs.
 */
#include "loader_impl.h"

#include <stdbool.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bulkhead.skel.h"
#include "core/log.h"

int bh_loader_set_host_programs(struct bh_loader *l, const char *const *names)
{
	char key[BH_PROGRAM_NAME_MAX];
	__u8 one = 1;
	int err;

	for (; names && *names; names++) {
		if (strlen(*names) >= sizeof(key)) {
			bh_error("host program name '%s' is too long for the kernel filter",
				 *names);
			return -ENAMETOOLONG;
		}
		memset(key, 0, sizeof(key));
		memcpy(key, *names, strlen(*names));
		err = bpf_map__update_elem(l->skel->maps.bh_host_programs, key, sizeof(key), &one,
					   sizeof(one), BPF_ANY);
		if (err) {
			bh_error("cannot set the host programs in the kernel filter: %s",
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

/* The map key of a socket basename: NUL-padded; false when it cannot be matched exactly. */
static bool sock_key(const char *socket, char key[BH_SOCK_NAME_MAX])
{
	const char *base = strrchr(socket, '/');
	size_t len;

	base = base ? base + 1 : socket;
	len = strlen(base);
	memset(key, 0, BH_SOCK_NAME_MAX);
	if (!len || len >= BH_SOCK_NAME_MAX || strpbrk(base, "*?[\\"))
		return false;
	memcpy(key, base, len);
	return true;
}

int bh_loader_set_runtime_sockets(struct bh_loader *l, char *const *sockets, size_t n)
{
	struct bpf_map *map = l->skel->maps.bh_runtime_socks;
	char any[BH_SOCK_NAME_MAX] = { 0 }, key[BH_SOCK_NAME_MAX], next[BH_SOCK_NAME_MAX];
	bool need_any = !sockets;
	const void *cur = NULL;
	__u8 one = 1;
	int err;

	/* "any" first, so no connect is filtered while the names change */
	err = bpf_map__update_elem(map, any, sizeof(any), &one, sizeof(one), BPF_ANY);
	if (err)
		goto fail;
	/* then every other name goes; a deletion restarts the walk, "any" is stepped over */
	while (!bpf_map__get_next_key(map, cur, next, sizeof(next))) {
		if (!memcmp(next, any, sizeof(any))) {
			cur = any;
			continue;
		}
		err = bpf_map__delete_elem(map, next, sizeof(next), 0);
		if (err)
			goto fail;
		cur = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		/* sockets is NULL only with n 0, which the analyzer cannot tell from here */
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		if (!sock_key(sockets[i], key)) {
			need_any = true;
			continue;
		}
		err = bpf_map__update_elem(map, key, sizeof(key), &one, sizeof(one), BPF_ANY);
		if (err)
			goto fail;
	}
	if (!need_any)
		err = bpf_map__delete_elem(map, any, sizeof(any), 0);
	if (!err)
		return 0;
fail:
	bh_error("cannot set the runtime sockets in the kernel filter: %s", strerror(-err));
	return err;
}

int bh_loader_host_cgroup(struct bh_loader *l, __u64 cgroup_id, __u64 cgroup_v1_id)
{
	struct bh_cgroup_key k = { .cgroup_id = cgroup_id, .cgroup_v1_id = cgroup_v1_id };
	__u8 one = 1;

	return bpf_map__update_elem(l->skel->maps.bh_host_cgroups, &k, sizeof(k), &one, sizeof(one),
				    BPF_ANY);
}
