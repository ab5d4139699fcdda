/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * advise.h - `bulkhead advise`: watch one container (or every container of an image) with a
 * collector of its own and the syscall recorder, then write the least-privilege profile
 * and flags it needs (advice.h). A session can also run inside another loop (top).
 */
#ifndef BULKHEAD_ADVISE_CMD_H
#define BULKHEAD_ADVISE_CMD_H

#include "advice.h"

struct bh_advise_opts {
	const char *container;	   /* name or id, or NULL */
	const char *image;	   /* or every container of this image */
	int duration_s;		   /* 0: until SIGINT or SIGTERM */
	const char *out_dir;	   /* where the files go */
	const char *merge_path;	   /* a profile to merge in, or NULL */
	const char *docker_socket; /* NULL: /var/run/docker.sock */
	bool quiet_ready;	   /* no "advising" log line (top) */
};

struct bh_advise_session;

/* Loads the recorder and finds the target's running cgroups. 0 or -errno (logged). */
int bh_advise_start(const struct bh_advise_opts *o, struct bh_advise_session **out);
/* Consumes records, judges new cgroups, reads the containers' state: call often (250 ms). */
void bh_advise_tick(struct bh_advise_session *s);
/* What was learnt so far, merged over the target's cgroups (restarts) and --merge. */
void bh_advise_snapshot(struct bh_advise_session *s, struct bh_advice *out);
void bh_advise_stop(struct bh_advise_session *s);

/* The command: runs until the duration ends or a signal, then writes. Returns the exit code. */
int bh_advise_run(const struct bh_advise_opts *o);

#endif
