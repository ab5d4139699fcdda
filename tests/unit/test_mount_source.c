// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_mount_source.c - resolving a path inside a host root (a temp dir stands for it:
 * absolute links stay inside, ".." cannot climb out, loops end) and naming bind mount
 * sources after the policy's sockets and sensitive paths by device and inode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "container/mount_source.h"
#include "rules/policy.h"

/* A temp dir holding root/ (the host root) and outside/ (what must stay out of reach). */
struct tree {
	char top[64];
	char root[96];
	int rootfd;
};

static void at(const struct tree *t, const char *rel, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", t->root, rel);
}

static void mkdir_in(const struct tree *t, const char *rel)
{
	char p[PATH_MAX];

	at(t, rel, p, sizeof(p));
	assert_int_equal(mkdir(p, 0755), 0);
}

static void symlink_in(const struct tree *t, const char *rel, const char *target)
{
	char p[PATH_MAX];

	at(t, rel, p, sizeof(p));
	assert_int_equal(symlink(target, p), 0);
}

/* A unix socket file, as a daemon leaves it once bound. */
static void socket_in(const struct tree *t, const char *rel)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	char p[PATH_MAX];

	assert_true(fd >= 0);
	at(t, rel, p, sizeof(p));
	assert_true(strlen(p) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, p, strlen(p) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

static ino_t ino_in(const struct tree *t, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	at(t, rel, p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	return st.st_ino;
}

/*
 * root/: etc/ssh, run/docker.sock, var/run -> /run (as on Debian), srv/data/x, and
 * outside/secret next to root/, which no path resolved in root may reach.
 */
static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char p[PATH_MAX], q[PATH_MAX];

	assert_non_null(t);
	snprintf(t->top, sizeof(t->top), "/tmp/bh-ms.XXXXXX");
	assert_non_null(mkdtemp(t->top));
	snprintf(t->root, sizeof(t->root), "%s/root", t->top);
	assert_int_equal(mkdir(t->root, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside", t->top);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside/secret", t->top);
	assert_int_equal(mkdir(p, 0755), 0);
	mkdir_in(t, "etc");
	mkdir_in(t, "etc/ssh");
	mkdir_in(t, "run");
	mkdir_in(t, "var");
	mkdir_in(t, "tmp");
	mkdir_in(t, "srv");
	mkdir_in(t, "srv/data");
	mkdir_in(t, "srv/data/x");
	socket_in(t, "run/docker.sock");
	symlink_in(t, "var/run", "/run");
	/* a host hard link of the socket, under another name */
	at(t, "run/docker.sock", p, sizeof(p));
	at(t, "run/bh-hl.sock", q, sizeof(q));
	assert_int_equal(link(p, q), 0);
	t->rootfd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->rootfd >= 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	close(t->rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->top);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void test_absolute_link_stays_in_root(void **state)
{
	struct tree *t = *state;
	char out[PATH_MAX], p[PATH_MAX];
	struct stat st;

	/* /var/run -> /run is the root's /run, not the agent's */
	assert_int_equal(
		bh_resolve_in_root(t->rootfd, "/var/run/docker.sock", out, sizeof(out), &st), 0);
	assert_string_equal(out, "/run/docker.sock");
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_ino, ino_in(t, "run/docker.sock"));
	/* a link to a link, as `ln -s /var/run/docker.sock /tmp/link.sock` makes it */
	symlink_in(t, "tmp/link.sock", "/var/run/docker.sock");
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp//./link.sock", out, sizeof(out), &st),
			 0);
	assert_string_equal(out, "/run/docker.sock");
	assert_int_equal(st.st_ino, ino_in(t, "run/docker.sock"));
	/* the real path of outside/secret on this machine is not inside the root */
	snprintf(p, sizeof(p), "%s/outside/secret", t->top);
	symlink_in(t, "tmp/abs", p);
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp/abs", out, sizeof(out), NULL),
			 -ENOENT);
	/* nor is the agent's own /proc */
	symlink_in(t, "tmp/proc", "/proc/self");
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp/proc", out, sizeof(out), NULL),
			 -ENOENT);
}

static void test_dotdot_cannot_escape(void **state)
{
	struct tree *t = *state;
	char out[PATH_MAX];
	struct stat st;

	assert_int_equal(bh_resolve_in_root(t->rootfd, "/../../etc", out, sizeof(out), &st), 0);
	assert_string_equal(out, "/etc");
	assert_int_equal(st.st_ino, ino_in(t, "etc"));
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp/../..", out, sizeof(out), &st), 0);
	assert_string_equal(out, "/");
	assert_int_equal(st.st_ino, ino_in(t, "."));
	/* a relative link climbs to the root at most: ../outside is the root's, absent */
	symlink_in(t, "tmp/up", "../../../../outside/secret");
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp/up", out, sizeof(out), NULL), -ENOENT);
	symlink_in(t, "tmp/etc", "../../../../etc");
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp/etc/ssh", out, sizeof(out), &st), 0);
	assert_string_equal(out, "/etc/ssh");
	assert_int_equal(st.st_ino, ino_in(t, "etc/ssh"));
	/* ".." after a link is the parent of its target (/run), not of the link (/var) */
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/var/run/../etc", out, sizeof(out), NULL),
			 0);
	assert_string_equal(out, "/etc");
}

