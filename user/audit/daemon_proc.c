// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_proc.c - a runtime daemon found by kernel state, not by its name: the listening
 * unix socket bound at the runtime's socket path (/proc/net/unix), the process whose fds
 * hold it (/proc/PID/fd), then that process's TCP listeners (/proc/PID/net/tcp{,6}),
 * command line and environment.
 *
 * /proc/net/unix lists the sockets of the reader's network namespace: the audit runs in the
 * host's (a DaemonSet pod with hostNetwork), where the daemons bind their sockets.
 */
#define _GNU_SOURCE
#include "host_impl.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/mount_source.h"
#include "core/file.h"

/* __SO_ACCEPTCON in /proc/net/unix's Flags: the socket listens. */
#define UNIX_FLAG_LISTENING 0x10000UL
/* TCP_LISTEN in /proc/net/tcp's st column. */
#define TCP_STATE_LISTEN 0x0A
/* Listening sockets bound at one path: more than one only when a stale one is still open. */
#define PATH_SOCKETS_MAX 8
#define HOLDERS_MAX	 8

void bh_host_path(char *out, size_t size, const char *host_root, const char *path)
{
	snprintf(out, size, "%s%s", host_root ? host_root : "", path);
}

int bh_host_file(const char *host_root, const char *path, char *out, size_t size, struct stat *st)
{
	char resolved[BH_NORM_PATH_MAX];
	int rootfd, err;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!host_root || !host_root[0]) {
		snprintf(out, size, "%s", path);
		return st && stat(path, st) ? -errno : 0;
	}
	bh_host_path(out, size, host_root, path);
	rootfd = open(host_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	err = bh_resolve_in_root(rootfd, path, resolved, sizeof(resolved), st);
	close(rootfd);
	if (!err)
		bh_host_path(out, size, host_root, resolved);
	return err;
}

/* A growable set of socket inodes. */
struct inode_set {
	unsigned long *v;
	size_t n, cap;
};

static bool set_has(const struct inode_set *s, unsigned long ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == ino)
			return true;
	return false;
}

static int set_add(struct inode_set *s, unsigned long ino)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		unsigned long *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ino;
	return 0;
}

/* The inodes of the listening unix sockets bound at the file (dev, ino) of the socket path. */
static size_t path_sockets(const char *host_root, const struct stat *sock_st, unsigned long *out)
{
	char path[BH_NORM_PATH_MAX], *text, *line, *save = NULL;
	size_t len, n = 0;

	bh_host_path(path, sizeof(path), host_root, "/proc/net/unix");
	if (bh_read_file(path, &text, &len))
		return 0;
	/* Num RefCount Protocol Flags Type St Inode Path */
	for (line = strtok_r(text, "\n", &save); line && n < PATH_SOCKETS_MAX;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long flags, ino;
		char bound[4096], full[BH_NORM_PATH_MAX];
		struct stat st;

		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %lu %4095s", &flags, &ino, bound) != 3)
			continue;
		if (!(flags & UNIX_FLAG_LISTENING) || bound[0] != '/')
			continue;
		/* the path as bound may differ (/var/run -> /run): the file is what counts */
		if (bh_host_file(host_root, bound, full, sizeof(full), &st) ||
		    st.st_dev != sock_st->st_dev || st.st_ino != sock_st->st_ino)
			continue;
		out[n++] = ino;
	}
	free(text);
	return n;
}

/* The socket inode an fd link names ("socket:[123]"), or 0. */
static unsigned long fd_socket(const char *fd_dir, const char *name)
{
	char link[BH_NORM_PATH_MAX], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/%s", fd_dir, name);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 9)
		return 0;
	target[n] = '\0';
	if (strncmp(target, "socket:[", 8))
		return 0;
	return strtoul(target + 8, NULL, 10);
}

/* Does any fd of pid hold one of the inodes? -errno when its fds cannot be read. */
static int holds(const char *host_root, int pid, const unsigned long *inodes, size_t n)
{
	char fd_dir[BH_NORM_PATH_MAX], rel[64];
	struct dirent *e;
	int found = 0;
	DIR *dir;

	snprintf(rel, sizeof(rel), "/proc/%d/fd", pid);
	bh_host_path(fd_dir, sizeof(fd_dir), host_root, rel);
	dir = opendir(fd_dir);
	if (!dir)
		return -errno;
	while (!found && (e = readdir(dir))) {
		unsigned long ino = e->d_name[0] == '.' ? 0 : fd_socket(fd_dir, e->d_name);

		for (size_t i = 0; ino && i < n; i++)
			if (ino == inodes[i])
				found = 1;
	}
	closedir(dir);
	return found;
}

