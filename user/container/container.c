// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* container.c - the resolver: cgroup ids -> cached containers with their metadata. */
#define _GNU_SOURCE
#include "container.h"
#include "spec.h"
#include "cgroup.h"
#include "core/hashtab.h"
#include "core/log.h"
#include "mount_source.h"
#include "resolver_impl.h"
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HOST_CGROUPS 4096 /* host cgroups cached before the host entries are dropped */
/* A daemon busy starting several containers at once answers in seconds, not ms. */
#define DEFAULT_TIMEOUT_MS 3000
#define CGROUP_NOTES	   8192 /* cgroup creations remembered (containers, not host ones) */
#define V2_HIERARCHY_ID	   0	/* cgrp_dfl_root's id, the "0::" line of /proc/<pid>/cgroup */
#define API_QUEUE	   256	/* ids waiting for the worker; beyond, the sweep asks later */

void bh_container_clear(struct bh_container *c)
{
	struct bh_container_config *cfg = &c->config;

	free(c->name);
	free(c->image);
	free(c->pod_name);
	free(c->pod_namespace);
	free(c->pod_uid);
	free(c->k8s_container);
	for (size_t i = 0; i < c->n_labels; i++) {
		free(c->labels[i].key);
		free(c->labels[i].value);
	}
	free(c->labels);
	free(c->bundle_path);
	free(cfg->apparmor_profile);
	free(cfg->selinux_label);
	for (int k = 0; k < BH_NS_KINDS; k++)
		free(cfg->ns_path[k]);
	bh_mounts_free(cfg->mounts, cfg->n_mounts);
	bh_strv_free(cfg->devices, cfg->n_devices);
	free(cfg->cgroups_path);
	free(cfg->cgroup_parent);
	free(cfg->restart_policy);
	free(cfg->ports);
	bh_strv_free(cfg->exposed_ports, cfg->n_exposed_ports);
	memset(c, 0, sizeof(*c));
}

/* The socket given, or the runtime's default one under the host root; NULL without memory. */
static char *api_socket(const char *given, const char *root, const char *dflt)
{
	char *path;

	if (given)
		return strdup(given);
	return asprintf(&path, "%s%s", root, dflt) < 0 ? NULL : path;
}

int bh_resolver_new(const struct bh_resolver_opts *opts, struct bh_resolver **out)
{
	const char *root = opts && opts->host_root ? opts->host_root : "";
	struct bh_resolver *r;
	int err;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	bh_hashtab_init(&r->cgs, sizeof(struct cg_entry));
	r->host_root = strdup(root);
	r->apis[API_DOCKER].runtime = "docker";
	r->apis[API_DOCKER].socket =
		api_socket(opts ? opts->docker_socket : NULL, root, BH_DOCKER_SOCKET_DEFAULT);
	r->apis[API_PODMAN].runtime = "podman";
	r->apis[API_PODMAN].optional = true;
	r->apis[API_PODMAN].socket =
		api_socket(opts ? opts->podman_socket : NULL, root, BH_PODMAN_SOCKET_DEFAULT);
	if (!r->host_root || !r->apis[API_DOCKER].socket || !r->apis[API_PODMAN].socket) {
		bh_resolver_free(r);
		return -ENOMEM;
	}
	r->no_docker_api = opts && opts->no_docker_api;
	r->timeout_ms =
		opts && opts->api_timeout_ms > 0 ? opts->api_timeout_ms : DEFAULT_TIMEOUT_MS;
	if (bh_host_procfs(root, r->procfs, sizeof(r->procfs))) {
		r->procfs[0] = '\0';
		bh_warn("no procfs here shows the host's pids (run with hostPID, or mount the "
			"host's /proc at %s/proc): a task whose cgroup is gone before its first "
			"event cannot be attributed by its pid",
			root);
	}
	err = bh_cgroups_open(&r->cg, root);
	if (!err)
		err = bh_cgroup_notes_init(&r->notes, CGROUP_NOTES);
	if (!err && opts && opts->async_api && !r->no_docker_api) {
		err = bh_docker_worker_start(r->timeout_ms, API_QUEUE, &r->worker);
		if (err)
			bh_error("cannot start the runtime API thread: %s", strerror(-err));
	}
	if (err) {
		bh_resolver_free(r);
		return err;
	}
	*out = r;
	return 0;
}

