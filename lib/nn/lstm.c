/* SPDX-License-Identifier: BSD-3-Clause */
/* One-layer LSTM forward and backpropagation through time (see lstm.h). */
#include "lstm.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/simd.h"
#include "activation.h"
#include "dense.h"
#include "init.h"

netshare_status
netshare__lstm_init(netshare__lstm *l, int in, int hidden)
{
	memset(l, 0, sizeof *l);
	if (in < 1 || hidden < 1)
		return netshare__error(NETSHARE_EINVAL, "LSTM %d -> %d: sizes must be >= 1", in,
		                       hidden);
	l->in = in;
	l->hidden = hidden;
	size_t g = 4 * (size_t)hidden;
	float **bufs[] = { &l->w_ih, &l->dw_ih, &l->w_hh, &l->dw_hh };
	size_t sizes[] = { g * in, g * in, g * hidden, g * hidden };
	for (int i = 0; i < 4; i++)
		if (!(*bufs[i] = netshare__calloc(sizes[i], sizeof(float))))
			goto oom;
	if (!(l->b_ih = netshare__calloc(g, sizeof(float))) ||
	    !(l->b_hh = netshare__calloc(g, sizeof(float))) ||
	    !(l->db_ih = netshare__calloc(g, sizeof(float))) ||
	    !(l->db_hh = netshare__calloc(g, sizeof(float))))
		goto oom;
	return NETSHARE_OK;
oom:
	netshare__lstm_free(l);
	return netshare__error_oom("LSTM");
}

void
netshare__lstm_free(netshare__lstm *l)
{
	float *bufs[] = { l->w_ih, l->w_hh, l->b_ih, l->b_hh, l->dw_ih, l->dw_hh, l->db_ih, l->db_hh };
	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		netshare__free(bufs[i]);
	memset(l, 0, sizeof *l);
}

void
netshare__lstm_zero_grad(netshare__lstm *l)
{
	size_t g = 4 * (size_t)l->hidden;
	memset(l->dw_ih, 0, g * l->in * sizeof(float));
	memset(l->dw_hh, 0, g * l->hidden * sizeof(float));
	memset(l->db_ih, 0, g * sizeof(float));
	memset(l->db_hh, 0, g * sizeof(float));
}

netshare_status
netshare__lstm_init_weights(netshare__lstm *l, netshare__rng *r)
{
	/* Xavier on the input weights, as a dense layer of 4H outputs would get. */
	netshare__dense view = { .in = l->in, .out = 4 * l->hidden, .w = l->w_ih, .b = l->b_ih };
	netshare__dense_init_xavier(&view, r);
	netshare_status st = netshare__init_orthogonal(l->w_hh, 4 * l->hidden, l->hidden, r);
	memset(l->b_ih, 0, 4 * (size_t)l->hidden * sizeof(float));
	memset(l->b_hh, 0, 4 * (size_t)l->hidden * sizeof(float));
	for (int j = 0; j < l->hidden; j++)
		l->b_ih[l->hidden + j] = 1.0f; /* forget gate: remember by default */
	return st;
}

netshare_status
netshare__lstm_cache_init(netshare__lstm_cache *c, const netshare__lstm *l, int steps, int batch)
{
	memset(c, 0, sizeof *c);
	c->steps = steps;
	c->batch = batch;
	size_t bh = (size_t)batch * l->hidden, s = (size_t)steps;
	c->gates = netshare__mallocarray(s * 4 * bh, sizeof(float));
	c->da = netshare__mallocarray(s * 4 * bh, sizeof(float));
	c->c = netshare__mallocarray((s + 1) * bh, sizeof(float));
	c->h = netshare__mallocarray((s + 1) * bh, sizeof(float));
	c->tc = netshare__mallocarray(s * bh, sizeof(float));
	c->dh_next = netshare__mallocarray(bh, sizeof(float));
	c->dc_next = netshare__mallocarray(bh, sizeof(float));
	if (!c->gates || !c->da || !c->c || !c->h || !c->tc || !c->dh_next || !c->dc_next) {
		netshare__lstm_cache_free(c);
		return netshare__error_oom("LSTM activations");
	}
	return NETSHARE_OK;
}

