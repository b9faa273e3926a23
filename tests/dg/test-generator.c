/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DoppelGANger generator on a tiny shape: backward against central finite
 * differences of the forward pass (same noise each time) for parameters of every
 * component (attribute MLP, BatchNorm, attribute head, LSTM, feature head), skipping
 * probes that change a flow's length or an attribute's argmax (the mask and the one-hot
 * conditioning are piecewise constant), also when the features are conditioned on
 * given real attributes; that conditioning on the generated attributes' own values is
 * the ordinary forward; masking; shapes; BatchNorm statistics estimated for the
 * weights against the first layer's population statistics; flows ended by draws from
 * their gen flags (drawn_flags): geometric lengths, one-hot flags, the straight-through
 * gradient, probabilities within flag_band of 0 or 1 rounded.
 */
#include <math.h>
#include <stdio.h>

#include "../test-common.h"
#include "dg/generator.h"

enum { B = 5 };

static netshare__gen_shape
tiny_shape(void)
{
	netshare__gen_shape s;
	memset(&s, 0, sizeof s);
	s.attr_noise = 3;
	s.feat_noise = 2;
	s.attr_layers = 3;
	s.attr_units = 6;
	s.lstm_units = 4;
	s.sample_len = 2;
	s.steps = 3;
	/* attributes: softmax 2, softmax 3, sigmoid 1, tanh 2 */
	const netshare__head ah[] = { { 0, 2, 0 }, { 2, 3, 0 }, { 5, 1, 1 }, { 6, 2, 2 } };
	s.n_attr_heads = 4;
	memcpy(s.attr_heads, ah, sizeof ah);
	s.A = 8;
	/* a record: sigmoid 1, softmax 2, gen flag softmax 2 */
	const netshare__head fh[] = { { 0, 1, 1 }, { 1, 2, 0 }, { 3, 2, 0 } };
	s.n_feat_heads = 3;
	memcpy(s.feat_heads, fh, sizeof fh);
	s.F = 5;
	s.gen_offset = 3;
	s.max_batch = B;
	return s;
}

struct ctx {
	netshare__generator g;
	float *ra, *rf;
	const float *real; /* if set: the features' condition (forward_real_condition) */
	float *generated;  /* its generated attributes */
};

static double
loss(struct ctx *c, uint64_t *signature)
{
	netshare__rng r;
	netshare__rng_seed(&r, 77); /* the same noise for every evaluation */
	if (c->real)
		netshare__generator_forward_real_condition(&c->g, &r, B, c->real, c->generated);
	else
		netshare__generator_forward(&c->g, &r, B, 1);
	const netshare__gen_shape *s = &c->g.s;
	size_t T = (size_t)s->sample_len * s->steps;
	double v = 0;
	for (size_t i = 0; i < (size_t)B * s->A; i++)
		v += (double)c->g.attributes[i] * c->ra[i];
	for (size_t i = 0; i < (size_t)B * T * s->F; i++)
		v += (double)c->g.features[i] * c->rf[i];
	uint64_t h = 1469598103934665603ULL;
	for (int b = 0; b < B; b++) {
		h = (h ^ c->g.lengths[b]) * 1099511628211ULL;
		const float *a = c->g.attributes + (size_t)b * s->A;
		h = (h ^ (uint64_t)(a[1] > a[0])) * 1099511628211ULL;
		int m = a[3] > a[2] ? 3 : 2;
		h = (h ^ (uint64_t)(a[4] > a[m] ? 4 : m)) * 1099511628211ULL;
	}
	*signature = h;
	return v;
}

static void
check(struct ctx *c, float *p, const float *grad, size_t n, const char *what)
{
	size_t skipped = 0;
	for (size_t i = 0; i < n; i++) {
		float keep = p[i];
		uint64_t su, sd;
		p[i] = keep + 2e-3f;
		double up = loss(c, &su);
		p[i] = keep - 2e-3f;
		double down = loss(c, &sd);
		p[i] = keep;
		if (su != sd) {
			skipped++;
			continue;
		}
		double num = (up - down) / 4e-3;
		ck_assert_msg(fabs(num - grad[i]) <= 3e-2 * fmax(fmax(fabs(num), fabs(grad[i])), 2e-2),
		              "%s[%zu]: analytic %.6g numeric %.6g", what, i, grad[i], num);
	}
	ck_assert_msg(skipped * 5 <= n, "%s: %zu of %zu probes changed a length or an argmax",
	              what, skipped, n);
}

