// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * event_line.c - the line of one event: its header's members, then the members of its
 * type (exec, setns, mount, capset, connect, bind, listen, cgroup_mkdir), named flags
 * and truncated fields included.
 */
#include "output_json.h"
#include "output_impl.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Indexed by enum bh_ns_kind. */
static const char *const ns_kind_names[BH_NS_KINDS] = {
	[BH_NS_MNT] = "mnt",   [BH_NS_PID] = "pid",   [BH_NS_NET] = "net",
	[BH_NS_IPC] = "ipc",   [BH_NS_UTS] = "uts",   [BH_NS_CGROUP] = "cgroup",
	[BH_NS_USER] = "user", [BH_NS_TIME] = "time",
};

struct flag_name {
	uint64_t bit;
	const char *name;
};

/* The CLONE_NEW* value setns(2) takes for each kind (include/uapi/linux/sched.h). */
static const struct flag_name clone_ns_flags[] = {
	{ 0x00020000, "mnt" },	{ 0x20000000, "pid" },	{ 0x40000000, "net" },
	{ 0x08000000, "ipc" },	{ 0x04000000, "uts" },	{ 0x02000000, "cgroup" },
	{ 0x10000000, "user" }, { 0x00000080, "time" },
};

/*
 * Flag values are spelled out rather than taken from <linux/mount.h> so the
 * names do not depend on the build host's uapi headers (MOVE_MOUNT_BENEATH is 6.5+).
 */
static const struct flag_name ms_flags[] = {
	{ 1 << 0, "MS_RDONLY" },     { 1 << 1, "MS_NOSUID" },	   { 1 << 2, "MS_NODEV" },
	{ 1 << 3, "MS_NOEXEC" },     { 1 << 4, "MS_SYNCHRONOUS" }, { 1 << 5, "MS_REMOUNT" },
	{ 1 << 6, "MS_MANDLOCK" },   { 1 << 7, "MS_DIRSYNC" },	   { 1 << 8, "MS_NOSYMFOLLOW" },
	{ 1 << 10, "MS_NOATIME" },   { 1 << 11, "MS_NODIRATIME" }, { 1 << 12, "MS_BIND" },
	{ 1 << 13, "MS_MOVE" },	     { 1 << 14, "MS_REC" },	   { 1 << 15, "MS_SILENT" },
	{ 1 << 16, "MS_POSIXACL" },  { 1 << 17, "MS_UNBINDABLE" }, { 1 << 18, "MS_PRIVATE" },
	{ 1 << 19, "MS_SLAVE" },     { 1 << 20, "MS_SHARED" },	   { 1 << 21, "MS_RELATIME" },
	{ 1 << 22, "MS_KERNMOUNT" }, { 1 << 23, "MS_I_VERSION" },  { 1 << 24, "MS_STRICTATIME" },
	{ 1 << 25, "MS_LAZYTIME" },
};

/* Propagation types of mount_setattr(2) are MS_* values too. */
static const struct flag_name propagation_flags[] = {
	{ 1 << 17, "MS_UNBINDABLE" },
	{ 1 << 18, "MS_PRIVATE" },
	{ 1 << 19, "MS_SLAVE" },
	{ 1 << 20, "MS_SHARED" },
};

static const struct flag_name open_tree_flags[] = {
	{ 0x1, "OPEN_TREE_CLONE" },	  { 02000000, "OPEN_TREE_CLOEXEC" },
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },	  { 0x8000, "AT_RECURSIVE" },
};

static const struct flag_name move_mount_flags[] = {
	{ 0x001, "MOVE_MOUNT_F_SYMLINKS" },   { 0x002, "MOVE_MOUNT_F_AUTOMOUNTS" },
	{ 0x004, "MOVE_MOUNT_F_EMPTY_PATH" }, { 0x010, "MOVE_MOUNT_T_SYMLINKS" },
	{ 0x020, "MOVE_MOUNT_T_AUTOMOUNTS" }, { 0x040, "MOVE_MOUNT_T_EMPTY_PATH" },
	{ 0x100, "MOVE_MOUNT_SET_GROUP" },    { 0x200, "MOVE_MOUNT_BENEATH" },
};

