/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * output_impl.h - what the lines' common parts (output_json.c) share with the event line
 * (event_line.c) and the pod's Kubernetes members (pod_json.c) (internal).
 */
#ifndef BULKHEAD_OUTPUT_IMPL_H
#define BULKHEAD_OUTPUT_IMPL_H

#include "output_json.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The pod object's "labels" (the pod's) and "workload" (its inferred owner), when known. */
void bh_json_pod_k8s(struct bh_json *w, const struct bh_container *c);

static inline void key_tail_str(struct bh_json *w, const char *key, const struct bh_str *s)
{
	if (s->len)
		bh_json_key_strn(w, key, s->ptr, s->len);
}

#endif
