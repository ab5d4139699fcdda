// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_hashtab.c - the hash table every user-space table is: keys, chains, growth, removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/hashtab.h"

struct val {
	uint64_t x;
	unsigned int visits;
};

static void test_insert_lookup_remove_by_bytes(void **state)
{
	struct bh_hashtab t;
	struct val *v;

	(void)state;
	bh_hashtab_init(&t, sizeof(struct val));
	/* a table never used answers, and allocates nothing */
	assert_null(bh_hashtab_get(&t, "a", 1));
	bh_hashtab_del(&t, "a", 1);
	assert_int_equal(bh_hashtab_count(&t), 0);
	assert_null(t.buckets);

	v = bh_hashtab_put(&t, "abc", 3);
	assert_non_null(v);
	assert_int_equal(v->x, 0); /* new: zeroed */
	v->x = 7;
	/* put of a present key is its value, as it was */
	assert_ptr_equal(bh_hashtab_put(&t, "abc", 3), v);
	assert_int_equal(v->x, 7);
	assert_ptr_equal(bh_hashtab_get(&t, "abc", 3), v);
	assert_int_equal(bh_hashtab_count(&t), 1);

	/* a key is its bytes, its length included: a prefix, or one more NUL, is another */
	assert_null(bh_hashtab_get(&t, "ab", 2));
	assert_null(bh_hashtab_get(&t, "abc", 4));
	assert_null(bh_hashtab_get(&t, "abd", 3));
	assert_non_null(bh_hashtab_put(&t, "abc", 4));
	assert_non_null(bh_hashtab_put(&t, "", 0));
	assert_int_equal(bh_hashtab_count(&t), 3);
	assert_ptr_equal(bh_hashtab_get(&t, "abc", 3), v);

	bh_hashtab_del(&t, "abc", 3);
	assert_null(bh_hashtab_get(&t, "abc", 3));
	assert_non_null(bh_hashtab_get(&t, "abc", 4));
	assert_non_null(bh_hashtab_get(&t, "", 0));
	bh_hashtab_del(&t, "abc", 3); /* absent: nothing happens */
	assert_int_equal(bh_hashtab_count(&t), 2);

	/* fini empties it, and it can be used again */
	bh_hashtab_fini(&t);
	assert_int_equal(bh_hashtab_count(&t), 0);
	assert_null(bh_hashtab_get(&t, "", 0));
	v = bh_hashtab_put(&t, "abc", 3);
	assert_non_null(v);
	assert_int_equal(v->x, 0);
	bh_hashtab_fini(&t);
}

/*
 * The smallest table, full: chains of several entries (the iterator tells which share a
 * bucket). Removing any one, head, middle or tail of its chain, leaves every other found.
 */
static void test_removal_anywhere_in_a_chain(void **state)
{
	enum { N = 16 };
	struct bh_hashtab t;
	struct bh_hashtab_iter it;
	size_t bucket_n[N] = { 0 }, longest = 0;
	struct val *v;

	(void)state;
	bh_hashtab_init(&t, sizeof(struct val));
	for (uint64_t k = 0; k < N; k++)
		((struct val *)bh_hashtab_put(&t, &k, sizeof(k)))->x = k;
	assert_int_equal(t.nbuckets, N); /* not grown: as many entries as buckets */
	bh_hashtab_iter_init(&it, &t);
	while (bh_hashtab_iter_next(&it))
		bucket_n[it.bucket]++;
	for (size_t b = 0; b < N; b++)
		longest = bucket_n[b] > longest ? bucket_n[b] : longest;
	assert_true(longest >= 3);

	for (uint64_t k = 0; k < N; k++) {
		bh_hashtab_del(&t, &k, sizeof(k));
		assert_null(bh_hashtab_get(&t, &k, sizeof(k)));
		for (uint64_t o = 0; o < N; o++) {
			if (o == k)
				continue;
			v = bh_hashtab_get(&t, &o, sizeof(o));
			assert_non_null(v);
			assert_int_equal(v->x, o);
		}
		((struct val *)bh_hashtab_put(&t, &k, sizeof(k)))->x = k;
	}
	assert_int_equal(bh_hashtab_count(&t), N);
	bh_hashtab_fini(&t);
}

/*
 * Keys of every length, and for each one the keys that differ from it in a single byte:
 * however a key is read (a word at a time, its tail in overlapping halves), every byte
 * tells keys apart, and so does the length alone.
 */
