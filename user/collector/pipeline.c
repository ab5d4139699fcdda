// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* pipeline.c - decode -> attribute -> print -> judge, for live and replayed records. */
#include "pipeline.h"

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event.h"
#include "core/json_reader.h"
#include "core/log.h"
#include "export/export.h"
#include "metrics.h"
#include "container/ns_owner.h"
#include "open_findings.h"
#include "output/output_json.h"
#include "rules/rules.h"
#include "output/stream.h"

/*
 * Bounds on the records held for pending containers: past one, the container
 * is released with what metadata it has, as when the docker API fails.
 */
#define HOLD_MAX_RECORDS     4096
#define HOLD_MAX_BYTES	     (2u << 20)
#define HOLD_MAX_TOTAL_BYTES (16u << 20)
#define HOLD_DEADLINE_NS     (2 * 1000000000LL)

struct held_rec {
	struct held_rec *next;
	size_t size;
	alignas(8) unsigned char data[]; /* as aligned as in the ring buffer */
};

struct bh_hold {
	const struct bh_container *c;
	struct held_rec *head, *last; /* no pointer into the table: its slots move */
	size_t n, bytes;
	int64_t since_ns; /* when its first record was held */
};

static bool stream_listening(const struct bh_pipeline *p)
{
	struct bh_stream_stats st;

	if (!p->opts.stream)
		return false;
	bh_stream_get_stats(p->opts.stream, &st);
	return st.clients > 0;
}

/*
 * One line to stdout (raw events may be dropped when stdout is slow), the exports and the
 * stream. parsed: the line as json-c parsed it, when the caller has it; else NULL.
 */
static void emit(struct bh_pipeline *p, const char *line, size_t len, enum bh_sink_prio prio,
		 struct json_object *parsed)
{
	/* A write error is sticky in the sink; the caller's loop reports it. */
	if (prio == BH_SINK_KEEP || p->stdout_events) {
		bh_sink_line_prio(p->opts.out, line, len, prio);
		bh_exports_line(p->opts.exports, line, len, prio == BH_SINK_DROP, parsed);
	}
	if (p->opts.stream)
		bh_stream_broadcast(p->opts.stream, line, len);
}

static void finding_sink(const char *line, size_t len, void *ctx)
{
	struct bh_pipeline *p = ctx;
	/* parsed once for the open set and the exports: the parse is most of their cost */
	struct json_object *parsed = p->open ? bh_jobj_parse(line, len) : NULL;

	p->counts.findings++;
	emit(p, line, len, BH_SINK_KEEP, parsed);
	/* a host process's is not kept, a full set drops it and counts: nothing to say here */
	if (p->open)
		bh_open_findings_add(p->open, p->judged, bh_rules_finding_key(p->rules), line, len,
				     parsed);
	json_object_put(parsed);
}

/*
 * A container's "container" value, rendered once: about half of each of its
 * event lines, and the same on all of them.
 */
struct bh_ctr_json {
	char *json;
	size_t len;
};

static void ctr_json_clear(struct bh_pipeline *p)
{
	struct bh_hashtab_iter it;
	struct bh_ctr_json *e;

	bh_hashtab_iter_init(&it, &p->ctr_json);
	while ((e = bh_hashtab_iter_next(&it)))
		free(e->json);
	bh_hashtab_fini(&p->ctr_json);
}

/* Forgets c's rendered value: the container is gone, or its metadata changed. */
static void ctr_json_drop(struct bh_pipeline *p, const struct bh_container *c)
{
	const uintptr_t key = (uintptr_t)c;
	struct bh_ctr_json *e = bh_hashtab_get(&p->ctr_json, &key, sizeof(key));

	if (!e)
		return;
	free(e->json);
	bh_hashtab_del(&p->ctr_json, &key, sizeof(key));
}

/* c's rendered value, made on first use; NULL when it may still change or without memory. */
static const struct bh_ctr_json *ctr_json_get(struct bh_pipeline *p, const struct bh_container *c)
{
	const uintptr_t key = (uintptr_t)c;
	struct bh_ctr_json *e;
	char *json;
	size_t len;

	if (!c->metadata_done)
		return NULL;
	e = bh_hashtab_get(&p->ctr_json, &key, sizeof(key));
	if (e)
		return e;
	bh_json_reset(&p->ctr_scratch);
	bh_json_container(&p->ctr_scratch, c);
	if (bh_json_failed(&p->ctr_scratch))
		return NULL;
	len = bh_json_len(&p->ctr_scratch);
	json = malloc(len);
	if (!json)
		return NULL;
	memcpy(json, bh_json_data(&p->ctr_scratch), len);
	e = bh_hashtab_put(&p->ctr_json, &key, sizeof(key));
	if (!e) {
		free(json);
		return NULL;
	}
	e->json = json;
	e->len = len;
	return e;
}

