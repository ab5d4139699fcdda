// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rules.c - the rules engine: catalogue, policy filter, deduplication and emission. */
#include "rule_impl.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "output_json.h"

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

/* Engine */

int bh_rules_new(const struct bh_rules_opts *opts, struct bh_rules **out)
{
	struct bh_rules *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return -ENOMEM;
	bh_hashtab_init(&r->dedup, sizeof(struct map_val));
	bh_hashtab_init(&r->fired, sizeof(struct map_val));
	if (!opts->policy)
		r->own_policy = bh_policy_default();
	/* The dedup table is sized for its bound at once: it never grows on an event's path. */
	if (bh_hashtab_reserve(&r->dedup, MAP_MAX_ENTRIES) || (!opts->policy && !r->own_policy)) {
		bh_rules_free(r);
		return -ENOMEM;
	}
	r->policy = opts->policy ? opts->policy : r->own_policy;
	r->self_cgroup_id = opts->self_cgroup_id;
	r->boot_to_real_ns = opts->boot_to_real_ns;
	memcpy(r->host_ns, opts->host_ns, sizeof(r->host_ns));
	bh_json_init(&r->w);
	*out = r;
	return 0;
}

void bh_rules_free(struct bh_rules *r)
{
	if (!r)
		return;
	map_remove_if(&r->dedup, NULL, NULL);
	map_remove_if(&r->fired, NULL, NULL);
	bh_hashtab_fini(&r->dedup);
	bh_hashtab_fini(&r->fired);
	bh_json_free(&r->w);
	bh_policy_free(r->own_policy);
	free(r);
}

void bh_rules_set_policy(struct bh_rules *r, const struct bh_policy *p)
{
	if (!p && !r->own_policy)
		r->own_policy = bh_policy_default();
	if (!p)
		p = r->own_policy;
	/* Without memory for the default, keep the current policy rather than none. */
	if (p)
		r->policy = p;
}

void bh_rules_on_event(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		       bh_finding_sink sink, void *ctx)
{
	/*
	 * bulkhead's own container (e.g. a capture's, replayed without its
	 * resolver) is not the node's. A host cgroup shared with bulkhead (a shell,
	 * a sandbox's root cgroup) holds node processes: the kernel already drops
	 * bulkhead's own calls by process. A task that moved into bulkhead's cgroup
	 * (outside_cgroup) is not bulkhead's.
	 */
	if (c && !ev->outside_cgroup && r->self_cgroup_id &&
	    ev->hdr->cgroup_id == r->self_cgroup_id)
		return;
	bh_rules_event(r, ev, c, sink, ctx);
}

void bh_rules_on_container(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
			   void *ctx)
{
	if (c && c->config.known)
		bh_rules_config(r, c, sink, ctx);
}

void bh_rules_forget_container(struct bh_rules *r, const char *container_id)
{
	map_remove_if(&r->dedup, entry_of_container, container_id);
	map_remove_if(&r->fired, entry_of_container, container_id);
}

/* Emission */

/* bulkhead's own container, or any container of its pod (the pod's sandbox too). */
static bool is_self(const struct bh_rules *r, const struct bh_container *c)
{
	if (!c)
		return false;
	if (r->self_id[0] && !strcmp(c->id, r->self_id))
		return true;
	return r->self_pod_uid[0] && c->pod_uid && !strcmp(c->pod_uid, r->self_pod_uid);
}

static bool rule_active(struct bh_rules *r, unsigned int rule, const struct bh_container *c,
			const char *exe)
{
	return r->policy->rules[rule].enabled && !is_self(r, c) &&
	       !bh_policy_allows(r->policy, rule, c, exe);
}

void bh_rules_set_self(struct bh_rules *r, const struct bh_container *self)
{
	snprintf(r->self_id, sizeof(r->self_id), "%s", self ? self->id : "");
	snprintf(r->self_pod_uid, sizeof(r->self_pod_uid), "%s",
		 self && self->pod_uid ? self->pod_uid : "");
}

/* Marks rule as reported for c; false when it already was (or no memory to remember). */
static bool mark_fired(struct bh_rules *r, unsigned int rule, const struct bh_container *c)
{
	size_t len = strlen(c->id);
	struct map_val *e = bh_hashtab_get(&r->fired, c->id, len);

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
	h->f.rule = bh_rule_catalogue[rule].id;
	h->f.severity = bh_severity_name(h->severity);
	h->f.summary = h->summary;
	h->f.remediation = bh_rule_catalogue[rule].remediation;
	h->f.container = c;
	bh_finding_begin(&r->w, &h->f);
}

