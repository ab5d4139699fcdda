/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report.h - what `bulkhead audit` found: the host's and each container's verdicts
 * (check.h), kept until written in one of the report formats.
 */
#ifndef BULKHEAD_AUDIT_REPORT_H
#define BULKHEAD_AUDIT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"

/* One verdict, its strings owned. */
struct bh_audit_item {
	char *id, *title, *cis, *attack, *evidence, *remediation;
	enum bh_severity severity;
	enum bh_verdict verdict;
};

/* What the verdicts are about: the host, or one container. */
struct bh_audit_target {
	char *id;						 /* "host", or the container id */
	char *name, *image, *runtime, *pod_name, *pod_namespace; /* NULL when unknown */
	bool running;
	struct bh_audit_item *items;
	size_t n_items;
};

struct bh_audit_report {
	char *hostname;
	int64_t time_ns; /* wall clock of the audit */
	bool has_host;
	struct bh_audit_target host;
	struct bh_audit_target *containers;
	size_t n_containers;
};

enum bh_audit_format {
	BH_AUDIT_TABLE,
	BH_AUDIT_JSON,
	BH_AUDIT_JUNIT,
	BH_AUDIT_SARIF,
};

/* Appends a copy of r to t: 0 or -ENOMEM. */
int bh_audit_target_add(struct bh_audit_target *t, const struct bh_check_result *r);
/* A new container target at the end of the report (NULL without memory). */
struct bh_audit_target *bh_audit_report_add(struct bh_audit_report *rep);
void bh_audit_report_free(struct bh_audit_report *rep);

struct bh_audit_totals {
	size_t checks, pass, fail, na;
	size_t fail_by_severity[BH_SEV_COUNT];
};
void bh_audit_report_totals(const struct bh_audit_report *rep, struct bh_audit_totals *t);

/* Every target of the report in order, the host first when it has one. */
#define bh_audit_for_each_target(rep, t, i)                                                        \
	for (size_t i = 0; ((t) = bh_audit_target_at(rep, i)); i++)
const struct bh_audit_target *bh_audit_target_at(const struct bh_audit_report *rep, size_t i);

/* Writes the report; color: ANSI colours (table only). Returns 0 or -EIO. */
int bh_audit_write(const struct bh_audit_report *rep, enum bh_audit_format format, bool color,
		   FILE *out);

/* The formats, one file each. */
int bh_audit_write_table(const struct bh_audit_report *rep, bool color, FILE *out);
int bh_audit_write_json(const struct bh_audit_report *rep, FILE *out);
int bh_audit_write_junit(const struct bh_audit_report *rep, FILE *out);
int bh_audit_write_sarif(const struct bh_audit_report *rep, FILE *out);

#endif
