// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* policy.c - the policy: built-in defaults, the YAML loader (libyaml) and its lookups. */
#include "policy.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/file.h"
#include "core/log.h"
#include "policy_impl.h"

/* deploy/baseline.yaml, as a C string literal (the Makefile generates it). */
static const char baseline_yaml[] =
#include "baseline.inc"
	;

/* Host paths whose writable bind mount hands the host to a container. */
static const char *const default_sensitive_paths[] = {
	"/",
	"/etc",
	"/usr",
	"/bin",
	"/sbin",
	"/lib",
	"/lib64",
	"/lib32",
	"/boot",
	"/root",
	"/home",
	"/proc",
	"/sys",
	"/dev",
	"/run",
	"/var/run",
	"/var/lib/docker",
	"/var/lib/kubelet",
	"/var/lib/containerd",
};

/*
 * Runtime API sockets: basenames match wherever the daemon bound them, the
 * absolute entries also name the directories whose mount exposes a socket.
 */
static const char *const default_runtime_sockets[] = {
	"docker.sock",
	"containerd.sock",
	"crio.sock",
	"podman.sock",
	"/var/run/docker.sock",
	"/run/docker.sock",
	"/run/containerd/containerd.sock",
	"/var/run/containerd/containerd.sock",
	"/var/run/crio/crio.sock",
	"/run/crio/crio.sock",
	"/run/podman/podman.sock",
	"/run/user/*/podman/podman.sock",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void bh_policy_free(struct bh_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_allow; i++)
		bh_policy_allow_clear(&p->allow[i]);
	free(p->allow);
	bh_strv_free(p->sensitive_paths, p->n_sensitive_paths);
	bh_strv_free(p->runtime_sockets, p->n_runtime_sockets);
	bh_strv_free(p->exports, p->n_exports);
	for (size_t i = 0; i < p->n_allowed_ports; i++) {
		free(p->allowed_ports[i].image);
		free(p->allowed_ports[i].ports);
	}
	free(p->allowed_ports);
	free(p);
}

static int dup_strv(const char *const *src, size_t n, char ***out)
{
	char **v = calloc(n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(src[i]);
		if (!v[i]) {
			bh_strv_free(v, i);
			return -ENOMEM;
		}
	}
	*out = v;
	return 0;
}

/* The built-in policy without the baseline's entries. */
static struct bh_policy *policy_base(void)
{
	struct bh_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	for (int i = 0; i < BH_RULE_COUNT; i++) {
		p->rules[i].enabled = !bh_rule_catalogue[i].advisory;
		p->rules[i].severity = -1;
	}
	p->dedup_window_s = BH_POLICY_DEFAULT_DEDUP_S;
	if (dup_strv(default_sensitive_paths, ARRAY_SIZE(default_sensitive_paths),
		     &p->sensitive_paths) ||
	    dup_strv(default_runtime_sockets, ARRAY_SIZE(default_runtime_sockets),
		     &p->runtime_sockets)) {
		bh_policy_free(p);
		return NULL;
	}
	p->n_sensitive_paths = ARRAY_SIZE(default_sensitive_paths);
	p->n_runtime_sockets = ARRAY_SIZE(default_runtime_sockets);
	return p;
}

int bh_policy_severity(const struct bh_policy *p, unsigned int rule, int def)
{
	if (rule < BH_RULE_COUNT && p->rules[rule].severity >= 0)
		return p->rules[rule].severity;
	return def;
}

bool bh_policy_allows(const struct bh_policy *p, unsigned int rule, const struct bh_container *c,
		      const char *exe, size_t *entry)
{
	int64_t now = (int64_t)time(NULL);

	for (size_t i = 0; i < p->n_allow; i++) {
		const struct bh_policy_allow *a = &p->allow[i];

		if (!a->accept && !bh_allow_has_evidence(a) &&
		    bh_allow_matches_who(a, rule, c, exe, now)) {
			if (entry)
				*entry = i;
			return true;
		}
	}
	return false;
}

bool bh_policy_port_allowed(const struct bh_policy *p, const char *image, uint16_t port)
{
	for (size_t i = 0; i < p->n_allowed_ports; i++) {
		const struct bh_policy_ports *e = &p->allowed_ports[i];

		if (!image || fnmatch(e->image, image, 0))
			continue;
		for (size_t j = 0; j < e->n_ports; j++)
			if (e->ports[j] == port)
				return true;
	}
	return false;
}

