// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* main.c - the bulkhead command line: run, record, replay, top, rules, policy check, advise. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advise/advise.h"
#include "audit/audit.h"
#include "collector/agent.h"
#include "collector/doctor.h"
#include "core/event.h"
#include "collector/http.h"
#include "collector/policy_diff.h"
#include "core/log.h"
#include "export/export.h"
#include "rules/policy.h"
#include "collector/replay.h"
#include "rules/rules.h"
#include "output/stream.h"
#include "top/tui.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"Usage: bulkhead [run] [OPTIONS]\n"
	"       bulkhead record -o FILE [OPTIONS]\n"
	"       bulkhead replay FILE [OPTIONS]\n"
	"       bulkhead top [--socket PATH] [--no-color]\n"
	"       bulkhead rules [--json]\n"
	"       bulkhead policy check FILE [--against CAPTURE [--policy CURRENT]]\n"
	"       bulkhead audit [--all] [--container NAME|ID] [--format FORMAT] [--fail-on SEV]\n"
	"       bulkhead doctor [--json] [--btf PATH] [AGENT OPTIONS]\n"
	"       bulkhead advise --container NAME|ID | --image IMAGE [--duration SEC] [-o DIR]\n"
	"                       [--merge FILE]\n"
	"\n"
	"Watches every container on this node with eBPF and writes one JSON object per\n"
	"line on stdout: hardening findings, container lifecycle, periodic stats and, on\n"
	"request, raw events. Logs go to stderr. Needs root (CAP_BPF, CAP_PERFMON,\n"
	"CAP_SYS_ADMIN), except replay, rules and policy check.\n"
	"\n"
	"Commands:\n"
	"  run                   start the monitor (the default)\n"
	"  record -o FILE        the same, and write every raw event and the container\n"
	"                        metadata to FILE (zstd frames) for a later replay\n"
	"  replay FILE           run a recorded FILE through the rules offline (no root)\n"
	"  top                   full-screen live view (attaches to a running agent)\n"
	"  rules                 list the rules: id, severity, what triggers it, the fix\n"
	"  policy check FILE     validate a policy file (exit 0 when valid, 2 when not);\n"
	"                        expired allow entries are named\n"
	"  audit                 one-shot report of the host, its runtime daemons and every\n"
	"                        container: PASS / FAIL / N/A per check, with CIS Docker\n"
	"                        Benchmark and ATT&CK ids (root; no BPF)\n"
	"  doctor                check what the agent needs here, one line and fix per gap\n"
	"                        (exit 0 when the agent can run, 1 when not)\n"
	"  advise                watch one container (or all of an image) and write the\n"
	"                        least privilege it needs: seccomp.json (Docker's format),\n"
	"                        flags.txt (docker run flags), securityContext.yaml; a\n"
	"                        summary on stdout (root)\n"
	"\n"
	"A command takes only its own options; another's is a usage error (exit 2).\n"
	"\n"
	"Options of run, record and replay:\n"
	"  -e, --events LIST     raw events to print besides findings: none (default), all,\n"
	"                        or a comma list of exec,setns,mount,capset,connect,bind,listen\n"
	"      --no-findings     do not judge events (no rules, no findings)\n"
	"  -p, --policy FILE     policy file (default: /etc/bulkhead/policy.yaml if present);\n"
	"                        a change of the file or SIGHUP reloads it (run, record)\n"
	"      --format FORMAT   json (schema v1, default) or ecs (Elastic Common Schema)\n"
	"      --export URI      also deliver lines to URI (repeatable, up to 8), each with its\n"
	"                        own queue and retries: syslog://HOST:PORT (udp),\n"
	"                        syslog+tcp://HOST:PORT, syslog+unix:///dev/log,\n"
	"                        http(s)://HOST[:PORT]/PATH, file:///PATH; parameters after\n"
	"                        '?' joined by '&': format=, min_severity=, types=, queue=,\n"
	"                        ... (README: Export); secrets only from token_file=,\n"
	"                        token_env=, password_file=, password_env=\n"
	"  -v, --verbose         debug logging (libbpf's messages included)\n"
	"      --log-json        logs on stderr as JSON lines\n"
	"\n"
	"Options of run and record:\n"
	"      --stats-interval SEC\n"
	"                        print a stats line every SEC seconds (default 10, 0: off)\n"
	"      --http ADDR:PORT  serve /healthz, /metrics and /findings (default\n"
	"                        " BH_HTTP_DEFAULT_ADDR ")\n"
	"      --no-http         no health, metrics and findings server\n"
	"      --socket PATH     local event socket for `bulkhead top` (default\n"
	"                        " BH_STREAM_DEFAULT_PATH ", root only)\n"
	"      --no-socket       no local event socket\n"
	"      --host-root DIR   where the host's / is mounted (in a container: /host)\n"
	"      --docker-socket PATH\n"
	"                        Docker Engine API socket (default /var/run/docker.sock)\n"
	"      --podman-socket PATH\n"
	"                        podman's API socket, when `podman system service` runs\n"
	"                        (default /run/podman/podman.sock)\n"
	"      --no-docker-api   read container metadata from OCI bundles and stores only\n"
	"                        (neither docker's nor podman's API)\n"
	"      --ringbuf-size BYTES\n"
	"                        BPF ring buffer size, a power of two (default 8388608)\n"
	"\n"
	"Option of record:\n"
	"  -o, --output FILE     the capture file to write\n"
	"\n"
	"Options of top:\n"
	"      --socket PATH     the agent's event socket to attach to (default\n"
	"                        " BH_STREAM_DEFAULT_PATH ")\n"
	"      --no-color        no colours (NO_COLOR set and not empty does the same)\n"
	"\n"
	"Options of policy check:\n"
	"      --against CAPTURE replay CAPTURE under FILE and under the policy in force, and\n"
	"                        print the findings FILE adds, removes or accepts\n"
	"  -p, --policy FILE     the policy in force (default: /etc/bulkhead/policy.yaml if\n"
	"                        present, else the built-in one)\n"
	"\n"
	"Options of audit:\n"
	"      --all             stopped containers too (those the runtime APIs list)\n"
	"      --container NAME|ID\n"
	"                        only this container (a name or an id prefix), no host section\n"
	"      --format FORMAT   table (the default on a terminal), json (the default\n"
	"                        otherwise), junit or sarif\n"
	"      --fail-on SEVERITY\n"
	"                        exit 1 when a check fails at low, medium, high or critical\n"
	"                        or above (default: exit 0 whatever fails)\n"
	"  -p, --policy FILE, --host-root DIR, --docker-socket PATH, --podman-socket PATH,\n"
	"      --no-color        as for run (the policy's advisory rules are all judged unless\n"
	"                        it turns them off; its allow list does not apply)\n"
	"\n"
	"Options of advise:\n"
	"      --container NAME|ID\n"
	"                        the container to advise; it may be started (or restarted)\n"
	"                        while advising, which sees its start-up too\n"
	"      --image IMAGE     or every container of this image (as docker run named it)\n"
	"      --duration SEC    stop after SEC seconds (default: at Ctrl-C or SIGTERM)\n"
	"  -o, --output DIR      where the files go (default: the current directory)\n"
	"      --merge FILE      also allow the calls of this seccomp profile (an earlier run)\n"
	"      --docker-socket PATH\n"
	"                        Docker Engine API socket (default /var/run/docker.sock)\n"
	"\n"
	"Option of rules:\n"
	"      --json            one JSON object per line and rule\n"
	"\n"
	"Options of doctor (and --http, --no-http, --socket, --no-socket, --host-root,\n"
	"--docker-socket, --podman-socket, --no-docker-api as the agent will get them):\n"
	"      --json            the report as one JSON document\n"
	"      --btf PATH        the kernel's BTF file (default /sys/kernel/btf/vmlinux)\n"
	"\n"
	"Options of every command:\n"
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
	OPT_PODMAN_SOCKET,
	OPT_NO_DOCKER_API,
	OPT_RINGBUF,
	OPT_LOG_JSON,
	OPT_NO_FINDINGS,
	OPT_JSON,
	OPT_FORMAT,
	OPT_HTTP,
	OPT_NO_HTTP,
	OPT_SOCKET,
	OPT_NO_SOCKET,
	OPT_NO_COLOR,
	OPT_ALL,
	OPT_CONTAINER,
	OPT_FAIL_ON,
	OPT_AGAINST,
	OPT_BTF,
	OPT_EXPORT,
	OPT_IMAGE,
	OPT_DURATION,
	OPT_MERGE,
};

