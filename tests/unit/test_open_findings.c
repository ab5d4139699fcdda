// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_open_findings.c - the open findings of running containers: lines of the real rules
 * engine kept one per identity, the caps and their count, removal when a container stops,
 * the gauge's counts, and /findings' filters and document.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "collector/open_findings.h"
#include "core/json_reader.h"
#include "helpers.h"
#include "rules/rules.h"

#define SEC 1000000000LL

/* A finding line as the engine writes it, of container id (NULL: a host process). */
static int add_line(struct bh_open_findings *s, const char *key, const char *rule, const char *sev,
		    const char *id, const char *name, const char *ns, const char *time, int count)
{
	char line[1024], ctr[384], cnt[32] = "";
	struct json_object *parsed;
	int err;

	if (!id)
		snprintf(ctr, sizeof(ctr), "null");
	else if (ns)
		snprintf(ctr, sizeof(ctr),
			 "{\"id\":\"%s\",\"name\":\"%s\",\"runtime\":\"containerd\","
			 "\"pod\":{\"name\":\"p\",\"namespace\":\"%s\",\"container\":\"app\"}}",
			 id, name, ns);
	else
		snprintf(ctr, sizeof(ctr), "{\"id\":\"%s\",\"name\":\"%s\",\"runtime\":\"docker\"}",
			 id, name);
	if (count)
		snprintf(cnt, sizeof(cnt), ",\"count\":%d", count);
	snprintf(line, sizeof(line),
		 "{\"schema\":1,\"time\":\"%s\",\"type\":\"finding\",\"rule\":\"%s\","
		 "\"severity\":\"%s\",\"summary\":\"%s at %s\",\"container\":%s,"
		 "\"evidence\":{\"k\":1},\"remediation\":\"fix it\"%s}\n",
		 time, rule, sev, rule, time, ctr, cnt);
	/* parsed by the caller, as the pipeline does; the lines below are parsed by the set */
	parsed = json_tokener_parse(line);
	err = bh_open_findings_add(s, NULL, key, line, strlen(line), parsed);
	json_object_put(parsed);
	return err;
}

static const char ID_A[] = "aaaa000000000000000000000000000000000000000000000000000000000000";
static const char ID_B[] = "bbbb000000000000000000000000000000000000000000000000000000000000";
static const char ID_C[] = "cccc000000000000000000000000000000000000000000000000000000000000";

/* /findings of s through filter f, parsed. */
static struct json_object *render(const struct bh_open_findings *s, const struct bh_open_filter *f)
{
	struct bh_open_view *v = bh_open_view_build(s);
	struct json_object *o;
	char *text;
	size_t len;

	assert_non_null(v);
	assert_int_equal(bh_open_view_render(v, f, &text, &len), 0);
	assert_int_equal(text[len - 1], '\n');
	o = bh_test_parse(text, len - 1);
	assert_non_null(o);
	free(text);
	bh_open_view_free(v);
	return o;
}

static __u64 open_count(const struct bh_open_findings *s, int rule, int sev)
{
	__u64 counts[BH_RULE_COUNT][BH_SEV_COUNT];

	bh_open_findings_counts(s, counts);
	return counts[rule][sev];
}

