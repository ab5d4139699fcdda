// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* format_json.c - the audit as one JSON document (schema: deploy/schema/bulkhead-audit-v1). */
#include <errno.h>
#include <string.h>

#include "core/json_writer.h"
#include "report.h"

static void item_json(struct bh_json *w, const struct bh_audit_item *it)
{
	bh_json_obj_begin(w);
	bh_json_key_str(w, "id", it->id);
	bh_json_key_str(w, "verdict", bh_verdict_name(it->verdict));
	bh_json_key_str(w, "severity", bh_severity_name(it->severity));
	bh_json_key_str(w, "title", it->title);
	bh_json_key(w, "compliance");
	bh_json_obj_begin(w);
	bh_json_key_csv(w, "cis", it->cis);
	bh_json_key_csv(w, "attack", it->attack);
	bh_json_obj_end(w);
	bh_json_key_str_opt(w, "evidence", it->evidence);
	if (it->verdict == BH_VERDICT_FAIL)
		bh_json_key_str_opt(w, "remediation", it->remediation);
	bh_json_obj_end(w);
}

static void target_json(struct bh_json *w, const struct bh_audit_target *t)
{
	bh_json_obj_begin(w);
	bh_json_key_str(w, "id", t->id);
	bh_json_key_str_opt(w, "name", t->name);
	bh_json_key_str_opt(w, "image", t->image);
	bh_json_key_str_opt(w, "runtime", t->runtime);
	if (t->pod_name) {
		bh_json_key(w, "pod");
		bh_json_obj_begin(w);
		bh_json_key_str(w, "name", t->pod_name);
		bh_json_key_str_opt(w, "namespace", t->pod_namespace);
		bh_json_obj_end(w);
	}
	bh_json_key_bool(w, "running", t->running);
	bh_json_key(w, "checks");
	bh_json_arr_begin(w);
	for (size_t j = 0; j < t->n_items; j++)
		item_json(w, &t->items[j]);
	bh_json_arr_end(w);
	bh_json_obj_end(w);
}

int bh_audit_write_json(const struct bh_audit_report *rep, FILE *out)
{
	struct bh_audit_totals tot;
	struct bh_json w;
	int err = 0;

	bh_json_init(&w);
	bh_json_obj_begin(&w);
	bh_json_key_int(&w, "schema", 1);
	bh_json_key_str(&w, "type", "audit");
	bh_json_key_time(&w, "time", rep->time_ns / 1000000000, (long)(rep->time_ns % 1000000000));
	bh_json_key_str(&w, "hostname", rep->hostname);
	if (rep->has_host) {
		bh_json_key(&w, "host");
		target_json(&w, &rep->host);
	}
	bh_json_key(&w, "containers");
	bh_json_arr_begin(&w);
	for (size_t i = 0; i < rep->n_containers; i++)
		target_json(&w, &rep->containers[i]);
	bh_json_arr_end(&w);
	bh_audit_report_totals(rep, &tot);
	bh_json_key(&w, "totals");
	bh_json_obj_begin(&w);
	bh_json_key_uint(&w, "containers", rep->n_containers);
	bh_json_key_uint(&w, "checks", tot.checks);
	bh_json_key_uint(&w, "pass", tot.pass);
	bh_json_key_uint(&w, "fail", tot.fail);
	bh_json_key_uint(&w, "na", tot.na);
	bh_json_key(&w, "fail_by_severity");
	bh_json_obj_begin(&w);
	for (int s = 0; s < BH_SEV_COUNT; s++)
		bh_json_key_uint(&w, bh_severity_name((unsigned int)s), tot.fail_by_severity[s]);
	bh_json_obj_end(&w);
	bh_json_obj_end(&w);
	bh_json_obj_end(&w);
	bh_json_newline(&w);
	if (bh_json_failed(&w))
		err = -ENOMEM;
	else
		fwrite(bh_json_data(&w), 1, bh_json_len(&w), out);
	bh_json_free(&w);
	return err;
}
