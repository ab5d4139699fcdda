// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* export_uri.c - an --export URI and its parameters, with the secrets read from files or env. */
#include "export_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "core/log.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DEFAULT_QUEUE	   10000
#define DEFAULT_BACKOFF_MS 30000
#define DEFAULT_BATCH	   100
#define DEFAULT_TIMEOUT_S  10
#define DEFAULT_MAX_SIZE   (100ull << 20)
#define DEFAULT_KEEP	   5
#define DEFAULT_FACILITY   16 /* local0 */
#define SECRET_MAX	   4096

static const char *const type_names[BH_EXPORT_TYPES] = { "finding", "event", "lifecycle", "stats" };

static const struct {
	const char *name;
	unsigned int code;
} facilities[] = {
	{ "kern", 0 },	  { "user", 1 },      { "daemon", 3 },	  { "auth", 4 },
	{ "syslog", 5 },  { "authpriv", 10 }, { "security", 13 }, { "local0", 16 },
	{ "local1", 17 }, { "local2", 18 },   { "local3", 19 },	  { "local4", 20 },
	{ "local5", 21 }, { "local6", 22 },   { "local7", 23 },
};

static const struct {
	const char *name;
	enum bh_export_format format;
	unsigned int kinds; /* bits 1 << enum bh_export_kind */
} formats[] = {
	{ "rfc5424", BH_EXPORT_FMT_RFC5424, 7 },
	{ "cef", BH_EXPORT_FMT_CEF, 7 },
	{ "json", BH_EXPORT_FMT_JSON, 1 << BH_EXPORT_HTTP | 1 << BH_EXPORT_FILE },
	{ "ecs", BH_EXPORT_FMT_ECS, 1 << BH_EXPORT_FILE },
	{ "hec", BH_EXPORT_FMT_HEC, 1 << BH_EXPORT_HTTP },
	{ "es-bulk", BH_EXPORT_FMT_ES_BULK, 1 << BH_EXPORT_HTTP },
};

static const struct {
	const char *scheme;
	enum bh_export_kind kind;
} schemes[] = {
	{ "syslog", BH_EXPORT_SYSLOG_UDP },
	{ "syslog+udp", BH_EXPORT_SYSLOG_UDP },
	{ "syslog+tcp", BH_EXPORT_SYSLOG_TCP },
	{ "syslog+unix", BH_EXPORT_SYSLOG_UNIX },
	{ "http", BH_EXPORT_HTTP },
	{ "https", BH_EXPORT_HTTP },
	{ "file", BH_EXPORT_FILE },
};

static int bad(const struct bh_export_spec *s, const char *what)
{
	bh_error("--export %s: %s", s->uri, what);
	return -EINVAL;
}

static int parse_num(const char *v, unsigned long long min, unsigned long long max,
		     unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno || end == v || *end || v[0] == '-' || *out < min || *out > max ? -EINVAL : 0;
}

/* The secret in file path (its first line) or in env var name; NULL when absent or empty. */
static char *read_secret(const struct bh_export_spec *s, const char *from_file,
			 const char *from_env, const char *what)
{
	char buf[SECRET_MAX + 1];
	size_t n;
	FILE *f;

	if (from_env) {
		const char *v = getenv(from_env);

		if (!v || !*v) {
			bh_error("--export %s: the environment variable %s (the %s) is not set",
				 s->uri, from_env, what);
			return NULL;
		}
		return strdup(v);
	}
	f = fopen(from_file, "re");
	if (!f) {
		bh_error("--export %s: cannot read the %s from %s: %s", s->uri, what, from_file,
			 strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, SECRET_MAX, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0]) {
		bh_error("--export %s: the %s file %s is empty", s->uri, what, from_file);
		return NULL;
	}
	return strdup(buf);
}

int bh_export_type_lookup(const char *name)
{
	for (int i = 0; name && i < BH_EXPORT_TYPES; i++)
		if (!strcmp(name, type_names[i]))
			return i;
	return -1;
}

static int parse_types(struct bh_export_spec *s, char *v)
{
	char *save = NULL;

	s->types = 0;
	for (char *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int i = bh_export_type_lookup(t);

		if (i < 0)
			return bad(s,
				   "types= takes a comma list of finding, event, lifecycle, stats");
		s->types |= 1u << i;
	}
	return s->types ? 0 : bad(s, "types= is empty");
}

struct secrets {
	const char *token_file, *token_env, *password_file, *password_env;
};

