/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * open_findings.h - the findings open on each running container: every finding line of a
 * container as the rules emitted it, one per identity (the rules' dedup identity), until
 * the container stops; bounded per container and overall. And what /findings serves of
 * it: an immutable view the loop builds, which the HTTP thread filters and renders.
 *
 * The set keeps what the line carries (rule, severity, summary, process, evidence,
 * remediation, and whatever a line gains later), not a copy of the rules' logic.
 */
#ifndef BULKHEAD_OPEN_FINDINGS_H
#define BULKHEAD_OPEN_FINDINGS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "container/container.h"
#include "core/catalogue.h"

struct json_object;

/*
 * A container's distinct findings are few (one per rule, or per rule and path, port,
 * program); past these bounds a new one is dropped and counted, a known one still updated.
 */
#define BH_OPEN_PER_CONTAINER 64
#define BH_OPEN_TOTAL	      4096

struct bh_open_findings;

/* An empty set with these caps. Returns 0 or -ENOMEM. */
int bh_open_findings_new(size_t per_container, size_t total, struct bh_open_findings **out);
void bh_open_findings_free(struct bh_open_findings *s);

/*
 * One finding line (schema v1, as emitted) whose identity is key: a new open finding, or
 * one seen again (its count grows, its last line and last_seen replace the previous).
 * c is the container the line names: a view describes it as c is when the view is built
 * (its runtime's API may answer after the finding was written), so c must stay valid
 * until bh_open_findings_remove() of its id. NULL: as the line's container object says.
 * parsed: the line as json-c parsed it, when the caller has it (still the caller's to
 * put); NULL: parsed here.
 * Returns 1 (new), 0 (seen again), -ENOENT (a host process's: not kept), -EINVAL (not a
 * finding line), -ENOSPC (a cap is reached: dropped and counted) or -ENOMEM.
 */
int bh_open_findings_add(struct bh_open_findings *s, const struct bh_container *c, const char *key,
			 const char *line, size_t len, struct json_object *parsed);

/* The container stopped: its findings leave the set. Returns how many were open. */
size_t bh_open_findings_remove(struct bh_open_findings *s, const char *container_id);

/* The open findings by rule and severity (rules outside the catalogue are not counted). */
void bh_open_findings_counts(const struct bh_open_findings *s,
			     __u64 counts[BH_RULE_COUNT][BH_SEV_COUNT]);
/* Open findings now, and new ones the caps dropped since the set was made. */
size_t bh_open_findings_total(const struct bh_open_findings *s);
uint64_t bh_open_findings_dropped(const struct bh_open_findings *s);
/* Moves on every change: a view is built anew only when it moved. */
uint64_t bh_open_findings_generation(const struct bh_open_findings *s);

/* Calls fn with the last line of every open finding (e.g. for a client that just came). */
void bh_open_findings_each_line(const struct bh_open_findings *s,
				void (*fn)(const char *line, size_t len, void *ctx), void *ctx);

/* What /findings serves: a copy of the set, which nothing changes once built. */
struct bh_open_view;

/* NULL without memory. */
struct bh_open_view *bh_open_view_build(const struct bh_open_findings *s);
void bh_open_view_free(struct bh_open_view *v);

/* /findings?container=NAME|ID-PREFIX&namespace=NS&severity=MIN; NULL members: no filter. */
struct bh_open_filter {
	const char *container; /* a name (docker's, or the Kubernetes container's) or id prefix */
	const char *namespace; /* the pod's Kubernetes namespace */
	int min_severity;      /* enum bh_severity; BH_SEV_LOW: every finding */
};

/*
 * Sets one filter from a query argument (name=value). Returns 0, or -EINVAL with *why
 * saying in words what is wrong (an unknown name, an empty value, an unknown severity).
 */
int bh_open_filter_set(struct bh_open_filter *f, const char *name, const char *value,
		       const char **why);

/*
 * The view's containers and findings that pass f, as one JSON document with its newline,
 * into a malloc'd buffer (*out, *len). Returns 0 or -ENOMEM.
 */
int bh_open_view_render(const struct bh_open_view *v, const struct bh_open_filter *f, char **out,
			size_t *len);

#endif
