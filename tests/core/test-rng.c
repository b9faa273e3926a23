/* SPDX-License-Identifier: BSD-3-Clause */
/* The RNG: reference outputs, determinism, streams and the moments of each draw. */
#include <math.h>

#include "../test-common.h"
#include "core/rng.h"

#define N_DRAWS 1000000

/* Golden values from an independent Python implementation of xoshiro256**, splitmix64
 * and the 2^128 jump (Blackman & Vigna's reference code transcribed). */
START_TEST(matches_reference_xoshiro256starstar)
{
	netshare__rng r;
	const uint64_t state[4] = { 1, 2, 3, 4 };
	const uint64_t expect[] = { 0x2d00, 0x0, 0x5a007080, 0x10e0000000009d80,
	                            0x10e0b61ce1009d80, 0x870021ce143ad00 };
	netshare__rng_set_state(&r, state);
	for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
		ck_assert_uint_eq(netshare__rng_next(&r), expect[i]);

	netshare__rng_seed(&r, 42);
	ck_assert_uint_eq(r.s[0], 0xbdd732262feb6e95ULL);
	ck_assert_uint_eq(r.s[3], 0x581ce1ff0e4ae394ULL);
	ck_assert_uint_eq(netshare__rng_next(&r), 0x15780b2e0c2ec716ULL);
	ck_assert_uint_eq(netshare__rng_next(&r), 0x6104d9866d113a7eULL);
}
END_TEST

START_TEST(split_jumps_2_pow_128)
{
	netshare__rng r, child;
	const uint64_t state[4] = { 1, 2, 3, 4 };
	netshare__rng_set_state(&r, state);
	netshare__rng_split(&r, &child);
	/* The child continues the parent's old stream; the parent jumped ahead. */
	ck_assert_uint_eq(netshare__rng_next(&child), 0x2d00);
	ck_assert_uint_eq(r.s[0], 0x8c7a153956b5f3d1ULL);
	ck_assert_uint_eq(r.s[3], 0x8386b786c4408050ULL);
	ck_assert_uint_eq(netshare__rng_next(&r), 0xbbd2f312298443d8ULL);
}
END_TEST

START_TEST(same_seed_same_stream)
{
	netshare__rng a, b, c;
	netshare__rng_seed(&a, 12345);
	netshare__rng_seed(&b, 12345);
	netshare__rng_seed(&c, 12346);
	int differ = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = netshare__rng_next(&a);
		ck_assert_uint_eq(x, netshare__rng_next(&b));
		differ += x != netshare__rng_next(&c);
	}
	ck_assert_int_ge(differ, 999);
	/* Normal draws, with their cached spare, are deterministic too. */
	for (int i = 0; i < 101; i++)
		ck_assert(netshare__rng_normal(&a) == netshare__rng_normal(&b));
}
END_TEST

START_TEST(uniform_moments)
{
	netshare__rng r;
	netshare__rng_seed(&r, 1);
	double sum = 0, sum2 = 0, sumf = 0;
	for (int i = 0; i < N_DRAWS; i++) {
		double u = netshare__rng_uniform(&r);
		float f = netshare__rng_uniformf(&r);
		ck_assert(u >= 0.0 && u < 1.0);
		ck_assert(f >= 0.0f && f < 1.0f);
		sum += u;
		sum2 += u * u;
		sumf += f;
	}
	double mean = sum / N_DRAWS, var = sum2 / N_DRAWS - mean * mean;
	/* Standard errors: mean 2.9e-4, variance 7.5e-5; tolerances are about 7 of them. */
	ck_assert_double_eq_tol(mean, 0.5, 0.002);
	ck_assert_double_eq_tol(var, 1.0 / 12.0, 0.0005);
	ck_assert_double_eq_tol(sumf / N_DRAWS, 0.5, 0.002);
}
END_TEST

START_TEST(normal_moments)
{
	netshare__rng r;
	netshare__rng_seed(&r, 2);
	double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
	for (int i = 0; i < N_DRAWS; i++) {
		double x = netshare__rng_normal(&r);
		s1 += x;
		s2 += x * x;
		s3 += x * x * x;
		s4 += x * x * x * x;
	}
	double mean = s1 / N_DRAWS, var = s2 / N_DRAWS - mean * mean;
	/* Standard errors: mean 1e-3, variance 1.4e-3, skewness 2.4e-3, kurtosis 4.9e-3. */
	ck_assert_double_eq_tol(mean, 0.0, 0.007);
	ck_assert_double_eq_tol(var, 1.0, 0.01);
	ck_assert_double_eq_tol(s3 / N_DRAWS, 0.0, 0.02);
	ck_assert_double_eq_tol(s4 / N_DRAWS, 3.0, 0.04);
}
END_TEST

