/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Training: on a constructed dataset of two flow types (type 0: 2 records of value ~0.2,
 * starting early; type 1: 4 records of value ~0.8, starting late) a few hundred WGAN-GP
 * iterations bring the generated distribution far closer to the real one than the
 * untrained generator's; same seed, same weights; warm start copies weights.
 */
#include <math.h>
#include <pthread.h>

#include "../test-common.h"
#include "dg/trainer.h"

enum { N = 600, A = 3, F = 3, T = 4 };

static netshare__gen_shape
shape(void)
{
	netshare__gen_shape s;
	memset(&s, 0, sizeof s);
	s.attr_noise = 5;
	s.feat_noise = 5;
	s.attr_layers = 3;
	s.attr_units = 32;
	s.lstm_units = 16;
	s.sample_len = 1;
	s.steps = T;
	const netshare__head ah[] = { { 0, 2, 0 }, { 2, 1, 1 } };
	memcpy(s.attr_heads, ah, sizeof ah);
	s.n_attr_heads = 2;
	s.A = A;
	const netshare__head fh[] = { { 0, 1, 1 }, { 1, 2, 0 } };
	memcpy(s.feat_heads, fh, sizeof fh);
	s.n_feat_heads = 2;
	s.F = F;
	s.gen_offset = 1;
	return s;
}

static void
real_data(float *attr, float *feat)
{
	netshare__rng g;
	netshare__rng_seed(&g, 21);
	memset(feat, 0, sizeof(float) * N * T * F);
	for (int i = 0; i < N; i++) {
		int type = i % 2, len = type ? 4 : 2;
		attr[i * A + 0] = type == 0;
		attr[i * A + 1] = type == 1;
		attr[i * A + 2] = (float)(type * 0.5 + 0.5 * netshare__rng_uniform(&g));
		for (int j = 0; j < len; j++) {
			float *f = feat + ((size_t)i * T + j) * F;
			f[0] = (type ? 0.8f : 0.2f) + 0.02f * (float)netshare__rng_normal(&g);
			f[1] = j + 1 < len;
			f[2] = j + 1 == len;
		}
	}
}

/* How far generated samples are from the two types: share of type 1, and per type the
 * mean length (/4), mean value and mean start, each as an absolute difference. */
static double
distance(netshare__dg *m, const float *attr, const float *feat)
{
	(void)attr;
	(void)feat;
	double count[2] = { 0 }, len[2] = { 0 }, val[2] = { 0 }, start[2] = { 0 }, nval[2] = { 0 };
	netshare__rng g;
	netshare__rng_seed(&g, 99);
	for (int round = 0; round < 10; round++) {
		netshare__generator_forward(&m->g, &g, m->p.batch, 0);
		for (int b = 0; b < m->p.batch; b++) {
			const float *a = m->g.attributes + (size_t)b * A;
			int type = a[1] > a[0];
			count[type]++;
			len[type] += m->g.lengths[b];
			start[type] += a[2];
			for (uint32_t j = 0; j < m->g.lengths[b]; j++) {
				val[type] += m->g.features[((size_t)b * T + j) * F];
				nval[type]++;
			}
		}
	}
	double total = count[0] + count[1], d = fabs(count[1] / total - 0.5);
	const double want_len[2] = { 2, 4 }, want_val[2] = { 0.2, 0.8 }, want_start[2] = { 0.25, 0.75 };
	for (int t = 0; t < 2; t++) {
		if (count[t] == 0) {
			d += 3; /* a type never generated: as far as it gets */
			continue;
		}
		d += fabs(len[t] / count[t] - want_len[t]) / 4;
		d += fabs(val[t] / (nval[t] ? nval[t] : 1) - want_val[t]);
		d += fabs(start[t] / count[t] - want_start[t]);
	}
	return d;
}

static netshare__dg_params
small_params(void)
{
	netshare__dg_params p;
	netshare__dg_params_default(&p);
	p.batch = 50;
	p.d_rounds = 2;
	p.disc_layers = p.aux_disc_layers = 3;
	p.disc_units = p.aux_disc_units = 64;
	p.lr_g = p.lr_d = p.lr_aux = 1e-3f;
	return p;
}

