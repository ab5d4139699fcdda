/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * replay.h - `bulkhead replay FILE`: runs a capture file through the same
 * pipeline as the live agent (no root, no BPF) and prints the same lines.
 */
#ifndef BULKHEAD_REPLAY_H
#define BULKHEAD_REPLAY_H

#include <stdbool.h>

#include "output/sink.h"

struct bh_replay_opts {
	const char *path;
	unsigned int event_mask; /* bit (1 << BH_EV_*): print that raw event */
	bool findings;		 /* judge with the rules */
	bool lifecycle;		 /* print container-start/-stop lines */
	bool stats;		 /* a final stats line */
	const char *policy_path; /* NULL: built-in defaults */
	enum bh_sink_format format;
	int out_fd; /* where lines go (STDOUT_FILENO) */
	/* --export URIs: a replay waits for a working receiver */
	const char *const *exports;
	size_t n_exports;
};

/*
 * Returns the exit code: 0 (a truncated file too, with a warning naming the
 * frames replayed), 1 for a foreign, corrupt or unreadable file or a closed
 * stdout, 2 for a bad policy file.
 */
int bh_replay_run(const struct bh_replay_opts *o);

#endif
