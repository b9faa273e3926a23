/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: the distance primitives of NetShare's evaluation (reference/eval.md 1.3),
 * computed as NetShare's v3 metrics define them:
 *  - JSD: Jensen-Shannon *divergence* in nats (scipy's jensenshannon squared), range
 *    [0, ln 2]; the inputs are counts or weights, normalised here; zero entries are fine.
 *  - EMD: 1-D Wasserstein-1 between two empirical distributions with equal weights
 *    (scipy.stats.wasserstein_distance), in the values' own units.
 *  - rank JSD: JSD of two popularity curves (counts sorted in descending order, the
 *    shorter padded with zeros): compares how skewed two populations are, not who they are.
 *  - Spearman's rho: Pearson correlation of average ranks.
 *  - normalised EMD: per field, 0.1 + 0.8 (v - min) / (max - min) across the methods
 *    compared (0.1 when all tie).
 */
#ifndef NETSHARE_EVAL_METRICS_H
#define NETSHARE_EVAL_METRICS_H

#include <stddef.h>

#include <netshare/common.h>

/* JSD of two weight vectors of length n (each must have a positive sum; NaN otherwise). */
double netshare__jsd(const double *p, const double *q, size_t n);

/* EMD of samples a[0..na) and b[0..nb) (both non-empty; NaN otherwise). The inputs are
 * not modified. ENOMEM is reported as NaN with the error set. */
double netshare__emd(const double *a, size_t na, const double *b, size_t nb);

/* Rank JSD of two count lists (any order; modified: sorted in place, descending). */
double netshare__rank_jsd(double *a, size_t na, double *b, size_t nb);

/* Normalised EMD of values v[0..n) (one per method) into out[0..n). */
void netshare__normalised_emd(const double *v, size_t n, double *out);

/* Spearman's rank correlation of x and y (n <= 64; ties get average ranks, as
 * scipy.stats.spearmanr); NaN for n < 2, a NaN input or a constant side. */
double netshare__spearman(const double *x, const double *y, size_t n);

#endif
