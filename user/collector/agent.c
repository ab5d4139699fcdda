// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* agent.c - the collector loop of `bulkhead run`: epoll over ring buffer, signals, timer. */
#include "agent.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "capture/capture.h"
#include "container/cgroup.h"
#include "container/container.h"
#include "core/event.h"
#include "export/export.h"
#include "http.h"
#include "open_findings.h"
#include "loader.h"
#include "core/log.h"
#include "metrics.h"
#include "output/output_json.h"
#include "pipeline.h"
#include "policy_watch.h"
#include "rules/policy.h"
#include "rules/rules.h"
#include "output/sink.h"
#include "output/stream.h"

#define DEFAULT_POLICY_PATH "/etc/bulkhead/policy.yaml"
#define SWEEP_INTERVAL_S    5
#define SINK_BYTES	    (4u << 20)

struct agent {
	const struct bh_agent_opts *opts;
	struct bh_loader *loader;
	struct bh_resolver *resolver;
	struct bh_policy *policy;
	struct bh_policy_watch *policy_watch; /* NULL: reloads on SIGHUP only */
	__u64 reloads_ok, reloads_error;
	struct bh_pipeline pipe;
	struct ring_buffer *rb;
	struct bh_sink out;
	struct bh_http *http;
	struct bh_stream *stream;
	struct bh_capture *capture;
	struct bh_exports *exports;
	int capture_err;  /* first capture write error, sticky */
	bool stdout_gone; /* stdout is a pipe nobody reads any more */
	int ncpus;
	struct bh_counters *percpu;
	__u64 drops_reported;
	unsigned int ticks;
	uint64_t findings_generation; /* of the open findings /findings serves */
	bool findings_published;
};

static const struct bh_container *lookup_live(void *ctx, const struct bh_hdr *hdr)
{
	struct agent *a = ctx;

	return bh_resolver_lookup(a->resolver, hdr->cgroup_id, hdr->cgroup_v1_id, hdr->tgid);
}

/*
 * Asked when a task holds namespaces learned from c. A gone c's end goes in the capture
 * now, before the record that asked: a replay then answers as the agent did.
 */
static bool container_alive(void *ctx, const struct bh_container *c)
{
	struct agent *a = ctx;

	if (bh_resolver_alive(a->resolver, c))
		return true;
	if (a->capture)
		bh_capture_container_gone(a->capture, c);
	return false;
}

/* A cgroup that holds no container: the kernel stops sending what only containers matter for. */
static void on_host_cgroup(__u64 cgroup_id, __u64 cgroup_v1_id, void *ctx)
{
	struct agent *a = ctx;

	if (a->loader)
		bh_loader_host_cgroup(a->loader, cgroup_id, cgroup_v1_id);
}

static void on_container_new(const struct bh_container *c, void *ctx)
{
	struct agent *a = ctx;

	if (a->capture)
		bh_capture_container(a->capture, c);
	bh_pipeline_container_new(&a->pipe, c);
}

static void on_container_gone(const struct bh_container *c, void *ctx)
{
	struct agent *a = ctx;

	if (a->capture)
		bh_capture_container_gone(a->capture, c);
	bh_pipeline_container_gone(&a->pipe, c);
}

/* Its docker API answer came (or it waits no longer): the records held for it go on. */
static void on_container_ready(const struct bh_container *c, void *ctx)
{
	struct agent *a = ctx;

	bh_pipeline_container_ready(&a->pipe, c);
}

/* The pipeline holds too much of c, or for too long: it goes on with what the bundle said. */
static void release_container(void *ctx, const struct bh_container *c)
{
	struct agent *a = ctx;

	bh_resolver_release(a->resolver, c);
}

static void on_container_scanned(const struct bh_container *c, void *ctx)
{
	(void)c; /* judged by on_container_new when the scan first resolved it */
	(void)ctx;
}

