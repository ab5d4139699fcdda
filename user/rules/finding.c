// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* finding.c - writes the finding lines of the rules engine with the event lines' helpers. */
#include "finding.h"

#include <stdio.h>
#include <string.h>

#include "output/output_json.h"

/* The event lines' "process" members, plus "args" for an exec. */
static void write_process(struct bh_json *w, const struct bh_event *ev)
{
	bh_json_key(w, "process");
	bh_json_obj_begin(w);
	bh_json_process_members(w, ev);
	if (ev->hdr->type == BH_EV_EXEC) {
		bh_json_key(w, "args");
		bh_json_args(w, &ev->str[1]);
	}
	bh_json_obj_end(w);
}

void bh_finding_write(struct bh_json *w, const struct bh_finding *f, const char *evidence,
		      size_t len)
{
	bh_json_line_begin(w, "finding", f->time_ns);
	bh_json_key_str(w, "rule", f->rule);
	bh_json_key_str(w, "severity", f->accepted ? "info" : f->severity);
	if (f->accepted)
		bh_json_key_bool(w, "accepted", true);
	bh_json_key_str(w, "summary", f->summary);
	bh_json_key(w, "container");
	bh_json_container(w, f->container);
	if (f->ev)
		write_process(w, f->ev);
	bh_json_key(w, "evidence");
	bh_json_raw_value(w, evidence, len);
	bh_json_key_str(w, "remediation", f->remediation);
	if (f->info)
		bh_rule_compliance_json(w, f->info);
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
