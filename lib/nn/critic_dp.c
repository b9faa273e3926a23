/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-example gradient norms of a critic step's loss, for DP-SGD (critic_dp.h), without
 * per-example weight gradients: each layer's per-example gradient is a sum of rank-1
 * terms delta (x) a, one per pass (fake, real, penalty), so its squared Frobenius norm
 * is sum_pq (delta_p . delta_q)(a_p . a_q) (DESIGN.md section 6).
 */
#include "critic_dp.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

static double
dot(const float *a, const float *b, int n)
{
	double s = 0;
	for (int k = 0; k < n; k++)
		s += (double)a[k] * b[k];
	return s;
}

/* Zero the entries of rows x rows (n wide) where the activation h is not positive. */
static void
mask(float *x, const float *h, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!(h[k] > 0))
			x[k] = 0.0f;
}

/* The squared norm of sum_p d[p] (x) a[p] over three passes. */
static double
rank1_sum_norm2(const float *const d[3], int dn, const float *const a[3], int an)
{
	double s = 0;
	for (int p = 0; p < 3; p++)
		for (int q = p; q < 3; q++)
			s += (p == q ? 1.0 : 2.0) * dot(d[p], d[q], dn) * dot(a[p], a[q], an);
	return s;
}

netshare_status
netshare__critic_example_norms(netshare__critic *c, const float *x, int batch, float s_fake,
                               float s_real, double lambda, double *norm2)
{
	int L = c->layers, U = c->units, IN = c->in, B = batch;
	if (3 * B > c->max_batch)
		return netshare__error(NETSHARE_EINVAL, "critic norms: 3 x %d rows, room for %d",
		                       B, c->max_batch);
	/* d[l]: deltas of the fake and real rows (2B x U); gd[l]: the penalty's deltas
	 * (B x U); ga[l]: the penalty's forward-mode vectors at layer l's input (B x in_l),
	 * ga[L] at the output layer's. */
	float *d[NETSHARE__CRITIC_MAX_LAYERS], *gd[NETSHARE__CRITIC_MAX_LAYERS];
	float *ga[NETSHARE__CRITIC_MAX_LAYERS + 1];
	memset(d, 0, sizeof d);
	memset(gd, 0, sizeof gd);
	memset(ga, 0, sizeof ga);
	netshare_status st = NETSHARE_OK;
	for (int l = 0; l < L && st == NETSHARE_OK; l++) {
		d[l] = netshare__mallocarray((size_t)2 * B * U, sizeof(float));
		gd[l] = netshare__mallocarray((size_t)B * U, sizeof(float));
		ga[l] = netshare__mallocarray((size_t)B * (l ? U : IN), sizeof(float));
		if (!d[l] || !gd[l] || !ga[l])
			st = netshare__error_oom("critic norms");
	}
	if (st == NETSHARE_OK && !(ga[L] = netshare__mallocarray((size_t)B * U, sizeof(float))))
		st = netshare__error_oom("critic norms");
	if (st < 0)
		goto done;

	/* Fake and real rows: backpropagate their score weights s_fake, s_real. */
	for (int r = 0; r < 2 * B; r++)
		for (int j = 0; j < U; j++)
			d[L - 1][(size_t)r * U + j] = (r < B ? s_fake : s_real) * c->out.w[j];
	mask(d[L - 1], c->h[L - 1], (size_t)2 * B * U);
	for (int l = L - 2; l >= 0; l--) {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2 * B, U, U, 1.0f, d[l + 1], U,
		            c->hidden[l + 1].w, U, 0.0f, d[l], U);
		mask(d[l], c->h[l], (size_t)2 * B * U);
	}
	/* The penalty's rows [2B, 3B): as netshare__critic_penalty_rows, keeping each
	 * layer's deltas and forward-mode vectors. */
	const float *hg[NETSHARE__CRITIC_MAX_LAYERS] = { 0 };
	for (int l = 0; l < L; l++)
		hg[l] = c->h[l] + (size_t)2 * B * U;
	for (int b = 0; b < B; b++)
		memcpy(gd[L - 1] + (size_t)b * U, c->out.w, (size_t)U * sizeof(float));
	mask(gd[L - 1], hg[L - 1], (size_t)B * U);
	for (int l = L - 2; l >= 0; l--) {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, U, U, 1.0f, gd[l + 1], U,
		            c->hidden[l + 1].w, U, 0.0f, gd[l], U);
		mask(gd[l], hg[l], (size_t)B * U);
	}
	float *g = ga[0];
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, IN, U, 1.0f, gd[0], U,
	            c->hidden[0].w, IN, 0.0f, g, IN);
	for (int b = 0; b < B; b++) {
		float *gb = g + (size_t)b * IN;
		double n = sqrt(dot(gb, gb, IN) + 1e-8);
		float scale = (float)(lambda * 2.0 / B * (n - 1) / n);
		for (int k = 0; k < IN; k++)
			gb[k] *= scale;
	}
	for (int l = 0; l < L; l++) {
		int in_l = l ? U : IN;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, U, in_l, 1.0f, ga[l], in_l,
		            c->hidden[l].w, in_l, 0.0f, ga[l + 1], U);
		mask(ga[l + 1], hg[l], (size_t)B * U);
	}

	/* Per example b: rows b (fake), B + b (real), 2B + b (interpolate). */
	for (int b = 0; b < B; b++) {
		double s = 0;
		for (int l = 0; l < L; l++) {
			int in_l = l ? U : IN;
			const float *in = l ? c->h[l - 1] : x;
			const float *dp[3] = { d[l] + (size_t)b * U, d[l] + (size_t)(B + b) * U,
				               gd[l] + (size_t)b * U };
			const float *ap[3] = { in + (size_t)b * in_l, in + (size_t)(B + b) * in_l,
				               ga[l] + (size_t)b * in_l };
			s += rank1_sum_norm2(dp, U, ap, in_l);
			for (int j = 0; j < U; j++) { /* the bias: fake and real passes only */
				double v = (double)dp[0][j] + dp[1][j];
				s += v * v;
			}
		}
		/* Output layer: weights s_f h_f + s_r h_r + a_L; bias s_f + s_r. */
		const float *hf = c->h[L - 1] + (size_t)b * U, *hr = c->h[L - 1] + (size_t)(B + b) * U;
		const float *aL = ga[L] + (size_t)b * U;
		for (int j = 0; j < U; j++) {
			double v = (double)s_fake * hf[j] + (double)s_real * hr[j] + aL[j];
			s += v * v;
		}
		s += ((double)s_fake + s_real) * ((double)s_fake + s_real);
		norm2[b] = s;
	}