/* A generator of shape s with weights drawn from r seeded with `seed`. */
static void
init_generator(netshare__generator *g, const netshare__gen_shape *s, netshare__rng *r,
               uint64_t seed)
{
	ck_assert_ok(netshare__generator_init(g, s));
	netshare__rng_seed(r, seed);
	ck_assert_ok(netshare__generator_init_weights(g, r));
}

/* A generator of the tiny shape with weights drawn from r seeded with `seed`. */
static void
ctx_start(struct ctx *c, netshare__rng *r, uint64_t seed)
{
	netshare__gen_shape s = tiny_shape();
	memset(c, 0, sizeof *c);
	init_generator(&c->g, &s, r, seed);
}

/* The loss's random weights (from r), then its gradients by backward(). */
static void
ctx_backward(struct ctx *c, netshare__rng *r)
{
	size_t na = (size_t)B * c->g.s.A, nf = (size_t)B * 6 * c->g.s.F;
	c->ra = malloc(na * sizeof *c->ra);
	c->rf = malloc(nf * sizeof *c->rf);
	netshare__rng_fill_normalf(r, c->ra, na, 0, 1);
	netshare__rng_fill_normalf(r, c->rf, nf, 0, 1);
	uint64_t sig;
	loss(c, &sig);
	netshare__generator_zero_grad(&c->g);
	float *da = malloc(na * sizeof *da);
	memcpy(da, c->ra, na * sizeof *da);
	netshare__generator_backward(&c->g, da, c->rf);
	free(da);
}

START_TEST(backward_matches_finite_differences)
{
	struct ctx c;
	netshare__rng r;
	ctx_start(&c, &r, 3);
	ctx_backward(&c, &r);
	c.g.hold_condition = 1;
	check(&c, c.g.attr_out.w, c.g.attr_out.dw, 6 * 8, "attr_out.w");
	check(&c, c.g.attr_bn[1].beta, c.g.attr_bn[1].dbeta, 6, "bn1.beta");
	check(&c, c.g.attr_bn[1].gamma, c.g.attr_bn[1].dgamma, 6, "bn1.gamma");
	check(&c, c.g.attr_dense[1].b, c.g.attr_dense[1].db, 6, "attr_dense1.b");
	check(&c, c.g.attr_bn[0].gamma, c.g.attr_bn[0].dgamma, 6, "bn0.gamma");
	check(&c, c.g.attr_dense[0].w, c.g.attr_dense[0].dw, 3 * 6, "attr_dense0.w");
	check(&c, c.g.lstm.w_ih, c.g.lstm.dw_ih, 16 * 10, "lstm.w_ih");
	check(&c, c.g.lstm.w_hh, c.g.lstm.dw_hh, 16 * 4, "lstm.w_hh");
	check(&c, c.g.feat_out.w, c.g.feat_out.dw, 4 * 10, "feat_out.w");
	check(&c, c.g.feat_out.b, c.g.feat_out.db, 10, "feat_out.b");
	free(c.ra);
	free(c.rf);
	netshare__generator_free(&c.g);
}
END_TEST

/* One-hot / in-range attributes of B rows of the tiny shape, as an encoder writes them. */
static void
real_attributes(float *a, netshare__rng *r)
{
	for (int b = 0; b < B; b++, a += 8) {
		memset(a, 0, 8 * sizeof *a);
		a[netshare__rng_below(r, 2)] = 1;
		a[2 + netshare__rng_below(r, 3)] = 1;
		a[5] = netshare__rng_uniformf(r);
		a[6] = 2 * netshare__rng_uniformf(r) - 1;
		a[7] = 2 * netshare__rng_uniformf(r) - 1;
	}
}

/* Features conditioned on given attributes: the generated attributes still come out
 * (and are what backward differentiates), the features follow the given ones, and
 * backward matches finite differences on both halves. */
