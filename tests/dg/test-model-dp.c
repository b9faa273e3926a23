/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A differentially private model (netshare_model_params.epsilon, netshare_model_pretrain):
 * the order of the steps and what each refuses; the plan's epsilon recomputed
 * independently from the recorded rates, rounds and noise; the count noise's golden
 * value; every statistic public, noised or declared; every chunk trained, empty or not;
 * noise that does not follow from the seed while the stored random stream does; the
 * privacy record through save, export and load.
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "../test-fixtures.h"
#include "model-file-bytes.h"
#include "dg/model.h"
#include "encode/encoder.h"
#include "io/dataset.h"
#include "nn/rdp.h"

#define SHIFT_NS 5000000000LL /* the private trace lies 5 s after the public one */

/* The public trace: the toy trace (300 flows over 1 s to 443/TCP and 53/UDP). */
static netshare_dataset *
public_trace(void)
{
	return netshare_test_toy_trace(0);
}

/* The private trace: the toy trace with long flows, 5 s later, its TCP servers on port
 * 8443 (a port the public trace never has); with `first_half`, only its flows that
 * start before 0.45 s, so that in two chunks the second holds none. */
static netshare_dataset *
private_trace(int first_half)
{
	netshare_dataset *src = netshare_test_toy_trace(1), *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	for (size_t i = 0; i < netshare_dataset_count(src); i++) {
		netshare_record r = { .struct_size = sizeof r };
		ck_assert_ok(netshare_dataset_get(src, i, &r));
		if (first_half && r.time_ns >= 450000000)
			continue;
		r.time_ns += SHIFT_NS;
		if (r.dst_port == 443)
			r.dst_port = 8443;
		ck_assert_ok(netshare_dataset_append(ds, &r));
	}
	netshare_dataset_free(src);
	return ds;
}

/* An encoder fitted on the public trace, cut into `chunks` over the private window. */
static netshare_encoder *
public_encoder(const netshare_dataset *pub, int chunks, int window)
{
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = chunks;
	if (window) {
		ep.window_start_ns = SHIFT_NS;
		ep.window_end_ns = SHIFT_NS + 1000000000LL;
	}
	netshare_encoder *e;
	ck_assert_ok(netshare_encoder_fit(&e, pub, &ep));
	return e;
}

static netshare_model_params
dp_params(double epsilon)
{
	netshare_model_params p = netshare_test_small_model_params();
	p.epsilon = epsilon;
	p.public_iterations = 4;
	return p;
}

/* A DP model (chunks 2) pretrained on pub and trained on priv. */
static netshare_model *
dp_model(const netshare_dataset *pub, const netshare_dataset *priv, double epsilon)
{
	netshare_encoder *e = public_encoder(pub, 2, 1);
	netshare_model_params p = dp_params(epsilon);
	netshare_model *m;
	ck_assert_ok(netshare_model_new(&m, e, &p));
	netshare_encoder_free(e);
	ck_assert_ok(netshare_model_pretrain(m, pub));
	ck_assert_ok(netshare_model_train(m, priv));
	return m;
}

