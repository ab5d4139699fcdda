// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * doctor.c - `bulkhead doctor`: every check the agent's start makes (the loader's own probes,
 * the resolver's cgroup and state-dir lookups, the HTTP server and event socket opened for
 * real), run to the end instead of stopping at the first gap, one verdict and fix each.
 * Prints no environment, argument or file content beyond paths and kernel facts.
 */
#define _GNU_SOURCE
#include "doctor.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "compat.h"
#include "container/cgroup.h"
#include "container/container.h"
#include "core/json_writer.h"
#include "http.h"
#include "loader.h"
#include "output/stream.h"
#include "probe.h"
#include "rules/policy.h"

#define LOCKDOWN    "/sys/kernel/security/lockdown"
#define MAX_CHECKS  96
#define DETAIL_SIZE 320

enum status { OK, WARN, FAIL };
static const char *const status_names[] = { "ok", "warn", "fail" };

struct check {
	char name[128];
	enum status status;
	char detail[DETAIL_SIZE];
	char fix[256];
};

struct report {
	struct check checks[MAX_CHECKS];
	int n;
	struct btf *btf; /* the kernel's types, for the tp_btf attach points (NULL: none) */
};

static void __attribute__((format(printf, 5, 6)))
add(struct report *r, const char *name, enum status st, const char *fix, const char *fmt, ...)
{
	struct check *c;
	va_list ap;

	if (r->n == MAX_CHECKS)
		return;
	c = &r->checks[r->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->status = st;
	snprintf(c->fix, sizeof(c->fix), "%s", st == OK || !fix ? "" : fix);
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

static void add_gap(struct report *r, const char *name, const struct bh_probe_gap *gap)
{
	add(r, name, FAIL, gap->fix, "%s", gap->why);
}

/* The capabilities the agent uses, and which of them it cannot start without. */
static void check_privileges(struct report *r)
{
	static const struct {
		int cap;
		const char *name;
	} caps[] = {
		{ CAP_BPF, "CAP_BPF" },
		{ CAP_PERFMON, "CAP_PERFMON" },
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
		{ CAP_SYS_PTRACE, "CAP_SYS_PTRACE" },
		{ CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH" },
	};
	char held[160] = "", missing[160] = "";
	struct bh_probe_gap gap;
	__u64 eff = 0;

	if (bh_probe_privileges(&gap)) {
		add_gap(r, "privileges", &gap);
		return;
	}
	bh_probe_caps(&eff);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		char *list = eff & (1ULL << caps[i].cap) ? held : missing;
		size_t len = strlen(list);

		snprintf(list + len, sizeof(held) - len, "%s%s", len ? " " : "", caps[i].name);
	}
	if (!(eff & (1ULL << CAP_SYS_PTRACE)) || !(eff & (1ULL << CAP_DAC_READ_SEARCH)))
		add(r, "privileges", WARN,
		    "grant CAP_SYS_PTRACE (other tasks' /proc/<pid>/ns and cgroup) and "
		    "CAP_DAC_READ_SEARCH (the runtimes' root-only bundles)",
		    "held: %s; missing: %s", held, missing);
	else
		add(r, "privileges", OK, NULL, "held: %s", held);
}

static void check_btf(struct report *r, const char *path)
{
	struct bh_probe_gap gap;

	if (!path)
		path = BH_VMLINUX_BTF;
	if (bh_probe_btf(path, &gap)) {
		add_gap(r, "btf", &gap);
		return;
	}
	r->btf = btf__parse(path, NULL);
	add(r, "btf", OK, NULL, "%s: %u kernel types", path, r->btf ? btf__type_cnt(r->btf) : 0);
}

/* A libbpf probe's answer (1 yes, 0 no, < 0 cannot tell) as a check. */
static void add_probe(struct report *r, const char *name, int ret, const char *since)
{
	if (ret > 0)
		add(r, name, OK, NULL, "supported (Linux %s+)", since);
	else if (ret == 0)
		add(r, name, FAIL,
		    "upgrade the kernel: bulkhead needs Linux " BH_MIN_KERNEL " or newer",
		    "not supported by this kernel (needs Linux %s+)", since);
	else
		add(r, name, FAIL, "run it as root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)",
		    "cannot probe: %s", strerror(-ret));
}

/* The BPF features and helpers the programs in bpf/ use, with the kernel that added each. */
static int check_bpf_features(struct report *r)
{
	static const struct {
		enum bpf_func_id id;
		const char *name, *since;
	} helpers[] = {
		{ BPF_FUNC_get_current_cgroup_id, "bpf_get_current_cgroup_id", "4.18" },
		{ BPF_FUNC_probe_read_kernel, "bpf_probe_read_kernel", "5.5" },
		{ BPF_FUNC_probe_read_kernel_str, "bpf_probe_read_kernel_str", "5.5" },
		{ BPF_FUNC_probe_read_user, "bpf_probe_read_user", "5.5" },
		{ BPF_FUNC_probe_read_user_str, "bpf_probe_read_user_str", "5.5" },
		{ BPF_FUNC_ringbuf_output, "bpf_ringbuf_output", "5.8" },
		{ BPF_FUNC_ringbuf_query, "bpf_ringbuf_query", "5.8" },
		{ BPF_FUNC_ktime_get_boot_ns, "bpf_ktime_get_boot_ns", "5.8" },
		{ BPF_FUNC_get_current_task_btf, "bpf_get_current_task_btf", "5.11" },
		{ BPF_FUNC_task_storage_get, "bpf_task_storage_get", "5.11" },
		{ BPF_FUNC_task_storage_delete, "bpf_task_storage_delete", "5.11" },
		{ BPF_FUNC_task_pt_regs, "bpf_task_pt_regs", "5.15" },
	};
	struct bh_probe_gap gap;
	int read_kernel = 0;
	char name[64];

	if (bh_probe_ringbuf(&gap))
		add_gap(r, "ringbuf", &gap);
	else
		add(r, "ringbuf", OK, NULL, "BPF ring buffer supported (Linux 5.8+)");
	add_probe(r, "task-storage", libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL),
		  "5.11");
	add_probe(r, "prog:tracepoint", libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, NULL),
		  "4.7");
	/* every helper is offered to tracepoint and tp_btf programs alike (tracing protos) */
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		int ret = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, helpers[i].id, NULL);

		snprintf(name, sizeof(name), "helper:%s", helpers[i].name);
		add_probe(r, name, ret, helpers[i].since);
		if (helpers[i].id == BPF_FUNC_probe_read_kernel)
			read_kernel = ret;
	}
	return read_kernel;
}

