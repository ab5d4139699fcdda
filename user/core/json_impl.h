/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json_impl.h - what the JSON writer (json_writer.c) shares with its time formatting
 * (json_time.c) (internal): numbers written two digits at a time.
 */
#ifndef BULKHEAD_JSON_IMPL_H
#define BULKHEAD_JSON_IMPL_H

#include <stdint.h>
#include <string.h>

/* Two digits per step: "00" to "99". */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
				  "31323334353637383940414243444546474849505152535455565758596061"
				  "6263646566676869707172737475767778798081828384858687888990919293"
				  "949596979899";

/* The two digits of v (below 100) at p. */
static inline void put_pair(char *p, uint64_t v)
{
	memcpy(p, digit_pairs + 2 * v, 2);
}

#endif
