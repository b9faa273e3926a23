/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * word2vec with negative sampling, CBOW or skip-gram, following the reference C code
 * and gensim 3.8 (the version NetShare pins): reduced random windows, sub-sampling of
 * frequent words, a unigram^0.75 noise distribution, linear learning-rate decay, and
 * CBOW averaging the context (cbow_mean=1) with the error added to every context word.
 */
#include "word2vec.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

/* Word codes span two kinds of 2^16 values. */
#define CODE_SPACE (NETSHARE__W2V_KINDS << 16)
/* Most scores held at once when decoding a block of queries (floats). */
#define NEAREST_BLOCK_SCORES (1u << 22)

void
netshare__w2v_params_default(netshare__w2v_params *p)
{
	p->dim = 10;
	p->window = 5;
	p->negative = 5;
	p->epochs = 5;
	p->min_count = 1;
	p->skipgram = 0;
	p->sample = 1e-3;
	p->alpha = 0.025;
	p->min_alpha = 1e-4;
	p->seed = 1;
}

void
netshare__w2v_free(netshare__word2vec *w)
{
	netshare__free(w->word);
	netshare__free(w->count);
	netshare__free(w->vec);
	memset(w, 0, sizeof *w);
}

static netshare_status
check_params(const netshare__w2v_params *p)
{
	const struct {
		const char *name;
		double v, lo, hi;
	} b[] = {
		{ "word2vec dim", p->dim, 1, 1024 },        { "word2vec window", p->window, 1, 100 },
		{ "word2vec negative", p->negative, 1, 100 }, { "word2vec epochs", p->epochs, 1, 10000 },
		{ "word2vec min_count", p->min_count, 1, 1e9 }, { "word2vec sample", p->sample, 0, 1 },
		{ "word2vec alpha", p->alpha, 1e-9, 10 },     { "word2vec min_alpha", p->min_alpha, 0, 10 },
	};
	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
		if (!(b[i].v >= b[i].lo && b[i].v <= b[i].hi))
			return netshare__error(NETSHARE_EINVAL, "%s = %g is outside %g..%g", b[i].name,
			                       b[i].v, b[i].lo, b[i].hi);
	return NETSHARE_OK;
}

/* Training state beside the result. */
typedef struct trainer {
	const netshare__w2v_params *p;
	netshare__word2vec *w;
	float *syn1;          /* output vectors [n_words * dim] */
	double *noise_cdf;    /* cumulative unigram^0.75 weights */
	double *keep;         /* sub-sampling keep probability per word */
	float *h, *neu1e;     /* [dim] scratch */
	netshare__rng rng;
} trainer;