static void test_add_dedup_by_identity(void **state)
{
	struct bh_open_filter all = { .min_severity = BH_SEV_LOW };
	struct bh_open_findings *s;
	struct json_object *o;

	(void)state;
	assert_int_equal(bh_open_findings_new(8, 8, &s), 0);
	assert_int_equal(add_line(s, "k1", "docker-socket-access", "critical", ID_A, "/web", NULL,
				  "2026-01-01T00:00:01Z", 1),
			 1);
	/* the same identity again, after the dedup window: one finding, the counts summed */
	assert_int_equal(add_line(s, "k1", "docker-socket-access", "critical", ID_A, "/web", NULL,
				  "2026-01-01T00:05:00Z", 3),
			 0);
	/* another identity of the same rule (another socket, another program) */
	assert_int_equal(add_line(s, "k2", "docker-socket-access", "critical", ID_A, "/web", NULL,
				  "2026-01-01T00:06:00Z", 1),
			 1);
	assert_int_equal(bh_open_findings_total(s), 2);
	assert_int_equal(open_count(s, BH_RULE_DOCKER_SOCKET_ACCESS, BH_SEV_CRITICAL), 2);

	o = render(s, &all);
	assert_string_equal(bh_test_jtext(o, "open_findings"), "2");
	assert_string_equal(bh_test_jtext(o, "dropped"), "0");
	assert_int_equal(json_object_array_length(bh_test_jget(o, "containers")), 1);
	{
		struct json_object *g = json_object_array_get_idx(bh_test_jget(o, "containers"), 0);
		struct json_object *f = json_object_array_get_idx(bh_test_jget(g, "findings"), 0);

		assert_string_equal(json_object_get_string(bh_test_jget(g, "container.id")), ID_A);
		assert_string_equal(bh_test_jtext(g, "open_findings"), "2");
		/* the line's members as emitted, first and last seen, the summed count */
		assert_string_equal(bh_test_jtext(f, "rule"), "\"docker-socket-access\"");
		assert_string_equal(bh_test_jtext(f, "severity"), "\"critical\"");
		assert_string_equal(bh_test_jtext(f, "remediation"), "\"fix it\"");
		assert_string_equal(bh_test_jtext(f, "evidence.k"), "1");
		assert_string_equal(bh_test_jtext(f, "first_seen"), "\"2026-01-01T00:00:01Z\"");
		assert_string_equal(bh_test_jtext(f, "last_seen"), "\"2026-01-01T00:05:00Z\"");
		assert_string_equal(bh_test_jtext(f, "summary"),
				    "\"docker-socket-access at 2026-01-01T00:05:00Z\"");
		assert_string_equal(bh_test_jtext(f, "count"), "4");
		/* the group says the container, the set the time: not repeated */
		assert_string_equal(bh_test_jtext(f, "container"), "<absent>");
		assert_string_equal(bh_test_jtext(f, "time"), "<absent>");
		assert_string_equal(bh_test_jtext(f, "type"), "<absent>");
	}
	json_object_put(o);
	bh_open_findings_free(s);
}

static void test_not_kept(void **state)
{
	struct bh_open_findings *s;
	static const char event[] = "{\"schema\":1,\"type\":\"event\",\"container\":null}";

	(void)state;
	assert_int_equal(bh_open_findings_new(8, 8, &s), 0);
	/* a host process's finding belongs to no running container */
	assert_int_equal(add_line(s, "k", "setuid-escalation", "high", NULL, NULL, NULL,
				  "2026-01-01T00:00:01Z", 1),
			 -ENOENT);
	assert_int_equal(bh_open_findings_add(s, NULL, "k", "not json", 8, NULL), -EINVAL);
	assert_int_equal(bh_open_findings_add(s, NULL, "k", event, sizeof(event) - 1, NULL),
			 -EINVAL);
	assert_int_equal(add_line(s, "k", "setuid-escalation", "severe", ID_A, "a", NULL,
				  "2026-01-01T00:00:01Z", 1),
			 -EINVAL);
	assert_int_equal(bh_open_findings_total(s), 0);
	assert_int_equal(bh_open_findings_generation(s), 0);
	bh_open_findings_free(s);
}

