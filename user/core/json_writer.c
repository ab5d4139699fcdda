// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* json_writer.c - JSON into one reusable buffer: no allocation once warm, no printf. */
#include "json_writer.h"
#include "json_impl.h"

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

/* The slow half of reserve(): grows the buffer to hold need bytes. */
static bool grow(struct bh_json *w, size_t need)
{
	size_t cap = w->cap ? w->cap : BH_JSON_INITIAL_CAP;
	char *buf;

	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	buf = realloc(w->buf, cap);
	if (!buf) {
		w->failed = true;
		return false;
	}
	w->buf = buf;
	w->cap = cap;
	return true;
}

/* Makes room for n more bytes plus a NUL (so the buffer is always a C string). */
static inline bool reserve(struct bh_json *w, size_t n)
{
	if (w->failed)
		return false;
	if (n > SIZE_MAX - w->len - 1) {
		w->failed = true;
		return false;
	}
	return w->len + n + 1 <= w->cap || grow(w, w->len + n + 1);
}

/*
 * Writing is done in two steps: open_*() reserves room for the worst case and
 * returns where to write, the caller writes, and commit() sets the length from
 * its end pointer. One reservation and no call per piece of a member.
 */
static inline void commit(struct bh_json *w, char *end)
{
	*end = '\0';
	w->len = (size_t)(end - w->buf);
}

/* Room for a value of at most max bytes, after the comma when the container holds one already. */
static inline char *open_value(struct bh_json *w, size_t max)
{
	char *out;

	if (max > SIZE_MAX - 1 || !reserve(w, max + 1))
		return NULL;
	out = w->buf + w->len;
	if (w->need_comma[w->depth])
		*out++ = ',';
	w->need_comma[w->depth] = true;
	return out;
}

/* The most bytes a string of len bytes takes: every byte a 6-byte escape, and quotes. */
static inline bool string_max(struct bh_json *w, size_t len, size_t *max)
{
	if (len > (SIZE_MAX - 2) / 6) {
		w->failed = true;
		return false;
	}
	*max = len * 6 + 2;
	return true;
}

static inline void put(struct bh_json *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	commit(w, w->buf + w->len + n);
}

static inline void put_char(struct bh_json *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len] = c;
	commit(w, w->buf + w->len + 1);
}

static void open_scope(struct bh_json *w, char c)
{
	char *out;

	/* Deeper than the comma stack is a caller bug: fail rather than corrupt. */
	if (!w->failed && w->depth + 1 >= BH_JSON_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	out = open_value(w, 1);
	if (!out)
		return;
	*out++ = c;
	commit(w, out);
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
	put_char(w, c);
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

/* Bytes that go out as they are: printable ASCII but the quote (0x22) and the backslash (0x5c). */
static const bool plain_bytes[256] = {
	[0x20 ... 0x21] = true,
	[0x23 ... 0x5b] = true,
	[0x5d ... 0x7f] = true,
};

static inline bool plain_ascii(unsigned char c)
{
	return plain_bytes[c];
}

#define BYTES_01 0x0101010101010101ULL
#define BYTES_80 0x8080808080808080ULL

/*
 * The top bit of each of the 8 bytes of x that is not plain_ascii() (x read
 * from memory: byte i of the string is bits 8i..8i+7). Such a byte is always
 * flagged; a byte above a flagged one may be flagged without cause (a borrow).
 */
static inline uint64_t word_special(uint64_t x)
{
	uint64_t quote = x ^ (BYTES_01 * '"'), bslash = x ^ (BYTES_01 * '\\');

	return (((x - BYTES_01 * 0x20) & ~x) | ((quote - BYTES_01) & ~quote) |
		((bslash - BYTES_01) & ~bslash) | x) &
	       BYTES_80;
}

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "word_special() reads strings LE");

/* The escape of a byte that is neither plain ASCII nor the start of valid UTF-8. */
static char *write_escape(char *out, unsigned char c)
{
	static const char replacement[6] = "\\ufffd"; /* U+FFFD, no NUL */

	if (c >= 0x80) {
		memcpy(out, replacement, sizeof(replacement));
		return out + sizeof(replacement);
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
		out[0] = 'u';
		out[1] = out[2] = '0';
		out[3] = hex_digits[c >> 4];
		out[4] = hex_digits[c & 0xf];
		out += 5;
		break;
	}
	return out;
}

/* write_string() of a long or not plain string: s escaped, without the quotes. */
static char *write_string_rest(char *out, const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c;
		uint64_t x;
		size_t seq;

		/* Plain runs 8 bytes at a time, copied as they are checked. */
		while (i + 8 <= len) {
			memcpy(&x, s + i, 8);
			if (word_special(x))
				break;
			memcpy(out, &x, 8);
			out += 8;
			i += 8;
		}
		/* A plain tail shorter than a word: the last 8 bytes of s, shifted down to it. */
		if (len >= 8 && i < len && len - i < 8) {
			size_t drop = 8 * (8 - (len - i));

			memcpy(&x, s + len - 8, 8);
			if (!(word_special(x) >> drop)) {
				x >>= drop;
				/* 8 bytes fit: at least 6 per byte left were reserved. */
				memcpy(out, &x, 8);
				return out + (len - i);
			}
		}
		while (i < len && plain_ascii(s[i]))
			*out++ = (char)s[i++];
		if (i == len)
			break;
		c = s[i];
		if (c >= 0x80 && (seq = utf8_seq_len(s + i, len - i))) {
			memcpy(out, s + i, seq);
			out += seq;
			i += seq;
		} else {
			out = write_escape(out, c);
			i++;
		}
	}
	return out;
}

