/* SPDX-License-Identifier: BSD-3-Clause */
/* netshare_model: creation from an encoder, chunked training, queries (model.h). */
#include "model.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/params.h"
#include "encode/encoder.h"
#include "nn/critic.h"
#include "nn/rdp.h"

NETSHARE_API void
netshare_model_params_init(netshare_model_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof *p);
	p->struct_size = sizeof *p;
	p->iterations = 2000;
	p->fine_tune_divisor = 4;
	netshare__dg_params d;
	netshare__dg_params_default(&d);
	p->batch_size = d.batch;
	p->d_rounds = d.d_rounds;
	p->g_rounds = d.g_rounds;
	p->attr_noise = p->feat_noise = 5;
	p->attr_layers = 5;
	p->attr_units = 512;
	p->lstm_units = 100;
	p->disc_layers = d.disc_layers;
	p->disc_units = d.disc_units;
	p->aux_disc_layers = d.aux_disc_layers;
	p->aux_disc_units = d.aux_disc_units;
	p->lr_g = d.lr_g;
	p->lr_d = d.lr_d;
	p->lr_aux = d.lr_aux;
	p->beta1 = d.beta1;
	p->beta2 = d.beta2;
	p->gp_lambda = d.gp_lambda;
	p->aux_gp_lambda = d.aux_gp_lambda;
	p->aux_weight = d.aux_weight;
	p->seed = 1;
	p->delta = NETSHARE__DP_DEFAULT_DELTA;
	p->dp_clip = NETSHARE__DP_DEFAULT_CLIP;
	p->disc_embed = -1;
	p->ema_decay = NETSHARE_DEFAULT_EMA_DECAY;
	p->feature_condition = NETSHARE_CONDITION_GENERATED;
	p->flow_end = NETSHARE_FLOW_END_AUTO;
	p->condition_paths = 0;
}

netshare_status
netshare__model_check_params(const netshare_model_params *p)
{
	const struct {
		const char *name;
		double v, lo, hi;
	} b[] = {
		{ "fine_tune_divisor", p->fine_tune_divisor, 1, 1e6 },
		{ "batch_size", p->batch_size, 1, 1 << 16 },
		{ "d_rounds", p->d_rounds, 0, 1000 },
		{ "g_rounds", p->g_rounds, 0, 1000 },
		{ "attr_noise", p->attr_noise, 1, 1 << 12 },
		{ "feat_noise", p->feat_noise, 1, 1 << 12 },
		{ "attr_layers", p->attr_layers, 1, NETSHARE__GEN_MAX_LAYERS + 1 },
		{ "attr_units", p->attr_units, 1, 1 << 14 },
		{ "lstm_units", p->lstm_units, 1, 1 << 13 },
		{ "disc_layers", p->disc_layers, 2, NETSHARE__CRITIC_MAX_LAYERS + 1 },
		{ "disc_units", p->disc_units, 1, 1 << 14 },
		{ "aux_disc_layers", p->aux_disc_layers, 2, NETSHARE__CRITIC_MAX_LAYERS + 1 },
		{ "aux_disc_units", p->aux_disc_units, 1, 1 << 14 },
		{ "lr_g", p->lr_g, 1e-12, 10 }, { "lr_d", p->lr_d, 1e-12, 10 },
		{ "lr_aux", p->lr_aux, 1e-12, 10 }, { "beta1", p->beta1, 0, 0.999999 },
		{ "beta2", p->beta2, 0, 0.999999999 }, { "gp_lambda", p->gp_lambda, 0, 1e6 },
		{ "aux_gp_lambda", p->aux_gp_lambda, 0, 1e6 }, { "aux_weight", p->aux_weight, 0, 1e6 },
		{ "threads", p->threads, 0, 1024 },
		{ "epsilon", p->epsilon, 0, INFINITY }, { "delta", p->delta, 1e-300, 0.5 },
		{ "dp_clip", p->dp_clip, 1e-12, 1e12 },
		{ "public_iterations", p->public_iterations, 0, 1e9 },
		{ "disc_embed", p->disc_embed, -1, NETSHARE_MAX_DISC_EMBED },
		{ "ema_decay", p->ema_decay, 0, NETSHARE_MAX_EMA_DECAY },
		{ "feature_condition", p->feature_condition, NETSHARE_CONDITION_GENERATED,
		  NETSHARE_CONDITION_REAL },
		{ "flow_end", p->flow_end, NETSHARE_FLOW_END_AUTO, NETSHARE_FLOW_END_DRAWN },
		{ "condition_paths", p->condition_paths, 0,
		  NETSHARE_CONDITION_PATH_STATE | NETSHARE_CONDITION_PATH_OUTPUT },
	};
	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
		if (!(b[i].v >= b[i].lo && b[i].v <= b[i].hi))
			return netshare__error(NETSHARE_EINVAL, "netshare_model_params.%s = %g is outside "
			                       "%g..%g", b[i].name, b[i].v, b[i].lo, b[i].hi);
	if (p->epsilon > 0 && p->feature_condition == NETSHARE_CONDITION_REAL)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_params.feature_condition: "
		                       "real attributes as the generator's input are not private "
		                       "(epsilon %g); use NETSHARE_CONDITION_GENERATED",
		                       p->epsilon);
	return NETSHARE_OK;
}

