// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_output_ecs.c - each v1 line type (event, finding, stats, lifecycle) mapped onto ECS. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "rules/finding.h"
#include "helpers.h"
#include "output/output_ecs.h"
#include "output/output_json.h"

static const char ctr_id[] = "8c024f8abfce8e10705546031d8b79c2a21d1905ac309e53aa042d0b4409e44e";

static void pod_container(struct bh_container *c)
{
	static struct bh_label labels[] = { { .key = "app", .value = "web", .pod = true } };

	memset(c, 0, sizeof(*c));
	memcpy(c->id, ctr_id, sizeof(ctr_id));
	c->runtime = "containerd";
	c->name = "k8s_app_web";
	c->image = "nginx:1";
	c->pod_name = "web-0";
	c->pod_namespace = "shop";
	c->pod_uid = "1234";
	c->labels = labels;
	c->n_labels = 1;
}

/* Converts the v1 line in w and parses the ECS document strictly. */
static struct json_object *convert(const struct bh_json *w)
{
	struct bh_json out;
	struct json_object *o;

	bh_json_init(&out);
	assert_int_equal(bh_ecs_convert(bh_json_data(w), bh_json_len(w), "node-1", &out), 0);
	assert_true(bh_json_len(&out) > 0 && bh_json_data(&out)[bh_json_len(&out) - 1] == '\n');
	o = bh_test_parse(bh_json_data(&out), bh_json_len(&out) - 1);
	assert_non_null(o);
	bh_json_free(&out);
	return o;
}

static void assert_common(struct json_object *o, const char *kind, const char *dataset)
{
	assert_string_equal(bh_test_jtext(o, "ecs.version"), "\"" BH_ECS_VERSION "\"");
	assert_string_equal(bh_test_jtext(o, "event.kind"), kind);
	assert_string_equal(bh_test_jtext(o, "event.module"), "\"bulkhead\"");
	assert_string_equal(bh_test_jtext(o, "event.dataset"), dataset);
	assert_string_equal(bh_test_jtext(o, "host.hostname"), "\"node-1\"");
	assert_string_equal(bh_test_jtext(o, "bulkhead.schema"), "1");
	assert_non_null(bh_test_jget(o, "@timestamp"));
}

