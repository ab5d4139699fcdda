// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* target.c - which cgroups are the advised container's: docker names them, cgroup paths tell. */
#include "target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "container/engine_api.h"
#include "core/json_reader.h"
#include "core/log.h"

#define API_TIMEOUT_MS 2000

int bh_target_open(struct bh_target *t)
{
	int err = bh_cgroups_open(&t->cg, "");

	if (!err && t->cg.v2.fd < 0) {
		bh_error("advise needs the cgroup v2 hierarchy (the recorder keys on cgroup v2 "
			 "ids)");
		return -ENOENT;
	}
	return err;
}

void bh_target_close(struct bh_target *t)
{
	bh_cgroups_close(&t->cg);
}

/* The container's Id and Config.Image from docker. 0, -ENOENT or another -errno. */
static int inspect(const struct bh_target *t, const char *name, char id[BH_CONTAINER_ID_LEN + 1],
		   char *image, size_t image_len)
{
	struct json_object *root;
	const char *s;
	char *body = NULL;
	size_t len = 0;
	int err;

	err = bh_docker_fetch_inspect(t->docker_socket, name, API_TIMEOUT_MS, &body, &len);
	if (err) {
		free(body);
		return err;
	}
	root = bh_jobj_parse(body, len);
	free(body);
	s = root ? bh_jobj_str(root, "Id") : NULL;
	if (!s || strlen(s) != BH_CONTAINER_ID_LEN) {
		json_object_put(root);
		return -EINVAL;
	}
	memcpy(id, s, BH_CONTAINER_ID_LEN + 1);
	s = bh_jobj_str(bh_jobj_get(root, "Config", json_type_object), "Image");
	snprintf(image, image_len, "%s", s ? s : "");
	json_object_put(root);
	return 0;
}

int bh_target_lookup(struct bh_target *t)
{
	char image[256];

	if (!t->container || t->container_id[0])
		return 0;
	return inspect(t, t->container, t->container_id, image, sizeof(image));
}

/* Whether the container with this id is the target (asks docker once per container). */
static bool is_target(struct bh_target *t, const char *id)
{
	char got[BH_CONTAINER_ID_LEN + 1], image[256];
	bool match;

	if (t->container) {
		if (!strcmp(id, t->container_id))
			return true;
		/* created since the last look, or removed and run again under the same name */
		t->container_id[0] = '\0';
		bh_target_lookup(t);
		return !strcmp(id, t->container_id);
	}
	for (int i = 0; i < t->n_seen; i++)
		if (!strcmp(t->seen[i].id, id))
			return t->seen[i].match;
	match = !inspect(t, id, got, image, sizeof(image)) && !strcmp(image, t->image);
	if (t->n_seen < BH_TARGET_CGROUPS) {
		memcpy(t->seen[t->n_seen].id, id, sizeof(t->seen[0].id));
		t->seen[t->n_seen++].match = match;
	}
	return match;
}

struct bh_target_cgroup *bh_target_find(struct bh_target *t, __u64 cgroup_id)
{
	for (int i = 0; i < t->n_cgroups; i++)
		if (t->cgroups[i].id == cgroup_id)
			return &t->cgroups[i];
	return NULL;
}

struct bh_target_cgroup *bh_target_judge(struct bh_target *t, __u64 cgroup_id)
{
	struct bh_target_cgroup *c = bh_target_find(t, cgroup_id);
	char path[256], id[BH_CONTAINER_ID_LEN + 1];
	const char *runtime;

	if (c)
		return c;
	if (bh_cgroup_id_path(&t->cg.v2, cgroup_id, path, sizeof(path)) ||
	    bh_cgroup_path_container(path, id, &runtime) != 1)
		return NULL;
	if (t->n_cgroups == BH_TARGET_CGROUPS) {
		/* forget the oldest cgroup left alone: it is not asked about again */
		for (int i = 0; i < t->n_cgroups; i++) {
			if (t->cgroups[i].advised)
				continue;
			t->cgroups[i] = t->cgroups[--t->n_cgroups];
			break;
		}
		if (t->n_cgroups == BH_TARGET_CGROUPS) {
			bh_warn("advising more than %d cgroups: cgroup %llu left out",
				BH_TARGET_CGROUPS, (unsigned long long)cgroup_id);
			return NULL;
		}
	}
	c = &t->cgroups[t->n_cgroups++];
	memset(c, 0, sizeof(*c));
	c->id = cgroup_id;
	c->advised = is_target(t, id);
	snprintf(c->path, sizeof(c->path), "%s", path);
	if (c->advised)
		bh_info("advising container %.12s (cgroup %s)", id, path);
	return c;
}

struct scan_ctx {
	struct bh_target *t;
	void (*fn)(__u64 cgroup_id, void *ctx);
	void *ctx;
};

static void scan_one(const char *path, __u64 id, void *arg)
{
	struct scan_ctx *s = arg;
	char cid[BH_CONTAINER_ID_LEN + 1];
	const char *runtime;
	struct bh_target_cgroup *c;

	if (bh_cgroup_path_container(path, cid, &runtime) != 1)
		return;
	c = bh_target_judge(s->t, id);
	if (c && c->advised)
		s->fn(id, s->ctx);
}

void bh_target_scan(struct bh_target *t, void (*fn)(__u64 cgroup_id, void *ctx), void *ctx)
{
	struct scan_ctx s = { t, fn, ctx };

	bh_cgroup_walk(&t->cg.v2, scan_one, &s);
}
