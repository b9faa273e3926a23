/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The WGAN critic: backward by finite differences, and the closed-form gradient of the
 * gradient penalty against an independent double-precision reference (the critic, its
 * input gradient and the penalty written out again here, differentiated numerically
 * with respect to every weight).
 */
#include <math.h>

#include "../test-common.h"
#include "core/rng.h"
#include "nn/critic.h"
#include "nn/critic_dp.h"

enum { B = 7, IN = 13, U = 11, L = 3 };
/* A critic with a front: FS groups of FK inputs embedded into FE floats each, FREST more
 * inputs. */
enum { FS = 3, FK = 4, FE = 2, FREST = 2, FIN = FS * FK + FREST, FIN0 = FS * FE + FREST };
enum { XIN = (int)FIN > (int)IN ? (int)FIN : (int)IN }; /* room for either critic's rows */

/* The reference: same weights, double precision, written independently. With a
 * projection, v (cond x U) on the last cond inputs. */
typedef struct ref {
	double w[L][U][IN > U ? IN : U], b[L][U], wo[U], bo;
	double v[IN][U];
	int cond;
} ref;

static void
ref_from(ref *r, const netshare__critic *c)
{
	for (int l = 0; l < L; l++) {
		int in = l ? U : IN;
		for (int j = 0; j < U; j++) {
			for (int k = 0; k < in; k++)
				r->w[l][j][k] = c->hidden[l].w[j * in + k];
			r->b[l][j] = c->hidden[l].b[j];
		}
	}
	for (int j = 0; j < U; j++)
		r->wo[j] = c->out.w[j];
	r->bo = c->out.b[0];
	r->cond = c->cond;
	for (int k = 0; k < c->cond; k++)
		for (int j = 0; j < U; j++)
			r->v[k][j] = c->pv[k * U + j];
}

/* The score of one row: the MLP, its output layer and the projection y^T V h. */
static double
ref_score(const ref *r, const double *x)
{
	double h[L][U];
	for (int l = 0; l < L; l++) {
		int in = l ? U : IN;
		for (int j = 0; j < U; j++) {
			double z = r->b[l][j];
			for (int k = 0; k < in; k++)
				z += r->w[l][j][k] * (l ? h[l - 1][k] : x[k]);
			h[l][j] = z > 0 ? z : 0;
		}
	}
	double s = r->bo;
	for (int j = 0; j < U; j++) {
		double wj = r->wo[j];
		for (int k = 0; k < r->cond; k++)
			wj += x[IN - r->cond + k] * r->v[k][j];
		s += wj * h[L - 1][j];
	}
	return s;
}

/* The penalty with dD/dx by central differences of ref_score (exact for its quadratic
 * pieces): independent of the closed form's algebra. */
static double
ref_gp_numeric(const ref *r, const float *x, double lambda)
{
	double gp = 0;
	for (int b = 0; b < B; b++) {
		double xb[IN], n2 = 0;
		for (int k = 0; k < IN; k++)
			xb[k] = x[b * IN + k];
		for (int k = 0; k < IN; k++) {
			double keep = xb[k];
			xb[k] = keep + 1e-5;
			double up = ref_score(r, xb);
			xb[k] = keep - 1e-5;
			double g = (up - ref_score(r, xb)) / 2e-5;
			xb[k] = keep;
			n2 += g * g;
		}
		double n = sqrt(n2 + 1e-8);
		gp += (n - 1) * (n - 1);
	}
	return lambda * gp / B;
}

