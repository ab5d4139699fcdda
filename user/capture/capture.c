// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* capture.c - writes and reads capture files: a header, then independent zstd frames of records. */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "core/json_reader.h"

/* zstd skips frames with magic 0x184D2A50..5F: the header is one, so `zstd -d` reads the file. */
#define SKIPPABLE_MAGIC 0x184D2A5Bu
static const char file_magic[8] = { 'B', 'H', 'C', 'A', 'P', 'T', 'U', 'R' };
#define HDR_FIXED	 16 /* file_magic, u32 version, u32 reserved */
#define HDR_JSON_MAX	 4096
#define REC_HDR		 8	     /* u32 kind, u32 len */
#define FRAME_RAW_TARGET (1u << 20)  /* end a frame by itself past 1 MiB of records */
#define FRAME_RAW_MAX	 (64u << 20) /* a reader refuses frames larger than this */
#define ZSTD_LEVEL	 3
#define NSEC_PER_SEC	 1000000000LL

struct bh_capture {
	int fd;
	int error;
	off_t good_off; /* end of the last whole frame */
	ZSTD_CCtx *cctx;
	char *raw;
	size_t raw_len, raw_cap;
	void *zbuf;
	size_t zbuf_cap;
	struct bh_hashtab bindings;   /* (cgroup, v1) -> the container id last written */
	struct bh_hashtab containers; /* container id -> bool: its metadata is in the file */
	struct bh_json json;
	struct bh_capture_stats st;
};

struct bh_cgmap_entry *bh_cgmap_find(struct bh_hashtab *t, __u64 k1, __u64 k2)
{
	const __u64 key[2] = { k1, k2 };
	struct bh_cgmap_entry *e = bh_hashtab_get(t, key, sizeof(key));

	/* looked up inline first: replay finds a binding for every record */
	return e ? e : bh_hashtab_put(t, key, sizeof(key));
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void put_le32(unsigned char *p, __u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static __u32 get_le32(const unsigned char *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 | (__u32)p[3] << 24;
}

static void header_json(struct bh_json *w, const struct bh_capture_hdr *h)
{
	char start[40];

	bh_json_time(start, sizeof(start), h->start_ns / NSEC_PER_SEC,
		     (long)(h->start_ns % NSEC_PER_SEC));
	bh_json_obj_begin(w);
	bh_json_key_str(w, "hostname", h->hostname);
	bh_json_key_str(w, "kernel", h->kernel);
	bh_json_key_str(w, "start", start);
	bh_json_key_int(w, "start_ns", h->start_ns);
	bh_json_key_int(w, "boot_to_real_ns", h->boot_to_real_ns);
	bh_json_key(w, "host_ns");
	bh_json_arr_begin(w);
	for (int k = 0; k < BH_NS_KINDS; k++)
		bh_json_uint(w, h->host_ns[k]);
	bh_json_arr_end(w);
	bh_json_key_uint(w, "self_cgroup_id", h->self_cgroup_id);
	bh_json_key_uint(w, "abi", BH_ABI_VERSION);
	bh_json_key_str(w, "bulkhead", BULKHEAD_VERSION);
	bh_json_obj_end(w);
}

int bh_capture_open(const char *path, const struct bh_capture_hdr *hdr, struct bh_capture **out)
{
	struct bh_capture_hdr h = *hdr;
	struct bh_capture *w;
	unsigned char fixed[8 + HDR_FIXED];
	struct utsname u;
	int err;

	if (!h.hostname[0] || !h.kernel[0]) {
		if (uname(&u))
			memset(&u, 0, sizeof(u));
		if (!h.hostname[0])
			snprintf(h.hostname, sizeof(h.hostname), "%s", u.nodename);
		if (!h.kernel[0])
			snprintf(h.kernel, sizeof(h.kernel), "%s", u.release);
	}
	if (!h.start_ns) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		h.start_ns = now.tv_sec * NSEC_PER_SEC + now.tv_nsec;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	bh_hashtab_init(&w->bindings, sizeof(struct bh_cgmap_entry));
	bh_hashtab_init(&w->containers, sizeof(bool));
	bh_json_init(&w->json);
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx) {
		err = -ENOMEM;
		goto fail;
	}
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		err = -errno;
		goto fail;
	}
	header_json(&w->json, &h);
	if (bh_json_failed(&w->json) || bh_json_len(&w->json) > HDR_JSON_MAX) {
		err = -ENOMEM;
		goto fail_fd;
	}
	put_le32(fixed, SKIPPABLE_MAGIC);
	put_le32(fixed + 4, (__u32)(HDR_FIXED + bh_json_len(&w->json)));
	memcpy(fixed + 8, file_magic, sizeof(file_magic));
	put_le32(fixed + 16, BH_CAPTURE_VERSION);
	put_le32(fixed + 20, 0);
	err = write_all(w->fd, fixed, sizeof(fixed));
	if (!err)
		err = write_all(w->fd, bh_json_data(&w->json), bh_json_len(&w->json));
	if (err)
		goto fail_fd;
	w->good_off = (off_t)(sizeof(fixed) + bh_json_len(&w->json));
	w->st.bytes_written = (__u64)w->good_off;
	*out = w;
	return 0;
fail_fd:
	close(w->fd);
	unlink(path);
fail:
	ZSTD_freeCCtx(w->cctx);
	bh_json_free(&w->json);
	free(w);
	return err;
}

