// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rule_config.c - configuration rules: what a container's spec grants, judged once per
 * container.
 */
#include "rule_impl.h"

#include <string.h>

#include "output/output_json.h"

/* Files the runtime itself generates and bind-mounts into every container. */
static const char *const runtime_generated[] = {
	"/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/dev/shm", "/dev/termination-log",
};

/*
 * Where runtimes keep one directory per container, named by its id: docker's, and the
 * containers/storage run and graph roots of podman and CRI-O (.../<id>/userdata). What
 * the runtime put there for this container (hosts, .containerenv, shm) is its own.
 */
static const char *const per_container_roots[] = {
	"/var/lib/docker/containers",
	"/run/containers/storage/overlay-containers",
	"/var/lib/containers/storage/overlay-containers",
};

/* Where runtimes keep per-sandbox files (containerd's CRI plugin names them by sandbox id). */
static const char *const runtime_state_dirs[] = {
	"/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes",
	"/run/containerd/io.containerd.grpc.v1.cri/sandboxes",
};

/* path has a component equal to name (a container id or pod uid). */
static bool has_component(const char *path, const char *name)
{
	size_t n = strlen(name);

	if (!n)
		return false;
	for (const char *p = strstr(path, name); p; p = strstr(p + 1, name))
		if (p > path && p[-1] == '/' && (p[n] == '/' || p[n] == '\0'))
			return true;
	return false;
}

/* source is within root/<id>, the directory root keeps for container id. */
static bool within_own_dir(const char *source, const char *root, const char *id)
{
	char dir[BH_NORM_PATH_MAX];

	return snprintf(dir, sizeof(dir), "%s/%s", root, id) < (int)sizeof(dir) &&
	       bh_path_within(source, dir);
}

/*
 * The runtime's own mounts: what it made for this container in the directory it keeps
 * for it, /etc/hosts & co. from the container's (or its pod's) own state dir, and docker
 * named volumes. They live under /var/lib/docker, /var/lib/kubelet or /run, but are the
 * runtime's, not a host path handed over.
 */
static bool runtime_own_mount(const struct bh_container *c, const struct bh_mount_spec *m,
			      const char *source)
{
	char dest[BH_NORM_PATH_MAX];

	if (bh_path_within(source, "/var/lib/docker/volumes") && strstr(source, "/_data"))
		return true;
	for (size_t i = 0; i < sizeof(per_container_roots) / sizeof(per_container_roots[0]); i++)
		if (within_own_dir(source, per_container_roots[i], c->id))
			return true;
	if (c->pod_uid && bh_path_within(source, "/var/lib/kubelet/pods") &&
	    has_component(source, c->pod_uid))
		return true;
	bh_path_normalize(m->destination ? m->destination : "", dest, sizeof(dest));
	for (size_t i = 0; i < sizeof(runtime_generated) / sizeof(runtime_generated[0]); i++) {
		if (strcmp(dest, runtime_generated[i]))
			continue;
		if (has_component(source, c->id))
			return true;
		for (size_t j = 0; j < sizeof(runtime_state_dirs) / sizeof(runtime_state_dirs[0]);
		     j++)
			if (bh_path_within(source, runtime_state_dirs[j]))
				return true;
	}
	return false;
}

/* What the host calls the source when it is not what the spec says, else NULL. */
static const char *host_alias(const struct bh_mount_spec *m)
{
	char src[BH_NORM_PATH_MAX];

	if (!m->host_path || !m->source)
		return NULL;
	bh_path_normalize(m->source, src, sizeof(src));
	return strcmp(src, m->host_path) ? m->host_path : NULL;
}

static void mount_evidence(struct bh_json *w, const struct bh_mount_spec *m)
{
	const char *alias = host_alias(m);

	bh_json_obj_begin(w);
	bh_json_key_str(w, "source", m->source);
	if (alias)
		bh_json_key_str(w, "host_path", alias);
	if (m->destination)
		bh_json_key_str(w, "destination", m->destination);
	if (m->type)
		bh_json_key_str(w, "type", m->type);
	bh_json_key_bool(w, "readonly", m->readonly);
	if (m->propagation[0])
		bh_json_key_str(w, "propagation", m->propagation);
	bh_json_obj_end(w);
}

