/* SPDX-License-Identifier: BSD-3-Clause */
/* The WGAN-GP training loop of one DoppelGANger model (see trainer.h). */
#include "trainer.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/progress.h"
#include "nn/critic_dp.h"

void
netshare__dg_params_default(netshare__dg_params *p)
{
	p->batch = 100;
	p->d_rounds = 5;
	p->g_rounds = 1;
	p->disc_layers = 5;
	p->disc_units = 512;
	p->aux_disc_layers = 5;
	p->aux_disc_units = 512;
	/* NetShare uses 1e-4 for 80,000+ iterations; at the few thousand a laptop affords,
	 * 5e-4 converges much further (docs/DEVELOPING.md, "Fidelity"). */
	p->lr_g = p->lr_d = p->lr_aux = 5e-4f;
	p->beta1 = 0.5f;
	p->beta2 = 0.999f;
	p->gp_lambda = p->aux_gp_lambda = 10.0;
	p->aux_weight = 1.0;
	p->dp_clip = p->dp_sigma = 0; /* DP off */
}

void
netshare__dg_free(netshare__dg *m)
{
	netshare__generator_free(&m->g);
	netshare__critic_free(&m->d);
	netshare__critic_free(&m->aux);
	netshare__adam_free(&m->opt_g);
	netshare__adam_free(&m->opt_d);
	netshare__adam_free(&m->opt_aux);
	float *bufs[] = { m->x_real, m->x_fake, m->x_both, m->dx, m->dscore, m->dattr, m->dfeat };
	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		netshare__free(bufs[i]);
	memset(m, 0, sizeof *m);
}

static netshare_status
register_critic(netshare__critic *c, netshare__adam *a)
{
	netshare_status st = NETSHARE_OK;
	for (int l = 0; l < c->layers && st == NETSHARE_OK; l++) {
		netshare__dense *d = &c->hidden[l];
		st = netshare__adam_add(a, d->w, d->dw, (size_t)d->in * d->out);
		if (st == NETSHARE_OK)
			st = netshare__adam_add(a, d->b, d->db, (size_t)d->out);
	}
	if (st == NETSHARE_OK)
		st = netshare__adam_add(a, c->out.w, c->out.dw, (size_t)c->out.in);
	if (st == NETSHARE_OK)
		st = netshare__adam_add(a, c->out.b, c->out.db, 1);
	return st;
}

