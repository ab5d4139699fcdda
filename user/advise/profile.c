// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * profile.c - the files `bulkhead advise` writes from what it learnt: a seccomp profile in
 * Docker's format, docker run flags, a Kubernetes securityContext patch; the summary on
 * stdout; and the merge of an earlier profile.
 */
#include "advice.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>
#include <linux/capability.h>

#include "syscalls.h"
#include "core/json_reader.h"
#include "core/log.h"
#include "output/output_json.h"

/*
 * runc (1.1) installs the profile in `runc init` before it executes the
 * workload (with no-new-privileges as late as it can; without, before it drops
 * capabilities): these calls then still run under the profile, and the
 * recorder does not see them (the runtime's set-up is left out). Found by
 * trying (tests/e2e/advise.bats runs the profiles it writes): runc checks that
 * /proc/self/fd is procfs (statfs, fstatfs) and marks every fd in it
 * close-on-exec (getdents64, fcntl), opens and writes its exec fifo, sets the
 * capabilities, and executes; the Go runtime's threads meanwhile park, wake,
 * signal and map memory (futex, nanosleep, rt_sig*, mmap, ...). Without statfs,
 * fstatfs or getdents64 runc fails with EPERM before the exec.
 */
const char *const bh_runtime_calls[] = {
	"execve",
	"futex",
	"nanosleep",
	"sched_yield",
	"getpid",
	"gettid",
	"tgkill",
	"rt_sigreturn",
	"rt_sigprocmask",
	"rt_sigaction",
	"sigaltstack",
	"mmap",
	"munmap",
	"madvise",
	"mprotect",
	"clone",
	"exit",
	"exit_group",
	"epoll_pwait",
	"epoll_ctl",
	"write",
	"read",
	"close",
	"openat",
	"fcntl",
	"fstat",
	"newfstatat",
	"capget",
	"capset",
	"prctl",
	"arch_prctl",
	"set_tid_address",
	"brk",
	"statfs",
	"fstatfs",
	"getdents64",
	NULL,
};

void bh_advice_add_port(struct bh_advice *a, __u16 port, __u16 family, bool stream)
{
	for (int i = 0; i < a->n_ports; i++)
		if (a->ports[i].port == port && a->ports[i].family == family &&
		    a->ports[i].stream == stream)
			return;
	if (a->n_ports == BH_ADVICE_PORTS) {
		a->ports_truncated = true;
		return;
	}
	a->ports[a->n_ports++] = (struct bh_advice_port){ port, family, stream };
}

/* Adds the names of one rule's "names" array (or old-style "name"). Unknown names: counted. */
static void merge_rule(struct bh_advice *a, struct json_object *rule, int *unknown)
{
	struct json_object *names = bh_jobj_get(rule, "names", json_type_array);
	const char *one = bh_jobj_str(rule, "name");
	size_t n = names ? json_object_array_length(names) : 0;

	for (size_t i = 0; i <= n; i++) {
		const char *name =
			i < n ? json_object_get_string(json_object_array_get_idx(names, i)) : one;
		int nr;

		if (!name)
			continue;
		nr = bh_syscall_nr(name);
		if (nr < 0)
			(*unknown)++;
		else
			bh_advice_set_call(a, (unsigned int)nr);
	}
}

int bh_advice_merge_file(struct bh_advice *a, const char *path)
{
	struct json_object *root = json_object_from_file(path), *rules;
	int unknown = 0;
	size_t n;

	if (!root) {
		bh_error("--merge %s: cannot read it as JSON: %s", path, json_util_get_last_err());
		return -EINVAL;
	}
	rules = bh_jobj_get(root, "syscalls", json_type_array);
	if (!json_object_is_type(root, json_type_object) || !rules) {
		bh_error("--merge %s: not a seccomp profile in Docker's format (no \"syscalls\" "
			 "list)",
			 path);
		json_object_put(root);
		return -EINVAL;
	}
	n = json_object_array_length(rules);
	for (size_t i = 0; i < n; i++) {
		struct json_object *rule = json_object_array_get_idx(rules, i);
		const char *action = bh_jobj_str(rule, "action");

		if (action && !strcmp(action, "SCMP_ACT_ALLOW"))
			merge_rule(a, rule, &unknown);
	}
	if (unknown)
		bh_warn("--merge %s: %d syscall names unknown on this architecture were left out",
			path, unknown);
	json_object_put(root);
	return 0;
}

