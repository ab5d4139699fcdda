// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* replay.c - feeds a capture file's records to the live pipeline, offline. */
#include "replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "core/event.h"
#include "core/log.h"
#include "export/export.h"
#include "output/output_json.h"
#include "pipeline.h"
#include "rules/rules.h"

#define SINK_BYTES (1u << 20)

struct replay_container {
	struct bh_container c;
	bool gone;
};

struct replay {
	const struct bh_replay_opts *o;
	struct bh_pipeline pipe;
	struct bh_hashtab bindings; /* (cgroup, v1) -> struct replay_container * */
	struct replay_container **ctrs;
	size_t n_ctrs;
	__u64 unknown_bindings;
};

static struct replay_container *find_container(struct replay *r, const char *id)
{
	for (size_t i = 0; i < r->n_ctrs; i++)
		if (!strcmp(r->ctrs[i]->c.id, id))
			return r->ctrs[i];
	return NULL;
}

static const struct bh_container *lookup_replay(void *ctx, const struct bh_hdr *hdr)
{
	struct replay *r = ctx;
	struct bh_cgmap_entry *e = bh_cgmap_find(&r->bindings, hdr->cgroup_id, hdr->cgroup_v1_id);
	struct replay_container *rc = e ? e->ptr : NULL;

	return rc ? &rc->c : NULL;
}

/* The live agent recorded a container's end when it found it gone: the same answer here. */
static bool alive_replay(void *ctx, const struct bh_container *c)
{
	struct replay_container *rc = find_container(ctx, c->id);

	return rc && !rc->gone;
}

static int on_binding(struct replay *r, const void *data, size_t len)
{
	char id[BH_CONTAINER_ID_LEN + 1];
	struct bh_cgmap_entry *e;
	__u64 cg, v1;

	if (bh_capture_parse_binding(data, len, &cg, &v1, id))
		return -EBADMSG;
	e = bh_cgmap_find(&r->bindings, cg, v1);
	if (!e)
		return -ENOMEM;
	e->ptr = id[0] ? find_container(r, id) : NULL;
	if (id[0] && !e->ptr)
		r->unknown_bindings++; /* its metadata was lost: the events count as a host's */
	return 0;
}

static int on_container(struct replay *r, const char *json, size_t len)
{
	struct replay_container *rc, **ctrs;
	struct bh_container c;
	int err = bh_capture_parse_container(json, len, &c);

	if (err)
		return err;
	rc = find_container(r, c.id);
	if (rc) {
		/* Updated in place: bindings point at it. */
		bool was_gone = rc->gone;

		bh_container_clear(&rc->c);
		rc->c = c;
		rc->gone = false;
		bh_pipeline_container_changed(&r->pipe, &rc->c);
		if (was_gone)
			bh_pipeline_container_new(&r->pipe, &rc->c);
		return 0;
	}
	rc = calloc(1, sizeof(*rc));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of container pointers */
	ctrs = realloc(r->ctrs, (r->n_ctrs + 1) * sizeof(*ctrs));
	if (!rc || !ctrs) {
		free(rc);
		if (ctrs)
			r->ctrs = ctrs;
		bh_container_clear(&c);
		return -ENOMEM;
	}
	rc->c = c;
	r->ctrs = ctrs;
	r->ctrs[r->n_ctrs++] = rc;
	bh_pipeline_container_new(&r->pipe, &rc->c);
	return 0;
}

static int on_record(void *ctx, unsigned int kind, const void *data, size_t len)
{
	struct replay *r = ctx;
	struct replay_container *rc;

	switch (kind) {
	case BH_CAP_EVENT:
		bh_pipeline_record(&r->pipe, data, len);
		break;
	case BH_CAP_BINDING:
		return on_binding(r, data, len);
	case BH_CAP_CONTAINER:
		return on_container(r, data, len);
	case BH_CAP_GONE:
		rc = find_container(r, data);
		if (rc && !rc->gone) {
			rc->gone = true;
			bh_pipeline_container_gone(&r->pipe, &rc->c);
		}
		break;
	default:
		/* A record kind of a later writer: the format is additive, skip it. */
		break;
	}
	/* A slow or closed stdout ends the replay; the caller reports it. */
	return r->pipe.opts.out->error;
}

static void write_stats(struct replay *r, __u64 frames, bool truncated)
{
	struct bh_json *w = &r->pipe.line;

	bh_pipeline_stats_begin(&r->pipe, true);
	bh_json_key_uint(w, "containers", r->n_ctrs);
	bh_json_key_uint(w, "output_lines", r->pipe.opts.out->lines);
	bh_exports_stats_json(r->pipe.opts.exports, w);
	bh_json_key(w, "replay");
	bh_json_obj_begin(w);
	bh_json_key_str(w, "file", r->o->path);
	bh_json_key_uint(w, "frames", frames);
	bh_json_key_bool(w, "truncated", truncated);
	bh_json_obj_end(w);
	bh_pipeline_line_end(&r->pipe);
}