START_TEST(real_condition_forward_and_backward)
{
	struct ctx c;
	netshare__rng r;
	ctx_start(&c, &r, 5);
	size_t A = (size_t)B * c.g.s.A, nf = (size_t)B * 6 * c.g.s.F;
	float *real = malloc(A * sizeof *real), *gen = malloc(A * sizeof *gen);
	float *attr0 = malloc(A * sizeof *attr0), *feat0 = malloc(nf * sizeof *feat0);
	real_attributes(real, &r);
	/* Given the generated attributes themselves: exactly the ordinary forward. */
	netshare__rng r1, r2;
	netshare__rng_seed(&r1, 9);
	netshare__generator_forward(&c.g, &r1, B, 1);
	memcpy(attr0, c.g.attributes, A * sizeof *attr0);
	memcpy(feat0, c.g.features, nf * sizeof *feat0);
	netshare__rng_seed(&r2, 9);
	netshare__generator_forward_real_condition(&c.g, &r2, B, attr0, gen);
	ck_assert_mem_eq(gen, attr0, A * sizeof *gen);
	ck_assert_mem_eq(c.g.attributes, attr0, A * sizeof *gen);
	ck_assert_mem_eq(c.g.features, feat0, nf * sizeof *feat0);
	/* Given other attributes: the same generated attributes, other features. */
	netshare__rng_seed(&r2, 9);
	netshare__generator_forward_real_condition(&c.g, &r2, B, real, gen);
	ck_assert_mem_eq(gen, attr0, A * sizeof *gen);
	ck_assert_mem_eq(c.g.attributes, attr0, A * sizeof *gen);
	ck_assert_msg(memcmp(c.g.features, feat0, nf * sizeof *feat0) != 0,
	              "the features ignore the given attributes");
	/* Gradients. */
	c.real = real;
	c.generated = gen;
	ctx_backward(&c, &r);
	check(&c, c.g.attr_out.w, c.g.attr_out.dw, 6 * 8, "attr_out.w");
	check(&c, c.g.attr_dense[0].w, c.g.attr_dense[0].dw, 3 * 6, "attr_dense0.w");
	check(&c, c.g.lstm.w_ih, c.g.lstm.dw_ih, 16 * 10, "lstm.w_ih");
	check(&c, c.g.feat_out.w, c.g.feat_out.dw, 4 * 10, "feat_out.w");
	free(c.ra);
	free(c.rf);
	free(real);
	free(gen);
	free(attr0);
	free(feat0);
	netshare__generator_free(&c.g);
}
END_TEST

START_TEST(outputs_are_valid_and_masked)
{
	netshare__gen_shape s = tiny_shape();
	netshare__generator g;
	netshare__rng r;
	init_generator(&g, &s, &r, 4);
	netshare__generator_forward(&g, &r, B, 0);
	for (int b = 0; b < B; b++) {
		const float *a = g.attributes + b * 8;
		ck_assert_float_eq_tol(a[0] + a[1], 1.0f, 1e-5);
		ck_assert_float_eq_tol(a[2] + a[3] + a[4], 1.0f, 1e-5);
		ck_assert(a[5] > 0 && a[5] < 1);
		ck_assert(a[6] > -1 && a[6] < 1);
		ck_assert_uint_ge(g.lengths[b], 1);
		ck_assert_uint_le(g.lengths[b], 6);
		for (uint32_t j = 0; j < 6; j++) {
			const float *f = g.features + ((size_t)b * 6 + j) * 5;
			if (j < g.lengths[b]) {
				ck_assert_float_eq_tol(f[3] + f[4], 1.0f, 1e-5);
				ck_assert(j + 1 == g.lengths[b] ? f[4] > f[3] : f[4] <= f[3]);
			} else {
				for (int k = 0; k < 5; k++)
					ck_assert_float_eq(f[k], 0.0f);
			}
		}
	}
	netshare__generator_free(&g);
	s.F = 2; /* no room for the gen flag */
	ck_assert_status(netshare__generator_init(&g, &s), NETSHARE_EINVAL);
}
END_TEST

/* Layer 0's running statistics against its population statistics computed here from
 * the dense weights on 400,000 fresh noise draws (its input is the noise's ReLU(W z + b),
 * no earlier normalisation); the statistics the generator had do not enter; the
 * momentum training uses is restored. */
