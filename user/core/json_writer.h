/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json_writer.h - a JSON writer into one reusable, growing buffer.
 *
 * Commas between members and elements are placed by the writer. Every string,
 * whatever its bytes (quotes, control bytes, invalid UTF-8), comes out as valid
 * JSON: invalid UTF-8 bytes are written as U+FFFD. On allocation failure the
 * writer marks itself failed and further calls do nothing (bh_json_failed()).
 */
#ifndef BULKHEAD_JSON_WRITER_H
#define BULKHEAD_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BH_JSON_MAX_DEPTH 16

struct bh_json {
	char *buf;
	size_t len;
	size_t cap;
	int depth;
	bool need_comma[BH_JSON_MAX_DEPTH];
	bool failed;
};

void bh_json_init(struct bh_json *w);
void bh_json_free(struct bh_json *w);
/* Empties the buffer and keeps its memory: one writer serves every line. */
void bh_json_reset(struct bh_json *w);
const char *bh_json_data(const struct bh_json *w);
size_t bh_json_len(const struct bh_json *w);
bool bh_json_failed(const struct bh_json *w);

void bh_json_obj_begin(struct bh_json *w);
void bh_json_obj_end(struct bh_json *w);
void bh_json_arr_begin(struct bh_json *w);
void bh_json_arr_end(struct bh_json *w);
/* Starts a member: the value is written by the next call. */
void bh_json_key(struct bh_json *w, const char *key);

void bh_json_str(struct bh_json *w, const char *s);
/* A string of len bytes, which may hold NULs and any other byte. */
void bh_json_strn(struct bh_json *w, const char *s, size_t len);
void bh_json_int(struct bh_json *w, int64_t v);
void bh_json_uint(struct bh_json *w, uint64_t v);
void bh_json_bool(struct bh_json *w, bool v);
void bh_json_null(struct bh_json *w);
/* 64-bit masks as "0x..." strings: JSON numbers lose precision above 2^53. */
void bh_json_hex(struct bh_json *w, uint64_t v);
/* Appends raw bytes (a newline between lines). */
void bh_json_raw(struct bh_json *w, const char *s, size_t len);
/* A value rendered earlier as valid JSON (e.g. by another writer), with the comma it needs. */
void bh_json_raw_value(struct bh_json *w, const char *s, size_t len);
void bh_json_newline(struct bh_json *w);

/* Member shorthands: key then value. */
void bh_json_key_str(struct bh_json *w, const char *key, const char *s);
void bh_json_key_strn(struct bh_json *w, const char *key, const char *s, size_t len);
/* key and s, or nothing when s is NULL (an unknown value is left out, not null). */
void bh_json_key_str_opt(struct bh_json *w, const char *key, const char *s);
/* key: an array of the items of a comma-separated list ("5.2,5.3"); NULL or "": []. */
void bh_json_key_csv(struct bh_json *w, const char *key, const char *csv);
void bh_json_key_int(struct bh_json *w, const char *key, int64_t v);
void bh_json_key_uint(struct bh_json *w, const char *key, uint64_t v);
void bh_json_key_bool(struct bh_json *w, const char *key, bool v);
void bh_json_key_hex(struct bh_json *w, const char *key, uint64_t v);

/* RFC 3339 UTC time with nanoseconds ("2026-11-30T04:36:11.123456789Z") into buf. */
void bh_json_time(char *buf, size_t size, int64_t sec, long nsec);
/* A member whose value is that time, as a string, formatted in place. */
void bh_json_key_time(struct bh_json *w, const char *key, int64_t sec, long nsec);

#endif
