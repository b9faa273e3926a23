/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports of the "other" class: drawn from the role's other ports by corpus count.
 *
 * A port that is not one of its role's classes decodes from its word2vec vector to the
 * nearest rarer port. Vectors from a briefly trained generator cluster, so nearest-word
 * decoding maps thousands of flows onto a handful of ephemeral ports, which real traffic
 * spreads over thousands. Drawing among the nearest word's 32 nearest words helped, but
 * kept the cluster's bias: on caida-10k the destination port JSD stayed at 0.30 (the
 * marginal baseline: 0.19) because 63 % of its records have ports outside the classes.
 * So the sampler draws each "other" port from the role's non-class ports in proportion
 * to their word2vec corpus counts (records, as the evaluation weighs them), as the
 * marginal baseline draws every port: 0.22 on the same model. The GAN decides which
 * flows are "other" and everything else about them; the frequent services, where the
 * joint structure is, stay its class heads'. The corpus is the public one in DP mode.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "sampler.h"

void
netshare__tail_free(netshare__tail *t)
{
	netshare__free(t->word);
	netshare__free(t->cum);
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
	size_t n = w2v_field->n_choices;
	t->word = netshare__mallocarray(n, sizeof *t->word);
	t->cum = netshare__mallocarray(n, sizeof *t->cum);
	if (!t->word || !t->cum) {
		netshare__tail_free(t);
		return netshare__error_oom("sampler port tails");
	}
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		ptrdiff_t j = netshare__w2v_lookup(w, NETSHARE__W2V_WORD(NETSHARE__W2V_PORT,
		                                                         w2v_field->choices[i]));
		if (j < 0) { /* choices come from the corpus the words were trained on */
			netshare_status st = netshare__error(NETSHARE_ECORRUPT, "model: port %u of %s "
			                                     "has no word2vec vector",
			                                     w2v_field->choices[i], w2v_field->name);
			netshare__tail_free(t);
			return st;
		}
		t->word[i] = (size_t)j;
		total += (double)w->count[j];
		t->cum[i] = total;
	}
	t->field = w2v_field;
	t->class_field = class_field;
	t->n = n;
	return NETSHARE_OK;
}

netshare_status
netshare__tail_draw(const netshare__tail *t, float *rows, size_t n, size_t A,
                      netshare__rng *rng)
{
	if (!t->field)
		return NETSHARE_OK;
	const netshare__field *f = t->field, *cf = t->class_field;
	const netshare__word2vec *w = f->w2v;
	size_t dim = (size_t)w->dim;
	for (size_t i = 0; i < n; i++) {
		const float *cls = rows + i * A + cf->offset;
		size_t arg = 0;
		for (size_t k = 1; k < cf->dim; k++)
			arg = cls[k] > cls[arg] ? k : arg;
		if (arg != cf->dim - 1) /* a class port: nothing to draw */
			continue;
		/* The first port whose cumulative count exceeds u. */
		double u = netshare__rng_uniform(rng) * t->cum[t->n - 1];
		size_t lo = 0, hi = t->n - 1;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (t->cum[mid] > u)
				hi = mid;
			else
				lo = mid + 1;
		}
		memcpy(rows + i * A + f->offset, w->vec + t->word[lo] * dim, dim * sizeof *rows);
	}
	return NETSHARE_OK;
}
