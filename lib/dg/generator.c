/* SPDX-License-Identifier: BSD-3-Clause */
/* DoppelGANger generator: forward, masking and backward (see generator.h). */
#include "generator.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "nn/activation.h"
#include "nn/adam.h"

/* NetShare's BatchNorm: eps 1e-5, torch momentum 0.9 (reference/netshare.md 1.4). */
#define BN_EPS 1e-5f
#define BN_MOMENTUM 0.9f

static size_t
T_of(const netshare__gen_shape *s)
{
	return (size_t)s->sample_len * (size_t)s->steps;
}

void
netshare__generator_free(netshare__generator *g)
{
	for (int l = 0; l < NETSHARE__GEN_MAX_LAYERS; l++) {
		netshare__dense_free(&g->attr_dense[l]);
		netshare__batchnorm_free(&g->attr_bn[l]);
		netshare__free(g->relu[l]);
		netshare__free(g->xhat[l]);
		netshare__free(g->bn[l]);
	}
	netshare__dense_free(&g->attr_out);
	netshare__lstm_free(&g->lstm);
	netshare__lstm_cache_free(&g->cache);
	netshare__dense_free(&g->feat_out);
	netshare__dense_free(&g->state_in);
	netshare__dense_free(&g->out_in);
	float *bufs[] = { g->z_a, g->tmp, g->tmp2, g->lstm_in, g->h0, g->c0, g->step_out,
	                  g->dstep, g->dh, g->attributes, g->features, g->cond_kept, g->dstate,
	                  g->out_cond };
	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		netshare__free(bufs[i]);
	netshare__free(g->lengths);
	netshare__free(g->step_heads);
	memset(g, 0, sizeof *g);
}

