// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* capture-gen.c - writes a large capture file for `bulkhead replay` throughput runs. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "capture/capture.h"
#include "container/container.h"
#include "events.h"

/*
 * The records are laid out as the BPF side writes them (exec with argv, setns,
 * mount, capset, unix connect to the docker socket, bind), one kind in six
 * each, from 500 containers with full metadata (a third of them Kubernetes
 * pods) and, for half the records, from host services. Timestamps advance
 * 100 us a record (a busy node: 10k records/s), so the rules' dedup windows
 * expire and findings repeat with counts as in a long live run. A fixed seed
 * makes every file of the same size identical. With RATE, the file (a FIFO, read by
 * `bulkhead replay`) gets a frame every 10 ms at RATE records a second: a paced offer.
 */

#define NCONTAINERS   500
#define NHOST_CGROUPS 16
#define NKINDS	      6
#define TS_START_NS   1000000000000ULL /* boot time of the first record */
#define TS_STEP_NS    100000ULL
#define START_NS      1796083200000000000LL /* 2026-12-01T00:00:00Z */
#define HOST_CGROUP0  100
#define CTR_CGROUP0   10000
#define DOCKER_CAPS   0xa80425fbULL /* docker's default capability set */

static const __u32 host_ns[BH_NS_KINDS] = { 4026531841, 4026531836, 4026531840, 4026531839,
					    4026531838, 4026531835, 4026531837, 4026532342 };

struct proc {
	const char *exe;
	const char *comm;
};

static const struct proc host_procs[] = {
	{ "/usr/bin/dockerd", "dockerd" },
	{ "/usr/bin/containerd", "containerd" },
	{ "/usr/bin/kubelet", "kubelet" },
	{ "/usr/lib/systemd/systemd-journald", "systemd-journal" },
	{ "/usr/sbin/cron", "cron" },
	{ "/usr/bin/bash", "bash" },
	{ "/usr/bin/docker", "docker" },
	{ "/usr/sbin/sshd", "sshd" },
};

static const struct proc ctr_procs[] = {
	{ "/usr/local/bin/python3.12", "python3" },
	{ "/usr/sbin/nginx", "nginx" },
	{ "/bin/busybox", "sh" },
	{ "/usr/local/bin/node", "node" },
	{ "/app/server", "server" },
};

/* What a process execs: filename, comm and argv, NUL-separated (the last NUL left out). */
struct cmd {
	const char *file;
	const char *comm;
	const char *args;
	size_t args_len;
	unsigned int argc;
};

#define CMD(file, comm, args, argc)                                                                \
	{                                                                                          \
		file, comm, args, sizeof(args) - 1, argc                                           \
	}

static const struct cmd cmds[] = {
	CMD("/bin/sh", "sh", "sh\0-c\0echo hello; sleep 1", 3),
	CMD("/usr/bin/curl", "curl", "curl\0-fsS\0--max-time\0002\0http://127.0.0.1:8080/healthz",
	    5),
	CMD("/usr/local/bin/python3.12", "python3",
	    "python3\0-m\0gunicorn\0app:create_app()\0-b\0000.0.0.0:8080\0--workers\0004", 8),
	CMD("/bin/busybox", "wget", "wget\0-q\0-O\0-\0http://metadata.internal/latest", 5),
};

static const char *const images[] = {
	"registry.example.com/shop/web:2.14.1",
	"nginx:1.27-alpine",
	"postgres:16.4",
	"redis:7.4",
	"registry.example.com/platform/worker:1.8.0",
};

static const char *const namespaces[] = { "default", "payments", "monitoring", "kube-system" };

static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: fast and the same sequence everywhere. */
static __u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static size_t tail(unsigned char *rec, size_t off, const char *s, size_t len)
{
	memcpy(rec + off, s, len);
	return off + len;
}

/* Who did it: a container's process or a host service's. */
struct task {
	__u64 cgroup_id, cgroup_v1_id;
	__u32 tgid, ns_base;
	const struct proc *proc;
	bool in_container;
};

