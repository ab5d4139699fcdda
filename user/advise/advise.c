// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * advise.c - the advise session: a collector of its own (the agent's programs and the
 * syscall recorder, loaded for this process only), the target's cgroups added to the
 * recorder's map, the ring buffer's records of those cgroups, and the command's loop.
 */
#include "advise.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "state.h"
#include "target.h"
#include "collector/loader.h"
#include "core/log.h"

#define TICK_MS 250

struct bh_advise_session {
	struct bh_advise_opts opts;
	struct bh_target target;
	struct bh_loader *loader;
	struct ring_buffer *rb;
	int map_fd;
	struct bh_advice seen;	 /* from records and state; calls come from the map */
	struct bh_advice merged; /* --merge's calls */
	int min_bind_port;	 /* the lowest port bound, 0: none */
	bool running_before;	 /* a target cgroup existed at start: its start-up went unseen */
	bool now_from_exec;	 /* seen.now holds what a workload's exec showed */
};

/* A cgroup of the target: recorded from now on (already there when added in the kernel). */
static void add_cgroup(__u64 cgroup_id, void *ctx)
{
	struct bh_advise_session *s = ctx;
	struct bh_advise_rec zero = { 0 };

	s->running_before = true;
	if (bpf_map_update_elem(s->map_fd, &cgroup_id, &zero, BPF_NOEXIST) && errno != EEXIST)
		bh_warn("cannot add cgroup %llu to the recorder: %s", (unsigned long long)cgroup_id,
			strerror(errno));
}

/*
 * Reads what the container of process pid runs with into *now, once its root is the
 * container's (an overlay with an upper dir): not while the runtime still sets it up
 * from the host's root. Returns true when read.
 */
static bool read_state(struct bh_advise_session *s, struct bh_target_cgroup *c, pid_t pid,
		       struct bh_advice_now *now)
{
	int start;

	if (bh_state_read(pid, now, c->upper, sizeof(c->upper)) || !c->upper[0])
		return false;
	c->state_read = true;
	start = bh_state_unpriv_port_start(pid);
	if (start >= 0)
		s->seen.unpriv_port_start = start;
	return true;
}

/*
 * What a container runs with, from its workload's exec (kernel state after the exec: the
 * sets, no_new_privs, seccomp), and its root mount from /proc while the process lives.
 */
static void exec_state(struct bh_advise_session *s, struct bh_target_cgroup *c,
		       const struct bh_exec *e)
{
	struct bh_advice_now now = { 0 };

	if (s->now_from_exec)
		return;
	if (!read_state(s, c, (pid_t)e->hdr.tgid, &now))
		now.readonly_rootfs = s->seen.now.readonly_rootfs;
	now.cap_effective = e->hdr.cap_effective;
	now.cap_bounding = e->cap_permitted; /* root's permitted set is its bounding set */
	now.no_new_privs = e->no_new_privs;
	now.seccomp_mode = e->seccomp_mode;
	now.known = true;
	s->seen.now = now;
	s->now_from_exec = true;
}

/* The exec record's filename: after the exe path in the tail. */
static void exec_filename(const struct bh_exec *e, size_t size, char *out, size_t len)
{
	size_t off = sizeof(*e) + e->hdr.exe_len;

	if (off + e->filename_len > size)
		off = size;
	snprintf(out, len, "%.*s", (int)(off < size ? e->filename_len : 0), (const char *)e + off);
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct bh_advise_session *s = ctx;
	const struct bh_hdr *h = data;
	struct bh_target_cgroup *c;

	if (size < sizeof(*h) || h->size > size || (h->flags & BH_HDR_RUNTIME_SETUP))
		return 0;
	c = bh_target_find(&s->target, h->cgroup_id);
	if (!c) {
		struct bh_advise_rec rec;

		/* added in the kernel at creation, not judged yet */
		if (bpf_map_lookup_elem(s->map_fd, &h->cgroup_id, &rec))
			return 0;
		c = bh_target_judge(&s->target, h->cgroup_id);
	}
	if (!c || !c->advised || h->ret < 0)
		return 0;
	if (h->type == BH_EV_EXEC && size >= sizeof(struct bh_exec)) {
		const struct bh_exec *e = data;

		exec_state(s, c, e);
		if (e->secureexec && !s->seen.setuid_exec) {
			s->seen.setuid_exec = true;
			exec_filename(e, size, s->seen.setuid_file, sizeof(s->seen.setuid_file));
		}
	} else if ((h->type == BH_EV_BIND || h->type == BH_EV_LISTEN) &&
		   size >= sizeof(struct bh_sock)) {
		const struct bh_sock *k = data;

		if (k->family != AF_INET && k->family != AF_INET6)
			return 0;
		if (h->type == BH_EV_BIND && k->port &&
		    (!s->min_bind_port || k->port < s->min_bind_port))
			s->min_bind_port = k->port;
		if (h->type == BH_EV_LISTEN || k->sock_type == SOCK_DGRAM)
			bh_advice_add_port(&s->seen, k->port, k->family, h->type == BH_EV_LISTEN);
	}
	return 0;
}

