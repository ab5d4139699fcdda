// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sink.c - a bounded, line-atomic queue to stdout drained by a writer thread. */
#include "sink.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "output_ecs.h"

/* Waits until fd can take more bytes: a non-blocking stdout that is full. */
static void wait_writable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	poll(&pfd, 1, -1);
}

/* Has the writer write all that is queued, not only past half the queue. Lock held. */
static void kick(struct bh_sink *s)
{
	s->kick = true;
	pthread_cond_signal(&s->wake);
}

/*
 * The writer's loop: holds the lock except inside write(2). It writes in
 * batches, from half a queue or when kicked: woken for every few lines, it
 * would take the lock turn about with the producer on each of them.
 */
static void *writer_main(void *arg)
{
	struct bh_sink *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		size_t n;
		ssize_t w;
		int err;

		while (!s->stop && !s->kick && s->used < s->cap / 2)
			pthread_cond_wait(&s->wake, &s->lock);
		if (!s->used) {
			s->kick = false;
			if (s->stop)
				break;
			continue;
		}
		/* The producer only appends past head + used: this span stays put. */
		n = s->used < s->cap - s->head ? s->used : s->cap - s->head;
		s->writing = true;
		pthread_mutex_unlock(&s->lock);
		w = write(s->fd, s->buf + s->head, n);
		err = w < 0 ? errno : 0;
		if (err == EAGAIN)
			wait_writable(s->fd);
		pthread_mutex_lock(&s->lock);
		s->writing = false;
		if (w > 0) {
			s->head = (s->head + (size_t)w) % s->cap;
			s->used -= (size_t)w;
			s->bytes += (uint64_t)w;
		} else if (err && err != EINTR && err != EAGAIN) {
			/* Nobody will read the rest: drop it and make the error sticky. */
			s->error = -err;
			s->used = 0;
		}
		pthread_cond_broadcast(&s->room);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int bh_sink_init(struct bh_sink *s, int fd, size_t cap)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->cap = cap;
	s->reserve = cap / 4;
	bh_json_init(&s->conv);
	s->buf = malloc(cap);
	if (!s->buf || !cap)
		goto nomem;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_cond_init(&s->room, NULL);
	err = pthread_create(&s->thread, NULL, writer_main, s);
	if (err) {
		pthread_cond_destroy(&s->room);
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s->buf);
		s->buf = NULL;
		return -err;
	}
	s->started = true;
	return 0;
nomem:
	free(s->buf);
	s->buf = NULL;
	return -ENOMEM;
}

void bh_sink_free(struct bh_sink *s)
{
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
		pthread_cond_destroy(&s->room);
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		s->started = false;
	}
	free(s->buf);
	s->buf = NULL;
	free(s->hostname);
	s->hostname = NULL;
	bh_json_free(&s->conv);
}

void bh_sink_set_lossless(struct bh_sink *s, bool lossless)
{
	s->lossless = lossless;
}

/* A copy of s as valid UTF-8 (invalid bytes as U+FFFD), through the JSON writer's escaping. */
static char *utf8_clean(const char *s)
{
	struct json_object *str;
	struct bh_json w;
	char *copy = NULL;

	bh_json_init(&w);
	bh_json_str(&w, s);
	bh_json_raw(&w, "", 1); /* NUL-terminate for the parser */
	str = bh_json_failed(&w) ? NULL : json_tokener_parse(bh_json_data(&w));
	if (str && json_object_is_type(str, json_type_string))
		copy = strdup(json_object_get_string(str));
	json_object_put(str);
	bh_json_free(&w);
	return copy;
}

int bh_sink_set_format(struct bh_sink *s, enum bh_sink_format format, const char *hostname)
{
	char name[HOST_NAME_MAX + 1] = "";
	char *copy;

	if (!hostname) {
		if (gethostname(name, sizeof(name)))
			name[0] = '\0';
		name[sizeof(name) - 1] = '\0';
		hostname = name;
	}
	/* Any bytes (a host name, a capture's header) come out as valid UTF-8. */
	copy = utf8_clean(hostname);
	if (!copy)
		return -ENOMEM;
	free(s->hostname);
	s->hostname = copy;
	s->format = format;
	return 0;
}

/* A line longer than the whole queue: written here once the writer has nothing left. */
static int write_direct(struct bh_sink *s, const char *line, size_t len)
{
	while (!s->error && (s->used || s->writing)) {
		kick(s);
		pthread_cond_wait(&s->room, &s->lock);
	}
	while (len && !s->error) {
		ssize_t w = write(s->fd, line, len);

		if (w < 0) {
			if (errno == EAGAIN)
				wait_writable(s->fd);
			else if (errno != EINTR)
				s->error = -errno;
			continue;
		}
		line += w;
		len -= (size_t)w;
		s->bytes += (uint64_t)w;
	}
	return s->error;
}

static int enqueue(struct bh_sink *s, const char *line, size_t len, enum bh_sink_prio prio)
{
	bool may_drop = prio == BH_SINK_DROP && !s->lossless;
	size_t limit = may_drop ? s->cap - s->reserve : s->cap;
	size_t tail, first;
	int err;

	pthread_mutex_lock(&s->lock);
	err = s->error;
	if (err)
		goto out;
	if (len > limit && !may_drop) {
		err = write_direct(s, line, len);
		if (!err)
			s->lines++;
		goto out;
	}
	while (s->used + len > limit) {
		kick(s);
		if (may_drop) {
			s->dropped++;
			s->dropped_bytes += len;
			goto out;
		}
		pthread_cond_wait(&s->room, &s->lock);
		err = s->error;
		if (err)
			goto out;
	}
	tail = (s->head + s->used) % s->cap;
	first = len < s->cap - tail ? len : s->cap - tail;
	memcpy(s->buf + tail, line, first);
	memcpy(s->buf, line + first, len - first);
	s->used += len;
	s->lines++;
	/* Half full now: start writing before the caller's flush, the batch is large enough. */
	if (s->used >= s->cap / 2 && s->used - len < s->cap / 2)
		pthread_cond_signal(&s->wake);
out:
	pthread_mutex_unlock(&s->lock);
	return err;
}

int bh_sink_line_prio(struct bh_sink *s, const char *line, size_t len, enum bh_sink_prio prio)
{
	if (s->error)
		return s->error;
	if (s->format == BH_FORMAT_ECS) {
		if (bh_ecs_convert(line, len, s->hostname, &s->conv)) {
			s->convert_errors++;
			return 0;
		}
		line = bh_json_data(&s->conv);
		len = bh_json_len(&s->conv);
	}
	return enqueue(s, line, len, prio);
}

int bh_sink_line(struct bh_sink *s, const char *line, size_t len)
{
	return bh_sink_line_prio(s, line, len, BH_SINK_KEEP);
}

int bh_sink_flush(struct bh_sink *s)
{
	if (!s->started)
		return s->error;
	pthread_mutex_lock(&s->lock);
	if (s->used)
		kick(s);
	pthread_mutex_unlock(&s->lock);
	return s->error;
}

int bh_sink_drain(struct bh_sink *s)
{
	int err;

	if (!s->started)
		return s->error;
	pthread_mutex_lock(&s->lock);
	while (!s->error && (s->used || s->writing)) {
		kick(s);
		pthread_cond_wait(&s->room, &s->lock);
	}
	err = s->error;
	pthread_mutex_unlock(&s->lock);
	return err;
}
