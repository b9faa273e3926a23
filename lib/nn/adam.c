/* SPDX-License-Identifier: BSD-3-Clause */
/* Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr m^ / (sqrt(v^) + eps). */
#include "adam.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

void
netshare__adam_init(netshare__adam *a, float lr, float beta1, float beta2, float eps)
{
	memset(a, 0, sizeof *a);
	a->lr = lr;
	a->beta1 = beta1;
	a->beta2 = beta2;
	a->eps = eps;
}

netshare_status
netshare__adam_add(netshare__adam *a, float *param, float *grad, size_t size)
{
	if (a->n == NETSHARE__ADAM_MAX_TENSORS)
		return netshare__error(NETSHARE_EINVAL, "optimiser: more than %d tensors",
		                       NETSHARE__ADAM_MAX_TENSORS);
	float *m = netshare__calloc(size, sizeof *m), *v = netshare__calloc(size, sizeof *v);
	if (!m || !v) {
		netshare__free(m);
		netshare__free(v);
		return netshare__error_oom("optimiser state");
	}
	a->t[a->n].param = param;
	a->t[a->n].grad = grad;
	a->t[a->n].m = m;
	a->t[a->n].v = v;
	a->t[a->n].size = size;
	a->n++;
	return NETSHARE_OK;
}

void
netshare__adam_step(netshare__adam *a)
{
	a->step++;
	double c1 = 1.0 - pow(a->beta1, (double)a->step), c2 = 1.0 - pow(a->beta2, (double)a->step);
	float step = (float)(a->lr / c1), root_c2 = (float)sqrt(c2);
	for (size_t k = 0; k < a->n; k++) {
		/* restrict: the four arrays never overlap, so the loop vectorises. */
		float *restrict p = a->t[k].param, *restrict m = a->t[k].m, *restrict v = a->t[k].v;
		const float *restrict g = a->t[k].grad;
		float b1 = a->beta1, b2 = a->beta2, eps = a->eps;
		for (size_t i = 0; i < a->t[k].size; i++) {
			m[i] = b1 * m[i] + (1 - b1) * g[i];
			v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
			p[i] -= step * m[i] / (sqrtf(v[i]) / root_c2 + eps);
		}
	}
}

void
netshare__adam_free(netshare__adam *a)
{
	for (size_t k = 0; k < a->n; k++) {
		netshare__free(a->t[k].m);
		netshare__free(a->t[k].v);
	}
	a->n = 0;
}