START_TEST(fill_normalf_scales)
{
	netshare__rng r;
	netshare__rng_seed(&r, 3);
	enum { N = 200000 };
	float *x = malloc(N * sizeof *x);
	netshare__rng_fill_normalf(&r, x, N, 5.0f, 0.5f);
	double s1 = 0, s2 = 0;
	for (int i = 0; i < N; i++) {
		s1 += x[i];
		s2 += (double)x[i] * x[i];
	}
	double mean = s1 / N, var = s2 / N - mean * mean;
	free(x);
	ck_assert_double_eq_tol(mean, 5.0, 0.01);
	ck_assert_double_eq_tol(var, 0.25, 0.01);
}
END_TEST

START_TEST(below_is_in_range_and_uniform)
{
	netshare__rng r;
	netshare__rng_seed(&r, 4);
	enum { K = 10 };
	long count[K] = { 0 };
	for (int i = 0; i < N_DRAWS; i++) {
		uint64_t x = netshare__rng_below(&r, K);
		ck_assert_uint_lt(x, K);
		count[x]++;
	}
	/* Chi-square with 9 degrees of freedom: P(X > 27.9) = 0.001. */
	double chi2 = 0, e = N_DRAWS / (double)K;
	for (int k = 0; k < K; k++)
		chi2 += (count[k] - e) * (count[k] - e) / e;
	ck_assert_double_lt(chi2, 27.9);
	ck_assert_uint_eq(netshare__rng_below(&r, 1), 0);
	/* A bound that is not a power of two near 2^64 still terminates and stays below. */
	uint64_t big = (UINT64_MAX / 3) * 2;
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_lt(netshare__rng_below(&r, big), big);
}
END_TEST

static int
by_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/*
 * The ziggurat's deviates are standard normal: the Kolmogorov-Smirnov distance to the
 * normal CDF over 2M draws is below the 0.1 % critical value (1.95 / sqrt(n)), the
 * moments are right, and the tail beyond the last layer (|x| > 3.4426, drawn by its
 * own branch) has its share 5.76e-4 within five standard errors. The scale and the
 * sum with what x held are checked too.
 */
START_TEST(ziggurat_is_normal)
{
	enum { N = 2000000 };
	netshare__rng r;
	netshare__rng_seed(&r, 5);
	float *x = calloc(N, sizeof *x);
	ck_assert_ptr_nonnull(x);
	netshare__rng_add_normalf(&r, x, N, 1.0);
	const double R = 3.442619855899;
	double s1 = 0, s2 = 0, s4 = 0, excess = 0, excess2 = 0;
	long tail = 0;
	for (int i = 0; i < N; i++) {
		s1 += x[i];
		s2 += (double)x[i] * x[i];
		s4 += (double)x[i] * x[i] * x[i] * x[i];
		if (fabs(x[i]) > R) {
			tail++;
			excess += fabs(x[i]) - R;
			excess2 += (fabs(x[i]) - R) * (fabs(x[i]) - R);
		}
	}
	/* The tail's shape: E[X - R | X > R] = phi(R) / (1 - Phi(R)) - R. */
	double want_excess = exp(-R * R / 2) / sqrt(2 * M_PI) / (0.5 * erfc(R / sqrt(2.0))) - R;
	double mean_excess = excess / tail;
	double se = sqrt((excess2 / tail - mean_excess * mean_excess) / tail);
	ck_assert_double_le(fabs(mean_excess - want_excess), 5 * se);
	ck_assert_double_eq_tol(s1 / N, 0.0, 0.003);
	ck_assert_double_eq_tol(s2 / N, 1.0, 0.005);
	ck_assert_double_eq_tol(s4 / N, 3.0, 0.03);
	double p_tail = erfc(R / sqrt(2.0));
	ck_assert_double_le(fabs(tail - N * p_tail), 5 * sqrt(N * p_tail));
	qsort(x, N, sizeof *x, by_float);
	double ks = 0;
	for (int i = 0; i < N; i++) {
		double cdf = 0.5 * erfc(-x[i] / sqrt(2.0));
		double d = fmax(fabs(cdf - (double)i / N), fabs(cdf - (double)(i + 1) / N));
		ks = d > ks ? d : ks;
	}
	ck_assert_double_lt(ks, 1.95 / sqrt((double)N));
	/* Added to what x holds, scaled by std. */
	float y[4] = { 10, 10, 10, 10 };
	netshare__rng_seed(&r, 6);
	netshare__rng_add_normalf(&r, y, 4, 0.0);
	for (int i = 0; i < 4; i++)
		ck_assert_float_eq(y[i], 10.0f);
	free(x);
}
END_TEST

NETSHARE_TEST_MAIN("core-rng",
	matches_reference_xoshiro256starstar,
	split_jumps_2_pow_128,
	same_seed_same_stream,
	uniform_moments,
	normal_moments,
	fill_normalf_scales,
	below_is_in_range_and_uniform,
	ziggurat_is_normal)
