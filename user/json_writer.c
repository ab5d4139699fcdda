// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* json_writer.c - JSON into one reusable buffer: no allocation once warm, no printf. */
#include "json_writer.h"

#include <stdlib.h>
#include <string.h>

/* The first allocation: an event line fits without growing. */
#define BH_JSON_INITIAL_CAP 1024

static const char hex_digits[] = "0123456789abcdef";

void bh_json_init(struct bh_json *w)
{
	memset(w, 0, sizeof(*w));
}

void bh_json_free(struct bh_json *w)
{
	free(w->buf);
	bh_json_init(w);
}

void bh_json_reset(struct bh_json *w)
{
	w->len = 0;
	w->depth = 0;
	w->need_comma[0] = false;
	w->failed = false;
}

const char *bh_json_data(const struct bh_json *w)
{
	return w->buf ? w->buf : "";
}

size_t bh_json_len(const struct bh_json *w)
{
	return w->len;
}

bool bh_json_failed(const struct bh_json *w)
{
	return w->failed;
}

/* Makes room for n more bytes plus a NUL (so the buffer is always a C string). */
static bool reserve(struct bh_json *w, size_t n)
{
	size_t need, cap;
	char *buf;

	if (w->failed)
		return false;
	if (n > SIZE_MAX - w->len - 1)
		goto fail;
	need = w->len + n + 1;
	if (need <= w->cap)
		return true;
	cap = w->cap ? w->cap : BH_JSON_INITIAL_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	buf = realloc(w->buf, cap);
	if (!buf)
		goto fail;
	w->buf = buf;
	w->cap = cap;
	return true;
fail:
	w->failed = true;
	return false;
}

