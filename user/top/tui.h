/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tui.h - `bulkhead top`: a full-screen live view of the node's containers and
 * findings, fed by a running agent's event socket or by a collector it starts.
 *
 * top/ is a client apart: it knows the agent only by its JSON lines (output/stream.h),
 * folded into a model (tui_model.h) and laid out as a screen (tui_render.h).
 */
#ifndef BULKHEAD_TUI_H
#define BULKHEAD_TUI_H

#include <stdbool.h>

struct bh_top_opts {
	const char *socket_path; /* the agent's event socket; NULL: the default path */
	bool no_color;		 /* also when NO_COLOR is set and not empty */
	/*
	 * The bulkhead binary run as the collector when no agent answers
	 * (`run --events all`); NULL: this very binary (/proc/self/exe).
	 */
	const char *collector;
};

/*
 * Runs until q, SIGINT or SIGTERM and returns the exit code: 0, 1 (no source of
 * events, a terminal smaller than 80x24) or 2 (stdin or stdout is not a terminal).
 */
int bh_top_main(const struct bh_top_opts *o);

#endif
