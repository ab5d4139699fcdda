// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bh-trigger: a static tool the e2e tests run inside containers to make one real syscall each. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Older libc headers lack the new mount API; the values are the kernel's uapi. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#define BH_FSCONFIG_CMD_CREATE 6 /* enum fsconfig_command in linux/mount.h */

extern char **environ;

/* Names as capabilities(7) spells them, without the CAP_ prefix. */
static const char *const cap_names[] = {
	[CAP_CHOWN] = "chown",
	[CAP_DAC_OVERRIDE] = "dac_override",
	[CAP_DAC_READ_SEARCH] = "dac_read_search",
	[CAP_FOWNER] = "fowner",
	[CAP_FSETID] = "fsetid",
	[CAP_KILL] = "kill",
	[CAP_SETGID] = "setgid",
	[CAP_SETUID] = "setuid",
	[CAP_SETPCAP] = "setpcap",
	[CAP_LINUX_IMMUTABLE] = "linux_immutable",
	[CAP_NET_BIND_SERVICE] = "net_bind_service",
	[CAP_NET_BROADCAST] = "net_broadcast",
	[CAP_NET_ADMIN] = "net_admin",
	[CAP_NET_RAW] = "net_raw",
	[CAP_IPC_LOCK] = "ipc_lock",
	[CAP_IPC_OWNER] = "ipc_owner",
	[CAP_SYS_MODULE] = "sys_module",
	[CAP_SYS_RAWIO] = "sys_rawio",
	[CAP_SYS_CHROOT] = "sys_chroot",
	[CAP_SYS_PTRACE] = "sys_ptrace",
	[CAP_SYS_PACCT] = "sys_pacct",
	[CAP_SYS_ADMIN] = "sys_admin",
	[CAP_SYS_BOOT] = "sys_boot",
	[CAP_SYS_NICE] = "sys_nice",
	[CAP_SYS_RESOURCE] = "sys_resource",
	[CAP_SYS_TIME] = "sys_time",
	[CAP_SYS_TTY_CONFIG] = "sys_tty_config",
	[CAP_MKNOD] = "mknod",
	[CAP_LEASE] = "lease",
	[CAP_AUDIT_WRITE] = "audit_write",
	[CAP_AUDIT_CONTROL] = "audit_control",
	[CAP_SETFCAP] = "setfcap",
	[CAP_MAC_OVERRIDE] = "mac_override",
	[CAP_MAC_ADMIN] = "mac_admin",
	[CAP_SYSLOG] = "syslog",
	[CAP_WAKE_ALARM] = "wake_alarm",
	[CAP_BLOCK_SUSPEND] = "block_suspend",
	[CAP_AUDIT_READ] = "audit_read",
	[CAP_PERFMON] = "perfmon",
	[CAP_BPF] = "bpf",
	[CAP_CHECKPOINT_RESTORE] = "checkpoint_restore",
};

