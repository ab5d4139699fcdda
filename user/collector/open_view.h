/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * open_view.h - the layout of struct bh_open_view, which open_findings.c builds and
 * open_view.c filters and renders: plain copies, read by the HTTP thread only.
 */
#ifndef BULKHEAD_OPEN_VIEW_H
#define BULKHEAD_OPEN_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "open_findings.h"

struct bh_open_view_finding {
	int severity; /* enum bh_severity */
	char *json;   /* the finding object /findings shows */
};

struct bh_open_view_container {
	char *id;
	char *name;	 /* as the runtime names it ("/web" for docker), NULL: unknown */
	char *k8s_name;	 /* the pod's container name, NULL: not Kubernetes */
	char *namespace; /* the pod's namespace, NULL: not Kubernetes */
	char *json;	 /* the container object of its last finding line */
	struct bh_open_view_finding *findings; /* worst first */
	size_t n;
};

struct bh_open_view {
	struct bh_open_view_container *ctrs; /* by name, then id */
	size_t n;
	uint64_t dropped; /* bh_open_findings_dropped() when built */
};

#endif
