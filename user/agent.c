// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* agent.c - the collector loop of `bulkhead run`: epoll over ring buffer, signals, timer. */
#include "agent.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "container.h"
#include "event.h"
#include "pipeline.h"
#include "loader.h"
#include "log.h"
#include "output_json.h"
#include "policy.h"
#include "sink.h"

#define DEFAULT_POLICY_PATH "/etc/bulkhead/policy.yaml"
#define SWEEP_INTERVAL_S 5
#define SINK_BYTES (1u << 20)

struct agent {
	const struct bh_agent_opts *opts;
	struct bh_loader *loader;
	struct bh_resolver *resolver;
	struct bh_policy *policy;
	struct bh_pipeline pipe;
	struct ring_buffer *rb;
	struct bh_sink out;
	int ncpus;
	struct bh_counters *percpu;
	__u64 drops_reported;
	unsigned int ticks;
};

static const struct bh_container *lookup_live(void *ctx, const struct bh_hdr *hdr)
{
	struct agent *a = ctx;

	return bh_resolver_lookup(a->resolver, hdr->cgroup_id, hdr->cgroup_v1_id, hdr->tgid);
}

static void on_container_new(const struct bh_container *c, void *ctx)
{
	struct agent *a = ctx;

	bh_pipeline_container_new(&a->pipe, c);
}

static void on_container_gone(const struct bh_container *c, void *ctx)
{
	struct agent *a = ctx;

	bh_pipeline_container_gone(&a->pipe, c);
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
	const struct bh_pipeline_counts *n = &a->pipe.counts;
	struct bh_json *w = &a->pipe.line;
	__u64 total = 0;

	bh_loader_counters(a->loader, &sum, a->percpu, a->ncpus);
	bh_resolver_get_stats(a->resolver, &rs);

	bh_pipeline_line_begin(&a->pipe, "stats");
	bh_json_key_bool(w, "final", final);
	bh_json_key(w, "events");
	bh_json_obj_begin(w);
	for (unsigned int t = 1; t < BH_EV_TYPE_MAX; t++) {
		bh_json_key_uint(w, bh_event_type_name(t), n->events[t]);
		total += n->events[t];
	}
	bh_json_obj_end(w);
	bh_json_key_uint(w, "events_total", total);
	bh_json_key_uint(w, "kernel_emitted", sum.emitted);
	bh_json_key_uint(w, "drops", sum.drops);
	bh_json_key(w, "drops_per_cpu");
	bh_json_arr_begin(w);
	for (int i = 0; i < a->ncpus; i++)
		bh_json_uint(w, a->percpu[i].drops);
	bh_json_arr_end(w);
	bh_json_key_uint(w, "read_errors", sum.read_errors);
	bh_json_key_uint(w, "decode_errors", n->decode_errors);
	bh_json_key_uint(w, "findings", n->findings);
	bh_json_key_uint(w, "containers", rs.containers);
	bh_json_key(w, "resolver");
	bh_json_obj_begin(w);
	bh_json_key_uint(w, "hits", rs.hits);
	bh_json_key_uint(w, "misses", rs.misses);
	bh_json_key_uint(w, "api_errors", rs.api_errors);
	bh_json_obj_end(w);
	bh_json_key_uint(w, "output_lines", a->out.lines);
	bh_pipeline_line_end(&a->pipe);

	if (sum.drops > a->drops_reported) {
		bh_warn("%llu events lost: the ring buffer was full (%llu in total); "
			"a larger --ringbuf-size or fewer selected events helps",
			(unsigned long long)(sum.drops - a->drops_reported),
			(unsigned long long)sum.drops);
		a->drops_reported = sum.drops;
	}
}

/* Our own cgroup v2 id, so the rules exempt bulkhead's own container (0 if unknown). */
static __u64 self_cgroup_id(const char *host_root)
{
	static const char *const mounts[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char line[4096], path[4352];
	__u64 id = 0;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]) && !id; i++) {
			struct stat st;
			char probe[4352];

			snprintf(probe, sizeof(probe), "%s%s/cgroup.controllers", host_root,
				 mounts[i]);
			if (access(probe, F_OK))
				continue;
			snprintf(path, sizeof(path), "%s%s%s", host_root, mounts[i], line + 3);
			if (!stat(path, &st))
				id = st.st_ino;
		}
	}
	fclose(f);
	return id;
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

static int load_policy(const struct bh_agent_opts *opts, struct bh_policy **out)
{
	const char *path = opts->policy_path ? opts->policy_path : DEFAULT_POLICY_PATH;

	if (!opts->policy_path_explicit && access(path, F_OK)) {
		*out = bh_policy_default();
		return *out ? 0 : -ENOMEM;
	}
	return bh_policy_load(path, out);
}

static void reload_policy(struct agent *a)
{
	struct bh_policy *p = NULL;

	if (load_policy(a->opts, &p)) {
		bh_warn("policy reload failed: keeping the previous policy");
		return;
	}
	bh_pipeline_set_policy(&a->pipe, p);
	bh_policy_free(a->policy);
	a->policy = p;
	bh_info("policy reloaded");
}