/* The observed calls and the runtime's, as a bitmap. */
static void allowed_calls(const struct bh_advice *a, struct bh_advice *out)
{
	memcpy(out->calls, a->calls, sizeof(out->calls));
	for (size_t i = 0; bh_runtime_calls[i]; i++) {
		int nr = bh_syscall_nr(bh_runtime_calls[i]);

		if (nr >= 0)
			bh_advice_set_call(out, (unsigned int)nr);
	}
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The allowed calls' names, sorted: the profile is the same whatever order calls came in. */
static size_t allowed_names(const struct bh_advice *a, const char *names[BH_ADVISE_NR_MAX])
{
	struct bh_advice all;
	size_t n = 0;

	allowed_calls(a, &all);
	for (unsigned int nr = 0; nr < BH_ADVISE_NR_MAX; nr++)
		if (bh_advice_has_call(&all, nr) && bh_syscall_name(nr))
			names[n++] = bh_syscall_name(nr);
	qsort(names, n, sizeof(names[0]), cmp_names);
	return n;
}

int bh_advice_write_seccomp(const struct bh_advice *a, FILE *f)
{
	const char *names[BH_ADVISE_NR_MAX] = { NULL };
	size_t n = allowed_names(a, names);

	/* EPERM (1) for anything else, as Docker's default profile; x86-64 calls only (compat
	 * calls are not recorded: the architecture is left out, and the kernel refuses them) */
	fprintf(f, "{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"defaultErrnoRet\": 1,\n"
		   "\t\"archMap\": [\n\t\t{\n\t\t\t\"architecture\": \"SCMP_ARCH_X86_64\",\n"
		   "\t\t\t\"subArchitectures\": []\n\t\t}\n\t],\n"
		   "\t\"syscalls\": [\n\t\t{\n\t\t\t\"names\": [\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\t\t\t\t\"%s\"%s\n", names[i], i + 1 < n ? "," : "");
	fprintf(f, "\t\t\t],\n\t\t\t\"action\": \"SCMP_ACT_ALLOW\"\n\t\t}\n\t]\n}\n");
	return ferror(f) ? -EIO : 0;
}

/* "NET_BIND_SERVICE" for CAP_NET_BIND_SERVICE: docker's and Kubernetes' spelling. */
static const char *short_cap(unsigned int cap)
{
	const char *name = bh_cap_name(cap);

	return name ? name + strlen("CAP_") : "?";
}

static void write_flags(const struct bh_advice *a, const char *seccomp_path, FILE *f)
{
	const char *why[64];
	__u64 need = bh_caps_needed(a, why);

	fprintf(f, "--security-opt\nseccomp=%s\n--cap-drop\nALL\n", seccomp_path);
	for (unsigned int cap = 0; cap < 64; cap++)
		if (need & (1ULL << cap))
			fprintf(f, "--cap-add\n%s\n", short_cap(cap));
	if (a->rootfs_written == 0)
		fprintf(f, "--read-only\n");
	if (!a->setuid_exec)
		fprintf(f, "--security-opt\nno-new-privileges\n");
}

static void write_security_context(const struct bh_advice *a, FILE *f)
{
	const char *why[64];
	__u64 need = bh_caps_needed(a, why);
	bool first = true;

	fprintf(f,
		"# securityContext patch for %s, written by bulkhead advise: merge it into the\n"
		"# container's spec; copy seccomp.json to the node's kubelet seccomp directory as\n"
		"# bulkhead/%s.json\n",
		a->target, a->target);
	fprintf(f, "securityContext:\n  allowPrivilegeEscalation: %s\n",
		a->setuid_exec ? "true" : "false");
	if (a->rootfs_written >= 0)
		fprintf(f, "  readOnlyRootFilesystem: %s\n", a->rootfs_written ? "false" : "true");
	fprintf(f, "  capabilities:\n    drop: [\"ALL\"]\n    add: [");
	for (unsigned int cap = 0; cap < 64; cap++) {
		if (!(need & (1ULL << cap)))
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ", ", short_cap(cap));
		first = false;
	}
	fprintf(f,
		"]\n  seccompProfile:\n    type: Localhost\n"
		"    localhostProfile: bulkhead/%s.json\n",
		a->target);
}