/* New keys of the map (cgroups created since): the target's stay, the others go. */
static void judge_new_cgroups(struct bh_advise_session *s)
{
	__u64 key, next, drop[64];
	int n_drop = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(s->map_fd, prev, &next)) {
		struct bh_target_cgroup *c = bh_target_find(&s->target, next);

		key = next;
		prev = &key;
		if (c)
			continue;
		c = bh_target_judge(&s->target, next);
		/* a cgroup that holds no container, or one not advised; keep no more than asked */
		if ((!c || !c->advised) && n_drop < 64)
			drop[n_drop++] = next;
	}
	for (int i = 0; i < n_drop; i++)
		bpf_map_delete_elem(s->map_fd, &drop[i]);
}

/* What each advised container runs with and whether it wrote to its root (each time). */
static void read_states(struct bh_advise_session *s)
{
	for (int i = 0; i < s->target.n_cgroups; i++) {
		struct bh_target_cgroup *c = &s->target.cgroups[i];
		struct bh_advice_now now = { 0 };
		pid_t pid;

		if (!c->advised)
			continue;
		/* a container running before advise started: no exec of it is seen */
		if (!c->state_read) {
			pid = bh_state_cgroup_pid(&s->target.cg.v2, c->path);
			if (pid > 0 && read_state(s, c, pid, &now) && !s->now_from_exec)
				s->seen.now = now;
		}
		if (c->upper[0] && s->seen.rootfs_written != 1) {
			int w = bh_state_upper_written(c->upper, s->seen.rootfs_first,
						       sizeof(s->seen.rootfs_first));

			/* an upper dir gone with its container tells nothing new */
			if (w >= 0)
				s->seen.rootfs_written = w;
		}
	}
}

void bh_advise_tick(struct bh_advise_session *s)
{
	if (s->opts.container)
		bh_target_lookup(&s->target);
	ring_buffer__consume(s->rb);
	judge_new_cgroups(s);
	read_states(s);
}

void bh_advise_snapshot(struct bh_advise_session *s, struct bh_advice *out)
{
	*out = s->seen;
	for (int w = 0; w < BH_ADVISE_WORDS; w++)
		out->calls[w] |= s->merged.calls[w];
	for (int i = 0; i < s->target.n_cgroups; i++) {
		struct bh_advise_rec rec;

		if (!s->target.cgroups[i].advised ||
		    bpf_map_lookup_elem(s->map_fd, &s->target.cgroups[i].id, &rec))
			continue;
		for (int w = 0; w < BH_ADVISE_WORDS; w++)
			out->calls[w] |= rec.calls[w];
		out->flags |= rec.flags;
	}
	/* Docker sets the start to 0 in a container's own network namespace (20.10 on) */
	if (s->min_bind_port &&
	    s->min_bind_port < (out->unpriv_port_start >= 0 ? out->unpriv_port_start : 1024))
		out->low_bind_port = s->min_bind_port;
}