static void check_program(const char *sec, const char *loss, void *ctx)
{
	struct report *r = ctx;
	char name[96];
	int have = bh_probe_attach_point(sec, r->btf);

	snprintf(name, sizeof(name), "attach:%s", sec);
	if (have > 0)
		add(r, name, OK, NULL, "the kernel has it");
	else if (have < 0)
		add(r, name, WARN, "check the btf line above", "cannot tell: no kernel types");
	else if (loss)
		add(r, name, WARN, "a newer kernel has it", "missing: optional, %s", loss);
	else if (!strncmp(sec, "tp/", 3))
		/* the loader leaves such a program out and the rest runs (bh_skip_missing_...) */
		add(r, name, WARN, "a newer kernel has it",
		    "missing: its program is not loaded and its events are not seen");
	else
		add(r, name, FAIL,
		    "upgrade the kernel: bulkhead needs Linux " BH_MIN_KERNEL " or newer",
		    "missing: the agent needs it");
}

static void check_attach_points(struct report *r)
{
	struct bh_probe_gap gap;
	int err;

	if (bh_probe_tracefs(&gap)) {
		add_gap(r, "tracefs", &gap);
		return;
	}
	add(r, "tracefs", OK, NULL, "mounted");
	err = bh_loader_programs(check_program, r);
	if (err)
		add(r, "programs", FAIL, "rebuild bulkhead (make)",
		    "cannot open the embedded BPF object: %s", strerror(-err));
}

