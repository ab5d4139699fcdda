// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* rule_event.c - behaviour rules: what a process did, judged from the kernel's record of it. */
#include "rule_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include "output/output_json.h"

/*
 * The OCI runtime setting the container up (mounts, capset, a re-exec of a
 * clone of itself): the kernel marks it from its cgroup placement by a host
 * process until its first exec of the container's own program (bpf/setup.bpf.h),
 * so neither a name nor a path is trusted here.
 */
static bool runtime_setup(const struct bh_event *ev)
{
	return ev->hdr->flags & BH_HDR_RUNTIME_SETUP;
}

/* Iterates the NUL-separated argv of an exec: *off is the cursor, returns false at the end. */
static bool next_arg(const struct bh_str *args, size_t *off, char *buf, size_t size)
{
	const char *a, *nul;
	size_t n;

	if (*off >= args->len)
		return false;
	a = args->ptr + *off;
	nul = memchr(a, '\0', args->len - *off);
	n = nul ? (size_t)(nul - a) : args->len - *off;
	bh_cstr(&(struct bh_str){ a, n }, buf, size);
	*off += n + 1;
	return true;
}

static bool loopback(const __u8 addr[16], __u16 family)
{
	static const __u8 v6_loop[16] = { [15] = 1 };
	static const __u8 v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == AF_INET)
		return addr[0] == 127;
	if (family == AF_INET6)
		return !memcmp(addr, v6_loop, 16) ||
		       (!memcmp(addr, v4_mapped, 12) && addr[12] == 127);
	return false;
}

static void exec_evidence(struct bh_json *w, const struct bh_event *ev)
{
	char filename[BH_PATH_MAX + 1];

	bh_json_key_strn(w, "exe", ev->exe.ptr, ev->exe.len);
	bh_json_key_str(w, "filename", bh_cstr(&ev->str[0], filename, sizeof(filename)));
}

static void on_exec_ssh(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
			const char *exe, const char *filename, bh_finding_sink sink, void *ctx)
{
	static const char *const daemons[] = { "sshd", "dropbear" };
	struct bh_json *w;
	struct bh_hit h;

	for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++) {
		if (strcmp(bh_basename(exe), daemons[i]) &&
		    strcmp(bh_basename(filename), daemons[i]))
			continue;
		w = bh_hit_event(&h, r, BH_RULE_SSH_DAEMON, ev, c, NULL, false, sink, ctx,
				 "started the SSH server %s", filename);
		if (!w)
			return;
		exec_evidence(w, ev);
		bh_hit_send(&h);
		return;
	}
}

/* The programs whose exec on the host the two rules below judge. */
static const char prog_dockerd[] = "dockerd", prog_containerd[] = "containerd",
		  prog_docker_proxy[] = "docker-proxy";
const char *const bh_rules_host_programs[] = { prog_dockerd, prog_containerd, prog_docker_proxy,
					       NULL };

