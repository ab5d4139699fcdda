/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * export.h - `--export URI`: the lines bulkhead writes, delivered to syslog
 * (RFC 5424 or CEF over udp, tcp, a unix socket), HTTP collectors (a JSON
 * array, Splunk HEC, Elasticsearch _bulk) and rotated files.
 *
 * Each output has its own bounded queue and writer thread: the caller only
 * formats and queues, never waits on a receiver (except a replay, which waits
 * for an output that works). A receiver that fails is retried with capped
 * exponential backoff; what its queue cannot hold meanwhile is dropped and
 * counted. Secrets (tokens, passwords) come from files or the environment and
 * are never printed: an output is named by its URI, which holds none.
 *
 * export/ (on core/ and output/) offers this header only; export_impl.h is
 * what its parts (core, URI, formats, transports) share.
 */
#ifndef BULKHEAD_EXPORT_H
#define BULKHEAD_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json_writer.h"

#define BH_EXPORTS_MAX	   8
#define BH_EXPORT_NAME_MAX 160

struct bh_exports;
struct json_object;

/* One output's counters, as /metrics and the stats lines show them. */
struct bh_export_stats {
	char name[BH_EXPORT_NAME_MAX]; /* the URI (cut to fit) */
	uint64_t sent;		       /* records the receiver accepted */
	uint64_t retried;	       /* failed attempts followed by a retry */
	uint64_t dropped;	       /* records lost: queue full, rejected, or left at exit */
	uint64_t queue_depth;	       /* records waiting now */
};

/*
 * Parses the n URIs of the command line, then the n_file of the policy file,
 * and starts an output for each. lossless (a replay): a full queue makes the
 * caller wait while its output works. Returns 0, -EINVAL for a bad URI or
 * secret, or too many outputs (the cause logged, naming the URI), or -ENOMEM.
 */
int bh_exports_new(const char *const *uris, size_t n, char *const *file_uris, size_t n_file,
		   bool lossless, struct bh_exports **out);
/* Parses a URI and reads its secrets without starting anything: 0 or -EINVAL (logged). */
int bh_export_check(const char *uri);
/*
 * Sends what is queued (each output gives up after a few seconds of failure,
 * counting the rest as dropped), stops the threads and logs each output's
 * counters, which stay readable; lines offered afterwards are dropped. NULL
 * is a no-op, and so is a second call.
 */
void bh_exports_stop(struct bh_exports *x);
/* bh_exports_stop(), then frees everything. NULL is a no-op. */
void bh_exports_free(struct bh_exports *x);

/*
 * Offers one schema v1 line (with its newline) to every output whose types and
 * min_severity take it. raw_event: a raw event line (not parsed unless an
 * output takes events). parsed: the line as json-c parsed it, when the caller
 * has it (still the caller's to put); NULL: parsed here when an output may take it.
 */
void bh_exports_line(struct bh_exports *x, const char *line, size_t len, bool raw_event,
		     struct json_object *parsed);

/* SIGUSR1: file outputs reopen their path (after logrotate moved it). */
void bh_exports_reopen(struct bh_exports *x);

/* Copies every output's counters into out (BH_EXPORTS_MAX of them); returns how many. */
size_t bh_exports_snapshot(struct bh_exports *x, struct bh_export_stats *out);

/* Writes the stats lines' "exports" member: [{"output":URI,"sent":..}, ...]. */
void bh_exports_stats_json(struct bh_exports *x, struct bh_json *w);

#endif