/* One key=value of the query: v is modified (strtok). */
static int parse_param(struct bh_export_spec *s, const char *k, char *v, struct secrets *sec)
{
	unsigned long long n;
	size_t i;

	if (!strcmp(k, "format")) {
		for (i = 0; i < ARRAY_SIZE(formats) && strcmp(v, formats[i].name); i++)
			;
		if (i == ARRAY_SIZE(formats) || !(formats[i].kinds & (1u << s->kind)))
			return bad(s, "format= is rfc5424 or cef for syslog, json, hec or es-bulk "
				      "for http, json or ecs for a file");
		s->format = formats[i].format;
	} else if (!strcmp(k, "min_severity")) {
		s->min_severity = bh_severity_lookup(v);
		if (s->min_severity < 0)
			return bad(s, "min_severity= is low, medium, high or critical");
	} else if (!strcmp(k, "types")) {
		return parse_types(s, v);
	} else if (!strcmp(k, "queue")) {
		if (parse_num(v, 1, 1000000, &n))
			return bad(s, "queue= is a number of records (1 to 1000000)");
		s->queue = (size_t)n;
	} else if (!strcmp(k, "backoff_max_ms")) {
		if (parse_num(v, 10, 3600000, &n))
			return bad(s, "backoff_max_ms= is 10 to 3600000");
		s->backoff_max_ms = (unsigned int)n;
	} else if (!strcmp(k, "facility") && s->kind <= BH_EXPORT_SYSLOG_UNIX) {
		for (i = 0; i < ARRAY_SIZE(facilities) && strcmp(v, facilities[i].name); i++)
			;
		if (i == ARRAY_SIZE(facilities))
			return bad(s,
				   "facility= is a syslog facility name (daemon, auth, local0...)");
		s->facility = facilities[i].code;
	} else if (!strcmp(k, "batch") && s->kind == BH_EXPORT_HTTP) {
		if (parse_num(v, 1, 10000, &n))
			return bad(s, "batch= is a number of records per request (1 to 10000)");
		s->batch = (size_t)n;
	} else if (!strcmp(k, "timeout") && s->kind == BH_EXPORT_HTTP) {
		if (parse_num(v, 1, 600, &n))
			return bad(s, "timeout= is a number of seconds (1 to 600)");
		s->timeout_s = (unsigned int)n;
	} else if (!strcmp(k, "ca_file") && s->kind == BH_EXPORT_HTTP) {
		free(s->ca_file);
		s->ca_file = strdup(v);
	} else if (!strcmp(k, "index") && s->kind == BH_EXPORT_HTTP) {
		free(s->index);
		s->index = strdup(v);
	} else if (!strcmp(k, "user") && s->kind == BH_EXPORT_HTTP) {
		free(s->user);
		s->user = strdup(v);
	} else if (!strcmp(k, "token_file") && s->kind == BH_EXPORT_HTTP) {
		sec->token_file = v;
	} else if (!strcmp(k, "token_env") && s->kind == BH_EXPORT_HTTP) {
		sec->token_env = v;
	} else if (!strcmp(k, "password_file") && s->kind == BH_EXPORT_HTTP) {
		sec->password_file = v;
	} else if (!strcmp(k, "password_env") && s->kind == BH_EXPORT_HTTP) {
		sec->password_env = v;
	} else if (!strcmp(k, "token") || !strcmp(k, "password")) {
		return bad(s, "secrets are never given on the command line: use token_file=, "
			      "token_env=, password_file= or password_env=");
	} else if (!strcmp(k, "max_size") && s->kind == BH_EXPORT_FILE) {
		if (parse_num(v, 0, 1ull << 50, &n))
			return bad(s, "max_size= is a number of bytes (0: no rotation)");
		s->max_size = n;
	} else if (!strcmp(k, "keep") && s->kind == BH_EXPORT_FILE) {
		if (parse_num(v, 1, 1000, &n))
			return bad(s, "keep= is a number of rotated files (1 to 1000)");
		s->keep = (unsigned int)n;
	} else {
		bh_error("--export %s: unknown parameter '%s' for this kind of output", s->uri, k);
		return -EINVAL;
	}
	return 0;
}

static int parse_query(struct bh_export_spec *s, char *q)
{
	struct secrets sec = { 0 };
	char *save = NULL;
	int err;

	for (char *kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq || eq == kv)
			return bad(s, "parameters are KEY=VALUE joined by '&'");
		*eq = '\0';
		err = parse_param(s, kv, eq + 1, &sec);
		if (err)
			return err;
	}
	if (sec.token_file && sec.token_env)
		return bad(s, "token_file= and token_env= exclude each other");
	if (sec.password_file && sec.password_env)
		return bad(s, "password_file= and password_env= exclude each other");
	if ((sec.token_file || sec.token_env) &&
	    !(s->token = read_secret(s, sec.token_file, sec.token_env, "token")))
		return -EINVAL;
	if ((sec.password_file || sec.password_env) &&
	    !(s->password = read_secret(s, sec.password_file, sec.password_env, "password")))
		return -EINVAL;
	if (s->password && !s->user)
		return bad(s, "a password needs user=");
	if (s->format == BH_EXPORT_FMT_HEC && !s->token)
		return bad(s, "format=hec needs the HEC token: token_file= or token_env=");
	return 0;
}

