/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RDP accountant against the published values of reference/eval.md section 5.6
 * (Opacus, dp_accounting and tf-privacy test files), to the precision they are given,
 * and its edge cases.
 */
#include <math.h>

#include "../test-common.h"
#include "nn/rdp.h"

/* Relative closeness: |x - want| <= rel * |want|. */
#define ck_assert_rel(x, want, rel)                                                       \
	ck_assert_msg(fabs((x) - (want)) <= (rel) * fabs(want), "%s = %.10g, want %.10g",    \
	              #x, (double)(x), (double)(want))

/* compute_rdp(q = 0.01, sigma = 2.5, steps = 50): the integer orders as every
 * implementation gives them; the fractional ones as dp_accounting's test file (the
 * conservative series this accountant uses; Opacus's signed sum is a little lower). */
START_TEST(sampled_gaussian_rdp)
{
	const double orders[] = { 1.5, 2.5, 5, 50, 100, INFINITY };
	const double want[] = { 6.70579741e-4, 1.08548710e-3, 2.18075656e-3, 2.38460375e-2,
		                1.67416308e+2, INFINITY };
	double rdp[6] = { 0 };
	netshare__rdp_compose(rdp, orders, 6, 0.01, 2.5, 50);
	for (int k = 0; k < 5; k++)
		ck_assert_rel(rdp[k], want[k], 1e-8);
	ck_assert(isinf(rdp[5]) && rdp[5] > 0);
	/* Opacus's signed sum at 1.5 is 6.50070897e-4: ours is the upper bound. */
	ck_assert_double_gt(rdp[0], 6.50070897e-4);
}
END_TEST

/* Orders 2..32, compute_rdp(0.01, 4, 10000), delta 1e-5: classic 1.2585747 at 20 (the
 * tf-privacy test), improved 1.0354901 at 17. */
START_TEST(conversions)
{
	double orders[31], rdp[31] = { 0 }, at;
	for (int k = 0; k < 31; k++)
		orders[k] = 2 + k;
	netshare__rdp_compose(rdp, orders, 31, 0.01, 4, 10000);
	ck_assert_rel(netshare__rdp_epsilon(orders, rdp, 31, 1e-5, NETSHARE__RDP_CLASSIC, &at),
	              1.2585747, 1e-7);
	ck_assert_double_eq(at, 20);
	ck_assert_rel(netshare__rdp_epsilon(orders, rdp, 31, 1e-5, NETSHARE__RDP_IMPROVED, &at),
	              1.0354901, 1e-7);
	ck_assert_double_eq(at, 17);
	/* dp_accounting's pure-DP test: RDP 1.1 at every order 2..32, delta 1e-5. */
	for (int k = 0; k < 31; k++)
		rdp[k] = 1.1;
	ck_assert_rel(netshare__rdp_epsilon(orders, rdp, 31, 1e-5, NETSHARE__RDP_IMPROVED, &at),
	              1.32783806176, 1e-10);
	ck_assert_double_eq(at, 32);
}
END_TEST

/* DP-SGD with the tf-privacy order grid (the library's): q = b/N, steps =
 * ceil(epochs N / b). */
START_TEST(dp_sgd_on_the_library_grid)
{
	const struct { double n, b, sigma, epochs, delta, classic, classic_at, improved; } v[] = {
		{ 60000, 150, 1.3, 15, 1e-5, 0.941870567, 19, 0.724223403 },
		{ 100000, 100, 1.0, 30, 1e-7, 1.70928734, 13, 1.41549885 },
		{ 1e8, 1024, 0.1, 10, 1e-7, 5907984.8134, 1.25, 5907982.3114 },
	};
	for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) {
		double rdp[NETSHARE__RDP_ORDERS] = { 0 }, at;
		double steps = ceil(v[t].epochs * v[t].n / v[t].b);
		netshare__rdp_compose(rdp, netshare__rdp_orders(), NETSHARE__RDP_ORDERS,
		                      v[t].b / v[t].n, v[t].sigma, steps);
		double c = netshare__rdp_epsilon(netshare__rdp_orders(), rdp, NETSHARE__RDP_ORDERS,
		                                 v[t].delta, NETSHARE__RDP_CLASSIC, &at);
		ck_assert_rel(c, v[t].classic, 1e-8);
		ck_assert_double_eq(at, v[t].classic_at);
		double i = netshare__rdp_epsilon(netshare__rdp_orders(), rdp, NETSHARE__RDP_ORDERS,
		                                 v[t].delta, NETSHARE__RDP_IMPROVED, &at);
		ck_assert_rel(i, v[t].improved, 1e-8);
		ck_assert_double_eq(at, v[t].classic_at);
	}
}
END_TEST

