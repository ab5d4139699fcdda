// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tui_render.c - lays out the header, container table, findings feed and detail pane. */
#define _GNU_SOURCE /* strcasestr, qsort_r */
#include "tui_render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"

int tui_screen_resize(struct tui_screen *s, int rows, int cols)
{
	struct tui_cell *cells;

	if (rows <= 0 || cols <= 0)
		return -EINVAL;
	if (rows == s->rows && cols == s->cols)
		return 0;
	cells = calloc((size_t)rows * (size_t)cols, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	free(s->cells);
	s->cells = cells;
	s->rows = rows;
	s->cols = cols;
	return 0;
}

void tui_screen_free(struct tui_screen *s)
{
	free(s->cells);
	memset(s, 0, sizeof(*s));
}

void tui_screen_row(const struct tui_screen *s, int r, char *buf)
{
	for (int c = 0; c < s->cols; c++)
		buf[c] = s->cells[r * s->cols + c].ch;
	buf[s->cols] = '\0';
}

void tui_view_init(struct tui_view *v)
{
	memset(v, 0, sizeof(*v));
}

/* A cursor on one row: text runs left to right and never past the right edge. */
struct pen {
	struct tui_screen *s;
	int r, c;
};

static void fill(struct tui_screen *s, int r, int c, int n, char ch, enum tui_style st)
{
	for (int i = c; i < c + n && i < s->cols; i++)
		s->cells[r * s->cols + i] = (struct tui_cell){ .ch = ch, .style = (uint8_t)st };
}

/*
 * Writes str into a field of width cells (width < 0: as long as it is), padded with
 * spaces; a cut string ends in '~' so that the cut shows. Control and non-ASCII
 * bytes become '?': the terminal layer draws single-cell ASCII only.
 */
static void field(struct pen *p, const char *str, int width, enum tui_style st)
{
	int len = (int)strlen(str);
	int n = width < 0 ? len : width;

	/* The last column stays blank: the terminal would scroll on its bottom-right cell. */
	if (p->c + n > p->s->cols - 1)
		n = p->s->cols - 1 - p->c;
	for (int i = 0; i < n; i++) {
		char ch = i < len ? str[i] : ' ';

		if ((unsigned char)ch < 0x20 || (unsigned char)ch > 0x7e)
			ch = '?';
		if (i == n - 1 && len > n)
			ch = '~';
		p->s->cells[p->r * p->s->cols + p->c + i] =
			(struct tui_cell){ .ch = ch, .style = (uint8_t)st };
	}
	p->c += n > 0 ? n : 0;
}

/* A column: the field, then a one-space gap that a cut string never fills. */
static void column(struct pen *p, const char *str, int width, enum tui_style st, enum tui_style gap)
{
	field(p, str, width, st);
	field(p, " ", 1, gap);
}

static void fieldf(struct pen *p, int width, enum tui_style st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fieldf(struct pen *p, int width, enum tui_style st, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	field(p, buf, width, st);
}

static enum tui_style sev_style(enum tui_sev sev)
{
	return sev == TUI_SEV_NONE ? TS_DIM : (enum tui_style)(TS_SEV_LOW + sev - TUI_SEV_LOW);
}

static const char *const sev_tags[TUI_SEV_COUNT] = { "-", "LOW", "MED", "HIGH", "CRIT" };

static void fmt_rate(double r, char *buf, size_t size)
{
	if (r <= 0)
		snprintf(buf, size, "0");
	else if (r < 10)
		snprintf(buf, size, "%.1f", r);
	else
		snprintf(buf, size, "%.0f", r);
}

/* ---- which rows: filter and sort ---- */

static bool contains(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle);
}

static bool container_matches(const struct tui_container *c, const char *filter)
{
	enum tui_sev sev = tui_sev_parse(filter);

	if (!filter[0])
		return true;
	if (sev != TUI_SEV_NONE)
		return c->findings[sev] > 0;
	if (contains(c->id, filter) || contains(c->name, filter) || contains(c->image, filter) ||
	    contains(c->pod, filter))
		return true;
	for (int i = 0; i < c->nrules; i++)
		if (contains(c->rules[i], filter))
			return true;
	return false;
}

static bool finding_matches(const struct tui_model *m, const struct tui_finding *f,
			    const char *filter)
{
	enum tui_sev sev = tui_sev_parse(filter);
	const struct tui_container *c;

	if (!filter[0])
		return true;
	if (sev != TUI_SEV_NONE)
		return f->sev == sev;
	if (contains(f->rule, filter) || contains(f->ctr_name, filter) ||
	    contains(f->ctr_id, filter) || contains(f->process, filter))
		return true;
	c = tui_model_container_by_id(m, f->ctr_id);
	return c && (contains(c->image, filter) || contains(c->pod, filter));
}

static uint64_t total_findings(const struct tui_container *c)
{
	uint64_t n = 0;

	for (int i = 0; i < TUI_SEV_COUNT; i++)
		n += c->findings[i];
	return n;
}

struct sort_ctx {
	enum tui_sort sort;
	int64_t now;
};

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct tui_container *a = *(const struct tui_container *const *)pa;
	const struct tui_container *b = *(const struct tui_container *const *)pb;
	const struct sort_ctx *ctx = arg;
	double ra, rb;
	int d = 0;

	switch (ctx->sort) {
	case TUI_SORT_FINDINGS:
		d = (int)b->worst - (int)a->worst;
		if (!d)
			d = cmp_u64_desc(total_findings(a), total_findings(b));
		break;
	case TUI_SORT_EVENTS:
		ra = tui_rate_get(&a->rate, ctx->now);
		rb = tui_rate_get(&b->rate, ctx->now);
		d = ra < rb ? 1 : ra > rb ? -1 : cmp_u64_desc(a->events, b->events);
		break;
	default:
		break;
	}
	if (!d)
		d = strcmp(a->name, b->name);
	return d ? d : strcmp(a->id, b->id);
}

