/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-example gradient norms of a critic step's loss, for DP-SGD (critic_dp.h), without
 * per-example weight gradients: each layer's per-example gradient is a sum of rank-1
 * terms delta (x) a, one per pass (fake, real, penalty), so its squared Frobenius norm
 * is sum_pq (delta_p . delta_q)(a_p . a_q) (DESIGN.md section 6). The clipped sum then
 * comes from the same deltas, each example's rows weighted by its clip factor. A front's
 * gradient is a sum over the records (critic.h), made explicitly per example.
 */
#include "critic_dp.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "activation.h"
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

/* Inputs of hidden layer l (the first reads the front's output when there is one). */
static int
in_of(const netshare__critic *c, int l)
{
	return l ? c->units : c->in0;
}

/* What hidden layer l read in the last forward pass. */
static const float *
input_of(const netshare__critic *c, const float *x, int l)
{
	return l ? c->h[l - 1] : c->steps ? c->xe : x;
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

/* What one critic step's examples leave behind: per layer the deltas of the fake and
 * real rows (2B x U), the penalty's deltas (B x U) and its forward-mode vectors at the
 * layer's input (B x in_l; ga[L] at the output layer's), and the penalty value. */
typedef struct passes {
	int B;
	float *d[NETSHARE__CRITIC_MAX_LAYERS], *gd[NETSHARE__CRITIC_MAX_LAYERS];
	float *ga[NETSHARE__CRITIC_MAX_LAYERS + 1];
	/* A front's gradients, made explicitly per example (each is a sum over the records,
	 * not rank 1): fe B x embed x step_in, fb B x embed. */
	float *fe, *fb;
	double penalty;
} passes;

static void
passes_free(passes *w)
{
	for (int l = 0; l <= NETSHARE__CRITIC_MAX_LAYERS; l++) {
		if (l < NETSHARE__CRITIC_MAX_LAYERS) {
			netshare__free(w->d[l]);
			netshare__free(w->gd[l]);
		}
		netshare__free(w->ga[l]);
	}
	netshare__free(w->fe);
	netshare__free(w->fb);
	memset(w, 0, sizeof *w);
}

/* A front's per-example gradients (into w->fe, w->fb): for example b, the fake and real
 * rows' gradients at the front's output (d_0 W_0, the groups' part) times their groups
 * of x, plus the penalty's g'^T u over the groups (critic.h); the bias gets the fake
 * and real rows' only. `gp` is g' = gd_0 W_0 (B x in0), `u` dGP/dx (B x in). */
static netshare_status
front_passes(const netshare__critic *c, const float *x, const float *gp, const float *u,
             passes *w)
{
	int B = w->B, U = c->units, S = c->steps, k = c->step_in, e = c->front.out;
	int IN = c->in, IN0 = c->in0;
	float *dy = netshare__mallocarray((size_t)2 * B * IN0, sizeof *dy);
	w->fe = netshare__calloc((size_t)B * e * k, sizeof *w->fe);
	w->fb = netshare__calloc((size_t)B * e, sizeof *w->fb);
	if (!dy || !w->fe || !w->fb) {
		netshare__free(dy);
		return netshare__error_oom("critic norms");
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2 * B, IN0, U, 1.0f, w->d[0], U,
	            c->hidden[0].w, IN0, 0.0f, dy, IN0);
	for (int b = 0; b < B; b++) {
		float *fe = w->fe + (size_t)b * e * k, *fb = w->fb + (size_t)b * e;
		for (int r = b; r < 2 * B; r += B) {
			const float *dr = dy + (size_t)r * IN0;
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, e, k, S, 1.0f, dr, e,
			            x + (size_t)r * IN, k, 1.0f, fe, k);
			for (int s = 0; s < S; s++)
				for (int m = 0; m < e; m++)
					fb[m] += dr[(size_t)s * e + m];
		}
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, e, k, S, 1.0f,
		            gp + (size_t)b * IN0, e, u + (size_t)b * IN, k, 1.0f, fe, k);
	}
	netshare__free(dy);
	return NETSHARE_OK;
}

