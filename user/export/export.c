// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* export.c - the outputs' bounded queues, writer threads, retries with capped backoff, counters. */
#include "export_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/catalogue.h"
#include "core/json_reader.h"
#include "core/log.h"

#define BACKOFF_MIN_MS	 100
#define DRAIN_TIMEOUT_MS 5000
/* Failure messages per output until it works again: a dead receiver is not a log flood. */
#define FAIL_LOG_MAX 3

struct bh_exports {
	size_t n;
	bool takes_events; /* some output takes raw event lines */
	bool curl_ready;   /* curl_global_init() done, for the http outputs' threads */
	struct bh_export outs[BH_EXPORTS_MAX];
};

void bh_export_fail_log(struct bh_export *e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (e->errors_logged >= FAIL_LOG_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->errors_logged++;
	bh_warn("export %s: %s%s", e->spec.uri, msg,
		e->errors_logged == FAIL_LOG_MAX ? " (further failures are only counted)" : "");
}

static void add_ms(struct timespec *ts, unsigned int ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* Takes up to spec.batch records off the queue into b. Lock held. */
static void take_batch(struct bh_export *e, struct bh_export_batch *b)
{
	size_t cap = e->spec.queue;

	b->n = 0;
	while (e->used && b->n < e->spec.batch) {
		b->recs[b->n++] = e->ring[e->head];
		e->ring[e->head] = NULL;
		e->head = (e->head + 1) % cap;
		e->used--;
	}
	pthread_cond_broadcast(&e->room);
}

static void free_batch(struct bh_export_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->recs[i]);
	b->n = 0;
}

/* The output stopped and its receiver had DRAIN_TIMEOUT_MS to take the rest. Lock held. */
static bool drain_over(const struct bh_export *e)
{
	return e->stop && past(&e->drain_by);
}

/* Frees what is queued, counted as dropped. Lock held. */
static void drop_queued(struct bh_export *e)
{
	e->dropped += e->used;
	while (e->used) {
		free(e->ring[e->head]);
		e->ring[e->head] = NULL;
		e->head = (e->head + 1) % e->spec.queue;
		e->used--;
	}
}

/*
 * Sends b until it is accepted, refused for good, or the output stopped and its
 * drain deadline passed. Lock held; released around each attempt.
 */
static void deliver(struct bh_export *e, struct bh_export_batch *b)
{
	unsigned int backoff = BACKOFF_MIN_MS;

	for (;;) {
		struct timespec until;
		int err;

		if (atomic_exchange(&e->reopen, false))
			e->transport->close(e); /* the next send opens the path anew */
		pthread_mutex_unlock(&e->lock);
		b->done = 0;
		b->refused = 0;
		err = e->transport->send(e, b);
		pthread_mutex_lock(&e->lock);
		e->sent += b->done - b->refused;
		e->dropped += b->refused;
		if (!err) {
			e->failing = false;
			if (e->errors_logged)
				bh_info("export %s: delivering again", e->spec.uri);
			e->errors_logged = 0;
			return;
		}
		/* what was delivered leaves the batch: a retry resends only the rest */
		for (size_t i = 0; i < b->done; i++)
			free(b->recs[i]);
		memmove(b->recs, b->recs + b->done,
			(b->n - b->done) * sizeof(struct bh_export_rec *));
		b->n -= b->done;
		if (err == -EBADMSG) {
			e->dropped += b->n; /* the transport logged why */
			return;
		}
		e->failing = true;
		pthread_cond_broadcast(&e->room); /* a lossless producer waits no more */
		if (drain_over(e)) {
			e->dropped += b->n;
			return;
		}
		e->retried++;
		clock_gettime(CLOCK_REALTIME, &until);
		add_ms(&until, backoff);
		/* Lines arriving do not hasten a retry; a stop ends the wait at its deadline. */
		while (!past(&until) && !drain_over(e))
			pthread_cond_timedwait(&e->wake, &e->lock,
					       e->stop && e->drain_by.tv_sec < until.tv_sec
						       ? &e->drain_by
						       : &until);
		backoff =
			backoff * 2 > e->spec.backoff_max_ms ? e->spec.backoff_max_ms : backoff * 2;
	}
}

static void *writer_main(void *arg)
{
	struct bh_export *e = arg;
	struct bh_export_batch b = { .recs = calloc(e->spec.batch,
						    sizeof(struct bh_export_rec *)) };

	pthread_mutex_lock(&e->lock);
	for (;;) {
		while (!e->stop && !e->used && !atomic_load(&e->reopen))
			pthread_cond_wait(&e->wake, &e->lock);
		if (!e->used) {
			if (e->stop)
				break;
			atomic_store(&e->reopen, false);
			e->transport->close(e);
			continue;
		}
		if (!b.recs) { /* no memory for a batch: nothing can be sent */
			drop_queued(e);
			continue;
		}
		take_batch(e, &b);
		deliver(e, &b);
		free_batch(&b);
		if (drain_over(e))
			drop_queued(e); /* the receiver did not come back in time */
	}
	pthread_mutex_unlock(&e->lock);
	e->transport->close(e);
	free(b.recs);
	return NULL;
}

static const struct bh_export_transport *transport_of(enum bh_export_kind kind)
{
	switch (kind) {
	case BH_EXPORT_HTTP:
		return &bh_export_http;
	case BH_EXPORT_FILE:
		return &bh_export_file;
	default:
		return &bh_export_syslog;
	}
}

static int start(struct bh_export *e, bool lossless)
{
	int err;

	e->transport = transport_of(e->spec.kind);
	e->lossless = lossless;
	bh_json_init(&e->fmt);
	bh_json_init(&e->scratch);
	if (gethostname(e->hostname, sizeof(e->hostname) - 1))
		strcpy(e->hostname, "-");
	e->ring = calloc(e->spec.queue, sizeof(struct bh_export_rec *));
	if (!e->ring)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->wake, NULL);
	pthread_cond_init(&e->room, NULL);
	err = pthread_create(&e->thread, NULL, writer_main, e);
	if (err)
		return -err;
	e->started = true;
	return 0;
}

