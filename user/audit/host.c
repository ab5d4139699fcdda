// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * host.c - the host and daemon checks in their order: the host's mandatory access control,
 * then per runtime (dockerd, containerd, podman) its socket's owner and mode and its TCP
 * endpoints, with dockerd's defaults after its endpoints.
 */
#include "host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"
#include "host_impl.h"

#define DOCKER_SOCKET	  "/var/run/docker.sock"
#define PODMAN_SOCKET	  "/run/podman/podman.sock"
#define CONTAINERD_SOCKET "/run/containerd/containerd.sock"

/* Swarm's manager (2377, mutual TLS whatever --tlsverify says) and gossip (7946) ports. */
#define SWARM_MANAGER_PORT ":2377"
#define SWARM_GOSSIP_PORT  ":7946"

void bh_check_report(struct bh_check_result *r, enum bh_verdict v, bh_check_fn fn, void *ctx,
		     const char *fmt, ...)
{
	char evidence[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(evidence, sizeof(evidence), fmt, ap);
	va_end(ap);
	r->verdict = v;
	r->evidence = evidence;
	fn(r, ctx);
}

/* The first line of a small file under host_root, or "" (err set) when unreadable. */
static void read_value(const char *host_root, const char *rel, char *out, size_t size, int *err)
{
	char path[BH_NORM_PATH_MAX], *text;
	size_t len;

	bh_host_path(path, sizeof(path), host_root, rel);
	*err = bh_read_file(path, &text, &len);
	out[0] = '\0';
	if (*err)
		return;
	snprintf(out, size, "%.*s", (int)strcspn(text, "\n"), text);
	free(text);
}

/* The runtimes' AppArmor profiles: Docker's, podman's (containers-default-VERSION), CRI's. */
static bool runtime_profile(const char *name)
{
	return !strcmp(name, "docker-default") || !strncmp(name, "containers-default-", 19) ||
	       !strcmp(name, "cri-containerd.apparmor.d");
}

/* AppArmor on: PASS when a runtime profile enforces, FAIL when they only complain. */
static void check_apparmor(const char *root, struct bh_check_result *r, bh_check_fn fn, void *ctx)
{
	static const char profiles_rel[] = "/sys/kernel/security/apparmor/profiles";
	char path[BH_NORM_PATH_MAX], *text, *line, *save = NULL, enforce[128] = "",
						   complain[128] = "";
	size_t len;
	int err;

	bh_host_path(path, sizeof(path), root, profiles_rel);
	err = bh_read_file(path, &text, &len);
	if (err) {
		bh_check_report(r, BH_VERDICT_NA, fn, ctx,
				"AppArmor is enabled but %s cannot be read (%s): whether the "
				"runtime's profile enforces cannot be told",
				path, strerror(-err));
		return;
	}
	/* "docker-default (enforce)" */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *mode = strstr(line, " (");

		if (!mode)
			continue;
		*mode = '\0';
		if (!runtime_profile(line))
			continue;
		/* "kill" (AppArmor 4) enforces too, and kills on a denial */
		if ((!strcmp(mode + 1, "(enforce)") || !strcmp(mode + 1, "(kill)")) && !enforce[0])
			snprintf(enforce, sizeof(enforce), "%s", line);
		else if (!complain[0])
			snprintf(complain, sizeof(complain), "%s %s", line, mode + 1);
	}
	free(text);
	if (enforce[0])
		bh_check_report(r, BH_VERDICT_PASS, fn, ctx,
				"AppArmor is enabled and the runtime profile %s enforces (%s)",
				enforce, path);
	else if (complain[0])
		bh_check_report(
			r, BH_VERDICT_FAIL, fn, ctx,
			"AppArmor is enabled but the runtime profile is %s, not enforcing (%s)",
			complain, path);
	else
		bh_check_report(
			r, BH_VERDICT_NA, fn, ctx,
			"AppArmor is enabled but no runtime profile (docker-default, "
			"containers-default-*, cri-containerd.apparmor.d) is loaded yet (%s)",
			path);
}

