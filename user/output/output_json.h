/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * output_json.h - schema version 1 of the JSON lines on stdout (documented in
 * README.md): one object per event, container and process as nested objects.
 *
 * output/ (on core/ and container/) offers what bulkhead writes: schema v1 lines (this
 * header; findings are built with its parts too), their ECS form (output_ecs.h), the
 * bounded queue to stdout (sink.h) and the socket that repeats the lines to live viewers
 * (stream.h).
 */
#ifndef BULKHEAD_OUTPUT_JSON_H
#define BULKHEAD_OUTPUT_JSON_H

#include <stdint.h>

#include "container/container.h"
#include "core/event.h"
#include "core/json_writer.h"

#define BH_SCHEMA_VERSION 1

/* The node name written as "host":{"name":..} on every line (NULL: none). Copied. */
void bh_output_set_host(const char *name);

/*
 * Resets w and opens a line with the members every line starts with:
 * {"schema":1,"time":<wall_ns as RFC 3339>,"type":<type>,"host":{"name":..}
 */
void bh_json_line_begin(struct bh_json *w, const char *type, int64_t wall_ns);

/* Clock offset: wall-clock ns = boot ns + offset. */
int64_t bh_boot_to_realtime_offset(void);

/*
 * Writes the line of one event (with its trailing newline) into w, which is
 * reset first: {"schema":1,"time":...,"type":"event","event":"exec",
 * "process":{...},"container":{...}|null,"exec":{...}}.
 */
void bh_json_event_line(struct bh_json *w, const struct bh_event *ev, const struct bh_container *c,
			int64_t boot_to_real_ns);

/*
 * bh_json_event_line() in two halves around the "container" member's value,
 * for a caller that writes that value itself (e.g. rendered once per container):
 * _begin resets w and ends with the "container" key, _end writes the rest.
 */
void bh_json_event_begin(struct bh_json *w, const struct bh_event *ev, int64_t boot_to_real_ns);
void bh_json_event_end(struct bh_json *w, const struct bh_event *ev);

/* The "container" member's value: an object, or null when c is NULL. */
void bh_json_container(struct bh_json *w, const struct bh_container *c);

/* The "process" member's value, from an event header and its exe. */
void bh_json_process(struct bh_json *w, const struct bh_event *ev);

/* The members of "process" without the braces, for a caller that adds its own members. */
void bh_json_process_members(struct bh_json *w, const struct bh_event *ev);

/* An exec's NUL-separated argv (the record's second tail string) as an array of strings. */
void bh_json_args(struct bh_json *w, const struct bh_str *args);

/* Capability names of a mask as a JSON array ("CAP_SYS_ADMIN", ...). */
void bh_json_caps(struct bh_json *w, uint64_t mask);

/* "CAP_SYS_ADMIN" for 21, NULL past the last known capability. */
const char *bh_cap_name(unsigned int cap);

#endif