static void check_kernel(struct report *r)
{
	struct utsname u;

	if (uname(&u))
		add(r, "kernel", WARN, NULL, "uname: %s", strerror(errno));
	else
		add(r, "kernel", OK, NULL,
		    "%s %s; bulkhead needs Linux " BH_MIN_KERNEL "+ with BTF (the helper lines "
		    "say what this one lacks)",
		    u.release, u.machine);
}

/*
 * Lockdown's confidentiality mode takes bpf_probe_read_kernel away from the verifier: the
 * helper probe (read_kernel: its verdict) tells it where securityfs is not mounted.
 */
static void check_lockdown(struct report *r, int read_kernel)
{
	char buf[128] = "";
	FILE *f = fopen(LOCKDOWN, "re");
	char *mode, *end;

	if (!f && read_kernel > 0) {
		add(r, "lockdown", OK, NULL,
		    "%s unreadable (%s), but BPF may read kernel memory (the helper probe)",
		    LOCKDOWN, strerror(errno));
		return;
	}
	if (!f) {
		add(r, "lockdown", WARN, "mount -t securityfs securityfs /sys/kernel/security",
		    "%s unreadable (%s)", LOCKDOWN, strerror(errno));
		return;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	mode = strchr(buf, '[');
	end = mode ? strchr(mode, ']') : NULL;
	if (!end) {
		add(r, "lockdown", WARN, NULL, "unreadable mode in %s", LOCKDOWN);
		return;
	}
	*end = '\0';
	mode++;
	/* confidentiality denies bpf_probe_read_kernel: no task, cgroup or socket field is read */
	if (!strcmp(mode, "confidentiality"))
		add(r, "lockdown", FAIL,
		    "boot with lockdown=integrity (or none): the programs read kernel memory",
		    "confidentiality: BPF may not read kernel memory");
	else
		add(r, "lockdown", OK, NULL, "%s", mode);
}

static void check_cgroups(struct report *r, const char *root)
{
	struct bh_cgroups cg;

	if (bh_cgroups_open(&cg, root)) {
		add(r, "cgroup", FAIL,
		    "mount the host's /sys/fs/cgroup (at <host-root>/sys/fs/cgroup)",
		    "no cgroup hierarchy found%s%s", *root ? " under " : "", root);
		return;
	}
	if (cg.v2.fd >= 0 && cg.v1.fd >= 0)
		add(r, "cgroup", OK, NULL, "hybrid: v2 at %s, v1 %s at %s", cg.v2.mnt,
		    cg.v1_controller, cg.v1.mnt);
	else if (cg.v2.fd >= 0)
		add(r, "cgroup", OK, NULL, "v2 at %s", cg.v2.mnt);
	else
		add(r, "cgroup", OK, NULL, "v1 %s at %s", cg.v1_controller, cg.v1.mnt);
	bh_cgroups_close(&cg);
}

/* The runtimes' bundle directories: containers are described from them. */
static void check_state_dirs(struct report *r, const char *root)
{
	char path[4096], name[128];
	int found = 0;

	for (int i = 0; i < BH_STATE_DIRS; i++) {
		const struct bh_state_dir *s = &bh_state_dirs[i];
		struct dirent *de;
		struct stat st;
		int entries = 0;
		DIR *d;

		snprintf(path, sizeof(path), "%s%s", root, s->path);
		snprintf(name, sizeof(name), "state-dir:%s", s->path);
		if (stat(path, &st) && errno == ENOENT)
			continue; /* that runtime does not run here */
		d = opendir(path);
		if (!d) {
			add(r, name, FAIL,
			    "mount the runtime's state directory read-only at its host path under "
			    "--host-root, and grant CAP_DAC_READ_SEARCH",
			    "%s: %s: %s containers cannot be described", path, strerror(errno),
			    s->runtime);
			continue;
		}
		while ((de = readdir(d)))
			entries += de->d_name[0] != '.';
		closedir(d);
		add(r, name, OK, NULL, "%s (%s): %d entr%s", path, s->runtime, entries,
		    entries == 1 ? "y" : "ies");
		found++;
	}
	if (!found)
		add(r, "state-dir", WARN,
		    "mount /run/containerd, /run/docker and /run/containers of the host under "
		    "--host-root",
		    "no runtime state directory under %s/run: containers will carry ids only",
		    root);
}

/* 1 when something listens on the unix socket at path, else -errno. */
static int socket_answers(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	close(fd);
	return err ? err : 1;
}

/* The API sockets the resolver asks, and the runtime sockets the policy knows. */
static void check_sockets(struct report *r, const struct bh_doctor_opts *o, const char *root)
{
	const struct {
		const char *runtime, *given, *dflt;
	} apis[] = {
		{ "docker", o->docker_socket, BH_DOCKER_SOCKET_DEFAULT },
		{ "podman", o->podman_socket, BH_PODMAN_SOCKET_DEFAULT },
	};
	struct bh_policy *p = bh_policy_default();
	char path[4096], name[96], found[1024] = "";

	for (size_t i = 0; !o->no_docker_api && i < sizeof(apis) / sizeof(apis[0]); i++) {
		int err;

		if (apis[i].given)
			snprintf(path, sizeof(path), "%s", apis[i].given);
		else
			snprintf(path, sizeof(path), "%s%s", root, apis[i].dflt);
		snprintf(name, sizeof(name), "api:%s", apis[i].runtime);
		err = socket_answers(path);
		if (err > 0)
			add(r, name, OK, NULL, "%s answers: container names and ports from it",
			    path);
		else if (err == -ENOENT)
			add(r, name, OK, NULL, "%s absent: %s is not running here", path,
			    apis[i].runtime);
		else
			add(r, name, WARN,
			    "start the service, or pass --no-docker-api (bundles only: no names)",
			    "%s: %s", path, strerror(-err));
	}
	for (size_t i = 0; p && i < p->n_runtime_sockets; i++) {
		const char *s = p->runtime_sockets[i];
		struct stat st;
		size_t len = strlen(found);

		if (s[0] != '/' || strpbrk(s, "*?["))
			continue; /* a basename or a glob: nothing to look at */
		snprintf(path, sizeof(path), "%s%s", root, s);
		if (!stat(path, &st) && S_ISSOCK(st.st_mode))
			snprintf(found + len, sizeof(found) - len, "%s%s", len ? ", " : "", s);
	}
	bh_policy_free(p);
	if (found[0])
		add(r, "runtime-sockets", OK, NULL, "found %s", found);
	else
		add(r, "runtime-sockets", WARN, "mount the host's /run under --host-root",
		    "no container runtime socket found under %s/: is a runtime running here?",
		    root);
}

static void check_compat(struct report *r)
{
	struct bh_compat_facts facts;
	struct bh_compat_verdict v;
	int err = bh_compat_facts_read(&facts);

	if (err) {
		add(r, "ia32", WARN, NULL, "cannot probe: %s", strerror(-err));
		return;
	}
	bh_compat_judge(&facts, &v);
	bh_compat_facts_free(&facts);
	if (!v.possible)
		add(r, "ia32", OK, NULL, "compat syscalls impossible here (%s)", v.why);
	else if (v.watchable)
		add(r, "ia32", OK, NULL,
		    "compat syscalls possible, watched by tp_btf/sys_exit when it loads (%s)",
		    v.why);
	else
		add(r, "ia32", WARN, "boot with ia32_emulation=0 where no 32-bit program runs",
		    "compat syscalls possible and NOT watched (%s)", v.why);
}

static void check_memlock(struct report *r)
{
	struct rlimit rl;
	int memcg;

	if (getrlimit(RLIMIT_MEMLOCK, &rl)) {
		add(r, "memlock", WARN, NULL, "getrlimit: %s", strerror(errno));
		return;
	}
	if (rl.rlim_cur == RLIM_INFINITY) {
		add(r, "memlock", OK, NULL, "RLIMIT_MEMLOCK unlimited");
		return;
	}
	/* libbpf's own test: a 5.11+ kernel charges BPF memory to the memory cgroup instead */
	memcg = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_ktime_get_coarse_ns,
					NULL);
	if (memcg > 0)
		add(r, "memlock", OK, NULL,
		    "RLIMIT_MEMLOCK %llu KiB, unused: the kernel charges BPF memory to the memory "
		    "cgroup",
		    (unsigned long long)rl.rlim_cur / 1024);
	else
		add(r, "memlock", FAIL, "raise it (ulimit -l unlimited, LimitMEMLOCK=infinity)",
		    "RLIMIT_MEMLOCK %llu KiB limits the 8 MiB ring buffer and maps",
		    (unsigned long long)rl.rlim_cur / 1024);
}