static void test_exec_event(void **state)
{
	struct bh_str tail[2] = { BH_TSTR("/bin/sh"), BH_TSTR("sh\0-c\0id") };
	struct bh_container c;
	struct bh_test_rec r;
	struct bh_event ev;
	struct bh_json w;
	struct json_object *o;
	struct bh_hdr *h = bh_test_record(&r, BH_EV_EXEC, BH_TSTR("/bin/busybox"), tail, 2);

	(void)state;
	h->tgid = 4242;
	h->pid = 4243;
	h->ppid = 4200;
	h->uid = 1000;
	h->euid = 0;
	memcpy(h->comm, "sh", 3);
	((struct bh_exec *)h)->argc = 3;
	pod_container(&c);
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);
	bh_json_init(&w);
	bh_json_event_line(&w, &ev, &c, 0);
	o = convert(&w);
	assert_common(o, "\"event\"", "\"bulkhead.event\"");
	assert_string_equal(bh_test_jtext(o, "event.category"), "[\"process\"]");
	assert_string_equal(bh_test_jtext(o, "event.type"), "[\"start\"]");
	assert_string_equal(bh_test_jtext(o, "event.action"), "\"exec\"");
	assert_string_equal(bh_test_jtext(o, "event.outcome"), "\"success\"");
	assert_string_equal(bh_test_jtext(o, "process.pid"), "4242");
	assert_string_equal(bh_test_jtext(o, "process.thread.id"), "4243");
	assert_string_equal(bh_test_jtext(o, "process.ppid"), "4200");
	assert_string_equal(bh_test_jtext(o, "process.parent.pid"), "4200");
	assert_string_equal(bh_test_jtext(o, "process.executable"), "\"/bin/busybox\"");
	assert_string_equal(bh_test_jtext(o, "process.name"), "\"sh\"");
	assert_string_equal(bh_test_jtext(o, "process.args"), "[\"sh\",\"-c\",\"id\"]");
	assert_string_equal(bh_test_jtext(o, "process.args_count"), "3");
	assert_string_equal(bh_test_jtext(o, "process.user.id"), "\"0\"");
	assert_string_equal(bh_test_jtext(o, "process.real_user.id"), "\"1000\"");
	assert_string_equal(bh_test_jtext(o, "container.id"),
			    "\"8c024f8abfce8e10705546031d8b79c2a21d1905ac309e53aa042d0b4409e44e\"");
	assert_string_equal(bh_test_jtext(o, "container.image.name"), "\"nginx:1\"");
	assert_string_equal(bh_test_jtext(o, "container.runtime"), "\"containerd\"");
	assert_string_equal(bh_test_jtext(o, "orchestrator.type"), "\"kubernetes\"");
	assert_string_equal(bh_test_jtext(o, "orchestrator.namespace"), "\"shop\"");
	assert_string_equal(bh_test_jtext(o, "orchestrator.resource.type"), "\"pod\"");
	assert_string_equal(bh_test_jtext(o, "orchestrator.resource.name"), "\"web-0\"");
	/* ECS 8.11: the pod's labels as key:value, the inferred workload's kind as the parent's */
	assert_string_equal(bh_test_jtext(o, "orchestrator.resource.label"), "[\"app:web\"]");
	assert_string_equal(bh_test_jtext(o, "orchestrator.resource.parent.type"),
			    "\"StatefulSet\"");
	/* What ECS has no field for stays under bulkhead.*. */
	assert_string_equal(bh_test_jtext(o, "bulkhead.exec.filename"), "\"/bin/sh\"");
	assert_string_equal(bh_test_jtext(o, "bulkhead.event"), "\"exec\"");
	assert_non_null(bh_test_jget(o, "bulkhead.namespaces"));
	assert_non_null(bh_test_jget(o, "bulkhead.process.cap_effective"));
	assert_string_equal(bh_test_jtext(o, "bulkhead.process.pid"), "<absent>");
	assert_string_equal(bh_test_jtext(o, "bulkhead.process.runtime_setup"), "<absent>");
	assert_string_equal(bh_test_jtext(o, "bulkhead.process.compat_syscall"), "<absent>");
	json_object_put(o);
	bh_json_free(&w);

	/* the runtime's set-up mark and a compat entry: bulkhead's own members, as in JSON */
	h->flags = BH_HDR_RUNTIME_SETUP | BH_HDR_COMPAT_IA32;
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);
	bh_json_init(&w);
	bh_json_event_line(&w, &ev, &c, 0);
	o = convert(&w);
	assert_string_equal(bh_test_jtext(o, "bulkhead.process.runtime_setup"), "true");
	assert_string_equal(bh_test_jtext(o, "bulkhead.process.compat_syscall"), "\"ia32\"");
	assert_string_equal(bh_test_jtext(o, "bulkhead.process.outside_cgroup"), "<absent>");
	json_object_put(o);
	bh_json_free(&w);
}

static void test_connect_inet_host_process(void **state)
{
	struct bh_test_rec r;
	struct bh_event ev;
	struct bh_json w;
	struct json_object *o;
	struct bh_connect *cn;

	(void)state;
	cn = (struct bh_connect *)bh_test_record(&r, BH_EV_CONNECT, BH_TSTR(""), NULL, 0);
	cn->hdr.ret = -111;
	cn->family = AF_INET;
	cn->sock_type = SOCK_STREAM;
	cn->port = 2375;
	memcpy(cn->addr, "\x7f\x00\x00\x01", 4);
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);
	bh_json_init(&w);
	bh_json_event_line(&w, &ev, NULL, 0);
	o = convert(&w);
	assert_string_equal(bh_test_jtext(o, "event.category"), "[\"network\"]");
	assert_string_equal(bh_test_jtext(o, "event.type"), "[\"connection\",\"start\"]");
	assert_string_equal(bh_test_jtext(o, "event.outcome"), "\"failure\"");
	assert_string_equal(bh_test_jtext(o, "destination.ip"), "\"127.0.0.1\"");
	assert_string_equal(bh_test_jtext(o, "destination.port"), "2375");
	assert_string_equal(bh_test_jtext(o, "network.transport"), "\"tcp\"");
	assert_string_equal(bh_test_jtext(o, "network.type"), "\"ipv4\"");
	/* A host process: no container fields at all. */
	assert_string_equal(bh_test_jtext(o, "container"), "<absent>");
	assert_string_equal(bh_test_jtext(o, "orchestrator"), "<absent>");
	json_object_put(o);
	bh_json_free(&w);
}