enum mount_check { SOCKET_MOUNT, SENSITIVE_WRITABLE, SHARED_PROPAGATION };

static bool mount_matches(const struct bh_rules *r, const struct bh_container *c,
			  const struct bh_mount_spec *m, enum mount_check check)
{
	char src[BH_NORM_PATH_MAX];

	if (check == SHARED_PROPAGATION)
		return !strcmp(m->propagation, "shared") || !strcmp(m->propagation, "rshared");
	/* proc, sysfs, tmpfs, devpts, mqueue: the runtime's own filesystems, not host paths. */
	if (!m->bind || !m->source || m->source[0] != '/')
		return false;
	/* Judged by what was mounted: the host's name for it, the spec's path when unknown. */
	bh_path_normalize(m->host_path ? m->host_path : m->source, src, sizeof(src));
	if (check == SOCKET_MOUNT)
		return bh_runtime_socket(r->policy, src) || bh_runtime_socket_dir(r->policy, src);
	/* A socket mount is docker-socket-mount's finding, not also a writable path. */
	return !m->readonly && !runtime_own_mount(c, m, src) &&
	       !bh_runtime_socket(r->policy, src) && bh_sensitive_path(r->policy, src);
}

/* One finding per rule listing every offending mount. */
static void check_mounts(struct bh_rules *r, const struct bh_container *c, unsigned int rule,
			 enum mount_check check, const char *what, bh_finding_sink sink, void *ctx)
{
	const struct bh_container_config *cfg = &c->config;
	const struct bh_mount_spec *first = NULL;
	const char *alias;
	struct bh_json *w;
	struct bh_hit h;
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_mounts; i++) {
		if (mount_matches(r, c, &cfg->mounts[i], check)) {
			first = first ? first : &cfg->mounts[i];
			n++;
		}
	}
	if (!n)
		return;
	alias = host_alias(first);
	w = bh_hit_config(&h, r, rule, c, sink, ctx, "%s %s%s%s%s at %s%s", what,
			  first->source ? first->source : "?", alias ? " (" : "",
			  alias ? alias : "", alias ? " on the host)" : "",
			  first->destination ? first->destination : "?",
			  n > 1 ? " (and more)" : "");
	if (!w)
		return;
	bh_json_key(w, "mounts");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (mount_matches(r, c, &cfg->mounts[i], check))
			mount_evidence(w, &cfg->mounts[i]);
	bh_json_arr_end(w);
	bh_hit_send(&h);
}

static void check_privileged(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
			     void *ctx)
{
	const struct bh_container_config *cfg = &c->config;
	const char *why;
	struct bh_json *w;
	struct bh_hit h;

	if (!bh_container_privileged(c, &why))
		return;
	w = bh_hit_config(&h, r, BH_RULE_PRIVILEGED_CONTAINER, c, sink, ctx, "runs privileged (%s)",
			  why);
	if (!w)
		return;
	bh_json_key_str(w, "reason", why);
	bh_json_key_bool(w, "privileged", cfg->privileged);
	bh_json_key_uint(w, "cap_count",
			 (uint64_t)__builtin_popcountll(cfg->cap_bounding | cfg->cap_effective));
	bh_json_key_hex(w, "cap_bounding", cfg->cap_bounding);
	bh_json_key_bool(w, "seccomp", cfg->seccomp);
	bh_json_key_bool(w, "devices_unrestricted", cfg->devices_unrestricted);
	bh_hit_send(&h);
}