int tui_container_rows(const struct tui_model *m, const struct tui_view *v,
		       const struct tui_container **out, int max)
{
	struct sort_ctx ctx = { .sort = v->sort, .now = v->now };
	int n = 0;

	for (int i = 0; i < m->nctrs && n < max; i++)
		if (container_matches(m->ctrs[i], v->filter))
			out[n++] = m->ctrs[i];
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): sorts an array of container pointers */
	qsort_r(out, (size_t)n, sizeof(*out), cmp_rows, &ctx);
	return n;
}

int tui_finding_rows(const struct tui_model *m, const struct tui_view *v,
		     const struct tui_finding **out, int max)
{
	const struct tui_finding *f;
	int n = 0;

	for (int i = 0; n < max && (f = tui_model_finding(m, i)); i++) {
		if (v->paused && f->seq > v->pause_seq)
			continue;
		if (finding_matches(m, f, v->filter))
			out[n++] = f;
	}
	return n;
}

/* ---- header ---- */

static void render_header(const struct tui_model *m, const struct tui_view *v, struct tui_screen *s)
{
	struct pen p = { s, 0, 0 };
	int64_t up = m->uptime_s;
	char rate[16];
	double total = 0;
	uint64_t ctrs = 0;
	int src = (int)strlen(m->source);

	/* Where the lines come from always shows: the host facts give way when space is short. */
	if (src > s->cols / 2)
		src = s->cols / 2;
	fill(s, 0, 0, s->cols, ' ', TS_TITLE);
	fieldf(&p, s->cols - 2 - src, TS_TITLE,
	       " bulkhead top  host %s  kernel %s  up %lldd %02lld:%02lld", m->host, m->kernel,
	       (long long)(up / 86400), (long long)(up % 86400 / 3600),
	       (long long)(up % 3600 / 60));
	p.c = s->cols - 1 - src;
	field(&p, m->source, src, TS_TITLE);

	/* The total first: on a narrow terminal the last families are the ones cut. */
	for (unsigned int t = 1; t < BH_EV_TYPE_MAX; t++)
		total += tui_model_family_rate(m, t, v->now);
	fmt_rate(total, rate, sizeof(rate));
	p = (struct pen){ s, 1, 0 };
	field(&p, " events/s ", -1, TS_LABEL);
	field(&p, rate, -1, TS_NORMAL);
	field(&p, " ", 1, TS_NORMAL);
	for (unsigned int t = 1; t < BH_EV_TYPE_MAX; t++) {
		double r = tui_model_family_rate(m, t, v->now);

		fmt_rate(r, rate, sizeof(rate));
		fieldf(&p, -1, TS_DIM, " %s ", bh_event_type_name(t));
		field(&p, rate, -1, r > 0 ? TS_NORMAL : TS_DIM);
	}

	p = (struct pen){ s, 2, 0 };
	field(&p, " findings ", -1, TS_LABEL);
	for (int sev = TUI_SEV_CRITICAL; sev >= TUI_SEV_LOW; sev--) {
		fieldf(&p, -1, TS_DIM, " %s ", tui_sev_name(sev));
		fieldf(&p, -1, m->findings[sev] ? sev_style(sev) : TS_DIM, "%llu",
		       (unsigned long long)m->findings[sev]);
	}
	field(&p, "   drops ", -1, TS_LABEL);
	fieldf(&p, -1, m->drops ? TS_ALERT : TS_NORMAL, "%llu", (unsigned long long)m->drops);
	for (int i = 0; i < m->nctrs; i++)
		ctrs += m->ctrs[i]->id[0] != '\0';
	field(&p, "   containers ", -1, TS_LABEL);
	/* The agent knows containers that did nothing yet; top only those it saw. */
	if (m->have_stats && m->agent_containers > ctrs)
		ctrs = m->agent_containers;
	fieldf(&p, -1, TS_NORMAL, "%llu", (unsigned long long)ctrs);
}

