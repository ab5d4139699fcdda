// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fuzz_docker.c - docker GET /containers/<id>/json bodies (bh_docker_parse_inspect). */
#include "metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_metadata(bh_docker_parse_inspect, true, data, size);
	return 0;
}
