// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ns_owner.c - namespace inode -> the container whose processes hold it. */
#include "ns_owner.h"

#include <errno.h>
#include <stdlib.h>

#define NS_BUCKETS 1024 /* power of two */
/* a container that makes namespaces in a loop must not grow the table without end */
#define NS_MAX_ENTRIES 65536

struct bh_ns_entry {
	struct bh_ns_entry *next;
	__u32 inum;
	const struct bh_container *c;
};

static size_t bucket_of(__u32 inum)
{
	return (size_t)((inum * 0x9e3779b1u) >> 22) & (NS_BUCKETS - 1);
}

int bh_ns_owners_init(struct bh_ns_owners *t)
{
	*t = (struct bh_ns_owners){ 0 };
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of entry pointers */
	t->buckets = calloc(NS_BUCKETS, sizeof(*t->buckets));
	return t->buckets ? 0 : -ENOMEM;
}

void bh_ns_owners_fini(struct bh_ns_owners *t)
{
	if (!t->buckets)
		return;
	for (size_t b = 0; b < NS_BUCKETS; b++) {
		while (t->buckets[b]) {
			struct bh_ns_entry *e = t->buckets[b];

			t->buckets[b] = e->next;
			free(e);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
}

static const struct bh_container *owner(const struct bh_ns_owners *t, __u32 inum)
{
	for (const struct bh_ns_entry *e = t->buckets[bucket_of(inum)]; e; e = e->next)
		if (e->inum == inum)
			return e->c;
	return NULL;
}

static void add(struct bh_ns_owners *t, const struct bh_container *c, __u32 inum)
{
	struct bh_ns_entry *e;
	size_t b = bucket_of(inum);

	if (!inum || owner(t, inum) || t->n >= NS_MAX_ENTRIES)
		return;
	e = malloc(sizeof(*e));
	if (!e)
		return; /* a namespace not learned: its owner is found by the next record */
	e->inum = inum;
	e->c = c;
	e->next = t->buckets[b];
	t->buckets[b] = e;
	t->n++;
}

/* The container known to hold the task's namespaces, as resolve() weighs them. */
static const struct bh_container *owner_of(const struct bh_ns_owners *t,
					   const struct bh_container *c, __u32 pid_ns, __u32 mnt_ns)
{
	const struct bh_container *by_ns = mnt_ns ? owner(t, mnt_ns) : NULL;

	return by_ns || c || !pid_ns ? by_ns : owner(t, pid_ns);
}

const struct bh_container *
bh_ns_owners_resolve(struct bh_ns_owners *t, const struct bh_container *c, __u32 pid_ns,
		     __u32 mnt_ns, bool learn,
		     bool (*alive)(void *ctx, const struct bh_container *c), void *ctx, bool *moved)
{
	const struct bh_container *by_ns;

	*moved = false;
	if (c && c == t->last_c && pid_ns == t->last_pid_ns && mnt_ns == t->last_mnt_ns)
		return c;
	by_ns = owner_of(t, c, pid_ns, mnt_ns);
	/* a dead container's inode numbers, taken again by another's namespaces */
	while (by_ns && by_ns != c && alive && !alive(ctx, by_ns)) {
		bh_ns_owners_forget(t, by_ns);
		by_ns = owner_of(t, c, pid_ns, mnt_ns);
	}
	if (by_ns && by_ns != c) {
		*moved = true;
		return by_ns;
	}
	if (!c || !learn)
		return c;
	add(t, c, pid_ns);
	add(t, c, mnt_ns);
	t->last_c = c;
	t->last_pid_ns = pid_ns;
	t->last_mnt_ns = mnt_ns;
	return c;
}

void bh_ns_owners_forget(struct bh_ns_owners *t, const struct bh_container *c)
{
	if (t->last_c == c)
		t->last_c = NULL;
	for (size_t b = 0; b < NS_BUCKETS; b++) {
		struct bh_ns_entry **pp = &t->buckets[b];

		while (*pp) {
			struct bh_ns_entry *e = *pp;

			if (e->c != c) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			free(e);
			t->n--;
		}
	}
}