static void test_finding(void **state)
{
	struct bh_container c;
	struct bh_finding f = {
		.rule = "docker-socket-mount",
		.severity = "critical",
		.summary = "container \"web\" mounts the docker socket",
		.remediation = "remove the bind mount",
		.container = &c,
		.time_ns = 1,
	};
	struct bh_json w;
	struct json_object *o;

	(void)state;
	pod_container(&c);
	bh_json_init(&w);
	bh_finding_write(&w, &f, "{\"mount\":\"/var/run/docker.sock\"}", 32);
	o = convert(&w);
	assert_common(o, "\"alert\"", "\"bulkhead.finding\"");
	/* No triggering event: a configuration finding. */
	assert_string_equal(bh_test_jtext(o, "event.category"),
			    "[\"intrusion_detection\",\"configuration\"]");
	assert_string_equal(bh_test_jtext(o, "event.severity"), "99");
	assert_string_equal(bh_test_jtext(o, "event.action"), "\"docker-socket-mount\"");
	assert_string_equal(bh_test_jtext(o, "rule.id"), "\"docker-socket-mount\"");
	assert_string_equal(bh_test_jtext(o, "rule.name"), "\"docker-socket-mount\"");
	assert_non_null(bh_test_jget(o, "rule.description"));
	assert_string_equal(bh_test_jtext(o, "message"),
			    "\"container \\\"web\\\" mounts the docker socket\"");
	assert_string_equal(bh_test_jtext(o, "bulkhead.severity"), "\"critical\"");
	assert_string_equal(bh_test_jtext(o, "bulkhead.evidence.mount"),
			    "\"/var/run/docker.sock\"");
	assert_string_equal(bh_test_jtext(o, "bulkhead.remediation"), "\"remove the bind mount\"");
	assert_string_equal(bh_test_jtext(o, "container.name"), "\"k8s_app_web\"");
	json_object_put(o);
	bh_json_free(&w);
}

static void test_stats_and_lifecycle(void **state)
{
	static const char stats[] =
		"{\"schema\":1,\"time\":\"2026-01-01T00:00:00Z\",\"type\":\"stats\","
		"\"final\":false,\"events_total\":18446744073709551615}\n";
	static const char life[] =
		"{\"schema\":1,\"time\":\"2026-01-01T00:00:00Z\",\"type\":\"lifecycle\","
		"\"action\":\"container-stop\",\"container\":{\"id\":\"ab\",\"name\":\"web\"},"
		"\"open_findings\":3}\n";
	struct bh_json w;
	struct json_object *o;

	(void)state;
	bh_json_init(&w);
	bh_json_raw(&w, stats, sizeof(stats) - 1);
	o = convert(&w);
	assert_common(o, "\"metric\"", "\"bulkhead.stats\"");
	assert_string_equal(bh_test_jtext(o, "@timestamp"), "\"2026-01-01T00:00:00Z\"");
	/* 64-bit counters keep every digit. */
	assert_string_equal(bh_test_jtext(o, "bulkhead.events_total"), "18446744073709551615");
	json_object_put(o);

	bh_json_reset(&w);
	bh_json_raw(&w, life, sizeof(life) - 1);
	o = convert(&w);
	assert_common(o, "\"event\"", "\"bulkhead.lifecycle\"");
	assert_string_equal(bh_test_jtext(o, "event.type"), "[\"end\"]");
	assert_string_equal(bh_test_jtext(o, "event.action"), "\"container-stop\"");
	assert_string_equal(bh_test_jtext(o, "container.name"), "\"web\"");
	assert_string_equal(bh_test_jtext(o, "message"), "\"container web stopped\"");
	/* what was open when it stopped: the line's own member, kept */
	assert_string_equal(bh_test_jtext(o, "bulkhead.open_findings"), "3");
	json_object_put(o);
	bh_json_free(&w);
}

static void test_rejects_non_objects(void **state)
{
	struct bh_json out;

	(void)state;
	bh_json_init(&out);
	assert_int_equal(bh_ecs_convert("[1]\n", 4, NULL, &out), -EINVAL);
	assert_int_equal(bh_ecs_convert("{\"a\":", 5, NULL, &out), -EINVAL);
	assert_int_equal(bh_ecs_convert("", 0, NULL, &out), -EINVAL);
	bh_json_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_event),
		cmocka_unit_test(test_connect_inet_host_process),
		cmocka_unit_test(test_finding),
		cmocka_unit_test(test_stats_and_lifecycle),
		cmocka_unit_test(test_rejects_non_objects),
	};

	return cmocka_run_group_tests_name("output_ecs", tests, NULL, NULL);
}
