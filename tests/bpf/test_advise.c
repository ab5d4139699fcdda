// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_advise.c - the syscall recorder (bpf/advise.bpf.c) with the real programs: not loaded
 * unless asked; a cgroup created while it runs is recorded from its creation, in the
 * kernel; the calls of its workload (after the exec that ends the runtime's set-up) are in
 * its bitmap with what their registers show (AF_PACKET, a device mknod), and the calls
 * made during the set-up are not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>

#include "advise_rec.h"
#include "bpf_test.h"
#include "collector/loader.h"
#include "container/cgroup.h"
#include "core/log.h"

#define WORKLOAD_ARG "--advise-workload"

static struct {
	struct bh_loader *loader;
	char cgroup[300]; /* a cgroup v2 directory made after the recorder was loaded */
	__u64 cgroup_id;
	char tmp[64];	 /* where the workload makes its device node */
	char self[4096]; /* this binary's path */
	bool skip;
} T;

static bool has_call(const struct bh_advise_rec *r, unsigned int nr)
{
	return (r->calls[nr / 64] >> (nr % 64)) & 1;
}

/* The workload, after its exec: calls the set-up never makes, and two the capabilities show. */
static int workload(const char *tmp)
{
	char node[128];
	int fd;

	syscall(SYS_getsid, 0);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd >= 0)
		close(fd);
	snprintf(node, sizeof(node), "%s/null", tmp);
	if (mknod(node, S_IFCHR | 0600, makedev(1, 3)))
		return 1;
	unlink(node);
	return 0;
}

static void test_not_loaded_unless_asked(void **state)
{
	struct bh_loader_opts opts = { 0 };
	struct bh_loader *l;

	(void)state;
	if (T.skip)
		skip();
	assert_int_equal(bh_host_namespaces(opts.host_ns), 0);
	assert_int_equal(bh_loader_start(&opts, &l), 0);
	assert_int_equal(bh_loader_advise_fd(l), -1);
	bh_loader_stop(l);
}

/*
 * A child places itself in the new cgroup (a host process placing a task: the runtime's
 * set-up, as runc init) and calls getpgid; then, in a mount namespace of its own, execs this
 * binary as the workload (the exec that ends the set-up), which calls getsid, AF_PACKET and
 * mknod.
 */
static void test_records_the_workload_not_the_setup(void **state)
{
	struct bh_advise_rec rec;
	char num[16], path[320];
	int fd, status, n;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	/* the cgroup_mkdir program added the cgroup: nobody else did */
	assert_int_equal(bpf_map_lookup_elem(bh_loader_advise_fd(T.loader), &T.cgroup_id, &rec), 0);

	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", T.cgroup);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		n = snprintf(num, sizeof(num), "%d", getpid());
		if (fd < 0 || write(fd, num, (size_t)n) != n)
			_exit(90);
		close(fd);
		syscall(SYS_getpgid, 0);
		if (unshare(CLONE_NEWNS))
			_exit(91);
		/* by its path: /proc/self/exe would jump to the file on the old namespace's mount
		 */
		execl(T.self, "test_advise", WORKLOAD_ARG, T.tmp, (char *)NULL);
		_exit(92);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	assert_int_equal(bpf_map_lookup_elem(bh_loader_advise_fd(T.loader), &T.cgroup_id, &rec), 0);
	assert_true(has_call(&rec, SYS_getsid));
	assert_true(has_call(&rec, SYS_socket));
	assert_true(has_call(&rec, SYS_mknodat) || has_call(&rec, SYS_mknod));
	assert_true(has_call(&rec, SYS_exit_group));
	assert_true(rec.flags & BH_ADVISE_PACKET_SOCKET);
	assert_true(rec.flags & BH_ADVISE_MKNOD_DEVICE);
	assert_false(rec.flags & BH_ADVISE_RAW_SOCKET);
	/* the set-up's: before the exec that ended it */
	assert_false(has_call(&rec, SYS_getpgid));
	assert_false(has_call(&rec, SYS_unshare));
}

static int group_setup(void **state)
{
	struct bh_loader_opts opts = { .advise = true };
	struct bh_cgroups cg;
	struct stat st;
	ssize_t n;
	int err;

	(void)state;
	bh_log_setup(getenv("BULKHEAD_TEST_DEBUG") ? BH_LOG_DEBUG : BH_LOG_INFO, false);
	bh_log_bridge_libbpf();
	err = bh_host_namespaces(opts.host_ns);
	if (!err)
		err = bh_loader_start(&opts, &T.loader);
	if (err) {
		fprintf(stderr, "BPF programs cannot load: %s\n", strerror(-err));
		if (bh_test_bpf_required())
			return -1;
		T.skip = true;
		return 0;
	}
	if (bh_cgroups_open(&cg, "") || !cg.v2.mnt)
		return -1;
	snprintf(T.cgroup, sizeof(T.cgroup), "%s/bulkhead-test-advise-%d", cg.v2.mnt, getpid());
	bh_cgroups_close(&cg);
	if (mkdir(T.cgroup, 0755) || stat(T.cgroup, &st))
		return -1;
	/* a kernfs node's id is its inode number on 64-bit kernels */
	T.cgroup_id = st.st_ino;
	n = readlink("/proc/self/exe", T.self, sizeof(T.self) - 1);
	if (n <= 0)
		return -1;
	T.self[n] = '\0';
	snprintf(T.tmp, sizeof(T.tmp), "/tmp/bulkhead-test-advise-XXXXXX");
	return mkdtemp(T.tmp) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	if (T.cgroup[0])
		rmdir(T.cgroup);
	if (T.tmp[0])
		rmdir(T.tmp);
	bh_loader_stop(T.loader);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_loaded_unless_asked),
		cmocka_unit_test(test_records_the_workload_not_the_setup),
	};

	if (argc == 3 && !strcmp(argv[1], WORKLOAD_ARG))
		return workload(argv[2]);
	if (geteuid() != 0) {
		fprintf(stderr, "test_advise: needs root to load BPF programs\n");
		return bh_test_bpf_required() ? 1 : 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
