/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nn layers: every backward pass against central finite differences of the forward pass
 * (loss = sum(r * output) for a random r; float32 forward, step 1e-2, relative tolerance
 * 2e-2 on each entry against max(|analytic|, |numeric|, 1e-2)), plus Adam against a
 * hand-computed update and the orthogonal initialiser's defining property.
 */
#include <float.h>
#include <math.h>

#include "../test-common.h"
#include "core/rng.h"
#include "nn/activation.h"
#include "nn/adam.h"
#include "nn/batchnorm.h"
#include "nn/dense.h"
#include "nn/ema.h"
#include "nn/blas_threads.h"
#include "nn/gemm.h"
#include "nn/init.h"
#include "nn/lstm.h"

#define STEP 1e-2f
#define TOL 2e-2

typedef double (*loss_fn)(void *ctx);

/* Compare analytic gradient g of loss with respect to x[0..n) with central differences. */
static void
gradcheck(const char *what, loss_fn loss, void *ctx, float *x, const float *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		float keep = x[i];
		x[i] = keep + STEP;
		double up = loss(ctx);
		x[i] = keep - STEP;
		double down = loss(ctx);
		x[i] = keep;
		double num = (up - down) / (2.0 * STEP), ana = g[i];
		double scale = fmax(fmax(fabs(num), fabs(ana)), 1e-2);
		ck_assert_msg(fabs(num - ana) / scale < TOL, "%s[%zu]: analytic %.6g, numeric %.6g",
		              what, i, ana, num);
	}
}

static float *
randn(netshare__rng *g, size_t n, float scale)
{
	float *x = malloc(n * sizeof *x);
	netshare__rng_fill_normalf(g, x, n, 0.0f, scale);
	return x;
}

static double
dot(const float *a, const float *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (double)a[i] * b[i];
	return s;
}

enum { B = 6, IN = 5, OUT = 4 };

struct dense_ctx {
	netshare__dense d;
	float *x, *y, *r;
};

static double
dense_loss(void *p)
{
	struct dense_ctx *c = p;
	netshare__dense_forward(&c->d, c->x, B, c->y);
	return dot(c->y, c->r, B * OUT);
}

START_TEST(dense_backward)
{
	netshare__rng g;
	netshare__rng_seed(&g, 1);
	struct dense_ctx c;
	ck_assert_ok(netshare__dense_init(&c.d, IN, OUT));
	netshare__dense_init_torch_default(&c.d, &g);
	c.x = randn(&g, B * IN, 1);
	c.y = malloc(B * OUT * sizeof *c.y);
	c.r = randn(&g, B * OUT, 1);
	float dx[B * IN];
	netshare__dense_zero_grad(&c.d);
	netshare__dense_backward(&c.d, c.x, c.r, B, dx);
	gradcheck("dense dx", dense_loss, &c, c.x, dx, B * IN);
	gradcheck("dense dW", dense_loss, &c, c.d.w, c.d.dw, IN * OUT);
	gradcheck("dense db", dense_loss, &c, c.d.b, c.d.db, OUT);
	/* Gradients accumulate over calls. */
	float dw0 = c.d.dw[3];
	netshare__dense_backward(&c.d, c.x, c.r, B, NULL);
	ck_assert_float_eq_tol(c.d.dw[3], 2 * dw0, 1e-5);
	netshare__dense_free(&c.d);
	free(c.x);
	free(c.y);
	free(c.r);
}
END_TEST

struct act_ctx {
	int which; /* 0 relu, 1 sigmoid, 2 tanh, 3 softmax groups */
	float *x, *y, *r;
	size_t n;
};

static void
act_forward(struct act_ctx *c)
{
	memcpy(c->y, c->x, c->n * sizeof *c->y);
	switch (c->which) {
	case 0: netshare__relu_forward(c->y, c->n); break;
	case 1: netshare__sigmoid_forward(c->y, c->n); break;
	case 2: netshare__tanh_forward(c->y, c->n); break;
	default: /* rows of 8: a 2-way group, a 5-way group, one column untouched */
		netshare__softmax_forward(c->y, c->n / 8, 8, 0, 2);
		netshare__softmax_forward(c->y, c->n / 8, 8, 2, 5);
		break;
	}
}