/* ---- container table ---- */

struct table_cols {
	int name, image, pod;
};

/*
 * Fixed: marker 1, id 12 + gap, ev/s 8, counts 13, worst 5; the rest is shared by
 * name, image and pod with a gap each, and the last column stays free (see draw()).
 */
static struct table_cols table_layout(int cols, bool pods)
{
	int flex = cols - (1 + 13 + 8 + 13 + 5) - 3 - 1;

	/* Without Kubernetes pods the pod column goes, and names and images get its room. */
	if (!pods)
		return (struct table_cols){ .name = (flex + 1) * 52 / 100,
					    .image = flex + 1 - (flex + 1) * 52 / 100 };
	return (struct table_cols){ .name = flex * 38 / 100,
				    .image = flex * 36 / 100,
				    .pod = flex - flex * 38 / 100 - flex * 36 / 100 };
}

/* Returns the column after the title. */
static int pane_title(struct tui_screen *s, int r, bool focus, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int pane_title(struct tui_screen *s, int r, bool focus, const char *fmt, ...)
{
	struct pen p = { s, r, 0 };
	enum tui_style st = focus ? TS_PANE_FOCUS : TS_PANE;
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fill(s, r, 0, s->cols, ' ', st);
	field(&p, buf, -1, st);
	return p.c;
}

static const char *const sort_names[TUI_SORT_COUNT] = { "findings", "events", "name" };

/* Keeps row idx of n in a window of h rows starting at *top. */
static void scroll_to(int *top, int idx, int n, int h)
{
	if (idx < *top)
		*top = idx;
	if (idx >= *top + h)
		*top = idx - h + 1;
	if (*top > n - h)
		*top = n - h;
	if (*top < 0)
		*top = 0;
}

static int selected_container(struct tui_view *v, const struct tui_container **rows, int n)
{
	for (int i = 0; v->sel_ctr_valid && i < n; i++)
		if (!strcmp(rows[i]->id, v->sel_ctr))
			return i;
	if (!n)
		return -1;
	snprintf(v->sel_ctr, sizeof(v->sel_ctr), "%s", rows[0]->id);
	v->sel_ctr_valid = true;
	return 0;
}

static void render_table(const struct tui_model *m, struct tui_view *v, struct tui_screen *s,
			 int r0, int h)
{
	static const struct tui_container *rows[TUI_MAX_CONTAINERS];
	bool focus = v->focus == TUI_PANE_TABLE, pods = false;
	int n = tui_container_rows(m, v, rows, TUI_MAX_CONTAINERS);
	int sel = selected_container(v, rows, n);
	struct table_cols w;
	struct pen p;

	for (int i = 0; i < m->nctrs && !pods; i++)
		pods = m->ctrs[i]->pod[0] != '\0';
	w = table_layout(s->cols, pods);

	pane_title(s, r0, focus, " CONTAINERS %d%s%.0d  sort: %s%s%s", n,
		   n < m->nctrs ? " of " : "", n < m->nctrs ? m->nctrs : 0, sort_names[v->sort],
		   v->filter[0] ? "  filter: " : "", v->filter);
	p = (struct pen){ s, r0 + 1, 0 };
	fill(s, r0 + 1, 0, s->cols, ' ', TS_LABEL);
	field(&p, " ID", 14, TS_LABEL);
	field(&p, "NAME", w.name + 1, TS_LABEL);
	field(&p, "IMAGE", w.image + 1, TS_LABEL);
	if (pods)
		field(&p, "POD/NAMESPACE", w.pod + 1, TS_LABEL);
	field(&p, "  EV/S ", 8, TS_LABEL);
	field(&p, " CR HI ME LO ", 13, TS_LABEL);
	field(&p, "WORST", -1, TS_LABEL);

	v->table_h = h - 2;
	scroll_to(&v->table_top, sel, n, v->table_h);
	if (!n) {
		p = (struct pen){ s, r0 + 2, 0 };
		field(&p,
		      v->filter[0] ? "  no container matches the filter"
				   : "  waiting for activity in containers...",
		      -1, TS_DIM);
	}
	for (int i = 0; i < v->table_h && v->table_top + i < n; i++) {
		const struct tui_container *c = rows[v->table_top + i];
		bool is_sel = v->table_top + i == sel;
		enum tui_style base = is_sel && focus ? TS_SEL : TS_NORMAL;
		char rate[16];

		p = (struct pen){ s, r0 + 2 + i, 0 };
		fill(s, p.r, 0, s->cols, ' ', base);
		field(&p, is_sel ? ">" : " ", 1, base);
		fieldf(&p, 13, base, "%.12s", c->id[0] ? c->id : "-");
		column(&p, c->name, w.name, base, base);
		column(&p, c->image[0] ? c->image : "-", w.image, base, base);
		if (pods)
			column(&p, c->pod[0] ? c->pod : "-", w.pod, base, base);
		fmt_rate(tui_rate_get(&c->rate, v->now), rate, sizeof(rate));
		fieldf(&p, 8, base, "%6s ", rate);
		for (int sev = TUI_SEV_CRITICAL; sev >= TUI_SEV_LOW; sev--) {
			unsigned long long k = c->findings[sev];

			if (k > 99)
				fieldf(&p, 3, base == TS_SEL ? base : sev_style(sev), "99+");
			else
				fieldf(&p, 3,
				       base == TS_SEL ? base
				       : k	      ? sev_style(sev)
						      : TS_DIM,
				       "%3llu", k);
		}
		field(&p, " ", 1, base);
		field(&p, c->worst ? sev_tags[c->worst] : "-", 5,
		      base == TS_SEL ? base : sev_style(c->worst));
	}
}

/* ---- findings feed ---- */

struct feed_cols {
	int rule, ctr, proc;
};

static struct feed_cols feed_layout(int cols)
{
	int rest = cols - 15;

	return (struct feed_cols){ .rule = rest * 30 / 100,
				   .ctr = rest * 18 / 100,
				   .proc = rest * 15 / 100 };
}

static int selected_finding(struct tui_view *v, const struct tui_finding **rows, int n)
{
	for (int i = 0; v->sel_finding && i < n; i++)
		if (rows[i]->seq == v->sel_finding)
			return i;
	v->sel_finding = 0; /* none, or gone: follow the newest */
	return n ? 0 : -1;
}

static void render_feed(const struct tui_model *m, struct tui_view *v, struct tui_screen *s, int r0,
			int h)
{
	static const struct tui_finding *rows[TUI_MAX_FINDINGS];
	struct feed_cols w = feed_layout(s->cols);
	bool focus = v->focus == TUI_PANE_FEED;
	int n = tui_finding_rows(m, v, rows, TUI_MAX_FINDINGS);
	int sel = selected_finding(v, rows, n);
	uint64_t held = v->paused ? m->next_seq - 1 - v->pause_seq : 0;
	struct pen p;

	p = (struct pen){ s, r0, pane_title(s, r0, focus, " FINDINGS %d, newest first  ", n) };
	if (v->paused)
		fieldf(&p, -1, TS_ALERT, " PAUSED: %llu new held back, p resumes ",
		       (unsigned long long)held);
	p = (struct pen){ s, r0 + 1, 0 };
	fill(s, r0 + 1, 0, s->cols, ' ', TS_LABEL);
	field(&p, " TIME", 10, TS_LABEL);
	field(&p, "SEV", 5, TS_LABEL);
	field(&p, "RULE", w.rule + 1, TS_LABEL);
	field(&p, "CONTAINER", w.ctr + 1, TS_LABEL);
	field(&p, "PROCESS", w.proc + 1, TS_LABEL);
	field(&p, "SUMMARY", -1, TS_LABEL);

	v->feed_h = h - 2;
	scroll_to(&v->feed_top, sel, n, v->feed_h);
	if (!n) {
		p = (struct pen){ s, r0 + 2, 0 };
		field(&p, v->filter[0] ? "  no finding matches the filter" : "  no findings yet",
		      -1, TS_DIM);
	}
	for (int i = 0; i < v->feed_h && v->feed_top + i < n; i++) {
		const struct tui_finding *f = rows[v->feed_top + i];
		bool is_sel = v->feed_top + i == sel;
		enum tui_style base = is_sel && focus ? TS_SEL : TS_NORMAL;
		enum tui_style sev = base == TS_SEL ? base : sev_style(f->sev);

		p = (struct pen){ s, r0 + 2 + i, 0 };
		fill(s, p.r, 0, s->cols, ' ', base);
		field(&p, is_sel ? ">" : " ", 1, base);
		field(&p, f->when, 9, base);
		field(&p, sev_tags[f->sev], 5, sev);
		column(&p, f->rule, w.rule, sev, base);
		column(&p, f->ctr_name, w.ctr, base, base);
		column(&p, f->process[0] ? f->process : "-", w.proc, base, base);
		field(&p, f->summary ? f->summary : "", s->cols - 1 - p.c, base);
	}
}

/* ---- detail pane ---- */

struct text {
	char *buf;
	size_t len, cap;
};

static void textf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void textf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = (t->cap + (size_t)n + 1) * 2;
		char *p = realloc(t->buf, cap);

		if (!p)
			return;
		t->buf = p;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void recent_events(const struct tui_container *c, struct text *t)
{
	textf(t, "\nrecent events of %s (newest first):\n", c->name);
	if (!c->nrecent)
		textf(t, "  none seen (run `bulkhead run --events all` for raw events)\n");
	for (int i = 0; i < c->nrecent; i++)
		textf(t, "  %s\n",
		      c->recent[(c->recent_head - 1 - i + 2 * TUI_RECENT_EVENTS) %
				TUI_RECENT_EVENTS]);
}

static void container_detail(const struct tui_model *m, const struct tui_view *v,
			     const struct tui_container *c, struct text *t)
{
	const struct tui_finding *f;
	char rate[16];
	int shown = 0;

	fmt_rate(tui_rate_get(&c->rate, v->now), rate, sizeof(rate));
	textf(t, "container: %s\n  id: %s\n  image: %s\n  pod: %s\n", c->name,
	      c->id[0] ? c->id : "- (processes outside containers)", c->image[0] ? c->image : "-",
	      c->pod[0] ? c->pod : "-");
	textf(t, "events: %llu seen, %s/s\n", (unsigned long long)c->events, rate);
	textf(t, "open findings: critical %llu, high %llu, medium %llu, low %llu; worst: %s\n",
	      (unsigned long long)c->findings[TUI_SEV_CRITICAL],
	      (unsigned long long)c->findings[TUI_SEV_HIGH],
	      (unsigned long long)c->findings[TUI_SEV_MEDIUM],
	      (unsigned long long)c->findings[TUI_SEV_LOW], tui_sev_name(c->worst));
	textf(t, "\nfindings of this container (newest first):\n");
	for (int i = 0; (f = tui_model_finding(m, i)); i++) {
		if (strcmp(f->ctr_id, c->id))
			continue;
		textf(t, "  %s %-4s %s: %s\n", f->when, sev_tags[f->sev], f->rule,
		      f->summary ? f->summary : "");
		shown++;
	}
	if (!shown)
		textf(t, "  none\n");
	if (v->advise_text && !strcmp(v->advise_ctr, c->id))
		textf(t, "\nrunning profile (advising; a stops):\n%s", v->advise_text);
	recent_events(c, t);
}

static void finding_detail(const struct tui_model *m, const struct tui_finding *f, struct text *t)
{
	const struct tui_container *c = tui_model_container_by_id(m, f->ctr_id);

	textf(t, "%s", f->detail ? f->detail : "");
	if (c)
		recent_events(c, t);
}

/* Draws text from line `skip` on, wrapping at the pane's width with a two-space indent. */
static void draw_text(struct tui_screen *s, const char *text, int r0, int h, int *skip)
{
	int width = s->cols - 2, line = 0, total = 0;
	const char *p = text;

	/* First pass counts the rows, so that scrolling stops at the end. */
	for (const char *q = text; *q;) {
		const char *nl = strchrnul(q, '\n');
		int len = (int)(nl - q);

		total += len <= width ? 1 : 1 + (len - width + width - 3) / (width - 2);
		q = *nl ? nl + 1 : nl;
	}
	if (*skip > total - h)
		*skip = total - h;
	if (*skip < 0)
		*skip = 0;
	while (*p && line - *skip < h) {
		const char *nl = strchrnul(p, '\n');
		int len = (int)(nl - p), first = 1;

		while (len > 0 || first) {
			int indent = first ? 0 : 2;
			int take = len < width - indent ? len : width - indent;
			char chunk[512];

			if (take > (int)sizeof(chunk) - 1)
				take = (int)sizeof(chunk) - 1;
			memcpy(chunk, p, (size_t)take);
			chunk[take] = '\0';
			if (line >= *skip && line - *skip < h) {
				struct pen pen = { s, r0 + line - *skip, 1 + indent };

				field(&pen, chunk, -1, TS_NORMAL);
			}
			line++;
			p += take;
			len -= take;
			first = 0;
		}
		p = *nl ? nl + 1 : nl;
	}
}

static void render_detail(const struct tui_model *m, struct tui_view *v, struct tui_screen *s,
			  int r0, int h)
{
	static const struct tui_finding *frows[TUI_MAX_FINDINGS];
	static const struct tui_container *crows[TUI_MAX_CONTAINERS];
	struct text t = { 0 };

	for (int r = r0; r < r0 + h; r++)
		fill(s, r, 0, s->cols, ' ', TS_NORMAL);
	if (v->focus == TUI_PANE_FEED) {
		int n = tui_finding_rows(m, v, frows, TUI_MAX_FINDINGS);
		int sel = selected_finding(v, frows, n);

		if (sel >= 0) {
			pane_title(s, r0, true,
				   " DETAIL  finding #%llu  %s  (Esc closes, j/k scroll)",
				   (unsigned long long)frows[sel]->seq, frows[sel]->rule);
			finding_detail(m, frows[sel], &t);
		}
	} else {
		int n = tui_container_rows(m, v, crows, TUI_MAX_CONTAINERS);
		int sel = selected_container(v, crows, n);

		if (sel >= 0) {
			pane_title(s, r0, true, " DETAIL  container %s  (Esc closes, j/k scroll)",
				   crows[sel]->name);
			container_detail(m, v, crows[sel], &t);
		}
	}
	if (!t.buf) {
		pane_title(s, r0, true, " DETAIL  (Esc closes)");
		textf(&t, "nothing selected\n");
	}
	draw_text(s, t.buf ? t.buf : "", r0 + 1, h - 1, &v->detail_scroll);
	free(t.buf);
}

/* ---- help, status, too small ---- */

static const char *const help_lines[] = {
	"bulkhead top: keys",
	"",
	"Up/Down, j/k     move in the pane",
	"PgUp/PgDn, g/G   page, first, last",
	"Tab              switch pane (containers, findings)",
	"Enter            details of the selection (Esc closes)",
	"/                filter: container, image, pod, rule,",
	"                 or a severity (critical, high, ...)",
	"Esc              clear the filter",
	"s                sort containers: findings, events, name",
	"p                pause / resume the findings feed",
	"a                advise the selected container: its running",
	"                 profile in its details (a again stops)",
	"?                this help",
	"q                quit (an agent attached to keeps running)",
	"",
	"any key closes this help",
};

static void render_help(struct tui_screen *s)
{
	int n = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	int w = 64, r0 = (s->rows - n - 2) / 2, c0 = (s->cols - w) / 2;

	for (int i = 0; i < n + 2; i++) {
		struct pen p = { s, r0 + i, c0 };
		bool edge = i == 0 || i == n + 1;

		field(&p, edge ? "+" : "|", 1, TS_PANE_FOCUS);
		if (edge) {
			fill(s, p.r, p.c, w - 2, '-', TS_PANE_FOCUS);
			p.c += w - 2;
		} else {
			fieldf(&p, w - 2, i == 1 ? TS_LABEL : TS_NORMAL, " %s", help_lines[i - 1]);
		}
		field(&p, edge ? "+" : "|", 1, TS_PANE_FOCUS);
	}
}

static void render_status(const struct tui_view *v, struct tui_screen *s)
{
	static const char keys[] =
		"q quit  ? help  / filter  s sort  p pause  Tab pane  Enter details ";
	static const char short_keys[] = "q quit  ? help ";
	struct pen p = { s, s->rows - 1, 0 };
	const char *k = v->status[0] ? short_keys : keys;
	int kw = (int)strlen(k);

	fill(s, p.r, 0, s->cols, ' ', TS_STATUS);
	if (v->editing) {
		fieldf(&p, -1, TS_STATUS, " filter: %s_", v->filter);
		field(&p, "   Enter keeps it, Esc clears it", -1, TS_STATUS);
		return;
	}
	/* The application's word on the left, cut to fit; the keys always on the right. */
	if (v->status[0])
		fieldf(&p, s->cols - 1 - kw - 1, v->status_alert ? TS_ALERT : TS_STATUS, " %s",
		       v->status);
	p.c = s->cols - 1 - kw;
	field(&p, k, kw, TS_STATUS);
}

static void render_too_small(struct tui_screen *s)
{
	char msg[96];
	struct pen p = { s, s->rows / 2, 0 };
	int len = snprintf(msg, sizeof(msg), "terminal too small: %dx%d, bulkhead top needs %dx%d",
			   s->cols, s->rows, TUI_MIN_COLS, TUI_MIN_ROWS);

	p.c = len < s->cols ? (s->cols - len) / 2 : 0;
	field(&p, msg, -1, TS_ALERT);
}

void tui_render(const struct tui_model *m, struct tui_view *v, struct tui_screen *s)
{
	int body, table_h;

	for (int r = 0; r < s->rows; r++)
		fill(s, r, 0, s->cols, ' ', TS_NORMAL);
	if (s->rows < TUI_MIN_ROWS || s->cols < TUI_MIN_COLS) {
		render_too_small(s);
		return;
	}
	render_header(m, v, s);
	/* Below the 3 header rows and above the status row; the table takes 40 %. */
	body = s->rows - 4;
	v->body_h = body;
	table_h = 2 + (body - 4) * 2 / 5;
	if (v->detail) {
		render_detail(m, v, s, 3, body);
	} else {
		render_table(m, v, s, 3, table_h);
		render_feed(m, v, s, 3 + table_h, body - table_h);
	}
	render_status(v, s);
	if (v->help)
		render_help(s);
}
