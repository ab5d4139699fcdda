// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* main.c - the bulkhead command line: run (default), rules, policy check. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "event.h"
#include "log.h"
#include "policy.h"
#include "rules.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"Usage: bulkhead [run] [OPTIONS]\n"
	"       bulkhead rules [--json]\n"
	"       bulkhead policy check FILE\n"
	"\n"
	"Watches every container on this node with eBPF and writes one JSON object per\n"
	"line on stdout: hardening findings, raw events and periodic stats. Logs go to\n"
	"stderr. Needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN).\n"
	"\n"
	"Commands:\n"
	"  run                   start the monitor (the default)\n"
	"  rules                 list the rules: id, severity, what triggers it, the fix\n"
	"  policy check FILE     validate a policy file (exit 0 when valid, 2 when not)\n"
	"\n"
	"Options of run:\n"
	"  -e, --events LIST     raw events to print: all, none, or a comma list of\n"
	"                        exec,setns,mount,capset,connect,bind,listen (default: all)\n"
	"      --no-findings     do not judge events (no rules, no findings)\n"
	"  -p, --policy FILE     policy file (default: /etc/bulkhead/policy.yaml if present)\n"
	"      --stats-interval SEC\n"
	"                        print a stats line every SEC seconds (default 10, 0: off)\n"
	"      --host-root DIR   where the host's / is mounted (in a container: /host)\n"
	"      --docker-socket PATH\n"
	"                        Docker Engine API socket (default /var/run/docker.sock)\n"
	"      --no-docker-api   read container metadata from OCI bundles only\n"
	"      --ringbuf-size BYTES\n"
	"                        BPF ring buffer size, a power of two (default 8388608)\n"
	"  -v, --verbose         debug logging (libbpf's messages included)\n"
	"      --log-json        logs on stderr as JSON lines\n"
	"  -h, --help            this help\n"
	"  -V, --version         print the version\n";

static void __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bulkhead: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'bulkhead --help'.\n");
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

enum {
	OPT_STATS = 256,
	OPT_HOST_ROOT,
	OPT_DOCKER_SOCKET,
	OPT_NO_DOCKER_API,
	OPT_RINGBUF,
	OPT_LOG_JSON,
	OPT_NO_FINDINGS,
	OPT_JSON,
};

static const struct option run_options[] = {
	{ "events", required_argument, NULL, 'e' },
	{ "policy", required_argument, NULL, 'p' },
	{ "stats-interval", required_argument, NULL, OPT_STATS },
	{ "host-root", required_argument, NULL, OPT_HOST_ROOT },
	{ "docker-socket", required_argument, NULL, OPT_DOCKER_SOCKET },
	{ "no-docker-api", no_argument, NULL, OPT_NO_DOCKER_API },
	{ "no-findings", no_argument, NULL, OPT_NO_FINDINGS },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
	{ "verbose", no_argument, NULL, 'v' },
	{ "log-json", no_argument, NULL, OPT_LOG_JSON },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

static int cmd_policy(int argc, char **argv)
{
	struct bh_policy *p = NULL;

	if (argc != 3 || strcmp(argv[1], "check")) {
		usage_error("%s", "usage: bulkhead policy check FILE");
		return EXIT_USAGE;
	}
	if (bh_policy_load(argv[2], &p))
		return EXIT_USAGE; /* the loader printed FILE:LINE:COLUMN and the cause */
	bh_policy_free(p);
	printf("%s: valid\n", argv[2]);
	return 0;
}

int main(int argc, char **argv)
{
	struct bh_agent_opts opts = {
		.event_mask = BH_EVENT_MASK_ALL,
		.findings = true,
		.stats_interval_s = 10,
	};
	const char *command = "run";
	bool verbose = false, log_json = false, json = false;
	unsigned long long v;
	int c;

	/* A command comes first when given: `bulkhead rules`, `bulkhead run -v`. */
	if (argc > 1 && argv[1][0] != '-') {
		command = argv[1];
		argv++;
		argc--;
	}
	if (!strcmp(command, "policy"))
		return cmd_policy(argc, argv);

	while ((c = getopt_long(argc, argv, "e:p:vhV", run_options, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (bh_event_parse_mask(optarg, &opts.event_mask))
				return EXIT_USAGE;
			break;
		case 'p':
			opts.policy_path = optarg;
			opts.policy_path_explicit = true;
			break;
		case OPT_STATS:
			if (parse_uint(optarg, 86400, &v)) {
				usage_error("--stats-interval: '%s' is not a number of seconds "
					    "(0 to 86400)",
					    optarg);
				return EXIT_USAGE;
			}
			opts.stats_interval_s = (int)v;
			break;
		case OPT_HOST_ROOT:
			opts.host_root = optarg;
			break;
		case OPT_DOCKER_SOCKET:
			opts.docker_socket = optarg;
			break;
		case OPT_NO_DOCKER_API:
			opts.no_docker_api = true;
			break;
		case OPT_NO_FINDINGS:
			opts.findings = false;
			break;
		case OPT_RINGBUF:
			if (parse_uint(optarg, 1ull << 30, &v) || v < 4096 || (v & (v - 1))) {
				usage_error("--ringbuf-size: '%s' is not a power of two between "
					    "4096 and 1073741824",
					    optarg);
				return EXIT_USAGE;
			}
			opts.ringbuf_bytes = (size_t)v;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_LOG_JSON:
			log_json = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("bulkhead %s (event ABI %d)\n", BULKHEAD_VERSION, BH_ABI_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'bulkhead --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}

	bh_log_setup(verbose ? BH_LOG_DEBUG : BH_LOG_INFO, log_json);
	bh_log_bridge_libbpf();

	if (!strcmp(command, "rules")) {
		bh_rules_list(stdout, json);
		return 0;
	}
	if (strcmp(command, "run")) {
		usage_error("unknown command '%s' (run, rules, policy)", command);
		return EXIT_USAGE;
	}
	return bh_agent_run(&opts);
}
