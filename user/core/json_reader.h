/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json_reader.h - reading JSON with json-c: a whole document of one type, and the members
 * of an object by key and type, NULL (or false) when absent or of another type.
 */
#ifndef BULKHEAD_JSON_READER_H
#define BULKHEAD_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/*
 * Parses a whole JSON value of the given type; NULL (the caller returns -EINVAL) when
 * malformed, truncated or of another type.
 */
struct json_object *bh_json_parse_as(const char *json, size_t len, enum json_type type);

/* bh_json_parse_as() of an object. */
struct json_object *bh_jobj_parse(const char *json, size_t len);

/* The string at obj[key], NULL when absent or not a string. */
const char *bh_jobj_str(struct json_object *obj, const char *key);

/* The member obj[key] when it has type t, else NULL (obj may be NULL). */
struct json_object *bh_jobj_get(struct json_object *obj, const char *key, enum json_type t);

/* obj[key] when it is a boolean, else false. */
bool bh_jobj_bool(struct json_object *obj, const char *key);

/* obj[key] when it is an integer, else 0. */
int64_t bh_jobj_int(struct json_object *obj, const char *key);

#endif
