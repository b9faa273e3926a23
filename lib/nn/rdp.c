/* SPDX-License-Identifier: BSD-3-Clause */
/* RDP of the sampled Gaussian mechanism and its (epsilon, delta) conversions (rdp.h). */
#include "rdp.h"

#include <math.h>

/* Series terms below the running total by this much (in log space) end a fractional
 * order's sum, once both tails are falling; and the most terms it may take. */
#define FRAC_TAIL_LOG_GAP 30.0
#define FRAC_MAX_TERMS 1000
/* The largest noise multiplier netshare__rdp_sigma_for tries. */
#define SIGMA_SEARCH_MAX 1e4

static const double orders_grid[NETSHARE__RDP_ORDERS] = {
	1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5,
	5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
	28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49,
	50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
	128, 256, 512,
};

const double *
netshare__rdp_orders(void)
{
	return orders_grid;
}

/* log(exp(a) + exp(b)), with -INFINITY as log 0. */
static double
log_add(double a, double b)
{
	double hi = a > b ? a : b, lo = a > b ? b : a;
	return hi == -INFINITY ? hi : hi + log1p(exp(lo - hi));
}

/* log(erfc(x)), also where erfc(x) underflows: there the asymptotic series (the one
 * dp_accounting falls back to). */
static double
log_erfc(double x)
{
	if (x < 25.0)
		return log(erfc(x));
	double r = 1.0 / (x * x);
	return -x * x - log(x) - 0.5 * log(M_PI) - 0.5 * r + 0.625 * r * r -
	       37.0 / 24.0 * r * r * r + 353.0 / 64.0 * r * r * r * r;
}

/* log |C(alpha, i)| for real alpha (lgamma gives log |Gamma| of negative arguments). */
static double
log_abs_binomial(double alpha, double i)
{
	return lgamma(alpha + 1) - lgamma(i + 1) - lgamma(alpha - i + 1);
}

/* log A_alpha for integer alpha >= 2: the binomial sum, exactly. */
static double
log_a_integer(double q, double sigma, double alpha)
{
	double log_a = -INFINITY;
	for (double i = 0; i <= alpha; i++)
		log_a = log_add(log_a, log_abs_binomial(alpha, i) + i * log(q) +
		                       (alpha - i) * log1p(-q) + (i * i - i) / (2 * sigma * sigma));
	return log_a;
}

/* log A_alpha for fractional alpha: the two tails of the series, each term by its
 * absolute value (the signed sum is at most this). */
static double
log_a_fraction(double q, double sigma, double alpha)
{
	double log_a0 = -INFINITY, log_a1 = -INFINITY, prev0 = INFINITY, prev1 = INFINITY;
	double z0 = sigma * sigma * log(1 / q - 1) + 0.5;
	for (int k = 0; k < FRAC_MAX_TERMS; k++) {
		double i = k, j = alpha - i, coef = log_abs_binomial(alpha, i);
		double log_t0 = coef + i * log(q) + j * log1p(-q);
		double log_t1 = coef + j * log(q) + i * log1p(-q);
		double log_e0 = log(0.5) + log_erfc((i - z0) / (M_SQRT2 * sigma));
		double log_e1 = log(0.5) + log_erfc((z0 - j) / (M_SQRT2 * sigma));
		double s0 = log_t0 + (i * i - i) / (2 * sigma * sigma) + log_e0;
		double s1 = log_t1 + (j * j - j) / (2 * sigma * sigma) + log_e1;
		log_a0 = log_add(log_a0, s0);
		log_a1 = log_add(log_a1, s1);
		double total = log_add(log_a0, log_a1);
		if (s0 < prev0 && s1 < prev1 && (s0 > s1 ? s0 : s1) < total - FRAC_TAIL_LOG_GAP)
			return total;
		prev0 = s0;
		prev1 = s1;
	}
	return INFINITY; /* not converged: no finite bound from this order */
}

