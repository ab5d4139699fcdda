// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sink.c - batched, line-atomic writes to stdout. */
#include "sink.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int bh_sink_init(struct bh_sink *s, int fd, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->buf = malloc(cap);
	if (!s->buf)
		return -ENOMEM;
	s->fd = fd;
	s->cap = cap;
	return 0;
}

void bh_sink_free(struct bh_sink *s)
{
	free(s->buf);
	s->buf = NULL;
}

static int write_all(struct bh_sink *s, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(s->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* A non-blocking stdout that is full: wait until it drains. */
				struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };

				poll(&pfd, 1, -1);
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
		s->bytes += (size_t)n;
	}
	return 0;
}

int bh_sink_flush(struct bh_sink *s)
{
	int err;

	if (s->error || !s->len)
		return s->error;
	err = write_all(s, s->buf, s->len);
	s->len = 0;
	if (err)
		s->error = err;
	return err;
}

int bh_sink_line(struct bh_sink *s, const char *line, size_t len)
{
	if (s->error)
		return s->error;
	if (s->len + len > s->cap) {
		int err = bh_sink_flush(s);

		if (err)
			return err;
		if (len > s->cap) {
			s->lines++;
			err = write_all(s, line, len);
			if (err)
				s->error = err;
			return err;
		}
	}
	memcpy(s->buf + s->len, line, len);
	s->len += len;
	s->lines++;
	return 0;
}
