// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy_allow.c - the policy's allow entries: their YAML (who, what evidence, reason,
 * expires, action) and whether one covers a finding.
 */
#define _GNU_SOURCE /* timegm */
#include "policy_impl.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "core/json_reader.h"
#include "core/log.h"
#include "rule_impl.h"

void bh_policy_allow_clear(struct bh_policy_allow *a)
{
	free(a->id);
	free(a->container_name);
	free(a->image);
	bh_strv_free(a->repositories, a->n_repositories);
	bh_strv_free(a->namespaces, a->n_namespaces);
	for (size_t i = 0; i < a->n_labels; i++) {
		free(a->labels[i].key);
		free(a->labels[i].value);
	}
	free(a->labels);
	free(a->exe);
	for (size_t i = 0; i < a->n_mounts; i++) {
		free(a->mounts[i].source);
		free(a->mounts[i].destination);
	}
	free(a->mounts);
	free(a->ports);
	bh_strv_free(a->peer_paths, a->n_peer_paths);
	free(a->reason);
}

void bh_image_repository(const char *image, char *buf, size_t size)
{
	const char *slash, *colon;
	size_t len = strcspn(image, "@"); /* a digest goes */
	size_t first = strcspn(image, "/");
	const char *prefix = "";

	/* a tag goes: a colon after the last slash (a colon before it is a registry's port) */
	colon = memrchr(image, ':', len);
	slash = memrchr(image, '/', len);
	if (colon && (!slash || colon > slash))
		len = (size_t)(colon - image);
	/* docker's defaults: no registry is docker.io, a single name is an official image */
	if (first >= len)
		prefix = "docker.io/library/";
	else if (!memchr(image, '.', first) && !memchr(image, ':', first) &&
		 strncmp(image, "localhost/", 10))
		prefix = "docker.io/";
	snprintf(buf, size, "%s%.*s", prefix, (int)len, image);
}

/* A glob against a value that may be unknown (NULL never matches). */
static bool glob_match(const char *pattern, const char *value)
{
	return value && fnmatch(pattern, value, 0) == 0;
}

static bool any_glob(char *const *globs, size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (glob_match(globs[i], value))
			return true;
	return false;
}

static const char *label_value(const struct bh_container *c, const char *key)
{
	for (size_t i = 0; c && i < c->n_labels; i++)
		if (!strcmp(c->labels[i].key, key))
			return c->labels[i].value;
	return NULL;
}

bool bh_allow_matches_who(const struct bh_policy_allow *a, unsigned int rule,
			  const struct bh_container *c, const char *exe, int64_t now)
{
	const char *name = c ? c->name : NULL;

	if (a->rules && !(a->rules & (1u << rule)))
		return false;
	if (a->expires && now >= a->expires)
		return false;
	if (a->n_namespaces &&
	    !any_glob(a->namespaces, a->n_namespaces, c ? c->pod_namespace : NULL))
		return false;
	/* Docker reports names with a leading "/"; policies write them without. */
	if (name && name[0] == '/')
		name++;
	if (a->container_name && !glob_match(a->container_name, name))
		return false;
	if (a->image && !glob_match(a->image, c ? c->image : NULL))
		return false;
	if (a->n_repositories) {
		char repo[512];

		if (!c || !c->image)
			return false;
		bh_image_repository(c->image, repo, sizeof(repo));
		if (!any_glob(a->repositories, a->n_repositories, repo))
			return false;
	}
	for (size_t i = 0; i < a->n_labels; i++)
		if (!glob_match(a->labels[i].value, label_value(c, a->labels[i].key)))
			return false;
	return !a->exe || glob_match(a->exe, exe);
}

bool bh_allow_has_evidence(const struct bh_policy_allow *a)
{
	return a->capabilities || a->n_mounts || a->n_ports || a->n_peer_paths || a->ns_kinds;
}

/* Evidence kinds: each returns -1 when the finding has none of that kind, else 1 or 0. */

static int caps_covered(const struct bh_policy_allow *a, struct json_object *ev)
{
	static const char *const keys[] = { "capabilities", "caps_gained" };
	int found = -1;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		struct json_object *list = bh_jobj_get(ev, keys[k], json_type_array);
		size_t n = list ? json_object_array_length(list) : 0;

		if (!list)
			continue;
		found = 1;
		for (size_t i = 0; i < n; i++) {
			int cap = bh_cap_from_name(
				json_object_get_string(json_object_array_get_idx(list, i)));

			if (cap < 0 || !(a->capabilities & (1ULL << cap)))
				return 0;
		}
	}
	return found;
}

static bool mount_covered(const struct bh_policy_allow *a, const char *src, const char *dst)
{
	for (size_t i = 0; i < a->n_mounts; i++) {
		const struct bh_policy_mount *m = &a->mounts[i];

		if ((!m->source || glob_match(m->source, src)) &&
		    (!m->destination || glob_match(m->destination, dst)))
			return true;
	}
	return false;
}