struct bh_json *bh_hit_config(struct bh_hit *h, struct bh_rules *r, unsigned int rule,
			      const struct bh_container *c, bh_finding_sink sink, void *ctx,
			      const char *fmt, ...)
{
	struct timespec now;
	va_list ap;

	if (!c || !rule_active(r, rule, c, NULL) || !mark_fired(r, rule, c))
		return NULL;
	memset(h, 0, sizeof(*h));
	clock_gettime(CLOCK_REALTIME, &now);
	h->f.time_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	h->sink = sink;
	h->ctx = ctx;
	va_start(ap, fmt);
	hit_start(h, r, rule, c, bh_rule_catalogue[rule].severity, fmt, ap);
	va_end(ap);
	return &r->w;
}

const char *bh_cstr(const struct bh_str *s, char *buf, size_t size)
{
	size_t n = s->ptr ? strnlen(s->ptr, s->len) : 0;

	if (!size)
		return buf;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(buf, s->ptr, n);
	buf[n] = '\0';
	return buf;
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
	char key[BH_EXE_MAX + BH_CONTAINER_ID_LEN + 160], num[12], *p = num + sizeof(num);
	unsigned int v = rule;
	size_t len;

	/* "rule|container|exe|detail", built without snprintf: this runs for most events. */
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	len = key_append(key, sizeof(key), 0, p, (size_t)(num + sizeof(num) - p));
	len = key_append(key, sizeof(key), len, "|", 1);
	len = key_append(key, sizeof(key), len, cid, strlen(cid));
	len = key_append(key, sizeof(key), len, "|", 1);
	if (ev->exe.ptr)
		len = key_append(key, sizeof(key), len, ev->exe.ptr,
				 strnlen(ev->exe.ptr, ev->exe.len));
	len = key_append(key, sizeof(key), len, "|", 1);
	if (detail)
		len = key_append(key, sizeof(key), len, detail, strlen(detail));
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
	char exe[BH_EXE_MAX + 1];
	uint64_t count;
	va_list ap;

	bh_cstr(&ev->exe, exe, sizeof(exe));
	if (!rule_active(r, rule, c, exe))
		return NULL;
	if (once) {
		if (!c || !mark_fired(r, rule, c))
			return NULL;
		count = 1;
	} else {
		count = dedup(r, rule, ev, c, detail);
		if (!count)
			return NULL;
	}
	memset(h, 0, sizeof(*h));
	h->f.ev = ev;
	h->f.count = count;
	h->f.time_ns = (int64_t)ev->hdr->ts_ns + r->boot_to_real_ns;
	h->sink = sink;
	h->ctx = ctx;
	va_start(ap, fmt);
	hit_start(h, r, rule, c, bh_rule_catalogue[rule].behaviour_severity, fmt, ap);
	va_end(ap);
	return &r->w;
}

void bh_hit_send(struct bh_hit *h)
{
	struct bh_json *w = &h->r->w;

	bh_finding_end(w, &h->f);
	if (bh_json_failed(w))
		return;
	if (h->rule < BH_RULE_COUNT && h->severity < BH_SEV_COUNT)
		h->r->sent[h->rule][h->severity]++;
	h->sink(bh_json_data(w), bh_json_len(w), h->ctx);
}

void bh_rules_finding_counts(const struct bh_rules *r, __u64 counts[BH_RULE_COUNT][BH_SEV_COUNT])
{
	memcpy(counts, r->sent, sizeof(r->sent));
}

/* Paths and sockets */

void bh_path_normalize(const char *in, char *out, size_t size)
{
	size_t len = 0;
	const char *p = in;

	if (!size)
		return;
	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* empty or "." component */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else if (len + 1 + n < size) {
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p = end;
	}
	if (!len && size > 1)
		out[len++] = '/';
	out[len] = '\0';
}

bool bh_path_within(const char *path, const char *base)
{
	size_t n = strlen(base);

	if (!strcmp(base, "/"))
		return !strcmp(path, "/");
	return !strncmp(path, base, n) && (path[n] == '\0' || path[n] == '/');
}

