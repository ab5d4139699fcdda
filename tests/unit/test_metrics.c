// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_metrics.c - health verdict, Prometheus rendering, --http address parsing, and the
 * real libmicrohttpd server on a loopback port queried with libcurl.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <bpf/bpf.h>

#include "collector/compat.h"
#include "collector/http.h"
#include "collector/metrics.h"
#include "collector/open_findings.h"
#include "helpers.h"
#include "rules/rules.h"

#define SEC 1000000000LL

static struct bh_metrics_snapshot sample(void)
{
	struct bh_metrics_snapshot s = { 0 };

	s.programs_attached = 17;
	s.drained_mono_ns = 100 * SEC;
	s.events[BH_EV_EXEC] = 42;
	s.events[BH_EV_CONNECT] = 3;
	s.findings[BH_RULE_DOCKER_SOCKET_ACCESS][BH_SEV_CRITICAL] = 2;
	s.findings[BH_RULE_SSH_DAEMON][BH_SEV_LOW] = 1; /* a policy override */
	s.open_findings[BH_RULE_DOCKER_SOCKET_MOUNT][BH_SEV_HIGH] = 3;
	s.open_findings_dropped = 2;
	s.drops = 5;
	s.read_errors[BH_READ_EXEC_ARGS] = 6;
	s.compat_state = BH_COMPAT_WATCHED;
	s.compat_calls = 8;
	s.kernel_emitted = 50;
	s.containers = 4;
	s.resolver_hits = 90;
	s.resolver_misses = 7;
	s.ringbuf_used_bytes = 1024;
	s.ringbuf_size_bytes = 4096;
	s.output_lines = 61;
	s.output_dropped_lines = 9;
	return s;
}

static void test_healthy_only_when_attached_and_drained(void **state)
{
	struct bh_metrics_snapshot s = sample();
	const char *why = "unset";

	(void)state;
	assert_true(bh_metrics_healthy(&s, 101 * SEC, &why));
	assert_null(why);
	/* Stale: the loop stopped draining. */
	assert_false(bh_metrics_healthy(&s, 100 * SEC + BH_HEALTH_MAX_AGE_NS + 1, &why));
	assert_non_null(strstr(why, "not been drained"));
	s.drained_mono_ns = 0;
	assert_false(bh_metrics_healthy(&s, 101 * SEC, &why));
	assert_non_null(strstr(why, "not been read"));
	s = sample();
	s.programs_attached = 0;
	assert_false(bh_metrics_healthy(&s, 101 * SEC, &why));
	assert_non_null(strstr(why, "not attached"));
}