netshare_status
netshare__generator_init(netshare__generator *g, const netshare__gen_shape *s)
{
	memset(g, 0, sizeof *g);
	g->s = *s;
	g->hidden = s->attr_layers - 1;
	if (g->hidden < 0 || g->hidden > NETSHARE__GEN_MAX_LAYERS || s->attr_units < 1 ||
	    s->lstm_units < 1 || s->sample_len < 1 || s->steps < 1 || s->A < 1 || s->F < 3 ||
	    s->attr_noise < 1 || s->feat_noise < 1 || s->max_batch < 1 || s->gen_offset < 0 ||
	    s->gen_offset + 2 > s->F)
		return netshare__error(NETSHARE_EINVAL, "generator shape: attr_layers %d (1..%d), "
		                       "units %d, lstm %d, sample_len %d, steps %d, A %d, F %d",
		                       s->attr_layers, NETSHARE__GEN_MAX_LAYERS + 1, s->attr_units,
		                       s->lstm_units, s->sample_len, s->steps, s->A, s->F);
	size_t B = (size_t)s->max_batch, U = (size_t)s->attr_units, H = (size_t)s->lstm_units;
	size_t SF = (size_t)s->sample_len * s->F, steps = (size_t)s->steps;
	size_t wide = (U > (size_t)s->A ? U : (size_t)s->A) * B;
	netshare_status st = NETSHARE_OK;
	for (int l = 0; l < g->hidden && st == NETSHARE_OK; l++) {
		st = netshare__dense_init(&g->attr_dense[l], l ? (int)U : s->attr_noise, (int)U);
		if (st == NETSHARE_OK)
			st = netshare__batchnorm_init(&g->attr_bn[l], (int)U, BN_EPS, BN_MOMENTUM);
		g->relu[l] = netshare__mallocarray(B * U, sizeof(float));
		g->xhat[l] = netshare__mallocarray(B * U, sizeof(float));
		g->bn[l] = netshare__mallocarray(B * U, sizeof(float));
		if (st == NETSHARE_OK && (!g->relu[l] || !g->xhat[l] || !g->bn[l]))
			st = netshare__error_oom("generator");
	}
	if (st == NETSHARE_OK)
		st = netshare__dense_init(&g->attr_out, g->hidden ? (int)U : s->attr_noise, s->A);
	if (st == NETSHARE_OK)
		st = netshare__lstm_init(&g->lstm, s->A + s->feat_noise, (int)H);
	if (st == NETSHARE_OK)
		st = netshare__lstm_cache_init(&g->cache, &g->lstm, s->steps, s->max_batch);
	if (st == NETSHARE_OK)
		st = netshare__dense_init(&g->feat_out, (int)H, (int)SF);
	if (st == NETSHARE_OK && s->state_from_condition) { /* zero weights: no draw */
		st = netshare__dense_init(&g->state_in, s->A, 2 * (int)H);
		g->dstate = netshare__mallocarray(B * 2 * H, sizeof(float));
		if (st == NETSHARE_OK && !g->dstate)
			st = netshare__error_oom("generator");
	}
	if (st == NETSHARE_OK && s->output_from_condition) { /* zero weights: no draw */
		st = netshare__dense_init(&g->out_in, s->A, (int)SF);
		g->out_cond = netshare__mallocarray(B * SF, sizeof(float));
		if (st == NETSHARE_OK && !g->out_cond)
			st = netshare__error_oom("generator");
	}
	if (st == NETSHARE_OK && (s->state_from_condition || s->output_from_condition)) {
		g->cond_kept = netshare__mallocarray(B * (size_t)s->A, sizeof(float));
		if (!g->cond_kept)
			st = netshare__error_oom("generator");
	}
	if (st < 0) {
		netshare__generator_free(g);
		return st;
	}
	g->n_step_heads = s->n_feat_heads * (size_t)s->sample_len;
	g->step_heads = netshare__mallocarray(g->n_step_heads, sizeof *g->step_heads);
	g->z_a = netshare__mallocarray(B * (size_t)s->attr_noise, sizeof(float));
	g->tmp = netshare__mallocarray(wide, sizeof(float));
	g->tmp2 = netshare__mallocarray(wide, sizeof(float));
	g->lstm_in = netshare__mallocarray(steps * B * (size_t)(s->A + s->feat_noise), sizeof(float));
	g->h0 = netshare__mallocarray(B * H, sizeof(float));
	g->c0 = netshare__mallocarray(B * H, sizeof(float));
	g->step_out = netshare__mallocarray(steps * B * SF, sizeof(float));
	g->dstep = netshare__mallocarray(steps * B * SF, sizeof(float));
	g->dh = netshare__mallocarray(steps * B * H, sizeof(float));
	g->attributes = netshare__mallocarray(B * (size_t)s->A, sizeof(float));
	g->features = netshare__mallocarray(B * T_of(s) * (size_t)s->F, sizeof(float));
	g->lengths = netshare__mallocarray(B, sizeof *g->lengths);
	if (!g->step_heads || !g->z_a || !g->tmp || !g->tmp2 || !g->lstm_in || !g->h0 || !g->c0 ||
	    !g->step_out || !g->dstep || !g->dh || !g->attributes || !g->features || !g->lengths) {
		netshare__generator_free(g);
		return netshare__error_oom("generator");
	}
	for (int r = 0; r < s->sample_len; r++)
		for (size_t k = 0; k < s->n_feat_heads; k++) {
			netshare__head h = s->feat_heads[k];
			h.offset += (size_t)r * s->F;
			g->step_heads[(size_t)r * s->n_feat_heads + k] = h;
		}
	return NETSHARE_OK;
}

void
netshare__generator_zero_grad(netshare__generator *g)
{
	for (int l = 0; l < g->hidden; l++) {
		netshare__dense_zero_grad(&g->attr_dense[l]);
		netshare__batchnorm_zero_grad(&g->attr_bn[l]);
	}
	netshare__dense_zero_grad(&g->attr_out);
	netshare__lstm_zero_grad(&g->lstm);
	netshare__dense_zero_grad(&g->feat_out);
	if (g->s.state_from_condition)
		netshare__dense_zero_grad(&g->state_in);
	if (g->s.output_from_condition)
		netshare__dense_zero_grad(&g->out_in);
}

netshare_status
netshare__generator_init_weights(netshare__generator *g, netshare__rng *r)
{
	for (int l = 0; l < g->hidden; l++)
		netshare__dense_init_torch_default(&g->attr_dense[l], r);
	netshare__dense_init_torch_default(&g->attr_out, r);
	netshare__dense_init_xavier(&g->feat_out, r);
	return netshare__lstm_init_weights(&g->lstm, r);
}

