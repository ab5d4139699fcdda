/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * http.h - the agent's health, metrics and open findings endpoints (/healthz, /metrics,
 * /findings) over HTTP, served by libmicrohttpd from its own thread out of the last
 * published snapshots.
 */
#ifndef BULKHEAD_HTTP_H
#define BULKHEAD_HTTP_H

#include <stdint.h>
#include <sys/socket.h>

#include "metrics.h"

#define BH_HTTP_DEFAULT_ADDR "127.0.0.1:9464"

struct bh_http;
struct bh_open_view;

/*
 * Parses "IPv4:PORT", "[IPv6]:PORT" or ":PORT" (every address) into *ss.
 * Returns 0 or -EINVAL.
 */
int bh_http_parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len);

/*
 * Listens on spec (port 0: any free port) and serves from a thread of its own.
 * Start it after the loop's signal mask is set, so the thread inherits the
 * blocked signals. Returns 0 or a negative errno, with the cause logged.
 */
int bh_http_start(const char *spec, struct bh_http **out);
/* Stops the server thread and frees everything; NULL is a no-op. */
void bh_http_stop(struct bh_http *s);

/* The port listened on (useful when started with port 0). */
uint16_t bh_http_port(const struct bh_http *s);

/* Replaces the snapshot served (once a second from the loop). */
void bh_http_publish(struct bh_http *s, const struct bh_metrics_snapshot *snap);
/*
 * Replaces the open findings /findings serves (when they changed) and takes view over,
 * freeing it when no request uses it any more. Returns 0 or -ENOMEM (view freed).
 */
int bh_http_publish_findings(struct bh_http *s, struct bh_open_view *view);
/* Marks the ring buffer drained at mono_ns (after every epoll round). */
void bh_http_touch(struct bh_http *s, int64_t mono_ns);

#endif