START_TEST(steps_in_order_and_refusals)
{
	netshare_dataset *pub = public_trace(), *priv = private_trace(0);
	netshare_model_params p = dp_params(4);
	netshare_model *m;
	/* Parameters. */
	p.epsilon = -1;
	ck_assert_status(netshare_model_new(&m, NULL, &p), NETSHARE_EINVAL);
	netshare_encoder *e = public_encoder(pub, 2, 1);
	ck_assert_status(netshare_model_new(&m, e, &p), NETSHARE_EINVAL);
	ck_assert_error_contains("epsilon");
	p = dp_params(4);
	p.delta = 0;
	ck_assert_status(netshare_model_new(&m, e, &p), NETSHARE_EINVAL);
	ck_assert_error_contains("delta");
	/* A model that is not private has nothing to pretrain. */
	p = netshare_test_small_model_params();
	ck_assert_ok(netshare_model_new(&m, e, &p));
	ck_assert_status(netshare_model_pretrain(m, pub), NETSHARE_EINVAL);
	ck_assert_error_contains("not a DP model");
	netshare_model_free(m);
	/* Private training before pretraining, pretraining on another dataset than the
	 * encoder's, training on the public dataset as the private one. */
	p = dp_params(4);
	ck_assert_ok(netshare_model_new(&m, e, &p));
	ck_assert_status(netshare_model_train(m, priv), NETSHARE_EINVAL);
	ck_assert_error_contains("netshare_model_pretrain");
	ck_assert_status(netshare_model_pretrain(m, priv), NETSHARE_EINVAL);
	ck_assert_error_contains("fitted on");
	ck_assert_ok(netshare_model_pretrain(m, pub));
	ck_assert_ok(netshare_model_pretrain(m, pub)); /* done: a no-op */
	ck_assert_status(netshare_model_train(m, pub), NETSHARE_EINVAL);
	ck_assert_error_contains("public one");
	ck_assert_ok(netshare_model_train(m, priv));
	ck_assert_status(netshare_model_pretrain(m, pub), NETSHARE_OK); /* still done */
	netshare_model_free(m);
	netshare_encoder_free(e);
	/* An encoder without a declared window. */
	e = public_encoder(pub, 2, 0);
	ck_assert_ok(netshare_model_new(&m, e, &p));
	ck_assert_status(netshare_model_pretrain(m, pub), NETSHARE_EINVAL);
	ck_assert_error_contains("window");
	netshare_model_free(m);
	/* An epsilon no noise reaches (the count release alone needs more than 1e4). */
	p = dp_params(1e-7);
	ck_assert_ok(netshare_model_new(&m, e, &p));
	netshare_encoder_free(e);
	e = public_encoder(pub, 2, 1);
	netshare_model_free(m);
	ck_assert_ok(netshare_model_new(&m, e, &p));
	ck_assert_ok(netshare_model_pretrain(m, pub));
	ck_assert_status(netshare_model_train(m, priv), NETSHARE_EINVAL);
	ck_assert_error_contains("out of reach");
	netshare_model_free(m);
	netshare_encoder_free(e);
	/* A bad window. */
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.window_start_ns = 10;
	ep.window_end_ns = 10;
	ck_assert_status(netshare_encoder_fit(&e, pub, &ep), NETSHARE_EINVAL);
	ck_assert_error_contains("window");
	netshare_dataset_free(pub);
	netshare_dataset_free(priv);
}
END_TEST

/* The plan recomputed from what the model records, and the count noise's golden
 * value: sigma_c for a tenth of epsilon alone (one Gaussian release), times
 * sqrt(K + 1). */
