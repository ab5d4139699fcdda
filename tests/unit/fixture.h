/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* fixture.h - reads a recorded fixture from tests/data for the parser tests. */
#ifndef BULKHEAD_TEST_FIXTURE_H
#define BULKHEAD_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file TEST_DATA_DIR/name, NUL-terminated; aborts the test when unreadable. */
static inline char *bh_test_fixture(const char *name, size_t *len)
{
	char path[4096];
	char *buf = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read fixture %s\n", path);
		abort();
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

#endif