static void record_tap(void *ctx, const void *data, size_t size, const struct bh_container *c)
{
	struct agent *a = ctx;
	int err = bh_capture_event(a->capture, data, size, c);

	if (err && !a->capture_err)
		a->capture_err = err;
}

/* A cgroup was created: the resolver remembers its path (a cut one would name nothing). */
static void note_cgroup(void *ctx, const struct bh_event *ev)
{
	const struct bh_cgroup_rec *rec = BH_EVENT_AS(ev, bh_cgroup_rec);
	struct agent *a = ctx;

	if (a->resolver && !(rec->hdr.trunc & BH_TRUNC_STR0))
		bh_resolver_note_cgroup(a->resolver, rec->hierarchy_id, rec->id, ev->str[0].ptr,
					ev->str[0].len);
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;

	bh_pipeline_record(&a->pipe, data, size);
	return 0;
}

static void write_stats(struct agent *a, bool final)
{
	struct bh_counters sum = { 0 };
	struct bh_resolver_stats rs = { 0 };
	struct bh_json *w = &a->pipe.line;
	__u64 read_errors[BH_READ_SITES] = { 0 }, read_total = 0;

	bh_loader_counters(a->loader, &sum, a->percpu, a->ncpus);
	bh_loader_read_errors(a->loader, read_errors);
	bh_resolver_get_stats(a->resolver, &rs);
	for (unsigned int i = 0; i < BH_READ_SITES; i++)
		read_total += read_errors[i];

	bh_pipeline_stats_begin(&a->pipe, final);
	bh_json_key_uint(w, "kernel_emitted", sum.emitted);
	bh_json_key_uint(w, "drops", sum.drops);
	bh_json_key(w, "drops_per_cpu");
	bh_json_arr_begin(w);
	for (int i = 0; i < a->ncpus; i++)
		bh_json_uint(w, a->percpu[i].drops);
	bh_json_arr_end(w);
	bh_json_key_uint(w, "read_errors", read_total);
	/* only the sites that failed: the line stays short while nothing does */
	bh_json_key(w, "read_errors_by_site");
	bh_json_obj_begin(w);
	for (unsigned int i = 0; i < BH_READ_SITES; i++)
		if (read_errors[i])
			bh_json_key_uint(w, bh_read_site_name(i), read_errors[i]);
	bh_json_obj_end(w);
	bh_json_key_uint(w, "args_lost", sum.args_lost);
	bh_json_key_uint(w, "compat_syscalls", sum.compat_calls);
	bh_json_key_uint(w, "containers", rs.containers);
	bh_json_key(w, "resolver");
	bh_json_obj_begin(w);
	bh_json_key_uint(w, "hits", rs.hits);
	bh_json_key_uint(w, "misses", rs.misses);
	bh_json_key_uint(w, "api_errors", rs.api_errors);
	bh_json_obj_end(w);
	bh_json_key_uint(w, "output_lines", a->out.lines);
	bh_json_key_uint(w, "output_dropped_lines", a->out.dropped);
	bh_exports_stats_json(a->exports, w);
	bh_pipeline_line_end(&a->pipe);

	if (sum.drops > a->drops_reported) {
		bh_warn("%llu events lost: the ring buffer was full (%llu in total); "
			"a larger --ringbuf-size or fewer selected events helps",
			(unsigned long long)(sum.drops - a->drops_reported),
			(unsigned long long)sum.drops);
		a->drops_reported = sum.drops;
	}
}

/*
 * /findings' view, built anew when the open findings changed since the last one, and at
 * each sweep: a runtime's late answer (a retried API) describes a container anew in place.
 */
static void publish_findings(struct agent *a)
{
	uint64_t gen = bh_open_findings_generation(a->pipe.open);
	struct bh_open_view *v;

	if (a->findings_published && gen == a->findings_generation &&
	    a->ticks % SWEEP_INTERVAL_S != 0)
		return;
	v = bh_open_view_build(a->pipe.open);
	/* without memory the last view stays, and the next tick tries again */
	if (!v || bh_http_publish_findings(a->http, v))
		return;
	a->findings_generation = gen;
	a->findings_published = true;
}

