// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_rules.c - every rule, positive and negative, on records laid out as the
 * kernel writes them and on container configs as the parsers fill them from
 * bundles recorded on this machine; plus dedup, allow-list, severity and
 * disabled-rule handling. Each finding line is parsed with json-c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "container/container.h"
#include "container/spec.h"
#include "fixture.h"
#include "helpers.h"
#include "rules/policy.h"
#include "rules/rules.h"

#define CAP(n)	    (1ULL << (n))
#define SEC	    1000000000ULL
#define ID_A	    "2b652d48c07089f2ae638298445eea864209b78d50018c6b8cabc63e56151db8"
#define ID_DEF	    "f6e7513a668adcc530ec73c8713888189e6795b999459b3c6e1bdfea5de7a180"
#define ID_B	    "3b652d48c07089f2ae638298445eea864209b78d50018c6b8cabc63e56151db8"
#define ID_HOSTNS   "78484c13aa9fed8ce266e3a4bbefb000471ba124714c1568197fa5c1cdbdd280"
#define ID_PODMAN   "ea69c7efd5b8cfa5b47bf6fc02d25bdabf78fd51fd2b321f771c44e259acb200"
#define HOST_NET_NS 4026531840u

#define MAX_LINES 32

struct sink {
	struct json_object *lines[MAX_LINES];
	int n;
};

static void collect(const char *line, size_t len, void *ctx)
{
	struct sink *s = ctx;

	assert_true(len > 0 && line[len - 1] == '\n');
	assert_true(s->n < MAX_LINES);
	s->lines[s->n] = bh_test_parse(line, len - 1);
	assert_non_null(s->lines[s->n]);
	s->n++;
}

static void sink_clear(struct sink *s)
{
	for (int i = 0; i < s->n; i++)
		json_object_put(s->lines[i]);
	s->n = 0;
}

static const char *jstr(struct json_object *o, const char *path)
{
	struct json_object *v = bh_test_jget(o, path);

	return v ? json_object_get_string(v) : "<absent>";
}

/* The line of rule, failing the test when there is not exactly one. */
static struct json_object *only(struct sink *s, const char *rule)
{
	struct json_object *found = NULL;

	for (int i = 0; i < s->n; i++) {
		if (strcmp(jstr(s->lines[i], "rule"), rule))
			continue;
		if (found)
			fail_msg("two %s findings", rule);
		found = s->lines[i];
	}
	if (!found)
		fail_msg("no %s finding among %d", rule, s->n);
	assert_string_equal(jstr(found, "type"), "finding");
	assert_int_equal(json_object_get_int(bh_test_jget(found, "schema")), 1);
	assert_non_null(bh_test_jget(found, "summary"));
	assert_non_null(bh_test_jget(found, "remediation"));
	return found;
}

static bool has_rule(struct sink *s, const char *rule)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(jstr(s->lines[i], "rule"), rule))
			return true;
	return false;
}

/* A JSON array at path holds the string v. */
static bool arr_has(struct json_object *o, const char *path, const char *v)
{
	struct json_object *a = bh_test_jget(o, path);

	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(a, i)), v))
			return true;
	return false;
}

struct ctx {
	struct bh_rules *r;
	struct bh_policy *p;
	struct sink s;
	struct bh_container c;
};

static int setup_with(void **state, const char *policy_yaml)
{
	struct bh_rules_opts opts = { .self_cgroup_id = 999 };
	struct ctx *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	if (policy_yaml)
		assert_int_equal(bh_policy_parse("test", policy_yaml, strlen(policy_yaml), &t->p),
				 0);
	opts.policy = t->p;
	opts.host_ns[BH_NS_NET] = HOST_NET_NS;
	assert_int_equal(bh_rules_new(&opts, &t->r), 0);
	*state = t;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, NULL);
}

static int teardown(void **state)
{
	struct ctx *t = *state;

	sink_clear(&t->s);
	bh_rules_free(t->r);
	bh_policy_free(t->p);
	bh_container_clear(&t->c);
	free(t);
	return 0;
}

/* A container as the OCI parser fills it from a bundle recorded on this machine. */
static void load_oci(struct bh_container *c, const char *fixture, const char *id)
{
	size_t len;
	char *json = bh_test_fixture(fixture, &len);

	bh_container_clear(c);
	memset(c, 0, sizeof(*c));
	assert_int_equal(bh_oci_parse_config(json, len, c), 0);
	free(json);
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->runtime = "docker";
	if (!c->name)
		c->name = strdup("/web");
	if (!c->image)
		c->image = strdup("local/busybox:1");
}

static void config(struct ctx *t)
{
	sink_clear(&t->s);
	bh_rules_on_container(t->r, &t->c, collect, &t->s);
}

/* `docker run local/busybox:1`: only the documented low-severity finding. */
static void test_docker_default(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	config(t);
	assert_int_equal(t->s.n, 1);
	f = only(&t->s, "no-new-privileges-missing");
	assert_string_equal(jstr(f, "severity"), "low");
	assert_string_equal(jstr(f, "container.id"), ID_DEF);
	assert_false(json_object_get_boolean(bh_test_jget(f, "evidence.no_new_privileges")));
	assert_null(bh_test_jget(f, "count"));
	assert_null(bh_test_jget(f, "process"));
	/* once per container and rule */
	config(t);
	assert_int_equal(t->s.n, 0);
	bh_rules_forget_container(t->r, t->c.id);
	config(t);
	assert_int_equal(t->s.n, 1);
}

/* --cap-drop ALL --security-opt no-new-privileges --read-only: nothing to report. */
static void test_hardened(void **state)
{
	struct ctx *t = *state;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	t->c.config.cap_bounding = t->c.config.cap_effective = 0;
	t->c.config.no_new_privileges = true;
	t->c.config.readonly_rootfs = true;
	config(t);
	assert_int_equal(t->s.n, 0);
}

/*
 * -v /var/run/docker.sock:/s -v /etc:/host-etc:ro --cap-add SYS_ADMIN
 * no-new-privileges seccomp=unconfined --read-only
 */