static int append(struct bh_capture *w, unsigned int kind, const void *a, size_t alen,
		  const void *b, size_t blen)
{
	size_t need = REC_HDR + alen + blen;
	int err;

	if (w->error)
		return w->error;
	if (need > FRAME_RAW_MAX / 2)
		return -E2BIG;
	if (w->raw_len + need > w->raw_cap) {
		size_t cap = w->raw_cap ? w->raw_cap : (size_t)64 * 1024;
		char *raw;

		while (cap < w->raw_len + need)
			cap *= 2;
		raw = realloc(w->raw, cap);
		if (!raw)
			return -ENOMEM;
		w->raw = raw;
		w->raw_cap = cap;
	}
	put_le32((unsigned char *)w->raw + w->raw_len, kind);
	put_le32((unsigned char *)w->raw + w->raw_len + 4, (__u32)(alen + blen));
	memcpy(w->raw + w->raw_len + REC_HDR, a, alen);
	if (blen)
		memcpy(w->raw + w->raw_len + REC_HDR + alen, b, blen);
	w->raw_len += need;
	w->st.records++;
	w->st.bytes_raw += need;
	if (w->raw_len >= FRAME_RAW_TARGET) {
		err = bh_capture_flush(w);
		if (err)
			return err;
	}
	return 0;
}

int bh_capture_flush(struct bh_capture *w)
{
	size_t bound, n;
	int err;

	if (w->error || !w->raw_len)
		return w->error;
	bound = ZSTD_compressBound(w->raw_len);
	if (bound > w->zbuf_cap) {
		void *z = realloc(w->zbuf, bound);

		if (!z)
			return -ENOMEM;
		w->zbuf = z;
		w->zbuf_cap = bound;
	}
	n = ZSTD_compress2(w->cctx, w->zbuf, w->zbuf_cap, w->raw, w->raw_len);
	if (ZSTD_isError(n)) {
		w->error = -EIO;
		return w->error;
	}
	err = write_all(w->fd, w->zbuf, n);
	if (err) {
		/* Cut the partial frame: the file stays replayable up to the last whole one. */
		if (ftruncate(w->fd, w->good_off) == 0)
			lseek(w->fd, w->good_off, SEEK_SET);
		w->error = err;
		return err;
	}
	w->good_off += (off_t)n;
	w->st.bytes_written += n;
	w->st.frames++;
	w->raw_len = 0;
	return 0;
}

int bh_capture_binding(struct bh_capture *w, __u64 cgroup_id, __u64 cgroup_v1_id, const char *id)
{
	unsigned char ids[16];

	memcpy(ids, &cgroup_id, 8);
	memcpy(ids + 8, &cgroup_v1_id, 8);
	return append(w, BH_CAP_BINDING, ids, sizeof(ids), id ? id : "", id ? strlen(id) : 0);
}

int bh_capture_container(struct bh_capture *w, const struct bh_container *c)
{
	bool *written;
	int err;

	if (w->error)
		return w->error;
	written = bh_hashtab_put(&w->containers, c->id, strlen(c->id));
	if (!written)
		return -ENOMEM;
	if (*written)
		return 0;
	bh_capture_container_json(&w->json, c);
	if (bh_json_failed(&w->json))
		return -ENOMEM;
	err = append(w, BH_CAP_CONTAINER, bh_json_data(&w->json), bh_json_len(&w->json), NULL, 0);
	if (!err)
		*written = true;
	return err;
}

