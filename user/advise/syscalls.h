/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* syscalls.h - syscall names by number for this architecture (x86-64), as seccomp names them. */
#ifndef BULKHEAD_SYSCALLS_H
#define BULKHEAD_SYSCALLS_H

/* The name of native syscall nr, NULL when the number is unused or unknown. */
const char *bh_syscall_name(unsigned int nr);
/* The number of a syscall name, -1 when unknown. */
int bh_syscall_nr(const char *name);

#endif
