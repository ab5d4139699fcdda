// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* runtime_oci.c - reads a container's OCI bundle config.json, which every runtime writes. */
#include "runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* include/uapi/linux/capability.h, by number; OCI and docker spell them "CAP_<name>". */
static const char *const cap_names[] = {
	"CHOWN",
	"DAC_OVERRIDE",
	"DAC_READ_SEARCH",
	"FOWNER",
	"FSETID",
	"KILL",
	"SETGID",
	"SETUID",
	"SETPCAP",
	"LINUX_IMMUTABLE",
	"NET_BIND_SERVICE",
	"NET_BROADCAST",
	"NET_ADMIN",
	"NET_RAW",
	"IPC_LOCK",
	"IPC_OWNER",
	"SYS_MODULE",
	"SYS_RAWIO",
	"SYS_CHROOT",
	"SYS_PTRACE",
	"SYS_PACCT",
	"SYS_ADMIN",
	"SYS_BOOT",
	"SYS_NICE",
	"SYS_RESOURCE",
	"SYS_TIME",
	"SYS_TTY_CONFIG",
	"MKNOD",
	"LEASE",
	"AUDIT_WRITE",
	"AUDIT_CONTROL",
	"SETFCAP",
	"MAC_OVERRIDE",
	"MAC_ADMIN",
	"SYSLOG",
	"WAKE_ALARM",
	"BLOCK_SUSPEND",
	"AUDIT_READ",
	"PERFMON",
	"BPF",
	"CHECKPOINT_RESTORE",
};

int bh_cap_from_name(const char *name)
{
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		if (!strcasecmp(name, cap_names[i]))
			return (int)i;
	}
	return -1;
}

/*
 * Kubernetes identity, first source wins: containerd's CRI annotations, and the
 * labels dockershim and CRI-O set (docker labels, CRI-O annotations).
 */
static const struct {
	const char *key;
	size_t field;
} k8s_keys[] = {
	{ "io.kubernetes.cri.sandbox-name", offsetof(struct bh_container, pod_name) },
	{ "io.kubernetes.pod.name", offsetof(struct bh_container, pod_name) },
	{ "io.kubernetes.cri.sandbox-namespace", offsetof(struct bh_container, pod_namespace) },
	{ "io.kubernetes.pod.namespace", offsetof(struct bh_container, pod_namespace) },
	{ "io.kubernetes.cri.sandbox-uid", offsetof(struct bh_container, pod_uid) },
	{ "io.kubernetes.pod.uid", offsetof(struct bh_container, pod_uid) },
	{ "io.kubernetes.cri.container-name", offsetof(struct bh_container, k8s_container) },
	{ "io.kubernetes.container.name", offsetof(struct bh_container, k8s_container) },
	{ "io.kubernetes.cri.image-name", offsetof(struct bh_container, image) },
	{ "io.kubernetes.cri-o.ImageName", offsetof(struct bh_container, image) },
};

int bh_container_add_label(struct bh_container *c, const char *key, const char *value)
{
	struct bh_label *labels;

	for (size_t i = 0; i < sizeof(k8s_keys) / sizeof(k8s_keys[0]); i++) {
		char **field = (char **)((char *)c + k8s_keys[i].field);

		if (!strcmp(key, k8s_keys[i].key) && !*field && bh_set_str(field, value))
			return -ENOMEM;
	}
	labels = realloc(c->labels, (c->n_labels + 1) * sizeof(*labels));
	if (!labels)
		return -ENOMEM;
	c->labels = labels;
	labels[c->n_labels].key = strdup(key);
	labels[c->n_labels].value = strdup(value);
	labels[c->n_labels].pod = false;
	if (!labels[c->n_labels].key || !labels[c->n_labels].value) {
		free(labels[c->n_labels].key);
		free(labels[c->n_labels].value);
		return -ENOMEM;
	}
	c->n_labels++;
	return 0;
}

int bh_container_add_cri_label(struct bh_container *c, const char *key, const char *value)
{
	int err = bh_container_add_label(c, key, value);

	/* io.kubernetes.*: the kubelet's pod and container names; annotation.*: cri-dockerd's */
	if (!err)
		c->labels[c->n_labels - 1].pod = strncmp(key, "io.kubernetes.", 14) != 0 &&
						 strncmp(key, "annotation.", 11) != 0;
	return err;
}

