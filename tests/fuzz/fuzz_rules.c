// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_rules.c - the rules engine on a parsed container and decoded records: no crash,
 * and every finding is one bounded JSON line.
 *
 * Input: one flag byte (bit 0: the metadata is a docker inspect body, else an OCI
 * config.json; bit 1: the records come from a host process), a little-endian u16 length
 * and that many bytes of metadata, then records, each a little-endian u16 length and the
 * record's bytes. tests/fuzz/gen_corpus.c writes seeds in this form.
 */
#include "container/container.h"
#include "fuzz.h"
#include "rules/rules.h"

#define FLAG_DOCKER 0x1
#define FLAG_HOST   0x2

struct cursor {
	const uint8_t *p;
	size_t left;
};

/* The next length-prefixed chunk; false when the input is used up. */
static bool next_chunk(struct cursor *cur, const uint8_t **chunk, size_t *len)
{
	size_t n;

	if (cur->left < 2)
		return false;
	n = (size_t)cur->p[0] | (size_t)cur->p[1] << 8;
	cur->p += 2;
	cur->left -= 2;
	if (n > cur->left)
		n = cur->left;
	*chunk = cur->p;
	*len = n;
	cur->p += n;
	cur->left -= n;
	return true;
}

static size_t line_max;

static void check_finding(const char *line, size_t len, void *ctx)
{
	struct json_object *obj = fuzz_check_line(line, len, line_max);
	struct json_object *v;

	(void)ctx;
	FUZZ_CHECK(json_object_object_get_ex(obj, "rule", &v) &&
		   json_object_is_type(v, json_type_string) &&
		   bh_rule_lookup(json_object_get_string(v)) >= 0);
	FUZZ_CHECK(json_object_object_get_ex(obj, "severity", &v) &&
		   bh_severity_lookup(json_object_get_string(v)) >= 0);
	json_object_put(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_rules_opts opts = {
		.host_ns = { 4026531841u, 4026531836u, 4026531840u, 4026531839u, 4026531838u,
			     4026531835u, 4026531837u, 4026531834u },
	};
	struct bh_container c = {
		.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.runtime = "docker",
	};
	struct cursor cur = { data, size };
	const uint8_t *chunk;
	struct bh_rules *r;
	size_t len;
	int flags;

	if (size < 1)
		return 0;
	flags = data[0];
	cur.p++;
	cur.left--;
	if (!next_chunk(&cur, &chunk, &len))
		return 0;
	if ((flags & FLAG_DOCKER ? bh_docker_parse_inspect
				 : bh_oci_parse_config)((const char *)chunk, len, &c)) {
		bh_container_clear(&c);
		return 0;
	}
	/* Two records' strings escaped at 6 bytes a byte, the container's at 18 (metadata.h). */
	line_max = 12 * BH_RECORD_MAX + 18 * len + 32768;
	FUZZ_CHECK(bh_rules_new(&opts, &r) == 0);
	bh_rules_on_container(r, &c, check_finding, NULL);

	while (next_chunk(&cur, &chunk, &len)) {
		/* An exact-size copy: ASan then sees any read past the record. */
		uint8_t *rec = malloc(len ? len : 1);
		struct bh_event ev;

		FUZZ_CHECK(rec != NULL);
		memcpy(rec, chunk, len);
		if (!bh_event_decode(rec, len, &ev))
			bh_rules_on_event(r, &ev, flags & FLAG_HOST ? NULL : &c, check_finding,
					  NULL);
		free(rec);
	}
	bh_rules_forget_container(r, c.id);
	bh_rules_free(r);
	bh_container_clear(&c);
	return 0;
}
