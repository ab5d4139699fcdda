// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* policy.c - the policy: built-in defaults, the YAML loader (libyaml) and its lookups. */
#include "policy.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "core/log.h"

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

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void bh_policy_free(struct bh_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_allow; i++) {
		free(p->allow[i].container_name);
		free(p->allow[i].image);
		free(p->allow[i].pod_namespace);
		free(p->allow[i].exe);
	}
	free(p->allow);
	free_strv(p->sensitive_paths, p->n_sensitive_paths);
	free_strv(p->runtime_sockets, p->n_runtime_sockets);
	free_strv(p->exports, p->n_exports);
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
			free_strv(v, i);
			return -ENOMEM;
		}
	}
	*out = v;
	return 0;
}

struct bh_policy *bh_policy_default(void)
{
	struct bh_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	for (int i = 0; i < BH_RULE_COUNT; i++) {
		p->rules[i].enabled = true;
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

/* A glob against a value that may be unknown (NULL never matches). */
static bool glob_match(const char *pattern, const char *value)
{
	return value && fnmatch(pattern, value, 0) == 0;
}

bool bh_policy_allows(const struct bh_policy *p, unsigned int rule, const struct bh_container *c,
		      const char *exe)
{
	for (size_t i = 0; i < p->n_allow; i++) {
		const struct bh_policy_allow *a = &p->allow[i];
		const char *name = c ? c->name : NULL;

		if (a->rules && !(a->rules & (1u << rule)))
			continue;
		/* Docker reports names with a leading "/"; policies write them without. */
		if (name && name[0] == '/')
			name++;
		if (a->container_name && !glob_match(a->container_name, name))
			continue;
		if (a->image && !glob_match(a->image, c ? c->image : NULL))
			continue;
		if (a->pod_namespace && !glob_match(a->pod_namespace, c ? c->pod_namespace : NULL))
			continue;
		if (a->exe && !glob_match(a->exe, exe))
			continue;
		return true;
	}
	return false;
}

bool bh_policy_port_allowed(const struct bh_policy *p, const char *image, uint16_t port)
{
	for (size_t i = 0; i < p->n_allowed_ports; i++) {
		const struct bh_policy_ports *e = &p->allowed_ports[i];

		if (!glob_match(e->image, image))
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

struct loader {
	const char *name;
	yaml_document_t doc;
	struct bh_policy *p;
};

static int fail(const struct loader *l, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(const struct loader *l, const yaml_node_t *n, const char *fmt, ...)
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

static yaml_node_t *node(struct loader *l, int id)
{
	return yaml_document_get_node(&l->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* A non-empty string; quoted or plain. */
static int get_string(struct loader *l, yaml_node_t *n, const char *what, char **out)
{
	char *s;

	if (n->type != YAML_SCALAR_NODE || !n->data.scalar.length)
		return fail(l, n, "%s must be a string, not %s", what, node_kind(n));
	s = strdup(scalar(n));
	if (!s)
		return -ENOMEM;
	free(*out);
	*out = s;
	return 0;
}

static int get_bool(struct loader *l, yaml_node_t *n, const char *what, bool *out)
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
	return fail(l, n, "%s must be true or false", what);
}

static int get_uint(struct loader *l, yaml_node_t *n, const char *what, unsigned long min,
		    unsigned long max, unsigned long *out)
{
	const char *s = scalar(n);
	unsigned long v;
	char *end;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    !n->data.scalar.length || s[0] < '0' || s[0] > '9')
		return fail(l, n, "%s must be a number from %lu to %lu", what, min, max);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return fail(l, n, "%s must be a number from %lu to %lu", what, min, max);
	*out = v;
	return 0;
}

static int get_rule(struct loader *l, yaml_node_t *n, int *rule)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail(l, n, "a rule id must be a string, not %s", node_kind(n));
	*rule = bh_rule_lookup(scalar(n));
	if (*rule < 0)
		return fail(l, n, "unknown rule id \"%s\" (`bulkhead rules` lists them)",
			    scalar(n));
	return 0;
}

static int expect(struct loader *l, yaml_node_t *n, yaml_node_type_t type, const char *what)
{
	if (n->type == type)
		return 0;
	return fail(l, n, "%s must be %s, not %s", what,
		    type == YAML_MAPPING_NODE ? "a mapping" : "a list", node_kind(n));
}

static int parse_rule_settings(struct loader *l, yaml_node_t *n, int rule)
{
	struct bh_policy_rule *pr = &l->p->rules[rule];
	yaml_node_pair_t *pair;
	int err;

	if ((err = expect(l, n, YAML_MAPPING_NODE, "a rule's settings")))
		return err;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node(l, pair->key), *v = node(l, pair->value);
		const char *key = k->type == YAML_SCALAR_NODE ? scalar(k) : "";

		if (!strcmp(key, "enabled")) {
			err = get_bool(l, v, "enabled", &pr->enabled);
		} else if (!strcmp(key, "severity")) {
			int sev = v->type == YAML_SCALAR_NODE ? bh_severity_lookup(scalar(v)) : -1;

			if (sev < 0)
				return fail(l, v,
					    "bad severity: use low, medium, high or critical");
			pr->severity = sev;
		} else {
			return fail(l, k, "unknown key \"%s\" in rule settings (enabled, severity)",
				    key);
		}
		if (err)
			return err;
	}
	return 0;
}

static int parse_rules(struct loader *l, yaml_node_t *n)
{
	yaml_node_pair_t *pair;
	int err, rule;

	if ((err = expect(l, n, YAML_MAPPING_NODE, "rules")))
		return err;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		if ((err = get_rule(l, node(l, pair->key), &rule)) ||
		    (err = parse_rule_settings(l, node(l, pair->value), rule)))
			return err;
	}
	return 0;
}

static int parse_allow_entry(struct loader *l, yaml_node_t *n, struct bh_policy_allow *a)
{
	yaml_node_pair_t *pair;
	yaml_node_item_t *it;
	int err = 0, rule;

	if ((err = expect(l, n, YAML_MAPPING_NODE, "an allow entry")))
		return err;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node(l, pair->key), *v = node(l, pair->value);
		const char *key = k->type == YAML_SCALAR_NODE ? scalar(k) : "";

		if (!strcmp(key, "rules")) {
			if ((err = expect(l, v, YAML_SEQUENCE_NODE, "rules")))
				return err;
			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
			     it++) {
				if ((err = get_rule(l, node(l, *it), &rule)))
					return err;
				a->rules |= 1u << rule;
			}
		} else if (!strcmp(key, "container_name")) {
			err = get_string(l, v, key, &a->container_name);
		} else if (!strcmp(key, "image")) {
			err = get_string(l, v, key, &a->image);
		} else if (!strcmp(key, "namespace")) {
			err = get_string(l, v, key, &a->pod_namespace);
		} else if (!strcmp(key, "exe")) {
			err = get_string(l, v, key, &a->exe);
		} else {
			return fail(l, k,
				    "unknown key \"%s\" in an allow entry (rules, container_name, "
				    "image, namespace, exe)",
				    key);
		}
		if (err)
			return err;
	}
	/* An entry without a matcher would silence its rules everywhere: say so. */
	if (!a->container_name && !a->image && !a->pod_namespace && !a->exe)
		return fail(l, n,
			    "an allow entry needs container_name, image, namespace or exe "
			    "(to turn a rule off use rules: {RULE: {enabled: false}})");
	return 0;
}

