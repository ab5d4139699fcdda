// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fuzz_storage.c - a containers/storage containers.json (bh_storage_parse_containers). */
#include "metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_metadata(bh_storage_parse_containers, false, data, size);
	return 0;
}
