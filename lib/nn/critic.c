/* SPDX-License-Identifier: BSD-3-Clause */
/* ReLU MLP critic: scores, backward, and the closed-form gradient penalty (critic.h). */
#include "critic.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "activation.h"
#include "core/alloc.h"
#include "core/error.h"
#include "gemm.h"

netshare_status
netshare__critic_init_front(netshare__critic *c, int in, int steps, int step_in, int embed,
                            int units, int layers, int max_batch)
{
	memset(c, 0, sizeof *c);
	if (steps < 1 || embed < 1)
		steps = step_in = embed = 0;
	if (layers < 1 || layers > NETSHARE__CRITIC_MAX_LAYERS || units < 1 || in < 1 ||
	    max_batch < 1 || step_in < 0 || (double)steps * step_in > in ||
	    (double)steps * embed + (in - steps * step_in) > INT_MAX)
		return netshare__error(NETSHARE_EINVAL, "critic: %d layers of %d units on %d inputs "
		                       "(layers 1..%d; front %d x %d -> %d)", layers, units, in,
		                       NETSHARE__CRITIC_MAX_LAYERS, steps, step_in, embed);
	c->in = in;
	c->units = units;
	c->layers = layers;
	c->max_batch = max_batch;
	c->steps = steps;
	c->step_in = step_in;
	c->in0 = steps ? steps * embed + (in - steps * step_in) : in;
	netshare_status st = steps ? netshare__dense_init(&c->front, step_in, embed) : NETSHARE_OK;
	for (int l = 0; l < layers && st == NETSHARE_OK; l++)
		st = netshare__dense_init(&c->hidden[l], l ? units : c->in0, units);
	if (st == NETSHARE_OK)
		st = netshare__dense_init(&c->out, units, 1);
	int widest = in > units ? in : units;
	widest = c->in0 > widest ? c->in0 : widest;
	size_t wide = (size_t)max_batch * (size_t)widest;
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
	if (st == NETSHARE_OK && steps) {
		size_t rows = (size_t)max_batch * steps;
		size_t group = (size_t)(step_in > embed ? step_in : embed);
		c->xe = netshare__mallocarray((size_t)max_batch * c->in0, sizeof(float));
		c->fx = netshare__mallocarray(rows * step_in, sizeof(float));
		c->fa = netshare__mallocarray(rows * group, sizeof(float));
		c->fb = netshare__mallocarray(rows * group, sizeof(float));
		if (!c->xe || !c->fx || !c->fa || !c->fb)
			st = netshare__error_oom("critic front");
	}
	if (st < 0)
		netshare__critic_free(c);
	return st;
}

netshare_status
netshare__critic_init(netshare__critic *c, int in, int units, int layers, int max_batch)
{
	return netshare__critic_init_front(c, in, 0, 0, 0, units, layers, max_batch);
}

netshare_status
netshare__critic_project(netshare__critic *c, int cond)
{
	int rest = c->in - c->steps * c->step_in;
	if (cond < 1 || cond > rest || c->cond)
		return netshare__error(NETSHARE_EINVAL, "critic: a projection on %d of its %d "
		                       "inputs after the front's (once)", cond, rest);
	size_t B = (size_t)c->max_batch, U = (size_t)c->units, C = (size_t)cond;
	c->pv = netshare__calloc(C * U, sizeof(float));
	c->dpv = netshare__calloc(C * U, sizeof(float));
	c->pq = netshare__mallocarray(B * U, sizeof(float));
	c->pr = netshare__mallocarray(B * C, sizeof(float));
	c->pe = netshare__mallocarray(B * U, sizeof(float));
	if (!c->pv || !c->dpv || !c->pq || !c->pr || !c->pe)
		return netshare__error_oom("critic projection");
	c->cond = cond;
	return NETSHARE_OK;
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
	netshare__dense_free(&c->front);
	netshare__free(c->xe);
	netshare__free(c->fx);
	netshare__free(c->fa);
	netshare__free(c->fb);
	netshare__free(c->tmp);
	netshare__free(c->tmp2);
	netshare__free(c->score);
	float *proj[] = { c->pv, c->dpv, c->pq, c->pr, c->pe };
	for (size_t i = 0; i < sizeof proj / sizeof proj[0]; i++)
		netshare__free(proj[i]);
	memset(c, 0, sizeof *c);
}