/* The sum of squares of n floats: a layer trained away from its zero start has one. */
static double
squares(const float *w, size_t n)
{
	double v2 = 0;
	for (size_t i = 0; i < n; i++)
		v2 += (double)w[i] * w[i];
	return v2;
}

/* The defaults set every field, whatever the memory held (bench-train's and the tests'
 * parameters live on the stack): a field the function forgets differs here. */
START_TEST(params_default_sets_every_field)
{
	netshare__dg_params dirty, clean;
	memset(&dirty, 0xa5, sizeof dirty);
	memset(&clean, 0, sizeof clean);
	netshare__dg_params_default(&dirty);
	netshare__dg_params_default(&clean);
	ck_assert_mem_eq(&dirty, &clean, sizeof dirty);
	ck_assert_int_eq(clean.real_condition, 0);
	ck_assert_int_eq(clean.disc_projection, 0);
	ck_assert_double_eq(clean.condition_balance, 0);
}
END_TEST

START_TEST(learns_two_flow_types)
{
	static float attr[N * A], feat[N * T * F];
	real_data(attr, feat);
	netshare__gen_shape s = shape();
	netshare__dg_params p = small_params();
	netshare__dg m;
	ck_assert_ok(netshare__dg_init(&m, &s, &p, 7));
	double before = distance(&m, attr, feat);
	ck_assert_ok(netshare__dg_train(&m, attr, feat, N, 600, NULL, NULL, 0));
	double after = distance(&m, attr, feat);
	fprintf(stderr, "distance untrained %.3f, after 600 iterations %.3f (W estimate %.3f)\n",
	        before, after, m.wasserstein);
	ck_assert_msg(after < 0.5 * before && after < 0.5, "distance %.3f -> %.3f", before, after);
	ck_assert_int_eq(m.iterations, 600);
	netshare__dg_free(&m);
}
END_TEST

START_TEST(deterministic_and_warm_start)
{
	static float attr[N * A], feat[N * T * F];
	real_data(attr, feat);
	netshare__gen_shape s = shape();
	netshare__dg_params p = small_params();
	netshare__dg a, b, c;
	ck_assert_ok(netshare__dg_init(&a, &s, &p, 5));
	ck_assert_ok(netshare__dg_init(&b, &s, &p, 5));
	ck_assert_ok(netshare__dg_train(&a, attr, feat, N, 20, NULL, NULL, 0));
	ck_assert_ok(netshare__dg_train(&b, attr, feat, N, 20, NULL, NULL, 0));
	ck_assert_mem_eq(a.g.feat_out.w, b.g.feat_out.w, 16 * 3 * sizeof(float));
	ck_assert_mem_eq(a.d.hidden[0].w, b.d.hidden[0].w, 64 * (T * F + A) * sizeof(float));
	ck_assert(a.loss_g == b.loss_g);
	ck_assert_ok(netshare__dg_init(&c, &s, &p, 6));
	ck_assert(memcmp(a.g.feat_out.w, c.g.feat_out.w, 16 * 3 * sizeof(float)) != 0);
	ck_assert_ok(netshare__dg_copy_weights(&c, &a));
	ck_assert_mem_eq(a.g.lstm.w_hh, c.g.lstm.w_hh, 64 * 16 * sizeof(float));
	ck_assert_mem_eq(a.aux.out.w, c.aux.out.w, 64 * sizeof(float));
	ck_assert_mem_eq(a.g.attr_bn[0].running_var, c.g.attr_bn[0].running_var, 32 * sizeof(float));
	netshare__dg_free(&a);
	netshare__dg_free(&b);
	netshare__dg_free(&c);
	ck_assert_status(netshare__dg_train(&c, attr, feat, 0, 1, NULL, NULL, 3), NETSHARE_EINVAL);
}
END_TEST

/* DP-SGD mode: deterministic for a seed, its critics move differently from plain
 * training's (clipping and noise), and its Poisson samples hold q n = B rows on
 * average (Binomial(n, q) per round: within five standard errors over the rounds). */
