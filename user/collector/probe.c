// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe.c - the kernel probes of probe.h (capabilities, BTF, the BPF ring buffer, tracefs,
 * attach points), and what the loader reads of the kernel: cgroup v1 subsystem ids and the
 * host's namespaces.
 */
#include "loader_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core/log.h"

#define TRACEFS		"/sys/kernel/tracing"
#define TRACEFS_DEBUGFS "/sys/kernel/debug/tracing"

int bh_probe_caps(__u64 *effective)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	/* capget(2) with the v3 (64-bit) layout: no libcap needed */
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	*effective = (__u64)data[1].effective << 32 | data[0].effective;
	return 0;
}

static bool has_cap(__u64 caps, int cap)
{
	return caps & (1ULL << cap);
}

int bh_probe_privileges(struct bh_probe_gap *gap)
{
	__u64 caps = 0;
	int err = bh_probe_caps(&caps);

	if (err) {
		snprintf(gap->why, sizeof(gap->why), "cannot read this process's capabilities: %s",
			 strerror(-err));
		snprintf(gap->fix, sizeof(gap->fix), "run it as root");
		return err;
	}
	if (has_cap(caps, CAP_SYS_ADMIN) || (has_cap(caps, CAP_BPF) && has_cap(caps, CAP_PERFMON)))
		return 0;
	snprintf(gap->why, sizeof(gap->why),
		 "bulkhead needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)");
	snprintf(gap->fix, sizeof(gap->fix), "run it with sudo");
	return -EPERM;
}

int bh_probe_btf(const char *path, struct bh_probe_gap *gap)
{
	struct btf *btf;
	int err;

	if (!path)
		path = BH_VMLINUX_BTF;
	if (access(path, R_OK)) {
		err = -errno;
		snprintf(gap->why, sizeof(gap->why), "this kernel has no BTF: %s: %s", path,
			 strerror(-err));
		snprintf(gap->fix, sizeof(gap->fix),
			 "bulkhead needs a kernel built with BTF type information "
			 "(CONFIG_DEBUG_INFO_BTF=y)");
		return err;
	}
	btf = btf__parse(path, NULL);
	if (!btf) {
		err = -errno;
		snprintf(gap->why, sizeof(gap->why), "%s holds no kernel types: %s", path,
			 strerror(-err));
		snprintf(gap->fix, sizeof(gap->fix),
			 "name the running kernel's BTF file (/sys/kernel/btf/vmlinux)");
		return err;
	}
	btf__free(btf);
	return 0;
}

int bh_probe_ringbuf(struct bh_probe_gap *gap)
{
	int ret = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	if (ret > 0)
		return 0;
	if (ret == 0) {
		snprintf(gap->why, sizeof(gap->why),
			 "this kernel has no BPF ring buffer: kernel older than 5.8");
		snprintf(gap->fix, sizeof(gap->fix), "bulkhead needs Linux %s or newer",
			 BH_MIN_KERNEL);
		return -EOPNOTSUPP;
	}
	snprintf(gap->why, sizeof(gap->why), "cannot probe for the BPF ring buffer: %s",
		 strerror(-ret));
	snprintf(gap->fix, sizeof(gap->fix), "run it as root (CAP_BPF, or CAP_SYS_ADMIN)");
	return ret;
}

static bool tracefs_ready(void)
{
	return access(TRACEFS "/events", F_OK) == 0 || access(TRACEFS_DEBUGFS "/events", F_OK) == 0;
}