START_TEST(estimated_batchnorm_statistics)
{
	netshare__generator g;
	netshare__rng r;
	netshare__gen_shape s = tiny_shape();
	init_generator(&g, &s, &r, 9);
	int U = s.attr_units, Z = s.attr_noise;
	for (int l = 0; l < g.hidden; l++)
		for (int j = 0; j < U; j++) {
			g.attr_bn[l].running_mean[j] = 1e3f;
			g.attr_bn[l].running_var[j] = 1e-3f;
		}
	netshare__generator_estimate_bn(&g);
	float mean[6], var[6];
	memcpy(mean, g.attr_bn[1].running_mean, sizeof mean);
	memcpy(var, g.attr_bn[1].running_var, sizeof var);
	for (int j = 0; j < U; j++) {
		g.attr_bn[1].running_mean[j] = -5;
		g.attr_bn[1].running_var[j] = 50;
	}
	netshare__generator_estimate_bn(&g);
	ck_assert_mem_eq(mean, g.attr_bn[1].running_mean, sizeof mean);
	ck_assert_mem_eq(var, g.attr_bn[1].running_var, sizeof var);
	for (int l = 0; l < g.hidden; l++)
		ck_assert_float_eq(g.attr_bn[l].momentum, 0.9f);

	const netshare__dense *d = &g.attr_dense[0];
	double sum[6] = { 0 }, sum2[6] = { 0 };
	enum { N = 400000 };
	float z[8];
	netshare__rng_seed(&r, 31);
	for (int i = 0; i < N; i++) {
		netshare__rng_fill_normalf(&r, z, (size_t)Z, 0, 1);
		for (int j = 0; j < U; j++) {
			double y = d->b[j];
			for (int k = 0; k < Z; k++)
				y += (double)d->w[j * Z + k] * z[k];
			y = y > 0 ? y : 0;
			sum[j] += y;
			sum2[j] += y * y;
		}
	}
	int n = NETSHARE__BN_ESTIMATE_SAMPLES;
	for (int j = 0; j < U; j++) {
		double m = sum[j] / N, v = sum2[j] / N - m * m;
		/* five standard errors of a mean of n draws; the variance within 25 % */
		ck_assert_msg(fabs(g.attr_bn[0].running_mean[j] - m) <= 5 * sqrt(v / n) + 1e-6,
		              "unit %d: mean %g, population %g", j, g.attr_bn[0].running_mean[j], m);
		ck_assert_msg(fabs(g.attr_bn[0].running_var[j] - v) <= 0.25 * v + 1e-6,
		              "unit %d: variance %g, population %g", j, g.attr_bn[0].running_var[j], v);
	}
	netshare__generator_free(&g);
}
END_TEST

/* Lengths over `rounds` forwards (training, or generation's steps until the end) of a
 * generator whose every gen flag says "last" with probability 0.3; each kept record's
 * flag must be one-hot, "last" at the end only (but for the sixth record, the longest
 * flow's end). */
static void
count_lengths(netshare__generator *g, netshare__rng *r, int training, int rounds,
              uint64_t count[7])
{
	float attr[B * 8] = { 0 };
	for (int k = 0; k < rounds; k++) {
		if (training)
			netshare__generator_forward(g, r, B, 1);
		else
			netshare__generator_forward_given(g, r, B, attr);
		for (int b = 0; b < B; b++) {
			uint32_t len = g->lengths[b];
			ck_assert_uint_ge(len, 1);
			ck_assert_uint_le(len, 6);
			count[len]++;
			for (uint32_t j = 0; j < len; j++) {
				const float *f = g->features + ((size_t)b * 6 + j) * 5;
				if (j + 1 < 6) /* the longest flow ends whatever its last flag says */
					ck_assert_float_eq(f[4], j + 1 == len ? 1.0f : 0.0f);
				ck_assert_float_eq(f[3], 1.0f - f[4]);
			}
		}
	}
}

/* A generator of shape s whose feature output is its bias alone, with the logit of
 * p = 0.3 (against 0.7) at dim `at` of every record (0 elsewhere). */
static void
init_constant_output(netshare__generator *g, const netshare__gen_shape *s, netshare__rng *r,
                     uint64_t seed, int at)
{
	init_generator(g, s, r, seed);
	size_t SF = (size_t)s->sample_len * s->F;
	memset(g->feat_out.w, 0, SF * (size_t)g->feat_out.in * sizeof(float));
	memset(g->feat_out.b, 0, SF * sizeof(float));
	for (int k = 0; k < s->sample_len; k++)
		g->feat_out.b[k * s->F + at] = logf(0.3f / 0.7f);
}

