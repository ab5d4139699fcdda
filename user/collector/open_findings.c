// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* open_findings.c - the open findings of each running container, and the view /findings serves. */
#include "open_findings.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashtab.h"
#include "core/json_reader.h"
#include "core/json_writer.h"
#include "open_view.h"
#include "output/output_json.h"

/* The line's members that /findings replaces: the group says the container, the set the times. */
static const char *const replaced_members[] = { "schema", "type", "time", "container", "count" };

struct open_entry {
	char *key;	  /* the rules' dedup identity */
	int rule;	  /* enum bh_rule; -1: a rule outside the catalogue */
	int severity;	  /* enum bh_severity of the last line */
	uint64_t count;	  /* events over every line of it */
	char *first_seen; /* the first line's time */
	char *line;	  /* the last line, as emitted */
	size_t line_len;
	char *json; /* what /findings shows of it */
};

struct open_ctr {
	char *id;
	const struct bh_container *live;   /* NULL: described by its lines only */
	char *name, *k8s_name, *namespace; /* from the last line's container object */
	char *json;			   /* that object */
	struct open_entry *entries;
	size_t n, cap;
};

struct bh_open_findings {
	struct bh_hashtab ctrs; /* container id -> struct open_ctr */
	size_t per_container, total, n;
	uint64_t dropped, generation;
	__u64 counts[BH_RULE_COUNT][BH_SEV_COUNT];
};

int bh_open_findings_new(size_t per_container, size_t total, struct bh_open_findings **out)
{
	struct bh_open_findings *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	bh_hashtab_init(&s->ctrs, sizeof(struct open_ctr));
	s->per_container = per_container;
	s->total = total;
	*out = s;
	return 0;
}

static void entry_free(struct open_entry *e)
{
	free(e->key);
	free(e->first_seen);
	free(e->line);
	free(e->json);
}

static void ctr_free(struct open_ctr *c)
{
	for (size_t i = 0; i < c->n; i++)
		entry_free(&c->entries[i]);
	free(c->entries);
	free(c->id);
	free(c->name);
	free(c->k8s_name);
	free(c->namespace);
	free(c->json);
}

void bh_open_findings_free(struct bh_open_findings *s)
{
	struct bh_hashtab_iter it;
	struct open_ctr *c;

	if (!s)
		return;
	bh_hashtab_iter_init(&it, &s->ctrs);
	while ((c = bh_hashtab_iter_next(&it)))
		ctr_free(c);
	bh_hashtab_fini(&s->ctrs);
	free(s);
}

/* *dst becomes a copy of src (NULL: none); false without memory, *dst unchanged. */
static bool set_str(char **dst, const char *src)
{
	char *copy = NULL;

	if (src && !(copy = strdup(src)))
		return false;
	free(*dst);
	*dst = copy;
	return true;
}

static char *json_text(struct json_object *o)
{
	const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE);

	return t ? strdup(t) : NULL;
}

/* The container's names and object, from its latest line: its metadata may have grown. */
static bool ctr_describe(struct open_ctr *c, struct json_object *ctr)
{
	struct json_object *pod = bh_jobj_get(ctr, "pod", json_type_object);
	char *json = json_text(ctr);

	if (!json || !set_str(&c->name, bh_jobj_str(ctr, "name")) ||
	    !set_str(&c->k8s_name, bh_jobj_str(pod, "container")) ||
	    !set_str(&c->namespace, bh_jobj_str(pod, "namespace"))) {
		free(json);
		return false;
	}
	free(c->json);
	c->json = json;
	return true;
}

/* What /findings shows: the line's own members, then first/last seen and the count. */
static char *entry_render(const struct open_entry *e, struct json_object *line)
{
	struct json_object *last = NULL;

	json_object_object_get_ex(line, "time", &last);
	last = last ? json_object_get(last) : json_object_new_string("");
	for (size_t i = 0; i < sizeof(replaced_members) / sizeof(replaced_members[0]); i++)
		json_object_object_del(line, replaced_members[i]);
	if (!last ||
	    json_object_object_add(line, "first_seen", json_object_new_string(e->first_seen)) ||
	    json_object_object_add(line, "last_seen", last) ||
	    json_object_object_add(line, "count", json_object_new_uint64(e->count)))
		return NULL;
	return json_text(line);
}

static struct open_entry *entry_find(struct open_ctr *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->entries[i].key, key))
			return &c->entries[i];
	return NULL;
}

/* A new, empty entry of c; NULL without memory. */
static struct open_entry *entry_new(struct open_ctr *c, const char *key)
{
	struct open_entry *e;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;
		struct open_entry *entries = realloc(c->entries, cap * sizeof(*entries));

		if (!entries)
			return NULL;
		c->entries = entries;
		c->cap = cap;
	}
	e = &c->entries[c->n];
	*e = (struct open_entry){ .key = strdup(key), .rule = -1 };
	if (!e->key)
		return NULL;
	c->n++;
	return e;
}