/* Composition of two mechanisms (tf-privacy's test): (q 1e-4, sigma 0.4, 40000 steps)
 * then (q 0.1, sigma 2, 100 steps), delta 1e-5: classic 8.509656 and improved 7.38797,
 * both at order 2.5, with the signed series at that fractional order; ours (absolute
 * terms) may only be higher, and by little. Composition is the sum of the parts. And
 * Opacus's docstring example: 0.336 at 23 (orders 2..32). */
START_TEST(composition)
{
	const double orders[] = { 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16,
		                  20, 24, 28, 32, 64, 256 };
	enum { N = sizeof orders / sizeof orders[0] };
	double rdp[N] = { 0 }, first[N] = { 0 }, second[N] = { 0 }, at;
	netshare__rdp_compose(rdp, orders, N, 1e-4, 0.4, 40000);
	netshare__rdp_compose(rdp, orders, N, 0.1, 2, 100);
	netshare__rdp_compose(first, orders, N, 1e-4, 0.4, 40000);
	netshare__rdp_compose(second, orders, N, 0.1, 2, 100);
	for (int k = 0; k < N; k++)
		ck_assert_double_eq(rdp[k], first[k] + second[k]);
	double c = netshare__rdp_epsilon(orders, rdp, N, 1e-5, NETSHARE__RDP_CLASSIC, &at);
	ck_assert(c >= 8.509656 && c <= 8.509656 * 1.001);
	ck_assert_double_eq(at, 2.5);
	double i = netshare__rdp_epsilon(orders, rdp, N, 1e-5, NETSHARE__RDP_IMPROVED, &at);
	ck_assert(i >= 7.38797 && i <= 7.38797 * 1.001);
	ck_assert_double_eq(at, 2.5);
	double o2[31], r2[31] = { 0 };
	for (int k = 0; k < 31; k++)
		o2[k] = 2 + k;
	netshare__rdp_compose(r2, o2, 31, 1e-5, 1, 10);
	netshare__rdp_compose(r2, o2, 31, 1e-4, 3, 4);
	ck_assert_rel(netshare__rdp_epsilon(o2, r2, 31, 1e-5, NETSHARE__RDP_IMPROVED, &at),
	              0.33634, 1e-4);
	ck_assert_double_eq(at, 23);
}
END_TEST

/* The plain Gaussian (q = 1) has RDP alpha / (2 sigma^2); q = 0 costs nothing; sigma 0
 * is unbounded; bad parameters are NAN, not a number that looks like a guarantee. */
