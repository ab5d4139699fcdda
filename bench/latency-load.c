// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* latency-load.c - a steady, rate-paced mix of hooked syscalls for bench/latency.py. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Runs inside a container (static, so a busybox image is enough) and makes
 * events that `bulkhead run --events all` prints, at RATE events/s for SECONDS:
 * capset re-applying the current sets, setns into the thread's own UTS
 * namespace, connect of a unix dgram socket, listen again on a loopback TCP
 * socket (one event each, a few hundred ns of kernel work), and once per
 * EXEC_EVERY events on average a fork + exec of /bin/true. Once per
 * FINDING_EVERY events on average it makes a finding instead, alternately:
 * listen on a new port of 0.0.0.0 (bind + listen events, rule unexpected-port)
 * and a bind mount of /etc at a new target (mount event, rule
 * mount-in-container; needs CAP_SYS_ADMIN). The port and the target change
 * every time because the rules report one finding per (rule, container, exe,
 * detail) and dedup window.
 *
 * Pacing: every tick (1 ms, or longer below 1,000 events/s) it sleeps until
 * the tick's absolute deadline with clock_nanosleep, then makes as many events
 * as the schedule says should exist by then, so a late tick is caught up
 * and the rate stays steady. Prints "start" when the first tick begins and a
 * "done" line with what it made.
 */

#define NSEC_PER_SEC 1000000000LL
#define PORT_FIRST   20000
#define PORT_COUNT   40000

enum op { OP_CAPSET, OP_SETNS, OP_CONNECT, OP_LISTEN, OP_PORT, OP_MOUNT, OP_EXEC, OP_COUNT };

static const char *const op_names[OP_COUNT] = { "capset", "setns",	  "connect",
						"listen", "port_finding", "mount_finding",
						"exec" };

struct load {
	struct __user_cap_header_struct cap_hdr;
	struct __user_cap_data_struct cap_data[2];
	int ns_fd;
	int dgram_fd;
	struct sockaddr_un dgram_addr;
	int listen_fd;
	char dir[64];
	unsigned long next_port, next_target;
	unsigned long made[OP_COUNT], failed[OP_COUNT];
};

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "latency-load: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Counts a failed call; the first failure of each op is told once, the load goes on. */
static void failed(struct load *l, enum op op, const char *what)
{
	if (!l->failed[op]++)
		fprintf(stderr, "latency-load: %s: %s: %s (counted, not repeated)\n", op_names[op],
			what, strerror(errno));
}

static void setup(struct load *l, const char *dir)
{
	struct sockaddr_in lo = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char path[96];
	int server;

	snprintf(l->dir, sizeof(l->dir), "%s/latency-load.%d", dir, (int)getpid());
	if (mkdir(l->dir, 0700))
		die("mkdir");

	l->cap_hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &l->cap_hdr, l->cap_data))
		die("capget");

	l->ns_fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	if (l->ns_fd < 0)
		die("open /proc/self/ns/uts");

	l->dgram_addr.sun_family = AF_UNIX;
	snprintf(l->dgram_addr.sun_path, sizeof(l->dgram_addr.sun_path), "%s/s", l->dir);
	server = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	l->dgram_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (server < 0 || l->dgram_fd < 0)
		die("socket(AF_UNIX)");
	if (bind(server, (struct sockaddr *)&l->dgram_addr, sizeof(l->dgram_addr)))
		die("bind(AF_UNIX)");

	/* Loopback: listen events without a finding (the rule skips loopback listeners). */
	l->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->listen_fd < 0 || bind(l->listen_fd, (struct sockaddr *)&lo, sizeof(lo)) ||
	    listen(l->listen_fd, 16))
		die("loopback listener");

	snprintf(path, sizeof(path), "%s/m", l->dir);
	if (mkdir(path, 0700))
		die("mkdir");
}

static void cleanup(struct load *l)
{
	char path[96];

	unlink(l->dgram_addr.sun_path);
	snprintf(path, sizeof(path), "%s/m", l->dir);
	rmdir(path);
	rmdir(l->dir);
}

/* Listens on a new port of every address: bind and listen events, an unexpected-port finding. */
static void port_finding(struct load *l)
{
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	any.sin_port = htons(PORT_FIRST + l->next_port++ % PORT_COUNT);
	if (fd < 0)
		failed(l, OP_PORT, "socket");
	else if (bind(fd, (struct sockaddr *)&any, sizeof(any)) || listen(fd, 1))
		failed(l, OP_PORT, "bind/listen");
	if (fd >= 0)
		close(fd);
}

/* Bind-mounts /etc (a sensitive path) at a new target: a mount-in-container finding. */
static void mount_finding(struct load *l)
{
	char target[96];

	snprintf(target, sizeof(target), "%s/m/%lu", l->dir, l->next_target++);
	if (mkdir(target, 0700)) {
		failed(l, OP_MOUNT, "mkdir");
		return;
	}
	if (mount("/etc", target, NULL, MS_BIND, NULL))
		failed(l, OP_MOUNT, "mount /etc");
	else
		umount2(target, MNT_DETACH);
	rmdir(target);
}