/* The counters the HTTP server serves, published once a second. */
static void publish_metrics(struct agent *a)
{
	struct bh_metrics_snapshot snap = { 0 };
	struct bh_counters sum = { 0 };
	struct bh_resolver_stats rs = { 0 };

	bh_loader_counters(a->loader, &sum, a->percpu, a->ncpus);
	bh_loader_read_errors(a->loader, snap.read_errors);
	bh_resolver_get_stats(a->resolver, &rs);
	snap.programs_attached = bh_loader_attached(a->loader);
	snap.drained_mono_ns = bh_mono_ns();
	memcpy(snap.events, a->pipe.counts.events, sizeof(snap.events));
	snap.decode_errors = a->pipe.counts.decode_errors;
	if (a->pipe.rules)
		bh_metrics_set_rules(&snap, a->pipe.rules, a->policy);
	snap.policy_reloads_ok = a->reloads_ok;
	snap.policy_reloads_error = a->reloads_error;
	snap.kernel_emitted = sum.emitted;
	snap.drops = sum.drops;
	snap.args_lost = sum.args_lost;
	snap.compat_calls = sum.compat_calls;
	snap.compat_state = (int)bh_loader_compat(a->loader);
	snap.containers = rs.containers;
	snap.resolver_hits = rs.hits;
	snap.resolver_misses = rs.misses;
	snap.resolver_api_errors = rs.api_errors;
	bh_ringbuf_usage(bh_loader_events_fd(a->loader), &snap.ringbuf_used_bytes,
			 &snap.ringbuf_size_bytes);
	snap.output_lines = a->out.lines;
	snap.output_bytes = a->out.bytes;
	snap.output_dropped_lines = a->out.dropped;
	if (a->pipe.open) {
		bh_open_findings_counts(a->pipe.open, snap.open_findings);
		snap.open_findings_dropped = bh_open_findings_dropped(a->pipe.open);
		publish_findings(a);
	}
	snap.n_exports = bh_exports_snapshot(a->exports, snap.exports);
	bh_http_publish(a->http, &snap);
}

/* `record`: one frame a second, and progress on stderr every stats interval. */
static void capture_tick(struct agent *a, bool report)
{
	struct bh_capture_stats st;

	int err = bh_capture_flush(a->capture);

	if (err) {
		if (!a->capture_err)
			a->capture_err = err;
		return; /* the loop stops on it */
	}
	if (!report)
		return;
	bh_capture_get_stats(a->capture, &st);
	bh_info("recorded %llu events in %llu frames: %llu bytes raw, %llu written (ratio %.1f)",
		(unsigned long long)st.events, (unsigned long long)st.frames,
		(unsigned long long)st.bytes_raw, (unsigned long long)st.bytes_written,
		st.bytes_written ? (double)st.bytes_raw / (double)st.bytes_written : 0.0);
}

/* The node's name on every line: NODE_NAME (Kubernetes downward API), else the host name. */
static void set_host_name(void)
{
	const char *node = getenv("NODE_NAME");
	char name[256] = "";

	if (!node || !*node) {
		if (gethostname(name, sizeof(name) - 1))
			name[0] = '\0';
		node = name;
	}
	bh_output_set_host(node);
}

static const char *policy_path(const struct bh_agent_opts *opts)
{
	return opts->policy_path ? opts->policy_path : DEFAULT_POLICY_PATH;
}

static int load_policy(const struct bh_agent_opts *opts, struct bh_policy **out)
{
	const char *path = policy_path(opts);

	if (!opts->policy_path_explicit && access(path, F_OK)) {
		*out = bh_policy_default();
		return *out ? 0 : -ENOMEM;
	}
	return bh_policy_load(path, out);
}