/* The commands, one bit each, so that an option can name every command that takes it. */
enum {
	CMD_RUN = 1 << 0,
	CMD_RECORD = 1 << 1,
	CMD_REPLAY = 1 << 2,
	CMD_TOP = 1 << 3,
	CMD_RULES = 1 << 4,
	CMD_POLICY = 1 << 5,
	CMD_AUDIT = 1 << 6,
	CMD_DOCTOR = 1 << 7,
	CMD_ADVISE = 1 << 8,
	CMD_AGENT = CMD_RUN | CMD_RECORD,
	/* the agent's options that doctor checks as the agent will use them */
	CMD_AGENT_CHECKED = CMD_AGENT | CMD_DOCTOR,
	/* what judges events and logs: the live agent and a replay of its capture */
	CMD_PIPELINE = CMD_AGENT | CMD_REPLAY,
	CMD_ANY = CMD_PIPELINE | CMD_TOP | CMD_RULES | CMD_POLICY | CMD_AUDIT | CMD_DOCTOR |
		  CMD_ADVISE,
};

/* By bit: command_names[i] is the command of bit 1 << i. */
static const char *const command_names[] = { "run",    "record", "replay", "top",   "rules",
					     "policy", "audit",	 "doctor", "advise" };
#define N_COMMANDS (sizeof(command_names) / sizeof(command_names[0]))