START_TEST(dp_mode_is_deterministic)
{
	static float attr[N * A], feat[N * T * F];
	real_data(attr, feat);
	netshare__gen_shape s = shape();
	netshare__dg_params p = small_params();
	netshare__dg plain, a, b;
	ck_assert_ok(netshare__dg_init(&plain, &s, &p, 5));
	p.dp_clip = 0.1;
	p.dp_sigma = 1.0;
	ck_assert_ok(netshare__dg_init(&a, &s, &p, 5));
	ck_assert_ok(netshare__dg_init(&b, &s, &p, 5));
	ck_assert_ok(netshare__dg_train(&plain, attr, feat, N, 5, NULL, NULL, 0));
	ck_assert_ok(netshare__dg_train(&a, attr, feat, N, 5, NULL, NULL, 0));
	ck_assert_ok(netshare__dg_train(&b, attr, feat, N, 5, NULL, NULL, 0));
	size_t d0 = 64 * (T * F + A) * sizeof(float);
	ck_assert_mem_eq(a.d.hidden[0].w, b.d.hidden[0].w, d0);
	ck_assert_mem_eq(a.aux.hidden[0].w, b.aux.hidden[0].w, 64 * A * sizeof(float));
	ck_assert(memcmp(a.d.hidden[0].w, plain.d.hidden[0].w, d0) != 0);
	ck_assert(isfinite(a.loss_d) && isfinite(a.loss_aux) && isfinite(a.loss_g));
	ck_assert_int_eq(a.dp_rounds, 5 * p.d_rounds);
	ck_assert_int_eq(plain.dp_rounds, 0);
	double q = (double)p.batch / N, mean = (double)a.dp_sampled / (double)a.dp_rounds;
	ck_assert_double_le(fabs(mean - p.batch), 5 * sqrt(p.batch * (1 - q) / a.dp_rounds));
	/* More rounds: the mean settles on B. */
	ck_assert_ok(netshare__dg_train(&a, attr, feat, N, 40, NULL, NULL, 0));
	mean = (double)a.dp_sampled / (double)a.dp_rounds;
	ck_assert_double_le(fabs(mean - p.batch), 5 * sqrt(p.batch * (1 - q) / a.dp_rounds));
	ck_assert(isfinite(a.loss_d) && isfinite(a.loss_aux) && isfinite(a.loss_g));
	netshare__dg_free(&plain);
	netshare__dg_free(&a);
	netshare__dg_free(&b);
}
END_TEST

/* Whether row `row` (w floats) is the attributes and first records of some training row. */
static int
is_training_row(const float *row, int w, const float *attr, const float *feat)
{
	for (int k = 0; k < N; k++)
		if (memcmp(row, attr + k * A, A * sizeof(float)) == 0 &&
		    memcmp(row + A, feat + (size_t)k * T * F, (size_t)(w - A) * sizeof(float)) == 0)
			return 1;
	return 0;
}

/* aux_records: aux-D's rows are a flow's attributes and its first records' features,
 * real ones from the training rows, fake ones from the generator's outputs; the
 * setting's range (0..T, and 0 with real conditioning) is checked. */
START_TEST(aux_critic_sees_first_records)
{
	static float attr[N * A], feat[N * T * F];
	real_data(attr, feat);
	netshare__gen_shape s = shape();
	netshare__dg_params p = small_params();
	netshare__dg m;
	p.aux_records = T + 1;
	ck_assert_status(netshare__dg_init(&m, &s, &p, 3), NETSHARE_EINVAL);
	p.aux_records = 1;
	p.real_condition = 1;
	ck_assert_status(netshare__dg_init(&m, &s, &p, 3), NETSHARE_EINVAL);
	p.real_condition = 0;
	p.aux_records = 2;
	ck_assert_ok(netshare__dg_init(&m, &s, &p, 3));
	int w = A + 2 * F;
	ck_assert_int_eq(m.aux.in, w);
	ck_assert_ok(netshare__dg_train(&m, attr, feat, N, 1, NULL, NULL, 0));
	int fakes_found = 0;
	for (int r = 0; r < 2; r++) {
		const struct netshare__dg_round *d = &m.round[r];
		for (int b = 0; b < p.batch; b++)
			ck_assert_msg(is_training_row(d->attr_real + (size_t)b * w, w, attr, feat),
			              "round %d, aux-D's real row %d", r, b);
		int same = 1; /* the generator step's fakes: its last outputs */
		for (int b = 0; b < p.batch && same; b++) {
			const float *row = d->attr_fake + (size_t)b * w;
			same = memcmp(row, m.g.attributes + b * A, A * sizeof(float)) == 0 &&
			       memcmp(row + A, m.g.features + (size_t)b * T * F,
			              2 * F * sizeof(float)) == 0;
		}
		fakes_found += same;
	}
	ck_assert_int_eq(fakes_found, 1);
	ck_assert(isfinite(m.loss_aux) && isfinite(m.loss_g));
	netshare__dg_free(&m);
}
END_TEST

