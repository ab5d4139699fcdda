// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * transport_syslog.c - syslog messages over udp (one datagram each), tcp
 * (RFC 6587 octet counting: "LEN SP MSG") and a unix datagram socket such as
 * /dev/log. A connection is opened on first use and again after a failure.
 */
#include "export_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 5000
#define SEND_TIMEOUT_S	   10

struct conn {
	int fd;
};

static struct conn *conn_of(struct bh_export *e)
{
	if (!e->conn) {
		struct conn *c = malloc(sizeof(*c));

		if (!c)
			return NULL;
		c->fd = -1;
		e->conn = c;
	}
	return e->conn;
}

/* connect(2) with a deadline: a host that drops packets must not hold the writer for minutes. */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int flags = fcntl(fd, F_GETFL), err = 0;
	socklen_t elen = sizeof(err);

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, sa, len) && errno != EINPROGRESS)
		return -errno;
	if (poll(&p, 1, CONNECT_TIMEOUT_MS) != 1)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err)
		return -(err ? err : errno);
	fcntl(fd, F_SETFL, flags);
	return 0;
}

static int open_inet(struct bh_export *e, struct conn *c)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC }, *res = NULL, *ai;
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	int err, gai;

	hints.ai_socktype = e->spec.kind == BH_EXPORT_SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM;
	gai = getaddrinfo(e->spec.host, e->spec.port, &hints, &res);
	if (gai) {
		bh_export_fail_log(e, "cannot resolve %s: %s", e->spec.host, gai_strerror(gai));
		return -EHOSTUNREACH;
	}
	err = -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (c->fd < 0) {
			err = -errno;
			continue;
		}
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		err = connect_timeout(c->fd, ai->ai_addr, ai->ai_addrlen);
		if (!err)
			break;
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (err)
		bh_export_fail_log(e, "cannot connect: %s", strerror(-err));
	return err;
}

static int open_unix(struct bh_export *e, struct conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	if (strlen(e->spec.path) >= sizeof(sa.sun_path)) {
		bh_export_fail_log(e, "the socket path is too long");
		return -ENAMETOOLONG;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", e->spec.path);
	c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (!connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return 0;
	err = -errno;
	bh_export_fail_log(e, "cannot connect to %s: %s", e->spec.path, strerror(-err));
	close(c->fd);
	c->fd = -1;
	return err;
}

/* A tcp receiver that closed its end: seen before writing into a connection that is gone. */
static bool peer_closed(int fd)
{
	char b;
	ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* "LEN " then the message, whole (octet counting, RFC 6587 3.4.1). */
static int send_counted(int fd, const struct bh_export_rec *r)
{
	char prefix[24];
	struct iovec iov[2] = { { prefix, 0 }, { (void *)r->data, r->len } };
	size_t left;

	iov[0].iov_len = (size_t)snprintf(prefix, sizeof(prefix), "%zu ", r->len);
	left = iov[0].iov_len + r->len;
	while (left) {
		ssize_t w = writev(fd, iov, 2);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		left -= (size_t)w;
		for (int i = 0; i < 2 && w; i++) {
			size_t k = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + k;
			iov[i].iov_len -= k;
			w -= (ssize_t)k;
		}
	}
	return 0;
}

static void syslog_close(struct bh_export *e)
{
	struct conn *c = e->conn;

	if (c && c->fd >= 0)
		close(c->fd);
	free(c);
	e->conn = NULL;
}

static int syslog_send(struct bh_export *e, struct bh_export_batch *b)
{
	struct conn *c = conn_of(e);
	bool tcp = e->spec.kind == BH_EXPORT_SYSLOG_TCP;
	int err = 0;

	if (!c)
		return -ENOMEM;
	if (c->fd >= 0 && tcp && peer_closed(c->fd)) {
		close(c->fd);
		c->fd = -1;
	}
	if (c->fd < 0)
		err = e->spec.kind == BH_EXPORT_SYSLOG_UNIX ? open_unix(e, c) : open_inet(e, c);
	for (; !err && b->done < b->n; b->done++) {
		const struct bh_export_rec *r = b->recs[b->done];

		if (tcp)
			err = send_counted(c->fd, r);
		else if (send(c->fd, r->data, r->len, 0) < 0)
			err = -errno;
	}
	if (err && c->fd >= 0) {
		/* a refused udp datagram (ICMP) or a full /dev/log: retried as a tcp error is */
		bh_export_fail_log(e, "send failed: %s", strerror(-err));
		close(c->fd);
		c->fd = -1;
	}
	return err;
}

const struct bh_export_transport bh_export_syslog = {
	.send = syslog_send,
	.close = syslog_close,
};
