/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: OpenBLAS's thread count, which is process-wide, shared safely between
 * handles running at once. OpenBLAS can split a product differently for another thread
 * count and then round differently, so work whose output must not depend on what else
 * runs (training, sampling) holds a single-threaded section and parallelises at our
 * level: while any section is open OpenBLAS runs one thread; the count the application
 * had applies again when the last section closes.
 */
#ifndef NETSHARE_NN_BLAS_THREADS_H
#define NETSHARE_NN_BLAS_THREADS_H

#include <netshare/common.h>

void netshare__blas_single_begin(void);
void netshare__blas_single_end(void);

/*
 * Before work in which `callers` threads of ours run matrix products at once (plus
 * OpenBLAS's own threads outside a single-threaded section): ENOMEM, naming `what`,
 * if the process's address-space limit (RLIMIT_AS, `ulimit -v`) leaves no room for the
 * buffer OpenBLAS maps for each of them. OpenBLAS 0.3.21 retries a failed buffer
 * mapping forever, so without this check a limited process spins with no output.
 * Buffers OpenBLAS already holds (it keeps them for reuse) are not counted again.
 */
netshare_status netshare__blas_reserve(unsigned callers, const char *what);

#endif
