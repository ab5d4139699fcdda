/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * audit.h - `bulkhead audit`: one verdict per practice for the host, its runtime daemons and
 * every container (running, and with all stopped too), judged by the live agent's own
 * configuration rules from the runtimes' real configuration. No BPF.
 */
#ifndef BULKHEAD_AUDIT_H
#define BULKHEAD_AUDIT_H

#include <stdbool.h>

#include "report.h"

struct bh_audit_opts {
	const char *host_root;	   /* NULL or "": the root */
	const char *docker_socket; /* NULL: the runtime's default */
	const char *podman_socket;
	const char *policy_path; /* NULL: none (built-in policy) */
	bool all;		 /* stopped containers too (the runtime APIs list them) */
	const char *container;	 /* NULL: every container; else a name or an id prefix, and no
				  * host section */
	enum bh_audit_format format;
	bool color;
	int fail_on; /* exit 1 when a FAIL is of this enum bh_severity or above; -1: never */
};

/* Audits, writes the report on stdout and returns the exit code (0, 1, or 2 on bad input). */
int bh_audit_main(const struct bh_audit_opts *o);

#endif
