/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sink.h - the stdout stream: whole lines into a bounded queue that a writer
 * thread drains, so a slow reader never stalls the ring buffer consumer.
 *
 * A line is queued whole or not at all, and written whole unless the reader
 * goes away. When the queue is full, droppable lines (raw events) are dropped
 * and counted; kept lines (findings, lifecycle, stats) may use a reserve that
 * events cannot, and when even that is full the caller waits for the writer:
 * a finding is never dropped. One producer thread only.
 */
#ifndef BULKHEAD_SINK_H
#define BULKHEAD_SINK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json_writer.h"

enum bh_sink_prio {
	BH_SINK_KEEP = 0, /* findings, lifecycle, stats: wait rather than drop */
	BH_SINK_DROP = 1, /* raw events: dropped and counted when the queue is full */
};

enum bh_sink_format {
	BH_FORMAT_JSON = 0, /* schema v1 lines as given */
	BH_FORMAT_ECS = 1,  /* each line converted by bh_ecs_convert() */
};

struct bh_sink {
	int fd;
	char *buf; /* ring of cap bytes: [head, head + used) is queued */
	size_t cap;
	size_t reserve; /* bytes only kept lines may use */
	size_t head;
	size_t used;
	bool lossless; /* droppable lines wait too (replay: nothing to lose) */
	bool kick;     /* write all that is queued (flush, drain, a producer waiting) */
	bool stop;
	bool writing; /* the writer is in write(2) */
	bool started;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* producer -> writer: data queued, or stop */
	pthread_cond_t room; /* writer -> producer: bytes written, or an error */
	enum bh_sink_format format;
	char *hostname;	     /* ECS host.hostname */
	struct bh_json conv; /* the converted line */
	uint64_t lines;	     /* lines queued (producer's count) */
	uint64_t dropped;    /* droppable lines dropped because the queue was full */
	uint64_t dropped_bytes;
	uint64_t convert_errors; /* lines that could not be converted (dropped) */
	_Atomic uint64_t bytes;	 /* bytes written by the writer */
	_Atomic int error;	 /* first write error (negative errno), sticky */
};

/*
 * Starts the writer thread on fd with a queue of cap bytes, a quarter of it
 * reserved for kept lines. Returns 0 or a negative errno.
 */
int bh_sink_init(struct bh_sink *s, int fd, size_t cap);
/* Writes what is queued, stops the writer and frees the queue; safe on a zeroed sink. */
void bh_sink_free(struct bh_sink *s);

/* Droppable lines wait for room instead of being dropped (an offline replay). */
void bh_sink_set_lossless(struct bh_sink *s, bool lossless);
/* Output format; hostname (copied) is ECS host.hostname, NULL: this host's name. */
int bh_sink_set_format(struct bh_sink *s, enum bh_sink_format format, const char *hostname);

/* Queues one kept line (with its newline). Returns 0 or the sticky error. */
int bh_sink_line(struct bh_sink *s, const char *line, size_t len);
/*
 * Queues one line of priority prio. Returns 0 (queued, or dropped and counted)
 * or the sticky error (-EPIPE: the reader is gone).
 */
int bh_sink_line_prio(struct bh_sink *s, const char *line, size_t len, enum bh_sink_prio prio);
/* Wakes the writer for what is queued; never waits. Returns 0 or the sticky error. */
int bh_sink_flush(struct bh_sink *s);
/* Waits until everything queued is written. Returns 0 or the sticky error. */
int bh_sink_drain(struct bh_sink *s);

#endif
