// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_oci.c - OCI config.json parsing, on bundles recorded from this machine's docker. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "container/container.h"
#include "fixture.h"

#define CAP(n) (1ULL << (n))
/* docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
 * NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP */
#define DOCKER_DEFAULT_CAPS                                                                        \
	(CAP(0) | CAP(1) | CAP(3) | CAP(4) | CAP(5) | CAP(6) | CAP(7) | CAP(8) | CAP(10) |         \
	 CAP(13) | CAP(18) | CAP(27) | CAP(29) | CAP(31))
#define CAP_SYS_ADMIN 21
#define CAP_NET_ADMIN 12

static void parse_fixture(const char *name, struct bh_container *c)
{
	size_t len;
	char *json = bh_test_fixture(name, &len);

	memset(c, 0, sizeof(*c));
	assert_int_equal(bh_oci_parse_config(json, len, c), 0);
	free(json);
	assert_true(c->config.known);
}

static const struct bh_mount_spec *find_mount(const struct bh_container *c, const char *dest)
{
	for (size_t i = 0; i < c->config.n_mounts; i++) {
		if (c->config.mounts[i].destination &&
		    !strcmp(c->config.mounts[i].destination, dest))
			return &c->config.mounts[i];
	}
	fail_msg("no mount at %s", dest);
	return NULL;
}

/* `docker run -d local/busybox:1 sleep 600`: the defaults. */
static void test_docker_default(void **state)
{
	const struct bh_container_config *cfg;
	struct bh_container c;

	(void)state;
	parse_fixture("oci-docker-default.json", &c);
	cfg = &c.config;
	assert_int_equal(cfg->cap_bounding, DOCKER_DEFAULT_CAPS);
	assert_int_equal(cfg->cap_effective, DOCKER_DEFAULT_CAPS);
	assert_false(cfg->no_new_privileges);
	assert_false(cfg->readonly_rootfs);
	assert_true(cfg->seccomp);
	assert_false(cfg->devices_unrestricted);
	assert_null(cfg->apparmor_profile); /* no AppArmor on this kernel */
	/* mount, network, uts, pid, ipc are unshared; user, cgroup (v1 host), time are not */
	assert_false(cfg->host_ns[BH_NS_MNT]);
	assert_false(cfg->host_ns[BH_NS_NET]);
	assert_false(cfg->host_ns[BH_NS_PID]);
	assert_false(cfg->host_ns[BH_NS_IPC]);
	assert_false(cfg->host_ns[BH_NS_UTS]);
	assert_true(cfg->host_ns[BH_NS_USER]);
	assert_true(cfg->host_ns[BH_NS_CGROUP]);
	assert_null(cfg->ns_path[BH_NS_NET]);
	assert_true(find_mount(&c, "/proc") != NULL);
	assert_false(find_mount(&c, "/proc")->bind);
	/* docker's bundle names no image or container: that comes from the API */
	assert_null(c.name);
	assert_null(c.image);
	bh_container_clear(&c);
}

/*
 * docker run -v /var/run/docker.sock:/s -v /etc:/host-etc:ro --cap-add SYS_ADMIN
 *   --security-opt no-new-privileges --security-opt seccomp=unconfined --read-only
 *   -p 8080:80 --label team=sec
 */
static void test_docker_flags(void **state)
{
	const struct bh_container_config *cfg;
	const struct bh_mount_spec *m;
	struct bh_container c;

	(void)state;
	parse_fixture("oci-docker-flags.json", &c);
	cfg = &c.config;
	assert_int_equal(cfg->cap_bounding, DOCKER_DEFAULT_CAPS | CAP(CAP_SYS_ADMIN));
	assert_true(cfg->no_new_privileges);
	assert_true(cfg->readonly_rootfs);
	assert_false(cfg->seccomp);
	m = find_mount(&c, "/s");
	assert_string_equal(m->source, "/var/run/docker.sock");
	assert_true(m->bind);
	assert_false(m->readonly);
	assert_string_equal(m->propagation, "rprivate");
	m = find_mount(&c, "/host-etc");
	assert_string_equal(m->source, "/etc");
	assert_true(m->bind);
	assert_true(m->readonly);
	bh_container_clear(&c);
}

/* docker run --pid host --net host --ipc host */
static void test_docker_host_namespaces(void **state)
{
	const struct bh_container_config *cfg;
	struct bh_container c;

	(void)state;
	parse_fixture("oci-docker-hostns.json", &c);
	cfg = &c.config;
	assert_true(cfg->host_ns[BH_NS_PID]);
	assert_true(cfg->host_ns[BH_NS_IPC]);
	/* --net host joins the host's namespace by path */
	assert_true(cfg->host_ns[BH_NS_NET]);
	assert_string_equal(cfg->ns_path[BH_NS_NET], "/var/run/docker/netns/default");
	assert_false(cfg->host_ns[BH_NS_MNT]);
	assert_false(cfg->host_ns[BH_NS_UTS]);
	bh_container_clear(&c);
}

/*
 * containerd's CRI plugin: hand-written from the documented io.kubernetes.cri.*
 * annotation keys and the spec containerd generates (no kubelet runs here).
 */