void
netshare__lstm_cache_free(netshare__lstm_cache *c)
{
	netshare__free(c->gates);
	netshare__free(c->da);
	netshare__free(c->c);
	netshare__free(c->h);
	netshare__free(c->tc);
	netshare__free(c->dh_next);
	netshare__free(c->dc_next);
	memset(c, 0, sizeof *c);
}

/* One cell: gate pre-activations ab[4H] (replaced by the activations), previous cell
 * state cp -> cell state cn, tanh(cn) tc, output hn. */
NETSHARE__ELEMENTWISE static void
cell(int H, float *restrict ab, const float *restrict cp, float *restrict cn,
     float *restrict tc, float *restrict hn)
{
	for (int j = 0; j < H; j++) {
		float i = netshare__sigmoidf(ab[j]), f = netshare__sigmoidf(ab[H + j]);
		float g = netshare__tanhf(ab[2 * H + j]), o = netshare__sigmoidf(ab[3 * H + j]);
		ab[j] = i;
		ab[H + j] = f;
		ab[2 * H + j] = g;
		ab[3 * H + j] = o;
		cn[j] = f * cp[j] + i * g;
		tc[j] = netshare__tanhf(cn[j]);
		hn[j] = o * tc[j];
	}
}

/* The recurrence over S steps, given every step's input projection in k->gates. */
static void
recur(const netshare__lstm *l, const float *h0, const float *c0, netshare__lstm_cache *k)
{
	int S = k->steps, B = k->batch, H = l->hidden, G = 4 * H;
	size_t bh = (size_t)B * H;
	memcpy(k->h, h0, bh * sizeof(float));
	memcpy(k->c, c0, bh * sizeof(float));
	for (int t = 0; t < S; t++) {
		float *a = k->gates + (size_t)t * B * G;
		const float *hp = k->h + (size_t)t * bh, *cp = k->c + (size_t)t * bh;
		float *hn = k->h + (size_t)(t + 1) * bh, *cn = k->c + (size_t)(t + 1) * bh;
		float *tc = k->tc + (size_t)t * bh;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, G, H, 1.0f, hp, H, l->w_hh, H,
		            1.0f, a, G);
		for (int b = 0; b < B; b++) {
			size_t q = (size_t)b * H;
			cell(H, a + (size_t)b * G, cp + q, cn + q, tc + q, hn + q);
		}
	}
}

void
netshare__lstm_forward(const netshare__lstm *l, const float *x, const float *h0,
                       const float *c0, netshare__lstm_cache *k)
{
	int S = k->steps, B = k->batch, G = 4 * l->hidden;
	/* All steps' input projections at once: gates[S*B x 4H] = x W_ih^T + b_ih + b_hh. */
	for (size_t r = 0; r < (size_t)S * B; r++)
		for (int j = 0; j < G; j++)
			k->gates[r * G + j] = l->b_ih[j] + l->b_hh[j];
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, S * B, G, l->in, 1.0f, x, l->in,
	            l->w_ih, l->in, 1.0f, k->gates, G);
	recur(l, h0, c0, k);
}

void
netshare__lstm_project_held(const netshare__lstm *l, const float *held, int n_held,
                            const float *x, netshare__lstm_cache *k)
{
	int S = k->steps, B = k->batch, G = 4 * l->hidden, rest = l->in - n_held;
	size_t bg = (size_t)B * G;
	/* Step 0: biases + held W_held^T; copied to every step; then each step's own part. */
	for (size_t r = 0; r < (size_t)B; r++)
		for (int j = 0; j < G; j++)
			k->gates[r * G + j] = l->b_ih[j] + l->b_hh[j];
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, G, n_held, 1.0f, held, n_held,
	            l->w_ih, l->in, 1.0f, k->gates, G);
	for (int t = 1; t < S; t++)
		memcpy(k->gates + (size_t)t * bg, k->gates, bg * sizeof(float));
	if (rest > 0)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, S * B, G, rest, 1.0f, x, rest,
		            l->w_ih + n_held, l->in, 1.0f, k->gates, G);
}