int bh_capture_container_gone(struct bh_capture *w, const struct bh_container *c)
{
	struct bh_hashtab_iter it;
	struct bh_cgmap_entry *s;

	/* Its metadata is written again should it come back. */
	bh_hashtab_del(&w->containers, c->id, strlen(c->id));
	/* Bindings to it are stale too: a reused cgroup id must be bound again. */
	bh_hashtab_iter_init(&it, &w->bindings);
	while ((s = bh_hashtab_iter_next(&it)))
		if (s->present && !strcmp(s->id, c->id))
			s->present = false;
	return append(w, BH_CAP_GONE, c->id, strlen(c->id), NULL, 0);
}

int bh_capture_event(struct bh_capture *w, const void *rec, size_t size,
		     const struct bh_container *c)
{
	const struct bh_hdr *h = rec;
	const char *id = c ? c->id : "";
	struct bh_cgmap_entry *s;
	int err;

	if (size < sizeof(*h))
		return -EINVAL;
	if (c && (err = bh_capture_container(w, c)))
		return err;
	s = bh_cgmap_find(&w->bindings, h->cgroup_id, h->cgroup_v1_id);
	if (!s)
		return -ENOMEM;
	if (!s->present || strcmp(s->id, id)) {
		err = bh_capture_binding(w, h->cgroup_id, h->cgroup_v1_id, c ? id : NULL);
		if (err)
			return err;
		snprintf(s->id, sizeof(s->id), "%s", id);
		s->present = true;
	}
	err = append(w, BH_CAP_EVENT, rec, size, NULL, 0);
	if (!err)
		w->st.events++;
	return err;
}

void bh_capture_get_stats(const struct bh_capture *w, struct bh_capture_stats *st)
{
	*st = w->st;
}

int bh_capture_close(struct bh_capture *w)
{
	int err;

	if (!w)
		return 0;
	err = bh_capture_flush(w);
	if (fsync(w->fd) && !err && errno != EINVAL)
		err = -errno;
	if (close(w->fd) && !err)
		err = -errno;
	ZSTD_freeCCtx(w->cctx);
	free(w->raw);
	free(w->zbuf);
	bh_hashtab_fini(&w->bindings);
	bh_hashtab_fini(&w->containers);
	bh_json_free(&w->json);
	free(w);
	return err;
}

/* Reading */

struct bh_capture_reader {
	int fd;
	ZSTD_DCtx *dctx;
	unsigned char in[64 * 1024];
	size_t in_len, in_pos;
	char *frame; /* the frame being decompressed */
	size_t frame_len, frame_cap;
	char *rec; /* one record, copied: malloc alignment suits struct bh_hdr */
	size_t rec_cap;
	__u64 frames;
};

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int parse_header_json(const char *text, size_t len, struct bh_capture_hdr *h)
{
	struct json_object *o = bh_jobj_parse(text, len), *v, *ns;

	if (!o)
		return -EBADMSG;
	snprintf(h->hostname, sizeof(h->hostname), "%s",
		 bh_jobj_str(o, "hostname") ? bh_jobj_str(o, "hostname") : "");
	snprintf(h->kernel, sizeof(h->kernel), "%s",
		 bh_jobj_str(o, "kernel") ? bh_jobj_str(o, "kernel") : "");
	if ((v = bh_jobj_get(o, "start_ns", json_type_int)))
		h->start_ns = json_object_get_int64(v);
	if ((v = bh_jobj_get(o, "boot_to_real_ns", json_type_int)))
		h->boot_to_real_ns = json_object_get_int64(v);
	if ((v = bh_jobj_get(o, "self_cgroup_id", json_type_int)))
		h->self_cgroup_id = json_object_get_uint64(v);
	ns = bh_jobj_get(o, "host_ns", json_type_array);
	for (size_t k = 0; ns && k < BH_NS_KINDS && k < json_object_array_length(ns); k++)
		h->host_ns[k] = (__u32)json_object_get_uint64(json_object_array_get_idx(ns, k));
	json_object_put(o);
	return 0;
}

int bh_capture_reader_open(const char *path, struct bh_capture_hdr *hdr,
			   struct bh_capture_reader **out)
{
	unsigned char fixed[8 + HDR_FIXED];
	struct bh_capture_reader *r;
	char json[HDR_JSON_MAX];
	__u32 size;
	int err;