/* Opens dir/name for writing; NULL logged. */
static FILE *open_out(const char *dir, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		bh_error("cannot write %s: %s", path, strerror(errno));
	return f;
}

/* Closes f, reporting a write error of path. */
static int close_out(FILE *f, const char *path)
{
	int err = ferror(f) ? -EIO : 0;

	if (fclose(f) && !err)
		err = -errno;
	if (err)
		bh_error("cannot write %s: %s", path, strerror(-err));
	return err;
}

int bh_advice_write(const struct bh_advice *a, const char *dir)
{
	char path[PATH_MAX + 32], seccomp_path[PATH_MAX + 32], abs_dir[PATH_MAX];
	FILE *f;
	int err;

	if (!realpath(dir, abs_dir)) {
		bh_error("-o %s: %s", dir, strerror(errno));
		return -errno;
	}
	f = open_out(abs_dir, "seccomp.json", seccomp_path, sizeof(seccomp_path));
	if (!f)
		return -EIO;
	bh_advice_write_seccomp(a, f);
	err = close_out(f, seccomp_path);
	if (err)
		return err;
	f = open_out(abs_dir, "flags.txt", path, sizeof(path));
	if (!f)
		return -EIO;
	write_flags(a, seccomp_path, f);
	err = close_out(f, path);
	if (err)
		return err;
	f = open_out(abs_dir, "securityContext.yaml", path, sizeof(path));
	if (!f)
		return -EIO;
	write_security_context(a, f);
	return close_out(f, path);
}

/* "CHOWN NET_RAW" for a mask, "none" for 0. */
static void print_caps(FILE *f, __u64 mask)
{
	if (!mask) {
		fprintf(f, " none");
		return;
	}
	for (unsigned int cap = 0; cap < 64; cap++)
		if (mask & (1ULL << cap))
			fprintf(f, " %s", short_cap(cap));
}

static const char *const seccomp_modes[] = { "none (unconfined)", "strict", "a filter" };

/* What changes against what the container runs with now (the kernel's view of it). */
static void print_diff(const struct bh_advice *a, __u64 need, size_t n_allowed, FILE *f)
{
	const struct bh_advice_now *now = &a->now;

	fprintf(f, "\nAgainst what it runs with now:\n");
	if (!now->known) {
		fprintf(f, "  unknown: no process of it was seen running\n");
		return;
	}
	fprintf(f, "  capabilities: now");
	print_caps(f, now->cap_bounding);
	fprintf(f, "\n    drop:");
	print_caps(f, now->cap_bounding & ~need);
	if (need & ~now->cap_bounding) {
		fprintf(f, "\n    add (it has them not, yet made calls that need them):");
		print_caps(f, need & ~now->cap_bounding);
	}
	fprintf(f, "\n  seccomp: now %s; advised: %zu calls allowed, the rest EPERM\n",
		now->seccomp_mode >= 0 && now->seccomp_mode <= 2 ? seccomp_modes[now->seccomp_mode]
								 : "unknown",
		n_allowed);
	fprintf(f, "  no-new-privileges: now %s; advised %s\n", now->no_new_privs ? "on" : "off",
		a->setuid_exec ? "off (a setuid exec happened)" : "on");
	fprintf(f, "  root filesystem: now %s; advised %s\n",
		now->readonly_rootfs ? "read-only" : "writable",
		a->rootfs_written == 0	 ? "read-only"
		: a->rootfs_written == 1 ? "writable (it wrote to it)"
					 : "unchanged (unknown whether it writes)");
}

