// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* state.c - a container's privileges and root filesystem writes, read from kernel state. */
#define _GNU_SOURCE
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pid_t bh_state_cgroup_pid(const struct bh_cgroup_hier *v2, const char *path)
{
	char rel[PATH_MAX];
	FILE *f;
	int fd, pid = 0;

	snprintf(rel, sizeof(rel), "%s/cgroup.procs", path[0] == '/' ? path + 1 : path);
	fd = openat(v2->fd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return 0;
	}
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

/* The root mount's line of /proc/<pid>/mountinfo: read-only, and its upperdir= option. */
static int read_root_mount(pid_t pid, struct bh_advice_now *now, char *upper, size_t upper_len)
{
	char path[64], line[4096];
	int err = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	upper[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], opts[256], *sep, *up;

		/* id parent maj:min root mount-point options ... - fstype source super-options */
		if (sscanf(line, "%*s %*s %*s %*s %4095s %255s", mnt, opts) != 2 ||
		    strcmp(mnt, "/"))
			continue;
		now->readonly_rootfs = !strncmp(opts, "ro", 2) && (opts[2] == ',' || !opts[2]);
		sep = strstr(line, " - ");
		up = sep ? strstr(sep, "upperdir=") : NULL;
		if (up) {
			up += strlen("upperdir=");
			snprintf(upper, upper_len, "%.*s", (int)strcspn(up, ", \n"), up);
		}
		err = 0; /* the last "/" line is the root a process sees */
	}
	fclose(f);
	return err;
}

int bh_state_read(pid_t pid, struct bh_advice_now *now, char *upper, size_t upper_len)
{
	char path[64], line[256];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		int v;

		if (sscanf(line, "CapEff: %llx", &now->cap_effective) == 1)
			continue;
		if (sscanf(line, "CapBnd: %llx", &now->cap_bounding) == 1)
			continue;
		if (sscanf(line, "NoNewPrivs: %d", &v) == 1)
			now->no_new_privs = v;
		else if (sscanf(line, "Seccomp: %d", &v) == 1)
			now->seccomp_mode = v;
	}
	fclose(f);
	err = read_root_mount(pid, now, upper, upper_len);
	if (!err)
		now->known = true;
	return err;
}

/* Reads an int from a file. */
static int read_int(const char *path)
{
	FILE *f = fopen(path, "re");
	int v;

	if (!f)
		return -errno;
	if (fscanf(f, "%d", &v) != 1)
		v = -EINVAL;
	fclose(f);
	return v;
}

/*
 * /proc/sys/net shows the reader's network namespace, not the file's process's:
 * the calling thread joins the container's for the read, and returns.
 */
int bh_state_unpriv_port_start(pid_t pid)
{
	char path[64];
	int own, theirs, v;

	own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	theirs = open(path, O_RDONLY | O_CLOEXEC);
	if (own < 0 || theirs < 0 || setns(theirs, CLONE_NEWNET)) {
		v = -errno;
		goto out;
	}
	v = read_int("/proc/sys/net/ipv4/ip_unprivileged_port_start");
	if (setns(own, CLONE_NEWNET)) {
		/* no way back: every later network call would go to the container's */
		perror("bulkhead: cannot return to its own network namespace");
		abort();
	}
out:
	if (own >= 0)
		close(own);
	if (theirs >= 0)
		close(theirs);
	return v;
}

/* The first entry of dir (not . or ..), descending into directories: 1 found, 0 empty. */
static int first_entry(const char *dir, char *rel, size_t len, int depth)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		size_t used = strlen(rel);

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(rel + used, len - used, "/%s", de->d_name);
		found = 1;
		if (de->d_type == DT_DIR && depth < 8) {
			snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
			first_entry(sub, rel, len, depth + 1);
		}
		break;
	}
	closedir(d);
	return found;
}

int bh_state_upper_written(const char *upper, char *first, size_t first_len)
{
	first[0] = '\0';
	return first_entry(upper, first, first_len, 0);
}
