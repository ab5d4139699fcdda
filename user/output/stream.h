/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * stream.h - the agent's local event socket: a unix stream socket (root-only,
 * mode 0600) that repeats every JSON line of `bulkhead run` to the clients
 * attached to it (`bulkhead top`), and the client side that reads it.
 *
 * The server never blocks the agent: each client has a bounded backlog; a line
 * that does not fit is dropped for that client and counted, never half-sent.
 */
#ifndef BULKHEAD_STREAM_H
#define BULKHEAD_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define BH_STREAM_DEFAULT_PATH "/run/bulkhead/events.sock"
#define BH_STREAM_MAX_CLIENTS  16
/* Per-client backlog beyond the socket's own buffer: ~1 s of a busy node's lines. */
#define BH_STREAM_BACKLOG_BYTES (1u << 20)

struct bh_stream;

struct bh_stream_stats {
	uint64_t clients;    /* attached now */
	uint64_t accepted;   /* since open */
	uint64_t refused;    /* not root, or too many clients */
	uint64_t lost_lines; /* lines dropped for slow clients, all clients summed */
	uint64_t gone;	     /* clients that went away */
};

/*
 * Creates the socket at path (its directory with mode 0700 when missing), mode 0600.
 * A stale socket file left by a dead agent is replaced; a live one (another agent
 * answers) gives -EADDRINUSE, a non-socket file at path -EEXIST. Errors are logged.
 */
int bh_stream_open(const char *path, struct bh_stream **out);
/* The listening fd (non-blocking): readable when a client waits for bh_stream_accept(). */
int bh_stream_fd(const struct bh_stream *s);
/* Accepts every waiting client whose peer is root (or our own uid). Returns how many. */
int bh_stream_accept(struct bh_stream *s);
/* Sends one whole line (with its newline) to every client, without blocking. */
void bh_stream_broadcast(struct bh_stream *s, const char *line, size_t len);
/*
 * Sends one whole line to the n clients attached last (bh_stream_accept() returned n), e.g.
 * what they need of the time before they came. Returns how many of them are still attached.
 */
int bh_stream_send_newest(struct bh_stream *s, int n, const char *line, size_t len);
void bh_stream_get_stats(const struct bh_stream *s, struct bh_stream_stats *st);
/* Disconnects the clients, closes the socket and removes the file if it is still ours. */
void bh_stream_close(struct bh_stream *s);

/* Client: connects to path. Returns a non-blocking fd or a negative errno (not logged). */
int bh_stream_connect(const char *path);

/* Splits what arrives on a fd into lines. */
struct bh_line_reader {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
	size_t start;	   /* first byte not yet handed out */
	uint64_t too_long; /* lines longer than cap, skipped */
	int skipping;	   /* inside a line too long to hold */
};

int bh_line_reader_init(struct bh_line_reader *r, int fd, size_t cap);
void bh_line_reader_free(struct bh_line_reader *r);
/*
 * Reads what the fd has (one read(2)). Returns bytes read, 0 at end of stream, or a
 * negative errno (-EAGAIN: nothing now).
 */
int bh_line_reader_fill(struct bh_line_reader *r);
/* The next complete line without its newline, NUL-terminated in place; NULL when none. */
char *bh_line_reader_next(struct bh_line_reader *r, size_t *len);

#endif
