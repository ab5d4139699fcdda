// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* log.c - leveled log lines on stderr, text or JSON. */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "json_writer.h"

static enum bh_log_level log_min = BH_LOG_INFO;
static bool log_json;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

/* Bounded: a level past the enum (a caller's bad cast) still names a severity. */
static const char *level_name(enum bh_log_level level)
{
	if ((unsigned int)level >= sizeof(level_names) / sizeof(level_names[0]))
		return "error";
	return level_names[level];
}

void bh_log_setup(enum bh_log_level min_level, bool json)
{
	log_min = min_level;
	log_json = json;
}

/* The attribute lets clang's -Wformat=2 accept fmt as checked at the callers. */
static void log_vprint(enum bh_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void log_vprint(enum bh_log_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (n < 0)
		return;
	/* libbpf's lines end in a newline; ours do not: one line each way. */
	while (n > 0 && (size_t)n < sizeof(msg) && msg[n - 1] == '\n')
		msg[--n] = '\0';

	if (!log_json) {
		fprintf(stderr, "bulkhead: %s%s%s\n", level >= BH_LOG_WARN ? level_name(level) : "",
			level >= BH_LOG_WARN ? ": " : "", msg);
		return;
	}
	struct timespec ts;
	char stamp[40];
	struct bh_json w;

	clock_gettime(CLOCK_REALTIME, &ts);
	bh_json_init(&w);
	bh_json_time(stamp, sizeof(stamp), ts.tv_sec, ts.tv_nsec);
	bh_json_obj_begin(&w);
	bh_json_key_str(&w, "time", stamp);
	bh_json_key_str(&w, "level", level_name(level));
	bh_json_key_str(&w, "msg", msg);
	bh_json_obj_end(&w);
	bh_json_newline(&w);
	fwrite(bh_json_data(&w), 1, bh_json_len(&w), stderr);
	bh_json_free(&w);
}

void bh_log(enum bh_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	log_vprint(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's info lines are loader chatter: shown with debug, as its debug lines are. */
	enum bh_log_level ours = level == LIBBPF_WARN ? BH_LOG_WARN : BH_LOG_DEBUG;

	if (ours < log_min)
		return 0;
	log_vprint(ours, fmt, ap);
	return 0;
}

void bh_log_bridge_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
