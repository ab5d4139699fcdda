/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * output_ecs.h - `--format ecs`: each schema v1 line mapped onto the Elastic
 * Common Schema, so Elastic and Splunk ingest it without a parser. The v1 line
 * stays the one source of truth; this is a second view derived from it.
 */
#ifndef BULKHEAD_OUTPUT_ECS_H
#define BULKHEAD_OUTPUT_ECS_H

#include <stddef.h>

#include "core/json_writer.h"

#define BH_ECS_VERSION "8.11.0"

/*
 * Converts one v1 line (len bytes, a trailing newline allowed) into its ECS
 * document, written with a newline into out (reset first). hostname becomes
 * host.hostname (NULL: left out). Returns 0, -EINVAL for a line that is not a
 * JSON object, or -ENOMEM.
 */
int bh_ecs_convert(const char *line, size_t len, const char *hostname, struct bh_json *out);

/* ECS event.severity of a v1 severity name: low 21, medium 47, high 73, critical 99; 0 else. */
int bh_ecs_severity(const char *name);

#endif