START_TEST(plan_and_sources)
{
	netshare_dataset *pub = public_trace(), *priv = private_trace(0);
	netshare_model *m = dp_model(pub, priv, 4);
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(m, &in));
	ck_assert_int_eq(in.privacy, 1);
	ck_assert_double_eq(in.epsilon_target, 4);
	ck_assert_double_le(in.epsilon, 4);
	ck_assert_double_ge(in.epsilon, 4 * 0.99); /* sigma within 0.1 %: epsilon close */
	ck_assert_double_eq(in.delta, 1e-5);
	ck_assert_double_eq(in.dp_clip, 1);
	ck_assert_double_gt(in.dp_sigma, 0);
	netshare_model_params p = dp_params(4);
	uint64_t rounds = (uint64_t)p.d_rounds * (p.iterations + p.iterations / p.fine_tune_divisor);
	ck_assert_uint_eq(in.dp_steps, rounds);
	double cs = netshare__rdp_sigma_for(0.4, 1e-5, 1, 1);
	ck_assert_double_eq_tol(in.count_noise_sd, cs * sqrt(3.0), 1e-9);
	ck_assert_double_le(in.count_epsilon, 0.4); /* a tenth of epsilon, within the search */
	ck_assert_double_ge(in.count_epsilon, 0.4 * 0.99);
	ck_assert_uint_eq(in.public_fingerprint, netshare__dataset_fingerprint(pub));
	ck_assert_uint_eq(in.public_records, netshare_dataset_count(pub));
	ck_assert_uint_eq(in.public_iterations, 4);
	/* Epsilon from the recorded rates and rounds, composed here. */
	const double *orders = netshare__rdp_orders();
	double rdp[NETSHARE__RDP_ORDERS] = { 0 };
	netshare__rdp_compose(rdp, orders, NETSHARE__RDP_ORDERS, 1, cs, 1);
	const netshare__privacy *v = &m->priv;
	for (int c = 0; c < 2; c++) {
		double n = (double)m->enc->chunk_flows[c];
		ck_assert_double_eq(v->rate[c], n > p.batch_size ? p.batch_size / n : 1);
		netshare__rdp_compose(rdp, orders, NETSHARE__RDP_ORDERS, v->rate[c],
		                      in.dp_sigma / sqrt(2.0), v->rounds[c]);
	}
	ck_assert_double_eq_tol(netshare__rdp_epsilon(orders, rdp, NETSHARE__RDP_ORDERS, 1e-5,
	                                              NETSHARE__RDP_IMPROVED, NULL),
	                        in.epsilon, 1e-9);
	/* A 1 % smaller noise multiplier would exceed the target: the search is tight. */
	memset(rdp, 0, sizeof rdp);
	netshare__rdp_compose(rdp, orders, NETSHARE__RDP_ORDERS, 1, cs, 1);
	for (int c = 0; c < 2; c++)
		netshare__rdp_compose(rdp, orders, NETSHARE__RDP_ORDERS, v->rate[c],
		                      0.99 * in.dp_sigma / sqrt(2.0), v->rounds[c]);
	ck_assert_double_gt(netshare__rdp_epsilon(orders, rdp, NETSHARE__RDP_ORDERS, 1e-5,
	                                          NETSHARE__RDP_IMPROVED, NULL), 4);
	/* The counts are the private trace's with noise: not all of them exact (each is
	 * off by less than 0.5 with probability about 1/40 at this noise). */
	uint64_t flows[2], starts[2];
	ck_assert_ok(netshare__encoder_chunk_counts(m->enc, priv, flows, starts));
	ck_assert(flows[0] != m->enc->chunk_flows[0] || flows[1] != m->enc->chunk_flows[1] ||
	          starts[0] != m->enc->chunk_starts[0] || starts[1] != m->enc->chunk_starts[1]);
	/* Sources: nothing from the private trace but the noised counts. */
	const netshare_encoder *e = netshare_model_encoder(m);
	int noised = 0, declared = 0;
	for (size_t k = 0; k < netshare_encoder_statistic_count(e); k++) {
		netshare_statistic s = { .struct_size = sizeof s };
		ck_assert_ok(netshare_encoder_statistic_get(e, k, &s));
		ck_assert_str_ne(s.source, "trace");
		if (strcmp(s.source, "noised") == 0) {
			noised++;
			ck_assert_double_eq(s.noise_sd, in.count_noise_sd);
		} else {
			ck_assert_double_eq(s.noise_sd, 0);
		}
		declared += strcmp(s.source, "declared") == 0;
		if (strcmp(s.name, "time_span") == 0)
			ck_assert_str_eq(s.source, "declared");
	}
	ck_assert_int_eq(noised, 2); /* chunk_flow_counts, flow_counts */
	ck_assert_int_eq(declared, 1);
	/* The vocabulary is the public trace's: the private servers' 8443 is no word. */
	for (size_t w = 0; w < e->w2v.n_words; w++)
		ck_assert_uint_ne(e->w2v.word[w], 8443);
	/* A model that is not private says so, its statistics from the trace. */
	netshare_encoder *plain_e = public_encoder(pub, 2, 0);
	netshare_model_params pp = netshare_test_small_model_params();
	netshare_model *plain;
	ck_assert_ok(netshare_model_new(&plain, plain_e, &pp));
	netshare_model_info pin = { .struct_size = sizeof pin };
	ck_assert_ok(netshare_model_info_get(plain, &pin));
	ck_assert_int_eq(pin.privacy, 0);
	ck_assert(isinf(pin.epsilon));
	netshare_statistic s = { .struct_size = sizeof s };
	ck_assert_ok(netshare_encoder_statistic_get(plain_e, 0, &s));
	ck_assert_str_eq(s.source, "trace");
	netshare_model_free(plain);
	netshare_encoder_free(plain_e);
	netshare_model_free(m);
	netshare_dataset_free(pub);
	netshare_dataset_free(priv);
}
END_TEST

static int
same_floats(const float *a, const float *b, size_t n)
{
	return memcmp(a, b, n * sizeof *a) == 0;
}

/* Chunk 1 of the half trace has no private flow and still trains (noise-only rounds);
 * two runs with the same seed differ in every chunk's weights (the noise is secret)
 * while the stored random stream, which only the generator steps advance, ends equal,
 * also after training on another private trace (samples of other sizes). */
