// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_hooks.c - loads the real BPF programs, triggers each hooked syscall, checks every field. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include <cmocka.h>
#include <bpf/libbpf.h>

#include "bpf_test.h"
#include "core/event.h"
#include "collector/loader.h"
#include "core/log.h"

/*
 * Records are written by the BPF program inside the syscall, before it returns:
 * once a child has been reaped, all its records are in the ring buffer and a
 * non-blocking ring_buffer__consume() collects them. No test waits on a clock.
 */

#define MAX_TRACKED 64

struct rec {
	struct bh_event ev;
	unsigned char *data;
};

static struct {
	struct bh_loader *loader;
	struct ring_buffer *rb;
	__u32 host_ns[BH_NS_KINDS];
	bool skip;		    /* BPF cannot load here and it is not required */
	pid_t tracked[MAX_TRACKED]; /* processes whose records we keep */
	int ntracked;
	struct rec *recs;
	size_t nrecs, cap;
	char tmpdir[64];
	char comm[16]; /* ours, which forked children keep until they exec */
	/* BULKHEAD_TEST_SYS_EXIT=1: facts that attach the raw sys_exit dispatcher; else NULL */
	const struct bh_compat_facts *facts;
} T;

static bool tracked(__u32 tgid)
{
	for (int i = 0; i < T.ntracked; i++)
		if ((__u32)T.tracked[i] == tgid)
			return true;
	return false;
}

static void track(pid_t pid)
{
	if (T.ntracked < MAX_TRACKED)
		T.tracked[T.ntracked++] = pid;
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct bh_hdr *h = data;
	struct rec *r;

	(void)ctx;
	if (size < sizeof(*h) || !(tracked(h->tgid) || tracked(h->ppid)))
		return 0;
	if (T.nrecs == T.cap) {
		T.cap = T.cap ? 2 * T.cap : 64;
		T.recs = realloc(T.recs, T.cap * sizeof(*T.recs));
		assert_non_null(T.recs);
	}
	r = &T.recs[T.nrecs];
	r->data = malloc(size);
	assert_non_null(r->data);
	memcpy(r->data, data, size);
	/* every record the kernel writes must pass the user-space validator */
	assert_int_equal(bh_event_decode(r->data, size, &r->ev), 0);
	T.nrecs++;
	return 0;
}

static void drain(void)
{
	assert_true(ring_buffer__consume(T.rb) >= 0);
}

static void clear(void)
{
	drain();
	for (size_t i = 0; i < T.nrecs; i++)
		free(T.recs[i].data);
	T.nrecs = 0;
	T.ntracked = 0;
}

/* The n-th (0-based) record of a type from process tgid, or NULL. */
static const struct bh_event *find(unsigned int type, pid_t tgid, int n)
{
	for (size_t i = 0; i < T.nrecs; i++) {
		const struct bh_hdr *h = T.recs[i].ev.hdr;

		if (h->type == type && h->tgid == (__u32)tgid && n-- == 0)
			return &T.recs[i].ev;
	}
	return NULL;
}

static int count(unsigned int type, pid_t tgid)
{
	int n = 0;

	while (find(type, tgid, n))
		n++;
	return n;
}

static void assert_str(struct bh_str s, const char *want, size_t want_len)
{
	assert_int_equal(s.len, want_len);
	if (want_len)
		assert_memory_equal(s.ptr, want, want_len);
}

#define assert_cstr(s, want) assert_str((s), (want), strlen(want))

/* Runs fn in a child process (tracked), reaps it, and collects its records. */
static pid_t run_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	track(pid);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	drain();
	return pid;
}

/*
 * Runs fn in a child (as run_child) with the write end of a pipe as its arg,
 * then reads the size bytes of answer it wrote there.
 */
static pid_t run_child_answer(int (*fn)(void *), void *answer, size_t size)
{
	int p[2];
	pid_t child;

	assert_int_equal(pipe(p), 0);
	child = run_child(fn, &p[1]);
	assert_int_equal(read(p[0], answer, size), size);
	close(p[0]);
	close(p[1]);
	return child;
}

static __u64 status_hex(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	unsigned long long v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = strtoull(line + klen + 1, NULL, 16);
	fclose(f);
	assert_true(v != ~0ULL);
	return v;
}

static __u32 ns_ino(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	assert_int_equal(stat(path, &st), 0);
	return (__u32)st.st_ino;
}

static const char *const ns_names[BH_NS_KINDS] = {
	"mnt", "pid_for_children", "net", "ipc", "uts", "cgroup", "user", "time_for_children",
};

/*
 * The mount point of a cgroup hierarchy in dir: fs is "cgroup2", or "cgroup"
 * with controller among the mount options. False when it is not mounted.
 */
static bool cgroup_mount(const char *fs, const char *controller, char dir[256])
{
	char line[512], path[256], opts[256], type[32], want[64];
	FILE *f = fopen("/proc/self/mounts", "r");

	assert_non_null(f);
	*dir = '\0';
	snprintf(want, sizeof(want), ",%s,", controller);
	while (fgets(line, sizeof(line), f) && !*dir) {
		char o[260];

		if (sscanf(line, "%*s %255s %31s %255s", path, type, opts) != 3 || strcmp(type, fs))
			continue;
		snprintf(o, sizeof(o), ",%s,", opts);
		if (!*controller || strstr(o, want))
			snprintf(dir, 256, "%s", path);
	}
	fclose(f);
	return *dir;
}

/*
 * The kernfs id of our cgroup in a hierarchy: the inode of its directory. The
 * path comes from the /proc/self/cgroup line whose controller field matches.
 * 0 when that hierarchy is not mounted.
 */
static __u64 cgroup_ino(const char *fs, const char *controller)
{
	char line[512], dir[256], path[1024];
	struct stat st;
	FILE *f;

	if (!cgroup_mount(fs, controller, dir))
		return 0;
	f = fopen("/proc/self/cgroup", "r");
	assert_non_null(f);
	*path = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *cg = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!cg)
			continue;
		*cg++ = '\0';
		cg[strcspn(cg, "\n")] = '\0';
		if (!strcmp(ctl + 1, controller))
			assert_true((size_t)snprintf(path, sizeof(path), "%s%s", dir, cg) <
				    sizeof(path));
	}
	fclose(f);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* The hierarchy id of a v1 controller: the first field of its /proc/self/cgroup line. */
static __u32 v1_hierarchy_id(const char *controller)
{
	char line[512];
	int id = -1;
	FILE *f = fopen("/proc/self/cgroup", "r");

	assert_non_null(f);
	while (id < 0 && fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *end = ctl ? strchr(ctl + 1, ':') : NULL;

		if (end && (size_t)(end - ctl - 1) == strlen(controller) &&
		    !strncmp(ctl + 1, controller, strlen(controller)))
			id = atoi(line);
	}
	fclose(f);
	assert_true(id > 0);
	return (__u32)id;
}

/* Header fields every record of a direct child of ours carries. */
static void assert_child_hdr(const struct bh_hdr *h, pid_t child, const char *comm)
{
	assert_int_equal(h->pid, child);
	assert_int_equal(h->tgid, child);
	assert_int_equal(h->ppid, getpid());
	assert_int_equal(h->uid, getuid());
	assert_int_equal(h->euid, geteuid());
	assert_int_equal(h->pid_ns, ns_ino("pid"));
	assert_int_equal(h->net_ns, ns_ino("net"));
	assert_true(h->ts_ns > 0);
	assert_int_equal(h->cgroup_id, cgroup_ino("cgroup2", ""));
	if (cgroup_ino("cgroup", "memory")) /* else a pure v2 host: nothing to compare */
		assert_int_equal(h->cgroup_v1_id, cgroup_ino("cgroup", "memory"));
	assert_true(h->size >= bh_event_fixed_size(h->type));
	assert_string_equal(h->comm, comm);
}

/* ---- exec ---------------------------------------------------------------- */

static int do_exec(void *arg)
{
	char *const *argv = arg;

	execv("/bin/true", argv);
	return 127;
}

