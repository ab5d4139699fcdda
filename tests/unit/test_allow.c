// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_allow.c - allow entries through the rules engine: the built-in baseline on
 * system-component-shaped containers (namespace AND repository), entries limited by
 * evidence and pod labels, expiry, the accept action and the hit counters; and the
 * evidence matchers alone on evidence objects as the rules write them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "container/container.h"
#include "core/log.h"
#include "helpers.h"
#include "rules/policy.h"
#include "rules/rules.h"

#define MAX_LINES 16

struct sink {
	struct json_object *lines[MAX_LINES];
	int n;
};

static void collect(const char *line, size_t len, void *ctx)
{
	struct sink *s = ctx;

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

static struct json_object *line_of(struct sink *s, const char *rule)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(json_object_get_string(bh_test_jget(s->lines[i], "rule")), rule))
			return s->lines[i];
	return NULL;
}

struct ctx {
	struct bh_rules *r;
	struct bh_policy *p;
	struct sink s;
	struct bh_mount_spec mounts[4];
	struct bh_container c;
	int serial; /* a new container id per judgement */
};

/* A privileged, host-network container with a writable /run/xtables.lock: kube-proxy's shape. */
static void kube_proxy_shape(struct ctx *t, const char *ns, const char *image)
{
	memset(&t->c, 0, sizeof(t->c));
	memset(t->mounts, 0, sizeof(t->mounts));
	t->mounts[0] = (struct bh_mount_spec){ .source = "/run/xtables.lock",
					       .destination = "/run/xtables.lock",
					       .bind = true };
	t->c.runtime = "containerd";
	t->c.name = "kube-proxy";
	t->c.pod_name = "kube-proxy-x7k2p";
	t->c.pod_namespace = (char *)ns;
	t->c.image = (char *)image;
	t->c.config.known = true;
	t->c.config.privileged = true;
	t->c.config.host_ns[BH_NS_NET] = true;
	t->c.config.mounts = t->mounts;
	t->c.config.n_mounts = 1;
}

/* The configuration findings of t->c, as a newly seen container. */
static void judge(struct ctx *t)
{
	snprintf(t->c.id, sizeof(t->c.id), "%064d", ++t->serial);
	sink_clear(&t->s);
	bh_rules_on_container(t->r, &t->c, collect, &t->s);
}

static int setup_with(void **state, const char *policy_yaml)
{
	struct bh_rules_opts opts = { 0 };
	struct ctx *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	if (policy_yaml)
		assert_int_equal(bh_policy_parse("test", policy_yaml, strlen(policy_yaml), &t->p),
				 0);
	opts.policy = t->p;
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
	free(t);
	return 0;
}

/* The built-in baseline: kube-proxy in kube-system is quiet, nowhere else. */
static void test_baseline_kube_proxy(void **state)
{
	struct ctx *t = *state;

	kube_proxy_shape(t, "kube-system", "registry.k8s.io/kube-proxy:v1.29.2");
	judge(t);
	assert_int_equal(t->s.n, 0);
	/* a digest instead of a tag is the same repository */
	kube_proxy_shape(t, "kube-system", "registry.k8s.io/kube-proxy@sha256:0123abcd");
	judge(t);
	assert_int_equal(t->s.n, 0);

	/* the same image in another namespace: every finding of its shape */
	kube_proxy_shape(t, "default", "registry.k8s.io/kube-proxy:v1.29.2");
	judge(t);
	assert_non_null(line_of(&t->s, "privileged-container"));
	assert_non_null(line_of(&t->s, "host-namespace-shared"));
	assert_non_null(line_of(&t->s, "sensitive-mount-writable"));
	/* another image in kube-system, and a look-alike repository */
	kube_proxy_shape(t, "kube-system", "docker.io/library/busybox:1");
	judge(t);
	assert_non_null(line_of(&t->s, "privileged-container"));
	kube_proxy_shape(t, "kube-system", "registry.k8s.io/kube-proxy-evil:v1");
	judge(t);
	assert_non_null(line_of(&t->s, "privileged-container"));
}

/* Exactly what the job needs: another host namespace or another mount still fires. */
static void test_baseline_evidence(void **state)
{
	struct ctx *t = *state;
	struct json_object *f;

	kube_proxy_shape(t, "kube-system", "registry.k8s.io/kube-proxy:v1.29.2");
	t->c.config.host_ns[BH_NS_PID] = true;
	t->mounts[1] = (struct bh_mount_spec){ .source = "/etc",
					       .destination = "/host-etc",
					       .bind = true };
	t->c.config.n_mounts = 2;
	judge(t);
	assert_int_equal(t->s.n, 2);
	f = line_of(&t->s, "host-namespace-shared");
	assert_non_null(f);
	assert_string_equal(bh_test_jtext(f, "evidence.namespaces"), "[\"pid\",\"net\"]");
	f = line_of(&t->s, "sensitive-mount-writable");
	assert_non_null(f);
	assert_string_equal(bh_test_jtext(f, "severity"), "\"high\"");
	assert_null(bh_test_jget(f, "accepted"));
}