/* HOST:PORT or [IPv6]:PORT of a syslog URI (authority modified). */
static int parse_host_port(struct bh_export_spec *s, char *auth)
{
	char *colon;

	if (auth[0] == '[') {
		char *close = strchr(auth, ']');

		if (!close || close[1] != ':')
			return bad(s, "the address is HOST:PORT or [IPv6]:PORT");
		*close = '\0';
		colon = close + 1;
		auth++;
	} else {
		colon = strrchr(auth, ':');
		if (!colon)
			return bad(s, "syslog over udp or tcp needs HOST:PORT");
		*colon = '\0';
	}
	unsigned long long port;

	if (!*auth || parse_num(colon + 1, 1, 65535, &port))
		return bad(s, "the address is HOST:PORT with a port from 1 to 65535");
	s->host = strdup(auth);
	s->port = strdup(colon + 1);
	return s->host && s->port ? 0 : -ENOMEM;
}

/* The part after "scheme://", up to the query (rest modified). */
static int parse_location(struct bh_export_spec *s, char *rest, const char *uri_no_query)
{
	switch (s->kind) {
	case BH_EXPORT_SYSLOG_UDP:
	case BH_EXPORT_SYSLOG_TCP:
		if (strchr(rest, '/') || strchr(rest, '@'))
			return bad(s, "syslog over udp or tcp is syslog[+tcp]://HOST:PORT");
		return parse_host_port(s, rest);
	case BH_EXPORT_SYSLOG_UNIX:
	case BH_EXPORT_FILE:
		if (rest[0] != '/')
			return bad(s, "the path must be absolute (file:///path, "
				      "syslog+unix:///dev/log)");
		s->path = strdup(rest);
		return s->path ? 0 : -ENOMEM;
	case BH_EXPORT_HTTP:
		if (!rest[0] || rest[0] == '/')
			return bad(s, "an http(s) URI needs a host");
		/* user:password@ would print the password with the URI */
		if (strcspn(rest, "@") < strcspn(rest, "/"))
			return bad(s, "no credentials in the URI: use user= with password_file= or "
				      "password_env=, or token_file= / token_env=");
		s->url = strdup(uri_no_query);
		return s->url ? 0 : -ENOMEM;
	}
	return -EINVAL;
}

int bh_export_spec_parse(const char *uri, struct bh_export_spec *s)
{
	char *copy = NULL, *sep, *query;
	size_t i;
	int err;

	memset(s, 0, sizeof(*s));
	s->uri = strdup(uri);
	copy = strdup(uri);
	if (!s->uri || !copy) {
		err = -ENOMEM;
		goto out;
	}
	sep = strstr(copy, "://");
	if (sep)
		*sep = '\0';
	for (i = 0; sep && i < ARRAY_SIZE(schemes) && strcmp(copy, schemes[i].scheme); i++)
		;
	if (!sep || i == ARRAY_SIZE(schemes)) {
		err = bad(s, "not syslog://, syslog+tcp://, syslog+unix://, http(s):// or file://");
		goto out;
	}
	s->kind = schemes[i].kind;
	s->types =
		s->kind == BH_EXPORT_FILE ? (1u << BH_EXPORT_TYPES) - 1 : 1u << BH_EXPORT_FINDING;
	s->format = s->kind == BH_EXPORT_HTTP || s->kind == BH_EXPORT_FILE ? BH_EXPORT_FMT_JSON
									   : BH_EXPORT_FMT_RFC5424;
	s->min_severity = BH_SEV_LOW;
	s->queue = DEFAULT_QUEUE;
	s->backoff_max_ms = DEFAULT_BACKOFF_MS;
	s->facility = DEFAULT_FACILITY;
	s->batch = s->kind == BH_EXPORT_HTTP ? DEFAULT_BATCH : 64;
	s->timeout_s = DEFAULT_TIMEOUT_S;
	s->max_size = DEFAULT_MAX_SIZE;
	s->keep = DEFAULT_KEEP;

	query = strchr(sep + 3, '?');
	if (query)
		*query++ = '\0';
	/* the URI without its parameters, for http: scheme://rest */
	sep[0] = ':';
	err = parse_location(s, sep + 3, copy);
	if (!err && query)
		err = parse_query(s, query);
	if (!err && s->format == BH_EXPORT_FMT_ES_BULK && !s->index &&
	    !(s->index = strdup("bulkhead")))
		err = -ENOMEM;
out:
	free(copy);
	if (err)
		bh_export_spec_free(s);
	return err;
}

void bh_export_spec_free(struct bh_export_spec *s)
{
	free(s->uri);
	free(s->host);
	free(s->port);
	free(s->path);
	free(s->url);
	free(s->ca_file);
	if (s->token)
		explicit_bzero(s->token, strlen(s->token));
	free(s->token);
	free(s->user);
	if (s->password)
		explicit_bzero(s->password, strlen(s->password));
	free(s->password);
	free(s->index);
	memset(s, 0, sizeof(*s));
}