/* Field 22 of /proc/PID/stat: its start time in clock ticks since boot; 0 unreadable. */
static unsigned long long start_time(const char *host_root, int pid)
{
	char path[BH_NORM_PATH_MAX], rel[64], *text, *p;
	unsigned long long t = 0;
	size_t len;

	snprintf(rel, sizeof(rel), "/proc/%d/stat", pid);
	bh_host_path(path, sizeof(path), host_root, rel);
	if (bh_read_file(path, &text, &len))
		return 0;
	/* the command name (field 2) may hold spaces and parentheses: count after the last ')' */
	p = strrchr(text, ')');
	if (p && sscanf(p + 1,
			" %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			"%*d %*d %*d %llu",
			&t) != 1)
		t = 0;
	free(text);
	return t;
}

/* The process holding one of the inodes and started last; 0 when none (unreadable counted). */
static int find_holder(const char *host_root, const unsigned long *inodes, size_t n,
		       unsigned int *unreadable)
{
	char proc[BH_NORM_PATH_MAX];
	unsigned long long best_t = 0;
	struct dirent *e;
	int best = 0;
	DIR *dir;

	bh_host_path(proc, sizeof(proc), host_root, "/proc");
	dir = opendir(proc);
	if (!dir)
		return 0;
	while ((e = readdir(dir))) {
		unsigned long long t;
		int pid, r;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = atoi(e->d_name);
		r = holds(host_root, pid, inodes, n);
		if (r < 0 && r != -ENOENT)
			(*unreadable)++;
		if (r <= 0)
			continue;
		t = start_time(host_root, pid);
		if (!best || t > best_t) {
			best = pid;
			best_t = t;
		}
	}
	closedir(dir);
	return best;
}

/* Every socket inode among pid's fds. */
static void fd_sockets(const char *host_root, int pid, struct inode_set *s)
{
	char fd_dir[BH_NORM_PATH_MAX], rel[64];
	struct dirent *e;
	DIR *dir;

	snprintf(rel, sizeof(rel), "/proc/%d/fd", pid);
	bh_host_path(fd_dir, sizeof(fd_dir), host_root, rel);
	dir = opendir(fd_dir);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		unsigned long ino = e->d_name[0] == '.' ? 0 : fd_socket(fd_dir, e->d_name);

		if (ino && !set_has(s, ino) && set_add(s, ino))
			break;
	}
	closedir(dir);
}

/* "0100007F:1F91" (v4) or 32 hex digits and a port (v6), as the kernel prints them. */
static bool format_endpoint(const char *hex, bool v6, char *out, size_t size)
{
	char addr[INET6_ADDRSTRLEN], word[9];
	unsigned char raw[16];
	unsigned int port;
	size_t words = v6 ? 4 : 1;
	const char *colon = strchr(hex, ':');

	if (!colon || (size_t)(colon - hex) != words * 8 || sscanf(colon + 1, "%x", &port) != 1)
		return false;
	/* each 32-bit word is printed as the host reads it from network-order memory */
	for (size_t i = 0; i < words; i++) {
		uint32_t w;

		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		w = (uint32_t)strtoul(word, NULL, 16);
		memcpy(raw + i * 4, &w, 4);
	}
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, raw, addr, sizeof(addr)))
		return false;
	snprintf(out, size, v6 ? "[%s]:%u" : "%s:%u", addr, port);
	return true;
}

/* pid's listening TCP sockets in its network namespace's table (tcp or tcp6). */
static void tcp_listeners(const char *host_root, int pid, const struct inode_set *mine, bool v6,
			  struct bh_daemon *d)
{
	char path[BH_NORM_PATH_MAX], rel[64], *text, *line, *save = NULL;
	size_t len;