static int parse_allow(struct loader *l, yaml_node_t *n)
{
	size_t count;
	int err;

	if ((err = expect(l, n, YAML_SEQUENCE_NODE, "allow")))
		return err;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	l->p->allow = calloc(count ? count : 1, sizeof(*l->p->allow));
	if (!l->p->allow)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		l->p->n_allow = i + 1;
		err = parse_allow_entry(l, node(l, n->data.sequence.items.start[i]),
					&l->p->allow[i]);
		if (err)
			return err;
	}
	return 0;
}

/* A list of strings replacing a default list; absolute: paths must start with '/'. */
static int parse_strv(struct loader *l, yaml_node_t *n, const char *what, bool absolute, char ***v,
		      size_t *nv)
{
	size_t count;
	char **out;
	int err;

	if ((err = expect(l, n, YAML_SEQUENCE_NODE, what)))
		return err;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	out = calloc(count ? count : 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	free_strv(*v, *nv);
	*v = out;
	*nv = 0;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = node(l, n->data.sequence.items.start[i]);

		if ((err = get_string(l, item, what, &out[i])))
			return err;
		*nv = i + 1;
		if (absolute && out[i][0] != '/')
			return fail(l, item, "%s entries must be absolute paths, not \"%s\"", what,
				    out[i]);
	}
	return 0;
}

static int parse_ports_entry(struct loader *l, yaml_node_t *n, struct bh_policy_ports *e)
{
	yaml_node_pair_t *pair;
	int err;

	if ((err = expect(l, n, YAML_MAPPING_NODE, "an allowed_ports entry")))
		return err;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node(l, pair->key), *v = node(l, pair->value);
		const char *key = k->type == YAML_SCALAR_NODE ? scalar(k) : "";

		if (!strcmp(key, "image")) {
			if ((err = get_string(l, v, key, &e->image)))
				return err;
		} else if (!strcmp(key, "ports")) {
			size_t count;

			if ((err = expect(l, v, YAML_SEQUENCE_NODE, "ports")))
				return err;
			count = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			free(e->ports);
			e->n_ports = 0;
			e->ports = calloc(count ? count : 1, sizeof(*e->ports));
			if (!e->ports)
				return -ENOMEM;
			for (size_t i = 0; i < count; i++) {
				unsigned long port;

				err = get_uint(l, node(l, v->data.sequence.items.start[i]),
					       "a port", 1, 65535, &port);
				if (err)
					return err;
				e->ports[e->n_ports++] = (uint16_t)port;
			}
		} else {
			return fail(l, k, "unknown key \"%s\" in allowed_ports (image, ports)",
				    key);
		}
	}
	if (!e->image)
		return fail(l, n, "an allowed_ports entry needs an image (a glob, \"*\" for all)");
	return 0;
}

