/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rule_impl.h - what the rule families (rule_config.c, rule_event.c) share with the
 * engine (rules.c): the catalogue, the engine state and the emission of a finding.
 */
#ifndef BULKHEAD_RULE_IMPL_H
#define BULKHEAD_RULE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "core/hashtab.h"
#include "core/json_writer.h"
#include "core/path.h"
#include "policy.h"
#include "rules.h"

struct bh_rules {
	const struct bh_policy *policy;
	struct bh_policy *own_policy; /* the built-in one when the caller gave none */
	__u64 self_cgroup_id;
	int64_t boot_to_real_ns;
	__u32 host_ns[BH_NS_KINDS];
	struct bh_json w;
	struct bh_json ev;			 /* the evidence of the finding being written */
	struct bh_hashtab dedup;		 /* (rule, container, exe, detail) -> window */
	struct bh_hashtab fired;		 /* container -> bit per rule already reported */
	__u64 sent[BH_RULE_COUNT][BH_SEV_COUNT]; /* findings written, for /metrics */
	__u64 accepted[BH_RULE_COUNT];		 /* accepted findings written (severity info) */
	__u64 *allow_hits; /* per entry of policy->allow: findings it hid or accepted */
	char self_id[BH_CONTAINER_ID_LEN + 1]; /* bulkhead's own container, "" if none */
	char self_pod_uid[64];		       /* and its pod, "" if none */
	char exe[BH_EXE_MAX + 1];	       /* the exe of the behaviour finding being written */
	/* The identity of the finding being judged: bh_rules_finding_key(). */
	char key[BH_EXE_MAX + BH_CONTAINER_ID_LEN + 160];
};

/* A finding being written: filled by bh_hit_config()/bh_hit_event(), sent by bh_hit_send(). */
struct bh_hit {
	struct bh_rules *r;
	struct bh_finding f;
	unsigned int rule;
	unsigned int severity; /* after the policy's override */
	const char *exe;       /* the process's exe for allow entries; NULL: none */
	bh_finding_sink sink;
	void *ctx;
	char summary[512];
};

/* The caps docker grants by default are not dangerous; these are. */
#define BH_DANGEROUS_CAPS                                                                          \
	((1ULL << 21) /* SYS_ADMIN */ | (1ULL << 16) /* SYS_MODULE */ |                            \
	 (1ULL << 19) /* SYS_PTRACE */ | (1ULL << 17) /* SYS_RAWIO */ |                            \
	 (1ULL << 22) /* SYS_BOOT */ | (1ULL << 12) /* NET_ADMIN */ |                              \
	 (1ULL << 2) /* DAC_READ_SEARCH */ | (1ULL << 39) /* BPF */ | (1ULL << 38) /* PERFMON */ | \
	 (1ULL << 34) /* SYSLOG */ | (1ULL << 33) /* MAC_ADMIN */ |                                \
	 (1ULL << 32) /* MAC_OVERRIDE */ | (1ULL << 25) /* SYS_TIME */)

/*
 * Starts a configuration finding: NULL without a container, or when the rule is
 * off, allow-listed whatever the evidence, or already reported for this container.
 * Otherwise the evidence object is open in the returned writer; finish with
 * bh_hit_send(), which judges the allow entries that limit the evidence.
 * fmt follows the subject ("Container \"web\" (3f2a..) ") in the summary.
 */
struct bh_json *bh_hit_config(struct bh_hit *h, struct bh_rules *r, unsigned int rule,
			      const struct bh_container *c, bh_finding_sink sink, void *ctx,
			      const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/*
 * Starts a behaviour finding of ev: NULL when the rule is off or allow-listed,
 * or when the event is folded into the (rule, container, exe, detail) window.
 * once: report at most once per container (the config bit is shared).
 */
struct bh_json *bh_hit_event(struct bh_hit *h, struct bh_rules *r, unsigned int rule,
			     const struct bh_event *ev, const struct bh_container *c,
			     const char *detail, bool once, bh_finding_sink sink, void *ctx,
			     const char *fmt, ...) __attribute__((format(printf, 10, 11)));

/*
 * Ends the evidence, then hides the finding if an allow entry covers it (evidence
 * included), else writes it, marked accepted when an accept entry covers it.
 */
void bh_hit_send(struct bh_hit *h);

/* The allow hit counters for r->policy: 0 or -ENOMEM (then none are counted). */
int bh_hit_counters_reset(struct bh_rules *r);

/* The engine's dedup and fired tables (hit.c): 0 or -ENOMEM; a container's entries go. */
int bh_hit_tables_init(struct bh_rules *r);
void bh_hit_tables_fini(struct bh_rules *r);
void bh_hit_forget(struct bh_rules *r, const char *container_id);

/*
 * A record string as a C string in buf, as snprintf(buf, size, "%.*s") would
 * write it (up to a NUL, cut to size - 1), without its format parsing. Returns buf.
 */
const char *bh_cstr(const struct bh_str *s, char *buf, size_t size);

/* A normalized path is one of the policy's sensitive paths or below one. */
bool bh_sensitive_path(const struct bh_policy *p, const char *path);
/* "mnt", "pid", ... for an enum bh_ns_kind. */
const char *bh_ns_name(int kind);
/* "pid,net": the names of the kinds whose bit (1 << kind) is set in mask, cut to size. */
void bh_ns_names(unsigned int mask, char *buf, size_t size);

/* The path is a runtime API socket of the policy (basename or absolute glob). */
bool bh_runtime_socket(const struct bh_policy *p, const char *path);
/* The path is a directory holding a runtime socket of the policy ("/run", ...). */
bool bh_runtime_socket_dir(const struct bh_policy *p, const char *path);
/* Privileged, or privileged-equivalent (near-full caps with SYS_ADMIN and no seccomp). */
bool bh_container_privileged(const struct bh_container *c, const char **why);
/* c's configuration leaves the namespace kind (enum bh_ns_kind) the host's. */
bool bh_container_shares_host_ns(const struct bh_rules *r, const struct bh_container *c, int kind);

/* The rule families. */
void bh_rules_config(struct bh_rules *r, const struct bh_container *c, bh_finding_sink sink,
		     void *ctx);
void bh_rules_event(struct bh_rules *r, const struct bh_event *ev, const struct bh_container *c,
		    bh_finding_sink sink, void *ctx);

#endif