/* Not reported for a privileged container: privileged-container already says it all. */
static void check_capabilities(struct bh_rules *r, const struct bh_container *c,
			       bh_finding_sink sink, void *ctx)
{
	__u64 caps = (c->config.cap_bounding | c->config.cap_effective) & BH_DANGEROUS_CAPS;
	const char *why, *first = NULL;
	struct bh_json *w;
	struct bh_hit h;

	if (!caps || bh_container_privileged(c, &why))
		return;
	for (unsigned int i = 0; i < 64 && !first; i++)
		if (caps & (1ULL << i))
			first = bh_cap_name(i);
	w = bh_hit_config(&h, r, BH_RULE_DANGEROUS_CAPABILITY, c, sink, ctx,
			  "holds dangerous capabilities (%s%s)", first ? first : "?",
			  __builtin_popcountll(caps) > 1 ? ", ..." : "");
	if (!w)
		return;
	bh_json_key(w, "capabilities");
	bh_json_caps(w, caps);
	bh_json_key_hex(w, "cap_bounding", c->config.cap_bounding);
	bh_json_key_hex(w, "cap_effective", c->config.cap_effective);
	bh_hit_send(&h);
}

/* SELinux off for the container: the spc_t ("super privileged") type or label=disable. */
static bool selinux_disabled(const char *label)
{
	return label && (strstr(label, ":spc_t:") || !strcmp(label, "disable"));
}

static void check_security_profiles(struct bh_rules *r, const struct bh_container *c,
				    bh_finding_sink sink, void *ctx)
{
	const struct bh_container_config *cfg = &c->config;
	bool apparmor_off = cfg->apparmor_profile && !strcmp(cfg->apparmor_profile, "unconfined");
	bool selinux_off = selinux_disabled(cfg->selinux_label);
	struct bh_json *w;
	struct bh_hit h;

	if (cfg->seccomp && !apparmor_off && !selinux_off)
		return;
	w = bh_hit_config(&h, r, BH_RULE_SECURITY_PROFILE_DISABLED, c, sink, ctx,
			  "runs with %s disabled",
			  !cfg->seccomp	 ? "seccomp"
			  : apparmor_off ? "AppArmor"
					 : "SELinux");
	if (!w)
		return;
	bh_json_key(w, "disabled");
	bh_json_arr_begin(w);
	if (!cfg->seccomp)
		bh_json_str(w, "seccomp");
	if (apparmor_off)
		bh_json_str(w, "apparmor");
	if (selinux_off)
		bh_json_str(w, "selinux");
	bh_json_arr_end(w);
	bh_json_key_bool(w, "seccomp", cfg->seccomp);
	if (cfg->apparmor_profile)
		bh_json_key_str(w, "apparmor_profile", cfg->apparmor_profile);
	if (cfg->selinux_label)
		bh_json_key_str(w, "selinux_label", cfg->selinux_label);
	bh_hit_send(&h);
}

static void check_host_namespaces(struct bh_rules *r, const struct bh_container *c,
				  bh_finding_sink sink, void *ctx)
{
	/* user and cgroup are shared by docker's defaults; mnt and time are not judged. */
	static const int kinds[] = { BH_NS_PID, BH_NS_NET, BH_NS_IPC, BH_NS_UTS };
	char names[32];
	struct bh_json *w;
	struct bh_hit h;
	unsigned int mask = 0;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (bh_container_shares_host_ns(r, c, kinds[i]))
			mask |= 1u << kinds[i];
	if (!mask)
		return;
	bh_ns_names(mask, names, sizeof(names));
	w = bh_hit_config(&h, r, BH_RULE_HOST_NAMESPACE_SHARED, c, sink, ctx,
			  "shares the host's %s namespace%s", names, strchr(names, ',') ? "s" : "");
	if (!w)
		return;
	bh_json_key(w, "namespaces");
	bh_json_arr_begin(w);
	for (int k = 0; k < BH_NS_KINDS; k++)
		if (mask & (1u << k))
			bh_json_str(w, bh_ns_name(k));
	bh_json_arr_end(w);
	bh_hit_send(&h);
}