/* The server and the socket are opened for real, as the agent will, and closed again. */
static void check_endpoints(struct report *r, const struct bh_doctor_opts *o)
{
	struct bh_stream *stream;
	struct bh_http *http;
	int err;

	if (o->http_addr) {
		err = bh_http_start(o->http_addr, &http);
		if (err) {
			add(r, "http", FAIL,
			    "stop what listens there, or pass another --http ADDR:PORT (or "
			    "--no-http)",
			    "cannot listen on %s: %s", o->http_addr, strerror(-err));
		} else {
			add(r, "http", OK, NULL, "%s can be bound", o->http_addr);
			bh_http_stop(http);
		}
	}
	if (o->socket_path) {
		err = bh_stream_open(o->socket_path, &stream);
		if (err) {
			add(r, "event-socket", FAIL,
			    "pass --socket PATH in a writable directory (or --no-socket); a live "
			    "one "
			    "is another agent's",
			    "cannot create %s: %s", o->socket_path, strerror(-err));
		} else {
			add(r, "event-socket", OK, NULL, "%s can be created", o->socket_path);
			bh_stream_close(stream);
		}
	}
}

static void print_text(const struct report *r, bool can_run)
{
	for (int i = 0; i < r->n; i++) {
		const struct check *c = &r->checks[i];

		printf("%-4s  %-36s %s%s%s\n", status_names[c->status], c->name, c->detail,
		       c->fix[0] ? "; fix: " : "", c->fix);
	}
	printf("%s\n", can_run ? "bulkhead can run here"
			       : "bulkhead cannot run here: fix the "
				 "fail lines above");
}