static double
act_loss(void *p)
{
	struct act_ctx *c = p;
	act_forward(c);
	return dot(c->y, c->r, c->n);
}

START_TEST(activation_backward)
{
	netshare__rng g;
	netshare__rng_seed(&g, 2);
	for (int which = 0; which < 4; which++) {
		struct act_ctx c = { .which = which, .n = 48 };
		c.x = randn(&g, c.n, 1.5f);
		if (which == 0) /* keep ReLU inputs away from the kink at 0 */
			for (size_t i = 0; i < c.n; i++)
				c.x[i] += c.x[i] > 0 ? 0.1f : -0.1f;
		c.y = malloc(c.n * sizeof *c.y);
		c.r = randn(&g, c.n, 1);
		act_forward(&c);
		float dx[48];
		memcpy(dx, c.r, sizeof dx);
		switch (which) {
		case 0: netshare__relu_backward(c.y, dx, c.n); break;
		case 1: netshare__sigmoid_backward(c.y, dx, c.n); break;
		case 2: netshare__tanh_backward(c.y, dx, c.n); break;
		default:
			netshare__softmax_backward(c.y, dx, c.n / 8, 8, 0, 2);
			netshare__softmax_backward(c.y, dx, c.n / 8, 8, 2, 5);
			/* the untouched column passes its gradient through */
			break;
		}
		const char *names[] = { "relu", "sigmoid", "tanh", "softmax" };
		gradcheck(names[which], act_loss, &c, c.x, dx, c.n);
		free(c.x);
		free(c.y);
		free(c.r);
	}
}
END_TEST

struct bn_ctx {
	netshare__batchnorm bn;
	float *x, *xhat, *y, *r;
};

static double
bn_loss(void *p)
{
	struct bn_ctx *c = p;
	netshare__batchnorm_forward_train(&c->bn, c->x, B, c->xhat, c->y);
	return dot(c->y, c->r, B * IN);
}

/* The fast tanh against double-precision tanh over a fine grid, its symmetry and its
 * saturation. */
START_TEST(fast_tanh_is_accurate)
{
	double worst = 0;
	for (int i = -200000; i <= 200000; i++) {
		float x = (float)i * 1e-4f;
		double want = tanh((double)x), got = netshare__tanhf(x);
		double err = fabs(got - want) / (fabs(want) > 1e-30 ? fabs(want) : 1);
		worst = err > worst ? err : worst;
		ck_assert_float_eq(netshare__tanhf(-x), -netshare__tanhf(x));
	}
	ck_assert_msg(worst < 2e-6, "worst relative error %g", worst);
	ck_assert_float_eq(netshare__tanhf(50.0f), 1.0f);
	ck_assert_float_eq(netshare__tanhf(-50.0f), -1.0f);
	ck_assert_float_eq(netshare__tanhf(0.0f), 0.0f);
	ck_assert_float_eq(netshare__tanhf(1e-30f), 1e-30f);
}
END_TEST

START_TEST(fast_exp_is_accurate)
{
	double worst = 0;
	for (int i = -870000; i <= 880000; i++) {
		float x = (float)i * 1e-4f;
		double want = exp((double)x), got = netshare__expf(x);
		double err = fabs(got - want) / want;
		worst = err > worst ? err : worst;
	}
	ck_assert_msg(worst < FLT_EPSILON, "worst relative error %g", worst); /* 2 x 2^-24 */
	ck_assert_float_eq(netshare__expf(0.0f), 1.0f);
	ck_assert_float_eq(netshare__expf(1.0f), (float)M_E);
	/* clamped to [-87, 88], never 0, infinity or a denormal */
	ck_assert_float_eq(netshare__expf(-1000.0f), netshare__expf(-87.0f));
	ck_assert_float_eq(netshare__expf(1000.0f), netshare__expf(88.0f));
	ck_assert(isnormal(netshare__expf(-INFINITY)) && isnormal(netshare__expf(INFINITY)));
	ck_assert(isnan(netshare__expf(NAN)) && isnan(netshare__tanhf(NAN)) &&
	          isnan(netshare__sigmoidf(NAN)));
	ck_assert_float_eq(netshare__sigmoidf(0.0f), 0.5f);
	ck_assert_float_eq(netshare__sigmoidf(100.0f), 1.0f);
	ck_assert_float_lt(netshare__sigmoidf(-100.0f), 1e-37f);
}
END_TEST

