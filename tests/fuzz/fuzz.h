/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* fuzz.h - what the libFuzzer targets share: the entry point and the checks on output lines. */
#ifndef BULKHEAD_FUZZ_H
#define BULKHEAD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed check is a crash, so libFuzzer keeps the input that caused it. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/*
 * An output line: ends in its only newline, is at most max bytes, and is exactly one
 * JSON object (strict grammar, valid UTF-8). Returns the parsed object for more checks.
 */
static inline struct json_object *fuzz_check_line(const char *line, size_t len, size_t max)
{
	struct json_object *obj;

	FUZZ_CHECK(len > 0 && len <= max);
	FUZZ_CHECK(line[len - 1] == '\n');
	FUZZ_CHECK(memchr(line, '\n', len - 1) == NULL);
	FUZZ_CHECK(memchr(line, '\0', len) == NULL);
	obj = bh_test_parse(line, len - 1);
	FUZZ_CHECK(obj != NULL);
	FUZZ_CHECK(json_object_is_type(obj, json_type_object));
	return obj;
}

#endif
