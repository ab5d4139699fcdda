// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_tui_model.c - `bulkhead top` folds schema-v1 lines into containers, a feed and rates. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "top/tui_model.h"

#define CTR_WEB                                                                                    \
	"{\"id\":\"2aa791134a749111c1bf6265f929afb7fe2eccd67c51c6dea752fbcef3573afa\","            \
	"\"name\":\"web\",\"image\":\"local/busybox:1\",\"runtime\":\"docker\"}"
#define CTR_POD                                                                                    \
	"{\"id\":\"e8a7a92bd73ca76e3150b2995357c0d6d0b4db3b93f2b727ecd0539403f7513b\","            \
	"\"name\":\"k8s_app_web-0\",\"image\":\"docker.io/local/busybox:1\","                      \
	"\"runtime\":\"containerd\",\"pod\":{\"name\":\"web-0\",\"namespace\":\"shop\","           \
	"\"uid\":\"0b1c\",\"container\":\"app\"}}"

static const char exec_web[] =
	"{\"schema\":1,\"time\":\"2026-11-30T04:54:38.076011455Z\",\"type\":\"event\","
	"\"event\":\"exec\",\"process\":{\"pid\":2490,\"comm\":\"sh\"},\"container\":" CTR_WEB
	",\"ret\":0,\"exec\":{\"filename\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"id\"]}}";

static const char finding_web[] =
	"{\"schema\":1,\"time\":\"2026-11-30T04:54:35.181946453Z\",\"type\":\"finding\","
	"\"rule\":\"docker-socket-mount\",\"severity\":\"high\",\"summary\":\"Container "
	"\\\"web\\\" mounts the runtime socket\",\"container\":" CTR_WEB
	",\"evidence\":{\"mounts\":[{\"source\":\"/var/run/docker.sock\",\"destination\":\"/s\"}]},"
	"\"remediation\":\"Remove the mount of the runtime socket\"}";

static int setup(void **state)
{
	struct tui_model *m = malloc(sizeof(*m));

	/* Feed times are shown in local time: pin the zone. */
	setenv("TZ", "UTC", 1);
	tzset();
	tui_model_init(m);
	*state = m;
	return m ? 0 : -1;
}

static int teardown(void **state)
{
	tui_model_free(*state);
	free(*state);
	return 0;
}

static int ingest(struct tui_model *m, const char *line, int64_t now)
{
	return tui_model_ingest(m, line, strlen(line), now);
}

static void test_event_creates_container_and_rates(void **state)
{
	struct tui_model *m = *state;
	const struct tui_container *c;

	for (int i = 0; i < 10; i++)
		assert_int_equal(ingest(m, exec_web, 100), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ingest(m, exec_web, 101), 0);
	assert_int_equal(m->nctrs, 1);
	c = m->ctrs[0];
	assert_string_equal(c->name, "web");
	assert_string_equal(c->image, "local/busybox:1");
	assert_string_equal(c->pod, "");
	assert_int_equal(c->events, 15);
	/* Complete seconds only, averaged over the window: (10 + 5) / 5. */
	assert_true(tui_rate_get(&c->rate, 102) > 2.99 && tui_rate_get(&c->rate, 102) < 3.01);
	assert_true(tui_rate_get(&c->rate, 101) > 1.99 && tui_rate_get(&c->rate, 101) < 2.01);
	assert_true(tui_rate_get(&c->rate, 100 + TUI_RATE_WINDOW + 2) < 0.01);
	assert_true(tui_model_family_rate(m, 1 /* exec */, 102) > 2.99);
	assert_int_equal(c->nrecent, TUI_RECENT_EVENTS);
	assert_non_null(strstr(c->recent[0], "04:54:38 sh[2490] exec    sh -c id ret=0"));
}

static void test_pod_and_host_rows(void **state)
{
	struct tui_model *m = *state;
	static const char pod_ev[] = "{\"schema\":1,\"time\":\"2026-11-30T04:54:38Z\",\"type\":"
				     "\"event\",\"event\":\"connect\",\"process\":{\"pid\":7,"
				     "\"comm\":\"curl\"},\"container\":" CTR_POD
				     ",\"ret\":0,\"connect\":{\"family\":\"unix\","
				     "\"peer_path\":\"/var/run/docker.sock\"}}";
	static const char host_ev[] = "{\"schema\":1,\"time\":\"2026-11-30T04:54:38Z\",\"type\":"
				      "\"event\",\"event\":\"bind\",\"process\":{\"pid\":1,"
				      "\"comm\":\"sshd\"},\"container\":null,\"ret\":0,"
				      "\"bind\":{\"addr\":\"0.0.0.0\",\"port\":22}}";
	const struct tui_container *c;

	assert_int_equal(ingest(m, pod_ev, 5), 0);
	assert_int_equal(ingest(m, host_ev, 5), 0);
	c = tui_model_container_by_id(
		m, "e8a7a92bd73ca76e3150b2995357c0d6d0b4db3b93f2b727ecd0539403f7513b");
	assert_non_null(c);
	/* Kubernetes: the pod's container name, not the runtime's k8s_... name. */
	assert_string_equal(c->name, "app");
	assert_string_equal(c->pod, "shop/web-0");
	assert_non_null(strstr(c->recent[0], "connect /var/run/docker.sock"));
	c = tui_model_container_by_id(m, "");
	assert_non_null(c);
	assert_string_equal(c->name, "(host)");
	assert_non_null(strstr(c->recent[0], "bind    0.0.0.0:22"));
}