/*
 * Copies s (at most 16 bytes) to out when it is all plain_ascii(): short
 * strings (keys, names) are most, and are checked as one or two words read
 * overlapping, not byte by byte. False when a byte needs a closer look.
 */
static inline bool copy_short_plain(char *out, const unsigned char *s, size_t len)
{
	/* Bytes of a word not taken from s are spaces: plain. */
	const uint64_t spaces = BYTES_01 * ' ';
	uint64_t a, b;
	uint32_t a4, b4;

	if (len >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + len - 8, 8);
		if (word_special(a) | word_special(b))
			return false;
		memcpy(out, &a, 8);
		memcpy(out + len - 8, &b, 8);
		return true;
	}
	if (len >= 4) {
		memcpy(&a4, s, 4);
		memcpy(&b4, s + len - 4, 4);
		if (word_special(a4 | (uint64_t)b4 << 32))
			return false;
		memcpy(out, &a4, 4);
		memcpy(out + len - 4, &b4, 4);
		return true;
	}
	if (!len)
		return true;
	/* 1 to 3 bytes: the first, the middle and the last are all of them. */
	a = s[0] | (uint64_t)s[len / 2] << 8 | (uint64_t)s[len - 1] << 16 | (spaces << 24);
	if (word_special(a))
		return false;
	out[0] = (char)s[0];
	out[len / 2] = (char)s[len / 2];
	out[len - 1] = (char)s[len - 1];
	return true;
}

/* s as a JSON string at out, which has room for string_max(len) bytes; returns the end. */
static inline char *write_string(char *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	*out++ = '"';
	if (len <= 16 && copy_short_plain(out, s, len))
		out += len;
	else
		out = write_string_rest(out, s, len);
	*out++ = '"';
	return out;
}

/* Keys up to this long are copied as they are checked; longer ones are measured first. */
#define KEY_FAST_MAX 32

/*
 * open_member() for a key longer than KEY_FAST_MAX or one to escape: written
 * as any string, in room reserved for it; out is where the fast path began.
 * Out of line, so the fast path stays small enough to inline.
 */
static __attribute__((noinline)) char *open_member_slow(struct bh_json *w, const char *key,
							size_t vmax, char *out)
{
	size_t at = (size_t)(out - w->buf), klen = strlen(key), kmax;

	if (!string_max(w, klen, &kmax) || vmax > SIZE_MAX - kmax - 1 ||
	    !reserve(w, at - w->len + kmax + 1 + vmax))
		return NULL;
	out = write_string(w->buf + at, key, klen);
	*out++ = ':';
	return out;
}

