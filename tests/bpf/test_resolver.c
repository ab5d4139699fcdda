// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_resolver.c - the container resolver against real docker containers (root, dockerd). */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpf_test.h"
#include "container/cgroup.h"
#include "container/container.h"

#define IMAGE "local/busybox:1"

struct fixture {
	char name[64];
	char id[BH_CONTAINER_ID_LEN + 1];
	__u32 pid;
	__u64 v2_id; /* 0 when the runtime left the unified tree alone */
	__u64 v1_id;
	__u64 v2_root; /* id of the unified tree's root, where hybrid hosts leave tasks */
	struct bh_resolver *r;
	int n_new, n_gone;
	char gone_id[BH_CONTAINER_ID_LEN + 1];
	bool scanned;
};

/* First line of a command's output, without its newline. */
static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	int rc;

	if (!p)
		return -errno;
	if (!out || !fgets(out, (int)len, p)) {
		if (out)
			out[0] = '\0';
	}
	if (out)
		out[strcspn(out, "\n")] = '\0';
	rc = pclose(p);
	return rc == 0 ? 0 : -1;
}

static __u64 cgroup_id_of(const struct bh_cgroup_hier *h, const char *path)
{
	char full[4096];
	struct stat st;

	snprintf(full, sizeof(full), "%s%s", h->mnt, path);
	return stat(full, &st) ? 0 : st.st_ino;
}

static void on_new(const struct bh_container *c, void *ctx)
{
	struct fixture *f = ctx;

	if (!strcmp(c->id, f->id))
		f->n_new++;
}

static void on_gone(const struct bh_container *c, void *ctx)
{
	struct fixture *f = ctx;

	if (!strcmp(c->id, f->id)) {
		f->n_gone++;
		memcpy(f->gone_id, c->id, sizeof(f->gone_id));
	}
}