START_TEST(drawn_flags_follow_their_probabilities)
{
	netshare__gen_shape s = tiny_shape();
	s.drawn_flags = 1;
	netshare__generator g;
	netshare__rng r;
	init_constant_output(&g, &s, &r, 9, 4); /* p(last) = 0.3 at every record */
	enum { ROUNDS = 4000 };
	for (int training = 0; training < 2; training++) {
		uint64_t count[7] = { 0 };
		count_lengths(&g, &r, training, ROUNDS, count);
		for (int len = 1; len <= 6; len++) { /* geometric, the rest at the longest */
			double p = len < 6 ? pow(0.7, len - 1) * 0.3 : pow(0.7, 5);
			double n = (double)ROUNDS * B, sd = sqrt(n * p * (1 - p));
			ck_assert_msg(fabs((double)count[len] - n * p) < 5 * sd,
			              "%s: length %d in %llu of %.0f flows, expected %.0f",
			              training ? "training" : "generation", len,
			              (unsigned long long)count[len], n, n * p);
		}
	}
	/* Straight-through: D's gradient on a drawn flag reaches the logits through the
	 * softmax of the probabilities (one-hot values would pass nothing). */
	netshare__generator_forward(&g, &r, B, 1);
	float dfeat[B * 6 * 5] = { 0 }, dattr[B * 8] = { 0 };
	for (int b = 0; b < B; b++)
		dfeat[(size_t)b * 6 * 5 + 4] = 1.0f; /* record 0's "last", kept by every flow */
	netshare__generator_zero_grad(&g);
	netshare__generator_backward(&g, dattr, dfeat);
	ck_assert_float_eq_tol(g.feat_out.db[4], B * 0.21f, 1e-4);
	ck_assert_float_eq_tol(g.feat_out.db[3], -B * 0.21f, 1e-4);
	/* A band that holds 0.3 rounds it to "continue": every flow full length, in
	 * training and generation; one that does not leaves the draws alone. */
	g.s.flag_band = 0.35f;
	for (int training = 0; training < 2; training++) {
		uint64_t count[7] = { 0 };
		count_lengths(&g, &r, training, 10, count);
		ck_assert_uint_eq(count[6], 10 * B);
	}
	g.s.flag_band = 0.25f;
	uint64_t drawn[7] = { 0 };
	count_lengths(&g, &r, 0, 100, drawn);
	ck_assert_uint_gt(drawn[1], 100 * B * 0.3 * 0.8);
	ck_assert_uint_lt(drawn[6], 100 * B * 0.2);
	/* NetShare's reading of the same flags: the larger logit, "continue" everywhere. */
	g.s.flag_band = 0;
	g.s.drawn_flags = 0;
	netshare__generator_forward(&g, &r, B, 1);
	for (int b = 0; b < B; b++)
		ck_assert_uint_eq(g.lengths[b], 6);
	netshare__generator_free(&g);
}
END_TEST

/* draw_offset/draw_dim (time-to-quality's drawn_lengths): in training each record's
 * class head reaches the critics one-hot, drawn from its softmax, and D's gradient on it
 * reaches the logits through the softmax (straight-through); generation keeps the
 * probabilities (the sampler draws them itself). */
START_TEST(drawn_record_classes_follow_their_probabilities)
{
	netshare__gen_shape s = tiny_shape();
	s.draw_offset = 1; /* the record's softmax of two */
	s.draw_dim = 2;
	netshare__generator g;
	netshare__rng r;
	init_constant_output(&g, &s, &r, 12, 2); /* p(second class) = 0.3, flows full length */
	enum { ROUNDS = 2000 };
	uint64_t second = 0, records = 0;
	for (int k = 0; k < ROUNDS; k++) {
		netshare__generator_forward(&g, &r, B, 1);
		for (int b = 0; b < B; b++)
			for (uint32_t j = 0; j < g.lengths[b]; j++) {
				const float *f = g.features + ((size_t)b * 6 + j) * 5;
				ck_assert(f[1] == 0.0f || f[1] == 1.0f);
				ck_assert_float_eq(f[2], 1.0f - f[1]);
				second += f[2] == 1.0f;
				records++;
			}
	}
	ck_assert_uint_eq(records, (uint64_t)ROUNDS * B * 6);
	double n = (double)records, sd = sqrt(n * 0.3 * 0.7);
	ck_assert_msg(fabs((double)second - 0.3 * n) < 5 * sd, "%llu of %.0f records drawn "
	              "the second class", (unsigned long long)second, n);
	/* Straight-through: the gradient on the drawn head is the softmax's. */
	float dfeat[B * 6 * 5] = { 0 }, dattr[B * 8] = { 0 };
	for (int b = 0; b < B; b++)
		dfeat[(size_t)b * 6 * 5 + 2] = 1.0f; /* record 0's second class */
	netshare__generator_zero_grad(&g);
	netshare__generator_backward(&g, dattr, dfeat);
	ck_assert_float_eq_tol(g.feat_out.db[2], B * 0.21f, 1e-4);
	ck_assert_float_eq_tol(g.feat_out.db[1], -B * 0.21f, 1e-4);
	/* Generation: the probabilities themselves. */
	float attr[B * 8] = { 0 };
	netshare__generator_forward_given(&g, &r, B, attr);
	for (int b = 0; b < B; b++)
		ck_assert_float_eq_tol(g.features[(size_t)b * 6 * 5 + 2], 0.3f, 1e-6);
	netshare__generator_free(&g);
}
END_TEST