NETSHARE_API void
netshare_model_free(netshare_model *m)
{
	if (!m)
		return;
	for (int c = 0; m->dg && c < m->chunks; c++)
		netshare__dg_free(&m->dg[c]);
	netshare__free(m->dg);
	netshare_encoder_free(m->enc);
	netshare__free(m);
}

/* The generator's heads and sizes, from the encoder's layout. */
netshare_status
netshare__model_shape(netshare__gen_shape *s, const netshare_encoder *e,
                      const netshare_model_params *p)
{
	memset(s, 0, sizeof *s);
	if (e->attr.n_groups > NETSHARE__GEN_MAX_HEADS || e->feat.n_groups > NETSHARE__GEN_MAX_HEADS)
		return netshare__error(NETSHARE_EINVAL, "model: %zu attribute and %zu feature heads "
		                       "(at most %d)", e->attr.n_groups, e->feat.n_groups,
		                       NETSHARE__GEN_MAX_HEADS);
	for (size_t k = 0; k < e->attr.n_groups; k++)
		s->attr_heads[k] = (netshare__head){ e->attr.groups[k].offset, e->attr.groups[k].dim,
		                                     e->attr.groups[k].activation };
	s->iat_offset = -1;
	for (size_t k = 0; k < e->feat.n_groups; k++) {
		s->feat_heads[k] = (netshare__head){ e->feat.groups[k].offset, e->feat.groups[k].dim,
		                                     e->feat.groups[k].activation };
		if (strcmp(e->feat.groups[k].name, "gen_flag") == 0)
			s->gen_offset = (int)e->feat.groups[k].offset;
		if (strcmp(e->feat.groups[k].name, "interarrival") == 0)
			s->iat_offset = (int)e->feat.groups[k].offset;
	}
	s->n_attr_heads = e->attr.n_groups;
	s->n_feat_heads = e->feat.n_groups;
	s->A = (int)e->attr.dim;
	s->F = (int)e->feat.dim;
	s->sample_len = (int)e->sample_len;
	s->steps = (int)(e->max_len / e->sample_len);
	s->attr_noise = p->attr_noise;
	s->feat_noise = p->feat_noise;
	s->attr_layers = p->attr_layers;
	s->attr_units = p->attr_units;
	s->lstm_units = p->lstm_units;
	s->max_batch = p->batch_size;
	s->drawn_flags = p->flow_end == NETSHARE_FLOW_END_DRAWN;
	s->flag_band = s->drawn_flags ? NETSHARE__FLOW_END_BAND : 0;
	s->state_from_condition = (p->condition_paths & NETSHARE_CONDITION_PATH_STATE) != 0;
	s->output_from_condition = (p->condition_paths & NETSHARE_CONDITION_PATH_OUTPUT) != 0;
	return NETSHARE_OK;
}

/* NETSHARE_FLOW_END_AUTO's choice for the trace @p e was fitted on: drawn ends spread a
 * length the generator should hit every time, so larger where most flows share one
 * length of two or more records. */
static int
flow_end_for(const netshare_encoder *e)
{
	uint32_t len;
	double share;
	if (!netshare__encoder_modal_length(e, &len, &share))
		return NETSHARE_FLOW_END_LARGER; /* an encoder read from a file */
	return len >= 2 && share > NETSHARE__FLOW_END_AUTO_SHARE ? NETSHARE_FLOW_END_LARGER :
	                                                           NETSHARE_FLOW_END_DRAWN;
}

uint64_t
netshare__model_chunk_seed(uint64_t seed, int chunk)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(chunk + 1);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return z ^ (z >> 31);
}