static void count_entry(struct bh_open_findings *s, const struct open_entry *e, int delta)
{
	if (e->rule >= 0 && e->rule < BH_RULE_COUNT)
		s->counts[e->rule][e->severity] += (__u64)(__s64)delta;
}

/* The container's entry for the line, made when new and the caps allow; NULL: *err says why. */
static struct open_entry *entry_of(struct bh_open_findings *s, const char *id, const char *key,
				   struct open_ctr **ctr, int *err)
{
	struct open_ctr *c = bh_hashtab_get(&s->ctrs, id, strlen(id));
	struct open_entry *e = c ? entry_find(c, key) : NULL;

	*ctr = c;
	if (e)
		return e;
	if (s->n >= s->total || (c && c->n >= s->per_container)) {
		s->dropped++;
		s->generation++; /* /findings says how many were dropped */
		*err = -ENOSPC;
		return NULL;
	}
	*err = -ENOMEM;
	if (!c) {
		c = bh_hashtab_put(&s->ctrs, id, strlen(id));
		if (!c)
			return NULL;
		c->id = strdup(id);
		if (!c->id) {
			bh_hashtab_del(&s->ctrs, id, strlen(id));
			return NULL;
		}
		*ctr = c;
	}
	return entry_new(c, key);
}

/* Forgets an entry that never got its line (no memory); its container too once empty. */
static void entry_abandon(struct bh_open_findings *s, struct open_ctr *c, struct open_entry *e)
{
	entry_free(e);
	*e = c->entries[--c->n];
	if (!c->n) {
		char *id = c->id;

		c->id = NULL;
		ctr_free(c);
		bh_hashtab_del(&s->ctrs, id, strlen(id));
		free(id);
	}
}

/* Fills e (new or seen again) from its parsed line o; false without memory. */
static bool entry_update(struct open_entry *e, struct open_ctr *c, struct json_object *o,
			 const char *line, size_t len)
{
	struct json_object *count = bh_jobj_get(o, "count", json_type_int);
	const char *time = bh_jobj_str(o, "time");
	char *copy = malloc(len + 1), *json;

	if (!copy || (!e->first_seen && !set_str(&e->first_seen, time ? time : "")) ||
	    !ctr_describe(c, bh_jobj_get(o, "container", json_type_object))) {
		free(copy);
		return false;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	/* a configuration finding has no count: it is one */
	e->count += count && json_object_get_int64(count) > 0
			    ? (uint64_t)json_object_get_int64(count)
			    : 1;
	json = entry_render(e, o);
	if (!json) {
		free(copy);
		return false;
	}
	free(e->line);
	e->line = copy;
	e->line_len = len;
	free(e->json);
	e->json = json;
	return true;
}

int bh_open_findings_add(struct bh_open_findings *s, const struct bh_container *live,
			 const char *key, const char *line, size_t len, struct json_object *parsed)
{
	struct json_object *o = parsed ? json_object_get(parsed) : bh_jobj_parse(line, len), *ctr;
	const char *type = bh_jobj_str(o, "type"), *rule = bh_jobj_str(o, "rule"), *id;
	int sev = bh_severity_lookup(bh_jobj_str(o, "severity") ? bh_jobj_str(o, "severity") : "");
	struct open_entry *e;
	struct open_ctr *c;
	int err = -EINVAL;
	bool fresh;

	if (!o || !type || strcmp(type, "finding") || !rule || sev < 0)
		goto out;
	ctr = bh_jobj_get(o, "container", json_type_object);
	id = bh_jobj_str(ctr, "id");
	if (!ctr || !id || !*id) {
		err = ctr ? -EINVAL : -ENOENT;
		goto out;
	}
	e = entry_of(s, id, key, &c, &err);
	if (!e)
		goto out;
	fresh = !e->line;
	if (live)
		c->live = live;
	if (!fresh)
		count_entry(s, e, -1);
	if (!entry_update(e, c, o, line, len)) {
		err = -ENOMEM;
		if (fresh)
			entry_abandon(s, c, e);
		else
			count_entry(s, e, 1);
		goto out;
	}
	/* the policy may have changed its severity since (SIGHUP) */
	e->severity = sev;
	e->rule = bh_rule_lookup(rule);
	count_entry(s, e, 1);
	s->n += fresh;
	s->generation++;
	err = fresh;
out:
	json_object_put(o);
	return err;
}

size_t bh_open_findings_remove(struct bh_open_findings *s, const char *container_id)
{
	size_t len = strlen(container_id);
	struct open_ctr *c = bh_hashtab_get(&s->ctrs, container_id, len);
	size_t n;

	if (!c)
		return 0;
	n = c->n;
	for (size_t i = 0; i < n; i++)
		count_entry(s, &c->entries[i], -1);
	ctr_free(c);
	bh_hashtab_del(&s->ctrs, container_id, len);
	s->n -= n;
	s->generation++;
	return n;
}

void bh_open_findings_counts(const struct bh_open_findings *s,
			     __u64 counts[BH_RULE_COUNT][BH_SEV_COUNT])
{
	memcpy(counts, s->counts, sizeof(s->counts));
}

size_t bh_open_findings_total(const struct bh_open_findings *s)
{
	return s->n;
}

uint64_t bh_open_findings_dropped(const struct bh_open_findings *s)
{
	return s->dropped;
}

uint64_t bh_open_findings_generation(const struct bh_open_findings *s)
{
	return s->generation;
}

void bh_open_findings_each_line(const struct bh_open_findings *s,
				void (*fn)(const char *line, size_t len, void *ctx), void *ctx)
{
	struct bh_hashtab_iter it;
	struct open_ctr *c;

	/* the iterator writes its own state only: the table is not changed */
	bh_hashtab_iter_init(&it, (struct bh_hashtab *)&s->ctrs);
	while ((c = bh_hashtab_iter_next(&it)))
		for (size_t i = 0; i < c->n; i++)
			fn(c->entries[i].line, c->entries[i].line_len, ctx);
}

/* ---- the view ---- */

void bh_open_view_free(struct bh_open_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		struct bh_open_view_container *c = &v->ctrs[i];

		for (size_t j = 0; j < c->n; j++)
			free(c->findings[j].json);
		free(c->findings);
		free(c->id);
		free(c->name);
		free(c->k8s_name);
		free(c->namespace);
		free(c->json);
	}
	free(v->ctrs);
	free(v);
}

