// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * predicates.c - what the rule families ask of a record string, a path (sensitive, a
 * runtime socket or its directory), a namespace kind and a container's configuration.
 */
#include "rule_impl.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *bh_cstr(const struct bh_str *s, char *buf, size_t size)
{
	size_t n = s->ptr ? strnlen(s->ptr, s->len) : 0;

	if (!size)
		return buf;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(buf, s->ptr, n);
	buf[n] = '\0';
	return buf;
}

bool bh_sensitive_path(const struct bh_policy *p, const char *path)
{
	char base[BH_NORM_PATH_MAX];

	for (size_t i = 0; i < p->n_sensitive_paths; i++) {
		bh_path_normalize(p->sensitive_paths[i], base, sizeof(base));
		if (bh_path_within(path, base))
			return true;
	}
	return false;
}

const char *bh_ns_name(int kind)
{
	static const char *const names[BH_NS_KINDS] = {
		[BH_NS_MNT] = "mnt",   [BH_NS_PID] = "pid",   [BH_NS_NET] = "net",
		[BH_NS_IPC] = "ipc",   [BH_NS_UTS] = "uts",   [BH_NS_CGROUP] = "cgroup",
		[BH_NS_USER] = "user", [BH_NS_TIME] = "time",
	};

	return kind >= 0 && kind < BH_NS_KINDS ? names[kind] : "unknown";
}

void bh_ns_names(unsigned int mask, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return;
	buf[0] = '\0';
	for (int k = 0; k < BH_NS_KINDS && len < size; k++) {
		int n;

		if (!(mask & (1u << k)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", bh_ns_name(k));
		if (n < 0)
			return;
		len += (size_t)n;
	}
}

bool bh_runtime_socket(const struct bh_policy *p, const char *path)
{
	char norm[BH_NORM_PATH_MAX];

	bh_path_normalize(path, norm, sizeof(norm));
	for (size_t i = 0; i < p->n_runtime_sockets; i++) {
		const char *s = p->runtime_sockets[i];

		if (s[0] == '/' ? fnmatch(s, norm, FNM_PATHNAME) == 0
				: !strcmp(s, bh_basename(norm)))
			return true;
	}
	return false;
}

bool bh_runtime_socket_dir(const struct bh_policy *p, const char *path)
{
	char norm[BH_NORM_PATH_MAX], dir[BH_NORM_PATH_MAX];

	bh_path_normalize(path, norm, sizeof(norm));
	for (size_t i = 0; i < p->n_runtime_sockets; i++) {
		const char *s = p->runtime_sockets[i];
		size_t len = strlen(s);

		if (s[0] != '/' || len >= sizeof(dir))
			continue;
		/* Every ancestor of the socket ("/run/docker.sock": "/run", "/") exposes it. */
		memcpy(dir, s, len + 1);
		for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
			if (slash == dir) {
				if (!strcmp(norm, "/"))
					return true;
				break;
			}
			*slash = '\0';
			if (fnmatch(dir, norm, FNM_PATHNAME) == 0)
				return true;
		}
	}
	return false;
}

/*
 * A kind the spec does not unshare is the host's. One joined by path is another
 * namespace (a pod's pause container, --net container:X) unless it is docker's
 * handle on the host network (--net host) or its inode is the host's.
 */
bool bh_container_shares_host_ns(const struct bh_rules *r, const struct bh_container *c, int kind)
{
	const char *path = c->config.ns_path[kind];
	char norm[BH_NORM_PATH_MAX];
	struct stat st;

	if (!c->config.host_ns[kind])
		return false;
	if (!path)
		return true;
	bh_path_normalize(path, norm, sizeof(norm));
	if (kind == BH_NS_NET && (!strcmp(norm, "/var/run/docker/netns/default") ||
				  !strcmp(norm, "/run/docker/netns/default")))
		return true;
	return r->host_ns[kind] && stat(path, &st) == 0 && st.st_ino == r->host_ns[kind];
}

bool bh_container_privileged(const struct bh_container *c, const char **why)
{
	const struct bh_container_config *cfg = &c->config;
	__u64 caps = cfg->cap_bounding | cfg->cap_effective;

	if (cfg->privileged) {
		*why = "privileged";
		return true;
	}
	/* 35 of the 41 capabilities: --cap-add ALL minus a few is privileged in all but name. */
	if ((caps & (1ULL << 21)) && __builtin_popcountll(caps) >= 35 && !cfg->seccomp) {
		*why = "near-full capabilities with CAP_SYS_ADMIN and seccomp off";
		return true;
	}
	if (cfg->devices_unrestricted) {
		*why = "all devices allowed";
		return true;
	}
	return false;
}