static const struct flag_name mount_setattr_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" },
	{ 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },
	{ 0x8000, "AT_RECURSIVE" },
};

static const struct flag_name fsmount_flags[] = {
	{ 0x1, "FSMOUNT_CLOEXEC" },
};

static const struct flag_name fsopen_flags[] = {
	{ 0x1, "FSOPEN_CLOEXEC" },
};

/* MOUNT_ATTR_RELATIME is 0, the default of the atime field: it has no bit to name. */
static const struct flag_name mount_attr_flags[] = {
	{ 0x000001, "MOUNT_ATTR_RDONLY" },	{ 0x000002, "MOUNT_ATTR_NOSUID" },
	{ 0x000004, "MOUNT_ATTR_NODEV" },	{ 0x000008, "MOUNT_ATTR_NOEXEC" },
	{ 0x000010, "MOUNT_ATTR_NOATIME" },	{ 0x000020, "MOUNT_ATTR_STRICTATIME" },
	{ 0x000080, "MOUNT_ATTR_NODIRATIME" },	{ 0x100000, "MOUNT_ATTR_IDMAP" },
	{ 0x200000, "MOUNT_ATTR_NOSYMFOLLOW" },
};

static void json_flag_names(struct bh_json *w, const struct flag_name *names, size_t n,
			    uint64_t flags)
{
	bh_json_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		if (flags & names[i].bit)
			bh_json_str(w, names[i].name);
	bh_json_arr_end(w);
}

static void json_ns_kinds(struct bh_json *w, uint32_t mask)
{
	bh_json_arr_begin(w);
	for (int k = 0; k < BH_NS_KINDS; k++)
		if (mask & (1u << k))
			bh_json_str(w, ns_kind_names[k]);
	bh_json_arr_end(w);
}

static const char *seccomp_name(unsigned int mode)
{
	switch (mode) {
	case BH_SECCOMP_DISABLED:
		return "disabled";
	case BH_SECCOMP_STRICT:
		return "strict";
	case BH_SECCOMP_FILTER:
		return "filter";
	default:
		return "unknown";
	}
}

static void json_exec(struct bh_json *w, const struct bh_event *ev)
{
	const struct bh_exec *e = BH_EVENT_AS(ev, bh_exec);
	const struct bh_hdr *h = &e->hdr;
	/*
	 * setuid-like gain: the effective uid differs from the real one, or (with a
	 * snapshot) the exec switched the effective uid to root.
	 */
	bool setuid =
		h->euid != h->uid || (e->before_valid && e->euid_before != h->euid && h->euid == 0);

	bh_json_obj_begin(w);
	key_tail_str(w, "filename", &ev->str[0]);
	bh_json_key(w, "args");
	bh_json_args(w, &ev->str[1]);
	bh_json_key_uint(w, "argc", e->argc);
	bh_json_key_uint(w, "uid", h->uid);
	bh_json_key_uint(w, "euid", h->euid);
	bh_json_key_uint(w, "gid", e->gid);
	bh_json_key_uint(w, "egid", e->egid);
	if (e->before_valid) {
		bh_json_key_uint(w, "uid_before", e->uid_before);
		bh_json_key_uint(w, "euid_before", e->euid_before);
	}
	bh_json_key_hex(w, "cap_effective", h->cap_effective);
	bh_json_key_hex(w, "cap_permitted", e->cap_permitted);
	bh_json_key_hex(w, "cap_inheritable", e->cap_inheritable);
	bh_json_key(w, "caps_effective");
	bh_json_caps(w, h->cap_effective);
	if (e->before_valid) {
		bh_json_key(w, "caps_gained");
		bh_json_caps(w, h->cap_effective & ~e->cap_effective_before);
	}
	bh_json_key_bool(w, "setuid", setuid);
	bh_json_key_bool(w, "secureexec", e->secureexec);
	bh_json_key_bool(w, "no_new_privs", e->no_new_privs);
	bh_json_key_str(w, "seccomp", seccomp_name(e->seccomp_mode));
	bh_json_obj_end(w);
}