START_TEST(edge_cases)
{
	ck_assert_double_eq(netshare__rdp_sgm(1, 2, 3), 3.0 / 8);
	ck_assert_double_eq(netshare__rdp_sgm(0, 2, 3), 0);
	ck_assert(isinf(netshare__rdp_sgm(0.1, 0, 3)));
	ck_assert(isinf(netshare__rdp_sgm(0.1, 1, INFINITY)));
	ck_assert(isnan(netshare__rdp_sgm(-0.1, 1, 3)));
	ck_assert(isnan(netshare__rdp_sgm(1.5, 1, 3)));
	ck_assert(isnan(netshare__rdp_sgm(0.1, -1, 3)));
	ck_assert(isnan(netshare__rdp_sgm(0.1, 1, 1)));
	ck_assert(isnan(netshare__rdp_sgm(0.1, 1, NAN)));
	/* A sampled mechanism costs less than the unsampled one, more with more steps, and
	 * less with more noise. */
	for (double a = 1.5; a < 100; a *= 1.7) {
		double r = netshare__rdp_sgm(0.01, 1, a);
		ck_assert_double_lt(r, netshare__rdp_sgm(1, 1, a));
		ck_assert_double_gt(r, netshare__rdp_sgm(0.01, 2, a));
		ck_assert_double_gt(netshare__rdp_sgm(0.02, 1, a), r);
	}
	double orders[] = { 2, 4 }, rdp[] = { 1, 1 };
	ck_assert(isnan(netshare__rdp_epsilon(orders, rdp, 2, 0, NETSHARE__RDP_CLASSIC, NULL)));
	ck_assert(isnan(netshare__rdp_epsilon(orders, rdp, 2, 1, NETSHARE__RDP_CLASSIC, NULL)));
	double inf[] = { INFINITY, INFINITY }, at = 0;
	ck_assert(isinf(netshare__rdp_epsilon(orders, inf, 2, 1e-5, NETSHARE__RDP_IMPROVED, &at)));
	ck_assert(isnan(at));
	/* The Gaussian mechanism: sigma 4.530877117 gives epsilon 1 at delta 1e-6 under the
	 * improved conversion on a dense grid (dp_accounting's test). */
	static double dense[99001], dr[99001];
	size_t m = 0;
	for (int k = 1; k <= 99000; k++) {
		dense[m] = 1.0 + k * 0.001;
		dr[m] = netshare__rdp_sgm(1, 4.530877117, dense[m]);
		m++;
	}
	ck_assert_rel(netshare__rdp_epsilon(dense, dr, m, 1e-6, NETSHARE__RDP_IMPROVED, NULL),
	              1.0, 1e-6);
}
END_TEST

/* The noise search: the sigma found reaches the target, 0.1 % less does not; more
 * steps or a higher rate need more noise; impossible and bad requests are NAN. */
START_TEST(sigma_search)
{
	const double eps[] = { 1, 4, 10 };
	for (int k = 0; k < 3; k++) {
		double s = netshare__rdp_sigma_for(eps[k], 1e-5, 0.01, 5000);
		ck_assert(isfinite(s) && s > 0);
		double rdp[NETSHARE__RDP_ORDERS] = { 0 }, lower[NETSHARE__RDP_ORDERS] = { 0 };
		const double *o = netshare__rdp_orders();
		netshare__rdp_compose(rdp, o, NETSHARE__RDP_ORDERS, 0.01, s, 5000);
		netshare__rdp_compose(lower, o, NETSHARE__RDP_ORDERS, 0.01, s / 1.002, 5000);
		ck_assert_double_le(netshare__rdp_epsilon(o, rdp, NETSHARE__RDP_ORDERS, 1e-5,
		                                          NETSHARE__RDP_IMPROVED, NULL), eps[k]);
		ck_assert_double_gt(netshare__rdp_epsilon(o, lower, NETSHARE__RDP_ORDERS, 1e-5,
		                                          NETSHARE__RDP_IMPROVED, NULL), eps[k]);
		ck_assert_double_gt(netshare__rdp_sigma_for(eps[k], 1e-5, 0.01, 20000), s);
		ck_assert_double_gt(netshare__rdp_sigma_for(eps[k], 1e-5, 0.05, 5000), s);
	}
	ck_assert(isnan(netshare__rdp_sigma_for(0, 1e-5, 0.01, 100)));
	ck_assert(isnan(netshare__rdp_sigma_for(1, 0, 0.01, 100)));
	ck_assert(isnan(netshare__rdp_sigma_for(1, 1e-5, 0, 100)));
	ck_assert(isnan(netshare__rdp_sigma_for(1, 1e-5, 0.01, 0)));
	ck_assert(isnan(netshare__rdp_sigma_for(1e-9, 1e-5, 1, 1e9)));
}
END_TEST

NETSHARE_TEST_MAIN("nn-rdp",
	sampled_gaussian_rdp,
	conversions,
	dp_sgd_on_the_library_grid,
	composition,
	edge_cases,
	sigma_search)
