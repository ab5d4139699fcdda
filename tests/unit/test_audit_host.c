// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_audit_host.c - the host and daemon checks of the audit.
 *
 * Kernel-state cases: a real daemon stand-in, this binary re-executed with a dockerd-like
 * command line, holding a real listening unix socket at a temporary path and a real listening
 * TCP socket; the checks must find it from /proc/net/unix, /proc/PID/fd and
 * /proc/PID/net/tcp, and judge its command line and daemon.json.
 *
 * File-level cases (labelled so): a temporary host_root tree standing in for files only
 * (daemon.json variants, a socket's owner and mode, securityfs/selinuxfs values), never for
 * kernel state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/host.h"
#include "audit/host_impl.h"

/* Set in the environment of the re-executed stand-in: it only holds its sockets. */
#define FAKE_DAEMON_ENV "BH_TEST_FAKE_DAEMON"
#define RESULTS_MAX	32

struct result {
	char id[64];
	enum bh_verdict verdict;
	enum bh_severity severity;
	char evidence[1024];
};

struct results {
	struct result r[RESULTS_MAX];
	size_t n;
};

static void collect(const struct bh_check_result *r, void *ctx)
{
	struct results *rs = ctx;
	struct result *o;

	assert_true(rs->n < RESULTS_MAX);
	o = &rs->r[rs->n++];
	snprintf(o->id, sizeof(o->id), "%s", r->id);
	snprintf(o->evidence, sizeof(o->evidence), "%s", r->evidence);
	o->verdict = r->verdict;
	o->severity = r->severity;
	/* every check carries its fix and its compliance ids field */
	assert_non_null(r->remediation);
	assert_non_null(r->cis);
	assert_non_null(r->title);
}

static const struct result *find(const struct results *rs, const char *id)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].id, id))
			return &rs->r[i];
	fail_msg("no check %s reported", id);
	return NULL;
}

static void expect(const struct results *rs, const char *id, enum bh_verdict v,
		   const char *in_evidence)
{
	const struct result *r = find(rs, id);

	if (r->verdict != v)
		fail_msg("%s: %s, expected %s (%s)", id, bh_verdict_name(r->verdict),
			 bh_verdict_name(v), r->evidence);
	if (in_evidence && !strstr(r->evidence, in_evidence))
		fail_msg("%s: evidence \"%s\" lacks \"%s\"", id, r->evidence, in_evidence);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* mkdir -p of dir + rel's parent folders. */
static void make_parents(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		assert_true(!mkdir(path, 0755) || errno == EEXIST);
		*p = '/';
	}
}

static void write_under(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];

	make_parents(dir, rel);
	snprintf(path, sizeof(path), "%s%s", dir, rel);
	write_file(path, text);
}

