/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Metric primitives against the reference test vectors of reference/eval.md 1.7 (values
 * computed with scipy there), identities (0 for identical inputs, ln 2 for disjoint
 * supports), and an EMD brute-force cross-check by integrating |F_a - F_b| on a grid.
 */
#include <math.h>

#include "../test-common.h"
#include "core/rng.h"
#include "eval/metrics.h"
#include <netshare/eval.h>

START_TEST(reference_vectors)
{
	double a[] = { 0, 1, 3 }, b[] = { 5, 6, 8 };
	ck_assert_double_eq_tol(netshare__emd(a, 3, b, 3), 5.0, 1e-12);
	double c[] = { 3.4, 3.9, 7.5, 7.8 }, d[] = { 4.5, 1.4 };
	ck_assert_double_eq_tol(netshare__emd(c, 4, d, 2), 2.7, 1e-12);
	double p1[] = { 1, 0 }, q1[] = { 0, 1 };
	ck_assert_double_eq_tol(netshare__jsd(p1, q1, 2), log(2.0), 1e-15);
	double p2[] = { .5, .3, .2 }, q2[] = { .4, .4, .2 };
	ck_assert_double_eq_tol(netshare__jsd(p2, q2, 3), 0.006367198, 1e-9);
	ck_assert_double_eq_tol(sqrt(netshare__jsd(p2, q2, 3)), 0.079794726, 1e-9);
	double r[] = { 3, 5, 2 }, s[] = { 4, 6 };
	ck_assert_double_eq_tol(netshare__rank_jsd(r, 3, s, 2), 0.075174263, 1e-9);
}
END_TEST

START_TEST(identities_and_edge_cases)
{
	double x[] = { 4, 1, 1, 9 };
	ck_assert_double_eq(netshare__jsd(x, x, 4), 0.0);
	ck_assert_double_eq(netshare__emd(x, 4, x, 4), 0.0);
	double y[] = { 8, 2, 2, 18 }; /* proportional: same distribution */
	ck_assert_double_eq_tol(netshare__jsd(x, y, 4), 0.0, 1e-15);
	double z[] = { 0, 0, 0, 0 };
	ck_assert(isnan(netshare__jsd(x, z, 4)));
	ck_assert(isnan(netshare__emd(x, 4, x, 0)));
	/* Shifting every value by c moves the EMD by exactly |c|. */
	double sh[4];
	for (int i = 0; i < 4; i++)
		sh[i] = x[i] + 2.5;
	ck_assert_double_eq_tol(netshare__emd(x, 4, sh, 4), 2.5, 1e-12);
	double v[] = { 3, 7, 5 }, out[3];
	netshare__normalised_emd(v, 3, out);
	ck_assert_double_eq_tol(out[0], 0.1, 1e-15);
	ck_assert_double_eq_tol(out[1], 0.9, 1e-15);
	ck_assert_double_eq_tol(out[2], 0.5, 1e-15);
	double tie[] = { 2, 2 };
	netshare__normalised_emd(tie, 2, out);
	ck_assert_double_eq(out[0], 0.1);
	ck_assert_double_eq(out[1], 0.1);
	/* A trace without the value stays NaN and does not set the range. */
	double gap[] = { 4, NAN, 6 };
	ck_assert_ok(netshare_normalised_emd(gap, 3, out));
	ck_assert_double_eq_tol(out[0], 0.1, 1e-15);
	ck_assert(isnan(out[1]));
	ck_assert_double_eq_tol(out[2], 0.9, 1e-15);
	ck_assert_status(netshare_normalised_emd(NULL, 2, out), NETSHARE_EINVAL);
}
END_TEST

/* Spearman's rho against values of scipy.stats.spearmanr (computed by hand here: with n
 * items and no ties, 1 - 6 sum d^2 / (n (n^2 - 1))). */
START_TEST(spearman_rank_correlation)
{
	double a[] = { 0.1, 0.4, 0.2, 0.9 }, b[] = { 1, 3, 2, 4 }, c[] = { 4, 2, 3, 1 };
	ck_assert_double_eq_tol(netshare__spearman(a, b, 4), 1.0, 1e-15);
	ck_assert_double_eq_tol(netshare__spearman(a, c, 4), -1.0, 1e-15);
	double d[] = { 2, 1, 4, 3 }; /* ranks 2 1 4 3 vs 1 3 2 4: sum d^2 = 1+4+4+1 = 10 */
	ck_assert_double_eq_tol(netshare__spearman(d, a, 4), 1 - 6.0 * 10 / (4 * 15), 1e-15);
	/* Ties: spearmanr([1,2,2,3],[1,2,3,4]) = 0.9486832980505138. */
	double t[] = { 1, 2, 2, 3 }, u[] = { 1, 2, 3, 4 };
	ck_assert_double_eq_tol(netshare__spearman(t, u, 4), 0.9486832980505138, 1e-12);
	double k[] = { 5, 5, 5, 5 };
	ck_assert(isnan(netshare__spearman(k, u, 4)));
	ck_assert(isnan(netshare__spearman(u, u, 1)));
}
END_TEST

START_TEST(emd_matches_cdf_integration)
{
	netshare__rng g;
	netshare__rng_seed(&g, 31);
	enum { NA = 300, NB = 170 };
	double a[NA], b[NB];
	for (int i = 0; i < NA; i++)
		a[i] = (double)netshare__rng_below(&g, 50);       /* many ties */
	for (int i = 0; i < NB; i++)
		b[i] = 10 + 3 * netshare__rng_normal(&g);
	/* Integer grid plus the real-valued points: integrate |F_a - F_b| exactly between
	 * the sorted union of all sample values. */
	double all[NA + NB];
	memcpy(all, a, sizeof a);
	memcpy(all + NA, b, sizeof b);
	for (int i = 1; i < NA + NB; i++) /* insertion sort */
		for (int j = i; j > 0 && all[j - 1] > all[j]; j--) {
			double t = all[j];
			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	double want = 0;
	for (int k = 0; k + 1 < NA + NB; k++) {
		double x = all[k], fa = 0, fb = 0;
		for (int i = 0; i < NA; i++)
			fa += a[i] <= x;
		for (int i = 0; i < NB; i++)
			fb += b[i] <= x;
		want += fabs(fa / NA - fb / NB) * (all[k + 1] - x);
	}
	ck_assert_double_eq_tol(netshare__emd(a, NA, b, NB), want, 1e-9 * want);
}
END_TEST

NETSHARE_TEST_MAIN("eval-metrics",
	reference_vectors,
	identities_and_edge_cases,
	spearman_rank_correlation,
	emd_matches_cdf_integration)
