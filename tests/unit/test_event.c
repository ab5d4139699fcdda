// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_event.c - record decoding accepts every well-formed type and rejects the rest. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/event.h"
#include "helpers.h"

static void assert_str(struct bh_str s, const char *expect, size_t len)
{
	assert_int_equal(s.len, len);
	if (len)
		assert_memory_equal(s.ptr, expect, len);
}

static void test_exec_decodes(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("/bin/sh"), BH_TSTR("sh\0-c\0id\0") };
	struct bh_test_rec r;
	struct bh_event ev;

	(void)state;
	bh_test_record(&r, BH_EV_EXEC, BH_TSTR("/usr/bin/dash"), tail, 2);
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);
	assert_ptr_equal(ev.hdr, r.buf);
	assert_str(ev.exe, "/usr/bin/dash", 13);
	assert_str(ev.str[0], "/bin/sh", 7);
	assert_str(ev.str[1], "sh\0-c\0id\0", 9);
	assert_int_equal(ev.str[2].len, 0);
	/* The typed view sees the lengths the record carries. */
	assert_int_equal(BH_EVENT_AS(&ev, bh_exec)->args_len, 9);
}

static void test_mount_decodes(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("/var/run/docker.sock"), BH_TSTR("/mnt/s"),
				       BH_TSTR("none") };
	struct bh_test_rec r;
	struct bh_event ev;

	(void)state;
	bh_test_record(&r, BH_EV_MOUNT, BH_TSTR("/bin/mount"), tail, 3);
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);
	assert_str(ev.exe, "/bin/mount", 10);
	assert_str(ev.str[0], "/var/run/docker.sock", 20);
	assert_str(ev.str[1], "/mnt/s", 6);
	assert_str(ev.str[2], "none", 4);
}

static void test_connect_decodes(void **state)
{
	/* An abstract unix name: starts with '@' and may hold NULs. */
	const struct bh_str tail[] = { BH_TSTR("@ab\0c"), BH_TSTR("") };
	struct bh_test_rec r;
	struct bh_event ev;

	(void)state;
	bh_test_record(&r, BH_EV_CONNECT, BH_TSTR(""), tail, 2);
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);
	assert_int_equal(ev.exe.len, 0);
	assert_str(ev.str[0], "@ab\0c", 5);
	assert_int_equal(ev.str[1].len, 0);
}

/* Types without tail strings: the fixed struct plus exe. */
static void test_fixed_types_decode(void **state)
{
	static const unsigned int types[] = { BH_EV_SETNS, BH_EV_CAPSET, BH_EV_BIND, BH_EV_LISTEN };
	struct bh_test_rec r;
	struct bh_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		bh_test_record(&r, types[i], BH_TSTR("/usr/bin/nsenter"), NULL, 0);
		assert_int_equal(r.size, bh_event_fixed_size(types[i]) + 16);
		assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);
		assert_str(ev.exe, "/usr/bin/nsenter", 16);
		for (int s = 0; s < BH_EVENT_STRS; s++)
			assert_int_equal(ev.str[s].len, 0);
	}
}

/* The ring buffer hands out 8-byte padded sizes: bytes past hdr.size are not the record's. */
static void test_padding_after_record(void **state)
{
	struct bh_test_rec r;
	struct bh_event ev;

	(void)state;
	bh_test_record(&r, BH_EV_CAPSET, BH_TSTR("/x"), NULL, 0);
	assert_int_equal(bh_event_decode(r.buf, r.size + 6, &ev), 0);
	assert_int_equal(ev.hdr->size, r.size);
}

static void test_short_and_oversized(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("/bin/sh"), BH_TSTR("sh\0") };
	struct bh_test_rec r;
	struct bh_hdr *h;
	struct bh_event ev;

	(void)state;
	h = bh_test_record(&r, BH_EV_EXEC, BH_TSTR("/bin/sh"), tail, 2);
	assert_int_equal(bh_event_decode(NULL, r.size, &ev), -EINVAL);
	assert_int_equal(bh_event_decode(r.buf, 0, &ev), -EINVAL);
	/* Shorter than a header, and shorter than the record says it is. */
	assert_int_equal(bh_event_decode(r.buf, sizeof(struct bh_hdr) - 1, &ev), -EINVAL);
	assert_int_equal(bh_event_decode(r.buf, r.size - 1, &ev), -EINVAL);
	assert_null(ev.hdr); /* nothing half-filled on failure */
	/* Larger than any record may be. */
	assert_int_equal(bh_event_decode(r.buf, BH_RECORD_MAX + 1, &ev), -EINVAL);
	/* hdr.size below the fixed struct of its type. */
	h->size = (__u32)sizeof(struct bh_exec) - 8;
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), -EINVAL);
}