/* dockerd/containerd -H tcp://... (or --host) without --tlsverify; any process, host included. */
static void on_exec_daemon(struct bh_rules *r, const struct bh_event *ev,
			   const struct bh_container *c, const char *exe, const char *filename,
			   bh_finding_sink sink, void *ctx)
{
	const char *base = bh_basename(exe), *fbase = bh_basename(filename);
	char arg[BH_ARGS_MAX + 1], tcp[BH_ARGS_MAX + 1];
	bool tlsverify = false, host_next = false;
	struct bh_json *w;
	struct bh_hit h;
	size_t off = 0;

	if (strcmp(base, prog_dockerd) && strcmp(base, prog_containerd) &&
	    strcmp(fbase, prog_dockerd) && strcmp(fbase, prog_containerd))
		return;
	/* Set here, not zero-filled above: most execs are not a daemon's. */
	tcp[0] = '\0';
	while (next_arg(&ev->str[1], &off, arg, sizeof(arg))) {
		const char *value = NULL;

		if (host_next)
			value = arg;
		host_next = !strcmp(arg, "-H") || !strcmp(arg, "--host");
		if (!strncmp(arg, "-H=", 3))
			value = arg + 3;
		else if (!strncmp(arg, "--host=", 7))
			value = arg + 7;
		else if (!strncmp(arg, "-H", 2) && arg[2] != '=' && arg[2])
			value = arg + 2;
		if (value && !strncmp(value, "tcp://", 6) && !tcp[0])
			snprintf(tcp, sizeof(tcp), "%s", value);
		if (!strcmp(arg, "--tlsverify") || !strcmp(arg, "--tlsverify=true"))
			tlsverify = true;
	}
	if (!tcp[0] || tlsverify)
		return;
	w = bh_hit_event(&h, r, BH_RULE_DAEMON_TCP_NO_TLS, ev, c, tcp, false, sink, ctx,
			 "started %s serving its API on %s without --tlsverify", fbase, tcp);
	if (!w)
		return;
	exec_evidence(w, ev);
	bh_json_key_str(w, "host", tcp);
	bh_json_key_bool(w, "tlsverify", false);
	bh_hit_send(&h);
}

/* docker-proxy -host-port N: docker publishes N on the host for a container. */
static void on_exec_proxy(struct bh_rules *r, const struct bh_event *ev,
			  const struct bh_container *c, const char *exe, bh_finding_sink sink,
			  void *ctx)
{
	char arg[BH_ARGS_MAX + 1], detail[32], container_ip[64] = "", proto[16] = "";
	unsigned long host_port = 0, container_port = 0;
	struct bh_json *w;
	struct bh_hit h;
	size_t off = 0;
	int want = 0; /* which option's value comes next */

	if (strcmp(bh_basename(exe), prog_docker_proxy))
		return;
	while (next_arg(&ev->str[1], &off, arg, sizeof(arg))) {
		const char *a = arg[0] == '-' && arg[1] == '-' ? arg + 1 : arg;

		if (want == 1)
			host_port = strtoul(arg, NULL, 10);
		else if (want == 2)
			container_port = strtoul(arg, NULL, 10);
		else if (want == 3)
			snprintf(container_ip, sizeof(container_ip), "%.63s", arg);
		else if (want == 4)
			snprintf(proto, sizeof(proto), "%.15s", arg);
		want = !strcmp(a, "-host-port")	       ? 1
		       : !strcmp(a, "-container-port") ? 2
		       : !strcmp(a, "-container-ip")   ? 3
		       : !strcmp(a, "-proto")	       ? 4
						       : 0;
	}
	if (!host_port || host_port >= 1024)
		return;
	snprintf(detail, sizeof(detail), "%lu/%s", host_port, proto);
	w = bh_hit_event(&h, r, BH_RULE_PRIVILEGED_PORT, ev, c, detail, false, sink, ctx,
			 "started docker-proxy publishing privileged host port %lu", host_port);
	if (!w)
		return;
	bh_json_key_uint(w, "host_port", host_port);
	if (container_port)
		bh_json_key_uint(w, "container_port", container_port);
	if (container_ip[0])
		bh_json_key_str(w, "container_ip", container_ip);
	if (proto[0])
		bh_json_key_str(w, "proto", proto);
	bh_hit_send(&h);
}