/* nstype: "any" for 0, a kind's name for one CLONE_NEW* flag, an array of names for several. */
static void json_nstype(struct bh_json *w, uint32_t nstype)
{
	const char *single = NULL;
	uint32_t rest = nstype;
	int known = 0;

	if (!nstype) {
		bh_json_str(w, "any");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(clone_ns_flags); i++) {
		if (nstype & clone_ns_flags[i].bit) {
			single = clone_ns_flags[i].name;
			rest &= ~(uint32_t)clone_ns_flags[i].bit;
			known++;
		}
	}
	if (known == 1 && !rest) {
		bh_json_str(w, single);
		return;
	}
	bh_json_arr_begin(w);
	for (size_t i = 0; i < ARRAY_SIZE(clone_ns_flags); i++)
		if (nstype & clone_ns_flags[i].bit)
			bh_json_str(w, clone_ns_flags[i].name);
	if (rest) {
		/* Bits the kernel does not know (it fails the call): shown, not dropped. */
		char unknown[16];

		snprintf(unknown, sizeof(unknown), "0x%x", rest);
		bh_json_str(w, unknown);
	}
	bh_json_arr_end(w);
}

static void json_setns(struct bh_json *w, const struct bh_event *ev)
{
	const struct bh_setns *s = BH_EVENT_AS(ev, bh_setns);

	bh_json_obj_begin(w);
	bh_json_key_int(w, "fd", s->fd);
	bh_json_key(w, "nstype");
	json_nstype(w, (uint32_t)s->nstype);
	if (s->target_ns)
		bh_json_key_uint(w, "target_inode", s->target_ns);
	/* the kinds the call set (no "before": it is judged at exit only) */
	bh_json_key(w, "changed");
	bh_json_arr_begin(w);
	for (int k = 0; k < BH_NS_KINDS; k++) {
		if (!(s->entered_mask & (1u << k)))
			continue;
		bh_json_obj_begin(w);
		bh_json_key_str(w, "type", ns_kind_names[k]);
		bh_json_key_uint(w, "inode", s->ns_after[k]);
		bh_json_key_uint(w, "host_inode", s->host_ns[k]);
		bh_json_key_bool(w, "host", s->host_mask & (1u << k));
		bh_json_obj_end(w);
	}
	bh_json_arr_end(w);
	bh_json_key(w, "entered_host");
	json_ns_kinds(w, s->host_mask);
	bh_json_obj_end(w);
}

static const char *mount_call_name(unsigned int call)
{
	switch (call) {
	case BH_MOUNT_MOUNT:
		return "mount";
	case BH_MOUNT_OPEN_TREE:
		return "open_tree";
	case BH_MOUNT_MOVE_MOUNT:
		return "move_mount";
	case BH_MOUNT_FSMOUNT:
		return "fsmount";
	case BH_MOUNT_MOUNT_SETATTR:
		return "mount_setattr";
	case BH_MOUNT_FSOPEN:
		return "fsopen";
	case BH_MOUNT_FSCONFIG:
		return "fsconfig";
	default:
		return "unknown";
	}
}

static void key_flag_names(struct bh_json *w, const char *key, const struct flag_name *names,
			   size_t n, uint64_t flags)
{
	bh_json_key(w, key);
	json_flag_names(w, names, n, flags);
}

