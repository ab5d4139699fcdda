// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* pipeline-bench.c - user-space throughput: records/s through decode -> attribution -> rules -> JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "container.h"
#include "events.h"
#include "log.h"
#include "pipeline.h"
#include "sink.h"

/*
 * Until `bulkhead replay` can play a large capture, this feeds a mix of records
 * laid out as the BPF side writes them (exec with argv, setns, mount, capset,
 * unix connect to the docker socket, bind) through the same pipeline the agent
 * runs, with every event printed (--events all) and the rules on, into
 * /dev/null. Half the records belong to a container, half to the host.
 */

#define NKINDS 6

struct rec {
	unsigned char data[BH_RECORD_MAX];
	size_t size;
};

static size_t tail(unsigned char *rec, size_t off, const char *s, size_t len)
{
	memcpy(rec + off, s, len);
	return off + len;
}

static void hdr(struct bh_hdr *h, __u32 type, size_t fixed, __u32 i)
{
	static const char exe[] = "/usr/bin/busybox";

	h->ts_ns = 1000000000ULL + i;
	h->cgroup_id = (i & 1) ? 4242 : 1;
	h->type = type;
	h->pid = h->tgid = 1000 + i % 64;
	h->ppid = 1;
	h->cap_effective = 0xa80425fb;
	h->pid_ns = h->mnt_ns = h->net_ns = 4026531836U + (i & 1);
	h->exe_len = sizeof(exe) - 1;
	memcpy(h->comm, "sh", 3);
	tail((unsigned char *)h, fixed, exe, sizeof(exe) - 1);
}

static void build(struct rec *r, int kind, __u32 i)
{
	unsigned char *d = r->data;
	size_t off;

	memset(d, 0, sizeof(r->data));
	switch (kind) {
	case 0: {
		static const char file[] = "/bin/sh", args[] = "sh\0-c\0echo hello; sleep 1";
		struct bh_exec *e = (void *)d;

		hdr(&e->hdr, BH_EV_EXEC, sizeof(*e), i);
		off = sizeof(*e) + e->hdr.exe_len;
		e->argc = 3;
		e->before_valid = 1;
		e->cap_effective_before = e->hdr.cap_effective;
		e->filename_len = sizeof(file) - 1;
		off = tail(d, off, file, sizeof(file) - 1);
		e->args_len = sizeof(args) - 1;
		off = tail(d, off, args, sizeof(args) - 1);
		break;
	}
	case 1: {
		struct bh_setns *e = (void *)d;

		hdr(&e->hdr, BH_EV_SETNS, sizeof(*e), i);
		off = sizeof(*e) + e->hdr.exe_len;
		e->nstype = 0x04000000; /* CLONE_NEWUTS */
		e->changed_mask = 1U << BH_NS_UTS;
		break;
	}
	case 2: {
		static const char src[] = "/etc", tgt[] = "/mnt/etc", fs[] = "none";
		struct bh_mount *e = (void *)d;

		hdr(&e->hdr, BH_EV_MOUNT, sizeof(*e), i);
		off = sizeof(*e) + e->hdr.exe_len;
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

		hdr(&e->hdr, BH_EV_CAPSET, sizeof(*e), i);
		off = sizeof(*e) + e->hdr.exe_len;
		e->effective = e->effective_before = e->hdr.cap_effective;
		break;
	}
	case 4: {
		static const char peer[] = "/var/run/docker.sock";
		struct bh_connect *e = (void *)d;

		hdr(&e->hdr, BH_EV_CONNECT, sizeof(*e), i);
		off = sizeof(*e) + e->hdr.exe_len;
		e->family = AF_UNIX;
		e->sock_type = SOCK_STREAM;
		e->peer_path_len = sizeof(peer) - 1;
		off = tail(d, off, peer, sizeof(peer) - 1);
		e->path_len = sizeof(peer) - 1;
		off = tail(d, off, peer, sizeof(peer) - 1);
		break;
	}
	default: {
		struct bh_sock *e = (void *)d;

		hdr(&e->hdr, BH_EV_BIND, sizeof(*e), i);
		off = sizeof(*e) + e->hdr.exe_len;
		e->family = 2; /* AF_INET */
		e->port = 8080;
		break;
	}
	}
	((struct bh_hdr *)d)->size = off;
	r->size = off;
}

static struct bh_container container = {
	.id = "4242424242424242424242424242424242424242424242424242424242424242",
	.runtime = "docker",
	.name = "bench",
	.image = "local/busybox:1",
};

static const struct bh_container *lookup(void *ctx, const struct bh_hdr *h)
{
	(void)ctx;
	return h->cgroup_id == 4242 ? &container : NULL;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	struct bh_pipeline_opts po = {
		.event_mask = ~0U,
		.findings = true,
		.lookup = lookup,
	};
	static struct rec recs[NKINDS * 64];
	struct bh_pipeline p;
	struct bh_sink out = {0};
	struct timespec t0, t1;
	double c0, c1, wall;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	bh_log_setup(BH_LOG_WARN, false);
	container.config.known = true;
	if (fd < 0 || n <= 0 || bh_sink_init(&out, fd, 1u << 20)) {
		fprintf(stderr, "usage: pipeline-bench [RECORDS]; cannot open /dev/null or the sink\n");
		return 1;
	}
	bh_sink_set_lossless(&out, true);
	po.out = &out;
	if (bh_pipeline_init(&p, &po))
		return 1;
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		build(&recs[i], (int)(i % NKINDS), (__u32)i);

	c0 = cpu_s();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		const struct rec *r = &recs[i % (sizeof(recs) / sizeof(recs[0]))];

		bh_pipeline_record(&p, r->data, r->size);
		if ((i & 1023) == 0)
			bh_sink_flush(&out);
	}
	bh_sink_flush(&out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c1 = cpu_s();
	wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("pipeline records=%ld decode_errors=%llu findings=%llu wall_s=%.3f "
	       "records_per_s=%.0f records_per_cpu_s=%.0f (consumer thread; JSON writer thread "
	       "not included)\n",
	       n, (unsigned long long)p.counts.decode_errors, (unsigned long long)p.counts.findings,
	       wall, n / wall, n / (c1 - c0));
	bh_pipeline_fini(&p);
	bh_sink_free(&out);
	close(fd);
	return 0;
}