	memset(hdr, 0, sizeof(*hdr));
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		err = -errno;
		free(r);
		return err;
	}
	err = read_full(r->fd, fixed, sizeof(fixed));
	if (err)
		goto fail;
	size = get_le32(fixed + 4);
	if (get_le32(fixed) != SKIPPABLE_MAGIC || memcmp(fixed + 8, file_magic, 8) ||
	    size < HDR_FIXED || size > HDR_FIXED + HDR_JSON_MAX) {
		err = -EBADMSG;
		goto fail;
	}
	hdr->version = get_le32(fixed + 16);
	if (hdr->version != BH_CAPTURE_VERSION) {
		err = -EPROTONOSUPPORT;
		goto fail;
	}
	err = read_full(r->fd, json, size - HDR_FIXED);
	if (!err)
		err = parse_header_json(json, size - HDR_FIXED, hdr);
	if (err)
		goto fail;
	r->dctx = ZSTD_createDCtx();
	if (!r->dctx) {
		err = -ENOMEM;
		goto fail;
	}
	*out = r;
	return 0;
fail:
	close(r->fd);
	free(r);
	return err;
}

void bh_capture_reader_close(struct bh_capture_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->frame);
	free(r->rec);
	free(r);
}

__u64 bh_capture_frames_read(const struct bh_capture_reader *r)
{
	return r->frames;
}

/* Hands the records of one whole, checksummed frame to fn. */
static int dispatch(struct bh_capture_reader *r, bh_capture_record_fn fn, void *ctx)
{
	size_t off = 0;

	while (off < r->frame_len) {
		const unsigned char *p = (const unsigned char *)r->frame + off;
		__u32 kind, len;
		int err;

		if (r->frame_len - off < REC_HDR)
			return -EBADMSG;
		kind = get_le32(p);
		len = get_le32(p + 4);
		if (len > r->frame_len - off - REC_HDR)
			return -EBADMSG;
		if (len + 1 > r->rec_cap) {
			char *rec = realloc(r->rec, len + 1);

			if (!rec)
				return -ENOMEM;
			r->rec = rec;
			r->rec_cap = len + 1;
		}
		memcpy(r->rec, p + REC_HDR, len);
		r->rec[len] = '\0';
		err = fn(ctx, kind, r->rec, len);
		if (err)
			return err;
		off += REC_HDR + len;
	}
	return 0;
}

int bh_capture_read(struct bh_capture_reader *r, bh_capture_record_fn fn, void *ctx)
{
	bool in_frame = false;

	for (;;) {
		ZSTD_inBuffer ib;

		if (r->in_pos == r->in_len) {
			ssize_t n = read(r->fd, r->in, sizeof(r->in));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			if (n == 0)
				return in_frame ? -ENODATA : 0;
			r->in_len = (size_t)n;
			r->in_pos = 0;
		}
		ib = (ZSTD_inBuffer){ r->in, r->in_len, r->in_pos };
		while (ib.pos < ib.size) {
			ZSTD_outBuffer ob;
			size_t ret;

			if (r->frame_cap - r->frame_len < (size_t)64 * 1024) {
				size_t cap = r->frame_cap ? r->frame_cap * 2 : (size_t)256 * 1024;
				char *f;

				if (cap > FRAME_RAW_MAX)
					return -EBADMSG;
				f = realloc(r->frame, cap);
				if (!f)
					return -ENOMEM;
				r->frame = f;
				r->frame_cap = cap;
			}
			ob = (ZSTD_outBuffer){ r->frame, r->frame_cap, r->frame_len };
			ret = ZSTD_decompressStream(r->dctx, &ob, &ib);
			r->frame_len = ob.pos;
			if (ZSTD_isError(ret))
				return -EBADMSG;
			in_frame = ret != 0;
			if (!in_frame) {
				int err = dispatch(r, fn, ctx);

				r->frame_len = 0;
				if (err)
					return err;
				r->frames++;
			}
		}
		r->in_pos = ib.pos;
	}
}

int bh_capture_parse_binding(const void *data, size_t len, __u64 *cgroup_id, __u64 *cgroup_v1_id,
			     char id[BH_CONTAINER_ID_LEN + 1])
{
	const char *p = data;

	if (len < 16 || len - 16 > BH_CONTAINER_ID_LEN)
		return -EBADMSG;
	memcpy(cgroup_id, p, 8);
	memcpy(cgroup_v1_id, p + 8, 8);
	memcpy(id, p + 16, len - 16);
	id[len - 16] = '\0';
	return 0;
}
