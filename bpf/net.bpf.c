// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* net.bpf.c - connect, bind and listen records: peers and local addresses from the kernel. */
#include "common.bpf.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "args.bpf.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define BH_SUN_PATH_OFF 2 /* offsetof(struct sockaddr_un, sun_path) */

/*
 * Largest sockaddr kept: sockaddr_un (2 + 108 bytes) and the 2 bytes past a
 * full sun_path that bh_tail_str() reads to tell a name of 108 bytes from a
 * longer one.
 */
#define BH_SOCKADDR_MAX 112

/*
 * Appends a unix socket name of plen bytes (sun_path, from kernel memory) at
 * off: a path up to its NUL, or for an abstract name (leading NUL) '@' and the
 * raw bytes after it. A failed read is counted at site.
 */
static __always_inline __u32 unix_name_tail(struct bh_scratch *s, __u32 off, const char *sun_path,
					    __s64 plen, __u16 *len, __u16 trunc_bit,
					    enum bh_read_site site)
{
	char first = 0;
	__u64 n;

	*len = 0;
	if (plen <= 0)
		return off;
	if (bpf_probe_read_kernel(&first, 1, sun_path)) {
		bh_read_error(site);
		return off;
	}
	if (first)
		return bh_tail_str(s, off, sun_path, BH_UNIX_PATH_MAX, false, len, trunc_bit, site);
	/* bytes after the leading NUL; the mask is for the verifier (the value is < 108) */
	n = plen > BH_UNIX_PATH_MAX ? BH_UNIX_PATH_MAX - 1 : plen - 1;
	barrier_var(n);
	n &= 127;
	s->rec[off & BH_OFF_MASK] = '@';
	if (bpf_probe_read_kernel(&s->rec[(off + 1) & BH_OFF_MASK], n, sun_path + 1)) {
		bh_read_error(site);
		return off;
	}
	*len = n + 1;
	return off + n + 1;
}

/* The name the peer of a connected unix socket was bound to: the listener's own path. */
static __always_inline __u32 unix_peer_tail(struct bh_scratch *s, __u32 off, struct sock *sk,
					    __u16 *len)
{
	/* struct unix_sock starts with its struct sock: the cast is unix_sk() */
	struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
	struct unix_address *addr;

	*len = 0;
	if (!peer)
		return off;
	addr = BPF_CORE_READ((struct unix_sock *)peer, addr);
	if (!addr)
		return off; /* an unbound peer (socketpair, autobind pending) */
	return unix_name_tail(s, off, addr->name[0].sun_path,
			      BPF_CORE_READ(addr, len) - BH_SUN_PATH_OFF, len, BH_TRUNC_STR0,
			      BH_READ_CONNECT_PEER);
}

#define BH_EINPROGRESS 115

/*
 * Default mode: is this connect one the runtime-socket rule could judge? It
 * must have reached a peer bound to a file whose name (the dentry's, so no
 * string walk) is a runtime socket's basename, or the loader said "any".
 * User space still matches the whole path against the policy.
 */
static __always_inline bool unix_peer_wanted(struct sock *sk, long ret)
{
	static const char any[BH_SOCK_NAME_MAX];
	char name[BH_SOCK_NAME_MAX] = {};
	struct sock *peer;
	struct dentry *d;

	if (ret && ret != -BH_EINPROGRESS)
		return false;
	if (bpf_map_lookup_elem(&bh_runtime_socks, any))
		return true;
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX)
		return false;
	peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
	d = BPF_CORE_READ((struct unix_sock *)peer, path.dentry);
	if (!d)
		return false; /* abstract or unbound: no file, no runtime socket */
	/* a longer name is cut: the loader turns names that long into "any" */
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name));
	return bpf_map_lookup_elem(&bh_runtime_socks, name) != NULL;
}

/*
 * connect(fd, uaddr, addrlen), judged at exit only. The destination exists in
 * the kernel only for a connected unix socket (its peer); the sockaddr the
 * caller passed is copied from user memory after the call (TOCTOU: a racing
 * thread may have changed it since the kernel's copy).
 */
