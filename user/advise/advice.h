/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * advice.h - what `bulkhead advise` learnt about a workload, and what follows from it:
 * the capabilities it needs (caps.c), and the files written from it (profile.c): a
 * seccomp profile in Docker's format, docker run flags, a Kubernetes securityContext
 * patch, and the summary with the diff against what the container runs with now.
 */
#ifndef BULKHEAD_ADVICE_H
#define BULKHEAD_ADVICE_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "advise_rec.h"

#define BH_ADVICE_PORTS 32

struct bh_advice_port {
	__u16 port;
	__u16 family; /* AF_INET, AF_INET6 */
	bool stream;  /* tcp (listen) rather than udp (bind) */
};

/* What a container runs with, from the kernel's view of one of its processes. */
struct bh_advice_now {
	bool known;
	__u64 cap_effective;
	__u64 cap_bounding;
	int seccomp_mode; /* 0 none, 1 strict, 2 filter */
	bool no_new_privs;
	bool readonly_rootfs;
};

struct bh_advice {
	__u64 calls[BH_ADVISE_WORDS]; /* observed and merged syscalls, by native number */
	__u64 flags;		      /* enum bh_advise_flag bits */
	struct bh_advice_port ports[BH_ADVICE_PORTS];
	int n_ports;
	bool ports_truncated;
	int low_bind_port;	/* the lowest port bound below unpriv_port_start, 0: none */
	int unpriv_port_start;	/* net.ipv4.ip_unprivileged_port_start in its netns, -1 */
	bool setuid_exec;	/* an exec the kernel judged privilege-gaining (secureexec) */
	char setuid_file[256];	/* the first such exec's file */
	int rootfs_written;	/* 1: its overlay upper dir holds something, 0: not, -1: unknown */
	char rootfs_first[256]; /* a path it wrote, relative to its root */
	struct bh_advice_now now; /* what it runs with now */
	bool cap_hooks;		  /* capability checks could be observed (never used yet) */
	char cap_hooks_why[160];  /* why not (fentry and kprobe probes) */
	char target[128];	  /* the container's name or the image, for the files */
};

static inline void bh_advice_set_call(struct bh_advice *a, unsigned int nr)
{
	if (nr < BH_ADVISE_NR_MAX)
		a->calls[nr / 64] |= 1ULL << (nr % 64);
}

static inline bool bh_advice_has_call(const struct bh_advice *a, unsigned int nr)
{
	return nr < BH_ADVISE_NR_MAX && (a->calls[nr / 64] >> (nr % 64)) & 1;
}

/* Adds a listening port once. */
void bh_advice_add_port(struct bh_advice *a, __u16 port, __u16 family, bool stream);

/*
 * The capabilities the observed calls need (a mask) and, per capability, the call
 * that showed it (why[cap], NULL when not needed). Only capabilities whose use a
 * call or its register arguments show are judged: bh_caps_unjudged() lists the rest.
 */
__u64 bh_caps_needed(const struct bh_advice *a, const char *why[64]);
/* The capabilities no observed call can show the need for (DAC_OVERRIDE, FOWNER, ...). */
__u64 bh_caps_unjudged(void);
/*
 * Whether capability checks themselves could be observed here: fentry on cap_capable,
 * or a kprobe. Fills a->cap_hooks and a->cap_hooks_why.
 */
void bh_caps_probe_hooks(struct bh_advice *a);

/* The syscalls the runtime (runc) makes between installing the profile and the exec. */
extern const char *const bh_runtime_calls[];

/*
 * Adds the calls allowed by a seccomp profile in Docker's format (every rule whose
 * action is SCMP_ACT_ALLOW). Returns 0, or -errno (-EINVAL: not such a profile).
 */
int bh_advice_merge_file(struct bh_advice *a, const char *path);

/* Writes dir/seccomp.json, dir/flags.txt and dir/securityContext.yaml. 0 or -errno (logged). */
int bh_advice_write(const struct bh_advice *a, const char *dir);
/* The seccomp profile alone (Docker's JSON format, one name a line), into f. */
int bh_advice_write_seccomp(const struct bh_advice *a, FILE *f);
/* The human summary, with the diff against what the container runs with now (dir: where the
 * files were written, NULL: not written). */
void bh_advice_summary(const struct bh_advice *a, const char *dir, FILE *f);

#endif
