/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * metadata.h - the body of the OCI, docker and store parser targets: parse twice, print,
 * free.
 */
#ifndef BULKHEAD_FUZZ_METADATA_H
#define BULKHEAD_FUZZ_METADATA_H

#include "container/container.h"
#include "fuzz.h"
#include "output/output_json.h"

typedef int (*fuzz_parse_fn)(const char *json, size_t len, struct bh_container *c);

/*
 * Parses the input into a container, then again over what the first pass filled (as
 * when a second source or a re-read replaces fields: nothing may leak or be freed twice),
 * and prints the container member of a line, which must be one JSON object. A parser
 * that gives_config fills the configuration (OCI, docker), others only names.
 */
static inline void fuzz_metadata(fuzz_parse_fn parse, bool gives_config, const uint8_t *data,
				 size_t size)
{
	struct bh_container c = {
		.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.runtime = "docker",
	};
	struct json_object *obj;
	struct bh_json w;

	if (parse((const char *)data, size, &c)) {
		bh_container_clear(&c);
		return;
	}
	FUZZ_CHECK(c.config.known == gives_config);
	FUZZ_CHECK(parse((const char *)data, size, &c) == 0);
	bh_json_init(&w);
	bh_json_obj_begin(&w);
	bh_json_key(&w, "container");
	bh_json_container(&w, &c);
	bh_json_obj_end(&w);
	bh_json_newline(&w);
	FUZZ_CHECK(!bh_json_failed(&w));
	/*
	 * An input byte is printed at most three times (a Kubernetes label is also a pod
	 * field and the name), 6 bytes per byte at worst.
	 */
	obj = fuzz_check_line(bh_json_data(&w), bh_json_len(&w), 18 * size + 4096);
	json_object_put(obj);
	bh_json_free(&w);
	bh_container_clear(&c);
}

#endif