	snprintf(rel, sizeof(rel), "/proc/%d/net/%s", pid, v6 ? "tcp6" : "tcp");
	bh_host_path(path, sizeof(path), host_root, rel);
	if (bh_read_file(path, &text, &len))
		return;
	/* sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
	 */
	for (line = strtok_r(text, "\n", &save); line && d->n_tcp < BH_DAEMON_TCP_MAX;
	     line = strtok_r(NULL, "\n", &save)) {
		char local[64];
		unsigned int state;
		unsigned long ino;

		if (sscanf(line, " %*s %63s %*s %x %*s %*s %*s %*s %*s %lu", local, &state, &ino) !=
		    3)
			continue;
		if (state != TCP_STATE_LISTEN || !set_has(mine, ino))
			continue;
		if (format_endpoint(local, v6, d->tcp[d->n_tcp], sizeof(d->tcp[0])))
			d->n_tcp++;
	}
	free(text);
}

/* /proc/PID/cmdline split into argv (one allocation: the pointers, then the strings). */
static void read_cmdline(const char *host_root, int pid, struct bh_daemon *d)
{
	char path[BH_NORM_PATH_MAX], rel[64], *text, *p, **argv;
	size_t len, argc = 0;

	snprintf(rel, sizeof(rel), "/proc/%d/cmdline", pid);
	bh_host_path(path, sizeof(path), host_root, rel);
	if (bh_read_file(path, &text, &len))
		return;
	for (size_t i = 0; i < len; i++)
		argc += !text[i];
	if (len && text[len - 1])
		argc++; /* an unterminated last argument */
	argv = malloc((argc + 1) * sizeof(*argv) + len + 1);
	if (!argv) {
		free(text);
		return;
	}
	p = (char *)(argv + argc + 1);
	memcpy(p, text, len + 1);
	for (size_t i = 0; i < argc; i++) {
		argv[i] = p;
		p += strlen(p) + 1;
	}
	argv[argc] = NULL;
	free(text);
	d->argv = argv;
	d->argc = (int)argc;
}

/* DOCKER_TLS_VERIFY non-empty in /proc/PID/environ: dockerd's --tlsverify default follows it. */
static bool env_tls_verify(const char *host_root, int pid)
{
	char path[BH_NORM_PATH_MAX], rel[64], *text;
	size_t len, off = 0;
	bool set = false;

	snprintf(rel, sizeof(rel), "/proc/%d/environ", pid);
	bh_host_path(path, sizeof(path), host_root, rel);
	if (bh_read_file(path, &text, &len))
		return false;
	while (off < len && !set) {
		const char *var = text + off;

		set = !strncmp(var, "DOCKER_TLS_VERIFY=", 18) && var[18];
		off += strlen(var) + 1;
	}
	free(text);
	return set;
}

void bh_daemon_find(const char *host_root, const char *sock, struct bh_daemon *d)
{
	unsigned long inodes[PATH_SOCKETS_MAX];
	struct inode_set mine = { 0 };
	char path[BH_NORM_PATH_MAX];
	unsigned int unreadable = 0;
	struct stat st;
	size_t n;
	int err;

	memset(d, 0, sizeof(*d));
	err = bh_host_file(host_root, sock, path, sizeof(path), &st);
	if (err) {
		snprintf(d->note, sizeof(d->note), "not running: no socket at %s (%s)", path,
			 strerror(-err));
		return;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(d->note, sizeof(d->note), "not running: %s is not a socket", path);
		return;
	}
	n = path_sockets(host_root, &st, inodes);
	if (!n) {
		snprintf(d->note, sizeof(d->note),
			 "not running: no process listens on %s (/proc/net/unix has no listening "
			 "socket bound there)",
			 path);
		return;
	}
	d->pid = find_holder(host_root, inodes, n, &unreadable);
	if (!d->pid) {
		snprintf(d->note, sizeof(d->note),
			 "cannot tell: a socket listens on %s (inode %lu) but no process whose fds "
			 "could be read holds it (%u unreadable: run as root)",
			 path, inodes[0], unreadable);
		return;
	}
	/* its fds and command line are the service manager's, not the daemon's */
	if (d->pid == 1) {
		d->pid = 0;
		snprintf(d->note, sizeof(d->note),
			 "not started: only pid 1, the service manager, holds %s (socket "
			 "activation); the daemon starts at the first connection",
			 path);
		return;
	}
	read_cmdline(host_root, d->pid, d);
	d->env_tls_verify = env_tls_verify(host_root, d->pid);
	fd_sockets(host_root, d->pid, &mine);
	tcp_listeners(host_root, d->pid, &mine, false, d);
	tcp_listeners(host_root, d->pid, &mine, true, d);
	free(mine.v);
}

void bh_daemon_free(struct bh_daemon *d)
{
	free(d->argv);
	d->argv = NULL;
	d->argc = 0;
}