void bh_advice_summary(const struct bh_advice *a, const char *dir, FILE *f)
{
	const char *names[BH_ADVISE_NR_MAX] = { NULL }, *why[64];
	size_t n_allowed = allowed_names(a, names);
	__u64 need = bh_caps_needed(a, why);
	int observed = 0;

	for (unsigned int nr = 0; nr < BH_ADVISE_NR_MAX; nr++)
		observed += bh_advice_has_call(a, nr);
	fprintf(f, "bulkhead advise: %s\n", a->target);
	fprintf(f, "\nSyscalls: %d made (merged runs included), %zu allowed with the runtime's",
		observed, n_allowed);
	if (dir)
		fprintf(f, "; profile: %s/seccomp.json", dir);
	fprintf(f, "\n ");
	for (unsigned int nr = 0; nr < BH_ADVISE_NR_MAX; nr++)
		if (bh_advice_has_call(a, nr) && bh_syscall_name(nr))
			fprintf(f, " %s", bh_syscall_name(nr));
	fprintf(f, "\n");
	if (a->flags & BH_ADVISE_COMPAT)
		fprintf(f, "  32-bit (ia32 or x32) calls were made: the profile does not allow "
			   "them\n");
	if (a->flags & BH_ADVISE_NR_HIGH)
		fprintf(f,
			"  calls numbered %d or above were made: the profile does not allow them\n",
			BH_ADVISE_NR_MAX);
	fprintf(f, "\nCapabilities needed (judged from the calls it made):");
	print_caps(f, need);
	fprintf(f, "\n");
	for (unsigned int cap = 0; cap < 64; cap++)
		if (why[cap])
			fprintf(f, "  %s: %.*s\n", short_cap(cap), (int)strcspn(why[cap], " "),
				why[cap]);
	fprintf(f,
		"Capabilities not judged (their checks are not visible from the calls;\n"
		"  %s%s):\n ",
		a->cap_hooks_why, a->cap_hooks ? "; bulkhead does not use these hooks yet" : "");
	print_caps(f, bh_caps_unjudged());
	fprintf(f, "\n  dropped by the advice all the same: add one back if the workload fails\n");
	fprintf(f, "\nPorts listened on:");
	if (!a->n_ports)
		fprintf(f, " none");
	for (int i = 0; i < a->n_ports; i++)
		fprintf(f, " %u/%s%s", a->ports[i].port, a->ports[i].stream ? "tcp" : "udp",
			a->ports[i].family == AF_INET6 ? "6" : "");
	fprintf(f, "%s\n", a->ports_truncated ? " (and more)" : "");
	fprintf(f, "Root filesystem written: %s%s%s\n",
		a->rootfs_written == 1	 ? "yes, e.g. "
		: a->rootfs_written == 0 ? "no: it can run --read-only"
					 : "unknown (its overlay upper dir was not found)",
		a->rootfs_written == 1 ? a->rootfs_first : "",
		a->rootfs_written == 1 ? ": it cannot run --read-only as it is" : "");
	fprintf(f, "Setuid exec: %s%s\n",
		a->setuid_exec ? "yes: no-new-privileges would stop "
			       : "none: it can run with "
				 "no-new-privileges",
		a->setuid_exec ? a->setuid_file : "");
	print_diff(a, need, n_allowed, f);
	if (dir)
		fprintf(f, "\nFiles: %s/seccomp.json, %s/flags.txt, %s/securityContext.yaml\n", dir,
			dir, dir);
}