static void check_ports(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
			void *ctx)
{
	const struct bh_container_config *cfg = &c->config;
	const struct bh_port_binding *first = NULL;
	struct bh_json *w;
	struct bh_hit h;

	for (size_t i = 0; i < cfg->n_ports && !first; i++)
		if (cfg->ports[i].host_port && cfg->ports[i].host_port < 1024)
			first = &cfg->ports[i];
	if (!first)
		return;
	w = bh_hit_config(&h, r, BH_RULE_PRIVILEGED_PORT, c, sink, ctx,
			  "publishes privileged host port %u", first->host_port);
	if (!w)
		return;
	bh_json_key(w, "ports");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < cfg->n_ports; i++) {
		const struct bh_port_binding *p = &cfg->ports[i];

		if (!p->host_port || p->host_port >= 1024)
			continue;
		bh_json_obj_begin(w);
		bh_json_key_uint(w, "host_port", p->host_port);
		bh_json_key_uint(w, "container_port", p->container_port);
		bh_json_key_str(w, "proto", p->proto);
		if (p->host_ip[0])
			bh_json_key_str(w, "host_ip", p->host_ip);
		bh_json_obj_end(w);
	}
	bh_json_arr_end(w);
	bh_hit_send(&h);
}

static void check_no_new_privs(struct bh_rules *r, const struct bh_container *c,
			       bh_finding_sink sink, void *ctx)
{
	struct bh_json *w;
	struct bh_hit h;

	if (c->config.no_new_privileges)
		return;
	w = bh_hit_config(&h, r, BH_RULE_NO_NEW_PRIVILEGES_MISSING, c, sink, ctx,
			  "runs without no-new-privileges: setuid binaries can raise privilege");
	if (!w)
		return;
	bh_json_key_bool(w, "no_new_privileges", false);
	bh_hit_send(&h);
}

/* The one value of the configuration a finding's evidence is: a number or a flag. */
struct config_value {
	const char *key;
	int64_t value;
	bool flag; /* written as true / false */
};

static void check_value(struct bh_rules *r, const struct bh_container *c, unsigned int rule,
			bool fails, struct config_value v, const char *what, bh_finding_sink sink,
			void *ctx)
{
	struct bh_json *w;
	struct bh_hit h;

	if (!fails)
		return;
	w = bh_hit_config(&h, r, rule, c, sink, ctx, "%s", what);
	if (!w)
		return;
	if (v.flag)
		bh_json_key_bool(w, v.key, v.value != 0);
	else
		bh_json_key_int(w, v.key, v.value);
	bh_hit_send(&h);
}

/* 0 and 1024 are the kernel's default weight; 2 is the kubelet's for a pod with no request. */
static bool cpu_shares_unset(__u64 shares)
{
	return shares == 0 || shares == 1024 || shares == 2;
}

static bool all_interfaces(const struct bh_port_binding *p)
{
	return p->host_port &&
	       (!p->host_ip[0] || !strcmp(p->host_ip, "0.0.0.0") || !strcmp(p->host_ip, "::"));
}

static void check_port_interfaces(struct bh_rules *r, const struct bh_container *c,
				  bh_finding_sink sink, void *ctx)
{
	const struct bh_container_config *cfg = &c->config;
	const struct bh_port_binding *first = NULL;
	struct bh_json *w;
	struct bh_hit h;

	for (size_t i = 0; i < cfg->n_ports && !first; i++)
		if (all_interfaces(&cfg->ports[i]))
			first = &cfg->ports[i];
	if (!first)
		return;
	w = bh_hit_config(&h, r, BH_RULE_PORT_ALL_INTERFACES, c, sink, ctx,
			  "publishes host port %u on every interface", first->host_port);
	if (!w)
		return;
	bh_json_key(w, "ports");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < cfg->n_ports; i++) {
		if (!all_interfaces(&cfg->ports[i]))
			continue;
		bh_json_obj_begin(w);
		bh_json_key_uint(w, "host_port", cfg->ports[i].host_port);
		bh_json_key_str(w, "host_ip",
				cfg->ports[i].host_ip[0] ? cfg->ports[i].host_ip : "0.0.0.0");
		bh_json_key_str(w, "proto", cfg->ports[i].proto);
		bh_json_obj_end(w);
	}
	bh_json_arr_end(w);
	bh_hit_send(&h);
}

