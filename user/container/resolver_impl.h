/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * resolver_impl.h - what the resolver (container.c) shares with the reading of a
 * container's metadata (metadata.c) (internal): the resolver's state and its entries.
 */
#ifndef BULKHEAD_RESOLVER_IMPL_H
#define BULKHEAD_RESOLVER_IMPL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <linux/types.h>

#include "cgroup.h"
#include "container.h"
#include "engine_api.h"
#include "runtime.h"
#include "core/hashtab.h"

/*
 * A runtime's Engine API: docker's, and podman's compatible one, served only while
 * `podman system service` runs (podman is daemonless: its store names the container
 * then, and only the published ports stay unknown).
 */
struct runtime_api {
	const char *runtime; /* the containers it answers for */
	char *socket;
	bool optional;	 /* nobody serving the socket is podman's normal state */
	time_t retry_at; /* monotonic seconds; no call before */
	bool warned;
};

enum { API_DOCKER, API_PODMAN, N_APIS };

struct ctr_entry {
	struct bh_container c;
	const struct bh_cgroup_hier *hier; /* where its cgroup was found */
	__u64 cg_id;
	char *cg_path;
	bool api_pending;      /* its runtime's API still to be asked */
	bool api_queued;       /* async: with the worker, its answer not handled yet */
	unsigned int scan_gen; /* the last bh_resolver_scan that reported it */
	bool used;	       /* a record was attributed to it since the last sweep */
	struct ctr_entry *next;
};

/* The hot-path cache: a task's (v2 id, v1 id) pair -> its container or the host. */
struct cg_key {
	__u64 v2;
	__u64 v1;
};

struct cg_entry {
	__u64 v2; /* its key's, for the sweep */
	__u64 v1;
	struct ctr_entry *ctr; /* NULL: a host cgroup */
};

struct bh_resolver {
	struct bh_cgroups cg;
	char *host_root;
	char procfs[PATH_MAX]; /* one showing the host's pids, "" when none does */
	struct runtime_api apis[N_APIS];
	bool no_docker_api;
	int timeout_ms;
	struct bh_docker_worker *worker; /* async_api only */
	struct bh_host_paths host_paths; /* names mount sources; the caller's lists */

	struct bh_hashtab cgs;	      /* struct cg_key -> struct cg_entry */
	struct bh_cgroup_notes notes; /* cgroup paths from creation records */
	size_t n_host;
	struct ctr_entry *ctrs;
	size_t n_ctrs;

	void (*on_new)(const struct bh_container *c, void *ctx);
	void (*on_gone)(const struct bh_container *c, void *ctx);
	void (*on_ready)(const struct bh_container *c, void *ctx);
	void *cb_ctx;
	void (*on_host)(__u64 cgroup_id, __u64 cgroup_v1_id, void *ctx);
	void *host_ctx;

	unsigned int scan_gen;
	struct bh_resolver_stats st;
};

/* metadata.c: e's bundle and store, then its runtime's API (each commented there). */
void bh_meta_read_bundle(struct bh_resolver *r, struct ctr_entry *e);
void bh_meta_ask_api(struct bh_resolver *r, struct ctr_entry *e, bool async);
void bh_meta_api_answer(struct bh_resolver *r, struct runtime_api *api, struct ctr_entry *e,
			int err, char *body, size_t len);
struct runtime_api *bh_meta_api_of(struct bh_resolver *r, const struct ctr_entry *e);

#endif
