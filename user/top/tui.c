// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tui.c - `bulkhead top`: picks the source of lines (agent socket or own
 * collector), runs the poll loop, and copies the screen model to ncurses.
 */
#define _GNU_SOURCE /* pipe2 */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/stream.h"
#include "tui_advise.h"
#include "tui_model.h"
#include "tui_render.h"

#define REFRESH_MS     250
#define READ_BUDGET    (1u << 20) /* bytes per loop turn: the keys stay responsive */
#define LINE_MAX_BYTES (256u << 10)
#define STOP_WAIT_MS   5000
#define ERR_LINES      8

/* What the signal handlers need: they restore the terminal and stop the collector. */
static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t curses_on;
static volatile pid_t collector_pid;

struct top {
	const struct bh_top_opts *o;
	struct tui_model model;
	struct tui_view view;
	struct tui_screen screen;
	struct bh_line_reader in;  /* JSON lines: the socket or the collector's stdout */
	struct bh_line_reader err; /* the collector's stderr */
	bool attached;
	bool in_open, err_open;
	bool got_line;
	char err_lines[ERR_LINES][256]; /* the collector's last log lines, shown at a failure */
	int nerr;
	bool color;
	struct tui_advise advise; /* 'a': the selected container's running profile */
};

static void restore_terminal(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

static void on_quit(int sig)
{
	quit_signal = sig;
}

/* A crash must not leave the terminal raw, nor the collector running. */
static void on_crash(int sig)
{
	restore_terminal();
	if (collector_pid > 0)
		kill(collector_pid, SIGTERM);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void setup_signals(void)
{
	static const int crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa = { .sa_handler = on_quit };

	/* No SA_RESTART: poll() returns at once on a signal. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sa.sa_handler = on_crash;
	for (size_t i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		sigaction(crash[i], &sa, NULL);
	atexit(restore_terminal);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts `bulkhead run --events all` with its stdout and stderr piped to us. */
static int start_collector(struct top *t)
{
	const char *exe = t->o->collector ? t->o->collector : "/proc/self/exe";
	int out[2], err[2];
	pid_t ppid = getpid(), pid;

	if (pipe2(out, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		close(out[0]);
		close(out[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		return e;
	}
	if (!pid) {
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* Dies with top whatever the cause; its own process group keeps ^C ours. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != ppid)
			_exit(1);
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(err[1], 2) < 0)
			_exit(127);
		/* A private collector: no socket or metrics port for others to find. */
		execl(exe, "bulkhead", "run", "--events", "all", "--stats-interval", "1",
		      "--no-socket", "--no-http", (char *)NULL);
		dprintf(2, "bulkhead top: cannot run the collector %s: %s\n", exe, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	collector_pid = pid;
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	if (bh_line_reader_init(&t->in, out[0], LINE_MAX_BYTES) ||
	    bh_line_reader_init(&t->err, err[0], 4096))
		return -ENOMEM;
	t->in_open = t->err_open = true;
	snprintf(t->model.source, sizeof(t->model.source), "own collector (pid %d)", (int)pid);
	snprintf(t->view.status, sizeof(t->view.status),
		 "starting the collector: loading the BPF programs...");
	return 0;
}

/* The agent's socket when it answers, else a collector of our own. */
static int open_source(struct top *t)
{
	const char *path = t->o->socket_path ? t->o->socket_path : BH_STREAM_DEFAULT_PATH;
	int fd = bh_stream_connect(path), err;

	if (fd >= 0) {
		if (bh_line_reader_init(&t->in, fd, LINE_MAX_BYTES)) {
			close(fd);
			return -ENOMEM;
		}
		t->attached = t->in_open = true;
		snprintf(t->model.source, sizeof(t->model.source), "agent %s", path);
		snprintf(t->view.status, sizeof(t->view.status), "attached to the agent at %s",
			 path);
		return 0;
	}
	if (fd != -ENOENT && fd != -ECONNREFUSED) {
		fprintf(stderr, "bulkhead top: cannot attach to the agent's socket %s: %s%s\n",
			path, strerror(-fd),
			fd == -EACCES ? " (it is root-only: run with sudo)" : "");
		return fd;
	}
	err = start_collector(t);
	if (err)
		fprintf(stderr, "bulkhead top: cannot start a collector: %s\n", strerror(-err));
	return err;
}

static void stop_collector(void)
{
	pid_t pid = collector_pid;
	int64_t deadline = mono_ms() + STOP_WAIT_MS;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (mono_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			break;
		}
		usleep(20000);
	}
	collector_pid = 0;
}

static void host_facts(struct tui_model *m)
{
	struct utsname u;
	struct sysinfo si;

	if (!m->host[0]) {
		gethostname(m->host, sizeof(m->host) - 1);
		if (!uname(&u))
			snprintf(m->kernel, sizeof(m->kernel), "%.63s", u.release);
	}
	if (!sysinfo(&si))
		m->uptime_s = si.uptime;
}

/* ---- ncurses: the only place that knows about the terminal ---- */

enum {
	PAIR_TITLE = 1,
	PAIR_PANE,
	PAIR_FOCUS,
	PAIR_SEL,
	PAIR_ALERT,
	PAIR_LOW,
	PAIR_MEDIUM,
	PAIR_HIGH,
	PAIR_CRITICAL,
	PAIR_STATUS
};

static attr_t style_attr(const struct top *t, enum tui_style st)
{
	static const attr_t mono[TS_COUNT] = {
		[TS_TITLE] = A_REVERSE | A_BOLD,
		[TS_LABEL] = A_BOLD,
		[TS_PANE] = A_REVERSE,
		[TS_PANE_FOCUS] = A_REVERSE | A_BOLD,
		[TS_SEL] = A_REVERSE,
		[TS_DIM] = A_DIM,
		[TS_ALERT] = A_BOLD | A_UNDERLINE,
		[TS_SEV_HIGH] = A_BOLD,
		[TS_SEV_CRITICAL] = A_BOLD | A_UNDERLINE,
		[TS_STATUS] = A_REVERSE,
	};
	static const short pairs[TS_COUNT] = {
		[TS_TITLE] = PAIR_TITLE,	   [TS_PANE] = PAIR_PANE,
		[TS_PANE_FOCUS] = PAIR_FOCUS,	   [TS_SEL] = PAIR_SEL,
		[TS_ALERT] = PAIR_ALERT,	   [TS_SEV_LOW] = PAIR_LOW,
		[TS_SEV_MEDIUM] = PAIR_MEDIUM,	   [TS_SEV_HIGH] = PAIR_HIGH,
		[TS_SEV_CRITICAL] = PAIR_CRITICAL, [TS_STATUS] = PAIR_STATUS,
	};
	static const attr_t extra[TS_COUNT] = {
		[TS_TITLE] = A_BOLD,	    [TS_LABEL] = A_BOLD, [TS_PANE_FOCUS] = A_BOLD,
		[TS_DIM] = A_DIM,	    [TS_ALERT] = A_BOLD, [TS_SEV_HIGH] = A_BOLD,
		[TS_SEV_CRITICAL] = A_BOLD,
	};

	if (st >= TS_COUNT)
		return A_NORMAL;
	if (!t->color)
		return mono[st];
	return (pairs[st] ? COLOR_PAIR(pairs[st]) : A_NORMAL) | extra[st];
}

static void start_curses(struct top *t)
{
	const char *no_color = getenv("NO_COLOR");

	initscr();
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	t->color = !t->o->no_color && !(no_color && no_color[0]) && has_colors();
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_PANE, COLOR_BLACK, COLOR_WHITE);
	init_pair(PAIR_FOCUS, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_SEL, COLOR_BLACK, COLOR_YELLOW);
	init_pair(PAIR_ALERT, COLOR_RED, -1);
	init_pair(PAIR_LOW, COLOR_CYAN, -1);
	init_pair(PAIR_MEDIUM, COLOR_YELLOW, -1);
	init_pair(PAIR_HIGH, COLOR_RED, -1);
	init_pair(PAIR_CRITICAL, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_STATUS, COLOR_BLACK, COLOR_WHITE);
}

static void draw(struct top *t)
{
	int rows, cols;
	struct timespec ts;

	getmaxyx(stdscr, rows, cols);
	if (tui_screen_resize(&t->screen, rows, cols))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t->view.now = ts.tv_sec;
	host_facts(&t->model);
	tui_render(&t->model, &t->view, &t->screen);
	/* ncurses sends only what changed since the last refresh: no flicker. */
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++) {
			const struct tui_cell *cell = &t->screen.cells[r * cols + c];

			/* The bottom-right cell would scroll the screen: leave it. */
			if (r == rows - 1 && c == cols - 1)
				break;
			mvaddch(r, c, (chtype)(unsigned char)cell->ch | style_attr(t, cell->style));
		}
	}
	refresh();
}

static int map_key(int ch)
{
	switch (ch) {
	case KEY_UP:
		return TUI_KEY_UP;
	case KEY_DOWN:
		return TUI_KEY_DOWN;
	case KEY_PPAGE:
		return TUI_KEY_PGUP;
	case KEY_NPAGE:
		return TUI_KEY_PGDN;
	case KEY_HOME:
		return TUI_KEY_HOME;
	case KEY_END:
		return TUI_KEY_END;
	case KEY_BACKSPACE:
		return TUI_KEY_BACKSPACE;
	case KEY_ENTER:
	case '\r':
		return TUI_KEY_ENTER;
	default:
		return ch;
	}
}

/* ---- the loop ---- */

static void collector_log(struct top *t)
{
	char *line;
	size_t len;
	int n;

	while ((n = bh_line_reader_fill(&t->err)) > 0) {
		while ((line = bh_line_reader_next(&t->err, &len))) {
			snprintf(t->err_lines[t->nerr % ERR_LINES], sizeof(t->err_lines[0]), "%s",
				 line);
			t->nerr++;
			/* The collector's log is its status: "ready", warnings, errors. */
			snprintf(t->view.status, sizeof(t->view.status), "collector: %s",
				 strncmp(line, "bulkhead: ", 10) ? line : line + 10);
			t->view.status_alert = strstr(line, "error") || strstr(line, "warn");
		}
	}
	if (n == 0) {
		t->err_open = false;
		close(t->err.fd);
	}
}

static void read_lines(struct top *t)
{
	struct timespec ts;
	size_t budget = 0;
	char *line;
	size_t len;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	while (budget < READ_BUDGET && (n = bh_line_reader_fill(&t->in)) > 0) {
		budget += (size_t)n;
		while ((line = bh_line_reader_next(&t->in, &len))) {
			tui_model_ingest(&t->model, line, len, ts.tv_sec);
			t->got_line = true;
		}
	}
	if (n == 0 || (n < 0 && n != -EAGAIN)) {
		t->in_open = false;
		close(t->in.fd);
		snprintf(t->view.status, sizeof(t->view.status), "%s",
			 t->attached ? "the agent's stream ended (the agent stopped): q quits"
				     : "the collector stopped: q quits");
		t->view.status_alert = true;
	}
}

/* Returns true when the collector ended before it sent a line: top has nothing to show. */
static bool collector_failed(const struct top *t)
{
	return !t->attached && !t->in_open && !t->err_open && !t->got_line;
}

static void loop(struct top *t)
{
	int64_t next = 0;
	bool dirty = true;

	while (!quit_signal && !collector_failed(t)) {
		struct pollfd pfd[3] = { { .fd = 0, .events = POLLIN },
					 { .fd = t->in_open ? t->in.fd : -1, .events = POLLIN },
					 { .fd = t->err_open ? t->err.fd : -1, .events = POLLIN } };
		int64_t now = mono_ms();
		int ch;

		if (dirty || now >= next) {
			tui_advise_refresh(&t->advise, &t->view);
			draw(t);
			dirty = false;
			next = now + REFRESH_MS;
		}
		if (poll(pfd, 3, (int)(next - now > 0 ? next - now : 0)) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			read_lines(t);
		if (pfd[2].revents)
			collector_log(t);
		while ((ch = getch()) != ERR) {
			if (ch == KEY_RESIZE) {
				dirty = true;
				continue;
			}
			switch (tui_input(&t->view, &t->model, map_key(ch))) {
			case TUI_ACT_QUIT:
				return;
			case TUI_ACT_REDRAW:
				dirty = true;
				break;
			default:
				break;
			}
			if (t->view.advise_toggle) {
				/* loading the recorder takes a moment: say so first */
				t->view.advise_toggle = false;
				snprintf(t->view.status, sizeof(t->view.status),
					 "advise: loading...");
				draw(t);
				tui_advise_toggle(&t->advise, &t->view);
			}
		}
	}
}

int bh_top_main(const struct bh_top_opts *o)
{
	struct top t = { .o = o };
	struct winsize ws;
	int code = 0;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"bulkhead top: needs a terminal (%s is not one); for JSON lines "
			"use `bulkhead run`\n",
			isatty(STDIN_FILENO) ? "stdout" : "stdin");
		return 2;
	}
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) &&
	    (ws.ws_row < TUI_MIN_ROWS || ws.ws_col < TUI_MIN_COLS)) {
		fprintf(stderr, "bulkhead top: the terminal is %ux%u; it needs at least %dx%d\n",
			ws.ws_col, ws.ws_row, TUI_MIN_COLS, TUI_MIN_ROWS);
		return 1;
	}
	tui_model_init(&t.model);
	tui_view_init(&t.view);
	setup_signals();
	if (open_source(&t)) {
		code = 1;
		goto out;
	}
	start_curses(&t);
	loop(&t);
	restore_terminal();
	if (collector_failed(&t)) {
		fprintf(stderr, "bulkhead top: the collector stopped before it sent anything; "
				"its last words:\n");
		for (int i = t.nerr > ERR_LINES ? t.nerr - ERR_LINES : 0; i < t.nerr; i++)
			fprintf(stderr, "  %s\n", t.err_lines[i % ERR_LINES]);
		code = 1;
	}
out:
	tui_advise_stop(&t.advise, &t.view);
	stop_collector();
	if (t.in_open)
		close(t.in.fd);
	if (t.err_open)
		close(t.err.fd);
	bh_line_reader_free(&t.in);
	bh_line_reader_free(&t.err);
	tui_screen_free(&t.screen);
	tui_model_free(&t.model);
	return code;
}
