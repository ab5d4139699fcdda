// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup.c - cgroup mounts, id -> path through kernfs handles, and path -> container id. */
#define _GNU_SOURCE
#include "cgroup.h"
#include "container.h"
#include "core/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

/* include/linux/exportfs.h: kernfs (cgroup) file handles carry the 64-bit node id. */
#define FILEID_KERNFS 0xfe

/*
 * v1 controller to follow, best first: every runtime creates the container's
 * cgroup in these, and none is commonly co-mounted away (cpu,cpuacct is).
 */
static const char *const v1_prefer[] = {
	"pids", "memory", "cpu", "cpuacct", "blkio", "devices", "freezer", "cpuset", "perf_event",
};

static void hier_reset(struct bh_cgroup_hier *h)
{
	if (h->fd >= 0)
		close(h->fd);
	free(h->mnt);
	free(h->root);
	h->fd = -1;
	h->mnt = NULL;
	h->root = NULL;
	h->root_id = 0;
}

/* Undoes the octal escapes (\040 for a space) mountinfo uses in paths, in place. */
static void unescape_mountinfo(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static bool has_option(const char *opts, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

static bool under_root(const char *mnt, const char *host_root)
{
	size_t n = strlen(host_root);

	return n && !strncmp(mnt, host_root, n) && (mnt[n] == '/' || mnt[n] == '\0');
}

static int hier_set(struct bh_cgroup_hier *h, const char *mnt, const char *root)
{
	struct stat st;

	hier_reset(h);
	h->fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->fd < 0)
		return -errno;
	if (fstat(h->fd, &st) < 0) {
		int err = -errno;

		hier_reset(h);
		return err;
	}
	h->root_id = st.st_ino;
	h->mnt = strdup(mnt);
	h->root = strdup(root);
	if (!h->mnt || !h->root) {
		hier_reset(h);
		return -ENOMEM;
	}
	return 0;
}

int bh_cgroup_v1_hierarchy_id(const char *controller)
{
	char *line = NULL;
	size_t cap = 0;
	int id = -1;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return -1;
	while (id < 0 && getline(&line, &cap, f) > 0) {
		char *ctrl = strchr(line, ':'), *end;

		if (!ctrl || !(end = strchr(ctrl + 1, ':')))
			continue;
		*end = '\0';
		if (has_option(ctrl + 1, controller))
			id = atoi(line);
	}
	free(line);
	fclose(f);
	return id;
}

int bh_cgroups_open(struct bh_cgroups *cg, const char *host_root)
{
	/* rank of the v1 mount taken so far; lower is better, host_root mounts first */
	int v1_rank = INT_MAX, v2_rank = INT_MAX;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	memset(cg, 0, sizeof(*cg));
	cg->v1.fd = cg->v2.fd = -1;
	cg->v1_hierarchy_id = -1;
	if (!host_root)
		host_root = "";

	f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		int err = -errno;

		bh_error("cannot read /proc/self/mountinfo to find cgroup mounts: %s",
			 strerror(errno));
		return err;
	}
	while (getline(&line, &cap, f) > 0) {
		char root[PATH_MAX], mnt[PATH_MAX], fstype[32], sopts[512];
		const char *sep = strstr(line, " - ");
		int base;

		/* id parent major:minor root mountpoint opts [optional...] - fstype source sopts */
		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%31s %*s %511s", fstype, sopts) != 2)
			continue;
		unescape_mountinfo(root);
		unescape_mountinfo(mnt);
		base = under_root(mnt, host_root) ? 0 : 1000;

		if (!strcmp(fstype, "cgroup2")) {
			if (base < v2_rank && !hier_set(&cg->v2, mnt, root))
				v2_rank = base;
		} else if (!strcmp(fstype, "cgroup")) {
			for (size_t i = 0; i < sizeof(v1_prefer) / sizeof(v1_prefer[0]); i++) {
				int rank = base + (int)i;

				if (rank >= v1_rank || !has_option(sopts, v1_prefer[i]))
					continue;
				if (!hier_set(&cg->v1, mnt, root)) {
					v1_rank = rank;
					cg->v1_controller = v1_prefer[i];
				}
				break;
			}
		}
	}
	free(line);
	fclose(f);

	if (cg->v2.fd < 0 && cg->v1.fd < 0) {
		bh_error("no cgroup hierarchy is mounted (looked for cgroup2 and cgroup v1 %s in "
			 "/proc/self/mountinfo%s%s): mount /sys/fs/cgroup",
			 "controllers", *host_root ? " under " : "", host_root);
		return -ENOENT;
	}
	/* hierarchy ids are global: our own /proc entry names them whatever our cgroupns */
	if (cg->v1_controller)
		cg->v1_hierarchy_id = bh_cgroup_v1_hierarchy_id(cg->v1_controller);
	bh_debug("cgroup v2 at %s, v1 %s at %s", cg->v2.mnt ? cg->v2.mnt : "(none)",
		 cg->v1_controller ? cg->v1_controller : "(none)", cg->v1.mnt ? cg->v1.mnt : "-");
	return 0;
}

