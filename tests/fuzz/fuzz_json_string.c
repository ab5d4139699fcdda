// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_json_string.c - JSON string encoding of any bytes: the output parses with json-c
 * (strict, UTF-8 validated) and decodes to the input with each byte that does not start a
 * valid UTF-8 sequence replaced by U+FFFD. The oracle decodes code points arithmetically,
 * independently of the writer's table-driven check.
 */
#include "fuzz.h"
#include "core/json_writer.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0: computed from the code point. */
static size_t oracle_seq(const unsigned char *s, size_t n)
{
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* What the decoded string must be: in, with U+FFFD for each byte that starts no sequence. */
static char *expected(const unsigned char *in, size_t n, size_t *out_len)
{
	char *out = malloc(n * 3 + 1);
	size_t o = 0;

	FUZZ_CHECK(out != NULL);
	for (size_t i = 0; i < n;) {
		size_t seq = oracle_seq(in + i, n - i);

		if (seq) {
			memcpy(out + o, in + i, seq);
			o += seq;
			i += seq;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	*out_len = o;
	return out;
}

static void check_decoded(struct json_object *v, const uint8_t *in, size_t n)
{
	size_t want_len;
	char *want = expected(in, n, &want_len);

	FUZZ_CHECK(json_object_is_type(v, json_type_string));
	FUZZ_CHECK((size_t)json_object_get_string_len(v) == want_len);
	FUZZ_CHECK(memcmp(json_object_get_string(v), want, want_len) == 0);
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	/* A key is a C string: the input up to its first NUL. */
	size_t key_len = strnlen(s, size);
	char *key = strndup(s, key_len);
	struct json_object *obj, *v;
	struct bh_json w;

	FUZZ_CHECK(key != NULL);
	bh_json_init(&w);
	bh_json_obj_begin(&w);
	bh_json_key(&w, key);
	bh_json_arr_begin(&w);
	bh_json_strn(&w, s, size);
	bh_json_str(&w, key);
	bh_json_arr_end(&w);
	bh_json_obj_end(&w);
	bh_json_newline(&w);
	FUZZ_CHECK(!bh_json_failed(&w));
	/* The worst case: 6 bytes per input byte in each of the three strings, plus the frame. */
	obj = fuzz_check_line(bh_json_data(&w), bh_json_len(&w), 6 * (size + 2 * key_len) + 16);

	/* One member, whose name is the key as decoded. */
	FUZZ_CHECK(json_object_object_length(obj) == 1);
	json_object_object_foreach(obj, k, val)
	{
		size_t want_len;
		char *want = expected((const uint8_t *)key, key_len, &want_len);

		/* json-c keys are C strings: the decoded key holds no NUL, so compare whole. */
		FUZZ_CHECK(strlen(k) == want_len && memcmp(k, want, want_len) == 0);
		free(want);
		FUZZ_CHECK(json_object_is_type(val, json_type_array));
		FUZZ_CHECK(json_object_array_length(val) == 2);
		v = json_object_array_get_idx(val, 0);
		check_decoded(v, data, size);
		check_decoded(json_object_array_get_idx(val, 1), (const uint8_t *)key, key_len);
	}
	json_object_put(obj);
	bh_json_free(&w);
	free(key);
	return 0;
}