static int setup_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int epoll_add(int ep, int fd, uint32_t tag)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

enum { TAG_RING, TAG_SIGNAL, TAG_TIMER };

static int event_loop(struct agent *a, int sfd, int tfd)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), err = 0;
	bool stop = false;

	if (ep < 0)
		return -errno;
	if ((err = epoll_add(ep, ring_buffer__epoll_fd(a->rb), TAG_RING)) ||
	    (err = epoll_add(ep, sfd, TAG_SIGNAL)) || (err = epoll_add(ep, tfd, TAG_TIMER)))
		goto out;

	while (!stop) {
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, 4, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case TAG_RING:
				if (ring_buffer__consume(a->rb) < 0)
					bh_warn("ring buffer read failed");
				break;
			case TAG_SIGNAL: {
				struct signalfd_siginfo si;

				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP && a->opts->findings)
						reload_policy(a);
					else if (si.ssi_signo != SIGHUP)
						stop = true;
				}
				break;
			}
			case TAG_TIMER: {
				uint64_t expirations;

				if (read(tfd, &expirations, sizeof(expirations)) < 0)
					break;
				a->ticks++;
				if (a->ticks % SWEEP_INTERVAL_S == 0)
					bh_resolver_sweep(a->resolver);
				if (a->opts->stats_interval_s &&
				    a->ticks % (unsigned int)a->opts->stats_interval_s == 0)
					write_stats(a, false);
				break;
			}
			}
		}
		if (bh_sink_flush(&a->out)) {
			err = a->out.error;
			break;
		}
	}
out:
	close(ep);
	return err;
}

int bh_agent_run(const struct bh_agent_opts *opts)
{
	struct agent a = { .opts = opts };
	struct bh_loader_opts lopts = { 0 };
	struct bh_resolver_opts ropts = {
		.host_root = opts->host_root ? opts->host_root : "",
		.docker_socket = opts->docker_socket,
		.no_docker_api = opts->no_docker_api,
	};
	struct bh_pipeline_opts popts = {
		.event_mask = opts->event_mask,
		.findings = opts->findings,
		.lifecycle = true,
		.lookup = lookup_live,
		.lookup_ctx = &a,
		.out = &a.out,
	};
	struct itimerspec tick = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	int sfd = -1, tfd = -1, err, code = 1;
	bool pipe_ready = false;

	set_host_name();
	a.ncpus = libbpf_num_possible_cpus();
	if (a.ncpus <= 0) {
		bh_error("cannot count the CPUs: %s", strerror(-a.ncpus));
		return 1;
	}
	a.percpu = calloc((size_t)a.ncpus, sizeof(*a.percpu));
	if (!a.percpu || bh_sink_init(&a.out, STDOUT_FILENO, SINK_BYTES)) {
		bh_error("out of memory");
		goto out;
	}
	if (opts->findings && load_policy(opts, &a.policy))
		goto out; /* the policy loader named file, line and cause */

	if (bh_host_namespaces(lopts.host_ns))
		bh_warn("cannot read the host's namespaces from /proc/2/ns: "
			"entries into host namespaces will not be marked");
	popts.policy = a.policy;
	popts.self_cgroup_id = self_cgroup_id(ropts.host_root);
	popts.boot_to_real_ns = bh_boot_to_realtime_offset();
	memcpy(popts.host_ns, lopts.host_ns, sizeof(popts.host_ns));
	if (bh_pipeline_init(&a.pipe, &popts))
		goto out;
	pipe_ready = true;

	sfd = setup_signals();
	if (sfd < 0) {
		bh_error("cannot set up signal handling: %s", strerror(-sfd));
		goto out;
	}
	if (bh_resolver_new(&ropts, &a.resolver))
		goto out;
	bh_resolver_set_callbacks(a.resolver, on_container_new, on_container_gone, &a);

	/* Load & attach the BPF programs */
	lopts.self_tgid = (__u32)getpid();
	lopts.v1_controller = bh_resolver_v1_controller(a.resolver);
	lopts.ringbuf_bytes = opts->ringbuf_bytes;
	if (bh_loader_start(&lopts, &a.loader))
		goto out;

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

	/* Judge the containers that were already running when we started. */
	bh_resolver_scan(a.resolver, on_container_new, &a);

	bh_info("ready: %d BPF programs attached, writing JSON lines to stdout",
		bh_loader_attached(a.loader));
	bh_sink_flush(&a.out);

	err = event_loop(&a, sfd, tfd);
	/* Drain what the kernel already queued, then the last word. */
	ring_buffer__consume(a.rb);
	write_stats(&a, true);
	if (!err)
		err = bh_sink_flush(&a.out);
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
	bh_resolver_free(a.resolver);
	if (pipe_ready)
		bh_pipeline_fini(&a.pipe);
	bh_policy_free(a.policy);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	bh_sink_free(&a.out);
	free(a.percpu);
	return code;
}
