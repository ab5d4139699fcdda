// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* compat.c - whether this kernel runs compat syscalls: tried for real, else read from its config.
 */
#define _GNU_SOURCE
#include "compat.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <zlib.h>

#define X32_SYSCALL_BIT 0x40000000 /* uapi asm/unistd.h */
#define IA32_NR_GETPID	20	   /* arch/x86/entry/syscalls/syscall_32.tbl */

/* True when the configuration text sets `name=y` (a line of its own). */
static bool config_yes(const char *config, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = config; (p = strstr(p, name)); p += n) {
		if ((p == config || p[-1] == '\n') && p[n] == '=' && p[n + 1] == 'y' &&
		    (p[n + 2] == '\n' || !p[n + 2]))
			return true;
	}
	return false;
}

/*
 * The value of the last `key=` on the kernel command line (the kernel applies
 * them in order), as the kernel's kstrtobool() reads it: 1 true, 0 false, -1
 * absent or unreadable.
 */
static int cmdline_bool(const char *cmdline, const char *key)
{
	size_t n = strlen(key);
	int v = -1;

	for (const char *p = cmdline; (p = strstr(p, key)); p += n) {
		const char *val = p + n;

		/* a parameter of its own, not the tail of another; "--" starts init's arguments */
		if (p != cmdline && p[-1] != ' ')
			continue;
		if (memmem(cmdline, (size_t)(p - cmdline), " -- ", 4))
			break;
		if (!*val)
			continue; /* kstrtobool() refuses it: the parameter keeps its value */
		if (strchr("yYtT1", *val) || !strncasecmp(val, "on", 2))
			v = 1;
		else if (strchr("nNfF0", *val) || !strncasecmp(val, "of", 2))
			v = 0;
	}
	return v;
}

/* ia32: the gate, else CONFIG_IA32_EMULATION and the ia32_emulation= switch (Linux 6.7). */
static bool ia32_possible(const struct bh_compat_facts *f, const char **why)
{
	int boot;

	if (f->ia32 == BH_GATE_OPEN) {
		*why = "int $0x80 runs syscalls";
		return true;
	}
	if (f->ia32 == BH_GATE_CLOSED) {
		*why = "int $0x80 faults";
		return false;
	}
	if (!f->config) {
		*why = "not tried and the kernel configuration is unreadable: assumed possible";
		return true;
	}
	if (!config_yes(f->config, "CONFIG_IA32_EMULATION")) {
		*why = "the kernel is built without CONFIG_IA32_EMULATION";
		return false;
	}
	boot = f->cmdline ? cmdline_bool(f->cmdline, "ia32_emulation=") : -1;
	if (boot >= 0) {
		*why = boot ? "ia32_emulation=on at boot" : "ia32_emulation=off at boot";
		return boot;
	}
	if (config_yes(f->config, "CONFIG_IA32_EMULATION_DEFAULT_DISABLED")) {
		*why = "CONFIG_IA32_EMULATION_DEFAULT_DISABLED and no ia32_emulation=on at boot";
		return false;
	}
	*why = "CONFIG_IA32_EMULATION is on";
	return true;
}

/* x32: the gate (ENOSYS when off), else CONFIG_X86_X32_ABI. */
static bool x32_possible(const struct bh_compat_facts *f, const char **why)
{
	if (f->x32 == BH_GATE_OPEN) {
		*why = "x32 syscalls run";
		return true;
	}
	if (f->x32 == BH_GATE_CLOSED) {
		*why = "x32 syscalls return ENOSYS";
		return false;
	}
	if (!f->config) {
		*why = "not tried and the kernel configuration is unreadable: assumed possible";
		return true;
	}
	if (!config_yes(f->config, "CONFIG_X86_X32_ABI")) {
		*why = "the kernel is built without CONFIG_X86_X32_ABI";
		return false;
	}
	*why = "CONFIG_X86_X32_ABI is on";
	return true;
}

void bh_compat_judge(const struct bh_compat_facts *f, struct bh_compat_verdict *v)
{
	const char *ia32_why, *x32_why;
	bool ia32, x32;

	memset(v, 0, sizeof(*v));
	if (!f->machine || strcmp(f->machine, "x86_64")) {
		/* arm64's aarch32 tasks are compat too; their calls are not probed here */
		v->possible = true;
		snprintf(v->why, sizeof(v->why),
			 "compat syscalls are watched on x86_64 only, this is %s",
			 f->machine ? f->machine : "an unknown machine");
		return;
	}
	ia32 = ia32_possible(f, &ia32_why);
	x32 = x32_possible(f, &x32_why);
	v->possible = ia32 || x32;
	v->watchable = true;
	snprintf(v->why, sizeof(v->why), "ia32: %s; x32: %s", ia32_why, x32_why);
}

