// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* format_table.c - the audit as a terminal table: grouped by target, coloured by severity. */
#include <string.h>

#include "report.h"

#define RESET "\033[0m"

/* A FAIL's colour by severity; PASS green, N/A dim. */
static const char *colour(const struct bh_audit_item *it)
{
	static const char *const by_severity[BH_SEV_COUNT] = { "\033[36m", "\033[33m", "\033[31m",
							       "\033[1;31m" };

	if (it->verdict == BH_VERDICT_PASS)
		return "\033[32m";
	if (it->verdict == BH_VERDICT_NA)
		return "\033[2m";
	return it->severity < BH_SEV_COUNT ? by_severity[it->severity] : "";
}

static void heading(const struct bh_audit_target *t, FILE *out)
{
	if (!strcmp(t->id, "host")) {
		fprintf(out, "HOST AND DAEMONS\n");
		return;
	}
	fprintf(out, "CONTAINER %s (%.12s) %s, image %s%s", t->name ? t->name : "?", t->id,
		t->runtime ? t->runtime : "?", t->image ? t->image : "?",
		t->running ? "" : ", stopped");
	if (t->pod_name && t->pod_namespace)
		fprintf(out, ", pod %s/%s", t->pod_namespace, t->pod_name);
	fputc('\n', out);
}

int bh_audit_write_table(const struct bh_audit_report *rep, bool color, FILE *out)
{
	const struct bh_audit_target *t;
	struct bh_audit_totals tot;

	bh_audit_for_each_target(rep, t, i)
	{
		size_t behaviour = 0;

		heading(t, out);
		for (size_t j = 0; j < t->n_items; j++) {
			const struct bh_audit_item *it = &t->items[j];

			/* the agent's rules: one line says so, not one each */
			if (it->verdict == BH_VERDICT_NA && it->evidence &&
			    strstr(it->evidence, "by the live agent")) {
				behaviour++;
				continue;
			}
			fprintf(out, "  %s%-4s%s %-8s %-32s %s", color ? colour(it) : "",
				bh_verdict_name(it->verdict), color ? RESET : "",
				it->verdict == BH_VERDICT_FAIL ? bh_severity_name(it->severity)
							       : "",
				it->id, it->cis && it->cis[0] ? it->cis : "-");
			if (it->verdict != BH_VERDICT_PASS && it->evidence)
				fprintf(out, "%*s %s",
					(int)(it->cis && strlen(it->cis) < 10 ? 10 - strlen(it->cis)
									      : 0),
					"", it->evidence);
			fputc('\n', out);
			if (it->verdict == BH_VERDICT_FAIL && it->remediation)
				fprintf(out, "  %57s fix: %s\n", "", it->remediation);
		}
		if (behaviour)
			fprintf(out,
				"  (%zu behaviour rules are judged as it runs by `bulkhead run`)\n",
				behaviour);
		fputc('\n', out);
	}
	bh_audit_report_totals(rep, &tot);
	fprintf(out,
		"%zu containers, %zu checks: %zu passed, %zu failed (%zu critical, %zu high, "
		"%zu medium, %zu low), %zu not applicable\n",
		rep->n_containers, tot.checks, tot.pass, tot.fail,
		tot.fail_by_severity[BH_SEV_CRITICAL], tot.fail_by_severity[BH_SEV_HIGH],
		tot.fail_by_severity[BH_SEV_MEDIUM], tot.fail_by_severity[BH_SEV_LOW], tot.na);
	return 0;
}