/* aux_pack: aux-D judges two flows' attributes side by side (PacGAN), so its input is
 * 2A wide and B/2 rows; its step's score gradients are +-1/(B/2), the generator's
 * -aux_weight/(B/2) over B/2 rows, and the generator step's loss is the mean over
 * those rows of the packed fakes' scores; a pack that does not divide the batch, DP
 * (at init or later) and condition weights are refused. */
START_TEST(aux_critic_packs_flows)
{
	static float attr[N * A], feat[N * T * F];
	real_data(attr, feat);
	netshare__gen_shape s = shape();
	netshare__dg_params p = small_params();
	netshare__dg m;
	int bad[] = { 0, -2, 3, 7 }; /* the batch is 50 */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p.aux_pack = bad[i];
		ck_assert_status(netshare__dg_init(&m, &s, &p, 3), NETSHARE_EINVAL);
	}
	p.aux_pack = 2;
	p.dp_clip = 0.1;
	p.dp_sigma = 1.0;
	ck_assert_status(netshare__dg_init(&m, &s, &p, 3), NETSHARE_EINVAL);
	p.dp_clip = p.dp_sigma = 0;
	p.condition_balance = 0.5;
	ck_assert_status(netshare__dg_init(&m, &s, &p, 3), NETSHARE_EINVAL);
	p.condition_balance = 0;
	p.aux_weight = 3;
	ck_assert_ok(netshare__dg_init(&m, &s, &p, 3));
	int B = p.batch, BA = B / 2;
	ck_assert_int_eq(m.aux.in, 2 * A);
	for (int b = 0; b < BA; b++) {
		ck_assert_float_eq(m.dscore_aux[b], 1.0f / (float)BA);
		ck_assert_float_eq(m.dscore_aux[BA + b], -1.0f / (float)BA);
		ck_assert_float_eq(m.dscore_gen[B + b], (float)(-3.0 / BA));
	}
	ck_assert_ok(netshare__dg_train(&m, attr, feat, N, 1, NULL, NULL, 0));
	const struct netshare__dg_round *fakes = NULL; /* the generator step's */
	for (int r = 0; r < 2; r++)
		if (memcmp(m.round[r].attr_fake, m.g.attributes, (size_t)B * A * sizeof(float)) == 0)
			fakes = &m.round[r];
	ck_assert_ptr_nonnull(fakes);
	double loss = 0;
	for (int b = 0; b < B; b++)
		loss -= m.d.score[b] / B;
	float scores[50];
	memcpy(scores, m.aux.score, (size_t)BA * sizeof *scores);
	for (int b = 0; b < BA; b++)
		loss -= 3.0 * scores[b] / BA;
	ck_assert_double_eq_tol(m.loss_g, loss, 1e-6 * fabs(loss) + 1e-9);
	/* those scores are aux-D's on the packed fakes: B/2 rows of two flows each */
	const float *again = netshare__critic_forward(&m.aux, fakes->attr_fake, BA);
	ck_assert_mem_eq(again, scores, (size_t)BA * sizeof *scores);
	ck_assert(isfinite(m.loss_aux) && isfinite(m.wasserstein));
	m.p.dp_clip = 0.1;
	ck_assert_status(netshare__dg_train(&m, attr, feat, N, 1, NULL, NULL, 0), NETSHARE_EINVAL);
	netshare__dg_free(&m);
}
END_TEST

/* A grad_sync hook that changes nothing: counts its calls and where they come from. */
static pthread_t sync_thread;
static int sync_calls, sync_elsewhere;

static void
count_sync(netshare__adam *opt, void *user)
{
	(void)opt;
	(void)user;
	sync_calls++;
	sync_elsewhere += !pthread_equal(pthread_self(), sync_thread);
}

