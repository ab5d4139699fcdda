// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* metrics.c - health verdict and Prometheus text rendering of a counters snapshot. */
#define _GNU_SOURCE
#include "metrics.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "compat.h"
#include "core/event.h"

int64_t bh_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool bh_metrics_healthy(const struct bh_metrics_snapshot *s, int64_t now_mono_ns, const char **why)
{
	const char *reason = NULL;

	if (s->programs_attached <= 0)
		reason = "the BPF programs are not attached";
	else if (!s->drained_mono_ns)
		reason = "the ring buffer has not been read yet";
	else if (now_mono_ns - s->drained_mono_ns > BH_HEALTH_MAX_AGE_NS)
		reason = "the ring buffer has not been drained for more than 10 seconds";
	if (why)
		*why = reason;
	return !reason;
}

/* One metric family's HELP and TYPE lines. */
static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void scalar(FILE *f, const char *name, const char *type, const char *help, __u64 v)
{
	family(f, name, type, help);
	fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

/*
 * A label value: '\\', '"' and newlines escaped. The agent's own identifiers (event
 * families, rule ids, severities) hold none; --export URIs and allow entry ids may.
 */
static void label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* The --export outputs' counters, labelled by URI (it holds no secret). */
static void render_exports(FILE *f, const struct bh_metrics_snapshot *s)
{
	static const struct {
		const char *name, *type, *help;
		size_t offset;
	} counters[] = {
		{ "bulkhead_export_sent_total", "counter", "Records an --export receiver accepted.",
		  offsetof(struct bh_export_stats, sent) },
		{ "bulkhead_export_retried_total", "counter",
		  "Failed deliveries to an --export receiver that were retried.",
		  offsetof(struct bh_export_stats, retried) },
		{ "bulkhead_export_dropped_total", "counter",
		  "Records an --export output lost: its queue was full, the receiver refused them, "
		  "or it was down at exit.",
		  offsetof(struct bh_export_stats, dropped) },
		{ "bulkhead_export_queue_depth", "gauge",
		  "Records waiting in an --export output's queue.",
		  offsetof(struct bh_export_stats, queue_depth) },
	};

	if (!s->n_exports)
		return;
	for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
		family(f, counters[c].name, counters[c].type, counters[c].help);
		for (size_t i = 0; i < s->n_exports; i++) {
			const char *base = (const char *)&s->exports[i];

			fprintf(f, "%s{output=\"", counters[c].name);
			label_value(f, s->exports[i].name);
			fprintf(f, "\"} %llu\n",
				(unsigned long long)*(const uint64_t *)(base + counters[c].offset));
		}
	}
}

/*
 * A family with one series per (rule, severity) pair, zeros included: a policy may move a
 * rule to any severity, and rate() needs the series to exist before the first finding.
 */
static void by_rule_severity(FILE *f, const char *name, const char *type, const char *help,
			     const __u64 counts[BH_RULE_COUNT][BH_SEV_COUNT])
{
	family(f, name, type, help);
	for (unsigned int r = 0; r < BH_RULE_COUNT; r++)
		for (unsigned int v = 0; v < BH_SEV_COUNT; v++)
			fprintf(f, "%s{rule=\"%s\",severity=\"%s\"} %llu\n", name,
				bh_rule_id_name(r), bh_severity_name(v),
				(unsigned long long)counts[r][v]);
}

