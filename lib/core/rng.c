/* SPDX-License-Identifier: BSD-3-Clause */
/* xoshiro256** with splitmix64 seeding; uniform, bounded and normal draws (see rng.h). */
#include "rng.h"

#include <math.h>

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
netshare__rng_seed(netshare__rng *r, uint64_t seed)
{
	/* splitmix64 never yields four zero words, the one state xoshiro must avoid. */
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
	r->has_spare = 0;
	r->spare = 0;
}

void
netshare__rng_set_state(netshare__rng *r, const uint64_t s[4])
{
	for (int i = 0; i < 4; i++)
		r->s[i] = s[i];
	r->has_spare = 0;
	r->spare = 0;
}

uint64_t
netshare__rng_next(netshare__rng *r)
{
	uint64_t *s = r->s;
	const uint64_t result = rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

void
netshare__rng_split(netshare__rng *r, netshare__rng *child)
{
	/* The reference jump polynomial for 2^128 steps. */
	static const uint64_t jump[] = { 0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
	                                 0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL };
	*child = *r;
	child->has_spare = 0;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	for (int i = 0; i < 4; i++) {
		for (int b = 0; b < 64; b++) {
			if (jump[i] & (1ULL << b)) {
				s0 ^= r->s[0];
				s1 ^= r->s[1];
				s2 ^= r->s[2];
				s3 ^= r->s[3];
			}
			netshare__rng_next(r);
		}
	}
	r->s[0] = s0;
	r->s[1] = s1;
	r->s[2] = s2;
	r->s[3] = s3;
	r->has_spare = 0;
}

double
netshare__rng_uniform(netshare__rng *r)
{
	return (double)(netshare__rng_next(r) >> 11) * 0x1.0p-53;
}

float
netshare__rng_uniformf(netshare__rng *r)
{
	return (float)(netshare__rng_next(r) >> 40) * 0x1.0p-24f;
}

uint64_t
netshare__rng_below(netshare__rng *r, uint64_t n)
{
	/* Rejection on the low end of the 64-bit range: unbiased for every n. */
	uint64_t threshold = (0 - n) % n;
	for (;;) {
		uint64_t x = netshare__rng_next(r);
		if (x >= threshold)
			return x % n;
	}
}

double
netshare__rng_normal(netshare__rng *r)
{
	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	double u, v, s;
	do {
		u = 2.0 * netshare__rng_uniform(r) - 1.0;
		v = 2.0 * netshare__rng_uniform(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	double f = sqrt(-2.0 * log(s) / s);
	r->spare = v * f;
	r->has_spare = 1;
	return u * f;
}

void
netshare__rng_fill_normalf(netshare__rng *r, float *x, size_t n, float mean, float std)
{
	for (size_t i = 0; i < n; i++)
		x[i] = mean + std * (float)netshare__rng_normal(r);
}