static netshare_status
dg_init(netshare__dg *m, const netshare__gen_shape *gs, const netshare__dg_params *p,
        uint64_t seed, int with_critics)
{
	memset(m, 0, sizeof *m);
	m->p = *p;
	if (p->batch < 1 || p->d_rounds < 0 || p->g_rounds < 0 || p->disc_layers < 2 ||
	    p->aux_disc_layers < 2)
		return netshare__error(NETSHARE_EINVAL, "model: batch %d, d_rounds %d, g_rounds %d, "
		                       "discriminator layers %d and %d (>= 2)", p->batch, p->d_rounds,
		                       p->g_rounds, p->disc_layers, p->aux_disc_layers);
	netshare__gen_shape s = *gs;
	s.max_batch = p->batch;
	m->A = s.A;
	m->F = s.F;
	m->T = s.sample_len * s.steps;
	size_t B = (size_t)p->batch, X = (size_t)m->T * m->F + (size_t)m->A;
	netshare__rng_seed(&m->rng, seed);
	netshare__rng_seed(&m->dp_rng, ~seed); /* the model reseeds it secretly for DP */
	netshare_status st = netshare__generator_init(&m->g, &s);
	if (st == NETSHARE_OK && with_critics)
		st = netshare__critic_init(&m->d, (int)X, p->disc_units, p->disc_layers - 1,
		                           3 * p->batch);
	if (st == NETSHARE_OK && with_critics)
		st = netshare__critic_init(&m->aux, m->A, p->aux_disc_units, p->aux_disc_layers - 1,
		                           3 * p->batch);
	if (st < 0) {
		netshare__dg_free(m);
		return st;
	}
	if ((st = netshare__generator_init_weights(&m->g, &m->rng)) < 0) {
		netshare__dg_free(m);
		return st;
	}
	netshare__adam_init(&m->opt_g, p->lr_g, p->beta1, p->beta2, 1e-8f);
	netshare__adam_init(&m->opt_d, p->lr_d, p->beta1, p->beta2, 1e-8f);
	netshare__adam_init(&m->opt_aux, p->lr_aux, p->beta1, p->beta2, 1e-8f);
	/* The generator's tensors are registered in either case: its optimiser's list is
	 * the list of its weights that the model file stores. */
	if ((st = netshare__generator_register(&m->g, &m->opt_g)) < 0) {
		netshare__dg_free(m);
		return st;
	}
	if (!with_critics)
		return NETSHARE_OK;
	netshare__critic_init_weights(&m->d, &m->rng);
	netshare__critic_init_weights(&m->aux, &m->rng);
	if ((st = register_critic(&m->d, &m->opt_d)) < 0 ||
	    (st = register_critic(&m->aux, &m->opt_aux)) < 0) {
		netshare__dg_free(m);
		return st;
	}
	m->x_real = netshare__mallocarray(B * X, sizeof(float));
	m->x_fake = netshare__mallocarray(B * X, sizeof(float));
	m->x_both = netshare__mallocarray(3 * B * X, sizeof(float));
	m->dx = netshare__mallocarray(B * X, sizeof(float));
	m->dscore = netshare__mallocarray(2 * B, sizeof(float));
	m->dattr = netshare__mallocarray(B * (size_t)m->A, sizeof(float));
	m->dfeat = netshare__mallocarray(B * (size_t)m->T * m->F, sizeof(float));
	if (!m->x_real || !m->x_fake || !m->x_both || !m->dx || !m->dscore ||
	    !m->dattr || !m->dfeat) {
		netshare__dg_free(m);
		return netshare__error_oom("model");
	}
	return NETSHARE_OK;
}

netshare_status
netshare__dg_init(netshare__dg *m, const netshare__gen_shape *gs, const netshare__dg_params *p,
                  uint64_t seed)
{
	return dg_init(m, gs, p, seed, 1);
}

netshare_status
netshare__dg_init_generator(netshare__dg *m, const netshare__gen_shape *gs,
                            const netshare__dg_params *p, uint64_t seed)
{
	return dg_init(m, gs, p, seed, 0);
}

/* Critic input rows: [features (T x F), attributes (A)]. */
static void
pack(const netshare__dg *m, float *x, const float *attr, const float *feat, int b)
{
	size_t TF = (size_t)m->T * m->F;
	memcpy(x + (size_t)b * (TF + m->A), feat, TF * sizeof *x);
	memcpy(x + (size_t)b * (TF + m->A) + TF, attr, (size_t)m->A * sizeof *x);
}

/* Training row k as real row b of both critics' inputs. */
static void
take_real(netshare__dg *m, const float *attr, const float *feat, size_t k, int b,
          float *attr_real)
{
	pack(m, m->x_real, attr + k * m->A, feat + k * (size_t)m->T * m->F, b);
	memcpy(attr_real + (size_t)b * m->A, attr + k * m->A, (size_t)m->A * sizeof(float));
}

/* n fresh fake rows from the generator into x_fake. */
static void
draw_fakes(netshare__dg *m, int n)
{
	size_t TF = (size_t)m->T * m->F;
	netshare__generator_forward(&m->g, &m->rng, n, 1);
	for (int b = 0; b < n; b++)
		pack(m, m->x_fake, m->g.attributes + (size_t)b * m->A, m->g.features + (size_t)b * TF, b);
}

/* The next row of a Poisson sample after row *next - 1 (each row with probability q,
 * log_miss = log(1 - q)), by a geometric gap: O(sample) draws, not O(n); n when the
 * sample is complete. */
static size_t
poisson_next(netshare__rng *r, double log_miss, size_t *next, size_t n)
{
	if (*next >= n)
		return n;
	double u = 1.0 - netshare__rng_uniform(r); /* (0, 1] */
	double gap = log_miss < 0 ? floor(log(u) / log_miss) : 0;
	if (!(gap < (double)(n - *next)))
		return *next = n;
	size_t k = *next + (size_t)gap;
	*next = k + 1;
	return k;
}

