/* SPDX-License-Identifier: BSD-3-Clause */
/* JSD, EMD, rank JSD and normalised EMD (see metrics.h). */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

double
netshare__jsd(const double *p, const double *q, size_t n)
{
	double sp = 0, sq = 0;
	for (size_t i = 0; i < n; i++) {
		sp += p[i];
		sq += q[i];
	}
	if (!(sp > 0) || !(sq > 0))
		return NAN;
	/* KL(x || m) terms with m = (p + q) / 2; x log(x / m) is 0 where x is 0. */
	double kl_p = 0, kl_q = 0;
	for (size_t i = 0; i < n; i++) {
		double a = p[i] / sp, b = q[i] / sq, m = (a + b) / 2;
		if (a > 0)
			kl_p += a * log(a / m);
		if (b > 0)
			kl_q += b * log(b / m);
	}
	double d = (kl_p + kl_q) / 2;
	return d < 0 ? 0 : d; /* rounding can leave -1e-17 for identical inputs */
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static int
cmp_double_desc(const void *x, const void *y)
{
	return cmp_double(y, x);
}

double
netshare__emd(const double *a, size_t na, const double *b, size_t nb)
{
	if (na == 0 || nb == 0)
		return NAN;
	double *sa = netshare__mallocarray(na, sizeof *sa), *sb = netshare__mallocarray(nb, sizeof *sb);
	if (!sa || !sb) {
		netshare__free(sa);
		netshare__free(sb);
		netshare__error_oom("EMD");
		return NAN;
	}
	memcpy(sa, a, na * sizeof *sa);
	memcpy(sb, b, nb * sizeof *sb);
	qsort(sa, na, sizeof *sa, cmp_double);
	qsort(sb, nb, sizeof *sb, cmp_double);
	/* Walk the merged values; between consecutive ones both CDFs are constant. */
	size_t i = 0, j = 0;
	double x = sa[0] < sb[0] ? sa[0] : sb[0], total = 0;
	while (i < na || j < nb) {
		double next = i < na && (j >= nb || sa[i] <= sb[j]) ? sa[i] : sb[j];
		double fa = (double)i / (double)na, fb = (double)j / (double)nb;
		total += fabs(fa - fb) * (next - x);
		x = next;
		while (i < na && sa[i] == next)
			i++;
		while (j < nb && sb[j] == next)
			j++;
	}
	netshare__free(sa);
	netshare__free(sb);
	return total;
}

double
netshare__rank_jsd(double *a, size_t na, double *b, size_t nb)
{
	qsort(a, na, sizeof *a, cmp_double_desc);
	qsort(b, nb, sizeof *b, cmp_double_desc);
	size_t n = na > nb ? na : nb;
	double *p = netshare__calloc(n ? n : 1, sizeof *p), *q = netshare__calloc(n ? n : 1, sizeof *q);
	if (!p || !q) {
		netshare__free(p);
		netshare__free(q);
		netshare__error_oom("rank JSD");
		return NAN;
	}
	memcpy(p, a, na * sizeof *p);
	memcpy(q, b, nb * sizeof *q);
	double d = netshare__jsd(p, q, n);
	netshare__free(p);
	netshare__free(q);
	return d;
}

void
netshare__normalised_emd(const double *v, size_t n, double *out)
{
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo; /* NaN compares false: left out */
		hi = v[i] > hi ? v[i] : hi;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = isnan(v[i]) ? NAN : hi > lo ? 0.1 + 0.8 * (v[i] - lo) / (hi - lo) : 0.1;
}

/* Average ranks (1-based) of v[0..n), ties sharing the mean of their ranks. */
static void
ranks(const double *v, size_t n, double *rank)
{
	for (size_t i = 0; i < n; i++) {
		size_t less = 0, equal = 0;
		for (size_t j = 0; j < n; j++) {
			less += v[j] < v[i];
			equal += v[j] == v[i];
		}
		rank[i] = (double)less + (double)(equal + 1) / 2;
	}
}

double
netshare__spearman(const double *x, const double *y, size_t n)
{
	if (n < 2 || n > 64)
		return NAN;
	for (size_t i = 0; i < n; i++)
		if (isnan(x[i]) || isnan(y[i]))
			return NAN;
	double rx[64], ry[64], mx = 0, my = 0;
	ranks(x, n, rx);
	ranks(y, n, ry);
	for (size_t i = 0; i < n; i++) {
		mx += rx[i] / (double)n;
		my += ry[i] / (double)n;
	}
	double sxy = 0, sxx = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		sxy += (rx[i] - mx) * (ry[i] - my);
		sxx += (rx[i] - mx) * (rx[i] - mx);
		syy += (ry[i] - my) * (ry[i] - my);
	}
	return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}