/* "policy loaded from PATH (sha256 ...)": which text is in force, for whoever applied it. */
static void log_policy(const struct agent *a, const char *what)
{
	const struct bh_policy *p = a->policy;

	if (p->sha256[0])
		bh_info("policy %s from %s (sha256 %s): %zu allow entries, %zu expired", what,
			policy_path(a->opts), p->sha256, p->n_allow, p->n_expired);
	else
		bh_info("policy %s: the built-in one (%s is absent), %zu allow entries", what,
			policy_path(a->opts), p->n_allow);
}

/* The kernel lets through only unix connects to the policy's runtime sockets. */
static void apply_policy_to_kernel(struct agent *a)
{
	const struct bh_policy *p = a->policy;

	if (p && a->loader &&
	    bh_loader_set_runtime_sockets(a->loader, p->runtime_sockets, p->n_runtime_sockets))
		bh_warn("cannot pass the runtime sockets to the kernel: every unix connect is "
			"sent to user space");
}

static void reload_policy(struct agent *a)
{
	struct bh_policy *p = NULL;

	if (load_policy(a->opts, &p)) {
		a->reloads_error++;
		bh_warn("policy reload failed: keeping the previous policy");
		return;
	}
	a->reloads_ok++;
	bh_pipeline_set_policy(&a->pipe, p);
	bh_resolver_set_host_paths(a->resolver, bh_policy_host_paths(p));
	bh_policy_free(a->policy);
	a->policy = p;
	apply_policy_to_kernel(a);
	log_policy(a, "reloaded");
}

/* A change of the policy file reloads it as SIGHUP does (a ConfigMap update, an edit). */
static void watch_policy(struct agent *a)
{
	int err = bh_policy_watch_open(policy_path(a->opts), &a->policy_watch);

	if (err)
		bh_warn("cannot watch the directory of %s (%s): changes to it load on SIGHUP only",
			policy_path(a->opts), strerror(-err));
}

/*
 * Signals arrive through a signalfd. Called before any thread starts, so every
 * thread inherits the blocked mask; dispositions are reset first because a
 * shell's background job starts with SIGINT ignored, and an ignored signal is
 * discarded before it reaches a signalfd.
 */
static int setup_signals(void)
{
	static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		signal(stop_signals[i], SIG_DFL);
		sigaddset(&set, stop_signals[i]);
	}
	sigaddset(&set, SIGUSR1); /* --export file:// reopens its file (logrotate) */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int epoll_add(int ep, int fd, uint32_t tag)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

enum { TAG_RING, TAG_SIGNAL, TAG_TIMER, TAG_STREAM, TAG_RESOLVER, TAG_POLICY };

/* Returns true when the loop must stop. */
static bool handle_signals(struct agent *a, int sfd)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1)
			bh_exports_reopen(a->exports);
		else if (si.ssi_signo != SIGHUP)
			stop = true;
		else if (a->opts->findings)
			reload_policy(a);
	}
	return stop;
}

/* A reader that went away is noticed even when there is nothing to write: a pipe whose
 * read end is closed polls POLLERR. */
static bool stdout_reader_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

static void handle_tick(struct agent *a, int tfd)
{
	uint64_t expirations;
	int interval = a->opts->stats_interval_s;
	bool stats_due;

	if (read(tfd, &expirations, sizeof(expirations)) < 0)
		return;
	a->ticks++;
	/* A safety net under the kernel's wake-ups: nothing waits in the ring past a tick. */
	ring_buffer__consume(a->rb);
	stats_due = interval && a->ticks % (unsigned int)interval == 0;
	if (a->ticks % SWEEP_INTERVAL_S == 0)
		bh_resolver_sweep(a->resolver);
	bh_pipeline_release_held(&a->pipe, bh_mono_ns(), false);
	if (stats_due)
		write_stats(a, false);
	if (a->http)
		publish_metrics(a);
	if (a->capture)
		capture_tick(a, stats_due);
	if (stdout_reader_gone())
		a->stdout_gone = true;
}

struct greeting {
	struct bh_stream *stream;
	int clients; /* the newest, still attached */
};

