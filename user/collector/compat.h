/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * compat.h - can this kernel run compat syscalls (x86 ia32, x32), which the per-syscall
 * tracepoints do not see? The facts, the verdict, and what the agent does about it.
 */
#ifndef BULKHEAD_COMPAT_H
#define BULKHEAD_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

/* A compat entry tried for real from a child process. */
enum bh_gate {
	BH_GATE_UNTRIED, /* not tried, or no clear answer (a seccomp filter, no fork) */
	BH_GATE_OPEN,	 /* the call ran */
	BH_GATE_CLOSED,	 /* refused: int $0x80 faulted, x32 returned ENOSYS */
};

struct bh_compat_facts {
	const char *machine; /* uname -m */
	const char *config;  /* the kernel's build configuration text; NULL: unreadable */
	const char *cmdline; /* /proc/cmdline; NULL: unreadable */
	enum bh_gate ia32;   /* getpid through int $0x80 */
	enum bh_gate x32;    /* getpid through the x32 ABI */
};

struct bh_compat_verdict {
	bool possible;	/* compat syscalls can happen here, or cannot be ruled out */
	bool watchable; /* and bpf/sys_exit.bpf.c can see them (an x86-64 kernel) */
	char why[256];	/* one sentence per ABI, for the log */
};

/* Judges the facts: a tried gate is the answer; else the configuration and boot parameters. */
void bh_compat_judge(const struct bh_compat_facts *f, struct bh_compat_verdict *v);

/*
 * This machine's facts: uname, /proc/config.gz or /boot/config-<release>,
 * /proc/cmdline, and both gates tried (ia32 in a forked child, which a closed
 * gate kills with SIGSEGV: the kernel may log one "general protection" line).
 * Returns 0 or -errno; free with bh_compat_facts_free().
 */
int bh_compat_facts_read(struct bh_compat_facts *f);
void bh_compat_facts_free(struct bh_compat_facts *f);

/* A kernel configuration file, gzip'd or plain, as malloc'd text; NULL and errno on failure. */
char *bh_compat_read_config(const char *path);

/* What the agent does about compat syscalls: the start-up log line and the /metrics gauge. */
enum bh_compat_state {
	BH_COMPAT_IMPOSSIBLE, /* the kernel cannot make them */
	BH_COMPAT_WATCHED,    /* possible, and bpf/sys_exit.bpf.c is attached */
	BH_COMPAT_UNWATCHED,  /* possible, and not seen (not x86-64, or the program was refused) */
	BH_COMPAT_STATES,
};

/* "impossible", "watched", "unwatched"; "unknown" for anything else. */
const char *bh_compat_state_name(unsigned int state);

#endif
