// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_tui_render.c - the screen of `bulkhead top` without a terminal: what goes in
 * which row, truncation, sorting, filtering, pausing, and what the keys do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "top/tui_render.h"

struct fixture {
	struct tui_model m;
	struct tui_view v;
	struct tui_screen s;
};

/* An event in container name (id derived from it), at second now. */
static void event(struct tui_model *m, const char *name, const char *image, int64_t now)
{
	char line[1024];

	snprintf(line, sizeof(line),
		 "{\"schema\":1,\"time\":\"2026-11-30T04:54:38Z\",\"type\":\"event\",\"event\":"
		 "\"exec\",\"process\":{\"pid\":9,\"comm\":\"sh\"},\"container\":{\"id\":"
		 "\"%-64.64s\",\"name\":\"%s\",\"image\":\"%s\"},\"ret\":0,\"exec\":{}}",
		 name, name, image);
	assert_int_equal(tui_model_ingest(m, line, strlen(line), now), 0);
}

static void finding(struct tui_model *m, const char *name, const char *rule, const char *sev,
		    const char *hms)
{
	char line[1024];

	snprintf(line, sizeof(line),
		 "{\"schema\":1,\"time\":\"2026-11-30T%sZ\",\"type\":\"finding\",\"rule\":\"%s\","
		 "\"severity\":\"%s\",\"summary\":\"%s in %s\",\"container\":{\"id\":"
		 "\"%-64.64s\",\"name\":\"%s\",\"image\":\"local/nginx:1\"},\"process\":"
		 "{\"pid\":42,\"comm\":\"sh\"},\"evidence\":{\"why\":\"because\"},"
		 "\"remediation\":\"Fix %s\"}",
		 hms, rule, sev, rule, name, name, name, rule);
	assert_int_equal(tui_model_ingest(m, line, strlen(line), 1), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	setenv("TZ", "UTC", 1);
	tzset();
	tui_model_init(&f->m);
	tui_view_init(&f->v);
	snprintf(f->m.host, sizeof(f->m.host), "node-7");
	snprintf(f->m.kernel, sizeof(f->m.kernel), "6.18.0");
	f->m.uptime_s = 2 * 86400 + 3 * 3600 + 4 * 60;
	snprintf(f->m.source, sizeof(f->m.source), "agent /run/bulkhead/events.sock");
	f->v.now = 200;
	assert_int_equal(tui_screen_resize(&f->s, 30, 100), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tui_model_free(&f->m);
	tui_screen_free(&f->s);
	free(f);
	return 0;
}

static char *row(struct fixture *f, int r)
{
	static char buf[512];

	tui_screen_row(&f->s, r, buf);
	return buf;
}

/* The first row at or after `from` that contains text, -1 when none. */
static int find_row(struct fixture *f, const char *text, int from)
{
	for (int r = from; r < f->s.rows; r++)
		if (strstr(row(f, r), text))
			return r;
	return -1;
}

static int style_at(struct fixture *f, int r, const char *text)
{
	char *line = row(f, r), *p = strstr(line, text);

	assert_non_null(p);
	return f->s.cells[r * f->s.cols + (p - line)].style;
}

static void test_header(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 20; i++)
		event(&f->m, "web", "nginx", 198);
	f->m.drops = 3;
	f->m.have_stats = true;
	tui_render(&f->m, &f->v, &f->s);
	assert_non_null(
		strstr(row(f, 0), " bulkhead top  host node-7  kernel 6.18.0  up 2d 03:04"));
	assert_non_null(strstr(row(f, 0), "agent /run/bulkhead/events.sock "));
	assert_non_null(strstr(row(f, 1), "events/s 4.0  exec 4.0 setns 0 mount 0"));
	assert_non_null(strstr(row(f, 2), "critical 0 high 0 medium 0 low 0   drops 3   "
					  "containers 1"));
	/* Drops are an alert; zero drops are not. */
	assert_int_equal(style_at(f, 2, "3   containers"), TS_ALERT);
	f->m.drops = 0;
	tui_render(&f->m, &f->v, &f->s);
	assert_int_equal(style_at(f, 2, "0   containers"), TS_NORMAL);
	assert_non_null(strstr(row(f, f->s.rows - 1), "q quit  ? help  / filter"));
}

static void test_table_rows_sort_and_truncate(void **state)
{
	struct fixture *f = *state;
	int r;

	event(&f->m, "alpha", "img-a", 199);
	for (int i = 0; i < 50; i++)
		event(&f->m, "busy", "img-b", 199);
	event(&f->m, "a-container-with-a-name-far-too-long-for-its-column", "img-c", 199);
	finding(&f->m, "alpha", "docker-socket-access", "critical", "05:00:01");
	finding(&f->m, "busy", "no-new-privileges-missing", "low", "05:00:02");

	tui_render(&f->m, &f->v, &f->s);
	r = find_row(f, "ID           NAME", 0);
	assert_int_not_equal(r, -1);
	/* By findings: the worst severity first, the selection on the first row. */
	assert_non_null(strstr(row(f, r + 1), ">alpha      "));
	assert_non_null(strstr(row(f, r + 1), "  1  0  0  0 CRIT"));
	assert_int_equal(style_at(f, r + 1, "alpha"), TS_SEL);
	assert_non_null(strstr(row(f, r + 2), " busy "));
	assert_non_null(strstr(row(f, r + 2), "10    0  0  0  1 LOW"));
	/* A long name is cut at its column with a visible mark, the next column intact. */
	assert_non_null(strstr(row(f, r + 3), " a-container-with-a-name-far-~ img-c"));
	assert_int_equal((int)strlen(row(f, r + 3)), 100);
	assert_int_equal(row(f, r + 3)[99], ' ');

	f->v.sort = TUI_SORT_EVENTS;
	tui_render(&f->m, &f->v, &f->s);
	assert_non_null(strstr(row(f, r + 1), " busy "));
	f->v.sort = TUI_SORT_NAME;
	tui_render(&f->m, &f->v, &f->s);
	assert_non_null(strstr(row(f, r + 1), " a-container-with"));
	assert_non_null(strstr(row(f, r + 2), " alpha "));
	assert_non_null(strstr(row(f, r + 3), " busy "));
	assert_non_null(strstr(row(f, r - 1), "CONTAINERS 3  sort: name"));
}

static void test_feed_newest_first_and_filter(void **state)
{
	struct fixture *f = *state;
	int r;

	finding(&f->m, "alpha", "docker-socket-access", "critical", "05:00:01");
	finding(&f->m, "busy", "no-new-privileges-missing", "low", "05:00:02");
	finding(&f->m, "busy", "dangerous-capability", "high", "05:00:03");
	tui_render(&f->m, &f->v, &f->s);
	r = find_row(f, " TIME     SEV  RULE", 0);
	assert_int_not_equal(r, -1);
	assert_non_null(strstr(row(f, r - 1), "FINDINGS 3, newest first"));
	assert_non_null(strstr(row(f, r + 1), "05:00:03 HIGH dangerous-capability"));
	assert_non_null(strstr(row(f, r + 1), "busy"));
	assert_non_null(strstr(row(f, r + 1), "sh[42]"));
	assert_non_null(strstr(row(f, r + 2), "05:00:02 LOW  no-new-privileges-missing"));
	assert_non_null(strstr(row(f, r + 3), "05:00:01 CRIT docker-socket-access"));
	assert_int_equal(style_at(f, r + 3, "CRIT"), TS_SEV_CRITICAL);
	assert_int_equal(style_at(f, r + 2, "LOW "), TS_SEV_LOW);

	/* By container name: both panes. */
	snprintf(f->v.filter, sizeof(f->v.filter), "BUS");
	tui_render(&f->m, &f->v, &f->s);
	assert_int_equal(find_row(f, "docker-socket-access", 0), -1);
	assert_int_not_equal(find_row(f, "dangerous-capability", 0), -1);
	assert_non_null(strstr(row(f, 3), "CONTAINERS 1 of 2  sort: findings  filter: BUS"));
	/* By rule: the container that had it, and the finding. */
	snprintf(f->v.filter, sizeof(f->v.filter), "socket-access");
	tui_render(&f->m, &f->v, &f->s);
	assert_non_null(strstr(row(f, 5), ">alpha"));
	assert_int_equal(find_row(f, " busy ", 4), -1);
	/* By severity: exactly that severity. */
	snprintf(f->v.filter, sizeof(f->v.filter), "low");
	tui_render(&f->m, &f->v, &f->s);
	assert_int_not_equal(find_row(f, "no-new-privileges-missing", 0), -1);
	assert_int_equal(find_row(f, "dangerous-capability", 0), -1);
	snprintf(f->v.filter, sizeof(f->v.filter), "nothing-like-this");
	tui_render(&f->m, &f->v, &f->s);
	assert_int_not_equal(find_row(f, "no container matches the filter", 0), -1);
	assert_int_not_equal(find_row(f, "no finding matches the filter", 0), -1);
}

static void test_pause_holds_feed(void **state)
{
	struct fixture *f = *state;

	finding(&f->m, "alpha", "docker-socket-access", "critical", "05:00:01");
	assert_int_equal(tui_input(&f->v, &f->m, 'p'), TUI_ACT_REDRAW);
	finding(&f->m, "alpha", "dangerous-capability", "high", "05:00:02");
	tui_render(&f->m, &f->v, &f->s);
	assert_int_equal(find_row(f, "dangerous-capability", 0), -1);
	assert_int_not_equal(find_row(f, "PAUSED: 1 new held back, p resumes", 0), -1);
	tui_input(&f->v, &f->m, 'p');
	tui_render(&f->m, &f->v, &f->s);
	assert_int_not_equal(find_row(f, "dangerous-capability", 0), -1);
	assert_int_equal(find_row(f, "PAUSED", 0), -1);
}

static void test_keys(void **state)
{
	struct fixture *f = *state;
	const char *typed = "busy";
	int r;

	event(&f->m, "alpha", "img-a", 199);
	event(&f->m, "busy", "img-b", 199);
	finding(&f->m, "busy", "dangerous-capability", "high", "05:00:03");
	tui_render(&f->m, &f->v, &f->s);
	r = find_row(f, ">busy", 0);
	assert_int_not_equal(r, -1);
	/* j moves down the table, k back up, never past the ends. */
	tui_input(&f->v, &f->m, 'j');
	tui_input(&f->v, &f->m, 'j');
	tui_render(&f->m, &f->v, &f->s);
	assert_non_null(strstr(row(f, r + 1), ">alpha"));
	tui_input(&f->v, &f->m, TUI_KEY_UP);
	tui_render(&f->m, &f->v, &f->s);
	assert_non_null(strstr(row(f, r), ">busy"));

	/* '/' types a filter shown in the status row; Enter keeps it; Esc clears it. */
	assert_int_equal(tui_input(&f->v, &f->m, '/'), TUI_ACT_REDRAW);
	for (const char *c = typed; *c; c++)
		tui_input(&f->v, &f->m, *c);
	tui_input(&f->v, &f->m, 'x');
	tui_input(&f->v, &f->m, TUI_KEY_BACKSPACE);
	tui_render(&f->m, &f->v, &f->s);
	assert_non_null(strstr(row(f, f->s.rows - 1), " filter: busy_"));
	/* While typing, q is a letter, not quit. */
	assert_int_equal(tui_input(&f->v, &f->m, TUI_KEY_ENTER), TUI_ACT_REDRAW);
	assert_string_equal(f->v.filter, "busy");
	assert_false(f->v.editing);
	tui_render(&f->m, &f->v, &f->s);
	assert_int_equal(find_row(f, "alpha", 4), -1);
	tui_input(&f->v, &f->m, TUI_KEY_ESC);
	assert_string_equal(f->v.filter, "");

	/* s cycles the sort, Tab the focus, Enter opens the detail of the selection. */
	tui_input(&f->v, &f->m, 's');
	assert_int_equal(f->v.sort, TUI_SORT_EVENTS);
	tui_input(&f->v, &f->m, TUI_KEY_TAB);
	assert_int_equal(f->v.focus, TUI_PANE_FEED);
	tui_input(&f->v, &f->m, TUI_KEY_ENTER);
	tui_render(&f->m, &f->v, &f->s);
	assert_non_null(strstr(row(f, 3), "DETAIL  finding #1  dangerous-capability"));
	assert_int_not_equal(find_row(f, "remediation: Fix dangerous-capability", 4), -1);
	assert_int_not_equal(find_row(f, "evidence:", 4), -1);
	assert_int_not_equal(find_row(f, "recent events of busy", 4), -1);
	tui_input(&f->v, &f->m, TUI_KEY_ESC);
	assert_false(f->v.detail);
	tui_input(&f->v, &f->m, TUI_KEY_TAB);
	tui_input(&f->v, &f->m, TUI_KEY_ENTER);
	tui_render(&f->m, &f->v, &f->s);
	assert_non_null(strstr(row(f, 3), "DETAIL  container busy"));
	assert_int_not_equal(
		find_row(f, "HIGH dangerous-capability: dangerous-capability in busy", 4), -1);
	tui_input(&f->v, &f->m, TUI_KEY_ESC);

	tui_input(&f->v, &f->m, '?');
	tui_render(&f->m, &f->v, &f->s);
	assert_int_not_equal(find_row(f, "bulkhead top: keys", 0), -1);
	assert_int_equal(tui_input(&f->v, &f->m, 'x'), TUI_ACT_REDRAW);
	assert_false(f->v.help);
	assert_int_equal(tui_input(&f->v, &f->m, 'q'), TUI_ACT_QUIT);
}

static void test_sizes(void **state)
{
	struct fixture *f = *state;
	int r;

	for (int i = 0; i < 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "c%02d", i);
		event(&f->m, name, "img", 199);
		finding(&f->m, name, "dangerous-capability", "high", "05:00:03");
	}
	/* The smallest size: every pane has rows, nothing runs off the right edge. */
	assert_int_equal(tui_screen_resize(&f->s, 24, 80), 0);
	tui_render(&f->m, &f->v, &f->s);
	r = find_row(f, " TIME ", 0);
	assert_true(r > 6 && r < 20);
	assert_non_null(strstr(row(f, r + 1), "05:00:03 HIGH"));
	assert_non_null(strstr(row(f, 23), "q quit"));
	for (int i = 0; i < 24; i++)
		assert_int_equal(row(f, i)[79], ' ');
	/* The selection stays in sight when it moves below the visible rows. */
	tui_input(&f->v, &f->m, TUI_KEY_END);
	tui_render(&f->m, &f->v, &f->s);
	assert_int_not_equal(find_row(f, ">c39", 0), -1);

	assert_int_equal(tui_screen_resize(&f->s, 20, 79), 0);
	tui_render(&f->m, &f->v, &f->s);
	assert_int_not_equal(find_row(f, "terminal too small: 79x20, bulkhead top needs 80x24", 0),
			     -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_rows_sort_and_truncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feed_newest_first_and_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_holds_feed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
	};

	return cmocka_run_group_tests_name("tui_render", tests, NULL, NULL);
}