static void
assert_same_weights(const netshare__dg *a, const netshare__dg *b)
{
	ck_assert_mem_eq(a->g.feat_out.w, b->g.feat_out.w, 16 * 3 * sizeof(float));
	ck_assert_mem_eq(a->g.lstm.w_hh, b->g.lstm.w_hh, 64 * 16 * sizeof(float));
	ck_assert_mem_eq(a->g.attr_dense[0].w, b->g.attr_dense[0].w, 5 * 32 * sizeof(float));
	ck_assert_mem_eq(a->d.hidden[0].w, b->d.hidden[0].w, 64 * (size_t)a->d.in0 * sizeof(float));
	ck_assert_int_eq(a->d.steps, b->d.steps);
	if (a->d.steps)
		ck_assert_mem_eq(a->d.front.w, b->d.front.w,
		                 (size_t)a->d.front.in * a->d.front.out * sizeof(float));
	ck_assert_mem_eq(a->d.out.w, b->d.out.w, 64 * sizeof(float));
	ck_assert_int_eq(a->d.cond, b->d.cond);
	if (a->d.cond)
		ck_assert_mem_eq(a->d.pv, b->d.pv, (size_t)a->d.cond * a->d.units * sizeof(float));
	ck_assert_mem_eq(a->aux.hidden[1].w, b->aux.hidden[1].w, 64 * 64 * sizeof(float));
	ck_assert(a->loss_d == b->loss_d && a->loss_aux == b->loss_aux && a->loss_g == b->loss_g);
	ck_assert(a->wasserstein == b->wasserstein);
}

/* Training on a pool (the critics side by side, the next batch drawn meanwhile) gives
 * every bit that serial training gives: plain, with a grad_sync hook (called from the
 * calling thread only, once per optimiser step), in DP mode, in split mode (whose
 * products' exactness tests/nn/test-layers.c checks), with D's front, plain and DP,
 * with aux-D shown the first records, plain and DP, with D's projection, with the
 * front and split (which DP refuses), with condition weights, with the generator's
 * initial state (tanh form) and output layer from the condition, and with aux-D
 * packing two flows to a row. */
START_TEST(threads_change_no_bit)
{
	static float attr[N * A], feat[N * T * F];
	real_data(attr, feat);
	netshare__gen_shape s = shape();
	netshare__pool *pool;
	ck_assert_ok(netshare__pool_new(&pool, 3));
	for (int mode = 0; mode < 13; mode++) {
		netshare__dg_params p = small_params();
		p.aux_pack = mode == 12 ? 2 : 1;
		s.state_from_condition = mode == 11 ? 3 : 0;
		s.output_from_condition = mode == 11;
		p.split_products = mode == 3 || mode == 9; /* split (too small here: serial tasks) */
		p.disc_embed = mode == 4 || mode == 5 || mode == 8 ? 2 : 0;
		p.aux_records = mode == 6 || mode == 7 ? 2 : 0;
		p.disc_projection = mode == 8 || mode == 9;
		p.condition_balance = mode == 10 ? 0.5 : 0;
		if (mode == 2 || mode == 5 || mode == 7) {
			p.dp_clip = 0.1;
			p.dp_sigma = 1.0;
		}
		netshare__dg serial, parallel;
		ck_assert_ok(netshare__dg_init(&serial, &s, &p, 11));
		ck_assert_ok(netshare__dg_init(&parallel, &s, &p, 11));
		netshare__dg_train_on(&parallel, pool);
		if (mode == 1) {
			parallel.grad_sync = count_sync;
			sync_thread = pthread_self();
			sync_calls = sync_elsewhere = 0;
		}
		ck_assert_ok(netshare__dg_train(&serial, attr, feat, N, 6, NULL, NULL, 0));
		ck_assert_ok(netshare__dg_train(&parallel, attr, feat, N, 6, NULL, NULL, 0));
		assert_same_weights(&serial, &parallel);
		if (mode == 11) { /* both layers trained (from zero), alike */
			netshare__dense *l[] = { &serial.g.state_in, &parallel.g.state_in,
			                         &serial.g.out_in, &parallel.g.out_in };
			for (int k = 0; k < 4; k += 2) {
				size_t n = (size_t)l[k]->in * l[k]->out;
				ck_assert_mem_eq(l[k]->w, l[k + 1]->w, n * sizeof(float));
				ck_assert_double_gt(squares(l[k]->w, n), 0);
			}
		}
		if (mode == 8 || mode == 9) { /* the projection trained (from zero); not DP */
			ck_assert_int_eq(serial.d.cond, A);
			ck_assert_double_gt(squares(serial.d.pv, (size_t)serial.d.cond * serial.d.units), 0);
			serial.p.dp_clip = 0.1;
			ck_assert_status(netshare__dg_train(&serial, attr, feat, N, 1, NULL, NULL, 0),
			                 NETSHARE_EINVAL);
		}
		if (mode == 1) {
			ck_assert_int_eq(sync_calls, 6 * (2 * p.d_rounds + 1));
			ck_assert_int_eq(sync_elsewhere, 0);
		}
		netshare__dg_free(&serial);
		netshare__dg_free(&parallel);
	}
	netshare__pool_free(pool);
}
END_TEST

