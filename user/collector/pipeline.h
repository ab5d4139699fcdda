/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pipeline.h - what happens to one raw record, live or replayed: decode,
 * attribute to its container, print the selected events, judge it with the
 * rules, and count. The source of records and of container metadata is the
 * caller's: the live agent (ring buffer + resolver) or a capture file.
 */
#ifndef BULKHEAD_PIPELINE_H
#define BULKHEAD_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "container/container.h"
#include "events.h"
#include "core/hashtab.h"
#include "core/json_writer.h"
#include "container/ns_owner.h"
#include "output/sink.h"

struct bh_event;
struct bh_exports;
struct bh_policy;
struct bh_rules;
struct bh_stream;

/* Where a record's container comes from: NULL for a host process. */
typedef const struct bh_container *(*bh_lookup_fn)(void *ctx, const struct bh_hdr *hdr);

/*
 * Sees every valid record with the container its cgroup names (NULL: host), not the one a
 * task that left its container's cgroup is judged as: a replay finds that again from the
 * namespaces. E.g. to record it.
 */
typedef void (*bh_record_tap_fn)(void *ctx, const void *data, size_t size,
				 const struct bh_container *c);

struct bh_pipeline_opts {
	unsigned int event_mask;	/* bit (1 << BH_EV_*): print that raw event */
	bool findings;			/* judge with the rules */
	bool lifecycle;			/* print container-start/-stop lines */
	const struct bh_policy *policy; /* caller-owned; NULL: built-in defaults */
	/* keep the open findings of each running container (p->open), with the rules */
	bool open_findings;
	__u64 self_cgroup_id;
	__u32 host_ns[BH_NS_KINDS];
	int64_t boot_to_real_ns; /* wall-clock ns = boot ns + this */
	bh_lookup_fn lookup;
	void *lookup_ctx;
	struct bh_sink *out;	  /* where lines go */
	struct bh_stream *stream; /* local socket clients get every line, every event too */
	bh_record_tap_fn tap;	  /* NULL: none */
	void *tap_ctx;
	/* --export outputs get what stdout gets; NULL: none */
	struct bh_exports *exports;
	/*
	 * Gets every BH_EV_CGROUP record (cgroup created) instead of the rules,
	 * the lookup and the tap: the live resolver's id -> path memory. NULL:
	 * ignored (replay has the recorded bindings).
	 */
	void (*cgroup_note)(void *ctx, const struct bh_event *ev);
	void *cgroup_note_ctx;
	/*
	 * Records of a pending container (its metadata on its way) are held
	 * until bh_pipeline_container_ready(); when its hold is full or too old
	 * the pipeline calls release, which must make c ready (not pending) and
	 * call bh_pipeline_container_ready(). Needed when lookup can return a
	 * pending container.
	 */
	void (*release)(void *ctx, const struct bh_container *c);
	void *release_ctx;
	/*
	 * Whether c still runs (its cgroup is there), asked when a task holds namespace
	 * inode numbers learned from c: the kernel reuses a dead one's. NULL: all do
	 * (a replay's containers go with their recorded stop). Gets lookup_ctx.
	 */
	bool (*container_alive)(void *ctx, const struct bh_container *c);
};

struct bh_pipeline_counts {
	__u64 events[BH_EV_TYPE_MAX];
	__u64 decode_errors;
	__u64 findings;
};

struct bh_hold; /* pipeline.c: the records held for one pending container */
struct bh_open_findings;

struct bh_pipeline {
	struct bh_pipeline_opts opts;
	struct bh_rules *rules;
	struct bh_open_findings *open;	   /* opts.open_findings with the rules; else NULL */
	const struct bh_container *judged; /* what the rules judge now: its findings' container */
	struct bh_json line;		   /* one reusable line buffer */
	struct bh_pipeline_counts counts;
	bool stdout_events;	       /* the record being handled is selected for stdout */
	struct bh_hashtab ctr_json;    /* container pointer, as uintptr_t -> its rendered value */
	struct bh_json ctr_scratch;    /* where a container's value is rendered */
	struct bh_ns_owners ns_owners; /* which container holds a namespace */
	struct bh_hold *holds;	       /* one per pending container with records */
	size_t n_holds, holds_cap;
	size_t held_bytes; /* over every hold */
};

/* Returns 0 or a negative errno (logged). */
int bh_pipeline_init(struct bh_pipeline *p, const struct bh_pipeline_opts *opts);
void bh_pipeline_fini(struct bh_pipeline *p);

/* One raw record (as the ring buffer hands it over). */
void bh_pipeline_record(struct bh_pipeline *p, const void *data, size_t size);

/*
 * Container lifecycle: configuration findings at first sight; state dropped when gone,
 * its open findings too (the container-stop line says how many were open).
 * Event lines reuse a container's JSON, rendered once its metadata is complete
 * (metadata_done: the resolver changes nothing afterwards), until it is gone, so
 * a container must not be freed before bh_pipeline_container_gone().
 */
void bh_pipeline_container_new(struct bh_pipeline *p, const struct bh_container *c);
void bh_pipeline_container_gone(struct bh_pipeline *p, const struct bh_container *c);
/* c's metadata was changed in place (replay: a newer record of it): its JSON is rendered anew. */
void bh_pipeline_container_changed(struct bh_pipeline *p, const struct bh_container *c);

/* c is no longer pending: its held records are handled now, in their order. */
void bh_pipeline_container_ready(struct bh_pipeline *p, const struct bh_container *c);

/*
 * Releases (opts.release) every container whose records have been held
 * longer than the deadline, or all of them (shutdown); now from bh_mono_ns().
 */
void bh_pipeline_release_held(struct bh_pipeline *p, int64_t now_ns, bool all);

/* A new policy (SIGHUP); the caller keeps ownership. */
void bh_pipeline_set_policy(struct bh_pipeline *p, const struct bh_policy *policy);

/* Starts a line in p->line with the members every line has: schema, time, type. */
void bh_pipeline_line_begin(struct bh_pipeline *p, const char *type);
/*
 * Starts a stats line with what the pipeline itself counted: "final", "events"
 * (per family), "events_total", "decode_errors", "findings". The caller adds its
 * own members (kernel counters, replay progress) and calls bh_pipeline_line_end().
 */
void bh_pipeline_stats_begin(struct bh_pipeline *p, bool final);

/* Closes the line begun above and queues it on the sink. */
void bh_pipeline_line_end(struct bh_pipeline *p);

#endif