/* A record's gen flag (continue, last probabilities) drawn and written one-hot;
 * returns whether it says "last". Within band of 0 or 1 it is rounded, not drawn
 * (s.flag_band); the uniform is consumed either way so that the band moves no other
 * draw. */
static int
draw_flag(float *gen, float band, netshare__rng *r)
{
	float u = netshare__rng_uniformf(r), p = gen[1];
	int last = p >= 1 - band ? 1 : p <= band ? 0 : u < p;
	gen[0] = (float)!last;
	gen[1] = (float)last;
	return last;
}

/* Zero every record after the first one flagged "last"; lengths[b] = records kept.
 * With r (s.drawn_flags), each record's flag is first drawn from its probability and
 * written one-hot. */
static void
apply_mask(netshare__generator *g, netshare__rng *r)
{
	const netshare__gen_shape *s = &g->s;
	size_t T = T_of(s), F = (size_t)s->F;
	for (int b = 0; b < g->batch; b++) {
		float *f = g->features + (size_t)b * T * F;
		size_t len = T;
		for (size_t j = 0; j < T; j++) {
			float *gen = f + j * F + s->gen_offset;
			if (r)
				draw_flag(gen, s->flag_band, r);
			if (gen[1] > gen[0]) {
				len = j + 1;
				break;
			}
		}
		memset(f + len * F, 0, (T - len) * F * sizeof *f);
		g->lengths[b] = (uint32_t)len;
	}
}

/* Every record's head at s.draw_offset in g->features: one-hot on a class drawn from
 * its probabilities (step_out keeps them for the backward pass). */
static void
draw_record_classes(netshare__generator *g, netshare__rng *r, size_t B)
{
	const netshare__gen_shape *s = &g->s;
	size_t T = T_of(s), F = (size_t)s->F;
	for (size_t i = 0; i < B * T; i++) {
		float *v = g->features + i * F + s->draw_offset;
		float u = netshare__rng_uniformf(r);
		size_t pick = s->draw_dim - 1; /* if rounding left u above the sum */
		for (size_t j = 0; j < s->draw_dim; j++) {
			u -= v[j];
			if (u < 0) {
				pick = j;
				break;
			}
		}
		for (size_t j = 0; j < s->draw_dim; j++)
			v[j] = (float)(j == pick);
	}
}

/* Attributes from fresh noise into g->attributes. */
static void
forward_attributes(netshare__generator *g, netshare__rng *r, int batch, int training)
{
	const netshare__gen_shape *s = &g->s;
	size_t B = (size_t)batch, U = (size_t)s->attr_units, A = (size_t)s->A;
	netshare__rng_fill_normalf(r, g->z_a, B * (size_t)s->attr_noise, 0, 1);
	const float *in = g->z_a;
	for (int l = 0; l < g->hidden; l++) {
		netshare__dense_forward(&g->attr_dense[l], in, batch, g->relu[l]);
		netshare__relu_forward(g->relu[l], B * U);
		if (training)
			netshare__batchnorm_forward_train(&g->attr_bn[l], g->relu[l], batch, g->xhat[l],
			                                  g->bn[l]);
		else
			netshare__batchnorm_forward_eval(&g->attr_bn[l], g->relu[l], batch, g->bn[l]);
		in = g->bn[l];
	}
	netshare__dense_forward(&g->attr_out, in, batch, g->attributes);
	netshare__heads_forward(s->attr_heads, s->n_attr_heads, g->attributes, B, A);
}

static void
add_floats(float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] += x[i];
}

/* output_from_condition=2: the offset on the records' class (softmax) heads only, the
 * continuous fields' columns of B rows held at zero (forward) or given no gradient;
 * 3: the inter-arrival field's columns only. */
static void
zero_held_columns(const netshare__generator *g, float *x, size_t B)
{
	size_t SF = (size_t)g->s.sample_len * g->s.F, F = (size_t)g->s.F;
	int mode = g->s.output_from_condition;
	for (size_t k = 0; mode >= 2 && k < g->n_step_heads; k++) {
		const netshare__head *h = &g->step_heads[k];
		int held = mode == 2 ? h->activation != 0
		                     : (int)(h->offset % F) == g->s.iat_offset;
		for (size_t b = 0; held && b < B; b++)
			memset(x + b * SF + h->offset, 0, h->dim * sizeof *x);
	}
}

