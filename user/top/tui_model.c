// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tui_model.c - folds schema-v1 JSON lines into what `bulkhead top` shows. */
#define _GNU_SOURCE /* strptime, timegm */
#include "tui_model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "core/event.h"

static const char *const sev_names[TUI_SEV_COUNT] = { "none", "low", "medium", "high", "critical" };

const char *tui_sev_name(enum tui_sev s)
{
	return s < TUI_SEV_COUNT ? sev_names[s] : "none";
}

enum tui_sev tui_sev_parse(const char *s)
{
	for (int i = TUI_SEV_LOW; s && i < TUI_SEV_COUNT; i++)
		if (!strcmp(s, sev_names[i]))
			return (enum tui_sev)i;
	return TUI_SEV_NONE;
}

void tui_model_init(struct tui_model *m)
{
	memset(m, 0, sizeof(*m));
	m->next_seq = 1;
}

static void container_free(struct tui_container *c)
{
	for (int i = 0; i < TUI_RECENT_EVENTS; i++)
		free(c->recent[i]);
	bh_hashtab_fini(&c->open);
	free(c);
}

static struct tui_container *container_new(void)
{
	struct tui_container *c = calloc(1, sizeof(*c));

	if (c)
		bh_hashtab_init(&c->open, 0);
	return c;
}

static void finding_clear(struct tui_finding *f)
{
	free(f->summary);
	free(f->detail);
	memset(f, 0, sizeof(*f));
}

void tui_model_free(struct tui_model *m)
{
	for (int i = 0; i < m->nctrs; i++)
		container_free(m->ctrs[i]);
	for (int i = 0; i < TUI_MAX_FINDINGS; i++)
		finding_clear(&m->feed[i]);
	m->nctrs = 0;
	m->nfeed = 0;
}

static void rate_add(struct tui_rate *r, int64_t now)
{
	int slot = (int)(now % (TUI_RATE_WINDOW + 1));

	if (r->second[slot] != now) {
		r->second[slot] = now;
		r->bucket[slot] = 0;
	}
	r->bucket[slot]++;
}

double tui_rate_get(const struct tui_rate *r, int64_t now)
{
	uint64_t sum = 0;

	/* The current second is still filling: average the complete ones before it. */
	for (int i = 0; i < TUI_RATE_WINDOW + 1; i++)
		if (r->second[i] < now && r->second[i] >= now - TUI_RATE_WINDOW)
			sum += r->bucket[i];
	return (double)sum / TUI_RATE_WINDOW;
}

double tui_model_family_rate(const struct tui_model *m, unsigned int type, int64_t now)
{
	double total = 0;

	if (type >= BH_EV_TYPE_MAX)
		return 0;
	/* An agent run with --events none prints no event lines; its stats still count. */
	for (unsigned int t = 1; t < BH_EV_TYPE_MAX; t++)
		total += tui_rate_get(&m->rate[t], now);
	if (total > 0 || !m->have_stats)
		return tui_rate_get(&m->rate[type], now);
	return m->stats_rate[type];
}

const struct tui_finding *tui_model_finding(const struct tui_model *m, int i)
{
	if (i < 0 || i >= m->nfeed)
		return NULL;
	return &m->feed[(m->feed_head - 1 - i + 2 * TUI_MAX_FINDINGS) % TUI_MAX_FINDINGS];
}

const struct tui_container *tui_model_container_by_id(const struct tui_model *m, const char *id)
{
	for (int i = 0; i < m->nctrs; i++)
		if (!strcmp(m->ctrs[i]->id, id))
			return m->ctrs[i];
	return NULL;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t jint(struct json_object *o, const char *key, int64_t dflt)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return dflt;
	return json_object_get_int64(v);
}

