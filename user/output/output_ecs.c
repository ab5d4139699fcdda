// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* output_ecs.c - maps schema v1 lines (event, finding, stats, lifecycle) onto ECS documents. */
#include "output_ecs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/catalogue.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ECS categorisation of each raw event (ECS allowed values for category and type). */
struct ecs_class {
	const char *event;
	const char *category;
	const char *type[2];
};

static const struct ecs_class event_classes[] = {
	{ "exec", "process", { "start" } },
	{ "setns", "process", { "change" } },
	{ "capset", "process", { "change" } },
	{ "mount", "file", { "change" } },
	{ "connect", "network", { "connection", "start" } },
	{ "bind", "network", { "info" } },
	{ "listen", "network", { "start" } },
};

/* The v1 members an ECS field already carries: not repeated under "bulkhead". */
static const char *const mapped_members[] = { "schema",	   "time",    "type", "process",
					      "container", "summary", "rule" };

/* The value at a dotted path of obj, NULL when absent or null. */
static struct json_object *get(struct json_object *obj, const char *path)
{
	char step[64];

	while (obj && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(step) || !json_object_is_type(obj, json_type_object))
			return NULL;
		memcpy(step, path, n);
		step[n] = '\0';
		if (!json_object_object_get_ex(obj, step, &obj))
			return NULL;
		path += n + (path[n] == '.');
	}
	return obj;
}