/* Generation: the LSTM steps, the output layer and the activations only up to each
 * flow's "last" flag, which the raw gen-flag logits already show (softmax keeps their
 * order), step by step over the rows still going, gathered so that one product serves
 * them. The steps after it are masked anyway; with T in the hundreds and most flows a
 * few records long, they were most of the work. Uses dh, dstep and lengths as
 * scratch. With r (s.drawn_flags) the end is drawn from the softmax instead, as
 * apply_mask draws it in training, and the flags written one-hot for it to read. */
static void
outputs_until_last(netshare__generator *g, size_t B, netshare__rng *r)
{
	const netshare__gen_shape *s = &g->s;
	size_t F = (size_t)s->F, L = (size_t)s->sample_len, SF = L * F;
	size_t H = (size_t)s->lstm_units;
	const float *hs = g->cache.h + B * H; /* step t, row b: hs + (t * B + b) * H */
	uint32_t *going = g->lengths;
	size_t n = B;
	for (size_t b = 0; b < B; b++)
		going[b] = (uint32_t)b;
	for (int t = 0; t < s->steps && n > 0; t++) {
		netshare__lstm_step_rows(&g->lstm, &g->cache, t, g->h0, g->c0, going, n);
		for (size_t i = 0; i < n; i++)
			memcpy(g->dh + i * H, hs + ((size_t)t * B + going[i]) * H, H * sizeof(float));
		netshare__dense_forward(&g->feat_out, g->dh, (int)n, g->dstep);
		size_t kept = 0;
		for (size_t i = 0; i < n; i++) {
			float *row = g->step_out + ((size_t)t * B + going[i]) * SF;
			memcpy(row, g->dstep + i * SF, SF * sizeof *row);
			if (s->output_from_condition)
				add_floats(row, g->out_cond + going[i] * SF, SF);
			int done = 0;
			if (r) { /* the softmax first; its flags drawn one-hot until one says last */
				netshare__heads_forward(g->step_heads, g->n_step_heads, row, 1, SF);
				for (size_t j = 0; j < L && !done; j++)
					done = draw_flag(row + j * F + (size_t)s->gen_offset, s->flag_band, r);
			} else {
				for (size_t j = 0; j < L && !done; j++)
					done = row[j * F + (size_t)s->gen_offset + 1] >
					       row[j * F + (size_t)s->gen_offset];
				netshare__heads_forward(g->step_heads, g->n_step_heads, row, 1, SF);
			}
			if (!done)
				going[kept++] = going[i];
		}
		n = kept;
	}
}

/* h0 and c0 += the condition (kept in cond_kept for backward) times state_in:
 * its first H outputs into h0, the next H into c0. 3: tanh of them, so that the
 * condition's share never outweighs the N(0, 1) draw (kept in dstate for backward). */
static void
state_from_condition(netshare__generator *g, size_t B)
{
	size_t H = (size_t)g->s.lstm_units;
	netshare__dense_forward(&g->state_in, g->cond_kept, (int)B, g->dstate);
	if (g->s.state_from_condition == 3)
		for (size_t k = 0; k < B * 2 * H; k++)
			g->dstate[k] = tanhf(g->dstate[k]);
	int cell = g->s.state_from_condition != 2; /* 2: h0 only */
	for (size_t b = 0; b < B; b++)
		for (size_t j = 0; j < H; j++) {
			g->h0[b * H + j] += g->dstate[b * 2 * H + j];
			if (cell)
				g->c0[b * H + j] += g->dstate[b * 2 * H + H + j];
		}
}

/* Features conditioned on g->attributes, with fresh noise, masked. held: generation
 * only, the attributes' share of the LSTM input projection is computed once, not per
 * step (the same numbers but for rounding; no backward after it). */
