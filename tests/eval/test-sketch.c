/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The four sketches on a constructed stream with known heavy hitters: estimates within
 * each sketch's guarantee, NitroSketch unbiased once it samples and equal to Count Sketch
 * before, determinism of the seeds, and the heavy-hitter error summary.
 */
#include <math.h>
#include <stdlib.h>

#include "../test-common.h"
#include "core/rng.h"
#include "eval/sketch.h"

enum { HEAVY = 10, PER_HEAVY = 2000, TAIL_KEYS = 60000, PER_TAIL = 3 };
#define N_STREAM ((size_t)HEAVY * PER_HEAVY + (size_t)TAIL_KEYS * PER_TAIL)

/* 10 heavy keys of 1 % each and 60,000 keys of 3 packets, shuffled. */
static uint64_t *
stream(void)
{
	uint64_t *k = malloc(N_STREAM * sizeof *k);
	ck_assert_ptr_nonnull(k);
	size_t n = 0;
	for (int h = 0; h < HEAVY; h++)
		for (int i = 0; i < PER_HEAVY; i++)
			k[n++] = 0xabc0000 + (uint64_t)h;
	for (int t = 0; t < TAIL_KEYS; t++)
		for (int i = 0; i < PER_TAIL; i++)
			k[n++] = 0x1000000000ULL + (uint64_t)t * 7919;
	netshare__rng g;
	netshare__rng_seed(&g, 4);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)netshare__rng_below(&g, i + 1);
		uint64_t x = k[i];
		k[i] = k[j];
		k[j] = x;
	}
	return k;
}

START_TEST(estimates_within_guarantees)
{
	uint64_t *k = stream(), q[HEAVY];
	for (int h = 0; h < HEAVY; h++)
		q[h] = 0xabc0000 + (uint64_t)h;
	double est[NETSHARE__SKETCHES][HEAVY];
	double N = (double)N_STREAM, w = NETSHARE__SKETCH_WIDTH;
	/* ||f||_2 of the stream. */
	double l2 = sqrt(HEAVY * (double)PER_HEAVY * PER_HEAVY + TAIL_KEYS * (double)PER_TAIL * PER_TAIL);
	for (int s = 0; s < NETSHARE__SKETCHES; s++)
		ck_assert_ok(netshare__sketch_estimate(s, NETSHARE__SKETCH_DEPTH, NETSHARE__SKETCH_WIDTH,
		                                       77, k, NULL, N_STREAM, q, HEAVY, est[s]));
	for (int h = 0; h < HEAVY; h++) {
		/* Count-Min never underestimates, and overestimates by at most e N / w (each
		 * row with probability >= 1 - 1/e; all five rows failing is ~0.7 %). */
		ck_assert_double_ge(est[NETSHARE__SKETCH_CMS][h], PER_HEAVY);
		ck_assert_double_le(est[NETSHARE__SKETCH_CMS][h] - PER_HEAVY, M_E * N / w);
		/* Count Sketch: |error| <= 3 ||f||_2 / sqrt(w) (a row's error has standard
		 * deviation <= ||f||_2 / sqrt(w); the median of 5 is within 3 of them). */
		ck_assert_double_le(fabs(est[NETSHARE__SKETCH_CS][h] - PER_HEAVY), 3 * l2 / sqrt(w));
		/* UnivMon's level-0 sketch is a Count Sketch; the recursion adds the errors of
		 * the deeper (smaller) levels, each at most doubling: a looser bound. */
		ck_assert_double_le(fabs(est[NETSHARE__SKETCH_UNIVMON][h] - PER_HEAVY), 0.5 * PER_HEAVY);
		/* NitroSketch samples row updates at p = 1/8: variance grows by about 1/p. */
		ck_assert_double_le(fabs(est[NETSHARE__SKETCH_NITRO][h] - PER_HEAVY),
		                    3 * l2 / sqrt(w * NETSHARE__SKETCH_NITRO_P));
	}
	free(k);
}
END_TEST

START_TEST(nitro_is_unbiased_and_equals_cs_before_sampling)
{
	uint64_t *k = stream(), q = 0xabc0003;
	double sum = 0, est;
	for (int seed = 0; seed < 40; seed++) {
		ck_assert_ok(netshare__sketch_estimate(NETSHARE__SKETCH_NITRO, 5, 1000, 1000 + seed, k,
		                                       NULL, N_STREAM, &q, 1, &est));
		sum += est;
	}
	/* The mean of 40 estimates is within 5 % of the truth. */
	ck_assert_double_le(fabs(sum / 40 - PER_HEAVY), 0.05 * PER_HEAVY);
	/* A short stream never reaches the sampling threshold: exactly a Count Sketch. */
	double a[HEAVY], b[HEAVY];
	uint64_t qs[HEAVY];
	for (int h = 0; h < HEAVY; h++)
		qs[h] = k[h];
	ck_assert_ok(netshare__sketch_estimate(NETSHARE__SKETCH_NITRO, 5, 1000, 9, k, NULL, 3000,
	                                       qs, HEAVY, a));
	ck_assert_ok(netshare__sketch_estimate(NETSHARE__SKETCH_CS, 5, 1000, 9, k, NULL, 3000, qs,
	                                       HEAVY, b));
	ck_assert_mem_eq(a, b, sizeof a);
	free(k);
}
END_TEST

START_TEST(heavy_hitter_errors_are_deterministic)
{
	uint64_t *k = stream();
	double e1[NETSHARE__SKETCHES], e2[NETSHARE__SKETCHES], e3[NETSHARE__SKETCHES];
	ck_assert_ok(netshare__sketch_hh_errors(k, NULL, N_STREAM, 1e-3, 5, e1));
	ck_assert_ok(netshare__sketch_hh_errors(k, NULL, N_STREAM, 1e-3, 5, e2));
	ck_assert_ok(netshare__sketch_hh_errors(k, NULL, N_STREAM, 1e-3, 6, e3));
	ck_assert_mem_eq(e1, e2, sizeof e1);
	int differ = 0;
	for (int s = 0; s < NETSHARE__SKETCHES; s++) {
		ck_assert(e1[s] >= 0 && e1[s] < 0.5);
		differ |= e1[s] != e3[s];
	}
	ck_assert(differ);
	/* Count-Min overestimates by at most e N / w per heavy hitter (N / w = 200 here). */
	ck_assert_double_le(e1[NETSHARE__SKETCH_CMS], M_E * (double)N_STREAM / 1000 / PER_HEAVY);
	/* Weighted updates: the same stream as weights of 1 gives the same errors. */
	double *w = malloc(N_STREAM * sizeof *w);
	for (size_t i = 0; i < N_STREAM; i++)
		w[i] = 1;
	ck_assert_ok(netshare__sketch_hh_errors(k, w, N_STREAM, 1e-3, 5, e2));
	ck_assert_mem_eq(e1, e2, sizeof e1);
	/* No heavy hitter at all: NaN. */
	ck_assert_ok(netshare__sketch_hh_errors(k, NULL, N_STREAM, 0.5, 5, e2));
	ck_assert(isnan(e2[0]));
	free(w);
	free(k);
}
END_TEST

NETSHARE_TEST_MAIN("eval-sketch",
	estimates_within_guarantees,
	nitro_is_unbiased_and_equals_cs_before_sampling,
	heavy_hitter_errors_are_deterministic)
