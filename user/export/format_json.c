// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format_json.c - the JSON records of http and file outputs: the v1 line, its
 * ECS document, a Splunk HEC event envelope, an Elasticsearch _bulk action and
 * document; and a batch of them as one request body.
 */
#include "export_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/json_reader.h"
#include "output/output_ecs.h"

static size_t without_newline(const char *line, size_t len)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	return len;
}

/* The node the line names (host.name), else this host's name: ECS host.hostname. */
static const char *host_of(struct bh_export *e, struct json_object *obj)
{
	const char *host = bh_jobj_str(bh_jobj_get(obj, "host", json_type_object), "name");

	return host && *host ? host : e->hostname;
}

/*
 * HEC's event envelope (one per event, concatenated in a request):
 * {"time":<epoch s.ms>,"host":..,"source":"bulkhead","sourcetype":"bulkhead:<type>",
 *  "index":..,"event":<the v1 line>}
 */
static int hec_record(struct bh_export *e, struct json_object *obj, const char *line, size_t len,
		      struct bh_json *out)
{
	const char *type = bh_jobj_str(obj, "type");
	char buf[64];
	int64_t ms;

	bh_json_obj_begin(out);
	if (!bh_export_time_ms(bh_jobj_str(obj, "time"), &ms)) {
		snprintf(buf, sizeof(buf), "%lld.%03lld", (long long)(ms / 1000),
			 (long long)(ms % 1000));
		bh_json_key(out, "time");
		bh_json_raw_value(out, buf, strlen(buf));
	}
	bh_json_key_str(out, "host", host_of(e, obj));
	bh_json_key_str(out, "source", "bulkhead");
	snprintf(buf, sizeof(buf), "bulkhead:%s", type ? type : "line");
	bh_json_key_str(out, "sourcetype", buf);
	if (e->spec.index)
		bh_json_key_str(out, "index", e->spec.index);
	bh_json_key(out, "event");
	bh_json_raw_value(out, line, without_newline(line, len));
	bh_json_obj_end(out);
	bh_json_newline(out);
	return 0;
}

/* {"create":{"_index":..}}\n<ECS document>\n: create, as data streams require. */
static int es_bulk_record(struct bh_export *e, struct json_object *obj, const char *line,
			  size_t len, struct bh_json *out)
{
	struct bh_json *doc = &e->scratch;
	int err;

	err = bh_ecs_convert(line, len, host_of(e, obj), doc);
	if (err)
		return err;
	bh_json_obj_begin(out);
	bh_json_key(out, "create");
	bh_json_obj_begin(out);
	bh_json_key_str(out, "_index", e->spec.index);
	bh_json_obj_end(out);
	bh_json_obj_end(out);
	bh_json_newline(out);
	bh_json_raw(out, bh_json_data(doc), bh_json_len(doc));
	return 0;
}

int bh_format_http_record(struct bh_export *e, struct json_object *obj, const char *line,
			  size_t len, struct bh_json *out)
{
	bh_json_reset(out);
	switch (e->spec.format) {
	case BH_EXPORT_FMT_HEC:
		return hec_record(e, obj, line, len, out);
	case BH_EXPORT_FMT_ES_BULK:
		return es_bulk_record(e, obj, line, len, out);
	case BH_EXPORT_FMT_ECS:
		return bh_ecs_convert(line, len, host_of(e, obj), out);
	default:
		/* a file takes the line as is; an http batch joins them into an array */
		if (e->spec.kind == BH_EXPORT_HTTP)
			len = without_newline(line, len);
		bh_json_raw(out, line, len);
		return 0;
	}
}

int bh_format_http_body(const struct bh_export *e, const struct bh_export_batch *b,
			struct bh_json *body)
{
	bool array = e->spec.format == BH_EXPORT_FMT_JSON;

	bh_json_reset(body);
	if (array)
		bh_json_raw(body, "[", 1);
	for (size_t i = b->done; i < b->n; i++) {
		if (array && i > b->done)
			bh_json_raw(body, ",", 1);
		bh_json_raw(body, b->recs[i]->data, b->recs[i]->len);
	}
	if (array)
		bh_json_raw(body, "]", 1);
	return bh_json_failed(body) ? -ENOMEM : 0;
}