static void
forward_features(netshare__generator *g, netshare__rng *r, int batch, int held)
{
	const netshare__gen_shape *s = &g->s;
	size_t B = (size_t)batch, A = (size_t)s->A;
	size_t H = (size_t)s->lstm_units, SF = (size_t)s->sample_len * s->F;
	size_t cond = A + (size_t)s->feat_noise;
	/* Feature generator input: the discrete attributes (same every step) and fresh noise. */
	netshare__heads_discretize(s->attr_heads, s->n_attr_heads, g->attributes, g->tmp, B, A);
	float class_scale = s->class_condition_scale > 0 ? s->class_condition_scale : 1.0f;
	for (size_t k = 0; class_scale != 1.0f && k < s->n_attr_heads; k++) {
		const netshare__head *h = &s->attr_heads[k];
		if (h->activation != 0) /* softmax heads only: the one-hots of the classes */
			continue;
		for (size_t b = 0; b < B; b++)
			for (size_t j = 0; j < h->dim; j++)
				g->tmp[b * A + h->offset + j] *= class_scale;
	}
	held = held && !g->hold_condition;
	size_t noise = (size_t)s->feat_noise, stride = held ? noise : cond;
	for (int t = 0; t < s->steps; t++)
		for (size_t b = 0; b < B; b++) {
			float *x = g->lstm_in + ((size_t)t * B + b) * stride;
			float *z = held ? x : x + A;
			if (!held && !g->hold_condition)
				memcpy(x, g->tmp + b * A, A * sizeof *x);
			netshare__rng_fill_normalf(r, z, noise, 0, 1);
			if (t > 0 && s->flow_noise > 0) /* the flow's noise: step 0's */
				memcpy(z, g->lstm_in + (size_t)b * stride + (held ? 0 : A),
				       (size_t)s->flow_noise * sizeof *z);
		}
	float state_sd = s->zero_state ? 0.0f : 1.0f;
	netshare__rng_fill_normalf(r, g->h0, B * H, 0, state_sd);
	netshare__rng_fill_normalf(r, g->c0, B * H, 0, state_sd);
	if ((s->state_from_condition || s->output_from_condition) && !g->hold_condition)
		memcpy(g->cond_kept, g->tmp, B * A * sizeof(float));
	if (s->state_from_condition)
		state_from_condition(g, B);
	if (s->output_from_condition) { /* added to every step's output layer before its heads */
		netshare__dense_forward(&g->out_in, g->cond_kept, batch, g->out_cond);
		zero_held_columns(g, g->out_cond, B);
	}
	g->cache.batch = batch;
	if (held) /* the projections; outputs_until_last steps the flows still going */
		netshare__lstm_project_held(&g->lstm, g->tmp, (int)A, g->lstm_in, &g->cache);
	else
		netshare__lstm_forward(&g->lstm, g->lstm_in, g->h0, g->c0, &g->cache);
	if (held) {
		outputs_until_last(g, B, s->drawn_flags ? r : NULL);
	} else {
		const float *hs = g->cache.h + B * H;
		netshare__dense_forward(&g->feat_out, hs, s->steps * batch, g->step_out);
		for (size_t k = 0; s->output_from_condition && k < (size_t)s->steps * B; k++)
			add_floats(g->step_out + k * SF, g->out_cond + (k % B) * SF, SF);
		netshare__heads_forward(g->step_heads, g->n_step_heads, g->step_out,
		                        (size_t)s->steps * B, SF);
	}
	/* Time-major steps -> batch-major records. */
	for (int t = 0; t < s->steps; t++)
		for (size_t b = 0; b < B; b++)
			memcpy(g->features + (b * T_of(s) + (size_t)t * s->sample_len) * s->F,
			       g->step_out + ((size_t)t * B + b) * SF, SF * sizeof(float));
	if (!held && s->draw_dim > 1)
		draw_record_classes(g, r, B);
	apply_mask(g, s->drawn_flags && !held ? r : NULL);
}

void
netshare__generator_split(netshare__generator *g, int parts, struct netshare__pool *pool)
{
	netshare__dense *d[NETSHARE__GEN_MAX_LAYERS + 4] = { &g->attr_out, &g->feat_out,
	                                                     &g->state_in, &g->out_in };
	int n = 4;
	for (int l = 0; l < g->hidden; l++)
		d[n++] = &g->attr_dense[l];
	for (int i = 0; i < n; i++) {
		d[i]->parts = parts;
		d[i]->pool = pool;
	}
}

void
netshare__generator_forward(netshare__generator *g, netshare__rng *r, int batch, int training)
{
	g->batch = batch;
	forward_attributes(g, r, batch, training);
	forward_features(g, r, batch, 0);
}