void
netshare__critic_zero_grad(netshare__critic *c)
{
	for (int l = 0; l < c->layers; l++)
		netshare__dense_zero_grad(&c->hidden[l]);
	netshare__dense_zero_grad(&c->out);
	if (c->steps)
		netshare__dense_zero_grad(&c->front);
	if (c->cond)
		memset(c->dpv, 0, (size_t)c->cond * c->units * sizeof *c->dpv);
}

void
netshare__critic_init_weights(netshare__critic *c, netshare__rng *r)
{
	for (int l = 0; l < c->layers; l++)
		netshare__dense_init_xavier(&c->hidden[l], r);
	netshare__dense_init_xavier(&c->out, r);
	if (c->steps) /* after the others: a critic without a front draws what it drew */
		netshare__dense_init_xavier(&c->front, r);
}

/* Rows of batch x `width` floats whose first steps x group floats are groups: between
 * them and a matrix of batch * steps rows of `group` floats (gather: rows -> groups). */
static void
groups_gather(const float *rows, int width, int batch, int steps, int group, float *out)
{
	size_t n = (size_t)steps * group;
	for (int b = 0; b < batch; b++)
		memcpy(out + (size_t)b * n, rows + (size_t)b * width, n * sizeof *out);
}

static void
groups_scatter(const float *in, int batch, int steps, int group, float *rows, int width)
{
	size_t n = (size_t)steps * group;
	for (int b = 0; b < batch; b++)
		memcpy(rows + (size_t)b * width, in + (size_t)b * n, n * sizeof *in);
}

/* The front's map P on rows x (batch x in) into y (batch x in0): each group times E^T,
 * the rest copied. `bias`: add the front's bias (a forward pass; not for the penalty's
 * a_0, P being the linear part). */
static void
front_apply(netshare__critic *c, const float *x, int batch, float *y, int bias)
{
	int S = c->steps, k = c->step_in, e = c->front.out, rest = c->in - S * k;
	float *g = bias ? c->fx : c->fa; /* a forward keeps its groups for backward */
	groups_gather(x, c->in, batch, S, k, g);
	if (bias)
		netshare__dense_forward(&c->front, g, batch * S, c->fb);
	else
		netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasTrans, batch * S, e, k, 1.0f,
		                g, k, c->front.w, k, 0.0f, c->fb, e);
	groups_scatter(c->fb, batch, S, e, y, c->in0);
	for (int b = 0; b < batch; b++)
		memcpy(y + (size_t)b * c->in0 + (size_t)S * e, x + (size_t)b * c->in + (size_t)S * k,
		       (size_t)rest * sizeof *y);
}

/* P^T: a gradient at hidden[0]'s input (batch x in0) to one at the critic's (batch x
 * in; skipped if dx is NULL). With `weights`, also accumulate E's gradients from the
 * groups the last forward kept. Leaves dy's groups gathered in c->fa (batch * steps x
 * embed). */
static void
front_transpose(netshare__critic *c, const float *dy, int batch, float *dx, int weights)
{
	int S = c->steps, k = c->step_in, e = c->front.out, rest = c->in - S * k;
	groups_gather(dy, c->in0, batch, S, e, c->fa);
	if (weights)
		netshare__dense_backward(&c->front, c->fx, c->fa, batch * S, dx ? c->fb : NULL);
	else
		netshare__dense_backward_input(&c->front, c->fa, batch * S, c->fb);
	if (!dx)
		return;
	groups_scatter(c->fb, batch, S, k, dx, c->in);
	for (int b = 0; b < batch; b++)
		memcpy(dx + (size_t)b * c->in + (size_t)S * k, dy + (size_t)b * c->in0 + (size_t)S * e,
		       (size_t)rest * sizeof *dx);
}

/* y of row `row` of the last forward: its last cond inputs (rows c->in apart). */
static const float *
project_y(const netshare__critic *c, int row)
{
	return c->px + (size_t)row * c->in + c->in - c->cond;
}