/* Rows of batch x in0 at hidden[0]'s input <-> rows of batch x in at the critic's (the
 * front's P and P^T without its bias, one example at a time). */
static void
front_map(const netshare__critic *c, const float *from, int batch, float *to, int transpose)
{
	int S = c->steps, k = c->step_in, e = c->front.out, rest = c->in - S * k;
	int wide = transpose ? c->in0 : c->in, narrow = transpose ? c->in : c->in0;
	for (int b = 0; b < batch; b++) {
		const float *f = from + (size_t)b * wide;
		float *t = to + (size_t)b * narrow;
		if (transpose) /* g = g' E on each group */
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, S, k, e, 1.0f, f, e,
			            c->front.w, k, 0.0f, t, k);
		else /* a = u E^T on each group */
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, S, e, k, 1.0f, f, k,
			            c->front.w, k, 0.0f, t, e);
		memcpy(t + (size_t)S * (transpose ? k : e), f + (size_t)S * (transpose ? e : k),
		       (size_t)rest * sizeof *t);
	}
}

/* The three passes' chains after a forward on x (3B rows), as netshare__critic_backward
 * and netshare__critic_penalty_rows compute them, kept instead of consumed. */
static netshare_status
run_passes(const netshare__critic *c, const float *x, int batch, float s_fake, float s_real,
           double gp_weight, passes *w)
{
	int L = c->layers, U = c->units, IN = c->in, IN0 = c->in0, B = batch;
	memset(w, 0, sizeof *w);
	w->B = B;
	if (3 * B > c->max_batch)
		return netshare__error(NETSHARE_EINVAL, "critic norms: 3 x %d rows, room for %d",
		                       B, c->max_batch);
	for (int l = 0; l < L; l++) {
		w->d[l] = netshare__mallocarray((size_t)2 * B * U, sizeof(float));
		w->gd[l] = netshare__mallocarray((size_t)B * U, sizeof(float));
		w->ga[l] = netshare__mallocarray((size_t)B * in_of(c, l), sizeof(float));
		if (!w->d[l] || !w->gd[l] || !w->ga[l])
			return netshare__error_oom("critic norms");
	}
	if (!(w->ga[L] = netshare__mallocarray((size_t)B * U, sizeof(float))))
		return netshare__error_oom("critic norms");
	float **d = w->d, **gd = w->gd, **ga = w->ga;

	/* Fake and real rows: backpropagate their score weights s_fake, s_real. */
	for (int r = 0; r < 2 * B; r++)
		for (int j = 0; j < U; j++)
			d[L - 1][(size_t)r * U + j] = (r < B ? s_fake : s_real) * c->out.w[j];
	netshare__relu_backward(c->h[L - 1], d[L - 1], (size_t)2 * B * U);
	for (int l = L - 2; l >= 0; l--) {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2 * B, U, U, 1.0f, d[l + 1], U,
		            c->hidden[l + 1].w, U, 0.0f, d[l], U);
		netshare__relu_backward(c->h[l], d[l], (size_t)2 * B * U);
	}
	/* The penalty's rows [2B, 3B). */
	const float *hg[NETSHARE__CRITIC_MAX_LAYERS] = { 0 };
	for (int l = 0; l < L; l++)
		hg[l] = c->h[l] + (size_t)2 * B * U;
	for (int b = 0; b < B; b++)
		memcpy(gd[L - 1] + (size_t)b * U, c->out.w, (size_t)U * sizeof(float));
	netshare__relu_backward(hg[L - 1], gd[L - 1], (size_t)B * U);
	for (int l = L - 2; l >= 0; l--) {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, U, U, 1.0f, gd[l + 1], U,
		            c->hidden[l + 1].w, U, 0.0f, gd[l], U);
		netshare__relu_backward(hg[l], gd[l], (size_t)B * U);
	}
	/* g = grad_x D (through the front's P^T: g' = gd_0 W_0 kept for its gradient) */
	float *gprime = NULL, *g = ga[0];
	if (c->steps) {
		gprime = netshare__mallocarray((size_t)B * IN0, sizeof *gprime);
		g = netshare__mallocarray((size_t)B * IN, sizeof *g);
		if (!gprime || !g) {
			netshare__free(gprime);
			netshare__free(g);
			return netshare__error_oom("critic norms");
		}
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, IN0, U, 1.0f, gd[0], U,
	            c->hidden[0].w, IN0, 0.0f, c->steps ? gprime : g, IN0);
	if (c->steps)
		front_map(c, gprime, B, g, 1);
	double gp = 0;
	for (int b = 0; b < B; b++) {
		float *gb = g + (size_t)b * IN;
		double n = sqrt(dot(gb, gb, IN) + 1e-8);
		gp += (n - 1) * (n - 1);
		float scale = (float)(gp_weight * 2.0 * (n - 1) / n);
		for (int k = 0; k < IN; k++)
			gb[k] *= scale;
	}
	w->penalty = gp_weight * gp;
	if (c->steps) { /* a_0 = P u; the front's own per-example gradients */
		front_map(c, g, B, ga[0], 0);
		netshare_status st = front_passes(c, x, gprime, g, w);
		netshare__free(gprime);
		netshare__free(g);
		if (st < 0)
			return st;
	}
	for (int l = 0; l < L; l++) {
		int in_l = in_of(c, l);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, U, in_l, 1.0f, ga[l], in_l,
		            c->hidden[l].w, in_l, 0.0f, ga[l + 1], U);
		netshare__relu_backward(hg[l], ga[l + 1], (size_t)B * U);
	}
	return NETSHARE_OK;
}

