// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_pipeline_hold.c - records of a pending container wait for its metadata.
 *
 * The container lookup is the only fake here: it stands in for the live
 * resolver, whose async mode marks a docker container pending until the
 * docker API answers (tests/bpf/test_resolver.c drives the real one).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "collector/metrics.h"
#include "collector/pipeline.h"

#define MAX_SEEN 8192

/* cgroup id 1 is container a, 2 is b, anything else the host */
struct fake {
	struct bh_container a, b;
	int releases;
	bool release_makes_ready;
	struct bh_pipeline *p;
	__u32 seen_pid[MAX_SEEN]; /* the tap, in order */
	const struct bh_container *seen_c[MAX_SEEN];
	int n_seen;
};

static const struct bh_container *fake_lookup(void *ctx, const struct bh_hdr *hdr)
{
	struct fake *f = ctx;

	return hdr->cgroup_id == 1 ? &f->a : hdr->cgroup_id == 2 ? &f->b : NULL;
}

/* What the agent's release does through the resolver: ready now, then flushed. */
static void fake_release(void *ctx, const struct bh_container *c)
{
	struct fake *f = ctx;

	f->releases++;
	if (!f->release_makes_ready)
		return;
	assert_ptr_equal(c, &f->a);
	f->a.pending = false;
	bh_pipeline_container_ready(f->p, c);
}

static void tap(void *ctx, const void *data, size_t size, const struct bh_container *c)
{
	const struct bh_hdr *hdr = data;
	struct fake *f = ctx;

	assert_true(size >= sizeof(*hdr));
	assert_true(f->n_seen < MAX_SEEN);
	f->seen_pid[f->n_seen] = hdr->pid;
	f->seen_c[f->n_seen] = c;
	f->n_seen++;
}

struct fixture {
	struct fake f;
	struct bh_pipeline p;
	struct bh_sink out;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	struct bh_pipeline_opts o = { 0 };
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (!x || fd < 0 || bh_sink_init(&x->out, fd, 4096))
		return -1;
	strcpy(x->f.a.id, "aaaa");
	strcpy(x->f.b.id, "bbbb");
	x->f.a.pending = true;
	x->f.release_makes_ready = true;
	x->f.p = &x->p;
	o.lookup = fake_lookup;
	o.lookup_ctx = &x->f;
	o.tap = tap;
	o.tap_ctx = &x->f;
	o.release = fake_release;
	o.release_ctx = &x->f;
	o.out = &x->out;
	if (bh_pipeline_init(&x->p, &o))
		return -1;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	int fd = x->out.fd;

	bh_pipeline_fini(&x->p);
	bh_sink_free(&x->out);
	close(fd);
	free(x);
	return 0;
}

static void feed(struct fixture *x, __u64 cgroup_id, __u32 pid)
{
	struct bh_test_rec r;
	struct bh_hdr *h = bh_test_record(&r, BH_EV_SETNS, BH_TSTR(""), NULL, 0);

	h->cgroup_id = cgroup_id;
	h->pid = pid;
	bh_pipeline_record(&x->p, r.buf, r.size);
}

static void assert_seen(const struct fake *f, int i, __u32 pid, const struct bh_container *c)
{
	assert_int_equal(f->seen_pid[i], pid);
	assert_ptr_equal(f->seen_c[i], c);
}

/* Held in order while pending; the host and other containers flow on. */
static void test_held_until_ready(void **state)
{
	struct fixture *x = *state;
	struct fake *f = &x->f;

	feed(x, 1, 1);
	feed(x, 0, 2);
	feed(x, 1, 3);
	feed(x, 2, 4);
	feed(x, 1, 5);
	assert_int_equal(f->n_seen, 2);
	assert_seen(f, 0, 2, NULL);
	assert_seen(f, 1, 4, &f->b);
	assert_int_equal(x->p.counts.events[BH_EV_SETNS], 5); /* counted once, when read */

	f->a.pending = false;
	bh_pipeline_container_ready(&x->p, &f->a);
	assert_int_equal(f->n_seen, 5);
	assert_seen(f, 2, 1, &f->a);
	assert_seen(f, 3, 3, &f->a);
	assert_seen(f, 4, 5, &f->a);
	feed(x, 1, 6);
	assert_int_equal(f->n_seen, 6);
	assert_seen(f, 5, 6, &f->a);
	bh_pipeline_container_ready(&x->p, &f->a); /* nothing held: nothing happens */
	assert_int_equal(f->n_seen, 6);
	assert_int_equal(f->releases, 0);
	assert_int_equal(x->p.counts.events[BH_EV_SETNS], 6);
}

/* A full hold releases its container: what was held first, then the record that did not fit. */
static void test_full_hold_releases(void **state)
{
	struct fixture *x = *state;
	struct fake *f = &x->f;
	__u32 pid = 1;

	while (!f->releases && pid < MAX_SEEN)
		feed(x, 1, pid++);
	assert_int_equal(f->releases, 1);
	assert_false(f->a.pending);
	assert_int_equal(f->n_seen, (int)pid - 1);
	for (int i = 0; i < f->n_seen; i++)
		assert_seen(f, i, (__u32)i + 1, &f->a);
}

/* Held past the deadline, or at shutdown: released. */
static void test_deadline_and_shutdown(void **state)
{
	struct fixture *x = *state;
	struct fake *f = &x->f;
	int64_t now = bh_mono_ns();

	feed(x, 1, 1);
	bh_pipeline_release_held(&x->p, now, false);
	assert_int_equal(f->releases, 0);
	assert_int_equal(f->n_seen, 0);
	bh_pipeline_release_held(&x->p, now + 3000000000LL, false);
	assert_int_equal(f->releases, 1);
	assert_int_equal(f->n_seen, 1);
	assert_seen(f, 0, 1, &f->a);

	f->a.pending = true;
	feed(x, 1, 2);
	bh_pipeline_release_held(&x->p, 0, true);
	assert_int_equal(f->releases, 2);
	assert_int_equal(f->n_seen, 2);
	assert_seen(f, 1, 2, &f->a);
}

/* Gone while pending (or a release that did not flush): its records still go, before it stops. */
static void test_gone_flushes(void **state)
{
	struct fixture *x = *state;
	struct fake *f = &x->f;

	f->release_makes_ready = false;
	feed(x, 1, 1);
	feed(x, 1, 2);
	bh_pipeline_container_gone(&x->p, &f->a);
	assert_int_equal(f->n_seen, 2);
	assert_seen(f, 1, 2, &f->a);
	feed(x, 1, 3); /* pending still: held again, then released without a flush by the fake */
	bh_pipeline_release_held(&x->p, 0, true);
	assert_int_equal(f->releases, 1);
	assert_int_equal(f->n_seen, 3);
	feed(x, 1, 4); /* left held: bh_pipeline_fini frees it (ASan) */
	assert_int_equal(f->n_seen, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_held_until_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_hold_releases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_and_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_flushes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