/* GP = lambda * mean_b (||dD/dx_b|| - 1)^2, with dD/dx by the chain rule. */
static double
ref_gp(const ref *r, const float *x, double lambda)
{
	double gp = 0;
	for (int b = 0; b < B; b++) {
		double h[L][U], mask[L][U];
		for (int l = 0; l < L; l++) {
			int in = l ? U : IN;
			for (int j = 0; j < U; j++) {
				double z = r->b[l][j];
				for (int k = 0; k < in; k++)
					z += r->w[l][j][k] * (l ? h[l - 1][k] : x[b * IN + k]);
				mask[l][j] = z > 0;
				h[l][j] = z > 0 ? z : 0;
			}
		}
		double d[U], g[IN];
		for (int j = 0; j < U; j++)
			d[j] = mask[L - 1][j] * r->wo[j];
		for (int l = L - 1; l >= 1; l--) {
			double prev[U];
			for (int k = 0; k < U; k++) {
				prev[k] = 0;
				for (int j = 0; j < U; j++)
					prev[k] += d[j] * r->w[l][j][k];
				prev[k] *= mask[l - 1][k];
			}
			memcpy(d, prev, sizeof d);
		}
		double n2 = 0;
		for (int k = 0; k < IN; k++) {
			g[k] = 0;
			for (int j = 0; j < U; j++)
				g[k] += d[j] * r->w[0][j][k];
			n2 += g[k] * g[k];
		}
		double n = sqrt(n2 + 1e-8);
		gp += (n - 1) * (n - 1);
	}
	return lambda * gp / B;
}

START_TEST(gradient_penalty_weight_gradient)
{
	netshare__rng g;
	netshare__rng_seed(&g, 11);
	netshare__critic c;
	ck_assert_ok(netshare__critic_init(&c, IN, U, L, B));
	netshare__critic_init_weights(&c, &g);
	for (int l = 0; l < L; l++) /* biases that shift the ReLU masks */
		for (int j = 0; j < U; j++)
			c.hidden[l].b[j] = 0.2f * (float)netshare__rng_normal(&g);
	float x[B * IN];
	netshare__rng_fill_normalf(&g, x, B * IN, 0, 1);
	netshare__critic_zero_grad(&c);
	double gp = netshare__critic_gradient_penalty(&c, x, B, 10.0);
	static ref r;
	ref_from(&r, &c);
	double want = ref_gp(&r, x, 10.0);
	ck_assert_msg(fabs(gp - want) <= 1e-4 * fmax(1, want), "GP %.9g vs reference %.9g", gp, want);
	ck_assert_double_gt(gp, 0.01);
	/* Numeric derivative of the reference for every hidden weight and the output weights;
	 * biases must get no penalty gradient (it is flat in them between mask changes). */
	const double h = 1e-6;
	int checked = 0;
	for (int l = 0; l < L; l++) {
		int in = l ? U : IN;
		for (int j = 0; j < U; j++)
			for (int k = 0; k < in; k++) {
				double keep = r.w[l][j][k];
				r.w[l][j][k] = keep + h;
				double up = ref_gp(&r, x, 10.0);
				r.w[l][j][k] = keep - h;
				double down = ref_gp(&r, x, 10.0);
				r.w[l][j][k] = keep;
				double num = (up - down) / (2 * h), ana = c.hidden[l].dw[j * in + k];
				ck_assert_msg(fabs(num - ana) <= 1e-3 * fmax(fabs(num), 1e-2),
				              "dGP/dW%d[%d][%d]: closed form %.8g, numeric %.8g", l, j, k,
				              ana, num);
				checked++;
			}
		for (int j = 0; j < U; j++)
			ck_assert_float_eq(c.hidden[l].db[j], 0.0f);
	}
	for (int j = 0; j < U; j++) {
		double keep = r.wo[j];
		r.wo[j] = keep + h;
		double up = ref_gp(&r, x, 10.0);
		r.wo[j] = keep - h;
		double down = ref_gp(&r, x, 10.0);
		r.wo[j] = keep;
		double num = (up - down) / (2 * h);
		ck_assert_msg(fabs(num - c.out.dw[j]) <= 1e-3 * fmax(fabs(num), 1e-2),
		              "dGP/dw_out[%d]: closed form %.8g, numeric %.8g", j, c.out.dw[j], num);
	}
	ck_assert_int_eq(checked, IN * U + 2 * U * U);
	netshare__critic_free(&c);
}
END_TEST

struct ctx {
	netshare__critic c;
	float *x, *r;
};

static double
score_loss(struct ctx *t)
{
	const float *s = netshare__critic_forward(&t->c, t->x, B);
	double v = 0;
	for (int b = 0; b < B; b++)
		v += (double)s[b] * t->r[b];
	return v;
}

/* The ReLU pattern of the last forward pass, hashed: a probe that flips a mask crosses a
 * kink, where finite differences do not measure the gradient. */
