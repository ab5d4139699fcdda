// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_event.c - ring buffer records (short, oversized, garbage) through bh_event_decode
 * and, when accepted, bh_json_event_line: every line is one bounded JSON object.
 */
#include "fuzz.h"
#include "output/output_json.h"

/* Every byte of a record escapes to at most 6 ("\u00xx"); names, numbers and caps fit in 16 KiB. */
#define LINE_MAX_BYTES (6 * BH_RECORD_MAX + 16384)

static void check_str(const struct bh_str *s, const unsigned char *rec, size_t size)
{
	if (!s->len)
		return;
	FUZZ_CHECK((const unsigned char *)s->ptr >= rec);
	FUZZ_CHECK((const unsigned char *)s->ptr + s->len <= rec + size);
}

/* Decodes one record; an accepted one must lie inside it and print as one JSON line. */
static void one_record(struct bh_json *w, const unsigned char *rec, size_t size,
		       const struct bh_container *c)
{
	struct bh_event ev;
	struct json_object *obj;

	if (bh_event_decode(rec, size, &ev))
		return;
	FUZZ_CHECK(ev.hdr->size >= bh_event_fixed_size(ev.hdr->type) && ev.hdr->size <= size);
	check_str(&ev.exe, rec, ev.hdr->size);
	for (int i = 0; i < BH_EVENT_STRS; i++)
		check_str(&ev.str[i], rec, ev.hdr->size);
	bh_json_event_line(w, &ev, c, 0);
	FUZZ_CHECK(!bh_json_failed(w));
	obj = fuzz_check_line(bh_json_data(w), bh_json_len(w), LINE_MAX_BYTES);
	json_object_put(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bh_container c = {
		.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.runtime = "docker",
		.name = "web",
		.image = "local/busybox:1",
	};
	struct bh_json w;
	unsigned char *rec;

	bh_json_init(&w);
	/*
	 * As given, in libFuzzer's buffer of exactly size bytes (malloc-aligned, as the ring
	 * buffer's records are 8-byte aligned), so ASan sees any read past the record.
	 */
	one_record(&w, data, size, NULL);

	/* With hdr.size fixed up to the length, garbage tails reach the line writer too. */
	if (size >= sizeof(struct bh_hdr) && size <= BH_RECORD_MAX) {
		rec = malloc(size);
		FUZZ_CHECK(rec != NULL);
		memcpy(rec, data, size);
		((struct bh_hdr *)(void *)rec)->size = (__u32)size;
		one_record(&w, rec, size, &c);
		free(rec);
	}
	bh_json_free(&w);
	return 0;
}
