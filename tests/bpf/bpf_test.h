/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* bpf_test.h - what the tests of the real BPF programs share. */
#ifndef BULKHEAD_BPF_TEST_H
#define BULKHEAD_BPF_TEST_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* CI=true or BULKHEAD_REQUIRE_BPF=1: a test that cannot load BPF fails instead of skipping. */
static inline bool bh_test_bpf_required(void)
{
	const char *req = getenv("BULKHEAD_REQUIRE_BPF"), *ci = getenv("CI");

	return (req && !strcmp(req, "1")) || (ci && !strcmp(ci, "true"));
}

#endif /* BULKHEAD_BPF_TEST_H */
