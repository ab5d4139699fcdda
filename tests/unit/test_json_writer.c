// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_json_writer.c - the writer's output is exact, always valid JSON, and grows as needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "helpers.h"
#include "core/json_writer.h"

/* Checks w holds exactly expect, and that json-c parses it as one strict JSON value. */
static void assert_json(const struct bh_json *w, const char *expect)
{
	struct json_object *obj;

	assert_false(bh_json_failed(w));
	assert_string_equal(bh_json_data(w), expect);
	assert_int_equal(bh_json_len(w), strlen(expect));
	obj = bh_test_parse(bh_json_data(w), bh_json_len(w));
	assert_non_null(obj);
	json_object_put(obj);
}

/* One string value written with bh_json_strn; the expected JSON text. */
static void assert_str_json(const char *s, size_t len, const char *expect)
{
	struct bh_json w;

	bh_json_init(&w);
	bh_json_strn(&w, s, len);
	assert_json(&w, expect);
	bh_json_free(&w);
}

static void test_nesting_and_commas(void **state)
{
	struct bh_json w;

	(void)state;
	bh_json_init(&w);
	bh_json_obj_begin(&w);
	bh_json_key(&w, "a");
	bh_json_arr_begin(&w);
	bh_json_int(&w, 1);
	bh_json_int(&w, 2);
	bh_json_obj_begin(&w);
	bh_json_key_str(&w, "b", NULL);
	bh_json_obj_end(&w);
	bh_json_arr_begin(&w);
	bh_json_arr_end(&w);
	bh_json_arr_end(&w);
	bh_json_key(&w, "c");
	bh_json_obj_begin(&w);
	bh_json_obj_end(&w);
	bh_json_key_bool(&w, "t", true);
	bh_json_key_bool(&w, "f", false);
	bh_json_key(&w, "n");
	bh_json_null(&w);
	bh_json_obj_end(&w);
	assert_json(&w, "{\"a\":[1,2,{\"b\":null},[]],\"c\":{},\"t\":true,\"f\":false,\"n\":null}");
	bh_json_free(&w);
}

static void test_lines_and_reset(void **state)
{
	struct bh_json w;
	const char *buf;
	size_t cap;

	(void)state;
	bh_json_init(&w);
	assert_string_equal(bh_json_data(&w), "");
	for (int i = 0; i < 2; i++) {
		bh_json_obj_begin(&w);
		bh_json_key_int(&w, "i", i);
		bh_json_obj_end(&w);
		bh_json_newline(&w);
	}
	/* A new line is a new top-level value, not a sibling: no comma between lines. */
	assert_string_equal(bh_json_data(&w), "{\"i\":0}\n{\"i\":1}\n");

	/* Reset keeps the memory: a warm writer does not allocate again. */
	buf = w.buf;
	cap = w.cap;
	bh_json_reset(&w);
	assert_int_equal(bh_json_len(&w), 0);
	bh_json_obj_begin(&w);
	bh_json_key_str(&w, "k", "v");
	bh_json_obj_end(&w);
	assert_json(&w, "{\"k\":\"v\"}");
	assert_ptr_equal(w.buf, buf);
	assert_int_equal(w.cap, cap);
	bh_json_free(&w);
	assert_null(w.buf);
}

static void test_misuse_fails_and_reset_recovers(void **state)
{
	struct bh_json w;

	(void)state;
	bh_json_init(&w);
	/* One more level than the comma stack holds. */
	for (int i = 0; i < BH_JSON_MAX_DEPTH; i++)
		bh_json_arr_begin(&w);
	assert_true(bh_json_failed(&w));
	bh_json_int(&w, 1); /* ignored once failed */

	bh_json_reset(&w);
	assert_false(bh_json_failed(&w));
	for (int i = 0; i < BH_JSON_MAX_DEPTH - 1; i++)
		bh_json_arr_begin(&w);
	for (int i = 0; i < BH_JSON_MAX_DEPTH - 1; i++)
		bh_json_arr_end(&w);
	assert_false(bh_json_failed(&w));
	assert_int_equal(bh_json_len(&w), 2 * (BH_JSON_MAX_DEPTH - 1));

	/* A close without an open. */
	bh_json_arr_end(&w);
	assert_true(bh_json_failed(&w));
	bh_json_free(&w);
}

