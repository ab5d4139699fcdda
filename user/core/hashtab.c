// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hashtab.c - the one hash table of user space: chained, keyed by bytes (see hashtab.h). */
#include "hashtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 16

static int resize(struct bh_hashtab *t, size_t nbuckets)
{
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of entry pointers */
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

void *bh_hashtab_put(struct bh_hashtab *t, const void *key, size_t len)
{
	uint64_t h = bh_hashtab__hash(key, len);
	struct bh_hashtab_item **pp, *e;

	if (t->nbuckets) {
		pp = bh_hashtab__link(t, key, len, h);
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
	pp = bh_hashtab__link(t, key, len, bh_hashtab__hash(key, len));
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
