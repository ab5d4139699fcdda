// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * audit.c - `bulkhead audit`: finds the containers (the resolver's cgroup walk, and the
 * runtime APIs for stopped ones), judges each with the rules engine under the audit's
 * policy, adds the host's checks and writes the report.
 */
#define _GNU_SOURCE /* asprintf */
#include "audit.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "container/container.h"
#include "container/engine_api.h"
#include "core/json_reader.h"
#include "core/log.h"
#include "rules/policy.h"
#include "rules/rules.h"

/* The configuration finding of each rule for the container being judged. */
struct judged {
	bool fired[BH_RULE_COUNT];
	enum bh_severity severity[BH_RULE_COUNT];
	char *evidence[BH_RULE_COUNT]; /* summary, then the evidence object */
};

struct audit {
	const struct bh_audit_opts *o;
	const struct bh_policy *policy; /* the audit's: every rule on unless the file said off */
	struct bh_rules *rules;
	struct bh_audit_report rep;
	int err;
};

/* A finding line of the rules engine, kept as the verdict's evidence. */
static void on_finding(const char *line, size_t len, void *ctx)
{
	struct judged *j = ctx;
	struct json_object *o = bh_jobj_parse(line, len);
	const char *rule = bh_jobj_str(o, "rule"), *sev = bh_jobj_str(o, "severity");
	struct json_object *ev = bh_jobj_get(o, "evidence", json_type_object);
	int id = rule ? bh_rule_lookup(rule) : -ENOENT;
	int s = sev ? bh_severity_lookup(sev) : -EINVAL;

	if (id >= 0 && s >= 0) {
		j->fired[id] = true;
		j->severity[id] = (enum bh_severity)s;
		free(j->evidence[id]);
		if (asprintf(&j->evidence[id], "%s; evidence: %s", bh_jobj_str(o, "summary") ?: "",
			     ev ? json_object_to_json_string_ext(
					  ev,
					  JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
				: "{}") < 0)
			j->evidence[id] = NULL;
	}
	json_object_put(o);
}

static int set_opt(char **dst, const char *src)
{
	return src && !(*dst = strdup(src)) ? -ENOMEM : 0;
}

/* One verdict per rule: the configuration rules judged, the behaviour ones the agent's. */
static int judge(struct audit *a, const struct bh_container *c, bool running)
{
	struct bh_audit_target *t = bh_audit_report_add(&a->rep);
	struct judged j = { 0 };
	int err;

	if (!t)
		return -ENOMEM;
	t->running = running;
	err = set_opt(&t->id, c->id) ?: set_opt(&t->name, c->name) ?: set_opt(&t->image, c->image)
		?: set_opt(&t->runtime, c->runtime) ?: set_opt(&t->pod_name, c->pod_name)
		?: set_opt(&t->pod_namespace, c->pod_namespace);
	bh_rules_on_container(a->rules, c, on_finding, &j);
	bh_rules_forget_container(a->rules, c->id);
	for (unsigned int i = 0; i < BH_RULE_COUNT && !err; i++) {
		const struct bh_rule_info *ri = &bh_rule_catalogue[i];
		struct bh_check_result r = {
			.id = ri->id,
			.title = ri->trigger,
			.cis = ri->cis,
			.attack = ri->attack,
			.severity = ri->severity,
			.verdict = BH_VERDICT_PASS,
			.remediation = ri->remediation,
		};
		const char *why;

		if (!a->policy->rules[i].enabled) {
			r.verdict = BH_VERDICT_NA;
			r.evidence = "turned off by the policy";
		} else if (!bh_rules_config_judges(i, c, &why)) {
			r.verdict = BH_VERDICT_NA;
			r.evidence = why;
		} else if (j.fired[i]) {
			r.verdict = BH_VERDICT_FAIL;
			r.severity = j.severity[i];
			r.evidence = j.evidence[i];
		}
		err = bh_audit_target_add(t, &r);
	}
	for (unsigned int i = 0; i < BH_RULE_COUNT; i++)
		free(j.evidence[i]);
	return err;
}

/* --container: a name (a leading "/" aside) or an id prefix. */
static bool wanted(const struct bh_audit_opts *o, const struct bh_container *c)
{
	const char *name = c->name && c->name[0] == '/' ? c->name + 1 : c->name;

	if (!o->container)
		return true;
	return (name && !strcmp(name, o->container)) ||
	       (c->k8s_container && !strcmp(c->k8s_container, o->container)) ||
	       (o->container[0] && !strncmp(c->id, o->container, strlen(o->container)));
}

static bool judged_already(const struct audit *a, const char *id)
{
	for (size_t i = 0; i < a->rep.n_containers; i++)
		if (!strcmp(a->rep.containers[i].id, id))
			return true;
	return false;
}

static void on_running(const struct bh_container *c, void *ctx)
{
	struct audit *a = ctx;

	if (!a->err && wanted(a->o, c) && !judged_already(a, c->id))
		a->err = judge(a, c, true);
}

/*
 * The stopped containers an Engine API lists (docker's, podman's when served): their
 * inspect answer is the configuration they would run with again.
 */
static void audit_stopped(struct audit *a, const char *socket, const char *runtime)
{
	struct json_object *list;
	size_t len, n;
	char *body;

	if (access(socket, F_OK) ||
	    bh_engine_api_get(socket, "/containers/json?all=1", 10000, &body, &len))
		return;
	list = bh_json_parse_as(body, len, json_type_array);
	free(body);
	n = list ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < n && !a->err; i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		const char *id = bh_jobj_str(e, "Id"), *state = bh_jobj_str(e, "State");
		struct bh_container c = { 0 };

		if (!id || strlen(id) != BH_CONTAINER_ID_LEN ||
		    (state && !strcmp(state, "running")) || judged_already(a, id))
			continue;
		memcpy(c.id, id, sizeof(c.id));
		c.runtime = runtime;
		if (!bh_docker_fetch_inspect(socket, id, 10000, &body, &len)) {
			if (!bh_docker_parse_inspect(body, len, &c) && wanted(a->o, &c))
				a->err = judge(a, &c, false);
			free(body);
		}
		bh_container_clear(&c);
	}
	json_object_put(list);
}