/*
 * CRI-O keeps the CRI labels as one JSON object in an annotation: a sandbox's are its
 * pod's labels, a container's the kubelet's names. A malformed one is left out, not fatal.
 */
static int add_crio_labels(struct bh_container *c, const char *json)
{
	struct json_object *labels = bh_jobj_parse(json, strlen(json));
	int err = 0;

	if (!labels || !json_object_is_type(labels, json_type_object)) {
		json_object_put(labels);
		return 0;
	}
	json_object_object_foreach(labels, key, val)
	{
		if (!json_object_is_type(val, json_type_string))
			continue;
		err = bh_container_add_cri_label(c, key, json_object_get_string(val));
		if (err)
			break;
	}
	json_object_put(labels);
	return err;
}

static __u64 cap_mask(struct json_object *list)
{
	__u64 mask = 0;
	size_t n = list ? json_object_array_length(list) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(list, i);
		int cap = json_object_is_type(v, json_type_string)
				  ? bh_cap_from_name(json_object_get_string(v))
				  : -1;

		if (cap >= 0)
			mask |= 1ULL << cap;
	}
	return mask;
}

static int parse_process(struct json_object *proc, struct bh_container_config *cfg)
{
	struct json_object *caps = bh_jobj_get(proc, "capabilities", json_type_object), *user;

	cfg->cap_bounding = cap_mask(bh_jobj_get(caps, "bounding", json_type_array));
	cfg->cap_effective = cap_mask(bh_jobj_get(caps, "effective", json_type_array));
	cfg->no_new_privileges = bh_jobj_bool(proc, "noNewPrivileges");
	user = bh_jobj_get(proc, "user", json_type_object);
	cfg->user_known = user != NULL;
	cfg->uid = (__u32)bh_jobj_int(user, "uid");
	if (bh_set_str(&cfg->apparmor_profile, bh_jobj_str(proc, "apparmorProfile")) ||
	    bh_set_str(&cfg->selinux_label, bh_jobj_str(proc, "selinuxLabel")))
		return -ENOMEM;
	return 0;
}

static int ns_kind(const char *type)
{
	static const char *const names[BH_NS_KINDS] = {
		[BH_NS_MNT] = "mount", [BH_NS_PID] = "pid",   [BH_NS_NET] = "network",
		[BH_NS_IPC] = "ipc",   [BH_NS_UTS] = "uts",   [BH_NS_CGROUP] = "cgroup",
		[BH_NS_USER] = "user", [BH_NS_TIME] = "time",
	};

	for (int k = 0; k < BH_NS_KINDS; k++) {
		if (!strcmp(type, names[k]))
			return k;
	}
	return -1;
}

static int parse_namespaces(struct json_object *list, struct bh_container_config *cfg)
{
	size_t n = list ? json_object_array_length(list) : 0;

	/* a kind the spec does not list is not unshared: the container keeps the host's */
	for (int k = 0; k < BH_NS_KINDS; k++) {
		cfg->host_ns[k] = true;
		if (bh_set_str(&cfg->ns_path[k], NULL))
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *ns = json_object_array_get_idx(list, i);
		const char *type = bh_jobj_str(ns, "type"), *path = bh_jobj_str(ns, "path");
		int k = type ? ns_kind(type) : -1;

		if (k < 0)
			continue;
		/* a path joins an existing namespace (the host's, or another container's) */
		cfg->host_ns[k] = path && *path;
		if (path && *path && bh_set_str(&cfg->ns_path[k], path))
			return -ENOMEM;
	}
	return 0;
}

static void parse_mount_options(struct json_object *opts, struct bh_mount_spec *m)
{
	static const char *const propagations[] = {
		"private", "rprivate", "shared",     "rshared",
		"slave",   "rslave",   "unbindable", "runbindable",
	};
	size_t n = opts ? json_object_array_length(opts) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(opts, i);
		const char *o =
			json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";

		if (!strcmp(o, "bind") || !strcmp(o, "rbind"))
			m->bind = true;
		else if (!strcmp(o, "ro"))
			m->readonly = true;
		else if (!strcmp(o, "rw"))
			m->readonly = false;
		for (size_t p = 0; p < sizeof(propagations) / sizeof(propagations[0]); p++) {
			if (!strcmp(o, propagations[p]))
				snprintf(m->propagation, sizeof(m->propagation), "%s", o);
		}
	}
}

