/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tui_advise.h - `bulkhead top` advising the selected container ('a'): an advise session
 * (advise/advise.h) in top's own process, whatever top's source of lines, and its running
 * profile as text for the detail pane.
 */
#ifndef BULKHEAD_TUI_ADVISE_H
#define BULKHEAD_TUI_ADVISE_H

#include "tui_render.h"

struct bh_advise_session;

struct tui_advise {
	struct bh_advise_session *session; /* NULL: not advising */
	char *text;			   /* the running profile, shown as view.advise_text */
};

/* Starts advising view->sel_ctr, or stops: the answer goes to view->status. */
void tui_advise_toggle(struct tui_advise *a, struct tui_view *v);
/* Takes the session's news and lays out its profile again: every refresh. */
void tui_advise_refresh(struct tui_advise *a, struct tui_view *v);
void tui_advise_stop(struct tui_advise *a, struct tui_view *v);

#endif
