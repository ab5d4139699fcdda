// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_output_json.c - schema v1 lines for records laid out as the kernel writes them. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "helpers.h"
#include "output/output_json.h"

/* 2026-11-30T04:36:11Z in wall-clock ns, for a boot clock of 0. */
#define T_WALL_NS    (1796013371LL * 1000000000LL)
#define CONTAINER_ID "8c024f8abfce8e10705546031d8b79c2a21d1905ac309e53aa042d0b4409e44e"

/* The writer lives across tests, as in the agent: one writer serves every line. */
static struct bh_json writer;

static int setup(void **state)
{
	(void)state;
	bh_json_init(&writer);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	bh_json_free(&writer);
	return 0;
}

/* A header as the kernel fills it for a process in a container. */
static void fill_hdr(struct bh_hdr *h)
{
	h->ts_ns = 123456789;
	h->cgroup_id = 4242;
	h->cgroup_v1_id = 77;
	h->cap_effective = 0xa80425fbULL;
	h->pid = 1001;
	h->tgid = 1000;
	h->ppid = 999;
	h->uid = 1000;
	h->euid = 1000;
	h->pid_ns = 4026532301u;
	h->mnt_ns = 4026532299u;
	h->net_ns = 4026532304u;
	h->ret = 0;
	memcpy(h->comm, "sh", 3);
}

/*
 * Decodes the record, writes its line, checks it is one strict JSON object
 * ending in its only newline, and returns it parsed (freed by the caller).
 */
static struct json_object *line_of(struct bh_test_rec *r, const struct bh_container *c)
{
	struct bh_event ev;
	const char *text;
	size_t len;

	assert_int_equal(bh_event_decode(r->buf, r->size, &ev), 0);
	bh_json_event_line(&writer, &ev, c, T_WALL_NS);
	assert_false(bh_json_failed(&writer));
	text = bh_json_data(&writer);
	len = bh_json_len(&writer);
	assert_true(len > 1);
	assert_int_equal(text[len - 1], '\n');
	assert_null(memchr(text, '\n', len - 1));
	return bh_test_parse(text, len - 1);
}

#define assert_line_has(text)		assert_non_null(strstr(bh_json_data(&writer), text))
#define assert_jtext(obj, path, expect) assert_string_equal(bh_test_jtext(obj, path), expect)

/* The member names of an object, in order, joined by commas. */
static const char *keys_of(struct json_object *obj)
{
	static char keys[512];
	size_t n = 0;

	keys[0] = '\0';
	json_object_object_foreach(obj, key, val)
	{
		(void)val;
		n += (size_t)snprintf(keys + n, sizeof(keys) - n, "%s%s", n ? "," : "", key);
		assert_true(n < sizeof(keys));
	}
	return keys;
}