int bh_advise_start(const struct bh_advise_opts *o, struct bh_advise_session **out)
{
	struct bh_loader_opts lopts = { .advise = true, .wakeup_us = BH_WAKEUP_US };
	struct bh_advise_session *s;
	int err;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->opts = *o;
	s->map_fd = -1;
	s->seen.rootfs_written = -1;
	s->seen.unpriv_port_start = -1;
	s->target.container = o->container;
	s->target.image = o->image;
	s->target.docker_socket = o->docker_socket ? o->docker_socket : "/var/run/docker.sock";
	snprintf(s->seen.target, sizeof(s->seen.target), "%s",
		 o->container ? o->container : o->image);
	bh_caps_probe_hooks(&s->seen);
	if (o->merge_path) {
		err = bh_advice_merge_file(&s->merged, o->merge_path);
		if (err)
			goto fail;
	}
	err = bh_target_open(&s->target);
	if (err)
		goto fail;
	if (o->container) {
		err = bh_target_lookup(&s->target);
		if (err == -ENOENT)
			bh_info("no container %s yet: it is advised from its creation",
				o->container);
		else if (err)
			bh_warn("cannot ask docker about %s: %s", o->container, strerror(-err));
	}
	/* the runtime's set-up is known by its host process (setup.bpf.h): the host's namespaces */
	err = bh_host_namespaces(lopts.host_ns);
	if (err) {
		bh_error("cannot read the host's namespaces from /proc/2/ns (%s): the runtime's "
			 "set-up could not be told from the workload",
			 strerror(-err));
		goto fail;
	}
	/* Load & attach the agent's programs and the recorder, for this process only */
	lopts.self_tgid = (__u32)getpid();
	err = bh_loader_start(&lopts, &s->loader);
	if (err)
		goto fail;
	s->map_fd = bh_loader_advise_fd(s->loader);
	s->rb = ring_buffer__new(bh_loader_events_fd(s->loader), handle_record, s, NULL);
	if (!s->rb) {
		int e = errno;

		err = e > 0 ? -e : -ENOMEM;
		bh_error("cannot open the BPF ring buffer: %s", strerror(-err));
		goto fail;
	}
	/* After the attach: a container started in between is in the map from its mkdir */
	bh_target_scan(&s->target, add_cgroup, s);
	if (s->running_before && !o->quiet_ready)
		bh_warn("%s was already running: the calls it made before now (its start-up) are "
			"not seen; restart it while advising to see them",
			s->seen.target);
	*out = s;
	return 0;
fail:
	bh_advise_stop(s);
	return err;
}

void bh_advise_stop(struct bh_advise_session *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	bh_loader_stop(s->loader);
	bh_target_close(&s->target);
	free(s);
}

static int setup_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int bh_advise_run(const struct bh_advise_opts *o)
{
	struct bh_advise_session *s = NULL;
	struct bh_advice advice;
	long long end;
	struct stat st;
	int sfd, code = 1;

	if (stat(o->out_dir, &st) || !S_ISDIR(st.st_mode)) {
		bh_error("-o %s: not a directory", o->out_dir);
		return 2;
	}
	sfd = setup_signals();
	if (sfd < 0) {
		bh_error("cannot set up signal handling: %s", strerror(-sfd));
		return 1;
	}
	if (bh_advise_start(o, &s) || !s)
		goto out;
	if (o->duration_s)
		bh_info("ready: advising %s for %d s: writing to %s", s->seen.target, o->duration_s,
			o->out_dir);
	else
		bh_info("ready: advising %s until Ctrl-C: writing to %s", s->seen.target,
			o->out_dir);
	end = o->duration_s ? now_ms() + o->duration_s * 1000LL : 0;
	for (;;) {
		struct signalfd_siginfo si;
		long long left = end ? end - now_ms() : TICK_MS;

		if (read(sfd, &si, sizeof(si)) == sizeof(si) || left <= 0)
			break;
		bh_advise_tick(s);
		usleep((useconds_t)(left < TICK_MS ? left : TICK_MS) * 1000);
	}
	bh_advise_tick(s);
	bh_advise_snapshot(s, &advice);
	if (!s->target.n_cgroups || !advice.now.known)
		bh_warn("no process of %s was seen: the profile holds only the runtime's calls%s",
			advice.target, o->merge_path ? " and the merged profile's" : "");
	if (bh_advice_write(&advice, o->out_dir))
		goto out;
	bh_advice_summary(&advice, o->out_dir, stdout);
	code = fflush(stdout) ? 1 : 0;
out:
	bh_advise_stop(s);
	close(sfd);
	return code;
}
