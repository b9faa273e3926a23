/* SPDX-License-Identifier: BSD-3-Clause */
/* ReLU MLP critic: scores, backward, and the closed-form gradient penalty (critic.h). */
#include "critic.h"

#include <math.h>
#include <string.h>

#include "activation.h"
#include "core/alloc.h"
#include "core/error.h"
#include "gemm.h"

netshare_status
netshare__critic_init(netshare__critic *c, int in, int units, int layers, int max_batch)
{
	memset(c, 0, sizeof *c);
	if (layers < 1 || layers > NETSHARE__CRITIC_MAX_LAYERS || units < 1 || in < 1 ||
	    max_batch < 1)
		return netshare__error(NETSHARE_EINVAL, "critic: %d layers of %d units on %d inputs "
		                       "(layers 1..%d)", layers, units, in, NETSHARE__CRITIC_MAX_LAYERS);
	c->in = in;
	c->units = units;
	c->layers = layers;
	c->max_batch = max_batch;
	netshare_status st = NETSHARE_OK;
	for (int l = 0; l < layers && st == NETSHARE_OK; l++)
		st = netshare__dense_init(&c->hidden[l], l ? units : in, units);
	if (st == NETSHARE_OK)
		st = netshare__dense_init(&c->out, units, 1);
	size_t wide = (size_t)max_batch * (size_t)(in > units ? in : units);
	for (int l = 0; l < layers && st == NETSHARE_OK; l++) {
		c->h[l] = netshare__mallocarray((size_t)max_batch * units, sizeof(float));
		c->delta[l] = netshare__mallocarray((size_t)max_batch * units, sizeof(float));
		if (!c->h[l] || !c->delta[l])
			st = netshare__error_oom("critic workspace");
	}
	if (st == NETSHARE_OK) {
		c->tmp = netshare__mallocarray(wide, sizeof(float));
		c->tmp2 = netshare__mallocarray(wide, sizeof(float));
		c->score = netshare__mallocarray((size_t)max_batch, sizeof(float));
		if (!c->tmp || !c->tmp2 || !c->score)
			st = netshare__error_oom("critic workspace");
	}
	if (st < 0)
		netshare__critic_free(c);
	return st;
}

void
netshare__critic_free(netshare__critic *c)
{
	for (int l = 0; l < NETSHARE__CRITIC_MAX_LAYERS; l++) {
		netshare__dense_free(&c->hidden[l]);
		netshare__free(c->h[l]);
		netshare__free(c->delta[l]);
	}
	netshare__dense_free(&c->out);
	netshare__free(c->tmp);
	netshare__free(c->tmp2);
	netshare__free(c->score);
	memset(c, 0, sizeof *c);
}

void
netshare__critic_zero_grad(netshare__critic *c)
{
	for (int l = 0; l < c->layers; l++)
		netshare__dense_zero_grad(&c->hidden[l]);
	netshare__dense_zero_grad(&c->out);
}

void
netshare__critic_init_weights(netshare__critic *c, netshare__rng *r)
{
	for (int l = 0; l < c->layers; l++)
		netshare__dense_init_xavier(&c->hidden[l], r);
	netshare__dense_init_xavier(&c->out, r);
}

const float *
netshare__critic_forward(netshare__critic *c, const float *x, int batch)
{
	const float *in = x;
	for (int l = 0; l < c->layers; l++) {
		netshare__dense_forward(&c->hidden[l], in, batch, c->h[l]);
		netshare__relu_forward(c->h[l], (size_t)batch * c->units);
		in = c->h[l];
	}
	netshare__dense_forward(&c->out, in, batch, c->score);
	return c->score;
}

void
netshare__critic_backward(netshare__critic *c, const float *x, const float *dscore, int batch,
                          float *dx)
{
	int L = c->layers, U = c->units;
	float *dh = c->tmp;
	netshare__dense_backward(&c->out, c->h[L - 1], dscore, batch, dh);
	for (int l = L - 1; l >= 0; l--) {
		netshare__relu_backward(c->h[l], dh, (size_t)batch * U);
		float *next = l ? c->tmp2 : dx;
		netshare__dense_backward(&c->hidden[l], l ? c->h[l - 1] : x, dh, batch, next);
		if (l) { /* swap the two scratch buffers */
			float *t = c->tmp;
			c->tmp = c->tmp2;
			c->tmp2 = t;
			dh = c->tmp;
		}
	}
}

