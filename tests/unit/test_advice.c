// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_advice.c - what advise derives and writes: capabilities, the seccomp profile, flags, merge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/capability.h>

#include "advise/advice.h"
#include "advise/syscalls.h"

static void call(struct bh_advice *a, const char *name)
{
	int nr = bh_syscall_nr(name);

	assert_true(nr >= 0);
	bh_advice_set_call(a, (unsigned int)nr);
}

static void test_syscall_table(void **state)
{
	(void)state;
	assert_int_equal(bh_syscall_nr("read"), 0);
	assert_string_equal(bh_syscall_name(59), "execve");
	assert_string_equal(bh_syscall_name(272), "unshare");
	assert_null(bh_syscall_name(400)); /* unused numbers have no name */
	assert_null(bh_syscall_name(100000));
	assert_int_equal(bh_syscall_nr("no_such_call"), -1);
}

static void test_caps_from_calls(void **state)
{
	struct bh_advice a = { .rootfs_written = -1 };
	const char *why[64];

	(void)state;
	call(&a, "read");
	call(&a, "openat");
	assert_int_equal(bh_caps_needed(&a, why), 0);
	assert_null(why[CAP_SYS_ADMIN]);

	call(&a, "setresuid");
	call(&a, "mount");
	call(&a, "fchownat");
	a.flags = BH_ADVISE_PACKET_SOCKET;
	a.low_bind_port = 80;
	assert_int_equal(bh_caps_needed(&a, why), 1ULL << CAP_SETUID | 1ULL << CAP_SYS_ADMIN |
							  1ULL << CAP_CHOWN | 1ULL << CAP_NET_RAW |
							  1ULL << CAP_NET_BIND_SERVICE);
	assert_int_equal(strncmp(why[CAP_SETUID], "setresuid ", 10), 0);
	assert_int_equal(strncmp(why[CAP_SYS_ADMIN], "mount ", 6), 0);
	assert_int_equal(strncmp(why[CAP_NET_RAW], "socket(AF_PACKET)", 17), 0);

	/* a capability is judged or listed as unjudged, never both */
	assert_int_equal(bh_caps_unjudged() & bh_caps_needed(&a, why), 0);
	assert_true(bh_caps_unjudged() & (1ULL << CAP_DAC_OVERRIDE));
	assert_false(bh_caps_unjudged() & (1ULL << CAP_NET_BIND_SERVICE));
}

/* The profile as json-c sees it, and its allowed names as one string "a b c ". */
static struct json_object *profile(const struct bh_advice *a, char *names, size_t len)
{
	struct json_object *root, *rules, *list;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	assert_int_equal(bh_advice_write_seccomp(a, f), 0);
	fclose(f);
	root = json_tokener_parse(buf);
	free(buf);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "syscalls", &rules));
	assert_int_equal(json_object_array_length(rules), 1);
	assert_true(json_object_object_get_ex(json_object_array_get_idx(rules, 0), "names", &list));
	names[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		size_t used = strlen(names);

		snprintf(names + used, len - used, "%s ",
			 json_object_get_string(json_object_array_get_idx(list, i)));
	}
	return root;
}

static void test_seccomp_profile(void **state)
{
	struct bh_advice a = { .rootfs_written = -1 };
	struct json_object *root, *v;
	char names[8192];

	(void)state;
	call(&a, "accept4");
	call(&a, "wait4");
	root = profile(&a, names, sizeof(names));
	assert_true(json_object_object_get_ex(root, "defaultAction", &v));
	assert_string_equal(json_object_get_string(v), "SCMP_ACT_ERRNO");
	assert_true(json_object_object_get_ex(root, "defaultErrnoRet", &v));
	assert_int_equal(json_object_get_int(v), 1); /* EPERM */
	/* the observed calls and runc's, sorted; nothing else */
	assert_non_null(strstr(names, " wait4 "));
	assert_non_null(strstr(names, " execve "));
	assert_non_null(strstr(names, " getdents64 "));
	assert_null(strstr(names, " unshare "));
	assert_null(strstr(names, " mount "));
	assert_int_equal(strncmp(names, "accept4 arch_prctl brk ", 23), 0);
	json_object_put(root);
}

static void test_merge(void **state)
{
	static const char text[] =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"accept4\", \"no_such_call\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"name\": \"wait4\", \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";
	char path[] = "/tmp/bh-test-merge-XXXXXX";
	struct bh_advice a = { 0 };
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(bh_advice_merge_file(&a, path), 0);
	assert_true(bh_advice_has_call(&a, (unsigned int)bh_syscall_nr("accept4")));
	assert_true(bh_advice_has_call(&a, (unsigned int)bh_syscall_nr("wait4")));
	assert_false(bh_advice_has_call(&a, (unsigned int)bh_syscall_nr("mount")));

	/* JSON that is no profile, and no JSON */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "[1]", 3), 3);
	close(fd);
	assert_int_equal(bh_advice_merge_file(&a, path), -EINVAL);
	unlink(path);
	assert_int_equal(bh_advice_merge_file(&a, path), -EINVAL);
}

/* dir/flags.txt as one string. */
static void read_flags(const char *dir, char *out, size_t len)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/flags.txt", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void test_flags(void **state)
{
	char dir[] = "/tmp/bh-test-advice-XXXXXX", flags[1024], path[300];
	struct bh_advice a = { .rootfs_written = 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a.target, sizeof(a.target), "web");
	call(&a, "chroot");
	assert_int_equal(bh_advice_write(&a, dir), 0);
	read_flags(dir, flags, sizeof(flags));
	assert_non_null(strstr(flags, "--cap-drop\nALL\n--cap-add\nSYS_CHROOT\n"));
	assert_non_null(strstr(flags, "\n--read-only\n"));
	assert_non_null(strstr(flags, "--security-opt\nno-new-privileges\n"));
	assert_non_null(strstr(flags, "/seccomp.json\n"));

	/* it wrote to its root, or nobody knows: no --read-only; a setuid exec: no nnp */
	a.rootfs_written = -1;
	a.setuid_exec = true;
	assert_int_equal(bh_advice_write(&a, dir), 0);
	read_flags(dir, flags, sizeof(flags));
	assert_null(strstr(flags, "--read-only"));
	assert_null(strstr(flags, "no-new-privileges"));

	for (size_t i = 0; i < 3; i++) {
		static const char *const files[] = { "seccomp.json", "flags.txt",
						     "securityContext.yaml" };

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(unlink(path), 0);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_table),	cmocka_unit_test(test_caps_from_calls),
		cmocka_unit_test(test_seccomp_profile), cmocka_unit_test(test_merge),
		cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
