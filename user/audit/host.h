/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * host.h - the host and daemon checks of `bulkhead audit`: the host's mandatory access
 * control, each runtime daemon's listening endpoints and socket, and dockerd's defaults
 * (its command line merged with daemon.json). The daemons are found by kernel state: the
 * process holding the listening unix socket at the runtime's socket path. No BPF; root only
 * to read what root alone can read (other users' /proc/PID/fd).
 */
#ifndef BULKHEAD_AUDIT_HOST_H
#define BULKHEAD_AUDIT_HOST_H

#include "check.h"

struct bh_audit_host_opts {
	const char *host_root;	   /* NULL or "": the root; "/host": prefix of every path read */
	const char *docker_socket; /* NULL: /var/run/docker.sock */
	const char *podman_socket; /* NULL: /run/podman/podman.sock */
	const char *containerd_socket; /* NULL: /run/containerd/containerd.sock */
};

/* Every host and daemon check, in a stable order, each reported once through fn. */
void bh_audit_host(const struct bh_audit_host_opts *o, bh_check_fn fn, void *ctx);

#endif
