// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * transport_http.c - a batch of records as one POST with libcurl: one handle
 * per output, so the connection is kept alive; TLS verified unless a CA file
 * says whom to trust instead of the system's store.
 */
#include "export_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/json_reader.h"

/* What a response body may hold before the rest is ignored: an _bulk answer's items. */
#define RESPONSE_MAX (4u << 20)

struct conn {
	CURL *curl;
	struct curl_slist *headers;
	struct bh_json body;
	char *response;
	size_t response_len;
	char errbuf[CURL_ERROR_SIZE];
};

static size_t on_response(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct conn *c = ctx;
	size_t n = size * nmemb;
	char *grown;

	if (c->response_len + n > RESPONSE_MAX)
		return n; /* read and forgotten */
	grown = realloc(c->response, c->response_len + n + 1);
	if (!grown)
		return n;
	memcpy(grown + c->response_len, data, n);
	c->response = grown;
	c->response_len += n;
	grown[c->response_len] = '\0';
	return n;
}

/* "Authorization: <scheme> <token>", wiped once curl has its copy. */
static struct curl_slist *add_token(struct curl_slist *h, const struct bh_export_spec *s)
{
	const char *scheme = s->format == BH_EXPORT_FMT_HEC	  ? "Splunk"
			     : s->format == BH_EXPORT_FMT_ES_BULK ? "ApiKey"
								  : "Bearer";
	size_t len = strlen(s->token) + 64;
	char *line = malloc(len);

	if (!line)
		return NULL;
	snprintf(line, len, "Authorization: %s %s", scheme, s->token);
	h = curl_slist_append(h, line);
	explicit_bzero(line, len);
	free(line);
	return h;
}

static struct conn *conn_open(struct bh_export *e)
{
	const struct bh_export_spec *s = &e->spec;
	struct conn *c = calloc(1, sizeof(*c));
	struct curl_slist *h = NULL;

	if (!c)
		return NULL;
	bh_json_init(&c->body);
	c->curl = curl_easy_init();
	h = curl_slist_append(h, s->format == BH_EXPORT_FMT_ES_BULK
					 ? "Content-Type: application/x-ndjson"
					 : "Content-Type: application/json");
	if (h)
		h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip per batch */
	if (h && s->token)
		h = add_token(h, s);
	c->headers = h;
	if (!c->curl || !h) {
		curl_slist_free_all(h);
		curl_easy_cleanup(c->curl);
		free(c);
		return NULL;
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, s->url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L); /* a thread of a multi-threaded agent */
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_response);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (s->ca_file)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, s->ca_file);
	if (s->user) {
		curl_easy_setopt(c->curl, CURLOPT_USERNAME, s->user);
		if (s->password)
			curl_easy_setopt(c->curl, CURLOPT_PASSWORD, s->password);
	}
	e->conn = c;
	return c;
}

static void http_close(struct bh_export *e)
{
	struct conn *c = e->conn;

	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	bh_json_free(&c->body);
	free(c->response);
	free(c);
	e->conn = NULL;
}

/*
 * An _bulk answer is 200 even when documents failed: its items say which. The
 * ones refused with a 4xx other than 429 are dropped (counted); any other item
 * error makes the whole batch a retry (Elasticsearch's advice).
 */
static int bulk_items(struct bh_export *e, struct conn *c, struct bh_export_batch *b)
{
	struct json_object *resp = bh_jobj_parse(c->response, c->response_len);
	struct json_object *items = bh_jobj_get(resp, "items", json_type_array);
	size_t refused = 0, n = items ? json_object_array_length(items) : 0;
	int err = 0;

	if (!bh_jobj_bool(resp, "errors")) {
		json_object_put(resp);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(items, i);
		struct json_object *op = bh_jobj_get(it, "create", json_type_object);
		int status = json_object_get_int(bh_jobj_get(op, "status", json_type_int));

		if (status == 429 || status >= 500)
			err = -EAGAIN;
		else if (status >= 300)
			refused++;
	}
	json_object_put(resp);
	if (err) {
		bh_export_fail_log(e, "Elasticsearch could not index every document now");
		return err;
	}
	b->refused = refused;
	bh_export_fail_log(e, "Elasticsearch refused %zu documents (mapping errors?)", refused);
	return 0;
}

static int http_send(struct bh_export *e, struct bh_export_batch *b)
{
	struct conn *c = e->conn ? e->conn : conn_open(e);
	long status = 0;
	CURLcode rc;
	int err;

	if (!c)
		return -ENOMEM;
	err = bh_format_http_body(e, b, &c->body);
	if (err)
		return err;
	c->response_len = 0;
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, bh_json_data(&c->body));
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)bh_json_len(&c->body));
	rc = curl_easy_perform(c->curl);
	if (rc != CURLE_OK) {
		bh_export_fail_log(e, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		http_close(e); /* a new connection for the retry */
		return -ECONNREFUSED;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300) {
		err = e->spec.format == BH_EXPORT_FMT_ES_BULK ? bulk_items(e, c, b) : 0;
		if (!err)
			b->done = b->n;
		return err;
	}
	if (status == 408 || status == 429 || status >= 500) {
		bh_export_fail_log(e, "the receiver answered HTTP %ld: retrying", status);
		return -EAGAIN;
	}
	/* 4xx: the same request would be refused again (a bad token, a bad body) */
	bh_export_fail_log(e, "the receiver refused %zu records with HTTP %ld", b->n - b->done,
			   status);
	return -EBADMSG;
}

const struct bh_export_transport bh_export_http = {
	.send = http_send,
	.close = http_close,
};
