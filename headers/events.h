/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* events.h - the kernel <-> user space ABI: one record per hooked syscall. */
#ifndef BULKHEAD_EVENTS_H
#define BULKHEAD_EVENTS_H

/*
 * Layout rules (checked by _Static_assert in user space):
 * - only __u8..__u64 fields, explicit padding, every struct a multiple of 8 bytes;
 * - every record starts with struct bh_hdr; hdr.size is the length of the whole
 *   record: the fixed struct of its type followed by a tail of strings;
 * - the tail holds, in this order, the exe path (hdr.exe_len bytes) and then the
 *   strings of the event type, each in the order its *_len fields are declared.
 *   Lengths count the bytes copied, without a terminating NUL; a string cut at its
 *   bound sets its BH_TRUNC_* bit in hdr.trunc.
 */

#ifndef __KERNEL__
#include <linux/types.h>
#endif

#define BH_ABI_VERSION 2

#define BH_COMM_LEN	 16
#define BH_EXE_MAX	 256 /* exe path, bytes in the tail */
#define BH_PATH_MAX	 256 /* mount source/target, exec filename */
#define BH_FSTYPE_MAX	 32
#define BH_UNIX_PATH_MAX 108  /* sizeof(sun_path) */
#define BH_ARGS_MAX	 1024 /* argv, NUL-separated, bytes in the tail */
#define BH_ARGC_MAX	 16
#define BH_RECORD_MAX	 4096 /* no record is larger: user space rejects larger ones */

enum bh_event_type {
	BH_EV_EXEC = 1,
	BH_EV_SETNS = 2,
	BH_EV_MOUNT = 3,
	BH_EV_CAPSET = 4,
	BH_EV_CONNECT = 5,
	BH_EV_BIND = 6,	  /* reserved for the listening-port rules */
	BH_EV_LISTEN = 7, /* reserved for the listening-port rules */
	BH_EV_CGROUP = 8, /* a cgroup was created: user space's id -> path memory */
	BH_EV_TYPE_MAX,
};

/* hdr.trunc bits: which string of the record was cut at its bound. */
enum bh_trunc {
	BH_TRUNC_EXE = 1 << 0,
	BH_TRUNC_STR0 = 1 << 1, /* first event string (exec filename, mount source, ...) */
	BH_TRUNC_STR1 = 1 << 2,
	BH_TRUNC_STR2 = 1 << 3,
	BH_TRUNC_ARGC = 1 << 4, /* exec: more than BH_ARGC_MAX arguments */
};

/*
 * hdr.flags bits. BH_HDR_RUNTIME_SETUP: the task is the container runtime
 * setting a container up, known from kernel state (bpf/setup.bpf.h): a host
 * process placed its thread group in the cgroup (or cloned it into one), and it
 * has not yet executed a file of its own mount namespace since.
 * BH_HDR_COMPAT_IA32, BH_HDR_COMPAT_X32: the call was a compat syscall (int
 * $0x80, sysenter or a 32-bit syscall; the x32 ABI), seen by bpf/compat.bpf.c.
 */
enum bh_hdr_flag {
	BH_HDR_RUNTIME_SETUP = 1 << 0,
	BH_HDR_COMPAT_IA32 = 1 << 1,
	BH_HDR_COMPAT_X32 = 1 << 2,
	/* exec: this exec ended the runtime's set-up (setup.bpf.h): the container's first
	 * program, or a command exec'd into it (docker exec), with the creds it was given */
	BH_HDR_SETUP_END = 1 << 3,
};

/* Namespace kinds, the index into the per-kind inode arrays of a setns event. */
enum bh_ns_kind {
	BH_NS_MNT = 0,
	BH_NS_PID = 1, /* pid_for_children: what setns(CLONE_NEWPID) changes */
	BH_NS_NET = 2,
	BH_NS_IPC = 3,
	BH_NS_UTS = 4,
	BH_NS_CGROUP = 5,
	BH_NS_USER = 6,
	BH_NS_TIME = 7,
	BH_NS_KINDS = 8,
};