static __always_inline int connect_exit(long ret, enum bh_abi abi)
{
	struct task_struct *task = bh_current();
	struct bh_syscall_args args;
	/*
	 * Zeroed: only addrlen bytes come from the caller, and the rest is read
	 * as part of the sockaddr (a sun_path without NUL ends at the first zero
	 * past it, a short sockaddr_in has its address there). Stale stack bytes
	 * would reach the record (bytes of kernel pointers, on 6.18).
	 */
	__u8 addr[BH_SOCKADDR_MAX] = {};
	struct bh_scratch *s;
	struct bh_connect *e;
	struct socket *sock;
	struct sock *sk = NULL;
	__u16 family = 0;
	__u64 len;
	__u32 off;

	if (bh_host_task(BH_EV_CONNECT, task) || bh_is_self())
		return 0;
	bh_syscall_args(&args, 3, abi);
	sock = bh_fd_socket(task, (int)args.a[0]);
	if (sock)
		sk = BPF_CORE_READ(sock, sk);
	if (bh_filtered(BH_EV_CONNECT) && !unix_peer_wanted(sk, ret))
		return 0;
	len = args.a[2]; /* 64-bit: the clamp stays visible to the verifier */
	if (len > BH_SOCKADDR_MAX)
		len = BH_SOCKADDR_MAX;
	if (len && bpf_probe_read_user(addr, len, (const void *)args.a[1])) {
		bh_read_error(BH_READ_CONNECT_SOCKADDR);
		len = 0;
	}
	s = bh_scratch_get();
	if (!s)
		return 0;
	e = (struct bh_connect *)s->rec;
	off = bh_begin(s, task, BH_EV_CONNECT, sizeof(*e), (__s32)ret);
	bh_mark_abi(s, abi);
	e->fd = (__s32)args.a[0];
	if (len >= sizeof(family))
		family = *(__u16 *)addr;
	e->family = family;
	if (sock)
		e->sock_type = BPF_CORE_READ(sock, type);
	switch (family) {
	case AF_UNIX:
		if (sk && BPF_CORE_READ(sk, __sk_common.skc_family) == AF_UNIX)
			off = unix_peer_tail(s, off, sk, &e->peer_path_len);
		off = unix_name_tail(s, off, (const char *)addr + BH_SUN_PATH_OFF,
				     (__s64)len - BH_SUN_PATH_OFF, &e->path_len, BH_TRUNC_STR1,
				     BH_READ_CONNECT_PATH);
		break;
	case AF_INET: {
		struct sockaddr_in *sin = (struct sockaddr_in *)addr;

		e->port = bpf_ntohs(sin->sin_port);
		__builtin_memcpy(e->addr, &sin->sin_addr, 4);
		break;
	}
	case AF_INET6: {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)addr;

		e->port = bpf_ntohs(sin6->sin6_port);
		__builtin_memcpy(e->addr, &sin6->sin6_addr, 16);
		break;
	}
	}
	bh_output(s, off);
	return 0;
}

SEC("tp/syscalls/sys_exit_connect")
int tracepoint__syscalls__sys_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	return connect_exit(ctx->ret, BH_ABI_64);
}

/*
 * bind(fd, ...), listen(fd, ...), judged at exit: the socket's local address
 * is kernel state. Emitted after a successful call, inet families only.
 */
static __always_inline int sock_exit(long ret, __u32 type, enum bh_abi abi)
{
	struct task_struct *task = bh_current();
	struct bh_syscall_args args;
	struct bh_scratch *s;
	struct socket *sock;
	struct bh_sock *e;
	struct sock *sk;
	__u16 family;
	__u32 off;

	if (bh_is_self() || ret != 0)
		return 0;
	bh_syscall_args(&args, 1, abi);
	sock = bh_fd_socket(task, (int)args.a[0]);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	s = bh_scratch_get();
	if (!s)
		return 0;
	e = (struct bh_sock *)s->rec;
	off = bh_begin(s, task, type, sizeof(*e), 0);
	bh_mark_abi(s, abi);
	e->fd = (__s32)args.a[0];
	e->family = family;
	e->sock_type = BPF_CORE_READ(sock, type);
	/* inet_num (skc_num) is the bound port in host order */
	e->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (family == AF_INET) {
		__be32 a4 = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(e->addr, &a4, 4);
	} else {
		bpf_core_read(e->addr, sizeof(e->addr), &sk->__sk_common.skc_v6_rcv_saddr);
	}
	bh_output(s, off);
	return 0;
}

SEC("tp/syscalls/sys_exit_bind")
int tracepoint__syscalls__sys_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	return sock_exit(ctx->ret, BH_EV_BIND, BH_ABI_64);
}

SEC("tp/syscalls/sys_exit_listen")
int tracepoint__syscalls__sys_exit_listen(struct trace_event_raw_sys_exit *ctx)
{
	return sock_exit(ctx->ret, BH_EV_LISTEN, BH_ABI_64);
}

/* The raw sys_exit dispatcher's ways in (sys_exit.bpf.c): global functions, verified once each. */
__noinline int bh_exit_connect(long ret, __u32 abi)
{
	return connect_exit(ret, abi);
}

__noinline int bh_exit_sock(long ret, __u32 type, __u32 abi)
{
	return sock_exit(ret, type, abi);
}