static void ctr_free(struct ctr_entry *e)
{
	bh_container_clear(&e->c);
	free(e->cg_path);
	free(e);
}

static void drop_cg_entries(struct bh_resolver *r, bool (*match)(struct cg_entry *e, void *arg),
			    void *arg)
{
	struct bh_hashtab_iter it;
	struct cg_entry *e;

	bh_hashtab_iter_init(&it, &r->cgs);
	while ((e = bh_hashtab_iter_next(&it))) {
		if (!match(e, arg))
			continue;
		if (!e->ctr)
			r->n_host--;
		bh_hashtab_iter_remove(&it);
	}
}

static bool match_host(struct cg_entry *e, void *arg)
{
	(void)arg;
	return !e->ctr;
}

static bool match_ctr(struct cg_entry *e, void *arg)
{
	return e->ctr == arg;
}

void bh_resolver_free(struct bh_resolver *r)
{
	if (!r)
		return;
	/* first: the thread never touches the entries, but its answers name them */
	bh_docker_worker_stop(r->worker);
	bh_hashtab_fini(&r->cgs);
	while (r->ctrs) {
		struct ctr_entry *e = r->ctrs;

		r->ctrs = e->next;
		ctr_free(e);
	}
	bh_cgroups_close(&r->cg);
	bh_cgroup_notes_fini(&r->notes);
	free(r->host_root);
	for (int i = 0; i < N_APIS; i++)
		free(r->apis[i].socket);
	free(r);
}

const char *bh_resolver_v1_controller(const struct bh_resolver *r)
{
	return r->cg.v1_controller;
}

void bh_resolver_set_callbacks(struct bh_resolver *r,
			       void (*on_new)(const struct bh_container *c, void *ctx),
			       void (*on_gone)(const struct bh_container *c, void *ctx), void *ctx)
{
	r->on_new = on_new;
	r->on_gone = on_gone;
	r->cb_ctx = ctx;
}

void bh_resolver_set_ready_callback(struct bh_resolver *r,
				    void (*on_ready)(const struct bh_container *c, void *ctx))
{
	r->on_ready = on_ready;
}

void bh_resolver_set_host_paths(struct bh_resolver *r, struct bh_host_paths hp)
{
	r->host_paths = hp;
}

int bh_resolver_fd(const struct bh_resolver *r)
{
	return r->worker ? bh_docker_worker_fd(r->worker) : -1;
}

void bh_resolver_set_host_callback(struct bh_resolver *r,
				   void (*on_host)(__u64 cgroup_id, __u64 cgroup_v1_id, void *ctx),
				   void *ctx)
{
	r->on_host = on_host;
	r->host_ctx = ctx;
}

static struct ctr_entry *find_ctr(struct bh_resolver *r, const char *id)
{
	for (struct ctr_entry *e = r->ctrs; e; e = e->next) {
		if (!strcmp(e->c.id, id))
			return e;
	}
	return NULL;
}

/*
 * e's configuration is complete (bundle and API answer, or what came of them): its mount
 * sources are named as the host has them, once, then on_new judges it.
 */
static void announce(struct bh_resolver *r, struct ctr_entry *e)
{
	struct bh_container_config *cfg = &e->c.config;

	if (bh_mount_sources_resolve(r->host_root, &r->host_paths, cfg->mounts, cfg->n_mounts))
		bh_warn("container %.12s: out of memory resolving its mount sources on the host; "
			"some are judged by their spec paths only",
			e->c.id);
	if (r->on_new)
		r->on_new(&e->c, r->cb_ctx);
}

