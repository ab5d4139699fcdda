/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* runtime.h - helpers shared by the OCI bundle and docker API readers (internal). */
#ifndef BULKHEAD_RUNTIME_H
#define BULKHEAD_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "container.h"
#include "spec.h"
#include "core/json_reader.h"

/* Appends a label; also fills the pod/container fields from the Kubernetes keys. */
int bh_container_add_label(struct bh_container *c, const char *key, const char *value);
/* The same for a label the kubelet set through the CRI: a pod label unless it is its own. */
int bh_container_add_cri_label(struct bh_container *c, const char *key, const char *value);

#endif