static void on_exec_privilege(struct bh_rules *r, const struct bh_event *ev,
			      const struct bh_container *c, const char *filename,
			      bh_finding_sink sink, void *ctx)
{
	const struct bh_exec *e = BH_EVENT_AS(ev, bh_exec);
	const struct bh_hdr *hdr = &e->hdr;
	__u64 gained = e->before_valid ? hdr->cap_effective & ~e->cap_effective_before : 0;
	/* Root's caps are recomputed from its permitted set at exec: not a gain of privilege. */
	bool rose = e->before_valid && e->uid_before != 0 &&
		    ((e->euid_before != 0 && hdr->euid == 0) || gained);
	const char *why;
	struct bh_json *w;
	struct bh_hit h;

	if (hdr->euid != hdr->uid || e->secureexec || rose) {
		w = bh_hit_event(&h, r, BH_RULE_SETUID_ESCALATION, ev, c, NULL, false, sink, ctx,
				 "gained privilege executing %s (uid %u, euid %u)", filename,
				 hdr->uid, hdr->euid);
		if (w) {
			exec_evidence(w, ev);
			bh_json_key_uint(w, "uid", hdr->uid);
			bh_json_key_uint(w, "euid", hdr->euid);
			if (e->before_valid) {
				bh_json_key_uint(w, "uid_before", e->uid_before);
				bh_json_key_uint(w, "euid_before", e->euid_before);
				bh_json_key(w, "caps_gained");
				bh_json_caps(w, gained);
			}
			bh_json_key_bool(w, "secureexec", e->secureexec);
			bh_hit_send(&h);
		}
	}
	gained &= BH_DANGEROUS_CAPS;
	if (gained && !bh_container_privileged(c, &why)) {
		w = bh_hit_event(&h, r, BH_RULE_DANGEROUS_CAPABILITY, ev, c, NULL, false, sink, ctx,
				 "gained dangerous capabilities executing %s", filename);
		if (w) {
			bh_json_key(w, "caps_gained");
			bh_json_caps(w, gained);
			bh_json_key_hex(w, "cap_effective", hdr->cap_effective);
			bh_json_key_hex(w, "cap_effective_before", e->cap_effective_before);
			bh_hit_send(&h);
		}
	}
	/* The config rule reports a container without seccomp; this covers unknown configs. */
	if (e->seccomp_mode == BH_SECCOMP_DISABLED) {
		w = bh_hit_event(&h, r, BH_RULE_SECURITY_PROFILE_DISABLED, ev, c, NULL, true, sink,
				 ctx, "runs %s without seccomp", filename);
		if (w) {
			bh_json_key(w, "disabled");
			bh_json_arr_begin(w);
			bh_json_str(w, "seccomp");
			bh_json_arr_end(w);
			bh_json_key_str(w, "seccomp_mode", "disabled");
			bh_hit_send(&h);
		}
	}
}

/*
 * The exec that ends a set-up runs with the credentials the runtime gave: the container's
 * own for its first program, the exec's for `docker exec`. Beyond the container's bounding
 * set (--privileged) or as root where it runs as another user (-u root): an exec beyond
 * its configuration. The first program is never so (the runtime applies the spec).
 */
static void on_exec_beyond_config(struct bh_rules *r, const struct bh_event *ev,
				  const struct bh_container *c, const char *filename,
				  bh_finding_sink sink, void *ctx)
{
	const struct bh_container_config *cfg = &c->config;
	__u64 caps = ev->hdr->cap_effective & ~cfg->cap_bounding;
	bool root = ev->hdr->uid == 0 && cfg->user_known && cfg->uid != 0;
	const char *why;
	struct bh_json *w;
	struct bh_hit h;

	if (!(ev->hdr->flags & BH_HDR_SETUP_END) || !cfg->known ||
	    bh_container_privileged(c, &why) || (!caps && !root))
		return;
	w = bh_hit_event(&h, r, BH_RULE_EXEC_BEYOND_CONFIG, ev, c, filename, false, sink, ctx,
			 "was exec'd into with %s beyond its configuration (%s)",
			 caps && root ? "root and capabilities"
			 : caps	      ? "capabilities"
				      : "root",
			 filename);
	if (!w)
		return;
	if (caps) {
		bh_json_key(w, "caps_beyond_config");
		bh_json_caps(w, caps);
		bh_json_key_hex(w, "cap_effective", ev->hdr->cap_effective);
		bh_json_key_hex(w, "config_cap_bounding", cfg->cap_bounding);
	}
	bh_json_key_uint(w, "uid", ev->hdr->uid);
	if (cfg->user_known)
		bh_json_key_uint(w, "config_uid", cfg->uid);
	bh_hit_send(&h);
}