/* Each example's squared gradient norm from the passes. */
static void
norms_of(const netshare__critic *c, const float *x, float s_fake, float s_real,
         const passes *w, double *norm2)
{
	int L = c->layers, U = c->units, B = w->B;
	for (int b = 0; b < B; b++) {
		double s = 0;
		for (int l = 0; l < L; l++) {
			int in_l = in_of(c, l);
			const float *in = input_of(c, x, l);
			const float *dp[3] = { w->d[l] + (size_t)b * U, w->d[l] + (size_t)(B + b) * U,
				               w->gd[l] + (size_t)b * U };
			const float *ap[3] = { in + (size_t)b * in_l, in + (size_t)(B + b) * in_l,
				               w->ga[l] + (size_t)b * in_l };
			s += rank1_sum_norm2(dp, U, ap, in_l);
			for (int j = 0; j < U; j++) { /* the bias: fake and real passes only */
				double v = (double)dp[0][j] + dp[1][j];
				s += v * v;
			}
		}
		/* Output layer: weights s_f h_f + s_r h_r + a_L; bias s_f + s_r. */
		const float *hf = c->h[L - 1] + (size_t)b * U, *hr = c->h[L - 1] + (size_t)(B + b) * U;
		const float *aL = w->ga[L] + (size_t)b * U;
		for (int j = 0; j < U; j++) {
			double v = (double)s_fake * hf[j] + (double)s_real * hr[j] + aL[j];
			s += v * v;
		}
		s += ((double)s_fake + s_real) * ((double)s_fake + s_real);
		if (c->steps) {
			int e = c->front.out, k = c->step_in;
			s += dot(w->fe + (size_t)b * e * k, w->fe + (size_t)b * e * k, e * k) +
			     dot(w->fb + (size_t)b * e, w->fb + (size_t)b * e, e);
		}
		norm2[b] = s;
	}
}

netshare_status
netshare__critic_example_norms(netshare__critic *c, const float *x, int batch, float s_fake,
                               float s_real, double gp_weight, double *norm2)
{
	passes w;
	netshare_status st = run_passes(c, x, batch, s_fake, s_real, gp_weight, &w);
	if (st == NETSHARE_OK)
		norms_of(c, x, s_fake, s_real, &w, norm2);
	passes_free(&w);
	return st;
}

/* Scale rows [0, n) of x (dim wide) by weight[r % period]. */
static void
scale_rows(float *x, size_t n, size_t dim, const double *weight, size_t period)
{
	for (size_t r = 0; r < n; r++)
		for (size_t k = 0; k < dim; k++)
			x[r * dim + k] *= (float)weight[r % period];
}