static void test_exec(void **state)
{
	char *argv[] = { "true", "alpha", "beta gamma", NULL };
	static const char args[] = "true\0alpha\0beta gamma";
	char exe[PATH_MAX];
	const struct bh_event *ev;
	const struct bh_exec *e;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	assert_non_null(realpath("/bin/true", exe)); /* /bin is a symlink on merged-/usr */
	child = run_child(do_exec, argv);

	ev = find(BH_EV_EXEC, child, 0);
	assert_non_null(ev);
	e = BH_EVENT_AS(ev, bh_exec);
	assert_child_hdr(&e->hdr, child, "true");
	assert_int_equal(e->hdr.mnt_ns, ns_ino("mnt"));
	assert_int_equal(e->hdr.ret, 0);
	assert_cstr(ev->exe, exe);
	assert_cstr(ev->str[0], "/bin/true");
	assert_str(ev->str[1], args, sizeof(args) - 1);
	assert_int_equal(e->argc, 3);
	assert_int_equal(e->hdr.trunc, 0);
	assert_int_equal(e->gid, getgid());
	assert_int_equal(e->egid, getegid());
	/* root exec: permitted = effective = the bounding set (no file caps, no securebits) */
	assert_int_equal(e->hdr.cap_effective, status_hex("CapBnd"));
	assert_int_equal(e->cap_permitted, status_hex("CapBnd"));
	assert_int_equal(e->cap_inheritable, status_hex("CapInh"));
	assert_int_equal(e->before_valid, 1);
	assert_int_equal(e->uid_before, getuid());
	assert_int_equal(e->euid_before, geteuid());
	assert_int_equal(e->cap_effective_before, status_hex("CapEff"));
	assert_int_equal(e->secureexec, 0);
	assert_int_equal(e->no_new_privs, status_hex("NoNewPrivs"));
	assert_int_equal(e->seccomp_mode, status_hex("Seccomp"));
}

static void *exec_in_thread(void *arg)
{
	do_exec(arg);
	return NULL;
}

/* A thread other than the leader execs: de_thread() gives it the leader's id. */
static int do_exec_from_thread(void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, exec_in_thread, arg))
		return 126;
	pthread_join(t, NULL); /* returns only if exec failed */
	return 127;
}

static void test_exec_from_thread(void **state)
{
	char *argv[] = { "true", NULL };
	const struct bh_event *ev;
	const struct bh_exec *e;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	child = run_child(do_exec_from_thread, argv);

	ev = find(BH_EV_EXEC, child, 0);
	assert_non_null(ev);
	e = BH_EVENT_AS(ev, bh_exec);
	assert_child_hdr(&e->hdr, child, "true");
	/* the snapshot its sys_enter_execve took, under the thread's own id then */
	assert_int_equal(e->before_valid, 1);
	assert_int_equal(e->uid_before, getuid());
	assert_int_equal(e->cap_effective_before, status_hex("CapEff"));
}

static void test_exec_many_args(void **state)
{
	char *argv[21];
	char want[256];
	size_t wlen = 0;
	const struct bh_event *ev;
	const struct bh_exec *e;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	argv[0] = "true";
	for (int i = 1; i < 20; i++) {
		static char bufs[20][8];

		snprintf(bufs[i], sizeof(bufs[i]), "a%d", i);
		argv[i] = bufs[i];
	}
	argv[20] = NULL;
	for (int i = 0; i < BH_ARGC_MAX; i++) {
		size_t n = strlen(argv[i]) + 1;

		memcpy(want + wlen, argv[i], n);
		wlen += n;
	}
	child = run_child(do_exec, argv);

	ev = find(BH_EV_EXEC, child, 0);
	assert_non_null(ev);
	e = BH_EVENT_AS(ev, bh_exec);
	assert_int_equal(e->argc, 20);
	assert_int_equal(e->hdr.trunc, BH_TRUNC_ARGC);
	assert_str(ev->str[1], want, wlen - 1);
}

/* ---- setns --------------------------------------------------------------- */

/* arg: the write end of a pipe for the two uts namespaces it made. */
static int do_setns(void *arg)
{
	__u32 inos[2];
	int old = open("/proc/self/ns/uts", O_RDONLY);
	int host = open("/proc/2/ns/uts", O_RDONLY);

	if (old < 0 || host < 0 || unshare(CLONE_NEWUTS))
		return 1;
	inos[0] = ns_ino("uts");
	if (setns(old, CLONE_NEWUTS) || unshare(CLONE_NEWUTS)) /* record 0: back to the old one */
		return 2;
	inos[1] = ns_ino("uts");
	if (setns(host, CLONE_NEWUTS)) /* record 1: into the host's */
		return 3;
	if (setns(-1, CLONE_NEWUTS) != -1 || errno != EBADF) /* record 2: a failure */
		return 4;
	if (write(*(int *)arg, inos, sizeof(inos)) != sizeof(inos))
		return 5;
	return 0;
}

static void test_setns(void **state)
{
	__u32 inos[2], before[BH_NS_KINDS];
	const struct bh_setns *e;
	const struct bh_event *ev;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	for (int k = 0; k < BH_NS_KINDS; k++)
		before[k] = ns_ino(ns_names[k]);
	child = run_child_answer(do_setns, inos, sizeof(inos));

	assert_int_equal(count(BH_EV_SETNS, child), 3);
	/* back from a fresh uts namespace into ours: the fd names it */
	ev = find(BH_EV_SETNS, child, 0);
	e = BH_EVENT_AS(ev, bh_setns);
	assert_child_hdr(&e->hdr, child, T.comm);
	assert_int_equal(e->hdr.ret, 0);
	assert_int_equal(e->nstype, CLONE_NEWUTS);
	assert_int_equal(e->hdr.size, sizeof(*e) + ev->exe.len);
	for (int k = 0; k < BH_NS_KINDS; k++) {
		assert_int_equal(e->host_ns[k], T.host_ns[k]);
		assert_int_equal(e->ns_after[k], before[k]);
	}
	assert_int_equal(e->target_ns, before[BH_NS_UTS]);
	assert_int_equal(e->entered_mask, 1U << BH_NS_UTS);
	assert_int_equal(e->host_mask,
			 before[BH_NS_UTS] == T.host_ns[BH_NS_UTS] ? 1U << BH_NS_UTS : 0);
	/* into the host's uts namespace through /proc/2/ns/uts */
	e = BH_EVENT_AS(find(BH_EV_SETNS, child, 1), bh_setns);
	assert_int_equal(e->hdr.ret, 0);
	assert_int_equal(e->target_ns, T.host_ns[BH_NS_UTS]);
	assert_int_equal(e->ns_after[BH_NS_UTS], T.host_ns[BH_NS_UTS]);
	assert_int_equal(e->entered_mask, 1U << BH_NS_UTS);
	assert_int_equal(e->host_mask, 1U << BH_NS_UTS);
	/* a refused setns is reported with its error and set nothing */
	e = BH_EVENT_AS(find(BH_EV_SETNS, child, 2), bh_setns);
	assert_int_equal(e->hdr.ret, -EBADF);
	assert_int_equal(e->fd, -1);
	assert_int_equal(e->target_ns, 0);
	assert_int_equal(e->entered_mask, 0);
	assert_int_equal(e->host_mask, 0);
}

/* From a fresh uts namespace, back into the parent's uts and net through its pidfd. */
static int do_setns_pidfd(void *arg)
{
	int fd;

	(void)arg;
	if (unshare(CLONE_NEWUTS))
		return 1;
	fd = (int)syscall(SYS_pidfd_open, getppid(), 0);
	if (fd < 0)
		return 2;
	return setns(fd, CLONE_NEWUTS | CLONE_NEWNET) ? 3 : 0;
}

static void test_setns_pidfd(void **state)
{
	const struct bh_setns *e;
	__u32 uts = ns_ino("uts"), net = ns_ino("net"), host = 0;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	child = run_child(do_setns_pidfd, NULL);
	assert_int_equal(count(BH_EV_SETNS, child), 1);
	e = BH_EVENT_AS(find(BH_EV_SETNS, child, 0), bh_setns);
	assert_int_equal(e->hdr.ret, 0);
	assert_int_equal(e->target_ns, 0); /* a pidfd names no one namespace */
	assert_int_equal(e->entered_mask, (1U << BH_NS_UTS) | (1U << BH_NS_NET));
	assert_int_equal(e->ns_after[BH_NS_UTS], uts);
	assert_int_equal(e->ns_after[BH_NS_NET], net);
	if (uts == T.host_ns[BH_NS_UTS])
		host |= 1U << BH_NS_UTS;
	if (net == T.host_ns[BH_NS_NET])
		host |= 1U << BH_NS_NET;
	assert_int_equal(e->host_mask, host);
}

/* ---- mount family ---------------------------------------------------------- */

/* A path in the test's temporary directory (short: it must fit a sun_path). */
#define path_in(buf, name)                                                                         \
	assert_true((size_t)snprintf((buf), sizeof(buf), "%s/%s", T.tmpdir, (name)) < sizeof(buf))

/* Copies /bin/true into dir, so that an exec from a mount shows the path across it. */
/* Copies /bin/true into fd; 0 or -1. */
static int copy_true_to(int out)
{
	char buf[65536];
	int in = open("/bin/true", O_RDONLY);
	ssize_t n;

	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	return n < 0 ? -1 : 0;
}

static int copy_true(const char *dir)
{
	char dst[PATH_MAX];
	int out, err;

	if ((size_t)snprintf(dst, sizeof(dst), "%s/true", dir) >= sizeof(dst))
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0)
		return -1;
	err = copy_true_to(out);
	return close(out) || err ? -1 : 0;
}