static void test_docker_flags(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;

	load_oci(&t->c, "oci-docker-flags.json", ID_A);
	config(t);
	f = only(&t->s, "docker-socket-mount");
	assert_string_equal(jstr(f, "severity"), "high");
	assert_string_equal(bh_test_jtext(f, "evidence.mounts"),
			    "[{\"source\":\"/var/run/docker.sock\",\"destination\":\"/s\",\"type\":"
			    "\"bind\",\"readonly\":false,\"propagation\":\"rprivate\"}]");
	f = only(&t->s, "dangerous-capability");
	assert_true(arr_has(f, "evidence.capabilities", "CAP_SYS_ADMIN"));
	assert_int_equal(json_object_array_length(bh_test_jget(f, "evidence.capabilities")), 1);
	f = only(&t->s, "security-profile-disabled");
	assert_true(arr_has(f, "evidence.disabled", "seccomp"));
	/* /etc read-only and the runtime's ro /etc/hosts are compliant */
	assert_false(has_rule(&t->s, "sensitive-mount-writable"));
	assert_false(has_rule(&t->s, "no-new-privileges-missing"));
	assert_false(has_rule(&t->s, "privileged-container"));
	assert_int_equal(t->s.n, 3);
}

/* --pid host --net host --ipc host: the host's /dev/shm comes along, writable. */
static void test_host_namespaces(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;

	load_oci(&t->c, "oci-docker-hostns.json", ID_HOSTNS);
	config(t);
	f = only(&t->s, "host-namespace-shared");
	assert_string_equal(jstr(f, "severity"), "high");
	assert_string_equal(bh_test_jtext(f, "evidence.namespaces"), "[\"pid\",\"net\",\"ipc\"]");
	/* writable /etc/hosts & co. from the container's own dir are the runtime's */
	f = only(&t->s, "sensitive-mount-writable");
	assert_string_equal(bh_test_jtext(f, "evidence.mounts"),
			    "[{\"source\":\"/dev/shm\",\"destination\":\"/dev/shm\",\"type\":"
			    "\"bind\",\"readonly\":false,\"propagation\":\"rprivate\"}]");
}

/*
 * `podman run local/busybox:1`: its writable binds of .containerenv, hosts & co. and shm
 * come from the dirs podman keeps for this container; only no-new-privileges is missing.
 */
static void test_podman_default(void **state)
{
	struct ctx *t = *state;

	load_oci(&t->c, "oci-podman-default.json", ID_PODMAN);
	t->c.runtime = "podman";
	config(t);
	only(&t->s, "no-new-privileges-missing");
	assert_int_equal(t->s.n, 1);
	/* the same files of another container's dir are a host path handed over */
	load_oci(&t->c, "oci-podman-default.json", ID_A);
	t->c.runtime = "podman";
	config(t);
	only(&t->s, "sensitive-mount-writable");
}

/* CRI pod: rshared /var/log, the pod's own emptyDir, namespaces joined from the sandbox. */
static void test_containerd_cri(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;

	load_oci(&t->c, "oci-containerd-cri.json", ID_A);
	config(t);
	f = only(&t->s, "shared-mount-propagation");
	assert_string_equal(jstr(f, "severity"), "medium");
	assert_true(strstr(jstr(f, "summary"), "pod shop/web-7d4b9c-x2x8k"));
	assert_string_equal(jstr(f, "container.pod.namespace"), "shop");
	f = only(&t->s, "dangerous-capability");
	assert_true(arr_has(f, "evidence.capabilities", "CAP_NET_ADMIN"));
	assert_false(has_rule(&t->s, "host-namespace-shared"));
	assert_false(has_rule(&t->s, "sensitive-mount-writable"));
}

/* docker inspect of --privileged: one critical finding, not also dangerous-capability. */
static void test_privileged(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	size_t len;
	char *json = bh_test_fixture("docker-inspect-privileged.json", &len);

	assert_int_equal(bh_docker_parse_inspect(json, len, &t->c), 0);
	free(json);
	snprintf(t->c.id, sizeof(t->c.id), "%s", ID_A);
	config(t);
	f = only(&t->s, "privileged-container");
	assert_string_equal(jstr(f, "severity"), "critical");
	assert_true(json_object_get_boolean(bh_test_jget(f, "evidence.privileged")));
	assert_false(has_rule(&t->s, "dangerous-capability"));
}

/* --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined */
static void test_privileged_equivalent(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	t->c.config.cap_bounding = ((1ULL << 41) - 1) & ~CAP(24);
	t->c.config.seccomp = false;
	config(t);
	f = only(&t->s, "privileged-container");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "evidence.cap_count")), 40);
	assert_false(has_rule(&t->s, "dangerous-capability"));
	/* the same caps with seccomp on are only dangerous */
	bh_rules_forget_container(t->r, t->c.id);
	t->c.config.seccomp = true;
	config(t);
	assert_false(has_rule(&t->s, "privileged-container"));
	only(&t->s, "dangerous-capability");
}

static struct bh_mount_spec *add_mount(struct bh_container *c, const char *src, const char *dst,
				       bool ro, const char *propagation)
{
	struct bh_mount_spec *m;

	c->config.mounts =
		realloc(c->config.mounts, (c->config.n_mounts + 1) * sizeof(*c->config.mounts));
	assert_non_null(c->config.mounts);
	m = &c->config.mounts[c->config.n_mounts++];
	memset(m, 0, sizeof(*m));
	m->source = strdup(src);
	m->destination = strdup(dst);
	m->type = strdup("bind");
	m->bind = true;
	m->readonly = ro;
	snprintf(m->propagation, sizeof(m->propagation), "%s", propagation);
	return m;
}

static void test_sensitive_mounts(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	t->c.config.no_new_privileges = true;
	add_mount(&t->c, "/srv/data", "/data", false, "rprivate");
	add_mount(&t->c, "/etc/", "/host-etc-ro", true, "rprivate");
	add_mount(&t->c, "/var/lib/docker/volumes/db/_data", "/db", false, "rprivate");
	config(t);
	assert_int_equal(t->s.n, 0);

	bh_rules_forget_container(t->r, t->c.id);
	add_mount(&t->c, "//usr/lib/../../etc/./ssl/", "/ssl", false, "rprivate");
	config(t);
	f = only(&t->s, "sensitive-mount-writable");
	assert_true(strstr(bh_test_jtext(f, "evidence.mounts"), "/ssl"));
	assert_int_equal(json_object_array_length(bh_test_jget(f, "evidence.mounts")), 1);

	/* a bind of / is writable root and exposes the runtime socket */
	bh_rules_forget_container(t->r, t->c.id);
	add_mount(&t->c, "/", "/host", false, "rprivate");
	config(t);
	f = only(&t->s, "sensitive-mount-writable");
	assert_int_equal(json_object_array_length(bh_test_jget(f, "evidence.mounts")), 2);
	f = only(&t->s, "docker-socket-mount");
	assert_true(strstr(bh_test_jtext(f, "evidence.mounts"), "\"source\":\"/\""));
}

