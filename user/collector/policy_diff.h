/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_diff.h - `bulkhead policy check FILE --against CAPTURE`: replays a capture under
 * the policy in force and under FILE, and prints the findings FILE would add, remove or
 * accept.
 */
#ifndef BULKHEAD_POLICY_DIFF_H
#define BULKHEAD_POLICY_DIFF_H

struct bh_policy_diff_opts {
	const char *candidate; /* the policy file to try */
	const char *current;   /* the policy in force; NULL: the built-in one */
	const char *capture;
};

/* Prints the differences on stdout. Returns the exit code: 0, 1 (capture), 2 (a policy). */
int bh_policy_diff_run(const struct bh_policy_diff_opts *o);

#endif
