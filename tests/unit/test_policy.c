// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_policy.c - the policy loader on fixture files: values, defaults, and FILE:LINE:COL
 * errors.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "container/container.h"
#include "core/log.h"
#include "rules/policy.h"

#define DATA(name) TEST_DATA_DIR "/" name

/* Loads path with stderr captured into msg (the logged error line). */
static int load_capture(const char *path, struct bh_policy **p, char *msg, size_t size)
{
	FILE *tmp = tmpfile();
	int saved, err;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	err = bh_policy_load(path, p);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(msg, 1, size - 1, tmp);
	msg[n] = '\0';
	fclose(tmp);
	return err;
}

static void test_valid(void **state)
{
	struct bh_policy *p;
	char msg[1024];
	struct bh_container c = { .name = "/portainer-ce", .image = "portainer/portainer-ce:2" };

	(void)state;
	assert_int_equal(load_capture(DATA("policy-valid.yaml"), &p, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_true(p->rules[BH_RULE_DANGEROUS_CAPABILITY].enabled);
	assert_int_equal(bh_policy_severity(p, BH_RULE_DANGEROUS_CAPABILITY, BH_SEV_HIGH),
			 BH_SEV_CRITICAL);
	assert_false(p->rules[BH_RULE_NO_NEW_PRIVILEGES_MISSING].enabled);
	assert_int_equal(bh_policy_severity(p, BH_RULE_SSH_DAEMON, BH_SEV_MEDIUM), BH_SEV_MEDIUM);
	/* the file's four entries, then the baseline's */
	assert_true(p->n_allow > 4);
	assert_false(p->allow[3].baseline);
	assert_true(p->allow[4].baseline);
	assert_string_equal(p->allow[0].id, "allow[0]");
	assert_int_equal(p->allow[0].rules, (1u << BH_RULE_DOCKER_SOCKET_MOUNT) |
						    (1u << BH_RULE_DOCKER_SOCKET_ACCESS));
	/* both matchers of an entry must match, and only for its rules */
	assert_true(bh_policy_allows(p, BH_RULE_DOCKER_SOCKET_MOUNT, &c, NULL, NULL));
	assert_false(bh_policy_allows(p, BH_RULE_PRIVILEGED_CONTAINER, &c, NULL, NULL));
	c.image = "portainer:latest";
	assert_false(bh_policy_allows(p, BH_RULE_DOCKER_SOCKET_MOUNT, &c, NULL, NULL));
	c.pod_namespace = "kube-system";
	assert_true(bh_policy_allows(p, BH_RULE_PRIVILEGED_CONTAINER, &c, NULL, NULL));
	/* exe entries also cover host processes */
	assert_true(bh_policy_allows(p, BH_RULE_DAEMON_TCP_NO_TLS, NULL, "/usr/bin/docker", NULL));
	assert_false(
		bh_policy_allows(p, BH_RULE_DAEMON_TCP_NO_TLS, NULL, "/usr/bin/dockerd", NULL));
	assert_int_equal(p->n_sensitive_paths, 2);
	assert_string_equal(p->sensitive_paths[1], "/srv/secrets/");
	assert_int_equal(p->n_runtime_sockets, 2);
	assert_true(bh_policy_port_allowed(p, "nginx:1.25", 443));
	assert_false(bh_policy_port_allowed(p, "nginx:1.25", 8443));
	assert_false(bh_policy_port_allowed(p, "httpd", 80));
	assert_int_equal(p->dedup_window_s, 30);
	/* every key of a narrow entry */
	assert_string_equal(p->allow[3].id, "vpn-sidecar");
	assert_string_equal(p->allow[3].reason,
			    "the VPN sidecar manages routes in its own network namespace");
	assert_true(p->allow[3].accept);
	assert_int_equal(p->allow[3].expires, 32503680000LL); /* 3000-01-01T00:00:00Z */
	assert_int_equal(p->allow[3].n_namespaces, 2);
	assert_string_equal(p->allow[3].repositories[0], "ghcr.io/example/vpn");
	assert_int_equal(p->allow[3].n_labels, 2);
	assert_string_equal(p->allow[3].labels[1].key, "app.kubernetes.io/part-of");
	assert_int_equal(p->allow[3].capabilities, (1ULL << 12) | (1ULL << 13));
	assert_int_equal(p->allow[3].n_mounts, 2);
	assert_null(p->allow[3].mounts[1].source);
	assert_string_equal(p->allow[3].mounts[1].destination, "/run/vpn*");
	assert_int_equal(p->allow[3].ports[0], 1194);
	assert_int_equal(p->allow[3].n_peer_paths, 1);
	assert_int_equal(p->allow[3].ns_kinds, 1u << BH_NS_NET);
	assert_int_equal(p->n_expired, 0);
	assert_int_equal(strlen(p->sha256), 64);
	bh_policy_free(p);
}

/* An expired entry is kept, never matches, and is named in a warning. */
static void test_expired(void **state)
{
	struct bh_policy *p;
	char msg[1024];
	struct bh_container c = { .name = "web", .pod_namespace = "web" };

	(void)state;
	bh_log_setup(BH_LOG_WARN, false);
	assert_int_equal(load_capture(DATA("policy-expired.yaml"), &p, msg, sizeof(msg)), 0);
	bh_log_setup(BH_LOG_INFO, false);
	assert_non_null(strstr(msg, "policy-expired.yaml:4: allow entry temporary expired on "
				    "2021-06-30: it is ignored"));
	/* baseline: false: the file's entries only */
	assert_int_equal(p->n_allow, 2);
	assert_int_equal(p->n_expired, 1);
	assert_false(bh_policy_allows(p, BH_RULE_PRIVILEGED_CONTAINER, &c, NULL, NULL));
	assert_true(bh_policy_allows(p, BH_RULE_SSH_DAEMON, &c, NULL, NULL));
	assert_true(bh_allow_matches_who(&p->allow[0], BH_RULE_SSH_DAEMON, &c, NULL,
					 1625011200LL)); /* 2021-06-30T00:00:00Z: still on */
	bh_policy_free(p);
}

static void test_defaults(void **state)
{
	struct bh_policy *p = bh_policy_default(), *e;
	char msg[256];

	(void)state;
	assert_non_null(p);
	/* an advisory rule (hygiene a plain `docker run` lacks) is off unless the file says */
	for (int i = 0; i < BH_RULE_COUNT; i++) {
		assert_int_equal(p->rules[i].enabled, !bh_rule_catalogue[i].advisory);
		assert_false(p->rules[i].enabled_set);
		assert_int_equal(bh_policy_severity(p, (unsigned)i, BH_SEV_LOW), BH_SEV_LOW);
	}
	assert_int_equal(p->dedup_window_s, 60);
	/* the baseline's entries only, each with an id and a reason */
	assert_true(p->n_allow > 0);
	for (size_t i = 0; i < p->n_allow; i++) {
		assert_true(p->allow[i].baseline);
		assert_non_null(p->allow[i].reason);
		assert_non_null(strstr(p->allow[i].id, "baseline/"));
		/* namespace AND repository, always */
		assert_true(p->allow[i].n_namespaces && p->allow[i].n_repositories);
	}
	assert_string_equal(p->sha256, "");
	assert_int_equal(p->n_sensitive_paths, 19);
	/* an empty file is the built-in policy */
	assert_int_equal(load_capture(DATA("policy-empty.yaml"), &e, msg, sizeof(msg)), 0);
	assert_int_equal(e->n_sensitive_paths, p->n_sensitive_paths);
	assert_int_equal(e->n_runtime_sockets, p->n_runtime_sockets);
	assert_int_equal(e->dedup_window_s, 60);
	bh_policy_free(e);
	bh_policy_free(p);
}

/* The example shipped in deploy/ is valid. */
static void test_deploy_example(void **state)
{
	struct bh_policy *p;
	char msg[1024];

	(void)state;
	assert_int_equal(
		load_capture(TEST_DATA_DIR "/../../deploy/policy.yaml", &p, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(p->n_sensitive_paths, 19);
	bh_policy_free(p);
}

struct bad_case {
	const char *file;
	const char *where; /* ":LINE:COL: " */
	const char *what;  /* a part of the message */
};

static const struct bad_case bad_cases[] = {
	{ "policy-bad-severity.yaml", ":2:52: ", "bad severity" },
	{ "policy-unknown-rule.yaml", ":4:13: ", "unknown rule id \"docker-sock-mount\"" },
	{ "policy-unknown-key.yaml", ":2:1: ", "unknown key \"dedup_window\"" },
	{ "policy-bad-port.yaml", ":3:17: ", "a port must be a number from 1 to 65535" },
	{ "policy-bad-bool.yaml", ":2:39: ", "enabled must be true or false" },
	{ "policy-allow-no-matcher.yaml",
	  ":2:5: ", "needs container_name, image, namespace or exe" },
	{ "policy-syntax.yaml", ":3:1: ", "did not find expected" },
	{ "policy-relative-path.yaml", ":1:25: ", "must be absolute paths" },
	{ "policy-bad-expires.yaml", ":3:14: ", "expires must be a date, YYYY-MM-DD" },
	{ "policy-bad-capability.yaml", ":3:19: ", "unknown capability \"SYS_EVERYTHING\"" },
	{ "policy-bad-action.yaml",
	  ":3:13: ", "action must be allow (hide the finding) or accept" },
	/* found by fuzz_policy: a second list once overflowed the first one's array */
	{ "policy-ports-twice.yaml", ":4:12: ", "ports given twice in an allow entry" },
};

static void test_bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct bh_policy *p = (struct bh_policy *)1;
		char path[512], where[600], msg[1024];

		snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, bc->file);
		assert_int_equal(load_capture(path, &p, msg, sizeof(msg)), -EINVAL);
		assert_null(p);
		snprintf(where, sizeof(where), "%s%s", path, bc->where);
		if (!strstr(msg, where) || !strstr(msg, bc->what))
			fail_msg("%s: want \"%s\" and \"%s\" in: %s", bc->file, where, bc->what,
				 msg);
		/* one error, one line */
		assert_non_null(strchr(msg, '\n'));
		assert_null(strchr(strchr(msg, '\n') + 1, '\n'));
	}
}

static void test_missing_file(void **state)
{
	struct bh_policy *p;
	char msg[1024];

	(void)state;
	assert_int_equal(load_capture(DATA("no-such-policy.yaml"), &p, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "no-such-policy.yaml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),	       cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_deploy_example), cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_missing_file),   cmocka_unit_test(test_expired),
	};

	bh_log_setup(BH_LOG_INFO, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
