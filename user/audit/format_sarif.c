// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format_sarif.c - the audit as SARIF 2.1.0 for code-scanning consumers: a reporting
 * descriptor per check, a result per verdict (kind fail, pass or notApplicable), located
 * at its container by a logical location.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_writer.h"
#include "report.h"

/* GitHub's code scanning reads a 0-10 "security-severity" of a rule. */
static const char *const security_severity[BH_SEV_COUNT] = { "3.0", "5.0", "8.0", "9.5" };

static const char *level(const struct bh_audit_item *it)
{
	if (it->verdict != BH_VERDICT_FAIL)
		return "none";
	return it->severity >= BH_SEV_HIGH     ? "error"
	       : it->severity == BH_SEV_MEDIUM ? "warning"
					       : "note";
}

/* The index of id among the first n distinct check ids of the report (n when new). */
static size_t rule_index(const char *const *ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return i;
	return n;
}

static void descriptor(struct bh_json *w, const struct bh_audit_item *it)
{
	bh_json_obj_begin(w);
	bh_json_key_str(w, "id", it->id);
	bh_json_key(w, "shortDescription");
	bh_json_obj_begin(w);
	bh_json_key_str(w, "text", it->title);
	bh_json_obj_end(w);
	bh_json_key(w, "help");
	bh_json_obj_begin(w);
	bh_json_key_str(w, "text", it->remediation ? it->remediation : it->title);
	bh_json_obj_end(w);
	bh_json_key(w, "properties");
	bh_json_obj_begin(w);
	bh_json_key_csv(w, "cis", it->cis);
	bh_json_key_csv(w, "attack", it->attack);
	bh_json_key_str(w, "security-severity",
			security_severity[it->severity < BH_SEV_COUNT ? it->severity : 0]);
	bh_json_obj_end(w);
	bh_json_obj_end(w);
}

static void result(struct bh_json *w, const struct bh_audit_target *t,
		   const struct bh_audit_item *it, size_t index)
{
	static const char *const kinds[] = { "pass", "fail", "notApplicable" };
	char fqn[128];

	bh_json_obj_begin(w);
	bh_json_key_str(w, "ruleId", it->id);
	bh_json_key_uint(w, "ruleIndex", index);
	bh_json_key_str(w, "kind", kinds[it->verdict]);
	bh_json_key_str(w, "level", level(it));
	bh_json_key(w, "message");
	bh_json_obj_begin(w);
	bh_json_key_str(w, "text", it->evidence ? it->evidence : it->title);
	bh_json_obj_end(w);
	snprintf(fqn, sizeof(fqn), "%s%s", strcmp(t->id, "host") ? "container/" : "", t->id);
	bh_json_key(w, "locations");
	bh_json_arr_begin(w);
	bh_json_obj_begin(w);
	bh_json_key(w, "logicalLocations");
	bh_json_arr_begin(w);
	bh_json_obj_begin(w);
	bh_json_key_str(w, "name", t->name ? t->name : t->id);
	bh_json_key_str(w, "fullyQualifiedName", fqn);
	bh_json_key_str(w, "kind", "resource");
	bh_json_obj_end(w);
	bh_json_arr_end(w);
	bh_json_obj_end(w);
	bh_json_arr_end(w);
	bh_json_obj_end(w);
}

int bh_audit_write_sarif(const struct bh_audit_report *rep, FILE *out)
{
	const struct bh_audit_target *t;
	const char **ids = NULL;
	size_t n_ids = 0, cap = 0;
	struct bh_json w;
	int err = 0;

	bh_json_init(&w);
	bh_json_obj_begin(&w);
	bh_json_key_str(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	bh_json_key_str(&w, "version", "2.1.0");
	bh_json_key(&w, "runs");
	bh_json_arr_begin(&w);
	bh_json_obj_begin(&w);
	bh_json_key(&w, "tool");
	bh_json_obj_begin(&w);
	bh_json_key(&w, "driver");
	bh_json_obj_begin(&w);
	bh_json_key_str(&w, "name", "bulkhead");
	bh_json_key_str(&w, "version", BULKHEAD_VERSION);
	bh_json_key(&w, "rules");
	bh_json_arr_begin(&w);
	bh_audit_for_each_target(rep, t, i)
	{
		for (size_t j = 0; j < t->n_items && !err; j++) {
			if (rule_index(ids, n_ids, t->items[j].id) < n_ids)
				continue;
			if (n_ids == cap) {
				const char **more =
					realloc(ids, (cap = cap * 2 + 32) * sizeof(*ids));

				if (!more) {
					err = -ENOMEM;
					break;
				}
				ids = more;
			}
			ids[n_ids++] = t->items[j].id;
			descriptor(&w, &t->items[j]);
		}
	}
	bh_json_arr_end(&w);
	bh_json_obj_end(&w);
	bh_json_obj_end(&w);
	bh_json_key(&w, "results");
	bh_json_arr_begin(&w);
	bh_audit_for_each_target(rep, t, i)
	{
		for (size_t j = 0; j < t->n_items && !err; j++)
			result(&w, t, &t->items[j], rule_index(ids, n_ids, t->items[j].id));
	}
	bh_json_arr_end(&w);
	bh_json_obj_end(&w);
	bh_json_arr_end(&w);
	bh_json_obj_end(&w);
	bh_json_newline(&w);
	if (!err && bh_json_failed(&w))
		err = -ENOMEM;
	if (!err)
		fwrite(bh_json_data(&w), 1, bh_json_len(&w), out);
	free(ids);
	bh_json_free(&w);
	return err;
}
