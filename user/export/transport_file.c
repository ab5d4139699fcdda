// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * transport_file.c - records appended to a file that rotates past max_size
 * (path -> path.1 -> ... -> path.KEEP) and is reopened on SIGUSR1, after
 * logrotate moved it (create mode). O_APPEND makes logrotate's copytruncate
 * safe too: after the truncation the next write lands at the new end.
 */
#include "export_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define FILE_MODE     0640
#define IOV_MAX_BATCH 64

struct conn {
	int fd;
};

static int file_open(struct bh_export *e, struct conn *c)
{
	c->fd = open(e->spec.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, FILE_MODE);
	if (c->fd >= 0)
		return 0;
	bh_export_fail_log(e, "cannot open %s: %s", e->spec.path, strerror(errno));
	return -errno;
}

/* path.(i) -> path.(i+1) from the oldest, the current file -> path.1, and a new one. */
static int rotate(struct bh_export *e, struct conn *c)
{
	size_t len = strlen(e->spec.path) + 16;
	char *from = malloc(len), *to = malloc(len);
	int err = -ENOMEM;

	if (!from || !to)
		goto out;
	for (unsigned int i = e->spec.keep; i > 1; i--) {
		snprintf(from, len, "%s.%u", e->spec.path, i - 1);
		snprintf(to, len, "%s.%u", e->spec.path, i);
		if (rename(from, to) && errno != ENOENT)
			bh_export_fail_log(e, "cannot rotate %s: %s", from, strerror(errno));
	}
	snprintf(to, len, "%s.1", e->spec.path);
	if (rename(e->spec.path, to) && errno != ENOENT)
		bh_export_fail_log(e, "cannot rotate %s: %s", e->spec.path, strerror(errno));
	close(c->fd);
	err = file_open(e, c);
out:
	free(from);
	free(to);
	return err;
}

static void file_close(struct bh_export *e)
{
	struct conn *c = e->conn;

	if (c && c->fd >= 0)
		close(c->fd);
	free(c);
	e->conn = NULL;
}

/* Writes recs [b->done, b->done + n) whole; b->done counts what was. */
static int write_recs(int fd, struct bh_export_batch *b, size_t n)
{
	struct iovec iov[IOV_MAX_BATCH];
	size_t first = b->done, k = 0;

	for (size_t i = 0; i < n && i < IOV_MAX_BATCH; i++, k++) {
		iov[i].iov_base = b->recs[first + i]->data;
		iov[i].iov_len = b->recs[first + i]->len;
	}
	while (k) {
		ssize_t w = writev(fd, iov, (int)k);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* a short write resumes inside the record it stopped in */
		while (k && (size_t)w >= iov[0].iov_len) {
			w -= (ssize_t)iov[0].iov_len;
			memmove(iov, iov + 1, --k * sizeof(*iov));
			b->done++;
		}
		if (k) {
			iov[0].iov_base = (char *)iov[0].iov_base + w;
			iov[0].iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int file_send(struct bh_export *e, struct bh_export_batch *b)
{
	struct conn *c = e->conn;
	struct stat st;
	int err;

	if (!c) {
		c = malloc(sizeof(*c));
		if (!c)
			return -ENOMEM;
		e->conn = c;
		err = file_open(e, c);
		if (err) {
			file_close(e);
			return err;
		}
	}
	while (b->done < b->n) {
		size_t n = 0, bytes = 0;

		/* the size now: logrotate's copytruncate may have emptied the file */
		if (fstat(c->fd, &st))
			return -errno;
		for (; b->done + n < b->n && n < IOV_MAX_BATCH; n++) {
			size_t len = b->recs[b->done + n]->len;

			if (e->spec.max_size && n &&
			    (uint64_t)st.st_size + bytes + len > e->spec.max_size)
				break;
			bytes += len;
		}
		if (e->spec.max_size && st.st_size &&
		    (uint64_t)st.st_size + bytes > e->spec.max_size) {
			err = rotate(e, c);
			if (err) {
				file_close(e);
				return err;
			}
		}
		err = write_recs(c->fd, b, n);
		if (err) {
			bh_export_fail_log(e, "cannot write %s: %s", e->spec.path, strerror(-err));
			file_close(e);
			return err;
		}
	}
	return 0;
}

const struct bh_export_transport bh_export_file = {
	.send = file_send,
	.close = file_close,
};