/* The "container" member's value of an event line. */
static void put_container(struct bh_pipeline *p, const struct bh_container *c)
{
	const struct bh_ctr_json *e = c ? ctr_json_get(p, c) : NULL;

	if (e)
		bh_json_raw_value(&p->line, e->json, e->len);
	else
		bh_json_container(&p->line, c);
}

int bh_pipeline_init(struct bh_pipeline *p, const struct bh_pipeline_opts *opts)
{
	memset(p, 0, sizeof(*p));
	p->opts = *opts;
	bh_json_init(&p->line);
	bh_json_init(&p->ctr_scratch);
	bh_hashtab_init(&p->ctr_json, sizeof(struct bh_ctr_json));
	if (bh_ns_owners_init(&p->ns_owners)) {
		bh_error("cannot set up the namespace table: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (opts->findings) {
		struct bh_rules_opts ro = {
			.policy = opts->policy,
			.self_cgroup_id = opts->self_cgroup_id,
			.boot_to_real_ns = opts->boot_to_real_ns,
		};
		int err;

		memcpy(ro.host_ns, opts->host_ns, sizeof(ro.host_ns));
		err = bh_rules_new(&ro, &p->rules);
		if (err) {
			bh_error("cannot set up the rules engine: %s", strerror(-err));
			return err;
		}
		if (opts->open_findings &&
		    bh_open_findings_new(BH_OPEN_PER_CONTAINER, BH_OPEN_TOTAL, &p->open)) {
			bh_error("cannot set up the open findings: %s", strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	return 0;
}

void bh_pipeline_fini(struct bh_pipeline *p)
{
	bh_rules_free(p->rules);
	p->rules = NULL;
	bh_open_findings_free(p->open);
	p->open = NULL;
	bh_ns_owners_fini(&p->ns_owners);
	bh_json_free(&p->line);
	bh_json_free(&p->ctr_scratch);
	ctr_json_clear(p);
	for (size_t i = 0; i < p->n_holds; i++) {
		while (p->holds[i].head) {
			struct held_rec *rec = p->holds[i].head;

			p->holds[i].head = rec->next;
			free(rec);
		}
	}
	free(p->holds);
	p->holds = NULL;
	p->n_holds = p->holds_cap = 0;
	p->held_bytes = 0;
}

/*
 * A cgroup was created: the resolver's plumbing, not an event of a container
 * (its creator is runc or systemd), so no lookup, no rules, no live view; it is
 * printed only when named in --events.
 */
static void cgroup_record(struct bh_pipeline *p, const struct bh_event *ev)
{
	if (p->opts.cgroup_note)
		p->opts.cgroup_note(p->opts.cgroup_note_ctx, ev);
	p->stdout_events = p->opts.event_mask & (1u << BH_EV_CGROUP);
	if (!p->stdout_events)
		return;
	bh_json_event_line(&p->line, ev, NULL, p->opts.boot_to_real_ns);
	if (!bh_json_failed(&p->line))
		bh_sink_line_prio(p->opts.out, bh_json_data(&p->line), bh_json_len(&p->line),
				  BH_SINK_DROP);
}

/* One decoded record of c (NULL: host): tap, print, judge. */
/*
 * by_cgroup is what the cgroup named (c, unless the task left its container's cgroup):
 * the tap records that, so that a replay finds the move again from the namespaces.
 */
static void process(struct bh_pipeline *p, const void *data, size_t size, const struct bh_event *ev,
		    const struct bh_container *c, const struct bh_container *by_cgroup)
{
	if (p->opts.tap)
		p->opts.tap(p->opts.tap_ctx, data, size, by_cgroup);
	/* Stream clients (the live view) see every event; stdout only the selected ones. */
	p->stdout_events = p->opts.event_mask & (1u << ev->hdr->type);
	if (p->stdout_events || stream_listening(p)) {
		bh_json_event_begin(&p->line, ev, p->opts.boot_to_real_ns);
		put_container(p, c);
		bh_json_event_end(&p->line, ev);
		if (!bh_json_failed(&p->line))
			emit(p, bh_json_data(&p->line), bh_json_len(&p->line), BH_SINK_DROP, NULL);
	}
	if (p->rules) {
		p->judged = c;
		bh_rules_on_event(p->rules, ev, c, finding_sink, p);
	}
}

static struct bh_hold *hold_find(struct bh_pipeline *p, const struct bh_container *c)
{
	for (size_t i = 0; i < p->n_holds; i++) {
		if (p->holds[i].c == c)
			return &p->holds[i];
	}
	return NULL;
}

/* Copies a record of pending c into its hold; false when it does not fit (c must go). */
static bool hold_put(struct bh_pipeline *p, const struct bh_container *c, const void *data,
		     size_t size)
{
	struct bh_hold *h = hold_find(p, c);
	struct held_rec *rec;

	if (h && (h->n >= HOLD_MAX_RECORDS || h->bytes + size > HOLD_MAX_BYTES))
		return false;
	if (p->held_bytes + size > HOLD_MAX_TOTAL_BYTES)
		return false;
	if (!h) {
		if (p->n_holds == p->holds_cap) {
			size_t cap = p->holds_cap ? p->holds_cap * 2 : 8;
			struct bh_hold *holds = realloc(p->holds, cap * sizeof(*holds));

			if (!holds)
				return false;
			p->holds = holds;
			p->holds_cap = cap;
		}
		h = &p->holds[p->n_holds++];
		*h = (struct bh_hold){ .c = c, .since_ns = bh_mono_ns() };
	}
	rec = malloc(sizeof(*rec) + size);
	if (!rec)
		return false;
	rec->next = NULL;
	rec->size = size;
	memcpy(rec->data, data, size);
	if (h->last)
		h->last->next = rec;
	else
		h->head = rec;
	h->last = rec;
	h->n++;
	h->bytes += size;
	p->held_bytes += size;
	return true;
}

/* c cannot wait longer: the caller makes it ready, which hands its records back here. */
static void release(struct bh_pipeline *p, const struct bh_container *c)
{
	bh_debug("container %.12s: its metadata is late, its records go on without it", c->id);
	if (p->opts.release)
		p->opts.release(p->opts.release_ctx, c);
	/* a caller that did not flush it: the records must not stay behind */
	if (hold_find(p, c))
		bh_pipeline_container_ready(p, c);
}

void bh_pipeline_container_ready(struct bh_pipeline *p, const struct bh_container *c)
{
	struct bh_hold *h = hold_find(p, c);
	struct held_rec *rec;

	if (!h)
		return;
	rec = h->head;
	p->held_bytes -= h->bytes;
	/* out of the table first: nothing below may find it half replayed */
	*h = p->holds[--p->n_holds];
	while (rec) {
		struct held_rec *next = rec->next;
		struct bh_event ev;

		/* decoded when it was held: it decodes again */
		if (!bh_event_decode(rec->data, rec->size, &ev))
			process(p, rec->data, rec->size, &ev, c, c);
		free(rec);
		rec = next;
	}
}

void bh_pipeline_release_held(struct bh_pipeline *p, int64_t now_ns, bool all)
{
	size_t i = 0;

	/* each release removes its hold from the table, which moves the last one into i */
	while (i < p->n_holds) {
		const struct bh_container *c = p->holds[i].c;

		if (all || now_ns - p->holds[i].since_ns >= HOLD_DEADLINE_NS)
			release(p, c);
		else
			i++;
	}
}

/* A namespace of the task's that is not the host's (0: the host's, or unknown). */
static __u32 own_ns(const struct bh_pipeline *p, __u32 inum, int kind)
{
	return inum && p->opts.host_ns[kind] && inum != p->opts.host_ns[kind] ? inum : 0;
}

/*
 * The record's container, by its cgroup, unless the task holds another container's
 * namespaces: it left that container's cgroup (for the host's, or another container's)
 * and stays that container's (ev->outside_cgroup). Namespaces are learned from the
 * records of containers' own processes, not from the runtime's set-up.
 */
static const struct bh_container *attribute(struct bh_pipeline *p, struct bh_event *ev,
					    const struct bh_container **by_cgroup)
{
	const struct bh_hdr *h = ev->hdr;
	__u32 pid_ns = own_ns(p, h->pid_ns, BH_NS_PID), mnt_ns = own_ns(p, h->mnt_ns, BH_NS_MNT);
	const struct bh_container *c = p->opts.lookup(p->opts.lookup_ctx, h);

	*by_cgroup = c;
	if (!pid_ns && !mnt_ns)
		return c;
	return bh_ns_owners_resolve(&p->ns_owners, c, pid_ns, mnt_ns,
				    !(h->flags & BH_HDR_RUNTIME_SETUP), p->opts.container_alive,
				    p->opts.lookup_ctx, &ev->outside_cgroup);
}

void bh_pipeline_record(struct bh_pipeline *p, const void *data, size_t size)
{
	const struct bh_container *c, *by_cgroup;
	struct bh_event ev;

	if (bh_event_decode(data, size, &ev)) {
		p->counts.decode_errors++;
		return;
	}
	p->counts.events[ev.hdr->type]++;
	if (ev.hdr->type == BH_EV_CGROUP) {
		cgroup_record(p, &ev);
		return;
	}
	c = attribute(p, &ev, &by_cgroup);
	/* one found by its namespaces goes now: a hold would forget how it was found */
	if (c && c->pending && !ev.outside_cgroup) {
		if (hold_put(p, c, data, size))
			return;
		/* full: what was held goes first, then this record, in order */
		release(p, c);
	}
	process(p, data, size, &ev, c, by_cgroup);
}

/*
 * {"type":"lifecycle","action":"container-start"|"container-stop","container":{..}}, and
 * "open_findings" on a stop when they are kept (open >= 0).
 */
static void lifecycle_line(struct bh_pipeline *p, const char *action, const struct bh_container *c,
			   int64_t open)
{
	if (!p->opts.lifecycle)
		return;
	bh_pipeline_line_begin(p, "lifecycle");
	bh_json_key_str(&p->line, "action", action);
	bh_json_key(&p->line, "container");
	bh_json_container(&p->line, c);
	if (open >= 0)
		bh_json_key_uint(&p->line, "open_findings", (uint64_t)open);
	bh_pipeline_line_end(p);
}

void bh_pipeline_container_new(struct bh_pipeline *p, const struct bh_container *c)
{
	bh_debug("container %.12s (%s) appeared", c->id, c->name ? c->name : "?");
	lifecycle_line(p, "container-start", c, -1);
	if (p->rules) {
		p->judged = c;
		bh_rules_on_container(p->rules, c, finding_sink, p);
	}
}

void bh_pipeline_container_gone(struct bh_pipeline *p, const struct bh_container *c)
{
	bh_debug("container %.12s (%s) is gone", c->id, c->name ? c->name : "?");
	/* the caller releases it before; held records must not outlive it in any case */
	bh_pipeline_container_ready(p, c);
	lifecycle_line(p, "container-stop", c,
		       p->open ? (int64_t)bh_open_findings_remove(p->open, c->id) : -1);
	if (p->rules)
		bh_rules_forget_container(p->rules, c->id);
	bh_ns_owners_forget(&p->ns_owners, c);
	ctr_json_drop(p, c);
}

void bh_pipeline_container_changed(struct bh_pipeline *p, const struct bh_container *c)
{
	ctr_json_drop(p, c);
}

void bh_pipeline_set_policy(struct bh_pipeline *p, const struct bh_policy *policy)
{
	p->opts.policy = policy;
	if (p->rules)
		bh_rules_set_policy(p->rules, policy);
}

void bh_pipeline_line_begin(struct bh_pipeline *p, const char *type)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	bh_json_line_begin(&p->line, type, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec);
}

void bh_pipeline_line_end(struct bh_pipeline *p)
{
	bh_json_obj_end(&p->line);
	bh_json_newline(&p->line);
	if (!bh_json_failed(&p->line))
		emit(p, bh_json_data(&p->line), bh_json_len(&p->line), BH_SINK_KEEP, NULL);
}

void bh_pipeline_stats_begin(struct bh_pipeline *p, bool final)
{
	struct bh_json *w = &p->line;
	__u64 total = 0;

	bh_pipeline_line_begin(p, "stats");
	bh_json_key_bool(w, "final", final);
	bh_json_key(w, "events");
	bh_json_obj_begin(w);
	for (unsigned int t = 1; t < BH_EV_TYPE_MAX; t++) {
		bh_json_key_uint(w, bh_event_type_name(t), p->counts.events[t]);
		total += p->counts.events[t];
	}
	bh_json_obj_end(w);
	bh_json_key_uint(w, "events_total", total);
	bh_json_key_uint(w, "decode_errors", p->counts.decode_errors);
	bh_json_key_uint(w, "findings", p->counts.findings);
}
