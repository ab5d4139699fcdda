// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mount_source.c - a bind mount's source as the host has it: resolved inside the host's
 * root, and named by device and inode after the policy's sockets and sensitive paths.
 */
#define _GNU_SOURCE
#include "mount_source.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/path.h"

#define MAX_LINKS 40 /* the kernel's MAXSYMLINKS */

/* A directory on a resolved path (or the file at its end): what it is, where its name ends. */
struct step {
	dev_t dev;
	ino_t ino;
	size_t end; /* its path is the resolved path's first end bytes; 0: the root */
};

struct steps {
	struct step *v; /* v[0]: the root */
	size_t n, cap;
};

static int steps_push(struct steps *s, const struct stat *st, size_t end)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct step *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct step){ st->st_dev, st->st_ino, end };
	return 0;
}

static int open_root(int rootfd)
{
	int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * bh_resolve_in_root(), and when s is not NULL every step of the result. Each component is
 * opened O_PATH | O_NOFOLLOW from the fd of the directory before it, ".." too, never by a
 * longer path: a directory swapped for a symlink meanwhile is not followed out of the root.
 */
static int resolve(int rootfd, const char *path, char *out, size_t size, struct stat *st,
		   struct steps *s)
{
	char todo[2 * PATH_MAX], target[PATH_MAX], name[NAME_MAX + 1];
	size_t len = 0, plen = strlen(path);
	int cur, links = 0, err = 0;
	struct stat fst, root_st;
	const char *p;

	if (path[0] != '/')
		return -EINVAL;
	if (plen >= sizeof(todo) || size < 2)
		return -ENAMETOOLONG;
	memcpy(todo, path, plen + 1);
	cur = open_root(rootfd);
	if (cur < 0)
		return cur;
	if (s) {
		s->n = 0;
		err = fstat(cur, &root_st) ? -errno : steps_push(s, &root_st, 0);
	}
	for (p = todo; !err;) {
		size_t n, rest;
		ssize_t tl;
		int fd;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (!n)
			break;
		if (n > NAME_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			/* the root's ".." is the root itself, as for the kernel's "/" */
			if (!len)
				continue;
			fd = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0) {
				err = -errno;
				break;
			}
			close(cur);
			cur = fd;
			while (out[--len] != '/')
				;
			if (s)
				s->n--;
			continue;
		}
		fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &fst)) {
			err = -errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (!S_ISLNK(fst.st_mode)) {
			if (len + 1 + n >= size) {
				close(fd);
				err = -ENAMETOOLONG;
				break;
			}
			out[len++] = '/';
			memcpy(out + len, name, n);
			len += n;
			close(cur);
			cur = fd;
			if (s)
				err = steps_push(s, &fst, len);
			continue;
		}
		/* A symlink: its target takes its place, the rest of the path follows it. */
		if (++links > MAX_LINKS) {
			close(fd);
			err = -ELOOP;
			break;
		}
		tl = readlinkat(fd, "", target, sizeof(target));
		err = tl < 0 ? -errno : tl ? 0 : -ENOENT;
		close(fd);
		rest = strlen(p);
		if (!err && ((size_t)tl >= sizeof(target) || (size_t)tl + rest >= sizeof(todo)))
			err = -ENAMETOOLONG;
		if (err)
			break;
		memmove(todo + tl, p, rest + 1);
		memcpy(todo, target, (size_t)tl);
		p = todo;
		if (target[0] != '/')
			continue;
		/* an absolute target starts again at the root, not at the agent's "/" */
		fd = open_root(rootfd);
		if (fd < 0) {
			err = fd;
			break;
		}
		close(cur);
		cur = fd;
		len = 0;
		if (s) {
			s->n = 0;
			err = steps_push(s, &root_st, 0);
		}
	}
	if (!err && st && fstat(cur, st))
		err = -errno;
	close(cur);
	if (err)
		return err;
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return 0;
}

int bh_resolve_in_root(int rootfd, const char *path, char *out, size_t size, struct stat *st)
{
	return resolve(rootfd, path, out, size, st, NULL);
}

/* A host path the policy names, and what it is on the host. */
struct anchor {
	char *name; /* normalized, as the policy spells it */
	dev_t dev;
	ino_t ino;
};

struct anchors {
	int rootfd;
	struct anchor *v;
	size_t n, cap;
};

/* Adds a normalized path once, by its name; one that does not resolve names nothing. */
static int anchor_add(struct anchors *a, const char *path)
{
	char resolved[BH_NORM_PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].name, path))
			return 0;
	if (bh_resolve_in_root(a->rootfd, path, resolved, sizeof(resolved), &st))
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 32;
		struct anchor *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n].name = strdup(path);
	if (!a->v[a->n].name)
		return -ENOMEM;
	a->v[a->n].dev = st.st_dev;
	a->v[a->n].ino = st.st_ino;
	a->n++;
	return 0;
}

/* A runtime socket and every directory above it: a mount of any of them hands it over. */
static int anchor_add_socket(struct anchors *a, const char *path)
{
	char norm[BH_NORM_PATH_MAX];
	int err;

	bh_path_normalize(path, norm, sizeof(norm));
	for (;;) {
		char *slash = strrchr(norm, '/');

		err = anchor_add(a, norm);
		if (err || !strcmp(norm, "/"))
			return err;
		/* the parent; below the top level it is "/" */
		slash[slash == norm] = '\0';
	}
}