static void test_inconsistent_lengths(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("src"), BH_TSTR("dst"), BH_TSTR("ext4") };
	struct bh_test_rec r;
	struct bh_mount *m;
	struct bh_event ev;

	(void)state;
	m = (struct bh_mount *)bh_test_record(&r, BH_EV_MOUNT, BH_TSTR("/bin/mount"), tail, 3);
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);

	/* A tail string running past hdr.size. */
	m->fstype_len++;
	assert_int_equal(bh_event_decode(r.buf, BH_RECORD_MAX, &ev), -EINVAL);
	m->fstype_len--;
	m->source_len = 0xffff;
	assert_int_equal(bh_event_decode(r.buf, BH_RECORD_MAX, &ev), -EINVAL);
	m->source_len = 3;

	/* An exe longer than its bound, even when the record could hold it. */
	m->hdr.exe_len = BH_EXE_MAX + 1;
	m->hdr.size = (__u32)(sizeof(*m) + BH_EXE_MAX + 1 + 10);
	assert_int_equal(bh_event_decode(r.buf, BH_RECORD_MAX, &ev), -EINVAL);
	m->hdr.exe_len = 10;
	m->hdr.size = (__u32)r.size;
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);

	/* hdr.size past the bytes handed over. */
	m->hdr.size = (__u32)r.size + 8;
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), -EINVAL);
}

static void test_unknown_type(void **state)
{
	static const unsigned int types[] = { 0, BH_EV_TYPE_MAX, 0xffffffff };
	struct bh_test_rec r;
	struct bh_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		bh_test_record(&r, types[i], BH_TSTR(""), NULL, 0);
		assert_int_equal(bh_event_decode(r.buf, r.size, &ev), -ENOTSUP);
		assert_string_equal(bh_event_type_name(types[i]), "unknown");
		assert_int_equal(bh_event_fixed_size(types[i]), 0);
	}
}

static void test_names_and_sizes(void **state)
{
	(void)state;
	assert_string_equal(bh_event_type_name(BH_EV_EXEC), "exec");
	assert_string_equal(bh_event_type_name(BH_EV_SETNS), "setns");
	assert_string_equal(bh_event_type_name(BH_EV_MOUNT), "mount");
	assert_string_equal(bh_event_type_name(BH_EV_CAPSET), "capset");
	assert_string_equal(bh_event_type_name(BH_EV_CONNECT), "connect");
	assert_string_equal(bh_event_type_name(BH_EV_BIND), "bind");
	assert_string_equal(bh_event_type_name(BH_EV_LISTEN), "listen");
	assert_int_equal(bh_event_fixed_size(BH_EV_EXEC), sizeof(struct bh_exec));
	assert_int_equal(bh_event_fixed_size(BH_EV_SETNS), sizeof(struct bh_setns));
	assert_int_equal(bh_event_fixed_size(BH_EV_MOUNT), sizeof(struct bh_mount));
	assert_int_equal(bh_event_fixed_size(BH_EV_CAPSET), sizeof(struct bh_capset));
	assert_int_equal(bh_event_fixed_size(BH_EV_CONNECT), sizeof(struct bh_connect));
	assert_int_equal(bh_event_fixed_size(BH_EV_BIND), sizeof(struct bh_sock));
	assert_int_equal(bh_event_fixed_size(BH_EV_LISTEN), sizeof(struct bh_sock));
}

/* Every read site has its own "<family>.<field>" name: a /metrics label names one read. */
static void test_read_site_names(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < BH_READ_SITES; i++) {
		const char *name = bh_read_site_name(i);

		assert_string_not_equal(name, "unknown");
		for (unsigned int j = 0; j < i; j++)
			assert_string_not_equal(name, bh_read_site_name(j));
	}
	assert_string_equal(bh_read_site_name(BH_READ_EXEC_ARGS), "exec.args");
	assert_string_equal(bh_read_site_name(BH_READ_CONNECT_SOCKADDR), "connect.sockaddr");
	assert_string_equal(bh_read_site_name(BH_READ_SITES), "unknown");
}

static void test_parse_mask(void **state)
{
	unsigned int mask;

	(void)state;
	assert_int_equal(bh_event_parse_mask("all", &mask), 0);
	assert_int_equal(mask, BH_EVENT_MASK_ALL);
	assert_int_equal(bh_event_parse_mask("none", &mask), 0);
	assert_int_equal(mask, 0);
	assert_int_equal(bh_event_parse_mask("exec,connect", &mask), 0);
	assert_int_equal(mask, (1u << BH_EV_EXEC) | (1u << BH_EV_CONNECT));
	assert_int_equal(bh_event_parse_mask("exec,bogus", &mask), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_decodes),
		cmocka_unit_test(test_mount_decodes),
		cmocka_unit_test(test_connect_decodes),
		cmocka_unit_test(test_fixed_types_decode),
		cmocka_unit_test(test_padding_after_record),
		cmocka_unit_test(test_short_and_oversized),
		cmocka_unit_test(test_inconsistent_lengths),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_names_and_sizes),
		cmocka_unit_test(test_read_site_names),
		cmocka_unit_test(test_parse_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
