// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_sink.c - the stdout sink writes whole lines, batches them, and reports a gone reader. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sink.h"

static void test_lines_batched_until_flush(void **state)
{
	struct bh_sink s;
	int p[2];
	char buf[64] = { 0 };

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(bh_sink_init(&s, p[1], 32), 0);
	assert_int_equal(bh_sink_line(&s, "{\"a\":1}\n", 8), 0);
	assert_int_equal(read(p[0], buf, sizeof(buf)), -1); /* nothing written yet */
	assert_int_equal(bh_sink_flush(&s), 0);
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
	assert_int_equal(bh_sink_flush(&s), 0);
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
	assert_int_equal(bh_sink_flush(&s), -EPIPE);
	/* Sticky: later lines are refused with the same error. */
	assert_int_equal(bh_sink_line(&s, "y\n", 2), -EPIPE);
	bh_sink_free(&s);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_batched_until_flush),
		cmocka_unit_test(test_line_larger_than_buffer),
		cmocka_unit_test(test_closed_reader_is_epipe),
	};

	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
