// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * audit_host_dump.c - runs the audit's host and daemon checks on this machine and prints
 * each verdict as one JSON line, for audit-host.bats to hold against what the daemons say.
 * Usage: audit_host_dump [HOST_ROOT [DOCKER_SOCKET]]
 */
#include <stdio.h>

#include <json-c/json.h>

#include "audit/host.h"

static void print(const struct bh_check_result *r, void *ctx)
{
	struct json_object *o = json_object_new_object();

	(void)ctx;
	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "verdict", json_object_new_string(bh_verdict_name(r->verdict)));
	json_object_object_add(o, "severity",
			       json_object_new_string(bh_severity_name(r->severity)));
	json_object_object_add(o, "cis", json_object_new_string(r->cis));
	json_object_object_add(o, "attack", r->attack ? json_object_new_string(r->attack) : NULL);
	json_object_object_add(o, "evidence", json_object_new_string(r->evidence));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

int main(int argc, char **argv)
{
	struct bh_audit_host_opts o = {
		.host_root = argc > 1 ? argv[1] : "",
		.docker_socket = argc > 2 ? argv[2] : NULL,
	};

	bh_audit_host(&o, print, NULL);
	return 0;
}
