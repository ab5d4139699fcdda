// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* stream.c - the agent's root-only unix socket that repeats its JSON lines to live viewers. */
#define _GNU_SOURCE /* accept4, struct ucred */
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/log.h"

struct client {
	int fd;
	char *backlog; /* bytes the socket did not take yet: always whole lines' ends */
	size_t len;
	size_t cap;
	uint64_t lost;
};

struct bh_stream {
	int fd;
	char *path;
	dev_t dev;
	ino_t ino; /* of the socket file we bound: close removes only ours */
	struct client clients[BH_STREAM_MAX_CLIENTS];
	int nclients;
	struct bh_stream_stats st;
};

static int fill_addr(const char *path, struct sockaddr_un *sa)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

int bh_stream_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, err = fill_addr(path, &sa);

	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	/* Blocking connect, then non-blocking reads: the caller polls. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The directory of path, created 0700 when missing (one level: /run exists). */
static int make_parent(const char *path)
{
	char *dir = strdup(path), *slash;
	int err = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			err = -errno;
	}
	free(dir);
	return err;
}

/* An existing file at path: a stale socket is removed, anything else stays and is an error. */
static int clear_stale(const char *path)
{
	struct stat st;
	int fd;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		bh_error("event socket %s: a file that is not a socket is in the way; remove it or "
			 "choose another path with --socket",
			 path);
		return -EEXIST;
	}
	fd = bh_stream_connect(path);
	if (fd >= 0) {
		close(fd);
		bh_error("event socket %s: another bulkhead agent serves it; stop that agent, or "
			 "use --socket PATH or --no-socket",
			 path);
		return -EADDRINUSE;
	}
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

int bh_stream_open(const char *path, struct bh_stream **out)
{
	struct bh_stream *s;
	struct sockaddr_un sa;
	struct stat st;
	mode_t old_mask;
	int err;

	*out = NULL;
	err = fill_addr(path, &sa);
	if (err) {
		bh_error("event socket %s: the path is too long for a unix socket (%zu bytes at "
			 "most)",
			 path, sizeof(sa.sun_path) - 1);
		return err;
	}
	err = make_parent(path);
	if (err) {
		bh_error("event socket %s: cannot create its directory: %s", path, strerror(-err));
		return err;
	}
	err = clear_stale(path);
	if (err)
		return err;

	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return -ENOMEM;
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		err = -errno;
		goto fail;
	}
	/* The umask makes bind create the file 0600: no window where others may connect. */
	old_mask = umask(0177);
	err = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old_mask);
	if (err)
		goto fail;
	if (chmod(path, 0600) || stat(path, &st) || listen(s->fd, BH_STREAM_MAX_CLIENTS)) {
		err = -errno;
		unlink(path);
		goto fail;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	*out = s;
	return 0;
fail:
	bh_error("event socket %s: %s", path, strerror(-err));
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
	return err;
}

int bh_stream_fd(const struct bh_stream *s)
{
	return s->fd;
}

/* Root-only on top of the file mode: the peer's credentials as the kernel saw them. */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

int bh_stream_accept(struct bh_stream *s)
{
	int n = 0;

	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break; /* EAGAIN: nobody else waits */
		}
		if (!peer_allowed(fd)) {
			s->st.refused++;
			bh_warn("event socket: refused a client that is not root");
			close(fd);
			continue;
		}
		if (s->nclients == BH_STREAM_MAX_CLIENTS) {
			s->st.refused++;
			bh_warn("event socket: refused a client: %d are attached already",
				BH_STREAM_MAX_CLIENTS);
			close(fd);
			continue;
		}
		/* Clients only read: what they might write is of no interest. */
		shutdown(fd, SHUT_RD);
		s->clients[s->nclients++] = (struct client){ .fd = fd };
		s->st.accepted++;
		n++;
		bh_debug("event socket: client attached (%d now)", s->nclients);
	}
	return n;
}

static void drop_client(struct bh_stream *s, int i)
{
	close(s->clients[i].fd);
	free(s->clients[i].backlog);
	s->clients[i] = s->clients[--s->nclients];
	s->st.gone++;
}

/* Sends what the socket takes now. Returns bytes sent, or -1 when the client is gone. */
static ssize_t send_some(int fd, const char *p, size_t len)
{
	ssize_t n;

	do
		n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	return errno == EAGAIN ? 0 : -1;
}