static void on_host_check(const struct bh_check_result *r, void *ctx)
{
	struct audit *a = ctx;

	if (!a->err)
		a->err = bh_audit_target_add(&a->rep.host, r);
}

static int collect(struct audit *a)
{
	const struct bh_audit_opts *o = a->o;
	const char *root = o->host_root ? o->host_root : "";
	struct bh_resolver_opts ro = {
		.host_root = root,
		.docker_socket = o->docker_socket,
		.podman_socket = o->podman_socket,
	};
	struct bh_audit_host_opts ho = {
		.host_root = root,
		.docker_socket = o->docker_socket,
		.podman_socket = o->podman_socket,
	};
	struct bh_resolver *res;
	char *sock;
	int err;

	err = bh_resolver_new(&ro, &res);
	if (err)
		return err;
	bh_resolver_set_host_paths(res, bh_policy_host_paths(a->policy));
	bh_resolver_scan(res, on_running, a);
	bh_resolver_free(res);
	if (!a->err && o->all) {
		if (asprintf(&sock, "%s/var/run/docker.sock", root) < 0)
			return -ENOMEM;
		audit_stopped(a, o->docker_socket ? o->docker_socket : sock, "docker");
		free(sock);
		if (asprintf(&sock, "%s/run/podman/podman.sock", root) < 0)
			return -ENOMEM;
		audit_stopped(a, o->podman_socket ? o->podman_socket : sock, "podman");
		free(sock);
	}
	if (!a->err && !o->container) {
		a->rep.has_host = true;
		if (!(a->rep.host.id = strdup("host")))
			return -ENOMEM;
		bh_audit_host(&ho, on_host_check, a);
	}
	return a->err;
}

/* The policy the audit judges by: the file's, every advisory rule on unless it said off. */
static int audit_policy(const struct bh_audit_opts *o, struct bh_policy **out)
{
	struct bh_policy *p = NULL;
	int err = o->policy_path ? bh_policy_load(o->policy_path, &p) : 0;

	if (err)
		return err;
	if (!p && !(p = bh_policy_default()))
		return -ENOMEM;
	for (int i = 0; i < BH_RULE_COUNT; i++)
		if (!p->rules[i].enabled_set)
			p->rules[i].enabled = true;
	*out = p;
	return 0;
}

static int exit_code(const struct bh_audit_opts *o, const struct bh_audit_report *rep)
{
	const struct bh_audit_target *t;

	if (o->fail_on < 0)
		return 0;
	bh_audit_for_each_target(rep, t, i)
	{
		for (size_t j = 0; j < t->n_items; j++)
			if (t->items[j].verdict == BH_VERDICT_FAIL &&
			    (int)t->items[j].severity >= o->fail_on)
				return 1;
	}
	return 0;
}

int bh_audit_main(const struct bh_audit_opts *o)
{
	struct audit a = { .o = o };
	struct bh_rules_opts ro = { 0 };
	struct bh_policy *policy;
	struct timespec now;
	char host[256] = "";
	int err, code = 1;

	err = audit_policy(o, &policy);
	if (err)
		return 2; /* the loader said which file and why */
	a.policy = policy;
	ro.policy = policy;
	err = bh_rules_new(&ro, &a.rules);
	if (!err) {
		clock_gettime(CLOCK_REALTIME, &now);
		a.rep.time_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
		gethostname(host, sizeof(host) - 1);
		a.rep.hostname = strdup(host);
		err = a.rep.hostname ? collect(&a) : -ENOMEM;
	}
	if (err) {
		bh_error("audit: %s", strerror(-err));
	} else if (o->container && !a.rep.n_containers) {
		bh_error("audit: no container named or with an id starting '%s'%s", o->container,
			 o->all ? "" : " is running (--all includes stopped ones)");
		code = 2;
	} else if (bh_audit_write(&a.rep, o->format, o->color, stdout)) {
		bh_error("audit: cannot write the report: %s", strerror(errno));
	} else {
		code = exit_code(o, &a.rep);
	}
	bh_audit_report_free(&a.rep);
	bh_rules_free(a.rules);
	bh_policy_free(policy);
	return code;
}