/* The softmax of one row as its definition reads: max, shifted exponentials summed in
 * order, division. */
static void
softmax_row_reference(float *v, size_t dim)
{
	float m = v[0], s = 0;
	for (size_t k = 1; k < dim; k++)
		m = v[k] > m ? v[k] : m;
	for (size_t k = 0; k < dim; k++)
		s += (v[k] = netshare__expf(v[k] - m));
	for (size_t k = 0; k < dim; k++)
		v[k] /= s;
}

START_TEST(softmax_rows_in_blocks_match_one_row_at_a_time)
{
	/* Rows go 16 at a time for heads of up to 64 values: the results must be the bits
	 * of one row at a time (model files do not depend on the blocking), for a partial
	 * last block, heads at and past the blocked limit, and values around them kept. */
	netshare__rng g;
	netshare__rng_seed(&g, 9);
	const size_t dims[] = { 1, 2, 5, 63, 64, 65, 200 }, row_counts[] = { 1, 15, 16, 17, 45 };
	for (size_t d = 0; d < sizeof dims / sizeof *dims; d++)
		for (size_t r = 0; r < sizeof row_counts / sizeof *row_counts; r++) {
			size_t dim = dims[d], rows = row_counts[r], stride = dim + 3, offset = 2;
			float *x = randn(&g, rows * stride, 4);
			float *want = malloc(rows * stride * sizeof *want);
			memcpy(want, x, rows * stride * sizeof *want);
			for (size_t i = 0; i < rows; i++)
				softmax_row_reference(want + i * stride + offset, dim);
			netshare__softmax_forward(x, rows, stride, offset, dim);
			ck_assert_msg(memcmp(x, want, rows * stride * sizeof *x) == 0,
			              "dim %zu, %zu rows: not the row-at-a-time bits", dim, rows);
			double sum = 0;
			for (size_t k = 0; k < dim; k++)
				sum += x[(rows - 1) * stride + offset + k];
			ck_assert_double_eq_tol(sum, 1, 1e-5);
			free(x);
			free(want);
		}
}
END_TEST

START_TEST(batchnorm_backward_and_running_stats)
{
	netshare__rng g;
	netshare__rng_seed(&g, 3);
	struct bn_ctx c;
	ck_assert_ok(netshare__batchnorm_init(&c.bn, IN, 1e-5f, 0.9f));
	c.x = randn(&g, B * IN, 2);
	c.xhat = malloc(B * IN * sizeof *c.xhat);
	c.y = malloc(B * IN * sizeof *c.y);
	c.r = randn(&g, B * IN, 1);
	for (int j = 0; j < IN; j++) {
		c.bn.gamma[j] = 0.5f + 0.3f * j;
		c.bn.beta[j] = 0.1f * j;
	}
	bn_loss(&c);
	float dx[B * IN];
	netshare__batchnorm_zero_grad(&c.bn);
	netshare__batchnorm_backward(&c.bn, c.xhat, c.r, B, dx);
	gradcheck("batchnorm dx", bn_loss, &c, c.x, dx, B * IN);
	gradcheck("batchnorm dgamma", bn_loss, &c, c.bn.gamma, c.bn.dgamma, IN);
	gradcheck("batchnorm dbeta", bn_loss, &c, c.bn.beta, c.bn.dbeta, IN);
	/* Normalised output: per feature mean 0, biased variance 1. */
	for (int j = 0; j < IN; j++) {
		double m = 0, v = 0;
		for (int i = 0; i < B; i++)
			m += c.xhat[i * IN + j];
		for (int i = 0; i < B; i++)
			v += (c.xhat[i * IN + j] - m / B) * (c.xhat[i * IN + j] - m / B);
		ck_assert_double_eq_tol(m / B, 0, 1e-5);
		ck_assert_double_eq_tol(v / B, 1, 1e-3);
	}
	/* Running statistics follow torch: 0.1 * old + 0.9 * batch (unbiased variance). */
	netshare__batchnorm bn2;
	ck_assert_ok(netshare__batchnorm_init(&bn2, 1, 1e-5f, 0.9f));
	float x1[4] = { 1, 2, 3, 6 }, xh[4], y1[4];
	netshare__batchnorm_forward_train(&bn2, x1, 4, xh, y1);
	ck_assert_float_eq_tol(bn2.running_mean[0], 0.9f * 3.0f, 1e-6);
	ck_assert_float_eq_tol(bn2.running_var[0], 0.1f + 0.9f * (14.0f / 3.0f), 1e-5);
	netshare__batchnorm_forward_eval(&bn2, x1, 4, y1);
	ck_assert_float_eq_tol(y1[0], (1 - 2.7f) / sqrtf(bn2.running_var[0] + 1e-5f), 1e-5);
	netshare__batchnorm_free(&bn2);
	netshare__batchnorm_free(&c.bn);
	free(c.x);
	free(c.xhat);
	free(c.y);
	free(c.r);
}
END_TEST

