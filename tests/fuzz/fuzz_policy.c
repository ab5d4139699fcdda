// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_policy.c - the policy parser (bh_policy_parse) on any bytes; an accepted policy
 * is then used as the rules use it: lookups, allow-lists and a rules engine.
 */
#include "fuzz.h"
#include "core/log.h"
#include "rules/policy.h"
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bh_container c = {
		.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.runtime = "docker",
		.name = "/web",
		.image = "local/busybox:1",
		.pod_namespace = "default",
	};
	const struct bh_rules_opts opts = { 0 };
	struct bh_policy *p;
	struct bh_rules *r;

	/* Errors are logged for each bad input: above the highest level, nothing is printed. */
	bh_log_setup((enum bh_log_level)(BH_LOG_ERROR + 1), false);
	if (bh_policy_parse("fuzz.yaml", (const char *)data, size, &p)) {
		FUZZ_CHECK(p == NULL);
		return 0;
	}
	FUZZ_CHECK(p != NULL);
	FUZZ_CHECK(p->dedup_window_s >= 1 && p->dedup_window_s <= 86400);
	for (unsigned int rule = 0; rule < BH_RULE_COUNT; rule++) {
		int sev = bh_policy_severity(p, rule, BH_SEV_LOW);

		FUZZ_CHECK(sev >= 0 && sev < BH_SEV_COUNT);
		bh_policy_allows(p, rule, &c, "/usr/sbin/sshd", NULL);
		bh_policy_allows(p, rule, NULL, NULL, NULL);
	}
	for (size_t i = 0; i < p->n_sensitive_paths; i++)
		FUZZ_CHECK(p->sensitive_paths[i] && p->sensitive_paths[i][0] == '/');
	for (size_t i = 0; i < p->n_allowed_ports; i++)
		for (size_t j = 0; j < p->allowed_ports[i].n_ports; j++)
			FUZZ_CHECK(p->allowed_ports[i].ports[j] >= 1);
	/* every allow entry on evidence of every kind the rules write */
	for (size_t i = 0; i < p->n_allow; i++) {
		static const char ev[] =
			"{\"capabilities\":[\"NET_ADMIN\"],\"mounts\":[{\"source\":\"/run\","
			"\"destination\":\"/r\"}],\"ports\":[{\"host_port\":80}],\"port\":22,"
			"\"peer_path\":\"/run/docker.sock\",\"namespaces\":[\"net\"]}";

		FUZZ_CHECK(p->allow[i].id != NULL);
		bh_allow_matches_who(&p->allow[i], 0, &c, "/bin/sh", 0);
		bh_allow_matches_evidence(&p->allow[i], ev, sizeof(ev) - 1);
	}
	bh_policy_port_allowed(p, c.image, 22);
	bh_policy_port_allowed(p, NULL, 80);
	FUZZ_CHECK(bh_rules_new(&opts, &r) == 0);
	bh_rules_set_policy(r, p);
	bh_rules_free(r);
	bh_policy_free(p);
	return 0;
}