static void test_exec_host_process(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("/bin/su"), BH_TSTR("su\0-\0root\0") };
	struct bh_test_rec r;
	struct bh_exec *e;
	struct json_object *o;

	(void)state;
	e = (struct bh_exec *)bh_test_record(&r, BH_EV_EXEC, BH_TSTR("/usr/bin/su"), tail, 2);
	fill_hdr(&e->hdr);
	e->hdr.euid = 0; /* a setuid-root binary: euid 0, uid still 1000 */
	e->hdr.cap_effective = (1ULL << 21) | (1ULL << 0);
	e->hdr.trunc = BH_TRUNC_EXE | BH_TRUNC_STR1;
	e->cap_permitted = 0x1ffffffffffULL;
	e->cap_inheritable = 0;
	e->cap_effective_before = 1ULL << 0;
	e->gid = 1000;
	e->egid = 1000;
	e->uid_before = 1000;
	e->euid_before = 1000;
	e->secureexec = 1;
	e->no_new_privs = 0;
	e->seccomp_mode = BH_SECCOMP_FILTER;
	e->before_valid = 1;
	e->argc = 3;

	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_string_equal(keys_of(o),
			    "schema,time,type,event,process,namespaces,cgroup,container,"
			    "ret,exec,truncated");
	assert_jtext(o, "schema", "1");
	assert_jtext(o, "time", "\"2026-11-30T04:36:11.123456789Z\"");
	assert_jtext(o, "type", "\"event\"");
	assert_jtext(o, "event", "\"exec\"");
	assert_jtext(
		o, "process",
		"{\"pid\":1000,\"tid\":1001,\"ppid\":999,\"uid\":1000,\"euid\":0,\"comm\":\"sh\","
		"\"exe\":\"/usr/bin/su\",\"cap_effective\":\"0x0000000000200001\"}");
	assert_jtext(o, "namespaces", "{\"pid\":4026532301,\"mnt\":4026532299,\"net\":4026532304}");
	assert_jtext(o, "cgroup", "{\"id\":4242,\"v1_id\":77}");
	/* A host process: container is present and null. */
	assert_jtext(o, "container", "null");
	assert_jtext(o, "ret", "0");
	assert_jtext(o, "exec",
		     "{\"filename\":\"/bin/su\",\"args\":[\"su\",\"-\",\"root\"],\"argc\":3,"
		     "\"uid\":1000,\"euid\":0,\"gid\":1000,\"egid\":1000,\"uid_before\":1000,"
		     "\"euid_before\":1000,\"cap_effective\":\"0x0000000000200001\","
		     "\"cap_permitted\":\"0x000001ffffffffff\","
		     "\"cap_inheritable\":\"0x0000000000000000\","
		     "\"caps_effective\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"],"
		     "\"caps_gained\":[\"CAP_SYS_ADMIN\"],\"setuid\":true,\"secureexec\":true,"
		     "\"no_new_privs\":false,\"seccomp\":\"filter\"}");
	assert_jtext(o, "truncated", "[\"exe\",\"args\"]");
	json_object_put(o);
}

static void test_exec_without_snapshot(void **state)
{
	/* The last argument cut short (no NUL), too many arguments, a 16-byte comm. */
	const struct bh_str tail[] = { BH_TSTR(""), BH_TSTR("a\0\0b") };
	struct bh_test_rec r;
	struct bh_exec *e;
	struct json_object *o;

	(void)state;
	e = (struct bh_exec *)bh_test_record(&r, BH_EV_EXEC, BH_TSTR(""), tail, 2);
	fill_hdr(&e->hdr);
	memcpy(e->hdr.comm, "0123456789abcdef", BH_COMM_LEN);
	e->hdr.trunc = BH_TRUNC_ARGC;
	e->argc = 20;
	e->seccomp_mode = BH_SECCOMP_DISABLED;

	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "process.comm", "\"0123456789abcdef\"");
	assert_jtext(o, "process.exe", "<absent>");
	assert_jtext(o, "exec.filename", "<absent>");
	assert_jtext(o, "exec.args", "[\"a\",\"\",\"b\"]");
	assert_jtext(o, "exec.argc", "20");
	assert_jtext(o, "exec.uid_before", "<absent>");
	assert_jtext(o, "exec.euid_before", "<absent>");
	assert_jtext(o, "exec.caps_gained", "<absent>");
	assert_jtext(o, "exec.setuid", "false");
	assert_jtext(o, "exec.seccomp", "\"disabled\"");
	assert_jtext(o, "truncated", "[\"args\"]");
	json_object_put(o);

	/* Root regaining euid 0 through a setuid-root exec is setuid even though uid == euid. */
	e->hdr.uid = 0;
	e->hdr.euid = 0;
	e->before_valid = 1;
	e->uid_before = 0;
	e->euid_before = 1000;
	e->hdr.trunc = 0;
	e->seccomp_mode = BH_SECCOMP_STRICT;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "exec.setuid", "true");
	assert_jtext(o, "exec.seccomp", "\"strict\"");
	assert_jtext(o, "truncated", "<absent>");
	json_object_put(o);
}