START_TEST(adam_update_and_convergence)
{
	/* One step by hand: g = 2, lr 0.1, b1 0.5, b2 0.999: m^ = 2, v^ = 4, p -= 0.1. */
	float p = 1.0f, gr = 2.0f;
	netshare__adam a;
	netshare__adam_init(&a, 0.1f, 0.5f, 0.999f, 1e-8f);
	ck_assert_ok(netshare__adam_add(&a, &p, &gr, 1));
	netshare__adam_step(&a);
	ck_assert_float_eq_tol(p, 0.9f, 1e-6);
	/* Second step with g = -1: m = 0.5*(1) + 0.5*(-1)... computed directly. */
	gr = -1.0f;
	netshare__adam_step(&a);
	double m = 0.5 * 1.0 + 0.5 * -1.0, v = 0.999 * 0.004 + 0.001 * 1.0;
	double mh = m / (1 - 0.25), vh = v / (1 - 0.999 * 0.999);
	ck_assert_double_eq_tol(p, 0.9 - 0.1 * mh / (sqrt(vh) + 1e-8), 1e-6);
	netshare__adam_free(&a);
	/* It minimises a quadratic. */
	float x[3] = { 3, -2, 1 }, gx[3];
	netshare__adam_init(&a, 0.05f, 0.9f, 0.999f, 1e-8f);
	ck_assert_ok(netshare__adam_add(&a, x, gx, 3));
	for (int s = 0; s < 2000; s++) {
		for (int i = 0; i < 3; i++)
			gx[i] = 2 * (x[i] - (float)i);
		netshare__adam_step(&a);
	}
	for (int i = 0; i < 3; i++)
		ck_assert_float_eq_tol(x[i], (float)i, 1e-2);
	netshare__adam_free(&a);
}
END_TEST

START_TEST(weight_average)
{
	/* Twelve updates of two tensors with decay 0.5, against the recurrence computed
	 * here: b_u = min(decay, (1 + u) / (10 + u)), avg = b avg + (1 - b) w. */
	float w1[3] = { 1, 2, 3 }, w2[2] = { -1, 4 };
	netshare__ema e;
	netshare__ema_init(&e, 0.5);
	ck_assert_ok(netshare__ema_add(&e, w1, 3));
	ck_assert_ok(netshare__ema_add(&e, w2, 2));
	ck_assert_uint_eq(e.n, 5);
	ck_assert_uint_eq(e.count, 2);
	double ref[5] = { 1, 2, 3, -1, 4 };
	for (int u = 0; u < 12; u++) {
		for (int i = 0; i < 3; i++)
			w1[i] += (float)(u + i) * 0.25f;
		w2[0] -= 1.0f;
		w2[1] *= 0.5f;
		double b = (1.0 + u) / (10.0 + u) < 0.5 ? (1.0 + u) / (10.0 + u) : 0.5;
		for (int i = 0; i < 3; i++)
			ref[i] = b * ref[i] + (1 - b) * w1[i];
		ref[3] = b * ref[3] + (1 - b) * w2[0];
		ref[4] = b * ref[4] + (1 - b) * w2[1];
		netshare__ema_update(&e);
	}
	ck_assert_uint_eq(e.updates, 12);
	for (int i = 0; i < 5; i++)
		ck_assert_double_eq_tol(e.avg[i], ref[i], 1e-5);
	ck_assert(e.avg[2] != w1[2]); /* the live tensors are left alone */
	/* A reset restarts at the live values. */
	netshare__ema_reset(&e);
	ck_assert_uint_eq(e.updates, 0);
	ck_assert_mem_eq(e.avg, w1, sizeof w1);
	ck_assert_mem_eq(e.avg + 3, w2, sizeof w2);
	netshare__ema_free(&e);
	/* Off: nothing is held, and an update does nothing. */
	netshare__ema_init(&e, 0);
	ck_assert_ok(netshare__ema_add(&e, w1, 3));
	ck_assert_uint_eq(e.n, 0);
	ck_assert_uint_eq(e.count, 0);
	netshare__ema_update(&e);
	ck_assert_uint_eq(e.updates, 0);
	netshare__ema_free(&e);
}
END_TEST