/* condition_balance: D's score gradients are -w/B for a real row and +w/B for a fake
 * one, w its condition's weight: here type 0 (300 rows) and type 1 (60) with exponent
 * 1/2, so w = s / sqrt(c), s = 360 / (sqrt(300) + sqrt(60)); DP refuses them. */
START_TEST(condition_weights_reach_d)
{
	static float attr[N * A], feat[N * T * F];
	real_data(attr, feat);
	size_t n = 0, TF = (size_t)T * F;
	for (int i = 0, ones = 0; i < N; i++) { /* every type-0 row, 60 of type 1 */
		if (i % 2 && ones++ >= 60)
			continue;
		memmove(attr + n * A, attr + (size_t)i * A, A * sizeof *attr);
		memmove(feat + n * TF, feat + (size_t)i * TF, TF * sizeof *feat);
		n++;
	}
	ck_assert_uint_eq(n, 360);
	netshare__gen_shape s = shape();
	netshare__dg_params p = small_params();
	p.condition_balance = 0.5;
	netshare__dg m;
	ck_assert_ok(netshare__dg_init(&m, &s, &p, 12));
	ck_assert_ok(netshare__dg_train(&m, attr, feat, n, 2, NULL, NULL, 0));
	double scale = 360 / (sqrt(300) + sqrt(60)), w[2] = { scale / sqrt(300), scale / sqrt(60) };
	int seen[2][2] = { { 0 } };
	for (int r = 0; r < 2; r++) {
		const struct netshare__dg_round *d = &m.round[r];
		for (int b = 0; b < p.batch; b++)
			for (int side = 0; side < 2; side++) { /* fakes, then real rows */
				const float *a = (side ? d->x_real : d->x_fake) + b * (TF + A) + TF;
				int type = a[1] > a[0];
				double want = (side ? -w[type] : w[type]) / p.batch;
				ck_assert_double_eq_tol(d->dscore[side * p.batch + b], want, 1e-6);
				seen[side][type] = 1;
			}
	}
	ck_assert(seen[1][0] && seen[1][1]); /* both types among the real rows */
	/* D trains on them, aux-D not: after one iteration (before it, the same generator),
	 * unweighted training has another D and the same aux-D */
	netshare__dg one, plain;
	ck_assert_ok(netshare__dg_init(&one, &s, &p, 12));
	p.condition_balance = 0;
	ck_assert_ok(netshare__dg_init(&plain, &s, &p, 12));
	ck_assert_ok(netshare__dg_train(&one, attr, feat, n, 1, NULL, NULL, 0));
	ck_assert_ok(netshare__dg_train(&plain, attr, feat, n, 1, NULL, NULL, 0));
	ck_assert(memcmp(plain.d.out.w, one.d.out.w, (size_t)one.d.units * sizeof(float)) != 0);
	ck_assert_mem_eq(plain.aux.out.w, one.aux.out.w, (size_t)one.aux.units * sizeof(float));
	netshare__dg_free(&one);
	netshare__dg_free(&plain);
	m.p.dp_clip = 0.1;
	ck_assert_status(netshare__dg_train(&m, attr, feat, n, 1, NULL, NULL, 0), NETSHARE_EINVAL);
	netshare__dg_free(&m);
}
END_TEST

NETSHARE_TEST_MAIN("dg-trainer",
	params_default_sets_every_field,
	condition_weights_reach_d,
	learns_two_flow_types,
	deterministic_and_warm_start,
	dp_mode_is_deterministic,
	aux_critic_sees_first_records,
	aux_critic_packs_flows,
	threads_change_no_bit)