static void json_mount(struct bh_json *w, const struct bh_event *ev)
{
	const struct bh_mount *m = BH_EVENT_AS(ev, bh_mount);
	uint64_t flags = m->flags;

	bh_json_obj_begin(w);
	bh_json_key_str(w, "call", mount_call_name(m->call));
	key_tail_str(w, "source", &ev->str[0]);
	key_tail_str(w, "target", &ev->str[1]);
	key_tail_str(w, "fstype", &ev->str[2]);
	bh_json_key_uint(w, "flags", m->flags);
	switch (m->call) {
	case BH_MOUNT_MOUNT:
		/* mount(2) ignores the old magic number in the high half (do_mount). */
		if ((flags & 0xffff0000) == 0xc0ed0000)
			flags &= ~(uint64_t)0xffff0000;
		key_flag_names(w, "flag_names", ms_flags, ARRAY_SIZE(ms_flags), flags);
		break;
	case BH_MOUNT_OPEN_TREE:
		key_flag_names(w, "flag_names", open_tree_flags, ARRAY_SIZE(open_tree_flags),
			       flags);
		bh_json_key_int(w, "from_dfd", m->from_dfd);
		break;
	case BH_MOUNT_MOVE_MOUNT:
		key_flag_names(w, "flag_names", move_mount_flags, ARRAY_SIZE(move_mount_flags),
			       flags);
		bh_json_key_int(w, "from_dfd", m->from_dfd);
		bh_json_key_int(w, "to_dfd", m->to_dfd);
		break;
	case BH_MOUNT_FSMOUNT:
		key_flag_names(w, "flag_names", fsmount_flags, ARRAY_SIZE(fsmount_flags), flags);
		bh_json_key_uint(w, "attr_set", m->attr_set);
		key_flag_names(w, "attr_set_names", mount_attr_flags, ARRAY_SIZE(mount_attr_flags),
			       m->attr_set);
		bh_json_key_int(w, "from_dfd", m->from_dfd);
		break;
	case BH_MOUNT_MOUNT_SETATTR:
		key_flag_names(w, "flag_names", mount_setattr_flags,
			       ARRAY_SIZE(mount_setattr_flags), flags);
		bh_json_key_uint(w, "attr_set", m->attr_set);
		key_flag_names(w, "attr_set_names", mount_attr_flags, ARRAY_SIZE(mount_attr_flags),
			       m->attr_set);
		bh_json_key_uint(w, "attr_clr", m->attr_clr);
		key_flag_names(w, "attr_clr_names", mount_attr_flags, ARRAY_SIZE(mount_attr_flags),
			       m->attr_clr);
		bh_json_key_uint(w, "propagation", m->propagation);
		key_flag_names(w, "propagation_names", propagation_flags,
			       ARRAY_SIZE(propagation_flags), m->propagation);
		bh_json_key_int(w, "to_dfd", m->to_dfd);
		break;
	case BH_MOUNT_FSOPEN:
		key_flag_names(w, "flag_names", fsopen_flags, ARRAY_SIZE(fsopen_flags), flags);
		break;
	default:
		/* fsconfig's argument is a command, not flags: the raw number says it all. */
		break;
	}
	bh_json_obj_end(w);
}

static void json_capset(struct bh_json *w, const struct bh_event *ev)
{
	const struct bh_capset *c = BH_EVENT_AS(ev, bh_capset);
	/* Per set: a cap raised into effective from permitted is a gain too. */
	uint64_t gained = 0, dropped = 0;

	if (c->before_known) {
		gained = (c->effective & ~c->effective_before) |
			 (c->permitted & ~c->permitted_before);
		dropped = (c->effective_before & ~c->effective) |
			  (c->permitted_before & ~c->permitted);
	}
	bh_json_obj_begin(w);
	bh_json_key_uint(w, "target_pid", c->target_pid);
	bh_json_key_hex(w, "effective", c->effective);
	bh_json_key_hex(w, "permitted", c->permitted);
	bh_json_key_hex(w, "inheritable", c->inheritable);
	bh_json_key_bool(w, "before_known", c->before_known);
	if (c->before_known) {
		bh_json_key_hex(w, "effective_before", c->effective_before);
		bh_json_key_hex(w, "permitted_before", c->permitted_before);
		bh_json_key_hex(w, "inheritable_before", c->inheritable_before);
	}
	bh_json_key(w, "caps_effective");
	bh_json_caps(w, c->effective);
	bh_json_key(w, "gained");
	bh_json_caps(w, gained);
	bh_json_key(w, "dropped");
	bh_json_caps(w, dropped);
	bh_json_obj_end(w);
}