static void test_caps_drop_and_count(void **state)
{
	struct bh_open_filter all = { .min_severity = BH_SEV_LOW };
	struct bh_open_findings *s;
	struct json_object *o;
	const char *t = "2026-01-01T00:00:01Z";

	(void)state;
	assert_int_equal(bh_open_findings_new(2, 3, &s), 0);
	assert_int_equal(
		add_line(s, "a1", "ssh-daemon-in-container", "medium", ID_A, "a", NULL, t, 1), 1);
	assert_int_equal(
		add_line(s, "a2", "ssh-daemon-in-container", "medium", ID_A, "a", NULL, t, 1), 1);
	/* a third of A: its cap */
	assert_int_equal(
		add_line(s, "a3", "ssh-daemon-in-container", "medium", ID_A, "a", NULL, t, 1),
		-ENOSPC);
	assert_int_equal(bh_open_findings_dropped(s), 1);
	/* one seen again is still updated at the cap */
	assert_int_equal(
		add_line(s, "a1", "ssh-daemon-in-container", "medium", ID_A, "a", NULL, t, 2), 0);
	assert_int_equal(
		add_line(s, "b1", "ssh-daemon-in-container", "medium", ID_B, "b", NULL, t, 1), 1);
	/* the node's cap: C gets none */
	assert_int_equal(
		add_line(s, "c1", "ssh-daemon-in-container", "medium", ID_C, "c", NULL, t, 1),
		-ENOSPC);
	assert_int_equal(bh_open_findings_dropped(s), 2);
	assert_int_equal(bh_open_findings_total(s), 3);
	/* /findings says that it is not the whole story */
	o = render(s, &all);
	assert_string_equal(bh_test_jtext(o, "dropped"), "2");
	assert_string_equal(bh_test_jtext(o, "open_findings"), "3");
	json_object_put(o);
	/* once A stops there is room again */
	assert_int_equal(bh_open_findings_remove(s, ID_A), 2);
	assert_int_equal(
		add_line(s, "c1", "ssh-daemon-in-container", "medium", ID_C, "c", NULL, t, 1), 1);
	bh_open_findings_free(s);
}

static void test_remove_on_stop_and_gauge(void **state)
{
	struct bh_open_findings *s;
	const char *t = "2026-01-01T00:00:01Z";
	uint64_t gen;

	(void)state;
	assert_int_equal(bh_open_findings_new(8, 8, &s), 0);
	add_line(s, "a1", "privileged-container", "critical", ID_A, "a", NULL, t, 0);
	add_line(s, "a2", "no-new-privileges-missing", "low", ID_A, "a", NULL, t, 0);
	add_line(s, "b1", "no-new-privileges-missing", "low", ID_B, "b", NULL, t, 0);
	assert_int_equal(open_count(s, BH_RULE_NO_NEW_PRIVILEGES_MISSING, BH_SEV_LOW), 2);
	/* a policy reload moved its severity: the finding moves, it is not counted twice */
	add_line(s, "b1", "no-new-privileges-missing", "medium", ID_B, "b", NULL, t, 0);
	assert_int_equal(open_count(s, BH_RULE_NO_NEW_PRIVILEGES_MISSING, BH_SEV_LOW), 1);
	assert_int_equal(open_count(s, BH_RULE_NO_NEW_PRIVILEGES_MISSING, BH_SEV_MEDIUM), 1);
	/* a rule the catalogue does not know is kept, not counted in the gauge */
	assert_int_equal(add_line(s, "b2", "rule-of-tomorrow", "high", ID_B, "b", NULL, t, 0), 1);

	gen = bh_open_findings_generation(s);
	assert_int_equal(bh_open_findings_remove(s, ID_A), 2);
	assert_true(bh_open_findings_generation(s) != gen);
	assert_int_equal(open_count(s, BH_RULE_PRIVILEGED_CONTAINER, BH_SEV_CRITICAL), 0);
	assert_int_equal(open_count(s, BH_RULE_NO_NEW_PRIVILEGES_MISSING, BH_SEV_LOW), 0);
	assert_int_equal(bh_open_findings_total(s), 2);
	/* a container with none, or stopped already */
	assert_int_equal(bh_open_findings_remove(s, ID_A), 0);
	assert_int_equal(bh_open_findings_remove(s, ID_C), 0);
	assert_int_equal(bh_open_findings_remove(s, ID_B), 2);
	assert_int_equal(bh_open_findings_total(s), 0);
	bh_open_findings_free(s);
}

/* How many containers and findings /findings shows through one filter. */
static void expect(const struct bh_open_findings *s, const char *name, const char *value,
		   int containers, int findings)
{
	struct bh_open_filter f = { .min_severity = BH_SEV_LOW };
	struct json_object *o;
	const char *why = NULL;
	char n[16];

	assert_int_equal(bh_open_filter_set(&f, name, value, &why), 0);
	o = render(s, &f);
	assert_int_equal(json_object_array_length(bh_test_jget(o, "containers")), containers);
	snprintf(n, sizeof(n), "%d", findings);
	assert_string_equal(bh_test_jtext(o, "open_findings"), n);
	json_object_put(o);
}

