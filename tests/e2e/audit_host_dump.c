// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * audit_host_dump.c - runs the audit's host and daemon checks on this machine and prints
 * each verdict as one JSON line, for audit-host.bats to hold against what the daemons say.
 * Usage: audit_host_dump [HOST_ROOT [DOCKER_SOCKET [PODMAN_SOCKET]]] ("" for the default)
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

/* argv[i], or NULL when absent or "". */
static const char *arg(int argc, char **argv, int i)
{
	return i < argc && argv[i][0] ? argv[i] : NULL;
}

int main(int argc, char **argv)
{
	struct bh_audit_host_opts o = {
		.host_root = arg(argc, argv, 1),
		.docker_socket = arg(argc, argv, 2),
		.podman_socket = arg(argc, argv, 3),
	};

	bh_audit_host(&o, print, NULL);
	return 0;
}