void bh_metrics_set_rules(struct bh_metrics_snapshot *s, const struct bh_rules *r,
			  const struct bh_policy *p)
{
	const __u64 *hits = bh_rules_allow_hits(r);

	bh_rules_finding_counts(r, s->findings);
	bh_rules_accepted_counts(r, s->findings_accepted);
	s->n_allow = 0;
	for (size_t i = 0; hits && p && i < p->n_allow; i++) {
		size_t slot = i < BH_METRICS_ALLOW_MAX ? i : BH_METRICS_ALLOW_MAX;
		struct bh_metrics_allow *m = &s->allow[slot];

		if (slot == s->n_allow) { /* the slot's first entry */
			snprintf(m->id, sizeof(m->id), "%s",
				 slot < BH_METRICS_ALLOW_MAX ? p->allow[i].id : "(more)");
			m->accept = p->allow[i].accept;
			m->hits = 0;
			s->n_allow = slot + 1;
		}
		m->hits += hits[i];
	}
}
int bh_metrics_render(const struct bh_metrics_snapshot *s, int64_t now_mono_ns, char **out,
		      size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int err;

	if (!f)
		return -ENOMEM;

	family(f, "bulkhead_build_info", "gauge", "Version and event ABI of this agent.");
	fprintf(f, "bulkhead_build_info{version=\"%s\",abi=\"%d\"} 1\n", BULKHEAD_VERSION,
		BH_ABI_VERSION);
	family(f, "bulkhead_up", "gauge",
	       "1 while the BPF programs are attached and the ring buffer is drained.");
	fprintf(f, "bulkhead_up %d\n", bh_metrics_healthy(s, now_mono_ns, NULL) ? 1 : 0);
	scalar(f, "bulkhead_bpf_programs_attached", "gauge", "BPF programs attached.",
	       s->programs_attached > 0 ? (__u64)s->programs_attached : 0);
	family(f, "bulkhead_last_drain_age_seconds", "gauge",
	       "Seconds since the ring buffer was last drained (-1: never).");
	if (s->drained_mono_ns)
		fprintf(f, "bulkhead_last_drain_age_seconds %.3f\n",
			(double)(now_mono_ns - s->drained_mono_ns) / 1e9);
	else
		fputs("bulkhead_last_drain_age_seconds -1\n", f);

	family(f, "bulkhead_events_total", "counter",
	       "Events read from the kernel and decoded, by family.");
	for (unsigned int t = 1; t < BH_EV_TYPE_MAX; t++)
		fprintf(f, "bulkhead_events_total{family=\"%s\"} %llu\n", bh_event_type_name(t),
			(unsigned long long)s->events[t]);

	by_rule_severity(f, "bulkhead_findings_total", "counter",
			 "Findings written, by rule and severity (after the policy's overrides).",
			 s->findings);
	/* Accepted findings are written with severity info. */
	for (unsigned int r = 0; r < BH_RULE_COUNT; r++)
		fprintf(f, "bulkhead_findings_total{rule=\"%s\",severity=\"info\"} %llu\n",
			bh_rule_id_name(r), (unsigned long long)s->findings_accepted[r]);
	/* Per rule, not per container: the series stay as few as the rules, whatever runs. */
	by_rule_severity(f, "bulkhead_open_findings", "gauge",
			 "Findings open on the running containers (distinct, until the container "
			 "stops), by rule and severity; GET /findings lists them.",
			 s->open_findings);
	scalar(f, "bulkhead_open_findings_dropped_total", "counter",
	       "New open findings not kept because a container or the node had its cap.",
	       s->open_findings_dropped);
	family(f, "bulkhead_policy_allow_hits_total", "counter",
	       "Findings each allow entry of the policy in force hid (action allow) or marked "
	       "accepted (action accept), by entry id; 0 again after a reload.");
	for (size_t i = 0; i < s->n_allow; i++) {
		fputs("bulkhead_policy_allow_hits_total{entry=\"", f);
		label_value(f, s->allow[i].id);
		fprintf(f, "\",action=\"%s\"} %llu\n", s->allow[i].accept ? "accept" : "allow",
			(unsigned long long)s->allow[i].hits);
	}
	family(f, "bulkhead_policy_reloads_total", "counter",
	       "Policy reloads (SIGHUP or a change of the file): ok, or error (the previous "
	       "policy stays in force).");
	fprintf(f, "bulkhead_policy_reloads_total{result=\"ok\"} %llu\n",
		(unsigned long long)s->policy_reloads_ok);
	fprintf(f, "bulkhead_policy_reloads_total{result=\"error\"} %llu\n",
		(unsigned long long)s->policy_reloads_error);

	scalar(f, "bulkhead_kernel_events_total", "counter",
	       "Records the BPF programs submitted to the ring buffer.", s->kernel_emitted);
	scalar(f, "bulkhead_drops_total", "counter",
	       "Events lost in the kernel because the ring buffer was full.", s->drops);
	family(f, "bulkhead_kernel_read_errors_total", "counter",
	       "Kernel or user memory reads that left an event field empty, by site "
	       "(<family>.<field>: which program, which read).");
	for (unsigned int i = 0; i < BH_READ_SITES; i++)
		fprintf(f, "bulkhead_kernel_read_errors_total{site=\"%s\"} %llu\n",
			bh_read_site_name(i), (unsigned long long)s->read_errors[i]);
	scalar(f, "bulkhead_kernel_args_lost_total", "counter",
	       "Threads whose state the kernel had no memory to keep: an exec's "
	       "credentials before it, or the sets a capset is compared with, unknown.",
	       s->args_lost);
	family(f, "bulkhead_compat_syscalls", "gauge",
	       "Compat syscalls (x86 ia32 and x32, unseen by the per-syscall tracepoints): 1 for "
	       "the state of this node: impossible on its kernel, watched, or possible and not "
	       "watched.");
	for (unsigned int i = 0; i < BH_COMPAT_STATES; i++)
		fprintf(f, "bulkhead_compat_syscalls{state=\"%s\"} %d\n", bh_compat_state_name(i),
			s->compat_state == (int)i);
	scalar(f, "bulkhead_kernel_compat_syscalls_total", "counter",
	       "Compat syscalls of a hooked kind (mount, setns, capset, connect, bind, listen) "
	       "the kernel saw, judged or filtered.",
	       s->compat_calls);
	scalar(f, "bulkhead_decode_errors_total", "counter",
	       "Records rejected by user space as malformed.", s->decode_errors);
	scalar(f, "bulkhead_containers", "gauge", "Containers tracked by the resolver.",
	       s->containers);
	scalar(f, "bulkhead_resolver_cache_hits_total", "counter",
	       "Container lookups answered from the cache.", s->resolver_hits);
	scalar(f, "bulkhead_resolver_cache_misses_total", "counter",
	       "Container lookups that read cgroup and runtime state.", s->resolver_misses);
	scalar(f, "bulkhead_resolver_api_errors_total", "counter",
	       "Failed container runtime API queries.", s->resolver_api_errors);
	if (s->ringbuf_size_bytes) {
		scalar(f, "bulkhead_ringbuf_size_bytes", "gauge", "BPF ring buffer size.",
		       s->ringbuf_size_bytes);
		scalar(f, "bulkhead_ringbuf_used_bytes", "gauge",
		       "Bytes queued in the BPF ring buffer at the last snapshot.",
		       s->ringbuf_used_bytes);
		family(f, "bulkhead_ringbuf_fill_ratio", "gauge",
		       "Fill of the BPF ring buffer at the last snapshot (0 to 1).");
		fprintf(f, "bulkhead_ringbuf_fill_ratio %.6f\n",
			(double)s->ringbuf_used_bytes / (double)s->ringbuf_size_bytes);
	}
	scalar(f, "bulkhead_output_lines_total", "counter", "JSON lines written to stdout.",
	       s->output_lines);
	scalar(f, "bulkhead_output_bytes_total", "counter", "Bytes written to stdout.",
	       s->output_bytes);
	scalar(f, "bulkhead_output_dropped_lines_total", "counter",
	       "Raw event lines dropped because stdout could not keep up (findings never are).",
	       s->output_dropped_lines);

	render_exports(f, s);

	err = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) || err) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*len = size;
	return 0;
}

int bh_ringbuf_usage(int map_fd, __u64 *used, __u64 *size)
{
	struct bpf_map_info info = { 0 };
	__u32 info_len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	volatile const unsigned long *cons, *prod;
	void *m;
	int err;

	err = bpf_obj_get_info_by_fd(map_fd, &info, &info_len);
	if (err)
		return err;
	if (info.type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	/* Page 0 holds the consumer position, page 1 the producer's (kernel/bpf/ringbuf.c);
	 * both may be mapped read-only by anyone holding the fd. */
	m = mmap(NULL, (size_t)page * 2, PROT_READ, MAP_SHARED, map_fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	cons = m;
	prod = (const void *)((const char *)m + page);
	*used = (__u64)(*prod - *cons);
	*size = info.max_entries;
	munmap(m, (size_t)page * 2);
	return 0;
}