static uint64_t
mask_hash(const struct ctx *t)
{
	uint64_t h = 1469598103934665603ULL;
	for (int l = 0; l < L; l++)
		for (int k = 0; k < B * U; k++)
			h = (h ^ (uint64_t)(t->c.h[l][k] > 0)) * 1099511628211ULL;
	return h;
}

static void
check(struct ctx *t, float *p, const float *grad, size_t n, const char *what)
{
	size_t skipped = 0;
	for (size_t i = 0; i < n; i++) {
		float keep = p[i];
		p[i] = keep + 1e-3f;
		double up = score_loss(t);
		uint64_t mu = mask_hash(t);
		p[i] = keep - 1e-3f;
		double down = score_loss(t);
		uint64_t md = mask_hash(t);
		p[i] = keep;
		if (mu != md) {
			skipped++;
			continue;
		}
		double num = (up - down) / 2e-3;
		ck_assert_msg(fabs(num - grad[i]) <= 2e-2 * fmax(fmax(fabs(num), fabs(grad[i])), 1e-2),
		              "%s[%zu]: analytic %.6g numeric %.6g", what, i, grad[i], num);
	}
	ck_assert_msg(skipped * 10 <= n, "%s: %zu of %zu probes crossed a ReLU kink", what,
	              skipped, n);
}

/* Random rows x and score weights r (from g), the backward pass of sum_b r_b D(x_b)
 * into dx and the weight gradients, and finite differences of the input, first-layer
 * and output-layer gradients. */
static void
score_backward_check(struct ctx *t, netshare__rng *g, float *x, float *r, float *dx)
{
	netshare__rng_fill_normalf(g, x, B * IN, 0, 1);
	netshare__rng_fill_normalf(g, r, B, 0, 1);
	t->x = x;
	t->r = r;
	score_loss(t);
	netshare__critic_zero_grad(&t->c);
	netshare__critic_backward(&t->c, x, r, B, dx);
	check(t, x, dx, B * IN, "dx");
	check(t, t->c.hidden[0].w, t->c.hidden[0].dw, IN * U, "dW0");
	check(t, t->c.out.w, t->c.out.dw, U, "dw_out");
}

START_TEST(backward_matches_finite_differences)
{
	netshare__rng g;
	netshare__rng_seed(&g, 12);
	struct ctx t;
	ck_assert_ok(netshare__critic_init(&t.c, IN, U, L, B));
	netshare__critic_init_weights(&t.c, &g);
	float x[B * IN], r[B], dx[B * IN];
	score_backward_check(&t, &g, x, r, dx);
	check(&t, t.c.hidden[2].w, t.c.hidden[2].dw, U * U, "dW2");
	check(&t, t.c.hidden[1].b, t.c.hidden[1].db, U, "db1");
	ck_assert(netshare__critic_finite(&t.c));
	netshare__critic_free(&t.c);
	ck_assert_status(netshare__critic_init(&t.c, IN, U, 0, B), NETSHARE_EINVAL);
}
END_TEST

/* A critic of the test's shape (with a front: FIN inputs, else IN) with Xavier weights
 * and biases that shift the ReLU masks, room for `rows` rows. */
static void
random_critic(netshare__critic *c, netshare__rng *g, int rows, int front)
{
	if (front)
		ck_assert_ok(netshare__critic_init_front(c, FIN, FS, FK, FE, U, L, rows));
	else
		ck_assert_ok(netshare__critic_init(c, IN, U, L, rows));
	netshare__critic_init_weights(c, g);
	for (int l = 0; l < L; l++)
		for (int j = 0; j < U; j++)
			c->hidden[l].b[j] = 0.2f * (float)netshare__rng_normal(g);
	for (int m = 0; front && m < FE; m++)
		c->front.b[m] = 0.3f * (float)netshare__rng_normal(g);
}

/* Example b's gradient of a critic step's loss made explicitly in the critic's buffers:
 * the ordinary backward on its fake and real rows of x (3B rows) alone, the penalty on
 * its interpolate alone with weight lambda / B. */
static void
explicit_example_gradient(netshare__critic *c, const float *x, int b, float sf, float sr,
                          double lambda)
{
	int in = c->in;
	netshare__critic_zero_grad(c);
	float pair[2 * XIN], dscore[2] = { sf, sr };
	memcpy(pair, x + b * in, in * sizeof *pair);
	memcpy(pair + in, x + (B + b) * in, in * sizeof *pair);
	netshare__critic_forward(c, pair, 2);
	netshare__critic_backward(c, pair, dscore, 2, NULL);
	netshare__critic_gradient_penalty(c, x + (2 * B + b) * in, 1, lambda / B);
}