START_TEST(every_chunk_trains_and_noise_is_secret)
{
	netshare_dataset *pub = public_trace(), *priv = private_trace(1), *other = private_trace(0);
	netshare_model *a = dp_model(pub, priv, 4), *b = dp_model(pub, priv, 4);
	netshare_model *o = dp_model(pub, other, 4);
	uint64_t flows[2], starts[2];
	ck_assert_ok(netshare__encoder_chunk_counts(a->enc, priv, flows, starts));
	ck_assert_uint_eq(flows[1], 0);
	netshare_model_params p = dp_params(4);
	for (int c = 0; c < 2; c++) {
		long want = netshare__model_target(a, c);
		ck_assert_int_eq(a->dg[c].iterations, want);
		ck_assert_int_eq(a->dg[c].dp_rounds, want * p.d_rounds);
		const netshare__critic *da = &a->dg[c].d, *db = &b->dg[c].d;
		ck_assert(!same_floats(da->hidden[0].w, db->hidden[0].w, (size_t)da->in * da->units));
		ck_assert_mem_eq(a->dg[c].rng.s, b->dg[c].rng.s, sizeof a->dg[c].rng.s);
		ck_assert_mem_eq(a->dg[c].rng.s, o->dg[c].rng.s, sizeof a->dg[c].rng.s);
	}
	netshare_model_free(o);
	netshare_dataset_free(other);
	/* Chunk 1 moved away from chunk 0's weights although it had no flow. */
	const netshare__critic *d0 = &a->dg[0].d, *d1 = &a->dg[1].d;
	ck_assert(!same_floats(d0->hidden[0].w, d1->hidden[0].w, (size_t)d0->in * d0->units));
	netshare_model_free(a);
	netshare_model_free(b);
	/* At epsilon infinite nothing is secret: the same seed gives the same weights. */
	a = dp_model(pub, priv, INFINITY);
	b = dp_model(pub, priv, INFINITY);
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(a, &in));
	ck_assert_int_eq(in.privacy, 2);
	ck_assert(isinf(in.epsilon));
	ck_assert_uint_eq(in.dp_steps, 0);
	ck_assert_ok(netshare__encoder_chunk_counts(a->enc, priv, flows, starts));
	ck_assert_uint_eq(a->enc->chunk_flows[0], flows[0]); /* exact counts */
	ck_assert_int_eq(a->dg[0].dp_rounds, 0);
	const netshare__critic *da = &a->dg[0].d, *db = &b->dg[0].d;
	ck_assert(same_floats(da->hidden[0].w, db->hidden[0].w, (size_t)da->in * da->units));
	netshare_model_free(a);
	netshare_model_free(b);
	/* With D's front (chosen here: these flows are short) the DP rounds clip and noise
	 * the front's per-example gradients too (tests/nn/test-critic.c checks them). */
	netshare_encoder *e = public_encoder(pub, 2, 1);
	p.disc_embed = 3;
	ck_assert_ok(netshare_model_new(&a, e, &p));
	netshare_encoder_free(e);
	ck_assert_int_eq(a->dg[0].d.steps, a->dg[0].T);
	ck_assert_ok(netshare_model_pretrain(a, pub));
	size_t fn = (size_t)a->dg[0].d.front.in * a->dg[0].d.front.out;
	float *pretrained = malloc(fn * sizeof *pretrained);
	ck_assert_ptr_nonnull(pretrained);
	memcpy(pretrained, a->dg[0].d.front.w, fn * sizeof *pretrained);
	ck_assert_ok(netshare_model_train(a, priv));
	ck_assert_int_eq(a->dg[0].dp_rounds, netshare__model_target(a, 0) * p.d_rounds);
	ck_assert(!same_floats(pretrained, a->dg[0].d.front.w, fn));
	ck_assert(netshare__critic_finite(&a->dg[0].d));
	free(pretrained);
	netshare_model_free(a);
	netshare_dataset_free(pub);
	netshare_dataset_free(priv);
}
END_TEST

START_TEST(privacy_record_saved_exported_loaded)
{
	netshare_dataset *pub = public_trace(), *priv = private_trace(0);
	netshare_model *m = dp_model(pub, priv, 10);
	char path[512];
	netshare_test_path(path, sizeof path, netshare_test_tmpdir(), "record.nsm");
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(m, &in));
	for (int exported = 0; exported < 2; exported++) {
		ck_assert_ok(exported ? netshare_model_export(m, path) : netshare_model_save(m, path));
		netshare_model *back;
		ck_assert_ok(netshare_model_load(&back, path, NULL));
		netshare_model_info bi = { .struct_size = sizeof bi };
		ck_assert_ok(netshare_model_info_get(back, &bi));
		ck_assert_int_eq(bi.privacy, 1);
		ck_assert_double_eq(bi.epsilon, in.epsilon);
		ck_assert_double_eq(bi.epsilon_target, 10);
		ck_assert_double_eq(bi.delta, in.delta);
		ck_assert_double_eq(bi.dp_sigma, in.dp_sigma);
		ck_assert_double_eq(bi.dp_sampling_rate, in.dp_sampling_rate);
		ck_assert_uint_eq(bi.dp_steps, in.dp_steps);
		ck_assert_double_eq(bi.count_noise_sd, in.count_noise_sd);
		ck_assert_uint_eq(bi.public_fingerprint, in.public_fingerprint);
		netshare_statistic s = { .struct_size = sizeof s };
		ck_assert_ok(netshare_encoder_statistic_get(netshare_model_encoder(back), 1, &s));
		ck_assert_str_eq(s.name, "chunk_flow_counts");
		ck_assert_str_eq(s.source, "noised");
		if (!exported) /* a checkpoint continues as the same DP model */
			ck_assert_ok(netshare_model_train(back, priv));
		netshare_model_free(back);
	}
	unlink(path);
	netshare_model_free(m);
	netshare_dataset_free(pub);
	netshare_dataset_free(priv);
}
END_TEST