START_TEST(initialisers)
{
	netshare__rng g;
	netshare__rng_seed(&g, 4);
	const int shapes[][2] = { { 400, 100 }, { 30, 30 }, { 20, 50 } };
	for (size_t s = 0; s < 3; s++) {
		int rows = shapes[s][0], cols = shapes[s][1];
		float *w = malloc((size_t)rows * cols * sizeof *w);
		ck_assert_ok(netshare__init_orthogonal(w, rows, cols, &g));
		int tall = rows >= cols, k = tall ? cols : rows;
		for (int a = 0; a < k; a++)
			for (int b = 0; b < k; b++) {
				double d = 0;
				for (int i = 0; i < (tall ? rows : cols); i++)
					d += tall ? (double)w[i * cols + a] * w[i * cols + b]
					          : (double)w[a * cols + i] * w[b * cols + i];
				ck_assert_double_eq_tol(d, a == b, 1e-5);
			}
		free(w);
	}
	netshare__dense d;
	ck_assert_ok(netshare__dense_init(&d, 300, 200));
	netshare__dense_init_xavier(&d, &g);
	float bound = sqrtf(6.0f / 500.0f), mx = 0;
	double sum2 = 0;
	for (int i = 0; i < 300 * 200; i++) {
		mx = fabsf(d.w[i]) > mx ? fabsf(d.w[i]) : mx;
		sum2 += (double)d.w[i] * d.w[i];
	}
	ck_assert_float_le(mx, bound);
	ck_assert_double_eq_tol(sum2 / (300 * 200), bound * bound / 3, 2e-4); /* U(-a,a) variance */
	ck_assert_float_eq(d.b[0], 0);
	netshare__dense_free(&d);
	ck_assert_status(netshare__dense_init(&d, 0, 3), NETSHARE_EINVAL);
}
END_TEST

enum { S = 6, LB = 3, LI = 4, LH = 5 };

struct lstm_ctx {
	netshare__lstm l;
	netshare__lstm_cache k;
	float *x, *h0, *c0, *r;
};

static double
lstm_loss(void *p)
{
	struct lstm_ctx *c = p;
	netshare__lstm_forward(&c->l, c->x, c->h0, c->c0, &c->k);
	return dot(c->k.h + LB * LH, c->r, S * LB * LH);
}