void
netshare__generator_forward_real_condition(netshare__generator *g, netshare__rng *r, int batch,
                                           const float *real_attributes, float *attributes)
{
	size_t n = (size_t)batch * (size_t)g->s.A * sizeof(float);
	g->batch = batch;
	forward_attributes(g, r, batch, 1);
	memcpy(attributes, g->attributes, n);
	memcpy(g->attributes, real_attributes, n);
	forward_features(g, r, batch, 0);
	memcpy(g->attributes, attributes, n); /* what backward_attributes differentiates */
}

void
netshare__generator_forward_attributes(netshare__generator *g, netshare__rng *r, int batch)
{
	g->batch = batch;
	forward_attributes(g, r, batch, 0);
}

void
netshare__generator_estimate_bn(netshare__generator *g)
{
	netshare__rng r;
	netshare__rng_seed(&r, NETSHARE__BN_ESTIMATE_SEED);
	int batch = g->s.max_batch;
	int batches = (NETSHARE__BN_ESTIMATE_SAMPLES + batch - 1) / batch;
	for (int k = 0; k < batches; k++) {
		/* momentum 1/(k + 1): the running statistics become the mean over the batches
		 * so far (the first replaces whatever they were) */
		for (int l = 0; l < g->hidden; l++)
			g->attr_bn[l].momentum = 1.0f / (float)(k + 1);
		forward_attributes(g, &r, batch, 1);
	}
	for (int l = 0; l < g->hidden; l++)
		g->attr_bn[l].momentum = BN_MOMENTUM;
}

void
netshare__generator_forward_given(netshare__generator *g, netshare__rng *r, int batch,
                                  const float *attributes)
{
	g->batch = batch;
	memcpy(g->attributes, attributes, (size_t)batch * (size_t)g->s.A * sizeof(float));
	forward_features(g, r, batch, 1);
}

netshare_status
netshare__generator_copy_weights(netshare__generator *a, const netshare__generator *b)
{
	if (a->hidden != b->hidden || a->lstm.in != b->lstm.in || a->lstm.hidden != b->lstm.hidden)
		return netshare__error(NETSHARE_EINVAL, "generators of different shapes");
	netshare_status st = NETSHARE_OK;
	for (int l = 0; l < a->hidden && st == NETSHARE_OK; l++) {
		st = netshare__dense_copy(&a->attr_dense[l], &b->attr_dense[l]);
		size_t d = (size_t)a->attr_bn[l].dim * sizeof(float);
		memcpy(a->attr_bn[l].gamma, b->attr_bn[l].gamma, d);
		memcpy(a->attr_bn[l].beta, b->attr_bn[l].beta, d);
		memcpy(a->attr_bn[l].running_mean, b->attr_bn[l].running_mean, d);
		memcpy(a->attr_bn[l].running_var, b->attr_bn[l].running_var, d);
	}
	if (st == NETSHARE_OK)
		st = netshare__dense_copy(&a->attr_out, &b->attr_out);
	if (st == NETSHARE_OK)
		st = netshare__dense_copy(&a->feat_out, &b->feat_out);
	if (st == NETSHARE_OK && (a->s.state_from_condition || b->s.state_from_condition))
		st = netshare__dense_copy(&a->state_in, &b->state_in);
	if (st == NETSHARE_OK && (a->s.output_from_condition || b->s.output_from_condition))
		st = netshare__dense_copy(&a->out_in, &b->out_in);
	if (st == NETSHARE_OK) {
		size_t G = 4 * (size_t)a->lstm.hidden;
		memcpy(a->lstm.w_ih, b->lstm.w_ih, G * a->lstm.in * sizeof(float));
		memcpy(a->lstm.w_hh, b->lstm.w_hh, G * a->lstm.hidden * sizeof(float));
		memcpy(a->lstm.b_ih, b->lstm.b_ih, G * sizeof(float));
		memcpy(a->lstm.b_hh, b->lstm.b_hh, G * sizeof(float));
	}
	return st;
}

