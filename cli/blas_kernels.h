/* SPDX-License-Identifier: BSD-3-Clause */
/* Making OpenBLAS use the CPU's vector kernels (see blas_kernels.c). */
#ifndef NETSHARE_CLI_BLAS_KERNELS_H
#define NETSHARE_CLI_BLAS_KERNELS_H

/* For programs that train or generate: unless OPENBLAS_CORETYPE or NETSHARE_KEEP_BLAS is
 * set, set OPENBLAS_CORETYPE from the CPU's features and re-execute argv once (returns
 * only if nothing needed doing or re-executing failed). */
void cli_pick_blas_kernels(char **argv);

#endif
