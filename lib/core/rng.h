/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the random number generator every handle owns.
 *
 * xoshiro256** (Blackman & Vigna), seeded through splitmix64. Never rand(): results must
 * be reproducible from a seed and independent between handles and threads. Parallel work
 * takes independent streams with netshare__rng_split(), so the output depends only on the
 * seed and the partition of the work, never on thread scheduling.
 */
#ifndef NETSHARE_CORE_RNG_H
#define NETSHARE_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct netshare__rng {
	uint64_t s[4];
	double spare;     /* second normal deviate of the last polar draw */
	int has_spare;
} netshare__rng;

void netshare__rng_seed(netshare__rng *r, uint64_t seed);
/* Set the raw state (tests compare with the reference implementation). */
void netshare__rng_set_state(netshare__rng *r, const uint64_t s[4]);
uint64_t netshare__rng_next(netshare__rng *r);
/* A new generator 2^128 steps ahead of `r` (and `r` advanced past it): independent,
 * non-overlapping streams for parallel workers. */
void netshare__rng_split(netshare__rng *r, netshare__rng *child);

/* Uniform in [0, 1) with 53 random bits. */
double netshare__rng_uniform(netshare__rng *r);
/* Uniform in [0, 1) with 24 random bits (exactly representable floats). */
float netshare__rng_uniformf(netshare__rng *r);
/* Uniform integer in [0, n), unbiased; n must be > 0. */
uint64_t netshare__rng_below(netshare__rng *r, uint64_t n);
/* Standard normal deviate (Marsaglia polar method). */
double netshare__rng_normal(netshare__rng *r);
/* Fill x[0..n) with N(mean, std^2) floats. */
void netshare__rng_fill_normalf(netshare__rng *r, float *x, size_t n, float mean, float std);
/* Add N(0, std^2) noise to x[0..n): a ziggurat (rng_ziggurat.c), several times faster
 * than the polar method, for bulk noise; a different stream of deviates than
 * netshare__rng_normal's for the same state. Thread-safe for distinct r. */
void netshare__rng_add_normalf(netshare__rng *r, float *x, size_t n, double std);

#endif
