// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_pod.c - a pod's labels from the runtimes (CRI-O's CRI labels annotation, the docker
 * labels of a kubelet-made container), its inferred owning workload, and both in schema v1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/capture.h"
#include "container/container.h"
#include "container/pod.h"
#include "fixture.h"
#include "output/output_json.h"

/* A container of pod `name` with the pod labels given as key, value, ..., NULL. */
static void make_pod(struct bh_container *c, struct bh_label *labels, const char *name, ...)
{
	va_list ap;
	const char *key;

	memset(c, 0, sizeof(*c));
	c->pod_name = (char *)name;
	c->labels = labels;
	va_start(ap, name);
	while ((key = va_arg(ap, const char *))) {
		labels[c->n_labels].key = (char *)key;
		labels[c->n_labels].value = va_arg(ap, char *);
		labels[c->n_labels++].pod = true;
	}
	va_end(ap);
}

static void assert_workload(const struct bh_container *c, const char *kind, const char *name)
{
	struct bh_workload w;

	assert_true(bh_pod_workload(c, &w));
	if (kind)
		assert_string_equal(w.kind, kind);
	else
		assert_null(w.kind);
	assert_string_equal(w.name, name);
}

static void test_workload_from_labels(void **state)
{
	struct bh_label l[4];
	struct bh_container c;
	struct bh_workload w;

	(void)state;
	/* Deployment "api-gateway": ReplicaSet api-gateway-5c9d8f7b6, pod ...-q4wzt */
	make_pod(&c, l, "api-gateway-5c9d8f7b6-q4wzt", "app", "api", "pod-template-hash",
		 "5c9d8f7b6", NULL);
	assert_workload(&c, "Deployment", "api-gateway");
	/* the same labels with another hash in the name: not this Deployment's pod */
	make_pod(&c, l, "api-gateway-x9x9x9x9-q4wzt", "pod-template-hash", "5c9d8f7b6", NULL);
	assert_workload(&c, "Deployment", "api-gateway"); /* the name alone says it */
	make_pod(&c, l, "kube-proxy-7xk2p", "controller-revision-hash", "6b9f7c5d4",
		 "pod-template-generation", "3", "k8s-app", "kube-proxy", NULL);
	assert_workload(&c, "DaemonSet", "kube-proxy");
	make_pod(&c, l, "postgres-12", "controller-revision-hash", "postgres-7d9f6c5b8",
		 "statefulset.kubernetes.io/pod-name", "postgres-12", NULL);
	assert_workload(&c, "StatefulSet", "postgres");
	make_pod(&c, l, "backup-28861440-mp2xv", "batch.kubernetes.io/job-name", "backup-28861440",
		 "controller-uid", "1f2e3d4c", NULL);
	assert_workload(&c, "Job", "backup-28861440");
	make_pod(&c, l, "migrate-7tq5z", "job-name", "migrate", NULL);
	assert_workload(&c, "Job", "migrate");
	/* a label the kubelet did not mark as the pod's is not read */
	make_pod(&c, l, "migrate-7tq5z", "job-name", "migrate", NULL);
	l[0].pod = false;
	assert_workload(&c, NULL, "migrate");
	/* no pod, or a bare pod: nothing to infer */
	make_pod(&c, l, "debug", "run", "debug", NULL);
	assert_false(bh_pod_workload(&c, &w));
	c.pod_name = NULL;
	assert_false(bh_pod_workload(&c, &w));
}

static void test_workload_from_name(void **state)
{
	struct bh_container c;
	struct bh_label l[1];
	struct bh_workload w;

	(void)state;
	make_pod(&c, l, "web-7d4b9c8f6d-x2k9p", NULL);
	assert_workload(&c, "Deployment", "web");
	make_pod(&c, l, "coredns-5d78c9869d-6lq4t", NULL);
	assert_workload(&c, "Deployment", "coredns");
	/* "exporter" is no generated hash: a DaemonSet's, a Job's or a ReplicaSet's pod */
	make_pod(&c, l, "node-exporter-7xk2p", NULL);
	assert_workload(&c, NULL, "node-exporter");
	make_pod(&c, l, "etcd-data-0", NULL);
	assert_workload(&c, "StatefulSet", "etcd-data");
	/* 5 generated characters that happen to be digits: a random suffix first */
	make_pod(&c, l, "agent-24567", NULL);
	assert_workload(&c, NULL, "agent");
	/* vowels are never generated: "proxy" is a name, not a suffix */
	make_pod(&c, l, "kube-proxy", NULL);
	assert_false(bh_pod_workload(&c, &w));
	make_pod(&c, l, "standalone", NULL);
	assert_false(bh_pod_workload(&c, &w));
}

/* The pod label key, or NULL; fails when the label is there but not marked as the pod's. */
static const char *pod_label(const struct bh_container *c, const char *key)
{
	for (size_t i = 0; i < c->n_labels; i++)
		if (!strcmp(c->labels[i].key, key) && !c->labels[i].pod)
			return NULL;
	return bh_pod_label(c, key);
}

static size_t n_pod_labels(const struct bh_container *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_labels; i++)
		n += c->labels[i].pod;
	return n;
}

/* The container's schema v1 object. */
static char *container_json(const struct bh_container *c)
{
	struct bh_json w;
	char *s;

	bh_json_init(&w);
	bh_json_container(&w, c);
	assert_false(bh_json_failed(&w));
	s = strndup(bh_json_data(&w), bh_json_len(&w));
	bh_json_free(&w);
	return s;
}