static void greet_line(const char *line, size_t len, void *ctx)
{
	struct greeting *g = ctx;

	if (g->clients)
		g->clients = bh_stream_send_newest(g->stream, g->clients, line, len);
}

/* Clients that just came (`bulkhead top`) get the findings open before them. */
static void greet_clients(struct agent *a, int n)
{
	struct greeting g = { a->stream, n };

	if (n > 0 && a->pipe.open)
		bh_open_findings_each_line(a->pipe.open, greet_line, &g);
}

static int event_loop(struct agent *a, int sfd, int tfd)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), err = 0, rfd = bh_resolver_fd(a->resolver);
	int pfd = a->policy_watch ? bh_policy_watch_fd(a->policy_watch) : -1;
	bool stop = false, busy = false;

	if (ep < 0)
		return -errno;
	if ((err = epoll_add(ep, ring_buffer__epoll_fd(a->rb), TAG_RING)) ||
	    (err = epoll_add(ep, sfd, TAG_SIGNAL)) || (err = epoll_add(ep, tfd, TAG_TIMER)) ||
	    (a->stream && (err = epoll_add(ep, bh_stream_fd(a->stream), TAG_STREAM))) ||
	    (rfd >= 0 && (err = epoll_add(ep, rfd, TAG_RESOLVER))) ||
	    (pfd >= 0 && (err = epoll_add(ep, pfd, TAG_POLICY))))
		goto out;

	while (!stop) {
		struct epoll_event evs[6];
		/* Wake-ups are batched in the kernel: after a busy round, poll again soon. */
		int n = epoll_wait(ep, evs, 6, busy ? BH_POLL_MS : -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		bool consumed = false;

		if (n == 0 || busy)
			consumed = ring_buffer__consume(a->rb) > 0;
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case TAG_RING: {
				int got = ring_buffer__consume(a->rb);

				if (got < 0)
					bh_warn("ring buffer read failed: %s", strerror(-got));
				consumed = consumed || got > 0;
				break;
			}
			case TAG_SIGNAL:
				stop = handle_signals(a, sfd);
				break;
			case TAG_TIMER:
				handle_tick(a, tfd);
				break;
			case TAG_STREAM:
				greet_clients(a, bh_stream_accept(a->stream));
				break;
			case TAG_RESOLVER:
				bh_resolver_complete(a->resolver);
				break;
			case TAG_POLICY:
				if (bh_policy_watch_changed(a->policy_watch))
					reload_policy(a);
				break;
			}
		}
		/* Records found this round: more may sit in the ring without a wake-up. */
		busy = consumed;
		if (a->http)
			bh_http_touch(a->http, bh_mono_ns());
		if ((err = bh_sink_flush(&a->out)))
			break;
		if (a->stdout_gone) {
			err = -EPIPE;
			break;
		}
		if (a->capture_err) {
			err = a->capture_err;
			bh_error("cannot write the capture file %s: %s (what was written up to "
				 "the last whole frame replays)",
				 a->opts->capture_path, strerror(-err));
			break;
		}
	}
out:
	close(ep);
	return err;
}

/* The optional servers: health/metrics over HTTP and the local event socket. */
static int start_servers(struct agent *a)
{
	const struct bh_agent_opts *o = a->opts;

	if (o->http_addr && bh_http_start(o->http_addr, &a->http)) {
		if (o->http_explicit)
			return -1;
		bh_warn("no health/metrics endpoint: %s is not available (--http ADDR:PORT "
			"picks another, --no-http turns it off)",
			o->http_addr);
		a->http = NULL;
	}
	if (o->socket_path && bh_stream_open(o->socket_path, &a->stream)) {
		if (o->socket_explicit)
			return -1;
		bh_warn("no local event socket at %s (another agent?): `bulkhead top` cannot "
			"attach to this one",
			o->socket_path);
		a->stream = NULL;
	}
	return 0;
}