/* Every option and the commands that take it: any other command refuses it (exit 2). */
static const struct cli_option {
	struct option opt;
	unsigned int commands;
} cli_options[] = {
	{ { "events", required_argument, NULL, 'e' }, CMD_PIPELINE },
	{ { "policy", required_argument, NULL, 'p' }, CMD_PIPELINE | CMD_POLICY | CMD_AUDIT },
	{ { "format", required_argument, NULL, OPT_FORMAT }, CMD_PIPELINE | CMD_AUDIT },
	{ { "no-findings", no_argument, NULL, OPT_NO_FINDINGS }, CMD_PIPELINE },
	{ { "export", required_argument, NULL, OPT_EXPORT }, CMD_PIPELINE },
	{ { "verbose", no_argument, NULL, 'v' }, CMD_PIPELINE | CMD_ADVISE },
	{ { "log-json", no_argument, NULL, OPT_LOG_JSON }, CMD_PIPELINE },
	{ { "output", required_argument, NULL, 'o' }, CMD_RECORD | CMD_ADVISE },
	{ { "stats-interval", required_argument, NULL, OPT_STATS }, CMD_AGENT },
	{ { "http", required_argument, NULL, OPT_HTTP }, CMD_AGENT_CHECKED },
	{ { "no-http", no_argument, NULL, OPT_NO_HTTP }, CMD_AGENT_CHECKED },
	{ { "socket", required_argument, NULL, OPT_SOCKET }, CMD_AGENT_CHECKED | CMD_TOP },
	{ { "no-socket", no_argument, NULL, OPT_NO_SOCKET }, CMD_AGENT_CHECKED },
	{ { "host-root", required_argument, NULL, OPT_HOST_ROOT }, CMD_AGENT_CHECKED | CMD_AUDIT },
	{ { "docker-socket", required_argument, NULL, OPT_DOCKER_SOCKET },
	  CMD_AGENT_CHECKED | CMD_AUDIT | CMD_ADVISE },
	{ { "podman-socket", required_argument, NULL, OPT_PODMAN_SOCKET },
	  CMD_AGENT_CHECKED | CMD_AUDIT },
	{ { "no-docker-api", no_argument, NULL, OPT_NO_DOCKER_API }, CMD_AGENT_CHECKED },
	{ { "ringbuf-size", required_argument, NULL, OPT_RINGBUF }, CMD_AGENT },
	{ { "no-color", no_argument, NULL, OPT_NO_COLOR }, CMD_TOP | CMD_AUDIT },
	{ { "all", no_argument, NULL, OPT_ALL }, CMD_AUDIT },
	{ { "container", required_argument, NULL, OPT_CONTAINER }, CMD_AUDIT | CMD_ADVISE },
	{ { "fail-on", required_argument, NULL, OPT_FAIL_ON }, CMD_AUDIT },
	{ { "json", no_argument, NULL, OPT_JSON }, CMD_RULES | CMD_DOCTOR },
	{ { "against", required_argument, NULL, OPT_AGAINST }, CMD_POLICY },
	{ { "btf", required_argument, NULL, OPT_BTF }, CMD_DOCTOR },
	{ { "image", required_argument, NULL, OPT_IMAGE }, CMD_ADVISE },
	{ { "duration", required_argument, NULL, OPT_DURATION }, CMD_ADVISE },
	{ { "merge", required_argument, NULL, OPT_MERGE }, CMD_ADVISE },
	{ { "help", no_argument, NULL, 'h' }, CMD_ANY },
	{ { "version", no_argument, NULL, 'V' }, CMD_ANY },
};
#define N_OPTIONS (sizeof(cli_options) / sizeof(cli_options[0]))

