// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * top-driver.c - runs bh_top_main() and the event socket server for top.bats until
 * main.c and agent.c wire `bulkhead top` and `bulkhead run --socket`:
 *   top-driver top BULKHEAD [--no-color] [--socket PATH]
 *   top-driver relay PATH      stdin's lines to the clients of a socket at PATH,
 *                              as the agent's loop does (`bulkhead run | top-driver relay`)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stream.h"
#include "tui.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int relay(const char *path)
{
	struct bh_line_reader in;
	struct bh_stream *srv;
	char *line;
	size_t len;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (bh_stream_open(path, &srv) || bh_line_reader_init(&in, 0, 1 << 20))
		return 1;
	fprintf(stderr, "relay ready\n");
	while (!stop) {
		struct pollfd pfd[2] = {{.fd = 0, .events = POLLIN},
					{.fd = bh_stream_fd(srv), .events = POLLIN}};
		int n;

		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[1].revents)
			bh_stream_accept(srv);
		if (!pfd[0].revents)
			continue;
		n = bh_line_reader_fill(&in);
		if (n <= 0 && n != -EAGAIN)
			break;
		while ((line = bh_line_reader_next(&in, &len))) {
			line[len] = '\n'; /* the reader cut the newline; the socket carries it */
			bh_stream_broadcast(srv, line, len + 1);
		}
	}
	bh_stream_close(srv);
	bh_line_reader_free(&in);
	return 0;
}

int main(int argc, char **argv)
{
	struct bh_top_opts o = {0};

	if (argc == 3 && !strcmp(argv[1], "relay"))
		return relay(argv[2]);
	if (argc < 3 || strcmp(argv[1], "top")) {
		fprintf(stderr, "usage: top-driver top BULKHEAD [--no-color] [--socket PATH]\n"
				"       top-driver relay PATH\n");
		return 2;
	}
	o.collector = argv[2];
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--no-color"))
			o.no_color = true;
		else if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			o.socket_path = argv[++i];
		else
			return 2;
	}
	return bh_top_main(&o);
}