static void test_socket_dir_mount(void **state)
{
	struct ctx *t = *state;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	add_mount(&t->c, "/run/containerd", "/c", true, "rprivate");
	config(t);
	/* read-only does not protect a socket: connect(2) needs no write access to the fs */
	only(&t->s, "docker-socket-mount");
	assert_false(has_rule(&t->s, "sensitive-mount-writable"));
}

/* host_path (what the resolver found on the host) is judged, not the spec's source path. */
static void test_mount_host_path(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	t->c.config.no_new_privileges = true;
	/* the spec's path looks sensitive, what was mounted is not; a volume is the runtime's */
	add_mount(&t->c, "/etc/app", "/app", false, "rprivate")->host_path = strdup("/srv/app");
	add_mount(&t->c, "/var/lib/docker/volumes/db/_data", "/db", false, "rprivate")->host_path =
		strdup("/var/lib/docker/volumes/db/_data");
	config(t);
	assert_int_equal(t->s.n, 0);

	bh_rules_forget_container(t->r, t->c.id);
	add_mount(&t->c, "/tmp/link.sock", "/s", true, "rprivate")->host_path =
		strdup("/var/run/docker.sock");
	add_mount(&t->c, "/mnt/x/", "/h", false, "rprivate")->host_path = strdup("/etc");
	add_mount(&t->c, "/etc/", "/e", false, "rprivate")->host_path = strdup("/etc");
	config(t);
	f = only(&t->s, "docker-socket-mount");
	assert_string_equal(
		bh_test_jtext(f, "evidence.mounts"),
		"[{\"source\":\"/tmp/link.sock\",\"host_path\":\"/var/run/docker.sock\","
		"\"destination\":\"/s\",\"type\":\"bind\",\"readonly\":true,"
		"\"propagation\":\"rprivate\"}]");
	assert_non_null(strstr(jstr(f, "summary"),
			       "socket /tmp/link.sock (/var/run/docker.sock on the host) at /s"));
	/* the spec's path once normalized is no other name: no host_path */
	f = only(&t->s, "sensitive-mount-writable");
	assert_string_equal(bh_test_jtext(f, "evidence.mounts"),
			    "[{\"source\":\"/mnt/x/\",\"host_path\":\"/etc\",\"destination\":"
			    "\"/h\",\"type\":\"bind\",\"readonly\":false,\"propagation\":"
			    "\"rprivate\"},{\"source\":\"/etc/\",\"destination\":\"/e\",\"type\":"
			    "\"bind\",\"readonly\":false,\"propagation\":\"rprivate\"}]");
	assert_int_equal(t->s.n, 2);
}

static void test_ports_config(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	t->c.config.ports = calloc(2, sizeof(*t->c.config.ports));
	assert_non_null(t->c.config.ports);
	t->c.config.n_ports = 1;
	t->c.config.ports[0] =
		(struct bh_port_binding){ .container_port = 80, .host_port = 8080, .proto = "tcp" };
	config(t);
	assert_false(has_rule(&t->s, "privileged-port-binding"));
	bh_rules_forget_container(t->r, t->c.id);
	t->c.config.n_ports = 2;
	t->c.config.ports[1] = (struct bh_port_binding){
		.container_port = 80, .host_port = 80, .proto = "tcp", .host_ip = "0.0.0.0"
	};
	config(t);
	f = only(&t->s, "privileged-port-binding");
	assert_string_equal(bh_test_jtext(f, "evidence.ports"),
			    "[{\"host_port\":80,\"container_port\":80,\"proto\":\"tcp\","
			    "\"host_ip\":\"0.0.0.0\"}]");
}

/* Behaviour: records as the kernel fills them. */

struct rec {
	struct bh_test_rec raw;
	struct bh_event ev;
};

static struct bh_hdr *rec_new(struct rec *r, unsigned int type, const char *exe,
			      const struct bh_str *tail, int n)
{
	struct bh_hdr *h = bh_test_record(
		&r->raw, type, (struct bh_str){ .ptr = exe, .len = strlen(exe) }, tail, n);

	h->ts_ns = 100 * SEC;
	h->cgroup_id = 4242;
	h->pid = h->tgid = 77;
	h->ppid = 1;
	h->uid = h->euid = 0;
	h->cap_effective = 0xa80425fbULL; /* docker's default set */
	h->net_ns = 4026532300u;
	memcpy(h->comm, "app", 4);
	return h;
}

static void feed(struct ctx *t, struct rec *r, const struct bh_container *c)
{
	assert_int_equal(bh_event_decode(r->raw.buf, r->raw.size, &r->ev), 0);
	bh_rules_on_event(t->r, &r->ev, c, collect, &t->s);
}

static struct bh_connect *mk_connect(struct rec *r, const char *exe, const char *peer,
				     const char *path)
{
	struct bh_str tail[2] = { { peer, strlen(peer) }, { path, strlen(path) } };
	struct bh_connect *cn = (struct bh_connect *)rec_new(r, BH_EV_CONNECT, exe, tail, 2);

	cn->family = AF_UNIX;
	cn->sock_type = SOCK_STREAM;
	cn->fd = 3;
	return cn;
}

static void test_socket_access(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	mk_connect(&r, "/usr/bin/docker", "/var/run/docker.sock", "/s");
	feed(t, &r, &t->c);
	f = only(&t->s, "docker-socket-access");
	assert_string_equal(jstr(f, "severity"), "critical");
	assert_string_equal(jstr(f, "container.id"), ID_DEF);
	assert_string_equal(jstr(f, "evidence.peer_path"), "/var/run/docker.sock");
	assert_string_equal(jstr(f, "evidence.path"), "/s");
	assert_string_equal(jstr(f, "process.exe"), "/usr/bin/docker");
	assert_string_equal(jstr(f, "event"), "connect");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "count")), 1);
	sink_clear(&t->s);

	/* a rootless podman socket, by glob */
	mk_connect(&r, "/bin/curl", "/run/user/1000/podman/podman.sock", "/p");
	feed(t, &r, &t->c);
	only(&t->s, "docker-socket-access");
	sink_clear(&t->s);

	/* not a runtime socket; refused; a host process; bulkhead itself */
	mk_connect(&r, "/bin/app", "/run/app/app.sock", "/run/app/app.sock");
	feed(t, &r, &t->c);
	mk_connect(&r, "/bin/app2", "/var/run/docker.sock", "/s")->hdr.ret = -ECONNREFUSED;
	feed(t, &r, &t->c);
	mk_connect(&r, "/usr/bin/docker", "/var/run/docker.sock", "/var/run/docker.sock");
	feed(t, &r, NULL);
	mk_connect(&r, "/usr/bin/bulkhead", "/var/run/docker.sock", "/s")->hdr.cgroup_id = 999;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	/* EINPROGRESS is a connection under way */
	mk_connect(&r, "/bin/app3", "/run/containerd/containerd.sock", "/c")->hdr.ret =
		-EINPROGRESS;
	feed(t, &r, &t->c);
	only(&t->s, "docker-socket-access");
}

