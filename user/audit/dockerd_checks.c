// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dockerd_checks.c - the daemon defaults of CIS Docker Benchmark 1.6.0 section 2 that
 * dockerd's command line and daemon.json answer exactly: whether daemon.json is one dockerd
 * accepts, no-new-privileges, userns-remap, icc, live-restore, seccomp-profile, insecure
 * registries, the userland proxy, authorization plugins and experimental features.
 */
#include "host_impl.h"

#include <errno.h>
#include <string.h>

/* What a setting must be for a PASS. */
enum want {
	WANT_TRUE,
	WANT_FALSE,
	WANT_SET,
	WANT_UNSET,
	WANT_NOT_UNCONFINED, /* any seccomp profile but "unconfined" */
};

struct default_check {
	struct bh_check_result r; /* all but the verdict and the evidence */
	enum bh_dockerd_key key;
	enum want want;
	bool dflt; /* dockerd's default of a bool */
};

/*
 * Severities: a missing advisory default (live-restore, icc, userns-remap, the userland proxy,
 * authorization plugins, no-new-privileges, which the per-container rule judges again) is low,
 * so that a stock dockerd is not a wall of findings; a registry reached without TLS is medium
 * (an image can be swapped in transit); seccomp turned off for every container is high.
 */
static const struct default_check checks[] = {
	{ .r = { .id = "daemon-docker-no-new-privileges",
		 .title = "dockerd restricts new privileges by default",
		 .cis = "2.14",
		 .attack = "T1548.001,T1068",
		 .severity = BH_SEV_LOW,
		 .remediation = "Start dockerd with --no-new-privileges or set "
				"\"no-new-privileges\": true in daemon.json" },
	  .key = BH_DK_NO_NEW_PRIVILEGES,
	  .want = WANT_TRUE,
	  .dflt = false },
	{ .r = { .id = "daemon-docker-userns-remap",
		 .title = "dockerd remaps container users (user namespaces)",
		 .cis = "2.9",
		 .attack = "T1611",
		 .severity = BH_SEV_LOW,
		 .remediation = "Set \"userns-remap\": \"default\" in daemon.json (or "
				"--userns-remap), with ranges in /etc/subuid and /etc/subgid" },
	  .key = BH_DK_USERNS_REMAP,
	  .want = WANT_SET,
	  .dflt = false },
	{ .r = { .id = "daemon-docker-icc",
		 .title = "dockerd restricts traffic between containers on the default bridge",
		 .cis = "2.2",
		 .attack = NULL,
		 .severity = BH_SEV_LOW,
		 .remediation = "Set \"icc\": false in daemon.json (or --icc=false), or put "
				"containers on user-defined networks" },
	  .key = BH_DK_ICC,
	  .want = WANT_FALSE,
	  .dflt = true },
	{ .r = { .id = "daemon-docker-live-restore",
		 .title = "dockerd keeps containers running across its restarts",
		 .cis = "2.15",
		 .attack = NULL,
		 .severity = BH_SEV_LOW,
		 .remediation = "Set \"live-restore\": true in daemon.json (or --live-restore)" },
	  .key = BH_DK_LIVE_RESTORE,
	  .want = WANT_TRUE,
	  .dflt = false },
	{ .r = { .id = "daemon-docker-seccomp",
		 .title = "dockerd's default seccomp profile is not replaced by unconfined",
		 .cis = "2.17,5.22",
		 .attack = "T1611,T1068",
		 .severity = BH_SEV_HIGH,
		 .remediation = "Remove \"seccomp-profile\": \"unconfined\" "
				"(--seccomp-profile=unconfined): keep Docker's default profile or "
				"give a custom one" },
	  .key = BH_DK_SECCOMP_PROFILE,
	  .want = WANT_NOT_UNCONFINED,
	  .dflt = false },
	{ .r = { .id = "daemon-docker-insecure-registries",
		 .title = "dockerd uses no insecure registries",
		 .cis = "2.5",
		 .attack = "T1557",
		 .severity = BH_SEV_MEDIUM,
		 .remediation = "Remove \"insecure-registries\" (--insecure-registry); serve the "
				"registry over TLS with a certificate dockerd trusts" },
	  .key = BH_DK_INSECURE_REGISTRIES,
	  .want = WANT_UNSET,
	  .dflt = false },
	{ .r = { .id = "daemon-docker-userland-proxy",
		 .title = "dockerd's userland proxy is disabled",
		 .cis = "2.16",
		 .attack = NULL,
		 .severity = BH_SEV_LOW,
		 .remediation = "Set \"userland-proxy\": false in daemon.json (or "
				"--userland-proxy=false) where hairpin NAT is available" },
	  .key = BH_DK_USERLAND_PROXY,
	  .want = WANT_FALSE,
	  .dflt = true },
	{ .r = { .id = "daemon-docker-authorization",
		 .title = "dockerd authorizes client commands with a plugin",
		 .cis = "2.12",
		 .attack = "T1609",
		 .severity = BH_SEV_LOW,
		 .remediation = "Add an authorization plugin: \"authorization-plugins\" in "
				"daemon.json (or --authorization-plugin)" },
	  .key = BH_DK_AUTHORIZATION_PLUGINS,
	  .want = WANT_SET,
	  .dflt = false },
	{ .r = { .id = "daemon-docker-experimental",
		 .title = "dockerd runs without experimental features",
		 .cis = "2.18",
		 .attack = NULL,
		 .severity = BH_SEV_LOW,
		 .remediation =
			 "Remove \"experimental\": true from daemon.json (or --experimental)" },
	  .key = BH_DK_EXPERIMENTAL,
	  .want = WANT_FALSE,
	  .dflt = false },
};

