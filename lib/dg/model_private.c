/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential privacy of a model (privacy.h): public pretraining, the noised counts per
 * chunk, the privacy plan, and its record in the model file. The arguments for each
 * sensitivity are in docs/PRIVACY.md.
 */
#include <math.h>
#include <string.h>
#include <sys/random.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/rng.h"
#include "encode/encoder.h"
#include "io/dataset.h"
#include "core/threadpool.h"
#include "nn/rdp.h"
#include "model.h"

#define PRIV_VERSION 1

void
netshare__privacy_init(netshare__privacy *v, const netshare_model_params *p)
{
	memset(v, 0, sizeof *v);
	v->mode = p->epsilon == 0 ? 0 : isinf(p->epsilon) ? 2 : 1;
	v->epsilon_target = p->epsilon;
	v->delta = p->delta;
	v->clip = p->dp_clip;
	v->epsilon = INFINITY;
	v->public_iterations = p->public_iterations ? p->public_iterations : p->iterations;
}

/* A seed from the operating system. The noise of DP must not follow from anything in
 * the model file (its seed is there): whoever could replay it could subtract it. */
static netshare_status
secret_seed(uint64_t *seed)
{
	if (getrandom(seed, sizeof *seed, 0) != (ssize_t)sizeof *seed)
		return netshare__error(NETSHARE_EIO, "differential privacy: no random bytes from the "
		                       "operating system (getrandom)");
	return NETSHARE_OK;
}

/* Every chunk of the public data under its own time span, one tensor pair: n flows. */
static netshare_status
encode_public(const netshare_model *m, const netshare_dataset *pub, float **attr, float **feat,
              size_t *n)
{
	netshare_encoder *e;
	netshare_status st = netshare__encoder_copy(&e, m->enc);
	if (st < 0)
		return st;
	e->t_min = pub->time_min;
	e->t_max = pub->time_max;
	size_t A = e->attr.dim, TF = (size_t)e->max_len * e->feat.dim, have = 0;
	*attr = *feat = NULL;
	for (int c = 0; c < e->chunks && st == NETSHARE_OK; c++) {
		netshare_encoded *x;
		if ((st = netshare_encoder_encode(&x, e, pub, c)) < 0)
			break;
		size_t k = netshare_encoded_flows(x);
		float *a = netshare__reallocarray(*attr, (have + k) * A + 1, sizeof(float));
		if (a)
			*attr = a;
		float *f = a ? netshare__reallocarray(*feat, (have + k) * TF + 1, sizeof(float)) : NULL;
		if (f)
			*feat = f;
		if (!a || !f)
			st = netshare__error_oom("public data");
		else {
			memcpy(a + have * A, netshare_encoded_attributes(x), k * A * sizeof(float));
			memcpy(f + have * TF, netshare_encoded_features(x), k * TF * sizeof(float));
			have += k;
		}
		netshare_encoded_free(x);
	}
	netshare_encoder_free(e);
	*n = have;
	if (st == NETSHARE_OK && have == 0)
		st = netshare__error(NETSHARE_EINVAL, "netshare_model_pretrain: the public dataset "
		                     "has no flows");
	if (st < 0) {
		netshare__free(*attr);
		netshare__free(*feat);
		*attr = *feat = NULL;
	}
	return st;
}

NETSHARE_API netshare_status
netshare_model_pretrain(netshare_model *m, const netshare_dataset *pub)
{
	if (!m || !pub)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_pretrain: %s is NULL",
		                       m ? "dataset" : "model");
	netshare__privacy *v = &m->priv;
	if (m->generator_only)
		return netshare__error(NETSHARE_ESTATE, "netshare_model_pretrain: the model was "
		                       "loaded from an exported file and cannot train");
	if (v->mode == 0)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_pretrain: not a DP model "
		                       "(netshare_model_params.epsilon is 0)");
	if (v->pretrained)
		return NETSHARE_OK;
	if (v->released)
		return netshare__error(NETSHARE_ESTATE, "netshare_model_pretrain: private training "
		                       "has begun");
	if (pub->kind != m->enc->kind ||
	    netshare__dataset_fingerprint(pub) != m->enc->fit_fingerprint)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_pretrain: the public dataset "
		                       "must be the one the model's encoder was fitted on (its "
		                       "statistics are then public)");
	if (!m->enc->window_declared)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_pretrain: the encoder was "
		                       "fitted without a capture window (netshare_encoder_params."
		                       "window_start_ns, window_end_ns): the private trace's "
		                       "chunks need one that is not its own first and last "
		                       "record time");
	float *attr, *feat;
	size_t n;
	netshare_status st = encode_public(m, pub, &attr, &feat, &n);
	if (st < 0)
		return st;
	netshare__dg tmp;
	netshare__pool *pool = NULL;
	if ((st = netshare__dg_init(&tmp, &m->shape, &m->dgp, m->p.seed ^ 0x7075626c6963ull)) ==
	    NETSHARE_OK) {
		if ((st = netshare__model_lone_pool(m, &pool, "pretrain")) == NETSHARE_OK) {
			netshare__dg_train_on(&tmp, pool);
			st = netshare__dg_train(&tmp, attr, feat, n, (long)v->public_iterations,
			                        m->p.progress, m->p.progress_user, 0);
		}
		netshare__pool_free(pool);
		if (st == NETSHARE_OK)
			st = netshare__dg_copy_weights(&m->dg[0], &tmp);
		netshare__dg_free(&tmp);
	}
	netshare__free(attr);
	netshare__free(feat);
	if (st < 0)
		return st;
	v->pretrained = 1;
	v->public_done = v->public_iterations;
	v->public_fingerprint = m->enc->fit_fingerprint;
	v->public_records = pub->n;
	return NETSHARE_OK;
}