/* Everything the command line can say, for every command. */
struct cli {
	unsigned int command; /* one CMD_* bit */
	struct bh_agent_opts agent;
	struct bh_audit_opts audit;
	bool format_given; /* audit: --format given (else by whether stdout is a terminal) */
	struct bh_advise_opts advise;
	bool verbose, log_json, json, no_color;
	const char *against; /* policy check: the capture to replay */
	const char *btf_path;
};

static const char *command_name(unsigned int command)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (command == 1u << i)
			return command_names[i];
	return "?";
}

/* The CMD_* bit of a command's name, 0 for none. */
static unsigned int command_lookup(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, command_names[i]))
			return 1u << i;
	return 0;
}

/* "--output belongs to 'record', not 'run'", as the user spelt it (-o or --output). */
static void not_this_command(const struct cli_option *o, bool long_form, unsigned int command)
{
	char owners[128] = ""; /* all seven names fit */
	size_t len = 0;

	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *sep = ", ";

		if (!(o->commands & (1u << i)))
			continue;
		if (!len)
			sep = "";
		else if (!(o->commands & ~((2u << i) - 1))) /* the last one */
			sep = " and ";
		len += (size_t)snprintf(owners + len, sizeof(owners) - len, "%s'%s'", sep,
					command_names[i]);
	}
	if (long_form)
		usage_error("--%s belongs to %s, not '%s'", o->opt.name, owners,
			    command_name(command));
	else
		usage_error("-%c belongs to %s, not '%s'", o->opt.val, owners,
			    command_name(command));
}

