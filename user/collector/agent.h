/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * agent.h - `bulkhead run` and `bulkhead record`: load the hooks, drain the
 * ring buffer, attribute each event to its container, judge it, and write JSON
 * lines (and a capture file) until a signal.
 *
 * collector/ drives every other folder but top/: it loads the BPF programs (loader.h,
 * with compat.h for compat syscalls), runs each record through decoding, attribution,
 * output and rules (pipeline.h), live from the ring buffer (this header) or from a
 * capture file (replay.h), and publishes its health and metrics (metrics.h, http.h).
 */
#ifndef BULKHEAD_AGENT_H
#define BULKHEAD_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include "events.h"
#include "export/export.h"
#include "output/sink.h"

struct bh_agent_opts {
	unsigned int event_mask;   /* bit (1 << BH_EV_*) set: print that raw event */
	bool findings;		   /* judge events and containers (rules) */
	int stats_interval_s;	   /* 0: no periodic stats line */
	const char *policy_path;   /* NULL: default path if it exists, else built-in */
	bool policy_path_explicit; /* --policy given: a missing file is an error */
	const char *host_root;
	const char *docker_socket;
	const char *podman_socket;
	bool no_docker_api;
	size_t ringbuf_bytes;
	enum bh_sink_format format;
	const char *http_addr;	 /* NULL: no health/metrics server */
	bool http_explicit;	 /* --http given: failing to serve is fatal */
	const char *socket_path; /* NULL: no local event socket */
	bool socket_explicit;
	const char *capture_path; /* `record -o FILE`: NULL when not recording */
	/* --export URIs */
	const char *exports[BH_EXPORTS_MAX];
	size_t n_exports;
};

/* Runs until SIGINT/SIGTERM. Returns the process exit code (0, 1 runtime error, 2 bad input). */
int bh_agent_run(const struct bh_agent_opts *opts);

#endif