static struct json_object *jobj(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* "2026-11-30T04:54:38.189Z" as local HH:MM:SS, "" when it does not parse. */
static void local_hms(const char *rfc3339, char *out, size_t size)
{
	struct tm tm = { 0 };
	time_t t;

	out[0] = '\0';
	if (!rfc3339 || !strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	t = timegm(&tm);
	if (!localtime_r(&t, &tm))
		return;
	strftime(out, size, "%H:%M:%S", &tm);
}

static int event_type(const char *name)
{
	for (unsigned int t = 1; name && t < BH_EV_TYPE_MAX; t++)
		if (!strcmp(name, bh_event_type_name(t)))
			return (int)t;
	return 0;
}

/* The oldest container goes when the table is full: the newest activity matters most. */
static struct tui_container *container_slot(struct tui_model *m)
{
	int oldest = 0;

	if (m->nctrs < TUI_MAX_CONTAINERS) {
		m->ctrs[m->nctrs] = container_new();
		return m->ctrs[m->nctrs] ? m->ctrs[m->nctrs++] : NULL;
	}
	for (int i = 1; i < m->nctrs; i++)
		if (m->ctrs[i]->last_seen < m->ctrs[oldest]->last_seen)
			oldest = i;
	container_free(m->ctrs[oldest]);
	m->ctrs[oldest] = container_new();
	if (!m->ctrs[oldest])
		m->ctrs[oldest] = m->ctrs[--m->nctrs];
	return m->ctrs[oldest];
}

/* The row of a line's "container" (JSON null: the host row), created at first sight. */
static struct tui_container *container_of(struct tui_model *m, struct json_object *ctr, int64_t now)
{
	const char *id = jstr(ctr, "id");
	struct json_object *pod = jobj(ctr, "pod");
	struct tui_container *c;
	const char *name;

	if (!id)
		id = "";
	c = (struct tui_container *)tui_model_container_by_id(m, id);
	if (!c) {
		c = container_slot(m);
		if (!c)
			return NULL;
		copy(c->id, sizeof(c->id), id);
	}
	c->last_seen = now;
	if (!ctr) {
		copy(c->name, sizeof(c->name), "(host)");
		return c;
	}
	/* Kubernetes names the container in the pod; docker's name may carry a '/'. */
	name = pod && jstr(pod, "container") ? jstr(pod, "container") : jstr(ctr, "name");
	if (name && name[0] == '/')
		name++;
	copy(c->name, sizeof(c->name), name);
	copy(c->image, sizeof(c->image), jstr(ctr, "image"));
	if (pod && jstr(pod, "name"))
		snprintf(c->pod, sizeof(c->pod), "%s/%s",
			 jstr(pod, "namespace") ? jstr(pod, "namespace") : "?", jstr(pod, "name"));
	return c;
}

static void appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void appendf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (*buf && *len + (size_t)n < *cap) {
			*len += (size_t)n;
			return;
		}
		size_t ncap = (*cap ? *cap * 2 : 256) + (size_t)n;
		char *p = realloc(*buf, ncap);

		if (!p)
			return;
		*buf = p;
		*cap = ncap;
	}
}

static bool all_scalars(struct json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		enum json_type t = json_object_get_type(json_object_array_get_idx(arr, i));

		if (t == json_type_object || t == json_type_array)
			return false;
	}
	return true;
}

static const char *scalar(struct json_object *v)
{
	return v ? json_object_get_string(v) : "null";
}

/* One "key: value" line per member, nested objects indented: every field, readable. */
static void flatten(struct json_object *o, int indent, char **buf, size_t *len, size_t *cap)
{
	json_object_object_foreach(o, key, v)
	{
		enum json_type t = json_object_get_type(v);

		if (!indent && (!strcmp(key, "schema") || !strcmp(key, "type")))
			continue;
		if (t == json_type_object) {
			appendf(buf, len, cap, "%*s%s:\n", indent, "", key);
			flatten(v, indent + 2, buf, len, cap);
		} else if (t == json_type_array && all_scalars(v)) {
			appendf(buf, len, cap, "%*s%s:", indent, "", key);
			for (size_t i = 0; i < json_object_array_length(v); i++)
				appendf(buf, len, cap, "%s %s", i ? "," : "",
					scalar(json_object_array_get_idx(v, i)));
			appendf(buf, len, cap, "\n");
		} else if (t == json_type_array) {
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				struct json_object *e = json_object_array_get_idx(v, i);

				if (json_object_is_type(e, json_type_object)) {
					appendf(buf, len, cap, "%*s%s[%zu]:\n", indent, "", key, i);
					flatten(e, indent + 2, buf, len, cap);
				} else {
					appendf(buf, len, cap, "%*s%s[%zu]: %s\n", indent, "", key,
						i, scalar(e));
				}
			}
		} else {
			appendf(buf, len, cap, "%*s%s: %s\n", indent, "", key, scalar(v));
		}
	}
}