static bool restart_unbounded(const struct bh_container_config *cfg)
{
	const char *p = cfg->restart_policy;

	if (!p)
		return false;
	if (!strcmp(p, "on-failure"))
		return cfg->restart_max_retries == 0 || cfg->restart_max_retries > 5;
	return !strcmp(p, "always") || !strcmp(p, "unless-stopped");
}

static void check_restart(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
			  void *ctx)
{
	const struct bh_container_config *cfg = &c->config;
	struct bh_json *w;
	struct bh_hit h;

	if (!restart_unbounded(cfg))
		return;
	w = bh_hit_config(&h, r, BH_RULE_RESTART_POLICY, c, sink, ctx,
			  "restarts without a bound (%s, %u retries)", cfg->restart_policy,
			  cfg->restart_max_retries);
	if (!w)
		return;
	bh_json_key_str(w, "restart_policy", cfg->restart_policy);
	bh_json_key_uint(w, "maximum_retry_count", cfg->restart_max_retries);
	bh_hit_send(&h);
}

/* Not reported for a privileged container, whose spec lists every host device. */
static void check_devices(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
			  void *ctx)
{
	const struct bh_container_config *cfg = &c->config;
	const char *why;
	struct bh_json *w;
	struct bh_hit h;

	if (!cfg->n_devices || bh_container_privileged(c, &why))
		return;
	w = bh_hit_config(&h, r, BH_RULE_HOST_DEVICE, c, sink, ctx, "is given the host device %s%s",
			  cfg->devices[0], cfg->n_devices > 1 ? " (and more)" : "");
	if (!w)
		return;
	bh_json_key(w, "devices");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < cfg->n_devices; i++)
		bh_json_str(w, cfg->devices[i]);
	bh_json_arr_end(w);
	bh_hit_send(&h);
}

/*
 * The trees runtimes put containers in: cgroupfs paths by their first component, systemd
 * ones ("slice:prefix:name") by their slice. containerd names the first component after
 * its namespace ("/k8s.io/<id>", "/default/<id>").
 */
static bool runtime_cgroup_tree(const struct bh_container *c, const char *path)
{
	static const char *const trees[] = { "docker",	      "system.slice", "machine.slice",
					     "libpod_parent", "machine",      "user.slice" };
	const char *colon = strchr(path, ':');
	char first[128];
	size_t n;

	if (colon) /* systemd: the slice */
		n = (size_t)(colon - path);
	else {
		path += strspn(path, "/");
		n = strcspn(path, "/");
		/* a single component above the id: containerd's namespace */
		if (!strcmp(c->runtime ? c->runtime : "", "containerd") && path[n] == '/' &&
		    !strchr(path + n + 1, '/'))
			return true;
	}
	snprintf(first, sizeof(first), "%.*s", (int)n, path);
	if (!strncmp(first, "kubepods", 8) || !strncmp(first, "user-", 5))
		return true;
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		if (!strcmp(first, trees[i]))
			return true;
	return false;
}

/* The runtime API says what --cgroup-parent was; the bundle where the cgroup is. */
static void check_cgroup_parent(struct bh_rules *r, const struct bh_container *c,
				bh_finding_sink sink, void *ctx)
{
	const struct bh_container_config *cfg = &c->config;
	struct bh_json *w;
	struct bh_hit h;

	if (cfg->cgroup_parent ? !cfg->cgroup_parent[0]
			       : !cfg->cgroups_path || runtime_cgroup_tree(c, cfg->cgroups_path))
		return;
	w = bh_hit_config(&h, r, BH_RULE_CGROUP_PARENT, c, sink, ctx,
			  "runs in a cgroup outside its runtime's tree (%s)",
			  cfg->cgroup_parent ? cfg->cgroup_parent : cfg->cgroups_path);
	if (!w)
		return;
	if (cfg->cgroup_parent)
		bh_json_key_str(w, "cgroup_parent", cfg->cgroup_parent);
	if (cfg->cgroups_path)
		bh_json_key_str(w, "cgroups_path", cfg->cgroups_path);
	bh_hit_send(&h);
}

