/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * catalogue.h - the rules catalogue: each rule's id, name, severities, kind, trigger
 * and fix. A leaf: the policy, the rules engine and the outputs all read it.
 */
#ifndef BULKHEAD_CATALOGUE_H
#define BULKHEAD_CATALOGUE_H

#include <stdbool.h>
#include <stdio.h>

/* Rule ids, stable: the catalogue (bh_rule_id_name) gives their names. */
enum bh_rule {
	BH_RULE_DOCKER_SOCKET_ACCESS,
	BH_RULE_DOCKER_SOCKET_MOUNT,
	BH_RULE_SENSITIVE_MOUNT_WRITABLE,
	BH_RULE_PRIVILEGED_CONTAINER,
	BH_RULE_DANGEROUS_CAPABILITY,
	BH_RULE_SETUID_ESCALATION,
	BH_RULE_SSH_DAEMON,
	BH_RULE_PRIVILEGED_PORT,
	BH_RULE_UNEXPECTED_PORT,
	BH_RULE_SECURITY_PROFILE_DISABLED,
	BH_RULE_HOST_NAMESPACE_SHARED,
	BH_RULE_DAEMON_TCP_NO_TLS,
	BH_RULE_SHARED_PROPAGATION,
	BH_RULE_NO_NEW_PRIVILEGES_MISSING,
	BH_RULE_MOUNT_IN_CONTAINER,
	BH_RULE_CGROUP_ESCAPE,
	BH_RULE_READONLY_ROOTFS_MISSING,
	BH_RULE_MEMORY_LIMIT_MISSING,
	BH_RULE_PIDS_LIMIT_MISSING,
	BH_RULE_CPU_SHARES_MISSING,
	BH_RULE_RUNS_AS_ROOT,
	BH_RULE_HOST_USER_NAMESPACE,
	BH_RULE_PORT_ALL_INTERFACES,
	BH_RULE_RESTART_POLICY,
	BH_RULE_HEALTHCHECK_MISSING,
	BH_RULE_HOST_DEVICE,
	BH_RULE_CGROUP_PARENT,
	BH_RULE_EXEC_BEYOND_CONFIG,
	BH_RULE_COUNT,
};

enum bh_severity {
	BH_SEV_LOW,
	BH_SEV_MEDIUM,
	BH_SEV_HIGH,
	BH_SEV_CRITICAL,
	BH_SEV_COUNT,
};

/* "docker-socket-access", ...; NULL past the last rule. */
const char *bh_rule_id_name(unsigned int rule);
/* The rule of an id, or -ENOENT. */
int bh_rule_lookup(const char *id);
/* "low", "medium", "high", "critical". */
const char *bh_severity_name(unsigned int sev);
/* The severity of a name, or -EINVAL. */
int bh_severity_lookup(const char *name);

struct bh_rule_info {
	const char *id;
	enum bh_severity severity;	     /* configuration finding (or the only kind) */
	enum bh_severity behaviour_severity; /* behaviour finding */
	const char *kind;		     /* "config", "behaviour" or "config+behaviour" */
	const char *trigger;
	const char *remediation;
	const char *cis;    /* CIS Docker Benchmark 1.6 control ids, comma-separated */
	const char *attack; /* MITRE ATT&CK technique ids, comma-separated */
	bool advisory;	    /* hygiene a plain `docker run` lacks: off in the agent unless the
			     * policy enables it; `bulkhead audit` judges it always */
};

extern const struct bh_rule_info bh_rule_catalogue[BH_RULE_COUNT];

struct bh_json;
/* "compliance":{"cis":[..],"attack":[..]} of a rule, as a member of the open object. */
void bh_rule_compliance_json(struct bh_json *w, const struct bh_rule_info *ri);

/*
 * `bulkhead rules`: id, severity, trigger, fix, compliance ids and whether the agent runs
 * it by default, as a table or JSON lines.
 */
void bh_rules_list(FILE *out, bool json);

#endif
