// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * loader.c - the BPF programs' lifecycle: probe the kernel, open the skeleton, configure,
 * load (again without an optional program the kernel refused), attach; and stop.
 */
#include "loader_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#ifdef __clang_analyzer__
/*
 * The analyzer assumes a function declared in a system header frees nothing, and so
 * reports a leak on the skeleton's error path, which bpf_object__destroy_skeleton()
 * frees. Declared again here, outside a system header, it may free what it is given.
 */
void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s);
#endif
#include "bulkhead.skel.h"
#include "compat.h"
#include "core/log.h"

/* During load libbpf prints the verifier's log as warnings: it belongs at debug level. */
static libbpf_print_fn_t saved_print;

static int print_as_debug(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return saved_print ? saved_print(LIBBPF_DEBUG, fmt, ap) : 0;
}

/* libbpf loads programs in order and stops at the first refusal: find it to name it. */
static struct bpf_program *first_unloaded(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, obj) {
		if (bpf_program__autoload(prog) && bpf_program__fd(prog) < 0)
			return prog;
	}
	return NULL;
}

/*
 * Programs the monitor can run without, and what goes missing without them
 * (NULL: a program it needs). cgroup creation records only name containers
 * whose cgroup is gone before their first record is read (a lagging consumer);
 * the compat program's loss is reported again as the compat verdict.
 */
static const char *optional_loss(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	if (!strcmp(sec, "tp_btf/cgroup_mkdir"))
		return "containers whose cgroup is removed before their first event is read will "
		       "not be recognised";
	if (!strcmp(sec, "tp_btf/sys_exit"))
		return "compat syscalls will not be seen";
	return NULL;
}

/* How many optional programs optional_loss() names: each may be refused once. */
#define OPTIONAL_PROGS 2

/*
 * Loads the programs. When the kernel refuses an optional program (warned),
 * *refused names its section: the caller may open the object again without it.
 */
static int load(struct bh_loader *l, const char **refused)
{
	struct bpf_program *prog;
	int err;

	*refused = NULL;
	saved_print = libbpf_set_print(print_as_debug);
	err = bulkhead__load(l->skel);
	libbpf_set_print(saved_print);
	if (!err)
		return 0;
	prog = first_unloaded(l->skel->obj);
	if (prog && optional_loss(prog)) {
		bh_warn("the kernel refused BPF program %s (%s): %s; going on without it: %s",
			bpf_program__name(prog), bpf_program__section_name(prog), strerror(-err),
			optional_loss(prog));
		*refused = bpf_program__section_name(prog);
		return err;
	}
	bh_error("the kernel refused BPF program %s: %s (errno %d); run with -v for the "
		 "verifier's log",
		 prog ? bpf_program__name(prog) : "(none: map creation or relocation)",
		 strerror(-err), -err);
	return err;
}

/* The optional programs the kernel refused before (sections, n of them) stay out. */
static void skip_refused(struct bpf_object *obj, char refused[][64], int n)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, obj) {
		for (int i = 0; i < n; i++)
			if (!strcmp(bpf_program__section_name(prog), refused[i]))
				bpf_program__set_autoload(prog, false);
	}
}

/* Attaches one program; a refused optional one is warned about and left out (*link NULL). */
static int attach_one(struct bpf_program *prog, struct bpf_link **link)
{
	int err;

	*link = bpf_program__attach(prog);
	if (*link)
		return 0;
	err = -errno;
	if (optional_loss(prog)) {
		bh_warn("cannot attach BPF program %s (%s): %s; going on without it: %s",
			bpf_program__name(prog), bpf_program__section_name(prog), strerror(-err),
			optional_loss(prog));
		return 0;
	}
	bh_error("cannot attach BPF program %s (%s): %s", bpf_program__name(prog),
		 bpf_program__section_name(prog), strerror(-err));
	return err;
}

/* A native exit program, which the raw sys_exit dispatcher stands in for where it runs. */
static bool native_exit(const struct bpf_program *prog)
{
	return !strncmp(bpf_program__section_name(prog), "tp/syscalls/sys_exit_",
			strlen("tp/syscalls/sys_exit_"));
}

/*
 * The raw sys_exit dispatcher first: where it runs it judges the native hooked
 * calls too, and their syscalls/sys_exit_* programs (loaded all the same) stay
 * unattached, so each call is judged once; where it cannot run, they attach.
 */
static int attach(struct bh_loader *l)
{
	struct bpf_program *dispatcher = l->skel->progs.bh_sys_exit;
	struct bpf_program *prog;
	struct bpf_link *link;
	int n = 0, err;

	bpf_object__for_each_program (prog, l->skel->obj)
		n++;
	/* calloc(0, ...) may return NULL, which is no -ENOMEM: there is nothing to attach. */
	if (!n)
		return 0;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of link pointers */
	l->links = calloc((size_t)n, sizeof(*l->links));
	if (!l->links)
		return -ENOMEM;
	if (bpf_program__autoload(dispatcher)) {
		err = attach_one(dispatcher, &link);
		if (err)
			return err;
		if (link) {
			l->links[l->nlinks++] = link;
			l->compat_attached = true;
		}
	}
	bpf_object__for_each_program (prog, l->skel->obj) {
		if (!bpf_program__autoload(prog) || prog == dispatcher ||
		    (l->compat_attached && native_exit(prog)))
			continue;
		err = attach_one(prog, &link);
		if (err)
			return err;
		if (link)
			l->links[l->nlinks++] = link;
	}
	return 0;
}

