// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* report.c - the audit's verdicts kept in memory, their totals, and the choice of format. */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	return src && !(*dst = strdup(src)) ? -ENOMEM : 0;
}

int bh_audit_target_add(struct bh_audit_target *t, const struct bh_check_result *r)
{
	struct bh_audit_item *items = realloc(t->items, (t->n_items + 1) * sizeof(*items));
	struct bh_audit_item *it;

	if (!items)
		return -ENOMEM;
	t->items = items;
	it = &items[t->n_items++];
	memset(it, 0, sizeof(*it));
	it->severity = r->severity;
	it->verdict = r->verdict;
	if (dup_opt(&it->id, r->id) || dup_opt(&it->title, r->title) || dup_opt(&it->cis, r->cis) ||
	    dup_opt(&it->attack, r->attack) || dup_opt(&it->evidence, r->evidence) ||
	    dup_opt(&it->remediation, r->remediation))
		return -ENOMEM;
	return 0;
}

struct bh_audit_target *bh_audit_report_add(struct bh_audit_report *rep)
{
	struct bh_audit_target *c = realloc(rep->containers, (rep->n_containers + 1) * sizeof(*c));

	if (!c)
		return NULL;
	rep->containers = c;
	c = &c[rep->n_containers++];
	memset(c, 0, sizeof(*c));
	return c;
}

static void target_free(struct bh_audit_target *t)
{
	for (size_t i = 0; i < t->n_items; i++) {
		struct bh_audit_item *it = &t->items[i];

		free(it->id);
		free(it->title);
		free(it->cis);
		free(it->attack);
		free(it->evidence);
		free(it->remediation);
	}
	free(t->items);
	free(t->id);
	free(t->name);
	free(t->image);
	free(t->runtime);
	free(t->pod_name);
	free(t->pod_namespace);
}

void bh_audit_report_free(struct bh_audit_report *rep)
{
	target_free(&rep->host);
	for (size_t i = 0; i < rep->n_containers; i++)
		target_free(&rep->containers[i]);
	free(rep->containers);
	free(rep->hostname);
	memset(rep, 0, sizeof(*rep));
}

const struct bh_audit_target *bh_audit_target_at(const struct bh_audit_report *rep, size_t i)
{
	if (rep->has_host) {
		if (i == 0)
			return &rep->host;
		i--;
	}
	return i < rep->n_containers ? &rep->containers[i] : NULL;
}

void bh_audit_report_totals(const struct bh_audit_report *rep, struct bh_audit_totals *tot)
{
	const struct bh_audit_target *t;

	memset(tot, 0, sizeof(*tot));
	bh_audit_for_each_target(rep, t, i)
	{
		for (size_t j = 0; j < t->n_items; j++) {
			const struct bh_audit_item *it = &t->items[j];

			tot->checks++;
			if (it->verdict == BH_VERDICT_PASS) {
				tot->pass++;
			} else if (it->verdict == BH_VERDICT_FAIL) {
				tot->fail++;
				if (it->severity < BH_SEV_COUNT)
					tot->fail_by_severity[it->severity]++;
			} else {
				tot->na++;
			}
		}
	}
}

int bh_audit_write(const struct bh_audit_report *rep, enum bh_audit_format format, bool color,
		   FILE *out)
{
	int err;

	switch (format) {
	case BH_AUDIT_JSON:
		err = bh_audit_write_json(rep, out);
		break;
	case BH_AUDIT_JUNIT:
		err = bh_audit_write_junit(rep, out);
		break;
	case BH_AUDIT_SARIF:
		err = bh_audit_write_sarif(rep, out);
		break;
	default:
		err = bh_audit_write_table(rep, color, out);
		break;
	}
	if (!err && (fflush(out) || ferror(out)))
		err = -EIO;
	return err;
}