static void test_container_with_pod_and_labels(void **state)
{
	struct bh_label labels[] = {
		{ .key = "io.kubernetes.pod.name", .value = "web-0" },
		{ .key = "tier", .value = "front\"end", .pod = true },
	};
	struct bh_container c = {
		.id = CONTAINER_ID,
		.runtime = "containerd",
		.name = "web",
		.image = "local/busybox:1",
		.pod_name = "web-0",
		.pod_namespace = "prod",
		.pod_uid = "6f1c5e34-7d0e-4b8a-9a55-1c2d3e4f5a6b",
		.k8s_container = "app",
		.labels = labels,
		.n_labels = 2,
	};
	struct bh_test_rec r;
	struct json_object *o;

	(void)state;
	fill_hdr(bh_test_record(&r, BH_EV_CAPSET, BH_TSTR("/bin/app"), NULL, 0));
	o = line_of(&r, &c);
	assert_non_null(o);
	assert_jtext(
		o, "container",
		"{\"id\":\"" CONTAINER_ID "\",\"name\":\"web\",\"image\":\"local/busybox:1\","
		"\"runtime\":\"containerd\",\"pod\":{\"name\":\"web-0\",\"namespace\":\"prod\","
		"\"uid\":\"6f1c5e34-7d0e-4b8a-9a55-1c2d3e4f5a6b\",\"container\":\"app\","
		"\"labels\":{\"tier\":\"front\\\"end\"},"
		"\"workload\":{\"kind\":\"StatefulSet\",\"name\":\"web\",\"inferred\":true}},"
		"\"labels\":{\"io.kubernetes.pod.name\":\"web-0\",\"tier\":\"front\\\"end\"}}");
	json_object_put(o);

	/* Docker without Kubernetes, name not known yet: no pod, no labels, no name. */
	memset(&c, 0, sizeof(c));
	memcpy(c.id, CONTAINER_ID, BH_CONTAINER_ID_LEN);
	c.runtime = "docker";
	c.image = "local/busybox:1";
	o = line_of(&r, &c);
	assert_non_null(o);
	assert_jtext(o, "container",
		     "{\"id\":\"" CONTAINER_ID
		     "\",\"image\":\"local/busybox:1\",\"runtime\":\"docker\"}");
	json_object_put(o);
}

static void test_setns(void **state)
{
	struct bh_test_rec r;
	struct bh_setns *s;
	struct json_object *o;

	(void)state;
	s = (struct bh_setns *)bh_test_record(&r, BH_EV_SETNS, BH_TSTR("/usr/bin/nsenter"), NULL,
					      0);
	fill_hdr(&s->hdr);
	s->fd = 3;
	s->nstype = 0x40000000; /* CLONE_NEWNET */
	for (int k = 0; k < BH_NS_KINDS; k++) {
		s->ns_after[k] = 4026532200u + (unsigned int)k;
		s->host_ns[k] = 4026531830u + (unsigned int)k;
	}
	s->ns_after[BH_NS_NET] = s->host_ns[BH_NS_NET];
	s->ns_after[BH_NS_MNT] = 4026532999u;
	s->entered_mask = (1u << BH_NS_NET) | (1u << BH_NS_MNT);
	s->host_mask = 1u << BH_NS_NET;

	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "setns",
		     "{\"fd\":3,\"nstype\":\"net\",\"changed\":["
		     "{\"type\":\"mnt\",\"inode\":4026532999,"
		     "\"host_inode\":4026531830,\"host\":false},"
		     "{\"type\":\"net\",\"inode\":4026531832,"
		     "\"host_inode\":4026531832,\"host\":true}],\"entered_host\":[\"net\"]}");
	json_object_put(o);

	/* an nsfs fd names its namespace */
	s->target_ns = 4026531832u;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "setns.target_inode", "4026531832");
	json_object_put(o);
	s->target_ns = 0;

	/* nstype 0 (any), a pidfd's several kinds, and a bit the kernel does not know. */
	s->nstype = 0;
	s->entered_mask = s->host_mask = 0;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "setns.nstype", "\"any\"");
	assert_jtext(o, "setns.changed", "[]");
	assert_jtext(o, "setns.entered_host", "[]");
	json_object_put(o);

	s->nstype = 0x40000000 | 0x00020000 | 0x20000000;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "setns.nstype", "[\"mnt\",\"pid\",\"net\"]");
	json_object_put(o);

	s->nstype = 0x1;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "setns.nstype", "[\"0x1\"]");
	assert_jtext(o, "process.compat_syscall", "<absent>");
	json_object_put(o);

	/* made through int $0x80 or the x32 ABI (bpf/sys_exit.bpf.c): the process says so */
	s->hdr.flags = BH_HDR_COMPAT_IA32;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "process.compat_syscall", "\"ia32\"");
	json_object_put(o);
	s->hdr.flags = BH_HDR_COMPAT_X32;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "process.compat_syscall", "\"x32\"");
	json_object_put(o);
}

