/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_impl.h - what the policy's YAML loader (policy.c) shares with the allow entries'
 * parser (policy_allow.c): the document being read and its typed getters.
 */
#ifndef BULKHEAD_POLICY_IMPL_H
#define BULKHEAD_POLICY_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "container/spec.h" /* bh_strv_free() */
#include "policy.h"

struct bh_policy_loader {
	const char *name;
	yaml_document_t doc;
	struct bh_policy *p;
	int64_t now;   /* unix time, for expires */
	bool baseline; /* reading the built-in baseline */
};

/* Logs "NAME:LINE:COL: message" at n and returns -EINVAL. */
int bh_policy_fail(const struct bh_policy_loader *l, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
yaml_node_t *bh_policy_node(struct bh_policy_loader *l, int id);
/* The key of a mapping pair as a string ("" when not a scalar). */
const char *bh_policy_key(const yaml_node_t *k);
/* n is of type (a mapping or a list), else an error naming what. */
int bh_policy_expect(struct bh_policy_loader *l, yaml_node_t *n, yaml_node_type_t type,
		     const char *what);
/* A non-empty string (quoted or plain) replacing *out. */
int bh_policy_get_string(struct bh_policy_loader *l, yaml_node_t *n, const char *what, char **out);
int bh_policy_get_bool(struct bh_policy_loader *l, yaml_node_t *n, const char *what, bool *out);
int bh_policy_get_uint(struct bh_policy_loader *l, yaml_node_t *n, const char *what,
		       unsigned long min, unsigned long max, unsigned long *out);
/* A rule id (enum bh_rule). */
int bh_policy_get_rule(struct bh_policy_loader *l, yaml_node_t *n, int *rule);
/* One string or a list of strings, replacing *v (absolute: each must start with '/'). */
int bh_policy_get_strv(struct bh_policy_loader *l, yaml_node_t *n, const char *what, bool absolute,
		       char ***v, size_t *nv);

/* The allow list (policy_allow.c): entries appended to l->p->allow. */
int bh_policy_parse_allow(struct bh_policy_loader *l, yaml_node_t *n);
void bh_policy_allow_clear(struct bh_policy_allow *a);

#endif