static void on_exec(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		    bh_finding_sink sink, void *ctx)
{
	char exe[BH_EXE_MAX + 1], filename[BH_PATH_MAX + 1];

	bh_cstr(&ev->exe, exe, sizeof(exe));
	bh_cstr(&ev->str[0], filename, sizeof(filename));
	on_exec_daemon(r, ev, c, exe, filename, sink, ctx);
	if (!c) {
		on_exec_proxy(r, ev, c, exe, sink, ctx);
		return;
	}
	if (runtime_setup(ev))
		return;
	on_exec_beyond_config(r, ev, c, filename, sink, ctx);
	on_exec_ssh(r, ev, c, exe, filename, sink, ctx);
	on_exec_privilege(r, ev, c, filename, sink, ctx);
}

/*
 * The kernel reports the kinds a successful setns set that are now the host's;
 * a kind the container's configuration shares with the host already was (no
 * "before" is recorded), and the config rule reports that sharing.
 */
static void on_setns(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		     bh_finding_sink sink, void *ctx)
{
	const struct bh_setns *s = BH_EVENT_AS(ev, bh_setns);
	unsigned int entered = 0;
	char names[64];
	struct bh_json *w;
	struct bh_hit h;

	if (!c || s->hdr.ret != 0)
		return;
	for (int k = 0; k < BH_NS_KINDS; k++)
		if ((s->host_mask & (1u << k)) &&
		    !(c->config.known && bh_container_shares_host_ns(r, c, k)))
			entered |= 1u << k;
	if (!entered)
		return;
	bh_ns_names(entered, names, sizeof(names));
	w = bh_hit_event(&h, r, BH_RULE_HOST_NAMESPACE_SHARED, ev, c, names, false, sink, ctx,
			 "entered the host's %s namespace (setns)", names);
	if (!w)
		return;
	bh_json_key(w, "entered_host");
	bh_json_arr_begin(w);
	for (int k = 0; k < BH_NS_KINDS; k++) {
		if (!(entered & (1u << k)))
			continue;
		bh_json_obj_begin(w);
		bh_json_key_str(w, "type", bh_ns_name(k));
		bh_json_key_uint(w, "inode", s->ns_after[k]);
		bh_json_key_uint(w, "host_inode", s->host_ns[k]);
		bh_json_obj_end(w);
	}
	bh_json_arr_end(w);
	bh_json_key_int(w, "fd", s->fd);
	bh_json_key_int(w, "nstype", s->nstype);
	bh_hit_send(&h);
}

/* Why a mount by a container process escapes its sandbox, or NULL. */
static const char *mount_danger(const struct bh_rules *r, const struct bh_mount *m,
				const char *source, const char *fstype)
{
	static const char *const fstypes[] = { "cgroup", "cgroup2", "proc", "sysfs" };
	char src[BH_NORM_PATH_MAX];

	if (m->call == BH_MOUNT_MOVE_MOUNT)
		return "attached a detached mount (open_tree/fsmount + move_mount)";
	/* A detached fsmount is usable through its fd alone: judge the fsopen. */
	if (m->call == BH_MOUNT_FSOPEN) {
		for (size_t i = 0; i < sizeof(fstypes) / sizeof(fstypes[0]); i++)
			if (!strcmp(fstype, fstypes[i]))
				return "opened a kernel filesystem that exposes the host (fsopen)";
		return NULL;
	}
	if (m->call != BH_MOUNT_MOUNT || (m->flags & MS_REMOUNT))
		return NULL;
	if (m->flags & MS_BIND) {
		if (source[0] != '/')
			return NULL;
		bh_path_normalize(source, src, sizeof(src));
		if (!strcmp(src, "/"))
			return "bind-mounted /";
		return bh_sensitive_path(r->policy, src) ? "bind-mounted a sensitive path" : NULL;
	}
	/* Propagation changes and moves carry no new filesystem. */
	if (m->flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE | MS_MOVE))
		return NULL;
	for (size_t i = 0; i < sizeof(fstypes) / sizeof(fstypes[0]); i++)
		if (!strcmp(fstype, fstypes[i]))
			return "mounted a kernel filesystem that exposes the host";
	if (!strncmp(source, "/dev/", 5))
		return "mounted a block device";
	return NULL;
}