static void test_keys_differing_in_one_byte(void **state)
{
	enum { MAX_LEN = 40 };
	unsigned char base[MAX_LEN], key[MAX_LEN];
	struct bh_hashtab t;
	uint64_t n = 0;
	struct val *v;

	(void)state;
	for (size_t i = 0; i < MAX_LEN; i++)
		base[i] = (unsigned char)('a' + i % 7);
	bh_hashtab_init(&t, sizeof(struct val));
	/* value: 1000 * len for the prefix of length len, + pos + 1 with byte pos flipped */
	for (size_t len = 0; len <= MAX_LEN; len++) {
		((struct val *)bh_hashtab_put(&t, base, len))->x = 1000 * len;
		n++;
		for (size_t pos = 0; pos < len; pos++) {
			memcpy(key, base, len);
			key[pos] ^= 0x80;
			v = bh_hashtab_put(&t, key, len);
			assert_int_equal(v->x, 0); /* new, not any other's */
			v->x = 1000 * len + pos + 1;
			n++;
		}
	}
	assert_int_equal(bh_hashtab_count(&t), n);
	for (size_t len = 0; len <= MAX_LEN; len++) {
		v = bh_hashtab_get(&t, base, len);
		assert_non_null(v);
		assert_int_equal(v->x, 1000 * len);
		for (size_t pos = 0; pos < len; pos++) {
			memcpy(key, base, len);
			key[pos] ^= 0x80;
			v = bh_hashtab_get(&t, key, len);
			assert_non_null(v);
			assert_int_equal(v->x, 1000 * len + pos + 1);
		}
	}
	bh_hashtab_fini(&t);
}

/* The buckets double as entries come; a value does not move, nor does reserve() move it. */
static void test_growth_keeps_values_in_place(void **state)
{
	enum { N = 5000 };
	static struct val *first[N];
	struct bh_hashtab t;
	char key[32];

	(void)state;
	bh_hashtab_init(&t, sizeof(struct val));
	for (unsigned int i = 0; i < N; i++) {
		int len = snprintf(key, sizeof(key), "container-%u", i);

		first[i] = bh_hashtab_put(&t, key, (size_t)len);
		assert_non_null(first[i]);
		first[i]->x = i;
		assert_true(bh_hashtab_count(&t) <= t.nbuckets);
	}
	assert_int_equal(bh_hashtab_count(&t), N);
	assert_int_equal(bh_hashtab_reserve(&t, 4 * (size_t)N), 0);
	assert_true(t.nbuckets >= 4 * (size_t)N);
	for (unsigned int i = 0; i < N; i++) {
		int len = snprintf(key, sizeof(key), "container-%u", i);

		assert_ptr_equal(bh_hashtab_get(&t, key, (size_t)len), first[i]);
		assert_int_equal(first[i]->x, i);
	}
	bh_hashtab_fini(&t);

	/* reserved, it takes as many entries without growing */
	bh_hashtab_init(&t, sizeof(struct val));
	assert_int_equal(bh_hashtab_reserve(&t, 1000), 0);
	assert_int_equal(t.nbuckets, 1024);
	for (uint64_t k = 0; k < 1024; k++)
		assert_non_null(bh_hashtab_put(&t, &k, sizeof(k)));
	assert_int_equal(t.nbuckets, 1024);
	bh_hashtab_fini(&t);
}

/* Each value is visited once, whatever is removed on the way, then the count is right. */
static void test_iterate_remove_visits_each_once(void **state)
{
	enum { N = 100000 };
	struct bh_hashtab t;
	struct bh_hashtab_iter it;
	struct val *v;
	size_t seen = 0;

	(void)state;
	bh_hashtab_init(&t, sizeof(struct val));
	/* an empty table visits nothing */
	bh_hashtab_iter_init(&it, &t);
	assert_null(bh_hashtab_iter_next(&it));

	for (uint32_t k = 0; k < N; k++)
		((struct val *)bh_hashtab_put(&t, &k, sizeof(k)))->x = k;
	assert_int_equal(bh_hashtab_count(&t), N);

	/* the odd keys go: a removal mid-chain, at its head, its tail and alone */
	bh_hashtab_iter_init(&it, &t);
	while ((v = bh_hashtab_iter_next(&it))) {
		v->visits++;
		seen++;
		if (v->x & 1)
			bh_hashtab_iter_remove(&it);
	}
	assert_int_equal(seen, N);
	assert_null(bh_hashtab_iter_next(&it)); /* the end stays the end */
	assert_int_equal(bh_hashtab_count(&t), N / 2);
	for (uint32_t k = 0; k < N; k++) {
		v = bh_hashtab_get(&t, &k, sizeof(k));
		if (k & 1) {
			assert_null(v);
			continue;
		}
		assert_non_null(v);
		assert_int_equal(v->x, k);
		assert_int_equal(v->visits, 1);
	}

	/* then all of them */
	seen = 0;
	bh_hashtab_iter_init(&it, &t);
	while ((v = bh_hashtab_iter_next(&it))) {
		assert_int_equal(v->visits, 1);
		seen++;
		bh_hashtab_iter_remove(&it);
	}
	assert_int_equal(seen, N / 2);
	assert_int_equal(bh_hashtab_count(&t), 0);
	for (uint32_t k = 0; k < N; k += 2)
		assert_null(bh_hashtab_get(&t, &k, sizeof(k)));
	bh_hashtab_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup_remove_by_bytes),
		cmocka_unit_test(test_removal_anywhere_in_a_chain),
		cmocka_unit_test(test_keys_differing_in_one_byte),
		cmocka_unit_test(test_growth_keeps_values_in_place),
		cmocka_unit_test(test_iterate_remove_visits_each_once),
	};

	return cmocka_run_group_tests_name("hashtab", tests, NULL, NULL);
}
