/* SPDX-License-Identifier: BSD-3-Clause */
/* The WGAN-GP training loop of one DoppelGANger model (see trainer.h). */
#include "trainer.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/progress.h"
#include "nn/blas_threads.h"
#include "nn/critic_dp.h"

void
netshare__dg_params_default(netshare__dg_params *p)
{
	memset(p, 0, sizeof *p); /* every setting not named below off */
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
	/* WGAN-GP's (Gulrajani et al. 2017), not DoppelGANger's 0.5 / 0.999: the second
	 * moment follows the critics' changing gradients within ~10 steps, not ~1000
	 * (docs/DEVELOPING.md, "Adam's betas"). */
	p->beta1 = 0.0f;
	p->beta2 = 0.9f;
	p->gp_lambda = p->aux_gp_lambda = 10.0;
	p->aux_weight = 1.0;
	p->split_products = -1;
	p->disc_embed = 0; /* NetShare's MLP on the whole flow */
	p->aux_pack = 1;
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
	netshare__ema_free(&m->ema);
	netshare__cond_weights_free(&m->balance);
	float *bufs[] = { m->round[0].x_both, m->round[0].aux_both, m->round[1].x_both,
	                  m->round[1].aux_both, m->round[0].dscore, m->round[1].dscore,
	                  m->alpha, m->aux_alpha, m->dscore_step, m->dscore_gen,
	                  m->dscore_aux, m->dx, m->dx_aux, m->dattr, m->dfeat };
	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		netshare__free(bufs[i]);
	memset(m, 0, sizeof *m);
}

static netshare_status
register_critic(netshare__critic *c, netshare__adam *a)
{
	netshare_status st = NETSHARE_OK;
	if (c->steps) {
		st = netshare__adam_add(a, c->front.w, c->front.dw,
		                        (size_t)c->front.in * c->front.out);
		if (st == NETSHARE_OK)
			st = netshare__adam_add(a, c->front.b, c->front.db, (size_t)c->front.out);
	}
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
	if (st == NETSHARE_OK && c->cond)
		st = netshare__adam_add(a, c->pv, c->dpv, (size_t)c->cond * c->units);
	return st;
}

/* How much heavier D must be than the rest of a critic round (aux-D, drawing the next
 * batch) for training to split its products rather than run it beside the rest; and
 * into how many blocks. D's products are cut into those blocks either way: beside the
 * rest, the thread that runs aux-D takes D's remaining blocks once its own work is
 * done (D is the longer side at most shapes). */
#define SPLIT_PRODUCTS_RATIO 2.0
#define SPLIT_PARTS 2

/* The generator's tensors (the trained ones and the BatchNorm running statistics),
 * averaged. */
static netshare_status
register_average(netshare__dg *m)
{
	netshare__ema_init(&m->ema, m->p.ema_decay);
	netshare__gen_tensor t[NETSHARE__GEN_MAX_TENSORS];
	size_t n = netshare__generator_tensors(&m->g, t);
	netshare_status st = NETSHARE_OK;
	for (size_t i = 0; i < n && st == NETSHARE_OK; i++)
		st = netshare__ema_add(&m->ema, t[i].w, t[i].size);
	return st;
}

netshare_status
netshare__dg_copy_generator(netshare__generator *dst, const netshare__dg *src)
{
	netshare_status st = netshare__generator_copy_weights(dst, &src->g);
	if (st < 0)
		return st;
	if (src->ema.count) {
		netshare__gen_tensor t[NETSHARE__GEN_MAX_TENSORS];
		size_t n = netshare__generator_tensors(dst, t);
		if (n != src->ema.count)
			return netshare__error(NETSHARE_EINVAL, "generators of different shapes");
		const float *avg = src->ema.avg;
		for (size_t i = 0; i < n; i++) {
			memcpy(t[i].w, avg, t[i].size * sizeof *avg);
			avg += t[i].size;
		}
	}
	netshare__generator_estimate_bn(dst);
	return NETSHARE_OK;
}

