// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* loader.c - probe the kernel, then open, configure, load and attach the BPF skeleton. */
#include "loader.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#ifdef __clang_analyzer__
/*
 * The analyzer assumes a function declared in a system header frees nothing, and so
 * reports a leak on the skeleton's error path, which bpf_object__destroy_skeleton()
 * frees. Declared again here, outside a system header, it may free what it is given.
 */
void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s);
#endif
#include "bulkhead.skel.h"
#include "container/cgroup.h"
#include "compat.h"
#include "core/log.h"

#define RINGBUF_DEFAULT (8UL << 20)
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

struct bh_loader {
	struct bulkhead *skel;
	struct bpf_link **links;
	int nlinks;
	struct bh_compat_verdict compat_verdict;
	enum bh_compat_state compat;
	bool compat_attached;
};

/* Effective capability check without libcap: capget(2) with the v3 (64-bit) layout. */
static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1U << (cap % 32));
}

static int probe_privileges(void)
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

static int probe_btf(void)
{
	if (access(VMLINUX_BTF, R_OK) == 0)
		return 0;
	bh_error("this kernel has no BTF (CONFIG_DEBUG_INFO_BTF): %s is missing; bulkhead "
		 "needs a kernel built with BTF type information",
		 VMLINUX_BTF);
	return -EOPNOTSUPP;
}

static int probe_ringbuf(void)
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
static int probe_tracefs(void)
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
static void skip_missing_tracepoints(struct bpf_object *obj)
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
static int v1_subsys_id(const char *controller)
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

/* During load libbpf prints the verifier's log as warnings: it belongs at debug level. */
static libbpf_print_fn_t saved_print;

static int print_as_debug(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return saved_print ? saved_print(LIBBPF_DEBUG, fmt, ap) : 0;
}

/* libbpf loads programs in order and stops at the first refusal: find it to name it. */
static struct bpf_program *first_unloaded(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, obj) {
		if (bpf_program__autoload(prog) && bpf_program__fd(prog) < 0)
			return prog;
	}
	return NULL;
}

/*
 * Programs the monitor can run without, and what goes missing without them
 * (NULL: a program it needs). cgroup creation records only name containers
 * whose cgroup is gone before their first record is read (a lagging consumer);
 * the compat program's loss is reported again as the compat verdict.
 */
static const char *optional_loss(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	if (!strcmp(sec, "tp_btf/cgroup_mkdir"))
		return "containers whose cgroup is removed before their first event is read will "
		       "not be recognised";
	if (!strcmp(sec, "tp_btf/sys_exit"))
		return "compat syscalls will not be seen";
	return NULL;
}

/* How many optional programs optional_loss() names: each may be refused once. */
#define OPTIONAL_PROGS 2

/*
 * Loads the programs. When the kernel refuses an optional program (warned),
 * *refused names its section: the caller may open the object again without it.
 */
static int load(struct bh_loader *l, const char **refused)
{
	struct bpf_program *prog;
	int err;

	*refused = NULL;
	saved_print = libbpf_set_print(print_as_debug);
	err = bulkhead__load(l->skel);
	libbpf_set_print(saved_print);
	if (!err)
		return 0;
	prog = first_unloaded(l->skel->obj);
	if (prog && optional_loss(prog)) {
		bh_warn("the kernel refused BPF program %s (%s): %s; going on without it: %s",
			bpf_program__name(prog), bpf_program__section_name(prog), strerror(-err),
			optional_loss(prog));
		*refused = bpf_program__section_name(prog);
		return err;
	}
	bh_error("the kernel refused BPF program %s: %s (errno %d); run with -v for the "
		 "verifier's log",
		 prog ? bpf_program__name(prog) : "(none: map creation or relocation)",
		 strerror(-err), -err);
	return err;
}

/* The optional programs the kernel refused before (sections, n of them) stay out. */
static void skip_refused(struct bpf_object *obj, char refused[][64], int n)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, obj) {
		for (int i = 0; i < n; i++)
			if (!strcmp(bpf_program__section_name(prog), refused[i]))
				bpf_program__set_autoload(prog, false);
	}
}

/* Attaches one program; a refused optional one is warned about and left out (*link NULL). */
static int attach_one(struct bpf_program *prog, struct bpf_link **link)
{
	int err;

	*link = bpf_program__attach(prog);
	if (*link)
		return 0;
	err = -errno;
	if (optional_loss(prog)) {
		bh_warn("cannot attach BPF program %s (%s): %s; going on without it: %s",
			bpf_program__name(prog), bpf_program__section_name(prog), strerror(-err),
			optional_loss(prog));
		return 0;
	}
	bh_error("cannot attach BPF program %s (%s): %s", bpf_program__name(prog),
		 bpf_program__section_name(prog), strerror(-err));
	return err;
}

/* A native exit program, which the raw sys_exit dispatcher stands in for where it runs. */
static bool native_exit(const struct bpf_program *prog)
{
	return !strncmp(bpf_program__section_name(prog), "tp/syscalls/sys_exit_",
			strlen("tp/syscalls/sys_exit_"));
}

/*
 * The raw sys_exit dispatcher first: where it runs it judges the native hooked
 * calls too, and their syscalls/sys_exit_* programs (loaded all the same) stay
 * unattached, so each call is judged once; where it cannot run, they attach.
 */