static int exec_from(const char *dir)
{
	char path[PATH_MAX];
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if ((size_t)snprintf(path, sizeof(path), "%s/true", dir) >= sizeof(path))
			_exit(126);
		execl(path, "true", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The fds the mount calls of do_mounts returned, sent to the parent. */
struct mount_fds {
	int tree, fs, mnt;
};

/* arg: the write end of a pipe for its struct mount_fds. */
static int do_mounts(void *arg)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY, .propagation = MS_PRIVATE };
	struct mount_fds fds;

	path_in(a, "a");
	path_in(b, "b");
	path_in(c, "c");
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 1;
	if (mount("bhtmp", a, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m"))
		return 2;
	if (mount(a, b, NULL, MS_BIND, NULL))
		return 3;
	if (copy_true(a) || exec_from(a) || exec_from(b))
		return 4;
	fds.tree = open_tree(AT_FDCWD, a, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fds.tree < 0 || move_mount(fds.tree, "", AT_FDCWD, c, MOVE_MOUNT_F_EMPTY_PATH))
		return 5;
	fds.fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fds.fs < 0 || fsconfig(fds.fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return 6;
	fds.mnt = fsmount(fds.fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOEXEC);
	if (fds.mnt < 0)
		return 7;
	if (mount_setattr(AT_FDCWD, c, 0, &attr, sizeof(attr)))
		return 8;
	if (mount("none", "/nonexistent/bulkhead", "tmpfs", 0, NULL) != -1 || errno != ENOENT)
		return 9;
	return write(*(int *)arg, &fds, sizeof(fds)) == sizeof(fds) ? 0 : 10;
}

/* Runs do_mounts in a child (its directories made before) and returns the fds it got. */
static pid_t run_mounts(struct mount_fds *fds)
{
	static const char *const dirs[] = { "a", "b", "c" };
	char dir[PATH_MAX];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		path_in(dir, dirs[i]);
		assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
	}
	return run_child_answer(do_mounts, fds, sizeof(*fds));
}

static void assert_mount(const struct bh_event *ev, __u32 call, __s32 ret, const char *src,
			 const char *tgt, const char *fstype)
{
	const struct bh_mount *m;

	assert_non_null(ev);
	m = BH_EVENT_AS(ev, bh_mount);
	assert_int_equal(m->call, call);
	assert_int_equal(m->hdr.ret, ret);
	assert_cstr(ev->str[0], src);
	assert_cstr(ev->str[1], tgt);
	assert_cstr(ev->str[2], fstype);
	assert_int_equal(m->hdr.trunc, 0);
}

static void test_mount(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], exe[PATH_MAX + 8];
	const struct bh_event *ev;
	const struct bh_mount *m;
	struct mount_fds fds;
	int seen = 0;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	path_in(a, "a");
	path_in(b, "b");
	path_in(c, "c");
	child = run_mounts(&fds);

	assert_int_equal(count(BH_EV_MOUNT, child), 9);
	ev = find(BH_EV_MOUNT, child, 0);
	assert_mount(ev, BH_MOUNT_MOUNT, 0, "", "/", "");
	m = BH_EVENT_AS(ev, bh_mount);
	assert_child_hdr(&m->hdr, child, T.comm);
	assert_int_equal(m->flags, MS_REC | MS_PRIVATE);
	/* the header reads namespaces at exit: the child's new mount namespace */
	assert_int_not_equal(m->hdr.mnt_ns, ns_ino("mnt"));

	ev = find(BH_EV_MOUNT, child, 1);
	assert_mount(ev, BH_MOUNT_MOUNT, 0, "bhtmp", a, "tmpfs");
	assert_int_equal(BH_EVENT_AS(ev, bh_mount)->flags, MS_NOSUID | MS_NODEV);
	ev = find(BH_EV_MOUNT, child, 2);
	assert_mount(ev, BH_MOUNT_MOUNT, 0, a, b, "");
	assert_int_equal(BH_EVENT_AS(ev, bh_mount)->flags, MS_BIND);

	ev = find(BH_EV_MOUNT, child, 3);
	assert_mount(ev, BH_MOUNT_OPEN_TREE, fds.tree, a, "", ""); /* ret: the new fd */
	m = BH_EVENT_AS(ev, bh_mount);
	assert_int_equal(m->from_dfd, AT_FDCWD);
	assert_int_equal(m->flags, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	ev = find(BH_EV_MOUNT, child, 4);
	assert_mount(ev, BH_MOUNT_MOVE_MOUNT, 0, "", c, "");
	m = BH_EVENT_AS(ev, bh_mount);
	assert_int_equal(m->from_dfd, fds.tree);
	assert_int_equal(m->to_dfd, AT_FDCWD);
	assert_int_equal(m->flags, MOVE_MOUNT_F_EMPTY_PATH);

	ev = find(BH_EV_MOUNT, child, 5);
	assert_mount(ev, BH_MOUNT_FSOPEN, fds.fs, "", "", "tmpfs");
	assert_int_equal(BH_EVENT_AS(ev, bh_mount)->flags, FSOPEN_CLOEXEC);

	ev = find(BH_EV_MOUNT, child, 6);
	assert_mount(ev, BH_MOUNT_FSMOUNT, fds.mnt, "", "", "");
	m = BH_EVENT_AS(ev, bh_mount);
	assert_int_equal(m->from_dfd, fds.fs);
	assert_int_equal(m->flags, FSMOUNT_CLOEXEC);
	assert_int_equal(m->attr_set, MOUNT_ATTR_NOEXEC);

	ev = find(BH_EV_MOUNT, child, 7);
	assert_mount(ev, BH_MOUNT_MOUNT_SETATTR, 0, "", c, "");
	m = BH_EVENT_AS(ev, bh_mount);
	assert_int_equal(m->to_dfd, AT_FDCWD);
	assert_int_equal(m->attr_set, MOUNT_ATTR_RDONLY);
	assert_int_equal(m->attr_clr, 0);
	assert_int_equal(m->propagation, MS_PRIVATE);

	assert_mount(find(BH_EV_MOUNT, child, 8), BH_MOUNT_MOUNT, -ENOENT, "none",
		     "/nonexistent/bulkhead", "tmpfs");

	/* exe paths cross mounts: the same file through the tmpfs and through its bind */
	assert_int_equal(count(BH_EV_EXEC, child), 0);
	for (size_t r = 0; r < T.nrecs; r++) {
		const struct bh_hdr *h = T.recs[r].ev.hdr;

		if (h->type != BH_EV_EXEC || h->ppid != (__u32)child)
			continue;
		assert_true((size_t)snprintf(exe, sizeof(exe), "%s/true", seen == 0 ? a : b) <
			    sizeof(exe));
		assert_cstr(T.recs[r].ev.exe, exe);
		assert_cstr(T.recs[r].ev.str[0], exe);
		seen++;
	}
	assert_int_equal(seen, 2);
}

/* ---- capset -------------------------------------------------------------- */

/* capset(2) of the current sets without cap in effective (cap < 0: as they are). */
static int capset_clear(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (cap >= 0)
		data[cap / 32].effective &= ~(1U << (cap % 32));
	return (int)syscall(SYS_capset, &hdr, data);
}

static void *capset_thread(void *arg)
{
	(void)arg;
	return (void *)(long)capset_clear(CAP_NET_RAW);
}

/*
 * A forked child, not seen at exec: its first capset (re-applying its sets)
 * has no known before; its second (dropping SYS_ADMIN) has the first's sets
 * as before; a new thread's (dropping NET_RAW) has its leader's.
 */
static int do_capset(void *arg)
{
	pthread_t th;
	void *ret;

	(void)arg;
	if (capset_clear(-1))
		return 1;
	if (capset_clear(CAP_SYS_ADMIN))
		return 2;
	if (pthread_create(&th, NULL, capset_thread, NULL) || pthread_join(th, &ret) || ret)
		return 3;
	return 0;
}

static void test_capset(void **state)
{
	const struct bh_capset *e;
	const struct bh_event *ev;
	__u64 eff = status_hex("CapEff"), prm = status_hex("CapPrm"), inh = status_hex("CapInh");
	__u64 admin = 1ULL << CAP_SYS_ADMIN, raw = 1ULL << CAP_NET_RAW;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	assert_true(eff & admin);
	assert_true(eff & raw);
	child = run_child(do_capset, NULL);
	assert_int_equal(count(BH_EV_CAPSET, child), 3);
	ev = find(BH_EV_CAPSET, child, 0);
	e = BH_EVENT_AS(ev, bh_capset);
	assert_child_hdr(&e->hdr, child, T.comm);
	assert_int_equal(e->hdr.ret, 0);
	assert_int_equal(e->hdr.size, sizeof(*e) + ev->exe.len);
	assert_int_equal(e->before_known, 0);
	assert_int_equal(e->effective, eff);
	assert_int_equal(e->target_pid, 0);

	e = BH_EVENT_AS(find(BH_EV_CAPSET, child, 1), bh_capset);
	assert_int_equal(e->before_known, 1);
	assert_int_equal(e->effective_before, eff);
	assert_int_equal(e->permitted_before, prm);
	assert_int_equal(e->inheritable_before, inh);
	assert_int_equal(e->effective, eff & ~admin);
	assert_int_equal(e->permitted, prm);
	assert_int_equal(e->inheritable, inh);
	assert_int_equal(e->hdr.cap_effective, eff & ~admin);

	/* the thread: its own first capset, its leader's sets as before */
	e = BH_EVENT_AS(find(BH_EV_CAPSET, child, 2), bh_capset);
	assert_true(e->hdr.pid != (__u32)child);
	assert_int_equal(e->before_known, 1);
	assert_int_equal(e->effective_before, eff & ~admin);
	assert_int_equal(e->effective, eff & ~admin & ~raw);
}

/* ---- connect, bind, listen ------------------------------------------------ */

static int connect_to(int family, int type, const void *sa, socklen_t len)
{
	int fd = socket(family, type, 0);

	if (fd < 0)
		return -1;
	return connect(fd, sa, len) ? -errno : fd;
}

static int do_connect_unix(void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *abstract = arg;

	path_in(sun.sun_path, "link");
	if (connect_to(AF_UNIX, SOCK_STREAM, &sun, sizeof(sun)) < 0)
		return 1;
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path + 1, abstract, strlen(abstract));
	if (connect_to(AF_UNIX, SOCK_STREAM, &sun,
		       offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abstract)) < 0)
		return 2;
	return 0;
}