static void test_mount_syscall(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("/var/run/docker.sock"), BH_TSTR("/mnt/d.sock"),
				       BH_TSTR("") };
	struct bh_test_rec r;
	struct bh_mount *m;
	struct json_object *o;

	(void)state;
	m = (struct bh_mount *)bh_test_record(&r, BH_EV_MOUNT, BH_TSTR("/bin/mount"), tail, 3);
	fill_hdr(&m->hdr);
	m->hdr.ret = -1;
	m->call = BH_MOUNT_MOUNT;
	/* MS_BIND|MS_REC with the legacy magic, which do_mount() drops, in the high half. */
	m->flags = 0xc0ed0000ULL | 0x1000 | 0x4000;
	m->from_dfd = -100;

	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "ret", "-1");
	assert_jtext(o, "mount",
		     "{\"call\":\"mount\",\"source\":\"/var/run/docker.sock\","
		     "\"target\":\"/mnt/d.sock\",\"flags\":3236777984,"
		     "\"flag_names\":[\"MS_BIND\",\"MS_REC\"]}");
	json_object_put(o);

	/* With other high bits set the high half is not the magic: every bit is a flag. */
	m->flags = 0xc0ed0000ULL | 0x1000 | 0x100000;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "mount.flag_names",
		     "[\"MS_BIND\",\"MS_POSIXACL\",\"MS_PRIVATE\",\"MS_SLAVE\",\"MS_SHARED\","
		     "\"MS_RELATIME\",\"MS_KERNMOUNT\",\"MS_I_VERSION\"]");
	json_object_put(o);

	m->flags = 0x1 | 0x2 | 0x4 | 0x8 | 0x20 | 0x2000 | 0x40000 | 0x80000;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "mount.flag_names",
		     "[\"MS_RDONLY\",\"MS_NOSUID\",\"MS_NODEV\",\"MS_NOEXEC\",\"MS_REMOUNT\","
		     "\"MS_MOVE\",\"MS_PRIVATE\",\"MS_SLAVE\"]");
	json_object_put(o);
}