/* Hygiene of CIS section 5 (advisory rules: off unless the policy enables them). */
static void check_hygiene(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
			  void *ctx)
{
	const struct bh_container_config *cfg = &c->config;

	check_value(r, c, BH_RULE_READONLY_ROOTFS_MISSING, !cfg->readonly_rootfs,
		    (struct config_value){ "readonly_rootfs", false, true },
		    "runs with a writable root filesystem", sink, ctx);
	check_value(r, c, BH_RULE_MEMORY_LIMIT_MISSING, cfg->memory_limit <= 0,
		    (struct config_value){ "memory_limit", cfg->memory_limit, false },
		    "runs without a memory limit", sink, ctx);
	check_value(r, c, BH_RULE_PIDS_LIMIT_MISSING, cfg->pids_limit <= 0,
		    (struct config_value){ "pids_limit", cfg->pids_limit, false },
		    "runs without a pids limit", sink, ctx);
	check_value(r, c, BH_RULE_CPU_SHARES_MISSING, cpu_shares_unset(cfg->cpu_shares),
		    (struct config_value){ "cpu_shares", (int64_t)cfg->cpu_shares, false },
		    "runs with no CPU priority set", sink, ctx);
	check_value(r, c, BH_RULE_RUNS_AS_ROOT,
		    cfg->user_known && cfg->uid == 0 && cfg->host_ns[BH_NS_USER],
		    (struct config_value){ "uid", 0, false },
		    "runs as root (uid 0) in the host's user namespace", sink, ctx);
	check_value(r, c, BH_RULE_HOST_USER_NAMESPACE, cfg->host_ns[BH_NS_USER],
		    (struct config_value){ "host_user_namespace", true, true },
		    "shares the host's user namespace", sink, ctx);
	check_value(r, c, BH_RULE_HEALTHCHECK_MISSING, cfg->healthcheck == BH_NO,
		    (struct config_value){ "healthcheck", false, true }, "has no health check",
		    sink, ctx);
	check_port_interfaces(r, c, sink, ctx);
	check_restart(r, c, sink, ctx);
}

bool bh_rules_config_judges(unsigned int rule, const struct bh_container *c, const char **why)
{
	const struct bh_container_config *cfg = &c->config;

	*why = NULL;
	if (rule >= BH_RULE_COUNT || !strcmp(bh_rule_catalogue[rule].kind, "behaviour"))
		*why = "judged from behaviour, by the live agent";
	else if (!cfg->known)
		*why = "the container's configuration could not be read";
	else if ((rule == BH_RULE_RESTART_POLICY && !cfg->restart_policy) ||
		 (rule == BH_RULE_HEALTHCHECK_MISSING && cfg->healthcheck == BH_UNKNOWN))
		*why = "only a runtime API says (docker's, podman's); none answered for it";
	else if (rule == BH_RULE_CGROUP_PARENT && !cfg->cgroup_parent && !cfg->cgroups_path)
		*why = "the runtime does not say where its cgroup is";
	else if (rule == BH_RULE_RUNS_AS_ROOT && !cfg->user_known)
		*why = "the container's user is not known";
	return !*why;
}

void bh_rules_config(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
		     void *ctx)
{
	check_privileged(r, c, sink, ctx);
	check_capabilities(r, c, sink, ctx);
	check_security_profiles(r, c, sink, ctx);
	check_host_namespaces(r, c, sink, ctx);
	check_mounts(r, c, BH_RULE_DOCKER_SOCKET_MOUNT, SOCKET_MOUNT, "mounts the runtime socket",
		     sink, ctx);
	check_mounts(r, c, BH_RULE_SENSITIVE_MOUNT_WRITABLE, SENSITIVE_WRITABLE,
		     "mounts the sensitive host path", sink, ctx);
	check_mounts(r, c, BH_RULE_SHARED_PROPAGATION, SHARED_PROPAGATION,
		     "mounts with shared propagation", sink, ctx);
	check_ports(r, c, sink, ctx);
	check_no_new_privs(r, c, sink, ctx);
	check_devices(r, c, sink, ctx);
	check_cgroup_parent(r, c, sink, ctx);
	check_hygiene(r, c, sink, ctx);
}