static void on_mount(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		     bh_finding_sink sink, void *ctx)
{
	const struct bh_mount *m = BH_EVENT_AS(ev, bh_mount);
	char source[BH_PATH_MAX + 1], target[BH_PATH_MAX + 1];
	char fstype[BH_FSTYPE_MAX + 1];
	bool shared;
	const char *why;
	struct bh_json *w;
	struct bh_hit h;

	/* fsopen, fsmount and open_tree return an fd: only a negative value is a failure. */
	if (!c || m->hdr.ret < 0 || runtime_setup(ev))
		return;
	bh_cstr(&ev->str[0], source, sizeof(source));
	bh_cstr(&ev->str[1], target, sizeof(target));
	bh_cstr(&ev->str[2], fstype, sizeof(fstype));

	shared = (m->call == BH_MOUNT_MOUNT && (m->flags & MS_SHARED)) ||
		 (m->call == BH_MOUNT_MOUNT_SETATTR && m->propagation == MS_SHARED);
	if (shared) {
		w = bh_hit_event(&h, r, BH_RULE_SHARED_PROPAGATION, ev, c, target, false, sink, ctx,
				 "made %s a shared mount", target);
		if (w) {
			bh_json_key_str(w, "target", target);
			bh_json_key_uint(w, "flags",
					 m->call == BH_MOUNT_MOUNT ? m->flags : m->propagation);
			bh_hit_send(&h);
		}
	}
	why = mount_danger(r, m, source, fstype);
	if (!why)
		return;
	w = bh_hit_event(&h, r, BH_RULE_MOUNT_IN_CONTAINER, ev, c, target, false, sink, ctx,
			 "%s%s%s%s%s", why, source[0] ? ": " : "", source, target[0] ? " at " : "",
			 target);
	if (!w)
		return;
	bh_json_key_str(w, "reason", why);
	bh_json_key_str(w, "call",
			m->call == BH_MOUNT_MOVE_MOUNT ? "move_mount"
			: m->call == BH_MOUNT_FSOPEN   ? "fsopen"
						       : "mount");
	if (source[0])
		bh_json_key_str(w, "source", source);
	if (target[0])
		bh_json_key_str(w, "target", target);
	if (fstype[0])
		bh_json_key_str(w, "fstype", fstype);
	bh_json_key_uint(w, "flags", m->flags);
	if (m->call == BH_MOUNT_MOVE_MOUNT) {
		bh_json_key_int(w, "from_dfd", m->from_dfd);
		bh_json_key_int(w, "to_dfd", m->to_dfd);
	}
	bh_hit_send(&h);
}

/*
 * A capability a successful capset added to the effective set. Of a thread not
 * seen before (started before bulkhead), the sets before are unknown: what its
 * effective set holds beyond the container's configured one is judged instead.
 */
static void on_capset(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		      bh_finding_sink sink, void *ctx)
{
	const struct bh_capset *s = BH_EVENT_AS(ev, bh_capset);
	__u64 gained = 0;
	const char *why;
	struct bh_json *w;
	struct bh_hit h;

	if (!c || s->hdr.ret != 0)
		return;
	if (s->before_known)
		gained = s->effective & ~s->effective_before;
	else if (c->config.known)
		gained = s->effective & ~c->config.cap_effective;
	gained &= BH_DANGEROUS_CAPS;
	if (!gained || bh_container_privileged(c, &why) || runtime_setup(ev))
		return;
	w = bh_hit_event(&h, r, BH_RULE_DANGEROUS_CAPABILITY, ev, c, NULL, false, sink, ctx,
			 "raised dangerous capabilities with capset");
	if (!w)
		return;
	bh_json_key(w, "caps_gained");
	bh_json_caps(w, gained);
	bh_json_key_hex(w, "effective", s->effective);
	if (s->before_known)
		bh_json_key_hex(w, "effective_before", s->effective_before);
	else
		bh_json_key_hex(w, "configured_effective", c->config.cap_effective);
	bh_hit_send(&h);
}