static void test_mount_new_api(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("/etc"), BH_TSTR(""), BH_TSTR("") };
	struct bh_test_rec r;
	struct bh_mount *m;
	struct json_object *o;

	(void)state;
	m = (struct bh_mount *)bh_test_record(&r, BH_EV_MOUNT, BH_TSTR("/bin/x"), tail, 3);
	fill_hdr(&m->hdr);
	m->call = BH_MOUNT_OPEN_TREE;
	m->flags = 0x1 | 0x8000 | 02000000; /* OPEN_TREE_CLONE|AT_RECURSIVE|OPEN_TREE_CLOEXEC */
	m->from_dfd = -100;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "mount",
		     "{\"call\":\"open_tree\",\"source\":\"/etc\",\"flags\":557057,"
		     "\"flag_names\":[\"OPEN_TREE_CLONE\",\"OPEN_TREE_CLOEXEC\",\"AT_RECURSIVE\"],"
		     "\"from_dfd\":-100}");
	json_object_put(o);

	m->call = BH_MOUNT_MOVE_MOUNT;
	m->flags = 0x004; /* MOVE_MOUNT_F_EMPTY_PATH */
	m->from_dfd = 5;
	m->to_dfd = -100;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "mount.call", "\"move_mount\"");
	assert_jtext(o, "mount.flag_names", "[\"MOVE_MOUNT_F_EMPTY_PATH\"]");
	assert_jtext(o, "mount.from_dfd", "5");
	assert_jtext(o, "mount.to_dfd", "-100");
	json_object_put(o);

	m->call = BH_MOUNT_MOUNT_SETATTR;
	m->flags = 0x8000;
	m->attr_set = 0x1 | 0x2;  /* MOUNT_ATTR_RDONLY|NOSUID */
	m->attr_clr = 0x8;	  /* MOUNT_ATTR_NOEXEC */
	m->propagation = 1 << 20; /* MS_SHARED */
	m->to_dfd = 7;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "mount",
		     "{\"call\":\"mount_setattr\",\"source\":\"/etc\",\"flags\":32768,"
		     "\"flag_names\":[\"AT_RECURSIVE\"],\"attr_set\":3,"
		     "\"attr_set_names\":[\"MOUNT_ATTR_RDONLY\",\"MOUNT_ATTR_NOSUID\"],"
		     "\"attr_clr\":8,\"attr_clr_names\":[\"MOUNT_ATTR_NOEXEC\"],"
		     "\"propagation\":1048576,\"propagation_names\":[\"MS_SHARED\"],\"to_dfd\":7}");
	json_object_put(o);

	m->call = BH_MOUNT_FSMOUNT;
	m->flags = 0x1;
	m->attr_set = 0x4;
	m->from_dfd = 9;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "mount.flag_names", "[\"FSMOUNT_CLOEXEC\"]");
	assert_jtext(o, "mount.attr_set_names", "[\"MOUNT_ATTR_NODEV\"]");
	assert_jtext(o, "mount.attr_clr", "<absent>");
	assert_jtext(o, "mount.from_dfd", "9");
	json_object_put(o);

	m->call = BH_MOUNT_FSCONFIG;
	m->flags = 6; /* FSCONFIG_CMD_CREATE: a command, so no names */
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "mount.call", "\"fsconfig\"");
	assert_jtext(o, "mount.flags", "6");
	assert_jtext(o, "mount.flag_names", "<absent>");
	json_object_put(o);
}

static void test_capset(void **state)
{
	struct bh_test_rec r;
	struct bh_capset *c;
	struct json_object *o;

	(void)state;
	c = (struct bh_capset *)bh_test_record(&r, BH_EV_CAPSET, BH_TSTR("/bin/x"), NULL, 0);
	fill_hdr(&c->hdr);
	c->target_pid = 0;
	c->before_known = 1;
	c->effective_before = 1ULL << 12;		   /* NET_ADMIN */
	c->permitted_before = (1ULL << 12) | (1ULL << 21); /* + SYS_ADMIN */
	c->effective = 1ULL << 21;			   /* raised SYS_ADMIN, lowered NET_ADMIN */
	c->permitted = 1ULL << 21;			   /* dropped NET_ADMIN for good */
	c->inheritable = c->inheritable_before = 1ULL << 40; /* CHECKPOINT_RESTORE */
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "capset",
		     "{\"target_pid\":0,\"effective\":\"0x0000000000200000\","
		     "\"permitted\":\"0x0000000000200000\",\"inheritable\":\"0x0000010000000000\","
		     "\"before_known\":true,\"effective_before\":\"0x0000000000001000\","
		     "\"permitted_before\":\"0x0000000000201000\","
		     "\"inheritable_before\":\"0x0000010000000000\","
		     "\"caps_effective\":[\"CAP_SYS_ADMIN\"],\"gained\":[\"CAP_SYS_ADMIN\"],"
		     "\"dropped\":[\"CAP_NET_ADMIN\"]}");
	json_object_put(o);

	/* a thread not seen before: no sets before, nothing gained or dropped */
	c->before_known = 0;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "capset.before_known", "false");
	assert_jtext(o, "capset.effective_before", "<absent>");
	assert_jtext(o, "capset.gained", "[]");
	json_object_put(o);
}

