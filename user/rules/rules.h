/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rules.h - the hardening rules engine: turns events and container configurations
 * into finding lines (schema v1), deduplicated and filtered by the policy.
 *
 * rules/ (on core/, container/ and output/'s line parts) offers this engine, the policy
 * it runs under (policy.h) and the finding line (finding.h).
 */
#ifndef BULKHEAD_RULES_H
#define BULKHEAD_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "core/catalogue.h"
#include "container/container.h"
#include "core/event.h"
#include "policy.h"

struct bh_rules_opts {
	const struct bh_policy *policy; /* NULL: built-in defaults; the caller keeps ownership */
	__u64 self_cgroup_id; /* events of this cgroup's container (bulkhead's own) are ignored */
	int64_t boot_to_real_ns;    /* bh_boot_to_realtime_offset() */
	__u32 host_ns[BH_NS_KINDS]; /* bh_host_namespaces(): privileged-port-binding compares
				     * an event's net_ns with the host's; 0: not known */
};

struct bh_rules;

/* One whole JSON line with its newline; the buffer is valid during the call only. */
typedef void (*bh_finding_sink)(const char *line, size_t len, void *ctx);

/* Returns 0 or -ENOMEM. */
int bh_rules_new(const struct bh_rules_opts *opts, struct bh_rules **out);
void bh_rules_free(struct bh_rules *r);
/*
 * A reload (SIGHUP, the file changed); the caller keeps ownership and keeps p alive while
 * r uses it. The allow hit counters start again at 0 for p's entries.
 */
void bh_rules_set_policy(struct bh_rules *r, const struct bh_policy *p);

/* Behaviour findings of one event (c NULL: a host process; host rules still apply). */
void bh_rules_on_event(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		       bh_finding_sink sink, void *ctx);

/*
 * Configuration findings of a container: once per (container, rule), at first
 * sight and for the containers already running at start. Calling it again (e.g.
 * after more metadata arrived) reports only rules that had not fired yet.
 */
void bh_rules_on_container(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
			   void *ctx);

/*
 * Whether the configuration rule can be judged for c from what its sources said; false,
 * with the reason in *why, for a behaviour rule or a value no source gave (`bulkhead
 * audit`'s N/A).
 */
bool bh_rules_config_judges(unsigned int rule, const struct bh_container *c, const char **why);

/* Drops the state kept for a container (config rules fired, dedup windows). */
void bh_rules_forget_container(struct bh_rules *r, const char *container_id);

/*
 * bulkhead's own container (NULL: none): neither it nor the other containers of its pod
 * are judged, as the agent needs the privileges the rules flag. self is copied.
 */
void bh_rules_set_self(struct bh_rules *r, const struct bh_container *self);

/*
 * The programs whose exec by a host process (outside any container) a rule
 * judges, NULL-terminated: in default mode the kernel drops every other host exec.
 */
extern const char *const bh_rules_host_programs[];

/*
 * During a sink's call: the identity the finding is deduplicated by, "rule|container" for
 * a finding reported once per container, "rule|container|exe|detail" for one reported
 * once per window. Two findings of one identity are the same finding seen again.
 */
const char *bh_rules_finding_key(const struct bh_rules *r);

/*
 * Findings written since bh_rules_new(), by rule and by (policy-adjusted) severity;
 * accepted ones (severity info) apart, by rule.
 */
void bh_rules_finding_counts(const struct bh_rules *r, __u64 counts[BH_RULE_COUNT][BH_SEV_COUNT]);
void bh_rules_accepted_counts(const struct bh_rules *r, __u64 counts[BH_RULE_COUNT]);

/*
 * Per entry of the policy in force (its allow list, in order): the findings the entry
 * hid or accepted since that policy was set. NULL when they could not be counted.
 */
const __u64 *bh_rules_allow_hits(const struct bh_rules *r);

#endif