static const struct {
	const char *name;
	int flag;
} ns_types[] = {
	{ "mnt", CLONE_NEWNS },	   { "pid", CLONE_NEWPID },
	{ "net", CLONE_NEWNET },   { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },   { "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER }, { "time", 0x00000080 /* CLONE_NEWTIME */ },
};

static const char *cap_name(int cap)
{
	return cap < (int)(sizeof(cap_names) / sizeof(cap_names[0])) ? cap_names[cap] : "?";
}

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "bh-trigger: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
	return 1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: bh-trigger COMMAND ARGS\n"
		"  connect-unix PATH [--ping]   "
		"connect to a unix stream socket (--ping: GET /_ping)\n"
		"  capset-drop CAP              drop CAP from the effective set\n"
		"  capset-raise CAP             "
		"drop CAP from the effective set, then raise it again\n"
		"  setns PATH [NSTYPE]          "
		"open PATH (e.g. /proc/2/ns/net) and setns(2) into it\n"
		"  mount-bind SRC DST           mount(2) SRC on DST with MS_BIND\n"
		"  mount-tmpfs DST              mount(2) a tmpfs on DST\n"
		"  open-tree-move SRC DST       "
		"open_tree(OPEN_TREE_CLONE) SRC, move_mount it to DST\n"
		"  bind-listen PORT [SECONDS]   listen on 0.0.0.0:PORT over TCP, then sleep\n"
		"  exec PATH [ARGS...]          execve(2) PATH with ARGS (argv[0] = PATH)\n"
		"  exec-as PATH ARGV0 [ARGS...] execve(2) PATH with a chosen argv[0]\n"
		"  execveat DIR NAME [ARGS...]  execveat(2) NAME relative to an fd of DIR\n"
		"  fexecve PATH [ARGS...]       open PATH, execveat(fd, \"\", AT_EMPTY_PATH)\n"
		"  memfd-exec NAME SRC ARGV0 [ARGS...]\n"
		"                               copy SRC into memfd NAME and exec the memfd\n"
		"  comm NAME COMMAND [ARGS...]  prctl(PR_SET_NAME, NAME), then run COMMAND\n"
		"  proxy LISTEN TARGET          relay one client of unix socket LISTEN to TARGET\n"
		"  send-fd SOCK FILE            serve one client of SOCK: pass it an fd of FILE\n"
		"  recv-setns SOCK [NSTYPE]     "
		"receive an fd over SOCK (SCM_RIGHTS), setns(2) into it\n"
		"  setns-pidfd PID NSTYPE...    pidfd_open(PID), setns(2) into its namespaces\n"
		"  unshare-setns NSTYPE [PATH]  "
		"keep an fd of PATH (our namespace), unshare(2), setns into it\n"
		"  fsmount-move FSTYPE DST      fsopen/fsconfig/fsmount FSTYPE, move_mount to DST\n"
		"  fsmount-detached FSTYPE FILE "
		"fsopen/fsmount FSTYPE, read FILE through the fd only\n"
		"  setfcap PATH CAP...          "
		"set file capabilities (permitted+effective) on PATH\n"
		"CAP is a name (net_raw, CAP_NET_RAW) or a number; NSTYPE a name (net, mnt, ...),\n"
		"a number, or absent (0: any).\n");
	return 2;
}

/* Turns "CAP_NET_RAW", "net_raw" or "13" into a capability number, -1 if unknown. */
static int parse_cap(const char *s)
{
	char *end;
	long n;

	if (strncasecmp(s, "cap_", 4) == 0)
		s += 4;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (strcasecmp(s, cap_names[i]) == 0)
			return (int)i;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || end == s || n < 0 || n > 63)
		return -1;
	return (int)n;
}

static int parse_nstype(const char *s)
{
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(ns_types) / sizeof(ns_types[0]); i++)
		if (strcmp(s, ns_types[i].name) == 0)
			return ns_types[i].flag;
	errno = 0;
	n = strtol(s, &end, 0);
	if (errno || *end || end == s)
		return -1;
	return (int)n;
}

static int cmd_connect_unix(int argc, char **argv)
{
	static const char ping[] = "GET /_ping HTTP/1.0\r\n\r\n";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char reply[256];
	ssize_t n;
	int fd;

	if (argc < 2 || (argc == 3 && strcmp(argv[2], "--ping") != 0) || argc > 3)
		return usage();
	if (strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "bh-trigger: socket path longer than %zu bytes: %s\n",
			sizeof(sun.sun_path) - 1, argv[1]);
		return 1;
	}
	strcpy(sun.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("socket", NULL);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return fail("connect", argv[1]);
	printf("connected %s\n", argv[1]);
	if (argc == 3) {
		if (write(fd, ping, sizeof(ping) - 1) != (ssize_t)(sizeof(ping) - 1))
			return fail("write", argv[1]);
		n = read(fd, reply, sizeof(reply) - 1);
		if (n < 0)
			return fail("read", argv[1]);
		reply[n] = '\0';
		reply[strcspn(reply, "\r\n")] = '\0';
		printf("reply %s\n", reply);
	}
	close(fd);
	return 0;
}

static int caps_get(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct data[2])
{
	hdr->version = _LINUX_CAPABILITY_VERSION_3;
	hdr->pid = 0;
	return (int)syscall(SYS_capget, hdr, data);
}

/* Sets or clears one bit of the effective set with capset(2) and prints the result. */
static int caps_set_effective(int cap, int on)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];
	__u32 bit = 1U << (cap % 32);

	if (caps_get(&hdr, data) < 0)
		return fail("capget", NULL);
	if (on)
		data[cap / 32].effective |= bit;
	else
		data[cap / 32].effective &= ~bit;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail(on ? "capset raise" : "capset drop", cap_name(cap));
	printf("capset %s cap_%s effective=0x%08x%08x\n", on ? "raised" : "dropped", cap_name(cap),
	       data[1].effective, data[0].effective);
	return 0;
}