/* Repeats within the window are counted and reported with the first one after it. */
static void test_dedup(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	for (int i = 0; i < 4; i++) {
		mk_connect(&r, "/usr/bin/docker", "/var/run/docker.sock", "/s")->hdr.ts_ns =
			(100 + (unsigned)i * 10) * SEC;
		feed(t, &r, &t->c);
	}
	assert_int_equal(t->s.n, 1);
	/* another exe is another finding */
	mk_connect(&r, "/bin/nc", "/var/run/docker.sock", "/s")->hdr.ts_ns = 131 * SEC;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 2);
	sink_clear(&t->s);
	/* 60 s after the first: reported with the 3 folded events plus itself */
	mk_connect(&r, "/usr/bin/docker", "/var/run/docker.sock", "/s")->hdr.ts_ns = 160 * SEC;
	feed(t, &r, &t->c);
	f = only(&t->s, "docker-socket-access");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "count")), 4);
	sink_clear(&t->s);
	mk_connect(&r, "/usr/bin/docker", "/var/run/docker.sock", "/s")->hdr.ts_ns = 161 * SEC;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	/* forgetting the container ends its windows */
	bh_rules_forget_container(t->r, t->c.id);
	feed(t, &r, &t->c);
	f = only(&t->s, "docker-socket-access");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "count")), 1);
}

static int setup_policy(void **state)
{
	return setup_with(state, "rules:\n"
				 "  dangerous-capability: { severity: critical }\n"
				 "  ssh-daemon-in-container: { enabled: false }\n"
				 "allow:\n"
				 "  - rules: [docker-socket-mount, docker-socket-access]\n"
				 "    container_name: \"portainer*\"\n"
				 "  - exe: /usr/bin/dockerd\n"
				 "    rules: [daemon-tcp-without-tls]\n"
				 "allowed_ports:\n"
				 "  - image: \"local/busy*\"\n"
				 "    ports: [8080]\n"
				 "dedup_window_seconds: 5\n");
}

static void test_policy_effects(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	struct rec r;
	struct bh_capset *cs;

	load_oci(&t->c, "oci-docker-flags.json", ID_A);
	free(t->c.name);
	t->c.name = strdup("/portainer-1");
	config(t);
	assert_false(has_rule(&t->s, "docker-socket-mount"));
	/* severity override */
	f = only(&t->s, "dangerous-capability");
	assert_string_equal(jstr(f, "severity"), "critical");
	sink_clear(&t->s);
	mk_connect(&r, "/usr/bin/docker", "/var/run/docker.sock", "/s");
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	/* the exemption is scoped to its rules */
	cs = (struct bh_capset *)rec_new(&r, BH_EV_CAPSET, "/bin/app", NULL, 0);
	cs->before_known = 1;
	cs->effective_before = 0xa80425fbULL;
	cs->effective = cs->effective_before | CAP(19);
	feed(t, &r, &t->c);
	f = only(&t->s, "dangerous-capability");
	assert_string_equal(jstr(f, "severity"), "critical");
	sink_clear(&t->s);

	/* another container is not exempt; the 5 s window from the policy applies */
	free(t->c.name);
	t->c.name = strdup("/web");
	snprintf(t->c.id, sizeof(t->c.id), "%064d", 7);
	mk_connect(&r, "/usr/bin/docker", "/var/run/docker.sock", "/s");
	feed(t, &r, &t->c);
	only(&t->s, "docker-socket-access");
	mk_connect(&r, "/usr/bin/docker", "/var/run/docker.sock", "/s")->hdr.ts_ns = 105 * SEC;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 2);
}

static struct bh_exec *mk_exec(struct rec *r, const char *exe, const char *filename,
			       const char *args, size_t args_len)
{
	struct bh_str tail[2] = { { filename, strlen(filename) }, { args, args_len } };
	struct bh_exec *e = (struct bh_exec *)rec_new(r, BH_EV_EXEC, exe, tail, 2);

	e->seccomp_mode = BH_SECCOMP_FILTER;
	e->before_valid = 1;
	e->cap_effective_before = e->hdr.cap_effective;
	e->cap_permitted = e->hdr.cap_effective;
	e->argc = 1;
	return e;
}

/* The advisory rules, enabled by the policy: what each reads of the configuration. */
static int setup_advisory(void **state)
{
	return setup_with(state, "rules:\n"
				 "  readonly-rootfs-missing: {enabled: true}\n"
				 "  memory-limit-missing: {enabled: true}\n"
				 "  pids-limit-missing: {enabled: true}\n"
				 "  cpu-shares-missing: {enabled: true}\n"
				 "  container-runs-as-root: {enabled: true}\n"
				 "  host-user-namespace: {enabled: true}\n"
				 "  port-all-interfaces: {enabled: true}\n"
				 "  restart-policy-unbounded: {enabled: true}\n"
				 "  healthcheck-missing: {enabled: true}\n");
}

