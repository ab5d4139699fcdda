// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_compat.c - the compat syscall verdict from kernel facts. kernel-config-6.18-vm.txt is
 * recorded from the development VM; the other configurations are written by hand from
 * arch/x86/Kconfig (no such kernel was at hand): their lines are the ones the probe reads.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include <cmocka.h>
#include <zlib.h>

#include "collector/compat.h"
#include "fixture.h"

/* The development VM's command line, cut to what matters: no ia32_emulation= at all. */
#define VM_CMDLINE "console=ttyS0 quiet reboot=k panic=1 nomodule -- --firecracker-init"

static struct bh_compat_verdict judge(const char *config_name, const char *cmdline,
				      enum bh_gate ia32, enum bh_gate x32)
{
	struct bh_compat_verdict v;
	size_t len;
	char *config = config_name ? bh_test_fixture(config_name, &len) : NULL;
	struct bh_compat_facts f = {
		.machine = "x86_64", .config = config, .cmdline = cmdline, .ia32 = ia32, .x32 = x32
	};

	bh_compat_judge(&f, &v);
	free(config);
	return v;
}

/* As measured on the VM: int $0x80 works, x32 is not built in. */
static void test_vm_as_measured(void **state)
{
	struct bh_compat_verdict v =
		judge("kernel-config-6.18-vm.txt", VM_CMDLINE, BH_GATE_OPEN, BH_GATE_CLOSED);

	(void)state;
	assert_true(v.possible);
	assert_true(v.watchable);
	assert_string_equal(v.why,
			    "ia32: int $0x80 runs syscalls; x32: x32 syscalls return ENOSYS");
}

/* A tried gate outranks the configuration: emulation built in, and the gate faults anyway. */
static void test_gate_outranks_config(void **state)
{
	struct bh_compat_verdict v =
		judge("kernel-config-6.18-vm.txt", VM_CMDLINE, BH_GATE_CLOSED, BH_GATE_CLOSED);

	(void)state;
	assert_false(v.possible);
	assert_non_null(strstr(v.why, "ia32: int $0x80 faults"));
	v = judge("kernel-config-no-compat.txt", "", BH_GATE_OPEN, BH_GATE_UNTRIED);
	assert_true(v.possible);
}

/* Untried gates (a seccomp filter, no fork): the configuration and boot parameters decide. */
static void test_config_when_untried(void **state)
{
	struct bh_compat_verdict v;

	(void)state;
	v = judge("kernel-config-6.18-vm.txt", VM_CMDLINE, BH_GATE_UNTRIED, BH_GATE_UNTRIED);
	assert_true(v.possible);
	assert_string_equal(v.why, "ia32: CONFIG_IA32_EMULATION is on; x32: the kernel is built "
				   "without CONFIG_X86_X32_ABI");
	v = judge("kernel-config-no-compat.txt", VM_CMDLINE, BH_GATE_UNTRIED, BH_GATE_UNTRIED);
	assert_false(v.possible);
	assert_string_equal(v.why, "ia32: the kernel is built without CONFIG_IA32_EMULATION; x32: "
				   "the kernel is built without CONFIG_X86_X32_ABI");
	v = judge("kernel-config-x32.txt", "", BH_GATE_CLOSED, BH_GATE_UNTRIED);
	assert_true(v.possible);
	assert_non_null(strstr(v.why, "x32: CONFIG_X86_X32_ABI is on"));
}

