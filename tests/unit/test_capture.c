// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_capture.c - capture files: round trip, a cut at every byte, corrupt and foreign files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/capture.h"
#include "helpers.h"

#define MAX_RECS 32

struct rec {
	unsigned int kind;
	size_t len;
	char data[BH_RECORD_MAX + 1024];
};

struct recs {
	struct rec r[MAX_RECS];
	size_t n;
};

static int collect(void *ctx, unsigned int kind, const void *data, size_t len)
{
	struct recs *rs = ctx;

	if (rs->n == MAX_RECS || len > sizeof(rs->r[0].data))
		return -E2BIG;
	rs->r[rs->n].kind = kind;
	rs->r[rs->n].len = len;
	memcpy(rs->r[rs->n].data, data, len);
	rs->n++;
	return 0;
}

/* A file name of this test process; the caller frees it. */
static char *tmp_path(const char *name)
{
	char *path = NULL;

	assert_true(asprintf(&path, "%s/bh-capture-%d-%s",
			     getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(),
			     name) > 0);
	return path;
}

static int count_kinds(void *ctx, unsigned int kind, const void *data, size_t len)
{
	size_t *n = ctx;

	(void)data;
	(void)len;
	n[kind < 5 ? kind : 0]++;
	return 0;
}

/* A container with every field of the metadata and config set. */
static void fill_container(struct bh_container *c, const char *id)
{
	struct bh_container_config *cfg = &c->config;

	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->runtime = "docker";
	c->name = strdup("web \"quoted\"");
	c->image = strdup("local/busybox:1");
	c->pod_name = strdup("pod-1");
	c->pod_namespace = strdup("default");
	c->pod_uid = strdup("uid-1");
	c->k8s_container = strdup("app");
	c->bundle_path = strdup("/run/x/config.json");
	c->metadata_done = true;
	c->n_labels = 2;
	c->labels = calloc(2, sizeof(*c->labels));
	c->labels[0] = (struct bh_label){ .key = strdup("a"), .value = strdup("1") };
	c->labels[1] = (struct bh_label){ .key = strdup("a"), .value = strdup("\xc3\xa9") };
	cfg->known = cfg->privileged = cfg->seccomp = cfg->devices_unrestricted = true;
	cfg->apparmor_profile = strdup("unconfined");
	cfg->cap_bounding = 0xffffffffffull;
	cfg->cap_effective = 1ull << 21;
	cfg->host_ns[BH_NS_NET] = cfg->host_ns[BH_NS_PID] = true;
	cfg->ns_path[BH_NS_NET] = strdup("/proc/1/ns/net");
	cfg->n_mounts = 1;
	cfg->mounts = calloc(1, sizeof(*cfg->mounts));
	cfg->mounts[0] = (struct bh_mount_spec){ strdup("/var/run/docker.sock"),
						 strdup("/var/run/docker.sock"),
						 strdup("bind"),
						 true,
						 false,
						 "rshared",
						 strdup("/run/docker.sock") };
	cfg->n_ports = 1;
	cfg->ports = calloc(1, sizeof(*cfg->ports));
	cfg->ports[0] = (struct bh_port_binding){ 80, 8080, "tcp", "0.0.0.0" };
	cfg->n_exposed_ports = 1;
	cfg->exposed_ports = calloc(1, sizeof(char *));
	cfg->exposed_ports[0] = strdup("80/tcp");
}