/*
 * The container with this id, created (metadata read, on_new called) on first
 * sight; with async, a docker container is pending instead until its answer.
 */
static struct ctr_entry *get_ctr(struct bh_resolver *r, const char *id, const char *runtime,
				 const struct bh_cgroup_hier *h, __u64 cg_id, const char *cg_path,
				 bool async)
{
	struct ctr_entry *e = find_ctr(r, id);

	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cg_path = strdup(cg_path);
	if (!e->cg_path) {
		free(e);
		return NULL;
	}
	memcpy(e->c.id, id, sizeof(e->c.id));
	e->c.runtime = runtime;
	e->hier = h;
	e->cg_id = cg_id;
	bh_meta_read_bundle(r, e);
	bh_meta_ask_api(r, e, async);
	e->c.metadata_done = !e->api_pending;
	e->c.pending = e->api_queued;
	e->next = r->ctrs;
	r->ctrs = e;
	r->n_ctrs++;
	if (!e->c.pending)
		announce(r, e);
	return e;
}

/* A pending container stops waiting: on_new, then on_ready for what its records wait on. */
static void make_ready(struct bh_resolver *r, struct ctr_entry *e)
{
	if (!e->c.pending)
		return;
	e->c.pending = false;
	announce(r, e);
	if (r->on_ready)
		r->on_ready(&e->c, r->cb_ctx);
}

void bh_resolver_release(struct bh_resolver *r, const struct bh_container *c)
{
	struct ctr_entry *e = find_ctr(r, c->id);

	if (e)
		make_ready(r, e);
}

void bh_resolver_complete(struct bh_resolver *r)
{
	struct bh_docker_answer *list = r->worker ? bh_docker_worker_take(r->worker) : NULL;

	while (list) {
		struct bh_docker_answer *a = list;
		/* by id: the entry may have been evicted (and freed) since it was queued */
		struct ctr_entry *e = find_ctr(r, a->id);

		list = a->next;
		if (e && e->api_queued) {
			e->api_queued = false;
			bh_meta_api_answer(r, bh_meta_api_of(r, e), e, a->err, a->body, a->len);
			a->body = NULL; /* bh_meta_api_answer freed it */
			e->c.metadata_done = !e->api_pending;
			make_ready(r, e);
		}
		bh_docker_answer_free(a);
	}
}

/* The hierarchy id of one of our two hierarchies, -1 when unknown. */
static int hier_id(const struct bh_resolver *r, const struct bh_cgroup_hier *h)
{
	return h == &r->cg.v2 ? V2_HIERARCHY_ID : r->cg.v1_hierarchy_id;
}

void bh_resolver_note_cgroup(struct bh_resolver *r, __u32 hierarchy_id, __u64 id, const char *path,
			     size_t len)
{
	char buf[PATH_MAX], cid[BH_CONTAINER_ID_LEN + 1];
	const char *runtime;

	if (!((hierarchy_id == V2_HIERARCHY_ID && r->cg.v2.fd >= 0) ||
	      (r->cg.v1.fd >= 0 && (int)hierarchy_id == r->cg.v1_hierarchy_id)))
		return;
	if (!len || len >= sizeof(buf))
		return;
	memcpy(buf, path, len);
	buf[len] = '\0';
	/* host cgroups (sessions, services) come and go far more often: keep room for containers */
	if (!bh_cgroup_path_container(buf, cid, &runtime))
		return;
	if (bh_cgroup_notes_put(&r->notes, hierarchy_id, id, buf, len))
		bh_warn("out of memory: cgroup %s is not remembered; its container may go "
			"unrecognised if it is gone before its first event is read",
			buf);
}

