// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_sink.c - the stdout sink writes whole lines in order, drops raw events (never
 * findings) when a slow reader fills its queue, and reports a gone reader.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "output/sink.h"

static void test_lines_batched_until_flush(void **state)
{
	struct bh_sink s;
	int p[2];
	char buf[64] = { 0 };

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(bh_sink_init(&s, p[1], 32), 0);
	assert_int_equal(bh_sink_line(&s, "{\"a\":1}\n", 8), 0);
	assert_int_equal(read(p[0], buf, sizeof(buf)), -1); /* queued, not written: a batch */
	assert_int_equal(bh_sink_flush(&s), 0);
	assert_int_equal(bh_sink_drain(&s), 0);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 8);
	assert_string_equal(buf, "{\"a\":1}\n");
	assert_int_equal(s.lines, 1);
	bh_sink_free(&s);
	close(p[0]);
	close(p[1]);
}

static void test_line_larger_than_buffer(void **state)
{
	struct bh_sink s;
	int p[2];
	char line[100], buf[200];

	(void)state;
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	assert_int_equal(pipe(p), 0);
	assert_int_equal(bh_sink_init(&s, p[1], 16), 0);
	assert_int_equal(bh_sink_line(&s, "ab\n", 3), 0);
	assert_int_equal(bh_sink_line(&s, line, sizeof(line)), 0);
	assert_int_equal(bh_sink_drain(&s), 0);
	/* Order kept: the queued line first, then the big one. */
	assert_int_equal(read(p[0], buf, sizeof(buf)), 3 + (int)sizeof(line));
	assert_memory_equal(buf, "ab\n", 3);
	assert_memory_equal(buf + 3, line, sizeof(line));
	bh_sink_free(&s);
	close(p[0]);
	close(p[1]);
}

static void test_closed_reader_is_epipe(void **state)
{
	struct bh_sink s;
	int p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	assert_int_equal(bh_sink_init(&s, p[1], 64), 0);
	assert_int_equal(bh_sink_line(&s, "x\n", 2), 0);
	assert_int_equal(bh_sink_drain(&s), -EPIPE);
	assert_int_equal(bh_sink_flush(&s), -EPIPE);
	/* Sticky: later lines are refused with the same error. */
	assert_int_equal(bh_sink_line(&s, "y\n", 2), -EPIPE);
	bh_sink_free(&s);
	close(p[1]);
}

struct collected {
	int fd;
	char *buf;
	size_t len;
};

/* Reads fd to its end into c->buf (1 MiB at most). */
static void *read_all(void *arg)
{
	struct collected *c = arg;

	c->buf = malloc(1 << 20);
	for (ssize_t n; c->buf && (n = read(c->fd, c->buf + c->len, (1 << 20) - c->len)) > 0;)
		c->len += (size_t)n;
	return NULL;
}

#define SLOW_EVENTS   1000
#define SLOW_FINDINGS 20

/*
 * A reader that reads nothing until the producer is done: a pipe of one page fills,
 * the queue fills, raw events are dropped and counted, findings still get through
 * (reserve), and every line that arrives is whole.
 */