static void test_advisory(void **state)
{
	static const char *const plain_run[] = {
		"no-new-privileges-missing", "readonly-rootfs-missing", "memory-limit-missing",
		"pids-limit-missing",	     "cpu-shares-missing",	"container-runs-as-root",
		"host-user-namespace",
	};
	struct ctx *t = *state;
	struct bh_container_config *cfg = &t->c.config;
	struct json_object *f;

	/* a bundle says nothing of health checks and restarts: not judged (N/A in the audit) */
	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	config(t);
	assert_int_equal(t->s.n, sizeof(plain_run) / sizeof(plain_run[0]));
	for (size_t i = 0; i < sizeof(plain_run) / sizeof(plain_run[0]); i++)
		assert_true(has_rule(&t->s, plain_run[i]));
	/* each practice followed: quiet but for the user namespace, the daemon's choice */
	bh_rules_forget_container(t->r, t->c.id);
	cfg->no_new_privileges = cfg->readonly_rootfs = true;
	cfg->memory_limit = 64 << 20;
	cfg->pids_limit = 64;
	cfg->cpu_shares = 512;
	cfg->uid = 1000;
	cfg->healthcheck = BH_YES;
	assert_int_equal(bh_set_str(&cfg->restart_policy, "on-failure"), 0);
	cfg->restart_max_retries = 5;
	config(t);
	only(&t->s, "host-user-namespace");
	assert_int_equal(t->s.n, 1);
	/* 1024 is the kernel's default weight; always restarts without a bound */
	bh_rules_forget_container(t->r, t->c.id);
	cfg->cpu_shares = 1024;
	cfg->healthcheck = BH_NO;
	assert_int_equal(bh_set_str(&cfg->restart_policy, "always"), 0);
	config(t);
	assert_true(has_rule(&t->s, "cpu-shares-missing"));
	assert_true(has_rule(&t->s, "healthcheck-missing"));
	f = only(&t->s, "restart-policy-unbounded");
	assert_string_equal(jstr(f, "evidence.restart_policy"), "always");
	assert_true(arr_has(f, "compliance.cis", "5.15"));
}

/* Devices, the cgroup parent and ports on every interface, as a bundle and the API say. */
static void test_devices_cgroup_ports(void **state)
{
	struct ctx *t = *state;
	struct bh_container_config *cfg = &t->c.config;
	struct json_object *f;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	cfg->no_new_privileges = true;
	cfg->devices = calloc(1, sizeof(*cfg->devices));
	assert_non_null(cfg->devices);
	cfg->devices[0] = strdup("/dev/fuse");
	cfg->n_devices = 1;
	assert_int_equal(bh_set_str(&cfg->cgroups_path, "/custom.slice/" ID_DEF), 0);
	config(t);
	f = only(&t->s, "host-device-exposed");
	assert_true(arr_has(f, "evidence.devices", "/dev/fuse"));
	f = only(&t->s, "cgroup-parent-custom");
	assert_string_equal(jstr(f, "severity"), "medium");
	/* the runtimes' own trees: docker's (both drivers), kubepods, containerd's namespace */
	static const char *const own[] = { "/docker/" ID_DEF, "system.slice:docker:" ID_DEF,
					   "kubepods-besteffort-pod1.slice:cri-containerd:" ID_DEF,
					   "/kubepods/burstable/pod1/" ID_DEF, "/k8s.io/" ID_DEF };
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		bh_rules_forget_container(t->r, t->c.id);
		t->c.runtime = i == 4 ? "containerd" : "docker";
		assert_int_equal(bh_set_str(&cfg->cgroups_path, own[i]), 0);
		config(t);
		assert_false(has_rule(&t->s, "cgroup-parent-custom"));
	}
	/* the API's --cgroup-parent wins over a path that looks like the runtime's */
	bh_rules_forget_container(t->r, t->c.id);
	assert_int_equal(bh_set_str(&cfg->cgroup_parent, "/docker"), 0);
	config(t);
	only(&t->s, "cgroup-parent-custom");
}

/* An exec that ends the runtime's set-up (docker exec) beyond the container's spec. */
static void test_exec_beyond_config(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	struct bh_exec *e;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	t->c.config.uid = 1000;
	/* the container's first program: its configured user and caps */
	e = mk_exec(&r, "/bin/sh", "/bin/sh", "sh", 2);
	e->hdr.uid = e->hdr.euid = 1000;
	e->hdr.cap_effective = 0;
	e->hdr.flags = BH_HDR_SETUP_END;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	/* docker exec --privileged: every capability */
	e = mk_exec(&r, "/bin/sh", "/bin/sh", "sh", 2);
	e->hdr.uid = e->hdr.euid = 1000;
	e->hdr.cap_effective = (1ULL << 41) - 1;
	e->hdr.flags = BH_HDR_SETUP_END;
	feed(t, &r, &t->c);
	f = only(&t->s, "exec-beyond-config");
	assert_true(arr_has(f, "evidence.caps_beyond_config", "CAP_SYS_ADMIN"));
	sink_clear(&t->s);
	/* the same credentials later in the session (no set-up ended): not an exec's start */
	e = mk_exec(&r, "/bin/id", "/bin/id", "id", 2);
	e->hdr.uid = 0;
	feed(t, &r, &t->c);
	assert_false(has_rule(&t->s, "exec-beyond-config"));
}

static void test_setuid(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	struct bh_exec *e;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	/* root running a program: nothing changes */
	mk_exec(&r, "/bin/ls", "/bin/ls", "ls\0-l", 5);
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	/* uid 1000 runs a setuid-root binary */
	e = mk_exec(&r, "/usr/bin/passwd", "/usr/bin/passwd", "passwd", 6);
	e->hdr.uid = e->uid_before = e->euid_before = 1000;
	e->hdr.euid = 0;
	e->cap_effective_before = 0;
	e->secureexec = 1;
	feed(t, &r, &t->c);
	f = only(&t->s, "setuid-escalation");
	assert_string_equal(jstr(f, "severity"), "high");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "evidence.euid")), 0);
	assert_int_equal(json_object_get_int(bh_test_jget(f, "evidence.uid")), 1000);
	assert_true(arr_has(f, "evidence.caps_gained", "CAP_SETUID"));
	assert_string_equal(bh_test_jtext(f, "process.args"), "[\"passwd\"]");
	assert_string_equal(jstr(f, "event"), "exec");
	/* its caps are docker's defaults: not dangerous */
	assert_false(has_rule(&t->s, "dangerous-capability"));
	sink_clear(&t->s);
	/* a file capability granting SYS_ADMIN to uid 1000 */
	e = mk_exec(&r, "/usr/bin/tool", "/usr/bin/tool", "tool", 4);
	e->hdr.uid = e->hdr.euid = e->uid_before = e->euid_before = 1000;
	e->cap_effective_before = 0;
	e->hdr.cap_effective = CAP(21);
	feed(t, &r, &t->c);
	only(&t->s, "setuid-escalation");
	f = only(&t->s, "dangerous-capability");
	assert_string_equal(bh_test_jtext(f, "evidence.caps_gained"), "[\"CAP_SYS_ADMIN\"]");
}