static bool passes(const struct default_check *k, const struct bh_dockerd_config *c)
{
	const struct bh_dockerd_setting *s = &c->s[k->key];

	switch (k->want) {
	case WANT_TRUE:
		return bh_dockerd_bool(c, k->key, k->dflt);
	case WANT_FALSE:
		return !bh_dockerd_bool(c, k->key, k->dflt);
	case WANT_SET:
		return s->src != BH_SRC_DEFAULT && s->value[0];
	case WANT_UNSET:
		return s->src == BH_SRC_DEFAULT || !s->value[0];
	case WANT_NOT_UNCONFINED:
		return s->src == BH_SRC_DEFAULT || strcmp(s->value, "unconfined");
	}
	return false;
}

/* Medium: dockerd would not come back after a restart, nor its containers without live-restore. */
static const struct bh_check_result config_check = {
	.id = "daemon-docker-config",
	.title = "dockerd would start again with its configuration",
	.cis = "",
	.severity = BH_SEV_MEDIUM,
	.remediation = "Give each option once: on dockerd's command line or in daemon.json, not "
		       "both; keep daemon.json a valid JSON object",
};

/* dockerd reads daemon.json at start and refuses a malformed one or a key also given as a flag. */
static void check_config(const struct bh_daemon *d, const struct bh_dockerd_config *c,
			 bh_check_fn fn, void *ctx)
{
	struct bh_check_result r = config_check;

	if (c->file_err == -EINVAL)
		bh_check_report(&r, BH_VERDICT_FAIL, fn, ctx,
				"dockerd (pid %d): %s is not a JSON object: dockerd refuses to "
				"start with it at its next restart",
				d->pid, c->config_file);
	else if (c->conflicts[0])
		bh_check_report(&r, BH_VERDICT_FAIL, fn, ctx,
				"dockerd (pid %d): %s set both on its command line and in %s: "
				"dockerd refuses to start with them at its next restart",
				d->pid, c->conflicts, c->config_file);
	else if (c->file_err && c->file_err != -ENOENT)
		bh_check_report(&r, BH_VERDICT_NA, fn, ctx, "dockerd (pid %d): cannot read %s: %s",
				d->pid, c->config_file, strerror(-c->file_err));
	else
		bh_check_report(
			&r, BH_VERDICT_PASS, fn, ctx,
			"dockerd (pid %d): %s %s, no option both there and on its command line",
			d->pid, c->config_file, c->file_err ? "absent" : "parsed");
}

void bh_audit_dockerd_defaults(const struct bh_daemon *d, const struct bh_dockerd_config *c,
			       bh_check_fn fn, void *ctx)
{
	char where[640];

	if (!d->pid) {
		struct bh_check_result r = config_check;

		bh_check_report(&r, BH_VERDICT_NA, fn, ctx, "dockerd %s", d->note);
	} else {
		check_config(d, c, fn, ctx);
	}
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const struct default_check *k = &checks[i];
		struct bh_check_result r = k->r;
		bool dflt_bool = k->want == WANT_TRUE || k->want == WANT_FALSE;

		if (!d->pid) {
			bh_check_report(&r, BH_VERDICT_NA, fn, ctx, "dockerd %s", d->note);
			continue;
		}
		bh_dockerd_describe(c, k->key, where, sizeof(where));
		bh_check_report(&r, passes(k, c) ? BH_VERDICT_PASS : BH_VERDICT_FAIL, fn, ctx,
				"dockerd (pid %d): %s%s%s", d->pid, where,
				c->s[k->key].src == BH_SRC_DEFAULT && dflt_bool ? "; its default: "
										: "",
				c->s[k->key].src == BH_SRC_DEFAULT && dflt_bool
					? (k->dflt ? "true" : "false")
					: "");
	}
}
