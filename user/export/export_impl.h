/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * export_impl.h - what the parts of export/ share (internal): an output's
 * parsed URI (export_uri.c), its record formats (format_*.c), the transports
 * that deliver a batch of records (transport_*.c) and the queue and writer
 * thread that drive them (export.c).
 */
#ifndef BULKHEAD_EXPORT_IMPL_H
#define BULKHEAD_EXPORT_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "core/json_writer.h"
#include "export.h"

enum bh_export_kind {
	BH_EXPORT_SYSLOG_UDP,
	BH_EXPORT_SYSLOG_TCP,
	BH_EXPORT_SYSLOG_UNIX,
	BH_EXPORT_HTTP,
	BH_EXPORT_FILE,
};

enum bh_export_format {
	BH_EXPORT_FMT_RFC5424, /* syslog: JSON line as MSG, structured data with rule etc. */
	BH_EXPORT_FMT_CEF,     /* syslog: ArcSight CEF as MSG */
	BH_EXPORT_FMT_JSON,    /* http: one array per POST; file: the v1 lines */
	BH_EXPORT_FMT_ECS,     /* file: ECS lines */
	BH_EXPORT_FMT_HEC,     /* http: Splunk HEC event envelopes */
	BH_EXPORT_FMT_ES_BULK, /* http: Elasticsearch _bulk of ECS documents */
};

/* Line types an output takes (types=): bits by enum bh_export_type. */
enum bh_export_type {
	BH_EXPORT_FINDING,
	BH_EXPORT_EVENT,
	BH_EXPORT_LIFECYCLE,
	BH_EXPORT_STATS,
	BH_EXPORT_TYPES,
};

/* An output as its URI says. Strings are malloc'd; secret is never logged. */
struct bh_export_spec {
	char *uri;
	enum bh_export_kind kind;
	enum bh_export_format format;
	unsigned int types; /* bits 1 << enum bh_export_type */
	int min_severity;   /* enum bh_severity; findings below are not sent */
	size_t queue;	    /* records the queue holds */
	unsigned int backoff_max_ms;
	char *host; /* syslog udp/tcp */
	char *port;
	char *path;	       /* syslog unix socket, file */
	unsigned int facility; /* syslog */
	char *url;	       /* http: the URI without its parameters */
	size_t batch;	       /* http: records per POST */
	char *ca_file;
	char *token; /* http: from token_file= or token_env= */
	char *user;
	char *password; /* from password_file= or password_env= */
	char *index;	/* es-bulk _index, hec index */
	unsigned int timeout_s;
	uint64_t max_size; /* file: rotate past this many bytes; 0: never */
	unsigned int keep; /* file: rotated copies kept */
};

/* The enum bh_export_type of a line's "type" ("finding", ...), -1 for another or NULL. */
int bh_export_type_lookup(const char *name);

/* Parses uri into s (zeroed first). Returns 0 or -EINVAL with the cause logged; -ENOMEM. */
int bh_export_spec_parse(const char *uri, struct bh_export_spec *s);
void bh_export_spec_free(struct bh_export_spec *s);

/* A formatted record, queued whole. */
struct bh_export_rec {
	size_t len;
	char data[];
};

/*
 * What a transport delivers at once: records in queue order. The transport
 * counts in done the records delivered from the first, also when it fails
 * part way (a retry resends only the rest), and in refused those of them the
 * receiver rejected one by one (an Elasticsearch item error).
 */
struct bh_export_batch {
	struct bh_export_rec **recs;
	size_t n;
	size_t done;
	size_t refused;
};

struct bh_export;

/*
 * A transport, run by the output's writer thread only. send returns 0 (the
 * whole batch delivered), a negative errno (the rest from b->done on is retried
 * after a backoff, on a new connection), or -EBADMSG (the receiver refused the
 * rest for good: dropped and counted).
 */
struct bh_export_transport {
	int (*send)(struct bh_export *e, struct bh_export_batch *b);
	void (*close)(struct bh_export *e); /* after the last send; frees e->conn */
};

extern const struct bh_export_transport bh_export_syslog;
extern const struct bh_export_transport bh_export_http;
extern const struct bh_export_transport bh_export_file;

struct bh_export {
	struct bh_export_spec spec;
	const struct bh_export_transport *transport;
	void *conn;		/* the transport's state */
	struct bh_json fmt;	/* the record being formatted (producer only) */
	struct bh_json scratch; /* a format's intermediate document (producer only) */
	char hostname[256];	/* syslog HOSTNAME when a line has none */
	/* The queue: a ring of spec.queue records, [head, head + used). */
	struct bh_export_rec **ring;
	size_t head, used;
	bool lossless;
	bool stop;
	bool failing;		  /* the last attempt failed: the writer is backing off */
	struct timespec drain_by; /* CLOCK_REALTIME: once stopped, the end of the retries */
	_Atomic bool reopen;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* producer -> writer: queued, or stop */
	pthread_cond_t room; /* writer -> producer: records taken */
	uint64_t sent, retried, dropped;
	unsigned int errors_logged; /* failure messages logged since the last success */
};

/*
 * The formats: each writes one record for line (obj: its parse) into out, reset
 * first. Return 0 or -EINVAL (a line the format cannot carry: dropped).
 */
int bh_format_rfc5424(struct bh_export *e, struct json_object *obj, const char *line, size_t len,
		      struct bh_json *out);
int bh_format_cef(struct bh_export *e, struct json_object *obj, const char *line, size_t len,
		  struct bh_json *out);
int bh_format_http_record(struct bh_export *e, struct json_object *obj, const char *line,
			  size_t len, struct bh_json *out);
/* Milliseconds since the epoch of an RFC 3339 UTC time: 0 or -EINVAL. */
int bh_export_time_ms(const char *rfc3339, int64_t *ms);

/* An http batch's body: the records from b->done joined (a JSON array for format=json). */
int bh_format_http_body(const struct bh_export *e, const struct bh_export_batch *b,
			struct bh_json *body);

/* Logs a failure of e (at most a few times until it works again: a dead receiver is loud once). */
void bh_export_fail_log(struct bh_export *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