static void on_connect(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		       bh_finding_sink sink, void *ctx)
{
	const struct bh_connect *s = BH_EVENT_AS(ev, bh_connect);
	char peer[BH_UNIX_PATH_MAX + 1], path[BH_UNIX_PATH_MAX + 1];
	struct bh_json *w;
	struct bh_hit h;

	if (!c || s->family != AF_UNIX || (s->hdr.ret != 0 && s->hdr.ret != -EINPROGRESS))
		return;
	bh_cstr(&ev->str[0], peer, sizeof(peer));
	if (peer[0] != '/' || !bh_runtime_socket(r->policy, peer))
		return;
	bh_cstr(&ev->str[1], path, sizeof(path));
	w = bh_hit_event(&h, r, BH_RULE_DOCKER_SOCKET_ACCESS, ev, c, peer, false, sink, ctx,
			 "connected to the runtime API socket %s", peer);
	if (!w)
		return;
	bh_json_key_str(w, "peer_path", peer);
	bh_json_key_str(w, "path", path);
	bh_hit_send(&h);
}

static void sock_evidence(struct bh_json *w, const struct bh_sock *s)
{
	bh_json_key_uint(w, "port", s->port);
	bh_json_key_str(w, "family", s->family == AF_INET6 ? "inet6" : "inet");
	bh_json_key_bool(w, "loopback", loopback(s->addr, s->family));
}

/* A container in the host network namespace binding below 1024 takes a host port. */
static void on_bind(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		    bh_finding_sink sink, void *ctx)
{
	const struct bh_sock *s = BH_EVENT_AS(ev, bh_sock);
	char detail[16];
	struct bh_json *w;
	struct bh_hit h;

	if (!c || s->hdr.ret != 0 || (s->family != AF_INET && s->family != AF_INET6) || !s->port ||
	    s->port >= 1024 || !r->host_ns[BH_NS_NET] || s->hdr.net_ns != r->host_ns[BH_NS_NET])
		return;
	snprintf(detail, sizeof(detail), "%u", s->port);
	w = bh_hit_event(&h, r, BH_RULE_PRIVILEGED_PORT, ev, c, detail, false, sink, ctx,
			 "bound privileged port %u in the host network namespace", s->port);
	if (!w)
		return;
	sock_evidence(w, s);
	bh_json_key_uint(w, "net_ns", s->hdr.net_ns);
	bh_hit_send(&h);
}

/* The port is published or exposed for the container, or allow-listed for its image. */
static bool port_expected(const struct bh_rules *r, const struct bh_container *c, __u16 port)
{
	const struct bh_container_config *cfg = &c->config;

	for (size_t i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].container_port == port)
			return true;
	for (size_t i = 0; i < cfg->n_exposed_ports; i++)
		if (strtoul(cfg->exposed_ports[i], NULL, 10) == port)
			return true;
	return bh_policy_port_allowed(r->policy, c->image, port);
}

/*
 * The Docker daemon's own TCP listeners that are TLS by design (2376 API, 2377 swarm,
 * 7946 gossip).
 */
static bool daemon_tls_port(__u16 port)
{
	return port == 2376 || port == 2377 || port == 7946;
}

