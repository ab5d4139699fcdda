/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* helpers.h - unit test helpers: records laid out as the kernel writes them, JSON lookups. */
#ifndef BULKHEAD_TEST_HELPERS_H
#define BULKHEAD_TEST_HELPERS_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/event.h"

/* A tail string from a literal, embedded NULs included ("sh\0-c" is 5 bytes). */
#define BH_TSTR(lit) ((struct bh_str){ .ptr = (lit), .len = sizeof(lit) - 1 })

/* Room for the largest record plus the ring buffer's 8-byte padding. */
struct bh_test_rec {
	alignas(8) unsigned char buf[BH_RECORD_MAX + 8];
	size_t size;
};

/*
 * Lays out a record of type: the fixed struct (zeroed, hdr.type/size/exe_len
 * and the type's *_len fields set), then exe and the tail strings in order.
 * Returns the record for the caller to fill in its fixed fields.
 */
static inline struct bh_hdr *bh_test_record(struct bh_test_rec *r, unsigned int type,
					    struct bh_str exe, const struct bh_str *tail,
					    int n_tail)
{
	struct bh_hdr *h = (struct bh_hdr *)r->buf;
	size_t off = bh_event_fixed_size(type);
	__u16 *lens[BH_EVENT_STRS] = { NULL };
	void *rec = r->buf;

	memset(r->buf, 0, sizeof(r->buf));
	switch (type) {
	case BH_EV_EXEC:
		lens[0] = &((struct bh_exec *)rec)->filename_len;
		lens[1] = &((struct bh_exec *)rec)->args_len;
		break;
	case BH_EV_MOUNT:
		lens[0] = &((struct bh_mount *)rec)->source_len;
		lens[1] = &((struct bh_mount *)rec)->target_len;
		lens[2] = &((struct bh_mount *)rec)->fstype_len;
		break;
	case BH_EV_CONNECT:
		lens[0] = &((struct bh_connect *)rec)->peer_path_len;
		lens[1] = &((struct bh_connect *)rec)->path_len;
		break;
	default:
		break;
	}
	if (!off)
		off = sizeof(struct bh_hdr); /* an unknown type: a bare header */
	h->type = type;
	h->exe_len = (__u16)exe.len;
	memcpy(r->buf + off, exe.ptr ? exe.ptr : "", exe.len);
	off += exe.len;
	for (int i = 0; i < n_tail && i < BH_EVENT_STRS; i++) {
		if (lens[i])
			*lens[i] = (__u16)tail[i].len;
		memcpy(r->buf + off, tail[i].ptr ? tail[i].ptr : "", tail[i].len);
		off += tail[i].len;
	}
	h->size = (__u32)off;
	r->size = off;
	return h;
}

/*
 * Walks a dotted path ("process.comm"); true when every step exists. *out is
 * the value, NULL for a JSON null.
 */
static inline bool bh_test_jfind(struct json_object *obj, const char *path,
				 struct json_object **out)
{
	char step[128];
	const char *p = path;

	*out = obj;
	while (*p) {
		size_t n = strcspn(p, ".");

		if (!*out || n >= sizeof(step))
			return false;
		memcpy(step, p, n);
		step[n] = '\0';
		if (!json_object_object_get_ex(*out, step, out))
			return false;
		p += n + (p[n] == '.');
	}
	return true;
}

/* The value at path, NULL when absent or null. */
static inline struct json_object *bh_test_jget(struct json_object *obj, const char *path)
{
	struct json_object *v;

	return bh_test_jfind(obj, path, &v) ? v : NULL;
}

/* The compact JSON text of the value at path, "<absent>" when there is no such member. */
static inline const char *bh_test_jtext(struct json_object *obj, const char *path)
{
	struct json_object *v;

	if (!bh_test_jfind(obj, path, &v))
		return "<absent>";
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
}

/*
 * Parses text as exactly one JSON value, strictly (RFC 8259 grammar, valid
 * UTF-8 only, nothing after the value); NULL, with the reason printed, when it
 * is not one. Like json_tokener_parse_verbose(), stricter.
 */
static inline struct json_object *bh_test_parse(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	enum json_tokener_error err;

	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	err = json_tokener_get_error(tok);
	if (!obj || err != json_tokener_success || json_tokener_get_parse_end(tok) != len) {
		fprintf(stderr, "not one JSON value (%s) at %zu: %.*s\n",
			json_tokener_error_desc(err), json_tokener_get_parse_end(tok), (int)len,
			text);
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

#endif