/* The projection's share of the scores: y = the rows' last cond inputs, q = y V,
 * score += q . h (h the last hidden layer). */
static void
project_forward(netshare__critic *c, const float *x, int batch)
{
	int U = c->units, C = c->cond;
	const float *h = c->h[c->layers - 1];
	c->px = x;
	netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasNoTrans, batch, U, C, 1.0f,
	                project_y(c, 0), c->in, c->pv, U, 0.0f, c->pq, U);
	for (int b = 0; b < batch; b++) {
		double s = 0;
		for (int j = 0; j < U; j++)
			s += (double)c->pq[(size_t)b * U + j] * h[(size_t)b * U + j];
		c->score[b] += (float)s;
	}
}

/* Backward through the projection, before the MLP's: dh += dscore q (dh the gradient at
 * the last hidden layer) and, with `weights`, dV += (dscore y)^T h. */
static void
project_backward_h(netshare__critic *c, const float *dscore, int batch, float *dh, int weights)
{
	int U = c->units, C = c->cond;
	for (int b = 0; b < batch; b++)
		for (int j = 0; j < U; j++)
			dh[(size_t)b * U + j] += dscore[b] * c->pq[(size_t)b * U + j];
	if (!weights)
		return;
	for (int b = 0; b < batch; b++)
		for (int k = 0; k < C; k++)
			c->pr[(size_t)b * C + k] = dscore[b] * project_y(c, b)[k];
	netshare__sgemm(c->pool, c->parts, CblasTrans, CblasNoTrans, C, U, batch, 1.0f, c->pr, C,
	                c->h[c->layers - 1], U, 1.0f, c->dpv, U);
}

/* r = h V^T (batch x cond) for rows [row0, row0 + batch): the projection's direct
 * gradient at y, per unit of score. */
static void
project_direct(netshare__critic *c, int row0, int batch, float *r)
{
	int U = c->units;
	netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasTrans, batch, c->cond, U, 1.0f,
	                c->h[c->layers - 1] + (size_t)row0 * U, U, c->pv, U, 0.0f, r, c->cond);
}

/* dx at y += dscore (h V^T), after the MLP's backward wrote dx. */
static void
project_backward_x(netshare__critic *c, const float *dscore, int batch, float *dx)
{
	int C = c->cond;
	project_direct(c, 0, batch, c->pr);
	for (int b = 0; b < batch; b++)
		for (int k = 0; k < C; k++)
			dx[(size_t)b * c->in + c->in - C + k] += dscore[b] * c->pr[(size_t)b * C + k];
}

const float *
netshare__critic_forward(netshare__critic *c, const float *x, int batch)
{
	const float *in = x;
	if (c->steps) {
		front_apply(c, x, batch, c->xe, 1);
		in = c->xe;
	}
	for (int l = 0; l < c->layers; l++) {
		netshare__dense_forward(&c->hidden[l], in, batch, c->h[l]);
		netshare__relu_forward(c->h[l], (size_t)batch * c->units);
		in = c->h[l];
	}
	netshare__dense_forward(&c->out, in, batch, c->score);
	if (c->cond)
		project_forward(c, x, batch);
	return c->score;
}

void
netshare__critic_backward(netshare__critic *c, const float *x, const float *dscore, int batch,
                          float *dx)
{
	int L = c->layers, U = c->units;
	float *dh = c->tmp;
	netshare__dense_backward(&c->out, c->h[L - 1], dscore, batch, dh);
	if (c->cond)
		project_backward_h(c, dscore, batch, dh, 1);
	for (int l = L - 1; l >= 0; l--) {
		netshare__relu_backward(c->h[l], dh, (size_t)batch * U);
		float *next = l || c->steps ? c->tmp2 : dx;
		netshare__dense_backward(&c->hidden[l], l ? c->h[l - 1] : c->steps ? c->xe : x, dh,
		                         batch, next);
		if (l) { /* swap the two scratch buffers */
			float *t = c->tmp;
			c->tmp = c->tmp2;
			c->tmp2 = t;
			dh = c->tmp;
		}
	}
	if (c->steps) /* dE += dy_groups^T x_groups; dx = P^T dy */
		front_transpose(c, c->tmp2, batch, dx, 1);
	if (c->cond && dx)
		project_backward_x(c, dscore, batch, dx);
}