/* zero_state and flow_noise (experiment settings of time-to-quality): the LSTM starts
 * from zeros, and the first flow_noise noise dims of every step are the flow's first
 * step's while the others are fresh, in training and in generation (whose LSTM input
 * holds the noise alone). */
START_TEST(flow_state_settings)
{
	netshare__gen_shape s = tiny_shape();
	s.zero_state = 1;
	s.flow_noise = 1;
	netshare__generator g;
	netshare__rng r;
	init_generator(&g, &s, &r, 4);
	float attr[B * 8] = { 0 };
	for (int held = 0; held < 2; held++) {
		if (held)
			netshare__generator_forward_given(&g, &r, B, attr);
		else
			netshare__generator_forward(&g, &r, B, 1);
		for (size_t i = 0; i < (size_t)B * 4; i++)
			ck_assert(g.h0[i] == 0.0f && g.c0[i] == 0.0f);
		size_t stride = held ? 2 : 8 + 2, z = held ? 0 : 8;
		for (int b = 0; b < B; b++) {
			const float *first = g.lstm_in + (size_t)b * stride + z;
			for (int t = 1; t < 3; t++) {
				const float *x = g.lstm_in + ((size_t)t * B + b) * stride + z;
				ck_assert_float_eq(x[0], first[0]);
				ck_assert(x[1] != first[1]);
			}
		}
	}
	netshare__generator_free(&g);
}
END_TEST

/* A generator with an experiment's added layer (shape s) and the default one (plain, from
 * the same seed): draw for draw alike while the layer is at zero; the layer adds its two
 * tensors and `floats` trained floats. */
static void
start_with_added_layer(struct ctx *c, struct ctx *plain, netshare__gen_shape s,
                       netshare__rng *r, double floats)
{
	netshare__rng rp;
	netshare__gen_shape ps = tiny_shape();
	memset(c, 0, sizeof *c);
	memset(plain, 0, sizeof *plain);
	init_generator(&plain->g, &ps, &rp, 6);
	init_generator(&c->g, &s, r, 6);
	netshare__generator_forward(&plain->g, &rp, B, 1);
	netshare__generator_forward(&c->g, r, B, 1);
	ck_assert_mem_eq(c->g.features, plain->g.features, (size_t)B * 6 * s.F * sizeof(float));
	ck_assert_double_eq(netshare__generator_floats(&s, 1),
	                    netshare__generator_floats(&ps, 1) + floats);
	netshare__gen_tensor t[NETSHARE__GEN_MAX_TENSORS], tp[NETSHARE__GEN_MAX_TENSORS];
	ck_assert_uint_eq(netshare__generator_tensors(&c->g, t),
	                  netshare__generator_tensors(&plain->g, tp) + 2);
}

/* The last checks of an added layer d (`what`: its name) by finite differences, with
 * the conditioning held; then both generators and the loss's weights freed. */
static void
check_layer_and_free(struct ctx *c, struct ctx *plain, netshare__dense *d, const char *what)
{
	char name[64];
	c->g.hold_condition = 1;
	snprintf(name, sizeof name, "%s.w", what);
	check(c, d->w, d->dw, (size_t)d->in * d->out, name);
	snprintf(name, sizeof name, "%s.b", what);
	check(c, d->b, d->db, (size_t)d->out, name);
	free(c->ra);
	free(c->rf);
	netshare__generator_free(&c->g);
	netshare__generator_free(&plain->g);
}

/* state_from_condition (an experiment setting of time-to-quality): at zero weights the
 * generator is the default one, draw for draw; with weights, the condition moves the
 * initial state, and backward matches finite differences for the new layer (dh0 and
 * dc0 through it) and the LSTM. */
