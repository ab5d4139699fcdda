// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe.c - what the kernel and our privileges allow, asked before anything is loaded:
 * capabilities, BTF, the BPF ring buffer, tracefs and its tracepoints, cgroup v1 subsystem
 * ids, and the host's namespaces.
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
#define VMLINUX_BTF	"/sys/kernel/btf/vmlinux"

/* Not in every libc's headers yet (capability numbers are ABI). */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* Effective capability check without libcap: capget(2) with the v3 (64-bit) layout. */
static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1U << (cap % 32));
}

int bh_probe_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data)) {
		bh_error("cannot read this process's capabilities: %s", strerror(errno));
		return -errno;
	}
	if (has_cap(data, CAP_SYS_ADMIN) || (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON)))
		return 0;
	bh_error("bulkhead needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN): run it with sudo");
	return -EPERM;
}

int bh_probe_btf(void)
{
	if (access(VMLINUX_BTF, R_OK) == 0)
		return 0;
	bh_error("this kernel has no BTF (CONFIG_DEBUG_INFO_BTF): %s is missing; bulkhead "
		 "needs a kernel built with BTF type information",
		 VMLINUX_BTF);
	return -EOPNOTSUPP;
}

int bh_probe_ringbuf(void)
{
	int ret = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	if (ret > 0)
		return 0;
	if (ret == 0) {
		bh_error("this kernel has no BPF ring buffer: kernel older than 5.8; bulkhead "
			 "needs Linux 5.8 or newer");
		return -EOPNOTSUPP;
	}
	bh_error("cannot probe for the BPF ring buffer: %s", strerror(-ret));
	return ret;
}

static bool tracefs_ready(void)
{
	return access(TRACEFS "/events", F_OK) == 0 || access(TRACEFS_DEBUGFS "/events", F_OK) == 0;
}

/* Syscall tracepoints are attached through tracefs: mount it if nobody did. */
int bh_probe_tracefs(void)
{
	if (tracefs_ready())
		return 0;
	bh_debug("tracefs is not mounted: mounting it at %s", TRACEFS);
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		int err = -errno;

		bh_error("tracefs is not mounted and mounting it at %s failed: %s; mount it "
			 "(mount -t tracefs tracefs %s) and restart",
			 TRACEFS, strerror(-err), TRACEFS);
		return err;
	}
	if (!tracefs_ready()) {
		bh_error("tracefs at %s has no events directory: the kernel lacks tracepoints "
			 "(CONFIG_FTRACE)",
			 TRACEFS);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* "tp/<category>/<name>": does the kernel have this tracepoint? */
static bool tracepoint_exists(const char *category, const char *name)
{
	const char *roots[] = { TRACEFS, TRACEFS_DEBUGFS };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s", roots[i], category, name);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
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
		char category[64];
		const char *slash;

		if (strncmp(sec, "tp/", 3) != 0)
			continue;
		slash = strchr(sec + 3, '/');
		if (!slash || (size_t)(slash - (sec + 3)) >= sizeof(category))
			continue;
		snprintf(category, sizeof(category), "%.*s", (int)(slash - (sec + 3)), sec + 3);
		if (tracepoint_exists(category, slash + 1))
			continue;
		bh_warn("this kernel has no tracepoint %s/%s: %s is not loaded, its events will "
			"not be seen",
			category, slash + 1, bpf_program__name(prog));
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