void
netshare__generator_backward_features(netshare__generator *g, const float *dfeat)
{
	const netshare__gen_shape *s = &g->s;
	int batch = g->batch;
	size_t B = (size_t)batch;
	size_t H = (size_t)s->lstm_units, SF = (size_t)s->sample_len * s->F, T = T_of(s);
	/* Features: masked records get no gradient; back to time-major order. */
	for (int t = 0; t < s->steps; t++)
		for (size_t b = 0; b < B; b++) {
			float *d = g->dstep + ((size_t)t * B + b) * SF;
			for (int k = 0; k < s->sample_len; k++) {
				size_t j = (size_t)t * s->sample_len + k;
				float *dk = d + (size_t)k * s->F;
				if (j < g->lengths[b])
					memcpy(dk, dfeat + (b * T + j) * s->F, (size_t)s->F * sizeof *dk);
				else
					memset(dk, 0, (size_t)s->F * sizeof *dk);
			}
		}
	netshare__heads_backward(g->step_heads, g->n_step_heads, g->step_out, g->dstep,
	                         (size_t)s->steps * B, SF);
	const float *hs = g->cache.h + B * H;
	netshare__dense_backward(&g->feat_out, hs, g->dstep, s->steps * batch, g->dh);
	if (s->output_from_condition) { /* every step's gradient reaches the one offset */
		memset(g->out_cond, 0, B * SF * sizeof(float));
		for (size_t k = 0; k < (size_t)s->steps * B; k++)
			add_floats(g->out_cond + (k % B) * SF, g->dstep + k * SF, SF);
		zero_held_columns(g, g->out_cond, B);
		netshare__dense_backward(&g->out_in, g->cond_kept, g->out_cond, batch, NULL);
	}
	if (!s->state_from_condition) {
		netshare__lstm_backward(&g->lstm, g->lstm_in, g->dh, &g->cache, NULL, NULL, NULL);
		return;
	}
	/* dh0 and dc0 (into h0 and c0, no longer needed), then state_in's gradient */
	netshare__lstm_backward(&g->lstm, g->lstm_in, g->dh, &g->cache, NULL, g->h0, g->c0);
	int cell = s->state_from_condition != 2, bounded = s->state_from_condition == 3;
	for (size_t b = 0; b < B; b++)
		for (size_t j = 0; j < H; j++) {
			float *dh = g->dstate + b * 2 * H + j, *dc = dh + H;
			float gh = g->h0[b * H + j], gc = cell ? g->c0[b * H + j] : 0.0f;
			if (bounded) /* through the tanh whose outputs the forward left here */
				gh *= 1.0f - *dh * *dh, gc *= 1.0f - *dc * *dc;
			*dh = gh;
			*dc = gc;
		}
	netshare__dense_backward(&g->state_in, g->cond_kept, g->dstate, batch, NULL);
}

void
netshare__generator_backward_attributes(netshare__generator *g, float *dattr)
{
	const netshare__gen_shape *s = &g->s;
	int batch = g->batch;
	size_t B = (size_t)batch, U = (size_t)s->attr_units, A = (size_t)s->A;
	netshare__heads_backward(s->attr_heads, s->n_attr_heads, g->attributes, dattr, B, A);
	float *d = g->tmp;
	netshare__dense_backward(&g->attr_out, g->hidden ? g->bn[g->hidden - 1] : g->z_a, dattr,
	                         batch, g->hidden ? d : NULL);
	for (int l = g->hidden - 1; l >= 0; l--) {
		float *dx = g->tmp2;
		netshare__batchnorm_backward(&g->attr_bn[l], g->xhat[l], d, batch, dx);
		netshare__relu_backward(g->relu[l], dx, B * U);
		netshare__dense_backward(&g->attr_dense[l], l ? g->bn[l - 1] : g->z_a, dx, batch,
		                         l ? d : NULL);
	}
}

void
netshare__generator_backward(netshare__generator *g, float *dattr, const float *dfeat)
{
	netshare__generator_backward_features(g, dfeat);
	netshare__generator_backward_attributes(g, dattr);
}

