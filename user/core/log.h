/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* log.h - the agent's own log on stderr (text, or JSON lines with --log-json). */
#ifndef BULKHEAD_LOG_H
#define BULKHEAD_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum bh_log_level {
	BH_LOG_DEBUG,
	BH_LOG_INFO,
	BH_LOG_WARN,
	BH_LOG_ERROR,
};

/* Sets the lowest level printed and the format; the default is INFO, text. */
void bh_log_setup(enum bh_log_level min_level, bool json);

void bh_log(enum bh_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define bh_debug(...) bh_log(BH_LOG_DEBUG, __VA_ARGS__)
#define bh_info(...)  bh_log(BH_LOG_INFO, __VA_ARGS__)
#define bh_warn(...)  bh_log(BH_LOG_WARN, __VA_ARGS__)
#define bh_error(...) bh_log(BH_LOG_ERROR, __VA_ARGS__)

/* Routes libbpf's messages through this log (warnings stay visible, debug only with -v). */
void bh_log_bridge_libbpf(void);

#endif
