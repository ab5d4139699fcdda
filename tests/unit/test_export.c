// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_export.c - --export URIs (kinds, defaults, parameters, secrets from files and env
 * only), the syslog and HEC records of a finding, and a file output's queue: filtered by
 * type and severity, delivered in order, counted; the policy file's exports list.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/catalogue.h"
#include "core/json_reader.h"
#include "export/export_impl.h"
#include "rules/policy.h"

static const char finding[] =
	"{\"schema\":1,\"time\":\"2026-12-05T12:00:01.123456789Z\",\"type\":\"finding\","
	"\"host\":{\"name\":\"node-1\"},\"rule\":\"docker-socket-access\",\"severity\":"
	"\"critical\","
	"\"summary\":\"a|b=c\\\\d ] \\\"q\\\"\",\"container\":{\"id\":\"abc\",\"name\":\"web\","
	"\"image\":\"img:1\",\"pod\":{\"name\":\"p\",\"namespace\":\"ns\"}},"
	"\"process\":{\"pid\":42,\"uid\":0,\"comm\":\"sh\",\"exe\":\"/bin/sh\"},"
	"\"evidence\":{},\"remediation\":\"fix it\"}\n";

static void test_uri_kinds_and_defaults(void **state)
{
	struct bh_export_spec s;

	(void)state;
	assert_int_equal(bh_export_spec_parse("syslog://127.0.0.1:514", &s), 0);
	assert_int_equal(s.kind, BH_EXPORT_SYSLOG_UDP);
	assert_int_equal(s.format, BH_EXPORT_FMT_RFC5424);
	assert_int_equal(s.types, 1u << BH_EXPORT_FINDING); /* network: findings only */
	assert_string_equal(s.host, "127.0.0.1");
	assert_string_equal(s.port, "514");
	bh_export_spec_free(&s);

	assert_int_equal(bh_export_spec_parse("syslog+tcp://[::1]:6514?format=cef&min_severity="
					      "high&facility=auth",
					      &s),
			 0);
	assert_int_equal(s.kind, BH_EXPORT_SYSLOG_TCP);
	assert_int_equal(s.format, BH_EXPORT_FMT_CEF);
	assert_int_equal(s.min_severity, BH_SEV_HIGH);
	assert_int_equal(s.facility, 4);
	assert_string_equal(s.host, "::1");
	bh_export_spec_free(&s);

	assert_int_equal(bh_export_spec_parse("file:///var/log/bh.log?max_size=100&keep=2", &s), 0);
	assert_int_equal(s.kind, BH_EXPORT_FILE);
	assert_int_equal(s.types, (1u << BH_EXPORT_TYPES) - 1); /* a file: every line */
	assert_int_equal(s.max_size, 100);
	assert_int_equal(s.keep, 2);
	bh_export_spec_free(&s);

	assert_int_equal(bh_export_spec_parse("https://es:9200/_bulk?format=es-bulk&types=finding,"
					      "lifecycle&batch=500",
					      &s),
			 0);
	assert_string_equal(s.url, "https://es:9200/_bulk");
	assert_string_equal(s.index, "bulkhead");
	assert_int_equal(s.batch, 500);
	assert_int_equal(s.types, 1u << BH_EXPORT_FINDING | 1u << BH_EXPORT_LIFECYCLE);
	bh_export_spec_free(&s);
}