void
netshare__critic_backward_input(netshare__critic *c, const float *dscore, int batch, float *dx)
{
	int L = c->layers, U = c->units;
	float *dh = c->tmp, *next = c->tmp2;
	netshare__dense_backward_input(&c->out, dscore, batch, dh);
	if (c->cond)
		project_backward_h(c, dscore, batch, dh, 0);
	for (int l = L - 1; l >= 0; l--) {
		netshare__relu_backward(c->h[l], dh, (size_t)batch * U);
		float *into = l || c->steps ? next : dx;
		netshare__dense_backward_input(&c->hidden[l], dh, batch, into);
		next = dh;
		dh = into;
	}
	if (c->steps)
		front_transpose(c, dh, batch, dx, 0);
	if (c->cond)
		project_backward_x(c, dscore, batch, dx);
}

double
netshare__critic_gradient_penalty(netshare__critic *c, const float *x, int batch,
                                  double lambda)
{
	netshare__critic_forward(c, x, batch);
	return netshare__critic_penalty_rows(c, 0, batch, lambda);
}

/* The projection's share of the penalty's weight gradient (critic.h), for rows [row0,
 * row0 + batch) after the chain left a_L in `a` and u_y in c->pr: dV += y^T a_L +
 * u_y^T h, and e = u_y V backpropagated from the last hidden layer into the weights,
 * biases and front. Uses c->tmp, c->tmp2 and c->pe (a may be one of the first two). */
static void
project_penalty(netshare__critic *c, int row0, int batch, const float *a)
{
	int L = c->layers, U = c->units, C = c->cond;
	const float *hl = c->h[L - 1] + (size_t)row0 * U;
	netshare__sgemm(c->pool, c->parts, CblasTrans, CblasNoTrans, C, U, batch, 1.0f,
	                project_y(c, row0), c->in, a, U, 1.0f, c->dpv, U);
	netshare__sgemm(c->pool, c->parts, CblasTrans, CblasNoTrans, C, U, batch, 1.0f, c->pr, C,
	                hl, U, 1.0f, c->dpv, U);
	float *e = c->pe, *next = c->tmp, *spare = c->tmp2;
	netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasNoTrans, batch, U, C, 1.0f, c->pr, C,
	                c->pv, U, 0.0f, e, U);
	for (int l = L - 1; l >= 0; l--) {
		netshare__relu_backward(c->h[l] + (size_t)row0 * U, e, (size_t)batch * U);
		const float *in = l ? c->h[l - 1] + (size_t)row0 * U
		                    : c->steps ? c->xe + (size_t)row0 * c->in0
		                               : c->px + (size_t)row0 * c->in;
		netshare__dense_backward(&c->hidden[l], in, e, batch, l || c->steps ? next : NULL);
		e = next;
		next = spare;
		spare = e;
	}
	if (c->steps) { /* dE += the groups of e's input gradient times the groups of x */
		int S = c->steps;
		groups_gather(e, c->in0, batch, S, c->front.out, c->fa);
		netshare__dense_backward(&c->front, c->fx + (size_t)row0 * S * c->step_in, c->fa,
		                         batch * S, NULL);
	}
}