/* x_both = [fake rows xf; real rows xr; interpolates] for n rows of `in` floats, one
 * interpolation weight per row from the model's RNG; then the critic's forward on all
 * 3n rows. Adds the rows' fake and real score sums to *fake and *real. */
static void
critic_forward_both(netshare__dg *m, netshare__critic *c, const float *xr, const float *xf,
                    int n, double *fake, double *real)
{
	int in = c->in;
	size_t rows = (size_t)n * in;
	memcpy(m->x_both, xf, rows * sizeof(float));
	memcpy(m->x_both + rows, xr, rows * sizeof(float));
	float *x_hat = m->x_both + 2 * rows;
	for (int b = 0; b < n; b++) {
		float a = netshare__rng_uniformf(&m->rng);
		for (int k = 0; k < in; k++) {
			size_t i = (size_t)b * in + k;
			x_hat[i] = a * xr[i] + (1 - a) * xf[i];
		}
	}
	const float *s = netshare__critic_forward(c, m->x_both, 3 * n);
	for (int b = 0; b < n; b++) {
		*fake += s[b];
		*real += s[n + b];
	}
}

/* One critic step on real rows xr and fake rows xf (B x in): returns the loss. Fake rows,
 * real rows and the interpolates of the penalty go through the critic as one 3B batch
 * (a third of the matrix calls, each three times as large); the score gradients are
 * +1/B for fake rows and -1/B for real ones, and the penalty uses the last B rows. */
/* An optimiser step, after the data-parallel hook (if any) has made the gradients the
 * mean over the ranks. */
static void
step(netshare__dg *m, netshare__adam *opt)
{
	if (m->grad_sync)
		m->grad_sync(opt, m->grad_sync_user);
	netshare__adam_step(opt);
}

static void
critic_step(netshare__dg *m, netshare__critic *c, netshare__adam *opt, const float *xr,
            const float *xf, double lambda, double *wdist, double *loss)
{
	int B = m->p.batch;
	double fake = 0, real = 0;
	netshare__critic_zero_grad(c);
	critic_forward_both(m, c, xr, xf, B, &fake, &real);
	for (int b = 0; b < B; b++) {
		m->dscore[b] = 1.0f / B;
		m->dscore[B + b] = -1.0f / B;
	}
	netshare__critic_backward(c, m->x_both, m->dscore, 2 * B, NULL);
	double gp = netshare__critic_penalty_rows(c, 2 * B, B, lambda);
	step(m, opt);
	*wdist = (real - fake) / B;
	*loss = (fake - real) / B + gp;
}

/* The attribute part of critic input rows (x_fake holds [features, attributes]). */
static float *
attributes_of(netshare__dg *m, const float *x, float *out)
{
	int B = m->p.batch;
	size_t TF = (size_t)m->T * m->F;
	for (int b = 0; b < B; b++)
		memcpy(out + (size_t)b * m->A, x + (size_t)b * (TF + m->A) + TF, (size_t)m->A * sizeof *out);
	return out;
}

static void
generator_step(netshare__dg *m)
{
	int B = m->p.batch;
	size_t TF = (size_t)m->T * m->F, X = TF + m->A;
	netshare__generator_zero_grad(&m->g);
	draw_fakes(m, B);
	double loss = 0;
	const float *s = netshare__critic_forward(&m->d, m->x_fake, B);
	for (int b = 0; b < B; b++) {
		loss -= s[b] / B;
		m->dscore[b] = -1.0f / B;
	}
	netshare__critic_backward(&m->d, m->x_fake, m->dscore, B, m->dx);
	for (int b = 0; b < B; b++) {
		memcpy(m->dfeat + (size_t)b * TF, m->dx + (size_t)b * X, TF * sizeof(float));
		memcpy(m->dattr + (size_t)b * m->A, m->dx + (size_t)b * X + TF, (size_t)m->A * sizeof(float));
	}
	s = netshare__critic_forward(&m->aux, m->g.attributes, B);
	for (int b = 0; b < B; b++) {
		loss -= m->p.aux_weight * s[b] / B;
		m->dscore[b] = (float)(-m->p.aux_weight / B);
	}
	netshare__critic_backward(&m->aux, m->g.attributes, m->dscore, B, m->dx);
	for (size_t i = 0; i < (size_t)B * m->A; i++)
		m->dattr[i] += m->dx[i];
	netshare__generator_backward(&m->g, m->dattr, m->dfeat);
	step(m, &m->opt_g);
	m->loss_g = loss;
}