/* The OCI bundle fixture name, parsed into c. */
static void parse_oci(const char *name, struct bh_container *c)
{
	size_t len;
	char *json = bh_test_fixture(name, &len);

	memset(c, 0, sizeof(*c));
	assert_int_equal(bh_oci_parse_config(json, len, c), 0);
	free(json);
}

/* CRI-O's pod sandbox: the pod's labels are in io.kubernetes.cri-o.Labels (a JSON object). */
static void test_crio_sandbox(void **state)
{
	struct bh_container c;
	char *out;

	(void)state;
	parse_oci("oci-crio-sandbox.json", &c);
	assert_string_equal(c.pod_name, "node-exporter-7xk2p");
	assert_string_equal(c.pod_namespace, "monitoring");
	assert_int_equal(n_pod_labels(&c), 3);
	assert_string_equal(pod_label(&c, "app.kubernetes.io/name"), "node-exporter");
	assert_string_equal(pod_label(&c, "pod-template-generation"), "1");
	/* the kubelet's names, and the pod annotations CRI-O copies, are no pod labels */
	assert_null(pod_label(&c, "io.kubernetes.pod.name"));
	assert_null(pod_label(&c, "kubernetes.io/config.source"));
	assert_workload(&c, "DaemonSet", "node-exporter");
	out = container_json(&c);
	assert_non_null(strstr(out,
			       "\"labels\":{\"app.kubernetes.io/name\":\"node-exporter\","
			       "\"controller-revision-hash\":\"6b9f7c5d4\","
			       "\"pod-template-generation\":\"1\"},"
			       "\"workload\":{\"kind\":\"DaemonSet\",\"name\":\"node-exporter\","
			       "\"inferred\":true}}"));
	free(out);
	bh_container_clear(&c);
}

/* A CRI-O container: its CRI labels are the kubelet's names only; the name says the rest. */
static void test_crio_container(void **state)
{
	struct bh_container c;
	char *out;

	(void)state;
	parse_oci("oci-crio-container.json", &c);
	assert_string_equal(c.k8s_container, "node-exporter");
	assert_int_equal(n_pod_labels(&c), 0);
	assert_workload(&c, NULL, "node-exporter");
	out = container_json(&c);
	assert_non_null(strstr(out, "\"workload\":{\"name\":\"node-exporter\",\"inferred\":true}"));
	assert_null(strstr(out, "\"pod\":{\"name\":\"node-exporter-7xk2p\",\"namespace\":"
				"\"monitoring\",\"uid\":\"8d1e4f2a-6c3b-4a5d-9e8f-7a6b5c4d3e2f\","
				"\"container\":\"node-exporter\",\"labels\""));
	free(out);
	bh_container_clear(&c);
}

/*
 * A pod sandbox as the kubelet's docker shim labels it, recorded from this machine's
 * docker: the pod's labels, and the image's (docker merges them into the container's).
 */
static void test_docker_sandbox(void **state)
{
	struct bh_container c, back;
	struct bh_json w;
	size_t len;
	char *json = bh_test_fixture("docker-inspect-k8s-sandbox.json", &len);

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(bh_docker_parse_inspect(json, len, &c), 0);
	free(json);
	assert_string_equal(c.pod_name, "web-7d4b9c8f6d-x2k9p");
	assert_string_equal(pod_label(&c, "app"), "web");
	assert_string_equal(pod_label(&c, "pod-template-hash"), "7d4b9c8f6d");
	assert_string_equal(pod_label(&c, "org.bulkhead.test-image.hash"),
			    "07b892c0b56315a3e1ca67a52ed1e5dd");
	assert_null(pod_label(&c, "annotation.kubernetes.io/config.source"));
	assert_null(pod_label(&c, "io.kubernetes.docker.type"));
	assert_int_equal(n_pod_labels(&c), 3);
	assert_workload(&c, "Deployment", "web");

	/* a capture keeps which labels are the pod's */
	snprintf(c.id, sizeof(c.id), "%.64s",
		 "8b2f0e1c6d5a49375e1f0a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d");
	bh_json_init(&w);
	bh_capture_container_json(&w, &c);
	memset(&back, 0, sizeof(back));
	assert_int_equal(bh_capture_parse_container(bh_json_data(&w), bh_json_len(&w), &back), 0);
	bh_json_free(&w);
	assert_int_equal(back.n_labels, c.n_labels);
	assert_int_equal(n_pod_labels(&back), 3);
	assert_string_equal(pod_label(&back, "pod-template-hash"), "7d4b9c8f6d");
	bh_container_clear(&back);
	bh_container_clear(&c);
}

/* containerd's bundle has the CRI annotations but no labels: the name alone tells. */
static void test_containerd_cri(void **state)
{
	struct bh_container c;

	(void)state;
	parse_oci("oci-containerd-cri.json", &c);
	assert_int_equal(n_pod_labels(&c), 0);
	assert_workload(&c, "Deployment", "web");
	bh_container_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workload_from_labels),
		cmocka_unit_test(test_workload_from_name),
		cmocka_unit_test(test_crio_sandbox),
		cmocka_unit_test(test_crio_container),
		cmocka_unit_test(test_docker_sandbox),
		cmocka_unit_test(test_containerd_cri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