static void test_connect_unix(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char sock[PATH_MAX], link[PATH_MAX], abstract[64], at[80];
	const struct bh_connect *c;
	const struct bh_event *ev;
	int l1, l2;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	path_in(sock, "sock");
	path_in(link, "link");
	snprintf(abstract, sizeof(abstract), "bulkhead-test-%d", getpid());
	snprintf(at, sizeof(at), "@%s", abstract);
	l1 = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, sock);
	assert_int_equal(bind(l1, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(l1, 4), 0);
	assert_int_equal(symlink(sock, link), 0);
	l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path + 1, abstract, strlen(abstract));
	assert_int_equal(bind(l2, (struct sockaddr *)&sun,
			      offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abstract)),
			 0);
	assert_int_equal(listen(l2, 4), 0);

	child = run_child(do_connect_unix, abstract);
	close(l1);
	close(l2);

	assert_int_equal(count(BH_EV_CONNECT, child), 2);
	ev = find(BH_EV_CONNECT, child, 0);
	c = BH_EVENT_AS(ev, bh_connect);
	assert_child_hdr(&c->hdr, child, T.comm);
	assert_int_equal(c->hdr.ret, 0);
	assert_int_equal(c->family, AF_UNIX);
	assert_int_equal(c->sock_type, SOCK_STREAM);
	assert_true(c->fd >= 0);
	assert_cstr(ev->str[0], sock); /* the path the listener bound, not the symlink */
	assert_cstr(ev->str[1], link);
	assert_int_equal(c->hdr.trunc, 0);

	ev = find(BH_EV_CONNECT, child, 1);
	c = BH_EVENT_AS(ev, bh_connect);
	assert_int_equal(c->hdr.ret, 0);
	assert_cstr(ev->str[0], at);
	assert_cstr(ev->str[1], at);
}

/*
 * The sockaddr a caller passes is copied to the BPF stack: no byte past its
 * addrlen may reach the record. The stack holds what the kernel left there
 * (on the kernel this was written on, bytes of kernel pointers from the
 * connect path), so a stale byte shows as a longer name, a cut one or an
 * address the caller never passed.
 */
#define SHORT_NAME "abc"

static int do_connect_short(void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(0x1234) };
	int fd;

	(void)arg;
	/* a name of 3 bytes, no NUL, the sockaddr cut right after it */
	memcpy(sun.sun_path, SHORT_NAME, strlen(SHORT_NAME));
	connect_to(AF_UNIX, SOCK_STREAM, &sun,
		   offsetof(struct sockaddr_un, sun_path) + strlen(SHORT_NAME));
	/* a name filling sun_path, no NUL: the kernel takes all 108 bytes */
	memset(sun.sun_path, 'p', sizeof(sun.sun_path));
	connect_to(AF_UNIX, SOCK_STREAM, &sun, sizeof(sun));
	/* family and port only (refused): the address bytes were never passed */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	connect(fd, (struct sockaddr *)&sin, offsetof(struct sockaddr_in, sin_addr));
	return 0;
}

static void test_connect_short_sockaddr(void **state)
{
	static const __u8 none[16];
	char full[BH_UNIX_PATH_MAX];
	const struct bh_connect *c;
	const struct bh_event *ev;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	child = run_child(do_connect_short, NULL);
	assert_int_equal(count(BH_EV_CONNECT, child), 3);

	ev = find(BH_EV_CONNECT, child, 0);
	c = BH_EVENT_AS(ev, bh_connect);
	assert_int_equal(c->family, AF_UNIX);
	assert_int_equal(ev->str[0].len, 0); /* no peer */
	assert_cstr(ev->str[1], SHORT_NAME);
	assert_int_equal(c->hdr.trunc, 0);

	ev = find(BH_EV_CONNECT, child, 1);
	c = BH_EVENT_AS(ev, bh_connect);
	memset(full, 'p', sizeof(full));
	assert_str(ev->str[1], full, sizeof(full));
	assert_int_equal(c->hdr.trunc, 0); /* all of it, nothing cut */

	ev = find(BH_EV_CONNECT, child, 2);
	c = BH_EVENT_AS(ev, bh_connect);
	assert_int_equal(c->family, AF_INET);
	assert_int_equal(c->port, 0x1234);
	assert_memory_equal(c->addr, none, sizeof(none));
}

struct inet_arg {
	__u16 open_port;
	__u16 closed_port;
};

static int do_connect_inet(void *arg)
{
	const struct inet_arg *a = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	sin.sin_port = htons(a->open_port);
	if (connect_to(AF_INET, SOCK_STREAM, &sin, sizeof(sin)) < 0)
		return 1;
	sin.sin_port = htons(a->closed_port);
	if (connect_to(AF_INET, SOCK_STREAM, &sin, sizeof(sin)) != -ECONNREFUSED)
		return 2;
	return 0;
}

/* A bound loopback TCP socket; *port gets its port. Listening if listening. */
static int loopback(bool listening, __u16 *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	if (listening)
		assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void test_connect_inet(void **state)
{
	static const __u8 lo[4] = { 127, 0, 0, 1 };
	struct inet_arg a;
	const struct bh_connect *c;
	const struct bh_event *ev;
	int l, closed;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	l = loopback(true, &a.open_port);
	/* bound, never listening: a connect to it is refused */
	closed = loopback(false, &a.closed_port);
	child = run_child(do_connect_inet, &a);
	close(l);
	close(closed);

	assert_int_equal(count(BH_EV_CONNECT, child), 2);
	ev = find(BH_EV_CONNECT, child, 0);
	c = BH_EVENT_AS(ev, bh_connect);
	assert_child_hdr(&c->hdr, child, T.comm);
	assert_int_equal(c->hdr.ret, 0);
	assert_int_equal(c->family, AF_INET);
	assert_int_equal(c->sock_type, SOCK_STREAM);
	assert_int_equal(c->port, a.open_port);
	assert_memory_equal(c->addr, lo, 4);
	assert_int_equal(ev->str[0].len, 0);
	assert_int_equal(ev->str[1].len, 0);
	assert_int_equal(c->hdr.size, sizeof(*c) + ev->exe.len);

	c = BH_EVENT_AS(find(BH_EV_CONNECT, child, 1), bh_connect);
	assert_int_equal(c->hdr.ret, -ECONNREFUSED);
	assert_int_equal(c->port, a.closed_port);
	assert_memory_equal(c->addr, lo, 4);
}

/* The listener do_bind_listen made: its fd and the port the kernel chose. */
struct listener {
	int fd;
	__u16 port;
};

/*
 * An IPv6 loopback listener, then two binds that make no record: the same
 * socket again (EINVAL) and a unix socket (not inet). arg: the write end of a
 * pipe for its struct listener.
 */
static int do_bind_listen(void *arg)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sin6);
	struct listener l = { .fd = socket(AF_INET6, SOCK_STREAM, 0) };
	int u = socket(AF_UNIX, SOCK_STREAM, 0);

	if (l.fd < 0 || bind(l.fd, (struct sockaddr *)&sin6, sizeof(sin6)) || listen(l.fd, 4))
		return 1;
	if (getsockname(l.fd, (struct sockaddr *)&sin6, &len))
		return 2;
	l.port = ntohs(sin6.sin6_port);
	if (bind(l.fd, (struct sockaddr *)&sin6, sizeof(sin6)) != -1 || errno != EINVAL)
		return 3;
	path_in(sun.sun_path, "bound.sock");
	if (u < 0 || bind(u, (struct sockaddr *)&sun, sizeof(sun)) || unlink(sun.sun_path))
		return 4;
	return write(*(int *)arg, &l, sizeof(l)) == sizeof(l) ? 0 : 5;
}