void bh_cgroups_close(struct bh_cgroups *cg)
{
	hier_reset(&cg->v2);
	hier_reset(&cg->v1);
	cg->v1_controller = NULL;
	cg->v1_hierarchy_id = -1;
}

/* A note's key in the index; the hierarchy id widened, so that no padding is hashed. */
struct note_key {
	__u64 id;
	__u64 hierarchy_id;
};

int bh_cgroup_notes_init(struct bh_cgroup_notes *n, size_t cap)
{
	memset(n, 0, sizeof(*n));
	bh_hashtab_init(&n->index, sizeof(size_t));
	n->slots = calloc(cap, sizeof(*n->slots));
	if (!n->slots || bh_hashtab_reserve(&n->index, cap)) {
		bh_cgroup_notes_fini(n);
		return -ENOMEM;
	}
	n->cap = cap;
	return 0;
}

void bh_cgroup_notes_fini(struct bh_cgroup_notes *n)
{
	for (size_t i = 0; n->slots && i < n->cap; i++)
		free(n->slots[i].path);
	free(n->slots);
	bh_hashtab_fini(&n->index);
	memset(n, 0, sizeof(*n));
}

int bh_cgroup_notes_put(struct bh_cgroup_notes *n, __u32 hierarchy_id, __u64 id, const char *path,
			size_t len)
{
	const struct note_key key = { id, hierarchy_id };
	char *copy = strndup(path, len);
	struct bh_cgroup_note *e;
	size_t *slot;

	if (!copy)
		return -ENOMEM;
	slot = bh_hashtab_get(&n->index, &key, sizeof(key));
	if (slot) {
		e = &n->slots[*slot];
		free(e->path);
		e->path = copy;
		return 0;
	}
	/* the oldest goes first: the index never holds more than cap notes */
	e = &n->slots[n->head];
	if (e->path) {
		const struct note_key old = { e->id, e->hierarchy_id };

		bh_hashtab_del(&n->index, &old, sizeof(old));
		free(e->path);
		e->path = NULL;
	}
	slot = bh_hashtab_put(&n->index, &key, sizeof(key));
	if (!slot) {
		free(copy);
		return -ENOMEM;
	}
	*slot = n->head;
	e->id = id;
	e->hierarchy_id = hierarchy_id;
	e->path = copy;
	n->head = (n->head + 1) % n->cap;
	return 0;
}

const char *bh_cgroup_notes_get(const struct bh_cgroup_notes *n, __u32 hierarchy_id, __u64 id)
{
	const struct note_key key = { id, hierarchy_id };
	const size_t *slot = bh_hashtab_get(&n->index, &key, sizeof(key));

	return slot ? n->slots[*slot].path : NULL;
}

