// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ns_owner.c - namespace inode -> the container whose processes hold it. */
#include "ns_owner.h"

/* room for the namespaces of a node's first few hundred containers before any rehash */
#define NS_RESERVED 1024
/* a container that makes namespaces in a loop must not grow the table without end */
#define NS_MAX_ENTRIES 65536

int bh_ns_owners_init(struct bh_ns_owners *t)
{
	*t = (struct bh_ns_owners){ 0 };
	bh_hashtab_init(&t->owners, sizeof(const struct bh_container *));
	return bh_hashtab_reserve(&t->owners, NS_RESERVED);
}

void bh_ns_owners_fini(struct bh_ns_owners *t)
{
	bh_hashtab_fini(&t->owners);
}

static const struct bh_container *owner(const struct bh_ns_owners *t, __u32 inum)
{
	const struct bh_container *const *c = bh_hashtab_get(&t->owners, &inum, sizeof(inum));

	return c ? *c : NULL;
}

static void add(struct bh_ns_owners *t, const struct bh_container *c, __u32 inum)
{
	const struct bh_container **e;

	if (!inum || owner(t, inum) || bh_hashtab_count(&t->owners) >= NS_MAX_ENTRIES)
		return;
	e = bh_hashtab_put(&t->owners, &inum, sizeof(inum));
	/* without memory, a namespace is not learned: its owner is found by the next record */
	if (e)
		*e = c;
}

/* The claim on inum goes, if it is c's. */
static void drop_claim(struct bh_ns_owners *t, const struct bh_container *c, __u32 inum)
{
	if (inum && owner(t, inum) == c)
		bh_hashtab_del(&t->owners, &inum, sizeof(inum));
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
	if (learn && t->moved_to && c == t->moved_from && pid_ns == t->moved_pid_ns &&
	    mnt_ns == t->moved_mnt_ns) {
		*moved = true;
		return t->moved_to;
	}
	by_ns = owner_of(t, c, pid_ns, mnt_ns);
	/* a dead container's inode numbers, taken again by another's namespaces */
	while (by_ns && by_ns != c && alive && !alive(ctx, by_ns)) {
		bh_ns_owners_forget(t, by_ns);
		by_ns = owner_of(t, c, pid_ns, mnt_ns);
	}
	/*
	 * The runtime's set-up is never a container's own process (its mark cannot be had
	 * from inside): one that holds a namespace learned from another container holds a new
	 * namespace under a reused inode number. The old one died with that container, whose
	 * cgroup may outlive it a while (podman removes it at clean-up): the claim is stale.
	 */
	if (by_ns && by_ns != c && !learn) {
		drop_claim(t, by_ns, mnt_ns);
		drop_claim(t, by_ns, pid_ns);
		if (t->moved_to == by_ns)
			t->moved_to = NULL;
		return c;
	}
	if (by_ns && by_ns != c) {
		t->moved_from = c;
		t->moved_to = by_ns;
		t->moved_pid_ns = pid_ns;
		t->moved_mnt_ns = mnt_ns;
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
	const struct bh_container **e;
	struct bh_hashtab_iter it;

	if (t->last_c == c)
		t->last_c = NULL;
	if (t->moved_to == c || t->moved_from == c)
		t->moved_to = NULL;
	bh_hashtab_iter_init(&it, &t->owners);
	while ((e = bh_hashtab_iter_next(&it)))
		if (*e == c)
			bh_hashtab_iter_remove(&it);
}