static int mounts_covered(const struct bh_policy_allow *a, struct json_object *ev)
{
	struct json_object *list = bh_jobj_get(ev, "mounts", json_type_array);
	const char *target = bh_jobj_str(ev, "target");

	if (list) {
		size_t n = json_object_array_length(list);

		for (size_t i = 0; i < n; i++) {
			struct json_object *m = json_object_array_get_idx(list, i);
			const char *src = bh_jobj_str(m, "host_path");

			if (!mount_covered(a, src ? src : bh_jobj_str(m, "source"),
					   bh_jobj_str(m, "destination")))
				return 0;
		}
		return 1;
	}
	/* a mount call: what it mounted where */
	if (target)
		return mount_covered(a, bh_jobj_str(ev, "source"), target);
	return -1;
}

static bool port_listed(const struct bh_policy_allow *a, struct json_object *v)
{
	int64_t port = json_object_get_int64(v);

	for (size_t i = 0; i < a->n_ports; i++)
		if (a->ports[i] == port)
			return true;
	return false;
}

static int ports_covered(const struct bh_policy_allow *a, struct json_object *ev)
{
	static const char *const keys[] = { "port", "host_port" };
	struct json_object *list = bh_jobj_get(ev, "ports", json_type_array);
	int found = -1;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		struct json_object *v = bh_jobj_get(ev, keys[k], json_type_int);

		if (!v)
			continue;
		found = 1;
		if (!port_listed(a, v))
			return 0;
	}
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		found = 1;
		if (!port_listed(a, bh_jobj_get(json_object_array_get_idx(list, i), "host_port",
						json_type_int)))
			return 0;
	}
	return found;
}

static int ns_kind_of(const char *name)
{
	for (int k = 0; name && k < BH_NS_KINDS; k++)
		if (!strcmp(name, bh_ns_name(k)))
			return k;
	return -1;
}

static int ns_covered(const struct bh_policy_allow *a, struct json_object *ev)
{
	struct json_object *names = bh_jobj_get(ev, "namespaces", json_type_array);
	struct json_object *entered = bh_jobj_get(ev, "entered_host", json_type_array);
	int found = -1;

	for (size_t i = 0; names && i < json_object_array_length(names); i++) {
		int k = ns_kind_of(json_object_get_string(json_object_array_get_idx(names, i)));

		found = 1;
		if (k < 0 || !(a->ns_kinds & (1u << k)))
			return 0;
	}
	for (size_t i = 0; entered && i < json_object_array_length(entered); i++) {
		int k = ns_kind_of(bh_jobj_str(json_object_array_get_idx(entered, i), "type"));

		found = 1;
		if (k < 0 || !(a->ns_kinds & (1u << k)))
			return 0;
	}
	return found;
}

bool bh_allow_matches_evidence(const struct bh_policy_allow *a, const char *evidence, size_t len)
{
	struct json_object *ev = bh_jobj_parse(evidence, len);
	const char *peer;
	bool ok = ev != NULL;

	if (ok && a->capabilities)
		ok = caps_covered(a, ev) == 1;
	if (ok && a->n_mounts)
		ok = mounts_covered(a, ev) == 1;
	if (ok && a->n_ports)
		ok = ports_covered(a, ev) == 1;
	if (ok && a->n_peer_paths) {
		peer = bh_jobj_str(ev, "peer_path");
		ok = any_glob(a->peer_paths, a->n_peer_paths, peer);
	}
	if (ok && a->ns_kinds)
		ok = ns_covered(a, ev) == 1;
	json_object_put(ev);
	return ok;
}

/* The YAML of an entry. */

static int parse_caps(struct bh_policy_loader *l, yaml_node_t *n, uint64_t *mask)
{
	char **names = NULL;
	size_t count = 0;
	int err = bh_policy_get_strv(l, n, "capabilities", false, &names, &count);

	for (size_t i = 0; !err && i < count; i++) {
		int cap = bh_cap_from_name(names[i]);

		if (cap < 0)
			err = bh_policy_fail(l, n, "unknown capability \"%s\" (e.g. NET_ADMIN)",
					     names[i]);
		else
			*mask |= 1ULL << cap;
	}
	bh_strv_free(names, count);
	return err;
}

static int parse_host_namespaces(struct bh_policy_loader *l, yaml_node_t *n, unsigned int *mask)
{
	char **names = NULL;
	size_t count = 0;
	int err = bh_policy_get_strv(l, n, "host_namespaces", false, &names, &count);

	for (size_t i = 0; !err && i < count; i++) {
		int k = ns_kind_of(names[i]);

		if (k < 0)
			err = bh_policy_fail(l, n,
					     "unknown namespace kind \"%s\" (pid, net, ipc, uts, "
					     "mnt, cgroup, user, time)",
					     names[i]);
		else
			*mask |= 1u << k;
	}
	bh_strv_free(names, count);
	return err;
}

