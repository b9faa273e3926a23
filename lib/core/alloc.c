/* SPDX-License-Identifier: BSD-3-Clause */
/* Allocation wrappers: overflow-checked array sizes and per-thread failure injection. */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static _Thread_local unsigned long fail_countdown;

void
netshare__alloc_fail_after(unsigned long n)
{
	fail_countdown = n;
}

/* True when the injected failure is due now. */
static int
injected_failure(void)
{
	if (fail_countdown == 0)
		return 0;
	return --fail_countdown == 0;
}

void *
netshare__malloc(size_t size)
{
	if (injected_failure())
		return NULL;
	return malloc(size ? size : 1);
}

void *
netshare__calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	if (injected_failure())
		return NULL;
	return calloc(count ? count : 1, size ? size : 1);
}

void *
netshare__mallocarray(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	return netshare__malloc(count * size);
}

void *
netshare__reallocarray(void *ptr, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	if (injected_failure())
		return NULL;
	size_t n = count * size;
	return realloc(ptr, n ? n : 1);
}

void
netshare__free(void *ptr)
{
	free(ptr);
}

char *
netshare__strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = netshare__malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

#define HUGE_PAGE ((uintptr_t)2 << 20)

void
netshare__advise_huge(void *ptr, size_t size)
{
#ifdef MADV_HUGEPAGE
	if (!ptr || size < 2 * HUGE_PAGE)
		return;
	uintptr_t lo = ((uintptr_t)ptr + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t hi = ((uintptr_t)ptr + size) & ~(HUGE_PAGE - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)ptr;
	(void)size;
#endif
}
