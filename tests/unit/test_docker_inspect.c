// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_docker_inspect.c - docker GET /containers/<id>/json parsing, on recorded answers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "container/container.h"
#include "fixture.h"

#define CAP(n) (1ULL << (n))
#define DOCKER_DEFAULT_CAPS                                                                        \
	(CAP(0) | CAP(1) | CAP(3) | CAP(4) | CAP(5) | CAP(6) | CAP(7) | CAP(8) | CAP(10) |         \
	 CAP(13) | CAP(18) | CAP(27) | CAP(29) | CAP(31))
#define CAP_SYS_ADMIN 21
#define ALL_CAPS      ((1ULL << 41) - 1)

static void parse_fixture(const char *name, struct bh_container *c)
{
	size_t len;
	char *json = bh_test_fixture(name, &len);

	memset(c, 0, sizeof(*c));
	assert_int_equal(bh_docker_parse_inspect(json, len, c), 0);
	free(json);
	assert_true(c->config.known);
}

static const struct bh_mount_spec *find_mount(const struct bh_container *c, const char *dest)
{
	for (size_t i = 0; i < c->config.n_mounts; i++) {
		if (!strcmp(c->config.mounts[i].destination, dest))
			return &c->config.mounts[i];
	}
	fail_msg("no mount at %s", dest);
	return NULL;
}

static void test_default(void **state)
{
	const struct bh_container_config *cfg;
	struct bh_container c;

	(void)state;
	parse_fixture("docker-inspect-default.json", &c);
	cfg = &c.config;
	assert_string_equal(c.name, "ctr-probe");
	assert_string_equal(c.image, "local/busybox:1");
	assert_false(cfg->privileged);
	assert_int_equal(cfg->cap_bounding, DOCKER_DEFAULT_CAPS);
	assert_true(cfg->seccomp);
	assert_false(cfg->no_new_privileges);
	assert_false(cfg->readonly_rootfs);
	assert_false(cfg->host_ns[BH_NS_PID]);
	assert_false(cfg->host_ns[BH_NS_NET]);
	assert_int_equal(cfg->n_ports, 0);
	assert_int_equal(cfg->n_mounts, 0);
	assert_int_equal(c.n_labels, 0);
	bh_container_clear(&c);
}

/* The same flags as oci-docker-flags.json, seen through the API. */
static void test_flags(void **state)
{
	const struct bh_container_config *cfg;
	const struct bh_mount_spec *m;
	struct bh_container c;

	(void)state;
	parse_fixture("docker-inspect-flags.json", &c);
	cfg = &c.config;
	assert_string_equal(c.name, "ctr-rec-a");
	assert_int_equal(cfg->cap_bounding, DOCKER_DEFAULT_CAPS | CAP(CAP_SYS_ADMIN));
	assert_false(cfg->seccomp);
	assert_true(cfg->no_new_privileges);
	assert_true(cfg->readonly_rootfs);
	assert_int_equal(cfg->n_ports, 1);
	assert_int_equal(cfg->ports[0].container_port, 80);
	assert_int_equal(cfg->ports[0].host_port, 8080);
	assert_string_equal(cfg->ports[0].proto, "tcp");
	assert_int_equal(cfg->n_exposed_ports, 1);
	assert_string_equal(cfg->exposed_ports[0], "80/tcp");
	m = find_mount(&c, "/s");
	assert_string_equal(m->source, "/var/run/docker.sock");
	assert_true(m->bind);
	assert_false(m->readonly);
	m = find_mount(&c, "/host-etc");
	assert_true(m->readonly);
	assert_string_equal(m->propagation, "rprivate");
	assert_int_equal(c.n_labels, 1);
	assert_string_equal(c.labels[0].key, "team");
	assert_string_equal(c.labels[0].value, "sec");
	bh_container_clear(&c);
}

static void test_host_namespaces(void **state)
{
	const struct bh_container_config *cfg;
	struct bh_container c;

	(void)state;
	parse_fixture("docker-inspect-hostns.json", &c);
	cfg = &c.config;
	assert_true(cfg->host_ns[BH_NS_PID]);
	assert_true(cfg->host_ns[BH_NS_NET]);
	assert_true(cfg->host_ns[BH_NS_IPC]);
	assert_false(cfg->host_ns[BH_NS_UTS]);
	assert_false(cfg->host_ns[BH_NS_MNT]);
	bh_container_clear(&c);
}

/*
 * `docker run --privileged` cannot start on these machines (runc cannot grant
 * CAP_SYS_RESOURCE), so this answer is hand-edited from the recorded default
 * one: Privileged true, AppArmorProfile unconfined, Kubernetes labels as
 * dockershim sets them.
 */
static void test_privileged(void **state)
{
	const struct bh_container_config *cfg;
	struct bh_container c;

	(void)state;
	parse_fixture("docker-inspect-privileged.json", &c);
	cfg = &c.config;
	assert_true(cfg->privileged);
	assert_int_equal(cfg->cap_bounding, ALL_CAPS);
	assert_int_equal(cfg->cap_effective, ALL_CAPS);
	assert_false(cfg->seccomp);
	assert_true(cfg->devices_unrestricted);
	assert_string_equal(cfg->apparmor_profile, "unconfined");
	assert_string_equal(c.pod_name, "priv-pod");
	assert_string_equal(c.pod_namespace, "kube-system");
	assert_string_equal(c.pod_uid, "0c2b9f5e-3c1a-4d8e-9a5b-7e6f1d2c3b4a");
	assert_string_equal(c.k8s_container, "agent");
	bh_container_clear(&c);
}

static void test_cap_drop_all(void **state)
{
	static const char json[] =
		"{\"Name\":\"/x\",\"Config\":{\"User\":\"1000\"},\"HostConfig\":{"
		"\"CapDrop\":[\"ALL\"],\"CapAdd\":[\"NET_BIND_SERVICE\"],"
		"\"SecurityOpt\":[\"apparmor=my-profile\",\"no-new-privileges:true\"]}}";
	struct bh_container c = { 0 };

	(void)state;
	assert_int_equal(bh_docker_parse_inspect(json, sizeof(json) - 1, &c), 0);
	/* docker adds after it drops: ALL goes, NET_BIND_SERVICE stays */
	assert_int_equal(c.config.cap_bounding, CAP(10));
	assert_int_equal(c.config.cap_effective, 0); /* a non-root user */
	assert_string_equal(c.config.apparmor_profile, "my-profile");
	assert_true(c.config.no_new_privileges);
	bh_container_clear(&c);
}

static void test_malformed(void **state)
{
	struct bh_container c = { 0 };
	size_t len;
	char *json = bh_test_fixture("docker-inspect-flags.json", &len);

	(void)state;
	assert_int_equal(bh_docker_parse_inspect("", 0, &c), -EINVAL);
	assert_int_equal(bh_docker_parse_inspect("null", 4, &c), -EINVAL);
	assert_int_equal(bh_docker_parse_inspect("{\"message\":", 11, &c), -EINVAL);
	for (size_t cut = 1; cut < len - 2; cut += 89) {
		assert_int_equal(bh_docker_parse_inspect(json, cut, &c), -EINVAL);
		assert_null(c.name);
		assert_false(c.config.known);
	}
	free(json);
	bh_container_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_host_namespaces), cmocka_unit_test(test_privileged),
		cmocka_unit_test(test_cap_drop_all),	cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
