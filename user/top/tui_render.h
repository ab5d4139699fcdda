/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tui_render.h - the layout of `bulkhead top` as a screen model (a grid of
 * characters and styles), the view state the keys change, and the key handling.
 * No ncurses here: tui.c copies the grid to the terminal, the tests read it.
 */
#ifndef BULKHEAD_TUI_RENDER_H
#define BULKHEAD_TUI_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "tui_model.h"

#define TUI_MIN_ROWS 24
#define TUI_MIN_COLS 80

enum tui_style {
	TS_NORMAL,
	TS_TITLE,      /* the top bar */
	TS_LABEL,      /* "events/s", column headers */
	TS_PANE,       /* a pane's title bar */
	TS_PANE_FOCUS, /* the title bar of the pane the keys move in */
	TS_SEL,	       /* the selected row */
	TS_DIM,
	TS_ALERT,   /* drops > 0, a lost stream */
	TS_SEV_LOW, /* TS_SEV_LOW + (sev - TUI_SEV_LOW) for each severity */
	TS_SEV_MEDIUM,
	TS_SEV_HIGH,
	TS_SEV_CRITICAL,
	TS_STATUS, /* the key line at the bottom */
	TS_COUNT,
};

struct tui_cell {
	char ch; /* printable ASCII: the layer below needs no width tables */
	uint8_t style;
};

struct tui_screen {
	int rows;
	int cols;
	struct tui_cell *cells;
};

enum tui_pane { TUI_PANE_TABLE, TUI_PANE_FEED };
enum tui_sort { TUI_SORT_FINDINGS, TUI_SORT_EVENTS, TUI_SORT_NAME, TUI_SORT_COUNT };

struct tui_view {
	int64_t now; /* monotonic seconds, for the rates */
	enum tui_pane focus;
	enum tui_sort sort;
	char filter[64]; /* container, image, pod, rule or severity */
	bool editing;	 /* the filter prompt has the keys */
	bool paused;	 /* the feed shows findings up to pause_seq only */
	uint64_t pause_seq;
	bool help;
	bool detail; /* the detail pane of the selection is open */
	int detail_scroll;
	char sel_ctr[65]; /* the selected container's id ("" is the host row) */
	bool sel_ctr_valid;
	uint64_t sel_finding;	     /* the selected finding's seq, 0: none yet */
	int table_top, feed_top;     /* first row shown, kept by the renderer */
	int table_h, feed_h, body_h; /* rows of each pane at the last render */
	char status[160];	     /* the application's word: source ended, ... */
	bool advise_toggle;	     /* 'a': start or stop advising the selected container */
	char advise_ctr[65];	     /* the advised container's id, "" when none */
	const char *advise_text;     /* its running profile (tui_advise.h), NULL: none */
	bool status_alert;
};

/* Keys as the input layer hands them over: ASCII, or one of these. */
enum tui_key {
	TUI_KEY_UP = 0x100,
	TUI_KEY_DOWN,
	TUI_KEY_PGUP,
	TUI_KEY_PGDN,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_BACKSPACE,
	TUI_KEY_ESC = 27,
	TUI_KEY_ENTER = '\n',
	TUI_KEY_TAB = '\t',
};

enum tui_action { TUI_ACT_NONE, TUI_ACT_REDRAW, TUI_ACT_QUIT };

int tui_screen_resize(struct tui_screen *s, int rows, int cols);
void tui_screen_free(struct tui_screen *s);
/* Row r as text (cols bytes + NUL): for tests and for logging a screen. */
void tui_screen_row(const struct tui_screen *s, int r, char *buf);

void tui_view_init(struct tui_view *v);

/* The container rows the table shows: filtered and sorted. Returns how many (<= max). */
int tui_container_rows(const struct tui_model *m, const struct tui_view *v,
		       const struct tui_container **out, int max);
/* The feed: newest first, filtered, up to the pause point. Returns how many (<= max). */
int tui_finding_rows(const struct tui_model *m, const struct tui_view *v,
		     const struct tui_finding **out, int max);

/* Lays out the whole screen; keeps the selection in sight (v->*_top). */
void tui_render(const struct tui_model *m, struct tui_view *v, struct tui_screen *s);

/* One key: moves, filters, sorts, pauses, opens panes. */
enum tui_action tui_input(struct tui_view *v, const struct tui_model *m, int key);

#endif