static void print_json(const struct report *r, bool can_run)
{
	struct bh_json w;

	bh_json_init(&w);
	bh_json_obj_begin(&w);
	bh_json_key_int(&w, "schema", 1);
	bh_json_key_str(&w, "type", "doctor");
	bh_json_key_bool(&w, "can_run", can_run);
	bh_json_key(&w, "checks");
	bh_json_arr_begin(&w);
	for (int i = 0; i < r->n; i++) {
		const struct check *c = &r->checks[i];

		bh_json_obj_begin(&w);
		bh_json_key_str(&w, "check", c->name);
		bh_json_key_str(&w, "status", status_names[c->status]);
		bh_json_key_str(&w, "detail", c->detail);
		if (c->fix[0])
			bh_json_key_str(&w, "fix", c->fix);
		bh_json_obj_end(&w);
	}
	bh_json_arr_end(&w);
	bh_json_obj_end(&w);
	bh_json_newline(&w);
	fwrite(bh_json_data(&w), 1, bh_json_len(&w), stdout);
	bh_json_free(&w);
}

int bh_doctor_run(const struct bh_doctor_opts *o)
{
	const char *root = o->host_root ? o->host_root : "";
	struct report *r = calloc(1, sizeof(*r));
	bool can_run = true;
	int read_kernel;

	if (!r) {
		fprintf(stderr, "bulkhead: doctor: out of memory\n");
		return 1;
	}
	check_privileges(r);
	check_kernel(r);
	check_btf(r, o->btf_path);
	read_kernel = check_bpf_features(r);
	check_attach_points(r);
	check_lockdown(r, read_kernel);
	check_memlock(r);
	check_compat(r);
	check_cgroups(r, root);
	check_state_dirs(r, root);
	check_sockets(r, o, root);
	check_endpoints(r, o);
	for (int i = 0; i < r->n; i++)
		can_run &= r->checks[i].status != FAIL;
	if (o->json)
		print_json(r, can_run);
	else
		print_text(r, can_run);
	btf__free(r->btf);
	free(r);
	return can_run ? 0 : 1;
}
