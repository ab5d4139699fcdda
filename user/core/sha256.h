/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sha256.h - SHA-256 (FIPS 180-4) of a buffer, as lowercase hex: names the policy text a
 * reload took, so that a log line can be matched with the ConfigMap that was applied.
 */
#ifndef BULKHEAD_SHA256_H
#define BULKHEAD_SHA256_H

#include <stddef.h>

#define BH_SHA256_HEX_LEN 64

/* hex receives BH_SHA256_HEX_LEN characters and a NUL. */
void bh_sha256_hex(const void *data, size_t len, char hex[BH_SHA256_HEX_LEN + 1]);

#endif