static void remember_rule(struct tui_container *c, const char *rule)
{
	for (int i = 0; i < c->nrules; i++)
		if (!strcmp(c->rules[i], rule))
			return;
	if (c->nrules < TUI_CTR_RULES)
		copy(c->rules[c->nrules++], sizeof(c->rules[0]), rule);
}

/* Whether the finding (rule, summary) is new to c: it counts once while c runs. */
static bool first_open(struct tui_container *c, const char *rule, const char *summary)
{
	char key[600];
	/* a rule id is letters and dashes: the bar cannot be part of it */
	int n = snprintf(key, sizeof(key), "%s|%s", rule, summary);

	if (n < 0 || (size_t)n >= sizeof(key) || bh_hashtab_count(&c->open) >= TUI_CTR_OPEN)
		return true;
	if (bh_hashtab_get(&c->open, key, (size_t)n))
		return false;
	bh_hashtab_put(&c->open, key, (size_t)n);
	return true;
}

static void ingest_finding(struct tui_model *m, struct json_object *o, int64_t now)
{
	struct json_object *ctr = NULL, *proc = jobj(o, "process");
	struct tui_finding *f = &m->feed[m->feed_head];
	struct tui_container *c;
	size_t len = 0, cap = 0;

	json_object_object_get_ex(o, "container", &ctr);
	finding_clear(f);
	f->seq = m->next_seq++;
	local_hms(jstr(o, "time"), f->when, sizeof(f->when));
	f->sev = tui_sev_parse(jstr(o, "severity"));
	copy(f->rule, sizeof(f->rule), jstr(o, "rule"));
	f->summary = strdup(jstr(o, "summary") ? jstr(o, "summary") : "");
	f->count = (uint64_t)jint(o, "count", 0);
	if (proc)
		snprintf(f->process, sizeof(f->process), "%s[%lld]",
			 jstr(proc, "comm") ? jstr(proc, "comm") : "?",
			 (long long)jint(proc, "pid", 0));
	flatten(o, 0, &f->detail, &len, &cap);

	m->feed_head = (m->feed_head + 1) % TUI_MAX_FINDINGS;
	if (m->nfeed < TUI_MAX_FINDINGS)
		m->nfeed++;
	m->findings[f->sev]++;

	c = container_of(m, json_object_is_type(ctr, json_type_object) ? ctr : NULL, now);
	if (!c)
		return;
	copy(f->ctr_id, sizeof(f->ctr_id), c->id);
	copy(f->ctr_name, sizeof(f->ctr_name), c->name);
	if (first_open(c, f->rule, f->summary))
		c->findings[f->sev]++;
	if (f->sev > c->worst)
		c->worst = f->sev;
	remember_rule(c, f->rule);
}

/* What an event did, in a few words: the detail pane's "recent events". */
static void event_text(struct json_object *o, const char *name, char *out, size_t size)
{
	struct json_object *p = jobj(o, "process"), *e = jobj(o, name), *args;
	char when[16], what[200] = "";
	const char *addr = jstr(e, "addr");

	local_hms(jstr(o, "time"), when, sizeof(when));
	if (!strcmp(name, "exec") && json_object_object_get_ex(e, "args", &args) &&
	    json_object_is_type(args, json_type_array)) {
		size_t n = 0;

		for (size_t i = 0; i < json_object_array_length(args) && n < sizeof(what); i++)
			n += (size_t)snprintf(what + n, sizeof(what) - n, "%s%s", i ? " " : "",
					      scalar(json_object_array_get_idx(args, i)));
	} else if (!strcmp(name, "mount")) {
		snprintf(what, sizeof(what), "%s %s -> %s", jstr(e, "call") ? jstr(e, "call") : "",
			 jstr(e, "source") ? jstr(e, "source") : "-",
			 jstr(e, "target") ? jstr(e, "target") : "-");
	} else if (jstr(e, "peer_path")) {
		snprintf(what, sizeof(what), "%s", jstr(e, "peer_path"));
	} else if (addr) {
		snprintf(what, sizeof(what), "%s:%lld", addr, (long long)jint(e, "port", 0));
	}
	snprintf(out, size, "%s %s[%lld] %-7s %s ret=%lld", when,
		 jstr(p, "comm") ? jstr(p, "comm") : "?", (long long)jint(p, "pid", 0), name, what,
		 (long long)jint(o, "ret", 0));
}