static int parse_ports(struct bh_policy_loader *l, yaml_node_t *n, struct bh_policy_allow *a)
{
	size_t count;
	int err;

	if (a->ports)
		return bh_policy_fail(l, n, "ports given twice in an allow entry");
	if ((err = bh_policy_expect(l, n, YAML_SEQUENCE_NODE, "ports")))
		return err;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	a->ports = calloc(count ? count : 1, sizeof(*a->ports));
	if (!a->ports)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		unsigned long port;

		err = bh_policy_get_uint(l, bh_policy_node(l, n->data.sequence.items.start[i]),
					 "a port", 1, 65535, &port);
		if (err)
			return err;
		a->ports[a->n_ports++] = (uint16_t)port;
	}
	return 0;
}

static int parse_mount(struct bh_policy_loader *l, yaml_node_t *n, struct bh_policy_mount *m)
{
	yaml_node_pair_t *pair;
	int err;

	if ((err = bh_policy_expect(l, n, YAML_MAPPING_NODE, "a mounts entry")))
		return err;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = bh_policy_node(l, pair->key), *v = bh_policy_node(l, pair->value);
		const char *key = bh_policy_key(k);

		if (!strcmp(key, "source"))
			err = bh_policy_get_string(l, v, key, &m->source);
		else if (!strcmp(key, "destination"))
			err = bh_policy_get_string(l, v, key, &m->destination);
		else
			err = bh_policy_fail(
				l, k, "unknown key \"%s\" in a mounts entry (source, destination)",
				key);
		if (err)
			return err;
	}
	if (!m->source && !m->destination)
		return bh_policy_fail(l, n, "a mounts entry needs a source or a destination glob");
	return 0;
}

static int parse_mounts(struct bh_policy_loader *l, yaml_node_t *n, struct bh_policy_allow *a)
{
	size_t count;
	int err;

	if (a->mounts)
		return bh_policy_fail(l, n, "mounts given twice in an allow entry");
	if ((err = bh_policy_expect(l, n, YAML_SEQUENCE_NODE, "mounts")))
		return err;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	a->mounts = calloc(count ? count : 1, sizeof(*a->mounts));
	if (!a->mounts)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		a->n_mounts = i + 1;
		err = parse_mount(l, bh_policy_node(l, n->data.sequence.items.start[i]),
				  &a->mounts[i]);
		if (err)
			return err;
	}
	return 0;
}

static int parse_labels(struct bh_policy_loader *l, yaml_node_t *n, struct bh_policy_allow *a)
{
	yaml_node_pair_t *pair;
	size_t count;
	int err;

	if (a->labels)
		return bh_policy_fail(l, n, "labels given twice in an allow entry");
	if ((err = bh_policy_expect(l, n, YAML_MAPPING_NODE, "labels")))
		return err;
	count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	a->labels = calloc(count ? count : 1, sizeof(*a->labels));
	if (!a->labels)
		return -ENOMEM;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		struct bh_label *lb = &a->labels[a->n_labels++];

		if ((err = bh_policy_get_string(l, bh_policy_node(l, pair->key), "a label key",
						&lb->key)) ||
		    (err = bh_policy_get_string(l, bh_policy_node(l, pair->value), "a label value",
						&lb->value)))
			return err;
	}
	return 0;
}

/* "YYYY-MM-DD": the entry applies through that day (UTC). */
static int parse_expires(struct bh_policy_loader *l, yaml_node_t *n, struct bh_policy_allow *a)
{
	char *s = NULL, *end;
	struct tm tm = { 0 };
	int err = bh_policy_get_string(l, n, "expires", &s);

	if (err)
		return err;
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end) {
		err = bh_policy_fail(l, n, "expires must be a date, YYYY-MM-DD, not \"%s\"", s);
	} else {
		tm.tm_mday++; /* timegm normalizes the day after */
		a->expires = (int64_t)timegm(&tm);
	}
	free(s);
	return err;
}

static int parse_action(struct bh_policy_loader *l, yaml_node_t *n, struct bh_policy_allow *a)
{
	char *s = NULL;
	int err = bh_policy_get_string(l, n, "action", &s);

	if (!err && strcmp(s, "allow") && strcmp(s, "accept"))
		err = bh_policy_fail(l, n,
				     "action must be allow (hide the finding) or accept "
				     "(report it as accepted, severity info)");
	if (!err)
		a->accept = !strcmp(s, "accept");
	free(s);
	return err;
}

static int parse_entry_key(struct bh_policy_loader *l, yaml_node_t *k, yaml_node_t *v,
			   struct bh_policy_allow *a)
{
	const char *key = bh_policy_key(k);
	int err = 0, rule;