/* Container of one hierarchy's cgroup: 1 found (*out set), 0 host, <0 unresolvable. */
static int resolve_in(struct bh_resolver *r, const struct bh_cgroup_hier *h, const char *ctrl,
		      __u64 id, __u32 tgid, struct ctr_entry **out)
{
	char path[PATH_MAX], cid[BH_CONTAINER_ID_LEN + 1];
	int hid = hier_id(r, h);
	const char *runtime, *noted = NULL;
	int err = 0;

	/* the kernel named it at creation: valid even when the cgroup is gone by now */
	if (hid >= 0)
		noted = bh_cgroup_notes_get(&r->notes, (__u32)hid, id);
	if (noted) {
		snprintf(path, sizeof(path), "%s", noted);
	} else {
		err = bh_cgroup_id_path(h, id, path, sizeof(path));
		/* the handle may not resolve (cgroup gone, no CAP_DAC_READ_SEARCH): ask procfs */
		if (err && tgid)
			err = r->procfs[0] ? bh_cgroup_proc_path(r->procfs, tgid, ctrl, path,
								 sizeof(path))
					   : -ENOENT;
	}
	if (err)
		return err;
	if (!bh_cgroup_path_container(path, cid, &runtime))
		return 0;
	*out = get_ctr(r, cid, runtime, h, id, path, r->worker != NULL);
	if (*out)
		(*out)->used = true;
	return *out ? 1 : -ENOMEM;
}

static int resolve(struct bh_resolver *r, __u64 v2, __u64 v1, __u32 tgid, struct ctr_entry **out)
{
	int err = 0, rc;

	*out = NULL;
	/* the v2 root is where every task sits on a hybrid host whose runtime uses v1 only */
	if (r->cg.v2.fd >= 0 && v2 && v2 != r->cg.v2.root_id) {
		rc = resolve_in(r, &r->cg.v2, NULL, v2, tgid, out);
		if (rc > 0)
			return rc;
		err = rc;
	}
	/* and a runtime may use v1 only even when the task has a v2 cgroup of its own */
	if (r->cg.v1.fd >= 0 && v1) {
		rc = resolve_in(r, &r->cg.v1, r->cg.v1_controller, v1, tgid, out);
		if (rc > 0)
			return rc;
		err = rc ? rc : err;
	}
	/*
	 * A host task only when every tree asked says so: the tree that failed may hold its
	 * container, and an error must never make a container a host task.
	 */
	return err;
}

const struct bh_container *bh_resolver_lookup(struct bh_resolver *r, __u64 cgroup_id,
					      __u64 cgroup_v1_id, __u32 tgid)
{
	const struct cg_key key = { cgroup_id, cgroup_v1_id };
	struct cg_entry *e = bh_hashtab_get(&r->cgs, &key, sizeof(key));
	struct ctr_entry *ctr;

	if (e) {
		r->st.hits++;
		if (!e->ctr)
			return NULL;
		e->ctr->used = true;
		return &e->ctr->c;
	}
	r->st.misses++;
	if (resolve(r, cgroup_id, cgroup_v1_id, tgid, &ctr) < 0)
		return NULL; /* not cached: the next event tries again */
	if (!ctr && r->n_host >= MAX_HOST_CGROUPS) {
		bh_debug("more than %d host cgroups cached: dropping them", MAX_HOST_CGROUPS);
		drop_cg_entries(r, match_host, NULL);
	}
	e = bh_hashtab_put(&r->cgs, &key, sizeof(key));
	if (!e)
		return ctr ? &ctr->c : NULL;
	e->v2 = cgroup_id;
	e->v1 = cgroup_v1_id;
	e->ctr = ctr;
	if (!ctr) {
		r->n_host++;
		if (r->on_host)
			r->on_host(cgroup_id, cgroup_v1_id, r->host_ctx);
	}
	return ctr ? &ctr->c : NULL;
}

static bool cgroup_gone(const struct bh_cgroup_hier *h, __u64 id, const char *path)
{
	int err = bh_cgroup_id_exists(h, id);

	if (!err)
		return false;
	if (err == -ESTALE || err == -ENOENT)
		return true;
	/* handles unusable here: the directory tells */
	return path && bh_cgroup_path_exists(h, path) == -ENOENT;
}