/* calico/node written without a registry is docker.io's; kube-system and calico-system. */
static void test_repository_normalized(void **state)
{
	struct ctx *t = *state;
	char repo[128];

	bh_image_repository("calico/node:v3.27.0", repo, sizeof(repo));
	assert_string_equal(repo, "docker.io/calico/node");
	bh_image_repository("busybox", repo, sizeof(repo));
	assert_string_equal(repo, "docker.io/library/busybox");
	bh_image_repository("localhost:5000/x/y:1@sha256:ab", repo, sizeof(repo));
	assert_string_equal(repo, "localhost:5000/x/y");
	bh_image_repository("localhost/y:1", repo, sizeof(repo));
	assert_string_equal(repo, "localhost/y");

	kube_proxy_shape(t, "calico-system", "calico/node:v3.27.0");
	t->mounts[0].source = "/var/run/calico";
	judge(t);
	assert_int_equal(t->s.n, 0);
}

static int setup_narrow(void **state)
{
	return setup_with(state, "baseline: false\n"
				 "allow:\n"
				 "  - id: web-pid\n"
				 "    reason: the debugger sidecar\n"
				 "    rules: [host-namespace-shared]\n"
				 "    labels: { app: web, tier: \"front*\" }\n"
				 "    host_namespaces: [pid]\n"
				 "  - id: web-privileged\n"
				 "    reason: being migrated off privileged\n"
				 "    action: accept\n"
				 "    rules: [privileged-container]\n"
				 "    labels: { app: web }\n"
				 "  - id: old\n"
				 "    reason: expired long ago\n"
				 "    expires: 2020-01-31\n"
				 "    rules: [sensitive-mount-writable]\n"
				 "    labels: { app: web }\n"
				 "  - id: socket\n"
				 "    reason: the CI runner builds images\n"
				 "    rules: [docker-socket-access]\n"
				 "    labels: { app: web }\n"
				 "    peer_path: /run/docker.sock\n");
}

/* Labels, evidence, expiry and accept on one pod; hit counters per entry. */
static void test_narrow_entries(void **state)
{
	static struct bh_label labels[] = { { "app", "web", true }, { "tier", "frontend", true } };
	struct ctx *t = *state;
	struct json_object *f;
	__u64 accepted[BH_RULE_COUNT], counts[BH_RULE_COUNT][BH_SEV_COUNT];
	const __u64 *hits;

	assert_int_equal(t->p->n_allow, 4);
	assert_int_equal(t->p->n_expired, 1);
	kube_proxy_shape(t, "default", "local/web:1");
	t->c.config.host_ns[BH_NS_NET] = false;
	t->c.config.host_ns[BH_NS_PID] = true;
	t->c.labels = labels;
	t->c.n_labels = 2;
	judge(t);
	/* pid covered; privileged accepted; the expired entry hides nothing */
	assert_null(line_of(&t->s, "host-namespace-shared"));
	f = line_of(&t->s, "privileged-container");
	assert_non_null(f);
	assert_string_equal(bh_test_jtext(f, "severity"), "\"info\"");
	assert_string_equal(bh_test_jtext(f, "accepted"), "true");
	assert_non_null(line_of(&t->s, "sensitive-mount-writable"));

	/* net is not what the entry lists; without the labels nothing is covered */
	t->c.config.host_ns[BH_NS_NET] = true;
	judge(t);
	assert_non_null(line_of(&t->s, "host-namespace-shared"));
	t->c.n_labels = 1; /* tier missing: web-pid does not apply, web-privileged does */
	t->c.config.host_ns[BH_NS_NET] = false;
	judge(t);
	assert_non_null(line_of(&t->s, "host-namespace-shared"));
	assert_string_equal(bh_test_jtext(line_of(&t->s, "privileged-container"), "accepted"),
			    "true");
	t->c.n_labels = 0;
	judge(t);
	f = line_of(&t->s, "privileged-container");
	assert_string_equal(bh_test_jtext(f, "severity"), "\"critical\"");
	assert_null(bh_test_jget(f, "accepted"));

	hits = bh_rules_allow_hits(t->r);
	assert_non_null(hits);
	assert_int_equal(hits[0], 1); /* web-pid: the first judgement */
	assert_int_equal(hits[1], 3); /* web-privileged: three accepted */
	assert_int_equal(hits[2], 0); /* expired */
	bh_rules_accepted_counts(t->r, accepted);
	assert_int_equal(accepted[BH_RULE_PRIVILEGED_CONTAINER], 3);
	bh_rules_finding_counts(t->r, counts);
	assert_int_equal(counts[BH_RULE_PRIVILEGED_CONTAINER][BH_SEV_CRITICAL], 1);

	/* a new policy: counters start again */
	bh_rules_set_policy(t->r, t->p);
	assert_int_equal(bh_rules_allow_hits(t->r)[1], 0);
}