/* Floats in a row of aux-D's input: the attributes and the first p.aux_records
 * records' features. */
static size_t
aux_width(const netshare__dg *m)
{
	return (size_t)m->A + (size_t)m->p.aux_records * m->F;
}

/* aux-D's rows in a batch of B flows: p.aux_pack flows to a row. */
static int
aux_rows(const netshare__dg *m)
{
	return m->p.batch / m->p.aux_pack;
}

/* Row b of aux-D's input from a flow's attributes and features (with p.aux_pack P,
 * rows P i .. P i + P - 1 side by side are aux-D's row i: the same memory). */
static void
pack_aux(const netshare__dg *m, float *x, const float *attr, const float *feat, int b)
{
	size_t AX = aux_width(m);
	memcpy(x + (size_t)b * AX, attr, (size_t)m->A * sizeof *x);
	memcpy(x + (size_t)b * AX + m->A, feat, (AX - m->A) * sizeof *x);
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
	if (p->aux_records < 0 || p->aux_records > (int)(gs->sample_len * gs->steps) ||
	    (p->aux_records && p->real_condition))
		return netshare__error(NETSHARE_EINVAL, "model: aux-D's records %d (0..%d, and 0 "
		                       "with real conditioning)", p->aux_records,
		                       gs->sample_len * gs->steps);
	if (p->aux_pack < 1 || p->batch % p->aux_pack ||
	    (p->aux_pack > 1 && (p->dp_clip > 0 || p->dp_sigma > 0 || p->condition_balance > 0)))
		return netshare__error(NETSHARE_EINVAL, "model: aux-D's pack %d (a divisor of the "
		                       "batch %d, and 1 with DP or condition weights)", p->aux_pack,
		                       p->batch);
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
		st = netshare__critic_init_front(&m->d, (int)X, p->disc_embed > 0 ? m->T : 0, m->F,
		                                 p->disc_embed, p->disc_units, p->disc_layers - 1,
		                                 3 * p->batch);
	if (st == NETSHARE_OK && with_critics && p->disc_projection)
		st = netshare__critic_project(&m->d, m->A);
	if (st == NETSHARE_OK && with_critics)
		st = netshare__critic_init(&m->aux, (int)aux_width(m) * p->aux_pack,
		                           p->aux_disc_units, p->aux_disc_layers - 1,
		                           3 * p->batch / p->aux_pack);
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
	if ((st = register_average(m)) < 0) {
		netshare__dg_free(m);
		return st;
	}
	netshare__critic_init_weights(&m->d, &m->rng);
	netshare__critic_init_weights(&m->aux, &m->rng);
	/* D's weights against aux-D's and the generator's: what each side of a round runs */
	double d_floats = netshare__critic_floats(m->d.in, m->d.steps, m->d.step_in,
	                                          m->d.front.out, m->d.units, m->d.layers);
	double rest = netshare__critic_floats(m->aux.in, 0, 0, 0, m->aux.units, m->aux.layers) +
	              netshare__generator_floats(&m->g.s, 1);
	m->split = p->split_products >= 0 ? p->split_products
	                                  : d_floats > SPLIT_PRODUCTS_RATIO * rest;
	netshare__critic_split(&m->d, SPLIT_PARTS, NULL);
	netshare__critic_split(&m->aux, m->split ? SPLIT_PARTS : 1, NULL);
	netshare__generator_split(&m->g, SPLIT_PARTS, NULL);
	if ((st = register_critic(&m->d, &m->opt_d)) < 0 ||
	    (st = register_critic(&m->aux, &m->opt_aux)) < 0) {
		netshare__dg_free(m);
		return st;
	}
	size_t A = (size_t)m->A, AX = aux_width(m);
	int ok = 1;
	for (int r = 0; r < 2; r++) {
		struct netshare__dg_round *d = &m->round[r];
		ok &= !!(d->x_both = netshare__mallocarray(3 * B * X, sizeof(float)));
		ok &= !!(d->aux_both = netshare__mallocarray(3 * B * AX, sizeof(float)));
		if (p->condition_balance > 0)
			ok &= !!(d->dscore = netshare__mallocarray(2 * B, sizeof(float)));
		if (ok) {
			d->x_fake = d->x_both;
			d->x_real = d->x_both + B * X;
			d->attr_fake = d->aux_both;
			d->attr_real = d->aux_both + B * AX;
		}
	}
	ok &= !!(m->alpha = netshare__mallocarray(B, sizeof(float)));
	ok &= !!(m->aux_alpha = netshare__mallocarray(B, sizeof(float)));
	ok &= !!(m->dscore_step = netshare__mallocarray(2 * B, sizeof(float)));
	ok &= !!(m->dscore_gen = netshare__mallocarray(2 * B, sizeof(float)));
	ok &= !!(m->dscore_aux = netshare__mallocarray(2 * B, sizeof(float)));
	ok &= !!(m->dx = netshare__mallocarray(B * X, sizeof(float)));
	ok &= !!(m->dx_aux = netshare__mallocarray(B * AX, sizeof(float)));
	ok &= !!(m->dattr = netshare__mallocarray(B * A, sizeof(float)));
	ok &= !!(m->dfeat = netshare__mallocarray(B * (size_t)m->T * m->F, sizeof(float)));
	if (!ok) {
		netshare__dg_free(m);
		return netshare__error_oom("model");
	}
	for (size_t b = 0; b < B; b++) {
		m->dscore_step[b] = 1.0f / (float)B;
		m->dscore_step[B + b] = -1.0f / (float)B;
		m->dscore_gen[b] = -1.0f / (float)B;
	}
	size_t BA = (size_t)aux_rows(m);
	for (size_t b = 0; b < BA; b++) {
		m->dscore_aux[b] = 1.0f / (float)BA;
		m->dscore_aux[BA + b] = -1.0f / (float)BA;
		m->dscore_gen[B + b] = (float)(-p->aux_weight / (double)BA);
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
take_real(netshare__dg *m, struct netshare__dg_round *r, const float *attr, const float *feat,
          size_t k, int b)
{
	pack(m, r->x_real, attr + k * m->A, feat + k * (size_t)m->T * m->F, b);
	pack_aux(m, r->attr_real, attr + k * m->A, feat + k * (size_t)m->T * m->F, b);
	if (r->dscore)
		r->dscore[m->p.batch + b] = -m->balance.row_weight[k] / (float)m->p.batch;
}

/* Whether the features of fakes are conditioned on real attributes (p.real_condition;
 * never in a DP round, whose analysis assumes fakes that do not read the data). */
static int
real_condition(const netshare__dg *m)
{
	return m->p.real_condition && !m->p.dp_sigma && !m->p.dp_clip;
}

/* n fresh fake rows from the generator into the round's x_fake and attr_fake: the
 * generator's attributes (and first records) in attr_fake (aux-D's), and in x_fake (D's)
 * the features with the attributes they are conditioned on, the generated ones or
 * (real_condition) the round's real ones, attr_real. */
static void
draw_fakes(netshare__dg *m, struct netshare__dg_round *r, int n)
{
	size_t TF = (size_t)m->T * m->F, A = (size_t)m->A;
	if (real_condition(m)) {
		netshare__generator_forward_real_condition(&m->g, &m->rng, n, r->attr_real,
		                                           r->attr_fake);
		for (int b = 0; b < n; b++)
			pack(m, r->x_fake, r->attr_real + (size_t)b * A,
			     m->g.features + (size_t)b * TF, b);
	} else {
		netshare__generator_forward(&m->g, &m->rng, n, 1);
		for (int b = 0; b < n; b++) {
			pack(m, r->x_fake, m->g.attributes + (size_t)b * A,
			     m->g.features + (size_t)b * TF, b);
			pack_aux(m, r->attr_fake, m->g.attributes + (size_t)b * A,
			         m->g.features + (size_t)b * TF, b);
		}
	}
	for (int b = 0; r->dscore && b < n; b++) /* the condition D saw the fake with */
		r->dscore[b] = netshare__cond_weights_of(&m->balance, r->x_fake + (size_t)b *
		                                         (TF + A) + TF) / (float)m->p.batch;
}

/* A round's batch: B training rows drawn with replacement, B fakes. */
static void
draw_round(netshare__dg *m, struct netshare__dg_round *r, const float *attr, const float *feat,
           size_t n)
{
	for (int b = 0; b < m->p.batch; b++)
		take_real(m, r, attr, feat, (size_t)netshare__rng_below(&m->rng, n), b);
	draw_fakes(m, r, m->p.batch);
}

static void
draw_alphas(netshare__dg *m, float *alpha, int n)
{
	for (int b = 0; b < n; b++)
		alpha[b] = netshare__rng_uniformf(&m->rng);
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

/* A round buffer of `in`-float rows (struct netshare__dg_round's x_both or aux_both):
 * n fake rows from row 0, n real rows from row B. Makes it [fake; real; interpolates]
 * for n rows (the real rows moved next to the fakes when a DP part has n < B), row b's
 * interpolation weight alpha[b]; then the critic's forward on all 3n rows. Adds the
 * rows' fake and real score sums to *fake and *real. */
static void
critic_forward_both(netshare__critic *c, float *both, const float *alpha, int n, int B,
                    double *fake, double *real)
{
	int in = c->in;
	size_t rows = (size_t)n * in;
	if (n < B)
		memmove(both + rows, both + (size_t)B * in, rows * sizeof(float));
	const float *xf = both, *xr = both + rows;
	float *x_hat = both + 2 * rows;
	for (int b = 0; b < n; b++) {
		float a = alpha[b];
		for (int k = 0; k < in; k++) {
			size_t i = (size_t)b * in + k;
			x_hat[i] = a * xr[i] + (1 - a) * xf[i];
		}
	}
	const float *s = netshare__critic_forward(c, both, 3 * n);
	for (int b = 0; b < n; b++) {
		*fake += s[b];
		*real += s[n + b];
	}
}

/* An optimiser step, after the data-parallel hook (if any) has made the gradients the
 * mean over the ranks. */
static void
step(netshare__dg *m, netshare__adam *opt)
{
	if (m->grad_sync)
		m->grad_sync(opt, m->grad_sync_user);
	netshare__adam_step(opt);
}

/* One critic step on a round buffer `both` (critic_forward_both). Fake rows, real rows
 * and the interpolates of the penalty go through the critic as one 3B batch (a third
 * of the matrix calls, each three times as large); the score gradients are +1/B for
 * fake rows and -1/B for real ones, and the penalty uses the last B rows. */
typedef struct critic_step {
	netshare__dg *m;
	netshare__critic *c;
	netshare__adam *opt;
	float *both;
	const float *alpha;
	const float *dscore; /* 2n score gradients: fake rows', then real rows' */
	int n;               /* rows of each kind: B for D, B / p.aux_pack for aux-D */
	double lambda;
	double wdist, loss; /* out */
} critic_step;

/* Whether the optimiser steps run inside the critics' tasks: not with grad_sync, whose
 * collective calls must come from one thread (the caller's, after the tasks). */
static int
steps_in_tasks(const netshare__dg *m)
{
	return !m->grad_sync;
}

static void
run_critic_step(critic_step *j)
{
	netshare__dg *m = j->m;
	int n = j->n;
	double fake = 0, real = 0;
	netshare__critic_zero_grad(j->c);
	critic_forward_both(j->c, j->both, j->alpha, n, n, &fake, &real);
	netshare__critic_backward(j->c, j->both, j->dscore, 2 * n, NULL);
	double gp = netshare__critic_penalty_rows(j->c, 2 * n, n, j->lambda);
	if (steps_in_tasks(m))
		step(m, j->opt);
	j->wdist = (real - fake) / n;
	j->loss = (fake - real) / n + gp;
}

/* The two critics' steps on round r's batch, D's then aux-D's: which inputs, buffers,
 * interpolation weights and optimiser each uses. */
static void
round_steps(netshare__dg *m, struct netshare__dg_round *r, critic_step step[2])
{
	step[0] = (critic_step){ m, &m->d, &m->opt_d, r->x_both, m->alpha,
	                         r->dscore ? r->dscore : m->dscore_step, m->p.batch,
	                         m->p.gp_lambda, 0, 0 };
	step[1] = (critic_step){ m, &m->aux, &m->opt_aux, r->aux_both, m->aux_alpha,
	                         m->dscore_aux, aux_rows(m), m->p.aux_gp_lambda, 0, 0 };
}

/* The generator step's fakes into round r: with real_condition a batch of real rows
 * first (the attributes its features are conditioned on), else the fakes alone. */
static void
draw_generator_fakes(netshare__dg *m, struct netshare__dg_round *r, const float *attr,
                     const float *feat, size_t n)
{
	if (real_condition(m))
		draw_round(m, r, attr, feat, n);
	else
		draw_fakes(m, r, m->p.batch);
}

/* A critic round: task 0 steps the critic, task 1 the auxiliary critic and then draws
 * into `next` while task 0 may still run: the next round's batch, or after the last
 * round the generator step's fakes (fakes_only; the generator does not change during
 * the rounds, and these are the draws the serial order makes next). */
typedef struct critic_round {
	critic_step step[2];
	struct netshare__dg_round *next;
	int fakes_only;
	const float *attr, *feat;
	size_t n;
} critic_round;

static void
critic_round_task(void *arg, size_t task, unsigned worker)
{
	(void)worker;
	critic_round *r = arg;
	netshare__dg *m = r->step[1].m;
	run_critic_step(&r->step[task]);
	if (task == 1 && r->next && r->fakes_only)
		draw_generator_fakes(m, r->next, r->attr, r->feat, r->n);
	else if (task == 1 && r->next)
		draw_round(m, r->next, r->attr, r->feat, r->n);
}

/* The generator step's fakes, in the generator's outputs and the critic input rows of
 * `fakes`. */
typedef struct generator_pass {
	netshare__dg *m;
	const struct netshare__dg_round *fakes;
} generator_pass;

/* The generator step's passes back through the critics, task 0 D's and task 1 aux-D's:
 * scores of the fakes and gradients with respect to them (the critics' own gradients
 * are not needed). */
static void
critic_backward_task(void *arg, size_t task, unsigned worker)
{
	(void)worker;
	const generator_pass *gp = arg;
	netshare__dg *m = gp->m;
	int B = m->p.batch;
	if (task == 0) {
		netshare__critic_forward(&m->d, gp->fakes->x_fake, B);
		netshare__critic_backward_input(&m->d, m->dscore_gen, B, m->dx);
	} else {
		netshare__critic_forward(&m->aux, gp->fakes->attr_fake, aux_rows(m));
		netshare__critic_backward_input(&m->aux, m->dscore_gen + B, aux_rows(m), m->dx_aux);
	}
}

/* The generator's backward pass, task 0 its features' and task 1 its attributes'. */
static void
generator_backward_task(void *arg, size_t task, unsigned worker)
{
	(void)worker;
	netshare__dg *m = arg;
	if (task == 0)
		netshare__generator_backward_features(&m->g, m->dfeat);
	else
		netshare__generator_backward_attributes(&m->g, m->dattr);
}

/* A generator step on fakes already drawn into round `drawn`, or (NULL) on fresh ones
 * (draw_generator_fakes from the n training rows). */
static void
generator_step(netshare__dg *m, netshare__pool *pool, struct netshare__dg_round *drawn,
               const float *attr, const float *feat, size_t n)
{
	int B = m->p.batch;
	size_t TF = (size_t)m->T * m->F, X = TF + m->A, A = (size_t)m->A;
	netshare__generator_zero_grad(&m->g);
	if (!drawn)
		draw_generator_fakes(m, drawn = &m->round[0], attr, feat, n);
	for (int b = 0; drawn->dscore && b < B; b++) /* D's: -w/B, its fakes' weights */
		m->dscore_gen[b] = -drawn->dscore[b];
	generator_pass gp = { m, drawn };
	netshare__pool_for(pool, 2, critic_backward_task, &gp);
	double loss = 0;
	for (int b = 0; b < B; b++)
		loss -= m->d.score[b] / B;
	for (int b = 0, BA = aux_rows(m); b < BA; b++)
		loss -= m->p.aux_weight * m->aux.score[b] / BA;
	int real = real_condition(m); /* D's attributes were the data's: no gradient */
	size_t AX = aux_width(m);
	for (size_t b = 0; b < (size_t)B; b++) {
		float *df = m->dfeat + b * TF, *da = m->dattr + b * A;
		const float *dx = m->dx_aux + b * AX; /* aux-D's: attributes, first records */
		memcpy(df, m->dx + b * X, TF * sizeof(float));
		if (real)
			memset(da, 0, A * sizeof(float));
		else
			memcpy(da, m->dx + b * X + TF, A * sizeof(float));
		for (size_t i = 0; i < A; i++)
			da[i] += dx[i];
		for (size_t i = 0; i < AX - A; i++)
			df[i] += dx[A + i];
	}
	netshare__pool_for(pool, 2, generator_backward_task, m);
	step(m, &m->opt_g);
	netshare__ema_update(&m->ema);
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
                                      size_t n);

static netshare_status
dp_round(netshare__dg *m, const float *attr, const float *feat, size_t n)
{
	netshare__rng stored = m->rng;
	m->rng = m->dp_rng;
	netshare_status st = dp_round_draws(m, attr, feat, n);
	m->dp_rng = m->rng;
	m->rng = stored;
	return st;
}

/* One part of a DP round: task 0 accumulates D's clipped per-example gradients, task 1
 * aux-D's, each from its own interpolation weights (drawn before, in the serial order). */
typedef struct dp_part {
	critic_step step[2];
	int rows;
	double fake[2], real[2], gp[2];
	netshare_status st[2];
} dp_part;

static void
dp_part_task(void *arg, size_t task, unsigned worker)
{
	(void)worker;
	dp_part *j = arg;
	const critic_step *s = &j->step[task];
	int B = s->m->p.batch;
	critic_forward_both(s->c, s->both, s->alpha, j->rows, B, &j->fake[task],
	                    &j->real[task]);
	j->gp[task] = 0;
	j->st[task] = netshare__critic_dp_accumulate(s->c, s->both, j->rows, 1.0f / B, -1.0f / B,
	                                             s->lambda / B, s->m->p.dp_clip / B, NULL,
	                                             &j->gp[task]);
}

static netshare_status
dp_round_draws(netshare__dg *m, const float *attr, const float *feat, size_t n)
{
	int B = m->p.batch;
	struct netshare__dg_round *r = &m->round[0];
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
			take_real(m, r, attr, feat, k, cnt);
		if (cnt == 0)
			break;
		sampled += (size_t)cnt;
		draw_fakes(m, r, cnt);
		dp_part part = { .rows = cnt };
		round_steps(m, r, part.step);
		draw_alphas(m, m->alpha, cnt);
		draw_alphas(m, m->aux_alpha, cnt);
		netshare__pool_for(m->pool, 2, dp_part_task, &part);
		fake += part.fake[0];
		real += part.real[0];
		fake_aux += part.fake[1];
		real_aux += part.real[1];
		gp_d += part.gp[0];
		gp_aux += part.gp[1];
		st = part.st[0] < 0 ? part.st[0] : part.st[1];
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

void
netshare__dg_train_on(netshare__dg *m, netshare__pool *pool)
{
	if (!m->round[0].x_both) /* not a trainer */
		return;
	netshare__critic_split(&m->d, SPLIT_PARTS, pool);
	netshare__critic_split(&m->aux, m->split ? SPLIT_PARTS : 1, m->split ? pool : NULL);
	netshare__generator_split(&m->g, SPLIT_PARTS, pool);
	m->pool = m->split ? NULL : pool;
}

/* d_rounds critic rounds on batches drawn with replacement; with a pool, the two
 * critics' steps side by side and each next batch drawn during D's step, the last
 * round's "next batch" being the generator step's fakes. Returns the round that holds
 * those. */
static struct netshare__dg_round *
critic_rounds(netshare__dg *m, netshare__pool *pool, const float *attr, const float *feat,
              size_t n)
{
	draw_round(m, &m->round[0], attr, feat, n);
	for (int i = 0; i < m->p.d_rounds; i++) {
		critic_round cr = {
			.next = i + 1 < m->p.d_rounds || m->p.g_rounds > 0 ? &m->round[(i + 1) % 2]
			                                                    : NULL,
			.fakes_only = i + 1 == m->p.d_rounds,
			.attr = attr, .feat = feat, .n = n,
		};
		round_steps(m, &m->round[i % 2], cr.step);
		/* the serial order of draws: this round's weights before the next batch */
		draw_alphas(m, m->alpha, m->p.batch);
		draw_alphas(m, m->aux_alpha, m->p.batch);
		netshare__pool_for(pool, 2, critic_round_task, &cr);
		if (!steps_in_tasks(m)) { /* each critic's weights are its own: same result */
			step(m, &m->opt_d);
			step(m, &m->opt_aux);
		}
		m->wasserstein = cr.step[0].wdist;
		m->loss_d = cr.step[0].loss;
		m->loss_aux = cr.step[1].loss;
	}
	return m->p.g_rounds > 0 ? &m->round[m->p.d_rounds % 2] : NULL;
}

netshare_status
netshare__dg_train(netshare__dg *m, const float *attr, const float *feat, size_t n,
                   long iterations, netshare_progress_fn progress, void *user, int chunk)
{
	if (n == 0 && !(m->p.dp_clip > 0))
		return netshare__error(NETSHARE_EINVAL, "chunk %d: no flows to train on", chunk);
	int dp = m->p.dp_clip > 0;
	if (dp && (m->d.cond || m->p.condition_balance > 0 || m->p.aux_pack > 1))
		return netshare__error(NETSHARE_EINVAL, "chunk %d: D's projection, condition "
		                       "weights and aux-D's packing have no DP accumulation", chunk);
	if (m->p.condition_balance > 0 && (m->balance.attr != attr || m->balance.n_rows != n)) {
		netshare_status bs = netshare__cond_weights_build(&m->balance, m->g.s.attr_heads,
		                                                  m->g.s.n_attr_heads, (size_t)m->A,
		                                                  attr, n, m->p.condition_balance);
		if (bs < 0)
			return bs;
	}
	netshare__pool *pool = m->pool;
	netshare__progress pr;
	netshare_status st = netshare__progress_begin_at(&pr, progress, user, "train", chunk,
	                                                 (uint64_t)m->iterations,
	                                                 (uint64_t)(m->iterations + iterations),
	                                                 0.0);
	netshare__blas_single_begin(); /* the same products for any thread count */
	for (long it = 0; it < iterations && st == NETSHARE_OK; it++) {
		struct netshare__dg_round *drawn = NULL; /* the first generator step's fakes */
		if (dp) {
			for (int r = 0; r < m->p.d_rounds && st == NETSHARE_OK; r++)
				st = dp_round(m, attr, feat, n);
			if (st < 0)
				break;
		} else if (m->p.d_rounds > 0) {
			drawn = critic_rounds(m, pool, attr, feat, n);
		}
		for (int r = 0; r < m->p.g_rounds; r++, drawn = NULL)
			generator_step(m, pool, drawn, attr, feat, n);
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
	netshare__blas_single_end();
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
	/* The average starts at src's (a chunk that trains no iteration generates what
	 * chunk 0 does); its warm-up then lets the fine-tuned weights in at once. */
	if (st == NETSHARE_OK)
		netshare__ema_start_from(&dst->ema, &src->ema);
	return st;
}