static int open_id(const struct bh_cgroup_hier *h, __u64 id)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(__u64)];
	} u;
	int fd;

	if (h->fd < 0)
		return -ENOENT;
	u.fh.handle_bytes = sizeof(__u64);
	u.fh.handle_type = FILEID_KERNFS;
	memcpy(u.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(h->fd, &u.fh, O_PATH | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Joins the mount's root and a path relative to the mount point into a hierarchy path. */
static int hier_path(const struct bh_cgroup_hier *h, const char *rel, char *buf, size_t len)
{
	const char *root = strcmp(h->root, "/") ? h->root : "";
	int n;

	if (!*rel && !*root)
		n = snprintf(buf, len, "/");
	else
		n = snprintf(buf, len, "%s%s", root, rel);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int bh_cgroup_id_path(const struct bh_cgroup_hier *h, __u64 id, char *buf, size_t len)
{
	char proc[32], target[PATH_MAX];
	size_t mlen = h->mnt ? strlen(h->mnt) : 0;
	ssize_t n;
	int fd;

	if (!h->mnt)
		return -ENOENT;
	fd = open_id(h, id);
	if (fd < 0)
		return fd;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, target, sizeof(target) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	/* a cgroup outside our view of the mount cannot be named relative to it */
	if (strncmp(target, h->mnt, mlen) != 0 || (target[mlen] != '/' && target[mlen] != '\0'))
		return -EXDEV;
	return hier_path(h, target + mlen, buf, len);
}

int bh_cgroup_id_exists(const struct bh_cgroup_hier *h, __u64 id)
{
	int fd = open_id(h, id);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* The hierarchy path relative to the mount point h->fd ("" for the mount's root). */
static int hier_rel(const struct bh_cgroup_hier *h, const char *path, const char **rel)
{
	size_t rlen = strcmp(h->root, "/") ? strlen(h->root) : 0;

	if (h->fd < 0)
		return -ENOENT;
	if (strncmp(path, h->root, rlen) != 0)
		return -EXDEV;
	path += rlen;
	while (*path == '/')
		path++;
	*rel = path;
	return 0;
}

int bh_cgroup_path_exists(const struct bh_cgroup_hier *h, const char *path)
{
	const char *rel;
	struct stat st;
	int err = hier_rel(h, path, &rel);

	if (err)
		return err;
	if (fstatat(h->fd, *rel ? rel : ".", &st, 0) < 0)
		return -errno;
	return 0;
}

/* Opens file in the cgroup directory at hierarchy path; a negative errno on failure. */
static int open_in_cgroup(const struct bh_cgroup_hier *h, const char *path, const char *file)
{
	char name[PATH_MAX];
	const char *rel;
	int fd, err = hier_rel(h, path, &rel);

	if (err)
		return err;
	if ((size_t)snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "", file) >=
	    sizeof(name))
		return -ENAMETOOLONG;
	fd = openat(h->fd, name, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int bh_cgroup_path_populated(const struct bh_cgroup_hier *h, const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = open_in_cgroup(h, path, "cgroup.events");
	bool v2 = fd >= 0;

	if (fd == -ENOENT)
		fd = open_in_cgroup(h, path, "cgroup.procs");
	if (fd < 0)
		return fd;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (!v2)
		return n > 0;
	/* "populated 0|1" is the first line of cgroup.events */
	return strstr(buf, "populated 1") != NULL;
}

/* The id of rel (a path relative to our cgroup namespace) in a cgroup2 mount of our own. */
static __u64 id_in_own_mount(const char *rel)
{
	int fs, mnt = -1, fd = -1;
	struct stat st;
	__u64 id = 0;

	/* moved above the namespace's root since it was made: the path cannot say where */
	if (strstr(rel, "/.."))
		return 0;
	fs = (int)syscall(__NR_fsopen, "cgroup2", FSOPEN_CLOEXEC);
	if (fs < 0)
		return 0;
	if (!syscall(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		mnt = (int)syscall(__NR_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	close(fs);
	if (mnt < 0)
		return 0;
	while (*rel == '/')
		rel++;
	fd = *rel ? openat(mnt, rel, O_PATH | O_DIRECTORY | O_CLOEXEC) : mnt;
	/* kernfs inode numbers are the cgroup ids on 64-bit kernels */
	if (fd >= 0 && !fstat(fd, &st))
		id = st.st_ino;
	if (fd >= 0 && fd != mnt)
		close(fd);
	close(mnt);
	return id;
}

__u64 bh_cgroup_self_v2_id(const char *host_root)
{
	static const char *const mounts[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char rel[PATH_MAX] = "", path[PATH_MAX * 2], probe[PATH_MAX];
	struct stat st;
	__u64 id;

	if (bh_cgroup_proc_path("/proc", (__u32)getpid(), NULL, rel, sizeof(rel)))
		return 0;
	id = id_in_own_mount(rel);
	if (id)
		return id;
	/* no new mount here (no CAP_SYS_ADMIN, an old kernel): right in the host's namespace */
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		snprintf(probe, sizeof(probe), "%s%s/cgroup.controllers", host_root, mounts[i]);
		if (access(probe, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", host_root, mounts[i], rel);
		if (!stat(path, &st))
			return st.st_ino;
	}
	return 0;
}

/* include/linux/proc_ns.h: the inode number of the initial pid namespace. */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

int bh_host_procfs(const char *host_root, char *buf, size_t len)
{
	struct statfs sfs;
	struct stat st;

	if (host_root && *host_root) {
		snprintf(buf, len, "%s/proc", host_root);
		if (!statfs(buf, &sfs) && sfs.f_type == PROC_SUPER_MAGIC)
			return 0;
	}
	/* the DaemonSet's case: hostPID, and the host's /proc is the pod's own */
	if (!stat("/proc/self/ns/pid", &st) && st.st_ino == PROC_PID_INIT_INO) {
		snprintf(buf, len, "/proc");
		return 0;
	}
	return -ENOENT;
}

int bh_cgroup_proc_path(const char *procfs, __u32 tgid, const char *controller, char *buf,
			size_t len)
{
	char file[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;
	FILE *f;

	snprintf(file, sizeof(file), "%s/%u/cgroup", procfs, tgid);
	f = fopen(file, "re");
	if (!f)
		return errno ? -errno : -ENOENT;
	/* hierarchy-id:controller,list:path; the unified line is "0::path" */
	while (getline(&line, &cap, f) > 0) {
		char *ctrl = strchr(line, ':'), *path;

		if (!ctrl || !(path = strchr(ctrl + 1, ':')))
			continue;
		*path++ = '\0';
		ctrl++;
		if (controller ? !has_option(ctrl, controller) : *ctrl != '\0')
			continue;
		path[strcspn(path, "\n")] = '\0';
		err = snprintf(buf, len, "%s", path) >= (int)len ? -ENAMETOOLONG : 0;
		break;
	}
	free(line);
	fclose(f);
	return err;
}

static void walk_dir(const struct bh_cgroup_hier *h, int dfd, char *rel, size_t rlen,
		     void (*fn)(const char *path, __u64 id, void *ctx), void *ctx)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = fdopendir(dfd);

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		size_t n;
		int cfd;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		n = strlen(de->d_name);
		if (rlen + 1 + n >= PATH_MAX)
			continue;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* the cgroup may vanish while we walk: skip it */
		if (cfd < 0)
			continue;
		if (fstat(cfd, &st) < 0) {
			close(cfd);
			continue;
		}
		rel[rlen] = '/';
		memcpy(rel + rlen + 1, de->d_name, n + 1);
		/* kernfs inode numbers are the cgroup ids on 64-bit kernels */
		if (!hier_path(h, rel, path, sizeof(path)))
			fn(path, st.st_ino, ctx);
		walk_dir(h, cfd, rel, rlen + 1 + n, fn, ctx);
		rel[rlen] = '\0';
	}
	closedir(d);
}

int bh_cgroup_walk(const struct bh_cgroup_hier *h,
		   void (*fn)(const char *path, __u64 id, void *ctx), void *ctx)
{
	char rel[PATH_MAX] = "";
	int dfd;

	if (h->fd < 0)
		return -ENOENT;
	dfd = openat(h->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	walk_dir(h, dfd, rel, 0, fn, ctx);
	return 0;
}

static bool is_hex64(const char *s, size_t n)
{
	if (n != BH_CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
	}
	return true;
}

/* Runtime named by the prefix before the id in "<prefix>-<id>.scope"; NULL: host (conmon). */
static const char *scope_runtime(const char *prefix, size_t n, bool *known)
{
	static const struct {
		const char *prefix;
		const char *runtime;
	} map[] = {
		{ "docker", "docker" },		{ "cri-containerd", "containerd" },
		{ "containerd", "containerd" }, { "crio", "cri-o" },
		{ "libpod", "podman" },		{ "crio-conmon", NULL },
		{ "libpod-conmon", NULL },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strlen(map[i].prefix) == n && !strncmp(prefix, map[i].prefix, n)) {
			*known = true;
			return map[i].runtime;
		}
	}
	*known = false;
	return NULL;
}

/* Runtime of a bare "<id>" cgroup, from the component it sits under. */
static const char *parent_runtime(const char *path, size_t end)
{
	if (memmem(path, end, "/docker", 7) || memmem(path, end, "/actions_job", 12))
		return "docker";
	if (memmem(path, end, "/libpod_parent", 14))
		return "podman";
	/* kubepods with the cgroupfs driver: the bundle's location tells docker or cri-o */
	return "containerd";
}

int bh_cgroup_path_container(const char *path, char id[BH_CONTAINER_ID_LEN + 1],
			     const char **runtime)
{
	size_t start = 0;

	/*
	 * Outermost first: the host's runtime made that cgroup. Below it the container's own
	 * sub-cgroups (systemd's init.scope, docker in docker) are the container's to name, so a
	 * container that can write its cgroup tree could name one after another container.
	 */
	while (path[start]) {
		size_t end = start;
		const char *comp = path + start, *hex = NULL;
		size_t n;

		while (path[end] && path[end] != '/')
			end++;
		n = end - start;
		if (n > 6 && !strncmp(comp + n - 6, ".scope", 6))
			n -= 6;

		if (is_hex64(comp, n)) {
			hex = comp;
			*runtime = parent_runtime(path, start);
		} else if (n > BH_CONTAINER_ID_LEN + 1 &&
			   is_hex64(comp + n - BH_CONTAINER_ID_LEN, BH_CONTAINER_ID_LEN) &&
			   strchr("-:", comp[n - BH_CONTAINER_ID_LEN - 1])) {
			size_t plen = n - BH_CONTAINER_ID_LEN - 1;
			const char *pfx = memrchr(comp, ':', plen);
			const char *rt;
			bool known;

			/* runc's systemd form "<slice>:cri-containerd:<id>" names it last */
			pfx = pfx ? pfx + 1 : comp;
			rt = scope_runtime(pfx, plen - (size_t)(pfx - comp), &known);

			if (known && !rt)
				return 0; /* conmon: a host process watching the container */
			if (known) {
				hex = comp + n - BH_CONTAINER_ID_LEN;
				*runtime = rt;
			}
		}
		if (hex) {
			memcpy(id, hex, BH_CONTAINER_ID_LEN);
			id[BH_CONTAINER_ID_LEN] = '\0';
			return 1;
		}
		start = path[end] ? end + 1 : end;
	}
	return 0;
}