static void test_connect(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("/var/run/docker.sock"), BH_TSTR("/s") };
	struct bh_test_rec r;
	struct bh_connect *c;
	struct json_object *o;

	(void)state;
	c = (struct bh_connect *)bh_test_record(&r, BH_EV_CONNECT, BH_TSTR("/bin/x"), tail, 2);
	fill_hdr(&c->hdr);
	c->family = AF_UNIX;
	c->sock_type = SOCK_STREAM;
	c->fd = 3;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "connect",
		     "{\"family\":\"unix\",\"sock_type\":\"stream\",\"fd\":3,"
		     "\"peer_path\":\"/var/run/docker.sock\",\"path\":\"/s\"}");
	json_object_put(o);

	bh_test_record(&r, BH_EV_CONNECT, BH_TSTR("/bin/x"), NULL, 0);
	fill_hdr(&c->hdr);
	c->family = AF_INET;
	c->sock_type = SOCK_DGRAM;
	c->fd = 4;
	c->port = 2375;
	memcpy(c->addr, "\x0a\x00\x00\x01", 4);
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "connect",
		     "{\"family\":\"inet\",\"sock_type\":\"dgram\",\"fd\":4,\"addr\":\"10.0.0.1\","
		     "\"port\":2375}");
	json_object_put(o);

	c->family = AF_INET6;
	c->sock_type = SOCK_SEQPACKET;
	memset(c->addr, 0, sizeof(c->addr));
	c->addr[15] = 1;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "connect.family", "\"inet6\"");
	assert_jtext(o, "connect.sock_type", "\"seqpacket\"");
	assert_jtext(o, "connect.addr", "\"::1\"");
	json_object_put(o);

	/* A family and type without names: numbers, and no address. */
	c->family = AF_NETLINK;
	c->sock_type = 10;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "connect", "{\"family\":16,\"sock_type\":10,\"fd\":4}");
	json_object_put(o);
}

static void test_bind_listen(void **state)
{
	struct bh_test_rec r;
	struct bh_sock *s;
	struct json_object *o;

	(void)state;
	s = (struct bh_sock *)bh_test_record(&r, BH_EV_LISTEN, BH_TSTR("/usr/sbin/sshd"), NULL, 0);
	fill_hdr(&s->hdr);
	s->family = AF_INET;
	s->sock_type = SOCK_STREAM;
	s->fd = 3;
	s->port = 22;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "event", "\"listen\"");
	assert_jtext(o, "listen",
		     "{\"family\":\"inet\",\"sock_type\":\"stream\",\"fd\":3,\"addr\":\"0.0.0.0\","
		     "\"port\":22}");
	json_object_put(o);

	s->hdr.type = BH_EV_BIND;
	s->sock_type = SOCK_RAW;
	o = line_of(&r, NULL);
	assert_non_null(o);
	assert_jtext(o, "event", "\"bind\"");
	assert_jtext(o, "bind.sock_type", "\"raw\"");
	assert_jtext(o, "listen", "<absent>");
	json_object_put(o);
}

static void test_cap_names(void **state)
{
	(void)state;
	assert_string_equal(bh_cap_name(0), "CAP_CHOWN");
	assert_string_equal(bh_cap_name(21), "CAP_SYS_ADMIN");
	assert_string_equal(bh_cap_name(24), "CAP_SYS_RESOURCE");
	assert_string_equal(bh_cap_name(38), "CAP_PERFMON");
	assert_string_equal(bh_cap_name(39), "CAP_BPF");
	assert_string_equal(bh_cap_name(40), "CAP_CHECKPOINT_RESTORE");
	assert_null(bh_cap_name(41));

	bh_json_reset(&writer);
	bh_json_caps(&writer, 0);
	assert_string_equal(bh_json_data(&writer), "[]");
	/* Docker's default set, and bits newer than the table. */
	bh_json_reset(&writer);
	bh_json_caps(&writer, 0xa80425fbULL | (1ULL << 41) | (1ULL << 63));
	assert_string_equal(
		bh_json_data(&writer),
		"[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FOWNER\",\"CAP_FSETID\","
		"\"CAP_KILL\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETPCAP\","
		"\"CAP_NET_BIND_SERVICE\",\"CAP_NET_RAW\",\"CAP_SYS_CHROOT\","
		"\"CAP_MKNOD\",\"CAP_AUDIT_WRITE\",\"CAP_SETFCAP\",\"CAP_41\",\"CAP_63\"]");
}

