// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rules.c - the rules engine: its state, and each event or container to the rule families. */
#include "rule_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bh_rules_new(const struct bh_rules_opts *opts, struct bh_rules **out)
{
	struct bh_rules *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return -ENOMEM;
	if (!opts->policy)
		r->own_policy = bh_policy_default();
	if (bh_hit_tables_init(r) || (!opts->policy && !r->own_policy)) {
		bh_rules_free(r);
		return -ENOMEM;
	}
	r->policy = opts->policy ? opts->policy : r->own_policy;
	if (bh_hit_counters_reset(r)) {
		bh_rules_free(r);
		return -ENOMEM;
	}
	r->self_cgroup_id = opts->self_cgroup_id;
	r->boot_to_real_ns = opts->boot_to_real_ns;
	memcpy(r->host_ns, opts->host_ns, sizeof(r->host_ns));
	bh_json_init(&r->w);
	bh_json_init(&r->ev);
	*out = r;
	return 0;
}

void bh_rules_free(struct bh_rules *r)
{
	if (!r)
		return;
	bh_hit_tables_fini(r);
	bh_json_free(&r->w);
	bh_json_free(&r->ev);
	free(r->allow_hits);
	bh_policy_free(r->own_policy);
	free(r);
}

void bh_rules_set_policy(struct bh_rules *r, const struct bh_policy *p)
{
	if (!p && !r->own_policy)
		r->own_policy = bh_policy_default();
	if (!p)
		p = r->own_policy;
	/* Without memory for the default, keep the current policy rather than none. */
	if (!p)
		return;
	r->policy = p;
	/* The entries are new: their counters start again (none without memory). */
	bh_hit_counters_reset(r);
}

void bh_rules_on_event(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		       bh_finding_sink sink, void *ctx)
{
	/*
	 * bulkhead's own container (e.g. a capture's, replayed without its
	 * resolver) is not the node's. A host cgroup shared with bulkhead (a shell,
	 * a sandbox's root cgroup) holds node processes: the kernel already drops
	 * bulkhead's own calls by process. A task that moved into bulkhead's cgroup
	 * (outside_cgroup) is not bulkhead's.
	 */
	if (c && !ev->outside_cgroup && r->self_cgroup_id &&
	    ev->hdr->cgroup_id == r->self_cgroup_id)
		return;
	bh_rules_event(r, ev, c, sink, ctx);
}

void bh_rules_on_container(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
			   void *ctx)
{
	if (c && c->config.known)
		bh_rules_config(r, c, sink, ctx);
}

void bh_rules_forget_container(struct bh_rules *r, const char *container_id)
{
	bh_hit_forget(r, container_id);
}

void bh_rules_set_self(struct bh_rules *r, const struct bh_container *self)
{
	snprintf(r->self_id, sizeof(r->self_id), "%s", self ? self->id : "");
	snprintf(r->self_pod_uid, sizeof(r->self_pod_uid), "%s",
		 self && self->pod_uid ? self->pod_uid : "");
}
