/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * metrics.h - the agent's counters as one plain snapshot, its health verdict and its
 * Prometheus text rendering (exposition format 0.0.4), served by http.c.
 */
#ifndef BULKHEAD_METRICS_H
#define BULKHEAD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "events.h"
#include "export/export.h"
#include "rules/rules.h"

/* Allow entries whose hits /metrics shows; the rest are summed under entry="(more)". */
#define BH_METRICS_ALLOW_MAX 128

/* One allow entry's hits (bh_rules_allow_hits()) under its id. */
struct bh_metrics_allow {
	char id[64];
	bool accept;
	__u64 hits;
};

/* The ring buffer must have been drained this recently for /healthz to say OK. */
#define BH_HEALTH_MAX_AGE_NS (10 * 1000000000LL)

/*
 * What the collector loop publishes: plain values, copied whole under the HTTP
 * server's lock, so the server thread never touches the loop's own structures.
 */
struct bh_metrics_snapshot {
	int programs_attached;	 /* BPF programs attached now; 0: not (or no longer) */
	int64_t drained_mono_ns; /* CLOCK_MONOTONIC of the last drained epoll round; 0: never */
	__u64 events[BH_EV_TYPE_MAX]; /* decoded records by family (index: enum bh_event_type) */
	__u64 findings[BH_RULE_COUNT][BH_SEV_COUNT];		 /* bh_rules_finding_counts() */
	__u64 findings_accepted[BH_RULE_COUNT];			 /* bh_rules_accepted_counts() */
	struct bh_metrics_allow allow[BH_METRICS_ALLOW_MAX + 1]; /* the last: "(more)" */
	size_t n_allow;
	__u64 policy_reloads_ok;    /* policy reloads (SIGHUP, file change) that took effect */
	__u64 policy_reloads_error; /* and those that failed (the old policy stays) */
	__u64 kernel_emitted;	    /* struct bh_counters, summed over CPUs */
	__u64 drops;
	__u64 read_errors[BH_READ_SITES]; /* by enum bh_read_site, summed over CPUs */
	__u64 args_lost;
	__u64 compat_calls; /* compat syscalls of a hooked kind the kernel saw */
	int compat_state;   /* enum bh_compat_state */
	__u64 decode_errors;
	__u64 containers; /* struct bh_resolver_stats */
	__u64 resolver_hits;
	__u64 resolver_misses;
	__u64 resolver_api_errors;
	__u64 ringbuf_used_bytes; /* bh_ringbuf_usage() */
	__u64 ringbuf_size_bytes; /* 0: unknown, no ring buffer gauges */
	__u64 output_lines;	  /* struct bh_sink: lines, bytes, dropped */
	__u64 output_bytes;
	__u64 output_dropped_lines; /* raw events dropped because stdout was slow */
	/* bh_open_findings_counts(), bh_open_findings_dropped() */
	__u64 open_findings[BH_RULE_COUNT][BH_SEV_COUNT];
	__u64 open_findings_dropped;
	struct bh_export_stats exports[BH_EXPORTS_MAX]; /* bh_exports_snapshot() */
	size_t n_exports;
};

/*
 * Whether the agent is healthy at now_mono_ns: programs attached and a drain no
 * older than BH_HEALTH_MAX_AGE_NS. When not, *why (if not NULL) says why in words.
 */
bool bh_metrics_healthy(const struct bh_metrics_snapshot *s, int64_t now_mono_ns, const char **why);

/* Fills s's findings_accepted and allow hits from the rules engine and its policy. */
void bh_metrics_set_rules(struct bh_metrics_snapshot *s, const struct bh_rules *r,
			  const struct bh_policy *p);

/*
 * Renders s as Prometheus text into a malloc'd, NUL-terminated buffer (*out, *len).
 * Returns 0 or -ENOMEM.
 */
int bh_metrics_render(const struct bh_metrics_snapshot *s, int64_t now_mono_ns, char **out,
		      size_t *len);

/*
 * Bytes waiting in a BPF ring buffer map (producer - consumer position) and its
 * size, read from the map's read-only position pages: libbpf 1.1 has no
 * ring__avail_data_size(). Returns 0 or a negative errno.
 */
int bh_ringbuf_usage(int map_fd, __u64 *used, __u64 *size);

/* CLOCK_MONOTONIC now, in ns: the clock of drained_mono_ns. */
int64_t bh_mono_ns(void);

#endif