/* ia32_emulation= (Linux 6.7): read as kstrtobool() does, the last one wins, init's are not. */
static void test_boot_parameter(void **state)
{
	static const char *const off = "kernel-config-ia32-default-off.txt";
	static const char *const on = "kernel-config-6.18-vm.txt";
	static const struct {
		const char *config, *cmdline;
		bool possible;
	} cases[] = {
		{ off, VM_CMDLINE, false },
		{ off, "quiet ia32_emulation=on", true },
		{ off, "ia32_emulation=1 quiet", true },
		{ off, "ia32_emulation=Y", true },
		{ off, "ia32_emulation=true", true },
		{ off, "ia32_emulation=1 ia32_emulation=0", false },
		{ off, "quiet -- ia32_emulation=1", false }, /* an argument of init */
		{ off, "xia32_emulation=1", false },	     /* another parameter */
		{ off, "ia32_emulation=", false },	     /* refused: the default stays */
		{ on, "ia32_emulation=off", false },
		{ on, "ia32_emulation=n", false },
		{ on, "ia32_emulation=0 ia32_emulation=on", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bh_compat_verdict v =
			judge(cases[i].config, cases[i].cmdline, BH_GATE_UNTRIED, BH_GATE_CLOSED);

		if (v.possible != cases[i].possible)
			fail_msg("%s with \"%s\": possible %d, want %d (%s)", cases[i].config,
				 cases[i].cmdline, v.possible, cases[i].possible, v.why);
	}
}

/* Nothing known: assumed possible, so that the program is loaded rather than calls missed. */
static void test_unknown_is_possible(void **state)
{
	struct bh_compat_verdict v = judge(NULL, NULL, BH_GATE_UNTRIED, BH_GATE_UNTRIED);

	(void)state;
	assert_true(v.possible);
	assert_true(v.watchable);
	assert_non_null(strstr(v.why, "unreadable: assumed possible"));
}

/* Another architecture: compat tasks may exist (aarch32), and nothing here watches them. */
static void test_other_machine(void **state)
{
	struct bh_compat_facts f = { .machine = "aarch64" };
	struct bh_compat_verdict v;

	(void)state;
	bh_compat_judge(&f, &v);
	assert_true(v.possible);
	assert_false(v.watchable);
	assert_non_null(strstr(v.why, "aarch64"));
}

/* /proc/config.gz is gzip'd, /boot/config-* is not: one reader for both, same text. */
static void test_read_config(void **state)
{
	char path[] = "/tmp/bh-test-config.XXXXXX";
	size_t len;
	char *want = bh_test_fixture("kernel-config-x32.txt", &len), *got;
	int fd = mkstemp(path);
	gzFile gz;

	(void)state;
	assert_true(fd >= 0);
	gz = gzdopen(fd, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, want, (unsigned int)len), len);
	assert_int_equal(gzclose(gz), Z_OK);
	got = bh_compat_read_config(path);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	unlink(path);

	got = bh_compat_read_config(TEST_DATA_DIR "/kernel-config-x32.txt");
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_null(bh_compat_read_config("/nonexistent/config"));
}

/* This machine's facts: whatever they are, they are read and judged without error. */
static void test_facts_of_this_machine(void **state)
{
	struct bh_compat_facts f;
	struct bh_compat_verdict v;
	struct utsname u;

	(void)state;
	assert_int_equal(uname(&u), 0);
	assert_int_equal(bh_compat_facts_read(&f), 0);
	assert_string_equal(f.machine, u.machine);
	/* the gate answers for itself, whatever signal handlers this process has (cmocka's) */
	if (!strcmp(u.machine, "x86_64"))
		assert_int_not_equal(f.ia32, BH_GATE_UNTRIED);
	bh_compat_judge(&f, &v);
	assert_int_equal(v.watchable, !strcmp(u.machine, "x86_64"));
	bh_compat_facts_free(&f);
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(bh_compat_state_name(BH_COMPAT_IMPOSSIBLE), "impossible");
	assert_string_equal(bh_compat_state_name(BH_COMPAT_WATCHED), "watched");
	assert_string_equal(bh_compat_state_name(BH_COMPAT_UNWATCHED), "unwatched");
	assert_string_equal(bh_compat_state_name(BH_COMPAT_STATES), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_as_measured),
		cmocka_unit_test(test_gate_outranks_config),
		cmocka_unit_test(test_config_when_untried),
		cmocka_unit_test(test_boot_parameter),
		cmocka_unit_test(test_unknown_is_possible),
		cmocka_unit_test(test_other_machine),
		cmocka_unit_test(test_read_config),
		cmocka_unit_test(test_facts_of_this_machine),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests_name("compat", tests, NULL, NULL);
}
