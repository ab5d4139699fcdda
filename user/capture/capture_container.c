// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* capture_container.c - a struct bh_container as JSON in a capture file, and back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "container/spec.h"
#include "core/json_reader.h"

/* bh_container.runtime points at static names: a read one is matched back to them. */
static const char *const runtimes[] = { "docker", "containerd", "cri-o", "podman" };

static void config_json(struct bh_json *w, const struct bh_container_config *cfg)
{
	bh_json_obj_begin(w);
	bh_json_key_bool(w, "known", cfg->known);
	bh_json_key_bool(w, "privileged", cfg->privileged);
	bh_json_key_bool(w, "no_new_privileges", cfg->no_new_privileges);
	bh_json_key_bool(w, "readonly_rootfs", cfg->readonly_rootfs);
	bh_json_key_bool(w, "seccomp", cfg->seccomp);
	bh_json_key_bool(w, "devices_unrestricted", cfg->devices_unrestricted);
	bh_json_key_str_opt(w, "apparmor_profile", cfg->apparmor_profile);
	bh_json_key_str_opt(w, "selinux_label", cfg->selinux_label);
	bh_json_key_hex(w, "cap_bounding", cfg->cap_bounding);
	bh_json_key_hex(w, "cap_effective", cfg->cap_effective);
	bh_json_key(w, "host_ns");
	bh_json_arr_begin(w);
	for (int k = 0; k < BH_NS_KINDS; k++)
		bh_json_bool(w, cfg->host_ns[k]);
	bh_json_arr_end(w);
	bh_json_key(w, "ns_path");
	bh_json_arr_begin(w);
	for (int k = 0; k < BH_NS_KINDS; k++)
		if (cfg->ns_path[k])
			bh_json_str(w, cfg->ns_path[k]);
		else
			bh_json_null(w);
	bh_json_arr_end(w);
	bh_json_key(w, "mounts");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct bh_mount_spec *m = &cfg->mounts[i];

		bh_json_obj_begin(w);
		bh_json_key_str_opt(w, "source", m->source);
		bh_json_key_str_opt(w, "destination", m->destination);
		bh_json_key_str_opt(w, "type", m->type);
		bh_json_key_bool(w, "bind", m->bind);
		bh_json_key_bool(w, "readonly", m->readonly);
		bh_json_key_str(w, "propagation", m->propagation);
		bh_json_key_str_opt(w, "host_path", m->host_path);
		bh_json_obj_end(w);
	}
	bh_json_arr_end(w);
	bh_json_key(w, "ports");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < cfg->n_ports; i++) {
		const struct bh_port_binding *p = &cfg->ports[i];

		bh_json_obj_begin(w);
		bh_json_key_uint(w, "container_port", p->container_port);
		bh_json_key_uint(w, "host_port", p->host_port);
		bh_json_key_str(w, "proto", p->proto);
		bh_json_key_str(w, "host_ip", p->host_ip);
		bh_json_obj_end(w);
	}
	bh_json_arr_end(w);
	bh_json_key(w, "exposed_ports");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < cfg->n_exposed_ports; i++)
		bh_json_str(w, cfg->exposed_ports[i] ? cfg->exposed_ports[i] : "");
	bh_json_arr_end(w);
	/* objects, as bh_strv_parse() reads a list back */
	bh_json_key(w, "devices");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < cfg->n_devices; i++) {
		bh_json_obj_begin(w);
		bh_json_key_str(w, "path", cfg->devices[i]);
		bh_json_obj_end(w);
	}
	bh_json_arr_end(w);
	bh_json_key_int(w, "memory_limit", cfg->memory_limit);
	bh_json_key_int(w, "pids_limit", cfg->pids_limit);
	bh_json_key_uint(w, "cpu_shares", cfg->cpu_shares);
	bh_json_key_bool(w, "user_known", cfg->user_known);
	bh_json_key_uint(w, "uid", cfg->uid);
	bh_json_key_str_opt(w, "cgroups_path", cfg->cgroups_path);
	bh_json_key_str_opt(w, "cgroup_parent", cfg->cgroup_parent);
	bh_json_key_str_opt(w, "restart_policy", cfg->restart_policy);
	bh_json_key_uint(w, "restart_max_retries", cfg->restart_max_retries);
	bh_json_key_uint(w, "healthcheck", cfg->healthcheck);
	bh_json_obj_end(w);
}