static void test_slow_reader_drops_events_not_findings(void **state)
{
	struct bh_sink s;
	struct collected got = { 0 };
	pthread_t reader;
	int p[2];
	char line[128], *cur, *nl;
	size_t events = 0, findings = 0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) >= 4096);
	assert_int_equal(bh_sink_init(&s, p[1], 8192), 0);
	for (int i = 0; i < SLOW_EVENTS; i++) {
		int len = snprintf(line, sizeof(line),
				   "{\"type\":\"event\",\"n\":%d,\"pad\":\"%s\"}\n", i,
				   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");

		assert_int_equal(bh_sink_line_prio(&s, line, (size_t)len, BH_SINK_DROP), 0);
		if (i % 100 == 0)
			bh_sink_flush(&s);
	}
	for (int i = 0; i < SLOW_FINDINGS; i++) {
		int len = snprintf(line, sizeof(line), "{\"type\":\"finding\",\"n\":%d}\n", i);

		assert_int_equal(bh_sink_line_prio(&s, line, (size_t)len, BH_SINK_KEEP), 0);
	}
	/* 1000 lines of ~100 bytes cannot fit a 4 KiB pipe and an 8 KiB queue. */
	assert_true(s.dropped > 0);
	assert_int_equal(s.lines + s.dropped, SLOW_EVENTS + SLOW_FINDINGS);
	/* Now read: the writer drains what it queued; closing the write end ends the stream. */
	got.fd = p[0];
	assert_int_equal(pthread_create(&reader, NULL, read_all, &got), 0);
	bh_sink_free(&s);
	close(p[1]);
	pthread_join(reader, NULL);
	close(p[0]);
	assert_non_null(got.buf);
	for (cur = got.buf; cur < got.buf + got.len; cur = nl + 1) {
		struct json_object *o;

		nl = memchr(cur, '\n', (size_t)(got.buf + got.len - cur));
		assert_non_null(nl);
		o = bh_test_parse(cur, (size_t)(nl - cur));
		assert_non_null(o); /* whole lines only */
		if (!strcmp(bh_test_jtext(o, "type"), "\"finding\"")) {
			assert_int_equal(json_object_get_int(bh_test_jget(o, "n")), findings);
			findings++;
		} else {
			events++;
		}
		json_object_put(o);
	}
	assert_int_equal(findings, SLOW_FINDINGS);
	assert_int_equal(events + s.dropped, SLOW_EVENTS);
	free(got.buf);
}

/* Lossless (replay): a slow reader slows the producer instead of losing lines. */
static void test_lossless_waits(void **state)
{
	struct bh_sink s;
	struct collected got = { 0 };
	pthread_t reader;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) >= 4096);
	got.fd = p[0];
	assert_int_equal(pthread_create(&reader, NULL, read_all, &got), 0);
	assert_int_equal(bh_sink_init(&s, p[1], 1024), 0);
	bh_sink_set_lossless(&s, true);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(bh_sink_line_prio(&s, "0123456789abcdef\n", 17, BH_SINK_DROP), 0);
	assert_int_equal(bh_sink_drain(&s), 0);
	assert_int_equal(s.dropped, 0);
	bh_sink_free(&s);
	close(p[1]);
	pthread_join(reader, NULL);
	assert_int_equal(got.len, 2000 * 17);
	free(got.buf);
	close(p[0]);
}

/* --format ecs: the sink converts each line on its way out. */
static void test_ecs_format(void **state)
{
	static const char v1[] = "{\"schema\":1,\"time\":\"2026-01-01T00:00:00.000000001Z\","
				 "\"type\":\"stats\",\"final\":true}\n";
	struct bh_sink s;
	struct json_object *o;
	char buf[2048];
	ssize_t n;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(bh_sink_init(&s, p[1], 4096), 0);
	assert_int_equal(bh_sink_set_format(&s, BH_FORMAT_ECS, "node-1"), 0);
	assert_int_equal(bh_sink_line(&s, v1, sizeof(v1) - 1), 0);
	assert_int_equal(bh_sink_drain(&s), 0);
	n = read(p[0], buf, sizeof(buf));
	assert_true(n > 0 && buf[n - 1] == '\n');
	o = bh_test_parse(buf, (size_t)n - 1);
	assert_non_null(o);
	assert_string_equal(bh_test_jtext(o, "host.hostname"), "\"node-1\"");
	assert_string_equal(bh_test_jtext(o, "event.kind"), "\"metric\"");
	json_object_put(o);
	bh_sink_free(&s);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_batched_until_flush),
		cmocka_unit_test(test_line_larger_than_buffer),
		cmocka_unit_test(test_closed_reader_is_epipe),
		cmocka_unit_test(test_slow_reader_drops_events_not_findings),
		cmocka_unit_test(test_lossless_waits),
		cmocka_unit_test(test_ecs_format),
	};

	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