netshare_status
netshare__model_create(netshare_model **out, const netshare_encoder *enc,
                       const netshare_model_params *p, int generator_only)
{
	*out = NULL;
	netshare_model *m = netshare__calloc(1, sizeof *m);
	if (!m)
		return netshare__error_oom("model");
	m->p = *p;
	m->last_chunk = -1;
	if (m->p.flow_end == NETSHARE_FLOW_END_AUTO) /* resolved once, like disc_embed */
		m->p.flow_end = flow_end_for(enc);
	netshare__privacy_init(&m->priv, p);
	netshare_status st = netshare__encoder_copy(&m->enc, enc);
	if (st == NETSHARE_OK)
		st = netshare__model_shape(&m->shape, m->enc, &m->p);
	if (st < 0) {
		netshare_model_free(m);
		return st;
	}
	if (m->p.disc_embed < 0) /* resolved once: a saved model keeps what it trained with */
		m->p.disc_embed = (double)m->shape.sample_len * m->shape.steps *
		                  (m->shape.F - NETSHARE__DISC_EMBED_AUTO) >
		                  NETSHARE_DISC_EMBED_AUTO_INPUTS ? NETSHARE__DISC_EMBED_AUTO : 0;
	netshare__dg_params_default(&m->dgp);
	m->dgp.disc_embed = m->p.disc_embed;
	m->dgp.real_condition = m->p.feature_condition == NETSHARE_CONDITION_REAL;
	m->dgp.ema_decay = p->ema_decay;
	m->dgp.batch = p->batch_size;
	m->dgp.d_rounds = p->d_rounds;
	m->dgp.g_rounds = p->g_rounds;
	m->dgp.disc_layers = p->disc_layers;
	m->dgp.disc_units = p->disc_units;
	m->dgp.aux_disc_layers = p->aux_disc_layers;
	m->dgp.aux_disc_units = p->aux_disc_units;
	m->dgp.lr_g = p->lr_g;
	m->dgp.lr_d = p->lr_d;
	m->dgp.lr_aux = p->lr_aux;
	m->dgp.beta1 = p->beta1;
	m->dgp.beta2 = p->beta2;
	m->dgp.gp_lambda = p->gp_lambda;
	m->dgp.aux_gp_lambda = p->aux_gp_lambda;
	m->dgp.aux_weight = p->aux_weight;
	m->chunks = m->enc->chunks;
	m->dg = netshare__calloc((size_t)m->chunks, sizeof *m->dg);
	if (!m->dg) {
		netshare_model_free(m);
		return netshare__error_oom("model");
	}
	m->generator_only = generator_only;
	for (int c = 0; c < m->chunks && st == NETSHARE_OK; c++)
		st = (generator_only ? netshare__dg_init_generator : netshare__dg_init)(
			&m->dg[c], &m->shape, &m->dgp, netshare__model_chunk_seed(p->seed, c));
	if (st < 0) {
		netshare_model_free(m);
		return st;
	}
	*out = m;
	return NETSHARE_OK;
}

/* The caller's params (NULL: the defaults) copied over the defaults and range-checked. */
static netshare_status
accept_params(netshare_model_params *p, const netshare_model_params *params)
{
	netshare_model_params_init(p);
	netshare_status st;
	if (params && (st = netshare__params_copy(p, sizeof *p,
	                                          offsetof(netshare_model_params, epsilon), params,
	                                          "netshare_model_params")) < 0)
		return st;
	return netshare__model_check_params(p);
}

NETSHARE_API netshare_status
netshare_model_new(netshare_model **out, const netshare_encoder *enc,
                   const netshare_model_params *params)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_new: out is NULL");
	*out = NULL;
	if (!enc)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_new: encoder is NULL");
	netshare_model_params p;
	netshare_status st = accept_params(&p, params);
	return st < 0 ? st : netshare__model_create(out, enc, &p, 0);
}

NETSHARE_API netshare_status
netshare_model_set_training(netshare_model *m, const netshare_model_params *params)
{
	if (!m)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_set_training: model is NULL");
	netshare_model_params p;
	netshare_status st = accept_params(&p, params);
	if (st < 0)
		return st;
	m->p.progress = p.progress;
	m->p.progress_user = p.progress_user;
	m->p.checkpoint_path = p.checkpoint_path;
	m->p.checkpoint_every = p.checkpoint_every;
	m->p.threads = p.threads;
	return NETSHARE_OK;
}

NETSHARE_API const netshare_encoder *
netshare_model_encoder(const netshare_model *m)
{
	return m ? m->enc : NULL;
}

static uint64_t
count_params(const netshare__adam *a)
{
	uint64_t n = 0;
	for (size_t k = 0; k < a->n; k++)
		n += a->t[k].size;
	return n;
}