size_t
netshare__generator_tensors(netshare__generator *g, netshare__gen_tensor *t)
{
	size_t n = 0;
#define ADD(p, gr, sz) (t[n++] = (netshare__gen_tensor){ p, gr, sz })
	for (int l = 0; l < g->hidden; l++) {
		netshare__dense *d = &g->attr_dense[l];
		ADD(d->w, d->dw, (size_t)d->in * d->out);
		ADD(d->b, d->db, (size_t)d->out);
		ADD(g->attr_bn[l].gamma, g->attr_bn[l].dgamma, (size_t)g->attr_bn[l].dim);
		ADD(g->attr_bn[l].beta, g->attr_bn[l].dbeta, (size_t)g->attr_bn[l].dim);
	}
	ADD(g->attr_out.w, g->attr_out.dw, (size_t)g->attr_out.in * g->attr_out.out);
	ADD(g->attr_out.b, g->attr_out.db, (size_t)g->attr_out.out);
	size_t G4 = 4 * (size_t)g->lstm.hidden;
	ADD(g->lstm.w_ih, g->lstm.dw_ih, G4 * g->lstm.in);
	ADD(g->lstm.w_hh, g->lstm.dw_hh, G4 * g->lstm.hidden);
	ADD(g->lstm.b_ih, g->lstm.db_ih, G4);
	ADD(g->lstm.b_hh, g->lstm.db_hh, G4);
	ADD(g->feat_out.w, g->feat_out.dw, (size_t)g->feat_out.in * g->feat_out.out);
	ADD(g->feat_out.b, g->feat_out.db, (size_t)g->feat_out.out);
	if (g->s.state_from_condition) {
		ADD(g->state_in.w, g->state_in.dw, (size_t)g->state_in.in * g->state_in.out);
		ADD(g->state_in.b, g->state_in.db, (size_t)g->state_in.out);
	}
	if (g->s.output_from_condition) {
		ADD(g->out_in.w, g->out_in.dw, (size_t)g->out_in.in * g->out_in.out);
		ADD(g->out_in.b, g->out_in.db, (size_t)g->out_in.out);
	}
	for (int l = 0; l < g->hidden; l++) {
		ADD(g->attr_bn[l].running_mean, NULL, (size_t)g->attr_bn[l].dim);
		ADD(g->attr_bn[l].running_var, NULL, (size_t)g->attr_bn[l].dim);
	}
#undef ADD
	return n;
}

/* Every tensor of the deepest generator the parameters allow (attr_layers up to
 * NETSHARE__GEN_MAX_LAYERS + 1) fits one optimiser: its trained ones are fewer still. */
_Static_assert(NETSHARE__GEN_MAX_TENSORS <= NETSHARE__ADAM_MAX_TENSORS,
               "the optimiser holds every generator tensor");

netshare_status
netshare__generator_register(netshare__generator *g, netshare__adam *a)
{
	netshare__gen_tensor t[NETSHARE__GEN_MAX_TENSORS];
	size_t n = netshare__generator_tensors(g, t);
	netshare_status st = NETSHARE_OK;
	for (size_t i = 0; i < n && st == NETSHARE_OK; i++)
		if (t[i].grad)
			st = netshare__adam_add(a, t[i].w, t[i].grad, t[i].size);
	return st;
}

double
netshare__generator_workspace_floats(const netshare__gen_shape *s, int batch)
{
	double B = batch, H = s->lstm_units, steps = s->steps;
	double SF = (double)s->sample_len * s->F;
	/* LSTM cache: gates and their gradients (8H), c, h, tanh c (3H) per step; the
	 * step inputs, outputs and their gradients, dh; the features. */
	return B * steps * (11 * H + (s->A + s->feat_noise) + 2 * SF + H) + B * steps * SF;
}

double
netshare__generator_floats(const netshare__gen_shape *s, int trained_only)
{
	double U = s->attr_units, H = s->lstm_units, A = s->A;
	double SF = (double)s->sample_len * s->F, n = 0;
	int hidden = s->attr_layers - 1;
	for (int l = 0; l < hidden; l++) /* dense, bias, gamma, beta (+ running mean, var) */
		n += (l ? U : s->attr_noise) * U + (trained_only ? 3 : 5) * U;
	n += (hidden ? U : s->attr_noise) * A + A;
	n += 4 * H * (A + s->feat_noise) + 4 * H * H + 8 * H;
	n += H * SF + SF;
	if (s->state_from_condition)
		n += A * 2 * H + 2 * H;
	if (s->output_from_condition)
		n += A * SF + SF;
	return n;
}