#if defined(__x86_64__)
/*
 * getpid through int $0x80 in a child: where ia32 emulation is off the gate
 * is no interrupt gate and the child dies with SIGSEGV (a general protection
 * fault). No core file: the fault is the expected answer. The default action
 * too: a handler inherited from the caller (a sanitizer's, a test framework's)
 * would otherwise run in the child and answer for it.
 */
static enum bh_gate ia32_gate(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return BH_GATE_UNTRIED;
	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		long ret;

		setrlimit(RLIMIT_CORE, &none);
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"((long)IA32_NR_GETPID) : "memory");
		_exit(ret == getpid() ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		return BH_GATE_UNTRIED;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return BH_GATE_OPEN;
	/* SIGSYS (a seccomp filter) or an odd answer: no verdict from the gate */
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS))
		return BH_GATE_CLOSED;
	return BH_GATE_UNTRIED;
}

/* getpid by its x32 number: ENOSYS where the kernel has no x32 ABI or it is off. */
static enum bh_gate x32_gate(void)
{
	long ret = syscall(X32_SYSCALL_BIT | SYS_getpid);

	if (ret == getpid())
		return BH_GATE_OPEN;
	return ret == -1 && errno == ENOSYS ? BH_GATE_CLOSED : BH_GATE_UNTRIED;
}
#else
static enum bh_gate ia32_gate(void)
{
	return BH_GATE_UNTRIED;
}

static enum bh_gate x32_gate(void)
{
	return BH_GATE_UNTRIED;
}
#endif

char *bh_compat_read_config(const char *path)
{
	/* gzread() reads a plain file as it is, so one reader serves /proc/config.gz and /boot */
	gzFile gz = gzopen(path, "rb");
	size_t len = 0, cap = 0;
	char *text = NULL;
	int n;

	if (!gz)
		return NULL;
	do {
		if (cap - len < 65536) {
			char *grown = realloc(text, cap + 262144);

			if (!grown) {
				free(text);
				gzclose(gz);
				errno = ENOMEM;
				return NULL;
			}
			text = grown;
			cap += 262144;
		}
		n = gzread(gz, text + len, (unsigned int)(cap - len - 1));
		if (n > 0)
			len += (size_t)n;
	} while (n > 0);
	gzclose(gz);
	if (n < 0) {
		free(text);
		errno = EIO;
		return NULL;
	}
	text[len] = '\0';
	return text;
}

/* The first line of a small file, malloc'd; NULL when unreadable. */
static char *read_line(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (getline(&line, &cap, f) < 0) {
		free(line);
		line = NULL;
	} else {
		line[strcspn(line, "\n")] = '\0';
	}
	fclose(f);
	return line;
}

int bh_compat_facts_read(struct bh_compat_facts *f)
{
	struct utsname u;
	char boot[sizeof(u.release) + 16];

	memset(f, 0, sizeof(*f));
	if (uname(&u))
		return -errno;
	f->machine = strdup(u.machine);
	if (!f->machine)
		return -ENOMEM;
	f->config = bh_compat_read_config("/proc/config.gz");
	if (!f->config) {
		snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
		f->config = bh_compat_read_config(boot);
	}
	f->cmdline = read_line("/proc/cmdline");
	f->ia32 = ia32_gate();
	f->x32 = x32_gate();
	return 0;
}

void bh_compat_facts_free(struct bh_compat_facts *f)
{
	free((char *)f->machine);
	free((char *)f->config);
	free((char *)f->cmdline);
	memset(f, 0, sizeof(*f));
}

const char *bh_compat_state_name(unsigned int state)
{
	static const char *const names[BH_COMPAT_STATES] = {
		[BH_COMPAT_IMPOSSIBLE] = "impossible",
		[BH_COMPAT_WATCHED] = "watched",
		[BH_COMPAT_UNWATCHED] = "unwatched",
	};

	return state < BH_COMPAT_STATES ? names[state] : "unknown";
}