double
netshare__rdp_sgm(double q, double sigma, double alpha)
{
	if (!(q >= 0 && q <= 1) || !(sigma >= 0) || !(alpha > 1))
		return NAN;
	if (q == 0)
		return 0;
	if (sigma == 0 || isinf(alpha))
		return INFINITY;
	if (q == 1)
		return alpha / (2 * sigma * sigma);
	double log_a = alpha == floor(alpha) ? log_a_integer(q, sigma, alpha)
	                                     : log_a_fraction(q, sigma, alpha);
	return log_a / (alpha - 1);
}

void
netshare__rdp_compose(double *rdp, const double *orders, size_t n, double q, double sigma,
                      double steps)
{
	for (size_t k = 0; k < n; k++)
		rdp[k] += steps * netshare__rdp_sgm(q, sigma, orders[k]);
}

double
netshare__rdp_epsilon(const double *orders, const double *rdp, size_t n, double delta,
                      netshare__rdp_conversion how, double *order)
{
	if (!(delta > 0 && delta < 1))
		return NAN;
	double best = INFINITY, best_order = NAN, log_delta = log(delta);
	for (size_t k = 0; k < n; k++) {
		double a = orders[k], r = rdp[k], eps;
		if (!(a > 1) || isnan(r))
			continue;
		if (how == NETSHARE__RDP_CLASSIC) {
			eps = r - log_delta / (a - 1);
		} else {
			if (a <= 1.01)
				continue; /* the bound is infinite there */
			eps = r + log1p(-1 / a) - (log_delta + log(a)) / (a - 1);
			if (delta * delta + expm1(-r) > 0)
				eps = 0; /* the KL (Pinsker) bound: no privacy loss to speak of */
			eps = eps > 0 ? eps : 0;
		}
		if (eps < best) {
			best = eps;
			best_order = a;
		}
	}
	if (order)
		*order = best_order;
	return best;
}

double
netshare__rdp_plan_epsilon(const netshare__rdp_part *parts, size_t n, double sigma,
                           const double *fixed, double delta)
{
	double rdp[NETSHARE__RDP_ORDERS] = { 0 };
	for (size_t k = 0; fixed && k < NETSHARE__RDP_ORDERS; k++)
		rdp[k] = fixed[k];
	for (size_t i = 0; i < n; i++)
		if (parts[i].steps > 0)
			netshare__rdp_compose(rdp, orders_grid, NETSHARE__RDP_ORDERS, parts[i].q,
			                      sigma * parts[i].scale, parts[i].steps);
	return netshare__rdp_epsilon(orders_grid, rdp, NETSHARE__RDP_ORDERS, delta,
	                             NETSHARE__RDP_IMPROVED, NULL);
}

double
netshare__rdp_sigma_for_plan(double epsilon, double delta, const netshare__rdp_part *parts,
                             size_t n, const double *fixed)
{
	if (!(epsilon > 0) || !(delta > 0 && delta < 1))
		return NAN;
	for (size_t i = 0; i < n; i++)
		if (!(parts[i].q > 0 && parts[i].q <= 1) || !(parts[i].steps >= 0) ||
		    !(parts[i].scale > 0))
			return NAN;
	double lo = 1e-3, hi = SIGMA_SEARCH_MAX;
	if (!(netshare__rdp_plan_epsilon(parts, n, hi, fixed, delta) <= epsilon))
		return NAN;
	if (netshare__rdp_plan_epsilon(parts, n, lo, fixed, delta) <= epsilon)
		return lo;
	while (hi / lo > 1.001) {
		double mid = sqrt(lo * hi); /* bisection in log space: sigma spans decades */
		if (netshare__rdp_plan_epsilon(parts, n, mid, fixed, delta) <= epsilon)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

double
netshare__rdp_sigma_for(double epsilon, double delta, double q, double steps)
{
	if (!(steps >= 1))
		return NAN;
	netshare__rdp_part one = { q, steps, 1.0 };
	return netshare__rdp_sigma_for_plan(epsilon, delta, &one, 1, NULL);
}
