/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hashtab.h - a small hash table keyed by bytes (a string, a struct of ints, a pointer):
 * insert, lookup, remove, iterate with removal, count. Every table of user space is one.
 *
 * Chained, each entry one allocation holding its value and a copy of its key:
 * - a value stays where it is until it is removed, so a caller may keep its pointer
 *   across other inserts (open addressing moves values when it grows);
 * - keys of any length (the rules' dedup keys run to hundreds of bytes) cost no
 *   second allocation, and are compared only once their 64-bit hashes match;
 * - removal, in the middle of an iteration too, is unlinking: no tombstones;
 * - a table that cannot grow for want of memory still works, with longer chains.
 * Buckets double before the entries outnumber them, so a lookup walks about one entry.
 * Bounds and eviction policies are the callers': the table never drops an entry itself.
 */
#ifndef BULKHEAD_HASHTAB_H
#define BULKHEAD_HASHTAB_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* One entry. Here, with the lookup below, only so that a lookup is inlined: see there. */
struct bh_hashtab_item {
	struct bh_hashtab_item *next;
	uint64_t hash; /* of the key: compared before the key, and rehashes without it */
	size_t key_len;
	/* val_size bytes, as aligned as malloc's, then the key */
	alignas(max_align_t) unsigned char val[];
};

struct bh_hashtab {
	struct bh_hashtab_item **buckets;
	size_t nbuckets; /* a power of two, 0 before the first insert */
	size_t n;
	size_t val_size;
};

/* An empty table of values of val_size bytes; allocates nothing. */
void bh_hashtab_init(struct bh_hashtab *t, size_t val_size);
/* Frees every entry (what values point to is the caller's); t is empty, usable again. */
void bh_hashtab_fini(struct bh_hashtab *t);
/* Makes room for n entries before the buckets double: 0 or -ENOMEM. */
int bh_hashtab_reserve(struct bh_hashtab *t, size_t n);

/* The value of key (len bytes), or NULL; inline, below. */
static inline void *bh_hashtab_get(const struct bh_hashtab *t, const void *key, size_t len);
/* The value of key, added zeroed when absent; NULL without memory. */
void *bh_hashtab_put(struct bh_hashtab *t, const void *key, size_t len);
/* Removes key's entry, if any. */
void bh_hashtab_del(struct bh_hashtab *t, const void *key, size_t len);
size_t bh_hashtab_count(const struct bh_hashtab *t);

/*
 * Visits every value once, in no particular order:
 *	bh_hashtab_iter_init(&it, t);
 *	while ((v = bh_hashtab_iter_next(&it)))
 *		if (...) bh_hashtab_iter_remove(&it);
 * Nothing may be added while it runs; removing the value just visited is fine.
 */
struct bh_hashtab_iter {
	struct bh_hashtab *t;
	size_t bucket;
	struct bh_hashtab_item **link; /* to the entry visited, or after its removal its next */
	struct bh_hashtab_item *item;  /* the entry visited; NULL once removed */
};

void bh_hashtab_iter_init(struct bh_hashtab_iter *it, struct bh_hashtab *t);
/* The next value, or NULL at the end. */
void *bh_hashtab_iter_next(struct bh_hashtab_iter *it);
/* Removes the entry whose value bh_hashtab_iter_next() returned last. */
void bh_hashtab_iter_remove(struct bh_hashtab_iter *it);

/*
 * The lookup, inline: most of its callers run it on every event, with a key of constant
 * length, which then hashes and compares in a few instructions instead of a loop, a call
 * and a memcmp. bh_hashtab__ names are hashtab.c's own.
 */

/*
 * The 0 to 8 bytes at s as one word: as they are, or as two overlapping halves, or as the
 * first, middle and last byte. For each length it tells keys apart as the bytes would.
 */
static inline uint64_t bh_hashtab__load(const unsigned char *s, size_t len)
{
	uint32_t hi, lo;
	uint64_t x;

	if (len == 8) {
		memcpy(&x, s, 8);
		return x;
	}
	if (len >= 4) {
		memcpy(&hi, s, 4);
		memcpy(&lo, s + len - 4, 4);
		return (uint64_t)hi << 32 | lo;
	}
	return len ? (uint64_t)s[0] << 16 | (uint64_t)s[len >> 1] << 8 | s[len - 1] : 0;
}

/*
 * Keys are long (a 64-character container id in most of the rules'): hashed a word at a
 * time, as FNV's multiply per byte, each waiting for the last, costs more than the lookup.
 * The length is in the seed: keys that differ only by it hash apart.
 */
static inline uint64_t bh_hashtab__hash(const unsigned char *s, size_t len)
{
	const uint64_t k = 0xff51afd7ed558ccdULL;
	uint64_t h = len * k;

	for (; len >= 8; s += 8, len -= 8) {
		h = (h ^ bh_hashtab__load(s, 8)) * k;
		h ^= h >> 29;
	}
	h = (h ^ bh_hashtab__load(s, len)) * k;
	return h ^ h >> 32;
}

/* Most keys (ints, pointers, cgroup id pairs) are 4 to 16 bytes: compared without a call. */
static inline bool bh_hashtab__equal(const unsigned char *a, const unsigned char *b, size_t len)
{
	if (len <= 8)
		return bh_hashtab__load(a, len) == bh_hashtab__load(b, len);
	if (len <= 16)
		return bh_hashtab__load(a, 8) == bh_hashtab__load(b, 8) &&
		       bh_hashtab__load(a + len - 8, 8) == bh_hashtab__load(b + len - 8, 8);
	return !memcmp(a, b, len);
}

/* The link to key's entry (hash h), or the NULL one ending its chain; t has buckets. */
static inline struct bh_hashtab_item **bh_hashtab__link(const struct bh_hashtab *t, const void *key,
							size_t len, uint64_t h)
{
	struct bh_hashtab_item **pp = &t->buckets[h & (t->nbuckets - 1)];

	while (*pp && ((*pp)->hash != h || (*pp)->key_len != len ||
		       !bh_hashtab__equal((*pp)->val + t->val_size, key, len)))
		pp = &(*pp)->next;
	return pp;
}

static inline void *bh_hashtab_get(const struct bh_hashtab *t, const void *key, size_t len)
{
	struct bh_hashtab_item *e;

	if (!t->n)
		return NULL;
	e = *bh_hashtab__link(t, key, len, bh_hashtab__hash(key, len));
	return e ? e->val : NULL;
}

#endif