/* The counts per chunk of ds, with Gaussian noise of sd `noise` (0: exact), rounded and
 * kept >= 0 (post-processing). */
static netshare_status
release_counts(netshare_model *m, const netshare_dataset *ds, double noise)
{
	uint64_t flows[NETSHARE_MAX_CHUNKS], starts[NETSHARE_MAX_CHUNKS];
	netshare_status st = netshare__encoder_chunk_counts(m->enc, ds, flows, starts);
	if (st < 0)
		return st;
	if (noise > 0) {
		uint64_t seed;
		if ((st = secret_seed(&seed)) < 0)
			return st;
		netshare__rng r;
		netshare__rng_seed(&r, seed);
		for (int c = 0; c < m->chunks; c++) {
			double f = round((double)flows[c] + noise * netshare__rng_normal(&r));
			double s = round((double)starts[c] + noise * netshare__rng_normal(&r));
			flows[c] = f > 0 ? (uint64_t)f : 0;
			starts[c] = s > 0 ? (uint64_t)s : 0;
		}
	}
	netshare__encoder_set_counts(m->enc, flows, starts,
	                             noise > 0 ? NETSHARE__RELEASE_NOISED : NETSHARE__RELEASE_EXACT,
	                             noise);
	return NETSHARE_OK;
}

/*
 * The plan: one flow changes each chunk's count of kept segments by at most 1 (a flow
 * has at most one segment per chunk, cut to max_flow_len) and one chunk's count of
 * starts by 1, so the 2K counts have L2 sensitivity sqrt(K + 1). Each noised round is
 * the sampled Gaussian mechanism on the pair of critics (both see the same Poisson
 * sample: sensitivity sqrt(2) C, noise sigma C per coordinate), so its multiplier is
 * sigma / sqrt(2); every round of every chunk composes (chunks overlap in flows).
 */
static netshare_status
plan(netshare_model *m, const netshare_dataset *ds)
{
	netshare__privacy *v = &m->priv;
	int K = m->chunks;
	double fixed[NETSHARE__RDP_ORDERS] = { 0 }, count_sd = 0;
	if (v->mode == 1) {
		double cs = netshare__rdp_sigma_for(NETSHARE__DP_COUNT_SHARE * v->epsilon_target,
		                                    v->delta, 1, 1);
		if (isnan(cs))
			return netshare__error(NETSHARE_EINVAL, "epsilon %g at delta %g is out of reach",
			                       v->epsilon_target, v->delta);
		netshare__rdp_compose(fixed, netshare__rdp_orders(), NETSHARE__RDP_ORDERS, 1, cs, 1);
		count_sd = cs * sqrt((double)K + 1);
	}
	netshare_status st = release_counts(m, ds, count_sd);
	if (st < 0)
		return st;
	netshare__rdp_part parts[NETSHARE_MAX_CHUNKS];
	for (int c = 0; c < K; c++) {
		double n = (double)m->enc->chunk_flows[c], B = m->p.batch_size;
		v->rate[c] = n > B ? B / n : 1;
		v->rounds[c] = (double)m->p.d_rounds * (double)netshare__model_target(m, c);
		parts[c] = (netshare__rdp_part){ v->rate[c], v->rounds[c], 1 / sqrt(2.0) };
	}
	v->count_noise = count_sd;
	if (v->mode == 1) {
		v->sigma = netshare__rdp_sigma_for_plan(v->epsilon_target, v->delta, parts,
		                                        (size_t)K, fixed);
		if (isnan(v->sigma))
			return netshare__error(NETSHARE_EINVAL, "epsilon %g at delta %g is out of reach "
			                       "for %d chunks of training (noise multiplier above "
			                       "1e4): fewer iterations or a larger epsilon",
			                       v->epsilon_target, v->delta, K);
		v->epsilon = netshare__rdp_plan_epsilon(parts, (size_t)K, v->sigma, fixed, v->delta);
	}
	v->released = 1;
	return NETSHARE_OK;
}

