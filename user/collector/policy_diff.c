// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* policy_diff.c - the findings of one capture under two policies, compared. */
#define _GNU_SOURCE /* memfd_create */
#include "policy_diff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/json_reader.h"
#include "core/log.h"
#include "replay.h"

/* One finding line: what identifies it (rule, container, exe, evidence) and how it reads. */
struct finding {
	char *key;
	char *rule;
	char *summary;
	bool accepted;
};

struct findings {
	struct finding *v;
	size_t n;
};

static void findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].key);
		free(f->v[i].rule);
		free(f->v[i].summary);
	}
	free(f->v);
}

static int add_line(struct findings *f, const char *line, size_t len)
{
	struct json_object *o = bh_jobj_parse(line, len), *ev;
	const char *type = bh_jobj_str(o, "type"), *rule = bh_jobj_str(o, "rule");
	const char *id = bh_jobj_str(bh_jobj_get(o, "container", json_type_object), "id");
	const char *exe = bh_jobj_str(bh_jobj_get(o, "process", json_type_object), "exe");
	struct finding *grown, *e;
	int err = 0;

	if (!o || !type || strcmp(type, "finding") || !rule) {
		json_object_put(o);
		return 0; /* stats and lifecycle lines */
	}
	ev = bh_jobj_get(o, "evidence", json_type_object);
	grown = realloc(f->v, (f->n + 1) * sizeof(*grown));
	if (!grown) {
		json_object_put(o);
		return -ENOMEM;
	}
	f->v = grown;
	e = &f->v[f->n];
	memset(e, 0, sizeof(*e));
	if (asprintf(&e->key, "%s|%s|%s|%s", rule, id ? id : "", exe ? exe : "",
		     ev ? json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN) : "") < 0) {
		e->key = NULL;
		err = -ENOMEM;
	}
	e->rule = strdup(rule);
	e->summary = strdup(bh_jobj_str(o, "summary") ? bh_jobj_str(o, "summary") : "");
	e->accepted = bh_jobj_bool(o, "accepted");
	f->n++;
	json_object_put(o);
	return err || !e->rule || !e->summary ? -ENOMEM : 0;
}

/* The findings of the capture under policy (NULL: built-in). Returns replay's exit code. */
static int findings_of(const char *capture, const char *policy, struct findings *out)
{
	struct bh_replay_opts r = {
		.path = capture,
		.findings = true,
		.policy_path = policy,
		.format = BH_FORMAT_JSON,
	};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int code;

	r.out_fd = memfd_create("bulkhead-policy-check", MFD_CLOEXEC);
	if (r.out_fd < 0) {
		bh_error("cannot create a buffer for the replay: %s", strerror(errno));
		return 1;
	}
	code = bh_replay_run(&r);
	f = code ? NULL : fdopen(r.out_fd, "r");
	if (!f) {
		close(r.out_fd);
		return code ? code : 1;
	}
	rewind(f);
	while ((len = getline(&line, &cap, f)) > 0)
		if (add_line(out, line, (size_t)len)) {
			bh_error("out of memory");
			code = 1;
			break;
		}
	free(line);
	fclose(f);
	return code;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct finding *)a)->key, ((const struct finding *)b)->key);
}

static void print(const char *what, const struct finding *f)
{
	printf("%-9s %-26s %s\n", what, f->rule, f->summary);
}

int bh_policy_diff_run(const struct bh_policy_diff_opts *o)
{
	struct findings cur = { 0 }, cand = { 0 };
	size_t i = 0, j = 0, added = 0, removed = 0, accepted = 0, same = 0;
	int code;

	code = findings_of(o->capture, o->current, &cur);
	if (!code)
		code = findings_of(o->capture, o->candidate, &cand);
	if (code)
		goto out;
	if (cur.n)
		qsort(cur.v, cur.n, sizeof(*cur.v), by_key);
	if (cand.n)
		qsort(cand.v, cand.n, sizeof(*cand.v), by_key);
	printf("%s against %s on %s:\n", o->candidate,
	       o->current ? o->current : "the built-in policy", o->capture);
	/* A merge of the two sorted lists: a key in one list only was added or removed. */
	while (i < cur.n || j < cand.n) {
		int cmp = i == cur.n ? 1 : j == cand.n ? -1 : strcmp(cur.v[i].key, cand.v[j].key);

		if (cmp < 0) {
			print("removed", &cur.v[i++]);
			removed++;
		} else if (cmp > 0 && cand.v[j].accepted) {
			print("accepted", &cand.v[j++]);
			accepted++;
		} else if (cmp > 0 || (cur.v[i].accepted && !cand.v[j].accepted)) {
			print("added", &cand.v[j]);
			added++;
			i += cmp == 0;
			j++;
		} else if (cand.v[j].accepted && !cur.v[i].accepted) {
			print("accepted", &cand.v[j++]);
			i++;
			accepted++;
		} else {
			i++;
			j++;
			same++;
		}
	}
	printf("%zu added, %zu removed, %zu accepted, %zu unchanged\n", added, removed, accepted,
	       same);
out:
	findings_free(&cur);
	findings_free(&cand);
	return code;
}