static size_t
draw_noise(trainer *t)
{
	size_t n = t->w->n_words;
	double u = netshare__rng_uniform(&t->rng) * t->noise_cdf[n - 1];
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->noise_cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* One positive and `negative` noise updates of output vectors against input h;
 * accumulates the input gradient in neu1e. */
static void
train_pair(trainer *t, const float *h, size_t target, float alpha)
{
	int dim = t->w->dim;
	for (int d = 0; d <= t->p->negative; d++) {
		size_t out = target;
		float label = 1.0f;
		if (d > 0) {
			out = draw_noise(t);
			if (out == target)
				continue;
			label = 0.0f;
		}
		float *v = t->syn1 + out * (size_t)dim;
		float f = 0;
		for (int k = 0; k < dim; k++)
			f += h[k] * v[k];
		float sig = f > 6 ? 1.0f : f < -6 ? 0.0f : 1.0f / (1.0f + expf(-f));
		float g = (label - sig) * alpha;
		for (int k = 0; k < dim; k++) {
			t->neu1e[k] += g * v[k];
			v[k] += g * h[k];
		}
	}
}

static void
train_sentence(trainer *t, const size_t *words, int len, float alpha)
{
	int dim = t->w->dim;
	float *syn0 = t->w->vec;
	for (int pos = 0; pos < len; pos++) {
		int reach = t->p->window - (int)netshare__rng_below(&t->rng, (uint64_t)t->p->window);
		int lo = pos - reach < 0 ? 0 : pos - reach;
		int hi = pos + reach >= len ? len - 1 : pos + reach;
		if (t->p->skipgram) {
			for (int c = lo; c <= hi; c++) {
				if (c == pos)
					continue;
				float *in = syn0 + words[c] * (size_t)dim;
				memset(t->neu1e, 0, (size_t)dim * sizeof *t->neu1e);
				train_pair(t, in, words[pos], alpha);
				for (int k = 0; k < dim; k++)
					in[k] += t->neu1e[k];
			}
			continue;
		}
		int count = 0;
		memset(t->h, 0, (size_t)dim * sizeof *t->h);
		for (int c = lo; c <= hi; c++) {
			if (c == pos)
				continue;
			const float *in = syn0 + words[c] * (size_t)dim;
			for (int k = 0; k < dim; k++)
				t->h[k] += in[k];
			count++;
		}
		if (count == 0)
			continue;
		for (int k = 0; k < dim; k++)
			t->h[k] /= (float)count;
		memset(t->neu1e, 0, (size_t)dim * sizeof *t->neu1e);
		train_pair(t, t->h, words[pos], alpha);
		for (int c = lo; c <= hi; c++) {
			if (c == pos)
				continue;
			float *in = syn0 + words[c] * (size_t)dim;
			for (int k = 0; k < dim; k++)
				in[k] += t->neu1e[k];
		}
	}
}

/* Vocabulary: words with at least min_count occurrences, sorted by code. */
static netshare_status
build_vocab(netshare__word2vec *w, const uint32_t *s, size_t n_codes, int min_count,
            int32_t *index)
{
	uint64_t *counts = netshare__calloc(CODE_SPACE, sizeof *counts);
	if (!counts)
		return netshare__error_oom("word2vec vocabulary");
	for (size_t i = 0; i < n_codes; i++)
		counts[s[i] % CODE_SPACE]++;
	size_t n = 0;
	for (size_t c = 0; c < CODE_SPACE; c++)
		n += counts[c] >= (uint64_t)min_count;
	w->word = netshare__mallocarray(n ? n : 1, sizeof *w->word);
	w->count = netshare__mallocarray(n ? n : 1, sizeof *w->count);
	if (!w->word || !w->count) {
		netshare__free(counts);
		return netshare__error_oom("word2vec vocabulary");
	}
	n = 0;
	for (size_t c = 0; c < CODE_SPACE; c++) {
		index[c] = -1;
		if (counts[c] >= (uint64_t)min_count) {
			index[c] = (int32_t)n;
			w->word[n] = (uint32_t)c;
			w->count[n++] = counts[c];
		}
	}
	w->n_words = n;
	for (int k = 0; k <= NETSHARE__W2V_KINDS; k++) {
		size_t f = 0;
		while (f < n && (w->word[f] >> 16) < (uint32_t)k)
			f++;
		w->first[k] = f;
	}
	netshare__free(counts);
	return NETSHARE_OK;
}

netshare_status
netshare__w2v_train(netshare__word2vec *w, const uint32_t *s, size_t n, int len,
                    const netshare__w2v_params *p)
{
	memset(w, 0, sizeof *w);
	netshare_status st = check_params(p);
	if (st < 0)
		return st;
	if (len < 1 || len > 64)
		return netshare__error(NETSHARE_EINVAL, "word2vec: sentence length %d outside 1..64",
		                       len);
	int32_t *index = netshare__mallocarray(CODE_SPACE, sizeof *index);
	if (!index)
		return netshare__error_oom("word2vec vocabulary");
	if ((st = build_vocab(w, s, n * (size_t)len, p->min_count, index)) < 0) {
		netshare__free(index);
		netshare__w2v_free(w);
		return st;
	}
	w->dim = p->dim;
	if (w->n_words == 0) {
		netshare__free(index);
		return NETSHARE_OK; /* nothing to learn: every lookup reports -1 */
	}
	size_t nw = w->n_words, dim = (size_t)p->dim;
	trainer t = { .p = p, .w = w };
	netshare__rng_seed(&t.rng, p->seed);
	w->vec = netshare__mallocarray(nw * dim, sizeof *w->vec);
	t.syn1 = netshare__calloc(nw * dim, sizeof *t.syn1);
	t.noise_cdf = netshare__mallocarray(nw, sizeof *t.noise_cdf);
	t.keep = netshare__mallocarray(nw, sizeof *t.keep);
	t.h = netshare__mallocarray(dim, sizeof *t.h);
	t.neu1e = netshare__mallocarray(dim, sizeof *t.neu1e);
	size_t *sent = netshare__mallocarray((size_t)len, sizeof *sent);
	if (!w->vec || !t.syn1 || !t.noise_cdf || !t.keep || !t.h || !t.neu1e || !sent) {
		st = netshare__error_oom("word2vec training");
		goto done;
	}
	for (size_t i = 0; i < nw * dim; i++)
		w->vec[i] = (netshare__rng_uniformf(&t.rng) - 0.5f) / (float)dim;
	uint64_t total = 0;
	double cum = 0;
	for (size_t i = 0; i < nw; i++) {
		total += w->count[i];
		cum += pow((double)w->count[i], 0.75);
		t.noise_cdf[i] = cum;
	}
	/* gensim's sub-sampling: keep a word with probability
	 * (sqrt(c / (s*N)) + 1) * (s*N) / c, capped at 1. */
	double threshold = p->sample * (double)total;
	for (size_t i = 0; i < nw; i++) {
		double c = (double)w->count[i];
		t.keep[i] = p->sample > 0 ? (sqrt(c / threshold) + 1) * threshold / c : 1.0;
		if (t.keep[i] > 1)
			t.keep[i] = 1;
	}
	double steps = (double)p->epochs * (double)n, done_steps = 0;
	for (int e = 0; e < p->epochs; e++) {
		for (size_t i = 0; i < n; i++, done_steps++) {
			int kept = 0;
			for (int j = 0; j < len; j++) {
				int32_t id = index[s[i * (size_t)len + (size_t)j] % CODE_SPACE];
				if (id < 0)
					continue;
				if (t.keep[id] < 1 && netshare__rng_uniform(&t.rng) >= t.keep[id])
					continue;
				sent[kept++] = (size_t)id;
			}
			float alpha = (float)(p->alpha - (p->alpha - p->min_alpha) * done_steps / steps);
			train_sentence(&t, sent, kept, alpha);
		}
	}
	for (size_t i = 0; i < nw; i++) {
		float *v = w->vec + i * dim, norm = 0;
		for (size_t k = 0; k < dim; k++)
			norm += v[k] * v[k];
		norm = sqrtf(norm);
		for (size_t k = 0; k < dim && norm > 0; k++)
			v[k] /= norm;
	}
done:
	netshare__free(index);
	netshare__free(sent);
	netshare__free(t.syn1);
	netshare__free(t.noise_cdf);
	netshare__free(t.keep);
	netshare__free(t.h);
	netshare__free(t.neu1e);
	if (st < 0)
		netshare__w2v_free(w);
	return st;
}

ptrdiff_t
netshare__w2v_lookup(const netshare__word2vec *w, uint32_t code)
{
	size_t kind = code >> 16;
	if (kind >= NETSHARE__W2V_KINDS || w->first[kind] == w->first[kind + 1])
		return -1;
	size_t lo = w->first[kind], hi = w->first[kind + 1];
	while (lo < hi) { /* first word >= code */
		size_t mid = (lo + hi) / 2;
		if (w->word[mid] < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < w->first[kind + 1] && w->word[lo] == code)
		return (ptrdiff_t)lo;
	/* Unknown: the numerically nearest known value of the kind (ties: the lower). */
	if (lo == w->first[kind])
		return (ptrdiff_t)lo;
	if (lo == w->first[kind + 1])
		return (ptrdiff_t)lo - 1;
	return code - w->word[lo - 1] <= w->word[lo] - code ? (ptrdiff_t)lo - 1 : (ptrdiff_t)lo;
}

size_t
netshare__w2v_allowed(const netshare__word2vec *w, int kind, const uint32_t *allowed,
                      size_t n_allowed, size_t *out)
{
	size_t n = 0;
	for (size_t j = w->first[kind], a = 0; j < w->first[kind + 1]; j++) {
		uint32_t v = w->word[j] & 0xffff;
		while (a < n_allowed && allowed[a] < v)
			a++;
		if (!n_allowed || (a < n_allowed && allowed[a] == v))
			out[n++] = j;
	}
	return n;
}

netshare_status
netshare__w2v_nearest(const netshare__word2vec *w, int kind, const float *q, size_t n,
                      const uint32_t *allowed, size_t n_allowed, uint32_t *values)
{
	size_t first = w->first[kind], m = w->first[kind + 1] - first;
	if (m == 0)
		return netshare__error(NETSHARE_EINVAL, "word2vec: no %s words to decode to",
		                       kind == NETSHARE__W2V_PORT ? "port" : "protocol");
	/* The candidates (relative to the kind's first word): words whose value is allowed. */
	size_t *cand = netshare__mallocarray(m, sizeof *cand), n_cand;
	if (!cand)
		return netshare__error_oom("word2vec decoding");
	n_cand = netshare__w2v_allowed(w, kind, allowed, n_allowed, cand);
	for (size_t k = 0; k < n_cand; k++)
		cand[k] -= first;
	if (n_cand == 0)
		for (size_t j = 0; j < m; j++)
			cand[n_cand++] = j;
	size_t block = NEAREST_BLOCK_SCORES / m;
	if (block < 1)
		block = 1;
	if (block > n)
		block = n;
	float *scores = netshare__mallocarray(block * m, sizeof *scores);
	if (!scores && n) {
		netshare__free(cand);
		return netshare__error_oom("word2vec decoding");
	}
	const float *v = w->vec + first * (size_t)w->dim;
	for (size_t r0 = 0; r0 < n; r0 += block) {
		size_t b = n - r0 < block ? n - r0 : block;
		/* scores[b x m] = q[b x dim] * v[m x dim]^T; the vectors are unit length, so the
		 * largest dot product is the largest cosine. */
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)m, w->dim, 1.0f,
		            q + r0 * (size_t)w->dim, w->dim, v, w->dim, 0.0f, scores, (int)m);
		for (size_t i = 0; i < b; i++) {
			const float *row = scores + i * m;
			size_t best = cand[0];
			for (size_t k = 1; k < n_cand; k++)
				if (row[cand[k]] > row[best])
					best = cand[k];
			values[r0 + i] = w->word[first + best] & 0xffff;
		}
	}
	netshare__free(scores);
	netshare__free(cand);
	return NETSHARE_OK;
}