/* Odd bytes from the kernel (comm, paths) still make one valid line. */
static void test_hostile_strings(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("/tmp/\"x\n\xff"), BH_TSTR("a\x01\0\xc3") };
	struct bh_test_rec r;
	struct bh_exec *e;
	struct json_object *o;

	(void)state;
	e = (struct bh_exec *)bh_test_record(&r, BH_EV_EXEC, BH_TSTR("/x\0y"), tail, 2);
	fill_hdr(&e->hdr);
	memcpy(e->hdr.comm, "a\"\\\t\x7f\xe2\x82", 8);
	o = line_of(&r, NULL);
	assert_non_null(o);
	/* The line as written (json-c would print U+FFFD back as raw UTF-8). */
	assert_line_has("\"comm\":\"a\\\"\\\\\\t\x7f\\ufffd\\ufffd\"");
	assert_line_has("\"exe\":\"/x\\u0000y\"");
	assert_line_has("\"filename\":\"/tmp/\\\"x\\n\\ufffd\"");
	assert_line_has("\"args\":[\"a\\u0001\",\"\\ufffd\"]");
	/* What a reader gets back. */
	assert_jtext(o, "process.exe", "\"/x\\u0000y\"");
	assert_string_equal(json_object_get_string(bh_test_jget(o, "process.comm")),
			    "a\"\\\t\x7f\xef\xbf\xbd\xef\xbf\xbd");
	json_object_put(o);
}

/* What findings lines build from: the process members plus their own, and argv. */
static void test_process_members_and_args(void **state)
{
	const struct bh_str tail[] = { BH_TSTR("/bin/sh"), BH_TSTR("sh\0-c\0id\0") };
	struct bh_test_rec r;
	struct bh_event ev;

	(void)state;
	fill_hdr(bh_test_record(&r, BH_EV_EXEC, BH_TSTR("/bin/dash"), tail, 2));
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);
	bh_json_reset(&writer);
	bh_json_obj_begin(&writer);
	bh_json_process_members(&writer, &ev);
	bh_json_key(&writer, "args");
	bh_json_args(&writer, &ev.str[1]);
	bh_json_obj_end(&writer);
	assert_string_equal(bh_json_data(&writer),
			    "{\"pid\":1000,\"tid\":1001,\"ppid\":999,\"uid\":1000,\"euid\":1000,"
			    "\"comm\":\"sh\",\"exe\":\"/bin/dash\",\"cap_effective\":"
			    "\"0x00000000a80425fb\",\"args\":[\"sh\",\"-c\",\"id\"]}");

	bh_json_reset(&writer);
	bh_json_args(&writer, &(struct bh_str){ .ptr = NULL, .len = 0 });
	assert_string_equal(bh_json_data(&writer), "[]");
}

static void test_time_and_reuse(void **state)
{
	struct bh_test_rec r;
	struct bh_event ev;
	const char *buf;
	size_t cap;

	(void)state;
	fill_hdr(bh_test_record(&r, BH_EV_CAPSET, BH_TSTR("/bin/x"), NULL, 0));
	assert_int_equal(bh_event_decode(r.buf, r.size, &ev), 0);
	/* Wall clock = boot clock + offset; the offset is positive on any machine past 1970. */
	assert_true(bh_boot_to_realtime_offset() > 0);
	bh_json_event_line(&writer, &ev, NULL, T_WALL_NS + 877000000LL);
	assert_non_null(
		strstr(bh_json_data(&writer), "\"time\":\"2026-11-30T04:36:12.000456789Z\""));

	/* Once warm, a line reuses the same memory: no allocation per event. */
	buf = writer.buf;
	cap = writer.cap;
	for (int i = 0; i < 1000; i++)
		bh_json_event_line(&writer, &ev, NULL, T_WALL_NS);
	assert_ptr_equal(writer.buf, buf);
	assert_int_equal(writer.cap, cap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_host_process),
		cmocka_unit_test(test_exec_without_snapshot),
		cmocka_unit_test(test_container_with_pod_and_labels),
		cmocka_unit_test(test_setns),
		cmocka_unit_test(test_mount_syscall),
		cmocka_unit_test(test_mount_new_api),
		cmocka_unit_test(test_capset),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_bind_listen),
		cmocka_unit_test(test_cap_names),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_process_members_and_args),
		cmocka_unit_test(test_time_and_reuse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