static void test_uri_errors(void **state)
{
	static const char *const bad[] = {
		"tcp://host:1",				  /* unknown scheme */
		"syslog://host",			  /* no port */
		"syslog://host:70000",			  /* port out of range */
		"syslog+unix://dev/log",		  /* relative path */
		"syslog://h:1?format=hec",		  /* a format of another kind */
		"syslog://h:1?min_severity=huge",	  /* unknown severity */
		"syslog://h:1?types=finding,nothing",	  /* unknown type */
		"syslog://h:1?queue=0",			  /* no room */
		"file:///x?batch=3",			  /* a parameter of another kind */
		"http://h/x?token=abc",			  /* a secret on the command line */
		"http://user:pw@h/x",			  /* credentials in the URI */
		"http://h/services/collector?format=hec", /* HEC without a token */
		"http://h/x?token_env=BH_TEST_UNSET_VAR", /* an empty secret */
		"http://h/x?token_file=/nonexistent/token",
		"http://h/x?password_env=HOME", /* a password without a user */
	};
	struct bh_export_spec s;

	(void)state;
	unsetenv("BH_TEST_UNSET_VAR");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = bh_export_spec_parse(bad[i], &s);

		if (err != -EINVAL)
			fail_msg("%s: %d, not -EINVAL", bad[i], err);
	}
}

static void test_secrets_from_file_and_env(void **state)
{
	char path[] = "/tmp/bh-test-token-XXXXXX";
	struct bh_export_spec s;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "t0k3n\n", 6), 6);
	close(fd);
	char uri[256];

	snprintf(uri, sizeof(uri), "http://h/c?format=hec&token_file=%s", path);
	assert_int_equal(bh_export_spec_parse(uri, &s), 0);
	assert_string_equal(s.token, "t0k3n"); /* first line, no newline */
	assert_null(strstr(s.uri, "t0k3n"));
	bh_export_spec_free(&s);
	unlink(path);

	setenv("BH_TEST_PASSWORD", "pw", 1);
	assert_int_equal(
		bh_export_spec_parse("http://h/x?user=u&password_env=BH_TEST_PASSWORD", &s), 0);
	assert_string_equal(s.user, "u");
	assert_string_equal(s.password, "pw");
	bh_export_spec_free(&s);
}

/* An output set up for formatting only (no thread). */
static void format_only(struct bh_export *e, const char *uri)
{
	memset(e, 0, sizeof(*e));
	assert_int_equal(bh_export_spec_parse(uri, &e->spec), 0);
	bh_json_init(&e->fmt);
	bh_json_init(&e->scratch);
	strcpy(e->hostname, "this-host");
}

static void format_done(struct bh_export *e)
{
	bh_json_free(&e->fmt);
	bh_json_free(&e->scratch);
	bh_export_spec_free(&e->spec);
}

static void test_rfc5424_record(void **state)
{
	struct json_object *obj = bh_jobj_parse(finding, sizeof(finding) - 1);
	struct bh_export e;
	char head[128];

	(void)state;
	format_only(&e, "syslog://h:1");
	assert_int_equal(bh_format_rfc5424(&e, obj, finding, sizeof(finding) - 1, &e.fmt), 0);
	/* local0 (16) * 8 + crit (2); the time cut to microseconds */
	snprintf(head, sizeof(head),
		 "<130>1 2026-12-05T12:00:01.123456Z node-1 bulkhead %d finding ", (int)getpid());
	assert_memory_equal(bh_json_data(&e.fmt), head, strlen(head));
	assert_non_null(
		strstr(bh_json_data(&e.fmt),
		       "[bulkhead@32473 rule=\"docker-socket-access\" severity=\"critical\" "
		       "container_id=\"abc\" container_name=\"web\" image=\"img:1\" "
		       "pod=\"ns/p\"] {\"schema\":1,"));
	/* MSG is the line without its newline */
	assert_int_not_equal(bh_json_data(&e.fmt)[bh_json_len(&e.fmt) - 1], '\n');
	format_done(&e);
	json_object_put(obj);
}