/* Tells the writer to send what is queued and end (by its drain deadline). */
static void stop_begin(struct bh_export *e)
{
	if (!e->started)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = true;
	clock_gettime(CLOCK_REALTIME, &e->drain_by);
	add_ms(&e->drain_by, DRAIN_TIMEOUT_MS);
	pthread_cond_signal(&e->wake);
	pthread_cond_broadcast(&e->room);
	pthread_mutex_unlock(&e->lock);
}

static void stop_end(struct bh_export *e)
{
	if (!e->started)
		return;
	pthread_join(e->thread, NULL);
	e->started = false;
	bh_info("export %s: %llu sent, %llu retried, %llu dropped", e->spec.uri,
		(unsigned long long)e->sent, (unsigned long long)e->retried,
		(unsigned long long)e->dropped);
}

static void release(struct bh_export *e)
{
	stop_begin(e);
	stop_end(e);
	if (e->ring) {
		pthread_cond_destroy(&e->room);
		pthread_cond_destroy(&e->wake);
		pthread_mutex_destroy(&e->lock);
	}
	free(e->ring);
	bh_json_free(&e->fmt);
	bh_json_free(&e->scratch);
	bh_export_spec_free(&e->spec);
}

int bh_export_check(const char *uri)
{
	struct bh_export_spec s;
	int err = bh_export_spec_parse(uri, &s);

	if (!err)
		bh_export_spec_free(&s);
	return err;
}

int bh_exports_new(const char *const *uris, size_t n, char *const *file_uris, size_t n_file,
		   bool lossless, struct bh_exports **out)
{
	struct bh_exports *x;
	int err = 0;

	if (n + n_file > BH_EXPORTS_MAX) {
		bh_error("--export: at most %d outputs (the command line's and the policy "
			 "file's together)",
			 BH_EXPORTS_MAX);
		return -EINVAL;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (size_t i = 0; i < n + n_file && !err; i++) {
		struct bh_export *e = &x->outs[i];

		err = bh_export_spec_parse(i < n ? uris[i] : file_uris[i - n], &e->spec);
		if (err)
			break;
		x->n++;
		if (e->spec.types & (1u << BH_EXPORT_EVENT))
			x->takes_events = true;
		/* before any thread: libcurl's global set-up is not thread-safe */
		if (e->spec.kind == BH_EXPORT_HTTP && !x->curl_ready) {
			if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
				bh_error("--export %s: cannot initialise libcurl", e->spec.uri);
				err = -ENOMEM;
				break;
			}
			x->curl_ready = true;
		}
		err = start(e, lossless);
	}
	if (err) {
		bh_exports_free(x);
		return err;
	}
	*out = x;
	return 0;
}

void bh_exports_stop(struct bh_exports *x)
{
	/* all at once: each has the same deadline, not one after the other's */
	for (size_t i = 0; x && i < x->n; i++)
		stop_begin(&x->outs[i]);
	for (size_t i = 0; x && i < x->n; i++)
		stop_end(&x->outs[i]);
}