const char *bh_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

bool bh_sensitive_path(const struct bh_policy *p, const char *path)
{
	char base[BH_NORM_PATH_MAX];

	for (size_t i = 0; i < p->n_sensitive_paths; i++) {
		bh_path_normalize(p->sensitive_paths[i], base, sizeof(base));
		if (bh_path_within(path, base))
			return true;
	}
	return false;
}

const char *bh_ns_name(int kind)
{
	static const char *const names[BH_NS_KINDS] = {
		[BH_NS_MNT] = "mnt",   [BH_NS_PID] = "pid",   [BH_NS_NET] = "net",
		[BH_NS_IPC] = "ipc",   [BH_NS_UTS] = "uts",   [BH_NS_CGROUP] = "cgroup",
		[BH_NS_USER] = "user", [BH_NS_TIME] = "time",
	};

	return kind >= 0 && kind < BH_NS_KINDS ? names[kind] : "unknown";
}

void bh_ns_names(unsigned int mask, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return;
	buf[0] = '\0';
	for (int k = 0; k < BH_NS_KINDS && len < size; k++) {
		int n;

		if (!(mask & (1u << k)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", bh_ns_name(k));
		if (n < 0)
			return;
		len += (size_t)n;
	}
}

bool bh_runtime_socket(const struct bh_policy *p, const char *path)
{
	char norm[BH_NORM_PATH_MAX];

	bh_path_normalize(path, norm, sizeof(norm));
	for (size_t i = 0; i < p->n_runtime_sockets; i++) {
		const char *s = p->runtime_sockets[i];

		if (s[0] == '/' ? fnmatch(s, norm, FNM_PATHNAME) == 0
				: !strcmp(s, bh_basename(norm)))
			return true;
	}
	return false;
}

bool bh_runtime_socket_dir(const struct bh_policy *p, const char *path)
{
	char norm[BH_NORM_PATH_MAX], dir[BH_NORM_PATH_MAX];

	bh_path_normalize(path, norm, sizeof(norm));
	for (size_t i = 0; i < p->n_runtime_sockets; i++) {
		const char *s = p->runtime_sockets[i];
		size_t len = strlen(s);

		if (s[0] != '/' || len >= sizeof(dir))
			continue;
		/* Every ancestor of the socket ("/run/docker.sock": "/run", "/") exposes it. */
		memcpy(dir, s, len + 1);
		for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
			if (slash == dir) {
				if (!strcmp(norm, "/"))
					return true;
				break;
			}
			*slash = '\0';
			if (fnmatch(dir, norm, FNM_PATHNAME) == 0)
				return true;
		}
	}
	return false;
}

/*
 * A kind the spec does not unshare is the host's. One joined by path is another
 * namespace (a pod's pause container, --net container:X) unless it is docker's
 * handle on the host network (--net host) or its inode is the host's.
 */
bool bh_container_shares_host_ns(const struct bh_rules *r, const struct bh_container *c, int kind)
{
	const char *path = c->config.ns_path[kind];
	char norm[BH_NORM_PATH_MAX];
	struct stat st;

	if (!c->config.host_ns[kind])
		return false;
	if (!path)
		return true;
	bh_path_normalize(path, norm, sizeof(norm));
	if (kind == BH_NS_NET && (!strcmp(norm, "/var/run/docker/netns/default") ||
				  !strcmp(norm, "/run/docker/netns/default")))
		return true;
	return r->host_ns[kind] && stat(path, &st) == 0 && st.st_ino == r->host_ns[kind];
}

bool bh_container_privileged(const struct bh_container *c, const char **why)
{
	const struct bh_container_config *cfg = &c->config;
	__u64 caps = cfg->cap_bounding | cfg->cap_effective;

	if (cfg->privileged) {
		*why = "privileged";
		return true;
	}
	/* 35 of the 41 capabilities: --cap-add ALL minus a few is privileged in all but name. */
	if ((caps & (1ULL << 21)) && __builtin_popcountll(caps) >= 35 && !cfg->seccomp) {
		*why = "near-full capabilities with CAP_SYS_ADMIN and seccomp off";
		return true;
	}
	if (cfg->devices_unrestricted) {
		*why = "all devices allowed";
		return true;
	}
	return false;
}
