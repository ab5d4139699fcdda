// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hashtab.c - the one hash table of user space: chained, keyed by bytes (see hashtab.h). */
#include "hashtab.h"

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 16

struct bh_hashtab_item {
	struct bh_hashtab_item *next;
	uint64_t hash; /* of the key: compared before the key, and rehashes without it */
	size_t key_len;
	/* val_size bytes, as aligned as malloc's, then the key */
	alignas(max_align_t) unsigned char val[];
};

/*
 * Keys are long (a 64-character container id in most of the rules'): hashed a word at a
 * time, as FNV's multiply per byte, each waiting for the last, costs more than the lookup.
 */
static uint64_t hash_bytes(const void *key, size_t len)
{
	const uint64_t k = 0xff51afd7ed558ccdULL;
	const unsigned char *s = key;
	uint64_t h = len * k, x;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&x, s, 8);
		h = (h ^ x) * k;
		h ^= h >> 29;
	}
	for (x = 0; len; len--)
		x = x << 8 | s[len - 1];
	h = (h ^ x) * k;
	return h ^ h >> 32;
}

static const unsigned char *item_key(const struct bh_hashtab *t, const struct bh_hashtab_item *e)
{
	return e->val + t->val_size;
}

/* The link to key's entry, or the NULL one ending its chain; the table has buckets. */
static struct bh_hashtab_item **find(const struct bh_hashtab *t, const void *key, size_t len,
				     uint64_t h)
{
	struct bh_hashtab_item **pp = &t->buckets[h & (t->nbuckets - 1)];

	while (*pp &&
	       ((*pp)->hash != h || (*pp)->key_len != len || memcmp(item_key(t, *pp), key, len)))
		pp = &(*pp)->next;
	return pp;
}

static int resize(struct bh_hashtab *t, size_t nbuckets)
{
	struct bh_hashtab_item **buckets = calloc(nbuckets, sizeof(*buckets));

	if (!buckets)
		return -ENOMEM;
	for (size_t i = 0; i < t->nbuckets; i++) {
		while (t->buckets[i]) {
			struct bh_hashtab_item *e = t->buckets[i];
			size_t b = e->hash & (nbuckets - 1);

			t->buckets[i] = e->next;
			e->next = buckets[b];
			buckets[b] = e;
		}
	}
	free(t->buckets);
	t->buckets = buckets;
	t->nbuckets = nbuckets;
	return 0;
}

void bh_hashtab_init(struct bh_hashtab *t, size_t val_size)
{
	*t = (struct bh_hashtab){ .val_size = val_size };
}

void bh_hashtab_fini(struct bh_hashtab *t)
{
	struct bh_hashtab_iter it;

	bh_hashtab_iter_init(&it, t);
	while (bh_hashtab_iter_next(&it))
		bh_hashtab_iter_remove(&it);
	free(t->buckets);
	bh_hashtab_init(t, t->val_size);
}

int bh_hashtab_reserve(struct bh_hashtab *t, size_t n)
{
	size_t nbuckets = t->nbuckets ? t->nbuckets : MIN_BUCKETS;

	while (nbuckets < n)
		nbuckets <<= 1;
	return nbuckets == t->nbuckets ? 0 : resize(t, nbuckets);
}

void *bh_hashtab_get(const struct bh_hashtab *t, const void *key, size_t len)
{
	struct bh_hashtab_item *e;

	if (!t->n)
		return NULL;
	e = *find(t, key, len, hash_bytes(key, len));
	return e ? e->val : NULL;
}

void *bh_hashtab_put(struct bh_hashtab *t, const void *key, size_t len)
{
	uint64_t h = hash_bytes(key, len);
	struct bh_hashtab_item **pp, *e;

	if (t->nbuckets) {
		pp = find(t, key, len, h);
		if (*pp)
			return (*pp)->val;
	}
	/* Without memory to grow, the buckets there are still good, chains just longer. */
	if (t->n >= t->nbuckets && resize(t, t->nbuckets ? t->nbuckets * 2 : MIN_BUCKETS) &&
	    !t->nbuckets)
		return NULL;
	e = calloc(1, sizeof(*e) + t->val_size + len);
	if (!e)
		return NULL;
	e->hash = h;
	e->key_len = len;
	memcpy(e->val + t->val_size, key, len);
	pp = &t->buckets[h & (t->nbuckets - 1)];
	e->next = *pp;
	*pp = e;
	t->n++;
	return e->val;
}

void bh_hashtab_del(struct bh_hashtab *t, const void *key, size_t len)
{
	struct bh_hashtab_item **pp, *e;

	if (!t->n)
		return;
	pp = find(t, key, len, hash_bytes(key, len));
	e = *pp;
	if (!e)
		return;
	*pp = e->next;
	free(e);
	t->n--;
}

size_t bh_hashtab_count(const struct bh_hashtab *t)
{
	return t->n;
}

void bh_hashtab_iter_init(struct bh_hashtab_iter *it, struct bh_hashtab *t)
{
	*it = (struct bh_hashtab_iter){ .t = t, .link = t->nbuckets ? &t->buckets[0] : NULL };
}

void *bh_hashtab_iter_next(struct bh_hashtab_iter *it)
{
	if (!it->link)
		return NULL;
	/* A removal already moved the link on to the next entry. */
	if (it->item)
		it->link = &it->item->next;
	while (!*it->link) {
		if (++it->bucket == it->t->nbuckets) {
			it->link = NULL;
			it->item = NULL;
			return NULL;
		}
		it->link = &it->t->buckets[it->bucket];
	}
	it->item = *it->link;
	return it->item->val;
}

void bh_hashtab_iter_remove(struct bh_hashtab_iter *it)
{
	*it->link = it->item->next;
	free(it->item);
	it->item = NULL;
	it->t->n--;
}