START_TEST(state_from_condition_backward)
{
	netshare__gen_shape s = tiny_shape();
	struct ctx c, plain;
	netshare__rng r;
	s.state_from_condition = 1;
	start_with_added_layer(&c, &plain, s, &r, 8 * 2 * 4 + 2 * 4);
	netshare__rng_fill_normalf(&r, c.g.state_in.w, 8 * 2 * 4, 0, 0.5f);
	netshare__rng_fill_normalf(&r, c.g.state_in.b, 2 * 4, 0, 0.5f);
	netshare__generator_forward(&c.g, &r, B, 1);
	ctx_backward(&c, &r);
	c.g.hold_condition = 1;
	check(&c, c.g.state_in.w, c.g.state_in.dw, 8 * 2 * 4, "state_in.w");
	check(&c, c.g.state_in.b, c.g.state_in.db, 2 * 4, "state_in.b");
	check(&c, c.g.lstm.w_ih, c.g.lstm.dw_ih, 16 * 10, "lstm.w_ih");
	check(&c, c.g.attr_out.w, c.g.attr_out.dw, 6 * 8, "attr_out.w");
	c.g.s.state_from_condition = 2; /* h0 only: the c0 half has no gradient */
	c.g.hold_condition = 0;
	uint64_t sig;
	loss(&c, &sig); /* the forward the checks repeat */
	netshare__generator_zero_grad(&c.g);
	float da[B * 8];
	memcpy(da, c.ra, sizeof da);
	netshare__generator_backward(&c.g, da, c.rf);
	c.g.hold_condition = 1;
	check(&c, c.g.state_in.w, c.g.state_in.dw, 8 * 2 * 4, "state_in.w (h0 only)");
	for (int k = 8 * 4; k < 8 * 2 * 4; k++)
		ck_assert_float_eq(c.g.state_in.dw[k], 0.0f);
	c.g.s.state_from_condition = 3; /* through a tanh: bounded, both halves */
	c.g.hold_condition = 0;
	loss(&c, &sig);
	for (int k = 0; k < B * 2 * 4; k++)
		ck_assert(fabsf(c.g.dstate[k]) < 1.0f);
	netshare__generator_zero_grad(&c.g);
	memcpy(da, c.ra, sizeof da);
	netshare__generator_backward(&c.g, da, c.rf);
	check_layer_and_free(&c, &plain, &c.g.state_in, "state_in (tanh)");
}
END_TEST

/* Both forward paths (training's on a given condition, generation's step by step):
 * every generated record's sigmoid field (column 0) is sigmoid(2) in the rows whose
 * first attribute class is 1 when `kept` (out_in's weight 2 from that class reaches
 * the field), else sigmoid(0). */
static void
assert_sigmoid_field(netshare__generator *g, netshare__rng *r, const float *attr, int kept)
{
	float generated[B * 8];
	for (int held = 0; held < 2; held++) {
		if (held)
			netshare__generator_forward_given(g, r, B, attr);
		else
			netshare__generator_forward_real_condition(g, r, B, attr, generated);
		for (int b = 0; b < B; b++) {
			float want = kept && b % 2 ? 1.0f / (1.0f + expf(-2.0f)) : 0.5f;
			ck_assert_uint_ge(g->lengths[b], 1);
			for (uint32_t j = 0; j < g->lengths[b]; j++)
				ck_assert_float_eq_tol(g->features[((size_t)b * 6 + j) * 5], want, 1e-6);
		}
	}
}

/* output_from_condition (an experiment setting of time-to-quality): at zero weights the
 * generator is the default one, draw for draw; with weights, backward matches finite
 * differences for the new layer (every step's gradient summed) and the layers beside
 * it; training's forward and generation's step-by-step one both add the offset. */