static size_t hdr(struct bh_hdr *h, __u32 type, size_t fixed, __u64 i, const struct task *t)
{
	size_t len = strlen(t->proc->exe);

	h->ts_ns = TS_START_NS + i * TS_STEP_NS;
	h->cgroup_id = t->cgroup_id;
	h->cgroup_v1_id = t->cgroup_v1_id;
	h->type = type;
	h->pid = h->tgid = t->tgid;
	h->ppid = t->in_container ? 1 : 1000;
	h->cap_effective = t->in_container ? DOCKER_CAPS : 0x1ffffffffffULL;
	h->pid_ns = t->ns_base;
	h->mnt_ns = t->ns_base + 1;
	h->net_ns = t->ns_base + 2;
	h->exe_len = (__u16)len;
	snprintf(h->comm, sizeof(h->comm), "%s", t->proc->comm);
	return tail((unsigned char *)h, fixed, t->proc->exe, len);
}

static size_t build_exec(unsigned char *d, __u64 i, const struct task *t)
{
	const struct cmd *c = &cmds[rnd() % (sizeof(cmds) / sizeof(cmds[0]))];
	struct bh_exec *e = (void *)d;
	struct task after = *t;
	struct proc p = { c->file, c->comm };
	size_t off;

	/* After an exec the exe is the new program. */
	after.proc = &p;
	off = hdr(&e->hdr, BH_EV_EXEC, sizeof(*e), i, &after);
	e->argc = c->argc;
	e->before_valid = 1;
	e->cap_effective_before = e->hdr.cap_effective;
	e->cap_permitted = e->hdr.cap_effective;
	e->seccomp_mode = t->in_container ? BH_SECCOMP_FILTER : BH_SECCOMP_DISABLED;
	e->filename_len = (__u16)strlen(c->file);
	off = tail(d, off, c->file, e->filename_len);
	e->args_len = (__u16)c->args_len;
	return tail(d, off, c->args, c->args_len);
}

static size_t build(unsigned char *d, int kind, __u64 i, const struct task *t)
{
	size_t off;

	memset(d, 0, BH_RECORD_MAX);
	switch (kind) {
	case 0:
		off = build_exec(d, i, t);
		break;
	case 1: {
		struct bh_setns *e = (void *)d;

		off = hdr(&e->hdr, BH_EV_SETNS, sizeof(*e), i, t);
		e->nstype = 0x04000000; /* CLONE_NEWUTS */
		for (int k = 0; k < BH_NS_KINDS; k++) {
			e->ns_after[k] = t->ns_base + (__u32)k;
			e->host_ns[k] = host_ns[k];
		}
		e->ns_after[BH_NS_UTS] += 100;
		e->target_ns = e->ns_after[BH_NS_UTS];
		e->entered_mask = 1U << BH_NS_UTS;
		e->fd = 3;
		break;
	}
	case 2: {
		static const char src[] = "/etc", tgt[] = "/mnt/etc", fs[] = "none";
		struct bh_mount *e = (void *)d;

		off = hdr(&e->hdr, BH_EV_MOUNT, sizeof(*e), i, t);
		e->call = BH_MOUNT_MOUNT;
		e->flags = 4096; /* MS_BIND */
		e->source_len = sizeof(src) - 1;
		off = tail(d, off, src, sizeof(src) - 1);
		e->target_len = sizeof(tgt) - 1;
		off = tail(d, off, tgt, sizeof(tgt) - 1);
		e->fstype_len = sizeof(fs) - 1;
		off = tail(d, off, fs, sizeof(fs) - 1);
		break;
	}
	case 3: {
		struct bh_capset *e = (void *)d;

		off = hdr(&e->hdr, BH_EV_CAPSET, sizeof(*e), i, t);
		e->effective = e->effective_before = e->hdr.cap_effective;
		e->before_known = 1;
		e->permitted = e->permitted_before = e->hdr.cap_effective;
		break;
	}
	case 4: {
		static const char peer[] = "/var/run/docker.sock";
		struct bh_connect *e = (void *)d;

		off = hdr(&e->hdr, BH_EV_CONNECT, sizeof(*e), i, t);
		e->family = AF_UNIX;
		e->sock_type = SOCK_STREAM;
		e->fd = 5;
		e->peer_path_len = sizeof(peer) - 1;
		off = tail(d, off, peer, sizeof(peer) - 1);
		e->path_len = sizeof(peer) - 1;
		off = tail(d, off, peer, sizeof(peer) - 1);
		break;
	}
	case NKINDS: {
		/* a listen on a port of its own: an unexpected-listening-port finding each */
		struct bh_sock *e = (void *)d;

		off = hdr(&e->hdr, BH_EV_LISTEN, sizeof(*e), i, t);
		e->family = AF_INET;
		e->sock_type = SOCK_STREAM;
		e->fd = 6;
		e->port = (__u16)(1024 + i % 60000);
		break;
	}
	default: {
		struct bh_sock *e = (void *)d;

		off = hdr(&e->hdr, BH_EV_BIND, sizeof(*e), i, t);
		e->family = AF_INET;
		e->sock_type = SOCK_STREAM;
		e->fd = 6;
		e->port = 8080;
		break;
	}
	}
	((struct bh_hdr *)d)->size = (__u32)off;
	return off;
}

