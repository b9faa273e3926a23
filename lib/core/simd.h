/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: NETSHARE__ELEMENTWISE marks a hot elementwise loop to be compiled for
 * AVX-512, AVX2 and baseline x86-64, the best picked when the library loads (an ifunc),
 * since Debian builds for baseline x86-64 (SSE2). Only for loops whose result does not
 * depend on the vector width: no floating-point reduction, and no contraction into FMA
 * (ISO C mode, -std=c11, has -ffp-contract=off), so every variant gives the same bits.
 */
#ifndef NETSHARE_CORE_SIMD_H
#define NETSHARE_CORE_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
#define NETSHARE__ELEMENTWISE __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NETSHARE__ELEMENTWISE
#endif

#endif