static void test_container_json_round_trip(void **state)
{
	struct bh_container a, b;
	struct bh_json ja, jb;

	(void)state;
	fill_container(&a, "3f2a1b0c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8");
	bh_json_init(&ja);
	bh_json_init(&jb);
	bh_capture_container_json(&ja, &a);
	assert_int_equal(bh_capture_parse_container(bh_json_data(&ja), bh_json_len(&ja), &b), 0);
	bh_capture_container_json(&jb, &b);
	/* Every field written is read back: the second serialisation is the first. */
	assert_int_equal(bh_json_len(&ja), bh_json_len(&jb));
	assert_memory_equal(bh_json_data(&ja), bh_json_data(&jb), bh_json_len(&ja));
	assert_string_equal(b.id, a.id);
	assert_string_equal(b.runtime, "docker");
	assert_string_equal(b.name, "web \"quoted\"");
	assert_string_equal(b.labels[1].value, "\xc3\xa9");
	assert_true(b.config.privileged);
	assert_false(b.config.no_new_privileges);
	assert_int_equal(b.config.cap_bounding, 0xffffffffffull);
	assert_true(b.config.host_ns[BH_NS_NET]);
	assert_string_equal(b.config.ns_path[BH_NS_NET], "/proc/1/ns/net");
	assert_null(b.config.ns_path[BH_NS_MNT]);
	assert_string_equal(b.config.mounts[0].propagation, "rshared");
	assert_string_equal(b.config.mounts[0].host_path, "/run/docker.sock");
	assert_int_equal(b.config.ports[0].host_port, 8080);
	assert_string_equal(b.config.exposed_ports[0], "80/tcp");
	bh_container_clear(&a);
	bh_container_clear(&b);
	bh_json_free(&ja);
	bh_json_free(&jb);
}

static void test_container_json_rejects_garbage(void **state)
{
	struct bh_container c;

	(void)state;
	assert_int_equal(bh_capture_parse_container("{\"id\":\"x\"", 9, &c), -EBADMSG);
	assert_int_equal(bh_capture_parse_container("{\"config\":{}}", 13, &c), -EBADMSG);
}

/*
 * Writes a capture of two frames: frame 1 holds a container, its binding and two
 * events; frame 2 a host event (binding + event) and the container's departure.
 * Returns the number of records in frame 1 through *first.
 */