static void test_cef_record_escapes(void **state)
{
	struct json_object *obj = bh_jobj_parse(finding, sizeof(finding) - 1);
	struct bh_export e;
	const char *cef;

	(void)state;
	format_only(&e, "syslog+tcp://h:1?format=cef");
	assert_int_equal(bh_format_cef(&e, obj, finding, sizeof(finding) - 1, &e.fmt), 0);
	bh_json_raw(&e.fmt, "", 1);
	cef = strstr(bh_json_data(&e.fmt), " - CEF:0|");
	assert_non_null(cef);
	/* header: '|' and '\' escaped; extension: '=' and '\' escaped */
	assert_non_null(
		strstr(cef, "|docker-socket-access|a\\|b=c\\\\d ] \"q\"|10|rt=1796472001123 "));
	assert_non_null(strstr(cef, " msg=a|b\\=c\\\\d ] \"q\" "));
	assert_non_null(strstr(cef, " dvchost=node-1 cat=finding "));
	assert_non_null(strstr(cef, " sproc=sh filePath=/bin/sh spid=42 suid=0 "));
	assert_non_null(strstr(cef, " cs1Label=containerId cs1=abc "));
	assert_non_null(strstr(cef, " cs4Label=pod cs4=ns/p "));
	format_done(&e);
	json_object_put(obj);
}

static void test_hec_and_bulk_records(void **state)
{
	struct json_object *obj = bh_jobj_parse(finding, sizeof(finding) - 1), *env;
	struct bh_export e;
	const char *nl;

	(void)state;
	setenv("BH_TEST_TOKEN", "tok", 1);
	format_only(&e, "http://h/c?format=hec&token_env=BH_TEST_TOKEN&index=sec");
	assert_int_equal(bh_format_http_record(&e, obj, finding, sizeof(finding) - 1, &e.fmt), 0);
	env = bh_jobj_parse(bh_json_data(&e.fmt), bh_json_len(&e.fmt));
	assert_non_null(env);
	assert_string_equal(bh_jobj_str(env, "host"), "node-1");
	assert_string_equal(bh_jobj_str(env, "sourcetype"), "bulkhead:finding");
	assert_string_equal(bh_jobj_str(env, "index"), "sec");
	assert_float_equal(json_object_get_double(bh_jobj_get(env, "time", json_type_double)),
			   1796472001.123, 1e-6);
	assert_string_equal(bh_jobj_str(bh_jobj_get(env, "event", json_type_object), "rule"),
			    "docker-socket-access");
	json_object_put(env);
	format_done(&e);

	/* format=json: one array per POST, of the lines without their newlines */
	format_only(&e, "http://h/x");
	struct bh_export_rec *recs[2];
	struct bh_export_batch b = { .recs = recs, .n = 2, .done = 0 };
	struct bh_json body;

	bh_json_init(&body);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
			bh_format_http_record(&e, obj, finding, sizeof(finding) - 1, &e.fmt), 0);
		recs[i] = malloc(sizeof(*recs[i]) + bh_json_len(&e.fmt));
		recs[i]->len = bh_json_len(&e.fmt);
		memcpy(recs[i]->data, bh_json_data(&e.fmt), recs[i]->len);
	}
	assert_int_equal(bh_format_http_body(&e, &b, &body), 0);
	env = bh_json_parse_as(bh_json_data(&body), bh_json_len(&body), json_type_array);
	assert_non_null(env);
	assert_int_equal(json_object_array_length(env), 2);
	json_object_put(env);
	b.done = 1; /* a retry sends only what was not delivered */
	assert_int_equal(bh_format_http_body(&e, &b, &body), 0);
	assert_int_equal(bh_json_data(&body)[0], '[');
	assert_int_equal(bh_json_len(&body), recs[1]->len + 2);
	free(recs[0]);
	free(recs[1]);
	bh_json_free(&body);
	format_done(&e);

	format_only(&e, "http://h/_bulk?format=es-bulk");
	assert_int_equal(bh_format_http_record(&e, obj, finding, sizeof(finding) - 1, &e.fmt), 0);
	nl = memchr(bh_json_data(&e.fmt), '\n', bh_json_len(&e.fmt));
	assert_non_null(nl);
	assert_memory_equal(bh_json_data(&e.fmt), "{\"create\":{\"_index\":\"bulkhead\"}}\n",
			    (size_t)(nl - bh_json_data(&e.fmt)) + 1);
	assert_non_null(strstr(nl, "\"kind\":\"alert\""));
	assert_int_equal(bh_json_data(&e.fmt)[bh_json_len(&e.fmt) - 1], '\n');
	format_done(&e);
	json_object_put(obj);
}

