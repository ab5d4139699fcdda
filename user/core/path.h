/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* path.h - lexical path helpers: normalization, containment, the last component. */
#ifndef BULKHEAD_PATH_H
#define BULKHEAD_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Room for a normalized mount source or socket path. */
#define BH_NORM_PATH_MAX 4096

/* Lexical normalization of an absolute path ("//", "/./", "..", trailing "/"). */
void bh_path_normalize(const char *in, char *out, size_t size);
/* path (normalized) is base or below it; "/" as base matches only "/". */
bool bh_path_within(const char *path, const char *base);
/* The last component of a path (the whole string when it has no '/'). */
const char *bh_basename(const char *path);

#endif
