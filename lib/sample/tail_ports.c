/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports of the "other" class: spread over the generated vector's neighbourhood.
 *
 * A port that is not one of its role's classes decodes from its word2vec vector to the
 * nearest rarer port. Vectors from a briefly trained generator cluster, so nearest-word
 * decoding alone maps thousands of flows onto a handful of ephemeral ports, which real
 * traffic spreads over thousands. So the sampler keeps the generator's choice of region
 * (the nearest word) and draws the port among that word's NETSHARE__TAIL_NEIGHBOURS
 * nearest words of the role, weighted by how often each occurs in the word2vec corpus.
 */
#include <string.h>

#include <cblas.h>

#include "core/alloc.h"
#include "core/error.h"
#include "sampler.h"

/* Rows of the word x word score matrix computed at once. */
#define SCORE_BLOCK 256

void
netshare__tail_free(netshare__tail *t)
{
	netshare__free(t->word);
	netshare__free(t->nbr);
	memset(t, 0, sizeof *t);
}

netshare_status
netshare__tail_init(netshare__tail *t, const netshare__field *w2v_field,
                    const netshare__field *class_field)
{
	memset(t, 0, sizeof *t);
	const netshare__word2vec *w = w2v_field->w2v;
	if (!class_field || w2v_field->n_choices == 0)
		return NETSHARE_OK; /* NetShare's encoding: nearest-word decoding only */
	t->field = w2v_field;
	t->class_field = class_field;
	size_t n = w2v_field->n_choices, dim = (size_t)w->dim, K = NETSHARE__TAIL_NEIGHBOURS;
	t->k = n < K ? n : K;
	t->word = netshare__mallocarray(n, sizeof *t->word);
	t->nbr = netshare__mallocarray(n * t->k, sizeof *t->nbr);
	float *vec = netshare__mallocarray(n * dim, sizeof *vec);
	float *score = netshare__mallocarray(SCORE_BLOCK * n, sizeof *score);
	float *best = netshare__mallocarray(t->k, sizeof *best);
	netshare_status st = NETSHARE_OK;
	if (!t->word || !t->nbr || !vec || !score || !best) {
		st = netshare__error_oom("sampler port neighbourhoods");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		ptrdiff_t j = netshare__w2v_lookup(w, NETSHARE__W2V_WORD(NETSHARE__W2V_PORT,
		                                                         w2v_field->choices[i]));
		if (j < 0) { /* choices come from the corpus the words were trained on */
			st = netshare__error(NETSHARE_ECORRUPT, "model: port %u of %s has no word2vec "
			                     "vector", w2v_field->choices[i], w2v_field->name);
			goto done;
		}
		t->word[i] = (size_t)j;
		memcpy(vec + i * dim, w->vec + (size_t)j * dim, dim * sizeof *vec);
	}
	t->n = n;
	/* Cosine similarities (unit vectors) a block of rows at a time; keep the k best of
	 * each row by insertion (ties: the lower port). */
	for (size_t r0 = 0; r0 < n; r0 += SCORE_BLOCK) {
		size_t rows = n - r0 < SCORE_BLOCK ? n - r0 : SCORE_BLOCK;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)n, (int)dim,
		            1.0f, vec + r0 * dim, (int)dim, vec, (int)dim, 0.0f, score, (int)n);
		for (size_t r = 0; r < rows; r++) {
			uint32_t *nb = t->nbr + (r0 + r) * t->k;
			const float *sc = score + r * n;
			size_t have = 0;
			for (size_t j = 0; j < n; j++) {
				if (have == t->k && sc[j] <= best[have - 1])
					continue;
				size_t p = have < t->k ? have++ : t->k - 1;
				for (; p > 0 && best[p - 1] < sc[j]; p--) {
					best[p] = best[p - 1];
					nb[p] = nb[p - 1];
				}
				best[p] = sc[j];
				nb[p] = (uint32_t)j;
			}
		}
	}
done:
	netshare__free(vec);
	netshare__free(score);
	netshare__free(best);
	if (st < 0)
		netshare__tail_free(t);
	return st;
}

netshare_status
netshare__tail_spread(const netshare__tail *t, float *rows, size_t n, size_t A,
                      netshare__rng *rng)
{
	if (!t->field || n == 0)
		return NETSHARE_OK;
	const netshare__field *f = t->field, *cf = t->class_field;
	const netshare__word2vec *w = f->w2v;
	size_t dim = (size_t)w->dim;
	float *q = netshare__mallocarray(n * dim, sizeof *q);
	uint32_t *near = netshare__mallocarray(n, sizeof *near);
	if (!q || !near) {
		netshare__free(q);
		netshare__free(near);
		return netshare__error_oom("sampler ports");
	}
	for (size_t i = 0; i < n; i++)
		memcpy(q + i * dim, rows + i * A + f->offset, dim * sizeof *q);
	netshare_status st = netshare__w2v_nearest(w, NETSHARE__W2V_PORT, q, n, f->choices,
	                                           f->n_choices, near);
	for (size_t i = 0; i < n && st == NETSHARE_OK; i++) {
		const float *cls = rows + i * A + cf->offset;
		size_t arg = 0;
		for (size_t k = 1; k < cf->dim; k++)
			arg = cls[k] > cls[arg] ? k : arg;
		if (arg != cf->dim - 1) /* a class port: nothing to spread */
			continue;
		ptrdiff_t at = netshare__field_choice(f, near[i]);
		if (at < 0)
			continue;
		const uint32_t *nb = t->nbr + (size_t)at * t->k;
		double total = 0;
		for (size_t k = 0; k < t->k; k++)
			total += (double)w->count[t->word[nb[k]]];
		double u = netshare__rng_uniform(rng) * total;
		size_t pick = t->k - 1;
		for (size_t k = 0; k < t->k; k++) {
			u -= (double)w->count[t->word[nb[k]]];
			if (u < 0) {
				pick = k;
				break;
			}
		}
		memcpy(rows + i * A + f->offset, w->vec + t->word[nb[pick]] * dim,
		       dim * sizeof *rows);
	}
	netshare__free(q);
	netshare__free(near);
	return st;
}
