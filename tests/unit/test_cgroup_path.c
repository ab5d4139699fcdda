// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_cgroup_path.c - cgroup path -> container id and runtime, for every runtime's layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "container/container.h"

#define ID_A	 "f6e7513a668adcc530ec73c8713888189e6795b999459b3c6e1bdfea5de7a180"
#define ID_B	 "2b652d48c07089f2ae638298445eea864209b78d50018c6b8cabc63e56151db8"
#define POD_UID	 "0c2b9f5e-3c1a-4d8e-9a5b-7e6f1d2c3b4a"
#define POD_UID_ "0c2b9f5e_3c1a_4d8e_9a5b_7e6f1d2c3b4a"

struct path_case {
	const char *path;
	const char *id; /* NULL: a host cgroup */
	const char *runtime;
};

static void check(const struct path_case *tc, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char id[BH_CONTAINER_ID_LEN + 1] = "";
		const char *runtime = NULL;
		int found = bh_cgroup_path_container(tc[i].path, id, &runtime);

		if (found != (tc[i].id != NULL))
			fail_msg("%s: found=%d, expected %s", tc[i].path, found,
				 tc[i].id ? tc[i].id : "host");
		if (!tc[i].id)
			continue;
		assert_string_equal(id, tc[i].id);
		assert_non_null(runtime);
		if (strcmp(runtime, tc[i].runtime))
			fail_msg("%s: runtime %s, expected %s", tc[i].path, runtime, tc[i].runtime);
	}
}

/* Shapes recorded on this machine (docker 20.10, cgroupfs driver, hybrid hierarchy). */
static void test_docker_cgroupfs(void **state)
{
	static const struct path_case tc[] = {
		/* the unified tree and every v1 hierarchy hold the same path */
		{ "/docker/" ID_A, ID_A, "docker" },
		/* systemd inside the container makes sub-cgroups: still that container */
		{ "/docker/" ID_A "/init.scope", ID_A, "docker" },
		/*
		 * docker in docker, or a container that can write its cgroup tree naming a
		 * sub-cgroup after another container: the host's runtime made the outermost
		 */
		{ "/docker/" ID_A "/docker/" ID_B, ID_A, "docker" },
		{ "/system.slice/docker-" ID_A ".scope/docker-" ID_B ".scope", ID_A, "docker" },
		{ "/machine.slice/libpod-" ID_A ".scope/container/" ID_B, ID_A, "podman" },
		/* GitHub Actions runners put job containers under /actions_job */
		{ "/actions_job/" ID_B, ID_B, "docker" },
	};

	(void)state;
	check(tc, sizeof(tc) / sizeof(tc[0]));
}

static void test_systemd_scopes(void **state)
{
	static const struct path_case tc[] = {
		{ "/system.slice/docker-" ID_A ".scope", ID_A, "docker" },
		{ "/system.slice/crio-" ID_A ".scope", ID_A, "cri-o" },
		{ "/machine.slice/libpod-" ID_A ".scope", ID_A, "podman" },
		/* podman's nested layout: the payload runs in <scope>/container */
		{ "/machine.slice/libpod-" ID_A ".scope/container", ID_A, "podman" },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_B ".scope",
		  ID_B, "podman" },
		{ "/system.slice/containerd.service/cri-containerd-" ID_A ".scope", ID_A,
		  "containerd" },
		/* runc's "slice:prefix:name" form, as containerd asks for it */
		{ "/system.slice/containerd.service/kubepods-burstable-pod" POD_UID_
		  ".slice:cri-containerd:" ID_B,
		  ID_B, "containerd" },
	};

	(void)state;
	check(tc, sizeof(tc) / sizeof(tc[0]));
}

static void test_kubernetes(void **state)
{
	static const struct path_case tc[] = {
		/* cgroupfs driver: the runtime is refined from where the bundle is found */
		{ "/kubepods/burstable/pod" POD_UID "/" ID_A, ID_A, "containerd" },
		{ "/kubepods/pod" POD_UID "/" ID_B, ID_B, "containerd" },
		{ "/kubepods/besteffort/pod" POD_UID "/" ID_A, ID_A, "containerd" },
		/* systemd driver, containerd and CRI-O */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID_
		  ".slice/cri-containerd-" ID_A ".scope",
		  ID_A, "containerd" },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_UID_
		  ".slice/crio-" ID_B ".scope",
		  ID_B, "cri-o" },
		{ "/kubepods.slice/kubepods-pod" POD_UID_ ".slice/crio-" ID_B ".scope", ID_B,
		  "cri-o" },
		/* docker as the kubelet's runtime (dockershim, cri-dockerd) */
		{ "/kubepods/burstable/pod" POD_UID "/docker-" ID_A ".scope", ID_A, "docker" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID_
		  ".slice/docker-" ID_B ".scope",
		  ID_B, "docker" },
	};

	(void)state;
	check(tc, sizeof(tc) / sizeof(tc[0]));
}

static void test_host_cgroups(void **state)
{
	static const struct path_case tc[] = {
		{ "/", NULL, NULL },
		{ "", NULL, NULL },
		{ "/init.scope", NULL, NULL },
		{ "/user.slice/user-1000.slice/session-3.scope", NULL, NULL },
		{ "/system.slice/docker.service", NULL, NULL },
		{ "/system.slice/containerd.service", NULL, NULL },
		{ "/docker", NULL, NULL },
		/* the pod's own cgroup holds no process of a container */
		{ "/kubepods/burstable/pod" POD_UID, NULL, NULL },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID_
		  ".slice",
		  NULL, NULL },
		/* conmon watches a container from the host */
		{ "/system.slice/crio-conmon-" ID_A ".scope", NULL, NULL },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID_
		  ".slice/crio-conmon-" ID_A ".scope",
		  NULL, NULL },
		{ "/machine.slice/libpod-conmon-" ID_A ".scope", NULL, NULL },
		/* the sandbox of this machine's agent (v1 memory hierarchy) */
		{ "/process_api/8a993a1b4d1c2432dd3b0526b0aa69a4", NULL, NULL },
		/* near misses are not guessed at: 63 and 65 hex digits, upper case, unknown scope
		 */
		{ "/docker/"
		  "f6e7513a668adcc530ec73c8713888189e6795b999459b3c6e1bdfea5de7a18",
		  NULL, NULL },
		{ "/docker/" ID_A "0", NULL, NULL },
		{ "/docker/F6E7513A668ADCC530EC73C8713888189E6795B999459B3C6E1BDFEA5DE7A180", NULL,
		  NULL },
		{ "/system.slice/backup-" ID_A ".scope", NULL, NULL },
	};

	(void)state;
	check(tc, sizeof(tc) / sizeof(tc[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_cgroupfs),
		cmocka_unit_test(test_systemd_scopes),
		cmocka_unit_test(test_kubernetes),
		cmocka_unit_test(test_host_cgroups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
