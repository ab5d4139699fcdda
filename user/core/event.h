/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * event.h - validation and decoding of raw ring buffer records (headers/events.h).
 *
 * core/ is the bottom of user space and includes no other folder: the decoded record
 * (event.h) and the rules catalogue (catalogue.h) that every folder speaks, and the
 * helpers every folder uses: the log (log.h), a hash table (hashtab.h), lexical paths
 * (path.h), JSON written (json_writer.h) and read with json-c (json_reader.h).
 */
#ifndef BULKHEAD_EVENT_H
#define BULKHEAD_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "events.h"

struct bh_str {
	const char *ptr; /* not NUL-terminated; may be NULL when len is 0 */
	size_t len;
};

#define BH_EVENT_STRS 3

/* A record split into its parts; pointers point into the record. */
struct bh_event {
	const struct bh_hdr *hdr;
	struct bh_str exe;
	struct bh_str str[BH_EVENT_STRS]; /* the type's tail strings, in declaration order */
	/* attribution, not decoding: the task's container is known by its namespaces only */
	bool outside_cgroup;
};

/*
 * Checks that data holds one whole record of a known type (sizes, lengths,
 * tail) and fills ev. Returns 0, or -EINVAL for a short, oversized or
 * inconsistent record, -ENOTSUP for an unknown type.
 */
int bh_event_decode(const void *data, size_t size, struct bh_event *ev);

/* "exec", "setns", ...; "unknown" for anything else. */
const char *bh_event_type_name(unsigned int type);

/* An enum bh_read_site as "<family>.<field>" ("exec.args", ...); "unknown" for anything else. */
const char *bh_read_site_name(unsigned int site);

/*
 * "all": every syscall event. cgroup creation records are the resolver's
 * plumbing, not activity anyone audits: printed only when named ("cgroup").
 */
#define BH_EVENT_MASK_ALL (((1u << BH_EV_TYPE_MAX) - 1) & ~1u & ~(1u << BH_EV_CGROUP))

/*
 * Parses "all", "none" or a comma list of event names ("exec,connect") into a
 * mask of (1 << BH_EV_*) bits. Returns 0, or -EINVAL naming the bad name on stderr.
 */
int bh_event_parse_mask(const char *list, unsigned int *mask);

/* The fixed size of a record type (0 for an unknown type). */
size_t bh_event_fixed_size(unsigned int type);

/* The typed view of a decoded record (valid only for its own type). */
#define BH_EVENT_AS(ev, type) ((const struct type *)(const void *)(ev)->hdr)

#endif
