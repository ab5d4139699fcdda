/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy.h - the policy file (YAML): which rules run at which severity, who is
 * exempt, and the lists the rules match against. Loaded with bh_policy_load().
 */
#ifndef BULKHEAD_POLICY_H
#define BULKHEAD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container/container.h"
#include "core/catalogue.h"

#define BH_POLICY_DEFAULT_PATH	  "/etc/bulkhead/policy.yaml"
#define BH_POLICY_DEFAULT_DEDUP_S 60

struct bh_policy_rule {
	bool enabled;
	int severity; /* enum bh_severity, or -1: the rule's own */
};

/* One exemption: every matcher set must match (globs, fnmatch). */
struct bh_policy_allow {
	uint32_t rules; /* bit per enum bh_rule; 0: every rule */
	char *container_name;
	char *image;
	char *pod_namespace;
	char *exe;
};

struct bh_policy_ports {
	char *image; /* glob */
	uint16_t *ports;
	size_t n_ports;
};

struct bh_policy {
	struct bh_policy_rule rules[BH_RULE_COUNT];
	struct bh_policy_allow *allow;
	size_t n_allow;
	char **sensitive_paths; /* absolute; "/" matches only itself */
	size_t n_sensitive_paths;
	char **runtime_sockets; /* a basename ("docker.sock") or an absolute glob */
	size_t n_runtime_sockets;
	struct bh_policy_ports *allowed_ports;
	size_t n_allowed_ports;
	unsigned int dedup_window_s;
	char **exports; /* --export URIs of the file (export/ checks them); not reloaded */
	size_t n_exports;
};

/*
 * Loads a policy file over the built-in defaults (lists given in the file
 * replace the default lists). On a bad file logs "FILE:LINE:COL: what" and
 * returns -EINVAL; -errno when it cannot be read; -ENOMEM.
 */
int bh_policy_load(const char *path, struct bh_policy **out);
/* Same, from a buffer; name is used in messages. */
int bh_policy_parse(const char *name, const char *text, size_t len, struct bh_policy **out);
/* The built-in policy; NULL when out of memory. */
struct bh_policy *bh_policy_default(void);
void bh_policy_free(struct bh_policy *p);

/* The severity a rule reports with under p (its override, or def). */
int bh_policy_severity(const struct bh_policy *p, unsigned int rule, int def);
/* True when an allow entry exempts this (rule, container, exe); c NULL: a host process. */
bool bh_policy_allows(const struct bh_policy *p, unsigned int rule, const struct bh_container *c,
		      const char *exe);
/* True when port is allow-listed for the image (glob per entry). */
bool bh_policy_port_allowed(const struct bh_policy *p, const char *image, uint16_t port);
/* The host paths p names mount sources after (borrowed from p); p NULL: none. */
struct bh_host_paths bh_policy_host_paths(const struct bh_policy *p);

#endif
