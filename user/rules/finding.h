/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * finding.h - the finding line (schema v1): rule, severity, summary, container,
 * process, evidence, remediation, in the style of the event lines.
 */
#ifndef BULKHEAD_FINDING_H
#define BULKHEAD_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container/container.h"
#include "core/catalogue.h"
#include "core/event.h"
#include "core/json_writer.h"

struct bh_finding {
	const struct bh_rule_info *info; /* the rule's catalogue entry: its compliance ids */
	const char *rule;
	const char *severity;
	const char *summary; /* one sentence naming the container */
	const char *remediation;
	const struct bh_container *container; /* NULL: a host process */
	const struct bh_event *ev; /* the triggering event; NULL: configuration finding */
	int64_t time_ns;	   /* wall clock */
	uint64_t count;		   /* events folded in; 0: omitted (configuration) */
	bool accepted; /* an allow entry with action accept matched: severity is "info" */
};

/*
 * Resets w and writes the whole line with its newline:
 * {"schema":1,"time":..,"type":"finding","rule":..,"severity":..,("accepted":true,)
 * "summary":..,"container":{..}|null,"process":{..,"args":[..] for exec} (with an event),
 * "evidence":EVIDENCE,"remediation":..,"count":..,"event":..}
 * evidence is a JSON object's text (len bytes), written by another writer.
 */
void bh_finding_write(struct bh_json *w, const struct bh_finding *f, const char *evidence,
		      size_t len);

/*
 * How a summary names a container: 'container "web" (3f2a1b0c4d5e)', with the
 * pod when known, or "a host process" for NULL. Always NUL-terminated.
 */
void bh_finding_subject(const struct bh_container *c, char *buf, size_t size);

#endif