static void test_bind_listen(void **state)
{
	const struct bh_sock *s;
	struct listener l;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	child = run_child_answer(do_bind_listen, &l, sizeof(l));

	for (unsigned int type = BH_EV_BIND; type <= BH_EV_LISTEN; type++) {
		assert_int_equal(count(type, child), 1);
		s = BH_EVENT_AS(find(type, child, 0), bh_sock);
		assert_child_hdr(&s->hdr, child, T.comm);
		assert_int_equal(s->hdr.ret, 0);
		assert_int_equal(s->family, AF_INET6);
		assert_int_equal(s->sock_type, SOCK_STREAM);
		assert_int_equal(s->port, l.port);
		assert_memory_equal(s->addr, &in6addr_loopback, 16);
		assert_int_equal(s->fd, l.fd);
	}
}

/* ---- self filter and counters -------------------------------------------- */

static int filtered_consume(void *ctx, void *data, size_t size)
{
	const struct bh_hdr *h = data;

	if (size >= sizeof(*h) && h->tgid == (__u32)getpid())
		(*(int *)ctx)++;
	return 0;
}

static void test_self_filter(void **state)
{
	struct bh_loader_opts opts = { .self_tgid = (__u32)getpid() };
	struct bh_loader *self_filtered;
	struct ring_buffer *rb;
	int ours = 0;

	(void)state;
	if (T.skip)
		skip();
	memcpy(opts.host_ns, T.host_ns, sizeof(opts.host_ns));
	opts.ringbuf_bytes = 1 << 20;
	assert_int_equal(bh_loader_start(&opts, &self_filtered), 0);
	rb = ring_buffer__new(bh_loader_events_fd(self_filtered), filtered_consume, &ours, NULL);
	assert_non_null(rb);

	track(getpid());
	assert_int_equal(setns(-1, CLONE_NEWUTS), -1); /* seen by the unfiltered loader only */
	assert_true(ring_buffer__consume(rb) >= 0);
	drain();
	assert_int_equal(ours, 0);
	assert_int_equal(count(BH_EV_SETNS, getpid()), 1);

	ring_buffer__free(rb);
	bh_loader_stop(self_filtered);
}

static void test_counters(void **state)
{
	struct bh_counters sum, *per_cpu;
	int ncpus = libbpf_num_possible_cpus();
	__u64 emitted = 0;

	(void)state;
	if (T.skip)
		skip();
	assert_true(ncpus > 0);
	per_cpu = calloc((size_t)ncpus, sizeof(*per_cpu));
	assert_non_null(per_cpu);
	assert_int_equal(bh_loader_counters(T.loader, &sum, per_cpu, ncpus), 0);
	for (int i = 0; i < ncpus; i++)
		emitted += per_cpu[i].emitted;
	assert_int_equal(emitted, sum.emitted);
	assert_true(sum.emitted > 0);
	assert_int_equal(sum.drops, 0);
	free(per_cpu);
}

/*
 * Failed reads are counted at their site, summed over CPUs. Deliberate faults
 * in a child: a capset header and a connect sockaddr at an unmapped address
 * (the kernel's EFAULT is still recorded). The counters are machine-wide: other
 * processes' reads may fail meanwhile, so only these two sites are compared,
 * and nothing else makes those reads fail.
 */
#define BAD_PTR ((void *)8)

static int do_bad_pointers(void *arg)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)arg;
	if (syscall(SYS_capset, BAD_PTR, BAD_PTR) != -1 || errno != EFAULT)
		return 1;
	if (connect(fd, BAD_PTR, sizeof(struct sockaddr_un)) != -1 || errno != EFAULT)
		return 2;
	return 0;
}

static void test_read_error_sites(void **state)
{
	__u64 before[BH_READ_SITES], after[BH_READ_SITES];
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	/* the tests above fail no read */
	assert_int_equal(bh_loader_read_errors(T.loader, before), 0);
	for (unsigned int i = 0; i < BH_READ_SITES; i++)
		assert_int_equal(before[i], 0);
	child = run_child(do_bad_pointers, NULL);
	assert_int_equal(count(BH_EV_CAPSET, child), 1);
	assert_int_equal(count(BH_EV_CONNECT, child), 1);
	assert_int_equal(bh_loader_read_errors(T.loader, after), 0);
	assert_int_equal(after[BH_READ_CAPSET_HEADER] - before[BH_READ_CAPSET_HEADER], 1);
	assert_int_equal(after[BH_READ_CONNECT_SOCKADDR] - before[BH_READ_CONNECT_SOCKADDR], 1);
}

/* ---- exec from a memfd or an unlinked file -------------------------------- */

/* Execs the file open at *(int *)arg through the fd (execveat AT_EMPTY_PATH). */
static int do_fexec(void *arg)
{
	char *const argv[] = { "true", NULL }, *const envp[] = { NULL };

	syscall(SYS_execveat, *(int *)arg, "", argv, envp, AT_EMPTY_PATH);
	return 127;
}

/* runc runs from a memfd: the exe names it like /proc/PID/exe does, not "/". */
static void test_exec_memfd(void **state)
{
	const struct bh_event *ev;
	int fd;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	fd = (int)syscall(SYS_memfd_create, "bh_cloned:/proc/self/exe", 0);
	assert_true(fd >= 0);
	assert_int_equal(copy_true_to(fd), 0);
	child = run_child(do_fexec, &fd);
	close(fd);
	ev = find(BH_EV_EXEC, child, 0);
	assert_non_null(ev);
	assert_cstr(ev->exe, "/memfd:bh_cloned:/proc/self/exe (deleted)");
	assert_int_equal(ev->hdr->trunc & BH_TRUNC_EXE, 0);
}

/* An unlinked executable keeps its path, marked as d_path() does. */
static void test_exec_deleted(void **state)
{
	char path[PATH_MAX], real[PATH_MAX + 16];
	const struct bh_event *ev;
	int fd;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	path_in(path, "gone");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(copy_true_to(fd), 0);
	close(fd); /* no writer left, or exec fails with ETXTBSY */
	assert_non_null(realpath(path, real));
	strcat(real, " (deleted)");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	child = run_child(do_fexec, &fd);
	close(fd);
	ev = find(BH_EV_EXEC, child, 0);
	assert_non_null(ev);
	assert_cstr(ev->exe, real);
}

/* ---- default-mode filters -------------------------------------------------- */

/* Records of tracked processes seen by a second, filtering loader. */
static struct {
	int n;
	struct {
		__u32 type;
		__s32 ret;
		__u32 call;			 /* mount: BH_MOUNT_* */
		__u16 port;			 /* bind, listen */
		char peer[BH_UNIX_PATH_MAX + 1]; /* connect */
	} r[32];
} F;

static int on_filtered(void *ctx, void *data, size_t size)
{
	struct bh_event ev;

	(void)ctx;
	assert_int_equal(bh_event_decode(data, size, &ev), 0);
	if (!tracked(ev.hdr->tgid) || F.n == 32)
		return 0;
	F.r[F.n].type = ev.hdr->type;
	F.r[F.n].ret = ev.hdr->ret;
	F.r[F.n].call = ev.hdr->type == BH_EV_MOUNT ? BH_EVENT_AS(&ev, bh_mount)->call : 0;
	F.r[F.n].port = ev.hdr->type == BH_EV_BIND || ev.hdr->type == BH_EV_LISTEN
				? BH_EVENT_AS(&ev, bh_sock)->port
				: 0;
	F.r[F.n].peer[0] = '\0';
	if (ev.hdr->type == BH_EV_CONNECT)
		snprintf(F.r[F.n].peer, sizeof(F.r[0].peer), "%.*s", (int)ev.str[0].len,
			 ev.str[0].ptr);
	F.n++;
	return 0;
}

/* Checks that the filtering loader saw record i as type (and ret, call or port). */
static void assert_filtered(int i, __u32 type, __s32 ret, __u32 call, __u16 port)
{
	assert_true(i < F.n);
	assert_int_equal(F.r[i].type, type);
	assert_int_equal(F.r[i].ret, ret);
	assert_int_equal(F.r[i].call, call);
	assert_int_equal(F.r[i].port, port);
}

