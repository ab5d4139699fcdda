// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format_syslog.c - a v1 line as one syslog message (RFC 5424): the JSON line
 * itself with the finding's rule, severity and container as structured data,
 * or an ArcSight CEF record (format=cef). Framing (octet counting) is the
 * transport's.
 */
#define _GNU_SOURCE /* strptime, timegm */
#include "export_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/json_reader.h"

/*
 * The structured data's id: NAME@PEN needs an IANA private enterprise
 * number; 32473 is the one RFC 5612 reserves for documentation and examples.
 */
#define SD_ID	   "bulkhead@32473"
#define APP_NAME   "bulkhead"
#define CEF_VENDOR "bulkhead"

/* Syslog severity (RFC 5424 6.2.1) of a finding's: crit, err, warning, notice; else info. */
static unsigned int syslog_severity(const char *sev)
{
	static const char *const names[] = { "critical", "high", "medium", "low" };

	for (unsigned int i = 0; sev && i < 4; i++)
		if (!strcmp(sev, names[i]))
			return 2 + i;
	return 6;
}

/* CEF severity 0-10 of a finding's: low 3, medium 5, high 8, critical 10; else 0. */
static unsigned int cef_severity(const char *sev)
{
	static const struct {
		const char *name;
		unsigned int level;
	} levels[] = { { "low", 3 }, { "medium", 5 }, { "high", 8 }, { "critical", 10 } };

	for (unsigned int i = 0; sev && i < 4; i++)
		if (!strcmp(sev, levels[i].name))
			return levels[i].level;
	return 0;
}

/* A header field: printable US-ASCII without spaces (RFC 5424 PRINTUSASCII), at most max. */
static void put_token(struct bh_json *out, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && *s && n < max; s++, n++) {
		char c = *s > 32 && *s < 127 ? *s : '_';

		bh_json_raw(out, &c, 1);
	}
	if (!n)
		bh_json_raw(out, "-", 1);
}

/* TIMESTAMP: the line's RFC 3339 time with at most 6 fraction digits (TIME-SECFRAC). */
static void put_timestamp(struct bh_json *out, const char *t)
{
	const char *dot = t ? strchr(t, '.') : NULL;
	size_t frac;

	if (!t || !*t) {
		bh_json_raw(out, "-", 1);
		return;
	}
	if (!dot) {
		put_token(out, t, 64);
		return;
	}
	frac = strspn(dot + 1, "0123456789");
	bh_json_raw(out, t, (size_t)(dot - t) + 1 + (frac > 6 ? 6 : frac));
	put_token(out, dot + 1 + frac, 8); /* the zone: Z */
}

/* "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID " */
static void put_header(struct bh_export *e, struct json_object *obj, struct bh_json *out)
{
	const char *host = bh_jobj_str(bh_jobj_get(obj, "host", json_type_object), "name");
	char pri[48];

	snprintf(pri, sizeof(pri), "<%u>1 ",
		 e->spec.facility * 8 + syslog_severity(bh_jobj_str(obj, "severity")));
	bh_json_raw(out, pri, strlen(pri));
	put_timestamp(out, bh_jobj_str(obj, "time"));
	bh_json_raw(out, " ", 1);
	put_token(out, host && *host ? host : e->hostname, 255);
	snprintf(pri, sizeof(pri), " " APP_NAME " %d ", (int)getpid());
	bh_json_raw(out, pri, strlen(pri));
	put_token(out, bh_jobj_str(obj, "type"), 32);
	bh_json_raw(out, " ", 1);
}

/* PARAM-VALUE: '"', '\' and ']' escaped (RFC 5424 6.3.3). */
static void put_sd_param(struct bh_json *out, const char *name, const char *v)
{
	if (!v)
		return;
	bh_json_raw(out, " ", 1);
	bh_json_raw(out, name, strlen(name));
	bh_json_raw(out, "=\"", 2);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\' || *v == ']')
			bh_json_raw(out, "\\", 1);
		bh_json_raw(out, v, 1);
	}
	bh_json_raw(out, "\"", 1);
}

/* The line's container: id, name, image and pod "namespace/name". */
struct ctr_fields {
	const char *id, *name, *image;
	char pod[512];
};

static void container_fields(struct json_object *obj, struct ctr_fields *c)
{
	struct json_object *ctr = bh_jobj_get(obj, "container", json_type_object);
	struct json_object *pod = bh_jobj_get(ctr, "pod", json_type_object);
	const char *ns = bh_jobj_str(pod, "namespace"), *name = bh_jobj_str(pod, "name");

	c->id = bh_jobj_str(ctr, "id");
	c->name = bh_jobj_str(ctr, "name");
	c->image = bh_jobj_str(ctr, "image");
	c->pod[0] = '\0';
	if (name)
		snprintf(c->pod, sizeof(c->pod), "%s/%s", ns ? ns : "", name);
}

int bh_format_rfc5424(struct bh_export *e, struct json_object *obj, const char *line, size_t len,
		      struct bh_json *out)
{
	const char *rule = bh_jobj_str(obj, "rule");
	struct ctr_fields c;

