// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* http.c - /healthz, /metrics and /findings with libmicrohttpd, from snapshots behind a mutex. */
#define _GNU_SOURCE
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "core/json_writer.h"
#include "core/log.h"
#include "open_findings.h"

/* Prometheus scrapes and kubelet probes are few: a small bound keeps a flood cheap. */
#define HTTP_CONNECTION_LIMIT 16
#define HTTP_TIMEOUT_S	      5

/*
 * A published view of the open findings: a request renders from it outside the lock,
 * so the loop is never held up by a large answer; the last one out frees it.
 */
struct shared_view {
	struct bh_open_view *view;
	int refs; /* guarded by bh_http.lock */
};

struct bh_http {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	struct bh_metrics_snapshot snap; /* guarded by lock */
	struct shared_view *findings;	 /* guarded by lock; NULL: none published */
};

int bh_http_parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon, *port_s;
	char *end;
	unsigned long port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		n = (size_t)(close - spec - 1);
		if (n >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec + 1, n);
		host[n] = '\0';
		port_s = close + 2;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || memchr(spec, ':', (size_t)(colon - spec)))
			return -EINVAL; /* no port, or an IPv6 address without brackets */
		n = (size_t)(colon - spec);
		if (n >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec, n);
		host[n] = '\0';
		port_s = colon + 1;
	}
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || end == port_s || *end || port > 65535 || port_s[0] == '-' || port_s[0] == '+')
		return -EINVAL;

	if (spec[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -EINVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		if (host[0] && inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -EINVAL;
		if (!host[0])
			a4->sin_addr.s_addr = htonl(INADDR_ANY);
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
	}
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_static(struct MHD_Connection *conn, unsigned int status,
				    const char *text)
{
	return reply(conn, status, "text/plain; charset=utf-8", (char *)text, strlen(text),
		     MHD_RESPMEM_PERSISTENT);
}

/* Drops a reference taken under the lock; the last one frees the view. */
static void view_release(struct bh_http *s, struct shared_view *sv)
{
	bool last;

	if (!sv)
		return;
	pthread_mutex_lock(&s->lock);
	last = --sv->refs == 0;
	pthread_mutex_unlock(&s->lock);
	if (!last)
		return;
	bh_open_view_free(sv->view);
	free(sv);
}

struct filter_args {
	struct bh_open_filter filter;
	const char *why; /* set on the first bad argument */
	char bad[160];
};

static enum MHD_Result filter_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct filter_args *a = cls;

	(void)kind;
	if (a->why)
		return MHD_NO;
	if (bh_open_filter_set(&a->filter, key, value, &a->why))
		snprintf(a->bad, sizeof(a->bad), "%s", key);
	return a->why ? MHD_NO : MHD_YES;
}

/* GET /findings[?container=..&namespace=..&severity=..]: the open findings as JSON. */
static enum MHD_Result serve_findings(struct MHD_Connection *conn, struct bh_http *s)
{
	struct filter_args args = { .filter = { .min_severity = BH_SEV_LOW } };
	struct shared_view *sv;
	char *body;
	size_t len;
	int err;

	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, filter_arg, &args);
	if (args.why) {
		struct bh_json w;

		bh_json_init(&w);
		bh_json_obj_begin(&w);
		bh_json_key_str(&w, "error", args.why);
		bh_json_key_str(&w, "filter", args.bad);
		bh_json_obj_end(&w);
		bh_json_newline(&w);
		if (bh_json_failed(&w)) {
			bh_json_free(&w);
			return reply_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
					    "out of memory\n");
		}
		return reply(conn, MHD_HTTP_BAD_REQUEST, "application/json", w.buf, bh_json_len(&w),
			     MHD_RESPMEM_MUST_FREE);
	}
	pthread_mutex_lock(&s->lock);
	sv = s->findings;
	if (sv)
		sv->refs++;
	pthread_mutex_unlock(&s->lock);
	err = bh_open_view_render(sv ? sv->view : NULL, &args.filter, &body, &len);
	view_release(s, sv);
	if (err)
		return reply_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	return reply(conn, MHD_HTTP_OK, "application/json", body, len, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct bh_http *s = cls;
	struct bh_metrics_snapshot snap;
	int64_t now = bh_mono_ns();

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");

	pthread_mutex_lock(&s->lock);
	snap = s->snap;
	pthread_mutex_unlock(&s->lock);

	if (!strcmp(url, "/healthz")) {
		const char *why;
		char *body;
		int n;

		if (bh_metrics_healthy(&snap, now, &why))
			return reply_static(conn, MHD_HTTP_OK, "ok\n");
		n = asprintf(&body, "unhealthy: %s\n", why);
		if (n < 0)
			return MHD_NO;
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", body,
			     (size_t)n, MHD_RESPMEM_MUST_FREE);
	}
	if (!strcmp(url, "/metrics")) {
		char *body;
		size_t len;

		if (bh_metrics_render(&snap, now, &body, &len))
			return reply_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
					    "out of memory\n");
		return reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body,
			     len, MHD_RESPMEM_MUST_FREE);
	}
	if (!strcmp(url, "/findings"))
		return serve_findings(conn, s);
	return reply_static(conn, MHD_HTTP_NOT_FOUND,
			    "not found: try /healthz, /metrics or /findings\n");
}