static int attach(struct bh_loader *l)
{
	struct bpf_program *dispatcher = l->skel->progs.bh_sys_exit;
	struct bpf_program *prog;
	struct bpf_link *link;
	int n = 0, err;

	bpf_object__for_each_program (prog, l->skel->obj)
		n++;
	/* calloc(0, ...) may return NULL, which is no -ENOMEM: there is nothing to attach. */
	if (!n)
		return 0;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of link pointers */
	l->links = calloc((size_t)n, sizeof(*l->links));
	if (!l->links)
		return -ENOMEM;
	if (bpf_program__autoload(dispatcher)) {
		err = attach_one(dispatcher, &link);
		if (err)
			return err;
		if (link) {
			l->links[l->nlinks++] = link;
			l->compat_attached = true;
		}
	}
	bpf_object__for_each_program (prog, l->skel->obj) {
		if (!bpf_program__autoload(prog) || prog == dispatcher ||
		    (l->compat_attached && native_exit(prog)))
			continue;
		err = attach_one(prog, &link);
		if (err)
			return err;
		if (link)
			l->links[l->nlinks++] = link;
	}
	return 0;
}

static int configure(struct bh_loader *l, const struct bh_loader_opts *opts)
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
		int id = v1_subsys_id(opts->v1_controller);

		if (id < 0)
			return id;
		l->skel->rodata->v1_subsys_id = id;
		/* cgroup creation records: only the hierarchies the header's ids are read from */
		l->skel->rodata->v1_hierarchy_id = bh_cgroup_v1_hierarchy_id(opts->v1_controller);
	}
	skip_missing_tracepoints(l->skel->obj);
	/* it runs at every syscall's exit: only where compat calls can happen and it sees them */
	if (!l->compat_verdict.possible || !l->compat_verdict.watchable)
		bpf_program__set_autoload(l->skel->progs.bh_sys_exit, false);
	return 0;
}

/* Judges whether compat syscalls can happen: from the facts given, else this machine's. */
static int judge_compat(struct bh_loader *l, const struct bh_compat_facts *given)
{
	struct bh_compat_facts facts;
	int err;

	if (given) {
		bh_compat_judge(given, &l->compat_verdict);
		return 0;
	}
	err = bh_compat_facts_read(&facts);
	if (err) {
		bh_error("cannot probe for compat syscalls: %s", strerror(-err));
		return err;
	}
	bh_compat_judge(&facts, &l->compat_verdict);
	bh_compat_facts_free(&facts);
	return 0;
}

/* The compat verdict once the programs are attached: in the start-up log, loudly if unseen. */
static void report_compat(struct bh_loader *l)
{
	const char *why = l->compat_verdict.why;

	if (!l->compat_verdict.possible) {
		l->compat = BH_COMPAT_IMPOSSIBLE;
		bh_info("compat syscalls: impossible on this kernel (%s)", why);
	} else if (l->compat_attached) {
		l->compat = BH_COMPAT_WATCHED;
		bh_info("compat syscalls: possible, watched (%s)", why);
	} else {
		l->compat = BH_COMPAT_UNWATCHED;
		bh_warn("compat syscalls: possible, NOT watched (%s): a mount, setns, capset, "
			"connect, bind or listen made through int $0x80 or the x32 ABI is not seen",
			why);
	}
}

static int set_host_programs(struct bh_loader *l, const char *const *names)
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

int bh_loader_start(const struct bh_loader_opts *opts, struct bh_loader **out)
{
	char refused_secs[OPTIONAL_PROGS][64];
	struct bh_loader *l;
	int err;

	*out = NULL;
	/* Probe what the kernel and our privileges allow, one clear message per cause */
	err = probe_privileges();
	if (!err)
		err = probe_btf();
	if (!err)
		err = probe_ringbuf();
	if (!err)
		err = probe_tracefs();
	if (err)
		return err;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	/* Compat syscalls: once, before any attempt (the probe forks a child) */
	err = judge_compat(l, opts->compat_facts);
	if (err)
		goto fail;
	/* A refused object cannot be loaded again: each retry without a refused optional reopens */
	for (int attempt = 0; attempt <= OPTIONAL_PROGS; attempt++) {
		const char *refused;

		bulkhead__destroy(l->skel);
		/* Open the skeleton, then set its knobs before the verifier sees them */
		l->skel = bulkhead__open();
		if (!l->skel) {
			err = -errno;
			bh_error("cannot open the embedded BPF object: %s", strerror(-err));
			goto fail;
		}
		err = configure(l, opts);
		if (err)
			goto fail;
		skip_refused(l->skel->obj, refused_secs, attempt);
		/* Load & verify the BPF programs */
		err = load(l, &refused);
		if (!err || !refused || attempt == OPTIONAL_PROGS)
			break;
		/* the section name lives in the object about to be destroyed: copied */
		snprintf(refused_secs[attempt], sizeof(refused_secs[attempt]), "%s", refused);
	}
	if (err)
		goto fail;
	/* Let every unix peer through until the policy names the runtime sockets */
	err = bh_loader_set_runtime_sockets(l, NULL, 0);
	if (err)
		goto fail;
	err = set_host_programs(l, opts->host_programs);
	if (err)
		goto fail;
	/* Attach each program to its tracepoint */
	err = attach(l);
	if (err)
		goto fail;
	report_compat(l);
	bh_debug("BPF: %d programs attached, ring buffer %u bytes", l->nlinks,
		 bpf_map__max_entries(l->skel->maps.events));
	*out = l;
	return 0;
fail:
	bh_loader_stop(l);
	return err;
}

void bh_loader_stop(struct bh_loader *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->nlinks; i++)
		bpf_link__destroy(l->links[i]);
	free(l->links);
	bulkhead__destroy(l->skel);
	free(l);
}

int bh_loader_events_fd(const struct bh_loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

int bh_loader_attached(const struct bh_loader *l)
{
	return l->nlinks;
}

enum bh_compat_state bh_loader_compat(const struct bh_loader *l)
{
	return l->compat;
}

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
