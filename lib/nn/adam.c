/* SPDX-License-Identifier: BSD-3-Clause */
/* Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr m^ / (sqrt(v^) + eps). */
#include "adam.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/simd.h"

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

/* restrict: the four arrays never overlap, so the loop vectorises. */
NETSHARE__ELEMENTWISE static void
update(float *restrict p, float *restrict m, float *restrict v, const float *restrict g,
       size_t n, float b1, float b2, float eps, float step, float root_c2)
{
	for (size_t i = 0; i < n; i++) {
		m[i] = b1 * m[i] + (1 - b1) * g[i];
		v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
		p[i] -= step * m[i] / (sqrtf(v[i]) / root_c2 + eps);
	}
}

void
netshare__adam_step(netshare__adam *a)
{
	a->step++;
	double c1 = 1.0 - pow(a->beta1, (double)a->step), c2 = 1.0 - pow(a->beta2, (double)a->step);
	float step = (float)(a->lr / c1), root_c2 = (float)sqrt(c2);
	for (size_t k = 0; k < a->n; k++)
		update(a->t[k].param, a->t[k].m, a->t[k].v, a->t[k].grad, a->t[k].size, a->beta1,
		       a->beta2, a->eps, step, root_c2);
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