struct bh_host_paths bh_policy_host_paths(const struct bh_policy *p)
{
	if (!p)
		return (struct bh_host_paths){ 0 };
	return (struct bh_host_paths){
		.runtime_sockets = p->runtime_sockets,
		.n_runtime_sockets = p->n_runtime_sockets,
		.sensitive_paths = p->sensitive_paths,
		.n_sensitive_paths = p->n_sensitive_paths,
	};
}

/* The YAML loader: one document of mappings, sequences and plain scalars. */

int bh_policy_fail(const struct bh_policy_loader *l, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bh_error("%s:%zu:%zu: %s", l->name, n->start_mark.line + 1, n->start_mark.column + 1, msg);
	return -EINVAL;
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		return n->data.scalar.length ? "a scalar" : "an empty value";
	default:
		return "nothing";
	}
}

yaml_node_t *bh_policy_node(struct bh_policy_loader *l, int id)
{
	return yaml_document_get_node(&l->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

const char *bh_policy_key(const yaml_node_t *k)
{
	return k->type == YAML_SCALAR_NODE ? scalar(k) : "";
}

int bh_policy_get_string(struct bh_policy_loader *l, yaml_node_t *n, const char *what, char **out)
{
	char *s;

	if (n->type != YAML_SCALAR_NODE || !n->data.scalar.length)
		return bh_policy_fail(l, n, "%s must be a string, not %s", what, node_kind(n));
	s = strdup(scalar(n));
	if (!s)
		return -ENOMEM;
	free(*out);
	*out = s;
	return 0;
}

int bh_policy_get_bool(struct bh_policy_loader *l, yaml_node_t *n, const char *what, bool *out)
{
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (!strcasecmp(scalar(n), "true")) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(scalar(n), "false")) {
			*out = false;
			return 0;
		}
	}
	return bh_policy_fail(l, n, "%s must be true or false", what);
}

int bh_policy_get_uint(struct bh_policy_loader *l, yaml_node_t *n, const char *what,
		       unsigned long min, unsigned long max, unsigned long *out)
{
	const char *s = scalar(n);
	unsigned long v;
	char *end;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    !n->data.scalar.length || s[0] < '0' || s[0] > '9')
		return bh_policy_fail(l, n, "%s must be a number from %lu to %lu", what, min, max);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return bh_policy_fail(l, n, "%s must be a number from %lu to %lu", what, min, max);
	*out = v;
	return 0;
}

int bh_policy_get_rule(struct bh_policy_loader *l, yaml_node_t *n, int *rule)
{
	if (n->type != YAML_SCALAR_NODE)
		return bh_policy_fail(l, n, "a rule id must be a string, not %s", node_kind(n));
	*rule = bh_rule_lookup(scalar(n));
	if (*rule < 0)
		return bh_policy_fail(l, n, "unknown rule id \"%s\" (`bulkhead rules` lists them)",
				      scalar(n));
	return 0;
}

int bh_policy_expect(struct bh_policy_loader *l, yaml_node_t *n, yaml_node_type_t type,
		     const char *what)
{
	if (n->type == type)
		return 0;
	return bh_policy_fail(l, n, "%s must be %s, not %s", what,
			      type == YAML_MAPPING_NODE ? "a mapping" : "a list", node_kind(n));
}

static int parse_rule_settings(struct bh_policy_loader *l, yaml_node_t *n, int rule)
{
	struct bh_policy_rule *pr = &l->p->rules[rule];
	yaml_node_pair_t *pair;
	int err;

	if ((err = bh_policy_expect(l, n, YAML_MAPPING_NODE, "a rule's settings")))
		return err;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = bh_policy_node(l, pair->key), *v = bh_policy_node(l, pair->value);
		const char *key = bh_policy_key(k);

		if (!strcmp(key, "enabled")) {
			err = bh_policy_get_bool(l, v, "enabled", &pr->enabled);
			pr->enabled_set = true;
		} else if (!strcmp(key, "severity")) {
			int sev = v->type == YAML_SCALAR_NODE ? bh_severity_lookup(scalar(v)) : -1;

			if (sev < 0)
				return bh_policy_fail(
					l, v, "bad severity: use low, medium, high or critical");
			pr->severity = sev;
		} else {
			return bh_policy_fail(
				l, k, "unknown key \"%s\" in rule settings (enabled, severity)",
				key);
		}
		if (err)
			return err;
	}
	return 0;
}

