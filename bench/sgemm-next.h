/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * For the bench programs that define their own cblas_sgemm to count or time the
 * products (bench-train, sgemm-shapes): OpenBLAS's cblas_sgemm, which theirs calls.
 */
#ifndef NETSHARE_BENCH_SGEMM_NEXT_H
#define NETSHARE_BENCH_SGEMM_NEXT_H

#include <cblas.h>
#include <dlfcn.h>

typedef void (*sgemm_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE,
                         const enum CBLAS_TRANSPOSE, const blasint, const blasint,
                         const blasint, const float, const float *, const blasint,
                         const float *, const blasint, const float, float *, const blasint);

/* The next cblas_sgemm after the caller's (RTLD_NEXT), looked up once. Several threads
 * may look it up at once; they all store the same pointer. */
static inline sgemm_fn
sgemm_next(void)
{
	static sgemm_fn next;
	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "cblas_sgemm");
	return next;
}

#endif