/*
 * One critic round under DP-SGD: a Poisson sample of the n training rows (each with
 * probability q = B/n, as the sampled Gaussian mechanism the accountant composes
 * assumes), processed in parts of at most B rows with fresh fake rows each; both
 * critics get the clipped sum of their examples' gradients (each example's loss
 * carrying 1/B, the expected batch, so the bound is C/B) plus N(0, (sigma C / B)^2)
 * noise, then an Adam step. The sample's size varies; an empty one is noise only.
 * Every draw of the round comes from dp_rng: the sample's size, which is private, then
 * decides how far that stream advances, not the model's stored one, whose draws for the
 * generator steps (post-processing) must not depend on the data.
 */
static netshare_status dp_round_draws(netshare__dg *m, const float *attr, const float *feat,
                                      size_t n, float *attr_real, float *attr_fake);

static netshare_status
dp_round(netshare__dg *m, const float *attr, const float *feat, size_t n, float *attr_real,
         float *attr_fake)
{
	netshare__rng stored = m->rng;
	m->rng = m->dp_rng;
	netshare_status st = dp_round_draws(m, attr, feat, n, attr_real, attr_fake);
	m->dp_rng = m->rng;
	m->rng = stored;
	return st;
}

static netshare_status
dp_round_draws(netshare__dg *m, const float *attr, const float *feat, size_t n,
               float *attr_real, float *attr_fake)
{
	int B = m->p.batch;
	double q = m->p.dp_rate > 0 ? m->p.dp_rate : n > (size_t)B ? (double)B / (double)n : 1;
	double clip = m->p.dp_clip / B;
	double fake = 0, real = 0, gp_d = 0, gp_aux = 0, fake_aux = 0, real_aux = 0;
	size_t sampled = 0, next = 0;
	netshare__critic_zero_grad(&m->d);
	netshare__critic_zero_grad(&m->aux);
	double log_miss = q < 1 ? log1p(-q) : 0; /* 0: every row */
	netshare_status st = NETSHARE_OK;
	for (int cnt = B; cnt == B && st == NETSHARE_OK;) { /* a full part: maybe more */
		size_t k;
		for (cnt = 0; cnt < B && (k = poisson_next(&m->rng, log_miss, &next, n)) < n; cnt++)
			take_real(m, attr, feat, k, cnt, attr_real);
		if (cnt == 0)
			break;
		sampled += (size_t)cnt;
		draw_fakes(m, cnt);
		double p = 0;
		critic_forward_both(m, &m->d, m->x_real, m->x_fake, cnt, &fake, &real);
		st = netshare__critic_dp_accumulate(&m->d, m->x_both, cnt, 1.0f / B, -1.0f / B,
		                                    m->p.gp_lambda / B, clip, NULL, &p);
		gp_d += p;
		if (st == NETSHARE_OK) {
			critic_forward_both(m, &m->aux, attr_real, attributes_of(m, m->x_fake, attr_fake),
			                    cnt, &fake_aux, &real_aux);
			st = netshare__critic_dp_accumulate(&m->aux, m->x_both, cnt, 1.0f / B,
			                                    -1.0f / B, m->p.aux_gp_lambda / B, clip,
			                                    NULL, &p);
			gp_aux += p;
		}
	}
	if (st < 0)
		return st;
	netshare__critic_add_noise(&m->d, m->p.dp_sigma * clip, &m->rng);
	netshare__critic_add_noise(&m->aux, m->p.dp_sigma * clip, &m->rng);
	netshare__adam_step(&m->opt_d);
	netshare__adam_step(&m->opt_aux);
	m->dp_rounds++;
	m->dp_sampled += sampled;
	m->wasserstein = sampled ? (real - fake) / (double)sampled : 0;
	m->loss_d = (fake - real) / B + gp_d;
	m->loss_aux = (fake_aux - real_aux) / B + gp_aux;
	return NETSHARE_OK;
}