static int setup(void **state)
{
	struct bh_resolver_opts opts = { .host_root = "" };
	struct bh_cgroups cg;
	char cmd[256], out[128], path[4096];
	struct fixture *f;

	if (geteuid() != 0 || run("docker info >/dev/null 2>&1", NULL, 0)) {
		if (bh_test_bpf_required()) {
			fprintf(stderr, "test_resolver needs root and a running dockerd\n");
			return -1;
		}
		fprintf(stderr, "skipped: needs root and a running dockerd (start: dockerd &)\n");
		*state = NULL;
		return 0;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	snprintf(f->name, sizeof(f->name), "bh-test-resolver-%d", getpid());
	snprintf(cmd, sizeof(cmd),
		 "docker run -d --name %s --label team=test --cap-add NET_ADMIN %s sleep 600 2>&1",
		 f->name, IMAGE);
	if (run(cmd, f->id, sizeof(f->id)) || strlen(f->id) != BH_CONTAINER_ID_LEN) {
		fprintf(stderr, "docker run failed: %s\n", f->id);
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "docker inspect -f '{{.State.Pid}}' %s", f->name);
	if (run(cmd, out, sizeof(out)))
		return -1;
	f->pid = (__u32)strtoul(out, NULL, 10);

	if (bh_resolver_new(&opts, &f->r))
		return -1;
	bh_resolver_set_callbacks(f->r, on_new, on_gone, f);

	/* the ids the kernel reports: inode numbers of the container's cgroup dirs */
	if (bh_cgroups_open(&cg, ""))
		return -1;
	if (cg.v2.fd >= 0 && !bh_cgroup_proc_path("/proc", f->pid, NULL, path, sizeof(path)))
		f->v2_id = cgroup_id_of(&cg.v2, path);
	if (cg.v1.fd >= 0 &&
	    !bh_cgroup_proc_path("/proc", f->pid, cg.v1_controller, path, sizeof(path)))
		f->v1_id = cgroup_id_of(&cg.v1, path);
	f->v2_root = cg.v2.root_id;
	bh_cgroups_close(&cg);
	return f->v2_id || f->v1_id ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	if (!f)
		return 0;
	snprintf(cmd, sizeof(cmd), "docker rm -f %s >/dev/null 2>&1", f->name);
	run(cmd, NULL, 0);
	bh_resolver_free(f->r);
	free(f);
	return 0;
}

static bool has_label(const struct bh_container *c, const char *key, const char *value)
{
	for (size_t i = 0; i < c->n_labels; i++) {
		if (!strcmp(c->labels[i].key, key) && !strcmp(c->labels[i].value, value))
			return true;
	}
	return false;
}

static void check_container(const struct fixture *f, const struct bh_container *c)
{
	assert_non_null(c);
	assert_string_equal(c->id, f->id);
	assert_string_equal(c->runtime, "docker");
	assert_non_null(c->name);
	assert_string_equal(c->name, f->name);
	assert_string_equal(c->image, IMAGE);
	assert_non_null(c->bundle_path);
	assert_true(c->metadata_done);
	assert_true(c->config.known);
	assert_true(c->config.cap_bounding & (1ULL << 12)); /* CAP_NET_ADMIN */
	assert_true(c->config.seccomp);
	assert_true(has_label(c, "team", "test"));
}

static void test_lookup(void **state)
{
	struct fixture *f = *state;
	struct bh_resolver_stats st;
	const struct bh_container *c;
	const char *ctrl;

	if (!f)
		skip();
	ctrl = bh_resolver_v1_controller(f->r);
	/* a hybrid host (this one) has v1 hierarchies; the resolver follows one of them */
	if (f->v1_id)
		assert_non_null(ctrl);

	c = bh_resolver_lookup(f->r, f->v2_id, f->v1_id, f->pid);
	check_container(f, c);
	assert_int_equal(f->n_new, 1);
	/* cached: the same answer without a second on_new */
	assert_ptr_equal(bh_resolver_lookup(f->r, f->v2_id, f->v1_id, f->pid), c);
	assert_int_equal(f->n_new, 1);
	bh_resolver_get_stats(f->r, &st);
	assert_true(st.hits >= 1);
	assert_int_equal(st.containers, 1);
	assert_int_equal(st.api_errors, 0);

	/* each tree alone resolves to the same container (v1-only runtimes, pure v2 hosts) */
	if (f->v1_id)
		assert_ptr_equal(bh_resolver_lookup(f->r, f->v2_root, f->v1_id, 0), c);
	if (f->v2_id)
		assert_ptr_equal(bh_resolver_lookup(f->r, f->v2_id, 0, 0), c);
	assert_int_equal(f->n_new, 1);
}

static void test_host_is_null(void **state)
{
	struct fixture *f = *state;
	struct bh_cgroups cg;
	char path[4096];
	__u64 v2 = 0, v1 = 0;

	if (!f)
		skip();
	assert_int_equal(bh_cgroups_open(&cg, ""), 0);
	if (cg.v2.fd >= 0 && !bh_cgroup_proc_path("/proc", getpid(), NULL, path, sizeof(path)))
		v2 = cgroup_id_of(&cg.v2, path);
	if (cg.v1.fd >= 0 &&
	    !bh_cgroup_proc_path("/proc", getpid(), cg.v1_controller, path, sizeof(path)))
		v1 = cgroup_id_of(&cg.v1, path);
	bh_cgroups_close(&cg);
	assert_true(v2 || v1);
	assert_null(bh_resolver_lookup(f->r, v2, v1, getpid()));
	assert_null(bh_resolver_lookup(f->r, v2, v1, getpid())); /* cached as host */
}

static void on_scan(const struct bh_container *c, void *ctx)
{
	struct fixture *f = ctx;

	if (!strcmp(c->id, f->id)) {
		assert_false(f->scanned); /* once per container */
		f->scanned = true;
	}
}

static void test_scan(void **state)
{
	struct fixture *f = *state;

	if (!f)
		skip();
	assert_int_equal(bh_resolver_scan(f->r, on_scan, f), 0);
	assert_true(f->scanned);
}

static void on_scan_fake(const struct bh_container *c, void *ctx)
{
	assert_string_not_equal(c->id, (const char *)ctx);
}

/*
 * The empty cgroup a crashed runtime leaves behind (here made by hand, in both
 * trees) names no running container: the startup scan does not report it.
 */
static void test_scan_skips_empty(void **state)
{
	static const char fake[] =
		"b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
	struct fixture *f = *state;
	char v2[4096] = "", v1[4096] = "";
	struct bh_cgroups cg;

	if (!f)
		skip();
	assert_int_equal(bh_cgroups_open(&cg, ""), 0);
	if (cg.v2.fd >= 0)
		snprintf(v2, sizeof(v2), "%s/docker/%s", cg.v2.mnt, fake);
	if (cg.v1.fd >= 0)
		snprintf(v1, sizeof(v1), "%s/docker/%s", cg.v1.mnt, fake);
	bh_cgroups_close(&cg);
	assert_true(v2[0] || v1[0]);
	assert_true(!v2[0] || !mkdir(v2, 0755));
	assert_true(!v1[0] || !mkdir(v1, 0755));
	assert_int_equal(bh_resolver_scan(f->r, on_scan_fake, (void *)fake), 0);
	assert_true(!v2[0] || !rmdir(v2));
	assert_true(!v1[0] || !rmdir(v1));
}

static void count_host(__u64 cgroup_id, __u64 cgroup_v1_id, void *ctx)
{
	(void)cgroup_id;
	(void)cgroup_v1_id;
	++*(int *)ctx;
}

/*
 * One tree names a host cgroup, the other's id does not resolve: not a host task (the
 * failing tree may hold its container), not cached, not pushed to the kernel as host.
 */
static void test_error_is_not_host(void **state)
{
	struct fixture *f = *state;
	struct bh_resolver_stats before, after;
	struct bh_cgroups cg;
	char dir[4096];
	struct stat st;
	int hosts = 0;

	if (!f)
		skip();
	assert_int_equal(bh_cgroups_open(&cg, ""), 0);
	if (cg.v2.fd < 0 || cg.v1.fd < 0) {
		bh_cgroups_close(&cg);
		skip(); /* needs both trees: a hybrid host, as these machines are */
	}
	snprintf(dir, sizeof(dir), "%s/bh-test-host-%d", cg.v2.mnt, getpid());
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(stat(dir, &st), 0);
	bh_resolver_set_host_callback(f->r, count_host, &hosts);
	/* no tgid: nothing but the handles to go by; ~0 is no cgroup's id */
	assert_null(bh_resolver_lookup(f->r, st.st_ino, ~0ULL, 0));
	bh_resolver_get_stats(f->r, &before);
	assert_null(bh_resolver_lookup(f->r, st.st_ino, ~0ULL, 0));
	bh_resolver_get_stats(f->r, &after);
	assert_int_equal(hosts, 0);
	assert_int_equal(after.misses, before.misses + 1); /* asked again, not cached */
	bh_resolver_set_host_callback(f->r, NULL, NULL);
	rmdir(dir);
	bh_cgroups_close(&cg);
}

/*
 * The DaemonSet mounts the host's cgroup trees under its host root but not the host's
 * /proc (hostPID makes /proc the host's): an id that no handle resolves is still named
 * from the task's /proc/<pid>/cgroup.
 */
static void test_proc_fallback_without_host_proc(void **state)
{
	struct fixture *f = *state;
	struct bh_resolver_opts opts = { .no_docker_api = true };
	char root[] = "/tmp/bh-test-root.XXXXXX", cgdir[64], cmd[256];
	const struct bh_container *c;
	struct bh_resolver *r;

	if (!f)
		skip();
	assert_non_null(mkdtemp(root));
	snprintf(cgdir, sizeof(cgdir), "%s/sys/fs/cgroup", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && mount --rbind /sys/fs/cgroup %s", cgdir, cgdir);
	assert_int_equal(system(cmd), 0);
	opts.host_root = root;
	assert_int_equal(bh_resolver_new(&opts, &r), 0);
	/*
	 * ~0: an id no handle resolves (a cgroup gone since), in the tree that names the
	 * container (v1 on these hybrid hosts, v2 on a pure v2 one); the pid still tells
	 */
	c = f->v1_id ? bh_resolver_lookup(r, f->v2_root, ~0ULL, f->pid)
		     : bh_resolver_lookup(r, ~0ULL, 0, f->pid);
	bh_resolver_free(r);
	snprintf(cmd, sizeof(cmd), "umount -R %s && rm -rf %s", cgdir, root);
	assert_int_equal(system(cmd), 0);
	assert_non_null(c);
}

/* Without the docker API the bundle still names the runtime and the configuration. */
static void test_api_down(void **state)
{
	struct bh_resolver_opts opts = { .docker_socket = "/nonexistent/docker.sock" };
	struct fixture *f = *state;
	struct bh_resolver_stats st;
	const struct bh_container *c;
	struct bh_resolver *r;

	if (!f)
		skip();
	assert_int_equal(bh_resolver_new(&opts, &r), 0);
	c = bh_resolver_lookup(r, f->v2_id, f->v1_id, f->pid);
	assert_non_null(c);
	assert_string_equal(c->id, f->id);
	assert_string_equal(c->runtime, "docker");
	assert_true(c->config.known);
	assert_null(c->name);
	assert_false(c->metadata_done); /* the API is asked again later */
	bh_resolver_sweep(r);		/* within the back-off: not asked again */
	bh_resolver_get_stats(r, &st);
	assert_int_equal(st.api_errors, 1);
	bh_resolver_free(r);
}

struct async_seen {
	const char *id;
	int n_new, n_ready, n_gone;
	bool pending_at_new; /* on_new saw the container still pending: must not happen */
};

static void async_new(const struct bh_container *c, void *ctx)
{
	struct async_seen *s = ctx;

	if (strcmp(c->id, s->id) != 0)
		return;
	s->n_new++;
	s->pending_at_new = s->pending_at_new || c->pending;
}

static void async_ready(const struct bh_container *c, void *ctx)
{
	struct async_seen *s = ctx;

	if (!strcmp(c->id, s->id)) {
		assert_int_equal(s->n_ready + 1, s->n_new); /* right after its on_new */
		s->n_ready++;
	}
}

static void async_gone(const struct bh_container *c, void *ctx)
{
	struct async_seen *s = ctx;

	if (!strcmp(c->id, s->id)) {
		assert_int_equal(s->n_new, 1); /* started before it stops */
		s->n_gone++;
	}
}

static struct bh_resolver *async_resolver(struct async_seen *s)
{
	struct bh_resolver_opts opts = { .host_root = "", .async_api = true };
	struct bh_resolver *r;

	assert_int_equal(bh_resolver_new(&opts, &r), 0);
	bh_resolver_set_callbacks(r, async_new, async_gone, s);
	bh_resolver_set_ready_callback(r, async_ready);
	assert_true(bh_resolver_fd(r) >= 0);
	return r;
}

/* Waits (at most 5 s) for the worker's answers and hands them to the resolver. */
static void async_wait(struct bh_resolver *r)
{
	struct pollfd pfd = { .fd = bh_resolver_fd(r), .events = POLLIN };

	assert_int_equal(poll(&pfd, 1, 5000), 1);
	bh_resolver_complete(r);
}

/* Async API: pending at first sight, complete once its answer is handled. */
static void test_async(void **state)
{
	struct fixture *f = *state;
	struct async_seen s = { 0 };
	const struct bh_container *c;
	struct bh_resolver *r;

	if (!f)
		skip();
	s.id = f->id;
	r = async_resolver(&s);
	c = bh_resolver_lookup(r, f->v2_id, f->v1_id, f->pid);
	assert_non_null(c);
	assert_string_equal(c->id, f->id);
	assert_true(c->pending);
	assert_false(c->metadata_done);
	assert_true(c->config.known); /* the bundle is read at once */
	assert_int_equal(s.n_new, 0);
	/* cached, still pending: no second request */
	assert_ptr_equal(bh_resolver_lookup(r, f->v2_id, f->v1_id, f->pid), c);

	while (c->pending)
		async_wait(r);
	check_container(f, c);
	assert_int_equal(s.n_new, 1);
	assert_int_equal(s.n_ready, 1);
	assert_false(s.pending_at_new);
	bh_resolver_complete(r); /* nothing more: no second on_new */
	assert_int_equal(s.n_new, 1);
	bh_resolver_free(r);
}

/* A `sleep 600` container of the test image, with what the kernel would report of it. */
struct test_ctr {
	char name[64];
	char id[BH_CONTAINER_ID_LEN + 1];
	__u32 pid;
	char v2_path[4096], v1_path[4096]; /* "" where cg has no such hierarchy */
	__u64 v2_id, v1_id;
};

static void start_test_ctr(const struct bh_cgroups *cg, const char *prefix, struct test_ctr *t)
{
	char cmd[256], out[64];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s-%d", prefix, getpid());
	snprintf(cmd, sizeof(cmd), "docker run -d --name %s %s sleep 600 2>&1", t->name, IMAGE);
	assert_int_equal(run(cmd, t->id, sizeof(t->id)), 0);
	assert_int_equal(strlen(t->id), BH_CONTAINER_ID_LEN);
	snprintf(cmd, sizeof(cmd), "docker inspect -f '{{.State.Pid}}' %s", t->name);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	t->pid = (__u32)strtoul(out, NULL, 10);
	/* what the tracepoint would have said: the hierarchy path, and the directory's inode */
	if (cg->v2.fd >= 0 &&
	    !bh_cgroup_proc_path("/proc", t->pid, NULL, t->v2_path, sizeof(t->v2_path)) &&
	    strcmp(t->v2_path, "/"))
		t->v2_id = cgroup_id_of(&cg->v2, t->v2_path);
	else
		t->v2_path[0] = '\0';
	if (cg->v1.fd >= 0 && !bh_cgroup_proc_path("/proc", t->pid, cg->v1_controller, t->v1_path,
						   sizeof(t->v1_path))) {
		assert_true(cg->v1_hierarchy_id > 0);
		t->v1_id = cgroup_id_of(&cg->v1, t->v1_path);
	} else {
		t->v1_path[0] = '\0';
	}
	assert_true(t->v2_id || t->v1_id);
}

/* Async API: a container gone before its answer is handled; the answer is dropped (ASan). */
static void test_async_gone_first(void **state)
{
	struct test_ctr t;
	struct async_seen s = { .id = t.id };
	const struct bh_container *c;
	struct bh_resolver *r;
	struct bh_cgroups cg;
	char cmd[256];

	if (!*state)
		skip();
	assert_int_equal(bh_cgroups_open(&cg, ""), 0);
	start_test_ctr(&cg, "bh-test-async", &t);
	bh_cgroups_close(&cg);

	r = async_resolver(&s);
	c = bh_resolver_lookup(r, t.v2_id, t.v1_id, t.pid);
	assert_non_null(c);
	assert_true(c->pending);
	snprintf(cmd, sizeof(cmd), "docker rm -f %s >/dev/null 2>&1", t.name);
	assert_int_equal(run(cmd, NULL, 0), 0);
	/* a record named it since the last sweep: it stays one sweep, then goes */
	bh_resolver_sweep(r);
	bh_resolver_sweep(r);
	assert_int_equal(s.n_new, 1); /* released without its answer, then stopped */
	assert_int_equal(s.n_ready, 1);
	assert_int_equal(s.n_gone, 1);
	/* the answer (asked before the removal) names an entry that is freed by now */
	async_wait(r);
	assert_int_equal(s.n_new, 1);
	bh_resolver_free(r);
}

static void test_gone(void **state)
{
	struct fixture *f = *state;
	struct bh_resolver_stats st;
	char cmd[128];

	__u64 before;

	if (!f)
		skip();
	assert_non_null(bh_resolver_lookup(f->r, f->v2_id, f->v1_id, f->pid));
	bh_resolver_sweep(f->r);
	assert_int_equal(f->n_gone, 0);
	bh_resolver_get_stats(f->r, &st);
	before = st.containers; /* the scan found the host's other containers too */

	snprintf(cmd, sizeof(cmd), "docker rm -f %s >/dev/null 2>&1", f->name);
	assert_int_equal(run(cmd, NULL, 0), 0);
	bh_resolver_sweep(f->r);
	assert_int_equal(f->n_gone, 1);
	assert_string_equal(f->gone_id, f->id);
	bh_resolver_get_stats(f->r, &st);
	assert_int_equal(st.containers, before - 1);
	/* the ids are forgotten: a cgroup that reuses one would resolve afresh */
	assert_null(bh_resolver_lookup(f->r, f->v2_id, f->v1_id, f->pid));
	assert_int_equal(f->n_new, 1);
}

struct noted {
	const char *id;
	int n_new, n_gone;
};

static void noted_new(const struct bh_container *c, void *ctx)
{
	struct noted *n = ctx;

	assert_string_equal(c->id, n->id); /* nothing else is resolved here */
	n->n_new++;
}

static void noted_gone(const struct bh_container *c, void *ctx)
{
	struct noted *n = ctx;

	assert_string_equal(c->id, n->id);
	n->n_gone++;
}

/* A resolver that knows only what cgroup creation records told it, as the agent's does. */
static struct bh_resolver *noting_resolver(const struct bh_cgroups *cg, const char *v2_path,
					   __u64 v2_id, const char *v1_path, __u64 v1_id,
					   struct noted *n)
{
	struct bh_resolver_opts opts = { .host_root = "" };
	struct bh_resolver *r;

	assert_int_equal(bh_resolver_new(&opts, &r), 0);
	bh_resolver_set_callbacks(r, noted_new, noted_gone, n);
	if (v2_id)
		bh_resolver_note_cgroup(r, 0, v2_id, v2_path, strlen(v2_path));
	if (v1_id)
		bh_resolver_note_cgroup(r, (__u32)cg->v1_hierarchy_id, v1_id, v1_path,
					strlen(v1_path));
	return r;
}

/*
 * A container whose cgroup is gone before its first record is read (a lagging
 * consumer) is named from the path its cgroup creation record gave: with its
 * name while docker still knows it (stopped), by id alone once it is removed.
 */
static void test_gone_before_first_record(void **state)
{
	struct test_ctr t;
	struct noted n = { .id = t.id };
	const struct bh_container *c;
	struct bh_resolver *r;
	struct bh_cgroups cg;
	char cmd[256];

	if (!*state)
		skip();
	assert_int_equal(bh_cgroups_open(&cg, ""), 0);
	start_test_ctr(&cg, "bh-test-noted", &t);

	/* stopped, not removed: its cgroups are gone, docker still knows it */
	snprintf(cmd, sizeof(cmd), "docker kill %s >/dev/null && docker wait %s >/dev/null", t.name,
		 t.name);
	assert_int_equal(run(cmd, NULL, 0), 0);
	if (t.v2_id)
		assert_int_equal(bh_cgroup_id_exists(&cg.v2, t.v2_id), -ESTALE);
	if (t.v1_id)
		assert_int_equal(bh_cgroup_id_exists(&cg.v1, t.v1_id), -ESTALE);

	/* without the notes the ids name nothing any more */
	r = noting_resolver(&cg, t.v2_path, 0, t.v1_path, 0, &n);
	assert_null(bh_resolver_lookup(r, t.v2_id, t.v1_id, 0));
	bh_resolver_free(r);

	r = noting_resolver(&cg, t.v2_path, t.v2_id, t.v1_path, t.v1_id, &n);
	c = bh_resolver_lookup(r, t.v2_id, t.v1_id, 0);
	assert_non_null(c);
	assert_string_equal(c->id, t.id);
	assert_string_equal(c->runtime, "docker");
	assert_non_null(c->name);
	assert_string_equal(c->name, t.name);
	assert_string_equal(c->image, IMAGE);
	assert_true(c->config.known); /* from the API: the bundle went with the task */
	assert_true(c->metadata_done);
	assert_int_equal(n.n_new, 1);
	/* each tree alone names it too, without a second start */
	if (t.v2_id)
		assert_ptr_equal(bh_resolver_lookup(r, t.v2_id, 0, 0), c);
	if (t.v1_id)
		assert_ptr_equal(bh_resolver_lookup(r, cg.v2.root_id, t.v1_id, 0), c);
	assert_int_equal(n.n_new, 1);
	/* records were attributed since the last sweep: it stays one sweep, then goes */
	bh_resolver_sweep(r);
	assert_int_equal(n.n_gone, 0);
	bh_resolver_sweep(r);
	assert_int_equal(n.n_gone, 1);
	bh_resolver_free(r);

	/* removed: docker no longer knows it, the id alone still names it */
	snprintf(cmd, sizeof(cmd), "docker rm -f %s >/dev/null 2>&1", t.name);
	assert_int_equal(run(cmd, NULL, 0), 0);
	n.n_new = n.n_gone = 0;
	r = noting_resolver(&cg, t.v2_path, t.v2_id, t.v1_path, t.v1_id, &n);
	c = bh_resolver_lookup(r, t.v2_id, t.v1_id, 0);
	assert_non_null(c);
	assert_string_equal(c->id, t.id);
	assert_string_equal(c->runtime, "docker");
	assert_null(c->name);
	assert_true(c->metadata_done);
	assert_int_equal(n.n_new, 1);
	bh_resolver_free(r);
	bh_cgroups_close(&cg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_host_is_null),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_scan_skips_empty),
		cmocka_unit_test(test_error_is_not_host),
		cmocka_unit_test(test_proc_fallback_without_host_proc),
		cmocka_unit_test(test_api_down),
		cmocka_unit_test(test_async),
		cmocka_unit_test(test_async_gone_first),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_gone_before_first_record),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
