// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* file.c - reading a whole file by chunks, so that procfs files (size 0 to stat) read whole. */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bh_read_file(const char *path, char **out, size_t *out_len)
{
	char buf[4096], *text;
	size_t n, len = 0;
	int err = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	text = malloc(1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		char *t = realloc(text, len + n + 1);

		if (!t) {
			err = -ENOMEM;
			break;
		}
		text = t;
		memcpy(text + len, buf, n);
		len += n;
	}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	if (err) {
		free(text);
		return err;
	}
	text[len] = '\0';
	*out = text;
	*out_len = len;
	return 0;
}
