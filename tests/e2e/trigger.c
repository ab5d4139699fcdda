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
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
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
    {"mnt", CLONE_NEWNS},    {"pid", CLONE_NEWPID},
    {"net", CLONE_NEWNET},   {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},   {"cgroup", CLONE_NEWCGROUP},
    {"user", CLONE_NEWUSER}, {"time", 0x00000080 /* CLONE_NEWTIME */},
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
	fprintf(
	    stderr,
	    "usage: bh-trigger COMMAND ARGS\n"
	    "  connect-unix PATH [--ping]   connect to a unix stream socket (--ping: GET /_ping)\n"
	    "  capset-drop CAP              drop CAP from the effective set\n"
	    "  capset-raise CAP             drop CAP from the effective set, then raise it again\n"
	    "  setns PATH [NSTYPE]          open PATH (e.g. /proc/2/ns/net) and setns(2) into it\n"
	    "  mount-bind SRC DST           mount(2) SRC on DST with MS_BIND\n"
	    "  mount-tmpfs DST              mount(2) a tmpfs on DST\n"
	    "  open-tree-move SRC DST       open_tree(OPEN_TREE_CLONE) SRC, move_mount it to DST\n"
	    "  bind-listen PORT [SECONDS]   listen on 0.0.0.0:PORT over TCP, then sleep\n"
	    "  exec PATH [ARGS...]          execve(2) PATH with ARGS (argv[0] = PATH)\n"
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
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
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
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
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

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	/* Output goes to pipes in tests: line-buffer it so it is seen before a crash or exec. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	argc--;
	argv++;
	if (!strcmp(cmd, "connect-unix"))
		return cmd_connect_unix(argc, argv);
	if (!strcmp(cmd, "capset-drop"))
		return cmd_capset(argc, argv, 0);
	if (!strcmp(cmd, "capset-raise"))
		return cmd_capset(argc, argv, 1);
	if (!strcmp(cmd, "setns"))
		return cmd_setns(argc, argv);
	if (!strcmp(cmd, "mount-bind"))
		return cmd_mount_bind(argc, argv);
	if (!strcmp(cmd, "mount-tmpfs"))
		return cmd_mount_tmpfs(argc, argv);
	if (!strcmp(cmd, "open-tree-move"))
		return cmd_open_tree_move(argc, argv);
	if (!strcmp(cmd, "bind-listen"))
		return cmd_bind_listen(argc, argv);
	if (!strcmp(cmd, "exec"))
		return cmd_exec(argc, argv);
	return usage();
}