START_TEST(lstm_backward_through_time)
{
	netshare__rng g;
	netshare__rng_seed(&g, 5);
	struct lstm_ctx c;
	ck_assert_ok(netshare__lstm_init(&c.l, LI, LH));
	ck_assert_ok(netshare__lstm_init_weights(&c.l, &g));
	for (int i = 0; i < 4 * LH; i++) { /* non-trivial biases, so their gradients show */
		c.l.b_ih[i] += 0.1f * (float)netshare__rng_normal(&g);
		c.l.b_hh[i] = 0.1f * (float)netshare__rng_normal(&g);
	}
	ck_assert_ok(netshare__lstm_cache_init(&c.k, &c.l, S, LB));
	c.x = randn(&g, S * LB * LI, 1);
	c.h0 = randn(&g, LB * LH, 1);
	c.c0 = randn(&g, LB * LH, 1);
	c.r = randn(&g, S * LB * LH, 1);
	lstm_loss(&c);
	float dx[S * LB * LI], dh0[LB * LH], dc0[LB * LH];
	netshare__lstm_zero_grad(&c.l);
	netshare__lstm_backward(&c.l, c.x, c.r, &c.k, dx, dh0, dc0);
	gradcheck("lstm dx", lstm_loss, &c, c.x, dx, S * LB * LI);
	gradcheck("lstm dh0", lstm_loss, &c, c.h0, dh0, LB * LH);
	gradcheck("lstm dc0", lstm_loss, &c, c.c0, dc0, LB * LH);
	gradcheck("lstm dW_ih", lstm_loss, &c, c.l.w_ih, c.l.dw_ih, 4 * LH * LI);
	gradcheck("lstm dW_hh", lstm_loss, &c, c.l.w_hh, c.l.dw_hh, 4 * LH * LH);
	gradcheck("lstm db_ih", lstm_loss, &c, c.l.b_ih, c.l.db_ih, 4 * LH);
	gradcheck("lstm db_hh", lstm_loss, &c, c.l.b_hh, c.l.db_hh, 4 * LH);
	/* The forget gate's bias starts at 1 (the init, before the noise added above). */
	netshare__lstm l2;
	ck_assert_ok(netshare__lstm_init(&l2, LI, LH));
	ck_assert_ok(netshare__lstm_init_weights(&l2, &g));
	ck_assert_float_eq(l2.b_ih[LH], 1.0f);
	ck_assert_float_eq(l2.b_ih[0], 0.0f);
	netshare__lstm_free(&l2);
	netshare__lstm_cache_free(&c.k);
	netshare__lstm_free(&c.l);
	free(c.x);
	free(c.h0);
	free(c.c0);
	free(c.r);
}
END_TEST

/* A held input prefix (the same at every step) projected once gives the outputs of
 * the plain forward over the full rows, to float rounding. */
START_TEST(lstm_held_input_matches)
{
	enum { HELD = 3, REST = LI - HELD };
	netshare__rng g;
	netshare__rng_seed(&g, 9);
	netshare__lstm l;
	netshare__lstm_cache k1, k2;
	ck_assert_ok(netshare__lstm_init(&l, LI, LH));
	ck_assert_ok(netshare__lstm_init_weights(&l, &g));
	for (int i = 0; i < 4 * LH; i++)
		l.b_hh[i] = 0.1f * (float)netshare__rng_normal(&g);
	ck_assert_ok(netshare__lstm_cache_init(&k1, &l, S, LB));
	ck_assert_ok(netshare__lstm_cache_init(&k2, &l, S, LB));
	float *held = randn(&g, LB * HELD, 1), *rest = randn(&g, S * LB * REST, 1);
	float *full = malloc(S * LB * LI * sizeof *full);
	ck_assert_ptr_nonnull(full);
	for (int t = 0; t < S; t++)
		for (int b = 0; b < LB; b++) {
			memcpy(full + (t * LB + b) * LI, held + b * HELD, HELD * sizeof *full);
			memcpy(full + (t * LB + b) * LI + HELD, rest + (t * LB + b) * REST,
			       REST * sizeof *full);
		}
	float *h0 = randn(&g, LB * LH, 1), *c0 = randn(&g, LB * LH, 1);
	netshare__lstm_forward(&l, full, h0, c0, &k1);
	netshare__lstm_forward_held(&l, held, HELD, rest, h0, c0, &k2);
	for (int i = 0; i < (S + 1) * LB * LH; i++)
		ck_assert_float_eq_tol(k1.h[i], k2.h[i], 1e-5f);
	ck_assert(memcmp(k1.h, k2.h, LB * LH * sizeof(float)) == 0); /* h0 copied as is */
	/* Stepping rows one step at a time: all rows give the same outputs; rows dropped
	 * after step 0 (as finished flows are) leave the others' outputs unchanged. */
	for (int drop = 0; drop < 2; drop++) {
		netshare__lstm_project_held(&l, held, HELD, rest, &k2);
		uint32_t rows[LB];
		size_t n = 0;
		for (int b = 0; b < LB; b++)
			rows[n++] = (uint32_t)b;
		for (int t = 0; t < S; t++) {
			netshare__lstm_step_rows(&l, &k2, t, h0, c0, rows, n);
			if (drop && t == 0)
				n = 1, rows[0] = LB - 1; /* only the last row goes on */
		}
		for (int t = 1; t <= S; t++)
			for (int b = 0; b < LB; b++)
				for (int j = 0; j < LH && (!drop || t == 1 || b == LB - 1); j++)
					ck_assert_float_eq_tol(k1.h[(t * LB + b) * LH + j],
					                       k2.h[(t * LB + b) * LH + j], 1e-5f);
	}
	free(held);
	free(rest);
	free(full);
	free(h0);
	free(c0);
	netshare__lstm_cache_free(&k1);
	netshare__lstm_cache_free(&k2);
	netshare__lstm_free(&l);
}
END_TEST

