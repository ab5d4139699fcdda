// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_tui_stream.c - the agent's event socket on real unix sockets: mode 0600, stale
 * and live files, whole lines to every client, a slow client loses lines (counted)
 * and never stalls the server, a gone client is dropped; and the line reader.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/stream.h"

struct fixture {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/bh-stream-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	/* A directory that does not exist yet: open creates it. */
	snprintf(f->path, sizeof(f->path), "%s/run/events.sock", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char sub[96];

	unlink(f->path);
	snprintf(sub, sizeof(sub), "%s/run", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Accepts until the server counts n clients (the connect may complete before accept). */
static void accept_clients(struct bh_stream *srv, uint64_t n)
{
	struct bh_stream_stats st;

	do {
		struct pollfd pfd = { .fd = bh_stream_fd(srv), .events = POLLIN };

		bh_stream_get_stats(srv, &st);
		if (st.clients >= n)
			break;
		assert_int_equal(poll(&pfd, 1, -1), 1);
		bh_stream_accept(srv);
	} while (1);
}

/* Reads from fd until n whole lines came or the stream ends; returns how many came. */
static int read_lines(int fd, int n, char lines[][64])
{
	struct bh_line_reader r;
	int got = 0;

	assert_int_equal(bh_line_reader_init(&r, fd, 4096), 0);
	while (got < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char *line;
		size_t len;
		int k;

		assert_int_equal(poll(&pfd, 1, -1), 1);
		k = bh_line_reader_fill(&r);
		if (k == 0)
			break;
		while (got < n && (line = bh_line_reader_next(&r, &len)))
			snprintf(lines[got++], 64, "%s", line);
	}
	bh_line_reader_free(&r);
	return got;
}

static void test_open_modes_and_broadcast(void **state)
{
	struct fixture *f = *state;
	struct bh_stream *srv;
	struct stat st;
	char dir[96], lines[2][64];
	int a, b;

	assert_int_equal(bh_stream_open(f->path, &srv), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(dir, sizeof(dir), "%s/run", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	a = bh_stream_connect(f->path);
	b = bh_stream_connect(f->path);
	assert_true(a >= 0 && b >= 0);
	accept_clients(srv, 2);
	bh_stream_broadcast(srv, "{\"n\":1}\n", 8);
	bh_stream_broadcast(srv, "{\"n\":2}\n", 8);
	assert_int_equal(read_lines(a, 2, lines), 2);
	assert_string_equal(lines[0], "{\"n\":1}");
	assert_string_equal(lines[1], "{\"n\":2}");
	assert_int_equal(read_lines(b, 2, lines), 2);
	assert_string_equal(lines[1], "{\"n\":2}");

	/* A client that left is dropped at the next line, the others keep theirs. */
	close(b);
	bh_stream_broadcast(srv, "{\"n\":3}\n", 8);
	bh_stream_broadcast(srv, "{\"n\":4}\n", 8);
	{
		struct bh_stream_stats s;

		bh_stream_get_stats(srv, &s);
		assert_int_equal(s.clients, 1);
		assert_int_equal(s.gone, 1);
		assert_int_equal(s.accepted, 2);
	}
	assert_int_equal(read_lines(a, 2, lines), 2);
	assert_string_equal(lines[1], "{\"n\":4}");

	/* Closing ends the clients' streams and removes the file. */
	bh_stream_close(srv);
	assert_int_equal(read_lines(a, 1, lines), 0);
	assert_int_equal(access(f->path, F_OK), -1);
	close(a);
}

static void test_stale_live_and_foreign_files(void **state)
{
	struct fixture *f = *state;
	struct bh_stream *srv, *other;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	/* A socket file nobody listens on (a dead agent's) is replaced. */
	assert_int_equal(bh_stream_open(f->path, &srv), 0);
	bh_stream_close(srv);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.96s", f->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(bh_stream_connect(f->path), -ECONNREFUSED);
	assert_int_equal(bh_stream_open(f->path, &srv), 0);

	/* A live one is another agent's: left alone. */
	assert_int_equal(bh_stream_open(f->path, &other), -EADDRINUSE);
	assert_null(other);
	bh_stream_close(srv);

	/* A file that is not a socket is never removed. */
	fd = open(f->path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(bh_stream_open(f->path, &srv), -EEXIST);
	assert_int_equal(access(f->path, F_OK), 0);
	assert_int_equal(bh_stream_connect("/nonexistent/bulkhead.sock"), -ENOENT);
}

static void test_slow_client_loses_whole_lines(void **state)
{
	struct fixture *f = *state;
	struct bh_stream *srv;
	struct bh_stream_stats st;
	struct bh_line_reader r;
	char line[256];
	int fd, sent = 0, got = 0, expect = 0;
	char *l;
	size_t len;

	assert_int_equal(bh_stream_open(f->path, &srv), 0);
	fd = bh_stream_connect(f->path);
	assert_true(fd >= 0);
	accept_clients(srv, 1);
	/* The client reads nothing: the server must return every time, and count the loss. */
	do {
		int n = snprintf(line, sizeof(line), "{\"seq\":%d,\"pad\":\"%0200d\"}\n", sent, 0);

		bh_stream_broadcast(srv, line, (size_t)n);
		sent++;
		bh_stream_get_stats(srv, &st);
	} while (st.lost_lines < 100);
	assert_int_equal(st.clients, 1);

	/*
	 * Now the client reads and the server goes on until a line it sends arrives: what
	 * arrived is whole lines in order, and each line not received was counted as lost.
	 */
	assert_int_equal(bh_line_reader_init(&r, fd, 4096), 0);
	for (;;) {
		int n;

		while (bh_line_reader_fill(&r) > 0) {
			while ((l = bh_line_reader_next(&r, &len))) {
				int seq = -1;

				/* Whole: the padding complete and the object closed. */
				assert_non_null(strstr(l, "\"pad\":\""));
				assert_int_equal(strspn(strstr(l, "\"pad\":\"") + 7, "0"), 200);
				assert_int_equal(l[len - 1], '}');
				assert_int_equal(sscanf(l, "{\"seq\":%d,", &seq), 1);
				assert_true(seq >= expect);
				expect = seq + 1;
				got++;
			}
		}
		bh_stream_get_stats(srv, &st);
		if (expect == sent && (uint64_t)got + st.lost_lines == (uint64_t)sent)
			break;
		/* The server sends its backlog when it sends a line: give it one. */
		n = snprintf(line, sizeof(line), "{\"seq\":%d,\"pad\":\"%0200d\"}\n", sent, 0);
		bh_stream_broadcast(srv, line, (size_t)n);
		sent++;
	}
	bh_stream_get_stats(srv, &st);
	bh_stream_close(srv);
	assert_int_equal((uint64_t)got + st.lost_lines, (uint64_t)sent);
	bh_line_reader_free(&r);
	close(fd);
}

static void test_line_reader_split_and_too_long(void **state)
{
	struct bh_line_reader r;
	int p[2];
	char *l;
	size_t len;
	char big[100];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(bh_line_reader_init(&r, p[0], 32), 0);
	assert_int_equal(bh_line_reader_fill(&r), -EAGAIN);
	assert_int_equal(write(p[1], "ab", 2), 2);
	assert_int_equal(bh_line_reader_fill(&r), 2);
	assert_null(bh_line_reader_next(&r, &len));
	assert_int_equal(write(p[1], "c\nde\n", 5), 5);
	assert_int_equal(bh_line_reader_fill(&r), 5);
	l = bh_line_reader_next(&r, &len);
	assert_string_equal(l, "abc");
	assert_int_equal(len, 3);
	assert_string_equal(bh_line_reader_next(&r, &len), "de");
	assert_null(bh_line_reader_next(&r, &len));

	/* A line longer than the buffer is skipped whole; the next one comes through. */
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(write(p[1], big, sizeof(big)), (int)sizeof(big));
	assert_int_equal(write(p[1], "ok\n", 3), 3);
	while (bh_line_reader_fill(&r) > 0)
		while ((l = bh_line_reader_next(&r, &len)))
			assert_string_equal(l, "ok");
	assert_int_equal(r.too_long, 1);
	close(p[1]);
	assert_int_equal(bh_line_reader_fill(&r), 0);
	bh_line_reader_free(&r);
	close(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_modes_and_broadcast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_live_and_foreign_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_client_loses_whole_lines, setup,
						teardown),
		cmocka_unit_test(test_line_reader_split_and_too_long),
	};

	return cmocka_run_group_tests_name("tui_stream", tests, NULL, NULL);
}
