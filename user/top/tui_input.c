// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tui_input.c - what each key does to the view of `bulkhead top`. */
#include <stdio.h>
#include <string.h>

#include "tui_render.h"

/* Moves the selection of the focused pane by delta rows (clamped to the list). */
static void move(struct tui_view *v, const struct tui_model *m, int delta)
{
	static const struct tui_container *crows[TUI_MAX_CONTAINERS];
	static const struct tui_finding *frows[TUI_MAX_FINDINGS];
	int n, cur = 0, to;

	if (v->focus == TUI_PANE_TABLE) {
		n = tui_container_rows(m, v, crows, TUI_MAX_CONTAINERS);
		for (int i = 0; v->sel_ctr_valid && i < n; i++)
			if (!strcmp(crows[i]->id, v->sel_ctr))
				cur = i;
	} else {
		n = tui_finding_rows(m, v, frows, TUI_MAX_FINDINGS);
		for (int i = 0; v->sel_finding && i < n; i++)
			if (frows[i]->seq == v->sel_finding)
				cur = i;
	}
	if (!n)
		return;
	to = cur + delta;
	if (to < 0)
		to = 0;
	if (to >= n)
		to = n - 1;
	if (v->focus == TUI_PANE_TABLE) {
		snprintf(v->sel_ctr, sizeof(v->sel_ctr), "%s", crows[to]->id);
		v->sel_ctr_valid = true;
	} else {
		/* Row 0 follows the newest finding; any other row stays on its finding. */
		v->sel_finding = to ? frows[to]->seq : 0;
	}
}

static int page(const struct tui_view *v)
{
	int h = v->focus == TUI_PANE_TABLE ? v->table_h : v->feed_h;

	return h > 1 ? h - 1 : 1;
}

static enum tui_action edit_filter(struct tui_view *v, int key)
{
	size_t len = strlen(v->filter);

	switch (key) {
	case TUI_KEY_ENTER:
		v->editing = false;
		break;
	case TUI_KEY_ESC:
		v->filter[0] = '\0';
		v->editing = false;
		break;
	case TUI_KEY_BACKSPACE:
	case 127:
	case 8:
		if (len)
			v->filter[len - 1] = '\0';
		break;
	default:
		if (key < 0x20 || key > 0x7e || len + 1 >= sizeof(v->filter))
			return TUI_ACT_NONE;
		v->filter[len] = (char)key;
		v->filter[len + 1] = '\0';
		break;
	}
	/* A new filter shows its first rows. */
	v->table_top = v->feed_top = 0;
	return TUI_ACT_REDRAW;
}

static enum tui_action detail_key(struct tui_view *v, int key)
{
	switch (key) {
	case 'q':
		return TUI_ACT_QUIT;
	case TUI_KEY_UP:
	case 'k':
		v->detail_scroll--;
		break;
	case TUI_KEY_DOWN:
	case 'j':
		v->detail_scroll++;
		break;
	case TUI_KEY_PGUP:
		v->detail_scroll -= v->body_h - 2;
		break;
	case TUI_KEY_PGDN:
	case ' ':
		v->detail_scroll += v->body_h - 2;
		break;
	case TUI_KEY_ESC:
	case TUI_KEY_ENTER:
	case TUI_KEY_BACKSPACE:
	case 127:
	case 'h':
		v->detail = false;
		break;
	case '?':
		v->help = true;
		break;
	case 'a':
		v->advise_toggle = true;
		break;
	default:
		return TUI_ACT_NONE;
	}
	return TUI_ACT_REDRAW;
}

enum tui_action tui_input(struct tui_view *v, const struct tui_model *m, int key)
{
	if (v->editing)
		return edit_filter(v, key);
	if (v->help) {
		v->help = false;
		return key == 'q' ? TUI_ACT_QUIT : TUI_ACT_REDRAW;
	}
	if (v->detail)
		return detail_key(v, key);

	switch (key) {
	case 'q':
		return TUI_ACT_QUIT;
	case TUI_KEY_UP:
	case 'k':
		move(v, m, -1);
		break;
	case TUI_KEY_DOWN:
	case 'j':
		move(v, m, 1);
		break;
	case TUI_KEY_PGUP:
		move(v, m, -page(v));
		break;
	case TUI_KEY_PGDN:
		move(v, m, page(v));
		break;
	case TUI_KEY_HOME:
	case 'g':
		move(v, m, -TUI_MAX_FINDINGS);
		break;
	case TUI_KEY_END:
	case 'G':
		move(v, m, TUI_MAX_FINDINGS);
		break;
	case TUI_KEY_TAB:
		v->focus = v->focus == TUI_PANE_TABLE ? TUI_PANE_FEED : TUI_PANE_TABLE;
		break;
	case TUI_KEY_ENTER:
		/* The detail of "the newest finding" must not change under the reader. */
		if (v->focus == TUI_PANE_FEED && !v->sel_finding) {
			const struct tui_finding *rows[1];

			if (tui_finding_rows(m, v, rows, 1))
				v->sel_finding = rows[0]->seq;
		}
		v->detail = true;
		v->detail_scroll = 0;
		break;
	case '/':
		v->editing = true;
		break;
	case TUI_KEY_ESC:
		v->filter[0] = '\0';
		break;
	case 's':
		v->sort = (enum tui_sort)((v->sort + 1) % TUI_SORT_COUNT);
		break;
	case 'p':
		v->paused = !v->paused;
		v->pause_seq = m->next_seq - 1;
		break;
	case '?':
		v->help = true;
		break;
	case 'a':
		v->advise_toggle = true;
		break;
	default:
		return TUI_ACT_NONE;
	}
	return TUI_ACT_REDRAW;
}