/* The front's gradient buffers (none without one), in the DP step's noise order. */
static size_t
front_grads(const netshare__critic *c, double *out, double *norm2)
{
	size_t n = 0;
	for (int k = 0; c->steps && k < c->front.in * c->front.out; k++)
		out[n++] = c->front.dw[k];
	for (int m = 0; c->steps && m < c->front.out; m++)
		out[n++] = c->front.db[m];
	for (size_t k = 0; k < n; k++)
		*norm2 += out[k] * out[k];
	return n;
}

/* The squared norm of everything the critic's gradient buffers hold. */
static double
grad_norm2(const netshare__critic *c)
{
	double s = 0;
	for (int l = 0; l < c->layers; l++) {
		const netshare__dense *d = &c->hidden[l];
		for (size_t k = 0; k < (size_t)d->in * d->out; k++)
			s += (double)d->dw[k] * d->dw[k];
		for (int j = 0; j < d->out; j++)
			s += (double)d->db[j] * d->db[j];
	}
	for (int j = 0; j < c->units; j++)
		s += (double)c->out.dw[j] * c->out.dw[j];
	double front[FE * FK + FE];
	front_grads(c, front, &s);
	return s + (double)c->out.db[0] * c->out.db[0];
}

/*
 * DP-SGD's per-example norms against brute force: each example's gradient made
 * explicitly, by running the ordinary backward on its fake and real rows alone and the
 * penalty on its interpolate alone (weight lambda / B), then its squared norm summed
 * over every weight and bias.
 */
static void
example_norms_check(int front)
{
	netshare__rng g;
	netshare__rng_seed(&g, 13);
	netshare__critic c;
	random_critic(&c, &g, 3 * B, front);
	c.out.b[0] = 0.3f;
	const int IN_ = c.in;
	float x[3 * B * XIN];
	netshare__rng_fill_normalf(&g, x, 2 * B * IN_, 0, 1);
	for (int b = 0; b < B; b++) {
		float a = netshare__rng_uniformf(&g);
		for (int k = 0; k < IN_; k++)
			x[(2 * B + b) * IN_ + k] = a * x[(B + b) * IN_ + k] + (1 - a) * x[b * IN_ + k];
	}
	const double lambda = 10.0;
	double norm2[B];
	/* A critic step's weights, and unequal ones (the output bias then has a gradient). */
	for (int v = 0; v < 2; v++) {
		const float sf = v ? 0.3f : 1.0f / B, sr = v ? -0.1f : -1.0f / B;
		netshare__critic_forward(&c, x, 3 * B);
		ck_assert_ok(netshare__critic_example_norms(&c, x, B, sf, sr, lambda / B, norm2));
		for (int b = 0; b < B; b++) {
			explicit_example_gradient(&c, x, b, sf, sr, lambda);
			double want = grad_norm2(&c);
			ck_assert_msg(fabs(norm2[b] - want) <= 1e-4 * want, "example %d: %.9g vs %.9g", b,
			              norm2[b], want);
			ck_assert_double_gt(want, 0);
		}
	}
	/* Too many rows for the critic's workspace: refused. */
	ck_assert_status(netshare__critic_example_norms(&c, x, 3 * B, 0.1f, -0.1f, lambda / B, norm2),
	                 NETSHARE_EINVAL);
	netshare__critic_free(&c);
}

START_TEST(example_norms_match_per_example_gradients)
{
	example_norms_check(0);
	example_norms_check(1); /* with a front */
}
END_TEST

/* Every gradient buffer of a critic, in the DP step's noise order, into out. */
static size_t
grads_of(const netshare__critic *c, double *out)
{
	size_t n = 0;
	for (int l = 0; l < c->layers; l++) {
		const netshare__dense *d = &c->hidden[l];
		for (size_t k = 0; k < (size_t)d->in * d->out; k++)
			out[n++] = d->dw[k];
		for (int j = 0; j < d->out; j++)
			out[n++] = d->db[j];
	}
	for (int j = 0; j < c->units; j++)
		out[n++] = c->out.dw[j];
	out[n++] = c->out.db[0];
	double unused = 0;
	return n + front_grads(c, out + n, &unused);
}