static void test_loops_and_errors(void **state)
{
	struct tree *t = *state;
	char out[PATH_MAX], name[32], target[32];

	symlink_in(t, "tmp/a", "b");
	symlink_in(t, "tmp/b", "/tmp/a");
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp/a", out, sizeof(out), NULL), -ELOOP);
	symlink_in(t, "tmp/self", "self");
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp/self/x", out, sizeof(out), NULL),
			 -ELOOP);
	/* 40 links are followed, as the kernel does, the 41st is not */
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "tmp/l%d", i);
		snprintf(target, sizeof(target), i < 40 ? "l%d" : "/etc", i + 1);
		symlink_in(t, name, target);
	}
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp/l1", out, sizeof(out), NULL), 0);
	assert_string_equal(out, "/etc");
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/tmp/l0", out, sizeof(out), NULL), -ELOOP);
	assert_int_equal(bh_resolve_in_root(t->rootfd, "etc", out, sizeof(out), NULL), -EINVAL);
	assert_int_equal(
		bh_resolve_in_root(t->rootfd, "/run/docker.sock/x", out, sizeof(out), NULL),
		-ENOTDIR);
	assert_int_equal(bh_resolve_in_root(t->rootfd, "/etc/ssh", out, 5, NULL), -ENAMETOOLONG);
}

static struct bh_mount_spec bind_of(const char *source)
{
	return (struct bh_mount_spec){ .source = strdup(source),
				       .type = strdup("bind"),
				       .bind = true };
}

static void test_sources_named(void **state)
{
	static const char yaml[] = "sensitive_paths: [/etc, /data]\n";
	struct tree *t = *state;
	struct bh_mount_spec m[10];
	struct bh_policy *p = NULL;
	struct bh_host_paths hp;
	size_t n = 0;

	assert_int_equal(bh_policy_parse("test", yaml, sizeof(yaml) - 1, &p), 0);
	symlink_in(t, "tmp/link.sock", "/var/run/docker.sock");
	symlink_in(t, "tmp/run-link", "/var/run");
	symlink_in(t, "tmp/etc-link", "../etc");
	/* a sensitive path that is itself a link: what lies below its target is below it */
	symlink_in(t, "data", "/srv/data");
	m[n++] = bind_of("/tmp/link.sock");
	m[n++] = bind_of("/var/run//docker.sock");
	m[n++] = bind_of("/run/bh-hl.sock");
	m[n++] = bind_of("/tmp/run-link");
	m[n++] = bind_of("/tmp/etc-link/ssh/");
	m[n++] = bind_of("/srv/data/x");
	m[n++] = bind_of("/srv");
	m[n++] = bind_of("/no/such/path");
	m[n++] = bind_of("relative");
	m[n] = bind_of("tmpfs");
	m[n++].bind = false;
	hp = bh_policy_host_paths(p);
	assert_int_equal(bh_mount_sources_resolve(t->root, &hp, m, n), 0);
	/* the resolved path spells a socket of the policy: it names the source */
	assert_string_equal(m[0].host_path, "/run/docker.sock");
	/* so does the spec's own path, though /var/run is a link */
	assert_string_equal(m[1].host_path, "/var/run/docker.sock");
	/* the same inode under another name: named after the policy's first socket */
	assert_string_equal(m[2].host_path, "/var/run/docker.sock");
	/* the directory holding the socket */
	assert_string_equal(m[3].host_path, "/run");
	assert_string_equal(m[4].host_path, "/etc/ssh");
	assert_string_equal(m[5].host_path, "/data/x");
	assert_string_equal(m[6].host_path, "/srv");
	assert_null(m[7].host_path);
	assert_null(m[8].host_path);
	assert_null(m[9].host_path);

	/* without a policy sources are only resolved */
	assert_int_equal(bh_mount_sources_resolve(t->root, NULL, m, n), 0);
	assert_string_equal(m[1].host_path, "/run/docker.sock");
	assert_string_equal(m[2].host_path, "/run/bh-hl.sock");
	assert_string_equal(m[5].host_path, "/srv/data/x");
	for (size_t i = 0; i < n; i++) {
		free(m[i].source);
		free(m[i].type);
		free(m[i].host_path);
	}
	bh_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_absolute_link_stays_in_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotdot_cannot_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loops_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources_named, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