static void put(struct bh_json *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Before any value: a comma if the container already holds one. */
static bool value_begin(struct bh_json *w)
{
	if (w->failed)
		return false;
	if (w->need_comma[w->depth])
		put(w, ",", 1);
	w->need_comma[w->depth] = true;
	return !w->failed;
}

static void open_scope(struct bh_json *w, char c)
{
	if (!value_begin(w))
		return;
	/* Deeper than the comma stack is a caller bug: fail rather than corrupt. */
	if (w->depth + 1 >= BH_JSON_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	put(w, &c, 1);
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_scope(struct bh_json *w, char c)
{
	if (w->failed)
		return;
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	w->depth--;
	put(w, &c, 1);
}

void bh_json_obj_begin(struct bh_json *w)
{
	open_scope(w, '{');
}

void bh_json_obj_end(struct bh_json *w)
{
	close_scope(w, '}');
}

void bh_json_arr_begin(struct bh_json *w)
{
	open_scope(w, '[');
}

void bh_json_arr_end(struct bh_json *w)
{
	close_scope(w, ']');
}

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * byte at s does not start one. Follows Unicode table 3-7: no overlong forms,
 * no surrogates (U+D800..DFFF), nothing above U+10FFFF.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	/* The second byte's range is what rules out overlongs, surrogates and > U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Bytes that go out as they are: printable ASCII but the quote and the backslash. */
static inline bool plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void put_string(struct bh_json *w, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	char *out;
	size_t i = 0;

	/* Worst case: every byte becomes a 6-byte escape; reserve once, then write freely. */
	if (len > (SIZE_MAX - 2) / 6) {
		w->failed = true;
		return;
	}
	if (!reserve(w, len * 6 + 2))
		return;
	out = w->buf + w->len;
	*out++ = '"';
	while (i < len) {
		unsigned char c = s[i];
		size_t run, seq;

		if (plain_ascii(c)) {
			for (run = i + 1; run < len && plain_ascii(s[run]); run++)
				;
			memcpy(out, s + i, run - i);
			out += run - i;
			i = run;
			continue;
		}
		if (c >= 0x80) {
			seq = utf8_seq_len(s + i, len - i);
			if (seq) {
				memcpy(out, s + i, seq);
				out += seq;
				i += seq;
			} else {
				memcpy(out, "\\ufffd", 6);
				out += 6;
				i++;
			}
			continue;
		}
		*out++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*out++ = (char)c;
			break;
		case '\n':
			*out++ = 'n';
			break;
		case '\t':
			*out++ = 't';
			break;
		case '\r':
			*out++ = 'r';
			break;
		case '\b':
			*out++ = 'b';
			break;
		case '\f':
			*out++ = 'f';
			break;
		default:
			memcpy(out, "u00", 3);
			out[3] = hex_digits[c >> 4];
			out[4] = hex_digits[c & 0xf];
			out += 5;
			break;
		}
		i++;
	}
	*out++ = '"';
	*out = '\0';
	w->len = (size_t)(out - w->buf);
}

void bh_json_key(struct bh_json *w, const char *key)
{
	if (!value_begin(w))
		return;
	put_string(w, key, strlen(key));
	put(w, ":", 1);
	/* The value that follows belongs to this member: no comma before it. */
	w->need_comma[w->depth] = false;
}

void bh_json_str(struct bh_json *w, const char *s)
{
	if (!s) {
		bh_json_null(w);
		return;
	}
	bh_json_strn(w, s, strlen(s));
}

void bh_json_strn(struct bh_json *w, const char *s, size_t len)
{
	if (!s && len) {
		bh_json_null(w);
		return;
	}
	if (value_begin(w))
		put_string(w, s ? s : "", len);
}

/* Digits of v at the end of a 20-byte buffer (UINT64_MAX has 20); returns the first. */
static char *utoa_end(uint64_t v, char *end)
{
	char *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void bh_json_uint(struct bh_json *w, uint64_t v)
{
	char buf[20], *p;

	if (!value_begin(w))
		return;
	p = utoa_end(v, buf + sizeof(buf));
	put(w, p, (size_t)(buf + sizeof(buf) - p));
}

void bh_json_int(struct bh_json *w, int64_t v)
{
	char buf[21], *p;

	if (!value_begin(w))
		return;
	/* Negate in unsigned arithmetic: -INT64_MIN does not fit an int64_t. */
	p = utoa_end(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, buf + sizeof(buf));
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(buf + sizeof(buf) - p));
}

void bh_json_bool(struct bh_json *w, bool v)
{
	if (value_begin(w))
		put(w, v ? "true" : "false", v ? 4 : 5);
}

void bh_json_null(struct bh_json *w)
{
	if (value_begin(w))
		put(w, "null", 4);
}

void bh_json_hex(struct bh_json *w, uint64_t v)
{
	/* Fixed width, so masks line up and compare as strings: "0x" + 16 digits. */
	char buf[20] = { '"', '0', 'x' };

	if (!value_begin(w))
		return;
	for (int i = 0; i < 16; i++)
		buf[3 + i] = hex_digits[(v >> (60 - 4 * i)) & 0xf];
	buf[19] = '"';
	put(w, buf, sizeof(buf));
}

void bh_json_raw(struct bh_json *w, const char *s, size_t len)
{
	put(w, s, len);
}

void bh_json_newline(struct bh_json *w)
{
	put(w, "\n", 1);
	/* A new line starts a new top-level value, not a sibling of the last one. */
	if (w->depth == 0)
		w->need_comma[0] = false;
}

void bh_json_key_str(struct bh_json *w, const char *key, const char *s)
{
	bh_json_key(w, key);
	bh_json_str(w, s);
}

void bh_json_key_strn(struct bh_json *w, const char *key, const char *s, size_t len)
{
	bh_json_key(w, key);
	bh_json_strn(w, s, len);
}

void bh_json_key_int(struct bh_json *w, const char *key, int64_t v)
{
	bh_json_key(w, key);
	bh_json_int(w, v);
}

void bh_json_key_uint(struct bh_json *w, const char *key, uint64_t v)
{
	bh_json_key(w, key);
	bh_json_uint(w, v);
}

void bh_json_key_bool(struct bh_json *w, const char *key, bool v)
{
	bh_json_key(w, key);
	bh_json_bool(w, v);
}

void bh_json_key_hex(struct bh_json *w, const char *key, uint64_t v)
{
	bh_json_key(w, key);
	bh_json_hex(w, v);
}

static void put2(char *p, unsigned int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* RFC 3339 years have four digits: 0000-01-01 .. 9999-12-31T23:59:59 in Unix seconds. */
#define BH_TIME_MIN_SEC (-62167219200LL)
#define BH_TIME_MAX_SEC 253402300799LL

static void clamp_time(int64_t *sec, long *nsec)
{
	if (*sec > BH_TIME_MAX_SEC) {
		*sec = BH_TIME_MAX_SEC;
		*nsec = 999999999L;
	} else if (*sec < BH_TIME_MIN_SEC) {
		*sec = BH_TIME_MIN_SEC;
		*nsec = 0;
	}
}

void bh_json_time(char *buf, size_t size, int64_t sec, long nsec)
{
	char out[] = "0000-00-00T00:00:00.000000000Z";
	int64_t days, secs_of_day, era, z;
	unsigned int doe, yoe, doy, mp, day, month;
	int64_t year;
	size_t n;

	if (!size)
		return;
	/* Clamp before and after normalising nsec, so the carry cannot overflow sec. */
	clamp_time(&sec, &nsec);
	sec += nsec / 1000000000L;
	nsec %= 1000000000L;
	if (nsec < 0) {
		nsec += 1000000000L;
		sec--;
	}
	clamp_time(&sec, &nsec);

	/* Civil date from days since 1970-01-01: H. Hinnant's civil_from_days, no gmtime_r lock. */
	days = sec / 86400;
	secs_of_day = sec % 86400;
	if (secs_of_day < 0) {
		secs_of_day += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = (int64_t)yoe + era * 400 + (month <= 2);

	put2(out, (unsigned int)(year / 100));
	put2(out + 2, (unsigned int)(year % 100));
	put2(out + 5, month);
	put2(out + 8, day);
	put2(out + 11, (unsigned int)(secs_of_day / 3600));
	put2(out + 14, (unsigned int)(secs_of_day / 60 % 60));
	put2(out + 17, (unsigned int)(secs_of_day % 60));
	for (int i = 28; i >= 20; i--) {
		out[i] = (char)('0' + nsec % 10);
		nsec /= 10;
	}
	n = sizeof(out) - 1 < size - 1 ? sizeof(out) - 1 : size - 1;
	memcpy(buf, out, n);
	buf[n] = '\0';
}