/*
 * The DP step's gradient equals clipping each example's explicit gradient to the bound
 * and adding the noise drawn from the same seed in the documented order.
 */
static void
dp_gradient_check(int front)
{
	enum { PMAX = U * XIN + U + (L - 1) * (U * U + U) + U + 1 + FE * FK + FE };
	netshare__rng g;
	netshare__rng_seed(&g, 14);
	netshare__critic c;
	random_critic(&c, &g, 3 * B, front);
	const int IN_ = c.in;
	const size_t P = (size_t)netshare__critic_floats(c.in, c.steps, c.step_in, c.front.out, U, L);
	ck_assert_uint_le(P, PMAX);
	float x[3 * B * XIN];
	netshare__rng_fill_normalf(&g, x, 3 * B * IN_, 0, 1);
	const double lambda = 10.0;
	const float sf = 1.0f / B, sr = -1.0f / B;
	double norm2[B], sorted[B];
	netshare__critic_forward(&c, x, 3 * B);
	ck_assert_ok(netshare__critic_example_norms(&c, x, B, sf, sr, lambda / B, norm2));
	memcpy(sorted, norm2, sizeof sorted);
	/* clip between the two middle norms: some examples clipped, some not, and none so
	 * near the bound that rounding decides */
	for (int i = 0; i < B; i++)
		for (int j = i + 1; j < B; j++)
			if (sorted[j] < sorted[i]) {
				double t = sorted[i];
				sorted[i] = sorted[j];
				sorted[j] = t;
			}
	ck_assert_double_lt(sorted[B / 2 - 1] * 1.001, sorted[B / 2]);
	const double clip = sqrt((sorted[B / 2 - 1] + sorted[B / 2]) / 2), std = 0.05;
	/* Expected: explicit per-example gradients, clipped and summed, plus the noise. */
	static double want[PMAX], one[PMAX], got[PMAX];
	memset(want, 0, sizeof want);
	int want_clipped = 0;
	for (int b = 0; b < B; b++) {
		explicit_example_gradient(&c, x, b, sf, sr, lambda);
		ck_assert_uint_eq(grads_of(&c, one), P);
		double n = 0;
		for (size_t k = 0; k < P; k++)
			n += one[k] * one[k];
		n = sqrt(n);
		double w = n > clip ? clip / n : 1.0;
		want_clipped += n > clip;
		for (size_t k = 0; k < P; k++)
			want[k] += w * one[k];
	}
	netshare__rng noise;
	netshare__rng_seed(&noise, 99);
	static float drawn[PMAX];
	memset(drawn, 0, sizeof drawn);
	netshare__rng_add_normalf(&noise, drawn, P, std);
	for (size_t k = 0; k < P; k++)
		want[k] += drawn[k];
	netshare__rng_seed(&noise, 99);
	/* In two parts (a sample larger than the critic's rows is), each with the batch's
	 * weights 1/B and lambda/B, then the noise once. */
	int clipped = 0;
	netshare__critic_zero_grad(&c);
	for (int part = 0, first = 0; part < 2; part++) {
		int n = part ? B - first : B / 2;
		float xp[3 * B * XIN];
		for (int pass = 0; pass < 3; pass++)
			memcpy(xp + pass * n * IN_, x + (pass * B + first) * IN_, n * IN_ * sizeof *xp);
		netshare__critic_forward(&c, xp, 3 * n);
		int k = -1;
		double gp = -1;
		ck_assert_ok(netshare__critic_dp_accumulate(&c, xp, n, sf, sr, lambda / B, clip, &k,
		                                            &gp));
		ck_assert_double_gt(gp, 0);
		clipped += k;
		first += n;
	}
	netshare__critic_add_noise(&c, std, &noise);
	ck_assert_int_eq(clipped, want_clipped);
	ck_assert_int_gt(clipped, 0);
	ck_assert_int_lt(clipped, B);
	ck_assert_uint_eq(grads_of(&c, got), P);
	for (size_t k = 0; k < P; k++)
		ck_assert_msg(fabs(got[k] - want[k]) <= 1e-5 + 1e-4 * fabs(want[k]),
		              "gradient %zu: %.9g vs %.9g", k, got[k], want[k]);
	netshare__critic_free(&c);
}

