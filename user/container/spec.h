/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * spec.h - what every JSON source of a container's description shares (the OCI bundle,
 * the Engine API, the containers/storage store, a capture file): setting its strings and
 * reading its list of mounts.
 */
#ifndef BULKHEAD_SPEC_H
#define BULKHEAD_SPEC_H

#include <json-c/json.h>

#include "container.h"

/* Replaces *dst with a copy of src (NULL frees it). Returns 0 or -ENOMEM. */
int bh_set_str(char **dst, const char *src);

/* Frees an array of n strings and each string. */
void bh_strv_free(char **v, size_t n);

/*
 * Replaces *v (n strings) with the string member key of each object of list (an absent
 * or empty list: none). Returns 0 or -ENOMEM.
 */
int bh_strv_parse(struct json_object *list, const char *key, char ***v, size_t *n);

/* Frees an array of mounts and what each owns. */
void bh_mounts_free(struct bh_mount_spec *m, size_t n);

/* The names a source gives a mount's members: OCI's "source", docker's "Source", ... */
struct bh_mount_keys {
	const char *source;
	const char *destination;
	const char *type;
	const char *host_path; /* NULL: the source does not say (a runtime never does) */
};

/*
 * Replaces cfg's mounts with the objects of list (an absent or empty list
 * leaves them): source, destination, type (and host_path) by keys, then the rest
 * of each by the source's own fill(). Returns 0 or -ENOMEM.
 */
int bh_mounts_parse(struct json_object *list, const struct bh_mount_keys *keys,
		    void (*fill)(struct json_object *mo, struct bh_mount_spec *m),
		    struct bh_container_config *cfg);

#endif