netshare_status
netshare__dg_train(netshare__dg *m, const float *attr, const float *feat, size_t n,
                   long iterations, netshare_progress_fn progress, void *user, int chunk)
{
	if (n == 0 && !(m->p.dp_clip > 0))
		return netshare__error(NETSHARE_EINVAL, "chunk %d: no flows to train on", chunk);
	int B = m->p.batch;
	float *attr_fake = m->dattr; /* scratch: the aux critic's fake attributes */
	float *attr_real = netshare__mallocarray((size_t)B * m->A, sizeof(float));
	if (!attr_real)
		return netshare__error_oom("training batch");
	netshare__progress pr;
	netshare_status st = netshare__progress_begin_at(&pr, progress, user, "train", chunk,
	                                                 (uint64_t)m->iterations,
	                                                 (uint64_t)(m->iterations + iterations),
	                                                 0.0);
	for (long it = 0; it < iterations && st == NETSHARE_OK; it++) {
		for (int r = 0; r < m->p.d_rounds && st == NETSHARE_OK; r++) {
			if (m->p.dp_clip > 0) {
				st = dp_round(m, attr, feat, n, attr_real, attr_fake);
				continue;
			}
			for (int b = 0; b < B; b++)
				take_real(m, attr, feat, (size_t)netshare__rng_below(&m->rng, n), b,
				          attr_real);
			draw_fakes(m, B);
			double unused;
			critic_step(m, &m->d, &m->opt_d, m->x_real, m->x_fake, m->p.gp_lambda,
			            &m->wasserstein, &m->loss_d);
			critic_step(m, &m->aux, &m->opt_aux, attr_real,
			            attributes_of(m, m->x_fake, attr_fake), m->p.aux_gp_lambda, &unused,
			            &m->loss_aux);
		}
		if (st < 0)
			break;
		for (int r = 0; r < m->p.g_rounds; r++)
			generator_step(m);
		m->iterations++;
		if (!isfinite(m->loss_d) || !isfinite(m->loss_aux) || !isfinite(m->loss_g) ||
		    !netshare__critic_finite(&m->d)) {
			st = netshare__error(NETSHARE_ENUMERIC, "chunk %d: training diverged at "
			                     "iteration %ld (losses D %g, aux %g, G %g)", chunk,
			                     m->iterations, m->loss_d, m->loss_aux, m->loss_g);
			break;
		}
		pr.info.loss_d = m->loss_d;
		pr.info.loss_aux_d = m->loss_aux;
		pr.info.loss_g = m->loss_g;
		pr.info.wasserstein = m->wasserstein;
		st = netshare__progress_update(&pr, (uint64_t)m->iterations, 1);
	}
	netshare__free(attr_real);
	return st;
}

static netshare_status
copy_critic(netshare__critic *dst, const netshare__critic *src)
{
	if (dst->layers != src->layers)
		return netshare__error(NETSHARE_EINVAL, "warm start: critics of %d and %d layers",
		                       dst->layers, src->layers);
	netshare_status st = NETSHARE_OK;
	for (int l = 0; l < dst->layers && st == NETSHARE_OK; l++)
		st = netshare__dense_copy(&dst->hidden[l], &src->hidden[l]);
	return st == NETSHARE_OK ? netshare__dense_copy(&dst->out, &src->out) : st;
}

netshare_status
netshare__dg_copy_weights(netshare__dg *dst, const netshare__dg *src)
{
	netshare_status st = netshare__generator_copy_weights(&dst->g, &src->g);
	if (st == NETSHARE_OK)
		st = copy_critic(&dst->d, &src->d);
	if (st == NETSHARE_OK)
		st = copy_critic(&dst->aux, &src->aux);
	return st;
}
