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
 * Buckets double when the entries outnumber them, so a lookup walks about one entry.
 * Bounds and eviction policies are the callers': the table never drops an entry itself.
 */
#ifndef BULKHEAD_HASHTAB_H
#define BULKHEAD_HASHTAB_H

#include <stddef.h>

struct bh_hashtab_item; /* hashtab.c: one entry */

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

/* The value of key (len bytes), or NULL. */
void *bh_hashtab_get(const struct bh_hashtab *t, const void *key, size_t len);
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

#endif
