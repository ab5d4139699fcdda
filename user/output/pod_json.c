// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* pod_json.c - a container's pod in schema v1: its labels and its inferred owning workload. */
#include "output_impl.h"

#include "container/pod.h"

void bh_json_pod_k8s(struct bh_json *w, const struct bh_container *c)
{
	struct bh_workload wl;
	bool any = false;

	for (size_t i = 0; i < c->n_labels; i++) {
		if (!c->labels[i].pod)
			continue;
		if (!any) {
			bh_json_key(w, "labels");
			bh_json_obj_begin(w);
			any = true;
		}
		bh_json_key_str(w, c->labels[i].key, c->labels[i].value ? c->labels[i].value : "");
	}
	if (any)
		bh_json_obj_end(w);
	if (!bh_pod_workload(c, &wl))
		return;
	bh_json_key(w, "workload");
	bh_json_obj_begin(w);
	if (wl.kind)
		bh_json_key_str(w, "kind", wl.kind);
	bh_json_key_str(w, "name", wl.name);
	/* from names and labels: the owner references are the API server's, not the node's */
	bh_json_key_bool(w, "inferred", true);
	bh_json_obj_end(w);
}