static int cmd_policy(const struct cli *cli, int argc, char **argv)
{
	struct bh_policy *p = NULL;
	struct bh_policy_diff_opts d = { 0 };
	const char *path;
	size_t expired;

	if (optind + 2 != argc || strcmp(argv[optind], "check")) {
		usage_error("usage: bulkhead policy check FILE [--against CAPTURE [--policy "
			    "CURRENT]]");
		return EXIT_USAGE;
	}
	if (cli->agent.policy_path && !cli->against) {
		usage_error("--policy names the policy in force for --against CAPTURE");
		return EXIT_USAGE;
	}
	path = argv[optind + 1];
	/* The loader warns about each expired entry. */
	if (bh_policy_load(path, &p))
		return EXIT_USAGE; /* the loader printed FILE:LINE:COLUMN and the cause */
	expired = p->n_expired;
	for (size_t i = 0; i < p->n_exports; i++)
		if (bh_export_check(p->exports[i])) {
			bh_policy_free(p);
			return EXIT_USAGE; /* the URI and the cause are logged */
		}
	bh_policy_free(p);
	if (expired)
		printf("%s: valid, %zu expired allow entr%s ignored\n", path, expired,
		       expired > 1 ? "ies" : "y");
	else
		printf("%s: valid\n", path);
	if (!cli->against)
		return 0;
	d.candidate = path;
	d.capture = cli->against;
	d.current = cli->agent.policy_path;
	if (!d.current && !access(BH_POLICY_DEFAULT_PATH, F_OK))
		d.current = BH_POLICY_DEFAULT_PATH;
	fflush(stdout);
	return bh_policy_diff_run(&d);
}

static int parse_audit_format(const char *s, enum bh_audit_format *out)
{
	static const char *const names[] = { "table", "json", "junit", "sarif" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum bh_audit_format)i;
			return 0;
		}
	}
	usage_error("--format: '%s' is not table, json, junit or sarif", s);
	return -EINVAL;
}

/* The audit's options as the agent's shared ones were given. */
static int cmd_audit(struct cli *cli)
{
	struct bh_audit_opts *a = &cli->audit;
	bool tty = isatty(STDOUT_FILENO);
	const char *no_color = getenv("NO_COLOR");

	a->host_root = cli->agent.host_root;
	a->docker_socket = cli->agent.docker_socket;
	a->podman_socket = cli->agent.podman_socket;
	a->policy_path = cli->agent.policy_path;
	if (!a->policy_path && access(BH_POLICY_DEFAULT_PATH, F_OK) == 0)
		a->policy_path = BH_POLICY_DEFAULT_PATH;
	if (!cli->format_given)
		a->format = tty ? BH_AUDIT_TABLE : BH_AUDIT_JSON;
	a->color = tty && !cli->no_color && !(no_color && *no_color);
	return bh_audit_main(a);
}