done:
	for (int l = 0; l <= L; l++) {
		if (l < L) {
			netshare__free(d[l]);
			netshare__free(gd[l]);
		}
		netshare__free(ga[l]);
	}
	return st;
}

netshare_status
netshare__critic_dp_gradient(netshare__critic *c, const float *x, int batch, float s_fake,
                             float s_real, double lambda, double clip, double noise_std,
                             netshare__rng *rng, int *clipped, double *penalty)
{
	int B = batch, n_clipped = 0;
	double *norm2 = netshare__mallocarray((size_t)B, sizeof *norm2);
	double *weight = netshare__mallocarray((size_t)B, sizeof *weight);
	float *dscore = netshare__mallocarray((size_t)2 * B, sizeof *dscore);
	netshare_status st = !norm2 || !weight || !dscore ? netshare__error_oom("DP gradient")
	                                                   : NETSHARE_OK;
	if (st == NETSHARE_OK)
		st = netshare__critic_example_norms(c, x, B, s_fake, s_real, lambda, norm2);
	if (st == NETSHARE_OK) {
		/* Given the activations each example's gradient is linear in its score weights
		 * and its penalty vector, so weighting those clips it inside the usual products. */
		for (int b = 0; b < B; b++) {
			double norm = sqrt(norm2[b]);
			weight[b] = norm > clip ? clip / norm : 1.0;
			n_clipped += norm > clip;
			dscore[b] = (float)(s_fake * weight[b]);
			dscore[B + b] = (float)(s_real * weight[b]);
		}
		netshare__critic_zero_grad(c);
		netshare__critic_backward(c, x, dscore, 2 * B, NULL);
		double gp = netshare__critic_penalty_rows(c, 2 * B, B, lambda, weight);
		if (penalty)
			*penalty = gp;
		for (int l = 0; l < c->layers; l++) {
			netshare__rng_add_normalf(rng, c->hidden[l].dw,
			                          (size_t)c->hidden[l].in * c->hidden[l].out, noise_std);
			netshare__rng_add_normalf(rng, c->hidden[l].db, (size_t)c->hidden[l].out, noise_std);
		}
		netshare__rng_add_normalf(rng, c->out.dw, (size_t)c->out.in, noise_std);
		netshare__rng_add_normalf(rng, c->out.db, 1, noise_std);
	}
	if (clipped)
		*clipped = n_clipped;
	netshare__free(norm2);
	netshare__free(weight);
	netshare__free(dscore);
	return st;
}