static int set(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int set(char **dst, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(dst, fmt, ap);
	va_end(ap);
	if (n < 0)
		*dst = NULL;
	return n < 0 ? -ENOMEM : 0;
}

static int label(struct bh_container *c, const char *key, const char *value)
{
	struct bh_label *l = &c->labels[c->n_labels];

	if (set(&l->key, "%s", key) || set(&l->value, "%s", value))
		return -ENOMEM;
	c->n_labels++;
	return 0;
}

/*
 * Container k: docker's default hardening with a volume and a published port;
 * every 3rd a Kubernetes pod, a few misconfigured (docker.sock mounted, no
 * seccomp) so configuration findings appear as on a real node.
 */
static int make_container(struct bh_container *c, int k)
{
	struct bh_container_config *cfg = &c->config;
	const char *image = images[k % (sizeof(images) / sizeof(images[0]))];
	bool k8s = k % 3 == 0;
	int err = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%016llx%016llx%016llx%016llx", (unsigned long long)rnd(),
		 (unsigned long long)rnd(), (unsigned long long)rnd(), (unsigned long long)rnd());
	c->runtime = k8s ? "containerd" : "docker";
	c->metadata_done = true;
	c->labels = calloc(4, sizeof(*c->labels));
	cfg->mounts = calloc(2, sizeof(*cfg->mounts));
	cfg->ports = calloc(1, sizeof(*cfg->ports));
	cfg->exposed_ports = calloc(1, sizeof(*cfg->exposed_ports));
	if (!c->labels || !cfg->mounts || !cfg->ports || !cfg->exposed_ports)
		return -ENOMEM;
	err |= set(&c->image, "%s", image);
	if (k8s) {
		const char *ns = namespaces[k % (sizeof(namespaces) / sizeof(namespaces[0]))];

		err |= set(&c->name, "k8s_app_web-%d-7d9f8b6c5-x2k4p_%s_%08x_0", k, ns, k);
		err |= set(&c->pod_name, "web-%d-7d9f8b6c5-x2k4p", k);
		err |= set(&c->pod_namespace, "%s", ns);
		err |= set(&c->pod_uid, "%08x-1c2d-4e5f-8a9b-0c1d2e3f4a5b", k);
		err |= set(&c->k8s_container, "app");
		err |= label(c, "io.kubernetes.pod.name", c->pod_name);
		err |= label(c, "io.kubernetes.pod.namespace", ns);
		err |= label(c, "io.kubernetes.container.name", "app");
	} else {
		char project[32];

		snprintf(project, sizeof(project), "shop-%d", k / 10);
		err |= set(&c->name, "/%s-web-%d", project, k % 10);
		err |= label(c, "com.docker.compose.project", project);
		err |= label(c, "com.docker.compose.service", "web");
		err |= label(c, "com.docker.compose.version", "2.29.2");
		err |= label(c, "org.opencontainers.image.source",
			     "https://git.example.com/shop/web");
	}
	cfg->known = true;
	cfg->seccomp = k % 50 != 7;
	cfg->no_new_privileges = k % 2;
	cfg->cap_bounding = cfg->cap_effective = DOCKER_CAPS;
	err |= set(&cfg->apparmor_profile, "docker-default");
	err |= set(&cfg->mounts[0].source, "/var/lib/docker/volumes/data-%d/_data", k);
	err |= set(&cfg->mounts[0].destination, "/data");
	err |= set(&cfg->mounts[0].type, "bind");
	cfg->mounts[0].bind = true;
	cfg->n_mounts = 1;
	if (k % 100 == 3) {
		err |= set(&cfg->mounts[1].source, "/var/run/docker.sock");
		err |= set(&cfg->mounts[1].destination, "/var/run/docker.sock");
		err |= set(&cfg->mounts[1].type, "bind");
		cfg->mounts[1].bind = true;
		cfg->n_mounts = 2;
	}
	cfg->ports[0].container_port = 8080;
	cfg->ports[0].host_port = (__u16)(20000 + k);
	snprintf(cfg->ports[0].proto, sizeof(cfg->ports[0].proto), "tcp");
	snprintf(cfg->ports[0].host_ip, sizeof(cfg->ports[0].host_ip), "0.0.0.0");
	cfg->n_ports = 1;
	err |= set(&cfg->exposed_ports[0], "8080/tcp");
	cfg->n_exposed_ports = 1;
	return err ? -ENOMEM : 0;
}