/*
 * AppArmor or SELinux enabled and enforcing for the runtime. Neither on is a FAIL, never an
 * N/A. High: without it no container has a mandatory access control layer at all, the
 * node-wide form of security-profile-disabled (high per container).
 */
static void check_mac(const char *root, const struct bh_daemon *dockerd,
		      const struct bh_dockerd_config *dc, bh_check_fn fn, void *ctx)
{
	static const char aa_rel[] = "/sys/module/apparmor/parameters/enabled",
			  se_rel[] = "/sys/fs/selinux/enforce";
	struct bh_check_result r = {
		.id = "host-mac",
		.title = "AppArmor or SELinux is enabled and enforcing for the runtime",
		.cis = "5.2,5.3",
		.attack = "T1611",
		.severity = BH_SEV_HIGH,
		.remediation = "Boot with AppArmor (apparmor=1 security=apparmor, Debian/Ubuntu) "
			       "or SELinux in enforcing mode (RHEL/Fedora; dockerd with "
			       "--selinux-enabled), and keep the runtime's default profile",
	};
	char aa[16], se[16], aa_path[BH_NORM_PATH_MAX], se_path[BH_NORM_PATH_MAX];
	int aa_err, se_err;

	read_value(root, aa_rel, aa, sizeof(aa), &aa_err);
	read_value(root, se_rel, se, sizeof(se), &se_err);
	bh_host_path(aa_path, sizeof(aa_path), root, aa_rel);
	bh_host_path(se_path, sizeof(se_path), root, se_rel);
	if (!strcmp(aa, "Y")) {
		check_apparmor(root, &r, fn, ctx);
	} else if (!strcmp(se, "1")) {
		if (dockerd->pid && !bh_dockerd_bool(dc, BH_DK_SELINUX_ENABLED, false))
			bh_check_report(&r, BH_VERDICT_FAIL, fn, ctx,
					"SELinux enforces (%s) but dockerd (pid %d) runs without "
					"--selinux-enabled: its containers get no SELinux label",
					se_path, dockerd->pid);
		else
			bh_check_report(&r, BH_VERDICT_PASS, fn, ctx, "SELinux enforces (%s)",
					se_path);
	} else if (!strcmp(se, "0")) {
		bh_check_report(&r, BH_VERDICT_FAIL, fn, ctx,
				"SELinux is permissive (%s is 0): it logs but denies nothing",
				se_path);
	} else {
		bh_check_report(&r, BH_VERDICT_FAIL, fn, ctx,
				"neither AppArmor (%s: %s) nor SELinux (%s: %s) is enabled: no "
				"mandatory access control confines the containers",
				aa_path, aa_err ? strerror(-aa_err) : aa, se_path,
				se_err ? strerror(-se_err) : se);
	}
}

/* The name of group gid in host_root's /etc/group, or its number. */
static void group_name(const char *root, unsigned int gid, char *out, size_t size)
{
	char path[BH_NORM_PATH_MAX], *text, *line, *save = NULL;
	size_t len;

	snprintf(out, size, "%u", gid);
	if (bh_host_file(root, "/etc/group", path, sizeof(path), NULL) ||
	    bh_read_file(path, &text, &len))
		return;
	/* name:password:gid:members */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *name_end = strchr(line, ':'),
		     *gid_field = name_end ? strchr(name_end + 1, ':') : NULL;

		if (!gid_field || strtoul(gid_field + 1, NULL, 10) != gid)
			continue;
		snprintf(out, size, "%.*s", (int)(name_end - line), line);
		break;
	}
	free(text);
}

/*
 * A runtime socket owned by root, of group root (or the docker group for docker.sock), mode
 * 0660 or stricter: anyone who can connect runs containers as root. High.
 */