/* family, sock_type and fd: the members connect, bind and listen share. */
static void json_sock_common(struct bh_json *w, unsigned int family, unsigned int type, int fd)
{
	bh_json_key(w, "family");
	switch (family) {
	case AF_UNIX:
		bh_json_str(w, "unix");
		break;
	case AF_INET:
		bh_json_str(w, "inet");
		break;
	case AF_INET6:
		bh_json_str(w, "inet6");
		break;
	default:
		bh_json_uint(w, family);
		break;
	}
	bh_json_key(w, "sock_type");
	switch (type) {
	case SOCK_STREAM:
		bh_json_str(w, "stream");
		break;
	case SOCK_DGRAM:
		bh_json_str(w, "dgram");
		break;
	case SOCK_SEQPACKET:
		bh_json_str(w, "seqpacket");
		break;
	case SOCK_RAW:
		bh_json_str(w, "raw");
		break;
	default:
		bh_json_uint(w, type);
		break;
	}
	bh_json_key_int(w, "fd", fd);
}

/* "addr" and "port" of an inet socket; nothing for other families. */
static void json_inet_addr(struct bh_json *w, unsigned int family, const __u8 addr[16],
			   unsigned int port)
{
	char text[INET6_ADDRSTRLEN], *p = text;

	if (family == AF_INET) {
		/* inet_ntop's dotted quad, without the sprintf it makes it with. */
		for (int i = 0; i < 4; i++) {
			if (addr[i] >= 100)
				*p++ = (char)('0' + addr[i] / 100);
			if (addr[i] >= 10)
				*p++ = (char)('0' + addr[i] / 10 % 10);
			*p++ = (char)('0' + addr[i] % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		bh_json_key_str(w, "addr", text);
	} else if (family == AF_INET6) {
		if (inet_ntop(AF_INET6, addr, text, sizeof(text)))
			bh_json_key_str(w, "addr", text);
	} else {
		return;
	}
	bh_json_key_uint(w, "port", port);
}

static void json_connect(struct bh_json *w, const struct bh_event *ev)
{
	const struct bh_connect *c = BH_EVENT_AS(ev, bh_connect);

	bh_json_obj_begin(w);
	json_sock_common(w, c->family, c->sock_type, c->fd);
	if (c->family == AF_UNIX) {
		key_tail_str(w, "peer_path", &ev->str[0]);
		key_tail_str(w, "path", &ev->str[1]);
	}
	json_inet_addr(w, c->family, c->addr, c->port);
	bh_json_obj_end(w);
}

static void json_sock(struct bh_json *w, const struct bh_event *ev)
{
	const struct bh_sock *s = BH_EVENT_AS(ev, bh_sock);

	bh_json_obj_begin(w);
	json_sock_common(w, s->family, s->sock_type, s->fd);
	json_inet_addr(w, s->family, s->addr, s->port);
	bh_json_obj_end(w);
}

static void json_cgroup(struct bh_json *w, const struct bh_event *ev)
{
	const struct bh_cgroup_rec *c = BH_EVENT_AS(ev, bh_cgroup_rec);

	bh_json_obj_begin(w);
	bh_json_key_uint(w, "id", c->id);
	bh_json_key_uint(w, "hierarchy_id", c->hierarchy_id);
	bh_json_key_uint(w, "level", c->level);
	key_tail_str(w, "path", &ev->str[0]);
	bh_json_obj_end(w);
}

/* What BH_TRUNC_STR0..2 name for each type (the type's tail strings, in order). */
static void tail_names(unsigned int type, const char *names[BH_EVENT_STRS])
{
	names[0] = names[1] = names[2] = NULL;
	switch (type) {
	case BH_EV_EXEC:
		names[0] = "filename";
		names[1] = "args";
		break;
	case BH_EV_MOUNT:
		names[0] = "source";
		names[1] = "target";
		names[2] = "fstype";
		break;
	case BH_EV_CONNECT:
		names[0] = "peer_path";
		names[1] = "path";
		break;
	case BH_EV_CGROUP:
		names[0] = "path";
		break;
	default:
		break;
	}
}

static void json_truncated(struct bh_json *w, const struct bh_hdr *h)
{
	static const unsigned int str_bits[BH_EVENT_STRS] = { BH_TRUNC_STR0, BH_TRUNC_STR1,
							      BH_TRUNC_STR2 };
	const char *names[BH_EVENT_STRS];

	tail_names(h->type, names);
	bh_json_key(w, "truncated");
	bh_json_arr_begin(w);
	if (h->trunc & BH_TRUNC_EXE)
		bh_json_str(w, "exe");
	for (int i = 0; i < BH_EVENT_STRS; i++)
		if ((h->trunc & str_bits[i]) && names[i])
			bh_json_str(w, names[i]);
	/* Too many arguments: "args" holds fewer than argc (named once if also cut short). */
	if ((h->trunc & BH_TRUNC_ARGC) && !(h->trunc & BH_TRUNC_STR1))
		bh_json_str(w, "args");
	bh_json_arr_end(w);
}

void bh_json_process(struct bh_json *w, const struct bh_event *ev)
{
	bh_json_obj_begin(w);
	bh_json_process_members(w, ev);
	bh_json_obj_end(w);
}

void bh_json_event_begin(struct bh_json *w, const struct bh_event *ev, int64_t boot_to_real_ns)
{
	const struct bh_hdr *h = ev->hdr;

	bh_json_line_begin(w, "event", (int64_t)h->ts_ns + boot_to_real_ns);
	bh_json_key_str(w, "event", bh_event_type_name(h->type));
	bh_json_key(w, "process");
	bh_json_process(w, ev);
	bh_json_key(w, "namespaces");
	bh_json_obj_begin(w);
	bh_json_key_uint(w, "pid", h->pid_ns);
	bh_json_key_uint(w, "mnt", h->mnt_ns);
	bh_json_key_uint(w, "net", h->net_ns);
	bh_json_obj_end(w);
	bh_json_key(w, "cgroup");
	bh_json_obj_begin(w);
	bh_json_key_uint(w, "id", h->cgroup_id);
	bh_json_key_uint(w, "v1_id", h->cgroup_v1_id);
	bh_json_obj_end(w);
	bh_json_key(w, "container");
}

void bh_json_event_end(struct bh_json *w, const struct bh_event *ev)
{
	const struct bh_hdr *h = ev->hdr;

	bh_json_key_int(w, "ret", h->ret);

	/* "cgroup" is the task's cgroup above: a created cgroup's object needs its own name */
	bh_json_key(w, h->type == BH_EV_CGROUP ? "cgroup_mkdir" : bh_event_type_name(h->type));
	switch (h->type) {
	case BH_EV_EXEC:
		json_exec(w, ev);
		break;
	case BH_EV_SETNS:
		json_setns(w, ev);
		break;
	case BH_EV_MOUNT:
		json_mount(w, ev);
		break;
	case BH_EV_CAPSET:
		json_capset(w, ev);
		break;
	case BH_EV_CONNECT:
		json_connect(w, ev);
		break;
	case BH_EV_BIND:
	case BH_EV_LISTEN:
		json_sock(w, ev);
		break;
	case BH_EV_CGROUP:
		json_cgroup(w, ev);
		break;
	default:
		/* bh_event_decode() lets no other type through; keep the line valid anyway. */
		bh_json_null(w);
		break;
	}
	if (h->trunc)
		json_truncated(w, h);
	bh_json_obj_end(w);
	bh_json_newline(w);
}

void bh_json_event_line(struct bh_json *w, const struct bh_event *ev, const struct bh_container *c,
			int64_t boot_to_real_ns)
{
	bh_json_event_begin(w, ev, boot_to_real_ns);
	bh_json_container(w, c);
	bh_json_event_end(w, ev);
}