static int parse_rules(struct bh_policy_loader *l, yaml_node_t *n)
{
	yaml_node_pair_t *pair;
	int err, rule;

	if ((err = bh_policy_expect(l, n, YAML_MAPPING_NODE, "rules")))
		return err;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		if ((err = bh_policy_get_rule(l, bh_policy_node(l, pair->key), &rule)) ||
		    (err = parse_rule_settings(l, bh_policy_node(l, pair->value), rule)))
			return err;
	}
	return 0;
}

int bh_policy_get_strv(struct bh_policy_loader *l, yaml_node_t *n, const char *what, bool absolute,
		       char ***v, size_t *nv)
{
	yaml_node_item_t one = 0, *items = &one;
	size_t count = 1;
	char **out;
	int err;

	if (n->type == YAML_SEQUENCE_NODE) {
		items = n->data.sequence.items.start;
		count = (size_t)(n->data.sequence.items.top - items);
	} else if (n->type != YAML_SCALAR_NODE) {
		return bh_policy_fail(l, n, "%s must be a string or a list, not %s", what,
				      node_kind(n));
	}
	out = calloc(count ? count : 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	bh_strv_free(*v, *nv);
	*v = out;
	*nv = 0;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = items == &one ? n : bh_policy_node(l, items[i]);

		if ((err = bh_policy_get_string(l, item, what, &out[i])))
			return err;
		*nv = i + 1;
		if (absolute && out[i][0] != '/')
			return bh_policy_fail(l, item,
					      "%s entries must be absolute paths, not \"%s\"", what,
					      out[i]);
	}
	return 0;
}

static int parse_ports_entry(struct bh_policy_loader *l, yaml_node_t *n, struct bh_policy_ports *e)
{
	yaml_node_pair_t *pair;
	int err;

	if ((err = bh_policy_expect(l, n, YAML_MAPPING_NODE, "an allowed_ports entry")))
		return err;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = bh_policy_node(l, pair->key), *v = bh_policy_node(l, pair->value);
		const char *key = bh_policy_key(k);

		if (!strcmp(key, "image")) {
			if ((err = bh_policy_get_string(l, v, key, &e->image)))
				return err;
		} else if (!strcmp(key, "ports")) {
			size_t count;

			if ((err = bh_policy_expect(l, v, YAML_SEQUENCE_NODE, "ports")))
				return err;
			count = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			free(e->ports);
			e->n_ports = 0;
			e->ports = calloc(count ? count : 1, sizeof(*e->ports));
			if (!e->ports)
				return -ENOMEM;
			for (size_t i = 0; i < count; i++) {
				unsigned long port;

				err = bh_policy_get_uint(
					l, bh_policy_node(l, v->data.sequence.items.start[i]),
					"a port", 1, 65535, &port);
				if (err)
					return err;
				e->ports[e->n_ports++] = (uint16_t)port;
			}
		} else {
			return bh_policy_fail(
				l, k, "unknown key \"%s\" in allowed_ports (image, ports)", key);
		}
	}
	if (!e->image)
		return bh_policy_fail(
			l, n, "an allowed_ports entry needs an image (a glob, \"*\" for all)");
	return 0;
}

static int parse_allowed_ports(struct bh_policy_loader *l, yaml_node_t *n)
{
	size_t count;
	int err;

	if ((err = bh_policy_expect(l, n, YAML_SEQUENCE_NODE, "allowed_ports")))
		return err;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	l->p->allowed_ports = calloc(count ? count : 1, sizeof(*l->p->allowed_ports));
	if (!l->p->allowed_ports)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		l->p->n_allowed_ports = i + 1;
		err = parse_ports_entry(l, bh_policy_node(l, n->data.sequence.items.start[i]),
					&l->p->allowed_ports[i]);
		if (err)
			return err;
	}
	return 0;
}