/* A behaviour finding: the peer path is the evidence; another socket still fires. */
static void test_peer_path(void **state)
{
	static struct bh_label labels[] = { { "app", "web", true } };
	struct ctx *t = *state;
	struct bh_test_rec raw;
	struct bh_event ev;
	struct bh_str tail[2] = { BH_TSTR("/run/docker.sock"), BH_TSTR("/var/run/docker.sock") };
	struct bh_connect *cn;

	kube_proxy_shape(t, "default", "local/web:1");
	t->c.labels = labels;
	t->c.n_labels = 1;
	snprintf(t->c.id, sizeof(t->c.id), "%064d", 99);
	cn = (struct bh_connect *)bh_test_record(&raw, BH_EV_CONNECT, BH_TSTR("/usr/bin/docker"),
						 tail, 2);
	cn->family = AF_UNIX;
	cn->sock_type = SOCK_STREAM;
	cn->hdr.ts_ns = 1;
	assert_int_equal(bh_event_decode(raw.buf, raw.size, &ev), 0);
	sink_clear(&t->s);
	bh_rules_on_event(t->r, &ev, &t->c, collect, &t->s);
	assert_int_equal(t->s.n, 0);
	assert_int_equal(bh_rules_allow_hits(t->r)[3], 1);

	tail[0] = BH_TSTR("/run/containerd/containerd.sock");
	cn = (struct bh_connect *)bh_test_record(&raw, BH_EV_CONNECT, BH_TSTR("/usr/bin/docker"),
						 tail, 2);
	cn->family = AF_UNIX;
	cn->sock_type = SOCK_STREAM;
	assert_int_equal(bh_event_decode(raw.buf, raw.size, &ev), 0);
	bh_rules_on_event(t->r, &ev, &t->c, collect, &t->s);
	assert_non_null(line_of(&t->s, "docker-socket-access"));
}

/* The evidence matchers alone, on evidence objects as the rules write them. */
static void test_evidence_matchers(void **state)
{
	static const char yaml[] =
		"baseline: false\n"
		"allow:\n"
		"  - { namespace: x, capabilities: [NET_ADMIN, CAP_SYS_ADMIN] }\n"
		"  - { namespace: x, ports: [80, 9100] }\n"
		"  - { namespace: x, mounts: [{ source: \"/var/lib/kubelet*\" },\n"
		"                             { destination: /data }] }\n"
		"  - { namespace: x, host_namespaces: [net, mnt] }\n";
	struct bh_policy *p;
	const struct bh_policy_allow *caps, *ports, *mounts, *ns;

	(void)state;
	assert_int_equal(bh_policy_parse("test", yaml, sizeof(yaml) - 1, &p), 0);
	caps = &p->allow[0];
	ports = &p->allow[1];
	mounts = &p->allow[2];
	ns = &p->allow[3];
#define M(a, json) bh_allow_matches_evidence(a, json, strlen(json))
	assert_true(M(caps, "{\"capabilities\":[\"NET_ADMIN\"]}"));
	assert_true(M(caps, "{\"caps_gained\":[\"SYS_ADMIN\",\"NET_ADMIN\"]}"));
	assert_false(M(caps, "{\"capabilities\":[\"NET_ADMIN\",\"SYS_MODULE\"]}"));
	assert_false(M(caps, "{\"privileged\":true}")); /* no capability evidence */
	assert_true(M(ports, "{\"port\":9100,\"family\":\"inet\"}"));
	assert_true(M(ports, "{\"ports\":[{\"host_port\":80,\"container_port\":8080}]}"));
	assert_false(M(ports, "{\"ports\":[{\"host_port\":80},{\"host_port\":22}]}"));
	assert_false(M(ports, "{\"host_port\":443}"));
	assert_true(M(mounts, "{\"mounts\":[{\"source\":\"/var/lib/kubelet/pods\","
			      "\"destination\":\"/k\"},{\"source\":\"/srv\",\"destination\":"
			      "\"/data\"}]}"));
	/* the host's name of a source is what counts */
	assert_false(M(mounts, "{\"mounts\":[{\"source\":\"/var/lib/kubelet\",\"host_path\":"
			       "\"/etc\",\"destination\":\"/k\"}]}"));
	assert_true(M(mounts, "{\"source\":\"tmpfs\",\"target\":\"/data\"}"));
	assert_false(M(mounts, "{\"source\":\"/dev/sda1\",\"target\":\"/mnt\"}"));
	assert_true(M(ns, "{\"namespaces\":[\"net\"]}"));
	assert_true(M(ns, "{\"entered_host\":[{\"type\":\"mnt\",\"inode\":1}]}"));
	assert_false(M(ns, "{\"namespaces\":[\"net\",\"pid\"]}"));
	assert_false(M(ns, "not json"));
#undef M
	bh_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_baseline_kube_proxy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_baseline_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repository_normalized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_narrow_entries, setup_narrow, teardown),
		cmocka_unit_test_setup_teardown(test_peer_path, setup_narrow, teardown),
		cmocka_unit_test(test_evidence_matchers),
	};

	/* The expired entry's warning is expected: nothing below errors is printed. */
	bh_log_setup(BH_LOG_ERROR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