	bh_json_reset(out);
	put_header(e, obj, out);
	if (rule) {
		container_fields(obj, &c);
		bh_json_raw(out, "[" SD_ID, strlen("[" SD_ID));
		put_sd_param(out, "rule", rule);
		put_sd_param(out, "severity", bh_jobj_str(obj, "severity"));
		put_sd_param(out, "container_id", c.id);
		put_sd_param(out, "container_name", c.name);
		put_sd_param(out, "image", c.image);
		put_sd_param(out, "pod", c.pod[0] ? c.pod : NULL);
		bh_json_raw(out, "]", 1);
	} else {
		bh_json_raw(out, "-", 1);
	}
	/* MSG: the JSON line whole, so a SIEM that parses it loses nothing */
	bh_json_raw(out, " ", 1);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	bh_json_raw(out, line, len);
	return 0;
}

/* A CEF header field: '\' and '|' escaped, no line breaks. */
static void put_cef_header(struct bh_json *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '|')
			bh_json_raw(out, "\\", 1);
		bh_json_raw(out, *s == '\n' || *s == '\r' ? " " : s, 1);
	}
	bh_json_raw(out, "|", 1);
}

/* " key=value" of the extension: '\' and '=' escaped, line breaks as \n and \r. */
static void put_cef_ext(struct bh_json *out, const char *key, const char *v)
{
	if (!v || !*v)
		return;
	bh_json_raw(out, " ", 1);
	bh_json_raw(out, key, strlen(key));
	bh_json_raw(out, "=", 1);
	for (; *v; v++) {
		if (*v == '\n')
			bh_json_raw(out, "\\n", 2);
		else if (*v == '\r')
			bh_json_raw(out, "\\r", 2);
		else {
			if (*v == '\\' || *v == '=')
				bh_json_raw(out, "\\", 1);
			bh_json_raw(out, v, 1);
		}
	}
}

static void put_cef_label(struct bh_json *out, int n, const char *label, const char *v)
{
	char key[16];

	if (!v || !*v)
		return;
	snprintf(key, sizeof(key), "cs%dLabel", n);
	put_cef_ext(out, key, label);
	snprintf(key, sizeof(key), "cs%d", n);
	put_cef_ext(out, key, v);
}

int bh_export_time_ms(const char *rfc3339, int64_t *ms)
{
	struct tm tm = { 0 };
	const char *rest;
	long frac_ms = 0;

	if (!rfc3339)
		return -EINVAL;
	rest = strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return -EINVAL;
	if (*rest == '.') {
		int digits = 0;

		for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
			if (digits < 3)
				frac_ms = frac_ms * 10 + (*rest - '0');
		for (; digits < 3; digits++)
			frac_ms *= 10;
	}
	*ms = (int64_t)timegm(&tm) * 1000 + frac_ms;
	return 0;
}

int bh_format_cef(struct bh_export *e, struct json_object *obj, const char *line, size_t len,
		  struct bh_json *out)
{
	const char *type = bh_jobj_str(obj, "type"), *rule = bh_jobj_str(obj, "rule");
	const char *sev = bh_jobj_str(obj, "severity"), *host;
	struct json_object *proc = bh_jobj_get(obj, "process", json_type_object);
	struct ctr_fields c;
	char num[32];
	int64_t ms;

	(void)line;
	(void)len;
	bh_json_reset(out);
	put_header(e, obj, out);
	bh_json_raw(out, "- CEF:0|", strlen("- CEF:0|"));
	put_cef_header(out, CEF_VENDOR);
	put_cef_header(out, "bulkhead");
	put_cef_header(out, BULKHEAD_VERSION);
	put_cef_header(out, rule ? rule : type);
	put_cef_header(out, rule ? bh_jobj_str(obj, "summary") : type);
	snprintf(num, sizeof(num), "%u|", cef_severity(sev));
	bh_json_raw(out, num, strlen(num));

	if (!bh_export_time_ms(bh_jobj_str(obj, "time"), &ms)) {
		snprintf(num, sizeof(num), "%lld", (long long)ms);
		bh_json_raw(out, "rt=", 3);
		bh_json_raw(out, num, strlen(num));
	}
	host = bh_jobj_str(bh_jobj_get(obj, "host", json_type_object), "name");
	put_cef_ext(out, "dvchost", host && *host ? host : e->hostname);
	put_cef_ext(out, "cat", type);
	put_cef_ext(out, "msg", bh_jobj_str(obj, "summary"));
	put_cef_ext(out, "sproc", bh_jobj_str(proc, "comm"));
	put_cef_ext(out, "filePath", bh_jobj_str(proc, "exe"));
	if (proc) {
		snprintf(num, sizeof(num), "%d",
			 json_object_get_int(bh_jobj_get(proc, "pid", json_type_int)));
		put_cef_ext(out, "spid", num);
		snprintf(num, sizeof(num), "%d",
			 json_object_get_int(bh_jobj_get(proc, "uid", json_type_int)));
		put_cef_ext(out, "suid", num);
	}
	container_fields(obj, &c);
	put_cef_label(out, 1, "containerId", c.id);
	put_cef_label(out, 2, "containerName", c.name);
	put_cef_label(out, 3, "containerImage", c.image);
	put_cef_label(out, 4, "pod", c.pod);
	put_cef_label(out, 5, "remediation", bh_jobj_str(obj, "remediation"));
	put_cef_label(out, 6, "severity", sev);
	return 0;
}