/* connect to each NULL-terminated unix path in arg, then to a closed loopback TCP port. */
static int do_connect_each(void *arg)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char *const *paths = arg;

	for (; *paths; paths++) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", *paths);
		if (connect_to(AF_UNIX, SOCK_STREAM, &sun, sizeof(sun)) < 0)
			return 1;
	}
	sin.sin_port = htons(1); /* tcpmux: refused, still one connect */
	connect_to(AF_INET, SOCK_STREAM, &sin, sizeof(sin));
	return 0;
}

static int unix_listener(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 8), 0);
	return fd;
}

/*
 * With every type filtered, only what a rule could judge reaches the ring; the
 * group's unfiltered loader (filter_mask 0, as with --events all) sees it all.
 */
static int do_exec_path(void *path)
{
	execl(path, "true", (char *)NULL);
	return 127;
}

static void test_filters(void **state)
{
	static const char *const host_programs[] = { "dockerd", "containerd", NULL };
	struct bh_loader_opts opts = { .filter_mask = ~0U,
				       .wakeup_us = BH_WAKEUP_US,
				       .host_programs = host_programs };
	char *const socks[] = { "/var/run/docker.sock", "bh-runtime.sock" };
	char runtime[PATH_MAX], other[PATH_MAX], daemon[PATH_MAX], called[PATH_MAX];
	char *paths[] = { runtime, other, NULL };
	struct bh_loader *l;
	struct ring_buffer *rb;
	struct mount_fds fds;
	struct listener lst;
	__u32 inos[2];
	int l1, l2, fd, i, want_setns;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	memcpy(opts.host_ns, T.host_ns, sizeof(opts.host_ns));
	opts.v1_controller = "memory";
	opts.ringbuf_bytes = 1 << 20;
	opts.compat_facts = T.facts;
	assert_int_equal(bh_loader_start(&opts, &l), 0);
	rb = ring_buffer__new(bh_loader_events_fd(l), on_filtered, NULL, NULL);
	assert_non_null(rb);
	assert_int_equal(bh_loader_set_runtime_sockets(l, socks, 2), 0);
	F.n = 0;

	/* setns: of three calls only entries into a host namespace pass */
	child = run_child_answer(do_setns, inos, sizeof(inos));
	assert_true(ring_buffer__consume(rb) >= 0);
	want_setns = 1 + (ns_ino("uts") == T.host_ns[BH_NS_UTS]);
	assert_int_equal(count(BH_EV_SETNS, child), 3);
	assert_int_equal(F.n, want_setns);
	for (i = 0; i < F.n; i++)
		assert_filtered(i, BH_EV_SETNS, 0, 0, 0);

	/*
	 * capset: the first call of a thread not seen before passes (user space
	 * judges its sets); the calls that only drop a capability do not. A
	 * failing mount does not.
	 */
	F.n = 0;
	child = run_child(do_capset, NULL);
	assert_int_equal(count(BH_EV_CAPSET, child), 3);
	assert_int_equal(mount("none", "/nonexistent/bulkhead", "tmpfs", 0, NULL), -1);
	track(getpid());
	drain();
	assert_true(find(BH_EV_MOUNT, getpid(), 0) != NULL);
	assert_true(ring_buffer__consume(rb) >= 0);
	assert_int_equal(F.n, 1);
	assert_filtered(0, BH_EV_CAPSET, 0, 0, 0);

	/*
	 * mount family: every call that took effect passes, the fds fsopen,
	 * fsmount and open_tree return included (a detached fsmount is judged by
	 * its fsopen alone); the one that failed does not.
	 */
	F.n = 0;
	child = run_mounts(&fds);
	assert_true(ring_buffer__consume(rb) >= 0);
	assert_int_equal(count(BH_EV_MOUNT, child), 9);
	assert_int_equal(F.n, 8);
	assert_filtered(0, BH_EV_MOUNT, 0, BH_MOUNT_MOUNT, 0);
	assert_filtered(1, BH_EV_MOUNT, 0, BH_MOUNT_MOUNT, 0);
	assert_filtered(2, BH_EV_MOUNT, 0, BH_MOUNT_MOUNT, 0);
	assert_filtered(3, BH_EV_MOUNT, fds.tree, BH_MOUNT_OPEN_TREE, 0);
	assert_filtered(4, BH_EV_MOUNT, 0, BH_MOUNT_MOVE_MOUNT, 0);
	assert_filtered(5, BH_EV_MOUNT, fds.fs, BH_MOUNT_FSOPEN, 0);
	assert_filtered(6, BH_EV_MOUNT, fds.mnt, BH_MOUNT_FSMOUNT, 0);
	assert_filtered(7, BH_EV_MOUNT, 0, BH_MOUNT_MOUNT_SETATTR, 0);

	/* bind and listen: a listener's two calls pass (a failed or a unix bind makes none) */
	F.n = 0;
	child = run_child_answer(do_bind_listen, &lst, sizeof(lst));
	assert_true(ring_buffer__consume(rb) >= 0);
	assert_int_equal(count(BH_EV_BIND, child) + count(BH_EV_LISTEN, child), 2);
	assert_int_equal(F.n, 2);
	assert_filtered(0, BH_EV_BIND, 0, 0, lst.port);
	assert_filtered(1, BH_EV_LISTEN, 0, 0, lst.port);

	/* connect: a runtime socket's name passes; another name and TCP do not */
	F.n = 0;
	path_in(runtime, "bh-runtime.sock");
	path_in(other, "other.sock");
	l1 = unix_listener(runtime);
	l2 = unix_listener(other);
	child = run_child(do_connect_each, paths);
	assert_true(ring_buffer__consume(rb) >= 0);
	assert_int_equal(count(BH_EV_CONNECT, child), 3);
	assert_int_equal(F.n, 1);
	assert_filtered(0, BH_EV_CONNECT, 0, 0, 0);
	assert_string_equal(F.r[0].peer, runtime);

	/* a glob basename cannot be matched in the kernel: every unix peer passes */
	F.n = 0;
	assert_int_equal(bh_loader_set_runtime_sockets(l, (char *const[]){ "/run/*.sock" }, 1), 0);
	run_child(do_connect_each, paths);
	assert_true(ring_buffer__consume(rb) >= 0);
	assert_int_equal(F.n, 2);

	/* a cgroup user space found to hold no container: nothing of it passes */
	F.n = 0;
	assert_int_equal(
		bh_loader_host_cgroup(l, cgroup_ino("cgroup2", ""), cgroup_ino("cgroup", "memory")),
		0);
	child = run_child(do_connect_each, paths);
	assert_true(ring_buffer__consume(rb) >= 0);
	assert_int_equal(count(BH_EV_CONNECT, child), 3);
	assert_int_equal(F.n, 0);

	/*
	 * and of its execs only those of a host program: by the file's own name
	 * (a copy named dockerd) or by the name it is called by (a symlink).
	 */
	child = run_child(do_exec_path, "/bin/true");
	assert_int_equal(count(BH_EV_EXEC, child), 1);
	path_in(daemon, "dockerd");
	fd = open(daemon, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(copy_true_to(fd), 0);
	assert_int_equal(close(fd), 0);
	path_in(called, "containerd");
	assert_int_equal(symlink("/bin/true", called), 0);
	run_child(do_exec_path, daemon);
	run_child(do_exec_path, called);
	assert_true(ring_buffer__consume(rb) >= 0);
	assert_int_equal(F.n, 2);
	assert_filtered(0, BH_EV_EXEC, 0, 0, 0);
	assert_filtered(1, BH_EV_EXEC, 0, 0, 0);

	/* a host listener passes still: daemon-tcp-without-tls judges host processes too */
	F.n = 0;
	run_child_answer(do_bind_listen, &lst, sizeof(lst));
	assert_true(ring_buffer__consume(rb) >= 0);
	for (i = 0; i < F.n && F.r[i].type != BH_EV_LISTEN; i++)
		;
	assert_filtered(i, BH_EV_LISTEN, 0, 0, lst.port);

	close(l1);
	close(l2);
	ring_buffer__free(rb);
	bh_loader_stop(l);
}

/* ---- fixtures ------------------------------------------------------------- */

static int do_mkdir(void *arg)
{
	return mkdir(arg, 0755) ? errno : 0;
}

/*
 * mkdir of a cgroup in the v2 tree and in the v1 memory hierarchy (the one the
 * loader was told): one record each, with the id its tasks would carry (the
 * directory's inode), the path from the hierarchy root and the hierarchy id.
 */
static void test_cgroup_mkdir(void **state)
{
	static const struct {
		const char *fs, *controller;
	} hiers[] = { { "cgroup2", "" }, { "cgroup", "memory" } };
	int tested = 0;

	(void)state;
	if (T.skip)
		skip();
	for (size_t i = 0; i < sizeof(hiers) / sizeof(hiers[0]); i++) {
		char mnt[256], dir[512], name[64];
		const struct bh_cgroup_rec *rec;
		const struct bh_event *ev;
		struct stat st;
		pid_t child;

		if (!cgroup_mount(hiers[i].fs, hiers[i].controller, mnt))
			continue;
		snprintf(name, sizeof(name), "/bh-test-%d", (int)getpid());
		snprintf(dir, sizeof(dir), "%s%s", mnt, name);
		child = run_child(do_mkdir, dir);
		assert_int_equal(stat(dir, &st), 0);
		assert_int_equal(rmdir(dir), 0);
		assert_int_equal(count(BH_EV_CGROUP, child), 1);
		ev = find(BH_EV_CGROUP, child, 0);
		rec = BH_EVENT_AS(ev, bh_cgroup_rec);
		assert_child_hdr(&rec->hdr, child, T.comm);
		assert_int_equal(rec->id, st.st_ino);
		assert_int_equal(rec->level, 1);
		assert_int_equal(rec->hierarchy_id,
				 *hiers[i].controller ? v1_hierarchy_id(hiers[i].controller) : 0);
		assert_cstr(ev->str[0], name);
		assert_false(rec->hdr.trunc);
		clear();
		tested++;
	}
	assert_true(tested > 0);
}

/* ---- compat syscalls (x86 ia32) -------------------------------------------- */

/*
 * An ia32 syscall through int $0x80 from this 64-bit process. The kernel takes
 * the low 32 bits of each register, so the high ones get garbage, which the BPF
 * side must drop too (else a pointer reads elsewhere, or the number matches
 * nothing). The kernel zeroes r8-r11 on the way back.
 */
#define HIGH_GARBAGE 0xdead000000000000UL

static long int80(long nr, unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr | HIGH_GARBAGE), "b"(a | HIGH_GARBAGE), "c"(b | HIGH_GARBAGE),
			   "d"(c | HIGH_GARBAGE), "S"(d | HIGH_GARBAGE), "D"(HIGH_GARBAGE)
			 : "r8", "r9", "r10", "r11", "memory");
	return ret;
}

