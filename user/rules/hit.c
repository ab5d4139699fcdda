// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hit.c - the emission of a finding: the policy's filter (enabled, allow-listed,
 * severity), bulkhead's own container, once per container for configuration findings,
 * and deduplication windows for behaviour findings.
 */
#include "rule_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Bounds the dedup state whatever the event mix (ports, exes): see map_make_room(). */
#define MAP_MAX_ENTRIES 16384

/* A value of the dedup table (key "rule|container|exe|detail") or the fired one (container id). */
struct map_val {
	char *container; /* the container id the entry belongs to ("" for the host) */
	uint64_t a;	 /* dedup: window start (boot ns); fired: rule bits */
	uint64_t b;	 /* dedup: events folded since */
};

/* Removes the entries for which drop() says so (NULL: all). */
static void map_remove_if(struct bh_hashtab *m, bool (*drop)(const struct map_val *, const void *),
			  const void *arg)
{
	struct bh_hashtab_iter it;
	struct map_val *v;

	bh_hashtab_iter_init(&it, m);
	while ((v = bh_hashtab_iter_next(&it))) {
		if (drop && !drop(v, arg))
			continue;
		free(v->container);
		bh_hashtab_iter_remove(&it);
	}
}

/* The new entry of key (len bytes, absent), owned by container; NULL without memory. */
static struct map_val *map_insert(struct bh_hashtab *m, const char *key, size_t len,
				  const char *container)
{
	struct map_val *v = bh_hashtab_put(m, key, len);

	if (!v)
		return NULL;
	v->container = strdup(container);
	if (!v->container) {
		bh_hashtab_del(m, key, len);
		return NULL;
	}
	return v;
}

static bool entry_of_container(const struct map_val *e, const void *id)
{
	return !strcmp(e->container, id);
}

struct expiry {
	uint64_t now, window;
};

static bool entry_expired(const struct map_val *e, const void *arg)
{
	const struct expiry *x = arg;

	return x->now - e->a >= x->window;
}

/*
 * A full dedup table first loses its expired windows (their folded counts are
 * dropped: no later event would have reported them), then everything.
 */
static void map_make_room(struct bh_hashtab *m, uint64_t now, uint64_t window)
{
	struct expiry x = { now, window };

	if (bh_hashtab_count(m) < MAP_MAX_ENTRIES)
		return;
	map_remove_if(m, entry_expired, &x);
	if (bh_hashtab_count(m) >= MAP_MAX_ENTRIES)
		map_remove_if(m, NULL, NULL);
}

int bh_hit_tables_init(struct bh_rules *r)
{
	bh_hashtab_init(&r->dedup, sizeof(struct map_val));
	bh_hashtab_init(&r->fired, sizeof(struct map_val));
	/* The dedup table is sized for its bound at once: it never grows on an event's path. */
	return bh_hashtab_reserve(&r->dedup, MAP_MAX_ENTRIES);
}

void bh_hit_tables_fini(struct bh_rules *r)
{
	map_remove_if(&r->dedup, NULL, NULL);
	map_remove_if(&r->fired, NULL, NULL);
	bh_hashtab_fini(&r->dedup);
	bh_hashtab_fini(&r->fired);
}

void bh_hit_forget(struct bh_rules *r, const char *container_id)
{
	map_remove_if(&r->dedup, entry_of_container, container_id);
	map_remove_if(&r->fired, entry_of_container, container_id);
}

/* bulkhead's own container, or any container of its pod (the pod's sandbox too). */
static bool is_self(const struct bh_rules *r, const struct bh_container *c)
{
	if (!c)
		return false;
	if (r->self_id[0] && !strcmp(c->id, r->self_id))
		return true;
	return r->self_pod_uid[0] && c->pod_uid && !strcmp(c->pod_uid, r->self_pod_uid);
}

static void count_allow_hit(struct bh_rules *r, size_t entry)
{
	if (r->allow_hits)
		r->allow_hits[entry]++;
}

/* An entry hides the finding whatever its evidence: counted, and nothing is written. */
static bool hidden_whatever_evidence(struct bh_rules *r, unsigned int rule,
				     const struct bh_container *c, const char *exe)
{
	size_t entry;

	if (!bh_policy_allows(r->policy, rule, c, exe, &entry))
		return false;
	count_allow_hit(r, entry);
	return true;
}

/* The rule runs here: enabled, and not on bulkhead's own container. */
static bool rule_active(const struct bh_rules *r, unsigned int rule, const struct bh_container *c)
{
	return r->policy->rules[rule].enabled && !is_self(r, c);
}

