// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * metadata.c - what a container is, from its sources: the OCI bundle its runtime wrote
 * (docker, containerd, CRI-O, podman), the containers/storage store beside it, and the
 * Engine API (docker's, podman's), asked now or through the worker, with a back-off.
 */
#define _GNU_SOURCE
#include "resolver_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

#define API_RETRY_S	 30	    /* how long a failed docker API stays unasked */
#define API_SLOW_RETRY_S 2	    /* the same for one that timed out: busy, not gone */
#define BUNDLE_MAX	 (4u << 20) /* a config.json larger than this is not one */

const struct bh_state_dir bh_state_dirs[BH_STATE_DIRS] = {
	[BH_STATE_DOCKER] = { "docker",
			      "/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby" },
	[BH_STATE_CONTAINERD] = { "containerd", "/run/containerd/io.containerd.runtime.v2.task" },
	[BH_STATE_STORAGE_RUN] = { "cri-o/podman", "/run/containers/storage/overlay-containers" },
	[BH_STATE_STORAGE_LIB] = { "cri-o/podman",
				   "/var/lib/containers/storage/overlay-containers" },
};

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
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

	snprintf(dir, sizeof(dir), "%s%s", r->host_root, bh_state_dirs[BH_STATE_CONTAINERD].path);
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

void bh_meta_read_bundle(struct bh_resolver *r, struct ctr_entry *e)
{
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s%s/%s/config.json", r->host_root,
		 bh_state_dirs[BH_STATE_DOCKER].path, e->c.id);
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
	for (int i = BH_STATE_STORAGE_RUN; i <= BH_STATE_STORAGE_LIB; i++) {
		const char *storage = bh_state_dirs[i].path;

		snprintf(path, sizeof(path), "%s%s/%s/userdata/config.json", r->host_root, storage,
			 e->c.id);
		err = try_bundle(e, path);
		if (!err && strcmp(e->c.runtime, "podman") != 0)
			e->c.runtime = "cri-o";
		if (!err)
			read_store(r, e, storage);
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
		if (have)
			continue;
		if (bh_container_add_label(dst, src->labels[i].key, src->labels[i].value))
			return -ENOMEM;
		dst->labels[dst->n_labels - 1].pod = src->labels[i].pod;
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
	free(d->cgroup_parent);
	d->cgroup_parent = s->cgroup_parent;
	s->cgroup_parent = NULL;
	free(d->restart_policy);
	d->restart_policy = s->restart_policy;
	s->restart_policy = NULL;
	d->restart_max_retries = s->restart_max_retries;
	d->healthcheck = s->healthcheck;
	bh_strv_free(d->exposed_ports, d->n_exposed_ports);
	d->exposed_ports = s->exposed_ports;
	d->n_exposed_ports = s->n_exposed_ports;
	s->exposed_ports = NULL;
	s->n_exposed_ports = 0;
	return 0;
}

/* The API that answers for e's runtime, NULL when none does. */
struct runtime_api *bh_meta_api_of(struct bh_resolver *r, const struct ctr_entry *e)
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
void bh_meta_api_answer(struct bh_resolver *r, struct runtime_api *api, struct ctr_entry *e,
			int err, char *body, size_t len)
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
		int retry_s = err == -ETIMEDOUT ? API_SLOW_RETRY_S : API_RETRY_S;

		r->st.api_errors++;
		api->retry_at = now_s() + retry_s;
		e->api_pending = true;
		if (!api->warned)
			bh_warn("%s API at %s unreachable (%s): container names, images and "
				"ports come from bundles only; retrying in %d s",
				api->runtime, api->socket, strerror(-err), retry_s);
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
void bh_meta_ask_api(struct bh_resolver *r, struct ctr_entry *e, bool async)
{
	struct runtime_api *api = bh_meta_api_of(r, e);
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
	bh_meta_api_answer(r, api, e, err, body, len);
}
