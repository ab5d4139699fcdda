/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pod.h - what a container's metadata says of its Kubernetes pod beyond its name: the pod's
 * labels (struct bh_label.pod) and the workload that owns it, inferred from the pod's name
 * and labels, as no owner reference reaches the node's runtime.
 */
#ifndef BULKHEAD_POD_H
#define BULKHEAD_POD_H

#include <stdbool.h>

#include "container.h"

/* Kubernetes object names are DNS subdomains: at most 253 characters. */
#define BH_K8S_NAME_MAX 253

struct bh_workload {
	const char *kind; /* "Deployment", "StatefulSet", "DaemonSet", "Job"; NULL: not told */
	char name[BH_K8S_NAME_MAX + 1];
};

/* The value of the pod label key, NULL when the pod has none. */
const char *bh_pod_label(const struct bh_container *c, const char *key);

/*
 * The workload owning the container's pod: from the controllers' labels (pod-template-hash,
 * controller-revision-hash with pod-template-generation or an ordinal, job-name) when the
 * pod's labels are known, else from the shape of the pod's name alone. False when neither
 * tells (a bare pod, or no pod).
 */
bool bh_pod_workload(const struct bh_container *c, struct bh_workload *w);

#endif