static bool match_gone(struct cg_entry *e, void *arg)
{
	struct bh_resolver *r = arg;

	if (r->cg.v2.fd >= 0 && e->v2 && e->v2 != r->cg.v2.root_id &&
	    cgroup_gone(&r->cg.v2, e->v2, NULL))
		return true;
	return r->cg.v1.fd >= 0 && e->v1 && cgroup_gone(&r->cg.v1, e->v1, NULL);
}

bool bh_resolver_alive(struct bh_resolver *r, const struct bh_container *c)
{
	struct ctr_entry *e = find_ctr(r, c->id);

	return e && !cgroup_gone(e->hier, e->cg_id, e->cg_path);
}

void bh_resolver_sweep(struct bh_resolver *r)
{
	struct ctr_entry **pp = &r->ctrs;

	while (*pp) {
		struct ctr_entry *e = *pp;
		bool used = e->used;

		e->used = false;
		/*
		 * Gone, but records were attributed to it since the last sweep: a
		 * lagging consumer may hold more of them. It stays one more sweep,
		 * so they name it again instead of starting it a second time.
		 */
		if (!cgroup_gone(e->hier, e->cg_id, e->cg_path) || used) {
			if (e->api_pending && !e->api_queued) {
				bh_meta_ask_api(r, e, r->worker != NULL);
				e->c.metadata_done = !e->api_pending;
			}
			pp = &e->next;
			continue;
		}
		/* gone before its answer: its held records are handled, then it stops */
		make_ready(r, e);
		drop_cg_entries(r, match_ctr, e);
		*pp = e->next;
		r->n_ctrs--;
		if (r->on_gone)
			r->on_gone(&e->c, r->cb_ctx);
		ctr_free(e);
	}
	/* a recycled id must resolve afresh: forget every cgroup that no longer exists */
	drop_cg_entries(r, match_gone, r);
}

struct scan_ctx {
	struct bh_resolver *r;
	const struct bh_cgroup_hier *h;
	void (*fn)(const struct bh_container *c, void *ctx);
	void *ctx;
	int err;
};

static void scan_one(const char *path, __u64 id, void *arg)
{
	struct scan_ctx *s = arg;
	char cid[BH_CONTAINER_ID_LEN + 1];
	const char *runtime;
	struct ctr_entry *e;

	if (s->err || !bh_cgroup_path_container(path, cid, &runtime))
		return;
	/* the cgroup of a container whose runtime died with it: no container runs there */
	if (bh_cgroup_path_populated(s->h, path) == 0)
		return;
	e = get_ctr(s->r, cid, runtime, s->h, id, path, false);
	if (!e) {
		s->err = -ENOMEM;
		return;
	}
	/* a container appears in both trees and in its own sub-cgroups: report it once */
	if (e->scan_gen == s->r->scan_gen)
		return;
	e->scan_gen = s->r->scan_gen;
	s->fn(&e->c, s->ctx);
}

int bh_resolver_scan(struct bh_resolver *r, void (*fn)(const struct bh_container *c, void *ctx),
		     void *ctx)
{
	struct scan_ctx s = { .r = r, .fn = fn, .ctx = ctx };

	/* never 0, the generation a new entry starts with */
	if (++r->scan_gen == 0)
		r->scan_gen = 1;
	/* v2 first; v1 too, as a hybrid host's runtime may use only the v1 trees */
	if (r->cg.v2.fd >= 0) {
		s.h = &r->cg.v2;
		bh_cgroup_walk(s.h, scan_one, &s);
	}
	if (r->cg.v1.fd >= 0) {
		s.h = &r->cg.v1;
		bh_cgroup_walk(s.h, scan_one, &s);
	}
	if (s.err)
		bh_error("container scan failed: %s", strerror(-s.err));
	return s.err;
}

void bh_resolver_get_stats(const struct bh_resolver *r, struct bh_resolver_stats *st)
{
	*st = r->st;
	st->containers = r->n_ctrs;
}
