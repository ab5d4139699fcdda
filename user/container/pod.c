// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* pod.c - a pod's labels, and its owning workload inferred from its name and labels. */
#include "pod.h"

#include <stdio.h>
#include <string.h>

/*
 * The characters of the suffixes controllers generate: a pod's random 5 (GenerateName)
 * and a ReplicaSet's pod-template-hash (k8s.io/apimachinery/pkg/util/rand, SafeEncodeString:
 * no vowels, no 0, 1 or 3, so that no word is spelled).
 */
#define SAFE_CHARS    "bcdfghjklmnpqrstvwxz2456789"
#define RANDOM_SUFFIX 5
#define HASH_MIN      6 /* pod-template-hash: a 32-bit FNV hash, safe-encoded */
#define HASH_MAX      10

const char *bh_pod_label(const struct bh_container *c, const char *key)
{
	for (size_t i = 0; i < c->n_labels; i++)
		if (c->labels[i].pod && !strcmp(c->labels[i].key, key))
			return c->labels[i].value;
	return NULL;
}

/* s[0..n) is made of generated characters only. */
static bool generated(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(SAFE_CHARS, s[i]))
			return false;
	return n > 0;
}

static bool digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The last "-<segment>" of name[0..len): its start, or NULL. */
static const char *last_segment(const char *name, size_t len)
{
	for (size_t i = len; i > 1; i--)
		if (name[i - 1] == '-')
			return name + i;
	return NULL;
}

static bool set(struct bh_workload *w, const char *kind, const char *name, size_t len)
{
	if (!len || len > BH_K8S_NAME_MAX)
		return false;
	w->kind = kind;
	snprintf(w->name, sizeof(w->name), "%.*s", (int)len, name);
	return true;
}

/* From the labels the controllers put on their pods. */
static bool by_labels(const struct bh_container *c, const char *name, size_t len,
		      struct bh_workload *w)
{
	const char *hash = bh_pod_label(c, "pod-template-hash");
	const char *job = bh_pod_label(c, "batch.kubernetes.io/job-name");
	const char *last = last_segment(name, len);

	if (!job)
		job = bh_pod_label(c, "job-name");
	if (hash && last && generated(last, strlen(last))) {
		/* Deployment -> ReplicaSet "<deployment>-<hash>" -> pod "<replicaset>-<random>" */
		size_t rs = (size_t)(last - 1 - name), hl = strlen(hash);

		if (rs > hl + 1 && name[rs - hl - 1] == '-' && !strncmp(name + rs - hl, hash, hl))
			return set(w, "Deployment", name, rs - hl - 1);
	}
	if (job)
		return set(w, "Job", job, strlen(job));
	if (bh_pod_label(c, "controller-revision-hash") && last) {
		if (bh_pod_label(c, "pod-template-generation"))
			return set(w, "DaemonSet", name, (size_t)(last - 1 - name));
		if (digits(last))
			return set(w, "StatefulSet", name, (size_t)(last - 1 - name));
	}
	return false;
}

/* From the name alone: "<d>-<hash>-<random>", "<s>-<ordinal>", "<x>-<random>". */
static bool by_name(const char *name, size_t len, struct bh_workload *w)
{
	const char *last = last_segment(name, len), *prev;
	size_t last_len, prev_len;

	if (!last)
		return false;
	last_len = len - (size_t)(last - name);
	if (last_len == RANDOM_SUFFIX && generated(last, last_len)) {
		prev = last_segment(name, (size_t)(last - 1 - name));
		prev_len = prev ? (size_t)(last - 1 - prev) : 0;
		if (prev && prev_len >= HASH_MIN && prev_len <= HASH_MAX &&
		    generated(prev, prev_len))
			return set(w, "Deployment", name, (size_t)(prev - 1 - name));
		/* a DaemonSet's, a Job's or a bare ReplicaSet's pod: the kind cannot be told */
		return set(w, NULL, name, (size_t)(last - 1 - name));
	}
	if (digits(last))
		return set(w, "StatefulSet", name, (size_t)(last - 1 - name));
	return false;
}

bool bh_pod_workload(const struct bh_container *c, struct bh_workload *w)
{
	size_t len;

	memset(w, 0, sizeof(*w));
	if (!c->pod_name)
		return false;
	len = strlen(c->pod_name);
	return by_labels(c, c->pod_name, len, w) || by_name(c->pod_name, len, w);
}