static int cmd_capset(int argc, char **argv, int raise)
{
	int cap;

	if (argc != 2)
		return usage();
	cap = parse_cap(argv[1]);
	if (cap < 0) {
		fprintf(stderr, "bh-trigger: unknown capability %s\n", argv[1]);
		return 2;
	}
	/* A raise needs the bit absent first, so the event shows it gained. */
	if (caps_set_effective(cap, 0))
		return 1;
	return raise ? caps_set_effective(cap, 1) : 0;
}

static int cmd_setns(int argc, char **argv)
{
	int fd, nstype = 0;

	if (argc < 2 || argc > 3)
		return usage();
	if (argc == 3) {
		nstype = parse_nstype(argv[2]);
		if (nstype < 0) {
			fprintf(stderr, "bh-trigger: unknown namespace type %s\n", argv[2]);
			return 2;
		}
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", argv[1]);
	if (setns(fd, nstype) < 0)
		return fail("setns", argv[1]);
	printf("setns %s nstype=0x%x\n", argv[1], nstype);
	close(fd);
	return 0;
}

static int cmd_mount_bind(int argc, char **argv)
{
	if (argc != 3)
		return usage();
	if (mount(argv[1], argv[2], NULL, MS_BIND, NULL) < 0)
		return fail("mount --bind", argv[2]);
	printf("mounted %s on %s (bind)\n", argv[1], argv[2]);
	return 0;
}

static int cmd_mount_tmpfs(int argc, char **argv)
{
	if (argc != 2)
		return usage();
	if (mount("tmpfs", argv[1], "tmpfs", 0, "size=1m") < 0)
		return fail("mount tmpfs", argv[1]);
	printf("mounted tmpfs on %s\n", argv[1]);
	return 0;
}

static int cmd_open_tree_move(int argc, char **argv)
{
	int fd;

	if (argc != 3)
		return usage();
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, argv[1], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0)
		return fail("open_tree", argv[1]);
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, argv[2], MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return fail("move_mount", argv[2]);
	printf("moved a clone of %s to %s\n", argv[1], argv[2]);
	close(fd);
	return 0;
}

static int cmd_bind_listen(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	unsigned int secs = 0;
	int fd, one = 1;
	long port;

	if (argc < 2 || argc > 3)
		return usage();
	port = strtol(argv[1], NULL, 10);
	if (port < 0 || port > 65535) {
		fprintf(stderr, "bh-trigger: bad port %s\n", argv[1]);
		return 2;
	}
	if (argc == 3)
		secs = (unsigned int)strtoul(argv[2], NULL, 10);
	sin.sin_port = htons((unsigned short)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("socket", NULL);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return fail("bind", argv[1]);
	if (listen(fd, 16) < 0)
		return fail("listen", argv[1]);
	printf("listening on 0.0.0.0:%ld\n", port);
	fflush(stdout);
	while (secs)
		secs = sleep(secs);
	close(fd);
	return 0;
}

static int cmd_exec(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	fflush(stdout);
	execv(argv[1], argv + 1);
	return fail("execve", argv[1]);
}

static int cmd_exec_as(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	fflush(stdout);
	execv(argv[1], argv + 2);
	return fail("execve", argv[1]);
}

static int cmd_execveat(int argc, char **argv)
{
	int dfd;

	if (argc < 3)
		return usage();
	dfd = open(argv[1], O_PATH | O_DIRECTORY);
	if (dfd < 0)
		return fail("open", argv[1]);
	fflush(stdout);
	syscall(SYS_execveat, dfd, argv[2], argv + 2, environ, 0);
	return fail("execveat", argv[2]);
}

/* Runs the program behind fd with argv: no path reaches the kernel's exec. */
static int exec_fd(int fd, char **argv)
{
	fflush(stdout);
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return fail("execveat(AT_EMPTY_PATH)", argv[0]);
}

static int cmd_fexecve(int argc, char **argv)
{
	int fd;

	if (argc < 2)
		return usage();
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", argv[1]);
	return exec_fd(fd, argv + 1);
}

static int cmd_memfd_exec(int argc, char **argv)
{
	char buf[65536];
	ssize_t n;
	int in, fd;

	if (argc < 4)
		return usage();
	in = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return fail("open", argv[2]);
	fd = memfd_create(argv[1], MFD_CLOEXEC);
	if (fd < 0)
		return fail("memfd_create", argv[1]);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return fail("write memfd", argv[1]);
	if (n < 0)
		return fail("read", argv[2]);
	close(in);
	return exec_fd(fd, argv + 3);
}

static int run(int argc, char **argv);

static int cmd_comm(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) < 0)
		return fail("prctl(PR_SET_NAME)", argv[1]);
	return run(argc - 2, argv + 2);
}