static void check_socket(const char *root, const char *sock, const char *id, const char *title,
			 const char *cis, bool docker_group, bh_check_fn fn, void *ctx)
{
	struct bh_check_result r = {
		.id = id,
		.title = title,
		.cis = cis,
		.attack = "T1609,T1610",
		.severity = BH_SEV_HIGH,
		.remediation = docker_group ? "chown root:docker (or root:root) and chmod 660 the "
					      "socket; set the daemon's socket group and mode "
					      "rather than fixing them after start"
					    : "chown root:root and chmod 660 the socket",
	};
	char path[BH_NORM_PATH_MAX], group[64];
	unsigned int mode;
	struct stat st;
	bool group_ok;
	int err;

	err = bh_host_file(root, sock, path, sizeof(path), &st);
	if (err) {
		bh_check_report(&r, BH_VERDICT_NA, fn, ctx, "no socket at %s (%s)", path,
				strerror(-err));
		return;
	}
	group_name(root, st.st_gid, group, sizeof(group));
	mode = st.st_mode & 07777;
	group_ok = st.st_gid == 0 || (docker_group && !strcmp(group, "docker"));
	bh_check_report(&r,
			st.st_uid == 0 && group_ok && !(mode & ~0660U) ? BH_VERDICT_PASS
								       : BH_VERDICT_FAIL,
			fn, ctx, "%s: owner uid %u, group %s (gid %u), mode %04o (stat)", path,
			(unsigned int)st.st_uid, group, (unsigned int)st.st_gid, mode);
}

/* "a, b" of the daemon's TCP listeners (those skip() keeps), or "none". */
static void listeners(const struct bh_daemon *d, bool (*skip)(const char *), char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < d->n_tcp; i++) {
		if (skip && skip(d->tcp[i]))
			continue;
		len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s",
					len ? ", " : "", d->tcp[i]);
	}
	if (!out[0])
		snprintf(out, size, "none");
}

static bool swarm_port(const char *endpoint)
{
	const char *port = strrchr(endpoint, ':');

	return port && (!strcmp(port, SWARM_MANAGER_PORT) || !strcmp(port, SWARM_GOSSIP_PORT));
}

/* The tcp:// entries of dockerd's hosts ("a, b"), or "". */
static void tcp_hosts(const struct bh_dockerd_config *c, char *out, size_t size)
{
	char hosts[sizeof(c->s[0].value)], *h, *save = NULL;
	size_t len = 0;

	out[0] = '\0';
	snprintf(hosts, sizeof(hosts), "%s", c->s[BH_DK_HOSTS].value);
	for (h = strtok_r(hosts, ", ", &save); h; h = strtok_r(NULL, ", ", &save))
		if (!strncmp(h, "tcp://", 6))
			len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s",
						len ? ", " : "", h);
}

/* An API reachable over the network without client authentication: critical. */
static const struct bh_check_result docker_endpoints = {
	.id = "daemon-docker-endpoints",
	.title = "dockerd serves its API on TCP only with TLS client verification",
	.cis = "2.7",
	.attack = "T1609,T1610",
	.severity = BH_SEV_CRITICAL,
	.remediation = "Serve the API on the unix socket only, or add --tlsverify with "
		       "--tlscacert, --tlscert and --tlskey (\"tlsverify\": true in daemon.json)",
};

static const struct bh_check_result containerd_endpoints = {
	.id = "daemon-containerd-endpoints",
	.title = "containerd serves gRPC on TCP only with TLS client verification",
	.cis = "",
	.attack = "T1609,T1610",
	.severity = BH_SEV_CRITICAL,
	.remediation = "Remove [grpc] tcp_address from containerd's config.toml, or set "
		       "tcp_tls_cert, tcp_tls_key and tcp_tls_ca",
};