static int parse_root(struct bh_policy_loader *l, yaml_node_t *root, bool *use_baseline)
{
	yaml_node_pair_t *pair;
	unsigned long window = 0;
	bool have_allow = false;
	int err;

	if ((err = bh_policy_expect(l, root, YAML_MAPPING_NODE, "the policy")))
		return err;
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = bh_policy_node(l, pair->key), *v = bh_policy_node(l, pair->value);
		const char *key = bh_policy_key(k);
		struct bh_policy *p = l->p;

		if (!strcmp(key, "rules")) {
			err = parse_rules(l, v);
		} else if (!strcmp(key, "allow")) {
			err = have_allow ? bh_policy_fail(l, k, "allow given twice")
					 : bh_policy_parse_allow(l, v);
			have_allow = true;
		} else if (!strcmp(key, "baseline")) {
			err = bh_policy_get_bool(l, v, key, use_baseline);
		} else if (!strcmp(key, "sensitive_paths")) {
			err = bh_policy_get_strv(l, v, key, true, &p->sensitive_paths,
						 &p->n_sensitive_paths);
		} else if (!strcmp(key, "runtime_sockets")) {
			err = bh_policy_get_strv(l, v, key, false, &p->runtime_sockets,
						 &p->n_runtime_sockets);
		} else if (!strcmp(key, "allowed_ports")) {
			err = p->allowed_ports ? bh_policy_fail(l, k, "allowed_ports given twice")
					       : parse_allowed_ports(l, v);
		} else if (!strcmp(key, "exports")) {
			err = bh_policy_get_strv(l, v, key, false, &p->exports, &p->n_exports);
		} else if (!strcmp(key, "dedup_window_seconds")) {
			err = bh_policy_get_uint(l, v, key, 1, 86400, &window);
			if (!err)
				p->dedup_window_s = (unsigned int)window;
		} else {
			err = bh_policy_fail(l, k,
					     "unknown key \"%s\" (rules, allow, baseline, "
					     "sensitive_paths, runtime_sockets, allowed_ports, "
					     "dedup_window_seconds, exports)",
					     key);
		}
		if (err)
			return err;
	}
	return 0;
}

/* Parses text into l->p (a base policy); *use_baseline as the file says (else unchanged). */
static int parse_into(struct bh_policy_loader *l, const char *text, size_t len, bool *use_baseline)
{
	yaml_parser_t parser;
	yaml_node_t *root;
	int err = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &l->doc)) {
		bh_error("%s:%zu:%zu: %s", l->name, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "not valid YAML");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&l->doc);
	/* An empty file is the built-in policy. */
	if (root && !(root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
		err = parse_root(l, root, use_baseline);
	yaml_document_delete(&l->doc);
	yaml_parser_delete(&parser);
	return err;
}

/* Appends the baseline's allow entries to p's. */
static int append_baseline(struct bh_policy *p, int64_t now)
{
	struct bh_policy_loader l = { .name = "baseline.yaml", .now = now, .baseline = true };
	bool ignored = true;
	int err;

	l.p = p;
	err = parse_into(&l, baseline_yaml, sizeof(baseline_yaml) - 1, &ignored);
	/* The baseline is part of the binary: a test keeps it valid. */
	return err == -EINVAL ? -EPROTO : err;
}

struct bh_policy *bh_policy_default(void)
{
	struct bh_policy *p = policy_base();

	if (p && append_baseline(p, (int64_t)time(NULL))) {
		bh_policy_free(p);
		return NULL;
	}
	return p;
}

int bh_policy_parse(const char *name, const char *text, size_t len, struct bh_policy **out)
{
	struct bh_policy_loader l = { .name = name, .now = (int64_t)time(NULL) };
	bool use_baseline = true;
	int err;

	*out = NULL;
	l.p = policy_base();
	if (!l.p)
		return -ENOMEM;
	err = parse_into(&l, text, len, &use_baseline);
	if (!err && use_baseline)
		err = append_baseline(l.p, l.now);
	if (err) {
		bh_policy_free(l.p);
		return err;
	}
	bh_sha256_hex(text, len, l.p->sha256);
	*out = l.p;
	return 0;
}

int bh_policy_load(const char *path, struct bh_policy **out)
{
	char *text = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	err = bh_read_file(path, &text, &len);
	if (err) {
		bh_error("cannot read policy %s: %s", path, strerror(-err));
		return err;
	}
	err = bh_policy_parse(path, text ? text : "", len, out);
	free(text);
	return err;
}