/* libmicrohttpd's own diagnostics, through the agent's log. */
static void __attribute__((format(printf, 2, 0))) mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	bh_warn("http: %s", msg);
}

int bh_http_start(const char *spec, struct bh_http **out)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	struct bh_http *s;
	int err;

	if (bh_http_parse_addr(spec, &ss, &sslen)) {
		bh_error("--http: '%s' is not ADDR:PORT (e.g. 127.0.0.1:9464, [::1]:9464 or "
			 ":9464 for every address)",
			 spec);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	/* The logger comes first so that MHD's messages about the other options use it. */
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)HTTP_TIMEOUT_S, MHD_OPTION_END);
	if (!s->daemon) {
		err = errno ? -errno : -EADDRNOTAVAIL;
		bh_error("cannot serve /healthz and /metrics on %s: %s; pick another address "
			 "with --http ADDR:PORT or turn the server off with --no-http",
			 spec, strerror(-err));
		pthread_mutex_destroy(&s->lock);
		free(s);
		return err;
	}
	*out = s;
	bh_info("serving /healthz, /metrics and /findings on port %u (%s)", bh_http_port(s), spec);
	return 0;
}

void bh_http_stop(struct bh_http *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	/* the server thread is gone: the published view has no other holder */
	if (s->findings) {
		bh_open_view_free(s->findings->view);
		free(s->findings);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}

uint16_t bh_http_port(const struct bh_http *s)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return info ? info->port : 0;
}

void bh_http_publish(struct bh_http *s, const struct bh_metrics_snapshot *snap)
{
	pthread_mutex_lock(&s->lock);
	s->snap = *snap;
	pthread_mutex_unlock(&s->lock);
}

void bh_http_touch(struct bh_http *s, int64_t mono_ns)
{
	pthread_mutex_lock(&s->lock);
	s->snap.drained_mono_ns = mono_ns;
	pthread_mutex_unlock(&s->lock);
}

int bh_http_publish_findings(struct bh_http *s, struct bh_open_view *view)
{
	struct shared_view *sv = malloc(sizeof(*sv)), *old;

	if (!sv) {
		bh_open_view_free(view);
		return -ENOMEM;
	}
	*sv = (struct shared_view){ .view = view, .refs = 1 };
	pthread_mutex_lock(&s->lock);
	old = s->findings;
	s->findings = sv;
	pthread_mutex_unlock(&s->lock);
	view_release(s, old);
	return 0;
}