/* Common header: who did it, where, and with what privilege, read at syscall exit. */
struct bh_hdr {
	__u64 ts_ns;	    /* bpf_ktime_get_boot_ns() */
	__u64 cgroup_id;    /* cgroup v2 id (kernfs node id) of the task */
	__u64 cgroup_v1_id; /* kernfs node id of the task's cgroup in the v1 hierarchy
			     * named by the loader (0 on pure v2 hosts) */
	__u64 cap_effective;
	__u32 type; /* enum bh_event_type */
	__u32 size; /* whole record in bytes, tail included */
	__u32 pid;  /* thread id */
	__u32 tgid; /* process id */
	__u32 ppid; /* real parent's tgid */
	__u32 uid;
	__u32 euid;
	__u32 pid_ns; /* inode of the task's pid namespace */
	__u32 mnt_ns;
	__u32 net_ns;
	__s32 ret;     /* syscall return value (0 for exec, which only reports success) */
	__u16 exe_len; /* bytes of the exe path at the start of the tail */
	__u16 trunc;   /* enum bh_trunc bits */
	char comm[BH_COMM_LEN];
	__u32 flags; /* enum bh_hdr_flag bits */
	__u32 _pad;
};

/* seccomp modes as in include/uapi/linux/seccomp.h */
#define BH_SECCOMP_DISABLED 0
#define BH_SECCOMP_STRICT   1
#define BH_SECCOMP_FILTER   2

/* exec: credentials after a successful exec. Tail: exe, filename, args. */
struct bh_exec {
	struct bh_hdr hdr;
	__u64 cap_permitted;
	__u64 cap_inheritable;
	__u64 cap_effective_before; /* caps of the task before exec (snapshot at enter) */
	__u32 gid;
	__u32 egid;
	__u32 uid_before; /* uid/euid before exec (snapshot at enter) */
	__u32 euid_before;
	__u8 secureexec; /* bprm->secureexec: the kernel judged this exec privilege-gaining */
	__u8 no_new_privs;
	__u8 seccomp_mode; /* BH_SECCOMP_* */
	__u8 before_valid; /* the *_before fields hold a snapshot */
	__u32 argc;	   /* arguments of the new program (may exceed those copied) */
	__u16 filename_len;
	__u16 args_len; /* NUL-separated argv, at most BH_ARGS_MAX */
	__u32 _pad;
};

/*
 * setns: namespace inodes of the task after the call, and which kinds the call
 * set: the kind of the namespace an nsfs fd names, or a pidfd's nstype flags.
 * No "before": there is no sys_enter program (see ns.bpf.c). No tail strings.
 */
struct bh_setns {
	struct bh_hdr hdr;
	__s32 fd;
	__s32 nstype;		     /* the nstype argument (CLONE_NEW* or 0) */
	__u32 ns_after[BH_NS_KINDS]; /* inode per enum bh_ns_kind after the call */
	__u32 host_ns[BH_NS_KINDS];  /* the host's (initial) inode per kind, from the loader */
	__u32 target_ns;	     /* inode of the namespace an nsfs fd names; 0 for a pidfd */
	__u32 entered_mask;	     /* bit (1 << kind) for each kind the call set */
	__u32 host_mask;	     /* entered kinds whose inode is now the host's */
	__u32 _pad;
};

enum bh_mount_call {
	BH_MOUNT_MOUNT = 1, /* mount(2) */
	BH_MOUNT_OPEN_TREE = 2,
	BH_MOUNT_MOVE_MOUNT = 3,
	BH_MOUNT_FSMOUNT = 4,
	BH_MOUNT_MOUNT_SETATTR = 5,
	BH_MOUNT_FSOPEN = 6,
	BH_MOUNT_FSCONFIG = 7,
};

/*
 * mount family: arguments read from user memory at syscall entry (TOCTOU: a
 * racing thread can change them after the kernel read them), result at exit.
 * Tail: exe, source, target, fstype. For open_tree/move_mount/mount_setattr
 * "source"/"target" are the path arguments and dfd/flags the raw arguments.
 */
struct bh_mount {
	struct bh_hdr hdr;
	__u64 flags;	/* mount(2) MS_* flags, or the call's flags argument */
	__u64 attr_set; /* mount_setattr: mount_attr.attr_set, fsmount: attr_flags */
	__u64 attr_clr;
	__u64 propagation; /* mount_setattr: mount_attr.propagation */
	__u32 call;	   /* enum bh_mount_call */
	__s32 from_dfd;	   /* open_tree dfd, move_mount from_dfd, fsmount fs_fd */
	__s32 to_dfd;	   /* move_mount to_dfd, mount_setattr dfd */
	__u16 source_len;
	__u16 target_len;
	__u16 fstype_len;
	__u16 _pad[3];
};

/* capset: the task's capability sets before (enter) and after (exit). No tail strings. */
struct bh_capset {
	struct bh_hdr hdr;
	__u64 effective;
	__u64 permitted;
	__u64 inheritable;
	/* the thread's sets after its last exec or capset seen, when before_known */
	__u64 effective_before;
	__u64 permitted_before;
	__u64 inheritable_before;
	__u32 target_pid;   /* cap_user_header.pid (0 = self) */
	__u32 before_known; /* 0: the thread was not seen before (started before bulkhead) */
};

