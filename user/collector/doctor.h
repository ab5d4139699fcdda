/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * doctor.h - `bulkhead doctor`: checks everything the agent needs on this node (privileges,
 * BTF, BPF features and helpers, attach points, cgroups, runtimes, compat syscalls,
 * lockdown, memlock, its HTTP address and event socket) and says what to do about each gap.
 */
#ifndef BULKHEAD_DOCTOR_H
#define BULKHEAD_DOCTOR_H

#include <stdbool.h>

struct bh_doctor_opts {
	bool json;		   /* one JSON document instead of one line per check */
	const char *btf_path;	   /* NULL: /sys/kernel/btf/vmlinux */
	const char *host_root;	   /* where the host's / is mounted, NULL: "" */
	const char *http_addr;	   /* the agent's --http, NULL: not served (not checked) */
	const char *socket_path;   /* the agent's --socket, NULL: none (not checked) */
	const char *docker_socket; /* NULL: the default under host_root */
	const char *podman_socket;
	bool no_docker_api; /* the runtimes' API sockets are not asked: not checked */
};

/* Runs every check and prints the report on stdout: 0 when the agent can run here, else 1. */
int bh_doctor_run(const struct bh_doctor_opts *o);

#endif
