/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: a single-precision matrix product cut into blocks that a pool's threads
 * compute.
 *
 * OpenBLAS's own threads would give each product several cores, but its results change
 * with its thread count; and whether a product cut in blocks sums exactly as one call
 * does depends on OpenBLAS's kernels (docs/DEVELOPING.md). So the number of blocks is
 * the caller's, fixed by the model's shape, and the pool only
 * decides which thread computes which block: the result is the same for any pool,
 * including none. OpenBLAS is single-threaded inside (netshare__blas_single_begin).
 */
#ifndef NETSHARE_NN_GEMM_H
#define NETSHARE_NN_GEMM_H

#include <cblas.h>

#include "core/threadpool.h"

/* C = alpha op(A) op(B) + beta C, row-major, as cblas_sgemm, in up to `parts` blocks of
 * columns of C (rows when C has few columns; fewer blocks, or one call, for a product
 * too small to repay them: a rule on the shape alone) on pool's threads (NULL: this
 * one; from inside a task of the pool, the threads of its loop that are free). */
void netshare__sgemm(netshare__pool *pool, int parts, enum CBLAS_TRANSPOSE ta,
                     enum CBLAS_TRANSPOSE tb, int M, int N, int K, float alpha,
                     const float *A, int lda, const float *B, int ldb, float beta, float *C,
                     int ldc);

#endif