/*
 * connect: AF_UNIX peer path read from the connected socket in the kernel
 * (unix_sock->peer->addr: the path the listener bound, whatever alias the caller
 * used), plus the path the caller passed; AF_INET/6 destination address and port.
 * Tail: exe, peer_path, path. An abstract unix name starts with '@'.
 */
struct bh_connect {
	struct bh_hdr hdr;
	__u8 addr[16]; /* IPv4 in the first 4 bytes, or IPv6; network order */
	__s32 fd;
	__u16 family;	 /* AF_UNIX, AF_INET, AF_INET6 */
	__u16 port;	 /* host order */
	__u16 sock_type; /* SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 peer_path_len;
	__u16 path_len;
	__u16 _pad;
};

/* bind and listen: the socket's local address, read from the kernel socket at exit. */
struct bh_sock {
	struct bh_hdr hdr;
	__u8 addr[16]; /* IPv4 in the first 4 bytes, or IPv6; network order */
	__s32 fd;
	__u16 family;
	__u16 port; /* host order */
	__u16 sock_type;
	__u16 _pad[3];
};

/*
 * cgroup_mkdir: a cgroup was created, in any hierarchy. User space keeps id ->
 * path so a container whose cgroup is already removed when its first record is
 * read can still be named. The header describes the creating task (runc,
 * systemd, ...). Tail: exe, path (relative to the hierarchy root, as the
 * tracepoint gives it).
 */
struct bh_cgroup_rec {
	struct bh_hdr hdr;
	__u64 id;	    /* cgrp->kn->id: the cgroup id records of its tasks carry */
	__u32 hierarchy_id; /* cgrp->root->hierarchy_id: 0 is the cgroup v2 hierarchy */
	__u32 level;	    /* depth below the hierarchy root */
	__u16 path_len;
	__u16 _pad[3];
};

/* Per-CPU counters the loader reads (array map "bh_counters", one struct per CPU). */
struct bh_counters {
	__u64 drops;	 /* ring buffer reservation/output failed */
	__u64 emitted;	 /* records submitted */
	__u64 args_lost; /* no memory for a thread's state (bh_thread): its "before" is unknown */
	__u64 compat_calls; /* compat syscalls of a hooked kind (mount, setns, ...), filtered or not
			     */
};

/*
 * Where a failed kernel or user memory read left a field empty: the program
 * (named by its record family) and the field. The index of the per-CPU array
 * map "bh_read_errors" (one __u64 per site and CPU), so a count can be traced
 * to the read that failed.
 */
enum bh_read_site {
	BH_READ_EXE = 0,	   /* every record: the exe path, copied from the cache */
	BH_READ_EXEC_FILENAME = 1, /* bprm->filename */
	BH_READ_EXEC_ARGS = 2,	   /* argv on the new program's stack */
	BH_READ_MOUNT_SOURCE = 3,  /* user memory: source or path argument */
	BH_READ_MOUNT_TARGET = 4,
	BH_READ_MOUNT_FSTYPE = 5,
	BH_READ_MOUNT_ATTR = 6,	      /* mount_setattr's struct mount_attr */
	BH_READ_CAPSET_HEADER = 7,    /* cap_user_header.pid */
	BH_READ_CONNECT_SOCKADDR = 8, /* the caller's sockaddr */
	BH_READ_CONNECT_PEER = 9,     /* the peer's bound name, kernel memory */
	BH_READ_CONNECT_PATH = 10,    /* sun_path of the caller's sockaddr (copied) */
	BH_READ_CGROUP_PATH = 11,     /* cgroup_mkdir's path */
	BH_READ_SOCKETCALL_ARGS = 12, /* ia32 socketcall's argument array (connect, bind, listen) */
	BH_READ_SITES = 13,
};

/*
 * In-kernel filter maps the loader fills (records no rule needs are dropped
 * before any ring buffer work, for the types in the loader's filter_mask).
 * "bh_host_cgroups": cgroups user space found to hold no container, keyed like
 * the header's two cgroup ids. "bh_runtime_socks": basenames of the runtime API
 * sockets, NUL-padded; the all-zero key means "any unix peer".
 * "bh_host_programs": names of the programs whose exec outside any container a
 * rule judges (the runtime daemons, docker-proxy), NUL-padded.
 */
struct bh_cgroup_key {
	__u64 cgroup_id;
	__u64 cgroup_v1_id;
};

#define BH_SOCK_NAME_MAX    32
#define BH_PROGRAM_NAME_MAX 32

#endif /* BULKHEAD_EVENTS_H */
