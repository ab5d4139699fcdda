// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* spec.c - what every JSON source of a container's description shares: strings and mounts. */
#include "spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_reader.h"

int bh_set_str(char **dst, const char *src)
{
	char *copy = NULL;

	if (src && !(copy = strdup(src)))
		return -ENOMEM;
	free(*dst);
	*dst = copy;
	return 0;
}

void bh_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int bh_strv_parse(struct json_object *list, const char *key, char ***v, size_t *n)
{
	size_t len = list ? json_object_array_length(list) : 0;

	bh_strv_free(*v, *n);
	*v = NULL;
	*n = 0;
	if (!len)
		return 0;
	*v = calloc(len, sizeof(**v));
	if (!*v)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		const char *s = bh_jobj_str(json_object_array_get_idx(list, i), key);

		if (s && bh_set_str(&(*v)[(*n)++], s))
			return -ENOMEM;
	}
	return 0;
}

void bh_mounts_free(struct bh_mount_spec *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].source);
		free(m[i].destination);
		free(m[i].type);
		free(m[i].host_path);
	}
	free(m);
}

int bh_mounts_parse(struct json_object *list, const struct bh_mount_keys *keys,
		    void (*fill)(struct json_object *mo, struct bh_mount_spec *m),
		    struct bh_container_config *cfg)
{
	size_t n = list ? json_object_array_length(list) : 0;

	if (!n)
		return 0;
	bh_mounts_free(cfg->mounts, cfg->n_mounts);
	cfg->n_mounts = 0;
	cfg->mounts = calloc(n, sizeof(*cfg->mounts));
	if (!cfg->mounts)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *mo = json_object_array_get_idx(list, i);
		struct bh_mount_spec *m = &cfg->mounts[cfg->n_mounts];

		if (!json_object_is_type(mo, json_type_object))
			continue;
		cfg->n_mounts++;
		if (bh_set_str(&m->source, bh_jobj_str(mo, keys->source)) ||
		    bh_set_str(&m->destination, bh_jobj_str(mo, keys->destination)) ||
		    bh_set_str(&m->type, bh_jobj_str(mo, keys->type)) ||
		    (keys->host_path &&
		     bh_set_str(&m->host_path, bh_jobj_str(mo, keys->host_path))))
			return -ENOMEM;
		m->bind = m->type && !strcmp(m->type, "bind");
		fill(mo, m);
	}
	return 0;
}