static void exec_true(struct load *l)
{
	static char *const argv[] = { "true", NULL };
	static char *const envp[] = { NULL };
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		failed(l, OP_EXEC, "fork");
		return;
	}
	if (pid == 0) {
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		failed(l, OP_EXEC, "/bin/true");
}

/*
 * The event count at which an op made once per `every` events comes next: a
 * random gap of mean `every`, so the op does not always fall at the same place
 * in a tick (the first event of a tick is the one most likely to wake the
 * consumer at once). UINT64_MAX when every is 0 (never).
 */
static uint64_t next_after(uint64_t made, long every)
{
	static uint64_t x = 88172645463325252ULL; /* xorshift64, fixed seed: runs repeat */

	if (!every)
		return UINT64_MAX;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return made + 1 + x % (2 * (uint64_t)every - 1);
}

/* Makes one op; returns the events `--events all` prints for it. */
static unsigned int run_op(struct load *l, enum op op)
{
	l->made[op]++;
	switch (op) {
	case OP_CAPSET:
		if (syscall(SYS_capset, &l->cap_hdr, l->cap_data))
			failed(l, op, "capset");
		return 1;
	case OP_SETNS:
		if (setns(l->ns_fd, CLONE_NEWUTS))
			failed(l, op, "setns");
		return 1;
	case OP_CONNECT:
		if (connect(l->dgram_fd, (struct sockaddr *)&l->dgram_addr, sizeof(l->dgram_addr)))
			failed(l, op, "connect");
		return 1;
	case OP_LISTEN:
		if (listen(l->listen_fd, 16))
			failed(l, op, "listen");
		return 1;
	case OP_PORT:
		port_finding(l);
		return 2;
	case OP_MOUNT:
		mount_finding(l);
		return 1;
	case OP_EXEC:
		exec_true(l);
		return 1;
	case OP_COUNT:
		break;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: latency-load [-r EVENTS_PER_S] [-t SECONDS] [-f FINDING_EVERY] "
			"[-x EXEC_EVERY] [-d DIR]\n"
			"  defaults: -r 10000 -t 20 -f 100 -x 500 -d /tmp (0 turns -f, -x off)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long rate = 10000, finding_every = 100, exec_every = 500;
	double seconds = 20;
	const char *dir = "/tmp";
	uint64_t made = 0, next_finding, next_exec, plain = 0, findings = 0;
	int64_t tick_ns, batch, start, end, deadline, late, max_late = 0, elapsed;
	int opt;
	struct load l = { 0 };

	while ((opt = getopt(argc, argv, "r:t:f:x:d:")) != -1) {
		switch (opt) {
		case 'r':
			rate = atol(optarg);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'f':
			finding_every = atol(optarg);
			break;
		case 'x':
			exec_every = atol(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			usage();
		}
	}
	if (rate <= 0 || seconds <= 0 || finding_every < 0 || exec_every < 0 || optind != argc)
		usage();
	setup(&l, dir);

	/* About 1,000 ticks a second: few enough wake-ups, small enough bursts. */
	batch = rate >= 1000 ? rate / 1000 : 1;
	tick_ns = batch * NSEC_PER_SEC / rate;
	next_finding = next_after(0, finding_every);
	next_exec = next_after(0, exec_every);

	printf("start realtime_ns=%lld rate=%ld seconds=%g batch=%lld tick_ns=%lld\n",
	       (long long)now_ns(CLOCK_REALTIME), rate, seconds, (long long)batch,
	       (long long)tick_ns);
	fflush(stdout);
	start = now_ns(CLOCK_MONOTONIC);
	end = start + (int64_t)(seconds * NSEC_PER_SEC);
	for (int64_t tick = 0;; tick++) {
		struct timespec ts;
		uint64_t goal = (uint64_t)((tick + 1) * batch);

		deadline = start + tick * tick_ns;
		if (deadline >= end)
			break;
		ts.tv_sec = deadline / NSEC_PER_SEC;
		ts.tv_nsec = deadline % NSEC_PER_SEC;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		late = now_ns(CLOCK_MONOTONIC) - deadline;
		if (late > max_late)
			max_late = late;
		while (made < goal) {
			enum op op;

			if (made >= next_exec) {
				op = OP_EXEC;
				next_exec = next_after(made, exec_every);
			} else if (made >= next_finding) {
				op = findings++ & 1 ? OP_MOUNT : OP_PORT;
				next_finding = next_after(made, finding_every);
			} else {
				op = (enum op)(plain++ % (OP_LISTEN + 1));
			}
			made += run_op(&l, op);
		}
	}
	elapsed = now_ns(CLOCK_MONOTONIC) - start;

	printf("done events=%llu elapsed_ns=%lld rate=%.1f max_late_us=%.1f",
	       (unsigned long long)made, (long long)elapsed, made * 1e9 / elapsed, max_late / 1e3);
	for (int op = 0; op < OP_COUNT; op++)
		printf(" %s=%lu", op_names[op], l.made[op]);
	for (int op = 0; op < OP_COUNT; op++)
		if (l.failed[op])
			printf(" %s_failed=%lu", op_names[op], l.failed[op]);
	printf("\n");
	cleanup(&l);
	return 0;
}