static int unix_socket_at(const char *path, int listener)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		fail("socket path", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fail("socket", path);
		return -1;
	}
	if (listener) {
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 1) < 0) {
			fail("bind/listen", path);
			return -1;
		}
	} else if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fail("connect", path);
		return -1;
	}
	return fd;
}

/* Copies what one end sends to the other until either closes. */
static void relay(int a, int b)
{
	struct pollfd p[2] = { { .fd = a, .events = POLLIN }, { .fd = b, .events = POLLIN } };
	char buf[4096];
	ssize_t n;

	while (poll(p, 2, -1) > 0) {
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0 || write(p[!i].fd, buf, (size_t)n) != n)
				return;
		}
	}
}

static int cmd_proxy(int argc, char **argv)
{
	int lfd, cfd, tfd;

	if (argc != 3)
		return usage();
	lfd = unix_socket_at(argv[1], 1);
	if (lfd < 0)
		return 1;
	printf("proxy listening on %s\n", argv[1]);
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return fail("accept", argv[1]);
	/* The proxy, not its client, is the process that reaches the target socket. */
	tfd = unix_socket_at(argv[2], 0);
	if (tfd < 0)
		return 1;
	relay(cfd, tfd);
	unlink(argv[1]);
	return 0;
}

static int cmd_send_fd(int argc, char **argv)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int lfd, cfd, fd;

	if (argc != 3)
		return usage();
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", argv[2]);
	lfd = unix_socket_at(argv[1], 1);
	if (lfd < 0)
		return 1;
	printf("serving an fd of %s on %s\n", argv[2], argv[1]);
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return fail("accept", argv[1]);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(cfd, &msg, 0) != 1)
		return fail("sendmsg", argv[1]);
	close(cfd);
	unlink(argv[1]);
	return 0;
}

static int cmd_recv_setns(int argc, char **argv)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int sfd, fd, nstype = 0;

	if (argc < 2 || argc > 3)
		return usage();
	if (argc == 3 && (nstype = parse_nstype(argv[2])) < 0) {
		fprintf(stderr, "bh-trigger: unknown namespace type %s\n", argv[2]);
		return 2;
	}
	sfd = unix_socket_at(argv[1], 0);
	if (sfd < 0)
		return 1;
	if (recvmsg(sfd, &msg, MSG_CMSG_CLOEXEC) != 1)
		return fail("recvmsg", argv[1]);
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "bh-trigger: no fd received on %s\n", argv[1]);
		return 1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (setns(fd, nstype) < 0)
		return fail("setns received fd", argv[1]);
	printf("setns through a received fd nstype=0x%x\n", nstype);
	return 0;
}

static int cmd_setns_pidfd(int argc, char **argv)
{
	int fd, flags = 0, t;

	if (argc < 3)
		return usage();
	for (int i = 2; i < argc; i++) {
		t = parse_nstype(argv[i]);
		if (t <= 0) {
			fprintf(stderr, "bh-trigger: unknown namespace type %s\n", argv[i]);
			return 2;
		}
		flags |= t;
	}
	fd = (int)syscall(SYS_pidfd_open, (pid_t)strtol(argv[1], NULL, 10), 0);
	if (fd < 0)
		return fail("pidfd_open", argv[1]);
	if (setns(fd, flags) < 0)
		return fail("setns pidfd", argv[1]);
	printf("setns through pidfd of %s flags=0x%x\n", argv[1], flags);
	return 0;
}

