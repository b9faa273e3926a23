/* SPDX-License-Identifier: BSD-3-Clause */
/* Condition weights for the critics' losses (condition_weights.h). */
#include "condition_weights.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "dg/generator.h"

/* A row's condition: the argmax of each softmax head, into key; returns its bytes. */
static size_t
condition_key(const netshare__cond_weights *cw, const float *row, uint32_t *key)
{
	size_t n = 0;
	for (size_t k = 0; k < cw->n_heads; k++) {
		const netshare__head *hd = &cw->heads[k];
		if (hd->activation != 0)
			continue;
		uint32_t best = 0;
		for (uint32_t j = 1; j < hd->dim; j++)
			if (row[hd->offset + j] > row[hd->offset + best])
				best = j;
		key[n++] = best;
	}
	return n * sizeof *key;
}

void
netshare__cond_weights_free(netshare__cond_weights *cw)
{
	netshare__intern_free(&cw->conditions);
	netshare__free(cw->key_weight);
	netshare__free(cw->row_weight);
	memset(cw, 0, sizeof *cw);
}

netshare_status
netshare__cond_weights_build(netshare__cond_weights *cw, const netshare__head *heads,
                             size_t n_heads, size_t A, const float *attr, size_t n,
                             double alpha)
{
	netshare__cond_weights_free(cw);
	if (n == 0 || !(alpha > 0) || n_heads > NETSHARE__GEN_MAX_HEADS)
		return netshare__error(NETSHARE_EINVAL, "condition weights: %zu rows, exponent %g, "
		                       "%zu heads", n, alpha, n_heads);
	*cw = (netshare__cond_weights){ .heads = heads, .n_heads = n_heads, .attr = attr,
	                                .n_rows = n };
	uint32_t *row_id = netshare__mallocarray(n, sizeof *row_id);
	cw->key_weight = netshare__calloc(n, sizeof *cw->key_weight); /* counts first */
	cw->row_weight = netshare__mallocarray(n, sizeof *cw->row_weight);
	netshare_status st = !row_id || !cw->key_weight || !cw->row_weight ?
	                             netshare__error_oom("condition weights") : NETSHARE_OK;
	uint32_t key[NETSHARE__GEN_MAX_HEADS];
	for (size_t i = 0; i < n && st == NETSHARE_OK; i++) {
		size_t len = condition_key(cw, attr + i * A, key);
		if ((st = netshare__intern_add(&cw->conditions, key, len, &row_id[i])) == NETSHARE_OK)
			cw->key_weight[row_id[i]] += 1;
	}
	if (st < 0) {
		netshare__free(row_id);
		netshare__cond_weights_free(cw);
		return st;
	}
	double sum = 0; /* over the rows: over the conditions, c x c^-alpha */
	for (size_t k = 0; k < cw->conditions.n; k++)
		sum += pow(cw->key_weight[k], 1 - alpha);
	double scale = (double)n / sum;
	for (size_t k = 0; k < cw->conditions.n; k++)
		cw->key_weight[k] = (float)(scale * pow(cw->key_weight[k], -alpha));
	cw->unseen = (float)scale;
	for (size_t i = 0; i < n; i++)
		cw->row_weight[i] = cw->key_weight[row_id[i]];
	netshare__free(row_id);
	return NETSHARE_OK;
}

float
netshare__cond_weights_of(const netshare__cond_weights *cw, const float *row)
{
	uint32_t key[NETSHARE__GEN_MAX_HEADS];
	size_t len = condition_key(cw, row, key);
	int64_t id = netshare__intern_find(&cw->conditions, key, len);
	return id >= 0 ? cw->key_weight[id] : cw->unseen;
}