/* Room for a member of at most vmax value bytes, its "key": written; NULL when failed. */
static inline char *open_member(struct bh_json *w, const char *key, size_t vmax)
{
	const unsigned char *k = (const unsigned char *)key;
	size_t i = 0;
	char *out;

	if (vmax > SIZE_MAX - KEY_FAST_MAX - 4) {
		w->failed = true;
		return NULL;
	}
	out = open_value(w, KEY_FAST_MAX + 3 + vmax);
	if (!out)
		return NULL;
	/*
	 * Keys are mostly short literals: copied while checked, up to their NUL (not
	 * plain), four bytes a step while all four are plain (&& reads none past it).
	 */
	while (i + 4 <= KEY_FAST_MAX && plain_ascii(k[i]) && plain_ascii(k[i + 1]) &&
	       plain_ascii(k[i + 2]) && plain_ascii(k[i + 3])) {
		memcpy(out + 1 + i, k + i, 4);
		i += 4;
	}
	while (i < KEY_FAST_MAX && plain_ascii(k[i])) {
		out[1 + i] = (char)k[i];
		i++;
	}
	if (k[i])
		return open_member_slow(w, key, vmax, out);
	out[0] = '"';
	out[1 + i] = '"';
	out[2 + i] = ':';
	return out + i + 3;
}

void bh_json_key(struct bh_json *w, const char *key)
{
	char *out = open_member(w, key, 0);

	if (!out)
		return;
	commit(w, out);
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
	size_t max;
	char *out;

	if (!s && len) {
		bh_json_null(w);
		return;
	}
	if (!string_max(w, len, &max) || !(out = open_value(w, max)))
		return;
	commit(w, write_string(out, s ? s : "", len));
}

static const uint64_t powers_of_10[20] = {
	1ULL,
	10ULL,
	100ULL,
	1000ULL,
	10000ULL,
	100000ULL,
	1000000ULL,
	10000000ULL,
	100000000ULL,
	1000000000ULL,
	10000000000ULL,
	100000000000ULL,
	1000000000000ULL,
	10000000000000ULL,
	100000000000000ULL,
	1000000000000000ULL,
	10000000000000000ULL,
	100000000000000000ULL,
	1000000000000000000ULL,
	10000000000000000000ULL,
};

/* v in decimal at out (room for 20 bytes); returns the end. */
static char *write_uint(char *out, uint64_t v)
{
	/* Digits from the bit length (1233 / 4096 is about log10(2)), corrected by one compare. */
	size_t n = (size_t)((64 - __builtin_clzll(v | 1)) * 1233) >> 12;
	unsigned int u;
	char *end;

	n += v >= powers_of_10[n];
	end = out + (n ? n : 1);
	out = end;
	/* Four digits per division, as two pairs: each division waits for the one before. */
	while (v >= 10000) {
		u = (unsigned int)(v % 10000);
		v /= 10000;
		out -= 4;
		put_pair(out, u / 100);
		put_pair(out + 2, u % 100);
	}
	u = (unsigned int)v;
	if (u >= 100) {
		out -= 2;
		put_pair(out, u % 100);
		u /= 100;
	}
	if (u >= 10)
		put_pair(out - 2, u);
	else
		out[-1] = (char)('0' + u);
	return end;
}

/* v at out (room for 20 bytes); returns the end. */
static char *write_int(char *out, int64_t v)
{
	if (v >= 0)
		return write_uint(out, (uint64_t)v);
	*out++ = '-';
	/* Negate in unsigned arithmetic: -INT64_MIN does not fit an int64_t. */
	return write_uint(out, 0 - (uint64_t)v);
}

/* Fixed width, so masks line up and compare as strings: "0x" + 16 digits, quoted (20 bytes). */
/*
 * The 8 hex digits of x as the bytes of a word, first digit first in memory:
 * the nibbles spread one per byte, then all turned into '0'..'9' / 'a'..'f' at once.
 */
static inline uint64_t hex_word(uint32_t x)
{
	uint64_t v = x, letters;

	v = (v | v << 16) & 0x0000ffff0000ffffULL;
	v = (v | v << 8) & 0x00ff00ff00ff00ffULL;
	v = (v | v << 4) & 0x0f0f0f0f0f0f0f0fULL;
	/* Bytes of 10 and more get 'a' - '0' - 10 more than '0'. */
	letters = ((v + BYTES_01 * 6) & (BYTES_01 * 0x10)) >> 4;
	return __builtin_bswap64(v + BYTES_01 * '0' + letters * ('a' - '0' - 10));
}