/* arch/x86/entry/syscalls/syscall_32.tbl and uapi linux/net.h */
#define IA32_MOUNT	21
#define IA32_SOCKETCALL 102
#define IA32_CAPSET	185
#define IA32_SETNS	346
#define IA32_BIND	361
#define IA32_CONNECT	362
#define IA32_LISTEN	363
#define SOCKCALL_BIND	2
#define SOCKCALL_CONN	3
#define SOCKCALL_LISTEN 4
#define COMPAT_CALLS	9 /* made by do_compat */

/* What ia32 calls point at: it must lie below 4 GiB (MAP_32BIT). */
struct ia32_mem {
	char src[16], fstype[16], tgt[PATH_MAX];
	struct sockaddr_un sun;
	struct sockaddr_in sin;
	__u32 sockargs[3];
	struct __user_cap_header_struct cap_hdr;
	struct __user_cap_data_struct cap[2];
};

/* A loopback TCP socket bound and listening through ia32 calls: socketcall, or direct. */
static int ia32_listener(struct ia32_mem *m, bool socketcall)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned long sin = (unsigned long)&m->sin, args = (unsigned long)m->sockargs;

	if (!socketcall)
		return int80(IA32_BIND, fd, sin, sizeof(m->sin), 0) ||
		       int80(IA32_LISTEN, fd, 4, 0, 0);
	m->sockargs[0] = fd;
	m->sockargs[1] = (__u32)sin;
	m->sockargs[2] = sizeof(m->sin);
	if (int80(IA32_SOCKETCALL, SOCKCALL_BIND, args, 0, 0))
		return -1;
	m->sockargs[1] = 4; /* listen(fd, backlog) */
	return int80(IA32_SOCKETCALL, SOCKCALL_LISTEN, args, 0, 0);
}

/*
 * Each hooked kind once through int $0x80: setns (EBADF), mount (ENODEV: no
 * such fstype), capset (re-applying its sets), connect to arg's unix path
 * directly and through socketcall, bind and listen both ways. 0 when every
 * call returned what the kernel should.
 */
static int do_compat(void *arg)
{
	struct ia32_mem *m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	int fd;

	if (m == MAP_FAILED)
		return 1;
	if (int80(IA32_SETNS, -1, CLONE_NEWUTS, 0, 0) != -EBADF)
		return 2;
	strcpy(m->src, "bh-src");
	strcpy(m->fstype, "bh-nofs");
	snprintf(m->tgt, sizeof(m->tgt), "%s", T.tmpdir);
	if (int80(IA32_MOUNT, (unsigned long)m->src, (unsigned long)m->tgt,
		  (unsigned long)m->fstype, MS_NOSUID) != -ENODEV)
		return 3;
	m->cap_hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &m->cap_hdr, m->cap) ||
	    int80(IA32_CAPSET, (unsigned long)&m->cap_hdr, (unsigned long)m->cap, 0, 0))
		return 4;
	m->sun.sun_family = AF_UNIX;
	snprintf(m->sun.sun_path, sizeof(m->sun.sun_path), "%s", (const char *)arg);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (int80(IA32_CONNECT, fd, (unsigned long)&m->sun, sizeof(m->sun), 0))
		return 5;
	m->sockargs[0] = socket(AF_UNIX, SOCK_STREAM, 0);
	m->sockargs[1] = (__u32)(unsigned long)&m->sun;
	m->sockargs[2] = sizeof(m->sun);
	if (int80(IA32_SOCKETCALL, SOCKCALL_CONN, (unsigned long)m->sockargs, 0, 0))
		return 6;
	m->sin.sin_family = AF_INET;
	m->sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ia32_listener(m, false) || ia32_listener(m, true))
		return 7;
	return 0;
}

/* Whether this kernel runs int $0x80 (the probe's own answer, tried again here). */
static bool ia32_gate_open(void)
{
	struct bh_compat_facts f;
	bool open;

	assert_int_equal(bh_compat_facts_read(&f), 0);
	open = f.ia32 == BH_GATE_OPEN;
	bh_compat_facts_free(&f);
	return open;
}

/*
 * The per-syscall tracepoints do not see these calls (before bpf/sys_exit.bpf.c
 * none of them made a record); now each makes the record its 64-bit form makes,
 * marked BH_HDR_COMPAT_IA32. Only where int $0x80 works: where it faults (this
 * project's machines, some of them) no ia32 call can be made, so the test checks
 * the loader's choice alone (the program is left out, unless the facts given
 * attach it) and says so; test_compat_loader_choice checks the choice by facts.
 */
static void test_compat_ia32(void **state)
{
	char sock[PATH_MAX];
	__u64 eff = status_hex("CapEff");
	struct bh_counters before, after;
	const struct bh_event *ev;
	const struct bh_mount *m;
	const struct bh_setns *n;
	const struct bh_capset *c;
	const struct bh_connect *k;
	int l;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	if (!ia32_gate_open()) {
		assert_int_equal(bh_loader_compat(T.loader) == BH_COMPAT_WATCHED, T.facts != NULL);
		fprintf(stderr, "# int $0x80 does not run syscalls on this kernel: the loader's "
				"choice checked, no ia32 call can be made\n");
		return;
	}
	assert_int_equal(bh_loader_compat(T.loader), BH_COMPAT_WATCHED);
	path_in(sock, "ia32.sock");
	l = unix_listener(sock);
	assert_int_equal(bh_loader_counters(T.loader, &before, NULL, 0), 0);
	child = run_child(do_compat, sock);
	assert_int_equal(bh_loader_counters(T.loader, &after, NULL, 0), 0);
	close(l);
	/* machine-wide: other processes' compat calls may add to it */
	assert_true(after.compat_calls - before.compat_calls >= COMPAT_CALLS);

	assert_int_equal(count(BH_EV_SETNS, child), 1);
	ev = find(BH_EV_SETNS, child, 0);
	n = BH_EVENT_AS(ev, bh_setns);
	assert_child_hdr(&n->hdr, child, T.comm);
	assert_int_equal(n->hdr.flags, BH_HDR_COMPAT_IA32);
	assert_int_equal(n->hdr.ret, -EBADF);
	assert_int_equal(n->fd, -1);
	assert_int_equal(n->nstype, CLONE_NEWUTS);

	assert_int_equal(count(BH_EV_MOUNT, child), 1);
	ev = find(BH_EV_MOUNT, child, 0);
	assert_mount(ev, BH_MOUNT_MOUNT, -ENODEV, "bh-src", T.tmpdir, "bh-nofs");
	m = BH_EVENT_AS(ev, bh_mount);
	assert_int_equal(m->hdr.flags, BH_HDR_COMPAT_IA32);
	assert_int_equal(m->flags, MS_NOSUID);

	assert_int_equal(count(BH_EV_CAPSET, child), 1);
	c = BH_EVENT_AS(find(BH_EV_CAPSET, child, 0), bh_capset);
	assert_int_equal(c->hdr.flags, BH_HDR_COMPAT_IA32);
	assert_int_equal(c->hdr.ret, 0);
	assert_int_equal(c->effective, eff);
	assert_int_equal(c->target_pid, 0);

	/* int $0x80 connect, then socketcall(SYS_CONNECT) */
	assert_int_equal(count(BH_EV_CONNECT, child), 2);
	for (int i = 0; i < 2; i++) {
		ev = find(BH_EV_CONNECT, child, i);
		k = BH_EVENT_AS(ev, bh_connect);
		assert_int_equal(k->hdr.flags, BH_HDR_COMPAT_IA32);
		assert_int_equal(k->hdr.ret, 0);
		assert_int_equal(k->family, AF_UNIX);
		assert_true(k->fd >= 0);
		assert_cstr(ev->str[0], sock);
		assert_cstr(ev->str[1], sock);
	}
	for (unsigned int type = BH_EV_BIND; type <= BH_EV_LISTEN; type++) {
		assert_int_equal(count(type, child), 2);
		for (int i = 0; i < 2; i++) {
			const struct bh_sock *s = BH_EVENT_AS(find(type, child, i), bh_sock);

			assert_int_equal(s->hdr.flags, BH_HDR_COMPAT_IA32);
			assert_int_equal(s->family, AF_INET);
			assert_true(s->port > 0);
			assert_memory_equal(s->addr, &(in_addr_t){ htonl(INADDR_LOOPBACK) }, 4);
		}
	}
}