static void test_capset(void **state)
{
	struct ctx *t = *state;
	struct bh_capset *cs;
	struct json_object *f;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	cs = (struct bh_capset *)rec_new(&r, BH_EV_CAPSET, "/bin/app", NULL, 0);
	cs->before_known = 1;
	cs->effective_before = 0xa80425fbULL;
	cs->effective = cs->effective_before & ~CAP(13); /* drop NET_RAW */
	feed(t, &r, &t->c);
	cs->effective = cs->effective_before | CAP(0); /* CHOWN: not dangerous */
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	cs->effective = cs->effective_before | CAP(21) | CAP(12);
	feed(t, &r, &t->c);
	f = only(&t->s, "dangerous-capability");
	assert_string_equal(bh_test_jtext(f, "evidence.caps_gained"),
			    "[\"CAP_NET_ADMIN\",\"CAP_SYS_ADMIN\"]");
	assert_string_equal(jstr(f, "event"), "capset");
	sink_clear(&t->s);

	/* a thread not seen before: judged against the configured effective set */
	cs = (struct bh_capset *)rec_new(&r, BH_EV_CAPSET, "/bin/old-app", NULL, 0);
	cs->effective = t->c.config.cap_effective;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	cs->effective = t->c.config.cap_effective | CAP(21);
	feed(t, &r, &t->c);
	f = only(&t->s, "dangerous-capability");
	assert_string_equal(bh_test_jtext(f, "evidence.caps_gained"), "[\"CAP_SYS_ADMIN\"]");
	assert_string_not_equal(bh_test_jtext(f, "evidence.configured_effective"), "<absent>");
}

static void test_ssh(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	struct bh_sock *s;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	mk_exec(&r, "/bin/sh", "/bin/sh", "sh", 2);
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	mk_exec(&r, "/usr/sbin/sshd", "/usr/sbin/sshd", "/usr/sbin/sshd\0-D", 17);
	feed(t, &r, &t->c);
	f = only(&t->s, "ssh-daemon-in-container");
	assert_string_equal(jstr(f, "severity"), "medium");
	assert_string_equal(bh_test_jtext(f, "process.args"), "[\"/usr/sbin/sshd\",\"-D\"]");
	sink_clear(&t->s);
	/* a renamed sshd is caught listening on 22 */
	s = (struct bh_sock *)rec_new(&r, BH_EV_LISTEN, "/usr/bin/web", NULL, 0);
	s->family = AF_INET;
	s->port = 22;
	feed(t, &r, &t->c);
	f = only(&t->s, "ssh-daemon-in-container");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "evidence.port")), 22);
	assert_string_equal(jstr(f, "event"), "listen");
	/* a host sshd is the host's business */
	sink_clear(&t->s);
	mk_exec(&r, "/usr/sbin/sshd", "/usr/sbin/sshd", "sshd", 4);
	feed(t, &r, NULL);
	assert_int_equal(t->s.n, 0);
}

static struct bh_sock *mk_sock(struct rec *r, unsigned int type, const char *exe, __u16 port)
{
	struct bh_sock *s = (struct bh_sock *)rec_new(r, type, exe, NULL, 0);

	s->family = AF_INET;
	s->sock_type = SOCK_STREAM;
	s->port = port;
	return s;
}

static void test_privileged_port_behaviour(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	struct bh_sock *s;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	/* in its own network namespace a container may bind 80 */
	mk_sock(&r, BH_EV_BIND, "/usr/sbin/nginx", 80);
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	s = mk_sock(&r, BH_EV_BIND, "/usr/sbin/nginx", 80);
	s->hdr.net_ns = HOST_NET_NS;
	feed(t, &r, &t->c);
	f = only(&t->s, "privileged-port-binding");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "evidence.port")), 80);
	assert_string_equal(jstr(f, "event"), "bind");
	sink_clear(&t->s);
	s = mk_sock(&r, BH_EV_BIND, "/usr/sbin/nginx", 8080);
	s->hdr.net_ns = HOST_NET_NS;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
}

static void test_docker_proxy(void **state)
{
	static const char args80[] = "/usr/bin/docker-proxy\0-proto\0tcp\0-host-ip\0"
				     "0.0.0.0\0-host-port\0080\0-container-ip\0"
				     "172.17.0.2\0-container-port\080";
	static const char args8080[] = "/usr/bin/docker-proxy\0-proto\0tcp\0-host-port\0"
				       "8080\0-container-port\080";
	struct ctx *t = *state;
	struct json_object *f;
	struct rec r;

	mk_exec(&r, "/usr/bin/docker-proxy", "/usr/bin/docker-proxy", args8080,
		sizeof(args8080) - 1);
	feed(t, &r, NULL);
	assert_int_equal(t->s.n, 0);
	mk_exec(&r, "/usr/bin/docker-proxy", "/usr/bin/docker-proxy", args80, sizeof(args80) - 1);
	feed(t, &r, NULL);
	f = only(&t->s, "privileged-port-binding");
	assert_null(bh_test_jget(f, "container"));
	assert_int_equal(json_object_get_int(bh_test_jget(f, "evidence.host_port")), 80);
	assert_string_equal(jstr(f, "evidence.container_ip"), "172.17.0.2");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "evidence.container_port")), 80);
}

static void test_unexpected_port(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	struct bh_sock *s;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	t->c.config.exposed_ports = calloc(1, sizeof(char *));
	assert_non_null(t->c.config.exposed_ports);
	t->c.config.exposed_ports[0] = strdup("80/tcp");
	t->c.config.n_exposed_ports = 1;
	mk_sock(&r, BH_EV_LISTEN, "/usr/sbin/httpd", 80);
	feed(t, &r, &t->c);
	s = mk_sock(&r, BH_EV_LISTEN, "/usr/sbin/debug", 9999);
	s->addr[0] = 127; /* loopback is not reachable from outside */
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	s = mk_sock(&r, BH_EV_LISTEN, "/usr/sbin/debug", 9999);
	s->family = AF_INET6;
	feed(t, &r, &t->c);
	f = only(&t->s, "unexpected-listening-port");
	assert_string_equal(jstr(f, "severity"), "low");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "evidence.port")), 9999);
	assert_string_equal(jstr(f, "evidence.family"), "inet6");
}