static int open_capture(const char *path, struct bh_capture_hdr *hdr, struct bh_capture_reader **rd)
{
	int err = bh_capture_reader_open(path, hdr, rd);

	if (err == -EBADMSG)
		bh_error("%s is not a bulkhead capture file (bad magic or a cut header): "
			 "record one with 'bulkhead record -o FILE'",
			 path);
	else if (err == -EPROTONOSUPPORT)
		bh_error("%s has capture format version %u; this bulkhead reads version %d: "
			 "replay it with the bulkhead that recorded it%s",
			 path, hdr->version, BH_CAPTURE_VERSION,
			 hdr->version > BH_CAPTURE_VERSION ? ", or a newer one" : "");
	else if (err)
		bh_error("cannot read %s: %s", path, strerror(-err));
	return err;
}

int bh_replay_run(const struct bh_replay_opts *o)
{
	struct replay r = { .o = o };
	struct bh_capture_reader *rd = NULL;
	struct bh_policy *policy = NULL;
	struct bh_capture_hdr hdr;
	struct bh_pipeline_opts popts = {
		.event_mask = o->event_mask,
		.findings = o->findings,
		.lifecycle = o->lifecycle,
		/* the stop lines say how many findings were open, as the live run's did */
		.open_findings = true,
		.lookup = lookup_replay,
		.lookup_ctx = &r,
		.container_alive = alive_replay,
	};
	struct bh_exports *exports = NULL;
	struct bh_sink out;
	int err, code = 1;
	bool sink_ready = false, pipe_ready = false;
	__u64 frames;

	bh_hashtab_init(&r.bindings, sizeof(struct bh_cgmap_entry));
	if (open_capture(o->path, &hdr, &rd))
		return 1;
	bh_info("replaying %s: recorded on %s (kernel %s)", o->path, hdr.hostname, hdr.kernel);
	if (o->findings) {
		if (o->policy_path && bh_policy_load(o->policy_path, &policy)) {
			code = 2; /* the policy loader named file, line and cause */
			goto out;
		}
		if (!policy && !(policy = bh_policy_default()))
			goto nomem;
	}
	err = bh_exports_new(o->exports, o->n_exports, policy ? policy->exports : NULL,
			     policy ? policy->n_exports : 0, true, &exports);
	if (err) {
		code = err == -EINVAL ? 2 : 1; /* a bad URI is named in the log */
		goto out;
	}
	popts.exports = exports;
	if (bh_sink_init(&out, o->out_fd, SINK_BYTES))
		goto nomem;
	sink_ready = true;
	/* Offline, nothing waits for us: every line is written, none dropped. */
	bh_sink_set_lossless(&out, true);
	/* Lines name the node that recorded them, as the live run did. */
	bh_output_set_host(hdr.hostname);
	if (bh_sink_set_format(&out, o->format, hdr.hostname))
		goto nomem;
	popts.policy = policy;
	popts.self_cgroup_id = hdr.self_cgroup_id;
	popts.boot_to_real_ns = hdr.boot_to_real_ns;
	memcpy(popts.host_ns, hdr.host_ns, sizeof(popts.host_ns));
	popts.out = &out;
	if (bh_pipeline_init(&r.pipe, &popts))
		goto out;
	pipe_ready = true;

	err = bh_capture_read(rd, on_record, &r);
	frames = bh_capture_frames_read(rd);
	if (r.unknown_bindings)
		bh_warn("%llu cgroups were bound to containers whose metadata is not in the file: "
			"their events count as host processes",
			(unsigned long long)r.unknown_bindings);
	if (err == -ENODATA)
		bh_warn("%s is truncated after %llu frames: replayed up to the last whole frame "
			"(the recorder stopped mid-write)",
			o->path, (unsigned long long)frames);
	else if (err == -EBADMSG)
		bh_error("%s: frame %llu is corrupt (bad data or checksum): stopped after %llu "
			 "whole frames",
			 o->path, (unsigned long long)frames + 1, (unsigned long long)frames);
	else if (err && err != out.error)
		bh_error("cannot read %s: %s", o->path, strerror(-err));
	bh_exports_stop(exports); /* the stats line has their last counters */
	if (o->stats && !out.error)
		write_stats(&r, frames, err == -ENODATA);
	if (!out.error)
		bh_sink_drain(&out);
	if (out.error == -EPIPE)
		bh_error("stdout was closed by its reader: stopping");
	else if (out.error)
		bh_error("cannot write to stdout: %s", strerror(-out.error));
	else if (!err || err == -ENODATA)
		code = 0;
	goto out;
nomem:
	bh_error("out of memory");
out:
	if (pipe_ready)
		bh_pipeline_fini(&r.pipe);
	if (sink_ready)
		bh_sink_free(&out);
	bh_exports_free(exports);
	for (size_t i = 0; i < r.n_ctrs; i++) {
		bh_container_clear(&r.ctrs[i]->c);
		free(r.ctrs[i]);
	}
	free(r.ctrs);
	bh_hashtab_fini(&r.bindings);
	bh_policy_free(policy);
	bh_capture_reader_close(rd);
	return code;
}