/* Returns false when the client is gone. */
static bool flush_backlog(struct client *c)
{
	ssize_t n;

	if (!c->len)
		return true;
	n = send_some(c->fd, c->backlog, c->len);
	if (n < 0)
		return false;
	memmove(c->backlog, c->backlog + n, c->len - (size_t)n);
	c->len -= (size_t)n;
	return true;
}

static bool send_line(struct bh_stream *s, struct client *c, const char *line, size_t len)
{
	ssize_t n = 0;

	if (!flush_backlog(c))
		return false;
	if (!c->len) {
		n = send_some(c->fd, line, len);
		if (n < 0)
			return false;
		if ((size_t)n == len)
			return true;
	}
	/*
	 * Once a line is partly sent its rest must follow, so the backlog takes it even
	 * beyond the bound; a line not started is dropped whole when it does not fit.
	 */
	if (!n && c->len + len > BH_STREAM_BACKLOG_BYTES) {
		c->lost++;
		s->st.lost_lines++;
		return true;
	}
	if (c->len + len - (size_t)n > c->cap) {
		size_t cap = c->len + len - (size_t)n;
		char *p;

		if (cap < BH_STREAM_BACKLOG_BYTES)
			cap = BH_STREAM_BACKLOG_BYTES;
		p = realloc(c->backlog, cap);
		if (!p)
			return false;
		c->backlog = p;
		c->cap = cap;
	}
	memcpy(c->backlog + c->len, line + n, len - (size_t)n);
	c->len += len - (size_t)n;
	return true;
}

void bh_stream_broadcast(struct bh_stream *s, const char *line, size_t len)
{
	for (int i = 0; i < s->nclients;) {
		if (send_line(s, &s->clients[i], line, len)) {
			i++;
			continue;
		}
		bh_debug("event socket: client detached (%llu lines lost to it)",
			 (unsigned long long)s->clients[i].lost);
		drop_client(s, i);
	}
}

int bh_stream_send_newest(struct bh_stream *s, int n, const char *line, size_t len)
{
	/* the newest are the last n: a dropped one's place takes the last, also one of them */
	for (int i = s->nclients - n; i < s->nclients;) {
		if (send_line(s, &s->clients[i], line, len)) {
			i++;
			continue;
		}
		drop_client(s, i);
		n--;
	}
	return n;
}

void bh_stream_get_stats(const struct bh_stream *s, struct bh_stream_stats *st)
{
	*st = s->st;
	st->clients = (uint64_t)s->nclients;
}

void bh_stream_close(struct bh_stream *s)
{
	struct stat st;

	if (!s)
		return;
	while (s->nclients)
		drop_client(s, 0);
	close(s->fd);
	/* A newer agent may have replaced the file since: remove only the one we made. */
	if (!stat(s->path, &st) && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	free(s->path);
	free(s);
}

int bh_line_reader_init(struct bh_line_reader *r, int fd, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->buf = malloc(cap + 1);
	if (!r->buf)
		return -ENOMEM;
	r->fd = fd;
	r->cap = cap;
	return 0;
}

void bh_line_reader_free(struct bh_line_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

int bh_line_reader_fill(struct bh_line_reader *r)
{
	ssize_t n;

	/* Move the unfinished line to the front to make room. */
	if (r->start) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	if (r->len == r->cap) {
		/* A line longer than the buffer: skip it up to its newline. */
		r->too_long++;
		r->skipping = 1;
		r->len = 0;
	}
	do
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (r->skipping && n > 0) {
		char *nl = memchr(r->buf, '\n', (size_t)n);

		if (!nl)
			return (int)n;
		r->skipping = 0;
		memmove(r->buf, nl + 1, (size_t)n - (size_t)(nl + 1 - r->buf));
		r->len = (size_t)n - (size_t)(nl + 1 - r->buf);
		return (int)n;
	}
	r->len += (size_t)n;
	return (int)n;
}

char *bh_line_reader_next(struct bh_line_reader *r, size_t *len)
{
	char *line = r->buf + r->start;
	char *nl = memchr(line, '\n', r->len - r->start);

	if (!nl)
		return NULL;
	*nl = '\0';
	*len = (size_t)(nl - line);
	r->start += *len + 1;
	return line;
}