static char *write_sample(size_t *first, struct bh_capture_stats *st)
{
	char *path = tmp_path("sample.bhc");
	struct bh_capture_hdr hdr = { .boot_to_real_ns = 1234567890, .self_cgroup_id = 77 };
	struct bh_capture *w;
	struct bh_container c;
	struct bh_test_rec r;
	struct bh_str tail[2] = { BH_TSTR("/bin/sh"), BH_TSTR("sh\0-c\0id") };
	struct bh_hdr *h;

	hdr.host_ns[BH_NS_NET] = 4026531840u;
	fill_container(&c, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(bh_capture_open(path, &hdr, &w), 0);
	h = bh_test_record(&r, BH_EV_EXEC, BH_TSTR("/bin/busybox"), tail, 2);
	h->cgroup_id = 10;
	h->cgroup_v1_id = 11;
	h->tgid = 42;
	assert_int_equal(bh_capture_event(w, r.buf, r.size, &c), 0);
	h->tgid = 43;
	/* Same cgroup, same container: no second binding or container record. */
	assert_int_equal(bh_capture_event(w, r.buf, r.size, &c), 0);
	assert_int_equal(bh_capture_flush(w), 0);
	*first = 4;
	h = bh_test_record(&r, BH_EV_SETNS, BH_TSTR(""), NULL, 0);
	h->cgroup_id = 1;
	assert_int_equal(bh_capture_event(w, r.buf, r.size, NULL), 0);
	assert_int_equal(bh_capture_container_gone(w, &c), 0);
	bh_capture_get_stats(w, st);
	assert_int_equal(bh_capture_close(w), 0);
	bh_container_clear(&c);
	return path;
}

static void test_round_trip(void **state)
{
	struct bh_capture_stats st;
	struct bh_capture_hdr hdr;
	struct bh_capture_reader *rd;
	struct bh_container c;
	struct recs *rs = calloc(1, sizeof(*rs));
	char id[BH_CONTAINER_ID_LEN + 1];
	const struct bh_hdr *h;
	size_t first;
	__u64 cg, v1;
	char *path = write_sample(&first, &st);

	(void)state;
	assert_int_equal(st.events, 3);
	assert_int_equal(st.frames, 1); /* the second frame is ended by close */
	assert_int_equal(bh_capture_reader_open(path, &hdr, &rd), 0);
	assert_int_equal(hdr.version, BH_CAPTURE_VERSION);
	assert_int_equal(hdr.boot_to_real_ns, 1234567890);
	assert_int_equal(hdr.self_cgroup_id, 77);
	assert_int_equal(hdr.host_ns[BH_NS_NET], 4026531840u);
	assert_true(hdr.hostname[0] && hdr.kernel[0] && hdr.start_ns > 0);
	assert_int_equal(bh_capture_read(rd, collect, rs), 0);
	assert_int_equal(bh_capture_frames_read(rd), 2);
	bh_capture_reader_close(rd);

	assert_int_equal(rs->n, 7);
	assert_int_equal(rs->r[0].kind, BH_CAP_CONTAINER);
	assert_int_equal(bh_capture_parse_container(rs->r[0].data, rs->r[0].len, &c), 0);
	assert_string_equal(c.name, "web \"quoted\"");
	bh_container_clear(&c);
	assert_int_equal(rs->r[1].kind, BH_CAP_BINDING);
	assert_int_equal(bh_capture_parse_binding(rs->r[1].data, rs->r[1].len, &cg, &v1, id), 0);
	assert_int_equal(cg, 10);
	assert_int_equal(v1, 11);
	assert_string_equal(id, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(rs->r[2].kind, BH_CAP_EVENT);
	h = (const struct bh_hdr *)rs->r[2].data;
	assert_int_equal(h->type, BH_EV_EXEC);
	assert_int_equal(h->size, rs->r[2].len);
	assert_int_equal(h->tgid, 42);
	assert_int_equal(((const struct bh_hdr *)rs->r[3].data)->tgid, 43);
	assert_int_equal(rs->r[4].kind, BH_CAP_BINDING);
	assert_int_equal(bh_capture_parse_binding(rs->r[4].data, rs->r[4].len, &cg, &v1, id), 0);
	assert_string_equal(id, ""); /* the host */
	assert_int_equal(rs->r[5].kind, BH_CAP_EVENT);
	assert_int_equal(rs->r[6].kind, BH_CAP_GONE);
	unlink(path);
	free(path);
	free(rs);
}

static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	char *buf = malloc(1 << 20);
	ssize_t n = read(fd, buf, 1 << 20);

	assert_true(n > 0);
	close(fd);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* A file cut at any byte either fails cleanly or replays whole frames, a prefix. */
static void test_truncated_at_every_offset(void **state)
{
	struct bh_capture_stats st;
	struct recs *full = calloc(1, sizeof(*full)), *part = calloc(1, sizeof(*part));
	struct bh_capture_reader *rd;
	struct bh_capture_hdr hdr;
	size_t first, len, header_len = 0, prefixes[3] = { 0 };
	char *path = write_sample(&first, &st);
	char *buf = slurp(path, &len);
	char *cut = tmp_path("cut.bhc");

	(void)state;
	assert_int_equal(bh_capture_reader_open(path, &hdr, &rd), 0);
	assert_int_equal(bh_capture_read(rd, collect, full), 0);
	bh_capture_reader_close(rd);
	for (size_t l = 0; l < len; l++) {
		int err;

		spit(cut, buf, l);
		err = bh_capture_reader_open(cut, &hdr, &rd);
		if (err) {
			assert_int_equal(err, -EBADMSG);
			assert_int_equal(header_len, 0); /* only ever a cut header */
			continue;
		}
		if (!header_len)
			header_len = l;
		part->n = 0;
		err = bh_capture_read(rd, collect, part);
		bh_capture_reader_close(rd);
		/* At a frame boundary the cut is invisible; anywhere else it is reported. */
		assert_true(err == -ENODATA || err == 0);
		assert_true(part->n == 0 || part->n == first);
		prefixes[part->n == first]++;
		for (size_t i = 0; i < part->n; i++) {
			assert_int_equal(part->r[i].kind, full->r[i].kind);
			assert_memory_equal(part->r[i].data, full->r[i].data, full->r[i].len);
		}
	}
	assert_true(header_len > 16);
	assert_true(prefixes[0] > 0 && prefixes[1] > 0);
	unlink(cut);
	unlink(path);
	free(cut);
	free(path);
	free(buf);
	free(full);
	free(part);
}

static void test_corrupt_and_foreign_files(void **state)
{
	struct bh_capture_stats st;
	struct recs *rs = calloc(1, sizeof(*rs));
	struct bh_capture_reader *rd;
	struct bh_capture_hdr hdr;
	size_t first, len;
	char *path = write_sample(&first, &st);
	char *buf = slurp(path, &len);
	char *bad = tmp_path("bad.bhc");

	(void)state;
	spit(bad, "{\"schema\":1}\n", 13);
	assert_int_equal(bh_capture_reader_open(bad, &hdr, &rd), -EBADMSG);
	assert_int_equal(bh_capture_reader_open("/nonexistent/x.bhc", &hdr, &rd), -ENOENT);

	buf[9] ^= 0x20; /* the magic */
	spit(bad, buf, len);
	assert_int_equal(bh_capture_reader_open(bad, &hdr, &rd), -EBADMSG);
	buf[9] ^= 0x20;

	buf[16] = BH_CAPTURE_VERSION + 1; /* a later format version */
	spit(bad, buf, len);
	assert_int_equal(bh_capture_reader_open(bad, &hdr, &rd), -EPROTONOSUPPORT);
	assert_int_equal(hdr.version, BH_CAPTURE_VERSION + 1);
	buf[16] = BH_CAPTURE_VERSION;

	buf[len - 1] ^= 0xff; /* the last frame's checksum */
	spit(bad, buf, len);
	assert_int_equal(bh_capture_reader_open(bad, &hdr, &rd), 0);
	assert_int_equal(bh_capture_read(rd, collect, rs), -EBADMSG);
	/* The frame before the bad one was delivered, none of the bad one. */
	assert_int_equal(rs->n, first);
	assert_int_equal(bh_capture_frames_read(rd), 1);
	bh_capture_reader_close(rd);
	unlink(bad);
	unlink(path);
	free(bad);
	free(path);
	free(buf);
	free(rs);
}

/*
 * A full disk, as RLIMIT_FSIZE makes it (EFBIG instead of ENOSPC, the same path):
 * the write error is returned and sticky, and the file keeps its whole frames.
 */
static void test_full_disk_keeps_whole_frames(void **state)
{
	char *path = tmp_path("full.bhc");
	struct bh_capture_hdr hdr = { 0 };
	struct bh_capture_reader *rd;
	size_t kinds[5] = { 0 };
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit lim = { 4096, 4096 };
		struct bh_capture_stats st;
		struct bh_capture *w;
		struct bh_test_rec r;
		struct bh_hdr *h;
		int err = 0;
		unsigned int i;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &lim) || bh_capture_open(path, &hdr, &w))
			_exit(10);
		h = bh_test_record(&r, BH_EV_SETNS, BH_TSTR(""), NULL, 0);
		/* Incompressible frames: distinct cgroup ids, one frame each, until it fails. */
		for (i = 0; i < 1000 && !err; i++) {
			h->cgroup_id = (__u64)random() << 32 | (__u64)random();
			h->ts_ns = (__u64)random() << 32 | (__u64)random();
			err = bh_capture_event(w, r.buf, r.size, NULL);
			if (!err)
				err = bh_capture_flush(w);
		}
		if (err != -EFBIG || bh_capture_event(w, r.buf, r.size, NULL) != -EFBIG)
			_exit(11);
		bh_capture_get_stats(w, &st);
		bh_capture_close(w);
		_exit(st.frames == i - 1 && st.frames > 0 ? 0 : 12);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(bh_capture_reader_open(path, &hdr, &rd), 0);
	assert_int_equal(bh_capture_read(rd, count_kinds, kinds), 0);
	/* A binding and an event per frame, nothing else, nothing cut. */
	assert_true(kinds[BH_CAP_EVENT] > 0);
	assert_int_equal(kinds[BH_CAP_EVENT], bh_capture_frames_read(rd));
	assert_int_equal(kinds[BH_CAP_BINDING], kinds[BH_CAP_EVENT]);
	assert_int_equal(kinds[0] + kinds[BH_CAP_CONTAINER] + kinds[BH_CAP_GONE], 0);
	bh_capture_reader_close(rd);
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_json_round_trip),
		cmocka_unit_test(test_container_json_rejects_garbage),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncated_at_every_offset),
		cmocka_unit_test(test_corrupt_and_foreign_files),
		cmocka_unit_test(test_full_disk_keeps_whole_frames),
	};

	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
