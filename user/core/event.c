// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* event.c - record validation: nothing from the ring buffer is trusted unchecked. */
#include "event.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct bh_hdr) % 8 == 0, "bh_hdr must be 8-byte aligned");
_Static_assert(sizeof(struct bh_exec) % 8 == 0, "bh_exec must be 8-byte aligned");
_Static_assert(sizeof(struct bh_setns) % 8 == 0, "bh_setns must be 8-byte aligned");
_Static_assert(sizeof(struct bh_mount) % 8 == 0, "bh_mount must be 8-byte aligned");
_Static_assert(sizeof(struct bh_capset) % 8 == 0, "bh_capset must be 8-byte aligned");
_Static_assert(sizeof(struct bh_connect) % 8 == 0, "bh_connect must be 8-byte aligned");
_Static_assert(sizeof(struct bh_sock) % 8 == 0, "bh_sock must be 8-byte aligned");
_Static_assert(sizeof(struct bh_cgroup_rec) % 8 == 0, "bh_cgroup_rec must be 8-byte aligned");
_Static_assert(sizeof(struct bh_hdr) == 104, "bh_hdr layout changed: bump BH_ABI_VERSION");

static const char *const type_names[BH_EV_TYPE_MAX] = {
	[BH_EV_EXEC] = "exec",	   [BH_EV_SETNS] = "setns",	[BH_EV_MOUNT] = "mount",
	[BH_EV_CAPSET] = "capset", [BH_EV_CONNECT] = "connect", [BH_EV_BIND] = "bind",
	[BH_EV_LISTEN] = "listen", [BH_EV_CGROUP] = "cgroup",
};

const char *bh_event_type_name(unsigned int type)
{
	if (type >= BH_EV_TYPE_MAX || !type_names[type])
		return "unknown";
	return type_names[type];
}

static const char *const read_site_names[BH_READ_SITES] = {
	[BH_READ_EXE] = "exe",
	[BH_READ_EXEC_FILENAME] = "exec.filename",
	[BH_READ_EXEC_ARGS] = "exec.args",
	[BH_READ_MOUNT_SOURCE] = "mount.source",
	[BH_READ_MOUNT_TARGET] = "mount.target",
	[BH_READ_MOUNT_FSTYPE] = "mount.fstype",
	[BH_READ_MOUNT_ATTR] = "mount.attr",
	[BH_READ_CAPSET_HEADER] = "capset.header",
	[BH_READ_CONNECT_SOCKADDR] = "connect.sockaddr",
	[BH_READ_CONNECT_PEER] = "connect.peer_path",
	[BH_READ_CONNECT_PATH] = "connect.path",
	[BH_READ_CGROUP_PATH] = "cgroup.path",
	[BH_READ_SOCKETCALL_ARGS] = "compat.socketcall",
};

const char *bh_read_site_name(unsigned int site)
{
	if (site >= BH_READ_SITES || !read_site_names[site])
		return "unknown";
	return read_site_names[site];
}

int bh_event_parse_mask(const char *list, unsigned int *mask)
{
	char *copy, *tok, *save = NULL;
	int err = 0;

	*mask = 0;
	if (!strcmp(list, "all")) {
		*mask = BH_EVENT_MASK_ALL;
		return 0;
	}
	if (!strcmp(list, "none"))
		return 0;
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int t;

		for (t = 1; t < BH_EV_TYPE_MAX; t++)
			if (type_names[t] && !strcmp(tok, type_names[t]))
				break;
		if (t == BH_EV_TYPE_MAX) {
			fprintf(stderr,
				"bulkhead: unknown event '%s' (known: exec, setns, mount, capset, "
				"connect, bind, listen, cgroup, all, none)\n",
				tok);
			err = -EINVAL;
			break;
		}
		*mask |= 1u << t;
	}
	free(copy);
	return err;
}

size_t bh_event_fixed_size(unsigned int type)
{
	switch (type) {
	case BH_EV_EXEC:
		return sizeof(struct bh_exec);
	case BH_EV_SETNS:
		return sizeof(struct bh_setns);
	case BH_EV_MOUNT:
		return sizeof(struct bh_mount);
	case BH_EV_CAPSET:
		return sizeof(struct bh_capset);
	case BH_EV_CONNECT:
		return sizeof(struct bh_connect);
	case BH_EV_BIND:
	case BH_EV_LISTEN:
		return sizeof(struct bh_sock);
	case BH_EV_CGROUP:
		return sizeof(struct bh_cgroup_rec);
	default:
		return 0;
	}
}

/* The tail string lengths of a record, in tail order; returns how many. */
static int tail_lengths(const struct bh_hdr *hdr, size_t lens[BH_EVENT_STRS])
{
	const void *rec = hdr;

	switch (hdr->type) {
	case BH_EV_EXEC: {
		const struct bh_exec *e = rec;

		lens[0] = e->filename_len;
		lens[1] = e->args_len;
		return 2;
	}
	case BH_EV_MOUNT: {
		const struct bh_mount *m = rec;

		lens[0] = m->source_len;
		lens[1] = m->target_len;
		lens[2] = m->fstype_len;
		return 3;
	}
	case BH_EV_CONNECT: {
		const struct bh_connect *c = rec;

		lens[0] = c->peer_path_len;
		lens[1] = c->path_len;
		return 2;
	}
	case BH_EV_CGROUP:
		lens[0] = ((const struct bh_cgroup_rec *)rec)->path_len;
		return 1;
	default:
		return 0;
	}
}

int bh_event_decode(const void *data, size_t size, struct bh_event *ev)
{
	const struct bh_hdr *hdr = data;
	size_t fixed, off, lens[BH_EVENT_STRS];
	int n;

	memset(ev, 0, sizeof(*ev));
	if (!data || size < sizeof(*hdr) || size > BH_RECORD_MAX)
		return -EINVAL;
	fixed = bh_event_fixed_size(hdr->type);
	if (!fixed)
		return -ENOTSUP;
	/* hdr->size may be below the ring buffer's size (records are 8-byte padded). */
	if (hdr->size < fixed || hdr->size > size)
		return -EINVAL;

	off = fixed;
	if (hdr->exe_len > BH_EXE_MAX || off + hdr->exe_len > hdr->size)
		return -EINVAL;
	ev->exe.ptr = (const char *)data + off;
	ev->exe.len = hdr->exe_len;
	off += hdr->exe_len;

	n = tail_lengths(hdr, lens);
	for (int i = 0; i < n; i++) {
		if (lens[i] > BH_RECORD_MAX || off + lens[i] > hdr->size)
			return -EINVAL;
		ev->str[i].ptr = (const char *)data + off;
		ev->str[i].len = lens[i];
		off += lens[i];
	}
	ev->hdr = hdr;
	return 0;
}
