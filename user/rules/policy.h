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
#include "core/sha256.h"

#define BH_POLICY_DEFAULT_PATH	  "/etc/bulkhead/policy.yaml"
#define BH_POLICY_DEFAULT_DEDUP_S 60

struct bh_policy_rule {
	bool enabled;	  /* an advisory rule (catalogue.h) is off unless the file says */
	bool enabled_set; /* the file said enabled: true or false */
	int severity;	  /* enum bh_severity, or -1: the rule's own */
};

/* An allow entry's mount matcher: both globs given must match (absent: any). */
struct bh_policy_mount {
	char *source;	   /* the host path (evidence "host_path" or "source") */
	char *destination; /* the path in the container (evidence "destination" or "target") */
};

/*
 * One exemption. Who: every matcher given must match (globs, fnmatch; a list matches when
 * one of its globs does; labels: every key given, its value a glob). What: every kind of
 * evidence given must cover the finding's evidence of that kind whole (each capability,
 * mount, port, peer path or namespace the finding names is one the entry lists); a finding
 * without evidence of that kind is not covered.
 */
struct bh_policy_allow {
	char *id;	/* names the entry in /metrics and warnings: "allow[N]", or the file's id */
	uint32_t rules; /* bit per enum bh_rule; 0: every rule */
	char *container_name;
	char *image;
	char **repositories; /* the image's repository, normalized (docker.io/library/...) */
	size_t n_repositories;
	char **namespaces; /* Kubernetes namespaces */
	size_t n_namespaces;
	struct bh_label *labels; /* pod labels: value globs */
	size_t n_labels;
	char *exe;
	/* evidence */
	uint64_t capabilities; /* bit per capability; 0: not limited */
	struct bh_policy_mount *mounts;
	size_t n_mounts;
	uint16_t *ports;
	size_t n_ports;
	char **peer_paths;
	size_t n_peer_paths;
	unsigned int ns_kinds; /* bit per enum bh_ns_kind; 0: not limited */
	char *reason;
	int64_t expires; /* unix time the entry stops applying (the day after "expires"); 0: never
			  */
	bool accept;	 /* report the finding as accepted (severity info) instead of hiding it */
	bool baseline;	 /* from the built-in baseline (deploy/baseline.yaml) */
};

struct bh_policy_ports {
	char *image; /* glob */
	uint16_t *ports;
	size_t n_ports;
};

struct bh_policy {
	struct bh_policy_rule rules[BH_RULE_COUNT];
	struct bh_policy_allow *allow; /* the file's entries, then the baseline's */
	size_t n_allow;
	size_t n_expired;	/* entries whose expires date has passed (warned at load) */
	char **sensitive_paths; /* absolute; "/" matches only itself */
	size_t n_sensitive_paths;
	char **runtime_sockets; /* a basename ("docker.sock") or an absolute glob */
	size_t n_runtime_sockets;
	struct bh_policy_ports *allowed_ports;
	size_t n_allowed_ports;
	unsigned int dedup_window_s;
	char sha256[BH_SHA256_HEX_LEN +
		    1]; /* of the text it was parsed from, hex; "" for the built-in policy */
	char **exports; /* --export URIs of the file (export/ checks them); not reloaded */
	size_t n_exports;
};

/*
 * Loads a policy file over the built-in defaults (lists given in the file
 * replace the default lists; the baseline's allow entries follow the file's
 * unless it says baseline: false). On a bad file logs "FILE:LINE:COL: what" and
 * returns -EINVAL; -errno when it cannot be read; -ENOMEM. An expired allow
 * entry is kept (and never matches) with a warning naming it.
 */
int bh_policy_load(const char *path, struct bh_policy **out);
/* Same, from a buffer; name is used in messages. */
int bh_policy_parse(const char *name, const char *text, size_t len, struct bh_policy **out);
/* The built-in policy, baseline included; NULL when out of memory. */
struct bh_policy *bh_policy_default(void);
void bh_policy_free(struct bh_policy *p);

/* The severity a rule reports with under p (its override, or def). */
int bh_policy_severity(const struct bh_policy *p, unsigned int rule, int def);
/*
 * True when an allow entry exempts this (rule, container, exe) whatever the evidence:
 * an entry that hides (not accept), without evidence matchers; *entry (when not NULL)
 * is its index in p->allow. c NULL: a host process.
 */
bool bh_policy_allows(const struct bh_policy *p, unsigned int rule, const struct bh_container *c,
		      const char *exe, size_t *entry);

/* Whether entry a applies to (rule, c, exe) at unix time now, evidence aside. */
bool bh_allow_matches_who(const struct bh_policy_allow *a, unsigned int rule,
			  const struct bh_container *c, const char *exe, int64_t now);
/* The entry limits the evidence (capabilities, mounts, ports, peer paths, namespaces). */
bool bh_allow_has_evidence(const struct bh_policy_allow *a);
/* The evidence object of a finding (JSON text) is covered by a's evidence matchers. */
bool bh_allow_matches_evidence(const struct bh_policy_allow *a, const char *evidence, size_t len);

/* An image reference's repository, normalized as docker does ("nginx:1" ->
 * docker.io/library/nginx). */
void bh_image_repository(const char *image, char *buf, size_t size);

/* True when port is allow-listed for the image (glob per entry). */
bool bh_policy_port_allowed(const struct bh_policy *p, const char *image, uint16_t port);
/* The host paths p names mount sources after (borrowed from p); p NULL: none. */
struct bh_host_paths bh_policy_host_paths(const struct bh_policy *p);

#endif
