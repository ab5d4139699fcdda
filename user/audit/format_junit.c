// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format_junit.c - the audit as JUnit XML for CI: a test suite per target, a test case per
 * check; FAIL is a failure, N/A a skipped test.
 */
#include <string.h>

#include "core/json_writer.h"
#include "report.h"

/* s as XML character data or attribute value; characters XML 1.0 cannot hold become '?'. */
static void xml_text(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			fputc(*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r' ? '?' : *p, out);
		}
	}
}

/* "host", or "container.NAME" (the id when it has no name). */
static void suite_name(FILE *out, const struct bh_audit_target *t)
{
	if (!strcmp(t->id, "host")) {
		fputs("host", out);
		return;
	}
	fputs("container.", out);
	xml_text(out, t->name ? t->name : t->id);
}

static void testcase(FILE *out, const struct bh_audit_target *t, const struct bh_audit_item *it)
{
	fputs("    <testcase classname=\"", out);
	suite_name(out, t);
	fputs("\" name=\"", out);
	xml_text(out, it->id);
	fputs("\">\n", out);
	if (it->verdict == BH_VERDICT_FAIL) {
		fprintf(out, "      <failure type=\"%s\" message=\"",
			bh_severity_name(it->severity));
		xml_text(out, it->evidence);
		fputs("\">", out);
		xml_text(out, it->title);
		fputs("\nCIS Docker Benchmark 1.6: ", out);
		xml_text(out, it->cis && it->cis[0] ? it->cis : "-");
		fputs("\nATT&amp;CK: ", out);
		xml_text(out, it->attack ? it->attack : "-");
		fputs("\nfix: ", out);
		xml_text(out, it->remediation);
		fputs("</failure>\n", out);
	} else if (it->verdict == BH_VERDICT_NA) {
		fputs("      <skipped message=\"", out);
		xml_text(out, it->evidence);
		fputs("\"/>\n", out);
	}
	fputs("    </testcase>\n", out);
}

int bh_audit_write_junit(const struct bh_audit_report *rep, FILE *out)
{
	const struct bh_audit_target *t;
	struct bh_audit_totals tot;
	char when[40];

	bh_audit_report_totals(rep, &tot);
	bh_json_time(when, sizeof(when), rep->time_ns / 1000000000,
		     (long)(rep->time_ns % 1000000000));
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out,
		"<testsuites name=\"bulkhead audit\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"%zu\">\n",
		tot.checks, tot.fail, tot.na);
	bh_audit_for_each_target(rep, t, i)
	{
		size_t fail = 0, na = 0;

		for (size_t j = 0; j < t->n_items; j++) {
			fail += t->items[j].verdict == BH_VERDICT_FAIL;
			na += t->items[j].verdict == BH_VERDICT_NA;
		}
		fprintf(out, "  <testsuite id=\"%zu\" name=\"", i);
		suite_name(out, t);
		fprintf(out,
			"\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\" "
			"timestamp=\"%.19s\" hostname=\"",
			t->n_items, fail, na, when);
		xml_text(out, rep->hostname);
		fputs("\">\n", out);
		for (size_t j = 0; j < t->n_items; j++)
			testcase(out, t, &t->items[j]);
		fputs("  </testsuite>\n", out);
	}
	fputs("</testsuites>\n", out);
	return 0;
}