static int parse_allowed_ports(struct loader *l, yaml_node_t *n)
{
	size_t count;
	int err;

	if ((err = expect(l, n, YAML_SEQUENCE_NODE, "allowed_ports")))
		return err;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	l->p->allowed_ports = calloc(count ? count : 1, sizeof(*l->p->allowed_ports));
	if (!l->p->allowed_ports)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		l->p->n_allowed_ports = i + 1;
		err = parse_ports_entry(l, node(l, n->data.sequence.items.start[i]),
					&l->p->allowed_ports[i]);
		if (err)
			return err;
	}
	return 0;
}

static int parse_root(struct loader *l, yaml_node_t *root)
{
	yaml_node_pair_t *pair;
	unsigned long window;
	int err;

	if ((err = expect(l, root, YAML_MAPPING_NODE, "the policy")))
		return err;
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node(l, pair->key), *v = node(l, pair->value);
		const char *key = k->type == YAML_SCALAR_NODE ? scalar(k) : "";
		struct bh_policy *p = l->p;

		if (!strcmp(key, "rules")) {
			err = parse_rules(l, v);
		} else if (!strcmp(key, "allow")) {
			err = p->allow ? fail(l, k, "allow given twice") : parse_allow(l, v);
		} else if (!strcmp(key, "sensitive_paths")) {
			err = parse_strv(l, v, key, true, &p->sensitive_paths,
					 &p->n_sensitive_paths);
		} else if (!strcmp(key, "runtime_sockets")) {
			err = parse_strv(l, v, key, false, &p->runtime_sockets,
					 &p->n_runtime_sockets);
		} else if (!strcmp(key, "allowed_ports")) {
			err = p->allowed_ports ? fail(l, k, "allowed_ports given twice")
					       : parse_allowed_ports(l, v);
		} else if (!strcmp(key, "exports")) {
			err = parse_strv(l, v, key, false, &p->exports, &p->n_exports);
		} else if (!strcmp(key, "dedup_window_seconds")) {
			err = get_uint(l, v, key, 1, 86400, &window);
			if (!err)
				p->dedup_window_s = (unsigned int)window;
		} else {
			err = fail(l, k,
				   "unknown key \"%s\" (rules, allow, sensitive_paths, "
				   "runtime_sockets, allowed_ports, dedup_window_seconds, exports)",
				   key);
		}
		if (err)
			return err;
	}
	return 0;
}

int bh_policy_parse(const char *name, const char *text, size_t len, struct bh_policy **out)
{
	struct loader l = { .name = name };
	yaml_parser_t parser;
	yaml_node_t *root;
	int err = 0;

	*out = NULL;
	l.p = bh_policy_default();
	if (!l.p)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		bh_policy_free(l.p);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &l.doc)) {
		bh_error("%s:%zu:%zu: %s", name, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "not valid YAML");
		yaml_parser_delete(&parser);
		bh_policy_free(l.p);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&l.doc);
	/* An empty file is the built-in policy. */
	if (root && !(root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
		err = parse_root(&l, root);
	yaml_document_delete(&l.doc);
	yaml_parser_delete(&parser);
	if (err) {
		bh_policy_free(l.p);
		return err;
	}
	*out = l.p;
	return 0;
}

/* Reads a whole file into a NUL-terminated buffer. Returns 0 or -errno. */
static int read_file(const char *path, char **out, size_t *out_len)
{
	char buf[4096], *text = NULL;
	size_t n, len = 0;
	int err = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		char *t = realloc(text, len + n + 1);

		if (!t) {
			err = -ENOMEM;
			break;
		}
		text = t;
		memcpy(text + len, buf, n);
		len += n;
	}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	if (err) {
		free(text);
		return err;
	}
	*out = text;
	*out_len = len;
	return 0;
}

int bh_policy_load(const char *path, struct bh_policy **out)
{
	char *text = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	err = read_file(path, &text, &len);
	if (err) {
		bh_error("cannot read policy %s: %s", path, strerror(-err));
		return err;
	}
	err = bh_policy_parse(path, text ? text : "", len, out);
	free(text);
	return err;
}
