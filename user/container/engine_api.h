/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * engine_api.h - the Docker Engine API client (docker's socket, or podman's compatible
 * one): one GET, a container's inspect, and a worker thread that asks for the caller so
 * that its loop never waits on a daemon.
 */
#ifndef BULKHEAD_ENGINE_API_H
#define BULKHEAD_ENGINE_API_H

#include <stddef.h>

#include "container.h"

/*
 * GET /v1.41/containers/<id>/json on an Engine API socket (docker's, or podman's
 * compatible one). *body is NUL-terminated
 * and freed by the caller. Returns 0, -ENOENT (no such container), or a
 * negative errno when the daemon cannot be reached in timeout_ms.
 */
int bh_docker_fetch_inspect(const char *socket_path, const char *id, int timeout_ms, char **body,
			    size_t *len);

/*
 * GET /v1.41PATH ("/containers/json?all=1") on an Engine API socket, as
 * bh_docker_fetch_inspect() does.
 */
int bh_engine_api_get(const char *socket_path, const char *path, int timeout_ms, char **body,
		      size_t *len);

/*
 * A thread that asks Engine APIs (docker's, podman's) so that the caller's loop
 * never waits on them: ids go in through a bounded queue, answers come back in
 * order through a list, with an eventfd readable while answers wait.
 */
struct bh_docker_worker;

struct bh_docker_answer {
	struct bh_docker_answer *next;
	char id[BH_CONTAINER_ID_LEN + 1];
	const char *socket_path; /* the API asked, as given to put */
	int err;		 /* as bh_docker_fetch_inspect's */
	char *body;
	size_t len;
};

/* Returns 0 or a negative errno. */
int bh_docker_worker_start(int timeout_ms, size_t max_queue, struct bh_docker_worker **out);
/* Stops and joins the thread; queued ids and unread answers are dropped. */
void bh_docker_worker_stop(struct bh_docker_worker *w);
int bh_docker_worker_fd(const struct bh_docker_worker *w);
/*
 * Queues an id for the API at socket_path (a string that outlives the worker): 0,
 * -EAGAIN when the queue is full, or -ENOMEM.
 */
int bh_docker_worker_put(struct bh_docker_worker *w, const char *socket_path, const char *id);
/* Every answer ready now, oldest first (NULL: none); free each with bh_docker_answer_free. */
struct bh_docker_answer *bh_docker_worker_take(struct bh_docker_worker *w);
void bh_docker_answer_free(struct bh_docker_answer *a);

#endif