/* The image's port in allowed_ports is expected. */
static void test_allowed_port(void **state)
{
	struct ctx *t = *state;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	mk_sock(&r, BH_EV_LISTEN, "/usr/sbin/httpd", 8080);
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	mk_sock(&r, BH_EV_LISTEN, "/usr/sbin/httpd", 8081);
	feed(t, &r, &t->c);
	only(&t->s, "unexpected-listening-port");
}

static void test_seccomp_behaviour(void **state)
{
	struct ctx *t = *state;
	struct bh_exec *e;
	struct json_object *f;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	mk_exec(&r, "/bin/sh", "/bin/sh", "sh", 2);
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	/* runc re-executing its clone, before it applies the profile: the kernel's mark */
	e = mk_exec(&r, "/", "/dev/fd/6", "runc", 2);
	e->seccomp_mode = BH_SECCOMP_DISABLED;
	e->hdr.flags = BH_HDR_RUNTIME_SETUP;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	e = mk_exec(&r, "/bin/sh", "/bin/sh", "sh", 2);
	e->seccomp_mode = BH_SECCOMP_DISABLED;
	feed(t, &r, &t->c);
	f = only(&t->s, "security-profile-disabled");
	assert_string_equal(jstr(f, "evidence.seccomp_mode"), "disabled");
	sink_clear(&t->s);
	/* once per container, whatever the exe */
	e = mk_exec(&r, "/bin/ls", "/bin/ls", "ls", 2);
	e->seccomp_mode = BH_SECCOMP_DISABLED;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);

	/* a container whose config already said so is not reported twice */
	load_oci(&t->c, "oci-docker-flags.json", ID_B);
	config(t);
	only(&t->s, "security-profile-disabled");
	sink_clear(&t->s);
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
}

static void test_setns(void **state)
{
	struct ctx *t = *state;
	struct bh_setns *s;
	struct json_object *f;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	s = (struct bh_setns *)rec_new(&r, BH_EV_SETNS, "/usr/bin/nsenter", NULL, 0);
	s->nstype = 0;
	s->ns_after[BH_NS_NET] = 4026532400u;
	s->entered_mask = 1u << BH_NS_NET;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	s->ns_after[BH_NS_NET] = s->host_ns[BH_NS_NET] = HOST_NET_NS;
	s->host_mask = 1u << BH_NS_NET;
	feed(t, &r, &t->c);
	f = only(&t->s, "host-namespace-shared");
	assert_string_equal(jstr(f, "severity"), "critical");
	assert_string_equal(bh_test_jtext(f, "evidence.entered_host"),
			    "[{\"type\":\"net\",\"inode\":4026531840,\"host_inode\":4026531840}]");
	sink_clear(&t->s);

	/* the host's user namespace, which the container shares by its configuration */
	s->ns_after[BH_NS_USER] = s->host_ns[BH_NS_USER] = 4026531837u;
	s->entered_mask = s->host_mask = 1u << BH_NS_USER;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
}

static void test_daemon_tcp(void **state)
{
	static const char insecure[] = "dockerd\0-H\0unix:///var/run/docker.sock\0-H\0"
				       "tcp://0.0.0.0:2375";
	static const char tls[] = "dockerd\0--host=tcp://0.0.0.0:2376\0--tlsverify\0"
				  "--tlscacert=/ca.pem";
	struct ctx *t = *state;
	struct json_object *f;
	struct bh_sock *s;
	struct rec r;

	mk_exec(&r, "/usr/sbin/dockerd", "/usr/sbin/dockerd", tls, sizeof(tls) - 1);
	feed(t, &r, NULL);
	mk_exec(&r, "/usr/sbin/dockerd", "/usr/sbin/dockerd", "dockerd", 7);
	feed(t, &r, NULL);
	/* dockerd's embedded DNS in a container network, and its TLS port */
	s = mk_sock(&r, BH_EV_LISTEN, "/usr/sbin/dockerd", 40123);
	memcpy(s->addr, "\x7f\x00\x00\x0b", 4);
	feed(t, &r, NULL);
	mk_sock(&r, BH_EV_LISTEN, "/usr/sbin/dockerd", 2376);
	feed(t, &r, NULL);
	assert_int_equal(t->s.n, 0);

	/* a host process, here in bulkhead's own cgroup (a shell, a sandbox's root cgroup) */
	mk_exec(&r, "/usr/sbin/dockerd", "/usr/sbin/dockerd", insecure, sizeof(insecure) - 1)
		->hdr.cgroup_id = 999;
	feed(t, &r, NULL);
	f = only(&t->s, "daemon-tcp-without-tls");
	assert_string_equal(jstr(f, "severity"), "critical");
	assert_null(bh_test_jget(f, "container"));
	assert_string_equal(jstr(f, "evidence.host"), "tcp://0.0.0.0:2375");
	assert_true(strstr(jstr(f, "summary"), "A host process") == jstr(f, "summary"));
	sink_clear(&t->s);
	mk_sock(&r, BH_EV_LISTEN, "/usr/bin/socat", 2375);
	feed(t, &r, NULL);
	f = only(&t->s, "daemon-tcp-without-tls");
	assert_int_equal(json_object_get_int(bh_test_jget(f, "evidence.port")), 2375);
	sink_clear(&t->s);
	mk_sock(&r, BH_EV_LISTEN, "/usr/sbin/dockerd", 4243);
	feed(t, &r, NULL);
	only(&t->s, "daemon-tcp-without-tls");
}

/* The allow entry for /usr/bin/dockerd covers only that exe. */
static void test_daemon_allowed(void **state)
{
	struct ctx *t = *state;
	struct rec r;

	mk_sock(&r, BH_EV_LISTEN, "/usr/bin/dockerd", 2375);
	feed(t, &r, NULL);
	assert_int_equal(t->s.n, 0);
	mk_sock(&r, BH_EV_LISTEN, "/usr/sbin/dockerd", 2375);
	feed(t, &r, NULL);
	only(&t->s, "daemon-tcp-without-tls");
}

static struct bh_mount *mk_mount(struct rec *r, const char *exe, unsigned int call, const char *src,
				 const char *dst, const char *fstype, __u64 flags)
{
	struct bh_str tail[3] = { { src, strlen(src) },
				  { dst, strlen(dst) },
				  { fstype, strlen(fstype) } };
	struct bh_mount *m = (struct bh_mount *)rec_new(r, BH_EV_MOUNT, exe, tail, 3);

	m->call = call;
	m->flags = flags;
	m->from_dfd = m->to_dfd = -100;
	return m;
}

