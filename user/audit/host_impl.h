/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * host_impl.h - what the host and daemon checks (host.c, dockerd_checks.c) share with the
 * daemon finder (daemon_proc.c) and the daemons' configuration readers (daemon_config.c)
 * (internal).
 */
#ifndef BULKHEAD_AUDIT_HOST_IMPL_H
#define BULKHEAD_AUDIT_HOST_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "check.h"
#include "core/path.h"

/* host_root + path, in out: for /proc and /sys, the host's mounts, where no link is followed. */
void bh_host_path(char *out, size_t size, const char *host_root, const char *path);
/*
 * A path of the host's filesystem as the host resolves it: its links followed inside
 * host_root (/var/run -> /run is the host's /run, not ours), in out prefixed by host_root
 * (host_root + path when it cannot be resolved), and its stat in st when not NULL. Returns
 * 0 or -errno.
 */
int bh_host_file(const char *host_root, const char *path, char *out, size_t size, struct stat *st);

/* Room for one TCP endpoint, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535". */
#define BH_ENDPOINT_MAX	  48
#define BH_DAEMON_TCP_MAX 16

/* A daemon found by kernel state: the process holding the listening unix socket at a path. */
struct bh_daemon {
	int pid;     /* 0: none found (note says why) */
	char **argv; /* its command line (/proc/PID/cmdline), argc entries */
	int argc;
	bool env_tls_verify; /* DOCKER_TLS_VERIFY set non-empty in its environment */
	/* its listening TCP sockets (its fds' inodes in /proc/PID/net/tcp{,6}, state LISTEN) */
	char tcp[BH_DAEMON_TCP_MAX][BH_ENDPOINT_MAX];
	size_t n_tcp;
	char note[BH_NORM_PATH_MAX + 256]; /* why pid is 0 (names the socket path) */
};

/*
 * Finds the process listening on the unix socket at sock (read under host_root): the
 * listening sockets of /proc/net/unix whose path is that file (same device and inode),
 * then the process whose fds hold one. When several do (systemd socket activation: pid 1
 * bound it and handed it over), the one started last, the receiver; pid 1 alone is no daemon
 * (activation pending). Then its command line, environment and TCP listeners. Free with
 * bh_daemon_free().
 */
void bh_daemon_find(const char *host_root, const char *sock, struct bh_daemon *d);
void bh_daemon_free(struct bh_daemon *d);

/* The dockerd settings the checks judge, each a command-line flag and a daemon.json key. */
enum bh_dockerd_key {
	BH_DK_HOSTS,
	BH_DK_TLS,
	BH_DK_TLSVERIFY,
	BH_DK_NO_NEW_PRIVILEGES,
	BH_DK_USERNS_REMAP,
	BH_DK_ICC,
	BH_DK_LIVE_RESTORE,
	BH_DK_SECCOMP_PROFILE,
	BH_DK_INSECURE_REGISTRIES,
	BH_DK_USERLAND_PROXY,
	BH_DK_AUTHORIZATION_PLUGINS,
	BH_DK_EXPERIMENTAL,
	BH_DK_SELINUX_ENABLED,
	BH_DK_COUNT,
};

enum bh_setting_src {
	BH_SRC_DEFAULT, /* set nowhere: dockerd's default */
	BH_SRC_CMDLINE,
	BH_SRC_FILE,
};

struct bh_dockerd_setting {
	enum bh_setting_src src;
	char value[512]; /* a bool "true"/"false", a string, or a list's entries joined by ", " */
	unsigned int n;	 /* entries of a list (1 for a bool or a string once set) */
};

struct bh_dockerd_config {
	char config_file[BH_NORM_PATH_MAX]; /* the daemon.json read (--config-file), host view */
	int file_err; /* 0: read; -ENOENT: absent; -EINVAL: not a JSON object; other -errno */
	struct bh_dockerd_setting s[BH_DK_COUNT];
	char conflicts[256]; /* "--icc/icc, ..." set both as a flag and in the file, or "" */
};

/*
 * dockerd's settings from its command line (pflag syntax: --flag, --flag=v, --flag v, -H v,
 * -Hv, -H=v; bools only --flag or --flag=v) merged with its daemon.json: the command line
 * wins, and a key in both is recorded in conflicts (dockerd refuses to start on it).
 */
void bh_dockerd_config_read(const char *host_root, char *const *argv, int argc,
			    struct bh_dockerd_config *c);
/* "--icc", "--host", ... */
const char *bh_dockerd_flag(enum bh_dockerd_key k);
/* A bool setting, or dflt when unset. */
bool bh_dockerd_bool(const struct bh_dockerd_config *c, enum bh_dockerd_key k, bool dflt);
/* Where a setting came from, for evidence: "--icc=false (command line)", ... */
void bh_dockerd_describe(const struct bh_dockerd_config *c, enum bh_dockerd_key k, char *out,
			 size_t size);

/* containerd's gRPC TCP endpoint, from the [grpc] table of its config.toml. */
struct bh_containerd_grpc {
	char config_file[BH_NORM_PATH_MAX]; /* --config, or /etc/containerd/config.toml */
	int file_err;			    /* 0, or -errno reading it */
	char tcp_address[128];		    /* "" when it serves no TCP */
	char tcp_tls_cert[256];
	char tcp_tls_ca[256]; /* set: clients must present a certificate it verifies */
};

void bh_containerd_config_read(const char *host_root, char *const *argv, int argc,
			       struct bh_containerd_grpc *g);

/* The dockerd defaults checks (daemon-docker-config ... -experimental), in their order. */
void bh_audit_dockerd_defaults(const struct bh_daemon *d, const struct bh_dockerd_config *c,
			       bh_check_fn fn, void *ctx);

/* Fills r's verdict and evidence (printf) and reports it. */
void bh_check_report(struct bh_check_result *r, enum bh_verdict v, bh_check_fn fn, void *ctx,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
