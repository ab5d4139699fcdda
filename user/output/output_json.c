// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * output_json.c - what every schema v1 line shares: its opening members, and the process,
 * container, capabilities and argv that event and finding lines carry.
 */
#include "output_json.h"
#include "output_impl.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NSEC_PER_SEC 1000000000LL

/* include/uapi/linux/capability.h, up to CAP_LAST_CAP of Linux 5.9+. */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

int64_t bh_boot_to_realtime_offset(void)
{
	struct timespec b0, real, b1;
	int64_t boot_ns;

	/* Bracket the realtime read with two boottime reads and take their midpoint. */
	clock_gettime(CLOCK_BOOTTIME, &b0);
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &b1);
	boot_ns = ((b0.tv_sec + b1.tv_sec) * NSEC_PER_SEC + b0.tv_nsec + b1.tv_nsec) / 2;
	return real.tv_sec * NSEC_PER_SEC + real.tv_nsec - boot_ns;
}

const char *bh_cap_name(unsigned int cap)
{
	return cap < ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}

/*
 * Every known capability name as JSON, in bit order: "\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",..".
 * A run of set bits is one copy from it: masks are mostly long runs (a runtime's
 * default set, all of them).
 */
_Static_assert(ARRAY_SIZE(cap_names) < 64, "capability bits are a 64-bit mask");
static char caps_joined[ARRAY_SIZE(cap_names) * 28];
static size_t caps_off[ARRAY_SIZE(cap_names) + 1]; /* where each name starts, and the end */
static pthread_once_t caps_once = PTHREAD_ONCE_INIT;

static void caps_join(void)
{
	size_t len = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++) {
		caps_off[i] = len;
		len += (size_t)snprintf(caps_joined + len, sizeof(caps_joined) - len, "\"%s\",",
					cap_names[i]);
	}
	caps_off[ARRAY_SIZE(cap_names)] = len;
}

void bh_json_caps(struct bh_json *w, uint64_t mask)
{
	const uint64_t known_bits = (1ULL << ARRAY_SIZE(cap_names)) - 1;
	uint64_t known = mask & known_bits, unknown = mask & ~known_bits;

	pthread_once(&caps_once, caps_join);
	bh_json_arr_begin(w);
	while (known) {
		unsigned int lo = (unsigned int)__builtin_ctzll(known), hi = lo;

		while (hi < ARRAY_SIZE(cap_names) && (known & (1ULL << hi)))
			known &= ~(1ULL << hi++);
		/* The run's names without the comma after the last. */
		bh_json_raw_value(w, caps_joined + caps_off[lo], caps_off[hi] - caps_off[lo] - 1);
	}
	for (; unknown; unknown &= unknown - 1) {
		/* A capability newer than the table: keep the bit, not just the mask. */
		char name[16];

		snprintf(name, sizeof(name), "CAP_%u", (unsigned int)__builtin_ctzll(unknown));
		bh_json_str(w, name);
	}
	bh_json_arr_end(w);
}

void bh_json_process_members(struct bh_json *w, const struct bh_event *ev)
{
	const struct bh_hdr *h = ev->hdr;
	const char *nul = memchr(h->comm, '\0', sizeof(h->comm));

	bh_json_key_uint(w, "pid", h->tgid);
	bh_json_key_uint(w, "tid", h->pid);
	bh_json_key_uint(w, "ppid", h->ppid);
	bh_json_key_uint(w, "uid", h->uid);
	bh_json_key_uint(w, "euid", h->euid);
	bh_json_key_strn(w, "comm", h->comm, nul ? (size_t)(nul - h->comm) : sizeof(h->comm));
	key_tail_str(w, "exe", &ev->exe);
	bh_json_key_hex(w, "cap_effective", h->cap_effective);
	if (h->flags & BH_HDR_RUNTIME_SETUP)
		bh_json_key_bool(w, "runtime_setup", true);
	if (ev->outside_cgroup)
		bh_json_key_bool(w, "outside_cgroup", true);
	/* a compat entry: int $0x80 (a 64-bit program may use it too), a 32-bit program, x32 */
	if (h->flags & BH_HDR_COMPAT_IA32)
		bh_json_key_str(w, "compat_syscall", "ia32");
	else if (h->flags & BH_HDR_COMPAT_X32)
		bh_json_key_str(w, "compat_syscall", "x32");
}

void bh_json_container(struct bh_json *w, const struct bh_container *c)
{
	if (!c) {
		/* null, not absent: how a reader tells a host process from an unresolved field. */
		bh_json_null(w);
		return;
	}
	bh_json_obj_begin(w);
	bh_json_key_str(w, "id", c->id);
	bh_json_key_str_opt(w, "name", c->name);
	bh_json_key_str_opt(w, "image", c->image);
	bh_json_key_str_opt(w, "runtime", c->runtime);
	if (c->pod_name || c->pod_namespace || c->pod_uid || c->k8s_container) {
		bh_json_key(w, "pod");
		bh_json_obj_begin(w);
		bh_json_key_str_opt(w, "name", c->pod_name);
		bh_json_key_str_opt(w, "namespace", c->pod_namespace);
		bh_json_key_str_opt(w, "uid", c->pod_uid);
		bh_json_key_str_opt(w, "container", c->k8s_container);
		bh_json_pod_k8s(w, c);
		bh_json_obj_end(w);
	}
	if (c->n_labels) {
		bh_json_key(w, "labels");
		bh_json_obj_begin(w);
		for (size_t i = 0; i < c->n_labels; i++)
			if (c->labels[i].key)
				bh_json_key_str(w, c->labels[i].key,
						c->labels[i].value ? c->labels[i].value : "");
		bh_json_obj_end(w);
	}
	bh_json_obj_end(w);
}

/* argv as the kernel copied it: NUL-separated, the last one cut short if truncated. */
void bh_json_args(struct bh_json *w, const struct bh_str *args)
{
	size_t off = 0;

	bh_json_arr_begin(w);
	/* Offsets, not pointers: an empty argv may come with a NULL ptr. */
	while (off < args->len) {
		const char *a = args->ptr + off;
		const char *nul = memchr(a, '\0', args->len - off);
		size_t n = nul ? (size_t)(nul - a) : args->len - off;

		bh_json_strn(w, a, n);
		off += n + 1;
	}
	bh_json_arr_end(w);
}

/* The "host" member's value, {"name":..}, rendered once; host_json.len 0: no name. */
static struct bh_json host_json;

void bh_output_set_host(const char *name)
{
	/* Names are cut at 255 bytes, as they always were. */
	size_t len = name ? strnlen(name, 255) : 0;

	bh_json_reset(&host_json);
	if (!len)
		return;
	bh_json_obj_begin(&host_json);
	bh_json_key_strn(&host_json, "name", name, len);
	bh_json_obj_end(&host_json);
	if (bh_json_failed(&host_json))
		bh_json_reset(&host_json);
}

void bh_json_line_begin(struct bh_json *w, const char *type, int64_t wall_ns)
{
	bh_json_reset(w);
	bh_json_obj_begin(w);
	bh_json_key_int(w, "schema", BH_SCHEMA_VERSION);
	bh_json_key_time(w, "time", wall_ns / NSEC_PER_SEC, (long)(wall_ns % NSEC_PER_SEC));
	bh_json_key_str(w, "type", type);
	if (bh_json_len(&host_json)) {
		bh_json_key(w, "host");
		bh_json_raw_value(w, bh_json_data(&host_json), bh_json_len(&host_json));
	}
}