static void on_listen(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		      bh_finding_sink sink, void *ctx)
{
	const struct bh_sock *s = BH_EVENT_AS(ev, bh_sock);
	char exe[BH_EXE_MAX + 1], detail[16];
	bool lo = loopback(s->addr, s->family), dockerd;
	struct bh_json *w;
	struct bh_hit h;

	if (s->hdr.ret != 0 || (s->family != AF_INET && s->family != AF_INET6) || !s->port)
		return;
	snprintf(detail, sizeof(detail), "%u", s->port);
	dockerd = !strcmp(bh_basename(bh_cstr(&ev->exe, exe, sizeof(exe))), prog_dockerd);
	/* dockerd's embedded DNS listens on 127.0.0.11 in each container network: loopback. */
	if (s->port == 2375 || (dockerd && !lo && !daemon_tls_port(s->port))) {
		w = bh_hit_event(
			&h, r, BH_RULE_DAEMON_TCP_NO_TLS, ev, c, detail, false, sink, ctx,
			"listens on TCP port %u, where the runtime API is served without TLS",
			s->port);
		if (w) {
			sock_evidence(w, s);
			bh_hit_send(&h);
		}
	}
	if (!c)
		return;
	if (s->port == 22) {
		w = bh_hit_event(&h, r, BH_RULE_SSH_DAEMON, ev, c, detail, false, sink, ctx,
				 "listens on the SSH port 22 (%s)", exe);
		if (w) {
			sock_evidence(w, s);
			bh_hit_send(&h);
		}
	}
	/* Without the container's config every port would look unexpected. */
	if (lo || !c->config.known || port_expected(r, c, s->port))
		return;
	w = bh_hit_event(&h, r, BH_RULE_UNEXPECTED_PORT, ev, c, detail, false, sink, ctx,
			 "listens on port %u, neither published, exposed nor allowed", s->port);
	if (!w)
		return;
	sock_evidence(w, s);
	bh_hit_send(&h);
}

/* A process of c's namespaces outside c's cgroup: once per program and cgroup it went to. */
static void on_outside_cgroup(struct bh_rules *r, const struct bh_event *ev,
			      const struct bh_container *c, bh_finding_sink sink, void *ctx)
{
	const struct bh_hdr *hdr = ev->hdr;
	char detail[64];
	struct bh_json *w;
	struct bh_hit h;

	snprintf(detail, sizeof(detail), "%llu:%llu", (unsigned long long)hdr->cgroup_id,
		 (unsigned long long)hdr->cgroup_v1_id);
	w = bh_hit_event(&h, r, BH_RULE_CGROUP_ESCAPE, ev, c, detail, false, sink, ctx,
			 "runs outside the container's cgroup (it holds the container's "
			 "namespaces)");
	if (!w)
		return;
	bh_json_key_uint(w, "cgroup_id", hdr->cgroup_id);
	if (hdr->cgroup_v1_id)
		bh_json_key_uint(w, "cgroup_v1_id", hdr->cgroup_v1_id);
	bh_json_key_uint(w, "pid_ns", hdr->pid_ns);
	bh_json_key_uint(w, "mnt_ns", hdr->mnt_ns);
	bh_hit_send(&h);
}

void bh_rules_event(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		    bh_finding_sink sink, void *ctx)
{
	if (c && ev->outside_cgroup)
		on_outside_cgroup(r, ev, c, sink, ctx);
	switch (ev->hdr->type) {
	case BH_EV_EXEC:
		on_exec(r, ev, c, sink, ctx);
		break;
	case BH_EV_SETNS:
		on_setns(r, ev, c, sink, ctx);
		break;
	case BH_EV_MOUNT:
		on_mount(r, ev, c, sink, ctx);
		break;
	case BH_EV_CAPSET:
		on_capset(r, ev, c, sink, ctx);
		break;
	case BH_EV_CONNECT:
		on_connect(r, ev, c, sink, ctx);
		break;
	case BH_EV_BIND:
		on_bind(r, ev, c, sink, ctx);
		break;
	case BH_EV_LISTEN:
		on_listen(r, ev, c, sink, ctx);
		break;
	default:
		break;
	}
}
