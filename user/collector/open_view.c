// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* open_view.c - /findings: the open findings' view, filtered by the query, as one JSON document. */
#include "open_view.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json_writer.h"

int bh_open_filter_set(struct bh_open_filter *f, const char *name, const char *value,
		       const char **why)
{
	int sev;

	if (strcmp(name, "container") && strcmp(name, "namespace") && strcmp(name, "severity")) {
		*why = "unknown filter: the filters are container, namespace and severity";
		return -EINVAL;
	}
	if (!value || !*value) {
		*why = "a filter needs a value";
		return -EINVAL;
	}
	if (!strcmp(name, "container")) {
		f->container = value;
	} else if (!strcmp(name, "namespace")) {
		f->namespace = value;
	} else {
		sev = bh_severity_lookup(value);
		if (sev < 0) {
			*why = "severity is one of low, medium, high, critical";
			return -EINVAL;
		}
		f->min_severity = sev;
	}
	return 0;
}

/* docker names carry a leading slash that nobody types. */
static bool same_name(const char *name, const char *want)
{
	if (!name)
		return false;
	if (name[0] == '/')
		name++;
	if (want[0] == '/')
		want++;
	return !strcmp(name, want);
}

static bool container_passes(const struct bh_open_view_container *c, const struct bh_open_filter *f)
{
	if (f->namespace && (!c->namespace || strcmp(c->namespace, f->namespace)))
		return false;
	if (!f->container)
		return true;
	return same_name(c->name, f->container) || same_name(c->k8s_name, f->container) ||
	       !strncmp(c->id, f->container, strlen(f->container));
}

/* The findings of c that pass (they are sorted worst first). */
static size_t passing(const struct bh_open_view_container *c, const struct bh_open_filter *f)
{
	size_t n = 0;

	while (n < c->n && c->findings[n].severity >= f->min_severity)
		n++;
	return n;
}

int bh_open_view_render(const struct bh_open_view *v, const struct bh_open_filter *f, char **out,
			size_t *len)
{
	struct bh_json w;
	struct timespec now;
	uint64_t total = 0;

	bh_json_init(&w);
	clock_gettime(CLOCK_REALTIME, &now);
	bh_json_obj_begin(&w);
	bh_json_key_int(&w, "schema", 1);
	bh_json_key_time(&w, "time", now.tv_sec, now.tv_nsec);
	bh_json_key(&w, "containers");
	bh_json_arr_begin(&w);
	for (size_t i = 0; v && i < v->n; i++) {
		const struct bh_open_view_container *c = &v->ctrs[i];
		size_t n = container_passes(c, f) ? passing(c, f) : 0;

		if (!n)
			continue;
		total += n;
		bh_json_obj_begin(&w);
		bh_json_key(&w, "container");
		bh_json_raw_value(&w, c->json, strlen(c->json));
		bh_json_key_uint(&w, "open_findings", n);
		bh_json_key(&w, "findings");
		bh_json_arr_begin(&w);
		for (size_t j = 0; j < n; j++)
			bh_json_raw_value(&w, c->findings[j].json, strlen(c->findings[j].json));
		bh_json_arr_end(&w);
		bh_json_obj_end(&w);
	}
	bh_json_arr_end(&w);
	bh_json_key_uint(&w, "open_findings", total);
	/* what the caps kept out: the answer is not the whole story when not 0 */
	bh_json_key_uint(&w, "dropped", v ? v->dropped : 0);
	bh_json_obj_end(&w);
	bh_json_newline(&w);
	if (bh_json_failed(&w)) {
		bh_json_free(&w);
		return -ENOMEM;
	}
	/* the writer's buffer becomes the caller's */
	*out = w.buf;
	*len = bh_json_len(&w);
	return 0;
}