START_TEST(dp_gradient_is_clipped_sum_plus_noise)
{
	dp_gradient_check(0);
	dp_gradient_check(1); /* with a front */
}
END_TEST

/*
 * A critic with a front is the plain critic whose first layer is W_0 P (P: E on each
 * group, identity on the rest) with bias b_0 + W_0 (E's bias on each group): built here
 * from the front critic's weights, its scores, input gradient and penalty must be the
 * front critic's; and since the loss depends on W_0 and E only through W_0 P and that
 * bias, the front critic's weight gradients must be the plain critic's (checked above
 * against references) carried through the chain rule, written out here.
 */

static void
front_check(int projection)
{
	netshare__rng g;
	netshare__rng_seed(&g, 15);
	netshare__critic f, p;
	ck_assert_ok(netshare__critic_init_front(&f, FIN, FS, FK, FE, U, L, 3 * B));
	ck_assert_int_eq(f.in0, FIN0);
	ck_assert_double_eq(netshare__critic_floats(FIN, FS, FK, FE, U, L),
	                    FK * FE + FE + FIN0 * U + U + (L - 1) * (U * U + U) + U + 1);
	netshare__critic_init_weights(&f, &g);
	for (int m = 0; m < FE; m++)
		f.front.b[m] = 0.3f * (float)netshare__rng_normal(&g);
	for (int l = 0; l < L; l++)
		for (int j = 0; j < U; j++)
			f.hidden[l].b[j] = 0.2f * (float)netshare__rng_normal(&g);
	ck_assert_ok(netshare__critic_init(&p, FIN, U, L, 3 * B));
	for (int l = 1; l < L; l++)
		ck_assert_ok(netshare__dense_copy(&p.hidden[l], &f.hidden[l]));
	ck_assert_ok(netshare__dense_copy(&p.out, &f.out));
	const float *w0 = f.hidden[0].w, *e = f.front.w;
	for (int j = 0; j < U; j++) {
		double b = f.hidden[0].b[j];
		for (int s = 0; s < FS; s++)
			for (int m = 0; m < FE; m++) {
				b += (double)w0[j * FIN0 + s * FE + m] * f.front.b[m];
				for (int i = 0; i < FK; i++) {
					double v = 0;
					for (int mm = 0; mm < FE; mm++)
						v += (double)w0[j * FIN0 + s * FE + mm] * e[mm * FK + i];
					p.hidden[0].w[j * FIN + s * FK + i] = (float)v;
				}
			}
		for (int r = 0; r < FREST; r++)
			p.hidden[0].w[j * FIN + FS * FK + r] = w0[j * FIN0 + FS * FE + r];
		p.hidden[0].b[j] = (float)b;
	}
	if (projection) { /* the same V on the attributes in both */
		ck_assert_ok(netshare__critic_project(&f, FREST));
		ck_assert_ok(netshare__critic_project(&p, FREST));
		for (int k = 0; k < FREST * U; k++)
			f.pv[k] = p.pv[k] = 0.3f * (float)netshare__rng_normal(&g);
	}
	float x[2 * B * FIN], r[2 * B], dxf[2 * B * FIN], dxp[2 * B * FIN];
	netshare__rng_fill_normalf(&g, x, 2 * B * FIN, 0, 1);
	netshare__rng_fill_normalf(&g, r, 2 * B, 0, 1);
	/* The score loss's gradients, then the penalty's added to them, on the first B rows */
	for (int pass = 0; pass < 2; pass++) {
		netshare__critic *both[2] = { &f, &p };
		float *dx[2] = { dxf, dxp };
		double gp[2];
		for (int c = 0; c < 2; c++) {
			netshare__critic_zero_grad(both[c]);
			const float *sc = netshare__critic_forward(both[c], x, 2 * B);
			if (c)
				for (int b = 0; b < 2 * B; b++)
					ck_assert_msg(fabs(sc[b] - f.score[b]) <= 1e-5 * fmax(1, fabs(sc[b])),
					              "score %d: %.8g with the front, %.8g without", b,
					              f.score[b], sc[b]);
			netshare__critic_backward(both[c], x, r, 2 * B, dx[c]);
			gp[c] = pass ? netshare__critic_penalty_rows(both[c], B, B, 10.0) : 0;
		}
		ck_assert_msg(fabs(gp[0] - gp[1]) <= 1e-5 * fmax(1, gp[1]), "GP %.8g vs %.8g", gp[0],
		              gp[1]);
		if (pass)
			ck_assert_double_gt(gp[0], 0.01);
		for (int k = 0; k < 2 * B * FIN; k++)
			ck_assert_msg(fabs(dxf[k] - dxp[k]) <= 1e-5, "dx[%d] %.8g vs %.8g", k, dxf[k],
			              dxp[k]);
		const float *dweff = p.hidden[0].dw;
		for (int j = 0; j < U; j++) /* dW_0 = dW_eff P^T (+ E's bias times db_eff) */
			for (int c = 0; c < FIN0; c++) {
				double want = 0;
				if (c < FS * FE) {
					want = (double)f.front.b[c % FE] * p.hidden[0].db[j];
					for (int i = 0; i < FK; i++)
						want += (double)dweff[j * FIN + c / FE * FK + i] * e[c % FE * FK + i];
				} else
					want = dweff[j * FIN + FS * FK + c - FS * FE];
				ck_assert_msg(fabs(f.hidden[0].dw[j * FIN0 + c] - want) <= 1e-4 * fmax(1, fabs(want)),
				              "dW0[%d][%d] %.8g vs %.8g", j, c, f.hidden[0].dw[j * FIN0 + c], want);
			}
		for (int j = 0; j < U; j++)
			ck_assert(fabs(f.hidden[0].db[j] - p.hidden[0].db[j]) <= 1e-5);
		for (int m = 0; m < FE; m++) { /* dE = sum_s W_0s^T dW_eff,s; dbE = sum_s W_0s^T db_eff */
			double wb = 0;
			for (int j = 0; j < U; j++)
				for (int s = 0; s < FS; s++)
					wb += (double)w0[j * FIN0 + s * FE + m] * p.hidden[0].db[j];
			ck_assert_msg(fabs(f.front.db[m] - wb) <= 1e-4 * fmax(1, fabs(wb)), "dbE[%d]", m);
			for (int i = 0; i < FK; i++) {
				double want = 0;
				for (int j = 0; j < U; j++)
					for (int s = 0; s < FS; s++)
						want += (double)w0[j * FIN0 + s * FE + m] * dweff[j * FIN + s * FK + i];
				ck_assert_msg(fabs(f.front.dw[m * FK + i] - want) <= 1e-4 * fmax(1, fabs(want)),
				              "dE[%d][%d] %.8g vs %.8g", m, i, f.front.dw[m * FK + i], want);
			}
		}
		for (int l = 1; l < L; l++)
			for (int k = 0; k < U * U; k++)
				ck_assert(fabs(f.hidden[l].dw[k] - p.hidden[l].dw[k]) <=
				          1e-4 * fmax(1, fabs(p.hidden[l].dw[k])));
		for (int k = 0; k < f.cond * U; k++)
			ck_assert_msg(fabs(f.dpv[k] - p.dpv[k]) <= 1e-4 * fmax(1, fabs(p.dpv[k])),
			              "dV[%d] %.8g vs %.8g", k, f.dpv[k], p.dpv[k]);
	}
	/* The generator step's input gradient alone */
	netshare__critic_forward(&f, x, 2 * B);
	netshare__critic_backward_input(&f, r, 2 * B, dxf);
	for (int k = 0; k < 2 * B * FIN; k++)
		ck_assert(fabs(dxf[k] - dxp[k]) <= 1e-5);
	netshare__critic bad; /* groups wider than the input: refused */
	ck_assert_status(netshare__critic_init_front(&bad, FIN, FS, FK + 1, FE, U, L, B),
	                 NETSHARE_EINVAL);
	netshare__critic_free(&f);
	netshare__critic_free(&p);
}

