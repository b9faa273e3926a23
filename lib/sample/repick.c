/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ports a duplicate 5-tuple's ephemeral side may take (flows.c's repick): per role,
 * the port words among its head's choices, with their vectors stored dimension by
 * dimension so that a row is scored against all of them in one elementwise pass per
 * dimension. Each score is summed over the dimensions in order, as a dot product
 * would be, so the scores and the ports picked do not depend on the vector width.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/simd.h"
#include "sampler.h"

netshare_status
netshare__repick_init(netshare__repick *r, const netshare__word2vec *w,
                      const netshare__field *f)
{
	memset(r, 0, sizeof *r);
	size_t m = w->first[NETSHARE__W2V_PORT + 1] - w->first[NETSHARE__W2V_PORT];
	size_t dim = (size_t)w->dim;
	r->word = netshare__mallocarray(m ? m : 1, sizeof *r->word);
	if (!r->word)
		return netshare__error_oom("sampler port candidates");
	r->n = netshare__w2v_allowed(w, NETSHARE__W2V_PORT, f->choices, f->n_choices, r->word);
	r->dim = dim;
	r->vt = netshare__mallocarray(dim * r->n + 1, sizeof *r->vt);
	r->score = netshare__mallocarray(r->n + 1, sizeof *r->score);
	if (!r->vt || !r->score) {
		netshare__repick_free(r);
		return netshare__error_oom("sampler port candidates");
	}
	for (size_t i = 0; i < r->n; i++)
		for (size_t d = 0; d < dim; d++)
			r->vt[d * r->n + i] = w->vec[r->word[i] * dim + d];
	return NETSHARE_OK;
}

void
netshare__repick_free(netshare__repick *r)
{
	netshare__free(r->word);
	netshare__free(r->vt);
	netshare__free(r->score);
	memset(r, 0, sizeof *r);
}

NETSHARE__ELEMENTWISE static void
axpy(float *restrict y, const float *restrict x, float a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] += a * x[i];
}

size_t
netshare__repick_nearest(netshare__repick *r, const float *q, size_t *best, size_t max)
{
	memset(r->score, 0, r->n * sizeof *r->score);
	for (size_t d = 0; d < r->dim; d++)
		axpy(r->score, r->vt + d * r->n, q[d], r->n);
	/* Top max by insertion (ties: earlier in port order first); `least`, the last kept
	 * score once max are kept, is held apart from the arrays so that the common case
	 * is one comparison. */
	size_t n = 0;
	float least = 0;
	for (size_t i = 0; i < r->n; i++) {
		float sc = r->score[i];
		if (n == max && sc <= least)
			continue;
		size_t p = n < max ? n++ : max - 1;
		for (; p > 0 && r->score[best[p - 1]] < sc; p--)
			best[p] = best[p - 1];
		best[p] = i;
		least = r->score[best[n - 1]];
	}
	for (size_t t = 0; t < n; t++)
		best[t] = r->word[best[t]];
	return n;
}
