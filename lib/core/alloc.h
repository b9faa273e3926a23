/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: allocation wrappers with overflow checks and a failure-injection hook. */
#ifndef NETSHARE_CORE_ALLOC_H
#define NETSHARE_CORE_ALLOC_H

#include <stddef.h>

/* All library allocations go through these, so tests can make any of them fail. They
 * return NULL on failure (including count*size overflow) and do not set the error:
 * the caller knows what it was allocating and calls netshare__error_oom(what). */
void *netshare__malloc(size_t size);
void *netshare__calloc(size_t count, size_t size);
void *netshare__mallocarray(size_t count, size_t size);
void *netshare__reallocarray(void *ptr, size_t count, size_t size);
void netshare__free(void *ptr);
char *netshare__strdup(const char *s);

/* Ask for transparent huge pages on the 2 MiB-aligned interior of a large block
 * (at least 4 MiB): large columns and tables are filled once, front to back, and a fault
 * per 4 KiB page was a third of ingest time. Only advice: nothing changes if the kernel
 * ignores it. */
void netshare__advise_huge(void *ptr, size_t size);

/* Test hook: the n-th allocation made by this thread from now on fails (1 = the next
 * one); 0 turns injection off. Lets tests drive every out-of-memory path. */
void netshare__alloc_fail_after(unsigned long n);

#endif