/* A file output: only the types and severities asked for, in order, counted. */
static void test_file_output_filters_and_counts(void **state)
{
	char dir[] = "/tmp/bh-test-export-XXXXXX", uri[512], path[256], buf[4096];
	const char *const uris[1] = { uri };
	static const char stats[] = "{\"schema\":1,\"time\":\"2026-12-05T12:00:02Z\","
				    "\"type\":\"stats\"}\n";
	struct bh_export_stats st[BH_EXPORTS_MAX];
	struct bh_exports *x = NULL;
	struct json_object *parsed;
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.log", dir);
	snprintf(uri, sizeof(uri), "file://%s?types=finding&min_severity=critical", path);
	assert_int_equal(bh_exports_new(uris, 1, NULL, 0, true, &x), 0);
	parsed = json_tokener_parse(finding); /* parsed by the caller, as the pipeline does */
	bh_exports_line(x, finding, sizeof(finding) - 1, false, parsed);
	json_object_put(parsed);
	bh_exports_line(x, stats, sizeof(stats) - 1, false, NULL);    /* not a type it takes */
	bh_exports_line(x, finding, sizeof(finding) - 1, true, NULL); /* a raw event: not parsed */
	bh_exports_stop(x);
	assert_int_equal(bh_exports_snapshot(x, st), 1);
	assert_string_equal(st[0].name, uri);
	assert_int_equal(st[0].sent, 1);
	assert_int_equal(st[0].dropped, 0);
	assert_int_equal(st[0].queue_depth, 0);
	bh_exports_line(x, finding, sizeof(finding) - 1, false, NULL); /* after the stop: dropped */
	assert_int_equal(bh_exports_snapshot(x, st), 1);
	assert_int_equal(st[0].dropped, 1);
	bh_exports_free(x);

	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, sizeof(finding) - 1);
	assert_memory_equal(buf, finding, n);
	unlink(path);
	rmdir(dir);
}

/* The policy file's exports: list adds outputs after the command line's, checked alike. */
static void test_policy_file_exports(void **state)
{
	static const char good[] = "exports:\n  - \"file:///tmp/bh-test-policy-export.log\"\n";
	static const char bad[] = "exports:\n  - \"syslog://nowhere\"\n";
	const char *const cli[1] = { "file:///tmp/bh-test-cli-export.log" };
	struct bh_export_stats st[BH_EXPORTS_MAX];
	struct bh_policy *p = NULL;
	struct bh_exports *x = NULL;

	(void)state;
	assert_int_equal(bh_policy_parse("good.yaml", good, sizeof(good) - 1, &p), 0);
	assert_int_equal(p->n_exports, 1);
	assert_int_equal(bh_exports_new(cli, 1, p->exports, p->n_exports, false, &x), 0);
	assert_int_equal(bh_exports_snapshot(x, st), 2);
	assert_string_equal(st[0].name, cli[0]);
	assert_string_equal(st[1].name, "file:///tmp/bh-test-policy-export.log");
	bh_exports_free(x);
	bh_policy_free(p);
	unlink("/tmp/bh-test-policy-export.log");
	unlink("/tmp/bh-test-cli-export.log");

	assert_int_equal(bh_policy_parse("bad.yaml", bad, sizeof(bad) - 1, &p), 0);
	assert_int_equal(bh_exports_new(NULL, 0, p->exports, p->n_exports, false, &x), -EINVAL);
	bh_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_kinds_and_defaults),
		cmocka_unit_test(test_uri_errors),
		cmocka_unit_test(test_secrets_from_file_and_env),
		cmocka_unit_test(test_rfc5424_record),
		cmocka_unit_test(test_cef_record_escapes),
		cmocka_unit_test(test_hec_and_bulk_records),
		cmocka_unit_test(test_file_output_filters_and_counts),
		cmocka_unit_test(test_policy_file_exports),
	};

	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
