/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * container.h - which container a task belongs to, and what that container is.
 *
 * The resolver maps a task's cgroup (v2 id, or v1 id on hybrid/v1 hosts) to a
 * cgroup path, the path to a container id (docker, containerd incl. kubepods,
 * CRI-O, podman; systemd and cgroupfs drivers), and the id to metadata read
 * from the OCI bundle config.json, the containers/storage store (podman, CRI-O)
 * and, for docker and podman, the Engine API (podman's when its service runs). Results are
 * cached per cgroup and per container; a host process resolves to NULL.
 *
 * container/ (on core/) offers this resolver and its parts: the host's cgroup hierarchies
 * (cgroup.h), a container's description from a JSON source (spec.h), bind mount sources
 * named as the host has them (mount_source.h), and the containers namespaces belong to
 * (ns_owner.h).
 */
#ifndef BULKHEAD_CONTAINER_H
#define BULKHEAD_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "events.h"

#define BH_CONTAINER_ID_LEN 64

struct bh_label {
	char *key;
	char *value;
	/*
	 * A label of the container's Kubernetes pod: from CRI-O's CRI labels, or a docker
	 * label of a pod's sandbox (the kubelet's docker shim), and not one of the kubelet's
	 * own keys.
	 */
	bool pod;
};

/* One mount of the container's OCI spec (or the runtime API's view of it). */
struct bh_mount_spec {
	char *source;
	char *destination;
	char *type;
	bool bind; /* bind or rbind */
	bool readonly;
	char propagation[16]; /* "", "private", "rprivate", "shared", "rshared", "slave", ... */
	/*
	 * What the source is on the host (mount_source.h): symlinks resolved inside the host's
	 * root, named after the runtime socket or sensitive path it is the same file as or lies
	 * below. NULL: not resolved (not a bind of a host path, or not found there).
	 */
	char *host_path;
};

struct bh_port_binding {
	__u16 container_port;
	__u16 host_port;
	char proto[8]; /* "tcp", "udp", "sctp" */
	char host_ip[48];
};

/* The container's hardening-relevant configuration, as its runtime set it up. */
struct bh_container_config {
	bool known;		/* filled from a bundle or the runtime API */
	bool privileged;	/* docker HostConfig.Privileged */
	bool no_new_privileges; /* OCI process.noNewPrivileges */
	bool readonly_rootfs;	/* OCI root.readonly */
	bool seccomp;		/* OCI linux.seccomp present */
	char *apparmor_profile; /* OCI process.apparmorProfile, NULL when absent */
	char *selinux_label;	/* OCI process.selinuxLabel, NULL when absent */
	__u64 cap_bounding;	/* OCI process.capabilities.bounding as a mask */
	__u64 cap_effective;
	bool host_ns[BH_NS_KINDS];  /* kind not in OCI linux.namespaces (or with a path):
				     * the container shares the host's */
	char *ns_path[BH_NS_KINDS]; /* OCI linux.namespaces[].path when set */
	struct bh_mount_spec *mounts;
	size_t n_mounts;
	struct bh_port_binding *ports; /* runtime API: published ports */
	size_t n_ports;
	char **exposed_ports; /* runtime API: Config.ExposedPorts keys ("80/tcp") */
	size_t n_exposed_ports;
	bool devices_unrestricted; /* OCI linux.resources.devices allows all ("a") */
	char **devices;		   /* host devices passed in: OCI linux.devices[].path */
	size_t n_devices;
	/* Limits: 0 is none (what a runtime leaves unset). */
	__s64 memory_limit;  /* bytes: OCI linux.resources.memory.limit */
	__s64 pids_limit;    /* OCI linux.resources.pids.limit */
	__u64 cpu_shares;    /* OCI linux.resources.cpu.shares */
	bool user_known;     /* OCI process.user given */
	__u32 uid;	     /* OCI process.user.uid */
	char *cgroups_path;  /* OCI linux.cgroupsPath; NULL when not said */
	char *cgroup_parent; /* runtime API: the --cgroup-parent given ("" none); NULL unknown */
	/* The runtime API's alone (docker, podman): NULL / BH_UNKNOWN without it. */
	char *restart_policy; /* "no", "always", "unless-stopped", "on-failure" */
	unsigned int restart_max_retries;
	enum bh_tristate { BH_UNKNOWN, BH_NO, BH_YES } healthcheck;
};

struct bh_container {
	char id[BH_CONTAINER_ID_LEN + 1];
	const char *runtime; /* "docker", "containerd", "cri-o", "podman" (static) */
	char *name;	     /* NULL when unknown */
	char *image;
	char *pod_name; /* Kubernetes, from CRI annotations or docker labels */
	char *pod_namespace;
	char *pod_uid;
	char *k8s_container;
	struct bh_label *labels;
	size_t n_labels;
	char *bundle_path; /* the config.json it was read from, NULL when none */
	struct bh_container_config config;
	bool metadata_done; /* every source was tried */
	bool pending;	    /* async API: its answer is awaited, on_new not called yet */
};

/* The runtimes' API sockets the resolver asks by default (below the host root). */
#define BH_DOCKER_SOCKET_DEFAULT "/var/run/docker.sock"
#define BH_PODMAN_SOCKET_DEFAULT "/run/podman/podman.sock"

/* Where a runtime keeps its containers' OCI bundles (below the host root), read in order. */
struct bh_state_dir {
	const char *runtime; /* "docker", "containerd", "cri-o/podman" */
	const char *path;
};

enum {
	BH_STATE_DOCKER,
	BH_STATE_CONTAINERD,  /* one directory per containerd namespace (k8s.io, moby, ...) */
	BH_STATE_STORAGE_RUN, /* containers/storage: CRI-O and podman (root) */
	BH_STATE_STORAGE_LIB,
	BH_STATE_DIRS,
};
extern const struct bh_state_dir bh_state_dirs[BH_STATE_DIRS];

struct bh_resolver_opts {
	const char *host_root;	   /* prefix for host paths ("" or e.g. "/host") */
	const char *docker_socket; /* NULL: BH_DOCKER_SOCKET_DEFAULT */
	const char *podman_socket; /* NULL: BH_PODMAN_SOCKET_DEFAULT */
	bool no_docker_api;	   /* bundles and stores only, neither API */
	int api_timeout_ms;	   /* 0: default (3000) */
	/*
	 * Ask the docker API from a worker thread: a new docker container is
	 * pending until bh_resolver_complete() handles its answer. The caller
	 * polls bh_resolver_fd(). bh_resolver_scan() still asks synchronously.
	 */
	bool async_api;
};

struct bh_resolver;

/*
 * The host paths a container's bind mount sources are named after (mount_source.h): the
 * runtime sockets (a basename, or an absolute glob) and the sensitive paths, in the order
 * that picks between two names of one inode. The lists are borrowed: the policy's.
 */
struct bh_host_paths {
	char *const *runtime_sockets;
	size_t n_runtime_sockets;
	char *const *sensitive_paths;
	size_t n_sensitive_paths;
};

/* Capability number of "CAP_SYS_ADMIN" or "SYS_ADMIN" (any case), -1 when unknown. */
int bh_cap_from_name(const char *name);

/* Returns 0 or a negative errno, with the cause logged. */
int bh_resolver_new(const struct bh_resolver_opts *opts, struct bh_resolver **out);
void bh_resolver_free(struct bh_resolver *r);

/*
 * The v1 controller whose hierarchy the resolver reads cgroup_v1_id from
 * ("memory", "pids", ...), NULL on a pure cgroup v2 host. The loader tells the
 * BPF side to read the task's cgroup of that controller.
 */
const char *bh_resolver_v1_controller(const struct bh_resolver *r);

/* The container of a task, NULL for a host process. Cached; never a guess. */
const struct bh_container *bh_resolver_lookup(struct bh_resolver *r, __u64 cgroup_id,
					      __u64 cgroup_v1_id, __u32 tgid);

/*
 * Lifecycle callbacks: on_new runs once when a container is first resolved
 * (metadata read), on_gone when its cgroup has gone and it is evicted, just
 * before it is freed. Either may be NULL.
 */
void bh_resolver_set_callbacks(struct bh_resolver *r,
			       void (*on_new)(const struct bh_container *c, void *ctx),
			       void (*on_gone)(const struct bh_container *c, void *ctx), void *ctx);

/*
 * Async API: on_ready runs right after on_new of a container that was
 * pending (answer handled, or released without it), so that the caller
 * handles the records it held back. May be NULL; it gets set_callbacks' ctx.
 */
void bh_resolver_set_ready_callback(struct bh_resolver *r,
				    void (*on_ready)(const struct bh_container *c, void *ctx));

/*
 * The host paths that name a container's bind mount sources (bh_mount_spec.host_path)
 * before on_new; empty lists: none (sources are only resolved). The caller keeps the
 * lists alive while r uses them (the policy's, until a SIGHUP reload sets new ones).
 */
void bh_resolver_set_host_paths(struct bh_resolver *r, struct bh_host_paths hp);

/* Async API: readable while answers wait for bh_resolver_complete(); -1 without async_api. */
int bh_resolver_fd(const struct bh_resolver *r);

/*
 * Async API, on the caller's thread: merges the answers that arrived; each
 * pending container becomes complete and gets on_new, then on_ready. An
 * answer for a container evicted meanwhile is dropped.
 */
void bh_resolver_complete(struct bh_resolver *r);

/*
 * Async API: stops waiting for c's answer (it took too long): c gets on_new
 * and on_ready now, with the bundle's metadata; the answer is merged when it
 * comes, as a late API answer is. No-op when c is not pending.
 */
void bh_resolver_release(struct bh_resolver *r, const struct bh_container *c);

/*
 * Called once when a task's (cgroup_id, cgroup_v1_id) pair is found to hold no
 * container (its cgroup paths name none): never on a lookup error. May be NULL.
 */
void bh_resolver_set_host_callback(struct bh_resolver *r,
				   void (*on_host)(__u64 cgroup_id, __u64 cgroup_v1_id, void *ctx),
				   void *ctx);

/*
 * A cgroup was created (a BH_EV_CGROUP record): remember its path, so that a
 * container whose cgroup is removed before its first record is read can still
 * be named. Only the cgroup v2 hierarchy (hierarchy_id 0) and the v1 hierarchy
 * of bh_resolver_v1_controller() are kept, and only paths naming a container;
 * the table is bounded (the oldest note goes first).
 */
void bh_resolver_note_cgroup(struct bh_resolver *r, __u32 hierarchy_id, __u64 id, const char *path,
			     size_t len);

/* Every container running now (walks the cgroup trees); calls fn once per container. */
int bh_resolver_scan(struct bh_resolver *r, void (*fn)(const struct bh_container *c, void *ctx),
		     void *ctx);

/* c's cgroup is still there (or cannot be told gone): it runs. */
bool bh_resolver_alive(struct bh_resolver *r, const struct bh_container *c);

/* Evicts cached cgroups and containers that are gone; call every few seconds. */
void bh_resolver_sweep(struct bh_resolver *r);

struct bh_resolver_stats {
	__u64 hits;
	__u64 misses;
	__u64 containers; /* tracked now */
	__u64 api_errors;
};
void bh_resolver_get_stats(const struct bh_resolver *r, struct bh_resolver_stats *st);

/* Pure helpers, unit-tested on their own. */

/*
 * The container id in a cgroup path, and its runtime, or 0 when the path is a
 * host cgroup. Returns 1 when found (id holds 64 hex chars + NUL).
 */
int bh_cgroup_path_container(const char *path, char id[BH_CONTAINER_ID_LEN + 1],
			     const char **runtime);

/* Fills c's metadata and config from an OCI config.json text. Returns 0 or -EINVAL. */
int bh_oci_parse_config(const char *json, size_t len, struct bh_container *c);

/* Fills c's metadata and config from a docker GET /containers/<id>/json body. */
int bh_docker_parse_inspect(const char *json, size_t len, struct bh_container *c);

/*
 * Fills c's name and image, where it has none, from a containers/storage store's
 * overlay-containers/containers.json (podman, CRI-O). Returns 0, -ENOENT when the store
 * does not list c->id, -EINVAL when malformed, or -ENOMEM.
 */
int bh_storage_parse_containers(const char *json, size_t len, struct bh_container *c);

/* Frees what c owns (not c itself). */
void bh_container_clear(struct bh_container *c);

#endif