/*
 * A PRIV chunk with valid checksums and hostile values is refused (ECORRUPT, or
 * EVERSION for another layout version), and every single-byte change of it either
 * loads or is refused, never crashes. Layout (privacy.h): u32 version, u8 mode, u8
 * pretrained, u8 released, f64 epsilon_target (7), delta (15), clip (23), sigma (31),
 * epsilon (39), count noise (47), u32 public iterations (55), u64 x 3 (59), then per
 * chunk f64 rate (83 for chunk 0), f64 rounds (91).
 */
START_TEST(privacy_record_hostile)
{
	netshare_dataset *pub = public_trace(), *priv = private_trace(0);
	netshare_model *m = dp_model(pub, priv, 4);
	char path[512];
	netshare_test_path(path, sizeof path, netshare_test_tmpdir(), "dp.nsm");
	ck_assert_ok(netshare_model_export(m, path));
	size_t len, plen;
	unsigned char *orig = read_all(path, &len), *d = malloc(len);
	size_t at = chunk_payload(orig, len, "PRIV", &plen);
	ck_assert_uint_gt(at, 0);
	ck_assert_uint_eq(plen, 83 + 2 * 16);
	ck_assert_uint_eq(orig[at + 4], 1); /* mode: DP */
	static const struct {
		size_t at;
		double value;
		netshare_status want;
	} edits[] = {
		{ 7, -4, NETSHARE_ECORRUPT },       /* epsilon_target */
		{ 7, INFINITY, NETSHARE_ECORRUPT }, /* infinite, yet mode 1 */
		{ 15, 2, NETSHARE_ECORRUPT },       /* delta */
		{ 23, 0, NETSHARE_ECORRUPT },       /* clip */
		{ 31, NAN, NETSHARE_ECORRUPT },     /* sigma */
		{ 83, 1.5, NETSHARE_ECORRUPT },     /* chunk 0's rate */
		{ 91, -1, NETSHARE_ECORRUPT },      /* chunk 0's rounds */
	};
	netshare_model *back;
	netshare_load_params lp;
	netshare_load_params_init(&lp);
	for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
		memcpy(d, orig, len);
		unsigned char v[8];
		memcpy(v, &edits[k].value, 8); /* little-endian machine, as the file */
		memcpy(d + at + edits[k].at, v, 8);
		fix_checksums(d, len);
		ck_assert_status(netshare__model_load_buffer(&back, "edited", d, len, &lp),
		                 edits[k].want);
	}
	memcpy(d, orig, len);
	d[at] = 2; /* a layout this library does not know */
	fix_checksums(d, len);
	ck_assert_status(netshare__model_load_buffer(&back, "edited", d, len, &lp),
	                 NETSHARE_EVERSION);
	memcpy(d, orig, len);
	d[at + 4] = 3; /* mode */
	fix_checksums(d, len);
	ck_assert_status(netshare__model_load_buffer(&back, "edited", d, len, &lp),
	                 NETSHARE_ECORRUPT);
	for (size_t i = 0; i < plen; i++) {
		memcpy(d, orig, len);
		d[at + i] ^= 0x5a;
		fix_checksums(d, len);
		netshare_status st = netshare__model_load_buffer(&back, "edited", d, len, &lp);
		ck_assert(st == NETSHARE_OK || st == NETSHARE_ECORRUPT || st == NETSHARE_EVERSION);
		if (st == NETSHARE_OK) {
			netshare_model_info in = { .struct_size = sizeof in };
			ck_assert_ok(netshare_model_info_get(back, &in));
			ck_assert(in.privacy == 1 || in.privacy == 2);
			netshare_model_free(back);
		}
	}
	free(d);
	free(orig);
	netshare_model_free(m);
	netshare_dataset_free(pub);
	netshare_dataset_free(priv);
}
END_TEST

NETSHARE_TEST_MAIN("dg-privacy", privacy_record_hostile,
	steps_in_order_and_refusals, plan_and_sources, every_chunk_trains_and_noise_is_secret,
	privacy_record_saved_exported_loaded)