static void
privacy_info(const netshare__privacy *v, int chunks, netshare_model_info *info)
{
	info->privacy = v->mode;
	info->epsilon = v->mode == 1 ? v->epsilon : INFINITY;
	if (v->mode == 0)
		return;
	info->epsilon_target = v->epsilon_target;
	info->delta = v->mode == 1 ? v->delta : 0;
	info->dp_sigma = v->sigma;
	info->dp_clip = v->mode == 1 ? v->clip : 0;
	info->count_noise_sd = v->count_noise;
	for (int c = 0; c < chunks; c++) {
		info->dp_sampling_rate = v->rate[c] > info->dp_sampling_rate ? v->rate[c] :
		                         info->dp_sampling_rate;
		info->dp_steps += v->mode == 1 ? (uint64_t)v->rounds[c] : 0;
	}
	info->public_fingerprint = v->public_fingerprint;
	info->public_records = v->public_records;
	info->public_iterations = v->public_done;
	if (v->mode == 1 && v->count_noise > 0) {
		double rdp[NETSHARE__RDP_ORDERS] = { 0 };
		netshare__rdp_compose(rdp, netshare__rdp_orders(), NETSHARE__RDP_ORDERS, 1,
		                      v->count_noise / sqrt((double)chunks + 1), 1);
		info->count_epsilon = netshare__rdp_epsilon(netshare__rdp_orders(), rdp,
		                                            NETSHARE__RDP_ORDERS, v->delta,
		                                            NETSHARE__RDP_IMPROVED, NULL);
	}
}

NETSHARE_API netshare_status
netshare_model_info_get(const netshare_model *m, netshare_model_info *info)
{
	if (!m || !info)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_info_get: %s is NULL",
		                       m ? "info" : "model");
	netshare_status st = netshare__check_out_struct(info, "netshare_model_info");
	if (st < 0)
		return st;
	netshare_model_info filled, *caller = info;
	memset(&filled, 0, sizeof filled);
	filled.struct_size = sizeof filled;
	info = &filled;
	info->chunks = m->chunks;
	info->iterations_chunk0 = (uint64_t)m->dg[0].iterations;
	info->iterations = m->p.iterations;
	info->fine_tune_divisor = m->p.fine_tune_divisor;
	info->disc_embed = m->p.disc_embed;
	info->ema_decay = m->p.ema_decay;
	info->feature_condition = m->p.feature_condition;
	info->flow_end = m->p.flow_end;
	info->condition_paths = m->p.condition_paths;
	for (int c = 0; c < m->chunks; c++)
		info->iterations_total += (uint64_t)m->dg[c].iterations;
	info->params_generator = count_params(&m->dg[0].opt_g);
	/* An exported model has no critics to count: their sizes follow from the shape. */
	int T = m->shape.sample_len * m->shape.steps;
	double X = (double)T * m->shape.F + m->shape.A;
	info->params_discriminator = m->generator_only ?
		(uint64_t)netshare__critic_floats((int)X, T, m->shape.F, m->p.disc_embed,
		                                  m->p.disc_units, m->p.disc_layers - 1) :
		count_params(&m->dg[0].opt_d);
	info->params_aux_discriminator = m->generator_only ?
		(uint64_t)netshare__critic_floats(m->shape.A, 0, 0, 0, m->p.aux_disc_units,
		                                  m->p.aux_disc_layers - 1) :
		count_params(&m->dg[0].opt_aux);
	info->loss_d = info->loss_aux_d = info->loss_g = info->wasserstein = NAN;
	if (m->last_chunk >= 0) {
		const netshare__dg *d = &m->dg[m->last_chunk];
		info->loss_d = d->loss_d;
		info->loss_aux_d = d->loss_aux;
		info->loss_g = d->loss_g;
		info->wasserstein = d->wasserstein;
	}
	privacy_info(&m->priv, m->chunks, info);
	netshare__out_struct_put(caller, &filled, sizeof filled);
	return NETSHARE_OK;
}

netshare_status
netshare__model_generate(netshare_model *m, int chunk, uint64_t seed, int batch)
{
	if (chunk < 0 || chunk >= m->chunks || batch < 1 || batch > m->p.batch_size)
		return netshare__error(NETSHARE_EINVAL, "generate: chunk %d, batch %d", chunk, batch);
	netshare__rng r;
	netshare__rng_seed(&r, seed);
	netshare__generator_forward(&m->dg[chunk].g, &r, batch, 0);
	return NETSHARE_OK;
}