static void ingest_event(struct tui_model *m, struct json_object *o, int64_t now)
{
	struct json_object *ctr = NULL;
	const char *name = jstr(o, "event");
	int type = event_type(name);
	struct tui_container *c;
	char text[320];

	m->event_lines++;
	if (type)
		rate_add(&m->rate[type], now);
	json_object_object_get_ex(o, "container", &ctr);
	c = container_of(m, json_object_is_type(ctr, json_type_object) ? ctr : NULL, now);
	if (!c || !name)
		return;
	c->events++;
	rate_add(&c->rate, now);
	event_text(o, name, text, sizeof(text));
	free(c->recent[c->recent_head]);
	c->recent[c->recent_head] = strdup(text);
	c->recent_head = (c->recent_head + 1) % TUI_RECENT_EVENTS;
	if (c->nrecent < TUI_RECENT_EVENTS)
		c->nrecent++;
}

static int64_t parse_time_ns(const char *rfc3339)
{
	struct tm tm = { 0 };
	const char *rest;
	int64_t ns = 0;
	int digits = 0;

	if (!rfc3339 || !(rest = strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm)))
		return 0;
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*rest - '0');
	for (; digits < 9; digits++)
		ns *= 10;
	return (int64_t)timegm(&tm) * 1000000000 + ns;
}

static void ingest_stats(struct tui_model *m, struct json_object *o)
{
	struct json_object *ev = jobj(o, "events");
	int64_t t = parse_time_ns(jstr(o, "time"));
	double dt = m->have_stats && t > m->stats_time_ns ? (t - m->stats_time_ns) / 1e9 : 0;

	for (unsigned int type = 1; type < BH_EV_TYPE_MAX; type++) {
		int64_t n = jint(ev, bh_event_type_name(type), -1);

		if (n < 0)
			continue;
		if (dt > 0 && (uint64_t)n >= m->stats_events[type])
			m->stats_rate[type] = (double)((uint64_t)n - m->stats_events[type]) / dt;
		m->stats_events[type] = (uint64_t)n;
	}
	m->stats_time_ns = t;
	m->drops = (uint64_t)jint(o, "drops", (int64_t)m->drops);
	m->agent_containers = (uint64_t)jint(o, "containers", (int64_t)m->agent_containers);
	m->have_stats = true;
}

/*
 * container-start adds the row before the container's first event (an idle
 * container shows up too); container-stop removes it, its findings staying in
 * the feed. The host row has no lifecycle.
 */
static void ingest_lifecycle(struct tui_model *m, struct json_object *o, int64_t now)
{
	const char *action = jstr(o, "action");
	struct json_object *ctr = jobj(o, "container");
	const char *id = jstr(ctr, "id");

	if (!action || !id || !*id)
		return;
	if (!strcmp(action, "container-start")) {
		container_of(m, ctr, now);
		return;
	}
	if (strcmp(action, "container-stop") != 0)
		return;
	for (int i = 0; i < m->nctrs; i++) {
		if (strcmp(m->ctrs[i]->id, id) != 0)
			continue;
		container_free(m->ctrs[i]);
		/* rows are sorted at render time: the last one may take the place */
		m->ctrs[i] = m->ctrs[--m->nctrs];
		m->ctrs[m->nctrs] = NULL;
		return;
	}
}

int tui_model_ingest(struct tui_model *m, const char *line, size_t len, int64_t now)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	const char *type;
	int err = 0;

	if (!tok)
		return -ENOMEM;
	m->lines++;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object) || jint(o, "schema", 0) != 1 ||
	    !(type = jstr(o, "type"))) {
		m->bad_lines++;
		err = -EINVAL;
		goto out;
	}
	if (!strcmp(type, "event"))
		ingest_event(m, o, now);
	else if (!strcmp(type, "finding"))
		ingest_finding(m, o, now);
	else if (!strcmp(type, "stats"))
		ingest_stats(m, o);
	else if (!strcmp(type, "lifecycle"))
		ingest_lifecycle(m, o, now);
	/* Other types are additive schema changes: ignored, not errors. */
out:
	json_object_put(o);
	json_tokener_free(tok);
	return err;
}