/* NULL-safe strcmp, NULL last. */
static int cmp_opt(const char *a, const char *b)
{
	if (!a || !b)
		return !a - !b;
	return strcmp(a, b);
}

static int cmp_ctr(const void *pa, const void *pb)
{
	const struct bh_open_view_container *a = pa, *b = pb;
	int d = cmp_opt(a->name, b->name);

	return d ? d : strcmp(a->id, b->id);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct bh_open_view_finding *a = pa, *b = pb;

	return b->severity - a->severity;
}

/* The container as its runtime describes it now (w: scratch); false without memory. */
static bool view_describe_live(struct bh_open_view_container *dst, const struct bh_container *c,
			       struct bh_json *w)
{
	bh_json_reset(w);
	bh_json_container(w, c);
	if (bh_json_failed(w) || !(dst->json = strndup(bh_json_data(w), bh_json_len(w))))
		return false;
	return set_str(&dst->name, c->name) && set_str(&dst->k8s_name, c->k8s_container) &&
	       set_str(&dst->namespace, c->pod_namespace);
}

/* As its lines described it. */
static bool view_describe_lines(struct bh_open_view_container *dst, const struct open_ctr *src)
{
	return set_str(&dst->name, src->name) && set_str(&dst->k8s_name, src->k8s_name) &&
	       set_str(&dst->namespace, src->namespace) && set_str(&dst->json, src->json);
}

/* dst copies src's strings: false without memory (what was copied is freed with the view). */
static bool view_copy(struct bh_open_view_container *dst, const struct open_ctr *src,
		      struct bh_json *w)
{
	dst->findings = calloc(src->n, sizeof(*dst->findings));
	if (!dst->findings || !set_str(&dst->id, src->id))
		return false;
	if (!(src->live ? view_describe_live(dst, src->live, w) : view_describe_lines(dst, src)))
		return false;
	for (; dst->n < src->n; dst->n++) {
		dst->findings[dst->n].severity = src->entries[dst->n].severity;
		if (!set_str(&dst->findings[dst->n].json, src->entries[dst->n].json))
			return false;
	}
	qsort(dst->findings, dst->n, sizeof(*dst->findings), cmp_finding);
	return true;
}

struct bh_open_view *bh_open_view_build(const struct bh_open_findings *s)
{
	struct bh_open_view *v = calloc(1, sizeof(*v));
	size_t n = bh_hashtab_count(&s->ctrs);
	struct bh_hashtab_iter it;
	struct open_ctr *c;
	struct bh_json w;

	bh_json_init(&w);
	if (!v || !(v->ctrs = calloc(n ? n : 1, sizeof(*v->ctrs))))
		goto fail;
	v->dropped = s->dropped;
	bh_hashtab_iter_init(&it, (struct bh_hashtab *)&s->ctrs);
	while ((c = bh_hashtab_iter_next(&it)))
		if (!view_copy(&v->ctrs[v->n++], c, &w))
			goto fail;
	qsort(v->ctrs, v->n, sizeof(*v->ctrs), cmp_ctr);
	bh_json_free(&w);
	return v;
fail:
	bh_json_free(&w);
	bh_open_view_free(v);
	return NULL;
}
