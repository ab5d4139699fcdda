// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * caps.c - the capabilities a workload needs, derived from the calls it made, and whether
 * the kernel lets bulkhead see capability checks themselves (it does not here).
 */
#include "advice.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/capability.h>

#include "syscalls.h"

/*
 * Each capability a call shows, with the calls that need it when they change
 * something (chown of a file to its own owner needs nothing: the advice errs
 * on granting). Capabilities not listed here are checked on paths no call
 * number shows (file permissions, signals to other users, ioctls): unjudged.
 */
static const struct {
	int cap;
	const char *calls; /* space-separated, each followed by a space */
} cap_calls[] = {
	{ CAP_CHOWN, "chown fchown lchown fchownat " },
	{ CAP_SETUID, "setuid setreuid setresuid setfsuid " },
	{ CAP_SETGID, "setgid setregid setresgid setfsgid setgroups " },
	{ CAP_SYS_CHROOT, "chroot " },
	{ CAP_SYS_ADMIN, "mount umount2 pivot_root unshare setns sethostname setdomainname swapon "
			 "swapoff fsopen fsmount move_mount open_tree mount_setattr quotactl " },
	{ CAP_SYS_PTRACE, "ptrace process_vm_readv process_vm_writev " },
	{ CAP_SYS_TIME, "settimeofday clock_settime adjtimex clock_adjtime " },
	{ CAP_SYS_MODULE, "init_module finit_module delete_module " },
	{ CAP_SYS_BOOT, "reboot kexec_load kexec_file_load " },
	{ CAP_SYS_PACCT, "acct " },
	{ CAP_SYS_RAWIO, "iopl ioperm " },
	{ CAP_SYSLOG, "syslog " },
};

/* The capabilities judged here: cap_calls, and those the recorder's flags and binds show. */
static __u64 judged_mask(void)
{
	__u64 m = 1ULL << CAP_NET_BIND_SERVICE | 1ULL << CAP_NET_RAW | 1ULL << CAP_MKNOD;

	for (size_t i = 0; i < sizeof(cap_calls) / sizeof(cap_calls[0]); i++)
		m |= 1ULL << cap_calls[i].cap;
	return m;
}

__u64 bh_caps_unjudged(void)
{
	__u64 all = (1ULL << (CAP_LAST_CAP + 1)) - 1;

	return all & ~judged_mask();
}

/* Where in the list the first call the workload made starts, NULL when it made none. */
static const char *first_call(const struct bh_advice *a, const char *calls)
{
	for (const char *p = calls; *p;) {
		const char *sp = strchr(p, ' ');
		char name[32];
		int nr;

		snprintf(name, sizeof(name), "%.*s", (int)(sp - p), p);
		nr = bh_syscall_nr(name);
		if (nr >= 0 && bh_advice_has_call(a, (unsigned int)nr))
			return p;
		p = sp + 1;
	}
	return NULL;
}

__u64 bh_caps_needed(const struct bh_advice *a, const char *why[64])
{
	__u64 need = 0;

	memset(why, 0, 64 * sizeof(*why));
	for (size_t i = 0; i < sizeof(cap_calls) / sizeof(cap_calls[0]); i++) {
		const char *call = first_call(a, cap_calls[i].calls);

		if (!call)
			continue;
		need |= 1ULL << cap_calls[i].cap;
		why[cap_calls[i].cap] = call; /* "name other names ...": printed up to a space */
	}
	if (a->low_bind_port) {
		need |= 1ULL << CAP_NET_BIND_SERVICE;
		why[CAP_NET_BIND_SERVICE] = "bind below ip_unprivileged_port_start ";
	}
	if (a->flags & (BH_ADVISE_RAW_SOCKET | BH_ADVISE_PACKET_SOCKET)) {
		need |= 1ULL << CAP_NET_RAW;
		why[CAP_NET_RAW] = a->flags & BH_ADVISE_PACKET_SOCKET ? "socket(AF_PACKET) "
								      : "socket(SOCK_RAW) ";
	}
	if (a->flags & BH_ADVISE_MKNOD_DEVICE) {
		need |= 1ULL << CAP_MKNOD;
		why[CAP_MKNOD] = "mknod of a device node ";
	}
	return need;
}

/* A minimal fentry program on cap_capable: does the kernel load it? 0, or -errno. */
static int probe_fentry(void)
{
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 }, /* r0 = 0 */
		{ .code = 0x95 },			  /* exit */
	};
	struct bpf_prog_load_opts opts = {
		.sz = sizeof(opts),
		.expected_attach_type = BPF_TRACE_FENTRY,
	};
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id, fd;

	if (!vmlinux)
		return -errno;
	id = btf__find_by_name_kind(vmlinux, "cap_capable", BTF_KIND_FUNC);
	btf__free(vmlinux);
	if (id < 0)
		return -ENOENT;
	opts.attach_btf_id = (__u32)id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "bh_cap_probe", "GPL", insns, 2, &opts);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

void bh_caps_probe_hooks(struct bh_advice *a)
{
	int fentry = probe_fentry();
	bool kprobe = access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;

	a->cap_hooks = !fentry || kprobe;
	snprintf(a->cap_hooks_why, sizeof(a->cap_hooks_why),
		 "fentry on cap_capable: %s; kprobes: %s", fentry ? strerror(-fentry) : "loads",
		 kprobe ? "built in" : "not built into this kernel");
}