/* Returns 0, or the exit code when the process must stop (help, version, a bad option). */
static int parse_options(int argc, char **argv, struct cli *cli)
{
	struct bh_agent_opts *o = &cli->agent;
	struct option longopts[N_OPTIONS + 1] = { 0 };
	char shortopts[2 * N_OPTIONS + 1] = "";
	size_t n = 0;
	unsigned long long v;
	int c, longindex;

	for (size_t i = 0; i < N_OPTIONS; i++) {
		longopts[i] = cli_options[i].opt;
		if (cli_options[i].opt.val >= 256)
			continue;
		shortopts[n++] = (char)cli_options[i].opt.val;
		if (cli_options[i].opt.has_arg == required_argument)
			shortopts[n++] = ':';
	}
	while (longindex = -1,
	       (c = getopt_long(argc, argv, shortopts, longopts, &longindex)) != -1) {
		const struct cli_option *opt = longindex >= 0 ? &cli_options[longindex] : NULL;

		for (size_t i = 0; !opt && c != '?' && i < N_OPTIONS; i++)
			if (cli_options[i].opt.val == c)
				opt = &cli_options[i];
		if (opt && !(opt->commands & cli->command)) {
			not_this_command(opt, longindex >= 0, cli->command);
			return EXIT_USAGE;
		}
		switch (c) {
		case 'e':
			if (bh_event_parse_mask(optarg, &o->event_mask))
				return EXIT_USAGE;
			break;
		case 'p':
			o->policy_path = optarg;
			o->policy_path_explicit = true;
			break;
		case 'o':
			o->capture_path = optarg;
			break;
		case OPT_FORMAT:
			if (cli->command == CMD_AUDIT) {
				if (parse_audit_format(optarg, &cli->audit.format))
					return EXIT_USAGE;
				cli->format_given = true;
			} else if (!strcmp(optarg, "json")) {
				o->format = BH_FORMAT_JSON;
			} else if (!strcmp(optarg, "ecs")) {
				o->format = BH_FORMAT_ECS;
			} else {
				usage_error("--format: '%s' is not json or ecs", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_EXPORT:
			if (o->n_exports == BH_EXPORTS_MAX) {
				usage_error("--export: at most %d outputs", BH_EXPORTS_MAX);
				return EXIT_USAGE;
			}
			o->exports[o->n_exports++] = optarg;
			break;
		case OPT_STATS:
			if (parse_uint(optarg, 86400, &v)) {
				usage_error("--stats-interval: '%s' is not a number of seconds "
					    "(0 to 86400)",
					    optarg);
				return EXIT_USAGE;
			}
			o->stats_interval_s = (int)v;
			break;
		case OPT_HTTP:
			o->http_addr = optarg;
			o->http_explicit = true;
			break;
		case OPT_NO_HTTP:
			o->http_addr = NULL;
			break;
		case OPT_SOCKET:
			o->socket_path = optarg;
			o->socket_explicit = true;
			break;
		case OPT_NO_SOCKET:
			o->socket_path = NULL;
			break;
		case OPT_HOST_ROOT:
			o->host_root = optarg;
			break;
		case OPT_DOCKER_SOCKET:
			o->docker_socket = optarg;
			break;
		case OPT_PODMAN_SOCKET:
			o->podman_socket = optarg;
			break;
		case OPT_NO_DOCKER_API:
			o->no_docker_api = true;
			break;
		case OPT_NO_FINDINGS:
			o->findings = false;
			break;
		case OPT_RINGBUF:
			if (parse_uint(optarg, 1ull << 30, &v) || v < 4096 || (v & (v - 1))) {
				usage_error("--ringbuf-size: '%s' is not a power of two between "
					    "4096 and 1073741824",
					    optarg);
				return EXIT_USAGE;
			}
			o->ringbuf_bytes = (size_t)v;
			break;
		case OPT_CONTAINER: /* audit's or advise's, the command says */
			cli->advise.container = optarg;
			cli->audit.container = optarg;
			break;
		case OPT_IMAGE:
			cli->advise.image = optarg;
			break;
		case OPT_DURATION:
			if (parse_uint(optarg, 604800, &v) || !v) {
				usage_error(
					"--duration: '%s' is not a number of seconds (1 to 604800)",
					optarg);
				return EXIT_USAGE;
			}
			cli->advise.duration_s = (int)v;
			break;
		case OPT_MERGE:
			cli->advise.merge_path = optarg;
			break;
		case OPT_NO_COLOR:
			cli->no_color = true;
			break;
		case OPT_ALL:
			cli->audit.all = true;
			break;
		case OPT_FAIL_ON:
			cli->audit.fail_on = bh_severity_lookup(optarg);
			if (cli->audit.fail_on < 0) {
				usage_error("--fail-on: '%s' is not low, medium, high or critical",
					    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'v':
			cli->verbose = true;
			break;
		case OPT_LOG_JSON:
			cli->log_json = true;
			break;
		case OPT_JSON:
			cli->json = true;
			break;
		case OPT_AGAINST:
			cli->against = optarg;
			break;
		case OPT_BTF:
			cli->btf_path = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case 'V':
			printf("bulkhead %s (event ABI %d)\n", BULKHEAD_VERSION, BH_ABI_VERSION);
			return -1;
		default:
			fprintf(stderr, "Try 'bulkhead --help'.\n");
			return EXIT_USAGE;
		}
	}
	return 0;
}

static int cmd_replay(struct cli *cli, int argc, char **argv)
{
	struct bh_replay_opts r = {
		.event_mask = cli->agent.event_mask,
		.findings = cli->agent.findings,
		.lifecycle = true,
		.stats = true,
		.policy_path = cli->agent.policy_path,
		.format = cli->agent.format,
		.out_fd = STDOUT_FILENO,
		.exports = cli->agent.exports,
		.n_exports = cli->agent.n_exports,
	};

	if (optind + 1 != argc) {
		usage_error("usage: bulkhead replay FILE [OPTIONS]");
		return EXIT_USAGE;
	}
	r.path = argv[optind];
	return bh_replay_run(&r);
}

/* -o and --docker-socket are shared with the agent's options: taken from there. */
static int cmd_advise(struct cli *cli)
{
	struct bh_advise_opts *a = &cli->advise;

	if (!a->container == !a->image) {
		usage_error("advise needs one of --container NAME|ID and --image IMAGE");
		return EXIT_USAGE;
	}
	a->out_dir = cli->agent.capture_path ? cli->agent.capture_path : ".";
	a->docker_socket = cli->agent.docker_socket;
	return bh_advise_run(a);
}

int main(int argc, char **argv)
{
	static char prog[32];
	struct cli cli = {
		.command = CMD_RUN,
		.audit = { .fail_on = -1 },
		.agent = {
			.event_mask = 0,
			.findings = true,
			.stats_interval_s = 10,
			.http_addr = BH_HTTP_DEFAULT_ADDR,
			.socket_path = BH_STREAM_DEFAULT_PATH,
		},
	};
	int code;

	/* A command comes first when given: `bulkhead rules`, `bulkhead run -v`. */
	if (argc > 1 && argv[1][0] != '-') {
		cli.command = command_lookup(argv[1]);
		if (!cli.command) {
			usage_error("unknown command '%s' (run, record, replay, top, rules, "
				    "policy, audit, doctor, advise)",
				    argv[1]);
			return EXIT_USAGE;
		}
		argv++;
		argc--;
	}
	/* getopt's own messages then read "bulkhead run: unrecognized option '--x'" */
	snprintf(prog, sizeof(prog), "bulkhead %s", command_name(cli.command));
	argv[0] = prog;

	code = parse_options(argc, argv, &cli);
	if (code)
		return code < 0 ? 0 : code;
	/* doctor's report is on stdout: its log keeps only the causes of what it reports */
	bh_log_setup(cli.verbose		 ? BH_LOG_DEBUG
		     : cli.command == CMD_DOCTOR ? BH_LOG_WARN
						 : BH_LOG_INFO,
		     cli.log_json);
	bh_log_bridge_libbpf();

	if (cli.command == CMD_REPLAY)
		return cmd_replay(&cli, argc, argv);
	if (cli.command == CMD_POLICY)
		return cmd_policy(&cli, argc, argv);
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli.command == CMD_AUDIT)
		return cmd_audit(&cli);
	if (cli.command == CMD_RULES) {
		bh_rules_list(stdout, cli.json);
		return 0;
	}
	if (cli.command == CMD_DOCTOR) {
		struct bh_doctor_opts d = {
			.json = cli.json,
			.btf_path = cli.btf_path,
			.host_root = cli.agent.host_root,
			.http_addr = cli.agent.http_addr,
			.socket_path = cli.agent.socket_path,
			.docker_socket = cli.agent.docker_socket,
			.podman_socket = cli.agent.podman_socket,
			.no_docker_api = cli.agent.no_docker_api,
		};

		return bh_doctor_run(&d);
	}
	if (cli.command == CMD_TOP) {
		struct bh_top_opts t = {
			.socket_path = cli.agent.socket_explicit ? cli.agent.socket_path : NULL,
			.no_color = cli.no_color,
		};

		return bh_top_main(&t);
	}
	if (cli.command == CMD_ADVISE)
		return cmd_advise(&cli);
	if (cli.command == CMD_RECORD && !cli.agent.capture_path) {
		usage_error("record needs -o FILE");
		return EXIT_USAGE;
	}
	return bh_agent_run(&cli.agent);
}
