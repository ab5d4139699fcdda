// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tui_advise.c - top's live advise: a session for the selected container, its profile as text. */
#include "tui_advise.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advise/advise.h"

void tui_advise_stop(struct tui_advise *a, struct tui_view *v)
{
	bh_advise_stop(a->session);
	a->session = NULL;
	free(a->text);
	a->text = NULL;
	v->advise_text = NULL;
	v->advise_ctr[0] = '\0';
}

/* The session logs on stderr, which is the screen: silenced while it starts. */
static int start_quietly(const struct bh_advise_opts *o, struct bh_advise_session **out)
{
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC), err;

	if (saved >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	err = bh_advise_start(o, out);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (null >= 0)
		close(null);
	return err;
}

void tui_advise_toggle(struct tui_advise *a, struct tui_view *v)
{
	struct bh_advise_opts o = { .container = v->sel_ctr, .quiet_ready = true };
	int err;

	if (a->session) {
		snprintf(v->status, sizeof(v->status), "stopped advising %.12s", v->advise_ctr);
		tui_advise_stop(a, v);
		return;
	}
	if (!v->sel_ctr_valid || !v->sel_ctr[0]) {
		snprintf(v->status, sizeof(v->status), "advise: select a container first");
		return;
	}
	err = start_quietly(&o, &a->session);
	if (err) {
		snprintf(v->status, sizeof(v->status),
			 "advise: cannot start (%s); `bulkhead advise --container %.12s` says why",
			 strerror(-err), v->sel_ctr);
		return;
	}
	snprintf(v->advise_ctr, sizeof(v->advise_ctr), "%s", v->sel_ctr);
	snprintf(v->status, sizeof(v->status),
		 "advising %.12s: its running profile is in its details (Enter); a stops",
		 v->advise_ctr);
	tui_advise_refresh(a, v);
}

void tui_advise_refresh(struct tui_advise *a, struct tui_view *v)
{
	struct bh_advice advice;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!a->session)
		return;
	bh_advise_tick(a->session);
	bh_advise_snapshot(a->session, &advice);
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	bh_advice_summary(&advice, NULL, f);
	if (fclose(f)) {
		free(buf);
		return;
	}
	free(a->text);
	a->text = buf;
	v->advise_text = buf;
}