/* The value of the sample line named exactly `series` in a rendering, or -1. */
static double series_value(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p = text;

	while ((p = strstr(p, series))) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

static void test_render_prometheus_text(void **state)
{
	struct bh_metrics_snapshot s = sample();
	char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(bh_metrics_render(&s, 102 * SEC, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_true(series_value(text, "bulkhead_up") == 1);
	assert_true(series_value(text, "bulkhead_events_total{family=\"exec\"}") == 42);
	assert_true(series_value(text, "bulkhead_events_total{family=\"connect\"}") == 3);
	assert_true(series_value(text, "bulkhead_events_total{family=\"listen\"}") == 0);
	assert_true(series_value(text, "bulkhead_findings_total{rule=\"docker-socket-access\","
				       "severity=\"critical\"}") == 2);
	assert_true(series_value(text, "bulkhead_findings_total{rule=\"ssh-daemon-in-container\","
				       "severity=\"low\"}") == 1);
	/* Every pair exists from the start, so rate() works before the first finding. */
	assert_true(series_value(text, "bulkhead_findings_total{rule=\"mount-in-container\","
				       "severity=\"medium\"}") == 0);
	/* open findings: a gauge per (rule, severity), never per container */
	assert_true(series_value(text, "bulkhead_open_findings{rule=\"docker-socket-mount\","
				       "severity=\"high\"}") == 3);
	assert_true(series_value(text, "bulkhead_open_findings{rule=\"docker-socket-mount\","
				       "severity=\"low\"}") == 0);
	assert_non_null(strstr(text, "# HELP bulkhead_open_findings "));
	assert_non_null(strstr(text, "# TYPE bulkhead_open_findings gauge\n"));
	assert_null(strstr(text, "bulkhead_open_findings{container"));
	assert_true(series_value(text, "bulkhead_open_findings_dropped_total") == 2);
	assert_non_null(strstr(text, "# TYPE bulkhead_open_findings_dropped_total counter\n"));
	assert_true(series_value(text, "bulkhead_drops_total") == 5);
	/* one series per read site, zeros included, as for the findings */
	assert_true(series_value(text, "bulkhead_kernel_read_errors_total{site=\"exec.args\"}") ==
		    6);
	assert_true(series_value(text, "bulkhead_kernel_read_errors_total{site=\"cgroup.path\"}") ==
		    0);
	assert_null(strstr(text, "\nbulkhead_kernel_read_errors_total "));
	assert_non_null(strstr(text, "# TYPE bulkhead_kernel_read_errors_total counter\n"));
	/* one series per compat state, 1 for this node's */
	assert_true(series_value(text, "bulkhead_compat_syscalls{state=\"watched\"}") == 1);
	assert_true(series_value(text, "bulkhead_compat_syscalls{state=\"impossible\"}") == 0);
	assert_true(series_value(text, "bulkhead_compat_syscalls{state=\"unwatched\"}") == 0);
	assert_true(series_value(text, "bulkhead_kernel_compat_syscalls_total") == 8);
	assert_non_null(strstr(text, "# TYPE bulkhead_compat_syscalls gauge\n"));
	assert_true(series_value(text, "bulkhead_containers") == 4);
	assert_true(series_value(text, "bulkhead_resolver_cache_hits_total") == 90);
	assert_true(series_value(text, "bulkhead_resolver_cache_misses_total") == 7);
	assert_true(series_value(text, "bulkhead_ringbuf_fill_ratio") == 0.25);
	assert_true(series_value(text, "bulkhead_output_dropped_lines_total") == 9);
	assert_true(series_value(text, "bulkhead_last_drain_age_seconds") == 2);
	assert_non_null(strstr(text, "bulkhead_build_info{version=\"" BULKHEAD_VERSION "\""));
	assert_non_null(strstr(text, "# TYPE bulkhead_drops_total counter\n"));
	assert_non_null(strstr(text, "# TYPE bulkhead_containers gauge\n"));
	assert_int_equal(text[len - 1], '\n');
	free(text);

	/* Unknown ring size: no ring gauges rather than a division by zero. */
	s.ringbuf_size_bytes = 0;
	s.programs_attached = 0;
	assert_int_equal(bh_metrics_render(&s, 102 * SEC, &text, &len), 0);
	assert_null(strstr(text, "bulkhead_ringbuf"));
	assert_true(series_value(text, "bulkhead_up") == 0);
	free(text);
}

static void count_line(const char *line, size_t len, void *ctx)
{
	(void)line;
	(void)len;
	(*(int *)ctx)++;
}

/* The rules engine's counts are what /metrics exports: one per line written. */
static void test_findings_counted_by_rules_engine(void **state)
{
	struct bh_rules_opts ro = { 0 };
	struct bh_rules *r;
	struct bh_container c = { .runtime = "docker" };
	__u64 counts[BH_RULE_COUNT][BH_SEV_COUNT];
	__u64 total = 0, privileged = 0;
	int lines = 0;

	(void)state;
	memset(c.id, 'a', BH_CONTAINER_ID_LEN);
	c.config.known = true;
	c.config.privileged = true;
	c.config.cap_bounding = ~0ULL;
	assert_int_equal(bh_rules_new(&ro, &r), 0);
	bh_rules_on_container(r, &c, count_line, &lines);
	bh_rules_finding_counts(r, counts);
	for (unsigned int i = 0; i < BH_RULE_COUNT; i++)
		for (unsigned int v = 0; v < BH_SEV_COUNT; v++)
			total += counts[i][v];
	for (unsigned int v = 0; v < BH_SEV_COUNT; v++)
		privileged += counts[BH_RULE_PRIVILEGED_CONTAINER][v];
	assert_true(lines > 0);
	assert_int_equal(total, lines);
	assert_int_equal(privileged, 1);
	bh_rules_free(r);
}

/* Allow entries by id (escaped: they come from the file), accepted findings, reloads. */
static void test_policy_series(void **state)
{
	static const char yaml[] = "baseline: false\n"
				   "allow:\n"
				   "  - { id: \"web \\\"x\\\"\", namespace: web, action: accept }\n"
				   "  - { namespace: db }\n";
	struct bh_metrics_snapshot s = sample();
	struct bh_rules_opts ro = { 0 };
	struct bh_container c = { .runtime = "docker", .pod_namespace = "web" };
	struct bh_policy *p;
	struct bh_rules *r;
	char *text = NULL;
	size_t len = 0;
	int lines = 0;

	(void)state;
	assert_int_equal(bh_policy_parse("test", yaml, sizeof(yaml) - 1, &p), 0);
	ro.policy = p;
	assert_int_equal(bh_rules_new(&ro, &r), 0);
	memset(c.id, 'a', BH_CONTAINER_ID_LEN);
	c.config.known = true;
	c.config.privileged = true;
	bh_rules_on_container(r, &c, count_line, &lines);
	bh_metrics_set_rules(&s, r, p);
	s.policy_reloads_ok = 3;
	s.policy_reloads_error = 1;
	assert_int_equal(bh_metrics_render(&s, 102 * SEC, &text, &len), 0);
	assert_true(series_value(text, "bulkhead_policy_allow_hits_total{entry=\"web \\\"x\\\"\","
				       "action=\"accept\"}") == lines);
	assert_true(series_value(text, "bulkhead_policy_allow_hits_total{entry=\"allow[1]\","
				       "action=\"allow\"}") == 0);
	assert_true(series_value(text, "bulkhead_findings_total{rule=\"privileged-container\","
				       "severity=\"info\"}") == 1);
	assert_true(series_value(text, "bulkhead_findings_total{rule=\"privileged-container\","
				       "severity=\"critical\"}") == 0);
	assert_true(series_value(text, "bulkhead_policy_reloads_total{result=\"ok\"}") == 3);
	assert_true(series_value(text, "bulkhead_policy_reloads_total{result=\"error\"}") == 1);
	free(text);
	bh_rules_free(r);
	bh_policy_free(p);
}

/* The agent's own pod holds what the rules flag (hostPID, SYS_ADMIN): it is never judged. */
static void test_own_pod_exempt(void **state)
{
	struct bh_rules_opts ro = { 0 };
	struct bh_rules *r;
	struct bh_container self = { .runtime = "containerd", .pod_uid = "uid-1" };
	struct bh_container sandbox = self, other = self;
	int lines = 0;

	(void)state;
	memset(self.id, 'a', BH_CONTAINER_ID_LEN);
	memset(sandbox.id, 'b', BH_CONTAINER_ID_LEN);
	memset(other.id, 'c', BH_CONTAINER_ID_LEN);
	other.pod_uid = "uid-2";
	self.config.known = sandbox.config.known = other.config.known = true;
	self.config.privileged = sandbox.config.privileged = other.config.privileged = true;
	assert_int_equal(bh_rules_new(&ro, &r), 0);
	bh_rules_set_self(r, &self);
	bh_rules_on_container(r, &self, count_line, &lines);
	bh_rules_on_container(r, &sandbox, count_line, &lines);
	assert_int_equal(lines, 0);
	bh_rules_on_container(r, &other, count_line, &lines);
	assert_true(lines > 0);
	bh_rules_free(r);
}

static void test_parse_addr(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

	(void)state;
	assert_int_equal(bh_http_parse_addr("127.0.0.1:9464", &ss, &len), 0);
	assert_int_equal(a4->sin_family, AF_INET);
	assert_int_equal(ntohs(a4->sin_port), 9464);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(len, sizeof(*a4));
	assert_int_equal(bh_http_parse_addr(":9464", &ss, &len), 0);
	assert_int_equal(a4->sin_addr.s_addr, htonl(INADDR_ANY));
	assert_int_equal(bh_http_parse_addr("[::1]:80", &ss, &len), 0);
	assert_int_equal(a6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(a6->sin6_port), 80);
	assert_int_equal(len, sizeof(*a6));
	assert_int_equal(bh_http_parse_addr("127.0.0.1", &ss, &len), -EINVAL);
	assert_int_equal(bh_http_parse_addr("127.0.0.1:", &ss, &len), -EINVAL);
	assert_int_equal(bh_http_parse_addr("127.0.0.1:65536", &ss, &len), -EINVAL);
	assert_int_equal(bh_http_parse_addr("127.0.0.1:-1", &ss, &len), -EINVAL);
	assert_int_equal(bh_http_parse_addr("localhost:9464", &ss, &len), -EINVAL);
	assert_int_equal(bh_http_parse_addr("::1:9464", &ss, &len), -EINVAL);
	assert_int_equal(bh_http_parse_addr("[::1]9464", &ss, &len), -EINVAL);
}

struct body {
	char buf[65536];
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t len = size * n;

	if (b->len + len >= sizeof(b->buf))
		return 0;
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return len;
}

/* GETs (or POSTs) path from the server; returns the HTTP status, the body in *b. */
static long fetch(uint16_t port, const char *path, bool post, struct body *b)
{
	CURL *curl = curl_easy_init();
	char url[128];
	long status = -1;

	assert_non_null(curl);
	b->len = 0;
	b->buf[0] = '\0';
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	if (post)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "x");
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	return status;
}

static void test_http_server(void **state)
{
	struct bh_metrics_snapshot s = sample();
	struct bh_http *srv = NULL;
	static struct body b;
	uint16_t port;

	(void)state;
	assert_int_equal(bh_http_start("127.0.0.1:0", &srv), 0);
	port = bh_http_port(srv);
	assert_true(port > 0);

	/* Nothing published yet: not attached, so not healthy. */
	assert_int_equal(fetch(port, "/healthz", false, &b), 503);
	assert_non_null(strstr(b.buf, "not attached"));

	bh_http_publish(srv, &s);
	bh_http_touch(srv, bh_mono_ns());
	assert_int_equal(fetch(port, "/healthz", false, &b), 200);
	assert_string_equal(b.buf, "ok\n");
	assert_int_equal(fetch(port, "/metrics", false, &b), 200);
	assert_true(series_value(b.buf, "bulkhead_events_total{family=\"exec\"}") == 42);
	assert_true(series_value(b.buf, "bulkhead_up") == 1);

	/* A drain older than the limit turns the probe red. */
	bh_http_touch(srv, bh_mono_ns() - BH_HEALTH_MAX_AGE_NS - SEC);
	assert_int_equal(fetch(port, "/healthz", false, &b), 503);
	assert_non_null(strstr(b.buf, "not been drained"));

	assert_int_equal(fetch(port, "/nope", false, &b), 404);
	assert_int_equal(fetch(port, "/metrics", true, &b), 405);
	bh_http_stop(srv);
}

/* /findings: what the loop published, filtered by the query; a bad filter is a JSON 400. */
static void test_http_findings(void **state)
{
	static const char line[] =
		"{\"schema\":1,\"time\":\"2026-01-01T00:00:01Z\",\"type\":\"finding\","
		"\"rule\":\"privileged-container\",\"severity\":\"critical\",\"summary\":\"s\","
		"\"container\":{\"id\":\"ab12\",\"name\":\"/web\"},\"evidence\":{},"
		"\"remediation\":\"r\"}\n";
	struct bh_open_findings *set;
	struct bh_http *srv = NULL;
	struct json_object *o;
	static struct body b;
	uint16_t port;

	(void)state;
	assert_int_equal(bh_http_start("127.0.0.1:0", &srv), 0);
	port = bh_http_port(srv);
	/* nothing published yet: none open */
	assert_int_equal(fetch(port, "/findings", false, &b), 200);
	o = bh_test_parse(b.buf, b.len - 1);
	assert_string_equal(bh_test_jtext(o, "open_findings"), "0");
	json_object_put(o);

	assert_int_equal(bh_open_findings_new(8, 8, &set), 0);
	assert_int_equal(bh_open_findings_add(set, NULL, "k", line, sizeof(line) - 1, NULL), 1);
	assert_int_equal(bh_http_publish_findings(srv, bh_open_view_build(set)), 0);
	assert_int_equal(fetch(port, "/findings?container=web&severity=high", false, &b), 200);
	o = bh_test_parse(b.buf, b.len - 1);
	assert_string_equal(bh_test_jtext(o, "open_findings"), "1");
	assert_string_equal(
		bh_test_jtext(json_object_array_get_idx(bh_test_jget(o, "containers"), 0),
			      "container.id"),
		"\"ab12\"");
	json_object_put(o);
	assert_int_equal(fetch(port, "/findings?namespace=prod", false, &b), 200);
	assert_non_null(strstr(b.buf, "\"open_findings\":0"));

	/* a newer view replaces it; the old one is freed (ASan would see a leak) */
	bh_open_findings_remove(set, "ab12");
	assert_int_equal(bh_http_publish_findings(srv, bh_open_view_build(set)), 0);
	assert_int_equal(fetch(port, "/findings", false, &b), 200);
	assert_non_null(strstr(b.buf, "\"open_findings\":0"));

	assert_int_equal(fetch(port, "/findings?severity=severe", false, &b), 400);
	o = bh_test_parse(b.buf, b.len - 1);
	assert_string_equal(bh_test_jtext(o, "filter"), "\"severity\"");
	assert_non_null(strstr(bh_test_jtext(o, "error"), "low, medium, high, critical"));
	json_object_put(o);
	assert_int_equal(fetch(port, "/findings?pod=x", false, &b), 400);
	assert_int_equal(fetch(port, "/findings?container=", false, &b), 400);
	bh_open_findings_free(set);
	bh_http_stop(srv);
}

static void test_http_bad_address(void **state)
{
	struct bh_http *srv = NULL, *second = NULL;
	char spec[32];

	(void)state;
	assert_int_equal(bh_http_start("nowhere:1", &srv), -EINVAL);
	assert_null(srv);
	/* The port is taken: a clear error, not a silent second server. */
	assert_int_equal(bh_http_start("127.0.0.1:0", &srv), 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", bh_http_port(srv));
	assert_true(bh_http_start(spec, &second) < 0);
	assert_null(second);
	bh_http_stop(srv);
	bh_http_stop(NULL);
}

/* bh_ringbuf_usage() on a real ring buffer map; needs CAP_BPF, skipped without it. */
static void test_ringbuf_usage(void **state)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	__u64 used = 1, size = 0;
	int fd;

	(void)state;
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "bh_test_rb", 0, 0, 16384, &opts);
	if (fd < 0) {
		skip();
		return;
	}
	assert_int_equal(bh_ringbuf_usage(fd, &used, &size), 0);
	assert_int_equal(used, 0);
	assert_int_equal(size, 16384);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_only_when_attached_and_drained),
		cmocka_unit_test(test_render_prometheus_text),
		cmocka_unit_test(test_findings_counted_by_rules_engine),
		cmocka_unit_test(test_own_pod_exempt),
		cmocka_unit_test(test_policy_series),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_http_server),
		cmocka_unit_test(test_http_findings),
		cmocka_unit_test(test_http_bad_address),
		cmocka_unit_test(test_ringbuf_usage),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