/* An OCI mount's options: bind, ro/rw, propagation. */
static const struct bh_mount_keys oci_keys = { "source", "destination", "type", NULL };

static void fill_oci_mount(struct json_object *mo, struct bh_mount_spec *m)
{
	parse_mount_options(bh_jobj_get(mo, "options", json_type_array), m);
}

/* A device rule without type/major/minor matches every device; the last such rule wins. */
static bool devices_allow_all(struct json_object *list)
{
	size_t n = list ? json_object_array_length(list) : 0;
	bool all = false;

	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(list, i), *v;
		const char *type = bh_jobj_str(d, "type");
		bool wild = !type || !strcmp(type, "a");

		if (json_object_object_get_ex(d, "major", &v) && json_object_get_int64(v) >= 0)
			wild = false;
		if (json_object_object_get_ex(d, "minor", &v) && json_object_get_int64(v) >= 0)
			wild = false;
		if (wild)
			all = bh_jobj_bool(d, "allow");
	}
	return all;
}

static void parse_resources(struct json_object *res, struct bh_container_config *cfg)
{
	cfg->memory_limit = bh_jobj_int(bh_jobj_get(res, "memory", json_type_object), "limit");
	cfg->pids_limit = bh_jobj_int(bh_jobj_get(res, "pids", json_type_object), "limit");
	cfg->cpu_shares = (__u64)bh_jobj_int(bh_jobj_get(res, "cpu", json_type_object), "shares");
}

int bh_oci_parse_config(const char *json, size_t len, struct bh_container *c)
{
	struct json_object *root = bh_jobj_parse(json, len), *linux_obj, *ann;
	struct bh_container_config *cfg = &c->config;
	int err;

	if (!root)
		return -EINVAL;
	linux_obj = bh_jobj_get(root, "linux", json_type_object);

	err = parse_process(bh_jobj_get(root, "process", json_type_object), cfg);
	if (!err)
		err = parse_namespaces(bh_jobj_get(linux_obj, "namespaces", json_type_array), cfg);
	if (!err)
		/* replaces what an earlier source said: the bundle is what the runtime mounted */
		err = bh_mounts_parse(bh_jobj_get(root, "mounts", json_type_array), &oci_keys,
				      fill_oci_mount, cfg);
	if (!err)
		/* the devices created in the container (--device), by their path there */
		err = bh_strv_parse(bh_jobj_get(linux_obj, "devices", json_type_array), "path",
				    &cfg->devices, &cfg->n_devices);
	if (!err)
		err = bh_set_str(&cfg->cgroups_path, bh_jobj_str(linux_obj, "cgroupsPath"));
	if (err)
		goto out;
	parse_resources(bh_jobj_get(linux_obj, "resources", json_type_object), cfg);
	cfg->readonly_rootfs =
		bh_jobj_bool(bh_jobj_get(root, "root", json_type_object), "readonly");
	cfg->seccomp = bh_jobj_get(linux_obj, "seccomp", json_type_object) != NULL;
	cfg->devices_unrestricted = devices_allow_all(bh_jobj_get(
		bh_jobj_get(linux_obj, "resources", json_type_object), "devices", json_type_array));

	ann = bh_jobj_get(root, "annotations", json_type_object);
	if (ann) {
		json_object_object_foreach(ann, key, val)
		{
			if (!json_object_is_type(val, json_type_string))
				continue;
			err = bh_container_add_label(c, key, json_object_get_string(val));
			if (!err && !strcmp(key, "io.kubernetes.cri-o.Labels"))
				err = add_crio_labels(c, json_object_get_string(val));
			if (err)
				goto out;
		}
	}
	if (!c->name && c->k8s_container)
		err = bh_set_str(&c->name, c->k8s_container);
	cfg->known = true;
out:
	json_object_put(root);
	return err;
}
