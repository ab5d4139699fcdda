// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* container.c - the resolver: cgroup ids -> cached containers with their metadata. */
#define _GNU_SOURCE
#include "container.h"
#include "cgroup.h"
#include "core/hashtab.h"
#include "core/log.h"
#include "mount_source.h"
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_HOST_CGROUPS   4096	      /* host cgroups cached before the host entries are dropped */
#define API_RETRY_S	   30	      /* how long a failed docker API stays unasked */
#define BUNDLE_MAX	   (4u << 20) /* a config.json larger than this is not one */
#define DEFAULT_TIMEOUT_MS 1000
#define CGROUP_NOTES	   8192 /* cgroup creations remembered (containers, not host ones) */
#define V2_HIERARCHY_ID	   0	/* cgrp_dfl_root's id, the "0::" line of /proc/<pid>/cgroup */
#define API_QUEUE	   256	/* ids waiting for the worker; beyond, the sweep asks later */

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

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

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
	free(cfg->ports);
	for (size_t i = 0; i < cfg->n_exposed_ports; i++)
		free(cfg->exposed_ports[i]);
	free(cfg->exposed_ports);
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
		api_socket(opts ? opts->docker_socket : NULL, root, "/var/run/docker.sock");
	r->apis[API_PODMAN].runtime = "podman";
	r->apis[API_PODMAN].optional = true;
	r->apis[API_PODMAN].socket =
		api_socket(opts ? opts->podman_socket : NULL, root, "/run/podman/podman.sock");
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

static int read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || (size_t)st.st_size > BUNDLE_MAX) {
		close(fd);
		return -EFBIG;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *buf, (size_t)st.st_size);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
		return err;
	}
	(*buf)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

/* Parses the bundle at path into e; 0, -ENOENT when absent, or another error. */
static int try_bundle(struct ctr_entry *e, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	err = read_file(path, &buf, &len);
	if (err)
		return err;
	err = bh_oci_parse_config(buf, len, &e->c);
	free(buf);
	if (err) {
		bh_warn("container %.12s: cannot parse its OCI config %s (%s); its configuration "
			"is unknown",
			e->c.id, path, strerror(-err));
		return err;
	}
	return bh_set_str(&e->c.bundle_path, path);
}

/* containerd keeps one directory per namespace (k8s.io, moby, default, ...). */
static int try_containerd_bundles(struct bh_resolver *r, struct ctr_entry *e)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *de;
	int err = -ENOENT;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/run/containerd/io.containerd.runtime.v2.task", r->host_root);
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while (err == -ENOENT && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s/config.json", dir, de->d_name, e->c.id);
		err = try_bundle(e, path);
		if (!err && !strcmp(de->d_name, "moby"))
			e->c.runtime = "docker";
		else if (!err && strcmp(e->c.runtime, "docker") != 0)
			e->c.runtime = "containerd";
	}
	closedir(d);
	return err;
}

/*
 * Name and image from the containers/storage store whose overlay-containers dir holds
 * e's bundle (podman and CRI-O keep them there, not in the bundle).
 */
static void read_store(struct bh_resolver *r, struct ctr_entry *e, const char *dir)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0;
	int err;

	if (e->c.name && e->c.image)
		return;
	snprintf(path, sizeof(path), "%s%s/containers.json", r->host_root, dir);
	err = read_file(path, &buf, &len);
	if (!err)
		err = bh_storage_parse_containers(buf, len, &e->c);
	free(buf);
	if (err)
		bh_debug("container %.12s: no name from the store %s (%s)", e->c.id, path,
			 strerror(-err));
}

static void read_bundle(struct bh_resolver *r, struct ctr_entry *e)
{
	static const char *const storage[] = {
		"/run/containers/storage/overlay-containers",
		"/var/lib/containers/storage/overlay-containers",
	};
	char path[PATH_MAX];
	int err;

	snprintf(
		path, sizeof(path),
		"%s/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/%s/config.json",
		r->host_root, e->c.id);
	err = try_bundle(e, path);
	if (!err) {
		e->c.runtime = "docker";
		return;
	}
	if (err != -ENOENT)
		return;
	err = try_containerd_bundles(r, e);
	if (err != -ENOENT)
		return;
	for (size_t i = 0; i < sizeof(storage) / sizeof(storage[0]); i++) {
		snprintf(path, sizeof(path), "%s%s/%s/userdata/config.json", r->host_root,
			 storage[i], e->c.id);
		err = try_bundle(e, path);
		if (!err && strcmp(e->c.runtime, "podman") != 0)
			e->c.runtime = "cri-o";
		if (!err)
			read_store(r, e, storage[i]);
		if (err != -ENOENT)
			return;
	}
	bh_debug("container %.12s: no OCI bundle found under %s/run", e->c.id, r->host_root);
}