void bh_exports_free(struct bh_exports *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		release(&x->outs[i]);
	if (x->curl_ready)
		curl_global_cleanup();
	free(x);
}

/* Queues a copy of rec, or counts it dropped when the queue is full. */
static void enqueue(struct bh_export *e, const char *data, size_t len)
{
	struct bh_export_rec *rec = malloc(sizeof(*rec) + len);

	pthread_mutex_lock(&e->lock);
	if (!rec) {
		e->dropped++;
		goto out;
	}
	while (e->lossless && !e->failing && !e->stop && e->used == e->spec.queue)
		pthread_cond_wait(&e->room, &e->lock);
	if (e->used == e->spec.queue || e->stop) {
		e->dropped++;
		free(rec);
		goto out;
	}
	rec->len = len;
	memcpy(rec->data, data, len);
	e->ring[(e->head + e->used) % e->spec.queue] = rec;
	/* The writer sleeps only on an empty queue: one wake-up per batch, not per record. */
	if (!e->used++)
		pthread_cond_signal(&e->wake);
out:
	pthread_mutex_unlock(&e->lock);
}

static int format_record(struct bh_export *e, struct json_object *obj, const char *line, size_t len)
{
	switch (e->spec.format) {
	case BH_EXPORT_FMT_RFC5424:
		return bh_format_rfc5424(e, obj, line, len, &e->fmt);
	case BH_EXPORT_FMT_CEF:
		return bh_format_cef(e, obj, line, len, &e->fmt);
	default:
		return bh_format_http_record(e, obj, line, len, &e->fmt);
	}
}

void bh_exports_line(struct bh_exports *x, const char *line, size_t len, bool raw_event,
		     struct json_object *parsed)
{
	struct json_object *obj;
	int type, sev = -1;

	if (!x || !x->n || (raw_event && !x->takes_events))
		return;
	obj = parsed ? json_object_get(parsed) : bh_jobj_parse(line, len);
	type = bh_export_type_lookup(bh_jobj_str(obj, "type"));
	if (type < 0) {
		json_object_put(obj);
		return;
	}
	if (type == BH_EXPORT_FINDING)
		sev = bh_severity_lookup(bh_jobj_str(obj, "severity"));
	for (size_t i = 0; i < x->n; i++) {
		struct bh_export *e = &x->outs[i];

		if (!(e->spec.types & (1u << type)) ||
		    (type == BH_EXPORT_FINDING && sev < e->spec.min_severity))
			continue;
		if (format_record(e, obj, line, len) || bh_json_failed(&e->fmt)) {
			pthread_mutex_lock(&e->lock);
			e->dropped++;
			pthread_mutex_unlock(&e->lock);
			continue;
		}
		enqueue(e, bh_json_data(&e->fmt), bh_json_len(&e->fmt));
	}
	json_object_put(obj);
}

void bh_exports_reopen(struct bh_exports *x)
{
	for (size_t i = 0; x && i < x->n; i++) {
		struct bh_export *e = &x->outs[i];

		if (e->spec.kind != BH_EXPORT_FILE)
			continue;
		pthread_mutex_lock(&e->lock);
		atomic_store(&e->reopen, true);
		pthread_cond_signal(&e->wake);
		pthread_mutex_unlock(&e->lock);
	}
}

size_t bh_exports_snapshot(struct bh_exports *x, struct bh_export_stats *out)
{
	for (size_t i = 0; x && i < x->n; i++) {
		struct bh_export *e = &x->outs[i];
		struct bh_export_stats *st = &out[i];

		snprintf(st->name, sizeof(st->name), "%s", e->spec.uri);
		pthread_mutex_lock(&e->lock);
		st->sent = e->sent;
		st->retried = e->retried;
		st->dropped = e->dropped;
		st->queue_depth = e->used;
		pthread_mutex_unlock(&e->lock);
	}
	return x ? x->n : 0;
}

void bh_exports_stats_json(struct bh_exports *x, struct bh_json *w)
{
	struct bh_export_stats st[BH_EXPORTS_MAX];
	size_t n = bh_exports_snapshot(x, st);

	if (!n)
		return;
	bh_json_key(w, "exports");
	bh_json_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		bh_json_obj_begin(w);
		bh_json_key_str(w, "output", st[i].name);
		bh_json_key_uint(w, "sent", st[i].sent);
		bh_json_key_uint(w, "retried", st[i].retried);
		bh_json_key_uint(w, "dropped", st[i].dropped);
		bh_json_key_uint(w, "queue_depth", st[i].queue_depth);
		bh_json_obj_end(w);
	}
	bh_json_arr_end(w);
}