void bh_capture_container_json(struct bh_json *w, const struct bh_container *c)
{
	bh_json_reset(w);
	bh_json_obj_begin(w);
	bh_json_key_str(w, "id", c->id);
	bh_json_key_str_opt(w, "runtime", c->runtime);
	bh_json_key_str_opt(w, "name", c->name);
	bh_json_key_str_opt(w, "image", c->image);
	bh_json_key_str_opt(w, "pod_name", c->pod_name);
	bh_json_key_str_opt(w, "pod_namespace", c->pod_namespace);
	bh_json_key_str_opt(w, "pod_uid", c->pod_uid);
	bh_json_key_str_opt(w, "k8s_container", c->k8s_container);
	bh_json_key_str_opt(w, "bundle_path", c->bundle_path);
	bh_json_key_bool(w, "metadata_done", c->metadata_done);
	/* Pairs, not an object: order and duplicate keys survive the round trip; a pod's
	 * label is a triple, [key, value, true] */
	bh_json_key(w, "labels");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < c->n_labels; i++) {
		bh_json_arr_begin(w);
		bh_json_str(w, c->labels[i].key ? c->labels[i].key : "");
		bh_json_str(w, c->labels[i].value ? c->labels[i].value : "");
		if (c->labels[i].pod)
			bh_json_bool(w, true);
		bh_json_arr_end(w);
	}
	bh_json_arr_end(w);
	bh_json_key(w, "config");
	config_json(w, &c->config);
	bh_json_obj_end(w);
}

/* obj[key] copied into *dst when it is a string; -ENOMEM on allocation failure. */
static int take_str(struct json_object *obj, const char *key, char **dst)
{
	const char *s = bh_jobj_str(obj, key);

	return s ? bh_set_str(dst, s) : 0;
}

static __u64 hex_mask(struct json_object *obj, const char *key)
{
	const char *s = bh_jobj_str(obj, key);

	return s ? strtoull(s, NULL, 16) : 0;
}

static size_t arr_len(struct json_object *a)
{
	return a ? json_object_array_length(a) : 0;
}

/* host_path too: a replay judges what the agent had resolved on its host. */
static const struct bh_mount_keys capture_keys = { "source", "destination", "type", "host_path" };

/* As config_json() wrote them: bind, readonly and propagation verbatim. */
static void fill_capture_mount(struct json_object *o, struct bh_mount_spec *m)
{
	const char *prop = bh_jobj_str(o, "propagation");

	m->bind = bh_jobj_bool(o, "bind");
	m->readonly = bh_jobj_bool(o, "readonly");
	snprintf(m->propagation, sizeof(m->propagation), "%s", prop ? prop : "");
}

static int parse_ports(struct json_object *arr, struct bh_container_config *cfg)
{
	size_t n = arr_len(arr);

	if (!n)
		return 0;
	cfg->ports = calloc(n, sizeof(*cfg->ports));
	if (!cfg->ports)
		return -ENOMEM;
	cfg->n_ports = n;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		struct bh_port_binding *p = &cfg->ports[i];
		const char *proto = bh_jobj_str(o, "proto"), *ip = bh_jobj_str(o, "host_ip");

		if ((v = bh_jobj_get(o, "container_port", json_type_int)))
			p->container_port = (__u16)json_object_get_int(v);
		if ((v = bh_jobj_get(o, "host_port", json_type_int)))
			p->host_port = (__u16)json_object_get_int(v);
		snprintf(p->proto, sizeof(p->proto), "%s", proto ? proto : "");
		snprintf(p->host_ip, sizeof(p->host_ip), "%s", ip ? ip : "");
	}
	return 0;
}