/* bulkhead judges neither its own processes (kernel filter) nor its own container. */
static void exempt_self(struct agent *a, __u64 self_cgroup)
{
	const struct bh_container *self;

	if (!a->pipe.rules || !self_cgroup)
		return;
	self = bh_resolver_lookup(a->resolver, self_cgroup, 0, (__u32)getpid());
	if (self) {
		bh_info("running in container %.12s: its findings are not reported", self->id);
		bh_rules_set_self(a->pipe.rules, self);
	}
}

static int open_capture(struct agent *a, const struct bh_pipeline_opts *popts)
{
	struct bh_capture_hdr hdr = {
		.boot_to_real_ns = popts->boot_to_real_ns,
		.self_cgroup_id = popts->self_cgroup_id,
	};
	int err;

	memcpy(hdr.host_ns, popts->host_ns, sizeof(hdr.host_ns));
	err = bh_capture_open(a->opts->capture_path, &hdr, &a->capture);
	if (err)
		bh_error("cannot create the capture file %s: %s", a->opts->capture_path,
			 strerror(-err));
	return err;
}

int bh_agent_run(const struct bh_agent_opts *opts)
{
	struct agent a = { .opts = opts };
	struct bh_loader_opts lopts = { 0 };
	struct bh_resolver_opts ropts = {
		.host_root = opts->host_root ? opts->host_root : "",
		.docker_socket = opts->docker_socket,
		.podman_socket = opts->podman_socket,
		.no_docker_api = opts->no_docker_api,
		/* dockerd answers only once a container has started: the loop must not wait */
		.async_api = true,
	};
	struct bh_pipeline_opts popts = {
		.event_mask = opts->event_mask,
		.findings = opts->findings,
		.lifecycle = true,
		.lookup = lookup_live,
		.lookup_ctx = &a,
		.container_alive = container_alive,
		.out = &a.out,
		.cgroup_note = note_cgroup,
		.cgroup_note_ctx = &a,
		.release = release_container,
		.release_ctx = &a,
	};
	struct itimerspec tick = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	int sfd = -1, tfd = -1, err, code = 1;
	bool pipe_ready = false;

	/* Before any thread starts: every thread inherits the blocked signals. */
	sfd = setup_signals();
	if (sfd < 0) {
		bh_error("cannot set up signal handling: %s", strerror(-sfd));
		return 1;
	}
	set_host_name();
	a.ncpus = libbpf_num_possible_cpus();
	if (a.ncpus <= 0) {
		bh_error("cannot count the CPUs: %s", strerror(-a.ncpus));
		goto out;
	}
	a.percpu = calloc((size_t)a.ncpus, sizeof(*a.percpu));
	if (!a.percpu || bh_sink_init(&a.out, STDOUT_FILENO, SINK_BYTES) ||
	    bh_sink_set_format(&a.out, opts->format, NULL)) {
		bh_error("out of memory");
		goto out;
	}
	if (opts->findings && load_policy(opts, &a.policy)) {
		code = 2; /* the policy loader named file, line and cause */
		goto out;
	}
	if (opts->findings) {
		log_policy(&a, "loaded");
		watch_policy(&a);
	}
	err = bh_exports_new(opts->exports, opts->n_exports, a.policy ? a.policy->exports : NULL,
			     a.policy ? a.policy->n_exports : 0, false, &a.exports);
	if (err) {
		code = err == -EINVAL ? 2 : 1; /* a bad URI is named in the log */
		goto out;
	}
	popts.exports = a.exports;

	if (bh_host_namespaces(lopts.host_ns))
		bh_warn("cannot read the host's namespaces from /proc/2/ns: "
			"entries into host namespaces will not be marked");
	popts.policy = a.policy;
	popts.self_cgroup_id = bh_cgroup_self_v2_id(ropts.host_root);
	popts.boot_to_real_ns = bh_boot_to_realtime_offset();
	memcpy(popts.host_ns, lopts.host_ns, sizeof(popts.host_ns));
	if (opts->capture_path) {
		if (open_capture(&a, &popts))
			goto out;
		popts.tap = record_tap;
		popts.tap_ctx = &a;
	}
	if (start_servers(&a))
		goto out;
	popts.stream = a.stream;
	popts.open_findings = true;
	if (bh_pipeline_init(&a.pipe, &popts))
		goto out;
	pipe_ready = true;

	if (bh_resolver_new(&ropts, &a.resolver))
		goto out;
	bh_resolver_set_host_paths(a.resolver, bh_policy_host_paths(a.policy));
	/* Before the callbacks: our own container must not be judged when first resolved. */
	exempt_self(&a, popts.self_cgroup_id);
	bh_resolver_set_callbacks(a.resolver, on_container_new, on_container_gone, &a);
	bh_resolver_set_ready_callback(a.resolver, on_container_ready);

	/* Load & attach the BPF programs */
	lopts.self_tgid = (__u32)getpid();
	lopts.v1_controller = bh_resolver_v1_controller(a.resolver);
	lopts.ringbuf_bytes = opts->ringbuf_bytes;
	/* What is printed raw stays whole; the rest is cut down to what the rules need. */
	lopts.filter_mask = a.capture ? 0 : ~opts->event_mask;
	lopts.host_programs = bh_rules_host_programs;
	lopts.wakeup_us = BH_WAKEUP_US;
	if (bh_loader_start(&lopts, &a.loader))
		goto out;
	apply_policy_to_kernel(&a);
	if (lopts.filter_mask)
		bh_resolver_set_host_callback(a.resolver, on_host_cgroup, &a);

	a.rb = ring_buffer__new(bh_loader_events_fd(a.loader), handle_record, &a, NULL);
	if (!a.rb) {
		bh_error("cannot open the BPF ring buffer: %s", strerror(errno));
		goto out;
	}
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (tfd < 0 || timerfd_settime(tfd, 0, &tick, NULL)) {
		bh_error("cannot create the stats timer: %s", strerror(errno));
		goto out;
	}

	/* Judge the containers already running: the resolver's on_new fires for each. */
	bh_resolver_scan(a.resolver, on_container_scanned, &a);
	if (a.http)
		publish_metrics(&a);

	bh_info("ready: %d BPF programs attached, writing JSON lines to stdout%s%s",
		bh_loader_attached(a.loader), a.capture ? ", recording to " : "",
		a.capture ? opts->capture_path : "");
	bh_sink_flush(&a.out);

	err = event_loop(&a, sfd, tfd);
	/* Drain what the kernel already queued, then the last word. */
	ring_buffer__consume(a.rb);
	/* what is held goes out with the answers that came, else with the bundles' metadata */
	bh_resolver_complete(a.resolver);
	bh_pipeline_release_held(&a.pipe, 0, true);
	bh_exports_stop(a.exports); /* the final stats line has their last counters */
	write_stats(&a, true);
	if (a.capture) {
		capture_tick(&a, true);
		err = err ? err : a.capture_err;
	}
	if (!err)
		err = bh_sink_drain(&a.out);
	if (err == -EPIPE) {
		bh_error("stdout was closed by its reader: stopping");
	} else if (err) {
		bh_error("stopped: %s", strerror(-err));
	} else {
		bh_info("stopped");
		code = 0;
	}
out:
	ring_buffer__free(a.rb);
	bh_loader_stop(a.loader);
	a.loader = NULL;
	bh_resolver_free(a.resolver);
	if (pipe_ready)
		bh_pipeline_fini(&a.pipe);
	bh_policy_free(a.policy);
	bh_policy_watch_close(a.policy_watch);
	bh_http_stop(a.http);
	bh_stream_close(a.stream);
	if (bh_capture_close(a.capture) && code == 0) {
		bh_error("cannot finish the capture file %s", opts->capture_path);
		code = 1;
	}
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	bh_exports_free(a.exports);
	bh_sink_free(&a.out);
	free(a.percpu);
	return code;
}
