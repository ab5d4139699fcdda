/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sink.h - the stdout stream: whole JSON lines into one buffer, written with
 * write(2) in batches, so a reader never sees half a line from a live agent.
 */
#ifndef BULKHEAD_SINK_H
#define BULKHEAD_SINK_H

#include <stddef.h>
#include <stdint.h>

struct bh_sink {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
	uint64_t lines;
	uint64_t bytes;
	int error;		/* first write error (negative errno), sticky */
};

int bh_sink_init(struct bh_sink *s, int fd, size_t cap);
void bh_sink_free(struct bh_sink *s);
/* Queues one line (with its newline); flushes first when it would not fit. */
int bh_sink_line(struct bh_sink *s, const char *line, size_t len);
/* Writes everything queued. Returns 0 or the sticky error (-EPIPE: reader gone). */
int bh_sink_flush(struct bh_sink *s);

#endif