/* Syscall tracepoints are attached through tracefs: mount it if nobody did. */
int bh_probe_tracefs(struct bh_probe_gap *gap)
{
	if (tracefs_ready())
		return 0;
	bh_debug("tracefs is not mounted: mounting it at %s", TRACEFS);
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		int err = -errno;

		snprintf(gap->why, sizeof(gap->why),
			 "tracefs is not mounted and mounting it at %s failed: %s", TRACEFS,
			 strerror(-err));
		snprintf(gap->fix, sizeof(gap->fix),
			 "mount it (mount -t tracefs tracefs %s) and restart", TRACEFS);
		return err;
	}
	if (!tracefs_ready()) {
		snprintf(gap->why, sizeof(gap->why), "tracefs at %s has no events directory",
			 TRACEFS);
		snprintf(gap->fix, sizeof(gap->fix),
			 "the kernel lacks tracepoints: boot one built with CONFIG_FTRACE");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* "<category>/<name>" of a tp/ section: does tracefs list this tracepoint? */
static bool tracepoint_exists(const char *tp)
{
	const char *roots[] = { TRACEFS, TRACEFS_DEBUGFS };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/%s", roots[i], tp);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

int bh_probe_attach_point(const char *sec, const struct btf *btf)
{
	char type[128];

	if (!strncmp(sec, "tp/", 3) && strchr(sec + 3, '/'))
		return tracepoint_exists(sec + 3);
	if (!strncmp(sec, "tp_btf/", 7) && btf) {
		/* libbpf attaches "tp_btf/<name>" to the kernel's typedef btf_trace_<name> */
		snprintf(type, sizeof(type), "btf_trace_%s", sec + 7);
		return btf__find_by_name_kind(btf, type, BTF_KIND_TYPEDEF) > 0;
	}
	return -EINVAL;
}

/*
 * Programs on tracepoints this kernel lacks (e.g. the new mount API before 5.2)
 * are not loaded: one warning each, and the rest of the monitor runs.
 */
void bh_skip_missing_tracepoints(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, obj) {
		const char *sec = bpf_program__section_name(prog);

		if (strncmp(sec, "tp/", 3) || bh_probe_attach_point(sec, NULL))
			continue;
		bh_warn("this kernel has no tracepoint %s: %s is not loaded, its events will "
			"not be seen",
			sec + 3, bpf_program__name(prog));
		bpf_program__set_autoload(prog, false);
	}
}

/* The index of css_set->subsys[] for a v1 controller: enum cgroup_subsys_id "<name>_cgrp_id". */
int bh_v1_subsys_id(const char *controller)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	char want[64];
	int id, ret = -ENOENT;

	if (!btf) {
		bh_error("cannot read the kernel's BTF: %s", strerror(errno));
		return -errno;
	}
	snprintf(want, sizeof(want), "%s_cgrp_id", controller);
	id = btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM);
	if (id > 0) {
		t = btf__type_by_id(btf, id);
		e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++, e++) {
			if (strcmp(btf__name_by_offset(btf, e->name_off), want) == 0) {
				ret = e->val;
				break;
			}
		}
	}
	btf__free(btf);
	if (ret < 0)
		bh_error("cgroup v1 controller \"%s\" is not known to this kernel (no %s in its "
			 "BTF): name one of the controllers in /proc/cgroups",
			 controller, want);
	return ret;
}

int bh_host_namespaces(__u32 ns[BH_NS_KINDS])
{
	/* in enum bh_ns_kind order; kthreadd's *_for_children equal its own namespaces */
	static const char *const names[BH_NS_KINDS] = {
		[BH_NS_MNT] = "mnt",   [BH_NS_PID] = "pid",   [BH_NS_NET] = "net",
		[BH_NS_IPC] = "ipc",   [BH_NS_UTS] = "uts",   [BH_NS_CGROUP] = "cgroup",
		[BH_NS_USER] = "user", [BH_NS_TIME] = "time",
	};
	char path[64];
	struct stat st;

	for (int k = 0; k < BH_NS_KINDS; k++) {
		snprintf(path, sizeof(path), "/proc/2/ns/%s", names[k]);
		if (stat(path, &st) == 0) {
			ns[k] = (__u32)st.st_ino;
		} else if (errno == ENOENT && k == BH_NS_TIME) {
			ns[k] = 0; /* no time namespaces before 5.6 */
		} else {
			int err = -errno;

			bh_debug("cannot stat %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}
