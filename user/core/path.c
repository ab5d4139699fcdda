// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* path.c - lexical path normalization and containment, without touching a filesystem. */
#include "path.h"

#include <string.h>

void bh_path_normalize(const char *in, char *out, size_t size)
{
	size_t len = 0;
	const char *p = in;

	if (!size)
		return;
	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* empty or "." component */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else if (len + 1 + n < size) {
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p = end;
	}
	if (!len && size > 1)
		out[len++] = '/';
	out[len] = '\0';
}

bool bh_path_within(const char *path, const char *base)
{
	size_t n = strlen(base);

	if (!strcmp(base, "/"))
		return !strcmp(path, "/");
	return !strncmp(path, base, n) && (path[n] == '\0' || path[n] == '/');
}

const char *bh_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}