void
netshare__critic_backward_input(netshare__critic *c, const float *dscore, int batch, float *dx)
{
	int L = c->layers, U = c->units;
	float *dh = c->tmp, *next = c->tmp2;
	netshare__dense_backward_input(&c->out, dscore, batch, dh);
	for (int l = L - 1; l >= 0; l--) {
		netshare__relu_backward(c->h[l], dh, (size_t)batch * U);
		float *into = l ? next : dx;
		netshare__dense_backward_input(&c->hidden[l], dh, batch, into);
		next = dh;
		dh = into;
	}
}

double
netshare__critic_gradient_penalty(netshare__critic *c, const float *x, int batch,
                                  double lambda)
{
	netshare__critic_forward(c, x, batch);
	return netshare__critic_penalty_rows(c, 0, batch, lambda);
}

double
netshare__critic_penalty_rows(netshare__critic *c, int row0, int batch, double lambda)
{
	int L = c->layers, U = c->units, IN = c->in;
	const float *h[NETSHARE__CRITIC_MAX_LAYERS]; /* this batch's rows of the activations */
	for (int l = 0; l < L; l++)
		h[l] = c->h[l] + (size_t)row0 * U;
	/* delta_{L-1} = M_{L-1} w_out; delta_l = M_l (delta_{l+1} W_{l+1}) */
	for (int b = 0; b < batch; b++)
		for (int j = 0; j < U; j++)
			c->delta[L - 1][(size_t)b * U + j] = h[L - 1][(size_t)b * U + j] > 0 ?
			                                     c->out.w[j] : 0.0f;
	for (int l = L - 2; l >= 0; l--) {
		netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasNoTrans, batch, U, U, 1.0f,
		                c->delta[l + 1], U, c->hidden[l + 1].w, U, 0.0f, c->delta[l], U);
		for (size_t k = 0; k < (size_t)batch * U; k++)
			if (!(h[l][k] > 0))
				c->delta[l][k] = 0.0f;
	}
	/* g = delta_0 W_0 (B x IN), then u = dGP/dg into the same buffer. */
	float *g = c->tmp;
	netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasNoTrans, batch, IN, U, 1.0f,
	                c->delta[0], U, c->hidden[0].w, IN, 0.0f, g, IN);
	double gp = 0;
	for (int b = 0; b < batch; b++) {
		float *gb = g + (size_t)b * IN;
		double s = 0;
		for (int k = 0; k < IN; k++)
			s += (double)gb[k] * gb[k];
		double n = sqrt(s + 1e-8);
		gp += (n - 1) * (n - 1);
		float scale = (float)(lambda * 2.0 / batch * (n - 1) / n);
		for (int k = 0; k < IN; k++)
			gb[k] *= scale;
	}
	/* a_0 = u; dW_l += delta_l^T a_l; a_{l+1} = M_l (a_l W_l^T); dw_out += sum_b a_L */
	float *a = g, *next = c->tmp2;
	for (int l = 0; l < L; l++) {
		int in_l = l ? U : IN;
		netshare__sgemm(c->pool, c->parts, CblasTrans, CblasNoTrans, U, in_l, batch, 1.0f,
		                c->delta[l], U, a, in_l, 1.0f, c->hidden[l].dw, in_l);
		netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasTrans, batch, U, in_l, 1.0f,
		                a, in_l, c->hidden[l].w, in_l, 0.0f, next, U);
		for (size_t k = 0; k < (size_t)batch * U; k++)
			if (!(h[l][k] > 0))
				next[k] = 0.0f;
		float *t = a;
		a = next;
		next = t;
	}
	for (int b = 0; b < batch; b++)
		for (int j = 0; j < U; j++)
			c->out.dw[j] += a[(size_t)b * U + j];
	return lambda * gp / batch;
}

void
netshare__critic_split(netshare__critic *c, int parts, struct netshare__pool *pool)
{
	c->parts = parts;
	c->pool = pool;
	for (int l = 0; l < c->layers; l++) {
		c->hidden[l].parts = parts;
		c->hidden[l].pool = pool;
	}
	c->out.parts = parts;
	c->out.pool = pool;
}

int
netshare__critic_finite(const netshare__critic *c)
{
	for (int l = 0; l < c->layers; l++)
		for (size_t k = 0; k < (size_t)c->hidden[l].in * c->units; k++)
			if (!isfinite(c->hidden[l].w[k]))
				return 0;
	for (int j = 0; j < c->units; j++)
		if (!isfinite(c->out.w[j]))
			return 0;
	return 1;
}

double
netshare__critic_floats(int in, int units, int layers)
{
	double n = 0;
	for (int l = 0; l < layers; l++)
		n += (double)(l ? units : in) * units + units;
	return n + (double)units + 1; /* the output layer reads the last hidden layer */
}