void
netshare__lstm_forward_held(const netshare__lstm *l, const float *held, int n_held,
                            const float *x, const float *h0, const float *c0,
                            netshare__lstm_cache *k)
{
	netshare__lstm_project_held(l, held, n_held, x, k);
	recur(l, h0, c0, k);
}

void
netshare__lstm_step_rows(const netshare__lstm *l, netshare__lstm_cache *k, int t,
                         const float *h0, const float *c0, const uint32_t *rows, size_t n)
{
	int B = k->batch, H = l->hidden, G = 4 * H;
	size_t bh = (size_t)B * H;
	const float *hp = t ? k->h + (size_t)t * bh : h0, *cp = t ? k->c + (size_t)t * bh : c0;
	float *hn = k->h + (size_t)(t + 1) * bh, *cn = k->c + (size_t)(t + 1) * bh;
	float *tc = k->tc + (size_t)t * bh, *a = k->gates + (size_t)t * B * G;
	/* The rows' previous outputs side by side, one product, then each row's cell. */
	for (size_t i = 0; i < n; i++)
		memcpy(k->dh_next + i * H, hp + (size_t)rows[i] * H, (size_t)H * sizeof(float));
	float *rec = k->da; /* backward scratch, >= B x 4H */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, G, H, 1.0f, k->dh_next, H,
	            l->w_hh, H, 0.0f, rec, G);
	for (size_t i = 0; i < n; i++) {
		size_t q = (size_t)rows[i] * H;
		float *ab = a + (size_t)rows[i] * G;
		for (int j = 0; j < G; j++)
			ab[j] += rec[i * G + j];
		cell(H, ab, cp + q, cn + q, tc + q, hn + q);
	}
}

void
netshare__lstm_backward(netshare__lstm *l, const float *x, const float *dh,
                        netshare__lstm_cache *k, float *dx, float *dh0, float *dc0)
{
	int S = k->steps, B = k->batch, H = l->hidden, G = 4 * H;
	size_t bh = (size_t)B * H;
	float *dh_next = k->dh_next, *dc_next = k->dc_next;
	memset(dh_next, 0, bh * sizeof(float));
	memset(dc_next, 0, bh * sizeof(float));
	for (int t = S - 1; t >= 0; t--) {
		const float *a = k->gates + (size_t)t * B * G;
		float *da = k->da + (size_t)t * B * G;
		const float *cp = k->c + (size_t)t * bh, *tc = k->tc + (size_t)t * bh;
		const float *dht = dh + (size_t)t * bh;
		for (int b = 0; b < B; b++)
			for (int j = 0; j < H; j++) {
				size_t q = (size_t)b * H + j, r = (size_t)b * G;
				float i = a[r + j], f = a[r + H + j], g = a[r + 2 * H + j], o = a[r + 3 * H + j];
				float dhq = dht[q] + dh_next[q];
				float dc = dhq * o * (1 - tc[q] * tc[q]) + dc_next[q];
				da[r + j] = dc * g * i * (1 - i);
				da[r + H + j] = dc * cp[q] * f * (1 - f);
				da[r + 2 * H + j] = dc * i * (1 - g * g);
				da[r + 3 * H + j] = dhq * tc[q] * o * (1 - o);
				dc_next[q] = dc * f;
			}
		/* dW_hh += da^T h_{t-1};  dh_{t-1} = da W_hh */
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, H, B, 1.0f, da, G,
		            k->h + (size_t)t * bh, H, 1.0f, l->dw_hh, H);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, G, 1.0f, da, G, l->w_hh, H,
		            0.0f, dh_next, H);
	}
	/* Input weights and biases over all steps at once. */
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, l->in, S * B, 1.0f, k->da, G, x,
	            l->in, 1.0f, l->dw_ih, l->in);
	for (size_t r = 0; r < (size_t)S * B; r++)
		for (int j = 0; j < G; j++) {
			l->db_ih[j] += k->da[r * G + j];
			l->db_hh[j] += k->da[r * G + j];
		}
	if (dx)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, S * B, l->in, G, 1.0f, k->da, G,
		            l->w_ih, l->in, 0.0f, dx, l->in);
	if (dh0)
		memcpy(dh0, dh_next, bh * sizeof(float));
	if (dc0)
		memcpy(dc0, dc_next, bh * sizeof(float));
}