static int do_ia32_setns(void *arg)
{
	(void)arg;
	return int80(IA32_SETNS, -1, CLONE_NEWUTS, 0, 0) == -EBADF ? 0 : 1;
}

/* Records of tracked processes of one type, seen by another loader. */
static int count_in_ring(void *ctx, void *data, size_t size)
{
	const struct bh_hdr *h = data;

	if (size >= sizeof(*h) && tracked(h->tgid) && h->type == BH_EV_SETNS)
		(*(int *)ctx)++;
	return 0;
}

/*
 * The syscalls/sys_exit_* programs: mount, open_tree, move_mount, fsopen,
 * fsmount, mount_setattr, setns, capset, connect, bind, listen. Where the raw
 * sys_exit dispatcher runs, they stay unattached.
 */
#define NATIVE_EXIT_PROGS 11

/*
 * The loader's choice, from given facts: the program that costs every syscall
 * is left out where compat calls cannot happen (emulation built in, both gates
 * refused) or where it cannot see them (another machine), and the native exit
 * programs attach instead. Where int $0x80 runs here, an ia32 setns then
 * reaches the group's loader only.
 */
static void test_compat_loader_choice(void **state)
{
	static const struct {
		struct bh_compat_facts facts;
		enum bh_compat_state want;
	} cases[] = {
		{ { .machine = "x86_64",
		    .config = "CONFIG_IA32_EMULATION=y\n",
		    .ia32 = BH_GATE_CLOSED,
		    .x32 = BH_GATE_CLOSED },
		  BH_COMPAT_IMPOSSIBLE },
		{ { .machine = "aarch64" }, BH_COMPAT_UNWATCHED },
	};
	bool watched, gate;

	(void)state;
	if (T.skip)
		skip();
	watched = bh_loader_compat(T.loader) == BH_COMPAT_WATCHED;
	gate = ia32_gate_open();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bh_loader_opts opts = { .compat_facts = &cases[i].facts };
		struct ring_buffer *rb;
		struct bh_loader *l;
		int seen = 0;
		pid_t child;

		memcpy(opts.host_ns, T.host_ns, sizeof(opts.host_ns));
		opts.ringbuf_bytes = 1 << 20;
		assert_int_equal(bh_loader_start(&opts, &l), 0);
		assert_int_equal(bh_loader_compat(l), cases[i].want);
		if (watched)
			assert_int_equal(bh_loader_attached(l) + 1 - NATIVE_EXIT_PROGS,
					 bh_loader_attached(T.loader));
		else
			assert_int_equal(bh_loader_attached(l), bh_loader_attached(T.loader));
		rb = ring_buffer__new(bh_loader_events_fd(l), count_in_ring, &seen, NULL);
		assert_non_null(rb);
		if (gate) {
			child = run_child(do_ia32_setns, NULL);
			assert_true(ring_buffer__consume(rb) >= 0);
			assert_int_equal(seen, 0);
			assert_int_equal(count(BH_EV_SETNS, child), 1);
		}
		ring_buffer__free(rb);
		bh_loader_stop(l);
		clear();
	}
}

static int group_setup(void **state)
{
	/* nothing tried, nothing known: compat calls cannot be ruled out, the dispatcher runs */
	static const struct bh_compat_facts unknown = { .machine = "x86_64" };
	struct bh_loader_opts opts = { 0 };
	int err;

	(void)state;
	bh_log_setup(getenv("BULKHEAD_TEST_DEBUG") ? BH_LOG_DEBUG : BH_LOG_INFO, false);
	bh_log_bridge_libbpf();
	if (prctl(PR_GET_NAME, T.comm))
		return -1;
	snprintf(T.tmpdir, sizeof(T.tmpdir), "/tmp/bulkhead-hooks.XXXXXX");
	if (!mkdtemp(T.tmpdir))
		return -1;
	/* /proc/2/ns needs the same privileges as the programs: a failure is the same verdict */
	err = bh_host_namespaces(T.host_ns);
	memcpy(opts.host_ns, T.host_ns, sizeof(opts.host_ns));
	opts.v1_controller = "memory"; /* hdr.cgroup_v1_id is checked where v1 memory is mounted */
	if (getenv("BULKHEAD_TEST_SYS_EXIT"))
		T.facts = &unknown;
	opts.compat_facts = T.facts;
	if (!err)
		err = bh_loader_start(&opts, &T.loader);
	if (!err && T.facts && bh_loader_compat(T.loader) != BH_COMPAT_WATCHED) {
		fprintf(stderr,
			"BULKHEAD_TEST_SYS_EXIT=1: the sys_exit dispatcher is not attached\n");
		return -1;
	}
	if (err) {
		if (bh_test_bpf_required()) {
			fprintf(stderr,
				"BPF programs cannot load (%s) and BULKHEAD_REQUIRE_BPF=1 "
				"or CI=true: failing\n",
				strerror(-err));
			return -1;
		}
		fprintf(stderr,
			"# skipping: BPF programs cannot load here (%s); set "
			"BULKHEAD_REQUIRE_BPF=1 to make this a failure\n",
			strerror(-err));
		T.skip = true;
		return 0;
	}
	T.rb = ring_buffer__new(bh_loader_events_fd(T.loader), on_record, NULL, NULL);
	return T.rb ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	if (!T.skip)
		clear();
	free(T.recs);
	ring_buffer__free(T.rb);
	bh_loader_stop(T.loader);
	if ((size_t)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T.tmpdir) >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

static int test_teardown(void **state)
{
	(void)state;
	if (!T.skip)
		clear();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_exec, test_teardown),
		cmocka_unit_test_teardown(test_exec_from_thread, test_teardown),
		cmocka_unit_test_teardown(test_exec_many_args, test_teardown),
		cmocka_unit_test_teardown(test_exec_memfd, test_teardown),
		cmocka_unit_test_teardown(test_exec_deleted, test_teardown),
		cmocka_unit_test_teardown(test_setns, test_teardown),
		cmocka_unit_test_teardown(test_setns_pidfd, test_teardown),
		cmocka_unit_test_teardown(test_mount, test_teardown),
		cmocka_unit_test_teardown(test_capset, test_teardown),
		cmocka_unit_test_teardown(test_connect_unix, test_teardown),
		cmocka_unit_test_teardown(test_connect_inet, test_teardown),
		cmocka_unit_test_teardown(test_connect_short_sockaddr, test_teardown),
		cmocka_unit_test_teardown(test_bind_listen, test_teardown),
		cmocka_unit_test_teardown(test_self_filter, test_teardown),
		cmocka_unit_test_teardown(test_filters, test_teardown),
		cmocka_unit_test_teardown(test_cgroup_mkdir, test_teardown),
		cmocka_unit_test_teardown(test_compat_ia32, test_teardown),
		cmocka_unit_test_teardown(test_compat_loader_choice, test_teardown),
		/* last: the counters sum up everything the tests above emitted */
		cmocka_unit_test(test_counters),
		/* after the counters: it fails reads on purpose */
		cmocka_unit_test_teardown(test_read_error_sites, test_teardown),
	};

	return cmocka_run_group_tests_name("bpf_hooks", tests, group_setup, group_teardown);
}
