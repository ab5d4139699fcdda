// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gen_corpus.c - writes the seed corpora of the fuzz targets: records laid out as the
 * kernel writes them (tests/unit/helpers.h), hostile strings, and the parser fixtures of
 * tests/data. Run it again when the ABI or the fixtures change:
 *   make && cc -Iheaders -Iuser -Itests/unit -Itests -DTEST_DATA_DIR='"tests/data"' \
 *      tests/fuzz/gen_corpus.c build/libbulkhead.a -ljson-c -lzstd -lyaml -lcurl -lbpf \
 *      -lelf -lz -lpthread -o /tmp/gen_corpus && /tmp/gen_corpus tests/fuzz/corpus
 * Seeds found by fuzzing (crashes fixed since) live beside these, named crash-*.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "capture/capture.h"
#include "container/container.h"
#include "fixture.h"
#include "helpers.h"

static const char *out_dir;

static void write_seed(const char *target, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Header fields of a process in a docker container (values seen on this machine). */
static void fill_hdr(struct bh_hdr *h, const char *comm)
{
	h->ts_ns = 123456789000ULL;
	h->cgroup_id = 5123;
	h->cgroup_v1_id = 881;
	h->cap_effective = 0xa80425fbULL;
	h->pid = h->tgid = 4242;
	h->ppid = 4200;
	h->pid_ns = 4026532301u;
	h->mnt_ns = 4026532299u;
	h->net_ns = 4026532304u;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
}

#define N_RECS 16

static struct bh_test_rec recs[N_RECS];
static const char *rec_names[N_RECS];
static int n_recs;

static struct bh_hdr *add(const char *name, unsigned int type, const char *exe,
			  const struct bh_str *tail, int n_tail)
{
	struct bh_test_rec *r = &recs[n_recs];
	struct bh_hdr *h;

	rec_names[n_recs++] = name;
	h = bh_test_record(r, type, (struct bh_str){ exe, strlen(exe) }, tail, n_tail);
	fill_hdr(h, strrchr(exe, '/') + 1);
	return h;
}

static void build_records(void)
{
	const struct bh_str exec_tail[] = { BH_TSTR("/usr/sbin/sshd"), BH_TSTR("sshd\0-D\0-e") };
	const struct bh_str suid_tail[] = { BH_TSTR("/bin/su"), BH_TSTR("su\0-") };
	const struct bh_str mount_tail[] = { BH_TSTR("/tmp/src"), BH_TSTR("/mnt"),
					     BH_TSTR("none") };
	const struct bh_str tree_tail[] = { BH_TSTR("/"), BH_TSTR(""), BH_TSTR("") };
	const struct bh_str sock_tail[] = { BH_TSTR("/var/run/docker.sock"), BH_TSTR("/s") };
	const struct bh_str abstract_tail[] = { BH_TSTR("@ab\0c"), BH_TSTR("") };
	struct bh_exec *e;
	struct bh_mount *m;
	struct bh_setns *s;
	struct bh_capset *cs;
	struct bh_connect *cn;
	struct bh_sock *sk;

	e = (struct bh_exec *)add("exec-sshd", BH_EV_EXEC, "/usr/sbin/sshd", exec_tail, 2);
	e->argc = 3;
	e->seccomp_mode = BH_SECCOMP_FILTER;
	e = (struct bh_exec *)add("exec-setuid", BH_EV_EXEC, "/bin/busybox", suid_tail, 2);
	e->hdr.uid = 1000;
	e->uid_before = e->euid_before = 1000;
	e->before_valid = 1;
	e->secureexec = 1;
	e->argc = 40;
	e->hdr.trunc = BH_TRUNC_ARGC | BH_TRUNC_EXE;
	e->hdr.cap_effective = ~0ULL;

	m = (struct bh_mount *)add("mount-shared", BH_EV_MOUNT, "/bin/mount", mount_tail, 3);
	m->call = BH_MOUNT_MOUNT;
	m->flags = MS_BIND | MS_REC | MS_SHARED | 0xc0ed0000;
	m = (struct bh_mount *)add("mount-open-tree", BH_EV_MOUNT, "/usr/local/bin/bh-trigger",
				   tree_tail, 3);
	m->call = BH_MOUNT_OPEN_TREE;
	m->flags = 0x1 | 0x8000;
	m->from_dfd = -100;
	m = (struct bh_mount *)add("mount-setattr", BH_EV_MOUNT, "/usr/local/bin/bh-trigger",
				   tree_tail, 3);
	m->call = BH_MOUNT_MOUNT_SETATTR;
	m->attr_set = 0x1;
	m->attr_clr = 0x200000;
	m->propagation = MS_SHARED;

	s = (struct bh_setns *)add("setns-host", BH_EV_SETNS, "/usr/bin/nsenter", NULL, 0);
	s->fd = 3;
	s->nstype = 0x40000000;
	s->target_ns = 4026531840u;
	s->ns_after[BH_NS_NET] = s->host_ns[BH_NS_NET] = 4026531840u;
	s->entered_mask = s->host_mask = 1u << BH_NS_NET;

	cs = (struct bh_capset *)add("capset-gain", BH_EV_CAPSET, "/sbin/capsh", NULL, 0);
	cs->effective = cs->permitted = 1ULL << CAP_SYS_ADMIN | 1ULL << 45;
	cs->before_known = 1;
	cs->effective_before = 0;

	cn = (struct bh_connect *)add("connect-docker-sock", BH_EV_CONNECT,
				      "/usr/local/bin/bh-trigger", sock_tail, 2);
	cn->family = AF_UNIX;
	cn->sock_type = SOCK_STREAM;
	cn->fd = 3;
	cn = (struct bh_connect *)add("connect-abstract", BH_EV_CONNECT, "/bin/nc", abstract_tail,
				      2);
	cn->family = AF_UNIX;
	cn->sock_type = SOCK_DGRAM;
	cn = (struct bh_connect *)add("connect-inet6", BH_EV_CONNECT, "/bin/wget", NULL, 0);
	cn->family = AF_INET6;
	cn->addr[15] = 1;
	cn->port = 2375;

	sk = (struct bh_sock *)add("bind-22-hostnet", BH_EV_BIND, "/usr/sbin/sshd", NULL, 0);
	sk->hdr.net_ns = 4026531840u;
	sk->family = AF_INET;
	sk->port = 22;
	sk = (struct bh_sock *)add("listen-2375", BH_EV_LISTEN, "/usr/bin/dockerd", NULL, 0);
	sk->family = AF_INET;
	sk->port = 2375;
}

static void event_seeds(void)
{
	struct bh_test_rec r;
	char name[64];

	for (int i = 0; i < n_recs; i++)
		write_seed("event", rec_names[i], recs[i].buf, recs[i].size);
	/* Short, oversized and inconsistent records: the decoder refuses each. */
	write_seed("event", "short-header", recs[0].buf, sizeof(struct bh_hdr) - 1);
	memcpy(&r, &recs[0], sizeof(r));
	((struct bh_hdr *)r.buf)->size = BH_RECORD_MAX + 8;
	write_seed("event", "size-past-end", r.buf, r.size);
	memcpy(&r, &recs[0], sizeof(r));
	((struct bh_exec *)r.buf)->args_len = 0xffff;
	write_seed("event", "tail-past-end", r.buf, r.size);
	memcpy(&r, &recs[0], sizeof(r));
	((struct bh_hdr *)r.buf)->type = 99;
	snprintf(name, sizeof(name), "unknown-type");
	write_seed("event", name, r.buf, r.size);
	/* Padded as the ring buffer pads: the record is shorter than what it is handed in. */
	memcpy(&r, &recs[0], sizeof(r));
	write_seed("event", "padded", r.buf, (r.size + 7) / 8 * 8 + 8);
}

static void string_seeds(void)
{
	static const struct {
		const char *name;
		const char *s;
		size_t len;
	} strs[] = {
#define S(n, lit) { n, lit, sizeof(lit) - 1 }
		S("ascii", "/usr/local/bin/bh-trigger"),
		S("escapes", "a\"b\\c/d\n\r\t\b\f\x01\x1f\x7f"),
		S("nul", "sh\0-c\0id"),
		S("utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3 \xf4\x8f\xbf\xbf"),
		S("invalid", "\x80\xbf\xc0\xaf\xc1\x81\xf5\x80\x80\x80\xff\xfe"),
		S("overlong", "\xe0\x80\xaf\xf0\x80\x80\xaf"),
		S("surrogate", "\xed\xa0\x80\xed\xbf\xbf\xed\x9f\xbf"),
		S("cut-seq", "ok\xe2\x82"),
		S("above-max", "\xf4\x90\x80\x80"),
#undef S
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		write_seed("json_string", strs[i].name, strs[i].s, strs[i].len);
}

static void copy_fixtures(const char *target, const char *const *names)
{
	for (; *names; names++) {
		size_t len;
		char *text = bh_test_fixture(*names, &len);

		write_seed(target, *names, text, len);
		free(text);
	}
}

static const char *const oci_fixtures[] = { "oci-containerd-cri.json", "oci-docker-default.json",
					    "oci-docker-flags.json", "oci-docker-hostns.json",
					    NULL };
static const char *const docker_fixtures[] = { "docker-inspect-default.json",
					       "docker-inspect-flags.json",
					       "docker-inspect-hostns.json",
					       "docker-inspect-privileged.json", NULL };
static const char *const policy_fixtures[] = { "policy-allow-no-matcher.yaml",
					       "policy-bad-bool.yaml",
					       "policy-bad-port.yaml",
					       "policy-bad-severity.yaml",
					       "policy-empty.yaml",
					       "policy-relative-path.yaml",
					       "policy-syntax.yaml",
					       "policy-unknown-key.yaml",
					       "policy-unknown-rule.yaml",
					       "policy-valid.yaml",
					       NULL };

static void put_chunk(unsigned char *buf, size_t *off, const void *data, size_t len)
{
	buf[(*off)++] = (unsigned char)(len & 0xff);
	buf[(*off)++] = (unsigned char)(len >> 8);
	memcpy(buf + *off, data, len);
	*off += len;
}

/* fuzz_rules: flag byte, metadata, then every record (see fuzz_rules.c). */
static void rules_seed(const char *name, int flags, const char *fixture)
{
	size_t len, off = 0, cap;
	char *text = bh_test_fixture(fixture, &len);
	unsigned char *buf;

	cap = 3 + len + n_recs * (2 + BH_RECORD_MAX);
	buf = malloc(cap);
	if (!buf)
		exit(1);
	buf[off++] = (unsigned char)flags;
	put_chunk(buf, &off, text, len);
	for (int i = 0; i < n_recs; i++)
		put_chunk(buf, &off, recs[i].buf, recs[i].size);
	write_seed("rules", name, buf, off);
	free(buf);
	free(text);
}

/* A capture as `bulkhead record` writes it: a container, its binding, every record, its end. */
static void capture_seeds(void)
{
	struct bh_capture_hdr hdr = { .boot_to_real_ns = 1700000000000000000LL };
	struct bh_container c = {
		.id = "f6e7513a668adcc530ec73c8713888189e6795b999459b3c6e1bdfea5de7a180",
		.runtime = "docker",
	};
	struct bh_capture *w;
	char path[4096], *text, *file;
	size_t len;
	long n;
	FILE *f;

	text = bh_test_fixture("oci-docker-flags.json", &len);
	if (bh_oci_parse_config(text, len, &c))
		exit(1);
	free(text);
	c.name = strdup("web\"\n\xff");
	snprintf(path, sizeof(path), "%s/capture", out_dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/capture/record", out_dir);
	if (bh_capture_open(path, &hdr, &w) || bh_capture_container(w, &c))
		exit(1);
	for (int i = 0; i < n_recs; i++) {
		/* Every other record from a host process: a binding to "" as well. */
		((struct bh_hdr *)recs[i].buf)->cgroup_id = 5123 + (__u64)(i & 1);
		if (bh_capture_event(w, recs[i].buf, recs[i].size, i & 1 ? NULL : &c))
			exit(1);
		if (i == n_recs / 2 && bh_capture_flush(w))
			exit(1);
	}
	if (bh_capture_container_gone(w, &c) || bh_capture_close(w))
		exit(1);
	bh_container_clear(&c);

	/* The same file cut inside its last frame, as a crash or a full disk leaves it. */
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 16 || fseek(f, 0, SEEK_SET))
		exit(1);
	file = malloc((size_t)n);
	if (!file || fread(file, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	write_seed("capture", "cut", file, (size_t)n - 9);
	free(file);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	mkdir(out_dir, 0755);
	build_records();
	event_seeds();
	string_seeds();
	copy_fixtures("oci", oci_fixtures);
	copy_fixtures("docker", docker_fixtures);
	copy_fixtures("policy", policy_fixtures);
	rules_seed("oci-default", 0, "oci-docker-default.json");
	rules_seed("oci-flags", 0, "oci-docker-flags.json");
	rules_seed("oci-cri-host", 2, "oci-containerd-cri.json");
	rules_seed("docker-privileged", 1, "docker-inspect-privileged.json");
	rules_seed("docker-flags", 1, "docker-inspect-flags.json");
	capture_seeds();
	return 0;
}
