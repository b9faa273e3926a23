/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * time-to-quality: how long the GAN takes, on this machine, to earn its fidelity (MLPerf's
 * time-to-train on issue 8's yardstick).
 *
 * The trace is split in time (first half A for training, the rest B held out). One
 * chunk model trains on A; every EVERY iterations the GAN-only sampler (every step that
 * reads a table of the trace off) generates a trace that is scored against A. One JSON
 * line per evaluation: training seconds so far (evaluation excluded), iterations, the
 * metrics, and which targets are met. Quality is reached when, at once:
 *   - both port joints (dstport+proto, srcport+dstport) beat the marginal baseline;
 *   - the within-flow metrics (flow_size_by_service, interarrival_by_service,
 *     first_sizes_by_service, size_autocorr_by_service, gap_autocorr_by_service) beat
 *     the service-marginal baseline;
 *   - the size and gap EMDs (packets: ip_length, interarrival; flow records: bytes,
 *     duration) are within 2x the noise floor d(B, A).
 * SEED seeds training (encoder and model, as `netshare train --seed`), the GAN's samples
 * and the baselines, which are drawn from A and scored against A like the GAN. Each
 * evaluation generates gen_seeds traces (seeds SEED, SEED + 1, ...; default 3) and
 * scores the median of each metric over them: one trace can land both EMDs by luck
 * (docs/DEVELOPING.md, "The first time_to_quality_s on the README's yardstick"). Runs
 * before 1.8 scored one trace (gen_seeds=1). Also
 * reported, not part of the target: whether the port joints are within the noise floor,
 * the floor of every metric, service_coverage (how much of A's service mix the class
 * heads reproduce; rare services are what they lose first), and a second target whose
 * within-flow bar is "beats the service-marginal baseline or is within the noise floor
 * d(B, A)" (the rest as above):
 * the baseline draws each service's values from A's own tables, so on a trace whose
 * halves differ (caida-10k's gaps per service) it is closer to A than fresh traffic
 * from the same network, and beating it asks for copying A (docs/DEVELOPING.md,
 * "Within-flow bars at the noise floor").
 * The last line gives time_to_quality_s and time_to_quality_or_floor_s (null if the
 * budget ran out first); the run stops when the first is reached.
 *
 * Usage: time-to-quality TRACE [EVERY [BUDGET_S [SEED [NAME=VALUE...]]]]
 *        (defaults 50, 600, 1; NAME=VALUE sets a setting for an experiment: model
 *        batch_size, d_rounds, g_rounds, lstm_units, attr_units, disc_units, lr_g, lr_d,
 *        lr_aux, beta1, beta2, gp_lambda, aux_gp_lambda, disc_embed, ema_decay,
 *        feature_condition (0 generated, 1 real), aux_weight, flow_end (0 larger, 1
 *        drawn), condition_paths (1 state, 2 output, 3 both); generator flag_band (with flow_end 1, probabilities this near 0 or 1
 *        rounded instead of the model's band; 0: every flag drawn); encoder
 *        port_classes, length_classes, sample_len; sampler class_temperature;
 *        drawn_lengths (1: the critics see each record's length class drawn from the
 *        generator's softmax, as the sampler draws it; docs/DEVELOPING.md, "Length
 *        classes drawn for the critics"); aux_records (aux-D sees the first N records
 *        beside the attributes: docs/DEVELOPING.md, "aux-D shown the first records");
 *        zero_state (1: the generator's LSTM starts from zeros, not N(0, 1)) and
 *        flow_noise (K: K of the noise dims drawn once per flow; both in the same
 *        section); class_condition_scale (C: the attributes' class one-hots times C in
 *        the feature generator's input: "A stronger condition"); disc_projection (1:
 *        D scores the attributes against the rest of its row through a projection
 *        term: "A projection critic"); state_from_condition (1: the LSTM's initial
 *        state gains a trained linear map of the attributes, 2: h0 only, 3: through a
 *        tanh: "The initial state from the attributes"; not with save=, where
 *        condition_paths=1 is 1's form);
 *        output_from_condition (1: every step's output layer gains a trained linear
 *        map of the attributes, 2: on its class heads only, 3: on every field but
 *        the inter-arrival one: "The output from the attributes"; not with save=,
 *        where condition_paths=2 is 1's form);
 *        condition_balance (alpha: D's loss
 *        weighs each row by its attribute classes' count^-alpha: "Whose flows the
 *        per-service metrics score"); aux_pack (P: aux-D judges P flows' attributes
 *        side by side, PacGAN: "aux-D packed"); threads (training threads; the model
 *        does not depend on them, so a run on 1 pairs by iterations with one on 2);
 *        length_log1p (1: ip_length normalised after log1p, as the gaps are: "Packet
 *        lengths after log1p");
 *        gen_seeds, 1..MAX_GEN_SEEDS; save=PATH exports the model (its generator,
 *        netshare_model_export) as the run ends, without the settings above that are
 *        not in a model file: a probe sets those again)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netshare/netshare.h>

#include "blas_kernels.h"
#include "core/clock.h"
#include "dg/model.h"
#include "dg/trainer.h"
#include "encode/encoder.h"

#define DEFAULT_GEN_SEEDS 3
#define MAX_GEN_SEEDS 15

static const char *const joints[] = { "dstport+proto", "srcport+dstport" };
static const char *const coverage = "service_coverage";
static const char *const within[] = { "flow_size_by_service", "interarrival_by_service",
	                               "first_sizes_by_service", "size_autocorr_by_service",
	                               "gap_autocorr_by_service" };

static double
metric(const netshare_report *r, const char *name)
{
	netshare_metric m = { .struct_size = sizeof m };
	for (size_t i = 0; i < netshare_report_count(r); i++)
		if (netshare_report_get(r, i, &m) == NETSHARE_OK && strcmp(m.name, name) == 0)
			return m.value;
	return NAN;
}

/* The settings of an experiment that no params struct of the public API holds. */
typedef struct bench_settings {
	double temperature;  /* the sampler's class temperature */
	int gen_seeds;
	float flag_band;     /* -1: the model's */
	int drawn_lengths, aux_records, zero_state, flow_noise, disc_projection;
	int state_from_condition, output_from_condition;
	int aux_pack;        /* 0: 1 */
	int length_log1p;    /* 1: ip_length normalised after log1p, like the gaps */
	float class_scale;   /* class_condition_scale; 0: 1 */
	double condition_balance;
} bench_settings;

/* NAME=VALUE into the settings of an experiment; -1 if unknown. */
static int
set_param(netshare_model_params *p, netshare_encoder_params *e, bench_settings *b,
          const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq)
		return -1;
	size_t n = (size_t)(eq - arg);
	double v = atof(eq + 1);
	const struct { const char *name; int *i; float *f; uint32_t *u; double *d; } all[] = {
		{ "batch_size", .i = &p->batch_size }, { "d_rounds", .i = &p->d_rounds },
		{ "g_rounds", .i = &p->g_rounds }, { "lstm_units", .i = &p->lstm_units },
		{ "attr_units", .i = &p->attr_units }, { "disc_units", .i = &p->disc_units },
		{ "lr_g", .f = &p->lr_g }, { "lr_d", .f = &p->lr_d }, { "lr_aux", .f = &p->lr_aux },
		{ "beta1", .f = &p->beta1 }, { "beta2", .f = &p->beta2 },
		{ "gp_lambda", .d = &p->gp_lambda }, { "aux_gp_lambda", .d = &p->aux_gp_lambda },
		{ "disc_embed", .i = &p->disc_embed }, { "ema_decay", .d = &p->ema_decay },
		{ "feature_condition", .i = &p->feature_condition },
		{ "aux_weight", .d = &p->aux_weight },
		{ "port_classes", .i = &e->port_classes },
		{ "length_classes", .i = &e->length_classes },
		{ "sample_len", .u = &e->sample_len }, { "class_temperature", .d = &b->temperature },
		{ "flow_end", .i = &p->flow_end }, { "condition_paths", .i = &p->condition_paths },
		{ "flag_band", .f = &b->flag_band },
		{ "gen_seeds", .i = &b->gen_seeds }, { "drawn_lengths", .i = &b->drawn_lengths },
		{ "aux_records", .i = &b->aux_records }, { "zero_state", .i = &b->zero_state },
		{ "flow_noise", .i = &b->flow_noise },
		{ "class_condition_scale", .f = &b->class_scale },
		{ "disc_projection", .i = &b->disc_projection },
		{ "state_from_condition", .i = &b->state_from_condition },
		{ "output_from_condition", .i = &b->output_from_condition },
		{ "condition_balance", .d = &b->condition_balance },
		{ "aux_pack", .i = &b->aux_pack }, { "threads", .u = &p->threads },
		{ "length_log1p", .i = &b->length_log1p },
	};
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
		if (strlen(all[k].name) != n || strncmp(all[k].name, arg, n) != 0)
			continue;
		if (all[k].i)
			*all[k].i = (int)v;
		else if (all[k].f)
			*all[k].f = (float)v;
		else if (all[k].u)
			*all[k].u = (uint32_t)v;
		else
			*all[k].d = v;
		return 0;
	}
	return -1;
}

static int
fail(const char *what)
{
	fprintf(stderr, "time-to-quality: %s: %s\n", what, netshare_last_error());
	return 1;
}

/* The GAN-only trace of m scored against a (from the weights that generate: their
 * moving average when the model keeps one). */
static netshare_status
gan_report(netshare_model *m, const netshare_dataset *a, uint64_t seed, double temperature,
           netshare_report **out)
{
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	netshare_sample_params_raw(&sp);
	sp.seed = seed;
	sp.class_temperature = temperature;
	netshare_sampler *s;
	netshare_dataset *syn = NULL;
	netshare_status st = netshare_sampler_new(&s, m, &sp);
	if (st < 0)
		return st;
	if ((st = netshare_sampler_generate(&syn, s)) == NETSHARE_OK)
		st = netshare_report_new(out, a, syn, NULL);
	netshare_dataset_free(syn);
	netshare_sampler_free(s);
	return st;
}

static int
by_value(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* The median of v[0..n) (NaN if any is NaN); sorts v. */
static double
median(double *v, int n)
{
	for (int i = 0; i < n; i++)
		if (isnan(v[i]))
			return NAN;
	qsort(v, (size_t)n, sizeof *v, by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
print_values(const char *const *names, const double *v, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		if (isnan(v[i]))
			printf("%s\"%s\":null", i || *sep ? "," : "", names[i]);
		else
			printf("%s\"%s\":%.6g", i || *sep ? "," : "", names[i], v[i]);
	}
}

static void
print_metrics(const netshare_report *r, const char *const *names, size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		double v = metric(r, names[i]);
		print_values(names + i, &v, 1, i ? "," : sep);
	}
}

int
main(int argc, char **argv)
{
	cli_pick_blas_kernels(argv);
	if (argc < 2) {
		fprintf(stderr, "usage: time-to-quality TRACE [EVERY [BUDGET_S [SEED "
		        "[NAME=VALUE...]]]]\n");
		return 2;
	}
	long every = argc > 2 ? atol(argv[2]) : 50;
	double budget = argc > 3 ? atof(argv[3]) : 600;
	uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
	if (every < 1 || !(budget > 0))
		return fprintf(stderr, "time-to-quality: EVERY >= 1 and BUDGET_S > 0\n"), 2;

	/* the settings first: a bad one costs no reading and leaves nothing allocated */
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 1; /* chunk 0 only: the later chunks are warm-started fine-tunes */
	netshare_model_params mp;
	netshare_model_params_init(&mp);
	mp.seed = ep.seed = seed; /* before 1.5 only the samples and baselines had it */
	netshare_sample_params defaults;
	netshare_sample_params_init(&defaults);
	bench_settings ex = { .temperature = defaults.class_temperature,
	                      .gen_seeds = DEFAULT_GEN_SEEDS,
	                      .flag_band = -1 }; /* flag_band: the model's */
	const char *save = NULL; /* save=PATH: the generator as the run ends, to look into */
	for (int i = 5; i < argc; i++)
		if (strncmp(argv[i], "save=", 5) == 0)
			save = argv[i] + 5;
		else if (set_param(&mp, &ep, &ex, argv[i]) < 0)
			return fprintf(stderr, "time-to-quality: unknown setting %s\n", argv[i]), 2;
	if (ex.length_log1p)
		ep.log1p_fields = "interarrival,ip_length";
	if (ex.gen_seeds < 1 || ex.gen_seeds > MAX_GEN_SEEDS)
		return fprintf(stderr, "time-to-quality: gen_seeds %d is not 1..%d\n", ex.gen_seeds,
		               MAX_GEN_SEEDS), 2;
	if (ex.disc_projection < 0 || ex.disc_projection > 1 || ex.state_from_condition < 0 ||
	    ex.state_from_condition > 3 || ex.output_from_condition < 0 ||
	    ex.output_from_condition > 3)
		return fprintf(stderr, "time-to-quality: disc_projection (0..1), "
		               "state_from_condition (0..3) and output_from_condition (0..3) "
		               "are %d, %d and %d\n", ex.disc_projection, ex.state_from_condition,
		               ex.output_from_condition), 2;
	if (ex.aux_pack < 0) /* 0 and 1 are both no packing; the trainer checks the batch */
		return fprintf(stderr, "time-to-quality: aux_pack %d is not >= 1\n", ex.aux_pack), 2;
	if (!(ex.condition_balance >= 0))
		return fprintf(stderr, "time-to-quality: condition_balance %g is not >= 0\n",
		               ex.condition_balance), 2;
	if (save && (ex.state_from_condition || ex.output_from_condition)) /* no room for them */
		return fprintf(stderr, "time-to-quality: save= with state_from_condition or "
		               "output_from_condition (condition_paths= is a model's)\n"), 2;

	/* from here every exit goes through `out`, which frees what was made */
	int rc = 1;
	netshare_dataset *all = NULL, *a = NULL, *b = NULL, *bm = NULL, *bs = NULL;
	netshare_report *floor = NULL, *marg = NULL, *svc = NULL;
	netshare_encoder *enc = NULL;
	netshare_model *m = NULL;
	netshare_encoded *x = NULL;
	netshare__pool *pool = NULL;
	netshare__dg *d = NULL;
	if (netshare_dataset_read(&all, argv[1], NULL) < 0) {
		rc = fail("read");
		goto out;
	}
	if (netshare_dataset_split_time(all, 0.5, &a, &b) < 0) {
		rc = fail("split");
		goto out;
	}
	int packets = netshare_dataset_kind(a) == NETSHARE_RECORDS_PACKETS;
	const char *emds[2] = { packets ? "ip_length" : "bytes",
		                packets ? "interarrival" : "duration" };
	/* what each evaluation scores: the joints, the within-flow metrics, the EMDs, then
	 * service coverage (reported, not a target: the service mix the class head learnt) */
	enum { JOINTS_AT = 0, WITHIN_AT = 2, EMDS_AT = 7, SCORED = 10 };
	const char *const scored[SCORED] = { joints[0], joints[1], within[0], within[1],
		                             within[2], within[3], within[4], emds[0], emds[1],
		                             coverage };

	netshare_baseline_params bp;
	netshare_baseline_params_init(&bp);
	bp.seed = seed;
	if (netshare_report_new(&floor, a, b, NULL) < 0 ||
	    netshare_baseline_marginal(&bm, a, &bp) < 0 ||
	    netshare_baseline_service_marginal(&bs, a, &bp) < 0 ||
	    netshare_report_new(&marg, a, bm, NULL) < 0 ||
	    netshare_report_new(&svc, a, bs, NULL) < 0) {
		rc = fail("baselines");
		goto out;
	}

	if (netshare_encoder_fit(&enc, a, &ep) < 0 || netshare_model_new(&m, enc, &mp) < 0 ||
	    netshare_encoder_encode(&x, enc, a, 0) < 0) {
		rc = fail("encoder and model");
		goto out;
	}
	d = &m->dg[0];
	if (ex.aux_records || ex.disc_projection || ex.state_from_condition ||
	    ex.output_from_condition || ex.condition_balance != 0 || ex.aux_pack > 1) {
		/* chunk 0's model made again with them (the sampler's generators follow
		 * m->shape) */
		netshare__dg_free(d);
		if (ex.state_from_condition) /* else condition_paths' */
			m->shape.state_from_condition = ex.state_from_condition;
		if (ex.output_from_condition)
			m->shape.output_from_condition = ex.output_from_condition;
		if (ex.output_from_condition == 3 && m->shape.iat_offset < 0) {
			fprintf(stderr, "time-to-quality: output_from_condition=3 needs an "
			        "inter-arrival field\n");
			rc = 2;
			goto out;
		}
		m->dgp.aux_records = ex.aux_records;
		m->dgp.disc_projection = ex.disc_projection;
		m->dgp.condition_balance = ex.condition_balance;
		m->dgp.aux_pack = ex.aux_pack > 1 ? ex.aux_pack : 1;
		if (netshare__dg_init(d, &m->shape, &m->dgp, netshare__model_chunk_seed(seed, 0)) < 0) {
			rc = fail("aux_records, disc_projection, state_from_condition, "
			          "output_from_condition, condition_balance, aux_pack");
			goto out;
		}
	}
	/* the trainer's generator and the shape the sampler's generators are made from */
	if (ex.flag_band >= 0)
		m->shape.flag_band = d->g.s.flag_band = ex.flag_band;
	m->shape.zero_state = d->g.s.zero_state = ex.zero_state;
	if (ex.flow_noise < 0 || ex.flow_noise > m->shape.feat_noise) {
		fprintf(stderr, "time-to-quality: flow_noise %d is not 0..%d\n", ex.flow_noise,
		        m->shape.feat_noise);
		rc = 2;
		goto out;
	}
	m->shape.flow_noise = d->g.s.flow_noise = ex.flow_noise;
	m->shape.class_condition_scale = d->g.s.class_condition_scale = ex.class_scale;
	const netshare_encoder *e = netshare_model_encoder(m);
	for (size_t k = 0; ex.drawn_lengths && k < e->feat.n_fields; k++)
		if (e->feat.field[k].source == SRC_IPLEN_CLASS) { /* training's generator only */
			d->g.s.draw_offset = e->feat.field[k].offset;
			d->g.s.draw_dim = e->feat.field[k].dim;
		}

	printf("{\"settings\":\"");
	for (int i = 5; i < argc; i++)
		printf("%s%s", i > 5 ? " " : "", argv[i]);
	printf("\",\"trace\":\"%s\",\"records_train\":%zu,\"records_held_out\":%zu,\"every\":%ld,"
	       "\"budget_s\":%g,\"seed\":%llu,\"gen_seeds\":%d,\"floor\":{", argv[1],
	       netshare_dataset_count(a), netshare_dataset_count(b), every, budget,
	       (unsigned long long)seed, ex.gen_seeds);
	print_metrics(floor, emds, 2, "");
	print_metrics(floor, joints, 2, ",");
	print_metrics(floor, within, 5, ",");
	print_metrics(floor, &coverage, 1, ",");
	printf("},\"marginal\":{");
	print_metrics(marg, joints, 2, "");
	print_metrics(marg, within, 5, ",");
	print_metrics(marg, &coverage, 1, ",");
	printf("},\"service_marginal\":{");
	print_metrics(svc, joints, 2, "");
	print_metrics(svc, within, 5, ",");
	print_metrics(svc, &coverage, 1, ",");
	printf("}}\n");
	fflush(stdout);

	double trained = 0, reached = NAN, reached_floor = NAN;
	/* as netshare_model_train trains chunk 0 */
	if (netshare__model_lone_pool(m, &pool, "time-to-quality") < 0) {
		rc = fail("threads");
		goto out;
	}
	netshare__dg_train_on(d, pool);
	while (trained < budget) {
		double t0 = netshare__now();
		if (netshare__dg_train(d, netshare_encoded_attributes(x), netshare_encoded_features(x),
		                       netshare_encoded_flows(x), every, NULL, NULL, 0) < 0) {
			rc = fail("train");
			goto out;
		}
		trained += netshare__now() - t0;
		double e0 = netshare__now();
		/* medians over the generation seeds, in the order of scored[] */
		double runs[SCORED][MAX_GEN_SEEDS], med[SCORED];
		for (int g = 0; g < ex.gen_seeds; g++) {
			netshare_report *r;
			if (gan_report(m, a, seed + (uint64_t)g, ex.temperature, &r) < 0) {
				rc = fail("generate");
				goto out;
			}
			for (size_t i = 0; i < SCORED; i++)
				runs[i][g] = metric(r, scored[i]);
			netshare_report_free(r);
		}
		for (size_t i = 0; i < SCORED; i++)
			med[i] = median(runs[i], ex.gen_seeds);
		int joints_ok = 1, within_ok = 1, emd_ok = 1, joints_floor = 1, within_floor = 1;
		for (size_t i = 0; i < 2; i++) {
			joints_ok &= med[JOINTS_AT + i] < metric(marg, joints[i]);
			joints_floor &= med[JOINTS_AT + i] <= metric(floor, joints[i]);
		}
		for (size_t i = 0; i < 5; i++) {
			int beats = med[WITHIN_AT + i] < metric(svc, within[i]);
			within_ok &= beats;
			within_floor &= beats || med[WITHIN_AT + i] <= metric(floor, within[i]);
		}
		for (size_t i = 0; i < 2; i++)
			emd_ok &= med[EMDS_AT + i] <= 2 * metric(floor, emds[i]);
		int ok = joints_ok && within_ok && emd_ok;
		int ok_floor = joints_ok && within_floor && emd_ok;
		if (ok && isnan(reached))
			reached = trained;
		if (ok_floor && isnan(reached_floor))
			reached_floor = trained;
		printf("{\"train_s\":%.2f,\"eval_s\":%.2f,\"iterations\":%ld,\"metrics\":{",
		       trained, netshare__now() - e0, d->iterations);
		print_values(scored, med, SCORED, "");
		printf("},\"joints_beat_marginal\":%s,\"joints_within_floor\":%s,"
		       "\"within_beat_service_marginal\":%s,\"emds_within_2x_floor\":%s,"
		       "\"quality\":%s,\"within_beat_service_marginal_or_floor\":%s,"
		       "\"quality_or_floor\":%s}\n", joints_ok ? "true" : "false",
		       joints_floor ? "true" : "false", within_ok ? "true" : "false",
		       emd_ok ? "true" : "false", ok ? "true" : "false",
		       within_floor ? "true" : "false", ok_floor ? "true" : "false");
		fflush(stdout);
		if (ok)
			break;
	}
	printf("{");
	print_values((const char *const[]){ "time_to_quality_s" }, &reached, 1, "");
	print_values((const char *const[]){ "time_to_quality_or_floor_s" }, &reached_floor, 1,
	             ",");
	printf(",\"iterations\":%ld,\"train_s\":%.2f}\n", d->iterations, trained);
	rc = 0;
	if (save && netshare_model_export(m, save) < 0) /* the critics' shape may be the bench's */
		rc = fail("save");
out:
	netshare_encoded_free(x);
	netshare_encoder_free(enc);
	if (pool) /* set only after d */
		netshare__dg_train_on(d, NULL);
	netshare__pool_free(pool);
	netshare_model_free(m);
	netshare_report_free(floor);
	netshare_report_free(marg);
	netshare_report_free(svc);
	netshare_dataset_free(bm);
	netshare_dataset_free(bs);
	netshare_dataset_free(a);
	netshare_dataset_free(b);
	netshare_dataset_free(all);
	return rc;
}
