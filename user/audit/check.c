// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* check.c - the names of the verdicts. */
#include "check.h"

const char *bh_verdict_name(enum bh_verdict v)
{
	switch (v) {
	case BH_VERDICT_PASS:
		return "PASS";
	case BH_VERDICT_FAIL:
		return "FAIL";
	default:
		return "N/A";
	}
}