static char *write_hex(char *out, uint64_t v)
{
	uint64_t hi = hex_word((uint32_t)(v >> 32)), lo = hex_word((uint32_t)v);

	out[0] = '"';
	out[1] = '0';
	out[2] = 'x';
	memcpy(out + 3, &hi, 8);
	memcpy(out + 11, &lo, 8);
	out[19] = '"';
	return out + 20;
}

static char *write_bool(char *out, bool v)
{
	memcpy(out, v ? "true" : "false", v ? 4 : 5);
	return out + (v ? 4 : 5);
}

void bh_json_uint(struct bh_json *w, uint64_t v)
{
	char *out = open_value(w, 20);

	if (out)
		commit(w, write_uint(out, v));
}

void bh_json_int(struct bh_json *w, int64_t v)
{
	char *out = open_value(w, 20);

	if (out)
		commit(w, write_int(out, v));
}

void bh_json_bool(struct bh_json *w, bool v)
{
	char *out = open_value(w, 5);

	if (out)
		commit(w, write_bool(out, v));
}

void bh_json_null(struct bh_json *w)
{
	static const char null_text[4] = "null"; /* no NUL */
	char *out = open_value(w, sizeof(null_text));

	if (!out)
		return;
	memcpy(out, null_text, sizeof(null_text));
	commit(w, out + sizeof(null_text));
}

void bh_json_hex(struct bh_json *w, uint64_t v)
{
	char *out = open_value(w, 20);

	if (out)
		commit(w, write_hex(out, v));
}

void bh_json_raw(struct bh_json *w, const char *s, size_t len)
{
	put(w, s, len);
}

void bh_json_raw_value(struct bh_json *w, const char *s, size_t len)
{
	char *out = open_value(w, len);

	if (!out)
		return;
	memcpy(out, s, len);
	commit(w, out + len);
}

void bh_json_newline(struct bh_json *w)
{
	put_char(w, '\n');
	/* A new line starts a new top-level value, not a sibling of the last one. */
	if (w->depth == 0)
		w->need_comma[0] = false;
}

void bh_json_key_str(struct bh_json *w, const char *key, const char *s)
{
	if (!s) {
		bh_json_key(w, key);
		bh_json_null(w);
		return;
	}
	bh_json_key_strn(w, key, s, strlen(s));
}

void bh_json_key_str_opt(struct bh_json *w, const char *key, const char *s)
{
	if (s)
		bh_json_key_str(w, key, s);
}

void bh_json_key_strn(struct bh_json *w, const char *key, const char *s, size_t len)
{
	size_t max;
	char *out;

	if (!s && len) {
		bh_json_key(w, key);
		bh_json_null(w);
		return;
	}
	if (!string_max(w, len, &max) || !(out = open_member(w, key, max)))
		return;
	commit(w, write_string(out, s ? s : "", len));
}

void bh_json_key_int(struct bh_json *w, const char *key, int64_t v)
{
	char *out = open_member(w, key, 20);

	if (out)
		commit(w, write_int(out, v));
}

void bh_json_key_uint(struct bh_json *w, const char *key, uint64_t v)
{
	char *out = open_member(w, key, 20);

	if (out)
		commit(w, write_uint(out, v));
}

void bh_json_key_bool(struct bh_json *w, const char *key, bool v)
{
	char *out = open_member(w, key, 5);

	if (out)
		commit(w, write_bool(out, v));
}

void bh_json_key_hex(struct bh_json *w, const char *key, uint64_t v)
{
	char *out = open_member(w, key, 20);

	if (out)
		commit(w, write_hex(out, v));
}

void bh_json_key_time(struct bh_json *w, const char *key, int64_t sec, long nsec)
{
	/* Always 30 characters, none to escape: the year is clamped to four digits. */
	const size_t len = sizeof("0000-00-00T00:00:00.000000000Z") - 1;
	char *out = open_member(w, key, len + 2);

	if (!out)
		return;
	*out++ = '"';
	bh_json_time(out, len + 1, sec, nsec);
	out += len;
	*out++ = '"';
	commit(w, out);
}

void bh_json_key_csv(struct bh_json *w, const char *key, const char *csv)
{
	bh_json_key(w, key);
	bh_json_arr_begin(w);
	for (const char *p = csv; p && *p;) {
		size_t n = strcspn(p, ",");

		bh_json_strn(w, p, n);
		p += n + (p[n] == ',');
	}
	bh_json_arr_end(w);
}