static void test_lifecycle_adds_and_removes_rows(void **state)
{
	struct tui_model *m = *state;
	static const char start[] =
		"{\"schema\":1,\"time\":\"2026-11-30T04:54:38Z\",\"type\":"
		"\"lifecycle\",\"action\":\"container-start\",\"container\":" CTR_WEB "}";
	static const char stop[] =
		"{\"schema\":1,\"time\":\"2026-11-30T04:55:38Z\",\"type\":"
		"\"lifecycle\",\"action\":\"container-stop\",\"container\":" CTR_WEB "}";
	const struct tui_container *c;

	/* an idle container has its row from its start line */
	assert_int_equal(ingest(m, start, 5), 0);
	assert_int_equal(m->nctrs, 1);
	c = m->ctrs[0];
	assert_string_equal(c->name, "web");
	assert_int_equal(c->events, 0);
	/* its events land on that row; its findings outlive it in the feed */
	assert_int_equal(ingest(m, exec_web, 6), 0);
	assert_int_equal(ingest(m, finding_web, 6), 0);
	assert_int_equal(m->nctrs, 1);
	assert_int_equal(m->ctrs[0]->events, 1);
	assert_int_equal(ingest(m, stop, 7), 0);
	assert_int_equal(m->nctrs, 0);
	assert_non_null(tui_model_finding(m, 0));
	assert_int_equal(m->bad_lines, 0);
}

static void test_finding_feed_and_detail(void **state)
{
	struct tui_model *m = *state;
	const struct tui_finding *f;
	const struct tui_container *c;

	assert_int_equal(ingest(m, finding_web, 1), 0);
	f = tui_model_finding(m, 0);
	assert_non_null(f);
	assert_null(tui_model_finding(m, 1));
	assert_int_equal(f->seq, 1);
	assert_string_equal(f->when, "04:54:35");
	assert_int_equal(f->sev, TUI_SEV_HIGH);
	assert_string_equal(f->rule, "docker-socket-mount");
	assert_string_equal(f->ctr_name, "web");
	assert_string_equal(f->process, ""); /* a configuration finding has no process */
	assert_string_equal(f->summary, "Container \"web\" mounts the runtime socket");
	/* Every field, nested ones indented, arrays of objects numbered. */
	assert_non_null(strstr(f->detail, "rule: docker-socket-mount\n"));
	assert_non_null(strstr(f->detail, "container:\n  id: 2aa79113"));
	assert_non_null(strstr(f->detail, "evidence:\n  mounts[0]:\n    source: "
					  "/var/run/docker.sock\n    destination: /s\n"));
	assert_non_null(strstr(f->detail, "remediation: Remove the mount of the runtime socket\n"));
	assert_null(strstr(f->detail, "schema"));
	c = m->ctrs[0];
	assert_int_equal(c->findings[TUI_SEV_HIGH], 1);
	assert_int_equal(c->worst, TUI_SEV_HIGH);
	assert_int_equal(c->nrules, 1);
	assert_int_equal(m->findings[TUI_SEV_HIGH], 1);
}

static void test_feed_keeps_newest(void **state)
{
	struct tui_model *m = *state;

	for (int i = 0; i < TUI_MAX_FINDINGS + 5; i++)
		assert_int_equal(ingest(m, finding_web, 1), 0);
	assert_int_equal(m->nfeed, TUI_MAX_FINDINGS);
	assert_int_equal(tui_model_finding(m, 0)->seq, TUI_MAX_FINDINGS + 5);
	assert_int_equal(tui_model_finding(m, TUI_MAX_FINDINGS - 1)->seq, 6);
	assert_null(tui_model_finding(m, TUI_MAX_FINDINGS));
	/* The totals keep what the feed forgot; the container has one finding open. */
	assert_int_equal(m->findings[TUI_SEV_HIGH], TUI_MAX_FINDINGS + 5);
	assert_int_equal(m->ctrs[0]->findings[TUI_SEV_HIGH], 1);
}

/*
 * A container's counts are its open findings: a finding seen again (a windowed one
 * repeated with its count, or the agent's open findings sent when top attaches) counts
 * once; another summary of a rule is another finding; they leave with its stop.
 */