static void test_escapes(void **state)
{
	(void)state;
	assert_str_json("", 0, "\"\"");
	assert_str_json("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
	assert_str_json("\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\"");
	/* Other control bytes as \u00XX, DEL as itself. */
	assert_str_json("\x01\x1b\x1f\x7f", 4, "\"\\u0001\\u001b\\u001f\x7f\"");
	assert_str_json(" ~", 2, "\" ~\"");
}

static void test_embedded_nul(void **state)
{
	struct bh_json w;
	struct json_object *obj;

	(void)state;
	assert_str_json("a\0b", 3, "\"a\\u0000b\"");
	assert_str_json("\0", 1, "\"\\u0000\"");

	/* json-c reads the NUL back: three bytes, not a string cut at the NUL. */
	bh_json_init(&w);
	bh_json_strn(&w, "a\0b", 3);
	obj = bh_test_parse(bh_json_data(&w), bh_json_len(&w));
	assert_non_null(obj);
	assert_int_equal(json_object_get_string_len(obj), 3);
	assert_memory_equal(json_object_get_string(obj), "a\0b", 3);
	json_object_put(obj);

	/* bh_json_str stops at the NUL; NULL is null; an empty strn may have no pointer. */
	bh_json_reset(&w);
	bh_json_arr_begin(&w);
	bh_json_str(&w, "a\0b");
	bh_json_str(&w, NULL);
	bh_json_strn(&w, NULL, 0);
	bh_json_arr_end(&w);
	assert_json(&w, "[\"a\",null,\"\"]");
	bh_json_free(&w);
}

static void test_valid_utf8_passes(void **state)
{
	/* U+00E9, U+20AC, U+1F600, and the edges of each range. */
	static const char *const valid[] = {
		"\xc3\xa9",	    "\xe2\x82\xac",	"\xf0\x9f\x98\x80",
		"\xc2\x80",	    "\xdf\xbf",		"\xe0\xa0\x80", /* U+0080 U+07FF U+0800 */
		"\xed\x9f\xbf",	    "\xee\x80\x80",	"\xef\xbf\xbf", /* U+D7FF U+E000 U+FFFF */
		"\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",			/* U+10000 U+10FFFF */
	};
	char expect[16];

	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		snprintf(expect, sizeof(expect), "\"%s\"", valid[i]);
		assert_str_json(valid[i], strlen(valid[i]), expect);
	}
	assert_str_json("caf\xc3\xa9 \xe2\x82\xac", 9, "\"caf\xc3\xa9 \xe2\x82\xac\"");
}

#define FFFD "\\ufffd"

static void test_invalid_utf8_replaced(void **state)
{
	(void)state;
	/* Lone continuation bytes. */
	assert_str_json("\x80", 1, "\"" FFFD "\"");
	assert_str_json("a\277b", 3, "\"a" FFFD "b\""); /* octal: "\xbfb" would be one escape */
	/* Bytes that never start a sequence. */
	assert_str_json("\xc0\xc1\xf5\xff", 4, "\"" FFFD FFFD FFFD FFFD "\"");
	/* Overlongs: '/' in two bytes, U+0000 in three, U+FFFF in four. */
	assert_str_json("\xc0\xaf", 2, "\"" FFFD FFFD "\"");
	assert_str_json("\xe0\x80\x80", 3, "\"" FFFD FFFD FFFD "\"");
	assert_str_json("\xf0\x8f\xbf\xbf", 4, "\"" FFFD FFFD FFFD FFFD "\"");
	/* Surrogates U+D800 and U+DFFF (CESU-8 pairs included). */
	assert_str_json("\xed\xa0\x80", 3, "\"" FFFD FFFD FFFD "\"");
	assert_str_json("\xed\xbf\xbf", 3, "\"" FFFD FFFD FFFD "\"");
	/* Above U+10FFFF. */
	assert_str_json("\xf4\x90\x80\x80", 4, "\"" FFFD FFFD FFFD FFFD "\"");
	/* A sequence truncated at the end of the string, and one cut by ASCII. */
	assert_str_json("ok\xe2\x82", 4, "\"ok" FFFD FFFD "\"");
	assert_str_json("\xf0\x9f\x98", 3, "\"" FFFD FFFD FFFD "\"");
	assert_str_json("\342\202A\303", 4, "\"" FFFD FFFD "A" FFFD "\"");
	/* A valid character right after an invalid byte survives. */
	assert_str_json("\xff\xc3\xa9", 3, "\"" FFFD "\xc3\xa9\"");
}

/* Every byte string of length 1..3 over a byte set that covers each class comes out valid. */
static void test_any_bytes_valid_json(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x0a, 0x1f, '"',  '\\', 'a',  0x7f, 0x80,
					       0xbf, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xff };
	const size_t nb = sizeof(bytes);
	struct bh_json w;
	char s[3];

	(void)state;
	bh_json_init(&w);
	for (size_t a = 0; a < nb; a++)
		for (size_t b = 0; b <= nb; b++)
			for (size_t c = 0; c <= nb; c++) {
				size_t len = 1 + (b < nb) + (b < nb && c < nb);
				struct json_object *obj;

				s[0] = (char)bytes[a];
				s[1] = b < nb ? (char)bytes[b] : 0;
				s[2] = c < nb ? (char)bytes[c] : 0;
				bh_json_reset(&w);
				bh_json_strn(&w, s, len);
				obj = bh_test_parse(bh_json_data(&w), bh_json_len(&w));
				assert_non_null(obj);
				json_object_put(obj);
			}
	bh_json_free(&w);
}