START_TEST(front_is_a_factored_first_layer)
{
	front_check(0);
	front_check(1); /* with the projection: its penalty rows after the front's */
}
END_TEST

/* dGP/dp by central differences of the numeric reference, against the closed form's. */
static void
check_gp_gradient(ref *r, double *p, float grad, const float *x, const char *what, int i)
{
	const double h = 1e-4;
	double keep = *p;
	*p = keep + h;
	double up = ref_gp_numeric(r, x, 10.0);
	*p = keep - h;
	double down = ref_gp_numeric(r, x, 10.0);
	*p = keep;
	double num = (up - down) / (2 * h);
	ck_assert_msg(fabs(num - grad) <= 2e-3 * fmax(fabs(num), 1e-2),
	              "dGP/d%s[%d]: closed form %.8g, numeric %.8g", what, i, grad, num);
}

/*
 * The projection term (critic.h): its scores' backward by finite differences, and the
 * penalty's value and weight gradient (the projection's, the biases' it now reaches, and
 * the rest) against the double-precision reference whose input gradient is numeric.
 */
enum { NC = 4 };

START_TEST(projection_matches_references)
{
	netshare__rng g;
	netshare__rng_seed(&g, 16);
	struct ctx t;
	random_critic(&t.c, &g, B, 0);
	ck_assert_ok(netshare__critic_project(&t.c, NC));
	for (int k = 0; k < NC * U; k++) /* V starts at zero: the scores are the MLP's */
		ck_assert_float_eq(t.c.pv[k], 0.0f);
	for (int k = 0; k < NC * U; k++)
		t.c.pv[k] = 0.3f * (float)netshare__rng_normal(&g);
	float x[B * IN], r[B], dx[B * IN];
	score_backward_check(&t, &g, x, r, dx);
	check(&t, t.c.pv, t.c.dpv, NC * U, "dV");
	check(&t, t.c.hidden[2].b, t.c.hidden[2].db, U, "db2");
	float dxi[B * IN]; /* the generator step's input gradient is the same */
	score_loss(&t);
	netshare__critic_backward_input(&t.c, r, B, dxi);
	for (int k = 0; k < B * IN; k++)
		ck_assert_float_eq_tol(dxi[k], dx[k], 1e-6f);

	netshare__critic_zero_grad(&t.c);
	double gp = netshare__critic_gradient_penalty(&t.c, x, B, 10.0);
	static ref rf;
	ref_from(&rf, &t.c);
	double want = ref_gp_numeric(&rf, x, 10.0);
	ck_assert_msg(fabs(gp - want) <= 1e-4 * fmax(1, want), "GP %.9g vs reference %.9g", gp,
	              want);
	ck_assert_double_gt(gp, 0.01);
	for (int k = 0; k < NC; k++)
		for (int j = 0; j < U; j++)
			check_gp_gradient(&rf, &rf.v[k][j], t.c.dpv[k * U + j], x, "V", k * U + j);
	for (int l = 0; l < L; l++) {
		int in = l ? U : IN;
		for (int j = 0; j < U; j++) {
			check_gp_gradient(&rf, &rf.b[l][j], t.c.hidden[l].db[j], x, "b", l * U + j);
			for (int k = 0; k < in; k++)
				check_gp_gradient(&rf, &rf.w[l][j][k], t.c.hidden[l].dw[j * in + k], x, "W",
				                  (l * U + j) * in + k);
		}
	}
	for (int j = 0; j < U; j++)
		check_gp_gradient(&rf, &rf.wo[j], t.c.out.dw[j], x, "w_out", j);
	ck_assert(netshare__critic_finite(&t.c));
	ck_assert_status(netshare__critic_project(&t.c, NC), NETSHARE_EINVAL); /* once */
	netshare__critic_free(&t.c);
	netshare__critic c; /* more than the inputs after a front's groups: refused */
	ck_assert_ok(netshare__critic_init_front(&c, FIN, FS, FK, FE, U, L, B));
	ck_assert_status(netshare__critic_project(&c, FREST + 1), NETSHARE_EINVAL);
	ck_assert_status(netshare__critic_project(&c, 0), NETSHARE_EINVAL);
	netshare__critic_free(&c);
}
END_TEST

NETSHARE_TEST_MAIN("nn-critic",
	projection_matches_references,
	gradient_penalty_weight_gradient,
	backward_matches_finite_differences,
	example_norms_match_per_example_gradients,
	dp_gradient_is_clipped_sum_plus_noise,
	front_is_a_factored_first_layer)