double
netshare__critic_penalty_rows(netshare__critic *c, int row0, int batch, double lambda)
{
	int L = c->layers, U = c->units, IN = c->in, IN0 = c->in0;
	const float *h[NETSHARE__CRITIC_MAX_LAYERS]; /* this batch's rows of the activations */
	for (int l = 0; l < L; l++)
		h[l] = c->h[l] + (size_t)row0 * U;
	/* delta_{L-1} = M_{L-1} w_out; delta_l = M_l (delta_{l+1} W_{l+1}) */
	/* (with the projection, a per-row output weight w_out + V^T y_b) */
	const float *q = c->cond ? c->pq + (size_t)row0 * U : NULL;
	for (int b = 0; b < batch; b++)
		for (int j = 0; j < U; j++)
			c->delta[L - 1][(size_t)b * U + j] =
				h[L - 1][(size_t)b * U + j] > 0 ?
					c->out.w[j] + (q ? q[(size_t)b * U + j] : 0.0f) : 0.0f;
	for (int l = L - 2; l >= 0; l--) {
		netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasNoTrans, batch, U, U, 1.0f,
		                c->delta[l + 1], U, c->hidden[l + 1].w, U, 0.0f, c->delta[l], U);
		netshare__relu_backward(h[l], c->delta[l], (size_t)batch * U); /* the mask M_l */
	}
	/* g = delta_0 W_0 (B x IN; through P^T with a front), then u = dGP/dg into the same
	 * buffer. */
	float *g = c->tmp;
	netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasNoTrans, batch, IN0, U, 1.0f,
	                c->delta[0], U, c->hidden[0].w, IN0, 0.0f, g, IN0);
	if (c->steps) {
		front_transpose(c, c->tmp, batch, c->tmp2, 0); /* leaves g' groups in c->fa */
		g = c->tmp2;
	}
	if (c->cond) { /* + the direct term h V^T at y */
		project_direct(c, row0, batch, c->pr);
		for (int b = 0; b < batch; b++)
			for (int k = 0; k < c->cond; k++)
				g[(size_t)b * IN + IN - c->cond + k] += c->pr[(size_t)b * c->cond + k];
	}
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
	for (int b = 0; c->cond && b < batch; b++) /* u_y, for the direct term */
		memcpy(c->pr + (size_t)b * c->cond, g + (size_t)b * IN + IN - c->cond,
		       (size_t)c->cond * sizeof(float));
	/* a_0 = u (P u with a front, and dE += sum over groups g'^T u); dW_l += delta_l^T a_l;
	 * a_{l+1} = M_l (a_l W_l^T); dw_out += sum_b a_L */
	float *a = g, *next = c->tmp2;
	if (c->steps) {
		int S = c->steps, k = c->step_in, e = c->front.out;
		groups_gather(g, IN, batch, S, k, c->fb);
		netshare__sgemm(c->pool, c->parts, CblasTrans, CblasNoTrans, e, k, batch * S, 1.0f,
		                c->fa, e, c->fb, k, 1.0f, c->front.dw, k);
		front_apply(c, g, batch, c->tmp, 0);
		a = c->tmp;
		next = c->tmp2;
	}
	for (int l = 0; l < L; l++) {
		int in_l = l ? U : IN0;
		netshare__sgemm(c->pool, c->parts, CblasTrans, CblasNoTrans, U, in_l, batch, 1.0f,
		                c->delta[l], U, a, in_l, 1.0f, c->hidden[l].dw, in_l);
		netshare__sgemm(c->pool, c->parts, CblasNoTrans, CblasTrans, batch, U, in_l, 1.0f,
		                a, in_l, c->hidden[l].w, in_l, 0.0f, next, U);
		netshare__relu_backward(h[l], next, (size_t)batch * U);
		float *t = a;
		a = next;
		next = t;
	}
	for (int b = 0; b < batch; b++)
		for (int j = 0; j < U; j++)
			c->out.dw[j] += a[(size_t)b * U + j];
	if (c->cond)
		project_penalty(c, row0, batch, a);
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
	c->front.parts = parts;
	c->front.pool = pool;
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
	for (size_t k = 0; k < (size_t)c->front.in * c->front.out; k++)
		if (!isfinite(c->front.w[k]))
			return 0;
	for (size_t k = 0; k < (size_t)c->cond * c->units; k++)
		if (!isfinite(c->pv[k]))
			return 0;
	return 1;
}

double
netshare__critic_floats(int in, int steps, int step_in, int embed, int units, int layers)
{
	double n = 0, in0 = in;
	if (steps > 0 && embed > 0) {
		in0 = (double)steps * embed + (in - (double)steps * step_in);
		n = (double)step_in * embed + embed;
	}
	for (int l = 0; l < layers; l++)
		n += (l ? units : in0) * units + units;
	return n + (double)units + 1; /* the output layer reads the last hidden layer */
}