/*
 * An absolute runtime socket entry of the policy; a glob (rootless podman's, by uid) names
 * the sockets it matches under the root now. glob(3) walks the agent's view of the root: its
 * matches are then resolved inside the root like any other path.
 */
static int anchor_add_socket_entry(struct anchors *a, const char *host_root, const char *entry)
{
	size_t skip = strlen(host_root);
	char *pattern;
	glob_t g;
	int rc, err = 0;

	if (!strpbrk(entry, "*?["))
		return anchor_add_socket(a, entry);
	if (asprintf(&pattern, "%s%s", host_root, entry) < 0)
		return -ENOMEM;
	rc = glob(pattern, 0, NULL, &g);
	free(pattern);
	if (rc == GLOB_NOSPACE)
		return -ENOMEM;
	for (size_t i = 0; !rc && !err && i < g.gl_pathc; i++)
		err = anchor_add_socket(a, g.gl_pathv[i] + skip);
	globfree(&g);
	return err;
}

static int anchors_build(struct anchors *a, const char *host_root, const struct bh_host_paths *p)
{
	char norm[BH_NORM_PATH_MAX];
	int err = 0;

	/* Sockets first, then in the policy's order: an inode two entries name is the first's. */
	for (size_t i = 0; !err && i < p->n_runtime_sockets; i++)
		if (p->runtime_sockets[i][0] == '/')
			err = anchor_add_socket_entry(a, host_root, p->runtime_sockets[i]);
	for (size_t i = 0; !err && i < p->n_sensitive_paths; i++) {
		bh_path_normalize(p->sensitive_paths[i], norm, sizeof(norm));
		err = anchor_add(a, norm);
	}
	return err;
}

/* name and rest are path, as joined: "/" + "/etc" is "/etc", "/etc" + "" is "/etc". */
static bool joins_to(const char *name, const char *rest, const char *path)
{
	size_t n = strcmp(name, "/") ? strlen(name) : 0;

	return !strncmp(path, name, n) && !strcmp(path + n, *rest || n ? rest : "/");
}

/*
 * The source's name on the host (*out NULL when it does not resolve under the root). The
 * deepest step of its resolved path that is an anchor names that part of the path: by the
 * spec's own spelling when it is one of the matching anchors (/var/run/docker.sock stays),
 * else by the resolved path's, else by the first matching anchor (a hard link, an alias).
 */
static int name_source(const struct anchors *a, const char *source, struct steps *s, char **out)
{
	char resolved[BH_NORM_PATH_MAX], spec[BH_NORM_PATH_MAX];
	const struct anchor *first = NULL;
	const char *rest = "";
	bool spelled = false;
	int err;

	*out = NULL;
	err = resolve(a->rootfd, source, resolved, sizeof(resolved), NULL, s);
	if (err == -ENOMEM)
		return err;
	if (err) {
		bh_debug("mount source %s not resolved under the host root (%s): its spec path "
			 "is judged",
			 source, strerror(-err));
		return 0;
	}
	bh_path_normalize(source, spec, sizeof(spec));
	for (size_t j = s->n; j-- > 0 && !first;) {
		rest = resolved + s->v[j].end;
		for (size_t i = 0; i < a->n; i++) {
			const struct anchor *an = &a->v[i];

			if (an->dev != s->v[j].dev || an->ino != s->v[j].ino)
				continue;
			if (joins_to(an->name, rest, spec)) {
				*out = strdup(spec);
				return *out ? 0 : -ENOMEM;
			}
			first = first ? first : an;
			spelled = spelled || joins_to(an->name, rest, resolved);
		}
	}
	if (!first || spelled) {
		*out = strdup(resolved);
		return *out ? 0 : -ENOMEM;
	}
	if (asprintf(out, "%s%s", strcmp(first->name, "/") ? first->name : "",
		     strcmp(first->name, "/") || *rest ? rest : "/") < 0) {
		*out = NULL; /* asprintf leaves it undefined */
		return -ENOMEM;
	}
	return 0;
}

int bh_mount_sources_resolve(const char *host_root, const struct bh_host_paths *p,
			     struct bh_mount_spec *mounts, size_t n)
{
	struct anchors a = { .rootfd = -1 };
	struct steps s = { 0 };
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		struct bh_mount_spec *m = &mounts[i];

		/* proc, tmpfs, named sources: no host path to resolve */
		if (!m->bind || !m->source || m->source[0] != '/')
			continue;
		if (a.rootfd < 0) {
			a.rootfd = open(host_root[0] ? host_root : "/",
					O_PATH | O_DIRECTORY | O_CLOEXEC);
			/* no host root to look in: the spec's paths are all there is */
			if (a.rootfd < 0)
				break;
			if (p)
				err = anchors_build(&a, host_root, p);
			if (err)
				break;
		}
		free(m->host_path);
		err = name_source(&a, m->source, &s, &m->host_path);
	}
	for (size_t i = 0; i < a.n; i++)
		free(a.v[i].name);
	free(a.v);
	free(s.v);
	if (a.rootfd >= 0)
		close(a.rootfd);
	return err;
}
