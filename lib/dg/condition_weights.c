/* SPDX-License-Identifier: BSD-3-Clause */
/* Condition weights for the critics' losses (condition_weights.h). */
#include "condition_weights.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

/* FNV-1a over the argmax of each softmax head. */
static uint64_t
condition_key(const netshare__cond_weights *cw, const float *row)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t k = 0; k < cw->n_heads; k++) {
		const netshare__head *hd = &cw->heads[k];
		if (hd->activation != 0)
			continue;
		size_t best = 0;
		for (size_t j = 1; j < hd->dim; j++)
			if (row[hd->offset + j] > row[hd->offset + best])
				best = j;
		h = (h ^ (uint64_t)best) * 1099511628211ULL;
	}
	return h;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void
netshare__cond_weights_free(netshare__cond_weights *cw)
{
	netshare__free(cw->keys);
	netshare__free(cw->key_weight);
	netshare__free(cw->row_weight);
	memset(cw, 0, sizeof *cw);
}

/* Index of key in the sorted keys; n_keys if absent. */
static size_t
find(const netshare__cond_weights *cw, uint64_t key)
{
	size_t lo = 0, hi = cw->n_keys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cw->keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cw->n_keys && cw->keys[lo] == key ? lo : cw->n_keys;
}

netshare_status
netshare__cond_weights_build(netshare__cond_weights *cw, const netshare__head *heads,
                             size_t n_heads, size_t A, const float *attr, size_t n,
                             double alpha)
{
	netshare__cond_weights_free(cw);
	if (n == 0 || !(alpha > 0))
		return netshare__error(NETSHARE_EINVAL, "condition weights: %zu rows, exponent %g",
		                       n, alpha);
	*cw = (netshare__cond_weights){ .heads = heads, .n_heads = n_heads, .A = A, .attr = attr,
	                                .n_rows = n };
	uint64_t *row_key = netshare__mallocarray(n, sizeof *row_key);
	cw->keys = netshare__mallocarray(n, sizeof *cw->keys);
	cw->key_weight = netshare__mallocarray(n, sizeof *cw->key_weight);
	cw->row_weight = netshare__mallocarray(n, sizeof *cw->row_weight);
	if (!row_key || !cw->keys || !cw->key_weight || !cw->row_weight) {
		netshare__free(row_key);
		netshare__cond_weights_free(cw);
		return netshare__error_oom("condition weights");
	}
	for (size_t i = 0; i < n; i++)
		cw->keys[i] = row_key[i] = condition_key(cw, attr + i * A);
	qsort(cw->keys, n, sizeof *cw->keys, cmp_u64);
	/* unique keys with their counts (in key_weight, then turned into weights) */
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		if (u && cw->keys[u - 1] == cw->keys[i]) {
			cw->key_weight[u - 1] += 1;
			continue;
		}
		cw->keys[u] = cw->keys[i];
		cw->key_weight[u++] = 1;
	}
	cw->n_keys = u;
	double sum = 0; /* over rows: sum over conditions of c * c^-alpha */
	for (size_t k = 0; k < u; k++)
		sum += pow(cw->key_weight[k], 1 - alpha);
	double scale = (double)n / sum;
	for (size_t k = 0; k < u; k++)
		cw->key_weight[k] = (float)(scale * pow(cw->key_weight[k], -alpha));
	cw->unseen = (float)scale;
	for (size_t i = 0; i < n; i++)
		cw->row_weight[i] = cw->key_weight[find(cw, row_key[i])];
	netshare__free(row_key);
	return NETSHARE_OK;
}

float
netshare__cond_weights_of(const netshare__cond_weights *cw, const float *row)
{
	size_t k = find(cw, condition_key(cw, row));
	return k < cw->n_keys ? cw->key_weight[k] : cw->unseen;
}
