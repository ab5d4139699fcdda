// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* policy_watch.c - inotify on the policy's directory, for reloads without SIGHUP. */
#include "policy_watch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* The symlink a ConfigMap volume swaps atomically on every update (kubelet's atomic writer). */
#define CONFIGMAP_DATA_LINK "..data"

struct bh_policy_watch {
	int fd;
	char name[NAME_MAX + 1]; /* the file's name in its directory */
};

int bh_policy_watch_open(const char *path, struct bh_policy_watch **out)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	struct bh_policy_watch *w;
	int err;

	*out = NULL;
	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	snprintf(w->name, sizeof(w->name), "%s", slash ? slash + 1 : path);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	/*
	 * A write in place ends with IN_CLOSE_WRITE; a rename over the file or over ..data
	 * is IN_MOVED_TO. IN_CREATE is not watched: a new file is still empty then.
	 */
	if (w->fd < 0 || inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		err = -errno;
		if (w->fd >= 0)
			close(w->fd);
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

void bh_policy_watch_close(struct bh_policy_watch *w)
{
	if (!w)
		return;
	close(w->fd);
	free(w);
}

int bh_policy_watch_fd(const struct bh_policy_watch *w)
{
	return w->fd;
}

bool bh_policy_watch_changed(struct bh_policy_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)p;

			/* an overflow lost events: reload to be sure */
			if ((e->mask & IN_Q_OVERFLOW) ||
			    (e->len &&
			     (!strcmp(e->name, w->name) || !strcmp(e->name, CONFIGMAP_DATA_LINK))))
				changed = true;
			p += sizeof(*e) + e->len;
		}
	}
	return changed;
}
