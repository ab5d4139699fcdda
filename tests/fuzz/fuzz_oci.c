// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fuzz_oci.c - OCI bundle config.json (bh_oci_parse_config) from any bytes. */
#include "metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_metadata(bh_oci_parse_config, true, data, size);
	return 0;
}