static const struct bh_check_result podman_endpoints = {
	.id = "daemon-podman-endpoints",
	.title = "podman's API service listens on no TCP socket",
	.cis = "",
	.attack = "T1609,T1610",
	.severity = BH_SEV_CRITICAL,
	.remediation = "Serve podman's API on its unix socket only (podman system service "
		       "unix://...), reached over SSH from other hosts",
};

/*
 * dockerd's API on TCP without --tlsverify (CIS 2.7): anyone reaching the port runs
 * containers as root. Judged from the kernel (its listening TCP sockets, swarm's own
 * ports aside) and from its configuration (tcp:// hosts on its command line or in
 * daemon.json, which serve after the next restart if not now). Critical.
 */
static void check_docker_endpoints(const struct bh_daemon *d, const struct bh_dockerd_config *c,
				   bh_check_fn fn, void *ctx)
{
	struct bh_check_result r = docker_endpoints;
	char kernel[BH_DAEMON_TCP_MAX * (BH_ENDPOINT_MAX + 2)], configured[512], tls[640];
	bool verify;

	if (!d->pid) {
		bh_check_report(&r, BH_VERDICT_NA, fn, ctx, "dockerd %s", d->note);
		return;
	}
	listeners(d, swarm_port, kernel, sizeof(kernel));
	tcp_hosts(c, configured, sizeof(configured));
	verify = bh_dockerd_bool(c, BH_DK_TLSVERIFY, false) || d->env_tls_verify;
	if (d->env_tls_verify && c->s[BH_DK_TLSVERIFY].src == BH_SRC_DEFAULT)
		snprintf(tls, sizeof(tls), "DOCKER_TLS_VERIFY in its environment");
	else
		bh_dockerd_describe(c, BH_DK_TLSVERIFY, tls, sizeof(tls));
	if (!strcmp(kernel, "none") && !configured[0])
		bh_check_report(&r, BH_VERDICT_PASS, fn, ctx,
				"dockerd (pid %d) listens on no TCP socket (/proc/%d/net/tcp, "
				"tcp6) and has no tcp:// host configured",
				d->pid, d->pid);
	else
		bh_check_report(&r, verify ? BH_VERDICT_PASS : BH_VERDICT_FAIL, fn, ctx,
				"dockerd (pid %d) listens on TCP %s (/proc/%d/net/tcp, tcp6), "
				"configured hosts %s; %s",
				d->pid, kernel, d->pid, configured[0] ? configured : "none", tls);
}

/*
 * containerd's gRPC API on TCP ([grpc] tcp_address) without tcp_tls_ca (no client
 * verification). Its other TCP listeners (metrics, the CRI streaming server) are named in
 * the evidence, not judged: they are not its administration API. Critical.
 */
static void check_containerd_endpoints(const char *root, const struct bh_daemon *d, bh_check_fn fn,
				       void *ctx)
{
	struct bh_check_result r = containerd_endpoints;
	char kernel[BH_DAEMON_TCP_MAX * (BH_ENDPOINT_MAX + 2)];
	struct bh_containerd_grpc g;

	if (!d->pid) {
		bh_check_report(&r, BH_VERDICT_NA, fn, ctx, "containerd %s", d->note);
		return;
	}
	bh_containerd_config_read(root, d->argv, d->argc, &g);
	listeners(d, NULL, kernel, sizeof(kernel));
	if (g.file_err && g.file_err != -ENOENT)
		bh_check_report(&r, BH_VERDICT_NA, fn, ctx,
				"containerd (pid %d): cannot read %s: %s; TCP listeners: %s",
				d->pid, g.config_file, strerror(-g.file_err), kernel);
	else if (g.tcp_address[0] && !g.tcp_tls_ca[0])
		bh_check_report(&r, BH_VERDICT_FAIL, fn, ctx,
				"containerd (pid %d) serves gRPC on tcp_address %s ([grpc] of %s) "
				"%s; TCP listeners: %s",
				d->pid, g.tcp_address, g.config_file,
				g.tcp_tls_cert[0]
					? "with TLS but no tcp_tls_ca (no client verification)"
					: "without TLS",
				kernel);
	else
		bh_check_report(&r, BH_VERDICT_PASS, fn, ctx,
				"containerd (pid %d): [grpc] tcp_address %s%s in %s%s; TCP "
				"listeners (not judged: metrics, CRI streaming): %s",
				d->pid, g.tcp_address[0] ? g.tcp_address : "unset",
				g.tcp_address[0] ? " with tcp_tls_ca" : "", g.config_file,
				g.file_err ? " (absent)" : "", kernel);
}