netshare_status
netshare__privacy_begin(netshare_model *m, const netshare_dataset *ds)
{
	netshare__privacy *v = &m->priv;
	if (!v->pretrained)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_train: a DP model trains on "
		                       "the public data first (netshare_model_pretrain)");
	netshare_status st;
	if (!v->released) {
		if (netshare__dataset_fingerprint(ds) == v->public_fingerprint)
			return netshare__error(NETSHARE_EINVAL, "netshare_model_train: the private "
			                       "dataset is the public one the encoder was fitted on");
		if ((st = plan(m, ds)) < 0)
			return st;
	}
	for (int c = 0; c < m->chunks; c++) {
		netshare__dg *d = &m->dg[c];
		d->p.dp_clip = v->mode == 1 ? v->clip : 0;
		d->p.dp_sigma = v->mode == 1 ? v->sigma : 0;
		d->p.dp_rate = v->rate[c];
		uint64_t seed = 0;
		if (v->mode == 1 && (st = secret_seed(&seed)) < 0)
			return st;
		netshare__rng_seed(&d->dp_rng, seed);
	}
	return NETSHARE_OK;
}

void
netshare__privacy_save(const netshare__privacy *v, int chunks, netshare__wbuf *b)
{
	netshare__wbuf_u32(b, PRIV_VERSION);
	netshare__wbuf_u8(b, (uint8_t)v->mode);
	netshare__wbuf_u8(b, (uint8_t)v->pretrained);
	netshare__wbuf_u8(b, (uint8_t)v->released);
	const double d[] = { v->epsilon_target, v->delta, v->clip, v->sigma, v->epsilon,
	                     v->count_noise };
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
		netshare__wbuf_f64(b, d[i]);
	netshare__wbuf_u32(b, v->public_iterations);
	netshare__wbuf_u64(b, v->public_done);
	netshare__wbuf_u64(b, v->public_fingerprint);
	netshare__wbuf_u64(b, v->public_records);
	for (int c = 0; c < chunks; c++) {
		netshare__wbuf_f64(b, v->rate[c]);
		netshare__wbuf_f64(b, v->rounds[c]);
	}
}

netshare_status
netshare__privacy_load(netshare__privacy *v, int chunks, const void *data, size_t len,
                       const char *path)
{
	netshare__rbuf r = { data, len, 0, 0 };
	uint32_t version = netshare__rbuf_u32(&r);
	if (!r.bad && version != PRIV_VERSION)
		return netshare__error(NETSHARE_EVERSION, "%s: privacy record version %u; this "
		                       "library reads version %d", path, version, PRIV_VERSION);
	v->mode = netshare__rbuf_u8(&r);
	v->pretrained = netshare__rbuf_u8(&r);
	v->released = netshare__rbuf_u8(&r);
	double *d[] = { &v->epsilon_target, &v->delta, &v->clip, &v->sigma, &v->epsilon,
	                &v->count_noise };
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
		*d[i] = netshare__rbuf_f64(&r);
	v->public_iterations = netshare__rbuf_u32(&r);
	v->public_done = netshare__rbuf_u64(&r);
	v->public_fingerprint = netshare__rbuf_u64(&r);
	v->public_records = netshare__rbuf_u64(&r);
	int bad = 0;
	for (int c = 0; c < chunks; c++) {
		v->rate[c] = netshare__rbuf_f64(&r);
		v->rounds[c] = netshare__rbuf_f64(&r);
		bad |= !(v->rate[c] >= 0 && v->rate[c] <= 1) || !(v->rounds[c] >= 0);
	}
	bad |= r.bad || r.pos != r.len || v->mode < 1 || v->mode > 2 || v->pretrained > 1 ||
	       v->released > 1 || !(v->epsilon_target > 0) || !(v->delta > 0 && v->delta < 1) ||
	       !(v->clip > 0) || !(v->sigma >= 0) || isnan(v->epsilon) ||
	       !(v->count_noise >= 0) || (v->mode == 1) != !isinf(v->epsilon_target);
	if (bad)
		return netshare__error(NETSHARE_ECORRUPT, "%s: inconsistent privacy record", path);
	return NETSHARE_OK;
}
