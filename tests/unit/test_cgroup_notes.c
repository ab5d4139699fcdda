// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_cgroup_notes.c - the resolver's bounded cgroup id -> path memory (oldest goes first). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "container/cgroup.h"

static void test_put_get(void **state)
{
	struct bh_cgroup_notes n;

	(void)state;
	assert_int_equal(bh_cgroup_notes_init(&n, 4), 0);
	assert_null(bh_cgroup_notes_get(&n, 0, 42));
	/* len bounds the copy: the record's tail is not NUL-terminated */
	assert_int_equal(bh_cgroup_notes_put(&n, 0, 42, "/docker/abcXYZ", 11), 0);
	assert_string_equal(bh_cgroup_notes_get(&n, 0, 42), "/docker/abc");
	/* the same id in another hierarchy is another cgroup */
	assert_null(bh_cgroup_notes_get(&n, 4, 42));
	assert_int_equal(bh_cgroup_notes_put(&n, 4, 42, "/v1", 3), 0);
	assert_string_equal(bh_cgroup_notes_get(&n, 4, 42), "/v1");
	assert_string_equal(bh_cgroup_notes_get(&n, 0, 42), "/docker/abc");
	/* a second note of one cgroup replaces the first and takes no slot */
	assert_int_equal(bh_cgroup_notes_put(&n, 0, 42, "/new", 4), 0);
	assert_string_equal(bh_cgroup_notes_get(&n, 0, 42), "/new");
	bh_cgroup_notes_fini(&n);
	assert_null(bh_cgroup_notes_get(&n, 0, 42));
}

/* Past its capacity the table forgets the oldest notes, every other one stays found. */
static void test_eviction(void **state)
{
	enum { CAP = 8, PUT = 3 * CAP + 3 };
	struct bh_cgroup_notes n;
	char path[32];

	(void)state;
	assert_int_equal(bh_cgroup_notes_init(&n, CAP), 0);
	for (unsigned int i = 1; i <= PUT; i++) {
		snprintf(path, sizeof(path), "/c%u", i);
		assert_int_equal(bh_cgroup_notes_put(&n, 0, i * 1024, path, strlen(path)), 0);
	}
	for (unsigned int i = 1; i <= PUT; i++) {
		const char *got = bh_cgroup_notes_get(&n, 0, i * 1024);

		if (i <= PUT - CAP) {
			assert_null(got);
			continue;
		}
		snprintf(path, sizeof(path), "/c%u", i);
		assert_non_null(got);
		assert_string_equal(got, path);
	}
	bh_cgroup_notes_fini(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
		cmocka_unit_test(test_eviction),
	};

	return cmocka_run_group_tests_name("cgroup_notes", tests, NULL, NULL);
}
