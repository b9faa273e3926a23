/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: OpenBLAS's thread count, which is process-wide, shared safely between
 * handles running at once. OpenBLAS can split a product differently for another thread
 * count and then round differently, so work whose output must not depend on what else
 * runs (sampling, the parallel chunk phase) holds a single-threaded section: while any
 * section is open OpenBLAS runs one thread, and the count requested meanwhile applies
 * when the last section closes.
 */
#ifndef NETSHARE_NN_BLAS_THREADS_H
#define NETSHARE_NN_BLAS_THREADS_H

void netshare__blas_single_begin(void);
void netshare__blas_single_end(void);

/* Set OpenBLAS's thread count (deferred while a single-threaded section is open). */
void netshare__blas_set_threads(int n);

#endif