/* Judges whether compat syscalls can happen: from the facts given, else this machine's. */
static int judge_compat(struct bh_loader *l, const struct bh_compat_facts *given)
{
	struct bh_compat_facts facts;
	int err;

	if (given) {
		bh_compat_judge(given, &l->compat_verdict);
		return 0;
	}
	err = bh_compat_facts_read(&facts);
	if (err) {
		bh_error("cannot probe for compat syscalls: %s", strerror(-err));
		return err;
	}
	bh_compat_judge(&facts, &l->compat_verdict);
	bh_compat_facts_free(&facts);
	return 0;
}

/* The compat verdict once the programs are attached: in the start-up log, loudly if unseen. */
static void report_compat(struct bh_loader *l)
{
	const char *why = l->compat_verdict.why;

	if (!l->compat_verdict.possible) {
		l->compat = BH_COMPAT_IMPOSSIBLE;
		bh_info("compat syscalls: impossible on this kernel (%s)", why);
	} else if (l->compat_attached) {
		l->compat = BH_COMPAT_WATCHED;
		bh_info("compat syscalls: possible, watched (%s)", why);
	} else {
		l->compat = BH_COMPAT_UNWATCHED;
		bh_warn("compat syscalls: possible, NOT watched (%s): a mount, setns, capset, "
			"connect, bind or listen made through int $0x80 or the x32 ABI is not seen",
			why);
	}
}

int bh_loader_start(const struct bh_loader_opts *opts, struct bh_loader **out)
{
	char refused_secs[OPTIONAL_PROGS][64];
	struct bh_probe_gap gap;
	struct bh_loader *l;
	int err;

	*out = NULL;
	/* Probe what the kernel and our privileges allow, one clear message per cause */
	err = bh_probe_privileges(&gap);
	if (!err)
		err = bh_probe_btf(NULL, &gap);
	if (!err)
		err = bh_probe_ringbuf(&gap);
	if (!err)
		err = bh_probe_tracefs(&gap);
	if (err) {
		bh_error("%s: %s", gap.why, gap.fix);
		return err;
	}

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	/* Compat syscalls: once, before any attempt (the probe forks a child) */
	err = judge_compat(l, opts->compat_facts);
	if (err)
		goto fail;
	/* A refused object cannot be loaded again: each retry without a refused optional reopens */
	for (int attempt = 0; attempt <= OPTIONAL_PROGS; attempt++) {
		const char *refused;

		bulkhead__destroy(l->skel);
		/* Open the skeleton, then set its knobs before the verifier sees them */
		l->skel = bulkhead__open();
		if (!l->skel) {
			err = -errno;
			bh_error("cannot open the embedded BPF object: %s", strerror(-err));
			goto fail;
		}
		err = bh_loader_configure(l, opts);
		if (err)
			goto fail;
		skip_refused(l->skel->obj, refused_secs, attempt);
		/* Load & verify the BPF programs */
		err = load(l, &refused);
		if (!err || !refused || attempt == OPTIONAL_PROGS)
			break;
		/* the section name lives in the object about to be destroyed: copied */
		snprintf(refused_secs[attempt], sizeof(refused_secs[attempt]), "%s", refused);
	}
	if (err)
		goto fail;
	/* Let every unix peer through until the policy names the runtime sockets */
	err = bh_loader_set_runtime_sockets(l, NULL, 0);
	if (err)
		goto fail;
	err = bh_loader_set_host_programs(l, opts->host_programs);
	if (err)
		goto fail;
	/* Attach each program to its tracepoint */
	err = attach(l);
	if (err)
		goto fail;
	report_compat(l);
	bh_debug("BPF: %d programs attached, ring buffer %u bytes", l->nlinks,
		 bpf_map__max_entries(l->skel->maps.events));
	*out = l;
	return 0;
fail:
	bh_loader_stop(l);
	return err;
}

void bh_loader_stop(struct bh_loader *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->nlinks; i++)
		bpf_link__destroy(l->links[i]);
	free(l->links);
	bulkhead__destroy(l->skel);
	free(l);
}

int bh_loader_programs(bh_loader_program_fn fn, void *ctx)
{
	struct bulkhead *skel = bulkhead__open();
	struct bpf_program *prog;

	if (!skel)
		return -errno;
	bpf_object__for_each_program (prog, skel->obj) {
		fn(bpf_program__section_name(prog), optional_loss(prog), ctx);
	}
	bulkhead__destroy(skel);
	return 0;
}

int bh_loader_events_fd(const struct bh_loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

int bh_loader_advise_fd(const struct bh_loader *l)
{
	if (!bpf_program__autoload(l->skel->progs.bh_advise_sys_enter))
		return -1;
	return bpf_map__fd(l->skel->maps.bh_advise);
}

int bh_loader_attached(const struct bh_loader *l)
{
	return l->nlinks;
}

enum bh_compat_state bh_loader_compat(const struct bh_loader *l)
{
	return l->compat;
}