START_TEST(output_from_condition_backward)
{
	netshare__gen_shape s = tiny_shape();
	struct ctx c, plain;
	netshare__rng r;
	s.output_from_condition = 1;
	start_with_added_layer(&c, &plain, s, &r, 8 * 10 + 10);
	netshare__rng_fill_normalf(&r, c.g.out_in.w, 8 * 10, 0, 0.5f);
	netshare__rng_fill_normalf(&r, c.g.out_in.b, 10, 0, 0.5f);
	for (int k = 0; k < 2; k++) { /* flows that go on past the first step */
		c.g.feat_out.b[k * 5 + 3] += 3.0f;
		c.g.feat_out.b[k * 5 + 4] -= 3.0f;
	}
	ctx_backward(&c, &r);
	for (int b = 0; b < B; b++)
		ck_assert_uint_gt(c.g.lengths[b], 2);
	c.g.hold_condition = 1;
	check(&c, c.g.out_in.w, c.g.out_in.dw, 8 * 10, "out_in.w");
	check(&c, c.g.out_in.b, c.g.out_in.db, 10, "out_in.b");
	check(&c, c.g.feat_out.w, c.g.feat_out.dw, 4 * 10, "feat_out.w");
	check(&c, c.g.lstm.w_ih, c.g.lstm.dw_ih, 16 * 10, "lstm.w_ih");
	free(c.ra);
	free(c.rf);
	/* The offset alone: every record's sigmoid field is sigmoid(2) where the first
	 * class head says class 1, sigmoid(0) where it says class 0. */
	netshare__generator *g = &c.g;
	g->hold_condition = 0;
	memset(g->feat_out.w, 0, 4 * 10 * sizeof(float));
	memset(g->feat_out.b, 0, 10 * sizeof(float));
	memset(g->out_in.w, 0, 8 * 10 * sizeof(float));
	memset(g->out_in.b, 0, 10 * sizeof(float));
	g->out_in.w[0 * 8 + 1] = g->out_in.w[5 * 8 + 1] = 2.0f; /* records 0 and 1, field 0 */
	float attr[B * 8] = { 0 };
	for (int b = 0; b < B; b++)
		attr[b * 8 + (b % 2)] = 1.0f;
	assert_sigmoid_field(g, &r, attr, 1);
	/* 2: the class heads only: the sigmoid field keeps no offset, in either path, and
	 * its weights get no gradient while the class heads' match finite differences. */
	g->s.output_from_condition = 2;
	assert_sigmoid_field(g, &r, attr, 0);
	netshare__rng_fill_normalf(&r, g->out_in.w, 8 * 10, 0, 0.5f);
	netshare__rng_fill_normalf(&r, g->feat_out.w, 4 * 10, 0, 0.5f);
	ctx_backward(&c, &r);
	for (int rec = 0; rec < 2; rec++) {
		ck_assert_float_eq(g->out_in.db[rec * 5], 0.0f);
		for (int i = 0; i < 8; i++)
			ck_assert_float_eq(g->out_in.dw[(rec * 5) * 8 + i], 0.0f);
	}
	g->hold_condition = 1;
	check(&c, g->out_in.w, g->out_in.dw, 8 * 10, "out_in.w (class heads)");
	check(&c, g->out_in.b, g->out_in.db, 10, "out_in.b (class heads)");
	g->hold_condition = 0;
	free(c.ra);
	free(c.rf);
	/* 3: every field but the inter-arrival one, here pointed at the class head
	 * (columns 1-2 of a record): the sigmoid field keeps its offset, in either path,
	 * and only the class head's weights get no gradient. */
	g->s.output_from_condition = 3;
	g->s.iat_offset = 1;
	memset(g->feat_out.w, 0, 4 * 10 * sizeof(float));
	memset(g->out_in.w, 0, 8 * 10 * sizeof(float));
	g->out_in.w[0 * 8 + 1] = g->out_in.w[5 * 8 + 1] = 2.0f;
	assert_sigmoid_field(g, &r, attr, 1);
	netshare__rng_fill_normalf(&r, g->out_in.w, 8 * 10, 0, 0.5f);
	netshare__rng_fill_normalf(&r, g->feat_out.w, 4 * 10, 0, 0.5f);
	ctx_backward(&c, &r);
	for (int rec = 0; rec < 2; rec++) {
		ck_assert_float_ne(g->out_in.db[rec * 5], 0.0f);
		for (int col = 1; col < 3; col++) {
			ck_assert_float_eq(g->out_in.db[rec * 5 + col], 0.0f);
			for (int i = 0; i < 8; i++)
				ck_assert_float_eq(g->out_in.dw[(rec * 5 + col) * 8 + i], 0.0f);
		}
	}
	check_layer_and_free(&c, &plain, &g->out_in, "out_in (all but one head)");
}
END_TEST

/* class_condition_scale (an experiment setting of time-to-quality): the feature
 * generator's input holds the attributes' class heads as C times their one-hots, the
 * other heads as they are. */
START_TEST(class_condition_scale_weights_the_one_hots)
{
	netshare__gen_shape s = tiny_shape();
	s.class_condition_scale = 3;
	netshare__generator g;
	netshare__rng r;
	init_generator(&g, &s, &r, 5);
	netshare__generator_forward(&g, &r, B, 1);
	for (int b = 0; b < B; b++) {
		const float *x = g.lstm_in + (size_t)b * (8 + 2), *a = g.attributes + (size_t)b * 8;
		float ones = 0;
		for (int j = 0; j < 5; j++) { /* the two softmax heads, 2 and 3 classes */
			ck_assert(x[j] == 0.0f || x[j] == 3.0f);
			ones += x[j];
		}
		ck_assert_float_eq(ones, 6.0f);
		for (int j = 5; j < 8; j++) /* sigmoid and tanh heads: unscaled */
			ck_assert_float_eq(x[j], a[j]);
	}
	netshare__generator_free(&g);
}
END_TEST

NETSHARE_TEST_MAIN("dg-generator",
	state_from_condition_backward,
	output_from_condition_backward,
	class_condition_scale_weights_the_one_hots,
	flow_state_settings,
	drawn_record_classes_follow_their_probabilities,
	drawn_flags_follow_their_probabilities,
	estimated_batchnorm_statistics,
	backward_matches_finite_differences,
	real_condition_forward_and_backward,
	outputs_are_valid_and_masked)
