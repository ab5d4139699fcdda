/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* common.bpf.h - includes and tiny helpers shared by every BPF hook family. */
#ifndef BULKHEAD_COMMON_BPF_H
#define BULKHEAD_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define __KERNEL__
#include "events.h"

/* uapi constants vmlinux.h cannot carry (they are #defines). */
#define AF_UNIX	 1
#define AF_INET	 2
#define AF_INET6 10

#endif /* BULKHEAD_COMMON_BPF_H */