static int cmd_unshare_setns(int argc, char **argv)
{
	char path[64];
	int fd, nstype;

	if (argc < 2 || argc > 3)
		return usage();
	nstype = parse_nstype(argv[1]);
	if (nstype <= 0) {
		fprintf(stderr, "bh-trigger: unknown namespace type %s\n", argv[1]);
		return 2;
	}
	if (argc == 3)
		snprintf(path, sizeof(path), "%s", argv[2]);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", argv[1]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", path);
	if (unshare(nstype) < 0)
		return fail("unshare", argv[1]);
	if (setns(fd, nstype) < 0)
		return fail("setns back", path);
	printf("unshared %s and entered %s\n", argv[1], path);
	return 0;
}

/* fsopen + fsconfig(CREATE) + fsmount: a detached mount of a new FSTYPE superblock. */
static int new_mount_fd(const char *fstype)
{
	int fs, mnt;

	fs = (int)syscall(SYS_fsopen, fstype, 0);
	if (fs < 0) {
		fail("fsopen", fstype);
		return -1;
	}
	if (syscall(SYS_fsconfig, fs, BH_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		fail("fsconfig create", fstype);
		return -1;
	}
	mnt = (int)syscall(SYS_fsmount, fs, 0, 0);
	if (mnt < 0) {
		fail("fsmount", fstype);
		return -1;
	}
	close(fs);
	return mnt;
}

static int cmd_fsmount_move(int argc, char **argv)
{
	int mnt;

	if (argc != 3)
		return usage();
	mnt = new_mount_fd(argv[1]);
	if (mnt < 0)
		return 1;
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, argv[2], MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return fail("move_mount", argv[2]);
	printf("mounted a new %s on %s\n", argv[1], argv[2]);
	return 0;
}

static int cmd_fsmount_detached(int argc, char **argv)
{
	char buf[256];
	ssize_t n;
	int mnt, fd;

	if (argc != 3)
		return usage();
	mnt = new_mount_fd(argv[1]);
	if (mnt < 0)
		return 1;
	fd = openat(mnt, argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("openat detached mount", argv[2]);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return fail("read", argv[2]);
	printf("read %zd bytes of %s from a detached %s\n", n, argv[2], argv[1]);
	return 0;
}

/* struct vfs_cap_data, revision 2 (linux/capability.h): what setcap(8) writes. */
static int cmd_setfcap(int argc, char **argv)
{
	struct vfs_cap_data v = { .magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE };
	int cap;

	if (argc < 3)
		return usage();
	for (int i = 2; i < argc; i++) {
		cap = parse_cap(argv[i]);
		if (cap < 0) {
			fprintf(stderr, "bh-trigger: unknown capability %s\n", argv[i]);
			return 2;
		}
		v.data[cap / 32].permitted |= 1U << (cap % 32);
	}
	if (setxattr(argv[1], "security.capability", &v, sizeof(v), 0) < 0)
		return fail("setxattr security.capability", argv[1]);
	printf("file capabilities set on %s\n", argv[1]);
	return 0;
}

static int run(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "connect-unix", cmd_connect_unix },
		{ "setns", cmd_setns },
		{ "mount-bind", cmd_mount_bind },
		{ "mount-tmpfs", cmd_mount_tmpfs },
		{ "open-tree-move", cmd_open_tree_move },
		{ "bind-listen", cmd_bind_listen },
		{ "exec", cmd_exec },
		{ "exec-as", cmd_exec_as },
		{ "execveat", cmd_execveat },
		{ "fexecve", cmd_fexecve },
		{ "memfd-exec", cmd_memfd_exec },
		{ "comm", cmd_comm },
		{ "proxy", cmd_proxy },
		{ "send-fd", cmd_send_fd },
		{ "recv-setns", cmd_recv_setns },
		{ "setns-pidfd", cmd_setns_pidfd },
		{ "unshare-setns", cmd_unshare_setns },
		{ "fsmount-move", cmd_fsmount_move },
		{ "fsmount-detached", cmd_fsmount_detached },
		{ "setfcap", cmd_setfcap },
	};

	if (argc < 1)
		return usage();
	if (!strcmp(argv[0], "capset-drop"))
		return cmd_capset(argc, argv, 0);
	if (!strcmp(argv[0], "capset-raise"))
		return cmd_capset(argc, argv, 1);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[0], cmds[i].name))
			return cmds[i].fn(argc, argv);
	return usage();
}

int main(int argc, char **argv)
{
	/* Output goes to pipes in tests: line-buffer it so it is seen before a crash or exec. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return run(argc - 1, argv + 1);
}