/* Ends the frame of records up to i, then sleeps until i records are due at rate a second. */
static int pace(struct bh_capture *w, const struct timespec *t0, __u64 i, unsigned long long rate)
{
	unsigned long long due_ns = i * 1000000000ULL / rate;
	struct timespec at = { t0->tv_sec + (time_t)(due_ns / 1000000000ULL),
			       t0->tv_nsec + (long)(due_ns % 1000000000ULL) };
	int err = bh_capture_flush(w);

	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
		;
	return err;
}

int main(int argc, char **argv)
{
	static struct bh_container ctrs[NCONTAINERS];
	static unsigned char rec[BH_RECORD_MAX];
	struct bh_capture_hdr h = {
		.start_ns = START_NS,
		.boot_to_real_ns = START_NS - (long long)TS_START_NS,
	};
	unsigned long long n = argc > 2 ? strtoull(argv[2], NULL, 10) : 3000000;
	/* "listens": every record a finding, from a container (bench/exports.sh) */
	bool listens = argc > 3 && !strcmp(argv[3], "listens");
	/* RATE: records a second, a frame each 10 ms (a FIFO's reader gets them paced) */
	unsigned long long rate = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
	struct timespec t0;
	struct bh_capture *w = NULL;
	struct bh_capture_stats st;
	int err = 0;

	if (argc < 2 || argc > 5 || !n || (argc >= 4 && !listens) || (argc == 5 && !rate)) {
		fprintf(stderr, "usage: capture-gen FILE [RECORDS (default 3000000) [listens "
				"[RATE]]]\n");
		return 2;
	}
	snprintf(h.hostname, sizeof(h.hostname), "bench-node");
	snprintf(h.kernel, sizeof(h.kernel), "6.18.0-bench");
	memcpy(h.host_ns, host_ns, sizeof(h.host_ns));
	for (int k = 0; k < NCONTAINERS && !err; k++)
		err = make_container(&ctrs[k], k);
	if (!err)
		err = bh_capture_open(argv[1], &h, &w);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (__u64 i = 0; i < n && !err; i++) {
		if (rate && i && i % (rate / 100 ? rate / 100 : 1) == 0)
			err = pace(w, &t0, i, rate);
		struct task t = { .in_container = listens || (rnd() & 1) };
		const struct bh_container *c = NULL;

		if (t.in_container) {
			int k = (int)(rnd() % NCONTAINERS);

			c = &ctrs[k];
			t.cgroup_id = CTR_CGROUP0 + (__u64)k;
			t.cgroup_v1_id = CTR_CGROUP0 + NCONTAINERS + (__u64)k;
			t.ns_base = 4026532400U + 16 * (__u32)k;
			t.proc = &ctr_procs[rnd() % (sizeof(ctr_procs) / sizeof(ctr_procs[0]))];
			t.tgid = 2 + (__u32)(rnd() % 64);
		} else {
			int k = (int)(rnd() % NHOST_CGROUPS);

			t.cgroup_id = HOST_CGROUP0 + (__u64)k;
			t.cgroup_v1_id = HOST_CGROUP0 + NHOST_CGROUPS + (__u64)k;
			t.ns_base = host_ns[BH_NS_PID];
			t.proc = &host_procs[rnd() % (sizeof(host_procs) / sizeof(host_procs[0]))];
			t.tgid = 1000 + (__u32)(rnd() % 30000);
		}
		err = bh_capture_event(
			w, rec, build(rec, listens ? NKINDS : (int)(rnd() % NKINDS), i, &t), c);
	}
	if (w) {
		bh_capture_get_stats(w, &st);
		if (!err)
			err = bh_capture_close(w);
		else
			bh_capture_close(w);
	}
	for (int k = 0; k < NCONTAINERS; k++)
		bh_container_clear(&ctrs[k]);
	if (err) {
		fprintf(stderr, "capture-gen: cannot write %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	printf("capture %s: records=%llu containers=%d raw_bytes=%llu frames=%llu\n", argv[1], n,
	       NCONTAINERS, (unsigned long long)st.bytes_raw, (unsigned long long)st.frames);
	return 0;
}