/* podman's API service has no TLS: any TCP endpoint of it is open to whoever reaches it. */
static void check_podman_endpoints(const struct bh_daemon *d, bh_check_fn fn, void *ctx)
{
	struct bh_check_result r = podman_endpoints;
	char kernel[BH_DAEMON_TCP_MAX * (BH_ENDPOINT_MAX + 2)];
	const char *uri = NULL;

	if (!d->pid) {
		bh_check_report(&r, BH_VERDICT_NA, fn, ctx, "podman service %s", d->note);
		return;
	}
	for (int i = 1; i < d->argc && !uri; i++)
		if (!strncmp(d->argv[i], "tcp://", 6))
			uri = d->argv[i];
	listeners(d, NULL, kernel, sizeof(kernel));
	bh_check_report(&r, !uri && !d->n_tcp ? BH_VERDICT_PASS : BH_VERDICT_FAIL, fn, ctx,
			"podman service (pid %d) listens on TCP %s (/proc/%d/net/tcp, tcp6); "
			"tcp:// on its command line: %s",
			d->pid, kernel, d->pid, uri ? uri : "none");
}

static const char *or_default(const char *path, const char *dflt)
{
	return path && path[0] ? path : dflt;
}

void bh_audit_host(const struct bh_audit_host_opts *o, bh_check_fn fn, void *ctx)
{
	const char *docker_sock = or_default(o->docker_socket, DOCKER_SOCKET),
		   *containerd_sock = or_default(o->containerd_socket, CONTAINERD_SOCKET),
		   *podman_sock = or_default(o->podman_socket, PODMAN_SOCKET);
	char root[BH_NORM_PATH_MAX];
	size_t len;
	struct bh_dockerd_config dc = { 0 };
	struct bh_daemon d;

	/* "/" and "/host/" name the same roots as "" and "/host" */
	snprintf(root, sizeof(root), "%s", o->host_root ? o->host_root : "");
	len = strlen(root);
	while (len && root[len - 1] == '/')
		root[--len] = '\0';
	bh_daemon_find(root, docker_sock, &d);
	if (d.pid)
		bh_dockerd_config_read(root, d.argv, d.argc, &dc);
	check_mac(root, &d, &dc, fn, ctx);
	check_socket(
		root, docker_sock, "socket-docker",
		"the Docker socket is owned by root:docker or root:root, mode 0660 or stricter",
		"3.15,3.16", true, fn, ctx);
	check_docker_endpoints(&d, &dc, fn, ctx);
	bh_audit_dockerd_defaults(&d, &dc, fn, ctx);
	bh_daemon_free(&d);

	check_socket(root, containerd_sock, "socket-containerd",
		     "the containerd socket is owned by root:root, mode 0660 or stricter",
		     "3.23,3.24", false, fn, ctx);
	bh_daemon_find(root, containerd_sock, &d);
	check_containerd_endpoints(root, &d, fn, ctx);
	bh_daemon_free(&d);

	check_socket(root, podman_sock, "socket-podman",
		     "podman's API socket is owned by root:root, mode 0660 or stricter", "", false,
		     fn, ctx);
	bh_daemon_find(root, podman_sock, &d);
	check_podman_endpoints(&d, fn, ctx);
	bh_daemon_free(&d);
}