static void test_filters(void **state)
{
	struct bh_open_filter f = { .min_severity = BH_SEV_LOW };
	struct bh_open_findings *s;
	const char *t = "2026-01-01T00:00:01Z", *why = NULL;
	struct json_object *o, *fs;

	(void)state;
	assert_int_equal(bh_open_findings_new(8, 8, &s), 0);
	add_line(s, "a1", "privileged-container", "critical", ID_A, "/web", NULL, t, 0);
	add_line(s, "a2", "no-new-privileges-missing", "low", ID_A, "/web", NULL, t, 0);
	add_line(s, "a3", "sensitive-mount-writable", "high", ID_A, "/web", NULL, t, 0);
	add_line(s, "b1", "no-new-privileges-missing", "low", ID_B, "k8s_app_p", "prod", t, 0);
	add_line(s, "c1", "host-namespace-shared", "medium", ID_C, "k8s_db_q", "dev", t, 0);

	/* docker's name with or without its slash, an id prefix, a Kubernetes container name */
	expect(s, "container", "web", 1, 3);
	expect(s, "container", "/web", 1, 3);
	expect(s, "container", "bbbb", 1, 1);
	expect(s, "container", "app", 2, 2); /* both pods name their container app */
	expect(s, "container", "nothing", 0, 0);
	expect(s, "namespace", "prod", 1, 1);
	expect(s, "namespace", "kube-system", 0, 0);
	/* severity is a minimum */
	expect(s, "severity", "medium", 2, 3);
	expect(s, "severity", "critical", 1, 1);
	expect(s, "severity", "low", 3, 5);

	/* worst first within a container */
	o = render(s, &f);
	fs = bh_test_jget(json_object_array_get_idx(bh_test_jget(o, "containers"), 0), "findings");
	assert_string_equal(bh_test_jtext(json_object_array_get_idx(fs, 0), "severity"),
			    "\"critical\"");
	assert_string_equal(bh_test_jtext(json_object_array_get_idx(fs, 2), "severity"), "\"low\"");
	json_object_put(o);

	/* bad filters: each with a reason */
	assert_int_equal(bh_open_filter_set(&f, "severity", "severe", &why), -EINVAL);
	assert_non_null(strstr(why, "low, medium, high, critical"));
	assert_int_equal(bh_open_filter_set(&f, "container", "", &why), -EINVAL);
	assert_int_equal(bh_open_filter_set(&f, "namespace", NULL, &why), -EINVAL);
	assert_int_equal(bh_open_filter_set(&f, "pod", "x", &why), -EINVAL);
	assert_non_null(strstr(why, "container, namespace and severity"));

	/* nothing published yet: an empty document */
	{
		char *text;
		size_t len;

		assert_int_equal(bh_open_view_render(NULL, &f, &text, &len), 0);
		o = bh_test_parse(text, len - 1);
		assert_string_equal(bh_test_jtext(o, "containers"), "[]");
		json_object_put(o);
		free(text);
	}
	bh_open_findings_free(s);
}

struct engine_sink {
	struct bh_rules *r;
	const struct bh_container *c; /* what the rules judge, as the pipeline passes it */
	struct bh_open_findings *s;
	int lines, fresh;
};

static void keep(const char *line, size_t len, void *ctx)
{
	struct engine_sink *k = ctx;

	k->lines++;
	k->fresh +=
		bh_open_findings_add(k->s, k->c, bh_rules_finding_key(k->r), line, len, NULL) == 1;
}

/* A connect to the docker socket by exe at ts: one behaviour finding of the engine. */
static void connect_at(struct engine_sink *k, const struct bh_container *c, const char *exe,
		       const char *path, int64_t ts)
{
	struct bh_test_rec raw;
	struct bh_str tail[2] = { BH_TSTR("/run/docker.sock"), { path, strlen(path) } };
	struct bh_connect *cn = (struct bh_connect *)bh_test_record(
		&raw, BH_EV_CONNECT, (struct bh_str){ exe, strlen(exe) }, tail, 2);
	struct bh_event ev;

	cn->hdr.ts_ns = (__u64)ts;
	cn->hdr.pid = cn->hdr.tgid = 77;
	cn->family = AF_UNIX;
	cn->sock_type = SOCK_STREAM;
	assert_int_equal(bh_event_decode(raw.buf, raw.size, &ev), 0);
	bh_rules_on_event(k->r, &ev, c, keep, k);
}

