/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tui_model.h - what `bulkhead top` knows: the schema-v1 JSON lines it ingested,
 * folded into containers, a findings feed and rates. No terminal here: the
 * caller passes the clock, so the model is tested line by line.
 */
#ifndef BULKHEAD_TUI_MODEL_H
#define BULKHEAD_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashtab.h"
#include "events.h"

enum tui_sev {
	TUI_SEV_NONE,
	TUI_SEV_LOW,
	TUI_SEV_MEDIUM,
	TUI_SEV_HIGH,
	TUI_SEV_CRITICAL,
	TUI_SEV_COUNT,
};

#define TUI_MAX_CONTAINERS 256
#define TUI_MAX_FINDINGS   512 /* the feed keeps the newest */
#define TUI_RECENT_EVENTS  12  /* per container, for the detail pane */
#define TUI_CTR_RULES	   8   /* rule names remembered per container, for filters */
#define TUI_CTR_OPEN	   64  /* open findings told apart per container (the agent's cap) */
#define TUI_RATE_WINDOW	   5   /* seconds averaged by the events/s figures */

/* Events per second: one bucket per second of the monotonic clock the caller passes. */
struct tui_rate {
	uint64_t bucket[TUI_RATE_WINDOW + 1];
	int64_t second[TUI_RATE_WINDOW + 1];
};

struct tui_container {
	char id[65]; /* "" for the host row */
	char name[64];
	char image[96];
	char pod[96]; /* "namespace/pod" when known */
	uint64_t events;
	struct tui_rate rate;
	/*
	 * Its open findings: one per rule and summary, however often a finding comes again
	 * (the agent repeats a windowed one with its count, and sends the open ones to a
	 * client that attaches); past TUI_CTR_OPEN each line counts.
	 */
	uint64_t findings[TUI_SEV_COUNT];
	struct bh_hashtab open; /* "rule|summary" -> nothing */
	enum tui_sev worst;
	char rules[TUI_CTR_RULES][40];
	int nrules;
	int64_t last_seen;		 /* caller's clock, seconds */
	char *recent[TUI_RECENT_EVENTS]; /* ring of one-line event texts */
	int nrecent;
	int recent_head; /* next slot */
};

struct tui_finding {
	uint64_t seq;  /* 1, 2, ...: identity across refreshes */
	char when[16]; /* local HH:MM:SS */
	enum tui_sev sev;
	char rule[40];
	char ctr_id[65]; /* "" for a host process */
	char ctr_name[64];
	char process[48]; /* "comm[pid]", "" for a configuration finding */
	char *summary;
	char *detail; /* "key: value" lines: all fields, evidence, remediation */
	uint64_t count;
};

struct tui_model {
	/* set by the caller: where the lines come from and what host this is */
	char host[64];
	char kernel[64];
	int64_t uptime_s;
	char source[128];

	struct tui_container *ctrs[TUI_MAX_CONTAINERS];
	int nctrs;

	struct tui_finding feed[TUI_MAX_FINDINGS]; /* ring, newest at feed_head - 1 */
	int nfeed;
	int feed_head;
	uint64_t next_seq;
	uint64_t findings[TUI_SEV_COUNT]; /* since top started */

	struct tui_rate rate[BH_EV_TYPE_MAX]; /* from event lines */
	uint64_t event_lines;
	/* from the agent's stats lines: totals and the rates between the last two */
	bool have_stats;
	uint64_t stats_events[BH_EV_TYPE_MAX];
	double stats_rate[BH_EV_TYPE_MAX];
	int64_t stats_time_ns;
	uint64_t drops;
	uint64_t agent_containers;
	uint64_t bad_lines; /* not JSON, or not schema 1 */
	uint64_t lines;
};

void tui_model_init(struct tui_model *m);
void tui_model_free(struct tui_model *m);

/*
 * Folds in one JSON line (no newline needed) seen at now (seconds, monotonic).
 * Returns 0, or -EINVAL for a line that is not a schema-1 object (counted).
 */
int tui_model_ingest(struct tui_model *m, const char *line, size_t len, int64_t now);

/* Events per second over the last complete seconds before now. */
double tui_rate_get(const struct tui_rate *r, int64_t now);
/* Per family: from event lines when any came in the window, else from stats lines. */
double tui_model_family_rate(const struct tui_model *m, unsigned int type, int64_t now);

/* The i-th newest finding (0: newest), NULL past the end. */
const struct tui_finding *tui_model_finding(const struct tui_model *m, int i);
const struct tui_container *tui_model_container_by_id(const struct tui_model *m, const char *id);

const char *tui_sev_name(enum tui_sev s);
enum tui_sev tui_sev_parse(const char *s);

#endif
