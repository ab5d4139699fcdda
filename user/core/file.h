/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* file.h - a whole file read into memory (procfs files included, whose size stat reports 0). */
#ifndef BULKHEAD_FILE_H
#define BULKHEAD_FILE_H

#include <stddef.h>

/*
 * Reads the whole file at path into a NUL-terminated buffer the caller frees (*out_len
 * excludes the NUL; an empty file gives an empty string). Returns 0 or -errno.
 */
int bh_read_file(const char *path, char **out, size_t *out_len);

#endif
