/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_watch.h - tells the agent when its policy file changed: inotify on the file's
 * directory, so that a Kubernetes ConfigMap volume's update (the kubelet renames a new
 * "..data" symlink over the old one; policy.yaml -> ..data/policy.yaml) is seen, as are
 * an editor's rename over the file and a write in place.
 */
#ifndef BULKHEAD_POLICY_WATCH_H
#define BULKHEAD_POLICY_WATCH_H

#include <stdbool.h>

struct bh_policy_watch;

/* Watches path's directory. Returns 0 or -errno (the directory is missing, no inotify). */
int bh_policy_watch_open(const char *path, struct bh_policy_watch **out);
void bh_policy_watch_close(struct bh_policy_watch *w);
/* Readable when something happened in the directory. */
int bh_policy_watch_fd(const struct bh_policy_watch *w);
/* Reads what happened: true when the file (or the ..data link it goes through) changed. */
bool bh_policy_watch_changed(struct bh_policy_watch *w);

#endif