static void test_open_findings_per_container(void **state)
{
	struct tui_model *m = *state;
	static const char again[] =
		"{\"schema\":1,\"time\":\"2026-11-30T05:54:35Z\",\"type\":\"finding\","
		"\"rule\":\"docker-socket-mount\",\"severity\":\"high\",\"summary\":\"Container "
		"\\\"web\\\" mounts the runtime socket\",\"container\":" CTR_WEB ",\"count\":3}";
	static const char other[] =
		"{\"schema\":1,\"time\":\"2026-11-30T05:54:36Z\",\"type\":\"finding\","
		"\"rule\":\"docker-socket-mount\",\"severity\":\"high\",\"summary\":\"Container "
		"\\\"web\\\" mounts the podman socket\",\"container\":" CTR_WEB "}";
	static const char stop[] =
		"{\"schema\":1,\"time\":\"2026-11-30T04:55:38Z\",\"type\":\"lifecycle\","
		"\"action\":\"container-stop\",\"container\":" CTR_WEB ",\"open_findings\":2}";

	assert_int_equal(ingest(m, finding_web, 1), 0);
	assert_int_equal(ingest(m, again, 2), 0);
	assert_int_equal(m->ctrs[0]->findings[TUI_SEV_HIGH], 1);
	assert_int_equal(ingest(m, other, 3), 0);
	assert_int_equal(m->ctrs[0]->findings[TUI_SEV_HIGH], 2);
	/* the feed has every line */
	assert_int_equal(m->nfeed, 3);
	assert_int_equal(ingest(m, stop, 4), 0);
	assert_int_equal(m->nctrs, 0);
	/* started again (same id, as docker start does): nothing is open yet */
	assert_int_equal(ingest(m, exec_web, 5), 0);
	assert_int_equal(m->ctrs[0]->findings[TUI_SEV_HIGH], 0);
	assert_int_equal(ingest(m, finding_web, 6), 0);
	assert_int_equal(m->ctrs[0]->findings[TUI_SEV_HIGH], 1);
}

static void test_stats_rates_drops(void **state)
{
	struct tui_model *m = *state;
	static const char s1[] =
		"{\"schema\":1,\"time\":\"2026-11-30T04:54:40Z\",\"type\":\"stats\","
		"\"events\":{\"exec\":100,\"mount\":4},\"drops\":0,\"containers\":3}";
	static const char s2[] = "{\"schema\":1,\"time\":\"2026-11-30T04:54:42.5Z\",\"type\":"
				 "\"stats\",\"events\":{\"exec\":350,\"mount\":4},\"drops\":7,"
				 "\"containers\":4}";

	assert_int_equal(ingest(m, s1, 10), 0);
	assert_int_equal(ingest(m, s2, 12), 0);
	assert_true(m->have_stats);
	assert_int_equal(m->drops, 7);
	assert_int_equal(m->agent_containers, 4);
	/* No event lines (an agent with --events none): the stats give the rate, 250 / 2.5 s. */
	assert_true(tui_model_family_rate(m, 1, 13) > 99.9 &&
		    tui_model_family_rate(m, 1, 13) < 100.1);
	assert_true(tui_model_family_rate(m, 3, 13) < 0.01);
}

static void test_bad_lines(void **state)
{
	struct tui_model *m = *state;

	assert_int_equal(ingest(m, "not json", 1), -EINVAL);
	assert_int_equal(ingest(m, "{\"schema\":2,\"type\":\"event\"}", 1), -EINVAL);
	assert_int_equal(ingest(m, "[1,2]", 1), -EINVAL);
	assert_int_equal(ingest(m, "{\"schema\":1,\"type\":\"event\"", 1), -EINVAL);
	/* A type added to the schema later is no error. */
	assert_int_equal(ingest(m, "{\"schema\":1,\"type\":\"audit\"}", 1), 0);
	assert_int_equal(m->bad_lines, 4);
	assert_int_equal(m->lines, 5);
	assert_int_equal(m->nctrs, 0);
}

static void test_container_table_full_evicts_oldest(void **state)
{
	struct tui_model *m = *state;
	char line[512];

	for (int i = 0; i <= TUI_MAX_CONTAINERS; i++) {
		snprintf(line, sizeof(line),
			 "{\"schema\":1,\"time\":\"2026-11-30T04:54:38Z\",\"type\":\"event\","
			 "\"event\":\"exec\",\"process\":{\"pid\":1,\"comm\":\"x\"},\"container\":"
			 "{\"id\":\"%064d\",\"name\":\"c%d\"},\"ret\":0,\"exec\":{}}",
			 i, i);
		assert_int_equal(ingest(m, line, 1000 + i), 0);
	}
	assert_int_equal(m->nctrs, TUI_MAX_CONTAINERS);
	snprintf(line, sizeof(line), "%064d", 0);
	assert_null(tui_model_container_by_id(m, line));
	snprintf(line, sizeof(line), "%064d", TUI_MAX_CONTAINERS);
	assert_non_null(tui_model_container_by_id(m, line));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_event_creates_container_and_rates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pod_and_host_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_findings_per_container, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_adds_and_removes_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_finding_feed_and_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feed_keeps_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_rates_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_container_table_full_evicts_oldest, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("tui_model", tests, NULL, NULL);
}