static const char *get_str(struct json_object *obj, const char *path)
{
	struct json_object *v = get(obj, path);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Sets doc[path] = v (creating the objects on the way), taking v's reference; NULL: nothing. */
static void put(struct json_object *doc, const char *path, struct json_object *v)
{
	char step[64];
	size_t n;

	if (!v)
		return;
	while (path[n = strcspn(path, ".")]) {
		struct json_object *next;

		if (n >= sizeof(step))
			goto drop;
		memcpy(step, path, n);
		step[n] = '\0';
		if (!json_object_object_get_ex(doc, step, &next) ||
		    !json_object_is_type(next, json_type_object)) {
			next = json_object_new_object();
			if (!next)
				goto drop;
			json_object_object_add(doc, step, next);
		}
		doc = next;
		path += n + 1;
	}
	json_object_object_add(doc, path, v);
	return;
drop:
	json_object_put(v);
}

static void put_str(struct json_object *doc, const char *path, const char *s)
{
	if (s)
		put(doc, path, json_object_new_string(s));
}

/* Shares src's value at spath as doc[dpath]. */
static void copy(struct json_object *doc, const char *dpath, struct json_object *src,
		 const char *spath)
{
	put(doc, dpath, json_object_get(get(src, spath)));
}

/* A number as an ECS keyword (user.id is a string in ECS). */
static void copy_as_str(struct json_object *doc, const char *dpath, struct json_object *src,
			const char *spath)
{
	struct json_object *v = get(src, spath);

	if (v)
		put_str(doc, dpath, json_object_get_string(v));
}

static void put_strs(struct json_object *doc, const char *path, const char *a, const char *b)
{
	struct json_object *arr = json_object_new_array();

	if (!arr)
		return;
	json_object_array_add(arr, json_object_new_string(a));
	if (b)
		json_object_array_add(arr, json_object_new_string(b));
	put(doc, path, arr);
}

/* The items of a comma-separated list as an array of strings. */
static void put_csv(struct json_object *doc, const char *path, const char *csv)
{
	struct json_object *arr = json_object_new_array();

	if (!arr)
		return;
	for (const char *p = csv; p && *p;) {
		size_t n = strcspn(p, ",");

		json_object_array_add(arr, json_object_new_string_len(p, (int)n));
		p += n + (p[n] == ',');
	}
	put(doc, path, arr);
}

int bh_ecs_severity(const char *name)
{
	static const struct {
		const char *name;
		int score;
	} map[] = { { "info", 0 }, /* an accepted finding */
		    { "low", 21 },
		    { "medium", 47 },
		    { "high", 73 },
		    { "critical", 99 } };

	for (size_t i = 0; name && i < ARRAY_SIZE(map); i++)
		if (!strcmp(map[i].name, name))
			return map[i].score;
	return 0;
}

static void map_process(struct json_object *doc, struct json_object *line)
{
	struct json_object *p = get(line, "process");

	if (!p)
		return;
	copy(doc, "process.pid", p, "pid");
	copy(doc, "process.thread.id", p, "tid");
	copy(doc, "process.ppid", p, "ppid");
	copy(doc, "process.parent.pid", p, "ppid");
	copy(doc, "process.executable", p, "exe");
	copy(doc, "process.name", p, "comm");
	/* ECS process.user is the effective user, process.real_user the real one. */
	copy_as_str(doc, "process.user.id", p, "euid");
	copy_as_str(doc, "process.real_user.id", p, "uid");
	copy(doc, "bulkhead.process.cap_effective", p, "cap_effective");
	/* no ECS field says these: they stay bulkhead's, present only when the line has them */
	copy(doc, "bulkhead.process.runtime_setup", p, "runtime_setup");
	copy(doc, "bulkhead.process.outside_cgroup", p, "outside_cgroup");
	copy(doc, "bulkhead.process.compat_syscall", p, "compat_syscall");
	copy(doc, "process.args", p, "args");
	copy(doc, "process.args", line, "exec.args");
	copy(doc, "process.args_count", line, "exec.argc");
}

/* ECS 8.11: the pod's labels as "key:value" keywords, its workload's kind as the parent's. */
static void map_pod_k8s(struct json_object *doc, struct json_object *pod)
{
	struct json_object *labels = get(pod, "labels"), *arr;

	copy(doc, "orchestrator.resource.parent.type", pod, "workload.kind");
	if (!json_object_is_type(labels, json_type_object) || !(arr = json_object_new_array()))
		return;
	json_object_object_foreach(labels, key, val)
	{
		const char *value = json_object_get_string(val);
		size_t len = strlen(key) + 1 + strlen(value);
		char *kv = malloc(len + 1);

		if (!kv)
			continue;
		snprintf(kv, len + 1, "%s:%s", key, value);
		json_object_array_add(arr, json_object_new_string_len(kv, (int)len));
		free(kv);
	}
	put(doc, "orchestrator.resource.label", arr);
}

static void map_container(struct json_object *doc, struct json_object *line)
{
	struct json_object *c = get(line, "container");

	if (!c)
		return;
	copy(doc, "container.id", c, "id");
	copy(doc, "container.name", c, "name");
	copy(doc, "container.image.name", c, "image");
	copy(doc, "container.runtime", c, "runtime");
	copy(doc, "container.labels", c, "labels");
	if (get(c, "pod")) {
		put_str(doc, "orchestrator.type", "kubernetes");
		copy(doc, "orchestrator.namespace", c, "pod.namespace");
		put_str(doc, "orchestrator.resource.type", "pod");
		copy(doc, "orchestrator.resource.name", c, "pod.name");
		copy(doc, "orchestrator.resource.id", c, "pod.uid");
		copy(doc, "bulkhead.pod", c, "pod");
		map_pod_k8s(doc, get(c, "pod"));
	}
}

/* Everything else of the v1 line, under "bulkhead": nothing is lost in the mapping. */
static void map_rest(struct json_object *doc, struct json_object *line)
{
	json_object_object_foreach(line, key, val)
	{
		bool mapped = false;

		for (size_t i = 0; i < ARRAY_SIZE(mapped_members); i++)
			mapped |= !strcmp(key, mapped_members[i]);
		if (!mapped) {
			char path[96];

			snprintf(path, sizeof(path), "bulkhead.%s", key);
			put(doc, path, json_object_get(val));
		}
	}
}

static void map_network(struct json_object *doc, struct json_object *line, const char *name)
{
	struct json_object *n = get(line, name);
	const char *family = get_str(n, "family"), *sock = get_str(n, "sock_type");
	const char *side = !strcmp(name, "connect") ? "destination" : "server";
	char path[32];

	if (!family || (strcmp(family, "inet") && strcmp(family, "inet6")))
		return;
	put_str(doc, "network.type", !strcmp(family, "inet") ? "ipv4" : "ipv6");
	if (sock && !strcmp(sock, "stream"))
		put_str(doc, "network.transport", "tcp");
	else if (sock && !strcmp(sock, "dgram"))
		put_str(doc, "network.transport", "udp");
	snprintf(path, sizeof(path), "%s.ip", side);
	copy(doc, path, n, "addr");
	snprintf(path, sizeof(path), "%s.port", side);
	copy(doc, path, n, "port");
}

static void map_event(struct json_object *doc, struct json_object *line)
{
	const char *name = get_str(line, "event");
	const char *comm = get_str(line, "process.comm");
	struct json_object *ret = get(line, "ret");
	char msg[160];

	put_str(doc, "event.kind", "event");
	for (size_t i = 0; name && i < ARRAY_SIZE(event_classes); i++) {
		if (strcmp(event_classes[i].event, name))
			continue;
		put_strs(doc, "event.category", event_classes[i].category, NULL);
		put_strs(doc, "event.type", event_classes[i].type[0], event_classes[i].type[1]);
	}
	put_str(doc, "event.action", name);
	if (ret)
		put_str(doc, "event.outcome",
			json_object_get_int64(ret) < 0 ? "failure" : "success");
	if (name && (!strcmp(name, "connect") || !strcmp(name, "bind") || !strcmp(name, "listen")))
		map_network(doc, line, name);
	snprintf(msg, sizeof(msg), "%s by %s (pid %s)", name ? name : "event", comm ? comm : "?",
		 json_object_get_string(get(line, "process.pid")));
	put_str(doc, "message", msg);
}

static void map_finding(struct json_object *doc, struct json_object *line)
{
	const char *rule = get_str(line, "rule");
	int id = rule ? bh_rule_lookup(rule) : -ENOENT;

	put_str(doc, "event.kind", "alert");
	/* A configuration finding has no triggering event. */
	put_strs(doc, "event.category", "intrusion_detection",
		 get(line, "event") ? NULL : "configuration");
	put_strs(doc, "event.type", "info", NULL);
	put_str(doc, "event.action", rule);
	put(doc, "event.severity", json_object_new_int(bh_ecs_severity(get_str(line, "severity"))));
	copy(doc, "message", line, "summary");
	copy(doc, "event.reason", line, "summary");
	put_str(doc, "rule.id", rule);
	put_str(doc, "rule.name", rule);
	put_str(doc, "rule.ruleset", "bulkhead");
	if (id >= 0) {
		const struct bh_rule_info *ri = &bh_rule_catalogue[id];
		char ref[96];

		put_str(doc, "rule.description", ri->trigger);
		snprintf(ref, sizeof(ref), "CIS Docker Benchmark v1.6.0 %s", ri->cis);
		put_str(doc, "rule.reference", ref);
		put_str(doc, "threat.framework", "MITRE ATT&CK");
		put_csv(doc, "threat.technique.id", ri->attack);
	}
}

static void map_lifecycle(struct json_object *doc, struct json_object *line)
{
	const char *action = get_str(line, "action");
	const char *name = get_str(line, "container.name"), *id = get_str(line, "container.id");
	bool stop = action && !strcmp(action, "container-stop");
	char msg[160];

	put_str(doc, "event.kind", "event");
	put_strs(doc, "event.category", "host", NULL);
	put_strs(doc, "event.type", stop ? "end" : "start", NULL);
	put_str(doc, "event.action", action);
	snprintf(msg, sizeof(msg), "container %s %s",
		 name ? name
		 : id ? id
		      : "?",
		 stop ? "stopped" : "started");
	put_str(doc, "message", msg);
}

int bh_ecs_convert(const char *line, size_t len, const char *hostname, struct bh_json *out)
{
	struct json_tokener *tok;
	struct json_object *root, *doc;
	const char *type, *text;
	char dataset[64];
	int err = 0;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > (size_t)INT32_MAX)
		return -EINVAL;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, line, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(root, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(root);
		return -EINVAL;
	}
	json_tokener_free(tok);
	doc = json_object_new_object();
	if (!doc) {
		json_object_put(root);
		return -ENOMEM;
	}

	type = get_str(root, "type");
	copy(doc, "@timestamp", root, "time");
	put_str(doc, "ecs.version", BH_ECS_VERSION);
	put_str(doc, "event.module", "bulkhead");
	snprintf(dataset, sizeof(dataset), "bulkhead.%s", type ? type : "unknown");
	put_str(doc, "event.dataset", dataset);
	put_str(doc, "host.hostname", hostname);
	put_str(doc, "observer.vendor", "bulkhead");
	if (type && !strcmp(type, "event")) {
		map_event(doc, root);
	} else if (type && !strcmp(type, "finding")) {
		map_finding(doc, root);
	} else if (type && !strcmp(type, "lifecycle")) {
		map_lifecycle(doc, root);
	} else if (type && !strcmp(type, "stats")) {
		put_str(doc, "event.kind", "metric");
		put_strs(doc, "event.category", "host", NULL);
		put_strs(doc, "event.type", "info", NULL);
		put_str(doc, "event.action", "stats");
		put_str(doc, "message", "bulkhead statistics");
	} else {
		/* A line type newer than this mapping: still a valid ECS document. */
		put_str(doc, "event.kind", "event");
	}
	map_process(doc, root);
	map_container(doc, root);
	map_rest(doc, root);
	copy(doc, "bulkhead.schema", root, "schema");
	copy(doc, "bulkhead.type", root, "type");

	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	bh_json_reset(out);
	if (!text) {
		err = -ENOMEM;
	} else {
		bh_json_raw(out, text, strlen(text));
		bh_json_newline(out);
		if (bh_json_failed(out))
			err = -ENOMEM;
	}
	json_object_put(doc);
	json_object_put(root);
	return err;
}