netshare_status
netshare__critic_dp_accumulate(netshare__critic *c, const float *x, int batch, float s_fake,
                               float s_real, double gp_weight, double clip, int *clipped,
                               double *penalty)
{
	int L = c->layers, U = c->units, B = batch, n_clipped = 0;
	passes w;
	memset(&w, 0, sizeof w);
	double *norm2 = netshare__mallocarray((size_t)B, sizeof *norm2);
	double *weight = netshare__mallocarray((size_t)B, sizeof *weight);
	netshare_status st = !norm2 || !weight ? netshare__error_oom("DP gradient") :
	                     run_passes(c, x, B, s_fake, s_real, gp_weight, &w);
	if (st == NETSHARE_OK) {
		norms_of(c, x, s_fake, s_real, &w, norm2);
		for (int b = 0; b < B; b++) {
			double norm = sqrt(norm2[b]);
			weight[b] = norm > clip ? clip / norm : 1.0;
			n_clipped += norm > clip;
		}
		/* Each example's gradient is a sum of its rows' rank-1 terms: weighting its
		 * deltas clips it, and the products below sum the clipped gradients. */
		for (int l = 0; l < L; l++) {
			int in_l = in_of(c, l);
			const float *in = input_of(c, x, l);
			netshare__dense *d = &c->hidden[l];
			scale_rows(w.d[l], (size_t)2 * B, (size_t)U, weight, (size_t)B);
			scale_rows(w.gd[l], (size_t)B, (size_t)U, weight, (size_t)B);
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, U, in_l, 2 * B, 1.0f, w.d[l], U,
			            in, in_l, 1.0f, d->dw, in_l);
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, U, in_l, B, 1.0f, w.gd[l], U,
			            w.ga[l], in_l, 1.0f, d->dw, in_l);
			for (int r = 0; r < 2 * B; r++)
				for (int j = 0; j < U; j++)
					d->db[j] += w.d[l][(size_t)r * U + j];
		}
		for (int b = 0; b < B; b++) {
			const float *hf = c->h[L - 1] + (size_t)b * U;
			const float *hr = c->h[L - 1] + (size_t)(B + b) * U;
			const float *aL = w.ga[L] + (size_t)b * U;
			for (int j = 0; j < U; j++)
				c->out.dw[j] += (float)(weight[b] * ((double)s_fake * hf[j] +
				                                     (double)s_real * hr[j] + aL[j]));
			c->out.db[0] += (float)(weight[b] * ((double)s_fake + s_real));
		}
		for (int b = 0; c->steps && b < B; b++) {
			size_t ek = (size_t)c->front.out * c->step_in;
			for (size_t k = 0; k < ek; k++)
				c->front.dw[k] += (float)(weight[b] * w.fe[b * ek + k]);
			for (int m = 0; m < c->front.out; m++)
				c->front.db[m] += (float)(weight[b] * w.fb[(size_t)b * c->front.out + m]);
		}
		if (penalty)
			*penalty = w.penalty;
	}
	if (clipped)
		*clipped = n_clipped;
	passes_free(&w);
	netshare__free(norm2);
	netshare__free(weight);
	return st;
}

void
netshare__critic_add_noise(netshare__critic *c, double std, netshare__rng *rng)
{
	for (int l = 0; l < c->layers; l++) {
		netshare__rng_add_normalf(rng, c->hidden[l].dw, (size_t)in_of(c, l) * c->units, std);
		netshare__rng_add_normalf(rng, c->hidden[l].db, (size_t)c->units, std);
	}
	netshare__rng_add_normalf(rng, c->out.dw, (size_t)c->units, std);
	netshare__rng_add_normalf(rng, c->out.db, 1, std);
	if (c->steps) {
		netshare__rng_add_normalf(rng, c->front.dw, (size_t)c->front.out * c->step_in, std);
		netshare__rng_add_normalf(rng, c->front.db, (size_t)c->front.out, std);
	}
}
