// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_setup.c - the runtime set-up mark (bpf/setup.bpf.h) with the real programs: who
 * gets it (a task a host process places in a cgroup, or clones into one, and its forks),
 * who does not (a task placed by a process of another pid namespace), and the exec that
 * ends it (a program of the task's own mount namespace, not the marking one).
 * Each scenario runs in children on a throw-away cgroup v2 directory, whose id picks
 * their records out of the ring buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <bpf/libbpf.h>

#include "bpf_test.h"
#include "core/event.h"
#include "collector/loader.h"
#include "core/log.h"

#define MAX_SEEN 256

/* The records of the scenario's processes: type, tgid, flags, and exec's filename. */
struct seen {
	__u32 type, tgid, flags;
	char filename[64];
};

static struct {
	struct bh_loader *loader;
	struct ring_buffer *rb;
	char cgroup[256]; /* a fresh cgroup v2 directory */
	__u64 cgroup_id;  /* its id: the records of the scenarios' processes carry it */
	bool skip;	  /* BPF cannot load here and it is not required */
	struct seen seen[MAX_SEEN];
	int nseen;
} T;

static int on_record(void *ctx, void *data, size_t size)
{
	struct bh_event ev;
	struct seen *s;

	(void)ctx;
	if (bh_event_decode(data, size, &ev) || T.nseen == MAX_SEEN ||
	    (ev.hdr->cgroup_id != T.cgroup_id && ev.hdr->tgid != (__u32)getpid()))
		return 0;
	s = &T.seen[T.nseen++];
	s->type = ev.hdr->type;
	s->tgid = ev.hdr->tgid;
	s->flags = ev.hdr->flags;
	s->filename[0] = '\0';
	if (ev.hdr->type == BH_EV_EXEC)
		snprintf(s->filename, sizeof(s->filename), "%.*s", (int)ev.str[0].len,
			 ev.str[0].ptr);
	return 0;
}

/* The flags of the first record of type from tgid (exec: of that filename), or -1. */
static int flags_of(unsigned int type, pid_t tgid, const char *filename)
{
	for (int i = 0; i < T.nseen; i++)
		if (T.seen[i].type == type && T.seen[i].tgid == (__u32)tgid &&
		    (!filename || !strcmp(T.seen[i].filename, filename)))
			return (int)T.seen[i].flags;
	return -1;
}

/* A setns that fails (EBADF) still makes a record in the unfiltered mode. */
static void probe_setns(void)
{
	if (setns(-1, CLONE_NEWUTS) != -1)
		_exit(90);
}

/* The cgroup v2 mount point: /sys/fs/cgroup on a v2 host, .../unified on a hybrid one. */
static int cgroup2_root(char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[1024], mnt[200];
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - cgroup2 ");

		if (sep && sscanf(line, "%*s %*s %*s %*s %199s", mnt) == 1) {
			snprintf(buf, size, "%s", mnt);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

static void write_pid(pid_t pid)
{
	char path[300], num[16];
	int fd, n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", T.cgroup);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(91);
	n = snprintf(num, sizeof(num), "%d", pid);
	if (write(fd, num, (size_t)n) != n)
		_exit(92);
	close(fd);
}

static void wait_ok(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Reads the records, then lets the scenario's processes go (they wait on go[0]). */
static void collect_then_release(int go[2])
{
	assert_true(ring_buffer__consume(T.rb) >= 0);
	close(go[0]);
	close(go[1]);
}

static void wait_closed(int fd)
{
	char c;

	while (read(fd, &c, 1) > 0)
		;
}

/*
 * The placed child marks; its fork inherits; an exec in the marker's mount namespace
 * keeps the mark; an exec after unshare(CLONE_NEWNS) is of its own namespace and ends it.
 */
static void test_placed_by_host(void **state)
{
	int placed[2], ready[2], go[2];
	pid_t child, fork_child = 0, exec_same = 0, exec_own = 0;
	char c;

	(void)state;
	if (T.skip)
		skip();
	assert_int_equal(pipe(placed), 0);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(go[1]);
		/* wait until placed */
		if (read(placed[0], &c, 1) != 1)
			_exit(93);
		probe_setns();
		if ((fork_child = fork()) == 0) {
			probe_setns();
			wait_closed(go[0]);
			_exit(0);
		}
		if ((exec_same = fork()) == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(94);
		}
		if ((exec_own = fork()) == 0) {
			/* a private copy of the mount tree: /bin/true is on a mount of the new one
			 */
			if (unshare(CLONE_NEWNS) ||
			    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
				_exit(95);
			execl("/bin/true", "true", (char *)NULL);
			_exit(96);
		}
		/* tell the parent which pids to look for, then hold the group until read */
		if (write(ready[1], &fork_child, sizeof(pid_t)) != sizeof(pid_t) ||
		    write(ready[1], &exec_same, sizeof(pid_t)) != sizeof(pid_t) ||
		    write(ready[1], &exec_own, sizeof(pid_t)) != sizeof(pid_t))
			_exit(97);
		waitpid(exec_same, NULL, 0);
		waitpid(exec_own, NULL, 0);
		wait_closed(go[0]);
		waitpid(fork_child, NULL, 0);
		_exit(0);
	}
	write_pid(child);
	assert_int_equal(write(placed[1], "x", 1), 1);
	/* the child writes its three pids once its execs are under way */
	assert_int_equal(read(ready[0], &fork_child, sizeof(pid_t)), sizeof(pid_t));
	assert_int_equal(read(ready[0], &exec_same, sizeof(pid_t)), sizeof(pid_t));
	assert_int_equal(read(ready[0], &exec_own, sizeof(pid_t)), sizeof(pid_t));
	/* both execs are done when their exec records are in: poll the ring until then */
	for (int i = 0; i < 1000 && (flags_of(BH_EV_EXEC, exec_same, "/bin/true") < 0 ||
				     flags_of(BH_EV_EXEC, exec_own, "/bin/true") < 0);
	     i++) {
		assert_true(ring_buffer__consume(T.rb) >= 0);
		usleep(1000);
	}
	collect_then_release(go);
	wait_ok(child);
	close(placed[0]);
	close(placed[1]);
	close(ready[0]);
	close(ready[1]);

	assert_int_equal(flags_of(BH_EV_SETNS, child, NULL), BH_HDR_RUNTIME_SETUP);
	assert_int_equal(flags_of(BH_EV_SETNS, fork_child, NULL), BH_HDR_RUNTIME_SETUP);
	assert_int_equal(flags_of(BH_EV_EXEC, exec_same, "/bin/true"), BH_HDR_RUNTIME_SETUP);
	/* the exec that ends the set-up says so (a container's first program, a docker exec) */
	assert_int_equal(flags_of(BH_EV_EXEC, exec_own, "/bin/true"), BH_HDR_SETUP_END);
}

/* A process of another pid namespace places its child: no mark (a container cannot mark). */
static void test_placed_from_container(void **state)
{
	int go[2], placed_setns;
	pid_t outer;

	(void)state;
	if (T.skip)
		skip();
	assert_int_equal(pipe(go), 0);
	outer = fork();
	assert_true(outer >= 0);
	if (outer == 0) {
		pid_t mover, placed;

		close(go[1]);
		if (unshare(CLONE_NEWPID))
			_exit(80);
		mover = fork(); /* pid 1 of the new namespace */
		if (mover == 0) {
			int p[2];
			char c;

			if (pipe(p))
				_exit(81);
			placed = fork();
			if (placed == 0) {
				if (read(p[0], &c, 1) != 1)
					_exit(82);
				probe_setns();
				_exit(0);
			}
			write_pid(placed); /* by its number in this namespace */
			if (write(p[1], "x", 1) != 1)
				_exit(83);
			waitpid(placed, NULL, 0);
			wait_closed(go[0]);
			_exit(0);
		}
		int status = 1;

		waitpid(mover, &status, 0);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	/* the placed process is the outer one's grandchild: wait for its setns record */
	for (int i = 0; i < 1000; i++) {
		assert_true(ring_buffer__consume(T.rb) >= 0);
		for (int k = 0; k < T.nseen; k++)
			if (T.seen[k].type == BH_EV_SETNS)
				i = 1000;
		usleep(1000);
	}
	collect_then_release(go);
	wait_ok(outer);
	/* its setns record carries the test cgroup's id: it was placed, and is unmarked */
	placed_setns = 0;
	for (int k = 0; k < T.nseen; k++) {
		if (T.seen[k].type != BH_EV_SETNS)
			continue;
		placed_setns++;
		assert_int_equal(T.seen[k].flags, 0);
	}
	assert_int_equal(placed_setns, 1);
}

/* clone3(CLONE_INTO_CGROUP) by a host process: the child is born marked. */
static void test_cloned_into_cgroup(void **state)
{
	struct clone_args args = { 0 };
	int go[2], cgfd;
	pid_t child;

	(void)state;
	if (T.skip)
		skip();
	assert_int_equal(pipe(go), 0);
	cgfd = open(T.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(cgfd >= 0);
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (__u64)cgfd;
	child = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	assert_true(child >= 0);
	if (child == 0) {
		close(go[1]);
		probe_setns();
		wait_closed(go[0]);
		_exit(0);
	}
	close(cgfd);
	for (int i = 0; i < 1000 && flags_of(BH_EV_SETNS, child, NULL) < 0; i++) {
		assert_true(ring_buffer__consume(T.rb) >= 0);
		usleep(1000);
	}
	collect_then_release(go);
	wait_ok(child);
	assert_int_equal(flags_of(BH_EV_SETNS, child, NULL), BH_HDR_RUNTIME_SETUP);
}

/* The test process itself was never placed: its records carry no mark. */
static void test_unplaced(void **state)
{
	(void)state;
	if (T.skip)
		skip();
	probe_setns();
	assert_true(ring_buffer__consume(T.rb) >= 0);
	assert_int_equal(flags_of(BH_EV_SETNS, getpid(), NULL), 0);
}

static int test_teardown(void **state)
{
	(void)state;
	T.nseen = 0;
	return 0;
}

static int group_setup(void **state)
{
	struct bh_loader_opts opts = { 0 };
	char root[200];
	struct stat st;
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
	T.rb = ring_buffer__new(bh_loader_events_fd(T.loader), on_record, NULL, NULL);
	if (!T.rb || cgroup2_root(root, sizeof(root)))
		return -1;
	snprintf(T.cgroup, sizeof(T.cgroup), "%s/bulkhead-test-setup-%d", root, getpid());
	if (mkdir(T.cgroup, 0755) || stat(T.cgroup, &st))
		return -1;
	/* a kernfs node's id is its inode number on 64-bit kernels */
	T.cgroup_id = st.st_ino;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (T.cgroup[0])
		rmdir(T.cgroup);
	ring_buffer__free(T.rb);
	bh_loader_stop(T.loader);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_unplaced, test_teardown),
		cmocka_unit_test_teardown(test_placed_by_host, test_teardown),
		cmocka_unit_test_teardown(test_placed_from_container, test_teardown),
		cmocka_unit_test_teardown(test_cloned_into_cgroup, test_teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_setup: needs root to load BPF programs\n");
		return bh_test_bpf_required() ? 1 : 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
