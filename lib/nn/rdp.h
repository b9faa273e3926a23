/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: Rényi-DP accounting of the sampled Gaussian mechanism (Mironov, Talwar and
 * Zhang 2019) and its conversion to (epsilon, delta). Definitions, the two conversions
 * and the test vectors: reference/eval.md section 5; docs/DEVELOPING.md ("Differential
 * privacy") says which choices this file makes and why.
 *
 * Every function is pure (no state, no allocation) and thread-safe.
 */
#ifndef NETSHARE_NN_RDP_H
#define NETSHARE_NN_RDP_H

#include <stddef.h>

/* RDP at order alpha (> 1, may be INFINITY) of one step of the sampled Gaussian
 * mechanism: each record in the batch with probability q (0..1), Gaussian noise of
 * sigma times the sensitivity. +INFINITY when unbounded (sigma 0, alpha infinite);
 * NAN for parameters outside those ranges. Integer orders use the exact binomial sum;
 * fractional ones the two-sided series with every term added by its absolute value
 * (dp_accounting's conservative form, an upper bound on the signed sum). */
double netshare__rdp_sgm(double q, double sigma, double alpha);

/* rdp[k] += steps * netshare__rdp_sgm(q, sigma, orders[k]) for k < n: composing
 * `steps` steps of one mechanism with what rdp already holds. */
void netshare__rdp_compose(double *rdp, const double *orders, size_t n, double q, double sigma,
                           double steps);

/* How an RDP curve becomes (epsilon, delta). */
typedef enum netshare__rdp_conversion {
	/* Mironov 2017, Prop. 3 (tf-privacy <= 0.8, NetShare's published numbers). */
	NETSHARE__RDP_CLASSIC,
	/* Balle et al. 2020, Thm 21 (Opacus, dp_accounting): tighter. */
	NETSHARE__RDP_IMPROVED
} netshare__rdp_conversion;

/* The smallest epsilon over the orders for this delta (0 < delta < 1); *order (if not
 * NULL) gets the order that gives it. Orders <= 1 and NAN values are skipped; +INFINITY
 * if no order gives a finite value, NAN for a bad delta. */
double netshare__rdp_epsilon(const double *orders, const double *rdp, size_t n, double delta,
                             netshare__rdp_conversion how, double *order);

/* The smallest noise multiplier sigma (within 0.1 %) for which `steps` steps of the
 * sampled Gaussian mechanism at rate q reach at most epsilon at delta on the library's
 * grid (improved conversion), by bisection (epsilon falls as sigma grows). NAN for bad
 * arguments (epsilon <= 0, q outside (0, 1], delta outside (0, 1), steps < 1) or if
 * even sigma = 1e4 does not reach it. */
double netshare__rdp_sigma_for(double epsilon, double delta, double q, double steps);

/* One part of a privacy plan: `steps` steps of the sampled Gaussian mechanism at rate q
 * whose noise multiplier is `scale` times the plan's sigma (a part with sensitivity s
 * and noise sigma per coordinate has scale 1 / s). */
typedef struct netshare__rdp_part {
	double q, steps, scale;
} netshare__rdp_part;

/* Epsilon at delta (improved conversion, the library's grid) of every part at noise
 * multiplier sigma composed with `fixed`, the RDP curve of the other releases on that
 * grid (NULL: none). */
double netshare__rdp_plan_epsilon(const netshare__rdp_part *parts, size_t n, double sigma,
                                  const double *fixed, double delta);

/* The smallest sigma (within 0.1 %) for which that composition reaches at most epsilon,
 * by bisection in log sigma; NAN for bad arguments (a part's q outside (0, 1], steps
 * < 0 or scale <= 0) or if even sigma = 1e4 does not reach it (say, `fixed` alone
 * exceeds epsilon). */
double netshare__rdp_sigma_for_plan(double epsilon, double delta, const netshare__rdp_part *parts,
                                    size_t n, const double *fixed);

/* The order grid the library accounts over (tf-privacy's, which NetShare used, with
 * orders up to 512): NETSHARE__RDP_ORDERS orders, ascending. A function, not an
 * exported array: the library exports no data. */
#define NETSHARE__RDP_ORDERS 72
const double *netshare__rdp_orders(void);

#endif
