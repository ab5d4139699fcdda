/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * check.h - one verdict of `bulkhead audit`: a check's id, its compliance ids, PASS / FAIL /
 * N/A, the evidence and the fix. The container checks (the configuration rules) and the
 * host and daemon checks (host.h) both report through it.
 *
 * audit/ (on core/, container/ and rules/) offers the audit: its checks and its reports.
 */
#ifndef BULKHEAD_AUDIT_CHECK_H
#define BULKHEAD_AUDIT_CHECK_H

#include "core/catalogue.h"

enum bh_verdict {
	BH_VERDICT_PASS,
	BH_VERDICT_FAIL,
	BH_VERDICT_NA, /* does not apply here, or cannot be told (the evidence says which) */
};

struct bh_check_result {
	const char *id;	    /* stable: a rule id, or "host-..." / "daemon-..." */
	const char *title;  /* what is checked, one line */
	const char *cis;    /* CIS Docker Benchmark 1.6 control ids, "2.14" or "3.15,3.16" */
	const char *attack; /* MITRE ATT&CK technique ids, "T1611" or "T1611,T1068"; or NULL */
	enum bh_severity severity; /* of a FAIL */
	enum bh_verdict verdict;
	const char *evidence;	 /* one line: what was read, and where from */
	const char *remediation; /* the fix of a FAIL */
};

/* Called once per check; r and its strings are valid during the call only. */
typedef void (*bh_check_fn)(const struct bh_check_result *r, void *ctx);

/* "PASS", "FAIL", "N/A". */
const char *bh_verdict_name(enum bh_verdict v);

#endif
