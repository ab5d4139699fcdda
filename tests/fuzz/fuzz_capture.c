// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_capture.c - capture files (user/capture/capture.h) from any bytes, replayed as
 * `bulkhead replay` does (user/collector/replay.h): header, zstd frames, records, bindings
 * and container JSON. The replay must end with 0 or 1 and every line it prints be one
 * bounded JSON object; an odd-sized input is printed in the ECS format, so that converter
 * is fed too.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "core/log.h"
#include "collector/replay.h"

/* A record's strings at 6 bytes a byte, a container's at 18 (metadata.h), and the rest. */
#define LINE_MAX_BYTES (size_t)(6 * BH_RECORD_MAX + 18 * 65536 + 32768)

static int in_fd = -1, out_fd = -1;
static char in_path[64];

static void check_lines(void)
{
	off_t end = lseek(out_fd, 0, SEEK_END);
	char *buf, *line, *nl;

	FUZZ_CHECK(end >= 0);
	if (!end)
		return;
	buf = malloc((size_t)end);
	FUZZ_CHECK(buf != NULL);
	FUZZ_CHECK(pread(out_fd, buf, (size_t)end, 0) == end);
	for (line = buf; line < buf + end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + end - line));
		FUZZ_CHECK(nl != NULL); /* the last line is whole too */
		json_object_put(fuzz_check_line(line, (size_t)(nl - line + 1), LINE_MAX_BYTES));
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_replay_opts o = {
		.event_mask = BH_EVENT_MASK_ALL,
		.findings = true,
		.lifecycle = true,
		.stats = true,
		.format = size & 1 ? BH_FORMAT_ECS : BH_FORMAT_JSON,
	};
	int rc;

	if (in_fd < 0) {
		/* Errors are logged for each bad input: above the highest level, nothing is
		 * printed. */
		bh_log_setup((enum bh_log_level)(BH_LOG_ERROR + 1), false);
		in_fd = memfd_create("fuzz-capture-in", MFD_CLOEXEC);
		out_fd = memfd_create("fuzz-capture-out", MFD_CLOEXEC);
		FUZZ_CHECK(in_fd >= 0 && out_fd >= 0);
		snprintf(in_path, sizeof(in_path), "/proc/self/fd/%d", in_fd);
	}
	FUZZ_CHECK(ftruncate(in_fd, 0) == 0 && ftruncate(out_fd, 0) == 0);
	FUZZ_CHECK(lseek(out_fd, 0, SEEK_SET) == 0);
	FUZZ_CHECK(size == 0 || pwrite(in_fd, data, size, 0) == (ssize_t)size);
	o.path = in_path;
	o.out_fd = out_fd;
	rc = bh_replay_run(&o);
	FUZZ_CHECK(rc == 0 || rc == 1);
	check_lines();
	return 0;
}