int bh_hit_counters_reset(struct bh_rules *r)
{
	free(r->allow_hits);
	r->allow_hits = calloc(r->policy->n_allow ? r->policy->n_allow : 1, sizeof(*r->allow_hits));
	return r->allow_hits ? 0 : -ENOMEM;
}

/* Marks rule as reported for c; false when it already was (or no memory to remember). */
static bool mark_fired(struct bh_rules *r, unsigned int rule, const struct bh_container *c)
{
	size_t len = strlen(c->id);
	struct map_val *e = bh_hashtab_get(&r->fired, c->id, len);

	/* once per (rule, container): that is its identity */
	snprintf(r->key, sizeof(r->key), "%u|%s", rule, c->id);

	if (!e && !(e = map_insert(&r->fired, c->id, len, c->id)))
		return false;
	if (e->a & (1ULL << rule))
		return false;
	e->a |= 1ULL << rule;
	return true;
}

static void hit_start(struct bh_hit *h, struct bh_rules *r, unsigned int rule,
		      const struct bh_container *c, int severity, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static void hit_start(struct bh_hit *h, struct bh_rules *r, unsigned int rule,
		      const struct bh_container *c, int severity, const char *fmt, va_list ap)
{
	char subject[256];
	int n;

	bh_finding_subject(c, subject, sizeof(subject));
	/* The subject opens the sentence. */
	if (subject[0] >= 'a' && subject[0] <= 'z')
		subject[0] = (char)(subject[0] - 'a' + 'A');
	n = snprintf(h->summary, sizeof(h->summary), "%s ", subject);
	if (n > 0 && (size_t)n < sizeof(h->summary))
		vsnprintf(h->summary + n, sizeof(h->summary) - (size_t)n, fmt, ap);
	h->r = r;
	h->rule = rule;
	h->severity = (unsigned int)bh_policy_severity(r->policy, rule, severity);
	h->f.info = &bh_rule_catalogue[rule];
	h->f.rule = bh_rule_catalogue[rule].id;
	h->f.severity = bh_severity_name(h->severity);
	h->f.summary = h->summary;
	h->f.remediation = bh_rule_catalogue[rule].remediation;
	h->f.container = c;
	bh_json_reset(&r->ev);
	bh_json_obj_begin(&r->ev);
}

struct bh_json *bh_hit_config(struct bh_hit *h, struct bh_rules *r, unsigned int rule,
			      const struct bh_container *c, bh_finding_sink sink, void *ctx,
			      const char *fmt, ...)
{
	struct timespec now;
	va_list ap;

	/* Hidden after it is marked: a hit counts each finding an entry hid once. */
	if (!c || !rule_active(r, rule, c) || !mark_fired(r, rule, c) ||
	    hidden_whatever_evidence(r, rule, c, NULL))
		return NULL;
	memset(h, 0, sizeof(*h));
	clock_gettime(CLOCK_REALTIME, &now);
	h->f.time_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	h->sink = sink;
	h->ctx = ctx;
	va_start(ap, fmt);
	hit_start(h, r, rule, c, bh_rule_catalogue[rule].severity, fmt, ap);
	va_end(ap);
	return &r->ev;
}

/* Appends n bytes of s to the len bytes in key, cut as snprintf into size would cut them. */
static size_t key_append(char *key, size_t size, size_t len, const char *s, size_t n)
{
	if (n > size - 1 - len)
		n = size - 1 - len;
	memcpy(key + len, s, n);
	key[len + n] = '\0';
	return len + n;
}

/*
 * The dedup window of (rule, container, exe, detail): the first event is
 * reported at once, the next ones inside the window are counted, and the first
 * one after it is reported with that count. Returns the count to report, 0 to stay quiet.
 */
static uint64_t dedup(struct bh_rules *r, unsigned int rule, const struct bh_event *ev,
		      const struct bh_container *c, const char *detail)
{
	uint64_t now = ev->hdr->ts_ns, window = (uint64_t)r->policy->dedup_window_s * 1000000000;
	const char *cid = c ? c->id : "";
	struct map_val *e;
	char *key = r->key, num[12], *p = num + sizeof(num);
	unsigned int v = rule;
	size_t len;

	/* "rule|container|exe|detail", built without snprintf: this runs for most events. */
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	len = key_append(key, sizeof(r->key), 0, p, (size_t)(num + sizeof(num) - p));
	len = key_append(key, sizeof(r->key), len, "|", 1);
	len = key_append(key, sizeof(r->key), len, cid, strlen(cid));
	len = key_append(key, sizeof(r->key), len, "|", 1);
	if (ev->exe.ptr)
		len = key_append(key, sizeof(r->key), len, ev->exe.ptr,
				 strnlen(ev->exe.ptr, ev->exe.len));
	len = key_append(key, sizeof(r->key), len, "|", 1);
	if (detail)
		len = key_append(key, sizeof(r->key), len, detail, strlen(detail));
	e = bh_hashtab_get(&r->dedup, key, len);
	if (!e) {
		map_make_room(&r->dedup, now, window);
		e = map_insert(&r->dedup, key, len, cid);
		if (e)
			e->a = now;
		return 1;
	}
	/* A timestamp from before the window (events of another CPU) falls inside it. */
	if (now < e->a || now - e->a < window) {
		e->b++;
		return 0;
	}
	e->a = now;
	now = e->b + 1;
	e->b = 0;
	return now;
}

struct bh_json *bh_hit_event(struct bh_hit *h, struct bh_rules *r, unsigned int rule,
			     const struct bh_event *ev, const struct bh_container *c,
			     const char *detail, bool once, bh_finding_sink sink, void *ctx,
			     const char *fmt, ...)
{
	uint64_t count;
	va_list ap;

	if (!rule_active(r, rule, c))
		return NULL;
	/* Folded events are not findings, hidden or not: the entries judge what remains. */
	if (once) {
		if (!c || !mark_fired(r, rule, c))
			return NULL;
		count = 1;
	} else {
		count = dedup(r, rule, ev, c, detail);
		if (!count)
			return NULL;
	}
	bh_cstr(&ev->exe, r->exe, sizeof(r->exe));
	if (hidden_whatever_evidence(r, rule, c, r->exe))
		return NULL;
	memset(h, 0, sizeof(*h));
	h->f.ev = ev;
	h->f.count = count;
	h->f.time_ns = (int64_t)ev->hdr->ts_ns + r->boot_to_real_ns;
	h->sink = sink;
	h->ctx = ctx;
	h->exe = r->exe;
	va_start(ap, fmt);
	hit_start(h, r, rule, c, bh_rule_catalogue[rule].behaviour_severity, fmt, ap);
	va_end(ap);
	return &r->ev;
}

/*
 * The allow entries that limit the evidence, now that it is written: an entry that hides
 * wins over one that accepts. Returns true when the finding is hidden; sets accepted.
 */
static bool judge_evidence(struct bh_hit *h, const char *evidence, size_t len)
{
	struct bh_rules *r = h->r;
	int64_t now = (int64_t)time(NULL);
	size_t accepted_by = SIZE_MAX;

	for (size_t i = 0; i < r->policy->n_allow; i++) {
		const struct bh_policy_allow *a = &r->policy->allow[i];

		if ((a->accept && accepted_by != SIZE_MAX) ||
		    !bh_allow_matches_who(a, h->rule, h->f.container, h->exe, now) ||
		    (bh_allow_has_evidence(a) && !bh_allow_matches_evidence(a, evidence, len)))
			continue;
		if (!a->accept) {
			count_allow_hit(r, i);
			return true;
		}
		accepted_by = i;
	}
	if (accepted_by != SIZE_MAX) {
		count_allow_hit(r, accepted_by);
		h->f.accepted = true;
	}
	return false;
}

void bh_hit_send(struct bh_hit *h)
{
	struct bh_rules *r = h->r;
	struct bh_json *w = &r->w;

	bh_json_obj_end(&r->ev);
	if (bh_json_failed(&r->ev) || judge_evidence(h, bh_json_data(&r->ev), bh_json_len(&r->ev)))
		return;
	bh_finding_write(w, &h->f, bh_json_data(&r->ev), bh_json_len(&r->ev));
	if (bh_json_failed(w))
		return;
	if (h->f.accepted && h->rule < BH_RULE_COUNT)
		r->accepted[h->rule]++;
	else if (h->rule < BH_RULE_COUNT && h->severity < BH_SEV_COUNT)
		r->sent[h->rule][h->severity]++;
	h->sink(bh_json_data(w), bh_json_len(w), h->ctx);
}

void bh_rules_finding_counts(const struct bh_rules *r, __u64 counts[BH_RULE_COUNT][BH_SEV_COUNT])
{
	memcpy(counts, r->sent, sizeof(r->sent));
}

const char *bh_rules_finding_key(const struct bh_rules *r)
{
	return r->key;
}

void bh_rules_accepted_counts(const struct bh_rules *r, __u64 counts[BH_RULE_COUNT])
{
	memcpy(counts, r->accepted, sizeof(r->accepted));
}

const __u64 *bh_rules_allow_hits(const struct bh_rules *r)
{
	return r->allow_hits;
}

/* Paths and sockets */