	if (!strcmp(key, "rules")) {
		if ((err = bh_policy_expect(l, v, YAML_SEQUENCE_NODE, "rules")))
			return err;
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++) {
			if ((err = bh_policy_get_rule(l, bh_policy_node(l, *it), &rule)))
				return err;
			a->rules |= 1u << rule;
		}
		return 0;
	}
	if (!strcmp(key, "id"))
		return bh_policy_get_string(l, v, key, &a->id);
	if (!strcmp(key, "container_name"))
		return bh_policy_get_string(l, v, key, &a->container_name);
	if (!strcmp(key, "image"))
		return bh_policy_get_string(l, v, key, &a->image);
	if (!strcmp(key, "repository"))
		return bh_policy_get_strv(l, v, key, false, &a->repositories, &a->n_repositories);
	if (!strcmp(key, "namespace"))
		return bh_policy_get_strv(l, v, key, false, &a->namespaces, &a->n_namespaces);
	if (!strcmp(key, "labels"))
		return parse_labels(l, v, a);
	if (!strcmp(key, "exe"))
		return bh_policy_get_string(l, v, key, &a->exe);
	if (!strcmp(key, "capabilities"))
		return parse_caps(l, v, &a->capabilities);
	if (!strcmp(key, "mounts"))
		return parse_mounts(l, v, a);
	if (!strcmp(key, "ports"))
		return parse_ports(l, v, a);
	if (!strcmp(key, "peer_path"))
		return bh_policy_get_strv(l, v, key, false, &a->peer_paths, &a->n_peer_paths);
	if (!strcmp(key, "host_namespaces"))
		return parse_host_namespaces(l, v, &a->ns_kinds);
	if (!strcmp(key, "reason"))
		return bh_policy_get_string(l, v, key, &a->reason);
	if (!strcmp(key, "expires"))
		return parse_expires(l, v, a);
	if (!strcmp(key, "action"))
		return parse_action(l, v, a);
	return bh_policy_fail(l, k,
			      "unknown key \"%s\" in an allow entry (id, rules, container_name, "
			      "image, repository, namespace, labels, exe, capabilities, mounts, "
			      "ports, peer_path, host_namespaces, reason, expires, action)",
			      key);
}

static int parse_entry(struct bh_policy_loader *l, yaml_node_t *n, struct bh_policy_allow *a,
		       size_t index)
{
	yaml_node_pair_t *pair;
	char date[16];
	int err;

	if ((err = bh_policy_expect(l, n, YAML_MAPPING_NODE, "an allow entry")))
		return err;
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++)
		if ((err = parse_entry_key(l, bh_policy_node(l, pair->key),
					   bh_policy_node(l, pair->value), a)))
			return err;
	/* An entry without a matcher would silence its rules everywhere: say so. */
	if (!a->container_name && !a->image && !a->n_namespaces && !a->exe && !a->n_repositories &&
	    !a->n_labels)
		return bh_policy_fail(
			l, n,
			"an allow entry needs container_name, image, namespace or exe "
			"(or repository, labels) to say whom it covers (to turn a rule "
			"off use rules: {RULE: {enabled: false}})");
	if (l->baseline && (!a->reason || !a->id))
		return bh_policy_fail(l, n, "a baseline entry needs an id and a reason");
	a->baseline = l->baseline;
	if (!a->id) {
		char id[32];

		snprintf(id, sizeof(id), "allow[%zu]", index);
		if (!(a->id = strdup(id)))
			return -ENOMEM;
	}
	if (a->expires && l->now >= a->expires) {
		time_t last = (time_t)(a->expires - 86400);
		struct tm tm;

		l->p->n_expired++;
		strftime(date, sizeof(date), "%Y-%m-%d", gmtime_r(&last, &tm));
		bh_warn("%s:%zu: allow entry %s expired on %s: it is ignored (renew or remove it)",
			l->name, n->start_mark.line + 1, a->id, date);
	}
	return 0;
}

int bh_policy_parse_allow(struct bh_policy_loader *l, yaml_node_t *n)
{
	struct bh_policy *p = l->p;
	struct bh_policy_allow *grown;
	size_t count;
	int err;

	if ((err = bh_policy_expect(l, n, YAML_SEQUENCE_NODE, "allow")))
		return err;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	grown = realloc(p->allow, (p->n_allow + count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->allow = grown;
	for (size_t i = 0; i < count; i++) {
		struct bh_policy_allow *a = &p->allow[p->n_allow];

		memset(a, 0, sizeof(*a));
		p->n_allow++; /* freed with the policy whatever happens */
		err = parse_entry(l, bh_policy_node(l, n->data.sequence.items.start[i]), a, i);
		if (err)
			return err;
	}
	return 0;
}