/* Moves what the API knows and the bundle lacks from src into dst. */
static int merge_inspect(struct bh_container *dst, struct bh_container *src)
{
	struct bh_container_config *d = &dst->config, *s = &src->config;

	if (!dst->name) {
		dst->name = src->name;
		src->name = NULL;
	}
	if (!dst->image) {
		dst->image = src->image;
		src->image = NULL;
	}
	for (size_t i = 0; i < src->n_labels; i++) {
		bool have = false;

		for (size_t j = 0; j < dst->n_labels && !have; j++)
			have = !strcmp(dst->labels[j].key, src->labels[i].key);
		if (!have && bh_container_add_label(dst, src->labels[i].key, src->labels[i].value))
			return -ENOMEM;
	}
	if (!d->known) {
		/* no bundle: the API's view is all there is */
		struct bh_container_config tmp = *d;

		*d = *s;
		*s = tmp;
		return 0;
	}
	d->privileged = s->privileged;
	free(d->ports);
	d->ports = s->ports;
	d->n_ports = s->n_ports;
	s->ports = NULL;
	s->n_ports = 0;
	for (size_t i = 0; i < d->n_exposed_ports; i++)
		free(d->exposed_ports[i]);
	free(d->exposed_ports);
	d->exposed_ports = s->exposed_ports;
	d->n_exposed_ports = s->n_exposed_ports;
	s->exposed_ports = NULL;
	s->n_exposed_ports = 0;
	return 0;
}

/* The API that answers for e's runtime, NULL when none does. */
static struct runtime_api *api_of(struct bh_resolver *r, const struct ctr_entry *e)
{
	for (int i = 0; i < N_APIS; i++)
		if (!strcmp(r->apis[i].runtime, e->c.runtime))
			return &r->apis[i];
	return NULL;
}

/* An optional API nobody serves: the bundle and the store are what there is. */
static void api_unserved(struct runtime_api *api)
{
	if (!api->warned)
		bh_info("%s API at %s not served: %s container names and images come from its "
			"store, published ports are unknown until it is",
			api->runtime, api->socket, api->runtime);
	api->warned = true;
}

/* Takes in the API's answer for e (body is freed): api_pending stays true on a failure. */
static void api_answer(struct bh_resolver *r, struct runtime_api *api, struct ctr_entry *e, int err,
		       char *body, size_t len)
{
	struct bh_container ans = { 0 };

	if (err == -ENOENT) {
		/* gone already, or another daemon's: the bundle is all there will be */
		e->api_pending = false;
		return;
	}
	if (err == -ECONNREFUSED && api->optional) {
		/* a socket left by a service that is gone: as if there were none, for a while */
		api_unserved(api);
		api->retry_at = now_s() + API_RETRY_S;
		e->api_pending = false;
		return;
	}
	if (err) {
		r->st.api_errors++;
		api->retry_at = now_s() + API_RETRY_S;
		e->api_pending = true;
		if (!api->warned)
			bh_warn("%s API at %s unreachable (%s): container names, images and "
				"ports come from bundles only; retrying every %d s",
				api->runtime, api->socket, strerror(-err), API_RETRY_S);
		api->warned = true;
		return;
	}
	api->warned = false;
	err = bh_docker_parse_inspect(body, len, &ans);
	free(body);
	if (!err)
		err = merge_inspect(&e->c, &ans);
	bh_container_clear(&ans);
	if (err) {
		r->st.api_errors++;
		bh_warn("container %.12s: cannot use the %s API's answer (%s)", e->c.id,
			api->runtime, strerror(-err));
	}
	e->api_pending = false;
}

/*
 * Asks e's runtime API about e, if it has one and it is not in its back-off: now,
 * or with async through the worker (e->api_queued). A queue that is full leaves
 * it api_pending for the sweep.
 */
static void ask_api(struct bh_resolver *r, struct ctr_entry *e, bool async)
{
	struct runtime_api *api = api_of(r, e);
	char *body;
	size_t len;
	int err;

	if (r->no_docker_api || !api) {
		e->api_pending = false;
		return;
	}
	/* a socket file tells whether the service runs, or systemd listens for it */
	if (api->optional && access(api->socket, F_OK) != 0) {
		api_unserved(api);
		e->api_pending = false;
		return;
	}
	if (now_s() < api->retry_at) {
		/* a service that is not there makes no container wait for it */
		e->api_pending = !api->optional;
		return;
	}
	e->api_pending = true;
	if (async) {
		e->api_queued = !bh_docker_worker_put(r->worker, api->socket, e->c.id);
		return;
	}
	err = bh_docker_fetch_inspect(api->socket, e->c.id, r->timeout_ms, &body, &len);
	api_answer(r, api, e, err, body, len);
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
	read_bundle(r, e);
	ask_api(r, e, async);
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
			api_answer(r, api_of(r, e), e, a->err, a->body, a->len);
			a->body = NULL; /* api_answer freed it */
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
				ask_api(r, e, r->worker != NULL);
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
