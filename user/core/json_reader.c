// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* json_reader.c - whole JSON documents parsed with json-c, and typed reads of their members. */
#include "json_reader.h"

#include <string.h>

struct json_object *bh_json_parse_as(const char *json, size_t len, enum json_type type)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t used;

	if (!json || len > (size_t)INT32_MAX)
		return NULL;
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, json, (int)len);
	/* a truncated document leaves the tokener waiting for more: that is an error too */
	if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(obj);
		json_tokener_free(tok);
		return NULL;
	}
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	for (; used < len; used++) {
		if (json[used] && !strchr(" \t\r\n", json[used])) {
			json_object_put(obj);
			return NULL;
		}
	}
	if (!json_object_is_type(obj, type)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

struct json_object *bh_jobj_parse(const char *json, size_t len)
{
	return bh_json_parse_as(json, len, json_type_object);
}

const char *bh_jobj_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

struct json_object *bh_jobj_get(struct json_object *obj, const char *key, enum json_type t)
{
	struct json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

bool bh_jobj_bool(struct json_object *obj, const char *key)
{
	struct json_object *v = bh_jobj_get(obj, key, json_type_boolean);

	return v && json_object_get_boolean(v);
}

int64_t bh_jobj_int(struct json_object *obj, const char *key)
{
	struct json_object *v = bh_jobj_get(obj, key, json_type_int);

	return v ? json_object_get_int64(v) : 0;
}