static void test_numbers(void **state)
{
	struct bh_json w;

	(void)state;
	bh_json_init(&w);
	bh_json_arr_begin(&w);
	bh_json_int(&w, INT64_MIN);
	bh_json_int(&w, INT64_MAX);
	bh_json_int(&w, -1);
	bh_json_int(&w, 0);
	bh_json_uint(&w, 0);
	bh_json_uint(&w, 7);
	bh_json_uint(&w, UINT64_MAX);
	bh_json_hex(&w, 0);
	bh_json_hex(&w, 0xa80425fbULL);
	bh_json_hex(&w, UINT64_MAX);
	bh_json_arr_end(&w);
	assert_json(&w, "[-9223372036854775808,9223372036854775807,-1,0,0,7,"
			"18446744073709551615,\"0x0000000000000000\",\"0x00000000a80425fb\","
			"\"0xffffffffffffffff\"]");

	bh_json_reset(&w);
	bh_json_obj_begin(&w);
	bh_json_key_int(&w, "i", -42);
	bh_json_key_uint(&w, "u", 42);
	bh_json_key_hex(&w, "h", 0x10);
	bh_json_key_strn(&w, "s", "xy", 1);
	bh_json_obj_end(&w);
	assert_json(&w, "{\"i\":-42,\"u\":42,\"h\":\"0x0000000000000010\",\"s\":\"x\"}");
	bh_json_free(&w);
}

static void test_large_strings_grow(void **state)
{
	const size_t n = 64 * 1024;
	char *s = malloc(n);
	struct bh_json w;
	struct json_object *obj;

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	bh_json_init(&w);
	bh_json_obj_begin(&w);
	bh_json_key_strn(&w, "big", s, n);
	bh_json_obj_end(&w);
	assert_false(bh_json_failed(&w));
	assert_int_equal(bh_json_len(&w), n + 10);
	obj = bh_test_parse(bh_json_data(&w), bh_json_len(&w));
	assert_non_null(obj);
	assert_int_equal(json_object_get_string_len(bh_test_jget(obj, "big")), n);
	assert_memory_equal(json_object_get_string(bh_test_jget(obj, "big")), s, n);
	json_object_put(obj);

	/* The worst case: every byte needs a six-byte escape. */
	memset(s, 0x01, n);
	bh_json_reset(&w);
	bh_json_strn(&w, s, n);
	assert_false(bh_json_failed(&w));
	assert_int_equal(bh_json_len(&w), 6 * n + 2);
	obj = bh_test_parse(bh_json_data(&w), bh_json_len(&w));
	assert_non_null(obj);
	assert_int_equal(json_object_get_string_len(obj), n);
	json_object_put(obj);
	bh_json_free(&w);
	free(s);
}

static void assert_time(int64_t sec, long nsec, const char *expect)
{
	char buf[40];

	bh_json_time(buf, sizeof(buf), sec, nsec);
	assert_string_equal(buf, expect);
}

static void test_time(void **state)
{
	char buf[40];
	struct tm tm;

	(void)state;
	assert_time(0, 0, "1970-01-01T00:00:00.000000000Z");
	assert_time(1796013371, 123456789, "2026-11-30T04:36:11.123456789Z");
	assert_time(1709164800, 1, "2024-02-29T00:00:00.000000001Z");	     /* leap day */
	assert_time(951782400, 999999999, "2000-02-29T00:00:00.999999999Z"); /* 400-year leap */
	assert_time(4107542399, 0, "2100-02-28T23:59:59.000000000Z");	     /* no leap in 2100 */
	assert_time(-1, 0, "1969-12-31T23:59:59.000000000Z");
	/* nsec out of range is carried into seconds. */
	assert_time(10, -1, "1970-01-01T00:00:09.999999999Z");
	assert_time(10, 1500000000L, "1970-01-01T00:00:11.500000000Z");
	/* Four-digit years only: clamped at the ends. */
	assert_time(INT64_MAX, 0, "9999-12-31T23:59:59.999999999Z");
	assert_time(INT64_MIN, 0, "0000-01-01T00:00:00.000000000Z");

	/* A short buffer gets a cut, terminated string. */
	bh_json_time(buf, 11, 0, 0);
	assert_string_equal(buf, "1970-01-01");

	/* Agrees with libc over a spread of instants from 1970 to 2400. */
	for (int64_t sec = 0; sec < 13569465600LL; sec += 9876543) {
		char expect[40];
		time_t t = (time_t)sec;

		assert_non_null(gmtime_r(&t, &tm));
		strftime(expect, sizeof(expect), "%Y-%m-%dT%H:%M:%S.000000042Z", &tm);
		bh_json_time(buf, sizeof(buf), sec, 42);
		assert_string_equal(buf, expect);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting_and_commas),
		cmocka_unit_test(test_lines_and_reset),
		cmocka_unit_test(test_misuse_fails_and_reset_recovers),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_valid_utf8_passes),
		cmocka_unit_test(test_invalid_utf8_replaced),
		cmocka_unit_test(test_any_bytes_valid_json),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_large_strings_grow),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
