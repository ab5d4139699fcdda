/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * capture.h - capture files of `bulkhead record`, read back by `bulkhead replay`.
 *
 * capture/ (on core/ and container/) offers this file format alone: collector/ writes it
 * (agent.c) and replays it (replay.c).
 *
 * Layout: a zstd skippable frame holding the header (magic, format version and
 * a JSON object: host, kernel, start time, clock offset, host namespaces), then
 * independent zstd frames with content checksums, each a batch of records
 * {u32 kind, u32 len, payload}: raw ring buffer records as the kernel gave them,
 * bindings (cgroup ids -> container id or host), container metadata (JSON),
 * and container departures. `zstd -dc FILE` shows the records. A crash or a
 * full disk loses at most the frame being written: the reader replays every
 * whole frame and reports the cut.
 */
#ifndef BULKHEAD_CAPTURE_H
#define BULKHEAD_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "container/container.h"
#include "events.h"
#include "core/hashtab.h"
#include "core/json_writer.h"

/* 3: bh_hdr.flags (runtime set-up); 2: setns and capset judged at exit only (before_known) */
#define BH_CAPTURE_VERSION  3
#define BH_CAPTURE_HOST_MAX 256

enum bh_capture_kind {
	BH_CAP_EVENT = 1,     /* a raw record (headers/events.h) */
	BH_CAP_BINDING = 2,   /* u64 cgroup_id, u64 cgroup_v1_id, container id ("" = host) */
	BH_CAP_CONTAINER = 3, /* a struct bh_container as JSON */
	BH_CAP_GONE = 4,      /* the id of a container that went away */
};

struct bh_capture_hdr {
	unsigned int version; /* reader: the file's format version */
	char hostname[BH_CAPTURE_HOST_MAX];
	char kernel[BH_CAPTURE_HOST_MAX]; /* uname -r */
	int64_t start_ns;		  /* wall clock when recording began */
	int64_t boot_to_real_ns;	  /* wall-clock ns = record ts_ns + this */
	__u32 host_ns[BH_NS_KINDS];
	__u64 self_cgroup_id;
};

struct bh_capture_stats {
	__u64 events;
	__u64 records;
	__u64 frames;
	__u64 bytes_raw;     /* record bytes before compression */
	__u64 bytes_written; /* file size, header included */
};

/*
 * A binding of two u64 (a task's cgroup ids) to a container id, the value of a
 * table keyed by them: the writer remembers what it recorded, replay what the bindings say.
 */
struct bh_cgmap_entry {
	char id[BH_CONTAINER_ID_LEN + 1];
	bool present; /* id is valid */
	void *ptr;    /* the owner's: replay's container */
};

/* The entry of (k1, k2) in t, added zeroed when absent; NULL without memory. */
struct bh_cgmap_entry *bh_cgmap_find(struct bh_hashtab *t, __u64 k1, __u64 k2);

struct bh_capture;

/*
 * Creates (truncates) path and writes the header. hdr->hostname/kernel/start_ns
 * are filled from this host when empty/0. Returns 0 or a negative errno.
 */
int bh_capture_open(const char *path, const struct bh_capture_hdr *hdr, struct bh_capture **out);
/*
 * Ends the frame being written, closes the file and frees w. Returns 0 or the
 * first write error; safe with NULL.
 */
int bh_capture_close(struct bh_capture *w);

/*
 * Records one ring buffer record and what replay needs to attribute it: a
 * binding when its (cgroup_id, cgroup_v1_id) is first seen or now resolves to
 * another container, and c's metadata when c was not recorded yet. c is the
 * resolver's answer for the record (NULL: a host process).
 */
int bh_capture_event(struct bh_capture *w, const void *rec, size_t size,
		     const struct bh_container *c);
/* A container seen (resolver's on_new): its metadata, once per id. */
int bh_capture_container(struct bh_capture *w, const struct bh_container *c);
/* A container gone (resolver's on_gone). */
int bh_capture_container_gone(struct bh_capture *w, const struct bh_container *c);
/* Low level: one binding record, id NULL for the host. */
int bh_capture_binding(struct bh_capture *w, __u64 cgroup_id, __u64 cgroup_v1_id, const char *id);

/* Ends the current frame (call every second and at exit). Returns 0 or the sticky error. */
int bh_capture_flush(struct bh_capture *w);
void bh_capture_get_stats(const struct bh_capture *w, struct bh_capture_stats *st);

/* Reading */

struct bh_capture_reader;

/*
 * Opens path and reads its header into hdr. Returns 0, -EBADMSG (not a
 * bulkhead capture, or a cut header), -EPROTONOSUPPORT (a newer format
 * version, in hdr->version), or a negative errno from open/read.
 */
int bh_capture_reader_open(const char *path, struct bh_capture_hdr *hdr,
			   struct bh_capture_reader **out);
void bh_capture_reader_close(struct bh_capture_reader *r);

/* One record; data is valid during the call only, aligned for a struct bh_hdr. */
typedef int (*bh_capture_record_fn)(void *ctx, unsigned int kind, const void *data, size_t len);

/*
 * Calls fn for every record of every whole frame, in order; a non-zero return
 * of fn stops and is returned. Returns 0 at a clean end, -ENODATA when the file
 * ends inside a frame (that frame is not replayed), -EBADMSG for a corrupt
 * frame (bad data or checksum), or a negative errno from read.
 */
int bh_capture_read(struct bh_capture_reader *r, bh_capture_record_fn fn, void *ctx);
/* Whole frames read so far. */
__u64 bh_capture_frames_read(const struct bh_capture_reader *r);

/* Decodes a BH_CAP_BINDING payload; id gets "" for the host. Returns 0 or -EBADMSG. */
int bh_capture_parse_binding(const void *data, size_t len, __u64 *cgroup_id, __u64 *cgroup_v1_id,
			     char id[BH_CONTAINER_ID_LEN + 1]);

/* The JSON text of a container (BH_CAP_CONTAINER payload) into w; failure: bh_json_failed(). */
void bh_capture_container_json(struct bh_json *w, const struct bh_container *c);
/* Fills c (zeroed first; free with bh_container_clear) from that JSON. Returns 0 or -EBADMSG. */
int bh_capture_parse_container(const char *json, size_t len, struct bh_container *c);

#endif