static void test_mounts_behaviour(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	mk_mount(&r, "/bin/busybox", BH_MOUNT_MOUNT, "tmpfs", "/mnt", "tmpfs", 0);
	feed(t, &r, &t->c);
	mk_mount(&r, "/bin/busybox", BH_MOUNT_MOUNT, "/srv", "/mnt", "", MS_BIND);
	feed(t, &r, &t->c);
	mk_mount(&r, "/bin/busybox", BH_MOUNT_MOUNT, "proc", "/proc", "proc", 0)->hdr.ret = -EPERM;
	feed(t, &r, &t->c);
	/* records the kernel marks as the runtime's set-up, whatever the exe */
	mk_mount(&r, "/", BH_MOUNT_MOUNT, "proc", "/proc/self/fd/6", "proc", 0)->hdr.flags =
		BH_HDR_RUNTIME_SETUP;
	feed(t, &r, &t->c);
	mk_mount(&r, "/memfd:runc_cloned:/proc/self/exe (deleted)", BH_MOUNT_MOUNT, "", "/", "",
		 MS_SHARED | MS_REC)
		->hdr.flags = BH_HDR_RUNTIME_SETUP;
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
	/* an unmarked record is the workload's, even one that looks like runc's */
	memcpy(mk_mount(&r, "/usr/bin/runc", BH_MOUNT_MOUNT, "proc", "/p", "proc", 0)->hdr.comm,
	       "runc:[2:INIT]", 14);
	feed(t, &r, &t->c);
	only(&t->s, "mount-in-container");
	sink_clear(&t->s);

	mk_mount(&r, "/bin/busybox", BH_MOUNT_MOUNT, "cgroup", "/sys/fs/cgroup/x", "cgroup2", 0);
	feed(t, &r, &t->c);
	f = only(&t->s, "mount-in-container");
	assert_string_equal(jstr(f, "evidence.fstype"), "cgroup2");
	assert_string_equal(jstr(f, "event"), "mount");
	sink_clear(&t->s);
	mk_mount(&r, "/bin/busybox", BH_MOUNT_MOUNT, "/dev/sda1", "/mnt", "ext4", 0);
	feed(t, &r, &t->c);
	mk_mount(&r, "/bin/busybox", BH_MOUNT_MOUNT, "/etc/../", "/m2", "", MS_BIND | MS_REC);
	feed(t, &r, &t->c);
	mk_mount(&r, "/bin/busybox", BH_MOUNT_MOVE_MOUNT, "", "/m3", "", 4);
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 3);
	assert_string_equal(jstr(t->s.lines[0], "evidence.reason"), "mounted a block device");
	assert_string_equal(jstr(t->s.lines[1], "evidence.reason"), "bind-mounted /");
	assert_string_equal(jstr(t->s.lines[2], "evidence.call"), "move_mount");
	sink_clear(&t->s);

	mk_mount(&r, "/bin/busybox", BH_MOUNT_MOUNT, "", "/mnt", "", MS_SHARED);
	feed(t, &r, &t->c);
	f = only(&t->s, "shared-mount-propagation");
	assert_string_equal(jstr(f, "evidence.target"), "/mnt");
	assert_false(has_rule(&t->s, "mount-in-container"));
	/* a host process mounting is the host's business */
	sink_clear(&t->s);
	mk_mount(&r, "/bin/mount", BH_MOUNT_MOUNT, "proc", "/proc", "proc", 0);
	feed(t, &r, NULL);
	assert_int_equal(t->s.n, 0);
}

static int setup_disabled(void **state)
{
	return setup_with(state, "rules:\n"
				 "  no-new-privileges-missing: { enabled: false }\n"
				 "  mount-in-container: { enabled: false }\n");
}

static void test_disabled_rules(void **state)
{
	struct ctx *t = *state;
	struct rec r;

	load_oci(&t->c, "oci-docker-default.json", ID_DEF);
	config(t);
	assert_int_equal(t->s.n, 0);
	mk_mount(&r, "/bin/busybox", BH_MOUNT_MOUNT, "proc", "/p", "proc", 0);
	feed(t, &r, &t->c);
	assert_int_equal(t->s.n, 0);
}

/* The catalogue: every rule listed, ids resolve both ways. */
static void test_catalogue(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int lines = 0;

	(void)state;
	for (int i = 0; i < BH_RULE_COUNT; i++) {
		const struct bh_rule_info *ri = &bh_rule_catalogue[i];

		assert_int_equal(bh_rule_lookup(bh_rule_id_name((unsigned)i)), i);
		/* every rule carries its CIS control and ATT&CK technique ids */
		assert_true(ri->cis && ri->cis[0] >= '1' && ri->cis[0] <= '9');
		assert_true(ri->attack && ri->attack[0] == 'T');
	}
	assert_int_equal(bh_rule_lookup("no-such-rule"), -ENOENT);
	assert_int_equal(bh_severity_lookup("critical"), BH_SEV_CRITICAL);
	assert_int_equal(bh_severity_lookup("urgent"), -EINVAL);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	bh_rules_list(f, true);
	fclose(f);
	for (char *p = text, *nl; (nl = strchr(p, '\n')); p = nl + 1, lines++) {
		struct json_object *o = bh_test_parse(p, (size_t)(nl - p));

		assert_non_null(o);
		assert_int_equal(bh_rule_lookup(jstr(o, "rule")), lines);
		json_object_put(o);
	}
	assert_int_equal(lines, BH_RULE_COUNT);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docker_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardened, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_namespaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_containerd_cri, setup, teardown),
		cmocka_unit_test_setup_teardown(test_podman_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privileged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privileged_equivalent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sensitive_mounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_dir_mount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mount_host_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_effects, setup_policy, teardown),
		cmocka_unit_test_setup_teardown(test_setuid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ssh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privileged_port_behaviour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_proxy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unexpected_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_port, setup_policy, teardown),
		cmocka_unit_test_setup_teardown(test_seccomp_behaviour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_allowed, setup_policy, teardown),
		cmocka_unit_test_setup_teardown(test_mounts_behaviour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_rules, setup_disabled, teardown),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test_setup_teardown(test_advisory, setup_advisory, teardown),
		cmocka_unit_test_setup_teardown(test_devices_cgroup_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_beyond_config, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