/* A product cut into blocks: the same bits whichever threads compute them (no pool, 2
 * or 3 threads), for every transposition, blocks of columns and (few columns) of rows,
 * beta 0 and 1; and within float rounding of the single call. Shapes of the critics at
 * NetShare's default and for long flows. */
START_TEST(blocked_products_do_not_depend_on_threads)
{
	const int shapes[][3] = { { 300, 512, 1441 }, { 512, 1441, 200 }, { 300, 1441, 512 },
	                          { 100, 100, 512 }, { 300, 64, 700 }, { 3, 5, 7 },
	                          { 300, 512, 4000 } };
	netshare__rng r;
	netshare__rng_seed(&r, 4);
	netshare__pool *pools[2];
	ck_assert_ok(netshare__pool_new(&pools[0], 2));
	ck_assert_ok(netshare__pool_new(&pools[1], 3));
	netshare__blas_single_begin();
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
		int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
		size_t na = (size_t)M * K, nb = (size_t)K * N, nc = (size_t)M * N;
		float *a = malloc(na * sizeof *a), *b = malloc(nb * sizeof *b);
		float *c0 = malloc(nc * sizeof *c0), *c1 = malloc(nc * sizeof *c1);
		ck_assert(a && b && c0 && c1);
		for (size_t i = 0; i < na; i++)
			a[i] = 2 * netshare__rng_uniformf(&r) - 1;
		for (size_t i = 0; i < nb; i++)
			b[i] = 2 * netshare__rng_uniformf(&r) - 1;
		float *c2 = malloc(nc * sizeof *c2);
		ck_assert_ptr_nonnull(c2);
		for (int t = 0; t < 4; t++) {
			enum CBLAS_TRANSPOSE ta = t & 1 ? CblasTrans : CblasNoTrans;
			enum CBLAS_TRANSPOSE tb = t & 2 ? CblasTrans : CblasNoTrans;
			int lda = ta == CblasNoTrans ? K : M, ldb = tb == CblasNoTrans ? N : K;
			for (int beta = 0; beta < 2; beta++) {
				for (size_t i = 0; i < nc; i++)
					c0[i] = c1[i] = (float)(i % 13) * 0.25f;
				cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 0.5f, a, lda, b, ldb,
				            (float)beta, c0, N);
				netshare__sgemm(NULL, 2, ta, tb, M, N, K, 0.5f, a, lda, b, ldb,
				                (float)beta, c1, N);
				for (size_t i = 0; i < nc; i++)
					ck_assert_float_eq_tol(c1[i], c0[i], 1e-4f * sqrtf((float)K));
				for (int p = 0; p < 2; p++) {
					for (size_t i = 0; i < nc; i++)
						c2[i] = (float)(i % 13) * 0.25f;
					netshare__sgemm(pools[p], 2, ta, tb, M, N, K, 0.5f, a, lda, b, ldb,
					                (float)beta, c2, N);
					ck_assert_msg(memcmp(c1, c2, nc * sizeof *c1) == 0,
					              "%d x %d x %d, trans %d, %d threads, beta %d", M, N, K,
					              t, p + 2, beta);
				}
			}
		}
		free(c2);
		free(a);
		free(b);
		free(c0);
		free(c1);
	}
	netshare__blas_single_end();
	netshare__pool_free(pools[0]);
	netshare__pool_free(pools[1]);
}
END_TEST

NETSHARE_TEST_MAIN("nn-layers", fast_tanh_is_accurate, fast_exp_is_accurate,
	softmax_rows_in_blocks_match_one_row_at_a_time,
	blocked_products_do_not_depend_on_threads,
	lstm_backward_through_time,
	lstm_held_input_matches,
	dense_backward,
	activation_backward,
	batchnorm_backward_and_running_stats,
	adam_update_and_convergence,
	weight_average,
	initialisers)
