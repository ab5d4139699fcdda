/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* maps.bpf.h - every map and load-time knob, defined once (__weak) for all linked objects. */
#ifndef BULKHEAD_MAPS_BPF_H
#define BULKHEAD_MAPS_BPF_H

#include "common.bpf.h"

/*
 * Each .bpf.c is compiled alone and includes this header; `bpftool gen object`
 * then merges the identical __weak definitions into one map or variable, so the
 * skeleton sees a single `events`, a single `self_tgid`, and so on.
 */

/* Knobs the loader sets in .rodata before load; the verifier prunes on them. */
const volatile __u32 self_tgid __weak = 0;	       /* drop this tgid's events; 0: none */
const volatile __u32 host_ns[BH_NS_KINDS] __weak = {}; /* initial-namespace inodes */
const volatile int v1_subsys_id __weak = -1;	       /* css_set->subsys[] index; -1: none */
const volatile int v1_hierarchy_id __weak = -1; /* that controller's hierarchy id; -1: none */
/*
 * Batched ring buffer wake-ups (see bh_wakeup_flags()): 0 wakes the consumer for
 * every record that lands in an empty ring, which costs an IPI (several us in a VM).
 */
const volatile __u64 wakeup_ns __weak = 0;    /* at most one plain wake-up per CPU per this */
const volatile __u64 wakeup_bytes __weak = 0; /* forced wake-up when the ring fills past this */
/* bit (1 << BH_EV_*): drop records of that type no rule needs (bh_filtered()) */
const volatile __u32 filter_mask __weak = 0;

#define BH_RINGBUF_DEFAULT   (8 << 20)
#define BH_EXE_CACHE_ENTRIES 16384
#define BH_HOST_CGROUPS	     4096
#define BH_RUNTIME_SOCKS     64
#define BH_HOST_PROGRAMS     16

/*
 * The record under construction. Every string is copied at an offset masked
 * with BH_RECORD_MAX - 1 and with a length of at most BH_ARGS_MAX + 2, so
 * twice BH_RECORD_MAX is the bound the verifier can prove for any copy.
 */
#define BH_SCRATCH_REC (2 * BH_RECORD_MAX)
/* The exe path is built right to left in a buffer the verifier sees as 1 KiB. */
#define BH_PATH_BUF 1024

/* A cached exe path: the tail of every record, so it must not be walked each time. */
struct bh_exe_entry {
	__u16 len;
	__u16 trunc; /* BH_TRUNC_EXE or 0 */
	__u32 _pad;
	char path[BH_EXE_MAX];
};

struct bh_scratch {
	__u8 rec[BH_SCRATCH_REC];
	char path[BH_PATH_BUF];
	struct bh_exe_entry exe;
	__u64 last_wakeup_ns;		/* this CPU's last wake-up decision (bh_wakeup_flags) */
	struct bh_cgroup_key last_host; /* this CPU's last cgroup found in bh_host_cgroups */
};

/* A thread's credentials before its exec: the *_before fields of the exec record. */
struct bh_exec_before {
	__u64 cap_effective;
	__u32 uid;
	__u32 euid;
};

struct bh_capsets {
	__u64 effective;
	__u64 permitted;
	__u64 inheritable;
};

/*
 * What bulkhead keeps per thread, in task-local storage (thread.bpf.h): the
 * exec snapshot from sys_enter_execve* for sched_process_exec, and the thread's
 * capability sets as last seen after its exec or a capset, which are the
 * "before" of its next capset (no sys_enter_capset program: see cred.bpf.c).
 */
struct bh_thread {
	__u32 exec_pending; /* exec holds a snapshot no sched_process_exec took yet */
	__u32 caps_known;   /* caps is set */
	struct bh_exec_before exec;
	struct bh_capsets caps;
};

/*
 * A thread group the container runtime is setting up (setup.bpf.h): placed in
 * a cgroup by a host process, or a fork of one, until its first exec of a file
 * of its own mount namespace. mnt_ns: the namespace it was placed from, where an
 * exec does not end the set-up.
 */
struct bh_setup {
	__u32 mnt_ns;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BH_RINGBUF_DEFAULT);
} events SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bh_counters);
} bh_counters SEC(".maps") __weak;

/* Failed reads by enum bh_read_site: which program's which read left a field empty. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BH_READ_SITES);
	__type(key, __u32);
	__type(value, __u64);
} bh_read_errors SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bh_scratch);
} bh_scratch SEC(".maps") __weak;

/*
 * Task-local: found from the task without hashing a key, freed with the task,
 * and it follows the thread that execs through de_thread(), whose thread id
 * changes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bh_thread);
} bh_threads SEC(".maps") __weak;

/* Set-up marks, kept on the thread-group leader: its threads share one. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bh_setup);
} bh_setups SEC(".maps") __weak;

/* exe path per tgid: filled at exec or on a miss, removed when the thread group dies. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BH_EXE_CACHE_ENTRIES);
	__type(key, __u32);
	__type(value, struct bh_exe_entry);
} bh_exe_cache SEC(".maps") __weak;

/* LRU: forgetting a host cgroup only lets its next record through to user space again. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BH_HOST_CGROUPS);
	__type(key, struct bh_cgroup_key);
	__type(value, __u8);
} bh_host_cgroups SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BH_RUNTIME_SOCKS);
	__type(key, char[BH_SOCK_NAME_MAX]);
	__type(value, __u8);
} bh_runtime_socks SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BH_HOST_PROGRAMS);
	__type(key, char[BH_PROGRAM_NAME_MAX]);
	__type(value, __u8);
} bh_host_programs SEC(".maps") __weak;

#endif /* BULKHEAD_MAPS_BPF_H */