static char *make_tmpdir(void)
{
	char *dir = strdup("/tmp/bh-audit-host.XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void remove_tree(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A listening unix socket bound at path (inherited across exec: no CLOEXEC). */
static int listen_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof(a.sun_path));
	strcpy(a.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	return fd;
}

/* A listening TCP socket on 127.0.0.1, port chosen by the kernel. */
static int listen_tcp(unsigned int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/*
 * Starts this binary again as a daemon stand-in with argv, holding the sockets fds (which
 * it inherits), and returns once it runs the new command line: the parent's copies closed,
 * the child is then their only holder.
 */
static pid_t start_fake_daemon(char *const argv[], const int *fds, size_t n_fds)
{
	int sync[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe2(sync, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		setenv(FAKE_DAEMON_ENV, "1", 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(sync[1]);
	/* EOF once the exec closed the child's write end */
	assert_int_equal(read(sync[0], &c, 1), 0);
	close(sync[0]);
	for (size_t i = 0; i < n_fds; i++)
		close(fds[i]);
	return pid;
}

static void stop_fake_daemon(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* A daemon stand-in: its folder, daemon.json and sockets, then its process. */
struct stand_in {
	char *dir;
	char sock[PATH_MAX], json[PATH_MAX], tcp_host[64], endpoint[64];
	int fds[2];
	pid_t pid;
};

/* The folder, daemon.json holding json_text, a listening unix socket and TCP socket. */
static void stand_in_prepare(struct stand_in *s, const char *json_text)
{
	unsigned int port;

	s->dir = make_tmpdir();
	snprintf(s->sock, sizeof(s->sock), "%s/docker.sock", s->dir);
	snprintf(s->json, sizeof(s->json), "%s/daemon.json", s->dir);
	write_file(s->json, json_text);
	s->fds[0] = listen_unix(s->sock);
	s->fds[1] = listen_tcp(&port);
	snprintf(s->tcp_host, sizeof(s->tcp_host), "tcp://127.0.0.1:%u", port);
	snprintf(s->endpoint, sizeof(s->endpoint), "127.0.0.1:%u", port);
}

/* Runs it with argv, audits the host with docker_socket sock, and cleans up. */
static void stand_in_audit(struct stand_in *s, char *const argv[], const char *sock,
			   struct results *rs)
{
	s->pid = start_fake_daemon(argv, s->fds, 2);
	bh_audit_host(&(struct bh_audit_host_opts){ .host_root = "", .docker_socket = sock },
		      collect, rs);
	stop_fake_daemon(s->pid);
	remove_tree(s->dir);
	free(s->dir);
}

/*
 * Kernel state: a stand-in dockerd with -H tcp://127.0.0.1:PORT really listening there, no
 * --tlsverify: the endpoint is found and judged critical; its other flags and daemon.json are
 * merged. The socket path is given through a symlinked folder: the file is what matches.
 */
static void test_kernel_tcp_without_tls(void **state)
{
	char link_dir[PATH_MAX], link_sock[PATH_MAX], pid_text[32];
	struct results rs = { .n = 0 };
	struct stand_in s;

	(void)state;
	stand_in_prepare(&s, "{\"live-restore\": true, \"insecure-registries\": [\"reg:5000\"]}");
	snprintf(link_dir, sizeof(link_dir), "%s/run", s.dir);
	assert_int_equal(symlink(s.dir, link_dir), 0);
	snprintf(link_sock, sizeof(link_sock), "%s/run/docker.sock", s.dir);
	{
		char *argv[] = { "fake-dockerd", "-H",	    s.tcp_host,	    "--config-file", s.json,
				 "--icc=false",	 "--debug", "--containerd", "/x.sock",	     NULL };

		stand_in_audit(&s, argv, link_sock, &rs);
	}
	snprintf(pid_text, sizeof(pid_text), "pid %d", (int)s.pid);

	expect(&rs, "daemon-docker-endpoints", BH_VERDICT_FAIL, s.endpoint);
	expect(&rs, "daemon-docker-endpoints", BH_VERDICT_FAIL, s.tcp_host);
	expect(&rs, "daemon-docker-endpoints", BH_VERDICT_FAIL, pid_text);
	expect(&rs, "daemon-docker-endpoints", BH_VERDICT_FAIL, "--tlsverify set neither");
	assert_int_equal(find(&rs, "daemon-docker-endpoints")->severity, BH_SEV_CRITICAL);
	expect(&rs, "daemon-docker-icc", BH_VERDICT_PASS, "--icc=false on its command line");
	expect(&rs, "daemon-docker-live-restore", BH_VERDICT_PASS, "\"live-restore\": true in /");
	expect(&rs, "daemon-docker-insecure-registries", BH_VERDICT_FAIL, "reg:5000");
	expect(&rs, "daemon-docker-no-new-privileges", BH_VERDICT_FAIL, "its default: false");
	expect(&rs, "daemon-docker-config", BH_VERDICT_PASS, "parsed");
	expect(&rs, "daemon-docker-seccomp", BH_VERDICT_PASS, NULL);
}

/*
 * Kernel state: the same stand-in with --tlsverify passes the endpoint check; "icc" both on
 * its command line and in daemon.json is the error dockerd itself would refuse to start on.
 */
static void test_kernel_tcp_with_tls_and_conflict(void **state)
{
	struct results rs = { .n = 0 };
	struct stand_in s;
	char host[80];

	(void)state;
	stand_in_prepare(&s, "{\"icc\": false, \"seccomp-profile\": \"unconfined\"}");
	snprintf(host, sizeof(host), "--host=%s", s.tcp_host);
	{
		char *argv[] = { "fake-dockerd", host,		"--tlsverify", "--config-file",
				 s.json,	 "--icc=false", NULL };

		stand_in_audit(&s, argv, s.sock, &rs);
	}

	expect(&rs, "daemon-docker-endpoints", BH_VERDICT_PASS, "--tlsverify=true");
	expect(&rs, "daemon-docker-config", BH_VERDICT_FAIL, "--icc/icc set both");
	expect(&rs, "daemon-docker-seccomp", BH_VERDICT_FAIL, "\"seccomp-profile\": unconfined");
	assert_int_equal(find(&rs, "daemon-docker-seccomp")->severity, BH_SEV_HIGH);
}

/* Kernel state: a socket file nobody listens on is no daemon: N/A saying so, not a PASS. */
static void test_kernel_socket_without_listener(void **state)
{
	char *dir = make_tmpdir(), sock[PATH_MAX];
	struct results rs = { .n = 0 };
	int fd;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/docker.sock", dir);
	fd = listen_unix(sock);
	close(fd); /* the file stays, the listening socket is gone */
	bh_audit_host(&(struct bh_audit_host_opts){ .docker_socket = sock }, collect, &rs);
	remove_tree(dir);
	free(dir);

	expect(&rs, "daemon-docker-endpoints", BH_VERDICT_NA, "not running: no process listens");
	expect(&rs, "daemon-docker-live-restore", BH_VERDICT_NA, "not running");
	expect(&rs, "daemon-docker-config", BH_VERDICT_NA, "not running");
}

/*
 * File-level (an empty host_root tree): every check is reported once, in the same order on
 * every run; neither AppArmor nor SELinux is a FAIL, never an N/A.
 */
static void test_files_empty_root(void **state)
{
	static const char *const ids[] = {
		"host-mac",
		"socket-docker",
		"daemon-docker-endpoints",
		"daemon-docker-config",
		"daemon-docker-no-new-privileges",
		"daemon-docker-userns-remap",
		"daemon-docker-icc",
		"daemon-docker-live-restore",
		"daemon-docker-seccomp",
		"daemon-docker-insecure-registries",
		"daemon-docker-userland-proxy",
		"daemon-docker-authorization",
		"daemon-docker-experimental",
		"socket-containerd",
		"daemon-containerd-endpoints",
		"socket-podman",
		"daemon-podman-endpoints",
	};
	char *dir = make_tmpdir();
	struct results rs = { .n = 0 };

	(void)state;
	bh_audit_host(&(struct bh_audit_host_opts){ .host_root = dir }, collect, &rs);
	remove_tree(dir);
	free(dir);
	assert_int_equal(rs.n, sizeof(ids) / sizeof(ids[0]));
	for (size_t i = 0; i < rs.n; i++)
		assert_string_equal(rs.r[i].id, ids[i]);
	expect(&rs, "host-mac", BH_VERDICT_FAIL, "neither AppArmor");
	assert_int_equal(find(&rs, "host-mac")->severity, BH_SEV_HIGH);
}

/* File-level (host_root tree): AppArmor's and SELinux's files as securityfs/selinuxfs show them. */
static void test_files_mac_variants(void **state)
{
	static const struct {
		const char *aa, *profiles, *se;
		enum bh_verdict v;
		const char *evidence;
	} cases[] = {
		{ "Y\n", "unconfined_x (unconfined)\ndocker-default (enforce)\n", NULL,
		  BH_VERDICT_PASS, "docker-default enforces" },
		{ "Y\n", "containers-default-0.50.1 (complain)\n", NULL, BH_VERDICT_FAIL,
		  "containers-default-0.50.1 (complain)" },
		{ "Y\n", "sshd (enforce)\n", NULL, BH_VERDICT_NA, "no runtime profile" },
		{ "Y\n", NULL, NULL, BH_VERDICT_NA, "cannot be read" },
		{ "N\n", NULL, "1\n", BH_VERDICT_PASS, "SELinux enforces" },
		{ "N\n", NULL, "0\n", BH_VERDICT_FAIL, "permissive" },
		{ "N\n", NULL, NULL, BH_VERDICT_FAIL, "neither AppArmor" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = make_tmpdir();
		struct results rs = { .n = 0 };

		write_under(dir, "/sys/module/apparmor/parameters/enabled", cases[i].aa);
		if (cases[i].profiles)
			write_under(dir, "/sys/kernel/security/apparmor/profiles",
				    cases[i].profiles);
		if (cases[i].se)
			write_under(dir, "/sys/fs/selinux/enforce", cases[i].se);
		bh_audit_host(&(struct bh_audit_host_opts){ .host_root = dir }, collect, &rs);
		remove_tree(dir);
		free(dir);
		expect(&rs, "host-mac", cases[i].v, cases[i].evidence);
	}
}

/*
 * File-level (host_root tree): a runtime socket's owner and mode, read with stat, its path's
 * links followed inside host_root.
 */
static void test_files_socket_owner_and_mode(void **state)
{
	static const struct {
		mode_t mode;
		gid_t gid;
		enum bh_verdict v;
		const char *evidence;
	} cases[] = {
		{ 0660, 4242, BH_VERDICT_PASS, "group docker (gid 4242), mode 0660" },
		{ 0600, 0, BH_VERDICT_PASS, "group root (gid 0), mode 0600" },
		{ 0666, 4242, BH_VERDICT_FAIL, "mode 0666" },
		{ 0660, 4343, BH_VERDICT_FAIL, "group staff (gid 4343)" },
	};

	(void)state;
	if (geteuid() != 0)
		skip(); /* chown to another group needs root; CI runs as root */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = make_tmpdir(), sock[PATH_MAX];
		struct results rs = { .n = 0 };

		write_under(dir, "/etc/group", "root:x:0:\ndocker:x:4242:\nstaff:x:4343:\n");
		/* as on Debian: /var/run -> /run, absolute, so the host's /run under dir */
		make_parents(dir, "/var/run");
		make_parents(dir, "/run/docker.sock");
		snprintf(sock, sizeof(sock), "%s/var/run", dir);
		assert_int_equal(symlink("/run", sock), 0);
		snprintf(sock, sizeof(sock), "%s/run/docker.sock", dir);
		close(listen_unix(sock));
		assert_int_equal(chown(sock, 0, cases[i].gid), 0);
		assert_int_equal(chmod(sock, cases[i].mode), 0);
		bh_audit_host(&(struct bh_audit_host_opts){ .host_root = dir }, collect, &rs);
		remove_tree(dir);
		free(dir);
		expect(&rs, "socket-docker", cases[i].v, cases[i].evidence);
		expect(&rs, "socket-docker", cases[i].v, "/run/docker.sock: owner uid 0");
		expect(&rs, "socket-containerd", BH_VERDICT_NA, "no socket");
	}
}

/* File-level: dockerd's flags in pflag's spellings, and daemon.json merged under them. */
static void test_files_dockerd_flags_and_json(void **state)
{
	char *dir = make_tmpdir(), json[PATH_MAX];
	struct bh_dockerd_config c;

	(void)state;
	snprintf(json, sizeof(json), "%s/daemon.json", dir);
	write_file(json, "{\"hosts\": [\"unix:///var/run/docker.sock\", \"tcp://0.0.0.0:2375\"], "
			 "\"live-restore\": true, \"userns-remap\": \"default\", "
			 "\"authorization-plugins\": [\"authz\"], \"no-new-privileges\": true}");
	{
		char *argv[] = { "dockerd",
				 "--debug",
				 "-G",
				 "docker",
				 "--config-file",
				 json,
				 "--icc=0",
				 "--userland-proxy=F",
				 "--insecure-registry",
				 "a:5000",
				 "--insecure-registry=b:5000",
				 "--experimental",
				 "--",
				 "--live-restore" };

		bh_dockerd_config_read("", argv, (int)(sizeof(argv) / sizeof(argv[0])), &c);
	}
	assert_int_equal(c.file_err, 0);
	assert_string_equal(c.conflicts, "");
	assert_false(bh_dockerd_bool(&c, BH_DK_ICC, true));
	assert_false(bh_dockerd_bool(&c, BH_DK_USERLAND_PROXY, true));
	assert_true(bh_dockerd_bool(&c, BH_DK_EXPERIMENTAL, false));
	assert_string_equal(c.s[BH_DK_INSECURE_REGISTRIES].value, "a:5000, b:5000");
	assert_int_equal(c.s[BH_DK_INSECURE_REGISTRIES].n, 2);
	/* after "--": not a flag; from the file instead */
	assert_int_equal(c.s[BH_DK_LIVE_RESTORE].src, BH_SRC_FILE);
	assert_string_equal(c.s[BH_DK_HOSTS].value,
			    "unix:///var/run/docker.sock, tcp://0.0.0.0:2375");
	assert_string_equal(c.s[BH_DK_USERNS_REMAP].value, "default");
	assert_true(bh_dockerd_bool(&c, BH_DK_NO_NEW_PRIVILEGES, false));

	/* -H in its three spellings, repeated; hosts in the file too: dockerd refuses that */
	{
		char *argv[] = {
			"dockerd",	 "-H", "fd://", "-Htcp://1.2.3.4:2375", "-H=unix:///x",
			"--config-file", json
		};

		bh_dockerd_config_read("", argv, 7, &c);
	}
	assert_string_equal(c.s[BH_DK_HOSTS].value, "fd://, tcp://1.2.3.4:2375, unix:///x");
	assert_int_equal(c.s[BH_DK_HOSTS].src, BH_SRC_CMDLINE);
	assert_string_equal(c.conflicts, "--host/hosts");

	/* a daemon.json that is not a JSON object */
	write_file(json, "{\"icc\": false,");
	{
		char *argv[] = { "dockerd", "--config-file", json };

		bh_dockerd_config_read("", argv, 3, &c);
	}
	assert_int_equal(c.file_err, -EINVAL);
	/* none at all: the default path, absent under dir */
	{
		char *argv[] = { "dockerd" };

		bh_dockerd_config_read(dir, argv, 1, &c);
	}
	assert_int_equal(c.file_err, -ENOENT);
	assert_true(bh_dockerd_bool(&c, BH_DK_ICC, true)); /* nothing read from it */
	remove_tree(dir);
	free(dir);
}

/* File-level: containerd's [grpc] table, the only TOML the check reads. */
static void test_files_containerd_grpc(void **state)
{
	char *dir = make_tmpdir();
	struct bh_containerd_grpc g;
	char *argv[] = { "containerd", "--config", "/etc/c.toml" };

	(void)state;
	write_under(dir, "/etc/c.toml",
		    "version = 2\n[grpc]\n  address = \"/run/containerd/containerd.sock\"\n"
		    "  tcp_address = \"0.0.0.0:7777\"\n  tcp_tls_cert = '/c.pem'\n"
		    "[metrics]\n  tcp_tls_ca = \"/not-grpc.pem\"\n");
	bh_containerd_config_read(dir, argv, 3, &g);
	assert_int_equal(g.file_err, 0);
	assert_string_equal(g.tcp_address, "0.0.0.0:7777");
	assert_string_equal(g.tcp_tls_cert, "/c.pem");
	assert_string_equal(g.tcp_tls_ca, "");
	remove_tree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_tcp_without_tls),
		cmocka_unit_test(test_kernel_tcp_with_tls_and_conflict),
		cmocka_unit_test(test_kernel_socket_without_listener),
		cmocka_unit_test(test_files_empty_root),
		cmocka_unit_test(test_files_mac_variants),
		cmocka_unit_test(test_files_socket_owner_and_mode),
		cmocka_unit_test(test_files_dockerd_flags_and_json),
		cmocka_unit_test(test_files_containerd_grpc),
	};

	/* the re-executed daemon stand-in: hold the inherited sockets until killed */
	if (getenv(FAKE_DAEMON_ENV)) {
		for (;;)
			pause();
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