static void test_containerd_cri(void **state)
{
	const struct bh_container_config *cfg;
	const struct bh_mount_spec *m;
	struct bh_container c;

	(void)state;
	parse_fixture("oci-containerd-cri.json", &c);
	cfg = &c.config;
	assert_string_equal(c.pod_name, "web-7d4b9c-x2x8k");
	assert_string_equal(c.pod_namespace, "shop");
	assert_string_equal(c.pod_uid, "0c2b9f5e-3c1a-4d8e-9a5b-7e6f1d2c3b4a");
	assert_string_equal(c.k8s_container, "nginx");
	assert_string_equal(c.name, "nginx");
	assert_string_equal(c.image, "docker.io/library/nginx:1.25");
	assert_int_equal(c.n_labels, 7);
	assert_string_equal(cfg->apparmor_profile, "cri-containerd.apparmor.d");
	assert_int_equal(cfg->cap_bounding, DOCKER_DEFAULT_CAPS | CAP(CAP_NET_ADMIN));
	assert_int_equal(cfg->cap_effective, 0);
	assert_true(cfg->seccomp);
	assert_false(cfg->readonly_rootfs);
	/* the pod's sandbox namespaces, joined by path */
	assert_true(cfg->host_ns[BH_NS_NET]);
	assert_string_equal(cfg->ns_path[BH_NS_NET], "/proc/4242/ns/net");
	assert_false(cfg->host_ns[BH_NS_PID]);
	assert_false(cfg->host_ns[BH_NS_CGROUP]);
	m = find_mount(&c, "/host/var/log");
	assert_true(m->bind);
	assert_true(m->readonly);
	assert_string_equal(m->propagation, "rshared");
	m = find_mount(&c, "/data");
	assert_false(m->readonly);
	bh_container_clear(&c);
}

/* What docker --privileged writes: one wildcard allow rule after the default deny. */
static void test_devices_allow_all(void **state)
{
	static const char json[] =
		"{\"linux\":{\"resources\":{\"devices\":["
		"{\"allow\":false,\"access\":\"rwm\"},"
		"{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"},"
		"{\"allow\":true,\"access\":\"rwm\"}]}}}";
	struct bh_container c = { 0 };

	(void)state;
	assert_int_equal(bh_oci_parse_config(json, sizeof(json) - 1, &c), 0);
	assert_true(c.config.devices_unrestricted);
	/* nothing listed: every namespace is the host's */
	for (int k = 0; k < BH_NS_KINDS; k++)
		assert_true(c.config.host_ns[k]);
	bh_container_clear(&c);
}

/* podman's store (overlay-containers/containers.json) names its containers. */
static void test_storage_names(void **state)
{
	static const char id[] = "1cf74656fe18b2d41369c16502e8b56d06c2bf155fb9613f063890f46347f0b6";
	struct bh_container c = { 0 };
	size_t len;
	char *json = bh_test_fixture("storage-containers.json", &len);

	(void)state;
	snprintf(c.id, sizeof(c.id), "%s", id);
	assert_int_equal(bh_storage_parse_containers(json, len, &c), 0);
	assert_string_equal(c.name, "pm-priv");
	assert_string_equal(c.image, "localhost/local/busybox:1");
	/* what an earlier source said stays */
	free(c.name);
	c.name = strdup("from-api");
	assert_int_equal(bh_storage_parse_containers(json, len, &c), 0);
	assert_string_equal(c.name, "from-api");
	bh_container_clear(&c);
	snprintf(c.id, sizeof(c.id), "%064d", 0);
	assert_int_equal(bh_storage_parse_containers(json, len, &c), -ENOENT);
	assert_null(c.name);
	assert_int_equal(bh_storage_parse_containers("{}", 2, &c), -EINVAL);
	assert_int_equal(bh_storage_parse_containers(json, len / 2, &c), -EINVAL);
	free(json);
	bh_container_clear(&c);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"{",
		"[]",
		"\"config\"",
		"{\"process\":{\"capabilities\":",
		"{} trailing",
		"{\"a\":1,}x",
	};
	struct bh_container c = { 0 };
	size_t len;
	char *json = bh_test_fixture("oci-docker-flags.json", &len);

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bh_oci_parse_config(bad[i], strlen(bad[i]), &c), -EINVAL);
	/* a bundle cut short at any point is rejected and leaves nothing behind */
	for (size_t cut = 1; cut < len - 2; cut += 97) {
		assert_int_equal(bh_oci_parse_config(json, cut, &c), -EINVAL);
		assert_false(c.config.known);
		assert_int_equal(c.n_labels, 0);
		assert_int_equal(c.config.n_mounts, 0);
	}
	assert_int_equal(bh_oci_parse_config(NULL, 0, &c), -EINVAL);
	free(json);
	bh_container_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_default),
		cmocka_unit_test(test_docker_flags),
		cmocka_unit_test(test_docker_host_namespaces),
		cmocka_unit_test(test_containerd_cri),
		cmocka_unit_test(test_devices_allow_all),
		cmocka_unit_test(test_storage_names),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
