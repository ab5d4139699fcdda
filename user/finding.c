// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* finding.c - writes the finding lines of the rules engine with the event lines' helpers. */
#include "finding.h"

#include <stdio.h>
#include <string.h>

#include "output_json.h"

/* The NUL-separated argv of an exec record as a JSON array. */
static void write_args(struct bh_json *w, const struct bh_str *args)
{
	size_t off = 0;

	bh_json_arr_begin(w);
	while (off < args->len) {
		const char *a = args->ptr + off;
		const char *nul = memchr(a, '\0', args->len - off);
		size_t n = nul ? (size_t)(nul - a) : args->len - off;

		bh_json_strn(w, a, n);
		off += n + 1;
	}
	bh_json_arr_end(w);
}

/*
 * The event lines' "process" object plus "args" for an exec. bh_json_process()
 * closes its object, so it is reopened here: one process writer, not two.
 */
static void write_process(struct bh_json *w, const struct bh_event *ev)
{
	bh_json_key(w, "process");
	bh_json_process(w, ev);
	if (ev->hdr->type != BH_EV_EXEC || bh_json_failed(w) || !w->len ||
	    w->buf[w->len - 1] != '}' || w->depth + 1 >= BH_JSON_MAX_DEPTH)
		return;
	w->len--;
	w->depth++;
	w->need_comma[w->depth] = true;
	bh_json_key(w, "args");
	write_args(w, &ev->str[1]);
	bh_json_obj_end(w);
}

void bh_finding_begin(struct bh_json *w, const struct bh_finding *f)
{
	char when[64];

	bh_json_reset(w);
	bh_json_time(when, sizeof(when), f->time_ns / 1000000000, (long)(f->time_ns % 1000000000));
	bh_json_obj_begin(w);
	bh_json_key_int(w, "schema", BH_SCHEMA_VERSION);
	bh_json_key_str(w, "time", when);
	bh_json_key_str(w, "type", "finding");
	bh_json_key_str(w, "rule", f->rule);
	bh_json_key_str(w, "severity", f->severity);
	bh_json_key_str(w, "summary", f->summary);
	bh_json_key(w, "container");
	bh_json_container(w, f->container);
	if (f->ev)
		write_process(w, f->ev);
	bh_json_key(w, "evidence");
	bh_json_obj_begin(w);
}

void bh_finding_end(struct bh_json *w, const struct bh_finding *f)
{
	bh_json_obj_end(w);
	bh_json_key_str(w, "remediation", f->remediation);
	if (f->count)
		bh_json_key_uint(w, "count", f->count);
	if (f->ev)
		bh_json_key_str(w, "event", bh_event_type_name(f->ev->hdr->type));
	bh_json_obj_end(w);
	bh_json_newline(w);
}

void bh_finding_subject(const struct bh_container *c, char *buf, size_t size)
{
	const char *name;

	if (!c) {
		snprintf(buf, size, "a host process");
		return;
	}
	name = c->k8s_container ? c->k8s_container : c->name;
	if (name && name[0] == '/')
		name++;
	if (c->pod_name && c->pod_namespace)
		snprintf(buf, size, "container \"%s\" of pod %s/%s (%.12s)", name ? name : "?",
			 c->pod_namespace, c->pod_name, c->id);
	else if (name)
		snprintf(buf, size, "container \"%s\" (%.12s)", name, c->id);
	else
		snprintf(buf, size, "container %.12s", c->id);
}