/* The real engine's lines and identities: what the agent's pipeline hands the set. */
static void test_engine_lines(void **state)
{
	struct bh_rules_opts ro = { 0 };
	struct bh_container c = { .runtime = "docker", .name = "/web" };
	struct engine_sink k = { 0 };
	struct bh_open_filter f = { .min_severity = BH_SEV_LOW };
	struct json_object *o, *g;
	size_t config;

	(void)state;
	memset(c.id, 'a', BH_CONTAINER_ID_LEN);
	c.config.known = true;
	c.config.privileged = true;
	c.config.cap_bounding = ~0ULL;
	assert_int_equal(bh_rules_new(&ro, &k.r), 0);
	assert_int_equal(bh_open_findings_new(BH_OPEN_PER_CONTAINER, BH_OPEN_TOTAL, &k.s), 0);
	k.c = &c;
	bh_rules_on_container(k.r, &c, keep, &k);
	assert_true(k.lines > 0);
	/* each configuration finding is its own identity */
	assert_int_equal(k.fresh, k.lines);
	config = bh_open_findings_total(k.s);

	/* a windowed behaviour finding: one identity per (program, socket) */
	connect_at(&k, &c, "/usr/bin/curl", "/s1", 100 * SEC);
	connect_at(&k, &c, "/usr/bin/curl", "/s2", 101 * SEC);	/* folded in the window */
	connect_at(&k, &c, "/usr/bin/curl", "/s3", 1000 * SEC); /* after it: count 2 */
	connect_at(&k, &c, "/bin/wget", "/s1", 1001 * SEC);
	assert_int_equal(bh_open_findings_total(k.s), config + 2);

	assert_int_equal(bh_open_filter_set(&f, "container", "web", &(const char *){ NULL }), 0);
	o = render(k.s, &f);
	g = json_object_array_get_idx(bh_test_jget(o, "containers"), 0);
	assert_string_equal(bh_test_jtext(g, "container.name"), "\"/web\"");
	{
		struct json_object *fs = bh_test_jget(g, "findings");
		int counts = 0;

		for (size_t i = 0; i < json_object_array_length(fs); i++) {
			struct json_object *one = json_object_array_get_idx(fs, i);

			if (strcmp(bh_test_jtext(one, "rule"), "\"docker-socket-access\""))
				continue;
			counts += json_object_get_int(bh_test_jget(one, "count"));
		}
		/* three events of curl (one line, then one with the folded two), one of wget */
		assert_int_equal(counts, 4);
	}
	json_object_put(o);

	/*
	 * The runtime's API answers late (the findings were written with the bundle's
	 * metadata): the view describes the container as it is now, and filters on that.
	 */
	c.name = "/web-2";
	c.pod_namespace = "shop";
	f = (struct bh_open_filter){ .min_severity = BH_SEV_LOW };
	assert_int_equal(bh_open_filter_set(&f, "namespace", "shop", &(const char *){ NULL }), 0);
	assert_int_equal(bh_open_filter_set(&f, "container", "web-2", &(const char *){ NULL }), 0);
	o = render(k.s, &f);
	g = json_object_array_get_idx(bh_test_jget(o, "containers"), 0);
	assert_string_equal(bh_test_jtext(g, "container.name"), "\"/web-2\"");
	assert_string_equal(bh_test_jtext(g, "container.pod.namespace"), "\"shop\"");
	json_object_put(o);
	bh_open_findings_free(k.s);
	bh_rules_free(k.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_dedup_by_identity),
		cmocka_unit_test(test_not_kept),
		cmocka_unit_test(test_caps_drop_and_count),
		cmocka_unit_test(test_remove_on_stop_and_gauge),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_engine_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