static int parse_config(struct json_object *o, struct bh_container_config *cfg)
{
	struct json_object *hns = bh_jobj_get(o, "host_ns", json_type_array);
	struct json_object *nsp = bh_jobj_get(o, "ns_path", json_type_array);
	struct json_object *exp = bh_jobj_get(o, "exposed_ports", json_type_array);
	int err;

	cfg->known = bh_jobj_bool(o, "known");
	cfg->privileged = bh_jobj_bool(o, "privileged");
	cfg->no_new_privileges = bh_jobj_bool(o, "no_new_privileges");
	cfg->readonly_rootfs = bh_jobj_bool(o, "readonly_rootfs");
	cfg->seccomp = bh_jobj_bool(o, "seccomp");
	cfg->devices_unrestricted = bh_jobj_bool(o, "devices_unrestricted");
	cfg->cap_bounding = hex_mask(o, "cap_bounding");
	cfg->cap_effective = hex_mask(o, "cap_effective");
	cfg->memory_limit = bh_jobj_int(o, "memory_limit");
	cfg->pids_limit = bh_jobj_int(o, "pids_limit");
	cfg->cpu_shares = (__u64)bh_jobj_int(o, "cpu_shares");
	cfg->user_known = bh_jobj_bool(o, "user_known");
	cfg->uid = (__u32)bh_jobj_int(o, "uid");
	cfg->restart_max_retries = (unsigned int)bh_jobj_int(o, "restart_max_retries");
	cfg->healthcheck = bh_jobj_int(o, "healthcheck") == BH_YES  ? BH_YES
			   : bh_jobj_int(o, "healthcheck") == BH_NO ? BH_NO
								    : BH_UNKNOWN;
	if (take_str(o, "apparmor_profile", &cfg->apparmor_profile) ||
	    take_str(o, "selinux_label", &cfg->selinux_label) ||
	    take_str(o, "cgroups_path", &cfg->cgroups_path) ||
	    take_str(o, "cgroup_parent", &cfg->cgroup_parent) ||
	    take_str(o, "restart_policy", &cfg->restart_policy) ||
	    bh_strv_parse(bh_jobj_get(o, "devices", json_type_array), "path", &cfg->devices,
			  &cfg->n_devices))
		return -ENOMEM;
	for (size_t k = 0; k < BH_NS_KINDS; k++) {
		struct json_object *v;

		if (k < arr_len(hns))
			cfg->host_ns[k] =
				json_object_get_boolean(json_object_array_get_idx(hns, k));
		v = k < arr_len(nsp) ? json_object_array_get_idx(nsp, k) : NULL;
		if (json_object_is_type(v, json_type_string) &&
		    bh_set_str(&cfg->ns_path[k], json_object_get_string(v)))
			return -ENOMEM;
	}
	err = bh_mounts_parse(bh_jobj_get(o, "mounts", json_type_array), &capture_keys,
			      fill_capture_mount, cfg);
	if (!err)
		err = parse_ports(bh_jobj_get(o, "ports", json_type_array), cfg);
	if (err || !arr_len(exp))
		return err;
	cfg->exposed_ports = calloc(arr_len(exp), sizeof(*cfg->exposed_ports));
	if (!cfg->exposed_ports)
		return -ENOMEM;
	cfg->n_exposed_ports = arr_len(exp);
	for (size_t i = 0; i < cfg->n_exposed_ports; i++)
		if (bh_set_str(&cfg->exposed_ports[i],
			       json_object_get_string(json_object_array_get_idx(exp, i))))
			return -ENOMEM;
	return 0;
}

static int parse_labels(struct json_object *arr, struct bh_container *c)
{
	size_t n = arr_len(arr);

	if (!n)
		return 0;
	c->labels = calloc(n, sizeof(*c->labels));
	if (!c->labels)
		return -ENOMEM;
	c->n_labels = n;
	for (size_t i = 0; i < n; i++) {
		struct json_object *pair = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(pair, json_type_array) ||
		    json_object_array_length(pair) < 2 || json_object_array_length(pair) > 3)
			return -EBADMSG;
		c->labels[i].pod = json_object_get_boolean(json_object_array_get_idx(pair, 2));
		if (bh_set_str(&c->labels[i].key,
			       json_object_get_string(json_object_array_get_idx(pair, 0))) ||
		    bh_set_str(&c->labels[i].value,
			       json_object_get_string(json_object_array_get_idx(pair, 1))))
			return -ENOMEM;
	}
	return 0;
}

int bh_capture_parse_container(const char *json, size_t len, struct bh_container *c)
{
	struct json_object *o = bh_jobj_parse(json, len), *cfg;
	const char *id, *runtime;
	int err = -EBADMSG;

	memset(c, 0, sizeof(*c));
	if (!o)
		return -EBADMSG;
	id = bh_jobj_str(o, "id");
	cfg = bh_jobj_get(o, "config", json_type_object);
	if (!id || !id[0] || strlen(id) > BH_CONTAINER_ID_LEN || !cfg)
		goto out;
	snprintf(c->id, sizeof(c->id), "%s", id);
	runtime = bh_jobj_str(o, "runtime");
	for (size_t i = 0; runtime && i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (!strcmp(runtime, runtimes[i]))
			c->runtime = runtimes[i];
	c->metadata_done = bh_jobj_bool(o, "metadata_done");
	err = -ENOMEM;
	if (take_str(o, "name", &c->name) || take_str(o, "image", &c->image) ||
	    take_str(o, "pod_name", &c->pod_name) ||
	    take_str(o, "pod_namespace", &c->pod_namespace) ||
	    take_str(o, "pod_uid", &c->pod_uid) ||
	    take_str(o, "k8s_container", &c->k8s_container) ||
	    take_str(o, "bundle_path", &c->bundle_path))
		goto out;
	err = parse_labels(bh_jobj_get(o, "labels", json_type_array), c);
	if (!err)
		err = parse_config(cfg, &c->config);
out:
	json_object_put(o);
	if (err)
		bh_container_clear(c);
	return err;
}
