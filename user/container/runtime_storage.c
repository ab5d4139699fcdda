// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * runtime_storage.c - what the containers/storage store (podman, CRI-O) says of a
 * container: its name and image, from overlay-containers/containers.json beside its bundle.
 */
#include "runtime.h"

#include <errno.h>
#include <string.h>

/* The entry of the store's list whose "id" is id, NULL when absent. */
static struct json_object *find_entry(struct json_object *list, const char *id)
{
	size_t n = json_object_array_length(list);

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		const char *eid = bh_jobj_str(o, "id");

		if (eid && !strcmp(eid, id))
			return o;
	}
	return NULL;
}

int bh_storage_parse_containers(const char *json, size_t len, struct bh_container *c)
{
	struct json_object *root, *entry, *names, *meta = NULL;
	const char *name = NULL, *meta_str;
	int err = 0;

	root = bh_json_parse_as(json, len, json_type_array);
	if (!root)
		return -EINVAL;
	entry = find_entry(root, c->id);
	if (!entry) {
		json_object_put(root);
		return -ENOENT;
	}
	names = bh_jobj_get(entry, "names", json_type_array);
	if (names && json_object_array_length(names) > 0)
		name = json_object_get_string(json_object_array_get_idx(names, 0));
	/* the runtime's own record of the image it was created from, a JSON text in a string */
	meta_str = bh_jobj_str(entry, "metadata");
	if (meta_str)
		meta = bh_jobj_parse(meta_str, strlen(meta_str));
	if (!c->name && name && *name)
		err = bh_set_str(&c->name, name);
	if (!err && !c->image)
		err = bh_set_str(&c->image, bh_jobj_str(meta, "image-name"));
	json_object_put(meta);
	json_object_put(root);
	return err;
}
